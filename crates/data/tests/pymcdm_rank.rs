//! TOPSIS and VIKOR against pymcdm 1.4.0 (PyPI), the oracle `tests/oracles/pymcdm_rank.py`, on two
//! real datasets:
//!
//! - ASEM (`examples/asem/asem.toml`, COINr's example, 51 countries × 49 indicators):
//!   (a) the COINr-default normalised data (min-max 0–100 over all 51 units), rows without a
//!   missing value (31 units), all 49 indicators as one problem with their effective weights,
//!   through the aggregators directly; (b) the whole tree through the pipeline, with incomplete
//!   units screened out first (`screen` with `dat_thresh = 1`): every aggregate (8 pillars, 2
//!   sub-indices, the index) against pymcdm on its children's scores;
//! - the GBA context panel (`examples/gba/panel.toml`, 11 cities, real official statistics) with
//!   its own pipeline (carry imputation, goalposts): every aggregate of period 2023.
//!
//! Each problem is solved four ways — TOPSIS (pymcdm's default min-max normalisation), TOPSIS with
//! vector normalisation, VIKOR with v = 0.5 and v = 0.3 — and compared to 1e-9 on the methods'
//! own scale (closeness C, compromise index Q; baydex writes `100·C` and `100·(1 − Q)`).
//!
//! The test FAILS when python3 or pymcdm 1.4.0 is missing: `pip install pymcdm==1.4.0`
//! (`scripts/test.sh` installs it).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use baydex_core::aggregate::{AggInput, Aggregator, Topsis, TopsisNormalisation, Vikor};
use baydex_core::{Project, Results, StepSpec, Value, compute, compute_with};
use baydex_data::load_project_path;
use serde_json::{Value as Json, json};

/// Absolute tolerance on C and Q (both in [0, 1]). The two implementations do the same
/// arithmetic in a different order (numpy sums pairwise); differences are ~1e-15.
const TOL: f64 = 1e-9;

/// The four variants: (oracle key, baydex aggregate step options, how a score maps to C or Q).
const VARIANTS: &[(&str, &str, &str)] = &[
    ("topsis", "topsis", "minmax"),
    ("topsis_vector", "topsis", "vector"),
    ("vikor", "vikor", "0.5"),
    ("vikor_v03", "vikor", "0.3"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(rel: &str) -> Project {
    load_project_path(&root().join(rel)).unwrap_or_else(|d| panic!("{d}")).project
}

/// One decision problem: units × criteria (benefit), weights summing to 1.
struct Problem {
    id: String,
    matrix: Vec<Vec<f64>>,
    weights: Vec<f64>,
}

/// Runs the oracle on every problem; panics (fails the test) when python3 or pymcdm is missing.
fn oracle(problems: &[Problem]) -> BTreeMap<String, BTreeMap<String, Vec<f64>>> {
    let script = root().join("tests/oracles/pymcdm_rank.py");
    let request = json!({
        "problems": problems.iter().map(|p| json!({"id": p.id, "matrix": p.matrix, "weights": p.weights})).collect::<Vec<_>>()
    });
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}): this test needs python3 with pymcdm 1.4.0 (pip install pymcdm==1.4.0)")
        });
    child.stdin.take().unwrap().write_all(request.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the pymcdm oracle failed (pip install pymcdm==1.4.0):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pymcdm"], "1.4.0");
    let mut res = BTreeMap::new();
    for (id, methods) in v["results"].as_object().unwrap() {
        let mut m = BTreeMap::new();
        for (name, xs) in methods.as_object().unwrap() {
            m.insert(name.clone(), xs.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect());
        }
        res.insert(id.clone(), m);
    }
    res
}

fn normalised(w: &[f64]) -> Vec<f64> {
    let s: f64 = w.iter().sum();
    w.iter().map(|x| x / s).collect()
}

/// Compares a baydex score (0–100) with the oracle's C (TOPSIS) or Q (VIKOR); returns the largest
/// difference.
fn compare(id: &str, variant: &str, baydex: &[f64], oracle: &[f64]) -> f64 {
    assert_eq!(baydex.len(), oracle.len(), "{id}/{variant}");
    let mut worst: f64 = 0.0;
    for (k, (&b, &o)) in baydex.iter().zip(oracle).enumerate() {
        let ours = if variant.starts_with("vikor") { 1.0 - b / 100.0 } else { b / 100.0 };
        let d = (ours - o).abs();
        assert!(d < TOL, "{id}/{variant}: unit {k}: baydex {ours} vs pymcdm {o}");
        worst = worst.max(d);
    }
    worst
}

