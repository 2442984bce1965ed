//! Shared helpers for the audio integration tests: the generated call fixtures (built
//! on demand by `scripts/make-fixtures.sh`) and a thin wrapper around sox.

#![allow(dead_code)] // each test binary uses a different subset

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde::Deserialize;

/// One utterance of a fixture call's `NAME.truth.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Utterance {
    pub party: String,
    pub start: f64,
    pub end: f64,
    pub text: String,
}

/// The folder of generated fixtures, generating them first if needed (a no-op when fresh).
pub fn fixtures() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = root.join("fixtures/generated");
        let status = Command::new(root.join("scripts/make-fixtures.sh"))
            .arg(&out)
            .status()
            .expect("run scripts/make-fixtures.sh (needs bash, espeak-ng, sox, python3)");
        assert!(
            status.success(),
            "scripts/make-fixtures.sh failed; see its output above"
        );
        out
    })
}

pub fn truth(name: &str) -> Vec<Utterance> {
    let path = fixtures().join(format!("{name}.truth.json"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// Runs sox with `args`, panicking with its stderr if it fails.
pub fn sox<S: AsRef<OsStr>>(args: &[S]) {
    let output = Command::new("sox")
        .args(args)
        .output()
        .expect("sox must be installed (Debian packages sox libsox-fmt-mp3)");
    assert!(
        output.status.success(),
        "sox {:?} failed: {}",
        args.iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Root-mean-square level of `samples[from..to]` given in seconds at 16 kHz.
pub fn rms(samples: &[f32], from: f64, to: f64) -> f64 {
    let a = ((from * 16_000.0) as usize).min(samples.len());
    let b = ((to * 16_000.0) as usize).clamp(a, samples.len());
    if a == b {
        return 0.0;
    }
    (samples[a..b]
        .iter()
        .map(|&s| f64::from(s) * f64::from(s))
        .sum::<f64>()
        / (b - a) as f64)
        .sqrt()
}

/// The Whisper model the real-model tests load: `$KUULAS_MODEL`, else `models/FILE`.
pub fn model(file: &str) -> PathBuf {
    let path = std::env::var_os("KUULAS_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("models")
                .join(file)
        });
    assert!(
        path.is_file(),
        "no Whisper model at {}: run scripts/fetch-model.sh (scripts/test.sh does)",
        path.display()
    );
    path
}

/// [`model`] loaded with one thread per decoder (tests run two at a time on two
/// cores) and, if given, this many decoders.
pub fn load_transcriber(file: &str, decoders: Option<usize>) -> kuulas::transcribe::Transcriber {
    let mut settings = kuulas::transcribe::Settings::default();
    settings.decode.threads = 1;
    if let Some(decoders) = decoders {
        settings.decoders = decoders;
    }
    kuulas::transcribe::Transcriber::load(&model(file), settings, false).expect("load the model")
}
