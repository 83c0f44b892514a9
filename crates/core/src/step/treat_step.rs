//! `treat`: outlier treatment of every indicator with COINr's rule (skewness/kurtosis check,
//! winsorisation up to `winmax` points, `log_ct` of the original values as a fallback), with
//! per-indicator overrides and exclusions.
//!
//! Reference: COINr `Treat` with its default `global_specs` (`treat.R`; the rule is in
//! [`crate::treat`]). It runs on the values as they are at this stage (COINr: raw or
//! denominated, before direction adjustment). Every capped point is listed (`winhi` / `winlo`,
//! with its value before and after) and every transformed indicator (`log_ct`, unit empty).

use std::collections::BTreeMap;

use super::{CellChange, Context, Step, StepInfo, StepOutput};
use crate::treat::{self, Outcome, Rule};
use crate::{Dataset, Framework, ParamError, ParamInfo, ParamReader, Params, Result, StepSpec, Text, Value};

const EXTRA: &[ParamInfo] = &[
    ParamInfo {
        name: "overrides",
        default: "{}",
        doc_en: "per-indicator parameters, e.g. { Goods = { winmax = 2 } } (winmax, skew_thresh, kurt_thresh, transform)",
        doc_zh: "按指标覆盖参数，例如 { Goods = { winmax = 2 } }（winmax、skew_thresh、kurt_thresh、transform）",
    },
    ParamInfo {
        name: "exclude",
        default: "[]",
        doc_en: "indicators left untreated, e.g. [\"Tariff\"]",
        doc_zh: "不做处理的指标，例如 [\"Tariff\"]",
    },
];

pub(super) const INFO: StepInfo = StepInfo {
    name: "treat",
    stage: "Treated",
    params: &[treat::PARAMS[0], treat::PARAMS[1], treat::PARAMS[2], treat::PARAMS[3], EXTRA[0], EXTRA[1]],
    doc_en: "Treat outliers: winsorise skewed indicators, log-transform those winsorisation cannot fix (COINr rule).",
    doc_zh: "异常值处理：对偏态指标缩尾，缩尾不足时做对数变换（COINr 规则）。",
    build,
};

/// The `treat` step.
#[derive(Debug)]
pub struct TreatStep {
    rule: Rule,
    overrides: BTreeMap<String, Rule>,
    exclude: Vec<String>,
}

/// Names a nested parameter `prefix.name` in an error raised without the prefix.
fn prefixed(e: ParamError, prefix: &str) -> ParamError {
    match e {
        ParamError::OutOfDomain { name, got, expected } if !name.starts_with(prefix) => {
            ParamError::OutOfDomain { name: format!("{prefix}{name}"), got, expected }
        }
        e => e,
    }
}

fn indicator(fw: &Framework, name: &str, code: &str) -> std::result::Result<(), ParamError> {
    if fw.find(code).is_none_or(|i| !fw.node(i).is_indicator()) {
        return Err(ParamError::UnknownTarget { name: name.into(), code: code.into(), expected: "an indicator" });
    }
    Ok(())
}

fn build(spec: &StepSpec, fw: &Framework) -> std::result::Result<Box<dyn Step>, ParamError> {
    let r = ParamReader::new(&spec.params, INFO.params)?;
    let rule = treat::read_rule(&r, &Rule::default())?;
    let mut overrides = BTreeMap::new();
    for (code, v) in r.table("overrides")? {
        indicator(fw, "overrides", code)?;
        let t = v.as_table().ok_or_else(|| ParamError::WrongType {
            name: format!("overrides.{code}"),
            expected: "a table, e.g. { winmax = 2 }",
            got: v.to_string(),
        })?;
        let prefix = format!("overrides.{code}.");
        let o = ParamReader::with_prefix(t, treat::PARAMS, &prefix)?;
        overrides.insert(code.to_string(), treat::read_rule(&o, &rule).map_err(|e| prefixed(e, &prefix))?);
    }
    let mut exclude = Vec::new();
    match r.get("exclude") {
        None => {}
        Some(Value::Array(a)) => {
            for (k, v) in a.iter().enumerate() {
                let code = v.as_str().ok_or_else(|| ParamError::WrongType {
                    name: format!("exclude[{}]", k + 1),
                    expected: "an indicator code (a string)",
                    got: v.to_string(),
                })?;
                indicator(fw, "exclude", code)?;
                exclude.push(code.to_string());
            }
        }
        Some(v) => {
            return Err(ParamError::WrongType {
                name: "exclude".into(),
                expected: "an array of indicator codes, e.g. [\"Tariff\"]",
                got: v.to_string(),
            });
        }
    }
    Ok(Box::new(TreatStep { rule, overrides, exclude }))
}

