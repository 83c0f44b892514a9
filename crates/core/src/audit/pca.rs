//! Principal component analysis of every aggregate's children.
//!
//! For an aggregate with children `x₁ … x_p`, the rows (units) with a missing child are dropped
//! (`na.omit`), each column is centred and scaled to unit variance, and the components are the
//! eigenvectors of the correlation matrix `R` of those rows (R `prcomp(center = TRUE,
//! scale. = TRUE)`, which COINr's `get_PCA` calls):
//!
//! ```text
//!   R = V Λ Vᵀ,   λ₁ ≥ λ₂ ≥ … ≥ 0,   variance of PC k = λ_k,   share explained = λ_k / Σⱼ λⱼ (= λ_k / p)
//!   loadings of PC k = the unit eigenvector v_k (prcomp's `rotation[, k]`)
//! ```
//!
//! The eigen-decomposition is the cyclic Jacobi method of `crate::linalg`. As in `prcomp`, at
//! most `min(n, p)` components are reported for `n` complete rows.
//!
//! **Sign.** An eigenvector's sign is arbitrary: COINr reports whatever sign R's SVD returns (its
//! V8 oracle has all-negative PC1 loadings for some groups). We fix it so that the loading of
//! largest magnitude is positive (the first of them, in child order, when several tie to 1e-12
//! relative). Compare loadings with other software up to the sign of each component.
//!
//! Reference: Jolliffe, *Principal Component Analysis*, 2nd ed. (2002), §2.3 (PCA of the
//! correlation matrix); checked against COINr 1.1.14 `get_PCA` (oracle V8a, V8b) in
//! `crates/data/tests/coinr_audit.rs`.

use serde::Serialize;

use super::correlation::pearson;
use super::nan_as_null_vec;
use crate::Text;
use crate::linalg::symmetric_eigen;

/// A fitted PCA of some columns.
#[derive(Debug, Clone, PartialEq)]
pub struct PcaFit {
    /// Rows used (complete on every column).
    pub n_obs: usize,
    /// Variance of each component (eigenvalues of the correlation matrix), decreasing.
    pub variance: Vec<f64>,
    /// Share of the total variance explained by each component.
    pub prop_var: Vec<f64>,
    /// Loadings of each component (one vector per component, one value per column), sign-fixed.
    pub loadings: Vec<Vec<f64>>,
}

/// Why a PCA could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PcaIssue {
    /// Fewer than two complete rows.
    #[error("only {n} complete row(s); PCA needs at least 2")]
    TooFewRows {
        /// Complete rows.
        n: usize,
    },
    /// A column is constant on the complete rows, so it cannot be scaled to unit variance.
    #[error("column {column} is constant on the complete rows, so it cannot be scaled")]
    Constant {
        /// Position of the column.
        column: usize,
    },
    /// No columns.
    #[error("no columns")]
    Empty,
}

/// PCA of the columns (equal lengths) on their complete rows.
pub fn fit(cols: &[&[f64]]) -> Result<PcaFit, PcaIssue> {
    let p = cols.len();
    if p == 0 {
        return Err(PcaIssue::Empty);
    }
    let n_rows = cols[0].len();
    let rows: Vec<usize> = (0..n_rows).filter(|&i| cols.iter().all(|c| !c[i].is_nan())).collect();
    let n = rows.len();
    if n < 2 {
        return Err(PcaIssue::TooFewRows { n });
    }
    let data: Vec<Vec<f64>> = cols.iter().map(|c| rows.iter().map(|&i| c[i]).collect()).collect();
    for (j, c) in data.iter().enumerate() {
        if c.iter().all(|&v| v == c[0]) {
            return Err(PcaIssue::Constant { column: j });
        }
    }
    let mut r = vec![0.0; p * p];
    for a in 0..p {
        r[a * p + a] = 1.0;
        for b in a + 1..p {
            let (v, _) = pearson(&data[a], &data[b]);
            r[a * p + b] = v;
            r[b * p + a] = v;
        }
    }
    let eig = symmetric_eigen(&r, p);
    let k = n.min(p);
    let variance: Vec<f64> = eig.values[..k].iter().map(|&v| v.max(0.0)).collect();
    let total: f64 = variance.iter().sum();
    let prop_var = variance.iter().map(|v| v / total).collect();
    let loadings = (0..k).map(|c| fix_sign(eig.vector(c))).collect();
    Ok(PcaFit { n_obs: n, variance, prop_var, loadings })
}

/// The vector with the sign that makes its largest-magnitude entry (the first within 1e-12
/// relative of the largest) positive.
fn fix_sign(v: &[f64]) -> Vec<f64> {
    let max = v.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let lead = v.iter().find(|x| x.abs() >= max * (1.0 - 1e-12)).copied().unwrap_or(0.0);
    if lead < 0.0 { v.iter().map(|x| -x).collect() } else { v.to_vec() }
}

/// The PCA of one aggregate's children.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PcaGroup {
    /// The aggregate.
    pub group: String,
    /// Its level.
    pub level: u32,
    /// Its children, in declaration order (the order of `pc1_loadings`).
    pub children: Vec<String>,
    /// Units used (complete on every child).
    pub n_obs: usize,
    /// Units dropped because a child was missing.
    pub n_dropped: usize,
    /// Variance of each component.
    #[serde(serialize_with = "nan_as_null_vec")]
    pub variance: Vec<f64>,
    /// Share of the total variance explained by each component.
    #[serde(serialize_with = "nan_as_null_vec")]
    pub prop_var: Vec<f64>,
    /// Loadings of the first component (sign: largest magnitude positive).
    #[serde(serialize_with = "nan_as_null_vec")]
    pub pc1_loadings: Vec<f64>,
    /// Why the PCA could not be computed, if it could not (the vectors are then empty).
    pub note: Option<Text>,
}

