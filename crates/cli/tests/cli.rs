//! End-to-end tests of the `baydex` command: the real binary, real files on disk.

mod common;
use common::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut m = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                m.insert(p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    m
}

#[test]
fn gba_default_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let zh = baydex(&["run", "--lang", "zh", "--out", out.to_str().unwrap()]);
    assert!(zh.status.success(), "{}", stderr(&zh));
    let s = stdout(&zh);
    for want in [
        "粤港澳大湾区数字经济指数",
        "示意数据",
        "排名",
        "深圳",
        "澳门",
        "第一梯队",
        "第三梯队",
        "固定阈值：80 / 50",
        "数字科创",
        "各维度领先城市",
    ] {
        assert!(s.contains(want), "zh output lacks {want}:\n{s}");
    }
    let en = baydex(&["run", "--lang", "en", "--out", out.to_str().unwrap()]);
    assert!(en.status.success(), "{}", stderr(&en));
    let s = stdout(&en);
    for want in [
        "GBA Digital Economy Index",
        "ILLUSTRATIVE DATA",
        "Rank",
        "Shenzhen",
        "Macao",
        "First tier",
        "Third tier",
        "fixed thresholds: 80 / 50",
    ] {
        assert!(s.contains(want), "en output lacks {want}:\n{s}");
    }
    // No escape codes when stdout is not a terminal.
    assert!(!s.contains('\u{1b}'), "ANSI escapes in piped output");

    let files = snapshot(&out);
    for f in [
        "scores.csv",
        "results.json",
        "manifest.json",
        "stages/Raw.csv",
        "stages/Denominated.csv",
        "stages/Normalised.csv",
        "stages/Aggregated.csv",
        "tiers.csv",
    ] {
        assert!(files.contains_key(Path::new(f)), "missing {f}: {:?}", files.keys());
    }
    let scores = String::from_utf8(files[Path::new("scores.csv")].clone()).unwrap();
    assert_eq!(scores.lines().next(), Some("unit,period,node,level,score,rank,tier"));
    // 11 units × (22 indicators + 6 dimensions + index)
    assert_eq!(scores.lines().count(), 1 + 11 * 29);
    let manifest: serde_json::Value = serde_json::from_slice(&files[Path::new("manifest.json")]).unwrap();
    assert_eq!(manifest["illustrative"], true);
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 4);
    assert!(manifest["inputs"][0]["sha256"].as_str().unwrap().len() == 64);
    let notice = String::from_utf8(files[Path::new("ILLUSTRATIVE.txt")].clone()).unwrap();
    assert!(notice.contains("示意数据") && notice.contains("ILLUSTRATIVE"), "{notice}");
    let results: serde_json::Value = serde_json::from_slice(&files[Path::new("results.json")]).unwrap();
    assert_eq!(results["index"]["illustrative"], true);
    assert!(!results["index"]["illustrative_note"]["zh"].as_str().unwrap().is_empty());
}

/// The GBA scores agree with an independent Python re-implementation
/// (`examples/gba/check_scores.py`: denominate → min-max [0,100] → arithmetic mean) to 1e-9.
#[test]
fn gba_scores_match_independent_python_implementation() {
    let py = Command::new("python3").arg(repo().join("examples/gba/check_scores.py")).arg("--csv").output();
    let py = py.expect("python3 is installed by scripts/test.sh");
    assert!(py.status.success(), "{}", stderr(&py));
    let mut want = BTreeMap::new();
    for line in stdout(&py).lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        want.insert((f[0].to_string(), f[1].to_string()), f[2].parse::<f64>().unwrap());
    }
    let tmp = tempfile::tempdir().unwrap();
    let o = baydex(&["run", "--quiet", "--out", tmp.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let scores = std::fs::read_to_string(tmp.path().join("scores.csv")).unwrap();
    let mut n = 0;
    for line in scores.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if let Some(w) = want.get(&(f[0].to_string(), f[2].to_string())) {
            let got: f64 = f[4].parse().unwrap();
            assert!((got - w).abs() <= 1e-9, "{} {}: baydex {got}, python {w}", f[0], f[2]);
            n += 1;
        }
    }
    assert_eq!(n, want.len());
    assert_eq!(n, 11 * 29);
}

