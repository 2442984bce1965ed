//! `kuulas rubric …` and `kuulas score` through the binary: exit codes, messages
//! and output formats users and scripts rely on.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn kuulas() -> Command {
    Command::cargo_bin("kuulas").expect("kuulas binary built")
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temp file");
    path
}

const CALL: &str = r#"{
  "schema_version": 1, "duration": 70.0, "language": "fi", "attribution": "channels",
  "segments": [
    {"party": "agent", "start": 0.5, "end": 3.0, "text": "Hyvää päivää, Anna tässä, miten voin auttaa?"},
    {"party": "customer", "start": 3.5, "end": 7.0, "text": "Mun lasku on väärin."},
    {"party": "agent", "start": 7.5, "end": 10.0, "text": "Tämä ei kuulu meille."},
    {"party": "agent", "start": 65.0, "end": 69.0, "text": "Kiitos soitosta, hyvää päivänjatkoa."}
  ]
}"#;

#[test]
fn check_reports_every_problem_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = r#"schema_version = 1
id = "x"
version = "1"

[[dimension]]
id = "warmth"
name = "Lämpö"
weight = 1.0
base = 50

[[behaviour]]
id = "greeting"
dimension = "warmth"
party = "agnet"
polarity = "good"
points = 10
patterns = ["hei", ""]
regex = ["(unclosed"]

[[behaviour]]
id = "closing"
dimension = "warm"
party = "agent"
polarity = "good"
points = 5
when = "nothing"
"#;
    let file = write(dir.path(), "bad.toml", bad);
    let shown = file.display().to_string();
    kuulas()
        .args(["rubric", "check"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{shown}:14: unknown party `agnet`"
        )))
        .stderr(predicate::str::contains(format!(
            "{shown}:17: empty pattern"
        )))
        .stderr(predicate::str::contains(format!("{shown}:18: bad regex")))
        .stderr(predicate::str::contains(format!(
            "{shown}:22: unknown dimension `warm`"
        )))
        .stderr(predicate::str::contains(format!(
            "{shown}:26: unknown behaviour `nothing`"
        )));
}

