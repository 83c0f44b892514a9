//! `aggregate`: compute every aggregate from its children, level by level up the tree
//! (level k + 1 from the already-aggregated level-k scores, as COINr's `Aggregate.coin`).
//!
//! Method priority: `nodes.<code>.method` > `levels."<n>".method` > `method`.
//! Weight priority: `weights.<code>` > `levels."<n>".weights` > the framework's weight.
//!
//! Method options (`rho`, `v`, `coupling`, `scale`, …; each method lists its own in
//! [`aggregate::MethodInfo::options`]) come from the `options` table, which exists at all three
//! places; for a node, `nodes.<code>.options` > `levels."<n>".options` > `options`, key by key.
//! Each method reads only its own keys, so one step-wide table can serve several methods; a key
//! that no method of the table's scope reads is an error listing the keys those methods accept.

use std::collections::{BTreeMap, BTreeSet};

use super::{Context, Step, StepInfo, StepOutput};
use crate::aggregate::{self, AggError, AggInput, Aggregator};
use crate::{Dataset, Error, Framework, ParamError, ParamInfo, ParamReader, Params, Result, StepSpec, Text, Value};

const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "method",
        default: "\"amean\"",
        doc_en: "aggregation method: amean | gmean | hmean | copeland | topsis | vikor | gra | coupling",
        doc_zh: "合成方法：amean（加权算术平均）| gmean（几何平均）| hmean（调和平均）| copeland（Copeland 排序）| topsis（TOPSIS 逼近理想解）| vikor（VIKOR 折衷排序）| gra（灰色关联分析）| coupling（耦合协调度）",
    },
    ParamInfo {
        name: "options",
        default: "{}",
        doc_en: "method options, e.g. { rho = 0.5, v = 0.5, coupling = \"corrected\", scale = 100 }; each method reads its own keys",
        doc_zh: "合成方法的选项，例如 { rho = 0.5, v = 0.5, coupling = \"corrected\", scale = 100 }；各方法只读取自己的键",
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
        doc_en: "per-level settings: { \"3\" = { method = \"gmean\", weights = \"equal\", options = { … } } } (method and options compute level n; weights of the nodes at level n)",
        doc_zh: "按层级设置：{ \"3\" = { method = \"gmean\", weights = \"equal\", options = { … } } }（method 与 options 用于计算第 n 层；weights 为第 n 层节点的权重）",
    },
    ParamInfo {
        name: "nodes",
        default: "{}",
        doc_en: "per-aggregate method and options, e.g. { CCD = { method = \"coupling\", options = { coupling = \"corrected\" } } }",
        doc_zh: "按合成节点指定方法与选项，例如 { CCD = { method = \"coupling\", options = { coupling = \"corrected\" } } }",
    },
];

const LEVEL_PARAMS: &[ParamInfo] = &[
    ParamInfo { name: "method", default: "", doc_en: "", doc_zh: "" },
    ParamInfo { name: "weights", default: "", doc_en: "", doc_zh: "" },
    ParamInfo { name: "options", default: "", doc_en: "", doc_zh: "" },
];
const NODE_PARAMS: &[ParamInfo] = &[
    ParamInfo { name: "method", default: "", doc_en: "", doc_zh: "" },
    ParamInfo { name: "options", default: "", doc_en: "", doc_zh: "" },
];

pub(super) const INFO: StepInfo = StepInfo {
    name: "aggregate",
    stage: "Aggregated",
    params: PARAMS,
    doc_en: "Aggregate level by level up the framework tree.",
    doc_zh: "沿指标体系逐层合成。",
    build,
};

/// The aggregator of every aggregate node, by framework position.
pub(crate) type Aggregators = BTreeMap<usize, Box<dyn Aggregator>>;

/// The `aggregate` step.
#[derive(Debug)]
pub struct AggregateStep {
    /// The step-wide method.
    default: &'static str,
    /// Code of every node and whether it has a parent (for the resolved parameters).
    codes: Vec<(String, bool)>,
    /// Method per aggregate node (framework position → method name).
    methods: BTreeMap<usize, &'static str>,
    /// The options each aggregate node's method reads (only nodes with options).
    options: BTreeMap<usize, Params>,
    /// The aggregator of every aggregate node (framework position).
    aggregators: BTreeMap<usize, Box<dyn Aggregator>>,
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

    /// The aggregator of every aggregate node (framework position) and this step's explicit
    /// weights (applied over an earlier `weight` step's), for the sensitivity engine's fast path.
    pub(crate) fn parts(&self) -> (&Aggregators, &[(usize, f64)]) {
        (&self.aggregators, &self.overrides)
    }
}

fn method_name(name: &str, v: &str) -> std::result::Result<&'static str, ParamError> {
    aggregate::names().into_iter().find(|n| *n == v).ok_or_else(|| ParamError::UnknownMethod {
        name: name.into(),
        got: v.into(),
        valid: aggregate::names(),
    })
}

