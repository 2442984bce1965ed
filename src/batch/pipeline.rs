//! The [`CallProcessor`]: audio → transcribe (+ loudness) → metrics → rubric →
//! verify (every moment checked against the audio, rubric phrases spotted), and
//! the contact reason tagged from the customer's words (`crate::reasons`).
//!
//! What it needs from a transcriber is the [`Transcribe`] trait: a recording and
//! its options in, the transcript and each party's loudness out. The whisper
//! [`Transcriber`] is the product's; [`super::FixtureTranscriber`] decodes the audio
//! the same way but reads the transcript from a file, so tests run everything else
//! as it runs in production. Loudness is measured while the audio streams through
//! the transcriber and kept with the stored transcript, so `--rescore` can compute
//! the same metrics later without decoding the recording again.

use std::path::Path;

use crate::batch::processor::{
    CallInput, CallProcessor, ProcessError, ProcessorIdentity, ScoredCall, Transcribed,
};
use crate::metrics::{self, LoudnessMeter, Metrics};
use crate::reasons::{self, Taxonomy};
use crate::rubric::{self, Rubric, Scorecard};
use crate::store::{CallMetadata, DimensionScore, MetricSummary, StoredReason};
use crate::transcribe::{
    self, AgentChannel, AudioObserver, CallOptions, TranscribeError, Transcriber,
};
use crate::transcript::{Party, Transcript};
use crate::verify;

/// Turns one recording into its transcript and each party's loudness. Called from
/// several batch threads at once.
pub trait Transcribe: Send + Sync {
    fn transcribe(
        &self,
        path: &Path,
        options: &CallOptions,
    ) -> Result<Transcribed, TranscribeError>;

    /// The Whisper model that verifies moments against the audio, if this
    /// transcriber has one (a fixture transcriber has none: nothing is verified).
    fn model(&self) -> Option<&Transcriber> {
        None
    }
}

pub struct Pipeline {
    transcriber: Box<dyn Transcribe>,
    rubric: Rubric,
    /// Why customers call: the taxonomy each call is tagged with.
    taxonomy: Taxonomy,
    model_sha256: Option<String>,
    /// For calls whose metadata does not say.
    defaults: CallOptions,
    /// Check moments against the audio and spot phrases (`crate::verify`).
    verify: bool,
}

impl Pipeline {
    pub fn new(
        transcriber: Box<dyn Transcribe>,
        rubric: Rubric,
        taxonomy: Taxonomy,
        model_sha256: Option<String>,
        defaults: CallOptions,
    ) -> Pipeline {
        Pipeline {
            transcriber,
            rubric,
            taxonomy,
            model_sha256,
            defaults,
            verify: true,
        }
    }

    /// Scores from the text alone: no acoustic verification or spotting.
    pub fn without_verification(mut self) -> Pipeline {
        self.verify = false;
        self
    }
}

/// The per-call transcription options: what the call's metadata asks for, else
/// the run's defaults.
pub fn call_options(
    metadata: &CallMetadata,
    defaults: &CallOptions,
) -> Result<CallOptions, ProcessError> {
    let agent_channel = match metadata
        .agent_channel
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None => defaults.agent_channel,
        Some("left") => AgentChannel::Left,
        Some("right") => AgentChannel::Right,
        Some(other) => {
            return Err(ProcessError::new(format!(
                "agent_channel {other:?} in the call's metadata: use `left` or `right`"
            )));
        }
    };
    Ok(CallOptions {
        agent_channel,
        language: metadata.language.clone().or(defaults.language.clone()),
    })
}

struct LoudnessObserver(LoudnessMeter);

impl AudioObserver for LoudnessObserver {
    fn samples(&mut self, party: Party, start_s: f64, samples: &[f32]) {
        self.0.feed(party, start_s, samples);
    }
}

/// Whisper: transcribes a recording and measures each party's loudness on the way.
impl Transcribe for Transcriber {
    fn transcribe(
        &self,
        path: &Path,
        options: &CallOptions,
    ) -> Result<Transcribed, TranscribeError> {
        let info = crate::audio::probe(path)?;
        let mut observer = LoudnessObserver(LoudnessMeter::new(info.duration));
        let transcript = transcribe::run(path, self, options, &mut observer)?;
        Ok(Transcribed {
            transcript,
            loudness: Some(observer.0.finish()),
        })
    }

    fn model(&self) -> Option<&Transcriber> {
        Some(self)
    }
}

impl CallProcessor for Pipeline {
    fn transcribe(&self, call: &CallInput) -> Result<Transcribed, ProcessError> {
        let options = call_options(&call.metadata, &self.defaults)?;
        self.transcriber
            .transcribe(&call.path, &options)
            .map_err(|e| ProcessError::from_error(&e))
    }

