//! Z-score: `y = (x − mean) / sd · sd_target + mean_target`, `sd` the sample standard deviation
//! (denominator n − 1), on the direction-adjusted column.
//!
//! Reference: COINr `n_zscore` (default `m_sd = c(0, 1)`); reproduced to 1e-9 (oracle V2).

use super::{FittedNormaliser, IndicatorInfo, NormError, Normaliser};
use crate::{ParamError, ParamReader};

/// Z-score normaliser to a target mean and standard deviation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZScore {
    /// Target mean.
    pub mean: f64,
    /// Target standard deviation.
    pub sd: f64,
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Normaliser>, ParamError> {
    let (mean, sd) = r.pair("mean_sd", (0.0, 1.0))?;
    if sd <= 0.0 {
        return Err(ParamError::OutOfDomain {
            name: "mean_sd".into(),
            got: format!("[{mean}, {sd}]"),
            expected: "the target standard deviation must be positive",
        });
    }
    Ok(Box::new(ZScore { mean, sd }))
}

#[derive(Debug)]
struct Fitted {
    mean: f64,
    sd: f64,
    target_mean: f64,
    target_sd: f64,
}

/// Mean and sample standard deviation of the non-missing values (two-pass).
pub(crate) fn mean_sd(x: &[f64]) -> Option<(f64, f64, usize)> {
    let (mut n, mut s) = (0usize, 0.0);
    for &v in x.iter().filter(|v| !v.is_nan()) {
        n += 1;
        s += v;
    }
    if n == 0 {
        return None;
    }
    let mean = s / n as f64;
    // Second pass refines the mean, as R's mean() does.
    let corr: f64 = x.iter().filter(|v| !v.is_nan()).map(|v| v - mean).sum::<f64>() / n as f64;
    let mean = mean + corr;
    let ss: f64 = x.iter().filter(|v| !v.is_nan()).map(|v| (v - mean) * (v - mean)).sum();
    let sd = if n > 1 { (ss / (n - 1) as f64).sqrt() } else { f64::NAN };
    Some((mean, sd, n))
}

impl Normaliser for ZScore {
    fn name(&self) -> &'static str {
        "zscore"
    }

    fn fit(&self, x: &[f64], _: &IndicatorInfo<'_>) -> Result<Box<dyn FittedNormaliser>, NormError> {
        let (mean, sd, _) = mean_sd(x).ok_or(NormError::Empty)?;
        if sd.is_nan() || sd == 0.0 {
            return Err(NormError::Constant { value: mean });
        }
        Ok(Box::new(Fitted { mean, sd, target_mean: self.mean, target_sd: self.sd }))
    }

    fn midpoint(&self) -> f64 {
        self.mean
    }
}

impl FittedNormaliser for Fitted {
    fn apply(&self, x: &[f64], out: &mut [f64]) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = (v - self.mean) / self.sd * self.target_sd + self.target_mean;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        // mean 2, sample sd 1
        let n = ZScore { mean: 10.0, sd: 2.0 };
        let x = [1.0, 2.0, 3.0];
        let mut out = [0.0; 3];
        let info = IndicatorInfo { code: "x", direction: 1.0, target: None, goalposts: None };
        n.fit(&x, &info).unwrap().apply(&x, &mut out);
        assert_eq!(out, [8.0, 10.0, 12.0]);
        assert!(matches!(n.fit(&[4.0, 4.0], &info), Err(NormError::Constant { .. })));
        assert!(matches!(n.fit(&[4.0], &info), Err(NormError::Constant { .. })));
    }
}
