//! End-to-end tests of `baydex flows`: the embedded GBA default (illustrative OD label, files
//! written) and bad input (located bilingual errors, exit code ≠ 0, nothing written).

mod common;

use common::{baydex, repo, stderr, stdout};

#[test]
fn gba_default_is_labelled_illustrative_and_writes_outputs() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("flows");
    let o = baydex(&["flows", "--out", out.to_str().unwrap(), "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("ILLUSTRATIVE OD DATA"), "{text}");
    for f in [
        "pairs.csv",
        "cities.csv",
        "network.csv",
        "gravity.csv",
        "gravity.json",
        "predictions.csv",
        "modified_gravity.csv",
        "changes.csv",
        "manifest.json",
        "ILLUSTRATIVE.txt",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["illustrative"], true);
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 3);
    let pairs = std::fs::read_to_string(out.join("pairs.csv")).unwrap();
    // The strongest pairs of the illustrative table, by its construction (flows_make_od_illustrative.py).
    let top: Vec<String> =
        pairs.lines().skip(1).take(2).map(|l| l.split(',').skip(1).take(2).collect::<Vec<_>>().join("-")).collect();
    assert_eq!(top, ["SZ-DG", "GZ-FS"]);
    // Chinese output carries the label too.
    let zh = baydex(&["flows", "--out", out.to_str().unwrap(), "--lang", "zh"]);
    assert!(stdout(&zh).contains("示意"), "{}", stdout(&zh));
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

const UNITS: &str = "id,name_zh,name_en,lat,lon,population\nA,甲,Alpha,22.5,114.0,100\nB,乙,Beta,23.1,113.3,200\nC,丙,Gamma,22.3,113.5,50\n";

fn bad_input(od: &str, line_col: &str, en: &str, zh: &str) {
    let d = tempfile::tempdir().unwrap();
    let units = write(d.path(), "units.csv", UNITS);
    let od = write(d.path(), "od.csv", od);
    let out = d.path().join("out");
    for (lang, needle) in [("en", en), ("zh", zh)] {
        let o = baydex(&["flows", "--od", &od, "--units", &units, "--out", out.to_str().unwrap(), "--lang", lang]);
        assert!(!o.status.success());
        let err = stderr(&o);
        assert!(err.contains(&format!("od.csv:{line_col}")), "location {line_col} missing: {err}");
        assert!(err.contains(needle), "{needle} missing: {err}");
        assert!(!out.exists(), "nothing may be written on error");
    }
}

#[test]
fn unknown_unit_is_located() {
    bad_input("origin,destination,count\nA,B,5\nA,X,3\n", "3:2", "unknown unit 'X'", "未知单元 'X'");
}

#[test]
fn negative_count_is_located() {
    bad_input("origin,destination,count\nA,B,5\nB,A,-3\n", "3:3", "negative", "负数");
}

#[test]
fn non_numeric_count_is_located() {
    bad_input("origin,destination,count\nA,B,five\n", "2:3", "'five' is not a number", "不是数字");
}

#[test]
fn duplicate_pair_is_rejected_unless_summed() {
    let od = "# comment line\norigin,destination,count\nA,B,5\nB,C,1\nA,B,2\n";
    bad_input(od, "5", "appears twice (first on line 3)", "重复出现（首次在第 3 行）");
    let d = tempfile::tempdir().unwrap();
    let units = write(d.path(), "units.csv", UNITS);
    let od = write(d.path(), "od.csv", od);
    let out = d.path().join("out");
    let o = baydex(&[
        "flows",
        "--od",
        &od,
        "--units",
        &units,
        "--out",
        out.to_str().unwrap(),
        "--sum-duplicates",
        "--model",
        "radiation",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pairs = std::fs::read_to_string(out.join("pairs.csv")).unwrap();
    assert!(
        pairs.lines().nth(1).unwrap().contains(",A,B,") && pairs.lines().nth(1).unwrap().contains(",7,0,7,"),
        "{pairs}"
    );
    assert!(stdout(&o).is_empty(), "--quiet prints nothing");
}

#[test]
fn ny_example_runs_from_files() {
    let d = tempfile::tempdir().unwrap();
    let ny = repo().join("examples/ny");
    let o = baydex(&[
        "flows",
        "--od",
        ny.join("NY_commuting_flows_2011.csv").to_str().unwrap(),
        "--units",
        ny.join("NY_counties_2011_attributes.csv").to_str().unwrap(),
        "--out",
        d.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("ILLUSTRATIVE"));
    let g = std::fs::read_to_string(d.path().join("gravity.csv")).unwrap();
    assert!(g.contains("production,power,log_distance,"), "{g}");
    assert!(!d.path().join("ILLUSTRATIVE.txt").exists());
}

/// A production-constrained fit with an origin whose listed flows are all zero names that origin
/// (its fixed effect would be −∞), in both languages, and writes nothing.
#[test]
fn zero_outflow_origin_is_named() {
    let d = tempfile::tempdir().unwrap();
    let units = write(d.path(), "units.csv", UNITS);
    let od = write(d.path(), "od.csv", "origin,destination,count\nA,B,5\nB,A,3\nA,C,4\nB,C,2\nC,A,0\nC,B,0\n");
    let out = d.path().join("out");
    for (lang, needle) in [("en", "origin 'C' has a total outflow of 0"), ("zh", "起点 'C' 的总流出量为 0")] {
        let o = baydex(&[
            "flows",
            "--od",
            &od,
            "--units",
            &units,
            "--model",
            "production",
            "--out",
            out.to_str().unwrap(),
            "--lang",
            lang,
        ]);
        assert!(!o.status.success());
        let err = stderr(&o);
        assert!(err.contains(needle), "{needle} missing: {err}");
        assert!(!out.exists(), "nothing may be written on error");
    }
}

/// The doubly-constrained fit runs from the command line; its progress bar is not drawn when
/// stderr is not a terminal (as here), so stderr stays clean.
#[test]
fn doubly_fit_without_terminal_prints_no_progress() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("flows");
    let o = baydex(&["flows", "--model", "doubly", "--out", out.to_str().unwrap(), "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("iteration") && !err.contains("fitting the"), "progress drawn without a terminal: {err}");
    let g: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("gravity.json")).unwrap()).unwrap();
    assert_eq!(g["model"], "doubly");
    assert!(g["iterations"].as_u64().unwrap() >= 2, "{g}");
}

/// Without the SQL engine (feature `catalog`), a Parquet OD file and `--od-sql` say how to get it,
/// naming the file, in both languages, and write nothing.
#[cfg(not(feature = "catalog"))]
#[test]
fn parquet_and_sql_od_without_the_catalog_feature_say_how_to_get_it() {
    let d = tempfile::tempdir().unwrap();
    let units = write(d.path(), "units.csv", UNITS);
    let od = write(d.path(), "trips.parquet", "PAR1 not really parquet");
    let out = d.path().join("out");
    let out = out.to_str().unwrap();
    let hint = baydex_data::catalog_feature_hint();
    for lang in ["en", "zh"] {
        let o = baydex(&["flows", "--od", &od, "--units", &units, "--out", out, "--lang", lang]);
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert!(err.contains(&od), "the file is named: {err}");
        let l = if lang == "en" { baydex_core::Lang::En } else { baydex_core::Lang::Zh };
        assert!(err.contains(hint.get(l)), "{err}");
        let o = baydex(&["flows", "--od-sql", "SELECT 1", "--units", &units, "--out", out, "--lang", lang]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("--od-sql") && stderr(&o).contains(hint.get(l)), "{}", stderr(&o));
    }
    assert!(!d.path().join("out").exists(), "nothing may be written");
}
