//! `optimised`: weights that give each child a target share of influence on its parent — COINr's
//! `get_opt_weights` ("a linear version of" Becker et al., "Weights and importance in composite
//! indicators: closing the gap", *Ecological Indicators* 80 (2017) 12–22).
//!
//! The influence of a child is measured by its correlation with the parent score. For candidate
//! weights `w` of the children `x₁ … x_k` of an aggregate:
//!
//! ```text
//!   w̃ = w / Σw
//!   parent_u = Σⱼ w̃ⱼ x_uj / Σⱼ w̃ⱼ    over the children present for unit u (COINr a_amean)
//!   cⱼ = corr(xⱼ, parent)                 (Pearson or Spearman, pairwise-complete units)
//!   balance (default):  minimise  ln( Σⱼ (tⱼ − cⱼ/Σc)² / k ),  t = itarg / Σ itarg,  start at t
//!   infomax:            minimise  −Σⱼ cⱼ,                                          start at the prior weights
//! ```
//!
//! by Nelder–Mead (`crate::optim`, the variant of R's `optim`, with COINr's defaults `toler =
//! 0.1` for R's `reltol` and `maxiter = 500`); the weights are the optimum scaled to sum to 1.
//! The log makes the objective fall steeply near the target, so even the loose `reltol` of 0.1
//! (relative to the starting value) drives the normalised correlations to within about 10⁻⁶ of
//! the target (COINr's V8c: 0.5000007 / 0.4999993).
//!
//! **Which parent score.** COINr re-aggregates the whole index for every candidate and correlates
//! every node of the level with the *index*, optimising all the level's weights jointly. baydex's
//! weighting methods see one aggregate at a time, so the parent here is the weighted arithmetic
//! mean of the children's values (the `weight` step's provisional scores above level 1). The two
//! agree exactly when the aggregate is the index itself — the level just below the index, as in
//! COINr's vignette and oracle V8c (Conn and Sust → Index, `level = 3` in ASEM) — and whenever the
//! `aggregate` step then uses the arithmetic mean. For a lower level, baydex balances each group
//! against its own parent, not against the index.
//!
//! A group with one child gets weight 1. Weights can come out negative if the targets ask for it
//! (COINr does not constrain them either). Not converging within `maxiter` evaluations is an error
//! (COINr only prints a message).
//!
//! Reference: COINr 1.1.14 `get_opt_weights` (`R/weights.R`), oracle V8c in
//! `crates/data/tests/coinr_weights.rs` (normalised correlations 0.5/0.5 within 10⁻³).

use std::collections::BTreeMap;

use super::pca::pooled_columns;
use super::{WeightError, WeightInput, Weighter};
use crate::Text;
use crate::audit::correlation::{pearson, spearman};
use crate::optim::{NelderMead, Status, nelder_mead};
use crate::{ParamError, ParamInfo, ParamReader, Value};

/// Parameters of `optimised`.
pub(super) const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "itarg",
        default: "\"equal\"",
        doc_en: "optimised: target importances, \"equal\" or per aggregate { Index = [1, 2] } (children in framework order)",
        doc_zh: "optimised：目标重要性，\"equal\" 或按合成节点给出 { Index = [1, 2] }（下级按指标体系顺序）",
    },
    ParamInfo {
        name: "optype",
        default: "\"balance\"",
        doc_en: "optimised: balance (match itarg) | infomax (maximise the sum of correlations)",
        doc_zh: "optimised：balance（匹配目标重要性）| infomax（相关系数之和最大）",
    },
    ParamInfo {
        name: "cortype",
        default: "\"pearson\"",
        doc_en: "optimised: correlation of children with the parent: pearson | spearman",
        doc_zh: "optimised：下级与上级的相关系数：pearson | spearman",
    },
    ParamInfo {
        name: "toler",
        default: "0.1",
        doc_en: "optimised: Nelder–Mead relative tolerance (R optim reltol; COINr's default)",
        doc_zh: "optimised：Nelder–Mead 相对收敛容差（R optim 的 reltol；COINr 默认值）",
    },
    ParamInfo {
        name: "maxiter",
        default: "500",
        doc_en: "optimised: most objective evaluations (R optim maxit)",
        doc_zh: "optimised：目标函数最多计算次数（R optim 的 maxit）",
    },
];

/// What the weights optimise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpType {
    /// Normalised correlations match the target importances.
    Balance,
    /// The sum of the correlations is as large as possible.
    Infomax,
}

/// Target importances.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// Every child equally.
    Equal,
    /// Per aggregate code, in the framework order of its children.
    PerNode(BTreeMap<String, Vec<f64>>),
}

