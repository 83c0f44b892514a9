//! Every class of input error is reported at the right file, line and key, in both languages,
//! and all of them at once.

mod common;

use baydex_core::Lang;
use baydex_data::Severity;
use common::*;

/// Replaces `from` (which must occur) in the base project.
fn edit(from: &str, to: &str) -> String {
    assert!(PROJECT.contains(from), "{from:?} not in the project");
    PROJECT.replacen(from, to, 1)
}

#[test]
fn toml_syntax_error_is_located() {
    let project = edit("parent = \"COM\"\nweight = 2", "parent = \"COM\"\nweight = = 2");
    let errs = errors(&project, DATA);
    assert_eq!(errs.len(), 1, "{}", render(&errs));
    let d = &errs[0];
    assert!(in_file(d, "p.toml"));
    assert_eq!(d.line, Some(line_of(&project, "weight = = 2")));
    assert!(d.column.is_some());
    assert!(d.message.en.starts_with("invalid TOML"), "{d}");
}

#[test]
fn bad_weight_on_line_14_is_reported_at_line_14() {
    let project = r#"[index]
code = "I"
name = "Index"

[[units.list]]
code = "A"
name = "A"

[[indicator]]
code = "x"
name = "x"
parent = "I"
direction = 1
weight = -1
"#;
    let data = "unit,period,x\nA,2023,1\n";
    let mut project = project.to_string();
    project.push_str("\n[[data]]\nfile = \"data.csv\"\n\n[[pipeline]]\nstep = \"aggregate\"\n");
    let errs = errors(&project, data);
    let d = find(&errs, "has weight -1");
    assert!(in_file(d, "p.toml"));
    assert_eq!((d.line, d.column), (Some(14), Some(10)));
    assert_eq!(d.key.as_deref(), Some("indicator[1].weight"));
    assert_eq!(d.help.en, "weights must be finite and ≥ 0");
    assert!(d.message.zh.contains("权重"));
    assert!(d.to_string().starts_with("error: "), "{d}");
    assert!(d.to_string().contains("p.toml:14:10 [indicator[1].weight]: node 'x' has weight -1\n  help: "), "{d}");
}

#[test]
fn unknown_key_lists_the_valid_keys() {
    let project = edit("weight = 2", "wieght = 2");
    let errs = errors(&project, DATA);
    let d = find(&errs, "unknown key `wieght`");
    assert_eq!(d.line, Some(line_of(&project, "wieght")));
    assert_eq!(d.column, Some(1));
    assert_eq!(d.key.as_deref(), Some("indicator[1].wieght"));
    assert!(d.help.en.contains("did you mean `weight`?"), "{d}");
    assert!(d.help.en.contains("code, name, parent, weight, direction"), "{d}");
    let errs = errors(&edit("[tiers]", "[tiers]\ncolour = 1"), DATA);
    assert!(find(&errs, "unknown key `colour`").help.en.contains("method, nodes, band"));
    let errs = errors(&format!("title = \"x\"\n{PROJECT}"), DATA);
    assert_eq!(find(&errs, "unknown key `title`").line, Some(1));
}

#[test]
fn wrong_types_are_reported_at_the_value() {
    let project = edit("weight = 2", "weight = \"heavy\"").replace("lon = 114.06", "lon = \"114.06\"");
    let errs = errors(&project, DATA);
    let d = find(&errs, "`weight` must be a number");
    assert_eq!(d.line, Some(line_of(&project, "weight = \"heavy\"")));
    assert_eq!(d.column, Some(10));
    assert!(d.message.en.contains("got string \"heavy\""), "{d}");
    let d = find(&errs, "`lon` must be a number");
    assert_eq!(d.key.as_deref(), Some("units.list[1].lon"));
    assert_eq!(errs.len(), 2, "{}", render(&errs));

    let errs = errors(&edit("name = \"Mobile payment\"", "name = 3"), DATA);
    assert!(find(&errs, "`name` must be a text").help.en.contains("{ zh ="));
    let errs = errors(&edit("[[data]]\nfile = \"data.csv\"", "[data]\nfile = \"data.csv\""), DATA);
    assert!(find(&errs, "`data` must be an array of tables").help.en.contains("[[…]]"));
}

