//! Pearson and Spearman correlations on pairwise-complete observations, and the tables of the
//! audit built from them (each node with its parent, with its higher ancestors, and between
//! siblings; whole-level matrices).
//!
//! For two columns `x`, `y`, only the rows where both are present are used (R
//! `cor(x, y, use = "pairwise.complete.obs")`, which COINr's `get_corr` calls). On those `n` rows:
//!
//! ```text
//!   Pearson   r = Σ (xᵢ − x̄)(yᵢ − ȳ) / √(Σ (xᵢ − x̄)² · Σ (yᵢ − ȳ)²)
//!   Spearman  ρ = Pearson r of the ranks of x and of y among those n rows (ties get the average rank)
//! ```
//!
//! `r` is NaN when `n < 2` or a column is constant on those rows (R returns `NA`). Means are
//! computed in two passes (the mean, then the mean of the deviations added back), as R does, and
//! `r` is clamped to `[−1, 1]`. Reference: R `stats::cor` (`src/library/stats/src/cov.c`);
//! checked against COINr 1.1.14 `get_corr` in `crates/data/tests/coinr_audit.rs`.
//!
//! The p-value of each coefficient is the t-test of [`super::pvalue`]. With the audit parameter
//! `pval > 0`, coefficients whose p-value exceeds `pval` (or cannot be computed, `n < 3`) are
//! replaced by NaN, like COINr's `pval` argument (whose default is 0.05; ours is 0 = no masking).

use serde::Serialize;

use super::flags::{self, Flag};
use super::{ValidAuditParams, nan_as_null, pvalue};
use crate::Framework;

/// Which pairs a correlation relates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// A node and its parent (COINr `withparent = TRUE`).
    Parent,
    /// A node and an ancestor above its parent: grandparent, …, the index. Together with the
    /// `parent` rows these are COINr's `withparent = "family"`.
    Family,
    /// Two children of the same aggregate (COINr `grouplev` / `get_corr_flags`).
    Within,
}

impl Relation {
    /// `parent`, `family` or `within`.
    pub fn code(self) -> &'static str {
        match self {
            Relation::Parent => "parent",
            Relation::Family => "family",
            Relation::Within => "within",
        }
    }
}

/// The correlation coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Pearson's product-moment correlation.
    Pearson,
    /// Spearman's rank correlation (Pearson of average ranks).
    Spearman,
}

impl Method {
    /// Both methods, in output order.
    pub const ALL: [Method; 2] = [Method::Pearson, Method::Spearman];

    /// `pearson` or `spearman`.
    pub fn code(self) -> &'static str {
        match self {
            Method::Pearson => "pearson",
            Method::Spearman => "spearman",
        }
    }
}

/// One correlation of the framework's structure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationPair {
    /// Level of `var1`.
    pub level: u32,
    /// The node (the child, or the first of two siblings).
    pub var1: String,
    /// The parent or ancestor, or the second sibling.
    pub var2: String,
    /// How the two are related.
    pub relation: Relation,
    /// Pearson or Spearman.
    pub method: Method,
    /// The coefficient; NaN (null) when undefined or masked by `pval`.
    #[serde(serialize_with = "nan_as_null")]
    pub r: f64,
    /// Number of pairwise-complete observations.
    pub n: usize,
    /// Two-sided p-value of the t-test of no correlation; NaN when `n < 3`.
    #[serde(serialize_with = "nan_as_null")]
    pub p: f64,
    /// The flag raised by the coefficient, if any.
    pub flag: Option<Flag>,
}

/// A correlation matrix between the nodes of two levels (the same level, or a level and the one
/// above).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrelationMatrix {
    /// Pearson or Spearman.
    pub method: Method,
    /// Level of the rows.
    pub row_level: u32,
    /// Level of the columns.
    pub col_level: u32,
    /// Row codes.
    pub rows: Vec<String>,
    /// Column codes.
    pub cols: Vec<String>,
    /// Coefficients, row by row; NaN (null) when undefined or masked.
    #[serde(serialize_with = "super::nan_as_null_nested")]
    pub r: Vec<Vec<f64>>,
}

