//! Token-level fuzzy comparison tuned to Whisper base's errors on Finnish: one
//! dropped, added or changed letter is forgiven on longer words, and the errors
//! Whisper makes systematically cost half an edit.
//!
//! Cheap errors, measured by aligning the clean dev calls with Whisper's output
//! (5,440 characters): a letter doubled or undoubled, i.e. inserted or dropped
//! next to the same letter ("puhelimesa" ~ "puhelimessa", 176 times), and the
//! substitutions v↔m (63), a↔ä (58), p↔t (38), e↔ä (30) and l↔r (16), plus o↔ö.
//! Every other substitution, insertion or deletion costs one edit.
//!
//! Tolerance by the length of the pattern's stem (or written form), in characters:
//!
//! | length | allowed cost | what that admits                                 |
//! |--------|--------------|--------------------------------------------------|
//! | 1–3    | 0            | exact only ("ei", "voi")                         |
//! | 4–5    | 0.5          | one cheap error ("väär" ~ "määr", "puhu" ~ "puuhu") |
//! | 6–9    | 1.0          | one edit, or two cheap errors                    |
//! | 10+    | 1.5          | one edit plus one cheap error, or three cheap    |

/// Cost of an error Whisper makes systematically.
pub const CHEAP: f32 = 0.5;

/// The largest edit cost a pattern stem of `len` characters tolerates.
pub fn tolerance(len: usize) -> f32 {
    match len {
        0..=3 => 0.0,
        4..=5 => CHEAP,
        6..=9 => 1.0,
        _ => 1.5,
    }
}

/// Letter pairs Whisper confuses on Finnish speech (see the module docs).
const CHEAP_SUBSTITUTIONS: &[(char, char)] = &[
    ('v', 'm'),
    ('a', 'ä'),
    ('o', 'ö'),
    ('p', 't'),
    ('e', 'ä'),
    ('l', 'r'),
];

fn substitution_cost(a: char, b: char) -> f32 {
    if a == b {
        return 0.0;
    }
    let cheap = CHEAP_SUBSTITUTIONS
        .iter()
        .any(|&(x, y)| (a == x && b == y) || (a == y && b == x));
    if cheap { CHEAP } else { 1.0 }
}

/// Cost of inserting or deleting `word[k]`: cheap when a neighbour is the same
/// letter, so only the length of a sound changes ("tt" ~ "t", "uu" ~ "u").
fn indel_cost(word: &[char], k: usize) -> f32 {
    let c = word[k];
    let doubled = (k > 0 && word[k - 1] == c) || word.get(k + 1) == Some(&c);
    if doubled { CHEAP } else { 1.0 }
}

/// Cells kept either side of the diagonal: no reading within the largest
/// tolerance (1.5) strays further than three cheap insertions or deletions.
const BAND: usize = 3;

/// Weighted edit distance between `pattern` and `text` if it is within the
/// tolerance for `pattern`'s length, else `None`. `pattern` and `text` are stems
/// or written forms.
pub fn distance(pattern: &[char], text: &[char]) -> Option<f32> {
    let limit = tolerance(pattern.len());
    if pattern == text {
        return Some(0.0);
    }
    if limit == 0.0 || pattern.len().abs_diff(text.len()) as f32 * CHEAP > limit {
        return None;
    }
    let d = last_row(pattern, text, limit)?[text.len() + BAND - pattern.len()];
    (d <= limit).then_some(d)
}

/// The cost of reading the start of `text` as `pattern`, the rest of `text`
/// free, if within `limit` (at most [`tolerance`] of `pattern`'s length): a
/// pattern word with the next word glued on ("ymmärräntäisin" for "ymmärrän
/// täysin").
pub fn prefix_distance(pattern: &[char], text: &[char], limit: f32) -> Option<f32> {
    let limit = limit.min(tolerance(pattern.len()));
    if limit == 0.0 || text.len() + BAND < pattern.len() {
        return None;
    }
    let d = last_row(pattern, text, limit)?
        .into_iter()
        .fold(f32::INFINITY, f32::min);
    (d <= limit).then_some(d)
}

const W: usize = 2 * BAND + 1;

