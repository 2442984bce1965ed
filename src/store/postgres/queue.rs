//! The work queue on the `calls` table. `kuulas run --enqueue` marks calls
//! `pending` with the [`QueuedWork`] the planner chose; a worker [`claim`]s the
//! oldest one with `FOR UPDATE SKIP LOCKED` (so workers never wait on each other),
//! which bumps the call's `claim` number — the fencing token — and sets a lease.
//! While it works, a heartbeat [`extend_lease`]s; when it dies, the lease runs
//! out and the next claim takes the call over. [`complete`] writes the whole
//! result in one transaction that first locks the row and checks the claim is
//! still this worker's, so a worker that lost its call can never write a result.
//!
//! Like every statement of the store, these ride out a lost connection. A lease
//! that ran out while the database was down is the database's fault, not the
//! call's: its holder may still extend it if nobody took the call meanwhile, and
//! a takeover of it does not count towards the attempts that fail a call.
//!
//! [`claim`]: PostgresStore::claim
//! [`extend_lease`]: PostgresStore::extend_lease
//! [`complete`]: PostgresStore::complete

use std::time::Duration;

use super::{PostgresStore, writes};
use crate::store::{
    CallEntry, CallMetadata, CallStatus, Fingerprint, RunId, StoreError, WorkOutcome,
};

/// What a worker does with a queued call (the planner's decision, stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueuedWork {
    /// Hash, transcribe, score.
    Full,
    /// Hash; if the content equals the stored hash, skip (or only score).
    Verify { then_score: bool },
    /// Score the stored transcript.
    ScoreOnly,
}

impl QueuedWork {
    fn as_str(self) -> &'static str {
        match self {
            QueuedWork::Full => "full",
            QueuedWork::Verify { then_score: false } => "verify",
            QueuedWork::Verify { then_score: true } => "verify_then_score",
            QueuedWork::ScoreOnly => "score",
        }
    }

    fn parse(s: &str) -> QueuedWork {
        match s {
            "verify" => QueuedWork::Verify { then_score: false },
            "verify_then_score" => QueuedWork::Verify { then_score: true },
            "score" => QueuedWork::ScoreOnly,
            _ => QueuedWork::Full,
        }
    }
}

/// A call a worker holds: what to do, and the claim number that fences its writes.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The call as enqueued; `fingerprint.sha256` is the stored content hash.
    pub entry: CallEntry,
    pub run_id: RunId,
    pub work: QueuedWork,
    pub claim: i64,
    /// How many claims this call has had in this night, this one included.
    pub attempts: i32,
}

const RETURNED: &str = "c.call_id, c.path, c.size_bytes, c.mtime_ns, c.sha256, c.agent, c.team,
    c.queue, c.started_at, c.agent_channel, c.language, c.run_id, c.work, c.claim, c.attempts,
    c.customer_key, c.direction";

