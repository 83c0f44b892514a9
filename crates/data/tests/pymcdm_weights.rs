//! Oracle test: baydex's entropy, CRITIC and standard-deviation weights against pymcdm 1.4.0
//! (PyPI; Python 3.11, numpy 2.x) on two real datasets, through `tests/oracles/pymcdm_weights.py`.
//!
//! - **ASEM** (`examples/asem/asem.toml`, 51 countries, 2018): the min-max [0, 100] `Normalised`
//!   indicators of each of the 8 pillars and all 49 together, and the pillar scores (`Aggregated`)
//!   within each sub-index.
//! - **GBA context data** (`examples/gba/panel.toml`, 11 cities): the 2023 `Raw` and
//!   `Denominated` values of its 4 indicators, by dimension and all 4 together, and the
//!   `Denominated` values of every period pooled (the `pool = true` variant).
//!
//! baydex gets the full columns, missing values included, and drops incomplete rows itself; the
//! oracle gets the complete rows, selected here independently. Entropy is compared for
//! `shift = "none"`, `"min"` and `1` (the script applies the same shift before calling pymcdm);
//! where pymcdm refuses (a value ≤ 0 without a shift) baydex must refuse too.
//!
//! The test fails, never skips, when python3 or pymcdm 1.4.0 is missing: `scripts/test.sh`
//! installs them (`pip install pymcdm==1.4.0`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use baydex_core::weight::{self, WeightInput};
use baydex_core::{Dataset, ParamReader, Params, Project, Results, Value, compute};
use baydex_data::load_project_path;
use serde_json::Value as Json;

/// Absolute tolerance on weights (which lie in [0, 1]). pymcdm and baydex evaluate the same
/// formulas; they differ only in summation order (numpy's pairwise sums against compensated
/// sums), which moves weights by ~1e-15.
const TOL: f64 = 1e-9;

