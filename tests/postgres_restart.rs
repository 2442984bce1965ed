//! Database restarts under load (fault injection): a private PostgreSQL server
//! is stopped and started while three `kuulas run --worker` processes work the
//! queue. Workers wait the outage out, keep their leases and finish: every call
//! ends scored exactly once, none is lost, doubled or failed. Through the store
//! API: a lease that ran out while the server was down stays its worker's if
//! nobody took the call, a takeover of such a lease never counts towards failing
//! the call, and a server that stays away is given up on with a clear error.

mod batch_support;
mod postgres_support;

use std::process::Output;
use std::thread::sleep;
use std::time::{Duration, Instant};

use batch_support::{Batch, code, stderr};
use kuulas::store::WorkOutcome;
use kuulas::store::postgres::Reconnect;
use kuulas::store::{CallScores, MetricSummary, PostgresStore, Store, StoreError};
use postgres_support::cluster::cluster;

const CALLS: usize = 24;
const RESTARTS: usize = 3;
/// 3 workers × 2 jobs: four rounds of 3 s, longer than the three outages take.
const DELAY_MS: u64 = 3000;
/// Well above an outage: the workers must keep their leases, not lose them.
const LEASE_SECS: u32 = 10;

fn count(url: &str, sql: &str) -> i64 {
    let mut db = postgres::Client::connect(url, postgres::NoTls).unwrap();
    db.query_one(sql, &[]).unwrap().get(0)
}

/// "kuulas worker host:pid: 8 processed, 0 unchanged, 0 failed, 0 lost …" → 8.
fn processed(out: &Output) -> usize {
    let text = stderr(out);
    let line = text
        .lines()
        .find(|l| l.starts_with("kuulas worker "))
        .unwrap_or_else(|| panic!("no summary line:\n{text}"));
    let (_, counts) = line.rsplit_once(": ").unwrap();
    assert!(
        counts.contains(" 0 failed, 0 lost"),
        "a call failed or changed hands: {line}"
    );
    counts.split(' ').next().unwrap().parse().unwrap()
}

