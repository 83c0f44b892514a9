//! Summary statistics as R computes them (COINr calls `mean`, `stats::median` and
//! `stats::quantile(type = 7)` with `na.rm = TRUE`).

/// Mean of the non-missing values (NaN when none).
pub fn mean(x: &[f64]) -> f64 {
    let (s, n) = x.iter().filter(|v| !v.is_nan()).fold((0.0, 0usize), |(s, n), &v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { s / n as f64 }
}

/// Quantile of the non-missing values of an ascending-sorted slice, R type 7:
/// `h = 1 + (n − 1)p`, `(1 − (h − ⌊h⌋)) x[⌊h⌋] + (h − ⌊h⌋) x[⌈h⌉]` (1-based), in R's own form.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let index = 1.0 + (n - 1) as f64 * p;
    let lo = index.floor();
    let hi = index.ceil();
    let (xl, xh) = (sorted[lo as usize - 1], sorted[hi as usize - 1]);
    if index > lo && xh != xl {
        let h = index - lo;
        (1.0 - h) * xl + h * xh
    } else {
        xl
    }
}

/// Median of an ascending-sorted slice (mean of the two middle values when n is even).
pub fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Mean, median, 5th and 95th percentiles of the non-missing values; `buf` is scratch.
pub fn summary(x: impl Iterator<Item = f64>, buf: &mut Vec<f64>) -> Summary {
    buf.clear();
    buf.extend(x.filter(|v| !v.is_nan()));
    let m = mean(buf);
    buf.sort_unstable_by(f64::total_cmp);
    Summary { mean: m, median: median_sorted(buf), q5: quantile_sorted(buf, 0.05), q95: quantile_sorted(buf, 0.95) }
}

/// Distribution summary of one unit's ranks or scores.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub median: f64,
    /// 5th percentile (R type 7).
    pub q5: f64,
    /// 95th percentile (R type 7).
    pub q95: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_type_7() {
        // R: quantile(1:10, c(.05, .95)) = 1.45, 9.55; median(c(1, 2, 4, 10)) = 3.
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        assert!((quantile_sorted(&x, 0.05) - 1.45).abs() < 1e-12);
        assert!((quantile_sorted(&x, 0.95) - 9.55).abs() < 1e-12);
        assert_eq!(median_sorted(&[1.0, 2.0, 4.0, 10.0]), 3.0);
        assert_eq!(median_sorted(&[3.0]), 3.0);
        let mut buf = Vec::new();
        let s = summary([f64::NAN, 2.0, 1.0].into_iter(), &mut buf);
        assert_eq!((s.mean, s.median, s.q5, s.q95), (1.5, 1.5, 1.05, 1.95));
        assert!(summary(std::iter::empty(), &mut buf).mean.is_nan());
    }
}
