//! `weight`: compute the weights of the children of aggregates with a weighting method
//! ([`crate::weight`]) and hand them to the `aggregate` step.
//!
//! `level = n` weights the nodes of level `n` within their parents (1 = indicators within their
//! dimensions, as COINr's `Level = 1`); `nodes = ["A", …]` restricts it to the children of the
//! aggregates named. For `n > 1` the children's values are provisional scores: the input
//! aggregated with the weights known so far (`provisional = "amean"`, COINr's re-aggregation).
//! With `pool = true` a method that supports panels sees every period's values (e.g. pooled
//! entropy weights), and the same weights apply to every period. The data pass through unchanged.

use super::{Context, Step, StepInfo, StepOutput};
use crate::weight::{self, WeightError, WeightInput, Weighter};
use crate::{Dataset, Error, Framework, ParamError, ParamInfo, ParamReader, Params, Result, StepSpec, Text, Value};

/// Parameters of the step itself; each method adds its own (see [`weight::registry`]).
const OWN: &[ParamInfo] = &[
    ParamInfo {
        name: "method",
        default: "\"equal\"",
        doc_en: "weighting method (see docs/methods/)",
        doc_zh: "赋权方法（见 docs/methods/）",
    },
    ParamInfo {
        name: "level",
        default: "1",
        doc_en: "level of the nodes to weight within their parents (1 = indicators)",
        doc_zh: "被赋权节点所在层级（1 = 指标）",
    },
    ParamInfo {
        name: "nodes",
        default: "[]",
        doc_en: "only the children of these aggregates (default: every aggregate with children at `level`)",
        doc_zh: "仅对这些合成节点的下级赋权（默认：下级位于 `level` 层的所有合成节点）",
    },
    ParamInfo {
        name: "provisional",
        default: "\"amean\"",
        doc_en: "level > 1: how the children's provisional scores are aggregated",
        doc_zh: "level > 1 时，下级节点临时得分的合成方法",
    },
    ParamInfo {
        name: "pool",
        default: "false",
        doc_en: "panels: compute one set of weights from all periods pooled",
        doc_zh: "面板数据：合并所有期计算同一组权重",
    },
];

/// Every parameter name the step accepts: its own and every method's.
fn all_params() -> Vec<ParamInfo> {
    let mut v: Vec<ParamInfo> = OWN.to_vec();
    for m in weight::registry() {
        for p in m.params {
            if !v.iter().any(|q| q.name == p.name) {
                v.push(*p);
            }
        }
    }
    v
}

pub(super) const INFO: StepInfo = StepInfo {
    name: "weight",
    stage: "Weighted",
    params: OWN,
    doc_en: "Compute the weights of the children of aggregates (entropy, CRITIC, PCA, AHP, …).",
    doc_zh: "计算合成节点下级的权重（熵权、CRITIC、主成分、层次分析等）。",
    build,
};

/// The `weight` step.
#[derive(Debug)]
pub struct WeightStep {
    method: Box<dyn Weighter>,
    level: u32,
    /// Aggregates whose children are weighted (framework positions).
    targets: Vec<usize>,
    provisional: String,
    pool: bool,
    resolved: Params,
}

