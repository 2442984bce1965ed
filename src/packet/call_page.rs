//! One call's page context: metadata, scores with explanations, the transcript in
//! two speaker lanes with moments marked, the timeline, metrics, and the audio it
//! carries (the whole call and a clip per key moment).

use serde_json::{Value, json};

use super::labels::{self, Lang};
use super::quote::{self, Quoted};
use super::view::{CallView, Moment};
use super::{AudioFile, charts, session, timeline};
use crate::names::file_name_for;
use crate::redact::{self, TimeSpan};
use crate::store::shown_status;
use crate::transcript::{Segment, Transcript};

/// A clip starts this long before the matched words…
const CLIP_LEAD_S: f64 = 0.75;
/// …and ends this long after the moment.
const CLIP_TAIL_S: f64 = 1.5;

/// A call prepared for rendering: redacted if asked, with its file names.
pub struct Prepared<'a> {
    pub call: &'a CallView,
    pub name: String,
    pub transcript: Option<Transcript>,
    pub moments: Vec<Moment>,
    pub mute: Vec<TimeSpan>,
}

pub fn prepare(call: &CallView, redact_on: bool) -> Prepared<'_> {
    let (transcript, mute) = match (&call.transcript, redact_on) {
        (Some(t), true) => {
            let (t, spans) = redact::transcript(t);
            (Some(t), spans)
        }
        (t, _) => (t.clone(), Vec::new()),
    };
    let moments = call
        .moments
        .iter()
        .map(|m| Moment {
            quote: if redact_on {
                redact::text(&m.quote)
            } else {
                m.quote.clone()
            },
            ..m.clone()
        })
        .collect();
    Prepared {
        call,
        name: file_name_for(&call.call_id),
        transcript,
        moments,
        mute,
    }
}

impl Prepared<'_> {
    /// `m`'s quote in its line of the (redacted) transcript.
    pub fn quoted(&self, m: &Moment) -> Option<Quoted> {
        quote::locate(self.transcript.as_ref()?, m)
    }

    /// [`moment_json`] with the quote in its context and the time its words begin.
    pub fn moment_json(
        &self,
        lang: Lang,
        m: &Moment,
        clip: Option<&str>,
        page: Option<&str>,
    ) -> Value {
        let mut v = moment_json(lang, m, clip, page);
        if let Some(q) = self.quoted(m) {
            v["before"] = json!(q.before);
            v["mark"] = json!(q.mark);
            v["after"] = json!(q.after);
            v["start"] = json!((q.start * 10.0).round() / 10.0);
            v["time"] = json!(clock(q.start));
        }
        v
    }

    /// The call's audio for its page's player; none for a call that never got a
    /// transcript (a failed call's recording is usually the reason it failed).
    pub fn whole_audio(&self) -> Option<AudioFile> {
        self.transcript.as_ref()?;
        Some(AudioFile {
            path: format!("audio/{}.wav", self.name),
            source: self.call.audio_path.clone()?,
            mute: self.mute.clone(),
            clip: None,
        })
    }

    /// The clip of each key moment, paired with the moment.
    pub fn clips(&self) -> Vec<(Moment, Option<AudioFile>)> {
        let view = CallView {
            moments: self.moments.clone(),
            ..self.call.clone()
        };
        session::key_moments(&view)
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let from = self.quoted(m).map_or(m.start, |q| q.start);
                let file = self.call.audio_path.clone().map(|source| AudioFile {
                    // `~` never occurs in a call's own name ([`file_name_for`]), so a clip
                    // cannot take the name of another call's audio (`x~m1` vs `x-m1`).
                    path: format!("audio/{}~m{}.wav", self.name, i + 1),
                    source,
                    mute: self.mute.clone(),
                    clip: Some(TimeSpan {
                        start: (from - CLIP_LEAD_S).max(0.0),
                        end: m.end.max(from) + CLIP_TAIL_S,
                    }),
                });
                (m.clone(), file)
            })
            .collect()
    }
}

