//! Uncertain inputs and how they map onto the pipeline: each input replaces step parameters
//! (the same edit as `--set STEP.PARAM=VALUE`), replaces the aggregation weights (noisy weight
//! sets), or leaves one indicator out (its aggregation weight set to 0, so that its siblings
//! share its weight, as COINr shares a missing indicator's weight).

use std::collections::BTreeMap;

use super::rng::{STREAM_NOISE, uniform};
use crate::{Framework, Pipeline, StepSpec, Value};

/// One parameter replaced in one step of the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// Position of the step in the pipeline.
    pub step: usize,
    /// Parameter path (`["range"]`, `["overrides", "CO2", "method"]`).
    pub path: Vec<String>,
    /// The new value.
    pub value: Value,
}

/// Applies an edit to a pipeline (missing intermediate tables are created, a non-table on the
/// path is replaced by a table).
pub fn apply_edit(pipeline: &mut [StepSpec], e: &Edit) {
    let Some(spec) = pipeline.get_mut(e.step) else { return };
    let Some((last, parents)) = e.path.split_last() else { return };
    let mut table = &mut spec.params;
    for p in parents {
        let entry = table.entry(p.clone()).or_insert_with(|| Value::Table(BTreeMap::new()));
        if !matches!(entry, Value::Table(_)) {
            *entry = Value::Table(BTreeMap::new());
        }
        let Value::Table(t) = entry else { return };
        table = t;
    }
    table.insert(last.clone(), e.value.clone());
}

/// What an input varies.
#[derive(Debug, Clone, PartialEq)]
pub enum InputKind {
    /// Discrete alternatives, each a set of edits (e.g. `normalise` with `method = "zscore"` and
    /// `mean_sd = [10, 2]`), with a label each.
    Alternatives {
        /// The edits of every alternative.
        alternatives: Vec<Vec<Edit>>,
        /// One label per alternative (for tables and `--replay`).
        labels: Vec<String>,
    },
    /// A numeric parameter uniform over `[lower, upper]` (`integer`: uniform over the integers).
    Interval {
        /// Step position.
        step: usize,
        /// Parameter path.
        path: Vec<String>,
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
        /// Draw integers (`lower..=upper`).
        integer: bool,
    },
    /// Whole weight sets (by framework position) for the `aggregate` step at `step`; each run
    /// picks one set (COINr: `get_noisy_weights`, then a discrete input over the sets).
    WeightSets {
        /// Position of the `aggregate` step.
        step: usize,
        /// Weight of every node, one vector per set.
        sets: Vec<Vec<f64>>,
    },
    /// Leave one indicator out (weight 0 in the `aggregate` step at `step`); one alternative per
    /// indicator (framework positions).
    LeaveOneOut {
        /// Position of the `aggregate` step.
        step: usize,
        /// Indicators that may be left out.
        indicators: Vec<usize>,
    },
}

/// An uncertain input.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Name (a column of the run table, a row of the Sobol table).
    pub name: String,
    /// What it varies.
    pub kind: InputKind,
}

/// The value an input takes in one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Choice {
    /// A discrete alternative (0-based).
    Alt(usize),
    /// A number (interval inputs).
    Value(f64),
}

impl Choice {
    /// A hashable key (alternative index or the number's bits).
    pub(crate) fn key(self) -> u64 {
        match self {
            Choice::Alt(i) => i as u64,
            Choice::Value(x) => x.to_bits(),
        }
    }
}

impl Input {
    /// Number of discrete alternatives (`None` for an interval).
    pub fn alternatives(&self) -> Option<usize> {
        match &self.kind {
            InputKind::Alternatives { alternatives, .. } => Some(alternatives.len()),
            InputKind::Interval { .. } => None,
            InputKind::WeightSets { sets, .. } => Some(sets.len()),
            InputKind::LeaveOneOut { indicators, .. } => Some(indicators.len()),
        }
    }

    /// The steps this input edits.
    pub fn step(&self) -> Vec<usize> {
        match &self.kind {
            InputKind::Alternatives { alternatives, .. } => {
                let mut s: Vec<usize> = alternatives.iter().flatten().map(|e| e.step).collect();
                s.sort_unstable();
                s.dedup();
                s
            }
            InputKind::Interval { step, .. }
            | InputKind::WeightSets { step, .. }
            | InputKind::LeaveOneOut { step, .. } => vec![*step],
        }
    }

