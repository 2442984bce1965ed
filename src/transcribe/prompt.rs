//! The domain prompt: Whisper decodes a piece of audio more accurately when its
//! prompt already holds the kind of words it will hear. kuulas builds it by
//! default from the rubric's own phrases (the words every judgement depends on)
//! plus an organisation's vocabulary (company, product and place names).

/// Whisper keeps at most half its text context (224 tokens) of prompt; Finnish
/// runs about three characters a token, so this stays safely inside.
pub const MAX_PROMPT_CHARS: usize = 400;

/// Builds the prompt: vocabulary first (names are the hardest words), then as
/// many rubric phrases as fit, each phrase whole, in the order given.
pub fn build(vocabulary: &[String], phrases: &[String], max_chars: usize) -> String {
    let mut prompt = String::from("Asiakaspalvelupuhelu.");
    let names: Vec<&str> = vocabulary
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if !names.is_empty() {
        let line = format!(" {}.", names.join(", "));
        if prompt.len() + line.len() <= max_chars {
            prompt.push_str(&line);
        }
    }
    let mut seen = std::collections::HashSet::new();
    for phrase in phrases.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !seen.insert(phrase.to_lowercase()) {
            continue;
        }
        let sentence = format!(" {}.", first_upper(phrase));
        if prompt.len() + sentence.len() > max_chars {
            continue;
        }
        prompt.push_str(&sentence);
    }
    prompt
}

fn first_upper(phrase: &str) -> String {
    let mut chars = phrase.trim_end_matches(['.', '!', '?']).chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn holds_vocabulary_and_phrases_within_budget() {
        let prompt = build(
            &strings(&["Kuulas Oy", "Laajakaista Plus"]),
            &strings(&["hyvää päivää", "selvitän asian", "Hyvää päivää"]),
            MAX_PROMPT_CHARS,
        );
        assert_eq!(
            prompt,
            "Asiakaspalvelupuhelu. Kuulas Oy, Laajakaista Plus. Hyvää päivää. Selvitän asian."
        );
    }

    #[test]
    fn never_exceeds_the_budget_and_keeps_phrases_whole() {
        let phrases: Vec<String> = (0..200).map(|i| format!("lause numero {i}")).collect();
        let prompt = build(&[], &phrases, 120);
        assert!(prompt.len() <= 120);
        assert!(prompt.ends_with('.'));
        assert!(prompt.contains("Lause numero 0."));
    }
}
