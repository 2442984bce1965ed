//! Labelled calls: short call transcripts written as turns, with the behaviours a
//! reviewer says are present (and, optionally, absent). Used by `kuulas rubric
//! eval` to measure accuracy and by the rubric self-test to build example calls.
//!
//! Format (TOML, one call per file):
//! ```toml
//! id = "h01"
//! present = ["greeting", "closing"]
//! absent = ["bare_refusal"]       # optional: default = every other evaluated id
//! transcript = "h01.json"         # optional: a Transcript JSON instead of turns
//! domain = "energy"               # optional: the service domain (docs/labelling.md)
//! hard_negatives = ["ownership"]  # optional: absent behaviours the call nearly shows
//! [[turn]]
//! party = "agent"                 # agent | customer
//! text = "Hyvää päivää!"
//! pause_before = 20               # optional seconds of silence before the turn
//! overlap = true                  # optional: starts before the previous turn ends
//! ```
//! Turns get synthetic times: [`TURN_GAP_S`] between turns plus `pause_before`,
//! and [`SECONDS_PER_WORD`] per word; an overlapping turn starts [`OVERLAP_S`]
//! before the previous one ends. The conventions: docs/labelling.md.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::transcript::{
    Attribution, Party, Segment, TRANSCRIPT_SCHEMA_VERSION, Transcript, TranscriptError,
};

pub const TURN_GAP_S: f64 = 0.6;
pub const SECONDS_PER_WORD: f64 = 0.4;
/// How far an overlapping turn reaches back into the previous one (at most half of it).
pub const OVERLAP_S: f64 = 1.0;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledCall {
    pub id: String,
    #[serde(default)]
    pub present: Vec<String>,
    pub absent: Option<Vec<String>>,
    /// Path of a transcript JSON, relative to the labelled file (ASR versions).
    pub transcript: Option<String>,
    pub domain: Option<String>,
    /// Bookkeeping only: absent behaviours the call comes close to (scored as absent).
    #[serde(default)]
    pub hard_negatives: Vec<String>,
    #[serde(rename = "turn", default)]
    pub turns: Vec<LabelledTurn>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledTurn {
    pub party: Party,
    pub text: String,
    #[serde(default)]
    pub pause_before: f64,
    #[serde(default)]
    pub overlap: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}: not a labelled call: {reason}")]
pub struct LabelledError {
    pub file: String,
    pub reason: String,
}

/// Why a directory of labelled calls cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{dir}: cannot list labelled calls: {source}")]
    List {
        dir: PathBuf,
        source: walkdir::Error,
    },
    #[error("{dir}: no labelled calls (*.toml) found")]
    Empty { dir: PathBuf },
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Labelled(#[from] LabelledError),
    #[error(transparent)]
    Transcript(#[from] TranscriptError),
}

/// Every labelled call (`*.toml`, in file-name order) under `dir`, each with the
/// transcript to score: its transcript JSON, or one synthesised from its turns.
pub fn load_dir(dir: &Path) -> Result<Vec<(LabelledCall, Transcript)>, LoadError> {
    let mut calls = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|source| LoadError::List {
            dir: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let call = parse(&path.display().to_string(), &read(path)?)?;
        let transcript = match &call.transcript {
            Some(rel) => {
                let json = path.parent().unwrap_or(dir).join(rel);
                Transcript::from_json(&read(&json)?, &json.display().to_string())?
            }
            None => synthesize(&call.turns),
        };
        calls.push((call, transcript));
    }
    if calls.is_empty() {
        return Err(LoadError::Empty {
            dir: dir.to_path_buf(),
        });
    }
    Ok(calls)
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses one labelled call; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<LabelledCall, LabelledError> {
    let err = |reason: String| LabelledError {
        file: file.to_string(),
        reason,
    };
    let call: LabelledCall = toml::from_str(text).map_err(|e| err(e.to_string()))?;
    match (&call.transcript, call.turns.is_empty()) {
        (None, true) => Err(err("it has neither [[turn]]s nor a transcript".into())),
        (Some(_), false) => Err(err("give either [[turn]]s or a transcript, not both".into())),
        _ => Ok(call),
    }
}

/// A transcript with synthetic times for `turns` (party, text, pause before).
pub fn synthesize(turns: &[LabelledTurn]) -> Transcript {
    let mut t: f64 = 0.0;
    let mut previous_start: f64 = 0.0;
    let mut segments = Vec::new();
    for turn in turns {
        let start = if turn.overlap {
            (t - OVERLAP_S).max((previous_start + t) / 2.0)
        } else {
            t + TURN_GAP_S + turn.pause_before.max(0.0)
        };
        let words = turn.text.split_whitespace().count().max(1);
        let end = start + words as f64 * SECONDS_PER_WORD;
        previous_start = start;
        segments.push(Segment {
            party: turn.party,
            start,
            end,
            text: turn.text.clone(),
            words: Vec::new(),
        });
        t = t.max(end);
    }
    Transcript {
        schema_version: TRANSCRIPT_SCHEMA_VERSION,
        duration: t + TURN_GAP_S,
        language: "fi".to_string(),
        attribution: Attribution::Channels,
        segments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_turns_and_synthesizes_times() {
        let call = parse(
            "x.toml",
            r#"
id = "x"
present = ["greeting"]
[[turn]]
party = "agent"
text = "Hyvää päivää"
[[turn]]
party = "customer"
pause_before = 10
text = "hei"
"#,
        )
        .unwrap();
        let t = synthesize(&call.turns);
        assert_eq!(t.segments.len(), 2);
        assert!((t.segments[0].end - (0.6 + 0.8)).abs() < 1e-9);
        assert!((t.segments[1].start - (1.4 + 0.6 + 10.0)).abs() < 1e-9);
        assert_eq!(t.segments[1].party, Party::Customer);
    }

    #[test]
    fn an_overlapping_turn_starts_before_the_previous_one_ends() {
        let call = parse(
            "o.toml",
            r#"
id = "o"
domain = "energy"
hard_negatives = ["ownership"]
[[turn]]
party = "agent"
text = "Ei se nyt ihan noin mene, kuunnelkaa"
[[turn]]
party = "customer"
overlap = true
text = "Kuunnelkaa itse"
"#,
        )
        .unwrap();
        let t = synthesize(&call.turns);
        let (first, second) = (&t.segments[0], &t.segments[1]);
        assert!(second.start < first.end && second.start > first.start);
        assert!((second.start - (first.end - OVERLAP_S)).abs() < 1e-9);
        assert_eq!(call.domain.as_deref(), Some("energy"));
    }

    #[test]
    fn rejects_calls_without_content_or_with_unknown_fields() {
        assert!(parse("a.toml", "id = \"a\"").is_err());
        let e = parse(
            "b.toml",
            "id = \"b\"\nlabels = []\n[[turn]]\nparty=\"agent\"\ntext=\"x\"",
        );
        assert!(e.unwrap_err().to_string().starts_with("b.toml: "));
    }
}