    /// True for inputs that only change the weights of the final `aggregate` step.
    pub(crate) fn is_weights(&self) -> bool {
        matches!(self.kind, InputKind::WeightSets { .. } | InputKind::LeaveOneOut { .. })
    }

    /// The value of an interval input at the uniform number `u` (integers: `lower + ⌊u·k⌋`).
    pub fn interval_value(&self, u: f64) -> f64 {
        match &self.kind {
            InputKind::Interval { lower, upper, integer: false, .. } => lower + u * (upper - lower),
            InputKind::Interval { lower, upper, integer: true, .. } => {
                let k = (upper - lower + 1.0).floor().max(1.0);
                (lower + (u * k).floor()).min(*upper)
            }
            _ => u,
        }
    }

    /// A label of a choice (the alternative's label, the indicator left out, the set number or
    /// the number).
    pub fn label(&self, c: Choice, fw: &Framework) -> String {
        match (&self.kind, c) {
            (InputKind::Alternatives { labels, .. }, Choice::Alt(i)) => labels.get(i).cloned().unwrap_or_default(),
            (InputKind::WeightSets { .. }, Choice::Alt(i)) => (i + 1).to_string(),
            (InputKind::LeaveOneOut { indicators, .. }, Choice::Alt(i)) => {
                indicators.get(i).map(|&k| fw.node(k).code().to_string()).unwrap_or_default()
            }
            (_, Choice::Value(x)) => format!("{x}"),
            (_, Choice::Alt(i)) => (i + 1).to_string(),
        }
    }

