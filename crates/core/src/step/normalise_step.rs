//! `normalise`: direction-adjust every indicator and bring it to a common scale with a
//! [`Normaliser`]; per-indicator overrides are allowed.

use std::collections::BTreeMap;

use super::{Context, Step, StepInfo, StepOutput};
use crate::normalise::{self, IndicatorInfo, NormError, Normaliser};
use crate::{Dataset, Error, Framework, ParamError, ParamInfo, ParamReader, Params, Result, StepSpec, Text, Value};

const EXTRA: &[ParamInfo] = &[
    ParamInfo {
        name: "constant",
        default: "\"error\"",
        doc_en: "a constant indicator is: error (default) | missing (COINr: all NaN) | midpoint (every unit gets the middle of the scale)",
        doc_zh: "常数指标的处理：error（报错，默认）| missing（置为缺失，同 COINr）| midpoint（取量程中点）",
    },
    ParamInfo {
        name: "overrides",
        default: "{}",
        doc_en: "per-indicator parameters, e.g. { CO2 = { method = \"rank\" } }",
        doc_zh: "按指标覆盖参数，例如 { CO2 = { method = \"rank\" } }",
    },
    ParamInfo {
        name: "bounds",
        default: "\"period\"",
        doc_en: "panels: fit the normalisation on each period (period), on all periods pooled (pooled), or on one reference period (reference) so scores are comparable over time",
        doc_zh: "面板数据：按各期分别拟合（period）、所有期合并拟合（pooled）或以参考期拟合（reference），使得分跨期可比",
    },
    ParamInfo {
        name: "reference",
        default: "\"\"",
        doc_en: "the reference period when bounds = \"reference\"",
        doc_zh: "bounds = \"reference\" 时的参考期",
    },
];

const BOUNDS: &[&str] = &["period", "pooled", "reference"];

pub(super) const INFO: StepInfo = StepInfo {
    name: "normalise",
    stage: "Normalised",
    params: &[
        normalise::PARAMS[0],
        normalise::PARAMS[1],
        normalise::PARAMS[2],
        normalise::PARAMS[3],
        normalise::PARAMS[4],
        normalise::PARAMS[5],
        EXTRA[0],
        EXTRA[1],
        EXTRA[2],
        EXTRA[3],
    ],
    doc_en: "Normalise indicators (after direction adjustment) to a common scale.",
    doc_zh: "指标正向化后进行标准化，使其量纲一致。",
    build,
};

const CONSTANT: &[&str] = &["error", "missing", "midpoint"];

/// The `normalise` step.
#[derive(Debug)]
pub struct NormaliseStep {
    default: Box<dyn Normaliser>,
    /// `period`, `pooled` or `reference`.
    bounds: &'static str,
    /// The reference period (when `bounds` is `reference`).
    reference: String,
    constant: &'static str,
    overrides: BTreeMap<String, Box<dyn Normaliser>>,
    resolved: Params,
}

