//! The `ahp` weighting method against ahpy 2.1 (Python; `tests/oracles/ahp_oracle.py`), and in a
//! project file.
//!
//! The oracle computes six matrices — Saaty's drinks (2008) and chairs (1977), the AHP leader
//! example (4 × 4 and 3 × 3), the OECD Handbook's TAI judgements (Table 20, 8 × 8) and a
//! consistent 3 × 3 — with `precision = 12` (ahpy's default, 4, rounds to 10⁻⁴) and both of
//! ahpy's random-index tables. Its output is stored in `tests/fixtures/ahp/ahpy_2.1.json`
//! (ahpy 2.1, numpy 2.4, Python 3.11), compared here, and the oracle is also run live (python3 and
//! ahpy are installed by `scripts/test.sh`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use baydex_core::weight::{self, Ahp};
use baydex_core::{Error, ParamReader, Params, Value, compute};
use serde_json::Value as Json;

/// Weights, CR and λmax against ahpy's: ahpy rounds to 12 decimals (≤ 5·10⁻¹³) after converging
/// to that rounding; baydex's power iteration converges to 10⁻¹⁵. 10⁻⁹ leaves room for neither
/// more nor less than that (measured differences are reported by the test).
const TOL: f64 = 1e-9;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `ahp` method with one matrix (entries as the oracle writes them, e.g. "1/3").
fn ahp(matrix: &Json, random_index: &str) -> Ahp {
    let rows: Vec<Value> = matrix
        .as_array()
        .unwrap()
        .iter()
        .map(|r| Value::Array(r.as_array().unwrap().iter().map(|x| Value::Str(x.as_str().unwrap().into())).collect()))
        .collect();
    let mut p = Params::new();
    p.insert("matrices".into(), Value::Table([("G".to_string(), Value::Array(rows))].into()));
    p.insert("random_index".into(), Value::Str(random_index.into()));
    p.insert("accept_inconsistent".into(), Value::Bool(true));
    let info = weight::registry().iter().find(|m| m.name == "ahp").unwrap();
    let r = ParamReader::new(&p, info.params).unwrap();
    Ahp::from_params(&r).unwrap()
}

/// Compares every case of an oracle output; returns the largest differences (weights, CR, λmax).
fn compare(oracle: &Json, what: &str) -> (f64, f64, f64) {
    let (mut dw, mut dcr, mut dl) = (0.0_f64, 0.0_f64, 0.0_f64);
    let cases = oracle["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 6, "{what}: cases");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        for ri in ["saaty", "dd"] {
            let a = ahp(&case["matrix"], ri);
            let f = a.fit_of("G").unwrap();
            for (j, want) in case["weights"].as_array().unwrap().iter().enumerate() {
                let d = (f.weights[j] - want.as_f64().unwrap()).abs();
                assert!(d <= TOL, "{what} {name}: weight {j} {} vs ahpy {want}", f.weights[j]);
                dw = dw.max(d);
            }
            let want = case[format!("cr_{ri}")].as_f64().unwrap();
            let d = (f.cr - want).abs();
            assert!(d <= TOL, "{what} {name}: CR ({ri}) {} vs ahpy {want}", f.cr);
            dcr = dcr.max(d);
            let want = case["lambda_max_numpy"].as_f64().unwrap();
            let d = (f.lambda_max - want).abs();
            assert!(d <= TOL, "{what} {name}: λmax {} vs numpy {want}", f.lambda_max);
            dl = dl.max(d);
        }
    }
    eprintln!("{what}: max |diff| weights {dw:e}, CR {dcr:e}, λmax {dl:e}");
    (dw, dcr, dl)
}

#[test]
fn ahp_agrees_with_stored_ahpy_output() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/ahp/ahpy_2.1.json")).unwrap();
    let oracle: Json = serde_json::from_str(&text).unwrap();
    assert_eq!(oracle["precision"], 12);
    compare(&oracle, "ahpy_2.1.json");
}

