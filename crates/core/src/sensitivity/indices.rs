//! Variance-based sensitivity indices from the outputs of a Saltelli design.
//!
//! With `y_A`, `y_B` and `y_ABi` the outputs of the rows of A, B and AB_i (N each) and
//! `V = var(y_A ∪ y_B)`:
//!
//! * first order (Saltelli et al. 2010, the estimator COINr's `SA_estimate` uses):
//!   `S_i = mean(y_B · (y_ABi − y_A)) / V`;
//! * first order (Jansen 1999): `S_i = (V − Σ(y_B − y_ABi)² / 2N) / V`;
//! * total order (Jansen 1999; COINr's and SALib's): `ST_i = Σ(y_A − y_ABi)² / (2N V)`.
//!
//! COINr takes `V` with R's `var` (denominator 2N − 1); SALib's `first_order` / `total_order`
//! use numpy's `var` (denominator 2N). Confidence intervals: COINr's bootstrap, which resamples
//! the N terms of each estimator with replacement (`V` fixed) and takes the 5th and 95th
//! percentiles (R type 7) of the resampled indices.

use super::rng::{STREAM_BOOT, SplitMix64, key};
use super::stats::quantile_sorted;

/// The denominator of the output variance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variance {
    /// `2N − 1` (R's `var`, as COINr).
    Sample,
    /// `2N` (numpy's `var`, as SALib).
    Population,
}

/// Sensitivity indices of one input.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SobolIndex {
    /// First order, Saltelli 2010 (COINr's `Si`).
    pub si: f64,
    /// Total order, Jansen 1999 (COINr's `STi`).
    pub sti: f64,
    /// First order, Jansen 1999.
    pub si_jansen: f64,
    /// Bootstrap 5th percentile of `si` (NaN without bootstrap).
    pub si_q5: f64,
    /// Bootstrap 95th percentile of `si`.
    pub si_q95: f64,
    /// Bootstrap 5th percentile of `sti`.
    pub sti_q5: f64,
    /// Bootstrap 95th percentile of `sti`.
    pub sti_q95: f64,
    /// Bootstrap 5th percentile of `si_jansen`.
    pub si_jansen_q5: f64,
    /// Bootstrap 95th percentile of `si_jansen`.
    pub si_jansen_q95: f64,
}

/// Options of [`sobol_indices`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolOptions {
    /// Denominator of the variance.
    pub variance: Variance,
    /// Bootstrap resamples (0 = none).
    pub bootstrap: usize,
    /// Seed of the resamples.
    pub seed: u64,
}

impl Default for SobolOptions {
    fn default() -> Self {
        SobolOptions { variance: Variance::Sample, bootstrap: 0, seed: 0 }
    }
}

/// Variance of `y_A ∪ y_B` (two-pass).
pub fn output_variance(ya: &[f64], yb: &[f64], variance: Variance) -> f64 {
    let n = (ya.len() + yb.len()) as f64;
    let m = ya.iter().chain(yb).sum::<f64>() / n;
    let ss = ya.iter().chain(yb).map(|v| (v - m) * (v - m)).sum::<f64>();
    match variance {
        Variance::Sample => ss / (n - 1.0),
        Variance::Population => ss / n,
    }
}

