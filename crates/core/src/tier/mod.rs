//! Tiers (梯队): named score bands applied to any node.
//!
//! Bands are ordered from best to worst; a score belongs to the first band whose lower break it
//! reaches (`score >= lower`). A missing score has no tier. How the lower breaks are found is the
//! scheme's method, one file per method:
//!
//! | method | breaks | file |
//! | --- | --- | --- |
//! | `fixed` | each band's `min`, written in the project (the last band may omit it: catch-all) | [`fixed`] |
//! | `jenks` | natural breaks: Fisher's exact optimal partition (Fisher 1958; Jenks 1967) | [`jenks`] |
//! | `kmeans` | 1-D k-means, Lloyd's algorithm from the quantile classes | [`kmeans`] |
//! | `quantile` | equal-count classes at the R type-7 quantiles | [`quantile`] |
//!
//! The data-driven methods (`jenks`, `kmeans`, `quantile`) compute the breaks from the node's
//! non-missing scores in each period; their bands have no `min`, and the number of bands is the
//! number of classes. Fitting ([`TierScheme::fit`]) is separate from assigning
//! ([`FittedTiers::assign`]); the fitted breaks are kept in the results
//! (`PeriodResult::tier_breaks`).

use serde::Serialize;

use crate::Text;

pub mod fixed;
pub mod jenks;
pub mod kmeans;
pub mod quantile;

/// One score band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierBand {
    /// Short code written to outputs (e.g. `T1`).
    pub code: String,
    /// Display name (e.g. 第一梯队 / First tier).
    pub name: Text,
    /// Lowest score in the band (`fixed` only); `None` for the catch-all last band and for every
    /// band of a data-driven method.
    pub min: Option<f64>,
}

/// A tiering scheme: bands and the nodes it applies to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierScheme {
    /// How the bands are made: a [`TierMethod`] code (`fixed`, `jenks`, `kmeans`, `quantile`).
    pub method: String,
    /// Bands from best to worst.
    pub bands: Vec<TierBand>,
    /// Node codes the scheme applies to; `None` means every aggregate.
    pub nodes: Option<Vec<String>>,
}

/// How the breaks between bands are found. The list [`TierMethod::ALL`] is the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierMethod {
    /// Thresholds written in the project ([`fixed`]).
    Fixed,
    /// Natural breaks, Fisher–Jenks exact optimum ([`jenks`]).
    Jenks,
    /// 1-D k-means by Lloyd's algorithm ([`kmeans`]).
    KMeans,
    /// Equal-count classes ([`quantile`]).
    Quantile,
}

impl TierMethod {
    /// Every method, in the order they are listed to users.
    pub const ALL: [TierMethod; 4] = [TierMethod::Fixed, TierMethod::Jenks, TierMethod::KMeans, TierMethod::Quantile];

    /// The code used in project files and outputs.
    pub fn code(self) -> &'static str {
        match self {
            TierMethod::Fixed => "fixed",
            TierMethod::Jenks => "jenks",
            TierMethod::KMeans => "kmeans",
            TierMethod::Quantile => "quantile",
        }
    }

    /// The method of a code.
    pub fn parse(code: &str) -> Option<TierMethod> {
        TierMethod::ALL.into_iter().find(|m| m.code() == code)
    }

    /// Every code, for messages.
    pub fn codes() -> Vec<&'static str> {
        TierMethod::ALL.iter().map(|m| m.code()).collect()
    }

    /// A short display name.
    pub fn label(self) -> Text {
        match self {
            TierMethod::Fixed => Text::new("fixed thresholds", "固定阈值"),
            TierMethod::Jenks => Text::new("natural breaks (Fisher–Jenks)", "自然断点（Fisher–Jenks）"),
            TierMethod::KMeans => Text::new("k-means (Lloyd)", "k 均值聚类（Lloyd）"),
            TierMethod::Quantile => Text::new("quantiles (equal counts)", "分位数（等数量）"),
        }
    }

    /// True when the breaks are computed from the scores.
    pub fn is_data_driven(self) -> bool {
        self != TierMethod::Fixed
    }

    /// Lower break of each of `k` bands, best first, from the sorted finite scores (at least `k`
    /// distinct values; checked by [`TierScheme::fit`]). Not for `fixed`.
    fn lower_breaks(self, sorted: &[f64], k: usize) -> Vec<f64> {
        match self {
            TierMethod::Fixed => unreachable!("fixed thresholds are not computed"),
            TierMethod::Jenks => jenks::lower_breaks(sorted, k),
            TierMethod::KMeans => kmeans::lower_breaks(sorted, k),
            TierMethod::Quantile => quantile::lower_breaks(sorted, k),
        }
    }
}

