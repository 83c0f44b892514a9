//! Yearbook-style sheets (`format = "yearbook"`), flags and missing markers.
//!
//! The reference: the four GBA statistical tables `tests/fixtures/gba/raw/BayArea-zh-CN-{1..4}.xls`
//! (Statistics Bureau of Guangdong Province, C&SD Hong Kong, DSEC Macao) must read to exactly the
//! numbers of the tidy long table `tests/fixtures/gba/gba_11cities_1999_2024_long.csv` made from
//! them, for every city and year, with the same flags. See `tests/fixtures/gba/README.md`.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use baydex_data::{Diagnostic, LoadedProject, Severity, load_project_path};
use common::{check_bilingual, errors_in, find, render, write};

fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).canonicalize().unwrap()
}

/// The GBA tables as a project: POP, GDP and GDPPC are indicators, EMP a series (the employment
/// table ends in 2023). Units from `examples/gba/units.csv` (codes, zh and en names).
fn gba_project(extra: &str) -> String {
    let r = root();
    let raw = r.join("tests/fixtures/gba/raw");
    let units = r.join("examples/gba/units.csv");
    let d = |n: u32| raw.join(format!("BayArea-zh-CN-{n}.xls")).display().to_string();
    format!(
        r#"[index]
code = "CTX"
name = "GBA context"

[units]
file = "{units}"
groups = ["region"]

[[indicator]]
code = "POP"
name = "Population"
parent = "CTX"

[[indicator]]
code = "GDP"
name = "GDP (local currency)"
parent = "CTX"

[[indicator]]
code = "GDPPC"
name = "GDP per capita (local currency)"
parent = "CTX"

[[series]]
code = "EMP"
name = "Employment"

[[data]]
file = "{pop}"
format = "yearbook"
indicator = "POP"

[[data]]
file = "{gdp}"
format = "yearbook"
indicator = "GDP"
sheet = "本地生产总值"
header_row = 4
orientation = "years_in_rows"

[[data]]
file = "{gdppc}"
format = "yearbook"
indicator = "GDPPC"
unit_names = {{ "香港特区" = "HK" }}

[[data]]
file = "{emp}"
format = "yearbook"
indicator = "EMP"
{extra}
[[pipeline]]
step = "normalise"

[[pipeline]]
step = "aggregate"
"#,
        units = units.display(),
        pop = d(1),
        gdp = d(2),
        gdppc = d(3),
        emp = d(4),
    )
}

fn load_gba(extra: &str) -> LoadedProject {
    let dir = write(&[("p.toml", gba_project(extra).as_bytes())]);
    load_project_path(&dir.path().join("p.toml")).unwrap_or_else(|d| panic!("{d}"))
}

/// Half a unit of the 4th decimal (the long table's rounding), plus room for the decimal → binary
/// conversion of the rounded value.
const LONG_TABLE_ROUNDING: f64 = 0.5e-4 + 1e-9;

const CODES: &[(&str, &str)] =
    &[("population_10k", "POP"), ("gdp", "GDP"), ("gdp_per_capita", "GDPPC"), ("employment_10k", "EMP")];

/// (unit, year, code) → (value text, flag), from the long table.
fn long_table() -> HashMap<(String, String, String), (String, String)> {
    let units = std::fs::read_to_string(root().join("examples/gba/units.csv")).unwrap();
    let by_en: HashMap<String, String> = units
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2].to_string(), f[0].to_string())
        })
        .collect();
    let path = root().join("tests/fixtures/gba/gba_11cities_1999_2024_long.csv");
    let mut rd = csv::Reader::from_path(path).unwrap();
    let mut out = HashMap::new();
    for rec in rd.records() {
        let rec = rec.unwrap();
        let unit = by_en[&rec[0]].clone();
        let code = CODES.iter().find(|(n, _)| *n == &rec[2]).unwrap().1.to_string();
        out.insert((unit, rec[1].to_string(), code), (rec[3].to_string(), rec[5].to_string()));
    }
    out
}

fn value(l: &LoadedProject, unit: &str, period: &str, code: &str) -> f64 {
    let d = &l.project.data;
    let (u, p, c) =
        (d.units.iter().position(|x| x == unit).unwrap(), d.period(period).unwrap(), d.column(code).unwrap());
    d.data[p].get(u, c)
}

