//! The rubric's words as plain phrases, for the parts of kuulas that need the words
//! rather than the matcher: the transcriber's domain prompt, and the accuracy
//! measurement that reports how well those exact words are recognised.

use crate::rubric::Rubric;

/// At most this many phrases come out of one pattern's alternatives.
const MAX_EXPANSIONS: usize = 24;

/// Every pattern of the rubric written out as phrases: alternatives `(a|b)`
/// expanded, wildcards `*` and classes (`<lemma:features>`, `{name}`, `{surname}`)
/// splitting a pattern, markers like `=` dropped. The patterns are read as
/// compiled, so named lists (`@name`) are already their words.
pub fn phrases(rubric: &Rubric) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for pattern in rubric.patterns.sources() {
        for part in split_at_wildcards(pattern) {
            for phrase in expand(part.trim()) {
                let phrase = phrase
                    .replace('=', "")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                if !phrase.is_empty() && !out.contains(&phrase) {
                    out.push(phrase);
                }
            }
        }
    }
    out
}

/// One natural example sentence of each behaviour that earns points, in rubric
/// order: what a well-run call sounds like, for the domain prompt.
pub fn good_examples(rubric: &Rubric) -> Vec<String> {
    rubric
        .behaviours
        .iter()
        .filter(|b| b.points > 0.0)
        .filter_map(|b| b.examples.first().cloned())
        .collect()
}

/// The parts of a pattern between `*`, `{name}`, `{surname}` and `<…>` classes.
fn split_at_wildcards(pattern: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    for word in pattern.split_whitespace() {
        if word == "*" || word == "{name}" || word == "{surname}" || word.starts_with('<') {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(' ');
            last.push_str(word);
        }
    }
    parts
}

/// Expands `(a|b) c (d|e)` into `a c d`, `a c e`, `b c d`, `b c e`.
fn expand(pattern: &str) -> Vec<String> {
    let mut results = vec![String::new()];
    let mut rest = pattern;
    while !rest.is_empty() {
        let (literal, group, tail) = match rest.find('(') {
            Some(open) => match rest[open..].find(')') {
                Some(close) => (
                    &rest[..open],
                    Some(&rest[open + 1..open + close]),
                    &rest[open + close + 1..],
                ),
                None => (rest, None, ""),
            },
            None => (rest, None, ""),
        };
        for r in &mut results {
            r.push_str(literal);
        }
        if let Some(group) = group {
            let options: Vec<&str> = group.split('|').collect();
            results = results
                .iter()
                .flat_map(|r| options.iter().map(move |o| format!("{r}{o}")))
                .take(MAX_EXPANSIONS)
                .collect();
        }
        rest = tail;
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_alternatives_and_splits_wildcards() {
        assert_eq!(
            expand("hyvää (päivää|iltaa)"),
            vec!["hyvää päivää", "hyvää iltaa"]
        );
        assert_eq!(expand("(a|b) x (c|d)").len(), 4);
        assert_eq!(expand("tervetuloa"), vec!["tervetuloa"]);
        assert_eq!(
            split_at_wildcards("nyt on <*:past-pass-ptcp> {name} tässä * klo {num}"),
            [" nyt on", "", " tässä", " klo {num}"]
        );
    }

    #[test]
    fn default_rubric_gives_plain_phrases_and_examples() {
        let rubric = crate::rubric::default_rubric();
        let all = phrases(&rubric);
        assert!(all.iter().any(|p| p == "hyvää päivää"), "{all:?}");
        assert!(
            all.iter()
                .all(|p| !p.contains(['(', ')', '|', '*', '=', '<', '>', '@'])
                    && !p.contains("{name}")
                    && !p.contains("{surname}")),
            "{all:?}"
        );
        // Named lists are written out as their words ("@a_moment katon").
        assert!(all.iter().any(|p| p == "hetkinen katon"), "{all:?}");
        let examples = good_examples(&rubric);
        assert!(!examples.is_empty());
        assert!(
            !examples
                .iter()
                .any(|e| e.to_lowercase().contains("ei kuulu meille")),
            "{examples:?}"
        );
    }
}
