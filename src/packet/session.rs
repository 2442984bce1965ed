//! The listening session: pairs of calls chosen for contrast — a clearly cold call
//! against a clearly warm one — and the moments in each worth hearing.
//!
//! A pair must differ by at least [`MIN_GAP`] points of warmth, and the rubric's
//! evidence must give opposite verdicts on the behaviours that matter
//! ([`CONTRASTED`]: refusal, ownership, warmth): over them the cold call's verified
//! moments count against it and the warm call's for it, and in none of them the
//! other way round (a cold call that refused well against a warm one that refused
//! bluntly is no pair). Real calls rarely show the same behaviour both ways — the
//! cold call refuses bluntly where the warm one never needs to refuse — so a
//! dimension contrasts when either side's evidence there points its way. A call is
//! never paired with itself: not by id, and not with another encoding of its
//! recording ([`AudioPrint::same_audio`](super::fingerprint::AudioPrint::same_audio)).
//! Pairs from one queue come first. Every pair carries its [`Reason`].

use super::view::{CallView, Moment};

/// How many pairs one session holds: enough for an hour's discussion.
pub const MAX_PAIRS: usize = 3;
/// Moments per call in a session: the strongest, good or bad.
pub const MOMENTS_PER_CALL: usize = 4;
/// The least warmth difference (0–100 points) that makes a contrast worth an hour.
pub const MIN_GAP: f64 = 20.0;
/// The dimensions whose evidence must point opposite ways in a pair.
pub const CONTRASTED: [&str; 3] = ["refusal", "ownership", "warmth"];

/// A cold and a warm call, by index into the calls given to [`pairs`], and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub cold: usize,
    pub warm: usize,
    pub reason: Reason,
}

/// Why two calls make a pair: how far apart they are, where their evidence points
/// opposite ways, and whether they share a queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// Warmth of each ([`CallView::warmth`]), rounded.
    pub cold_warmth: f64,
    pub warm_warmth: f64,
    /// The queue both calls came from, if one.
    pub same_queue: Option<String>,
    /// At least one; in [`CONTRASTED`] order.
    pub contrasts: Vec<Contrast>,
}

/// One dimension where the cold call's evidence counts against it, or the warm
/// call's for it, or both; the strongest such moment of each side, by index into
/// the call's moments. At least one side is there.
#[derive(Debug, Clone, PartialEq)]
pub struct Contrast {
    pub dimension: &'static str,
    pub cold_moment: Option<usize>,
    pub warm_moment: Option<usize>,
}

impl Contrast {
    /// Both calls show the dimension, opposite ways: the clearest contrast.
    pub fn both(&self) -> bool {
        self.cold_moment.is_some() && self.warm_moment.is_some()
    }
}

/// Picks up to [`MAX_PAIRS`] pairs for contrast (see the module's rules), from one
/// queue first, then by the widest gap; never uses a call, or any encoding of its
/// recording, twice.
pub fn pairs(calls: &[CallView]) -> Vec<Pair> {
    let warmth: Vec<Option<f64>> = calls.iter().map(CallView::warmth).collect();
    let mut candidates: Vec<Pair> = Vec::new();
    for (cold, c) in calls.iter().enumerate() {
        for (warm, w) in calls.iter().enumerate() {
            let (Some(cw), Some(ww)) = (warmth[cold], warmth[warm]) else {
                continue;
            };
            if ww - cw < MIN_GAP || same_call(c, w) {
                continue;
            }
            let Some(contrasts) = contrasts(c, w) else {
                continue;
            };
            let same_queue = c
                .metadata
                .queue
                .clone()
                .filter(|q| w.metadata.queue.as_ref() == Some(q));
            candidates.push(Pair {
                cold,
                warm,
                reason: Reason {
                    cold_warmth: cw.round(),
                    warm_warmth: ww.round(),
                    same_queue,
                    contrasts,
                },
            });
        }
    }
    candidates.sort_by(|a, b| {
        let gap = |p: &Pair| p.reason.warm_warmth - p.reason.cold_warmth;
        let both = |p: &Pair| p.reason.contrasts.iter().filter(|c| c.both()).count();
        b.reason
            .same_queue
            .is_some()
            .cmp(&a.reason.same_queue.is_some())
            .then(both(b).cmp(&both(a)))
            .then(b.reason.contrasts.len().cmp(&a.reason.contrasts.len()))
            .then(gap(b).total_cmp(&gap(a)))
    });
    let mut used: Vec<usize> = Vec::new();
    let mut chosen = Vec::new();
    for pair in candidates {
        if chosen.len() == MAX_PAIRS {
            break;
        }
        let taken = |i: usize| used.iter().any(|&u| same_call(&calls[u], &calls[i]));
        if !taken(pair.cold) && !taken(pair.warm) {
            used.extend([pair.cold, pair.warm]);
            chosen.push(pair);
        }
    }
    chosen
}

