//! Gravity models of flows as Poisson GLMs.
//!
//! For pairs `i → j` with flow `T_ij`, masses `m_i` (origin) and `m_j` (destination) and a
//! distance `d_ij`, with decay covariate `c_ij = ln d_ij` (power law) or `c_ij = d_ij`
//! (exponential):
//!
//! | model | `ln E[T_ij]` |
//! |---|---|
//! | unconstrained | `β₀ + β₁ ln m_i + β₂ ln m_j + γ c_ij` |
//! | production-constrained | `α_i + β₂ ln m_j + γ c_ij` (one fixed effect per origin) |
//! | attraction-constrained | `α_j + β₁ ln m_i + γ c_ij` (one fixed effect per destination) |
//! | doubly-constrained | `α_i + δ_j + γ c_ij` |
//!
//! (Wilson 1971; as Poisson regressions: Flowerdew & Aitkin 1982, *J. Regional Science* 22:191.)
//! The first three are fitted by IRLS with the fixed effects absorbed ([`crate::glm`]). The
//! doubly-constrained model is fitted without any dummy column: for a fixed `γ` the Poisson
//! maximum-likelihood fixed effects are the balancing factors `μ_ij = A_i B_j exp(γ c_ij)` that
//! reproduce the observed row and column totals, found by iterative proportional fitting
//! (Furness); an outer Newton iteration on the profile log-likelihood of `γ` uses its exact
//! gradient `Σ (T − μ) c` and Hessian `−Σ μ c̃²`, where `c̃` is `c` with the two-way fixed
//! effects partialled out (Frisch–Waugh–Lovell, by alternating weighted projections). The
//! standard error of `γ` is `1/sqrt(Σ μ c̃²)`, the same as the dummy-variable GLM's.
//!
//! For speed at millions of pairs the balancing is warm-started and only as tight as the outer
//! step needs (the gradient is corrected to first order for the remaining row errors, so `γ`'s
//! error is quadratic in them), the projections are warm-started and loose until the last
//! iteration, Newton steps are capped and bracketed, and every sweep is one parallel pass over
//! fixed chunks of rows whose sums are added in a fixed order (results do not depend on the
//! number of threads). docs/flows.md has the details.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::glm::{self, Fit, Progress};
use crate::input::FlowMatrix;

/// Which totals the model reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    /// No fixed effects: intercept, both log masses, decay.
    Unconstrained,
    /// Origin fixed effects (predicted outflows equal observed ones).
    Production,
    /// Destination fixed effects (predicted inflows equal observed ones).
    Attraction,
    /// Origin and destination fixed effects.
    Doubly,
}

impl Constraint {
    /// Name used in outputs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Constraint::Unconstrained => "unconstrained",
            Constraint::Production => "production",
            Constraint::Attraction => "attraction",
            Constraint::Doubly => "doubly",
        }
    }
}

/// Distance decay form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decay {
    /// `d^γ`: covariate `ln d`.
    Power,
    /// `exp(γ d)`: covariate `d`.
    Exponential,
}

impl Decay {
    /// Name used in outputs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Decay::Power => "power",
            Decay::Exponential => "exponential",
        }
    }
    fn covariate(self, d: f64) -> f64 {
        match self {
            Decay::Power => d.ln(),
            Decay::Exponential => d,
        }
    }
    fn coefficient(self) -> &'static str {
        match self {
            Decay::Power => "log_distance",
            Decay::Exponential => "distance",
        }
    }
}

/// The pairs a model is fitted on: origin and destination unit indices, flows and distances.
#[derive(Debug, Clone, Default)]
pub struct Pairs {
    /// Origin unit of every pair.
    pub origin: Vec<usize>,
    /// Destination unit of every pair.
    pub destination: Vec<usize>,
    /// Observed flow.
    pub flow: Vec<f64>,
    /// Distance (km or the units of a supplied matrix).
    pub distance: Vec<f64>,
}

impl Pairs {
    /// The off-diagonal pairs of a flow matrix with their distances (`n × n`, row-major): the
    /// listed pairs, or with `include_zeros` every ordered pair (unlisted ones with flow 0).
    pub fn from_matrix(m: &FlowMatrix, dist: &[f64], include_zeros: bool) -> Pairs {
        let n = m.n;
        let mut p = Pairs::default();
        for i in 0..n {
            for j in 0..n {
                if i != j && (include_zeros || m.listed[i * n + j]) {
                    p.origin.push(i);
                    p.destination.push(j);
                    p.flow.push(m.get(i, j));
                    p.distance.push(dist[i * n + j]);
                }
            }
        }
        p
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.flow.len()
    }
    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.flow.is_empty()
    }
}

/// One estimated coefficient.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficient {
    /// Name: `const`, `log_origin_mass`, `log_dest_mass`, `log_distance` / `distance`, or
    /// `origin[CODE]` / `destination[CODE]` for fixed effects.
    pub name: String,
    /// Estimate.
    pub estimate: f64,
    /// Standard error (inverse Fisher information).
    pub se: f64,
}

