//! End-to-end tests of `baydex report`: the real binary writes report.html for the GBA default,
//! the GBA panel and COINr's ASEM example in both languages; the leader the summary names is the
//! rank-1 unit of `scores.csv` written by `baydex run` (an independent writer of the same
//! results); bad input is a located error and writes nothing.

mod common;
use common::*;

use std::path::Path;

fn asem() -> String {
    repo().join("examples/asem/asem.toml").display().to_string()
}

/// Writes a report; returns the HTML.
fn report(args: &[&str], out: &Path) -> String {
    let mut a = vec!["report"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let o = baydex(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("report.html"), "{}", stdout(&o));
    assert!(!out.join(".report.html.baydex-tmp").exists());
    std::fs::read_to_string(out.join("report.html")).unwrap()
}

/// The unit code ranked 1 on the index in `baydex run`'s scores.csv.
fn rank1(project: &[&str], root: &str, out: &Path) -> String {
    let mut a = vec!["run", "-q"];
    a.extend_from_slice(project);
    a.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let o = baydex(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(out.join("scores.csv")).unwrap();
    // unit,period,node,level,score,rank,tier
    csv.lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f[2] == root && f[5] == "1")
        .map(|f| f[0].to_string())
        .expect("a rank-1 unit")
}

/// The text of the summary section (tags stripped).
fn summary(html: &str) -> String {
    let start = html.find("<section id=\"summary\">").expect("summary section");
    let end = start + html[start..].find("</section>").unwrap();
    let mut out = String::new();
    let mut tag = false;
    for c in html[start..end].chars() {
        match c {
            '<' => tag = true,
            '>' => tag = false,
            c if !tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Self-contained: no element loads anything from elsewhere.
fn assert_offline(html: &str) {
    for bad in ["src=\"http", "href=\"http", "src=\"//", "@import", "url(http", "<link "] {
        assert!(!html.contains(bad), "external reference {bad}");
    }
    assert!(html.contains("id=\"baydex-model\""));
    assert!(html.contains("echarts"), "ECharts is not inlined");
}

/// GBA unit names from units.csv (code → (zh, en)).
fn gba_name(code: &str) -> (String, String) {
    let csv = std::fs::read_to_string(repo().join("examples/gba/units.csv")).unwrap();
    let f: Vec<String> =
        csv.lines().map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>()).find(|f| f[0] == code).unwrap();
    (f[1].clone(), f[2].clone())
}

#[test]
fn gba_default_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let leader = rank1(&[], "DEI", &tmp.path().join("run"));
    let (zh_name, en_name) = gba_name(&leader);
    let zh = report(&["--lang", "zh"], &tmp.path().join("zh"));
    let en = report(&["--lang", "en"], &tmp.path().join("en"));
    for html in [&zh, &en] {
        assert_offline(html);
        assert!(html.contains("id=\"illustrative-banner\""), "no illustrative banner");
        assert!(html.contains("id=\"baydex-geo\""), "the GBA boundaries are not inlined");
        for s in ["ranking", "map", "tiers", "leaders", "profiles", "audit", "weights", "obstacles", "provenance"] {
            assert!(html.contains(&format!("<section id=\"{s}\">")), "no {s} section");
        }
        // No panel: no change section.
        assert!(!html.contains("<section id=\"changes\">"));
    }
    assert!(zh.contains("<html lang=\"zh-CN\""));
    let (s_zh, s_en) = (summary(&zh), summary(&en));
    assert!(s_zh.contains(&format!("{zh_name}居首")), "{s_zh}");
    assert!(s_en.contains(&format!("{en_name} ranks first")), "{s_en}");
    // The GBA bands: first, second and third tier.
    assert!(s_zh.contains("第一梯队") && s_zh.contains("第二梯队"), "{s_zh}");
    assert!(s_en.contains("the first tier"), "{s_en}");
    assert!(zh.contains("示意数据"));
    assert!(en.contains("Illustrative data"));
}

#[test]
fn asem_without_tiers_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let leader = rank1(&[&asem()], "Index", &tmp.path().join("run"));
    let zh = report(&[&asem(), "--lang", "zh"], &tmp.path().join("zh"));
    let en = report(&[&asem(), "--lang", "en"], &tmp.path().join("en"));
    for html in [&zh, &en] {
        assert_offline(html);
        assert!(!html.contains("id=\"illustrative-banner\""), "ASEM data are real");
        // No coordinates and no boundaries: no map; no tiers: no tier section.
        assert!(!html.contains("<section id=\"map\">") && !html.contains("id=\"baydex-geo\""));
        assert!(!html.contains("<section id=\"tiers\">"));
    }
    let (s_zh, s_en) = (summary(&zh), summary(&en));
    assert!(!s_zh.contains("梯队"), "{s_zh}");
    assert!(!s_en.to_lowercase().contains("tier"), "{s_en}");
    // The leader named is the rank-1 country of scores.csv, by its name in the project.
    let toml = std::fs::read_to_string(asem()).unwrap();
    let at = toml.find(&format!("code = \"{leader}\"")).unwrap();
    let name_line = toml[at..].lines().nth(1).unwrap(); // name = { zh = "…", en = "…" }
    let en_name = name_line.split("en = \"").nth(1).unwrap().split('"').next().unwrap();
    let zh_name = name_line.split("zh = \"").nth(1).unwrap().split('"').next().unwrap();
    assert!(s_en.contains(&format!("{en_name} ranks first")), "{s_en}");
    assert!(s_zh.contains(&format!("{zh_name}居首")), "{s_zh}");
    // 51 countries, no tiers: the spread of the scores and the top five instead.
    assert!(s_en.contains("The top 5 are"), "{s_en}");
    assert!(s_zh.contains("排名前5位"), "{s_zh}");
}

#[test]
fn panel_has_change_over_time_and_a_workbook() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("panel");
    let html = report(&["--example", "gba-panel", "--lang", "en", "--xlsx"], &out);
    assert!(html.contains("<section id=\"changes\">"));
    assert!(html.contains("data-chart=\"change\""));
    assert!(summary(&html).contains("From 2000 to"), "{}", summary(&html));
    assert!(!html.contains("id=\"illustrative-banner\""), "the panel is real data");
    let x = std::fs::read(out.join("report.xlsx")).unwrap();
    assert!(x.starts_with(b"PK\x03\x04"));
}

