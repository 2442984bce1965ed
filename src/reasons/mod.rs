//! Why customers call: contact reasons as data, like the rubric. A taxonomy
//! (TOML, see `docs/reasons.md`) lists reasons with Finnish patterns in the
//! rubric's pattern syntax (compiled by the same engine, `crate::finnish`),
//! examples and counter-examples; [`resolve`] checks it once, reporting problems
//! by line, and [`tag`] then reads a call's transcript — the customer's first
//! substantive turns — and gives at most one primary reason, with a confidence
//! and the quote it was found in. No IO, cannot fail. The default Finnish
//! taxonomy is built in ([`DEFAULT_TAXONOMY`]).

pub mod error;
pub mod labels;
pub mod schema;
pub mod selftest;
pub mod tag;
pub mod taxonomy;

use std::path::Path;

pub use error::TaxonomyError;
pub use labels::Labels;
pub use tag::{Tag, tag};
pub use taxonomy::{Reason, Taxonomy, resolve};

/// The built-in Finnish taxonomy of common service reasons (TOML text).
pub const DEFAULT_TAXONOMY: &str = include_str!("default.toml");

/// The built-in taxonomy, resolved.
pub fn default_taxonomy() -> Taxonomy {
    // The built-in text is checked by a unit test, so this cannot fail in a release.
    match resolve("<built-in taxonomy>", DEFAULT_TAXONOMY) {
        Ok(t) => t,
        Err(e) => unreachable!("the built-in taxonomy is invalid: {e}"),
    }
}

/// Reads and resolves the taxonomy file at `path`.
pub fn load(path: &Path) -> Result<Taxonomy, TaxonomyError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| TaxonomyError::Read {
        file: file.clone(),
        source,
    })?;
    resolve(&file, &text)
}

#[cfg(test)]
mod tests;
