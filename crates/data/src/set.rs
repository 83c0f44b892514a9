//! `--set STEP.PARAM=VALUE`: replacing one step parameter for one run.

use baydex_core::{StepSpec, Text, Value};
use toml::de::DeValue;

use crate::diag::{Diagnostic, list, text};

/// Replaces (or adds) one step parameter: `assignment` is `STEP.PARAM=VALUE`.
///
/// VALUE is parsed as a TOML value (`rank` and `"rank"` are both the string `rank`, `[1,100]`
/// is an array, `true` a boolean); a bare word that is not valid TOML is a string. PARAM may be
/// a dotted path into a table parameter (`normalise.overrides.CO2.method=rank`). When the
/// pipeline has the same step more than once, name the occurrence: `normalise#2.range=[1,100]`.
///
/// Only the step name is checked here; whether the parameter exists and its value is valid is
/// checked when the core builds the step.
// The error is one located, bilingual diagnostic, as for every other input problem; it is
// returned once per command line, so its size does not matter.
#[allow(clippy::result_large_err)]
pub fn apply_set(pipeline: &mut [StepSpec], assignment: &str) -> Result<(), Diagnostic> {
    let err = |message: Text, help: Text| Diagnostic::error("--set", message, help).with_key(assignment);
    let usage = text(
        "write --set STEP.PARAM=VALUE, e.g. --set normalise.method=rank or --set normalise.range=[1,100]",
        "格式为 --set 步骤.参数=值，例如 --set normalise.method=rank 或 --set normalise.range=[1,100]",
    );
    let Some((lhs, rhs)) = assignment.split_once('=') else {
        return Err(err(text("missing '=' in the assignment", "赋值中缺少“=”"), usage));
    };
    let Some((step, path)) = lhs.trim().split_once('.') else {
        return Err(err(text("missing '.' between the step and the parameter", "步骤名与参数名之间缺少“.”"), usage));
    };
    let path: Vec<&str> = path.split('.').map(str::trim).collect();
    if path.iter().any(|p| p.is_empty()) {
        return Err(err(text("empty parameter name", "参数名为空"), usage));
    }
    let (name, occurrence) = match step.split_once('#') {
        None => (step.trim(), None),
        Some((n, k)) => match k.trim().parse::<usize>() {
            Ok(k) if k >= 1 => (n.trim(), Some(k)),
            _ => {
                return Err(err(
                    text(format!("'#{k}' is not a step number"), format!("“#{k}”不是步骤序号")),
                    text(
                        "number the occurrences of a step from 1: normalise#2.range=…",
                        "同名步骤从 1 开始编号：normalise#2.range=…",
                    ),
                ));
            }
        },
    };
    let present: Vec<&str> = pipeline.iter().map(|s| s.step.as_str()).collect();
    let matching: Vec<usize> = (0..pipeline.len()).filter(|&i| pipeline[i].step == name).collect();
    let idx = match (occurrence, matching.as_slice()) {
        (_, []) => {
            return Err(err(
                text(format!("the pipeline has no step '{name}'"), format!("计算流程中没有步骤 '{name}'")),
                text(
                    format!("steps in the pipeline: {}", list(&present, 30)),
                    format!("计算流程中的步骤：{}", list(&present, 30)),
                ),
            ));
        }
        (None, [i]) => *i,
        (None, many) => {
            return Err(err(
                text(
                    format!("the pipeline has {} '{name}' steps; say which one", many.len()),
                    format!("计算流程中有 {} 个 '{name}' 步骤，请指明是哪一个", many.len()),
                ),
                text(
                    format!("write {name}#1.{0}=… to {name}#{1}.{0}=…", path.join("."), many.len()),
                    format!("写作 {name}#1.{0}=… 至 {name}#{1}.{0}=…", path.join("."), many.len()),
                ),
            ));
        }
        (Some(k), many) => match many.get(k - 1) {
            Some(i) => *i,
            None => {
                return Err(err(
                    text(
                        format!("the pipeline has only {} '{name}' step(s), not {k}", many.len()),
                        format!("计算流程中只有 {} 个 '{name}' 步骤，没有第 {k} 个", many.len()),
                    ),
                    Text::default(),
                ));
            }
        },
    };
    let value = parse_value(rhs.trim()).map_err(|m| err(m, Text::default()))?;
    let Some(spec) = pipeline.get_mut(idx) else {
        return Err(err(text("internal error: step index", "内部错误：步骤序号"), Text::default()));
    };
    let (last, parents) = match path.split_last() {
        Some(x) => x,
        None => return Err(err(text("empty parameter name", "参数名为空"), usage)),
    };
    let mut table = &mut spec.params;
    for (depth, p) in parents.iter().enumerate() {
        let entry = table.entry((*p).to_string()).or_insert_with(|| Value::Table(Default::default()));
        match entry {
            Value::Table(t) => table = t,
            other => {
                let at = path.get(..=depth).map(|s| s.join(".")).unwrap_or_default();
                return Err(err(
                    text(
                        format!("parameter '{at}' is {} {other}, not a table", other.type_name()),
                        format!("参数 '{at}' 是{}（{other}），不是表", other.type_name()),
                    ),
                    text(
                        format!("set '{at}' itself, e.g. {name}.{at}=…"),
                        format!("请直接设置 '{at}'，如 {name}.{at}=…"),
                    ),
                ));
            }
        }
    }
    table.insert((*last).to_string(), value);
    Ok(())
}

