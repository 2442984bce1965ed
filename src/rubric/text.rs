//! Finnish text normalisation shared by rubric patterns, transcripts and the
//! metrics lexicons: both sides of every comparison go through [`tokenize`], so a
//! pattern written in standard Finnish meets spoken Finnish and Whisper's output
//! half-way.
//!
//! Steps, in order: Unicode NFC and lower case; split on anything that is not a
//! letter or digit (sentence punctuation and "mutta" start a new clause);
//! colloquial forms replaced from [`COLLOQUIAL`] ("mä" → "minä", "ei oo" →
//! "ei ole", "emmä" → "en minä"); number words replaced by digits ("kolmeen" →
//! "3"); each token stemmed with the Snowball Finnish stemmer.

use crate::rubric::fasthash::FastMap;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// One normalised word of a pattern or of a transcript turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Lower-case standard form after the colloquial table ("minä").
    pub surface: Rc<str>,
    /// Snowball stem of `surface`; digits for numbers.
    pub stem: Rc<str>,
    /// A negation verb form ("en", "ei", "eikä", ...).
    pub negation: bool,
    /// A number, written with digits or words.
    pub number: bool,
    /// The first token after sentence punctuation, a comma or "mutta".
    pub clause_start: bool,
    /// Index of the source piece (segment) the token came from.
    pub piece: usize,
    /// Position of the token inside its piece and the piece's token count.
    pub pos_in_piece: (usize, usize),
}

/// Spoken forms and the standard Finnish Whisper tends to write instead.
/// A replacement may be several words ("emmä" → "en minä").
pub const COLLOQUIAL: &[(&str, &str)] = &[
    ("mä", "minä"),
    ("mää", "minä"),
    ("mie", "minä"),
    ("sä", "sinä"),
    ("sää", "sinä"),
    ("sie", "sinä"),
    ("mun", "minun"),
    ("sun", "sinun"),
    ("mul", "minulla"),
    ("mulla", "minulla"),
    ("sul", "sinulla"),
    ("sulla", "sinulla"),
    ("mulle", "minulle"),
    ("sulle", "sinulle"),
    ("multa", "minulta"),
    ("sulta", "sinulta"),
    ("mua", "minua"),
    ("sua", "sinua"),
    ("oo", "ole"),
    ("oon", "olen"),
    ("oot", "olet"),
    ("ootte", "olette"),
    ("ootko", "oletko"),
    ("ookko", "oletko"),
    ("ollu", "ollut"),
    ("ois", "olisi"),
    ("olis", "olisi"),
    ("vois", "voisi"),
    ("voisitteks", "voisitteko"),
    ("voinks", "voinko"),
    ("pitäis", "pitäisi"),
    ("tää", "tämä"),
    ("tän", "tämän"),
    ("toi", "tuo"),
    ("ton", "tuon"),
    ("nää", "nämä"),
    ("noi", "nuo"),
    ("meiän", "meidän"),
    ("teiän", "teidän"),
    ("niiän", "niiden"),
    ("tiiä", "tiedä"),
    ("tiiän", "tiedän"),
    ("tiietään", "tiedetään"),
    ("emmä", "en minä"),
    ("etsä", "et sinä"),
    ("eiks", "eikö"),
    ("onks", "onko"),
    ("oliks", "oliko"),
    ("voiks", "voiko"),
    ("kyl", "kyllä"),
    ("sit", "sitten"),
    ("sitte", "sitten"),
    ("ny", "nyt"),
    ("vähä", "vähän"),
    ("tänää", "tänään"),
    ("huomen", "huomenna"),
    ("kans", "kanssa"),
    ("anteeks", "anteeksi"),
    ("kiitti", "kiitos"),
    ("kiitoksia", "kiitos"),
    ("pahottelen", "pahoittelen"),
    ("pahottelut", "pahoittelut"),
    ("semmonen", "sellainen"),
    ("tämmönen", "tällainen"),
    ("tommonen", "tuollainen"),
    ("mitäs", "mitä"),
    ("kato", "katso"),
    ("katon", "katson"),
    ("kattoo", "katsoa"),
    ("katotaan", "katsotaan"),
    ("katotaa", "katsotaan"),
    ("tuu", "tule"),
    ("tuun", "tulen"),
    ("meen", "menen"),
    ("mee", "mene"),
    ("soitetaa", "soitetaan"),
    ("selvitetää", "selvitetään"),
    ("hoidetaa", "hoidetaan"),
    ("mennää", "mennään"),
    ("ettei", "että ei"),
    ("kaks", "kaksi"),
    ("yks", "yksi"),
    ("viis", "viisi"),
    ("kuus", "kuusi"),
    ("seittemän", "seitsemän"),
    ("kaheksan", "kahdeksan"),
    ("yheksän", "yhdeksän"),
    ("pomon", "esimiehen"),
    ("pomo", "esimies"),
];

