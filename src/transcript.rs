//! The transcript: the data that flows from `transcribe` to `rubric`, `metrics`,
//! `store` and `packet`, and the versioned JSON format other tools read.
//!
//! Times are seconds from the start of the recording. Segments of both parties are
//! merged into one timeline ordered by start time; overlapping speech stays overlapping.
//!
//! Transcripts read from disk or from a store are untrusted: [`Transcript::from_json`]
//! and [`Transcript::from_value`] are the one way in, and refuse a transcript whose
//! times could not come from a recording (NaN or absurd values, a segment that ends
//! before it starts or long after the recording ends), naming the file and the field.

use serde::{Deserialize, Serialize};

use crate::escape::escape;

/// Bumped whenever a field changes meaning or disappears; additions keep the version.
pub const TRANSCRIPT_SCHEMA_VERSION: u32 = 1;

/// The longest recording a transcript may describe, in seconds (a day): far beyond
/// any call, short of the absurd values that overflow sums and plots.
pub const MAX_TRANSCRIPT_DURATION_S: f64 = 24.0 * 3600.0;

/// How far a segment or word may end after the stated duration, in seconds, for
/// rounding in tools that wrote the transcript.
pub const END_TOLERANCE_S: f64 = 1.0;

/// Why a transcript was refused. `file` names where it came from (a path, or the
/// store and call id).
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error(
        "{}: not a kuulas transcript ({reason}); create it with `kuulas transcribe`",
        escape(file)
    )]
    Malformed { file: String, reason: String },
    #[error(
        "{}: transcript schema_version {found} is not supported (this kuulas reads {}); re-create it with this kuulas's `kuulas transcribe`",
        escape(file),
        TRANSCRIPT_SCHEMA_VERSION
    )]
    Version { file: String, found: String },
    #[error(
        "{}: {field} = {value} {why}; the transcript is corrupt — re-create it with `kuulas transcribe`",
        escape(file)
    )]
    BadTime {
        file: String,
        field: String,
        value: f64,
        why: String,
    },
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

impl Transcript {
    /// Parses and validates a transcript JSON; `file` names it in errors.
    pub fn from_json(text: &str, file: &str) -> Result<Transcript, TranscriptError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| TranscriptError::Malformed {
                file: file.to_string(),
                reason: format!("not JSON: {e}"),
            })?;
        Transcript::from_value(&value, file)
    }

    /// Validates a transcript already parsed as JSON (e.g. read from the store, where
    /// it may carry extra keys such as loudness).
    pub fn from_value(
        value: &serde_json::Value,
        file: &str,
    ) -> Result<Transcript, TranscriptError> {
        let version = value.get("schema_version");
        if version.and_then(serde_json::Value::as_u64) != Some(u64::from(TRANSCRIPT_SCHEMA_VERSION))
        {
            return Err(TranscriptError::Version {
                file: file.to_string(),
                found: version.map_or_else(|| "(missing)".to_string(), ToString::to_string),
            });
        }
        let transcript =
            Transcript::deserialize(value).map_err(|e| TranscriptError::Malformed {
                file: file.to_string(),
                reason: e.to_string(),
            })?;
        transcript.validate(file)?;
        Ok(transcript)
    }

    /// Checks that every time could come from a recording of `duration` seconds.
    fn validate(&self, file: &str) -> Result<(), TranscriptError> {
        let bad = |field: String, value: f64, why: &str| TranscriptError::BadTime {
            file: file.to_string(),
            field,
            value,
            why: why.to_string(),
        };
        let d = self.duration;
        if !(0.0..=MAX_TRANSCRIPT_DURATION_S).contains(&d) {
            return Err(bad(
                "duration".into(),
                d,
                &format!("is not a length from 0 to {MAX_TRANSCRIPT_DURATION_S} s"),
            ));
        }
        let span = |field: &str, start: f64, end: f64| {
            if !(0.0..=d + END_TOLERANCE_S).contains(&start) {
                return Err(bad(format!("{field}.start"), start, &within(d)));
            }
            if !(start..=d + END_TOLERANCE_S).contains(&end) {
                return Err(bad(
                    format!("{field}.end"),
                    end,
                    &format!("is not between the start ({start}) and the duration ({d} s)"),
                ));
            }
            Ok(())
        };
        for (i, s) in self.segments.iter().enumerate() {
            span(&format!("segments[{i}]"), s.start, s.end)?;
            for (j, w) in s.words.iter().enumerate() {
                let field = format!("segments[{i}].words[{j}]");
                span(&field, w.start, w.end)?;
                if !(0.0..=1.0).contains(&w.probability) {
                    return Err(bad(
                        format!("{field}.probability"),
                        f64::from(w.probability),
                        "is not a probability from 0 to 1",
                    ));
                }
            }
        }
        Ok(())
    }

    /// True when any segment has words in it: a call with none is not scored.
    pub fn has_speech(&self) -> bool {
        self.segments.iter().any(|s| !s.text.trim().is_empty())
    }

    /// Segments of one party, in time order.
    pub fn party_segments(&self, party: Party) -> impl Iterator<Item = &Segment> {
        self.segments.iter().filter(move |s| s.party == party)
    }
}

