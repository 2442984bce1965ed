//! Streaming keeps memory bounded: decoding a long telephony recording through
//! `open`/`next_block` must not hold the whole call in memory.
//!
//! By default the test streams a generated 10-minute stereo 8 kHz μ-law call — whose
//! 16 kHz samples alone would take 77 MB if collected. `scripts/bench-audio.sh` runs the
//! same test on a two-hour file through `KUULAS_AUDIO_BENCH_FILE` and reports peak RSS.
//! This file holds a single test, so the process's peak RSS is this test's.

mod audio_support;

use std::path::PathBuf;

use audio_support::sox;
use kuulas::audio::{self, AudioLimits, SAMPLE_RATE};

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[test]
fn streaming_a_long_call_keeps_memory_bounded() {
    let work = tempfile::tempdir().expect("tempdir");
    let path = match std::env::var_os("KUULAS_AUDIO_BENCH_FILE") {
        Some(file) => PathBuf::from(file),
        None => {
            let path = work.path().join("long.ulaw8k.wav");
            let path_str = path.to_str().expect("utf-8 temp path");
            // Two different tones so a channel mix-up would change the output.
            sox(&[
                "-n", "-r", "8000", "-c", "2", "-e", "u-law", path_str, "synth", "600", "sine",
                "300", "sine", "520",
            ]);
            path
        }
    };
    let info = audio::probe(&path).expect("probe");
    let before = peak_rss_mib();
    let started = std::time::Instant::now();
    let mut stream = audio::open(&path, &AudioLimits::default()).expect("open");
    let mut frames = 0usize;
    let mut energy = [0f64; 2];
    while let Some(block) = stream.next_block().expect("decode") {
        frames += block[0].len();
        for (e, channel) in energy.iter_mut().zip(&block) {
            *e += channel
                .iter()
                .map(|&s| f64::from(s) * f64::from(s))
                .sum::<f64>();
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let expected = (info.duration * f64::from(SAMPLE_RATE)).round() as usize;
    assert_eq!(frames, expected, "decoded length differs from the header's");
    assert!(
        energy.iter().all(|&e| e > 0.0),
        "a channel decoded to silence"
    );
    if let (Some(before), Some(peak)) = (before, peak_rss_mib()) {
        eprintln!(
            "streamed {:.0} s of {} in {elapsed:.1} s; peak RSS {peak:.1} MiB (before decoding {before:.1} MiB)",
            info.duration, info.format
        );
        // Collecting 10 minutes at 16 kHz stereo alone would take 77 MB more than this.
        assert!(
            peak - before < 40.0,
            "decoding grew the peak RSS by {:.1} MiB",
            peak - before
        );
    }
}
