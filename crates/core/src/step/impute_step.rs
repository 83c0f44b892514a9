//! `impute`: fill missing indicator values with an [`Imputer`] (column mean or median, group mean
//! or median, interpolation or last-value carry within each unit's own series, or none).
//!
//! Reference: COINr `Impute` (`f_i = "i_mean" | "i_median" | "i_mean_grp" | "i_median_grp"`,
//! `use_group`, `impute_by = "column"`), on the values as they are at this stage (COINr imputes
//! raw or denominated values, before direction adjustment). A non-missing value never changes;
//! every imputed cell is listed with its method.

use std::collections::HashMap;

use super::{CellChange, Context, Step, StepInfo, StepOutput};
use crate::impute::{self, Column, History, Imputer};
use crate::{Dataset, Error, Framework, ParamError, ParamReader, Params, Result, StepSpec, Text, Unit, Value};

pub(super) const INFO: StepInfo = StepInfo {
    name: "impute",
    stage: "Imputed",
    params: impute::PARAMS,
    doc_en: "Fill missing indicator values (mean, median, group mean/median, interpolation or carry in time, none).",
    doc_zh: "插补缺失的指标值（均值、中位数、组均值/组中位数、时间插值、沿用最近一期，或不插补）。",
    build,
};

/// How many cells left missing are named in the log.
const NAMED: usize = 12;

/// The `impute` step.
#[derive(Debug)]
pub struct ImputeStep {
    imputer: Box<dyn Imputer>,
    group: Option<String>,
    resolved: Params,
}

fn build(spec: &StepSpec, _: &Framework) -> std::result::Result<Box<dyn Step>, ParamError> {
    let r = ParamReader::new(&spec.params, INFO.params)?;
    let imputer = impute::build(&r)?;
    let group = r.str("group", "")?.trim();
    let max_time = r.usize("max_time", 0)?;
    let mut resolved = Params::new();
    resolved.insert("method".into(), Value::Str(imputer.name().into()));
    if !group.is_empty() {
        resolved.insert("group".into(), Value::Str(group.into()));
    }
    if imputer.name() == "carry" {
        resolved.insert("max_time".into(), Value::Int(max_time as i64));
    }
    let group = (!group.is_empty()).then(|| group.to_string());
    Ok(Box::new(ImputeStep { imputer, group, resolved }))
}

/// Each row's value of the group variable `g`; an error if no project unit declares `g`.
fn unit_groups<'u>(units: &'u [Unit], rows: &[String], g: &str) -> Result<Vec<Option<&'u str>>> {
    if !units.iter().any(|u| u.groups.contains_key(g)) {
        return Err(Error::Param {
            step: INFO.name.into(),
            source: ParamError::OutOfDomain {
                name: "group".into(),
                got: format!("{g:?}"),
                expected: "no unit declares this group variable; name one of the variables in the units' `groups`",
            },
        });
    }
    let by_code: HashMap<&str, &Unit> = units.iter().map(|u| (u.code.as_str(), u)).collect();
    Ok(rows.iter().map(|c| by_code.get(c.as_str()).and_then(|u| u.groups.get(g)).map(String::as_str)).collect())
}

