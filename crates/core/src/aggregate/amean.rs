//! Weighted arithmetic mean: `y = Σ wᵢxᵢ` with `w` re-scaled to sum to 1 over the non-missing
//! children. Reference: COINr `a_amean` (drops NA with its weight, `w <- w/sum(w)`, `sum(w*x)`).

use super::{AggError, AggInput, Aggregator};

/// Weighted arithmetic mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArithmeticMean;

impl Aggregator for ArithmeticMean {
    fn name(&self) -> &'static str {
        "amean"
    }

    fn aggregate(&self, input: &AggInput<'_>, out: &mut [f64]) -> Result<(), AggError> {
        for (i, o) in out.iter_mut().enumerate() {
            let mut wsum = 0.0;
            for (col, &w) in input.children.iter().zip(input.weights) {
                if !col[i].is_nan() {
                    wsum += w;
                }
            }
            let mut acc = 0.0;
            let mut any = false;
            for (col, &w) in input.children.iter().zip(input.weights) {
                let x = col[i];
                if !x.is_nan() {
                    acc += w / wsum * x;
                    any = true;
                }
            }
            *o = if any { acc } else { f64::NAN };
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::run;
    use super::*;

    #[test]
    fn missing_child_weight_shared_pro_rata() {
        let out =
            run(&ArithmeticMean, &[&[10.0, 20.0, 40.0], &[10.0, f64::NAN, 40.0], &[f64::NAN; 3]], &[1.0, 1.0, 2.0])
                .unwrap();
        assert_eq!(out[0], 10.0 / 4.0 + 20.0 / 4.0 + 40.0 / 2.0);
        assert!((out[1] - (10.0 / 3.0 + 80.0 / 3.0)).abs() < 1e-12);
        assert!(out[2].is_nan());
    }
}