fn build(spec: &StepSpec, fw: &Framework) -> std::result::Result<Box<dyn Step>, ParamError> {
    let known = all_params();
    let r = ParamReader::new(&spec.params, &known)?;
    let names = weight::names();
    let m = r.choice("method", "equal", &names)?;
    let info = weight::registry().iter().find(|x| x.name == m).expect("checked against the registry");
    // Parameters of other methods are errors, not silently ignored.
    for k in spec.params.keys() {
        if !OWN.iter().any(|p| p.name == k) && !info.params.iter().any(|p| p.name == k) {
            let mut valid: Vec<&'static str> = OWN.iter().map(|p| p.name).collect();
            valid.extend(info.params.iter().map(|p| p.name));
            return Err(ParamError::Unknown { name: k.clone(), valid });
        }
    }
    let method = (info.build)(&r)?;
    let level = r.usize("level", 1)? as u32;
    if level < 1 || level >= fw.max_level() {
        return Err(ParamError::UnknownTarget {
            name: "level".into(),
            code: level.to_string(),
            expected: "a level below the index",
        });
    }
    let mut targets: Vec<usize> = Vec::new();
    match r.get("nodes") {
        None => {
            for &a in fw.aggregates() {
                if fw.node(a).children.iter().any(|&c| fw.node(c).level == level) {
                    targets.push(a);
                }
            }
        }
        Some(Value::Array(list)) => {
            for v in list {
                let code = v.as_str().ok_or_else(|| ParamError::WrongType {
                    name: "nodes".into(),
                    expected: "an array of aggregate codes",
                    got: v.to_string(),
                })?;
                let i = fw.find(code).filter(|&i| !fw.node(i).is_indicator()).ok_or_else(|| {
                    ParamError::UnknownTarget { name: "nodes".into(), code: code.into(), expected: "an aggregate" }
                })?;
                targets.push(i);
            }
        }
        Some(v) => {
            return Err(ParamError::WrongType {
                name: "nodes".into(),
                expected: "an array of aggregate codes",
                got: v.to_string(),
            });
        }
    }
    // Tables keyed by node code (AHP matrices, expert values) must name nodes of the framework;
    // the methods' builders cannot see it.
    for key in ["matrices", "values"] {
        for (code, _) in r.table(key)? {
            let ok = match fw.find(code) {
                Some(i) => key != "matrices" || !fw.node(i).is_indicator(),
                None => false,
            };
            if !ok {
                return Err(ParamError::UnknownTarget {
                    name: key.into(),
                    code: code.into(),
                    expected: if key == "matrices" { "an aggregate" } else { "a node" },
                });
            }
        }
    }
    let provisional = r.choice("provisional", "amean", &crate::aggregate::names())?.to_string();
    let pool = r.bool("pool", false)?;
    let mut resolved = spec.params.clone();
    resolved.insert("method".into(), Value::Str(method.name().into()));
    resolved.insert("level".into(), Value::Int(level as i64));
    resolved.insert("provisional".into(), Value::Str(provisional.clone()));
    resolved.insert("pool".into(), Value::Bool(pool));
    Ok(Box::new(WeightStep { method, level, targets, provisional, pool, resolved }))
}

/// Units below which objective (data-driven) weights are fragile.
pub const FEW_UNITS: usize = 30;

impl WeightStep {
    /// The values the children are weighted on: the input's columns for indicators, provisional
    /// aggregate scores for higher levels.
    fn values(&self, ctx: &Context<'_>, input: &Dataset, weights: &[f64]) -> Result<Dataset> {
        if self.level == 1 {
            return Ok(input.clone());
        }
        super::aggregate_step::provisional(ctx, input, weights, &self.provisional)
    }
}

