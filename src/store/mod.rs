//! The store: what kuulas knows about every call it has seen — the recording's
//! fingerprint, its status, transcript, scores, metrics, evidence moments and
//! metadata — and about every batch run. The batch talks to it only through the
//! [`Store`] trait with plain data types, so another backend (PostgreSQL, issue 8)
//! can be added without touching the pipeline. [`SqliteStore`] is the embedded one.
//!
//! Architecture invariant: only the batch orchestrator writes to a store, and only
//! one orchestrator runs per store ([`RunLock`]) — except with [`PostgresStore`],
//! where any number of `kuulas run --worker` processes share a queue and every
//! result write is fenced by the writer's claim on the call.

mod call_table;
mod lock;
mod migrations;
pub mod postgres;
mod sqlite;

pub use lock::RunLock;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

use std::path::PathBuf;

/// Identifies one batch run in the store.
pub type RunId = i64;

/// Where a call is in the pipeline. `Running` is only ever seen while the run that
/// set it is alive; the next run resets leftovers to `Pending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStatus {
    Pending,
    Running,
    Transcribed,
    Scored,
    Failed,
}

impl CallStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Pending => "pending",
            CallStatus::Running => "running",
            CallStatus::Transcribed => "transcribed",
            CallStatus::Scored => "scored",
            CallStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<CallStatus> {
        [
            CallStatus::Pending,
            CallStatus::Running,
            CallStatus::Transcribed,
            CallStatus::Scored,
            CallStatus::Failed,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
    }
}

/// The status exports and packets show for a call: its stored status, except that
/// a scored call with no score at all is `no_speech` — its transcript held no
/// speech, so nothing was scored (`ScoredCall::no_speech`). It is finished like a
/// scored call (a rerun skips it) but is neither an average call nor a failure.
pub fn shown_status(
    status: CallStatus,
    overall: Option<f64>,
    scores: &[DimensionScore],
) -> &'static str {
    if status == CallStatus::Scored && overall.is_none() && scores.iter().all(|s| s.score.is_none())
    {
        NO_SPEECH
    } else {
        status.as_str()
    }
}

/// The shown status of a call whose recording held no speech.
pub const NO_SPEECH: &str = "no_speech";

/// What identifies a recording's content: size and mtime for the fast check, the
/// SHA-256 of the bytes to confirm a change. `sha256` is empty when the file could
/// not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub size: u64,
    pub mtime_ns: i64,
    pub sha256: String,
}

/// Optional per-call metadata from the manifest or a sidecar file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallMetadata {
    pub agent: Option<String>,
    pub team: Option<String>,
    pub queue: Option<String>,
    /// RFC 3339 timestamp.
    pub started_at: Option<String>,
    /// `left` or `right`: which stereo channel carries the agent.
    pub agent_channel: Option<String>,
    /// ISO 639-1 language code.
    pub language: Option<String>,
    /// Who called or was called: the customer id as given, or `tel:` and a hash
    /// of the phone number (`batch::metadata::customer_key`); never the number.
    pub customer_key: Option<String>,
    /// `inbound` or `outbound`.
    pub direction: Option<String>,
}

/// A call as the batch first records it: who it is and what content it had.
#[derive(Debug, Clone)]
pub struct CallEntry {
    pub call_id: String,
    /// The recording's path as text (lossy for non-UTF-8 names).
    pub path: String,
    pub fingerprint: Fingerprint,
    pub metadata: CallMetadata,
}

/// One thing the work on a call found out, in the order it happened: the
/// batch's orchestrator applies each through the [`Store`] trait as it comes, a
/// PostgreSQL worker applies all of a call's at once, fenced by its claim
/// (`PostgresStore::complete`).
#[derive(Debug, Clone)]
pub enum WorkOutcome {
    /// Transcription begins on content with this fingerprint.
    Started(Fingerprint),
    /// The hash matched the stored one; when `then_score`, scoring follows.
    Unchanged {
        fingerprint: Fingerprint,
        then_score: bool,
    },
    /// A stored transcript is about to be scored again.
    Rescoring,
    Transcribed {
        transcript_json: String,
        duration_s: f64,
        /// The settings it was made with; `None`: not known.
        transcribed_with: Option<String>,
    },
    Scored(CallScores),
    Failed {
        fingerprint: Option<Fingerprint>,
        reason: String,
    },
}

/// A stored call as the planner needs it: enough to decide whether to skip it.
#[derive(Debug, Clone)]
pub struct KnownCall {
    pub call_id: String,
    /// The recording's path as stored, to recognise a call whose id changed.
    pub path: String,
    pub fingerprint: Fingerprint,
    pub status: CallStatus,
    /// The run that last processed the call.
    pub run_id: RunId,
    /// The transcription settings its transcript was made with; `None` when not known.
    pub transcribed_with: Option<String>,
}

