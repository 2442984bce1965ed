//! Streaming conversion of any source rate to 16 kHz with rubato's FFT resampler
//! (band-limited, fixed ratio — the case it is made for).
//!
//! Input arrives in pieces of any size; output leaves in pieces as soon as rubato has
//! produced them. The resampler's start-up delay is trimmed and the tail flushed, so the
//! output has exactly `ceil(frames_in * 16000 / rate)` frames and lines up in time with
//! the input — transcript timestamps depend on that.

use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{Fft, FixedSync, Indexing, Resampler};

use super::SAMPLE_RATE;
use super::stream::Frames;

/// Target input frames per FFT chunk; rubato rounds it to fit the ratio.
const CHUNK: usize = 2048;

pub(super) struct To16k {
    /// `None` when the source is already at 16 kHz.
    fft: Option<Fft<f32>>,
    channels: usize,
    source_rate: u32,
    /// Input not yet resampled, one Vec per channel.
    pending: Frames,
    out_buf: Frames,
    frames_in: u64,
    frames_out: u64,
    /// Output frames still to drop from the start (the resampler delay).
    to_trim: usize,
}

impl To16k {
    pub(super) fn new(
        source_rate: u32,
        channels: usize,
    ) -> Result<Self, rubato::ResamplerConstructionError> {
        let fft = if source_rate == SAMPLE_RATE {
            None
        } else {
            Some(Fft::<f32>::new(
                source_rate as usize,
                SAMPLE_RATE as usize,
                CHUNK,
                channels,
                FixedSync::Both,
            )?)
        };
        let (to_trim, out_len) = fft
            .as_ref()
            .map_or((0, 0), |f| (f.output_delay(), f.output_frames_max()));
        Ok(To16k {
            fft,
            channels,
            source_rate,
            pending: vec![Vec::new(); channels],
            out_buf: vec![vec![0.0; out_len]; channels],
            frames_in: 0,
            frames_out: 0,
            to_trim,
        })
    }

    /// Resamples `input` and returns whatever 16 kHz output is ready.
    pub(super) fn push(&mut self, input: Frames) -> Result<Frames, String> {
        self.frames_in += input.first().map_or(0, |c| c.len()) as u64;
        let Some(fft) = self.fft.as_mut() else {
            return Ok(input);
        };
        for (pending, new) in self.pending.iter_mut().zip(&input) {
            pending.extend_from_slice(new);
        }
        let mut out = vec![Vec::new(); self.channels];
        let available = self.pending[0].len();
        let mut consumed = 0;
        while available - consumed >= fft.input_frames_next() {
            let indexing = Indexing::new().input_offset(consumed);
            let (read, written) = run(fft, &self.pending, available, &mut self.out_buf, &indexing)?;
            consumed += read;
            collect(&self.out_buf, written, &mut self.to_trim, &mut out);
        }
        for pending in &mut self.pending {
            pending.drain(..consumed);
        }
        self.frames_out += out[0].len() as u64;
        Ok(out)
    }

    /// Flushes the last input and the resampler's delay line; returns the final output.
    pub(super) fn finish(&mut self) -> Result<Frames, String> {
        let Some(fft) = self.fft.as_mut() else {
            return Ok(vec![Vec::new(); self.channels]);
        };
        let expected =
            (self.frames_in * u64::from(SAMPLE_RATE)).div_ceil(u64::from(self.source_rate));
        let mut out = vec![Vec::new(); self.channels];
        let mut partial = self.pending[0].len();
        let mut produced = self.frames_out;
        while produced < expected {
            let indexing = Indexing::new().partial_len(partial);
            let (_, written) = run(fft, &self.pending, partial, &mut self.out_buf, &indexing)?;
            let before = out[0].len();
            collect(&self.out_buf, written, &mut self.to_trim, &mut out);
            produced += (out[0].len() - before) as u64;
            // After the real input, feed silence until the delay line has drained.
            partial = 0;
        }
        let keep = out[0].len().saturating_sub((produced - expected) as usize);
        for channel in &mut out {
            channel.truncate(keep);
        }
        for pending in &mut self.pending {
            pending.clear();
        }
        self.frames_out = expected;
        Ok(out)
    }
}

