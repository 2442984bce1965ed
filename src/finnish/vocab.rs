//! The vocabulary of a rubric's pattern words, and the lookup that maps a
//! transcript word to the pattern words it may stand for (exactly or fuzzily).
//!
//! Each pattern word is known by its Snowball stem and by its written form. The
//! stemmer strips endings by their letters, so one misheard letter can change how
//! much it strips ("johtajan" → "johtaj" but Whisper's "johtaan" → "joh",
//! "kuulostaa" → "kuulost" but "kulosta" → "kulo"): comparing the written forms
//! too finds those words, while stems still match other inflections.
//!
//! A pattern word may also be a **class**: `<lemma:features>` (a word form,
//! tested with Voikko's analysis or its fallback, `crate::finnish::forms`) or
//! `{name}` / `{surname}` (a first name or surname from the gazetteers). A class
//! has an id like a stem but is never compared letter by letter:
//! [`Vocab::classes_of`] tests the word.
//!
//! Fuzzy lookups are the expensive part of scoring; the matcher memoises their
//! results per thread alongside each transcript word (see `matcher::Readings`).

use crate::finnish::fasthash::{FastMap, FastSet};
use crate::finnish::forms::FormTest;
use crate::finnish::fuzzy;
use crate::finnish::{Morphology, names};

/// Index of a pattern stem or written form in a [`Vocab`].
pub type StemId = u32;

/// One candidate: the pattern stem or form and the edit cost of reading the text as it.
pub type Candidate = (StemId, f32);

/// Strings of one kind (stems or written forms) with their ids, bucketed by
/// character length for the fuzzy scan.
#[derive(Debug, Default)]
struct Strings {
    ids: FastMap<String, StemId>,
    by_len: Vec<Vec<Entry>>,
}

/// One string of a [`Strings`], with its signature for a quick rejection.
#[derive(Debug)]
struct Entry {
    id: StemId,
    chars: Vec<char>,
    sig: fuzzy::Signature,
}

impl Strings {
    fn get_or_insert(&mut self, s: &str, next_id: StemId) -> StemId {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        self.ids.insert(s.to_string(), next_id);
        let chars: Vec<char> = s.chars().collect();
        if self.by_len.len() <= chars.len() {
            self.by_len.resize_with(chars.len() + 1, Vec::new);
        }
        let len = chars.len();
        self.by_len[len].push(Entry {
            id: next_id,
            sig: fuzzy::Signature::of(&chars),
            chars,
        });
        next_id
    }

    /// Appends the strings `s` (whose characters are `chars`) may stand for, with
    /// their cost, to `out`.
    fn lookup(&self, s: &str, chars: &[char], out: &mut Vec<Candidate>) {
        if let Some(&id) = self.ids.get(s) {
            out.push((id, 0.0));
        }
        let sig = fuzzy::Signature::of(chars);
        // Strings of 1–3 characters match exactly only, and no tolerance admits
        // more than three cheap insertions or deletions.
        let lo = chars.len().saturating_sub(3).max(4);
        let hi = (chars.len() + 3).min(self.by_len.len().saturating_sub(1));
        for len in lo..=hi {
            let limit = fuzzy::tolerance(len);
            for e in &self.by_len[len] {
                // A necessary condition (see `Signature::may_be_within`): no match is lost.
                if !e.sig.may_be_within(&sig, limit) || e.chars == chars {
                    continue;
                }
                if let Some(cost) = fuzzy::distance(&e.chars, chars) {
                    out.push((e.id, cost));
                }
            }
        }
    }
}

#[derive(Debug, Default)]
pub struct Vocab {
    stems: Strings,
    forms: Strings,
    /// Forms long enough to be read at the start of a longer transcript word, by
    /// first character.
    glued: FastMap<char, Vec<Entry>>,
    /// Ids handed out so far, stems and forms together.
    len: usize,
    /// First three characters of stems long enough to be compounds, so a pair of
    /// transcript words is only read as one word when it could match one.
    compound_heads: FastSet<[char; 3]>,
    /// Word classes by their text in the pattern (`<hoitaa:1sg>`, `{name}`, `{surname}`).
    classes: FastMap<String, (StemId, Class)>,
}

/// A kind of word a pattern position accepts, tested on the word itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Class {
    Form(FormTest),
    FirstName,
    Surname,
}

/// Stems this long may be written as two words ("tarkastus maksut").
const COMPOUND_MIN: usize = 7;

/// Forms this long may have the next word glued on ("ymmärräntäisin"); shorter
/// ones would start too many unrelated words.
const GLUED_MIN: usize = 7;

/// Letters a glued-on rest has at least; a shorter difference is an ending or a
/// misheard letter, which the whole-form comparison covers.
const GLUED_REST_MIN: usize = 2;

