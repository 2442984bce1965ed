//! The seam between the batch and the pipeline stages: a [`CallProcessor`] turns
//! one recording into a transcript and one transcript into scores. The batch calls
//! it from blocking worker threads, several calls at a time, so an implementation
//! must be `Send + Sync` and may block (decode, run Whisper) as long as it needs.
//! The only implementation, [`super::Pipeline`], wires `audio`, `transcribe`,
//! `metrics` and `rubric`; tests swap its transcriber, never the processor.
//!
//! A call's transcript crosses the batch as [`Transcribed`]: the typed transcript
//! and the loudness measured on the way, stored as one JSON (the transcript's
//! fields plus `loudness`), so `--rescore` computes the same metrics without the audio.

use std::path::PathBuf;

use serde::Serialize;

use crate::metrics::Loudness;
use crate::reasons::Taxonomy;
use crate::rubric::Rubric;
use crate::store::{CallMetadata, DimensionScore, MetricSummary, StoredReason, TaxonomyStamp};
use crate::transcript::{Transcript, TranscriptError};

/// One call as the processor sees it.
#[derive(Debug, Clone)]
pub struct CallInput {
    pub call_id: String,
    pub path: PathBuf,
    pub metadata: CallMetadata,
}

/// The transcription of one call: what the batch stores and scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transcribed {
    #[serde(flatten)]
    pub transcript: Transcript,
    /// Each party's loudness, measured from the audio; absent from transcripts
    /// written by `kuulas transcribe`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loudness: Option<Loudness>,
}

/// The batch's extra field of the stored transcript.
#[derive(serde::Deserialize)]
struct LoudnessField {
    loudness: Option<Loudness>,
}

impl Transcribed {
    /// The stored form: the transcript JSON with `loudness` added.
    pub fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }

    /// Reads the stored form (or a plain transcript JSON) through
    /// [`Transcript::from_json`]; `source` names where `text` came from.
    pub fn from_json(text: &str, source: &str) -> Result<Transcribed, TranscriptError> {
        let transcript = Transcript::from_json(text, source)?;
        let loudness = serde_json::from_str::<LoudnessField>(text)
            .inspect_err(|e| tracing::warn!("{source}: loudness unreadable, left out: {e}"))
            .ok()
            .and_then(|field| field.loudness);
        Ok(Transcribed {
            transcript,
            loudness,
        })
    }
}

/// The scoring of one call.
#[derive(Debug, Clone)]
pub struct ScoredCall {
    /// One entry per rubric dimension, in rubric order.
    pub dimensions: Vec<DimensionScore>,
    pub overall: Option<f64>,
    pub summary: MetricSummary,
    /// Full metrics as the metrics stage serialises them.
    pub metrics: serde_json::Value,
    /// Timestamped evidence as the rubric stage serialises it.
    pub moments: serde_json::Value,
    /// Why the customer called (`crate::reasons`); `None`: no reason found.
    pub reason: Option<StoredReason>,
}

impl ScoredCall {
    /// The same call with nothing scored, for a transcript with no speech: every
    /// dimension and the overall score unset and no moments, so that a silent
    /// recording is never counted as a call of the rubric's base scores (nor
    /// given a reason). The
    /// metrics stay (talk time 0, silence throughout). Exports and packets show
    /// such a call as `no_speech` ([`crate::store::shown_status`]).
    pub fn no_speech(self) -> ScoredCall {
        ScoredCall {
            dimensions: self
                .dimensions
                .into_iter()
                .map(|d| DimensionScore { score: None, ..d })
                .collect(),
            overall: None,
            moments: serde_json::json!([]),
            reason: None,
            ..self
        }
    }
}

/// Hashes that say which model, rubric and taxonomy produced a run's results.
#[derive(Debug, Clone, Default)]
pub struct ProcessorIdentity {
    pub model_sha256: Option<String>,
    pub rubric_sha256: Option<String>,
    pub taxonomy: Option<TaxonomyStamp>,
}

impl ProcessorIdentity {
    /// The one way a run's identity is made (a run, `--enqueue`, the pipeline):
    /// the resolved rubric's hash, the taxonomy's id, version and hash, and the
    /// model file's hash when it was read.
    pub fn new(
        rubric: &Rubric,
        taxonomy: &Taxonomy,
        model_sha256: Option<String>,
    ) -> ProcessorIdentity {
        ProcessorIdentity {
            model_sha256,
            rubric_sha256: Some(rubric.sha256.clone()),
            taxonomy: Some(super::retag::stamp(taxonomy)),
        }
    }
}

/// Why one call could not be processed; recorded in the store as the call's
/// failure reason, so the message should name the cause and, where it helps, the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ProcessError {
    pub message: String,
}

impl ProcessError {
    pub fn new(message: impl Into<String>) -> ProcessError {
        ProcessError {
            message: message.into(),
        }
    }

    /// Keeps the whole `source()` chain of a stage error, as `anyhow`'s `{:#}` would.
    pub fn from_error(error: &dyn std::error::Error) -> ProcessError {
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        ProcessError { message }
    }
}

/// Turns recordings into transcripts and transcripts into scores.
pub trait CallProcessor: Send + Sync {
    /// Decodes and transcribes the recording. Blocking and CPU-heavy.
    fn transcribe(&self, call: &CallInput) -> Result<Transcribed, ProcessError>;
    /// Scores a transcript produced by [`CallProcessor::transcribe`] (possibly in an
    /// earlier run, read back from the store).
    fn score(
        &self,
        call: &CallInput,
        transcribed: &Transcribed,
    ) -> Result<ScoredCall, ProcessError>;
    /// Which model and rubric this processor uses, recorded with each run.
    fn identity(&self) -> ProcessorIdentity;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot decode call.wav")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn from_error_keeps_the_cause_chain() {
        let e = Outer(std::io::Error::other("unexpected end of file"));
        assert_eq!(
            ProcessError::from_error(&e).message,
            "cannot decode call.wav: unexpected end of file"
        );
    }
}
