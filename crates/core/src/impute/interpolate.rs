//! Linear interpolation in time: a missing cell of unit `u` at time `t` becomes
//! `v₀ + (v₁ − v₀) · (t − t₀) / (t₁ − t₀)`, where `(t₀, v₀)` is `u`'s last observed value of the
//! indicator before `t` and `(t₁, v₁)` its first observed value after `t`.
//!
//! Only the unit's own series is used, with the step's input of every period (values imputed in
//! other periods are not used). There is no extrapolation: a leading or trailing gap (no
//! observation on one side) stays missing; use `carry` for last-value carry-forward. Time is the
//! period's numeric value when every period parses as a number, otherwise its position
//! ([`super::History`]).
//!
//! Reference: COINr `impute_panel(imp_type = "linear")` interpolates with `stats::approx`, but with
//! `rule = 2`, i.e. it also fills leading and trailing gaps with the nearest observation; baydex
//! leaves them missing, so that no value is invented outside the observed span.

use super::{Column, Imputer};
use crate::{ParamError, ParamReader};

/// Linear interpolation in each unit's own series.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Interpolate;

pub(super) fn build(_: &ParamReader<'_>) -> Result<Box<dyn Imputer>, ParamError> {
    Ok(Box::new(Interpolate))
}

/// Interpolates `values` (at ascending `times`) at position `now`; NaN if either side has no
/// observation.
pub(crate) fn at(times: &[f64], values: &[f64], now: usize) -> f64 {
    let before = (0..now).rev().find(|&k| !values[k].is_nan());
    let after = (now + 1..values.len()).find(|&k| !values[k].is_nan());
    match (before, after) {
        (Some(a), Some(b)) => {
            let (t0, t1, v0, v1) = (times[a], times[b], values[a], values[b]);
            if t1 == t0 { v0 } else { v0 + (v1 - v0) * (times[now] - t0) / (t1 - t0) }
        }
        _ => f64::NAN,
    }
}

impl Imputer for Interpolate {
    fn name(&self) -> &'static str {
        "interpolate"
    }

    fn impute(&self, col: &Column<'_>) -> Vec<f64> {
        let Some(h) = col.history else { return col.x.to_vec() };
        col.x
            .iter()
            .enumerate()
            .map(|(i, &v)| if v.is_nan() { at(h.times(), &h.series(col.code, i), h.now()) } else { v })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::NA;
    use super::*;

    #[test]
    fn linear_in_the_period_value() {
        // 2010: 1, 2011: missing, 2014: 9 → 1 + 8 · 1/4 = 3
        assert_eq!(at(&[2010.0, 2011.0, 2014.0], &[1.0, NA, 9.0], 1), 3.0);
        // nearest observations on each side are used
        assert_eq!(at(&[0.0, 1.0, 2.0, 3.0, 4.0], &[0.0, 10.0, NA, NA, 40.0], 2), 20.0);
    }

    #[test]
    fn no_extrapolation() {
        assert!(at(&[0.0, 1.0, 2.0], &[NA, NA, 5.0], 1).is_nan(), "leading gap");
        assert!(at(&[0.0, 1.0, 2.0], &[5.0, 6.0, NA], 2).is_nan(), "trailing gap");
    }
}
