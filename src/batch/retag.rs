//! `kuulas reasons retag`: the contact reasons of every scored call tagged again
//! from its stored transcript with a (changed) taxonomy — no audio, no Whisper,
//! no rescoring. The caller holds the store as a run would (a lock file or the
//! PostgreSQL run lock), so no run writes a tag meanwhile.

use std::collections::HashMap;

use crate::batch::pipeline::stored_reason;
use crate::reasons::{self, Taxonomy};
use crate::store::{CallStatus, Store, StoreError};
use crate::transcript::Transcript;

/// What a retag did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retagged {
    /// Scored calls whose transcript was read.
    pub calls: u64,
    /// … of which got a reason.
    pub tagged: u64,
    /// … whose primary reason differs from the one stored before.
    pub changed: u64,
    /// Scored calls whose stored transcript could not be read (tag left as it was).
    pub unreadable: u64,
}

/// Tags every scored call of `store` with `taxonomy` and stores the tags.
pub fn retag(store: &mut dyn Store, taxonomy: &Taxonomy) -> Result<Retagged, StoreError> {
    let before: HashMap<String, Option<String>> = store
        .contacts()?
        .into_iter()
        .map(|c| (c.call_id, c.reason_id))
        .collect();
    let mut done = Retagged::default();
    let scored = store
        .known_calls()?
        .into_iter()
        .filter(|c| c.status == CallStatus::Scored);
    for call in scored {
        let Some(json) = store.transcript(&call.call_id)? else {
            continue;
        };
        let transcript = match Transcript::from_json(&json, &call.call_id) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!("call {}: not retagged: {e}", call.call_id);
                done.unreadable += 1;
                continue;
            }
        };
        let reason = reasons::tag(&transcript, taxonomy).map(stored_reason);
        done.calls += 1;
        done.tagged += u64::from(reason.is_some());
        let old = before.get(&call.call_id).cloned().flatten();
        done.changed += u64::from(old.as_deref() != reason.as_ref().map(|r| r.reason_id.as_str()));
        store.save_reason(&call.call_id, reason.as_ref())?;
    }
    Ok(done)
}