#[test]
fn check_rejects_unknown_fields_by_line_and_accepts_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let typo = "schema_version = 1\nid = \"x\"\nversion = \"1\"\n\n[[dimension]]\nid = \"d\"\nname = \"D\"\nweight = 1.0\nbase = 50\nwieght = 2\n";
    let file = write(dir.path(), "typo.toml", typo);
    kuulas()
        .args(["rubric", "check"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(":10: unknown field `wieght`"));
    let shown = kuulas()
        .args(["rubric", "show"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let default = write(
        dir.path(),
        "default.toml",
        &String::from_utf8(shown).unwrap(),
    );
    kuulas()
        .args(["rubric", "check"])
        .arg(&default)
        .assert()
        .success();
}

#[test]
fn self_test_passes_for_the_built_in_rubric_and_fails_a_wrong_example() {
    kuulas()
        .args(["rubric", "test"])
        .assert()
        .success()
        .stdout(predicate::str::contains(", 0 failed"));
    let dir = tempfile::tempdir().unwrap();
    let rubric = r#"schema_version = 1
id = "x"
version = "1"
[[dimension]]
id = "warmth"
name = "Lämpö"
weight = 1.0
base = 50
[[behaviour]]
id = "apology"
dimension = "warmth"
party = "agent"
polarity = "good"
points = 10
patterns = ["pahoittelen"]
examples = ["Pahoittelen viivettä.", "Kiitos odottamisesta."]
counter_examples = ["En pahoittele mitään."]
"#;
    let file = write(dir.path(), "r.toml", rubric);
    kuulas()
        .args(["rubric", "test"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL apology (line 9): example not matched: \"Kiitos odottamisesta.\"",
        ))
        .stdout(predicate::str::contains("3 examples checked, 1 failed"));
}

#[test]
fn score_prints_a_summary_and_versioned_json() {
    let dir = tempfile::tempdir().unwrap();
    let call = write(dir.path(), "call.json", CALL);
    kuulas()
        .arg("score")
        .arg(&call)
        .assert()
        .success()
        .stdout(predicate::str::contains("Overall"))
        .stdout(predicate::str::contains("00:01  agent    greeting"))
        .stdout(predicate::str::contains("bare_refusal"))
        .stdout(predicate::str::contains("\"Tämä ei kuulu meille.\""));
    let out = kuulas()
        .arg("score")
        .arg(&call)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let card: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    assert_eq!(card["schema_version"], 1);
    assert_eq!(card["rubric"]["id"], "kuulas-fi-default");
    assert_eq!(card["rubric"]["sha256"].as_str().map(str::len), Some(64));
    let overall = card["scores"]["overall"].as_f64().unwrap();
    assert!((0.0..=100.0).contains(&overall));
    let behaviours: Vec<&str> = card["moments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["behaviour"].as_str())
        .collect();
    for id in [
        "greeting",
        "self_intro",
        "need_discovery",
        "bare_refusal",
        "closing",
    ] {
        assert!(behaviours.contains(&id), "{id} missing from {behaviours:?}");
    }
    assert!(card["metrics"]["agent"]["talk_time"].as_f64().unwrap() > 0.0);
}

#[test]
fn score_refuses_other_transcript_versions_and_recordings() {
    let dir = tempfile::tempdir().unwrap();
    let v2 = write(
        dir.path(),
        "v2.json",
        &CALL.replace("\"schema_version\": 1", "\"schema_version\": 2"),
    );
    kuulas()
        .arg("score")
        .arg(&v2)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "schema_version 2 is not supported",
        ));
    let wav = write(dir.path(), "call.wav", "RIFF");
    kuulas().arg("score").arg(&wav).assert().code(2).stderr(
        predicate::str::contains("call.wav").and(predicate::str::contains("not an audio file")),
    );
}

/// Micro-averaged F1 printed by `kuulas rubric eval DIR`.
fn micro_f1(dir: &str) -> f64 {
    let out = kuulas()
        .args(["rubric", "eval", dir])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("micro-average"))
        .expect("micro-average line");
    line.split_whitespace()
        .last()
        .and_then(|f| f.parse().ok())
        .expect("F1 number")
}

#[test]
fn labelled_sets_reach_the_accuracy_target() {
    let dev = micro_f1("fixtures/labelled/dev");
    let heldout = micro_f1("fixtures/labelled/heldout");
    assert!(dev >= 0.9, "dev micro F1 {dev}");
    assert!(heldout >= 0.9, "held-out micro F1 {heldout}");
}

/// Whisper base's transcripts of the same calls (espeak-ng audio): far harder,
/// so the floor is what the matcher reached (dev 0.71, held-out 0.67, measured
/// once after tuning on dev only) less 0.03, to catch a regression, not to set a
/// target.
#[test]
fn asr_labelled_sets_keep_their_accuracy() {
    let dev = micro_f1("fixtures/labelled/asr/dev");
    let heldout = micro_f1("fixtures/labelled/asr/heldout");
    assert!(dev >= 0.68, "ASR dev micro F1 {dev}");
    assert!(heldout >= 0.64, "ASR held-out micro F1 {heldout}");
}

/// Word forms (`<lemma:features>`) and names in the built-in rubric hold their
/// examples with Voikko and with the fallback alike.
#[test]
fn built_in_examples_hold_with_voikko_and_with_the_fallback() {
    for setting in ["", "off"] {
        kuulas()
            .args(["rubric", "test"])
            .env("KUULAS_VOIKKO", setting)
            .assert()
            .success();
    }
}

#[test]
fn a_missing_voikko_gives_one_warning_naming_the_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let call = write(dir.path(), "call.json", CALL);
    let out = kuulas()
        .args(["score", "--json"])
        .arg(&call)
        .env("KUULAS_VOIKKO", dir.path().join("libvoikko-missing.so"))
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(
        stderr.matches("fall back to Snowball").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("libvoikko-missing.so"), "{stderr}");
    assert!(
        stderr.contains("libvoikko1"),
        "says what to install: {stderr}"
    );
}
