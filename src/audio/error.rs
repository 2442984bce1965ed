//! Everything that can go wrong while reading a recording.
//!
//! Every variant carries the path of the recording so a nightly batch log line is
//! enough to find the file, and every message ends with what the operator can do.
//! Paths are shown with `Path::display`, so file names that are not UTF-8 print lossily
//! instead of panicking.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum AudioError {
    #[error(
        "cannot read {}: {source}; check that the file exists and is readable",
        crate::escape::path(path)
    )]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{} contains no audio ({detail}); the recording was probably never written — export it again from the call system",
        crate::escape::path(path)
    )]
    Empty { path: PathBuf, detail: String },

    #[error(
        "{} is truncated: {detail}; the recording was cut off while it was written or copied — copy it again from the source",
        crate::escape::path(path)
    )]
    Truncated { path: PathBuf, detail: String },

    #[error(
        "{} is not an audio file (its content looks like {looks_like}); kuulas reads WAV (PCM, float, G.711 μ-law/A-law), MP3, FLAC and Ogg Vorbis",
        crate::escape::path(path)
    )]
    NotAudio { path: PathBuf, looks_like: String },

    #[error(
        "{} is encoded as {codec}, which kuulas cannot decode; convert it to WAV with `ffmpeg -i IN -ar 16000 OUT.wav` (or `sox IN OUT.wav`)",
        crate::escape::path(path)
    )]
    UnsupportedCodec { path: PathBuf, codec: String },

    #[error(
        "{} has a corrupt header or stream: {detail}; try `ffmpeg -i IN OUT.wav` to repair it, or export the recording again",
        crate::escape::path(path)
    )]
    Malformed { path: PathBuf, detail: String },

    #[error(
        "{} has {found} channels, but kuulas reads at most {max} (agent and customer); keep the two call channels with `sox IN OUT.wav remix 1 2`",
        crate::escape::path(path)
    )]
    TooManyChannels { path: PathBuf, found: u16, max: u16 },

    #[error(
        "{} claims a sample rate of {rate} Hz, which no call recording has ({min}–{max} Hz expected); the header is probably corrupt — export the recording again",
        crate::escape::path(path), min = super::MIN_SOURCE_RATE, max = super::MAX_SOURCE_RATE
    )]
    BadSampleRate { path: PathBuf, rate: u32 },

    #[error(
        "{} contains invalid samples (NaN or infinite) at {at:.2} s; the float WAV is corrupt — export it again, or as 16-bit PCM",
        crate::escape::path(path)
    )]
    InvalidSamples { path: PathBuf, at: f64 },

    #[error(
        "{} lasts {:.1} h, longer than kuulas's limit of {:.1} h for one call; split it into calls (`sox IN OUT.wav trim 0 1:00:00 : newfile : restart`) and process the parts",
        crate::escape::path(path), duration / 3600.0, max / 3600.0
    )]
    TooLong {
        path: PathBuf,
        duration: f64,
        max: f64,
    },
}

impl AudioError {
    /// The recording the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            AudioError::Io { path, .. }
            | AudioError::Empty { path, .. }
            | AudioError::Truncated { path, .. }
            | AudioError::NotAudio { path, .. }
            | AudioError::UnsupportedCodec { path, .. }
            | AudioError::Malformed { path, .. }
            | AudioError::TooManyChannels { path, .. }
            | AudioError::BadSampleRate { path, .. }
            | AudioError::InvalidSamples { path, .. }
            | AudioError::TooLong { path, .. } => path,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn non_utf8_path_prints_without_panicking() {
        use std::os::unix::ffi::OsStrExt;
        let path = PathBuf::from(std::ffi::OsStr::from_bytes(b"puhelu-\xff\xfe.wav"));
        let err = AudioError::Empty {
            path,
            detail: "0 bytes".into(),
        };
        let msg = err.to_string();
        assert!(msg.contains("puhelu-"), "{msg}");
        assert!(msg.contains("export it again"), "{msg}");
    }

    /// The remedy must be one the operator has: there is no option to raise the limit.
    #[test]
    fn too_long_names_the_file_and_a_remedy_that_exists() {
        let err = AudioError::TooLong {
            path: PathBuf::from("yö/puhelu.wav"),
            duration: 10.0 * 3600.0,
            max: 6.0 * 3600.0,
        };
        let msg = err.to_string();
        assert!(msg.starts_with("yö/puhelu.wav lasts 10.0 h"), "{msg}");
        assert!(
            msg.contains("limit of 6.0 h") && msg.contains("split it"),
            "{msg}"
        );
        assert!(!msg.contains("raise"), "{msg}");
    }
}
