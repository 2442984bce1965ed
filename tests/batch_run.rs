//! `kuulas run` end to end with the fixture processor: first run, incremental
//! reruns, --force, --rescore, metadata, the run lock and fatal setup errors.

mod batch_support;

use std::path::Path;

use batch_support::{Batch, bare_run, code, stderr, touch};
use kuulas::store::{CallStatus, RunLock};

#[test]
fn first_run_scores_every_call_and_writes_its_files() {
    let b = Batch::new();
    b.call("c1.wav", "Hyvää päivää, Aino täällä");
    b.call("day/2/c2.flac", "no niin");
    b.file("day/2/c2.flac", b"fLaC\0\0\0\x22rest");
    let out = b.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = b.rows();
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["c1", "day/2/c2"]);
    assert!(rows.values().all(|r| r.status == CallStatus::Scored));
    assert_eq!(rows["c1"].scores[0].score, Some(1.0), "greeting found");
    assert_eq!(rows["day/2/c2"].scores[0].score, Some(0.0), "no greeting");
    assert_eq!(rows["c1"].duration_s, Some(9.0));
    let files = b.files();
    let name = kuulas::batch::file_name_for("day/2/c2");
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
    std::fs::write(&changed, batch_support::wav(3200)).unwrap();
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

    // Without the fixtures transcription is impossible, but rescoring reads the store.
    for f in ["a.transcript.json", "b.transcript.json"] {
        std::fs::remove_file(b.input.join(f)).unwrap();
    }
    let before = b.transcript_in_store("a");
    let out = b.run(&["--rescore"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("2 processed"), "{}", stderr(&out));
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
        "score_greeting",
        "score_closing",
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
        header.iter().position(|h| h == "score_greeting")
            < header.iter().position(|h| h == "score_closing")
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