/// One call, or two recordings of one call.
fn same_call(a: &CallView, b: &CallView) -> bool {
    a.call_id == b.call_id
        || matches!((&a.audio_print, &b.audio_print), (Some(x), Some(y)) if x.same_audio(y))
}

/// Where `cold`'s evidence counts against it or `warm`'s for it; `None` unless each
/// call's evidence over [`CONTRASTED`] leans its own way and no dimension points
/// the other way round (the cold call for itself and the warm call against).
fn contrasts(cold: &CallView, warm: &CallView) -> Option<Vec<Contrast>> {
    if lean(cold) >= 0.0 || lean(warm) <= 0.0 {
        return None;
    }
    let mut found = Vec::new();
    for dimension in CONTRASTED {
        let (c, w) = (verdict(cold, dimension), verdict(warm, dimension));
        if matches!((c, w), (Some((c, _)), Some((w, _))) if c > 0.0 && w < 0.0) {
            return None;
        }
        let cold_moment = c.filter(|(net, _)| *net < 0.0).map(|(_, m)| m);
        let warm_moment = w.filter(|(net, _)| *net > 0.0).map(|(_, m)| m);
        if cold_moment.is_some() || warm_moment.is_some() {
            found.push(Contrast {
                dimension,
                cold_moment,
                warm_moment,
            });
        }
    }
    (!found.is_empty()).then_some(found)
}

/// The net weight of a call's counting moments over [`CONTRASTED`].
fn lean(call: &CallView) -> f64 {
    CONTRASTED
        .iter()
        .filter_map(|d| verdict(call, d))
        .map(|(net, _)| net)
        .sum()
}

/// The net weight of the call's counting moments in `dimension`, and its strongest
/// moment in the direction of the net; `None` without such moments.
fn verdict(call: &CallView, dimension: &str) -> Option<(f64, usize)> {
    let moments: Vec<(usize, &Moment)> = call
        .moments
        .iter()
        .enumerate()
        .filter(|(_, m)| m.counts() && dimension_of(m) == dimension)
        .collect();
    let net: f64 = moments.iter().map(|(_, m)| m.weight()).sum();
    let strongest = moments
        .iter()
        .max_by(|a, b| (a.1.weight() * net.signum()).total_cmp(&(b.1.weight() * net.signum())))?;
    (net != 0.0).then_some((net, strongest.0))
}

