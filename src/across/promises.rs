//! Promises kept: a callback promise with a time is kept when an outbound call
//! that reaches the customer starts by its deadline ("luvataan ja pidetään
//! lupaus"). An outbound call that does not reach them (the customer said fewer
//! than [`Reached::min_customer_words`] words, or it lasted under
//! [`Reached::min_duration_s`], or it was never scored) is an attempt: trying
//! counts, and a second attempt is what the seed asks for ("viesti viedään
//! perille"), so a promise that ran out after one unanswered attempt is told
//! apart from one tried twice.

use time::{Duration, OffsetDateTime};

use crate::across::contact::{Contact, Direction};
use crate::across::when;
use crate::across::working::WorkingHours;

/// A moment's offset beyond this is taken as this (a day: no call is longer).
const MAX_CALL_S: f64 = 86_400.0;

/// When an outbound call counts as reaching the customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reached {
    pub min_customer_words: u64,
    pub min_duration_s: f64,
}

impl Default for Reached {
    fn default() -> Reached {
        Reached {
            min_customer_words: 5,
            min_duration_s: 20.0,
        }
    }
}

impl Reached {
    fn reached(&self, c: &Contact) -> bool {
        c.customer_words
            .is_some_and(|w| w >= self.min_customer_words)
            && c.duration_s.is_some_and(|d| d >= self.min_duration_s)
    }
}

/// What became of a promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// An outbound call reached the customer by the deadline.
    Kept,
    /// The deadline passed with only unanswered attempts (see `attempts`).
    Tried,
    /// The deadline has not passed (by `as_of`) and the customer is not reached yet.
    Open,
    /// The deadline passed without any outbound call.
    Broken,
    /// The promise's words give no time.
    NoTime,
    /// The call has no customer key or start time, so later calls cannot be found.
    NoCustomer,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Kept => "kept",
            Status::Tried => "tried",
            Status::Open => "open",
            Status::Broken => "broken",
            Status::NoTime => "no time given",
            Status::NoCustomer => "no customer key",
        }
    }
}

/// One promise and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Promise {
    pub call_id: String,
    pub agent: Option<String>,
    pub customer: Option<String>,
    pub quote: String,
    pub said_at: Option<OffsetDateTime>,
    pub deadline: Option<OffsetDateTime>,
    pub status: Status,
    /// Outbound calls by the deadline that did not reach the customer.
    pub attempts: Vec<String>,
    /// The outbound call that kept it.
    pub kept_by: Option<String>,
    /// The first outbound call after a missed deadline.
    pub late_call: Option<String>,
    /// An inbound call by the customer while the promise was outstanding.
    pub customer_called: Option<String>,
}

/// The promises of `call`, judged against its customer's calls (`later`: every
/// call of that customer in time order, with their starts).
pub fn judge(
    call: &Contact,
    later: &[(&Contact, OffsetDateTime)],
    hours: &WorkingHours,
    reached: &Reached,
    as_of: OffsetDateTime,
) -> Vec<Promise> {
    let mut judged: Vec<Promise> = Vec::new();
    for moment in &call.promises {
        let said_at = call
            .started_at
            .map(|t| t + Duration::seconds_f64(moment.at_s.clamp(0.0, MAX_CALL_S)));
        let deadline = said_at.and_then(|t| when::deadline(&moment.quote, t, hours));
        if deadline.is_some() && judged.iter().any(|p| p.deadline == deadline) {
            continue; // the same promise said twice in one call
        }
        let mut promise = Promise {
            call_id: call.call_id.clone(),
            agent: call.agent.clone(),
            customer: call.customer.clone(),
            quote: moment.quote.clone(),
            said_at,
            deadline,
            status: Status::NoTime,
            attempts: Vec::new(),
            kept_by: None,
            late_call: None,
            customer_called: None,
        };
        match (said_at, deadline) {
            _ if call.customer.is_none() || said_at.is_none() => {
                promise.status = Status::NoCustomer
            }
            (Some(said), Some(due)) => follow(&mut promise, call, said, due, later, reached, as_of),
            _ => {}
        }
        judged.push(promise);
    }
    judged
}

fn follow(
    promise: &mut Promise,
    call: &Contact,
    said: OffsetDateTime,
    due: OffsetDateTime,
    later: &[(&Contact, OffsetDateTime)],
    reached: &Reached,
    as_of: OffsetDateTime,
) {
    let after = later
        .iter()
        .filter(|(c, t)| *t > said && c.call_id != call.call_id);
    for (c, t) in after {
        let outbound = c.direction == Some(Direction::Outbound);
        if !outbound {
            if promise.customer_called.is_none() && *t <= due {
                promise.customer_called = Some(c.call_id.clone());
            }
            continue;
        }
        if *t > due {
            promise.late_call = Some(c.call_id.clone());
            break;
        }
        if reached.reached(c) {
            promise.kept_by = Some(c.call_id.clone());
            break;
        }
        promise.attempts.push(c.call_id.clone());
    }
    promise.status = if promise.kept_by.is_some() {
        Status::Kept
    } else if as_of < due {
        promise.late_call = None;
        Status::Open
    } else if promise.attempts.is_empty() {
        Status::Broken
    } else {
        Status::Tried
    };
}
