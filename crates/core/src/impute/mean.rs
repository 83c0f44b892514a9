//! Column mean: every missing cell becomes `mean(x)` over the non-missing values of the column.
//!
//! Reference: COINr `i_mean` (`mean(x, na.rm = TRUE)`), the default of `Impute`; reproduced to
//! 1e-9 in the ASEM tests (oracle V5a). A column with no value at all stays missing.

use super::{Column, Imputer};
use crate::{ParamError, ParamReader, stats};

/// Imputation by the column mean.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Mean;

pub(super) fn build(_: &ParamReader<'_>) -> Result<Box<dyn Imputer>, ParamError> {
    Ok(Box::new(Mean))
}

impl Imputer for Mean {
    fn name(&self) -> &'static str {
        "mean"
    }

    fn impute(&self, col: &Column<'_>) -> Vec<f64> {
        let m = stats::mean(col.x).unwrap_or(f64::NAN);
        col.x.iter().map(|&v| if v.is_nan() { m } else { v }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NA, plain};
    use super::*;

    #[test]
    fn hand_computed() {
        let out = Mean.impute(&plain(&[1.0, NA, 2.0, 6.0, NA]));
        assert_eq!(out, vec![1.0, 3.0, 2.0, 6.0, 3.0]);
    }

    #[test]
    fn all_missing_column_stays_missing() {
        assert!(Mean.impute(&plain(&[NA, NA])).iter().all(|v| v.is_nan()));
    }
}
