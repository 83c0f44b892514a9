//! Small numeric helpers shared by [`crate::impute`] and [`crate::treat`]: sums, means, medians,
//! skewness and kurtosis over the non-missing (non-NaN) values of a column.
//!
//! They follow R's definitions (COINr calls R's `mean`, `stats::median` and its own `skew` /
//! `kurt`, which copy `e1071::skewness` / `e1071::kurtosis` with `type = 2`). R sums in long double;
//! here sums are compensated (Neumaier), which keeps the difference to R at the level of the last
//! bit, far below the 1e-9 tolerance of the reference tests.

/// Compensated (Neumaier) sum of the values given.
pub(crate) fn sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0_f64, 0.0_f64);
    for v in values {
        let t = s + v;
        c += if s.abs() >= v.abs() { (s - t) + v } else { (v - t) + s };
        s = t;
    }
    s + c
}

/// The non-missing values of `x`, in order.
pub(crate) fn present(x: &[f64]) -> Vec<f64> {
    x.iter().copied().filter(|v| !v.is_nan()).collect()
}

/// Arithmetic mean of the non-missing values (R `mean(x, na.rm = TRUE)`, including its second
/// refining pass); `None` when every value is missing.
pub(crate) fn mean(x: &[f64]) -> Option<f64> {
    let n = x.iter().filter(|v| !v.is_nan()).count();
    if n == 0 {
        return None;
    }
    Some(mean_of(x.iter().copied().filter(|v| !v.is_nan()), n))
}

/// The mean of `n` values (R's two passes), without collecting them.
fn mean_of<I: Iterator<Item = f64> + Clone>(v: I, n: usize) -> f64 {
    let nf = n as f64;
    let m = sum(v.clone()) / nf;
    if !m.is_finite() {
        return m;
    }
    m + sum(v.map(|x| x - m)) / nf
}

/// Median of the non-missing values (R `stats::median(x, na.rm = TRUE)`: the middle value, or
/// the mean of the two middle values); `None` when every value is missing.
pub(crate) fn median(x: &[f64]) -> Option<f64> {
    let mut v = present(x);
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// Skewness G1 and kurtosis G2 of the non-missing values in one pass over the data
/// (`None` where there are too few values; see [`skew`] and [`kurt`]).
pub(crate) fn skew_kurt(x: &[f64]) -> (Option<f64>, Option<f64>) {
    let vals = || x.iter().copied().filter(|v| !v.is_nan());
    let n = vals().count();
    if n < 3 {
        return (None, None);
    }
    let m = mean_of(vals(), n);
    // Σd², Σd³, Σd⁴ in one pass, each with its own Neumaier compensation.
    let (mut s, mut c) = ([0.0_f64; 3], [0.0_f64; 3]);
    for v in vals() {
        let d = v - m;
        let d2 = d * d;
        for (k, t) in [d2, d2 * d, d2 * d2].into_iter().enumerate() {
            let u = s[k] + t;
            c[k] += if s[k].abs() >= t.abs() { (s[k] - u) + t } else { (t - u) + s[k] };
            s[k] = u;
        }
    }
    let (s2, s3, s4) = (s[0] + c[0], s[1] + c[1], s[2] + c[2]);
    let nf = n as f64;
    let g1 = nf.sqrt() * s3 / s2.powf(1.5);
    let skew = Some(g1 * (nf * (nf - 1.0)).sqrt() / (nf - 2.0));
    if n < 4 {
        return (skew, None);
    }
    let r = nf * s4 / (s2 * s2);
    (skew, Some(((nf + 1.0) * (r - 3.0) + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0))))
}

/// Adjusted Fisher–Pearson skewness G1 of the non-missing values (COINr `skew`, e1071 type 2,
/// Excel `SKEW`): `g1 = √n Σd³ / (Σd²)^1.5`, `G1 = g1 √(n(n−1)) / (n−2)` with `d = x − mean`.
/// `None` with fewer than 3 values (COINr stops there); NaN for a constant column.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn skew(x: &[f64]) -> Option<f64> {
    skew_kurt(x).0
}

/// Sample excess kurtosis G2 of the non-missing values (COINr `kurt`, e1071 type 2, Excel `KURT`):
/// `r = n Σd⁴ / (Σd²)²`, `G2 = ((n+1)(r−3) + 6)(n−1) / ((n−2)(n−3))`. `None` with fewer than 4
/// values (COINr stops there); NaN for a constant column.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn kurt(x: &[f64]) -> Option<f64> {
    skew_kurt(x).1
}

#[cfg(test)]
mod tests {
    use super::*;

    const NA: f64 = f64::NAN;

    #[test]
    fn mean_and_median_skip_missing() {
        assert_eq!(mean(&[1.0, NA, 2.0, 6.0]), Some(3.0));
        assert_eq!(median(&[5.0, NA, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, NA, 3.0, 2.0]), Some(2.5));
        assert_eq!(mean(&[NA]), None);
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn compensated_sum() {
        assert_eq!(sum([1e16, 1.0, -1e16]), 1.0);
    }

    /// Hand-computed: for {0, 0, 0, 1}, mean 1/4, Σd² = 3/4, Σd³ = 3/8, Σd⁴ = 21/64, so
    /// G1 = 2·(3/8)/(3/4)^1.5 · √12/2 = 2 and r = 7/3, G2 = (5·(−2/3) + 6)·3/2 = 4
    /// (Excel `SKEW` and `KURT` give 2 and 4).
    #[test]
    fn skew_and_kurt_hand_computed() {
        let x = [0.0, NA, 0.0, 0.0, 1.0];
        assert!((skew(&x).unwrap() - 2.0).abs() < 1e-14);
        assert!((kurt(&x).unwrap() - 4.0).abs() < 1e-14);
        let neg = [0.0, 0.0, 0.0, -1.0];
        assert!((skew(&neg).unwrap() + 2.0).abs() < 1e-14, "mirrored data, mirrored skew");
    }

    #[test]
    fn too_few_values_and_constant_column() {
        assert_eq!(skew(&[1.0, 2.0, NA]), None);
        assert_eq!(kurt(&[1.0, 2.0, 3.0]), None);
        assert!(skew(&[2.0; 5]).unwrap().is_nan());
        assert!(kurt(&[2.0; 5]).unwrap().is_nan());
        // symmetric data: no skew
        assert!(skew(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap().abs() < 1e-15);
    }
}
