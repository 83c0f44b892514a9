//! Aggregation: combine the children of a node into the node's score, one unit at a time
//! (weighted means) or all units together (Copeland, TOPSIS, VIKOR, grey relational analysis,
//! whose scores are relative to the other units).
//!
//! Every method follows COINr's missing-value rule: a missing child is dropped together with
//! its weight, and the remaining weights are re-scaled within the group (so a missing
//! indicator's weight is shared pro rata among its non-missing siblings). A unit whose children
//! are all missing gets a missing score.
//!
//! Children are "higher = better": the pipeline has already turned every indicator around
//! (direction) and normalised it, so the evaluation methods treat every child as a benefit
//! criterion. Every method's score is again "higher = better" (the engine ranks descending).
//!
//! Methods take options from the `options` table of the `aggregate` step (see
//! [`MethodInfo::options`]); each method checks its own.

use std::fmt::Debug;

use crate::{ParamError, ParamInfo, ParamReader};

mod amean;
mod copeland;
pub mod coupling;
mod gmean;
mod gra;
mod hmean;
mod topsis;
mod vikor;

pub use amean::ArithmeticMean;
pub use copeland::Copeland;
pub use coupling::{CouplingCoordination, CouplingModel, CouplingOutput, coordination_classes};
pub use gmean::GeometricMean;
pub use gra::GreyRelational;
pub use hmean::HarmonicMean;
pub use topsis::{Topsis, TopsisNormalisation};
pub use vikor::Vikor;

/// The children of one node for all units.
#[derive(Debug, Clone, Copy)]
pub struct AggInput<'a> {
    /// One slice per child, each of length `units.len()`.
    pub children: &'a [&'a [f64]],
    /// One weight per child (not necessarily summing to 1).
    pub weights: &'a [f64],
    /// Unit codes (rows), for errors and for Copeland's row order.
    pub units: &'a [String],
    /// Child codes, for errors.
    pub child_codes: &'a [&'a str],
    /// The node being computed, for errors.
    pub node: &'a str,
}

/// Why a node cannot be aggregated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AggError {
    /// A value the mean cannot take (≤ 0 for geometric and harmonic means).
    #[error("{method}: unit '{unit}' has {child} = {value}")]
    NonPositive {
        /// Method.
        method: &'static str,
        /// Unit.
        unit: String,
        /// Child.
        child: String,
        /// Value.
        value: f64,
    },
    /// A value outside the range the method reads (coupling: children on `[0, scale]`).
    #[error("{method}: unit '{unit}' has {child} = {value}, outside [{lower}, {upper}]")]
    OutOfRange {
        /// Method.
        method: &'static str,
        /// Unit.
        unit: String,
        /// Child.
        child: String,
        /// Value.
        value: f64,
        /// Lowest value allowed.
        lower: f64,
        /// Highest value allowed.
        upper: f64,
    },
}

/// An aggregation method.
pub trait Aggregator: Debug + Send + Sync {
    /// Registered name.
    fn name(&self) -> &'static str;
    /// Computes the node's score for every unit into `out` (length = number of units).
    fn aggregate(&self, input: &AggInput<'_>, out: &mut [f64]) -> Result<(), AggError>;
}

/// Constructor of an aggregator from its options (a reader over the `options` table, checked
/// against [`MethodInfo::options`]).
pub type Builder = fn(&ParamReader<'_>) -> Result<Box<dyn Aggregator>, ParamError>;

/// A registered aggregator: name, the options it reads and its builder.
#[derive(Debug, Clone, Copy)]
pub struct MethodInfo {
    /// Name used in `method = "…"`.
    pub name: &'static str,
    /// Options of this method (keys of the aggregate step's `options` table).
    pub options: &'static [ParamInfo],
    /// Builder.
    pub build: Builder,
}

/// The `scale` option shared by the evaluation methods: the top of the pipeline's score range.
/// TOPSIS, VIKOR and grey relational analysis write their scores on `[0, scale]`; coupling
/// coordination reads its children on `[0, scale]`.
pub(crate) const SCALE: ParamInfo = ParamInfo {
    name: "scale",
    default: "100",
    doc_en: "top of the score range: topsis, vikor and gra write scores on [0, scale]; coupling reads children on [0, scale]",
    doc_zh: "得分区间上限：topsis、vikor、gra 的得分落在 [0, scale]；coupling 按 [0, scale] 读取子节点得分",
};

/// Reads the `scale` option (a positive number).
pub(crate) fn read_scale(r: &ParamReader<'_>) -> Result<f64, ParamError> {
    let s = r.f64("scale", 100.0)?;
    if s > 0.0 {
        Ok(s)
    } else {
        Err(ParamError::OutOfDomain {
            name: "options.scale".into(),
            got: s.to_string(),
            expected: "must be positive (100 for scores on 0–100, 1 for 0–1)",
        })
    }
}

/// Every aggregator by name.
pub fn registry() -> &'static [MethodInfo] {
    &[
        MethodInfo { name: "amean", options: &[], build: |_| Ok(Box::new(ArithmeticMean)) },
        MethodInfo { name: "gmean", options: &[], build: |_| Ok(Box::new(GeometricMean)) },
        MethodInfo { name: "hmean", options: &[], build: |_| Ok(Box::new(HarmonicMean)) },
        MethodInfo { name: "copeland", options: &[], build: |_| Ok(Box::new(Copeland)) },
        MethodInfo { name: "topsis", options: topsis::OPTIONS, build: topsis::build },
        MethodInfo { name: "vikor", options: vikor::OPTIONS, build: vikor::build },
        MethodInfo { name: "gra", options: gra::OPTIONS, build: gra::build },
        MethodInfo { name: "coupling", options: coupling::OPTIONS, build: coupling::build },
    ]
}

/// Names of the registered aggregators.
pub fn names() -> Vec<&'static str> {
    registry().iter().map(|m| m.name).collect()
}

