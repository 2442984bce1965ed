//! Calibration, as QA teams do it: how far the rubric agrees with human
//! reviewers' labels, per behaviour. [`evaluate`] takes the parsed labels CSV
//! ([`labels::parse`]), what the rubric found in each call and the rubric's
//! behaviour ids, and returns a [`Report`]: per behaviour the confusion counts,
//! precision, recall and Cohen's κ of the rubric against the reviewers, κ
//! between two reviewers where a call has labels from both, and every
//! disagreement with the rubric's quote, time and the call's packet page.
//! Pure: no IO, cannot fail; bad label rows become [`Problem`]s with file:line
//! and the rest is still evaluated. `kuulas calibrate` is the thin CLI over it.

pub mod kappa;
pub mod labels;
pub mod report;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

pub use kappa::Confusion;
pub use labels::{Label, Labels, Problem};

use crate::names::file_name_for;

/// Bumped whenever a field of the JSON report changes meaning or disappears.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// One piece of the rubric's evidence in a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub behaviour: String,
    /// Seconds from the start of the recording.
    pub start: f64,
    pub quote: String,
}

/// What the rubric found in one call.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredCall {
    pub call_id: String,
    /// In time order.
    pub evidence: Vec<Evidence>,
}

/// The figures of one behaviour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BehaviourAgreement {
    pub behaviour: String,
    /// The rubric against the reviewers' agreed label (calls whose reviewers
    /// disagree are left out and counted in `contested`).
    pub confusion: Confusion,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub kappa: Option<f64>,
    pub contested: usize,
    /// Between the first two reviewers of the calls that two reviewers labelled.
    pub reviewers: Option<ReviewerAgreement>,
}

/// Agreement between two human reviewers on one behaviour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewerAgreement {
    pub confusion: Confusion,
    pub kappa: Option<f64>,
}

/// A call where the rubric and the reviewers disagree on a behaviour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreement {
    pub call_id: String,
    pub behaviour: String,
    /// What the reviewers said: true present.
    pub labelled: bool,
    /// What the rubric found.
    pub found: bool,
    /// The rubric's first moment of the behaviour (when it found one).
    pub time: Option<f64>,
    pub quote: Option<String>,
    /// The reviewers' notes, joined.
    pub note: String,
    /// The call's page in the review packet, relative to the packet's root.
    pub page: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub labels_file: String,
    /// Calls with at least one usable label.
    pub calls: usize,
    /// In the rubric's order; only behaviours with usable labels.
    pub behaviours: Vec<BehaviourAgreement>,
    pub disagreements: Vec<Disagreement>,
    pub problems: Vec<Problem>,
}

impl Report {
    /// The behaviours whose κ is below `min` (an undefined κ, where everyone
    /// gave one and the same answer, is not below anything).
    pub fn below(&self, min: f64) -> Vec<&BehaviourAgreement> {
        self.behaviours
            .iter()
            .filter(|b| b.kappa.is_some_and(|k| k < min))
            .collect()
    }
}

/// Compares the `labels` with what the rubric found in `calls`; `behaviours`
/// are the rubric's behaviour ids, in its order.
pub fn evaluate(labels: &Labels, calls: &[ScoredCall], behaviours: &[String]) -> Report {
    let mut problems = labels.problems.clone();
    let usable = usable_rows(labels, calls, behaviours, &mut problems);
    problems.sort_by_key(|p| p.line);
    // (behaviour, call) → its labels in file order.
    let mut grouped: BTreeMap<(&str, &str), Vec<&Label>> = BTreeMap::new();
    for label in &usable {
        grouped
            .entry((label.behaviour.as_str(), label.call_id.as_str()))
            .or_default()
            .push(label);
    }
    let by_id: HashMap<&str, &ScoredCall> = calls.iter().map(|c| (c.call_id.as_str(), c)).collect();
    let mut report = Report {
        schema_version: REPORT_SCHEMA_VERSION,
        labels_file: labels.file.clone(),
        calls: usable
            .iter()
            .map(|l| l.call_id.as_str())
            .collect::<HashSet<_>>()
            .len(),
        behaviours: Vec::new(),
        disagreements: Vec::new(),
        problems,
    };
    for behaviour in behaviours {
        let items: Vec<(&str, &Vec<&Label>)> = grouped
            .range((behaviour.as_str(), "")..)
            .take_while(|((b, _), _)| *b == behaviour.as_str())
            .map(|((_, call), rows)| (*call, rows))
            .collect();
        if items.is_empty() {
            continue;
        }
        let agreement = behaviour_agreement(behaviour, &items, &by_id, &mut report.disagreements);
        report.behaviours.push(agreement);
    }
    report
}

