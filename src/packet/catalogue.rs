//! The trainer catalogue: every rubric moment of the batch that counts (verified by
//! the audio, worth points), ranked by how strongly it counts (points × confidence),
//! so trainers find the best ownership or the worst bare refusals; and the calls
//! whose customer mood turned. Also behind `kuulas examples`.

use serde::Serialize;

use super::view::{CallView, Moment};

/// One moment with the call it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub call_id: String,
    pub agent: Option<String>,
    pub team: Option<String>,
    pub date: Option<String>,
    pub moment: Moment,
    /// points × confidence.
    pub weight: f64,
}

/// Which end of the ranking to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rank {
    /// Highest weight first.
    Exemplary,
    /// Lowest (most negative) weight first.
    Cautionary,
}

/// Every moment of `calls` that counts ([`Moment::counts`]: verified by the audio,
/// worth points), optionally of one behaviour, ranked; at most `top`.
pub fn examples(
    calls: &[CallView],
    behaviour: Option<&str>,
    rank: Rank,
    top: usize,
) -> Vec<Example> {
    let mut all: Vec<Example> = calls
        .iter()
        .flat_map(|call| {
            call.moments
                .iter()
                .filter(|m| m.counts() && behaviour.is_none_or(|b| m.behaviour == b))
                .map(move |m| Example {
                    call_id: call.call_id.clone(),
                    agent: call.metadata.agent.clone(),
                    team: call.metadata.team.clone(),
                    date: call.date().map(str::to_string),
                    moment: m.clone(),
                    weight: m.weight(),
                })
        })
        .collect();
    all.sort_by(|a, b| match rank {
        Rank::Exemplary => b.weight.total_cmp(&a.weight),
        Rank::Cautionary => a.weight.total_cmp(&b.weight),
    });
    all.truncate(top);
    all
}

/// Calls whose customer sentiment rose by at least `min_rise`, biggest rise first.
pub fn turnarounds(calls: &[CallView], min_rise: f64) -> Vec<(&CallView, f64)> {
    let mut found: Vec<(&CallView, f64)> = calls
        .iter()
        .filter_map(|c| Some((c, c.turnaround()?)))
        .filter(|(_, rise)| *rise >= min_rise)
        .collect();
    found.sort_by(|a, b| b.1.total_cmp(&a.1));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::testdata::{call, moment};

    #[test]
    fn examples_rank_by_points_times_confidence_both_ways() {
        let mut a = call("a", 80.0);
        a.moments = vec![
            moment("ownership", 10.0, 0.5, 1.0),
            moment("ownership", 8.0, 0.9, 5.0),
            moment("bare_refusal", -10.0, 0.9, 9.0),
        ];
        let mut b = call("b", 30.0);
        b.moments = vec![moment("ownership", -4.0, 1.0, 2.0)];
        let calls = [a, b];
        let best = examples(&calls, Some("ownership"), Rank::Exemplary, 10);
        let weights: Vec<f64> = best.iter().map(|e| e.weight).collect();
        assert_eq!(weights, vec![7.2, 5.0, -4.0]);
        let worst = examples(&calls, None, Rank::Cautionary, 1);
        assert_eq!(worst[0].moment.behaviour, "bare_refusal");
        assert_eq!(worst[0].call_id, "a");
    }

    /// Issue 19: 0-point duplicates were listed as exemplary; unverified moments
    /// must never be an example.
    #[test]
    fn unverified_and_pointless_moments_are_never_examples() {
        let mut a = call("a", 80.0);
        let mut unverified = moment("ownership", 10.0, 1.0, 1.0);
        unverified.verified = false;
        a.moments = vec![
            unverified,
            moment("ownership", 0.0, 1.0, 5.0),
            moment("ownership", 4.0, 1.0, 9.0),
        ];
        let calls = [a];
        for rank in [Rank::Exemplary, Rank::Cautionary] {
            let found = examples(&calls, None, rank, 10);
            let starts: Vec<f64> = found.iter().map(|e| e.moment.start).collect();
            assert_eq!(starts, vec![9.0], "{rank:?}");
        }
    }
}
