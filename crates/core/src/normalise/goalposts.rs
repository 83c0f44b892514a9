//! Goalposts: `y = clip((x − lo) / (hi − lo), 0, 1) · scale` on the direction-adjusted column,
//! with the goalposts flipped for direction −1 (`lo' = −hi`, `hi' = −lo`).
//!
//! In natural units: direction +1 gives `(x − lo)/(hi − lo)`, direction −1 gives
//! `(hi − x)/(hi − lo)`. Reference: COINr `n_goalposts` with `f_n_para = "use_iMeta"`, which
//! flips the goalposts of negative-direction indicators (`get_iMeta_norm_paras`). Goalposts come
//! from each indicator's `goalposts = [lower, upper]` in the framework (natural units). As they
//! need no data, an indicator without any value in a period stays missing there (no error).

use super::{FittedNormaliser, IndicatorInfo, NormError, Normaliser};
use crate::{ParamError, ParamReader};

/// Goalposts normaliser.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GoalpostsNorm {
    /// Score at the upper goalpost.
    pub scale: f64,
    /// Clip to `[0, scale]`.
    pub trunc: bool,
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Normaliser>, ParamError> {
    let scale = r.f64("scale", 100.0)?;
    if scale <= 0.0 {
        return Err(ParamError::OutOfDomain {
            name: "scale".into(),
            got: scale.to_string(),
            expected: "must be positive",
        });
    }
    Ok(Box::new(GoalpostsNorm { scale, trunc: r.bool("trunc", true)? }))
}

#[derive(Debug)]
struct Fitted {
    lo: f64,
    hi: f64,
    scale: f64,
    trunc: bool,
}

impl Normaliser for GoalpostsNorm {
    fn name(&self) -> &'static str {
        "goalposts"
    }

    fn fit(&self, x: &[f64], ind: &IndicatorInfo<'_>) -> Result<Box<dyn FittedNormaliser>, NormError> {
        // Fixed goalposts need no data: a period without any value stays missing.
        let _ = x;
        let g = ind.goalposts.ok_or(NormError::MissingParam { field: "goalposts" })?;
        let (lo, hi) = if ind.direction < 0.0 { (-g.upper, -g.lower) } else { (g.lower, g.upper) };
        Ok(Box::new(Fitted { lo, hi, scale: self.scale, trunc: self.trunc }))
    }

    fn midpoint(&self) -> f64 {
        self.scale / 2.0
    }
}

impl FittedNormaliser for Fitted {
    fn apply(&self, x: &[f64], out: &mut [f64]) {
        for (o, &v) in out.iter_mut().zip(x) {
            let mut y = (v - self.lo) / (self.hi - self.lo);
            if self.trunc {
                y = y.clamp(0.0, 1.0);
            }
            *o = y * self.scale;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Goalposts;

    #[test]
    fn direction_flips_goalposts() {
        let g = Some(Goalposts { lower: 10.0, upper: 20.0 });
        let n = GoalpostsNorm { scale: 100.0, trunc: true };
        // natural values 5, 12.5, 25 → for direction −1, adjusted −5, −12.5, −25
        let x = [-5.0, -12.5, -25.0];
        let mut out = [0.0; 3];
        let info = IndicatorInfo { code: "x", direction: -1.0, target: None, goalposts: g };
        n.fit(&x, &info).unwrap().apply(&x, &mut out);
        assert_eq!(out, [100.0, 75.0, 0.0]);
        let x = [5.0, 12.5, 25.0];
        let info = IndicatorInfo { direction: 1.0, ..info };
        n.fit(&x, &info).unwrap().apply(&x, &mut out);
        assert_eq!(out, [0.0, 25.0, 100.0]);
        let n = GoalpostsNorm { scale: 1.0, trunc: false };
        n.fit(&x, &info).unwrap().apply(&x, &mut out);
        assert_eq!(out, [-0.5, 0.25, 1.5]);
    }

    #[test]
    fn missing_goalposts() {
        let info = IndicatorInfo { code: "x", direction: 1.0, target: None, goalposts: None };
        let n = GoalpostsNorm { scale: 100.0, trunc: true };
        assert_eq!(n.fit(&[1.0], &info).unwrap_err(), NormError::MissingParam { field: "goalposts" });
    }
}