/// Average ranks (1 = smallest; ties get the mean of the ranks they span); NaN stays NaN and is
/// not ranked. R `rank(x, ties.method = "average", na.last = "keep")`.
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).filter(|&i| !x[i].is_nan()).collect();
    idx.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
    let mut out = vec![f64::NAN; x.len()];
    let mut k = 0;
    while k < idx.len() {
        let mut e = k + 1;
        // `==` (not total_cmp) so that 0.0 and −0.0 tie.
        while e < idx.len() && x[idx[e]] == x[idx[k]] {
            e += 1;
        }
        let avg = (k + 1 + e) as f64 / 2.0; // mean of ranks k+1 ..= e
        for &i in &idx[k..e] {
            out[i] = avg;
        }
        k = e;
    }
    out
}

/// Pearson correlation on the pairwise-complete rows of `x` and `y`; returns `(r, n)`.
pub fn pearson(x: &[f64], y: &[f64]) -> (f64, usize) {
    let (sxy, sxx, syy, n) = centred_sums(x, y);
    if n < 2 {
        return (f64::NAN, n);
    }
    let d = sxx.sqrt() * syy.sqrt();
    if d == 0.0 || !d.is_finite() {
        return (f64::NAN, n);
    }
    ((sxy / d).clamp(-1.0, 1.0), n)
}

/// Spearman correlation on the pairwise-complete rows of `x` and `y`; returns `(ρ, n)`.
pub fn spearman(x: &[f64], y: &[f64]) -> (f64, usize) {
    let (xs, ys): (Vec<f64>, Vec<f64>) =
        x.iter().zip(y).filter(|(a, b)| !a.is_nan() && !b.is_nan()).map(|(a, b)| (*a, *b)).unzip();
    pearson(&average_ranks(&xs), &average_ranks(&ys))
}

/// Sample covariance (denominator n − 1) on the pairwise-complete rows; returns `(cov, n)`,
/// NaN when `n < 2`. R `cov(x, y, use = "pairwise.complete.obs")`.
pub fn covariance(x: &[f64], y: &[f64]) -> (f64, usize) {
    let (sxy, _, _, n) = centred_sums(x, y);
    if n < 2 { (f64::NAN, n) } else { (sxy / (n - 1) as f64, n) }
}

/// `Σ dx·dy, Σ dx², Σ dy², n` over the pairwise-complete rows, with two-pass means.
fn centred_sums(x: &[f64], y: &[f64]) -> (f64, f64, f64, usize) {
    let ok = |i: &usize| !x[*i].is_nan() && !y[*i].is_nan();
    let rows: Vec<usize> = (0..x.len().min(y.len())).filter(ok).collect();
    let n = rows.len();
    if n == 0 {
        return (0.0, 0.0, 0.0, 0);
    }
    let nf = n as f64;
    let mean = |v: &[f64]| {
        let m = rows.iter().map(|&i| v[i]).sum::<f64>() / nf;
        m + rows.iter().map(|&i| v[i] - m).sum::<f64>() / nf
    };
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &i in &rows {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (sxy, sxx, syy, n)
}

/// The columns of every framework node, with their full-column ranks for fast Spearman.
pub(crate) struct Columns<'a> {
    values: Vec<&'a [f64]>,
    ranks: Vec<Vec<f64>>,
}

impl<'a> Columns<'a> {
    /// Columns by framework position.
    pub fn new(values: Vec<&'a [f64]>) -> Self {
        let ranks = values.iter().map(|c| average_ranks(c)).collect();
        Columns { values, ranks }
    }

    /// The values of node `i`.
    pub fn col(&self, i: usize) -> &'a [f64] {
        self.values[i]
    }

    /// `(r, n)` of nodes `i` and `j`.
    pub fn corr(&self, method: Method, i: usize, j: usize) -> (f64, usize) {
        let (x, y) = (self.values[i], self.values[j]);
        match method {
            Method::Pearson => pearson(x, y),
            Method::Spearman => {
                // When both columns are missing on exactly the same rows, the pairwise-complete
                // rows are each column's own rows and the full-column ranks apply.
                if x.iter().zip(y).all(|(a, b)| a.is_nan() == b.is_nan()) {
                    pearson(&self.ranks[i], &self.ranks[j])
                } else {
                    spearman(x, y)
                }
            }
        }
    }
}

