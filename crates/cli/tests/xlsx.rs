//! `baydex run --xlsx`: the results workbook is written with the other outputs, atomically. Its
//! contents are checked (read back with calamine) in `crates/data/tests/workbook.rs`.

mod common;
use common::*;

#[test]
fn xlsx_is_written_with_the_results_and_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = baydex(&["run", "-q", "--xlsx", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("results.xlsx"), "{stdout}");
    let bytes = std::fs::read(out.join("results.xlsx")).unwrap();
    // An .xlsx file is a zip archive.
    assert!(bytes.starts_with(b"PK\x03\x04"));
    assert!(out.join("scores.csv").is_file());
    // No temporary file is left behind.
    assert!(!out.join(".results.xlsx.baydex-tmp").exists());
    // The same run gives the same bytes.
    let o = baydex(&["run", "-q", "--xlsx", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(out.join("results.xlsx")).unwrap(), bytes);
}

#[test]
fn no_xlsx_without_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = baydex(&["run", "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("results.xlsx").exists());
}

#[test]
fn panel_example_writes_a_workbook() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("p");
    let project = repo().join("examples/gba/panel.toml");
    let o = baydex(&["run", project.to_str().unwrap(), "-q", "--xlsx", "--lang", "zh", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::metadata(out.join("results.xlsx")).unwrap().len() > 10_000);
}

#[test]
fn failed_run_writes_no_workbook() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = baydex(&["run", "-q", "--xlsx", "--set", "normalise.method=nope", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(!out.join("results.xlsx").exists());
}