impl Step for WeightStep {
    fn name(&self) -> &'static str {
        INFO.name
    }
    fn stage(&self) -> &'static str {
        INFO.stage
    }
    fn resolved(&self) -> Params {
        self.resolved.clone()
    }

    fn apply(&self, ctx: &Context<'_>, input: &Dataset) -> Result<StepOutput> {
        let fw = ctx.framework;
        let mut weights: Vec<f64> =
            ctx.weights.map(<[f64]>::to_vec).unwrap_or_else(|| fw.nodes().iter().map(|n| n.spec.weight).collect());
        let here = self.values(ctx, input, &weights)?;
        let others: Vec<Dataset> = if self.pool {
            ctx.panel.iter().map(|d| self.values(ctx, d, &weights)).collect::<Result<_>>()?
        } else {
            Vec::new()
        };
        let mut lines_en = Vec::new();
        let mut lines_zh = Vec::new();
        let mut notes: Vec<Text> = Vec::new();
        let mut mixed: Vec<&str> = Vec::new();
        for &a in &self.targets {
            let node = fw.node(a);
            let kids = &node.children;
            let codes: Vec<&str> = kids.iter().map(|&c| fw.node(c).code()).collect();
            let col = |d: &Dataset, code: &str| -> Vec<f64> {
                d.values(code).map_or_else(|| vec![f64::NAN; d.units.len()], <[f64]>::to_vec)
            };
            let cols: Vec<Vec<f64>> = codes.iter().map(|c| col(&here, c)).collect();
            let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            let panel_cols: Vec<Vec<Vec<f64>>> =
                others.iter().map(|d| codes.iter().map(|c| col(d, c)).collect()).collect();
            let panel: Vec<Vec<&[f64]>> = panel_cols.iter().map(|p| p.iter().map(Vec::as_slice).collect()).collect();
            let prior: Vec<f64> = kids.iter().map(|&c| weights[c]).collect();
            let w = self
                .method
                .weights(&WeightInput {
                    node: node.code(),
                    child_codes: &codes,
                    children: &refs,
                    panel: &panel,
                    prior: &prior,
                })
                .map_err(|e| match e {
                    WeightError::Data { method, node, reason } => Error::Weighting { method, node, reason },
                })?;
            if w.len() != kids.len() || w.iter().any(|x| !x.is_finite()) {
                return Err(Error::StepBrokeInvariant {
                    step: INFO.name.into(),
                    what: format!(
                        "method {} gave {} weights for {} children of '{}'",
                        self.method.name(),
                        w.len(),
                        kids.len(),
                        node.code()
                    ),
                });
            }
            let input_ref =
                WeightInput { node: node.code(), child_codes: &codes, children: &refs, panel: &panel, prior: &prior };
            notes.extend(self.method.notes(&input_ref));
            let total: f64 = w.iter().sum();
            let shares: Vec<String> = codes
                .iter()
                .zip(&w)
                .map(|(c, x)| format!("{c} {:.3}", if total != 0.0 { x / total } else { f64::NAN }))
                .collect();
            lines_en.push(format!("{}: {}", node.code(), shares.join(", ")));
            lines_zh.push(format!("{}：{}", node.code(), shares.join("，")));
            if w.iter().any(|&x| x > 0.0) && w.iter().any(|&x| x < 0.0) {
                mixed.push(node.code());
            }
            for (&c, &x) in kids.iter().zip(&w) {
                weights[c] = x;
            }
        }
        let mut messages = vec![Text::new(
            format!("{} weights (shares within each group) — {}", self.method.name(), lines_en.join("; ")),
            format!("{} 权重（组内占比）——{}", self.method.name(), lines_zh.join("；")),
        )];
        if !mixed.is_empty() {
            messages.push(Text::new(
                format!(
                    "warning: weights of mixed sign in {}: a child with a negative weight lowers its parent as it improves, and scores can leave the children's range",
                    mixed.join(", ")
                ),
                format!("警告：{} 的权重有正有负：负权重的下级越好，上级得分反而越低，且得分可能超出下级的取值范围", mixed.join("，")),
            ));
        }
        if self.method.name() != "equal"
            && self.method.name() != "expert"
            && self.method.name() != "ahp"
            && input.units.len() < FEW_UNITS
        {
            messages.push(Text::new(
                format!(
                    "warning: objective weights from only {} units are fragile (fewer than {FEW_UNITS}); check them with the audit and a sensitivity analysis",
                    input.units.len()
                ),
                format!(
                    "警告：仅由 {} 个单元计算的客观权重不稳定（少于 {FEW_UNITS} 个）；请结合统计审计与敏感性分析检验",
                    input.units.len()
                ),
            ));
        }
        messages.extend(notes);
        Ok(StepOutput { data: input.clone(), messages, changes: Vec::new(), weights: Some(weights) })
    }
}
