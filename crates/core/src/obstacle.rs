//! Obstacle degree (障碍度): which indicators hold each unit back most.
//!
//! For unit `i` and indicator `j` (the obstacle-degree model used throughout Chinese regional
//! studies; see `docs/methods/obstacle.md` for references):
//!
//! - factor contribution `F_j` = the indicator's effective weight in the index (its weight
//!   re-scaled within each group and multiplied down the tree, [`crate::Framework::effective_weights`]);
//! - deviation `I_ij = 1 − x_ij`, with `x_ij` the unit's normalised score mapped to `[0, 1]`:
//!   `x = (score − lower) / (upper − lower)` for the normalisation's range `[lower, upper]`
//!   (`score / 100` for the usual 0–100), clipped to `[0, 1]`;
//! - obstacle degree `O_ij = F_j I_ij / Σ_j F_j I_ij` (a share: a unit's obstacles sum to 1).
//!
//! An aggregate's obstacle degree is the sum of the obstacle degrees of the indicators under it
//! (`U_id = Σ_{j ∈ d} O_ij`), given for every aggregate except the index itself (whose sum is 1);
//! the first-level dimensions are the children of the index. A missing score leaves the
//! indicator out of the unit's sum (the others share the whole); a unit at the top of every
//! indicator (`Σ F I = 0`) has no obstacle and gets missing values. Ranks are within the unit
//! and level: 1 = the largest obstacle.

use serde::Serialize;

use crate::{Framework, Params, PeriodResult, Results, Value};

/// The obstacle degree of one node for one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Obstacle {
    /// Unit code.
    pub unit: String,
    /// Node code (an indicator or an aggregate below the index).
    pub node: String,
    /// The node's level (1 = indicators).
    pub level: u32,
    /// Obstacle degree, a share in [0, 1] (NaN when undefined; serialised as `null`).
    #[serde(serialize_with = "nan_as_null")]
    pub obstacle: f64,
    /// Rank among the unit's nodes of the same level, 1 = largest obstacle.
    pub rank: Option<u32>,
}

fn nan_as_null<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() { s.serialize_f64(*x) } else { s.serialize_none() }
}

/// Obstacle degrees of one period: for every unit, its indicators then its aggregates (in
/// framework output order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObstacleTable {
    /// The period.
    pub period: String,
    /// The range `[lower, upper]` that normalised scores were mapped from.
    pub range: (f64, f64),
    /// One row per unit and node.
    pub rows: Vec<Obstacle>,
}

/// The range of the normalised scores from the resolved `normalise` step: `range` for `minmax`,
/// `[0, scale]` for `goalposts`, `[0, 1]` for `dist2targ`; `None` for methods without a bounded
/// range (`zscore`, `rank`) or without a `normalise` step, where obstacle degrees do not apply.
pub fn normalised_range(steps: &[(String, Params)]) -> Option<(f64, f64)> {
    let (_, p) = steps.iter().rev().find(|(name, _)| name == "normalise")?;
    match p.get("method").and_then(Value::as_str)? {
        "minmax" => p.get("range").and_then(Value::as_pair).filter(|(a, b)| a < b),
        "goalposts" => p.get("scale").and_then(Value::as_f64).filter(|s| *s > 0.0).map(|s| (0.0, s)),
        "dist2targ" => Some((0.0, 1.0)),
        _ => None,
    }
}

/// Obstacle degrees of one period, with normalised scores on `range`.
pub fn obstacles(fw: &Framework, pr: &PeriodResult, range: (f64, f64)) -> ObstacleTable {
    let (lower, upper) = range;
    let units = pr.units();
    let root = fw.root();
    let eff = &pr.effective_weights;
    // The aggregates above each indicator (excluding the index).
    let above: Vec<Vec<usize>> = fw
        .indicators()
        .iter()
        .map(|&j| {
            let mut up = Vec::new();
            let mut p = fw.node(j).parent_idx;
            while let Some(a) = p {
                if a != root {
                    up.push(a);
                }
                p = fw.node(a).parent_idx;
            }
            up
        })
        .collect();
    let order = fw.output_order();
    let mut rows = Vec::with_capacity(units.len() * order.len());
    let mut o = vec![f64::NAN; fw.nodes().len()];
    for (u, unit) in units.iter().enumerate() {
        o.iter_mut().for_each(|x| *x = f64::NAN);
        let mut total = 0.0;
        for &j in fw.indicators() {
            let s = pr.scores(j)[u];
            if !s.is_nan() {
                let x = ((s - lower) / (upper - lower)).clamp(0.0, 1.0);
                o[j] = eff[j] * (1.0 - x);
                total += o[j];
            }
        }
        if total > 0.0 {
            for (k, &j) in fw.indicators().iter().enumerate() {
                if !o[j].is_nan() {
                    o[j] /= total;
                    for &a in &above[k] {
                        o[a] = if o[a].is_nan() { o[j] } else { o[a] + o[j] };
                    }
                }
            }
        } else {
            o.iter_mut().for_each(|x| *x = f64::NAN);
        }
        let nodes: Vec<usize> = order.iter().copied().filter(|&i| i != root).collect();
        let start = rows.len();
        for &i in &nodes {
            rows.push(Obstacle {
                unit: unit.clone(),
                node: fw.node(i).code().to_string(),
                level: fw.node(i).level,
                obstacle: o[i],
                rank: None,
            });
        }
        // Ranks within the unit, level by level.
        let mut levels: Vec<u32> = nodes.iter().map(|&i| fw.node(i).level).collect();
        levels.sort_unstable();
        levels.dedup();
        for level in levels {
            let at: Vec<usize> = (start..rows.len()).filter(|&r| rows[r].level == level).collect();
            let values: Vec<f64> = at.iter().map(|&r| rows[r].obstacle).collect();
            for (&r, rank) in at.iter().zip(crate::rank::rank_desc(&values)) {
                rows[r].rank = rank;
            }
        }
    }
    ObstacleTable { period: pr.period.clone(), range, rows }
}

