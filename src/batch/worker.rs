//! Scale-out: the producer and consumer sides of the PostgreSQL work queue.
//! [`enqueue`] is a batch run's discovery and planning without the processing:
//! each call that needs work goes into the queue with what the planner decided.
//! [`work`] is one worker process: `jobs` threads, each with its own connection,
//! claim a call, run the same per-call job as the batch (outputs go to the shared
//! `<out>/calls`), and write the result fenced by their claim; a heartbeat thread
//! keeps every held lease alive. A worker exits when the queue is empty and no
//! call is held by anyone — so a dead worker's call is taken over before the
//! fleet goes home.
//!
//! Store errors and processing errors are kept apart: what goes wrong with a
//! recording is recorded as that call's failure, while the database going away is
//! never the call's fault. A lost connection is waited out (every connection of
//! the process shares one [`Reconnect`]: reconnect with backoff, log the outage
//! once, rerun the statement); the worker keeps its leases through the outage
//! and finishes its calls. Only a store error that outlasts the outage limit, or
//! is not about the connection at all, stops the worker — with exit code 2 and
//! without touching its calls, which other workers take over.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::job::{self, Job, JobContext, Work};
use super::outputs::CallFiles;
use super::plan::Action;
use super::processor::{CallInput, CallProcessor};
use super::{BatchError, Settings};
use crate::store::postgres::{Claim, QueuedWork, Reconnect};
use crate::store::{
    CallEntry, Fingerprint, NewRun, PostgresStore, RunId, Store, StoreError, WorkOutcome,
};

/// How one worker process runs.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Shared output directory (every worker must see the same one).
    pub out_dir: PathBuf,
    /// Calls processed at once by this process.
    pub jobs: usize,
    /// How long a claim lives without a heartbeat; the heartbeat renews it every third.
    pub lease: Duration,
    /// Claims a call may have before it is failed as the one that kills workers.
    pub max_attempts: i32,
    /// This worker's name in the store (host:pid by default).
    pub worker_id: String,
    /// How long to wait before asking again while other workers hold the last calls.
    pub poll: Duration,
    /// The settings that shape a transcript, recorded with each one as a local run
    /// does ([`Settings::transcription`]).
    pub transcription: Option<String>,
}

/// What `kuulas run --enqueue` did.
#[derive(Debug, Clone, Default)]
pub struct Enqueued {
    pub run_id: RunId,
    pub discovered: usize,
    pub queued: usize,
    pub skipped: usize,
    /// Calls a live worker holds right now; they were left alone.
    pub busy: usize,
    /// Recordings that cannot be processed at all, recorded as failed at once.
    pub failed: usize,
}

/// What one worker process did.
#[derive(Debug, Clone, Default)]
pub struct WorkerSummary {
    pub processed: usize,
    pub unchanged: usize,
    pub failed: Vec<(String, String)>,
    /// Calls whose lease ran out while this worker worked; their results were dropped.
    pub lost: usize,
}

/// Discovers and plans like a batch run, and queues every call that needs work.
pub fn enqueue(
    settings: &Settings,
    store: &mut PostgresStore,
    identity: &super::ProcessorIdentity,
) -> Result<Enqueued, BatchError> {
    super::check_input(&settings.input_dir)?;
    store.lock_shared()?;
    let manifest = super::load_manifest(settings)?;
    let (calls, found) = super::survey(settings, &manifest, store)?;
    let run_id = store.begin_run(&NewRun {
        started_at: super::now_rfc3339(),
        input_dir: settings.input_dir.to_string_lossy().into_owned(),
        kuulas_version: env!("CARGO_PKG_VERSION").to_string(),
        model_sha256: identity.model_sha256.clone(),
        rubric_sha256: identity.rubric_sha256.clone(),
        taxonomy: identity.taxonomy.clone(),
    })?;
    let mut done = Enqueued {
        run_id,
        discovered: found.recordings_seen,
        ..Enqueued::default()
    };
    for call in calls {
        let entry = CallEntry {
            call_id: call.call_id.clone(),
            path: call.path_text.clone(),
            fingerprint: Fingerprint {
                size: call.size,
                mtime_ns: call.mtime_ns,
                sha256: String::new(),
            },
            metadata: call.metadata.clone(),
        };
        let work = match call.action {
            Action::Skip => {
                done.skipped += 1;
                continue;
            }
            Action::Fail(reason) => {
                tracing::warn!("{}: {reason}", call.path_text);
                store.mark_failed(run_id, &entry, &reason)?;
                done.failed += 1;
                continue;
            }
            Action::Full => QueuedWork::Full,
            Action::ScoreOnly { .. } => QueuedWork::ScoreOnly,
            Action::Verify { then_score, .. } => QueuedWork::Verify { then_score },
        };
        if store.enqueue(run_id, &entry, work)? {
            done.queued += 1;
        } else {
            done.busy += 1;
        }
    }
    Ok(done)
}

