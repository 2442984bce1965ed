//! The "Across calls" page (issue 21) and each call page's place among its
//! customer's calls: first-contact resolution with the in-call judgement beside
//! it, the promises a manager must follow up (with the promising moment's quote,
//! its deadline and the call), the calls left out and why, and the customer
//! feedback of the packet's calls as themes with quotes; per contact reason (by
//! the taxonomy's label) the inbound calls, their resolution, mean handling time
//! and this week against the week before, with the reasons that rise. The
//! figures come from [`crate::across::compute`] over the store's contact rows —
//! never from audio — and are turned here into template data in the packet's
//! language.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use super::call_page::Prepared;
use super::labels::{self, Lang};
use crate::across::contact::Contact;
use crate::across::fcr::{Outcome, Rate};
use crate::across::promises::{Promise, Status};
use crate::across::{Figures, Settings, compute};
use crate::reasons::Labels;
use crate::redact;

/// The rubric's feedback behaviours (`src/rubric/default.toml`): the customer's
/// feedback the agent did not say would be passed on, by kind (with the kind's
/// interface string)…
pub const UNFORWARDED: [(&str, &str); 3] = [
    ("unforwarded_complaint", "feedback_complaint"),
    ("unforwarded_suggestion", "feedback_suggestion"),
    ("unforwarded_praise", "feedback_praise"),
];
/// …and the agent saying it will be.
pub const FORWARDED: &str = "feedback_forwarded";

/// What the packet shows across calls: the figures over every stored call and,
/// per call, what its page needs.
#[derive(Debug, Clone)]
pub struct Across {
    pub figures: Figures,
    pub settings: Settings,
    /// The names of the reasons, from the taxonomy the calls were tagged with.
    labels: Labels,
    calls: HashMap<String, Known>,
    /// The offset of the latest call's start: "as of" is shown in it (the time
    /// the calls are in), not in UTC.
    local: Option<UtcOffset>,
}

/// What a page needs of one stored call.
#[derive(Debug, Clone, Default)]
struct Known {
    started_at: Option<OffsetDateTime>,
    resolved_in_call: Option<bool>,
    /// Its place in `Figures::calls`, if it is in the figures.
    links: Option<usize>,
    /// Its promises' places in `Figures::promises`.
    promises: Vec<usize>,
}

impl Across {
    /// The figures across `contacts` (every call the store holds, not only the
    /// packet's), as `settings` say; reasons are shown by their `labels`.
    pub fn compute(contacts: &[Contact], settings: Settings, labels: Labels) -> Across {
        let figures = compute(contacts, &settings);
        let mut calls: HashMap<String, Known> = contacts
            .iter()
            .map(|c| {
                let known = Known {
                    started_at: c.started_at,
                    resolved_in_call: c.resolved_in_call,
                    ..Known::default()
                };
                (c.call_id.clone(), known)
            })
            .collect();
        for (i, links) in figures.calls.iter().enumerate() {
            calls.entry(links.call_id.clone()).or_default().links = Some(i);
        }
        for (i, p) in figures.promises.iter().enumerate() {
            calls.entry(p.call_id.clone()).or_default().promises.push(i);
        }
        let local = contacts
            .iter()
            .filter_map(|c| c.started_at)
            .max()
            .map(OffsetDateTime::offset);
        Across {
            figures,
            settings,
            labels,
            calls,
            local,
        }
    }

    fn judged_resolved(&self, id: &str) -> bool {
        self.calls
            .get(id)
            .is_some_and(|k| k.resolved_in_call == Some(true))
    }
}

/// Where each call of the packet has its page, relative to the packet's root.
pub type Pages = HashMap<String, String>;

