//! A call's metrics as a manager reads them: a few facts in words (talk time,
//! silences, holds, interruptions, speaking rate, the customer's mood) and three
//! small charts the template draws as inline SVG — who talked how much, how loud
//! each party was per quarter of the call, and the customer's sentiment from the
//! start to the end. Reads the metrics stage's JSON leniently: whatever is missing
//! is left out, never shown as a raw key.

use serde::Serialize;
use serde_json::Value;

use super::call_page::clock;
use super::labels::Lang;

/// One fact: its label and its value, both in words.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

/// Shares of the call (0–100, summing to 100): agent, customer, nobody.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TalkSplit {
    pub agent: f64,
    pub customer: f64,
    pub silence: f64,
}

/// Loudness per quarter as bar heights (0–40 SVG units) with the dBFS value.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LoudBar {
    pub quarter: usize,
    pub party: &'static str,
    pub x: f64,
    pub h: f64,
    pub db: i64,
}

/// The customer's sentiment (−1…+1) at the start and the end, as y positions in
/// a 0–40 high plot (0 at the top: +1).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Mood {
    pub start: f64,
    pub end: f64,
    pub y_start: f64,
    pub y_end: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Charts {
    pub facts: Vec<Fact>,
    pub talk: Option<TalkSplit>,
    pub loudness: Vec<LoudBar>,
    pub mood: Option<Mood>,
}

fn num(v: &Value, path: &[&str]) -> Option<f64> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_f64()
}

fn pct(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The call's metrics (the metrics stage's JSON object) as facts and charts;
/// `duration` (seconds) where the metrics do not say.
pub fn build(lang: Lang, metrics: &Value, duration: f64) -> Charts {
    let pick = |fi: &'static str, en: &'static str| if lang == Lang::Fi { fi } else { en };
    let mut charts = Charts::default();
    let duration = num(metrics, &["duration"])
        .or(Some(duration))
        .filter(|d| *d > 0.0);
    let agent = num(metrics, &["agent", "talk_time"]);
    let customer = num(metrics, &["customer", "talk_time"]);
    if let (Some(d), Some(a), Some(c)) = (duration, agent, customer) {
        let (a, c) = (100.0 * a / d, 100.0 * c / d);
        let silence = (100.0 - a - c).max(0.0);
        charts.talk = Some(TalkSplit {
            agent: pct(a),
            customer: pct(c),
            silence: pct(silence),
        });
        charts.facts.push(Fact {
            label: pick("Puheaika", "Talk time"),
            value: format!(
                "{} {} ({a:.0} %), {} {} ({c:.0} %)",
                pick("asiakaspalvelija", "agent"),
                clock(num(metrics, &["agent", "talk_time"]).unwrap_or(0.0)),
                pick("asiakas", "customer"),
                clock(num(metrics, &["customer", "talk_time"]).unwrap_or(0.0)),
            ),
        });
    }
    let silence = metrics.get("longest_silence");
    if let (Some(start), Some(end)) = (
        silence.and_then(|s| num(s, &["start"])),
        silence.and_then(|s| num(s, &["end"])),
    ) {
        charts.facts.push(Fact {
            label: pick("Pisin hiljaisuus", "Longest silence"),
            value: format!(
                "{:.0} s {} {}",
                end - start,
                pick("kohdassa", "at"),
                clock(start)
            ),
        });
    }
    if let Some(holds) = metrics.get("holds").and_then(Value::as_array) {
        let announced = holds
            .iter()
            .filter(|h| h.get("announced").and_then(Value::as_bool) == Some(true))
            .count();
        charts.facts.push(Fact {
            label: pick("Pidot ja hiljaisuudet", "Holds and silences"),
            value: format!(
                "{} {}, {} {}",
                announced,
                pick("kerrottua pitoa", "announced holds"),
                holds.len() - announced,
                pick("selittämätöntä hiljaisuutta", "unexplained silences"),
            ),
        });
    }
    if let Some(list) = metrics.get("interruptions").and_then(Value::as_array) {
        let by = |party: &str| {
            list.iter()
                .filter(|i| i.get("by").and_then(Value::as_str) == Some(party))
                .count()
        };
        charts.facts.push(Fact {
            label: pick("Keskeytykset", "Interruptions"),
            value: format!(
                "{} {}, {} {}",
                pick("asiakaspalvelija", "agent"),
                by("agent"),
                pick("asiakas", "customer"),
                by("customer")
            ),
        });
    }
    if let Some(wpm) = num(metrics, &["agent", "words_per_minute"]) {
        charts.facts.push(Fact {
            label: pick("Asiakaspalvelijan puhenopeus", "Agent's speaking rate"),
            value: format!("{wpm:.0} {}", pick("sanaa minuutissa", "words a minute")),
        });
    }
    if let (Some(start), Some(end)) = (
        num(metrics, &["sentiment", "start"]),
        num(metrics, &["sentiment", "end"]),
    ) {
        let y = |s: f64| 20.0 - 20.0 * s.clamp(-1.0, 1.0);
        charts.mood = Some(Mood {
            start,
            end,
            y_start: y(start),
            y_end: y(end),
        });
        charts.facts.push(Fact {
            label: pick("Asiakkaan mieliala", "Customer's mood"),
            value: format!(
                "{} {} → {} {}",
                pick("alussa", "start"),
                mood_word(lang, start),
                pick("lopussa", "end"),
                mood_word(lang, end)
            ),
        });
    }
    for (p, party) in ["agent", "customer"].iter().enumerate() {
        let Some(quarters) = metrics
            .get("loudness")
            .and_then(|l| l.get(party))
            .and_then(Value::as_array)
        else {
            continue;
        };
        for (q, db) in quarters.iter().enumerate() {
            if let Some(db) = db.as_f64() {
                // −60 dBFS (the gate) is an empty bar, 0 dBFS a full one.
                let h = (40.0 * (db + 60.0) / 60.0).clamp(1.0, 40.0);
                charts.loudness.push(LoudBar {
                    quarter: q + 1,
                    party,
                    x: q as f64 * 50.0 + p as f64 * 20.0 + 5.0,
                    h: (h * 10.0).round() / 10.0,
                    db: db.round() as i64,
                });
            }
        }
    }
    charts
}

