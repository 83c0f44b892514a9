//! The narrative on small synthetic results, in both languages: every sentence checked here is
//! derived from numbers computed by hand below (min-max to [0, 100] of one indicator per
//! dimension, arithmetic mean of three dimensions), and the leader named is the rank-1 unit of the
//! computed results.

use baydex_core::{
    Framework, IndexMeta, Lang, Matrix, NodeSpec, Panel, Project, Results, StepSpec, Text, TierScheme, Unit, Value,
};
use baydex_report::{Provenance, ReportModel};

const NAN: f64 = f64::NAN;
/// Scores are sums of thirds of round numbers; 1e-9 absorbs the floating-point error.
const TOL: f64 = 1e-9;

/// Units with names distinct from their codes.
const UNITS: [(&str, &str, &str); 5] =
    [("P", "Pine", "松市"), ("Q", "Quay", "码市"), ("R", "Reed", "苇市"), ("S", "Sand", "沙市"), ("T", "Tide", "潮市")];

fn project(units: &[&str], cols: [Vec<f64>; 3], tiers: Option<TierScheme>, constant: Option<&str>) -> Project {
    let fw = Framework::build(vec![
        NodeSpec::aggregate("IDX", None),
        NodeSpec { name: Text::new("Commerce", "商业"), ..NodeSpec::aggregate("D1", Some("IDX")) },
        NodeSpec { name: Text::new("Industry", "产业"), ..NodeSpec::aggregate("D2", Some("IDX")) },
        NodeSpec { name: Text::new("Society", "社会"), ..NodeSpec::aggregate("D3", Some("IDX")) },
        NodeSpec::indicator("a", "D1"),
        NodeSpec::indicator("b", "D2"),
        NodeSpec::indicator("c", "D3"),
    ])
    .unwrap();
    let n = units.len();
    let mut normalise = StepSpec::new("normalise");
    if let Some(c) = constant {
        normalise = normalise.with("constant", Value::Str(c.into()));
    }
    Project {
        meta: IndexMeta {
            name: Text::new("Test index", "测试指数"),
            description: Text::default(),
            illustrative: false,
            illustrative_note: Text::default(),
            periods: vec!["2024".into()],
        },
        units: units
            .iter()
            .map(|c| {
                let (_, en, zh) = UNITS.iter().find(|u| u.0 == *c).unwrap();
                Unit { name: Text::new(*en, *zh), ..Unit::new(c) }
            })
            .collect(),
        framework: fw,
        series: vec![],
        data: Panel {
            units: units.iter().map(|u| u.to_string()).collect(),
            columns: vec!["a".into(), "b".into(), "c".into()],
            periods: vec!["2024".into()],
            data: vec![Matrix::from_columns(n, &cols).unwrap()],
            notes: vec![],
        },
        pipeline: vec![normalise, StepSpec::new("aggregate")],
        tiers,
    }
}

/// a → 100, 90, 50, 20, 0; b → 80, 100, 40, 30, 0; c → 100, 70, 60, 0, 20.
/// Index: P 93.33, Q 86.67, R 50, S 16.67, T 6.67.
fn base_cols() -> [Vec<f64>; 3] {
    [vec![10., 9., 5., 2., 0.], vec![8., 10., 4., 3., 0.], vec![10., 7., 6., 0., 2.]]
}

fn build(p: &Project) -> (Results, ReportModel) {
    let r = baydex_core::compute(p).unwrap();
    let m = ReportModel::build(p, &r, &Provenance::default()).unwrap();
    (r, m)
}

fn text(m: &ReportModel, lang: Lang) -> String {
    m.results[0].narrative.iter().map(|p| p.text.get(lang)).collect::<Vec<_>>().join("\n")
}

/// The name of the rank-1 unit of the index in the computed results.
fn rank1_name(p: &Project, r: &Results, lang: Lang) -> String {
    let pr = &r.periods[0];
    let root = p.framework.root();
    let i = pr.ranks(root).iter().position(|x| *x == Some(1)).unwrap();
    p.units.iter().find(|u| u.code == pr.units()[i]).unwrap().name.get(lang).to_string()
}

#[test]
fn hand_computed_scores_underlie_the_narrative() {
    let p = project(&["P", "Q", "R", "S", "T"], base_cols(), Some(TierScheme::gba_default()), None);
    let (r, _) = build(&p);
    let idx = r.periods[0].scores(p.framework.root());
    for (got, want) in idx.iter().zip([280.0 / 3.0, 260.0 / 3.0, 50.0, 50.0 / 3.0, 20.0 / 3.0]) {
        assert!((got - want).abs() < TOL, "{got} vs {want}");
    }
}