/// Correlation-balancing weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Optimised {
    /// Target importances.
    pub itarg: Targets,
    /// Objective.
    pub optype: OpType,
    /// Spearman instead of Pearson.
    pub spearman: bool,
    /// Nelder–Mead relative tolerance.
    pub toler: f64,
    /// Most evaluations.
    pub maxiter: usize,
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Weighter>, ParamError> {
    Ok(Box::new(Optimised::from_params(r)?))
}

impl Optimised {
    /// Reads and checks the parameters.
    pub fn from_params(r: &ParamReader<'_>) -> Result<Self, ParamError> {
        let itarg = match r.get("itarg") {
            None => Targets::Equal,
            Some(Value::Str(s)) if s == "equal" => Targets::Equal,
            Some(Value::Table(t)) => {
                let mut m = BTreeMap::new();
                for (code, v) in t {
                    let wrong = || ParamError::WrongType {
                        name: format!("itarg.{code}"),
                        expected: "an array of positive numbers, one per child",
                        got: v.to_string(),
                    };
                    let Value::Array(a) = v else { return Err(wrong()) };
                    let xs: Vec<f64> = a.iter().map(Value::as_f64).collect::<Option<_>>().ok_or_else(wrong)?;
                    if xs.is_empty() || xs.iter().any(|x| !x.is_finite() || *x <= 0.0) {
                        return Err(wrong());
                    }
                    m.insert(code.clone(), xs);
                }
                Targets::PerNode(m)
            }
            Some(v) => {
                return Err(ParamError::WrongType {
                    name: "itarg".into(),
                    expected: "\"equal\" or a table { AGGREGATE = [1, 2, …] }",
                    got: v.to_string(),
                });
            }
        };
        let optype = match r.choice("optype", "balance", &["balance", "infomax"])? {
            "infomax" => OpType::Infomax,
            _ => OpType::Balance,
        };
        let spearman = r.choice("cortype", "pearson", &["pearson", "spearman"])? == "spearman";
        let toler = r.f64("toler", 0.1)?;
        if toler < 0.0 {
            return Err(ParamError::OutOfDomain {
                name: "toler".into(),
                got: toler.to_string(),
                expected: "a non-negative tolerance",
            });
        }
        let maxiter = r.usize("maxiter", 500)?;
        if maxiter == 0 {
            return Err(ParamError::OutOfDomain { name: "maxiter".into(), got: "0".into(), expected: "at least 1" });
        }
        Ok(Optimised { itarg, optype, spearman, toler, maxiter })
    }
}

/// The parent score for weights `w` (COINr `a_amean`: missing children dropped with their weight).
pub(crate) fn parent_score(cols: &[Vec<f64>], w: &[f64]) -> Vec<f64> {
    let n = cols.first().map_or(0, Vec::len);
    (0..n)
        .map(|u| {
            let (mut acc, mut ws, mut any) = (0.0, 0.0, false);
            for (c, &wj) in cols.iter().zip(w) {
                if !c[u].is_nan() {
                    acc += wj * c[u];
                    ws += wj;
                    any = true;
                }
            }
            if any { acc / ws } else { f64::NAN }
        })
        .collect()
}

/// The result of an optimisation (for tests and reports).
#[derive(Debug, Clone, PartialEq)]
pub struct OptimisedFit {
    /// Weights, summing to 1.
    pub weights: Vec<f64>,
    /// Correlations of the children with the parent at the optimum (normalised to sum 1 for
    /// `balance`).
    pub correlations: Vec<f64>,
    /// Objective at the optimum.
    pub objective: f64,
    /// Objective evaluations.
    pub evaluations: usize,
}

impl Optimised {
    /// Correlations of each child with the parent for weights `w`.
    fn correlations(&self, cols: &[Vec<f64>], w: &[f64]) -> Vec<f64> {
        let parent = parent_score(cols, w);
        cols.iter().map(|c| if self.spearman { spearman(c, &parent).0 } else { pearson(c, &parent).0 }).collect()
    }

