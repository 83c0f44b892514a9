//! The pipeline runner: builds steps from specs, runs them period by period, checks invariants
//! after every step, and assembles ranks and tiers.

use crate::step::{self, Context, Step};
use crate::{Dataset, Error, Framework, Matrix, PeriodResult, Project, Result, Results, StepLog, StepSpec, Unit};

/// Every stage of one period (name, dataset), starting with `Raw`, what each step did, and the
/// node weights the last weighting or aggregating step used (by framework position).
pub type RunOutput = (Vec<(String, Dataset)>, Vec<StepLog>, Option<Vec<f64>>);

/// The input of one period: its raw indicators and its auxiliary series.
#[derive(Debug, Clone)]
pub struct PeriodInput {
    /// The period.
    pub period: String,
    /// Indicators (columns in the framework's indicator order).
    pub raw: Dataset,
    /// Auxiliary series, one row per project unit.
    pub series: Dataset,
}

/// A built pipeline: steps with validated parameters.
#[derive(Debug)]
pub struct Pipeline {
    steps: Vec<Box<dyn Step>>,
}

impl Pipeline {
    /// Builds every step, checking parameters; requires an `aggregate` step.
    pub fn build(specs: &[StepSpec], framework: &Framework) -> Result<Pipeline> {
        let steps = specs.iter().map(|s| step::build(s, framework)).collect::<Result<Vec<_>>>()?;
        if !steps.iter().any(|s| s.changes_columns()) {
            return Err(Error::NoAggregate);
        }
        Ok(Pipeline { steps })
    }

    /// A pipeline of already-built steps, without the `aggregate` requirement (the sensitivity
    /// engine runs the steps before the final `aggregate` once per distinct parameter set).
    pub(crate) fn from_steps(steps: Vec<Box<dyn Step>>) -> Pipeline {
        Pipeline { steps }
    }

    /// The steps.
    pub fn steps(&self) -> &[Box<dyn Step>] {
        &self.steps
    }

    /// Weights used by the aggregate step (framework position), or the framework's own.
    pub fn weights(&self, framework: &Framework) -> Vec<f64> {
        match self.steps.iter().find_map(|s| s.weights()) {
            Some(w) => w.to_vec(),
            None => framework.nodes().iter().map(|n| n.spec.weight).collect(),
        }
    }

    /// Runs every step on every period: step by step, each step applied to all periods before
    /// the next, so that steps can look across time. Returns, per period, the stages (starting with
    /// `Raw`) and the log.
    pub fn run(&self, framework: &Framework, units: &[Unit], inputs: Vec<PeriodInput>) -> Result<Vec<RunOutput>> {
        let periods: Vec<String> = inputs.iter().map(|p| p.period.clone()).collect();
        let mut series = Vec::with_capacity(inputs.len());
        let mut out: Vec<RunOutput> = Vec::with_capacity(inputs.len());
        for p in inputs {
            series.push(p.series);
            out.push((vec![("Raw".to_string(), p.raw)], Vec::with_capacity(self.steps.len()), None));
        }
        for s in &self.steps {
            let panel: Vec<&Dataset> =
                out.iter().map(|(st, _, _)| &st.last().expect("Raw is always there").1).collect();
            let mut results = Vec::with_capacity(periods.len());
            for (k, period) in periods.iter().enumerate() {
                let ctx = Context {
                    framework,
                    units,
                    period,
                    series: &series[k],
                    periods: &periods,
                    period_index: k,
                    panel: &panel,
                    weights: out[k].2.as_deref(),
                };
                let o = s
                    .apply(&ctx, panel[k])
                    .map_err(|e| if period.is_empty() { e } else { e.context(format!("period {period}")) })?;
                check_invariants(s.as_ref(), panel[k], &o.data)?;
                results.push(o);
            }
            for ((stages, log, weights), o) in out.iter_mut().zip(results) {
                if o.weights.is_some() {
                    *weights = o.weights;
                }
                log.push(StepLog {
                    step: s.name().into(),
                    stage: s.stage().into(),
                    messages: o.messages,
                    changes: o.changes,
                });
                stages.push((s.stage().to_string(), o.data));
            }
        }
        Ok(out)
    }
}

fn check_invariants(s: &dyn Step, input: &Dataset, out: &Dataset) -> Result<()> {
    let broke = |what: String| Err(Error::StepBrokeInvariant { step: s.name().into(), what });
    if s.changes_units() {
        // Units may only be dropped, never added or reordered.
        let mut it = input.units.iter();
        if !out.units.iter().all(|u| it.any(|v| v == u)) {
            return broke("units were added or reordered".into());
        }
    } else if out.units != input.units {
        return broke("the units changed".into());
    }
    if s.changes_columns() {
        if out.columns.len() < input.columns.len() || out.columns[..input.columns.len()] != input.columns[..] {
            return broke("the input columns were not kept in front".into());
        }
    } else if s.drops_columns() {
        let mut it = input.columns.iter();
        if !out.columns.iter().all(|c| it.any(|d| d == c)) {
            return broke("columns were added or reordered".into());
        }
    } else if out.columns != input.columns {
        return broke("the columns changed".into());
    }
    if !s.may_add_missing() && out.units == input.units && out.columns.len() >= input.columns.len() {
        for j in 0..input.columns.len() {
            let (a, b) = (input.data.col(j), out.data.col(j));
            if let Some(i) = a.iter().zip(b).position(|(x, y)| !x.is_nan() && y.is_nan()) {
                return broke(format!("a new missing value appeared at {} / {}", out.units[i], out.columns[j]));
            }
        }
    }
    Ok(())
}