#[test]
fn gba_raw_sheets_read_exactly_as_the_long_table() {
    let l = load_gba("");
    let d = &l.project.data;
    let periods: Vec<String> = (1999..=2024).map(|y| y.to_string()).collect();
    assert_eq!(d.periods, periods);
    let long = long_table();
    assert_eq!(long.len(), 11 * 26 * 3 + 11 * 25);
    // Every cell of the long table. The long table writes each double of the sheets as its
    // shortest round-trip decimal, rounded to 4 decimals: identical for every cell but the 63
    // mainland GDP (2020–2022) and GDP per capita (2020–2023) cells, which the sheets store with
    // more digits (e.g. 72329.3588357974 → 72329.3588).
    let mut rounded = 0;
    for ((unit, year, code), (v, _)) in &long {
        let got = value(&l, unit, year, code);
        if v.is_empty() {
            assert!(got.is_nan(), "{unit} {year} {code}: expected missing, got {got}");
        } else {
            let want: f64 = v.parse().unwrap();
            if got != want {
                rounded += 1;
                assert!((got - want).abs() <= LONG_TABLE_ROUNDING, "{unit} {year} {code}: {got} vs {want}");
                assert!(matches!(code.as_str(), "GDP" | "GDPPC") && unit != "HK" && unit != "MO");
            }
        }
    }
    assert_eq!(rounded, 63);
    // … and nothing else: the only cells of the panel not in the long table are the employment
    // of 2024, which the sheet does not have.
    let mut extra = Vec::new();
    for (p, m) in d.periods.iter().zip(&d.data) {
        for (i, u) in d.units.iter().enumerate() {
            for (j, c) in d.columns.iter().enumerate() {
                if !long.contains_key(&(u.clone(), p.clone(), c.clone())) {
                    assert!(m.get(i, j).is_nan());
                    extra.push(format!("{u} {p} {c}"));
                }
            }
        }
    }
    assert_eq!(extra.len(), 11, "{extra:?}");
    assert!(extra.iter().all(|e| e.ends_with("2024 EMP")));
    // The three `~` cells.
    for (u, p, c) in [("SZ", "1999", "EMP"), ("DG", "1999", "EMP"), ("FS", "2024", "GDPPC")] {
        assert!(value(&l, u, p, c).is_nan(), "{u} {p} {c}");
    }
}

#[test]
fn gba_flags_become_cell_notes_and_the_stray_cell_a_warning() {
    let l = load_gba("");
    let notes: Vec<(String, String, String, String)> = l
        .project
        .data
        .notes
        .iter()
        .map(|n| (n.unit.clone(), n.period.clone(), n.code.clone(), n.flag.clone()))
        .collect();
    // The `r` flags of the long table, in period, unit, column order.
    let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string(), "r".to_string());
    assert_eq!(
        notes,
        [s("HK", "2022", "GDP"), s("HK", "2022", "GDPPC"), s("HK", "2023", "GDP"), s("HK", "2023", "GDPPC")]
    );
    let long_r: HashSet<(String, String, String)> =
        long_table().into_iter().filter(|(_, (_, f))| f == "r").map(|(k, _)| k).collect();
    assert_eq!(long_r.len(), 4);
    assert!(notes.iter().all(|(u, p, c, _)| long_r.contains(&(u.clone(), p.clone(), c.clone()))));

    // Warnings: the stray 204.0 beside Jiangmen's 2022 employment, and the series EMP without
    // 2024. The blank string in 人均本地生产总值!C13 is not reported.
    check_bilingual(&l.warnings);
    assert_eq!(l.warnings.len(), 2, "{}", render(&l.warnings));
    let stray = find(&l.warnings, "outside the table's value columns");
    assert_eq!(stray.key.as_deref(), Some("就业人口!Q28"));
    assert_eq!((stray.line, stray.column), (Some(28), Some(17)));
    assert!(stray.file.ends_with("BayArea-zh-CN-4.xls"));
    assert!(stray.message.en.contains("204") && stray.message.en.contains("beside P28"), "{}", stray.message.en);
    assert!(stray.message.en.contains("unit 'JM', period 2022") && stray.message.en.contains("not used"));
    assert!(stray.message.zh.contains("未使用"));
    assert_eq!(value(&l, "JM", "2022", "EMP"), 263.04);
    find(&l.warnings, "series 'EMP' has no data in period 2024");
}

#[test]
fn gba_sheets_record_as_inputs() {
    let l = load_gba("");
    // project file, units file, four sheets
    assert_eq!(l.inputs.len(), 6);
    assert!(l.inputs[2].path.ends_with("BayArea-zh-CN-1.xls"));
}

