//! The summary in prose, generated from the numbers of a [`ReportModel`], in Chinese and English.
//!
//! Every sentence is derived from the model: who leads (the rank-1 units of the index), which
//! units form each tier (the bands of the project's scheme, whatever their names and breaks),
//! the gaps between the tiers' mean scores, the leader of each first-level dimension, the
//! dimension where the second tier comes closest to the first, the spread of the scores when there
//! are no tiers, units without a score, and each unit's strengths and weaknesses (its dimension
//! ranks and obstacle degrees). Nothing names a region, a dimension or a threshold of its own; a
//! sentence whose numbers do not exist (no tiers, one unit, one tier) is left out.
//!
//! Scores are shown to one decimal, obstacle degrees as percentages to one decimal.

use baydex_core::{Lang, Text};

use crate::model::{Paragraph, PeriodModel, ReportModel, UnitProfile};

/// A score to one decimal.
pub fn fmt1(x: f64) -> String {
    format!("{x:.1}")
}

/// A tier break: a round threshold as written (`80`), any other to one decimal (`45.3`).
pub fn fmt_break(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 { format!("{x:.0}") } else { fmt1(x) }
}

/// `+1.2` / `-1.2`.
fn signed(x: f64) -> String {
    format!("{x:+.1}")
}

/// `A`, `A and B`, `A, B and C` (en); `A、B、C` (zh).
pub fn join(names: &[String], lang: Lang) -> String {
    match lang {
        Lang::Zh => names.join("、"),
        Lang::En => match names {
            [] => String::new(),
            [a] => a.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        },
    }
}

/// `1st`, `2nd`, `3rd`, `11th`, `21st` (en); `第1` (zh).
pub fn ordinal(n: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("第{n}"),
        Lang::En => {
            let suffix = match (n % 10, n % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{n}{suffix}")
        }
    }
}

/// An English name used inside a sentence: `First tier` → `first tier` (acronyms are kept).
fn inline(name: &str) -> String {
    let mut c = name.chars();
    match (c.next(), c.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => {
            a.to_lowercase().chain(name.chars().skip(1)).collect()
        }
        _ => name.to_string(),
    }
}

/// A dimension a unit leads, with the leading score.
type Led = (String, f64);

/// Index of a unit in a period.
fn pos(p: &PeriodModel, unit: &str) -> Option<usize> {
    p.units.iter().position(|u| u == unit)
}

/// Score of a node for a unit in a period.
fn score(p: &PeriodModel, node: &str, unit: &str) -> Option<f64> {
    p.nodes.get(node).and_then(|r| pos(p, unit).and_then(|i| r.score[i]))
}

fn rank(p: &PeriodModel, node: &str, unit: &str) -> Option<u32> {
    p.nodes.get(node).and_then(|r| pos(p, unit).and_then(|i| r.rank[i]))
}

/// Builds a paragraph from its English and Chinese sentences.
fn para(topic: &'static str, en: Vec<String>, zh: Vec<String>) -> Paragraph {
    Paragraph { topic, text: Text::new(en.join(" "), zh.concat()) }
}

