//! The scorecard: the versioned per-call result other tools read (JSON).

use serde::{Deserialize, Serialize};

use crate::metrics::Metrics;
use crate::transcript::Party;

/// Bumped whenever a field changes meaning or disappears; additions keep it.
pub const SCORECARD_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub schema_version: u32,
    /// Version of kuulas that scored the call.
    pub kuulas_version: String,
    pub rubric: RubricRef,
    pub scores: Scores,
    /// Evidence, in time order.
    pub moments: Vec<Moment>,
    pub metrics: Metrics,
}

/// Which rubric produced the scores: scores are comparable only under one sha256.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RubricRef {
    pub id: String,
    pub version: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Weighted mean of the dimension scores, 0–100.
    pub overall: f64,
    /// In the rubric's order.
    pub dimensions: Vec<DimensionScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionScore {
    pub id: String,
    pub name: String,
    pub score: f64,
    pub weight: f64,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moment {
    /// Stable behaviour id from the rubric.
    pub behaviour: String,
    pub dimension: String,
    pub party: Party,
    /// Seconds from the start of the recording.
    pub start: f64,
    pub end: f64,
    pub quote: String,
    /// What this moment added to its dimension (0 beyond the behaviour's max_count).
    pub points: f64,
    /// 0–1: lower when words were read fuzzily, skipped or missing, when Whisper was
    /// unsure of them, or when parties were estimated from a mono recording.
    pub confidence: f32,
    /// Whether the call's audio supports the quote (`crate::verify`). An
    /// unverified moment keeps the points it would add, but the dimension scores
    /// count verified moments only. True when the audio was not checked, and in
    /// scorecards written before the field existed.
    #[serde(default = "verified_by_default")]
    pub verified: bool,
}

fn verified_by_default() -> bool {
    true
}

/// What readers of stored moments need (score files, the store's rows): the
/// behaviour, the time, the quote and whether the audio verified it. Other
/// fields are ignored, so partial and older moments read too.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StoredMoment {
    pub behaviour: String,
    pub start: f64,
    pub quote: String,
    #[serde(default = "verified_by_default")]
    pub verified: bool,
}

impl Scorecard {
    pub fn dimension(&self, id: &str) -> Option<f64> {
        self.scores
            .dimensions
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.score)
    }

    /// Whether any moment of behaviour `id` was found.
    pub fn has(&self, id: &str) -> bool {
        self.moments.iter().any(|m| m.behaviour == id)
    }
}
