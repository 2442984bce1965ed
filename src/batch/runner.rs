//! The orchestrator: a loop on the caller's thread that starts at most `jobs`
//! calls at a time, each on a thread of its own (so at most `jobs` recordings are
//! decoded at once), receives their events over a channel and applies them to the
//! store — the loop is the store's only writer, so writes are serialised without
//! locks. Store writes are short single transactions; the heavy work never runs
//! on this thread. No async runtime is involved.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::sync::mpsc::{self, RecvTimeoutError};

use super::BatchError;
use super::job::{self, Event, Job, JobContext, Work};
use super::outputs::CallFiles;
use super::plan::{Action, PlannedCall};
use super::processor::CallInput;
use super::report::{CallOutcome, FailedCall, Progress, Reporter};
use crate::store::{
    CallEntry, CallStatus, Fingerprint, NO_SPEECH, RunId, Store, StoreError, WorkOutcome,
    shown_status,
};

const TICK: Duration = Duration::from_secs(1);

/// The orchestrator's view of a run in progress.
pub(super) struct State<'a> {
    pub store: &'a mut dyn Store,
    pub reporter: &'a dyn Reporter,
    pub run_id: RunId,
    pub calls_dir: PathBuf,
    pub calls: Vec<PlannedCall>,
    /// The latest known fingerprint of each planned call.
    fingerprints: Vec<Fingerprint>,
    in_flight: BTreeMap<usize, String>,
    started: Instant,
    pub total: usize,
    pub done: usize,
    pub processed: usize,
    pub skipped: usize,
    pub audio_seconds: f64,
    pub failed: Vec<FailedCall>,
}

impl<'a> State<'a> {
    pub fn new(
        store: &'a mut dyn Store,
        reporter: &'a dyn Reporter,
        run_id: RunId,
        calls_dir: PathBuf,
        calls: Vec<PlannedCall>,
    ) -> State<'a> {
        let fingerprints = calls.iter().map(initial_fingerprint).collect();
        let skipped = calls.iter().filter(|c| c.action == Action::Skip).count();
        State {
            store,
            reporter,
            run_id,
            calls_dir,
            total: calls.len() - skipped,
            calls,
            fingerprints,
            in_flight: BTreeMap::new(),
            started: Instant::now(),
            done: 0,
            processed: 0,
            skipped,
            audio_seconds: 0.0,
            failed: Vec::new(),
        }
    }

    pub fn progress(&self) -> Progress {
        Progress {
            total: self.total,
            done: self.done,
            failed: self.failed.len(),
            audio_seconds: self.audio_seconds,
            elapsed: self.started.elapsed(),
            in_flight: self.in_flight.values().cloned().collect(),
        }
    }

    fn entry(&self, index: usize) -> CallEntry {
        let call = &self.calls[index];
        CallEntry {
            call_id: call.call_id.clone(),
            path: call.path_text.clone(),
            fingerprint: self.fingerprints[index].clone(),
            metadata: call.metadata.clone(),
        }
    }

    /// Builds the job for a call, reading a stored transcript where it needs one.
    fn job(&self, index: usize) -> Result<Job, StoreError> {
        let call = &self.calls[index];
        let stored = || self.store.transcript(&call.call_id);
        let work = match &call.action {
            Action::ScoreOnly { .. } => match stored()? {
                Some(transcript) => Work::ScoreOnly { transcript },
                None => Work::Full,
            },
            Action::Verify { sha256, then_score } => Work::Verify {
                sha256: sha256.clone(),
                stored_transcript: if *then_score { stored()? } else { None },
            },
            _ => Work::Full,
        };
        let input = CallInput {
            call_id: call.call_id.clone(),
            path: call.path.clone(),
            metadata: call.metadata.clone(),
        };
        Ok(Job {
            index,
            input,
            path_text: call.path_text.clone(),
            size: call.size,
            mtime_ns: call.mtime_ns,
            work,
        })
    }

    /// Applies one event to the store; true when it ends the call's work.
    fn apply(&mut self, event: Event) -> Result<bool, StoreError> {
        let index = event.index;
        match event.outcome {
            WorkOutcome::Started(fingerprint) => {
                self.fingerprints[index] = fingerprint;
                self.store.mark_running(self.run_id, &self.entry(index))?;
                Ok(false)
            }
            WorkOutcome::Unchanged {
                fingerprint,
                then_score,
            } => {
                self.store
                    .refresh_fingerprint(&self.calls[index].call_id, &fingerprint)?;
                self.fingerprints[index] = fingerprint;
                if !then_score {
                    self.skipped += 1;
                    self.finish(index, CallOutcome::Unchanged);
                }
                Ok(!then_score)
            }
            WorkOutcome::Rescoring => {
                self.store.mark_rescoring(self.run_id, &self.entry(index))?;
                Ok(false)
            }
            WorkOutcome::Transcribed {
                transcript_json,
                duration_s,
                transcribed_with,
            } => {
                self.store.save_transcript(
                    &self.calls[index].call_id,
                    &transcript_json,
                    duration_s,
                    transcribed_with.as_deref(),
                )?;
                self.audio_seconds += duration_s;
                Ok(false)
            }
            WorkOutcome::Scored(scores) => {
                self.store
                    .save_scores(&self.calls[index].call_id, &scores)?;
                self.processed += 1;
                let shown = shown_status(CallStatus::Scored, scores.overall, &scores.dimensions);
                let outcome = if shown == NO_SPEECH {
                    CallOutcome::NoSpeech
                } else {
                    CallOutcome::Scored
                };
                self.finish(index, outcome);
                Ok(true)
            }
            WorkOutcome::Failed {
                fingerprint,
                reason,
            } => {
                if let Some(fingerprint) = fingerprint {
                    self.fingerprints[index] = fingerprint;
                }
                self.fail(index, reason)?;
                Ok(true)
            }
        }
    }

    /// Records a failure: the call's old outputs go first, then the store row.
    fn fail(&mut self, index: usize, reason: String) -> Result<(), StoreError> {
        let call = &self.calls[index];
        // Stage errors usually name the file already.
        if reason.contains(&call.path_text) {
            tracing::warn!("{reason}");
        } else {
            tracing::warn!("{}: {reason}", call.path_text);
        }
        if let Err(e) = CallFiles::new(&self.calls_dir, &call.call_id).remove_all() {
            tracing::warn!(
                "{}: cannot remove outputs of a failed call: {e}",
                call.path_text
            );
        }
        self.store
            .mark_failed(self.run_id, &self.entry(index), &reason)?;
        let call = &self.calls[index];
        self.failed.push(FailedCall {
            call_id: call.call_id.clone(),
            path: call.path_text.clone(),
            reason: reason.clone(),
        });
        self.finish(index, CallOutcome::Failed { reason });
        Ok(())
    }

    fn finish(&mut self, index: usize, outcome: CallOutcome) {
        self.in_flight.remove(&index);
        self.done += 1;
        let progress = self.progress();
        self.reporter
            .call_finished(&self.calls[index].call_id, &outcome, &progress);
    }
}

