//! End-to-end tests of `baydex sensitivity`: the embedded GBA default, COINr's ASEM setup replayed
//! (Sobol indices of `tests/fixtures/coinr/sensitivity/SA_N100/sensitivity_indices.csv`, COINr
//! 1.1.14, to 1e-9), determinism across thread counts, the dry-run errors of a `[sensitivity]`
//! table (bilingual, located, nothing written) and `--xlsx`.

mod common;
use common::*;

use std::collections::HashMap;
use std::path::Path;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A CSV as rows of column → text.
fn rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records().map(|rec| h.iter().cloned().zip(rec.unwrap().iter().map(str::to_string)).collect()).collect()
}

#[test]
fn default_gba_analysis_prints_and_writes_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sa");
    let o = baydex(&["sensitivity", "--n", "64", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("No [sensitivity] table"), "{s}");
    assert!(s.contains("ILLUSTRATIVE DATA"), "the GBA digital indicators are illustrative: {s}");
    assert!(s.contains("Shenzhen") && s.contains("Sobol indices") && s.contains("Leaving one indicator out"), "{s}");
    for f in
        ["uncertainty.csv", "runs.csv", "sobol.csv", "loo.csv", "sensitivity.json", "manifest.json", "ILLUSTRATIVE.txt"]
    {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // 3 default inputs: N(d + 2) = 320 runs; 11 units; 22 indicators left out in turn.
    assert_eq!(rows(&read(&out.join("runs.csv"))).len(), 320);
    let unc = rows(&read(&out.join("uncertainty.csv")));
    assert_eq!(unc.len(), 11);
    for r in &unc {
        let (q5, med, q95): (f64, f64, f64) =
            (r["rank_q5"].parse().unwrap(), r["rank_median"].parse().unwrap(), r["rank_q95"].parse().unwrap());
        assert!(q5 <= med && med <= q95 && q5 >= 1.0 && q95 <= 11.0, "{r:?}");
        let tiers: f64 = ["tier_T1", "tier_T2", "tier_T3"].iter().map(|t| r[*t].parse::<f64>().unwrap()).sum();
        assert!((tiers - 1.0).abs() < 1e-12, "tier shares sum to 1: {r:?}");
    }
    assert_eq!(rows(&read(&out.join("loo.csv"))).len(), 22 * 11);
    let json: serde_json::Value = serde_json::from_str(&read(&out.join("sensitivity.json"))).unwrap();
    assert_eq!(json["illustrative"], true);
    assert_eq!(json["runs"], 320);
    // Chinese output.
    let o = baydex(&["sensitivity", "--n", "16", "--lang", "zh", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("示意数据") && s.contains("深圳") && s.contains("各单元在全部运行中的排名"), "{s}");
}

#[test]
fn replaying_coinr_reproduces_its_sobol_indices() {
    let dir = tempfile::tempdir().unwrap();
    let root = repo();
    let runs = root.join("tests/fixtures/coinr/sensitivity/SA_N100/run_parameters.csv");
    let o = baydex(&[
        "sensitivity",
        root.join("examples/asem/asem_sensitivity.toml").to_str().unwrap(),
        "--replay",
        runs.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = rows(&read(&dir.path().join("sobol.csv")));
    let want = rows(&read(&root.join("tests/fixtures/coinr/sensitivity/SA_N100/sensitivity_indices.csv")));
    assert_eq!(got.len(), 4);
    for w in &want {
        let g = got.iter().find(|g| g["input"] == w["Variable"]).unwrap();
        for (a, b) in [("Si", "Si"), ("STi", "STi")] {
            let (x, y): (f64, f64) = (g[a].parse().unwrap(), w[b].parse().unwrap());
            assert!((x - y).abs() <= 1e-9, "{} {a}: baydex {x}, COINr {y}", w["Variable"]);
        }
    }
    // The run table names COINr's blocks and alternatives.
    let r = rows(&read(&dir.path().join("runs.csv")));
    assert_eq!(r.len(), 600);
    assert_eq!(r[0]["block"], "A");
    assert_eq!(r[0]["Aggregation"], "a_gmean");
    assert_eq!(r[599]["block"], "AB_Aggregation");
}

#[test]
fn same_seed_same_files_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str, sampling: &str, name: &str| {
        let out = dir.path().join(name);
        let o = baydex(&[
            "sensitivity",
            "--n",
            "50",
            "--seed",
            "7",
            "--sampling",
            sampling,
            "--threads",
            threads,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        (read(&out.join("runs.csv")), read(&out.join("sobol.csv")), read(&out.join("uncertainty.csv")))
    };
    assert_eq!(run("1", "mc", "a"), run("3", "mc", "b"));
    assert_eq!(run("1", "sobol", "c"), run("2", "sobol", "d"));
    assert_ne!(run("1", "mc", "e").0, run("1", "sobol", "f").0);
}

/// The ASEM sensitivity project with its `[sensitivity]` table replaced by `table`.
fn asem_with(table: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let text = read(&repo().join("examples/asem/asem_sensitivity.toml"));
    let cut = text.find("\n[sensitivity]").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("examples/asem/asem_data.csv"), dir.path().join("asem_data.csv")).unwrap();
    let p = dir.path().join("p.toml");
    std::fs::write(&p, format!("{}\n{table}", &text[..cut])).unwrap();
    (dir, p)
}

#[test]
fn dry_run_errors_name_the_input_and_the_valid_choices() {
    let cases = [
        (
            "[sensitivity]\n[[sensitivity.input]]\nname = \"Norm\"\nstep = \"normalize\"\nparam = \"method\"\nvalues = [\"minmax\", \"zscore\"]\n",
            "input 'Norm': the pipeline has no step 'normalize'",
            "denominate, impute, screen, treat, normalise, aggregate",
            "计算流程中没有步骤 'normalize'",
        ),
        (
            "[sensitivity]\n[[sensitivity.input]]\nname = \"Agg\"\nstep = \"aggregate\"\nparam = \"method\"\nvalues = [\"amean\", \"median\"]\n",
            "input 'Agg', alternative median",
            "amean, gmean",
            "不确定输入 'Agg' 的备选项 median",
        ),
        (
            "[sensitivity]\n[[sensitivity.input]]\nname = \"W\"\nstep = \"treat\"\nweights = { levels = { \"2\" = 0.1 } }\n",
            "weights and leave-one-out vary an aggregate step",
            "",
            "权重与逐一剔除只能作用于 aggregate 步骤",
        ),
        (
            "[sensitivity]\nsampling = \"lhs\"\n[[sensitivity.input]]\nname = \"A\"\nstep = \"aggregate\"\nparam = \"method\"\nvalues = [\"amean\", \"gmean\"]\n",
            "`sampling` = \"lhs\" is not one of mc, sobol",
            "",
            "不是 mc、sobol 之一",
        ),
    ];
    for (table, en, help, zh) in cases {
        let (dir, p) = asem_with(table);
        let out = dir.path().join("out");
        let o = baydex(&["sensitivity", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(!o.status.success(), "{table}");
        let e = stderr(&o);
        assert!(e.contains(en) && e.contains(help), "{table}\n{e}");
        let at = e.find("p.toml:").map(|i| &e[i + 7..]).unwrap_or("");
        assert!(at.starts_with(|c: char| c.is_ascii_digit()), "located (file:line:column): {e}");
        assert!(!out.exists(), "nothing written");
        let o = baydex(&["sensitivity", p.to_str().unwrap(), "--lang", "zh", "--out", out.to_str().unwrap()]);
        assert!(stderr(&o).contains(zh), "{}", stderr(&o));
        // `baydex validate` reports the same problem.
        let o = baydex(&["validate", p.to_str().unwrap()]);
        assert!(!o.status.success() && stderr(&o).contains(en), "{}", stderr(&o));
    }
}

#[test]
fn bad_replay_table_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("runs.csv");
    std::fs::write(&bad, "run,Winmax,Normalisation,WeightSet,Aggregation\n1,3,2,37,a_gmean\n2,9,1,1,a_amean\n")
        .unwrap();
    let out = dir.path().join("out");
    let o = baydex(&[
        "sensitivity",
        repo().join("examples/asem/asem_sensitivity.toml").to_str().unwrap(),
        "--replay",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("'9' is not a value of input 'Winmax'") && e.contains("runs.csv:3:"), "{e}");
    assert!(!out.exists());
}

#[test]
fn xlsx_adds_the_sensitivity_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let o = baydex(&["sensitivity", "--n", "16", "--xlsx", "--quiet", "--out", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(dir.path().join("results.xlsx")).unwrap();
    assert!(bytes.starts_with(b"PK"), "an xlsx (zip) file");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let names = calamine::Reader::sheet_names(&wb);
    for s in ["sa_uncertainty", "sa_sobol", "sa_loo"] {
        assert!(names.iter().any(|n| n == s), "{s} in {names:?}");
    }
    let r = calamine::Reader::worksheet_range(&mut wb, "sa_sobol").unwrap();
    assert_eq!(r.height(), 4, "header + 3 inputs");
}

#[test]
fn the_documented_sensitivity_table_loads_and_runs() {
    // The `[sensitivity]` example of docs/project-file.md, on the ASEM project.
    let md = read(&repo().join("docs/project-file.md"));
    let start = md.find("```toml\n[sensitivity]").expect("docs/project-file.md has a [sensitivity] example");
    let body = &md[start + 8..];
    let table = &body[..body.find("```").unwrap()];
    let (dir, p) = asem_with(table);
    let o = baydex(&["validate", p.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("out");
    let o = baydex(&["sensitivity", p.to_str().unwrap(), "--n", "8", "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sobol = rows(&read(&out.join("sobol.csv")));
    let names: Vec<&str> = sobol.iter().map(|r| r["input"].as_str()).collect();
    assert_eq!(names, ["Winmax", "Normalisation", "Skewness threshold", "Weights", "Drop one"]);
}

#[test]
fn two_runs_write_byte_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let files = |name: &str| {
        let out = dir.path().join(name);
        let o = baydex(&["sensitivity", "--n", "20", "-q", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let mut names: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        names.into_iter().map(|n| (n.clone(), std::fs::read(out.join(&n)).unwrap())).collect::<Vec<_>>()
    };
    assert_eq!(files("a"), files("b"));
}