fn behaviour_agreement(
    behaviour: &str,
    items: &[(&str, &Vec<&Label>)],
    calls: &HashMap<&str, &ScoredCall>,
    disagreements: &mut Vec<Disagreement>,
) -> BehaviourAgreement {
    let mut rubric = Confusion::default();
    let mut reviewers = Confusion::default();
    let mut contested = 0;
    for &(call_id, rows) in items {
        if let [first, second, ..] = rows.as_slice() {
            reviewers.add(first.present, second.present);
        }
        let labelled = rows[0].present;
        if rows.iter().any(|r| r.present != labelled) {
            contested += 1;
            continue;
        }
        let first_moment = calls
            .get(call_id)
            .and_then(|c| c.evidence.iter().find(|e| e.behaviour == behaviour));
        let found = first_moment.is_some();
        rubric.add(labelled, found);
        if found != labelled {
            let notes: Vec<&str> = rows
                .iter()
                .map(|r| r.note.as_str())
                .filter(|n| !n.is_empty())
                .collect();
            disagreements.push(Disagreement {
                call_id: call_id.to_string(),
                behaviour: behaviour.to_string(),
                labelled,
                found,
                time: first_moment.map(|e| e.start),
                quote: first_moment.map(|e| e.quote.clone()),
                note: notes.join("; "),
                page: format!("calls/{}.html", file_name_for(call_id)),
            });
        }
    }
    BehaviourAgreement {
        behaviour: behaviour.to_string(),
        confusion: rubric,
        precision: rubric.precision(),
        recall: rubric.recall(),
        kappa: rubric.kappa(),
        contested,
        reviewers: (reviewers.total() > 0).then(|| ReviewerAgreement {
            confusion: reviewers,
            kappa: reviewers.kappa(),
        }),
    }
}

