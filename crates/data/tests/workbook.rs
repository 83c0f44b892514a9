//! The results workbook (`baydex_data::workbook`), read back with calamine.

use std::io::Cursor;
use std::path::Path;

use baydex_core::Lang;
use baydex_data::workbook::{Cell, SheetTable, results_workbook, results_workbook_with};
use baydex_data::{LoadedProject, load_project_path};
use calamine::{Data, Range, Reader, Xlsx};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn load(rel: &str) -> (LoadedProject, baydex_core::Results) {
    let l = load_project_path(&root().join(rel)).unwrap_or_else(|d| panic!("{d}"));
    let r = baydex_core::compute(&l.project).unwrap();
    (l, r)
}

fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

fn header(r: &Range<Data>) -> Vec<String> {
    r.rows().next().unwrap().iter().map(|d| d.to_string()).collect()
}

fn rows(r: &Range<Data>) -> Vec<Vec<Data>> {
    r.rows().skip(1).map(<[Data]>::to_vec).collect()
}

#[test]
fn gba_workbook_has_every_sheet_and_the_scores() {
    let (l, res) = load("examples/gba/gba.toml");
    let mut wb = open(results_workbook(&l, &res, Lang::En).unwrap());
    assert_eq!(
        wb.sheet_names(),
        ["about", "scores", "Raw", "Denominated", "Normalised", "Aggregated", "framework", "tiers"]
    );
    let scores = wb.worksheet_range("scores").unwrap();
    assert_eq!(header(&scores), ["unit", "name", "period", "node", "level", "score", "rank", "tier"]);
    // One row per node × unit (1 period): 1 index + 6 dimensions + 22 indicators, 11 units.
    let rs = rows(&scores);
    assert_eq!(rs.len(), 29 * 11);
    // Shenzhen leads (README: 88.35, T1).
    let sz = rs.iter().find(|r| r[0] == Data::String("SZ".into()) && r[3] == Data::String("DEI".into())).unwrap();
    assert_eq!(sz[1], Data::String("Shenzhen".into()));
    assert_eq!(sz[2], Data::String("2023".into()));
    let fw = &l.project.framework;
    let root = fw.root();
    // Levels count from the indicators (1) up, as in COINr: the index is level 3.
    assert_eq!(sz[4], Data::Float(f64::from(fw.node(root).level)));
    assert_eq!(sz[4], Data::Float(3.0));
    let pr = &res.periods[0];
    let u = pr.units().iter().position(|x| x == "SZ").unwrap();
    // The cell holds the full-precision score (the 0.00 format only changes what is shown).
    assert_eq!(sz[5], Data::Float(pr.scores(root)[u]));
    assert!((pr.scores(root)[u] - 88.35).abs() < 0.005);
    assert_eq!(sz[6], Data::Float(1.0));
    assert_eq!(sz[7], Data::String("T1".into()));

    let raw = wb.worksheet_range("Raw").unwrap();
    let h = header(&raw);
    assert_eq!(&h[..4], ["unit", "name", "period", "ECOM_PC"]);
    assert_eq!(rows(&raw).len(), 11);

    let about = wb.worksheet_range("about").unwrap();
    let text: Vec<String> =
        rows(&about).iter().map(|r| r.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(" | ")).collect();
    assert!(text[0].starts_with("ILLUSTRATIVE DATA | "), "{text:?}");
    assert!(text.iter().any(|t| t.contains(&format!("baydex {}", env!("CARGO_PKG_VERSION")))), "{text:?}");
    assert!(text.iter().any(|t| t.starts_with("project file | ") && t.contains("gba.toml")));

    let fwk = wb.worksheet_range("framework").unwrap();
    assert_eq!(
        header(&fwk),
        [
            "code",
            "name_zh",
            "name_en",
            "parent",
            "level",
            "weight",
            "effective_weight",
            "direction",
            "unit",
            "definition",
            "source"
        ]
    );
    let frs = rows(&fwk);
    assert_eq!(frs.len(), 29);
    // Tree order.
    let codes: Vec<String> = frs.iter().take(3).map(|r| r[0].to_string()).collect();
    assert_eq!(codes, ["DEI", "COM", "ECOM_PC"]);
    assert_eq!(frs[1][3], Data::String("DEI".into()));
    let price = frs.iter().find(|r| r[0] == Data::String("BB_PRICE".into())).unwrap();
    assert_eq!(price[1], Data::String("固定宽带单位带宽月均资费".into()));
    assert_eq!(price[7], Data::Float(-1.0));

    let tiers = wb.worksheet_range("tiers").unwrap();
    assert_eq!(header(&tiers), ["code", "name", "min", "DEI 2023"]);
    // README: two cities in T1, three in T2, six in T3.
    let counts: Vec<Data> = rows(&tiers).iter().map(|r| r[3].clone()).collect();
    assert_eq!(counts, [Data::Float(2.0), Data::Float(3.0), Data::Float(6.0)]);
}

