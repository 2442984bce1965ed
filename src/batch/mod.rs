//! batch stage (being built).