fn initial_fingerprint(call: &PlannedCall) -> Fingerprint {
    let sha256 = match &call.action {
        Action::ScoreOnly { sha256 } => sha256.clone(),
        _ => String::new(),
    };
    Fingerprint {
        size: call.size,
        mtime_ns: call.mtime_ns,
        sha256,
    }
}

/// Works through every planned call with at most `parallel` in flight, each on
/// a thread of its own; the calling thread applies their events to the store.
pub(super) fn orchestrate(
    state: &mut State<'_>,
    ctx: Arc<JobContext>,
    parallel: usize,
) -> Result<(), BatchError> {
    let mut queue = Vec::new();
    for index in 0..state.calls.len() {
        match &state.calls[index].action {
            Action::Skip => {}
            Action::Fail(reason) => {
                let reason = reason.clone();
                state.fail(index, reason)?;
            }
            _ => queue.push(index),
        }
    }
    let (events, received) = mpsc::channel();
    let mut queue = queue.into_iter();
    let mut outstanding = 0usize;
    let mut next_tick = Instant::now() + TICK;
    loop {
        // A call counts as in flight until its final event is applied, so the
        // bookkeeping never shows more than `parallel` calls.
        while outstanding < parallel.max(1) {
            let Some(index) = queue.next() else { break };
            let job = state.job(index)?;
            state.in_flight.insert(index, job.input.call_id.clone());
            state
                .reporter
                .call_started(&job.input.call_id, &state.progress());
            let (ctx, events) = (ctx.clone(), events.clone());
            // Detached: the job always ends with a final event, which is what we
            // wait for; on a fatal store error the run returns without them.
            std::thread::Builder::new()
                .name("kuulas-call".into())
                .spawn(move || job::run(&ctx, job, &events))
                .map_err(BatchError::Spawn)?;
            outstanding += 1;
        }
        if outstanding == 0 {
            return Ok(());
        }
        match received.recv_timeout(next_tick.saturating_duration_since(Instant::now())) {
            Ok(event) => {
                if state.apply(event)? {
                    outstanding -= 1;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            // `events` is held here, so the channel cannot close.
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
        // Also while events keep coming faster than the tick.
        if Instant::now() >= next_tick {
            state.reporter.tick(&state.progress());
            next_tick = Instant::now() + TICK;
        }
    }
}
