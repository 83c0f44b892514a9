//! Derivative-free minimisation for the few places the core optimises (weights that balance
//! correlations): the Nelder–Mead simplex method.
//!
//! Method: Nelder & Mead, "A simplex method for function minimization", *The Computer Journal*
//! 7 (1965) 308–313, in the variant of Nash, *Compact Numerical Methods for Computers*, 2nd ed.
//! (1990), Algorithm 19 — the variant R's `optim(method = "Nelder-Mead")` runs, so that COINr's
//! `get_opt_weights` (which calls it) can be followed step by step. With `n` parameters the simplex
//! has `n + 1` vertices:
//!
//! ```text
//!   start     x₀ and x₀ + s·eⱼ (j = 1…n),   s = max(0.1·max|x₀ᵢ|, 0.1)
//!   each step  L = best vertex, H = worst, c = centroid of all vertices but H
//!              reflect   r = c + α(c − x_H)                     α = 1
//!              if f(r) < f(L):  expand  e = c + γ(r − c)          γ = 2  (keep the better of e, r)
//!              else:            if f(r) < f(H) replace H by r;
//!                               contract k = x_H + β(c − x_H)      β = ½  (replace H if better)
//!                               else, if f(r) ≥ f(H): shrink every vertex halfway towards L
//!   stop      f(H) ≤ f(L) + reltol·(|f(x₀)| + reltol)  (relative to the *starting* value, as Nash),
//!             or more than `max_evaluations` evaluations
//! ```
//!
//! A non-finite function value counts as `1e35` (worse than anything), so the simplex walks away
//! from points where the objective is undefined. Not a general optimisation library: no bounds,
//! no gradients, no restarts.

/// Value given to a non-finite function value (Nash's `big`).
const BIG: f64 = 1.0e35;
/// Reflection coefficient.
const ALPHA: f64 = 1.0;
/// Contraction (and shrink) coefficient.
const BETA: f64 = 0.5;
/// Expansion coefficient.
const GAMMA: f64 = 2.0;

/// Settings of [`nelder_mead`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NelderMead {
    /// Relative convergence tolerance on the spread of function values (R `reltol`).
    pub reltol: f64,
    /// Most function evaluations (R `maxit`; the last simplex step may overshoot it by a few).
    pub max_evaluations: usize,
}

/// How a minimisation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// The function values of the simplex agree within the tolerance (R `convergence = 0`).
    Converged,
    /// The evaluation budget ran out (R `convergence = 1`).
    MaxEvaluations,
    /// A shrink did not make the simplex smaller (R `convergence = 10`).
    Degenerate,
}

/// The result of a minimisation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Minimum {
    /// Best point found.
    pub x: Vec<f64>,
    /// Function value there.
    pub value: f64,
    /// Function evaluations used.
    pub evaluations: usize,
    /// How it ended.
    pub status: Status,
}