/// The moment's dimension; for score files written before moments named it, the
/// built-in rubric's dimension of its behaviour.
pub fn dimension_of(m: &Moment) -> &str {
    if !m.dimension.is_empty() {
        return &m.dimension;
    }
    match m.behaviour.as_str() {
        "greeting" | "self_intro" | "empathy" | "apology" | "closing" => "warmth",
        "ownership" | "callback_offer" | "callback_promise" => "ownership",
        "bare_refusal" | "justified_refusal" => "refusal",
        _ => "",
    }
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
    use crate::packet::fingerprint;
    use crate::packet::testdata::{call, moment};

    fn with(id: &str, overall: f64, moments: &[(&str, &str, f64)]) -> CallView {
        let mut c = call(id, overall);
        c.moments = moments
            .iter()
            .enumerate()
            .map(|(i, (behaviour, dimension, points))| {
                let mut m = moment(behaviour, *points, 1.0, 10.0 * i as f64);
                m.dimension = dimension.to_string();
                m
            })
            .collect();
        c
    }

    fn cold(id: &str, overall: f64) -> CallView {
        with(id, overall, &[("bare_refusal", "refusal", -10.0)])
    }

    fn warm(id: &str, overall: f64) -> CallView {
        with(
            id,
            overall,
            &[
                ("greeting", "warmth", 5.0),
                ("justified_refusal", "refusal", 5.0),
            ],
        )
    }

    #[test]
    fn pairs_prefer_the_same_queue_and_never_reuse_a_call() {
        let mut calls = vec![
            cold("cold-billing", 20.0),
            warm("warm-billing", 70.0),
            cold("cold-sales", 10.0),
            warm("warm-sales", 95.0),
            warm("unscored", 0.0),
        ];
        calls[4].overall = None;
        for (c, q) in calls
            .iter_mut()
            .zip(["billing", "billing", "sales", "sales", "sales"])
        {
            c.metadata.queue = Some(q.into());
        }
        let chosen: Vec<(usize, usize)> = pairs(&calls).iter().map(|p| (p.cold, p.warm)).collect();
        assert_eq!(chosen, vec![(2, 3), (0, 1)]);
        let reason = &pairs(&calls)[0].reason;
        assert_eq!(reason.same_queue.as_deref(), Some("sales"));
        assert_eq!((reason.cold_warmth, reason.warm_warmth), (10.0, 95.0));
        assert_eq!(
            reason.contrasts,
            vec![
                Contrast {
                    dimension: "refusal",
                    cold_moment: Some(0),
                    warm_moment: Some(1)
                },
                Contrast {
                    dimension: "warmth",
                    cold_moment: None,
                    warm_moment: Some(0)
                }
            ]
        );
    }

    /// Issue 19: a warm call with queue metadata was shown as "cold", backed only
    /// by green moments; two calls a few points apart were a "contrast".
    #[test]
    fn a_pair_needs_a_gap_and_evidence_pointing_opposite_ways() {
        let green_only = warm("green", 40.0);
        assert!(pairs(&[green_only.clone(), warm("warmer", 90.0)]).is_empty());
        assert!(pairs(&[cold("cold", 60.0), warm("close", 70.0)]).is_empty());
        // The "warm" call refused bluntly where the cold one refused well.
        let reversed = with(
            "reversed",
            20.0,
            &[
                ("justified_refusal", "refusal", 5.0),
                ("greeting", "warmth", -10.0),
            ],
        );
        let blunt = with(
            "blunt",
            90.0,
            &[
                ("bare_refusal", "refusal", -10.0),
                ("greeting", "warmth", 20.0),
            ],
        );
        assert!(pairs(&[reversed, blunt]).is_empty());
        assert_eq!(pairs(&[cold("c", 20.0), warm("w", 80.0)]).len(), 1);
        // A blunt refusal against a call that needed none but took ownership: the
        // dimensions differ, the verdicts are still opposite.
        let owner = with("owner", 85.0, &[("ownership", "ownership", 25.0)]);
        let found = pairs(&[cold("c", 20.0), owner]);
        assert_eq!(found.len(), 1);
        let dims: Vec<&str> = found[0]
            .reason
            .contrasts
            .iter()
            .map(|c| c.dimension)
            .collect();
        assert_eq!(dims, ["refusal", "ownership"]);
    }

    /// Issue 19: the demo showed one call in two encodings as "cold vs warm".
    #[test]
    fn a_call_is_never_paired_with_another_encoding_of_itself() {
        let tone = |gain: f32, seconds: usize| {
            let n = seconds * 16_000;
            vec![
                (0..n)
                    .map(|i| gain * if (i / 8000) % 3 == 0 { 0.5 } else { 0.01 })
                    .collect::<Vec<f32>>(),
            ]
        };
        let mut stereo = cold("call-1.ulaw8k", 15.0);
        let mut mono = warm("call-1.mono16k", 80.0);
        stereo.audio_print = Some(fingerprint::of(&tone(1.0, 20)));
        mono.audio_print = Some(fingerprint::of(&tone(0.6, 20)));
        assert!(pairs(&[stereo.clone(), mono.clone()]).is_empty());
        // With another warm call there is a pair, and the mono copy is not in it.
        let mut other = warm("call-2", 90.0);
        other.audio_print = Some(fingerprint::of(&tone(1.0, 33)));
        let found = pairs(&[stereo, mono, other]);
        let chosen: Vec<(usize, usize)> = found.iter().map(|p| (p.cold, p.warm)).collect();
        assert_eq!(chosen, vec![(0, 2)]);
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
