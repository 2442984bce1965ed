//! Recordings that are broken, mislabelled or out of bounds: each must give the right
//! error naming the file (never a panic), and the odd-but-valid ones must decode.

mod audio_support;

use std::path::{Path, PathBuf};

use audio_support::{fixtures, sox};
use kuulas::audio::{self, AudioError, AudioLimits};

/// A canonical 44-byte-header WAV with the given fmt fields and data bytes.
fn wav_bytes(tag: u16, channels: u16, rate: u32, bits: u16, data: &[u8]) -> Vec<u8> {
    let block_align = channels * bits.div_ceil(8);
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&tag.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&rate.wrapping_mul(u32::from(block_align)).to_le_bytes());
    b.extend_from_slice(&block_align.to_le_bytes());
    b.extend_from_slice(&bits.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(data);
    b
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Dir(tempfile::tempdir().expect("tempdir"))
    }
    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, bytes).expect("write test file");
        path
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

fn load_err(path: &Path) -> AudioError {
    match audio::load(path, &AudioLimits::default()) {
        Ok(audio) => panic!(
            "{} decoded ({} channels) but should have failed",
            path.display(),
            audio.channels.len()
        ),
        Err(e) => {
            let message = e.to_string();
            let name = path.file_name().expect("file name").to_string_lossy();
            assert!(
                message.contains(name.as_ref()),
                "message does not name the file: {message}"
            );
            assert_eq!(e.path(), path);
            e
        }
    }
}

#[test]
fn zero_byte_file_is_empty() {
    let dir = Dir::new();
    let err = load_err(&dir.write("tyhja.wav", b""));
    assert!(matches!(err, AudioError::Empty { .. }), "{err}");
}

#[test]
fn wav_without_samples_is_empty() {
    let dir = Dir::new();
    let err = load_err(&dir.write("no-data.wav", &wav_bytes(1, 1, 8000, 16, &[])));
    assert!(matches!(err, AudioError::Empty { .. }), "{err}");
}

#[test]
fn truncated_header_is_reported() {
    let dir = Dir::new();
    let full = wav_bytes(1, 1, 8000, 16, &[0; 1600]);
    for cut in [12, 20, 30] {
        let err = load_err(&dir.write(&format!("cut{cut}.wav"), &full[..cut]));
        assert!(
            matches!(err, AudioError::Truncated { .. }),
            "cut at {cut}: {err}"
        );
    }
}

#[test]
fn data_chunk_longer_than_the_file_is_truncated() {
    let dir = Dir::new();
    let full = wav_bytes(1, 2, 8000, 16, &[0x11; 32_000]);
    let err = load_err(&dir.write("cut-off.wav", &full[..full.len() / 2]));
    assert!(matches!(err, AudioError::Truncated { .. }), "{err}");
    assert!(err.to_string().contains("copy it again"), "{err}");
    let mulaw = wav_bytes(7, 2, 8000, 8, &[0xFF; 16_000]);
    let err = load_err(&dir.write("cut-off-ulaw.wav", &mulaw[..mulaw.len() - 100]));
    assert!(matches!(err, AudioError::Truncated { .. }), "{err}");
}

#[test]
fn text_renamed_wav_is_not_audio() {
    let dir = Dir::new();
    let err = load_err(&dir.write(
        "notes.wav",
        "Asiakas soitti klo 14, ei vastausta.\n".as_bytes(),
    ));
    match err {
        AudioError::NotAudio { looks_like, .. } => assert_eq!(looks_like, "text"),
        other => panic!("{other}"),
    }
}

/// Decodes `path` to the end and says how it was cut off, if it was.
fn truncation(path: &Path) -> Option<String> {
    let mut stream = audio::open(path, &AudioLimits::default()).unwrap_or_else(|e| panic!("{e}"));
    while stream
        .next_block()
        .unwrap_or_else(|e| panic!("{e}"))
        .is_some()
    {}
    stream.truncation().map(str::to_string)
}

#[test]
fn a_truncated_mp3_is_detected_not_taken_for_a_shorter_call() {
    let mp3 = std::fs::read(fixtures().join("warm_solution.mp3")).expect("read mp3");
    let dir = Dir::new();
    let whole = dir.write("whole.mp3", &mp3);
    assert_eq!(truncation(&whole), None, "an intact MP3 is not truncated");
    // Cut off in the middle of a frame, as an interrupted copy leaves it.
    let cut = dir.write("cut.mp3", &mp3[..mp3.len() / 2 + 7]);
    let how = truncation(&cut).expect("the cut MP3 must be reported as truncated");
    assert!(how.contains("middle of an MPEG frame"), "{how}");
}

