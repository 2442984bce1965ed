//! Crash safety: `kuulas run` killed with SIGKILL at random points, then rerun,
//! must end in exactly the state of one uninterrupted run — every call with one
//! result, no call left in progress, no partial or corrupt output file.
//! Set KUULAS_CRASH_SEED to replay a failing sequence.

mod batch_support;

use std::collections::BTreeMap;
use std::time::Duration;

use batch_support::{Batch, bare_run, code, stderr};
use kuulas::store::{CallRow, CallStatus, SqliteStore, Store};

const CALLS: usize = 16;
const DELAY_MS: u64 = 60;
const KILLS: usize = 8;

/// A small xorshift generator; the seed is printed so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn seed() -> u64 {
    std::env::var("KUULAS_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap();
            now.as_nanos() as u64 | 1
        })
}

/// Store rows without the run they happened to finish in.
fn state(store: &std::path::Path) -> BTreeMap<String, (CallRow, Option<String>)> {
    let store = SqliteStore::open_existing(store).unwrap();
    let table = store.calls(None).unwrap();
    table
        .rows
        .into_iter()
        .map(|mut row| {
            row.run_id = 0;
            let transcript = store.transcript(&row.call_id).unwrap();
            (row.call_id.clone(), (row, transcript))
        })
        .collect()
}

fn assert_files_whole(b: &Batch) {
    for (name, bytes) in b.files() {
        if name.starts_with(".kuulas-") {
            continue; // a temporary a kill interrupted; never read as output, swept next run
        }
        assert!(
            serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(),
            "{name} is not whole JSON"
        );
    }
}

#[cfg(unix)]
#[test]
fn killed_runs_finish_in_the_state_of_an_uninterrupted_run() {
    let seed = seed();
    eprintln!("KUULAS_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let b = Batch::new();
    for i in 0..CALLS {
        b.call(
            &format!("day{}/call{i:02}.wav", i % 3),
            if i % 2 == 0 { "moi" } else { "no niin" },
        );
    }
    b.file("broken/empty.wav", b"");

    // The reference: one uninterrupted run, timed, so that the kills land anywhere
    // in a run's life — startup, mid-transcription, between a file write and its
    // store update, and so on — however fast this machine decodes.
    let reference_out = b.dir.path().join("reference");
    let started = std::time::Instant::now();
    let out = bare_run(DELAY_MS)
        .args(["--jobs", "2"])
        .arg("--input")
        .arg(&b.input)
        .arg("--out")
        .arg(&reference_out)
        .output()
        .unwrap();
    let lifetime_ms = started.elapsed().as_millis() as u64;
    assert_eq!(code(&out), 1, "only the empty file fails: {}", stderr(&out));

    for kill in 0..KILLS {
        let mut child = b
            .command(DELAY_MS)
            .args(["--jobs", "2"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let after = rng.below(lifetime_ms);
        std::thread::sleep(Duration::from_millis(after));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert_files_whole(&b);
        if b.store_path().exists() {
            let scored = state(&b.store_path())
                .values()
                .filter(|(r, _)| r.status == CallStatus::Scored)
                .count();
            eprintln!("kill {kill} after {after} of {lifetime_ms} ms: {scored} calls scored");
        }
    }
    let out = b.command(DELAY_MS).args(["--jobs", "2"]).output().unwrap();
    assert_eq!(code(&out), 1, "only the empty file fails: {}", stderr(&out));

    let crashed = state(&b.store_path());
    assert_eq!(crashed.len(), CALLS + 1);
    assert!(
        crashed
            .values()
            .all(|(r, _)| matches!(r.status, CallStatus::Scored | CallStatus::Failed))
    );
    assert_eq!(
        crashed,
        state(&reference_out.join("kuulas.sqlite")),
        "seed {seed}"
    );
    let files = b.files();
    assert!(
        files.keys().all(|n| !n.starts_with(".kuulas-")),
        "temporaries left: {:?}",
        files.keys()
    );
    let reference_files: BTreeMap<_, _> = std::fs::read_dir(reference_out.join("calls"))
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    let differing: Vec<String> = files
        .keys()
        .chain(reference_files.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|name| files.get(*name) != reference_files.get(*name))
        .map(|name| {
            let text = |f: Option<&Vec<u8>>| f.map(|b| String::from_utf8_lossy(b).into_owned());
            format!(
                "{name}:\n  killed:        {:?}\n  uninterrupted: {:?}",
                text(files.get(name)),
                text(reference_files.get(name))
            )
        })
        .collect();
    assert!(
        differing.is_empty(),
        "seed {seed}:\n{}",
        differing.join("\n")
    );
}
