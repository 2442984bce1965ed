//! The call timeline: speech per party, silences, holds, overlapping speech and the
//! rubric moments on one time axis, as rectangles the page template draws as SVG.
//! Pure geometry; the template escapes every title.

use serde::Serialize;

use super::view::CallView;
use crate::transcript::{Party, Transcript};

/// The SVG's user-space width; the page scales it to fit.
pub const WIDTH: f64 = 1000.0;
const ROW: f64 = 18.0;
/// A pause at least this long counts as a silence worth seeing.
const MIN_SILENCE_S: f64 = 2.0;

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// CSS class: `agent`, `customer`, `silence`, `hold` (announced), `unexplained`
    /// (a hold nobody announced), `overlap`, `moment-pos`, `moment-neg`, `moment-unverified`.
    pub class: &'static str,
    pub title: String,
    /// Where clicking the bar seeks the player.
    pub t: f64,
}

/// A mark on the time axis under the bars.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tick {
    pub x: f64,
    /// `m:ss`.
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub width: f64,
    /// Height of the bars' rows; the axis is drawn below, to `height + AXIS`.
    pub height: f64,
    /// Seconds the width stands for (the playhead's scale).
    pub duration: f64,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
    /// Row labels at the left (y of the row's middle, label key).
    pub rows: Vec<(f64, &'static str)>,
}

/// Axis ticks every "round" step (5 s … 10 min) so a call shows 4–10 of them.
pub fn ticks(duration: f64) -> Vec<Tick> {
    const STEPS: [f64; 9] = [5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0];
    let step = STEPS
        .iter()
        .copied()
        .find(|s| duration / s <= 10.0)
        .unwrap_or(1800.0);
    let scale = WIDTH / duration.max(1.0);
    (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|t| *t <= duration + 1e-9)
        .map(|t| {
            let s = t.round() as u64;
            Tick {
                x: t * scale,
                label: format!("{}:{:02}", s / 60, s % 60),
            }
        })
        .collect()
}

/// `names`: what the page calls an announced hold and an unexplained silence.
pub fn build(call: &CallView, transcript: Option<&Transcript>, names: (&str, &str)) -> Timeline {
    let duration = call.duration.max(1.0);
    let scale = WIDTH / duration;
    let mut bars = Vec::new();
    let mut push = |row: f64, start: f64, end: f64, class: &'static str, title: String| {
        let start = start.clamp(0.0, duration);
        let end = end.clamp(start, duration);
        bars.push(Bar {
            x: start * scale,
            y: row * ROW + 2.0,
            w: ((end - start) * scale).max(1.5),
            h: ROW - 4.0,
            class,
            title,
            t: start,
        });
    };
    if let Some(t) = transcript {
        for (row, party, class) in [
            (0.0, Party::Agent, "agent"),
            (1.0, Party::Customer, "customer"),
        ] {
            for s in t.party_segments(party) {
                push(row, s.start, s.end, class, s.text.trim().to_string());
            }
        }
        for (start, end) in silences(t) {
            push(2.0, start, end, "silence", format!("{:.0} s", end - start));
        }
        for (start, end) in overlaps(t) {
            push(2.0, start, end, "overlap", format!("{:.1} s", end - start));
        }
    }
    // One name for one thing: the rubric calls a hold nobody announced an
    // unexplained silence, and so does the timeline.
    for (start, end, announced) in holds(&call.metrics) {
        let (class, what) = if announced {
            ("hold", names.0)
        } else {
            ("unexplained", names.1)
        };
        push(
            2.0,
            start,
            end,
            class,
            format!("{what} {:.0} s", end - start),
        );
    }
    for m in &call.moments {
        let class = if !m.verified {
            "moment-unverified"
        } else if m.points < 0.0 {
            "moment-neg"
        } else {
            "moment-pos"
        };
        push(3.0, m.start, m.end, class, m.behaviour.clone());
    }
    let rows = ["agent", "customer", "pauses", "moments"]
        .iter()
        .enumerate()
        .map(|(i, key)| (i as f64 * ROW + ROW / 2.0, *key))
        .collect();
    Timeline {
        width: WIDTH,
        height: 4.0 * ROW,
        duration,
        bars,
        ticks: ticks(duration),
        rows,
    }
}