/// A fitted gravity model.
#[derive(Debug, Clone)]
pub struct GravityFit {
    /// Constraint.
    pub constraint: Constraint,
    /// Decay form.
    pub decay: Decay,
    /// Coefficients (fixed effects first, then covariates; the doubly-constrained model reports
    /// only the decay parameter — its balancing factors are in `balancing`).
    pub coefficients: Vec<Coefficient>,
    /// Predicted flow of every pair.
    pub predicted: Vec<f64>,
    /// Goodness of fit.
    pub fit: Fit,
    /// Iterations (IRLS, or outer Newton for the doubly-constrained model).
    pub iterations: usize,
    /// Doubly-constrained only: balancing factors `A_i` (origins) and `B_j` (destinations).
    pub balancing: Option<(Vec<f64>, Vec<f64>)>,
}

impl GravityFit {
    /// The coefficient of this name.
    pub fn coefficient(&self, name: &str) -> Option<&Coefficient> {
        self.coefficients.iter().find(|c| c.name == name)
    }
}

/// What a model needs besides the pairs.
#[derive(Debug, Clone, Copy)]
pub struct GravityData<'a> {
    /// Unit codes (names of fixed effects).
    pub codes: &'a [String],
    /// Origin mass of every unit (used by unconstrained and attraction-constrained models).
    pub origin_mass: Option<&'a [f64]>,
    /// Destination mass of every unit (used by unconstrained and production-constrained models).
    pub dest_mass: Option<&'a [f64]>,
}

fn check_distances(pairs: &Pairs, codes: &[String], model: &'static str) -> Result<()> {
    for r in 0..pairs.len() {
        let d = pairs.distance[r];
        if !(d > 0.0 && d.is_finite()) {
            return Err(Error::BadDistance {
                origin: codes[pairs.origin[r]].clone(),
                destination: codes[pairs.destination[r]].clone(),
                value: d,
                model,
            });
        }
    }
    Ok(())
}

fn mass<'a>(m: Option<&'a [f64]>, which: &str) -> Result<&'a [f64]> {
    m.ok_or_else(|| Error::UnknownMass { column: which.to_string(), available: String::new() })
}

/// Fits a gravity model on `pairs`.
pub fn fit(constraint: Constraint, decay: Decay, pairs: &Pairs, data: GravityData<'_>) -> Result<GravityFit> {
    fit_with_progress(constraint, decay, pairs, data, &mut |_| {})
}

