//! End to end: a `weight` step before `aggregate` changes the index, and the results report the
//! weights it computed (`PeriodResult::weights`, `effective_weights`), per period or pooled.

use std::collections::BTreeMap;

use baydex_core::weight::{self, Entropy, Shift, StdDev, WeightInput, Weighter};
use baydex_core::{
    Error, Framework, IndexMeta, Matrix, NodeSpec, Panel, Project, Results, StepSpec, Text, Unit, Value, compute,
    compute_with,
};

/// Results and weights are computed with the same formulas in the same order; only the
/// aggregation's own arithmetic (re-scaling within groups) separates them.
const TOL: f64 = 1e-12;

const UNITS: [&str; 5] = ["u1", "u2", "u3", "u4", "u5"];

/// Index → A (a1, a2, a3), B (b1, b2); 5 units, 2 periods; all raw values positive.
fn project() -> Project {
    let fw = Framework::build(vec![
        NodeSpec::aggregate("I", None),
        NodeSpec::aggregate("A", Some("I")),
        NodeSpec::aggregate("B", Some("I")),
        NodeSpec::indicator("a1", "A"),
        NodeSpec::indicator("a2", "A"),
        NodeSpec::indicator("a3", "A"),
        NodeSpec::indicator("b1", "B"),
        NodeSpec::indicator("b2", "B"),
    ])
    .unwrap();
    let periods: Vec<String> = vec!["2022".into(), "2023".into()];
    let data = vec![
        Matrix::from_columns(
            5,
            &[
                vec![1.0, 2.0, 3.0, 4.0, 10.0],
                vec![5.0, 5.0, 6.0, 5.0, 5.5],
                vec![9.0, 1.0, 4.0, 2.0, 3.0],
                vec![10.0, 20.0, 30.0, 40.0, 50.0],
                vec![3.0, 1.0, 2.0, 8.0, 4.0],
            ],
        )
        .unwrap(),
        Matrix::from_columns(
            5,
            &[
                vec![2.0, 2.0, 4.0, 5.0, 9.0],
                vec![5.0, 6.0, 6.0, 5.0, 7.0],
                vec![8.0, 2.0, 4.0, 1.0, 3.0],
                vec![15.0, 20.0, 25.0, 45.0, 50.0],
                vec![2.0, 1.0, 3.0, 9.0, 4.0],
            ],
        )
        .unwrap(),
    ];
    Project {
        meta: IndexMeta {
            name: Text::new("Test", "测试"),
            description: Text::default(),
            illustrative: false,
            illustrative_note: Text::default(),
            periods: periods.clone(),
        },
        units: UNITS.iter().map(|u| Unit::new(u)).collect(),
        framework: fw,
        series: Vec::new(),
        data: Panel {
            units: UNITS.iter().map(|u| u.to_string()).collect(),
            columns: ["a1", "a2", "a3", "b1", "b2"].iter().map(|c| c.to_string()).collect(),
            periods,
            data,
            notes: Vec::new(),
        },
        pipeline: vec![StepSpec::new("normalise"), StepSpec::new("aggregate")],
        tiers: None,
    }
}

fn with_weight(weight: StepSpec) -> Vec<StepSpec> {
    vec![StepSpec::new("normalise"), weight, StepSpec::new("aggregate")]
}

fn entropy_step(shift: Value) -> StepSpec {
    StepSpec::new("weight").with("method", Value::Str("entropy".into())).with("shift", shift)
}

/// The weights `m` gives the children of `node` on the `Normalised` stage of every period in
/// `periods` (one period: that period's; several: pooled).
fn expected(p: &Project, r: &Results, m: &dyn Weighter, node: &str, periods: &[usize]) -> Vec<f64> {
    let fw = &p.framework;
    let kids: Vec<&str> = fw.node(fw.find(node).unwrap()).children.iter().map(|&c| fw.node(c).code()).collect();
    let cols: Vec<Vec<Vec<f64>>> = periods
        .iter()
        .map(|&k| {
            let d = r.periods[k].stage("Normalised").unwrap();
            kids.iter().map(|c| d.values(c).unwrap().to_vec()).collect()
        })
        .collect();
    let panel: Vec<Vec<&[f64]>> = cols.iter().map(|p| p.iter().map(Vec::as_slice).collect()).collect();
    let prior = vec![1.0; kids.len()];
    let input = WeightInput {
        node,
        child_codes: &kids,
        children: &panel[0],
        panel: if periods.len() > 1 { &panel } else { &[] },
        prior: &prior,
    };
    m.weights(&input).unwrap()
}

