//! Combined weights (主客观组合赋权): a subjective and an objective method, mixed.
//!
//! Both sets are first normalised to sum 1 within the group (`ws`, `wo`), then
//!
//! ```text
//! additive        w_j = α · ws_j + (1 − α) · wo_j               (0 ≤ α ≤ 1, default 0.5)
//! multiplicative  w_j = ws_j · wo_j / Σ_k ws_k · wo_k
//! ```
//!
//! `subjective` (default `"expert"`: the `values` table, else the framework's weights) and
//! `objective` (default `"entropy"`) name any registered method but `combined`. The parameters
//! of the two methods that baydex passes through are `values` (expert) and `shift` (entropy);
//! giving one that neither method takes is an error. `alpha` applies to the additive form only.
//! An error of either method is reported as `combined`'s, naming the method.
//!
//! Reference: Ma, J., Fan, Z.-P. & Huang, L.-H. (1999). A subjective and objective integrated
//! approach to determine attribute weights. *European Journal of Operational Research*, 112(2),
//! 397–404.

use super::complete::data_error;
use super::{WeightError, WeightInput, Weighter, entropy, expert};
use crate::Text;
use crate::{ParamError, ParamInfo, ParamReader, stats};

/// Parameters of the sub-methods that `combined` passes through.
const PASSED: &[&str] = &["values", "shift"];

/// The parameters of `method = "combined"` (its own, then those it passes through).
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "alpha",
        default: "0.5",
        doc_en: "combined (additive): share α of the subjective weights, 0 ≤ α ≤ 1",
        doc_zh: "组合赋权（加法）：主观权重所占比例 α，0 ≤ α ≤ 1",
    },
    ParamInfo {
        name: "subjective",
        default: "\"expert\"",
        doc_en: "combined: the subjective method",
        doc_zh: "组合赋权：主观赋权方法",
    },
    ParamInfo {
        name: "objective",
        default: "\"entropy\"",
        doc_en: "combined: the objective method (entropy, critic, std, cv, …)",
        doc_zh: "组合赋权：客观赋权方法（entropy、critic、std、cv 等）",
    },
    ParamInfo {
        name: "form",
        default: "\"additive\"",
        doc_en: "combined: \"additive\" (α·ws + (1−α)·wo) or \"multiplicative\" (ws·wo / Σ ws·wo)",
        doc_zh: "组合赋权：\"additive\"（加法 α·ws + (1−α)·wo）或 \"multiplicative\"（乘法 ws·wo / Σ ws·wo）",
    },
    expert::PARAMS[0],
    entropy::PARAMS[0],
];

/// How the two sets of weights are combined.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Form {
    /// `α · ws + (1 − α) · wo`.
    Additive,
    /// `ws · wo / Σ ws · wo`.
    Multiplicative,
}

/// Combined subjective and objective weights.
#[derive(Debug)]
pub struct Combined {
    alpha: f64,
    form: Form,
    subjective: Box<dyn Weighter>,
    objective: Box<dyn Weighter>,
}

impl Combined {
    /// Checks `alpha` (finite, in [0, 1]).
    pub fn new(
        alpha: f64,
        form: Form,
        subjective: Box<dyn Weighter>,
        objective: Box<dyn Weighter>,
    ) -> Result<Self, ParamError> {
        if !(0.0..=1.0).contains(&alpha) {
            return Err(ParamError::OutOfDomain {
                name: "alpha".into(),
                got: alpha.to_string(),
                expected: "alpha must be between 0 and 1",
            });
        }
        Ok(Combined { alpha, form, subjective, objective })
    }

