//! VIKOR: compromise ranking by closeness to the ideal (Opricovic 1998; Opricovic & Tzeng 2004).
//!
//! With children `x_ij` (unit `i`, child `j`, higher = better) and weights `w_j` re-scaled to sum
//! to 1 over the unit's non-missing children; no other normalisation (the ratio below is
//! scale-free; pymcdm 1.4.0's `VIKOR()` default, which applies none to benefit criteria):
//!
//! 1. best `f*_j = max_i x_ij`, worst `f⁻_j = min_i x_ij`;
//! 2. `d_ij = w_j (f*_j − x_ij) / (f*_j − f⁻_j)`; group utility `S_i = Σ_j d_ij`, individual
//!    regret `R_i = max_j d_ij`;
//! 3. `Q_i = v (S_i − S*) / (S⁻ − S*) + (1 − v)(R_i − R*) / (R⁻ − R*)` with `S* = min S`,
//!    `S⁻ = max S` (likewise `R`), `v` the weight of the majority strategy (option `v`,
//!    default 0.5 as in pymcdm);
//! 4. `Q` ∈ [0, 1] is *lower = better*; baydex ranks descending, so the score is
//!    `scale · (1 − Q_i)` (default scale 100): the compromise solution (`Q = 0`) scores `scale`,
//!    and ranks are exactly VIKOR's ranks by `Q`.
//!
//! Every child is a benefit criterion, so this is pymcdm's `VIKOR(v=v)(matrix, weights,
//! types = [1, …, 1])`; `crates/data/tests/pymcdm_rank.rs` checks it to 1e-9 on two real
//! datasets. Where pymcdm refuses or returns NaN, baydex decides: a child that is constant over
//! the units (`f* = f⁻`; pymcdm raises an error) separates no one and adds 0 to every `d`; a
//! term of `Q` whose range is 0 (`S⁻ = S*` or `R⁻ = R*`) is 0; when both are 0 every unit ties
//! and the score is missing. VIKOR's two acceptance conditions (acceptable advantage and
//! stability) are not applied: the score is `Q` alone.
//!
//! Reference: Opricovic, S., & Tzeng, G.-H. (2004). Compromise solution by MCDM methods: A
//! comparative analysis of VIKOR and TOPSIS. *European Journal of Operational Research* 156(2),
//! 445–455. Duckstein, L., & Opricovic, S. (1980). Multiobjective optimization in river basin
//! development. *Water Resources Research* 16(1), 14–20 (pymcdm's reference).

use super::{AggError, AggInput, Aggregator, SCALE, col_range, present, read_scale};
use crate::{ParamError, ParamInfo, ParamReader};

pub(super) const OPTIONS: &[ParamInfo] = &[
    ParamInfo {
        name: "v",
        default: "0.5",
        doc_en: "vikor: weight of the majority strategy (group utility S) in Q, in [0, 1]",
        doc_zh: "vikor：Q 中“多数准则”策略（群体效用 S）的权重，取值 [0, 1]",
    },
    SCALE,
];

/// VIKOR, scored `scale · (1 − Q)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vikor {
    /// Weight of the group utility `S` in `Q` (`1 − v` goes to the regret `R`).
    pub v: f64,
    /// Score of the compromise solution (`Q = 0`).
    pub scale: f64,
}

