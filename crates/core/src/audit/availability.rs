//! Data availability of the raw data: per unit (share of indicators present) and per indicator
//! (share of units present).
//!
//! ```text
//!   unit u:       available_u = #{ indicators i : x_ui present },   share_u = available_u / #indicators
//!   indicator i:  available_i = #{ units u : x_ui present },        share_i = available_i / #units
//! ```
//!
//! COINr `get_data_avail` (`Dat_Avail`), which `Screen(unit_screen = "byNA")` compares with
//! `dat_thresh`. Computed on the `Raw` stage, before any imputation, so that it says what was
//! measured, not what was filled in.

use serde::Serialize;

use super::nan_as_null;
use crate::Dataset;

/// Availability of one unit's indicators.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitAvailability {
    /// Unit code.
    pub unit: String,
    /// Indicators present.
    pub available: usize,
    /// Indicators in the framework.
    pub total: usize,
    /// `available / total` (NaN when there are no indicators).
    #[serde(serialize_with = "nan_as_null")]
    pub share: f64,
    /// Codes of the missing indicators.
    pub missing: Vec<String>,
}

/// Availability of one indicator across units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorAvailability {
    /// Indicator code.
    pub code: String,
    /// Units with a value.
    pub available: usize,
    /// Units.
    pub total: usize,
    /// `available / total` (NaN when there are no units).
    #[serde(serialize_with = "nan_as_null")]
    pub share: f64,
}

fn share(a: usize, t: usize) -> f64 {
    if t == 0 { f64::NAN } else { a as f64 / t as f64 }
}

/// Per-unit and per-indicator availability of a raw dataset (units × indicators).
pub(crate) fn availability(raw: &Dataset) -> (Vec<UnitAvailability>, Vec<IndicatorAvailability>) {
    let (nu, ni) = (raw.units.len(), raw.columns.len());
    let units = raw
        .units
        .iter()
        .enumerate()
        .map(|(u, code)| {
            let missing: Vec<String> =
                (0..ni).filter(|&j| raw.data.get(u, j).is_nan()).map(|j| raw.columns[j].clone()).collect();
            let available = ni - missing.len();
            UnitAvailability { unit: code.clone(), available, total: ni, share: share(available, ni), missing }
        })
        .collect();
    let indicators = raw
        .columns
        .iter()
        .enumerate()
        .map(|(j, code)| {
            let available = raw.data.col(j).iter().filter(|v| !v.is_nan()).count();
            IndicatorAvailability { code: code.clone(), available, total: nu, share: share(available, nu) }
        })
        .collect();
    (units, indicators)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Matrix;

    #[test]
    fn counts_and_shares() {
        let nan = f64::NAN;
        let m = Matrix::from_columns(3, &[vec![1.0, nan, 3.0], vec![nan, nan, 0.0]]).unwrap();
        let d = Dataset::new(vec!["a".into(), "b".into(), "c".into()], vec!["x".into(), "y".into()], m).unwrap();
        let (u, i) = availability(&d);
        assert_eq!(u.iter().map(|x| x.available).collect::<Vec<_>>(), [1, 0, 2]);
        assert_eq!(u[0].missing, ["y"]);
        assert_eq!(u[1].share, 0.0);
        assert_eq!(u[2].share, 1.0);
        assert_eq!(i.iter().map(|x| x.available).collect::<Vec<_>>(), [2, 1]);
        assert!((i[0].share - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn no_indicators_or_units() {
        let d = Dataset::new(vec!["a".into()], vec![], Matrix::missing(1, 0)).unwrap();
        let (u, i) = availability(&d);
        assert!(u[0].share.is_nan() && i.is_empty());
    }
}
