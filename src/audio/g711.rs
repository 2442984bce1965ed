//! G.711 μ-law and A-law expansion to 16-bit linear PCM — the codecs of telephony
//! recordings (WAV format tags 7 and 6), which hound does not read.
//!
//! The tables are built at compile time from the ITU-T G.711 expansion rules, as in
//! the reference `g711.c` that sox and most telephony stacks use, so the decoded
//! samples are bit-exact with theirs.

/// Which G.711 companding law a stream uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Law {
    MuLaw,
    ALaw,
}

impl Law {
    /// Expands one encoded byte to a linear 16-bit sample.
    pub(super) fn expand(self, byte: u8) -> i16 {
        match self {
            Law::MuLaw => MULAW[byte as usize],
            Law::ALaw => ALAW[byte as usize],
        }
    }
}

static MULAW: [i16; 256] = build_table(Law::MuLaw);
static ALAW: [i16; 256] = build_table(Law::ALaw);

const fn build_table(law: Law) -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = match law {
            Law::MuLaw => mulaw_to_linear(i as u8),
            Law::ALaw => alaw_to_linear(i as u8),
        };
        i += 1;
    }
    table
}

/// μ-law: bits are stored inverted; sign, 3-bit segment, 4-bit mantissa, bias 0x84.
const fn mulaw_to_linear(byte: u8) -> i16 {
    let u = !byte;
    let t = ((((u & 0x0F) as i32) << 3) + 0x84) << ((u & 0x70) >> 4);
    (if u & 0x80 != 0 { 0x84 - t } else { t - 0x84 }) as i16
}

/// A-law: even bits are inverted; sign (1 = positive), 3-bit segment, 4-bit mantissa.
const fn alaw_to_linear(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let mut t = ((a & 0x0F) as i32) << 4;
    let segment = (a & 0x70) >> 4;
    t = match segment {
        0 => t + 8,
        1 => t + 0x108,
        _ => (t + 0x108) << (segment - 1),
    };
    (if a & 0x80 != 0 { t } else { -t }) as i16
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn known_code_points() {
        // Silence codes and the extremes from the G.711 tables.
        assert_eq!(Law::MuLaw.expand(0xFF), 0);
        assert_eq!(Law::MuLaw.expand(0x7F), 0);
        assert_eq!(Law::MuLaw.expand(0x00), -32124);
        assert_eq!(Law::MuLaw.expand(0x80), 32124);
        assert_eq!(Law::ALaw.expand(0xD5), 8);
        assert_eq!(Law::ALaw.expand(0x55), -8);
        assert_eq!(Law::ALaw.expand(0xAA), 32256);
        assert_eq!(Law::ALaw.expand(0x2A), -32256);
    }

    #[test]
    fn every_positive_code_is_a_distinct_level() {
        for law in [Law::MuLaw, Law::ALaw] {
            let mut positive: Vec<i16> = (0..=255u8)
                .map(|b| law.expand(b))
                .filter(|&v| v > 0)
                .collect();
            positive.sort_unstable();
            positive.dedup();
            // 127 distinct positive magnitudes in μ-law (one code is zero), 128 in A-law.
            assert!(positive.len() >= 127, "{law:?}: {}", positive.len());
        }
    }

    /// Every one of the 256 codes, decoded by sox and by us, must agree exactly.
    #[test]
    fn all_codes_bit_exact_with_sox() {
        let dir = tempfile::tempdir().expect("tempdir");
        let codes: Vec<u8> = (0..=255).collect();
        for (law, sox_type) in [(Law::MuLaw, "ul"), (Law::ALaw, "al")] {
            let raw = dir.path().join(format!("codes.{sox_type}"));
            let out = dir.path().join(format!("codes-{sox_type}.s16"));
            std::fs::write(&raw, &codes).expect("write codes");
            let status = Command::new("sox")
                .args(["-t", sox_type, "-r", "8000", "-c", "1"])
                .arg(&raw)
                .args(["-t", "s16", "-e", "signed", "-b", "16", "-L"])
                .arg(&out)
                .status()
                .expect("sox must be installed (Debian package `sox`) to run the G.711 tests");
            assert!(status.success(), "sox failed on {}", raw.display());
            let pcm = std::fs::read(&out).expect("read sox output");
            let expected: Vec<i16> = pcm
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect();
            let ours: Vec<i16> = codes.iter().map(|&c| law.expand(c)).collect();
            assert_eq!(ours, expected, "{law:?} differs from sox");
        }
    }
}
