//! Entropy weights (熵权法): a child whose values are spread unevenly over the units carries more
//! information and gets more weight.
//!
//! On the complete rows (`n` of them; see [`super::complete`]) of the children, after the shift
//! `x'_ij = shift(x_ij)`:
//!
//! ```text
//! p_ij = x'_ij / Σ_i x'_ij
//! e_j  = −(1 / ln n) · Σ_i p_ij · ln p_ij          (0 ≤ e_j ≤ 1)
//! d_j  = 1 − e_j                                   (degree of diversification)
//! w_j  = d_j / Σ_k d_k
//! ```
//!
//! `shift` (all periods' rows pooled first when the step has `pool = true`):
//! - `"none"` (default): the values are used as they are and must all be > 0. This is exactly
//!   pymcdm 1.4.0's `entropy_weights`, whose `sum_normalization` raises `ValueError` ("requires
//!   all positive values") for any value ≤ 0; here that is an error naming the child.
//! - `"min"`: per child, `x' = x − min_i x_ij + 0.01 · (max_i x_ij − min_i x_ij)`: the smallest value
//!   becomes 1 % of the child's range (the offset of COINr's `log_ct`). The result does not depend
//!   on the child's unit or origin; on a min-max [0, 100] column it is `x + 1`.
//! - a number `c`: `x' = x + c` for every child (e.g. `shift = 1` on min-max [0, 100] scores, or
//!   the `0.0001` / `0.01` of many applied papers on [0, 1] scores); every shifted value must be > 0.
//!
//! A constant child (every value equal, before the shift) has `e = 1` and weight 0 whatever its
//! value. A group with one child gets weight 1. Fewer than 2 complete rows, or every child
//! constant, is an error.
//!
//! References: Shannon, C. E. (1948). A mathematical theory of communication. *Bell System
//! Technical Journal*, 27(3), 379–423. Zeleny, M. (1982). *Multiple Criteria Decision Making*
//! (ch. 7, the entropy measure of criteria importance). New York: McGraw-Hill. Hwang, C.-L. &
//! Yoon, K. (1981). *Multiple Attribute Decision Making*. Berlin: Springer (Lecture Notes in
//! Economics and Mathematical Systems 186). Checked against pymcdm 1.4.0 `entropy_weights` to 1e-9
//! (`crates/data/tests/pymcdm_weights.rs`).

use super::complete::{data_error, is_constant, rows_at_least, shares};
use super::{WeightError, WeightInput, Weighter};
use crate::Text;
use crate::{ParamError, ParamInfo, ParamReader, Value, stats};

/// The parameters of `method = "entropy"`.
pub const PARAMS: &[ParamInfo] = &[ParamInfo {
    name: "shift",
    default: "\"none\"",
    doc_en: "entropy: shift before p = x / Σx: \"none\" (values must be > 0, as pymcdm), \"min\" (x − min + 1% of the range, per child) or a number c (x + c)",
    doc_zh: "熵权法：计算 p = x / Σx 前的平移：\"none\"（数值须 > 0，同 pymcdm）、\"min\"（逐指标 x − 最小值 + 1% 极差）或数值 c（x + c）",
}];

/// How values are shifted before `p = x / Σ x`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shift {
    /// No shift; every value must be > 0.
    None,
    /// Per child, `x − min + 0.01 · (max − min)`.
    Min,
    /// `x + c`.
    By(f64),
}

impl Shift {
    /// Reads `shift` from the step's parameters.
    pub fn read(r: &ParamReader<'_>) -> Result<Self, ParamError> {
        match r.get("shift") {
            None => Ok(Shift::None),
            Some(Value::Str(s)) if s == "none" => Ok(Shift::None),
            Some(Value::Str(s)) if s == "min" => Ok(Shift::Min),
            Some(v) => match v.as_f64() {
                Some(c) if c.is_finite() => Ok(Shift::By(c)),
                _ => Err(ParamError::WrongType {
                    name: "shift".into(),
                    expected: "\"none\", \"min\" or a finite number",
                    got: v.to_string(),
                }),
            },
        }
    }

    /// The shifted column.
    fn apply(self, x: &[f64]) -> Vec<f64> {
        match self {
            Shift::None => x.to_vec(),
            Shift::By(c) => x.iter().map(|v| v + c).collect(),
            Shift::Min => {
                let min = x.iter().copied().fold(f64::INFINITY, f64::min);
                let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let offset = 0.01 * (max - min);
                x.iter().map(|v| v - min + offset).collect()
            }
        }
    }
}

/// Entropy weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entropy {
    /// The shift applied before the proportions are taken.
    pub shift: Shift,
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Weighter>, ParamError> {
    Ok(Box::new(Entropy { shift: Shift::read(r)? }))
}