/// The entropy shifts compared (baydex `shift`, and the oracle's `--shift`).
const SHIFTS: &[&str] = &["none", "min", "1"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One matrix: the children of a group as baydex sees them.
struct Case {
    dataset: &'static str,
    name: String,
    codes: Vec<String>,
    /// One column per child, NaN = missing (the current period when pooled).
    columns: Vec<Vec<f64>>,
    /// Every period's columns when pooled, else empty.
    panel: Vec<Vec<Vec<f64>>>,
}

impl Case {
    fn new(dataset: &'static str, name: String, codes: &[&str], stages: &[&Dataset], pooled: bool) -> Case {
        let cols = |d: &Dataset| -> Vec<Vec<f64>> {
            codes.iter().map(|c| d.values(c).unwrap_or_else(|| panic!("{name}: no column {c}")).to_vec()).collect()
        };
        let panel: Vec<Vec<Vec<f64>>> = if pooled { stages.iter().map(|d| cols(d)).collect() } else { Vec::new() };
        Case {
            dataset,
            name: name.clone(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
            columns: cols(stages[stages.len() - 1]),
            panel,
        }
    }

    /// The rows on which every child has a value (all periods stacked when pooled).
    fn complete_rows(&self) -> Vec<Vec<f64>> {
        let blocks: Vec<&Vec<Vec<f64>>> =
            if self.panel.is_empty() { vec![&self.columns] } else { self.panel.iter().collect() };
        let mut rows = Vec::new();
        for cols in blocks {
            for i in 0..cols[0].len() {
                let row: Vec<f64> = cols.iter().map(|c| c[i]).collect();
                if row.iter().all(|v| v.is_finite()) {
                    rows.push(row);
                }
            }
        }
        rows
    }

    fn csv(&self) -> String {
        let mut s = self.codes.join(",");
        s.push('\n');
        for row in self.complete_rows() {
            let cells: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
            writeln!(s, "{}", cells.join(",")).unwrap();
        }
        s
    }

    /// baydex's weights by a registered method with the given parameters.
    fn baydex(&self, method: &str, params: &Params) -> Baydex {
        let info = weight::registry().iter().find(|m| m.name == method).expect("registered");
        let m = (info.build)(&ParamReader::new(params, info.params).unwrap()).unwrap();
        let codes: Vec<&str> = self.codes.iter().map(String::as_str).collect();
        let kids: Vec<&[f64]> = self.columns.iter().map(Vec::as_slice).collect();
        let panel: Vec<Vec<&[f64]>> = self.panel.iter().map(|p| p.iter().map(Vec::as_slice).collect()).collect();
        let prior = vec![1.0; codes.len()];
        m.weights(&WeightInput { node: &self.name, child_codes: &codes, children: &kids, panel: &panel, prior: &prior })
    }
}

fn load(rel: &str) -> (Project, Results) {
    let p = load_project_path(&root().join(rel)).unwrap_or_else(|d| panic!("{d}")).project;
    let r = compute(&p).unwrap();
    (p, r)
}

fn children(p: &Project, node: &str) -> Vec<String> {
    let fw = &p.framework;
    fw.node(fw.find(node).unwrap()).children.iter().map(|&c| fw.node(c).code().to_string()).collect()
}

fn asem_cases() -> Vec<Case> {
    let (p, r) = load("examples/asem/asem.toml");
    let fw = &p.framework;
    let norm = r.periods[0].stage("Normalised").unwrap();
    let agg = r.periods[0].scores_dataset();
    let mut cases = Vec::new();
    for &a in fw.aggregates() {
        let kids = children(&p, fw.node(a).code());
        let codes: Vec<&str> = kids.iter().map(String::as_str).collect();
        let level1 = fw.node(a).children.iter().all(|&c| fw.node(c).is_indicator());
        let stage = if level1 { norm } else { agg };
        let what = if level1 { "Normalised" } else { "Aggregated" };
        cases.push(Case::new("ASEM", format!("{} ({what})", fw.node(a).code()), &codes, &[stage], false));
    }
    let all: Vec<&str> = fw.indicators().iter().map(|&i| fw.node(i).code()).collect();
    assert_eq!(all.len(), 49);
    cases.push(Case::new("ASEM", "all 49 indicators (Normalised)".into(), &all, &[norm], false));
    cases
}

fn gba_cases() -> Vec<Case> {
    let (p, r) = load("examples/gba/panel.toml");
    let k = r.periods.iter().position(|pr| pr.period == "2023").expect("2023");
    let groups: Vec<(String, Vec<String>)> = vec![
        ("LVL".into(), children(&p, "LVL")),
        ("SIZE".into(), children(&p, "SIZE")),
        ("all 4".into(), ["GDPPC", "EMPR", "POPN", "GDP"].iter().map(|s| s.to_string()).collect()),
    ];
    let mut cases = Vec::new();
    for (g, kids) in &groups {
        let codes: Vec<&str> = kids.iter().map(String::as_str).collect();
        for stage in ["Raw", "Denominated"] {
            let d = r.periods[k].stage(stage).unwrap();
            assert_eq!(d.units.len(), 11);
            cases.push(Case::new("GBA", format!("{g} 2023 ({stage})"), &codes, &[d], false));
        }
        let all: Vec<&Dataset> = r.periods.iter().map(|pr| pr.stage("Denominated").unwrap()).collect();
        let name =
            format!("{g} {}–{} pooled (Denominated)", r.periods[0].period, r.periods[r.periods.len() - 1].period);
        cases.push(Case::new("GBA", name, &codes, &all, true));
    }
    cases
}

/// Runs the oracle on every case; returns its JSON per case.
fn oracle(cases: &[Case]) -> (Json, Vec<Json>) {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let path = dir.path().join(format!("m{i}.csv"));
        std::fs::write(&path, c.csv()).unwrap();
        paths.push(path.to_string_lossy().into_owned());
    }
    let script = root().join("tests/oracles/pymcdm_weights.py");
    let mut cmd = Command::new("python3");
    cmd.arg(&script);
    for s in SHIFTS {
        cmd.arg("--shift").arg(s);
    }
    cmd.args(&paths);
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run python3 ({e}): this test needs python3 with pymcdm 1.4.0 (bash scripts/test.sh installs them)"
        )
    });
    assert!(
        out.status.success(),
        "the pymcdm oracle failed ({}): {}\n(install it with: pip install pymcdm==1.4.0)",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Json = serde_json::from_slice(&out.stdout).expect("the oracle prints JSON");
    let per_case = paths.iter().map(|p| json["matrices"][p].clone()).collect();
    (json["versions"].clone(), per_case)
}

