//! Coefficient-of-variation weights (变异系数法): a child gets weight in proportion to its
//! relative spread.
//!
//! On the complete rows (`n ≥ 2`; see [`super::complete`]):
//!
//! ```text
//! x̄_j = Σ_i x_ij / n
//! σ_j = sqrt( Σ_i (x_ij − x̄_j)² / (n − 1) )      (as the `std` method)
//! v_j = σ_j / x̄_j
//! w_j = v_j / Σ_k v_k
//! ```
//!
//! The coefficient of variation is meaningful only for values on a ratio scale with a positive
//! mean (raw amounts, or min-max scores whose zero means "worst observed"); a child whose mean is
//! ≤ 0 (z-scores, for instance) is an error. Unlike `std`, the weights do not depend on the unit of
//! each child, but they do depend on its origin. A constant child gets weight 0; a group with one
//! child gets weight 1; every child constant is an error. pymcdm 1.4.0 has no CV method.
//!
//! Reference: no single original source; it is the relative-dispersion variant of the
//! standard-deviation method (Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining
//! objective weights in multiple criteria problems: the CRITIC method. *Computers & Operations
//! Research*, 22(7), 763–770), common in Chinese applied work as 变异系数法.

use super::complete::{data_error, mean, rows_at_least, sd, shares};
use super::{WeightError, WeightInput, Weighter};
use crate::Text;

/// Coefficient-of-variation weights (`method = "cv"`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cv;

impl Cv {
    /// The coefficient of variation `σ_j / x̄_j` of every child on the complete rows.
    pub fn coefficients(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        let cols = rows_at_least("cv", input, 2)?;
        let mut v = Vec::with_capacity(cols.len());
        for (j, c) in cols.iter().enumerate() {
            let m = mean(c);
            if m <= 0.0 {
                let code = input.child_codes.get(j).copied().unwrap_or("?");
                return Err(data_error(
                    "cv",
                    input,
                    Text::new(
                        format!(
                            "child '{code}' has mean {m} ≤ 0, so its coefficient of variation is meaningless \
                             (use min-max normalised or raw positive values)"
                        ),
                        format!("下级 '{code}' 的均值 {m} ≤ 0，变异系数无意义（请使用极差标准化后的值或为正的原始值）"),
                    ),
                ));
            }
            v.push(sd(c) / m);
        }
        Ok(v)
    }
}

impl Weighter for Cv {
    fn name(&self) -> &'static str {
        "cv"
    }

    fn weights(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        if input.children.len() == 1 {
            return Ok(vec![1.0]);
        }
        let v = self.coefficients(input)?;
        shares("cv", input, v, Text::new("every child is constant on the complete rows", "各下级在完整行上均为常数"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::complete::{assert_close, with_example};
    use super::*;

    /// Closed forms, far below any rounding of the formulas.
    const TOL: f64 = 1e-14;

    /// The worked example of docs/methods/cv.md: a = (1,2,3,2), b = (2,2,2,6), c = (4,1,1,2);
    /// means (2, 3, 2), σ = (√(2/3), 2, √2), v = (√(2/3)/2, 2/3, √2/2).
    #[test]
    fn worked_example() {
        let v = [(2.0_f64 / 3.0).sqrt() / 2.0, 2.0 / 3.0, 2.0_f64.sqrt() / 2.0];
        assert_close(&with_example(|i| Cv.coefficients(i)).unwrap(), &v, TOL);
        let t: f64 = v.iter().sum();
        let w = with_example(|i| Cv.weights(i)).unwrap();
        assert_close(&w, &[v[0] / t, v[1] / t, v[2] / t], TOL);
        assert_close(&w, &[0.2290927668, 0.3741069216, 0.3968003117], 1e-10);
    }

    #[test]
    fn unit_of_a_child_does_not_matter() {
        let a: Vec<f64> = super::super::complete::EXAMPLE[0].iter().map(|v| 1000.0 * v).collect();
        let kids: [&[f64]; 3] = [&a, &super::super::complete::EXAMPLE[1], &super::super::complete::EXAMPLE[2]];
        let i = WeightInput { node: "X", child_codes: &["a", "b", "c"], children: &kids, panel: &[], prior: &[1.0; 3] };
        assert_close(&Cv.weights(&i).unwrap(), &with_example(|x| Cv.weights(x)).unwrap(), TOL);
    }

    #[test]
    fn non_positive_mean_is_an_error() {
        let a = [1.0, 2.0, 3.0];
        let z = [-1.0, 0.0, 1.0];
        let kids: [&[f64]; 2] = [&a, &z];
        let i = WeightInput { node: "n", child_codes: &["a", "z"], children: &kids, panel: &[], prior: &[1.0; 2] };
        let e = Cv.weights(&i).unwrap_err();
        assert!(e.to_string().contains("child 'z' has mean 0"), "{e}");
    }

    #[test]
    fn constant_indicator() {
        let a = [1.0, 3.0];
        let k = [2.0, 2.0];
        let kids: [&[f64]; 2] = [&a, &k];
        let i = WeightInput { node: "n", child_codes: &["a", "k"], children: &kids, panel: &[], prior: &[1.0; 2] };
        assert_eq!(Cv.weights(&i).unwrap(), vec![1.0, 0.0]);
    }
}