/// The last row of the edit-distance table of `text` read as `pattern`, or
/// `None` once every cell exceeds `limit`.
///
/// Insertions and deletions cost at least CHEAP, so a reading within the limit
/// never strays more than `limit / CHEAP` <= BAND characters from the diagonal: a
/// banded dynamic programme over the cells with |i - j| <= BAND gives the exact
/// distance whenever it is within the limit (and more than the limit otherwise).
/// `prev[d]` and `cur[d]` hold D[i][j] for j = i + d - BAND: the cost of reading
/// text[..j] as pattern[..i]; cells past the end of `text` stay infinite.
fn last_row(pattern: &[char], text: &[char], limit: f32) -> Option<[f32; W]> {
    let mut prev = [f32::INFINITY; W];
    prev[BAND] = 0.0;
    for d in BAND + 1..W {
        let j = d - BAND;
        if j <= text.len() {
            prev[d] = prev[d - 1] + indel_cost(text, j - 1);
        }
    }
    for i in 1..=pattern.len() {
        let mut cur = [f32::INFINITY; W];
        for d in 0..W {
            let Some(j) = (i + d).checked_sub(BAND).filter(|&j| j <= text.len()) else {
                continue;
            };
            let delete = prev
                .get(d + 1)
                .map_or(f32::INFINITY, |c| c + indel_cost(pattern, i - 1));
            cur[d] = if j == 0 {
                delete
            } else {
                let substitute = prev[d] + substitution_cost(pattern[i - 1], text[j - 1]);
                let insert = if d > 0 {
                    cur[d - 1] + indel_cost(text, j - 1)
                } else {
                    f32::INFINITY
                };
                substitute.min(delete).min(insert)
            };
        }
        if cur.iter().all(|&c| c > limit) {
            return None;
        }
        prev = cur;
    }
    Some(prev)
}

/// The most edits a reading within `limit` can hold: none costs less than [`CHEAP`].
fn max_edits(limit: f32) -> u32 {
    (limit / CHEAP) as u32
}

/// The letter class of `c` (a–z, å, ä, ö; anything else shares one class), for
/// [`Signature`]. Merging characters into one class only hides differences, so
/// every bound below stays a lower bound.
fn class(c: char) -> u32 {
    match c {
        'a'..='z' => c as u32 - 'a' as u32,
        'å' => 26,
        'ä' => 27,
        'ö' => 28,
        _ => 29,
    }
}

/// Whether `bits` has at most `n` bits set: clears the lowest set bit `n` times.
/// Cheaper than `count_ones` for the small `n` here where the build targets no
/// popcount instruction.
fn at_most(mut bits: u64, n: u32) -> bool {
    for _ in 0..n {
        bits &= bits.wrapping_sub(1);
    }
    bits == 0
}

/// Bit sets summarising a word, for rejecting pairs that cannot be within a
/// tolerance before the edit-distance table is filled: pattern words are compared
/// with every new transcript word of similar length, and almost none are close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// Letter classes occurring at least once (bits 0–29), and at least twice
    /// (the same bits shifted by 32).
    letters: u64,
    /// Adjacent pairs of letter classes, hashed to 64 bits.
    pairs: u64,
}

impl Signature {
    pub fn of(word: &[char]) -> Self {
        let mut sig = Signature {
            letters: 0,
            pairs: 0,
        };
        let mut prev: Option<u32> = None;
        for &c in word {
            let k = class(c);
            sig.letters |= (sig.letters & 1 << k) << 32 | 1 << k;
            if let Some(j) = prev {
                sig.pairs |= 1 << ((j * 30 + k).wrapping_mul(0x9e37_79b9) >> 26);
            }
            prev = Some(k);
        }
        sig
    }

    /// As many bits as a lower bound on the letters of `self`'s word that `other`'s
    /// lacks, counted with multiplicity: Σ over classes of max(0, count here − count
    /// there) is at least one per class present here but absent there, plus one per
    /// class present twice here but at most once there.
    fn missing_from(&self, other: &Signature) -> u64 {
        self.letters & !other.letters
    }

