//! Finding personal data in free text. Patterns propose candidates; the checksums in
//! [`super::checks`] decide, so only validated identity codes, IBANs and card numbers
//! are reported. Phone numbers have no checksum: a run of digit groups (or Finnish
//! digit words, as Whisper writes a number read out aloud) that starts like a
//! Finnish number and has a plausible length is taken as one.

use std::sync::LazyLock;

use regex::Regex;

use super::checks;
use super::{Finding, Kind};

static HETU: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b").expect("valid regex"));
static IBAN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b").expect("valid regex"));
static CARD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d(?:[ -]?\d){12,18}\b").expect("valid regex"));
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
        .expect("valid regex")
});
/// One token of a spoken or written phone number: digits (a leading `+` allowed,
/// hyphens inside) or a Finnish digit word, standard or colloquial.
static PHONE_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\+?\d+(?:-\d+)*|\b(?:nolla|yksi|yks|kaksi|kaks|kolme|neljä|viisi|viis|kuusi|kuus|seitsemän|seittemän|kahdeksan|kaheksan|yhdeksän|yheksän)\b",
    )
    .expect("valid regex")
});

/// Every validated item in `text`, in order, never overlapping.
pub fn find(text: &str) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    let mut add = |kind: Kind, start: usize, end: usize| {
        if !found.iter().any(|f| f.start < end && start < f.end) {
            found.push(Finding { kind, start, end });
        }
    };
    for m in HETU.find_iter(text) {
        if checks::hetu(m.as_str()) {
            add(Kind::PersonalId, m.start(), m.end());
        }
    }
    for m in EMAIL.find_iter(text) {
        add(Kind::Email, m.start(), m.end());
    }
    for m in IBAN.find_iter(text) {
        if let Some(end) = longest_valid_prefix(text, m.start(), m.end(), checks::iban) {
            add(Kind::Iban, m.start(), end);
        }
    }
    for m in CARD.find_iter(text) {
        if let Some(end) = longest_valid_prefix(text, m.start(), m.end(), checks::luhn) {
            add(Kind::Card, m.start(), end);
        }
    }
    for (start, end) in phone_numbers(text) {
        // An identity code that failed its check is still not a phone number.
        if !HETU.is_match(&text[start..end]) {
            add(Kind::Phone, start, end);
        }
    }
    found.sort_by_key(|f| f.start);
    found
}

/// A greedy match may run into the next digit group ("...0785 ja 12 34"); tries the
/// whole match, then shorter ones ending where a group ends, never mid-group.
fn longest_valid_prefix(
    text: &str,
    start: usize,
    end: usize,
    valid: fn(&str) -> bool,
) -> Option<usize> {
    let matched = &text[start..end];
    let group_ends = matched
        .char_indices()
        .filter(|(_, c)| *c == ' ' || *c == '-')
        .map(|(i, _)| start + i);
    let mut ends: Vec<usize> = group_ends.chain([end]).collect();
    ends.reverse();
    ends.into_iter().find(|&e| {
        let compact: String = text[start..e]
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        valid(&compact)
    })
}

/// Byte ranges of phone numbers: runs of number tokens separated only by spaces,
/// commas or dots, whose digits read as a Finnish number (`0…` with 7–11 digits, or
/// `+358…`/`00358…` with 10–13).
fn phone_numbers(text: &str) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize, String)> = Vec::new();
    for m in PHONE_TOKEN.find_iter(text) {
        let digits = token_digits(m.as_str());
        let joined = runs.last_mut().filter(|(_, end, _)| {
            text[*end..m.start()]
                .chars()
                .all(|c| c == ' ' || c == ',' || c == '.')
        });
        match joined {
            Some(run) => {
                run.1 = m.end();
                run.2.push_str(&digits);
            }
            None => runs.push((m.start(), m.end(), digits)),
        }
    }
    runs.into_iter()
        .filter(|(_, _, digits)| plausible_phone(digits))
        .map(|(start, end, _)| (start, end))
        .collect()
}

fn token_digits(token: &str) -> String {
    const WORDS: [(&str, char); 10] = [
        ("nol", '0'),
        ("yk", '1'),
        ("ka", '2'),
        ("ko", '3'),
        ("ne", '4'),
        ("vi", '5'),
        ("ku", '6'),
        ("se", '7'),
        ("kah", '8'),
        ("yh", '9'),
    ];
    let lower = token.to_lowercase();
    if lower.starts_with(|c: char| c == '+' || c.is_ascii_digit()) {
        return lower
            .chars()
            .filter(|c| *c == '+' || c.is_ascii_digit())
            .collect();
    }
    // "kahdeksan" must not read as "ka"(2): the longer prefix is checked first.
    if lower.starts_with("kah") {
        return "8".into();
    }
    WORDS
        .iter()
        .find(|(prefix, _)| lower.starts_with(prefix))
        .map(|(_, d)| d.to_string())
        .unwrap_or_default()
}

fn plausible_phone(digits: &str) -> bool {
    let international = digits
        .strip_prefix("+358")
        .or_else(|| digits.strip_prefix("00358"));
    match international {
        Some(rest) => (6..=10).contains(&rest.trim_start_matches('0').len()) && !rest.contains('+'),
        None => {
            digits.starts_with('0') && (7..=11).contains(&digits.len()) && !digits.contains('+')
        }
    }
}