// ---------------------------------------------------------------------------------------------
// Small sheets written for the tests.
// ---------------------------------------------------------------------------------------------

/// A two-unit project reading `d.xlsx` as a yearbook sheet of POP, with `keys` added to [[data]].
fn project(keys: &str) -> String {
    format!(
        r#"[index]
code = "IDX"
name = "Index"

[[units.list]]
code = "GZ"
name = {{ zh = "广州", en = "Guangzhou" }}

[[units.list]]
code = "HK"
name = {{ zh = "香港", en = "Hong Kong" }}

[[indicator]]
code = "POP"
name = "Population"
parent = "IDX"

[[data]]
file = "d.xlsx"
format = "yearbook"
indicator = "POP"
{keys}
[[pipeline]]
step = "normalise"

[[pipeline]]
step = "aggregate"
"#
    )
}

/// A cell to write: number or text.
enum C {
    N(f64),
    T(&'static str),
}

/// An .xlsx workbook with one sheet `s` holding the cells (0-based row, column).
fn xlsx(cells: &[(u32, u16, C)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("s").unwrap();
    for (r, c, v) in cells {
        match v {
            C::N(x) => ws.write_number(*r, *c, *x).unwrap(),
            C::T(t) => ws.write_string(*r, *c, *t).unwrap(),
        };
    }
    wb.save_to_buffer().unwrap()
}

/// A small years-in-rows table: title in A1, header in row 3, 2022 and 2023 in rows 4–5,
/// a footnote in row 7.
fn table(c22: C, c23: C) -> Vec<(u32, u16, C)> {
    vec![
        (0, 0, C::T("城市人口")),
        (2, 0, C::T("年")),
        (2, 1, C::T("广州")),
        (2, 3, C::T("香港特区\n(万人)")),
        (3, 0, C::N(2022.0)),
        (3, 1, C::N(1873.41)),
        (3, 3, c22),
        (4, 0, C::T("2023年")),
        (4, 1, C::N(1882.7)),
        (4, 3, c23),
        (6, 0, C::T("r  修订数字")),
    ]
}

fn load_sheet(keys: &str, cells: &[(u32, u16, C)]) -> Result<LoadedProject, Vec<Diagnostic>> {
    let dir = write(&[("p.toml", project(keys).as_bytes()), ("d.xlsx", &xlsx(cells))]);
    load_project_path(&dir.path().join("p.toml")).map_err(|d| d.0)
}

fn sheet_errors(keys: &str, cells: &[(u32, u16, C)]) -> Vec<Diagnostic> {
    let dir = write(&[("p.toml", project(keys).as_bytes()), ("d.xlsx", &xlsx(cells))]);
    errors_in(&dir)
}

#[test]
fn flags_stuck_to_numbers_are_split_off() {
    let l = load_sheet("", &table(C::T("747.26 r"), C::T("752.79ᵖ"))).unwrap_or_else(|d| panic!("{}", render(&d)));
    assert_eq!(value(&l, "HK", "2022", "POP"), 747.26);
    assert_eq!(value(&l, "HK", "2023", "POP"), 752.79);
    assert_eq!(value(&l, "GZ", "2023", "POP"), 1882.7);
    let flags: Vec<(&str, &str)> = l.project.data.notes.iter().map(|n| (n.period.as_str(), n.flag.as_str())).collect();
    // The superscript ᵖ is stored as p.
    assert_eq!(flags, [("2022", "r"), ("2023", "p")]);
    assert!(l.warnings.is_empty(), "{}", render(&l.warnings));
}

#[test]
fn flags_in_the_cell_beside_a_value_are_notes() {
    let mut cells = table(C::N(747.26), C::N(752.79));
    cells.push((3, 4, C::T("r")));
    cells.push((4, 2, C::T("*")));
    let l = load_sheet("flags = { \"*\" = \"see note 1\" }\n", &cells).unwrap_or_else(|d| panic!("{}", render(&d)));
    let notes: Vec<(&str, &str, &str)> =
        l.project.data.notes.iter().map(|n| (n.unit.as_str(), n.period.as_str(), n.flag.as_str())).collect();
    assert_eq!(notes, [("HK", "2022", "r"), ("GZ", "2023", "*")]);
    assert!(l.warnings.is_empty(), "{}", render(&l.warnings));
}

#[test]
fn unknown_flag_is_a_warning_and_the_value_is_kept() {
    let l = load_sheet("", &table(C::T("747.26x"), C::N(752.79))).unwrap_or_else(|d| panic!("{}", render(&d)));
    assert_eq!(value(&l, "HK", "2022", "POP"), 747.26);
    let w = find(&l.warnings, "carries the flag \"x\"");
    assert_eq!(w.key.as_deref(), Some("s!D4"));
    assert!(w.message.en.contains("the value 747.26 is used as given"), "{}", w.message.en);
    assert!(w.help.en.contains("flags = { \"x\" = \"…\" }"), "{}", w.help.en);
    assert_eq!(l.project.data.notes.len(), 1);
}

#[test]
fn missing_markers_are_missing() {
    let mut cells = table(C::T("~"), C::T(".."));
    cells.push((5, 0, C::N(2024.0)));
    cells.push((5, 3, C::N(753.42)));
    let l = load_sheet("", &cells).unwrap_or_else(|d| panic!("{}", render(&d)));
    assert_eq!(value(&l, "HK", "2024", "POP"), 753.42);
    assert!(value(&l, "HK", "2022", "POP").is_nan());
    assert!(value(&l, "HK", "2023", "POP").is_nan());
}

#[test]
fn unreadable_cell_is_an_error_naming_sheet_and_cell() {
    let errs = sheet_errors("", &table(C::T("12,3"), C::T("—")));
    assert_eq!(errs.len(), 2, "{}", render(&errs));
    let e = find(&errs, "\"12,3\" is not a number");
    assert_eq!(e.key.as_deref(), Some("s!D4"));
    assert_eq!((e.line, e.column), (Some(4), Some(4)));
    assert!(e.help.en.contains("thousands"));
    let e = find(&errs, "\"—\" is not a number");
    assert_eq!(e.key.as_deref(), Some("s!D5"));
    assert!(e.help.en.contains("zero (nil)"), "{}", e.help.en);
}

#[test]
fn unknown_column_header_is_an_error_with_the_fix() {
    let mut cells = table(C::N(1.0), C::N(2.0));
    cells.push((2, 5, C::T("深圳")));
    cells.push((3, 5, C::N(3.0)));
    let errs = sheet_errors("", &cells);
    let e = find(&errs, "the column header \"深圳\" is not a declared unit");
    assert_eq!(e.key.as_deref(), Some("s!F3"));
    assert!(e.help.en.contains("unit_names = { \"深圳\" = \"CODE\" }") && e.help.en.contains("skip = [\"深圳\"]"));
    assert!(e.help.en.contains("GZ (广州, Guangzhou)"), "{}", e.help.en);
    // … and `skip` ignores it.
    let l = load_sheet("skip = [\"深圳\"]\n", &cells).unwrap_or_else(|d| panic!("{}", render(&d)));
    assert_eq!(value(&l, "HK", "2023", "POP"), 2.0);
}

#[test]
fn row_with_numbers_and_no_period_is_an_error_footnotes_are_not() {
    let mut cells = table(C::N(1.0), C::N(2.0));
    cells.push((5, 0, C::T("2024p")));
    cells.push((5, 1, C::N(1900.0)));
    cells.push((7, 0, C::T("资料来源：广东省统计局")));
    let errs = sheet_errors("", &cells);
    assert_eq!(errs.len(), 1, "{}", render(&errs));
    let e = find(&errs, "row 6 holds numbers, but its first cell \"2024p\" is not a period");
    assert_eq!(e.key.as_deref(), Some("s!A6"));
}

#[test]
fn stray_number_without_row_label_is_a_warning() {
    let mut cells = table(C::N(1.0), C::N(2.0));
    cells.push((5, 3, C::N(99.0)));
    let l = load_sheet("", &cells).unwrap_or_else(|d| panic!("{}", render(&d)));
    let w = find(&l.warnings, "holds 99 in a row without a period");
    assert_eq!(w.key.as_deref(), Some("s!D6"));
    assert_eq!(w.severity, Severity::Warning);
}

#[test]
fn years_in_columns_with_english_names() {
    let cells = vec![
        (0, 0, C::T("Population, 10k persons")),
        (1, 0, C::T("City")),
        (1, 1, C::N(2022.0)),
        (1, 2, C::T("2023年")),
        (2, 0, C::T("Hong Kong SAR")),
        (2, 1, C::N(747.26)),
        (2, 2, C::N(752.79)),
        (3, 0, C::T("guangzhou")),
        (3, 1, C::N(1873.41)),
        (3, 2, C::T("~")),
        (4, 0, C::T("Note: year-end figures")),
    ];
    let l = load_sheet("orientation = \"years_in_columns\"\n", &cells).unwrap_or_else(|d| panic!("{}", render(&d)));
    assert_eq!(l.project.data.periods, ["2022", "2023"]);
    assert_eq!(value(&l, "HK", "2023", "POP"), 752.79);
    assert_eq!(value(&l, "GZ", "2022", "POP"), 1873.41);
    assert!(value(&l, "GZ", "2023", "POP").is_nan());
}

#[test]
fn no_header_row_is_an_error() {
    let cells = vec![(0, 0, C::T("title")), (1, 0, C::N(2022.0)), (1, 1, C::N(5.0))];
    let errs = sheet_errors("", &cells);
    let e = find(&errs, "cannot find the header row");
    assert_eq!(e.key.as_deref(), Some("s"));
    assert!(e.help.en.contains("header_row = N"));
    let errs = sheet_errors("header_row = 40\n", &table(C::N(1.0), C::N(2.0)));
    find(&errs, "header_row = 40, but the sheet's cells are in rows 1–7");
}

#[test]
fn yearbook_keys_are_checked() {
    let p = project("").replace(
        "indicator = \"POP\"\n",
        "header_row = 0\norientation = \"sideways\"\nunit_names = { \"香港特区\" = \"HKG\" }\n",
    );
    let dir = write(&[("p.toml", p.as_bytes()), ("d.xlsx", &xlsx(&table(C::N(1.0), C::N(2.0))))]);
    let errs = errors_in(&dir);
    find(&errs, "a yearbook sheet holds one indicator, and `indicator` does not say which");
    find(&errs, "`header_row` must be a row number");
    find(&errs, "unknown orientation \"sideways\"");
    let e = find(&errs, "unit 'HKG' is not declared in [units]");
    assert!(e.help.en.contains("did you mean 'HK'?"));
    // Yearbook keys on another format.
    let p = project("").replace("format = \"yearbook\"\n", "format = \"long\"\n");
    let dir = write(&[("p.toml", p.as_bytes()), ("d.xlsx", &xlsx(&table(C::N(1.0), C::N(2.0))))]);
    let errs = errors_in(&dir);
    find(&errs, "`indicator` applies to yearbook sheets only");
}

// ---------------------------------------------------------------------------------------------
// Flags and missing markers in long files.
// ---------------------------------------------------------------------------------------------

#[test]
fn long_flag_column_notes_and_untrusted_flags() {
    let data = "unit,period,indicator,value,flag\n\
                SZ,2023,ECOM,10.5,r\n\
                SZ,2023,PAY,5,\n\
                SZ,2023,POP,1766,\n\
                GZ,2023,ECOM,8,stray_cell_204.0\n\
                GZ,2023,PAY,~,e\n\
                GZ,2023,POP,..,\n";
    let l = common::ok(common::PROJECT, data);
    let notes: Vec<(&str, &str, &str)> =
        l.project.data.notes.iter().map(|n| (n.unit.as_str(), n.code.as_str(), n.flag.as_str())).collect();
    // Project order: units SZ, GZ; columns ECOM, PAY, POP.
    assert_eq!(notes, [("SZ", "ECOM", "r"), ("GZ", "ECOM", "stray_cell_204.0"), ("GZ", "PAY", "e")]);
    assert!(value(&l, "GZ", "2023", "PAY").is_nan());
    assert!(value(&l, "GZ", "2023", "POP").is_nan());
    check_bilingual(&l.warnings);
    let w = find(&l.warnings, "stray_cell_204.0");
    assert_eq!(w.line, Some(5));
    assert_eq!(w.key.as_deref(), Some("flag"));
    assert!(w.message.en.contains("the value 8 is used as given"), "{}", w.message.en);
    assert_eq!(value(&l, "GZ", "2023", "ECOM"), 8.0);
    // Declared, the flag is accepted silently.
    let p = common::PROJECT
        .replace("file = \"data.csv\"\n", "file = \"data.csv\"\nflags = { \"stray_cell_204.0\" = \"checked\" }\n");
    let l = common::ok(&p, data);
    assert!(!l.warnings.iter().any(|w| w.message.en.contains("stray_cell")), "{}", render(&l.warnings));
}

#[test]
fn codes_map_file_codes_to_project_codes() {
    // The file's codes differ from the project's; `x` feeds two project codes; `other` is not
    // listed and is not read (no error).
    let data = "unit,period,indicator,value\n\
                SZ,2023,x,10\n\
                SZ,2023,pay,5\n\
                SZ,2023,other,1\n\
                GZ,2023,x,8\n\
                GZ,2023,pay,4\n\
                ZZ,2023,other,1\n";
    let p = common::PROJECT.replace(
        "file = \"data.csv\"\n",
        "file = \"data.csv\"\ncodes = { ECOM = \"x\", POP = \"x\", PAY = \"pay\" }\n",
    );
    let l = common::ok(&p, data);
    assert_eq!(value(&l, "SZ", "2023", "ECOM"), 10.0);
    assert_eq!(value(&l, "SZ", "2023", "POP"), 10.0);
    assert_eq!(value(&l, "GZ", "2023", "PAY"), 4.0);
    assert!(l.warnings.is_empty(), "{}", render(&l.warnings));
    // Wide files too.
    let wide = "unit,period,x,pay,other\nSZ,2023,10,5,1\nGZ,2023,8,4,1\n";
    let l = common::ok(&p, wide);
    assert_eq!(value(&l, "GZ", "2023", "POP"), 8.0);
    // A project code that is not declared.
    let bad = common::PROJECT.replace("file = \"data.csv\"\n", "file = \"data.csv\"\ncodes = { ECMO = \"x\" }\n");
    let errs = common::errors(&bad, data);
    let e = find(&errs, "'ECMO' is neither an indicator nor a [[series]]");
    assert!(e.help.en.contains("did you mean 'ECOM'?"));
    assert_eq!(e.key.as_deref(), Some("data[1].codes.ECMO"));
}

/// Reads a CSV file with `#` comment lines into records.
fn records(path: &Path) -> Vec<csv::StringRecord> {
    let text = std::fs::read_to_string(path).unwrap();
    let body: String = text.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{l}\n")).collect();
    csv::Reader::from_reader(body.as_bytes()).records().map(Result::unwrap).collect()
}

/// Half a cent: the converted values are rounded to 2 decimals.
const CONVERTED_ROUNDING: f64 = 0.005 + 1e-9;

#[test]
fn gba_context_panel_is_the_long_table_converted() {
    let r = root();
    let long = long_table();
    let fx: HashMap<String, (f64, f64, f64)> = records(&r.join("examples/gba/fx_rates.csv"))
        .iter()
        .map(|f| (f[0].to_string(), (f[1].parse().unwrap(), f[2].parse().unwrap(), f[3].parse().unwrap())))
        .collect();
    assert_eq!(fx.len(), 26);
    let panel = records(&r.join("examples/gba/context_panel.csv"));
    // Every cell of the long table, and nothing else.
    assert_eq!(panel.len(), long.len());
    let mut converted = 0;
    for f in &panel {
        let key = (f[0].to_string(), f[1].to_string(), f[2].to_string());
        let (v, flag) = &long[&key];
        // `r` is kept; the stray-cell remark is not a flag of the value (see make_context_panel.py).
        let want_flag = if flag == "r" { "r" } else { "" };
        assert_eq!(&f[4], want_flag, "{key:?}");
        if v.is_empty() {
            assert_eq!(&f[3], "", "{key:?}");
            continue;
        }
        let is_sar = key.0 == "HK" || key.0 == "MO";
        if is_sar && (key.2 == "GDP" || key.2 == "GDPPC") {
            let (usd_cny, hkd_per_usd, mop_per_hkd) = fx[&key.1];
            let mut rate = usd_cny / hkd_per_usd;
            if key.0 == "MO" {
                rate /= mop_per_hkd;
            }
            let want = v.parse::<f64>().unwrap() * rate;
            let got: f64 = f[3].parse().unwrap();
            assert!((got - want).abs() <= CONVERTED_ROUNDING, "{key:?}: {got} vs {want}");
            converted += 1;
        } else {
            assert_eq!(&f[3], v.as_str(), "{key:?}");
        }
    }
    assert_eq!(converted, 2 * 2 * 26);
    // 2023 as in context_2023.csv (HK 29834.08 100m HKD → 26852.27; Macao 3693.28 100m MOP → 3227.33).
    let gdp = |u: &str| panel.iter().find(|f| &f[0] == u && &f[1] == "2023" && &f[2] == "GDP").unwrap()[3].to_string();
    assert_eq!((gdp("HK"), gdp("MO")), ("26852.27".to_string(), "3227.33".to_string()));
}
