//! The taxonomy file as written (TOML, `schema_version = 1`): raw, untrusted, with
//! the position of every value so problems can be reported by line. `resolve`
//! turns it into a [`crate::reasons::Taxonomy`]; nothing else reads these types.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyFile {
    pub schema_version: Spanned<u32>,
    pub id: String,
    pub version: String,
    #[serde(default)]
    pub title: String,
    #[serde(rename = "reason", default)]
    pub reasons: Vec<Spanned<ReasonDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonDef {
    pub id: Spanned<String>,
    /// The Finnish name reports show.
    pub label: String,
    #[serde(default)]
    pub description: String,
    pub patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub counter_examples: Vec<String>,
}