#[test]
fn mp3_renamed_wav_is_decoded_as_mp3() {
    let mp3 = fixtures().join("warm_solution.mp3");
    let dir = Dir::new();
    let renamed = dir.write("puhelu.wav", &std::fs::read(&mp3).expect("read mp3"));
    let audio = audio::load(&renamed, &AudioLimits::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(audio.info.format, "mp3");
    assert_eq!(audio.channels.len(), 2);
    assert!(audio.info.duration > 20.0);
}

#[test]
fn compressed_wav_codecs_are_named() {
    let dir = Dir::new();
    let source = dir.path("tone.wav");
    sox(&[
        "-n",
        "-r",
        "8000",
        "-c",
        "1",
        source.to_str().expect("utf-8 temp path"),
        "synth",
        "1",
        "sine",
        "440",
    ]);
    for (encoding, expected) in [
        ("gsm-full-rate", "GSM 6.10"),
        ("ima-adpcm", "IMA ADPCM"),
        ("ms-adpcm", "Microsoft ADPCM"),
    ] {
        let path = dir.path(&format!("{encoding}.wav"));
        sox(&[
            source.as_os_str(),
            "-e".as_ref(),
            encoding.as_ref(),
            path.as_os_str(),
        ]);
        match load_err(&path) {
            AudioError::UnsupportedCodec { codec, .. } => {
                assert!(codec.contains(expected), "{encoding}: {codec}")
            }
            other => panic!("{encoding}: {other}"),
        }
    }
}

#[test]
fn six_channels_are_refused() {
    let dir = Dir::new();
    let path = dir.path("surround.wav");
    sox(&[
        "-n",
        "-r",
        "8000",
        "-c",
        "6",
        path.to_str().expect("utf-8 temp path"),
        "synth",
        "0.5",
        "sine",
        "440",
    ]);
    let err = load_err(&path);
    assert!(
        matches!(
            err,
            AudioError::TooManyChannels {
                found: 6,
                max: 2,
                ..
            }
        ),
        "{err}"
    );
    // probe still describes it, so a batch can report what the file is.
    assert_eq!(audio::probe(&path).expect("probe").channels, 6);
}

#[test]
fn absurd_sample_rates_are_refused() {
    let dir = Dir::new();
    for rate in [0, 1, 4_000_000_000] {
        let err = load_err(&dir.write(
            &format!("rate{rate}.wav"),
            &wav_bytes(1, 1, rate, 16, &[0; 400]),
        ));
        assert!(
            matches!(err, AudioError::BadSampleRate { rate: r, .. } if r == rate),
            "{err}"
        );
    }
}

#[test]
fn pure_silence_decodes_to_zeros() {
    let dir = Dir::new();
    let path = dir.write(
        "hiljaa.wav",
        &wav_bytes(1, 2, 8000, 16, &vec![0; 8000 * 4 * 2]),
    );
    let audio = audio::load(&path, &AudioLimits::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(audio.channels.len(), 2);
    assert_eq!(audio.channels[0].len(), 32_000);
    assert!(audio.channels.iter().flatten().all(|&s| s == 0.0));
}

#[test]
fn nan_in_float_wav_is_refused_with_its_time() {
    let dir = Dir::new();
    let path = dir.path("nan.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(&path, spec).expect("create float wav");
    for i in 0..32_000 {
        writer
            .write_sample(if i == 24_000 { f32::NAN } else { 0.1 })
            .expect("write sample");
    }
    writer.finalize().expect("finalize float wav");
    match load_err(&path) {
        AudioError::InvalidSamples { at, .. } => assert!((at - 1.5).abs() < 1e-6, "at {at}"),
        other => panic!("{other}"),
    }
}

/// Found by the fuzzer: finite but absurd float samples overflowed rubato's FFT, which panics.
#[test]
fn absurd_float_samples_are_clipped_not_a_panic() {
    let dir = Dir::new();
    let path = dir.path("huge.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(&path, spec).expect("create float wav");
    for i in 0..8_000 {
        writer
            .write_sample(if i % 3 == 0 { 3.0e38f32 } else { -0.25 })
            .expect("write sample");
    }
    writer.finalize().expect("finalize float wav");
    let audio = audio::load(&path, &AudioLimits::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(audio.channels[0].len(), 16_000);
    assert!(
        audio.channels[0]
            .iter()
            .all(|s| s.is_finite() && s.abs() <= 1.5)
    );
}

#[test]
fn longer_than_the_limit_is_refused_before_decoding() {
    let dir = Dir::new();
    let path = dir.write("long.wav", &wav_bytes(7, 1, 8000, 8, &[0xFF; 8000 * 3]));
    let limits = AudioLimits {
        max_duration_s: 2.0,
        ..AudioLimits::default()
    };
    let err = audio::load(&path, &limits).expect_err("3 s is over a 2 s limit");
    assert!(matches!(err, AudioError::TooLong { .. }), "{err}");
}

#[cfg(unix)]
#[test]
fn non_utf8_file_names_work() {
    use std::os::unix::ffi::OsStrExt;
    let dir = Dir::new();
    let name = std::ffi::OsStr::from_bytes(b"puhelu-\xe4\xff.wav");
    let good = dir.0.path().join(name);
    std::fs::write(&good, wav_bytes(6, 1, 8000, 8, &[0xD5; 8000])).expect("write");
    let audio = audio::load(&good, &AudioLimits::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(audio.info.format, "wav a-law");
    assert_eq!(audio.channels[0].len(), 16_000);
    let bad = dir
        .0
        .path()
        .join(std::ffi::OsStr::from_bytes(b"rikki-\xff.wav"));
    std::fs::write(&bad, b"").expect("write");
    let err = audio::load(&bad, &AudioLimits::default()).expect_err("empty");
    assert!(err.to_string().contains("rikki-"), "{err}");
}

#[test]
fn pcm_depths_decode_alike() {
    let dir = Dir::new();
    let reference = dir.path("s16.wav");
    sox(&[
        "-n",
        "-r",
        "22050",
        "-b",
        "16",
        "-c",
        "2",
        reference.to_str().expect("utf-8 temp path"),
        "synth",
        "1",
        "sine",
        "440",
        "sine",
        "660",
    ]);
    let expected = audio::load(&reference, &AudioLimits::default()).expect("16-bit reference");
    for (args, tolerance, format) in [
        (&["-b", "8", "-e", "unsigned"][..], 1.0 / 64.0, "wav pcm_u8"),
        (&["-b", "24"][..], 1e-4, "wav pcm_s24le"),
        (&["-b", "32"][..], 1e-4, "wav pcm_s32le"),
        (&["-b", "32", "-e", "float"][..], 1e-4, "wav pcm_f32le"),
    ] {
        let path = dir.path(&format!("{}.wav", args.join("")));
        let mut sox_args = vec!["-D", reference.to_str().expect("utf-8")];
        sox_args.extend_from_slice(args);
        sox_args.push(path.to_str().expect("utf-8"));
        sox(&sox_args);
        let audio =
            audio::load(&path, &AudioLimits::default()).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(audio.info.format, format);
        for (a, b) in audio.channels.iter().zip(&expected.channels) {
            assert_eq!(a.len(), b.len(), "{format}");
            let worst = a
                .iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0f32, f32::max);
            assert!(worst < tolerance, "{format}: differs by {worst}");
        }
    }
}

#[test]
fn streaming_yields_bounded_blocks_that_add_up_to_load() {
    let path = fixtures().join("hold_thanks.ulaw8k.wav");
    let whole = audio::load(&path, &AudioLimits::default()).expect("load");
    let mut stream = audio::open(&path, &AudioLimits::default()).expect("open");
    assert_eq!(stream.info().format, "wav mu-law");
    let mut joined = vec![Vec::new(); 2];
    let mut blocks = 0;
    while let Some(block) = stream.next_block().expect("block") {
        assert_eq!(block.len(), 2);
        assert!(block[0].len() <= 10 * 16_000 && !block[0].is_empty());
        for (j, b) in joined.iter_mut().zip(block) {
            j.extend(b);
        }
        blocks += 1;
    }
    assert!(
        blocks >= 10,
        "a one-minute call should come in several blocks, got {blocks}"
    );
    assert_eq!(joined, whole.channels);
    assert!(stream.next_block().expect("after the end").is_none());
}
