//! Min-max: `y = (x − min) / (max − min) · (u − l) + l` on the direction-adjusted column.
//!
//! Reference: COINr `n_minmax` (default `l_u = c(0, 100)`); reproduced to 1e-9 in the ASEM tests.
//! COINr returns NaN for a constant column; here it is an error unless the step opts into a
//! fallback.

use super::{FittedNormaliser, IndicatorInfo, NormError, Normaliser};
use crate::{ParamError, ParamReader};

/// Min-max normaliser to `[lower, upper]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinMax {
    /// Score of the worst unit.
    pub lower: f64,
    /// Score of the best unit.
    pub upper: f64,
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Normaliser>, ParamError> {
    let (lower, upper) = r.range("range", (0.0, 100.0))?;
    Ok(Box::new(MinMax { lower, upper }))
}

#[derive(Debug)]
struct Fitted {
    min: f64,
    max: f64,
    lower: f64,
    upper: f64,
}

impl Normaliser for MinMax {
    fn name(&self) -> &'static str {
        "minmax"
    }

    fn fit(&self, x: &[f64], _: &IndicatorInfo<'_>) -> Result<Box<dyn FittedNormaliser>, NormError> {
        let (min, max) = super::min_max(x).ok_or(NormError::Empty)?;
        if min == max {
            return Err(NormError::Constant { value: min });
        }
        Ok(Box::new(Fitted { min, max, lower: self.lower, upper: self.upper }))
    }

    fn midpoint(&self) -> f64 {
        (self.lower + self.upper) / 2.0
    }
}

impl FittedNormaliser for Fitted {
    fn apply(&self, x: &[f64], out: &mut [f64]) {
        let span = self.max - self.min;
        let width = self.upper - self.lower;
        for (o, &v) in out.iter_mut().zip(x) {
            *o = (v - self.min) / span * width + self.lower;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> IndicatorInfo<'static> {
        IndicatorInfo { code: "x", direction: 1.0, target: None, goalposts: None }
    }

    #[test]
    fn hand_computed() {
        let n = MinMax { lower: 0.0, upper: 1.0 };
        let x = [1.0, 2.0, 3.0, 5.0, f64::NAN];
        let mut out = [0.0; 5];
        n.fit(&x, &info()).unwrap().apply(&x, &mut out);
        assert_eq!(&out[..4], &[0.0, 1. / 4., 2. / 4., 1.0]);
        assert!(out[4].is_nan());
    }

    #[test]
    fn constant_indicator() {
        let n = MinMax { lower: 0.0, upper: 100.0 };
        assert_eq!(n.fit(&[2.0, 2.0], &info()).unwrap_err(), NormError::Constant { value: 2.0 });
        assert_eq!(n.fit(&[f64::NAN], &info()).unwrap_err(), NormError::Empty);
        assert_eq!(n.midpoint(), 50.0);
    }
}
