//! Weighted harmonic mean: `y = Σ wᵢ / Σ (wᵢ / xᵢ)` over the non-missing children.
//!
//! Reference: COINr `a_hmean`. COINr stops only on exact zeros and lets negative values through
//! (giving meaningless means); baydex rejects every value ≤ 0, with an error that suggests a
//! range such as [1, 100]. On positive data the results are identical (oracle V9 uses [1, 100]).

use super::{AggError, AggInput, Aggregator, check_positive};

/// Weighted harmonic mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HarmonicMean;

impl Aggregator for HarmonicMean {
    fn name(&self) -> &'static str {
        "hmean"
    }

    fn aggregate(&self, input: &AggInput<'_>, out: &mut [f64]) -> Result<(), AggError> {
        check_positive("hmean", input)?;
        for (i, o) in out.iter_mut().enumerate() {
            let (mut num, mut den, mut any) = (0.0, 0.0, false);
            for (col, &w) in input.children.iter().zip(input.weights) {
                let x = col[i];
                if !x.is_nan() {
                    num += w;
                    den += w / x;
                    any = true;
                }
            }
            *o = if any { num / den } else { f64::NAN };
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
        let out = run(&HarmonicMean, &[&[1.0, 4.0], &[f64::NAN, 3.0]], &[1.0, 3.0]).unwrap();
        // 4 / (1/1 + 3/4) = 16/7
        assert!((out[0] - 16.0 / 7.0).abs() < 1e-12);
        assert_eq!(out[1], 3.0);
        assert!(run(&HarmonicMean, &[&[-1.0, 4.0]], &[1.0, 1.0]).is_err());
    }
}
