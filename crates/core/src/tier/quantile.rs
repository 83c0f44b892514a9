//! Quantile tiers: `k` bands of (nearly) equal counts. The lower break of band `i` (best first,
//! `i = 1, …, k`) is the quantile `Q(1 − i/k)` of the node's non-missing scores, so the last band
//! starts at `Q(0)`, the lowest score, and every score has a tier.
//!
//! `Q` is R's default, type 7 (Hyndman & Fan 1996; numpy's `linear`): for sorted scores
//! `x_0 ≤ … ≤ x_{n−1}` and `h = (n − 1)·p`,
//!
//! ```text
//!   Q(p) = x_⌊h⌋ + (h − ⌊h⌋)·(x_⌊h⌋+1 − x_⌊h⌋)
//! ```
//!
//! A score equal to a break goes to the better band. Counts are exactly equal only when the
//! breaks fall between scores; ties at a break put all the tied scores in the better band (with
//! many ties a band may even be empty).
//!
//! Reference: R. J. Hyndman & Y. Fan (1996), "Sample quantiles in statistical packages",
//! *The American Statistician* 50(4), 361–365.

/// The type-7 quantile of sorted, finite scores (`0 ≤ p ≤ 1`, at least one score).
pub fn quantile_type7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    if lo + 1 >= n {
        return sorted[n - 1];
    }
    sorted[lo] + (h - lo as f64) * (sorted[lo + 1] - sorted[lo])
}

/// Lower break of every band, best first: `Q(1 − i/k)`, `i = 1, …, k`.
pub(super) fn lower_breaks(sorted: &[f64], k: usize) -> Vec<f64> {
    (1..=k).map(|i| quantile_type7(sorted, (k - i) as f64 / k as f64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R: `quantile(1:10, c(0, 0.25, 0.5, 0.9, 1))` = 1, 3.25, 5.5, 9.1, 10.
    #[test]
    fn type7_matches_r() {
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        let got: Vec<f64> = [0.0, 0.25, 0.5, 0.9, 1.0].iter().map(|&p| quantile_type7(&x, p)).collect();
        let want = [1.0, 3.25, 5.5, 9.1, 10.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
        assert_eq!(quantile_type7(&[4.0], 0.5), 4.0);
    }

    #[test]
    fn quartiles_split_eight_scores_two_by_two() {
        let x: Vec<f64> = (1..=8).map(f64::from).collect();
        let lower = lower_breaks(&x, 4);
        // Q(.75) = 6.25, Q(.5) = 4.5, Q(.25) = 2.75, Q(0) = 1.
        assert_eq!(lower, [6.25, 4.5, 2.75, 1.0]);
        let counts: Vec<usize> =
            (0..4).map(|b| x.iter().filter(|&&s| crate::tier::assign(&lower, s) == Some(b)).count()).collect();
        assert_eq!(counts, [2, 2, 2, 2]);
    }

    #[test]
    fn ties_at_a_break_go_to_the_better_band() {
        // Q(1/2) = 2 is a tied score: both 2s are in the upper band.
        let x = [1.0, 2.0, 2.0, 3.0, 4.0];
        let lower = lower_breaks(&x, 2);
        assert_eq!(lower, [2.0, 1.0]);
        assert_eq!(crate::tier::assign(&lower, 2.0), Some(0));
    }
}
