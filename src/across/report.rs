//! The figures as text for people and as versioned JSON for tools. The JSON is
//! its own format (built here, `schema_version` 1), not a dump of the types.
//! The text names reasons by their taxonomy's labels; the JSON keys them by id,
//! with the label beside (an id the taxonomy does not know is its own label).

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::across::by_reason::{self, ReasonCalls};
use crate::across::fcr::{Outcome, Rate};
use crate::across::promises::{Promise, Status};
use crate::across::{CallLinks, Figures, Settings};
use crate::escape;
use crate::reasons::Labels;

/// Bumped whenever a JSON field changes meaning or disappears; additions keep it.
pub const SCHEMA_VERSION: u32 = 1;

fn time_text(t: Option<OffsetDateTime>) -> String {
    t.and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_default()
}

fn percent(rate: &Rate) -> String {
    rate.fcr()
        .map_or("   –   ".into(), |r| format!("{:5.1} %", r * 100.0))
}

fn rate_line(rate: &Rate) -> String {
    format!(
        "{}  ({} of {} decided, {} pending, {} repeat calls; judged resolved in the call {}, of which {} called again)",
        percent(rate),
        rate.resolved,
        rate.resolved + rate.repeated,
        rate.pending,
        rate.repeats,
        rate.judged_resolved,
        rate.judged_resolved_but_repeated
    )
}

fn name(key: &Option<String>) -> String {
    key.as_deref()
        .map_or("(not given)".into(), |k| escape::escape(k).into_owned())
}

/// Counts of promises per status, in [`Status`] order.
fn tally(promises: &[Promise]) -> Vec<(Status, usize)> {
    [
        Status::Kept,
        Status::Tried,
        Status::Open,
        Status::Broken,
        Status::NoTime,
        Status::NoCustomer,
    ]
    .into_iter()
    .map(|s| (s, promises.iter().filter(|p| p.status == s).count()))
    .collect()
}

/// The figures for a terminal: rates, then the promises a manager must follow up;
/// reasons by their `labels`.
pub fn text(figures: &Figures, settings: &Settings, labels: &Labels) -> String {
    let mut out = String::new();
    let left = &figures.left_out;
    let _ = writeln!(
        out,
        "Across {} calls with a customer (as of {}, repeat window {} days); left out: {} without a customer key, {} without a start time; {} without a direction counted as inbound",
        figures.calls.len(),
        time_text(Some(settings.as_of)),
        settings.repeat_days,
        left.no_customer,
        left.no_start,
        left.direction_unknown
    );
    let fcr = &figures.fcr;
    let _ = writeln!(
        out,
        "\nFirst-contact resolution {}",
        rate_line(&fcr.overall)
    );
    for (title, groups) in [
        ("agent", &fcr.by_agent),
        ("team", &fcr.by_team),
        ("queue", &fcr.by_queue),
    ] {
        let _ = writeln!(out, "  by {title}:");
        for (key, rate) in groups {
            let _ = writeln!(out, "    {:<20} {}", name(key), rate_line(rate));
        }
    }
    let _ = writeln!(out, "  by reason:");
    for (key, rate) in &fcr.by_reason {
        let key = key.as_deref().map(|id| labels.label(id).to_string());
        let _ = writeln!(out, "    {:<20} {}", name(&key), rate_line(rate));
    }
    reasons_text(&mut out, figures, settings, labels);
    let counts: Vec<String> = tally(&figures.promises)
        .iter()
        .map(|(s, n)| format!("{} {n}", s.as_str()))
        .collect();
    let once = figures
        .promises
        .iter()
        .filter(|p| p.status == Status::Tried && p.attempts.len() == 1)
        .count();
    let _ = writeln!(
        out,
        "\nCallback promises {}: {} ({once} tried only once)",
        figures.promises.len(),
        counts.join(", ")
    );
    let follow_up = figures
        .promises
        .iter()
        .filter(|p| !matches!(p.status, Status::Kept));
    for p in follow_up {
        let _ = writeln!(out, "  {}", promise_line(p));
    }
    out
}

/// Seconds as `m:ss`.
fn minutes(seconds: Option<f64>) -> String {
    seconds.map_or("–".into(), |s| {
        let s = s.round() as u64;
        format!("{}:{:02}", s / 60, s % 60)
    })
}

/// The top reasons with their resolution and handling time, then those that rise.
fn reasons_text(out: &mut String, figures: &Figures, settings: &Settings, labels: &Labels) {
    let reasons = &figures.reasons;
    let (this_from, previous_from) = by_reason::weeks(settings.as_of);
    let _ = writeln!(
        out,
        "\nWhy customers call ({} inbound calls without a reason; this week from {}, the week before from {}):",
        reasons.untagged,
        time_text(Some(this_from)),
        time_text(Some(previous_from))
    );
    let none = Rate::default();
    for (reason, calls) in reasons.top() {
        let rate = figures
            .fcr
            .by_reason
            .get(&Some(reason.to_string()))
            .unwrap_or(&none);
        let _ = writeln!(
            out,
            "  {:<24} {:>6} calls  FCR {}  mean handling {:>6}  last 24 h {}  this week {} (the week before {})",
            escape::escape(labels.label(reason)),
            calls.calls,
            percent(rate),
            minutes(calls.mean_duration_s()),
            calls.last_day,
            calls.this_week,
            calls.previous_week
        );
    }
    let rising: Vec<String> = reasons
        .rising()
        .iter()
        .map(|(reason, calls)| {
            format!("{} +{}", escape::escape(labels.label(reason)), calls.rise())
        })
        .collect();
    let rising = if rising.is_empty() {
        "none".to_string()
    } else {
        rising.join(", ")
    };
    let _ = writeln!(out, "  rising: {rising}");
}

