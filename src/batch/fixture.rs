//! Test hook: a [`Transcribe`] that needs no model. It opens and decodes the
//! recording exactly as Whisper's transcriber does (so a broken, mislabelled or
//! unsupported file fails the same way, and the call's duration, attribution and
//! loudness come from the audio), then takes the words from `NAME.transcript.json`
//! beside `NAME.wav` instead of decoding them. Everything after transcription —
//! metrics, rubric, score files, the store — is the production [`super::Pipeline`].
//! The binary uses it only when `KUULAS_TEST_FIXTURE_TRANSCRIBER=1` is set (see
//! docs/operations.md, "Test hooks"). It is not a product feature.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::pipeline::Transcribe;
use super::processor::Transcribed;
use crate::audio::{self, AudioLimits, SAMPLE_RATE};
use crate::metrics::LoudnessMeter;
use crate::transcribe::{CallOptions, TranscribeError, parties_of};
use crate::transcript::{Attribution, Transcript};

pub struct FixtureTranscriber {
    /// Slept per recording, standing in for Whisper's time (the crash tests kill
    /// runs mid-call).
    delay: Duration,
    limits: AudioLimits,
}

impl FixtureTranscriber {
    pub fn new(delay: Duration) -> FixtureTranscriber {
        FixtureTranscriber {
            delay,
            limits: AudioLimits::default(),
        }
    }
}

/// `call.wav` → `call.transcript.json`.
fn transcript_path(recording: &Path) -> PathBuf {
    let mut name = recording.file_stem().unwrap_or_default().to_os_string();
    name.push(".transcript.json");
    recording.with_file_name(name)
}

impl Transcribe for FixtureTranscriber {
    fn transcribe(
        &self,
        path: &Path,
        options: &CallOptions,
    ) -> Result<Transcribed, TranscribeError> {
        let mut stream = audio::open(path, &self.limits)?;
        let info = stream.info().clone();
        let parties = parties_of(&info.path, info.channels, options.agent_channel)?;
        let mut meter = LoudnessMeter::new(info.duration);
        let mut position = 0usize;
        while let Some(block) = stream.next_block()? {
            for (party, samples) in parties.iter().zip(&block) {
                meter.feed(*party, position as f64 / f64::from(SAMPLE_RATE), samples);
            }
            position += block.first().map_or(0, Vec::len);
        }
        std::thread::sleep(self.delay);
        let file = transcript_path(path);
        let text =
            std::fs::read_to_string(&file).map_err(|source| TranscribeError::TranscriptFile {
                path: file.clone(),
                source,
            })?;
        let words = Transcript::from_json(&text, &file.display().to_string())?;
        let duration = (position as f64 / f64::from(SAMPLE_RATE) * 1000.0).round() / 1000.0;
        let attribution = match parties.len() {
            1 => Attribution::Estimated,
            _ => Attribution::Channels,
        };
        Ok(Transcribed {
            transcript: Transcript {
                duration,
                attribution,
                ..words
            },
            loudness: Some(meter.finish()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Party;

    fn stereo_wav(path: &Path, seconds: f64) {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..(seconds * 16_000.0) as usize {
            let t = i as f32 / 16_000.0;
            // The agent (left) speaks loudly, the customer (right) not at all.
            let left = 0.5 * (std::f32::consts::TAU * 440.0 * t).sin();
            w.write_sample((left * 32767.0) as i16).unwrap();
            w.write_sample(0i16).unwrap();
        }
        w.finalize().unwrap();
    }

    const WORDS: &str = r#"{"schema_version": 1, "duration": 99.0, "language": "fi",
        "attribution": "estimated",
        "segments": [{"party": "agent", "start": 0.5, "end": 2.0, "text": "Hyvää päivää"}]}"#;

    #[test]
    fn the_audio_decides_duration_attribution_and_loudness_the_file_the_words() {
        let dir = tempfile::tempdir().unwrap();
        let wav = dir.path().join("c.wav");
        stereo_wav(&wav, 4.0);
        std::fs::write(dir.path().join("c.transcript.json"), WORDS).unwrap();
        let got = FixtureTranscriber::new(Duration::ZERO)
            .transcribe(&wav, &CallOptions::default())
            .expect("transcribed");
        assert_eq!(got.transcript.duration, 4.0);
        assert_eq!(got.transcript.attribution, Attribution::Channels);
        assert_eq!(got.transcript.segments[0].party, Party::Agent);
        assert_eq!(got.transcript.segments[0].text, "Hyvää päivää");
        let loudness = got.loudness.expect("measured");
        assert!(loudness.agent.iter().all(Option::is_some), "{loudness:?}");
        assert!(
            loudness.customer.iter().all(Option::is_none),
            "{loudness:?}"
        );
    }

    #[test]
    fn a_bad_recording_fails_in_the_audio_stage_and_a_missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let fixture = FixtureTranscriber::new(Duration::ZERO);
        let empty = dir.path().join("empty.wav");
        std::fs::write(&empty, b"").unwrap();
        std::fs::write(dir.path().join("empty.transcript.json"), WORDS).unwrap();
        let e = fixture
            .transcribe(&empty, &CallOptions::default())
            .unwrap_err();
        assert!(matches!(e, TranscribeError::Audio(_)), "{e}");

        let wav = dir.path().join("alone.wav");
        stereo_wav(&wav, 1.0);
        let e = fixture
            .transcribe(&wav, &CallOptions::default())
            .unwrap_err();
        assert!(e.to_string().contains("alone.transcript.json"), "{e}");
    }
}