/// The calls this process holds, by call id, with their claim numbers.
type Held = Mutex<BTreeMap<String, i64>>;

/// Runs one worker until the queue is drained. Per-call failures are recorded
/// and counted; lost connections are waited out; other store errors stop the worker.
pub fn work(
    settings: &WorkerSettings,
    url: &str,
    processor: Arc<dyn CallProcessor>,
) -> Result<WorkerSummary, BatchError> {
    let calls_dir = prepare_shared_output(&settings.out_dir)?;
    let ctx = JobContext {
        identity: processor.identity(),
        processor,
        calls_dir,
        transcription: settings.transcription.clone(),
    };
    let held = Held::default();
    let stop = AtomicBool::new(false);
    let summary = Mutex::new(WorkerSummary::default());
    let reconnect = Reconnect::default();
    let mut heartbeat_store = PostgresStore::connect_with(url, &reconnect)?;
    heartbeat_store.lock_shared()?;
    tracing::info!(
        "worker {} on {}: {} jobs, lease {:?}, waits out database outages of up to {} s",
        settings.worker_id,
        heartbeat_store.url(),
        settings.jobs,
        settings.lease,
        reconnect.max_outage().as_secs()
    );
    std::thread::scope(|scope| {
        let beat = scope.spawn(|| heartbeat(&mut heartbeat_store, settings, &held, &stop));
        let workers: Vec<_> = (0..settings.jobs.max(1))
            .map(|_| scope.spawn(|| consume(url, &reconnect, settings, &ctx, &held, &summary)))
            .collect();
        let joined: Vec<_> = workers.into_iter().map(|h| h.join()).collect();
        // Stop the heartbeat first: the scope waits for it, even while unwinding.
        stop.store(true, Ordering::Relaxed);
        drop(beat.join());
        let mut result = Ok(());
        for outcome in joined {
            // Processor panics are caught per call; anything else is a bug to surface.
            result = result.and(outcome.unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        result
    })?;
    Ok(summary.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// Like [`super::prepare_output`], with a probe file of its own: workers starting
/// together on one shared directory must not remove each other's probe.
fn prepare_shared_output(out_dir: &std::path::Path) -> Result<PathBuf, BatchError> {
    let dir = super::calls_dir(out_dir);
    let fail = |source| BatchError::Output {
        path: out_dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(fail)?;
    tempfile::Builder::new()
        .prefix(".kuulas-write-check")
        .tempfile_in(&dir)
        .map_err(fail)?;
    Ok(dir)
}

/// One job thread: claim, process, complete, until nothing is left anywhere.
fn consume(
    url: &str,
    reconnect: &Reconnect,
    settings: &WorkerSettings,
    ctx: &JobContext,
    held: &Held,
    summary: &Mutex<WorkerSummary>,
) -> Result<(), StoreError> {
    let mut store = PostgresStore::connect_with(url, reconnect)?;
    loop {
        let claimed = store.claim(&settings.worker_id, settings.lease, settings.max_attempts)?;
        let Some(claim) = claimed else {
            let (waiting, in_progress) = store.queue_depth()?;
            if waiting == 0 && in_progress == 0 {
                return Ok(());
            }
            std::thread::sleep(settings.poll);
            continue;
        };
        let id = claim.entry.call_id.clone();
        if claim.attempts > 1 {
            tracing::info!("{id}: taking over (claim {})", claim.claim);
        }
        // Held until the result is written: through an outage the heartbeat keeps
        // (or retakes) the lease while `complete` waits for the database.
        lock(held).insert(id.clone(), claim.claim);
        let result = process(&mut store, ctx, &claim).map(|outcomes| {
            let completed = store.complete(&claim, &outcomes);
            (outcomes, completed)
        });
        lock(held).remove(&id);
        let (outcomes, completed) = result?;
        let mut sum = lock(summary);
        match completed {
            Ok(()) => match outcomes.last() {
                Some(WorkOutcome::Failed { reason, .. }) => {
                    tracing::warn!("{id}: {reason}");
                    if let Err(e) = CallFiles::new(&ctx.calls_dir, &id).remove_all() {
                        tracing::warn!("{id}: cannot remove outputs of a failed call: {e}");
                    }
                    sum.failed.push((id, reason.clone()));
                }
                Some(WorkOutcome::Unchanged { .. }) => sum.unchanged += 1,
                _ => {
                    tracing::info!("{id}: scored");
                    sum.processed += 1;
                }
            },
            Err(e @ StoreError::LeaseLost { .. }) => {
                tracing::warn!("{e}");
                sum.lost += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Runs the batch's job on a claimed call and collects what it reported.
fn process(
    store: &mut PostgresStore,
    ctx: &JobContext,
    claim: &Claim,
) -> Result<Vec<WorkOutcome>, StoreError> {
    let entry = &claim.entry;
    let work = match claim.work {
        QueuedWork::Full => Work::Full,
        QueuedWork::Verify { then_score } => Work::Verify {
            sha256: entry.fingerprint.sha256.clone(),
            stored_transcript: match then_score {
                true => store.transcript(&entry.call_id)?,
                false => None,
            },
        },
        QueuedWork::ScoreOnly => match store.transcript(&entry.call_id)? {
            Some(transcript) => Work::ScoreOnly { transcript },
            None => Work::Full,
        },
    };
    let path = PathBuf::from(&entry.path);
    // The file may have changed since it was queued; hash what is there now.
    let (size, mtime_ns) = std::fs::metadata(&path)
        .ok()
        .and_then(|m| Some((m.len(), super::discover::mtime_ns(m.modified().ok()?))))
        .unwrap_or((entry.fingerprint.size, entry.fingerprint.mtime_ns));
    let job = Job {
        index: 0,
        input: CallInput {
            call_id: entry.call_id.clone(),
            path,
            metadata: entry.metadata.clone(),
        },
        path_text: entry.path.clone(),
        size,
        mtime_ns,
        work,
    };
    let (sender, events) = mpsc::channel();
    job::run(ctx, job, &sender);
    drop(sender);
    let outcomes = events.try_iter().map(|event| event.outcome).collect();
    Ok(outcomes)
}

/// Renews every held lease each third of the lease, until `stop`. A lost
/// connection is waited out by the store, and a lease that ran out meanwhile is
/// renewed if nobody took the call. A store error is logged, not fatal: if it
/// lasts, the leases run out and the calls are taken over, and this worker's
/// results are refused by the fence.
fn heartbeat(store: &mut PostgresStore, settings: &WorkerSettings, held: &Held, stop: &AtomicBool) {
    let every = settings.lease / 3;
    let step = Duration::from_millis(50).min(every);
    let mut waited = Duration::ZERO;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(step);
        waited += step;
        if waited < every {
            continue;
        }
        waited = Duration::ZERO;
        let snapshot = lock(held).clone();
        for (call_id, claim) in snapshot {
            let renewed = store.extend_lease(&call_id, claim, settings.lease);
            // A call completed since the snapshot is released, not lost.
            if lock(held).get(&call_id) != Some(&claim) {
                continue;
            }
            match renewed {
                Ok(true) => {}
                Ok(false) => tracing::warn!(
                    "{call_id}: lost the lease (claim {claim}); another worker has the call"
                ),
                Err(e) => tracing::warn!("heartbeat: {e}"),
            }
        }
    }
}

/// Locks a mutex, ignoring poisoning: the maps stay consistent between statements.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
