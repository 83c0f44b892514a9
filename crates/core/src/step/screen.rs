//! `screen`: drop units whose data availability is below a threshold (and, optionally,
//! indicators whose availability is below another).
//!
//! For every unit, over the `n` indicator columns of this stage:
//! `Dat_Avail = 1 − n_missing / n` and `Non_Zero = 1 − n_zero / (n − n_missing)`.
//! With `unit_screen = "byNA"` a unit is dropped if `Dat_Avail < dat_thresh`; with `"byzeros"`
//! if `Non_Zero < nonzero_thresh`; with `"byNAandzeros"` if either holds. `force_include` and
//! `force_exclude` override the rule for the units they name.
//!
//! Reference: COINr `Screen` (`screen_units.R`, `get_data_avail`), same parameter names and
//! defaults (`dat_thresh = 2/3`, `nonzero_thresh = 0.05`; `Force` is split into two lists);
//! reproduced in the ASEM tests (oracle V11, including screening of the raw data at 0.9 and 0.95).
//!
//! baydex additions: `unit_screen = "none"` (availability is only logged, unless units are
//! forced out); a unit with no value at all has `Non_Zero` = NaN, which counts as below the
//! threshold; `indicators_thresh` drops every indicator whose availability over the units kept,
//! `1 − n_missing / n_units`, is below it (later steps skip it; aggregation treats it as missing,
//! sharing its weight among its siblings). Dropping every unit is an error.

use std::collections::HashSet;

use super::{CellChange, Context, Step, StepInfo, StepOutput};
use crate::{
    Dataset, Error, Framework, Matrix, ParamError, ParamInfo, ParamReader, Params, Result, StepSpec, Text, Value,
};

const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "unit_screen",
        default: "\"byNA\"",
        doc_en: "drop units by: byNA (data availability) | byzeros (share of non-zero values) | byNAandzeros (either) | none",
        doc_zh: "剔除单元的依据：byNA（数据可得率）| byzeros（非零值占比）| byNAandzeros（任一）| none（不剔除）",
    },
    ParamInfo {
        name: "dat_thresh",
        default: "0.6666666666666666",
        doc_en: "minimum data availability 1 − n_missing/n_indicators of a unit (COINr default 2/3)",
        doc_zh: "单元的最低数据可得率 1 − 缺失数/指标数（COINr 默认 2/3）",
    },
    ParamInfo {
        name: "nonzero_thresh",
        default: "0.05",
        doc_en: "minimum share of non-zero values among a unit's non-missing values (byzeros)",
        doc_zh: "单元非缺失值中非零值的最低占比（byzeros）",
    },
    ParamInfo {
        name: "force_include",
        default: "[]",
        doc_en: "units kept whatever their data, e.g. [\"MO\"]",
        doc_zh: "无论数据如何都保留的单元，例如 [\"MO\"]",
    },
    ParamInfo {
        name: "force_exclude",
        default: "[]",
        doc_en: "units dropped whatever their data",
        doc_zh: "无论数据如何都剔除的单元",
    },
    ParamInfo {
        name: "indicators_thresh",
        default: "",
        doc_en: "optional: drop indicators whose availability over the kept units is below this (aggregation then treats them as missing)",
        doc_zh: "可选：在保留的单元中数据可得率低于此值的指标，其数值全部置为缺失",
    },
];

const BY: &[&str] = &["byNA", "byzeros", "byNAandzeros", "none"];

pub(super) const INFO: StepInfo = StepInfo {
    name: "screen",
    stage: "Screened",
    params: PARAMS,
    doc_en: "Drop units (and optionally indicators) below a data-availability threshold.",
    doc_zh: "剔除数据可得率低于阈值的单元（可选：将可得率过低的指标置为缺失）。",
    build,
};

/// The `screen` step.
#[derive(Debug, Clone)]
pub struct ScreenStep {
    by: &'static str,
    dat_thresh: f64,
    nonzero_thresh: f64,
    force_include: Vec<String>,
    force_exclude: Vec<String>,
    indicators_thresh: Option<f64>,
}

fn share(r: &ParamReader<'_>, key: &str, default: f64) -> std::result::Result<f64, ParamError> {
    let v = r.f64(key, default)?;
    if !(0.0..=1.0).contains(&v) {
        return Err(ParamError::OutOfDomain {
            name: key.into(),
            got: v.to_string(),
            expected: "must be between 0 and 1",
        });
    }
    Ok(v)
}

fn codes(r: &ParamReader<'_>, key: &str) -> std::result::Result<Vec<String>, ParamError> {
    match r.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(k, v)| {
                v.as_str().map(str::to_string).ok_or_else(|| ParamError::WrongType {
                    name: format!("{key}[{}]", k + 1),
                    expected: "a unit code (a string)",
                    got: v.to_string(),
                })
            })
            .collect(),
        Some(v) => Err(ParamError::WrongType {
            name: key.into(),
            expected: "an array of unit codes, e.g. [\"MO\"]",
            got: v.to_string(),
        }),
    }
}

