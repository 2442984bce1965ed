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

// Scoring makes and drops many small strings and vectors per call; mimalloc serves
// them faster than the system allocator (BENCHMARKS.md, "Scoring, batch and ingest
// overhead"). Whisper's own C allocations are not affected.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