impl Vocab {
    /// The id of `stem`, adding it if new.
    pub fn intern(&mut self, stem: &str) -> StemId {
        let id = self.stems.get_or_insert(stem, self.len as StemId);
        if id as usize == self.len {
            self.len += 1;
            let chars: Vec<char> = stem.chars().collect();
            if chars.len() >= COMPOUND_MIN {
                self.compound_heads.insert([chars[0], chars[1], chars[2]]);
            }
        }
        id
    }

    /// The id of the written (normalised, unstemmed) word `form`, adding it if new.
    pub fn intern_form(&mut self, form: &str) -> StemId {
        let id = self.forms.get_or_insert(form, self.len as StemId);
        if id as usize == self.len {
            self.len += 1;
            let chars: Vec<char> = form.chars().collect();
            if chars.len() >= GLUED_MIN {
                self.glued.entry(chars[0]).or_default().push(Entry {
                    id,
                    sig: fuzzy::Signature::of(&chars),
                    chars,
                });
            }
        }
        id
    }

    /// The id of the class written `key` in a pattern, adding it if new.
    pub fn intern_class(&mut self, key: &str, class: Class) -> StemId {
        if let Some((id, _)) = self.classes.get(key) {
            return *id;
        }
        let id = self.len as StemId;
        self.len += 1;
        self.classes.insert(key.to_string(), (id, class));
        id
    }

    pub fn has_classes(&self) -> bool {
        !self.classes.is_empty()
    }

    /// Appends the classes the transcript word written `form` (normalised, lower
    /// case) with Snowball `stem` belongs to, at no cost. Voikko is asked only
    /// when a form test may match at all ([`FormTest::may_match`]), once per word;
    /// a word it does not know is judged by the fallback.
    pub fn classes_of(&self, form: &str, stem: &str, morph: &Morphology, out: &mut Vec<Candidate>) {
        let mut analyses = None;
        for (id, class) in self.classes.values() {
            let yes = match class {
                Class::FirstName => names::is_first_name(form),
                Class::Surname => names::is_last_name(form),
                Class::Form(test) if test.may_match(form) => {
                    let known = analyses.get_or_insert_with(|| morph.analyse(form));
                    match known.as_deref() {
                        Some(list) if !list.is_empty() => list.iter().any(|a| test.accepts(a)),
                        _ => test.guess(form, stem),
                    }
                }
                Class::Form(_) => false,
            };
            if yes {
                out.push((*id, 0.0));
            }
        }
    }

    /// Whether a word starting with `word` could be the head of a pattern compound.
    pub fn may_start_compound(&self, word: &str) -> bool {
        let mut c = word.chars();
        match (c.next(), c.next(), c.next()) {
            (Some(a), Some(b), Some(d)) => self.compound_heads.contains(&[a, b, d]),
            _ => false,
        }
    }

    /// Pattern stems and forms that a transcript word with `stem`, written `form`,
    /// may stand for, with their cost: stems compared with stems, forms with forms,
    /// and long forms with the start of a longer word (another word glued on): the
    /// word boundary is itself a guess, so the start may differ by one cheap error
    /// at most, the first letter must agree and the reading costs a cheap error more.
    /// Only forms longer than `glued_after` characters are read glued: two transcript
    /// words read as one (`glued_after` the first one's length) gain nothing from a
    /// form that ends inside the first word, which reads the second as a gap.
    pub fn lookup(&self, stem: &str, form: &str, glued_after: usize) -> Vec<Candidate> {
        let mut out = Vec::new();
        let mut chars: Vec<char> = stem.chars().collect();
        self.stems.lookup(stem, &chars, &mut out);
        chars.clear();
        chars.extend(form.chars());
        self.forms.lookup(form, &chars, &mut out);
        let Some(heads) = chars.first().and_then(|c| self.glued.get(c)) else {
            return out;
        };
        let sig = fuzzy::Signature::of(&chars);
        for e in heads {
            // A necessary condition (see `Signature::may_start_within`).
            if e.chars.len() + GLUED_REST_MIN > chars.len()
                || e.chars.len() <= glued_after
                || !e.sig.may_start_within(&sig, fuzzy::CHEAP)
            {
                continue;
            }
            if let Some(cost) = fuzzy::prefix_distance(&e.chars, &chars, fuzzy::CHEAP) {
                out.push((e.id, cost + fuzzy::CHEAP));
            }
        }
        out
    }

