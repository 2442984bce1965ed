//! First-contact resolution by repeat contact, as contact centres measure it: an
//! inbound call is resolved on first contact when its customer does not call
//! again about the same matter within the window (7 days by default). A call that
//! itself follows a contact about the same matter within the window is a repeat,
//! not a first contact. Two calls are the same matter when their reasons are
//! equal, or when either has no reason (without reasons every repeat counts).
//! A first contact whose window has not ended yet (by `as_of`) is pending and
//! left out of the rate.

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime};

use crate::across::contact::Contact;

/// What became of an inbound call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No repeat contact within the window.
    Resolved,
    /// The customer called again about it: the first such call.
    Repeated { by: String },
    /// The window has not ended yet and no repeat came.
    Pending,
    /// This call repeats an earlier contact about the same matter.
    Repeat { of: String },
}

impl Outcome {
    /// `resolved`, `repeated`, `pending` or `repeat`, as reports and exports name it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::Repeated { .. } => "repeated",
            Outcome::Pending => "pending",
            Outcome::Repeat { .. } => "repeat",
        }
    }

    /// The other call it names: the repeat call, or the call it repeats.
    pub fn other_call(&self) -> Option<&str> {
        match self {
            Outcome::Repeated { by: call } | Outcome::Repeat { of: call } => Some(call),
            Outcome::Resolved | Outcome::Pending => None,
        }
    }
}

/// First contacts and how they ended, with the rubric's in-call judgement beside.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rate {
    pub first_contacts: u64,
    pub resolved: u64,
    pub repeated: u64,
    pub pending: u64,
    /// Calls that repeated an earlier contact.
    pub repeats: u64,
    /// First contacts (resolved or repeated) the rubric judged resolved in the call.
    pub judged_resolved: u64,
    /// … of which the customer called again all the same.
    pub judged_resolved_but_repeated: u64,
}

impl Rate {
    /// Resolved share of the decided first contacts; `None` when none is decided.
    pub fn fcr(&self) -> Option<f64> {
        let decided = self.resolved + self.repeated;
        (decided > 0).then(|| self.resolved as f64 / decided as f64)
    }

    fn add(&mut self, outcome: &Outcome, contact: &Contact) {
        let judged = contact.resolved_in_call == Some(true);
        match outcome {
            Outcome::Repeat { .. } => self.repeats += 1,
            Outcome::Pending => {
                self.first_contacts += 1;
                self.pending += 1;
            }
            Outcome::Resolved => {
                self.first_contacts += 1;
                self.resolved += 1;
                self.judged_resolved += u64::from(judged);
            }
            Outcome::Repeated { .. } => {
                self.first_contacts += 1;
                self.repeated += 1;
                self.judged_resolved += u64::from(judged);
                self.judged_resolved_but_repeated += u64::from(judged);
            }
        }
    }
}

/// Rates overall and per agent, team, queue and reason (`None`: not given).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fcr {
    pub overall: Rate,
    pub by_agent: BTreeMap<Option<String>, Rate>,
    pub by_team: BTreeMap<Option<String>, Rate>,
    pub by_queue: BTreeMap<Option<String>, Rate>,
    pub by_reason: BTreeMap<Option<String>, Rate>,
}

impl Fcr {
    pub fn add(&mut self, outcome: &Outcome, c: &Contact) {
        self.overall.add(outcome, c);
        for (groups, key) in [
            (&mut self.by_agent, &c.agent),
            (&mut self.by_team, &c.team),
            (&mut self.by_queue, &c.queue),
            (&mut self.by_reason, &c.reason),
        ] {
            groups.entry(key.clone()).or_default().add(outcome, c);
        }
    }
}

fn same_matter(a: &Contact, b: &Contact) -> bool {
    match (&a.reason, &b.reason) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// The outcome of each inbound call among one customer's `calls` (in time
/// order, each with its start), by position; outbound calls get `None`.
pub fn outcomes(
    calls: &[(&Contact, OffsetDateTime)],
    window: Duration,
    as_of: OffsetDateTime,
) -> Vec<Option<Outcome>> {
    let inbound: Vec<usize> = (0..calls.len())
        .filter(|&i| calls[i].0.is_inbound())
        .collect();
    let mut result = vec![None; calls.len()];
    for (n, &i) in inbound.iter().enumerate() {
        let (call, start) = calls[i];
        let earlier = inbound[..n]
            .iter()
            .rev()
            .map(|&j| calls[j])
            .take_while(|(_, t)| start - *t <= window)
            .find(|(c, _)| same_matter(c, call));
        let outcome = if let Some((first, _)) = earlier {
            Outcome::Repeat {
                of: first.call_id.clone(),
            }
        } else {
            let later = inbound[n + 1..]
                .iter()
                .map(|&j| calls[j])
                .take_while(|(_, t)| *t - start <= window)
                .find(|(c, _)| same_matter(c, call));
            match later {
                Some((repeat, _)) => Outcome::Repeated {
                    by: repeat.call_id.clone(),
                },
                None if start + window > as_of => Outcome::Pending,
                None => Outcome::Resolved,
            }
        };
        result[i] = Some(outcome);
    }
    result
}
