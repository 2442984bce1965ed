//! Deciding what a run does with each recording, from what the store already
//! knows. The fast check is size + mtime; when either changed, the job hashes the
//! content and only reprocesses if the hash changed too. A stored call is also
//! redone when its transcript was made with other transcription settings, or when
//! an interrupted `--force` run never reached it; a call the store knows under
//! another id (the manifest now names it) keeps its transcript under the new id.
//! Everything here is pure: the recordings and the store's view go in, a list of
//! planned calls comes out.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::discover::Recording;
use super::metadata::{Manifest, call_metadata};
use crate::store::{CallMetadata, CallStatus, KnownCall, RunId};

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

/// What a run means to do, beyond what the store says about each call.
#[derive(Debug, Clone)]
pub struct Intent {
    pub mode: Mode,
    /// An interrupted `--force` run this run finishes: every call last processed
    /// before it is redone.
    pub resume_force: Option<RunId>,
    /// This run's transcription settings (JSON), compared with each call's.
    pub transcription: Option<String>,
}

/// Why a call is redone although its recording did not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redo {
    /// The `--force` begun by this run was interrupted before reaching the call.
    ResumeForce(RunId),
    /// The transcript was made with other settings; says which changed.
    Settings(String),
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
    /// Why a stored call is redone although its recording did not change.
    pub redo: Option<Redo>,
    /// The id the store knows this recording by, when the call's id changed.
    pub renamed_from: Option<String>,
}

/// Plans every recording against the store's `known` calls.
pub fn plan(
    recordings: Vec<Recording>,
    manifest: &Manifest,
    known: Vec<KnownCall>,
    intent: &Intent,
) -> Vec<PlannedCall> {
    let mut taken = HashSet::new();
    let mut calls: Vec<PlannedCall> = recordings
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
            call
        })
        .collect();
    // A stored call no recording claims by id may be claimed by its path.
    let by_path: HashMap<&str, &KnownCall> = known
        .iter()
        .filter(|k| !taken.contains(&k.call_id))
        .map(|k| (k.path.as_str(), k))
        .collect();
    let by_id: HashMap<&str, &KnownCall> = known.iter().map(|k| (k.call_id.as_str(), k)).collect();
    for call in calls.iter_mut().filter(|c| c.action == Action::Full) {
        let stored = match by_id.get(call.call_id.as_str()) {
            Some(k) => Some(*k),
            None => by_path.get(call.path_text.as_str()).copied(),
        };
        (call.action, call.redo) = decide(call, stored, intent);
        if let Some(k) = stored.filter(|k| k.call_id != call.call_id) {
            call.renamed_from = Some(k.call_id.clone());
            // The score file and metadata carry the id: score again under the new one.
            call.action = match std::mem::replace(&mut call.action, Action::Skip) {
                Action::Skip => Action::ScoreOnly {
                    sha256: k.fingerprint.sha256.clone(),
                },
                Action::Verify { sha256, .. } => Action::Verify {
                    sha256,
                    then_score: true,
                },
                other => other,
            };
        }
    }
    calls
}

/// One line per reason a rerun redoes stored calls, with how many, for the log
/// and the run's summary.
pub fn redo_summary(calls: &[PlannedCall]) -> Vec<String> {
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for call in calls {
        let reason = match &call.redo {
            Some(Redo::ResumeForce(run)) => {
                format!("redone to finish the --force of run {run}, which was interrupted")
            }
            Some(Redo::Settings(change)) => {
                format!("transcribed again: the transcription settings changed ({change})")
            }
            None => match &call.renamed_from {
                Some(_) => "renamed to the id the metadata now gives them; transcripts kept, \
                            scored again"
                    .to_string(),
                None => continue,
            },
        };
        *reasons.entry(reason).or_default() += 1;
    }
    reasons
        .into_iter()
        .map(|(reason, n)| format!("{n} stored call{} {reason}", if n == 1 { "" } else { "s" }))
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
        redo: None,
        renamed_from: None,
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

fn decide(
    call: &PlannedCall,
    known: Option<&KnownCall>,
    intent: &Intent,
) -> (Action, Option<Redo>) {
    let Some(known) = known else {
        return (Action::Full, None);
    };
    if intent.mode == Mode::Force {
        return (Action::Full, None);
    }
    if let Some(since) = intent.resume_force.filter(|since| known.run_id < *since) {
        return (Action::Full, Some(Redo::ResumeForce(since)));
    }
    let has_transcript = matches!(known.status, CallStatus::Scored | CallStatus::Transcribed);
    if has_transcript
        && let Some(change) = settings_change(
            known.transcribed_with.as_deref(),
            intent.transcription.as_deref(),
        )
    {
        return (Action::Full, Some(Redo::Settings(change)));
    }
    (decide_by_content(call, known, intent.mode), None)
}

/// What differs between two transcription settings (JSON objects), or `None`
/// when they are the same or either is not known.
fn settings_change(stored: Option<&str>, current: Option<&str>) -> Option<String> {
    let (stored, current) = (stored?, current?);
    if stored == current {
        return None;
    }
    let parse = |s| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s).ok();
    let (Some(old), Some(new)) = (parse(stored), parse(current)) else {
        return Some("not readable; treated as changed".into());
    };
    let show = |v: Option<&serde_json::Value>| {
        let text = v.map_or_else(|| "none".to_string(), |v| v.to_string().replace('"', ""));
        match text.chars().count() > 16 {
            true => text.chars().take(12).collect::<String>() + "…",
            false => text,
        }
    };
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let changes: Vec<String> = keys
        .into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| format!("{k} {} → {}", show(old.get(k)), show(new.get(k))))
        .collect();
    (!changes.is_empty()).then(|| changes.join(", "))
}

