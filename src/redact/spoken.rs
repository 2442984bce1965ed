//! Numbers read aloud: Whisper writes a number spoken on a call either as digits or
//! as Finnish words ("nolla neljä nolla", "neljäkymmentäviisi", "nelkytviis", "kasi"),
//! and a personal identity code's century sign as "viiva", "miinus" or "plus".
//! [`normalize`] rewrites such words as digits and signs so that the same patterns and
//! checksums find an item however it was written, and remembers where each byte of
//! the rewritten text came from so that a finding maps back to the words spoken.

use std::sync::LazyLock;

use regex::Regex;

/// `text` with number words, spoken signs and spelled letters rewritten, and for each
/// byte of it the byte range of the original text it stands for.
pub struct Normalized {
    pub text: String,
    origin: Vec<(usize, usize)>,
}

impl Normalized {
    /// The original byte range of the normalised range `start..end` (not empty).
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (self.origin[start].0, self.origin[end - 1].1)
    }
}

static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Alphabetic}+").expect("valid regex"));

/// Whether a full stop between two spoken numbers is dropped like a comma (Whisper
/// writes "Nolla yksi, neljä. Neljä kaksi." for one card number) or kept, so that a
/// number does not run into the next sentence's (two phone numbers in a row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FullStop {
    Joins,
    Splits,
}

/// What a spoken word stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Spoken {
    Number(u64),
    Sign(char),
    Letter(char),
}

struct Item {
    start: usize,
    end: usize,
    spoken: Spoken,
}

/// At most this many words are read as one number ("sata kaksi kymmentä kolme").
const MAX_WORDS: usize = 8;

/// Rewrites number words as digits ("nolla neljä nolla" → "040", "neljäkymmentä
/// viisi" and "neljä kymmentä viisi" → "45"), "viiva"/"miinus" as `-`, "plus" as `+`
/// and spelled letters ("tee", "äf") as capitals. Separators (spaces, commas, and
/// full stops as `full_stop` says) between two spoken numbers or signs are dropped,
/// so a number read out in groups becomes one digit string; a spelled letter keeps
/// one space from its neighbours (a century sign or check character), except from
/// another letter ("äf ii" → "FI"). Everything else is kept.
pub fn normalize(text: &str, full_stop: FullStop) -> Normalized {
    let items = items(text);
    let mut out = Normalized {
        text: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
    };
    let mut at = 0;
    let mut previous: Option<Spoken> = None;
    for item in &items {
        let gap = &text[at..item.start];
        let joined = previous.is_some()
            && gap.chars().all(|c| {
                c.is_whitespace() || c == ',' || (c == '.' && full_stop == FullStop::Joins)
            });
        match (joined, previous, item.spoken) {
            (true, Some(Spoken::Letter(_)), Spoken::Letter(_)) => {}
            (true, Some(Spoken::Letter(_)), _) | (true, _, Spoken::Letter(_)) => {
                out.push(" ", at, item.start)
            }
            (true, _, _) => {}
            (false, _, _) => out.copy(text, at, item.start),
        }
        let rewritten = match item.spoken {
            Spoken::Number(value) => value.to_string(),
            Spoken::Sign(c) | Spoken::Letter(c) => c.to_string(),
        };
        out.push(&rewritten, item.start, item.end);
        previous = Some(item.spoken);
        at = item.end;
    }
    out.copy(text, at, text.len());
    out
}

impl Normalized {
    fn push(&mut self, s: &str, start: usize, end: usize) {
        self.text.push_str(s);
        self.origin
            .extend(std::iter::repeat_n((start, end), s.len()));
    }

    fn copy(&mut self, text: &str, start: usize, end: usize) {
        self.text.push_str(&text[start..end]);
        self.origin.extend((start..end).map(|i| (i, i + 1)));
    }
}

/// The spoken items of `text`. Words with only spaces between them are read as one
/// number when together they make one ("neljä kymmentä viisi", "sata kaksi
/// kymmentä kolme": Whisper often splits a compound), the longest such run first;
/// a comma or full stop between them (a pause) keeps them apart, and "nolla" never
/// joins, so "nolla neljä nolla" stays three numbers.
fn items(text: &str) -> Vec<Item> {
    let words: Vec<(usize, usize, String)> = WORD
        .find_iter(text)
        .map(|m| (m.start(), m.end(), m.as_str().to_lowercase()))
        .collect();
    let mut items = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut last = i;
        while last + 1 < words.len()
            && last + 1 - i < MAX_WORDS
            && text[words[last].1..words[last + 1].0]
                .chars()
                .all(char::is_whitespace)
        {
            last += 1;
        }
        let found = (i..=last).rev().find_map(|j| {
            let joined: String = words[i..=j].iter().map(|w| w.2.as_str()).collect();
            let spoken = if j == i {
                spoken(&joined)
            } else {
                number(&joined)
            };
            spoken.map(|s| (j, s))
        });
        match found {
            Some((j, spoken)) => {
                items.push(Item {
                    start: words[i].0,
                    end: words[j].1,
                    spoken,
                });
                i = j + 1;
            }
            None => i += 1,
        }
    }
    items
}

