//! store stage (being built).