#[test]
fn chinese_names_and_labels() {
    let (l, res) = load("examples/gba/gba.toml");
    let mut wb = open(results_workbook(&l, &res, Lang::Zh).unwrap());
    let scores = wb.worksheet_range("scores").unwrap();
    // Headers do not depend on the language; names do.
    assert_eq!(header(&scores)[1], "name");
    assert!(rows(&scores).iter().any(|r| r[1] == Data::String("深圳".into())));
    let about = wb.worksheet_range("about").unwrap();
    assert_eq!(rows(&about)[0][0], Data::String("示意数据".into()));
}

#[test]
fn panel_workbook_stacks_periods_and_marks_missing_cells_empty() {
    let (l, res) = load("examples/gba/panel.toml");
    let mut wb = open(results_workbook(&l, &res, Lang::En).unwrap());
    let scores = wb.worksheet_range("scores").unwrap();
    // 25 periods (2000–2024) × (1 index + 2 dimensions + 4 indicators) × 11 units.
    assert_eq!(rows(&scores).len(), 25 * 7 * 11);
    let about = wb.worksheet_range("about").unwrap();
    assert!(!rows(&about).iter().any(|r| r[0] == Data::String("ILLUSTRATIVE DATA".into())));
    let raw = wb.worksheet_range("Raw").unwrap();
    assert_eq!(header(&raw), ["unit", "name", "period", "GDPPC", "EMPR", "POPN", "GDP"]);
    let rs = rows(&raw);
    assert_eq!(rs.len(), 25 * 11);
    // Hong Kong 2023 GDP, converted to RMB (context_panel.csv).
    let hk = rs.iter().find(|r| r[0] == Data::String("HK".into()) && r[2] == Data::String("2023".into())).unwrap();
    assert_eq!(hk[6], Data::Float(26852.27));
    let tiers = wb.worksheet_range("tiers").unwrap();
    assert_eq!(header(&tiers).len(), 3 + 25);
}

#[test]
fn extra_tables_get_sheets_of_their_own() {
    let (l, res) = load("examples/gba/gba.toml");
    let audit = SheetTable::from_csv("availability/units", "period,unit,share\n2023,SZ,1\n2023,GZ,NA\n").unwrap();
    let other = SheetTable {
        name: "scores".into(),
        header: vec!["a".into(), "b".into()],
        rows: vec![vec![Cell::from("x"), Cell::from(0.5)]],
    };
    let mut wb = open(results_workbook_with(&l, &res, Lang::En, &[audit, other]).unwrap());
    let names = wb.sheet_names();
    assert_eq!(&names[names.len() - 2..], ["availability_units", "scores~2"]);
    let t = wb.worksheet_range("availability_units").unwrap();
    assert_eq!(header(&t), ["period", "unit", "share"]);
    let rs = rows(&t);
    assert_eq!(rs[0], [Data::Float(2023.0), Data::String("SZ".into()), Data::Float(1.0)]);
    assert_eq!(rs[1][2], Data::Empty);
    let t = wb.worksheet_range("scores~2").unwrap();
    assert_eq!(rows(&t)[0], [Data::String("x".into()), Data::Float(0.5)]);
}

#[test]
fn same_run_same_bytes() {
    let (l, res) = load("examples/gba/gba.toml");
    assert_eq!(results_workbook(&l, &res, Lang::En).unwrap(), results_workbook(&l, &res, Lang::En).unwrap());
}
