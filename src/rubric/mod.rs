//! The rubric stage: scores a call's transcript against a rubric of service
//! behaviours and returns a [`Scorecard`] with timestamped evidence.
//!
//! A rubric is data (TOML, see `docs/rubric.md`): `schema` types are what the file
//! says, [`resolve`] checks everything once and compiles every pattern, and
//! [`score`] then runs without IO and cannot fail. The default Finnish rubric is
//! built in ([`DEFAULT_RUBRIC`]).

pub mod definition;
pub mod error;
pub mod eval;
pub mod labelled;
pub mod learned;
pub mod phrases;
mod prefilter;
pub mod resolve;
pub mod schema;
pub mod scorecard;
pub mod scoring;
pub mod selftest;
pub mod turns;
mod unreachable;

use std::path::Path;

pub use definition::Rubric;
pub use error::RubricError;
pub use resolve::resolve;
pub use scorecard::Scorecard;
pub use scoring::{rescore, score};

/// The built-in Finnish contact-centre rubric (TOML text).
pub const DEFAULT_RUBRIC: &str = include_str!("default.toml");

/// The built-in rubric, resolved.
pub fn default_rubric() -> Rubric {
    // The built-in text is checked by a unit test, so this cannot fail in a release.
    match resolve("<built-in rubric>", DEFAULT_RUBRIC) {
        Ok(r) => r,
        Err(e) => unreachable!("the built-in rubric is invalid: {e}"),
    }
}

/// Reads and resolves the rubric file at `path`.
pub fn load(path: &Path) -> Result<Rubric, RubricError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| RubricError::Read {
        file: file.clone(),
        source,
    })?;
    resolve(&file, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rubric_and_scorecard_can_be_shared_across_batch_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Rubric>();
        shareable::<Scorecard>();
    }

    #[test]
    fn built_in_rubric_resolves() {
        let r = resolve("default.toml", DEFAULT_RUBRIC).unwrap_or_else(|e| panic!("{e}"));
        for &id in eval::CORE_BEHAVIOURS {
            let b = r.behaviour(id).unwrap_or_else(|| panic!("{id} missing"));
            assert!(b.dimension.is_some(), "{id} must be scored");
        }
    }
}