impl Entropy {
    /// The entropy `e_j` of every child on the complete rows (1 for a constant child).
    pub fn entropies(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        let cols = rows_at_least("entropy", input, 2)?;
        let ln_n = (cols[0].len() as f64).ln();
        let mut e = Vec::with_capacity(cols.len());
        for (j, col) in cols.iter().enumerate() {
            if is_constant(col) {
                e.push(1.0);
                continue;
            }
            let x = self.shift.apply(col);
            if let Some(bad) = x.iter().copied().find(|&v| v <= 0.0) {
                let code = input.child_codes.get(j).copied().unwrap_or("?");
                let reason = match self.shift {
                    Shift::None => Text::new(
                        format!(
                            "child '{code}' has a value ≤ 0 ({bad}); entropy weights need positive values \
                             (pymcdm refuses them too): set shift = \"min\" or shift = <number>"
                        ),
                        format!(
                            "下级 '{code}' 有 ≤ 0 的值（{bad}）；熵权法要求正值（pymcdm 同样拒绝）：\
                             请设置 shift = \"min\" 或 shift = <数值>"
                        ),
                    ),
                    Shift::By(c) => Text::new(
                        format!(
                            "child '{code}' has a value ≤ 0 after shift = {c} ({bad}); use a larger shift or shift = \"min\""
                        ),
                        format!(
                            "下级 '{code}' 在 shift = {c} 平移后仍有 ≤ 0 的值（{bad}）；请加大 shift 或使用 shift = \"min\""
                        ),
                    ),
                    Shift::Min => Text::new(
                        format!("child '{code}' has a value ≤ 0 after shift = \"min\" ({bad})"),
                        format!("下级 '{code}' 在 shift = \"min\" 平移后仍有 ≤ 0 的值（{bad}）"),
                    ),
                };
                return Err(data_error("entropy", input, reason));
            }
            let total = stats::sum(x.iter().copied());
            let h = -stats::sum(x.iter().map(|v| {
                let p = v / total;
                p * p.ln()
            }));
            e.push(h / ln_n);
        }
        Ok(e)
    }
}

