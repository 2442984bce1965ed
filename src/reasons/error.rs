//! Errors from reading and resolving a taxonomy: every problem carries its line,
//! so `kuulas reasons check` prints `file:line: reason` for all of them at once,
//! as `kuulas rubric check` does (lines found by [`crate::rubric::error::line_of`]).

use thiserror::Error;

use crate::rubric::error::file_lines;

/// What is wrong at one place of a taxonomy file.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProblemKind {
    #[error("{0}")]
    Toml(String),
    #[error("schema_version {found} is not supported; this kuulas reads schema_version 1")]
    UnsupportedVersion { found: u32 },
    #[error("duplicate reason id `{id}`; ids must be unique and stable (they are stored per call)")]
    DuplicateId { id: String },
    #[error("reason id `{id}`: use lower-case letters, digits and `_` only")]
    BadId { id: String },
    #[error("reason `{id}` has no patterns; a reason is only ever tagged from a pattern")]
    NoPatterns { id: String },
    #[error("empty pattern; remove it or write the phrase")]
    EmptyPattern,
    #[error("bad pattern `{pattern}`: {reason}")]
    BadPattern { pattern: String, reason: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub line: usize,
    pub kind: ProblemKind,
}

#[derive(Debug, Error)]
pub enum TaxonomyError {
    #[error("{}", file_lines(file, problems.iter().map(|p| (p.line, &p.kind))))]
    Invalid {
        file: String,
        problems: Vec<Problem>,
    },
    #[error("{file}: cannot read the taxonomy: {source}; check the path and permissions")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
}
