//! Aggregation: combine the children of a node into the node's score, one unit at a time
//! (or, for Copeland, all units together).
//!
//! Every method follows COINr's missing-value rule: a missing child is dropped together with
//! its weight, and the remaining weights are re-scaled within the group (so a missing
//! indicator's weight is shared pro rata among its non-missing siblings). A unit whose children
//! are all missing gets a missing score.

use std::fmt::Debug;

use crate::{ParamError, ParamReader};

mod amean;
mod copeland;
mod gmean;
mod hmean;

pub use amean::ArithmeticMean;
pub use copeland::Copeland;
pub use gmean::GeometricMean;
pub use hmean::HarmonicMean;

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
}

/// An aggregation method.
pub trait Aggregator: Debug + Send + Sync {
    /// Registered name.
    fn name(&self) -> &'static str;
    /// Computes the node's score for every unit into `out` (length = number of units).
    fn aggregate(&self, input: &AggInput<'_>, out: &mut [f64]) -> Result<(), AggError>;
}

/// Constructor of an aggregator.
pub type Builder = fn(&ParamReader<'_>) -> Result<Box<dyn Aggregator>, ParamError>;

/// Every aggregator by name.
pub fn registry() -> &'static [(&'static str, Builder)] {
    &[
        ("amean", |_| Ok(Box::new(ArithmeticMean))),
        ("gmean", |_| Ok(Box::new(GeometricMean))),
        ("hmean", |_| Ok(Box::new(HarmonicMean))),
        ("copeland", |_| Ok(Box::new(Copeland))),
    ]
}

/// Names of the registered aggregators.
pub fn names() -> Vec<&'static str> {
    registry().iter().map(|(n, _)| n).copied().collect()
}

/// Builds an aggregator by name.
pub fn by_name(name: &str, r: &ParamReader<'_>) -> Option<Result<Box<dyn Aggregator>, ParamError>> {
    registry().iter().find(|(n, _)| *n == name).map(|(_, b)| b(r))
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
    fn registry_names_unique() {
        let n = names();
        let p = Params::new();
        let r = ParamReader::new(&p, &[]).unwrap();
        for (i, name) in n.iter().enumerate() {
            assert!(!n[..i].contains(name));
            assert_eq!(by_name(name, &r).unwrap().unwrap().name(), *name);
        }
    }
}
