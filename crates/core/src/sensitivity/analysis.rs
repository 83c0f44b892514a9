//! Uncertainty and sensitivity analysis of a project: design → runs → ranks → statistics.

use rayon::prelude::*;

use super::design::{Binning, Block, Design, DesignError, Sampling, block_of, discrete};
use super::eval::Engine;
use super::indices::{SobolIndex, SobolOptions, Variance, sobol_indices};
use super::inputs::{Choice, Input, InputError, InputKind, check_inputs};
use super::stats::{Summary, summary};
use crate::rank::rank_desc;
use crate::{Error, Project};

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// N: runs (uncertainty analysis) or rows of A and B (sensitivity analysis).
    pub n: usize,
    /// Seed of the Monte Carlo sample, the bootstrap and the noisy weights.
    pub seed: u64,
    /// Sampling of the unit hypercube.
    pub sampling: Sampling,
    /// True: Saltelli design and Sobol indices (N(d + 2) runs); false: uncertainty only (N runs).
    pub sensitivity: bool,
    /// How a uniform number picks a discrete alternative.
    pub binning: Binning,
    /// Bootstrap resamples of the Sobol indices (0 = none).
    pub bootstrap: usize,
    /// The node analysed (framework position).
    pub target: usize,
    /// The period analysed (position in the project's periods).
    pub period: usize,
    /// Also leave each indicator out once (deterministic, `indicators` runs).
    pub leave_one_out: bool,
}

/// Why an analysis cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SensitivityError {
    /// An input does not fit the pipeline (the dry run).
    #[error(transparent)]
    Input(#[from] InputError),
    /// The design cannot be made.
    #[error(transparent)]
    Design(#[from] DesignError),
    /// The nominal index cannot be computed.
    #[error("the nominal index: {0}")]
    Nominal(Box<Error>),
    /// No input was declared.
    #[error("no uncertain input is declared")]
    NoInputs,
    /// A replayed run table does not fit the inputs.
    #[error("replay: {}", .0.en)]
    Replay(crate::Text),
}

/// How often each unit lands in each tier.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TierFrequencies {
    /// Band codes, best first.
    pub bands: Vec<String>,
    /// Per unit, the share of counted runs in each band (runs without a tier are not counted).
    pub share: Vec<Vec<f64>>,
    /// Runs counted.
    pub runs: usize,
}

/// Leave-one-indicator-out: the target's ranks and scores with each indicator left out.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaveOneOut {
    /// Indicators (framework positions).
    pub indicators: Vec<usize>,
    /// `indicators × units` ranks.
    pub ranks: Vec<Option<u32>>,
    /// `indicators × units` scores.
    pub scores: Vec<f64>,
    /// Failed runs (e.g. an indicator that is its parent's only child).
    pub failed: Vec<bool>,
}

/// Everything an analysis produces.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Input names.
    pub names: Vec<String>,
    /// Project unit codes (columns of the per-run tables).
    pub units: Vec<String>,
    /// Nominal scores of the target, by unit.
    pub nominal_scores: Vec<f64>,
    /// Nominal ranks.
    pub nominal_ranks: Vec<Option<u32>>,
    /// N.
    pub n: usize,
    /// Saltelli design (sensitivity analysis) or plain sample.
    pub saltelli: bool,
    /// `runs × inputs` choices.
    pub choices: Vec<Choice>,
    /// `runs × units` scores.
    pub scores: Vec<f64>,
    /// `runs × units` ranks (1 = best, ties = min).
    pub ranks: Vec<Option<u32>>,
    /// Failed runs.
    pub failed: Vec<bool>,
    /// The first failure, in English (run number from 1, message).
    pub first_error: Option<(usize, Error)>,
    /// Mean absolute rank shift from the nominal ranking, per run (COINr's SA output).
    pub shift: Vec<f64>,
    /// Rank distribution of each unit (UA: all runs; SA: the A and B runs, as COINr).
    pub rank_stats: Vec<Summary>,
    /// Score distribution of each unit (same runs).
    pub score_stats: Vec<Summary>,
    /// Tier frequencies, when the project's tiers apply to the target.
    pub tiers: Option<TierFrequencies>,
    /// Sobol indices of each input (sensitivity analysis).
    pub sobol: Option<Vec<SobolIndex>>,
    /// Leave-one-indicator-out.
    pub loo: Option<LeaveOneOut>,
}

impl Outcome {
    /// Number of runs.
    pub fn runs(&self) -> usize {
        self.failed.len()
    }
    /// The block of run `r`.
    pub fn block(&self, r: usize) -> Block {
        block_of(self.saltelli, self.n, r)
    }
}