impl PostgresStore {
    /// Queues `call` for workers in `run`; false when a live worker holds it now.
    pub fn enqueue(
        &mut self,
        run: RunId,
        call: &CallEntry,
        work: QueuedWork,
    ) -> Result<bool, StoreError> {
        let m = &call.metadata;
        let fp = &call.fingerprint;
        let n = self.with_client("enqueueing a call", |c| {
            c.execute(
                "INSERT INTO calls AS c (call_id, path, size_bytes, mtime_ns, sha256, status,
                    agent, team, queue, started_at, agent_channel, language, run_id, work,
                    enqueued_at, customer_key, direction)
                 VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $11, $12, $13, now(),
                    $14, $15)
                 ON CONFLICT (call_id) DO UPDATE SET path = $2, size_bytes = $3, mtime_ns = $4,
                    agent = $6, team = $7, queue = $8, started_at = $9, agent_channel = $10,
                    language = $11, run_id = $12, work = $13, enqueued_at = now(),
                    customer_key = $14, direction = $15,
                    prior_status = CASE WHEN c.status = 'pending' THEN c.prior_status
                                        ELSE c.status END,
                    status = 'pending', failure_reason = NULL, attempts = 0, worker = NULL,
                    lease_expires_at = NULL
                 WHERE NOT (c.status = 'running' AND c.lease_expires_at >= now())",
                &[
                    &call.call_id,
                    &call.path,
                    &(fp.size as i64),
                    &fp.mtime_ns,
                    &fp.sha256,
                    &m.agent,
                    &m.team,
                    &m.queue,
                    &m.started_at,
                    &m.agent_channel,
                    &m.language,
                    &run,
                    &work.as_str(),
                    &m.customer_key,
                    &m.direction,
                ],
            )
        })?;
        Ok(n == 1)
    }

    /// Takes the oldest waiting call (or one whose worker's lease ran out) for
    /// `worker`, leased for `lease`. A call whose lease has run out `max_attempts`
    /// times is recorded as failed instead: it keeps killing its workers. A lease
    /// that ran out before the server (re)started ran out during an outage:
    /// taking it over is not counted, and never fails the call.
    pub fn claim(
        &mut self,
        worker: &str,
        lease: Duration,
        max_attempts: i32,
    ) -> Result<Option<Claim>, StoreError> {
        let reason = format!(
            "{max_attempts} workers died or stalled processing this call (lease expired each time); \
             check the recording and the workers' logs and memory"
        );
        self.in_transaction("claiming a call", |tx| {
            tx.execute(
                "WITH dead AS (
                    UPDATE calls SET status = 'failed', failure_reason = $2, work = NULL,
                        lease_expires_at = NULL, transcript_json = NULL, overall_score = NULL
                    WHERE work IS NOT NULL AND status = 'running'
                      AND lease_expires_at < now() AND attempts >= $1
                      AND lease_expires_at >= pg_postmaster_start_time()
                    RETURNING call_id)
                 DELETE FROM scores WHERE call_id IN (SELECT call_id FROM dead)",
                &[&max_attempts, &reason],
            )?;
            let row = tx.query_opt(
                &format!(
                    "WITH next AS (
                        SELECT call_id FROM calls
                        WHERE work IS NOT NULL AND (status = 'pending'
                            OR (status = 'running' AND lease_expires_at < now()))
                        ORDER BY enqueued_at, call_id
                        LIMIT 1 FOR UPDATE SKIP LOCKED)
                     UPDATE calls c SET status = 'running', worker = $1, claim = c.claim + 1,
                        attempts = c.attempts + CASE
                            WHEN c.status = 'running'
                             AND c.lease_expires_at < pg_postmaster_start_time() THEN 0
                            ELSE 1 END,
                        lease_expires_at = now() + make_interval(secs => $2)
                     FROM next WHERE c.call_id = next.call_id
                     RETURNING {RETURNED}"
                ),
                &[&worker, &lease.as_secs_f64()],
            )?;
            Ok(row.map(|r| Claim {
                entry: CallEntry {
                    call_id: r.get(0),
                    path: r.get(1),
                    fingerprint: Fingerprint {
                        size: r.get::<_, i64>(2) as u64,
                        mtime_ns: r.get(3),
                        sha256: r.get(4),
                    },
                    metadata: CallMetadata {
                        agent: r.get(5),
                        team: r.get(6),
                        queue: r.get(7),
                        started_at: r.get(8),
                        agent_channel: r.get(9),
                        language: r.get(10),
                        customer_key: r.get(15),
                        direction: r.get(16),
                    },
                },
                run_id: r.get(11),
                work: QueuedWork::parse(r.get(12)),
                claim: r.get(13),
                attempts: r.get(14),
            }))
        })
    }

    /// Pushes the lease of a held call `lease` into the future — also one that ran
    /// out while nobody took the call over; false when the claim is no longer this
    /// worker's (another worker took the call).
    pub fn extend_lease(
        &mut self,
        call_id: &str,
        claim: i64,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let n = self.with_client("extending a lease", |c| {
            c.execute(
                "UPDATE calls SET lease_expires_at = now() + make_interval(secs => $3)
                 WHERE call_id = $1 AND claim = $2 AND status = 'running' AND work IS NOT NULL",
                &[&call_id, &claim, &lease.as_secs_f64()],
            )
        })?;
        Ok(n == 1)
    }

    /// Writes what the job on `held` produced, in one transaction, if and only if
    /// the claim is still this worker's; otherwise [`StoreError::LeaseLost`] and
    /// nothing is written. Releases the call from the queue.
    pub fn complete(&mut self, held: &Claim, outcomes: &[WorkOutcome]) -> Result<(), StoreError> {
        // Set once COMMIT is sent: if the connection is lost before its answer, the
        // transaction runs again and may find its own result already there.
        let mut committing = false;
        let written = self.with_client("writing a worker's result", |c| {
            let mut tx = c.transaction()?;
            let current = tx.query_opt(
                "SELECT claim, status, work IS NOT NULL FROM calls WHERE call_id = $1 FOR UPDATE",
                &[&held.entry.call_id],
            )?;
            let Some((claim, status, queued)) = current.map(|r| {
                (
                    r.get::<_, i64>(0),
                    r.get::<_, String>(1),
                    r.get::<_, bool>(2),
                )
            }) else {
                return Ok(false);
            };
            if claim != held.claim || status != CallStatus::Running.as_str() || !queued {
                // Released under our claim number: that was our lost commit.
                return Ok(committing && claim == held.claim && !queued);
            }
            write_outcomes(&mut tx, held, outcomes)?;
            tx.execute(
                "UPDATE calls SET work = NULL, lease_expires_at = NULL, prior_status = NULL
                 WHERE call_id = $1",
                &[&held.entry.call_id],
            )?;
            committing = true;
            tx.commit()?;
            Ok(true)
        })?;
        match written {
            true => Ok(()),
            false => Err(StoreError::LeaseLost {
                call_id: held.entry.call_id.clone(),
                claim: held.claim,
            }),
        }
    }

    /// Calls waiting for a worker and calls held by one (live or expired lease).
    pub fn queue_depth(&mut self) -> Result<(u64, u64), StoreError> {
        let row = self.with_client("reading the queue", |c| {
            c.query_one(
                "SELECT COUNT(*) FILTER (WHERE status = 'pending'),
                        COUNT(*) FILTER (WHERE status = 'running')
                 FROM calls WHERE work IS NOT NULL",
                &[],
            )
        })?;
        Ok((row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64))
    }
}

