//! The SQLite store: the shared store suite (tests/store_support) — the status
//! life cycle, resetting calls a dead run left in progress, results dropped with a
//! failure, export rows filtered by run — plus refusing to invent a store for
//! exports.

mod store_support;

use kuulas::store::{SqliteStore, StoreError};

#[test]
fn a_call_moves_from_running_to_scored_and_a_dead_runs_calls_are_reset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.sqlite");
    store_support::a_call_moves_from_running_to_scored_and_a_dead_runs_calls_are_reset(|| {
        SqliteStore::open(&path).unwrap()
    });
}

#[test]
fn failing_or_restarting_a_call_drops_its_earlier_results() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("k.sqlite")).unwrap();
    store_support::failing_or_restarting_a_call_drops_its_earlier_results(&mut store);
}

#[test]
fn a_transcript_keeps_the_settings_it_was_made_with() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("k.sqlite")).unwrap();
    store_support::a_transcript_keeps_the_settings_it_was_made_with(&mut store);
}

#[test]
fn a_renamed_call_keeps_its_transcript_and_is_scored_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("k.sqlite")).unwrap();
    store_support::a_renamed_call_keeps_its_transcript_and_is_scored_again(&mut store);
}

#[test]
fn an_unfinished_force_is_remembered_until_a_run_finishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("k.sqlite")).unwrap();
    store_support::an_unfinished_force_is_remembered_until_a_run_finishes_it(&mut store);
}

#[test]
fn export_rows_follow_rubric_order_and_filter_by_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("k.sqlite")).unwrap();
    store_support::export_rows_follow_rubric_order_and_filter_by_run(&mut store);
}

#[test]
fn a_runs_taxonomy_tells_which_taxonomy_tagged_its_calls() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("k.sqlite")).unwrap();
    store_support::a_runs_taxonomy_tells_which_taxonomy_tagged_its_calls(&mut store);
}

#[test]
fn export_never_creates_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.sqlite");
    assert!(matches!(
        SqliteStore::open_existing(&path),
        Err(StoreError::Missing { .. })
    ));
    assert!(!path.exists());
}

#[test]
fn customer_and_direction_are_kept_and_follow_a_rescore() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("k.sqlite")).unwrap();
    store_support::customer_and_direction_are_kept_and_follow_a_rescore(&mut store);
}