#[test]
fn writing_a_report_keeps_other_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = baydex(&["run", "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    report(&["--lang", "en"], &out);
    assert!(out.join("scores.csv").is_file() && out.join("obstacles.csv").is_file());
}

#[test]
fn bad_project_is_a_located_error_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.toml");
    let text = std::fs::read_to_string(asem()).unwrap().replacen("periods = [\"2018\"]", "periods = 2018", 1);
    std::fs::write(&bad, text).unwrap();
    let out = tmp.path().join("out");
    for lang in ["en", "zh"] {
        let o = baydex(&["report", bad.to_str().unwrap(), "--lang", lang, "--out", out.to_str().unwrap()]);
        assert!(!o.status.success());
        let e = stderr(&o);
        assert!(e.contains("bad.toml:"), "{e}");
        assert!(e.contains("periods"), "{e}");
        assert!(!out.exists(), "something was written");
    }
    // A bad --set is located too.
    let o = baydex(&["report", "--set", "normalise.nope=1", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("nope"), "{}", stderr(&o));
    assert!(!out.exists());
}

/// The report model embedded in report.html.
fn model_json(html: &str) -> serde_json::Value {
    let start = html.find("id=\"baydex-model\">").expect("model") + "id=\"baydex-model\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// The strongest undirected pair of an OD CSV (`origin,destination,count,period`) in its last
/// period and its share, summed by hand here.
fn strongest_pair(csv: &str) -> ((String, String), f64, f64) {
    let mut sums: std::collections::BTreeMap<(String, String), f64> = Default::default();
    let mut total = 0.0;
    let rows: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).skip(1).collect();
    let last = rows.iter().map(|l| l.split(',').nth(3).unwrap()).max().unwrap();
    for l in rows {
        let f: Vec<&str> = l.split(',').collect();
        if f[3] != last {
            continue;
        }
        let (o, d, c) = (f[0].to_string(), f[1].to_string(), f[2].parse::<f64>().unwrap());
        if o == d {
            continue;
        }
        total += c;
        let key = if o < d { (o, d) } else { (d, o) };
        *sums.entry(key).or_default() += c;
    }
    let (k, v) = sums.into_iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    (k, v, v / total)
}

#[test]
fn gba_report_has_the_flows_section_labelled_illustrative() {
    let od = std::fs::read_to_string(repo().join("examples/gba/flows_od_illustrative.csv")).unwrap();
    let ((a, b), total, share) = strongest_pair(&od);
    let tmp = tempfile::tempdir().unwrap();
    for (lang, label, sep) in [("en", "Illustrative OD data", "–"), ("zh", "示意 OD 数据", "—")] {
        let html = report(&["--lang", lang], &tmp.path().join(lang));
        assert!(html.contains("<section id=\"flows\">"), "{lang}: no flows section");
        assert!(html.contains("<li><a href=\"#flows\">"), "{lang}: flows not in the table of contents");
        assert!(html.contains("id=\"flows-illustrative\"") && html.contains(label), "{lang}: flows not labelled");
        for chart in ["flowmap", "flowpairs", "flowhubs"] {
            assert!(html.contains(&format!("data-chart=\"{chart}\"")), "{lang}: no {chart}");
        }
        let m = model_json(&html);
        let f = &m["flows"];
        assert_eq!(f["illustrative"], true);
        let (pa, pb) = (f["pairs"][0]["a"].as_str().unwrap(), f["pairs"][0]["b"].as_str().unwrap());
        let mut got = [pa, pb];
        got.sort();
        assert_eq!(got, [a.as_str(), b.as_str()]); // the model orders a pair by unit order
        assert_eq!(f["pairs"][0]["total"].as_f64().unwrap(), total);
        assert!((f["pairs"][0]["share"].as_f64().unwrap() - share).abs() < 1e-12); // summation order
        assert!(m["sections"].as_array().unwrap().iter().any(|s| s == "flows"));
        // The lead sentence names the pair and its share (names from units.csv).
        let (na, nb) = (gba_name(pa), gba_name(pb));
        let (na, nb) = if lang == "en" { (na.1, nb.1) } else { (na.0, nb.0) };
        let pct = format!("{:.1}%", 100.0 * share);
        let lead = f["narrative"][0]["text"][lang].as_str().unwrap();
        assert!(lead.contains(&format!("{na}{sep}{nb}")) && lead.contains(&pct), "{lead}");
    }
}

#[test]
fn a_project_without_flows_has_no_flows_section() {
    let tmp = tempfile::tempdir().unwrap();
    let html = report(&[&asem(), "--lang", "en"], tmp.path());
    assert!(!html.contains("<section id=\"flows\">"));
    assert!(!html.contains("data-chart=\"flowmap\""));
    assert!(model_json(&html)["flows"].is_null());
    // The panel example (real data, no [flows]) neither.
    let html = report(&["--example", "gba-panel", "--lang", "zh"], &tmp.path().join("panel"));
    assert!(!html.contains("<section id=\"flows\">"));
}

/// A copy of examples/gba with `extra` appended to gba.toml.
fn gba_copy(extra: &str) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    for f in ["gba.toml", "units.csv", "context_2023.csv", "digital_2023.csv", "flows_od_illustrative.csv"] {
        std::fs::copy(repo().join("examples/gba").join(f), tmp.path().join(f)).unwrap();
    }
    let p = tmp.path().join("gba.toml");
    let mut t = std::fs::read_to_string(&p).unwrap();
    t.push_str(extra);
    std::fs::write(&p, t).unwrap();
    let s = p.display().to_string();
    (tmp, s)
}

