//! MP3, FLAC and Ogg Vorbis through Symphonia, with its metadata limits set low: call
//! recordings carry no cover art, and a hostile tag must not cost memory.

use std::path::{Path, PathBuf};

use symphonia::core::codecs::audio::well_known::{CODEC_ID_FLAC, CODEC_ID_OPUS, CODEC_ID_VORBIS};
use symphonia::core::codecs::audio::{AudioCodecId, AudioDecoder, AudioDecoderOptions};
use symphonia::core::common::Limit;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

use super::error::AudioError;
use super::sniff::Container;
use super::stream::{Frames, Source};

/// How much shorter than its header says a stream may decode, in seconds, before it
/// counts as truncated: encoder delay and padding are a few hundredths of this.
const SHORTFALL_TOLERANCE_S: f64 = 0.5;

/// Consecutive undecodable packets tolerated before the stream counts as corrupt. A few
/// damaged MP3 frames are normal in recordings; a run of them is not.
const MAX_BAD_PACKETS: u32 = 50;

/// An opened compressed recording, before decoding starts.
pub(super) struct Opened {
    pub format_name: &'static str,
    pub sample_rate: u32,
    pub channels: u16,
    /// Length in frames, where the container states it.
    pub frames: Option<u64>,
    pub source: SymphoniaSource,
}

/// `cut_bytes`: how much of the last MPEG frame is missing, when the file ends
/// inside one (`mp3_frames::cut_mid_frame`).
pub(super) fn open(
    media: Box<dyn MediaSource>,
    container: Container,
    path: &Path,
    cut_bytes: Option<u64>,
) -> Result<Opened, AudioError> {
    let mss = MediaSourceStream::new(media, Default::default());
    let meta = MetadataOptions::default()
        .limit_tag_bytes(Limit::Maximum(64 * 1024))
        .limit_visual_bytes(Limit::Maximum(0));
    // No extension hint: the content was sniffed, the name may lie.
    let format = symphonia::default::get_probe()
        .probe(&Hint::new(), mss, FormatOptions::default(), meta)
        .map_err(|e| probe_error(path, e))?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| AudioError::NotAudio {
            path: path.to_path_buf(),
            looks_like: "a media container without an audio track".into(),
        })?;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| malformed(path, "the audio track has no codec parameters"))?;
    let format_name = format_name(container, params.codec);
    let decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .map_err(|_| AudioError::UnsupportedCodec {
            path: path.to_path_buf(),
            codec: match params.codec {
                CODEC_ID_OPUS => format!("Opus inside {format_name}"),
                other => format!("codec {other} inside {format_name}"),
            },
        })?;
    let sample_rate = params
        .sample_rate
        .ok_or_else(|| malformed(path, "the stream states no sample rate"))?;
    let channels = params.channels.as_ref().map_or(0, |c| c.count());
    let channels = u16::try_from(channels).unwrap_or(u16::MAX);
    let frames = track.num_frames;
    let track_id = track.id;
    Ok(Opened {
        format_name,
        sample_rate,
        channels,
        frames,
        source: SymphoniaSource {
            format,
            decoder,
            track_id,
            sample_rate,
            path: path.to_path_buf(),
            // An MP3 without a Xing/Info header gets a length estimated from its
            // bitrate, which a VBR stream misses by far: only the frames tell there.
            expected_frames: frames.filter(|_| container != Container::Mp3),
            decoded_frames: 0,
            cut_bytes,
            truncation: None,
        },
    })
}

pub(super) struct SymphoniaSource {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    sample_rate: u32,
    path: PathBuf,
    /// The length the container states (FLAC's stream info, an Ogg's last page).
    expected_frames: Option<u64>,
    decoded_frames: u64,
    cut_bytes: Option<u64>,
    /// Set at the end when the stream turned out to be cut off: how.
    truncation: Option<String>,
}

