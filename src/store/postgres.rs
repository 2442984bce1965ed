//! The shared store: PostgreSQL, for a fleet of `kuulas run --worker` processes on
//! many machines. It keeps the same tables as the SQLite store (adapted types, same
//! numbered migrations, [`schema`]) plus the work-queue columns of [`queue`]: a call
//! is claimed with `FOR UPDATE SKIP LOCKED` under a lease that a heartbeat extends,
//! and every result is written in one transaction that first checks the writer
//! still holds its claim (a fencing token), so a call never ends with two results.
//!
//! An ordinary `kuulas run --store postgres://…` also works: it uses the [`Store`]
//! trait like SQLite, holding a session advisory lock instead of a lock file.
//!
//! Every statement rides out a lost connection ([`reconnect`]): the store
//! reconnects with backoff, takes its advisory lock again and reruns the
//! statement or transaction, for up to [`MAX_OUTAGE`], so a database restart is
//! a pause, not an error.

mod queue;
mod reads;
mod reconnect;
mod schema;
mod writes;

pub use queue::{Claim, QueuedWork};
pub use reconnect::{MAX_OUTAGE, Reconnect};

use std::cell::{Cell, RefCell};
use std::str::FromStr;
use std::time::Duration;

use postgres::{Client, Config, NoTls};

use super::{
    CallEntry, CallScores, CallStatus, CallTable, ContactRow, Fingerprint, KnownCall, NewRun,
    RunId, RunTotals, StatusCount, Store, StoreError, StoredReason, TAGGED_WITH, TaggedWith,
    TaxonomyStamp, UNFINISHED_FORCE, rename_statements, retagged_statement, tagged_with,
};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Advisory-lock key of an ordinary (non-worker) run: "kuul".
const RUN_LOCK_KEY: i64 = 0x6b75_756c;

/// True when `--store` names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(store: &str) -> bool {
    store.starts_with("postgres://") || store.starts_with("postgresql://")
}

/// `url` with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// The advisory locks a store can hold, as the statements that take them.
const EXCLUSIVE_LOCK: &str = "SELECT pg_try_advisory_lock($1)";
const SHARED_LOCK: &str = "SELECT pg_try_advisory_lock_shared($1)";

pub struct PostgresStore {
    /// `RefCell`: the trait reads through `&self`, the client needs `&mut`.
    client: RefCell<Client>,
    /// How to connect again after the connection is lost.
    config: Config,
    url: String,
    reconnect: Reconnect,
    /// The outage number the current connection was made in ([`Reconnect`]).
    outage: Cell<u64>,
    /// The advisory lock this store took, to take again on a new connection.
    lock: Cell<Option<&'static str>>,
}

