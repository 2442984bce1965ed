//! Decodes WAV sample data at the file's own rate: integer and float PCM through hound,
//! G.711 μ-law and A-law through [`super::g711`].
//!
//! Both readers pull a bounded number of frames per call, so memory does not grow with
//! the length of the recording.

use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::error::AudioError;
use super::g711::Law;
use super::riff::{WavEncoding, WavHeader};
use super::stream::{Frames, Source};

/// Frames decoded per call: about half a second of 16 kHz audio, whatever the layout.
const CHUNK_FRAMES: u64 = 8192;

/// Anything a WAV can be read from: a buffered file, or bytes in memory.
pub(super) trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// Builds the sample reader for a WAV whose header has been read from `reader`, which is
/// positioned at the first byte of the data chunk.
pub(super) fn source(
    mut reader: Box<dyn ReadSeek>,
    header: &WavHeader,
    path: &Path,
) -> Result<Box<dyn Source>, AudioError> {
    let channels = usize::from(header.channels);
    match header.encoding {
        WavEncoding::G711(law) => Ok(Box::new(G711Source {
            reader,
            law,
            channels,
            bytes_left: header.data_len,
            path: path.to_path_buf(),
        })),
        WavEncoding::Pcm { bits } => {
            reader
                .seek(SeekFrom::Start(0))
                .map_err(|source| io_error(path, source))?;
            let reader = hound::WavReader::new(reader).map_err(|e| hound_error(path, e))?;
            Ok(Box::new(HoundSource {
                reader,
                channels,
                float: false,
                scale: 1.0 / (1u64 << (bits - 1)) as f32,
                frames: header.frames(),
                frames_left: header.frames(),
                path: path.to_path_buf(),
            }))
        }
        WavEncoding::Float => {
            reader
                .seek(SeekFrom::Start(0))
                .map_err(|source| io_error(path, source))?;
            let reader = hound::WavReader::new(reader).map_err(|e| hound_error(path, e))?;
            Ok(Box::new(HoundSource {
                reader,
                channels,
                float: true,
                scale: 1.0,
                frames: header.frames(),
                frames_left: header.frames(),
                path: path.to_path_buf(),
            }))
        }
    }
}

struct HoundSource {
    reader: hound::WavReader<Box<dyn ReadSeek>>,
    channels: usize,
    float: bool,
    /// Maps integer samples to [-1, 1).
    scale: f32,
    /// Frames in the data chunk, and those not read yet.
    frames: u64,
    frames_left: u64,
    path: PathBuf,
}

impl Source for HoundSource {
    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        let skipped = frames.min(self.frames_left);
        let to = self.frames - self.frames_left + skipped;
        // hound addresses frames with u32: beyond that (27 h at 44.1 kHz) read them.
        let Ok(to) = u32::try_from(to) else {
            return Ok(0);
        };
        self.reader
            .seek(to)
            .map_err(|source| io_error(&self.path, source))?;
        self.frames_left -= skipped;
        Ok(skipped)
    }

    fn next_frames(&mut self) -> Result<Option<Frames>, AudioError> {
        let frames = self.frames_left.min(CHUNK_FRAMES) as usize;
        if frames == 0 {
            return Ok(None);
        }
        let mut out = vec![Vec::with_capacity(frames); self.channels];
        let wanted = frames * self.channels;
        if self.float {
            for (i, sample) in self.reader.samples::<f32>().take(wanted).enumerate() {
                out[i % self.channels].push(sample.map_err(|e| hound_error(&self.path, e))?);
            }
        } else {
            for (i, sample) in self.reader.samples::<i32>().take(wanted).enumerate() {
                let sample = sample.map_err(|e| hound_error(&self.path, e))?;
                out[i % self.channels].push(sample as f32 * self.scale);
            }
        }
        if out.iter().any(|c| c.len() != frames) {
            return Err(AudioError::Truncated {
                path: self.path.clone(),
                detail: "the sample data ends before the length its header gives".into(),
            });
        }
        self.frames_left -= frames as u64;
        Ok(Some(out))
    }
}

struct G711Source {
    reader: Box<dyn ReadSeek>,
    law: Law,
    channels: usize,
    bytes_left: u64,
    path: PathBuf,
}

impl Source for G711Source {
    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        let channels = self.channels as u64;
        let skipped = frames.min(self.bytes_left / channels);
        let bytes = i64::try_from(skipped * channels).unwrap_or(i64::MAX);
        self.reader
            .seek(SeekFrom::Current(bytes))
            .map_err(|e| io_error(&self.path, e))?;
        self.bytes_left -= skipped * channels;
        Ok(skipped)
    }

    fn next_frames(&mut self) -> Result<Option<Frames>, AudioError> {
        let len = self.bytes_left.min(CHUNK_FRAMES * self.channels as u64) as usize;
        if len == 0 {
            return Ok(None);
        }
        let mut bytes = vec![0u8; len];
        self.reader
            .read_exact(&mut bytes)
            .map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => AudioError::Truncated {
                    path: self.path.clone(),
                    detail: "the sample data ends before the length its header gives".into(),
                },
                _ => io_error(&self.path, e),
            })?;
        self.bytes_left -= len as u64;
        let mut out = vec![Vec::with_capacity(len / self.channels); self.channels];
        for frame in bytes.chunks_exact(self.channels) {
            for (channel, &byte) in out.iter_mut().zip(frame) {
                channel.push(f32::from(self.law.expand(byte)) / 32768.0);
            }
        }
        Ok(Some(out))
    }
}

fn io_error(path: &Path, source: io::Error) -> AudioError {
    AudioError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn hound_error(path: &Path, error: hound::Error) -> AudioError {
    let path = path.to_path_buf();
    match error {
        hound::Error::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            AudioError::Truncated {
                path,
                detail: "the sample data ends early".into(),
            }
        }
        hound::Error::IoError(source) => AudioError::Io { path, source },
        hound::Error::Unsupported => AudioError::UnsupportedCodec {
            path,
            codec: "a WAV layout hound cannot read".into(),
        },
        other => AudioError::Malformed {
            path,
            detail: other.to_string(),
        },
    }
}
