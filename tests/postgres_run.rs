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
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kuulas"))
        .arg("status")
        .arg("--out")
        .arg(&b.out)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("run 1"), "{text}");
    assert!(
        text.contains("done      1") && text.contains("failed    1"),
        "{text}"
    );
}

/// `kuulas run --enqueue` then one worker, with the fixture transcriber.
fn enqueue_and_work(b: &Batch, url: &str, extra: &[&str]) -> (String, String) {
    let queued = batch_support::bare_run(0)
        .args(["--enqueue", "--store", url])
        .arg("--input")
        .arg(&b.input)
        .args(extra)
        .output()
        .unwrap();
    assert!(code(&queued) <= 1, "{}", stderr(&queued));
    let worked = batch_support::bare_run(0)
        .args(["--worker", "--store", url])
        .arg("--out")
        .arg(&b.out)
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
