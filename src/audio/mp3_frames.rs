//! Walks the frame headers of an MPEG audio stream to see whether its last frame
//! is whole. An MP3 states no total length unless it has a Xing/Info header, and
//! a decoder simply stops at a frame cut in half, so a recording truncated while it
//! was copied would otherwise pass as a shorter call.

use std::io::{self, BufReader, Read, Seek, SeekFrom};

/// The bytes of the final frame that are missing, when the stream ends inside a
/// frame; `None` when it ends on a frame boundary (or the frames cannot be
/// followed to the end, e.g. junk between them, which the decoder deals with).
pub(super) fn cut_mid_frame<R: Read + Seek>(input: &mut R, len: u64) -> io::Result<Option<u64>> {
    input.seek(SeekFrom::Start(0))?;
    let mut reader = BufReader::with_capacity(1 << 16, &mut *input);
    let end = len - trailing_tag_len(&mut reader, len)?;
    reader.seek(SeekFrom::Start(0))?;
    let mut pos = id3v2_len(&mut reader)?;
    reader.seek(SeekFrom::Start(pos))?;
    let mut header = [0u8; 4];
    let result = loop {
        if pos + 4 > end {
            break None;
        }
        reader.read_exact(&mut header)?;
        let Some(frame) = frame_len(header) else {
            break None;
        };
        if pos + frame > end {
            break Some(pos + frame - end);
        }
        pos += frame;
        reader.seek_relative(frame as i64 - 4)?;
    };
    drop(reader);
    input.seek(SeekFrom::Start(0))?;
    Ok(result)
}

/// Length of an ID3v2 tag at the start (0 if none).
fn id3v2_len<R: Read>(reader: &mut R) -> io::Result<u64> {
    let mut head = [0u8; 10];
    if reader.read_exact(&mut head).is_err() || &head[..3] != b"ID3" {
        return Ok(0);
    }
    let size = head[6..10]
        .iter()
        .fold(0u64, |acc, &b| (acc << 7) | u64::from(b & 0x7F));
    let footer = if head[5] & 0x10 != 0 { 10 } else { 0 };
    Ok(10 + size + footer)
}

/// Length of an ID3v1 tag at the end (0 if none).
fn trailing_tag_len<R: Read + Seek>(reader: &mut R, len: u64) -> io::Result<u64> {
    if len < 128 {
        return Ok(0);
    }
    reader.seek(SeekFrom::Start(len - 128))?;
    let mut tag = [0u8; 3];
    reader.read_exact(&mut tag)?;
    Ok(if &tag == b"TAG" { 128 } else { 0 })
}

/// Bytes in the frame whose header is `h`, header included; `None` if `h` is not a
/// valid MPEG audio frame header (or a free-format one, whose length is not stated).
fn frame_len(h: [u8; 4]) -> Option<u64> {
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return None;
    }
    let version = (h[1] >> 3) & 3; // 0: MPEG 2.5, 2: MPEG 2, 3: MPEG 1
    let layer = (h[1] >> 1) & 3; // 1: III, 2: II, 3: I
    let bitrate_index = usize::from(h[2] >> 4);
    let rate_index = usize::from((h[2] >> 2) & 3);
    let padding = u64::from((h[2] >> 1) & 1);
    if version == 1 || layer == 0 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    const KBPS: [[u16; 14]; 5] = [
        [
            32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
        ], // MPEG 1, I
        [
            32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        ], // MPEG 1, II
        [
            32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        ], // MPEG 1, III
        [
            32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
        ], // MPEG 2, I
        [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160], // MPEG 2, II/III
    ];
    const RATES: [[u32; 3]; 3] = [
        [11_025, 12_000, 8_000],
        [22_050, 24_000, 16_000],
        [44_100, 48_000, 32_000],
    ];
    let mpeg1 = version == 3;
    let table = match (mpeg1, layer) {
        (true, 3) => 0,
        (true, 2) => 1,
        (true, _) => 2,
        (false, 3) => 3,
        (false, _) => 4,
    };
    let bitrate = u64::from(KBPS[table][bitrate_index - 1]) * 1000;
    let rate = u64::from(
        RATES[if version == 0 {
            0
        } else {
            usize::from(version) - 1
        }][rate_index],
    );
    Some(match layer {
        3 => (12 * bitrate / rate + padding) * 4,
        1 if !mpeg1 => 72 * bitrate / rate + padding,
        _ => 144 * bitrate / rate + padding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A stream of `n` MPEG-1 layer III frames at 128 kbit/s, 44.1 kHz, no padding
    /// (417 bytes each), after an ID3v2 tag.
    fn stream(n: usize) -> Vec<u8> {
        let mut b = b"ID3\x04\0\0\0\0\0\x05hello".to_vec();
        for _ in 0..n {
            let mut frame = vec![0u8; 417];
            frame[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x00]);
            b.extend(frame);
        }
        b
    }

    fn cut(bytes: &[u8]) -> Option<u64> {
        cut_mid_frame(&mut Cursor::new(bytes), bytes.len() as u64).unwrap()
    }

    #[test]
    fn frame_lengths_follow_the_header() {
        assert_eq!(frame_len([0xFF, 0xFB, 0x90, 0x00]), Some(417));
        assert_eq!(frame_len([0xFF, 0xFB, 0x92, 0x00]), Some(418), "padded");
        // MPEG 2 layer III, 64 kbit/s, 16 kHz: 72 × 64000 / 16000.
        assert_eq!(frame_len([0xFF, 0xF3, 0x88, 0x00]), Some(288));
        assert_eq!(frame_len([0xFF, 0xFB, 0xF0, 0x00]), None, "bad bitrate");
        assert_eq!(frame_len(*b"TAG\0"), None);
    }

    #[test]
    fn a_whole_stream_is_not_cut_and_a_cut_one_is() {
        let whole = stream(20);
        assert_eq!(cut(&whole), None);
        let mut tagged = whole.clone();
        tagged.extend(b"TAG");
        tagged.extend([0u8; 125]);
        assert_eq!(cut(&tagged), None, "an ID3v1 tag is not a frame");
        assert_eq!(cut(&whole[..whole.len() - 100]), Some(100));
        assert_eq!(cut(&whole[..whole.len() - 417]), None, "a frame boundary");
    }
}
