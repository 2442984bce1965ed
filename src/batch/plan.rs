//! Deciding what a run does with each recording, from what the store already
//! knows. The fast check is size + mtime; when either changed, the job hashes the
//! content and only reprocesses if the hash changed too. Everything here is pure:
//! the recordings and the store's view go in, a list of planned calls comes out.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::discover::Recording;
use super::metadata::{Manifest, call_metadata};
use crate::store::{CallMetadata, CallStatus, KnownCall};

/// How much of the stored state a run trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only new, changed, interrupted or failed recordings.
    Incremental,
    /// Everything, from scratch.
    Force,
    /// Like `Incremental`, and every stored transcript is scored again.
    Rescore,
}

/// What to do with one recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Stored result is current.
    Skip,
    /// Hash, transcribe, score.
    Full,
    /// Score the stored transcript (content unchanged, `sha256` as stored).
    ScoreOnly { sha256: String },
    /// Size or mtime changed: hash; if it still equals `sha256`, the content is the
    /// same and the call is skipped (or only scored when `then_score`).
    Verify { sha256: String, then_score: bool },
    /// Cannot be processed at all; recorded as failed with this reason.
    Fail(String),
}

#[derive(Debug, Clone)]
pub struct PlannedCall {
    pub call_id: String,
    pub path: PathBuf,
    /// The path as stored (lossy for non-UTF-8 names).
    pub path_text: String,
    /// The path below the input directory, as text.
    pub relative: String,
    pub size: u64,
    pub mtime_ns: i64,
    pub metadata: CallMetadata,
    pub action: Action,
}

/// Plans every recording against the store's `known` calls.
pub fn plan(
    recordings: Vec<Recording>,
    manifest: &Manifest,
    known: Vec<KnownCall>,
    mode: Mode,
) -> Vec<PlannedCall> {
    let known: HashMap<String, KnownCall> =
        known.into_iter().map(|k| (k.call_id.clone(), k)).collect();
    let mut taken = HashSet::new();
    recordings
        .into_iter()
        .map(|rec| {
            let mut call = identify(rec, manifest);
            if !taken.insert(call.call_id.clone()) {
                // Two recordings claim one id: the later one falls back to its path.
                let reason = format!(
                    "call id `{}` is already used by another recording",
                    call.call_id
                );
                call.call_id = call.relative.clone();
                taken.insert(call.call_id.clone());
                call.action = Action::Fail(reason);
            }
            if call.action == Action::Full {
                call.action = decide(&call, known.get(&call.call_id), mode);
            }
            call
        })
        .collect()
}

/// Names the call and reads its metadata; failures become `Action::Fail`.
fn identify(rec: Recording, manifest: &Manifest) -> PlannedCall {
    let mut call = PlannedCall {
        relative: rec.relative.to_string_lossy().into_owned(),
        call_id: default_call_id(&rec.relative),
        path_text: rec.path.to_string_lossy().into_owned(),
        path: rec.path,
        size: rec.size,
        mtime_ns: rec.mtime_ns,
        metadata: CallMetadata::default(),
        action: Action::Full,
    };
    if rec.relative.to_str().is_none() {
        call.action = Action::Fail(format!(
            "file name `{}` is not valid UTF-8 (shown with \u{FFFD}); rename the file to process it",
            call.relative
        ));
        return call;
    }
    match call_metadata(&call.path, &rec.relative, manifest) {
        Ok((id, metadata)) => {
            if let Some(id) = id {
                call.call_id = id;
            }
            call.metadata = metadata;
        }
        Err(e) => call.action = Action::Fail(e.to_string()),
    }
    call
}

