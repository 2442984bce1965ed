//! Redaction through the real transcriber: a customer (espeak-ng) reads out phone
//! numbers and identity codes in Finnish words, and ordinary or invalid numbers;
//! Whisper (`models/ggml-base-q8_0.bin`, or `$KUULAS_MODEL`) writes them as words,
//! and every valid item must be gone from the redacted text and beeped over in the
//! audio, while nothing else is.
//!
//! The calls are `fixtures/calls/redact/*.call`, built by `scripts/fixtures/build_call.py`
//! into `fixtures/generated/redact/`; a `# expect KIND` comment before a customer line
//! says what it carries (`hetu`, `phone`, `iban`, `card`, `none`, or `misheard`: a
//! valid item Whisper writes wrong, printed but not asserted).

mod audio_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde::Deserialize;

use kuulas::audio::{self, AudioLimits, SAMPLE_RATE};
use kuulas::redact::{self, TimeSpan};
use kuulas::transcribe::{self, CallOptions, Transcriber};
use kuulas::transcript::{Party, Transcript};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn transcriber() -> &'static Transcriber {
    static T: OnceLock<Transcriber> = OnceLock::new();
    T.get_or_init(|| audio_support::load_transcriber("ggml-base-q8_0.bin", None))
}

/// Builds `fixtures/calls/redact/NAME.call` unless its audio is newer than the script
/// and the builder; returns the folder the audio is in.
fn build(name: &str) -> PathBuf {
    let script = root().join(format!("fixtures/calls/redact/{name}.call"));
    let helper = root().join("scripts/fixtures/build_call.py");
    let out = root().join("fixtures/generated/redact");
    let wav = out.join(format!("{name}.stereo16k.wav"));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&wav).is_some_and(|w| Some(w) > modified(&script) && Some(w) > modified(&helper)) {
        return out;
    }
    std::fs::create_dir_all(&out).expect("create fixtures/generated/redact");
    let status = Command::new("python3")
        .arg(&helper)
        .arg(&script)
        .arg(&out)
        .status()
        .expect("run scripts/fixtures/build_call.py (needs python3, espeak-ng, sox)");
    assert!(
        status.success(),
        "build_call.py {name} failed; see its output above"
    );
    out
}

#[derive(Debug, Deserialize)]
struct Utterance {
    party: String,
    start: f64,
    end: f64,
    text: String,
}

/// The `# expect KIND` of each customer line of a call script, in order.
fn expectations(name: &str) -> Vec<(String, String)> {
    let path = root().join(format!("fixtures/calls/redact/{name}.call"));
    let script = std::fs::read_to_string(&path).expect("read the call script");
    let mut expect = None;
    let mut out = Vec::new();
    for line in script.lines() {
        if let Some(kind) = line.strip_prefix("# expect ") {
            expect = Some(kind.trim().to_string());
        } else if let Some(text) = line.strip_prefix("customer:") {
            let kind = expect.take().unwrap_or_else(|| "none".into());
            out.push((text.trim().to_string(), kind));
        }
    }
    out
}

fn placeholder(kind: &str) -> &'static str {
    match kind {
        "hetu" => "[hetu]",
        "phone" => "[puhelinnumero]",
        "iban" => "[tilinumero]",
        "card" => "[korttinumero]",
        other => panic!("unknown kind {other:?} in a `# expect` line"),
    }
}

/// The customer's text heard during `u`, joined (Whisper's times drift by a second).
fn heard(t: &Transcript, u: &Utterance) -> String {
    t.segments
        .iter()
        .filter(|s| s.party == Party::Customer && s.end > u.start - 0.5 && s.start < u.end + 0.5)
        .map(|s| s.text.trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The share of `u`'s time that `spans` cover.
fn covered(spans: &[TimeSpan], u: &Utterance) -> f64 {
    let inside: f64 = spans
        .iter()
        .map(|s| (s.end.min(u.end) - s.start.max(u.start)).max(0.0))
        .sum();
    inside / (u.end - u.start)
}

/// The share of 20 ms frames of `u` whose peak is louder than the beep: speech left.
fn audible(samples: &[f32], u: &Utterance) -> f64 {
    let rate = f64::from(SAMPLE_RATE);
    let from = ((u.start * rate) as usize).min(samples.len());
    let to = ((u.end * rate) as usize).min(samples.len());
    let frames: Vec<&[f32]> = samples[from..to].chunks(320).collect();
    let loud = frames
        .iter()
        .filter(|f| f.iter().any(|s| s.abs() > 0.06))
        .count();
    loud as f64 / frames.len().max(1) as f64
}

fn check(name: &str) {
    let dir = build(name);
    let wav = dir.join(format!("{name}.stereo16k.wav"));
    let truth: Vec<Utterance> = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{name}.truth.json"))).expect("read truth"),
    )
    .expect("parse truth");
    let transcript = transcribe::run(&wav, transcriber(), &CallOptions::default(), &mut ())
        .unwrap_or_else(|e| panic!("{e}"));
    let (redacted, spans) = redact::transcript(&transcript);
    let mut customer = audio::load(&wav, &AudioLimits::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .channels
        .swap_remove(1);
    redact::mute(&mut customer, &spans);

    let expected = expectations(name);
    let spoken: Vec<&Utterance> = truth.iter().filter(|u| u.party == "customer").collect();
    assert_eq!(
        spoken.len(),
        expected.len(),
        "{name}: truth and script differ"
    );
    let mut failures = Vec::new();
    for (u, (text, kind)) in spoken.iter().zip(&expected) {
        assert_eq!(&u.text, text, "{name}: truth and script out of order");
        let (before, after) = (heard(&transcript, u), heard(&redacted, u));
        let (cover, left) = (covered(&spans, u), audible(&customer, u));
        let ok = if kind == "misheard" {
            true
        } else if kind == "none" {
            before == after && cover == 0.0
        } else {
            after.contains(placeholder(kind))
                && redact::find(&after).is_empty()
                && !after.chars().any(|c| c.is_ascii_digit())
                && cover >= 0.95
                && left == 0.0
        };
        let verdict = match (ok, kind.as_str()) {
            (_, "misheard") if after != before => "misheard, redacted",
            (_, "misheard") => "misheard",
            (true, _) => "ok",
            (false, "none") => "FALSE POSITIVE",
            (false, _) => "MISSED",
        };
        println!(
            "{name} {:>5.1}s {kind:<5} {verdict:<14} beeped {:>3.0}%, audible {:>3.0}%\n    whisper:  {before}\n    redacted: {after}",
            u.start,
            cover * 100.0,
            left * 100.0
        );
        if !ok {
            failures.push(format!(
                "{verdict} {kind} at {:.1}s: {before:?} → {after:?}",
                u.start
            ));
        }
    }
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
}

#[test]
fn phone_numbers_read_out_are_redacted_in_text_and_audio_and_ordinary_ones_kept() {
    check("spoken_phones");
}