/// Gaps of at least [`MIN_SILENCE_S`] where neither party speaks.
fn silences(t: &Transcript) -> Vec<(f64, f64)> {
    let mut spans: Vec<(f64, f64)> = t.segments.iter().map(|s| (s.start, s.end)).collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut gaps = Vec::new();
    let mut covered = 0.0f64;
    for (start, end) in spans.into_iter().chain([(t.duration, t.duration)]) {
        if start - covered >= MIN_SILENCE_S {
            gaps.push((covered, start));
        }
        covered = covered.max(end);
    }
    gaps
}

/// Stretches where the agent and the customer speak at once.
fn overlaps(t: &Transcript) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for a in t.party_segments(Party::Agent) {
        for c in t.party_segments(Party::Customer) {
            let (start, end) = (a.start.max(c.start), a.end.min(c.end));
            if end > start {
                out.push((start, end));
            }
        }
    }
    out
}

/// Hold spans from the metrics, with whether the agent announced them: any array
/// under a key naming holds whose items have numeric `start` and `end` (and
/// `announced`, else false). The metrics format is the metrics stage's; this reads
/// it leniently and shows nothing rather than fail.
fn holds(metrics: &serde_json::Value) -> Vec<(f64, f64, bool)> {
    let Some(object) = metrics.as_object() else {
        return Vec::new();
    };
    object
        .iter()
        .filter(|(key, _)| key.contains("hold"))
        .filter_map(|(_, value)| value.as_array())
        .flatten()
        .filter_map(|item| {
            let announced = item.get("announced").and_then(serde_json::Value::as_bool);
            Some((
                item.get("start")?.as_f64()?,
                item.get("end")?.as_f64()?,
                announced == Some(true),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Attribution, Segment, TRANSCRIPT_SCHEMA_VERSION};

    fn seg(party: Party, start: f64, end: f64) -> Segment {
        Segment {
            party,
            start,
            end,
            text: "x".into(),
            words: vec![],
        }
    }

    #[test]
    fn silences_and_overlaps_come_from_the_segments() {
        let t = Transcript {
            schema_version: TRANSCRIPT_SCHEMA_VERSION,
            duration: 30.0,
            language: "fi".into(),
            attribution: Attribution::Channels,
            segments: vec![
                seg(Party::Agent, 0.5, 5.0),
                seg(Party::Customer, 4.0, 8.0),
                seg(Party::Agent, 20.0, 25.0),
            ],
        };
        assert_eq!(silences(&t), vec![(8.0, 20.0), (25.0, 30.0)]);
        assert_eq!(overlaps(&t), vec![(4.0, 5.0)]);
    }

    #[test]
    fn the_axis_has_round_ticks_from_zero_to_the_end() {
        let labels: Vec<String> = ticks(140.0).into_iter().map(|t| t.label).collect();
        assert_eq!(
            labels,
            [
                "0:00", "0:15", "0:30", "0:45", "1:00", "1:15", "1:30", "1:45", "2:00", "2:15"
            ]
        );
        let long = ticks(3600.0);
        assert_eq!(long.len(), 7, "every 10 minutes");
        assert_eq!(long[6].x, WIDTH);
    }

    #[test]
    fn holds_are_read_leniently_from_metrics() {
        let metrics = serde_json::json!({
            "holds": [{"start": 10.0, "end": 45.0}, {"start": "x"}, {"start": 50.0, "end": 60.0, "announced": true}],
            "talk_time": {"agent": 12.0}
        });
        assert_eq!(
            holds(&metrics),
            vec![(10.0, 45.0, false), (50.0, 60.0, true)]
        );
        assert!(holds(&serde_json::Value::Null).is_empty());
    }
}
