//! Imputation: fill the missing values of an indicator column, never changing a non-missing one.
//!
//! Each method is an [`Imputer`] in its own file; [`registry`] lists them by name:
//!
//! | method | fills a missing cell with | reference |
//! |---|---|---|
//! | `mean` | the column mean | COINr `i_mean` |
//! | `median` | the column median | COINr `i_median` |
//! | `group_mean` | the mean of the units in the same group | COINr `i_mean_grp` |
//! | `group_median` | the median of the units in the same group | COINr `i_median_grp` |
//! | `interpolate` | linear interpolation in the unit's own series | (no extrapolation) |
//! | `carry` | the unit's last observed value | COINr `impute_panel(imp_type = "latest")` |
//! | `none` | nothing | COINr `Impute(disable = TRUE)` |
//!
//! An imputer sees one indicator column of one period ([`Column`]): its values, each unit's group
//! (when the step names a group variable) and each unit's own series across periods
//! ([`History`]). It returns the column with the cells it could fill; the step copies only the
//! missing cells from it, so a non-missing value can never change.

use std::collections::HashMap;
use std::fmt::Debug;

use crate::{Dataset, ParamError, ParamInfo, ParamReader};

mod carry;
mod group;
mod interpolate;
mod mean;
mod median;
mod none;

pub use carry::Carry;
pub use group::{GroupImputer, GroupStat};
pub use interpolate::Interpolate;
pub use mean::Mean;
pub use median::Median;
pub use none::NoImputation;

/// One indicator column of one period, as an imputer sees it.
#[derive(Debug, Clone, Copy)]
pub struct Column<'a> {
    /// Indicator code.
    pub code: &'a str,
    /// Values, one per unit (row); NaN = missing.
    pub x: &'a [f64],
    /// Each unit's value of the step's group variable (`None`: the unit has none); empty when the
    /// step names no group variable.
    pub groups: &'a [Option<&'a str>],
    /// Every unit's own series across periods; `None` when the project has a single period.
    pub history: Option<&'a History<'a>>,
}

/// The panel as seen from one period: every period's input, in time order, with each unit's rows.
///
/// Time order: when every period parses as a number (`2019`, `2020.5`), periods are ordered by that
/// number and interpolation is linear in it; otherwise they keep the project's order and are
/// spaced one apart.
#[derive(Debug, Clone)]
pub struct History<'a> {
    times: Vec<f64>,
    periods: Vec<usize>,
    now: usize,
    panel: &'a [&'a Dataset],
    rows: Vec<Vec<Option<usize>>>,
}

impl<'a> History<'a> {
    /// The history of the units `units` (rows of the current input) over `panel` (one dataset per
    /// entry of `periods`), seen from period `period_index`.
    pub fn new(periods: &[String], period_index: usize, panel: &'a [&'a Dataset], units: &[String]) -> Self {
        let parsed: Option<Vec<f64>> =
            periods.iter().map(|p| p.trim().parse::<f64>().ok().filter(|t| t.is_finite())).collect();
        let raw_times = parsed.unwrap_or_else(|| (0..periods.len()).map(|k| k as f64).collect());
        let mut order: Vec<usize> = (0..periods.len()).collect();
        order.sort_by(|&a, &b| raw_times[a].total_cmp(&raw_times[b]));
        let times = order.iter().map(|&k| raw_times[k]).collect();
        let now = order.iter().position(|&k| k == period_index).unwrap_or(0);
        let rows = order
            .iter()
            .map(|&k| match panel.get(k) {
                Some(d) if d.units == units => (0..units.len()).map(Some).collect(),
                Some(d) => {
                    let at: HashMap<&str, usize> = d.units.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
                    units.iter().map(|u| at.get(u.as_str()).copied()).collect()
                }
                None => vec![None; units.len()],
            })
            .collect();
        History { times, periods: order, now, panel, rows }
    }

    /// Time value of every period, ascending.
    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// Position of the current period in [`History::times`].
    pub fn now(&self) -> usize {
        self.now
    }

    /// Unit `row`'s values of indicator `code` at every time (NaN where missing, or where the unit or
    /// the indicator is absent from that period).
    pub fn series(&self, code: &str, row: usize) -> Vec<f64> {
        self.periods
            .iter()
            .zip(&self.rows)
            .map(|(&k, rows)| {
                let d = self.panel[k];
                match (rows.get(row).copied().flatten(), d.column(code)) {
                    (Some(i), Some(j)) => d.data.get(i, j),
                    _ => f64::NAN,
                }
            })
            .collect()
    }
}

