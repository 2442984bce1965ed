//! [`AudioStream`]: a recording decoded and resampled to 16 kHz block by block, so that
//! a two-hour call needs only a few seconds of samples in memory at a time.
//!
//! The stream also enforces what must hold for every decoded sample, whatever the
//! container: samples are finite, the channel count does not change, and the recording
//! stays within [`AudioLimits::max_duration_s`].

use super::error::AudioError;
use super::resample::To16k;
use super::{AudioLimits, SAMPLE_RATE, SourceInfo};

/// Samples of one piece of audio, one Vec per channel, all of the same length.
pub(super) type Frames = Vec<Vec<f32>>;

/// A decoder of one container, yielding frames at the recording's own rate.
pub(super) trait Source: Send {
    /// The next piece of audio (bounded in size), or `None` at the end of the recording.
    fn next_frames(&mut self) -> Result<Option<Frames>, AudioError>;
    /// Moves past up to `frames` frames without decoding them, where the
    /// container can seek (WAV); returns how many it skipped (0: read them).
    fn skip(&mut self, _frames: u64) -> Result<u64, AudioError> {
        Ok(0)
    }
    /// After the end: how the recording turned out to be cut off, if it was (a
    /// stream that decoded shorter than its header says, or ends inside a frame).
    fn truncation(&self) -> Option<&str> {
        None
    }
}

/// Length of the blocks [`AudioStream::next_block`] yields: 5 s at 16 kHz.
const BLOCK_FRAMES: usize = 5 * SAMPLE_RATE as usize;

/// Audio kept on either side of a span read by [`AudioStream::read_spans`], so
/// that the resampler's edges fall outside it.
const SPAN_EDGE_S: f64 = 0.05;

/// `frames` at `rate` as 16 kHz, in one go.
fn resample_whole(rate: u32, channels: usize, frames: Frames) -> Result<Frames, String> {
    let mut resampler = To16k::new(rate, channels).map_err(|e| e.to_string())?;
    let mut out = resampler.push(frames)?;
    for (o, tail) in out.iter_mut().zip(resampler.finish()?) {
        o.extend(tail);
    }
    Ok(out)
}

/// A recording being decoded; see [`super::open`].
pub struct AudioStream {
    info: SourceInfo,
    source: Box<dyn Source>,
    resampler: To16k,
    /// Resampled audio not yet handed out.
    ready: Frames,
    /// Frames read from the source so far, at its own rate.
    frames_in: u64,
    max_frames_in: u64,
    done: bool,
    warned_clipping: bool,
}

impl AudioStream {
    pub(super) fn new(
        info: SourceInfo,
        source: Box<dyn Source>,
        limits: &AudioLimits,
    ) -> Result<Self, AudioError> {
        let channels = usize::from(info.channels);
        let resampler =
            To16k::new(info.sample_rate, channels).map_err(|e| AudioError::Malformed {
                path: info.path.clone(),
                detail: format!("cannot resample from {} Hz: {e}", info.sample_rate),
            })?;
        let max_frames_in = (limits.max_duration_s * f64::from(info.sample_rate)).ceil() as u64;
        Ok(AudioStream {
            info,
            source,
            resampler,
            ready: vec![Vec::new(); channels],
            frames_in: 0,
            max_frames_in,
            done: false,
            warned_clipping: false,
        })
    }

    /// What the recording's header says about it.
    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// After the last block: how the recording was cut off, when it was (already
    /// logged as a warning naming the file; the part that is there decodes).
    pub fn truncation(&self) -> Option<&str> {
        self.source.truncation()
    }

    /// The next block of 16 kHz audio, one Vec per channel (5 s, the last one shorter),
    /// or `None` after the end. An error ends the stream: do not read further after one.
    pub fn next_block(&mut self) -> Result<Option<Vec<Vec<f32>>>, AudioError> {
        loop {
            if self.ready[0].len() >= BLOCK_FRAMES {
                return Ok(Some(self.take(BLOCK_FRAMES)));
            }
            if self.done {
                let left = self.ready[0].len();
                return Ok((left > 0).then(|| self.take(left)));
            }
            let resampled = match self.source.next_frames()? {
                Some(mut frames) => {
                    self.check(&mut frames)?;
                    self.frames_in += frames[0].len() as u64;
                    self.resampler.push(frames)
                }
                None => {
                    self.done = true;
                    if self.frames_in == 0 {
                        return Err(self.nothing_decoded());
                    }
                    self.resampler.finish()
                }
            }
            .map_err(|e| self.resampling_failed(e))?;
            for (ready, new) in self.ready.iter_mut().zip(resampled) {
                ready.extend(new);
            }
        }
    }