/// The summary of period `k`: lead, tiers (or spread), tier gaps, dimension leaders, the closest
/// dimension, missing scores.
pub fn summary(m: &ReportModel, k: usize) -> Vec<Paragraph> {
    let p = &m.results[k];
    let root = m.root.as_str();
    let names = |codes: &[String], lang: Lang| -> Vec<String> { codes.iter().map(|c| m.unit_name(c, lang)).collect() };
    let scored: Vec<&String> = p.ranking.iter().filter(|u| score(p, root, u).is_some()).collect();
    let mut out = Vec::new();
    if scored.is_empty() {
        out.push(para(
            "lead",
            vec!["No unit has an index score in this period.".into()],
            vec!["本期没有任何单元得出总指数。".into()],
        ));
        return out;
    }

    // Lead: the rank-1 units of the index, and how far the next one trails.
    let leaders: Vec<String> = scored.iter().filter(|u| rank(p, root, u) == Some(1)).map(|u| (*u).clone()).collect();
    let top = score(p, root, &leaders[0]).unwrap_or(f64::NAN);
    let next = scored.iter().find(|u| rank(p, root, u) != Some(1));
    let (mut en, mut zh) = (Vec::new(), Vec::new());
    if scored.len() == 1 {
        en.push(format!(
            "Only one unit has an index score: {}, with {}.",
            m.unit_name(&leaders[0], Lang::En),
            fmt1(top)
        ));
        zh.push(format!("仅{}一个单元得出总指数，得分{}分。", m.unit_name(&leaders[0], Lang::Zh), fmt1(top)));
    } else if leaders.len() > 1 {
        en.push(format!("{} share first place with {}.", join(&names(&leaders, Lang::En), Lang::En), fmt1(top)));
        zh.push(format!("{}并列第一（{}分）。", join(&names(&leaders, Lang::Zh), Lang::Zh), fmt1(top)));
    } else {
        en.push(format!("{} ranks first with {}", m.unit_name(&leaders[0], Lang::En), fmt1(top)));
        zh.push(format!("{}居首（{}分）", m.unit_name(&leaders[0], Lang::Zh), fmt1(top)));
    }
    if let (Some(n), true) = (next, leaders.len() == 1 && scored.len() > 1) {
        let s = score(p, root, n).unwrap_or(f64::NAN);
        en[0].push_str(&format!(", {} points ahead of {} ({}).", fmt1(top - s), m.unit_name(n, Lang::En), fmt1(s)));
        zh[0].push_str(&format!("，领先第二名{}（{}分）{}分。", m.unit_name(n, Lang::Zh), fmt1(s), fmt1(top - s)));
    }
    out.push(para("lead", en, zh));

    // Tiers, or the spread of the scores when there are none.
    let nonempty: Vec<_> = p.tier_groups.iter().filter(|g| !g.members.is_empty()).collect();
    if !nonempty.is_empty() && scored.len() > 1 {
        let (mut en, mut zh) = (Vec::new(), Vec::new());
        let last = nonempty.len() - 1;
        for (j, g) in nonempty.iter().enumerate() {
            let (ne, nz) = (names(&g.members, Lang::En), names(&g.members, Lang::Zh));
            let (ben, bzh) = (inline(g.name.get(Lang::En)), g.name.get(Lang::Zh).to_string());
            let all = |en: &str, zh: &str| {
                if g.members.len() > 1 { (en.to_string(), zh.to_string()) } else { (String::new(), String::new()) }
            };
            let (all_en, all_zh) = all("all ", "均");
            let (range_en, range_zh) = match (g.lower, g.upper) {
                (Some(lo), _) => (
                    format!("{all_en}scoring at least {}", fmt_break(lo)),
                    format!("得分{all_zh}不低于{}分", fmt_break(lo)),
                ),
                (None, Some(hi)) => {
                    (format!("{all_en}scoring below {}", fmt_break(hi)), format!("得分{all_zh}低于{}分", fmt_break(hi)))
                }
                (None, None) => (String::new(), String::new()),
            };
            let span_en = match (g.min, g.max) {
                (Some(a), Some(b)) if g.members.len() > 1 => format!(" ({}–{})", fmt1(a), fmt1(b)),
                (Some(a), _) => format!(" ({})", fmt1(a)),
                _ => String::new(),
            };
            let span_zh = match (g.min, g.max) {
                (Some(a), Some(b)) if g.members.len() > 1 => format!("（{}–{}分）", fmt1(a), fmt1(b)),
                (Some(a), _) => format!("（{}分）", fmt1(a)),
                _ => String::new(),
            };
            let verb = if g.members.len() > 1 { "form" } else { "forms" };
            let sep_en = if range_en.is_empty() { String::new() } else { format!(", {range_en}") };
            en.push(format!("{} {verb} the {ben}{span_en}{sep_en}.", join(&ne, Lang::En)));
            let sep_zh = if range_zh.is_empty() { String::new() } else { format!("，{range_zh}") };
            zh.push(format!("{}属{bzh}{span_zh}{sep_zh}{}", join(&nz, Lang::Zh), if j == last { "。" } else { "；" }));
        }
        out.push(para("tiers", en, zh));
        // Gaps between the means of adjacent non-empty tiers.
        if nonempty.len() > 1 {
            let (mut en, mut zh) = (Vec::new(), Vec::new());
            for w in nonempty.windows(2) {
                if let (Some(a), Some(b)) = (w[0].mean, w[1].mean) {
                    en.push(format!(
                        "The {} averages {}, {} points above the {} ({}).",
                        inline(w[0].name.get(Lang::En)),
                        fmt1(a),
                        fmt1(a - b),
                        inline(w[1].name.get(Lang::En)),
                        fmt1(b)
                    ));
                    zh.push(format!(
                        "{}平均得分{}分，比{}（{}分）高{}分。",
                        w[0].name.get(Lang::Zh),
                        fmt1(a),
                        w[1].name.get(Lang::Zh),
                        fmt1(b),
                        fmt1(a - b)
                    ));
                }
            }
            if !en.is_empty() {
                out.push(para("tier_gaps", en, zh));
            }
        }
    } else if scored.len() > 1 {
        let lo = scored[scored.len() - 1];
        let (hi_s, lo_s) = (top, score(p, root, lo).unwrap_or(f64::NAN));
        let vals: Vec<f64> = scored.iter().filter_map(|u| score(p, root, u)).collect();
        let med = {
            let mut v = vals.clone();
            v.sort_by(f64::total_cmp);
            let n = v.len();
            if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
        };
        let n_top = scored.len().min(5);
        let top_codes: Vec<String> = scored[..n_top].iter().map(|u| (*u).clone()).collect();
        let mut en = vec![format!(
            "Scores range from {} ({}) down to {} ({}); the median is {}.",
            fmt1(hi_s),
            m.unit_name(&scored[0].clone(), Lang::En),
            fmt1(lo_s),
            m.unit_name(lo, Lang::En),
            fmt1(med)
        )];
        let mut zh = vec![format!(
            "得分最高为{}（{}分），最低为{}（{}分），中位数{}分。",
            m.unit_name(scored[0], Lang::Zh),
            fmt1(hi_s),
            m.unit_name(lo, Lang::Zh),
            fmt1(lo_s),
            fmt1(med)
        )];
        if scored.len() > n_top {
            en.push(format!("The top {n_top} are {}.", join(&names(&top_codes, Lang::En), Lang::En)));
            zh.push(format!("排名前{n_top}位的依次是{}。", join(&names(&top_codes, Lang::Zh), Lang::Zh)));
        } else {
            en.push(format!("In rank order: {}.", join(&names(&top_codes, Lang::En), Lang::En)));
            zh.push(format!("依次为{}。", join(&names(&top_codes, Lang::Zh), Lang::Zh)));
        }
        out.push(para("spread", en, zh));
    }

    // Dimension leaders, grouped by leading unit (in order of first appearance).
    if scored.len() > 1 && !p.leaders.is_empty() {
        let mut groups: Vec<(Vec<String>, Vec<Led>)> = Vec::new();
        for l in &p.leaders {
            let Some(s) = l.score else { continue };
            match groups.iter_mut().find(|(u, _)| *u == l.units) {
                Some((_, d)) => d.push((l.node.clone(), s)),
                None => groups.push((l.units.clone(), vec![(l.node.clone(), s)])),
            }
        }
        let (mut en, mut zh) = (Vec::new(), Vec::new());
        for (units, dims) in &groups {
            let tie_en = if units.len() > 1 { " jointly" } else { "" };
            let tie_zh = if units.len() > 1 { "并列" } else { "" };
            let de: Vec<String> =
                dims.iter().map(|(d, s)| format!("{} ({})", inline(&m.node_name(d, Lang::En)), fmt1(*s))).collect();
            let dz: Vec<String> =
                dims.iter().map(|(d, s)| format!("{}（{}分）", m.node_name(d, Lang::Zh), fmt1(*s))).collect();
            en.push(format!(
                "{} lead{}{tie_en} in {}",
                join(&names(units, Lang::En), Lang::En),
                if units.len() > 1 { "" } else { "s" },
                join(&de, Lang::En)
            ));
            zh.push(format!("{}在{}{tie_zh}居首", join(&names(units, Lang::Zh), Lang::Zh), join(&dz, Lang::Zh)));
        }
        if !en.is_empty() {
            let what_en = if p.leaders.len() > 1 { "By dimension, " } else { "On its dimension, " };
            out.push(Paragraph {
                topic: "leaders",
                text: Text::new(format!("{what_en}{}.", en.join("; ")), format!("分维度看，{}。", zh.join("；"))),
            });
        }
    }

    // The dimension where the second tier comes closest to the first.
    if let Some(g) = &p.tier_gaps
        && let (Some(c), Some(w)) = (g.dimensions.first(), g.dimensions.last())
        && g.dimensions.len() > 1
    {
        let (a_en, b_en) = (inline(&m.band_name(&g.upper, Lang::En)), inline(&m.band_name(&g.lower, Lang::En)));
        let (a_zh, b_zh) = (m.band_name(&g.upper, Lang::Zh), m.band_name(&g.lower, Lang::Zh));
        let (cen, czh) = (inline(&m.node_name(&c.node, Lang::En)), m.node_name(&c.node, Lang::Zh));
        let (wen, wzh) = (inline(&m.node_name(&w.node, Lang::En)), m.node_name(&w.node, Lang::Zh));
        let (en, zh) = if c.gap < 0.0 {
            (
                format!(
                    "The {b_en} is ahead of the {a_en} in {cen}, by {} points on average (it trails by {} on the index); the gap is widest in {wen} ({}).",
                    fmt1(-c.gap),
                    fmt1(g.index_gap),
                    fmt1(w.gap)
                ),
                format!(
                    "{b_zh}在{czh}维度的平均得分反超{a_zh}{}分（总指数落后{}分）；两者差距最大的是{wzh}（{}分）。",
                    fmt1(-c.gap),
                    fmt1(g.index_gap),
                    fmt1(w.gap)
                ),
            )
        } else {
            (
                format!(
                    "The {b_en} comes closest to the {a_en} in {cen}, trailing by {} points on average (against {} on the index); the gap is widest in {wen} ({}).",
                    fmt1(c.gap),
                    fmt1(g.index_gap),
                    fmt1(w.gap)
                ),
                format!(
                    "{b_zh}与{a_zh}差距最小的维度是{czh}，平均相差{}分（总指数相差{}分）；差距最大的是{wzh}（{}分）。",
                    fmt1(c.gap),
                    fmt1(g.index_gap),
                    fmt1(w.gap)
                ),
            )
        };
        out.push(Paragraph { topic: "closest", text: Text::new(en, zh) });
    }

    // Units without an index score.
    let missing: Vec<String> = p.ranking.iter().filter(|u| score(p, root, u).is_none()).cloned().collect();
    if !missing.is_empty() {
        out.push(para(
            "missing",
            vec![format!("No index score for {}: data are missing.", join(&names(&missing, Lang::En), Lang::En))],
            vec![format!("{}因数据缺失未得出总指数。", join(&names(&missing, Lang::Zh), Lang::Zh))],
        ));
    }
    out
}