    /// The optimisation for one group.
    pub fn fit(&self, input: &WeightInput<'_>) -> Result<OptimisedFit, WeightError> {
        let err = |reason: Text| WeightError::Data { method: "optimised", node: input.node.to_string(), reason };
        let k = input.children.len();
        if k == 1 {
            return Ok(OptimisedFit { weights: vec![1.0], correlations: vec![1.0], objective: 0.0, evaluations: 0 });
        }
        let target: Vec<f64> = match &self.itarg {
            Targets::Equal => vec![1.0 / k as f64; k],
            Targets::PerNode(m) => {
                let t = m.get(input.node).ok_or_else(|| {
                    err(Text::new(
                        format!(
                            "itarg gives no targets for it; add itarg.{} = [{k} numbers] for {}",
                            input.node,
                            input.child_codes.join(", ")
                        ),
                        format!(
                            "itarg 没有给出它的目标值；请添加 itarg.{} = [{k} 个数]，对应 {}",
                            input.node,
                            input.child_codes.join("、")
                        ),
                    ))
                })?;
                if t.len() != k {
                    return Err(err(Text::new(
                        format!(
                            "itarg.{} has {} targets but there are {k} children ({})",
                            input.node,
                            t.len(),
                            input.child_codes.join(", ")
                        ),
                        format!(
                            "itarg.{} 有 {} 个目标值，但有 {k} 个下级（{}）",
                            input.node,
                            t.len(),
                            input.child_codes.join("、")
                        ),
                    )));
                }
                let s: f64 = t.iter().sum();
                t.iter().map(|x| x / s).collect()
            }
        };
        let cols = pooled_columns(input);
        let objective = |w: &[f64]| -> f64 {
            let s: f64 = w.iter().sum();
            let wn: Vec<f64> = w.iter().map(|x| x / s).collect();
            let c = self.correlations(&cols, &wn);
            match self.optype {
                OpType::Balance => {
                    let cs: f64 = c.iter().sum();
                    let sq: f64 = target.iter().zip(&c).map(|(t, x)| (t - x / cs).powi(2)).sum();
                    (sq / k as f64).ln()
                }
                OpType::Infomax => -c.iter().sum::<f64>(),
            }
        };
        let start: Vec<f64> = match self.optype {
            OpType::Balance => target.clone(),
            OpType::Infomax => input.prior.to_vec(),
        };
        let m = nelder_mead(objective, &start, NelderMead { reltol: self.toler, max_evaluations: self.maxiter })
            .ok_or_else(|| {
                err(Text::new(
                    "the objective is undefined at the starting weights (a child or the parent is constant, or there are fewer than 2 units)",
                    "目标函数在初始权重处无定义（某个下级或上级为常数，或单元少于 2 个）",
                ))
            })?;
        match m.status {
            Status::Converged => {}
            Status::MaxEvaluations => {
                return Err(err(Text::new(
                    format!(
                        "Nelder–Mead did not converge in {} evaluations (objective {:.6}); raise maxiter or toler",
                        m.evaluations, m.value
                    ),
                    format!(
                        "Nelder–Mead 在 {} 次求值内未收敛（目标值 {:.6}）；请调大 maxiter 或 toler",
                        m.evaluations, m.value
                    ),
                )));
            }
            Status::Degenerate => {
                return Err(err(Text::new(
                    format!("the Nelder–Mead simplex degenerated (objective {:.6}); try another toler", m.value),
                    format!("Nelder–Mead 单纯形退化（目标值 {:.6}）；请尝试其他 toler", m.value),
                )));
            }
        }
        let s: f64 = m.x.iter().sum();
        if s == 0.0 || !s.is_finite() {
            return Err(err(Text::new("the optimal weights sum to zero", "最优权重之和为 0")));
        }
        let weights: Vec<f64> = m.x.iter().map(|x| x / s).collect();
        let mut correlations = self.correlations(&cols, &weights);
        if self.optype == OpType::Balance {
            let cs: f64 = correlations.iter().sum();
            correlations.iter_mut().for_each(|c| *c /= cs);
        }
        Ok(OptimisedFit { weights, correlations, objective: m.value, evaluations: m.evaluations })
    }
}

