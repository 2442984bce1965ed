//! `kuulas run` end to end through the production pipeline (only Whisper is
//! replaced by transcript files): first run, incremental reruns, --force,
//! --rescore, metadata, the run lock and fatal setup errors.

mod batch_support;

use std::path::Path;

use batch_support::{Batch, bare_run, code, dimensions, stderr, touch};
use kuulas::store::{CallRow, CallStatus, RunLock};

fn score(row: &CallRow, dimension: &str) -> f64 {
    row.scores
        .iter()
        .find(|s| s.dimension == dimension)
        .and_then(|s| s.score)
        .unwrap_or_else(|| panic!("{} has no {dimension} score", row.call_id))
}

#[test]
fn first_run_scores_every_call_and_writes_its_files() {
    let b = Batch::new();
    let c1 = b.call("c1.wav", "Hyvää päivää, Kuulas Energia, Aino puhelimessa.");
    b.call("day/2/c2.mp3", "No.");
    let out = b.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = b.rows();
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["c1", "day/2/c2"]);
    assert!(rows.values().all(|r| r.status == CallStatus::Scored));
    let scored: Vec<&str> = rows["c1"]
        .scores
        .iter()
        .map(|s| s.dimension.as_str())
        .collect();
    assert_eq!(
        scored,
        dimensions(),
        "the built-in rubric's dimensions, in order"
    );
    assert!(
        score(&rows["c1"], "warmth") > score(&rows["day/2/c2"], "warmth"),
        "the greeting and introduction count: {:?} vs {:?}",
        rows["c1"].scores,
        rows["day/2/c2"].scores
    );
    let seconds = batch_support::duration(&c1);
    assert!(seconds > 30.0, "the whole fixture call: {seconds} s");
    assert_eq!(
        rows["c1"].duration_s,
        Some(seconds),
        "measured from the audio"
    );
    let files = b.files();
    let name = kuulas::names::file_name_for("day/2/c2");
    let score: serde_json::Value =
        serde_json::from_slice(&files[&format!("{name}.score.json")]).unwrap();
    assert_eq!(score["call_id"], "day/2/c2");
    assert_eq!(
        score["schema_version"],
        kuulas::batch::SCORE_FILE_SCHEMA_VERSION
    );
    assert!(files.contains_key("c1.transcript.json"));
    assert_eq!(files.len(), 4, "{:?}", files.keys());
}