impl Weighter for Entropy {
    fn name(&self) -> &'static str {
        "entropy"
    }

    fn weights(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        if input.children.len() == 1 {
            return Ok(vec![1.0]);
        }
        let d: Vec<f64> = self.entropies(input)?.into_iter().map(|e| (1.0 - e).max(0.0)).collect();
        shares(
            "entropy",
            input,
            d,
            Text::new(
                "every child is constant on the complete rows (no information to weight by)",
                "各下级在完整行上均为常数（没有可用于赋权的信息）",
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::complete::{assert_close, with_example};
    use super::*;
    use crate::Params;

    /// Closed forms, far below any rounding of the formulas.
    const TOL: f64 = 1e-14;

    fn plnp(p: f64) -> f64 {
        p * p.ln()
    }

    /// The worked example of docs/methods/entropy.md: a = (1,2,3,2), b = (2,2,2,6), c = (4,1,1,2).
    #[test]
    fn worked_example() {
        let ln4 = 4.0_f64.ln();
        let e_a = -(plnp(1. / 8.) + 2.0 * plnp(2. / 8.) + plnp(3. / 8.)) / ln4;
        let e_b = 12.0_f64.ln() / 16.0_f64.ln(); // H = ½ ln 6 + ½ ln 2
        let e_c = 7. / 8.; // H = 1.75 ln 2
        let m = Entropy { shift: Shift::None };
        let e = with_example(|i| m.entropies(i)).unwrap();
        assert_close(&e, &[e_a, e_b, e_c], TOL);
        let d = [1. - e_a, 1. - e_b, 1. - e_c];
        let s: f64 = d.iter().sum();
        let w = with_example(|i| m.weights(i)).unwrap();
        assert_close(&w, &[d[0] / s, d[1] / s, d[2] / s], TOL);
        // Printed in the docs (pymcdm: 0.1709809945, 0.3760217206, 0.4529972849).
        assert_close(&w, &[0.1709809945, 0.3760217206, 0.4529972849], 1e-10);
    }

    #[test]
    fn shift_by_number_and_min() {
        // a min-max [0, 100] column: shift "min" = shift 1.
        let a = [0.0, 50.0, 100.0, 50.0];
        let b = [0.0, 0.0, 0.0, 100.0];
        let kids: [&[f64]; 2] = [&a, &b];
        let i = WeightInput { node: "n", child_codes: &["a", "b"], children: &kids, panel: &[], prior: &[1.0; 2] };
        let by1 = Entropy { shift: Shift::By(1.0) }.weights(&i).unwrap();
        let min = Entropy { shift: Shift::Min }.weights(&i).unwrap();
        assert_close(&by1, &min, TOL);
        // Hand-computed: a + 1 = (1, 51, 101, 51), b + 1 = (1, 1, 1, 101).
        let ln4 = 4.0_f64.ln();
        let e_a = -(plnp(1. / 204.) + 2.0 * plnp(51. / 204.) + plnp(101. / 204.)) / ln4;
        let e_b = -(3.0 * plnp(1. / 104.) + plnp(101. / 104.)) / ln4;
        let (d_a, d_b) = (1. - e_a, 1. - e_b);
        assert_close(&by1, &[d_a / (d_a + d_b), d_b / (d_a + d_b)], TOL);
        assert_close(&by1, &[0.2067666131, 0.7932333869], 1e-10);
    }

    #[test]
    fn zero_without_shift_is_an_error_naming_the_child() {
        let a = [0.0, 1.0, 2.0];
        let b = [1.0, 2.0, 4.0];
        let kids: [&[f64]; 2] = [&b, &a];
        let i = WeightInput { node: "n", child_codes: &["b", "a"], children: &kids, panel: &[], prior: &[1.0; 2] };
        let e = Entropy { shift: Shift::None }.weights(&i).unwrap_err();
        assert!(e.to_string().contains("child 'a' has a value ≤ 0"), "{e}");
        let e = Entropy { shift: Shift::By(-1.0) }.weights(&i).unwrap_err();
        assert!(e.to_string().contains("after shift = -1"), "{e}");
        assert!(Entropy { shift: Shift::By(0.5) }.weights(&i).is_ok());
    }

    #[test]
    fn constant_indicator_gets_zero_weight() {
        let a = [5.0, 5.0, 5.0];
        let z = [0.0, 0.0, 0.0];
        let b = [1.0, 2.0, 4.0];
        let kids: [&[f64]; 3] = [&a, &z, &b];
        let i = WeightInput { node: "n", child_codes: &["a", "z", "b"], children: &kids, panel: &[], prior: &[1.0; 3] };
        assert_eq!(Entropy { shift: Shift::None }.weights(&i).unwrap(), vec![0.0, 0.0, 1.0]);
        let kids: [&[f64]; 2] = [&a, &z];
        let i = WeightInput { node: "n", child_codes: &["a", "z"], children: &kids, panel: &[], prior: &[1.0; 2] };
        let e = Entropy { shift: Shift::None }.weights(&i).unwrap_err();
        assert!(e.to_string().contains("every child is constant"), "{e}");
    }

    #[test]
    fn single_unit_and_single_child() {
        let a = [1.0];
        let b = [2.0];
        let kids: [&[f64]; 2] = [&a, &b];
        let i = WeightInput { node: "n", child_codes: &["a", "b"], children: &kids, panel: &[], prior: &[1.0; 2] };
        assert!(Entropy { shift: Shift::None }.weights(&i).is_err());
        let kids: [&[f64]; 1] = [&a];
        let i = WeightInput { node: "n", child_codes: &["a"], children: &kids, panel: &[], prior: &[1.0] };
        assert_eq!(Entropy { shift: Shift::None }.weights(&i).unwrap(), vec![1.0]);
    }

    #[test]
    fn missing_values_drop_the_whole_row() {
        // The worked example with a fifth unit missing `b`: same weights as without it.
        let a = [1.0, 2.0, 3.0, 2.0, 100.0];
        let b = [2.0, 2.0, 2.0, 6.0, f64::NAN];
        let c = [4.0, 1.0, 1.0, 2.0, 7.0];
        let kids: [&[f64]; 3] = [&a, &b, &c];
        let i = WeightInput { node: "X", child_codes: &["a", "b", "c"], children: &kids, panel: &[], prior: &[1.0; 3] };
        let m = Entropy { shift: Shift::None };
        assert_close(&m.weights(&i).unwrap(), &with_example(|x| m.weights(x)).unwrap(), TOL);
    }

    #[test]
    fn pooled_panel_equals_the_stacked_matrix() {
        // Two periods of two units; pooled = the 4-unit worked example.
        let p0: Vec<&[f64]> = vec![&[1.0, 2.0], &[2.0, 2.0], &[4.0, 1.0]];
        let p1: Vec<&[f64]> = vec![&[3.0, 2.0], &[2.0, 6.0], &[1.0, 2.0]];
        let panel = vec![p0, p1.clone()];
        let i =
            WeightInput { node: "X", child_codes: &["a", "b", "c"], children: &p1, panel: &panel, prior: &[1.0; 3] };
        let m = Entropy { shift: Shift::None };
        assert_close(&m.weights(&i).unwrap(), &with_example(|x| m.weights(x)).unwrap(), TOL);
    }

    #[test]
    fn shift_parameter() {
        let read = |v: Option<Value>| {
            let mut p = Params::new();
            if let Some(v) = v {
                p.insert("shift".into(), v);
            }
            let r = ParamReader::new(&p, PARAMS).unwrap();
            Shift::read(&r)
        };
        assert_eq!(read(None), Ok(Shift::None));
        assert_eq!(read(Some(Value::Str("none".into()))), Ok(Shift::None));
        assert_eq!(read(Some(Value::Str("min".into()))), Ok(Shift::Min));
        assert_eq!(read(Some(Value::Int(1))), Ok(Shift::By(1.0)));
        assert_eq!(read(Some(Value::Float(0.01))), Ok(Shift::By(0.01)));
        assert!(matches!(read(Some(Value::Str("max".into()))), Err(ParamError::WrongType { .. })));
        assert!(matches!(read(Some(Value::Bool(true))), Err(ParamError::WrongType { .. })));
    }
}
