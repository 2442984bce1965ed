//! The overview's plots as data: a histogram of each dimension's scores and the
//! mean score per dimension for each team, agent or queue. The template draws them
//! as SVG.

use std::collections::BTreeMap;

use serde::Serialize;

use super::labels::{self, Lang};
use super::view::CallView;

const BINS: usize = 10;
/// Plot height in SVG units.
const HEIGHT: f64 = 60.0;

#[derive(Debug, Clone, Serialize)]
pub struct Histogram {
    pub label: String,
    pub count: usize,
    /// One bar per ten points: (x, y, height, count).
    pub bars: Vec<(f64, f64, f64, usize)>,
}

/// The dimensions present across `calls`, in first-seen (rubric) order, plus overall.
pub fn dimensions(calls: &[CallView]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for s in calls.iter().flat_map(|c| &c.scores) {
        if !seen.contains(&s.dimension) {
            seen.push(s.dimension.clone());
        }
    }
    if calls.iter().any(|c| c.overall.is_some()) && !seen.iter().any(|d| d == "overall") {
        seen.push("overall".into());
    }
    seen
}

pub fn histograms(lang: Lang, calls: &[CallView], dims: &[String]) -> Vec<Histogram> {
    dims.iter()
        .map(|dim| {
            let mut counts = [0usize; BINS];
            let scores: Vec<f64> = calls.iter().filter_map(|c| c.score(dim)).collect();
            for s in &scores {
                counts[((s / 10.0) as usize).min(BINS - 1)] += 1;
            }
            let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
            let bars = counts
                .iter()
                .enumerate()
                .map(|(i, &n)| {
                    let h = HEIGHT * n as f64 / max;
                    (i as f64 * 20.0, HEIGHT - h, h, n)
                })
                .collect();
            Histogram {
                label: labels::dimension(lang, dim),
                count: scores.len(),
                bars,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    /// The team, agent or queue; `—` for calls without one.
    pub name: String,
    pub calls: usize,
    /// Mean per dimension, in the order of the dimensions given; `None` if no score.
    pub means: Vec<Option<i64>>,
}

/// Calls and mean score per dimension for each value of `key` (team, agent, queue).
pub fn group_means(
    calls: &[CallView],
    dims: &[String],
    key: impl Fn(&CallView) -> Option<&String>,
) -> Vec<GroupRow> {
    let mut groups: BTreeMap<String, Vec<&CallView>> = BTreeMap::new();
    for c in calls {
        let name = key(c).cloned().unwrap_or_else(|| "—".into());
        groups.entry(name).or_default().push(c);
    }
    groups
        .into_iter()
        .map(|(name, members)| GroupRow {
            calls: members.len(),
            means: dims
                .iter()
                .map(|d| {
                    let s: Vec<f64> = members.iter().filter_map(|c| c.score(d)).collect();
                    (!s.is_empty()).then(|| (s.iter().sum::<f64>() / s.len() as f64).round() as i64)
                })
                .collect(),
            name,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::testdata::call;

    #[test]
    fn histogram_counts_each_score_once_and_100_in_the_top_bin() {
        let calls = [call("a", 100.0), call("b", 95.0), call("c", 5.0)];
        let h = &histograms(Lang::En, &calls, &["overall".into()])[0];
        assert_eq!(h.count, 3);
        assert_eq!(h.bars[9].3, 2);
        assert_eq!(h.bars[0].3, 1);
        assert_eq!(h.bars[9].2, HEIGHT);
    }

    #[test]
    fn group_means_group_calls_by_team() {
        let mut calls = [call("a", 40.0), call("b", 60.0), call("c", 90.0)];
        calls[0].metadata.team = Some("Tuki".into());
        calls[1].metadata.team = Some("Tuki".into());
        let rows = group_means(&calls, &["overall".into()], |c| c.metadata.team.as_ref());
        assert_eq!(rows[0].name, "Tuki");
        assert_eq!(rows[0].means, vec![Some(50)]);
        assert_eq!(rows[1].calls, 1);
    }
}