impl Step for ImputeStep {
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
        let method = self.imputer.name();
        let groups = match &self.group {
            Some(g) => unit_groups(ctx.units, &input.units, g)?,
            None => Vec::new(),
        };
        let history =
            (ctx.periods.len() > 1).then(|| History::new(ctx.periods, ctx.period_index, ctx.panel, &input.units));
        let mut out = input.clone();
        let mut changes = Vec::new();
        let mut missing = 0usize;
        let mut left: Vec<(usize, usize)> = Vec::new();
        for (j, code) in input.columns.iter().enumerate() {
            let x = input.data.col(j);
            if !x.iter().any(|v| v.is_nan()) {
                continue;
            }
            let filled = self.imputer.impute(&Column { code, x, groups: &groups, history: history.as_ref() });
            let dst = out.data.col_mut(j);
            for (i, &v) in x.iter().enumerate() {
                if !v.is_nan() {
                    continue;
                }
                missing += 1;
                match filled.get(i).copied() {
                    Some(f) if !f.is_nan() => {
                        dst[i] = f;
                        changes.push(CellChange {
                            unit: input.units[i].clone(),
                            code: code.clone(),
                            before: f64::NAN,
                            after: f,
                            what: method.to_string(),
                        });
                    }
                    _ => left.push((i, j)),
                }
            }
        }
        let how = match &self.group {
            Some(g) if method.starts_with("group_") => format!("{method} by {g}"),
            _ => method.to_string(),
        };
        let how_zh = match &self.group {
            Some(g) if method.starts_with("group_") => format!("{method}，按 {g} 分组"),
            _ => method.to_string(),
        };
        let mut log = vec![if missing == 0 {
            Text::new("no missing values; nothing to impute", "没有缺失值，无需插补")
        } else {
            Text::new(
                format!("imputed {} of {missing} missing cells ({how})", changes.len()),
                format!("插补了 {missing} 个缺失单元格中的 {} 个（{how_zh}）", changes.len()),
            )
        }];
        if !left.is_empty() {
            let named: Vec<String> =
                left.iter().take(NAMED).map(|&(i, j)| format!("{}/{}", input.units[i], input.columns[j])).collect();
            let more = if left.len() > NAMED { format!(" … (+{})", left.len() - NAMED) } else { String::new() };
            let (why_en, why_zh) = match method {
                "none" => ("imputation is off", "未启用插补"),
                "group_mean" | "group_median" => {
                    ("the unit has no group value, or its group has no data", "单元无分组，或其所在组无数据")
                }
                "interpolate" => (
                    "no observation of the unit on both sides in time (no extrapolation)",
                    "该单元前后两侧缺少观测值（不外推）",
                ),
                "carry" => ("no earlier observation of the unit", "该单元此前没有观测值"),
                _ => ("the indicator has no data", "该指标没有数据"),
            };
            log.push(Text::new(
                format!("{} cells left missing ({why_en}): {}{more}", left.len(), named.join(", ")),
                format!("{} 个单元格仍缺失（{why_zh}）：{}{more}", left.len(), named.join("，")),
            ));
        }
        if !groups.is_empty() {
            let ungrouped: Vec<&str> =
                input.units.iter().zip(&groups).filter(|(_, g)| g.is_none()).map(|(u, _)| u.as_str()).collect();
            if !ungrouped.is_empty() && method.starts_with("group_") {
                log.push(Text::new(
                    format!("units without a value of group variable: {}", ungrouped.join(", ")),
                    format!("没有分组值的单元：{}", ungrouped.join("，")),
                ));
            }
        }
        Ok(StepOutput { data: out, messages: log, changes, weights: None })
    }
}

#[cfg(test)]
mod tests {

    use crate::{Dataset, Error, Framework, Matrix, NodeSpec, StepSpec, Unit, Value};

    const NA: f64 = f64::NAN;

    fn fw() -> Framework {
        Framework::build(vec![
            NodeSpec::aggregate("I", None),
            NodeSpec::indicator("a", "I"),
            NodeSpec::indicator("b", "I"),
        ])
        .unwrap()
    }

    fn units() -> Vec<Unit> {
        let mut list: Vec<Unit> = ["x", "y", "z", "w"].iter().map(|u| Unit::new(u)).collect();
        for (u, g) in list.iter_mut().zip(["n", "n", "s"]) {
            u.groups.insert("region".into(), g.into());
        }
        list
    }

    fn data(a: [f64; 4], b: [f64; 4]) -> Dataset {
        let codes = ["x", "y", "z", "w"].iter().map(|s| s.to_string()).collect();
        Dataset::new(codes, vec!["a".into(), "b".into()], Matrix::from_columns(4, &[a.to_vec(), b.to_vec()]).unwrap())
            .unwrap()
    }

    /// Runs the step on period `k` of a panel.
    fn run(spec: StepSpec, periods: &[&str], panel: &[Dataset], k: usize) -> crate::Result<super::StepOutput> {
        crate::step::testing::apply(&spec, &fw(), periods, panel, k, None, Some(&units()))
    }

    fn method(m: &str) -> StepSpec {
        StepSpec::new("impute").with("method", Value::Str(m.into()))
    }

