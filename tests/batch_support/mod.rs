//! Test harness for `kuulas run`: a temporary input directory filled with
//! recordings of the generated fixture calls (`scripts/make-fixtures.sh`) and their
//! transcript files, the real binary started with the fixture-transcriber test hook
//! (real audio decoding, metrics, rubric, store and output files; only Whisper is
//! replaced by the transcript file), and readers for the store and the output files.
#![allow(dead_code)] // each test file uses a different part of the harness

#[path = "../audio_support/mod.rs"]
mod audio_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use kuulas::store::{CallRow, SqliteStore, Store};

pub struct Batch {
    pub dir: tempfile::TempDir,
    pub input: PathBuf,
    pub out: PathBuf,
}

/// The fixture call every good test recording is a copy of: a warm call whose
/// agent opens with a greeting the tests replace.
pub const CALL: &str = "warm_solution";

/// A PCM WAV header (16 kHz mono 16-bit) followed by `samples` zero samples; the
/// raw material of broken recordings.
pub fn wav(samples: usize) -> Vec<u8> {
    let data = (samples * 2) as u32;
    let mut b = b"RIFF".to_vec();
    b.extend((36 + data).to_le_bytes());
    b.extend(b"WAVEfmt ");
    b.extend(16u32.to_le_bytes());
    b.extend(1u16.to_le_bytes()); // PCM
    b.extend(1u16.to_le_bytes());
    b.extend(16_000u32.to_le_bytes());
    b.extend(32_000u32.to_le_bytes());
    b.extend(2u16.to_le_bytes());
    b.extend(16u16.to_le_bytes());
    b.extend(b"data");
    b.extend(data.to_le_bytes());
    b.extend(vec![0u8; samples * 2]);
    b
}

/// The generated recording of `script` in `format` (`ulaw8k.wav`, `mp3`, ...).
pub fn recording(script: &str, format: &str) -> PathBuf {
    audio_support::fixtures().join(format!("{script}.{format}"))
}

/// The transcript file of `script`, built from its measured truth: what Whisper
/// would ideally hear, with the agent's first utterance replaced by `greeting`.
pub fn transcript(script: &str, greeting: &str) -> String {
    let truth = audio_support::truth(script);
    let mut greeted = false;
    let segments: Vec<serde_json::Value> = truth
        .iter()
        .map(|u| {
            let opening = u.party == "agent" && !std::mem::replace(&mut greeted, true);
            serde_json::json!({
                "party": u.party,
                "start": u.start,
                "end": u.end,
                "text": if opening { greeting } else { u.text.as_str() },
            })
        })
        .collect();
    serde_json::json!({
        "schema_version": 1,
        "duration": truth.last().map_or(0.0, |u| u.end),
        "language": "fi",
        "attribution": "channels",
        "segments": segments,
    })
    .to_string()
}

/// The length of a recording as the audio stage measures it.
pub fn duration(path: &Path) -> f64 {
    kuulas::audio::probe(path).unwrap().duration
}

/// Changes one sample at the end of a recording: new content, same length.
pub fn alter(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    *bytes.last_mut().unwrap() ^= 0x55;
    std::fs::write(path, bytes).unwrap();
}

impl Batch {
    pub fn new() -> Batch {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        let out = dir.path().join("out");
        std::fs::create_dir(&input).unwrap();
        Batch { dir, input, out }
    }

    /// Writes `rel` (relative to the input) and creates its parent directories.
    pub fn file(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let path = self.input.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// A good recording `rel` (e.g. `day/c1.wav`: the fixture call as μ-law WAV;
    /// `c.mp3`: as MP3) whose agent opens with `greeting`, and its transcript file.
    pub fn call(&self, rel: &str, greeting: &str) -> PathBuf {
        let format = if rel.ends_with(".mp3") {
            "mp3"
        } else {
            "ulaw8k.wav"
        };
        self.call_as(rel, format, greeting)
    }

    /// A good recording `rel` holding the fixture call in `format`, whatever the
    /// name says, and its transcript file.
    pub fn call_as(&self, rel: &str, format: &str, greeting: &str) -> PathBuf {
        let fixture = rel.rsplit_once('.').unwrap().0.to_string() + ".transcript.json";
        self.file(&fixture, transcript(CALL, greeting).as_bytes());
        self.file(rel, &std::fs::read(recording(CALL, format)).unwrap())
    }

    pub fn store_path(&self) -> PathBuf {
        self.out.join("kuulas.sqlite")
    }

    /// The binary with the fixture transcriber, run over this batch.
    pub fn command(&self, delay_ms: u64) -> Command {
        let mut cmd = bare_run(delay_ms);
        cmd.arg("--input")
            .arg(&self.input)
            .arg("--out")
            .arg(&self.out);
        cmd
    }

    pub fn run(&self, extra: &[&str]) -> Output {
        self.command(0).args(extra).output().unwrap()
    }

    pub fn export(&self, extra: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kuulas"))
            .arg("export")
            .arg("--run-dir")
            .arg(&self.out)
            .args(extra)
            .output()
            .unwrap()
    }

    /// Every call in the store, by call id.
    pub fn rows(&self) -> BTreeMap<String, CallRow> {
        let store = SqliteStore::open_existing(&self.store_path()).unwrap();
        let table = store.calls(None).unwrap();
        table
            .rows
            .into_iter()
            .map(|r| (r.call_id.clone(), r))
            .collect()
    }

    pub fn transcript_in_store(&self, call_id: &str) -> Option<String> {
        SqliteStore::open_existing(&self.store_path())
            .unwrap()
            .transcript(call_id)
            .unwrap()
    }

    /// Every file under `<out>/calls`, by name.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        let dir = self.out.join("calls");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return BTreeMap::new();
        };
        entries
            .map(|e| e.unwrap())
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect()
    }
}

/// The dimensions of the built-in rubric, which every test run scores with.
pub fn dimensions() -> Vec<String> {
    kuulas::rubric::default_rubric()
        .dimensions
        .iter()
        .map(|d| d.id.clone())
        .collect()
}

/// `kuulas run` with the fixture transcriber and no paths yet.
pub fn bare_run(delay_ms: u64) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kuulas"));
    cmd.env("KUULAS_TEST_FIXTURE_TRANSCRIBER", "1")
        .env("KUULAS_TEST_FIXTURE_DELAY_MS", delay_ms.to_string())
        .env_remove("KUULAS_LOG")
        .arg("run");
    cmd
}

impl Batch {
    /// `kuulas run --enqueue` of this batch's input into the queue at `url`.
    pub fn enqueue(&self, url: &str, extra: &[&str]) -> Output {
        bare_run(0)
            .args(["--enqueue", "--store", url])
            .arg("--input")
            .arg(&self.input)
            .args(extra)
            .output()
            .unwrap()
    }

    /// A `kuulas run --worker` process on the queue at `url`, writing under this
    /// batch's output directory; its stderr is piped for the test to read.
    pub fn worker(&self, url: &str, delay_ms: u64, jobs: u32, lease_secs: u32) -> Child {
        bare_run(delay_ms)
            .arg("--worker")
            .args(["--jobs", &jobs.to_string()])
            .args(["--lease-secs", &lease_secs.to_string()])
            .args(["--store", url])
            .arg("--out")
            .arg(&self.out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
}

pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Sets a file's modification time without changing its content.
pub fn touch(path: &Path, seconds_ahead: u64) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    let t = std::time::SystemTime::now() + std::time::Duration::from_secs(seconds_ahead);
    file.set_modified(t).unwrap();
}
