//! Why customers call, across calls: per contact reason the inbound calls, their
//! mean handling time (the recording's duration), how many came in the last 24
//! hours before `as_of` (the night's top reasons) and in the last
//! seven days before `as_of` against the seven days before those — a reason
//! rises when the last week has more. First-contact resolution per reason is
//! [`crate::across::fcr::Fcr::by_reason`]. Reasons are ids as stored
//! (`crate::reasons` tags them); calls without a start time count in the totals
//! but in neither week.

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime};

use crate::across::contact::Contact;

/// One reason's inbound calls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReasonCalls {
    pub calls: u64,
    /// Calls with a duration, and their total, for the mean.
    timed: u64,
    total_s: f64,
    /// Started in the 24 hours up to `as_of`.
    pub last_day: u64,
    /// Started in the 7 days up to `as_of`.
    pub this_week: u64,
    /// Started in the 7 days before those.
    pub previous_week: u64,
}

impl ReasonCalls {
    /// Mean handling time in seconds; `None` when no call has a duration.
    pub fn mean_duration_s(&self) -> Option<f64> {
        (self.timed > 0).then(|| self.total_s / self.timed as f64)
    }

    /// Calls this week more than the week before (negative: fewer).
    pub fn rise(&self) -> i64 {
        self.this_week as i64 - self.previous_week as i64
    }
}

/// Inbound calls per reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ByReason {
    pub reasons: BTreeMap<String, ReasonCalls>,
    /// Inbound calls with no reason (not tagged, or nothing matched).
    pub untagged: u64,
}

impl ByReason {
    /// Reasons by calls, most first (ties by id).
    pub fn top(&self) -> Vec<(&str, &ReasonCalls)> {
        let mut top: Vec<_> = self.reasons.iter().map(|(k, v)| (k.as_str(), v)).collect();
        top.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then(a.0.cmp(b.0)));
        top
    }

    /// Reasons with more calls this week than the week before, most risen first.
    pub fn rising(&self) -> Vec<(&str, &ReasonCalls)> {
        let mut rising: Vec<_> = self
            .top()
            .into_iter()
            .filter(|(_, r)| r.rise() > 0)
            .collect();
        rising.sort_by(|a, b| b.1.rise().cmp(&a.1.rise()).then(a.0.cmp(b.0)));
        rising
    }
}

/// Where this week and the week before start: this week is the seven days up to
/// `as_of` (a call exactly at a week's start belongs to the week before), the
/// week before the seven days before those.
pub fn weeks(as_of: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    (as_of - Duration::days(7), as_of - Duration::days(14))
}

/// Inbound calls per reason, weeks ending at `as_of`.
pub fn compute(contacts: &[Contact], as_of: OffsetDateTime) -> ByReason {
    let (this_from, previous_from) = weeks(as_of);
    let mut out = ByReason::default();
    for c in contacts.iter().filter(|c| c.is_inbound()) {
        let Some(reason) = &c.reason else {
            out.untagged += 1;
            continue;
        };
        let r = out.reasons.entry(reason.clone()).or_default();
        r.calls += 1;
        if let Some(d) = c.duration_s {
            r.timed += 1;
            r.total_s += d;
        }
        if c.started_at
            .is_some_and(|t| t > as_of - Duration::days(1) && t <= as_of)
        {
            r.last_day += 1;
        }
        match c.started_at {
            Some(t) if t > this_from && t <= as_of => r.this_week += 1,
            Some(t) if t > previous_from && t <= this_from => r.previous_week += 1,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::across::contact::Direction;
    use time::macros::datetime;

    fn call(reason: Option<&str>, at: OffsetDateTime, duration_s: f64) -> Contact {
        Contact {
            reason: reason.map(str::to_string),
            started_at: Some(at),
            duration_s: Some(duration_s),
            ..Contact::default()
        }
    }

    #[test]
    fn inbound_calls_per_reason_by_week_with_the_reasons_that_rise() {
        let as_of = datetime!(2026-11-23 12:00 +02:00);
        let outbound = Contact {
            direction: Some(Direction::Outbound),
            ..call(Some("fault_outage"), as_of, 60.0)
        };
        let contacts = [
            call(
                Some("fault_outage"),
                datetime!(2026-11-20 09:00 +02:00),
                100.0,
            ),
            call(
                Some("fault_outage"),
                datetime!(2026-11-22 18:00 +02:00),
                200.0,
            ),
            call(
                Some("fault_outage"),
                datetime!(2026-11-10 09:00 +02:00),
                300.0,
            ),
            call(
                Some("invoice_payment"),
                datetime!(2026-11-12 09:00 +02:00),
                50.0,
            ),
            call(
                Some("invoice_payment"),
                datetime!(2026-11-16 12:00 +02:00),
                70.0,
            ),
            call(
                Some("invoice_payment"),
                datetime!(2026-11-01 09:00 +02:00),
                90.0,
            ),
            call(None, datetime!(2026-11-22 09:00 +02:00), 10.0),
            outbound,
        ];
        let by = compute(&contacts, as_of);
        assert_eq!(by.untagged, 1);
        let fault = &by.reasons["fault_outage"];
        assert_eq!(
            (
                fault.calls,
                fault.last_day,
                fault.this_week,
                fault.previous_week
            ),
            (3, 1, 2, 1),
            "the last night's, the week's and the week before's"
        );
        assert_eq!(fault.mean_duration_s(), Some(200.0));
        // The 16th at noon is this week's start: it belongs to the week before.
        let invoice = &by.reasons["invoice_payment"];
        assert_eq!(
            (invoice.calls, invoice.this_week, invoice.previous_week),
            (3, 0, 2)
        );
        assert_eq!(by.top()[0].0, "fault_outage");
        let rising: Vec<_> = by.rising().iter().map(|(r, c)| (*r, c.rise())).collect();
        assert_eq!(rising, [("fault_outage", 1)]);
    }
}
