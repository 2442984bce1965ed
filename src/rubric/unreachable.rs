//! Words a regex spells that the text it reads can never hold: a regex reads a
//! turn's words after the colloquial table has rewritten them
//! ([`crate::finnish::text::COLLOQUIAL`]: "mun" → "minun", "sit" → "sitten"), so a
//! regex that spells "mun" as a word matches nothing there. Patterns are
//! normalised the same way as the text, so only regexes can hold such a word.
//!
//! The regex source is read as written: a run of letters counts when it is a whole
//! word wherever it can match (spaces, `^`, `$` or `\n` around it, directly or
//! through the groups that hold it), not a piece glued to other letters
//! ("tie(ssa|lla)"); inside a character class or after a backslash letters are
//! syntax. What cannot be decided this way is not reported.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::finnish::text::COLLOQUIAL;

/// The spoken words `regex` spells as whole words, each with the written form the
/// text holds in its place, in the order they appear.
pub(crate) fn rewritten_words(regex: &str) -> Vec<(String, &'static str)> {
    let src: Vec<char> = regex.chars().collect();
    let rewritten = rewritten();
    let mut found = Vec::new();
    let mut i = 0;
    while i < src.len() {
        match src[i] {
            '\\' => i += 2,
            '[' => i = class_end(&src, i) + 1,
            c if c.is_alphabetic() => {
                let start = i;
                while i < src.len() && src[i].is_alphabetic() {
                    i += 1;
                }
                let word: String = src[start..i].iter().collect();
                if let Some(&written) = rewritten.get(word.as_str())
                    && opens_word(&src, start)
                    && closes_word(&src, i)
                {
                    found.push((word, written));
                }
            }
            _ => i += 1,
        }
    }
    found
}

/// Spoken words the table rewrites to something else and no replacement brings back.
fn rewritten() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let kept: Vec<&str> = COLLOQUIAL
            .iter()
            .flat_map(|(_, written)| written.split(' '))
            .collect();
        COLLOQUIAL
            .iter()
            .filter(|(spoken, _)| !kept.contains(spoken))
            .map(|&(spoken, written)| (spoken, written))
            .collect()
    })
}

/// Index of the `]` closing the class that opens at `open`.
fn class_end(src: &[char], open: usize) -> usize {
    let mut i = open + 1;
    if src.get(i) == Some(&'^') {
        i += 1;
    }
    if src.get(i) == Some(&']') {
        i += 1;
    }
    while i < src.len() && src[i] != ']' {
        i += if src[i] == '\\' { 2 } else { 1 };
    }
    i
}

/// Whether whatever can come before position `at` is a word boundary.
fn opens_word(src: &[char], at: usize) -> bool {
    if at == 0 {
        return true;
    }
    if at >= 2 && src[at - 2] == '\\' {
        return ends_in_newline(src, at);
    }
    match src[at - 1] {
        ' ' | '^' => true,
        '(' | '|' => {
            let open = group_open(src, at - 1);
            opens_word(src, open)
        }
        ')' => ends_apart(src, group_open(src, at - 1), at - 1),
        // A quantified group: after it, or (when it may be absent) before it.
        '?' | '*' | '+' | '}' if at >= 2 => {
            let (close, may_be_absent) = match src[at - 1] {
                '}' => match src[..at].iter().rposition(|&c| c == '{') {
                    Some(b) if b > 0 => (b - 1, src.get(b + 1) == Some(&'0')),
                    _ => return false,
                },
                q => (at - 2, q != '+'),
            };
            if src[close] != ')' || escaped(src, close) {
                return false;
            }
            let open = group_open(src, close);
            ends_apart(src, open, close) && (!may_be_absent || opens_word(src, open))
        }
        _ => false,
    }
}

/// Whether every alternative of the group from `open` to `close` ends at a word
/// boundary (a space, `^` or `\n`).
fn ends_apart(src: &[char], open: usize, close: usize) -> bool {
    alternatives(src, open, close)
        .iter()
        .all(|&(lo, hi)| hi > lo && (matches!(src[hi - 1], ' ' | '^') || ends_in_newline(src, hi)))
}

/// Whether whatever can come at position `at` (just after a word) is a word
/// boundary.
fn closes_word(src: &[char], at: usize) -> bool {
    let Some(&c) = src.get(at) else {
        return true;
    };
    match c {
        ' ' | '$' => true,
        '\\' => matches!(src.get(at + 1), Some('n' | 'z')),
        '|' | ')' => {
            let close = group_close(src, at);
            closes_word(src, after_quantifier(src, close + 1))
        }
        '(' => {
            let close = group_close(src, at + 1);
            let starts_apart = alternatives(src, at, close)
                .iter()
                .all(|&(lo, hi)| hi > lo && closes_word(src, lo));
            let next = after_quantifier(src, close + 1);
            let optional = matches!(src.get(close + 1), Some('?' | '*'))
                || (src.get(close + 1) == Some(&'{') && src.get(close + 2) == Some(&'0'));
            starts_apart && (!optional || closes_word(src, next))
        }
        _ => false,
    }
}

