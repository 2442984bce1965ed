//! What a rerun of `kuulas run` redoes (issue 20, defect 7): it finishes a
//! `--force` run that was killed, transcribes stored calls again when the
//! transcription settings changed (and says which), and keeps the transcripts of
//! calls a newly added manifest renames instead of transcribing them twice.

mod batch_support;

use std::time::{Duration, Instant};

use batch_support::{Batch, code, stderr};
use kuulas::store::{CallStatus, SqliteStore, Store};

/// How many calls the store says `run` has scored.
fn scored_in(b: &Batch, run: i64) -> usize {
    let Ok(store) = SqliteStore::open_existing(&b.store_path()) else {
        return 0;
    };
    store.calls(None).map_or(0, |t| {
        t.rows
            .iter()
            .filter(|r| r.run_id == run && r.status == CallStatus::Scored)
            .count()
    })
}

#[cfg(unix)]
#[test]
fn a_plain_rerun_finishes_a_killed_force_run() {
    let b = Batch::new();
    for i in 0..6 {
        b.call(&format!("c{i}.wav"), "moi");
    }
    assert_eq!(code(&b.run(&[])), 0);
    let first = b.rows()["c0"].run_id;

    let mut forced = b
        .command(400)
        .args(["--force", "--jobs", "1"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while scored_in(&b, first + 1) < 2 {
        assert!(
            Instant::now() < deadline,
            "the --force run made no progress"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    forced.kill().unwrap();
    forced.wait().unwrap();
    let killed = b.rows();
    assert!(
        killed.values().any(|r| r.run_id == first),
        "the kill came too late to leave calls of the first run"
    );

    let out = b.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = b.rows();
    for (id, row) in &rows {
        assert!(
            row.run_id > first && row.status == CallStatus::Scored,
            "{id} was left with the result of run {} (first run {first})",
            row.run_id
        );
    }
    assert!(
        stderr(&out).contains(&format!("--force of run {}", first + 1)),
        "{}",
        stderr(&out)
    );
    // Finished: the next plain rerun redoes nothing.
    let out = b.run(&[]);
    assert!(
        stderr(&out).contains("0 processed, 6 skipped"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn changed_transcription_settings_redo_stored_calls_and_say_why() {
    let b = Batch::new();
    b.call("a.wav", "moi");
    b.call("b.wav", "moi");
    assert_eq!(code(&b.run(&[])), 0);
    let out = b.run(&["--window", "20"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("2 processed, 0 skipped"), "{err}");
    assert!(
        err.contains("2 stored calls transcribed again") && err.contains("window_s 28.0 → 20.0"),
        "{err}"
    );
    let out = b.run(&["--window", "20"]);
    assert!(
        stderr(&out).contains("0 processed, 2 skipped"),
        "{}",
        stderr(&out)
    );
    // The prompt shapes the transcript too.
    let out = b.run(&["--window", "20", "--prompt", "Asiakaspalvelu."]);
    assert!(
        stderr(&out).contains("2 processed") && stderr(&out).contains("prompt_sha256"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_manifest_added_after_a_first_run_renames_calls_without_transcribing_again() {
    let b = Batch::new();
    b.call("day/a.wav", "Hyvää päivää");
    b.call("day/b.wav", "Hyvää päivää");
    assert_eq!(code(&b.run(&[])), 0);
    let before = b.transcript_in_store("day/a").unwrap();
    // Were the calls transcribed again, the new fixture would show.
    b.file(
        "day/a.transcript.json",
        batch_support::transcript(batch_support::CALL, "no niin hei").as_bytes(),
    );
    b.file(
        "manifest.csv",
        b"path,call_id,agent\nday/a.wav,CALL-1,Aino\nday/b.wav,CALL-2,Eero\n",
    );
    let out = b.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = b.rows();
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["CALL-1", "CALL-2"]);
    assert_eq!(b.transcript_in_store("CALL-1").unwrap(), before);
    assert_eq!(rows["CALL-1"].metadata.agent.as_deref(), Some("Aino"));
    assert!(rows.values().all(|r| r.status == CallStatus::Scored));
    let files = b.files();
    assert_eq!(files.len(), 4, "{:?}", files.keys());
    let name = kuulas::names::file_name_for("CALL-1");
    let score: serde_json::Value =
        serde_json::from_slice(&files[&format!("{name}.score.json")]).unwrap();
    assert_eq!(score["call_id"], "CALL-1");
    assert!(
        stderr(&out).contains("2 stored calls renamed"),
        "{}",
        stderr(&out)
    );
}
