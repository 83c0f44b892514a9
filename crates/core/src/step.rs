//! Pipeline steps: the [`Step`] trait and the registry of steps by name.
//!
//! A step is a pure function from one dataset stage to the next, plus a log entry. Steps are
//! built from a [`StepSpec`] (name + parameters) by the registry; parameters are checked when
//! the step is built, before anything runs.

use std::fmt::Debug;

use crate::{Dataset, Framework, ParamError, ParamInfo, Params, Result, StepSpec, Text, Unit};

pub(crate) mod aggregate_step;
mod denominate;
mod impute_step;
mod normalise_step;
mod screen;
mod treat_step;
mod weight_step;

pub use aggregate_step::AggregateStep;
pub use denominate::DenominateStep;
pub use normalise_step::NormaliseStep;

/// What a step sees besides its input dataset.
///
/// The runner applies each step to every period before the next step runs, so a step can look
/// across time: `panel` holds this step's input in every period (e.g. for interpolation or
/// normalisation bounds fixed across periods).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The framework.
    pub framework: &'a Framework,
    /// All units of the project (rows of the input refer to them by code).
    pub units: &'a [Unit],
    /// The period being computed.
    pub period: &'a str,
    /// Auxiliary series (denominators) for this period, one row per project unit (match rows by
    /// unit code with [`Context::series_values`]: a step may have dropped units).
    pub series: &'a Dataset,
    /// Every period, in order.
    pub periods: &'a [String],
    /// Position of `period` in `periods`.
    pub period_index: usize,
    /// This step's input in every period (same order as `periods`).
    pub panel: &'a [&'a Dataset],
    /// Node weights (by framework position) set by an earlier `weight` step in this period, if any.
    pub weights: Option<&'a [f64]>,
}

impl Context<'_> {
    /// A series' values aligned to `units` (NaN for a unit the series does not cover).
    pub fn series_values(&self, code: &str, units: &[String]) -> Option<Vec<f64>> {
        let col = self.series.values(code)?;
        if self.series.units == units {
            return Some(col.to_vec());
        }
        Some(units.iter().map(|u| self.series.units.iter().position(|s| s == u).map_or(f64::NAN, |i| col[i])).collect())
    }

    /// This step's input of the period named `period`.
    pub fn input_of(&self, period: &str) -> Option<&Dataset> {
        self.periods.iter().position(|p| p == period).and_then(|k| self.panel.get(k).copied())
    }
}

/// One step of a pipeline.
pub trait Step: Debug + Send + Sync {
    /// Registered name (`normalise`, …).
    fn name(&self) -> &'static str;
    /// Name of the stage this step produces (`Normalised`, …).
    fn stage(&self) -> &'static str;
    /// Every parameter with its resolved value (defaults filled in), for the manifest.
    fn resolved(&self) -> Params;
    /// True if the step may add or remove columns (only `aggregate`).
    fn changes_columns(&self) -> bool {
        false
    }
    /// True if the step may drop units (rows), e.g. `screen`; it never adds or reorders them.
    fn changes_units(&self) -> bool {
        false
    }
    /// True if the step may drop columns (indicators), e.g. `screen` with `indicators_thresh`; it
    /// never adds or reorders them. A dropped indicator counts as missing from then on.
    fn drops_columns(&self) -> bool {
        false
    }
    /// True if the step may turn values into missing ones (e.g. `constant = "missing"`).
    fn may_add_missing(&self) -> bool {
        false
    }
    /// The weight of every framework node this step aggregates with, if it aggregates.
    fn weights(&self) -> Option<&[f64]> {
        None
    }
    /// Applies the step; returns the new stage and what it did.
    fn apply(&self, ctx: &Context<'_>, input: &Dataset) -> Result<StepOutput>;
}

/// Constructor of a step from its spec.
pub type StepBuilder = fn(&StepSpec, &Framework) -> std::result::Result<Box<dyn Step>, ParamError>;

/// What a step produced: the new stage, log messages and the cells it changed.
#[derive(Debug, Clone)]
pub struct StepOutput {
    /// The new stage.
    pub data: Dataset,
    /// What the step did, in both languages.
    pub messages: Vec<Text>,
    /// Cell-level changes worth listing (imputed cells, capped points, dropped units…); steps that
    /// transform every cell (normalise, aggregate) list none.
    pub changes: Vec<CellChange>,
    /// Node weights (by framework position) this step set (`weight`) or used (`aggregate`); later
    /// steps of the period see them in [`Context::weights`].
    pub weights: Option<Vec<f64>>,
}

impl StepOutput {
    /// An output with messages, no listed cell changes and no weights.
    pub fn new(data: Dataset, messages: Vec<Text>) -> Self {
        StepOutput { data, messages, changes: Vec::new(), weights: None }
    }
}

pub use crate::results::CellChange;

/// A registered step: its name, parameters and constructor.
#[derive(Debug, Clone, Copy)]
pub struct StepInfo {
    /// Name used in `step = "…"`.
    pub name: &'static str,
    /// Stage it produces.
    pub stage: &'static str,
    /// Parameters it accepts.
    pub params: &'static [ParamInfo],
    /// What it does (English).
    pub doc_en: &'static str,
    /// What it does (Chinese).
    pub doc_zh: &'static str,
    /// Builds the step from its spec, checking every parameter.
    pub build: StepBuilder,
}

static REGISTRY: &[StepInfo] = &[
    denominate::INFO,
    impute_step::INFO,
    screen::INFO,
    treat_step::INFO,
    normalise_step::INFO,
    weight_step::INFO,
    aggregate_step::INFO,
];

/// Every registered step.
pub fn registry() -> &'static [StepInfo] {
    REGISTRY
}

