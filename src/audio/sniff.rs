//! Recognises a recording's container from its first bytes, never from its extension:
//! call systems export MP3s named `.wav`, and a mis-copied HTML error page may be named
//! anything.

/// How many leading bytes [`sniff`] looks at.
pub(super) const SNIFF_LEN: usize = 16;

/// A container kuulas can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Container {
    Wav,
    Mp3,
    Flac,
    Ogg,
}

/// What the leading bytes say the file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Sniffed {
    Audio(Container),
    /// Audio, but in a container or codec kuulas does not read.
    Unsupported(&'static str),
    /// Not audio at all; the text says what it looks like instead.
    NotAudio(&'static str),
}

pub(super) fn sniff(head: &[u8]) -> Sniffed {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if at(0, b"RIFF") {
        return if at(8, b"WAVE") {
            Sniffed::Audio(Container::Wav)
        } else if at(8, b"AVI ") {
            Sniffed::NotAudio("an AVI video")
        } else {
            Sniffed::NotAudio("a RIFF file that is not WAVE")
        };
    }
    if at(0, b"RF64") || at(0, b"BW64") {
        return Sniffed::Unsupported("64-bit WAV (RF64)");
    }
    if at(0, b"fLaC") {
        return Sniffed::Audio(Container::Flac);
    }
    if at(0, b"OggS") {
        return Sniffed::Audio(Container::Ogg);
    }
    if at(0, b"ID3") {
        return Sniffed::Audio(Container::Mp3);
    }
    if let [0xFF, b1, ..] = head {
        // MPEG audio frame sync: 11 set bits, then version and layer.
        if b1 & 0xE0 == 0xE0 {
            return if b1 & 0x06 == 0 {
                Sniffed::Unsupported("AAC (ADTS)")
            } else {
                Sniffed::Audio(Container::Mp3)
            };
        }
    }
    if at(4, b"ftyp") {
        return Sniffed::Unsupported("MP4/M4A (AAC)");
    }
    if at(0, b"#!AMR") {
        return Sniffed::Unsupported("AMR");
    }
    if at(0, b"FORM") {
        return Sniffed::Unsupported("AIFF");
    }
    if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        return Sniffed::Unsupported("Matroska/WebM");
    }
    Sniffed::NotAudio(describe_other(head))
}

fn describe_other(head: &[u8]) -> &'static str {
    if head.starts_with(b"%PDF") {
        "a PDF document"
    } else if head.starts_with(b"PK\x03\x04") {
        "a ZIP archive (or an Office document)"
    } else if head.starts_with(b"\x7FELF") {
        "a program (ELF executable)"
    } else if head.iter().all(|&b| b == 0) {
        "only zero bytes"
    } else if looks_like_text(head) {
        "text"
    } else {
        "unrecognised binary data"
    }
}

/// Printable UTF-8 (the head may end inside a character) without control characters
/// other than line breaks and tabs. Bytes from 0x80 up are text only as part of a
/// valid UTF-8 sequence, so random binary data is not taken for text.
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(text) => text,
        // Cut off in the middle of a character: the part before it counts.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_supported_containers() {
        assert_eq!(
            sniff(b"RIFF\x24\0\0\0WAVEfmt "),
            Sniffed::Audio(Container::Wav)
        );
        assert_eq!(
            sniff(b"ID3\x04\0\0\0\0\0\0"),
            Sniffed::Audio(Container::Mp3)
        );
        assert_eq!(
            sniff(&[0xFF, 0xFB, 0x90, 0x64]),
            Sniffed::Audio(Container::Mp3)
        );
        assert_eq!(sniff(b"fLaC\0\0\0\x22"), Sniffed::Audio(Container::Flac));
        assert_eq!(sniff(b"OggS\0\x02"), Sniffed::Audio(Container::Ogg));
    }

    #[test]
    fn names_what_is_not_audio() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Sniffed::NotAudio("a PDF document"));
        assert_eq!(
            sniff(b"Hei, t\xc3\xa4m\xc3\xa4 on teksti\xc3\xa4\n"),
            Sniffed::NotAudio("text")
        );
        assert_eq!(
            sniff(b"RIFF\0\0\0\0AVI LIST"),
            Sniffed::NotAudio("an AVI video")
        );
        assert_eq!(
            sniff(&[0xFF, 0xF1, 0x50, 0x80]),
            Sniffed::Unsupported("AAC (ADTS)")
        );
        assert!(matches!(
            sniff(&[0x00, 0x13, 0x88, 0x01]),
            Sniffed::NotAudio(_)
        ));
    }

    #[test]
    fn random_binary_data_is_not_called_text() {
        // High bytes that are not UTF-8 (here from `head -c 16 /dev/urandom`).
        let random = [
            0xA7, 0x3B, 0xE9, 0xC4, 0x51, 0xF0, 0x9D, 0x2E, 0xB8, 0x6A, 0xD3, 0x8F, 0x47, 0xEE,
            0x95, 0x30,
        ];
        assert_eq!(
            sniff(&random),
            Sniffed::NotAudio("unrecognised binary data")
        );
        // Printable Latin-1 bytes are not UTF-8 text either.
        assert_eq!(
            sniff(b"\xe4\xe4kk\xf6si\xe4 ja \xf6it\xe4"),
            Sniffed::NotAudio("unrecognised binary data")
        );
        // A head cut in the middle of "ä" is still text.
        assert_eq!(
            sniff(b"Hei t\xc3\xa4m\xc3\xa4 on t\xc3"),
            Sniffed::NotAudio("text")
        );
    }

    /// Every head that is called text must be printable UTF-8: a property over a
    /// deterministic stream of pseudo-random heads.
    #[test]
    fn no_pseudo_random_head_is_called_text() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..10_000 {
            let head: Vec<u8> = (0..SNIFF_LEN)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 24) as u8
                })
                .collect();
            if let Sniffed::NotAudio("text") = sniff(&head) {
                panic!("{head:02x?} called text");
            }
        }
    }
}
