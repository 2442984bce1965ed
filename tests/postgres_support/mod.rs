//! A fresh PostgreSQL database per test, on the server named by
//! `KUULAS_TEST_POSTGRES` (see scripts/setup-postgres.sh). Without it the tests
//! skip loudly — unless `KUULAS_REQUIRE_POSTGRES` is set (CI), when they fail.
//! [`cluster`] starts a private server a test may stop and start.
#![allow(dead_code)] // each test file uses a different part of the harness

pub mod cluster;

use std::sync::atomic::{AtomicU32, Ordering};

const URL_ENV: &str = "KUULAS_TEST_POSTGRES";
const REQUIRE_ENV: &str = "KUULAS_REQUIRE_POSTGRES";

/// A database that is dropped with the guard.
pub struct TestDb {
    pub url: String,
    admin_url: String,
    name: String,
}

/// The configured test server's URL, or `None` (after a loud message) when no
/// server is configured.
fn admin_url(test: &str) -> Option<String> {
    let Ok(admin_url) = std::env::var(URL_ENV) else {
        if std::env::var_os(REQUIRE_ENV).is_some() {
            panic!("{REQUIRE_ENV} is set but {URL_ENV} is not; run scripts/setup-postgres.sh");
        }
        eprintln!(
            "\n!!! SKIPPED {test}: {URL_ENV} is not set, so the PostgreSQL tests did not run.\n\
             !!! Run `eval \"$(scripts/setup-postgres.sh)\"` first.\n"
        );
        return None;
    };
    Some(admin_url)
}

/// A new empty database, or `None` (after a loud message) when no server is configured.
pub fn database(test: &str) -> Option<TestDb> {
    let admin_url = admin_url(test)?;
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "kuulas_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to {URL_ENV}={admin_url}: {e}"));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin_url.as_str(), String::new()),
    };
    let (server, _) = base.rsplit_once('/').expect("URL has a /database part");
    Some(TestDb {
        url: format!("{server}/{name}{query}"),
        admin_url,
        name,
    })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A call as a run would enqueue it, under `/shared/in`.
pub fn queued_entry(id: &str) -> kuulas::store::CallEntry {
    kuulas::store::CallEntry {
        call_id: id.into(),
        path: format!("/shared/in/{id}.wav"),
        fingerprint: kuulas::store::Fingerprint {
            size: 10,
            mtime_ns: 5,
            sha256: String::new(),
        },
        metadata: kuulas::store::CallMetadata::default(),
    }
}

/// Begins a run and queues `ids` for full processing.
pub fn queue(store: &mut kuulas::store::PostgresStore, ids: &[&str]) {
    use kuulas::store::Store;
    let run = store
        .begin_run(&kuulas::store::NewRun {
            started_at: "2026-11-21T22:00:00Z".into(),
            input_dir: "/shared/in".into(),
            kuulas_version: "test".into(),
            model_sha256: None,
            rubric_sha256: None,
            taxonomy: None,
        })
        .unwrap();
    for id in ids {
        assert!(
            store
                .enqueue(
                    run,
                    &queued_entry(id),
                    kuulas::store::postgres::QueuedWork::Full
                )
                .unwrap()
        );
    }
}
