//! Reads a WAV file's RIFF header — the `fmt ` and `data` chunks — without trusting it.
//!
//! kuulas parses the header itself for every WAV, not only for G.711 (which hound
//! cannot read): it has to know the format tag to name unsupported codecs, and it has to
//! compare the data chunk's promised size with the real file size to tell a truncated
//! recording from a complete one before decoding starts.

use std::io::{self, Read};
use std::path::Path;

use super::error::AudioError;
use super::g711::Law;

/// How a WAV's samples are encoded, as far as kuulas can decode them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WavEncoding {
    /// Integer PCM, read through hound (8-bit unsigned, 16/24/32-bit signed).
    Pcm { bits: u16 },
    /// 32-bit IEEE float, read through hound.
    Float,
    /// 8-bit G.711, decoded by [`super::g711`].
    G711(Law),
}

impl WavEncoding {
    /// The short name shown in [`super::SourceInfo::format`].
    pub(super) fn name(self) -> String {
        match self {
            WavEncoding::Pcm { bits: 8 } => "wav pcm_u8".into(),
            WavEncoding::Pcm { bits } => format!("wav pcm_s{bits}le"),
            WavEncoding::Float => "wav pcm_f32le".into(),
            WavEncoding::G711(Law::MuLaw) => "wav mu-law".into(),
            WavEncoding::G711(Law::ALaw) => "wav a-law".into(),
        }
    }
}

/// The facts of a WAV header that decoding relies on. The reader it came from is left
/// at the first byte of the data chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WavHeader {
    pub encoding: WavEncoding,
    pub channels: u16,
    pub sample_rate: u32,
    /// Bytes per frame (one sample of every channel).
    pub block_align: u16,
    pub data_len: u64,
}

impl WavHeader {
    pub(super) fn frames(&self) -> u64 {
        self.data_len / u64::from(self.block_align.max(1))
    }
}

const FORMAT_PCM: u16 = 0x0001;
const FORMAT_FLOAT: u16 = 0x0003;
const FORMAT_ALAW: u16 = 0x0006;
const FORMAT_MULAW: u16 = 0x0007;
const FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// Reads the header of the WAV in `r`, which holds `file_len` bytes in all.
pub(super) fn read_header(
    r: &mut impl Read,
    file_len: u64,
    path: &Path,
) -> Result<WavHeader, AudioError> {
    let mut cursor = Cursor {
        r,
        pos: 0,
        file_len,
        path,
    };
    let mut riff = [0u8; 12];
    cursor.read(&mut riff, "the RIFF header")?;
    let mut format: Option<(WavEncoding, u16, u32, u16)> = None;
    loop {
        let mut chunk = [0u8; 8];
        if cursor.pos + 8 > file_len {
            let missing = if format.is_none() {
                "the fmt chunk"
            } else {
                "the data chunk"
            };
            return Err(cursor.truncated(format!("the header ends before {missing}")));
        }
        cursor.read(&mut chunk, "a chunk header")?;
        let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        match &chunk[..4] {
            b"fmt " => format = Some(cursor.read_fmt(size)?),
            b"data" => {
                let Some((encoding, channels, sample_rate, block_align)) = format else {
                    return Err(malformed(path, "the data chunk comes before the fmt chunk"));
                };
                let available = file_len - cursor.pos;
                if size > available {
                    return Err(cursor.truncated(format!(
                        "the data chunk promises {size} bytes but only {available} are in the file"
                    )));
                }
                if size % u64::from(block_align) != 0 {
                    return Err(malformed(
                        path,
                        &format!(
                            "the data chunk ({size} bytes) is not a whole number of {block_align}-byte frames"
                        ),
                    ));
                }
                return Ok(WavHeader {
                    encoding,
                    channels,
                    sample_rate,
                    block_align,
                    data_len: size,
                });
            }
            _ => cursor.skip(size + (size & 1))?,
        }
    }
}

struct Cursor<'a, R> {
    r: &'a mut R,
    pos: u64,
    file_len: u64,
    path: &'a Path,
}