fn build(spec: &StepSpec, _: &Framework) -> std::result::Result<Box<dyn Step>, ParamError> {
    let r = ParamReader::new(&spec.params, PARAMS)?;
    let by = r.choice("unit_screen", "byNA", BY)?;
    let by = BY.iter().copied().find(|b| *b == by).unwrap_or("byNA");
    let dat_thresh = share(&r, "dat_thresh", 2.0 / 3.0)?;
    let nonzero_thresh = share(&r, "nonzero_thresh", 0.05)?;
    let force_include = codes(&r, "force_include")?;
    let force_exclude = codes(&r, "force_exclude")?;
    if let Some(c) = force_include.iter().find(|c| force_exclude.contains(c)) {
        return Err(ParamError::OutOfDomain {
            name: "force_exclude".into(),
            got: format!("{c:?}"),
            expected: "a unit cannot be both in force_include and in force_exclude",
        });
    }
    let indicators_thresh = match r.get("indicators_thresh") {
        None => None,
        Some(_) => Some(share(&r, "indicators_thresh", 0.0)?),
    };
    Ok(Box::new(ScreenStep { by, dat_thresh, nonzero_thresh, force_include, force_exclude, indicators_thresh }))
}

/// `Dat_Avail` and `Non_Zero` of row `i` (COINr `get_data_avail`).
fn availability(m: &Matrix, i: usize) -> (f64, f64) {
    let row = m.row(i);
    let n = row.len() as f64;
    let missing = row.iter().filter(|v| v.is_nan()).count() as f64;
    let zeros = row.iter().filter(|&&v| v == 0.0).count() as f64;
    (1.0 - missing / n, 1.0 - zeros / (n - missing))
}

impl ScreenStep {
    fn low(&self, (dat, nonzero): (f64, f64)) -> bool {
        // NaN compares false; a unit with no value (Non_Zero = 0/0) counts as low.
        let low_data = dat < self.dat_thresh;
        let low_nonzero = nonzero.is_nan() || nonzero < self.nonzero_thresh;
        match self.by {
            "byNA" => low_data,
            "byzeros" => low_nonzero,
            "byNAandzeros" => low_data || low_nonzero,
            _ => false,
        }
    }
}

