//! The audio stage: reads a call recording of any common format and delivers 16 kHz
//! f32 samples per channel — agent and customer on separate channels when the call
//! system recorded them so.
//!
//! Recordings are untrusted input. The container is recognised from the content, not the
//! file name; WAV headers are checked against the file size before decoding; channel
//! count, sample rate and duration are limited; NaN samples are refused; and every error
//! names the file and what to do about it. [`open`] streams in bounded memory (a
//! two-hour call needs a few MB), [`load`] collects everything for short calls and tests.
//!
//! Formats: WAV with integer PCM (8/16/24/32-bit) or 32-bit float through hound, WAV
//! with G.711 μ-law/A-law through our own decoder (`g711.rs`, bit-exact with sox), MP3,
//! FLAC and Ogg Vorbis through Symphonia.

mod compressed;
mod error;
mod g711;
mod mp3_frames;
mod resample;
mod riff;
mod sniff;
mod stream;
mod wav;

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub use error::AudioError;
pub use stream::AudioStream;

use sniff::{Container, SNIFF_LEN, Sniffed};
use stream::Source;
use wav::ReadSeek;

/// The sample rate every stage after `audio` works at (Whisper's).
pub const SAMPLE_RATE: u32 = 16_000;

/// Source sample rates outside this range are taken as a corrupt header.
pub const MIN_SOURCE_RATE: u32 = 4_000;
pub const MAX_SOURCE_RATE: u32 = 384_000;

/// What a recording may be, beyond which it is refused rather than decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioLimits {
    /// Two: one channel per party.
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

/// A recording as its header describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    pub path: PathBuf,
    /// Container and codec, e.g. `wav pcm_s16le`, `wav mu-law`, `mp3`, `flac`, `ogg vorbis`.
    pub format: String,
    /// The recording's own rate, before resampling.
    pub sample_rate: u32,
    pub channels: u16,
    /// Seconds. From the header; [`load`] replaces it with the decoded length.
    pub duration: f64,
}

/// A whole recording at [`SAMPLE_RATE`], one Vec per channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    pub info: SourceInfo,
    pub channels: Vec<Vec<f32>>,
}

/// Reads only what is needed to describe the recording: the header for WAV, FLAC and
/// Ogg, and the frame headers of an MP3 that does not state its length.
pub fn probe(path: &Path) -> Result<SourceInfo, AudioError> {
    let (input, len) = Input::open_file(path)?;
    let (info, source) = open_source(input, len, path, &probe_limits())?;
    let Opened::Compressed(source, None) = source else {
        return Ok(info);
    };
    let frames = source.count_frames()?;
    Ok(SourceInfo {
        duration: frames as f64 / f64::from(info.sample_rate),
        ..info
    })
}

/// Opens a recording for streaming decode; see [`AudioStream::next_block`].
pub fn open(path: &Path, limits: &AudioLimits) -> Result<AudioStream, AudioError> {
    let (input, len) = Input::open_file(path)?;
    stream_from(input, len, path, limits)
}

/// Decodes a whole recording into memory. Prefer [`open`] for recordings of unknown length.
pub fn load(path: &Path, limits: &AudioLimits) -> Result<Audio, AudioError> {
    collect(open(path, limits)?)
}

/// The 16 kHz audio of a few spans of a recording (seconds, `(start, end)`), one
/// Vec per channel each; see [`AudioStream::read_spans`].
pub fn load_spans(
    path: &Path,
    limits: &AudioLimits,
    spans: &[(f64, f64)],
) -> Result<Vec<Vec<Vec<f32>>>, AudioError> {
    open(path, limits)?.read_spans(spans)
}

/// Decodes a recording held in memory (any supported format); `name` stands in for the
/// path in errors. Used by the fuzz target and by callers that receive uploads.
pub fn decode_bytes(bytes: &[u8], name: &Path, limits: &AudioLimits) -> Result<Audio, AudioError> {
    let input = Input::Memory(Cursor::new(bytes.to_vec()));
    collect(stream_from(input, bytes.len() as u64, name, limits)?)
}

fn collect(mut stream: AudioStream) -> Result<Audio, AudioError> {
    let mut channels = vec![Vec::new(); usize::from(stream.info().channels)];
    while let Some(block) = stream.next_block()? {
        for (channel, samples) in channels.iter_mut().zip(block) {
            channel.extend(samples);
        }
    }
    let frames = channels.first().map_or(0, Vec::len);
    let info = SourceInfo {
        duration: frames as f64 / f64::from(SAMPLE_RATE),
        ..stream.info().clone()
    };
    Ok(Audio { info, channels })
}

fn stream_from(
    input: Input,
    len: u64,
    path: &Path,
    limits: &AudioLimits,
) -> Result<AudioStream, AudioError> {
    let (info, source) = open_source(input, len, path, limits)?;
    let source: Box<dyn Source> = match source {
        Opened::Wav(source) => source,
        Opened::Compressed(source, _) => Box::new(source),
    };
    AudioStream::new(info, source, limits)
}

/// Where the bytes of a recording come from.
enum Input {
    File(File),
    Memory(Cursor<Vec<u8>>),
}

impl Input {
    fn open_file(path: &Path) -> Result<(Input, u64), AudioError> {
        let io = |source| AudioError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        Ok((Input::File(file), len))
    }

