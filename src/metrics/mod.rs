//! metrics stage (being built).
