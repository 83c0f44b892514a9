//! TOPSIS: closeness to the ideal solution (Hwang & Yoon 1981).
//!
//! With children `x_ij` (unit `i`, child `j`, higher = better) and weights `w_j / Σw`:
//!
//! 1. normalise each child over the units: `minmax` (default, as pymcdm 1.4.0's `TOPSIS()`):
//!    `r_ij = (x_ij − min_i x_ij) / (max_i x_ij − min_i x_ij)`, a constant child → `r = 1`;
//!    or `vector` (Hwang & Yoon's original): `r_ij = x_ij / √(Σ_i x_ij²)`, an all-zero child → `r = 0`;
//! 2. `v_ij = w_j r_ij`; ideal `v⁺_j = max_i v_ij`, anti-ideal `v⁻_j = min_i v_ij`;
//! 3. `D⁺_i = √(Σ_j (v_ij − v⁺_j)²)`, `D⁻_i = √(Σ_j (v_ij − v⁻_j)²)`;
//! 4. closeness `C_i = D⁻_i / (D⁺_i + D⁻_i)` ∈ [0, 1]; the score is `scale · C_i` (default 100).
//!
//! Every child is a benefit criterion (the pipeline has already direction-adjusted), so this is
//! pymcdm's `TOPSIS()(matrix, weights, types = [1, …, 1])`; `crates/data/tests/pymcdm_rank.rs`
//! checks it to 1e-9 on two real datasets. A unit's missing child is left out of its two
//! distances (re-scaling its weights changes neither distance ratio); the normalisation and the
//! ideals use the units that have the child. `C` is undefined when `D⁺ = D⁻ = 0` (every child
//! constant): the score is then missing, where pymcdm returns NaN.
//!
//! Reference: Hwang, C. L., & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
//! Applications*. Springer, pp. 128–140. Shekhovtsov, A. (2023). pymcdm — The universal library
//! for solving multi-criteria decision-making problems. *SoftwareX* 22, 101368.

use super::{AggError, AggInput, Aggregator, SCALE, col_range, read_scale};
use crate::{ParamError, ParamInfo, ParamReader};

pub(super) const OPTIONS: &[ParamInfo] = &[
    ParamInfo {
        name: "normalisation",
        default: "\"minmax\"",
        doc_en: "topsis: minmax (pymcdm's default) | vector (Hwang & Yoon's original)",
        doc_zh: "topsis：minmax（极差，pymcdm 默认）| vector（向量归一化，Hwang 与 Yoon 原法）",
    },
    SCALE,
];

/// How TOPSIS normalises each child before weighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopsisNormalisation {
    /// `(x − min) / (max − min)`; a constant child is 1 (pymcdm `minmax_normalization`).
    MinMax,
    /// `x / √(Σ x²)` (pymcdm `vector_normalization`).
    Vector,
}

/// TOPSIS closeness, scaled to `[0, scale]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Topsis {
    /// Normalisation of the children.
    pub normalisation: TopsisNormalisation,
    /// The score of a unit at the ideal solution (`C = 1`).
    pub scale: f64,
}

impl Default for Topsis {
    fn default() -> Self {
        Topsis { normalisation: TopsisNormalisation::MinMax, scale: 100.0 }
    }
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Aggregator>, ParamError> {
    let normalisation = match r.choice("normalisation", "minmax", &["minmax", "vector"])? {
        "vector" => TopsisNormalisation::Vector,
        _ => TopsisNormalisation::MinMax,
    };
    Ok(Box::new(Topsis { normalisation, scale: read_scale(r)? }))
}

impl Topsis {
    /// Closeness `C_i` ∈ [0, 1] of every unit (NaN when undefined or all children missing).
    pub fn closeness(&self, input: &AggInput<'_>) -> Vec<f64> {
        let n = input.units.len();
        let total: f64 = input.weights.iter().sum();
        // Weighted normalised columns.
        let v: Vec<Vec<f64>> = input
            .children
            .iter()
            .zip(input.weights)
            .map(|(col, &w)| {
                let w = w / total;
                match self.normalisation {
                    TopsisNormalisation::MinMax => match col_range(col) {
                        Some((lo, hi)) if hi > lo => col.iter().map(|&x| (x - lo) / (hi - lo) * w).collect(),
                        _ => col.iter().map(|&x| if x.is_nan() { x } else { w }).collect(),
                    },
                    TopsisNormalisation::Vector => {
                        let norm = col.iter().filter(|x| !x.is_nan()).map(|x| x * x).sum::<f64>().sqrt();
                        if norm > 0.0 {
                            col.iter().map(|&x| x / norm * w).collect()
                        } else {
                            col.iter().map(|&x| if x.is_nan() { x } else { 0.0 }).collect()
                        }
                    }
                }
            })
            .collect();
        let ideals: Vec<Option<(f64, f64)>> = v.iter().map(|c| col_range(c)).collect();
        (0..n)
            .map(|i| {
                let (mut dp, mut dm, mut any) = (0.0, 0.0, false);
                for (c, ideal) in v.iter().zip(&ideals) {
                    if let (false, Some((nis, pis))) = (c[i].is_nan(), ideal) {
                        dp += (c[i] - pis).powi(2);
                        dm += (c[i] - nis).powi(2);
                        any = true;
                    }
                }
                let (dp, dm) = (dp.sqrt(), dm.sqrt());
                if any && dp + dm > 0.0 { dm / (dm + dp) } else { f64::NAN }
            })
            .collect()
    }
}

impl Aggregator for Topsis {
    fn name(&self) -> &'static str {
        "topsis"
    }

