//! Writes labelled calls as JSON lines of analysed words, for experiments outside
//! the rubric (scripts/experiments/learned_probe.py): per call its id, author,
//! labels, the behaviours the built-in rubric finds, and per turn its sentences,
//! each word with its normalised form, Voikko lemma and verb features.
//!
//! cargo run --release --example corpus_words -- fixtures/corpus/a fixtures/corpus/b > words.jsonl

use std::path::Path;

use anyhow::Result;
use kuulas::finnish::forms::Features;
use kuulas::finnish::text::tokenize;
use kuulas::rubric::labelled::load_dir;
use kuulas::rubric::scoring::behaviours_found;
use serde_json::{Value, json};

fn main() -> Result<()> {
    let rubric = kuulas::rubric::default_rubric();
    let morphology = kuulas::finnish::shared();
    let feature_names: Vec<&str> = Features::names().collect();
    for dir in std::env::args().skip(1) {
        let author = Path::new(&dir)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (call, transcript) in load_dir(Path::new(&dir))? {
            let metrics = kuulas::metrics::compute(&transcript, None);
            let found: Vec<&str> = rubric
                .behaviours
                .iter()
                .zip(behaviours_found(&transcript, &metrics, &rubric))
                .filter(|(_, found)| *found)
                .map(|(b, _)| b.id.as_str())
                .collect();
            let turns: Vec<Value> = call
                .turns
                .iter()
                .map(|turn| {
                    let mut sentences: Vec<Vec<Value>> = Vec::new();
                    for token in tokenize(&turn.text, 0) {
                        if token.sentence_start || sentences.is_empty() {
                            sentences.push(Vec::new());
                        }
                        let word = &token.word;
                        let analysis = morphology
                            .analyse(&word.surface)
                            .and_then(|a| a.first().cloned());
                        let (lemma, features) = match analysis {
                            Some(a) => {
                                let names: Vec<&str> = feature_names
                                    .iter()
                                    .copied()
                                    .filter(|n| {
                                        Features::parse(n).is_ok_and(|f| a.features.contains(f))
                                    })
                                    .collect();
                                (a.lemma.to_string(), names)
                            }
                            None => (word.stem.to_string(), Vec::new()),
                        };
                        if let Some(sentence) = sentences.last_mut() {
                            sentence.push(json!({
                                "w": &*word.surface, "l": lemma, "f": features,
                                "neg": word.negation, "num": word.number,
                            }));
                        }
                    }
                    json!({
                        "party": format!("{:?}", turn.party), "pause": turn.pause_before,
                        "overlap": turn.overlap, "sents": sentences,
                    })
                })
                .collect();
            println!(
                "{}",
                json!({"id": call.id, "author": author, "present": call.present,
                       "found": found, "turns": turns})
            );
        }
    }
    Ok(())
}
