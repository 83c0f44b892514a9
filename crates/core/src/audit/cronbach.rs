//! Cronbach's alpha of every group, over its descendants at every lower level.
//!
//! For `k` columns with covariance matrix `C` (pairwise-complete covariances; the diagonal uses
//! every present value of its column):
//!
//! ```text
//!   α = k² · c̄ / Σᵢⱼ Cᵢⱼ,   c̄ = (Σᵢⱼ Cᵢⱼ − Σᵢ Cᵢᵢ) / (k(k − 1))
//!     = k/(k − 1) · (1 − Σᵢ Cᵢᵢ / Σᵢⱼ Cᵢⱼ)
//! ```
//!
//! (Cronbach 1951, *Psychometrika* 16(3):297–334). This is COINr 1.1.14 `get_cronbach`
//! (`correlations.R`), which uses `cov(X, use = "pairwise.complete.obs")` and skips undefined
//! covariances in both sums (`sum(…, na.rm = TRUE)`); checked against its output in
//! `crates/data/tests/coinr_audit.rs`. α can be negative when the columns covary negatively on
//! balance.
//!
//! The groups: every aggregate `g` of level `L`, and every level `l < L` at which `g` has at least
//! two descendants (in a tree whose branches have different depths some levels hold fewer).

use serde::Serialize;

use super::correlation::{Columns, covariance};
use super::nan_as_null;
use crate::Framework;

/// Cronbach's alpha of one group at one child level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CronbachRow {
    /// The aggregate.
    pub group: String,
    /// Its level.
    pub group_level: u32,
    /// The level of the descendants used.
    pub child_level: u32,
    /// Number of descendants at that level.
    pub k: usize,
    /// Cronbach's alpha; NaN (null) when undefined (e.g. every covariance is missing or zero).
    #[serde(serialize_with = "nan_as_null")]
    pub alpha: f64,
}

/// Cronbach's alpha of the columns (COINr's formula, pairwise-complete covariances); NaN for
/// fewer than two columns.
pub fn cronbach_alpha(cols: &[&[f64]]) -> f64 {
    let k = cols.len();
    if k < 2 {
        return f64::NAN;
    }
    let (mut all, mut diag) = (0.0, 0.0);
    for i in 0..k {
        for j in i..k {
            let (c, _) = covariance(cols[i], cols[j]);
            if c.is_nan() {
                continue;
            }
            if i == j {
                diag += c;
                all += c;
            } else {
                all += 2.0 * c;
            }
        }
    }
    let kf = k as f64;
    let mean_off = (all - diag) / (kf * (kf - 1.0));
    let a = kf * kf * mean_off / all;
    if a.is_finite() { a } else { f64::NAN }
}

/// Descendants of `g` at level `l`, in output order.
fn descendants_at(fw: &Framework, g: usize, l: u32) -> Vec<usize> {
    fw.output_order()
        .into_iter()
        .filter(|&i| {
            if fw.node(i).level != l {
                return false;
            }
            let mut up = fw.node(i).parent_idx;
            while let Some(p) = up {
                if p == g {
                    return true;
                }
                up = fw.node(p).parent_idx;
            }
            false
        })
        .collect()
}

/// Every group × child level, groups in computation order (by level), child levels ascending.
pub(crate) fn rows(fw: &Framework, cols: &Columns) -> Vec<CronbachRow> {
    let mut out = Vec::new();
    for &g in fw.aggregates() {
        let gl = fw.node(g).level;
        for l in 1..gl {
            let members = descendants_at(fw, g, l);
            if members.len() < 2 {
                continue;
            }
            let data: Vec<&[f64]> = members.iter().map(|&i| cols.col(i)).collect();
            out.push(CronbachRow {
                group: fw.node(g).code().to_string(),
                group_level: gl,
                child_level: l,
                k: members.len(),
                alpha: cronbach_alpha(&data),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NodeSpec;

    /// Hand-computed values are exact fractions; allow a few ulps.
    const TOL: f64 = 1e-14;

    #[test]
    fn hand_computed_alpha() {
        // x = (1,2,3), y = (1,3,2): var 1 and 1, cov 0.5 → sum C = 3, trace 2,
        // α = 4 · (1/2) / 3 = 2/3.
        let a = cronbach_alpha(&[&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0]]);
        assert!((a - 2.0 / 3.0).abs() < TOL, "{a}");
        // Identical columns: α = k/(k−1) (1 − k v / (k² v)) = 1.
        let x = [1.0, 4.0, 2.0, 8.0];
        assert!((cronbach_alpha(&[&x, &x, &x]) - 1.0).abs() < TOL);
    }

    #[test]
    fn negative_covariance_gives_negative_alpha() {
        // C = [[1, −1, 1.5], [−1, 1, −1.5], [1.5, −1.5, 7/3]]: ΣC = 7/3, trace 13/3,
        // α = 3/2 · (1 − 13/7) = −9/7.
        let a = cronbach_alpha(&[&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0], &[1.0, 2.0, 4.0]]);
        assert!((a + 9.0 / 7.0).abs() < 1e-13, "{a}");
        // Two perfectly anti-correlated columns: ΣC = 0, α undefined.
        assert!(cronbach_alpha(&[&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]]).is_nan());
    }

    #[test]
    fn pairwise_covariances_and_single_column() {
        assert!(cronbach_alpha(&[&[1.0, 2.0]]).is_nan());
        // Row 3 is missing in y: cov(x, y) uses rows 0..3, var(x) all four rows.
        let x = [1.0, 2.0, 3.0, 10.0];
        let y = [1.0, 3.0, 2.0, f64::NAN];
        let vx = covariance(&x, &x).0;
        let vy = covariance(&y, &y).0;
        let cxy = covariance(&x, &y).0;
        let all = vx + vy + 2.0 * cxy;
        let want = 4.0 * cxy / all; // k² · (2cxy / 2) / all
        assert!((cronbach_alpha(&[&x, &y]) - want).abs() < TOL);
    }

    #[test]
    fn groups_and_levels() {
        let fw = Framework::build(vec![
            NodeSpec::aggregate("I", None),
            NodeSpec::aggregate("A", Some("I")),
            NodeSpec::aggregate("B", Some("I")),
            NodeSpec::indicator("a1", "A"),
            NodeSpec::indicator("a2", "A"),
            NodeSpec::indicator("b1", "B"),
        ])
        .unwrap();
        let data: Vec<Vec<f64>> = (0..fw.nodes().len()).map(|k| vec![1.0, 2.0 + k as f64, 0.5, 4.0]).collect();
        let cols = Columns::new(data.iter().map(|v| v.as_slice()).collect());
        let r = rows(&fw, &cols);
        let got: Vec<(&str, u32, usize)> = r.iter().map(|x| (x.group.as_str(), x.child_level, x.k)).collect();
        // B has one child: no row. I: 3 indicators at level 1, 2 aggregates at level 2.
        assert_eq!(got, [("A", 1, 2), ("I", 1, 3), ("I", 2, 2)]);
    }
}
