//! Tests of a transcript word's written form that a [`crate::finnish::matcher::PatternSet`]
//! answers once per distinct word, along with its reading, for filters outside the
//! pattern language: a turn holding no word that passes a regex's tests cannot
//! match that regex, and is not scanned by it.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::finnish::fasthash::FastMap;

/// Where a piece of text must sit in a word for its test to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    /// The whole word.
    Whole,
    /// The word's beginning.
    Start,
    /// The word's end.
    End,
    /// Anywhere in the word.
    Anywhere,
}

/// Identifies a test of a [`WordTests`].
pub type TestId = u32;

/// A set of tests, each that a word holds one of some pieces, each at its place.
#[derive(Debug, Default)]
pub struct WordTests {
    pieces: Vec<(Box<str>, Place)>,
    piece_ids: FastMap<(Box<str>, Place), usize>,
    /// Per piece, the tests it passes.
    tests_of_piece: Vec<Vec<TestId>>,
    /// Each distinct test (its pieces, sorted) and its id.
    test_ids: FastMap<Box<[usize]>, TestId>,
    /// All pieces, found together in a word; built when first needed after a
    /// piece was added.
    automaton: OnceLock<Option<AhoCorasick>>,
}

impl WordTests {
    /// The test that a word holds one of `any_of`, added if new.
    pub fn add(&mut self, any_of: &[(&str, Place)]) -> TestId {
        let mut pieces: Vec<usize> = any_of
            .iter()
            .map(|&(piece, place)| {
                let next = self.pieces.len();
                let id = *self.piece_ids.entry((piece.into(), place)).or_insert(next);
                if id == next {
                    self.pieces.push((piece.into(), place));
                    self.tests_of_piece.push(Vec::new());
                    self.automaton = OnceLock::new();
                }
                id
            })
            .collect();
        pieces.sort_unstable();
        pieces.dedup();
        let next = self.test_ids.len() as TestId;
        let id = *self.test_ids.entry(pieces.clone().into()).or_insert(next);
        if id == next {
            for p in pieces {
                self.tests_of_piece[p].push(id);
            }
        }
        id
    }

    /// How many tests there are; ids run from 0.
    pub fn len(&self) -> usize {
        self.test_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.test_ids.is_empty()
    }

    /// The tests `word` passes, ascending.
    pub fn passed_by(&self, word: &str) -> Vec<TestId> {
        let automaton = self.automaton.get_or_init(|| {
            // An automaton of a few hundred short pieces always builds; should
            // one not, every piece is looked for by a plain search instead.
            (!self.pieces.is_empty())
                .then(|| AhoCorasick::new(self.pieces.iter().map(|(p, _)| &**p)).ok())
                .flatten()
        });
        let found: Vec<usize> = match automaton {
            Some(ac) => ac
                .find_overlapping_iter(word)
                .filter(|m| sits(self.pieces[m.pattern()].1, m.start(), m.end(), word))
                .map(|m| m.pattern().as_usize())
                .collect(),
            None => (0..self.pieces.len())
                .filter(|&p| {
                    let (piece, place) = &self.pieces[p];
                    word.match_indices(&**piece)
                        .any(|(start, m)| sits(*place, start, start + m.len(), word))
                })
                .collect(),
        };
        let mut passed: Vec<TestId> = found
            .into_iter()
            .flat_map(|p| self.tests_of_piece[p].iter().copied())
            .collect();
        passed.sort_unstable();
        passed.dedup();
        passed
    }
}

fn sits(place: Place, start: usize, end: usize, word: &str) -> bool {
    match place {
        Place::Whole => start == 0 && end == word.len(),
        Place::Start => start == 0,
        Place::End => end == word.len(),
        Place::Anywhere => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_piece_passes_only_where_its_place_says() {
        let mut tests = WordTests::default();
        let whole = tests.add(&[("voi", Place::Whole)]);
        let start = tests.add(&[("voi", Place::Start)]);
        let end = tests.add(&[("ttu", Place::End)]);
        let anywhere = tests.add(&[("ikävä", Place::Anywhere)]);
        assert_eq!(
            tests.add(&[("voi", Place::Whole)]),
            whole,
            "a test is kept once"
        );
        assert_eq!(tests.passed_by("voi"), vec![whole, start]);
        assert_eq!(tests.passed_by("voida"), vec![start]);
        assert_eq!(tests.passed_by("tehtyttu"), vec![end]);
        assert_eq!(tests.passed_by("ttuote"), Vec::<TestId>::new());
        assert_eq!(tests.passed_by("epäikävää"), vec![anywhere]);
    }

    #[test]
    fn a_word_passes_a_test_by_any_of_its_pieces() {
        let mut tests = WordTests::default();
        let days = tests.add(&[("maanantai", Place::Start), ("tiistai", Place::Start)]);
        let done = tests.add(&[("korjattu", Place::Whole), ("ttu", Place::End)]);
        let monday = tests.add(&[("maanantai", Place::Start)]);
        assert_eq!(tests.passed_by("tiistaina"), vec![days]);
        assert_eq!(tests.passed_by("maanantaina"), vec![days, monday]);
        assert_eq!(
            tests.passed_by("korjattu"),
            vec![done],
            "overlapping pieces"
        );
        assert_eq!(tests.passed_by("maanantaikin"), vec![days, monday]);
    }
}
