//! Copeland outranking, with COINr's semantics (`a_copeland` / `outrankMatrix`).
//!
//! Weights are re-scaled to `w / Σw` over all children (not per pair). Units are taken in the
//! order of their codes (COINr sorts units by `uCode`). For each pair `i < j`:
//! `o[i,j] = Σ w[xᵢ > xⱼ] + Σ w[xᵢ = xⱼ] / 2`, where comparisons involving a missing value are
//! dropped and the weights are **not** re-normalised; the lower triangle is `o[j,i] = 1 − o[i,j]`
//! (so a missing value counts as a win for the unit later in code order — COINr's quirk, kept
//! for exactness). Each unit's score is `Σⱼ sign(o[i,j] − ½)`, an integer.
//!
//! Because `o[j,i]` is derived as `1 − o[i,j]`, rounding can make two identical units score
//! (−1, 0) instead of (0, 0) when the weight shares `w/Σw` are inexact (e.g. weights 1,3,6,6,6:
//! the shares sum to 0.9999999999999999). COINr computes the same doubles; baydex keeps it so
//! that results match COINr (a property test pins it down).
//!
//! The two sums are computed exactly (then rounded once), emulating R's extended-precision
//! `sum()`: naive summation flips ties at exactly ½ (e.g. 1/6 + 1/6 + 1/12 + 1/12).

use super::{AggError, AggInput, Aggregator};

/// Copeland outranking aggregation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Copeland;

/// Exactly rounded sum of floats (Shewchuk's algorithm: exact partial sums, rounded once).
pub(crate) fn exact_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut partials: Vec<f64> = Vec::new();
    for mut x in values {
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        partials.push(x);
    }
    // Round the partials (largest last) to the nearest double.
    let mut n = partials.len();
    if n == 0 {
        return 0.0;
    }
    n -= 1;
    let mut hi = partials[n];
    let mut lo = 0.0;
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = partials[n];
        hi = x + y;
        let yr = hi - x;
        lo = y - yr;
        if lo != 0.0 {
            break;
        }
    }
    if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    hi
}

impl Aggregator for Copeland {
    fn name(&self) -> &'static str {
        "copeland"
    }

    fn aggregate(&self, input: &AggInput<'_>, out: &mut [f64]) -> Result<(), AggError> {
        let n = input.units.len();
        let total: f64 = input.weights.iter().sum();
        let w: Vec<f64> = input.weights.iter().map(|w| w / total).collect();
        // Row order: by unit code.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| input.units[a].cmp(&input.units[b]));
        let mut score = vec![0.0; n];
        let mut gt = Vec::with_capacity(w.len());
        let mut eq = Vec::with_capacity(w.len());
        for (pi, &i) in order.iter().enumerate() {
            for &j in &order[pi + 1..] {
                gt.clear();
                eq.clear();
                for (col, &wk) in input.children.iter().zip(&w) {
                    let (a, b) = (col[i], col[j]);
                    if a > b {
                        gt.push(wk);
                    } else if a == b {
                        eq.push(wk);
                    }
                }
                let o_ij = exact_sum(gt.iter().copied()) + exact_sum(eq.iter().copied()) / 2.0;
                let o_ji = 1.0 - o_ij;
                score[i] += sign_half(o_ij);
                score[j] += sign_half(o_ji);
            }
        }
        out.copy_from_slice(&score);
        Ok(())
    }
}

fn sign_half(o: f64) -> f64 {
    if o > 0.5 {
        1.0
    } else if o < 0.5 {
        -1.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::run;
    use super::*;

    #[test]
    fn exact_sum_fixes_the_half_tie() {
        let v = [1.0 / 6.0, 1.0 / 6.0, 1.0 / 12.0, 1.0 / 12.0];
        assert_eq!(exact_sum(v), 0.5);
        assert_eq!(exact_sum([1e100, 1.0, -1e100]), 1.0);
        assert_eq!(exact_sum([]), 0.0);
    }

    #[test]
    fn dominance_and_ties() {
        // u00 beats u01 on both; u01 beats u02 on both; u00 and u02 ordered the same way.
        let out = run(&Copeland, &[&[3.0, 3.0], &[2.0, 2.0], &[1.0, 1.0]], &[1.0, 1.0]).unwrap();
        assert_eq!(out, vec![2.0, 0.0, -2.0]);
        // a split pair is a tie (o = 0.5 → 0)
        let out = run(&Copeland, &[&[3.0, 1.0], &[1.0, 3.0]], &[1.0, 1.0]).unwrap();
        assert_eq!(out, vec![0.0, 0.0]);
    }

    #[test]
    fn missing_value_favours_later_unit() {
        // Only one child, missing for u00: o[0,1] = 0 → u01 wins (COINr quirk).
        let out = run(&Copeland, &[&[f64::NAN], &[1.0]], &[1.0]).unwrap();
        assert_eq!(out, vec![-1.0, 1.0]);
    }
}
