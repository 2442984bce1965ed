//! Three `kuulas run --worker` processes on one queue (the production pipeline,
//! with transcript files standing in for Whisper); one is killed with SIGKILL while it holds a call. Its
//! lease runs out, a survivor takes the call over, and every call ends scored
//! exactly once, with whole output files — nothing lost, nothing doubled.

mod batch_support;
mod postgres_support;

use std::time::{Duration, Instant};

use batch_support::{Batch, code, dimensions, stderr};

const CALLS: usize = 12;
// Long enough that the victim is surely still inside the call it was caught holding.
const DELAY_MS: u64 = 1000;
const LEASE_SECS: u32 = 2;

/// The call the worker with `pid` holds right now, if any.
fn held_by(db: &mut postgres::Client, pid: u32) -> Option<String> {
    db.query_opt(
        "SELECT call_id FROM calls WHERE status = 'running' AND worker LIKE $1",
        &[&format!("%:{pid}")],
    )
    .unwrap()
    .map(|r| r.get(0))
}

#[cfg(unix)]
#[test]
fn a_killed_workers_call_is_taken_over_and_every_call_has_one_result() {
    let Some(test_db) = postgres_support::database("postgres_workers") else {
        return;
    };
    let url = test_db.url.as_str();
    let b = Batch::new();
    for i in 0..CALLS {
        b.call(&format!("night/call{i:02}.wav"), "hyvää päivää");
    }
    let queued = b.enqueue(url, &[]);
    assert_eq!(code(&queued), 0, "{}", stderr(&queued));
    assert!(stderr(&queued).contains(&format!("{CALLS} queued")));

    let mut db = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let worker = || b.worker(url, DELAY_MS, 1, LEASE_SECS);
    let mut victim = worker();
    let survivors = [worker(), worker()];
    let deadline = Instant::now() + Duration::from_secs(20);
    let lost_call = loop {
        if let Some(call) = held_by(&mut db, victim.id()) {
            break call;
        }
        assert!(Instant::now() < deadline, "the victim never claimed a call");
        std::thread::sleep(Duration::from_millis(20));
    };
    victim.kill().unwrap(); // SIGKILL: no cleanup, the lease just stops being renewed
    victim.wait().unwrap();

    for survivor in survivors {
        let out = survivor.wait_with_output().unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }

    let rows = db
        .query(
            "SELECT call_id, status, worker, attempts, work IS NULL FROM calls ORDER BY call_id",
            &[],
        )
        .unwrap();
    assert_eq!(rows.len(), CALLS);
    let victim_name = format!(":{}", victim.id());
    for row in &rows {
        let call_id: String = row.get(0);
        assert_eq!(row.get::<_, &str>(1), "scored", "{call_id}");
        assert!(row.get::<_, bool>(4), "{call_id} still queued");
        if call_id == lost_call {
            let worker: String = row.get(2);
            assert!(!worker.ends_with(&victim_name), "{call_id} was taken over");
            assert!(row.get::<_, i32>(3) >= 2, "{call_id} was claimed again");
        }
    }
    // One result per call: the rubric's dimensions, once each.
    let per_call: Vec<i64> = db
        .query("SELECT COUNT(*) FROM scores GROUP BY call_id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(per_call, vec![dimensions().len() as i64; CALLS]);
    let files = b.files();
    for row in &rows {
        let id: String = row.get(0);
        let name = kuulas::names::file_name_for(&id);
        for kind in ["transcript", "score"] {
            let bytes = &files[&format!("{name}.{kind}.json")];
            assert!(serde_json::from_slice::<serde_json::Value>(bytes).is_ok());
        }
    }

    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kuulas"))
        .args(["status", "--store", url])
        .output()
        .unwrap();
    assert_eq!(code(&status), 0, "{}", stderr(&status));
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains(&format!("done {CALLS:>6}")),
        "status shows all done:\n{text}"
    );
}

#[test]
fn the_heartbeat_keeps_a_call_longer_than_the_lease() {
    let Some(test_db) = postgres_support::database("postgres_workers") else {
        return;
    };
    let url = test_db.url.as_str();
    let b = Batch::new();
    b.call("slow1.wav", "moi");
    b.call("slow2.wav", "moi");
    let queued = b.enqueue(url, &[]);
    assert_eq!(code(&queued), 0, "{}", stderr(&queued));
    // Each call takes 3 lease lengths; only the heartbeat keeps it ours.
    let worker = b.worker(url, 3000, 2, 1);
    let mut db = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let count =
        |db: &mut postgres::Client, sql: &str| -> i64 { db.query_one(sql, &[]).unwrap().get(0) };
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(
        &mut db,
        "SELECT COUNT(*) FROM calls WHERE status = 'running'",
    ) < 2
    {
        assert!(
            Instant::now() < deadline,
            "the worker never claimed both calls"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(1800));
    assert_eq!(
        count(
            &mut db,
            "SELECT COUNT(*) FROM calls WHERE status = 'running' AND lease_expires_at > now()"
        ),
        2,
        "leases renewed past their first second"
    );
    let out = worker.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 processed, 0 unchanged, 0 failed, 0 lost"),
        "{}",
        stderr(&out)
    );
    let attempts: Vec<i32> = db
        .query("SELECT attempts FROM calls WHERE status = 'scored'", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(attempts, [1, 1], "claimed once each");
}