/// Scores and percentages are shown as whole numbers.
pub fn whole(x: f64) -> i64 {
    x.round() as i64
}

/// Points as written in the rubric: whole when whole, else one decimal.
fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The call's metadata as the pages show it.
pub fn meta(lang: Lang, call: &CallView) -> Value {
    json!({
        "id": call.call_id,
        "agent": call.metadata.agent,
        "team": call.metadata.team,
        "queue": call.metadata.queue,
        "date": call.metadata.started_at.as_deref().map(|s| labels::datetime(lang, s)),
        "duration": clock(call.duration),
        "status": shown_status(call.status, call.overall, &call.scores),
        "failure": call.failure_reason.as_deref().map(redact::text),
        "overall": call.overall.map(whole),
        "warmth_label": labels::dimension(lang, "overall"),
    })
}

/// The call's scores, each with its explanation and the moments that moved it
/// (`moments`: the call's, redacted as the page shows them). A dimension no
/// verified moment was found for reads "not observed", whatever its number.
pub fn scores(lang: Lang, call: &CallView, moments: &[Moment]) -> Vec<Value> {
    let mut rows: Vec<(String, Option<f64>)> = call
        .scores
        .iter()
        .map(|s| (s.dimension.clone(), s.score))
        .collect();
    if !rows.iter().any(|(d, _)| d == "overall") {
        rows.push(("overall".into(), call.overall));
    }
    rows.into_iter()
        .map(|(dim, score)| {
            let overall = dim == "overall";
            let observed = moments
                .iter()
                .any(|m| m.verified && (overall || m.dimension == dim));
            let moved: Vec<Value> = moments
                .iter()
                .filter(|m| !overall && m.dimension == dim && m.counts())
                .map(|m| {
                    json!({
                        "label": labels::behaviour(lang, &m.behaviour),
                        "points": signed(m.points),
                        "start": m.start,
                        "time": clock(m.start),
                        "cls": if m.points < 0.0 { "neg" } else { "pos" },
                    })
                })
                .collect();
            json!({
                "id": dim,
                "label": labels::dimension(lang, &dim),
                "score": score.map(whole),
                "observed": observed,
                "explain": labels::explain(lang, &dim, score, observed),
                "moved": moved,
            })
        })
        .collect()
}

/// Points with their sign: `+5`, `-10`, `+2.5`.
fn signed(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", number(x))
    } else {
        number(x)
    }
}

pub fn moment_json(lang: Lang, m: &Moment, clip: Option<&str>, page: Option<&str>) -> Value {
    json!({
        "behaviour": m.behaviour,
        "label": labels::behaviour(lang, &m.behaviour),
        "party": m.party,
        "start": m.start,
        "time": clock(m.start),
        "quote": m.quote,
        "before": "",
        "mark": m.quote,
        "after": "",
        "points": number(m.points),
        "confidence": whole(m.confidence * 100.0),
        "cls": if m.points < 0.0 { "neg" } else { "pos" },
        "verified": m.verified,
        "clip": clip,
        "page": page,
    })
}

