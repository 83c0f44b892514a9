//! The terminal table of `baydex run`: rank, unit, index score, tier and every first-level
//! dimension, aligned for CJK text (display width, not bytes).

use std::fmt::Write as _;

use anstyle::{AnsiColor, Effects, Style};
use baydex_core::{Lang, PeriodResult, Project, TierScheme, tr};
use unicode_width::UnicodeWidthStr;

pub(crate) fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

pub(crate) fn pad_right(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

pub(crate) fn pad_left(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

fn score(x: f64) -> String {
    if x.is_nan() { "—".into() } else { format!("{x:.1}") }
}

/// A bar of `cells` cells for a score on [0, 100] (eighths of a cell).
fn bar(x: f64, cells: usize) -> String {
    if !x.is_finite() {
        return " ".repeat(cells);
    }
    let eighths = ((x.clamp(0.0, 100.0) / 100.0) * (cells * 8) as f64).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    const PART: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    s.push_str(PART[eighths % 8]);
    let w = width(&s);
    s + &" ".repeat(cells.saturating_sub(w))
}

fn tier_style(t: Option<usize>) -> Style {
    match t {
        Some(0) => Style::new().fg_color(Some(AnsiColor::Green.into())).effects(Effects::BOLD),
        Some(1) => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Some(_) => Style::new().effects(Effects::DIMMED),
        None => Style::new(),
    }
}

/// Renders the ranking table of one period (with ANSI styles; the caller's stream strips them
/// when the output is not a terminal).
pub fn render(project: &Project, pr: &PeriodResult, lang: Lang) -> String {
    let fw = &project.framework;
    let root = fw.root();
    let dims: Vec<usize> = fw.node(root).children.clone();
    let scores = pr.scores(root);
    let ranks = pr.ranks(root);
    let tiers = pr.tiers(root);
    let unit_name = |code: &str| {
        project.units.iter().find(|u| u.code == code).map_or(code.to_string(), |u| u.name.get(lang).to_string())
    };
    let tier_name = |t: Option<usize>| match (t, &project.tiers) {
        (Some(t), Some(s)) => s.bands[t].name.get(lang).to_string(),
        _ => String::new(),
    };
    // Row order: by rank, then by unit code for ties and missing.
    let mut order: Vec<usize> = (0..pr.units().len()).collect();
    order.sort_by_key(|&u| (ranks[u].unwrap_or(u32::MAX), pr.units()[u].clone()));

    // Dimension headers: the name when short, else the code (explained in a legend).
    let mut legend = Vec::new();
    let dim_heads: Vec<String> = dims
        .iter()
        .map(|&d| {
            let n = fw.node(d);
            let name = n.spec.name.get(lang);
            if width(name) <= 12 {
                name.to_string()
            } else {
                legend.push(format!("{} = {}", n.code(), name));
                n.code().to_string()
            }
        })
        .collect();
    let index_head = fw.node(root).spec.name.get(lang);
    let index_head =
        if width(index_head) <= 10 { index_head.to_string() } else { tr(lang, "Index", "指数").to_string() };
    let heads = [tr(lang, "Rank", "排名"), tr(lang, "Region", "地区"), &index_head, tr(lang, "Tier", "梯队")];

    let names: Vec<String> = order.iter().map(|&u| unit_name(&pr.units()[u])).collect();
    let name_w = names.iter().map(|n| width(n)).chain([width(heads[1])]).max().unwrap_or(4);
    let has_tiers = project.tiers.is_some();
    let tier_w = order.iter().map(|&u| width(&tier_name(tiers[u]))).chain([width(heads[3])]).max().unwrap_or(4);
    let bar_cells = 10;
    let idx_w = (6 + 1 + bar_cells).max(width(&index_head));
    let dim_w: Vec<usize> = dim_heads.iter().map(|h| width(h).max(6)).collect();

    // Leader of every dimension (highest score).
    let leaders: Vec<Option<usize>> = dims
        .iter()
        .map(|&d| {
            let s = pr.scores(d);
            (0..s.len()).filter(|&u| !s[u].is_nan()).max_by(|&a, &b| s[a].total_cmp(&s[b]))
        })
        .collect();

    let mut out = String::new();
    let head_style = Style::new().effects(Effects::BOLD);
    let mut line =
        format!("{}  {}  {}", pad_left(heads[0], 4), pad_right(heads[1], name_w), pad_right(heads[2], idx_w));
    if has_tiers {
        line.push_str("  ");
        line.push_str(&pad_right(heads[3], tier_w));
    }
    for (h, w) in dim_heads.iter().zip(&dim_w) {
        line.push_str("  ");
        line.push_str(&pad_left(h, *w));
    }
    let total_w = width(&line);
    let _ = writeln!(out, "{head_style}{line}{head_style:#}");
    let _ = writeln!(out, "{}", "─".repeat(total_w));
    for (k, &u) in order.iter().enumerate() {
        let rank = ranks[u].map_or("—".to_string(), |r| r.to_string());
        let st = tier_style(tiers[u]);
        let idx = format!("{} {}", pad_left(&score(scores[u]), 6), bar(scores[u], bar_cells));
        let _ = write!(
            out,
            "{}  {st}{}{st:#}  {st}{}{st:#}",
            pad_left(&rank, 4),
            pad_right(&names[k], name_w),
            pad_right(&idx, idx_w)
        );
        if has_tiers {
            let _ = write!(out, "  {st}{}{st:#}", pad_right(&tier_name(tiers[u]), tier_w));
        }
        for (di, &d) in dims.iter().enumerate() {
            let v = pr.scores(d)[u];
            let cell = pad_left(&score(v), dim_w[di]);
            if leaders[di] == Some(u) {
                let b = Style::new().effects(Effects::BOLD | Effects::UNDERLINE);
                let _ = write!(out, "  {b}{cell}{b:#}");
            } else {
                let _ = write!(out, "  {cell}");
            }
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", "─".repeat(total_w));
    if !legend.is_empty() {
        let _ = writeln!(out, "{}", legend.join(" · "));
    }
    out
}

/// The leader of every first-level dimension and how far the runner-up and the median trail.
pub fn leaders(project: &Project, pr: &PeriodResult, lang: Lang) -> String {
    let fw = &project.framework;
    let unit_name = |code: &str| {
        project.units.iter().find(|u| u.code == code).map_or(code.to_string(), |u| u.name.get(lang).to_string())
    };
    let dims = &fw.node(fw.root()).children;
    let dim_w = dims.iter().map(|&d| width(fw.node(d).spec.name.get(lang))).max().unwrap_or(8);
    let unit_w = project.units.iter().map(|u| width(u.name.get(lang))).max().unwrap_or(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        tr(
            lang,
            "Dimension leaders (gap of the runner-up and of the median city):",
            "各维度领先城市（第二名与中位城市的差距）："
        )
    );
    for &d in dims {
        let s = pr.scores(d);
        let mut idx: Vec<usize> = (0..s.len()).filter(|&u| !s[u].is_nan()).collect();
        idx.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
        let Some(&first) = idx.first() else { continue };
        let second = idx.get(1).map(|&u| s[u] - s[first]);
        let median = if idx.is_empty() {
            f64::NAN
        } else {
            let mut v: Vec<f64> = idx.iter().map(|&u| s[u]).collect();
            v.sort_by(|a, b| a.total_cmp(b));
            let m = v.len() / 2;
            if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 }
        };
        let _ = writeln!(
            out,
            "  {}  {} {:>6.1}   {} {:>6}   {} {:>+6.1}",
            pad_right(fw.node(d).spec.name.get(lang), dim_w),
            pad_right(&unit_name(&pr.units()[first]), unit_w),
            s[first],
            tr(lang, "runner-up", "第二名"),
            second.map_or("—".into(), |g| format!("{g:+.1}")),
            tr(lang, "median", "中位"),
            median - s[first],
        );
    }
    out
}

/// A break for display: a fixed threshold as written (80), a computed one to one decimal (45.0).
fn fmt_break(x: f64, computed: bool) -> String {
    if computed { format!("{x:.1}") } else { format!("{x}") }
}

/// The method that made the tiers and where the breaks fell (the lower break of every band but a
/// last catch-all, best first), e.g. "natural breaks (Fisher–Jenks): 71.2 / 45.0".
pub fn tier_method_line(scheme: &TierScheme, breaks: &[f64], lang: Lang) -> String {
    let method = scheme.method_kind().map_or(scheme.method.clone(), |m| m.label().get(lang).to_string());
    let computed = scheme.method_kind().is_some_and(|m| m.is_data_driven());
    // A data-driven last band starts at the lowest score, and a fixed catch-all at −∞: not breaks.
    let inner = if computed { &breaks[..breaks.len().saturating_sub(1)] } else { breaks };
    let shown: Vec<String> = inner.iter().filter(|b| b.is_finite()).map(|&b| fmt_break(b, computed)).collect();
    let sep = tr(lang, ": ", "：");
    format!("{method}{sep}{}", shown.join(" / "))
}

/// One line for the method and the breaks, then one line per tier: its name, band and members in
/// rank order.
pub fn tier_summary(project: &Project, pr: &PeriodResult, lang: Lang) -> String {
    let Some(scheme) = &project.tiers else { return String::new() };
    let fw = &project.framework;
    let root = fw.root();
    let Some(breaks) = pr.tier_breaks(root) else { return String::new() };
    let (ranks, tiers) = (pr.ranks(root), pr.tiers(root));
    let data_driven = scheme.method_kind().is_some_and(|m| m.is_data_driven());
    let mut out = String::new();
    let _ = writeln!(out, "  {}", tier_method_line(scheme, breaks, lang));
    for (t, band) in scheme.bands.iter().enumerate() {
        let mut members: Vec<usize> = (0..tiers.len()).filter(|&u| tiers[u] == Some(t)).collect();
        members.sort_by_key(|&u| ranks[u]);
        let names: Vec<String> = members
            .iter()
            .map(|&u| {
                let code = &pr.units()[u];
                project.units.iter().find(|x| &x.code == code).map_or(code.clone(), |x| x.name.get(lang).to_string())
            })
            .collect();
        // A data-driven last band starts at the lowest score: shown as "< upper".
        let last_open = data_driven && t + 1 == scheme.bands.len();
        let lower = Some(breaks[t]).filter(|b| b.is_finite() && !last_open);
        let upper = if t == 0 { None } else { Some(breaks[t - 1]) };
        let range = match (lower, upper) {
            (Some(lo), None) => format!("≥ {}", fmt_break(lo, data_driven)),
            (Some(lo), Some(hi)) => format!("{}–{}", fmt_break(lo, data_driven), fmt_break(hi, data_driven)),
            (None, Some(hi)) => format!("< {}", fmt_break(hi, data_driven)),
            (None, None) => String::new(),
        };
        let st = tier_style(Some(t));
        let sep = tr(lang, ", ", "、");
        let _ = writeln!(
            out,
            "  {st}{}{st:#} ({range}, {}): {}",
            band.name.get(lang),
            members.len(),
            if names.is_empty() { "—".to_string() } else { names.join(sep) }
        );
    }
    out
}

/// For panels: the index's change from the first to the last period for every unit, by final rank.
pub fn panel_summary(project: &Project, results: &baydex_core::Results, lang: Lang) -> String {
    let p = &results.periods;
    if p.len() < 2 {
        return String::new();
    }
    let fw = &project.framework;
    let root = fw.root();
    let (first, last) = (&p[0], &p[p.len() - 1]);
    let unit_name = |code: &str| {
        project.units.iter().find(|u| u.code == code).map_or(code.to_string(), |u| u.name.get(lang).to_string())
    };
    let name_w = project.units.iter().map(|u| width(u.name.get(lang))).max().unwrap_or(4).max(4);
    let mut order: Vec<usize> = (0..last.units().len()).collect();
    order.sort_by_key(|&u| (last.ranks(root)[u].unwrap_or(u32::MAX), last.units()[u].clone()));
    let mut out = String::new();
    let head = Style::new().effects(Effects::BOLD);
    let title = match lang {
        Lang::En => format!("Change {} → {} (index):", first.period, last.period),
        Lang::Zh => format!("{} → {} 指数变化：", first.period, last.period),
    };
    let _ = writeln!(out, "{head}{title}{head:#}");
    let _ = writeln!(
        out,
        "  {}  {}  {}  {}  {}  {}",
        pad_right(tr(lang, "Region", "地区"), name_w),
        pad_left(&first.period, 8),
        pad_left(&last.period, 8),
        pad_left(tr(lang, "change", "变化"), 8),
        pad_left(tr(lang, "CAGR", "年均增速"), 9),
        pad_left(tr(lang, "rank", "排名"), 9),
    );
    for &u in &order {
        let code = &last.units()[u];
        let to = last.scores(root)[u];
        let to_rank = last.ranks(root)[u];
        let (from, from_rank) = first
            .units()
            .iter()
            .position(|x| x == code)
            .map_or((f64::NAN, None), |i| (first.scores(root)[i], first.ranks(root)[i]));
        let cagr = baydex_core::changes::cagr(&first.period, &last.period, from, to)
            .map_or("—".to_string(), |g| format!("{:+.2}%", g * 100.0));
        let rank = |r: Option<u32>| r.map_or("—".to_string(), |r| r.to_string());
        let _ = writeln!(
            out,
            "  {}  {:>8}  {:>8}  {:>8}  {:>9}  {:>9}",
            pad_right(&unit_name(code), name_w),
            score(from),
            score(to),
            if (to - from).is_nan() { "—".to_string() } else { format!("{:+.1}", to - from) },
            cagr,
            format!("{} → {}", rank(from_rank), rank(to_rank)),
        );
    }
    out
}

/// Wraps text to `max` display columns: at spaces for Latin text, anywhere between CJK characters.
pub fn wrap(text: &str, max: usize, indent: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut word = String::new();
    let flush_word = |cur: &mut String, word: &mut String, lines: &mut Vec<String>| {
        if width(cur) + width(word.trim_end()) > max && !cur.trim().is_empty() {
            lines.push(cur.trim_end().to_string());
            *cur = String::new();
        }
        cur.push_str(word);
        word.clear();
    };
    for ch in text.chars() {
        let wide = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0) > 1;
        if ch == ' ' {
            word.push(ch);
            flush_word(&mut cur, &mut word, &mut lines);
        } else if wide {
            flush_word(&mut cur, &mut word, &mut lines);
            word.push(ch);
            flush_word(&mut cur, &mut word, &mut lines);
        } else {
            word.push(ch);
        }
    }
    flush_word(&mut cur, &mut word, &mut lines);
    if !cur.trim().is_empty() {
        lines.push(cur.trim_end().to_string());
    }
    lines.join(&format!("\n{indent}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_padding() {
        assert_eq!(width(&bar(100.0, 10)), 10);
        assert_eq!(width(&bar(55.0, 10)), 10);
        assert_eq!(bar(0.0, 3), "   ");
        assert_eq!(pad_right("深圳", 6), "深圳  ");
        assert_eq!(pad_left("1", 3), "  1");
        assert_eq!(wrap("aaa bbb ccc", 7, ""), "aaa bbb\nccc");
        assert_eq!(wrap("一二三四五", 4, "  "), "一二\n  三四\n  五");
    }

    #[test]
    fn tier_method_lines() {
        let fixed = TierScheme::gba_default();
        assert_eq!(tier_method_line(&fixed, &[80.0, 50.0, f64::NEG_INFINITY], Lang::En), "fixed thresholds: 80 / 50");
        assert_eq!(tier_method_line(&fixed, &[80.0, 50.0, f64::NEG_INFINITY], Lang::Zh), "固定阈值：80 / 50");
        // Without a catch-all, the last threshold is a break too.
        assert_eq!(tier_method_line(&fixed, &[80.0, 50.0], Lang::En), "fixed thresholds: 80 / 50");
        let mut jenks = fixed.clone();
        jenks.method = "jenks".into();
        let b = [71.234, 45.0, 12.5];
        assert_eq!(tier_method_line(&jenks, &b, Lang::En), "natural breaks (Fisher–Jenks): 71.2 / 45.0");
        assert_eq!(tier_method_line(&jenks, &b, Lang::Zh), "自然断点（Fisher–Jenks）：71.2 / 45.0");
    }
}
