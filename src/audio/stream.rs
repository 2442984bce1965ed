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
    /// After the end: how the recording turned out to be cut off, if it was (a
    /// stream that decoded shorter than its header says, or ends inside a frame).
    fn truncation(&self) -> Option<&str> {
        None
    }
}

/// Length of the blocks [`AudioStream::next_block`] yields: 5 s at 16 kHz.
const BLOCK_FRAMES: usize = 5 * SAMPLE_RATE as usize;

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
                        return Err(AudioError::Empty {
                            path: self.info.path.clone(),
                            detail: "no audio frames could be decoded".into(),
                        });
                    }
                    self.resampler.finish()
                }
            }
            .map_err(|e| AudioError::Malformed {
                path: self.info.path.clone(),
                detail: format!("resampling to 16 kHz failed: {e}"),
            })?;
            for (ready, new) in self.ready.iter_mut().zip(resampled) {
                ready.extend(new);
            }
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

    /// `batch` moves streams onto blocking threads.
    #[test]
    fn streams_can_move_between_threads() {
        fn assert_send<T: Send>() {}
        assert_send::<AudioStream>();
    }
}
