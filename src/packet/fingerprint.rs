//! A content fingerprint of a recording, to tell two encodings of one call (the
//! 8 kHz μ-law stereo and the 16 kHz mono copy of the same conversation) from two
//! different calls: the loudness of the channels' mix in 100 ms frames, in dB
//! around its own mean, silence floored relative to the call's loud frames. On the
//! demo's calls two encodings of one call differ by 0.5 dB a frame on average, two
//! calls by 12 dB or more. A byte hash cannot do this (the files differ in every
//! byte); the loudness envelope survives resampling, mixing the channels, μ-law
//! and gain. The listening session never pairs a call with another encoding of
//! itself ([`super::session`]).
//!
//! [`measure`] does the IO (decodes the recording as a stream, keeping only the
//! envelope); [`of`] and [`AudioPrint::same_audio`] are pure.

use std::path::Path;

use crate::audio::{self, AudioError, AudioLimits, SAMPLE_RATE};

/// One envelope value per this many seconds.
pub const FRAME_S: f64 = 0.1;
/// Frames more than this far below the call's loud frames (its 95th percentile)
/// count as that quiet: the silence of a μ-law line and of a clean 16 kHz file
/// differ by tens of dB, the speech between them does not.
const RANGE_DB: f32 = 35.0;
/// Two envelopes further apart than this (mean absolute difference, dB) are two calls.
const MAX_MEAN_DIFF_DB: f32 = 3.0;
/// Durations further apart than this fraction (or half a second) are two calls.
const DURATION_TOLERANCE: f64 = 0.02;

/// What a recording sounds like, coarsely: enough to recognise it again.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioPrint {
    pub duration: f64,
    /// dB per [`FRAME_S`], minus the mean over the call.
    envelope: Vec<f32>,
}

const FRAME: usize = (SAMPLE_RATE as usize) / 10;

/// Decodes `path` block by block and returns its fingerprint.
pub fn measure(path: &Path) -> Result<AudioPrint, AudioError> {
    let mut stream = audio::open(path, &AudioLimits::default())?;
    let mut frames = Frames::default();
    while let Some(block) = stream.next_block()? {
        frames.push(&block);
    }
    Ok(frames.finish())
}

/// The fingerprint of decoded audio (16 kHz, one `Vec` per channel).
pub fn of(channels: &[Vec<f32>]) -> AudioPrint {
    let mut frames = Frames::default();
    frames.push(channels);
    frames.finish()
}

/// Mean power per frame of the channels' mix, accumulated across blocks.
#[derive(Default)]
struct Frames {
    power: Vec<f32>,
    sum: f64,
    filled: usize,
    samples: usize,
}

impl Frames {
    fn push(&mut self, channels: &[Vec<f32>]) {
        let len = channels.iter().map(Vec::len).max().unwrap_or(0);
        let n = channels.len().max(1) as f32;
        for i in 0..len {
            let mix = channels.iter().filter_map(|c| c.get(i)).sum::<f32>() / n;
            self.sum += f64::from(mix * mix);
            self.filled += 1;
            if self.filled == FRAME {
                self.power.push((self.sum / FRAME as f64) as f32);
                self.sum = 0.0;
                self.filled = 0;
            }
        }
        self.samples += len;
    }

    fn finish(mut self) -> AudioPrint {
        if self.filled > 0 {
            self.power.push((self.sum / self.filled as f64) as f32);
        }
        let raw: Vec<f32> = self
            .power
            .iter()
            .map(|p| 10.0 * p.max(1e-12).log10())
            .collect();
        let mut sorted = raw.clone();
        sorted.sort_by(f32::total_cmp);
        let loud = sorted
            .get((sorted.len().saturating_sub(1)) * 95 / 100)
            .copied()
            .unwrap_or(0.0);
        let db: Vec<f32> = raw.iter().map(|d| d.max(loud - RANGE_DB)).collect();
        let mean = db.iter().sum::<f32>() / db.len().max(1) as f32;
        AudioPrint {
            duration: self.samples as f64 / f64::from(SAMPLE_RATE),
            envelope: db.iter().map(|d| d - mean).collect(),
        }
    }
}

impl AudioPrint {
    /// Whether `other` is (an encoding of) the same recording: the same length and
    /// the same loudness, frame by frame, within a few dB.
    pub fn same_audio(&self, other: &AudioPrint) -> bool {
        let tolerance = (self.duration.max(other.duration) * DURATION_TOLERANCE).max(0.5);
        if (self.duration - other.duration).abs() > tolerance {
            return false;
        }
        let n = self.envelope.len().min(other.envelope.len());
        if n == 0 {
            return self.envelope.len() == other.envelope.len();
        }
        let diff: f32 = self.envelope[..n]
            .iter()
            .zip(&other.envelope[..n])
            .map(|(a, b)| (a - b).abs())
            .sum::<f32>()
            / n as f32;
        diff <= MAX_MEAN_DIFF_DB
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A "conversation": the agent speaks (a tone) on the left in some half-seconds,
    /// the customer on the right in others, after the pattern `turns`.
    fn stereo(turns: &[u8], seconds: f64) -> Vec<Vec<f32>> {
        let n = (seconds * f64::from(SAMPLE_RATE)) as usize;
        let mut left = vec![0.0f32; n];
        let mut right = vec![0.0f32; n];
        for i in 0..n {
            let t = i as f32 / SAMPLE_RATE as f32;
            let turn = turns[((t * 2.0) as usize) % turns.len()];
            match turn {
                1 => left[i] = 0.4 * (std::f32::consts::TAU * 220.0 * t).sin(),
                2 => right[i] = 0.2 * (std::f32::consts::TAU * 330.0 * t).sin(),
                _ => {}
            }
        }
        vec![left, right]
    }

    /// The mono copy as a PBX writes it: both parties summed, at another gain,
    /// 8 kHz (every other sample repeated), with a little quantisation.
    fn mono_copy(channels: &[Vec<f32>]) -> Vec<Vec<f32>> {
        let n = channels[0].len();
        let mono = (0..n)
            .map(|i| {
                let j = i - i % 2;
                let s = 0.7 * (channels[0][j] + channels[1][j]);
                (s * 256.0).round() / 256.0
            })
            .collect();
        vec![mono]
    }

    #[test]
    fn two_encodings_of_one_call_are_the_same_audio() {
        let call = stereo(&[1, 1, 0, 2, 2, 2, 0, 1, 2, 0, 0, 1], 30.0);
        let a = of(&call);
        let b = of(&mono_copy(&call));
        assert!((a.duration - 30.0).abs() < 1e-9);
        assert!(a.same_audio(&b) && b.same_audio(&a));
    }

    #[test]
    fn two_calls_are_not_the_same_audio_even_at_one_length() {
        let a = of(&stereo(&[1, 1, 0, 2, 2, 2, 0, 1, 2, 0, 0, 1], 30.0));
        let b = of(&stereo(&[2, 0, 1, 1, 0, 2, 1, 0, 0, 2, 1, 1], 30.0));
        assert!(!a.same_audio(&b));
        let shorter = of(&stereo(&[1, 1, 0, 2, 2, 2, 0, 1, 2, 0, 0, 1], 25.0));
        assert!(!a.same_audio(&shorter), "5 s shorter: another call");
    }
}
