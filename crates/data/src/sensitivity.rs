//! The `[sensitivity]` table of a project file (uncertain inputs, N, seed, sampling), its
//! resolution against the computed project, replay tables (`--replay`, e.g. COINr's
//! `run_parameters.csv`) and the output files of `baydex sensitivity`.
//!
//! Parsing reports located, bilingual diagnostics like the rest of the loader; every alternative
//! of every input is applied to the pipeline and the edited step is built at load time (the dry
//! run), so a varied step that is not in the pipeline or an invalid value is an error naming the
//! input, not a silent no-op.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

use baydex_core::sensitivity::{
    Binning, Choice, Edit, Input, InputKind, NoiseScope, Outcome, Sampling, Settings, apply_edit, noisy_weights,
};
use baydex_core::{Framework, Project, StepSpec, Text, Value, step};
use serde_json::{Value as Json, json};
use toml::de::DeValue;

use crate::diag::{Diagnostic, list, text};
use crate::output::{OutFile, fmt_num};
use crate::project::Loader;
use crate::project::doc::{Tbl, as_number};
use crate::project::translate;
use crate::set::convert;

/// A declared `[sensitivity]` table, checked against the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivitySpec {
    /// The node analysed (default: the index).
    pub target: Option<String>,
    /// The period analysed (default: the last).
    pub period: Option<String>,
    /// N.
    pub n: usize,
    /// Seed.
    pub seed: u64,
    /// Sampling.
    pub sampling: Sampling,
    /// True: Saltelli design and Sobol indices; false: uncertainty analysis only.
    pub sensitivity: bool,
    /// Discrete binning.
    pub binning: Binning,
    /// Bootstrap resamples of the Sobol indices.
    pub bootstrap: usize,
    /// Leave each indicator out once.
    pub leave_one_out: bool,
    /// The uncertain inputs.
    pub inputs: Vec<InputSpec>,
}

/// One declared uncertain input.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSpec {
    /// Name.
    pub name: String,
    /// Column of a replay table holding this input (default: the name).
    pub column: String,
    /// What it varies.
    pub kind: InputSpecKind,
}

/// An input as declared: ready, or weight noise to draw once the nominal weights are known.
#[derive(Debug, Clone, PartialEq)]
pub enum InputSpecKind {
    /// Alternatives, interval, weight sets from a file, leave-one-out.
    Ready(InputKind),
    /// Noisy weights (COINr's `get_noisy_weights`) around the nominal weights.
    Noise {
        /// Position of the `aggregate` step.
        step: usize,
        /// Noise factor per level or node.
        noise: Vec<(NoiseScope, f64)>,
        /// Number of weight sets.
        sets: usize,
    },
}

const KEYS: &[&str] =
    &["target", "period", "n", "seed", "sampling", "analysis", "binning", "bootstrap", "leave_one_out", "input"];
const INPUT_KEYS: &[&str] = &[
    "name",
    "column",
    "step",
    "param",
    "values",
    "alternatives",
    "labels",
    "interval",
    "integer",
    "weights",
    "leave_one_out",
];
const WEIGHT_KEYS: &[&str] = &["levels", "nodes", "sets", "file"];

/// Position of `name` (or `name#k`) in the pipeline.
fn find_step(pipeline: &[StepSpec], name: &str) -> Result<usize, (Text, Text)> {
    let (base, k) = match name.split_once('#') {
        Some((b, k)) => (b.trim(), k.trim().parse::<usize>().ok().filter(|k| *k >= 1)),
        None => (name.trim(), None),
    };
    let at: Vec<usize> = (0..pipeline.len()).filter(|&i| pipeline[i].step == base).collect();
    let steps: Vec<&str> = pipeline.iter().map(|s| s.step.as_str()).collect();
    let valid =
        text(format!("steps in the pipeline: {}", list(&steps, 30)), format!("计算流程中的步骤：{}", list(&steps, 30)));
    match (k, at.as_slice()) {
        (_, []) => Err((
            text(
                format!("the pipeline has no step '{base}', so this input would vary nothing"),
                format!("计算流程中没有步骤 '{base}'，此不确定输入不会改变任何结果"),
            ),
            valid,
        )),
        (None, [i]) => Ok(*i),
        (None, many) => Err((
            text(
                format!("the pipeline has {} '{base}' steps; say which one", many.len()),
                format!("计算流程中有 {} 个 '{base}' 步骤，请指明是哪一个", many.len()),
            ),
            text(
                format!("write step = \"{base}#1\" … \"{base}#{}\"", many.len()),
                format!("写作 step = \"{base}#1\" … \"{base}#{}\"", many.len()),
            ),
        )),
        (Some(k), many) => many.get(k - 1).copied().ok_or((
            text(
                format!("the pipeline has only {} '{base}' step(s)", many.len()),
                format!("计算流程中只有 {} 个 '{base}' 步骤", many.len()),
            ),
            valid,
        )),
    }
}