impl<R: Read> Cursor<'_, R> {
    fn read(&mut self, buf: &mut [u8], what: &str) -> Result<(), AudioError> {
        match self.r.read_exact(buf) {
            Ok(()) => {
                self.pos += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                Err(self.truncated(format!("the file ends inside {what}")))
            }
            Err(source) => Err(AudioError::Io {
                path: self.path.to_path_buf(),
                source,
            }),
        }
    }

    fn skip(&mut self, n: u64) -> Result<(), AudioError> {
        // A chunk may claim to run past the end of the file; reading it would only find that out later.
        if self.pos + n > self.file_len {
            return Err(self.truncated(format!(
                "a chunk of {n} bytes at byte {} runs past the end",
                self.pos
            )));
        }
        let copied = io::copy(&mut self.r.by_ref().take(n), &mut io::sink()).map_err(|source| {
            AudioError::Io {
                path: self.path.to_path_buf(),
                source,
            }
        })?;
        self.pos += copied;
        if copied < n {
            return Err(self.truncated("the file ends inside a chunk".into()));
        }
        Ok(())
    }

    fn truncated(&self, detail: String) -> AudioError {
        AudioError::Truncated {
            path: self.path.to_path_buf(),
            detail,
        }
    }

    /// Parses a `fmt ` chunk into (encoding, channels, sample rate, block align).
    fn read_fmt(&mut self, size: u64) -> Result<(WavEncoding, u16, u32, u16), AudioError> {
        if size < 16 {
            return Err(malformed(
                self.path,
                &format!("the fmt chunk is {size} bytes, at least 16 expected"),
            ));
        }
        let mut fmt = [0u8; 40];
        let kept = size.min(40) as usize;
        self.read(&mut fmt[..kept], "the fmt chunk")?;
        self.skip(size - kept as u64 + (size & 1))?;
        let u16_at = |i: usize| u16::from_le_bytes([fmt[i], fmt[i + 1]]);
        let mut tag = u16_at(0);
        let channels = u16_at(2);
        let sample_rate = u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]);
        let block_align = u16_at(12);
        let bits = u16_at(14);
        if tag == FORMAT_EXTENSIBLE {
            if kept < 40 {
                return Err(malformed(
                    self.path,
                    "the extensible fmt chunk is shorter than 40 bytes",
                ));
            }
            // The sub-format GUID starts with the classic format tag.
            tag = u16_at(24);
        }
        let encoding = encoding(tag, bits).map_err(|codec| AudioError::UnsupportedCodec {
            path: self.path.to_path_buf(),
            codec,
        })?;
        if channels == 0 {
            return Err(malformed(self.path, "the fmt chunk says 0 channels"));
        }
        let bytes_per_sample = match encoding {
            WavEncoding::Pcm { bits } => bits / 8,
            WavEncoding::Float => 4,
            WavEncoding::G711(_) => 1,
        };
        if u32::from(block_align) != u32::from(channels) * u32::from(bytes_per_sample) {
            return Err(malformed(
                self.path,
                &format!(
                    "block align {block_align} does not fit {channels} channels of {bytes_per_sample} bytes"
                ),
            ));
        }
        Ok((encoding, channels, sample_rate, block_align))
    }
}

fn encoding(tag: u16, bits: u16) -> Result<WavEncoding, String> {
    match (tag, bits) {
        (FORMAT_PCM, 8 | 16 | 24 | 32) => Ok(WavEncoding::Pcm { bits }),
        (FORMAT_PCM, _) => Err(format!("{bits}-bit integer PCM")),
        (FORMAT_FLOAT, 32) => Ok(WavEncoding::Float),
        (FORMAT_FLOAT, _) => Err(format!("{bits}-bit float PCM")),
        (FORMAT_ALAW, 8) => Ok(WavEncoding::G711(Law::ALaw)),
        (FORMAT_MULAW, 8) => Ok(WavEncoding::G711(Law::MuLaw)),
        (FORMAT_ALAW | FORMAT_MULAW, _) => Err(format!("{bits}-bit G.711 (only 8-bit exists)")),
        (0x0002, _) => Err("Microsoft ADPCM (WAV format tag 0x0002)".into()),
        (0x0011, _) => Err("IMA ADPCM (WAV format tag 0x0011)".into()),
        (0x0031, _) => Err("GSM 6.10 (WAV format tag 0x0031)".into()),
        (0x0050 | 0x0055, _) => Err(format!("MPEG audio inside WAV (format tag {tag:#06x})")),
        (0x0064 | 0x0065, _) => Err(format!("G.726 ADPCM (WAV format tag {tag:#06x})")),
        _ => Err(format!("an unknown WAV codec (format tag {tag:#06x})")),
    }
}

