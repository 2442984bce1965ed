//! What every store must do alike, through the `Store` trait: one suite, run
//! against SQLite (tests/store_sqlite.rs) and PostgreSQL (tests/postgres_store.rs).
#![allow(dead_code)] // each test file uses a different part of the harness

use kuulas::store::{
    CallEntry, CallMetadata, CallScores, CallStatus, DimensionScore, Fingerprint, KnownCall,
    MetricSummary, NewRun, RunTotals, Store, TaggedWith, TaxonomyStamp,
};

pub fn new_run() -> NewRun {
    NewRun {
        started_at: "2026-11-21T22:00:00Z".into(),
        input_dir: "/calls".into(),
        kuulas_version: "test".into(),
        model_sha256: Some("m".into()),
        rubric_sha256: None,
        taxonomy: None,
    }
}

fn taxonomy(sha256: &str) -> TaxonomyStamp {
    TaxonomyStamp {
        id: "reasons".into(),
        version: "1".into(),
        sha256: sha256.into(),
    }
}

/// Issue 21: each run records the taxonomy it tags with; the scored calls are
/// counted by their run's taxonomy (a run from before: not recorded), and a
/// retag records its taxonomy on the runs of every scored call.
pub fn a_runs_taxonomy_tells_which_taxonomy_tagged_its_calls(store: &mut dyn Store) {
    let old = store.begin_run(&new_run()).unwrap();
    let tagged = store
        .begin_run(&NewRun {
            taxonomy: Some(taxonomy("t1")),
            ..new_run()
        })
        .unwrap();
    for (run, id) in [(old, "a"), (tagged, "b"), (tagged, "c"), (tagged, "d")] {
        store.mark_running(run, &entry(id)).unwrap();
        store.save_transcript(id, "{}", 1.0, None).unwrap();
        store.save_scores(id, &scores(&[])).unwrap();
    }
    store.mark_failed(tagged, &entry("d"), "bad").unwrap();
    let with = |t: Option<TaxonomyStamp>, calls| TaggedWith { taxonomy: t, calls };
    assert_eq!(
        store.tagged_with().unwrap(),
        [with(Some(taxonomy("t1")), 2), with(None, 1)]
    );
    store.retagged_with(&taxonomy("t2")).unwrap();
    assert_eq!(
        store.tagged_with().unwrap(),
        [with(Some(taxonomy("t2")), 3)]
    );
}

pub fn entry(id: &str) -> CallEntry {
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

pub fn scores(dims: &[(&str, Option<f64>)]) -> CallScores {
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
        reason: None,
    }
}

pub fn status(store: &dyn Store, id: &str) -> CallStatus {
    known(store, id).status
}

pub fn known(store: &dyn Store, id: &str) -> KnownCall {
    store
        .known_calls()
        .unwrap()
        .into_iter()
        .find(|k| k.call_id == id)
        .unwrap_or_else(|| panic!("no call {id}"))
}

/// Issue 20, defect 7: each transcript keeps the settings it was made with, and
/// the planner sees them with the call's path and last run.
pub fn a_transcript_keeps_the_settings_it_was_made_with(store: &mut dyn Store) {
    let run = store.begin_run(&new_run()).unwrap();
    store.mark_running(run, &entry("a")).unwrap();
    store.mark_running(run, &entry("b")).unwrap();
    let settings = r#"{"window_s":28.0}"#;
    store
        .save_transcript("a", "{}", 1.0, Some(settings))
        .unwrap();
    store.save_transcript("b", "{}", 1.0, None).unwrap();
    let a = known(store, "a");
    assert_eq!(a.transcribed_with.as_deref(), Some(settings));
    assert_eq!((a.path.as_str(), a.run_id), ("/calls/a.wav", run));
    assert_eq!(known(store, "b").transcribed_with, None);
}

/// Issue 20, defect 7: a call renamed (the manifest now names it) keeps its
/// transcript and settings under the new id, loses its scores, and waits to be
/// scored again; the old id is gone.
pub fn a_renamed_call_keeps_its_transcript_and_is_scored_again(store: &mut dyn Store) {
    let run = store.begin_run(&new_run()).unwrap();
    store.mark_running(run, &entry("a")).unwrap();
    store
        .save_transcript("a", "{\"t\":1}", 9.0, Some("{}"))
        .unwrap();
    store
        .save_scores("a", &scores(&[("greeting", Some(1.0))]))
        .unwrap();
    store.rename_call("a", "CALL-1").unwrap();
    let calls = store.known_calls().unwrap();
    assert_eq!(calls.len(), 1, "no second row");
    assert_eq!(calls[0].call_id, "CALL-1");
    assert_eq!(calls[0].status, CallStatus::Transcribed);
    assert_eq!(calls[0].transcribed_with.as_deref(), Some("{}"));
    assert_eq!(
        store.transcript("CALL-1").unwrap().as_deref(),
        Some("{\"t\":1}")
    );
    let row = store.calls(None).unwrap().rows.remove(0);
    assert!(row.scores.is_empty() && row.overall.is_none());
    store
        .save_scores("CALL-1", &scores(&[("greeting", Some(0.5))]))
        .unwrap();
    assert_eq!(status(store, "CALL-1"), CallStatus::Scored);
}

