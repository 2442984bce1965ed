//! The transcript: the data that flows from `transcribe` to `rubric`, `metrics`,
//! `store` and `packet`, and the versioned JSON format other tools read.
//!
//! Times are seconds from the start of the recording. Segments of both parties are
//! merged into one timeline ordered by start time; overlapping speech stays overlapping.
//!
//! Every transcript read from text (a file, the store) goes through
//! [`Transcript::from_json`], which refuses other schema versions.

use serde::{Deserialize, Serialize};

/// Bumped whenever a field changes meaning or disappears; additions keep the version.
pub const TRANSCRIPT_SCHEMA_VERSION: u32 = 1;

/// Why a text could not be read as a transcript. `origin` names where the text
/// came from (a file path, "the stored transcript of call X").
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("{origin}: not a kuulas transcript: {error}")]
    Malformed {
        origin: String,
        error: serde_json::Error,
    },
    #[error("{origin}: no schema_version; not a kuulas transcript")]
    NoVersion { origin: String },
    #[error(
        "{origin}: transcript schema_version {found} is not supported (this kuulas reads \
         {expected}); transcribe the recording again with this kuulas \
         (`kuulas transcribe`, or `kuulas run --force`)",
        expected = TRANSCRIPT_SCHEMA_VERSION
    )]
    Version { origin: String, found: u64 },
}

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

/// The one field read before the rest, so that another version is named as such
/// rather than as whatever field it happens to lack.
#[derive(Deserialize)]
struct VersionOnly {
    schema_version: Option<u64>,
}

impl Transcript {
    /// Reads a transcript JSON (other fields, such as the batch's `loudness`, are
    /// ignored). `source` names where `text` came from, for the error message.
    pub fn from_json(text: &str, source: &str) -> Result<Transcript, TranscriptError> {
        let malformed = |error| TranscriptError::Malformed {
            origin: source.to_string(),
            error,
        };
        let version = serde_json::from_str::<VersionOnly>(text).map_err(malformed)?;
        match version.schema_version {
            Some(v) if v == u64::from(TRANSCRIPT_SCHEMA_VERSION) => {}
            Some(found) => {
                return Err(TranscriptError::Version {
                    origin: source.to_string(),
                    found,
                });
            }
            None => {
                return Err(TranscriptError::NoVersion {
                    origin: source.to_string(),
                });
            }
        }
        serde_json::from_str(text).map_err(malformed)
    }

    /// Segments of one party, in time order.
    pub fn party_segments(&self, party: Party) -> impl Iterator<Item = &Segment> {
        self.segments.iter().filter(move |s| s.party == party)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"schema_version": 1, "duration": 9.0, "language": "fi",
        "attribution": "channels", "loudness": {"agent": [null, null, null, null]},
        "segments": [{"party": "agent", "start": 0.5, "end": 2.0, "text": "Hyvää päivää"}]}"#;

    #[test]
    fn from_json_reads_this_version_and_ignores_fields_it_does_not_know() {
        let t = Transcript::from_json(GOOD, "c.json").expect("valid");
        assert_eq!(t.duration, 9.0);
        assert_eq!(t.segments[0].party, Party::Agent);
        assert_eq!(t.segments[0].text, "Hyvää päivää");
    }

    #[test]
    fn from_json_names_the_source_and_what_is_wrong() {
        let other = GOOD.replace("\"schema_version\": 1", "\"schema_version\": 7");
        let e = Transcript::from_json(&other, "old.json").unwrap_err();
        assert!(
            matches!(e, TranscriptError::Version { found: 7, .. }),
            "{e}"
        );
        assert!(e.to_string().starts_with("old.json: "), "{e}");
        assert!(
            e.to_string().contains("transcribe the recording again"),
            "{e}"
        );

        let none = GOOD.replace("\"schema_version\": 1,", "");
        let e = Transcript::from_json(&none, "x.json").unwrap_err();
        assert!(matches!(e, TranscriptError::NoVersion { .. }), "{e}");

        let e = Transcript::from_json("not json", "y.json").unwrap_err();
        assert!(matches!(e, TranscriptError::Malformed { .. }), "{e}");
        let broken = GOOD.replace("\"party\": \"agent\"", "\"party\": \"boss\"");
        let e = Transcript::from_json(&broken, "z.json").unwrap_err();
        assert!(
            e.to_string().contains("z.json") && e.to_string().contains("boss"),
            "{e}"
        );
    }
}
