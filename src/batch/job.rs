//! The work on one call, run on a blocking thread: hash the recording, transcribe,
//! write the transcript file, score, write the score file. The job never touches
//! the store; it sends [`Event`]s to the orchestrator, which owns the store and
//! applies them in order. Each file is written before the event that records it,
//! so after a crash the store never claims a result whose file is missing.

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use std::sync::mpsc::Sender;

use super::outputs::{CallFiles, ScoreFile};
use super::processor::{CallInput, CallProcessor, ProcessorIdentity, ScoredCall, Transcribed};
use crate::store::{CallScores, Fingerprint, WorkOutcome};

/// What a job tells the orchestrator: one outcome of the call at `index` in the plan.
#[derive(Debug)]
pub(super) struct Event {
    pub index: usize,
    pub outcome: WorkOutcome,
}

/// What every job shares.
pub(super) struct JobContext {
    pub processor: Arc<dyn CallProcessor>,
    pub identity: ProcessorIdentity,
    pub calls_dir: PathBuf,
    /// The settings that shape a transcript ([`super::Settings::transcription`]),
    /// recorded with every transcript a job makes.
    pub transcription: Option<String>,
}

pub(super) enum Work {
    Full,
    /// Hash first; if unchanged, skip or score the stored transcript (if given).
    Verify {
        sha256: String,
        stored_transcript: Option<String>,
    },
    ScoreOnly {
        transcript: String,
    },
}

pub(super) struct Job {
    pub index: usize,
    pub input: CallInput,
    pub path_text: String,
    pub size: u64,
    pub mtime_ns: i64,
    pub work: Work,
}

/// Runs one job to its end; always sends exactly one final event.
pub(super) fn run(ctx: &JobContext, job: Job, events: &Sender<Event>) {
    // A closed channel means the run ended on a fatal error; nothing to tell.
    let send = |outcome| {
        drop(events.send(Event {
            index: job.index,
            outcome,
        }))
    };
    let files = CallFiles::new(&ctx.calls_dir, &job.input.call_id);
    let mut fingerprint = None;
    let result = catch_unwind(AssertUnwindSafe(|| {
        work(ctx, &job, &files, &mut fingerprint, &send)
    }));
    let reason = match result {
        Ok(Ok(())) => return,
        Ok(Err(reason)) => reason,
        Err(panic) => format!("the processor panicked: {}", panic_text(&*panic)),
    };
    send(WorkOutcome::Failed {
        fingerprint,
        reason,
    });
}

fn work(
    ctx: &JobContext,
    job: &Job,
    files: &CallFiles,
    fingerprint: &mut Option<Fingerprint>,
    send: &dyn Fn(WorkOutcome),
) -> Result<(), String> {
    let transcript = match &job.work {
        Work::ScoreOnly { transcript } => {
            send(WorkOutcome::Rescoring);
            parse_stored(transcript, &job.path_text)?
        }
        Work::Full | Work::Verify { .. } => {
            let fp = hash(&job.input.path, job.size, job.mtime_ns)
                .map_err(|e| format!("cannot read {}: {e}", job.path_text))?;
            *fingerprint = Some(fp.clone());
            if let Work::Verify {
                sha256,
                stored_transcript,
            } = &job.work
                && fp.sha256 == *sha256
            {
                let then_score = stored_transcript.is_some();
                send(WorkOutcome::Unchanged {
                    fingerprint: fp,
                    then_score,
                });
                let Some(stored) = stored_transcript else {
                    return Ok(());
                };
                send(WorkOutcome::Rescoring);
                let stored = parse_stored(stored, &job.path_text)?;
                return score(ctx, job, files, &stored, send);
            }
            send(WorkOutcome::Started(fp));
            let transcribed = ctx
                .processor
                .transcribe(&job.input)
                .map_err(|e| e.message)?;
            let transcript_json = transcribed
                .to_json()
                .map_err(|e| format!("cannot store the transcript of {}: {e}", job.path_text))?;
            files
                .write_transcript(&transcribed)
                .map_err(|e| format!("cannot write {}: {e}", files.transcript.display()))?;
            send(WorkOutcome::Transcribed {
                transcript_json,
                duration_s: transcribed.transcript.duration,
                transcribed_with: ctx.transcription.clone(),
            });
            transcribed
        }
    };
    score(ctx, job, files, &transcript, send)
}

fn score(
    ctx: &JobContext,
    job: &Job,
    files: &CallFiles,
    transcript: &Transcribed,
    send: &dyn Fn(WorkOutcome),
) -> Result<(), String> {
    let scored = ctx
        .processor
        .score(&job.input, transcript)
        .map_err(|e| e.message)?;
    let file = ScoreFile::new(
        &job.input.call_id,
        &job.path_text,
        &job.input.metadata,
        &ctx.identity,
        &scored,
    );
    files
        .write_score(&file)
        .map_err(|e| format!("cannot write {}: {e}", files.score.display()))?;
    send(WorkOutcome::Scored(call_scores(scored)));
    Ok(())
}

fn call_scores(scored: ScoredCall) -> CallScores {
    CallScores {
        dimensions: scored.dimensions,
        overall: scored.overall,
        summary: scored.summary,
        metrics_json: scored.metrics.to_string(),
        moments_json: scored.moments.to_string(),
        reason: scored.reason,
    }
}

fn parse_stored(transcript: &str, path_text: &str) -> Result<Transcribed, String> {
    Transcribed::from_json(transcript, &format!("the stored transcript of {path_text}"))
        .map_err(|e| format!("{e}; rerun with --force to transcribe again"))
}

/// The full fingerprint: the discovered size and mtime plus the content hash.
pub(super) fn hash(path: &Path, size: u64, mtime_ns: i64) -> std::io::Result<Fingerprint> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(Fingerprint {
        size,
        mtime_ns,
        sha256: hex::encode(hasher.finalize()),
    })
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha256_of_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.wav");
        std::fs::write(&path, b"abc").unwrap();
        let fp = hash(&path, 3, 7).unwrap();
        assert_eq!(
            fp.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!((fp.size, fp.mtime_ns), (3, 7));
    }
}
