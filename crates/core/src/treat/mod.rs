//! Outlier treatment: COINr's two-stage rule, applied to one indicator column at a time.
//!
//! 1. **Check** ([`check`]): the column passes if `|skew| < skew_thresh` **or**
//!    `kurt < kurt_thresh` (defaults 2 and 3.5), with skew the adjusted Fisher–Pearson G1 and
//!    kurt the sample excess kurtosis G2 of the non-missing values. It is treated only if both
//!    limits are exceeded.
//! 2. **Winsorise** ([`winsorise()`]) while the column fails and fewer than `winmax` points have
//!    been capped (default 5).
//! 3. If it still fails, a [`Transform`] (default [`LogCt`]) is applied to the **original**
//!    column and the winsorisation is discarded (COINr `combine_treat = FALSE`). The result is
//!    kept even if it still fails the check.
//!
//! Reference: COINr `Treat.numeric`, `winsorise`, `log_CT`, `check_SkewKurt` (`treat.R`), with the
//! defaults of `Treat.data.frame`; reproduced to 1e-9 in the ASEM tests (oracle V6a, V6b, V11).
//!
//! Where COINr stops or returns "NA" (fewer than 4 values, a constant column whose skewness is
//! NaN), the column is left as it is and the step says so.

use std::fmt::Debug;

use crate::{ParamError, ParamInfo, ParamReader, stats};

mod log_ct;
mod winsorise;

pub use log_ct::LogCt;
pub use winsorise::{Winsorised, winsorise};

/// Skewness and kurtosis of a column and whether it passes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check {
    /// Skewness G1.
    pub skew: f64,
    /// Excess kurtosis G2.
    pub kurt: f64,
    /// `|skew| < skew_thresh || kurt < kurt_thresh` with R's missing-value logic: `None` when it
    /// cannot be decided (NaN skewness and kurtosis, as for a constant column).
    pub pass: Option<bool>,
}

/// The limits of the check and of the winsorisation, and the fallback transform.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Maximum number of winsorised points (ties are capped together, so the count can exceed it).
    pub winmax: usize,
    /// Limit on |skewness|.
    pub skew_thresh: f64,
    /// Limit on kurtosis.
    pub kurt_thresh: f64,
    /// Applied to the original column when winsorisation does not pass; `None` keeps the
    /// winsorised column (baydex addition: `transform = "none"`).
    pub transform: Option<&'static dyn Transform>,
}

impl Default for Rule {
    /// COINr's defaults: `winmax = 5`, skew 2, kurtosis 3.5, `log_CT`.
    fn default() -> Self {
        Rule { winmax: 5, skew_thresh: 2.0, kurt_thresh: 3.5, transform: Some(&LogCt) }
    }
}

/// Skewness, kurtosis and the pass check of the non-missing values of `x`; `None` with fewer than
/// four values (COINr's `kurt` stops there).
pub fn check(x: &[f64], rule: &Rule) -> Option<Check> {
    let (skew, kurt) = stats::skew_kurt(x);
    let (skew, kurt) = (skew?, kurt?);
    // R: (abs(sk) < skew_thresh) | (kt < kurt_thresh), where NA | TRUE is TRUE.
    let a = (!skew.is_nan()).then_some(skew.abs() < rule.skew_thresh);
    let b = (!kurt.is_nan()).then_some(kurt < rule.kurt_thresh);
    let pass = match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    };
    Some(Check { skew, kurt, pass })
}

/// A transformation of a whole column (the second stage of the treatment).
pub trait Transform: Debug + Send + Sync {
    /// Registered name (also written as `what` of the indicator's log entry).
    fn name(&self) -> &'static str;
    /// The transformed column; NaN stays NaN.
    fn apply(&self, x: &[f64]) -> Vec<f64>;
}

/// Every transform by name (`transform = "none"` is handled by the step: no transform).
pub fn registry() -> &'static [(&'static str, &'static dyn Transform)] {
    &[("log_ct", &LogCt)]
}

/// Valid values of the `transform` parameter.
pub const TRANSFORMS: &[&str] = &["log_ct", "none"];

/// What happened to one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Fewer than four non-missing values: the check cannot be computed; left as it is.
    TooFewValues,
    /// The check returned "NA" (e.g. a constant column); left as it is (COINr does the same).
    Undecided,
    /// Passed before any treatment.
    Passed,
    /// Winsorisation brought the column within the limits (or, with no transform, was kept).
    Winsorised,
    /// Winsorisation did not suffice; the transform was applied to the original column.
    Transformed(&'static str),
}