fn rule_params(r: &Rule) -> Params {
    let mut p = Params::new();
    p.insert("winmax".into(), Value::Int(r.winmax as i64));
    p.insert("skew_thresh".into(), Value::Float(r.skew_thresh));
    p.insert("kurt_thresh".into(), Value::Float(r.kurt_thresh));
    p.insert("transform".into(), Value::Str(r.transform.map_or("none", |t| t.name()).into()));
    p
}

/// `1 point`, `3 points`.
fn points_en(n: usize) -> String {
    if n == 1 { "1 point".into() } else { format!("{n} points") }
}

/// `skew 2.243, kurt 6.298` (`zh`: `偏度 2.243，峰度 6.298`).
fn sk(c: Option<treat::Check>, zh: bool) -> String {
    match c {
        None => "-".into(),
        Some(c) if zh => format!("偏度 {:.3}，峰度 {:.3}", c.skew, c.kurt),
        Some(c) => format!("skew {:.3}, kurt {:.3}", c.skew, c.kurt),
    }
}

impl Step for TreatStep {
    fn name(&self) -> &'static str {
        INFO.name
    }
    fn stage(&self) -> &'static str {
        INFO.stage
    }
    fn resolved(&self) -> Params {
        let mut p = rule_params(&self.rule);
        let o = self.overrides.iter().map(|(c, r)| (c.clone(), Value::Table(rule_params(r)))).collect();
        p.insert("overrides".into(), Value::Table(o));
        p.insert("exclude".into(), Value::Array(self.exclude.iter().map(|c| Value::Str(c.clone())).collect()));
        p
    }

    fn apply(&self, _ctx: &Context<'_>, input: &Dataset) -> Result<StepOutput> {
        let mut out = input.clone();
        let mut changes = Vec::new();
        let mut details = Vec::new();
        let (mut passed, mut winsorised, mut points) = (0usize, Vec::new(), 0usize);
        let mut transformed = Vec::new();
        let mut skipped = Vec::new();
        let mut excluded = Vec::new();
        // "high: A B; low: C" in both languages.
        let sides = |t: &treat::Treated| {
            let units = |rows: &[usize]| rows.iter().map(|&i| input.units[i].as_str()).collect::<Vec<_>>().join(" ");
            let (mut en, mut zh) = (Vec::new(), Vec::new());
            if !t.high.is_empty() {
                en.push(format!("high: {}", units(&t.high)));
                zh.push(format!("高端：{}", units(&t.high)));
            }
            if !t.low.is_empty() {
                en.push(format!("low: {}", units(&t.low)));
                zh.push(format!("低端：{}", units(&t.low)));
            }
            (en.join("; "), zh.join("；"))
        };
        for (j, code) in input.columns.iter().enumerate() {
            if self.exclude.contains(code) {
                excluded.push(code.as_str());
                continue;
            }
            let rule = self.overrides.get(code).unwrap_or(&self.rule);
            let x = input.data.col(j);
            let t = treat::treat(x, rule);
            match t.outcome {
                Outcome::Passed => passed += 1,
                Outcome::TooFewValues | Outcome::Undecided => skipped.push(code.as_str()),
                Outcome::Winsorised => {
                    for (i, (&b, &a)) in x.iter().zip(&t.x).enumerate() {
                        let what = if t.high.contains(&i) {
                            "winhi"
                        } else if t.low.contains(&i) {
                            "winlo"
                        } else {
                            continue;
                        };
                        changes.push(CellChange {
                            unit: input.units[i].clone(),
                            code: code.clone(),
                            before: b,
                            after: a,
                            what: what.into(),
                        });
                    }
                    points += t.nwin;
                    winsorised.push(code.as_str());
                    let still = if t.after_winsorising.and_then(|c| c.pass) == Some(false) {
                        (" (still outside the limits; transform = none)", "（仍超出阈值；transform = none）")
                    } else {
                        ("", "")
                    };
                    let (en, zh) = sides(&t);
                    details.push(Text::new(
                        format!(
                            "{code}: {} → winsorised {} ({en}) → {}{}",
                            sk(t.before, false),
                            points_en(t.nwin),
                            sk(t.after_winsorising, false),
                            still.0
                        ),
                        format!(
                            "{code}：{} → 缩尾 {} 个点（{zh}）→ {}{}",
                            sk(t.before, true),
                            t.nwin,
                            sk(t.after_winsorising, true),
                            still.1
                        ),
                    ));
                    out.data.col_mut(j).copy_from_slice(&t.x);
                }
                Outcome::Transformed(name) => {
                    changes.push(CellChange {
                        unit: String::new(),
                        code: code.clone(),
                        before: f64::NAN,
                        after: f64::NAN,
                        what: name.into(),
                    });
                    transformed.push(code.as_str());
                    let (en, zh) = sides(&t);
                    details.push(Text::new(
                        format!(
                            "{code}: {} → winsorising {} ({en}) was not enough ({}) → {name} of the original values → {}",
                            sk(t.before, false),
                            points_en(t.nwin),
                            sk(t.after_winsorising, false),
                            sk(t.after_transform, false)
                        ),
                        format!(
                            "{code}：{} → 缩尾 {} 个点（{zh}）后仍不达标（{}）→ 对原始值做 {name} 变换 → {}",
                            sk(t.before, true),
                            t.nwin,
                            sk(t.after_winsorising, true),
                            sk(t.after_transform, true)
                        ),
                    ));
                    out.data.col_mut(j).copy_from_slice(&t.x);
                }
            }
        }
        let n = input.columns.len() - excluded.len();
        let mut log = vec![Text::new(
            format!(
                "treated {} of {n} indicators (winmax = {}, |skew| < {} or kurt < {} passes): {} winsorised ({points} points), {} transformed{}; {passed} passed",
                winsorised.len() + transformed.len(),
                self.rule.winmax,
                self.rule.skew_thresh,
                self.rule.kurt_thresh,
                winsorised.len(),
                transformed.len(),
                if transformed.is_empty() { String::new() } else { format!(" ({})", transformed.join(", ")) },
            ),
            format!(
                "处理了 {n} 个指标中的 {} 个（winmax = {}，|偏度| < {} 或峰度 < {} 即通过）：缩尾 {} 个（共 {points} 个点），变换 {} 个{}；{passed} 个通过检验",
                winsorised.len() + transformed.len(),
                self.rule.winmax,
                self.rule.skew_thresh,
                self.rule.kurt_thresh,
                winsorised.len(),
                transformed.len(),
                if transformed.is_empty() { String::new() } else { format!("（{}）", transformed.join("，")) },
            ),
        )];
        log.extend(details);
        if !excluded.is_empty() {
            log.push(Text::new(
                format!("excluded from treatment: {}", excluded.join(", ")),
                format!("不做处理的指标：{}", excluded.join("，")),
            ));
        }
        if !skipped.is_empty() {
            log.push(Text::new(
                format!(
                    "left as they are (fewer than 4 values, or skewness and kurtosis undefined): {}",
                    skipped.join(", ")
                ),
                format!("未处理（有效值少于 4 个，或偏度、峰度无定义）：{}", skipped.join("，")),
            ));
        }
        Ok(StepOutput { data: out, messages: log, changes, weights: None })
    }
}

