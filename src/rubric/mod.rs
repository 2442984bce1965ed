//! rubric stage (being built).
