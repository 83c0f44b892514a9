//! Rank: `y = rank(x)` on the direction-adjusted column, ties get the lowest rank of the tie
//! (R `rank(x, ties.method = "min", na.last = "keep")`), so 1 is the worst unit.
//!
//! Reference: COINr `n_rank`. As in COINr the ranks run from 1 to the number of non-missing
//! values and are not rescaled. A constant column is not an error (every unit gets rank 1).

use super::{FittedNormaliser, IndicatorInfo, NormError, Normaliser};
use crate::{ParamError, ParamReader};

/// Rank normaliser.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rank;

pub(super) fn build(_: &ParamReader<'_>) -> Result<Box<dyn Normaliser>, ParamError> {
    Ok(Box::new(Rank))
}

#[derive(Debug)]
struct Fitted {
    sorted: Vec<f64>,
}

impl Normaliser for Rank {
    fn name(&self) -> &'static str {
        "rank"
    }

    fn fit(&self, x: &[f64], _: &IndicatorInfo<'_>) -> Result<Box<dyn FittedNormaliser>, NormError> {
        let mut sorted: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
        if sorted.is_empty() {
            return Err(NormError::Empty);
        }
        sorted.sort_by(f64::total_cmp);
        Ok(Box::new(Fitted { sorted }))
    }

    fn midpoint(&self) -> f64 {
        1.0
    }
}

impl FittedNormaliser for Fitted {
    /// `1 + #{fitted values < x}`: the "min" tie rule, and on the fitted column exactly R's rank.
    fn apply(&self, x: &[f64], out: &mut [f64]) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = if v.is_nan() { f64::NAN } else { (1 + self.sorted.partition_point(|&s| s < v)) as f64 };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_take_the_minimum_rank() {
        let x = [3.0, 1.0, 3.0, f64::NAN, 2.0];
        let info = IndicatorInfo { code: "x", direction: 1.0, target: None, goalposts: None };
        let mut out = [0.0; 5];
        Rank.fit(&x, &info).unwrap().apply(&x, &mut out);
        assert_eq!(out[0], 3.0);
        assert_eq!(out[1], 1.0);
        assert_eq!(out[2], 3.0);
        assert!(out[3].is_nan());
        assert_eq!(out[4], 2.0);
    }
}
