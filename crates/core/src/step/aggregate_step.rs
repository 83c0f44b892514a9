//! `aggregate`: compute every aggregate from its children, level by level up the tree
//! (level k + 1 from the already-aggregated level-k scores, as COINr's `Aggregate.coin`).
//!
//! Method priority: `nodes.<code>.method` > `levels."<n>".method` > `method`.
//! Weight priority: `weights.<code>` > `levels."<n>".weights` > the framework's weight.

use std::collections::BTreeMap;

use super::{Context, Step, StepInfo, StepOutput};
use crate::aggregate::{self, AggError, AggInput, Aggregator};
use crate::{Dataset, Error, Framework, ParamError, ParamInfo, ParamReader, Params, Result, StepSpec, Text, Value};

const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "method",
        default: "\"amean\"",
        doc_en: "aggregation method: amean | gmean | hmean | copeland",
        doc_zh: "合成方法：amean（加权算术平均）| gmean（几何平均）| hmean（调和平均）| copeland（Copeland 排序）",
    },
    ParamInfo {
        name: "weights",
        default: "{}",
        doc_en: "per-node weight overrides, e.g. { COM = 2 }",
        doc_zh: "按节点覆盖权重，例如 { COM = 2 }",
    },
    ParamInfo {
        name: "levels",
        default: "{}",
        doc_en: "per-level settings: { \"3\" = { method = \"gmean\", weights = \"equal\" } } (method computes level n; weights of the nodes at level n)",
        doc_zh: "按层级设置：{ \"3\" = { method = \"gmean\", weights = \"equal\" } }（method 用于计算第 n 层；weights 为第 n 层节点的权重）",
    },
    ParamInfo {
        name: "nodes",
        default: "{}",
        doc_en: "per-aggregate method, e.g. { DEI = { method = \"gmean\" } }",
        doc_zh: "按合成节点指定方法，例如 { DEI = { method = \"gmean\" } }",
    },
];

const LEVEL_PARAMS: &[ParamInfo] = &[
    ParamInfo { name: "method", default: "", doc_en: "", doc_zh: "" },
    ParamInfo { name: "weights", default: "", doc_en: "", doc_zh: "" },
];
const NODE_PARAMS: &[ParamInfo] = &[ParamInfo { name: "method", default: "", doc_en: "", doc_zh: "" }];

pub(super) const INFO: StepInfo = StepInfo {
    name: "aggregate",
    stage: "Aggregated",
    params: PARAMS,
    doc_en: "Aggregate level by level up the framework tree.",
    doc_zh: "沿指标体系逐层合成。",
    build,
};

/// The `aggregate` step.
#[derive(Debug)]
pub struct AggregateStep {
    /// The step-wide method.
    default: &'static str,
    /// Code of every node and whether it has a parent (for the resolved parameters).
    codes: Vec<(String, bool)>,
    /// Method per aggregate node (framework position → method name).
    methods: BTreeMap<usize, &'static str>,
    aggregators: BTreeMap<&'static str, Box<dyn Aggregator>>,
    /// Weight of every node (framework position) from the framework and this step's overrides.
    weights: Vec<f64>,
    /// This step's explicit weights, applied over weights from an earlier `weight` step.
    overrides: Vec<(usize, f64)>,
}

impl AggregateStep {
    /// The weight of every node (by framework position) this step uses when no earlier `weight`
    /// step set weights.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }
}

fn method_name(name: &str, v: &str) -> std::result::Result<&'static str, ParamError> {
    aggregate::names().into_iter().find(|n| *n == v).ok_or_else(|| ParamError::UnknownMethod {
        name: name.into(),
        got: v.into(),
        valid: aggregate::names(),
    })
}

/// Provisional scores of every aggregate: `input` aggregated with `weights` and one `method` at
/// every level (for steps that need scores above the indicators, such as the `weight` step).
pub(crate) fn provisional(ctx: &Context<'_>, input: &Dataset, weights: &[f64], method: &str) -> Result<Dataset> {
    let spec = StepSpec::new("aggregate").with("method", Value::Str(method.into()));
    let step = build(&spec, ctx.framework).map_err(|source| Error::Param { step: INFO.name.into(), source })?;
    let c = Context { weights: Some(weights), ..*ctx };
    Ok(step.apply(&c, input)?.data)
}

