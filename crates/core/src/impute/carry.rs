//! Last observation carried forward: a missing cell of unit `u` at time `t` becomes `u`'s last
//! observed value of the indicator before `t`, looking back at most `max_time` periods
//! (0 = no limit).
//!
//! Only the unit's own series is used, with the step's input of every period. A leading gap (no
//! earlier observation) stays missing: values are carried forward, never backward.
//!
//! Reference: COINr `impute_panel(imp_type = "latest", max_time)`.

use super::{Column, Imputer};
use crate::{ParamError, ParamReader};

/// Last-value carry-forward within each unit's own series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Carry {
    /// Look back at most this many periods (`None` = no limit).
    pub max_time: Option<usize>,
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Imputer>, ParamError> {
    let m = r.usize("max_time", 0)?;
    Ok(Box::new(Carry { max_time: (m > 0).then_some(m) }))
}

/// The last non-missing value of `values` before position `now`, at most `max_time` back.
pub(crate) fn at(values: &[f64], now: usize, max_time: Option<usize>) -> f64 {
    let first = max_time.map_or(0, |m| now.saturating_sub(m));
    (first..now).rev().map(|k| values[k]).find(|v| !v.is_nan()).unwrap_or(f64::NAN)
}

impl Imputer for Carry {
    fn name(&self) -> &'static str {
        "carry"
    }

    fn impute(&self, col: &Column<'_>) -> Vec<f64> {
        let Some(h) = col.history else { return col.x.to_vec() };
        col.x
            .iter()
            .enumerate()
            .map(|(i, &v)| if v.is_nan() { at(&h.series(col.code, i), h.now(), self.max_time) } else { v })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::NA;
    use super::*;

    #[test]
    fn carries_the_latest_earlier_value() {
        assert_eq!(at(&[1.0, 2.0, NA, NA], 3, None), 2.0);
        assert!(at(&[1.0, 2.0, NA, NA], 3, Some(1)).is_nan(), "beyond max_time");
        assert_eq!(at(&[1.0, 2.0, NA, NA], 3, Some(2)), 2.0);
    }

    #[test]
    fn leading_gap_stays_missing() {
        assert!(at(&[NA, NA, 3.0], 1, None).is_nan());
        assert!(at(&[NA, 3.0], 0, None).is_nan());
    }
}
