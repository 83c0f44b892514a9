//! End-to-end tests of `baydex audit` and of the audit written by `baydex run`: the real binary,
//! real files on disk.

mod common;
use common::*;

fn asem() -> String {
    repo().join("examples/asem/asem.toml").display().to_string()
}

/// A line of `s` containing every one of `parts`.
fn line_with<'a>(s: &'a str, parts: &[&str]) -> Option<&'a str> {
    s.lines().find(|l| parts.iter().all(|p| l.contains(p)))
}

#[test]
fn asem_report_names_flagged_pairs() {
    let o = baydex(&["audit", &asem(), "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    for want in ["Data availability", "Flagged correlations", "Cronbach's alpha", "PCA", "Effective weights"] {
        assert!(s.contains(want), "no {want}:\n{s}");
    }
    // COINr V1: Forest is weakly related to its pillar (r = 0.03), TBTs negatively to Instit,
    // SusEcFin has alpha -0.44, Conn's PC1 explains 65.6 %.
    assert!(line_with(&s, &["Forest ~ Environ", "0.03"]).is_some(), "{s}");
    assert!(line_with(&s, &["TBTs ~ Instit", "-0.59"]).is_some(), "{s}");
    assert!(line_with(&s, &["Economic and Financial (Sus)", "-0.44"]).is_some(), "{s}");
    assert!(line_with(&s, &["Connectivity", "65.6%"]).is_some(), "{s}");
    // 51 units: no few-units warning.
    assert!(!s.contains("fragile"), "{s}");
    assert!(!s.contains('\u{1b}'), "ANSI escapes in piped output");
}

#[test]
fn asem_pval_masks_like_coinr() {
    let o = baydex(&["audit", &asem(), "--lang", "en", "--pval", "0.05"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("correlations masked"), "{s}");
    // Forest ~ Environ has p = 0.83: masked, so no longer flagged.
    assert!(line_with(&s, &["Forest ~ Environ"]).is_none(), "{s}");
}

#[test]
fn gba_report_warns_about_few_units_in_both_languages() {
    let en = baydex(&["audit", "--lang", "en"]);
    assert!(en.status.success(), "{}", stderr(&en));
    let s = stdout(&en);
    assert!(s.contains("PCA and correlations on 11 units are fragile"), "{s}");
    assert!(s.contains("collinear"), "{s}");
    assert!(line_with(&s, &["SWIT_GDP ~ ICT_EMP", "siblings"]).is_some(), "{s}");

    let zh = baydex(&["audit", "--lang", "zh"]);
    assert!(zh.status.success(), "{}", stderr(&zh));
    let s = stdout(&zh);
    for want in ["统计审计", "仅有 11 个单元", "PCA 与相关分析结果很不稳定", "共线", "数据可得性", "主成分"]
    {
        assert!(s.contains(want), "zh output lacks {want}:\n{s}");
    }
    assert!(line_with(&s, &["SWIT_GDP ~ ICT_EMP", "同组"]).is_some(), "{s}");
}

#[test]
fn thresholds_change_the_flags() {
    let o = baydex(&["audit", "--lang", "en", "--collinear", "0.99"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(line_with(&s, &["COM ~ IND"]).is_none(), "{s}");
    assert!(s.contains("collinear > 0.99"), "{s}");
    let o = baydex(&["audit", "--lang", "en", "--weak", "0.95"]);
    assert!(line_with(&stdout(&o), &["weak", "0.95"]).is_some(), "{}", stdout(&o));
}

#[test]
fn bad_arguments_are_errors() {
    let o = baydex(&["audit", "--weak", "2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("between -1 and 1"), "{}", stderr(&o));
    let o = baydex(&["audit", "--pval", "-0.1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = baydex(&["audit", "--negative", "0.5", "--weak", "0.3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("negative, weak"), "{}", stderr(&o));
    let o = baydex(&["audit", "--period", "1999", "--lang", "zh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("没有该期 '1999'"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn run_writes_the_audit() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = baydex(&["run", "--quiet", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let tables = [
        "availability_units.csv",
        "availability_indicators.csv",
        "correlations.csv",
        "cronbach.csv",
        "pca_variance.csv",
        "pca_loadings.csv",
        "effective_weights.csv",
    ];
    for t in tables {
        let p = out.join("audit").join(t);
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(text.lines().count() > 1, "{t} is empty");
    }
    let corr = std::fs::read_to_string(out.join("audit/correlations.csv")).unwrap();
    assert!(corr.starts_with("period,level,var1,var2,relation,method,r,n,flag\n"));
    assert!(corr.contains("2023,1,SWIT_GDP,ICT_EMP,within,pearson,"), "{corr}");
    assert!(corr.lines().any(|l| l.ends_with(",collinear")));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let audit = &json["results"][0]["audit"];
    assert_eq!(audit["period"], "2023");
    assert_eq!(audit["n_units"], 11);
    assert!(audit["warnings"][0]["zh"].as_str().unwrap().contains("仅有 11 个单元"));
    assert!(audit["correlations"].as_array().unwrap().len() > 40);
    assert_eq!(audit["flags"].as_array().unwrap().len(), 3);

    // A stale audit table of an earlier run is removed; the run is byte-identical when repeated.
    std::fs::write(out.join("audit/old.csv"), "x").unwrap();
    let before = std::fs::read(out.join("audit/correlations.csv")).unwrap();
    let o = baydex(&["run", "--quiet", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("audit/old.csv").exists());
    assert_eq!(std::fs::read(out.join("audit/correlations.csv")).unwrap(), before);
}

#[test]
fn run_writes_asem_audit_matching_coinr() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("asem");
    let o = baydex(&["run", &asem(), "--quiet", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cron = std::fs::read_to_string(out.join("audit/cronbach.csv")).unwrap();
    // COINr V1 cronbach_alpha.csv: SusEcFin over its 5 indicators, -0.44060863908620107.
    let row = cron.lines().find(|l| l.starts_with("2018,SusEcFin,2,1,5,")).unwrap();
    let alpha: f64 = row.rsplit(',').next().unwrap().parse().unwrap();
    assert!((alpha + 0.440_608_639_086_201_07).abs() < 1e-12, "{row}");
}