#[test]
fn tiers_present_en_and_zh() {
    let p = project(&["P", "Q", "R", "S", "T"], base_cols(), Some(TierScheme::gba_default()), None);
    let (r, m) = build(&p);
    let (en, zh) = (text(&m, Lang::En), text(&m, Lang::Zh));
    assert_eq!(rank1_name(&p, &r, Lang::En), "Pine");
    assert!(en.starts_with("Pine ranks first with 93.3, 6.7 points ahead of Quay (86.7)."), "{en}");
    assert!(zh.starts_with("松市居首（93.3分），领先第二名码市（86.7分）6.7分。"), "{zh}");
    // Bands from the scheme: ≥ 80, ≥ 50, the rest.
    assert!(en.contains("Pine and Quay form the first tier (86.7–93.3), all scoring at least 80."), "{en}");
    assert!(en.contains("Reed forms the second tier (50.0), scoring at least 50."), "{en}");
    assert!(en.contains("Sand and Tide form the third tier (6.7–16.7), all scoring below 50."), "{en}");
    assert!(zh.contains("松市、码市属第一梯队（86.7–93.3分），得分均不低于80分；"), "{zh}");
    assert!(zh.contains("沙市、潮市属第三梯队（6.7–16.7分），得分均低于50分。"), "{zh}");
    // Tier means 90.0, 50.0, 11.7.
    assert!(en.contains("The first tier averages 90.0, 40.0 points above the second tier (50.0)."), "{en}");
    assert!(zh.contains("第二梯队平均得分50.0分，比第三梯队（11.7分）高38.3分。"), "{zh}");
    // Leaders: P leads D1 and D3, Q leads D2, each with 100.
    assert!(
        en.contains(
            "By dimension, Pine leads in commerce (100.0) and society (100.0); Quay leads in industry (100.0)."
        ),
        "{en}"
    );
    assert!(zh.contains("分维度看，松市在商业（100.0分）、社会（100.0分）居首；码市在产业（100.0分）居首。"), "{zh}");
    // First vs second tier by dimension: D1 95 − 50 = 45, D2 90 − 40 = 50, D3 85 − 60 = 25.
    assert!(
        en.contains("The second tier comes closest to the first tier in society, trailing by 25.0 points on average (against 40.0 on the index); the gap is widest in industry (50.0)."),
        "{en}"
    );
    assert!(
        zh.contains(
            "第二梯队与第一梯队差距最小的维度是社会，平均相差25.0分（总指数相差40.0分）；差距最大的是产业（50.0分）。"
        ),
        "{zh}"
    );
}

#[test]
fn leader_follows_the_results_not_a_constant() {
    // Swap P and Q on every indicator: Q now leads.
    let mut cols = base_cols();
    for c in &mut cols {
        c.swap(0, 1);
    }
    let p = project(&["P", "Q", "R", "S", "T"], cols, Some(TierScheme::gba_default()), None);
    let (r, m) = build(&p);
    for lang in [Lang::En, Lang::Zh] {
        let leader = rank1_name(&p, &r, lang);
        assert_eq!(leader, if lang == Lang::En { "Quay" } else { "码市" });
        let t = text(&m, lang);
        let want = if lang == Lang::En { format!("{leader} ranks first") } else { format!("{leader}居首") };
        assert!(t.starts_with(&want), "{t}");
    }
}

#[test]
fn no_tiers_no_tier_sentences() {
    let p = project(&["P", "Q", "R", "S", "T"], base_cols(), None, None);
    let (_, m) = build(&p);
    let (en, zh) = (text(&m, Lang::En), text(&m, Lang::Zh));
    assert!(!en.to_lowercase().contains("tier"), "{en}");
    assert!(!zh.contains("梯队"), "{zh}");
    assert!(m.results[0].narrative.iter().all(|p| !["tiers", "tier_gaps", "closest"].contains(&p.topic)));
    assert!(en.contains("Scores range from 93.3 (Pine) down to 6.7 (Tide); the median is 50.0."), "{en}");
    assert!(en.contains("In rank order: Pine, Quay, Reed, Sand and Tide."), "{en}");
    assert!(zh.contains("得分最高为松市（93.3分），最低为潮市（6.7分），中位数50.0分。"), "{zh}");
    assert!(!m.sections.contains(&"tiers"));
}

#[test]
fn ties_share_first_place() {
    let mut cols = base_cols();
    for c in &mut cols {
        c[1] = c[0]; // Q = P on every indicator
    }
    let p = project(&["P", "Q", "R", "S", "T"], cols, Some(TierScheme::gba_default()), None);
    let (r, m) = build(&p);
    let root = p.framework.root();
    assert_eq!(&r.periods[0].ranks(root)[..2], &[Some(1), Some(1)]);
    let (en, zh) = (text(&m, Lang::En), text(&m, Lang::Zh));
    assert!(en.starts_with("Pine and Quay share first place with"), "{en}");
    assert!(zh.starts_with("松市、码市并列第一（"), "{zh}");
    assert!(!en.contains("points ahead"), "{en}");
    // Tied dimension leaders are named together.
    assert!(en.contains("Pine and Quay lead jointly in"), "{en}");
    assert!(zh.contains("松市、码市在") && zh.contains("并列居首"), "{zh}");
}