impl PcaGroup {
    /// Share of the variance explained by the first component (NaN when not computed).
    pub fn pc1_share(&self) -> f64 {
        self.prop_var.first().copied().unwrap_or(f64::NAN)
    }
}

/// The bilingual text of an issue, naming the group's children.
pub(crate) fn issue_text(issue: &PcaIssue, children: &[String]) -> Text {
    match issue {
        PcaIssue::TooFewRows { n } => Text::new(
            format!("only {n} unit(s) have every child; PCA needs at least 2"),
            format!("仅 {n} 个单元的全部下级均有数据，PCA 至少需要 2 个"),
        ),
        PcaIssue::Constant { column } => {
            let c = children.get(*column).map_or("?", String::as_str);
            Text::new(
                format!("'{c}' is constant on the complete units, so it cannot be standardised"),
                format!("'{c}' 在数据完整的单元上取值恒定，无法标准化"),
            )
        }
        _ => Text::new("no children", "没有下级节点"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed values; a few ulps.
    const TOL: f64 = 1e-13;

    #[test]
    fn two_columns() {
        // r(x, y) = 0.8 (see correlation tests): eigenvalues 1.8, 0.2; PC1 = (1, 1)/√2.
        let f = fit(&[&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]]).unwrap();
        assert_eq!(f.n_obs, 4);
        assert!((f.variance[0] - 1.8).abs() < TOL && (f.variance[1] - 0.2).abs() < TOL);
        assert!((f.prop_var[0] - 0.9).abs() < TOL);
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!((f.loadings[0][0] - h).abs() < TOL && (f.loadings[0][1] - h).abs() < TOL, "{:?}", f.loadings);
        // PC2 = (1, −1)/√2 up to sign; the first entry ties in magnitude and is made positive.
        assert!((f.loadings[1][0] - h).abs() < TOL && (f.loadings[1][1] + h).abs() < TOL);
    }

    #[test]
    fn sign_fix_makes_the_largest_loading_positive() {
        assert_eq!(fix_sign(&[-0.1, -0.9, 0.3]), vec![0.1, 0.9, -0.3]);
        assert_eq!(fix_sign(&[0.2, -0.1]), vec![0.2, -0.1]);
        // Reversing a column's sign flips its loading relative to the others; magnitudes stay.
        let x = [1.0, 2.0, 3.0, 4.0, 6.0];
        let y = [2.0, 1.0, 4.0, 3.0, 5.0];
        let z = [5.0, 3.0, 4.0, 1.0, 2.0];
        let a = fit(&[&x, &y, &z]).unwrap();
        let zn: Vec<f64> = z.iter().map(|v| -v).collect();
        let b = fit(&[&x, &y, &zn]).unwrap();
        for k in 0..3 {
            assert!((a.variance[k] - b.variance[k]).abs() < TOL);
        }
        let (la, lb) = (&a.loadings[0], &b.loadings[0]);
        assert!((la[0] * la[2] + lb[0] * lb[2]).abs() < TOL);
        assert!(la.iter().zip(lb).all(|(p, q)| (p.abs() - q.abs()).abs() < TOL));
        // The largest loading is positive.
        let big = lb.iter().fold(0.0_f64, |m, v| if v.abs() > m.abs() { *v } else { m });
        assert!(big > 0.0);
    }

    #[test]
    fn drops_incomplete_rows_like_na_omit() {
        let nan = f64::NAN;
        let f = fit(&[&[1.0, 2.0, nan, 3.0, 4.0], &[1.0, 3.0, 9.0, 2.0, 4.0]]).unwrap();
        let g = fit(&[&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]]).unwrap();
        assert_eq!(f.n_obs, 4);
        assert!((f.variance[0] - g.variance[0]).abs() < TOL);
    }

    #[test]
    fn components_capped_at_rows() {
        // 2 rows, 3 columns: prcomp reports min(n, p) = 2 components.
        let f = fit(&[&[1.0, 2.0], &[2.0, 1.0], &[0.0, 5.0]]).unwrap();
        assert_eq!(f.variance.len(), 2);
        assert!((f.variance[0] - 3.0).abs() < TOL && f.variance[1].abs() < TOL);
        assert!((f.prop_var[0] - 1.0).abs() < TOL);
    }

    #[test]
    fn issues() {
        assert_eq!(fit(&[]), Err(PcaIssue::Empty));
        assert_eq!(fit(&[&[1.0, f64::NAN], &[1.0, 2.0]]), Err(PcaIssue::TooFewRows { n: 1 }));
        assert_eq!(fit(&[&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]]), Err(PcaIssue::Constant { column: 1 }));
        let t = issue_text(&PcaIssue::Constant { column: 1 }, &["a".into(), "b".into()]);
        assert!(t.en.contains("'b'") && t.zh.contains("'b'"));
    }

    #[test]
    fn single_column() {
        let f = fit(&[&[1.0, 5.0, 2.0]]).unwrap();
        assert_eq!((f.variance.clone(), f.loadings.clone()), (vec![1.0], vec![vec![1.0]]));
    }
}