impl PostgresStore {
    /// Connects to `url` (the password may also come from `PGPASSWORD`) and
    /// migrates the schema; concurrent workers starting at once migrate only once.
    /// The first connection must succeed; later lost ones are waited out for up
    /// to [`MAX_OUTAGE`].
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        PostgresStore::connect_with(url, &Reconnect::default())
    }

    /// Like [`PostgresStore::connect`], waiting out lost connections as
    /// `reconnect` says; the stores of one process share it, so each outage is
    /// logged once.
    pub fn connect_with(url: &str, reconnect: &Reconnect) -> Result<PostgresStore, StoreError> {
        let shown = redact(url);
        let mut config = Config::from_str(url).map_err(|source| StoreError::PostgresUrl {
            url: shown.clone(),
            source,
        })?;
        if config.get_password().is_none()
            && let Ok(password) = std::env::var("PGPASSWORD")
        {
            config.password(password);
        }
        config
            .connect_timeout(CONNECT_TIMEOUT)
            .application_name("kuulas");
        let mut client = config
            .connect(NoTls)
            .map_err(|source| StoreError::Postgres {
                url: shown.clone(),
                action: "connecting (is the server up and the URL right?)",
                source,
            })?;
        schema::apply(&mut client, &shown)?;
        Ok(PostgresStore {
            client: RefCell::new(client),
            config,
            url: shown,
            outage: Cell::new(reconnect.current()),
            reconnect: reconnect.clone(),
            lock: Cell::new(None),
        })
    }

    /// Takes the store for an ordinary run: refused while another one, a worker
    /// or an enqueue holds it. Held until this connection closes (also when the
    /// process dies).
    pub fn lock_for_run(&mut self) -> Result<(), StoreError> {
        self.try_lock(EXCLUSIVE_LOCK)
    }

    /// Takes the store for a worker or an enqueue, which share it with each other
    /// but not with an ordinary run (that one would redo calls workers hold).
    pub fn lock_shared(&mut self) -> Result<(), StoreError> {
        self.try_lock(SHARED_LOCK)
    }

    fn try_lock(&mut self, sql: &'static str) -> Result<(), StoreError> {
        let row = self.with_client("taking the store's lock", |c| {
            c.query_one(sql, &[&RUN_LOCK_KEY])
        })?;
        if row.get::<_, bool>(0) {
            self.lock.set(Some(sql));
            Ok(())
        } else {
            Err(StoreError::PostgresLocked {
                url: self.url.clone(),
            })
        }
    }

    /// The URL without its password.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs `f` in one transaction, committing only if it succeeds; after a lost
    /// connection the whole transaction runs again.
    fn in_transaction<T>(
        &mut self,
        action: &'static str,
        mut f: impl FnMut(&mut postgres::Transaction<'_>) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        self.with_client(action, |c| {
            let mut tx = c.transaction()?;
            let value = f(&mut tx)?;
            tx.commit()?;
            Ok(value)
        })
    }

    /// Runs `f` on the connection, reconnecting and running it again while the
    /// connection is lost ([`reconnect`]); `action` names it in errors. Runs
    /// on the caller's thread: kuulas runs no async runtime the blocking client
    /// could collide with (ARCHITECTURE.md, "Threads").
    pub(super) fn with_client<T>(
        &self,
        action: &'static str,
        f: impl FnMut(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut guard = self.client.borrow_mut();
        let mut link = reconnect::Link {
            client: &mut guard,
            config: &self.config,
            reconnect: &self.reconnect,
            url: &self.url,
            outage: self.outage.get(),
            lock: self.lock.get(),
            lock_key: RUN_LOCK_KEY,
        };
        let result = link.run(action, f);
        self.outage.set(link.outage);
        result
    }
}

impl Store for PostgresStore {
    fn reset_interrupted(&mut self) -> Result<u64, StoreError> {
        // Only calls nobody holds: a worker's live lease is not an interruption.
        let n = self.with_client("resetting interrupted calls", |c| {
            c.execute(
                "UPDATE calls SET status = 'pending', work = NULL
                 WHERE status = 'running'
                   AND (lease_expires_at IS NULL OR lease_expires_at < now())",
                &[],
            )
        })?;
        Ok(n)
    }