fn run(
    fft: &mut Fft<f32>,
    input: &Frames,
    frames: usize,
    out_buf: &mut Frames,
    indexing: &Indexing,
) -> Result<(usize, usize), String> {
    let channels = input.len();
    let out_frames = out_buf[0].len();
    // These only fail on buffer sizes that do not fit the resampler: a bug here, not bad input.
    let input = SequentialSliceOfVecs::new(input, channels, frames).map_err(|e| e.to_string())?;
    let mut output =
        SequentialSliceOfVecs::new_mut(out_buf, channels, out_frames).map_err(|e| e.to_string())?;
    fft.process_into_buffer(&input, &mut output, Some(indexing))
        .map_err(|e| e.to_string())
}

/// Appends the first `written` frames of `buf` to `out`, dropping delay frames first.
fn collect(buf: &Frames, written: usize, to_trim: &mut usize, out: &mut Frames) {
    let skip = (*to_trim).min(written);
    *to_trim -= skip;
    for (dst, src) in out.iter_mut().zip(buf) {
        dst.extend_from_slice(&src[skip..written]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(rate: u32, freq: f32, frames: usize) -> Vec<f32> {
        (0..frames)
            .map(|i| (std::f32::consts::TAU * freq * i as f32 / rate as f32).sin() * 0.5)
            .collect()
    }

    /// Feeds `input` in uneven pieces, as a decoder would.
    fn resample(rate: u32, input: &[Vec<f32>]) -> Frames {
        let mut r = To16k::new(rate, input.len()).expect("resampler");
        let mut out = vec![Vec::new(); input.len()];
        let len = input[0].len();
        let mut start = 0;
        for (i, step) in [1, 777, 3000, 5, 8192].iter().cycle().enumerate() {
            if start >= len || i > 10_000 {
                break;
            }
            let end = (start + step).min(len);
            let piece = input.iter().map(|c| c[start..end].to_vec()).collect();
            for (o, p) in out.iter_mut().zip(r.push(piece).expect("push")) {
                o.extend(p);
            }
            start = end;
        }
        for (o, p) in out.iter_mut().zip(r.finish().expect("finish")) {
            o.extend(p);
        }
        out
    }

    #[test]
    fn output_length_follows_the_ratio() {
        for rate in [8000, 11025, 22050, 44100, 48000] {
            let frames = rate as usize * 3 + 17;
            let out = resample(rate, &[sine(rate, 440.0, frames)]);
            let expected = (frames as u64 * 16000).div_ceil(u64::from(rate)) as usize;
            assert_eq!(out[0].len(), expected, "rate {rate}");
        }
    }

    #[test]
    fn a_tone_keeps_its_phase_and_level() {
        // If the delay were not trimmed, the resampled tone would be shifted in time.
        let rate = 8000;
        let input = sine(rate, 300.0, rate as usize * 2);
        let out = resample(rate, &[input]);
        let reference = sine(16_000, 300.0, out[0].len());
        let middle = 4000..28_000;
        let err: f32 = middle
            .clone()
            .map(|i| (out[0][i] - reference[i]).abs())
            .fold(0.0, f32::max);
        assert!(err < 0.01, "max deviation {err}");
    }

    #[test]
    fn channels_stay_separate() {
        let rate = 44_100;
        let left = sine(rate, 500.0, rate as usize);
        let right = vec![0.0; rate as usize];
        let out = resample(rate, &[left, right]);
        let energy = |c: &[f32]| c.iter().map(|s| s * s).sum::<f32>();
        assert!(energy(&out[0]) > 1000.0);
        assert!(
            energy(&out[1]) < 1e-6,
            "right channel picked up {}",
            energy(&out[1])
        );
    }

    #[test]
    fn sixteen_khz_passes_through_unchanged() {
        let input = sine(16_000, 440.0, 1000);
        let out = resample(16_000, std::slice::from_ref(&input));
        assert_eq!(out[0], input);
    }
}