/// Transcript rows: each segment in its party's lane, split into plain and marked
/// pieces where a moment's quote (or time) falls on it.
fn lanes(lang: Lang, t: &Transcript, moments: &[Moment]) -> Vec<Value> {
    t.segments
        .iter()
        .map(|s| {
            // A moment names its party; one with another or no party marks any line.
            let hits: Vec<&Moment> = moments
                .iter()
                .filter(|m| m.start < s.end && s.start < m.end)
                .filter(|m| {
                    !matches!(m.party.as_str(), "agent" | "customer") || m.party == s.party.as_str()
                })
                .collect();
            json!({
                "party": s.party.as_str(),
                "start": s.start,
                "time": clock(s.start),
                "pieces": pieces(s, &hits),
                "labels": hits.iter().map(|m| json!({
                    "label": labels::behaviour(lang, &m.behaviour),
                    "cls": if !m.verified { "unverified" } else if m.points < 0.0 { "neg" } else { "pos" },
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

fn pieces(s: &Segment, hits: &[&Moment]) -> Vec<Value> {
    let text = s.text.trim();
    let found = hits.iter().find_map(|m| {
        let quote = m.quote.trim();
        (!quote.is_empty()).then(|| text.find(quote).map(|at| (at, at + quote.len())))?
    });
    match found {
        Some((a, b)) => vec![
            json!({"text": &text[..a], "mark": false}),
            json!({"text": &text[a..b], "mark": true}),
            json!({"text": &text[b..], "mark": false}),
        ],
        None => vec![json!({"text": text, "mark": !hits.is_empty()})],
    }
}

/// The context of `calls/<name>.html`.
pub fn context(
    lang: Lang,
    p: &Prepared<'_>,
    whole: Option<&AudioFile>,
    clips: &[(Moment, Option<AudioFile>)],
) -> Value {
    let moment = |m: &Moment| {
        let clip = clips
            .iter()
            .find(|(c, _)| c == m)
            .and_then(|(_, f)| f.as_ref())
            .map(|f| format!("../{}", f.path));
        p.moment_json(lang, m, clip.as_deref(), None)
    };
    let (verified, unverified): (Vec<&Moment>, Vec<&Moment>) =
        p.moments.iter().partition(|m| m.verified);
    let view = CallView {
        moments: p.moments.clone(),
        ..p.call.clone()
    };
    json!({
        "call": meta(lang, p.call),
        "scores": scores(lang, p.call, &p.moments),
        "moments": verified.into_iter().map(moment).collect::<Vec<_>>(),
        "unverified": unverified.into_iter().map(moment).collect::<Vec<_>>(),
        "lanes": p.transcript.as_ref().map(|t| lanes(lang, t, &p.moments)),
        "timeline": timeline::build(&view, p.transcript.as_ref(), labels::hold_names(lang)),
        "charts": charts::build(lang, &p.call.metrics, p.call.duration),
        "audio": whole.map(|f| format!("../{}", f.path)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::testdata;
    use crate::store::DimensionScore;

    #[test]
    fn a_call_with_no_speech_shows_its_own_status_not_a_score() {
        let mut call = testdata::call("silent", 55.3);
        call.overall = None;
        call.scores = vec![DimensionScore {
            dimension: "warmth".into(),
            score: None,
        }];
        let shown = meta(Lang::En, &call);
        assert_eq!(shown["status"], "no_speech");
        assert_eq!(shown["overall"], Value::Null);
        assert_eq!(
            labels::ui(Lang::En).get("status_no_speech"),
            Some(&"not scored: no speech")
        );
        assert_eq!(
            meta(Lang::En, &testdata::call("c", 70.0))["status"],
            "scored"
        );
    }

    fn with_audio(id: &str) -> CallView {
        let mut call = testdata::call(id, 50.0);
        call.transcript = serde_json::from_value(serde_json::json!({
            "schema_version": 1, "duration": 60.0, "language": "fi",
            "attribution": "channels", "segments": []
        }))
        .ok();
        call.moments = vec![testdata::moment("greeting", 1.0, 0.9, 3.0)];
        call.audio_path = Some(format!("/in/{id}.wav").into());
        call
    }

    /// Issue 20, defect 3: the first clip of `x` was `audio/x-m1.wav`, the whole
    /// audio of the call `x-m1`.
    #[test]
    fn clips_never_take_the_name_of_another_calls_audio() {
        let calls = [with_audio("x"), with_audio("x-m1")];
        let mut paths = Vec::new();
        for call in &calls {
            let p = prepare(call, true);
            paths.extend(p.whole_audio().map(|f| f.path));
            paths.extend(p.clips().into_iter().filter_map(|(_, f)| f.map(|f| f.path)));
        }
        assert_eq!(paths.len(), 4, "{paths:?}");
        let distinct: std::collections::HashSet<_> = paths.iter().collect();
        assert_eq!(distinct.len(), paths.len(), "{paths:?}");
    }
}