    fn score(
        &self,
        call: &CallInput,
        transcribed: &Transcribed,
    ) -> Result<ScoredCall, ProcessError> {
        let transcript = &transcribed.transcript;
        let metrics = metrics::compute(transcript, transcribed.loudness.as_ref());
        let mut card = rubric::score(transcript, &metrics, &self.rubric);
        let model = self
            .transcriber
            .model()
            .filter(|_| self.verify && transcript.has_speech());
        if let Some(model) = model {
            let options = call_options(&call.metadata, &self.defaults)?;
            let recording = verify::Recording {
                path: &call.path,
                call: &options,
            };
            card = verify::run(transcript, card, &self.rubric, &recording, model)
                .map_err(|e| ProcessError::from_error(&e))?
                .card;
        }
        let mut scored = finish(transcript, &card, &metrics)?;
        scored.reason = reasons::tag(transcript, &self.taxonomy).map(stored_reason);
        Ok(scored)
    }

    fn identity(&self) -> ProcessorIdentity {
        ProcessorIdentity::new(&self.rubric, &self.taxonomy, self.model_sha256.clone())
    }
}

/// The stored result of a scored call; a call without speech is not scored.
fn finish(
    transcript: &Transcript,
    card: &Scorecard,
    metrics: &Metrics,
) -> Result<ScoredCall, ProcessError> {
    let scored = scored_call(card, metrics)?;
    Ok(if transcript.has_speech() {
        scored
    } else {
        scored.no_speech()
    })
}

fn scored_call(card: &Scorecard, metrics: &Metrics) -> Result<ScoredCall, ProcessError> {
    let dimensions = card
        .scores
        .dimensions
        .iter()
        .map(|d| DimensionScore {
            dimension: d.id.clone(),
            score: Some(d.score),
        })
        .collect();
    let talk = metrics.agent.talk_time + metrics.customer.talk_time;
    let summary = MetricSummary {
        talk_ratio_agent: (talk > 0.0).then(|| metrics.agent.talk_time / talk),
        longest_silence_s: metrics.longest_silence.map(|s| s.end - s.start),
        interruptions: Some(metrics.interruptions.len() as u32),
        customer_sentiment_start: Some(metrics.sentiment.start),
        customer_sentiment_end: Some(metrics.sentiment.end),
    };
    Ok(ScoredCall {
        dimensions,
        overall: Some(card.scores.overall),
        summary,
        metrics: serde_json::to_value(metrics).map_err(|e| ProcessError::from_error(&e))?,
        moments: serde_json::to_value(&card.moments).map_err(|e| ProcessError::from_error(&e))?,
        reason: None,
    })
}

/// A tag in the store's terms (`kuulas run` and `kuulas reasons retag` store it alike).
pub fn stored_reason(tag: reasons::Tag) -> StoredReason {
    StoredReason {
        reason_id: tag.reason,
        confidence: tag.confidence,
        quote: tag.quote,
        at_s: tag.at_s,
        secondary: tag.secondary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Attribution, Segment, TRANSCRIPT_SCHEMA_VERSION};

    fn transcript(segments: Vec<Segment>) -> Transcript {
        Transcript {
            schema_version: TRANSCRIPT_SCHEMA_VERSION,
            duration: 30.0,
            language: "fi".into(),
            attribution: Attribution::Channels,
            segments,
        }
    }

    fn score(transcript: &Transcript, rubric: &Rubric) -> ScoredCall {
        let metrics = metrics::compute(transcript, None);
        let card = rubric::score(transcript, &metrics, rubric);
        finish(transcript, &card, &metrics).unwrap()
    }

    /// A silent recording used to score as an average call (55.3 with the default
    /// rubric): it must get no scores at all.
    #[test]
    fn a_transcript_without_speech_is_not_scored() {
        let rubric = rubric::default_rubric();
        let silent = score(&transcript(Vec::new()), &rubric);
        assert_eq!(silent.overall, None);
        assert!(!silent.dimensions.is_empty());
        assert!(silent.dimensions.iter().all(|d| d.score.is_none()));
        assert_eq!(silent.moments, serde_json::json!([]));

        let spoken = transcript(vec![Segment {
            party: Party::Agent,
            start: 0.5,
            end: 3.0,
            text: "Hyvää päivää, Anna tässä, miten voin auttaa?".into(),
            words: Vec::new(),
        }]);
        let scored = score(&spoken, &rubric);
        assert!(scored.overall.is_some_and(f64::is_finite));
    }

    #[test]
    fn metadata_overrides_the_run_defaults_and_fills_in_from_them() {
        let defaults = CallOptions {
            agent_channel: AgentChannel::Right,
            language: Some("sv".to_string()),
        };
        let silent = CallMetadata::default();
        let options = call_options(&silent, &defaults).expect("valid");
        assert_eq!(options.agent_channel, AgentChannel::Right);
        assert_eq!(options.language.as_deref(), Some("sv"));

        let said = CallMetadata {
            agent_channel: Some("LEFT".to_string()),
            language: Some("fi".to_string()),
            ..CallMetadata::default()
        };
        let options = call_options(&said, &defaults).expect("valid");
        assert_eq!(options.agent_channel, AgentChannel::Left);
        assert_eq!(options.language.as_deref(), Some("fi"));

        let wrong = CallMetadata {
            agent_channel: Some("middle".to_string()),
            ..CallMetadata::default()
        };
        let error = call_options(&wrong, &defaults).expect_err("rejected");
        assert!(error.to_string().contains("middle"), "{error}");
    }
}