#[cfg(unix)]
#[test]
fn three_workers_ride_out_three_database_restarts_and_score_every_call_once() {
    let Some(server) = cluster("postgres_restart") else {
        return;
    };
    let url = server.url.as_str();
    let b = Batch::new();
    for i in 0..CALLS {
        b.call(&format!("night/call{i:02}.wav"), "hyvää päivää");
    }
    let queued = b.enqueue(url, &[]);
    assert_eq!(code(&queued), 0, "{}", stderr(&queued));

    let worker = || b.worker(url, DELAY_MS, 2, LEASE_SECS);
    let mut workers = [worker(), worker(), worker()];
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(url, "SELECT COUNT(*) FROM calls WHERE status = 'running'") < 3 {
        assert!(Instant::now() < deadline, "the workers never claimed calls");
        sleep(Duration::from_millis(50));
    }
    let mut done_before_last_outage = 0;
    for restart in 0..RESTARTS {
        sleep(Duration::from_millis(800));
        for w in &mut workers {
            let exited = w.try_wait().unwrap();
            assert!(exited.is_none(), "a worker exited before restart {restart}");
        }
        done_before_last_outage =
            count(url, "SELECT COUNT(*) FROM calls WHERE work IS NULL") as usize;
        server.stop();
        sleep(Duration::from_millis(1000));
        server.start();
    }
    assert!(
        done_before_last_outage < CALLS,
        "the queue emptied before the last restart; the test restarted nothing under load"
    );

    let outs: Vec<Output> = workers
        .into_iter()
        .map(|w| w.wait_with_output().unwrap())
        .collect();
    let mut total = 0;
    for out in &outs {
        let log = stderr(out);
        assert_eq!(code(out), 0, "the worker died:\n{log}");
        let outages = log.matches("lost the connection").count();
        assert!(
            (1..=RESTARTS).contains(&outages),
            "{outages} outages logged, expected one line per restart at most:\n{log}"
        );
        assert!(log.contains("reconnected after"), "{log}");
        total += processed(out);
    }
    assert_eq!(total, CALLS, "every call processed once, by one worker");

    let mut db = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let rows = db
        .query(
            "SELECT call_id, status, attempts, work IS NULL FROM calls ORDER BY call_id",
            &[],
        )
        .unwrap();
    assert_eq!(rows.len(), CALLS, "no call lost");
    for row in &rows {
        let call_id: String = row.get(0);
        assert_eq!(row.get::<_, &str>(1), "scored", "{call_id}");
        assert_eq!(row.get::<_, i32>(2), 1, "{call_id} kept its lease");
        assert!(row.get::<_, bool>(3), "{call_id} still queued");
    }
    let per_call: Vec<i64> = db
        .query("SELECT COUNT(*) FROM scores GROUP BY call_id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    // One score row per dimension of the rubric the workers scored with.
    let dimensions = kuulas::rubric::default_rubric().dimensions.len() as i64;
    assert_eq!(per_call, vec![dimensions; CALLS], "one result per call");
    let files = b.files();
    for row in &rows {
        let name = kuulas::names::file_name_for(row.get::<_, &str>(0));
        for kind in ["transcript", "score"] {
            let bytes = &files[&format!("{name}.{kind}.json")];
            assert!(serde_json::from_slice::<serde_json::Value>(bytes).is_ok());
        }
    }
}

fn scored() -> Vec<WorkOutcome> {
    vec![WorkOutcome::Scored(CallScores {
        dimensions: Vec::new(),
        overall: Some(80.0),
        summary: MetricSummary::default(),
        metrics_json: "{}".into(),
        moments_json: "[]".into(),
        reason: None,
    })]
}

#[test]
fn leases_outlive_an_outage_and_a_server_that_stays_away_is_given_up_on() {
    let Some(server) = cluster("postgres_restart") else {
        return;
    };
    let lease = Duration::from_secs(1);
    let mut a = PostgresStore::connect(&server.url).unwrap();
    let mut b = PostgresStore::connect(&server.url).unwrap();
    postgres_support::queue(&mut a, &["kept", "taken"]);
    let kept = a.claim("a:1", lease, 1).unwrap().unwrap();
    let taken = a.claim("a:1", lease, 1).unwrap().unwrap();

    // Both leases run out while the server is down.
    server.stop();
    sleep(lease + Duration::from_millis(500));
    server.start();

    assert!(
        a.extend_lease("kept", kept.claim, lease).unwrap(),
        "nobody took the call: its worker keeps it"
    );
    // max_attempts 1: had the outage counted as a dead worker, this claim would
    // record the call as failed instead of taking it over.
    let takeover = b.claim("b:1", lease, 1).unwrap().expect("the expired call");
    assert_eq!(takeover.entry.call_id, "taken");
    assert_eq!(takeover.attempts, 1, "the outage is not the call's attempt");
    assert!(!a.extend_lease("taken", taken.claim, lease).unwrap());
    a.complete(&kept, &scored()).unwrap();
    b.complete(&takeover, &scored()).unwrap();
    assert!(matches!(
        a.complete(&taken, &scored()),
        Err(StoreError::LeaseLost { .. })
    ));
    let statuses = a.status_counts().unwrap();
    assert!(
        statuses.iter().all(|s| s.status.as_str() == "scored"),
        "{statuses:?}"
    );

    // A server that stays away: the store gives up after its maximum outage.
    let patience = Reconnect::new(Duration::from_secs(2));
    let mut c = PostgresStore::connect_with(&server.url, &patience).unwrap();
    server.stop();
    let started = Instant::now();
    let err = c.queue_depth().unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(err, StoreError::PostgresUnavailable { .. }),
        "{err}"
    );
    assert!(
        (Duration::from_secs(2)..Duration::from_secs(10)).contains(&waited),
        "gave up after {waited:?}"
    );
    let message = err.to_string();
    assert!(message.contains("reading the queue"), "{message}");
    assert!(message.contains("stayed unreachable for 2 s"), "{message}");
    drop(server);
}