    fn aggregate(&self, input: &AggInput<'_>, out: &mut [f64]) -> Result<(), AggError> {
        for (o, c) in out.iter_mut().zip(self.closeness(input)) {
            *o = c * self.scale;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::run;
    use super::*;

    const TOL: f64 = 1e-12; // hand-computed fractions, a few roundings

    #[test]
    fn hand_computed_minmax() {
        // Two children, equal weights. Min-max: c0 → 0, 1/2, 1; c1 → 1, 0, 1/2.
        // v = r / 2. PIS = (1/2, 1/2), NIS = (0, 0).
        // u0: D+ = √(1/4 + 0) = 1/2, D− = √(0 + 1/4) = 1/2 → C = 1/2.
        // u1: v = (1/4, 0): D+ = √(1/16 + 1/4) = √5/4, D− = 1/4 → C = 1/(1 + √5).
        // u2: v = (1/2, 1/4): D+ = 1/4, D− = √(1/4 + 1/16) = √5/4 → C = √5/(1 + √5).
        let out = run(&Topsis::default(), &[&[0.0, 100.0], &[50.0, 0.0], &[100.0, 50.0]], &[1.0, 1.0]).unwrap();
        let s5 = 5f64.sqrt();
        let want = [50.0, 100.0 / (1.0 + s5), 100.0 * s5 / (1.0 + s5)];
        for (o, w) in out.iter().zip(want) {
            assert!((o - w).abs() < TOL, "{out:?}");
        }
    }

    #[test]
    fn hand_computed_vector() {
        // One child (3, 4): norms 5 → 3/5, 4/5; PIS 4/5, NIS 3/5 → C = 0, 1.
        let t = Topsis { normalisation: TopsisNormalisation::Vector, scale: 1.0 };
        let out = run(&t, &[&[3.0], &[4.0]], &[2.0]).unwrap();
        assert_eq!(out, vec![0.0, 1.0]);
    }

    #[test]
    fn constant_indicator_drops_out() {
        // A constant second child changes nothing (minmax → 1 everywhere, equal to both ideals).
        let a = run(&Topsis::default(), &[&[1.0, 7.0], &[2.0, 7.0], &[4.0, 7.0]], &[1.0, 3.0]).unwrap();
        let b = run(&Topsis::default(), &[&[1.0], &[2.0], &[4.0]], &[1.0]).unwrap();
        for ((x, y), w) in a.iter().zip(&b).zip([0.0, 100.0 / 3.0, 100.0]) {
            assert!((x - w).abs() < TOL && (y - w).abs() < TOL, "{a:?} {b:?}");
        }
    }

    #[test]
    fn all_constant_is_missing() {
        let out = run(&Topsis::default(), &[&[5.0], &[5.0]], &[1.0]).unwrap();
        assert!(out.iter().all(|x| x.is_nan()));
    }

    #[test]
    fn missing_child_left_out_of_the_distances() {
        // u1 lacks c1: its closeness uses c0 only, where it is the anti-ideal → 0.
        let out = run(&Topsis::default(), &[&[10.0, 0.0], &[0.0, f64::NAN], &[5.0, 10.0], &[f64::NAN; 2]], &[1.0, 1.0])
            .unwrap();
        assert_eq!(out[1], 0.0);
        assert!(out[3].is_nan());
        assert!((out[0] - 50.0).abs() < TOL, "{out:?}");
    }

    #[test]
    fn options() {
        use crate::{Params, Value};
        let mut p = Params::new();
        p.insert("normalisation".into(), Value::Str("vectr".into()));
        let r = ParamReader::with_prefix(&p, OPTIONS, "options.").unwrap();
        assert!(matches!(build(&r), Err(ParamError::UnknownMethod { .. })));
        let mut p = Params::new();
        p.insert("scale".into(), Value::Int(0));
        let r = ParamReader::with_prefix(&p, OPTIONS, "options.").unwrap();
        assert!(matches!(build(&r), Err(ParamError::OutOfDomain { .. })));
    }
}
