//! `pca`: COINr-compatible PCA weights — the raw loadings of the first principal component of each
//! group (COINr `get_PCA`, whose weights COINr's vignette then re-aggregates with).
//!
//! For an aggregate with children `x₁ … x_k`, the units with a missing child are dropped (R
//! `na.omit`), the columns are standardised, and PC1 is the unit eigenvector `v₁` of their
//! correlation matrix `R` (R `prcomp(center = TRUE, scale. = TRUE)`):
//!
//! ```text
//!   R v₁ = λ₁ v₁,  λ₁ the largest eigenvalue,  ‖v₁‖ = 1        wᵢ = v₁ᵢ   (no abs, no square)
//! ```
//!
//! The eigenvector is the cyclic Jacobi solver's (`crate::linalg`), through the audit's PCA
//! ([`crate::audit::pca::fit`]), so the weights are exactly the PC1 loadings `baydex audit` prints.
//!
//! **Sign.** An eigenvector's sign is arbitrary. COINr keeps whatever sign R's SVD returns (often
//! all negative); baydex uses the audit's convention (the loading of largest magnitude positive).
//! A flip of a whole group's sign changes nothing: the arithmetic mean divides by `Σ w` within the
//! group, and `(−w)/(−Σw) = w/Σw` bit for bit. The loadings can have **mixed signs** (COINr's
//! ASEM example: Sust = +0.55 Environ − 0.61 Social + 0.57 SusEcFin): a child with a negative
//! weight then lowers its parent as it improves, and scores can leave the children's range (V8a:
//! Sust reaches 166 for Myanmar on a 0–100 scale). The `weight` step warns about every group with
//! weights of mixed sign. When the loadings nearly cancel (`|Σw| < 10⁻⁸ Σ|w|`) the mean is
//! undefined and the method refuses the group.
//!
//! With `pool = true` the rows of every period are stacked before the PCA.
//!
//! This is the COINr-compatible variant; `pca_oecd` (`pca_oecd.rs`) is the OECD/JRC Handbook's
//! procedure (rotated factors, squared loadings).
//!
//! Reference: COINr 1.1.14 `get_PCA` (`R/PCA.R`), reproduced in `crates/data/tests/coinr_weights.rs`
//! (oracle variants V8a, V8b: weights, scores and ranks); Jolliffe, *Principal Component Analysis*,
//! 2nd ed. (2002), §2.3.

use super::{WeightError, WeightInput, Weighter};
use crate::Text;
use crate::audit::pca::{self, PcaIssue};

/// COINr-compatible PCA weights (raw PC1 loadings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pca;

/// `|Σ w|` below this fraction of `Σ |w|` leaves the weighted mean undefined.
const CANCELLING: f64 = 1e-8;

/// The group's columns: this period's, or every period's stacked (`pool = true`).
pub(super) fn pooled_columns(input: &WeightInput<'_>) -> Vec<Vec<f64>> {
    if input.panel.is_empty() {
        return input.children.iter().map(|c| c.to_vec()).collect();
    }
    (0..input.children.len()).map(|j| input.panel.iter().flat_map(|p| p[j].iter().copied()).collect()).collect()
}

/// The reason of a PCA issue, naming the child.
pub(super) fn issue_reason(issue: &PcaIssue, input: &WeightInput<'_>) -> Text {
    let names: Vec<String> = input.child_codes.iter().map(|c| c.to_string()).collect();
    let t = pca::issue_text(issue, &names);
    Text::new(
        format!("{} (PCA needs at least 2 units with every child, and no constant child)", t.en),
        format!("{}（PCA 至少需要 2 个全部下级均有数据的单元，且下级不能为常数）", t.zh),
    )
}