/// Parses `[sensitivity]`; `None` when absent or invalid (the errors are in the loader's list).
pub(crate) fn parse(
    ld: &mut Loader<'_>,
    top: &Tbl<'_, '_>,
    pipeline: &[StepSpec],
    fw: Option<&Framework>,
    periods: &[String],
) -> Option<SensitivitySpec> {
    let t = top.table(&mut ld.doc, "sensitivity")?;
    t.check_keys(&mut ld.doc, KEYS);
    let errors_before = ld.doc.diags.iter().filter(|d| d.is_error()).count();
    let target = t.string(&mut ld.doc, "target", false);
    if let (Some(c), Some(fw)) = (&target, fw)
        && fw.find(c).is_none()
    {
        ld.doc.error(
            &t.span_of("target"),
            Some(t.key("target")),
            text(format!("target '{c}' is not a node of the framework"), format!("target '{c}' 不是指标体系中的节点")),
            text(
                "name the index or an aggregate, e.g. target = \"Index\"",
                "请填写指数或汇总节点的代码，如 target = \"Index\"",
            ),
        );
    }
    let period = t.string(&mut ld.doc, "period", false);
    if let Some(p) = &period
        && !periods.is_empty()
        && !periods.contains(p)
    {
        ld.doc.error(
            &t.span_of("period"),
            Some(t.key("period")),
            text(format!("period '{p}' is not computed"), format!("期 '{p}' 不在计算范围内")),
            text(format!("periods: {}", periods.join(", ")), format!("可选的期：{}", periods.join(", "))),
        );
    }
    let int = |ld: &mut Loader<'_>, k: &str, default: u64, min: u64| -> u64 {
        match t.number(&mut ld.doc, k) {
            None => default,
            Some(x) if x.fract() == 0.0 && x >= min as f64 && x < 9.0e15 => x as u64,
            Some(x) => {
                ld.doc.error(
                    &t.span_of(k),
                    Some(t.key(k)),
                    text(
                        format!("`{k}` must be an integer ≥ {min}, got {x}"),
                        format!("`{k}` 应为不小于 {min} 的整数，实际为 {x}"),
                    ),
                    Text::default(),
                );
                default
            }
        }
    };
    let n = int(ld, "n", 100, 3) as usize;
    let seed = int(ld, "seed", 1, 0);
    let bootstrap = int(ld, "bootstrap", 100, 0) as usize;
    let choice = |ld: &mut Loader<'_>, k: &str, valid: &[&str], default: &str| -> String {
        let v = t.string(&mut ld.doc, k, false).unwrap_or_else(|| default.to_string());
        if !valid.contains(&v.as_str()) {
            ld.doc.error(
                &t.span_of(k),
                Some(t.key(k)),
                text(
                    format!("`{k}` = \"{v}\" is not one of {}", valid.join(", ")),
                    format!("`{k}` = \"{v}\" 不是 {} 之一", valid.join("、")),
                ),
                text(format!("write {k} = \"{}\"", valid[0]), format!("请写作 {k} = \"{}\"", valid[0])),
            );
            return default.to_string();
        }
        v
    };
    let sampling = Sampling::parse(&choice(ld, "sampling", &["mc", "sobol"], "mc")).unwrap_or(Sampling::Mc);
    let sensitivity = choice(ld, "analysis", &["sa", "ua"], "sa") == "sa";
    let binning = if choice(ld, "binning", &["uniform", "coinr"], "uniform") == "coinr" {
        Binning::Coinr
    } else {
        Binning::Uniform
    };
    let leave_one_out = t.boolean(&mut ld.doc, "leave_one_out").unwrap_or(true);
    let entries = t.tables(&mut ld.doc, "input");
    if entries.is_empty() {
        ld.doc.error(
            &t.span,
            Some(t.key("input")),
            text("[sensitivity] declares no uncertain input", "[sensitivity] 没有声明任何不确定输入"),
            text(
                "add [[sensitivity.input]] tables, e.g. name = \"Aggregation\", step = \"aggregate\", param = \"method\", values = [\"amean\", \"gmean\"]",
                "请添加 [[sensitivity.input]]，如 name = \"Aggregation\"、step = \"aggregate\"、param = \"method\"、values = [\"amean\", \"gmean\"]",
            ),
        );
    }
    let mut inputs: Vec<InputSpec> = Vec::new();
    for it in &entries {
        if let Some(i) = parse_input(ld, it, pipeline, fw) {
            if inputs.iter().any(|o| o.name == i.name) {
                ld.doc.error(
                    &it.span_of("name"),
                    Some(it.key("name")),
                    text(format!("two inputs are named '{}'", i.name), format!("有两个不确定输入都叫 '{}'", i.name)),
                    text("give each input its own name", "请为每个输入取不同的名称"),
                );
            }
            inputs.push(i);
        }
    }
    if ld.doc.diags.iter().filter(|d| d.is_error()).count() > errors_before || inputs.len() != entries.len() {
        return None;
    }
    Some(SensitivitySpec { target, period, n, seed, sampling, sensitivity, binning, bootstrap, leave_one_out, inputs })
}

