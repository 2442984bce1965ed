//! Exports for BI tools: one row per call, as CSV or JSON Lines, with stable column
//! names (documented in docs/operations.md). Dimension columns `score_<dimension>`
//! follow rubric order; a call without a dimension gets an empty cell (CSV) or
//! `null` (JSONL).
//!
//! The last columns place the call among its customer's calls (issue 21): the
//! customer key (an id, or `tel:` and a hash — never a phone number), the
//! direction, the contact reason and its confidence, the call's first-contact
//! outcome (`resolved`, `repeated`, `pending`, `repeat`, empty for outbound
//! calls and calls left out) and the customer's previous and next call, from
//! the figures across calls ([`CallLinks`]) that the caller computed from the store.
//!
//! Numbers are rounded to a fixed precision (documented in docs/operations.md) so
//! that a score of 60⅔ reads `60.67`, not `60.666666666666664`: seconds and scores
//! to [`SECONDS_DECIMALS`] / [`SCORE_DECIMALS`] places, ratios and sentiment to
//! [`RATIO_DECIMALS`].

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::Value;

use crate::across::CallLinks;
use crate::across::fcr::Outcome;
use crate::store::{CallRow, CallTable, shown_status};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

/// Decimal places of seconds (`duration_s`, `longest_silence_s`): Whisper's centiseconds.
pub const SECONDS_DECIMALS: i32 = 2;
/// Decimal places of scores (0–100).
pub const SCORE_DECIMALS: i32 = 2;
/// Decimal places of ratios and sentiment (−1…1).
pub const RATIO_DECIMALS: i32 = 3;

/// Columns before the dimension scores.
const LEADING: &[&str] = &[
    "call_id",
    "path",
    "run_id",
    "agent",
    "team",
    "queue",
    "started_at",
    "agent_channel",
    "language",
    "duration_s",
    "status",
    "failure_reason",
];
/// Columns after the dimension scores.
const TRAILING: &[&str] = &[
    "score_overall",
    "talk_ratio_agent",
    "longest_silence_s",
    "interruptions",
    "customer_sentiment_start",
    "customer_sentiment_end",
    "customer_key",
    "direction",
    "reason_id",
    "reason_confidence",
    "fcr_outcome",
    "previous_call_id",
    "next_call_id",
];

/// Writes every row of `table` to `out`, each with its place among its
/// customer's calls from `links` (calls not in it get empty cells).
pub fn write_export(
    table: &CallTable,
    links: &[CallLinks],
    format: ExportFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    let links: HashMap<&str, &CallLinks> = links.iter().map(|l| (l.call_id.as_str(), l)).collect();
    let values = |row: &CallRow| values(row, &table.dimensions, links.get(row.call_id.as_str()));
    let header: Vec<String> = LEADING
        .iter()
        .map(|c| c.to_string())
        .chain(table.dimensions.iter().map(|d| format!("score_{d}")))
        .chain(TRAILING.iter().map(|c| c.to_string()))
        .collect();
    match format {
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(&header)?;
            for row in &table.rows {
                w.write_record(values(row).iter().map(cell))?;
            }
            w.flush()
        }
        ExportFormat::Jsonl => {
            for row in &table.rows {
                let fields: Vec<String> = header
                    .iter()
                    .zip(values(row))
                    .map(|(k, v)| format!("{}:{v}", Value::from(k.as_str())))
                    .collect();
                writeln!(out, "{{{}}}", fields.join(","))?;
            }
            out.flush()
        }
    }
}

