//! The nightly batch: find recordings, decide from the store which need work,
//! transcribe and score those with a bounded number in flight, write per-call
//! files atomically and record every outcome in the store. Crash-safe (a run killed
//! at any point is finished by the next one) and incremental (a rerun touches only
//! new, changed, interrupted or failed recordings).
//!
//! Entry point: [`run`]. The stages are reached through [`CallProcessor`], whose one
//! implementation is [`Pipeline`]; tests give it [`FixtureTranscriber`] in place of
//! Whisper. Progress goes out through [`Reporter`]; results come back as a [`Summary`].

mod customer;
mod discover;
mod export;
mod fixture;
mod job;
mod metadata;
mod outputs;
mod pipeline;
mod plan;
mod processor;
mod report;
mod retag;
mod runner;
mod worker;

pub use discover::DiscoveryProblem;
pub use export::{ExportFormat, write_export};
pub use fixture::FixtureTranscriber;
pub use metadata::MetadataError;
pub use outputs::SCORE_FILE_SCHEMA_VERSION;
pub use pipeline::{Pipeline, Transcribe, call_options};
pub use plan::Mode;
pub use processor::{
    CallInput, CallProcessor, ProcessError, ProcessorIdentity, ScoredCall, Transcribed,
};
pub use report::{CallOutcome, FailedCall, Progress, Reporter, Summary};
pub use retag::{Retagged, retag, stamp, tagged_otherwise};
pub use worker::{Enqueued, WorkerSettings, WorkerSummary, enqueue, work};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::store::{NewRun, RunId, RunTotals, Store, StoreError};
use metadata::MANIFEST_NAME;

/// A run's trusted settings, resolved from the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    pub input_dir: PathBuf,
    pub out_dir: PathBuf,
    /// A manifest given explicitly; otherwise `manifest.csv` at the input root if present.
    pub manifest: Option<PathBuf>,
    /// Calls in flight at once.
    pub jobs: usize,
    pub mode: Mode,
    /// The settings that shape a transcript (model, decoding options, prompt,
    /// window…) as a JSON object, stored with each transcript: a rerun with other
    /// settings transcribes stored calls again and says which setting changed.
    /// `None`: not known, so never a reason to redo a call.
    pub transcription: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("cannot read the input directory {path}: {source}")]
    Input {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cannot write to the output directory {path}: {source}; create it or fix its permissions"
    )]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Manifest(#[from] MetadataError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start a thread for a call: {0}")]
    Spawn(std::io::Error),
}

/// Where per-call files go.
pub fn calls_dir(out_dir: &Path) -> PathBuf {
    out_dir.join("calls")
}

/// Creates `<out>/calls` and proves it writable, so a bad output directory stops
/// the run before any work (exit code 2) rather than failing every call.
pub fn prepare_output(out_dir: &Path) -> Result<PathBuf, BatchError> {
    let dir = calls_dir(out_dir);
    let fail = |source| BatchError::Output {
        path: out_dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(fail)?;
    let probe = dir.join(".kuulas-write-check");
    crate::atomic::write(&probe, b"ok").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)?;
    Ok(dir)
}

