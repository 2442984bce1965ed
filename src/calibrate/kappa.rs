//! Agreement between two raters on a yes/no question: the 2×2 confusion counts,
//! precision and recall of the second rater against the first, and Cohen's κ
//! (agreement beyond what the raters' base rates give by chance).

use serde::Serialize;

/// Confusion counts of a rater (the rubric, or a second reviewer) against a
/// reference (the human label): `tp` both say present, `fp` only the rater,
/// `fn_` only the reference, `tn` both say absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub tn: usize,
}

impl Confusion {
    /// Counts one item: what the reference and the rater said.
    pub fn add(&mut self, reference: bool, rater: bool) {
        match (reference, rater) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.tp + self.fp + self.fn_ + self.tn
    }

    /// Of the items the rater called present, the share the reference agrees
    /// with; `None` when the rater called none present.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// Of the items the reference calls present, the share the rater found;
    /// `None` when the reference calls none present.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Cohen's κ = (p_o − p_e) / (1 − p_e). `None` when there are no items, or
    /// when chance agreement is certain (both raters gave one and the same
    /// answer to every item), where κ is undefined.
    pub fn kappa(&self) -> Option<f64> {
        let n = self.total() as f64;
        if n == 0.0 {
            return None;
        }
        let observed = (self.tp + self.tn) as f64 / n;
        let yes = (self.tp + self.fp) as f64 * (self.tp + self.fn_) as f64;
        let no = (self.fn_ + self.tn) as f64 * (self.fp + self.tn) as f64;
        let chance = (yes + no) / (n * n);
        if (1.0 - chance).abs() < 1e-12 {
            return None;
        }
        Some((observed - chance) / (1.0 - chance))
    }
}

fn ratio(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(tp: usize, fp: usize, fn_: usize, tn: usize) -> Confusion {
        Confusion { tp, fp, fn_, tn }
    }

    #[test]
    fn kappa_matches_the_textbook_example() {
        // Cohen's κ on Wikipedia: 50 proposals, both yes 20, both no 15, A yes
        // and B no 5, A no and B yes 10: p_o = 0.7, p_e = 0.5, κ = 0.4.
        let c = counts(20, 10, 5, 15);
        assert!((c.kappa().unwrap() - 0.4).abs() < 1e-12);
        // Second example there: 45/15/25/15 → p_o = 0.6, p_e = 0.54, κ ≈ 0.1304.
        let c = counts(45, 15, 25, 15);
        assert!((c.kappa().unwrap() - 0.06 / 0.46).abs() < 1e-12);
    }

    #[test]
    fn kappa_is_one_for_perfect_agreement_and_negative_below_chance() {
        assert_eq!(counts(3, 0, 0, 7).kappa(), Some(1.0));
        assert!(counts(0, 5, 5, 0).kappa().unwrap() < 0.0);
    }

    #[test]
    fn kappa_is_undefined_without_items_or_without_any_variation() {
        assert_eq!(counts(0, 0, 0, 0).kappa(), None);
        assert_eq!(counts(0, 0, 0, 9).kappa(), None);
        assert_eq!(counts(4, 0, 0, 0).kappa(), None);
    }

    #[test]
    fn precision_and_recall_follow_the_counts() {
        let mut c = Confusion::default();
        for (reference, rater) in [(true, true), (true, false), (false, true), (true, true)] {
            c.add(reference, rater);
        }
        assert_eq!(c, counts(2, 1, 1, 0));
        assert_eq!(c.precision(), Some(2.0 / 3.0));
        assert_eq!(c.recall(), Some(2.0 / 3.0));
        assert_eq!(counts(0, 0, 0, 3).precision(), None);
    }
}