    /// As many bits as a lower bound on the adjacent pairs of `self`'s word that
    /// occur nowhere in `other`'s: a hashed bit missing there means every pair
    /// hashed to it is.
    fn pairs_missing_from(&self, other: &Signature) -> u64 {
        self.pairs & !other.pairs
    }

    /// A necessary condition for [`distance`]`(pattern, text) <= limit`, `self`
    /// being the pattern's signature. Within the limit the reading has at most
    /// `e = limit / CHEAP` edits (no edit costs less than [`CHEAP`]), and:
    /// - each letter one word has more often than the other needs an edit of its
    ///   own (a substitution or deletion removes one letter of the pattern, a
    ///   substitution or insertion adds one of the text), so at most `e` either way;
    /// - an adjacent pair of the pattern that no edit touches occurs in the text
    ///   too, and an edit touches at most two pairs (a substitution or deletion the
    ///   pairs either side, an insertion the one it splits); the same holds for the
    ///   text's pairs, so at most `2e` pairs either way occur only in one word.
    pub fn may_be_within(&self, text: &Signature, limit: f32) -> bool {
        let e = max_edits(limit);
        at_most(self.missing_from(text), e)
            && at_most(text.missing_from(self), e)
            && at_most(self.pairs_missing_from(text), 2 * e)
            && at_most(text.pairs_missing_from(self), 2 * e)
    }

    /// [`Self::may_be_within`] for [`prefix_distance`]: only what the pattern has
    /// and the text lacks counts, as the text's extra letters and pairs may belong
    /// to the glued-on word (the untouched pairs of the pattern lie in the text's
    /// start, so in the text).
    pub fn may_start_within(&self, text: &Signature, limit: f32) -> bool {
        let e = max_edits(limit);
        at_most(self.missing_from(text), e) && at_most(self.pairs_missing_from(text), 2 * e)
    }
}

/// Whether two written forms differ at most in the length of their sounds
/// ("mutin" and "muutin"): what an exact pattern form (`=muutin`) tolerates.
pub fn same_but_for_length(a: &str, b: &str) -> bool {
    let mut a = a.chars().peekable();
    let mut b = b.chars().peekable();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => {
                while a.next_if_eq(&x).is_some() {}
                while b.next_if_eq(&x).is_some() {}
            }
            _ => return false,
        }
    }
}

/// Random words and Whisper-like misspellings for the randomised tests here and in
/// `vocab`: deterministic (xorshift), so a failure repeats.
#[cfg(test)]
pub(crate) mod random_words {
    pub struct Rng(pub u64);

    impl Rng {
        /// A number in `0..n`.
        pub fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        pub fn word(&mut self, len: usize, alphabet: &[char]) -> Vec<char> {
            (0..len)
                .map(|_| alphabet[self.below(alphabet.len())])
                .collect()
        }