#[test]
fn missing_required_keys_are_reported_at_the_table() {
    let project = edit("parent = \"COM\"\ndirection = -1", "direction = -1");
    let errs = errors(&project, DATA);
    let d = find(&errs, "missing required key `parent`");
    assert_eq!(d.line, Some(line_of(&project, "[[indicator]]\ncode = \"PAY\"")));
    assert_eq!(d.key.as_deref(), Some("indicator[2].parent"));
    assert!(d.help.en.contains("add parent = \"…\" to [[indicator]]"), "{d}");
    assert_eq!(errs.len(), 1, "no follow-up framework error: {}", render(&errs));

    let errs = errors(&PROJECT.replace("[[data]]\nfile = \"data.csv\"\n", ""), DATA);
    let d = find(&errs, "no [[data]] files");
    assert_eq!(d.line, None);
}

#[test]
fn framework_issues_point_at_the_offending_key() {
    let project = edit("parent = \"COM\"\nweight = 2", "parent = \"CMO\"\nweight = 2");
    let errs = errors(&project, DATA);
    let d = find(&errs, "names parent 'CMO'");
    assert_eq!(d.line, Some(line_of(&project, "parent = \"CMO\"")));
    assert_eq!(d.key.as_deref(), Some("indicator[1].parent"));
    assert!(d.help.en.contains("did you mean 'COM'?"), "{d}");
    assert!(d.message.zh.contains("未声明"));

    let project = edit("code = \"PAY\"", "code = \"ECOM\"");
    let errs = errors(&project, DATA);
    let d = find(&errs, "duplicate code 'ECOM'");
    assert_eq!(d.line, Some(line_of(&project, "code = \"ECOM\"\nname = \"Mobile")));
    assert!(d.message.en.contains(&format!("p.toml:{}:8", line_of(&project, "code = \"ECOM\""))), "{d}");

    let project = edit("direction = -1", "direction = 0");
    assert_eq!(find(&errors(&project, DATA), "direction 0").line, Some(line_of(&project, "direction = 0")));

    let project = edit("goalposts = [0, 100]", "goalposts = [100, 0]");
    assert_eq!(find(&errors(&project, DATA), "goalposts [100, 0]").line, Some(line_of(&project, "goalposts =")));
}

#[test]
fn denominator_must_be_a_series() {
    let project = edit("denominator = \"POP\"", "denominator = \"PPO\"");
    let errs = errors(&project, DATA);
    let d = find(&errs, "denominator 'PPO' is not a declared [[series]]");
    assert_eq!(d.line, Some(line_of(&project, "denominator")));
    assert!(d.help.en.contains("'POP'"));
}

#[test]
fn duplicate_unit_codes() {
    let project = edit("code = \"GZ\"", "code = \"SZ\"");
    let errs = errors(&project, DATA);
    let d = find(&errs, "duplicate unit code 'SZ'");
    assert_eq!(d.line, Some(line_of(&project, "code = \"SZ\"\nname = { zh = \"广州\"")));
    assert!(d.message.en.contains(&format!("p.toml:{}:", line_of(&project, "code = \"SZ\""))), "{d}");
}

#[test]
fn coordinates_are_checked() {
    let project = edit("lon = 114.06\nlat = 22.54", "lon = 22.54\nlat = 114.06");
    let errs = errors(&project, DATA);
    let d = find(&errs, "latitude 114.06");
    assert_eq!(d.line, Some(line_of(&project, "lat = 114.06")));
    assert!(d.help.en.contains("swapped"));

    let units = "code,name_zh,name_en,lon,lat\nSZ,深圳,Shenzhen,214.06,22.54\nGZ,广州,Guangzhou,113.26,\n";
    let project = PROJECT
        .replace("[[units.list]]\ncode = \"SZ\"\nname = { zh = \"深圳\", en = \"Shenzhen\" }\nlon = 114.06\nlat = 22.54\nadcode = 440300\n", "[units]\nfile = \"units.csv\"\n")
        .replace("[[units.list]]\ncode = \"GZ\"\nname = { zh = \"广州\", en = \"Guangzhou\" }\ngroups = { region = \"PRD9\" }\n", "");
    let dir = write(&[("p.toml", project.as_bytes()), ("data.csv", DATA.as_bytes()), ("units.csv", units.as_bytes())]);
    let errs = errors_in(&dir);
    let d = find(&errs, "longitude 214.06");
    assert!(in_file(d, "units.csv"));
    assert_eq!((d.line, d.column, d.key.as_deref()), (Some(2), Some(16), Some("lon")));
    let d = find(&errs, "only one of lon and lat");
    assert_eq!(d.line, Some(3));
}