/// [`fit`], calling `progress` after every iteration (for a progress bar; the callback must be
/// cheap).
pub fn fit_with_progress(
    constraint: Constraint,
    decay: Decay,
    pairs: &Pairs,
    data: GravityData<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<GravityFit> {
    let model = constraint.name();
    check_distances(pairs, data.codes, model)?;
    let n = pairs.len();
    let decay_col: Vec<f64> = pairs.distance.par_iter().map(|&d| decay.covariate(d)).collect();
    if constraint == Constraint::Doubly {
        return fit_doubly(decay, pairs, data.codes, &decay_col, progress);
    }
    // Fixed-effect groups: the units that occur, in unit order.
    let group_key: Option<&[usize]> = match constraint {
        Constraint::Production => Some(&pairs.origin),
        Constraint::Attraction => Some(&pairs.destination),
        _ => None,
    };
    let mut x: Vec<Vec<f64>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    if constraint == Constraint::Unconstrained {
        x.push(vec![1.0; n]);
        names.push("const".into());
    }
    if matches!(constraint, Constraint::Unconstrained | Constraint::Attraction) {
        let m = mass(data.origin_mass, "origin mass")?;
        x.push(pairs.origin.iter().map(|&i| m[i].ln()).collect());
        names.push("log_origin_mass".into());
    }
    if matches!(constraint, Constraint::Unconstrained | Constraint::Production) {
        let m = mass(data.dest_mass, "destination mass")?;
        x.push(pairs.destination.iter().map(|&j| m[j].ln()).collect());
        names.push("log_dest_mass".into());
    }
    x.push(decay_col);
    names.push(decay.coefficient().into());

    let (fit, group_units) = if let Some(key) = group_key {
        let mut units: Vec<usize> = key.to_vec();
        units.sort_unstable();
        units.dedup();
        let mut of_unit = vec![usize::MAX; data.codes.len()];
        for (gi, &u) in units.iter().enumerate() {
            of_unit[u] = gi;
        }
        let groups: Vec<usize> = key.iter().map(|&u| of_unit[u]).collect();
        // A group without any flow has an infinite negative fixed effect: refuse it clearly.
        let mut total = vec![0.0; units.len()];
        for (r, &gi) in groups.iter().enumerate() {
            total[gi] += pairs.flow[r];
        }
        if let Some(gi) = total.iter().position(|&t| t <= 0.0) {
            return Err(Error::ZeroTotal {
                unit: data.codes[units[gi]].clone(),
                origin: constraint == Constraint::Production,
                model,
            });
        }
        (glm::fit_poisson(&pairs.flow, Some((&groups, units.len())), &x, model, progress)?, units)
    } else {
        (glm::fit_poisson(&pairs.flow, None, &x, model, progress)?, Vec::new())
    };
    let prefix = if constraint == Constraint::Attraction { "destination" } else { "origin" };
    let mut coefficients: Vec<Coefficient> = group_units
        .iter()
        .enumerate()
        .map(|(gi, &u)| Coefficient {
            name: format!("{prefix}[{}]", data.codes[u]),
            estimate: fit.alpha[gi],
            se: fit.alpha_se[gi],
        })
        .collect();
    coefficients.extend(names.into_iter().enumerate().map(|(p, name)| Coefficient {
        name,
        estimate: fit.beta[p],
        se: fit.beta_se[p],
    }));
    Ok(GravityFit {
        constraint,
        decay,
        coefficients,
        fit: Fit::new(&pairs.flow, &fit.mu),
        predicted: fit.mu,
        iterations: fit.iterations,
        balancing: None,
    })
}

/// Pairs sorted by origin and then destination (compressed rows), each row stored as runs of
/// consecutive destinations so that the sweeps read balancing factors and weights as contiguous
/// slices (a full matrix has two runs per row, either side of the diagonal). Rows are cut into
/// fixed chunks of consecutive rows, for the parallel sweeps of the doubly-constrained fit. The
/// chunks depend only on the pairs, never on the number of threads, and every sum is taken row by
/// row and then chunk by chunk in order, so results are identical whatever the thread count.
struct Rows {
    n: usize,
    /// First pair of every row (and the end), in sorted order.
    start: Vec<usize>,
    /// First run of every row (and the end).
    run_start: Vec<usize>,
    /// Runs: first destination and length.
    runs: Vec<(u32, u32)>,
    /// Position in the caller's pair order of every sorted entry; `None` when the caller's pairs
    /// are already sorted.
    order: Option<Vec<usize>>,
    /// Row ranges `[lo, hi)` of the chunks.
    chunks: Vec<(usize, usize)>,
}

/// About this many chunks (more than threads, for balance; few, so that summing the per-chunk
/// column vectors stays cheap).
const CHUNKS: usize = 32;
/// But no chunk smaller than this many pairs.
const MIN_CHUNK_PAIRS: usize = 16_384;

impl Rows {
    fn new(origin: &[usize], destination: &[usize], n_units: usize) -> Rows {
        let m = origin.len();
        let sorted = (1..m).into_par_iter().all(|r| (origin[r - 1], destination[r - 1]) < (origin[r], destination[r]));
        let mut start = vec![0usize; n_units + 1];
        for &o in origin {
            start[o + 1] += 1;
        }
        for i in 0..n_units {
            start[i + 1] += start[i];
        }
        let order = if sorted {
            None
        } else {
            let mut next = start.clone();
            let mut order = vec![0; m];
            for (r, &o) in origin.iter().enumerate() {
                order[next[o]] = r;
                next[o] += 1;
            }
            let mut rest: &mut [usize] = &mut order;
            let mut rows = Vec::with_capacity(n_units);
            for i in 0..n_units {
                let (head, tail) = rest.split_at_mut(start[i + 1] - start[i]);
                rows.push(head);
                rest = tail;
            }
            rows.into_par_iter().for_each(|row| row.sort_by_key(|&r| destination[r]));
            Some(order)
        };
        let dest = |p: usize| match &order {
            Some(ord) => destination[ord[p]],
            None => destination[p],
        };
        let mut run_start = Vec::with_capacity(n_units + 1);
        let mut runs: Vec<(u32, u32)> = Vec::new();
        for i in 0..n_units {
            run_start.push(runs.len());
            let mut prev: Option<usize> = None;
            for p in start[i]..start[i + 1] {
                let j = dest(p);
                match (prev, runs.last_mut()) {
                    (Some(q), Some(run)) if j == q + 1 => run.1 += 1,
                    _ => runs.push((j as u32, 1)),
                }
                prev = Some(j);
            }
        }
        run_start.push(runs.len());
        let target = (m / CHUNKS).max(MIN_CHUNK_PAIRS);
        let mut chunks = Vec::new();
        let mut lo = 0;
        for i in 0..n_units {
            if start[i + 1] - start[lo] >= target || i + 1 == n_units {
                chunks.push((lo, i + 1));
                lo = i + 1;
            }
        }
        Rows { n: n_units, start, run_start, runs, order, chunks }
    }

    /// The runs of row `i`: `(first destination, first pair, length)`.
    fn runs(&self, i: usize) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        let mut p = self.start[i];
        self.runs[self.run_start[i]..self.run_start[i + 1]].iter().map(move |&(j, len)| {
            let at = p;
            p += len as usize;
            (j as usize, at, len as usize)
        })
    }

    /// `v` (caller's pair order) in sorted order.
    fn gather(&self, v: &[f64]) -> Vec<f64> {
        match &self.order {
            Some(ord) => ord.par_iter().map(|&r| v[r]).collect(),
            None => v.to_vec(),
        }
    }

    /// One zeroed column vector per chunk.
    fn column_buffers(&self) -> Vec<Vec<f64>> {
        vec![vec![0.0; self.n]; self.chunks.len()]
    }

    /// Runs `body(rows, per_row, column_buffer)` on every chunk in parallel, where `per_row` is the
    /// chunk's part of `per_row` (indexed from the chunk's first row) and `column_buffer` a zeroed
    /// vector of length `n` for the chunk's column sums; returns the bodies' results in chunk order.
    fn for_chunks<T: Send, R: Send>(
        &self,
        per_row: &mut [T],
        cols: &mut [Vec<f64>],
        body: impl Fn(std::ops::Range<usize>, &mut [T], &mut [f64]) -> R + Sync,
    ) -> Vec<R> {
        let mut parts = Vec::with_capacity(self.chunks.len());
        let mut rest = per_row;
        for &(lo, hi) in &self.chunks {
            let (head, tail) = rest.split_at_mut(hi - lo);
            parts.push(head);
            rest = tail;
        }
        self.chunks
            .par_iter()
            .zip(parts.into_par_iter())
            .zip(cols.par_iter_mut())
            .map(|((&(lo, hi), part), buf)| {
                buf.fill(0.0);
                body(lo..hi, part, buf)
            })
            .collect()
    }

    /// `out[j] = Σ_chunks cols[k][j]`, chunk by chunk in order.
    fn sum_columns(cols: &[Vec<f64>], out: &mut [f64]) {
        out.fill(0.0);
        for buf in cols {
            for (o, v) in out.iter_mut().zip(buf) {
                *o += v;
            }
        }
    }
}

