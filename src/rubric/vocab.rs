//! The vocabulary of all pattern stems of a rubric, and the lookup that maps a
//! transcript stem to the pattern stems it may stand for (exactly or fuzzily).
//!
//! Fuzzy lookups are the expensive part of scoring; the matcher memoises their
//! results per thread alongside each transcript word (see `matcher::Readings`).

use crate::rubric::fasthash::{FastMap, FastSet};
use crate::rubric::fuzzy;

/// Index of a stem in a [`Vocab`].
pub type StemId = u32;

/// One candidate: the pattern stem and the edit cost of reading the text as it.
pub type Candidate = (StemId, f32);

#[derive(Debug, Default)]
pub struct Vocab {
    ids: FastMap<String, StemId>,
    /// Stems as characters, bucketed by character length for the fuzzy scan.
    by_len: Vec<Vec<(StemId, Vec<char>)>>,
    /// First three characters of stems long enough to be compounds, so a pair of
    /// transcript words is only read as one word when it could match one.
    compound_heads: FastSet<[char; 3]>,
}

/// Stems this long may be written as two words ("tarkastus maksut").
const COMPOUND_MIN: usize = 7;

impl Vocab {
    /// The id of `stem`, adding it if new.
    pub fn intern(&mut self, stem: &str) -> StemId {
        if let Some(&id) = self.ids.get(stem) {
            return id;
        }
        let id = self.ids.len() as StemId;
        self.ids.insert(stem.to_string(), id);
        let chars: Vec<char> = stem.chars().collect();
        if self.by_len.len() <= chars.len() {
            self.by_len.resize_with(chars.len() + 1, Vec::new);
        }
        if chars.len() >= COMPOUND_MIN {
            self.compound_heads.insert([chars[0], chars[1], chars[2]]);
        }
        self.by_len[chars.len()].push((id, chars));
        id
    }

    /// Whether a word starting with `word` could be the head of a pattern compound.
    pub fn may_start_compound(&self, word: &str) -> bool {
        let mut c = word.chars();
        match (c.next(), c.next(), c.next()) {
            (Some(a), Some(b), Some(d)) => self.compound_heads.contains(&[a, b, d]),
            _ => false,
        }
    }

    /// Pattern stems that `stem` (from a transcript) may stand for, with their cost.
    pub fn lookup(&self, stem: &str) -> Vec<Candidate> {
        let mut out = Vec::new();
        if let Some(&id) = self.ids.get(stem) {
            out.push((id, 0.0));
        }
        let chars: Vec<char> = stem.chars().collect();
        // Pattern stems of 1–3 characters match exactly only, and the tolerance never
        // exceeds 1.5 edits, so only lengths within one of the text's need scanning.
        let lo = chars.len().saturating_sub(1).max(4);
        let hi = (chars.len() + 1).min(self.by_len.len().saturating_sub(1));
        for len in lo..=hi {
            for (id, pattern) in &self.by_len[len] {
                if *pattern == chars {
                    continue;
                }
                if let Some(cost) = fuzzy::distance(pattern, &chars) {
                    out.push((*id, cost));
                }
            }
        }
        out
    }

    /// Number of distinct pattern stems.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_exact_and_fuzzy_candidates() {
        let mut v = Vocab::default();
        let vaar = v.intern("väär");
        let tark = v.intern("tarkist");
        v.intern("ei");
        assert_eq!(v.lookup("määr"), [(vaar, 0.5)]);
        assert_eq!(v.lookup("tarkkist"), [(tark, 1.0)]);
        assert_eq!(v.lookup("väär"), [(vaar, 0.0)]);
        assert!(v.lookup("en").is_empty());
        assert_eq!(v.len(), 3);
    }
}