impl SymphoniaSource {
    /// Checks the decoded length against the stated one once the stream has ended:
    /// an MP3 cut off while it was copied simply ends early (its frames carry no
    /// total), so this is where the truncation shows.
    fn check_length(&mut self) {
        let rate = f64::from(self.sample_rate);
        let decoded = self.decoded_frames as f64 / rate;
        let short = self
            .expected_frames
            .map(|f| f as f64 / rate)
            .filter(|stated| stated - decoded > SHORTFALL_TOLERANCE_S);
        self.truncation = match (short, self.cut_bytes) {
            (Some(stated), _) => Some(format!(
                "its header says {stated:.1} s but only {decoded:.1} s could be decoded"
            )),
            (None, Some(bytes)) => Some(format!(
                "it ends in the middle of an MPEG frame ({bytes} bytes of it missing) after {decoded:.1} s"
            )),
            (None, None) => None,
        };
        if let Some(detail) = &self.truncation {
            let warning = AudioError::Truncated {
                path: self.path.clone(),
                detail: format!("{detail}; only the part that is there is transcribed"),
            };
            tracing::warn!("{warning}");
        }
    }

    /// Counts the frames by reading packet headers without decoding: for `probe` on
    /// containers (MP3 without a Xing header) that do not state their length.
    pub(super) fn count_frames(mut self) -> Result<u64, AudioError> {
        let mut frames = 0u64;
        while let Some(packet) = self
            .format
            .next_packet()
            .map_err(|e| stream_error(&self.path, e))?
        {
            if packet.track_id == self.track_id {
                frames += packet.dur.get();
            }
        }
        Ok(frames)
    }
}

impl Source for SymphoniaSource {
    fn next_frames(&mut self) -> Result<Option<Frames>, AudioError> {
        let mut bad_packets = 0;
        loop {
            let Some(packet) = self
                .format
                .next_packet()
                .map_err(|e| stream_error(&self.path, e))?
            else {
                self.check_length();
                return Ok(None);
            };
            if packet.track_id != self.track_id {
                continue;
            }
            match self.decoder.decode(&packet) {
                Ok(decoded) if decoded.frames() == 0 => continue,
                Ok(decoded) => {
                    if decoded.spec().rate() != self.sample_rate {
                        return Err(malformed(
                            &self.path,
                            "the sample rate changes part-way through",
                        ));
                    }
                    let mut frames = Vec::new();
                    decoded.copy_to_vecs_planar::<f32>(&mut frames);
                    self.decoded_frames += decoded.frames() as u64;
                    return Ok(Some(frames));
                }
                Err(SymphoniaError::DecodeError(why)) if bad_packets < MAX_BAD_PACKETS => {
                    bad_packets += 1;
                    tracing::warn!(path = %self.path.display(), "skipping an undecodable packet: {why}");
                }
                Err(e) => return Err(stream_error(&self.path, e)),
            }
        }
    }

    fn truncation(&self) -> Option<&str> {
        self.truncation.as_deref()
    }
}

/// The name shown in `SourceInfo::format`; Ogg and FLAC can hold more than one codec.
fn format_name(container: Container, codec: AudioCodecId) -> &'static str {
    match (container, codec) {
        (Container::Ogg, CODEC_ID_VORBIS) => "ogg vorbis",
        (Container::Ogg, CODEC_ID_FLAC) => "ogg flac",
        (Container::Ogg, _) => "ogg",
        (Container::Mp3, _) => "mp3",
        (Container::Flac, _) => "flac",
        (Container::Wav, _) => "wav",
    }
}

fn probe_error(path: &Path, error: SymphoniaError) -> AudioError {
    match error {
        SymphoniaError::Unsupported(_) => AudioError::NotAudio {
            path: path.to_path_buf(),
            looks_like: "an audio header with no stream kuulas can decode behind it".into(),
        },
        other => stream_error(path, other),
    }
}

fn stream_error(path: &Path, error: SymphoniaError) -> AudioError {
    let path = path.to_path_buf();
    match error {
        SymphoniaError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            AudioError::Truncated {
                path,
                detail: "the stream ends in the middle of a packet".into(),
            }
        }
        SymphoniaError::IoError(source) => AudioError::Io { path, source },
        SymphoniaError::Unsupported(what) => AudioError::UnsupportedCodec {
            path,
            codec: what.into(),
        },
        SymphoniaError::LimitError(what) => AudioError::Malformed {
            path,
            detail: format!("it exceeds a decoder limit ({what})"),
        },
        SymphoniaError::ResetRequired => AudioError::UnsupportedCodec {
            path,
            codec: "a chained stream whose format changes part-way through".into(),
        },
        other => AudioError::Malformed {
            path,
            detail: other.to_string(),
        },
    }
}

fn malformed(path: &Path, detail: &str) -> AudioError {
    AudioError::Malformed {
        path: path.to_path_buf(),
        detail: detail.into(),
    }
}