/// The choices of a design's rows.
pub fn choices_of(design: &Design, inputs: &[Input], binning: Binning) -> Vec<Choice> {
    let rows = design.rows();
    let d = inputs.len();
    let mut out = vec![Choice::Alt(0); rows * d];
    for (j, input) in inputs.iter().enumerate() {
        let col = design.column(j);
        match input.alternatives() {
            Some(k) => {
                for (r, a) in discrete(&col, k, binning).into_iter().enumerate() {
                    out[r * d + j] = Choice::Alt(a);
                }
            }
            None => {
                for (r, &u) in col.iter().enumerate() {
                    out[r * d + j] = Choice::Value(input.interval_value(u));
                }
            }
        }
    }
    out
}

/// Runs an analysis: checks the inputs (dry run), samples, runs, summarises. `progress` is
/// called with the number of runs done so far (from any thread).
pub fn analyse(
    project: &Project,
    inputs: &[Input],
    settings: &Settings,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Outcome, SensitivityError> {
    if inputs.is_empty() {
        return Err(SensitivityError::NoInputs);
    }
    check_inputs(&project.pipeline, &project.framework, inputs)?;
    let d = inputs.len();
    let design = if settings.sensitivity {
        Design::saltelli(settings.n, d, settings.sampling, settings.seed)?
    } else {
        Design::uncertainty(settings.n, d, settings.sampling, settings.seed)?
    };
    let choices = choices_of(&design, inputs, settings.binning);
    run_choices(project, inputs, settings, choices, progress)
}

/// Replays given runs (`runs × inputs` choices, e.g. COINr's `run_parameters.csv`); with
/// `settings.sensitivity`, the runs must be a Saltelli design of `settings.n` rows.
pub fn replay(
    project: &Project,
    inputs: &[Input],
    settings: &Settings,
    choices: Vec<Choice>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Outcome, SensitivityError> {
    if inputs.is_empty() {
        return Err(SensitivityError::NoInputs);
    }
    check_inputs(&project.pipeline, &project.framework, inputs)?;
    let d = inputs.len();
    let runs = choices.len() / d;
    if settings.sensitivity && runs != settings.n * (d + 2) {
        return Err(SensitivityError::Replay(crate::Text::new(
            format!(
                "a sensitivity analysis with N = {} and {d} inputs has {} runs, the table has {runs}",
                settings.n,
                settings.n * (d + 2)
            ),
            format!("N = {}、{d} 个输入的敏感性分析应有 {} 次运行，表中有 {runs} 次", settings.n, settings.n * (d + 2)),
        )));
    }
    for (r, row) in choices.chunks(d).enumerate() {
        for (input, c) in inputs.iter().zip(row) {
            let ok = match (input.alternatives(), c) {
                (Some(k), Choice::Alt(i)) => *i < k,
                (None, Choice::Value(x)) => x.is_finite(),
                _ => false,
            };
            if !ok {
                return Err(SensitivityError::Replay(crate::Text::new(
                    format!("run {}: input '{}' has no such value", r + 1, input.name),
                    format!("第 {} 次运行：输入 '{}' 没有这个取值", r + 1, input.name),
                )));
            }
        }
    }
    let mut s = settings.clone();
    if !s.sensitivity {
        s.n = runs;
    }
    run_choices(project, inputs, &s, choices, progress)
}

fn run_choices(
    project: &Project,
    inputs: &[Input],
    settings: &Settings,
    choices: Vec<Choice>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Outcome, SensitivityError> {
    let nominal = crate::compute(project).map_err(|e| SensitivityError::Nominal(Box::new(e)))?;
    let pr = nominal.periods.get(settings.period).ok_or_else(|| {
        SensitivityError::Nominal(Box::new(Error::UnknownPeriod { period: settings.period.to_string() }))
    })?;
    let units: Vec<String> = project.units.iter().map(|u| u.code.clone()).collect();
    let nu = units.len();
    let mut nominal_scores = vec![f64::NAN; nu];
    for (u, &v) in pr.units().iter().zip(pr.scores(settings.target)) {
        if let Some(k) = units.iter().position(|c| c == u) {
            nominal_scores[k] = v;
        }
    }
    let nominal_ranks = rank_desc(&nominal_scores);
    let engine = Engine::new(project, inputs, settings.period, settings.target)
        .map_err(|e| SensitivityError::Nominal(Box::new(e)))?;
    let ev = engine.evaluate(&choices, progress);
    let runs = ev.failed.len();
    let mut ranks = vec![None; runs * nu];
    ranks.par_chunks_mut(nu.max(1)).zip(ev.scores.par_chunks(nu.max(1))).for_each(|(r, s)| {
        r.copy_from_slice(&rank_desc(s));
    });
    let shift: Vec<f64> = ranks
        .chunks(nu.max(1))
        .map(|r| {
            let (sum, k) = r.iter().zip(&nominal_ranks).fold((0.0, 0usize), |(s, k), (a, b)| match (a, b) {
                (Some(a), Some(b)) => (s + (f64::from(*a) - f64::from(*b)).abs(), k + 1),
                _ => (s, k),
            });
            if k == 0 { f64::NAN } else { sum / k as f64 }
        })
        .collect();
    let n = settings.n;
    // COINr's rank statistics use all runs of an uncertainty analysis, the A and B runs of a
    // sensitivity analysis.
    let stat_runs = if settings.sensitivity { (2 * n).min(runs) } else { runs };
    let (rank_stats, score_stats): (Vec<Summary>, Vec<Summary>) = (0..nu)
        .into_par_iter()
        .map_init(Vec::new, |buf, u| {
            let r = summary((0..stat_runs).map(|k| ranks[k * nu + u].map_or(f64::NAN, f64::from)), buf);
            let s = summary((0..stat_runs).map(|k| ev.scores[k * nu + u]), buf);
            (r, s)
        })
        .unzip();
    let tiers = tier_frequencies(project, settings.target, &ev.scores, nu, stat_runs);
    let sobol = if settings.sensitivity {
        Some(sobol_indices(
            &shift,
            n,
            inputs.len(),
            &SobolOptions { variance: Variance::Sample, bootstrap: settings.bootstrap, seed: settings.seed },
        ))
    } else {
        None
    };
    let loo = if settings.leave_one_out { Some(leave_one_out(project, settings)?) } else { None };
    Ok(Outcome {
        names: inputs.iter().map(|i| i.name.clone()).collect(),
        units,
        nominal_scores,
        nominal_ranks,
        n,
        saltelli: settings.sensitivity,
        choices,
        scores: ev.scores,
        ranks,
        failed: ev.failed,
        first_error: ev.first_error,
        shift,
        rank_stats,
        score_stats,
        tiers,
        sobol,
        loo,
    })
}

fn tier_frequencies(
    project: &Project,
    target: usize,
    scores: &[f64],
    nu: usize,
    runs: usize,
) -> Option<TierFrequencies> {
    let scheme = project.tiers.as_ref()?;
    let node = project.framework.node(target);
    if !scheme.applies_to(node.code(), node.is_indicator()) {
        return None;
    }
    let nb = scheme.bands.len();
    let per_run: Vec<Option<Vec<Option<usize>>>> = (0..runs)
        .into_par_iter()
        .map(|r| {
            let s = &scores[r * nu..(r + 1) * nu];
            let fitted = scheme.fit(s).ok()?;
            Some(s.iter().map(|&v| fitted.assign(v)).collect())
        })
        .collect();
    let mut counts = vec![vec![0usize; nb]; nu];
    let mut counted = vec![0usize; nu];
    for t in per_run.iter().flatten() {
        for (u, b) in t.iter().enumerate() {
            if let Some(b) = b {
                counts[u][*b] += 1;
                counted[u] += 1;
            }
        }
    }
    let share = counts
        .iter()
        .zip(&counted)
        .map(|(c, &k)| c.iter().map(|&x| if k == 0 { f64::NAN } else { x as f64 / k as f64 }).collect())
        .collect();
    Some(TierFrequencies { bands: scheme.bands.iter().map(|b| b.code.clone()).collect(), share, runs })
}

/// Leaves each indicator out once (weight 0 in the last `aggregate` step).
fn leave_one_out(project: &Project, settings: &Settings) -> Result<LeaveOneOut, SensitivityError> {
    let fw = &project.framework;
    let Some(step) = project.pipeline.iter().rposition(|s| s.step == "aggregate") else {
        return Err(SensitivityError::Nominal(Box::new(Error::NoAggregate)));
    };
    let indicators = fw.indicators().to_vec();
    let inputs =
        [Input { name: "leave_one_out".into(), kind: InputKind::LeaveOneOut { step, indicators: indicators.clone() } }];
    let engine = Engine::new(project, &inputs, settings.period, settings.target)
        .map_err(|e| SensitivityError::Nominal(Box::new(e)))?;
    let choices: Vec<Choice> = (0..indicators.len()).map(Choice::Alt).collect();
    let ev = engine.evaluate(&choices, &|_| {});
    let nu = project.units.len();
    let ranks = ev.scores.chunks(nu.max(1)).flat_map(rank_desc).collect();
    Ok(LeaveOneOut { indicators, ranks, scores: ev.scores, failed: ev.failed })
}