fn promise_line(p: &Promise) -> String {
    let mut line = format!(
        "{:<15} {}  {}  said {}",
        p.status.as_str(),
        escape::escape(&p.call_id),
        name(&p.agent),
        time_text(p.said_at)
    );
    if p.deadline.is_some() {
        let _ = write!(line, "  due {}", time_text(p.deadline));
    }
    let _ = write!(line, "  \"{}\"", escape::escape(&p.quote));
    if !p.attempts.is_empty() {
        let _ = write!(line, "  unanswered attempts: {}", p.attempts.join(", "));
    }
    if let Some(late) = &p.late_call {
        let _ = write!(line, "  late call: {}", escape::escape(late));
    }
    if let Some(called) = &p.customer_called {
        let _ = write!(
            line,
            "  the customer called meanwhile: {}",
            escape::escape(called)
        );
    }
    line
}

fn rate_json(rate: &Rate) -> Value {
    json!({
        "fcr": rate.fcr(),
        "first_contacts": rate.first_contacts,
        "resolved": rate.resolved,
        "repeated": rate.repeated,
        "pending": rate.pending,
        "repeat_calls": rate.repeats,
        "judged_resolved": rate.judged_resolved,
        "judged_resolved_but_repeated": rate.judged_resolved_but_repeated,
    })
}

fn groups_json(groups: &BTreeMap<Option<String>, Rate>) -> Value {
    Value::Array(
        groups
            .iter()
            .map(|(key, rate)| {
                let mut v = rate_json(rate);
                v["name"] = json!(key);
                v
            })
            .collect(),
    )
}

/// The figures as versioned JSON; each reason with its label from `labels`.
pub fn json(figures: &Figures, settings: &Settings, labels: &Labels) -> Value {
    let fcr = &figures.fcr;
    let promises: Vec<Value> = figures
        .promises
        .iter()
        .map(|p| {
            json!({
                "call_id": p.call_id,
                "agent": p.agent,
                "customer": p.customer,
                "quote": p.quote,
                "said_at": p.said_at.map(|t| time_text(Some(t))),
                "deadline": p.deadline.map(|t| time_text(Some(t))),
                "status": p.status.as_str(),
                "attempts": p.attempts,
                "kept_by": p.kept_by,
                "late_call": p.late_call,
                "customer_called": p.customer_called,
            })
        })
        .collect();
    let counts: serde_json::Map<String, Value> = tally(&figures.promises)
        .into_iter()
        .map(|(s, n)| (s.as_str().replace(' ', "_"), json!(n)))
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "kuulas_version": env!("CARGO_PKG_VERSION"),
        "as_of": time_text(Some(settings.as_of)),
        "repeat_days": settings.repeat_days,
        "calls": figures.calls.len(),
        "left_out": {
            "no_customer_key": figures.left_out.no_customer,
            "no_start_time": figures.left_out.no_start,
        },
        "direction_unknown_counted_inbound": figures.left_out.direction_unknown,
        "first_contact_resolution": {
            "overall": rate_json(&fcr.overall),
            "by_agent": groups_json(&fcr.by_agent),
            "by_team": groups_json(&fcr.by_team),
            "by_queue": groups_json(&fcr.by_queue),
            "by_reason": reason_groups_json(&fcr.by_reason, labels),
        },
        "reasons": reasons_json(figures, settings, labels),
        "promise_counts": counts,
        "promises": promises,
        "call_links": figures.calls.iter().map(links_json).collect::<Vec<_>>(),
    })
}

/// First-contact resolution per reason: as [`groups_json`], each with its label
/// (`null` for the calls without a reason).
fn reason_groups_json(groups: &BTreeMap<Option<String>, Rate>, labels: &Labels) -> Value {
    let mut json = groups_json(groups);
    if let Value::Array(items) = &mut json {
        for (item, key) in items.iter_mut().zip(groups.keys()) {
            item["label"] = json!(key.as_deref().map(|id| labels.label(id)));
        }
    }
    json
}

fn reason_json(reason: &str, calls: &ReasonCalls, figures: &Figures, labels: &Labels) -> Value {
    let rate = figures.fcr.by_reason.get(&Some(reason.to_string()));
    json!({
        "reason": reason,
        "label": labels.label(reason),
        "calls": calls.calls,
        "mean_duration_s": calls.mean_duration_s(),
        "last_24h": calls.last_day,
        "this_week": calls.this_week,
        "previous_week": calls.previous_week,
        "rise": calls.rise(),
        "first_contact_resolution": rate_json(rate.unwrap_or(&Rate::default())),
    })
}

fn reasons_json(figures: &Figures, settings: &Settings, labels: &Labels) -> Value {
    let reasons = &figures.reasons;
    let (this_from, previous_from) = by_reason::weeks(settings.as_of);
    json!({
        "this_week_from": time_text(Some(this_from)),
        "previous_week_from": time_text(Some(previous_from)),
        "untagged_inbound_calls": reasons.untagged,
        "by_reason": reasons
            .top()
            .into_iter()
            .map(|(reason, calls)| reason_json(reason, calls, figures, labels))
            .collect::<Vec<_>>(),
        "rising": reasons
            .rising()
            .into_iter()
            .map(|(reason, calls)| {
                json!({"reason": reason, "label": labels.label(reason), "rise": calls.rise()})
            })
            .collect::<Vec<_>>(),
    })
}

fn links_json(c: &CallLinks) -> Value {
    json!({
        "call_id": c.call_id,
        "previous": c.previous,
        "next": c.next,
        "first_contact": c.outcome.as_ref().map(Outcome::as_str),
        "repeat_call": c.outcome.as_ref().and_then(Outcome::other_call),
    })
}
