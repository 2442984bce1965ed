//! Who talked when: talk time and speed per party, silences, holds and
//! interruptions, all from segment times.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::finnish::matcher::PatternSet;
use crate::finnish::text;
use crate::metrics::MetricsSettings;
use crate::transcript::{Attribution, Party, Segment, Transcript};

/// Phrases that announce a hold ("hetki, tarkistan"), matched like rubric patterns.
pub const HOLD_PHRASES: &[&str] = &[
    "hetki",
    "hetkinen",
    "odota",
    "odottakaa",
    "odotatko",
    "odotatteko",
    "tarkistan",
    "katson",
    "selvitän",
    "katsotaan",
    "tarkistetaan",
    "laitan pitoon",
    "pidän linjalla",
    "pieni tovi",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyTalk {
    /// Seconds this party spoke (overlapping segments of the party counted once).
    pub talk_time: f64,
    pub words: usize,
    /// Words per minute of talk time; `None` when the party did not speak.
    pub words_per_minute: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub start: f64,
    pub end: f64,
}

/// A silence of at least `MetricsSettings::hold_min_s` inside the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hold {
    pub start: f64,
    pub end: f64,
    /// The agent said a hold phrase within `announce_window_s` before it.
    pub announced: bool,
}

/// `by` started talking while `interrupted` was mid-utterance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interruption {
    pub at: f64,
    pub by: Party,
    pub interrupted: Party,
}

/// Merged speech intervals of the segments accepted by `keep`.
fn union(segments: &[Segment], keep: impl Fn(&Segment) -> bool) -> Vec<Span> {
    let mut spans: Vec<Span> = segments
        .iter()
        .filter(|s| keep(s))
        .map(|s| Span {
            start: s.start,
            end: s.end,
        })
        .collect();
    spans.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut out: Vec<Span> = Vec::new();
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

pub fn party_talk(t: &Transcript, party: Party) -> PartyTalk {
    let talk_time: f64 = union(&t.segments, |s| s.party == party)
        .iter()
        .map(|s| s.end - s.start)
        .sum();
    let words = t
        .party_segments(party)
        .map(|s| s.text.split_whitespace().count())
        .sum();
    let words_per_minute = (talk_time > 0.0).then(|| words as f64 * 60.0 / talk_time);
    PartyTalk {
        talk_time,
        words,
        words_per_minute,
    }
}

/// Silences between speech of anyone, in time order (not before the first word
/// or after the last: ringing and hang-up are not silences of the call).
pub fn silences(t: &Transcript) -> Vec<Span> {
    let speech = union(&t.segments, |_| true);
    speech
        .windows(2)
        .map(|w| Span {
            start: w[0].end,
            end: w[1].start,
        })
        .collect()
}

pub fn talk_total(t: &Transcript) -> f64 {
    union(&t.segments, |_| true)
        .iter()
        .map(|s| s.end - s.start)
        .sum()
}

fn hold_phrases() -> &'static PatternSet {
    static SET: OnceLock<PatternSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = PatternSet::default();
        for p in HOLD_PHRASES {
            // The list is constant and each entry is a plain word sequence.
            let _ = set.add(p);
        }
        set
    })
}

/// Whether `text` contains a hold phrase.
pub fn says_hold_phrase(text: &str) -> bool {
    !hold_phrases().hits(&text::tokenize(text, 0)).is_empty()
}

/// The segments that may announce a silence starting at `start`: the agent's
/// (any party's in a mono call, whose parties are a guess: an agent's "hetki,
/// tarkistan" guessed to be the customer's must not make the hold unannounced)
/// that end within `announce_window_s` before it.
pub fn announcing_segments<'a>(
    t: &'a Transcript,
    start: f64,
    settings: &MetricsSettings,
) -> impl Iterator<Item = &'a Segment> {
    let window = settings.announce_window_s;
    t.segments.iter().filter(move |a| {
        (a.party == Party::Agent || t.attribution == Attribution::Estimated)
            && a.end <= start + 0.01
            && a.end >= start - window
    })
}

pub fn holds(t: &Transcript, settings: &MetricsSettings) -> Vec<Hold> {
    silences(t)
        .into_iter()
        .filter(|s| s.end - s.start >= settings.hold_min_s)
        .map(|s| {
            let announced =
                announcing_segments(t, s.start, settings).any(|a| says_hold_phrase(&a.text));
            Hold {
                start: s.start,
                end: s.end,
                announced,
            }
        })
        .collect()
}

pub fn interruptions(t: &Transcript, settings: &MetricsSettings) -> Vec<Interruption> {
    let tolerance = settings.overlap_tolerance_s;
    let (agent, customer) = (Reach::of(t, Party::Agent), Reach::of(t, Party::Customer));
    let mut out = Vec::new();
    for b in &t.segments {
        let (other, reach) = match b.party {
            Party::Agent => (Party::Customer, &customer),
            Party::Customer => (Party::Agent, &agent),
            Party::Unknown => continue,
        };
        let backchannel = b.end - b.start < settings.backchannel_max_s
            || b.text.split_whitespace().nth(2).is_none();
        if backchannel {
            continue;
        }
        // The other party's segments that started more than the tolerance earlier…
        let started = reach
            .0
            .partition_point(|&(start, _)| start + tolerance < b.start);
        // …and whether one of them goes on for more than the tolerance after.
        let cut = started > 0 && reach.0[started - 1].1 - b.start > tolerance;
        if cut {
            out.push(Interruption {
                at: b.start,
                by: b.party,
                interrupted: other,
            });
        }
    }
    out
}

/// A party's segments as (start, latest end of the segments started so far), by
/// start: which of them has started by a time and how far the latest one reaches
/// is one binary search instead of a scan of the call for every segment.
struct Reach(Vec<(f64, f64)>);

impl Reach {
    fn of(t: &Transcript, party: Party) -> Reach {
        // A segment with an undefined time never overlaps anything.
        let mut spans: Vec<(f64, f64)> = t
            .party_segments(party)
            .filter(|s| !s.start.is_nan() && !s.end.is_nan())
            .map(|s| (s.start, s.end))
            .collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut latest = f64::NEG_INFINITY;
        for span in &mut spans {
            latest = latest.max(span.1);
            span.1 = latest;
        }
        Reach(spans)
    }
}