    fn begin_run(&mut self, run: &NewRun) -> Result<RunId, StoreError> {
        let row = self.with_client("starting a run", |c| c.query_one(
                "INSERT INTO runs (started_at, input_dir, kuulas_version, model_sha256, rubric_sha256,
                     taxonomy_id, taxonomy_version, taxonomy_sha256)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &run.started_at,
                    &run.input_dir,
                    &run.kuulas_version,
                    &run.model_sha256,
                    &run.rubric_sha256,
                    &run.taxonomy.as_ref().map(|t| &t.id),
                    &run.taxonomy.as_ref().map(|t| &t.version),
                    &run.taxonomy.as_ref().map(|t| &t.sha256),
                ],
            ))?;
        Ok(row.get(0))
    }

    fn finish_run(&mut self, run: RunId, totals: &RunTotals) -> Result<(), StoreError> {
        self.with_client("finishing a run", |c| {
            c.execute(
                "UPDATE runs SET finished_at = $2, discovered = $3, processed = $4, skipped = $5,
                    failed = $6, audio_seconds = $7 WHERE id = $1",
                &[
                    &run,
                    &totals.finished_at,
                    &(totals.discovered as i64),
                    &(totals.processed as i64),
                    &(totals.skipped as i64),
                    &(totals.failed as i64),
                    &totals.audio_seconds,
                ],
            )
        })?;
        Ok(())
    }

    fn latest_run(&self) -> Result<Option<RunId>, StoreError> {
        let row = self.with_client("finding the latest run", |c| {
            c.query_one("SELECT MAX(id) FROM runs", &[])
        })?;
        Ok(row.get(0))
    }

    fn known_calls(&self) -> Result<Vec<KnownCall>, StoreError> {
        self.known()
    }

    fn mark_running(&mut self, run: RunId, call: &CallEntry) -> Result<(), StoreError> {
        self.in_transaction("recording a call", |tx| {
            writes::upsert_entry(tx, run, call, CallStatus::Running, None)
        })
    }

    fn refresh_fingerprint(&mut self, call_id: &str, fp: &Fingerprint) -> Result<(), StoreError> {
        self.in_transaction("refreshing a fingerprint", |tx| {
            writes::refresh_fingerprint(tx, call_id, fp)
        })
    }

    fn save_transcript(
        &mut self,
        call_id: &str,
        transcript_json: &str,
        duration_s: f64,
        transcribed_with: Option<&str>,
    ) -> Result<(), StoreError> {
        self.in_transaction("saving a transcript", |tx| {
            writes::save_transcript(tx, call_id, transcript_json, duration_s, transcribed_with)
        })
    }

    fn mark_rescoring(&mut self, run: RunId, call: &CallEntry) -> Result<(), StoreError> {
        self.in_transaction("preparing a rescore", |tx| {
            writes::mark_rescoring(tx, run, call)
        })
    }

    fn save_scores(&mut self, call_id: &str, scores: &CallScores) -> Result<(), StoreError> {
        self.in_transaction("saving scores", |tx| {
            writes::save_scores(tx, call_id, scores)
        })
    }

    fn mark_failed(
        &mut self,
        run: RunId,
        call: &CallEntry,
        reason: &str,
    ) -> Result<(), StoreError> {
        self.in_transaction("recording a failure", |tx| {
            writes::upsert_entry(tx, run, call, CallStatus::Failed, Some(reason))
        })
    }

    fn transcript(&self, call_id: &str) -> Result<Option<String>, StoreError> {
        let row = self.with_client("reading a transcript", |c| {
            c.query_opt(
                "SELECT transcript_json FROM calls WHERE call_id = $1",
                &[&call_id],
            )
        })?;
        Ok(row.and_then(|r| r.get(0)))
    }

    fn rename_call(&mut self, from: &str, to: &str) -> Result<(), StoreError> {
        let (scores, call) = rename_statements("$1", "$2");
        self.in_transaction("renaming a call", move |tx| {
            tx.execute(&scores, &[&from])?;
            tx.execute(&call, &[&from, &to])?;
            Ok(())
        })
    }

    fn mark_forced(&mut self, run: RunId, since: RunId) -> Result<(), StoreError> {
        self.with_client("recording a forced run", |c| {
            c.execute(
                "UPDATE runs SET force_from = $2 WHERE id = $1",
                &[&run, &since],
            )
        })?;
        Ok(())
    }

    fn unfinished_force(&self) -> Result<Option<RunId>, StoreError> {
        let row = self.with_client("looking for an interrupted --force run", |c| {
            c.query_opt(UNFINISHED_FORCE, &[])
        })?;
        Ok(row.map(|r| r.get(0)))
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
        self.in_transaction("saving a reason", |tx| {
            writes::save_reason(tx, call_id, reason)
        })
    }

    fn tagged_with(&self) -> Result<Vec<TaggedWith>, StoreError> {
        let rows = self.with_client("reading which taxonomy tagged the calls", |c| {
            c.query(TAGGED_WITH, &[])
        })?;
        Ok(rows
            .iter()
            .map(|r| tagged_with(r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect())
    }

    fn retagged_with(&mut self, taxonomy: &TaxonomyStamp) -> Result<(), StoreError> {
        self.with_client("recording the taxonomy of the retagged calls", |c| {
            c.execute(
                &retagged_statement('$'),
                &[&taxonomy.id, &taxonomy.version, &taxonomy.sha256],
            )
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_recognised_and_passwords_hidden() {
        assert!(is_postgres_url("postgres://kuulas@db/kuulas"));
        assert!(is_postgres_url("postgresql://db/kuulas"));
        assert!(!is_postgres_url("out/kuulas.sqlite"));
        assert_eq!(
            redact("postgres://kuulas:s3cret@db:5432/kuulas"),
            "postgres://kuulas:***@db:5432/kuulas"
        );
        assert_eq!(redact("postgres://kuulas@db/k"), "postgres://kuulas@db/k");
    }
}
