//! The plain data a packet is rendered from: one [`CallView`] per call, independent
//! of the rubric and metrics types so the renderer can be fed by hand in tests.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::fingerprint::AudioPrint;
use crate::store::{CallMetadata, CallStatus, DimensionScore, MetricSummary};
use crate::transcript::Transcript;

/// One piece of rubric evidence, as the score file's `moments` array holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moment {
    pub behaviour: String,
    #[serde(default)]
    pub party: String,
    pub start: f64,
    pub end: f64,
    #[serde(default)]
    pub quote: String,
    #[serde(default)]
    pub points: f64,
    #[serde(default = "full_confidence")]
    pub confidence: f64,
    /// The rubric dimension the moment counts in; empty when the file does not say.
    #[serde(default)]
    pub dimension: String,
    /// Whether the call's audio supports the quote (`crate::verify`); an unverified
    /// moment counts nowhere. True in score files written before the check existed.
    #[serde(default = "verified_by_default")]
    pub verified: bool,
}

fn full_confidence() -> f64 {
    1.0
}

fn verified_by_default() -> bool {
    true
}

impl Moment {
    /// How strongly the moment counts: positive for exemplary, negative for cautionary.
    pub fn weight(&self) -> f64 {
        self.points * self.confidence
    }

    /// Whether the moment moved its dimension's score: verified by the audio and
    /// worth points. Only such moments are examples, clips or reasons.
    pub fn counts(&self) -> bool {
        self.verified && self.points != 0.0
    }
}

/// Everything a packet shows about one call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallView {
    pub call_id: String,
    pub metadata: CallMetadata,
    pub status: CallStatus,
    pub failure_reason: Option<String>,
    /// Seconds; 0 when unknown.
    pub duration: f64,
    pub transcript: Option<Transcript>,
    /// In rubric order.
    pub scores: Vec<DimensionScore>,
    pub overall: Option<f64>,
    pub moments: Vec<Moment>,
    /// The metrics stage's JSON object, rendered key by key.
    pub metrics: serde_json::Value,
    pub summary: MetricSummary,
    /// The recording, when the packet should carry its audio.
    pub audio_path: Option<PathBuf>,
    /// What the recording sounds like, to tell two encodings of one call apart from
    /// two calls ([`super::fingerprint`]); `None` when not measured.
    pub audio_print: Option<AudioPrint>,
}

impl CallView {
    pub fn score(&self, dimension: &str) -> Option<f64> {
        if dimension == "overall" {
            return self.overall;
        }
        self.scores
            .iter()
            .find(|s| s.dimension == dimension)
            .and_then(|s| s.score)
    }

    /// How warm the call was: warmth and overall averaged, whichever exist.
    pub fn warmth(&self) -> Option<f64> {
        let known: Vec<f64> = [self.score("warmth"), self.overall]
            .into_iter()
            .flatten()
            .collect();
        (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
    }

    /// The calendar date of `started_at` (its first ten characters), if given.
    pub fn date(&self) -> Option<&str> {
        self.metadata
            .started_at
            .as_deref()
            .and_then(|s| s.get(..10))
    }

    /// Change of customer sentiment from start to end, if the metrics stage gave both.
    pub fn turnaround(&self) -> Option<f64> {
        Some(self.summary.customer_sentiment_end? - self.summary.customer_sentiment_start?)
    }
}
