//! `denominate`: divide every indicator that names a `denominator` by that series, times a
//! scale factor: `y = x / d · scale`.
//!
//! Reference: COINr `Denominate` (x / denominator, `ScaleFactor`). A missing denominator gives a
//! missing value (logged); a zero denominator is an error naming the unit.

use super::{Context, Step, StepInfo, StepOutput};
use crate::{Dataset, Error, Framework, ParamError, ParamInfo, ParamReader, Params, Result, StepSpec, Text, Value};

const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "scale",
        default: "1",
        doc_en: "multiply every ratio by this factor (e.g. 10000 for per 10k people)",
        doc_zh: "比值乘以该系数（如每万人：10000）",
    },
    ParamInfo {
        name: "overrides",
        default: "{}",
        doc_en: "per-indicator parameters, e.g. { GDP_SHARE = { scale = 100 } }",
        doc_zh: "按指标覆盖参数，例如 { GDP_SHARE = { scale = 100 } }",
    },
];

const OVERRIDE_PARAMS: &[ParamInfo] = &[PARAMS[0]];

pub(super) const INFO: StepInfo = StepInfo {
    name: "denominate",
    stage: "Denominated",
    params: PARAMS,
    doc_en: "Divide indicators by their declared denominator series (population, GDP, area…).",
    doc_zh: "按指标声明的分母序列（人口、GDP、面积等）做比值换算。",
    build,
};

/// The `denominate` step.
#[derive(Debug, Clone)]
pub struct DenominateStep {
    scale: f64,
    overrides: Vec<(String, f64)>,
}

fn build(spec: &StepSpec, fw: &Framework) -> std::result::Result<Box<dyn Step>, ParamError> {
    let r = ParamReader::new(&spec.params, PARAMS)?;
    let scale = r.f64("scale", 1.0)?;
    let mut overrides = Vec::new();
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
            expected: "a table, e.g. { scale = 100 }",
            got: v.to_string(),
        })?;
        let o = ParamReader::with_prefix(t, OVERRIDE_PARAMS, &format!("overrides.{code}."))?;
        overrides.push((code.to_string(), o.f64("scale", scale)?));
    }
    Ok(Box::new(DenominateStep { scale, overrides }))
}

impl Step for DenominateStep {
    fn name(&self) -> &'static str {
        INFO.name
    }
    fn stage(&self) -> &'static str {
        INFO.stage
    }
    fn may_add_missing(&self) -> bool {
        true
    }
    fn resolved(&self) -> Params {
        let mut p = Params::new();
        p.insert("scale".into(), Value::Float(self.scale));
        let o = self
            .overrides
            .iter()
            .map(|(c, s)| {
                let mut t = Params::new();
                t.insert("scale".into(), Value::Float(*s));
                (c.clone(), Value::Table(t))
            })
            .collect();
        p.insert("overrides".into(), Value::Table(o));
        p
    }

    fn apply(&self, ctx: &Context<'_>, input: &Dataset) -> Result<StepOutput> {
        let mut out = input.clone();
        let mut divided = Vec::new();
        let mut missing_cells = 0usize;
        let mut changes = Vec::new();
        for (j, code) in input.columns.iter().enumerate() {
            let Some(node) = ctx.framework.find(code).map(|i| ctx.framework.node(i)) else { continue };
            let Some(den) = &node.spec.denominator else { continue };
            let d = ctx
                .series_values(den, &input.units)
                .ok_or_else(|| Error::MissingDenominator { indicator: code.clone(), denominator: den.clone() })?;
            let scale = self.overrides.iter().find(|(c, _)| c == code).map_or(self.scale, |(_, s)| *s);
            let col = out.data.col_mut(j);
            for (i, (x, &dv)) in col.iter_mut().zip(&d).enumerate() {
                if x.is_nan() {
                    continue;
                }
                if dv == 0.0 {
                    return Err(Error::ZeroDenominator {
                        indicator: code.clone(),
                        denominator: den.clone(),
                        unit: input.units[i].clone(),
                        period: ctx.period.to_string(),
                    });
                }
                if dv.is_nan() {
                    missing_cells += 1;
                    changes.push(crate::step::CellChange {
                        unit: input.units[i].clone(),
                        code: code.clone(),
                        before: *x,
                        after: f64::NAN,
                        what: format!("denominator_{den}_missing"),
                    });
                }
                *x = *x / dv * scale;
            }
            divided.push(format!("{code}/{den}×{scale}"));
        }
        let mut log = vec![Text::new(
            format!("divided {} indicators by their denominators: {}", divided.len(), divided.join(", ")),
            format!("{} 个指标按分母换算：{}", divided.len(), divided.join("，")),
        )];
        if missing_cells > 0 {
            log.push(Text::new(
                format!("{missing_cells} cells became missing because their denominator is missing"),
                format!("{missing_cells} 个单元格因分母缺失而变为缺失"),
            ));
        }
        Ok(StepOutput { data: out, messages: log, changes, weights: None })
    }
}

#[cfg(test)]
mod tests {

    use crate::{Dataset, Error, Framework, Matrix, NodeSpec, StepSpec, Value};

    fn fw() -> Framework {
        let mut a = NodeSpec::indicator("a", "I");
        a.denominator = Some("POP".into());
        Framework::build(vec![NodeSpec::aggregate("I", None), a, NodeSpec::indicator("b", "I")]).unwrap()
    }

    fn apply(spec: StepSpec, pop: [f64; 3]) -> crate::Result<Dataset> {
        let units: Vec<String> = ["x", "y", "z"].iter().map(|s| s.to_string()).collect();
        let input = Dataset::new(
            units.clone(),
            vec!["a".into(), "b".into()],
            Matrix::from_columns(3, &[vec![10.0, f64::NAN, 30.0], vec![1.0, 2.0, 3.0]])?,
        )?;
        let series = Dataset::new(units, vec!["POP".into()], Matrix::from_columns(3, &[pop.to_vec()])?)?;
        Ok(crate::step::testing::apply(&spec, &fw(), &["2023"], &[input], 0, Some(&series), None)?.data)
    }

    #[test]
    fn divides_and_scales_only_indicators_with_a_denominator() {
        let out = apply(StepSpec::new("denominate").with("scale", Value::Int(100)), [2.0, 4.0, 5.0]).unwrap();
        assert_eq!(out.values("a").unwrap()[0], 500.0);
        assert!(out.values("a").unwrap()[1].is_nan(), "missing stays missing");
        assert_eq!(out.values("a").unwrap()[2], 600.0);
        assert_eq!(out.values("b").unwrap(), &[1.0, 2.0, 3.0]);
    }

    #[test]
    fn zero_denominator_names_the_unit() {
        let e = apply(StepSpec::new("denominate"), [2.0, 4.0, 0.0]).unwrap_err();
        assert!(matches!(&e, Error::ZeroDenominator { unit, .. } if unit == "z"), "{e}");
    }

    #[test]
    fn missing_denominator_gives_missing_value() {
        let out = apply(StepSpec::new("denominate"), [f64::NAN, 4.0, 5.0]).unwrap();
        assert!(out.values("a").unwrap()[0].is_nan());
    }
}
