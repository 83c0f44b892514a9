//! Engine tests: the fast path against the general pipeline, and thread-count independence.

use super::*;
use crate::{Framework, IndexMeta, Matrix, NodeSpec, Panel, Project, StepSpec, Text, Unit, Value, compute_with};

/// 12 units, 2 pillars of 3 indicators under an index; a few missing values; 2 periods.
fn project() -> Project {
    let fw = Framework::build(vec![
        NodeSpec::aggregate("I", None),
        NodeSpec::aggregate("P", Some("I")),
        NodeSpec::aggregate("Q", Some("I")).with_weight(2.0),
        NodeSpec::indicator("p1", "P"),
        NodeSpec::indicator("p2", "P").with_direction(-1.0),
        NodeSpec::indicator("p3", "P"),
        NodeSpec::indicator("q1", "Q"),
        NodeSpec::indicator("q2", "Q").with_weight(0.5),
        NodeSpec::indicator("q3", "Q"),
    ])
    .unwrap();
    let n = 12;
    let units: Vec<Unit> = (0..n).map(|i| Unit::new(&format!("u{i:02}"))).collect();
    let cols = ["p1", "p2", "p3", "q1", "q2", "q3"];
    let data: Vec<Matrix> = (0..2)
        .map(|t| {
            let c: Vec<Vec<f64>> = (0..cols.len())
                .map(|j| {
                    (0..n)
                        .map(|i| {
                            if (i + j + t) % 17 == 5 {
                                f64::NAN
                            } else {
                                let x = ((i * 7 + j * 13 + t * 3) % 23) as f64 + 1.0;
                                if j == 2 && i == 3 { x * 40.0 } else { x + 0.1 * j as f64 }
                            }
                        })
                        .collect()
                })
                .collect();
            Matrix::from_columns(n, &c).unwrap()
        })
        .collect();
    Project {
        meta: IndexMeta {
            name: Text::new("t", "t"),
            description: Text::default(),
            illustrative: true,
            illustrative_note: Text::default(),
            periods: vec!["2022".into(), "2023".into()],
        },
        units: units.clone(),
        framework: fw,
        series: Vec::new(),
        data: Panel {
            units: units.iter().map(|u| u.code.clone()).collect(),
            columns: cols.iter().map(|c| c.to_string()).collect(),
            periods: vec!["2022".into(), "2023".into()],
            data,
            notes: Vec::new(),
        },
        pipeline: vec![
            StepSpec::new("treat").with("winmax", Value::Int(2)),
            StepSpec::new("normalise").with("range", Value::Array(vec![Value::Int(1), Value::Int(100)])),
            StepSpec::new("aggregate").with("weights", Value::Table([("q3".to_string(), Value::Int(3))].into())),
        ],
        tiers: None,
    }
}

fn s(v: &str) -> Value {
    Value::Str(v.into())
}

fn inputs(p: &Project) -> Vec<Input> {
    let fw = &p.framework;
    let nominal: Vec<f64> = fw.nodes().iter().map(|n| n.spec.weight).collect();
    let e = |step: usize, k: &str, v: Value| Edit { step, path: vec![k.to_string()], value: v };
    vec![
        Input {
            name: "winmax".into(),
            kind: InputKind::Interval { step: 0, path: vec!["winmax".into()], lower: 0.0, upper: 4.0, integer: true },
        },
        Input {
            name: "norm".into(),
            kind: InputKind::Alternatives {
                alternatives: vec![
                    vec![e(1, "method", s("minmax"))],
                    vec![
                        e(1, "method", s("zscore")),
                        e(1, "mean_sd", Value::Array(vec![Value::Int(10), Value::Int(2)])),
                    ],
                ],
                labels: vec!["minmax".into(), "zscore".into()],
            },
        },
        Input {
            name: "weights".into(),
            kind: InputKind::WeightSets {
                step: 2,
                sets: noisy_weights(&nominal, fw, &[(NoiseScope::Level(1), 0.5), (NoiseScope::Level(2), 0.25)], 20, 4),
            },
        },
        Input {
            name: "agg".into(),
            kind: InputKind::Alternatives {
                alternatives: vec![vec![e(2, "method", s("amean"))], vec![e(2, "method", s("gmean"))]],
                labels: vec!["amean".into(), "gmean".into()],
            },
        },
        Input { name: "loo".into(), kind: InputKind::LeaveOneOut { step: 2, indicators: fw.indicators().to_vec() } },
    ]
}

fn settings(p: &Project) -> Settings {
    Settings {
        n: 40,
        seed: 11,
        sampling: Sampling::Mc,
        sensitivity: true,
        binning: Binning::Uniform,
        bootstrap: 50,
        target: p.framework.root(),
        period: 1,
        leave_one_out: true,
    }
}

#[test]
fn fast_path_equals_the_general_pipeline() {
    let p = project();
    let inputs = inputs(&p);
    let st = settings(&p);
    let out = analyse(&p, &inputs, &st, &|_| {}).unwrap();
    let d = inputs.len();
    assert_eq!(out.runs(), st.n * (d + 2));
    let mut checked = 0;
    for r in 0..out.runs() {
        // The run through `compute_with` with the same edits as `--set` would make.
        let mut specs = p.pipeline.clone();
        for (input, &c) in inputs.iter().zip(&out.choices[r * d..(r + 1) * d]) {
            for e in input.edits(c, &p.framework) {
                apply_edit(&mut specs, &e);
            }
        }
        let got = &out.scores[r * 12..(r + 1) * 12];
        match compute_with(&p, &specs) {
            Ok(res) => {
                assert!(!out.failed[r], "run {r} failed in the engine only");
                let want = res.periods[1].scores(p.framework.root());
                for (g, w) in got.iter().zip(want) {
                    assert!(g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()), "run {r}: {g} vs {w}");
                }
                checked += 1;
            }
            Err(_) => assert!(out.failed[r], "run {r} failed in the general pipeline only"),
        }
    }
    assert!(checked > out.runs() / 2, "most runs succeed ({checked})");
    // Leave-one-out against the general pipeline with the indicator's weight set to 0.
    let loo = out.loo.as_ref().unwrap();
    for (k, &ind) in loo.indicators.iter().enumerate() {
        let mut specs = p.pipeline.clone();
        apply_edit(
            &mut specs,
            &Edit { step: 2, path: vec!["weights".into(), p.framework.node(ind).code().into()], value: Value::Int(0) },
        );
        let res = compute_with(&p, &specs).unwrap();
        assert_eq!(&loo.scores[k * 12..(k + 1) * 12], res.periods[1].scores(p.framework.root()));
    }
}

