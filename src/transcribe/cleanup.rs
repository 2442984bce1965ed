//! Text clean-up of what Whisper returns for one segment: empty and
//! punctuation-only output is dropped, and repetition loops ("en voi auttaa, en
//! voi auttaa, en voi auttaa ...") are cut back to one occurrence, because a
//! rubric counting phrases would otherwise count an ASR failure many times.

/// The segment's text, cleaned, or `None` when nothing spoken is left.
pub fn clean_text(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let kept = collapse_repeats(&words);
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

/// Removes an n-gram (n = 1..=6) that repeats back to back more than twice,
/// keeping its first occurrence.
fn collapse_repeats<'a>(words: &[&'a str]) -> Vec<&'a str> {
    let key = |w: &str| -> String {
        w.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let mut out: Vec<&'a str> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let mut skipped = false;
        for n in 1..=6usize {
            if i + 3 * n > words.len() {
                break;
            }
            let same = |a: usize, b: usize| (0..n).all(|k| key(words[a + k]) == key(words[b + k]));
            if same(i, i + n) && same(i, i + 2 * n) {
                out.extend_from_slice(&words[i..i + n]);
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
            out.push(words[i]);
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
