//! Finding personal data in free text. Patterns propose candidates; the checksums in
//! [`super::checks`] decide, so only validated identity codes, IBANs and card numbers
//! are reported. Numbers are looked for in the text with spoken numbers rewritten as
//! digits ([`super::spoken`]), so "nolla neljä nolla…" and "040…" are found alike and
//! the finding covers every word that was spoken. Phone numbers have no checksum: a
//! run of digit groups that starts like a Finnish number and has a plausible length
//! is taken as one; dates, decimals and times are not.

use std::sync::LazyLock;

use regex::Regex;

use super::spoken::{self, FullStop, Normalized};
use super::{Finding, Kind, checks};

/// Spaces are allowed between the date's pairs ("13 10 52") and before the check
/// character, spaces and a comma (a pause) around the century sign.
static HETU: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d\d ?\d\d ?\d\d),? ?([-+A-FU-Y]),? ?(\d{3}) ?([0-9A-Y])\b")
        .expect("valid regex")
});
static IBAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[A-Z]{2} ?\d{2}(?: ?[A-Z0-9]){11,30}\b").expect("valid regex")
});
static CARD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d(?:[ -]?\d){12,18}\b").expect("valid regex"));
/// Letters of any script in the name and domain ("matti.meikäläinen@…").
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{L}\p{N}._%+-]*[\p{L}\p{N}]@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}\b")
        .expect("valid regex")
});
/// One token of a phone number: digits, a leading `+` allowed, hyphens inside.
static PHONE_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+?\d+(?:-\d+)*").expect("valid regex"));
/// Dates ("05.12.2025", "5.12.", "5. 12. 2025") and decimals or times ("0,99",
/// "09.30"): never part of a phone number.
static NOT_PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d{1,2}\. ?\d{1,2}\.(?: ?\d{4}\b| ?\d{2}\b)?|\d[.,]\d").expect("valid regex")
});

/// Every validated item in `text`, in order, never overlapping.
pub fn find(text: &str) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    let mut add = |kind: Kind, (start, end): (usize, usize)| {
        if !found.iter().any(|f| f.start < end && start < f.end) {
            found.push(Finding { kind, start, end });
        }
    };
    for m in EMAIL.find_iter(text) {
        add(Kind::Email, (m.start(), m.end()));
    }
    // Checksums guard identity codes, IBANs and cards, so they are looked for with
    // sentences split and joined; a phone number only within a sentence.
    let sentences = spoken::normalize(text, FullStop::Splits);
    let joined = spoken::normalize(text, FullStop::Joins);
    for n in [&sentences, &joined] {
        checked(n, &mut add);
    }
    let norm = sentences.text.as_str();
    for (start, end) in phone_numbers(&sentences) {
        // An identity code that failed its check is still not a phone number.
        if !HETU.is_match(&norm[start..end]) {
            add(Kind::Phone, sentences.original(start, end));
        }
    }
    found.sort_by_key(|f| f.start);
    found
}

/// Identity codes, IBANs and card numbers whose checksum holds, in original ranges.
fn checked(n: &Normalized, add: &mut impl FnMut(Kind, (usize, usize))) {
    let norm = n.text.as_str();
    for c in HETU.captures_iter(norm) {
        let code: String = (1..=4)
            .flat_map(|i| c[i].chars())
            .filter(|c| *c != ' ')
            .collect();
        if checks::hetu(&code) {
            let m = c.get(0).expect("the whole match");
            add(Kind::PersonalId, n.original(m.start(), m.end()));
        }
    }
    let mut iban_shaped = Vec::new();
    for m in IBAN.find_iter(norm) {
        if let Some(end) = longest_valid_prefix(norm, m.start(), m.end(), iban) {
            add(Kind::Iban, n.original(m.start(), end));
        } else if looks_like_iban(m.as_str()) {
            iban_shaped.push((m.start(), m.end()));
        }
    }
    for m in CARD.find_iter(norm) {
        // The digits of a mistyped IBAN are no card number, even if Luhn holds.
        if iban_shaped
            .iter()
            .any(|&(s, e)| s < m.end() && m.start() < e)
        {
            continue;
        }
        if let Some(end) = longest_valid_prefix(norm, m.start(), m.end(), checks::luhn) {
            add(Kind::Card, n.original(m.start(), end));
        }
    }
}

/// An IBAN in any case ("fi21…" as Whisper may write it); outside the countries
/// [`checks::iban`] knows the length of, only as written in capitals.
fn iban(compact: &str) -> bool {
    let upper = compact.to_ascii_uppercase();
    checks::iban(&upper) && (upper == compact || checks::iban_country_known(&upper))
}

/// An IBAN match whose checksum failed but which is plainly meant as one: a country
/// whose IBAN length is known, in capitals or joined to its check digits ("FI22 …",
/// "fi22…"; not "se 41…", where "se" is the Finnish word).
fn looks_like_iban(candidate: &str) -> bool {
    let country = &candidate[..2];
    checks::iban_country_known(&country.to_ascii_uppercase())
        && (country.bytes().all(|b| b.is_ascii_uppercase())
            || candidate.as_bytes()[2].is_ascii_digit())
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

/// Normalised byte ranges of phone numbers: runs of digit tokens separated only by
/// spaces, or a comma and a space (not a full stop: a sentence ends), whose digits read as a Finnish
/// number (`0…` but not `00…` with 7–11 digits, or `+358…`/`00358…` with 10–13).
fn phone_numbers(n: &Normalized) -> Vec<(usize, usize)> {
    let text = n.text.as_str();
    let barriers: Vec<(usize, usize)> = NOT_PHONE
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    let mut runs: Vec<(usize, usize, String)> = Vec::new();
    for m in PHONE_TOKEN.find_iter(text) {
        if barriers.iter().any(|&(s, e)| s < m.end() && m.start() < e) {
            runs.push((m.start(), m.start(), "x".into())); // ends the run before it
            continue;
        }
        let digits: String = m.as_str().chars().filter(|c| *c != '-').collect();
        let joined = runs.last_mut().filter(|(_, end, _)| {
            let gap = &text[*end..m.start()];
            let spaces = gap.strip_prefix(',').unwrap_or(gap);
            !spaces.is_empty() && spaces.chars().all(|c| c == ' ')
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

fn plausible_phone(digits: &str) -> bool {
    let international = digits
        .strip_prefix("+358")
        .or_else(|| digits.strip_prefix("00358"));
    match international {
        Some(rest) => {
            (6..=10).contains(&rest.trim_start_matches('0').len())
                && rest.chars().all(|c| c.is_ascii_digit())
        }
        None => {
            digits.starts_with('0')
                && !digits.starts_with("00")
                && (7..=11).contains(&digits.len())
                && digits.chars().all(|c| c.is_ascii_digit())
        }
    }
}
