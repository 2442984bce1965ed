//! TEMPORARY stand-in for the audio stage (replaced by the real one at merge):
//! 16 kHz PCM WAV only, same public API.

use std::path::{Path, PathBuf};

pub const SAMPLE_RATE: u32 = 16_000;

#[derive(Debug, Clone)]
pub struct AudioLimits {
    pub max_channels: u16,
    pub max_duration_s: f64,
}

impl Default for AudioLimits {
    fn default() -> Self {
        AudioLimits {
            max_channels: 2,
            max_duration_s: 6.0 * 3600.0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SourceInfo {
    pub path: PathBuf,
    pub format: String,
    pub sample_rate: u32,
    pub channels: u16,
    pub duration: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("{path}: {reason}")]
    Bad { path: PathBuf, reason: String },
}

pub struct AudioStream {
    info: SourceInfo,
    channels: Vec<Vec<f32>>,
    done: bool,
}

impl AudioStream {
    pub fn info(&self) -> &SourceInfo {
        &self.info
    }
    pub fn next_block(&mut self) -> Result<Option<Vec<Vec<f32>>>, AudioError> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        Ok(Some(std::mem::take(&mut self.channels)))
    }
}

pub fn open(path: &Path, _limits: &AudioLimits) -> Result<AudioStream, AudioError> {
    let bad = |reason: String| AudioError::Bad {
        path: path.to_path_buf(),
        reason,
    };
    let reader = hound::WavReader::open(path).map_err(|e| bad(e.to_string()))?;
    let spec = reader.spec();
    let n = spec.channels as usize;
    let samples: Vec<i16> = reader
        .into_samples::<i16>()
        .collect::<Result<_, _>>()
        .map_err(|e| bad(e.to_string()))?;
    let mut channels = vec![Vec::new(); n];
    for (i, s) in samples.iter().enumerate() {
        channels[i % n].push(*s as f32 / 32768.0);
    }
    let duration = channels[0].len() as f64 / spec.sample_rate as f64;
    Ok(AudioStream {
        info: SourceInfo {
            path: path.to_path_buf(),
            format: "wav".into(),
            sample_rate: spec.sample_rate,
            channels: spec.channels,
            duration,
        },
        channels,
        done: false,
    })
}