/// One dimension's score; `None` when the dimension did not apply to the call.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionScore {
    pub dimension: String,
    pub score: Option<f64>,
}

/// The headline numbers from the metrics stage, kept as columns for exports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricSummary {
    pub talk_ratio_agent: Option<f64>,
    pub longest_silence_s: Option<f64>,
    pub interruptions: Option<u32>,
    pub customer_sentiment_start: Option<f64>,
    pub customer_sentiment_end: Option<f64>,
}

/// Why the customer called, as tagged from the transcript (`crate::reasons`).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReason {
    pub reason_id: String,
    /// 0–1 (`docs/reasons.md`).
    pub confidence: f64,
    /// The customer's words it was found in.
    pub quote: String,
    /// When they were said, seconds from the start of the recording.
    pub at_s: f64,
    /// Other reasons the customer gave, most confident first.
    pub secondary: Vec<String>,
}

/// The scoring result of one call, in rubric order.
#[derive(Debug, Clone, PartialEq)]
pub struct CallScores {
    pub dimensions: Vec<DimensionScore>,
    pub overall: Option<f64>,
    pub summary: MetricSummary,
    /// Full metrics, as the metrics stage serialises them.
    pub metrics_json: String,
    /// Timestamped evidence, as the rubric stage serialises it.
    pub moments_json: String,
    /// `None`: the customer's words gave no reason.
    pub reason: Option<StoredReason>,
}

/// A run as it starts.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub started_at: String,
    pub input_dir: String,
    pub kuulas_version: String,
    pub model_sha256: Option<String>,
    pub rubric_sha256: Option<String>,
    /// The contact-reason taxonomy the run tags calls with.
    pub taxonomy: Option<TaxonomyStamp>,
}

/// Which contact-reason taxonomy tagged calls: its id, version and SHA-256
/// (`crate::reasons::Taxonomy`), kept with each run as the rubric's hash is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TaxonomyStamp {
    pub id: String,
    pub version: String,
    pub sha256: String,
}

/// How many scored calls carry tags of one taxonomy (`None`: not recorded, the
/// calls were scored by a kuulas from before taxonomies were recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedWith {
    pub taxonomy: Option<TaxonomyStamp>,
    pub calls: u64,
}

/// What a run did, written when it finishes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunTotals {
    pub finished_at: String,
    pub discovered: u64,
    pub processed: u64,
    pub skipped: u64,
    pub failed: u64,
    pub audio_seconds: f64,
}

/// One call as exports see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRow {
    pub call_id: String,
    pub path: String,
    pub run_id: RunId,
    pub metadata: CallMetadata,
    pub duration_s: Option<f64>,
    pub status: CallStatus,
    pub failure_reason: Option<String>,
    pub scores: Vec<DimensionScore>,
    pub overall: Option<f64>,
    pub summary: MetricSummary,
    pub reason_id: Option<String>,
    pub reason_confidence: Option<f64>,
}

/// Calls for an export, with every dimension seen across them in a stable order
/// (rubric order, then name).
#[derive(Debug, Clone, Default)]
pub struct CallTable {
    pub dimensions: Vec<String>,
    pub rows: Vec<CallRow>,
}

/// A call as the figures across calls read it (`kuulas across`): its metadata
/// and what scoring stored, never its transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactRow {
    pub call_id: String,
    pub metadata: CallMetadata,
    pub duration_s: Option<f64>,
    /// The metrics stage's JSON; `None` before the call is scored.
    pub metrics_json: Option<String>,
    /// The rubric's moments as JSON; `None` before the call is scored.
    pub moments_json: Option<String>,
    /// The primary reason the call was tagged with, if any.
    pub reason_id: Option<String>,
}

/// How many calls of one run are in one status (and, for shared stores, were last
/// handled by one worker), for `kuulas status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    pub run_id: RunId,
    pub run_started_at: String,
    /// The worker that holds or last finished the calls; `None` for a local run.
    pub worker: Option<String>,
    pub status: CallStatus,
    pub calls: u64,
}