#[test]
fn a_flows_table_in_a_project_file_drives_the_section() {
    let (tmp, file) =
        gba_copy("\n[flows]\nod = \"flows_od_illustrative.csv\"\nmodel = \"doubly\"\ntop = 5\nillustrative = true\n");
    let html = report(&[&file, "--lang", "en"], &tmp.path().join("out"));
    let f = &model_json(&html)["flows"];
    assert_eq!(f["top"], 5);
    assert_eq!(f["gravity"]["model"], "doubly");
    assert!(f["modified"].is_null(), "no masses → no modified gravity linkage");
    // The doubly-constrained decay equals baydex_flows' fit on the same files (same code path
    // through the project's units: compared exactly).
    use baydex_flows::gravity::{self, Constraint, Decay, GravityData, Pairs};
    let read = |f: &str| std::fs::read_to_string(repo().join("examples/gba").join(f)).unwrap();
    let units = baydex_flows::Units::parse(&read("units.csv"), "units.csv", None).unwrap();
    let od =
        baydex_flows::OdTable::parse(&read("flows_od_illustrative.csv"), "od.csv", &units, Default::default()).unwrap();
    let m = od.matrix(units.len(), od.periods.last().map(String::as_str), None);
    let dist = baydex_flows::distance::great_circle_matrix(&units).unwrap();
    let fit = gravity::fit(
        Constraint::Doubly,
        Decay::Power,
        &Pairs::from_matrix(&m, &dist, false),
        GravityData { codes: &units.codes, origin_mass: None, dest_mass: None },
    )
    .unwrap();
    let got = f["gravity"]["coefficients"].as_array().unwrap().iter().find(|c| c["name"] == "log_distance").unwrap();
    assert_eq!(got["estimate"].as_f64().unwrap(), fit.coefficient("log_distance").unwrap().estimate);
}

