//! The seam between the batch and the pipeline stages: a [`CallProcessor`] turns
//! one recording into a transcript and one transcript into scores. The batch calls
//! it from blocking worker threads, several calls at a time, so an implementation
//! must be `Send + Sync` and may block (decode, run Whisper) as long as it needs.
//! The real implementation wires `audio`, `transcribe`, `metrics` and `rubric`;
//! [`super::FixtureProcessor`] is the deterministic stand-in for tests.

use std::path::PathBuf;

use crate::store::{CallMetadata, DimensionScore, MetricSummary};

/// One call as the processor sees it.
#[derive(Debug, Clone)]
pub struct CallInput {
    pub call_id: String,
    pub path: PathBuf,
    pub metadata: CallMetadata,
}

/// The transcription of one call.
#[derive(Debug, Clone)]
pub struct Transcribed {
    /// The transcript in its versioned JSON form (`crate::transcript::Transcript`).
    pub transcript: serde_json::Value,
    /// Length of the recording, for progress and throughput.
    pub duration_s: f64,
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
}

impl ScoredCall {
    /// The same call with nothing scored, for a transcript with no speech: every
    /// dimension and the overall score unset and no moments, so that a silent
    /// recording is never counted as a call of the rubric's base scores. The
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
            ..self
        }
    }
}

/// Hashes that say which model and rubric produced a run's results.
#[derive(Debug, Clone, Default)]
pub struct ProcessorIdentity {
    pub model_sha256: Option<String>,
    pub rubric_sha256: Option<String>,
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
        transcript: &serde_json::Value,
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