/// The `(` opening the group that holds position `at`: the group a `(` there
/// opens, or the one a `|` or `)` there belongs to.
fn group_open(src: &[char], at: usize) -> usize {
    if src[at] == '(' {
        return at;
    }
    let mut depth = 0usize;
    for i in (0..at).rev() {
        if escaped(src, i) {
            continue;
        }
        match src[i] {
            ')' => depth += 1,
            '(' if depth == 0 => return i,
            '(' => depth -= 1,
            _ => {}
        }
    }
    0
}

/// The `)` closing the group that holds position `at`.
fn group_close(src: &[char], at: usize) -> usize {
    let mut depth = 0usize;
    let mut i = at;
    while i < src.len() {
        match src[i] {
            '\\' => i += 1,
            '[' => i = class_end(src, i),
            '(' => depth += 1,
            ')' => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    src.len()
}

/// The spans of the top-level alternatives of the group from `open` to `close`
/// (after a `?:` or other group flags).
fn alternatives(src: &[char], open: usize, close: usize) -> Vec<(usize, usize)> {
    let mut lo = open + 1;
    if src.get(lo) == Some(&'?') {
        while lo < close && src[lo] != ':' {
            lo += 1;
        }
        lo += 1;
    }
    let mut spans = Vec::new();
    let (mut depth, mut start, mut i) = (0usize, lo, lo);
    while i < close {
        match src[i] {
            '\\' => i += 1,
            '[' => i = class_end(src, i),
            '(' => depth += 1,
            ')' => depth -= 1,
            '|' if depth == 0 => {
                spans.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    spans.push((start, close));
    spans
}

/// Position after the quantifier (if any) at `at`.
fn after_quantifier(src: &[char], at: usize) -> usize {
    match src.get(at) {
        Some('?' | '*' | '+') => at + 1,
        Some('{') => src[at..]
            .iter()
            .position(|&c| c == '}')
            .map_or(src.len(), |p| at + p + 1),
        _ => at,
    }
}

/// Whether the regex text before `at` ends with the escape `\n`.
fn ends_in_newline(src: &[char], at: usize) -> bool {
    at >= 2 && src[at - 2] == '\\' && src[at - 1] == 'n'
}

fn escaped(src: &[char], at: usize) -> bool {
    at > 0 && src[at - 1] == '\\'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(regex: &str) -> Vec<String> {
        rewritten_words(regex).into_iter().map(|(w, _)| w).collect()
    }

    #[test]
    fn a_spoken_word_the_table_rewrites_is_reported_with_its_written_form() {
        assert_eq!(
            rewritten_words("(^| )se on (ihan )?(mun|minun) moka( |$)"),
            vec![("mun".to_string(), "minun")]
        );
        assert_eq!(words("(^| )sit( |$)"), ["sit"]);
        assert_eq!(words("^mä soitan$"), ["mä"]);
        assert_eq!(words(r"soitan\n (sulle|teille)"), ["sulle"]);
        assert_eq!(words("(^| )(laitan( sulle)?|soitan) "), ["sulle"]);
        assert_eq!(
            words("(^| )(oon|olen)( \\S+){0,2} (mä|minä)$"),
            ["oon", "mä"]
        );
    }

    #[test]
    fn written_forms_syntax_and_glued_pieces_are_not_reported() {
        assert!(words("(^| )(minun|sinun) (vika|moka)( |$)").is_empty());
        // Inside a class, after a backslash, or glued to other letters.
        assert!(words(r"(^| )\w+[sitmun]+ \S+$").is_empty());
        assert!(words("(^| )tie(sit|mun)( |$)").is_empty());
        assert!(words("(^| )(mun)kki( |$)").is_empty());
        assert!(words("(^| )munkki( |$)").is_empty());
        // A word whose last letter is optional is not spelt as written.
        assert!(words("(^| )sitt?( |$)").is_empty());
    }

    #[test]
    fn a_form_that_one_replacement_brings_back_stays_readable() {
        // "ettei" → "että ei": "ei" is kept though it is no key; every key
        // that some replacement writes out again is reachable.
        for (spoken, _) in COLLOQUIAL {
            let brought_back = COLLOQUIAL
                .iter()
                .any(|(_, written)| written.split(' ').any(|w| w == *spoken));
            assert_eq!(rewritten().contains_key(spoken), !brought_back, "{spoken}");
        }
    }
}
