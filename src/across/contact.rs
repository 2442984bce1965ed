//! The plain call rows the figures across calls are computed from: who, when,
//! which way, by whom, about what, and what the rubric found in the call.

use time::OffsetDateTime;

/// Which way a call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The customer called.
    Inbound,
    /// The agent called, e.g. a promised callback.
    Outbound,
}

impl Direction {
    /// `inbound` or `outbound`, as the metadata stores them.
    pub fn parse(text: &str) -> Option<Direction> {
        match text {
            "inbound" => Some(Direction::Inbound),
            "outbound" => Some(Direction::Outbound),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// A callback promise found in a call (the rubric's `callback_promise` moment).
#[derive(Debug, Clone, PartialEq)]
pub struct PromiseMoment {
    pub quote: String,
    /// Seconds from the start of the recording.
    pub at_s: f64,
}

/// One call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contact {
    pub call_id: String,
    /// The customer key (`batch::metadata`); calls without one are left out.
    pub customer: Option<String>,
    /// Calls without a start time are left out too.
    pub started_at: Option<OffsetDateTime>,
    /// `None` is counted as inbound (and counted).
    pub direction: Option<Direction>,
    pub agent: Option<String>,
    pub team: Option<String>,
    pub queue: Option<String>,
    /// Why the customer called, where known; calls without one are the same
    /// matter as any other call of their customer.
    pub reason: Option<String>,
    /// The rubric's in-call judgement: `Some(true)` for a `resolved` moment,
    /// `Some(false)` for an `unresolved` one (or both), `None` for neither.
    pub resolved_in_call: Option<bool>,
    /// Words the customer said; `None` when the call was not scored.
    pub customer_words: Option<u64>,
    pub duration_s: Option<f64>,
    pub promises: Vec<PromiseMoment>,
}

impl Contact {
    /// Inbound, or no direction given (most service calls are inbound).
    pub fn is_inbound(&self) -> bool {
        self.direction != Some(Direction::Outbound)
    }
}