fn malformed(path: &Path, detail: &str) -> AudioError {
    AudioError::Malformed {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut c = id.to_vec();
        c.extend_from_slice(&(body.len() as u32).to_le_bytes());
        c.extend_from_slice(body);
        if body.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    fn fmt_body(tag: u16, channels: u16, rate: u32, block_align: u16, bits: u16) -> Vec<u8> {
        let mut f = Vec::new();
        for field in [tag, channels] {
            f.extend_from_slice(&field.to_le_bytes());
        }
        f.extend_from_slice(&rate.to_le_bytes());
        f.extend_from_slice(&(rate * u32::from(block_align)).to_le_bytes());
        f.extend_from_slice(&block_align.to_le_bytes());
        f.extend_from_slice(&bits.to_le_bytes());
        f
    }

    fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut b = b"RIFF".to_vec();
        b.extend_from_slice(&(4 + body.len() as u32).to_le_bytes());
        b.extend_from_slice(b"WAVE");
        b.extend(body);
        b
    }

    fn parse(bytes: &[u8]) -> Result<(WavHeader, usize), AudioError> {
        let mut reader = bytes;
        let header = read_header(&mut reader, bytes.len() as u64, Path::new("t.wav"))?;
        Ok((header, bytes.len() - reader.len()))
    }

    #[test]
    fn skips_odd_sized_chunks_and_stops_at_the_data() {
        let bytes = riff(&[
            chunk(b"LIST", b"INFOISFT\x03\0\0\0ab\0"),
            chunk(b"fmt ", &fmt_body(7, 2, 8000, 2, 8)),
            chunk(b"fact", &[1, 2, 3, 4]),
            chunk(b"data", &[0xFF; 10]),
        ]);
        let (header, offset) = parse(&bytes).expect("valid header");
        assert_eq!(header.encoding, WavEncoding::G711(Law::MuLaw));
        assert_eq!(
            (header.channels, header.sample_rate, header.data_len),
            (2, 8000, 10)
        );
        assert_eq!(header.frames(), 5);
        assert_eq!(
            &bytes[offset..],
            &[0xFF; 10],
            "the reader is left at the samples"
        );
    }

    #[test]
    fn extensible_format_uses_its_subformat() {
        let mut fmt = fmt_body(FORMAT_EXTENSIBLE, 1, 8000, 1, 8);
        fmt.extend_from_slice(&22u16.to_le_bytes()); // cbSize
        fmt.extend_from_slice(&8u16.to_le_bytes()); // valid bits
        fmt.extend_from_slice(&4u32.to_le_bytes()); // channel mask
        fmt.extend_from_slice(&FORMAT_ALAW.to_le_bytes()); // sub-format GUID starts with the tag
        fmt.extend_from_slice(&[0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]);
        let bytes = riff(&[chunk(b"fmt ", &fmt), chunk(b"data", &[0xD5; 4])]);
        assert_eq!(
            parse(&bytes).expect("valid").0.encoding,
            WavEncoding::G711(Law::ALaw)
        );
    }

    #[test]
    fn inconsistent_headers_are_malformed() {
        let data_first = riff(&[
            chunk(b"data", &[0; 4]),
            chunk(b"fmt ", &fmt_body(1, 1, 8000, 2, 16)),
        ]);
        let wrong_align = riff(&[
            chunk(b"fmt ", &fmt_body(1, 2, 8000, 3, 16)),
            chunk(b"data", &[0; 4]),
        ]);
        let partial_frame = riff(&[
            chunk(b"fmt ", &fmt_body(1, 2, 8000, 4, 16)),
            chunk(b"data", &[0; 6]),
        ]);
        let short_fmt = riff(&[chunk(b"fmt ", &[1, 0, 1, 0]), chunk(b"data", &[0; 4])]);
        for bytes in [data_first, wrong_align, partial_frame, short_fmt] {
            let err = parse(&bytes).expect_err("must be refused");
            assert!(matches!(err, AudioError::Malformed { .. }), "{err}");
        }
    }

    #[test]
    fn a_chunk_running_past_the_end_is_truncation() {
        let mut bytes = riff(&[
            chunk(b"LIST", &[0; 100]),
            chunk(b"fmt ", &fmt_body(1, 1, 8000, 2, 16)),
        ]);
        bytes.truncate(60);
        let err = parse(&bytes).expect_err("truncated");
        assert!(matches!(err, AudioError::Truncated { .. }), "{err}");
    }
}
