//! Results of a computed index: every stage, every node's scores, ranks and tiers, and the log.

use serde::Serialize;

use crate::{Dataset, Framework, Params, Text, TierScheme};

/// What one step did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepLog {
    /// Step name.
    pub step: String,
    /// Stage produced.
    pub stage: String,
    /// What it changed.
    pub messages: Vec<Text>,
    /// Cells it changed, one by one (imputed cells, capped points, dropped units…).
    pub changes: Vec<CellChange>,
}

/// One cell a step changed (or a unit or indicator it dropped).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellChange {
    /// Unit code (empty when the change concerns a whole indicator).
    pub unit: String,
    /// Indicator code (empty when the change concerns a whole unit).
    pub code: String,
    /// Value before (NaN when missing or not applicable).
    #[serde(serialize_with = "nan_as_null")]
    pub before: f64,
    /// Value after (NaN when missing or not applicable).
    #[serde(serialize_with = "nan_as_null")]
    pub after: f64,
    /// What was done (e.g. `mean`, `winsorised_high`, `log_ct`, `dropped`).
    pub what: String,
}

fn nan_as_null<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() { s.serialize_f64(*x) } else { s.serialize_none() }
}

/// The results of one period.
#[derive(Debug, Clone)]
pub struct PeriodResult {
    /// The period.
    pub period: String,
    /// Every stage the pipeline produced, in order, starting with `Raw`.
    pub stages: Vec<(String, Dataset)>,
    /// What each step did.
    pub log: Vec<StepLog>,
    /// Column of every framework node in the last stage (by framework position).
    node_cols: Vec<usize>,
    /// Rank of every unit for every node (by framework position).
    ranks: Vec<Vec<Option<u32>>>,
    /// Tier (band position) of every unit for every node, `None` when not tiered.
    tiers: Vec<Vec<Option<usize>>>,
    /// Lower break of every band (best first) for every node, `None` when not tiered.
    tier_breaks: Vec<Option<Vec<f64>>>,
    /// Weight of every node used in aggregation (framework position).
    pub weights: Vec<f64>,
    /// Effective weight of every node in the index (framework position).
    pub effective_weights: Vec<f64>,
}

impl PeriodResult {
    pub(crate) fn new(
        period: String,
        stages: Vec<(String, Dataset)>,
        log: Vec<StepLog>,
        weights: Vec<f64>,
        framework: &Framework,
        tiers: Option<&TierScheme>,
    ) -> crate::Result<Self> {
        let last = &stages.last().expect("the pipeline always yields a stage").1;
        let mut node_cols = Vec::with_capacity(framework.nodes().len());
        for n in framework.nodes() {
            node_cols.push(last.column(n.code()).ok_or_else(|| crate::Error::StepBrokeInvariant {
                step: "aggregate".into(),
                what: format!("node '{}' missing from the last stage", n.code()),
            })?);
        }
        let ranks = node_cols.iter().map(|&j| crate::rank::rank_desc(last.data.col(j))).collect();
        // Fit the scheme to every tiered node's scores (data-driven breaks differ by node and
        // period), then assign.
        let mut tier_breaks = Vec::with_capacity(node_cols.len());
        for (n, &j) in framework.nodes().iter().zip(&node_cols) {
            tier_breaks.push(match tiers {
                Some(t) if t.applies_to(n.code(), n.is_indicator()) => Some(
                    t.fit(last.data.col(j))
                        .map_err(|source| crate::Error::Tiers {
                            node: n.code().to_string(),
                            period: period.clone(),
                            source,
                        })?
                        .into_lower_breaks(),
                ),
                _ => None,
            });
        }
        let tiers = tier_breaks
            .iter()
            .zip(&node_cols)
            .map(|(b, &j)| match b {
                Some(b) => last.data.col(j).iter().map(|&v| crate::tier::assign(b, v)).collect(),
                None => vec![None; last.units.len()],
            })
            .collect();
        let effective_weights = framework.effective_weights(&weights);
        Ok(PeriodResult { period, stages, log, node_cols, ranks, tiers, tier_breaks, weights, effective_weights })
    }

    /// The final stage (Aggregated): every node's scores.
    pub fn scores_dataset(&self) -> &Dataset {
        &self.stages.last().expect("at least one stage").1
    }

    /// Unit codes (rows of every score vector).
    pub fn units(&self) -> &[String] {
        &self.scores_dataset().units
    }

    /// Scores of a node (framework position) for every unit.
    pub fn scores(&self, node: usize) -> &[f64] {
        self.scores_dataset().data.col(self.node_cols[node])
    }

    /// Ranks of a node for every unit.
    pub fn ranks(&self, node: usize) -> &[Option<u32>] {
        &self.ranks[node]
    }

    /// Tier (band position in the scheme) of a node for every unit.
    pub fn tiers(&self, node: usize) -> &[Option<usize>] {
        &self.tiers[node]
    }

    /// Lower break of every band of a node (framework position), best first, as fitted to this
    /// period's scores: the `fixed` thresholds (`-inf` for a catch-all band) or the computed
    /// breaks of a data-driven method. `None` when the node is not tiered.
    pub fn tier_breaks(&self, node: usize) -> Option<&[f64]> {
        self.tier_breaks[node].as_deref()
    }

    /// A stage by name.
    pub fn stage(&self, name: &str) -> Option<&Dataset> {
        self.stages.iter().find(|(n, _)| n == name).map(|(_, d)| d)
    }
}

/// The results of every period.
#[derive(Debug, Clone)]
pub struct Results {
    /// One result per period, in order.
    pub periods: Vec<PeriodResult>,
    /// Resolved parameters of every step, in pipeline order (name, params).
    pub steps: Vec<(String, Params)>,
    /// Weight of every node used in aggregation in the first period (framework position); see
    /// [`PeriodResult::weights`] for each period (data-driven weights can differ by period).
    pub weights: Vec<f64>,
    /// Effective weight of every node in the index, first period.
    pub effective_weights: Vec<f64>,
}
