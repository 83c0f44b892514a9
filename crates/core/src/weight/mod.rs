//! Weighting: compute the weights of the children of aggregates from data or judgement.
//!
//! A [`Weighter`] computes, for one aggregate, the weights of its children from their values
//! (units × children; the values of the stage the `weight` step sees, or provisional aggregate
//! scores for higher levels) and, for panel variants, the same columns in every period. Each method
//! lives in its own file and is registered by name in [`registry`]; the `weight` step
//! (`step/weight_step.rs`) applies one to every aggregate of the chosen level(s) and hands the
//! weights to the `aggregate` step.

use std::fmt::Debug;

use crate::Text;
use crate::{ParamError, ParamInfo, ParamReader};

mod ahp;
mod combined;
mod complete;
mod critic;
mod cv;
mod entropy;
mod equal;
mod expert;
mod optimised;
mod pca;
mod pca_oecd;
mod std_dev;

pub use ahp::{Ahp, AhpFit, RandomIndex};
pub use combined::{Combined, Form};
pub use critic::Critic;
pub use cv::Cv;
pub use entropy::{Entropy, Shift};
pub use equal::Equal;
pub use expert::Expert;
pub use optimised::{OpType, Optimised, OptimisedFit, Targets};
pub use pca::Pca;
pub use pca_oecd::{Assign, PcaOecd, PcaOecdFit};
pub use std_dev::StdDev;

/// The children of one aggregate, as a weighting method sees them.
#[derive(Debug, Clone, Copy)]
pub struct WeightInput<'a> {
    /// The aggregate whose children are weighted.
    pub node: &'a str,
    /// Child codes.
    pub child_codes: &'a [&'a str],
    /// One column per child (units of this period; NaN = missing), higher = better.
    pub children: &'a [&'a [f64]],
    /// The same children in every period (`panel[period][child]`), for pooled variants.
    pub panel: &'a [Vec<&'a [f64]>],
    /// The children's weights before this step (framework or earlier steps).
    pub prior: &'a [f64],
}

/// Why weights cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WeightError {
    /// The data do not allow the method (e.g. a constant child for CV weights).
    #[error("{method} cannot weight the children of '{node}': {}", reason.en)]
    Data {
        /// Method.
        method: &'static str,
        /// Aggregate.
        node: String,
        /// Why, in both languages.
        reason: Text,
    },
}

/// A weighting method.
pub trait Weighter: Debug + Send + Sync {
    /// Registered name.
    fn name(&self) -> &'static str;
    /// Weights of the children (any positive scale; the aggregators re-scale within the group).
    fn weights(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError>;
    /// Diagnostics of the group worth logging (e.g. AHP's consistency ratio); none by default.
    fn notes(&self, _input: &WeightInput<'_>) -> Vec<crate::Text> {
        Vec::new()
    }
}

/// Constructor of a weighting method from the `weight` step's parameters.
pub type Builder = fn(&ParamReader<'_>) -> Result<Box<dyn Weighter>, ParamError>;

/// A registered method: name, its own parameters (beyond `method`, `level`, `nodes`) and builder.
#[derive(Debug, Clone, Copy)]
pub struct MethodInfo {
    /// Name used in `method = "…"`.
    pub name: &'static str,
    /// Parameters of this method.
    pub params: &'static [ParamInfo],
    /// Builder.
    pub build: Builder,
}

/// Every weighting method by name.
pub fn registry() -> &'static [MethodInfo] {
    &[
        MethodInfo { name: "equal", params: &[], build: |_| Ok(Box::new(Equal)) },
        MethodInfo { name: "expert", params: expert::PARAMS, build: expert::build },
        MethodInfo { name: "entropy", params: entropy::PARAMS, build: entropy::build },
        MethodInfo { name: "critic", params: &[], build: |_| Ok(Box::new(Critic)) },
        MethodInfo { name: "std", params: &[], build: |_| Ok(Box::new(StdDev)) },
        MethodInfo { name: "cv", params: &[], build: |_| Ok(Box::new(Cv)) },
        MethodInfo { name: "combined", params: combined::PARAMS, build: combined::build },
        MethodInfo { name: "pca", params: &[], build: |_| Ok(Box::new(Pca)) },
        MethodInfo { name: "pca_oecd", params: pca_oecd::PARAMS, build: pca_oecd::build },
        MethodInfo { name: "ahp", params: ahp::PARAMS, build: ahp::build },
        MethodInfo { name: "optimised", params: optimised::PARAMS, build: optimised::build },
    ]
}

/// Names of the registered methods.
pub fn names() -> Vec<&'static str> {
    registry().iter().map(|m| m.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_unique() {
        let n = names();
        for (i, x) in n.iter().enumerate() {
            assert!(!n[..i].contains(x), "duplicate {x}");
        }
    }
}
