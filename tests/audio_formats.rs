//! Every format of a generated fixture call decodes to the same call: the right length,
//! 16 kHz, the right channel count, and speech energy exactly where the truth file says
//! each party speaks (agent on channel 0). G.711 decoding is checked against sox.

mod audio_support;

use std::path::Path;

use audio_support::{Utterance, fixtures, rms, sox, truth};
use kuulas::audio::{self, Audio, AudioLimits, SAMPLE_RATE};

const CALL: &str = "warm_solution";

fn load(path: &Path) -> Audio {
    audio::load(path, &AudioLimits::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn seconds(audio: &Audio) -> f64 {
    audio.channels[0].len() as f64 / f64::from(SAMPLE_RATE)
}

/// Parts of each utterance where the other party is silent, shrunk by a margin so that
/// resampler ringing and codec smearing at the edges do not count.
fn solo_spans(truth: &[Utterance]) -> Vec<(usize, f64, f64)> {
    let margin = 0.12;
    truth
        .iter()
        .filter_map(|u| {
            let channel = if u.party == "agent" { 0 } else { 1 };
            let mut start = u.start + margin;
            let mut end = u.end - margin;
            for other in truth.iter().filter(|o| o.party != u.party) {
                if other.start < end && other.end > start {
                    // Keep the longer side of the overlap.
                    if other.start - start > end - other.end {
                        end = other.start - margin;
                    } else {
                        start = other.end + margin;
                    }
                }
            }
            (end - start > 0.3).then_some((channel, start, end))
        })
        .collect()
}

/// Stretches of at least half a second where nobody speaks.
fn silent_spans(truth: &[Utterance], duration: f64) -> Vec<(f64, f64)> {
    let mut spans = Vec::new();
    let mut cursor = 0.0;
    let mut sorted = truth.to_vec();
    sorted.sort_by(|a, b| a.start.total_cmp(&b.start));
    for u in &sorted {
        if u.start - cursor > 0.5 {
            spans.push((cursor + 0.15, u.start - 0.15));
        }
        cursor = f64::max(cursor, u.end);
    }
    if duration - cursor > 0.5 {
        spans.push((cursor + 0.15, duration - 0.05));
    }
    spans
}

/// `slack`: how far a lossy codec may stretch the call. sox-written MP3s come out 69 ms
/// late and 79 ms long — ffmpeg decodes them the same way.
fn assert_matches_truth(audio: &Audio, truth: &[Utterance], label: &str, slack: f64) {
    let last_end = truth.iter().map(|u| u.end).fold(0.0, f64::max);
    let duration = seconds(audio);
    // The script leaves 0.8 s after the last utterance.
    assert!(
        (duration - (last_end + 0.8)).abs() <= slack,
        "{label}: {duration:.3} s decoded, truth ends at {last_end:.3} s + 0.8 s"
    );
    let spans = solo_spans(truth);
    assert!(
        spans.len() >= truth.len() - 2,
        "{label}: too few solo spans to check"
    );
    for &(channel, start, end) in &spans {
        let speaking = rms(
            &audio.channels[channel.min(audio.channels.len() - 1)],
            start,
            end,
        );
        assert!(
            speaking > 0.02,
            "{label}: channel {channel} nearly silent ({speaking:.4}) in {start:.2}-{end:.2} s"
        );
        if audio.channels.len() == 2 {
            let other = rms(&audio.channels[1 - channel], start, end);
            assert!(
                other < speaking / 20.0,
                "{label}: channel {} carries {other:.4} while only channel {channel} speaks ({speaking:.4}) in {start:.2}-{end:.2} s",
                1 - channel
            );
        }
    }
    for (start, end) in silent_spans(truth, duration) {
        for (c, channel) in audio.channels.iter().enumerate() {
            let level = rms(channel, start, end);
            assert!(
                level < 0.003,
                "{label}: channel {c} not silent ({level:.4}) in {start:.2}-{end:.2} s"
            );
        }
    }
}

#[test]
fn every_format_decodes_to_the_same_call() {
    let dir = fixtures();
    let truth = truth(CALL);
    let work = tempfile::tempdir().expect("tempdir");
    let stereo = dir.join(format!("{CALL}.stereo16k.wav"));
    let flac = work.path().join(format!("{CALL}.flac"));
    let ogg = work.path().join(format!("{CALL}.ogg"));
    sox(&[stereo.as_os_str(), flac.as_os_str()]);
    sox(&[stereo.as_os_str(), ogg.as_os_str()]);

    let ulaw = dir.join(format!("{CALL}.ulaw8k.wav"));
    let mono = dir.join(format!("{CALL}.mono16k.wav"));
    let mp3 = dir.join(format!("{CALL}.mp3"));
    let cases = [
        (stereo.clone(), "wav pcm_s16le", 16_000, 2, 0.001),
        (ulaw, "wav mu-law", 8_000, 2, 0.001),
        (mono, "wav pcm_s16le", 16_000, 1, 0.001),
        (mp3, "mp3", 16_000, 2, 0.15),
        (flac, "flac", 16_000, 2, 0.001),
        (ogg, "ogg vorbis", 16_000, 2, 0.05),
    ];
    for (path, format, source_rate, channels, slack) in cases {
        let audio = load(&path);
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert_eq!(audio.info.format, format, "{label}");
        assert_eq!(audio.info.sample_rate, source_rate, "{label}");
        assert_eq!(audio.info.channels, channels, "{label}");
        assert_eq!(audio.channels.len(), usize::from(channels), "{label}");
        assert!(
            (audio.info.duration - seconds(&audio)).abs() < 1e-9,
            "{label}: info.duration is the decoded length"
        );
        assert_matches_truth(&audio, &truth, &label, slack);
    }
}

#[test]
fn probe_reads_the_header_only() {
    let dir = fixtures();
    let reference = load(&dir.join(format!("{CALL}.stereo16k.wav")));
    for (suffix, format, rate) in [("ulaw8k.wav", "wav mu-law", 8_000), ("mp3", "mp3", 16_000)] {
        let info =
            audio::probe(&dir.join(format!("{CALL}.{suffix}"))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(info.format, format);
        assert_eq!(info.sample_rate, rate);
        assert_eq!(info.channels, 2);
        assert!(
            (info.duration - reference.info.duration).abs() < 0.08,
            "{suffix}: {}",
            info.duration
        );
    }
}

/// Our μ-law decode equals sox's: at 8 kHz both go through the same resampler, so any
/// difference would come from G.711 expansion.
#[test]
fn mulaw_matches_sox_within_one_lsb() {
    let dir = fixtures();
    let work = tempfile::tempdir().expect("tempdir");
    let ulaw = dir.join(format!("{CALL}.ulaw8k.wav"));
    let decoded_by_sox = work.path().join("sox-decoded.wav");
    sox(&[
        ulaw.as_os_str(),
        "-e".as_ref(),
        "signed".as_ref(),
        "-b".as_ref(),
        "16".as_ref(),
        decoded_by_sox.as_os_str(),
    ]);
    let ours = load(&ulaw);
    let theirs = load(&decoded_by_sox);
    assert_eq!(theirs.info.format, "wav pcm_s16le");
    assert_eq!(ours.channels.len(), theirs.channels.len());
    for (a, b) in ours.channels.iter().zip(&theirs.channels) {
        assert_eq!(a.len(), b.len());
        let worst = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst <= 1.0 / 32768.0,
            "μ-law decode differs from sox by {} LSB",
            worst * 32768.0
        );
    }
}

/// At 16 kHz nothing is resampled, so G.711 decoding must be bit-exact with sox.
#[test]
fn g711_at_16k_is_bit_exact_with_sox() {
    let dir = fixtures();
    let work = tempfile::tempdir().expect("tempdir");
    let stereo = dir.join(format!("{CALL}.stereo16k.wav"));
    for encoding in ["u-law", "a-law"] {
        let coded = work.path().join(format!("{encoding}.wav"));
        let decoded = work.path().join(format!("{encoding}-sox.wav"));
        sox(&[
            stereo.as_os_str(),
            "-e".as_ref(),
            encoding.as_ref(),
            coded.as_os_str(),
        ]);
        sox(&[
            coded.as_os_str(),
            "-e".as_ref(),
            "signed".as_ref(),
            "-b".as_ref(),
            "16".as_ref(),
            decoded.as_os_str(),
        ]);
        let ours = load(&coded);
        let theirs = load(&decoded);
        assert_eq!(ours.channels, theirs.channels, "{encoding}");
        let speech: f32 = ours.channels[0].iter().map(|s| s.abs()).sum();
        assert!(speech > 100.0, "{encoding}: decoded nothing but silence");
    }
}
