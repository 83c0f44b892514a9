//! No imputation: the column is returned as it is (missing cells stay missing).
//!
//! Reference: COINr `Impute(..., disable = TRUE)`, used to switch imputation off in a
//! sensitivity analysis (`--set impute.method=none`).

use super::{Column, Imputer};
use crate::{ParamError, ParamReader};

/// Leaves every cell as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NoImputation;

pub(super) fn build(_: &ParamReader<'_>) -> Result<Box<dyn Imputer>, ParamError> {
    Ok(Box::new(NoImputation))
}

impl Imputer for NoImputation {
    fn name(&self) -> &'static str {
        "none"
    }

    fn impute(&self, col: &Column<'_>) -> Vec<f64> {
        col.x.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NA, plain};
    use super::*;

    #[test]
    fn leaves_missing_cells() {
        let out = NoImputation.impute(&plain(&[1.0, NA]));
        assert_eq!(out[0], 1.0);
        assert!(out[1].is_nan());
    }
}
