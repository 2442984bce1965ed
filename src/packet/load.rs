//! Reading the calls of a run back from the store and the per-call score files, into
//! [`CallView`]s. A call whose transcript or score file cannot be read is still
//! shown (without them) and a warning is logged: one broken file must not cost the
//! team the whole night's packet. A recording that is not where the store says is
//! reported in [`Loaded::missing`], never dropped in silence.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::PacketError;
use super::view::{CallView, Moment};
use crate::across::contact::Contact;
use crate::across::rows;
use crate::names::file_name_for;
use crate::store::{CallStatus, RunId, Store};
use crate::transcript::Transcript;

/// Which run's calls to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunSelect {
    /// The newest run that processed at least one call.
    Latest,
    Id(RunId),
    All,
}

/// The run a packet shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    pub id: RunId,
    /// When the run started (RFC 3339), as the store recorded it.
    pub started_at: String,
}

/// A call whose recording is not where the store says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingRecording {
    pub call_id: String,
    /// The path as stored.
    pub path: PathBuf,
}

/// What [`load`] found.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub calls: Vec<CallView>,
    /// The run shown; `None` for [`RunSelect::All`].
    pub run: Option<RunInfo>,
    /// For [`RunSelect::Latest`]: newer runs that processed no call (a rerun that
    /// found nothing new), which the packet skipped.
    pub skipped_runs: Vec<RunId>,
    /// Transcribed calls whose recording is gone: their pages carry no audio.
    pub missing: Vec<MissingRecording>,
    /// The nights before the one shown (at most [`HISTORY`], oldest first), for
    /// the overview's trend; empty for [`RunSelect::All`].
    pub history: Vec<Night>,
    /// Every call the store holds, as the figures across calls read them
    /// ([`crate::across::rows::contact`]): a customer's other calls may be in
    /// other runs than the one shown.
    pub contacts: Vec<Contact>,
}

/// How many earlier nights the overview compares with.
pub const HISTORY: usize = 6;

/// An earlier night as the trend shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Night {
    pub run: RunInfo,
    pub calls: usize,
    /// Mean overall score of its scored calls.
    pub mean_overall: Option<f64>,
}

/// The parts of a `.score.json` the packet reads; the rest is the rubric's business.
#[derive(Deserialize)]
struct ScoreFileView {
    #[serde(default)]
    moments: Vec<serde_json::Value>,
    #[serde(default)]
    metrics: serde_json::Value,
}

