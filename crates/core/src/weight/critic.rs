//! CRITIC weights (CRiteria Importance Through Intercriteria Correlation): a child gets more weight
//! when its values vary more (contrast) and when it is less correlated with its siblings
//! (conflict).
//!
//! On the complete rows (`n ≥ 2`; see [`super::complete`]), pymcdm 1.4.0's convention
//! (`critic_weights`): every child is first min-max normalised, then
//!
//! ```text
//! z_ij = (x_ij − min_i x_ij) / (max_i x_ij − min_i x_ij)
//! σ_j  = standard deviation of z_·j (n − 1 in the denominator, numpy ddof = 1)
//! r_jk = Pearson correlation of z_·j and z_·k
//! C_j  = σ_j · Σ_k (1 − r_jk)
//! w_j  = C_j / Σ_k C_k
//! ```
//!
//! Min-max normalisation does not change the correlations, so it only rescales each `σ_j` to the
//! child's range (Diakoulaki et al. normalise the same way). A constant child makes the
//! correlations undefined (pymcdm returns NaN weights): that is an error naming the child. A group
//! with one child gets weight 1; a group whose `C_j` are all 0 (e.g. perfectly correlated children)
//! is an error.
//!
//! Reference: Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective
//! weights in multiple criteria problems: the CRITIC method. *Computers & Operations Research*,
//! 22(7), 763–770. Checked against pymcdm 1.4.0 `critic_weights` to 1e-9
//! (`crates/data/tests/pymcdm_weights.rs`).

use super::complete::{data_error, is_constant, pearson, rows_at_least, sd, shares};
use super::{WeightError, WeightInput, Weighter};
use crate::Text;
use crate::stats;

/// CRITIC weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Critic;

impl Critic {
    /// The min-max normalised complete rows of every child.
    fn normalised(input: &WeightInput<'_>) -> Result<Vec<Vec<f64>>, WeightError> {
        let cols = rows_at_least("critic", input, 2)?;
        let mut z = Vec::with_capacity(cols.len());
        for (j, col) in cols.iter().enumerate() {
            if is_constant(col) {
                let code = input.child_codes.get(j).copied().unwrap_or("?");
                return Err(data_error(
                    "critic",
                    input,
                    Text::new(
                        format!(
                            "child '{code}' is constant ({}) on the complete rows, so its correlations are undefined",
                            col[0]
                        ),
                        format!("下级 '{code}' 在完整行上为常数（{}），相关系数无定义", col[0]),
                    ),
                ));
            }
            let min = col.iter().copied().fold(f64::INFINITY, f64::min);
            let max = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            z.push(col.iter().map(|v| (v - min) / (max - min)).collect());
        }
        Ok(z)
    }

    /// The information content `C_j = σ_j · Σ_k (1 − r_jk)` of every child.
    pub fn information(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        let z = Self::normalised(input)?;
        Ok(z.iter()
            .map(|zj| {
                let conflict = stats::sum(z.iter().map(|zk| 1.0 - pearson(zj, zk)));
                sd(zj) * conflict
            })
            .collect())
    }
}

impl Weighter for Critic {
    fn name(&self) -> &'static str {
        "critic"
    }

    fn weights(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        if input.children.len() == 1 {
            return Ok(vec![1.0]);
        }
        let c = self.information(input)?;
        shares(
            "critic",
            input,
            c,
            Text::new(
                "no child carries information (every C_j = σ_j · Σ(1 − r_jk) is 0)",
                "没有下级携带信息（所有 C_j = σ_j · Σ(1 − r_jk) 均为 0）",
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::complete::{assert_close, with_example};
    use super::*;

    /// Closed forms, far below any rounding of the formulas.
    const TOL: f64 = 1e-14;

    /// The worked example of docs/methods/critic.md: a = (1,2,3,2), b = (2,2,2,6), c = (4,1,1,2).
    /// z_a = (0, ½, 1, ½), z_b = (0, 0, 0, 1), z_c = (1, 0, 0, ⅓); σ = (√(1/6), ½, √2/3);
    /// r_ab = 0, r_bc = 0, r_ac = −√3/2.
    #[test]
    fn worked_example() {
        let r_ac = -(3.0_f64.sqrt()) / 2.0;
        let c_a = (1.0_f64 / 6.0).sqrt() * (1.0 + 1.0 - r_ac);
        let c_b = 0.5 * 2.0;
        let c_c = 2.0_f64.sqrt() / 3.0 * (1.0 - r_ac + 1.0);
        let c = with_example(|i| Critic.information(i)).unwrap();
        assert_close(&c, &[c_a, c_b, c_c], TOL);
        let s = c_a + c_b + c_c;
        let w = with_example(|i| Critic.weights(i)).unwrap();
        assert_close(&w, &[c_a / s, c_b / s, c_c / s], TOL);
        // Printed in the docs (pymcdm: 0.3322960281, 0.2840015693, 0.3837024026).
        assert_close(&w, &[0.3322960281, 0.2840015693, 0.3837024026], 1e-10);
    }

    #[test]
    fn scale_and_origin_do_not_matter() {
        let a: Vec<f64> = super::super::complete::EXAMPLE[0].iter().map(|v| 10.0 * v - 3.0).collect();
        let kids: [&[f64]; 3] = [&a, &super::super::complete::EXAMPLE[1], &super::super::complete::EXAMPLE[2]];
        let i = WeightInput { node: "X", child_codes: &["a", "b", "c"], children: &kids, panel: &[], prior: &[1.0; 3] };
        assert_close(&Critic.weights(&i).unwrap(), &with_example(|x| Critic.weights(x)).unwrap(), 1e-14);
    }

    #[test]
    fn constant_indicator_is_an_error() {
        let a = [1.0, 2.0, 3.0];
        let k = [2.0, 2.0, 2.0];
        let kids: [&[f64]; 2] = [&a, &k];
        let i = WeightInput { node: "n", child_codes: &["a", "k"], children: &kids, panel: &[], prior: &[1.0; 2] };
        let e = Critic.weights(&i).unwrap_err();
        assert!(e.to_string().contains("child 'k' is constant"), "{e}");
    }

    #[test]
    fn perfectly_correlated_children_are_an_error() {
        let a = [1.0, 2.0, 3.0];
        let b = [2.0, 4.0, 6.0];
        let kids: [&[f64]; 2] = [&a, &b];
        let i = WeightInput { node: "n", child_codes: &["a", "b"], children: &kids, panel: &[], prior: &[1.0; 2] };
        assert!(Critic.weights(&i).is_err());
    }

    #[test]
    fn single_child_and_too_few_rows() {
        let a = [1.0, f64::NAN];
        let b = [f64::NAN, 2.0];
        let kids: [&[f64]; 2] = [&a, &b];
        let i = WeightInput { node: "n", child_codes: &["a", "b"], children: &kids, panel: &[], prior: &[1.0; 2] };
        assert!(Critic.weights(&i).unwrap_err().to_string().contains("only 0 complete rows"));
        let kids: [&[f64]; 1] = [&a];
        let i = WeightInput { node: "n", child_codes: &["a"], children: &kids, panel: &[], prior: &[1.0] };
        assert_eq!(Critic.weights(&i).unwrap(), vec![1.0]);
    }
}
