//! Normalisation: bring indicators to a common scale, higher = better.
//!
//! As in COINr (`Normalise.numeric`), every column is first multiplied by its indicator's
//! direction (±1), so a normaliser always sees "higher is better"; per-indicator parameters
//! given in natural units (goalposts, targets) are flipped accordingly.
//!
//! Each method is a [`Normaliser`] in its own file; [`registry`] lists them by name. Fitting is
//! separate from applying, so bounds fitted on one period can be applied to another.

use std::fmt::Debug;

use crate::{Goalposts, ParamError, ParamInfo, ParamReader};

mod distance_to_target;
mod goalposts;
mod min_max;
mod rank;
mod z_score;

pub use distance_to_target::DistToTarget;
pub use goalposts::GoalpostsNorm;
pub use min_max::MinMax;
pub use rank::Rank;
pub use z_score::ZScore;

/// Per-indicator information a normaliser may need.
#[derive(Debug, Clone, Copy)]
pub struct IndicatorInfo<'a> {
    /// Indicator code (for errors).
    pub code: &'a str,
    /// +1 or −1.
    pub direction: f64,
    /// Target in natural units.
    pub target: Option<f64>,
    /// Goalposts in natural units.
    pub goalposts: Option<Goalposts>,
}

/// Why a column cannot be normalised.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum NormError {
    /// Every non-missing value is the same.
    #[error("the indicator is constant ({value})")]
    Constant {
        /// The value.
        value: f64,
    },
    /// No non-missing value.
    #[error("the indicator has no data")]
    Empty,
    /// The target equals the worst value.
    #[error("the target equals the worst value")]
    DegenerateTarget {
        /// The target (natural units).
        target: f64,
    },
    /// A per-indicator parameter is missing.
    #[error("missing `{field}`")]
    MissingParam {
        /// `target` or `goalposts`.
        field: &'static str,
    },
}

/// A normalisation method.
pub trait Normaliser: Debug + Send + Sync {
    /// Registered name.
    fn name(&self) -> &'static str;
    /// Fits on a direction-adjusted column (higher = better; NaN = missing).
    fn fit(&self, x: &[f64], ind: &IndicatorInfo<'_>) -> Result<Box<dyn FittedNormaliser>, NormError>;
    /// The value every unit gets when the user opts into `constant = "midpoint"`.
    fn midpoint(&self) -> f64;
}

/// A fitted normaliser: applies fixed parameters to any column of the same indicator.
pub trait FittedNormaliser: Debug + Send + Sync {
    /// Normalises direction-adjusted `x` into `out` (same length); NaN stays NaN.
    fn apply(&self, x: &[f64], out: &mut [f64]);
}

/// Constructor of a normaliser from the step's parameters.
pub type Builder = fn(&ParamReader<'_>) -> Result<Box<dyn Normaliser>, ParamError>;

/// Every normaliser by name.
pub fn registry() -> &'static [(&'static str, Builder)] {
    &[
        ("minmax", min_max::build),
        ("zscore", z_score::build),
        ("rank", rank::build),
        ("goalposts", goalposts::build),
        ("dist2targ", distance_to_target::build),
    ]
}

/// Names of the registered normalisers.
pub fn names() -> Vec<&'static str> {
    registry().iter().map(|(n, _)| n).copied().collect()
}

/// Parameters of all normalisers (shared by the `normalise` step and its overrides).
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "method",
        default: "\"minmax\"",
        doc_en: "normalisation method: minmax | zscore | rank | goalposts | dist2targ",
        doc_zh: "标准化方法：minmax（极差）| zscore（Z 分数）| rank（排序）| goalposts（目标值区间）| dist2targ（距目标距离）",
    },
    ParamInfo {
        name: "range",
        default: "[0, 100]",
        doc_en: "minmax: target range [l, u]",
        doc_zh: "minmax：目标区间 [l, u]",
    },
    ParamInfo {
        name: "mean_sd",
        default: "[0, 1]",
        doc_en: "zscore: target mean and standard deviation",
        doc_zh: "zscore：目标均值与标准差",
    },
    ParamInfo {
        name: "scale",
        default: "100",
        doc_en: "goalposts: score at the upper goalpost",
        doc_zh: "goalposts：达到上限目标值时的得分",
    },
    ParamInfo {
        name: "trunc",
        default: "true",
        doc_en: "goalposts: clip scores to [0, scale]",
        doc_zh: "goalposts：得分截断到 [0, scale]",
    },
    ParamInfo {
        name: "cap", default: "true", doc_en: "dist2targ: cap scores at 1", doc_zh: "dist2targ：得分上限为 1"
    },
];

/// Builds the normaliser named by the `method` parameter.
pub fn build(r: &ParamReader<'_>) -> Result<Box<dyn Normaliser>, ParamError> {
    let names = names();
    let m = r.choice("method", "minmax", &names)?;
    let (_, b) = registry().iter().find(|(n, _)| *n == m).expect("name checked against the registry");
    b(r)
}

/// Minimum and maximum of the non-missing values, or `None` if there are none.
pub(crate) fn min_max(x: &[f64]) -> Option<(f64, f64)> {
    let mut it = x.iter().copied().filter(|v| !v.is_nan());
    let first = it.next()?;
    Some(it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Params, Value};

    #[test]
    fn registry_names_unique_and_build_from_defaults() {
        let names = names();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[..i].contains(n));
            let mut p = Params::new();
            p.insert("method".into(), Value::Str((*n).into()));
            let r = ParamReader::new(&p, PARAMS).unwrap();
            assert_eq!(build(&r).unwrap().name(), *n);
        }
    }
}