    /// α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// The form.
    pub fn form(&self) -> Form {
        self.form
    }
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Weighter>, ParamError> {
    let valid: Vec<&'static str> = super::names().into_iter().filter(|n| *n != "combined").collect();
    let sub = r.choice("subjective", "expert", &valid)?;
    let obj = r.choice("objective", "entropy", &valid)?;
    let form = match r.choice("form", "additive", &["additive", "multiplicative"])? {
        "multiplicative" => Form::Multiplicative,
        _ => Form::Additive,
    };
    if form == Form::Multiplicative
        && let Some(a) = r.get("alpha")
    {
        return Err(ParamError::OutOfDomain {
            name: "alpha".into(),
            got: a.to_string(),
            expected: "alpha applies only to form = \"additive\"",
        });
    }
    let alpha = r.f64("alpha", 0.5)?;
    let info = |name: &str| super::registry().iter().find(|m| m.name == name).expect("checked against the registry");
    let (si, oi) = (info(sub), info(obj));
    for &p in PASSED {
        if let Some(v) = r.get(p)
            && !si.params.iter().chain(oi.params).any(|q| q.name == p)
        {
            return Err(ParamError::OutOfDomain {
                name: p.into(),
                got: v.to_string(),
                expected: "neither the subjective nor the objective method takes this parameter",
            });
        }
    }
    Ok(Box::new(Combined::new(alpha, form, (si.build)(r)?, (oi.build)(r)?)?))
}

/// `w / Σ w` for one of the two methods, or an error naming it.
fn normalised(role: &Text, m: &dyn Weighter, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
    let w = m.weights(input).map_err(|e| match e {
        WeightError::Data { method, reason, .. } => data_error(
            "combined",
            input,
            Text::new(
                format!("{} method {method}: {}", role.en, reason.en),
                format!("{}方法 {method}：{}", role.zh, reason.zh),
            ),
        ),
    })?;
    let total = stats::sum(w.iter().copied());
    if w.len() != input.children.len() || !(total > 0.0 && total.is_finite()) || w.iter().any(|x| *x < 0.0) {
        return Err(data_error(
            "combined",
            input,
            Text::new(
                format!("{} method {} gave no usable weights ({w:?})", role.en, m.name()),
                format!("{}方法 {} 未给出可用的权重（{w:?}）", role.zh, m.name()),
            ),
        ));
    }
    Ok(w.into_iter().map(|x| x / total).collect())
}

impl Weighter for Combined {
    fn name(&self) -> &'static str {
        "combined"
    }

