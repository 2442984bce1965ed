//! Phrase patterns: parsed and compiled once when a rubric is resolved, then
//! matched against the normalised tokens of a turn.
//!
//! Pattern syntax: words separated by spaces, written as people say them;
//! `(a|b)` any one of the words, `{num}` any number (digits or words), `*` any one
//! word, `=word` exactly this form (no stemming, no fuzziness beyond the length of
//! a sound: "=peruin" must not match "perua", which stems the same);
//! `<lemma|lemma:features>` any form of one of the lemmas with all the features
//! (`<tarkistaa|hoitaa:1sg.pres>`, `<*:past-pass-ptcp>`; `crate::finnish::forms`);
//! `{name}` a first name from the gazetteer, `{surname}` a surname from the
//! gazetteer; a pattern that holds one matches only words that stand as a clause of
//! their own ("Venevakuutus, Laine."; not the firm "Kehysliike Lehtinen"). A pattern
//! must start with a word or a class. See `docs/rubric.md` for exactly what matches:
//! fuzzy words and forms, gaps, one dropped word, split/fused words and negation.

use crate::finnish::forms::{Features, FormTest};
use crate::finnish::text::{self, Token};
use crate::finnish::vocab::{Class, StemId, Vocab};

/// Why a pattern could not be compiled.
#[derive(Debug, Clone, PartialEq)]
pub enum PatternError {
    Empty,
    StartsWithWildcard,
    UnbalancedParens(String),
    AlternativeNotOneWord(String),
    MixedNegation(String),
    BadForm { form: String, reason: String },
}

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PatternError::Empty => write!(f, "the pattern has no words"),
            PatternError::StartsWithWildcard => {
                write!(f, "a pattern must start with a word, not `*` or `{{num}}`")
            }
            PatternError::UnbalancedParens(w) => {
                write!(
                    f,
                    "`{w}`: unbalanced brackets; write alternatives as `(word|word)` without spaces, or remove the stray bracket"
                )
            }
            PatternError::AlternativeNotOneWord(w) => {
                write!(f, "`{w}`: each alternative must be a single word")
            }
            PatternError::MixedNegation(w) => write!(
                f,
                "`{w}`: a group mixes negation words (en, et, ei, …) with other words, and would match only negations; put them in patterns of their own"
            ),
            PatternError::BadForm { form, reason } => write!(
                f,
                "`{form}`: {reason}; write `<lemma>`, `<lemma|lemma:feature.feature>` or `<*:feature>` (features: {})",
                Features::names().collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// One position of a compiled pattern.
#[derive(Debug, Clone)]
pub struct Elem {
    /// Vocabulary ids this position accepts: the stem and the written form of
    /// each word it allows; empty for `*` / `{num}` only.
    pub stems: Vec<StemId>,
    pub any: bool,
    pub number: bool,
    pub negation: bool,
    /// Exact forms a token may have (`=word`) ...
    pub exact: Vec<String>,
    /// ... and the ids of the words it may have in any form (every word of the
    /// position but the `=` ones, so `(=finelle|lautakuntaan)` still inflects
    /// the second).
    pub inflected: Vec<StemId>,
    /// Stem of this word fused with the next one ("ei kuulu" → "eikuulu").
    pub fused_next: Option<StemId>,
    /// Surface form, for fusing with a neighbour.
    surface: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    pub elems: Vec<Elem>,
    /// The pattern says a negation itself, so no negation guard applies.
    pub negated: bool,
    /// A match must stand as a clause of its own, punctuation or the turn's edges
    /// on both sides (the pattern holds a `{surname}`).
    pub alone: bool,
}

impl Pattern {
    /// Parses `source` and interns its stems into `vocab`.
    pub fn compile(source: &str, vocab: &mut Vocab) -> Result<Pattern, PatternError> {
        let mut elems = Vec::new();
        let mut alone = false;
        for raw in source.split_whitespace() {
            if raw == "*" || raw == "{num}" {
                elems.push(wildcard(raw == "*"));
                continue;
            }
            if raw == "{name}" {
                elems.push(class(vocab.intern_class(raw, Class::FirstName)));
                continue;
            }
            if raw == "{surname}" {
                elems.push(class(vocab.intern_class(raw, Class::Surname)));
                alone = true;
                continue;
            }
            if let Some(inner) = raw.strip_prefix('<') {
                let bad = |reason: String| PatternError::BadForm {
                    form: raw.to_string(),
                    reason,
                };
                let inner = inner
                    .strip_suffix('>')
                    .ok_or_else(|| bad("a form ends with `>`".into()))?;
                let test = FormTest::parse(inner).map_err(bad)?;
                elems.push(class(vocab.intern_class(raw, Class::Form(test))));
                continue;
            }
            // Any bracket or bar makes the word an alternative group, so that a stray
            // one ("tervetuloa(") is refused instead of silently dropped by the tokenizer.
            if raw.contains(['(', ')', '|']) {
                elems.push(alternatives(raw, vocab)?);
                continue;
            }
            if let Some(exact) = raw.strip_prefix('=') {
                elems.push(alternatives(&format!("(={exact})"), vocab)?);
                continue;
            }
            for t in text::tokenize(raw, 0) {
                elems.push(word(&t, vocab));
            }
        }
        match elems.first() {
            None => return Err(PatternError::Empty),
            Some(e) if e.stems.is_empty() => return Err(PatternError::StartsWithWildcard),
            Some(_) => {}
        }
        for k in 0..elems.len().saturating_sub(1) {
            if let (Some(a), Some(b)) = (&elems[k].surface, &elems[k + 1].surface) {
                elems[k].fused_next = Some(vocab.intern(&text::stem(&format!("{a}{b}"))));
            }
        }
        let negated = elems.iter().any(|e| e.negation);
        Ok(Pattern {
            source: source.to_string(),
            elems,
            negated,
            alone,
        })
    }
}

fn wildcard(any: bool) -> Elem {
    Elem {
        stems: Vec::new(),
        any,
        number: !any,
        negation: false,
        exact: Vec::new(),
        inflected: Vec::new(),
        fused_next: None,
        surface: None,
    }
}

/// A position that accepts the words of one class (`<…>`, `{name}`, `{surname}`).
fn class(id: StemId) -> Elem {
    Elem {
        stems: vec![id],
        inflected: vec![id],
        number: false,
        ..wildcard(false)
    }
}

/// The vocabulary ids of one pattern word: its stem, and its written form unless
/// it is a number (numbers match by value).
fn word_ids(t: &Token, vocab: &mut Vocab) -> Vec<StemId> {
    let mut ids = vec![vocab.intern(&t.word.stem)];
    if !t.word.number {
        ids.push(vocab.intern_form(&t.word.surface));
    }
    ids
}

fn word(t: &Token, vocab: &mut Vocab) -> Elem {
    let stems = word_ids(t, vocab);
    Elem {
        inflected: stems.clone(),
        stems,
        any: false,
        number: t.word.number,
        negation: t.word.negation,
        exact: Vec::new(),
        fused_next: None,
        surface: (!t.word.number).then(|| t.word.surface.to_string()),
    }
}

fn alternatives(raw: &str, vocab: &mut Vocab) -> Result<Elem, PatternError> {
    let inner = raw
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .filter(|inner| !inner.contains(['(', ')']))
        .ok_or_else(|| PatternError::UnbalancedParens(raw.to_string()))?;
    // Whether some alternative is a negation word, and some other word.
    let (mut negation, mut other) = (false, false);
    let mut elem = wildcard(false);
    elem.number = false;
    for alt in inner.split('|') {
        if alt == "{num}" {
            elem.number = true;
            continue;
        }
        let exact = alt.starts_with('=');
        let toks = text::tokenize(alt.trim_start_matches('='), 0);
        let [t] = toks.as_slice() else {
            return Err(PatternError::AlternativeNotOneWord(raw.to_string()));
        };
        let ids = word_ids(t, vocab);
        if exact {
            elem.exact.push(t.word.surface.to_string());
        } else {
            elem.inflected.extend(&ids);
        }
        elem.stems.extend(ids);
        negation |= t.word.negation;
        other |= !t.word.negation;
    }
    if negation && other {
        return Err(PatternError::MixedNegation(raw.to_string()));
    }
    elem.negation = negation;
    if elem.stems.is_empty() && !elem.number {
        return Err(PatternError::AlternativeNotOneWord(raw.to_string()));
    }
    Ok(elem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_words_alternatives_and_wildcards() {
        let mut v = Vocab::default();
        let p = Pattern::compile("soitan (tänään|huomenna|{num}) * mennessä", &mut v).unwrap();
        assert_eq!(p.elems.len(), 4);
        assert_eq!(p.elems[1].stems.len(), 4, "a stem and a form per word");
        assert!(p.elems[1].number);
        assert!(p.elems[2].any);
        assert!(!p.negated);
        assert!(
            p.elems[0].fused_next.is_none(),
            "no fusing with alternatives"
        );
    }

    #[test]
    fn a_group_of_negations_and_other_words_is_refused() {
        let mut v = Vocab::default();
        // "et" is colloquial "että" and the negation verb: in one group with "kun" it
        // made the whole slot a negation, which "kun" then never matched.
        let mixed = Pattern::compile("pahoillani (kun|et)", &mut v).unwrap_err();
        assert_eq!(mixed, PatternError::MixedNegation("(kun|et)".into()));
        assert!(mixed.to_string().contains("patterns of their own"));
        assert!(Pattern::compile("(en|emme) voi", &mut v).unwrap().negated);
        assert!(Pattern::compile("pahoillani et", &mut v).is_ok());
    }

    #[test]
    fn exact_forms_are_kept() {
        let mut v = Vocab::default();
        let p = Pattern::compile("(=peruin|=korjasin) sen", &mut v).unwrap();
        assert_eq!(p.elems[0].exact, ["peruin", "korjasin"]);
        let q = Pattern::compile("=peruin", &mut v).unwrap();
        assert_eq!(q.elems[0].exact, ["peruin"]);
    }

    #[test]
    fn colloquial_pattern_words_expand() {
        let mut v = Vocab::default();
        let p = Pattern::compile("emmä voi", &mut v).unwrap();
        assert_eq!(p.elems.len(), 3);
        assert!(p.negated);
    }

    #[test]
    fn forms_and_names_are_classes() {
        let mut v = Vocab::default();
        let p = Pattern::compile("<tarkistaa|hoitaa:1sg.pres> {name} <hoitaa>", &mut v).unwrap();
        assert_eq!(p.elems.len(), 3);
        assert!(
            p.elems
                .iter()
                .all(|e| e.stems.len() == 1 && !e.any && !e.number)
        );
        let again = Pattern::compile("{name} <tarkistaa|hoitaa:1sg.pres>", &mut v).unwrap();
        assert_eq!(again.elems[0].stems, p.elems[1].stems, "one id per class");
        assert_eq!(again.elems[1].stems, p.elems[0].stems);
        assert!(matches!(
            Pattern::compile("<tarkistaa:1st>", &mut v),
            Err(PatternError::BadForm { .. })
        ));
        assert!(matches!(
            Pattern::compile("<tarkistaa", &mut v),
            Err(PatternError::BadForm { .. })
        ));
    }

    #[test]
    fn rejects_malformed_patterns() {
        let mut v = Vocab::default();
        assert_eq!(
            Pattern::compile("  ", &mut v).unwrap_err(),
            PatternError::Empty
        );
        assert_eq!(
            Pattern::compile("* kiitos", &mut v).unwrap_err(),
            PatternError::StartsWithWildcard
        );
        assert!(matches!(
            Pattern::compile("(hei|moi", &mut v),
            Err(PatternError::UnbalancedParens(_))
        ));
        for unbalanced in ["tervetuloa(", "terve(tuloa", "((hei|moi))", "hei)"] {
            assert_eq!(
                Pattern::compile(unbalanced, &mut v).unwrap_err(),
                PatternError::UnbalancedParens(unbalanced.to_string()),
                "{unbalanced}"
            );
        }
        assert!(matches!(
            Pattern::compile("(hyvää päivää|moi)", &mut v),
            Err(PatternError::UnbalancedParens(_))
        ));
    }
}