/// Applies a job's outcomes, in order, to the call `held` names.
fn write_outcomes(
    tx: &mut postgres::Transaction<'_>,
    held: &Claim,
    outcomes: &[WorkOutcome],
) -> Result<(), postgres::Error> {
    let mut entry = held.entry.clone();
    let (run, id) = (held.run_id, held.entry.call_id.as_str());
    for outcome in outcomes {
        match outcome {
            WorkOutcome::Started(fp) => {
                entry.fingerprint = fp.clone();
                writes::upsert_entry(tx, run, &entry, CallStatus::Running, None)?;
            }
            WorkOutcome::Unchanged {
                fingerprint,
                then_score,
            } => {
                entry.fingerprint = fingerprint.clone();
                writes::refresh_fingerprint(tx, id, fingerprint)?;
                if !then_score {
                    tx.execute(
                        "UPDATE calls SET status = COALESCE(prior_status, 'scored')
                         WHERE call_id = $1",
                        &[&id],
                    )?;
                }
            }
            WorkOutcome::Rescoring => writes::mark_rescoring(tx, run, &entry)?,
            WorkOutcome::Transcribed {
                transcript_json,
                duration_s,
                transcribed_with,
            } => writes::save_transcript(
                tx,
                id,
                transcript_json,
                *duration_s,
                transcribed_with.as_deref(),
            )?,
            WorkOutcome::Scored(scores) => writes::save_scores(tx, id, scores)?,
            WorkOutcome::Failed {
                fingerprint,
                reason,
            } => {
                if let Some(fp) = fingerprint {
                    entry.fingerprint = fp.clone();
                }
                writes::upsert_entry(tx, run, &entry, CallStatus::Failed, Some(reason))?;
            }
        }
    }
    Ok(())
}
