//! The PostgreSQL store: the shared store suite (tests/store_support), the same
//! behaviours the SQLite store is held to, plus what only it has: migrations run
//! once by racing workers, and the lock that keeps an ordinary run apart from other
//! runs and from workers.

mod postgres_support;
mod store_support;

use kuulas::store::postgres::QueuedWork;
use kuulas::store::{PostgresStore, Store, StoreError};

#[test]
fn a_call_moves_from_running_to_scored_and_a_dead_runs_calls_are_reset() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    store_support::a_call_moves_from_running_to_scored_and_a_dead_runs_calls_are_reset(|| {
        PostgresStore::connect(&db.url).unwrap()
    });
}

#[test]
fn failing_or_restarting_a_call_drops_its_earlier_results() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    store_support::failing_or_restarting_a_call_drops_its_earlier_results(&mut store);
}

#[test]
fn a_transcript_keeps_the_settings_it_was_made_with() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    store_support::a_transcript_keeps_the_settings_it_was_made_with(&mut store);
}

#[test]
fn a_renamed_call_keeps_its_transcript_and_is_scored_again() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    store_support::a_renamed_call_keeps_its_transcript_and_is_scored_again(&mut store);
}

#[test]
fn an_unfinished_force_is_remembered_until_a_run_finishes_it() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    store_support::an_unfinished_force_is_remembered_until_a_run_finishes_it(&mut store);
}

#[test]
fn a_runs_taxonomy_tells_which_taxonomy_tagged_its_calls() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    store_support::a_runs_taxonomy_tells_which_taxonomy_tagged_its_calls(&mut store);
}

#[test]
fn export_rows_follow_rubric_order_and_filter_by_run() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    store_support::export_rows_follow_rubric_order_and_filter_by_run(&mut store);
}

#[test]
fn customer_and_direction_are_kept_and_follow_a_rescore() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    store_support::customer_and_direction_are_kept_and_follow_a_rescore(&mut store);
}

/// A worker's claim carries the customer key and direction the enqueue gave.
#[test]
fn a_claimed_call_keeps_its_customer_and_direction() {
    let Some(db) = postgres_support::database("postgres_store") else {
        return;
    };
    let mut store = PostgresStore::connect(&db.url).unwrap();
    let run = store.begin_run(&store_support::new_run()).unwrap();
    let mut call = postgres_support::queued_entry("c1");
    call.metadata.customer_key = Some("tel:0123abcd".into());
    call.metadata.direction = Some("outbound".into());
    assert!(store.enqueue(run, &call, QueuedWork::Full).unwrap());
    let claim = store
        .claim("w", std::time::Duration::from_secs(60), 3)
        .unwrap()
        .expect("queued");
    assert_eq!(claim.entry.metadata, call.metadata);
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