fn parse_input(
    ld: &mut Loader<'_>,
    it: &Tbl<'_, '_>,
    pipeline: &[StepSpec],
    fw: Option<&Framework>,
) -> Option<InputSpec> {
    it.check_keys(&mut ld.doc, INPUT_KEYS);
    let name = it.string(&mut ld.doc, "name", true)?;
    let column = it.string(&mut ld.doc, "column", false).unwrap_or_else(|| name.clone());
    let kinds: Vec<&str> = ["values", "alternatives", "interval", "weights", "leave_one_out"]
        .into_iter()
        .filter(|k| it.get(k).is_some())
        .collect();
    if kinds.len() != 1 {
        ld.doc.error(
            &it.span,
            Some(it.path.clone()),
            text(
                format!("input '{name}' must say what varies with exactly one of values, alternatives, interval, weights, leave_one_out (found {})", if kinds.is_empty() { "none".to_string() } else { kinds.join(", ") }),
                format!("不确定输入 '{name}' 须且只能用 values、alternatives、interval、weights、leave_one_out 之一说明变化方式（现为 {}）", if kinds.is_empty() { "无".to_string() } else { kinds.join("、") }),
            ),
            text("see docs/sensitivity.md", "参见 docs/sensitivity.md"),
        );
        return None;
    }
    let kind = kinds[0];
    // The step: given, or the last `aggregate` for weights and leave-one-out.
    let step_name = it.string(&mut ld.doc, "step", false);
    let step_span = it.span_of("step");
    let step = match (&step_name, kind) {
        (Some(s), _) => find_step(pipeline, s),
        (None, "weights" | "leave_one_out") => pipeline
            .iter()
            .rposition(|s| s.step == "aggregate")
            .ok_or((text("the pipeline has no aggregate step", "计算流程中没有 aggregate 步骤"), Text::default())),
        (None, _) => {
            it.missing(&mut ld.doc, "step", "\"normalise\"");
            return None;
        }
    };
    let step = match step {
        Ok(s) => s,
        Err((m, h)) => {
            ld.doc.error(
                &step_span,
                Some(it.key("step")),
                text(format!("input '{name}': {}", m.en), format!("不确定输入 '{name}'：{}", m.zh)),
                h,
            );
            return None;
        }
    };
    let loc_err = |ld: &mut Loader<'_>, span: &Range<usize>, k: &str, en: String, zh: String, help: Text| {
        ld.doc.error(
            span,
            Some(it.key(k)),
            text(format!("input '{name}': {en}"), format!("不确定输入 '{name}'：{zh}")),
            help,
        );
    };
    let path: Option<Vec<String>> =
        it.string(&mut ld.doc, "param", false).map(|p| p.split('.').map(|s| s.trim().to_string()).collect());
    let need_param = |ld: &mut Loader<'_>| -> Option<Vec<String>> {
        if path.as_ref().is_none_or(|p| p.iter().any(String::is_empty)) {
            it.missing(&mut ld.doc, "param", "\"method\"");
            return None;
        }
        path.clone()
    };
    let input_kind = match kind {
        "values" => {
            let path = need_param(ld)?;
            let arr = it.array(&mut ld.doc, "values")?;
            let mut alts = Vec::new();
            let mut labels = Vec::new();
            for v in arr.iter() {
                match convert(v.get_ref()) {
                    Ok(x) => {
                        labels.push(match &x {
                            Value::Str(s) => s.clone(),
                            other => other.to_string(),
                        });
                        alts.push(vec![Edit { step, path: path.clone(), value: x }]);
                    }
                    Err(m) => {
                        ld.doc.error(&v.span(), Some(it.key("values")), m, Text::default());
                        return None;
                    }
                }
            }
            InputSpecKind::Ready(InputKind::Alternatives { alternatives: alts, labels })
        }
        "alternatives" => {
            let arr = it.array(&mut ld.doc, "alternatives")?;
            let mut alts = Vec::new();
            let mut labels = Vec::new();
            for v in arr.iter() {
                let x = match (v.get_ref(), convert(v.get_ref())) {
                    (DeValue::Table(_), Ok(Value::Table(t))) => t,
                    _ => {
                        loc_err(
                            ld,
                            &v.span(),
                            "alternatives",
                            "each alternative must be a table of the step's parameters".into(),
                            "每个备选项都须是该步骤参数组成的表".into(),
                            text(
                                "e.g. alternatives = [{ method = \"minmax\", range = [1, 100] }, { method = \"zscore\" }]",
                                "例如 alternatives = [{ method = \"minmax\", range = [1, 100] }, { method = \"zscore\" }]",
                            ),
                        );
                        return None;
                    }
                };
                labels.push(Value::Table(x.clone()).to_string());
                let prefix = path.clone().unwrap_or_default();
                alts.push(
                    x.into_iter()
                        .map(|(k, value)| {
                            let mut p = prefix.clone();
                            p.push(k);
                            Edit { step, path: p, value }
                        })
                        .collect(),
                );
            }
            InputSpecKind::Ready(InputKind::Alternatives { alternatives: alts, labels })
        }
        "interval" => {
            let path = need_param(ld)?;
            let v = it.get("interval")?;
            let pair = match v.get_ref() {
                DeValue::Array(a) if a.len() == 2 => as_number(a[0].get_ref()).zip(as_number(a[1].get_ref())),
                _ => None,
            };
            let Some((lower, upper)) = pair.filter(|(a, b)| a < b && a.is_finite() && b.is_finite()) else {
                loc_err(
                    ld,
                    &v.span(),
                    "interval",
                    "`interval` must be [lower, upper] with lower < upper".into(),
                    "`interval` 应为 [下限, 上限]，且下限 < 上限".into(),
                    text("e.g. interval = [1, 5]", "例如 interval = [1, 5]"),
                );
                return None;
            };
            let integer = it.boolean(&mut ld.doc, "integer").unwrap_or(false);
            InputSpecKind::Ready(InputKind::Interval { step, path, lower, upper, integer })
        }
        "leave_one_out" => {
            let codes = match it.get("leave_one_out").map(|v| v.get_ref()) {
                Some(DeValue::Boolean(true)) => None,
                Some(DeValue::Array(a)) => {
                    Some(a.iter().filter_map(|v| v.get_ref().as_str().map(str::to_string)).collect::<Vec<_>>())
                }
                _ => {
                    loc_err(
                        ld,
                        &it.span_of("leave_one_out"),
                        "leave_one_out",
                        "`leave_one_out` must be true or a list of indicator codes".into(),
                        "`leave_one_out` 应为 true 或指标代码列表".into(),
                        Text::default(),
                    );
                    return None;
                }
            };
            let fw = fw?;
            let indicators = match codes {
                None => fw.indicators().to_vec(),
                Some(c) => {
                    let mut out = Vec::new();
                    for code in c {
                        match fw.find(&code).filter(|&i| fw.node(i).is_indicator()) {
                            Some(i) => out.push(i),
                            None => {
                                loc_err(
                                    ld,
                                    &it.span_of("leave_one_out"),
                                    "leave_one_out",
                                    format!("'{code}' is not an indicator"),
                                    format!("'{code}' 不是指标"),
                                    Text::default(),
                                );
                                return None;
                            }
                        }
                    }
                    out
                }
            };
            InputSpecKind::Ready(InputKind::LeaveOneOut { step, indicators })
        }
        _ => {
            let w = it.table(&mut ld.doc, "weights")?;
            w.check_keys(&mut ld.doc, WEIGHT_KEYS);
            let fw = fw?;
            if let Some(file) = w.string(&mut ld.doc, "file", false) {
                let (display, bytes) = ld.read(&file, &w.span_of("file"), w.key("file"))?;
                match weight_sets_csv(&display, &bytes, fw) {
                    Ok(sets) => InputSpecKind::Ready(InputKind::WeightSets { step, sets }),
                    Err(d) => {
                        ld.doc.diags.push(d);
                        return None;
                    }
                }
            } else {
                let mut noise = Vec::new();
                if let Some(levels) = w.table(&mut ld.doc, "levels") {
                    for (k, v) in levels.t.iter() {
                        let lv = k.get_ref().parse::<u32>().ok().filter(|l| (1..=fw.max_level()).contains(l));
                        match (lv, as_number(v.get_ref())) {
                            (Some(l), Some(f)) if f >= 0.0 => noise.push((NoiseScope::Level(l), f)),
                            _ => {
                                loc_err(
                                    ld,
                                    &v.span(),
                                    "weights.levels",
                                    format!(
                                        "levels.{} must map a level (1 to {}) to a noise factor ≥ 0",
                                        k.get_ref(),
                                        fw.max_level()
                                    ),
                                    format!(
                                        "levels.{} 须把层级（1 至 {}）映射为不小于 0 的扰动系数",
                                        k.get_ref(),
                                        fw.max_level()
                                    ),
                                    text("e.g. levels = { \"2\" = 0.25 }", "例如 levels = { \"2\" = 0.25 }"),
                                );
                                return None;
                            }
                        }
                    }
                }
                if let Some(nodes) = w.table(&mut ld.doc, "nodes") {
                    for (k, v) in nodes.t.iter() {
                        match (fw.find(k.get_ref()), as_number(v.get_ref())) {
                            (Some(i), Some(f)) if f >= 0.0 => noise.push((NoiseScope::Node(i), f)),
                            _ => {
                                loc_err(
                                    ld,
                                    &v.span(),
                                    "weights.nodes",
                                    format!("nodes.{} must map a node code to a noise factor ≥ 0", k.get_ref()),
                                    format!("nodes.{} 须把节点代码映射为不小于 0 的扰动系数", k.get_ref()),
                                    Text::default(),
                                );
                                return None;
                            }
                        }
                    }
                }
                if noise.is_empty() {
                    loc_err(
                        ld,
                        &w.span,
                        "weights",
                        "`weights` needs levels, nodes or file".into(),
                        "`weights` 需要 levels、nodes 或 file".into(),
                        text(
                            "e.g. weights = { levels = { \"2\" = 0.25, \"3\" = 0.25 }, sets = 100 }",
                            "例如 weights = { levels = { \"2\" = 0.25, \"3\" = 0.25 }, sets = 100 }",
                        ),
                    );
                    return None;
                }
                let sets = match w.number(&mut ld.doc, "sets") {
                    None => 100,
                    Some(x) if x >= 1.0 && x.fract() == 0.0 && x <= 1e6 => x as usize,
                    Some(x) => {
                        loc_err(
                            ld,
                            &w.span_of("sets"),
                            "weights.sets",
                            format!("`sets` must be a positive integer, got {x}"),
                            format!("`sets` 应为正整数，实际为 {x}"),
                            Text::default(),
                        );
                        return None;
                    }
                };
                InputSpecKind::Noise { step, noise, sets }
            }
        }
    };
    if pipeline[step].step != "aggregate" && matches!(kind, "weights" | "leave_one_out") {
        loc_err(
            ld,
            &step_span,
            "step",
            format!("weights and leave-one-out vary an aggregate step, not '{}'", pipeline[step].step),
            format!("权重与逐一剔除只能作用于 aggregate 步骤，而非 '{}'", pipeline[step].step),
            Text::default(),
        );
        return None;
    }
    if let (Some(labels_v), InputSpecKind::Ready(InputKind::Alternatives { labels, .. })) =
        (it.get("labels"), &input_kind)
    {
        let given: Vec<String> = match labels_v.get_ref() {
            DeValue::Array(a) => a.iter().filter_map(|v| v.get_ref().as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        };
        if given.len() != labels.len() {
            loc_err(
                ld,
                &labels_v.span(),
                "labels",
                format!("`labels` must give one text per alternative ({})", labels.len()),
                format!("`labels` 须为每个备选项各给一个文本（共 {} 个）", labels.len()),
                Text::default(),
            );
            return None;
        }
    }
    let mut input_kind = input_kind;
    if let (Some(labels_v), InputSpecKind::Ready(InputKind::Alternatives { labels, .. })) =
        (it.get("labels"), &mut input_kind)
        && let DeValue::Array(a) = labels_v.get_ref()
    {
        *labels = a.iter().filter_map(|v| v.get_ref().as_str().map(str::to_string)).collect::<Vec<_>>();
    }
    // The dry run: every choice applied to the pipeline, the edited step built.
    if let (Some(fw), InputSpecKind::Ready(k)) = (fw, &input_kind) {
        let input = Input { name: name.clone(), kind: k.clone() };
        let choices: Vec<Choice> = match k {
            InputKind::Interval { .. } => {
                vec![Choice::Value(input.interval_value(0.0)), Choice::Value(input.interval_value(0.999_999))]
            }
            _ => (0..input.alternatives().unwrap_or(0)).map(Choice::Alt).collect(),
        };
        for c in choices {
            let mut p = pipeline.to_vec();
            for e in input.edits(c, fw) {
                apply_edit(&mut p, &e);
            }
            let spec = &p[step];
            if let Some(info) = step::find(&spec.step)
                && let Err(e) = (info.build)(spec, fw)
            {
                let (m, h) = translate::param_error(&spec.step, &e);
                let span = it.get(kind).map_or(it.span.clone(), |v| v.span());
                let label = input.label(c, fw);
                ld.doc.error(
                    &span,
                    Some(it.key(kind)),
                    text(
                        format!("input '{name}', alternative {label}: {}", m.en),
                        format!("不确定输入 '{name}' 的备选项 {label}：{}", m.zh),
                    ),
                    h,
                );
                return None;
            }
        }
    }
    Some(InputSpec { name, column, kind: input_kind })
}