/// A place that keeps calls and runs. Calls are keyed by `call_id`.
pub trait Store: Send {
    /// Resets calls a dead run left `Running` to `Pending`; returns how many.
    fn reset_interrupted(&mut self) -> Result<u64, StoreError>;
    fn begin_run(&mut self, run: &NewRun) -> Result<RunId, StoreError>;
    fn finish_run(&mut self, run: RunId, totals: &RunTotals) -> Result<(), StoreError>;
    fn latest_run(&self) -> Result<Option<RunId>, StoreError>;
    /// Every stored call's fingerprint and status, for planning a rerun.
    fn known_calls(&self) -> Result<Vec<KnownCall>, StoreError>;
    /// Records that `run` starts processing the call from scratch; drops any
    /// transcript and scores of earlier content.
    fn mark_running(&mut self, run: RunId, call: &CallEntry) -> Result<(), StoreError>;
    /// Stores a new size/mtime for content whose hash did not change.
    fn refresh_fingerprint(&mut self, call_id: &str, fp: &Fingerprint) -> Result<(), StoreError>;
    /// Stores a call's transcript and the transcription settings it was made with
    /// (`None`: not known to the writer).
    fn save_transcript(
        &mut self,
        call_id: &str,
        transcript_json: &str,
        duration_s: f64,
        transcribed_with: Option<&str>,
    ) -> Result<(), StoreError>;
    /// Drops the scores of a transcribed call before `run` scores it again, taking
    /// the call's current path and metadata (its content is unchanged).
    fn mark_rescoring(&mut self, run: RunId, call: &CallEntry) -> Result<(), StoreError>;
    fn save_scores(&mut self, call_id: &str, scores: &CallScores) -> Result<(), StoreError>;
    /// Records the call as failed in `run`, dropping earlier results.
    fn mark_failed(&mut self, run: RunId, call: &CallEntry, reason: &str)
    -> Result<(), StoreError>;
    fn transcript(&self, call_id: &str) -> Result<Option<String>, StoreError>;
    /// Gives the call `from` the id `to`, keeping everything stored about it
    /// (the manifest named a call that an earlier run knew by its path).
    fn rename_call(&mut self, from: &str, to: &str) -> Result<(), StoreError>;
    /// Records that `run` carries out the `--force` begun by run `since` (itself,
    /// for a `--force` run): until a run so marked finishes, a plain rerun
    /// resumes it.
    fn mark_forced(&mut self, run: RunId, since: RunId) -> Result<(), StoreError>;
    /// The run whose `--force` no run has finished yet, if any.
    fn unfinished_force(&self) -> Result<Option<RunId>, StoreError>;
    /// Calls processed in `run`, or all calls.
    fn calls(&self, run: Option<RunId>) -> Result<CallTable, StoreError>;
    /// Call counts per run, worker and status, oldest run first.
    fn status_counts(&self) -> Result<Vec<StatusCount>, StoreError>;
    /// Every call's metadata, metrics and moments, by call id.
    fn contacts(&self) -> Result<Vec<ContactRow>, StoreError>;
    /// Replaces the call's reason tag (`kuulas reasons retag`); `None`: no reason.
    fn save_reason(
        &mut self,
        call_id: &str,
        reason: Option<&StoredReason>,
    ) -> Result<(), StoreError>;
    /// The taxonomies the scored calls' tags came from (their runs'), with how
    /// many calls each.
    fn tagged_with(&self) -> Result<Vec<TaggedWith>, StoreError>;
    /// Records that every scored call's tags now come from `taxonomy` (`kuulas
    /// reasons retag` tagged them all again): sets it on their runs.
    fn retagged_with(&mut self, taxonomy: &TaxonomyStamp) -> Result<(), StoreError>;
}

/// SQL shared by both backends: the taxonomy of each scored call's run, with
/// how many calls.
const TAGGED_WITH: &str = "SELECT r.taxonomy_id, r.taxonomy_version, r.taxonomy_sha256, COUNT(*)
    FROM calls c JOIN runs r ON r.id = c.run_id WHERE c.status = 'scored'
    GROUP BY r.taxonomy_id, r.taxonomy_version, r.taxonomy_sha256
    ORDER BY COUNT(*) DESC, r.taxonomy_id, r.taxonomy_version, r.taxonomy_sha256";

/// SQL shared by both backends (`p` the dialect's placeholder prefix): sets the
/// taxonomy (`1` id, `2` version, `3` hash) of every run that holds a scored call.
fn retagged_statement(p: char) -> String {
    format!(
        "UPDATE runs SET taxonomy_id = {p}1, taxonomy_version = {p}2, taxonomy_sha256 = {p}3
            WHERE id IN (SELECT run_id FROM calls WHERE status = 'scored')"
    )
}

/// A [`TaggedWith`] from the columns [`TAGGED_WITH`] reads.
fn tagged_with(
    id: Option<String>,
    version: Option<String>,
    sha256: Option<String>,
    calls: i64,
) -> TaggedWith {
    let taxonomy = match (id, version, sha256) {
        (Some(id), Some(version), Some(sha256)) => Some(TaxonomyStamp {
            id,
            version,
            sha256,
        }),
        _ => None,
    };
    TaggedWith {
        taxonomy,
        calls: calls.max(0) as u64,
    }
}

/// SQL shared by both backends: what [`Store::contacts`] reads.
const CONTACT_ROWS: &str = "SELECT call_id, agent, team, queue, started_at, agent_channel,
    language, customer_key, direction, duration_s, metrics_json, moments_json, reason_id
    FROM calls ORDER BY call_id";