/// Runs the batch described by `settings` against `store`. Per-call failures are
/// recorded and counted in the summary; only problems that stop the whole run
/// (unreadable input, unwritable output, a broken manifest, the store) are errors.
pub fn run(
    settings: &Settings,
    store: &mut dyn Store,
    processor: Arc<dyn CallProcessor>,
    reporter: &dyn Reporter,
) -> Result<Summary, BatchError> {
    let started = std::time::Instant::now();
    let input = &settings.input_dir;
    check_input(input)?;
    let calls_dir = prepare_output(&settings.out_dir)?;
    let manifest = load_manifest(settings)?;
    let swept = outputs::sweep_temporaries(&calls_dir).map_err(|source| BatchError::Output {
        path: calls_dir.clone(),
        source,
    })?;
    if swept > 0 {
        tracing::info!("removed {swept} partial files left by an interrupted run");
    }
    let resumed = store.reset_interrupted()?;
    if resumed > 0 {
        tracing::info!("{resumed} calls were left in progress by an interrupted run; redoing them");
    }
    let (calls, found) = survey(settings, &manifest, store)?;
    let redone = plan::redo_summary(&calls);
    let discovered = found.recordings_seen;
    let identity = processor.identity();
    let run_id = store.begin_run(&NewRun {
        started_at: now_rfc3339(),
        input_dir: input.to_string_lossy().into_owned(),
        kuulas_version: env!("CARGO_PKG_VERSION").to_string(),
        model_sha256: identity.model_sha256.clone(),
        rubric_sha256: identity.rubric_sha256.clone(),
        taxonomy: identity.taxonomy.clone(),
    })?;
    match (settings.mode, found.resume_force) {
        (Mode::Force, _) => store.mark_forced(run_id, run_id)?,
        (_, Some(since)) => store.mark_forced(run_id, since)?,
        _ => {}
    }
    let ctx = Arc::new(job::JobContext {
        processor,
        identity,
        calls_dir: calls_dir.clone(),
        transcription: settings.transcription.clone(),
    });
    let mut state = runner::State::new(store, reporter, run_id, calls_dir, calls);
    reporter.planned(&state.progress(), state.skipped);
    runner::orchestrate(&mut state, ctx, settings.jobs)?;
    let summary = Summary {
        run_id,
        discovered,
        processed: state.processed,
        skipped: state.skipped,
        audio_seconds: state.audio_seconds,
        wall: started.elapsed(),
        failed: std::mem::take(&mut state.failed),
        resumed,
        redone,
        problems: found.problems,
    };
    state.store.finish_run(
        run_id,
        &RunTotals {
            finished_at: now_rfc3339(),
            discovered: discovered as u64,
            processed: summary.processed as u64,
            skipped: summary.skipped as u64,
            failed: summary.failed.len() as u64,
            audio_seconds: summary.audio_seconds,
        },
    )?;
    Ok(summary)
}

fn check_input(input: &Path) -> Result<(), BatchError> {
    std::fs::read_dir(input).map_err(|source| BatchError::Input {
        path: input.to_path_buf(),
        source,
    })?;
    Ok(())
}

/// The manifest given with `--manifest`, or `manifest.csv` at the input root.
fn load_manifest(settings: &Settings) -> Result<metadata::Manifest, BatchError> {
    let input = &settings.input_dir;
    Ok(match &settings.manifest {
        Some(path) => metadata::Manifest::load(path)?,
        None if input.join(MANIFEST_NAME).is_file() => {
            metadata::Manifest::load(&input.join(MANIFEST_NAME))?
        }
        None => metadata::Manifest::default(),
    })
}

/// What discovery saw besides the recordings it handed to the planner.
struct Surveyed {
    recordings_seen: usize,
    problems: Vec<DiscoveryProblem>,
    /// The interrupted `--force` run this run finishes.
    resume_force: Option<RunId>,
}

/// Finds the recordings under the input directory and plans each against the
/// store; calls whose id changed take their new id in the store and on disk.
fn survey(
    settings: &Settings,
    manifest: &metadata::Manifest,
    store: &mut dyn Store,
) -> Result<(Vec<plan::PlannedCall>, Surveyed), BatchError> {
    let found = discover::discover(&settings.input_dir);
    for problem in &found.problems {
        tracing::warn!("{problem}");
    }
    for missing in manifest.unmatched(found.recordings.iter().map(|r| r.relative.as_path())) {
        tracing::warn!("manifest row `{}` matches no recording", missing.display());
    }
    let recordings_seen = found.recordings.len();
    let resume_force = match settings.mode {
        Mode::Force => None,
        Mode::Incremental | Mode::Rescore => store.unfinished_force()?,
    };
    if let Some(run) = resume_force {
        tracing::warn!("run {run} was started with --force and interrupted; finishing it");
    }
    let intent = plan::Intent {
        mode: settings.mode,
        resume_force,
        transcription: settings.transcription.clone(),
    };
    let calls = plan::plan(found.recordings, manifest, store.known_calls()?, &intent);
    let calls_dir = calls_dir(&settings.out_dir);
    for call in &calls {
        let Some(old) = &call.renamed_from else {
            continue;
        };
        store.rename_call(old, &call.call_id)?;
        outputs::rename(&calls_dir, old, &call.call_id).map_err(|source| BatchError::Output {
            path: calls_dir.clone(),
            source,
        })?;
        tracing::info!(
            "{}: the call `{old}` is now `{}`; its transcript is kept",
            call.path_text,
            call.call_id
        );
    }
    for line in plan::redo_summary(&calls) {
        tracing::info!("{line}");
    }
    Ok((
        calls,
        Surveyed {
            recordings_seen,
            problems: found.problems,
            resume_force,
        },
    ))
}

/// The current UTC time as RFC 3339, for run records.
fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}
