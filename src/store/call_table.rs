//! Reading calls back for exports (one row per call with its dimension scores,
//! and the dimensions seen across those calls in rubric order) and for
//! `kuulas status` (counts per run and status).

use rusqlite::Row;

use super::sqlite::SqliteStore;
use super::{
    CONTACT_ROWS, CallMetadata, CallRow, CallStatus, CallTable, ContactRow, DimensionScore,
    MetricSummary, RunId, StatusCount, StoreError,
};

/// Columns of `calls` that exports read, in the order [`call_row`] expects.
const ROW_COLUMNS: &str = "call_id, path, run_id, agent, team, queue, started_at, agent_channel,
    language, duration_s, status, failure_reason, overall_score, talk_ratio_agent,
    longest_silence_s, interruptions, customer_sentiment_start, customer_sentiment_end,
    customer_key, direction, reason_id, reason_confidence";

impl SqliteStore {
    pub(super) fn call_table(&self, run: Option<RunId>) -> Result<CallTable, StoreError> {
        let err = self.err("reading calls for export");
        let filter = if run.is_some() {
            "WHERE run_id = ?1"
        } else {
            "WHERE ?1 IS NULL"
        };
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {ROW_COLUMNS} FROM calls {filter} ORDER BY call_id"
            ))
            .map_err(&err)?;
        let raw = stmt
            .query_map([run], call_row)
            .map_err(&err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(&err)?;
        let mut rows = Vec::with_capacity(raw.len());
        for (mut row, status) in raw {
            row.status = self.status(&row.call_id, &status)?;
            row.scores = self.dimension_scores(&row.call_id)?;
            rows.push(row);
        }
        let mut dims = self
            .conn
            .prepare(&format!(
                "SELECT dimension FROM scores JOIN calls USING (call_id) {filter}
                 GROUP BY dimension ORDER BY MIN(position), dimension"
            ))
            .map_err(&err)?;
        let dimensions = dims
            .query_map([run], |r| r.get(0))
            .map_err(&err)?
            .collect::<Result<Vec<String>, _>>()
            .map_err(&err)?;
        Ok(CallTable { dimensions, rows })
    }

    pub(super) fn counts(&self) -> Result<Vec<StatusCount>, StoreError> {
        let err = self.err("counting calls");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT run_id, runs.started_at, status, COUNT(*) FROM calls
                 JOIN runs ON runs.id = calls.run_id
                 GROUP BY run_id, status ORDER BY run_id, status",
            )
            .map_err(&err)?;
        let raw = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, RunId>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .map_err(&err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(&err)?;
        raw.into_iter()
            .map(|(run_id, run_started_at, status, calls)| {
                Ok(StatusCount {
                    run_id,
                    status: self.status(&format!("(run {run_id})"), &status)?,
                    run_started_at,
                    worker: None,
                    calls: calls as u64,
                })
            })
            .collect()
    }

    pub(super) fn contact_rows(&self) -> Result<Vec<ContactRow>, StoreError> {
        let err = self.err("reading calls across customers");
        let mut stmt = self.conn.prepare(CONTACT_ROWS).map_err(&err)?;
        stmt.query_map([], |r| {
            Ok(ContactRow {
                call_id: r.get(0)?,
                metadata: CallMetadata {
                    agent: r.get(1)?,
                    team: r.get(2)?,
                    queue: r.get(3)?,
                    started_at: r.get(4)?,
                    agent_channel: r.get(5)?,
                    language: r.get(6)?,
                    customer_key: r.get(7)?,
                    direction: r.get(8)?,
                },
                duration_s: r.get(9)?,
                metrics_json: r.get(10)?,
                moments_json: r.get(11)?,
                reason_id: r.get(12)?,
            })
        })
        .map_err(&err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(&err)
    }

    fn dimension_scores(&self, call_id: &str) -> Result<Vec<DimensionScore>, StoreError> {
        let err = self.err("reading scores");
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT dimension, score FROM scores WHERE call_id = ?1 ORDER BY position",
            )
            .map_err(&err)?;
        stmt.query_map([call_id], |r| {
            Ok(DimensionScore {
                dimension: r.get(0)?,
                score: r.get(1)?,
            })
        })
        .map_err(&err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(&err)
    }
}

/// Reads one [`ROW_COLUMNS`] row; the status text is checked by the caller.
fn call_row(r: &Row<'_>) -> rusqlite::Result<(CallRow, String)> {
    let row = CallRow {
        call_id: r.get(0)?,
        path: r.get(1)?,
        run_id: r.get(2)?,
        metadata: CallMetadata {
            agent: r.get(3)?,
            team: r.get(4)?,
            queue: r.get(5)?,
            started_at: r.get(6)?,
            agent_channel: r.get(7)?,
            language: r.get(8)?,
            customer_key: r.get(18)?,
            direction: r.get(19)?,
        },
        duration_s: r.get(9)?,
        status: CallStatus::Pending,
        failure_reason: r.get(11)?,
        scores: Vec::new(),
        overall: r.get(12)?,
        summary: MetricSummary {
            talk_ratio_agent: r.get(13)?,
            longest_silence_s: r.get(14)?,
            interruptions: r.get(15)?,
            customer_sentiment_start: r.get(16)?,
            customer_sentiment_end: r.get(17)?,
        },
        reason_id: r.get(20)?,
        reason_confidence: r.get(21)?,
    };
    Ok((row, r.get(10)?))
}
