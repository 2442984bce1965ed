//! Customer sentiment at the start and at the end of the call, from a small
//! Finnish lexicon (stemmed, colloquial forms go through the shared normaliser).
//!
//! A window's score is `(positive − negative) / (positive + negative)` over the
//! lexicon words the customer says in it, in −1..1 (0 when none). A negation up to
//! three words before flips a word ("ei hyvä" is negative, "ei ongelmaa" positive).
//! The start window is the first [`WINDOW`] of the call, the end window the last;
//! `turnaround = end − start`: the angry customer turned around scores near +2.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::finnish::fasthash::FastMap;
use crate::finnish::text::{self, Token};
use crate::transcript::{Party, Transcript};

/// Share of the call each window covers.
pub const WINDOW: f64 = 0.3;

/// Left out on purpose: "ihana" (stems like "ihan", quite) and "onneksi" (stems
/// to "on", is).
const POSITIVE: &[&str] = &[
    "kiitos",
    "kiitollinen",
    "hyvä",
    "hienoa",
    "loistava",
    "mahtava",
    "kiva",
    "ihanaa",
    "upea",
    "tyytyväinen",
    "helpotus",
    "huojentunut",
    "ystävällinen",
    "erinomainen",
    "täydellinen",
    "mukava",
    "selkeä",
    "nopea",
    "kätevä",
    "jes",
    "super",
    "ystävällisesti",
];

const NEGATIVE: &[&str] = &[
    "vihainen",
    "suuttunut",
    "raivostuttaa",
    "ärsyttää",
    "ärsyttävä",
    "kamala",
    "hirveä",
    "surkea",
    "huono",
    "pettynyt",
    "turhauttaa",
    "turhauttavaa",
    "naurettava",
    "käsittämätön",
    "tyytymätön",
    "valitus",
    "reklamaatio",
    "huijaus",
    "ongelma",
    "virhe",
    "perkele",
    "saatana",
    "helvetti",
    "jumalauta",
    "paska",
    "älytön",
    "kohtuuton",
    "törkeä",
    "typerä",
    "sotku",
    "vituttaa",
    "ikävä",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    pub start: f64,
    pub end: f64,
    pub turnaround: f64,
}

fn lexicon() -> &'static FastMap<String, f64> {
    static LEXICON: OnceLock<FastMap<String, f64>> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut map = FastMap::default();
        for (words, value) in [(POSITIVE, 1.0), (NEGATIVE, -1.0)] {
            for w in words {
                for t in text::tokenize(w, 0) {
                    map.insert(t.word.stem.to_string(), value);
                }
            }
        }
        map
    })
}

/// Polarity sum and count of lexicon words in `tokens`.
fn polarity(tokens: &[Token]) -> (f64, usize) {
    let lex = lexicon();
    let mut sum = 0.0;
    let mut n = 0;
    for (i, t) in tokens.iter().enumerate() {
        let Some(&value) = lex.get(&*t.word.stem) else {
            continue;
        };
        let negated = tokens[i.saturating_sub(3)..i]
            .iter()
            .any(|p| p.word.negation);
        sum += if negated { -value } else { value };
        n += 1;
    }
    (sum, n)
}

pub fn compute(transcript: &Transcript) -> Sentiment {
    let d = transcript.duration.max(f64::MIN_POSITIVE);
    let mut windows = [(0.0, 0usize); 2];
    for s in transcript.party_segments(Party::Customer) {
        let mid = (s.start + s.end) / 2.0;
        let w = if mid <= d * WINDOW {
            0
        } else if mid >= d * (1.0 - WINDOW) {
            1
        } else {
            continue;
        };
        let (sum, n) = polarity(&text::tokenize(&s.text, 0));
        windows[w].0 += sum;
        windows[w].1 += n;
    }
    let score = |(sum, n): (f64, usize)| if n == 0 { 0.0 } else { sum / n as f64 };
    let (start, end) = (score(windows[0]), score(windows[1]));
    Sentiment {
        start,
        end,
        turnaround: end - start,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Attribution, Segment};

    fn call(lines: &[(f64, &str)]) -> Transcript {
        let segments = lines
            .iter()
            .map(|&(start, text)| Segment {
                party: Party::Customer,
                start,
                end: start + 2.0,
                text: text.to_string(),
                words: vec![],
            })
            .collect();
        Transcript {
            schema_version: 1,
            duration: 100.0,
            language: "fi".into(),
            attribution: Attribution::Channels,
            segments,
        }
    }

    #[test]
    fn angry_customer_turned_around() {
        let t = call(&[
            (1.0, "Tää on ihan naurettavaa, mä oon tosi vihainen"),
            (50.0, "no joo"),
            (90.0, "Kiitos tosi paljon, ihanaa että hoitu"),
        ]);
        let s = compute(&t);
        assert_eq!(s.start, -1.0);
        assert_eq!(s.end, 1.0);
        assert_eq!(s.turnaround, 2.0);
    }

    #[test]
    fn negation_flips_and_silence_is_neutral() {
        let t = call(&[(1.0, "ei tää oo hyvä juttu"), (90.0, "ei mitään ongelmaa")]);
        let s = compute(&t);
        assert_eq!(s.start, -1.0);
        assert_eq!(s.end, 1.0);
        assert_eq!(compute(&call(&[(50.0, "kiitos")])).turnaround, 0.0);
    }
}