#[test]
fn missing_index_score_is_reported() {
    let mut cols = base_cols();
    for c in &mut cols {
        c[4] = NAN; // T has no data at all
    }
    let p = project(&["P", "Q", "R", "S", "T"], cols, Some(TierScheme::gba_default()), None);
    let (_, m) = build(&p);
    let (en, zh) = (text(&m, Lang::En), text(&m, Lang::Zh));
    assert!(en.contains("No index score for Tide: data are missing."), "{en}");
    assert!(zh.contains("潮市因数据缺失未得出总指数。"), "{zh}");
    assert_eq!(m.results[0].ranking.last().map(String::as_str), Some("T"));
    let t = m.results[0].profiles.iter().find(|p| p.unit == "T").unwrap();
    assert!(t.text.en.starts_with("Tide has no index score"), "{}", t.text.en);
}

#[test]
fn one_unit() {
    let p = project(&["P"], [vec![1.], vec![2.], vec![3.]], Some(TierScheme::gba_default()), Some("midpoint"));
    let (_, m) = build(&p);
    let (en, zh) = (text(&m, Lang::En), text(&m, Lang::Zh));
    assert_eq!(en, "Only one unit has an index score: Pine, with 50.0.");
    assert_eq!(zh, "仅松市一个单元得出总指数，得分50.0分。");
    let prof = &m.results[0].profiles[0];
    assert!(prof.strengths.is_empty() && prof.weaknesses.is_empty());
    assert!(!prof.text.en.contains("Strongest"), "{}", prof.text.en);
}

#[test]
fn profiles_from_dimension_ranks_and_obstacles() {
    let p = project(&["P", "Q", "R", "S", "T"], base_cols(), Some(TierScheme::gba_default()), None);
    let (_, m) = build(&p);
    let pine = &m.results[0].profiles[0];
    assert_eq!(pine.unit, "P");
    // Ranks: D1 1st, D2 2nd, D3 1st. P's only shortfall is on b (80 of 100): all its obstacle.
    assert_eq!(pine.strengths, ["D1", "D3"]);
    assert_eq!(pine.weaknesses, ["D2"]);
    let (node, o) = pine.top_obstacle.clone().unwrap();
    assert_eq!(node, "D2");
    assert!((o - 1.0).abs() < TOL, "{o}");
    assert_eq!(
        pine.text.en,
        "Pine ranks 1st of 5 with 93.3, First tier. Strongest in commerce (1st) and society (1st); weakest in industry (2nd). \
         Industry accounts for the largest share of its shortfall (obstacle degree 100.0%), and its largest single obstacle is b (100.0%)."
    );
    assert!(pine.text.zh.starts_with("松市总指数93.3分，在5个单元中排名第1，第一梯队。相对优势在商业（第1）、社会（第1），相对短板在产业（第2）。"), "{}", pine.text.zh);
}

#[test]
fn model_json_has_what_the_charts_read() {
    let p = project(&["P", "Q", "R", "S", "T"], base_cols(), Some(TierScheme::gba_default()), None);
    let (_, m) = build(&p);
    let j = m.to_json();
    assert_eq!(j["root"], "IDX");
    assert_eq!(j["results"][0]["ranking"][0], "P");
    assert_eq!(j["results"][0]["nodes"]["IDX"]["tier"][0], "T1");
    assert_eq!(j["profile_nodes"].as_array().unwrap().len(), 3);
    assert_eq!(j["tiers"]["bands"][0][0], "T1");
    // Missing values are null, never NaN.
    assert!(!serde_json::to_string(&j).unwrap().contains("NaN"));
}

#[test]
fn html_escapes_user_text() {
    let mut p = project(&["P", "Q", "R", "S", "T"], base_cols(), None, None);
    p.units[0].name = Text::new("<script>alert(1)</script>", "<b>松</b>");
    p.meta.name = Text::new("A & B \"index\"", "甲&乙");
    let (_, m) = build(&p);
    let html = baydex_report::html::render(&m, Lang::En);
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("A &amp; B &quot;index&quot;"));
    // The embedded JSON cannot close its element either.
    let json_start = html.find("id=\"baydex-model\">").unwrap();
    let json_end = html[json_start..].find("</script>").unwrap();
    assert!(!html[json_start..json_start + json_end].contains('<'));
    // No network: no external URL is referenced by a tag.
    for bad in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!html.contains(bad), "{bad}");
    }
}
