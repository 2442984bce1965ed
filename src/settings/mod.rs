//! Plain options in, trusted settings out, for every command that transcribes:
//! how many recordings are decoded at once and with how many decoders each
//! ([`parallelism`]), and the transcriber's [`crate::transcribe::Settings`] with
//! the domain prompt built from the organisation's vocabulary file and the
//! fingerprint of everything that shapes a transcript ([`transcription`]). The
//! CLI fills [`TranscriptionOptions`] from its flags and calls these; nothing
//! here knows about the command line.

pub mod parallelism;
pub mod transcription;

pub use parallelism::{Parallelism, parallelism};
pub use transcription::{SettingsError, TranscriptionOptions, domain_prompt};
