//! Loading valid projects: long and wide CSV, `.xlsx`, inline and file units, embedded sources.

mod common;

use baydex_core::{NodeKind, Value};
use baydex_data::{EmbeddedSource, InputFile, apply_set, load_project};
use common::*;
use rust_xlsxwriter::Workbook;

fn nan_eq(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b
}

#[test]
fn long_csv_project() {
    let l = ok(PROJECT, DATA);
    let p = &l.project;
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    assert!(l.file.ends_with("p.toml"));

    // Units in declaration order, with coordinates, groups and attributes.
    let codes: Vec<&str> = p.units.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes, ["SZ", "GZ"]);
    assert_eq!(p.units[0].name.zh, "深圳");
    assert_eq!(p.units[0].lon, Some(114.06));
    assert_eq!(p.units[0].attributes["adcode"], "440300");
    assert_eq!(p.units[1].groups["region"], "PRD9");

    // Framework: index first, then [[node]]s and [[indicator]]s in file order.
    let fw = &p.framework;
    let order: Vec<&str> = fw.nodes().iter().map(|n| n.code()).collect();
    assert_eq!(order, ["DEI", "ECOM", "COM", "PAY"]);
    assert_eq!(fw.node(fw.root()).spec.name.en, "Digital Economy Index");
    let ecom = &fw.node(fw.find("ECOM").unwrap()).spec;
    assert_eq!((ecom.weight, ecom.kind, ecom.denominator.as_deref()), (2.0, NodeKind::Indicator, Some("POP")));
    let pay = &fw.node(fw.find("PAY").unwrap()).spec;
    assert_eq!(pay.direction, -1.0);
    assert_eq!(pay.name.zh, "Mobile payment", "a plain string is used for both languages");
    assert_eq!(pay.goalposts.map(|g| (g.lower, g.upper)), Some((0.0, 100.0)));

    // Panel: indicators in framework order, then series; periods sorted; NA and absent are NaN.
    let d = &p.data;
    assert_eq!(d.units, ["SZ", "GZ"]);
    assert_eq!(d.columns, ["ECOM", "PAY", "POP"]);
    assert_eq!(d.periods, ["2022", "2023"]);
    assert_eq!(p.meta.periods, d.periods);
    let y23 = &d.data[1];
    assert_eq!(y23.col(0), &[10.5, 8.0]);
    assert!(nan_eq(y23.get(1, 1), f64::NAN));
    assert_eq!(y23.col(2), &[1766.0, 1882.0]);
    let y22 = &d.data[0];
    assert!(nan_eq(y22.get(1, 0), f64::NAN) && y22.get(0, 0) == 9.0 && y22.get(1, 1) == 4.0);

    // Series, pipeline and tiers.
    assert_eq!(p.series[0].name.en, "Population");
    let steps: Vec<&str> = p.pipeline.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps, ["normalise", "aggregate"]);
    assert_eq!(p.pipeline[0].params["method"], Value::Str("minmax".into()));
    let tiers = p.tiers.as_ref().unwrap();
    assert_eq!(tiers.bands.len(), 2);
    assert_eq!(tiers.bands[1].min, None);
    assert_eq!(tiers.nodes.as_deref(), Some(&["DEI".to_string()][..]));

    // Inputs in read order, with their hashes.
    assert_eq!(l.inputs.len(), 2);
    assert!(l.inputs[0].path.ends_with("p.toml") && l.inputs[1].path.ends_with("data.csv"));
    assert_eq!(l.inputs[1], InputFile::new(l.inputs[1].path.clone(), DATA.as_bytes()));
    assert_eq!(l.inputs[1].sha256.len(), 64);
}

#[test]
fn requested_periods_are_kept_in_their_order_and_others_warned_about() {
    let project = PROJECT.replace("code = \"DEI\"\n", "code = \"DEI\"\nperiods = [2023]\n");
    let l = ok(&project, DATA);
    assert_eq!(l.project.data.periods, ["2023"]);
    assert_eq!(l.project.data.data.len(), 1);
    let w = find(&l.warnings, "period \"2022\"");
    assert_eq!((w.line, w.column), (Some(3), Some(12)));
}

#[test]
fn numeric_periods_sort_as_numbers() {
    let data = "unit,period,indicator,value\nSZ,2023,ECOM,1\nGZ,2023,PAY,1\nSZ,999,ECOM,1\nGZ,999,PAY,2\n";
    let l = ok(PROJECT, data);
    assert_eq!(l.project.data.periods, ["999", "2023"]);
}