/// Number words in the cases a time or count is usually said in, and their digits.
const NUMBERS: &[(&str, &str)] = &[
    ("yksi", "1"),
    ("yhden", "1"),
    ("yhteen", "1"),
    ("kaksi", "2"),
    ("kahden", "2"),
    ("kahteen", "2"),
    ("kolme", "3"),
    ("kolmen", "3"),
    ("kolmeen", "3"),
    ("neljä", "4"),
    ("neljän", "4"),
    ("neljään", "4"),
    ("viisi", "5"),
    ("viiden", "5"),
    ("viiteen", "5"),
    ("kuusi", "6"),
    ("kuuden", "6"),
    ("kuuteen", "6"),
    ("seitsemän", "7"),
    ("seitsemään", "7"),
    ("kahdeksan", "8"),
    ("kahdeksaan", "8"),
    ("yhdeksän", "9"),
    ("yhdeksään", "9"),
    ("kymmenen", "10"),
    ("kymmeneen", "10"),
    ("yksitoista", "11"),
    ("yhteentoista", "11"),
    ("kaksitoista", "12"),
    ("kahteentoista", "12"),
];

/// Negation verb forms (after the colloquial table). "eikö" is a question, not one.
const NEGATIONS: &[&str] = &[
    "en",
    "et",
    "ei",
    "emme",
    "ette",
    "eivät",
    "enkä",
    "etkä",
    "eikä",
    "emmekä",
    "ettekä",
    "eivätkä",
    "ellei",
    "älä",
    "älkää",
];

/// Words that start a new clause like punctuation does: a negation before them
/// does not reach past them ("en tiedä mutta voin selvittää").
const CLAUSE_WORDS: &[&str] = &["mutta", "vaan"];

/// Splits `text` into normalised tokens; `piece` tags them with their source.
pub fn tokenize(text: &str, piece: usize) -> Vec<Token> {
    let mut out = Vec::new();
    tokenize_into(text, piece, &mut out);
    out
}

/// Appends the tokens of `text` to `out` (see [`tokenize`]).
pub fn tokenize_into(text: &str, piece: usize, out: &mut Vec<Token>) {
    let first = out.len();
    // Most text is already NFC; composing it again is wasted work.
    if unicode_normalization::is_nfc_quick(text.chars()) == IsNormalized::Yes {
        split_words(text.chars(), piece, out);
    } else {
        split_words(text.nfc(), piece, out);
    }
    let n = out.len() - first;
    for (i, t) in out[first..].iter_mut().enumerate() {
        t.pos_in_piece = (i, n);
    }
}

fn split_words(chars: impl Iterator<Item = char>, piece: usize, out: &mut Vec<Token>) {
    let mut clause_start = true;
    let mut word = String::new();
    for c in chars
        .flat_map(char::to_lowercase)
        .chain(std::iter::once(' '))
    {
        if c.is_alphanumeric() {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            push_word(&word, piece, clause_start, out);
            clause_start = false;
            word.clear();
        }
        if matches!(c, '.' | ',' | '?' | '!' | ';' | ':' | '—' | '–') {
            clause_start = true;
        }
    }
}

fn table(pairs: &'static [(&'static str, &'static str)]) -> FastMap<&'static str, &'static str> {
    pairs.iter().copied().collect()
}

/// What one written word normalises to (one or more tokens, without position).
struct Normal {
    surface: Rc<str>,
    stem: Rc<str>,
    negation: bool,
    number: bool,
    clause_word: bool,
}