/// Loads the calls of `run` from `store` (named `store_name` in messages); score
/// files are looked up in `calls_dir` (`<run dir>/calls`).
pub fn load(
    store: &dyn Store,
    store_name: &str,
    calls_dir: &Path,
    run: RunSelect,
) -> Result<Loaded, PacketError> {
    let mut loaded = Loaded::default();
    let runs = runs_with_calls(store)?;
    let chosen = match run {
        RunSelect::Latest => {
            let newest = store.latest_run()?.ok_or_else(|| PacketError::NoRun {
                store: store_name.to_string(),
            })?;
            let (id, started_at) = runs.last().cloned().ok_or_else(|| PacketError::NoCalls {
                store: store_name.to_string(),
                latest: newest,
            })?;
            loaded.skipped_runs = ((id + 1)..=newest).collect();
            Some(RunInfo { id, started_at })
        }
        RunSelect::Id(id) => Some(RunInfo {
            id,
            started_at: runs
                .iter()
                .find(|(r, _)| *r == id)
                .map(|(_, at)| at.clone())
                .unwrap_or_default(),
        }),
        RunSelect::All => None,
    };
    if let Some(shown) = &chosen {
        let earlier: Vec<&(RunId, String)> = runs.iter().filter(|(r, _)| *r < shown.id).collect();
        for (id, started_at) in earlier.into_iter().rev().take(HISTORY).rev() {
            let rows = store.calls(Some(*id))?.rows;
            let scores: Vec<f64> = rows.iter().filter_map(|r| r.overall).collect();
            loaded.history.push(Night {
                run: RunInfo {
                    id: *id,
                    started_at: started_at.clone(),
                },
                calls: rows.len(),
                mean_overall: (!scores.is_empty())
                    .then(|| scores.iter().sum::<f64>() / scores.len() as f64),
            });
        }
    }
    let table = store.calls(chosen.as_ref().map(|r| r.id))?;
    loaded.run = chosen;
    loaded.contacts = store.contacts()?.iter().map(rows::contact).collect();
    for row in table.rows {
        let transcript = match store.transcript(&row.call_id)? {
            Some(json) => parse_transcript(&row.call_id, &json),
            None => None,
        };
        let score_path = calls_dir.join(format!("{}.score.json", file_name_for(&row.call_id)));
        let (moments, metrics) = read_score_file(&score_path);
        let recording = PathBuf::from(&row.path);
        let found = recording.is_file();
        if !found && transcript.is_some() && row.status != CallStatus::Failed {
            loaded.missing.push(MissingRecording {
                call_id: row.call_id.clone(),
                path: recording.clone(),
            });
        }
        loaded.calls.push(CallView {
            duration: row
                .duration_s
                .or(transcript.as_ref().map(|t| t.duration))
                .unwrap_or(0.0),
            call_id: row.call_id,
            metadata: row.metadata,
            status: row.status,
            failure_reason: row.failure_reason,
            transcript,
            scores: row.scores,
            overall: row.overall,
            moments,
            metrics,
            summary: row.summary,
            audio_path: found.then_some(recording),
            audio_print: None,
        });
    }
    Ok(loaded)
}

/// The runs that calls were last processed in, with their start time, oldest first.
fn runs_with_calls(store: &dyn Store) -> Result<Vec<(RunId, String)>, PacketError> {
    let mut runs: Vec<(RunId, String)> = Vec::new();
    for count in store.status_counts()? {
        if count.calls > 0 && !runs.iter().any(|(r, _)| *r == count.run_id) {
            runs.push((count.run_id, count.run_started_at));
        }
    }
    runs.sort();
    Ok(runs)
}

fn parse_transcript(call_id: &str, json: &str) -> Option<Transcript> {
    Transcript::from_json(json, &format!("the stored transcript of call {call_id}"))
        .inspect_err(|e| tracing::warn!("{e}; the call is shown without it"))
        .ok()
}

/// Moments and metrics of one score file; empty when the file is missing (a call
/// that was only transcribed) or unreadable (logged). Malformed moments are skipped.
fn read_score_file(path: &Path) -> (Vec<Moment>, serde_json::Value) {
    let empty = (Vec::new(), serde_json::Value::Null);
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return empty,
        Err(e) => {
            tracing::warn!("{}: cannot read score file: {e}", path.display());
            return empty;
        }
    };
    let file: ScoreFileView = match serde_json::from_slice(&bytes) {
        Ok(file) => file,
        Err(e) => {
            tracing::warn!("{}: score file is not valid JSON: {e}", path.display());
            return empty;
        }
    };
    let moments = file
        .moments
        .into_iter()
        .filter_map(|m| {
            serde_json::from_value::<Moment>(m)
                .inspect_err(|e| tracing::warn!("{}: moment skipped: {e}", path.display()))
                .ok()
        })
        .filter(|m| m.start.is_finite() && m.end.is_finite())
        .collect();
    (moments, file.metrics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_transcript_of_another_schema_version_is_left_out() {
        let json = |version: u32| {
            format!(
                r#"{{"schema_version": {version}, "duration": 5.0, "language": "fi",
                "attribution": "channels", "segments": []}}"#
            )
        };
        assert!(parse_transcript("c", &json(1)).is_some());
        assert!(parse_transcript("c", &json(2)).is_none());
    }
}
