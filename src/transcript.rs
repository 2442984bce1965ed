//! The transcript: the data that flows from `transcribe` to `rubric`, `metrics`,
//! `store` and `packet`, and the versioned JSON format other tools read.
//!
//! Times are seconds from the start of the recording. Segments of both parties are
//! merged into one timeline ordered by start time; overlapping speech stays overlapping.

use serde::{Deserialize, Serialize};

/// Bumped whenever a field changes meaning or disappears; additions keep the version.
pub const TRANSCRIPT_SCHEMA_VERSION: u32 = 1;

/// Who spoke a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Party {
    Agent,
    Customer,
    Unknown,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Agent => "agent",
            Party::Customer => "customer",
            Party::Unknown => "unknown",
        }
    }
}

/// How segments were attributed to parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// One party per channel of a stereo recording: reliable.
    Channels,
    /// A mono recording: parties were guessed and may be wrong.
    Estimated,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub start: f64,
    pub end: f64,
    pub probability: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub party: Party,
    pub start: f64,
    pub end: f64,
    pub text: String,
    #[serde(default)]
    pub words: Vec<Word>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub schema_version: u32,
    /// Length of the recording in seconds.
    pub duration: f64,
    /// ISO 639-1 code of the language the model decoded (`fi` by default).
    pub language: String,
    pub attribution: Attribution,
    pub segments: Vec<Segment>,
}

impl Transcript {
    /// Segments of one party, in time order.
    pub fn party_segments(&self, party: Party) -> impl Iterator<Item = &Segment> {
        self.segments.iter().filter(move |s| s.party == party)
    }
}
