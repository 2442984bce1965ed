//! `kuulas reasons retag`: the contact reasons of every scored call tagged again
//! from its stored transcript with a (changed) taxonomy — no audio, no Whisper,
//! no rescoring. The caller holds the store as a run would (a lock file or the
//! PostgreSQL run lock), so no run writes a tag meanwhile. Each run records the
//! taxonomy it tags with ([`stamp`]), a retag records its own on the runs whose
//! calls it tagged, and [`tagged_otherwise`] tells which stored tags came from
//! another taxonomy than a given one.

use std::collections::HashMap;

use crate::batch::pipeline::stored_reason;
use crate::reasons::{self, Taxonomy};
use crate::store::{CallStatus, Store, StoreError, TaggedWith, TaxonomyStamp};
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

/// What the store keeps of `taxonomy` to tell later which taxonomy tagged a call.
pub fn stamp(taxonomy: &Taxonomy) -> TaxonomyStamp {
    TaxonomyStamp {
        id: taxonomy.id.clone(),
        version: taxonomy.version.clone(),
        sha256: taxonomy.sha256.clone(),
    }
}

/// The scored calls whose tags came from another taxonomy than `taxonomy` (or
/// from one not recorded), per taxonomy; empty when every tag is `taxonomy`'s.
pub fn tagged_otherwise(
    store: &dyn Store,
    taxonomy: &Taxonomy,
) -> Result<Vec<TaggedWith>, StoreError> {
    let this = stamp(taxonomy);
    Ok(store
        .tagged_with()?
        .into_iter()
        .filter(|t| t.taxonomy.as_ref() != Some(&this))
        .collect())
}

/// Tags every scored call of `store` with `taxonomy` and stores the tags; when
/// every one was read, records `taxonomy` on their runs (a call whose transcript
/// could not be read keeps its old tag, so its run keeps its old taxonomy).
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
    if done.unreadable == 0 {
        store.retagged_with(&stamp(taxonomy))?;
    }
    Ok(done)
}
