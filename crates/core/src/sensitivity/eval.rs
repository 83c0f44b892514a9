//! The evaluation engine: runs the pipeline once per run of a design, fast.
//!
//! The steps before the final `aggregate` depend only on the inputs that edit them; their output
//! is computed once per distinct combination of those inputs' choices (COINr's setup varies
//! `treat` and `normalise` over 5 × 2 combinations, so 10 prefix runs serve 6,000 runs). The
//! final `aggregate` runs for every run on per-thread scratch buffers, with the aggregators of the
//! built `aggregate` step (one build per distinct combination of the inputs editing it other than
//! the weights) and the run's weights: the general step's arithmetic, without its allocations.
//! `tests::fast_path_equals_the_general_pipeline` checks that both give the same numbers.
//!
//! Runs are independent and written in run order, so the results do not depend on the number of
//! threads.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::inputs::{Choice, Input, InputKind, apply_edit};
use crate::aggregate::{AggError, AggInput};
use crate::pipeline::period_inputs;
use crate::step::aggregate_step::{AggregateStep, build_concrete};
use crate::{Dataset, Error, Framework, PeriodInput, Pipeline, Project, Result, StepSpec};

/// The output of every run: the target's score of every project unit, run-major.
#[derive(Debug, Clone)]
pub struct Evaluated {
    /// `runs × units` scores (NaN: missing, or the run failed).
    pub scores: Vec<f64>,
    /// True for a run whose pipeline failed (COINr: "Regen failed", all scores NA).
    pub failed: Vec<bool>,
    /// The first failure (run, error), for the report.
    pub first_error: Option<(usize, Error)>,
}

/// The output of the steps before the final `aggregate`, for the analysed period.
struct Prefix {
    data: Dataset,
    /// Weights set by a `weight` step, if any.
    weights: Option<Vec<f64>>,
    /// Project unit of every row.
    rows: Vec<usize>,
    /// Column of every framework node in `data` (indicators; all nodes when there is no tail).
    cols: Vec<Option<usize>>,
}

/// Per-thread scratch buffers.
struct Scratch {
    /// Aggregate scores, one column of `n` per aggregate (in `Framework::aggregates` order).
    agg: Vec<f64>,
    /// Weight of every node.
    w: Vec<f64>,
    /// Weights of one node's children.
    wn: Vec<f64>,
}

/// The engine for one project, period, target node and set of inputs.
pub(crate) struct Engine<'a> {
    project: &'a Project,
    inputs: &'a [Input],
    period: usize,
    target: usize,
    /// Steps `..split` are the prefix; `split..` the final `aggregate` (empty when the pipeline
    /// does not end with one).
    split: usize,
    prefix_inputs: Vec<usize>,
    tail_inputs: Vec<usize>,
    weight_inputs: Vec<usize>,
    raw: Vec<PeriodInput>,
    /// Scratch slot of every aggregate node.
    slot: Vec<Option<usize>>,
    child_codes: Vec<Vec<&'a str>>,
    nan: Vec<f64>,
}

impl<'a> Engine<'a> {
    pub(crate) fn new(project: &'a Project, inputs: &'a [Input], period: usize, target: usize) -> Result<Self> {
        let fw = &project.framework;
        let pl = &project.pipeline;
        let split = match pl.last() {
            Some(s) if s.step == "aggregate" => pl.len() - 1,
            _ => pl.len(),
        };
        let mut prefix_inputs = Vec::new();
        let mut tail_inputs = Vec::new();
        let mut weight_inputs = Vec::new();
        for (k, input) in inputs.iter().enumerate() {
            let steps = input.step();
            if steps.iter().any(|&s| s < split) {
                prefix_inputs.push(k);
            } else if input.is_weights() {
                weight_inputs.push(k);
            } else {
                tail_inputs.push(k);
            }
        }
        let mut slot = vec![None; fw.nodes().len()];
        for (k, &a) in fw.aggregates().iter().enumerate() {
            slot[a] = Some(k);
        }
        let child_codes =
            fw.aggregates().iter().map(|&a| fw.node(a).children.iter().map(|&c| fw.node(c).code()).collect()).collect();
        Ok(Engine {
            project,
            inputs,
            period,
            target,
            split,
            prefix_inputs,
            tail_inputs,
            weight_inputs,
            raw: period_inputs(project)?,
            slot,
            child_codes,
            nan: vec![f64::NAN; project.units.len()],
        })
    }

