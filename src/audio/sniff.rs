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
    } else if head
        .iter()
        .all(|&b| b >= 0x20 && b != 0x7F || matches!(b, b'\n' | b'\r' | b'\t'))
    {
        "text"
    } else {
        "unrecognised binary data"
    }
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
}