    /// Number of distinct pattern stems and forms.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Vocab {
        /// [`Vocab::lookup`] without any filter or length window: every stem, form
        /// and glued head compared in full, in the same order.
        fn lookup_unfiltered(&self, stem: &str, form: &str) -> Vec<Candidate> {
            let mut out = Vec::new();
            for (strings, s) in [(&self.stems, stem), (&self.forms, form)] {
                if let Some(&id) = strings.ids.get(s) {
                    out.push((id, 0.0));
                }
                let chars: Vec<char> = s.chars().collect();
                for e in strings.by_len.iter().flatten() {
                    if e.chars == chars {
                        continue;
                    }
                    if let Some(cost) = fuzzy::distance(&e.chars, &chars) {
                        out.push((e.id, cost));
                    }
                }
            }
            let chars: Vec<char> = form.chars().collect();
            for e in chars
                .first()
                .and_then(|c| self.glued.get(c))
                .into_iter()
                .flatten()
            {
                if e.chars.len() + GLUED_REST_MIN > chars.len() {
                    continue;
                }
                if let Some(cost) = fuzzy::prefix_distance(&e.chars, &chars, fuzzy::CHEAP) {
                    out.push((e.id, cost + fuzzy::CHEAP));
                }
            }
            out
        }
    }

    #[test]
    fn filtered_lookup_equals_the_unfiltered_scan() {
        // Few letters, the cheap pairs among them, so near misses are frequent.
        let alphabet = [
            'a', 'ä', 'v', 'm', 'o', 'ö', 'k', 'p', 't', 'l', 'r', 'e', 'i', 's',
        ];
        let mut rng = crate::finnish::fuzzy::random_words::Rng(0x9e37_79b9_7f4a_7c15);
        let mut v = Vocab::default();
        let mut known: Vec<Vec<char>> = Vec::new();
        for _ in 0..300 {
            let len = 2 + rng.below(13);
            let w = rng.word(len, &alphabet);
            let s: String = w.iter().collect();
            if rng.below(2) == 0 {
                v.intern(&s);
            } else {
                v.intern_form(&s);
            }
            known.push(w);
        }
        let (mut hits, mut fuzzy_hits) = (0, 0);
        for _ in 0..60_000 {
            let mut t = if rng.below(5) == 0 {
                let len = 1 + rng.below(16);
                rng.word(len, &alphabet)
            } else {
                known[rng.below(known.len())].clone()
            };
            rng.misspell(&mut t, &alphabet);
            if rng.below(4) == 0 {
                let rest = 1 + rng.below(6);
                t.extend(rng.word(rest, &alphabet));
            }
            let s: String = t.iter().collect();
            // The same word as stem and form, and a shortened stem.
            let short: String = t
                .iter()
                .take(t.len().saturating_sub(rng.below(3)))
                .collect();
            for (stem, form) in [(&s, &s), (&short, &s)] {
                let expected = v.lookup_unfiltered(stem, form);
                hits += expected.len();
                fuzzy_hits += expected.iter().filter(|(_, c)| *c > 0.0).count();
                assert_eq!(v.lookup(stem, form, 0), expected, "{stem} {form}");
            }
        }
        assert!(hits > 10_000 && fuzzy_hits > 1_000, "{hits} {fuzzy_hits}");
    }

    #[test]
    fn finds_exact_and_fuzzy_candidates() {
        let mut v = Vocab::default();
        let vaar = v.intern("väär");
        let tark = v.intern("tarkist");
        v.intern("ei");
        assert_eq!(v.lookup("määr", "määrän", 0), [(vaar, 0.5)]);
        assert_eq!(v.lookup("tarkkist", "tarkkistan", 0), [(tark, 0.5)]);
        assert_eq!(v.lookup("väär", "väärän", 0), [(vaar, 0.0)]);
        assert!(v.lookup("en", "en", 0).is_empty());
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn written_forms_are_compared_with_written_forms() {
        let mut v = Vocab::default();
        let stem = v.intern("johtaj");
        let form = v.intern_form("johtajan");
        assert_eq!(v.len(), 2);
        // Whisper's "johtaan" stems to "joh", far from "johtaj"; its form is one
        // dropped letter from "johtajan".
        assert_eq!(v.lookup("joh", "johtaan", 0), [(form, 1.0)]);
        assert!(v.lookup("johtaj", "johtajalle", 0).contains(&(stem, 0.0)));
        // A form is never read as a stem: "johtaj" written alone is no "johtajan".
        assert_eq!(v.intern("johtaj"), stem);
        assert_eq!(v.intern_form("johtaj"), 2);
        assert_eq!(v.lookup("x", "johtajan", 0), [(form, 0.0)]);
    }

    #[test]
    fn long_forms_are_read_at_the_start_of_glued_words() {
        let mut v = Vocab::default();
        let long = v.intern_form("ymmärrän");
        v.intern_form("voin");
        assert_eq!(v.lookup("x", "ymmärräntäisin", 0), [(long, 0.5)]);
        assert!(
            v.lookup("x", "voinko", 0).is_empty(),
            "short forms are not prefixes"
        );
        assert!(
            v.lookup("x", "kymmärräntäisin", 0).is_empty(),
            "first letter agrees"
        );
        assert!(v.lookup("x", "ymmärrystä", 0).is_empty());
        let selvitan = v.intern_form("selvitän");
        assert!(
            v.lookup("x", "selvityksen", 0)
                .iter()
                .all(|(id, _)| *id != selvitan),
            "a full edit is too much at a guessed word boundary"
        );
    }
}