// The error is one located, bilingual diagnostic, returned once per file; its size does not matter.
#[allow(clippy::result_large_err)]
/// COINr's noisy weight sets, long: `WeightSet,iCode,Level,Weight` (extra columns ignored).
fn weight_sets_csv(display: &str, bytes: &[u8], fw: &Framework) -> Result<Vec<Vec<f64>>, Diagnostic> {
    let err = |line: usize, en: String, zh: String| {
        Diagnostic::error(
            display,
            text(en, zh),
            text(
                "columns: WeightSet,iCode,Level,Weight (COINr's get_noisy_weights, long)",
                "列：WeightSet,iCode,Level,Weight（COINr get_noisy_weights 的长表）",
            ),
        )
        .at(line, 1)
    };
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let h: Vec<String> =
        r.headers().map_err(|e| err(1, e.to_string(), e.to_string()))?.iter().map(str::to_string).collect();
    let col = |n: &str| h.iter().position(|c| c == n);
    let (Some(cs), Some(cc), Some(cw)) = (col("WeightSet"), col("iCode"), col("Weight")) else {
        return Err(err(
            1,
            "missing column WeightSet, iCode or Weight".into(),
            "缺少 WeightSet、iCode 或 Weight 列".into(),
        ));
    };
    let nominal: Vec<f64> = fw.nodes().iter().map(|n| n.spec.weight).collect();
    let mut sets: BTreeMap<usize, (Vec<f64>, Vec<bool>)> = BTreeMap::new();
    for (k, rec) in r.records().enumerate() {
        let line = k + 2;
        let rec = rec.map_err(|e| err(line, e.to_string(), e.to_string()))?;
        let get = |j: usize| rec.get(j).unwrap_or("").trim();
        let set: usize = get(cs).parse().map_err(|_| {
            err(line, format!("WeightSet '{}' is not a number", get(cs)), format!("WeightSet '{}' 不是数字", get(cs)))
        })?;
        let code = get(cc);
        let Some(i) = fw.find(code) else {
            return Err(err(
                line,
                format!("'{code}' is not a node of the framework"),
                format!("'{code}' 不是指标体系中的节点"),
            ));
        };
        let w: f64 = get(cw).parse().map_err(|_| {
            err(line, format!("weight '{}' is not a number", get(cw)), format!("权重 '{}' 不是数字", get(cw)))
        })?;
        let e = sets.entry(set).or_insert_with(|| (nominal.clone(), vec![false; nominal.len()]));
        e.0[i] = w;
        e.1[i] = true;
    }
    if sets.is_empty() {
        return Err(err(1, "no weight sets".into(), "没有权重组".into()));
    }
    for (s, (_, seen)) in &sets {
        let missing: Vec<&str> = fw
            .nodes()
            .iter()
            .zip(seen)
            .filter(|(n, s)| n.parent_idx.is_some() && !**s)
            .map(|(n, _)| n.code())
            .collect();
        if !missing.is_empty() {
            return Err(err(
                1,
                format!("weight set {s} has no weight for {}", list(&missing, 10)),
                format!("权重组 {s} 缺少 {} 的权重", list(&missing, 10)),
            ));
        }
    }
    Ok(sets.into_values().map(|(w, _)| w).collect())
}