#[test]
fn runs_are_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let asem = repo().join("examples/asem/asem.toml");
    for d in [&a, &b] {
        let o = baydex(&["run", asem.to_str().unwrap(), "--quiet", "--out", d.path().to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(snapshot(a.path()), snapshot(b.path()));
}

/// The command path reproduces COINr's V1 index (oracle `V1_default/index_ranks.csv`) to 1e-9.
#[test]
fn asem_command_reproduces_coinr_v1_index() {
    let tmp = tempfile::tempdir().unwrap();
    let asem = repo().join("examples/asem/asem.toml");
    let o = baydex(&["run", asem.to_str().unwrap(), "--quiet", "--out", tmp.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let scores = std::fs::read_to_string(tmp.path().join("scores.csv")).unwrap();
    let ours: BTreeMap<String, (f64, String)> = scores
        .lines()
        .filter(|l| l.contains(",Index,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), (f[4].parse().unwrap(), f[5].to_string()))
        })
        .collect();
    let oracle = std::fs::read_to_string(repo().join("tests/fixtures/coinr/V1_default/index_ranks.csv")).unwrap();
    let mut n = 0;
    for l in oracle.lines().skip(1) {
        let f: Vec<&str> = l.split(',').map(|x| x.trim_matches('"')).collect();
        let (score, rank) = &ours[f[0]];
        let want: f64 = f[f.len() - 2].parse().unwrap();
        assert!((score - want).abs() <= 1e-9, "{}: {score} vs {want}", f[0]);
        assert_eq!(rank, f[f.len() - 1]);
        n += 1;
    }
    assert_eq!(n, 51);
}

#[test]
fn failed_run_leaves_existing_outputs_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let asem = repo().join("examples/asem/asem.toml");
    let asem = asem.to_str().unwrap();
    let ok = baydex(&["run", asem, "--quiet", "--out", out]);
    assert!(ok.status.success());
    let before = snapshot(tmp.path());
    // A computation error: the geometric mean of min-max [0,100] data (zeros).
    let bad = baydex(&["run", asem, "--lang", "en", "--out", out, "--set", "aggregate.method=gmean"]);
    assert_eq!(bad.status.code(), Some(1));
    let e = stderr(&bad);
    assert!(e.contains("gmean") && e.contains("[1,100]") && e.contains("Nothing was written"), "{e}");
    assert_eq!(snapshot(tmp.path()), before);
    // A bad --set.
    let bad = baydex(&["run", asem, "--out", out, "--set", "normalise.rnage=[1,100]"]);
    assert_ne!(bad.status.code(), Some(0));
    assert_eq!(snapshot(tmp.path()), before);
    // A different pipeline removes the stage files it no longer produces, and a project with real
    // data removes the illustrative notice of an earlier run.
    std::fs::write(tmp.path().join("stages/Treated.csv"), "stale").unwrap();
    std::fs::write(tmp.path().join("ILLUSTRATIVE.txt"), "stale").unwrap();
    let ok = baydex(&["run", asem, "--quiet", "--out", out]);
    assert!(ok.status.success());
    assert!(!tmp.path().join("stages/Treated.csv").exists());
    assert!(!tmp.path().join("ILLUSTRATIVE.txt").exists());
}

#[test]
fn set_errors_list_the_valid_choices() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let o = baydex(&["run", "--lang", "en", "--out", out, "--set", "normalize.method=rank"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("normalise") && e.contains("aggregate") && e.contains("denominate"), "{e}");
    let o = baydex(&["run", "--lang", "en", "--out", out, "--set", "normalise.metod=rank"]);
    assert_ne!(o.status.code(), Some(0));
    let e = stderr(&o);
    assert!(e.contains("metod") && e.contains("method") && e.contains("range"), "{e}");
    let o = baydex(&["run", "--lang", "en", "--out", out, "--set", "normalise.method=rnk"]);
    assert_ne!(o.status.code(), Some(0));
    let e = stderr(&o);
    assert!(e.contains("rank") && e.contains("zscore"), "{e}");
    // Nothing was written by any of these.
    assert!(std::fs::read_dir(tmp.path()).unwrap().next().is_none());
    // And --set works: rank normalisation gives integer indicator scores.
    let o = baydex(&["run", "--quiet", "--out", out, "--set", "normalise.method=rank"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let scores = std::fs::read_to_string(tmp.path().join("scores.csv")).unwrap();
    let l = scores.lines().nth(1).unwrap();
    let score: f64 = l.split(',').nth(4).unwrap().parse().unwrap();
    assert_eq!(score.fract(), 0.0, "{l}");
}

#[test]
fn bad_project_file_gives_located_errors_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("data.csv"),
        "unit,period,indicator,value\nA,2020,x,1\nB,2020,x,abc\nA,2020,y,2\nB,2020,y,3\n",
    )
    .unwrap();
    let toml = r#"[index]
code = "I"
name = "Index"

[[units.list]]
code = "A"

[[units.list]]
code = "B"

[[indicator]]
code = "x"
parent = "I"
weight = -2

[[indicator]]
code = "y"
parent = "I"

[[data]]
file = "data.csv"

[[pipeline]]
step = "normalise"

[[pipeline]]
step = "aggregate"
"#;
    std::fs::write(dir.join("p.toml"), toml).unwrap();
    let p = dir.join("p.toml");
    let o = baydex(&["validate", p.to_str().unwrap(), "--lang", "en"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("p.toml:14"), "weight error should name line 14:\n{e}");
    assert!(e.contains("data.csv:3"), "non-numeric cell should name line 3:\n{e}");
    assert!(e.contains("abc"), "{e}");
    assert!(e.contains("help"), "{e}");
    let o = baydex(&["validate", p.to_str().unwrap(), "--lang", "zh"]);
    let e = stderr(&o);
    assert!(e.contains("错误") && e.contains("p.toml:14"), "{e}");
    // `run` refuses the same file and writes nothing.
    let out = dir.join("out");
    let o = baydex(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
}

#[test]
fn validate_accepts_the_examples() {
    let o = baydex(&["validate", "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("11 units"), "{}", stdout(&o));
    let asem = repo().join("examples/asem/asem.toml");
    let o = baydex(&["validate", asem.to_str().unwrap(), "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("51 units") && stdout(&o).contains("49 indicators"), "{}", stdout(&o));
}

#[test]
fn init_scaffolds_a_project_that_runs_once_filled_in() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("proj");
    let o = baydex(&["init", dir.to_str().unwrap(), "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["project.toml", "data.csv", "data.xlsx", "units.csv", "context_2023.csv"] {
        assert!(dir.join(f).exists(), "missing {f}");
    }
    // The empty template is reported as missing data, not computed.
    let project = dir.join("project.toml");
    let o = baydex(&["validate", project.to_str().unwrap(), "--lang", "en"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    // Fill the template with the example's values (in the template's own row order).
    let example = std::fs::read_to_string(repo().join("examples/gba/digital_2023.csv")).unwrap();
    let values: BTreeMap<(String, String), String> = example
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("unit,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            ((f[0].to_string(), f[2].to_string()), f[3].to_string())
        })
        .collect();
    let template = std::fs::read_to_string(dir.join("data.csv")).unwrap();
    let filled: String = template
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            match values.get(&(f[0].to_string(), f.get(2).unwrap_or(&"").to_string())) {
                Some(v) if !l.starts_with('#') => format!("{}{v}\n", l),
                _ => format!("{l}\n"),
            }
        })
        .collect();
    std::fs::write(dir.join("data.csv"), filled).unwrap();
    let out = tmp.path().join("out");
    let o = baydex(&["run", project.to_str().unwrap(), "--lang", "en", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("ILLUSTRATIVE"), "a user's project is not illustrative");
    // Refuses a non-empty directory.
    let o = baydex(&["init", dir.to_str().unwrap()]);
    assert!(!o.status.success());
}

#[test]
fn help_has_examples() {
    let o = baydex(&["--help"]);
    assert!(o.status.success());
    let s = stdout(&o);
    assert!(s.contains("Examples") && s.contains("baydex run") && s.contains("validate") && s.contains("init"), "{s}");
}

#[test]
fn embedded_panel_example_runs_and_unknown_examples_are_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let o = baydex(&["run", "--example", "gba-panel", "--lang", "en", "--xlsx", "--out", tmp.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("25 periods") && s.contains("Change 2000 → 2024"), "{s}");
    assert!(!s.contains("ILLUSTRATIVE"), "the panel example is real data");
    for f in ["changes.csv", "results.xlsx", "stages/Imputed.csv"] {
        assert!(tmp.path().join(f).exists(), "missing {f}");
    }
    let o = baydex(&["run", "--example", "nope"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("gba-panel"), "{}", stderr(&o));
    let o = baydex(&["validate", "--example", "gba-panel", "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("25 period"), "{}", stdout(&o));
}
