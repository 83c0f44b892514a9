//! The pipeline runner: builds steps from specs, runs them period by period, checks invariants
//! after every step, and assembles ranks and tiers.

use crate::step::{self, Context, Step};
use crate::{Dataset, Error, Framework, Matrix, PeriodResult, Project, Result, Results, StepLog, StepSpec, Unit};

/// Every stage of one run (name, dataset), starting with `Raw`, and what each step did.
pub type RunOutput = (Vec<(String, Dataset)>, Vec<StepLog>);

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

    /// Runs every step on `raw`; returns the stages (starting with `Raw`) and the log.
    pub fn run(&self, ctx: &Context<'_>, raw: Dataset) -> Result<RunOutput> {
        let mut stages = vec![("Raw".to_string(), raw)];
        let mut log = Vec::with_capacity(self.steps.len());
        for s in &self.steps {
            let input = &stages.last().expect("Raw is always there").1;
            let (out, messages) = s.apply(ctx, input)?;
            check_invariants(s.as_ref(), input, &out)?;
            log.push(StepLog { step: s.name().into(), stage: s.stage().into(), messages });
            stages.push((s.stage().to_string(), out));
        }
        Ok((stages, log))
    }
}

fn check_invariants(s: &dyn Step, input: &Dataset, out: &Dataset) -> Result<()> {
    let broke = |what: String| Err(Error::StepBrokeInvariant { step: s.name().into(), what });
    if out.units != input.units {
        return broke("the units changed".into());
    }
    if s.changes_columns() {
        if out.columns.len() < input.columns.len() || out.columns[..input.columns.len()] != input.columns[..] {
            return broke("the input columns were not kept in front".into());
        }
    } else if out.columns != input.columns {
        return broke("the columns changed".into());
    }
    if !s.may_add_missing() {
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
    let mut periods = Vec::with_capacity(project.meta.periods.len());
    for p in &project.meta.periods {
        let k = panel.period(p).ok_or_else(|| Error::UnknownPeriod { period: p.clone() })?;
        let m = &panel.data[k];
        let pick = |cols: &[(String, usize)]| -> Result<Dataset> {
            let data: Vec<Vec<f64>> = cols.iter().map(|(_, j)| m.col(*j).to_vec()).collect();
            Dataset::new(
                panel.units.clone(),
                cols.iter().map(|(c, _)| c.clone()).collect(),
                Matrix::from_columns(panel.units.len(), &data)?,
            )
        };
        let raw = pick(&ind_cols)?;
        let series = pick(&series_cols)?;
        let ctx = Context { framework: fw, units: &project.units, period: p, series: &series };
        let (stages, log) = pipe.run(&ctx, raw).map_err(|e| e.context(format!("period {p}")))?;
        periods.push(PeriodResult::new(p.clone(), stages, log, fw, project.tiers.as_ref())?);
    }
    let weights = pipe.weights(fw);
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
    let ctx = Context { framework, units: &unit_list, period: "", series: &series };
    let (stages, log) = pipe.run(&ctx, raw)?;
    PeriodResult::new(String::new(), stages, log, framework, None)
}