/// Minimises `f` from `x0` (see the module documentation). `None` when `f(x0)` is not finite or
/// `x0` is empty.
pub(crate) fn nelder_mead(mut f: impl FnMut(&[f64]) -> f64, x0: &[f64], opts: NelderMead) -> Option<Minimum> {
    let n = x0.len();
    let f0 = f(x0);
    if n == 0 || !f0.is_finite() {
        return None;
    }
    let mut eval = |x: &[f64]| {
        let v = f(x);
        if v.is_finite() { v } else { BIG }
    };
    let mut evaluations = 1;
    let convtol = opts.reltol * (f0.abs() + opts.reltol);
    // Vertices and their values; vertex 0 is the start.
    let mut p: Vec<Vec<f64>> = vec![x0.to_vec(); n + 1];
    let mut fv = vec![f0; n + 1];
    let step = x0.iter().fold(0.0_f64, |m, v| m.max(0.1 * v.abs()));
    let step = if step == 0.0 { 0.1 } else { step };
    let mut size = 0.0;
    for j in 1..=n {
        let mut trystep = step;
        while p[j][j - 1] == x0[j - 1] {
            p[j][j - 1] = x0[j - 1] + trystep;
            trystep *= 10.0;
        }
        size += trystep;
    }
    let mut oldsize = size;
    let mut best = 0;
    let mut calcvert = true;
    let mut status = Status::Converged;
    loop {
        if calcvert {
            for j in 0..=n {
                if j != best {
                    fv[j] = eval(&p[j]);
                    evaluations += 1;
                }
            }
            calcvert = false;
        }
        // Best (L) and worst (H) vertices; ties keep the earlier choice, as Nash.
        let mut vl = fv[best];
        let mut vh = vl;
        let mut worst = best;
        for (j, &fj) in fv.iter().enumerate() {
            if j != best {
                if fj < vl {
                    best = j;
                    vl = fj;
                }
                if fj > vh {
                    worst = j;
                    vh = fj;
                }
            }
        }
        if vh <= vl + convtol {
            break;
        }
        let centroid: Vec<f64> =
            (0..n).map(|i| ((0..=n).map(|j| p[j][i]).sum::<f64>() - p[worst][i]) / n as f64).collect();
        let reflected: Vec<f64> = (0..n).map(|i| (1.0 + ALPHA) * centroid[i] - ALPHA * p[worst][i]).collect();
        let vr = eval(&reflected);
        evaluations += 1;
        if vr < vl {
            let expanded: Vec<f64> = (0..n).map(|i| GAMMA * reflected[i] + (1.0 - GAMMA) * centroid[i]).collect();
            let ve = eval(&expanded);
            evaluations += 1;
            if ve < vr {
                p[worst] = expanded;
                fv[worst] = ve;
            } else {
                p[worst] = reflected;
                fv[worst] = vr;
            }
        } else {
            if vr < vh {
                p[worst] = reflected;
                fv[worst] = vr;
            }
            let contracted: Vec<f64> = (0..n).map(|i| (1.0 - BETA) * p[worst][i] + BETA * centroid[i]).collect();
            let vc = eval(&contracted);
            evaluations += 1;
            if vc < fv[worst] {
                p[worst] = contracted;
                fv[worst] = vc;
            } else if vr >= vh {
                // Shrink towards the best vertex; its values are recomputed at the next step.
                calcvert = true;
                size = 0.0;
                let lo = p[best].clone();
                for (j, v) in p.iter_mut().enumerate() {
                    if j != best {
                        for i in 0..n {
                            v[i] = BETA * (v[i] - lo[i]) + lo[i];
                            size += (v[i] - lo[i]).abs();
                        }
                    }
                }
                if size < oldsize {
                    oldsize = size;
                } else {
                    status = Status::Degenerate;
                    break;
                }
            }
        }
        if evaluations > opts.max_evaluations {
            break;
        }
    }
    if evaluations > opts.max_evaluations {
        status = Status::MaxEvaluations;
    }
    Some(Minimum { x: p[best].clone(), value: fv[best], evaluations, status })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R's default relative tolerance, `sqrt(.Machine$double.eps)`.
    const R_RELTOL: f64 = 1.490_116_119_384_765_6e-8;

    fn rosenbrock(x: &[f64]) -> f64 {
        100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2)
    }

    /// R's own documentation example (`?optim`, "Rosenbrock Banana function"):
    /// `optim(c(-1.2, 1), fr)` prints `par 1.000260 1.000506`, `value 8.825241e-08`,
    /// `counts 195`. The same path of reflections and contractions gives the same point (to the
    /// 7 digits R prints) after the same number of evaluations.
    #[test]
    fn rosenbrock_as_r_optim() {
        let m = nelder_mead(rosenbrock, &[-1.2, 1.0], NelderMead { reltol: R_RELTOL, max_evaluations: 500 }).unwrap();
        assert_eq!(m.status, Status::Converged);
        assert_eq!(m.evaluations, 195);
        assert!((m.x[0] - 1.000260).abs() < 5e-7 && (m.x[1] - 1.000506).abs() < 5e-7, "{:?}", m.x);
        assert!((m.value - 8.825241e-08).abs() < 5e-14, "{}", m.value);
    }

    #[test]
    fn quadratic_bowl_reaches_its_minimum() {
        let f = |x: &[f64]| (x[0] - 1.0).powi(2) + 2.0 * (x[1] + 2.0).powi(2) + 3.0 * (x[2] - 0.5).powi(2);
        let m = nelder_mead(f, &[0.0, 0.0, 0.0], NelderMead { reltol: 1e-14, max_evaluations: 5000 }).unwrap();
        assert_eq!(m.status, Status::Converged);
        for (got, want) in m.x.iter().zip([1.0, -2.0, 0.5]) {
            assert!((got - want).abs() < 1e-5, "{:?}", m.x);
        }
    }

    #[test]
    fn non_finite_values_are_avoided_and_a_non_finite_start_is_refused() {
        // log(x) is undefined for x ≤ 0; the minimum of (log x)² is at x = 1.
        let f = |x: &[f64]| x[0].ln().powi(2);
        let m = nelder_mead(f, &[3.0], NelderMead { reltol: 1e-12, max_evaluations: 1000 }).unwrap();
        assert!((m.x[0] - 1.0).abs() < 1e-4, "{:?}", m.x);
        assert!(nelder_mead(f, &[-1.0], NelderMead { reltol: 1e-12, max_evaluations: 10 }).is_none());
        assert!(nelder_mead(|_| 0.0, &[], NelderMead { reltol: 1e-12, max_evaluations: 10 }).is_none());
    }

    #[test]
    fn budget_runs_out() {
        let m = nelder_mead(rosenbrock, &[-1.2, 1.0], NelderMead { reltol: 0.0, max_evaluations: 20 }).unwrap();
        assert_eq!(m.status, Status::MaxEvaluations);
        assert!(m.evaluations > 20 && m.evaluations <= 23);
    }

    #[test]
    fn zero_start_uses_step_point_one() {
        // From 0 the first vertex moves by 0.1; a linear function keeps expanding until the budget.
        let mut seen = Vec::new();
        let _ = nelder_mead(
            |x: &[f64]| {
                seen.push(x[0]);
                x[0]
            },
            &[0.0],
            NelderMead { reltol: 1e-8, max_evaluations: 3 },
        );
        assert_eq!(&seen[..2], &[0.0, 0.1]);
    }
}
