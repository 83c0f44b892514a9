//! COIN Tool log transform: `y = ln(x − min(x) + 0.01 · (max(x) − min(x)))` over the non-missing
//! values; NaN stays NaN.
//!
//! Reference: COINr `log_CT` (`treat.R`). Like COINr it ignores the indicator's direction and the
//! sign of its skewness: it is meant for right-skewed, higher-is-more columns. The smallest value
//! becomes `ln(0.01 · range)`.

use super::Transform;

/// The `log_ct` transform.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogCt;

impl Transform for LogCt {
    fn name(&self) -> &'static str {
        "log_ct"
    }

    fn apply(&self, x: &[f64]) -> Vec<f64> {
        let Some((min, max)) = crate::normalise::min_max(x) else { return x.to_vec() };
        let shift = 0.01 * (max - min);
        x.iter().map(|&v| (v - min + shift).ln()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        let y = LogCt.apply(&[1.0, f64::NAN, 101.0, 51.0]);
        assert!((y[0] - 1.0_f64.ln()).abs() < 1e-15, "min → ln(0.01 · 100) = 0");
        assert!(y[1].is_nan());
        assert!((y[2] - 101.0_f64.ln()).abs() < 1e-15);
        assert!((y[3] - 51.0_f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn all_missing_column() {
        assert!(LogCt.apply(&[f64::NAN]).iter().all(|v| v.is_nan()));
    }
}
