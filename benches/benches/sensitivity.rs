//! Uncertainty and sensitivity analysis (`baydex_core::sensitivity`):
//!
//! * `sa_asem_coinr_n1000`: COINr's sensitivity vignette on ASEM (`examples/asem/asem_sensitivity.toml`:
//!   winmax, normalisation, 100 noisy weight sets, aggregation; Saltelli design, N = 1000, so
//!   6,000 pipeline runs, plus ranks, rank statistics and Sobol indices with 100 bootstrap
//!   resamples). COINr 1.1.14 needs 0.12–0.17 s per run (`tests/fixtures/coinr/sensitivity/*/timing.txt`,
//!   README: 1,038.7 s for this N); `bench/sensitivity_vs_coinr.sh` prints the ratio.
//! * `sa_gba_default_100k`: the default analysis of the embedded GBA index (3 inputs) with
//!   N = 20,000: 100,000 runs.
//! * `sa_synthetic/<units>x<indicators>`: normalise → aggregate on synthetic data (indicators in
//!   groups of 10, groups in one index), 3 inputs (normalisation, aggregation, noisy weights),
//!   N = 200 (1,000 runs), to show how the cost scales with units × indicators.

use std::path::Path;

use baydex_core::sensitivity::{
    self, Binning, Edit, Input, InputKind, NoiseScope, Sampling, Settings, noisy_weights, uniform,
};
use baydex_core::{Framework, IndexMeta, Matrix, NodeSpec, Panel, Project, StepSpec, Text, Unit, Value};
use baydex_data::sensitivity::{Overrides, default_spec, resolve};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn load(rel: &str) -> baydex_data::LoadedProject {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    baydex_data::load_project_path(&root.join(rel)).unwrap_or_else(|d| panic!("{d}"))
}

fn synthetic(units: usize, indicators: usize) -> Project {
    let groups = indicators.div_ceil(10);
    let mut specs = vec![NodeSpec::aggregate("I", None)];
    for g in 0..groups {
        specs.push(NodeSpec::aggregate(&format!("G{g}"), Some("I")));
    }
    for k in 0..indicators {
        specs.push(NodeSpec::indicator(&format!("x{k}"), &format!("G{}", k / 10)));
    }
    let fw = Framework::build(specs).unwrap();
    let cols: Vec<Vec<f64>> = (0..indicators)
        .map(|k| (0..units).map(|u| 1.0 + 100.0 * uniform(3, 9, u as u64, k as u64)).collect())
        .collect();
    let units_v: Vec<Unit> = (0..units).map(|u| Unit::new(&format!("u{u}"))).collect();
    Project {
        meta: IndexMeta {
            name: Text::new("synthetic", "合成"),
            description: Text::default(),
            illustrative: true,
            illustrative_note: Text::default(),
            periods: vec!["1".into()],
        },
        units: units_v.clone(),
        framework: fw,
        series: Vec::new(),
        data: Panel {
            units: units_v.iter().map(|u| u.code.clone()).collect(),
            columns: (0..indicators).map(|k| format!("x{k}")).collect(),
            periods: vec!["1".into()],
            data: vec![Matrix::from_columns(units, &cols).unwrap()],
            notes: Vec::new(),
        },
        pipeline: vec![StepSpec::new("normalise"), StepSpec::new("aggregate")],
        tiers: None,
    }
}

fn synthetic_inputs(p: &Project) -> Vec<Input> {
    let e = |step: usize, k: &str, v: Value| Edit { step, path: vec![k.into()], value: v };
    let pair = |a: i64, b: i64| Value::Array(vec![Value::Int(a), Value::Int(b)]);
    let nominal: Vec<f64> = p.framework.nodes().iter().map(|n| n.spec.weight).collect();
    vec![
        Input {
            name: "Normalisation".into(),
            kind: InputKind::Alternatives {
                alternatives: vec![
                    vec![e(0, "range", pair(1, 100))],
                    vec![e(0, "method", Value::Str("zscore".into())), e(0, "mean_sd", pair(50, 10))],
                ],
                labels: vec!["minmax".into(), "zscore".into()],
            },
        },
        Input {
            name: "Aggregation".into(),
            kind: InputKind::Alternatives {
                alternatives: vec![
                    vec![e(1, "method", Value::Str("amean".into()))],
                    vec![e(1, "method", Value::Str("gmean".into()))],
                ],
                labels: vec!["amean".into(), "gmean".into()],
            },
        },
        Input {
            name: "Weights".into(),
            kind: InputKind::WeightSets {
                step: 1,
                sets: noisy_weights(
                    &nominal,
                    &p.framework,
                    &[(NoiseScope::Level(1), 0.25), (NoiseScope::Level(2), 0.25)],
                    100,
                    1,
                ),
            },
        },
    ]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("sensitivity");
    g.sample_size(10);
    let asem = load("examples/asem/asem_sensitivity.toml");
    let spec = asem.sensitivity.clone().unwrap();
    let (inputs, mut st) = resolve(&spec, &asem.project, &Overrides { n: Some(1000), ..Default::default() }).unwrap();
    st.leave_one_out = false;
    g.bench_function("sa_asem_coinr_n1000", |b| {
        b.iter(|| sensitivity::analyse(&asem.project, &inputs, &st, &|_| {}).unwrap())
    });
    let gba = load("examples/gba/gba.toml");
    let spec = default_spec(&gba.project).unwrap();
    let (inputs, mut st) = resolve(&spec, &gba.project, &Overrides { n: Some(20_000), ..Default::default() }).unwrap();
    st.leave_one_out = false;
    g.bench_function("sa_gba_default_100k", |b| {
        b.iter(|| sensitivity::analyse(&gba.project, &inputs, &st, &|_| {}).unwrap())
    });
    for (units, indicators) in [(300, 50), (1000, 100), (3000, 200)] {
        let p = synthetic(units, indicators);
        let inputs = synthetic_inputs(&p);
        let st = Settings {
            n: 200,
            seed: 1,
            sampling: Sampling::Mc,
            sensitivity: true,
            binning: Binning::Uniform,
            bootstrap: 100,
            target: p.framework.root(),
            period: 0,
            leave_one_out: false,
        };
        g.bench_with_input(BenchmarkId::new("sa_synthetic", format!("{units}x{indicators}")), &p, |b, p| {
            b.iter(|| sensitivity::analyse(p, &inputs, &st, &|_| {}).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
