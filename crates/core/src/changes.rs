//! Change over time in a panel: per node and unit, the change of score and rank between periods
//! and the compound annual growth rate.
//!
//! `cagr = (to / from)^(1 / (t₁ − t₀)) − 1`, defined only when both periods are numbers
//! (years) and both scores are positive; otherwise it is missing.

use serde::Serialize;

use crate::{Framework, Results};

/// The change of one node's score for one unit between two periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Unit code.
    pub unit: String,
    /// Node code.
    pub node: String,
    /// `total` (first → last period) or `step` (consecutive periods).
    pub span: &'static str,
    /// Earlier period.
    pub from_period: String,
    /// Later period.
    pub to_period: String,
    /// Score in the earlier period (NaN when missing).
    pub from: f64,
    /// Score in the later period (NaN when missing).
    pub to: f64,
    /// `to − from`.
    pub change: f64,
    /// Rank in the earlier period.
    pub from_rank: Option<u32>,
    /// Rank in the later period.
    pub to_rank: Option<u32>,
    /// Compound annual growth rate, when defined.
    pub cagr: Option<f64>,
}

/// CAGR between two periods, when both are numbers and both values positive.
pub fn cagr(from_period: &str, to_period: &str, from: f64, to: f64) -> Option<f64> {
    let (t0, t1) = (from_period.trim().parse::<f64>().ok()?, to_period.trim().parse::<f64>().ok()?);
    if t1 <= t0 || from <= 0.0 || to <= 0.0 || !from.is_finite() || !to.is_finite() {
        return None;
    }
    Some((to / from).powf(1.0 / (t1 - t0)) - 1.0)
}

/// Every change of every node for every unit: first → last period, and each pair of
/// consecutive periods. Empty with fewer than two periods. Units missing from a period (e.g.
/// screened out) get missing values there.
pub fn changes(framework: &Framework, results: &Results) -> Vec<Change> {
    let p = &results.periods;
    if p.len() < 2 {
        return Vec::new();
    }
    let mut pairs: Vec<(usize, usize, &'static str)> = vec![(0, p.len() - 1, "total")];
    if p.len() > 2 {
        pairs.extend((1..p.len()).map(|k| (k - 1, k, "step")));
    }
    let mut units: Vec<&String> = Vec::new();
    for pr in p {
        for u in pr.units() {
            if !units.contains(&u) {
                units.push(u);
            }
        }
    }
    let mut out = Vec::new();
    for node in framework.output_order() {
        let code = framework.node(node).code();
        for &(a, b, span) in &pairs {
            for u in &units {
                let at = |k: usize| {
                    let pr = &p[k];
                    pr.units()
                        .iter()
                        .position(|x| x == *u)
                        .map_or((f64::NAN, None), |i| (pr.scores(node)[i], pr.ranks(node)[i]))
                };
                let ((from, from_rank), (to, to_rank)) = (at(a), at(b));
                out.push(Change {
                    unit: (*u).clone(),
                    node: code.to_string(),
                    span,
                    from_period: p[a].period.clone(),
                    to_period: p[b].period.clone(),
                    from,
                    to,
                    change: to - from,
                    from_rank,
                    to_rank,
                    cagr: cagr(&p[a].period, &p[b].period, from, to),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cagr_hand_computed() {
        // 100 → 121 over two years is 10 % a year.
        assert!((cagr("2020", "2022", 100.0, 121.0).unwrap() - 0.1).abs() < 1e-12);
        assert_eq!(cagr("a", "b", 1.0, 2.0), None);
        assert_eq!(cagr("2020", "2022", 0.0, 2.0), None);
        assert_eq!(cagr("2022", "2020", 1.0, 2.0), None);
    }
}