/// Profiles of every unit of period `k`, in ranking order.
pub fn profiles(m: &ReportModel, k: usize) -> Vec<UnitProfile> {
    let p = &m.results[k];
    let root = m.root.as_str();
    let n = p.nodes.get(root).map_or(0, |r| r.score.iter().filter(|s| s.is_some()).count());
    p.ranking
        .iter()
        .map(|u| {
            let (sc, rk) = (score(p, root, u), rank(p, root, u));
            let tier = pos(p, u).and_then(|i| p.nodes.get(root).and_then(|r| r.tier[i].clone()));
            let dim_ranks: Vec<(String, u32)> =
                m.profile_nodes.iter().filter_map(|d| rank(p, d, u).map(|r| (d.clone(), r))).collect();
            let best = dim_ranks.iter().map(|(_, r)| *r).min();
            let worst = dim_ranks.iter().map(|(_, r)| *r).max();
            let (mut strengths, mut weaknesses) = (Vec::new(), Vec::new());
            // Strengths: the dimensions where the unit ranks best (when not all equal); weaknesses:
            // those where it ranks worst, when that is below its overall rank.
            if let (Some(b), Some(w)) = (best, worst)
                && b < w
            {
                strengths = dim_ranks.iter().filter(|(_, r)| *r == b).map(|(d, _)| d.clone()).take(3).collect();
                if rk.is_none_or(|r| w > r) {
                    weaknesses = dim_ranks.iter().filter(|(_, r)| *r == w).map(|(d, _)| d.clone()).take(3).collect();
                }
            }
            let obst = |indicators: bool| -> Option<(String, f64)> {
                let rows = p.obstacles.as_ref()?;
                rows.iter()
                    .filter(|o| &o.unit == u && o.obstacle.is_finite())
                    .filter(|o| (o.level == 1) == indicators && (indicators || m.profile_nodes.contains(&o.node)))
                    .max_by(|a, b| a.obstacle.total_cmp(&b.obstacle))
                    .map(|o| (o.node.clone(), o.obstacle))
            };
            let (top_obstacle, top_indicator_obstacle) = (obst(false), obst(true));
            let text = profile_text(
                m,
                p,
                u,
                n,
                sc,
                rk,
                &tier,
                &strengths,
                &weaknesses,
                &top_obstacle,
                &top_indicator_obstacle,
            );
            UnitProfile {
                unit: u.clone(),
                score: sc,
                rank: rk,
                tier,
                strengths,
                weaknesses,
                top_obstacle,
                top_indicator_obstacle,
                text,
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn profile_text(
    m: &ReportModel,
    p: &PeriodModel,
    u: &str,
    n: usize,
    sc: Option<f64>,
    rk: Option<u32>,
    tier: &Option<String>,
    strengths: &[String],
    weaknesses: &[String],
    top: &Option<(String, f64)>,
    top_ind: &Option<(String, f64)>,
) -> Text {
    let (mut en, mut zh) = (Vec::new(), Vec::new());
    let (name_en, name_zh) = (m.unit_name(u, Lang::En), m.unit_name(u, Lang::Zh));
    match (sc, rk) {
        (Some(s), Some(r)) => {
            let (t_en, t_zh) = match tier {
                Some(t) => (format!(", {}", m.band_name(t, Lang::En)), format!("，{}", m.band_name(t, Lang::Zh))),
                None => (String::new(), String::new()),
            };
            en.push(format!("{name_en} ranks {} of {n} with {}{t_en}.", ordinal(r, Lang::En), fmt1(s)));
            zh.push(format!("{name_zh}总指数{}分，在{n}个单元中排名{}{t_zh}。", fmt1(s), ordinal(r, Lang::Zh)));
        }
        _ => {
            en.push(format!("{name_en} has no index score: data are missing."));
            zh.push(format!("{name_zh}因数据缺失未得出总指数。"));
        }
    }
    let list = |codes: &[String], lang: Lang| -> String {
        let v: Vec<String> = codes
            .iter()
            .map(|d| {
                let r = rank(p, d, u).map_or(String::new(), |r| ordinal(r, lang));
                match lang {
                    Lang::En => format!("{} ({r})", inline(&m.node_name(d, lang))),
                    Lang::Zh => format!("{}（{r}）", m.node_name(d, lang)),
                }
            })
            .collect();
        join(&v, lang)
    };
    match (strengths.is_empty(), weaknesses.is_empty()) {
        (false, false) => {
            en.push(format!("Strongest in {}; weakest in {}.", list(strengths, Lang::En), list(weaknesses, Lang::En)));
            zh.push(format!("相对优势在{}，相对短板在{}。", list(strengths, Lang::Zh), list(weaknesses, Lang::Zh)));
        }
        (false, true) => {
            en.push(format!("Strongest in {}.", list(strengths, Lang::En)));
            zh.push(format!("相对优势在{}。", list(strengths, Lang::Zh)));
        }
        _ => {}
    }
    if let Some((d, o)) = top {
        let pct = |x: f64| format!("{:.1}%", x * 100.0);
        let ind_en = top_ind.as_ref().map_or(String::new(), |(i, x)| {
            format!(", and its largest single obstacle is {} ({})", m.node_name(i, Lang::En), pct(*x))
        });
        let ind_zh = top_ind.as_ref().map_or(String::new(), |(i, x)| {
            format!("；障碍度最大的单项指标是{}（{}）", m.node_name(i, Lang::Zh), pct(*x))
        });
        en.push(format!(
            "{} accounts for the largest share of its shortfall (obstacle degree {}){ind_en}.",
            m.node_name(d, Lang::En),
            pct(*o)
        ));
        zh.push(format!("障碍度最大的维度是{}（{}）{ind_zh}。", m.node_name(d, Lang::Zh), pct(*o)));
    }
    Text::new(en.join(" "), zh.concat())
}

/// Panels: how the index changed from the first to the last period.
pub fn change(m: &ReportModel) -> Vec<Paragraph> {
    let root = &m.root;
    let rows: Vec<_> = m.changes.iter().filter(|c| &c.node == root && c.change.is_finite()).collect();
    if rows.is_empty() {
        return Vec::new();
    }
    let (from, to) = (&rows[0].from_period, &rows[0].to_period);
    let up = rows.iter().filter(|c| c.change > 0.0).count();
    let best = rows.iter().max_by(|a, b| a.change.total_cmp(&b.change).then(b.unit.cmp(&a.unit)));
    let worst = rows.iter().min_by(|a, b| a.change.total_cmp(&b.change).then(a.unit.cmp(&b.unit)));
    let (Some(best), Some(worst)) = (best, worst) else { return Vec::new() };
    let n = rows.len();
    let mut en = vec![if up == n {
        format!("From {from} to {to} the index rose for all {n} units.")
    } else if up == 0 {
        format!("From {from} to {to} the index fell or stayed flat for all {n} units.")
    } else {
        format!("From {from} to {to} the index rose for {up} of {n} units.")
    }];
    let mut zh = vec![if up == n {
        format!("{from}—{to}年，全部{n}个单元的总指数均有上升。")
    } else if up == 0 {
        format!("{from}—{to}年，全部{n}个单元的总指数均未上升。")
    } else {
        format!("{from}—{to}年，{n}个单元中有{up}个总指数上升。")
    }];
    if n > 1 {
        en.push(format!(
            "{} changed most ({} points, from {} to {}) and {} least ({}).",
            m.unit_name(&best.unit, Lang::En),
            signed(best.change),
            fmt1(best.from),
            fmt1(best.to),
            m.unit_name(&worst.unit, Lang::En),
            signed(worst.change)
        ));
        zh.push(format!(
            "{}变化最大（{}分，由{}分到{}分），{}最小（{}分）。",
            m.unit_name(&best.unit, Lang::Zh),
            signed(best.change),
            fmt1(best.from),
            fmt1(best.to),
            m.unit_name(&worst.unit, Lang::Zh),
            signed(worst.change)
        ));
    }
    // The largest climb in rank.
    let climb = rows
        .iter()
        .filter_map(|c| match (c.from_rank, c.to_rank) {
            (Some(a), Some(b)) if b < a => Some((a - b, *c)),
            _ => None,
        })
        .max_by(|x, y| x.0.cmp(&y.0).then(y.1.unit.cmp(&x.1.unit)));
    if let Some((_, c)) = climb {
        let (a, b) = (c.from_rank.unwrap_or(0), c.to_rank.unwrap_or(0));
        en.push(format!(
            "{} climbed most in rank, from {} to {}.",
            m.unit_name(&c.unit, Lang::En),
            ordinal(a, Lang::En),
            ordinal(b, Lang::En)
        ));
        zh.push(format!("排名上升最多的是{}，由第{a}位升至第{b}位。", m.unit_name(&c.unit, Lang::Zh)));
    }
    vec![para("change", en, zh)]
}