/// Sobol indices from the outputs `y` of a Saltelli design in COINr's row order
/// `[A (N); B (N); AB_1 (N); …; AB_d (N)]`. A missing output makes the indices missing, as in COINr.
pub fn sobol_indices(y: &[f64], n: usize, d: usize, opts: &SobolOptions) -> Vec<SobolIndex> {
    assert_eq!(y.len(), n * (d + 2), "y must have N(d + 2) values");
    let (ya, rest) = y.split_at(n);
    let (yb, yab) = rest.split_at(n);
    let v = output_variance(ya, yb, opts.variance);
    let nf = n as f64;
    (0..d)
        .map(|i| {
            let yi = &yab[i * n..(i + 1) * n];
            // The N terms of each estimator.
            let first: Vec<f64> = (0..n).map(|r| yb[r] * (yi[r] - ya[r])).collect();
            let total: Vec<f64> = (0..n).map(|r| ya[r] - yi[r]).collect();
            let jansen: Vec<f64> = (0..n).map(|r| (yb[r] - yi[r]) * (yb[r] - yi[r])).collect();
            let si_of = |s: f64| s / nf / v;
            let sti_of = |ss: f64| ss / (2.0 * nf * v);
            let sj_of = |s: f64| (v - s / (2.0 * nf)) / v;
            let si = si_of(first.iter().sum());
            let sti = sti_of(total.iter().map(|t| t * t).sum());
            let si_jansen = sj_of(jansen.iter().sum());
            let mut out = SobolIndex {
                si,
                sti,
                si_jansen,
                si_q5: f64::NAN,
                si_q95: f64::NAN,
                sti_q5: f64::NAN,
                sti_q95: f64::NAN,
                si_jansen_q5: f64::NAN,
                si_jansen_q95: f64::NAN,
            };
            if opts.bootstrap > 0 {
                let mut bs = [Vec::with_capacity(opts.bootstrap), Vec::new(), Vec::new()];
                for b in 0..opts.bootstrap {
                    // COINr draws a separate resample for each estimator.
                    for (s, bucket) in bs.iter_mut().enumerate() {
                        let mut r = SplitMix64::new(key(opts.seed, STREAM_BOOT, b as u64, (i * 3 + s) as u64));
                        let mut acc = 0.0;
                        for _ in 0..n {
                            let k = r.below(n as u64) as usize;
                            acc += match s {
                                0 => first[k],
                                1 => total[k] * total[k],
                                _ => jansen[k],
                            };
                        }
                        bucket.push(match s {
                            0 => si_of(acc),
                            1 => sti_of(acc),
                            _ => sj_of(acc),
                        });
                    }
                }
                let q = |v: &mut Vec<f64>| {
                    v.retain(|x| !x.is_nan());
                    v.sort_unstable_by(f64::total_cmp);
                    (quantile_sorted(v, 0.05), quantile_sorted(v, 0.95))
                };
                (out.si_q5, out.si_q95) = q(&mut bs[0]);
                (out.sti_q5, out.sti_q95) = q(&mut bs[1]);
                (out.si_jansen_q5, out.si_jansen_q95) = q(&mut bs[2]);
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn additive_model_by_hand() {
        // y = x1 with N = 2: A = (0, 1), B = (1, 0); AB_1 takes x1 from B, AB_2 keeps A's x1.
        // yA = [0, 1], yB = [1, 0], yAB1 = [1, 0], yAB2 = [0, 1]; V = var(0, 1, 1, 0) = 1/3.
        let y = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0];
        let s = sobol_indices(&y, 2, 2, &SobolOptions::default());
        // S1 = mean(yB (yAB1 − yA)) / V = mean(1·1, 0·(−1)) · 3 = 1.5.
        assert!((s[0].si - 1.5).abs() < 1e-15);
        // ST1 = Σ(yA − yAB1)² / (2 N V) = 2 / (4/3) = 1.5; ST2 = 0.
        assert!((s[0].sti - 1.5).abs() < 1e-15);
        assert_eq!(s[1].sti, 0.0);
        // Jansen: S1 = (V − Σ(yB − yAB1)²/2N)/V = 1; S2 = (1/3 − 2/4) · 3 = −0.5.
        assert!((s[0].si_jansen - 1.0).abs() < 1e-15);
        assert!((s[1].si_jansen + 0.5).abs() < 1e-15);
        assert!(s[0].si_q5.is_nan());
    }

    #[test]
    fn bootstrap_is_seeded_and_brackets_the_estimate() {
        let n = 200;
        let d = 2;
        let design = super::super::design::Design::saltelli(n, d, super::super::design::Sampling::Mc, 3).unwrap();
        let y: Vec<f64> = (0..design.rows()).map(|r| design.row(r)[0] + 0.3 * design.row(r)[1]).collect();
        let o = SobolOptions { bootstrap: 200, seed: 9, ..Default::default() };
        let a = sobol_indices(&y, n, d, &o);
        assert_eq!(a, sobol_indices(&y, n, d, &o));
        for s in &a {
            assert!(s.sti_q5 <= s.sti && s.sti <= s.sti_q95, "{s:?}");
            assert!(s.si_q5 < s.si_q95);
        }
    }
}
