//! Across calls: what a single call cannot show. Whether a matter was settled on
//! the first contact (the customer did not call again about it, [`fcr`]), whether
//! promised callbacks were made ([`promises`], deadlines from the promise's words
//! by [`when`]), why customers call ([`by_reason`]: calls, handling time and
//! the reasons that rise), and each customer's previous and next call — from plain call
//! rows ([`Contact`]: metadata plus what the rubric found), never from audio or
//! transcripts. Pure: no IO, cannot fail. Entry point: [`compute`].

pub mod by_reason;
pub mod contact;
pub mod fcr;
pub mod promises;
pub mod report;
pub mod rows;
pub mod when;
pub mod working;

use std::collections::HashMap;

use time::{Duration, OffsetDateTime};

use crate::across::by_reason::ByReason;
use crate::across::contact::Contact;
use crate::across::fcr::{Fcr, Outcome};
use crate::across::promises::{Promise, Reached};
use crate::across::working::WorkingHours;

/// How the figures are computed; [`Settings::new`] gives the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// A repeat contact within this many days means the first was not resolved.
    pub repeat_days: u32,
    pub hours: WorkingHours,
    pub reached: Reached,
    /// The time the figures are computed at: later deadlines and windows are open.
    pub as_of: OffsetDateTime,
}

impl Settings {
    /// Seven days, Monday–Friday 8–16, the default [`Reached`], as of `as_of`.
    pub fn new(as_of: OffsetDateTime) -> Settings {
        Settings {
            repeat_days: 7,
            hours: WorkingHours::default(),
            reached: Reached::default(),
            as_of,
        }
    }
}

/// One call's place among its customer's calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallLinks {
    pub call_id: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// For inbound calls.
    pub outcome: Option<Outcome>,
}

/// Calls left out of the figures, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeftOut {
    pub no_customer: u64,
    /// With a customer but no start time.
    pub no_start: u64,
    /// Calls with no direction, counted as inbound (not left out).
    pub direction_unknown: u64,
}

/// Everything computed across calls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Calls with a customer key and a start time, by customer then time.
    pub calls: Vec<CallLinks>,
    pub fcr: Fcr,
    /// Every callback promise, in the order of the calls that made them.
    pub promises: Vec<Promise>,
    /// Inbound calls per contact reason (all calls, with a customer key or not).
    pub reasons: ByReason,
    pub left_out: LeftOut,
}

/// The figures across `contacts`.
pub fn compute(contacts: &[Contact], settings: &Settings) -> Figures {
    let mut figures = Figures {
        reasons: by_reason::compute(contacts, settings.as_of),
        ..Figures::default()
    };
    let mut timed: Vec<(&Contact, OffsetDateTime)> = Vec::with_capacity(contacts.len());
    for c in contacts {
        figures.left_out.direction_unknown += u64::from(c.direction.is_none());
        match (&c.customer, c.started_at) {
            (None, _) => figures.left_out.no_customer += 1,
            (Some(_), None) => figures.left_out.no_start += 1,
            (Some(_), Some(t)) => timed.push((c, t)),
        }
    }
    timed.sort_by(|(a, ta), (b, tb)| {
        (&a.customer, ta, &a.call_id).cmp(&(&b.customer, tb, &b.call_id))
    });
    let window = Duration::days(settings.repeat_days.into());
    let mut by_customer: HashMap<&str, &[(&Contact, OffsetDateTime)]> = HashMap::new();
    for group in timed.chunk_by(|(a, _), (b, _)| a.customer == b.customer) {
        let outcomes = fcr::outcomes(group, window, settings.as_of);
        for (i, ((c, _), outcome)) in group.iter().zip(outcomes).enumerate() {
            if let Some(outcome) = &outcome {
                figures.fcr.add(outcome, c);
            }
            figures.calls.push(CallLinks {
                call_id: c.call_id.clone(),
                previous: i.checked_sub(1).map(|j| group[j].0.call_id.clone()),
                next: group.get(i + 1).map(|(n, _)| n.call_id.clone()),
                outcome,
            });
        }
        if let Some(key) = group[0].0.customer.as_deref() {
            by_customer.insert(key, group);
        }
    }
    for c in contacts.iter().filter(|c| !c.promises.is_empty()) {
        let calls = c
            .customer
            .as_deref()
            .and_then(|k| by_customer.get(k))
            .copied()
            .unwrap_or_default();
        figures.promises.extend(promises::judge(
            c,
            calls,
            &settings.hours,
            &settings.reached,
            settings.as_of,
        ));
    }
    figures
}

#[cfg(test)]
mod tests;
