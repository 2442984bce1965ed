//! Errors from reading and resolving a rubric: every problem carries its line so
//! `kuulas rubric check` can print `file:line: reason` for all of them at once.

use thiserror::Error;

/// What is wrong at one place of a rubric file.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProblemKind {
    #[error("{0}")]
    Toml(String),
    #[error("schema_version {found} is not supported; this kuulas reads schema_version 1")]
    UnsupportedVersion { found: u32 },
    #[error("unknown party `{found}`; use agent, customer or any")]
    UnknownParty { found: String },
    #[error("unknown polarity `{found}`; use good or bad")]
    UnknownPolarity { found: String },
    #[error(
        "bad time window `{found}`; write e.g. \"first 20s\", \"last 30s\" or \"first 2 turns\""
    )]
    BadWindow { found: String },
    #[error("empty pattern; remove it or write the phrase")]
    EmptyPattern,
    #[error("bad pattern `{pattern}`: {reason}")]
    BadPattern { pattern: String, reason: String },
    #[error("bad regex `{pattern}`: {reason}")]
    BadRegex { pattern: String, reason: String },
    #[error(
        "regex `{pattern}` spells `{spoken}`, which never reaches a regex: the text it reads has the written form `{written}` in its place (docs/rubric.md); write `{written}`"
    )]
    SpokenRegexWord {
        pattern: String,
        spoken: String,
        written: String,
    },
    #[error(
        "unknown behaviour `{found}`; it must be the id of a phrase or metric behaviour, or of a sequence above this one"
    )]
    UnknownBehaviour { found: String },
    #[error("unknown dimension `{found}`; declare it in a [[dimension]] table")]
    UnknownDimension { found: String },
    #[error(
        "unknown metric `{found}`; use unannounced_hold, hold, agent_interruption, customer_interruption or overlap"
    )]
    UnknownMetric { found: String },
    #[error(
        "`learned = true` lets kuulas's built-in model judge `{id}`, which this rubric does not define; define `{id}` or remove `learned`"
    )]
    LearnedBehaviourMissing { id: String },
    #[error("duplicate id `{id}`; ids must be unique and stable")]
    DuplicateId { id: String },
    #[error("behaviour `{id}` needs exactly one of patterns/regex, when/when_any or metric")]
    RuleKind { id: String },
    #[error("behaviour `{id}` is scored under a dimension, so it needs polarity and points > 0")]
    MissingPoints { id: String },
    #[error(
        "behaviour `{id}`: points = {found} must be a finite number > 0; say `polarity = \"bad\"` for a deduction"
    )]
    BadPoints { id: String, found: f64 },
    #[error(
        "bad spot phrase `{phrase}`: {reason}; write the words as spoken, letters only, at most 8 words"
    )]
    BadSpot { phrase: String, reason: String },
    #[error("dimension `{id}`: weight must be a finite number > 0 and base within 0..=100")]
    BadDimension { id: String },
    #[error(
        "list `{name}`: `{word}` is not one word of letters; a list holds words or lemmas, one per string"
    )]
    BadListWord { name: String, word: String },
    #[error("list `{name}` is empty; give it words or remove it")]
    EmptyList { name: String },
    #[error("pattern `{pattern}`: {reason}")]
    BadListUse { pattern: String, reason: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub line: usize,
    pub kind: ProblemKind,
}

#[derive(Debug, Error)]
pub enum RubricError {
    #[error("{}", file_lines(file, problems.iter().map(|p| (p.line, &p.kind))))]
    Invalid {
        file: String,
        problems: Vec<Problem>,
    },
    #[error("{file}: cannot read the rubric: {source}; check the path and permissions")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

/// One `file:line: problem` line per problem (the rubric's and the taxonomy's).
pub fn file_lines<K: std::fmt::Display>(
    file: &str,
    problems: impl Iterator<Item = (usize, K)>,
) -> String {
    let lines: Vec<String> = problems
        .map(|(line, kind)| format!("{file}:{line}: {kind}"))
        .collect();
    lines.join("\n")
}

/// 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
