//! The default initial prompt. Whisper continues its prompt's text: a prompt of
//! rubric phrases ("Hyvää päivää", "Tämä ei kuulu meille") made base write those
//! phrases over other speech ("Tämä ei kuulu meille" → "Hyvää päivää"; "Pieni
//! höyhen leijailee" → "Pieni hyvää, hyvää leile"), and a phrase nobody said then
//! earned points. So the default prompt holds only an organisation's vocabulary
//! (company, product and place names, the words base spells worst), and nothing
//! at all without one; rubric phrases never reach the decoder. Measured side by
//! side with `scripts/asr/prompt-compare.sh` (out-of-domain sentences) and
//! `scripts/measure-wer.sh` (calls).

/// Whisper keeps at most half its text context (224 tokens) of prompt; Finnish
/// runs about three characters a token, so this stays safely inside.
pub const MAX_PROMPT_CHARS: usize = 400;

/// The prompt for `vocabulary`: its names as one comma-separated line, as many
/// whole names as fit in `max_chars`; empty (no prompt) without names.
pub fn build(vocabulary: &[String], max_chars: usize) -> String {
    let mut prompt = String::new();
    let mut seen = std::collections::HashSet::new();
    for name in vocabulary
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        if !seen.insert(name.to_lowercase()) {
            continue;
        }
        let separator = if prompt.is_empty() { "" } else { ", " };
        if prompt.len() + separator.len() + name.len() + 1 > max_chars {
            continue;
        }
        prompt.push_str(separator);
        prompt.push_str(name);
    }
    if !prompt.is_empty() {
        prompt.push('.');
    }
    prompt
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn holds_only_the_vocabulary() {
        let prompt = build(
            &strings(&["Kuulas Oy", " Laajakaista Plus ", "", "kuulas oy"]),
            MAX_PROMPT_CHARS,
        );
        assert_eq!(prompt, "Kuulas Oy, Laajakaista Plus.");
    }

    #[test]
    fn no_vocabulary_no_prompt() {
        assert_eq!(build(&[], MAX_PROMPT_CHARS), "");
        assert_eq!(build(&strings(&["  ", ""]), MAX_PROMPT_CHARS), "");
    }

    #[test]
    fn never_exceeds_the_budget_and_keeps_names_whole() {
        let names: Vec<String> = (0..200).map(|i| format!("Tuote {i}")).collect();
        let prompt = build(&names, 120);
        assert!(prompt.len() <= 120, "{prompt}");
        assert!(prompt.starts_with("Tuote 0, Tuote 1,") && prompt.ends_with('.'));
        assert!(
            prompt
                .trim_end_matches('.')
                .split(", ")
                .all(|n| n.starts_with("Tuote "))
        );
    }
}