fn weights_of(p: &Project, w: &[f64], codes: &[&str]) -> Vec<f64> {
    codes.iter().map(|c| w[p.framework.find(c).unwrap()]).collect()
}

fn assert_close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= TOL, "got {got:?}, want {want:?}");
    }
}

#[test]
fn entropy_weights_change_the_index_and_are_reported() {
    let p = project();
    let base = compute(&p).unwrap();
    let r = compute_with(&p, &with_weight(entropy_step(Value::Str("min".into())))).unwrap();
    let fw = &p.framework;
    let root = fw.root();
    let m = Entropy { shift: Shift::Min };
    for (k, pr) in r.periods.iter().enumerate() {
        assert_ne!(pr.scores(root), base.periods[k].scores(root), "period {k}: the index did not change");
        let wa = expected(&p, &r, &m, "A", &[k]);
        let wb = expected(&p, &r, &m, "B", &[k]);
        assert_close(&weights_of(&p, &pr.weights, &["a1", "a2", "a3"]), &wa);
        assert_close(&weights_of(&p, &pr.weights, &["b1", "b2"]), &wb);
        // Level 2 is not weighted: A and B keep the framework's weight 1.
        assert_eq!(weights_of(&p, &pr.weights, &["A", "B"]), vec![1.0, 1.0]);
        // Effective weights: within-group shares times ½ for each dimension.
        let eff = weights_of(&p, &pr.effective_weights, &["a1", "a2", "a3", "b1", "b2"]);
        let want: Vec<f64> = wa.iter().chain(&wb).map(|w| w / 2.0).collect();
        assert_close(&eff, &want);
        assert_eq!(pr.effective_weights, fw.effective_weights(&pr.weights));
        // The aggregate uses them: A = Σ w_j z_j (the shares sum to 1).
        let z = pr.stage("Normalised").unwrap();
        let a = pr.scores(fw.find("A").unwrap());
        for (u, &score) in a.iter().enumerate() {
            let s: f64 = ["a1", "a2", "a3"].iter().zip(&wa).map(|(c, w)| w * z.values(c).unwrap()[u]).sum();
            assert!((score - s).abs() <= 1e-9, "unit {u}: A = {score}, Σ w z = {s}");
        }
        // The log says which weights were used.
        let log = pr.log.iter().find(|l| l.step == "weight").unwrap();
        assert!(log.messages[0].en.starts_with("entropy weights"), "{}", log.messages[0].en);
    }
    // Data-driven weights differ by period; `Results::weights` is the first period's.
    assert_ne!(r.periods[0].weights, r.periods[1].weights);
    assert_eq!(r.weights, r.periods[0].weights);
    assert_eq!(r.effective_weights, r.periods[0].effective_weights);
}

#[test]
fn pooled_entropy_weights_are_the_same_in_every_period() {
    let p = project();
    let step = entropy_step(Value::Float(1.0)).with("pool", Value::Bool(true));
    let r = compute_with(&p, &with_weight(step)).unwrap();
    let m = Entropy { shift: Shift::By(1.0) };
    let wa = expected(&p, &r, &m, "A", &[0, 1]);
    for pr in &r.periods {
        assert_close(&weights_of(&p, &pr.weights, &["a1", "a2", "a3"]), &wa);
    }
    assert_eq!(r.periods[0].weights, r.periods[1].weights);
    // Pooling is not the same as either period alone.
    let alone = expected(&p, &r, &m, "A", &[0]);
    assert!(alone.iter().zip(&wa).any(|(x, y)| (x - y).abs() > 1e-6));
}

#[test]
fn entropy_on_min_max_scores_needs_a_shift() {
    // Min-max scores have a 0 in every indicator: without a shift entropy refuses them (as pymcdm).
    let p = project();
    let e = compute_with(&p, &with_weight(StepSpec::new("weight").with("method", Value::Str("entropy".into()))))
        .unwrap_err();
    assert!(matches!(e.root(), Error::Weighting { method: "entropy", .. }), "{e}");
    assert!(e.to_string().contains("shift = \"min\""), "{e}");
}

