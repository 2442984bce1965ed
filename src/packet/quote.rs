//! A moment's quote in its line: the words the rubric matched, marked, with a
//! little of what was said around them, and the time those words begin (from the
//! words' own timings where the transcript has them), so a clip or a jump starts
//! just before the words rather than at the start of a long turn.

use super::view::Moment;
use crate::transcript::{Segment, Transcript};

/// Characters of context shown on each side of the matched words.
pub const CONTEXT_CHARS: usize = 60;

/// The quote found in the transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Quoted {
    /// Text before the matched words (with `…` when cut).
    pub before: String,
    /// The matched words as the transcript has them.
    pub mark: String,
    pub after: String,
    /// When the matched words begin, in call time.
    pub start: f64,
}

/// Finds `m`'s quote in the line of `t` it was said in: a segment of the moment's
/// party (any party for a moment that names none) overlapping the moment whose
/// text holds the quote. `None` when no line holds it (the page then shows the
/// quote alone).
pub fn locate(t: &Transcript, m: &Moment) -> Option<Quoted> {
    let quote = m.quote.trim();
    if quote.is_empty() {
        return None;
    }
    t.segments
        .iter()
        .filter(|s| s.start <= m.end && m.start <= s.end)
        .filter(|s| {
            !matches!(m.party.as_str(), "agent" | "customer") || s.party.as_str() == m.party
        })
        .find_map(|s| {
            let text = s.text.trim();
            let at = find(text, quote)?;
            let end = at + quote.len();
            Some(Quoted {
                before: tail(&text[..at]),
                mark: text[at..end].to_string(),
                after: head(&text[end..]),
                start: word_time(s, text, at),
            })
        })
}

/// Byte offset of `quote` in `text`: exactly, else ignoring case where that keeps
/// byte offsets (Finnish letters keep their length in either case).
fn find(text: &str, quote: &str) -> Option<usize> {
    text.find(quote).or_else(|| {
        let (lt, lq) = (text.to_lowercase(), quote.to_lowercase());
        (lt.len() == text.len() && lq.len() == quote.len())
            .then(|| lt.find(&lq))
            .flatten()
    })
}

/// The last [`CONTEXT_CHARS`] of `text`, cut at a word boundary.
fn tail(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= CONTEXT_CHARS {
        return text.to_string();
    }
    let cut: String = chars[chars.len() - CONTEXT_CHARS..].iter().collect();
    let from = cut.find(' ').map_or(0, |i| i + 1);
    format!("…{}", &cut[from..])
}

/// The first [`CONTEXT_CHARS`] of `text`, cut at a word boundary.
fn head(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= CONTEXT_CHARS {
        return text.to_string();
    }
    let cut: String = chars[..CONTEXT_CHARS].iter().collect();
    let to = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", &cut[..to])
}

/// When the text at byte `at` of the segment's (trimmed) `text` is said: the start
/// of the word there, or, without word timings, in proportion to the characters.
fn word_time(s: &Segment, text: &str, at: usize) -> f64 {
    let mut cursor = 0;
    for w in &s.words {
        let word = w.text.trim();
        if word.is_empty() {
            continue;
        }
        let Some(found) = text[cursor..].find(word) else {
            break;
        };
        let to = cursor + found + word.len();
        if to > at {
            return w.start;
        }
        cursor = to;
    }
    let share = text[..at].chars().count() as f64 / text.chars().count().max(1) as f64;
    s.start + share * (s.end - s.start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Attribution, Party, Word};

    fn transcript(words: Vec<Word>) -> Transcript {
        let text = " Hei, tässä Aino. Valitettavasti tämä ei kuulu meille, mutta voin antaa numeron \
                    josta saatte apua ja joka palvelee myös iltaisin ja viikonloppuisin.";
        Transcript {
            schema_version: 1,
            duration: 60.0,
            language: "fi".into(),
            attribution: Attribution::Channels,
            segments: vec![Segment {
                party: Party::Agent,
                start: 10.0,
                end: 30.0,
                text: text.into(),
                words,
            }],
        }
    }

    fn moment(quote: &str) -> Moment {
        Moment {
            behaviour: "bare_refusal".into(),
            party: "agent".into(),
            start: 10.0,
            end: 30.0,
            quote: quote.into(),
            points: -10.0,
            confidence: 1.0,
            dimension: "refusal".into(),
            verified: true,
        }
    }

    #[test]
    fn the_matched_words_are_marked_in_a_little_context() {
        let q = locate(&transcript(vec![]), &moment("ei kuulu meille")).unwrap();
        assert_eq!(q.mark, "ei kuulu meille");
        assert_eq!(q.before, "Hei, tässä Aino. Valitettavasti tämä ");
        assert_eq!(
            q.after,
            ", mutta voin antaa numeron josta saatte apua ja joka…"
        );
        // Without word timings: in proportion to the characters before the words.
        assert!(q.start > 15.0 && q.start < 18.0, "{}", q.start);
        assert!(locate(&transcript(vec![]), &moment("soita huomenna")).is_none());
    }

    #[test]
    fn the_words_own_timing_gives_the_start() {
        let word = |text: &str, start: f64| Word {
            text: text.into(),
            start,
            end: start + 0.3,
            probability: 0.9,
        };
        let words = vec![
            word(" Hei,", 10.0),
            word(" tässä", 10.5),
            word(" Aino.", 11.0),
            word(" Valitettavasti", 13.0),
            word(" tämä", 14.0),
            word(" ei", 14.6),
            word(" kuulu", 14.9),
        ];
        let q = locate(&transcript(words), &moment("Ei kuulu meille")).unwrap();
        assert_eq!(q.start, 14.6);
        assert_eq!(q.mark, "ei kuulu meille", "as the transcript has it");
    }
}
