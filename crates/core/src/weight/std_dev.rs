//! Standard-deviation weights: a child gets weight in proportion to the spread of its values.
//!
//! On the complete rows (`n ≥ 2`; see [`super::complete`]), as pymcdm 1.4.0's
//! `standard_deviation_weights` (no normalisation inside the method: the values the step sees,
//! typically already normalised, are used as they are):
//!
//! ```text
//! σ_j = sqrt( Σ_i (x_ij − x̄_j)² / (n − 1) )      (numpy ddof = 1)
//! w_j = σ_j / Σ_k σ_k
//! ```
//!
//! The weights depend on the children's units: use them on normalised values. A constant child
//! gets weight 0; a group with one child gets weight 1; every child constant is an error.
//!
//! Reference: Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective
//! weights in multiple criteria problems: the CRITIC method. *Computers & Operations Research*,
//! 22(7), 763–770 (the standard-deviation method is the contrast term of CRITIC without the
//! correlations). Checked against pymcdm 1.4.0 `standard_deviation_weights` to 1e-9
//! (`crates/data/tests/pymcdm_weights.rs`).

use super::complete::{rows_at_least, sd, shares};
use super::{WeightError, WeightInput, Weighter};
use crate::Text;

/// Standard-deviation weights (`method = "std"`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StdDev;

impl Weighter for StdDev {
    fn name(&self) -> &'static str {
        "std"
    }

    fn weights(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        if input.children.len() == 1 {
            return Ok(vec![1.0]);
        }
        let cols = rows_at_least("std", input, 2)?;
        let s: Vec<f64> = cols.iter().map(|c| sd(c)).collect();
        shares("std", input, s, Text::new("every child is constant on the complete rows", "各下级在完整行上均为常数"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::complete::{assert_close, with_example};
    use super::*;

    /// Closed forms, far below any rounding of the formulas.
    const TOL: f64 = 1e-14;

    /// The worked example of docs/methods/std.md: a = (1,2,3,2), b = (2,2,2,6), c = (4,1,1,2);
    /// σ = (√(2/3), 2, √2).
    #[test]
    fn worked_example() {
        let s = [(2.0_f64 / 3.0).sqrt(), 2.0, 2.0_f64.sqrt()];
        let t: f64 = s.iter().sum();
        let w = with_example(|i| StdDev.weights(i)).unwrap();
        assert_close(&w, &[s[0] / t, s[1] / t, s[2] / t], TOL);
        // Printed in the docs (pymcdm: 0.1929927963, 0.472733875, 0.3342733287).
        assert_close(&w, &[0.1929927963, 0.4727338750, 0.3342733287], 1e-10);
    }

    #[test]
    fn constant_indicator() {
        let a = [1.0, 3.0];
        let k = [2.0, 2.0];
        let kids: [&[f64]; 2] = [&a, &k];
        let i = WeightInput { node: "n", child_codes: &["a", "k"], children: &kids, panel: &[], prior: &[1.0; 2] };
        assert_eq!(StdDev.weights(&i).unwrap(), vec![1.0, 0.0]);
        let kids: [&[f64]; 2] = [&k, &k];
        let i = WeightInput { node: "n", child_codes: &["k", "l"], children: &kids, panel: &[], prior: &[1.0; 2] };
        assert!(StdDev.weights(&i).unwrap_err().to_string().contains("every child is constant"));
    }

    #[test]
    fn single_unit() {
        let a = [1.0];
        let kids: [&[f64]; 2] = [&a, &a];
        let i = WeightInput { node: "n", child_codes: &["a", "b"], children: &kids, panel: &[], prior: &[1.0; 2] };
        assert!(StdDev.weights(&i).is_err());
    }
}
