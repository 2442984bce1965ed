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
//!
//! Calls repeat their words, so each distinct written word is normalised once per
//! thread ([`Word`]s are memoised by the word as written) and tokens share it.

use crate::finnish::fasthash::FastMap;
use crate::finnish::matcher::Readings;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// One normalised word of a pattern or of a transcript turn.
#[derive(Debug, Clone)]
pub struct Token {
    /// What the word normalises to, shared with every other occurrence of it.
    pub word: Rc<Word>,
    /// The first token after sentence punctuation, a comma or "mutta".
    pub clause_start: bool,
    /// The first token of its piece or after ".", "?", "!" or ";".
    pub sentence_start: bool,
    /// The last word before a "?": its sentence is a question.
    pub question_end: bool,
    /// Index of the source piece (segment) the token came from. (`u32`s keep a
    /// token to 24 bytes: a night's calls are millions of tokens.)
    pub piece: u32,
    /// Position of the token inside its piece and the piece's token count.
    pub pos_in_piece: (u32, u32),
}

/// A normalised word (one written word may give several: "emmä" → "en", "minä").
#[derive(Debug)]
pub struct Word {
    /// Lower-case standard form after the colloquial table ("minä").
    pub surface: Box<str>,
    /// Snowball stem of `surface`; digits for numbers.
    pub stem: Box<str>,
    /// A negation verb form ("en", "ei", "eikä", ...).
    pub negation: bool,
    /// A number, written with digits or words.
    pub number: bool,
    /// "mutta" or "vaan": starts a clause wherever it stands.
    pub(crate) clause_word: bool,
    /// Unique within the thread, so pairs of words can be memoised by id.
    pub(crate) id: u64,
    /// What each pattern set reads this word as, filled in by the matcher.
    pub(crate) readings: Readings,
    /// Where the rubric's learned model memoised this word on this thread: the
    /// memo's generation (0: never) and the word's index in it.
    pub(crate) learned_memo: Cell<(u64, u32)>,
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
    // "Just" is spoken "juuri" in both its senses: "tein sen just", "just niin".
    ("just", "juuri"),
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
    // The spoken passive with -hään ("Joo, tehään niin"): Voikko knows only the written
    // form, and the stem alone would read "tehään" as any form of "tehdä", "teen" too.
    ("tehään", "tehdään"),
    ("tehhään", "tehdään"),
    ("nähään", "nähdään"),
    ("käyään", "käydään"),
    ("saahaan", "saadaan"),
    ("tuuaan", "tuodaan"),
    ("viiään", "viedään"),
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
    // Words average more than four bytes with their separator.
    out.reserve(text.len() / 4 + 1);
    // Most text is already NFC; composing it again is wasted work.
    if below_combining_marks(text)
        || unicode_normalization::is_nfc_quick(text.chars()) == IsNormalized::Yes
    {
        split_words(text, piece, out);
    } else {
        split_words(&text.nfc().collect::<String>(), piece, out);
    }
    let n = piece_u32(out.len() - first);
    for (i, t) in (0..).zip(out[first..].iter_mut()) {
        t.pos_in_piece = (i, n);
    }
    mark_spoken_that(&mut out[first..]);
}

/// Subjects after which a spoken "et" is "että" ("sanoin et mä tuun"), not the
/// negation "et" (which comes with "sä", "sinä" or no subject: "et sä tiedä").
const THAT_SUBJECTS: &[&str] = &[
    "minä", "me", "myö", "se", "ne", "hän", "tämä", "nämä", "tuo", "nuo",
];

/// "et" read as "että" starts a new clause at its subject, so the negation guard
/// does not read "mää teen näin, et mää laitan reklamaation" as negated.
fn mark_spoken_that(tokens: &mut [Token]) {
    for i in 1..tokens.len() {
        if tokens[i - 1].word.negation
            && &*tokens[i - 1].word.surface == "et"
            && THAT_SUBJECTS.contains(&&*tokens[i].word.surface)
        {
            tokens[i].clause_start = true;
        }
    }
}

