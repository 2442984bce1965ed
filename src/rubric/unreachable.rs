//! Words a regex spells that the text it reads can never hold: a regex reads a
//! turn's words after the colloquial table has rewritten them
//! ([`crate::finnish::text::COLLOQUIAL`]: "mun" → "minun", "sit" → "sitten"), so a
//! regex that spells "mun" as a word matches nothing there. Patterns are
//! normalised the same way as the text, so only regexes can hold such a word.
//!
//! The regex is read through `regex-syntax`'s syntax tree: a run of literal letters
//! counts when it is a whole word wherever it can match (a space, `\n` or an
//! anchor on both sides, directly or through the groups, alternations and
//! optional parts around it), not a piece glued to other letters
//! ("tie(ssa|lla)"); classes and escapes such as `\w` hold no words. What cannot
//! be decided this way is not reported.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex_syntax::ast::{Ast, RepetitionKind, RepetitionRange};

use crate::finnish::text::COLLOQUIAL;

/// The spoken words `regex` spells as whole words, each with the written form the
/// text holds in its place, in the order they appear. An invalid regex gives none
/// (it is reported as such elsewhere).
pub(crate) fn rewritten_words(regex: &str) -> Vec<(String, &'static str)> {
    let mut found = Vec::new();
    if let Ok(ast) = regex_syntax::ast::parse::Parser::new().parse(regex) {
        words(&ast, true, true, &mut |word| {
            if let Some(&written) = rewritten().get(word) {
                found.push((word.to_string(), written));
            }
        });
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

/// Calls `each` with every whole word of `ast`, given whether what comes before it
/// (`apart_before`) and after it (`apart_after`) is always a word boundary.
fn words(ast: &Ast, apart_before: bool, apart_after: bool, each: &mut dyn FnMut(&str)) {
    match ast {
        Ast::Concat(concat) => {
            let items = &concat.asts;
            let mut i = 0;
            while i < items.len() {
                let before = apart(&items[..i], Edge::End, apart_before);
                match letters_from(items, i) {
                    Some(word) => {
                        let end = i + word.chars().count();
                        if before && apart(&items[end..], Edge::Start, apart_after) {
                            each(&word);
                        }
                        i = end;
                    }
                    None => {
                        let after = apart(&items[i + 1..], Edge::Start, apart_after);
                        words(&items[i], before, after, each);
                        i += 1;
                    }
                }
            }
        }
        Ast::Alternation(alternation) => {
            for alternative in &alternation.asts {
                words(alternative, apart_before, apart_after, each);
            }
        }
        Ast::Group(group) => words(&group.ast, apart_before, apart_after, each),
        Ast::Repetition(repetition) => {
            // A part that may repeat also has itself on either side.
            let inner = &repetition.ast;
            let again = max_count(&repetition.op.kind) > 1;
            let before =
                apart_before && (!again || apart(std::slice::from_ref(inner), Edge::End, false));
            let after =
                apart_after && (!again || apart(std::slice::from_ref(inner), Edge::Start, false));
            words(inner, before, after, each);
        }
        Ast::Literal(_) => {
            if let Some(word) = letters_from(std::slice::from_ref(ast), 0)
                && apart_before
                && apart_after
            {
                each(&word);
            }
        }
        _ => {}
    }
}

/// The run of literal letters starting at `items[i]`, if it starts with one.
fn letters_from(items: &[Ast], i: usize) -> Option<String> {
    let word: String = items[i..]
        .iter()
        .map_while(|item| match item {
            Ast::Literal(literal) if literal.c.is_alphabetic() => Some(literal.c),
            _ => None,
        })
        .collect();
    (!word.is_empty()).then_some(word)
}

/// Whether every match of `items` in sequence has a word boundary at its `edge`,
/// where `outside` says whether what lies beyond that edge does (when they match
/// nothing): read inward from the edge, the first part that cannot be empty decides.
fn apart(items: &[Ast], edge: Edge, outside: bool) -> bool {
    let inward = |i: usize| match edge {
        Edge::Start => &items[i],
        Edge::End => &items[items.len() - 1 - i],
    };
    for item in (0..items.len()).map(inward) {
        if !edge_apart(item, edge, outside) {
            return false;
        }
        if !may_be_empty(item) {
            return true;
        }
    }
    outside
}

#[derive(Clone, Copy)]
enum Edge {
    Start,
    End,
}

/// Whether every non-empty match of `ast` has a word boundary at its `edge`
/// (`outside`: whether the other side of an empty part is one).
fn edge_apart(ast: &Ast, edge: Edge, outside: bool) -> bool {
    let sequence = |items: &[Ast]| apart(items, edge, outside);
    match ast {
        Ast::Literal(literal) => matches!(literal.c, ' ' | '\n'),
        Ast::Assertion(_) => true,
        Ast::Empty(_) => outside,
        Ast::Group(group) => sequence(std::slice::from_ref(&group.ast)),
        Ast::Repetition(repetition) => sequence(std::slice::from_ref(&repetition.ast)),
        Ast::Alternation(alternation) => alternation
            .asts
            .iter()
            .all(|alternative| sequence(std::slice::from_ref(alternative))),
        Ast::Concat(concat) => sequence(&concat.asts),
        _ => false,
    }
}

/// Whether `ast` can match the empty string.
fn may_be_empty(ast: &Ast) -> bool {
    match ast {
        Ast::Empty(_) | Ast::Assertion(_) | Ast::Flags(_) => true,
        Ast::Group(group) => may_be_empty(&group.ast),
        Ast::Repetition(repetition) => {
            min_count(&repetition.op.kind) == 0 || may_be_empty(&repetition.ast)
        }
        Ast::Alternation(alternation) => alternation.asts.iter().any(may_be_empty),
        Ast::Concat(concat) => concat.asts.iter().all(may_be_empty),
        _ => false,
    }
}

fn min_count(kind: &RepetitionKind) -> u32 {
    match kind {
        RepetitionKind::ZeroOrOne | RepetitionKind::ZeroOrMore => 0,
        RepetitionKind::OneOrMore => 1,
        RepetitionKind::Range(
            RepetitionRange::Exactly(m)
            | RepetitionRange::AtLeast(m)
            | RepetitionRange::Bounded(m, _),
        ) => *m,
    }
}

fn max_count(kind: &RepetitionKind) -> u32 {
    match kind {
        RepetitionKind::ZeroOrOne => 1,
        RepetitionKind::ZeroOrMore | RepetitionKind::OneOrMore => u32::MAX,
        RepetitionKind::Range(RepetitionRange::Exactly(n) | RepetitionRange::Bounded(_, n)) => *n,
        RepetitionKind::Range(RepetitionRange::AtLeast(_)) => u32::MAX,
    }
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