impl Step for ScreenStep {
    fn name(&self) -> &'static str {
        INFO.name
    }
    fn stage(&self) -> &'static str {
        INFO.stage
    }
    fn changes_units(&self) -> bool {
        true
    }
    fn drops_columns(&self) -> bool {
        self.indicators_thresh.is_some()
    }
    fn resolved(&self) -> Params {
        let mut p = Params::new();
        p.insert("unit_screen".into(), Value::Str(self.by.into()));
        p.insert("dat_thresh".into(), Value::Float(self.dat_thresh));
        p.insert("nonzero_thresh".into(), Value::Float(self.nonzero_thresh));
        let list = |v: &[String]| Value::Array(v.iter().map(|c| Value::Str(c.clone())).collect());
        p.insert("force_include".into(), list(&self.force_include));
        p.insert("force_exclude".into(), list(&self.force_exclude));
        if let Some(t) = self.indicators_thresh {
            p.insert("indicators_thresh".into(), Value::Float(t));
        }
        p
    }

    fn apply(&self, ctx: &Context<'_>, input: &Dataset) -> Result<StepOutput> {
        let known: HashSet<&str> =
            ctx.units.iter().map(|u| u.code.as_str()).chain(input.units.iter().map(String::as_str)).collect();
        for (key, list) in [("force_include", &self.force_include), ("force_exclude", &self.force_exclude)] {
            if let Some(c) = list.iter().find(|c| !known.contains(c.as_str())) {
                return Err(Error::Param {
                    step: INFO.name.into(),
                    source: ParamError::OutOfDomain {
                        name: key.into(),
                        got: format!("{c:?}"),
                        expected: "not a unit of the project; use the unit codes of [units]",
                    },
                });
            }
        }
        let mut keep = Vec::with_capacity(input.units.len());
        let mut changes = Vec::new();
        let mut dropped = Vec::new();
        let mut forced = Vec::new();
        for (i, u) in input.units.iter().enumerate() {
            let a = availability(&input.data, i);
            let by_rule = !self.low(a);
            let kept = if self.force_include.contains(u) {
                true
            } else if self.force_exclude.contains(u) {
                false
            } else {
                by_rule
            };
            if kept != by_rule {
                forced.push(format!("{u} ({})", if kept { "kept" } else { "dropped" }));
            }
            if kept {
                keep.push(i);
            } else {
                dropped.push(format!("{u} ({:.3})", a.0));
                changes.push(CellChange {
                    unit: u.clone(),
                    code: String::new(),
                    before: a.0,
                    after: f64::NAN,
                    what: "dropped".into(),
                });
            }
        }
        if keep.is_empty() {
            return Err(Error::Param {
                step: INFO.name.into(),
                source: ParamError::OutOfDomain {
                    name: "dat_thresh".into(),
                    got: self.dat_thresh.to_string(),
                    expected: "the screen would drop every unit; lower the threshold or force units in",
                },
            });
        }
        let units: Vec<String> = keep.iter().map(|&i| input.units[i].clone()).collect();
        let mut cols = Vec::with_capacity(input.columns.len());
        for j in 0..input.columns.len() {
            let c = input.data.col(j);
            cols.push(keep.iter().map(|&i| c[i]).collect::<Vec<f64>>());
        }
        let mut blanked = Vec::new();
        let mut columns = input.columns.clone();
        if let Some(t) = self.indicators_thresh {
            let mut j = 0;
            while j < cols.len() {
                let col = &cols[j];
                let avail = 1.0 - col.iter().filter(|v| v.is_nan()).count() as f64 / col.len() as f64;
                if avail < t {
                    let code = columns.remove(j);
                    cols.remove(j);
                    blanked.push(format!("{code} ({avail:.3})"));
                    changes.push(CellChange {
                        unit: String::new(),
                        code,
                        before: avail,
                        after: f64::NAN,
                        what: "dropped".into(),
                    });
                } else {
                    j += 1;
                }
            }
        }
        let data = Dataset::new(units, columns, Matrix::from_columns(keep.len(), &cols)?)?;
        let rule = match self.by {
            "byNA" => format!("data availability < {}", self.dat_thresh),
            "byzeros" => format!("share of non-zero values < {}", self.nonzero_thresh),
            "byNAandzeros" => {
                format!("data availability < {} or non-zero share < {}", self.dat_thresh, self.nonzero_thresh)
            }
            _ => "no rule".into(),
        };
        let rule_zh = match self.by {
            "byNA" => format!("数据可得率 < {}", self.dat_thresh),
            "byzeros" => format!("非零值占比 < {}", self.nonzero_thresh),
            "byNAandzeros" => format!("数据可得率 < {} 或非零值占比 < {}", self.dat_thresh, self.nonzero_thresh),
            _ => "不按规则剔除".into(),
        };
        let mut log = vec![if dropped.is_empty() {
            Text::new(
                format!("screened {} units ({rule}): none dropped", input.units.len()),
                format!("筛查 {} 个单元（{rule_zh}）：无单元被剔除", input.units.len()),
            )
        } else {
            Text::new(
                format!(
                    "screened {} units ({rule}): dropped {} (data availability): {}",
                    input.units.len(),
                    dropped.len(),
                    dropped.join(", ")
                ),
                format!(
                    "筛查 {} 个单元（{rule_zh}）：剔除 {} 个（括号内为数据可得率）：{}",
                    input.units.len(),
                    dropped.len(),
                    dropped.join("，")
                ),
            )
        }];
        if !forced.is_empty() {
            log.push(Text::new(
                format!("forced against the rule: {}", forced.join(", ")),
                format!("强制保留或剔除（不按规则）：{}", forced.join("，")),
            ));
        }
        if !blanked.is_empty() {
            log.push(Text::new(
                format!(
                    "indicators dropped (availability < {}): {}",
                    self.indicators_thresh.unwrap_or_default(),
                    blanked.join(", ")
                ),
                format!(
                    "剔除数据可得率低于 {} 的指标：{}",
                    self.indicators_thresh.unwrap_or_default(),
                    blanked.join("，")
                ),
            ));
        }
        Ok(StepOutput { data, messages: log, changes, weights: None })
    }
}

#[cfg(test)]
mod tests {

    use crate::{Dataset, Error, Framework, Matrix, NodeSpec, StepSpec, Value};

    const NA: f64 = f64::NAN;

    fn fw() -> Framework {
        Framework::build(vec![
            NodeSpec::aggregate("I", None),
            NodeSpec::indicator("a", "I"),
            NodeSpec::indicator("b", "I"),
            NodeSpec::indicator("c", "I"),
            NodeSpec::indicator("d", "I"),
        ])
        .unwrap()
    }

    /// x: complete; y: 1 of 4 missing (0.75); z: 2 of 4 missing (0.5); w: all zeros.
    fn input() -> Dataset {
        let units = ["x", "y", "z", "w"].iter().map(|s| s.to_string()).collect();
        let cols =
            vec![vec![1.0, NA, NA, 0.0], vec![2.0, 1.0, NA, 0.0], vec![3.0, 1.0, 5.0, 0.0], vec![4.0, 1.0, 5.0, 0.0]];
        Dataset::new(
            units,
            ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect(),
            Matrix::from_columns(4, &cols).unwrap(),
        )
        .unwrap()
    }

