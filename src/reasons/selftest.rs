//! The taxonomy self-test (`kuulas reasons test`): every reason's `examples`
//! must be tagged with that reason as the primary one, and its
//! `counter_examples` must not (no reason, or another). Each is tagged as a call
//! of its own: one customer turn, or several written `agent: … | customer: …`,
//! as the rubric's examples are.

use crate::reasons::tag::tag;
use crate::reasons::taxonomy::Taxonomy;
use crate::rubric::labelled::synthesize;
use crate::rubric::selftest::turns;
use crate::transcript::Party;

/// An example not tagged as its reason, or a counter-example that was.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub reason: String,
    /// Line of the reason in the taxonomy file.
    pub line: usize,
    pub text: String,
    /// true: an example that should have been tagged with the reason.
    pub example: bool,
    /// What it was tagged with instead (for an example), or `None`.
    pub tagged: Option<String>,
}

/// Number of examples checked and the failures among them.
pub fn run(taxonomy: &Taxonomy) -> (usize, Vec<Failure>) {
    let mut checked = 0;
    let mut failures = Vec::new();
    for reason in &taxonomy.reasons {
        let cases = reason
            .examples
            .iter()
            .map(|e| (e, true))
            .chain(reason.counter_examples.iter().map(|c| (c, false)));
        for (text, example) in cases {
            checked += 1;
            let tagged = tag_text(text, taxonomy);
            if (tagged.as_deref() == Some(reason.id.as_str())) != example {
                failures.push(Failure {
                    reason: reason.id.clone(),
                    line: reason.line,
                    text: text.clone(),
                    example,
                    tagged,
                });
            }
        }
    }
    (checked, failures)
}

/// The primary reason of `text` said by the customer (or turns written
/// `agent: … | customer: …`).
pub fn tag_text(text: &str, taxonomy: &Taxonomy) -> Option<String> {
    tag(&synthesize(&turns(text, Party::Customer)), taxonomy).map(|t| t.reason)
}