/// The treatment of one column.
#[derive(Debug, Clone, PartialEq)]
pub struct Treated {
    /// The treated column.
    pub x: Vec<f64>,
    /// What happened.
    pub outcome: Outcome,
    /// The check before treatment.
    pub before: Option<Check>,
    /// The check after winsorisation, if it ran.
    pub after_winsorising: Option<Check>,
    /// The check after the transform, if it ran.
    pub after_transform: Option<Check>,
    /// Rows capped at the high end in the last high-end step, and at the low end in the last
    /// low-end step (COINr's `imax` / `imin`: capped points tie with the new extreme, so these are
    /// all the capped points). When the column was transformed, these points were discarded.
    pub high: Vec<usize>,
    /// See [`Treated::high`].
    pub low: Vec<usize>,
    /// COINr's `nwin`: `high.len() + low.len()`.
    pub nwin: usize,
}

/// Applies the rule to one column.
pub fn treat(x: &[f64], rule: &Rule) -> Treated {
    let untouched = |outcome, before| Treated {
        x: x.to_vec(),
        outcome,
        before,
        after_winsorising: None,
        after_transform: None,
        high: Vec::new(),
        low: Vec::new(),
        nwin: 0,
    };
    let Some(before) = check(x, rule) else { return untouched(Outcome::TooFewValues, None) };
    match before.pass {
        None => return untouched(Outcome::Undecided, Some(before)),
        Some(true) => return untouched(Outcome::Passed, Some(before)),
        Some(false) => {}
    }
    let Some(w) = winsorise(x, rule) else { return untouched(Outcome::Undecided, Some(before)) };
    let after = check(&w.x, rule);
    let mut t = Treated {
        x: w.x,
        outcome: Outcome::Winsorised,
        before: Some(before),
        after_winsorising: after,
        after_transform: None,
        high: w.high,
        low: w.low,
        nwin: w.nwin,
    };
    match (after.and_then(|c| c.pass), rule.transform) {
        (Some(true), _) | (Some(false), None) => t,
        (None, _) => untouched(Outcome::Undecided, Some(before)),
        (Some(false), Some(f)) => {
            let y = f.apply(x);
            let c = check(&y, rule);
            if c.is_some_and(|c| c.pass.is_none()) {
                return untouched(Outcome::Undecided, Some(before));
            }
            t.x = y;
            t.after_transform = c;
            t.outcome = Outcome::Transformed(f.name());
            t
        }
    }
}

/// Parameters of the treatment (the `treat` step's parameters, without `overrides` / `exclude`).
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "winmax",
        default: "5",
        doc_en: "maximum number of points to winsorise per indicator (ties are capped together)",
        doc_zh: "每个指标最多缩尾的点数（并列值一起处理）",
    },
    ParamInfo {
        name: "skew_thresh",
        default: "2",
        doc_en: "an indicator is treated only if |skewness| ≥ skew_thresh and kurtosis ≥ kurt_thresh",
        doc_zh: "仅当 |偏度| ≥ skew_thresh 且峰度 ≥ kurt_thresh 时处理该指标",
    },
    ParamInfo { name: "kurt_thresh", default: "3.5", doc_en: "see skew_thresh", doc_zh: "见 skew_thresh" },
    ParamInfo {
        name: "transform",
        default: "\"log_ct\"",
        doc_en: "applied to the original values when winsorisation is not enough: log_ct (COINr log_CT) | none (keep the winsorised values)",
        doc_zh: "缩尾不足时对原始值做的变换：log_ct（COINr log_CT）| none（保留缩尾结果）",
    },
];

