//! `baydex run --xlsx`: the results workbook is written with the other outputs, atomically. Its
//! contents are checked (read back with calamine) in `crates/data/tests/workbook.rs`; the
//! sensitivity sheets of `baydex report --xlsx --sensitivity` are checked here against the CSV
//! files of `baydex sensitivity`.

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

/// A sheet of a workbook as (header, rows).
fn sheet(bytes: &[u8], name: &str) -> (Vec<String>, Vec<Vec<calamine::Data>>) {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx workbook");
    let r = wb.worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    let mut rows = r.rows().map(<[calamine::Data]>::to_vec);
    let header = rows.next().expect("a header row").iter().map(ToString::to_string).collect();
    (header, rows.collect())
}

/// Whether a workbook cell holds the text `s`.
fn is(cell: &calamine::Data, s: &str) -> bool {
    matches!(cell, calamine::Data::String(x) if x == s)
}

fn sheet_names(bytes: &[u8]) -> Vec<String> {
    use calamine::Reader;
    let wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    wb.sheet_names()
}

/// A workbook cell against a field of a `baydex sensitivity` CSV: `NA` is an empty cell, numbers
/// must be equal exactly (both files hold the shortest representation that round-trips the f64).
fn same(cell: &calamine::Data, csv: &str) -> bool {
    use calamine::Data;
    match (cell, csv) {
        (Data::Empty, "NA") => true,
        (Data::Float(x), s) => s.parse::<f64>().is_ok_and(|y| *x == y),
        (Data::Int(x), s) => s.parse::<f64>().is_ok_and(|y| *x as f64 == y),
        _ => false,
    }
}

/// `baydex report --xlsx --sensitivity`: the workbook holds the uncertainty and sensitivity
/// section (per-unit rank intervals and tier shares, Sobol indices, leave-one-out, the settings
/// and sentences); its numbers equal the `uncertainty.csv` and `sobol.csv` of `baydex sensitivity`
/// at the report's N (1000) on the same project, exactly. Without `--sensitivity` no such sheet.
#[test]
fn report_workbook_has_the_sensitivity_sheets_of_the_command() {
    let tmp = tempfile::tempdir().unwrap();
    let (rep, cmd, plain) = (tmp.path().join("rep"), tmp.path().join("cmd"), tmp.path().join("plain"));
    let o = baydex(&["report", "--xlsx", "--sensitivity", "--lang", "en", "--out", rep.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = baydex(&["sensitivity", "-q", "--n", "1000", "--out", cmd.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = baydex(&["report", "--xlsx", "--lang", "en", "--out", plain.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!sheet_names(&std::fs::read(plain.join("report.xlsx")).unwrap()).iter().any(|n| n.starts_with("sa_")));

    let book = std::fs::read(rep.join("report.xlsx")).unwrap();
    let names = sheet_names(&book);
    for s in ["sa_summary", "sa_uncertainty", "sa_sobol", "sa_leave_one_out"] {
        assert!(names.iter().any(|n| n == s), "sheet {s} in {names:?}");
    }

    // uncertainty.csv: every column of the command that the sheet has, for every unit.
    let csv = std::fs::read_to_string(cmd.join("uncertainty.csv")).unwrap();
    let mut lines = csv.lines();
    let csv_head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (head, rows) = sheet(&book, "sa_uncertainty");
    let tiers: Vec<&&str> = csv_head.iter().filter(|h| h.starts_with("tier_")).collect();
    assert!(tiers.len() >= 2, "the GBA default is tiered: {csv_head:?}");
    let compared: Vec<&str> =
        csv_head.iter().copied().filter(|h| *h != "unit" && head.iter().any(|x| x == h)).collect();
    for want in ["nominal_score", "nominal_rank", "rank_mean", "rank_median", "rank_q5", "rank_q95", "score_q5"] {
        assert!(compared.contains(&want), "{want} in the sheet: {head:?}");
    }
    for t in &tiers {
        assert!(compared.contains(t), "tier probability {t} in the sheet: {head:?}");
    }
    let mut n = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let row = rows.iter().find(|r| is(&r[0], f[0])).unwrap_or_else(|| panic!("unit {} in the sheet", f[0]));
        for c in &compared {
            let (i, j) = (csv_head.iter().position(|h| h == c).unwrap(), head.iter().position(|h| h == c).unwrap());
            assert!(same(&row[j], f[i]), "{} {c}: workbook {:?}, uncertainty.csv {}", f[0], row[j], f[i]);
        }
        n += 1;
    }
    assert_eq!((n, rows.len()), (11, 11), "every GBA city once");
    let sz = rows.iter().find(|r| is(&r[0], "SZ")).unwrap();
    assert_eq!(sz[1].to_string(), "Shenzhen");

    // sobol.csv: Si, STi and their bootstrap intervals of every input.
    let csv = std::fs::read_to_string(cmd.join("sobol.csv")).unwrap();
    let mut lines = csv.lines();
    let csv_head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (head, rows) = sheet(&book, "sa_sobol");
    let mut n = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let row = rows.iter().find(|r| is(&r[0], f[0])).unwrap_or_else(|| panic!("input {} in sa_sobol", f[0]));
        for c in ["Si", "STi", "Si_q5", "Si_q95", "STi_q5", "STi_q95"] {
            let (i, j) = (csv_head.iter().position(|h| *h == c).unwrap(), head.iter().position(|h| h == c).unwrap());
            assert!(same(&row[j], f[i]), "{} {c}: workbook {:?}, sobol.csv {}", f[0], row[j], f[i]);
        }
        n += 1;
    }
    assert_eq!((n, rows.len()), (3, 3), "the default analysis's three inputs");

    // The settings say which N ran; the sentences are there.
    let (_, rows) = sheet(&book, "sa_summary");
    let value = |k: &str| rows.iter().find(|r| is(&r[0], k)).map(|r| r[1].to_string());
    assert_eq!(value("n").as_deref(), Some("1000"));
    assert!(rows.iter().any(|r| r[0].to_string().starts_with("text_")));

    // In Chinese: same sheets and columns, names and sentences in zh.
    let zh = tmp.path().join("zh");
    let o = baydex(&["report", "--xlsx", "--sensitivity", "--lang", "zh", "--out", zh.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let book_zh = std::fs::read(zh.join("report.xlsx")).unwrap();
    let (head_zh, rows) = sheet(&book_zh, "sa_uncertainty");
    assert_eq!(head_zh, sheet(&book, "sa_uncertainty").0);
    assert_eq!(rows.iter().find(|r| is(&r[0], "SZ")).unwrap()[1].to_string(), "深圳");
    let (_, rows) = sheet(&book_zh, "sa_sobol");
    assert!(rows.iter().any(|r| is(&r[1], "标准化方法")), "input labels in zh");
}
