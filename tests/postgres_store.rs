//! The PostgreSQL store through the `Store` trait — the same behaviours as the
//! SQLite store's tests (tests/store_sqlite.rs) — plus what only it has: `kuulas
//! status` counts, migrations run once by racing workers, and the lock that keeps
//! an ordinary run apart from other runs and from workers.

mod postgres_support;

use kuulas::store::{
    CallEntry, CallMetadata, CallScores, CallStatus, DimensionScore, Fingerprint, MetricSummary,
    NewRun, PostgresStore, Store, StoreError,
};

fn new_run() -> NewRun {
    NewRun {
        started_at: "2026-11-21T22:00:00Z".into(),
        input_dir: "/calls".into(),
        kuulas_version: "test".into(),
        model_sha256: Some("m".into()),
        rubric_sha256: None,
    }
}

fn entry(id: &str) -> CallEntry {
    CallEntry {
        call_id: id.into(),
        path: format!("/calls/{id}.wav"),
        fingerprint: Fingerprint {
            size: 10,
            mtime_ns: 5,
            sha256: "ab".into(),
        },
        metadata: CallMetadata {
            agent: Some("Aino".into()),
            ..CallMetadata::default()
        },
    }
}

fn scores(dims: &[(&str, Option<f64>)]) -> CallScores {
    CallScores {
        dimensions: dims
            .iter()
            .map(|(d, s)| DimensionScore {
                dimension: d.to_string(),
                score: *s,
            })
            .collect(),
        overall: Some(0.5),
        summary: MetricSummary {
            interruptions: Some(1),
            ..MetricSummary::default()
        },
        metrics_json: "{}".into(),
        moments_json: "[]".into(),
    }
}

fn status(store: &PostgresStore, id: &str) -> CallStatus {
    store
        .known_calls()
        .unwrap()
        .into_iter()
        .find(|k| k.call_id == id)
        .unwrap()
        .status
}

#[test]
fn a_call_moves_from_running_to_scored_and_a_dead_runs_calls_are_reset() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    let run = store.begin_run(&new_run()).unwrap();
    store.mark_running(run, &entry("a")).unwrap();
    store.mark_running(run, &entry("b")).unwrap();
    store
        .save_transcript("a", r#"{"segments":[]}"#, 42.0)
        .unwrap();
    assert_eq!(status(&store, "a"), CallStatus::Transcribed);
    store
        .save_scores("a", &scores(&[("greeting", Some(1.0))]))
        .unwrap();
    assert_eq!(status(&store, "a"), CallStatus::Scored);
    drop(store); // as if killed while "b" was running

    let mut store = PostgresStore::connect(&db.url).unwrap();
    assert_eq!(store.reset_interrupted().unwrap(), 1);
    assert_eq!(status(&store, "b"), CallStatus::Pending);
    assert_eq!(status(&store, "a"), CallStatus::Scored);
    assert_eq!(
        store.transcript("a").unwrap().as_deref(),
        Some(r#"{"segments":[]}"#)
    );
    assert_eq!(store.transcript("nobody").unwrap(), None);
}

#[test]
fn failing_or_restarting_a_call_drops_its_earlier_results() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    let run = store.begin_run(&new_run()).unwrap();
    store.mark_running(run, &entry("a")).unwrap();
    store.save_transcript("a", "{}", 1.0).unwrap();
    store
        .save_scores("a", &scores(&[("greeting", Some(1.0))]))
        .unwrap();
    store
        .mark_failed(run, &entry("a"), "truncated WAV")
        .unwrap();
    assert_eq!(store.transcript("a").unwrap(), None);
    let row = store.calls(None).unwrap().rows.remove(0);
    assert_eq!(row.status, CallStatus::Failed);
    assert_eq!(row.failure_reason.as_deref(), Some("truncated WAV"));
    assert!(row.scores.is_empty() && row.overall.is_none());

    store.mark_running(run, &entry("a")).unwrap();
    let row = store.calls(None).unwrap().rows.remove(0);
    assert_eq!(
        (row.status, row.failure_reason),
        (CallStatus::Running, None)
    );
}

#[test]
fn export_rows_follow_rubric_order_and_filter_by_run() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    let first = store.begin_run(&new_run()).unwrap();
    store.mark_running(first, &entry("a")).unwrap();
    store
        .save_scores("a", &scores(&[("greeting", Some(1.0)), ("closing", None)]))
        .unwrap();
    let second = store.begin_run(&new_run()).unwrap();
    store.mark_running(second, &entry("b")).unwrap();
    store
        .save_scores(
            "b",
            &scores(&[("greeting", Some(0.0)), ("empathy", Some(0.5))]),
        )
        .unwrap();

    let all = store.calls(None).unwrap();
    assert_eq!(all.dimensions, ["greeting", "closing", "empathy"]);
    assert_eq!(all.rows.len(), 2);
    assert_eq!(all.rows[0].metadata.agent.as_deref(), Some("Aino"));
    assert_eq!(all.rows[0].summary.interruptions, Some(1));
    assert_eq!(all.rows[0].scores[1].score, None);
    let latest = store
        .calls(Some(store.latest_run().unwrap().unwrap()))
        .unwrap();
    assert_eq!(
        latest
            .rows
            .iter()
            .map(|r| r.call_id.as_str())
            .collect::<Vec<_>>(),
        ["b"]
    );
    assert_eq!(latest.dimensions, ["greeting", "empathy"]);

    let counts = store.status_counts().unwrap();
    let per_run: Vec<_> = counts
        .iter()
        .map(|c| (c.run_id, c.status, c.calls))
        .collect();
    assert_eq!(
        per_run,
        [
            (first, CallStatus::Scored, 1),
            (second, CallStatus::Scored, 1)
        ]
    );
}

#[test]
fn racing_connections_migrate_once_and_an_ordinary_run_excludes_runs_and_workers() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let url = db.url.clone();
            std::thread::spawn(move || PostgresStore::connect(&url).map(drop))
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    let mut first = PostgresStore::connect(&db.url).unwrap();
    first.lock_for_run().unwrap();
    let mut second = PostgresStore::connect(&db.url).unwrap();
    assert!(matches!(
        second.lock_for_run(),
        Err(StoreError::PostgresLocked { .. })
    ));
    // Workers share the store with each other, not with an ordinary run.
    assert!(matches!(
        second.lock_shared(),
        Err(StoreError::PostgresLocked { .. })
    ));
    drop(first); // the lock goes with the connection, as with a killed process
    // The server notices the closed connection a moment later.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut worker = PostgresStore::connect(&db.url).unwrap();
    while worker.lock_shared().is_err() {
        assert!(std::time::Instant::now() < deadline, "lock never released");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut other_worker = PostgresStore::connect(&db.url).unwrap();
    other_worker.lock_shared().unwrap();
    assert!(matches!(
        second.lock_for_run(),
        Err(StoreError::PostgresLocked { .. })
    ));
}

#[test]
fn a_bad_url_or_dead_server_is_a_clear_error_without_the_password() {
    let err = PostgresStore::connect("postgres://kuulas:s3cret@127.0.0.1:1/kuulas")
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(text.contains("connecting"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}