/// What is wrong with a tier scheme, or with the scores it is fitted to.
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
    /// The method is not known.
    #[error("unknown tier method \"{method}\"; methods: fixed, jenks, kmeans, quantile")]
    UnknownMethod {
        /// The method given.
        method: String,
    },
    /// A band of a data-driven method has a `min`.
    #[error(
        "tier '{code}' has a `min`, but method \"{method}\" computes the breaks from the scores; remove `min` from every band (or use method = \"fixed\")"
    )]
    MinWithDataDriven {
        /// The band.
        code: String,
        /// The method.
        method: String,
    },
    /// A data-driven method with fewer than two bands.
    #[error("method \"{method}\" needs at least 2 bands, got {bands}; add a [[tiers.band]] table for every class")]
    TooFewBands {
        /// The method.
        method: String,
        /// Number of bands.
        bands: usize,
    },
    /// Fewer distinct scores than bands: the classes cannot all be filled.
    #[error(
        "{distinct} distinct score(s) cannot be split into {bands} tiers by \"{method}\"; use fewer bands, list the nodes to tier in `nodes`, or use method = \"fixed\""
    )]
    TooFewDistinct {
        /// The method.
        method: String,
        /// Distinct non-missing scores.
        distinct: usize,
        /// Number of bands.
        bands: usize,
    },
}

/// The breaks of a scheme fitted to one node's scores in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedTiers {
    lower: Vec<f64>,
}

impl FittedTiers {
    /// Lower break of every band, best first (`-inf` for a `fixed` catch-all band).
    pub fn lower_breaks(&self) -> &[f64] {
        &self.lower
    }

    /// The band of a score: the first whose lower break it reaches; `None` for a missing score
    /// or a score below every band.
    pub fn assign(&self, score: f64) -> Option<usize> {
        assign(&self.lower, score)
    }

    /// The lower breaks.
    pub fn into_lower_breaks(self) -> Vec<f64> {
        self.lower
    }
}

