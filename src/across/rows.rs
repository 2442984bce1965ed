//! Store rows to [`Contact`]s: the metadata as it is, the contact reason the call
//! was tagged with, and from the stored score moments and metrics only what the
//! figures need — the `callback_promise` moments (quote and time), the in-call
//! `resolved` / `unresolved` judgement and how many words the customer said.
//! Moments the audio did not verify are not used, as the scores do not use them.

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::across::contact::{Contact, Direction, PromiseMoment};
use crate::rubric::scorecard::StoredMoment;
use crate::store::ContactRow;

/// The rubric behaviour whose moments are callback promises.
pub const PROMISE_BEHAVIOUR: &str = "callback_promise";

#[derive(Deserialize)]
struct StoredMetrics {
    customer: StoredTalk,
}

#[derive(Deserialize)]
struct StoredTalk {
    words: u64,
}

/// The contact a stored row describes. JSON the store holds but cannot be read
/// counts as not scored (and is logged): the call still counts as a contact.
pub fn contact(row: &ContactRow) -> Contact {
    let m = &row.metadata;
    let moments: Vec<StoredMoment> = row
        .moments_json
        .as_deref()
        .and_then(|json| parse(json, &row.call_id, "moments"))
        .unwrap_or_default();
    let verified = || moments.iter().filter(|m| m.verified);
    let said = |id: &str| verified().any(|m| m.behaviour == id);
    let resolved_in_call = if said("unresolved") {
        Some(false)
    } else if said("resolved") {
        Some(true)
    } else {
        None
    };
    let metrics: Option<StoredMetrics> = row
        .metrics_json
        .as_deref()
        .and_then(|json| parse(json, &row.call_id, "metrics"));
    Contact {
        call_id: row.call_id.clone(),
        customer: m.customer_key.clone(),
        started_at: m
            .started_at
            .as_deref()
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok()),
        direction: m.direction.as_deref().and_then(Direction::parse),
        agent: m.agent.clone(),
        team: m.team.clone(),
        queue: m.queue.clone(),
        reason: row.reason_id.clone(),
        resolved_in_call,
        customer_words: metrics.map(|m| m.customer.words),
        duration_s: row.duration_s,
        promises: verified()
            .filter(|m| m.behaviour == PROMISE_BEHAVIOUR)
            .map(|m| PromiseMoment {
                quote: m.quote.clone(),
                at_s: m.start,
            })
            .collect(),
    }
}

fn parse<T: for<'de> Deserialize<'de>>(json: &str, call_id: &str, what: &str) -> Option<T> {
    serde_json::from_str(json)
        .map_err(|e| {
            tracing::warn!(
                "call {call_id}: the stored {what} cannot be read ({e}); counted as not scored"
            )
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::CallMetadata;
    use time::macros::datetime;

    #[test]
    fn a_scored_row_gives_its_promises_judgement_and_customer_words() {
        let row = ContactRow {
            call_id: "c1".into(),
            metadata: CallMetadata {
                customer_key: Some("A-17".into()),
                direction: Some("inbound".into()),
                started_at: Some("2026-11-18T10:00:00+02:00".into()),
                agent: Some("Aino".into()),
                ..CallMetadata::default()
            },
            duration_s: Some(95.0),
            metrics_json: Some(r#"{"duration": 95.0, "customer": {"talk_time": 30.0, "words": 57}}"#.into()),
            moments_json: Some(
                r#"[{"behaviour": "callback_promise", "start": 61.5, "quote": "Soitan huomenna.", "verified": true},
                    {"behaviour": "callback_promise", "start": 70.0, "quote": "Soitan tänään.", "verified": false},
                    {"behaviour": "resolved", "start": 80.0, "quote": "Nyt se on hoidettu."}]"#
                    .into(),
            ),
            reason_id: Some("invoice_payment".into()),
        };
        let c = contact(&row);
        assert_eq!(c.customer.as_deref(), Some("A-17"));
        assert_eq!(c.direction, Some(Direction::Inbound));
        assert_eq!(c.started_at, Some(datetime!(2026-11-18 10:00 +02:00)));
        assert_eq!(c.customer_words, Some(57));
        assert_eq!(c.resolved_in_call, Some(true));
        assert_eq!(c.reason.as_deref(), Some("invoice_payment"));
        assert_eq!(
            c.promises,
            [PromiseMoment {
                quote: "Soitan huomenna.".into(),
                at_s: 61.5
            }]
        );
    }

    #[test]
    fn an_unscored_or_unreadable_row_is_a_contact_without_findings() {
        let row = ContactRow {
            call_id: "c2".into(),
            metadata: CallMetadata::default(),
            duration_s: None,
            metrics_json: Some("{not json".into()),
            moments_json: None,
            reason_id: None,
        };
        let c = contact(&row);
        assert_eq!(
            (c.customer_words, c.resolved_in_call, c.promises.len()),
            (None, None, 0)
        );
    }
}