fn build(spec: &StepSpec, fw: &Framework) -> std::result::Result<Box<dyn Step>, ParamError> {
    let r = ParamReader::new(&spec.params, INFO.params)?;
    let default = normalise::build(&r)?;
    let b = r.choice("bounds", "period", BOUNDS)?;
    let bounds = BOUNDS.iter().copied().find(|x| *x == b).unwrap_or("period");
    let reference = r.str("reference", "")?.to_string();
    if bounds == "reference" && reference.is_empty() {
        return Err(ParamError::OutOfDomain {
            name: "reference".into(),
            got: "\"\"".into(),
            expected: "bounds = \"reference\" needs a reference period, e.g. reference = \"2010\"",
        });
    }
    let c = r.choice("constant", "error", CONSTANT)?;
    let constant = CONSTANT.iter().copied().find(|x| *x == c).unwrap_or("error");
    let mut overrides = BTreeMap::new();
    let mut resolved = resolved_params(&r, default.name());
    let mut res_over = Params::new();
    for (code, v) in r.table("overrides")? {
        if fw.find(code).is_none_or(|i| !fw.node(i).is_indicator()) {
            return Err(ParamError::UnknownTarget {
                name: "overrides".into(),
                code: code.into(),
                expected: "an indicator",
            });
        }
        let t = v.as_table().ok_or_else(|| ParamError::WrongType {
            name: format!("overrides.{code}"),
            expected: "a table, e.g. { method = \"rank\" }",
            got: v.to_string(),
        })?;
        // An override inherits the step's parameters and replaces those it names.
        let mut merged: Params = spec.params.clone();
        merged.remove("overrides");
        merged.remove("constant");
        merged.extend(t.iter().map(|(k, v)| (k.clone(), v.clone())));
        ParamReader::with_prefix(t, normalise::PARAMS, &format!("overrides.{code}."))?;
        let o = ParamReader::new(&merged, normalise::PARAMS)?;
        let n = normalise::build(&o)?;
        res_over.insert(code.to_string(), Value::Table(resolved_params(&o, n.name())));
        overrides.insert(code.to_string(), n);
    }
    resolved.insert("constant".into(), Value::Str(constant.into()));
    resolved.insert("bounds".into(), Value::Str(bounds.into()));
    if bounds == "reference" {
        resolved.insert("reference".into(), Value::Str(reference.clone()));
    }
    resolved.insert("overrides".into(), Value::Table(res_over));
    Ok(Box::new(NormaliseStep { default, bounds, reference, constant, overrides, resolved }))
}

/// The parameters relevant to `method`, with defaults filled in.
fn resolved_params(r: &ParamReader<'_>, method: &str) -> Params {
    let mut p = Params::new();
    p.insert("method".into(), Value::Str(method.into()));
    let pair = |k: &str, d: (f64, f64)| {
        let (a, b) = r.pair(k, d).unwrap_or(d);
        Value::Array(vec![Value::Float(a), Value::Float(b)])
    };
    match method {
        "minmax" => {
            p.insert("range".into(), pair("range", (0.0, 100.0)));
        }
        "zscore" => {
            p.insert("mean_sd".into(), pair("mean_sd", (0.0, 1.0)));
        }
        "goalposts" => {
            p.insert("scale".into(), Value::Float(r.f64("scale", 100.0).unwrap_or(100.0)));
            p.insert("trunc".into(), Value::Bool(r.bool("trunc", true).unwrap_or(true)));
        }
        "dist2targ" => {
            p.insert("cap".into(), Value::Bool(r.bool("cap", true).unwrap_or(true)));
        }
        _ => {}
    }
    p
}

