//! kuulas: turns a night's call recordings into transcripts, rubric scores with
//! evidence, and review packets — locally, with Whisper.
//!
//! One module per pipeline stage; see ARCHITECTURE.md for how data flows between them.

pub mod across;
pub mod atomic;
pub mod audio;
pub mod batch;
pub mod calibrate;
pub mod escape;
pub mod finnish;
pub mod metrics;
pub mod model;
pub mod names;
pub mod packet;
pub mod reasons;
pub mod redact;
pub mod rubric;
pub mod settings;
pub mod store;
pub mod transcribe;
pub mod transcript;
pub mod verify;
