//! Errors of the core.

use crate::ParamError;
use crate::tier::TierError;

/// Result type of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error while computing an index.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two shapes that must agree do not.
    #[error("shape mismatch in {what}: expected {expected}, got {got}")]
    ShapeMismatch {
        /// What was being built.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// A step's parameters are invalid.
    #[error("step '{step}': {source}")]
    Param {
        /// The step.
        step: String,
        /// What is wrong.
        #[source]
        source: ParamError,
    },
    /// An indicator has the same value for every unit, so it cannot be normalised by this method.
    #[error(
        "indicator '{indicator}' is constant ({value}) in period {period}, so '{method}' cannot normalise it; \
         remove the indicator, check its data, or set `constant = \"midpoint\"` (or \"missing\") on the normalise step"
    )]
    ConstantIndicator {
        /// The indicator.
        indicator: String,
        /// The normalisation method.
        method: &'static str,
        /// The constant value.
        value: f64,
        /// The period.
        period: String,
    },
    /// An indicator has no data at all.
    #[error("indicator '{indicator}' has no data in period {period}; supply data or remove it from the framework")]
    EmptyIndicator {
        /// The indicator.
        indicator: String,
        /// The period.
        period: String,
    },
    /// `dist2targ` with a target equal to the worst value.
    #[error(
        "indicator '{indicator}': the target {target} equals the worst observed value in period {period}, \
         so distance to target is undefined; choose a target better than every unit's value"
    )]
    DegenerateTarget {
        /// The indicator.
        indicator: String,
        /// The target.
        target: f64,
        /// The period.
        period: String,
    },
    /// An indicator needs a per-indicator parameter that the framework does not give.
    #[error(
        "indicator '{indicator}' has no `{field}` in the framework, which method '{method}' needs; add `{field}` to the indicator"
    )]
    MissingIndicatorParam {
        /// The indicator.
        indicator: String,
        /// The missing field (`target`, `goalposts`).
        field: &'static str,
        /// The method.
        method: &'static str,
    },
    /// Geometric or harmonic mean met a value it cannot take.
    #[error(
        "{method} cannot aggregate '{node}': unit '{unit}' has {child} = {value}; the {method} needs positive values \
         — normalise to a range such as [1, 100] (e.g. --set normalise.range=[1,100]) or use amean"
    )]
    NonPositive {
        /// The aggregation method.
        method: &'static str,
        /// The aggregate being computed.
        node: String,
        /// The unit.
        unit: String,
        /// The child whose value is bad.
        child: String,
        /// The value.
        value: f64,
    },
    /// A denominator series is missing.
    #[error(
        "indicator '{indicator}' is to be divided by '{denominator}', but no such series is in the data; add a column '{denominator}' or remove `denominator`"
    )]
    MissingDenominator {
        /// The indicator.
        indicator: String,
        /// The denominator code.
        denominator: String,
    },
    /// A denominator is zero for a unit.
    #[error(
        "indicator '{indicator}': denominator '{denominator}' is 0 for unit '{unit}' in period {period}; correct the denominator data"
    )]
    ZeroDenominator {
        /// The indicator.
        indicator: String,
        /// The denominator code.
        denominator: String,
        /// The unit.
        unit: String,
        /// The period.
        period: String,
    },
    /// A weighting method cannot weight a group with these data.
    #[error("{method} cannot weight the children of '{node}': {}", reason.en)]
    Weighting {
        /// The method.
        method: &'static str,
        /// The aggregate.
        node: String,
        /// Why, in both languages.
        reason: crate::Text,
    },
    /// The tiers of a node cannot be computed from its scores.
    #[error("tiers of '{node}' in period {period}: {source}")]
    Tiers {
        /// The node.
        node: String,
        /// The period.
        period: String,
        /// What is wrong.
        #[source]
        source: TierError,
    },
    /// A step broke an invariant of the pipeline (a bug in the step).
    #[error("step '{step}' broke an invariant: {what}")]
    StepBrokeInvariant {
        /// The step.
        step: String,
        /// What broke.
        what: String,
    },
    /// A period is not in the data.
    #[error("period '{period}' has no data")]
    UnknownPeriod {
        /// The period.
        period: String,
    },
    /// The pipeline has no aggregate step.
    #[error("the pipeline has no `aggregate` step, so no index can be computed; add [[pipeline]] step = \"aggregate\"")]
    NoAggregate,
    /// Something went wrong inside a named context.
    #[error("{context}: {source}")]
    Context {
        /// Where.
        context: String,
        /// What.
        #[source]
        source: Box<Error>,
    },
}

impl Error {
    /// The error without its contexts.
    pub fn root(&self) -> &Error {
        match self {
            Error::Context { source, .. } => source.root(),
            e => e,
        }
    }

    /// Wraps this error with a context.
    pub fn context(self, context: impl Into<String>) -> Error {
        Error::Context { context: context.into(), source: Box::new(self) }
    }
}
