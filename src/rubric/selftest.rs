//! The rubric self-test: every behaviour's `examples` must be found and its
//! `counter_examples` must not, each scored as a call of its own.
//!
//! An example is one turn of the behaviour's party (agent for `any`), or several
//! turns written `agent: … | customer: …`.

use crate::metrics;
use crate::rubric::definition::{PartyFilter, Rubric};
use crate::rubric::labelled::{LabelledTurn, synthesize};
use crate::rubric::scoring::pattern_findings;
use crate::transcript::Party;

/// An example that was not found, or a counter-example that was.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub behaviour: String,
    /// Line of the behaviour in the rubric file.
    pub line: usize,
    pub text: String,
    /// true: an example that should have matched.
    pub example: bool,
}

/// Number of examples checked and the failures among them.
pub fn run(rubric: &Rubric) -> (usize, Vec<Failure>) {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (i, b) in rubric.behaviours.iter().enumerate() {
        let default = if b.party == PartyFilter::Customer {
            Party::Customer
        } else {
            Party::Agent
        };
        let cases = b
            .examples
            .iter()
            .map(|e| (e, true))
            .chain(b.counter_examples.iter().map(|c| (c, false)));
        for (text, example) in cases {
            checked += 1;
            let transcript = synthesize(&turns(text, default));
            let m = metrics::compute(&transcript, None);
            if pattern_findings(&transcript, &m, rubric)[i].is_empty() == example {
                failures.push(Failure {
                    behaviour: b.id.clone(),
                    line: b.line,
                    text: text.clone(),
                    example,
                });
            }
        }
    }
    (checked, failures)
}

/// Splits `agent: … | customer: …` into turns; plain text is one turn of `default`.
pub fn turns(text: &str, default: Party) -> Vec<LabelledTurn> {
    text.split(" | ")
        .map(|part| {
            let part = part.trim();
            let (party, said) = match part.split_once(':') {
                Some(("agent", rest)) => (Party::Agent, rest),
                Some(("customer", rest)) => (Party::Customer, rest),
                _ => (default, part),
            };
            LabelledTurn {
                party,
                text: said.trim().to_string(),
                pause_before: 0.0,
                overlap: false,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_multi_turn_examples() {
        let t = turns(
            "customer: Hei! | agent: Päivää, miten voin auttaa?",
            Party::Agent,
        );
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].party, Party::Customer);
        assert_eq!(t[1].text, "Päivää, miten voin auttaa?");
        assert_eq!(
            turns("Kiitos: hyvä", Party::Customer)[0].party,
            Party::Customer
        );
    }

    #[test]
    fn built_in_rubric_passes_its_own_examples() {
        let (checked, failures) = run(&crate::rubric::default_rubric());
        assert!(checked > 50);
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
