//! The generated week of calls (`scripts/make-week.sh`) and the real binary run
//! over it, for `tests/across_week.rs` and `tests/across_week_whisper.rs`.
#![allow(dead_code)] // each test file uses a different part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

/// The end of the week: later deadlines and repeat windows are still open.
pub const END_OF_WEEK: &str = "2026-11-22T18:00:00+02:00";
/// A week later: every repeat window of the week has ended.
pub const WEEK_LATER: &str = "2026-11-30T12:00:00+02:00";

/// The generated week (built on first use; a no-op when fresh).
pub fn week() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = root.join("fixtures/generated/week");
        let status = Command::new(root.join("scripts/make-week.sh"))
            .arg(&out)
            .status()
            .expect("run scripts/make-week.sh (needs bash, espeak-ng, sox, python3)");
        assert!(status.success(), "scripts/make-week.sh failed");
        out
    })
}

pub fn kuulas() -> Command {
    let mut cmd = match std::env::var_os("KUULAS_TEST_BIN") {
        Some(bin) => Command::new(bin),
        None => Command::new(env!("CARGO_BIN_EXE_kuulas")),
    };
    cmd.env_remove("KUULAS_LOG");
    cmd
}

pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `kuulas run` over `input` into `out` with the fixture transcriber.
pub fn run_fixture(input: &Path, out: &Path) {
    ok(kuulas()
        .env("KUULAS_TEST_FIXTURE_TRANSCRIBER", "1")
        .arg("run")
        .arg("--input")
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap());
}

pub fn across(out: &Path, extra: &[&str]) -> String {
    ok(kuulas()
        .arg("across")
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap())
}

pub fn across_json(out: &Path, extra: &[&str]) -> Value {
    let text = across(out, &[&["--format", "json"], extra].concat());
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The week's run, once for all the tests that read it.
pub fn week_run() -> &'static Path {
    static OUT: OnceLock<tempfile::TempDir> = OnceLock::new();
    OUT.get_or_init(|| {
        let out = tempfile::tempdir().unwrap();
        run_fixture(week(), out.path());
        out
    })
    .path()
}

pub fn promise<'a>(figures: &'a Value, call: &str) -> &'a Value {
    figures["promises"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["call_id"] == call)
        .unwrap_or_else(|| panic!("no promise of {call}: {figures:#}"))
}

/// A call's first-contact outcome and the call it points to.
pub fn outcome(figures: &Value, call: &str) -> (Value, Value) {
    let links = figures["call_links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["call_id"] == call)
        .unwrap_or_else(|| panic!("no links of {call}"));
    (links["first_contact"].clone(), links["repeat_call"].clone())
}

pub fn ids(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

/// A folder holding `calls` of the week (their recordings, and with
/// `transcripts` their transcript files) and their manifest rows.
pub fn subset(calls: &[&str], transcripts: bool) -> tempfile::TempDir {
    let input = tempfile::tempdir().unwrap();
    let exts: &[&str] = if transcripts {
        &["wav", "transcript.json"]
    } else {
        &["wav"]
    };
    for name in calls {
        for ext in exts {
            let file = format!("{name}.{ext}");
            std::fs::copy(week().join(&file), input.path().join(&file)).unwrap();
        }
    }
    let manifest = std::fs::read_to_string(week().join("manifest.csv")).unwrap();
    let rows: Vec<&str> = manifest
        .lines()
        .filter(|l| {
            l.starts_with("path,") || calls.iter().any(|c| l.starts_with(&format!("{c}.wav,")))
        })
        .collect();
    std::fs::write(input.path().join("manifest.csv"), rows.join("\n") + "\n").unwrap();
    input
}