#[test]
fn tier_problems() {
    let project = format!("{PROJECT}\n[[tiers.band]]\ncode = \"T0\"\nname = \"Top\"\nmin = 90\n");
    let errs = errors(&project, DATA);
    // T2 has no min but is not last; T0's min is above T1's.
    let d = find(&errs, "tier 'T2' has no `min`");
    assert_eq!(d.line, Some(line_of(&project, "[[tiers.band]]\ncode = \"T2\"")));
    let d = find(&errs, "tier 'T0' has min 90");
    assert_eq!(d.line, Some(line_of(&project, "min = 90")));
    assert_eq!(d.key.as_deref(), Some("tiers.band[3].min"));
    assert!(d.message.zh.contains("T0"));

    let errs = errors(&edit("nodes = [\"DEI\"]", "nodes = [\"DIE\"]"), DATA);
    assert!(find(&errs, "'DIE' is not a node").help.en.contains("'DEI'"));
}

#[test]
fn data_driven_tier_problems() {
    // A `min` under a data-driven method: at that `min`.
    let project = edit("[tiers]\n", "[tiers]\nmethod = \"jenks\"\n");
    let errs = errors(&project, DATA);
    check_bilingual(&errs);
    let d = find(&errs, "tier 'T1' has a `min`");
    assert_eq!(d.line, Some(line_of(&project, "min = 50")));
    assert_eq!(d.key.as_deref(), Some("tiers.band[1].min"));
    assert!(d.message.zh.contains("T1") && d.help.zh.contains("min"), "{d:?}");

    // An unknown method: at `method`, with every method listed in both languages.
    let project = edit("[tiers]\n", "[tiers]\nmethod = \"natural\"\n");
    let errs = errors(&project, DATA);
    let d = find(&errs, "unknown tier method \"natural\"");
    assert_eq!(d.line, Some(line_of(&project, "method = \"natural\"")));
    assert_eq!(d.key.as_deref(), Some("tiers.method"));
    for m in ["fixed", "jenks", "kmeans", "quantile"] {
        assert!(d.help.en.contains(m) && d.help.zh.contains(m), "{d:?}");
    }

    // A single band cannot make classes.
    let second = "\n[[tiers.band]]\ncode = \"T2\"\nname = { zh = \"第二梯队\", en = \"Second tier\" }\n";
    let project =
        edit("[tiers]\n", "[tiers]\nmethod = \"quantile\"\n").replacen("min = 50\n", "", 1).replacen(second, "", 1);
    let errs = errors(&project, DATA);
    check_bilingual(&errs);
    let d = find(&errs, "needs at least 2 bands, got 1");
    assert!(d.message.zh.contains("quantile"));
}