/// An `options` table (`name` for errors), empty when absent.
fn options_table(name: &str, v: Option<&Value>) -> std::result::Result<Params, ParamError> {
    match v {
        None => Ok(Params::new()),
        Some(Value::Table(t)) => Ok(t.clone()),
        Some(v) => Err(ParamError::WrongType {
            name: name.into(),
            expected: "a table of method options, e.g. { rho = 0.5 }",
            got: v.to_string(),
        }),
    }
}

/// Checks that every key of an options table (`name`) is read by at least one of `methods`.
fn check_options(
    name: &str,
    table: &Params,
    methods: impl IntoIterator<Item = &'static str>,
) -> std::result::Result<(), ParamError> {
    let mut valid: Vec<&'static str> = Vec::new();
    for m in methods.into_iter().collect::<BTreeSet<_>>() {
        for o in aggregate::info(m).map_or(&[][..], |i| i.options) {
            if !valid.contains(&o.name) {
                valid.push(o.name);
            }
        }
    }
    match table.keys().find(|k| !valid.contains(&k.as_str())) {
        Some(k) => Err(ParamError::Unknown { name: format!("{name}.{k}"), valid }),
        None => Ok(()),
    }
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
    Ok(Box::new(build_concrete(spec, fw)?))
}

/// Builds the step itself (the sensitivity engine reads its aggregators and weights directly).
pub(crate) fn build_concrete(spec: &StepSpec, fw: &Framework) -> std::result::Result<AggregateStep, ParamError> {
    let r = ParamReader::new(&spec.params, PARAMS)?;
    let default = method_name("method", r.str("method", "amean")?)?;
    let mut weights: Vec<f64> = fw.nodes().iter().map(|n| n.spec.weight).collect();
    // Explicit weights of this step, in the order they apply (levels, then nodes); they win over
    // the framework's weights and over weights computed by an earlier `weight` step.
    let mut overrides: Vec<(usize, f64)> = Vec::new();
    let mut level_method: BTreeMap<u32, &'static str> = BTreeMap::new();
    let step_options = options_table("options", r.get("options"))?;
    let mut level_options: BTreeMap<u32, Params> = BTreeMap::new();
    let mut node_options: BTreeMap<usize, Params> = BTreeMap::new();

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
        if let Some(o) = lr.get("options") {
            level_options.insert(level, options_table(&format!("levels.{lv}.options"), Some(o))?);
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
        if let Some(o) = nr.get("options") {
            node_options.insert(i, options_table(&format!("nodes.{code}.options"), Some(o))?);
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
    // Options: every key must be read by a method of its scope; then each node's method gets the
    // keys it reads, node over level over step.
    check_options("options", &step_options, methods.values().copied())?;
    for (level, t) in &level_options {
        let at_level = methods.iter().filter(|(i, _)| fw.node(**i).level == *level).map(|(_, m)| *m);
        check_options(&format!("levels.{level}.options"), t, at_level)?;
    }
    for (i, t) in &node_options {
        check_options(&format!("nodes.{}.options", fw.node(*i).code()), t, [methods[i]])?;
    }
    let mut aggregators = BTreeMap::new();
    let mut options = BTreeMap::new();
    for (&a, &m) in &methods {
        let info = aggregate::info(m).expect("method names are checked against the registry");
        let mut merged = Params::new();
        let scopes = [Some(&step_options), level_options.get(&fw.node(a).level), node_options.get(&a)];
        for t in scopes.into_iter().flatten() {
            for (k, v) in t {
                if info.options.iter().any(|o| o.name == k) {
                    merged.insert(k.clone(), v.clone());
                }
            }
        }
        let or = ParamReader::with_prefix(&merged, info.options, "options.")?;
        aggregators.insert(a, (info.build)(&or)?);
        if !merged.is_empty() {
            options.insert(a, merged);
        }
    }
    Ok(AggregateStep {
        default,
        methods,
        options,
        aggregators,
        weights,
        overrides,
        codes: fw.nodes().iter().map(|n| (n.code().to_string(), n.parent_idx.is_some())).collect(),
    })
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
        if !self.options.is_empty() {
            resolved.insert(
                "node_options".into(),
                Value::Table(
                    self.options.iter().map(|(&i, o)| (self.codes[i].0.clone(), Value::Table(o.clone()))).collect(),
                ),
            );
        }
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
            let Some(agg) = self.aggregators.get(&a) else {
                return Err(Error::StepBrokeInvariant {
                    step: INFO.name.into(),
                    what: format!("no aggregator was built for '{}'", node.code()),
                });
            };
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
                AggError::OutOfRange { method, unit, child, value, lower, upper } => Error::Param {
                    step: INFO.name.into(),
                    source: ParamError::OutOfDomain {
                        name: "options.scale".into(),
                        got: format!(
                            "{upper} at node '{}' ({method}), but unit '{unit}' has {child} = {value}, outside [{lower}, {upper}]",
                            node.code()
                        ),
                        expected: "coupling reads its children on [0, scale]: set options.scale to the top of their score range (100 for 0–100, 1 for 0–1)",
                    },
                },
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
    use crate::{Framework, Matrix, NodeSpec, ParamError, StepSpec, Value, compute_matrix};

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
    fn options_reach_the_method() {
        // The index by GRA with ρ = 1 instead of 0.5 (A = 50.5, 50.5; B = 1, 100).
        // Reference (50.5, 100); Δ: x (0, 99), y (0, 0); Δmax = 99.
        // ρ = 1/2: ξ_xB = 49.5/148.5 = 1/3 → γ_x = (1 + 1/3)/2 = 2/3; ρ = 1: ξ = 1/2 → 3/4.
        let spec = |o: Value| {
            StepSpec::new("aggregate")
                .with("nodes", table(&[("I", table(&[("method", Value::Str("gra".into()))]))]))
                .with("options", o)
        };
        let (_, _, i) = run(spec(table(&[])));
        assert!((i[0] - 200.0 / 3.0).abs() < 1e-12 && i[1] == 100.0, "{i:?}");
        let (_, _, i) = run(spec(table(&[("rho", Value::Int(1)), ("scale", Value::Int(1))])));
        assert!((i[0] - 0.75).abs() < 1e-12 && i[1] == 1.0, "{i:?}");
        // Node options win over the step's.
        let node = StepSpec::new("aggregate")
            .with(
                "nodes",
                table(&[(
                    "I",
                    table(&[("method", Value::Str("gra".into())), ("options", table(&[("rho", Value::Int(1))]))]),
                )]),
            )
            .with("options", table(&[("rho", Value::Float(0.5))]));
        let (_, _, i) = run(node);
        assert!((i[0] - 75.0).abs() < 1e-12, "{i:?}");
    }

    #[test]
    fn coupling_of_two_dimensions() {
        // A = 50.5, 50.5 and B = 1, 100 on 0–100: U = (0.505, 0.01) and (0.505, 1).
        let spec = StepSpec::new("aggregate")
            .with("nodes", table(&[("I", table(&[("method", Value::Str("coupling".into()))]))]));
        let (_, _, i) = run(spec);
        let d = |u1: f64, u2: f64| {
            let c = 2.0 * (u1 * u2).sqrt() / (u1 + u2);
            (c * (u1 + u2) / 2.0).sqrt()
        };
        assert!((i[0] - d(0.505, 0.01)).abs() < 1e-12 && (i[1] - d(0.505, 1.0)).abs() < 1e-12, "{i:?}");
        // Scores on 0–100 read as 0–1 are an error that names the fix.
        let f = fw();
        let bad = StepSpec::new("aggregate")
            .with("nodes", table(&[("I", table(&[("method", Value::Str("coupling".into()))]))]))
            .with("options", table(&[("scale", Value::Int(1))]));
        let norm = StepSpec::new("normalise").with("range", Value::Array(vec![Value::Int(1), Value::Int(100)]));
        let e = compute_matrix(&f, &["x", "y"], &raw(), &[norm, bad]).unwrap_err();
        assert!(e.to_string().contains("options.scale"), "{e}");
    }

    #[test]
    fn unknown_option_lists_the_methods_options() {
        let f = fw();
        // amean reads no option.
        let e = crate::step::build(&StepSpec::new("aggregate").with("options", table(&[("rho", Value::Int(1))])), &f)
            .unwrap_err();
        assert!(
            matches!(&e, crate::Error::Param { source: ParamError::Unknown { valid, .. }, .. } if valid.is_empty())
        );
        // A typo for vikor lists vikor's options.
        let spec = StepSpec::new("aggregate")
            .with("method", Value::Str("vikor".into()))
            .with("options", table(&[("vv", Value::Float(0.3))]));
        let e = crate::step::build(&spec, &f).unwrap_err();
        assert!(
            matches!(&e, crate::Error::Param { source: ParamError::Unknown { name, valid }, .. }
                if name == "options.vv" && valid == &["v", "scale"]),
            "{e}"
        );
        // A step-wide table may serve several methods: rho for gra (index), v for vikor (level 2).
        let spec = StepSpec::new("aggregate")
            .with("levels", table(&[("2", table(&[("method", Value::Str("vikor".into()))]))]))
            .with("nodes", table(&[("I", table(&[("method", Value::Str("gra".into()))]))]))
            .with("options", table(&[("rho", Value::Float(0.4)), ("v", Value::Float(0.3))]));
        crate::step::build(&spec, &f).unwrap();
        // But a node's own options must be its method's.
        let spec = StepSpec::new("aggregate").with(
            "nodes",
            table(&[(
                "I",
                table(&[("method", Value::Str("gra".into())), ("options", table(&[("v", Value::Float(0.3))]))]),
            )]),
        );
        let e = crate::step::build(&spec, &f).unwrap_err();
        assert!(e.to_string().contains("nodes.I.options.v"), "{e}");
        // Values are checked by the method.
        let spec = StepSpec::new("aggregate")
            .with("method", Value::Str("gra".into()))
            .with("options", table(&[("rho", Value::Int(2))]));
        let e = crate::step::build(&spec, &f).unwrap_err();
        assert!(matches!(&e, crate::Error::Param { source: ParamError::OutOfDomain { .. }, .. }), "{e}");
        let spec = StepSpec::new("aggregate").with("options", Value::Int(2));
        assert!(crate::step::build(&spec, &f).is_err());
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
