//! Grey relational analysis (灰色关联分析; Deng 1982, 1989): the grey relational grade of each
//! unit to the ideal unit.
//!
//! With children `x_ij` (unit `i`, child `j`, higher = better, already normalised by the
//! pipeline — GRA applies no normalisation of its own):
//!
//! 1. reference sequence `x₀_j = max_i x_ij` (the best value of each child);
//! 2. `Δ_ij = |x₀_j − x_ij|`; `Δmin = min_i min_j Δ_ij`, `Δmax = max_i max_j Δ_ij` over every
//!    unit and child of the node;
//! 3. grey relational coefficient `ξ_ij = (Δmin + ρ Δmax) / (Δ_ij + ρ Δmax)`, with the
//!    distinguishing coefficient `ρ` ∈ (0, 1] (option `rho`, default 0.5);
//! 4. grey relational grade `γ_i = Σ_j w_j ξ_ij` with the weights re-scaled to 1 over the unit's
//!    non-missing children; the score is `scale · γ_i` (default 100).
//!
//! `ξ` depends on the `Δ` only through their ratios, so the grade is the same whether the
//! children are on 0–1 or 0–100 (any common positive rescaling). Because the reference is the
//! best value of each child, `Δmin = 0` whenever the data are complete, and the grade lies in
//! `[ρ/(1 + ρ), 1]` (`[1/3, 1]` at ρ = 0.5): grades are for ranking, not for fixed tiers such as
//! 80/50. When every `Δ` is 0 (all units equal on every child) every `ξ` is 1.
//!
//! Reference: Deng, J. L. (1982). Control problems of grey systems. *Systems & Control Letters*
//! 1(5), 288–294; Deng, J. L. (1989). Introduction to grey system theory. *The Journal of Grey
//! System* 1(1), 1–24. 邓聚龙 (1990)《灰色系统理论教程》华中理工大学出版社.

use super::{AggError, AggInput, Aggregator, SCALE, col_range, present, read_scale};
use crate::{ParamError, ParamInfo, ParamReader};

pub(super) const OPTIONS: &[ParamInfo] = &[
    ParamInfo {
        name: "rho",
        default: "0.5",
        doc_en: "gra: distinguishing coefficient ρ in (0, 1]",
        doc_zh: "gra：分辨系数 ρ，取值 (0, 1]",
    },
    SCALE,
];

/// Grey relational grade to the ideal unit, scaled to `[0, scale]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GreyRelational {
    /// Distinguishing coefficient ρ.
    pub rho: f64,
    /// Score of a grade of 1 (the ideal unit).
    pub scale: f64,
}

impl Default for GreyRelational {
    fn default() -> Self {
        GreyRelational { rho: 0.5, scale: 100.0 }
    }
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Aggregator>, ParamError> {
    let rho = r.f64("rho", 0.5)?;
    if !(rho > 0.0 && rho <= 1.0) {
        return Err(ParamError::OutOfDomain {
            name: "options.rho".into(),
            got: rho.to_string(),
            expected: "must be in (0, 1]; 0.5 is the usual value",
        });
    }
    Ok(Box::new(GreyRelational { rho, scale: read_scale(r)? }))
}

impl GreyRelational {
    /// Grey relational coefficients `ξ_ij` (`[child][unit]`, NaN where the child is missing).
    pub fn coefficients(&self, input: &AggInput<'_>) -> Vec<Vec<f64>> {
        let delta: Vec<Vec<f64>> = input
            .children
            .iter()
            .map(|col| {
                let best = col_range(col).map_or(f64::NAN, |(_, hi)| hi);
                col.iter().map(|&x| (best - x).abs()).collect()
            })
            .collect();
        let all: Vec<f64> = delta.iter().flatten().copied().collect();
        let Some((dmin, dmax)) = col_range(&all) else {
            return delta;
        };
        delta
            .iter()
            .map(|d| {
                d.iter()
                    .map(|&x| {
                        if x.is_nan() {
                            x
                        } else if dmax == 0.0 {
                            1.0
                        } else {
                            (dmin + self.rho * dmax) / (x + self.rho * dmax)
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

impl Aggregator for GreyRelational {
    fn name(&self) -> &'static str {
        "gra"
    }

    fn aggregate(&self, input: &AggInput<'_>, out: &mut [f64]) -> Result<(), AggError> {
        let xi = self.coefficients(input);
        for (i, o) in out.iter_mut().enumerate() {
            let ws = present(input, i);
            *o = if ws.is_empty() { f64::NAN } else { ws.iter().map(|&(k, w)| w * xi[k][i]).sum::<f64>() * self.scale };
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
    fn hand_computed() {
        // Children u0 = (1, 0.5), u1 = (0.5, 1), u2 = (0, 0); reference (1, 1).
        // Δ: u0 (0, 1/2), u1 (1/2, 0), u2 (1, 1); Δmin = 0, Δmax = 1; ρ = 1/2:
        // ξ = (1/2)/(Δ + 1/2): Δ = 0 → 1, 1/2 → 1/2, 1 → 1/3.
        // Weights 3:1 → γ: u0 = 3/4 + 1/8 = 7/8, u1 = 3/8 + 1/4 = 5/8, u2 = 1/3.
        let out = run(&GreyRelational::default(), &[&[1.0, 0.5], &[0.5, 1.0], &[0.0, 0.0]], &[3.0, 1.0]).unwrap();
        let want = [87.5, 62.5, 100.0 / 3.0];
        for (o, w) in out.iter().zip(want) {
            assert!((o - w).abs() < TOL, "{out:?}");
        }
    }

    #[test]
    fn invariant_to_a_common_rescaling() {
        let rows: &[&[f64]] = &[&[0.3, 0.9, 0.1], &[0.7, 0.2, 0.4], &[0.1, 0.5, 1.0]];
        let rows100: Vec<Vec<f64>> = rows.iter().map(|r| r.iter().map(|x| 100.0 * x).collect()).collect();
        let refs: Vec<&[f64]> = rows100.iter().map(Vec::as_slice).collect();
        let g = GreyRelational { rho: 0.3, scale: 1.0 };
        let a = run(&g, rows, &[1.0, 2.0, 3.0]).unwrap();
        let b = run(&g, &refs, &[1.0, 2.0, 3.0]).unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < TOL, "{a:?} {b:?}");
        }
    }

    #[test]
    fn all_equal_is_one_and_missing_is_missing() {
        let out =
            run(&GreyRelational::default(), &[&[5.0, 5.0], &[5.0, f64::NAN], &[f64::NAN; 2]], &[1.0, 1.0]).unwrap();
        assert_eq!(&out[..2], &[100.0, 100.0]);
        assert!(out[2].is_nan());
    }

    #[test]
    fn rho_out_of_range() {
        use crate::{Params, Value};
        for bad in [0.0, 1.5, -0.2] {
            let mut p = Params::new();
            p.insert("rho".into(), Value::Float(bad));
            let r = ParamReader::with_prefix(&p, OPTIONS, "options.").unwrap();
            assert!(matches!(build(&r), Err(ParamError::OutOfDomain { .. })));
        }
    }
}