    #[test]
    fn mean_never_changes_a_value_and_lists_every_cell() {
        let input = data([1.0, NA, 3.0, NA], [1.0, 2.0, 3.0, 4.0]);
        let o = run(StepSpec::new("impute"), &["2023"], std::slice::from_ref(&input), 0).unwrap();
        assert_eq!(o.data.values("a").unwrap(), &[1.0, 2.0, 3.0, 2.0]);
        assert_eq!(o.data.values("b").unwrap(), input.values("b").unwrap());
        let cells: Vec<(&str, &str, f64, &str)> =
            o.changes.iter().map(|c| (c.unit.as_str(), c.code.as_str(), c.after, c.what.as_str())).collect();
        assert_eq!(cells, vec![("y", "a", 2.0, "mean"), ("w", "a", 2.0, "mean")]);
        assert!(o.changes.iter().all(|c| c.before.is_nan()));
    }

    #[test]
    fn group_mean_leaves_units_without_a_group() {
        let input = data([1.0, NA, NA, NA], [1.0, 2.0, 3.0, 4.0]);
        let spec = method("group_mean").with("group", Value::Str("region".into()));
        let o = run(spec, &["2023"], std::slice::from_ref(&input), 0).unwrap();
        let a = o.data.values("a").unwrap();
        assert_eq!(a[1], 1.0, "y is in group n with x");
        assert!(a[2].is_nan(), "group s has no data");
        assert!(a[3].is_nan(), "w has no group");
        assert_eq!(o.changes.len(), 1);
        assert!(o.messages.iter().any(|m| m.en.contains("w")), "{:?}", o.messages);
    }

    #[test]
    fn unknown_group_variable_is_an_error() {
        let input = data([1.0, NA, 3.0, 4.0], [1.0; 4]);
        let spec = method("group_median").with("group", Value::Str("regoin".into()));
        let e = run(spec, &["2023"], std::slice::from_ref(&input), 0).unwrap_err();
        assert!(matches!(&e, Error::Param { source: crate::ParamError::OutOfDomain { .. }, .. }), "{e}");
        assert!(crate::step::build(&method("group_mean"), &fw()).is_err(), "group_mean needs `group`");
    }

    #[test]
    fn interpolate_and_carry_use_the_units_own_series() {
        let panel = [
            data([1.0, 10.0, NA, 5.0], [1.0; 4]),
            data([NA, NA, NA, NA], [1.0; 4]),
            data([5.0, NA, 7.0, NA], [1.0; 4]),
        ];
        // periods 2010, 2011, 2014 → 2011 is a quarter of the way
        let o = run(method("interpolate"), &["2010", "2011", "2014"], &panel, 1).unwrap();
        let a = o.data.values("a").unwrap();
        assert_eq!(a[0], 2.0);
        assert!(a[1].is_nan() && a[2].is_nan() && a[3].is_nan(), "no extrapolation: {a:?}");
        assert!(o.changes.iter().all(|c| c.what == "interpolate"));
        let o = run(method("carry"), &["2010", "2011", "2014"], &panel, 1).unwrap();
        let a = o.data.values("a").unwrap();
        assert_eq!((a[0], a[1], a[3]), (1.0, 10.0, 5.0));
        assert!(a[2].is_nan(), "leading gap stays missing");
        let o = run(method("carry").with("max_time", Value::Int(1)), &["2010", "2011", "2014"], &panel, 2).unwrap();
        let a = o.data.values("a").unwrap();
        assert!(a[1].is_nan() && a[3].is_nan(), "the previous period has no value: {a:?}");
    }

    #[test]
    fn none_leaves_everything_and_says_so() {
        let input = data([1.0, NA, 3.0, 4.0], [1.0; 4]);
        let o = run(method("none"), &["2023"], std::slice::from_ref(&input), 0).unwrap();
        assert!(o.data.values("a").unwrap()[1].is_nan());
        assert!(o.changes.is_empty());
        assert!(o.messages.iter().any(|m| m.en.contains("left missing")));
    }

    #[test]
    fn unknown_method_and_parameter_are_rejected() {
        assert!(crate::step::build(&method("knn"), &fw()).is_err());
        assert!(crate::step::build(&StepSpec::new("impute").with("grp", Value::Str("x".into())), &fw()).is_err());
        let bad = StepSpec::new("impute").with("max_time", Value::Int(-1));
        assert!(crate::step::build(&bad, &fw()).is_err());
    }
}