/// An imputation method.
pub trait Imputer: Debug + Send + Sync {
    /// Registered name (also written as `what` of every cell it fills).
    fn name(&self) -> &'static str;
    /// The column with the missing cells this method can fill filled in; cells it cannot fill stay
    /// NaN. Only missing cells are read from the result.
    fn impute(&self, col: &Column<'_>) -> Vec<f64>;
}

/// Constructor of an imputer from the step's parameters.
pub type Builder = fn(&ParamReader<'_>) -> Result<Box<dyn Imputer>, ParamError>;

/// Every imputer by name.
pub fn registry() -> &'static [(&'static str, Builder)] {
    &[
        ("mean", mean::build),
        ("median", median::build),
        ("group_mean", group::build_mean),
        ("group_median", group::build_median),
        ("interpolate", interpolate::build),
        ("carry", carry::build),
        ("none", none::build),
    ]
}

/// Names of the registered imputers.
pub fn names() -> Vec<&'static str> {
    registry().iter().map(|(n, _)| *n).collect()
}

/// Parameters of the imputers (the `impute` step's parameters).
pub const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "method",
        default: "\"mean\"",
        doc_en: "imputation method: mean | median | group_mean | group_median | interpolate | carry | none",
        doc_zh: "插补方法：mean（均值）| median（中位数）| group_mean（组均值）| group_median（组中位数）| interpolate（时间线性插值）| carry（沿用最近一期）| none（不插补）",
    },
    ParamInfo {
        name: "group",
        default: "\"\"",
        doc_en: "group_mean / group_median: the unit group variable (e.g. \"EurAsia_group\"); units without a group are left as they are",
        doc_zh: "group_mean / group_median：单元分组变量（如 \"EurAsia_group\"）；无分组的单元不插补",
    },
    ParamInfo {
        name: "max_time",
        default: "0",
        doc_en: "carry: look back at most this many periods (0 = no limit)",
        doc_zh: "carry：最多向前追溯的期数（0 = 不限）",
    },
];

/// Builds the imputer named by the `method` parameter.
pub fn build(r: &ParamReader<'_>) -> Result<Box<dyn Imputer>, ParamError> {
    let names = names();
    let m = r.choice("method", "mean", &names)?;
    let (_, b) = registry().iter().find(|(n, _)| *n == m).expect("name checked against the registry");
    b(r)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{Matrix, Params, Value};

    pub(crate) const NA: f64 = f64::NAN;

    /// A column without groups or history.
    pub(crate) fn plain(x: &[f64]) -> Column<'_> {
        Column { code: "x", x, groups: &[], history: None }
    }

    #[test]
    fn registry_names_unique_and_build_from_defaults() {
        let names = names();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[..i].contains(n));
            let mut p = Params::new();
            p.insert("method".into(), Value::Str((*n).into()));
            p.insert("group".into(), Value::Str("region".into()));
            let r = ParamReader::new(&p, PARAMS).unwrap();
            assert_eq!(build(&r).unwrap().name(), *n);
        }
    }

    #[test]
    fn history_orders_numeric_periods_and_matches_units_by_code() {
        let d = |units: &[&str], v: &[f64]| {
            Dataset::new(
                units.iter().map(|u| u.to_string()).collect(),
                vec!["x".into()],
                Matrix::from_columns(units.len(), &[v.to_vec()]).unwrap(),
            )
            .unwrap()
        };
        let (a, b, c) = (d(&["p", "q"], &[1.0, 2.0]), d(&["q"], &[20.0]), d(&["p", "q"], &[3.0, NA]));
        let panel = [&c, &a, &b];
        let periods: Vec<String> = ["2022", "2010", "2019"].iter().map(|s| s.to_string()).collect();
        let units = vec!["p".to_string(), "q".to_string()];
        let h = History::new(&periods, 2, &panel, &units);
        assert_eq!(h.times(), &[2010.0, 2019.0, 2022.0]);
        assert_eq!(h.now(), 1);
        let p = h.series("x", 0);
        assert_eq!((p[0], p[2]), (1.0, 3.0));
        assert!(p[1].is_nan(), "p is absent in 2019");
        let q = h.series("x", 1);
        assert_eq!((q[0], q[1]), (2.0, 20.0));
        assert!(q[2].is_nan() && h.series("nope", 1).iter().all(|v| v.is_nan()));
        // Non-numeric periods keep the project's order, one apart.
        let periods: Vec<String> = ["b", "a", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(History::new(&periods, 0, &panel, &units).times(), &[0.0, 1.0, 2.0]);
    }
}
