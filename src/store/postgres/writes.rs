//! The write statements of the PostgreSQL store, each taking the transaction it
//! runs in: the [`crate::store::Store`] methods wrap one in its own transaction,
//! a worker's fenced completion runs several in the transaction that checked its
//! claim. The statements mirror the SQLite store's.

use postgres::GenericClient;

use crate::store::{
    CallEntry, CallScores, CallStatus, Fingerprint, RunId, StoredReason, reason_params,
    save_reason_statement,
};

type Result<T> = std::result::Result<T, postgres::Error>;

/// Resets everything a call derives from its content, for a fresh start or a failure.
const CLEAR_RESULTS: &str = "duration_s = NULL, transcript_json = NULL, overall_score = NULL,
    talk_ratio_agent = NULL, longest_silence_s = NULL, interruptions = NULL,
    customer_sentiment_start = NULL, customer_sentiment_end = NULL, metrics_json = NULL,
    moments_json = NULL, transcribed_with = NULL, reason_id = NULL, reason_confidence = NULL,
    reason_quote = NULL, reason_at_s = NULL, reasons_secondary = NULL";

/// Inserts or replaces the identity of a call and sets its status, clearing results.
pub fn upsert_entry(
    tx: &mut impl GenericClient,
    run: RunId,
    call: &CallEntry,
    status: CallStatus,
    reason: Option<&str>,
) -> Result<()> {
    tx.execute("DELETE FROM scores WHERE call_id = $1", &[&call.call_id])?;
    let m = &call.metadata;
    let fp = &call.fingerprint;
    let sql = format!(
        "INSERT INTO calls (call_id, path, size_bytes, mtime_ns, sha256, status,
            failure_reason, agent, team, queue, started_at, agent_channel, language, run_id,
            customer_key, direction)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (call_id) DO UPDATE SET path = $2, size_bytes = $3, mtime_ns = $4,
            sha256 = $5, status = $6, failure_reason = $7, agent = $8, team = $9,
            queue = $10, started_at = $11, agent_channel = $12, language = $13,
            run_id = $14, customer_key = $15, direction = $16, {CLEAR_RESULTS}"
    );
    tx.execute(
        &sql,
        &[
            &call.call_id,
            &call.path,
            &(fp.size as i64),
            &fp.mtime_ns,
            &fp.sha256,
            &status.as_str(),
            &reason,
            &m.agent,
            &m.team,
            &m.queue,
            &m.started_at,
            &m.agent_channel,
            &m.language,
            &run,
            &m.customer_key,
            &m.direction,
        ],
    )?;
    Ok(())
}

pub fn refresh_fingerprint(
    tx: &mut impl GenericClient,
    call_id: &str,
    fp: &Fingerprint,
) -> Result<()> {
    tx.execute(
        "UPDATE calls SET size_bytes = $2, mtime_ns = $3 WHERE call_id = $1",
        &[&call_id, &(fp.size as i64), &fp.mtime_ns],
    )?;
    Ok(())
}

pub fn save_transcript(
    tx: &mut impl GenericClient,
    call_id: &str,
    transcript_json: &str,
    duration_s: f64,
    transcribed_with: Option<&str>,
) -> Result<()> {
    tx.execute(
        "UPDATE calls SET status = 'transcribed', transcript_json = $2, duration_s = $3,
            transcribed_with = $4
         WHERE call_id = $1",
        &[&call_id, &transcript_json, &duration_s, &transcribed_with],
    )?;
    Ok(())
}

/// Drops the scores of a transcribed call before `run` scores it again.
pub fn mark_rescoring(tx: &mut impl GenericClient, run: RunId, call: &CallEntry) -> Result<()> {
    tx.execute("DELETE FROM scores WHERE call_id = $1", &[&call.call_id])?;
    let m = &call.metadata;
    tx.execute(
        "UPDATE calls SET status = 'transcribed', run_id = $2, overall_score = NULL,
            path = $3, agent = $4, team = $5, queue = $6, started_at = $7,
            agent_channel = $8, language = $9, customer_key = $10, direction = $11
         WHERE call_id = $1",
        &[
            &call.call_id,
            &run,
            &call.path,
            &m.agent,
            &m.team,
            &m.queue,
            &m.started_at,
            &m.agent_channel,
            &m.language,
            &m.customer_key,
            &m.direction,
        ],
    )?;
    Ok(())
}

pub fn save_scores(tx: &mut impl GenericClient, call_id: &str, scores: &CallScores) -> Result<()> {
    tx.execute("DELETE FROM scores WHERE call_id = $1", &[&call_id])?;
    for (position, d) in scores.dimensions.iter().enumerate() {
        tx.execute(
            "INSERT INTO scores (call_id, dimension, position, score) VALUES ($1, $2, $3, $4)",
            &[&call_id, &d.dimension, &(position as i64), &d.score],
        )?;
    }
    let s = &scores.summary;
    tx.execute(
        "UPDATE calls SET status = 'scored', failure_reason = NULL, overall_score = $2,
            talk_ratio_agent = $3, longest_silence_s = $4, interruptions = $5,
            customer_sentiment_start = $6, customer_sentiment_end = $7, metrics_json = $8,
            moments_json = $9
         WHERE call_id = $1",
        &[
            &call_id,
            &scores.overall,
            &s.talk_ratio_agent,
            &s.longest_silence_s,
            &s.interruptions.map(i64::from),
            &s.customer_sentiment_start,
            &s.customer_sentiment_end,
            &scores.metrics_json,
            &scores.moments_json,
        ],
    )?;
    save_reason(tx, call_id, scores.reason.as_ref())
}

/// Sets the call's reason columns (`None`: no reason).
pub fn save_reason(
    tx: &mut impl GenericClient,
    call_id: &str,
    reason: Option<&StoredReason>,
) -> Result<()> {
    let (id, confidence, quote, at_s, secondary) = reason_params(reason);
    tx.execute(
        &save_reason_statement('$'),
        &[&call_id, &id, &confidence, &quote, &at_s, &secondary],
    )?;
    Ok(())
}