/// A `--set` value: TOML if it parses, otherwise the text itself.
fn parse_value(s: &str) -> Result<Value, Text> {
    match DeValue::parse(s) {
        Ok(v) => convert(v.get_ref()),
        Err(_) => Ok(Value::Str(s.to_string())),
    }
}

/// Converts a TOML value into a step parameter value. Date-times become strings.
pub(crate) fn convert(v: &DeValue<'_>) -> Result<Value, Text> {
    Ok(match v {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            match i64::from_str_radix(&digits, i.radix()) {
                Ok(n) => Value::Int(n),
                Err(_) => {
                    return Err(text(
                        format!("integer {i} does not fit in 64 bits"),
                        format!("整数 {i} 超出 64 位整数范围"),
                    ));
                }
            }
        }
        DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
            Ok(x) => Value::Float(x),
            Err(_) => return Err(text(format!("'{f}' is not a number"), format!("'{f}' 不是数字"))),
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Str(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(|x| convert(x.get_ref())).collect::<Result<_, _>>()?),
        DeValue::Table(t) => Value::Table(
            t.iter().map(|(k, x)| Ok((k.get_ref().to_string(), convert(x.get_ref())?))).collect::<Result<_, Text>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline() -> Vec<StepSpec> {
        vec![StepSpec::new("denominate"), StepSpec::new("normalise"), StepSpec::new("aggregate")]
    }

    #[test]
    fn bare_word_is_a_string_and_toml_is_parsed() {
        let mut p = pipeline();
        apply_set(&mut p, "normalise.method=rank").unwrap();
        assert_eq!(p[1].params["method"], Value::Str("rank".into()));
        apply_set(&mut p, "normalise.method=\"zscore\"").unwrap();
        assert_eq!(p[1].params["method"], Value::Str("zscore".into()));
        apply_set(&mut p, "normalise.range=[1,100]").unwrap();
        assert_eq!(p[1].params["range"], Value::Array(vec![Value::Int(1), Value::Int(100)]));
        apply_set(&mut p, "normalise.trunc = false").unwrap();
        assert_eq!(p[1].params["trunc"], Value::Bool(false));
        apply_set(&mut p, "denominate.scale=1e4").unwrap();
        assert_eq!(p[0].params["scale"], Value::Float(10000.0));
        apply_set(&mut p, "aggregate.weights.COM=2").unwrap();
        assert_eq!(p[2].params["weights"].as_table().unwrap()["COM"], Value::Int(2));
    }

    #[test]
    fn unknown_step_lists_the_pipeline() {
        let mut p = pipeline();
        let e = apply_set(&mut p, "normalize.method=rank").unwrap_err();
        assert!(e.message.en.contains("no step 'normalize'"));
        assert!(e.help.en.contains("denominate, normalise, aggregate"), "{}", e.help.en);
        assert!(!e.help.zh.is_empty());
    }

    #[test]
    fn malformed_assignments() {
        let mut p = pipeline();
        assert!(apply_set(&mut p, "normalise.method").is_err());
        assert!(apply_set(&mut p, "method=rank").is_err());
        assert!(apply_set(&mut p, "normalise.=rank").is_err());
        apply_set(&mut p, "normalise.method=rank").unwrap();
        assert!(apply_set(&mut p, "normalise.method.x=1").is_err());
    }

    #[test]
    fn repeated_steps_need_a_number() {
        let mut p = vec![StepSpec::new("normalise"), StepSpec::new("normalise")];
        assert!(apply_set(&mut p, "normalise.method=rank").is_err());
        apply_set(&mut p, "normalise#2.method=rank").unwrap();
        assert!(p[0].params.is_empty());
        assert_eq!(p[1].params["method"], Value::Str("rank".into()));
        assert!(apply_set(&mut p, "normalise#3.method=rank").is_err());
    }
}