#[test]
fn ahp_agrees_with_ahpy_run_now() {
    let out = Command::new("python3")
        .arg(root().join("tests/oracles/ahp_oracle.py"))
        .output()
        .expect("python3 is installed by scripts/test.sh");
    assert!(
        out.status.success(),
        "the AHP oracle failed (pip install ahpy==2.1, as scripts/test.sh does):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let oracle: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(oracle["ahpy"], "2.1");
    compare(&oracle, "ahp_oracle.py (live)");
}

/// A project whose index weighs its two dimensions by AHP ("1/3" as a string in TOML).
const PROJECT: &str = r#"[index]
code = "IDX"
name = { zh = "测试指数", en = "Test index" }

[[units.list]]
code = "A"
name = "A"

[[units.list]]
code = "B"
name = "B"

[[units.list]]
code = "C"
name = "C"

[[node]]
code = "D1"
name = "D1"
parent = "IDX"

[[node]]
code = "D2"
name = "D2"
parent = "IDX"

[[indicator]]
code = "x"
name = "x"
parent = "D1"

[[indicator]]
code = "y"
name = "y"
parent = "D2"

[[data]]
file = "data.csv"

[[pipeline]]
step = "normalise"

[[pipeline]]
step = "weight"
method = "ahp"
level = 2
MATRICES

[[pipeline]]
step = "aggregate"
"#;

const DATA: &str =
    "unit,period,indicator,value\nA,2024,x,0\nB,2024,x,5\nC,2024,x,10\nA,2024,y,10\nB,2024,y,0\nC,2024,y,5\n";

fn project(matrices: &str) -> baydex_data::LoadedProject {
    common::ok(&PROJECT.replace("MATRICES", matrices), DATA)
}

#[test]
fn ahp_in_a_project_file() {
    let l = project(r#"matrices = { IDX = [[1, 3], ["1/3", 1]] }"#);
    let res = compute(&l.project).unwrap();
    let fw = &l.project.framework;
    let pr = &res.periods[0];
    let (d1, d2) = (fw.find("D1").unwrap(), fw.find("D2").unwrap());
    assert!((pr.weights[d1] - 0.75).abs() < 1e-12 && (pr.weights[d2] - 0.25).abs() < 1e-12, "{:?}", pr.weights);
    // x = 0, 50, 100 and y = 100, 0, 50 after min-max: index = ¾x + ¼y.
    let idx = pr.scores(fw.root());
    for (got, want) in idx.iter().zip([25.0, 37.5, 87.5]) {
        assert!((got - want).abs() < 1e-9, "{idx:?}");
    }
    let log = pr.log.iter().find(|s| s.step == "weight").unwrap();
    assert!(log.messages[0].en.contains("D1 0.750, D2 0.250"), "{:?}", log.messages);
}

#[test]
fn ahp_errors_in_a_project_file() {
    // 0.33 is not the reciprocal of 3: refused when the project loads, naming the entries.
    let errs = common::errors(&PROJECT.replace("MATRICES", r#"matrices = { IDX = [[1, 3], [0.33, 1]] }"#), DATA);
    let d = common::find(&errs, "matrices.IDX[1][2]");
    assert!(d.message.en.contains("\"1/3\""), "{d:?}");
    // A matrix for the wrong number of children.
    let l = project(r#"matrices = { IDX = [[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]] }"#);
    let e = compute(&l.project).unwrap_err();
    assert!(e.to_string().contains("3 × 3") && e.to_string().contains("D1, D2"), "{e}");
    assert!(matches!(root_cause(&e), Error::Weighting { method: "ahp", .. }), "{e:?}");
    // No matrix for the index.
    let l = project(r#"matrices = { D1 = [[1]] }"#);
    let e = compute(&l.project).unwrap_err().to_string();
    assert!(e.contains("matrices.IDX"), "{e}");
}

fn root_cause(e: &Error) -> &Error {
    match e {
        Error::Context { source, .. } => root_cause(source),
        other => other,
    }
}