#[test]
fn missing_values_drop_the_unit_from_the_weighting_only() {
    let mut p = project();
    p.data.data[0].set(4, 1, f64::NAN); // u5, a2, 2022
    let step = StepSpec::new("weight").with("method", Value::Str("std".into()));
    let r = compute_with(&p, &with_weight(step)).unwrap();
    let z = r.periods[0].stage("Normalised").unwrap();
    let cols: Vec<Vec<f64>> = ["a1", "a2", "a3"].iter().map(|c| z.values(c).unwrap()[..4].to_vec()).collect();
    let kids: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let want = StdDev
        .weights(&WeightInput {
            node: "A",
            child_codes: &["a1", "a2", "a3"],
            children: &kids,
            panel: &[],
            prior: &[1.0; 3],
        })
        .unwrap();
    assert_close(&weights_of(&p, &r.periods[0].weights, &["a1", "a2", "a3"]), &want);
    // u5 still gets a score for A from its other indicators.
    assert!(r.periods[0].scores(p.framework.find("A").unwrap())[4].is_finite());
}

#[test]
fn expert_and_combined_through_the_step() {
    let p = project();
    let values: BTreeMap<String, Value> =
        [("a1", 3.0), ("a2", 1.0), ("a3", 1.0)].iter().map(|(c, v)| (c.to_string(), Value::Float(*v))).collect();
    let expert = StepSpec::new("weight")
        .with("method", Value::Str("expert".into()))
        .with("values", Value::Table(values.clone()));
    let r = compute_with(&p, &with_weight(expert)).unwrap();
    assert_eq!(weights_of(&p, &r.periods[0].weights, &["a1", "a2", "a3", "b1", "b2"]), vec![3.0, 1.0, 1.0, 1.0, 1.0]);

    let combined = StepSpec::new("weight")
        .with("method", Value::Str("combined".into()))
        .with("values", Value::Table(values))
        .with("objective", Value::Str("std".into()))
        .with("alpha", Value::Float(0.25));
    let r = compute_with(&p, &with_weight(combined)).unwrap();
    let wo = expected(&p, &r, &StdDev, "A", &[0]);
    let want: Vec<f64> = [0.6, 0.2, 0.2].iter().zip(&wo).map(|(s, o)| 0.25 * s + 0.75 * o).collect();
    assert_close(&weights_of(&p, &r.periods[0].weights, &["a1", "a2", "a3"]), &want);
    // B is not named in `values`: its subjective weights are the framework's (½, ½).
    let wo = expected(&p, &r, &StdDev, "B", &[0]);
    let want: Vec<f64> = wo.iter().map(|o| 0.25 * 0.5 + 0.75 * o).collect();
    assert_close(&weights_of(&p, &r.periods[0].weights, &["b1", "b2"]), &want);
}

#[test]
fn every_method_builds_as_a_step_with_its_defaults() {
    let p = project();
    for name in weight::names() {
        let step = StepSpec::new("weight").with("method", Value::Str(name.into()));
        baydex_core::step::build(&step, &p.framework).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // A parameter of another method is an error, not silently ignored.
    let step = StepSpec::new("weight").with("method", Value::Str("critic".into())).with("shift", Value::Int(1));
    assert!(baydex_core::step::build(&step, &p.framework).is_err());
}

/// Tables keyed by node code are checked against the framework before anything runs.
#[test]
fn unknown_codes_in_keyed_tables_are_errors() {
    let p = project();
    let fw = &p.framework;
    let table = |k: &str| Value::Table(BTreeMap::from([(k.to_string(), Value::Int(1))]));
    let expert = StepSpec::new("weight").with("method", Value::Str("expert".into())).with("values", table("a9"));
    let e = baydex_core::step::build(&expert, fw).unwrap_err();
    assert!(e.to_string().contains("a9"), "{e}");
    let one = Value::Array(vec![Value::Array(vec![Value::Int(1)])]);
    let ahp = StepSpec::new("weight")
        .with("method", Value::Str("ahp".into()))
        .with("matrices", Value::Table(BTreeMap::from([("a1".to_string(), one)])));
    let e = baydex_core::step::build(&ahp, fw).unwrap_err();
    assert!(e.to_string().contains("an aggregate"), "{e}");
}
