//! The SQLite schema as a numbered list of migrations. `PRAGMA user_version` holds
//! how many have been applied; each runs in its own transaction together with the
//! version bump, so a crash mid-migration leaves the previous version intact.
//! Never edit a released migration: append a new one.

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: runs, calls, per-dimension scores.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        input_dir TEXT NOT NULL,
        kuulas_version TEXT NOT NULL,
        model_sha256 TEXT,
        rubric_sha256 TEXT,
        discovered INTEGER,
        processed INTEGER,
        skipped INTEGER,
        failed INTEGER,
        audio_seconds REAL
    );
    CREATE TABLE calls (
        call_id TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('pending', 'running', 'transcribed', 'scored', 'failed')),
        failure_reason TEXT,
        agent TEXT,
        team TEXT,
        queue TEXT,
        started_at TEXT,
        agent_channel TEXT,
        language TEXT,
        duration_s REAL,
        transcript_json TEXT,
        overall_score REAL,
        talk_ratio_agent REAL,
        longest_silence_s REAL,
        interruptions INTEGER,
        customer_sentiment_start REAL,
        customer_sentiment_end REAL,
        metrics_json TEXT,
        moments_json TEXT,
        run_id INTEGER NOT NULL REFERENCES runs(id)
    );
    CREATE INDEX calls_by_run ON calls(run_id);
    CREATE TABLE scores (
        call_id TEXT NOT NULL REFERENCES calls(call_id) ON DELETE CASCADE,
        dimension TEXT NOT NULL,
        position INTEGER NOT NULL,
        score REAL,
        PRIMARY KEY (call_id, dimension)
    );",
    // 2: what a rerun must redo (issue 20). `transcribed_with` holds the
    // transcription settings a call's transcript was made with (JSON; NULL: not
    // known, e.g. transcribed before this migration); `force_from` marks a run
    // that carries out the `--force` begun by run `force_from`, so a plain rerun
    // finishes a forced run that was killed.
    "ALTER TABLE calls ADD COLUMN transcribed_with TEXT;
    ALTER TABLE runs ADD COLUMN force_from INTEGER;",
    // 3: who and which way (issue 21): the customer key (an id, or `tel:` and a
    // hash of the phone number) and the direction, for figures across calls.
    "ALTER TABLE calls ADD COLUMN customer_key TEXT;
    ALTER TABLE calls ADD COLUMN direction TEXT CHECK (direction IN ('inbound', 'outbound'));
    CREATE INDEX calls_by_customer ON calls(customer_key, started_at);",
    // 4: why the customer called (issue 21, `crate::reasons`): the primary
    // reason's id, confidence, quote and time, and the secondary reasons' ids
    // (comma-separated); all NULL when no reason was found or none tagged yet.
    "ALTER TABLE calls ADD COLUMN reason_id TEXT;
    ALTER TABLE calls ADD COLUMN reason_confidence REAL;
    ALTER TABLE calls ADD COLUMN reason_quote TEXT;
    ALTER TABLE calls ADD COLUMN reason_at_s REAL;
    ALTER TABLE calls ADD COLUMN reasons_secondary TEXT;",
    // 5: which taxonomy tagged a run's calls (issue 21): its id, version and
    // SHA-256, as the rubric's hash is kept; `kuulas reasons retag` sets them on
    // the runs whose calls it tagged again. NULL: not recorded (before this).
    "ALTER TABLE runs ADD COLUMN taxonomy_id TEXT;
    ALTER TABLE runs ADD COLUMN taxonomy_version TEXT;
    ALTER TABLE runs ADD COLUMN taxonomy_sha256 TEXT;",
];

/// The schema version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the store at `path` up to [`latest`].
pub fn apply(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
    if found > latest() {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            known: latest(),
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let version = index + 1;
        let fail = |source| StoreError::Migrate {
            path: path.to_path_buf(),
            version,
            source,
        };
        let tx = conn.transaction().map_err(fail)?;
        tx.execute_batch(sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", version as i64)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_store_reaches_latest_and_reapplying_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn, Path::new(":memory:")).unwrap();
        apply(&mut conn, Path::new(":memory:")).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, latest());
    }

    /// An in-memory store at schema `version` (its first migrations applied)
    /// holding one run and, with `call`, one scored call of it.
    fn store_at_version(version: usize, call: bool) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..version] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", version as i64)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO runs (id, started_at, input_dir, kuulas_version) VALUES (1, 't', 'i', 'v');",
        )
        .unwrap();
        if call {
            conn.execute_batch(
                "INSERT INTO calls (call_id, path, size_bytes, mtime_ns, sha256, status, run_id)
                 VALUES ('a', 'a.wav', 1, 1, 'ab', 'scored', 1);",
            )
            .unwrap();
        }
        conn
    }

    /// A store of schema version 1 keeps its calls; their transcription settings
    /// are not known (so never a reason to redo them) and no run is forced.
    #[test]
    fn version_1_store_upgrades_with_unknown_settings() {
        let mut conn = store_at_version(1, true);
        apply(&mut conn, Path::new(":memory:")).unwrap();
        let (id, settings): (String, Option<String>) = conn
            .query_row("SELECT call_id, transcribed_with FROM calls", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((id.as_str(), settings), ("a", None));
        let forced: Option<i64> = conn
            .query_row("SELECT force_from FROM runs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(forced, None);
    }

    /// A store of schema version 2 keeps its calls, with no customer or
    /// direction; a direction other than the two is refused.
    #[test]
    fn version_2_store_upgrades_without_customers() {
        let mut conn = store_at_version(2, true);
        apply(&mut conn, Path::new(":memory:")).unwrap();
        let (key, direction): (Option<String>, Option<String>) = conn
            .query_row("SELECT customer_key, direction FROM calls", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((key, direction), (None, None));
        let sideways = conn.execute("UPDATE calls SET direction = 'sideways'", []);
        assert!(sideways.is_err());
        conn.execute("UPDATE calls SET direction = 'outbound'", [])
            .unwrap();
    }

    /// A store of schema version 3 keeps its calls, untagged: no reason until
    /// `kuulas reasons retag` or a rescore tags them.
    #[test]
    fn version_3_store_upgrades_without_reasons() {
        let mut conn = store_at_version(3, true);
        apply(&mut conn, Path::new(":memory:")).unwrap();
        let (reason, confidence): (Option<String>, Option<f64>) = conn
            .query_row("SELECT reason_id, reason_confidence FROM calls", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((reason, confidence), (None, None));
    }

    /// A store of schema version 4 keeps its runs, with no taxonomy recorded.
    #[test]
    fn version_4_store_upgrades_without_taxonomies() {
        let mut conn = store_at_version(4, false);
        apply(&mut conn, Path::new(":memory:")).unwrap();
        let taxonomy: (Option<String>, Option<String>) = conn
            .query_row("SELECT taxonomy_id, taxonomy_sha256 FROM runs", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(taxonomy, (None, None));
    }

    #[test]
    fn store_from_a_newer_kuulas_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest() + 1)
            .unwrap();
        let err = apply(&mut conn, Path::new("x.sqlite")).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
    }
}