/// SQL shared by both backends (`p` the dialect's placeholder prefix, `?` or
/// `$`): sets the reason columns of call `1` from parameters `2`–`6` in the
/// order [`reason_params`] gives them.
fn save_reason_statement(p: char) -> String {
    format!(
        "UPDATE calls SET reason_id = {p}2, reason_confidence = {p}3, reason_quote = {p}4,
            reason_at_s = {p}5, reasons_secondary = {p}6 WHERE call_id = {p}1"
    )
}

/// The reason columns' values: id, confidence, quote, time, and the secondary
/// ids comma-separated (`None` when there are none).
type ReasonParams<'a> = (
    Option<&'a str>,
    Option<f64>,
    Option<&'a str>,
    Option<f64>,
    Option<String>,
);

fn reason_params(reason: Option<&StoredReason>) -> ReasonParams<'_> {
    match reason {
        None => (None, None, None, None, None),
        Some(r) => (
            Some(&r.reason_id),
            Some(r.confidence),
            Some(&r.quote),
            Some(r.at_s),
            (!r.secondary.is_empty()).then(|| r.secondary.join(",")),
        ),
    }
}

/// SQL shared by both backends: the `force_from` of the newest `--force`, if no
/// run that carries it out has finished.
const UNFINISHED_FORCE: &str = "SELECT force_from FROM runs
    WHERE force_from = (SELECT MAX(force_from) FROM runs)
    GROUP BY force_from HAVING COUNT(finished_at) = 0";

/// SQL shared by both backends (`?1`/`$1` the old id, `?2`/`$2` the new one, in
/// the dialect's placeholders): the renamed call keeps its transcript and is
/// scored again under its new id.
fn rename_statements(p1: &str, p2: &str) -> (String, String) {
    (
        format!("DELETE FROM scores WHERE call_id = {p1}"),
        format!(
            "UPDATE calls SET call_id = {p2}, overall_score = NULL,
                status = CASE status WHEN 'scored' THEN 'transcribed' ELSE status END
             WHERE call_id = {p1}"
        ),
    )
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot open the store {path}: {source}; check that the directory exists and is writable"
    )]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "store {path} has schema version {found}, newer than this kuulas understands ({known}); upgrade kuulas"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("store {path}: migration to schema version {version} failed: {source}")]
    Migrate {
        path: PathBuf,
        version: usize,
        source: rusqlite::Error,
    },
    #[error("store {path}: {action} failed: {source}")]
    Query {
        path: PathBuf,
        action: &'static str,
        source: rusqlite::Error,
    },
    #[error(
        "store {path} holds an unknown call status `{found}` for call {call_id}; was it edited by hand?"
    )]
    Corrupt {
        path: PathBuf,
        call_id: String,
        found: String,
    },
    #[error("no store at {path}; run `kuulas run` first or pass --store")]
    Missing { path: PathBuf },
    #[error("cannot create the lock file {path}: {source}")]
    LockFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("another kuulas run is using this store (lock {path} is held); wait for it to finish")]
    Locked { path: PathBuf },
    #[error("PostgreSQL store {url}: {action} failed: {source}")]
    Postgres {
        /// The URL without its password.
        url: String,
        action: &'static str,
        source: ::postgres::Error,
    },
    #[error(
        "PostgreSQL store {url}: {action} failed: the server stayed unreachable for {waited_s} s, the longest kuulas waits for it to come back (last error: {source}); check the database server, then start the worker (or run) again: calls it held are taken over once their leases run out"
    )]
    PostgresUnavailable {
        /// The URL without its password.
        url: String,
        action: &'static str,
        waited_s: u64,
        source: ::postgres::Error,
    },
    #[error(
        "PostgreSQL store {url} has schema version {found}, newer than this kuulas understands ({known}); upgrade kuulas on every worker"
    )]
    PostgresTooNew { url: String, found: i64, known: i64 },
    #[error(
        "invalid PostgreSQL URL {url}: {source}; expected postgres://user[:password]@host[:port]/database"
    )]
    PostgresUrl {
        url: String,
        source: ::postgres::Error,
    },
    #[error(
        "PostgreSQL store {url} is in use: an ordinary `kuulas run` excludes workers, enqueues and other ordinary runs; wait for it (or them) to finish"
    )]
    PostgresLocked { url: String },
    #[error(
        "call {call_id}: this worker's claim {claim} expired and another worker took the call over; this result was discarded"
    )]
    LeaseLost { call_id: String, claim: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_round_trip() {
        for status in [
            CallStatus::Pending,
            CallStatus::Running,
            CallStatus::Transcribed,
            CallStatus::Scored,
            CallStatus::Failed,
        ] {
            assert_eq!(CallStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(CallStatus::parse("done"), None);
    }
}