#[test]
fn rerun_processes_only_new_and_changed_recordings() {
    let b = Batch::new();
    let touched = b.call("a.wav", "moi");
    let changed = b.call("b.wav", "moi");
    b.call("c.wav", "moi");
    assert_eq!(code(&b.run(&[])), 0);
    let first = b.rows();

    touch(&touched, 100); // same content, new mtime: hash confirms, not reprocessed
    batch_support::alter(&changed);
    b.call("d.wav", "moi");
    let out = b.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = b.rows();
    let latest = rows["d"].run_id;
    assert!(latest > first["a"].run_id);
    assert_eq!(rows["a"].run_id, first["a"].run_id, "touched but unchanged");
    assert_eq!(rows["b"].run_id, latest, "content changed");
    assert_eq!(rows["c"].run_id, first["c"].run_id, "untouched");
    assert!(
        stderr(&out).contains("2 processed, 2 skipped"),
        "{}",
        stderr(&out)
    );

    // A third run has nothing to do, and the touched file is not rehashed again.
    let out = b.run(&[]);
    assert!(
        stderr(&out).contains("0 processed, 4 skipped"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn force_reprocesses_everything_and_rescore_needs_no_transcription() {
    let b = Batch::new();
    b.call("a.wav", "moi");
    b.call("b.wav", "hei");
    assert_eq!(code(&b.run(&[])), 0);
    let out = b.run(&["--force"]);
    assert!(
        stderr(&out).contains("2 processed, 0 skipped"),
        "{}",
        stderr(&out)
    );

    // Without the transcript files transcription is impossible, but rescoring reads the store.
    for f in ["a.transcript.json", "b.transcript.json"] {
        std::fs::remove_file(b.input.join(f)).unwrap();
    }
    let before = b.transcript_in_store("a");
    let score_file = |files: &std::collections::BTreeMap<String, Vec<u8>>| {
        let score: serde_json::Value = serde_json::from_slice(&files["a.score.json"]).unwrap();
        score
    };
    let scored = score_file(&b.files());
    assert!(
        scored["metrics"]["loudness"]["agent"][0].is_number(),
        "loudness measured from the audio: {}",
        scored["metrics"]
    );
    let out = b.run(&["--rescore"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("2 processed"), "{}", stderr(&out));
    assert_eq!(
        score_file(&b.files()),
        scored,
        "the stored transcript and loudness score as the audio did"
    );
    let rows = b.rows();
    assert!(
        rows.values()
            .all(|r| r.status == CallStatus::Scored && r.run_id == rows["a"].run_id)
    );
    assert_eq!(b.transcript_in_store("a"), before);
    assert_eq!(
        code(&b.run(&["--force"])),
        1,
        "--force must transcribe again and fail"
    );
}

#[test]
fn manifest_and_sidecar_metadata_reach_the_store_and_the_call_id() {
    let b = Batch::new();
    b.call("x/rec1.wav", "moi");
    b.call("rec2.wav", "moi");
    b.file(
        "manifest.csv",
        b"path,call_id,agent,team,queue\nx/rec1.wav,CALL-1,Aino,Myynti,laskutus\n",
    );
    b.file(
        "rec2.meta.json",
        br#"{"call_id": "CALL-2", "agent": "Eero", "started_at": "2026-11-21T09:30:00+02:00"}"#,
    );
    let out = b.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = b.rows();
    assert_eq!(rows["CALL-1"].metadata.team.as_deref(), Some("Myynti"));
    assert_eq!(rows["CALL-2"].metadata.agent.as_deref(), Some("Eero"));
    assert_eq!(
        rows["CALL-2"].metadata.started_at.as_deref(),
        Some("2026-11-21T09:30:00+02:00")
    );
}

#[test]
fn a_broken_manifest_is_fatal_before_any_work() {
    let b = Batch::new();
    b.call("a.wav", "moi");
    b.file("manifest.csv", b"path,agnet\na.wav,Aino\n");
    let out = b.run(&[]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("agnet"), "{}", stderr(&out));
    assert!(b.files().is_empty());
}

#[test]
fn second_runner_on_the_same_store_exits_at_once_with_code_2() {
    let b = Batch::new();
    b.call("a.wav", "moi");
    std::fs::create_dir_all(&b.out).unwrap();
    let lock = RunLock::acquire(&b.store_path()).unwrap();
    let out = b.run(&[]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("another kuulas run"),
        "{}",
        stderr(&out)
    );
    drop(lock);
    assert_eq!(code(&b.run(&[])), 0);
}

#[test]
fn unusable_input_output_or_store_is_fatal_before_any_work() {
    let b = Batch::new();
    b.call("a.wav", "moi");
    let blocker = b.dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"").unwrap();

    let run = |input: &Path, out: &Path, store: Option<&Path>| {
        let mut cmd = bare_run(0);
        cmd.arg("--input").arg(input).arg("--out").arg(out);
        if let Some(store) = store {
            cmd.arg("--store").arg(store);
        }
        cmd.output().unwrap()
    };
    let out = run(&b.input, &blocker.join("out"), None);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("output directory"),
        "{}",
        stderr(&out)
    );

    let out = run(&b.input, &b.out, Some(&blocker.join("s.sqlite")));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(b.files().is_empty(), "nothing processed");

    let out = run(&b.dir.path().join("missing"), &b.out, None);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("not a directory"), "{}", stderr(&out));
}

#[test]
fn export_writes_one_row_per_call_with_stable_columns() {
    let b = Batch::new();
    b.call("a.wav", "moi");
    b.call("b.wav", "no niin");
    b.file("c.wav", b"");
    assert_eq!(code(&b.run(&[])), 1);
    let out = b.export(&["--format", "csv"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let mut csv = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "call_id",
        "status",
        "failure_reason",
        "score_warmth",
        "score_ownership",
        "score_overall",
        "talk_ratio_agent",
        "interruptions",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "{column} missing from {header:?}"
        );
    }
    assert!(
        header.iter().position(|h| h == "score_warmth")
            < header.iter().position(|h| h == "score_ownership"),
        "rubric order: {header:?}"
    );
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let status = header.iter().position(|h| h == "status").unwrap();
    assert_eq!(&rows[2][status], "failed");

    let file = b.dir.path().join("latest.jsonl");
    let out = b.export(&[
        "--format",
        "jsonl",
        "--run",
        "latest",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 3);
    let out = b.export(&["--format", "csv", "--run", "nope"]);
    assert_eq!(code(&out), 2);
}
