//! Feeds arbitrary bytes to the WAV/G.711 parser and decoder (and, when the bytes sniff
//! as another container, to Symphonia). Any panic, overflow or runaway allocation is a bug:
//! recordings are untrusted input and must only ever produce an `AudioError`.

#![no_main]

use std::path::Path;

use kuulas::audio::{AudioLimits, decode_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A short duration limit keeps a header that claims hours of audio from turning each
    // run into a long decode; the parser paths are the same.
    let limits = AudioLimits {
        max_channels: 2,
        max_duration_s: 60.0,
    };
    let _ = decode_bytes(data, Path::new("fuzz.wav"), &limits);
});