/// Obstacle degrees of every period, or `None` when the normalisation has no bounded range
/// (see [`normalised_range`]).
pub fn obstacles_all(fw: &Framework, results: &Results) -> Option<Vec<ObstacleTable>> {
    let range = normalised_range(&results.steps)?;
    Some(results.periods.iter().map(|pr| obstacles(fw, pr, range)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Matrix, NodeSpec, StepSpec, compute_matrix};

    const TOL: f64 = 1e-12; // hand-computed fractions

    fn fw() -> Framework {
        // I = (A, B); A = (a1, a2) with weights 1, 3; B = (b1); A and B weigh 1 each.
        Framework::build(vec![
            NodeSpec::aggregate("I", None),
            NodeSpec::aggregate("A", Some("I")),
            NodeSpec::aggregate("B", Some("I")),
            NodeSpec::indicator("a1", "A"),
            NodeSpec::indicator("a2", "A").with_weight(3.0),
            NodeSpec::indicator("b1", "B"),
        ])
        .unwrap()
    }

    #[test]
    fn hand_computed() {
        // Effective weights: a1 = 1/8, a2 = 3/8, b1 = 1/2.
        // Min-max on [0, 100] over three units; unit y: a1 = 50, a2 = 0, b1 = 50 (x = 1/2, 0, 1/2).
        // F·I: a1 = 1/16, a2 = 3/8, b1 = 1/4; Σ = 11/16 → O = 1/11, 6/11, 4/11; A = 7/11, B = 4/11.
        let f = fw();
        let raw = Matrix::from_columns(3, &[vec![0.0, 1.0, 2.0], vec![5.0, 0.0, 10.0], vec![0.0, 1.0, 2.0]]).unwrap();
        let pr = compute_matrix(&f, &["x", "y", "z"], &raw, &[StepSpec::new("normalise"), StepSpec::new("aggregate")])
            .unwrap();
        let t = obstacles(&f, &pr, (0.0, 100.0));
        let get = |unit: &str, node: &str| t.rows.iter().find(|r| r.unit == unit && r.node == node).unwrap();
        for (node, want, rank) in [
            ("a1", 1.0 / 11.0, 3),
            ("a2", 6.0 / 11.0, 1),
            ("b1", 4.0 / 11.0, 2),
            ("A", 7.0 / 11.0, 1),
            ("B", 4.0 / 11.0, 2),
        ] {
            let r = get("y", node);
            assert!((r.obstacle - want).abs() < TOL, "{node}: {}", r.obstacle);
            assert_eq!(r.rank, Some(rank), "{node}");
        }
        assert!(t.rows.iter().all(|r| r.node != "I"));
        // z is best everywhere: no obstacle.
        assert!(get("z", "a1").obstacle.is_nan() && get("z", "a1").rank.is_none());
        // A unit's indicator obstacles sum to 1.
        let s: f64 = t.rows.iter().filter(|r| r.unit == "x" && r.level == 1).map(|r| r.obstacle).sum();
        assert!((s - 1.0).abs() < TOL);
        // Same on a 0–1 range.
        let pr1 = compute_matrix(
            &f,
            &["x", "y", "z"],
            &raw,
            &[
                StepSpec::new("normalise").with("range", Value::Array(vec![Value::Int(0), Value::Int(1)])),
                StepSpec::new("aggregate"),
            ],
        )
        .unwrap();
        let t1 = obstacles(&f, &pr1, (0.0, 1.0));
        for (a, b) in t.rows.iter().zip(&t1.rows) {
            assert!(a.obstacle.is_nan() && b.obstacle.is_nan() || (a.obstacle - b.obstacle).abs() < TOL);
        }
    }

    #[test]
    fn missing_indicator_left_out() {
        let f = fw();
        let raw =
            Matrix::from_columns(3, &[vec![0.0, 1.0, 1.0], vec![f64::NAN, 1.0, 0.0], vec![0.0, 1.0, 1.0]]).unwrap();
        let pr = compute_matrix(&f, &["x", "y", "z"], &raw, &[StepSpec::new("normalise"), StepSpec::new("aggregate")])
            .unwrap();
        let t = obstacles(&f, &pr, (0.0, 100.0));
        // x: a1 = 0, a2 missing, b1 = 0 → F·I = 1/8 and 1/2 → O = 1/5, 4/5.
        let r: Vec<&Obstacle> = t.rows.iter().filter(|r| r.unit == "x").collect();
        assert!((r[0].obstacle - 0.2).abs() < TOL && r[1].obstacle.is_nan() && (r[2].obstacle - 0.8).abs() < TOL);
        assert!((r[3].obstacle - 0.2).abs() < TOL, "A = a1 only");
    }

    #[test]
    fn range_from_the_normalise_step() {
        let p = |method: &str, k: &str, v: Value| {
            let mut p = Params::new();
            p.insert("method".into(), Value::Str(method.into()));
            p.insert(k.into(), v);
            vec![("normalise".to_string(), p)]
        };
        let pair = Value::Array(vec![Value::Float(1.0), Value::Float(100.0)]);
        assert_eq!(normalised_range(&p("minmax", "range", pair)), Some((1.0, 100.0)));
        assert_eq!(normalised_range(&p("goalposts", "scale", Value::Float(10.0))), Some((0.0, 10.0)));
        assert_eq!(normalised_range(&p("zscore", "mean_sd", Value::Int(0))), None);
        assert_eq!(normalised_range(&[]), None);
    }
}
