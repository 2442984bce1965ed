//! The embedded store: one SQLite file in WAL mode (readers such as `kuulas export`
//! never block the running batch), with a busy timeout so a reader holding the file
//! briefly does not fail a write. Every method is one statement or one transaction,
//! so a process killed at any point leaves the file consistent.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::{
    CallEntry, CallScores, CallStatus, CallTable, ContactRow, Fingerprint, KnownCall, NewRun,
    RunId, RunTotals, StatusCount, Store, StoreError, StoredReason, TAGGED_WITH, TaggedWith,
    TaxonomyStamp, UNFINISHED_FORCE, migrations, reason_params, rename_statements,
    retagged_statement, save_reason_statement, tagged_with,
};

const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Resets everything a call derives from its content, for a fresh start or a failure.
const CLEAR_RESULTS: &str = "duration_s = NULL, transcript_json = NULL, overall_score = NULL,
    talk_ratio_agent = NULL, longest_silence_s = NULL, interruptions = NULL,
    customer_sentiment_start = NULL, customer_sentiment_end = NULL, metrics_json = NULL,
    moments_json = NULL, transcribed_with = NULL, reason_id = NULL, reason_confidence = NULL,
    reason_quote = NULL, reason_at_s = NULL, reasons_secondary = NULL";

pub struct SqliteStore {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` and migrates it.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, OpenFlags::default())
    }

    /// Opens an existing store; never creates one (for exports).
    pub fn open_existing(path: &Path) -> Result<SqliteStore, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Self::open_with(path, OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE)
    }

    fn open_with(path: &Path, flags: OpenFlags) -> Result<SqliteStore, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // WAL + NORMAL: a killed process loses nothing committed; power loss may lose
        // the last commits, which the next run simply redoes.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        migrations::apply(&mut conn, path)?;
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub(super) fn err(&self, action: &'static str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        query_err(&self.path, action)
    }

    pub(super) fn status(&self, call_id: &str, text: &str) -> Result<CallStatus, StoreError> {
        CallStatus::parse(text).ok_or_else(|| StoreError::Corrupt {
            path: self.path.clone(),
            call_id: call_id.to_string(),
            found: text.to_string(),
        })
    }

    /// Inserts or replaces the identity of a call and sets its status, clearing results.
    fn upsert_entry(
        &mut self,
        run: RunId,
        call: &CallEntry,
        status: CallStatus,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let err = query_err(&self.path, "recording a call");
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute("DELETE FROM scores WHERE call_id = ?1", [&call.call_id])
            .map_err(&err)?;
        let m = &call.metadata;
        let fp = &call.fingerprint;
        let sql = format!(
            "INSERT INTO calls (call_id, path, size_bytes, mtime_ns, sha256, status,
                failure_reason, agent, team, queue, started_at, agent_channel, language, run_id,
                customer_key, direction)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             ON CONFLICT (call_id) DO UPDATE SET path = ?2, size_bytes = ?3, mtime_ns = ?4,
                sha256 = ?5, status = ?6, failure_reason = ?7, agent = ?8, team = ?9,
                queue = ?10, started_at = ?11, agent_channel = ?12, language = ?13,
                run_id = ?14, customer_key = ?15, direction = ?16, {CLEAR_RESULTS}"
        );
        tx.execute(
            &sql,
            params![
                call.call_id,
                call.path,
                fp.size as i64,
                fp.mtime_ns,
                fp.sha256,
                status.as_str(),
                reason,
                m.agent,
                m.team,
                m.queue,
                m.started_at,
                m.agent_channel,
                m.language,
                run,
                m.customer_key,
                m.direction
            ],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)
    }
}

impl Store for SqliteStore {
    fn reset_interrupted(&mut self) -> Result<u64, StoreError> {
        let n = self
            .conn
            .execute(
                "UPDATE calls SET status = 'pending' WHERE status = 'running'",
                [],
            )
            .map_err(self.err("resetting interrupted calls"))?;
        Ok(n as u64)
    }

    fn begin_run(&mut self, run: &NewRun) -> Result<RunId, StoreError> {
        self.conn
            .execute(
                "INSERT INTO runs (started_at, input_dir, kuulas_version, model_sha256, rubric_sha256,
                     taxonomy_id, taxonomy_version, taxonomy_sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    run.started_at,
                    run.input_dir,
                    run.kuulas_version,
                    run.model_sha256,
                    run.rubric_sha256,
                    run.taxonomy.as_ref().map(|t| &t.id),
                    run.taxonomy.as_ref().map(|t| &t.version),
                    run.taxonomy.as_ref().map(|t| &t.sha256),
                ],
            )
            .map_err(self.err("starting a run"))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn finish_run(&mut self, run: RunId, totals: &RunTotals) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE runs SET finished_at = ?2, discovered = ?3, processed = ?4, skipped = ?5,
                    failed = ?6, audio_seconds = ?7 WHERE id = ?1",
                params![
                    run,
                    totals.finished_at,
                    totals.discovered as i64,
                    totals.processed as i64,
                    totals.skipped as i64,
                    totals.failed as i64,
                    totals.audio_seconds
                ],
            )
            .map_err(self.err("finishing a run"))?;
        Ok(())
    }

    fn latest_run(&self) -> Result<Option<RunId>, StoreError> {
        self.conn
            .query_row("SELECT MAX(id) FROM runs", [], |row| row.get(0))
            .map_err(self.err("finding the latest run"))
    }

    fn known_calls(&self) -> Result<Vec<KnownCall>, StoreError> {
        let err = self.err("listing calls");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT call_id, size_bytes, mtime_ns, sha256, status, path, run_id,
                    transcribed_with FROM calls",
            )
            .map_err(&err)?;
        let raw = stmt
            .query_map([], |row| {
                let known = KnownCall {
                    call_id: row.get(0)?,
                    path: row.get(5)?,
                    fingerprint: Fingerprint {
                        size: row.get::<_, i64>(1)? as u64,
                        mtime_ns: row.get(2)?,
                        sha256: row.get(3)?,
                    },
                    status: CallStatus::Pending,
                    run_id: row.get(6)?,
                    transcribed_with: row.get(7)?,
                };
                Ok((known, row.get::<_, String>(4)?))
            })
            .map_err(&err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(&err)?;
        raw.into_iter()
            .map(|(mut known, status)| {
                known.status = self.status(&known.call_id, &status)?;
                Ok(known)
            })
            .collect()
    }

    fn mark_running(&mut self, run: RunId, call: &CallEntry) -> Result<(), StoreError> {
        self.upsert_entry(run, call, CallStatus::Running, None)
    }

    fn refresh_fingerprint(&mut self, call_id: &str, fp: &Fingerprint) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE calls SET size_bytes = ?2, mtime_ns = ?3 WHERE call_id = ?1",
                params![call_id, fp.size as i64, fp.mtime_ns],
            )
            .map_err(self.err("refreshing a fingerprint"))?;
        Ok(())
    }

    fn save_transcript(
        &mut self,
        call_id: &str,
        transcript_json: &str,
        duration_s: f64,
        transcribed_with: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE calls SET status = 'transcribed', transcript_json = ?2, duration_s = ?3,
                    transcribed_with = ?4
                 WHERE call_id = ?1",
                params![call_id, transcript_json, duration_s, transcribed_with],
            )
            .map_err(self.err("saving a transcript"))?;
        Ok(())
    }

    fn mark_rescoring(&mut self, run: RunId, call: &CallEntry) -> Result<(), StoreError> {
        let err = query_err(&self.path, "preparing a rescore");
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute("DELETE FROM scores WHERE call_id = ?1", [&call.call_id])
            .map_err(&err)?;
        let m = &call.metadata;
        tx.execute(
            "UPDATE calls SET status = 'transcribed', run_id = ?2, overall_score = NULL,
                path = ?3, agent = ?4, team = ?5, queue = ?6, started_at = ?7,
                agent_channel = ?8, language = ?9, customer_key = ?10, direction = ?11
             WHERE call_id = ?1",
            params![
                call.call_id,
                run,
                call.path,
                m.agent,
                m.team,
                m.queue,
                m.started_at,
                m.agent_channel,
                m.language,
                m.customer_key,
                m.direction
            ],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)
    }

    fn save_scores(&mut self, call_id: &str, scores: &CallScores) -> Result<(), StoreError> {
        let err = query_err(&self.path, "saving scores");
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute("DELETE FROM scores WHERE call_id = ?1", [call_id])
            .map_err(&err)?;
        for (position, d) in scores.dimensions.iter().enumerate() {
            tx.execute(
                "INSERT INTO scores (call_id, dimension, position, score) VALUES (?1, ?2, ?3, ?4)",
                params![call_id, d.dimension, position as i64, d.score],
            )
            .map_err(&err)?;
        }
        let s = &scores.summary;
        tx.execute(
            "UPDATE calls SET status = 'scored', failure_reason = NULL, overall_score = ?2,
                talk_ratio_agent = ?3, longest_silence_s = ?4, interruptions = ?5,
                customer_sentiment_start = ?6, customer_sentiment_end = ?7, metrics_json = ?8,
                moments_json = ?9
             WHERE call_id = ?1",
            params![
                call_id,
                scores.overall,
                s.talk_ratio_agent,
                s.longest_silence_s,
                s.interruptions,
                s.customer_sentiment_start,
                s.customer_sentiment_end,
                scores.metrics_json,
                scores.moments_json
            ],
        )
        .map_err(&err)?;
        let (id, confidence, quote, at_s, secondary) = reason_params(scores.reason.as_ref());
        tx.execute(
            &save_reason_statement('?'),
            params![call_id, id, confidence, quote, at_s, secondary],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)
    }

    fn mark_failed(
        &mut self,
        run: RunId,
        call: &CallEntry,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.upsert_entry(run, call, CallStatus::Failed, Some(reason))
    }

    fn transcript(&self, call_id: &str) -> Result<Option<String>, StoreError> {
        let found: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT transcript_json FROM calls WHERE call_id = ?1",
                [call_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err("reading a transcript"))?;
        Ok(found.flatten())
    }

    fn rename_call(&mut self, from: &str, to: &str) -> Result<(), StoreError> {
        let err = query_err(&self.path, "renaming a call");
        let tx = self.conn.transaction().map_err(&err)?;
        let (scores, call) = rename_statements("?1", "?2");
        tx.execute(&scores, [from]).map_err(&err)?;
        tx.execute(&call, [from, to]).map_err(&err)?;
        tx.commit().map_err(&err)
    }

    fn mark_forced(&mut self, run: RunId, since: RunId) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE runs SET force_from = ?2 WHERE id = ?1",
                params![run, since],
            )
            .map_err(self.err("recording a forced run"))?;
        Ok(())
    }

    fn unfinished_force(&self) -> Result<Option<RunId>, StoreError> {
        self.conn
            .query_row(UNFINISHED_FORCE, [], |row| row.get(0))
            .optional()
            .map_err(self.err("looking for an interrupted --force run"))
    }

    fn calls(&self, run: Option<RunId>) -> Result<CallTable, StoreError> {
        self.call_table(run)
    }

    fn status_counts(&self) -> Result<Vec<StatusCount>, StoreError> {
        self.counts()
    }

    fn contacts(&self) -> Result<Vec<ContactRow>, StoreError> {
        self.contact_rows()
    }

    fn save_reason(
        &mut self,
        call_id: &str,
        reason: Option<&StoredReason>,
    ) -> Result<(), StoreError> {
        let (id, confidence, quote, at_s, secondary) = reason_params(reason);
        self.conn
            .execute(
                &save_reason_statement('?'),
                params![call_id, id, confidence, quote, at_s, secondary],
            )
            .map_err(self.err("saving a reason"))?;
        Ok(())
    }

    fn tagged_with(&self) -> Result<Vec<TaggedWith>, StoreError> {
        let err = self.err("reading which taxonomy tagged the calls");
        let mut stmt = self.conn.prepare(TAGGED_WITH).map_err(&err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(tagged_with(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .map_err(&err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    fn retagged_with(&mut self, taxonomy: &TaxonomyStamp) -> Result<(), StoreError> {
        self.conn
            .execute(
                &retagged_statement('?'),
                params![taxonomy.id, taxonomy.version, taxonomy.sha256],
            )
            .map_err(self.err("recording the taxonomy of the retagged calls"))?;
        Ok(())
    }
}

/// Maps a failed statement to an error naming the store and what was being done.
fn query_err<'p>(
    path: &'p Path,
    action: &'static str,
) -> impl Fn(rusqlite::Error) -> StoreError + 'p {
    move |source| StoreError::Query {
        path: path.to_path_buf(),
        action,
        source,
    }
}
