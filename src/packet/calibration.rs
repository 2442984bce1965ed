//! The packet's calibration page (`kuulas packet --labels FILE.csv`): the same
//! report as `kuulas calibrate` (`crate::calibrate`) for the packet's own calls —
//! per behaviour the confusion counts, precision, recall and κ, then each
//! disagreement with the rubric's quote (redacted when the packet is), its time
//! and a link to the call's page. Rendered through the packet's templates, so
//! every value is escaped.

use serde_json::{Value, json};

use super::labels::{self, Lang};
use super::{Packet, Page, pages};
use crate::calibrate::report::{figure, mmss};
use crate::calibrate::{Evidence, Report, ScoredCall};
use crate::redact;

/// The path of the page in the packet.
pub const PATH: &str = "calibration.html";

/// What the rubric found in each of the packet's calls (the moments of their
/// score files).
pub fn scored_calls(packet: &Packet) -> Vec<ScoredCall> {
    packet
        .calls
        .iter()
        .map(|c| ScoredCall {
            call_id: c.call_id.clone(),
            evidence: c
                .moments
                .iter()
                .map(|m| Evidence {
                    behaviour: m.behaviour.clone(),
                    start: m.start,
                    quote: m.quote.clone(),
                })
                .collect(),
        })
        .collect()
}

/// The calibration page of `packet` showing `report`.
pub fn page(packet: &Packet, report: &Report) -> Page {
    let s = packet.settings;
    pages::page(
        packet,
        PATH,
        "calibration.html",
        "",
        context(s.lang, report, s.redact),
    )
}

fn context(lang: Lang, report: &Report, redact_on: bool) -> Value {
    let behaviours: Vec<Value> = report
        .behaviours
        .iter()
        .map(|b| {
            let c = &b.confusion;
            json!({
                "label": labels::behaviour(lang, &b.behaviour),
                "tp": c.tp, "fp": c.fp, "fn": c.fn_, "tn": c.tn,
                "precision": figure(b.precision),
                "recall": figure(b.recall),
                "kappa": figure(b.kappa),
                "contested": b.contested,
                "reviewers": b.reviewers.as_ref().map(|r| figure(r.kappa)),
            })
        })
        .collect();
    let disagreements: Vec<Value> = report
        .disagreements
        .iter()
        .map(|d| {
            json!({
                "call_id": d.call_id,
                "label": labels::behaviour(lang, &d.behaviour),
                "missed": d.labelled,
                "time": d.time.map(mmss),
                "seconds": d.time,
                "quote": d.quote.as_deref().map(|q| if redact_on { redact::text(q) } else { q.to_string() }),
                "note": if redact_on { redact::text(&d.note) } else { d.note.clone() },
                "page": d.page,
            })
        })
        .collect();
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    json!({
        "c": strings(lang),
        "calls": report.calls,
        "behaviours": behaviours,
        "disagreements": disagreements,
        "problems": problems,
    })
}

fn strings(lang: Lang) -> Value {
    let fi = matches!(lang, Lang::Fi);
    let pick = |f: &str, e: &str| if fi { f.to_string() } else { e.to_string() };
    json!({
        "heading": pick("Kalibrointi", "Calibration"),
        "intro": pick(
            "Arviointimallin tulokset verrattuna arvioijien merkintöihin. κ (Cohenin kappa): 1 täysi yksimielisyys, 0 sattuman tasoa.",
            "The rubric compared with the reviewers' labels. κ (Cohen's kappa): 1 full agreement, 0 no better than chance.",
        ),
        "calls": pick("puhelua", "calls"),
        "behaviour": pick("Toiminto", "Behaviour"),
        "precision": pick("Tarkkuus", "Precision"),
        "recall": pick("Kattavuus", "Recall"),
        "contested": pick("Arvioijat eri mieltä", "Reviewers disagree"),
        "reviewers": pick("κ arvioijien välillä", "κ between reviewers"),
        "disagreements": pick("Erimielisyydet", "Disagreements"),
        "missed": pick("Ei löytynyt, vaikka merkitty", "Missed: labelled, not found"),
        "false_alarm": pick("Löytyi, vaikka ei merkitty", "False alarm: found, not labelled"),
        "none": pick("Ei erimielisyyksiä.", "No disagreements."),
        "problems": pick("Merkintätiedoston ohitetut rivit", "Rows of the labels file left out"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::{evaluate, labels as csv_labels};
    use crate::packet::testdata::{call, moment};
    use crate::packet::{AudioMode, Settings};

    fn packet(redact: bool) -> Packet {
        let mut found = call("c1", 80.0);
        let mut greeting = moment("greeting", 5.0, 0.9, 3.0);
        greeting.quote = "<b>Hei</b>, soita 040 123 4567".into();
        found.moments.push(greeting);
        Packet {
            title: "yö".into(),
            night: None,
            history: Vec::new(),
            calls: vec![found, call("c2", 50.0)],
            across: None,
            settings: Settings {
                lang: Lang::Fi,
                redact,
                session: false,
                audio: AudioMode::None,
            },
        }
    }

    fn report(packet: &Packet) -> Report {
        let labels = csv_labels::parse(
            "l.csv",
            "call_id,behaviour,present,note\nc1,greeting,0,<i>ei</i>\nc2,greeting,1,\nc3,greeting,1,\n",
        );
        evaluate(&labels, &scored_calls(packet), &["greeting".to_string()])
    }

    #[test]
    fn the_page_shows_the_figures_and_disagreements_in_finnish_escaped() {
        let p = packet(false);
        let page = page(&p, &report(&p));
        assert_eq!(page.path, "calibration.html");
        let html = &page.html;
        assert!(html.contains("<h1>Kalibrointi</h1>"), "{html}");
        assert!(
            html.contains("&lt;b&gt;Hei&lt;&#x2f;b&gt;") || html.contains("&lt;b&gt;Hei&lt;/b&gt;"),
            "{html}"
        );
        assert!(
            !html.contains("<b>Hei") && !html.contains("<i>ei"),
            "user text is escaped"
        );
        assert!(html.contains("href=\"calls&#x2f;c1.html#t=3.0\""), "{html}");
        assert!(html.contains("Löytyi, vaikka ei merkitty"), "{html}");
        assert!(html.contains("Ei löytynyt, vaikka merkitty"), "{html}");
        assert!(html.contains("l.csv:4: call `c3`"), "{html}");
    }

    #[test]
    fn a_redacted_packet_redacts_the_quotes() {
        let p = packet(true);
        let html = page(&p, &report(&p)).html;
        assert!(!html.contains("040 123 4567"), "{html}");
        let p = packet(false);
        assert!(page(&p, &report(&p)).html.contains("040 123 4567"));
    }
}