    /// The 16 kHz audio of each span (seconds from the start, `(start, end)`),
    /// one Vec per channel. Only the spans are resampled, each on its own (with
    /// [`SPAN_EDGE_S`] more on either side, cut off again), and decoding stops
    /// after the last span: cutting a few clips out of a long call costs a
    /// fraction of decoding it whole. Spans past the end come out short or empty.
    pub fn read_spans(mut self, spans: &[(f64, f64)]) -> Result<Vec<Frames>, AudioError> {
        let rate = f64::from(self.info.sample_rate);
        let channels = usize::from(self.info.channels);
        let edge = SPAN_EDGE_S * rate;
        let ranges: Vec<(u64, u64)> = spans
            .iter()
            .map(|&(start, end)| {
                let from = (start * rate - edge).max(0.0) as u64;
                (from, ((end * rate + edge).ceil() as u64).max(from))
            })
            .collect();
        let last = ranges.iter().map(|&(_, to)| to).max().unwrap_or(0);
        let mut kept: Vec<Frames> = vec![vec![Vec::new(); channels]; spans.len()];
        while self.frames_in < last {
            // Seek over the audio between the spans where the container allows.
            let at = self.frames_in;
            let next = ranges
                .iter()
                .filter(|&&(_, to)| to > at)
                .map(|&(from, _)| from)
                .min();
            if let Some(gap) = next
                .map(|from| from.saturating_sub(at))
                .filter(|&gap| gap > 0)
            {
                self.frames_in += self.source.skip(gap)?;
                if self.frames_in > at {
                    continue;
                }
            }
            let Some(mut frames) = self.source.next_frames()? else {
                break;
            };
            self.check(&mut frames)?;
            let at = self.frames_in;
            let len = frames[0].len() as u64;
            self.frames_in += len;
            for (&(from, to), keep) in ranges.iter().zip(&mut kept) {
                let a = from.clamp(at, at + len) - at;
                let b = to.clamp(at, at + len) - at;
                if a < b {
                    for (k, f) in keep.iter_mut().zip(&frames) {
                        k.extend_from_slice(&f[a as usize..b as usize]);
                    }
                }
            }
        }
        if self.frames_in == 0 {
            return Err(self.nothing_decoded());
        }
        let out_rate = f64::from(SAMPLE_RATE);
        spans
            .iter()
            .zip(&ranges)
            .zip(kept)
            .map(|((&(start, end), &(from, _)), frames)| {
                let resampled = resample_whole(self.info.sample_rate, channels, frames)
                    .map_err(|e| self.resampling_failed(e))?;
                let skip = ((start - from as f64 / rate) * out_rate).round().max(0.0) as usize;
                let n = ((end - start).max(0.0) * out_rate).round() as usize;
                Ok(resampled
                    .into_iter()
                    .map(|mut c| {
                        c.drain(..skip.min(c.len()));
                        c.truncate(n);
                        c
                    })
                    .collect())
            })
            .collect()
    }

    fn nothing_decoded(&self) -> AudioError {
        AudioError::Empty {
            path: self.info.path.clone(),
            detail: "no audio frames could be decoded".into(),
        }
    }

    fn resampling_failed(&self, reason: String) -> AudioError {
        AudioError::Malformed {
            path: self.info.path.clone(),
            detail: format!("resampling to 16 kHz failed: {reason}"),
        }
    }

    fn take(&mut self, frames: usize) -> Vec<Vec<f32>> {
        self.ready
            .iter_mut()
            .map(|channel| {
                let rest = channel.split_off(frames);
                std::mem::replace(channel, rest)
            })
            .collect()
    }