pub fn pages(prepared: &[Prepared<'_>]) -> Pages {
    prepared
        .iter()
        .map(|p| (p.call.call_id.clone(), format!("calls/{}.html", p.name)))
        .collect()
}

fn time_iso(t: OffsetDateTime) -> Option<String> {
    t.format(&Rfc3339).ok()
}

fn when(lang: Lang, t: Option<OffsetDateTime>) -> Option<String> {
    t.and_then(time_iso).map(|iso| labels::datetime(lang, &iso))
}

/// A call as a link (when the packet has its page; `root` leads from the page
/// that shows it to the packet's root) and its start as text.
fn call_ref(lang: Lang, across: &Across, pages: &Pages, root: &str, id: &str) -> Value {
    json!({
        "id": id,
        "link": pages.get(id).map(|p| format!("{root}{p}")),
        "date": when(lang, across.calls.get(id).and_then(|k| k.started_at)),
    })
}

fn rate_json(rate: &Rate) -> Value {
    json!({
        "percent": rate.fcr().map(|r| format!("{:.0} %", r * 100.0)),
        "share": rate.fcr().map(|r| (r * 100.0).round()),
        "resolved": rate.resolved,
        "repeated": rate.repeated,
        "decided": rate.resolved + rate.repeated,
        "pending": rate.pending,
        "repeats": rate.repeats,
        "judged_resolved": rate.judged_resolved,
        "judged_but_repeated": rate.judged_resolved_but_repeated,
    })
}

fn groups_json(lang: Lang, groups: &BTreeMap<Option<String>, Rate>) -> Vec<Value> {
    groups
        .iter()
        .map(|(key, rate)| {
            let mut v = rate_json(rate);
            v["name"] = json!(key.as_deref().unwrap_or(labels::text(lang, "not_given")));
            v
        })
        .collect()
}

/// The status of a promise in words, and a class for its tag.
fn status(lang: Lang, s: Status) -> (&'static str, &'static str) {
    let key = match s {
        Status::Kept => "promise_kept",
        Status::Tried => "promise_tried",
        Status::Open => "promise_open",
        Status::Broken => "promise_broken",
        Status::NoTime => "promise_no_time",
        Status::NoCustomer => "promise_no_customer",
    };
    let class = match s {
        Status::Kept => "pos",
        Status::Broken | Status::Tried => "neg",
        Status::Open | Status::NoTime | Status::NoCustomer => "plain",
    };
    (labels::text(lang, key), class)
}

fn promise_json(
    lang: Lang,
    across: &Across,
    pages: &Pages,
    root: &str,
    p: &Promise,
    redact_on: bool,
) -> Value {
    let (text, class) = status(lang, p.status);
    let refs = |ids: &[String]| {
        ids.iter()
            .map(|id| call_ref(lang, across, pages, root, id))
            .collect::<Vec<_>>()
    };
    json!({
        "call": call_ref(lang, across, pages, root, &p.call_id),
        "agent": p.agent,
        "quote": if redact_on { redact::text(&p.quote) } else { p.quote.clone() },
        "said": when(lang, p.said_at),
        "deadline": when(lang, p.deadline),
        "status": text,
        "class": class,
        "attempts": refs(&p.attempts),
        "kept_by": p.kept_by.as_deref().map(|id| call_ref(lang, across, pages, root, id)),
        "late_call": p.late_call.as_deref().map(|id| call_ref(lang, across, pages, root, id)),
        "customer_called": p.customer_called.as_deref().map(|id| call_ref(lang, across, pages, root, id)),
    })
}

/// Promises per status, in the order a manager follows them up.
const STATUS_ORDER: [Status; 6] = [
    Status::Broken,
    Status::Tried,
    Status::Open,
    Status::NoTime,
    Status::NoCustomer,
    Status::Kept,
];

/// The "Across calls" page's own context.
pub fn page(
    lang: Lang,
    across: &Across,
    pages: &Pages,
    prepared: &[Prepared<'_>],
    redact_on: bool,
) -> Value {
    let f = &across.figures;
    let fcr = &f.fcr;
    let judged_but_repeated: Vec<Value> = f
        .calls
        .iter()
        .filter_map(|c| match &c.outcome {
            Some(Outcome::Repeated { by }) if across.judged_resolved(&c.call_id) => Some(json!({
                "call": call_ref(lang, across, pages, "", &c.call_id),
                "repeat": call_ref(lang, across, pages, "", by),
            })),
            _ => None,
        })
        .collect();
    let counts: Vec<Value> = STATUS_ORDER
        .iter()
        .map(|&s| {
            let (text, class) = status(lang, s);
            let n = f.promises.iter().filter(|p| p.status == s).count();
            json!({"status": text, "class": class, "n": n})
        })
        .collect();
    let follow_up: Vec<Value> = STATUS_ORDER
        .iter()
        .filter(|s| **s != Status::Kept)
        .flat_map(|&s| f.promises.iter().filter(move |p| p.status == s))
        .map(|p| promise_json(lang, across, pages, "", p, redact_on))
        .collect();
    let kept: Vec<Value> = f
        .promises
        .iter()
        .filter(|p| p.status == Status::Kept)
        .map(|p| promise_json(lang, across, pages, "", p, redact_on))
        .collect();
    json!({
        "as_of": when(lang, Some(across.local.map_or(across.settings.as_of, |o| across.settings.as_of.to_offset(o)))),
        "repeat_days": across.settings.repeat_days,
        "calls": f.calls.len(),
        "overall": rate_json(&fcr.overall),
        "groups": [
            {"title": "fcr_by_agent", "rows": groups_json(lang, &fcr.by_agent)},
            {"title": "fcr_by_team", "rows": groups_json(lang, &fcr.by_team)},
            {"title": "fcr_by_queue", "rows": groups_json(lang, &fcr.by_queue)},
        ],
        "reasons": reasons(across),
        "judged_but_repeated": judged_but_repeated,
        "promise_counts": counts,
        "promises_total": f.promises.len(),
        "follow_up": follow_up,
        "kept": kept,
        "left_out": {
            "no_customer": f.left_out.no_customer,
            "no_start": f.left_out.no_start,
            "direction_unknown": f.left_out.direction_unknown,
        },
        "feedback": feedback(lang, prepared),
    })
}

/// The per-reason table, `None` when no inbound call carries a reason: each
/// reason by its label, most calls first, with its first-contact resolution, mean
/// handling time and this week's calls against the week before's; then the
/// reasons that rise, most first.
fn reasons(across: &Across) -> Option<Value> {
    let f = &across.figures;
    if f.reasons.reasons.is_empty() {
        return None;
    }
    let none = Rate::default();
    let rows: Vec<Value> = f
        .reasons
        .top()
        .into_iter()
        .map(|(id, calls)| {
            let rate = f.fcr.by_reason.get(&Some(id.to_string())).unwrap_or(&none);
            let mut v = rate_json(rate);
            v["name"] = json!(across.labels.label(id));
            v["calls"] = json!(calls.calls);
            v["mean_duration"] = json!(calls.mean_duration_s().map(super::call_page::clock));
            v["last_day"] = json!(calls.last_day);
            v["this_week"] = json!(calls.this_week);
            v["previous_week"] = json!(calls.previous_week);
            v["rise"] = json!(calls.rise());
            v
        })
        .collect();
    let rising: Vec<Value> = f
        .reasons
        .rising()
        .into_iter()
        .map(|(id, calls)| json!({"name": across.labels.label(id), "rise": calls.rise()}))
        .collect();
    Some(json!({"rows": rows, "rising": rising, "untagged": f.reasons.untagged}))
}

/// The packet's customer feedback as themes: per kind the feedback no one said
/// would be passed on, with the customer's words, and the calls where the agent
/// said it would be (with the agent's words).
fn feedback(lang: Lang, prepared: &[Prepared<'_>]) -> Value {
    let quotes = |behaviour: &str| -> Vec<Value> {
        prepared
            .iter()
            .flat_map(|p| {
                p.moments
                    .iter()
                    .filter(move |m| m.verified && m.behaviour == behaviour)
                    .map(move |m| {
                        let at = p.quoted(m).map_or(m.start, |q| q.start);
                        json!({
                            "quote": m.quote,
                            "call": p.call.call_id,
                            "agent": p.call.metadata.agent,
                            "link": format!("calls/{}.html#t={at:.1}", p.name),
                            "time": super::call_page::clock(at),
                        })
                    })
            })
            .collect()
    };
    let themes: Vec<Value> = UNFORWARDED
        .iter()
        .map(|(behaviour, kind)| {
            json!({
                "kind": labels::text(lang, kind),
                "quotes": quotes(behaviour),
            })
        })
        .collect();
    json!({
        "themes": themes,
        "unforwarded": themes.iter().map(|t| t["quotes"].as_array().map_or(0, Vec::len)).sum::<usize>(),
        "forwarded": quotes(FORWARDED),
    })
}

/// What a call page shows of its customer's calls: the previous and next call
/// (a link when in the packet, else the date), the first-contact outcome and
/// what became of the call's promises. `None` for a call left out of the figures.
pub fn call(lang: Lang, across: &Across, pages: &Pages, call_id: &str, redact_on: bool) -> Value {
    let f = &across.figures;
    let root = "../";
    let known = across.calls.get(call_id);
    let links = known.and_then(|k| k.links).map(|i| &f.calls[i]);
    let promises: Vec<Value> = known
        .map_or(&[][..], |k| &k.promises)
        .iter()
        .map(|&i| promise_json(lang, across, pages, root, &f.promises[i], redact_on))
        .collect();
    let Some(links) = links else {
        return json!({"left_out": true, "promises": promises});
    };
    let refer = |id: &Option<String>| {
        id.as_deref()
            .map(|id| call_ref(lang, across, pages, root, id))
    };
    let (outcome, other) = match &links.outcome {
        None => (None, None),
        Some(Outcome::Resolved) => (Some("fcr_resolved"), None),
        Some(Outcome::Pending) => (Some("fcr_pending"), None),
        Some(Outcome::Repeated { by }) => (Some("fcr_repeated"), Some(by)),
        Some(Outcome::Repeat { of }) => (Some("fcr_repeat"), Some(of)),
    };
    json!({
        "left_out": false,
        "previous": refer(&links.previous),
        "next": refer(&links.next),
        "outcome": outcome.map(|k| labels::text(lang, k)),
        "outcome_call": other.map(|id| call_ref(lang, across, pages, root, id)),
        "judged_resolved": across.judged_resolved(call_id),
        "promises": promises,
    })
}

#[cfg(test)]
mod tests;
