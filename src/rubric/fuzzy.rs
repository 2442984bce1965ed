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
    // Classic two-row dynamic programme with an early exit once a row exceeds the limit.
    let mut prev: Vec<f32> = (0..=text.len()).map(|j| j as f32).collect();
    let mut cur = vec![0.0; text.len() + 1];
    for (i, &pc) in pattern.iter().enumerate() {
        cur[0] = (i + 1) as f32;
        let mut row_min = cur[0];
        for (j, &tc) in text.iter().enumerate() {
            let v = (prev[j] + substitution_cost(pc, tc))
                .min(prev[j + 1] + 1.0)
                .min(cur[j] + 1.0);
            cur[j + 1] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[text.len()];
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

    #[test]
    fn very_long_stems_take_an_edit_and_a_swap() {
        assert_eq!(d("valtuuksiavart", "maltuksiavart"), Some(1.5));
        assert_eq!(d("valtuuksiavart", "maltuksiamart"), None);
    }
}