/// A piece number or token count as stored in a [`Token`].
fn piece_u32(n: usize) -> u32 {
    u32::try_from(n).expect("fewer than 2^32 segments and tokens per segment")
}

/// Whether every character of `text` is below U+0300, where the combining marks
/// start: such text is NFC (nothing there composes or reorders, see the test),
/// and Finnish letters qualify, so most text skips the slower quick check. In
/// UTF-8 those characters are exactly the ones whose bytes are all below 0xCC.
fn below_combining_marks(text: &str) -> bool {
    text.bytes().all(|b| b < 0xCC)
}

/// Whether `c` belongs to a written word: its lower case holds a letter or digit.
/// Words are split on the original text and lower-cased afterwards (on a memo
/// miss), which gives the same words as lower-casing first: a character that is
/// not part of a word lower-cases to no letter or digit, and no lower case is
/// punctuation.
fn in_word(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{c0}'..='\u{ff}').contains(&c) {
        // Latin-1 letters (ä, ö, å, é, ...): all but × and ÷ in this range.
        c != '×' && c != '÷'
    } else {
        c.is_alphanumeric() || c.to_lowercase().any(char::is_alphanumeric)
    }
}

fn split_words(text: &str, piece: usize, out: &mut Vec<Token>) {
    let piece = piece_u32(piece);
    WORDS.with_borrow_mut(|memo| {
        let (mut clause_start, mut sentence_start) = (true, true);
        let mut word_start = None;
        let first = out.len();
        for (i, c) in text.char_indices() {
            if in_word(c) {
                word_start.get_or_insert(i);
                continue;
            }
            if let Some(start) = word_start.take() {
                let starts = (clause_start, sentence_start);
                push_word(memo, &text[start..i], piece, starts, out);
                (clause_start, sentence_start) = (false, false);
            }
            if matches!(c, '.' | ',' | '?' | '!' | ';' | ':' | '—' | '–') {
                clause_start = true;
            }
            if matches!(c, '?' | '!' | ';') || (c == '.' && full_stop(&text[i + 1..])) {
                sentence_start = true;
            }
            if c == '?'
                && out.len() > first
                && let Some(last) = out.last_mut()
            {
                last.question_end = true;
            }
        }
        if let Some(start) = word_start {
            let starts = (clause_start, sentence_start);
            push_word(memo, &text[start..], piece, starts, out);
        }
    });
}

/// Whether a "." followed by `rest` ends a sentence: not inside a number or date
/// ("6.10", "12.10. kello 11"), after an abbreviation ("esim. jos") or in a
/// trailing-off "mä mietin... joo", where the next word does not start with a capital.
fn full_stop(rest: &str) -> bool {
    match rest.trim_start_matches(['.', ' ']).chars().next() {
        Some(next) => !(next.is_ascii_digit() && !rest.starts_with(' ') || next.is_lowercase()),
        None => true,
    }
}

fn table(pairs: &'static [(&'static str, &'static str)]) -> FastMap<&'static str, &'static str> {
    pairs.iter().copied().collect()
}

/// Distinct written words memoised per thread before the memo is cleared.
const WORD_MEMO_LIMIT: usize = 100_000;

/// Written word (original case) → what it normalises to.
#[derive(Default)]
struct WordMemo {
    /// Words of up to 16 bytes, keyed by their bytes zero-padded into an integer
    /// (no word contains a zero byte): most words, compared without a memcmp call.
    short: FastMap<u128, Words>,
    long: FastMap<Box<str>, Words>,
}

/// The words one written word normalises to: almost always one, kept in the memo
/// itself so a hit follows no further pointer.
enum Words {
    One(Rc<Word>),
    /// None, or several ("emmä" → "en", "minä").
    Other(Box<[Rc<Word>]>),
}

