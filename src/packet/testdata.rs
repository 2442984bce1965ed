//! Hand-made calls for the packet's unit tests.

use super::view::{CallView, Moment};
use crate::store::{CallMetadata, CallStatus, MetricSummary};

pub fn call(id: &str, overall: f64) -> CallView {
    CallView {
        call_id: id.into(),
        metadata: CallMetadata::default(),
        status: CallStatus::Scored,
        failure_reason: None,
        duration: 60.0,
        transcript: None,
        scores: Vec::new(),
        overall: Some(overall),
        moments: Vec::new(),
        metrics: serde_json::Value::Null,
        summary: MetricSummary::default(),
        audio_path: None,
        audio_print: None,
    }
}

pub fn moment(behaviour: &str, points: f64, confidence: f64, start: f64) -> Moment {
    Moment {
        behaviour: behaviour.into(),
        party: "agent".into(),
        start,
        end: start + 2.0,
        quote: format!("{behaviour} at {start}"),
        points,
        confidence,
        dimension: String::new(),
        verified: true,
    }
}