#[test]
fn same_seed_same_results_whatever_the_thread_count() {
    let p = project();
    let inputs = inputs(&p);
    let st = settings(&p);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| analyse(&p, &inputs, &st, &|_| {}).unwrap())
    };
    let (a, b) = (run(1), run(4));
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.scores), bits(&b.scores));
    assert_eq!(a.ranks, b.ranks);
    assert_eq!(a.choices, b.choices);
    assert_eq!(a.rank_stats, b.rank_stats);
    assert_eq!(format!("{:?}", a.sobol), format!("{:?}", b.sobol));
    // A different seed gives a different sample.
    let c = analyse(&p, &inputs, &Settings { seed: 12, ..st }, &|_| {}).unwrap();
    assert_ne!(a.choices, c.choices);
}

#[test]
fn dry_run_names_the_input_and_the_choices() {
    let p = project();
    let mut bad = inputs(&p);
    bad[3].kind = InputKind::Alternatives {
        alternatives: vec![vec![Edit { step: 2, path: vec!["method".into()], value: s("median") }]],
        labels: vec!["median".into()],
    };
    let e = check_inputs(&p.pipeline, &p.framework, &bad).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("input 'agg'") && msg.contains("median") && msg.contains("amean, gmean"), "{msg}");
    let mut bad = inputs(&p);
    bad[0].kind = InputKind::Interval { step: 7, path: vec!["winmax".into()], lower: 0.0, upper: 1.0, integer: false };
    let msg = check_inputs(&p.pipeline, &p.framework, &bad).unwrap_err().to_string();
    assert!(msg.contains("treat, normalise, aggregate"), "{msg}");
    let mut bad = inputs(&p);
    bad[2].kind = InputKind::WeightSets { step: 1, sets: vec![vec![1.0; 9]] };
    assert!(matches!(check_inputs(&p.pipeline, &p.framework, &bad), Err(InputError::NotAggregate { .. })));
}

/// The Ishigami function (Ishigami and Homma 1990) on [−π, π]³ with a = 7, b = 0.1, from the
/// unit cube.
fn ishigami(u: &[f64]) -> f64 {
    use std::f64::consts::PI;
    let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

#[test]
fn ishigami_indices_match_the_analytic_values() {
    use std::f64::consts::PI;
    // Analytic (Saltelli et al. 2008, ch. 4): V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2,
    // V1 = (1 + bπ⁴/5)²/2, V2 = a²/8, V3 = 0, V13 = b²π⁸ (1/18 − 1/50).
    let (a, b) = (7.0, 0.1);
    let v = a * a / 8.0 + b * PI.powi(4) / 5.0 + b * b * PI.powi(8) / 18.0 + 0.5;
    let v1 = (1.0 + b * PI.powi(4) / 5.0).powi(2) / 2.0;
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let first = [v1 / v, v2 / v, 0.0];
    let total = [(v1 + v13) / v, v2 / v, v13 / v];
    for sampling in [Sampling::Sobol, Sampling::Mc] {
        let n = 1 << 14;
        let design = Design::saltelli(n, 3, sampling, 2).unwrap();
        let y: Vec<f64> = (0..design.rows()).map(|r| ishigami(design.row(r))).collect();
        let s = sobol_indices(&y, n, 3, &SobolOptions { bootstrap: 200, seed: 1, ..Default::default() });
        for i in 0..3 {
            // Tolerance from the estimator's own sampling error at this N: 4 bootstrap standard
            // deviations (the 5–95% bootstrap interval spans 3.29 sd; sd ≈ 0.01 at N = 16,384),
            // so the tolerance is about 0.04 — and the sd itself must be that small.
            let sd_s = (s[i].si_q95 - s[i].si_q5) / 3.29;
            let sd_t = (s[i].sti_q95 - s[i].sti_q5) / 3.29;
            let sd_j = (s[i].si_jansen_q95 - s[i].si_jansen_q5) / 3.29;
            assert!(
                (s[i].si - first[i]).abs() <= 4.0 * sd_s,
                "{sampling:?} S{}: {} vs {} (sd {sd_s})",
                i + 1,
                s[i].si,
                first[i]
            );
            assert!(
                (s[i].sti - total[i]).abs() <= 4.0 * sd_t,
                "{sampling:?} ST{}: {} vs {} (sd {sd_t})",
                i + 1,
                s[i].sti,
                total[i]
            );
            assert!(
                (s[i].si_jansen - first[i]).abs() <= 4.0 * sd_j,
                "{sampling:?} Jansen S{}: {} vs {}",
                i + 1,
                s[i].si_jansen,
                first[i]
            );
            assert!(sd_s < 0.02 && sd_t < 0.02, "{sampling:?}: the intervals are tight at this N ({sd_s}, {sd_t})");
        }
    }
}
