//! `kuulas run` against a PostgreSQL store without workers (the same batch as with
//! SQLite, through the `Store` trait), the flags that need a shared store, and
//! `kuulas status` on a SQLite store.

mod batch_support;
mod postgres_support;

use batch_support::{Batch, code, stderr};

#[test]
fn an_ordinary_run_on_postgres_is_incremental_like_sqlite() {
    let Some(db) = postgres_support::database("postgres_run") else {
        return;
    };
    let b = Batch::new();
    b.call("a.wav", "moi");
    b.call("b.wav", "no niin");
    b.file("broken.wav", b"not audio at all");
    let first = b.run(&["--store", &db.url]);
    assert_eq!(code(&first), 1, "{}", stderr(&first));
    assert!(stderr(&first).contains("2 processed"), "{}", stderr(&first));
    let second = b.run(&["--store", &db.url]);
    assert!(
        stderr(&second).contains("0 processed, 2 skipped"),
        "{}",
        stderr(&second)
    );
    let csv = std::process::Command::new(env!("CARGO_BIN_EXE_kuulas"))
        .args(["export", "--format", "csv", "--store", &db.url])
        .output()
        .unwrap();
    assert_eq!(code(&csv), 0, "{}", stderr(&csv));
    let text = String::from_utf8_lossy(&csv.stdout);
    assert_eq!(text.lines().count(), 4, "header and three calls:\n{text}");
    assert!(text.contains("broken,") && text.contains(",failed,"));
}

#[test]
fn enqueue_and_worker_refuse_a_sqlite_store() {
    let b = Batch::new();
    b.call("a.wav", "moi");
    let store = b.dir.path().join("k.sqlite");
    let out = b.run(&["--enqueue", "--store", store.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("postgres://"), "{}", stderr(&out));
}

#[test]
fn status_counts_a_sqlite_stores_runs() {
    let b = Batch::new();
    b.call("a.wav", "moi");
    b.file("broken.wav", b"");
    b.run(&[]);
    let status = |flag: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kuulas"))
            .arg("status")
            .arg(flag)
            .arg(&b.out)
            .output()
            .unwrap()
    };
    let out = status("--run-dir");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("run 1"), "{text}");
    assert!(
        text.contains("done      1") && text.contains("failed    1"),
        "{text}"
    );
    // The old name still works for a release, unlisted.
    assert_eq!(status("--out").stdout, out.stdout);
    for command in ["status", "export"] {
        let help = std::process::Command::new(env!("CARGO_BIN_EXE_kuulas"))
            .args([command, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&help.stdout);
        assert!(
            help.contains("--run-dir") && !help.contains("--out "),
            "{help}"
        );
    }
}

/// `kuulas run --enqueue` then one worker, with the fixture transcriber.
fn enqueue_and_work(b: &Batch, url: &str, extra: &[&str]) -> (String, String) {
    enqueue_and_work_with(b, url, extra, &[])
}

/// [`enqueue_and_work`] with `worker_args` for the worker.
fn enqueue_and_work_with(
    b: &Batch,
    url: &str,
    extra: &[&str],
    worker_args: &[&str],
) -> (String, String) {
    let queued = b.enqueue(url, extra);
    assert!(code(&queued) <= 1, "{}", stderr(&queued));
    let worked = batch_support::bare_run(0)
        .args(["--worker", "--store", url])
        .arg("--out")
        .arg(&b.out)
        .args(worker_args)
        .output()
        .unwrap();
    assert!(code(&worked) <= 1, "{}", stderr(&worked));
    (stderr(&queued), stderr(&worked))
}

#[test]
fn workers_follow_the_incremental_plan_touched_changed_and_rescored_calls() {
    let Some(db) = postgres_support::database("postgres_run") else {
        return;
    };
    let b = Batch::new();
    let touched = b.call("a.wav", "moi");
    let changed = b.call("b.wav", "moi");
    b.call("c.wav", "moi");
    let (queued, worked) = enqueue_and_work(&b, &db.url, &[]);
    assert!(queued.contains("3 queued"), "{queued}");
    assert!(worked.contains("3 processed"), "{worked}");

    batch_support::touch(&touched, 60); // same bytes, new mtime
    batch_support::alter(&changed);
    let (queued, worked) = enqueue_and_work(&b, &db.url, &[]);
    assert!(queued.contains("2 queued, 1 skipped"), "{queued}");
    assert!(worked.contains("1 processed, 1 unchanged"), "{worked}");

    let (queued, worked) = enqueue_and_work(&b, &db.url, &["--rescore"]);
    assert!(queued.contains("3 queued"), "{queued}");
    assert!(worked.contains("3 processed"), "{worked}");
    let store = kuulas::store::PostgresStore::connect(&db.url).unwrap();
    use kuulas::store::Store;
    for row in store.calls(None).unwrap().rows {
        assert_eq!(
            row.status,
            kuulas::store::CallStatus::Scored,
            "{}",
            row.call_id
        );
        assert_eq!(row.scores.len(), batch_support::dimensions().len());
    }
}

#[test]
fn workers_record_the_transcription_settings_as_a_local_run_does() {
    let Some(db) = postgres_support::database("postgres_run") else {
        return;
    };
    let local = Batch::new();
    local.call("a.wav", "moi");
    assert_eq!(code(&local.run(&[])), 0);
    use kuulas::store::Store;
    let local_store = kuulas::store::SqliteStore::open_existing(&local.store_path()).unwrap();
    let expected = local_store.known_calls().unwrap()[0]
        .transcribed_with
        .clone();
    assert!(expected.is_some(), "a local run records its settings");

    let b = Batch::new();
    b.call("a.wav", "moi");
    b.call("b.wav", "moi");
    enqueue_and_work(&b, &db.url, &[]);
    let store = kuulas::store::PostgresStore::connect(&db.url).unwrap();
    let known = store.known_calls().unwrap();
    assert_eq!(known.len(), 2);
    for call in known {
        assert_eq!(call.transcribed_with, expected, "{}", call.call_id);
    }
    // So a rerun with other settings knows the stored calls are out of date.
    let window = ["--window", "20"];
    let (queued, worked) = enqueue_and_work_with(&b, &db.url, &window, &window);
    assert!(queued.contains("2 queued, 0 skipped"), "{queued}");
    assert!(worked.contains("2 processed"), "{worked}");
    let (queued, _) = enqueue_and_work_with(&b, &db.url, &window, &window);
    assert!(queued.contains("0 queued, 2 skipped"), "{queued}");
}
