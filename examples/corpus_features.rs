//! Writes labelled calls as JSON lines of the learned model's features, for
//! `scripts/train-learned.py`: per call its id, author, labels, the core
//! behaviours the built-in rubric's patterns find (without its learned model)
//! with the turns they find them in, and per sentence its turn, its features (`rubric::learned::features`, as the model file
//! names them) and the core behaviours that count in its turn (party and window).
//!
//! cargo run --release --example corpus_features -- fixtures/corpus/*/ > features.jsonl

use std::path::Path;

use anyhow::Result;
use kuulas::rubric::eval::CORE_BEHAVIOURS;
use kuulas::rubric::labelled::load_dir;
use kuulas::rubric::learned::features;
use kuulas::rubric::scoring::{counts_in, pattern_findings};
use kuulas::rubric::turns;
use serde_json::{Value, json};

fn main() -> Result<()> {
    let rubric = kuulas::rubric::default_rubric();
    let morphology = kuulas::finnish::shared();
    let core: Vec<usize> = CORE_BEHAVIOURS
        .iter()
        .filter_map(|id| rubric.behaviours.iter().position(|b| b.id == *id))
        .collect();
    for dir in std::env::args().skip(1) {
        let author = Path::new(&dir)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (call, transcript) in load_dir(Path::new(&dir))? {
            let metrics = kuulas::metrics::compute(&transcript, None);
            let by_patterns = pattern_findings(&transcript, &metrics, &rubric);
            let found: serde_json::Map<String, Value> = core
                .iter()
                .filter(|&&b| !by_patterns[b].is_empty())
                .map(|&b| (rubric.behaviours[b].id.clone(), json!(by_patterns[b])))
                .collect();
            let turns = turns::build(&transcript);
            let mut sentences: Vec<Value> = Vec::new();
            features::for_each_sentence(&turns, |sentence, places| {
                let turn = &turns[sentence.turn];
                let words: Vec<_> = turn.tokens[sentence.first..=sentence.last]
                    .iter()
                    .map(|t| features::read_word(&t.word, morphology))
                    .collect();
                let mut found = Vec::new();
                features::all_features(&words, places, &mut found);
                let counts: Vec<&str> = core
                    .iter()
                    .map(|&b| &rubric.behaviours[b])
                    .filter(|b| counts_in(b, turn, sentence.turn, turns.len(), transcript.duration))
                    .map(|b| b.id.as_str())
                    .collect();
                let names: Vec<String> = found
                    .iter()
                    .map(|f| features::name(sentence.party, &f.map_lemmas(|l| &**l)))
                    .collect();
                sentences.push(json!({"turn": sentence.turn, "counts": counts, "f": names}));
                true
            });
            println!(
                "{}",
                json!({"id": call.id, "author": author, "present": call.present,
                       "found": found, "sentences": sentences})
            );
        }
    }
    Ok(())
}