#[cfg(test)]
mod tests {

    use crate::{Dataset, Framework, Matrix, NodeSpec, ParamError, StepSpec, Value};

    fn fw() -> Framework {
        Framework::build(vec![
            NodeSpec::aggregate("I", None),
            NodeSpec::indicator("a", "I"),
            NodeSpec::indicator("b", "I"),
            NodeSpec::indicator("c", "I"),
        ])
        .unwrap()
    }

    /// a = 1..20, 100, 150, 200 (right-skewed, passes after capping 2 points); b = its mirror;
    /// c = symmetric.
    fn input() -> Dataset {
        let a: Vec<f64> = (1..=20).map(f64::from).chain([100.0, 150.0, 200.0]).collect();
        let b: Vec<f64> = a.iter().map(|v| -v).collect();
        let c: Vec<f64> = (1..=23).map(f64::from).collect();
        let units = (0..23).map(|i| format!("u{i}")).collect();
        Dataset::new(units, vec!["a".into(), "b".into(), "c".into()], Matrix::from_columns(23, &[a, b, c]).unwrap())
            .unwrap()
    }

    fn run(spec: StepSpec) -> crate::Result<super::StepOutput> {
        crate::step::testing::apply(&spec, &fw(), &["2023"], &[input()], 0, None, None)
    }