/// The registered step with this name.
pub fn find(name: &str) -> Option<&'static StepInfo> {
    REGISTRY.iter().find(|s| s.name == name)
}

/// Names of the registered steps.
pub fn names() -> Vec<&'static str> {
    REGISTRY.iter().map(|s| s.name).collect()
}

/// Builds a step from its spec.
pub fn build(spec: &StepSpec, framework: &Framework) -> Result<Box<dyn Step>> {
    let info = find(&spec.step).ok_or_else(|| crate::Error::Param {
        step: spec.step.clone(),
        source: ParamError::UnknownMethod { name: "step".into(), got: spec.step.clone(), valid: names() },
    })?;
    (info.build)(spec, framework).map_err(|source| crate::Error::Param { step: spec.step.clone(), source })
}

/// A harness for step tests: builds a step and applies it to one period of a panel.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Context, StepOutput};
    use crate::{Dataset, Framework, Matrix, StepSpec, Unit};

    /// Applies `spec` to period `k` of `panel` (one dataset per period); `series` defaults to none
    /// and `units` to plain units named after the rows of period `k`.
    pub fn apply(
        spec: &StepSpec,
        framework: &Framework,
        periods: &[&str],
        panel: &[Dataset],
        k: usize,
        series: Option<&Dataset>,
        units: Option<&[Unit]>,
    ) -> crate::Result<StepOutput> {
        let periods: Vec<String> = periods.iter().map(|s| s.to_string()).collect();
        let refs: Vec<&Dataset> = panel.iter().collect();
        let rows = panel[k].units.clone();
        let none = Dataset::new(rows.clone(), Vec::new(), Matrix::missing(rows.len(), 0))?;
        let plain: Vec<Unit> = rows.iter().map(|u| Unit::new(u)).collect();
        let ctx = Context {
            framework,
            units: units.unwrap_or(&plain),
            period: &periods[k],
            series: series.unwrap_or(&none),
            periods: &periods,
            period_index: k,
            panel: &refs,
            weights: None,
        };
        super::build(spec, framework)?.apply(&ctx, &panel[k])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NodeSpec;

    #[test]
    fn registry_names_unique_and_defaults_build() {
        let fw = Framework::build(vec![NodeSpec::aggregate("I", None), NodeSpec::indicator("a", "I")]).unwrap();
        let names = names();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[..i].contains(n), "duplicate step {n}");
            let s = build(&StepSpec::new(n), &fw).unwrap();
            assert_eq!(s.name(), *n);
        }
        assert!(build(&StepSpec::new("nope"), &fw).is_err());
    }
}
