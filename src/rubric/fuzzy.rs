//! Token-level fuzzy comparison tuned to Whisper base's errors on Finnish: one
//! dropped, added or changed letter is forgiven on longer words, and the letter
//! swaps Whisper makes systematically (v↔m, a↔ä, o↔ö) cost half an edit.
//!
//! Tolerance by the length of the pattern's stem, in characters:
//!
//! | stem length | allowed cost | what that admits                         |
//! |-------------|--------------|------------------------------------------|
//! | 1–3         | 0            | exact only ("ei", "voi")                 |
//! | 4–5         | 0.5          | one cheap swap ("väär" ~ "määr")         |
//! | 6–9         | 1.0          | one edit, or two cheap swaps             |
//! | 10+         | 1.5          | one edit plus one cheap swap             |

/// Cost of a substitution Whisper makes systematically.
const CHEAP: f32 = 0.5;

/// The largest edit cost a pattern stem of `len` characters tolerates.
pub fn tolerance(len: usize) -> f32 {
    match len {
        0..=3 => 0.0,
        4..=5 => CHEAP,
        6..=9 => 1.0,
        _ => 1.5,
    }
}

fn substitution_cost(a: char, b: char) -> f32 {
    if a == b {
        return 0.0;
    }
    let pair = |x, y| (a == x && b == y) || (a == y && b == x);
    if pair('v', 'm') || pair('a', 'ä') || pair('o', 'ö') {
        CHEAP
    } else {
        1.0
    }
}

/// Weighted edit distance between `pattern` and `text` if it is within the
/// tolerance for `pattern`'s length, else `None`. `pattern` and `text` are stems.
pub fn distance(pattern: &[char], text: &[char]) -> Option<f32> {
    let limit = tolerance(pattern.len());
    if pattern == text {
        return Some(0.0);
    }
    if limit == 0.0 || pattern.len().abs_diff(text.len()) as f32 > limit {
        return None;
    }
    // Insertions and deletions cost 1 and no tolerance reaches 2, so a reading
    // within the limit never strays more than one character from the diagonal: a
    // banded dynamic programme over the cells with |i - j| <= 1 gives the exact
    // distance whenever it is within the limit (and more than the limit otherwise).
    // `prev[d]` and `cur[d]` hold D[i][j] for j = i + d - 1: the cost of reading
    // text[..j] as pattern[..i].
    let mut prev = [f32::INFINITY, 0.0, 1.0];
    for (i, &pc) in pattern.iter().enumerate() {
        let i = i + 1;
        let mut cur = [f32::INFINITY; 3];
        for d in 0..3 {
            let Some(j) = (i + d).checked_sub(1).filter(|&j| j <= text.len()) else {
                continue;
            };
            cur[d] = if j == 0 {
                i as f32
            } else {
                let substitute = prev[d] + substitution_cost(pc, text[j - 1]);
                let delete = prev.get(d + 1).map_or(f32::INFINITY, |c| c + 1.0);
                let insert = if d > 0 {
                    cur[d - 1] + 1.0
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
    let d = prev[text.len() + 1 - pattern.len()];
    (d <= limit).then_some(d)
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
    }

    #[test]
    fn v_to_m_is_cheap_on_mid_length_stems() {
        assert_eq!(d("väär", "määr"), Some(0.5));
        assert_eq!(d("väär", "vär"), None);
    }

    #[test]
    fn one_edit_on_longer_stems() {
        assert_eq!(d("tarkist", "tarkkist"), Some(1.0));
        assert_eq!(d("tarkist", "tarkastu"), None);
        assert_eq!(d("pahoittel", "pahottel"), Some(1.0));
    }

    /// The full edit-distance table, without band or early exit.
    fn full_distance(p: &[char], t: &[char]) -> f32 {
        let mut prev: Vec<f32> = (0..=t.len()).map(|j| j as f32).collect();
        for (i, &pc) in p.iter().enumerate() {
            let mut cur = vec![(i + 1) as f32; t.len() + 1];
            for (j, &tc) in t.iter().enumerate() {
                cur[j + 1] = (prev[j] + substitution_cost(pc, tc))
                    .min(prev[j + 1] + 1.0)
                    .min(cur[j] + 1.0);
            }
            prev = cur;
        }
        prev[t.len()]
    }

    #[test]
    fn banded_distance_equals_the_full_table_within_tolerance() {
        let letters = ['a', 'ä', 'v', 'm', 'o', 'ö', 'k'];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..20_000 {
            let p: Vec<char> = (0..4 + next(9)).map(|_| letters[next(7)]).collect();
            let mut t = p.clone();
            for _ in 0..next(4) {
                let i = next(t.len() + 1);
                match next(3) {
                    0 if i < t.len() => t[i] = letters[next(7)],
                    1 if i < t.len() => {
                        t.remove(i);
                    }
                    _ => t.insert(i, letters[next(7)]),
                }
            }
            let full = full_distance(&p, &t);
            let expected = (full <= tolerance(p.len())).then_some(full);
            assert_eq!(distance(&p, &t), expected, "{p:?} {t:?}");
        }
    }

    #[test]
    fn very_long_stems_take_an_edit_and_a_swap() {
        assert_eq!(d("valtuuksiavart", "maltuksiavart"), Some(1.5));
        assert_eq!(d("valtuuksiavart", "maltuksiamart"), None);
    }
}
