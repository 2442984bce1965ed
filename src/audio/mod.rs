//! audio stage (being built).