        /// Up to four random edits: a letter changed, dropped, doubled (the cheap
        /// insertion) or inserted.
        pub fn misspell(&mut self, word: &mut Vec<char>, alphabet: &[char]) {
            for _ in 0..self.below(5) {
                let i = self.below(word.len() + 1);
                match self.below(4) {
                    0 if i < word.len() => word[i] = alphabet[self.below(alphabet.len())],
                    1 if i < word.len() => {
                        word.remove(i);
                    }
                    2 if i < word.len() => word.insert(i, word[i]),
                    _ => word.insert(i, alphabet[self.below(alphabet.len())]),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(p: &str, t: &str) -> Option<f32> {
        let p: Vec<char> = p.chars().collect();
        let t: Vec<char> = t.chars().collect();
        distance(&p, &t)
    }

    #[test]
    fn short_words_must_match_exactly() {
        assert_eq!(d("voi", "voi"), Some(0.0));
        assert_eq!(d("voi", "moi"), None);
        assert_eq!(d("ei", "on"), None);
        assert_eq!(d("en", "een"), None);
    }

    #[test]
    fn one_cheap_error_on_mid_length_stems() {
        assert_eq!(d("väär", "määr"), Some(0.5));
        assert_eq!(d("päivä", "täivä"), Some(0.5));
        assert_eq!(d("selvä", "selve"), Some(0.5));
        assert_eq!(d("heipp", "heip"), Some(0.5), "a consonant undoubled");
        assert_eq!(d("puhu", "puuhu"), Some(0.5), "a vowel doubled");
        assert_eq!(d("väär", "vär"), Some(0.5));
        assert_eq!(d("väär", "vääk"), None, "r→k is a full edit");
        assert_eq!(
            d("hetk", "hek"),
            None,
            "a dropped single letter is a full edit"
        );
        assert_eq!(d("päivä", "täimä"), None, "two cheap errors are too many");
    }

    #[test]
    fn one_edit_on_longer_stems() {
        assert_eq!(d("tarkist", "tarkkist"), Some(0.5));
        assert_eq!(d("tarkist", "tarkastu"), None);
        assert_eq!(d("pahoittel", "pahottel"), Some(1.0));
        assert_eq!(d("kuulostaa", "kulosta"), Some(1.0), "two vowels undoubled");
        assert_eq!(
            d("palaan", "paran"),
            Some(1.0),
            "l→r and an undoubled vowel"
        );
        assert_eq!(d("palaan", "paranne"), None);
    }

    #[test]
    fn prefixes_leave_the_glued_rest_free() {
        let p = |p: &str, t: &str| {
            let p: Vec<char> = p.chars().collect();
            let t: Vec<char> = t.chars().collect();
            prefix_distance(&p, &t, 1.0)
        };
        assert_eq!(p("ymmärrän", "ymmärräntäisin"), Some(0.0));
        assert_eq!(p("harmillista", "harmilistaa"), Some(0.5));
        assert_eq!(p("ymmärrän", "ymmärtäisin"), None);
        assert_eq!(p("ymmärrän", "ymmär"), None);
        assert_eq!(p("selvitän", "selvityksen"), None);
    }

    #[test]
    fn length_only_differences() {
        assert!(same_but_for_length("muutin", "mutin"));
        assert!(same_but_for_length("muutin", "muutin"));
        assert!(same_but_for_length("korjattiin", "korjatin"));
        assert!(!same_but_for_length("peruin", "perun"));
        assert!(!same_but_for_length("muutin", "muutan"));
        assert!(!same_but_for_length("muutin", "muuti"));
    }

    /// The full edit-distance table, without band or early exit.
    fn full_distance(p: &[char], t: &[char]) -> f32 {
        let mut prev = vec![0.0; t.len() + 1];
        for j in 0..t.len() {
            prev[j + 1] = prev[j] + indel_cost(t, j);
        }
        for (i, &pc) in p.iter().enumerate() {
            let mut cur = vec![prev[0] + indel_cost(p, i); t.len() + 1];
            for (j, &tc) in t.iter().enumerate() {
                cur[j + 1] = (prev[j] + substitution_cost(pc, tc))
                    .min(prev[j + 1] + indel_cost(p, i))
                    .min(cur[j] + indel_cost(t, j));
            }
            prev = cur;
        }
        prev[t.len()]
    }

    #[test]
    fn banded_distance_equals_the_full_table_within_tolerance() {
        let alphabet = ['a', 'ä', 'v', 'm', 'o', 'ö', 'k', 'p', 't', 'l', 'r', 'e'];
        let mut rng = super::random_words::Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..40_000 {
            let len = 4 + rng.below(9);
            let p = rng.word(len, &alphabet);
            let mut t = p.clone();
            rng.misspell(&mut t, &alphabet);
            let full = full_distance(&p, &t);
            if full <= tolerance(p.len()) {
                assert!(
                    Signature::of(&p).may_be_within(&Signature::of(&t), tolerance(p.len())),
                    "{p:?} {t:?}"
                );
            }
            let expected = (full <= tolerance(p.len())).then_some(full);
            assert_eq!(distance(&p, &t), expected, "{p:?} {t:?}");
        }
    }

    #[test]
    fn very_long_stems_take_an_edit_and_a_cheap_error() {
        assert_eq!(d("valtuuksiavart", "maltuksiavart"), Some(1.0));
        assert_eq!(d("valtuuksiavart", "maltuksiamart"), Some(1.5));
        assert_eq!(d("valtuuksiavart", "maltuksiakart"), None);
    }
}
