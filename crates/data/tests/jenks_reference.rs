//! Oracle test: natural-breaks tiers (`[tiers] method = "jenks"`) against jenkspy 0.4.1 (PyPI;
//! Python 3.11, numpy 2.x) on real data, through `tests/oracles/jenks_oracle.py`.
//!
//! - **ASEM** (`examples/asem/asem.toml`, 51 countries, 2018): the index scores.
//! - **GBA context panel** (`examples/gba/panel.toml`, 11 cities): the index scores of every
//!   period.
//!
//! For k = 3, 4 and 5 the project's tiers are replaced by k data-driven bands on the index and the
//! whole pipeline runs; then, for every period, the breaks (`baydex_core::tier::jenks::jenks_breaks`
//! against `jenkspy.jenks_breaks`), the tier lower breaks kept in the results
//! (`PeriodResult::tier_breaks`) and every unit's class (against `JenksNaturalBreaks.labels_`)
//! agree.
//!
//! The test fails, never skips, when python3 or jenkspy 0.4.1 is missing: `scripts/test.sh`
//! installs them (`pip install jenkspy==0.4.1`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use baydex_core::tier::jenks;
use baydex_core::{Project, Results, Text, TierBand, TierScheme, compute};
use baydex_data::load_project_path;
use serde_json::{Value as Json, json};

/// Absolute tolerance on breaks. Both sides return elements of the same sorted scores (scores
/// are O(1)–O(100)), so they agree exactly when the partitions agree and differ by at least the gap
/// between two scores otherwise; 1e-12 only absorbs printing.
const TOL: f64 = 1e-12;

/// Numbers of classes compared.
const KS: [usize; 3] = [3, 4, 5];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(rel: &str) -> Project {
    load_project_path(&root().join(rel)).unwrap_or_else(|d| panic!("{d}")).project
}

/// `k` natural-breaks bands on the index only.
fn jenks_tiers(p: &Project, k: usize) -> TierScheme {
    TierScheme {
        method: "jenks".into(),
        bands: (1..=k).map(|i| TierBand { code: format!("T{i}"), name: Text::new("", ""), min: None }).collect(),
        nodes: Some(vec![p.framework.node(p.framework.root()).code().to_string()]),
    }
}

/// One comparison: a dataset's index scores in one period (finite ones; both sides drop missing).
struct Case {
    name: String,
    scores: Vec<f64>,
}

fn cases(label: &str, p: &Project, r: &Results) -> Vec<Case> {
    let root = p.framework.root();
    r.periods
        .iter()
        .map(|pr| Case {
            name: format!("{label} {}", pr.period),
            scores: pr.scores(root).iter().copied().filter(|x| x.is_finite()).collect(),
        })
        .collect()
}

/// Runs the oracle on every case; panics (the test fails) when python3 or jenkspy is missing.
fn oracle(cases: &[Case]) -> Json {
    let request = json!({
        "cases": cases.iter().map(|c| json!({"name": c.name, "values": c.scores, "k": KS})).collect::<Vec<_>>(),
    });
    let script = root().join("tests/oracles/jenks_oracle.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is installed by scripts/test.sh");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin.write_all(request.to_string().as_bytes()).expect("writing the oracle's input");
    }
    let out = child.wait_with_output().expect("running the oracle");
    assert!(
        out.status.success(),
        "{} failed (install jenkspy==0.4.1; scripts/test.sh does):\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Json = serde_json::from_slice(&out.stdout).expect("the oracle prints JSON");
    assert_eq!(v["versions"]["jenkspy"], "0.4.1");
    v
}

fn floats(v: &Json) -> Vec<f64> {
    v.as_array().expect("an array").iter().map(|x| x.as_f64().expect("a number")).collect()
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= TOL)
}

#[test]
fn natural_breaks_agree_with_jenkspy_on_asem_and_the_gba_panel() {
    let datasets = [("ASEM", "examples/asem/asem.toml"), ("GBA panel", "examples/gba/panel.toml")];
    let mut all_cases = Vec::new();
    let mut runs = Vec::new(); // (label, project, k, results with k jenks bands)
    for (label, rel) in datasets {
        let base = load(rel);
        let r = compute(&base).unwrap_or_else(|e| panic!("{label}: {e}"));
        all_cases.extend(cases(label, &base, &r));
        for k in KS {
            let mut p = base.clone();
            p.tiers = Some(jenks_tiers(&p, k));
            let r = compute(&p).unwrap_or_else(|e| panic!("{label}, k = {k}: {e}"));
            runs.push((label, p, k, r));
        }
    }
    // The real data: 51 ASEM countries in one period, 11 GBA cities in every period of the panel.
    assert_eq!(all_cases.iter().filter(|c| c.name.starts_with("ASEM")).map(|c| c.scores.len()).sum::<usize>(), 51);
    assert!(all_cases.iter().filter(|c| c.name.starts_with("GBA")).count() >= 20);

    let want = oracle(&all_cases);
    let mut compared = 0;
    for (label, p, k, r) in &runs {
        let root = p.framework.root();
        for pr in &r.periods {
            let name = format!("{label} {}", pr.period);
            let w = &want["cases"][&name][k.to_string()];
            let breaks = floats(&w["breaks"]);
            let labels: Vec<usize> =
                w["labels"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect();

            // Breaks: [min, b_1, …, b_{k−1}, max], from the sorted finite scores.
            let mut sorted: Vec<f64> = pr.scores(root).iter().copied().filter(|x| x.is_finite()).collect();
            sorted.sort_by(f64::total_cmp);
            let got = jenks::jenks_breaks(&sorted, *k);
            assert!(close(&got, &breaks), "{name}, k = {k}: baydex {got:?}, jenkspy {breaks:?}");
            for b in &got {
                assert!(sorted.contains(b), "{name}, k = {k}: break {b} is not a score");
            }

            // The tier lower breaks kept in the results: the smallest score above each b_c, best
            // first (the lowest class starts at the minimum).
            let mut lower: Vec<f64> = std::iter::once(breaks[0])
                .chain(breaks[1..*k].iter().map(|&b| sorted.iter().copied().find(|&x| x > b).unwrap()))
                .collect();
            lower.reverse();
            let kept = pr.tier_breaks(root).expect("the index is tiered");
            assert!(close(kept, &lower), "{name}, k = {k}: tier breaks {kept:?}, from jenkspy {lower:?}");

            // Classes: jenkspy's label c (0 = lowest) is band k − 1 − c (0 = best).
            let finite: Vec<usize> = (0..pr.units().len()).filter(|&u| pr.scores(root)[u].is_finite()).collect();
            assert_eq!(finite.len(), labels.len(), "{name}");
            for (&u, &c) in finite.iter().zip(&labels) {
                assert_eq!(
                    pr.tiers(root)[u],
                    Some(k - 1 - c),
                    "{name}, k = {k}: unit {} (score {}) in band {:?}, jenkspy class {c}",
                    pr.units()[u],
                    pr.scores(root)[u],
                    pr.tiers(root)[u]
                );
            }
            compared += 1;
        }
    }
    assert_eq!(compared, all_cases.len() * KS.len());
}