/// The band of `score` given the lower breaks, best first.
pub fn assign(lower: &[f64], score: f64) -> Option<usize> {
    if score.is_nan() {
        return None;
    }
    lower.iter().position(|&m| score >= m)
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

    /// The method, if known.
    pub fn method_kind(&self) -> Option<TierMethod> {
        TierMethod::parse(&self.method)
    }

    /// Checks the bands; returns every problem.
    pub fn validate(&self) -> Result<(), Vec<TierError>> {
        let mut errs = Vec::new();
        if self.bands.is_empty() {
            errs.push(TierError::NoBands);
        }
        for (i, b) in self.bands.iter().enumerate() {
            if self.bands[..i].iter().any(|o| o.code == b.code) {
                errs.push(TierError::DuplicateCode { code: b.code.clone() });
            }
        }
        match self.method_kind() {
            None => errs.push(TierError::UnknownMethod { method: self.method.clone() }),
            Some(TierMethod::Fixed) => fixed::validate(&self.bands, &mut errs),
            Some(m) => {
                for b in self.bands.iter().filter(|b| b.min.is_some()) {
                    errs.push(TierError::MinWithDataDriven { code: b.code.clone(), method: self.method.clone() });
                }
                if self.bands.len() == 1 {
                    errs.push(TierError::TooFewBands { method: m.code().into(), bands: 1 });
                }
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }

    /// Fits the scheme to one node's scores (NaN = missing): the fixed thresholds, or breaks
    /// computed from the non-missing scores. A data-driven method needs at least as many distinct
    /// scores as bands ([`TierError::TooFewDistinct`]); there is no silent fallback.
    pub fn fit(&self, scores: &[f64]) -> Result<FittedTiers, TierError> {
        let method = self.method_kind().ok_or_else(|| TierError::UnknownMethod { method: self.method.clone() })?;
        if self.bands.is_empty() {
            return Err(TierError::NoBands);
        }
        if method == TierMethod::Fixed {
            return Ok(FittedTiers { lower: fixed::lower_breaks(&self.bands) });
        }
        let k = self.bands.len();
        if k < 2 {
            return Err(TierError::TooFewBands { method: self.method.clone(), bands: k });
        }
        let mut sorted: Vec<f64> = scores.iter().copied().filter(|x| x.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let distinct = distinct_count(&sorted);
        if distinct < k {
            return Err(TierError::TooFewDistinct { method: self.method.clone(), distinct, bands: k });
        }
        let lower = method.lower_breaks(&sorted, k);
        debug_assert_eq!(lower.len(), k, "{} must give one break per band", method.code());
        Ok(FittedTiers { lower })
    }

    /// The band of a score under the `fixed` thresholds, or `None` for a missing score or a
    /// score below every band. Data-driven schemes have no thresholds before they are fitted:
    /// use [`TierScheme::fit`] and [`FittedTiers::assign`] (this returns `None` for them).
    pub fn assign(&self, score: f64) -> Option<usize> {
        if self.method_kind() != Some(TierMethod::Fixed) {
            return None;
        }
        assign(&fixed::lower_breaks(&self.bands), score)
    }

    /// True if the scheme applies to the node with this code (`is_indicator` for the default).
    pub fn applies_to(&self, code: &str, is_indicator: bool) -> bool {
        match &self.nodes {
            None => !is_indicator,
            Some(list) => list.iter().any(|c| c == code),
        }
    }
}

/// Number of distinct values of a sorted slice.
fn distinct_count(sorted: &[f64]) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    1 + sorted.windows(2).filter(|w| w[0] != w[1]).count()
}

/// Lower breaks, best first, from a partition of sorted values into `k` contiguous classes given
/// by the index of the first value of every class but the first (ascending). Each class's lower
/// break is its smallest value.
fn lower_breaks_from_starts(sorted: &[f64], starts: &[usize]) -> Vec<f64> {
    let mut lower: Vec<f64> = std::iter::once(sorted[0]).chain(starts.iter().map(|&s| sorted[s])).collect();
    lower.reverse();
    lower
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The worked example of docs/methods/tiers.md (jenkspy's own docstring example).
    pub(crate) const DOC_EXAMPLE: [f64; 12] = [1.3, 7.1, 7.3, 2.3, 3.9, 4.1, 7.8, 1.2, 4.3, 7.3, 5.0, 4.3];

    pub(crate) fn scheme(method: &str, k: usize) -> TierScheme {
        TierScheme {
            method: method.into(),
            bands: (1..=k).map(|i| TierBand { code: format!("T{i}"), name: Text::new("", ""), min: None }).collect(),
            nodes: None,
        }
    }

    #[test]
    fn gba_bands() {
        let t = TierScheme::gba_default();
        t.validate().unwrap();
        assert_eq!(t.assign(80.0), Some(0));
        assert_eq!(t.assign(79.999), Some(1));
        assert_eq!(t.assign(50.0), Some(1));
        assert_eq!(t.assign(-3.0), Some(2));
        assert_eq!(t.assign(f64::NAN), None);
        // Fitting a fixed scheme gives the same bands whatever the scores.
        let f = t.fit(&[1.0, 2.0]).unwrap();
        assert_eq!(f.lower_breaks(), &[80.0, 50.0, f64::NEG_INFINITY]);
        assert_eq!(f.assign(79.999), Some(1));
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

    #[test]
    fn unknown_method() {
        let t = scheme("natural", 3);
        assert!(matches!(&t.validate().unwrap_err()[0], TierError::UnknownMethod { method } if method == "natural"));
        assert!(matches!(t.fit(&[1.0, 2.0, 3.0]), Err(TierError::UnknownMethod { .. })));
    }

    #[test]
    fn data_driven_schemes_have_bands_without_min() {
        for m in ["jenks", "kmeans", "quantile"] {
            scheme(m, 3).validate().unwrap();
            let mut t = scheme(m, 3);
            t.bands[2].min = Some(10.0);
            assert!(matches!(&t.validate().unwrap_err()[0], TierError::MinWithDataDriven { code, .. } if code == "T3"));
            assert!(matches!(scheme(m, 1).validate().unwrap_err()[0], TierError::TooFewBands { bands: 1, .. }));
            assert!(matches!(scheme(m, 0).validate().unwrap_err()[0], TierError::NoBands));
            // No thresholds before fitting.
            assert_eq!(scheme(m, 3).assign(50.0), None);
        }
    }

    #[test]
    fn too_few_distinct_scores_is_an_error() {
        for m in ["jenks", "kmeans", "quantile"] {
            let t = scheme(m, 3);
            // Two distinct values (missing scores do not count) cannot fill three classes.
            let e = t.fit(&[5.0, 5.0, 7.0, f64::NAN, 7.0]).unwrap_err();
            assert_eq!(e, TierError::TooFewDistinct { method: m.into(), distinct: 2, bands: 3 });
            assert!(matches!(t.fit(&[]), Err(TierError::TooFewDistinct { distinct: 0, .. })));
            // Exactly as many distinct values as bands: one value per class for the clustering
            // methods; quantiles of [5, 5, 7, 9] are Q(2/3) = 7, Q(1/3) = 5, Q(0) = 5, so the
            // third band is empty (ties at a break go to the better band).
            let f = t.fit(&[5.0, 9.0, 5.0, 7.0]).unwrap();
            let want: &[f64] = if m == "quantile" { &[7.0, 5.0, 5.0] } else { &[9.0, 7.0, 5.0] };
            assert_eq!(f.lower_breaks(), want, "{m}");
        }
    }

    /// The worked example of docs/methods/tiers.md: 12 values, 3 bands, every method.
    #[test]
    fn doc_worked_example() {
        let fit = |m: &str| scheme(m, 3).fit(&DOC_EXAMPLE).unwrap();
        let counts = |f: &FittedTiers| {
            let mut c = [0; 3];
            for &x in &DOC_EXAMPLE {
                c[f.assign(x).unwrap()] += 1;
            }
            c
        };
        let j = fit("jenks");
        assert_eq!(j.lower_breaks(), &[7.1, 3.9, 1.2]);
        assert_eq!(counts(&j), [4, 5, 3]);
        let k = fit("kmeans");
        assert_eq!(k.lower_breaks(), &[7.1, 3.9, 1.2]);
        let q = fit("quantile");
        // Q(2/3) = 5.0 + (1/3)·(7.1 − 5.0) = 5.7; Q(1/3) = 3.9 + (2/3)·(4.1 − 3.9) = 4.0333…
        let want = [5.7, 3.9 + 2.0 / 3.0 * 0.2, 1.2];
        for (g, w) in q.lower_breaks().iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
        assert_eq!(counts(&q), [4, 4, 4]);
        assert_eq!(j.assign(f64::NAN), None);
    }

    #[test]
    fn registry_codes_are_unique_and_parse_back() {
        for (i, m) in TierMethod::ALL.iter().enumerate() {
            assert_eq!(TierMethod::parse(m.code()), Some(*m));
            assert!(TierMethod::ALL[..i].iter().all(|o| o.code() != m.code()));
            assert!(!m.label().en.is_empty() && !m.label().zh.is_empty());
            if m.is_data_driven() {
                scheme(m.code(), 2).fit(&[1.0, 2.0]).unwrap();
            }
        }
    }
}