    fn head(&mut self) -> io::Result<Vec<u8>> {
        let mut head = Vec::with_capacity(SNIFF_LEN);
        match self {
            Input::File(f) => f.by_ref().take(SNIFF_LEN as u64).read_to_end(&mut head)?,
            Input::Memory(c) => c.by_ref().take(SNIFF_LEN as u64).read_to_end(&mut head)?,
        };
        match self {
            Input::File(f) => f.seek(SeekFrom::Start(0))?,
            Input::Memory(c) => c.seek(SeekFrom::Start(0))?,
        };
        Ok(head)
    }
}

/// A recognised recording, ready to decode.
enum Opened {
    Wav(Box<dyn Source>),
    /// With the frame count, if the container states it.
    Compressed(compressed::SymphoniaSource, Option<u64>),
}

fn open_source(
    mut input: Input,
    len: u64,
    path: &Path,
    limits: &AudioLimits,
) -> Result<(SourceInfo, Opened), AudioError> {
    let owned = || path.to_path_buf();
    if len == 0 {
        return Err(AudioError::Empty {
            path: owned(),
            detail: "the file is 0 bytes".into(),
        });
    }
    let head = input.head().map_err(|source| AudioError::Io {
        path: owned(),
        source,
    })?;
    let container = match sniff::sniff(&head) {
        Sniffed::Audio(container) => container,
        Sniffed::Unsupported(codec) => {
            return Err(AudioError::UnsupportedCodec {
                path: owned(),
                codec: codec.into(),
            });
        }
        Sniffed::NotAudio(looks_like) => {
            return Err(AudioError::NotAudio {
                path: owned(),
                looks_like: looks_like.into(),
            });
        }
    };
    warn_if_misnamed(path, container);
    let (info, opened) = if container == Container::Wav {
        let mut reader: Box<dyn ReadSeek> = match input {
            Input::File(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
            Input::Memory(c) => Box::new(c),
        };
        let header = riff::read_header(&mut reader, len, path)?;
        let info = SourceInfo {
            path: owned(),
            format: header.encoding.name(),
            sample_rate: header.sample_rate,
            channels: header.channels,
            duration: header.frames() as f64 / f64::from(header.sample_rate.max(1)),
        };
        check(&info, limits)?;
        if header.data_len == 0 {
            return Err(AudioError::Empty {
                path: owned(),
                detail: "its data chunk holds 0 samples".into(),
            });
        }
        (info, Opened::Wav(wav::source(reader, &header, path)?))
    } else {
        let cut = match (&mut input, container) {
            (Input::File(f), Container::Mp3) => mp3_frames::cut_mid_frame(f, len),
            (Input::Memory(c), Container::Mp3) => mp3_frames::cut_mid_frame(c, len),
            _ => Ok(None),
        }
        .map_err(|source| AudioError::Io {
            path: owned(),
            source,
        })?;
        let media: Box<dyn symphonia::core::io::MediaSource> = match input {
            Input::File(f) => Box::new(f),
            Input::Memory(c) => Box::new(c),
        };
        let opened = compressed::open(media, container, path, cut)?;
        let info = SourceInfo {
            path: owned(),
            format: opened.format_name.into(),
            sample_rate: opened.sample_rate,
            channels: opened.channels,
            duration: opened
                .frames
                .map_or(0.0, |f| f as f64 / f64::from(opened.sample_rate.max(1))),
        };
        check(&info, limits)?;
        (info, Opened::Compressed(opened.source, opened.frames))
    };
    Ok((info, opened))
}

/// Refuses what the header already shows to be out of bounds, before any decoding.
fn check(info: &SourceInfo, limits: &AudioLimits) -> Result<(), AudioError> {
    let path = || info.path.clone();
    if info.channels == 0 {
        return Err(AudioError::Malformed {
            path: path(),
            detail: "it states 0 channels".into(),
        });
    }
    if info.channels > limits.max_channels {
        return Err(AudioError::TooManyChannels {
            path: path(),
            found: info.channels,
            max: limits.max_channels,
        });
    }
    if !(MIN_SOURCE_RATE..=MAX_SOURCE_RATE).contains(&info.sample_rate) {
        return Err(AudioError::BadSampleRate {
            path: path(),
            rate: info.sample_rate,
        });
    }
    if info.duration > limits.max_duration_s {
        return Err(AudioError::TooLong {
            path: path(),
            duration: info.duration,
            max: limits.max_duration_s,
        });
    }
    Ok(())
}

/// `probe` describes any recording, however long or wide; the limits apply when decoding.
fn probe_limits() -> AudioLimits {
    AudioLimits {
        max_channels: u16::MAX,
        max_duration_s: f64::INFINITY,
    }
}

fn warn_if_misnamed(path: &Path, container: Container) {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let expected: &[&str] = match container {
        Container::Wav => &["wav", "wave"],
        Container::Mp3 => &["mp3"],
        Container::Flac => &["flac"],
        Container::Ogg => &["ogg", "oga"],
    };
    if let Some(ext) = ext.filter(|e| !expected.contains(&e.as_str())) {
        tracing::warn!(path = %path.display(), "the file is named .{ext} but contains {container:?}; decoding it as {container:?}");
    }
}
