//! The metrics stage: numbers about a call that need no rubric — talk time and
//! speed per party, silences and holds, interruptions, loudness per quarter and the
//! customer's sentiment at the start and end. Pure: no IO, cannot fail.
//!
//! Entry: [`compute`]. The transcriber feeds a [`LoudnessMeter`] while it has the
//! samples and passes the finished [`Loudness`] in.

pub mod loudness;
pub mod sentiment;
pub mod timing;

use serde::{Deserialize, Serialize};

pub use loudness::{Loudness, LoudnessMeter};
pub use sentiment::Sentiment;
pub use timing::{Hold, Interruption, PartyTalk, Span};

use crate::transcript::{Party, Transcript};

/// Thresholds behind the metrics; [`Default`] is what `compute` uses.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsSettings {
    /// A silence at least this long is a hold.
    pub hold_min_s: f64,
    /// A hold phrase this long before a hold announces it.
    pub announce_window_s: f64,
    /// Overlap shorter than this at either end is turn-taking, not interrupting.
    pub overlap_tolerance_s: f64,
    /// Segments shorter than this (or of one or two words) are backchannel ("joo").
    pub backchannel_max_s: f64,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        MetricsSettings {
            hold_min_s: 10.0,
            announce_window_s: 15.0,
            overlap_tolerance_s: 0.5,
            backchannel_max_s: 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub duration: f64,
    pub agent: PartyTalk,
    pub customer: PartyTalk,
    /// Seconds nobody spoke.
    pub non_talk_time: f64,
    pub longest_silence: Option<Span>,
    pub holds: Vec<Hold>,
    pub interruptions: Vec<Interruption>,
    pub loudness: Option<Loudness>,
    pub sentiment: Sentiment,
}

impl Metrics {
    /// Interruptions made by `party`.
    pub fn interruptions_by(&self, party: Party) -> usize {
        self.interruptions.iter().filter(|i| i.by == party).count()
    }
}

/// Metrics of `transcript` with the default thresholds.
pub fn compute(transcript: &Transcript, loudness: Option<&Loudness>) -> Metrics {
    compute_with(transcript, loudness, &MetricsSettings::default())
}

pub fn compute_with(
    transcript: &Transcript,
    loudness: Option<&Loudness>,
    settings: &MetricsSettings,
) -> Metrics {
    let longest_silence = timing::silences(transcript)
        .into_iter()
        .max_by(|a, b| (a.end - a.start).total_cmp(&(b.end - b.start)));
    Metrics {
        duration: transcript.duration,
        agent: timing::party_talk(transcript, Party::Agent),
        customer: timing::party_talk(transcript, Party::Customer),
        non_talk_time: (transcript.duration - timing::talk_total(transcript)).max(0.0),
        longest_silence,
        holds: timing::holds(transcript, settings),
        interruptions: timing::interruptions(transcript, settings),
        loudness: loudness.cloned(),
        sentiment: sentiment::compute(transcript),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Attribution, Segment};

    fn seg(party: Party, start: f64, end: f64, text: &str) -> Segment {
        Segment {
            party,
            start,
            end,
            text: text.into(),
            words: vec![],
        }
    }

    fn call(segments: Vec<Segment>) -> Transcript {
        Transcript {
            schema_version: 1,
            duration: 120.0,
            language: "fi".into(),
            attribution: Attribution::Channels,
            segments,
        }
    }

    #[test]
    fn in_a_mono_call_an_announcement_guessed_to_be_the_customers_still_announces() {
        let segments = || {
            vec![
                seg(Party::Agent, 1.0, 5.0, "hyvää päivää asiakaspalvelu"),
                // The agent's words, given to the customer by the party guess.
                seg(
                    Party::Customer,
                    6.0,
                    9.0,
                    "kiitos, hetki, tarkistan tilanteen",
                ),
                seg(Party::Agent, 22.0, 25.0, "kiitos odottamisesta"),
            ]
        };
        let announced = |t: &Transcript| compute(t, None).holds[0].announced;
        let stereo = call(segments());
        assert!(!announced(&stereo), "two channels: the customer said it");
        let mono = Transcript {
            attribution: Attribution::Estimated,
            ..call(segments())
        };
        assert!(
            announced(&mono),
            "one channel: whoever said it, it was said"
        );
    }

    #[test]
    fn talk_time_speed_and_silences() {
        let t = call(vec![
            seg(
                Party::Agent,
                1.0,
                5.0,
                "hyvää päivää asiakaspalvelu Anna tässä",
            ),
            seg(
                Party::Customer,
                5.5,
                9.5,
                "hei mulla on ongelma laskun kanssa",
            ),
            seg(Party::Agent, 10.0, 12.0, "hetki, tarkistan"),
            seg(Party::Agent, 40.0, 44.0, "kiitos odottamisesta nyt löytyi"),
            seg(Party::Customer, 70.0, 72.0, "no niin"),
        ]);
        let m = compute(&t, None);
        assert_eq!(m.agent.talk_time, 10.0);
        assert_eq!(m.agent.words, 11);
        assert_eq!(m.agent.words_per_minute, Some(66.0));
        assert_eq!(
            m.longest_silence,
            Some(Span {
                start: 12.0,
                end: 40.0
            })
        );
        assert_eq!(m.non_talk_time, 120.0 - 16.0);
        let holds: Vec<(f64, bool)> = m.holds.iter().map(|h| (h.start, h.announced)).collect();
        assert_eq!(holds, [(12.0, true), (44.0, false)]);
        assert_eq!(
            serde_json::from_str::<Metrics>(&serde_json::to_string(&m).unwrap()).unwrap(),
            m
        );
    }

    #[test]
    fn interruptions_need_real_overlap_and_more_than_backchannel() {
        let t = call(vec![
            seg(
                Party::Customer,
                0.0,
                10.0,
                "ja sitten kävi niin että lasku tuli kahteen kertaan",
            ),
            seg(Party::Agent, 3.0, 4.0, "joo"),
            seg(Party::Agent, 6.0, 9.0, "hetkinen nyt mä sanon yhden asian"),
            seg(Party::Customer, 9.8, 11.0, "no mitä sitten"),
            seg(
                Party::Agent,
                20.0,
                25.0,
                "lasku on oikein ja se pitää maksaa",
            ),
            seg(Party::Customer, 21.0, 26.0, "ei varmasti ole oikein"),
        ]);
        let m = compute(&t, None);
        let who: Vec<(f64, Party)> = m.interruptions.iter().map(|i| (i.at, i.by)).collect();
        assert_eq!(who, [(6.0, Party::Agent), (21.0, Party::Customer)]);
        assert_eq!(m.interruptions_by(Party::Agent), 1);
    }
}