/// The registered aggregator of this name.
pub fn info(name: &str) -> Option<&'static MethodInfo> {
    registry().iter().find(|m| m.name == name)
}

/// Builds an aggregator by name; `r` must have been checked against the method's options.
pub fn by_name(name: &str, r: &ParamReader<'_>) -> Option<Result<Box<dyn Aggregator>, ParamError>> {
    info(name).map(|m| (m.build)(r))
}

/// The weights of the non-missing children of unit `i`, re-scaled to sum to 1 (COINr's rule),
/// with the child positions; empty when every child is missing.
pub(crate) fn present(input: &AggInput<'_>, i: usize) -> Vec<(usize, f64)> {
    let total: f64 = input.children.iter().zip(input.weights).filter(|(c, _)| !c[i].is_nan()).map(|(_, &w)| w).sum();
    input
        .children
        .iter()
        .zip(input.weights)
        .enumerate()
        .filter(|(_, (c, _))| !c[i].is_nan())
        .map(|(k, (_, &w))| (k, w / total))
        .collect()
}

/// Minimum and maximum of a column's non-missing values (`None` when all are missing).
pub(crate) fn col_range(col: &[f64]) -> Option<(f64, f64)> {
    crate::normalise::min_max(col)
}

/// Checks that every non-missing child value is positive (geometric and harmonic means).
pub(crate) fn check_positive(method: &'static str, input: &AggInput<'_>) -> Result<(), AggError> {
    for (k, col) in input.children.iter().enumerate() {
        for (i, &v) in col.iter().enumerate() {
            if v <= 0.0 {
                return Err(AggError::NonPositive {
                    method,
                    unit: input.units[i].clone(),
                    child: input.child_codes[k].to_string(),
                    value: v,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Runs an aggregator on row-major test data.
    pub fn run(a: &dyn Aggregator, rows: &[&[f64]], w: &[f64]) -> Result<Vec<f64>, AggError> {
        let k = w.len();
        let cols: Vec<Vec<f64>> = (0..k).map(|j| rows.iter().map(|r| r[j]).collect()).collect();
        let slices: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let units: Vec<String> = (0..rows.len()).map(|i| format!("u{i:02}")).collect();
        let codes: Vec<String> = (0..k).map(|j| format!("c{j}")).collect();
        let code_refs: Vec<&str> = codes.iter().map(|s| s.as_str()).collect();
        let input = AggInput { children: &slices, weights: w, units: &units, child_codes: &code_refs, node: "n" };
        let mut out = vec![0.0; rows.len()];
        a.aggregate(&input, &mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;

    #[test]
    fn registry_names_unique_and_build_from_defaults() {
        let n = names();
        let p = Params::new();
        for (i, name) in n.iter().enumerate() {
            assert!(!n[..i].contains(name));
            let r = ParamReader::with_prefix(&p, info(name).unwrap().options, "options.").unwrap();
            assert_eq!(by_name(name, &r).unwrap().unwrap().name(), *name);
        }
    }

    #[test]
    fn option_names_unique_within_a_method() {
        for m in registry() {
            for (i, o) in m.options.iter().enumerate() {
                assert!(!m.options[..i].iter().any(|p| p.name == o.name), "{}: {}", m.name, o.name);
            }
        }
    }
}