fn build(spec: &StepSpec, fw: &Framework) -> std::result::Result<Box<dyn Step>, ParamError> {
    let r = ParamReader::new(&spec.params, PARAMS)?;
    let default = method_name("method", r.str("method", "amean")?)?;
    let mut weights: Vec<f64> = fw.nodes().iter().map(|n| n.spec.weight).collect();
    // Explicit weights of this step, in the order they apply (levels, then nodes); they win over
    // the framework's weights and over weights computed by an earlier `weight` step.
    let mut overrides: Vec<(usize, f64)> = Vec::new();
    let mut level_method: BTreeMap<u32, &'static str> = BTreeMap::new();

    for (lv, v) in r.table("levels")? {
        let level: u32 = lv
            .parse()
            .ok()
            .filter(|l| (1..=fw.max_level()).contains(l))
            .ok_or_else(|| ParamError::UnknownTarget { name: "levels".into(), code: lv.into(), expected: "a level" })?;
        let t = v.as_table().ok_or_else(|| ParamError::WrongType {
            name: format!("levels.{lv}"),
            expected: "a table, e.g. { method = \"gmean\" }",
            got: v.to_string(),
        })?;
        let lr = ParamReader::with_prefix(t, LEVEL_PARAMS, &format!("levels.{lv}."))?;
        if let Some(m) = lr.get("method") {
            let m = m.as_str().ok_or_else(|| ParamError::WrongType {
                name: format!("levels.{lv}.method"),
                expected: "a string",
                got: m.to_string(),
            })?;
            level_method.insert(level, method_name(&format!("levels.{lv}.method"), m)?);
        }
        if let Some(w) = lr.get("weights") {
            let value = match w {
                Value::Str(s) if s == "equal" => 1.0,
                other => match other.as_f64() {
                    Some(x) if x.is_finite() && x >= 0.0 => x,
                    _ => {
                        return Err(ParamError::WrongType {
                            name: format!("levels.{lv}.weights"),
                            expected: "\"equal\" or a non-negative number",
                            got: w.to_string(),
                        });
                    }
                },
            };
            for (i, n) in fw.nodes().iter().enumerate() {
                if n.level == level {
                    weights[i] = value;
                    overrides.push((i, value));
                }
            }
        }
    }
    for (code, v) in r.table("weights")? {
        let i = fw.find(code).ok_or_else(|| ParamError::UnknownTarget {
            name: "weights".into(),
            code: code.into(),
            expected: "a node",
        })?;
        weights[i] = match v.as_f64() {
            Some(x) if x.is_finite() && x >= 0.0 => {
                overrides.push((i, x));
                x
            }
            _ => {
                return Err(ParamError::WrongType {
                    name: format!("weights.{code}"),
                    expected: "a non-negative number",
                    got: v.to_string(),
                });
            }
        };
    }
    let mut methods = BTreeMap::new();
    for &a in fw.aggregates() {
        let m = level_method.get(&fw.node(a).level).copied().unwrap_or(default);
        methods.insert(a, m);
    }
    for (code, v) in r.table("nodes")? {
        let i = fw.find(code).filter(|&i| !fw.node(i).is_indicator()).ok_or_else(|| ParamError::UnknownTarget {
            name: "nodes".into(),
            code: code.into(),
            expected: "an aggregate",
        })?;
        let t = v.as_table().ok_or_else(|| ParamError::WrongType {
            name: format!("nodes.{code}"),
            expected: "a table, e.g. { method = \"gmean\" }",
            got: v.to_string(),
        })?;
        let nr = ParamReader::with_prefix(t, NODE_PARAMS, &format!("nodes.{code}."))?;
        if let Some(m) = nr.get("method") {
            let m = m.as_str().ok_or_else(|| ParamError::WrongType {
                name: format!("nodes.{code}.method"),
                expected: "a string",
                got: m.to_string(),
            })?;
            methods.insert(i, method_name(&format!("nodes.{code}.method"), m)?);
        }
    }
    // Every group must keep a positive total weight.
    for &a in fw.aggregates() {
        if fw.node(a).children.iter().all(|&c| weights[c] == 0.0) {
            return Err(ParamError::OutOfDomain {
                name: "weights".into(),
                got: fw.node(a).code().into(),
                expected: "every aggregate needs at least one child with a positive weight",
            });
        }
    }
    let empty = Params::new();
    let er = ParamReader::new(&empty, &[])?;
    let mut aggregators = BTreeMap::new();
    for &m in methods.values() {
        if !aggregators.contains_key(m)
            && let Some(a) = aggregate::by_name(m, &er)
        {
            aggregators.insert(m, a?);
        }
    }
    Ok(Box::new(AggregateStep {
        default,
        methods,
        aggregators,
        weights,
        overrides,
        codes: fw.nodes().iter().map(|n| (n.code().to_string(), n.parent_idx.is_some())).collect(),
    }))
}

