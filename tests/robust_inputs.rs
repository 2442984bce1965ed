//! Input that used to pass silently or poison every score (issue 20, points 5, 6
//! and 8), through the binary: each case must end in a one-line message naming the
//! file and the cause, or in its own outcome, never in a plausible-looking number.

mod batch_support;

use std::process::Command;

use batch_support::{Batch, code, stderr, wav};
use kuulas::store::CallStatus;

fn kuulas() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kuulas"));
    cmd.env_remove("KUULAS_LOG").env_remove("NO_COLOR");
    cmd
}

const RUBRIC: &str = r#"schema_version = 1
id = "x"
version = "1"

[[dimension]]
id = "warmth"
name = "Lämpö"
weight = WEIGHT
base = 50

[[behaviour]]
id = "greeting"
dimension = "warmth"
party = "agent"
polarity = "good"
points = POINTS
patterns = ["PATTERN"]
"#;

fn rubric(weight: &str, points: &str, pattern: &str) -> String {
    RUBRIC
        .replace("WEIGHT", weight)
        .replace("POINTS", points)
        .replace("PATTERN", pattern)
}

#[test]
fn rubric_check_refuses_values_that_poison_every_score_by_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    for (text, line, what) in [
        (rubric("nan", "10", "hei"), 5, "weight"),
        (rubric("inf", "10", "hei"), 5, "weight"),
        (rubric("1.0", "nan", "hei"), 12, "points"),
        (rubric("1.0", "-inf", "hei"), 12, "points"),
        (rubric("1.0", "10", "tervetuloa("), 17, "tervetuloa("),
    ] {
        let file = dir.path().join("r.toml");
        std::fs::write(&file, &text).unwrap();
        let out = kuulas()
            .args(["rubric", "check"])
            .arg(&file)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(code(&out), 1, "{text}\n{err}");
        let at = format!("{}:{line}: ", file.display());
        assert!(
            err.contains(&at) && err.contains(what),
            "{at} {what}: {err}"
        );
    }
}

#[test]
fn score_refuses_a_transcript_with_impossible_times_naming_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("call.json");
    for (segment, field) in [
        (
            r#"{"party": "agent", "start": 1e308, "end": 1e308, "text": "hei"}"#,
            "segments[0].start",
        ),
        (
            r#"{"party": "agent", "start": 5.0, "end": 2.0, "text": "hei"}"#,
            "segments[0].end",
        ),
        (
            r#"{"party": "agent", "start": -3.0, "end": 2.0, "text": "hei"}"#,
            "segments[0].start",
        ),
    ] {
        let json = format!(
            r#"{{"schema_version": 1, "duration": 60.0, "language": "fi",
                "attribution": "channels", "segments": [{segment}]}}"#
        );
        std::fs::write(&file, json).unwrap();
        let out = kuulas().arg("score").arg(&file).output().unwrap();
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{err}");
        assert!(
            err.contains(&file.display().to_string()) && err.contains(field),
            "{field}: {err}"
        );
        assert!(out.stdout.is_empty(), "no score for a corrupt transcript");
    }
}

#[test]
fn random_binary_data_is_not_described_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("call.wav");
    let noise = [
        0xA7u8, 0x3B, 0xE9, 0xC4, 0x51, 0xF0, 0x9D, 0x2E, 0xB8, 0x6A, 0xD3, 0x8F, 0x47, 0xEE, 0x95,
        0x30, 0x12, 0x99,
    ];
    std::fs::write(&file, noise.repeat(100)).unwrap();
    let out = kuulas().arg("score").arg(&file).output().unwrap();
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(
        err.contains("call.wav") && err.contains("unrecognised binary data"),
        "{err}"
    );
}

#[test]
fn a_call_with_no_speech_is_not_scored_and_has_its_own_status() {
    let b = Batch::new();
    b.call("good.wav", "hyvää päivää");
    b.file("silent.wav", &wav(1));
    b.file(
        "silent.transcript.json",
        br#"{"schema_version": 1, "duration": 0.0, "language": "fi",
             "attribution": "channels", "segments": []}"#,
    );
    let out = b.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("silent: not scored: no speech"),
        "{}",
        stderr(&out)
    );
    let rows = b.rows();
    let silent = &rows["silent"];
    assert_eq!(silent.status, CallStatus::Scored, "finished, not failed");
    assert_eq!(silent.overall, None);
    assert!(silent.scores.iter().all(|s| s.score.is_none()));
    assert!(rows["good"].overall.is_some());

    let export = b.export(&["--format", "csv"]);
    let csv = String::from_utf8(export.stdout).unwrap();
    let line = csv.lines().find(|l| l.starts_with("silent,")).unwrap();
    assert!(line.contains(",no_speech,"), "{line}");
    let good = csv.lines().find(|l| l.starts_with("good,")).unwrap();
    assert!(good.contains(",scored,"), "{good}");
}

#[test]
fn a_manifest_with_an_unclosed_quote_stops_the_run_at_its_line() {
    let b = Batch::new();
    b.call("a.wav", "moi");
    b.call("b.wav", "moi");
    let manifest = b.file("manifest.csv", b"path,agent\na.wav,\"Aino\nb.wav,Eero\n");
    let out = b.run(&[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let at = format!("{}:2: ", manifest.display());
    assert!(stderr(&out).contains(&at), "{}", stderr(&out));
    assert!(b.files().is_empty(), "nothing processed");
}

#[cfg(unix)]
#[test]
fn log_lines_cannot_be_forged_by_a_file_name_and_carry_no_colour_in_a_file() {
    let b = Batch::new();
    b.call("good.wav", "moi");
    let forged = "2026-11-21T01:00:00Z  INFO all calls scored";
    b.file(
        &format!("evil\n{forged}\x1b[2J.wav"),
        b"%PDF-1.7 not a call",
    );
    let out = b.run(&[]);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    assert!(
        !err.lines().any(|l| l.starts_with(forged)),
        "a forged line: {err}"
    );
    assert!(err.contains("evil\\n2026-11-21"), "escaped: {err}");
    assert!(
        !err.contains('\x1b'),
        "no escape codes in a log file: {err:?}"
    );
    assert!(err.contains("good: scored"), "{err}");
}