    /// Checks a decoded piece before it is resampled, where a NaN would smear and a
    /// sample of 1e38 would overflow the FFT; samples beyond full scale are clipped.
    fn check(&mut self, frames: &mut Frames) -> Result<(), AudioError> {
        let len = frames.first().map_or(0, Vec::len);
        if frames.len() != usize::from(self.info.channels) || frames.iter().any(|c| c.len() != len)
        {
            return Err(AudioError::Malformed {
                path: self.info.path.clone(),
                detail: format!(
                    "the stream changes from {} channels to {} part-way through",
                    self.info.channels,
                    frames.len()
                ),
            });
        }
        let rate = f64::from(self.info.sample_rate);
        if let Some(index) = frames
            .iter()
            .filter_map(|c| c.iter().position(|s| !s.is_finite()))
            .min()
        {
            return Err(AudioError::InvalidSamples {
                path: self.info.path.clone(),
                at: (self.frames_in + index as u64) as f64 / rate,
            });
        }
        let mut clipped = false;
        for sample in frames.iter_mut().flatten() {
            if sample.abs() > 1.0 {
                *sample = sample.clamp(-1.0, 1.0);
                clipped = true;
            }
        }
        if clipped && !self.warned_clipping {
            self.warned_clipping = true;
            tracing::warn!(path = %self.info.path.display(), "samples beyond full scale were clipped to ±1");
        }
        let total = self.frames_in + len as u64;
        if total > self.max_frames_in {
            return Err(AudioError::TooLong {
                path: self.info.path.clone(),
                duration: total as f64 / rate,
                max: self.max_frames_in as f64 / rate,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav_pcm16(rate: u32, channels: &[Vec<f32>]) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels: channels.len() as u16,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut bytes = std::io::Cursor::new(Vec::new());
        let mut writer = hound::WavWriter::new(&mut bytes, spec).unwrap();
        for i in 0..channels[0].len() {
            for c in channels {
                writer.write_sample((c[i] * 32767.0) as i16).unwrap();
            }
        }
        writer.finalize().unwrap();
        bytes.into_inner()
    }

    /// G.711 μ-law (the usual telephony WAV): a RIFF header by hand, as hound
    /// writes only PCM.
    fn wav_mu_law(rate: u32, channels: &[Vec<f32>]) -> Vec<u8> {
        // ITU-T G.711 μ-law encoding of a linear 16-bit sample.
        let encode = |x: f32| -> u8 {
            let linear = (x * 32767.0) as i32;
            let sign = if linear < 0 { 0x80 } else { 0 };
            let magnitude = (linear.abs().min(32635) + 0x84) as u32;
            let exponent = (31 - magnitude.leading_zeros()).saturating_sub(7).min(7);
            let mantissa = (magnitude >> (exponent + 3)) & 0x0f;
            !(sign | (exponent << 4) as u8 | mantissa as u8)
        };
        let n = channels[0].len();
        let data: Vec<u8> = (0..n)
            .flat_map(|i| channels.iter().map(move |c| encode(c[i])))
            .collect();
        let ch = channels.len() as u16;
        let mut wav = Vec::new();
        wav.extend(b"RIFF");
        wav.extend((4 + 26 + 8 + data.len() as u32).to_le_bytes());
        wav.extend(b"WAVEfmt ");
        wav.extend(18u32.to_le_bytes());
        wav.extend(7u16.to_le_bytes()); // WAVE_FORMAT_MULAW
        wav.extend(ch.to_le_bytes());
        wav.extend(rate.to_le_bytes());
        wav.extend((rate * u32::from(ch)).to_le_bytes());
        wav.extend(ch.to_le_bytes());
        wav.extend(8u16.to_le_bytes());
        wav.extend(0u16.to_le_bytes());
        wav.extend(b"data");
        wav.extend((data.len() as u32).to_le_bytes());
        wav.extend(data);
        wav
    }

    /// A span read on its own (the audio before it skipped by seeking) matches
    /// the same span of the whole recording (away from the resampler's edges),
    /// at 8 kHz as at 16 kHz, PCM and μ-law.
    #[test]
    fn spans_match_the_whole_recording() {
        for (rate, mu_law) in [(8_000u32, false), (16_000, false), (8_000, true)] {
            let seconds = 12.0;
            let n = (seconds * f64::from(rate)) as usize;
            let tone = |f: f64| -> Vec<f32> {
                (0..n)
                    .map(|i| {
                        (0.3 * (2.0 * std::f64::consts::PI * f * i as f64 / f64::from(rate)).sin())
                            as f32
                    })
                    .collect()
            };
            let channels = [tone(440.0), tone(997.0)];
            let wav = if mu_law {
                wav_mu_law(rate, &channels)
            } else {
                wav_pcm16(rate, &channels)
            };
            let name = std::path::Path::new("tones.wav");
            let limits = AudioLimits::default();
            let whole = crate::audio::decode_bytes(&wav, name, &limits).unwrap();
            let spans = [(1.0, 2.5), (7.25, 9.0), (11.5, 13.0)];
            let input = super::super::Input::Memory(std::io::Cursor::new(wav.clone()));
            let stream = super::super::stream_from(input, wav.len() as u64, name, &limits).unwrap();
            let cut = stream.read_spans(&spans).unwrap();
            let sr = f64::from(SAMPLE_RATE);
            for (&(start, end), channels) in spans.iter().zip(&cut) {
                assert_eq!(channels.len(), 2);
                let from = (start * sr).round() as usize;
                let expected_len = (((end.min(seconds) - start) * sr).round()) as usize;
                for (c, samples) in channels.iter().enumerate() {
                    assert_eq!(
                        samples.len(),
                        expected_len,
                        "span {start}–{end} at {rate} Hz"
                    );
                    // Compare the middle: the span's own edges are resampled alone.
                    let middle = samples.len() - 1600;
                    let pairs = samples.iter().zip(&whole.channels[c][from..]);
                    for (i, (a, b)) in pairs.enumerate().skip(800).take(middle) {
                        let d = (a - b).abs();
                        assert!(
                            d < 0.01,
                            "span {start} at {rate} Hz, channel {c}, sample {i}: {d}"
                        );
                    }
                }
            }
        }
    }

    /// `batch` moves streams onto blocking threads.
    #[test]
    fn streams_can_move_between_threads() {
        fn assert_send<T: Send>() {}
        assert_send::<AudioStream>();
    }
}