impl Step for AggregateStep {
    fn name(&self) -> &'static str {
        INFO.name
    }
    fn stage(&self) -> &'static str {
        INFO.stage
    }
    fn changes_columns(&self) -> bool {
        true
    }
    fn resolved(&self) -> Params {
        let mut resolved = Params::new();
        resolved.insert("method".into(), Value::Str(self.default.into()));
        resolved.insert(
            "node_methods".into(),
            Value::Table(self.methods.iter().map(|(&i, &m)| (self.codes[i].0.clone(), Value::Str(m.into()))).collect()),
        );
        resolved.insert(
            "node_weights".into(),
            Value::Table(
                self.codes
                    .iter()
                    .zip(&self.weights)
                    .filter(|((_, has_parent), _)| *has_parent)
                    .map(|((c, _), &w)| (c.clone(), Value::Float(w)))
                    .collect(),
            ),
        );
        resolved
    }
    fn weights(&self) -> Option<&[f64]> {
        Some(&self.weights)
    }

    fn apply(&self, ctx: &Context<'_>, input: &Dataset) -> Result<StepOutput> {
        let fw = ctx.framework;
        let n = input.units.len();
        // Column of every node in the output; indicators come from the input.
        let mut col_of: Vec<Option<usize>> = vec![None; fw.nodes().len()];
        for (j, c) in input.columns.iter().enumerate() {
            if let Some(i) = fw.find(c) {
                col_of[i] = Some(j);
            }
        }
        let mut out = input.clone();
        // Indicators an earlier step dropped (screened out) are missing for every unit: their
        // weight is shared among their siblings like any missing value's.
        let mut dropped = Vec::new();
        for &i in fw.indicators() {
            if col_of[i].is_none() {
                out.data.push_col(&vec![f64::NAN; n])?;
                out.columns.push(fw.node(i).code().to_string());
                col_of[i] = Some(out.columns.len() - 1);
                dropped.push(fw.node(i).code());
            }
        }
        // Weights: those of an earlier `weight` step when there is one, with this step's explicit
        // weights applied over them; otherwise the framework's with the overrides.
        let weights: Vec<f64> = match ctx.weights {
            Some(w) => {
                let mut w = w.to_vec();
                for &(i, x) in &self.overrides {
                    w[i] = x;
                }
                w
            }
            None => self.weights.clone(),
        };
        for &a in fw.aggregates() {
            if fw.node(a).children.iter().all(|&c| weights[c] == 0.0) {
                return Err(Error::Param {
                    step: INFO.name.into(),
                    source: ParamError::OutOfDomain {
                        name: "weights".into(),
                        got: fw.node(a).code().into(),
                        expected: "every aggregate needs at least one child with a positive weight",
                    },
                });
            }
        }
        let mut buf = vec![0.0; n];
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for &a in fw.aggregates() {
            let node = fw.node(a);
            let method = self.methods.get(&a).copied().unwrap_or("amean");
            let agg = &self.aggregators[method];
            let mut kids: Vec<&[f64]> = Vec::with_capacity(node.children.len());
            let mut w = Vec::with_capacity(node.children.len());
            let mut codes = Vec::with_capacity(node.children.len());
            for &c in &node.children {
                let Some(j) = col_of[c] else {
                    return Err(Error::StepBrokeInvariant {
                        step: INFO.name.into(),
                        what: format!("child '{}' of '{}' has no column", fw.node(c).code(), node.code()),
                    });
                };
                kids.push(out.data.col(j));
                w.push(weights[c]);
                codes.push(fw.node(c).code());
            }
            let input =
                AggInput { children: &kids, weights: &w, units: &out.units, child_codes: &codes, node: node.code() };
            agg.aggregate(&input, &mut buf).map_err(|e| match e {
                AggError::NonPositive { method, unit, child, value } => {
                    Error::NonPositive { method, node: node.code().into(), unit, child, value }
                }
            })?;
            out.data.push_col(&buf)?;
            out.columns.push(node.code().to_string());
            col_of[a] = Some(out.columns.len() - 1);
            *counts.entry(method).or_default() += 1;
        }
        let desc: Vec<String> = counts.iter().map(|(m, c)| format!("{m} × {c}")).collect();
        let mut messages = Vec::new();
        if !dropped.is_empty() {
            messages.push(Text::new(
                format!("indicators dropped by an earlier step count as missing: {}", dropped.join(", ")),
                format!("已被前序步骤剔除的指标按缺失处理：{}", dropped.join("，")),
            ));
        }
        messages.insert(
            0,
            Text::new(
                format!(
                    "aggregated {} nodes over {} levels ({})",
                    fw.aggregates().len(),
                    fw.max_level() - 1,
                    desc.join(", ")
                ),
                format!(
                    "逐层合成 {} 个节点，共 {} 层（{}）",
                    fw.aggregates().len(),
                    fw.max_level() - 1,
                    desc.join("，")
                ),
            ),
        );
        Ok(StepOutput { data: out, messages, changes: Vec::new(), weights: Some(weights) })
    }
}

#[cfg(test)]
mod tests {
    use crate::{Framework, Matrix, NodeSpec, StepSpec, Value, compute_matrix};

