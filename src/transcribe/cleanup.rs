//! Text clean-up of what Whisper returns for one segment: empty and
//! punctuation-only output is dropped, and repetition loops ("en voi auttaa, en
//! voi auttaa, en voi auttaa ...") are cut back to one occurrence, as is a segment
//! that is one phrase said twice over, because a rubric counting phrases would
//! otherwise count an ASR failure many times.

/// The segment's text, cleaned, or `None` when nothing spoken is left.
pub fn clean_text(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let kept: Vec<&str> = kept_words(&words).into_iter().map(|i| words[i]).collect();
    let cleaned = kept.join(" ");
    if cleaned.chars().any(char::is_alphanumeric) {
        Some(cleaned)
    } else {
        None
    }
}

pub fn is_punctuation(word: &str) -> bool {
    !word.chars().any(char::is_alphanumeric)
}

/// The indices of the words a segment keeps, in order: repetition loops cut to
/// their first occurrence, and a segment that is one phrase said over again
/// ("Mitä kuulotanan? Mitä kuulotanan?", base's habit on short turns) cut to the
/// phrase once. Callers with word timestamps keep the same words' times.
pub fn kept_words(words: &[&str]) -> Vec<usize> {
    let kept = collapse_repeats(words);
    let keys: Vec<String> = kept.iter().map(|&i| key(words[i])).collect();
    match repeated_block(&keys) {
        Some(period) => kept[..period].to_vec(),
        None => kept,
    }
}

/// A word compared without case or punctuation.
fn key(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The length of a block of at least two words that the whole segment repeats
/// back to back (twice or more), if it is one.
fn repeated_block(keys: &[String]) -> Option<usize> {
    (2..=keys.len() / 2).find(|&period| {
        keys.len().is_multiple_of(period)
            && (period..keys.len()).all(|i| keys[i] == keys[i - period])
    })
}

/// Removes an n-gram (n = 1..=6) that repeats back to back more than twice,
/// keeping its first occurrence; returns the indices of the words kept.
fn collapse_repeats(words: &[&str]) -> Vec<usize> {
    let keys: Vec<String> = words.iter().map(|w| key(w)).collect();
    let mut out: Vec<usize> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let mut skipped = false;
        for n in 1..=6usize {
            if i + 3 * n > words.len() {
                break;
            }
            let same = |a: usize, b: usize| (0..n).all(|k| keys[a + k] == keys[b + k]);
            if same(i, i + n) && same(i, i + 2 * n) {
                out.extend(i..i + n);
                let mut j = i + n;
                while j + n <= words.len() && same(i, j) {
                    j += n;
                }
                i = j;
                skipped = true;
                break;
            }
        }
        if !skipped {
            out.push(i);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_empty_and_punctuation_only_output() {
        assert_eq!(clean_text("  "), None);
        assert_eq!(clean_text("..."), None);
        assert_eq!(clean_text(" - ! "), None);
    }

    #[test]
    fn collapses_repetition_loops_to_one_occurrence() {
        assert_eq!(
            clean_text("En voi auttaa, en voi auttaa, en voi auttaa, en voi auttaa.").as_deref(),
            Some("En voi auttaa,")
        );
        assert_eq!(
            clean_text("joo joo joo joo joo selvä").as_deref(),
            Some("joo selvä")
        );
    }

    #[test]
    fn a_segment_that_repeats_itself_is_said_once() {
        assert_eq!(
            clean_text("Mitä kuulotanan? Mitä kuulotanan?").as_deref(),
            Some("Mitä kuulotanan?")
        );
        assert_eq!(
            clean_text("Tämä ei kuulu meille. tämä ei kuulu meille").as_deref(),
            Some("Tämä ei kuulu meille.")
        );
        let words = ["Soitan", "huomenna.", "Soitan", "huomenna."];
        assert_eq!(kept_words(&words), vec![0, 1]);
    }

    #[test]
    fn a_phrase_repeated_inside_a_longer_segment_stays() {
        assert_eq!(
            clean_text("Selvä, selvä. Kiitos, selvä, selvä.").as_deref(),
            Some("Selvä, selvä. Kiitos, selvä, selvä.")
        );
        assert_eq!(
            clean_text("Ei se, ei se mitään.").as_deref(),
            Some("Ei se, ei se mitään.")
        );
    }

    #[test]
    fn keeps_natural_double_words() {
        assert_eq!(
            clean_text("joo joo, selvä on").as_deref(),
            Some("joo joo, selvä on")
        );
        assert_eq!(
            clean_text("Hyvää päivää, Maija täällä.").as_deref(),
            Some("Hyvää päivää, Maija täällä.")
        );
    }
}