/// Computes every period of a project.
pub fn compute(project: &Project) -> Result<Results> {
    compute_with(project, &project.pipeline)
}

/// Computes every period of a project with a replacement pipeline.
pub fn compute_with(project: &Project, pipeline: &[StepSpec]) -> Result<Results> {
    let fw = &project.framework;
    let pipe = Pipeline::build(pipeline, fw)?;
    let inputs = period_inputs(project)?;
    let runs = pipe.run(fw, &project.units, inputs)?;
    assemble(project, &pipe, runs)
}

/// The raw indicators and series of every period of a project, as the runner takes them.
pub(crate) fn period_inputs(project: &Project) -> Result<Vec<PeriodInput>> {
    let fw = &project.framework;
    let panel = &project.data;
    let ind_cols: Vec<(String, usize)> = fw
        .indicators()
        .iter()
        .map(|&i| {
            let code = fw.node(i).code();
            panel
                .column(code)
                .map(|j| (code.to_string(), j))
                .ok_or_else(|| Error::EmptyIndicator { indicator: code.to_string(), period: "*".into() })
        })
        .collect::<Result<_>>()?;
    let series_cols: Vec<(String, usize)> =
        project.series.iter().filter_map(|s| panel.column(&s.code).map(|j| (s.code.clone(), j))).collect();
    let mut inputs = Vec::with_capacity(project.meta.periods.len());
    for p in &project.meta.periods {
        let k = panel.period(p).ok_or_else(|| Error::UnknownPeriod { period: p.clone() })?;
        let m = &panel.data[k];
        let pick = |cols: &[(String, usize)]| -> Result<Dataset> {
            let mut data = Vec::with_capacity(panel.units.len() * cols.len());
            for (_, j) in cols {
                data.extend_from_slice(m.col(*j));
            }
            Dataset::new(
                panel.units.clone(),
                cols.iter().map(|(c, _)| c.clone()).collect(),
                Matrix::from_col_major(panel.units.len(), cols.len(), data)?,
            )
        };
        inputs.push(PeriodInput { period: p.clone(), raw: pick(&ind_cols)?, series: pick(&series_cols)? });
    }
    Ok(inputs)
}

/// Continues [`compute_with`]: assembles the results of a run.
fn assemble(project: &Project, pipe: &Pipeline, runs: Vec<RunOutput>) -> Result<Results> {
    let fw = &project.framework;
    let periods = project
        .meta
        .periods
        .iter()
        .zip(runs)
        .map(|(p, (stages, log, weights))| {
            let w = weights.unwrap_or_else(|| pipe.weights(fw));
            PeriodResult::new(p.clone(), stages, log, w, fw, project.tiers.as_ref())
        })
        .collect::<Result<Vec<_>>>()?;
    let weights = periods.first().map_or_else(|| pipe.weights(fw), |p| p.weights.clone());
    let effective_weights = fw.effective_weights(&weights);
    let steps = pipe.steps().iter().map(|s| (s.name().to_string(), s.resolved())).collect();
    Ok(Results { periods, steps, weights, effective_weights })
}

/// Computes one cross-section from an indicator matrix (columns in the framework's indicator
/// order); for library use and tests.
pub fn compute_matrix(
    framework: &Framework,
    units: &[&str],
    raw: &Matrix,
    pipeline: &[StepSpec],
) -> Result<PeriodResult> {
    let pipe = Pipeline::build(pipeline, framework)?;
    let codes: Vec<String> = units.iter().map(|u| u.to_string()).collect();
    let cols = framework.indicators().iter().map(|&i| framework.node(i).code().to_string()).collect();
    let raw = Dataset::new(codes.clone(), cols, raw.clone())?;
    let series = Dataset::new(codes.clone(), Vec::new(), Matrix::missing(codes.len(), 0))?;
    let unit_list: Vec<Unit> = units.iter().map(|u| Unit::new(u)).collect();
    let mut runs = pipe.run(framework, &unit_list, vec![PeriodInput { period: String::new(), raw, series }])?;
    let (stages, log, weights) = runs.pop().expect("one period in, one out");
    let w = weights.unwrap_or_else(|| pipe.weights(framework));
    PeriodResult::new(String::new(), stages, log, w, framework, None)
}
