//! Reading the PostgreSQL store back: the planner's view of every call, export
//! rows with their dimension scores, and the counts `kuulas status` shows.

use postgres::Row;

use super::PostgresStore;
use crate::store::{
    CONTACT_ROWS, CallMetadata, CallRow, CallStatus, CallTable, ContactRow, DimensionScore,
    Fingerprint, KnownCall, MetricSummary, RunId, StatusCount, StoreError,
};

/// Columns of `calls` that exports read, in the order [`call_row`] expects.
const ROW_COLUMNS: &str = "call_id, path, run_id, agent, team, queue, started_at, agent_channel,
    language, duration_s, status, failure_reason, overall_score, talk_ratio_agent,
    longest_silence_s, interruptions, customer_sentiment_start, customer_sentiment_end,
    customer_key, direction, reason_id, reason_confidence";

impl PostgresStore {
    pub(super) fn status(&self, call_id: &str, text: &str) -> Result<CallStatus, StoreError> {
        CallStatus::parse(text).ok_or_else(|| StoreError::Corrupt {
            path: self.url.clone().into(),
            call_id: call_id.to_string(),
            found: text.to_string(),
        })
    }

    pub(super) fn known(&self) -> Result<Vec<KnownCall>, StoreError> {
        let rows = self.with_client("reading known calls", |c| {
            c.query(
                "SELECT call_id, size_bytes, mtime_ns, sha256, status, path, run_id,
                    transcribed_with FROM calls",
                &[],
            )
        })?;
        rows.iter()
            .map(|r| {
                let call_id: String = r.get(0);
                Ok(KnownCall {
                    fingerprint: Fingerprint {
                        size: r.get::<_, i64>(1) as u64,
                        mtime_ns: r.get(2),
                        sha256: r.get(3),
                    },
                    status: self.status(&call_id, r.get(4))?,
                    call_id,
                    path: r.get(5),
                    run_id: r.get(6),
                    transcribed_with: r.get(7),
                })
            })
            .collect()
    }

    pub(super) fn call_table(&self, run: Option<RunId>) -> Result<CallTable, StoreError> {
        let filter = "WHERE ($1::BIGINT IS NULL OR run_id = $1)";
        let (raw, dimensions) = self.with_client("reading calls for export", |client| {
            let mut rows = Vec::new();
            let raw = client.query(
                &format!("SELECT {ROW_COLUMNS} FROM calls {filter} ORDER BY call_id"),
                &[&run],
            )?;
            for r in &raw {
                let mut row = call_row(r);
                row.scores = client
                    .query(
                        "SELECT dimension, score FROM scores WHERE call_id = $1 ORDER BY position",
                        &[&row.call_id],
                    )?
                    .iter()
                    .map(|s| DimensionScore {
                        dimension: s.get(0),
                        score: s.get(1),
                    })
                    .collect();
                rows.push((row, r.get::<_, String>(10)));
            }
            let dimensions = client
                .query(
                    &format!(
                        "SELECT dimension FROM scores JOIN calls USING (call_id) {filter}
                             GROUP BY dimension ORDER BY MIN(position), dimension"
                    ),
                    &[&run],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect();
            Ok((rows, dimensions))
        })?;
        let rows = raw
            .into_iter()
            .map(|(mut row, status)| {
                row.status = self.status(&row.call_id, &status)?;
                Ok(row)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(CallTable { dimensions, rows })
    }

    pub(super) fn counts(&self) -> Result<Vec<StatusCount>, StoreError> {
        let rows = self.with_client("counting calls", |c| {
            c.query(
                "SELECT run_id, runs.started_at, worker, status, COUNT(*) FROM calls
                     JOIN runs ON runs.id = calls.run_id
                     GROUP BY run_id, runs.started_at, worker, status
                     ORDER BY run_id, worker NULLS FIRST, status",
                &[],
            )
        })?;
        rows.iter()
            .map(|r| {
                let run_id: RunId = r.get(0);
                Ok(StatusCount {
                    run_id,
                    run_started_at: r.get(1),
                    worker: r.get(2),
                    status: self.status(&format!("(run {run_id})"), r.get(3))?,
                    calls: r.get::<_, i64>(4) as u64,
                })
            })
            .collect()
    }
}

impl PostgresStore {
    pub(in crate::store) fn contact_rows(&self) -> Result<Vec<ContactRow>, StoreError> {
        let rows = self.with_client("reading calls across customers", |c| {
            c.query(CONTACT_ROWS, &[])
        })?;
        Ok(rows
            .iter()
            .map(|r| ContactRow {
                call_id: r.get(0),
                metadata: CallMetadata {
                    agent: r.get(1),
                    team: r.get(2),
                    queue: r.get(3),
                    started_at: r.get(4),
                    agent_channel: r.get(5),
                    language: r.get(6),
                    customer_key: r.get(7),
                    direction: r.get(8),
                },
                duration_s: r.get(9),
                metrics_json: r.get(10),
                moments_json: r.get(11),
                reason_id: r.get(12),
            })
            .collect())
    }
}

/// Reads one [`ROW_COLUMNS`] row; the status is filled in by the caller.
fn call_row(r: &Row) -> CallRow {
    CallRow {
        call_id: r.get(0),
        path: r.get(1),
        run_id: r.get(2),
        metadata: CallMetadata {
            agent: r.get(3),
            team: r.get(4),
            queue: r.get(5),
            started_at: r.get(6),
            agent_channel: r.get(7),
            language: r.get(8),
            customer_key: r.get(18),
            direction: r.get(19),
        },
        duration_s: r.get(9),
        status: CallStatus::Pending,
        failure_reason: r.get(11),
        scores: Vec::new(),
        overall: r.get(12),
        summary: MetricSummary {
            talk_ratio_agent: r.get(13),
            longest_silence_s: r.get(14),
            interruptions: r
                .get::<_, Option<i64>>(15)
                .and_then(|n| u32::try_from(n).ok()),
            customer_sentiment_start: r.get(16),
            customer_sentiment_end: r.get(17),
        },
        reason_id: r.get(20),
        reason_confidence: r.get(21),
    }
}