impl Weighter for Optimised {
    fn name(&self) -> &'static str {
        "optimised"
    }

    fn weights(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        Ok(self.fit(input)?.weights)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;

    /// The objective's log makes Nelder–Mead overshoot the loose tolerance by far; 10⁻⁴ is a
    /// comfortable bound on the distance to the target here.
    const TARGET_TOL: f64 = 1e-4;

    fn optimised(entries: Vec<(&str, Value)>) -> Result<Optimised, ParamError> {
        let mut p = Params::new();
        for (k, v) in entries {
            p.insert(k.into(), v);
        }
        let r = ParamReader::new(&p, PARAMS)?;
        assert_eq!(build(&r)?.name(), "optimised");
        Optimised::from_params(&r)
    }

    /// Three children: a wide one, a narrow one and a noisy one.
    fn data() -> [Vec<f64>; 3] {
        let a: Vec<f64> = (0..20).map(|i| (i as f64 * 1.7).sin() * 40.0 + 50.0).collect();
        let b: Vec<f64> = (0..20).map(|i| (i as f64 * 0.9).cos() * 5.0 + 50.0).collect();
        let c: Vec<f64> = (0..20).map(|i| ((i * 7 % 11) as f64) * 3.0 + (i as f64 * 0.3).sin() * 10.0).collect();
        [a, b, c]
    }

    #[test]
    fn parent_score_drops_missing_children_with_their_weight() {
        let nan = f64::NAN;
        let cols = vec![vec![10.0, nan, nan], vec![20.0, 40.0, nan]];
        let p = parent_score(&cols, &[1.0, 3.0]);
        assert_eq!(p[0], (10.0 + 60.0) / 4.0);
        assert_eq!(p[1], 40.0);
        assert!(p[2].is_nan());
    }

    #[test]
    fn equal_influence_is_reached() {
        let [a, b, c] = data();
        let kids: [&[f64]; 3] = [&a, &b, &c];
        let i = WeightInput { node: "G", child_codes: &["a", "b", "c"], children: &kids, panel: &[], prior: &[1.0; 3] };
        let o = optimised(vec![("toler", Value::Float(1e-10))]).unwrap();
        let f = o.fit(&i).unwrap();
        for c in &f.correlations {
            assert!((c - 1.0 / 3.0).abs() < TARGET_TOL, "{:?}", f.correlations);
        }
        assert!((f.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // With equal weights the wide child dominates; the optimum gives it less weight.
        assert!(f.weights[0] < f.weights[1], "{:?}", f.weights);
        assert_eq!(o.weights(&i).unwrap(), f.weights);
    }

    #[test]
    fn unequal_targets_per_node() {
        let [a, b, _] = data();
        let kids: [&[f64]; 2] = [&a, &b];
        let i = WeightInput { node: "G", child_codes: &["a", "b"], children: &kids, panel: &[], prior: &[1.0; 2] };
        let t = Value::Table([("G".to_string(), Value::Array(vec![Value::Int(1), Value::Int(3)]))].into());
        let o = optimised(vec![("itarg", t)]).unwrap();
        let f = o.fit(&i).unwrap();
        assert!((f.correlations[0] - 0.25).abs() < TARGET_TOL && (f.correlations[1] - 0.75).abs() < TARGET_TOL);
        // Targets for another node only: an error naming the node.
        let e = o.fit(&WeightInput { node: "H", ..i }).unwrap_err();
        assert!(e.to_string().contains("itarg.H"), "{e}");
    }

    #[test]
    fn infomax_does_not_lower_the_total_correlation() {
        let [a, b, c] = data();
        let kids: [&[f64]; 3] = [&a, &b, &c];
        let i = WeightInput { node: "G", child_codes: &["a", "b", "c"], children: &kids, panel: &[], prior: &[1.0; 3] };
        let o = optimised(vec![("optype", Value::Str("infomax".into())), ("toler", Value::Float(1e-10))]).unwrap();
        let f = o.fit(&i).unwrap();
        let cols = vec![a.clone(), b.clone(), c.clone()];
        let start: f64 = o.correlations(&cols, &[1.0 / 3.0; 3]).iter().sum();
        assert!(f.correlations.iter().sum::<f64>() >= start - 1e-12);
    }

    #[test]
    fn single_child_and_constant_child() {
        let a = [1.0, 2.0, 3.0];
        let kids: [&[f64]; 1] = [&a];
        let i = WeightInput { node: "G", child_codes: &["a"], children: &kids, panel: &[], prior: &[1.0] };
        assert_eq!(optimised(vec![]).unwrap().weights(&i).unwrap(), vec![1.0]);
        let kids: [&[f64]; 2] = [&a, &[5.0, 5.0, 5.0]];
        let i = WeightInput { node: "G", child_codes: &["a", "b"], children: &kids, panel: &[], prior: &[1.0; 2] };
        assert!(optimised(vec![]).unwrap().weights(&i).is_err());
    }

    #[test]
    fn params() {
        let bad = |k: &str, v: Value| optimised(vec![(k, v)]).unwrap_err();
        assert!(matches!(bad("itarg", Value::Str("unequal".into())), ParamError::WrongType { .. }));
        let t = Value::Table([("G".to_string(), Value::Array(vec![Value::Int(0)]))].into());
        assert!(matches!(bad("itarg", t), ParamError::WrongType { .. }));
        assert!(matches!(bad("optype", Value::Str("x".into())), ParamError::UnknownMethod { .. }));
        assert!(matches!(bad("cortype", Value::Str("kendall".into())), ParamError::UnknownMethod { .. }));
        assert!(matches!(bad("toler", Value::Float(-1.0)), ParamError::OutOfDomain { .. }));
        assert!(matches!(bad("maxiter", Value::Int(0)), ParamError::OutOfDomain { .. }));
    }
}