    fn run(spec: StepSpec) -> crate::Result<super::StepOutput> {
        crate::step::testing::apply(&spec, &fw(), &["2023"], &[input()], 0, None, None)
    }

    fn thresh(t: f64) -> StepSpec {
        StepSpec::new("screen").with("dat_thresh", Value::Float(t))
    }

    #[test]
    fn drops_units_below_the_threshold_and_logs_them() {
        let o = run(thresh(0.75)).unwrap();
        assert_eq!(o.data.units, ["x", "y", "w"], "0.75 is not below 0.75");
        assert_eq!(o.data.values("c").unwrap(), &[3.0, 1.0, 0.0]);
        assert_eq!(o.changes.len(), 1);
        let c = &o.changes[0];
        assert_eq!((c.unit.as_str(), c.before, c.what.as_str()), ("z", 0.5, "dropped"));
        let o = run(StepSpec::new("screen")).unwrap();
        assert_eq!(o.data.units, ["x", "y", "w"], "default 2/3");
    }

    #[test]
    fn zeros_and_forcing() {
        let o = run(StepSpec::new("screen").with("unit_screen", Value::Str("byzeros".into()))).unwrap();
        assert_eq!(o.data.units, ["x", "y", "z"]);
        let spec = thresh(0.75)
            .with("unit_screen", Value::Str("byNAandzeros".into()))
            .with("force_include", Value::Array(vec![Value::Str("z".into())]))
            .with("force_exclude", Value::Array(vec![Value::Str("x".into())]));
        let o = run(spec).unwrap();
        assert_eq!(o.data.units, ["y", "z"]);
        assert!(o.messages.iter().any(|m| m.en.contains("forced")));
        let o = run(StepSpec::new("screen").with("unit_screen", Value::Str("none".into()))).unwrap();
        assert_eq!(o.data.units.len(), 4);
    }

    #[test]
    fn indicators_below_their_threshold_are_dropped() {
        let o = run(thresh(0.0).with("indicators_thresh", Value::Float(0.6))).unwrap();
        assert_eq!(o.data.columns, ["b", "c", "d"], "a: 2 of 4 available");
        assert_eq!(o.data.values("b").unwrap()[0], 2.0, "b: 3 of 4 available");
        assert!(o.changes.iter().any(|c| c.code == "a" && c.unit.is_empty() && c.before == 0.5));
    }

    /// A dropped indicator's weight is shared among its siblings, whether the screen runs before
    /// or after `normalise`.
    #[test]
    fn dropped_indicator_is_left_out_of_the_aggregate() {
        let f = fw();
        let pipeline = [
            StepSpec::new("normalise"),
            thresh(0.0).with("indicators_thresh", Value::Float(0.6)),
            StepSpec::new("aggregate"),
        ];
        let r = crate::compute_matrix(&f, &["x", "y", "z", "w"], &input().data, &pipeline).unwrap();
        // x: b = 2 of [0, 2] → 100, c = 3 of [0, 5] → 60, d = 4 of [0, 5] → 80; a is dropped.
        assert_eq!(r.scores(f.root())[0], 80.0);
        assert!(r.stage("Screened").unwrap().values("a").is_none());
        assert!(r.scores(f.find("a").unwrap()).iter().all(|v| v.is_nan()), "a dropped: missing");
        // The same screen before normalise (where COINr screens) gives the same index.
        let before = [
            thresh(0.0).with("indicators_thresh", Value::Float(0.6)),
            StepSpec::new("normalise"),
            StepSpec::new("aggregate"),
        ];
        let r2 = crate::compute_matrix(&f, &["x", "y", "z", "w"], &input().data, &before).unwrap();
        assert_eq!(r2.scores(f.root())[0], 80.0);
    }

    #[test]
    fn errors() {
        let all = thresh(1.0)
            .with("unit_screen", Value::Str("byNAandzeros".into()))
            .with("force_exclude", Value::Array(vec![Value::Str("x".into())]));
        let e = run(all).unwrap_err();
        assert!(matches!(e, Error::Param { .. }), "every unit dropped: {e}");
        let e = run(StepSpec::new("screen").with("force_include", Value::Array(vec![Value::Str("q".into())])));
        assert!(e.is_err(), "unknown unit");
        let f = fw();
        assert!(crate::step::build(&thresh(1.5), &f).is_err());
        assert!(
            crate::step::build(&StepSpec::new("screen").with("unit_screen", Value::Str("byNa".into())), &f).is_err()
        );
        let both = Value::Array(vec![Value::Str("x".into())]);
        let spec = StepSpec::new("screen").with("force_include", both.clone()).with("force_exclude", both);
        assert!(crate::step::build(&spec, &f).is_err());
    }
}
