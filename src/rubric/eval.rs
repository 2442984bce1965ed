//! Accuracy of a rubric on labelled calls: precision, recall and F1 per behaviour
//! and micro-averaged over all of them. [`evaluate`] scores every call
//! (`labelled::load_dir` reads them) and counts what it found against the labels.

use crate::metrics;
use crate::rubric::Rubric;
use crate::rubric::labelled::LabelledCall;
use crate::transcript::Transcript;

/// Behaviours evaluated unless the caller names others: the stable core ids.
pub const CORE_BEHAVIOURS: &[&str] = &[
    "greeting",
    "self_intro",
    "closing",
    "empathy",
    "apology",
    "ownership",
    "callback_promise",
    "bare_refusal",
    "justified_refusal",
    "need_discovery",
    "resolved",
    "customer_escalation",
    "announced_hold",
    "unannounced_silence",
    "power_struggle",
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// An empty denominator means nothing could go wrong: 1.0.
fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 1.0 } else { n as f64 / d as f64 }
}

/// One disagreement between the labels and the rubric.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    pub call: String,
    pub behaviour: String,
    /// true: labelled present but not found; false: found but labelled absent.
    pub missed: bool,
}

/// One moment the rubric found, kept to show why a false alarm fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub call: String,
    pub behaviour: String,
    pub quote: String,
}

/// Scores each call's transcript with `rubric` and counts what it found in
/// `behaviours` against the call's labels; also returns every moment found.
pub fn evaluate(
    rubric: &Rubric,
    behaviours: &[String],
    calls: &[(LabelledCall, Transcript)],
) -> (Eval, Vec<Found>) {
    let mut eval = Eval::new(behaviours);
    let mut evidence = Vec::new();
    for (call, transcript) in calls {
        let m = metrics::compute(transcript, None);
        let card = crate::rubric::score(transcript, &m, rubric);
        let found: Vec<String> = card.moments.iter().map(|m| m.behaviour.clone()).collect();
        eval.add(&call.id, &call.present, call.absent.as_deref(), &found);
        evidence.extend(card.moments.into_iter().map(|m| Found {
            call: call.id.clone(),
            behaviour: m.behaviour,
            quote: m.quote,
        }));
    }
    (eval, evidence)
}

#[derive(Debug, Clone)]
pub struct Eval {
    pub behaviours: Vec<String>,
    pub counts: Vec<Counts>,
    pub misses: Vec<Miss>,
    pub calls: usize,
}

impl Eval {
    pub fn new(behaviours: &[String]) -> Eval {
        Eval {
            behaviours: behaviours.to_vec(),
            counts: vec![Counts::default(); behaviours.len()],
            misses: Vec::new(),
            calls: 0,
        }
    }

    /// Adds one call: `present` / `absent` labels (absent `None`: every other
    /// evaluated behaviour) and the ids the rubric `found`.
    pub fn add(
        &mut self,
        call: &str,
        present: &[String],
        absent: Option<&[String]>,
        found: &[String],
    ) {
        self.calls += 1;
        for (b, counts) in self.behaviours.iter().zip(&mut self.counts) {
            let is_present = present.contains(b);
            let is_absent = absent.map_or(!is_present, |a| a.contains(b));
            let is_found = found.contains(b);
            match (is_present, is_absent, is_found) {
                (true, _, true) => counts.tp += 1,
                (true, _, false) => counts.fn_ += 1,
                (false, true, true) => counts.fp += 1,
                _ => continue,
            }
            if is_present != is_found {
                let miss = Miss {
                    call: call.to_string(),
                    behaviour: b.clone(),
                    missed: is_present,
                };
                self.misses.push(miss);
            }
        }
    }

    /// Counts summed over all behaviours (the micro average).
    pub fn micro(&self) -> Counts {
        self.counts.iter().fold(Counts::default(), |acc, c| Counts {
            tp: acc.tp + c.tp,
            fp: acc.fp + c.fp,
            fn_: acc.fn_ + c.fn_,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn counts_true_and_false_positives_and_misses() {
        let mut e = Eval::new(&ids(&["greeting", "closing", "apology"]));
        e.add(
            "a",
            &ids(&["greeting", "closing"]),
            None,
            &ids(&["greeting", "apology"]),
        );
        e.add(
            "b",
            &ids(&["apology"]),
            Some(&ids(&["greeting"])),
            &ids(&["apology", "closing"]),
        );
        assert_eq!(
            e.counts[0],
            Counts {
                tp: 1,
                fp: 0,
                fn_: 0
            }
        );
        assert_eq!(
            e.counts[1],
            Counts {
                tp: 0,
                fp: 0,
                fn_: 1
            },
            "closing in b is unlabelled"
        );
        assert_eq!(
            e.counts[2],
            Counts {
                tp: 1,
                fp: 1,
                fn_: 0
            }
        );
        let m = e.micro();
        assert_eq!((m.tp, m.fp, m.fn_), (2, 1, 1));
        assert!((m.f1() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(e.misses.len(), 2);
    }

    #[test]
    fn evaluates_a_directory_of_labelled_calls() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.toml"),
            "id = \"a\"\npresent = [\"greeting\"]\n\
             [[turn]]\nparty = \"agent\"\ntext = \"Hyvää päivää, asiakaspalvelu.\"\n",
        )
        .unwrap();
        let calls = crate::rubric::labelled::load_dir(dir.path()).unwrap();
        let rubric = crate::rubric::default_rubric();
        let (e, found) = evaluate(&rubric, &ids(&["greeting", "apology"]), &calls);
        assert_eq!(e.calls, 1);
        let greeting = &e.counts[0];
        assert_eq!((greeting.tp, greeting.fp, greeting.fn_), (1, 0, 0));
        assert_eq!(e.counts[1], Counts::default());
        assert!(
            found
                .iter()
                .any(|f| f.call == "a" && f.behaviour == "greeting")
        );

        let empty = tempfile::tempdir().unwrap();
        let err = crate::rubric::labelled::load_dir(empty.path()).unwrap_err();
        assert!(err.to_string().contains("no labelled calls"), "{err}");
    }
}