/// Applies the `pval` mask: NaN when `pval > 0` and the p-value exceeds it or is undefined.
fn masked(r: f64, p: f64, pval: f64) -> f64 {
    if pval > 0.0 && (p.is_nan() || p > pval) { f64::NAN } else { r }
}

/// One row of a structural table.
fn pair(
    fw: &Framework,
    cols: &Columns,
    params: &ValidAuditParams,
    method: Method,
    relation: Relation,
    a: usize,
    b: usize,
) -> CorrelationPair {
    let (r, n) = cols.corr(method, a, b);
    let p = pvalue::correlation_p_value(r, n);
    let r = masked(r, p, params.get().pval);
    CorrelationPair {
        level: fw.node(a).level,
        var1: fw.node(a).code().to_string(),
        var2: fw.node(b).code().to_string(),
        relation,
        method,
        r,
        n,
        p,
        flag: flags::flag(relation, r, params),
    }
}

/// Every structural correlation, by method: each non-root node with its parent (nodes in output
/// order: indicators, then aggregates by level), then with each higher ancestor (nearest first),
/// then every pair of siblings (aggregates in computation order, children in declaration order).
pub(crate) fn structural(fw: &Framework, cols: &Columns, params: &ValidAuditParams) -> Vec<CorrelationPair> {
    let mut out = Vec::new();
    let order: Vec<usize> = fw.output_order().into_iter().filter(|&i| i != fw.root()).collect();
    for method in Method::ALL {
        for &i in &order {
            if let Some(p) = fw.node(i).parent_idx {
                out.push(pair(fw, cols, params, method, Relation::Parent, i, p));
            }
        }
        for &i in &order {
            let mut up = fw.node(i).parent_idx.and_then(|p| fw.node(p).parent_idx);
            while let Some(a) = up {
                out.push(pair(fw, cols, params, method, Relation::Family, i, a));
                up = fw.node(a).parent_idx;
            }
        }
        for &g in fw.aggregates() {
            let kids = &fw.node(g).children;
            for (k, &a) in kids.iter().enumerate() {
                for &b in &kids[k + 1..] {
                    out.push(pair(fw, cols, params, method, Relation::Within, a, b));
                }
            }
        }
    }
    out
}