/// Fewer distinct scores than bands is an error when the tiers are computed (no silent fallback),
/// naming the node and the period.
#[test]
fn too_few_distinct_scores_for_data_driven_tiers() {
    let third = "\n[[tiers.band]]\ncode = \"T3\"\nname = \"Third\"\n";
    let project = edit("[tiers]\n", "[tiers]\nmethod = \"kmeans\"\n")
        .replacen("min = 50\n", "", 1)
        .replacen("en = \"Digital Economy Index\" }\n", "en = \"Digital Economy Index\" }\nperiods = [\"2023\"]\n", 1)
        .replacen("method = \"minmax\"\n", "method = \"minmax\"\nconstant = \"midpoint\"\n", 1)
        + third;
    let l = ok(&project, DATA);
    let e = baydex_core::compute(&l.project).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(
            e.root(),
            baydex_core::Error::Tiers {
                source: baydex_core::tier::TierError::TooFewDistinct { distinct: 2, bands: 3, .. },
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains("tiers of 'DEI' in period 2023") && msg.contains("use fewer bands"), "{msg}");
}

#[test]
fn unknown_steps_and_parameters() {
    let project = edit("step = \"normalise\"", "step = \"normalize\"");
    let errs = errors(&project, DATA);
    let d = find(&errs, "unknown step \"normalize\"");
    assert_eq!(d.line, Some(line_of(&project, "step = \"normalize\"")));
    assert!(d.help.en.contains("did you mean \"normalise\"?"), "{d}");
    for s in baydex_core::step::registry() {
        assert!(d.help.en.contains(s.name), "{d}");
    }

    let project = edit("method = \"minmax\"", "method = \"minmax\"\nrnage = [0, 10]");
    let errs = errors(&project, DATA);
    let d = find(&errs, "unknown parameter 'rnage'");
    assert_eq!((d.line, d.column), (Some(line_of(&project, "rnage")), Some(1)));
    assert_eq!(d.key.as_deref(), Some("pipeline[1].rnage"));
    assert!(d.message.en.starts_with("step 'normalise': "), "{d}");
    assert!(d.help.en.contains("range"), "{d}");
    assert!(d.message.zh.contains("未知参数"));

    let project = edit("method = \"minmax\"", "method = \"minmax\"\nrange = [100, 0]");
    let errs = errors(&project, DATA);
    let d = find(&errs, "range");
    assert_eq!(d.line, Some(line_of(&project, "range = [100, 0]")));

    let project = PROJECT.replace("[[pipeline]]\nstep = \"aggregate\"\n", "");
    assert!(!find(&errors(&project, DATA), "no `aggregate` step").help.en.is_empty());
}

#[test]
fn non_numeric_cells_name_file_line_column_and_value() {
    let data = DATA.replace("SZ,2023,PAY,5", "SZ,2023,PAY,\"12,3\"");
    let errs = errors(PROJECT, &data);
    let d = find(&errs, "is not a number");
    assert!(in_file(d, "data.csv"));
    assert_eq!((d.line, d.column, d.key.as_deref()), (Some(4), Some(13), Some("value")));
    assert_eq!(
        d.message.en,
        "value \"12,3\" is not a number; use a dot for decimals and leave the cell empty (or NA) when missing"
    );
    assert!(d.help.en.contains("thousands"));
    assert!(d.render(Lang::Zh).starts_with("错误："), "{}", d.render(Lang::Zh));
}

#[test]
fn duplicate_values_name_both_places() {
    let data = format!("{DATA}SZ,2023,PAY,6\n");
    let errs = errors(PROJECT, &data);
    let d = find(&errs, "given twice");
    assert_eq!(d.line, Some(line_of(&data, "SZ,2023,PAY,6")));
    assert!(d.message.en.contains("unit 'SZ', period 2023, 'PAY'"), "{d}");
    assert!(d.message.en.contains("data.csv:4:13"), "{d}");

    // Across files: a wide file repeating a long file's value.
    let project = edit(
        "[[data]]\nfile = \"data.csv\"",
        "[[data]]\nfile = \"data.csv\"\n\n[[data]]\nfile = \"more.csv\"\nperiod = 2023",
    );
    let dir =
        write(&[("p.toml", project.as_bytes()), ("data.csv", DATA.as_bytes()), ("more.csv", b"unit,POP\nGZ,1900\n")]);
    let errs = errors_in(&dir);
    let d = find(&errs, "given twice");
    assert!(in_file(d, "more.csv") && d.line == Some(2), "{d}");
    assert!(d.message.en.contains("data.csv:8:"), "{d}");
}

#[test]
fn undeclared_codes_and_units() {
    let data = format!("{DATA}SZ,2023,GDP,1\nXX,2023,PAY,1\nXX,2022,PAY,2\n");
    let errs = errors(PROJECT, &data);
    let d = find(&errs, "'GDP' is neither an indicator nor a [[series]]");
    assert_eq!((d.line, d.column), (Some(line_of(&data, "SZ,2023,GDP")), Some(9)));
    let d = find(&errs, "unit 'XX' is not declared");
    assert_eq!(d.line, Some(line_of(&data, "XX,2023")), "reported once, at the first line");
    assert!(d.message.en.contains("2 rows"), "{d}");

    let wide = "unit,period,ECOM,PAY,POP,CO2\nSZ,2023,1,2,3,4\nGZ,2023,1,2,3,4\n";
    let project = edit("file = \"data.csv\"", "file = \"wide.csv\"");
    let dir = write(&[("p.toml", project.as_bytes()), ("wide.csv", wide.as_bytes())]);
    let errs = errors_in(&dir);
    let d = find(&errs, "column 'CO2' is neither an indicator nor a [[series]]");
    assert_eq!((d.line, d.column), (Some(1), Some(26)));
}

#[test]
fn coverage_units_indicators_and_periods() {
    // GZ has no data at all, PAY has none in 2022... and 2024 is requested but absent.
    let project = edit("code = \"DEI\"", "code = \"DEI\"\nperiods = [\"2023\", \"2024\"]");
    let data = "unit,period,indicator,value\nSZ,2023,ECOM,1\nSZ,2023,PAY,2\nGZ,2023,POP,NA\n";
    let errs = errors(&project, data);
    let d = find(&errs, "unit 'GZ' has no data");
    assert_eq!(d.line, Some(line_of(&project, "code = \"GZ\"")));
    let d = find(&errs, "period \"2024\" is listed in index.periods but has no data");
    assert_eq!((d.line, d.column), (Some(3), Some(20)));
    assert_eq!(errs.len(), 2, "{}", render(&errs));

    // A whole-period gap of an indicator that has data elsewhere is a warning: an `impute` step
    // (carry / interpolate) may fill it and fixed goalposts need no data; other normalisers stop.
    let data = "unit,period,indicator,value\nSZ,2023,ECOM,1\nGZ,2023,ECOM,2\nSZ,2022,PAY,1\nGZ,2022,ECOM,1\n";
    let dir = write(&[("p.toml", PROJECT.as_bytes()), ("data.csv", data.as_bytes())]);
    let loaded = load(&dir).unwrap_or_else(|d| panic!("{}", render(&d.0)));
    let d = find(&loaded.warnings, "indicator 'PAY' has no data in period 2023");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.line, Some(line_of(PROJECT, "code = \"PAY\"")));
    assert!(d.help.en.contains("impute"));
    let data = "unit,period,indicator,value\nSZ,2023,ECOM,1\nGZ,2023,ECOM,2\n";
    let errs = errors(PROJECT, data);
    assert_eq!(find(&errs, "indicator 'PAY' has no data").message.en, "indicator 'PAY' has no data");
    // POP is a denominator without data: a warning (whether it is needed depends on the pipeline).
    let dir = write(&[("p.toml", PROJECT.as_bytes()), ("data.csv", data.as_bytes())]);
    let all = load(&dir).unwrap_err().0;
    let w = find(&all, "series 'POP' has no data");
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.help.en.contains("denominate"));
}