/// baydex's weights, or its refusal.
type Baydex = Result<Vec<f64>, weight::WeightError>;

fn floats(v: &Json) -> Option<Vec<f64>> {
    v.as_array()?.iter().map(Json::as_f64).collect()
}

fn shift_param(s: &str) -> Params {
    let v = match s {
        "none" | "min" => Value::Str(s.into()),
        n => Value::Int(n.parse().unwrap()),
    };
    [("shift".to_string(), v)].into_iter().collect()
}

#[test]
fn entropy_critic_and_std_agree_with_pymcdm() {
    let mut cases = asem_cases();
    cases.extend(gba_cases());
    let (versions, want) = oracle(&cases);
    // (dataset, method) → (max abs diff, matrices compared, matrices both refused)
    let mut summary: BTreeMap<(&str, String), (f64, usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for (c, w) in cases.iter().zip(&want) {
        assert_eq!(w["rows"].as_u64().unwrap() as usize, c.complete_rows().len(), "{}", c.name);
        println!("{} {}: {} children, {} complete rows", c.dataset, c.name, c.codes.len(), c.complete_rows().len());
        let mut checks: Vec<(String, Baydex, &Json)> = vec![
            ("critic".into(), c.baydex("critic", &Params::new()), &w["critic"]),
            ("std".into(), c.baydex("std", &Params::new()), &w["std"]),
        ];
        for s in SHIFTS {
            checks.push((format!("entropy shift={s}"), c.baydex("entropy", &shift_param(s)), &w["entropy"][*s]));
        }
        for (method, got, oracle) in checks {
            let entry = summary.entry((c.dataset, method.clone())).or_insert((0.0, 0, 0));
            match (got, floats(oracle)) {
                (Ok(got), Some(exp)) => {
                    assert_eq!(got.len(), exp.len(), "{} {method}", c.name);
                    let d = got.iter().zip(&exp).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
                    entry.0 = entry.0.max(d);
                    entry.1 += 1;
                    if d > TOL {
                        failures.push(format!("{} {method}: baydex {got:?}, pymcdm {exp:?}, max diff {d:e}", c.name));
                    }
                }
                // pymcdm refuses (ValueError) or gives NaN weights: baydex must refuse too.
                (Err(_), None) => entry.2 += 1,
                (got, _) => failures.push(format!("{} {method}: baydex {got:?}, pymcdm {oracle}", c.name)),
            }
        }
    }
    println!("pymcdm oracle: {versions}");
    println!("{:<6} {:<20} {:>12} {:>9} {:>13}", "data", "method", "max |diff|", "compared", "both refuse");
    for ((d, m), (diff, n, refused)) in &summary {
        println!("{d:<6} {m:<20} {diff:>12.3e} {n:>9} {refused:>13}");
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
    // Every method is compared on both datasets.
    for d in ["ASEM", "GBA"] {
        for m in ["critic", "std", "entropy shift=min", "entropy shift=1"] {
            assert!(summary[&(d, m.to_string())].1 > 0, "{d} {m}: nothing compared");
        }
    }
    assert!(summary[&("GBA", "entropy shift=none".to_string())].1 > 0);
}
