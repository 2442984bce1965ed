//! The Finnish text engine `rubric` and `metrics` both read words with:
//! normalisation of written and spoken Finnish into tokens ([`text`]), phrase
//! patterns ([`pattern`]) and where they occur in a turn ([`matcher`]), the
//! vocabulary of pattern words ([`vocab`]) with Whisper-tuned fuzzy comparison
//! ([`fuzzy`]) and fast word tables ([`fasthash`]); morphology from Voikko
//! (lemma, person, tense, mood, participles; [`forms`]) through a binding of our
//! own loaded at run time ([`voikko`]); a gazetteer of Finnish first names
//! ([`names`]), and tests of a word's written form answered with its reading
//! ([`word_tests`]). It knows nothing of rubrics or metrics.
//!
//! Voikko is optional. [`shared`] loads it once; when libvoikko or its Finnish
//! dictionary is missing, or `KUULAS_VOIKKO=off` is set, one warning names the
//! fallback (the Snowball stem of a lemma and the endings of a form, see
//! [`forms::FormTest::guess`]) and scoring goes on. Voikko is slow (tens of
//! microseconds a word), so every analysis is cached per distinct word.

pub mod fasthash;
pub mod forms;
pub mod fuzzy;
pub mod matcher;
pub mod names;
pub mod pattern;
pub mod text;
pub mod vocab;
pub mod voikko;
pub mod word_tests;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::finnish::forms::Analysis;
use crate::finnish::voikko::Voikko;

/// Environment variable that turns Voikko off (`off`, `0` or `no`: the fallback
/// is then used as when libvoikko is missing) or names the libvoikko file to load.
pub const VOIKKO_ENV: &str = "KUULAS_VOIKKO";

/// Distinct words whose analyses are kept before the cache is cleared.
const CACHE_LIMIT: usize = 200_000;

/// Where word forms come from.
pub enum Morphology {
    Voikko {
        voikko: Voikko,
        cache: Mutex<HashMap<Box<str>, Arc<[Analysis]>>>,
    },
    /// Stems and endings only.
    Fallback,
}

impl std::fmt::Debug for Morphology {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Morphology::Voikko { .. } => "Morphology::Voikko",
            Morphology::Fallback => "Morphology::Fallback",
        })
    }
}

/// The fallback, for callers (and tests) that want it whatever is installed.
pub static FALLBACK: Morphology = Morphology::Fallback;

impl Morphology {
    /// Voikko if it loads (from `library`, or by its usual names), else why not.
    pub fn voikko(library: Option<&str>) -> Result<Morphology, voikko::VoikkoError> {
        Ok(Morphology::Voikko {
            voikko: Voikko::load(library)?,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Voikko's analyses of `word` (lower case), cached; `None` with the fallback.
    /// An empty list: Voikko does not know the word.
    pub fn analyse(&self, word: &str) -> Option<Arc<[Analysis]>> {
        let Morphology::Voikko { voikko, cache } = self else {
            return None;
        };
        if let Some(found) = cache.lock().ok()?.get(word) {
            return Some(found.clone());
        }
        let analyses: Arc<[Analysis]> = voikko.analyse(word).into();
        let mut cache = cache.lock().ok()?;
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(word.into(), analyses.clone());
        Some(analyses)
    }

    pub fn is_voikko(&self) -> bool {
        matches!(self, Morphology::Voikko { .. })
    }
}

/// The morphology every rubric uses: Voikko when it loads and is not turned off
/// by [`VOIKKO_ENV`], else the fallback, with one warning saying so.
pub fn shared() -> &'static Morphology {
    static SHARED: OnceLock<Morphology> = OnceLock::new();
    SHARED.get_or_init(|| {
        let setting = std::env::var(VOIKKO_ENV).ok().filter(|v| !v.is_empty());
        let off = setting
            .as_deref()
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "off" | "0" | "no"));
        if off {
            tracing::debug!(
                "{VOIKKO_ENV} turns Voikko off: rubric word forms fall back to Snowball stems and endings, and the rubric's learned model is not used"
            );
            return Morphology::Fallback;
        }
        Morphology::voikko(setting.as_deref()).unwrap_or_else(|e| {
            tracing::warn!(
                "{e}; rubric word forms fall back to Snowball stems and endings (less precise), and the rubric's learned model is not used"
            );
            Morphology::Fallback
        })
    })
}