/// Command-line overrides of `[sensitivity]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// `--n`.
    pub n: Option<usize>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--sampling`.
    pub sampling: Option<Sampling>,
}

/// The inputs and settings of an analysis of `project`: weight noise is drawn around the nominal
/// weights of the analysed period (those the nominal run aggregated with).
pub fn resolve(spec: &SensitivitySpec, project: &Project, o: &Overrides) -> Result<(Vec<Input>, Settings), Text> {
    let fw = &project.framework;
    let target = match &spec.target {
        Some(c) => {
            fw.find(c).ok_or_else(|| text(format!("target '{c}' is not a node"), format!("target '{c}' 不是节点")))?
        }
        None => fw.root(),
    };
    let periods = &project.meta.periods;
    let period = match &spec.period {
        Some(p) => periods
            .iter()
            .position(|q| q == p)
            .ok_or_else(|| text(format!("period '{p}' is not computed"), format!("期 '{p}' 不在计算范围内")))?,
        None => periods.len().saturating_sub(1),
    };
    let seed = o.seed.unwrap_or(spec.seed);
    let needs_weights = spec.inputs.iter().any(|i| matches!(i.kind, InputSpecKind::Noise { .. }));
    let nominal_weights = if needs_weights {
        let r = baydex_core::compute(project)
            .map_err(|e| text(format!("the nominal index: {e}"), format!("基准指数：{e}")))?;
        r.periods.get(period).map(|p| p.weights.clone()).unwrap_or(r.weights)
    } else {
        Vec::new()
    };
    let inputs = spec
        .inputs
        .iter()
        .map(|i| Input {
            name: i.name.clone(),
            kind: match &i.kind {
                InputSpecKind::Ready(k) => k.clone(),
                InputSpecKind::Noise { step, noise, sets } => {
                    InputKind::WeightSets { step: *step, sets: noisy_weights(&nominal_weights, fw, noise, *sets, seed) }
                }
            },
        })
        .collect();
    let settings = Settings {
        n: o.n.unwrap_or(spec.n),
        seed,
        sampling: o.sampling.unwrap_or(spec.sampling),
        sensitivity: spec.sensitivity,
        binning: spec.binning,
        bootstrap: spec.bootstrap,
        target,
        period,
        leave_one_out: spec.leave_one_out,
    };
    Ok((inputs, settings))
}

/// A replay table (CSV, one row per run): each input's column (its `column`, default its name)
/// holds an alternative's label or its 1-based position, a weight set's number, an indicator
/// code (leave-one-out) or a number (interval). A `Block` column of `A`, `B`, `AB_…` (COINr's
/// `run_parameters.csv` of a sensitivity analysis) marks a Saltelli design; N is then the number
/// of `A` rows. Returns the choices (`runs × inputs`) and, for a Saltelli design, N.
#[allow(clippy::result_large_err)] // one located diagnostic, once per command
pub fn read_replay(
    display: &str,
    bytes: &[u8],
    spec: &SensitivitySpec,
    inputs: &[Input],
    fw: &Framework,
) -> Result<(Vec<Choice>, Option<usize>), Diagnostic> {
    let err = |line: usize, key: &str, en: String, zh: String| {
        Diagnostic::error(
            display,
            text(en, zh),
            text("see docs/sensitivity.md, section Replay", "参见 docs/sensitivity.md 的“重放”一节"),
        )
        .at(line, 1)
        .with_key(key)
    };
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let h: Vec<String> =
        r.headers().map_err(|e| err(1, "", e.to_string(), e.to_string()))?.iter().map(str::to_string).collect();
    let mut cols = Vec::new();
    for s in &spec.inputs {
        match h.iter().position(|c| *c == s.column) {
            Some(j) => cols.push(j),
            None => {
                return Err(err(
                    1,
                    &s.column,
                    format!("no column '{}' for input '{}'", s.column, s.name),
                    format!("没有不确定输入 '{}' 对应的列 '{}'", s.name, s.column),
                ));
            }
        }
    }
    let block = h.iter().position(|c| c == "Block");
    let mut choices = Vec::new();
    let mut n_a = 0usize;
    for (k, rec) in r.records().enumerate() {
        let line = k + 2;
        let rec = rec.map_err(|e| err(line, "", e.to_string(), e.to_string()))?;
        if let Some(b) = block
            && rec.get(b).map(str::trim) == Some("A")
        {
            n_a += 1;
        }
        for (input, &j) in inputs.iter().zip(&cols) {
            let cell = rec.get(j).unwrap_or("").trim();
            let bad = || {
                err(
                    line,
                    &h[j],
                    format!("'{cell}' is not a value of input '{}'", input.name),
                    format!("'{cell}' 不是不确定输入 '{}' 的取值", input.name),
                )
            };
            let c = match (&input.kind, input.alternatives()) {
                (InputKind::Interval { .. }, _) => Choice::Value(cell.parse::<f64>().map_err(|_| bad())?),
                (_, Some(k)) => {
                    let by_label = (0..k).find(|&a| input.label(Choice::Alt(a), fw) == cell);
                    let by_pos = cell.parse::<usize>().ok().filter(|p| (1..=k).contains(p)).map(|p| p - 1);
                    Choice::Alt(by_label.or(by_pos).ok_or_else(bad)?)
                }
                _ => return Err(bad()),
            };
            choices.push(c);
        }
    }
    Ok((choices, if block.is_some() && n_a > 0 { Some(n_a) } else { None }))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

fn rank_text(r: Option<u32>) -> String {
    r.map_or("NA".into(), |r| r.to_string())
}

/// Files of a sensitivity run that only some runs produce (removed from a reused output directory
/// when this run does not write them).
pub const OPTIONAL_FILES: &[&str] = &["sobol.csv", "loo.csv", "ILLUSTRATIVE.txt", "results.xlsx"];

/// The output files of an analysis: `uncertainty.csv` (per unit), `runs.csv` (per run),
/// `sobol.csv` (sensitivity analysis), `loo.csv` (leave-one-out), `sensitivity.json` and
/// `manifest.json`.
pub fn render(
    loaded: &crate::LoadedProject,
    inputs: &[Input],
    settings: &Settings,
    out: &Outcome,
    extra: Json,
) -> Vec<OutFile> {
    let project = &loaded.project;
    let fw = &project.framework;
    let nu = out.units.len();
    let illustrative = project.meta.illustrative;
    let mut files = Vec::new();
    // uncertainty.csv
    let mut s = String::from(
        "unit,nominal_score,nominal_rank,rank_mean,rank_median,rank_q5,rank_q95,score_mean,score_median,score_q5,score_q95",
    );
    if let Some(t) = &out.tiers {
        for b in &t.bands {
            let _ = write!(s, ",tier_{}", csv_field(b));
        }
    }
    s.push('\n');
    for u in 0..nu {
        let (r, sc) = (&out.rank_stats[u], &out.score_stats[u]);
        let _ = write!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&out.units[u]),
            fmt_num(out.nominal_scores[u]),
            rank_text(out.nominal_ranks[u]),
            fmt_num(r.mean),
            fmt_num(r.median),
            fmt_num(r.q5),
            fmt_num(r.q95),
            fmt_num(sc.mean),
            fmt_num(sc.median),
            fmt_num(sc.q5),
            fmt_num(sc.q95)
        );
        if let Some(t) = &out.tiers {
            for x in &t.share[u] {
                let _ = write!(s, ",{}", fmt_num(*x));
            }
        }
        s.push('\n');
    }
    files.push(OutFile { rel: "uncertainty.csv".into(), bytes: s.into_bytes() });
    // runs.csv: one row per run: parameters, block, failure, y, then every unit's score and rank.
    let mut s = String::from("run,block");
    for i in inputs {
        let _ = write!(s, ",{}", csv_field(&i.name));
    }
    s.push_str(",failed,mean_abs_rank_shift");
    for u in &out.units {
        let _ = write!(s, ",score_{}", csv_field(u));
    }
    for u in &out.units {
        let _ = write!(s, ",rank_{}", csv_field(u));
    }
    s.push('\n');
    let d = inputs.len();
    for r in 0..out.runs() {
        let _ = write!(s, "{},{}", r + 1, csv_field(&out.block(r).label(&out.names)));
        for (j, i) in inputs.iter().enumerate() {
            let _ = write!(s, ",{}", csv_field(&i.label(out.choices[r * d + j], fw)));
        }
        let _ = write!(s, ",{},{}", out.failed[r], fmt_num(out.shift[r]));
        for u in 0..nu {
            let _ = write!(s, ",{}", fmt_num(out.scores[r * nu + u]));
        }
        for u in 0..nu {
            let _ = write!(s, ",{}", rank_text(out.ranks[r * nu + u]));
        }
        s.push('\n');
    }
    files.push(OutFile { rel: "runs.csv".into(), bytes: s.into_bytes() });
    if let Some(sobol) = &out.sobol {
        let mut s = String::from("input,Si,STi,Si_q5,Si_q95,STi_q5,STi_q95,Si_jansen,Si_jansen_q5,Si_jansen_q95\n");
        for (name, x) in out.names.iter().zip(sobol) {
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{},{},{},{}",
                csv_field(name),
                fmt_num(x.si),
                fmt_num(x.sti),
                fmt_num(x.si_q5),
                fmt_num(x.si_q95),
                fmt_num(x.sti_q5),
                fmt_num(x.sti_q95),
                fmt_num(x.si_jansen),
                fmt_num(x.si_jansen_q5),
                fmt_num(x.si_jansen_q95)
            );
        }
        files.push(OutFile { rel: "sobol.csv".into(), bytes: s.into_bytes() });
    }
    if let Some(loo) = &out.loo {
        let mut s = String::from("indicator,unit,score,rank,nominal_rank,rank_change\n");
        for (k, &ind) in loo.indicators.iter().enumerate() {
            for u in 0..nu {
                let rank = loo.ranks[k * nu + u];
                let change = match (rank, out.nominal_ranks[u]) {
                    (Some(a), Some(b)) => (i64::from(a) - i64::from(b)).to_string(),
                    _ => "NA".into(),
                };
                let _ = writeln!(
                    s,
                    "{},{},{},{},{},{}",
                    csv_field(fw.node(ind).code()),
                    csv_field(&out.units[u]),
                    fmt_num(loo.scores[k * nu + u]),
                    rank_text(rank),
                    rank_text(out.nominal_ranks[u]),
                    change
                );
            }
        }
        files.push(OutFile { rel: "loo.csv".into(), bytes: s.into_bytes() });
    }
    let num = |x: f64| if x.is_finite() { json!(x) } else { Json::Null };
    let summary = json!({
        "illustrative": illustrative,
        "target": fw.node(settings.target).code(),
        "period": project.meta.periods.get(settings.period),
        "analysis": if settings.sensitivity { "sa" } else { "ua" },
        "n": settings.n, "seed": settings.seed, "sampling": settings.sampling, "binning": settings.binning,
        "bootstrap": settings.bootstrap,
        "runs": out.runs(), "failed_runs": out.failed.iter().filter(|f| **f).count(),
        "inputs": inputs.iter().map(|i| json!({"name": i.name, "alternatives": i.alternatives()})).collect::<Vec<_>>(),
        "units": (0..nu).map(|u| json!({
            "unit": out.units[u], "nominal_score": num(out.nominal_scores[u]), "nominal_rank": out.nominal_ranks[u],
            "rank": {"mean": num(out.rank_stats[u].mean), "median": num(out.rank_stats[u].median), "q5": num(out.rank_stats[u].q5), "q95": num(out.rank_stats[u].q95)},
            "score": {"mean": num(out.score_stats[u].mean), "median": num(out.score_stats[u].median), "q5": num(out.score_stats[u].q5), "q95": num(out.score_stats[u].q95)},
            "tiers": out.tiers.as_ref().map(|t| t.bands.iter().zip(&t.share[u]).map(|(b, x)| (b.clone(), num(*x))).collect::<serde_json::Map<_, _>>()),
        })).collect::<Vec<_>>(),
        "sobol": out.sobol.as_ref().map(|s| out.names.iter().zip(s).map(|(n, x)| json!({
            "input": n, "Si": num(x.si), "STi": num(x.sti), "Si_q5": num(x.si_q5), "Si_q95": num(x.si_q95),
            "STi_q5": num(x.sti_q5), "STi_q95": num(x.sti_q95), "Si_jansen": num(x.si_jansen),
        })).collect::<Vec<_>>()),
    });
    let pretty = |v: &Json| {
        let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
        b.push(b'\n');
        b
    };
    files.push(OutFile { rel: "sensitivity.json".into(), bytes: pretty(&summary) });
    let inputs_json: Vec<Json> =
        loaded.inputs.iter().map(|f| json!({"path": f.path, "sha256": f.sha256, "bytes": f.bytes})).collect();
    let manifest = json!({
        "tool": "baydex", "command": "sensitivity", "version": env!("CARGO_PKG_VERSION"),
        "project": loaded.file, "illustrative": illustrative, "inputs": inputs_json,
        "pipeline": project.pipeline.iter().map(|s| json!({"step": s.step, "params": s.params})).collect::<Vec<_>>(),
        "analysis": summary.get("analysis").cloned(), "n": settings.n, "seed": settings.seed,
        "sampling": settings.sampling, "extra": extra,
    });
    if illustrative {
        let note = format!(
            "ILLUSTRATIVE DATA / 示意数据\n\n{}\n\n{}\n\nmanifest.json and sensitivity.json carry \"illustrative\": true.\n",
            project.meta.illustrative_note.en, project.meta.illustrative_note.zh
        );
        files.push(OutFile { rel: "ILLUSTRATIVE.txt".into(), bytes: note.into_bytes() });
    }
    files.push(OutFile { rel: "manifest.json".into(), bytes: pretty(&manifest) });
    files
}

/// The analysis run when a project declares no `[sensitivity]` (documented in
/// `docs/sensitivity.md`): N = 1000, seed 1, Monte Carlo, Saltelli design, bootstrap 100,
/// leave-one-out, and the inputs that fit the pipeline:
///
/// * `Normalisation` (a `normalise` step): min-max to [1, 100] or z-scores with mean 50 and
///   standard deviation 15 (both positive and on a 0–100 scale, so every aggregation and fixed tier
///   thresholds stay meaningful);
/// * `Aggregation` (the last `aggregate` step): arithmetic or geometric mean;
/// * `Weights`: 100 noisy weight sets, every weight below the index ×(1 ± 25%).
///
/// `None` when the pipeline has no `aggregate` step.
pub fn default_spec(project: &Project) -> Option<SensitivitySpec> {
    let pl = &project.pipeline;
    let agg = pl.iter().rposition(|s| s.step == "aggregate")?;
    let fw = &project.framework;
    let mut inputs = Vec::new();
    let e = |step: usize, k: &str, v: Value| Edit { step, path: vec![k.to_string()], value: v };
    let pair = |a: i64, b: i64| Value::Array(vec![Value::Int(a), Value::Int(b)]);
    if let Some(norm) = pl.iter().position(|s| s.step == "normalise") {
        inputs.push(InputSpec {
            name: "Normalisation".into(),
            column: "Normalisation".into(),
            kind: InputSpecKind::Ready(InputKind::Alternatives {
                alternatives: vec![
                    vec![e(norm, "method", Value::Str("minmax".into())), e(norm, "range", pair(1, 100))],
                    vec![e(norm, "method", Value::Str("zscore".into())), e(norm, "mean_sd", pair(50, 15))],
                ],
                labels: vec!["minmax [1, 100]".into(), "zscore (50, 15)".into()],
            }),
        });
    }
    inputs.push(InputSpec {
        name: "Aggregation".into(),
        column: "Aggregation".into(),
        kind: InputSpecKind::Ready(InputKind::Alternatives {
            alternatives: vec![
                vec![e(agg, "method", Value::Str("amean".into()))],
                vec![e(agg, "method", Value::Str("gmean".into()))],
            ],
            labels: vec!["amean".into(), "gmean".into()],
        }),
    });
    inputs.push(InputSpec {
        name: "Weights".into(),
        column: "Weights".into(),
        kind: InputSpecKind::Noise {
            step: agg,
            noise: (1..fw.max_level()).map(|l| (NoiseScope::Level(l), 0.25)).collect(),
            sets: 100,
        },
    });
    Some(SensitivitySpec {
        target: None,
        period: None,
        n: 1000,
        seed: 1,
        sampling: Sampling::Mc,
        sensitivity: true,
        binning: Binning::Uniform,
        bootstrap: 100,
        leave_one_out: true,
        inputs,
    })
}
