//! The calibration report as text for a terminal: one line of figures per
//! behaviour, then the disagreements (call, behaviour, which way, time, quote,
//! packet page) and the problems of the labels file. Call ids, quotes and notes
//! come from files; control characters in them are written out.

use std::fmt::Write;

use super::{BehaviourAgreement, Report};
use crate::escape;

/// The report as readable text; `min_kappa` marks the behaviours below it.
pub fn text(report: &Report, min_kappa: Option<f64>) -> String {
    let mut out = format!(
        "Calibration against {} ({} calls)\n\n",
        escape::controls(&report.labels_file, &[]),
        report.calls
    );
    let _ = writeln!(
        out,
        "{:<22} {:>4} {:>4} {:>4} {:>4} {:>9} {:>6} {:>6} {:>9} {:>10}",
        "behaviour",
        "tp",
        "fp",
        "fn",
        "tn",
        "precision",
        "recall",
        "kappa",
        "contested",
        "reviewer κ"
    );
    for b in &report.behaviours {
        let _ = writeln!(out, "{}", behaviour_line(b, min_kappa));
    }
    if report.behaviours.is_empty() {
        out += "  (no usable labels)\n";
    }
    out += "\nDisagreements\n";
    if report.disagreements.is_empty() {
        out += "  (none)\n";
    }
    for d in &report.disagreements {
        let which = if d.labelled {
            "missed: labelled present, not found"
        } else {
            "false alarm: found, labelled absent"
        };
        let _ = write!(
            out,
            "  {}  {}  {which}",
            escape::controls(&d.call_id, &[]),
            d.behaviour
        );
        if let (Some(time), Some(quote)) = (d.time, &d.quote) {
            let _ = write!(
                out,
                "  {}  \"{}\"",
                mmss(time),
                escape::controls(quote, &[])
            );
        }
        if !d.note.is_empty() {
            let _ = write!(out, "  note: {}", escape::controls(&d.note, &[]));
        }
        let _ = writeln!(out, "  {}", escape::controls(&d.page, &[]));
    }
    if !report.problems.is_empty() {
        out += "\nProblems in the labels (rows left out)\n";
        for p in &report.problems {
            let _ = writeln!(out, "  {}", escape::controls(&p.to_string(), &[]));
        }
    }
    out
}

fn behaviour_line(b: &BehaviourAgreement, min_kappa: Option<f64>) -> String {
    let c = &b.confusion;
    let reviewers = b
        .reviewers
        .as_ref()
        .map_or("".to_string(), |r| figure(r.kappa));
    let below = match (min_kappa, b.kappa) {
        (Some(min), Some(k)) if k < min => "  below --min-kappa",
        _ => "",
    };
    format!(
        "{:<22} {:>4} {:>4} {:>4} {:>4} {:>9} {:>6} {:>6} {:>9} {:>10}{below}",
        b.behaviour,
        c.tp,
        c.fp,
        c.fn_,
        c.tn,
        figure(b.precision),
        figure(b.recall),
        figure(b.kappa),
        b.contested,
        reviewers
    )
}

/// Two decimals, or `–` where the figure is undefined.
pub fn figure(value: Option<f64>) -> String {
    value.map_or("–".to_string(), |v| format!("{v:.2}"))
}

/// Seconds as mm:ss.
pub fn mmss(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{:02}:{:02}", s / 60, s % 60)
}