#[test]
fn missing_data_file_is_reported_at_its_key() {
    let dir = write(&[("p.toml", PROJECT.as_bytes())]);
    let errs = errors_in(&dir);
    assert_eq!(errs.len(), 1, "no follow-up errors: {}", render(&errs));
    let d = find(&errs, "cannot read");
    assert!(in_file(d, "p.toml"));
    assert_eq!(d.line, Some(line_of(PROJECT, "file = \"data.csv\"")));
    assert_eq!(d.key.as_deref(), Some("data[1].file"));
}

#[test]
fn all_errors_are_reported_at_once_in_file_order() {
    let project = edit("weight = 2", "weight = -2").replace("step = \"aggregate\"", "step = \"agregate\"");
    let data = DATA.replace("GZ,2022,PAY,4", "GZ,2022,PAY,four");
    let dir = write(&[("p.toml", project.as_bytes()), ("data.csv", data.as_bytes())]);
    let all = match load(&dir) {
        Ok(_) => panic!("expected errors"),
        Err(d) => d,
    };
    let errs: Vec<_> = all.0.iter().filter(|d| d.severity == Severity::Error).collect();
    assert_eq!(errs.len(), 3, "{all}");
    assert!(errs[0].message.en.contains("weight -2"));
    assert!(errs[1].message.en.contains("unknown step"));
    assert!(errs[2].message.en.contains("\"four\"") && in_file(errs[2], "data.csv"));
    assert_eq!(all.error_count(), 3);
    let en = all.to_string();
    assert_eq!(en.matches("\nerror: ").count() + usize::from(en.starts_with("error: ")), 3, "{en}");
    assert!(en.ends_with('\n'));
    let zh = all.render(Lang::Zh);
    assert_eq!(zh.matches("错误：").count(), 3, "{zh}");
    assert!(zh.contains("提示："), "{zh}");
}

#[test]
fn bad_csv_structure() {
    let data = DATA.replace("SZ,2023,POP,1766", "SZ,2023,POP");
    let errs = errors(PROJECT, &data);
    let d = find(&errs, "has 3 values but the header has 4 columns");
    assert_eq!(d.line, Some(5));
    let errs = errors(PROJECT, "unit,period,indicator,value\n\u{0}".replace('\u{0}', "SZ,2023,ECOM,1\n").as_str());
    // GZ and PAY have no data (POP neither, which is only a warning).
    assert_eq!(errs.len(), 2, "{}", render(&errs));
    let errs = errors(PROJECT, "unit,year,indicator,value\nSZ,2023,ECOM,1\n");
    let d = find(&errs, "a long data file needs exactly the columns unit, period, indicator, value");
    assert!(in_file(d, "data.csv") && d.line == Some(1), "{d}");
    assert!(d.message.en.contains("unit, year, indicator, value"), "{d}");
}

#[test]
fn gbk_csv_is_explained() {
    let data = b"unit,period,indicator,value\n\xc9\xee\xdb\xda,2023,ECOM,1\n";
    let dir = write(&[("p.toml", PROJECT.as_bytes()), ("data.csv", data)]);
    let errs = errors_in(&dir);
    let d = find(&errs, "not valid UTF-8");
    assert_eq!(d.line, Some(2));
    assert!(d.help.en.contains("CSV UTF-8"));
}