    fn weights(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        let ws = normalised(&Text::new("subjective", "主观"), self.subjective.as_ref(), input)?;
        let wo = normalised(&Text::new("objective", "客观"), self.objective.as_ref(), input)?;
        match self.form {
            Form::Additive => Ok(ws.iter().zip(&wo).map(|(s, o)| self.alpha * s + (1.0 - self.alpha) * o).collect()),
            Form::Multiplicative => {
                let prod: Vec<f64> = ws.iter().zip(&wo).map(|(s, o)| s * o).collect();
                let total = stats::sum(prod.iter().copied());
                if total <= 0.0 {
                    return Err(data_error(
                        "combined",
                        input,
                        Text::new(
                            "no child has a positive weight under both methods (multiplicative form)",
                            "没有下级在两种方法下都有正权重（乘法合成）",
                        ),
                    ));
                }
                Ok(prod.into_iter().map(|x| x / total).collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::complete::{assert_close, with_example};
    use super::super::{Critic, Entropy, Expert, StdDev, entropy::Shift};
    use super::*;
    use crate::{Params, Value};

    /// Closed forms, far below any rounding of the formulas.
    const TOL: f64 = 1e-14;

    fn expert() -> Box<dyn Weighter> {
        let v = [("a", 2.0), ("b", 1.0), ("c", 1.0)].iter().map(|(c, v)| (c.to_string(), *v)).collect();
        Box::new(Expert::new(v).unwrap())
    }

    /// The worked example of docs/methods/combined.md: expert (2, 1, 1) → (½, ¼, ¼), std weights
    /// ∝ (√(2/3), 2, √2) on a = (1,2,3,2), b = (2,2,2,6), c = (4,1,1,2).
    #[test]
    fn worked_example() {
        let s = [(2.0_f64 / 3.0).sqrt(), 2.0, 2.0_f64.sqrt()];
        let t: f64 = s.iter().sum();
        let wo = [s[0] / t, s[1] / t, s[2] / t];
        let ws = [0.5, 0.25, 0.25];
        let add = Combined::new(0.5, Form::Additive, expert(), Box::new(StdDev)).unwrap();
        let want: Vec<f64> = ws.iter().zip(&wo).map(|(a, b)| 0.5 * a + 0.5 * b).collect();
        let w = with_example(|i| add.weights(i)).unwrap();
        assert_close(&w, &want, TOL);
        assert_close(&w, &[0.3464963982, 0.3613669375, 0.2921366644], 1e-10);
        let mul = Combined::new(0.5, Form::Multiplicative, expert(), Box::new(StdDev)).unwrap();
        let p: Vec<f64> = ws.iter().zip(&wo).map(|(a, b)| a * b).collect();
        let pt: f64 = p.iter().sum();
        let w = with_example(|i| mul.weights(i)).unwrap();
        assert_close(&w, &p.iter().map(|x| x / pt).collect::<Vec<_>>(), TOL);
        assert_close(&w, &[0.3235439424, 0.3962587842, 0.2801972734], 1e-10);
    }

    #[test]
    fn alpha_one_and_zero_are_the_two_methods() {
        let one = Combined::new(1.0, Form::Additive, expert(), Box::new(Critic)).unwrap();
        assert_close(&with_example(|i| one.weights(i)).unwrap(), &[0.5, 0.25, 0.25], TOL);
        let zero = Combined::new(0.0, Form::Additive, expert(), Box::new(Critic)).unwrap();
        assert_close(&with_example(|i| zero.weights(i)).unwrap(), &with_example(|i| Critic.weights(i)).unwrap(), TOL);
    }

    #[test]
    fn errors_of_a_method_name_it() {
        let c = Combined::new(0.5, Form::Additive, expert(), Box::new(Entropy { shift: Shift::None })).unwrap();
        let a = [0.0, 1.0];
        let kids: [&[f64]; 3] = [&a, &a, &a];
        let i = WeightInput { node: "X", child_codes: &["a", "b", "c"], children: &kids, panel: &[], prior: &[1.0; 3] };
        let e = c.weights(&i).unwrap_err();
        assert!(
            e.to_string().contains("combined cannot weight") && e.to_string().contains("objective method entropy"),
            "{e}"
        );
    }

    fn params(pairs: &[(&str, Value)]) -> Params {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    fn try_build(pairs: &[(&str, Value)]) -> Result<Box<dyn Weighter>, ParamError> {
        let p = params(pairs);
        build(&ParamReader::new(&p, PARAMS).unwrap())
    }

    #[test]
    fn parameters_are_checked() {
        assert_eq!(try_build(&[]).unwrap().name(), "combined");
        assert!(matches!(try_build(&[("alpha", Value::Float(1.5))]), Err(ParamError::OutOfDomain { .. })));
        assert!(matches!(try_build(&[("alpha", Value::Str("x".into()))]), Err(ParamError::WrongType { .. })));
        assert!(matches!(
            try_build(&[("objective", Value::Str("combined".into()))]),
            Err(ParamError::UnknownMethod { .. })
        ));
        assert!(matches!(try_build(&[("form", Value::Str("sum".into()))]), Err(ParamError::UnknownMethod { .. })));
        assert!(matches!(
            try_build(&[("form", Value::Str("multiplicative".into())), ("alpha", Value::Float(0.3))]),
            Err(ParamError::OutOfDomain { .. })
        ));
        // `shift` is entropy's: an error when the objective method is CRITIC.
        assert!(matches!(
            try_build(&[("objective", Value::Str("critic".into())), ("shift", Value::Str("min".into()))]),
            Err(ParamError::OutOfDomain { .. })
        ));
        assert!(try_build(&[("shift", Value::Str("min".into()))]).is_ok());
        // Parameters passed through are checked by their method.
        assert!(matches!(try_build(&[("shift", Value::Str("max".into()))]), Err(ParamError::WrongType { .. })));
    }
}
