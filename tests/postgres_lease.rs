//! The work queue's guarantees, driven through the store API: claims skip calls
//! others hold, a lease that is not renewed runs out and the call is taken over,
//! the worker that lost it can neither renew nor write a result (fencing), and a
//! call that keeps killing its workers is failed instead of retried forever.

mod postgres_support;

use std::thread::sleep;
use std::time::Duration;

use kuulas::store::WorkOutcome;
use kuulas::store::postgres::QueuedWork;
use kuulas::store::{
    CallScores, CallStatus, DimensionScore, Fingerprint, MetricSummary, PostgresStore, Store,
    StoreError,
};

const LEASE: Duration = Duration::from_millis(800);

fn scored(worker: &str) -> Vec<WorkOutcome> {
    let fp = Fingerprint {
        size: 10,
        mtime_ns: 5,
        sha256: "cafe".into(),
    };
    vec![
        WorkOutcome::Started(fp),
        WorkOutcome::Transcribed {
            transcript_json: format!("{{\"by\":\"{worker}\"}}"),
            duration_s: 9.0,
            transcribed_with: None,
        },
        WorkOutcome::Scored(CallScores {
            dimensions: vec![DimensionScore {
                dimension: "greeting".into(),
                score: Some(1.0),
            }],
            overall: Some(1.0),
            summary: MetricSummary::default(),
            metrics_json: "{}".into(),
            moments_json: "[]".into(),
            reason: None,
        }),
    ]
}

#[test]
fn an_expired_lease_is_taken_over_and_the_old_holder_is_fenced_out() {
    let Some(db) = postgres_support::database("postgres_lease") else {
        return;
    };
    let mut a = PostgresStore::connect(&db.url).unwrap();
    let mut b = PostgresStore::connect(&db.url).unwrap();
    postgres_support::queue(&mut a, &["c1", "c2"]);

    let held_by_a = a.claim("a", LEASE, 3).unwrap().unwrap();
    let held_by_b = b.claim("b", LEASE, 3).unwrap().unwrap();
    assert_ne!(held_by_a.entry.call_id, held_by_b.entry.call_id);
    assert!(
        b.claim("b", LEASE, 3).unwrap().is_none(),
        "both calls are held"
    );
    assert_eq!(b.queue_depth().unwrap(), (0, 2));

    // B keeps its lease alive; A stops renewing (as if it hung or died).
    for _ in 0..3 {
        sleep(LEASE / 3);
        assert!(
            b.extend_lease(&held_by_b.entry.call_id, held_by_b.claim, LEASE)
                .unwrap()
        );
    }
    let taken = b.claim("b", LEASE, 3).unwrap().expect("A's lease ran out");
    assert_eq!(taken.entry.call_id, held_by_a.entry.call_id);
    assert_eq!(taken.claim, held_by_a.claim + 1);
    assert_eq!(taken.attempts, 2);

    // A wakes up: it can neither renew nor write.
    assert!(
        !a.extend_lease(&held_by_a.entry.call_id, held_by_a.claim, LEASE)
            .unwrap()
    );
    let err = a.complete(&held_by_a, &scored("a")).unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost { .. }), "{err}");
    assert_eq!(a.transcript(&held_by_a.entry.call_id).unwrap(), None);

    b.complete(&taken, &scored("b")).unwrap();
    b.complete(&held_by_b, &scored("b")).unwrap();
    // A late retry by A still changes nothing.
    assert!(a.complete(&held_by_a, &scored("a")).is_err());

    let table = a.calls(None).unwrap();
    assert_eq!(table.rows.len(), 2);
    for row in &table.rows {
        assert_eq!(row.status, CallStatus::Scored);
        assert_eq!(row.scores.len(), 1);
        assert_eq!(
            a.transcript(&row.call_id).unwrap().as_deref(),
            Some("{\"by\":\"b\"}")
        );
    }
    assert_eq!(a.queue_depth().unwrap(), (0, 0));
    assert!(a.claim("a", LEASE, 3).unwrap().is_none());
}

#[test]
fn a_call_that_keeps_killing_workers_is_failed_not_retried_forever() {
    let Some(db) = postgres_support::database("postgres_lease") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    postgres_support::queue(&mut store, &["poison"]);
    let short = Duration::from_millis(100);
    for attempt in 1..=2 {
        let claim = store.claim("w", short, 2).unwrap().unwrap();
        assert_eq!(claim.attempts, attempt);
        sleep(short * 2); // the worker dies; nobody renews
    }
    assert!(store.claim("w", short, 2).unwrap().is_none());
    let row = store.calls(None).unwrap().rows.remove(0);
    assert_eq!(row.status, CallStatus::Failed);
    assert!(
        row.failure_reason.unwrap().contains("2 workers died"),
        "the reason says why"
    );
    assert_eq!(store.queue_depth().unwrap(), (0, 0));
}

#[test]
fn enqueue_leaves_a_call_a_live_worker_holds_alone() {
    let Some(db) = postgres_support::database("postgres_lease") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    postgres_support::queue(&mut store, &["c1"]);
    let held = store
        .claim("w", Duration::from_secs(30), 3)
        .unwrap()
        .unwrap();
    let run = store.latest_run().unwrap().unwrap();
    assert!(
        !store
            .enqueue(run, &postgres_support::queued_entry("c1"), QueuedWork::Full)
            .unwrap()
    );
    store.complete(&held, &scored("w")).unwrap();
    assert!(
        store
            .enqueue(run, &postgres_support::queued_entry("c1"), QueuedWork::Full)
            .unwrap()
    );
    assert_eq!(store.queue_depth().unwrap(), (1, 0));
}