/// The row's values in header order.
fn values(row: &CallRow, dimensions: &[String], links: Option<&&CallLinks>) -> Vec<Value> {
    let text = |v: &Option<String>| v.as_deref().map_or(Value::Null, Value::from);
    let num = |v: Option<f64>, decimals: i32| {
        v.map_or(Value::Null, |v| {
            let scale = 10f64.powi(decimals);
            Value::from((v * scale).round() / scale)
        })
    };
    let m = &row.metadata;
    let mut out = vec![
        Value::from(row.call_id.as_str()),
        Value::from(row.path.as_str()),
        Value::from(row.run_id),
        text(&m.agent),
        text(&m.team),
        text(&m.queue),
        text(&m.started_at),
        text(&m.agent_channel),
        text(&m.language),
        num(row.duration_s, SECONDS_DECIMALS),
        Value::from(shown_status(row.status, row.overall, &row.scores)),
        text(&row.failure_reason),
    ];
    for d in dimensions {
        let score = row
            .scores
            .iter()
            .find(|s| &s.dimension == d)
            .and_then(|s| s.score);
        out.push(num(score, SCORE_DECIMALS));
    }
    let s = &row.summary;
    out.extend([
        num(row.overall, SCORE_DECIMALS),
        num(s.talk_ratio_agent, RATIO_DECIMALS),
        num(s.longest_silence_s, SECONDS_DECIMALS),
        s.interruptions.map_or(Value::Null, Value::from),
        num(s.customer_sentiment_start, RATIO_DECIMALS),
        num(s.customer_sentiment_end, RATIO_DECIMALS),
        text(&m.customer_key),
        text(&m.direction),
        text(&row.reason_id),
        num(row.reason_confidence, RATIO_DECIMALS),
    ]);
    let outcome = links.and_then(|l| l.outcome.as_ref());
    out.extend([
        outcome.map_or(Value::Null, |o| Value::from(Outcome::as_str(o))),
        text(&links.and_then(|l| l.previous.clone())),
        text(&links.and_then(|l| l.next.clone())),
    ]);
    out
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{CallMetadata, CallStatus, DimensionScore, MetricSummary};

    fn table() -> CallTable {
        let row = |id: &str, scores: Vec<DimensionScore>| CallRow {
            call_id: id.into(),
            path: format!("/in/{id}.wav"),
            run_id: 3,
            metadata: CallMetadata {
                agent: Some("Aino, \"A\"".into()),
                ..CallMetadata::default()
            },
            duration_s: Some(61.5),
            status: CallStatus::Scored,
            failure_reason: None,
            scores,
            overall: Some(0.5),
            summary: MetricSummary {
                interruptions: Some(2),
                ..MetricSummary::default()
            },
            reason_id: None,
            reason_confidence: None,
        };
        let d = |name: &str, score| DimensionScore {
            dimension: name.into(),
            score,
        };
        CallTable {
            dimensions: vec!["greeting".into(), "closing".into()],
            rows: vec![
                row(
                    "c1",
                    vec![d("greeting", Some(1.0)), d("closing", Some(0.0))],
                ),
                row("c2", vec![d("closing", None)]),
            ],
        }
    }

    #[test]
    fn csv_has_stable_columns_and_empty_cells_for_missing_values() {
        let mut out = Vec::new();
        write_export(&table(), &[], ExportFormat::Csv, &mut out).unwrap();
        let mut r = csv::Reader::from_reader(out.as_slice());
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(
            &header[10..15],
            [
                "status",
                "failure_reason",
                "score_greeting",
                "score_closing",
                "score_overall"
            ]
        );
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][3], "Aino, \"A\"");
        assert_eq!((&rows[0][12], &rows[0][13]), ("1.0", "0.0"));
        assert_eq!((&rows[1][12], &rows[1][13]), ("", ""));
        assert_eq!(
            &rows[1][header.iter().position(|h| h == "interruptions").unwrap()],
            "2"
        );
    }

    #[test]
    fn jsonl_has_one_object_per_call_with_the_same_keys() {
        let mut out = Vec::new();
        write_export(&table(), &[], ExportFormat::Jsonl, &mut out).unwrap();
        let lines: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["score_greeting"], 1.0);
        assert_eq!(lines[1]["score_greeting"], Value::Null);
        assert_eq!(lines[1]["duration_s"], 61.5);
    }

    #[test]
    fn a_call_with_no_speech_has_its_own_status_and_no_scores() {
        let mut t = table();
        t.rows[1].overall = None;
        let mut out = Vec::new();
        write_export(&t, &[], ExportFormat::Csv, &mut out).unwrap();
        let mut r = csv::Reader::from_reader(out.as_slice());
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][10], "scored");
        assert_eq!((&rows[1][10], &rows[1][11]), ("no_speech", ""));
        assert_eq!((&rows[1][12], &rows[1][13], &rows[1][14]), ("", "", ""));
    }

    #[test]
    fn numbers_are_rounded_to_the_documented_precision() {
        let mut t = table();
        let row = &mut t.rows[0];
        row.overall = Some(182.0 / 3.0);
        row.duration_s = Some(61.234_999_9);
        row.scores[0].score = Some(100.0 / 3.0);
        row.summary.talk_ratio_agent = Some(2.0 / 3.0);
        row.summary.longest_silence_s = Some(0.1 + 0.2);
        row.summary.customer_sentiment_end = Some(-1.0 / 7.0);
        let mut out = Vec::new();
        write_export(&t, &[], ExportFormat::Csv, &mut out).unwrap();
        let mut r = csv::Reader::from_reader(out.as_slice());
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let first = r.records().next().unwrap().unwrap();
        let col = |name: &str| &first[header.iter().position(|h| h == name).unwrap()];
        assert_eq!(col("score_overall"), "60.67");
        assert_eq!(col("duration_s"), "61.23");
        assert_eq!(col("score_greeting"), "33.33");
        assert_eq!(col("talk_ratio_agent"), "0.667");
        assert_eq!(col("longest_silence_s"), "0.3");
        assert_eq!(col("customer_sentiment_end"), "-0.143");

        let mut out = Vec::new();
        write_export(&t, &[], ExportFormat::Jsonl, &mut out).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert!(line.contains("\"score_overall\":60.67,"), "{line}");
        assert!(line.contains("\"talk_ratio_agent\":0.667,"), "{line}");
    }

    #[test]
    fn each_call_has_its_customer_reason_and_place_among_the_customers_calls() {
        let mut t = table();
        t.rows[0].metadata.customer_key = Some("tel:3f2a".into());
        t.rows[0].metadata.direction = Some("inbound".into());
        t.rows[0].reason_id = Some("invoice_payment".into());
        t.rows[0].reason_confidence = Some(0.9);
        let links = [CallLinks {
            call_id: "c1".into(),
            previous: None,
            next: Some("c9".into()),
            outcome: Some(Outcome::Repeated { by: "c9".into() }),
        }];
        let mut out = Vec::new();
        write_export(&t, &links, ExportFormat::Jsonl, &mut out).unwrap();
        let lines: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["customer_key"], "tel:3f2a");
        assert_eq!(lines[0]["direction"], "inbound");
        assert_eq!(lines[0]["reason_id"], "invoice_payment");
        assert_eq!(lines[0]["reason_confidence"], 0.9);
        assert_eq!(lines[0]["fcr_outcome"], "repeated");
        assert_eq!(lines[0]["previous_call_id"], Value::Null);
        assert_eq!(lines[0]["next_call_id"], "c9");
        assert_eq!(lines[1]["fcr_outcome"], Value::Null);
        assert_eq!(lines[1]["customer_key"], Value::Null);
    }
}