/// Distinct words memoised per thread before the memo is cleared.
const WORD_MEMO_LIMIT: usize = 100_000;

fn push_word(word: &str, piece: usize, clause_start: bool, out: &mut Vec<Token>) {
    // Calls repeat their words; normalising each distinct word once per thread
    // avoids the table lookups, the stemmer and the allocations for the rest.
    thread_local! {
        static WORDS: RefCell<FastMap<Box<str>, Rc<[Normal]>>> = RefCell::new(FastMap::default());
    }
    let parts = WORDS.with_borrow_mut(|memo| {
        if let Some(p) = memo.get(word) {
            return p.clone();
        }
        if memo.len() >= WORD_MEMO_LIMIT {
            memo.clear();
        }
        let p = normalise(word);
        memo.insert(word.into(), p.clone());
        p
    });
    for (i, n) in parts.iter().enumerate() {
        out.push(Token {
            surface: n.surface.clone(),
            stem: n.stem.clone(),
            negation: n.negation,
            number: n.number,
            clause_start: (clause_start && i == 0) || n.clause_word,
            piece,
            pos_in_piece: (0, 0),
        });
    }
}

fn normalise(word: &str) -> Rc<[Normal]> {
    static SPOKEN: OnceLock<FastMap<&str, &str>> = OnceLock::new();
    static NUMBER_WORDS: OnceLock<FastMap<&str, &str>> = OnceLock::new();
    let spoken = SPOKEN.get_or_init(|| table(COLLOQUIAL));
    let numbers = NUMBER_WORDS.get_or_init(|| table(NUMBERS));
    let expanded = spoken.get(word).copied().unwrap_or(word);
    let parts = expanded.split(' ').map(|part| {
        let number = numbers.get(part).copied();
        let is_digits = part.chars().all(|c| c.is_ascii_digit());
        let stem = match number {
            Some(d) => d.to_string(),
            None if is_digits => part.trim_start_matches('0').to_string(),
            None => stem(part),
        };
        Normal {
            surface: part.into(),
            stem: stem.into(),
            negation: NEGATIONS.contains(&part),
            number: number.is_some() || is_digits,
            clause_word: CLAUSE_WORDS.contains(&part),
        }
    });
    parts.collect()
}

/// Snowball Finnish stem of one lower-case word.
pub fn stem(word: &str) -> String {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER
        .get_or_init(|| Stemmer::create(Algorithm::Finnish))
        .stem(word)
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surfaces(text: &str) -> Vec<String> {
        tokenize(text, 0)
            .into_iter()
            .map(|t| t.surface.to_string())
            .collect()
    }

    #[test]
    fn colloquial_forms_become_standard() {
        assert_eq!(
            surfaces("Se ei oo meiän ongelma"),
            ["se", "ei", "ole", "meidän", "ongelma"]
        );
        assert_eq!(surfaces("emmä tiiä"), ["en", "minä", "tiedä"]);
    }

    #[test]
    fn numbers_in_words_and_digits_meet() {
        let words = tokenize("soitan kolmeen mennessä", 0);
        let digits = tokenize("soitan klo 3 mennessä", 0);
        assert_eq!(&*words[1].stem, "3");
        assert!(words[1].number);
        assert_eq!(&*digits[2].stem, "3");
    }

    #[test]
    fn inflected_forms_share_a_stem() {
        assert_eq!(stem("väärän"), stem("väärää"));
        assert_eq!(stem("valtuuksia"), stem("valtuuksien"));
    }

    #[test]
    fn punctuation_and_mutta_start_clauses() {
        let t = tokenize("En tiedä, mutta voin selvittää.", 0);
        let starts: Vec<bool> = t.iter().map(|t| t.clause_start).collect();
        assert_eq!(starts, [true, false, true, false, false]);
        assert!(t[0].negation);
        assert_eq!(t[4].pos_in_piece, (4, 5));
    }

    #[test]
    fn nfc_and_case_are_folded() {
        // "ä" written as a + combining diaeresis.
        assert_eq!(surfaces("VA\u{0308}A\u{0308}RA\u{0308}N"), ["väärän"]);
    }
}
