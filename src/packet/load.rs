//! Reading the calls of a run back from the store and the per-call score files, into
//! [`CallView`]s. A call whose transcript or score file cannot be read is still
//! shown (without them) and a warning is logged: one broken file must not cost the
//! team the whole night's packet.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::PacketError;
use super::view::{CallView, Moment};
use crate::names::file_name_for;
use crate::store::{RunId, SqliteStore, Store};
use crate::transcript::Transcript;

/// Which run's calls to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunSelect {
    Latest,
    Id(RunId),
    All,
}

/// The parts of a `.score.json` the packet reads; the rest is the rubric's business.
#[derive(Deserialize)]
struct ScoreFileView {
    #[serde(default)]
    moments: Vec<serde_json::Value>,
    #[serde(default)]
    metrics: serde_json::Value,
}

/// Loads the calls of `run` from the store at `store_path`; score files are looked
/// up in `calls_dir` (`<out>/calls`).
pub fn load(
    store_path: &Path,
    calls_dir: &Path,
    run: RunSelect,
) -> Result<Vec<CallView>, PacketError> {
    let store = SqliteStore::open_existing(store_path)?;
    let run = match run {
        RunSelect::Latest => Some(store.latest_run()?.ok_or_else(|| PacketError::NoRun {
            store: store_path.to_path_buf(),
        })?),
        RunSelect::Id(id) => Some(id),
        RunSelect::All => None,
    };
    let table = store.calls(run)?;
    let mut views = Vec::with_capacity(table.rows.len());
    for row in table.rows {
        let transcript = match store.transcript(&row.call_id)? {
            Some(json) => parse_transcript(&row.call_id, &json),
            None => None,
        };
        let score_path = calls_dir.join(format!("{}.score.json", file_name_for(&row.call_id)));
        let (moments, metrics) = read_score_file(&score_path);
        let recording = PathBuf::from(&row.path);
        views.push(CallView {
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
            audio_path: recording.is_file().then_some(recording),
        });
    }
    Ok(views)
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