/// What a lower-case word stands for, if anything.
fn spoken(word: &str) -> Option<Spoken> {
    match word {
        "viiva" | "väliviiva" | "tavuviiva" | "miinus" => return Some(Spoken::Sign('-')),
        "plus" => return Some(Spoken::Sign('+')),
        _ => {}
    }
    if let Some(&(_, letter)) = LETTERS.iter().find(|(name, _)| *name == word) {
        return Some(Spoken::Letter(letter));
    }
    number(word)
}

/// Finnish names of the letters that occur in identity codes and IBAN country codes.
const LETTERS: [(&str, char); 23] = [
    ("aa", 'A'),
    ("bee", 'B'),
    ("see", 'C'),
    ("dee", 'D'),
    ("ee", 'E'),
    ("äf", 'F'),
    ("äff", 'F'),
    ("hoo", 'H'),
    ("ii", 'I'),
    ("jii", 'J'),
    ("koo", 'K'),
    ("äl", 'L'),
    ("äm", 'M'),
    ("än", 'N'),
    ("pee", 'P'),
    ("är", 'R'),
    ("äs", 'S'),
    ("tee", 'T'),
    ("uu", 'U'),
    ("vee", 'V'),
    ("äks", 'X'),
    ("yy", 'Y'),
    ("kaksoisvee", 'W'),
];

/// A part of a number word.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    Zero,
    /// A digit 1–9; `bound` when it never stands alone ("kol" of "kolkyt").
    Digit {
        value: u64,
        bound: bool,
    },
    /// A complete number ("kymmenen", "kymppi").
    Whole(u64),
    /// "-toista": the digit before it plus ten.
    Teen,
    /// A power of ten multiplied by the digit before it ("-kymmentä", "-kyt", "-sataa").
    Times(u32),
    /// A power of ten on its own ("sata", "tuhat").
    Alone(u32),
}

/// Standard and colloquial parts, longer spellings first where one begins another.
const PARTS: [(&str, Part); 44] = {
    use Part::*;
    const fn d(value: u64) -> Part {
        Digit {
            value,
            bound: false,
        }
    }
    const fn b(value: u64) -> Part {
        Digit { value, bound: true }
    }
    [
        ("nolla", Zero),
        ("yksi", d(1)),
        ("yks", d(1)),
        ("ykkönen", d(1)),
        ("kaksi", d(2)),
        ("kaks", d(2)),
        ("kakkonen", d(2)),
        ("kolme", d(3)),
        ("kolmonen", d(3)),
        ("kol", b(3)),
        ("neljä", d(4)),
        ("nelonen", d(4)),
        ("nel", b(4)),
        ("viisi", d(5)),
        ("viis", d(5)),
        ("vitonen", d(5)),
        ("kuusi", d(6)),
        ("kuus", d(6)),
        ("kutonen", d(6)),
        ("seitsemän", d(7)),
        ("seittemän", d(7)),
        ("seitsämän", d(7)),
        ("seiska", d(7)),
        ("seit", b(7)),
        ("seis", b(7)),
        ("kahdeksan", d(8)),
        ("kaheksan", d(8)),
        ("kasi", d(8)),
        ("kaheks", b(8)),
        ("yhdeksän", d(9)),
        ("yheksän", d(9)),
        ("ysi", d(9)),
        ("yheks", b(9)),
        ("kymmenen", Whole(10)),
        ("kymppi", Whole(10)),
        ("toista", Teen),
        ("toist", Teen),
        ("kymmentä", Times(1)),
        ("kymment", Times(1)),
        ("kyt", Times(1)),
        ("sataa", Times(2)),
        ("sata", Alone(2)),
        ("tuhatta", Times(3)),
        ("tuhat", Alone(3)),
    ]
};

/// The value of a number word written as one word, standard or colloquial.
fn number(word: &str) -> Option<Spoken> {
    let mut parts = Vec::new();
    if !split(word, &mut parts) {
        return None;
    }
    evaluate(&parts)
}

/// Splits `word` into parts, trying every part that fits at each place.
fn split(word: &str, parts: &mut Vec<Part>) -> bool {
    if word.is_empty() {
        return !parts.is_empty();
    }
    for (spelling, part) in &PARTS {
        if let Some(rest) = word.strip_prefix(spelling) {
            parts.push(*part);
            if split(rest, parts) && evaluate(parts).is_some() {
                return true;
            }
            parts.pop();
        }
    }
    false
}

