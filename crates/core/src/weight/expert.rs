//! Expert (subjective) weights: the weights a panel of experts or the framework's authors give.
//!
//! ```text
//! w_j = values[code_j]     if `values` names every child of the group
//! w_j = prior_j            if it names none of them (the framework's `weight`, or an earlier step's)
//! ```
//!
//! `values = { CODE = 0.3, … }` is an inline table of non-negative numbers, on any scale (the
//! aggregators re-scale within each group; `combined` normalises them to sum 1). One table can
//! cover several groups. A group of which `values` names only some children is an error listing
//! the others — mixing expert values with framework weights on different scales would be silently
//! wrong. Weights from a file (e.g. a budget-allocation survey) are read by the project loader,
//! not here: the core reads no files.
//!
//! Reference: OECD & JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and
//! User Guide*, section 6 (budget allocation and other participatory weighting). Paris: OECD
//! Publishing.

use std::collections::BTreeMap;

use super::complete::data_error;
use super::{WeightError, WeightInput, Weighter};
use crate::Text;
use crate::{ParamError, ParamInfo, ParamReader};

/// The parameters of `method = "expert"`.
pub const PARAMS: &[ParamInfo] = &[ParamInfo {
    name: "values",
    default: "{}",
    doc_en: "expert: weights of the children, e.g. { GDPPC = 0.6, EMPR = 0.4 }; groups it does not name keep the framework's weights",
    doc_zh: "专家赋权：下级节点的权重，如 { GDPPC = 0.6, EMPR = 0.4 }；未列出的组沿用指标体系中的权重",
}];

/// Expert weights.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expert {
    /// Weight by child code (non-negative, finite).
    pub values: BTreeMap<String, f64>,
}

impl Expert {
    /// Checks the values: every one finite and ≥ 0.
    pub fn new(values: BTreeMap<String, f64>) -> Result<Self, ParamError> {
        for (code, &v) in &values {
            if !(v.is_finite() && v >= 0.0) {
                return Err(ParamError::OutOfDomain {
                    name: format!("values.{code}"),
                    got: v.to_string(),
                    expected: "a weight must be a finite number ≥ 0",
                });
            }
        }
        Ok(Expert { values })
    }
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Weighter>, ParamError> {
    let mut values = BTreeMap::new();
    for (code, v) in r.table("values")? {
        let x = v.as_f64().ok_or_else(|| ParamError::WrongType {
            name: format!("values.{code}"),
            expected: "a number",
            got: v.to_string(),
        })?;
        values.insert(code.to_string(), x);
    }
    Ok(Box::new(Expert::new(values)?))
}

impl Weighter for Expert {
    fn name(&self) -> &'static str {
        "expert"
    }

    fn weights(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        let given: Vec<Option<f64>> = input.child_codes.iter().map(|c| self.values.get(*c).copied()).collect();
        if given.iter().all(Option::is_none) {
            return Ok(input.prior.to_vec());
        }
        let missing: Vec<&str> =
            input.child_codes.iter().zip(&given).filter(|(_, g)| g.is_none()).map(|(c, _)| *c).collect();
        if !missing.is_empty() {
            return Err(data_error(
                "expert",
                input,
                Text::new(
                    format!(
                        "`values` names some of its children but not {}; give every child of the group",
                        missing.join(", ")
                    ),
                    format!("`values` 只给出了部分下级，缺少 {}；请给出该组每个下级的权重", missing.join("、")),
                ),
            ));
        }
        let w: Vec<f64> = given.into_iter().map(|g| g.unwrap_or(0.0)).collect();
        if w.iter().all(|&x| x == 0.0) {
            return Err(data_error(
                "expert",
                input,
                Text::new("every child has weight 0 in `values`", "`values` 中所有下级的权重均为 0"),
            ));
        }
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Params, Value};

    fn input<'a>(codes: &'a [&'a str], kids: &'a [&'a [f64]], prior: &'a [f64]) -> WeightInput<'a> {
        WeightInput { node: "X", child_codes: codes, children: kids, panel: &[], prior }
    }

    fn expert(pairs: &[(&str, f64)]) -> Expert {
        Expert::new(pairs.iter().map(|(c, v)| (c.to_string(), *v)).collect()).unwrap()
    }

    /// The worked example of docs/methods/expert.md.
    #[test]
    fn worked_example() {
        let x = [1.0, 2.0];
        let kids: [&[f64]; 3] = [&x, &x, &x];
        let e = expert(&[("a", 0.5), ("b", 0.25), ("c", 0.25), ("POP", 2.0), ("GDP", 1.0)]);
        assert_eq!(e.weights(&input(&["a", "b", "c"], &kids, &[1.0; 3])).unwrap(), vec![0.5, 0.25, 0.25]);
        // A group `values` does not name keeps its prior weights.
        assert_eq!(e.weights(&input(&["d", "f", "g"], &kids, &[1.0, 2.0, 1.0])).unwrap(), vec![1.0, 2.0, 1.0]);
        let kids: [&[f64]; 2] = [&x, &x];
        assert_eq!(e.weights(&input(&["POP", "GDP"], &kids, &[1.0; 2])).unwrap(), vec![2.0, 1.0]);
    }

    #[test]
    fn no_values_means_prior() {
        let x = [1.0];
        let kids: [&[f64]; 2] = [&x, &x];
        assert_eq!(Expert::default().weights(&input(&["a", "b"], &kids, &[3.0, 1.0])).unwrap(), vec![3.0, 1.0]);
    }

    #[test]
    fn partial_group_is_an_error() {
        let x = [1.0];
        let kids: [&[f64]; 3] = [&x, &x, &x];
        let e = expert(&[("a", 0.5)]).weights(&input(&["a", "b", "c"], &kids, &[1.0; 3])).unwrap_err();
        assert!(e.to_string().contains("but not b, c"), "{e}");
        let e = expert(&[("a", 0.0), ("b", 0.0)]);
        let kids: [&[f64]; 2] = [&x, &x];
        assert!(e.weights(&input(&["a", "b"], &kids, &[1.0; 2])).is_err());
    }

    #[test]
    fn values_are_checked_before_anything_runs() {
        let mut t = std::collections::BTreeMap::new();
        t.insert("a".to_string(), Value::Float(-1.0));
        let mut p = Params::new();
        p.insert("values".into(), Value::Table(t.clone()));
        let r = ParamReader::new(&p, PARAMS).unwrap();
        assert!(matches!(build(&r), Err(ParamError::OutOfDomain { .. })));
        t.insert("a".to_string(), Value::Str("high".into()));
        p.insert("values".into(), Value::Table(t));
        let r = ParamReader::new(&p, PARAMS).unwrap();
        assert!(matches!(build(&r), Err(ParamError::WrongType { .. })));
        p.insert("values".into(), Value::Float(1.0));
        let r = ParamReader::new(&p, PARAMS).unwrap();
        assert!(matches!(build(&r), Err(ParamError::WrongType { .. })));
        assert_eq!(build(&ParamReader::new(&Params::new(), PARAMS).unwrap()).unwrap().name(), "expert");
    }
}
