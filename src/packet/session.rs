//! The listening session: contrasting pairs of calls — a cold one and a warm one,
//! from the same queue where possible — and the moments in each worth hearing.

use std::collections::BTreeMap;

use super::view::{CallView, Moment};

/// How many pairs one session holds: enough for an hour's discussion.
pub const MAX_PAIRS: usize = 3;
/// Moments per call in a session: the strongest, good or bad.
pub const MOMENTS_PER_CALL: usize = 4;

/// A cold and a warm call, by index into the calls given to [`pairs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub cold: usize,
    pub warm: usize,
}

/// Picks up to [`MAX_PAIRS`] pairs with the largest warmth contrast, preferring
/// pairs from one queue (same topic), never using a call twice. A cold call with a
/// bare refusal ranks colder.
pub fn pairs(calls: &[CallView]) -> Vec<Pair> {
    let warmth: Vec<Option<f64>> = calls.iter().map(coldness_adjusted).collect();
    let mut by_queue: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, call) in calls.iter().enumerate() {
        if warmth[i].is_some() {
            by_queue
                .entry(call.metadata.queue.as_deref().unwrap_or(""))
                .or_default()
                .push(i);
        }
    }
    let mut candidates: Vec<(bool, f64, Pair)> = Vec::new();
    let scored: Vec<usize> = (0..calls.len()).filter(|&i| warmth[i].is_some()).collect();
    for &cold in &scored {
        for &warm in &scored {
            let (Some(c), Some(w)) = (warmth[cold], warmth[warm]) else {
                continue;
            };
            if w > c {
                let same_queue = calls[cold].metadata.queue == calls[warm].metadata.queue;
                candidates.push((same_queue, w - c, Pair { cold, warm }));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)));
    let mut used = vec![false; calls.len()];
    let mut chosen = Vec::new();
    for (_, _, pair) in candidates {
        if chosen.len() == MAX_PAIRS {
            break;
        }
        if !used[pair.cold] && !used[pair.warm] {
            used[pair.cold] = true;
            used[pair.warm] = true;
            chosen.push(pair);
        }
    }
    chosen
}

fn coldness_adjusted(call: &CallView) -> Option<f64> {
    let bare_refusals = call
        .moments
        .iter()
        .filter(|m| m.verified && m.behaviour.contains("refusal") && m.points < 0.0)
        .count();
    Some(call.warmth()? - 5.0 * bare_refusals as f64)
}

/// The moments of a call worth hearing: the strongest by |points × confidence|, in
/// time order; only moments that count ([`Moment::counts`]).
pub fn key_moments(call: &CallView) -> Vec<&Moment> {
    let mut moments: Vec<&Moment> = call.moments.iter().filter(|m| m.counts()).collect();
    moments.sort_by(|a, b| b.weight().abs().total_cmp(&a.weight().abs()));
    moments.truncate(MOMENTS_PER_CALL);
    moments.sort_by(|a, b| a.start.total_cmp(&b.start));
    moments
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::testdata::{call, moment};

    #[test]
    fn pairs_prefer_the_same_queue_and_never_reuse_a_call() {
        let mut calls = vec![
            call("cold-billing", 20.0),
            call("warm-billing", 70.0),
            call("cold-sales", 10.0),
            call("warm-sales", 95.0),
            call("unscored", 0.0),
        ];
        calls[4].overall = None;
        for (c, q) in calls
            .iter_mut()
            .zip(["billing", "billing", "sales", "sales", "sales"])
        {
            c.metadata.queue = Some(q.into());
        }
        let chosen = pairs(&calls);
        assert_eq!(
            chosen,
            vec![Pair { cold: 2, warm: 3 }, Pair { cold: 0, warm: 1 }]
        );
    }

    #[test]
    fn key_moments_leave_out_unverified_and_pointless_moments() {
        let mut c = call("c", 50.0);
        let mut unverified = moment("bare_refusal", -10.0, 1.0, 1.0);
        unverified.verified = false;
        c.moments = vec![
            unverified,
            moment("greeting", 0.0, 1.0, 3.0),
            moment("ownership", 5.0, 0.8, 7.0),
        ];
        let starts: Vec<f64> = key_moments(&c).iter().map(|m| m.start).collect();
        assert_eq!(starts, vec![7.0]);
    }

    #[test]
    fn one_scored_call_makes_no_pair() {
        assert!(pairs(&[call("only", 50.0)]).is_empty());
    }
}