    fn table(entries: &[(&str, Value)]) -> Value {
        Value::Table(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn lists_every_capped_point() {
        let o = run(StepSpec::new("treat")).unwrap();
        let got: Vec<(&str, &str, f64, f64, &str)> =
            o.changes.iter().map(|c| (c.unit.as_str(), c.code.as_str(), c.before, c.after, c.what.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("u21", "a", 150.0, 100.0, "winhi"),
                ("u22", "a", 200.0, 100.0, "winhi"),
                ("u21", "b", -150.0, -100.0, "winlo"),
                ("u22", "b", -200.0, -100.0, "winlo"),
            ]
        );
        assert_eq!(o.data.values("c").unwrap(), input().values("c").unwrap());
        assert!(o.messages[0].en.contains("2 winsorised (4 points)"), "{:?}", o.messages[0]);
    }

    #[test]
    fn overrides_and_exclusions() {
        let spec = StepSpec::new("treat")
            .with("overrides", table(&[("a", table(&[("winmax", Value::Int(1))]))]))
            .with("exclude", Value::Array(vec![Value::Str("b".into())]));
        let o = run(spec).unwrap();
        let log_ct: Vec<&str> = o.changes.iter().filter(|c| c.what == "log_ct").map(|c| c.code.as_str()).collect();
        assert_eq!(log_ct, vec!["a"], "a: one point is not enough, so log_ct of the original values");
        assert!(o.changes.iter().all(|c| c.code != "b"));
        assert_eq!(o.data.values("b").unwrap(), input().values("b").unwrap());
        let a = o.data.values("a").unwrap();
        assert!((a[0] - 1.99_f64.ln()).abs() < 1e-12);
        assert!(o.messages.iter().any(|m| m.en.contains("excluded from treatment: b")));
    }

    #[test]
    fn bad_parameters_are_rejected_before_running() {
        let f = fw();
        let bad = |spec: StepSpec| crate::step::build(&spec, &f).err();
        let e = bad(StepSpec::new("treat").with("exclude", Value::Array(vec![Value::Str("I".into())])));
        assert!(matches!(e, Some(crate::Error::Param { source: ParamError::UnknownTarget { .. }, .. })));
        let e = bad(StepSpec::new("treat").with("exclude", Value::Str("a".into())));
        assert!(matches!(e, Some(crate::Error::Param { source: ParamError::WrongType { .. }, .. })));
        let o = table(&[("a", table(&[("skew_thresh", Value::Int(-1))]))]);
        let e = bad(StepSpec::new("treat").with("overrides", o));
        assert!(
            matches!(&e, Some(crate::Error::Param { source: ParamError::OutOfDomain { name, .. }, .. }) if name == "overrides.a.skew_thresh"),
            "{e:?}"
        );
        let o = table(&[("a", table(&[("winmx", Value::Int(1))]))]);
        assert!(bad(StepSpec::new("treat").with("overrides", o)).is_some());
        assert!(bad(StepSpec::new("treat").with("winmax", Value::Int(-2))).is_some());
    }
}
