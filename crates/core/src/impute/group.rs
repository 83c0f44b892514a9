//! Group mean / group median: every missing cell becomes the mean (median) of the non-missing
//! values of the units in the same group, e.g. `group = "EurAsia_group"`.
//!
//! Reference: COINr `i_mean_grp` / `i_median_grp` with `skip_f_na = TRUE`: a unit without a value
//! of the group variable is left as it is, and a group whose values are all missing leaves its
//! missing cells missing (COINr writes NaN there). Reproduced to 1e-9 in the ASEM tests (oracle
//! V5b with `GDP_group`, V11 with `EurAsia_group`).

use std::collections::BTreeMap;

use super::{Column, Imputer};
use crate::{ParamError, ParamReader, stats};

/// The statistic computed within each group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupStat {
    /// Arithmetic mean.
    Mean,
    /// Median.
    Median,
}

/// Imputation by a statistic of the unit's group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupImputer {
    /// Mean or median.
    pub stat: GroupStat,
    /// The group variable (for the log; the step supplies each unit's group).
    pub group: String,
}

fn group_param(r: &ParamReader<'_>) -> Result<String, ParamError> {
    let g = r.str("group", "")?;
    if g.trim().is_empty() {
        return Err(ParamError::OutOfDomain {
            name: "group".into(),
            got: format!("{g:?}"),
            expected: "group_mean and group_median need the name of a unit group variable, e.g. group = \"region\"",
        });
    }
    Ok(g.to_string())
}

pub(super) fn build_mean(r: &ParamReader<'_>) -> Result<Box<dyn Imputer>, ParamError> {
    Ok(Box::new(GroupImputer { stat: GroupStat::Mean, group: group_param(r)? }))
}

pub(super) fn build_median(r: &ParamReader<'_>) -> Result<Box<dyn Imputer>, ParamError> {
    Ok(Box::new(GroupImputer { stat: GroupStat::Median, group: group_param(r)? }))
}

impl Imputer for GroupImputer {
    fn name(&self) -> &'static str {
        match self.stat {
            GroupStat::Mean => "group_mean",
            GroupStat::Median => "group_median",
        }
    }

    fn impute(&self, col: &Column<'_>) -> Vec<f64> {
        let mut members: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for (&v, g) in col.x.iter().zip(col.groups) {
            if let Some(g) = g {
                members.entry(g).or_default().push(v);
            }
        }
        let value: BTreeMap<&str, f64> = members
            .into_iter()
            .map(|(g, v)| {
                let s = match self.stat {
                    GroupStat::Mean => stats::mean(&v),
                    GroupStat::Median => stats::median(&v),
                };
                (g, s.unwrap_or(f64::NAN))
            })
            .collect();
        col.x
            .iter()
            .enumerate()
            .map(|(i, &v)| match col.groups.get(i).copied().flatten() {
                Some(g) if v.is_nan() => value.get(g).copied().unwrap_or(f64::NAN),
                _ => v,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::NA;
    use super::*;

    fn run(stat: GroupStat, x: &[f64], groups: &[Option<&str>]) -> Vec<f64> {
        let g = GroupImputer { stat, group: "g".into() };
        g.impute(&Column { code: "x", x, groups, history: None })
    }

    #[test]
    fn mean_and_median_within_groups() {
        let groups = [Some("a"), Some("a"), Some("a"), Some("b"), Some("b"), Some("a")];
        let x = [1.0, 2.0, 6.0, 10.0, NA, NA];
        assert_eq!(run(GroupStat::Mean, &x, &groups), vec![1.0, 2.0, 6.0, 10.0, 10.0, 3.0]);
        assert_eq!(run(GroupStat::Median, &x, &groups), vec![1.0, 2.0, 6.0, 10.0, 10.0, 2.0]);
    }

    #[test]
    fn unit_without_group_and_all_missing_group_stay_missing() {
        let out = run(GroupStat::Mean, &[1.0, NA, NA, NA], &[Some("a"), None, Some("b"), Some("a")]);
        assert_eq!(out[0], 1.0);
        assert!(out[1].is_nan(), "no group: untouched");
        assert!(out[2].is_nan(), "group b has no value");
        assert_eq!(out[3], 1.0);
    }

    #[test]
    fn missing_group_parameter_is_an_error() {
        let p = crate::Params::new();
        let r = ParamReader::new(&p, super::super::PARAMS).unwrap();
        assert!(matches!(build_mean(&r), Err(ParamError::OutOfDomain { .. })));
    }
}
