//! Untrusted text made safe to print on one line of a log or an error message.
//!
//! Recording file names and call ids come from outside: a name holding a newline
//! would forge a log line, and one holding an escape sequence would drive the
//! operator's terminal. [`escape`] writes control characters (and the Unicode
//! line separators and bidirectional overrides that reorder what a terminal
//! shows) as `\n`, `\u{1b}`…, and a backslash as `\\` so the escaped form is
//! unambiguous. Everything else, Finnish letters included, stays as it is.

use std::borrow::Cow;
use std::path::Path;

/// True for a character that must not reach a log line as itself.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || c == '\\'
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `text` with every character [`needs_escape`] names written out; borrowed when
/// there is none.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// A path for a log line: lossy UTF-8, escaped.
pub fn path(path: &Path) -> String {
    escape(&path.to_string_lossy()).into_owned()
}

/// `text` with control characters written out, except backslashes (text that
/// was escaped already stays as it is) and the characters in `keep`: for whole
/// messages that may carry escaped parts and deliberate line breaks.
pub fn controls<'a>(text: &'a str, keep: &[char]) -> Cow<'a, str> {
    let escaped = |c: char| c != '\\' && needs_escape(c) && !keep.contains(&c);
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends `c`, escaped if it [`needs_escape`].
pub fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\\' => out.push_str("\\\\"),
        c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_written_out_and_text_is_kept() {
        assert_eq!(escape("päivä/puhelu-1"), "päivä/puhelu-1");
        assert!(matches!(escape("päivä"), Cow::Borrowed(_)));
        assert_eq!(
            escape("a\nINFO forged\r\x1b[31m\u{202E}\\"),
            "a\\nINFO forged\\r\\u{1b}[31m\\u{202e}\\\\"
        );
        assert_eq!(escape("\u{85}\u{7f}\t"), "\\u{85}\\u{7f}\\t");
    }

    #[test]
    fn controls_keeps_backslashes_and_the_characters_asked_for() {
        assert_eq!(controls("a\\nb\nc\x1b[1m", &['\n']), "a\\nb\nc\\u{1b}[1m");
        assert_eq!(controls("a\nb\x1b[1m", &['\x1b']), "a\\nb\x1b[1m");
    }

    #[test]
    fn an_escaped_text_is_one_line_without_control_characters() {
        let nasty: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let shown = escape(&nasty);
        assert!(!shown.chars().any(|c| needs_escape(c) && c != '\\'));
        assert_eq!(shown.lines().count(), 1);
    }
}