    /// The edits of a choice, as `--set` would make them.
    pub fn edits(&self, c: Choice, fw: &Framework) -> Vec<Edit> {
        match (&self.kind, c) {
            (InputKind::Alternatives { alternatives, .. }, Choice::Alt(i)) => {
                alternatives.get(i).cloned().unwrap_or_default()
            }
            (InputKind::Interval { step, path, integer, .. }, Choice::Value(x)) => vec![Edit {
                step: *step,
                path: path.clone(),
                value: if *integer { Value::Int(x as i64) } else { Value::Float(x) },
            }],
            (InputKind::WeightSets { step, sets }, Choice::Alt(i)) => {
                let Some(set) = sets.get(i) else { return Vec::new() };
                fw.nodes()
                    .iter()
                    .zip(set)
                    .filter(|(n, _)| n.parent_idx.is_some())
                    .map(|(n, &w)| Edit {
                        step: *step,
                        path: vec!["weights".into(), n.code().to_string()],
                        value: Value::Float(w),
                    })
                    .collect()
            }
            (InputKind::LeaveOneOut { step, indicators }, Choice::Alt(i)) => indicators
                .get(i)
                .map(|&k| Edit {
                    step: *step,
                    path: vec!["weights".into(), fw.node(k).code().to_string()],
                    value: Value::Int(0),
                })
                .into_iter()
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Where weight noise applies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NoiseScope {
    /// Every node of a level (1 = indicators).
    Level(u32),
    /// One node (framework position).
    Node(usize),
}

/// COINr's `get_noisy_weights`: `sets` copies of the nominal weights (framework positions) in
/// which every weight in a scope is multiplied by `1 + f·(2U − 1)`, U uniform on [0, 1) drawn
/// from (seed, set, node).
pub fn noisy_weights(
    nominal: &[f64],
    fw: &Framework,
    noise: &[(NoiseScope, f64)],
    sets: usize,
    seed: u64,
) -> Vec<Vec<f64>> {
    (0..sets)
        .map(|s| {
            let mut w = nominal.to_vec();
            for (i, node) in fw.nodes().iter().enumerate() {
                let factor = noise.iter().rev().find_map(|(scope, f)| match scope {
                    NoiseScope::Node(k) if *k == i => Some(*f),
                    NoiseScope::Level(l) if *l == node.level => Some(*f),
                    _ => None,
                });
                if let Some(f) = factor {
                    let u = uniform(seed, STREAM_NOISE, s as u64, i as u64);
                    w[i] += (u * 2.0 - 1.0) * f * w[i];
                }
            }
            w
        })
        .collect()
}

/// Why an uncertain input does not fit the pipeline.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The input edits a step the pipeline does not have.
    #[error("input '{input}': the pipeline has no step number {step}; steps: {}", steps.join(", "))]
    NoStep {
        /// Input name.
        input: String,
        /// Step position asked for.
        step: usize,
        /// The pipeline's steps.
        steps: Vec<String>,
    },
    /// Weight inputs must edit an `aggregate` step.
    #[error("input '{input}': weights and leave-one-out apply to an aggregate step, step {step} is '{got}'")]
    NotAggregate {
        /// Input name.
        input: String,
        /// Step position.
        step: usize,
        /// Its name.
        got: String,
    },
    /// An alternative gives a step an invalid parameter.
    #[error("input '{input}', alternative {alternative}: {source}")]
    Invalid {
        /// Input name.
        input: String,
        /// The alternative (label).
        alternative: String,
        /// The core's error when building the edited pipeline.
        source: Box<crate::Error>,
    },
    /// An input has no alternative, an empty or flipped interval, or weight sets of the wrong length.
    #[error("input '{input}': {what}")]
    Empty {
        /// Input name.
        input: String,
        /// What is wrong.
        what: String,
    },
    /// Two inputs share a name.
    #[error("two inputs are named '{0}'")]
    Duplicate(String),
}

/// The dry run: checks that every input edits a step of the pipeline and that every
/// alternative (every discrete choice, both ends of an interval) builds a valid pipeline.
pub fn check_inputs(pipeline: &[StepSpec], fw: &Framework, inputs: &[Input]) -> Result<(), InputError> {
    let steps: Vec<String> = pipeline.iter().map(|s| s.step.clone()).collect();
    for (k, input) in inputs.iter().enumerate() {
        if inputs[..k].iter().any(|o| o.name == input.name) {
            return Err(InputError::Duplicate(input.name.clone()));
        }
        let empty = |what: &str| InputError::Empty { input: input.name.clone(), what: what.to_string() };
        for s in input.step() {
            if s >= pipeline.len() {
                return Err(InputError::NoStep { input: input.name.clone(), step: s, steps: steps.clone() });
            }
        }
        if let InputKind::WeightSets { step, .. } | InputKind::LeaveOneOut { step, .. } = &input.kind
            && pipeline[*step].step != "aggregate"
        {
            return Err(InputError::NotAggregate {
                input: input.name.clone(),
                step: *step,
                got: pipeline[*step].step.clone(),
            });
        }
        let choices: Vec<Choice> = match &input.kind {
            InputKind::Alternatives { alternatives, .. } => {
                if alternatives.is_empty() {
                    return Err(empty("no alternatives"));
                }
                (0..alternatives.len()).map(Choice::Alt).collect()
            }
            InputKind::Interval { lower, upper, .. } => {
                if lower >= upper || !lower.is_finite() || !upper.is_finite() {
                    return Err(empty("the interval must have lower < upper"));
                }
                vec![Choice::Value(input.interval_value(0.0)), Choice::Value(input.interval_value(1.0 - 1e-12))]
            }
            InputKind::WeightSets { sets, .. } => {
                if sets.is_empty() {
                    return Err(empty("no weight sets"));
                }
                if sets.iter().any(|s| s.len() != fw.nodes().len()) {
                    return Err(empty("a weight set does not give a weight to every node"));
                }
                (0..sets.len()).map(Choice::Alt).collect()
            }
            InputKind::LeaveOneOut { indicators, .. } => {
                if indicators.is_empty() {
                    return Err(empty("no indicators to leave out"));
                }
                (0..indicators.len()).map(Choice::Alt).collect()
            }
        };
        for c in choices {
            let mut p = pipeline.to_vec();
            for e in input.edits(c, fw) {
                apply_edit(&mut p, &e);
            }
            if let Err(e) = Pipeline::build(&p, fw) {
                return Err(InputError::Invalid {
                    input: input.name.clone(),
                    alternative: input.label(c, fw),
                    source: Box::new(e),
                });
            }
        }
    }
    Ok(())
}