#[test]
fn wide_csv_with_and_without_a_period_column() {
    let project = PROJECT.replace(
        "[[data]]\nfile = \"data.csv\"\n",
        "[[data]]\nfile = \"wide.csv\"\n\n[[data]]\nfile = \"pop.csv\"\nformat = \"wide\"\nperiod = \"2023\"\n\n[[data]]\nfile = \"pop22.csv\"\n",
    );
    let wide = "unit, period, ECOM, PAY\nSZ,2023,10.5,5\nGZ,2023,8,\nSZ,2022,9,NA\nGZ,2022,,4\n";
    let pop = "# population, 2023\nunit,POP\nSZ,1766\nGZ,1882\n";
    let pop22 = "unit,period,indicator,value\nSZ,2022,POP,1760\n";
    let dir = write(&[
        ("p.toml", project.as_bytes()),
        ("wide.csv", wide.as_bytes()),
        ("pop.csv", pop.as_bytes()),
        ("pop22.csv", pop22.as_bytes()),
    ]);
    let l = load(&dir).unwrap_or_else(|d| panic!("{d}"));
    let long = ok(PROJECT, DATA);
    assert_eq!(l.project.data.periods, long.project.data.periods);
    for (a, b) in l.project.data.data.iter().zip(&long.project.data.data) {
        assert!(a.as_slice().iter().zip(b.as_slice()).all(|(x, y)| nan_eq(*x, *y)), "{a:?} vs {b:?}");
    }
    let files: Vec<&str> = l.inputs.iter().map(|i| i.path.rsplit('/').next().unwrap()).collect();
    assert_eq!(files, ["p.toml", "wide.csv", "pop.csv", "pop22.csv"]);
}