impl Words {
    fn as_slice(&self) -> &[Rc<Word>] {
        match self {
            Words::One(word) => std::slice::from_ref(word),
            Words::Other(words) => words,
        }
    }
}

impl WordMemo {
    fn get(&mut self, written: &str) -> &[Rc<Word>] {
        if self.short.len() + self.long.len() >= WORD_MEMO_LIMIT {
            self.short.clear();
            self.long.clear();
        }
        let make = || normalise_written(written);
        if written.len() <= 16 {
            let key = padded_key(written.as_bytes());
            self.short.entry(key).or_insert_with(make).as_slice()
        } else if self.long.contains_key(written) {
            self.long[written].as_slice()
        } else {
            self.long
                .entry(written.into())
                .or_insert_with(make)
                .as_slice()
        }
    }
}

/// `bytes` (at most 16) zero-padded into an integer, little-endian. Read with
/// overlapping unaligned loads, not copied into a padded buffer: a buffer written
/// byte by byte and read back whole stalls the load on most CPUs.
fn padded_key(bytes: &[u8]) -> u128 {
    let len = bytes.len();
    debug_assert!(len <= 16);
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    // The bytes past the first 8 (or 4): the end of a window that ends where they do, shifted down.
    let (low, high) = if len >= 8 {
        let high = if len > 8 {
            u64_at(len - 8) >> ((16 - len) * 8)
        } else {
            0
        };
        (u64_at(0), high)
    } else if len >= 4 {
        let rest = if len > 4 {
            u64::from(u32_at(len - 4) >> ((8 - len) * 8))
        } else {
            0
        };
        (u64::from(u32_at(0)) | rest << 32, 0)
    } else {
        let low = bytes
            .iter()
            .rev()
            .fold(0u64, |acc, &b| acc << 8 | u64::from(b));
        (low, 0)
    };
    u128::from(high) << 64 | u128::from(low)
}

thread_local! {
    static WORDS: RefCell<WordMemo> = RefCell::new(WordMemo::default());
    static NEXT_WORD_ID: Cell<u64> = const { Cell::new(0) };
}

fn push_word(
    memo: &mut WordMemo,
    written: &str,
    piece: u32,
    (clause_start, sentence_start): (bool, bool),
    out: &mut Vec<Token>,
) {
    for (i, word) in memo.get(written).iter().enumerate() {
        out.push(Token {
            word: word.clone(),
            clause_start: (clause_start && i == 0) || word.clause_word,
            sentence_start: sentence_start && i == 0,
            question_end: false,
            piece,
            pos_in_piece: (0, 0),
        });
    }
}

/// The words of one written word: lower case can split it further (a capital
/// whose lower case carries a combining mark), and the colloquial table can
/// expand it.
fn normalise_written(written: &str) -> Words {
    let lower: String = written.chars().flat_map(char::to_lowercase).collect();
    let mut words: Vec<Rc<Word>> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .flat_map(normalise)
        .map(Rc::new)
        .collect();
    if words.len() == 1 {
        Words::One(words.remove(0))
    } else {
        Words::Other(words.into())
    }
}

