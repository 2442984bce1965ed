//! The words a regex cannot match without, read from its literals: a regex runs
//! over a turn's words joined by single spaces, so every match begins (or ends)
//! with one of the literals `regex-syntax` extracts, and the space-free pieces of
//! a literal are whole words, or a word's start or end, by the spaces around them.
//! Picking one piece of each literal gives a word test a turn must pass; a turn
//! that fails one of a regex's tests is not scanned by it.

use regex_syntax::hir::literal::{ExtractKind, Extractor, Literal};
use regex_syntax::hir::{Hir, HirKind};

use crate::finnish::word_tests::Place;

/// A word test: a turn passes it when one of its words holds one of the pieces,
/// each at its place.
pub(crate) type Test = Vec<(String, Place)>;

/// Which piece of each literal a test is made of: any choice is sound, and each
/// catches what the others miss ("voi" begins "voi harmi", "harmi" ends it).
#[derive(Clone, Copy)]
enum Pick {
    First,
    Last,
    /// The longest: short words are the common ones ("on", "ei").
    Longest,
}

/// The tests a turn must pass to match the regex `hir`: every match begins with one of
/// its prefix literals and ends with one of its suffix literals, and where the
/// regex is a sequence, each later part of it begins with one of that part's
/// (the words after "(en|emme)( \w+){0,2}" in a refusal). Literals that say
/// nothing (a part may begin with anything) give no test; with none at all, every
/// turn must be scanned. The most telling test comes first.
pub(crate) fn needed_words(hir: &Hir) -> Vec<Test> {
    let mut parts = vec![(ExtractKind::Prefix, hir.clone())];
    if let HirKind::Concat(items) = hir.kind() {
        let rest = |k: usize| Hir::concat(items[k..].to_vec());
        parts.extend((1..items.len()).map(|k| (ExtractKind::Prefix, rest(k))));
    }
    parts.push((ExtractKind::Suffix, hir.clone()));
    let mut tests: Vec<Test> = Vec::new();
    for (kind, part) in parts {
        let seq = Extractor::new().kind(kind).extract(&part);
        let Some(literals) = seq.literals() else {
            continue;
        };
        for pick in [Pick::First, Pick::Last, Pick::Longest] {
            let test: Option<Test> = literals.iter().map(|l| piece_of(l, pick)).collect();
            if let Some(mut test) = test {
                test.sort();
                test.dedup();
                if !tests.contains(&test) {
                    tests.push(test);
                }
            }
        }
    }
    // The most telling test first, so that a turn failing it is turned away at
    // once: the one whose shortest piece is longest (short words are common).
    let shortest = |test: &Test| test.iter().map(|(p, _)| p.chars().count()).min();
    tests.sort_by_key(|test| std::cmp::Reverse(shortest(test)));
    tests
}

/// The space-free piece of `literal` that `pick` names, and where in a word it
/// sits: a piece with a space on both sides is a whole word, with one on one side
/// a word's start or end. `None` when the literal has no such piece.
fn piece_of(literal: &Literal, pick: Pick) -> Option<(String, Place)> {
    let text = std::str::from_utf8(literal.as_bytes()).ok()?;
    // A sentence end reads as "\n " (`scoring::regex_text`): a word boundary too.
    let pieces: Vec<&str> = text.split([' ', '\n']).collect();
    let last = pieces.len() - 1;
    let mut found = pieces
        .iter()
        .enumerate()
        // A question mark (" ?", for a regex that says `\?`) is no word.
        .filter(|(_, piece)| !piece.is_empty() && !piece.contains('?'))
        .map(|(i, piece)| {
            let place = match (i > 0, i < last) {
                (true, true) => Place::Whole,
                (true, false) => Place::Start,
                (false, true) => Place::End,
                (false, false) => Place::Anywhere,
            };
            (piece.to_string(), place)
        });
    match pick {
        Pick::First => found.next(),
        Pick::Last => found.next_back(),
        Pick::Longest => found.max_by_key(|(piece, _)| piece.chars().count()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needed(regex: &str) -> Vec<Test> {
        needed_words(&regex_syntax::parse(regex).expect("valid"))
    }

    /// Whether a turn of `words` passes every group of `regex`'s needed words.
    fn passes(regex: &str, words: &str) -> bool {
        let sits = |word: &str, (piece, place): &(String, Place)| match place {
            Place::Whole => word == piece,
            Place::Start => word.starts_with(piece.as_str()),
            Place::End => word.ends_with(piece.as_str()),
            Place::Anywhere => word.contains(piece.as_str()),
        };
        needed(regex).iter().all(|group| {
            group
                .iter()
                .any(|test| words.split([' ', '\n']).any(|w| sits(w, test)))
        })
    }

    /// Checks the filter against the regex itself on `texts`: it never turns away
    /// a match, and it turns away those in `turned_away`.
    fn check(regex: &str, texts: &[&str], turned_away: &[&str]) {
        let re = regex::Regex::new(regex).expect("valid");
        for text in texts {
            assert!(
                !re.is_match(text) || passes(regex, text),
                "{regex} lost {text:?}"
            );
        }
        for text in turned_away {
            assert!(!passes(regex, text), "{regex} let {text:?} through");
        }
    }

    #[test]
    fn every_word_of_a_sequence_is_needed() {
        let re = "(^| )(voi|voe) (ei|harmi)( |$)";
        check(re, &["voi ei", "no voe harmi kun", "voi voi"], &[]);
        // Words, not their order: "ei voi" passes, and the regex then finds nothing.
        check(re, &["ei voi"], &["no harmi", "voi kiitos"]);
        let refusal = r"(^| )(en|emme)( \w+){0,2} (voi|pysty)( |$)";
        check(
            refusal,
            &["en mä voi", "emme pysty"],
            &["en tiedä", "mä voin"],
        );
    }

    #[test]
    fn a_match_may_begin_and_end_inside_a_word() {
        check("ikävää", &["epäikävääkin", "ikävää"], &["ikävä"]);
        check("(^| )soitan", &["soitan", "no soitanpa"], &["soitto"]);
        check(
            r"(^| )\w+(lautakuntaan|virastoon)( |$)",
            &["vien kuluttajariitalautakuntaan"],
            &["lautakunta"],
        );
    }

    #[test]
    fn a_sentence_end_in_a_regex_is_a_word_boundary() {
        let re = r"(^| )soitan( [^ ]+){0,2}\n (huomenna|tänään)( |$)";
        check(
            re,
            &["soitan teille\n huomenna kympiltä"],
            &["soitan teille", "huomenna"],
        );
    }

    #[test]
    fn a_question_mark_is_no_word_a_turn_needs() {
        let re = r"(^|\n )(mitä|miten)( [^ ?\n]+){2,} \?";
        check(
            re,
            &["mitä siinä tapahtui ?", "joo\n miten se meni sitten ?"],
            &["siinä tapahtui ?"],
        );
    }

    #[test]
    fn a_regex_open_at_both_ends_needs_no_word() {
        assert!(needed(r"^\w+ \w+$").is_empty());
        assert!(needed(r"[a-zåäö]+ \w+").is_empty());
    }
}