    fn fw(&self) -> &'a Framework {
        &self.project.framework
    }

    /// The pipeline of a run restricted to the given inputs.
    fn edited(&self, row: &[Choice], which: &[usize]) -> Vec<StepSpec> {
        let mut p = self.project.pipeline.clone();
        for &k in which {
            for e in self.inputs[k].edits(row[k], self.fw()) {
                apply_edit(&mut p, &e);
            }
        }
        p
    }

    fn prefix(&self, specs: &[StepSpec]) -> Result<Prefix> {
        let fw = self.fw();
        let steps = specs[..self.split].iter().map(|s| crate::step::build(s, fw)).collect::<Result<Vec<_>>>()?;
        let mut out = Pipeline::from_steps(steps).run(fw, &self.project.units, self.raw.clone())?;
        if self.period >= out.len() {
            return Err(Error::UnknownPeriod { period: self.period.to_string() });
        }
        let (mut stages, _, weights) = out.swap_remove(self.period);
        let data = stages.pop().map(|(_, d)| d).ok_or(Error::NoAggregate)?;
        let rows = data
            .units
            .iter()
            .map(|u| self.project.units.iter().position(|p| &p.code == u).unwrap_or(usize::MAX))
            .collect();
        let cols = fw.nodes().iter().map(|n| data.column(n.code())).collect();
        Ok(Prefix { data, weights, rows, cols })
    }

    /// Evaluates `runs` runs (`choices`: `runs × inputs`, row-major); `progress` counts runs done.
    pub(crate) fn evaluate(&self, choices: &[Choice], progress: &(dyn Fn(usize) + Sync)) -> Evaluated {
        let d = self.inputs.len();
        let nu = self.project.units.len();
        let runs = choices.len().checked_div(d).unwrap_or(0);
        let rows: Vec<&[Choice]> = (0..runs).map(|r| &choices[r * d..(r + 1) * d]).collect();
        // Distinct prefixes and tails.
        let keyed = |which: &[usize]| -> (Vec<usize>, Vec<usize>) {
            let mut map: HashMap<Vec<u64>, usize> = HashMap::new();
            let mut reps = Vec::new();
            let ids = rows
                .iter()
                .enumerate()
                .map(|(r, row)| {
                    let key: Vec<u64> = which.iter().map(|&k| row[k].key()).collect();
                    *map.entry(key).or_insert_with(|| {
                        reps.push(r);
                        reps.len() - 1
                    })
                })
                .collect();
            (ids, reps)
        };
        let (prefix_id, prefix_rep) = keyed(&self.prefix_inputs);
        let (tail_id, tail_rep) = keyed(&self.tail_inputs);
        let prefixes: Vec<Result<Prefix>> =
            prefix_rep.par_iter().map(|&r| self.prefix(&self.edited(rows[r], &self.prefix_inputs))).collect();
        let tails: Vec<Result<Option<AggregateStep>>> = tail_rep
            .iter()
            .map(|&r| {
                if self.split == self.project.pipeline.len() {
                    return Ok(None);
                }
                let specs = self.edited(rows[r], &self.tail_inputs);
                build_concrete(&specs[self.split], self.fw())
                    .map(Some)
                    .map_err(|source| Error::Param { step: "aggregate".into(), source })
            })
            .collect();
        let mut scores = vec![f64::NAN; runs * nu];
        let mut errors: Vec<Option<Error>> = vec![None; runs];
        let done = AtomicUsize::new(0);
        let n_agg = self.fw().aggregates().len();
        scores.par_chunks_mut(nu.max(1)).zip(errors.par_iter_mut()).enumerate().for_each_init(
            || Scratch { agg: Vec::new(), w: Vec::new(), wn: Vec::new() },
            |scratch, (r, (out, err))| {
                let res = match (&prefixes[prefix_id[r]], &tails[tail_id[r]]) {
                    (Err(e), _) | (_, Err(e)) => Err(e.clone()),
                    (Ok(p), Ok(None)) => {
                        self.copy_target(p, None, out);
                        Ok(())
                    }
                    (Ok(p), Ok(Some(agg))) => {
                        scratch.agg.clear();
                        scratch.agg.resize(n_agg * p.data.units.len(), f64::NAN);
                        self.tail(p, agg, rows[r], scratch).map(|()| self.copy_target(p, Some(&scratch.agg), out))
                    }
                };
                if let Err(e) = res {
                    out.fill(f64::NAN);
                    *err = Some(e);
                }
                let k = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(k);
            },
        );
        let first_error = errors.iter().enumerate().find_map(|(r, e)| e.clone().map(|e| (r, e)));
        let failed = errors.iter().map(Option::is_some).collect();
        Evaluated { scores, failed, first_error }
    }

    fn copy_target(&self, p: &Prefix, agg: Option<&[f64]>, out: &mut [f64]) {
        let n = p.data.units.len();
        let col: &[f64] = match (agg, self.slot[self.target]) {
            (Some(a), Some(s)) => &a[s * n..(s + 1) * n],
            _ => match p.cols[self.target] {
                Some(j) => p.data.data.col(j),
                None => &self.nan[..n],
            },
        };
        out.fill(f64::NAN);
        for (&u, &v) in p.rows.iter().zip(col) {
            if let Some(o) = out.get_mut(u) {
                *o = v;
            }
        }
    }

    /// The final `aggregate` of one run, as `AggregateStep::apply` computes it.
    fn tail(&self, p: &Prefix, agg: &AggregateStep, row: &[Choice], s: &mut Scratch) -> Result<()> {
        let fw = self.fw();
        let (aggregators, overrides) = agg.parts();
        s.w.clear();
        match &p.weights {
            Some(w) => {
                s.w.extend_from_slice(w);
                for &(i, x) in overrides {
                    s.w[i] = x;
                }
            }
            None => s.w.extend_from_slice(agg.weights()),
        }
        for &k in &self.weight_inputs {
            match (&self.inputs[k].kind, row[k]) {
                (InputKind::WeightSets { sets, .. }, Choice::Alt(i)) => {
                    if let Some(set) = sets.get(i) {
                        for (j, n) in fw.nodes().iter().enumerate() {
                            if n.parent_idx.is_some() {
                                s.w[j] = set[j];
                            }
                        }
                    }
                }
                (InputKind::LeaveOneOut { indicators, .. }, Choice::Alt(i)) => {
                    if let Some(&j) = indicators.get(i) {
                        s.w[j] = 0.0;
                    }
                }
                _ => {}
            }
        }
        let n = p.data.units.len();
        for &a in fw.aggregates() {
            if fw.node(a).children.iter().all(|&c| s.w[c] == 0.0) {
                return Err(Error::Param {
                    step: "aggregate".into(),
                    source: crate::ParamError::OutOfDomain {
                        name: "weights".into(),
                        got: fw.node(a).code().into(),
                        expected: "every aggregate needs at least one child with a positive weight",
                    },
                });
            }
        }
        const MAX_KIDS: usize = 64;
        for (k, &a) in fw.aggregates().iter().enumerate() {
            let node = fw.node(a);
            let Some(aggregator) = aggregators.get(&a) else {
                return Err(Error::StepBrokeInvariant {
                    step: "aggregate".into(),
                    what: format!("no aggregator was built for '{}'", node.code()),
                });
            };
            let (done, rest) = s.agg.split_at_mut(k * n);
            let out = &mut rest[..n];
            s.wn.clear();
            s.wn.extend(node.children.iter().map(|&c| s.w[c]));
            let child = |c: usize| -> &[f64] {
                match (self.slot[c], p.cols[c]) {
                    (Some(sl), _) if sl < k => &done[sl * n..(sl + 1) * n],
                    (_, Some(j)) if fw.node(c).is_indicator() => p.data.data.col(j),
                    _ => &self.nan[..n],
                }
            };
            let mut arr: [&[f64]; MAX_KIDS] = [&[]; MAX_KIDS];
            let spill: Vec<&[f64]>;
            let kids: &[&[f64]] = if node.children.len() <= MAX_KIDS {
                for (slot, &c) in arr.iter_mut().zip(&node.children) {
                    *slot = child(c);
                }
                &arr[..node.children.len()]
            } else {
                spill = node.children.iter().map(|&c| child(c)).collect();
                &spill
            };
            let input = AggInput {
                children: kids,
                weights: &s.wn,
                units: &p.data.units,
                child_codes: &self.child_codes[k],
                node: node.code(),
            };
            aggregator.aggregate(&input, out).map_err(|e| match e {
                AggError::NonPositive { method, unit, child, value } => {
                    Error::NonPositive { method, node: node.code().into(), unit, child, value }
                }
                other => Error::StepBrokeInvariant { step: "aggregate".into(), what: other.to_string() },
            })?;
        }
        Ok(())
    }
}