fn within(duration: f64) -> String {
    format!("is not a time from 0 to the duration ({duration} s)")
}

/// A transcript of the agent saying `lines`, a 3 s segment every 10 s (tests).
#[cfg(test)]
pub(crate) fn agent_says(lines: &[&str]) -> Transcript {
    Transcript {
        schema_version: TRANSCRIPT_SCHEMA_VERSION,
        duration: 10.0 * lines.len() as f64,
        language: "fi".to_string(),
        attribution: Attribution::Channels,
        segments: lines
            .iter()
            .enumerate()
            .map(|(i, text)| Segment {
                party: Party::Agent,
                start: 10.0 * i as f64,
                end: 10.0 * i as f64 + 3.0,
                text: text.to_string(),
                words: Vec::new(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(duration: &str, start: &str, end: &str) -> String {
        format!(
            r#"{{"schema_version": 1, "duration": {duration}, "language": "fi", "attribution": "channels",
            "segments": [{{"party": "agent", "start": 0.5, "end": 2.0, "text": "Hei"}},
                         {{"party": "customer", "start": {start}, "end": {end}, "text": "Moi",
                           "words": [{{"text": "Moi", "start": 3.0, "end": 3.5, "probability": 0.9}}]}}]}}"#
        )
    }

    #[test]
    fn a_sound_transcript_reads() {
        let t = Transcript::from_json(&json("70.0", "3.0", "4.0"), "c.json").unwrap();
        assert_eq!(t.segments.len(), 2);
        assert!(t.has_speech());
        // Within the tolerance after the end of the recording.
        Transcript::from_json(&json("4.0", "3.0", "4.5"), "c.json").unwrap();
    }

    #[test]
    fn absurd_times_are_refused_naming_the_file_and_the_field() {
        for (duration, start, end, field) in [
            ("1e308", "3.0", "4.0", "duration"),
            ("-5.0", "3.0", "4.0", "duration"),
            ("70.0", "-1.0", "4.0", "segments[1].start"),
            ("70.0", "1e308", "1e308", "segments[1].start"),
            ("70.0", "5.0", "4.0", "segments[1].end"),
            ("70.0", "3.0", "1e308", "segments[1].end"),
            ("70.0", "3.0", "75.0", "segments[1].end"),
        ] {
            let err = Transcript::from_json(&json(duration, start, end), "night/c.json")
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("night/c.json: ") && err.contains(&format!("{field} = ")),
                "duration {duration} start {start} end {end}: {err}"
            );
        }
    }

    #[test]
    fn words_outside_their_recording_and_odd_probabilities_are_refused() {
        let text = json("70.0", "3.0", "4.0");
        for (from, to, field) in [
            (
                "\"start\": 3.0, \"end\": 3.5",
                "\"start\": 3.0, \"end\": -3.5",
                "words[0].end",
            ),
            (
                "\"probability\": 0.9",
                "\"probability\": 7",
                "words[0].probability",
            ),
        ] {
            let err = Transcript::from_json(&text.replace(from, to), "c.json")
                .unwrap_err()
                .to_string();
            assert!(err.contains(field), "{err}");
        }
    }

    #[test]
    fn other_versions_and_non_json_are_refused_with_the_file() {
        let v2 =
            json("70.0", "3.0", "4.0").replace("\"schema_version\": 1", "\"schema_version\": 2");
        let err = Transcript::from_json(&v2, "c.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("c.json") && err.contains("schema_version 2"),
            "{err}"
        );
        let err = Transcript::from_json("RIFF", "c.json")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.json: not a kuulas transcript"), "{err}");
    }

    #[test]
    fn a_transcript_of_blank_segments_has_no_speech() {
        let mut t = Transcript::from_json(&json("70.0", "3.0", "4.0"), "c.json").unwrap();
        for s in &mut t.segments {
            s.text = "  ".into();
        }
        assert!(!t.has_speech());
        t.segments.clear();
        assert!(!t.has_speech());
    }
}