#[test]
fn a_bad_flows_table_is_a_located_bilingual_error() {
    let (tmp, file) =
        gba_copy("\n[flows]\nod = \"flows_od_illustrative.csv\"\nmass = \"PEOPLE\"\ndecay = \"linear\"\n");
    for (lang, words) in [
        ("en", ["'PEOPLE' is not a data column", "unknown decay 'linear'"]),
        ("zh", ["不是项目中的数据列", "未知的 decay"]),
    ] {
        let out = tmp.path().join(format!("out-{lang}"));
        let o = baydex(&["report", &file, "--lang", lang, "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        for w in words {
            assert!(err.contains(w), "{lang}: {w} missing in\n{err}");
        }
        assert!(err.contains("gba.toml:") && err.contains("flows.mass"), "{err}");
        assert!(!out.exists(), "nothing is written");
    }
}

/// The report model embedded in report.html.
fn embedded_model(html: &str) -> serde_json::Value {
    let tag = "<script type=\"application/json\" id=\"baydex-model\">";
    let start = html.find(tag).expect("embedded model") + tag.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("model JSON")
}

/// Without `--sensitivity` there is no section; with it, the GBA default gets the default analysis
/// at N = 1000, and its per-unit rank statistics and Sobol indices are those `baydex sensitivity
/// --n 1000` writes to uncertainty.csv and sobol.csv (same spec, seed and N; compared to the 1e-9
/// of the CSV's shortest round-trip formatting).
#[test]
fn report_sensitivity_section_only_with_the_flag_and_matching_the_command() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = report(&["--lang", "en"], &tmp.path().join("plain"));
    assert!(!plain.contains("<section id=\"sensitivity\">"));
    assert!(embedded_model(&plain)["sensitivity"].is_null());
    assert!(!embedded_model(&plain)["sections"].as_array().unwrap().iter().any(|s| s == "sensitivity"));

    let html = report(&["--lang", "en", "--sensitivity"], &tmp.path().join("sa"));
    assert!(html.contains("<section id=\"sensitivity\">"));
    assert!(html.contains("data-chart=\"rankinterval\"") && html.contains("data-chart=\"sobol\""));
    assert!(html.contains("N = 1000"), "the section says which N it ran");
    let m = embedded_model(&html);
    let s = &m["sensitivity"];
    assert!(m["sections"].as_array().unwrap().iter().any(|x| x == "sensitivity"));
    assert_eq!(s["n"], 1000);
    assert_eq!(s["analysis"], "sa");
    assert_eq!(s["declared"], false);
    assert!(s["narrative"].as_array().unwrap().len() >= 4);

    let zh = report(&["--lang", "zh", "--sensitivity"], &tmp.path().join("sa-zh"));
    assert!(zh.contains("不确定性与敏感性分析") && zh.contains("排名稳健"));

    let out = tmp.path().join("cmd");
    let o = baydex(&["sensitivity", "-q", "--n", "1000", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(out.join("uncertainty.csv")).unwrap();
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let close = |a: &serde_json::Value, b: &str| {
        let b: f64 = b.parse().unwrap();
        (a.as_f64().unwrap() - b).abs() < 1e-9
    };
    let units = s["units"].as_array().unwrap();
    assert_eq!(units.len(), 11);
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let u = units.iter().find(|u| u["unit"] == f[0]).expect("every unit in the section");
        for (key, c) in [("rank_median", "rank_median"), ("rank_q5", "rank_q5"), ("rank_q95", "rank_q95")] {
            assert!(close(&u[key], f[col(c)]), "{} {key}: {} vs {}", f[0], u[key], f[col(c)]);
        }
    }
    let sobol = std::fs::read_to_string(out.join("sobol.csv")).unwrap();
    for line in sobol.lines().skip(1) {
        // input,Si,STi,Si_q5,Si_q95,STi_q5,STi_q95,…
        let f: Vec<&str> = line.split(',').collect();
        let r = s["sobol"].as_array().unwrap().iter().find(|r| r["input"] == f[0]).expect("every input");
        for (key, k) in [("si", 1), ("sti", 2), ("si_q5", 3), ("si_q95", 4), ("sti_q5", 5), ("sti_q95", 6)] {
            assert!(close(&r[key], f[k]), "{} {key}: {} vs {}", f[0], r[key], f[k]);
        }
    }
}
