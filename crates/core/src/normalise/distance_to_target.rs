//! Distance to target: `y = (x − min) / (targ − min)`, capped at 1, on the direction-adjusted
//! column with the target multiplied by the direction.
//!
//! In natural units: direction +1 gives `(x − min)/(targ − min)`, direction −1 gives
//! `(max − x)/(max − targ)`. No lower cap. Reference: COINr `n_dist2targ(cap_max = TRUE)`, which
//! receives `Target · Direction`. The target comes from each indicator's `target` in the framework.

use super::{FittedNormaliser, IndicatorInfo, NormError, Normaliser};
use crate::{ParamError, ParamReader};

/// Distance-to-target normaliser.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DistToTarget {
    /// Cap scores at 1.
    pub cap: bool,
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Normaliser>, ParamError> {
    Ok(Box::new(DistToTarget { cap: r.bool("cap", true)? }))
}

#[derive(Debug)]
struct Fitted {
    min: f64,
    target: f64,
    cap: bool,
}

impl Normaliser for DistToTarget {
    fn name(&self) -> &'static str {
        "dist2targ"
    }

    fn fit(&self, x: &[f64], ind: &IndicatorInfo<'_>) -> Result<Box<dyn FittedNormaliser>, NormError> {
        let target = ind.target.ok_or(NormError::MissingParam { field: "target" })?;
        let (min, _) = super::min_max(x).ok_or(NormError::Empty)?;
        let t = target * ind.direction;
        if t == min {
            return Err(NormError::DegenerateTarget { target });
        }
        Ok(Box::new(Fitted { min, target: t, cap: self.cap }))
    }

    fn midpoint(&self) -> f64 {
        0.5
    }
}

impl FittedNormaliser for Fitted {
    fn apply(&self, x: &[f64], out: &mut [f64]) {
        for (o, &v) in out.iter_mut().zip(x) {
            let y = (v - self.min) / (self.target - self.min);
            *o = if self.cap && y > 1.0 { 1.0 } else { y };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions() {
        let n = DistToTarget { cap: true };
        let info = IndicatorInfo { code: "x", direction: 1.0, target: Some(4.0), goalposts: None };
        let x = [0.0, 2.0, 8.0];
        let mut out = [0.0; 3];
        n.fit(&x, &info).unwrap().apply(&x, &mut out);
        assert_eq!(out, [0.0, 0.5, 1.0]);
        // natural 10, 6, 2 with target 4, lower is better: (max − x)/(max − targ) = 0, 2/3, 1 (capped)
        let info = IndicatorInfo { direction: -1.0, ..info };
        let x = [-10.0, -6.0, -2.0];
        n.fit(&x, &info).unwrap().apply(&x, &mut out);
        assert_eq!(out[0], 0.0);
        assert!((out[1] - 4.0 / 6.0).abs() < 1e-15);
        assert_eq!(out[2], 1.0);
    }

    #[test]
    fn degenerate_target() {
        let n = DistToTarget { cap: true };
        let info = IndicatorInfo { code: "x", direction: 1.0, target: Some(1.0), goalposts: None };
        assert!(matches!(n.fit(&[1.0, 2.0], &info), Err(NormError::DegenerateTarget { .. })));
    }
}