/// The decision for a stored call from its status and whether its file changed.
fn decide_by_content(call: &PlannedCall, known: &KnownCall, mode: Mode) -> Action {
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
            path: format!("/in/{id}.wav"),
            fingerprint,
            status,
            run_id: 1,
            transcribed_with: None,
        }
    }

    fn intent(mode: Mode) -> Intent {
        Intent {
            mode,
            resume_force: None,
            transcription: None,
        }
    }

    fn recordings() -> Vec<Recording> {
        vec![
            rec("a.wav", 10, 1),
            rec("b.wav", 10, 1),
            rec("c.wav", 10, 1),
            rec("d.wav", 10, 1),
        ]
    }

    fn planned(known_calls: Vec<KnownCall>, intent: &Intent) -> Vec<PlannedCall> {
        plan(recordings(), &Manifest::default(), known_calls, intent)
    }

    fn actions(known_calls: Vec<KnownCall>, mode: Mode) -> Vec<Action> {
        planned(known_calls, &intent(mode))
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
        let planned = plan(
            recs,
            &Manifest::default(),
            vec![],
            &intent(Mode::Incremental),
        );
        assert_eq!(planned[0].call_id, "x");
        assert_eq!(planned[0].action, Action::Full);
        assert_eq!(planned[1].call_id, "x.mp3");
        assert!(matches!(&planned[1].action, Action::Fail(r) if r.contains("already used")));
    }

    /// Issue 20, defect 7: a killed `--force` run (run 5) is finished by a plain
    /// rerun: calls it had not reached yet are redone, the ones it did are not.
    #[test]
    fn plain_rerun_finishes_an_interrupted_force() {
        let mut store = vec![
            known("a", 10, 1, CallStatus::Scored),
            known("b", 10, 1, CallStatus::Scored),
        ];
        store[1].run_id = 5;
        let resume = Intent {
            resume_force: Some(5),
            ..intent(Mode::Incremental)
        };
        let calls = planned(store, &resume);
        assert_eq!(calls[0].action, Action::Full);
        assert_eq!(calls[0].redo, Some(Redo::ResumeForce(5)));
        assert_eq!(calls[1].action, Action::Skip, "already redone by run 5");
        assert!(redo_summary(&calls)[0].contains("--force of run 5"));
    }

    /// Issue 20, defect 7: a transcript made with other settings is redone, and
    /// the run says which setting changed; unknown settings redo nothing.
    #[test]
    fn changed_transcription_settings_redo_the_transcript() {
        let mut store = vec![
            known("a", 10, 1, CallStatus::Scored),
            known("b", 10, 1, CallStatus::Transcribed),
            known("c", 10, 1, CallStatus::Scored),
            known("d", 10, 1, CallStatus::Scored),
        ];
        store[0].transcribed_with = Some(r#"{"window_s":28.0,"beam_size":1}"#.into());
        store[1].transcribed_with = Some(r#"{"window_s":28.0,"beam_size":1}"#.into());
        store[2].transcribed_with = Some(r#"{"window_s":20.0,"beam_size":1}"#.into());
        let now = Intent {
            transcription: Some(r#"{"window_s":20.0,"beam_size":1}"#.into()),
            ..intent(Mode::Incremental)
        };
        let calls = planned(store, &now);
        let actions: Vec<_> = calls.iter().map(|c| c.action.clone()).collect();
        assert_eq!(
            actions,
            [Action::Full, Action::Full, Action::Skip, Action::Skip]
        );
        assert_eq!(
            calls[0].redo,
            Some(Redo::Settings("window_s 28.0 → 20.0".into()))
        );
        assert_eq!(
            redo_summary(&calls),
            [
                "2 stored calls transcribed again: the transcription settings changed \
              (window_s 28.0 → 20.0)"
            ]
        );
    }

    /// Issue 20, defect 7: a manifest that names calls after a first run renames
    /// them (found by path): no new transcription, no second row.
    #[test]
    fn a_call_known_by_its_path_keeps_its_transcript_under_a_new_id() {
        let dir = tempfile::tempdir().unwrap();
        let manifest_path = dir.path().join("manifest.csv");
        std::fs::write(&manifest_path, "path,call_id\na.wav,CALL-1\nb.wav,CALL-2\n").unwrap();
        let manifest = Manifest::load(&manifest_path).unwrap();
        let store = vec![
            known("a", 10, 1, CallStatus::Scored),
            known("b", 10, 2, CallStatus::Scored),
        ];
        let recs = vec![rec("a.wav", 10, 1), rec("b.wav", 10, 1)];
        let calls = plan(recs, &manifest, store, &intent(Mode::Incremental));
        assert_eq!(calls[0].call_id, "CALL-1");
        assert_eq!(calls[0].renamed_from.as_deref(), Some("a"));
        assert_eq!(
            calls[0].action,
            Action::ScoreOnly {
                sha256: "abc".into()
            }
        );
        assert_eq!(calls[1].renamed_from.as_deref(), Some("b"));
        assert_eq!(
            calls[1].action,
            Action::Verify {
                sha256: "abc".into(),
                then_score: true
            }
        );
    }

    #[test]
    fn default_id_is_the_relative_path_without_extension() {
        assert_eq!(
            default_call_id(Path::new("day/agent7/call-0001.wav")),
            "day/agent7/call-0001"
        );
    }
}
