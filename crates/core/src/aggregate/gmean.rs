//! Weighted geometric mean: `y = exp(Σ wᵢ ln xᵢ / Σ wᵢ)` over the non-missing children.
//!
//! Reference: COINr `a_gmean`, which stops on any value ≤ 0; so do we, with an error that names
//! the unit and child and suggests normalising to a range such as [1, 100].

use super::{AggError, AggInput, Aggregator, check_positive};

/// Weighted geometric mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeometricMean;

impl Aggregator for GeometricMean {
    fn name(&self) -> &'static str {
        "gmean"
    }

    fn aggregate(&self, input: &AggInput<'_>, out: &mut [f64]) -> Result<(), AggError> {
        check_positive("gmean", input)?;
        for (i, o) in out.iter_mut().enumerate() {
            let (mut num, mut den, mut any) = (0.0, 0.0, false);
            for (col, &w) in input.children.iter().zip(input.weights) {
                let x = col[i];
                if !x.is_nan() {
                    num += w * x.ln();
                    den += w;
                    any = true;
                }
            }
            *o = if any { (num / den).exp() } else { f64::NAN };
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::run;
    use super::*;

    #[test]
    fn hand_computed_and_errors() {
        let out = run(&GeometricMean, &[&[1.0, 100.0], &[4.0, f64::NAN], &[f64::NAN, f64::NAN]], &[1.0, 1.0]).unwrap();
        assert!((out[0] - 10.0).abs() < 1e-12);
        assert!((out[1] - 4.0).abs() < 1e-12);
        assert!(out[2].is_nan());
        let e = run(&GeometricMean, &[&[1.0, 0.0]], &[1.0, 1.0]).unwrap_err();
        assert!(matches!(e, AggError::NonPositive { value: 0.0, .. }));
    }
}
