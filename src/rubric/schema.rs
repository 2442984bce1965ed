//! The rubric file as written (TOML, `schema_version = 1`): raw, untrusted, with
//! the position of every value so problems can be reported by line. `resolve`
//! turns it into a [`crate::rubric::Rubric`]; nothing else reads these types.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricFile {
    pub schema_version: Spanned<u32>,
    pub id: String,
    pub version: String,
    #[serde(default)]
    pub title: String,
    #[serde(rename = "dimension", default)]
    pub dimensions: Vec<Spanned<DimensionDef>>,
    #[serde(rename = "behaviour", default)]
    pub behaviours: Vec<Spanned<BehaviourDef>>,
    /// Named word lists patterns use as `@name` (`[lists] fix_verbs = […]`).
    #[serde(default)]
    pub lists: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    /// Whether kuulas's built-in learned model judges the behaviours it covers
    /// along with the patterns (`rubric::learned`).
    #[serde(default)]
    pub learned: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionDef {
    pub id: Spanned<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Share of the overall score (relative to the other weights).
    pub weight: f64,
    /// Score of a call that shows none of the dimension's behaviours.
    pub base: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BehaviourDef {
    pub id: Spanned<String>,
    #[serde(default)]
    pub description: String,
    /// Omitted for helper behaviours that only feed `when`/`with_all`.
    pub dimension: Option<Spanned<String>>,
    pub party: Spanned<String>,
    pub within: Option<Spanned<String>>,
    pub polarity: Option<Spanned<String>>,
    pub points: Option<f64>,
    /// Occurrences that count towards the score (default 1).
    pub max_count: Option<u32>,
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub regex: Vec<Spanned<String>>,
    pub when: Option<Spanned<String>>,
    /// Like `when`, with an occurrence of any of these as the anchor: a behaviour
    /// that more than one sequence can find.
    #[serde(default)]
    pub when_any: Vec<Spanned<String>>,
    #[serde(default)]
    pub with_all: Vec<Spanned<String>>,
    #[serde(default)]
    pub without_all: Vec<Spanned<String>>,
    #[serde(default)]
    pub without_any: Vec<Spanned<String>>,
    #[serde(default)]
    pub with_any: Vec<Spanned<String>>,
    #[serde(default)]
    pub without_in_sentence: Vec<Spanned<String>>,
    #[serde(default)]
    pub turns_before: usize,
    #[serde(default)]
    pub turns_after: usize,
    pub metric: Option<Spanned<String>>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub counter_examples: Vec<String>,
    /// Canonical phrasings to spot in the audio when the text shows none
    /// (`crate::verify`); none by default.
    #[serde(default)]
    pub spot: Vec<Spanned<String>>,
}

impl BehaviourDef {
    /// Whether the behaviour is a sequence: it names its anchor with `when` or
    /// `when_any`.
    pub fn is_sequence(&self) -> bool {
        self.when.is_some() || !self.when_any.is_empty()
    }
}