impl Weighter for Pca {
    fn name(&self) -> &'static str {
        "pca"
    }

    fn weights(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        let cols = pooled_columns(input);
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let fit = pca::fit(&refs).map_err(|issue| WeightError::Data {
            method: "pca",
            node: input.node.to_string(),
            reason: issue_reason(&issue, input),
        })?;
        let w = fit.loadings[0].clone();
        let sum: f64 = w.iter().sum();
        let abs: f64 = w.iter().map(|x| x.abs()).sum();
        if sum.is_nan() || sum.abs() < CANCELLING * abs {
            return Err(WeightError::Data {
                method: "pca",
                node: input.node.to_string(),
                reason: {
                    let loadings =
                        input.child_codes.iter().zip(&w).map(|(c, x)| format!("{c} {x:.3}")).collect::<Vec<_>>();
                    Text::new(
                        format!(
                            "the PC1 loadings ({}) sum to {sum:e}, so their weighted mean is undefined; use another method for this group",
                            loadings.join(", ")
                        ),
                        format!(
                            "第一主成分载荷（{}）之和为 {sum:e}，其加权平均无定义；请为该组改用其他方法",
                            loadings.join("，")
                        ),
                    )
                },
            });
        }
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed values; a few ulps.
    const TOL: f64 = 1e-13;

    fn input<'a>(codes: &'a [&'a str], kids: &'a [&'a [f64]]) -> WeightInput<'a> {
        WeightInput { node: "G", child_codes: codes, children: kids, panel: &[], prior: &[1.0, 1.0, 1.0] }
    }

    #[test]
    fn two_children_get_equal_loadings() {
        // r = 0.8 → PC1 = (1, 1)/√2 whatever the data's scale.
        let kids: [&[f64]; 2] = [&[1.0, 2.0, 3.0, 4.0], &[10.0, 30.0, 20.0, 40.0]];
        let w = Pca.weights(&input(&["a", "b"], &kids)).unwrap();
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!((w[0] - h).abs() < TOL && (w[1] - h).abs() < TOL, "{w:?}");
    }

    #[test]
    fn negatively_correlated_child_gets_a_negative_weight() {
        // r(a, b) = −0.8: PC1 = (1, −1)/√2 up to sign; mixed signs are kept, not made absolute.
        let kids: [&[f64]; 2] = [&[1.0, 2.0, 3.0, 4.0], &[4.0, 2.0, 3.0, 1.0]];
        let w = Pca.weights(&input(&["a", "b"], &kids));
        // The two loadings cancel exactly: the weighted mean is undefined and the group is refused.
        assert!(matches!(w, Err(WeightError::Data { ref reason, .. }) if reason.en.contains("undefined")), "{w:?}");
        let kids: [&[f64]; 3] = [&[1.0, 2.0, 3.0, 4.0, 6.0], &[2.0, 1.0, 4.0, 3.0, 5.0], &[5.0, 3.0, 4.0, 1.0, 2.0]];
        let w = Pca.weights(&input(&["x", "y", "z"], &kids)).unwrap();
        assert!(w[0] > 0.0 && w[1] > 0.0 && w[2] < 0.0, "{w:?}");
        assert!((w.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < TOL);
    }

    #[test]
    fn constant_child_and_too_few_rows_are_errors() {
        let kids: [&[f64]; 2] = [&[1.0, 2.0, 3.0], &[5.0, 5.0, 5.0]];
        let e = Pca.weights(&input(&["a", "b"], &kids)).unwrap_err();
        assert!(e.to_string().contains("'b'"), "{e}");
        let nan = f64::NAN;
        let kids: [&[f64]; 2] = [&[1.0, nan, 3.0], &[nan, 2.0, 5.0]];
        assert!(Pca.weights(&input(&["a", "b"], &kids)).is_err());
    }

    #[test]
    fn pooled_rows_are_stacked() {
        let (a1, b1) = ([1.0, 2.0], [1.0, 3.0]);
        let (a2, b2) = ([3.0, 4.0], [2.0, 4.0]);
        let panel = vec![vec![&a1[..], &b1[..]], vec![&a2[..], &b2[..]]];
        let kids: [&[f64]; 2] = [&a1, &b1];
        let i = WeightInput { node: "G", child_codes: &["a", "b"], children: &kids, panel: &panel, prior: &[1.0, 1.0] };
        assert_eq!(pooled_columns(&i), vec![vec![1.0, 2.0, 3.0, 4.0], vec![1.0, 3.0, 2.0, 4.0]]);
        let w = Pca.weights(&i).unwrap();
        assert!((w[0] - w[1]).abs() < TOL);
    }
}
