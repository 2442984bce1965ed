//! model stage (being built).