/// Issue 20, defect 7: a `--force` run that never finished stays pending — also
/// through a resuming run that was killed too — until a run carrying it finishes;
/// a newer `--force` replaces an older one.
pub fn an_unfinished_force_is_remembered_until_a_run_finishes_it(store: &mut dyn Store) {
    assert_eq!(store.unfinished_force().unwrap(), None);
    let plain = store.begin_run(&new_run()).unwrap();
    store.finish_run(plain, &RunTotals::default()).unwrap();
    assert_eq!(store.unfinished_force().unwrap(), None);
    let forced = store.begin_run(&new_run()).unwrap();
    store.mark_forced(forced, forced).unwrap();
    assert_eq!(store.unfinished_force().unwrap(), Some(forced), "killed");
    let resuming = store.begin_run(&new_run()).unwrap();
    store.mark_forced(resuming, forced).unwrap();
    assert_eq!(
        store.unfinished_force().unwrap(),
        Some(forced),
        "killed too"
    );
    let finishing = store.begin_run(&new_run()).unwrap();
    store.mark_forced(finishing, forced).unwrap();
    store.finish_run(finishing, &RunTotals::default()).unwrap();
    assert_eq!(store.unfinished_force().unwrap(), None);
    let newer = store.begin_run(&new_run()).unwrap();
    store.mark_forced(newer, newer).unwrap();
    assert_eq!(store.unfinished_force().unwrap(), Some(newer));
}

/// A call moves from running to transcribed to scored; the calls a dead run left
/// running are reset when the store is opened again (`reopen`), results kept.
pub fn a_call_moves_from_running_to_scored_and_a_dead_runs_calls_are_reset<S: Store>(
    reopen: impl Fn() -> S,
) {
    let mut store = reopen();
    let run = store.begin_run(&new_run()).unwrap();
    store.mark_running(run, &entry("a")).unwrap();
    store.mark_running(run, &entry("b")).unwrap();
    store
        .save_transcript("a", r#"{"segments":[]}"#, 42.0, None)
        .unwrap();
    assert_eq!(status(&store, "a"), CallStatus::Transcribed);
    store
        .save_scores("a", &scores(&[("greeting", Some(1.0))]))
        .unwrap();
    assert_eq!(status(&store, "a"), CallStatus::Scored);
    drop(store); // as if killed while "b" was running

    let mut store = reopen();
    assert_eq!(store.reset_interrupted().unwrap(), 1);
    assert_eq!(status(&store, "b"), CallStatus::Pending);
    assert_eq!(status(&store, "a"), CallStatus::Scored);
    assert_eq!(
        store.transcript("a").unwrap().as_deref(),
        Some(r#"{"segments":[]}"#)
    );
    assert_eq!(store.transcript("nobody").unwrap(), None);
}

pub fn failing_or_restarting_a_call_drops_its_earlier_results(store: &mut dyn Store) {
    let run = store.begin_run(&new_run()).unwrap();
    store.mark_running(run, &entry("a")).unwrap();
    store.save_transcript("a", "{}", 1.0, Some("{}")).unwrap();
    store
        .save_scores("a", &scores(&[("greeting", Some(1.0))]))
        .unwrap();
    store
        .mark_failed(run, &entry("a"), "truncated WAV")
        .unwrap();
    assert_eq!(
        known(store, "a").transcribed_with,
        None,
        "dropped with the transcript"
    );
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

/// Export rows: dimensions in the rubric's order, filtered by run, and the status
/// counts `kuulas status` shows per run.
pub fn export_rows_follow_rubric_order_and_filter_by_run(store: &mut dyn Store) {
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

/// Issue 21: the customer key and the direction are kept with the call, read back
/// with it, and replaced by a rescore that brings new metadata.
pub fn customer_and_direction_are_kept_and_follow_a_rescore(store: &mut dyn Store) {
    let run = store.begin_run(&new_run()).unwrap();
    let mut call = entry("c1");
    call.metadata.customer_key = Some("tel:0123abcd".into());
    call.metadata.direction = Some("inbound".into());
    store.mark_running(run, &call).unwrap();
    store.save_transcript("c1", "{}", 1.0, None).unwrap();
    let read = |store: &dyn Store| store.calls(None).unwrap().rows[0].metadata.clone();
    assert_eq!(read(store), call.metadata);

    call.metadata.customer_key = Some("A-17".into());
    call.metadata.direction = Some("outbound".into());
    store.mark_rescoring(run, &call).unwrap();
    assert_eq!(read(store), call.metadata);
}