impl Default for Vikor {
    fn default() -> Self {
        Vikor { v: 0.5, scale: 100.0 }
    }
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Aggregator>, ParamError> {
    let v = r.f64("v", 0.5)?;
    if !(0.0..=1.0).contains(&v) {
        return Err(ParamError::OutOfDomain {
            name: "options.v".into(),
            got: v.to_string(),
            expected: "must be in [0, 1] (0.5 balances group utility and individual regret)",
        });
    }
    Ok(Box::new(Vikor { v, scale: read_scale(r)? }))
}

impl Vikor {
    /// `S`, `R` and `Q` of every unit (NaN for a unit with every child missing; `Q` NaN when
    /// every unit ties).
    pub fn sqr(&self, input: &AggInput<'_>) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let n = input.units.len();
        let ranges: Vec<Option<(f64, f64)>> = input.children.iter().map(|c| col_range(c)).collect();
        let mut s = vec![f64::NAN; n];
        let mut r = vec![f64::NAN; n];
        for i in 0..n {
            let ws = present(input, i);
            if ws.is_empty() {
                continue;
            }
            let (mut si, mut ri) = (0.0, f64::NEG_INFINITY);
            for (k, w) in ws {
                let d = match ranges[k] {
                    Some((lo, hi)) if hi > lo => w * ((hi - input.children[k][i]) / (hi - lo)),
                    _ => 0.0,
                };
                si += d;
                ri = ri.max(d);
            }
            s[i] = si;
            r[i] = ri;
        }
        let (s_star, s_minus) = col_range(&s).unwrap_or((f64::NAN, f64::NAN));
        let (r_star, r_minus) = col_range(&r).unwrap_or((f64::NAN, f64::NAN));
        let term = |x: f64, best: f64, worst: f64| if worst > best { (x - best) / (worst - best) } else { 0.0 };
        let spread = |best: f64, worst: f64| worst > best;
        let ties = !spread(s_star, s_minus) && !spread(r_star, r_minus);
        let q = (0..n)
            .map(|i| {
                if s[i].is_nan() || ties {
                    f64::NAN
                } else {
                    self.v * term(s[i], s_star, s_minus) + (1.0 - self.v) * term(r[i], r_star, r_minus)
                }
            })
            .collect();
        (s, r, q)
    }
}

impl Aggregator for Vikor {
    fn name(&self) -> &'static str {
        "vikor"
    }

    fn aggregate(&self, input: &AggInput<'_>, out: &mut [f64]) -> Result<(), AggError> {
        let (_, _, q) = self.sqr(input);
        for (o, q) in out.iter_mut().zip(q) {
            *o = (1.0 - q) * self.scale;
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
        // Children (higher = better), weights 1/2 each:
        //   u0 = (0, 10), u1 = (10, 0), u2 = (5, 5), u3 = (10, 10).
        // d = w·(10 − x)/10: u0 (1/2, 0), u1 (0, 1/2), u2 (1/4, 1/4), u3 (0, 0).
        // S = 1/2, 1/2, 1/2, 0; R = 1/2, 1/2, 1/4, 0. S* = 0, S⁻ = 1/2; R* = 0, R⁻ = 1/2.
        // Q (v = 1/2) = 1, 1, 1/2 + 1/4 = 3/4, 0 → scores 0, 0, 25, 100.
        let rows: &[&[f64]] = &[&[0.0, 10.0], &[10.0, 0.0], &[5.0, 5.0], &[10.0, 10.0]];
        let out = run(&Vikor::default(), rows, &[1.0, 1.0]).unwrap();
        let want = [0.0, 0.0, 25.0, 100.0];
        for (o, w) in out.iter().zip(want) {
            assert!((o - w).abs() < TOL, "{out:?}");
        }
        // v = 1: Q = S / (1/2) = 1, 1, 1, 0.
        let out = run(&Vikor { v: 1.0, scale: 1.0 }, rows, &[1.0, 1.0]).unwrap();
        assert_eq!(out, vec![0.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn constant_indicator_drops_out() {
        let a = run(&Vikor::default(), &[&[1.0, 7.0], &[2.0, 7.0], &[4.0, 7.0]], &[1.0, 1.0]).unwrap();
        let b = run(&Vikor::default(), &[&[1.0], &[2.0], &[4.0]], &[1.0]).unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < TOL, "{a:?} {b:?}");
        }
    }

    #[test]
    fn every_unit_tied_is_missing() {
        let out = run(&Vikor::default(), &[&[5.0, 1.0], &[5.0, 1.0]], &[1.0, 1.0]).unwrap();
        assert!(out.iter().all(|x| x.is_nan()));
    }

    #[test]
    fn missing_child_weight_shared_pro_rata() {
        // u1 lacks c1, so c0 carries its whole weight: d = 1·(10 − 0)/10 = 1 → S = R = 1 = worst.
        let out = run(&Vikor::default(), &[&[10.0, 10.0], &[0.0, f64::NAN], &[10.0, 0.0], &[f64::NAN; 2]], &[1.0, 1.0])
            .unwrap();
        assert_eq!(out[0], 100.0);
        assert_eq!(out[1], 0.0);
        assert!(out[3].is_nan());
    }

    #[test]
    fn v_out_of_range() {
        use crate::{Params, Value};
        let mut p = Params::new();
        p.insert("v".into(), Value::Float(1.5));
        let r = ParamReader::with_prefix(&p, OPTIONS, "options.").unwrap();
        assert!(matches!(build(&r), Err(ParamError::OutOfDomain { .. })));
    }
}