impl Step for NormaliseStep {
    fn name(&self) -> &'static str {
        INFO.name
    }
    fn stage(&self) -> &'static str {
        INFO.stage
    }
    fn resolved(&self) -> Params {
        self.resolved.clone()
    }
    fn may_add_missing(&self) -> bool {
        self.constant == "missing"
    }

    fn apply(&self, ctx: &Context<'_>, input: &Dataset) -> Result<StepOutput> {
        let mut out = input.clone();
        let mut adjusted = vec![0.0; input.units.len()];
        let mut fit_on: Vec<f64> = Vec::new();
        let mut fallbacks = Vec::new();
        let reference = match self.bounds {
            "reference" => Some(
                ctx.input_of(&self.reference).ok_or_else(|| Error::UnknownPeriod { period: self.reference.clone() })?,
            ),
            _ => None,
        };
        for (j, code) in input.columns.iter().enumerate() {
            let Some(node) = ctx.framework.find(code).map(|i| ctx.framework.node(i)) else { continue };
            let spec = &node.spec;
            let info =
                IndicatorInfo { code, direction: spec.direction, target: spec.target, goalposts: spec.goalposts };
            let n = self.overrides.get(code).unwrap_or(&self.default);
            for (a, &x) in adjusted.iter_mut().zip(input.data.col(j)) {
                *a = x * spec.direction;
            }
            // The data the normaliser is fitted on: this period, all periods, or the reference.
            let fit_data: &[f64] = match (self.bounds, reference) {
                ("pooled", _) => {
                    fit_on.clear();
                    for d in ctx.panel {
                        if let Some(c) = d.values(code) {
                            fit_on.extend(c.iter().map(|x| x * spec.direction));
                        }
                    }
                    &fit_on
                }
                (_, Some(r)) => {
                    fit_on.clear();
                    if let Some(c) = r.values(code) {
                        fit_on.extend(c.iter().map(|x| x * spec.direction));
                    }
                    &fit_on
                }
                _ => &adjusted,
            };
            let col = out.data.col_mut(j);
            match n.fit(fit_data, &info) {
                Ok(f) => f.apply(&adjusted, col),
                Err(NormError::Constant { value }) => match self.constant {
                    "missing" => {
                        col.fill(f64::NAN);
                        fallbacks.push(code.clone());
                    }
                    "midpoint" => {
                        let m = n.midpoint();
                        for (o, &x) in col.iter_mut().zip(&adjusted) {
                            *o = if x.is_nan() { f64::NAN } else { m };
                        }
                        fallbacks.push(code.clone());
                    }
                    _ => {
                        return Err(Error::ConstantIndicator {
                            indicator: code.clone(),
                            method: n.name(),
                            value: value * spec.direction,
                            period: ctx.period.to_string(),
                        });
                    }
                },
                Err(NormError::Empty) => {
                    return Err(Error::EmptyIndicator { indicator: code.clone(), period: ctx.period.to_string() });
                }
                Err(NormError::DegenerateTarget { target }) => {
                    return Err(Error::DegenerateTarget {
                        indicator: code.clone(),
                        target,
                        period: ctx.period.to_string(),
                    });
                }
                Err(NormError::MissingParam { field }) => {
                    return Err(Error::MissingIndicatorParam { indicator: code.clone(), field, method: n.name() });
                }
            }
        }
        let desc = self.resolved.iter().filter(|(k, _)| *k != "overrides").map(|(k, v)| format!("{k} = {v}"));
        let desc: Vec<String> = desc.collect();
        let mut log = vec![Text::new(
            format!("normalised {} indicators ({})", input.columns.len(), desc.join(", ")),
            format!("对 {} 个指标进行标准化（{}）", input.columns.len(), desc.join("，")),
        )];
        if !self.overrides.is_empty() {
            let o: Vec<String> = self.overrides.iter().map(|(c, n)| format!("{c}: {}", n.name())).collect();
            log.push(Text::new(
                format!("per-indicator methods: {}", o.join(", ")),
                format!("单独指定方法的指标：{}", o.join("，")),
            ));
        }
        if !fallbacks.is_empty() {
            log.push(Text::new(
                format!("constant indicators set to {}: {}", self.constant, fallbacks.join(", ")),
                format!("常数指标按 {} 处理：{}", self.constant, fallbacks.join("，")),
            ));
        }
        Ok(StepOutput::new(out, log))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Framework, Goalposts, Matrix, NodeSpec, StepSpec, Value, compute_matrix};

    fn fw() -> Framework {
        let mut g = NodeSpec::indicator("g", "I");
        g.goalposts = Some(Goalposts { lower: 0.0, upper: 10.0 });
        g.target = Some(8.0);
        Framework::build(vec![
            NodeSpec::aggregate("I", None),
            NodeSpec::indicator("a", "I"),
            NodeSpec::indicator("c", "I").with_direction(-1.0),
            g,
        ])
        .unwrap()
    }

    fn raw(c: [f64; 3]) -> Matrix {
        Matrix::from_columns(3, &[vec![1.0, 2.0, 3.0], c.to_vec(), vec![2.0, 5.0, 12.0]]).unwrap()
    }

    fn run(norm: StepSpec, c: [f64; 3]) -> Result<Vec<Vec<f64>>, Error> {
        let f = fw();
        let r = compute_matrix(&f, &["x", "y", "z"], &raw(c), &[norm, StepSpec::new("aggregate")])?;
        Ok(["a", "c", "g"].iter().map(|k| r.stage("Normalised").unwrap().values(k).unwrap().to_vec()).collect())
    }

    fn table(entries: &[(&str, Value)]) -> Value {
        Value::Table(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn direction_minus_one_reverses() {
        let v = run(StepSpec::new("normalise"), [10.0, 30.0, 20.0]).unwrap();
        assert_eq!(v[0], vec![0.0, 50.0, 100.0]);
        assert_eq!(v[1], vec![100.0, 0.0, 50.0]);
    }

    #[test]
    fn per_indicator_overrides() {
        let o = table(&[
            ("g", table(&[("method", Value::Str("goalposts".into()))])),
            ("c", table(&[("method", Value::Str("rank".into()))])),
        ]);
        let v = run(StepSpec::new("normalise").with("overrides", o), [10.0, 30.0, 20.0]).unwrap();
        assert_eq!(v[0], vec![0.0, 50.0, 100.0]);
        assert_eq!(v[1], vec![3.0, 1.0, 2.0], "rank of a lower-is-better indicator");
        assert_eq!(v[2], vec![20.0, 50.0, 100.0], "goalposts [0, 10] with truncation");
        let o = table(&[("g", table(&[("method", Value::Str("dist2targ".into()))]))]);
        let v = run(StepSpec::new("normalise").with("overrides", o), [10.0, 30.0, 20.0]).unwrap();
        assert_eq!(v[2], vec![0.0, 0.5, 1.0]);
    }

    #[test]
    fn constant_indicator_is_an_error_naming_it_unless_a_fallback_is_chosen() {
        let e = run(StepSpec::new("normalise"), [7.0, 7.0, 7.0]).unwrap_err();
        assert!(
            matches!(&e, Error::ConstantIndicator { indicator, value, .. } if indicator == "c" && *value == 7.0),
            "{e}"
        );
        let v =
            run(StepSpec::new("normalise").with("constant", Value::Str("midpoint".into())), [7.0, 7.0, 7.0]).unwrap();
        assert_eq!(v[1], vec![50.0; 3]);
        let v =
            run(StepSpec::new("normalise").with("constant", Value::Str("missing".into())), [7.0, 7.0, 7.0]).unwrap();
        assert!(v[1].iter().all(|x| x.is_nan()));
        let e = crate::step::build(&StepSpec::new("normalise").with("constant", Value::Str("zero".into())), &fw());
        assert!(e.is_err());
    }

    #[test]
    fn goalposts_and_target_must_exist_when_used() {
        let e = run(StepSpec::new("normalise").with("method", Value::Str("goalposts".into())), [1.0, 2.0, 3.0]);
        assert!(matches!(e, Err(Error::MissingIndicatorParam { field: "goalposts", .. })), "{e:?}");
        let e = run(StepSpec::new("normalise").with("method", Value::Str("dist2targ".into())), [1.0, 2.0, 3.0]);
        assert!(matches!(e, Err(Error::MissingIndicatorParam { field: "target", .. })), "{e:?}");
    }

    #[test]
    fn override_of_a_non_indicator_is_rejected() {
        let o = table(&[("I", table(&[("method", Value::Str("rank".into()))]))]);
        assert!(crate::step::build(&StepSpec::new("normalise").with("overrides", o), &fw()).is_err());
        let o = table(&[("a", table(&[("methd", Value::Str("rank".into()))]))]);
        assert!(crate::step::build(&StepSpec::new("normalise").with("overrides", o), &fw()).is_err());
    }
}
