//! Riding out a database restart. A statement that fails because the connection
//! is gone (the server restarting, failing over, a network blip) is not an error
//! of the work it was doing: the store reconnects, backing off from 0.1 s to 5 s
//! between tries, and runs the statement or transaction again from its start —
//! PostgreSQL rolled back whatever the lost connection had not committed. Only
//! when the server stays unreachable for [`Reconnect::max_outage`] (by default
//! [`MAX_OUTAGE`]) does the store give up with [`StoreError::PostgresUnavailable`].
//!
//! The stores of one process share a [`Reconnect`], so an outage is logged once
//! when its first store notices it and once when the first store is back, however
//! many connections the process holds.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

use crate::store::StoreError;

/// How long a store keeps trying to reconnect before it gives up: long enough for
/// a restart, a minor-version upgrade or a managed failover.
pub const MAX_OUTAGE: Duration = Duration::from_secs(300);
const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(5);

/// How long the stores of one process wait out a lost connection, and what
/// they have already said about it. Cheap to clone; clones share the log state.
#[derive(Debug, Clone)]
pub struct Reconnect {
    max_outage: Duration,
    outages: Arc<Mutex<Outages>>,
}

/// Outages are numbered: a store remembers the number it last connected in, so a
/// store that finds its connection dead after others already logged (or even
/// recovered from) that outage stays quiet.
#[derive(Debug, Default)]
struct Outages {
    number: u64,
    open_since: Option<Instant>,
}

impl Default for Reconnect {
    fn default() -> Reconnect {
        Reconnect::new(MAX_OUTAGE)
    }
}

impl Reconnect {
    /// Gives up on a server unreachable for longer than `max_outage`.
    pub fn new(max_outage: Duration) -> Reconnect {
        Reconnect {
            max_outage,
            outages: Arc::default(),
        }
    }

    pub fn max_outage(&self) -> Duration {
        self.max_outage
    }

    /// The number of the latest outage; a fresh connection belongs to it.
    pub(super) fn current(&self) -> u64 {
        self.state().number
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Outages> {
        self.outages.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A connection made in outage `number` was found dead: logs a new outage
    /// unless another store of this process already did.
    fn lost(&self, number: u64, url: &str, error: &postgres::Error) {
        let mut state = self.state();
        if state.number != number {
            return;
        }
        state.number += 1;
        state.open_since = Some(Instant::now());
        tracing::warn!(
            "PostgreSQL store {url}: lost the connection ({error}); reconnecting for up to {} s",
            self.max_outage.as_secs()
        );
    }

    /// A store is connected again; logs the end of the outage once.
    fn restored(&self, url: &str) -> u64 {
        let mut state = self.state();
        if let Some(since) = state.open_since.take() {
            tracing::info!(
                "PostgreSQL store {url}: reconnected after {:.1} s",
                since.elapsed().as_secs_f64()
            );
        }
        state.number
    }
}

/// True when `error` means the connection is gone rather than that the statement
/// was wrong: the server shut down or is starting, the socket broke, or the
/// client already knows the connection is closed.
fn is_connection_lost(error: &postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    if let Some(code) = error.code() {
        return code.code().starts_with("08")
            || [
                SqlState::ADMIN_SHUTDOWN,
                SqlState::CRASH_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
            ]
            .contains(code);
    }
    std::error::Error::source(error).is_some_and(|source| source.is::<std::io::Error>())
}

/// One connection and what it needs to come back: the store lends it to
/// [`Link::run`] for one statement or transaction.
pub(super) struct Link<'a> {
    pub client: &'a mut Client,
    pub config: &'a Config,
    pub reconnect: &'a Reconnect,
    pub url: &'a str,
    /// The outage number this connection was made in.
    pub outage: u64,
    /// The advisory-lock statement to run again on a new connection, if the store holds one.
    pub lock: Option<&'static str>,
    pub lock_key: i64,
}

impl Link<'_> {
    /// Runs `f`, reconnecting and running it again from its start while the
    /// connection is lost, up to the maximum outage.
    pub fn run<T>(
        &mut self,
        action: &'static str,
        mut f: impl FnMut(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut lost_at = None;
        loop {
            match f(self.client) {
                Ok(value) => return Ok(value),
                Err(source) if is_connection_lost(&source) => {
                    self.reconnect.lost(self.outage, self.url, &source);
                    let since = *lost_at.get_or_insert_with(Instant::now);
                    *self.client = self.connect_again(action, since, source)?;
                    self.outage = self.reconnect.restored(self.url);
                }
                Err(source) => {
                    return Err(StoreError::Postgres {
                        url: self.url.to_string(),
                        action,
                        source,
                    });
                }
            }
        }
    }

    /// Tries to connect with growing pauses until the outage that began at
    /// `since` outlasts the maximum; retakes the store's advisory lock.
    fn connect_again(
        &self,
        action: &'static str,
        since: Instant,
        mut last: postgres::Error,
    ) -> Result<Client, StoreError> {
        let mut delay = FIRST_DELAY;
        loop {
            let left = self.reconnect.max_outage.saturating_sub(since.elapsed());
            if left.is_zero() {
                return Err(StoreError::PostgresUnavailable {
                    url: self.url.to_string(),
                    action,
                    waited_s: since.elapsed().as_secs(),
                    source: last,
                });
            }
            std::thread::sleep(delay.min(left));
            delay = (delay * 2).min(MAX_DELAY);
            let attempt = self.config.connect(NoTls).and_then(|mut client| {
                let locked = self.relock(&mut client)?;
                Ok((client, locked))
            });
            match attempt {
                Ok((client, true)) => return Ok(client),
                Ok((_, false)) => {
                    return Err(StoreError::PostgresLocked {
                        url: self.url.to_string(),
                    });
                }
                Err(e) if is_connection_lost(&e) => last = e,
                Err(source) => {
                    return Err(StoreError::Postgres {
                        url: self.url.to_string(),
                        action: "reconnecting after a lost connection",
                        source,
                    });
                }
            }
        }
    }

    /// A session advisory lock dies with its connection: take it again. False
    /// when someone else took it meanwhile (a run that must not share the store).
    fn relock(&self, client: &mut Client) -> Result<bool, postgres::Error> {
        match self.lock {
            Some(sql) => Ok(client.query_one(sql, &[&self.lock_key])?.get(0)),
            None => Ok(true),
        }
    }
}