fn normalise(word: &str) -> impl Iterator<Item = Word> + '_ {
    static SPOKEN: OnceLock<FastMap<&str, &str>> = OnceLock::new();
    static NUMBER_WORDS: OnceLock<FastMap<&str, &str>> = OnceLock::new();
    let spoken = SPOKEN.get_or_init(|| table(COLLOQUIAL));
    let numbers = NUMBER_WORDS.get_or_init(|| table(NUMBERS));
    let expanded = spoken.get(word).copied().unwrap_or(word);
    expanded.split(' ').map(|part| {
        let number = numbers.get(part).copied();
        let is_digits = part.chars().all(|c| c.is_ascii_digit());
        let stem = match number {
            Some(d) => d.to_string(),
            None if is_digits => part.trim_start_matches('0').to_string(),
            None => stem(part),
        };
        Word {
            surface: part.into(),
            stem: stem.into(),
            negation: NEGATIONS.contains(&part),
            number: number.is_some() || is_digits,
            clause_word: CLAUSE_WORDS.contains(&part),
            id: NEXT_WORD_ID.with(|next| next.replace(next.get() + 1)),
            readings: Readings::default(),
            learned_memo: Cell::new((0, 0)),
        }
    })
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

    #[test]
    fn a_padded_key_is_the_bytes_zero_padded() {
        let text = "abcdefghijklmnop";
        for len in 0..=16 {
            let mut padded = [0u8; 16];
            padded[..len].copy_from_slice(&text.as_bytes()[..len]);
            assert_eq!(
                padded_key(&text.as_bytes()[..len]),
                u128::from_le_bytes(padded),
                "{len} bytes"
            );
        }
    }

    fn surfaces(text: &str) -> Vec<String> {
        tokenize(text, 0)
            .into_iter()
            .map(|t| t.word.surface.to_string())
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
        assert_eq!(&*words[1].word.stem, "3");
        assert!(words[1].word.number);
        assert_eq!(&*digits[2].word.stem, "3");
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
        assert!(t[0].word.negation);
        assert_eq!(t[4].pos_in_piece, (4, 5));
    }

    #[test]
    fn sentence_punctuation_and_pieces_start_sentences() {
        let mut t = tokenize("Soitan huomenna, kun tiedän. Tilaus on tehty! Hei", 0);
        tokenize_into("ja kiitos", 1, &mut t);
        let starts: Vec<bool> = t.iter().map(|t| t.sentence_start).collect();
        assert_eq!(
            starts,
            [
                true, false, false, false, true, false, false, true, true, false
            ]
        );
    }

    #[test]
    fn the_last_word_before_a_question_mark_ends_a_question() {
        let mut t = tokenize("Mitä tapahtui? Emmä tiiä. Mikä", 0);
        tokenize_into("? Hei", 1, &mut t);
        let words: Vec<&str> = t.iter().map(|t| &*t.word.surface).collect();
        let questions: Vec<&str> = t
            .iter()
            .filter(|t| t.question_end)
            .map(|t| &*t.word.surface)
            .collect();
        // "Emmä" is two words; a piece that opens with "?" marks no word of the piece before.
        assert_eq!(
            words,
            ["mitä", "tapahtui", "en", "minä", "tiedä", "mikä", "hei"]
        );
        assert_eq!(questions, ["tapahtui"]);
    }

    #[test]
    fn a_full_stop_in_a_number_date_or_abbreviation_ends_no_sentence() {
        let t = tokenize(
            "Jos 6.10 ei käy, niin 12.10. kello 11, esim. aamulla. Sopiiko",
            0,
        );
        let starts: Vec<usize> = (0..t.len()).filter(|&i| t[i].sentence_start).collect();
        // "Jos" and "Sopiiko" only.
        assert_eq!(starts, [0, t.len() - 1]);
    }

    #[test]
    fn text_below_combining_marks_is_nfc() {
        use unicode_normalization::char::canonical_combining_class;
        for c in (0..0x300).filter_map(char::from_u32) {
            let s = c.to_string();
            assert!(below_combining_marks(&s), "{c:?}");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            assert_eq!(
                unicode_normalization::is_nfc_quick(s.chars()),
                IsNormalized::Yes,
                "{c:?}"
            );
        }
        assert!(!below_combining_marks("a\u{300}"));
        assert!(!below_combining_marks("\u{1e00}"));
    }

    #[test]
    fn nfc_and_case_are_folded() {
        // "ä" written as a + combining diaeresis.
        assert_eq!(surfaces("VA\u{0308}A\u{0308}RA\u{0308}N"), ["väärän"]);
        assert_eq!(surfaces("Väärän VÄÄRÄN väärän"), ["väärän"; 3]);
        // A capital whose lower case carries a combining mark splits the word there.
        assert_eq!(surfaces("KİRJA"), ["ki", "rja"]);
    }
}