/// Reads parts as a number: groups of falling place (thousands, hundreds, tens,
/// ones), each a digit times a power of ten, a power alone, a teen or a whole; a
/// group must fit in the place the one before left open ("satakymmenen", not
/// "kymmenenkaksi").
fn evaluate(parts: &[Part]) -> Option<Spoken> {
    if parts == [Part::Zero] {
        return Some(Spoken::Number(0));
    }
    let mut total = 0;
    let mut open = u32::MAX; // before the first group, any value fits
    let mut digit: Option<(u64, bool)> = None;
    let mut group = |value: u64, opens: u32, open: &mut u32| {
        if *open != u32::MAX && value >= 10u64.pow(*open) {
            return false;
        }
        total += value;
        *open = opens;
        true
    };
    for part in parts {
        let ok = match (*part, digit.take()) {
            (Part::Digit { value, bound }, None) => {
                digit = Some((value, bound));
                true
            }
            (Part::Whole(value), None) => group(value, 0, &mut open),
            (Part::Teen, Some((d, _))) => group(10 + d, 0, &mut open),
            (Part::Times(p), Some((d, _))) if d >= 2 => group(d * 10u64.pow(p), p, &mut open),
            (Part::Alone(p), None) => group(10u64.pow(p), p, &mut open),
            _ => false,
        };
        if !ok {
            return None;
        }
    }
    match digit {
        Some((_, true)) => return None,
        Some((d, false)) if !group(d, 0, &mut open) => return None,
        _ => {}
    }
    Some(Spoken::Number(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(word: &str) -> Option<u64> {
        match number(word)? {
            Spoken::Number(value) => Some(value),
            _ => None,
        }
    }

    #[test]
    fn standard_and_colloquial_number_words_have_their_value() {
        for (word, expected) in [
            ("nolla", 0),
            ("yks", 1),
            ("kaks", 2),
            ("kasi", 8),
            ("ysi", 9),
            ("seittemän", 7),
            ("kymmenen", 10),
            ("kolmetoista", 13),
            ("kakstoista", 12),
            ("neljäkymmentä", 40),
            ("neljäkymmentäviisi", 45),
            ("nelkytviis", 45),
            ("kolkyt", 30),
            ("kuuskytseittemän", 67),
            ("sata", 100),
            ("satakaksikymmentäkolme", 123),
            ("kolmesataaviisikymmentäkahdeksan", 358),
            ("yhdeksänsataakolme", 903),
            ("kaksituhatta", 2000),
            ("tuhatkaksisataa", 1200),
        ] {
            assert_eq!(value(word), Some(expected), "{word}");
        }
    }

    #[test]
    fn words_that_are_no_numbers_or_malformed_ones_are_not_read() {
        for word in [
            "kolmas",
            "kol",
            "seis",
            "kymmenenkaksi",
            "viisikaksi",
            "nollanolla",
            "sataa",
            "kertaa",
            "kasino",
            "yksikkö",
        ] {
            assert_eq!(value(word), None, "{word}");
        }
    }

    fn normal(text: &str) -> String {
        normalize(text, FullStop::Joins).text
    }

    #[test]
    fn spoken_groups_become_one_digit_string_and_map_back() {
        assert_eq!(
            normal("se on nolla neljä nolla, yks kaks kolme neljä viis kuus seittemän joo"),
            "se on 0401234567 joo"
        );
        assert_eq!(normal("neljäkymmentä viisi"), "45");
        assert_eq!(
            normal("Nolla neljä kymmentä, sata kaksi kymmentä kolme"),
            "040123"
        );
        assert_eq!(normal("kaksi kolme kertaa"), "23 kertaa");
        let two = "Nolla neljä nolla, yksi kaksi. Nolla neljä yksi.";
        assert_eq!(normal(two), "04012041.");
        assert_eq!(normalize(two, FullStop::Splits).text, "04012. 041.");
        assert_eq!(normal("neljäkymmentä, viisi"), "405");
        assert_eq!(normal("plus kolme viisi kahdeksan nelkyt"), "+35840");
        assert_eq!(
            normal("kolmetoista kymmenen viisikymmentäkaksi viiva kolmesataakahdeksan tee."),
            "131052-308 T."
        );
        assert_eq!(normal("äf ii kaksikymmentäyksi"), "FI 21");
        let input = "x nolla neljä y";
        let n = normalize(input, FullStop::Joins);
        let at = n.text.find("04").unwrap();
        let (start, end) = n.original(at, at + 2);
        assert_eq!(&input[start..end], "nolla neljä");
        assert_eq!(&n.text[at + 2..], " y");
    }
}