    fn fw() -> Framework {
        Framework::build(vec![
            NodeSpec::aggregate("I", None),
            NodeSpec::aggregate("A", Some("I")),
            NodeSpec::aggregate("B", Some("I")),
            NodeSpec::indicator("a1", "A"),
            NodeSpec::indicator("a2", "A"),
            NodeSpec::indicator("b1", "B"),
        ])
        .unwrap()
    }

    /// Indicators already on [1, 100]: a1 = 1, 100; a2 = 100, 1; b1 = 25, 100 for units x, y.
    fn raw() -> Matrix {
        Matrix::from_columns(2, &[vec![1.0, 100.0], vec![100.0, 1.0], vec![25.0, 100.0]]).unwrap()
    }

    fn table(entries: &[(&str, Value)]) -> Value {
        Value::Table(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    fn run(agg: StepSpec) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let f = fw();
        let norm = StepSpec::new("normalise").with("range", Value::Array(vec![Value::Int(1), Value::Int(100)]));
        let r = compute_matrix(&f, &["x", "y"], &raw(), &[norm, agg]).unwrap();
        let g = |c: &str| r.scores(f.find(c).unwrap()).to_vec();
        (g("A"), g("B"), g("I"))
    }

    #[test]
    fn default_is_equal_weight_amean_level_by_level() {
        let (a, b, i) = run(StepSpec::new("aggregate"));
        assert_eq!(a, vec![50.5, 50.5]);
        assert_eq!(b, vec![1.0, 100.0]);
        assert_eq!(i, vec![(50.5 + 1.0) / 2.0, (50.5 + 100.0) / 2.0]);
    }

    #[test]
    fn node_weight_override() {
        let (a, _, i) =
            run(StepSpec::new("aggregate").with("weights", table(&[("a1", Value::Int(3)), ("B", Value::Int(0))])));
        assert_eq!(a, vec![(3.0 * 1.0 + 100.0) / 4.0, (3.0 * 100.0 + 1.0) / 4.0]);
        assert_eq!(i, a, "B has weight 0, so the index is A");
    }

    #[test]
    fn level_and_node_methods() {
        // Level 2 (A, B) by geometric mean; the index (level 3) by harmonic mean via `nodes`.
        let spec = StepSpec::new("aggregate")
            .with("levels", table(&[("2", table(&[("method", Value::Str("gmean".into()))]))]))
            .with("nodes", table(&[("I", table(&[("method", Value::Str("hmean".into()))]))]));
        let (a, b, i) = run(spec);
        assert!((a[0] - 10.0).abs() < 1e-12 && (a[1] - 10.0).abs() < 1e-12, "{a:?}");
        assert!((b[0] - 1.0).abs() < 1e-12 && (b[1] - 100.0).abs() < 1e-12, "{b:?}");
        assert!((i[0] - 2.0 / (1.0 / 10.0 + 1.0)).abs() < 1e-12, "{i:?}");
    }

    #[test]
    fn level_weights_equal() {
        let f = fw();
        let mut specs: Vec<NodeSpec> = f.nodes().iter().map(|n| n.spec.clone()).collect();
        specs[1].weight = 5.0;
        let f = Framework::build(specs).unwrap();
        let norm = StepSpec::new("normalise");
        let eq = StepSpec::new("aggregate")
            .with("levels", table(&[("2", table(&[("weights", Value::Str("equal".into()))]))]));
        let r = compute_matrix(&f, &["x", "y"], &raw(), &[norm.clone(), eq]).unwrap();
        let r5 = compute_matrix(&f, &["x", "y"], &raw(), &[norm, StepSpec::new("aggregate")]).unwrap();
        let i = f.root();
        assert_ne!(r.scores(i), r5.scores(i));
        assert_eq!(r.scores(i)[0], (r.scores(1)[0] + r.scores(2)[0]) / 2.0);
    }

    #[test]
    fn bad_parameters_name_the_problem() {
        let f = fw();
        let bad = [
            StepSpec::new("aggregate").with("weights", table(&[("zz", Value::Int(1))])),
            StepSpec::new("aggregate").with("weights", table(&[("a1", Value::Int(-1))])),
            StepSpec::new("aggregate").with("levels", table(&[("9", table(&[]))])),
            StepSpec::new("aggregate")
                .with("nodes", table(&[("a1", table(&[("method", Value::Str("gmean".into()))]))])),
            StepSpec::new("aggregate").with("method", Value::Str("median".into())),
            StepSpec::new("aggregate").with("weights", table(&[("a1", Value::Int(0)), ("a2", Value::Int(0))])),
        ];
        for spec in bad {
            let e = crate::step::build(&spec, &f).unwrap_err();
            assert!(matches!(e, crate::Error::Param { .. }), "{spec:?}: {e}");
        }
    }
}
