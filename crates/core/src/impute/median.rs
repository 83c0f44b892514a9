//! Column median: every missing cell becomes the median of the non-missing values of the column
//! (the middle value, or the mean of the two middle values).
//!
//! Reference: COINr `i_median` (`stats::median(x, na.rm = TRUE)`); reproduced to 1e-9 in the ASEM
//! tests (oracle V5c). A column with no value at all stays missing.

use super::{Column, Imputer};
use crate::{ParamError, ParamReader, stats};

/// Imputation by the column median.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Median;

pub(super) fn build(_: &ParamReader<'_>) -> Result<Box<dyn Imputer>, ParamError> {
    Ok(Box::new(Median))
}

impl Imputer for Median {
    fn name(&self) -> &'static str {
        "median"
    }

    fn impute(&self, col: &Column<'_>) -> Vec<f64> {
        let m = stats::median(col.x).unwrap_or(f64::NAN);
        col.x.iter().map(|&v| if v.is_nan() { m } else { v }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NA, plain};
    use super::*;

    #[test]
    fn odd_and_even_counts() {
        assert_eq!(Median.impute(&plain(&[5.0, NA, 1.0, 3.0])), vec![5.0, 3.0, 1.0, 3.0]);
        assert_eq!(Median.impute(&plain(&[4.0, 1.0, NA, 3.0, 2.0])), vec![4.0, 1.0, 2.5, 3.0, 2.0]);
    }

    #[test]
    fn all_missing_column_stays_missing() {
        assert!(Median.impute(&plain(&[NA])).iter().all(|v| v.is_nan()));
    }
}
