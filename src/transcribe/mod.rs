//! transcribe stage (being built).