/// Reads a rule, with `base` supplying the defaults (the step's own rule for an override).
pub fn read_rule(r: &ParamReader<'_>, base: &Rule) -> Result<Rule, ParamError> {
    let winmax = r.usize("winmax", base.winmax)?;
    let skew_thresh = r.f64("skew_thresh", base.skew_thresh)?;
    if skew_thresh <= 0.0 {
        return Err(ParamError::OutOfDomain {
            name: "skew_thresh".into(),
            got: skew_thresh.to_string(),
            expected: "must be > 0 (a limit on |skewness|)",
        });
    }
    let kurt_thresh = r.f64("kurt_thresh", base.kurt_thresh)?;
    let current = base.transform.map_or("none", |t| t.name());
    let name = r.choice("transform", current, TRANSFORMS)?;
    let transform = registry().iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
    Ok(Rule { winmax, skew_thresh, kurt_thresh, transform })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Params, Value};

    const NA: f64 = f64::NAN;

    /// 1..20, 100, 150, 200: skew 2.69, kurtosis 6.59. Capping 200 → 150 leaves 2.44 / 4.80;
    /// capping both 150s → 100 gives 2.21 / 3.45, which passes (values from the formulas in
    /// [`crate::stats`], checked with an independent Python computation).
    fn example() -> Vec<f64> {
        (1..=20).map(f64::from).chain([100.0, 150.0, 200.0]).collect()
    }

    #[test]
    fn pass_is_skew_or_kurtosis() {
        let r = Rule::default();
        let c = check(&example(), &r).unwrap();
        assert_eq!(c.pass, Some(false), "{c:?}");
        assert!((c.skew - 2.689289488324831).abs() < 1e-12 && (c.kurt - 6.5948618194684006).abs() < 1e-12);
        // either limit is enough to pass
        assert_eq!(check(&example(), &Rule { kurt_thresh: 7.0, ..r }).unwrap().pass, Some(true));
        assert_eq!(check(&example(), &Rule { skew_thresh: 2.7, ..r }).unwrap().pass, Some(true));
        assert_eq!(check(&[1.0, 2.0, 3.0], &r), None, "fewer than 4 values");
        assert_eq!(check(&[2.0; 6], &r).unwrap().pass, None, "constant: undecided");
    }

    #[test]
    fn winsorised_example_passes() {
        let t = treat(&example(), &Rule::default());
        assert_eq!(t.outcome, Outcome::Winsorised);
        assert!(t.after_winsorising.unwrap().pass.unwrap());
        assert_eq!(t.high, vec![21, 22], "200 was capped to 150, then both 150s to 100");
        assert_eq!(&t.x[20..], &[100.0, 100.0, 100.0]);
        assert_eq!(t.nwin, 2);
    }

    #[test]
    fn log_ct_on_the_original_when_winsorising_is_not_enough() {
        let rule = Rule { winmax: 1, ..Rule::default() };
        let x = example();
        let t = treat(&x, &rule);
        assert_eq!(t.outcome, Outcome::Transformed("log_ct"));
        assert_eq!(t.high, vec![22], "the discarded winsorised point");
        // log(x − min + 0.01 (max − min)) of the ORIGINAL column
        assert!((t.x[22] - (199.0 + 1.99_f64).ln()).abs() < 1e-12);
        assert!((t.x[0] - 1.99_f64.ln()).abs() < 1e-12);
        assert!(t.after_transform.is_some());
        // with no transform, the winsorised column is kept
        let t = treat(&x, &Rule { transform: None, ..rule });
        assert_eq!(t.outcome, Outcome::Winsorised);
        assert_eq!(t.x[22], 150.0);
    }

    #[test]
    fn passing_too_short_and_constant_columns_are_untouched() {
        let r = Rule::default();
        let x = [1.0, 2.0, NA, 3.0, 4.0];
        let t = treat(&x, &r);
        assert_eq!(t.outcome, Outcome::Passed);
        assert_eq!(t.x[3], 3.0);
        assert_eq!(treat(&[1.0, 100.0, NA], &r).outcome, Outcome::TooFewValues);
        assert_eq!(treat(&[5.0; 5], &r).outcome, Outcome::Undecided);
    }

    #[test]
    fn rule_parameters_are_checked() {
        let p = |k: &str, v: Value| -> Params { [(k.to_string(), v)].into_iter().collect() };
        let read = |ps: Params| {
            let r = ParamReader::new(&ps, PARAMS).unwrap();
            read_rule(&r, &Rule::default())
        };
        assert!(matches!(read(p("skew_thresh", Value::Int(0))), Err(ParamError::OutOfDomain { .. })));
        assert!(matches!(read(p("winmax", Value::Float(1.5))), Err(ParamError::WrongType { .. })));
        assert!(matches!(read(p("transform", Value::Str("boxcox".into()))), Err(ParamError::UnknownMethod { .. })));
        let none = read(p("transform", Value::Str("none".into()))).unwrap();
        assert!(none.transform.is_none());
        assert_eq!(read(p("winmax", Value::Int(1))).unwrap().winmax, 1);
    }
}
