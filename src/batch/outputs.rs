//! Per-call output files: `<out>/calls/<name>.transcript.json` and
//! `<out>/calls/<name>.score.json`, where `<name>` is the call id made safe for a
//! file name ([`file_name_for`], one name per call id). Files are written with `crate::atomic`, so a killed run leaves either
//! the previous file or the complete new one; the temporary files such a kill
//! leaves behind are swept at the start of the next run.

use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::processor::{ProcessorIdentity, ScoredCall, Transcribed};
use crate::names::file_name_for;
use crate::store::CallMetadata;

/// Bumped whenever a field of the score file changes meaning or disappears.
pub const SCORE_FILE_SCHEMA_VERSION: u32 = 1;

/// The two output files of one call.
#[derive(Debug, Clone)]
pub struct CallFiles {
    pub transcript: PathBuf,
    pub score: PathBuf,
}

impl CallFiles {
    pub fn new(calls_dir: &Path, call_id: &str) -> CallFiles {
        let name = file_name_for(call_id);
        CallFiles {
            transcript: calls_dir.join(format!("{name}.transcript.json")),
            score: calls_dir.join(format!("{name}.score.json")),
        }
    }

    pub fn write_transcript(&self, transcript: &Transcribed) -> io::Result<()> {
        crate::atomic::write(&self.transcript, &pretty(transcript)?)
    }

    pub fn write_score(&self, score: &ScoreFile<'_>) -> io::Result<()> {
        crate::atomic::write(&self.score, &pretty(score)?)
    }

    /// Removes both files: they belonged to content that no longer processes.
    pub fn remove_all(&self) -> io::Result<()> {
        remove_if_present(&self.transcript)?;
        remove_if_present(&self.score)
    }
}

/// Moves the files of the call `from` to the names of the call `to`: the
/// transcript moves, the score file (which names the call) is removed, to be
/// written again when the call is scored under its new id.
pub fn rename(calls_dir: &Path, from: &str, to: &str) -> io::Result<()> {
    let (old, new) = (
        CallFiles::new(calls_dir, from),
        CallFiles::new(calls_dir, to),
    );
    match std::fs::rename(&old.transcript, &new.transcript) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    remove_if_present(&old.score)
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn pretty<T: Serialize + ?Sized>(value: &T) -> io::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Deletes temporary files left by writes that a killed run never finished.
pub fn sweep_temporaries(calls_dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(calls_dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(".kuulas-") && name.ends_with(".tmp") {
            remove_if_present(&entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The `.score.json` format. A separate type from the store's, so either can
/// change without breaking the other.
#[derive(Debug, Serialize)]
pub struct ScoreFile<'a> {
    pub schema_version: u32,
    pub kuulas_version: &'static str,
    pub call_id: &'a str,
    pub recording: &'a str,
    pub model_sha256: Option<&'a str>,
    pub rubric_sha256: Option<&'a str>,
    pub metadata: MetadataDto<'a>,
    pub overall: Option<f64>,
    pub scores: Vec<ScoreDto<'a>>,
    pub metrics: &'a serde_json::Value,
    pub moments: &'a serde_json::Value,
}

#[derive(Debug, Serialize)]
pub struct MetadataDto<'a> {
    pub agent: Option<&'a str>,
    pub team: Option<&'a str>,
    pub queue: Option<&'a str>,
    pub started_at: Option<&'a str>,
    pub agent_channel: Option<&'a str>,
    pub language: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct ScoreDto<'a> {
    pub dimension: &'a str,
    pub score: Option<f64>,
}

impl<'a> ScoreFile<'a> {
    pub fn new(
        call_id: &'a str,
        recording: &'a str,
        metadata: &'a CallMetadata,
        identity: &'a ProcessorIdentity,
        scored: &'a ScoredCall,
    ) -> ScoreFile<'a> {
        ScoreFile {
            schema_version: SCORE_FILE_SCHEMA_VERSION,
            kuulas_version: env!("CARGO_PKG_VERSION"),
            call_id,
            recording,
            model_sha256: identity.model_sha256.as_deref(),
            rubric_sha256: identity.rubric_sha256.as_deref(),
            metadata: MetadataDto {
                agent: metadata.agent.as_deref(),
                team: metadata.team.as_deref(),
                queue: metadata.queue.as_deref(),
                started_at: metadata.started_at.as_deref(),
                agent_channel: metadata.agent_channel.as_deref(),
                language: metadata.language.as_deref(),
            },
            overall: scored.overall,
            scores: scored
                .dimensions
                .iter()
                .map(|d| ScoreDto {
                    dimension: &d.dimension,
                    score: d.score,
                })
                .collect(),
            metrics: &scored.metrics,
            moments: &scored.moments,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweep_removes_only_kuulas_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".kuulas-abc.tmp"), b"half").unwrap();
        std::fs::write(dir.path().join("c.score.json"), b"{}").unwrap();
        assert_eq!(sweep_temporaries(dir.path()).unwrap(), 1);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
