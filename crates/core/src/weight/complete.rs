//! What the objective (data-driven) weighting methods share: the matrix they weight on and the
//! column statistics of it.
//!
//! **Rows.** The methods see one column per child of the aggregate. A row (a unit; with
//! `pool = true`, a unit in one period) enters the matrix only if *every* child has a value on it:
//! rows with any missing (NaN) or non-finite value in the group are dropped (listwise deletion).
//! pymcdm and the textbook formulas need a complete matrix, and dropping cells column by column
//! would compare children over different units (CRITIC's correlations would not even be defined).
//! With `pool = true` the step hands every period's columns in [`WeightInput::panel`] (the
//! current period included), and the rows of all periods are stacked.
//!
//! **Statistics.** Standard deviations use `n − 1` (numpy `ddof=1`, as pymcdm), correlations are
//! Pearson's; sums are compensated ([`crate::stats::sum`]).

use super::{WeightError, WeightInput};
use crate::Text;
use crate::stats;

/// The group's complete rows, one column per child (all columns have the same length).
pub(super) fn complete_columns(input: &WeightInput<'_>) -> Vec<Vec<f64>> {
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); input.children.len()];
    let mut take = |kids: &[&[f64]]| {
        let n = kids.iter().map(|c| c.len()).min().unwrap_or(0);
        for i in 0..n {
            if kids.iter().all(|c| c[i].is_finite()) {
                for (col, c) in cols.iter_mut().zip(kids) {
                    col.push(c[i]);
                }
            }
        }
    };
    if input.panel.is_empty() {
        take(input.children);
    } else {
        for period in input.panel {
            take(period);
        }
    }
    cols
}

/// The complete rows, or an error when there are fewer than `min`.
pub(super) fn rows_at_least(
    method: &'static str,
    input: &WeightInput<'_>,
    min: usize,
) -> Result<Vec<Vec<f64>>, WeightError> {
    let cols = complete_columns(input);
    let n = cols.first().map_or(0, Vec::len);
    if n < min {
        return Err(WeightError::Data {
            method,
            node: input.node.to_string(),
            reason: Text::new(
                format!(
                    "only {n} complete rows (units with a value of every child{}); at least {min} are needed",
                    if input.panel.is_empty() { "" } else { ", all periods pooled" }
                ),
                format!(
                    "只有 {n} 个完整行（全部下级均有数据的单元{}）；至少需要 {min} 个",
                    if input.panel.is_empty() { "" } else { "，各期合并" }
                ),
            ),
        });
    }
    Ok(cols)
}

/// A data error of `method` for the aggregate of `input`.
pub(super) fn data_error(method: &'static str, input: &WeightInput<'_>, reason: Text) -> WeightError {
    WeightError::Data { method, node: input.node.to_string(), reason }
}

/// Mean of a complete column (no missing values).
pub(super) fn mean(x: &[f64]) -> f64 {
    stats::sum(x.iter().copied()) / x.len() as f64
}

/// Sample standard deviation (`n − 1`) of a complete column with at least two values.
pub(super) fn sd(x: &[f64]) -> f64 {
    let m = mean(x);
    (stats::sum(x.iter().map(|v| (v - m) * (v - m))) / (x.len() - 1) as f64).sqrt()
}

/// Pearson correlation of two complete columns of the same length (NaN when one is constant).
pub(super) fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let sxy = stats::sum(x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)));
    let sxx = stats::sum(x.iter().map(|a| (a - mx) * (a - mx)));
    let syy = stats::sum(y.iter().map(|b| (b - my) * (b - my)));
    sxy / (sxx * syy).sqrt()
}

/// Whether every value of the column is the same.
pub(super) fn is_constant(x: &[f64]) -> bool {
    x.iter().all(|&v| v == x[0])
}

/// `w / Σ w`, or an error naming `why` when the total is not positive.
pub(super) fn shares(
    method: &'static str,
    input: &WeightInput<'_>,
    w: Vec<f64>,
    why: Text,
) -> Result<Vec<f64>, WeightError> {
    let total = stats::sum(w.iter().copied());
    if !(total > 0.0 && total.is_finite()) {
        return Err(data_error(method, input, why));
    }
    Ok(w.into_iter().map(|x| x / total).collect())
}

/// The worked example of docs/methods/ (4 units × 3 children `a`, `b`, `c`), shared by the tests
/// of every method.
#[cfg(test)]
pub(super) const EXAMPLE: [[f64; 4]; 3] = [[1.0, 2.0, 3.0, 2.0], [2.0, 2.0, 2.0, 6.0], [4.0, 1.0, 1.0, 2.0]];

/// Runs `f` on the worked example (no panel, equal prior weights).
#[cfg(test)]
pub(super) fn with_example<T>(f: impl FnOnce(&WeightInput<'_>) -> T) -> T {
    let kids: [&[f64]; 3] = [&EXAMPLE[0], &EXAMPLE[1], &EXAMPLE[2]];
    f(&WeightInput { node: "X", child_codes: &["a", "b", "c"], children: &kids, panel: &[], prior: &[1.0; 3] })
}

/// Asserts that two weight vectors agree to `tol`.
#[cfg(test)]
pub(super) fn assert_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= tol, "got {got:?}, want {want:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: f64 = f64::NAN;

    #[test]
    fn rows_with_any_missing_child_are_dropped() {
        let a = [1.0, N, 3.0, 4.0];
        let b = [5.0, 6.0, N, 8.0];
        let kids: [&[f64]; 2] = [&a, &b];
        let i = WeightInput { node: "n", child_codes: &["a", "b"], children: &kids, panel: &[], prior: &[1.0, 1.0] };
        assert_eq!(complete_columns(&i), vec![vec![1.0, 4.0], vec![5.0, 8.0]]);
    }

    #[test]
    fn pooled_rows_stack_every_period() {
        let (a0, b0) = ([1.0, 2.0], [3.0, N]);
        let (a1, b1) = ([5.0, 6.0], [7.0, 8.0]);
        let panel = vec![vec![&a0[..], &b0[..]], vec![&a1[..], &b1[..]]];
        let kids: [&[f64]; 2] = [&a1, &b1];
        let i = WeightInput { node: "n", child_codes: &["a", "b"], children: &kids, panel: &panel, prior: &[1.0; 2] };
        assert_eq!(complete_columns(&i), vec![vec![1.0, 5.0, 6.0], vec![3.0, 7.0, 8.0]]);
    }

    #[test]
    fn too_few_rows() {
        let a = [1.0, N];
        let kids: [&[f64]; 1] = [&a];
        let i = WeightInput { node: "n", child_codes: &["a"], children: &kids, panel: &[], prior: &[1.0] };
        let e = rows_at_least("std", &i, 2).unwrap_err();
        assert!(e.to_string().contains("only 1 complete rows"), "{e}");
    }

    #[test]
    fn statistics_hand_computed() {
        let x = [1.0, 2.0, 3.0, 2.0];
        assert_eq!(mean(&x), 2.0);
        assert!((sd(&x) - (2.0_f64 / 3.0).sqrt()).abs() < 1e-15);
        // (0, .5, 1, .5) against (1, 0, 0, 1/3): r = −√3/2.
        let r = pearson(&[0.0, 0.5, 1.0, 0.5], &[1.0, 0.0, 0.0, 1.0 / 3.0]);
        assert!((r + 3.0_f64.sqrt() / 2.0).abs() < 1e-15);
        assert!(pearson(&x, &[1.0; 4]).is_nan());
    }
}
