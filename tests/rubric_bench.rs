//! Scoring speed: 10,000 synthetic 5-minute calls scored on one core. Ignored by
//! default (timing is not a unit test); run it optimised:
//!
//! `cargo test --release --test rubric_bench -- --ignored --nocapture --test-threads 1`
//!
//! Calls are built from the sentences of the labelled set, 50 turns of two
//! sentences each (5 minutes at the pace the generator gives a word, ~670 words, as
//! the target is stated), with a share of words given one random letter
//! change to imitate Whisper's misspellings, which keeps the vocabulary growing as
//! it would over a night of real calls (every misspelling here is new; Whisper
//! repeats its own, so real nights hit the memo more often).

use std::time::Instant;

use kuulas::metrics;
use kuulas::rubric;
use kuulas::transcript::{Attribution, Party, Segment, Transcript};

mod bench_support;
use bench_support::Rng;

const CALLS: usize = 10_000;
const TURNS: usize = 50;

fn sentences() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["fixtures/labelled/dev", "fixtures/labelled/heldout"] {
        for entry in std::fs::read_dir(dir).expect("labelled set present") {
            let text = std::fs::read_to_string(entry.expect("readable").path()).expect("utf-8");
            for line in text.lines().filter_map(|l| l.strip_prefix("text = \"")) {
                out.push(line.trim_end_matches('"').to_string());
            }
        }
    }
    out
}

fn misspell(word: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() > 3 {
        let i = rng.below(chars.len());
        chars[i] = ['a', 'e', 'i', 'k', 'm', 'n', 'o', 's', 't', 'u', 'ä'][rng.below(11)];
    }
    chars.into_iter().collect()
}

fn call(pool: &[String], rng: &mut Rng, noise_percent: usize) -> Transcript {
    let mut segments = Vec::new();
    let mut t = 0.0;
    for turn in 0..TURNS {
        let mut text: Vec<String> = Vec::new();
        for _ in 0..2 {
            for w in pool[rng.below(pool.len())].split_whitespace() {
                let noisy = rng.below(100) < noise_percent;
                text.push(if noisy {
                    misspell(w, rng)
                } else {
                    w.to_string()
                });
            }
        }
        let end = t + 0.6 + text.len() as f64 * 0.4;
        let party = if turn % 2 == 0 {
            Party::Agent
        } else {
            Party::Customer
        };
        segments.push(Segment {
            party,
            start: t + 0.6,
            end,
            text: text.join(" "),
            words: vec![],
        });
        t = end;
    }
    Transcript {
        schema_version: 1,
        duration: t + 1.0,
        language: "fi".into(),
        attribution: Attribution::Channels,
        segments,
    }
}

/// Nanoseconds this thread has run on a CPU (Linux), so a busy shared machine
/// does not inflate the numbers; `None` elsewhere.
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn cpu_s(from: Option<u64>) -> f64 {
    match (from, cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 / 1e9,
        _ => f64::NAN,
    }
}

fn run(noise_percent: usize) {
    let pool = sentences();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let calls: Vec<Transcript> = (0..CALLS)
        .map(|_| call(&pool, &mut rng, noise_percent))
        .collect();
    let words: usize = calls
        .iter()
        .flat_map(|c| &c.segments)
        .map(|s| s.text.split_whitespace().count())
        .sum();
    let minutes: f64 = calls.iter().map(|c| c.duration / 60.0).sum::<f64>() / CALLS as f64;
    let rubric = rubric::default_rubric();
    let all_metrics: Vec<_> = calls.iter().map(|c| metrics::compute(c, None)).collect();

    let (start, cpu) = (Instant::now(), cpu_ns());
    let mut moments = 0;
    for (c, m) in calls.iter().zip(&all_metrics) {
        moments += rubric::score(c, m, &rubric).moments.len();
    }
    let (scoring, scoring_cpu) = (start.elapsed(), cpu_s(cpu));

    let (start, cpu) = (Instant::now(), cpu_ns());
    for c in &calls {
        std::hint::black_box(metrics::compute(c, None));
    }
    let (metering, metering_cpu) = (start.elapsed(), cpu_s(cpu));
    println!(
        "{CALLS} calls of {minutes:.1} min ({words} words, {noise_percent}% misspelt): \
         score {:.2} s wall / {scoring_cpu:.2} s CPU, metrics {:.2} s wall / {metering_cpu:.2} s CPU, \
         {moments} moments",
        scoring.as_secs_f64(),
        metering.as_secs_f64()
    );
    assert!(moments > CALLS, "the benchmark calls must contain evidence");
}

#[test]
#[ignore = "benchmark; run with --ignored in an optimised build"]
fn score_ten_thousand_calls_clean() {
    run(0);
}

#[test]
#[ignore = "benchmark; run with --ignored in an optimised build"]
fn score_ten_thousand_calls_with_asr_noise() {
    run(5);
}
