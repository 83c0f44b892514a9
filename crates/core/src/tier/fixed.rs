//! Fixed thresholds: band `i` holds the scores `s` with `min_i ≤ s < min_{i−1}` (`min_{−1} = +∞`).
//!
//! The thresholds are written in the project (the GBA study's 80 / 50) and do not depend on the
//! scores, so tiers are comparable across periods. The last band may omit `min`: it then takes
//! every other score (its lower break is `−∞`). Without such a catch-all, a score below the last
//! `min` has no tier.

use super::{TierBand, TierError};

/// Checks the thresholds: strictly decreasing, finite, and only the last band without `min`.
pub(super) fn validate(bands: &[TierBand], errs: &mut Vec<TierError>) {
    let mut prev: Option<f64> = None;
    for (i, b) in bands.iter().enumerate() {
        match b.min {
            None if i + 1 != bands.len() => errs.push(TierError::CatchAllNotLast { code: b.code.clone() }),
            None => {}
            Some(m) if !m.is_finite() => errs.push(TierError::BadMin { code: b.code.clone(), min: m }),
            Some(m) => {
                if let Some(p) = prev
                    && m >= p
                {
                    errs.push(TierError::NotDecreasing { code: b.code.clone(), min: m, previous: p });
                }
                prev = Some(m);
            }
        }
    }
}

/// The lower break of every band, best first: its `min`, `−∞` for a catch-all.
pub(super) fn lower_breaks(bands: &[TierBand]) -> Vec<f64> {
    bands.iter().map(|b| b.min.unwrap_or(f64::NEG_INFINITY)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TierScheme;

    #[test]
    fn catch_all_is_minus_infinity() {
        let t = TierScheme::gba_default();
        assert_eq!(lower_breaks(&t.bands), [80.0, 50.0, f64::NEG_INFINITY]);
    }

    #[test]
    fn equal_thresholds_are_not_decreasing() {
        let mut t = TierScheme::gba_default();
        t.bands[1].min = Some(80.0);
        let mut errs = Vec::new();
        validate(&t.bands, &mut errs);
        assert_eq!(errs, [TierError::NotDecreasing { code: "T2".into(), min: 80.0, previous: 80.0 }]);
    }
}