/// Sentiment in words: −1…+1 → negative, neutral, positive.
fn mood_word(lang: Lang, s: f64) -> &'static str {
    match (lang, s) {
        (Lang::Fi, s) if s <= -0.2 => "kielteinen",
        (Lang::Fi, s) if s >= 0.2 => "myönteinen",
        (Lang::Fi, _) => "neutraali",
        (Lang::En, s) if s <= -0.2 => "negative",
        (Lang::En, s) if s >= 0.2 => "positive",
        (Lang::En, _) => "neutral",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metrics_become_words_and_charts_not_raw_keys() {
        let metrics = json!({
            "duration": 100.0,
            "agent": {"talk_time": 50.0, "words": 120, "words_per_minute": 144.0},
            "customer": {"talk_time": 30.0, "words": 60, "words_per_minute": 120.0},
            "non_talk_time": 20.0,
            "longest_silence": {"start": 65.0, "end": 77.0},
            "holds": [{"start": 65.0, "end": 77.0, "announced": false}, {"start": 80.0, "end": 95.0, "announced": true}],
            "interruptions": [{"by": "agent", "interrupted": "customer", "at": 10.0}],
            "loudness": {"agent": [-20.0, -22.0, null, -30.0], "customer": [-25.0, null, null, null]},
            "sentiment": {"start": -0.5, "end": 0.4, "turnaround": 0.9}
        });
        let c = build(Lang::Fi, &metrics, 0.0);
        let facts: Vec<String> = c
            .facts
            .iter()
            .map(|f| format!("{}: {}", f.label, f.value))
            .collect();
        assert_eq!(
            facts,
            [
                "Puheaika: asiakaspalvelija 0:50 (50 %), asiakas 0:30 (30 %)",
                "Pisin hiljaisuus: 12 s kohdassa 1:05",
                "Pidot ja hiljaisuudet: 1 kerrottua pitoa, 1 selittämätöntä hiljaisuutta",
                "Keskeytykset: asiakaspalvelija 1, asiakas 0",
                "Asiakaspalvelijan puhenopeus: 144 sanaa minuutissa",
                "Asiakkaan mieliala: alussa kielteinen → lopussa myönteinen",
            ]
        );
        assert_eq!(
            c.talk,
            Some(TalkSplit {
                agent: 50.0,
                customer: 30.0,
                silence: 20.0
            })
        );
        assert_eq!(
            c.loudness.len(),
            4,
            "one bar per measured quarter and party"
        );
        assert_eq!(c.mood.unwrap().y_end, 12.0);
        assert_eq!(build(Lang::Fi, &Value::Null, 60.0), Charts::default());
    }
}