/// The rows that can be evaluated; every other row becomes a problem: unknown
/// behaviour or call, a duplicate (same call, behaviour, reviewer and value:
/// the first is kept) or a contradiction (same call, behaviour and reviewer
/// with another value: neither is used).
fn usable_rows<'a>(
    labels: &'a Labels,
    calls: &[ScoredCall],
    behaviours: &[String],
    problems: &mut Vec<Problem>,
) -> Vec<&'a Label> {
    let known_calls: HashSet<&str> = calls.iter().map(|c| c.call_id.as_str()).collect();
    let known_behaviours: HashSet<&str> = behaviours.iter().map(String::as_str).collect();
    let mut problem = |line: usize, message: String| {
        problems.push(Problem {
            file: labels.file.clone(),
            line,
            message,
        })
    };
    let mut first: HashMap<(&str, &str, &str), &Label> = HashMap::new();
    let mut contradicted: HashSet<(&str, &str, &str)> = HashSet::new();
    let mut kept = Vec::new();
    for label in &labels.rows {
        if !known_behaviours.contains(label.behaviour.as_str()) {
            problem(
                label.line,
                format!(
                    "behaviour `{}` is not in the rubric; use one of its ids (`kuulas rubric show`)",
                    label.behaviour
                ),
            );
            continue;
        }
        if !known_calls.contains(label.call_id.as_str()) {
            problem(
                label.line,
                format!(
                    "call `{}` has no scores here; check the call id or score the call first",
                    label.call_id
                ),
            );
            continue;
        }
        let key = (
            label.call_id.as_str(),
            label.behaviour.as_str(),
            label.reviewer.as_str(),
        );
        match first.get(&key) {
            None => {
                first.insert(key, label);
                kept.push(label);
            }
            Some(earlier) if earlier.present == label.present => problem(
                label.line,
                format!("duplicate of line {}; the row is ignored", earlier.line),
            ),
            Some(earlier) => {
                problem(
                    label.line,
                    format!(
                        "contradicts line {} (same call, behaviour and reviewer, another value); \
                         neither row is used",
                        earlier.line
                    ),
                );
                contradicted.insert(key);
            }
        }
    }
    kept.retain(|l| {
        !contradicted.contains(&(
            l.call_id.as_str(),
            l.behaviour.as_str(),
            l.reviewer.as_str(),
        ))
    });
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(id: &str, found: &[(&str, f64, &str)]) -> ScoredCall {
        ScoredCall {
            call_id: id.to_string(),
            evidence: found
                .iter()
                .map(|&(behaviour, start, quote)| Evidence {
                    behaviour: behaviour.to_string(),
                    start,
                    quote: quote.to_string(),
                })
                .collect(),
        }
    }

    fn ids(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    fn calls() -> Vec<ScoredCall> {
        vec![
            call("c1", &[("greeting", 1.0, "Hyvää päivää")]),
            call(
                "c2",
                &[
                    ("greeting", 2.0, "Päivää"),
                    ("closing", 70.0, "Kiitos soitosta"),
                ],
            ),
            call("c3", &[]),
            call("c4", &[("closing", 30.0, "Hei hei")]),
        ]
    }

    #[test]
    fn counts_precision_recall_kappa_and_lists_disagreements() {
        let labels = labels::parse(
            "l.csv",
            "call_id,behaviour,present,note\n\
             c1,greeting,1,\n\
             c2,greeting,1,\n\
             c3,greeting,1,sanoi terve\n\
             c4,greeting,0,\n\
             c1,closing,0,\n\
             c2,closing,1,\n\
             c3,closing,0,\n\
             c4,closing,0,ei kiitosta\n",
        );
        let report = evaluate(&labels, &calls(), &ids(&["greeting", "closing", "empathy"]));
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.calls, 4);
        let names: Vec<&str> = report
            .behaviours
            .iter()
            .map(|b| b.behaviour.as_str())
            .collect();
        assert_eq!(
            names,
            ["greeting", "closing"],
            "rubric order, labelled only"
        );
        let greeting = &report.behaviours[0];
        assert_eq!(
            greeting.confusion,
            Confusion {
                tp: 2,
                fp: 0,
                fn_: 1,
                tn: 1
            }
        );
        assert_eq!(
            (greeting.precision, greeting.recall),
            (Some(1.0), Some(2.0 / 3.0))
        );
        // p_o = 3/4, p_e = (2·3 + 2·1)/16 = 1/2 → κ = 0.5.
        assert!((greeting.kappa.unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(greeting.reviewers, None);
        let closing = &report.behaviours[1];
        assert_eq!(
            closing.confusion,
            Confusion {
                tp: 1,
                fp: 1,
                fn_: 0,
                tn: 2
            }
        );
        assert_eq!(report.disagreements.len(), 2);
        let missed = &report.disagreements[0];
        assert_eq!(
            (missed.call_id.as_str(), missed.labelled, missed.found),
            ("c3", true, false)
        );
        assert_eq!((missed.time, missed.note.as_str()), (None, "sanoi terve"));
        let alarm = &report.disagreements[1];
        assert_eq!(
            (alarm.call_id.as_str(), alarm.behaviour.as_str()),
            ("c4", "closing")
        );
        assert_eq!(
            (alarm.time, alarm.quote.as_deref()),
            (Some(30.0), Some("Hei hei"))
        );
        assert_eq!(alarm.page, "calls/c4.html");
        // closing: p_o = 3/4, p_e = (2·1 + 2·3)/16 = 1/2 → κ = 0.5 as well.
        assert!((closing.kappa.unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(report.below(0.6).len(), 2);
        assert!(report.below(0.5).is_empty());
    }

    #[test]
    fn bad_rows_are_reported_with_file_and_line_and_the_rest_is_evaluated() {
        let labels = labels::parse(
            "team.csv",
            "call_id,behaviour,present,reviewer\n\
             c1,greeting,1,anna\n\
             c1,greting,1,anna\n\
             c9,greeting,1,anna\n\
             c1,greeting,1,anna\n\
             c2,greeting,1,anna\n\
             c2,greeting,0,anna\n\
             c4,greeting,0,anna\n",
        );
        let report = evaluate(&labels, &calls(), &ids(&["greeting"]));
        let shown: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(shown.len(), 4, "{shown:?}");
        assert!(shown[0].starts_with("team.csv:3: behaviour `greting` is not in the rubric"));
        assert!(shown[1].starts_with("team.csv:4: call `c9` has no scores"));
        assert!(shown[2].starts_with("team.csv:5: duplicate of line 2"));
        assert!(shown[3].starts_with("team.csv:7: contradicts line 6"));
        // c1 (kept once) and c4 are evaluated; c2's contradicting rows are not.
        let greeting = &report.behaviours[0];
        assert_eq!(
            greeting.confusion,
            Confusion {
                tp: 1,
                fp: 0,
                fn_: 0,
                tn: 1
            }
        );
        assert_eq!(report.calls, 2);
    }

    #[test]
    fn two_reviewers_get_their_own_kappa_and_their_disagreements_are_contested() {
        let labels = labels::parse(
            "two.csv",
            "call_id,behaviour,present,reviewer\n\
             c1,greeting,1,anna\nc1,greeting,1,ben\n\
             c2,greeting,1,anna\nc2,greeting,0,ben\n\
             c3,greeting,0,anna\nc3,greeting,0,ben\n\
             c4,greeting,0,anna\n",
        );
        let report = evaluate(&labels, &calls(), &ids(&["greeting"]));
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let greeting = &report.behaviours[0];
        assert_eq!(greeting.contested, 1);
        assert_eq!(
            greeting.confusion,
            Confusion {
                tp: 1,
                fp: 0,
                fn_: 0,
                tn: 2
            }
        );
        let reviewers = greeting.reviewers.as_ref().unwrap();
        assert_eq!(
            reviewers.confusion,
            Confusion {
                tp: 1,
                fp: 0,
                fn_: 1,
                tn: 1
            }
        );
        // p_o = 2/3, p_e = (2·1 + 1·2)/9 = 4/9 → κ = (2/9)/(5/9) = 0.4.
        assert!((reviewers.kappa.unwrap() - 0.4).abs() < 1e-12);
    }
}