/// Correlation matrices of every level with itself and with the level above, for both methods.
pub(crate) fn matrices(fw: &Framework, cols: &Columns, params: &ValidAuditParams) -> Vec<CorrelationMatrix> {
    let order = fw.output_order();
    let at = |l: u32| -> Vec<usize> { order.iter().copied().filter(|&i| fw.node(i).level == l).collect() };
    let mut out = Vec::new();
    for method in Method::ALL {
        for l in 1..=fw.max_level() {
            let rows = at(l);
            if rows.is_empty() {
                continue;
            }
            for cl in [l, l + 1] {
                let cols_idx = at(cl);
                if cols_idx.is_empty() {
                    continue;
                }
                let mut r = vec![vec![f64::NAN; cols_idx.len()]; rows.len()];
                for (a, &i) in rows.iter().enumerate() {
                    for (b, &j) in cols_idx.iter().enumerate() {
                        if cl == l && b < a {
                            r[a][b] = r[b][a]; // symmetric: computed already
                            continue;
                        }
                        let (v, n) = cols.corr(method, i, j);
                        r[a][b] = masked(v, pvalue::correlation_p_value(v, n), params.get().pval);
                    }
                }
                let codes = |v: &[usize]| v.iter().map(|&i| fw.node(i).code().to_string()).collect();
                out.push(CorrelationMatrix {
                    method,
                    row_level: l,
                    col_level: cl,
                    rows: codes(&rows),
                    cols: codes(&cols_idx),
                    r,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NA: f64 = f64::NAN;
    /// Hand-computed values are exact fractions; allow a few ulps.
    const TOL: f64 = 1e-14;

    #[test]
    fn average_ranks_ties_and_missing() {
        let r = average_ranks(&[10.0, 30.0, 10.0, NA, 20.0, 30.0]);
        let want = [1.5, 4.5, 1.5, NA, 3.0, 4.5];
        for (g, w) in r.iter().zip(want) {
            assert!(g == &w || (g.is_nan() && w.is_nan()), "{r:?}");
        }
        assert_eq!(average_ranks(&[0.0, -0.0]), vec![1.5, 1.5]);
        assert!(average_ranks(&[]).is_empty());
    }

    #[test]
    fn pearson_hand_computed() {
        // x = 1..4, y = (1, 3, 2, 4): Σdxdy = 4, Σdx² = Σdy² = 5 → r = 0.8.
        let (r, n) = pearson(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]);
        assert!((r - 0.8).abs() < TOL && n == 4);
        // Perfect negative, and invariance to affine maps.
        let (r, _) = pearson(&[1.0, 2.0, 3.0], &[30.0, 20.0, 10.0]);
        assert!((r + 1.0).abs() < TOL);
    }

    #[test]
    fn pairwise_complete_rows_only() {
        // Row 2 has a missing y and row 4 a missing x: only rows 0, 1, 3 are used.
        let x = [1.0, 2.0, 100.0, 3.0, NA];
        let y = [2.0, 4.0, NA, 6.0, 7.0];
        let (r, n) = pearson(&x, &y);
        assert!((r - 1.0).abs() < TOL && n == 3);
        let (c, n) = covariance(&x, &y);
        assert!((c - 2.0).abs() < TOL && n == 3); // cov((1,2,3),(2,4,6)) = 2
    }

    #[test]
    fn constant_or_short_columns_are_nan() {
        assert!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).0.is_nan());
        assert!(pearson(&[1.0, NA], &[1.0, 2.0]).0.is_nan());
        assert_eq!(pearson(&[NA, NA], &[1.0, 2.0]).1, 0);
        assert!(covariance(&[1.0], &[1.0]).0.is_nan());
    }

    #[test]
    fn spearman_is_pearson_of_ranks_on_complete_rows() {
        // Monotone but non-linear: ρ = 1, r < 1.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [1.0, 4.0, 9.0, 16.0, 250.0];
        assert!((spearman(&x, &y).0 - 1.0).abs() < TOL);
        assert!(pearson(&x, &y).0 < 0.99);
        // Ties: x = (1, 2, 2, 3), y = (1, 2, 3, 4): ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4):
        // Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5 → ρ = 4.5 / √22.5.
        let (rho, _) = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]);
        assert!((rho - 4.5 / 22.5f64.sqrt()).abs() < TOL);
        // Ranks are taken on the complete rows: the missing y drops the x outlier first.
        let (rho, n) = spearman(&[100.0, 1.0, 2.0, 3.0], &[NA, 3.0, 2.0, 1.0]);
        assert!((rho + 1.0).abs() < TOL && n == 3);
    }

    #[test]
    fn fast_spearman_agrees_with_direct() {
        let a = [3.0, NA, 1.0, 7.0, 7.0, 2.0];
        let b = [1.0, NA, 5.0, 2.0, 4.0, 4.0]; // same missing pattern → precomputed ranks
        let c = [2.0, 9.0, NA, 1.0, 3.0, 3.0]; // different pattern → direct
        let cols = Columns::new(vec![&a, &b, &c]);
        for (i, j, x, y) in [(0, 1, &a, &b), (0, 2, &a, &c), (1, 2, &b, &c)] {
            let (fast, n1) = cols.corr(Method::Spearman, i, j);
            let (direct, n2) = spearman(x, y);
            assert!((fast - direct).abs() < TOL && n1 == n2, "{i},{j}: {fast} vs {direct}");
        }
    }

    #[test]
    fn pval_mask() {
        assert!(masked(0.1, 0.3, 0.05).is_nan());
        assert_eq!(masked(0.1, 0.3, 0.0), 0.1);
        assert_eq!(masked(0.9, 0.01, 0.05), 0.9);
        assert!(masked(1.0, NA, 0.05).is_nan());
    }
}