/// The aggregate step of `pipeline` replaced by one using `method` with `options` everywhere.
fn with_method(pipeline: &[StepSpec], method: &str, options: &[(&str, Value)]) -> Vec<StepSpec> {
    let table = Value::Table(options.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
    pipeline
        .iter()
        .map(|s| {
            if s.step == "aggregate" {
                StepSpec::new("aggregate").with("method", Value::Str(method.into())).with("options", table.clone())
            } else {
                s.clone()
            }
        })
        .collect()
}

fn variant_options(variant: &(&str, &str, &str)) -> Vec<(&'static str, Value)> {
    match variant.1 {
        "topsis" => vec![("normalisation", Value::Str(variant.2.into()))],
        _ => vec![("v", Value::Float(variant.2.parse().unwrap()))],
    }
}

/// Every aggregate of every selected period of a run: the problem (children's scores, children's
/// weights) and baydex's scores of the node.
fn tree_problems(project: &Project, results: &Results, periods: &[&str], tag: &str) -> Vec<(Problem, Vec<f64>)> {
    let fw = &project.framework;
    let mut out = Vec::new();
    for pr in results.periods.iter().filter(|p| periods.contains(&p.period.as_str())) {
        for &a in fw.aggregates() {
            let kids = &fw.node(a).children;
            let matrix: Vec<Vec<f64>> =
                (0..pr.units().len()).map(|u| kids.iter().map(|&c| pr.scores(c)[u]).collect()).collect();
            assert!(
                matrix.iter().flatten().all(|x| x.is_finite()),
                "{tag}: missing values under {}",
                fw.node(a).code()
            );
            let weights = normalised(&kids.iter().map(|&c| pr.weights[c]).collect::<Vec<_>>());
            let id = format!("{tag}/{}/{}", pr.period, fw.node(a).code());
            out.push((Problem { id, matrix, weights }, pr.scores(a).to_vec()));
        }
    }
    out
}

#[test]
fn topsis_and_vikor_match_pymcdm_on_asem_and_gba() {
    let mut problems: Vec<Problem> = Vec::new();
    // (problem id, variant) → baydex scores.
    let mut ours: BTreeMap<(String, &str), Vec<f64>> = BTreeMap::new();

    // (a) ASEM, COINr-default normalised data, complete rows, all indicators as one problem.
    let asem = load("examples/asem/asem.toml");
    let r = compute(&asem).unwrap();
    let pr = &r.periods[0];
    let fw = &asem.framework;
    let inds = fw.indicators();
    let complete: Vec<usize> =
        (0..pr.units().len()).filter(|&u| inds.iter().all(|&j| pr.scores(j)[u].is_finite())).collect();
    assert_eq!(complete.len(), 31, "ASEM rows without a missing value");
    let cols: Vec<Vec<f64>> = inds.iter().map(|&j| complete.iter().map(|&u| pr.scores(j)[u]).collect()).collect();
    let weights: Vec<f64> = inds.iter().map(|&j| r.effective_weights[j]).collect();
    let units: Vec<String> = complete.iter().map(|&u| pr.units()[u].clone()).collect();
    let codes: Vec<&str> = inds.iter().map(|&j| fw.node(j).code()).collect();
    let slices: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let input = AggInput { children: &slices, weights: &weights, units: &units, child_codes: &codes, node: "all" };
    let id = "asem/normalised/all-indicators".to_string();
    for v in VARIANTS {
        let agg: Box<dyn Aggregator> = match (v.1, v.2) {
            ("topsis", "vector") => Box::new(Topsis { normalisation: TopsisNormalisation::Vector, scale: 100.0 }),
            ("topsis", _) => Box::new(Topsis::default()),
            (_, v) => Box::new(Vikor { v: v.parse().unwrap(), scale: 100.0 }),
        };
        let mut out = vec![0.0; units.len()];
        agg.aggregate(&input, &mut out).unwrap();
        ours.insert((id.clone(), v.0), out);
    }
    problems.push(Problem {
        id,
        matrix: (0..units.len()).map(|u| cols.iter().map(|c| c[u]).collect()).collect(),
        weights: normalised(&weights),
    });

    // (b) ASEM through the pipeline, incomplete units screened out; (c) GBA panel, 2023.
    let screen = StepSpec::new("screen").with("dat_thresh", Value::Float(1.0));
    let asem_pipeline: Vec<StepSpec> = std::iter::once(screen).chain(asem.pipeline.iter().cloned()).collect();
    let gba = load("examples/gba/panel.toml");
    for v in VARIANTS {
        let opts = variant_options(v);
        for (project, pipeline, periods, tag) in
            [(&asem, &asem_pipeline, &["2018"][..], "asem"), (&gba, &gba.pipeline, &["2023"][..], "gba")]
        {
            let results = compute_with(project, &with_method(pipeline, v.1, &opts)).unwrap();
            for (p, scores) in tree_problems(project, &results, periods, &format!("{tag}-{}", v.0)) {
                ours.insert((p.id.clone(), v.0), scores);
                problems.push(p);
            }
        }
    }

    let res = oracle(&problems);
    let mut worst: BTreeMap<&str, f64> = BTreeMap::new();
    let mut compared = 0;
    for ((id, variant), scores) in &ours {
        let want = &res[id][*variant];
        let w = compare(id, variant, scores, want);
        let e = worst.entry(variant).or_default();
        *e = e.max(w);
        compared += scores.len();
    }
    // 1 + 11 ASEM problems and 3 GBA problems per variant.
    assert_eq!(ours.len(), 4 * (1 + 11 + 3), "{:?}", ours.keys().collect::<Vec<_>>());
    eprintln!("compared {compared} scores with pymcdm 1.4.0; largest differences: {worst:?}");
}
