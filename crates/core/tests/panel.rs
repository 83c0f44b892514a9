//! Panel (multi-period) indices: bounds fixed across periods make scores comparable over time,
//! so a unit's score changes only when its own data change.

use baydex_core::{
    Framework, Goalposts, IndexMeta, Matrix, NodeSpec, Panel, Project, StepSpec, Text, Unit, Value, changes::changes,
    compute,
};

fn project(bounds: Option<&str>, goalposts: bool) -> Project {
    let mut a = NodeSpec::indicator("a", "I");
    let mut b = NodeSpec::indicator("b", "I").with_direction(-1.0);
    if goalposts {
        a.goalposts = Some(Goalposts { lower: 0.0, upper: 100.0 });
        b.goalposts = Some(Goalposts { lower: 0.0, upper: 50.0 });
    }
    let fw = Framework::build(vec![NodeSpec::aggregate("I", None), a, b]).unwrap();
    let periods: Vec<String> = ["2000", "2001", "2002"].iter().map(|s| s.to_string()).collect();
    // 3 units × 2 indicators per period.
    let data = vec![
        Matrix::from_columns(3, &[vec![10.0, 20.0, 30.0], vec![40.0, 20.0, 10.0]]).unwrap(),
        Matrix::from_columns(3, &[vec![15.0, 25.0, 35.0], vec![35.0, 25.0, 5.0]]).unwrap(),
        Matrix::from_columns(3, &[vec![20.0, 30.0, 60.0], vec![30.0, 20.0, 5.0]]).unwrap(),
    ];
    let mut norm = StepSpec::new("normalise");
    if goalposts {
        norm = norm.with("method", Value::Str("goalposts".into()));
    }
    if let Some(b) = bounds {
        norm = norm.with("bounds", Value::Str(b.into()));
        if b == "reference" {
            norm = norm.with("reference", Value::Str("2001".into()));
        }
    }
    Project {
        meta: IndexMeta {
            name: Text::new("Test", "测试"),
            description: Text::default(),
            illustrative: false,
            illustrative_note: Text::default(),
            periods: periods.clone(),
        },
        units: ["x", "y", "z"].iter().map(|u| Unit::new(u)).collect(),
        framework: fw,
        series: Vec::new(),
        data: Panel {
            units: vec!["x".into(), "y".into(), "z".into()],
            columns: vec!["a".into(), "b".into()],
            periods,
            data,
            notes: Vec::new(),
        },
        pipeline: vec![norm, StepSpec::new("aggregate")],
        tiers: None,
    }
}

/// Index scores per period (rows: periods, columns: units).
fn scores(p: &Project) -> Vec<Vec<f64>> {
    let r = compute(p).unwrap();
    r.periods.iter().map(|pr| pr.scores(p.framework.root()).to_vec()).collect()
}

/// Changes unit `u`'s value of indicator `j` in period `k`.
fn perturb(p: &mut Project, k: usize, u: usize, j: usize, v: f64) {
    p.data.data[k].set(u, j, v);
}

fn assert_only_changed(before: &[Vec<f64>], after: &[Vec<f64>], k: usize, u: usize) {
    for (pk, (rb, ra)) in before.iter().zip(after).enumerate() {
        for (pu, (b, a)) in rb.iter().zip(ra).enumerate() {
            if (pk, pu) == (k, u) {
                assert_ne!(b, a, "the perturbed unit's score must change");
            } else {
                assert_eq!(b, a, "period {pk} unit {pu} changed although its data did not");
            }
        }
    }
}

#[test]
fn fixed_goalposts_isolate_units_and_periods() {
    let mut p = project(None, true);
    let before = scores(&p);
    // Unit z holds the maximum of `a` in 2002: move it.
    perturb(&mut p, 2, 2, 0, 80.0);
    assert_only_changed(&before, &scores(&p), 2, 2);
}

#[test]
fn pooled_minmax_isolates_non_extreme_changes() {
    let mut p = project(Some("pooled"), false);
    let before = scores(&p);
    // y's `a` in 2001 is neither the pooled minimum nor maximum.
    perturb(&mut p, 1, 1, 0, 27.0);
    assert_only_changed(&before, &scores(&p), 1, 1);
    // Pooled bounds: the pooled maximum of `a` (60) scores 100, in 2002 only.
    let r = compute(&p).unwrap();
    let a = p.framework.find("a").unwrap();
    assert_eq!(r.periods[2].scores(a)[2], 100.0);
    assert!(r.periods[0].scores(a).iter().all(|&s| s < 100.0));
}

#[test]
fn per_period_minmax_does_not_isolate() {
    // The contrast that motivates fixed bounds: with per-period min-max, changing one unit's
    // value moves another unit's score.
    let mut p = project(None, false);
    let before = scores(&p);
    perturb(&mut p, 2, 2, 0, 80.0);
    let after = scores(&p);
    assert_ne!(before[2][1], after[2][1]);
}

#[test]
fn reference_period_bounds() {
    let p = project(Some("reference"), false);
    let r = compute(&p).unwrap();
    let a = p.framework.find("a").unwrap();
    // 2001 is the reference: a ranges 15..35 there, so 2002's 60 maps to (60-15)/20*100 = 225.
    assert_eq!(r.periods[1].scores(a), &[0.0, 50.0, 100.0]);
    assert_eq!(r.periods[2].scores(a)[2], 225.0);
    let mut bad = project(Some("reference"), false);
    bad.pipeline[0].params.insert("reference".into(), Value::Str("1999".into()));
    assert!(compute(&bad).is_err());
}

#[test]
fn changes_and_cagr_per_node_and_unit() {
    let p = project(None, true);
    let r = compute(&p).unwrap();
    let ch = changes(&p.framework, &r);
    // total + 2 steps, for 3 nodes × 3 units
    assert_eq!(ch.len(), 3 * 3 * 3);
    let a_z = ch.iter().find(|c| c.node == "a" && c.unit == "z" && c.span == "total").unwrap();
    // goalposts [0, 100]: 30 → 60 over two years.
    assert_eq!((a_z.from, a_z.to, a_z.change), (30.0, 60.0, 30.0));
    assert!((a_z.cagr.unwrap() - (2f64.sqrt() - 1.0)).abs() < 1e-12);
    assert_eq!(a_z.to_rank, Some(1));
}