/// `Σ x_k y_k` in four interleaved partial sums (vectorisable; the order of additions is fixed).
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (xc, yc) = (x.chunks_exact(4), y.chunks_exact(4));
    let mut tail = 0.0;
    for (a, b) in xc.remainder().iter().zip(yc.remainder()) {
        tail += a * b;
    }
    for (a, b) in xc.zip(yc) {
        for k in 0..4 {
            acc[k] += a[k] * b[k];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Furness sweeps for fixed decay weights `f` (sorted order): `A_i = O_i / Σ_j B_j f_ij`, then
/// `B_j = D_j / Σ_i A_i f_ij`, until at the start of a sweep every row total is within `tol`
/// (relative) of the observed one. A sweep is one pass over the pairs: each row's `A_i` is set and
/// its column contributions added while the row is in cache. Every sweep ends with the column
/// step, so the column totals are exact. Returns the largest relative row error at the start of
/// the last sweep (below `tol` unless the sweeps ran out), or `None` when a factor is not finite
/// (every weight of a row or column underflowed).
#[allow(clippy::too_many_arguments)]
fn furness(
    rows: &Rows,
    f: &[f64],
    o: &[f64],
    d: &[f64],
    a: &mut [f64],
    b: &mut [f64],
    cols: &mut [Vec<f64>],
    tol: f64,
) -> Option<f64> {
    let mut last = f64::INFINITY;
    for _ in 0..FURNESS_MAX_SWEEPS {
        let bb: &[f64] = b;
        let worst = rows
            .for_chunks(a, cols, |range, a, buf| {
                let mut worst: f64 = 0.0;
                let first = range.start;
                for i in range {
                    let s: f64 = rows.runs(i).map(|(j, p, len)| dot(&bb[j..j + len], &f[p..p + len])).sum();
                    let ai = if o[i] > 0.0 {
                        worst = worst.max((a[i - first] * s / o[i] - 1.0).abs());
                        o[i] / s
                    } else {
                        0.0
                    };
                    a[i - first] = ai;
                    if ai != 0.0 {
                        for (j, p, len) in rows.runs(i) {
                            for (t, &w) in buf[j..j + len].iter_mut().zip(&f[p..p + len]) {
                                *t += ai * w;
                            }
                        }
                    }
                }
                worst
            })
            .into_iter()
            .fold(0.0, f64::max);
        Rows::sum_columns(cols, b);
        for (bj, &dj) in b.iter_mut().zip(d) {
            *bj = if dj > 0.0 { dj / *bj } else { 0.0 };
        }
        if !(worst.is_finite() && a.iter().chain(b.iter()).all(|v| v.is_finite())) {
            return None;
        }
        last = worst;
        if worst < tol {
            break;
        }
    }
    Some(last)
}

/// Sweeps of [`furness`] before giving up on a tolerance (the outer iteration then goes on with
/// what it has, and fails if the final tolerance is not reached).
const FURNESS_MAX_SWEEPS: usize = 20_000;

/// The state of the partialled decay covariate `c̃ = c − e_i − e'_j` (origin and destination
/// effects of `c` under weights `μ = A_i B_j f_ij`, by alternating weighted projections).
struct Partialled {
    /// Origin effects `e_i` and the row totals of `μ` (`(e_i, Σ_j μ_ij)`).
    origin: Vec<(f64, f64)>,
    /// Destination effects `e'_j`.
    dest: Vec<f64>,
    /// Column totals of `μ` (equal to the observed `D_j` after a Furness sweep).
    dest_weight: Vec<f64>,
}

/// What one pass of the projections found.
struct Projected {
    /// `Σ μ c` (first pass only).
    mu_c: f64,
    /// `Σ μ c̃²`.
    information: f64,
    /// Largest move of an effect in the last pass.
    moved: f64,
}

/// Alternating weighted projections of `c` on the origin and destination effects, warm-started
/// from `st`, until no effect moves by more than `tol`; the first pass also computes the row
/// totals of `μ` and `Σ μ c`. `Σ μ c̃²` is taken in the last pass (its error is quadratic in the
/// effects' error, as `c̃` minimises it).
#[allow(clippy::too_many_arguments)]
fn project(
    rows: &Rows,
    f: &[f64],
    c: &[f64],
    a: &[f64],
    b: &[f64],
    st: &mut Partialled,
    cols: &mut [Vec<f64>],
    tol: f64,
) -> Projected {
    let mut out = Projected { mu_c: 0.0, information: 0.0, moved: f64::INFINITY };
    for pass in 0..PROJECTION_MAX_PASSES {
        let eb: &[f64] = &st.dest;
        let parts = rows.for_chunks(&mut st.origin, cols, |range, org, buf| {
            let first = range.start;
            let (mut mu_c, mut info, mut moved) = (0.0, 0.0, 0.0f64);
            for i in range {
                let ai = a[i];
                let (e_old, mut w) = org[i - first];
                let mut s = 0.0;
                if pass == 0 {
                    let (mut sw, mut smc) = (0.0, 0.0);
                    for (j, p, len) in rows.runs(i) {
                        for ((&bj, &ej), (&fp, &cp)) in
                            b[j..j + len].iter().zip(&eb[j..j + len]).zip(f[p..p + len].iter().zip(&c[p..p + len]))
                        {
                            let v = bj * fp;
                            sw += v;
                            smc += v * cp;
                            s += v * (cp - ej);
                        }
                    }
                    w = ai * sw;
                    mu_c += ai * smc;
                } else {
                    for (j, p, len) in rows.runs(i) {
                        for ((&bj, &ej), (&fp, &cp)) in
                            b[j..j + len].iter().zip(&eb[j..j + len]).zip(f[p..p + len].iter().zip(&c[p..p + len]))
                        {
                            s += bj * fp * (cp - ej);
                        }
                    }
                }
                let e = if w > 0.0 { ai * s / w } else { 0.0 };
                moved = moved.max((e - e_old).abs());
                org[i - first] = (e, w);
                if w > 0.0 {
                    for (j, p, len) in rows.runs(i) {
                        for (((t, &bj), &ej), (&fp, &cp)) in buf[j..j + len]
                            .iter_mut()
                            .zip(&b[j..j + len])
                            .zip(&eb[j..j + len])
                            .zip(f[p..p + len].iter().zip(&c[p..p + len]))
                        {
                            let mu = ai * bj * fp;
                            let r = cp - e;
                            *t += mu * r;
                            let rr = r - ej;
                            info += mu * rr * rr;
                        }
                    }
                }
            }
            (mu_c, info, moved)
        });
        let mut moved: f64 = 0.0;
        out.information = 0.0;
        for (mc, info, mv) in parts {
            if pass == 0 {
                out.mu_c += mc;
            }
            out.information += info;
            moved = moved.max(mv);
        }
        let mut t = vec![0.0; rows.n];
        Rows::sum_columns(cols, &mut t);
        for ((tj, &w), &e_old) in t.iter_mut().zip(&st.dest_weight).zip(&st.dest) {
            let e = if w > 0.0 { *tj / w } else { 0.0 };
            moved = moved.max((e - e_old).abs());
            *tj = e;
        }
        st.dest = t;
        out.moved = moved;
        if moved < tol {
            break;
        }
    }
    out
}

/// Passes of the projections before the current effects are used as they are.
const PROJECTION_MAX_PASSES: usize = 10_000;

/// Balancing tolerance of the last outer iterations: every row and column total is reproduced to
/// this (relative) and the decay is exact to rounding (the corrected gradient's error is quadratic
/// in the balancing error).
const FINAL_BALANCE: f64 = 1e-10;
/// Loosest balancing tolerance, used far from the solution.
const LOOSE_BALANCE: f64 = 1e-3;
/// The outer iteration stops when a step computed at the final tolerance moves `γ` by less than
/// this × (1 + |γ|).
const STEP_TOL: f64 = 1e-10;
/// Largest Newton step, as a change of `γ · c` over the range of `c` (keeps early steps away
/// from decay so steep that balancing crawls or underflows).
const MAX_STEP_SPAN: f64 = 6.0;

fn fit_doubly(
    decay: Decay,
    pairs: &Pairs,
    codes: &[String],
    cov: &[f64],
    progress: &mut dyn FnMut(Progress),
) -> Result<GravityFit> {
    let model = "doubly";
    let nu = codes.len();
    let m = pairs.len();
    if m < 2 {
        return Err(Error::TooFew { what: "pairs for the model", got: m, need: 2 });
    }
    let rows = Rows::new(&pairs.origin, &pairs.destination, nu);
    // The covariate is centred on its mid-range: the shift is absorbed by the balancing factors
    // and keeps exp(γ c) far from overflow and underflow.
    let (cmin, cmax) = cov.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let (shift, span) = ((cmin + cmax) / 2.0, cmax - cmin);
    if !(span > 0.0 && span.is_finite()) {
        return Err(Error::Singular { model });
    }
    let y = rows.gather(&pairs.flow);
    let mut c = rows.gather(cov);
    c.par_iter_mut().for_each(|v| *v -= shift);
    let mut cols = rows.column_buffers();
    // Observed totals and Σ y c (constant: the gradient is Σ y c − Σ μ c).
    let mut o = vec![0.0; nu];
    let y_c: f64 = rows
        .for_chunks(&mut o, &mut cols, |range, o, buf| {
            let first = range.start;
            let mut yc = 0.0;
            for i in range {
                let mut s = 0.0;
                for (j, p, len) in rows.runs(i) {
                    for ((t, &yp), &cp) in buf[j..j + len].iter_mut().zip(&y[p..p + len]).zip(&c[p..p + len]) {
                        s += yp;
                        yc += yp * cp;
                        *t += yp;
                    }
                }
                o[i - first] = s;
            }
            yc
        })
        .iter()
        .sum();
    let mut d = vec![0.0; nu];
    Rows::sum_columns(&cols, &mut d);

    let mut gamma = 0.0f64;
    let mut a = vec![1.0; nu];
    let mut b = vec![1.0; nu];
    let mut st = Partialled { origin: vec![(0.0, 0.0); nu], dest: vec![0.0; nu], dest_weight: d.clone() };
    let mut f = vec![0.0; m];
    // Bracket of the optimum (the profile log-likelihood is concave, its gradient decreasing).
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    // The last γ whose balancing succeeded, to fall back towards.
    let mut good: Option<(f64, Vec<f64>, Vec<f64>)> = None;
    let mut balance = LOOSE_BALANCE;
    let mut iterations = 0;
    let mut change = f64::INFINITY;
    let information = loop {
        iterations += 1;
        if iterations > MAX_OUTER {
            return Err(Error::NoConvergence { model, iterations: MAX_OUTER, change });
        }
        f.par_iter_mut().zip(&c).for_each(|(f, &c)| *f = (gamma * c).exp());
        let Some(worst) = furness(&rows, &f, &o, &d, &mut a, &mut b, &mut cols, balance) else {
            // Decay so steep that some weights underflow: go back half-way.
            let Some((g0, a0, b0)) = &good else {
                return Err(Error::NoConvergence { model, iterations, change });
            };
            gamma = (gamma + g0) / 2.0;
            (a, b) = (a0.clone(), b0.clone());
            continue;
        };
        if balance <= FINAL_BALANCE && worst >= balance {
            // The totals cannot be reproduced (e.g. a row whose only pairs lead to columns
            // without inflow): no maximum-likelihood estimate exists.
            return Err(Error::NoConvergence { model, iterations, change: worst });
        }
        good = Some((gamma, a.clone(), b.clone()));
        // The Newton step needs only a rough information (its error is quadratic in the effects'
        // error); the standard error at the end needs it to about 1e-10 relative.
        let ptol = if balance <= FINAL_BALANCE { 1e-6 } else { 1e-3 } * span;
        let pr = project(&rows, &f, &c, &a, &b, &mut st, &mut cols, ptol);
        if !(pr.information > 0.0 && pr.information.is_finite()) {
            return Err(Error::Singular { model });
        }
        // Gradient of the profile log-likelihood, corrected to first order for balancing that is
        // not exact yet (the Newton step of the joint model: its error is quadratic in the row
        // errors): Σ (y − μ) c − Σ_i e_i (O_i − Σ_j μ_ij).
        let raw = y_c - pr.mu_c;
        let correction: f64 = st.origin.iter().zip(&o).map(|(&(e, w), &oi)| e * (oi - w)).sum();
        let grad = raw - correction;
        let step = grad / pr.information;
        change = step.abs() / (1.0 + gamma.abs());
        progress(Progress { iteration: iterations, change, target: STEP_TOL });
        if change < STEP_TOL {
            if balance <= FINAL_BALANCE {
                break pr.information;
            }
            balance = FINAL_BALANCE;
            continue;
        }
        if grad > 0.0 {
            lo = lo.max(gamma);
        } else {
            hi = hi.min(gamma);
        }
        let limit = MAX_STEP_SPAN / span;
        let mut next = gamma + step.clamp(-limit, limit);
        if !(next > lo && next < hi) && lo.is_finite() && hi.is_finite() {
            next = (lo + hi) / 2.0;
        }
        // Balance next to a tolerance tied to this step: loose far away, final near the optimum
        // (the next step is then about this one squared).
        balance = if change < 1e-5 {
            FINAL_BALANCE
        } else {
            (1e-2 * (step * span).abs()).clamp(FINAL_BALANCE, LOOSE_BALANCE)
        };
        gamma = next;
    };
    // Balancing factors of the uncentred covariate: μ = A_i B_j exp(γ c) with A_i = a_i exp(−γ shift).
    let scale = (-gamma * shift).exp();
    let mut mu = vec![0.0; m];
    let mut parts = Vec::with_capacity(rows.chunks.len());
    let mut rest: &mut [f64] = &mut mu;
    for &(lo, hi) in &rows.chunks {
        let (head, tail) = rest.split_at_mut(rows.start[hi] - rows.start[lo]);
        parts.push(head);
        rest = tail;
    }
    rows.chunks.par_iter().zip(parts).for_each(|(&(lo, hi), part)| {
        let first = rows.start[lo];
        for (i, &ai) in a.iter().enumerate().take(hi).skip(lo) {
            for (j, p, len) in rows.runs(i) {
                for ((out, &bj), &fp) in
                    part[p - first..p - first + len].iter_mut().zip(&b[j..j + len]).zip(&f[p..p + len])
                {
                    *out = ai * bj * fp;
                }
            }
        }
    });
    // Back to the caller's pair order.
    let predicted = match &rows.order {
        Some(ord) => {
            let mut out = vec![0.0; m];
            for (p, &r) in ord.iter().enumerate() {
                out[r] = mu[p];
            }
            out
        }
        None => mu,
    };
    let a: Vec<f64> = a.iter().map(|v| v * scale).collect();
    Ok(GravityFit {
        constraint: Constraint::Doubly,
        decay,
        coefficients: vec![Coefficient {
            name: decay.coefficient().into(),
            estimate: gamma,
            se: 1.0 / information.sqrt(),
        }],
        fit: Fit::new(&pairs.flow, &predicted),
        predicted,
        iterations,
        balancing: Some((a, b)),
    })
}

/// Outer (Newton) iterations of the doubly-constrained fit before giving up.
const MAX_OUTER: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;
    use baydex_core::Lang;

    fn toy() -> (Pairs, Vec<String>) {
        // 4 units on a line at 0, 1, 3, 6 km; every ordered pair.
        let pos = [0.0f64, 1.0, 3.0, 6.0];
        let flows = [[0., 50., 20., 5.], [40., 0., 30., 8.], [15., 35., 0., 25.], [4., 9., 30., 0.]];
        let mut p = Pairs::default();
        for i in 0..4 {
            for j in 0..4 {
                if i != j {
                    p.origin.push(i);
                    p.destination.push(j);
                    p.flow.push(flows[i][j]);
                    p.distance.push((pos[i] - pos[j]).abs());
                }
            }
        }
        (p, ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect())
    }

    /// The doubly-constrained fit reproduces the observed totals (its defining property) and
    /// satisfies the decay score equation Σ (T − T̂) ln d = 0.
    #[test]
    fn doubly_reproduces_margins() {
        let (p, codes) = toy();
        let f = fit(
            Constraint::Doubly,
            Decay::Power,
            &p,
            GravityData { codes: &codes, origin_mass: None, dest_mass: None },
        )
        .unwrap();
        for u in 0..4 {
            let (mut oo, mut op, mut io, mut ip) = (0.0, 0.0, 0.0, 0.0);
            for r in 0..p.len() {
                if p.origin[r] == u {
                    oo += p.flow[r];
                    op += f.predicted[r];
                }
                if p.destination[r] == u {
                    io += p.flow[r];
                    ip += f.predicted[r];
                }
            }
            assert!((oo - op).abs() < 1e-9 * oo, "row {u}: {oo} vs {op}");
            assert!((io - ip).abs() < 1e-9 * io, "column {u}: {io} vs {ip}");
        }
        let score: f64 = (0..p.len()).map(|r| (p.flow[r] - f.predicted[r]) * p.distance[r].ln()).sum();
        assert!(score.abs() < 1e-8, "score {score}");
        assert!(f.coefficients[0].estimate < 0.0);
    }

    fn no_mass(codes: &[String]) -> GravityData<'_> {
        GravityData { codes, origin_mass: None, dest_mass: None }
    }

    /// Zones on a 15 × 20 grid (300 units, 89,700 ordered pairs: several chunks of the parallel
    /// sweeps), flows from a power law with a deterministic ±30 % wobble.
    fn grid() -> (Pairs, Vec<String>) {
        let n = 300;
        let mut p = Pairs::default();
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    let (dx, dy) = ((i % 20) as f64 - (j % 20) as f64, (i / 20) as f64 - (j / 20) as f64);
                    let d = (dx * dx + dy * dy).sqrt();
                    let wobble = 0.7 + 0.6 * (((i * 7919 + j * 104_729) % 1000) as f64 / 1000.0);
                    p.origin.push(i);
                    p.destination.push(j);
                    p.flow.push((1e3 * (1.0 + (i % 7) as f64) * d.powf(-1.5) * wobble).round());
                    p.distance.push(d);
                }
            }
        }
        (p, (0..n).map(|i| format!("Z{i}")).collect())
    }

    /// The parallel sweeps sum in fixed chunks, so the fit is bit-for-bit the same with 1 or 3
    /// threads; and the same (to rounding) when the caller's pairs come in another order.
    #[test]
    fn doubly_is_independent_of_threads_and_pair_order() {
        let (p, codes) = grid();
        let run = |threads: usize, p: &Pairs| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| fit(Constraint::Doubly, Decay::Power, p, no_mass(&codes)).unwrap())
        };
        let (one, three) = (run(1, &p), run(3, &p));
        assert_eq!(one.coefficients, three.coefficients);
        assert_eq!(one.predicted, three.predicted);
        assert_eq!(one.fit, three.fit);
        // Reversed pair order: the same estimate, predictions follow the pairs.
        let mut q = Pairs::default();
        for r in (0..p.len()).rev() {
            q.origin.push(p.origin[r]);
            q.destination.push(p.destination[r]);
            q.flow.push(p.flow[r]);
            q.distance.push(p.distance[r]);
        }
        let rev = run(2, &q);
        let (g1, g2) = (one.coefficients[0].estimate, rev.coefficients[0].estimate);
        assert!((g1 - g2).abs() < 1e-12, "{g1} vs {g2}");
        let m = p.len();
        for r in 0..m {
            let (a, b) = (one.predicted[r], rev.predicted[m - 1 - r]);
            assert!((a - b).abs() <= 1e-9 * a.max(1.0), "pair {r}: {a} vs {b}");
        }
        // The defining properties hold on this larger design too: margins to 1e-9 and the score
        // equation Σ (T − T̂) ln d = 0 relative to Σ T ln d.
        let n = codes.len();
        let (mut ro, mut rp, mut co, mut cp) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let (mut score, mut scale) = (0.0, 0.0);
        for r in 0..m {
            ro[p.origin[r]] += p.flow[r];
            rp[p.origin[r]] += one.predicted[r];
            co[p.destination[r]] += p.flow[r];
            cp[p.destination[r]] += one.predicted[r];
            score += (p.flow[r] - one.predicted[r]) * p.distance[r].ln();
            scale += p.flow[r] * p.distance[r].ln();
        }
        for u in 0..n {
            assert!((ro[u] - rp[u]).abs() <= 1e-9 * ro[u], "row {u}: {} vs {}", ro[u], rp[u]);
            assert!((co[u] - cp[u]).abs() <= 1e-9 * co[u], "column {u}: {} vs {}", co[u], cp[u]);
        }
        assert!(score.abs() < 1e-9 * scale, "score {score} of {scale}");
    }

    /// A production-constrained model refuses an origin without outflow, naming it in both
    /// languages; likewise an attraction-constrained model a destination without inflow.
    #[test]
    fn zero_total_names_the_unit() {
        let (mut p, codes) = toy();
        // D sends nothing; nobody sends anything to C.
        for r in 0..p.len() {
            if p.origin[r] == 3 || p.destination[r] == 2 {
                p.flow[r] = 0.0;
            }
        }
        let mass = [10.0, 20.0, 30.0, 40.0];
        let data = GravityData { codes: &codes, origin_mass: Some(&mass), dest_mass: Some(&mass) };
        let e = fit(Constraint::Production, Decay::Power, &p, data).unwrap_err();
        assert_eq!(e, Error::ZeroTotal { unit: "D".into(), origin: true, model: "production" });
        assert!(e.message(Lang::En).starts_with("origin 'D' has a total outflow of 0"), "{e}");
        assert!(e.message(Lang::Zh).starts_with("起点 'D' 的总流出量为 0"), "{}", e.message(Lang::Zh));
        let e = fit(Constraint::Attraction, Decay::Power, &p, data).unwrap_err();
        assert_eq!(e, Error::ZeroTotal { unit: "C".into(), origin: false, model: "attraction" });
        assert!(e.message(Lang::En).starts_with("destination 'C' has a total inflow of 0"), "{e}");
        assert!(e.message(Lang::Zh).starts_with("终点 'C' 的总流入量为 0"), "{}", e.message(Lang::Zh));
    }
}
