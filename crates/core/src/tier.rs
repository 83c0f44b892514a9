//! Tiers (梯队): named score bands applied to any node.
//!
//! Bands are ordered from best to worst; a score belongs to the first band whose `min` it
//! reaches (`score >= min`). The last band may have no `min` and then takes every other score.
//! A missing score has no tier.

use serde::Serialize;

use crate::Text;

/// One score band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierBand {
    /// Short code written to outputs (e.g. `T1`).
    pub code: String,
    /// Display name (e.g. 第一梯队 / First tier).
    pub name: Text,
    /// Lowest score in the band; `None` for the catch-all last band.
    pub min: Option<f64>,
}

/// A tiering scheme: bands and the nodes it applies to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierScheme {
    /// How the bands were made (`fixed` thresholds here).
    pub method: String,
    /// Bands from best to worst.
    pub bands: Vec<TierBand>,
    /// Node codes the scheme applies to; `None` means every aggregate.
    pub nodes: Option<Vec<String>>,
}

/// What is wrong with a tier scheme.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TierError {
    /// No bands.
    #[error("a tier scheme needs at least one band")]
    NoBands,
    /// Thresholds not strictly decreasing.
    #[error(
        "tier '{code}' has min {min}, which is not below the previous band's min {previous}; list bands from best to worst with decreasing `min`"
    )]
    NotDecreasing {
        /// The band.
        code: String,
        /// Its min.
        min: f64,
        /// The previous min.
        previous: f64,
    },
    /// A band without `min` that is not last.
    #[error("tier '{code}' has no `min` but is not the last band; only the last band may omit `min`")]
    CatchAllNotLast {
        /// The band.
        code: String,
    },
    /// Non-finite threshold.
    #[error("tier '{code}' has min {min}; thresholds must be finite numbers")]
    BadMin {
        /// The band.
        code: String,
        /// Its min.
        min: f64,
    },
    /// Duplicate band code.
    #[error("two tiers share the code '{code}'; give each band its own code")]
    DuplicateCode {
        /// The code.
        code: String,
    },
}

impl TierScheme {
    /// The GBA study's bands: ≥ 80 first tier, ≥ 50 second tier, else third tier.
    pub fn gba_default() -> Self {
        TierScheme {
            method: "fixed".into(),
            bands: vec![
                TierBand { code: "T1".into(), name: Text::new("First tier", "第一梯队"), min: Some(80.0) },
                TierBand { code: "T2".into(), name: Text::new("Second tier", "第二梯队"), min: Some(50.0) },
                TierBand { code: "T3".into(), name: Text::new("Third tier", "第三梯队"), min: None },
            ],
            nodes: None,
        }
    }

    /// Checks the bands; returns every problem.
    pub fn validate(&self) -> Result<(), Vec<TierError>> {
        let mut errs = Vec::new();
        if self.bands.is_empty() {
            errs.push(TierError::NoBands);
        }
        let mut prev: Option<f64> = None;
        for (i, b) in self.bands.iter().enumerate() {
            if self.bands[..i].iter().any(|o| o.code == b.code) {
                errs.push(TierError::DuplicateCode { code: b.code.clone() });
            }
            match b.min {
                None if i + 1 != self.bands.len() => errs.push(TierError::CatchAllNotLast { code: b.code.clone() }),
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
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }

    /// The band of a score, or `None` for a missing score or a score below every band.
    pub fn assign(&self, score: f64) -> Option<usize> {
        if score.is_nan() {
            return None;
        }
        self.bands.iter().position(|b| b.min.is_none_or(|m| score >= m))
    }

    /// True if the scheme applies to the node with this code (`is_indicator` for the default).
    pub fn applies_to(&self, code: &str, is_indicator: bool) -> bool {
        match &self.nodes {
            None => !is_indicator,
            Some(list) => list.iter().any(|c| c == code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gba_bands() {
        let t = TierScheme::gba_default();
        t.validate().unwrap();
        assert_eq!(t.assign(80.0), Some(0));
        assert_eq!(t.assign(79.999), Some(1));
        assert_eq!(t.assign(50.0), Some(1));
        assert_eq!(t.assign(-3.0), Some(2));
        assert_eq!(t.assign(f64::NAN), None);
    }

    #[test]
    fn no_catch_all_leaves_low_scores_untiered() {
        let mut t = TierScheme::gba_default();
        t.bands.pop();
        assert_eq!(t.assign(10.0), None);
    }

    #[test]
    fn invalid_schemes() {
        let mut t = TierScheme::gba_default();
        t.bands[1].min = Some(90.0);
        assert!(matches!(t.validate().unwrap_err()[0], TierError::NotDecreasing { .. }));
        let mut t = TierScheme::gba_default();
        t.bands[0].min = None;
        assert!(matches!(t.validate().unwrap_err()[0], TierError::CatchAllNotLast { .. }));
        let mut t = TierScheme::gba_default();
        t.bands[1].code = "T1".into();
        assert!(matches!(t.validate().unwrap_err()[0], TierError::DuplicateCode { .. }));
        let mut t = TierScheme::gba_default();
        t.bands[0].min = Some(f64::INFINITY);
        assert!(matches!(t.validate().unwrap_err()[0], TierError::BadMin { .. }));
        t.bands.clear();
        assert!(matches!(t.validate().unwrap_err()[0], TierError::NoBands));
    }
}