/// A cell written to a test workbook.
#[derive(Clone, Copy)]
enum X {
    S(&'static str),
    N(f64),
    Blank,
}
use X::{Blank, N, S};

/// An `.xlsx` workbook with one sheet named `data`.
fn xlsx(rows: &[&[X]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("data").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, x) in row.iter().enumerate() {
            match *x {
                S(v) => {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
                N(v) => {
                    ws.write_number(r as u32, c as u16, v).unwrap();
                }
                Blank => {}
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn xlsx_wide_data_with_numeric_periods() {
    let bytes = xlsx(&[
        &[S("unit"), S("period"), S("ECOM"), S("PAY"), S("POP")],
        &[S("SZ"), N(2023.0), N(10.5), N(5.0), N(1766.0)],
        &[S("GZ"), N(2023.0), N(8.0), Blank, S("1882")],
        &[S("SZ"), N(2022.0), N(9.0), S("NA"), N(1760.0)],
        &[S("GZ"), N(2022.0), Blank, N(4.0), Blank],
    ]);
    let project = PROJECT.replace("file = \"data.csv\"", "file = \"data.xlsx\"\nsheet = \"data\"");
    let dir = write(&[("p.toml", project.as_bytes()), ("data.xlsx", &bytes)]);
    let l = load(&dir).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(l.project.data.periods, ["2022", "2023"], "integer periods without .0");
    assert_eq!(l.project.data.data[1].col(2), &[1766.0, 1882.0], "numbers stored as text are read");
    assert!(l.project.data.data[1].get(1, 1).is_nan());
    assert_eq!(l.inputs[1].bytes, bytes.len() as u64);
}

#[test]
fn xlsx_cell_errors_name_the_cell() {
    let bytes = xlsx(&[
        &[S("unit"), S("period"), S("ECOM"), S("PAY"), S("POP")],
        &[S("SZ"), N(2023.0), N(10.5), S("12,3"), N(1766.0)],
        &[S("GZ"), N(2023.0), N(8.0), N(1.0), N(1882.0)],
    ]);
    let project = PROJECT.replace("file = \"data.csv\"", "file = \"data.xlsx\"");
    let dir = write(&[("p.toml", project.as_bytes()), ("data.xlsx", &bytes)]);
    let errs = errors_in(&dir);
    let d = find(&errs, "\"12,3\" is not a number");
    assert!(in_file(d, "data.xlsx"));
    assert_eq!((d.line, d.column, d.key.as_deref()), (Some(2), Some(4), Some("D2")));
    assert!(d.to_string().contains("data.xlsx:2:4 [D2]: value \"12,3\" is not a number"), "{d}");

    let project = PROJECT.replace("file = \"data.csv\"", "file = \"data.xlsx\"\nsheet = \"Sheet9\"");
    let dir = write(&[("p.toml", project.as_bytes()), ("data.xlsx", &bytes)]);
    let errs = errors_in(&dir);
    let d = find(&errs, "no sheet \"Sheet9\"");
    assert!(d.help.en.contains("data"), "{d}");
}

const UNITS_INLINE: &str = r#"[[units.list]]
code = "SZ"
name = { zh = "深圳", en = "Shenzhen" }
lon = 114.06
lat = 22.54
groups = { region = "PRD9" }
adcode = "440300"

[[units.list]]
code = "GZ"
name = { zh = "广州", en = "Guangzhou" }
groups = { region = "PRD9" }
"#;

fn with_units(units: &str) -> String {
    let start = PROJECT.find("[[units.list]]\ncode = \"SZ\"").unwrap();
    let end = PROJECT.find("[[indicator]]").unwrap();
    let rest = PROJECT[end..].replace(
        "[[units.list]]\ncode = \"GZ\"\nname = { zh = \"广州\", en = \"Guangzhou\" }\ngroups = { region = \"PRD9\" }\n",
        "",
    );
    format!("{}{units}\n{rest}", &PROJECT[..start])
}

#[test]
fn inline_units_and_units_file_give_the_same_units() {
    let inline = ok(&with_units(UNITS_INLINE), DATA);
    let csv = "code,name_zh,name_en,lon,lat,region,adcode\nSZ,深圳,Shenzhen,114.06,22.54,PRD9,440300\nGZ,广州,Guangzhou,,,PRD9,\n";
    let project = with_units("[units]\nfile = \"units.csv\"\ngroups = [\"region\"]\n");
    let dir = write(&[("p.toml", project.as_bytes()), ("data.csv", DATA.as_bytes()), ("units.csv", csv.as_bytes())]);
    let file = load(&dir).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(inline.project.units, file.project.units);
    let files: Vec<&str> = file.inputs.iter().map(|i| i.path.rsplit('/').next().unwrap()).collect();
    assert_eq!(files, ["p.toml", "units.csv", "data.csv"], "read order");
}

#[test]
fn units_file_as_xlsx() {
    let bytes = xlsx(&[
        &[S("code"), S("name_zh"), S("name_en"), S("lon"), S("lat"), S("region"), S("adcode")],
        &[S("SZ"), S("深圳"), S("Shenzhen"), N(114.06), N(22.54), S("PRD9"), N(440300.0)],
        &[S("GZ"), S("广州"), S("Guangzhou"), Blank, Blank, S("PRD9"), Blank],
    ]);
    let project = with_units("[units]\nfile = \"units.xlsx\"\ngroups = [\"region\"]\n");
    let dir = write(&[("p.toml", project.as_bytes()), ("data.csv", DATA.as_bytes()), ("units.xlsx", &bytes)]);
    let l = load(&dir).unwrap_or_else(|d| panic!("{d}"));
    let inline = ok(&with_units(UNITS_INLINE), DATA);
    assert_eq!(l.project.units, inline.project.units);
}

#[test]
fn embedded_source_and_relative_paths() {
    static FILES: &[(&str, &[u8])] =
        &[("gba/p.toml", common::PROJECT.as_bytes()), ("gba/data.csv", common::DATA.as_bytes())];
    let src = EmbeddedSource { name: "demo", files: FILES };
    let l = load_project(&src, "gba/p.toml").unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(l.file, "<embedded>/demo/gba/p.toml");
    assert_eq!(l.inputs[1].path, "<embedded>/demo/gba/data.csv");
    assert_eq!(l.project.units.len(), 2);
}

#[test]
fn set_overrides_a_loaded_pipeline() {
    let mut l = ok(PROJECT, DATA);
    apply_set(&mut l.project.pipeline, "normalise.range=[1,100]").unwrap();
    apply_set(&mut l.project.pipeline, "aggregate.method=gmean").unwrap();
    assert_eq!(l.project.pipeline[0].params["range"], Value::Array(vec![Value::Int(1), Value::Int(100)]));
    assert_eq!(l.project.pipeline[1].params["method"], Value::Str("gmean".into()));
    let e = apply_set(&mut l.project.pipeline, "treat.winmax=3").unwrap_err();
    assert!(e.help.en.contains("normalise, aggregate"), "{e}");
    assert!(e.render(baydex_core::Lang::Zh).starts_with("错误："));
}

#[test]
fn utf8_bom_and_trailing_padding_columns_are_accepted() {
    let data = format!("\u{feff}{}", DATA.replace("unit,period,indicator,value", "unit,period,indicator,value,,"));
    let data = data.replace("SZ,2023,ECOM,10.5", "SZ,2023,ECOM,10.5,,");
    let l = ok(PROJECT, &data);
    assert_eq!(l.project.data.data[1].get(0, 0), 10.5);
}

/// `[tiers] method = "jenks" | "kmeans" | "quantile"` with bands without `min`: the scheme loads,
/// and the breaks are computed from each tiered node's scores.
#[test]
fn data_driven_tier_methods() {
    for m in ["jenks", "kmeans", "quantile"] {
        // 2023 only (in 2022 GZ has no data), and PAY (one value in 2023) normalised to the midpoint.
        let project = PROJECT
            .replacen("[tiers]\n", &format!("[tiers]\nmethod = \"{m}\"\n"), 1)
            .replacen("min = 50\n", "", 1)
            .replacen(
                "en = \"Digital Economy Index\" }\n",
                "en = \"Digital Economy Index\" }\nperiods = [\"2023\"]\n",
                1,
            )
            .replacen("method = \"minmax\"\n", "method = \"minmax\"\nconstant = \"midpoint\"\n", 1);
        let l = ok(&project, DATA);
        let t = l.project.tiers.as_ref().unwrap();
        assert_eq!(t.method_kind().map(|k| k.code()), Some(m));
        assert!(t.bands.iter().all(|b| b.min.is_none()));
        let r = baydex_core::compute(&l.project).unwrap();
        let root = l.project.framework.root();
        for pr in &r.periods {
            // Two units, two bands: the better unit is in the first band; the upper break is the
            // better score (jenks, kmeans) or the median of the two (quantile, type 7).
            let (s, b) = (pr.scores(root), pr.tier_breaks(root).unwrap());
            assert_eq!(b.len(), 2);
            let best = if s[0] >= s[1] { 0 } else { 1 };
            assert_eq!(pr.tiers(root)[best], Some(0), "{m} {}", pr.period);
            assert_eq!(pr.tiers(root)[1 - best], Some(1), "{m} {}", pr.period);
            let (lo, hi) = (s[1 - best], s[best]);
            let upper = if m == "quantile" { lo + 0.5 * (hi - lo) } else { hi };
            assert_eq!(b, [upper, s[1 - best]], "{m} {}", pr.period);

            // tiers.csv: method, bands, breaks and counts; results.json: the breaks.
            let csv = baydex_data::output::tiers_csv(&l.project, &r).unwrap();
            let (ub, lb) = (baydex_data::output::fmt_num(upper), baydex_data::output::fmt_num(lo));
            assert_eq!(
                csv,
                format!(
                    "period,node,method,band,name_en,name_zh,lower,upper,count\n\
                     2023,DEI,{m},T1,First tier,第一梯队,{ub},NA,1\n\
                     2023,DEI,{m},T2,Second tier,第二梯队,{lb},{ub},1\n"
                )
            );
            let json = baydex_data::output::results_json(&l.project, &r, &[]);
            let nodes = &json["results"][0]["nodes"];
            assert_eq!(nodes["DEI"]["tier_breaks"], serde_json::json!([upper, lo]));
            assert_eq!(nodes["COM"]["tier_breaks"], serde_json::Value::Null, "only DEI is tiered");
            assert_eq!(json["tiers"]["method"], m);
        }
    }
}

/// Expert weights from a file: `values_file` on a `weight` step is read by the loader into the
/// step's `values`, and a bad line is reported at its line in that file.
#[test]
fn expert_weights_from_a_file() {
    let project = PROJECT.replace(
        "[[pipeline]]\nstep = \"aggregate\"",
        "[[pipeline]]\nstep = \"weight\"\nmethod = \"expert\"\nvalues_file = \"weights.csv\"\n\n[[pipeline]]\nstep = \"aggregate\"",
    );
    let good = "# expert judgement\ncode,weight\nECOM,3\nPAY,1\n";
    let dir = write(&[("p.toml", project.as_bytes()), ("data.csv", DATA.as_bytes()), ("weights.csv", good.as_bytes())]);
    let l = load(&dir).unwrap_or_else(|d| panic!("{}", d.render(baydex_core::Lang::En)));
    let w = l.project.pipeline.iter().find(|s| s.step == "weight").unwrap();
    assert!(!w.params.contains_key("values_file"));
    let values = w.params["values"].as_table().unwrap();
    assert_eq!(values["ECOM"].as_f64(), Some(3.0));
    assert!(l.inputs.iter().any(|i| i.path.ends_with("weights.csv")), "the file is hashed as an input");

    let bad = "code,weight\nECOM,three\n";
    let dir = write(&[("p.toml", project.as_bytes()), ("data.csv", DATA.as_bytes()), ("weights.csv", bad.as_bytes())]);
    let d = load(&dir).unwrap_err();
    let e = d.0.iter().find(|e| e.file.ends_with("weights.csv")).unwrap_or_else(|| panic!("{}", d));
    assert_eq!(e.line, Some(2));
    assert!(e.message.en.contains("ECOM,three") && !e.message.zh.is_empty());
    let unknown = "code,weight\nNOPE,1\n";
    let dir =
        write(&[("p.toml", project.as_bytes()), ("data.csv", DATA.as_bytes()), ("weights.csv", unknown.as_bytes())]);
    let d = load(&dir).unwrap_err();
    assert!(d.to_string().contains("NOPE"), "{d}");
}