/// `day/agent7/call-0001.wav` → `day/agent7/call-0001`.
pub fn default_call_id(relative: &Path) -> String {
    let stem = relative.with_extension("");
    let parts: Vec<_> = stem
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

fn decide(call: &PlannedCall, known: Option<&KnownCall>, mode: Mode) -> Action {
    let Some(known) = known else {
        return Action::Full;
    };
    if mode == Mode::Force {
        return Action::Full;
    }
    let rescore = mode == Mode::Rescore;
    let sha256 = known.fingerprint.sha256.clone();
    let same_stat =
        known.fingerprint.size == call.size && known.fingerprint.mtime_ns == call.mtime_ns;
    match known.status {
        // Failures are retried: the cause (metadata, a transient error) may be fixed.
        CallStatus::Pending | CallStatus::Running | CallStatus::Failed => Action::Full,
        CallStatus::Scored | CallStatus::Transcribed if !same_stat => Action::Verify {
            sha256,
            then_score: rescore || known.status == CallStatus::Transcribed,
        },
        CallStatus::Transcribed => Action::ScoreOnly { sha256 },
        CallStatus::Scored if rescore => Action::ScoreOnly { sha256 },
        CallStatus::Scored => Action::Skip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Fingerprint;

    fn rec(relative: &str, size: u64, mtime_ns: i64) -> Recording {
        Recording {
            path: PathBuf::from("/in").join(relative),
            relative: relative.into(),
            size,
            mtime_ns,
        }
    }

    fn known(id: &str, size: u64, mtime_ns: i64, status: CallStatus) -> KnownCall {
        let fingerprint = Fingerprint {
            size,
            mtime_ns,
            sha256: "abc".into(),
        };
        KnownCall {
            call_id: id.into(),
            fingerprint,
            status,
        }
    }

    fn actions(known_calls: Vec<KnownCall>, mode: Mode) -> Vec<Action> {
        let recs = vec![
            rec("a.wav", 10, 1),
            rec("b.wav", 10, 1),
            rec("c.wav", 10, 1),
            rec("d.wav", 10, 1),
        ];
        plan(recs, &Manifest::default(), known_calls, mode)
            .into_iter()
            .map(|c| c.action)
            .collect()
    }

    #[test]
    fn rerun_skips_unchanged_and_verifies_changed_stat() {
        let store = vec![
            known("a", 10, 1, CallStatus::Scored),
            known("b", 10, 2, CallStatus::Scored),
            known("c", 10, 1, CallStatus::Failed),
        ];
        let verify = Action::Verify {
            sha256: "abc".into(),
            then_score: false,
        };
        assert_eq!(
            actions(store, Mode::Incremental),
            [Action::Skip, verify, Action::Full, Action::Full]
        );
    }

    #[test]
    fn interrupted_calls_resume_where_they_stopped() {
        let store = vec![
            known("a", 10, 1, CallStatus::Transcribed),
            known("b", 10, 1, CallStatus::Pending),
            known("c", 10, 1, CallStatus::Running),
        ];
        let score = Action::ScoreOnly {
            sha256: "abc".into(),
        };
        assert_eq!(
            actions(store, Mode::Incremental),
            [score, Action::Full, Action::Full, Action::Full]
        );
    }

    #[test]
    fn force_redoes_everything_and_rescore_rescores_stored_transcripts() {
        let store = || {
            vec![
                known("a", 10, 1, CallStatus::Scored),
                known("b", 10, 9, CallStatus::Scored),
            ]
        };
        assert!(
            actions(store(), Mode::Force)
                .iter()
                .all(|a| *a == Action::Full)
        );
        let rescored = actions(store(), Mode::Rescore);
        assert_eq!(
            rescored[0],
            Action::ScoreOnly {
                sha256: "abc".into()
            }
        );
        assert_eq!(
            rescored[1],
            Action::Verify {
                sha256: "abc".into(),
                then_score: true
            }
        );
    }

    #[test]
    fn duplicate_call_ids_fail_the_later_recording_under_its_path() {
        let recs = vec![rec("x.wav", 1, 1), rec("x.mp3", 1, 1)];
        let planned = plan(recs, &Manifest::default(), vec![], Mode::Incremental);
        assert_eq!(planned[0].call_id, "x");
        assert_eq!(planned[0].action, Action::Full);
        assert_eq!(planned[1].call_id, "x.mp3");
        assert!(matches!(&planned[1].action, Action::Fail(r) if r.contains("already used")));
    }

    #[test]
    fn default_id_is_the_relative_path_without_extension() {
        assert_eq!(
            default_call_id(Path::new("day/agent7/call-0001.wav")),
            "day/agent7/call-0001"
        );
    }
}
