//! `baydex audit [FILE] [--lang zh|en] [--period P] [--weak X] [--collinear X] [--negative X] [--pval X]`:
//! computes the index and prints its statistical audit (availability, flagged correlations,
//! Cronbach's alpha, PCA, the few-units warning). The tables themselves are written by
//! `baydex run` (`audit/*.csv`, `results.json`).

use std::fmt::Write as _;

use anstream::print;
use anstyle::{AnsiColor, Effects, Style};
use baydex_core::audit::{self, Audit, AuditParams, CorrelationPair, Flag, Method, Relation};
use baydex_core::{Lang, Project, tr};
use unicode_width::UnicodeWidthStr;

use crate::{Reported, cmd_validate, messages};

/// Arguments of `baydex audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Project file (TOML); default: the embedded GBA digital economy index (项目文件；默认内置大湾区数字经济指数).

    #[command(flatten)]
    pub project: cmd_validate::ProjectArg,
    /// Language of names and messages: zh | en (语言).
    #[arg(long, value_parser = crate::parse_lang)]
    pub lang: Option<Lang>,
    /// Audit only this period (default: every period) (只审计该期).
    #[arg(long)]
    pub period: Option<String>,
    /// Node vs parent: r below this is weak (低于此值为弱相关).
    #[arg(long, default_value_t = 0.3, value_parser = correlation, allow_negative_numbers = true)]
    pub weak: f64,
    /// Siblings: r above this is collinear (同组节点高于此值为共线).
    #[arg(long, default_value_t = 0.9, value_parser = correlation, allow_negative_numbers = true)]
    pub collinear: f64,
    /// r below this is negative (低于此值为负相关).
    #[arg(long, default_value_t = 0.0, value_parser = correlation, allow_negative_numbers = true)]
    pub negative: f64,
    /// Mask correlations whose p-value exceeds this; 0 = no masking; COINr uses 0.05 (显著性水平).
    #[arg(long, default_value_t = 0.0, value_parser = significance)]
    pub pval: f64,
}

fn number(s: &str) -> Result<f64, String> {
    s.trim().parse::<f64>().map_err(|_| format!("'{s}' is not a number (不是数字)"))
}

fn correlation(s: &str) -> Result<f64, String> {
    let x = number(s)?;
    if (-1.0..=1.0).contains(&x) { Ok(x) } else { Err(format!("{x} is not between -1 and 1 (须在 -1 与 1 之间)")) }
}

fn significance(s: &str) -> Result<f64, String> {
    let x = number(s)?;
    if (0.0..=1.0).contains(&x) { Ok(x) } else { Err(format!("{x} is not between 0 and 1 (须在 0 与 1 之间)")) }
}

/// Runs `baydex audit`.
pub fn run(args: AuditArgs) -> anyhow::Result<()> {
    let lang = args.lang.unwrap_or_else(crate::env_lang);
    let loaded = cmd_validate::load(&args.project, lang)?;
    let fail = |e: &baydex_core::Error, code: u8| -> anyhow::Error {
        anstream::eprintln!("{}{}: {}", tr(lang, "error: ", "错误："), loaded.file, messages::core_error(e, lang));
        Reported(code).into()
    };
    let results = baydex_core::compute(&loaded.project).map_err(|e| fail(&e, 1))?;
    let periods: Vec<&baydex_core::PeriodResult> =
        results.periods.iter().filter(|p| args.period.as_ref().is_none_or(|q| *q == p.period)).collect();
    if periods.is_empty() {
        anstream::eprintln!(
            "{}{}: {} '{}'; {}: {}",
            tr(lang, "error: ", "错误："),
            loaded.file,
            tr(lang, "no such period", "没有该期"),
            args.period.as_deref().unwrap_or_default(),
            tr(lang, "periods", "可选期"),
            loaded.project.meta.periods.join(", ")
        );
        return Err(Reported(2).into());
    }
    let params = AuditParams {
        weak: args.weak,
        collinear: args.collinear,
        negative: args.negative,
        pval: args.pval,
        ..Default::default()
    };
    for pr in periods {
        let a =
            audit::audit_period(&loaded.project.framework, pr, &params, &results.weights, &results.effective_weights)
                .map_err(|e| fail(&e, 2))?;
        print!("{}", report(&loaded.project, &a, lang));
    }
    Ok(())
}

fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

fn num(x: f64) -> String {
    if x.is_nan() { "—".into() } else { format!("{x:.2}") }
}

fn pct(x: f64) -> String {
    if x.is_nan() { "—".into() } else { format!("{:.1}%", 100.0 * x) }
}

/// The readable report of one period's audit (with ANSI styles; anstream strips them when the
/// output is not a terminal).
pub fn report(project: &Project, a: &Audit, lang: Lang) -> String {
    let fw = &project.framework;
    let bold = Style::new().effects(Effects::BOLD);
    let warn = Style::new().fg_color(Some(AnsiColor::Yellow.into())).effects(Effects::BOLD);
    let name = |code: &str| fw.find(code).map_or(code.to_string(), |i| fw.node(i).spec.name.get(lang).to_string());
    let unit_name = |code: &str| {
        project.units.iter().find(|u| u.code == code).map_or(code.to_string(), |u| u.name.get(lang).to_string())
    };
    let mut o = String::new();
    let p = &a.params;

    let _ = writeln!(o);
    let title = format!("{} · {} · {}", tr(lang, "Audit", "统计审计"), project.meta.name.get(lang), a.period);
    let _ = writeln!(o, "{bold}{}{bold:#}", title.trim_end_matches(" · "));
    let _ = writeln!(
        o,
        "{} {} · {} {} · {} {}",
        a.n_units,
        tr(lang, "units", "个单元"),
        fw.indicators().len(),
        tr(lang, "indicators", "个指标"),
        fw.aggregates().len(),
        tr(lang, "aggregates", "个合成节点"),
    );
    let masked = a.correlations.iter().filter(|c| p.pval > 0.0 && c.p > p.pval).count();
    let pval = if p.pval > 0.0 {
        match lang {
            Lang::En => format!("pval {} ({masked} correlations masked)", p.pval),
            Lang::Zh => format!("显著性 {}（{masked} 个相关系数被屏蔽）", p.pval),
        }
    } else {
        tr(lang, "pval 0 (no masking)", "显著性 0（不屏蔽）").to_string()
    };
    let _ = writeln!(
        o,
        "{}{} < {} · {} < {} · {} > {} · {pval}",
        tr(lang, "Thresholds: ", "阈值："),
        Flag::Negative.label().get(lang),
        p.negative,
        Flag::Weak.label().get(lang),
        p.weak,
        Flag::Collinear.label().get(lang),
        p.collinear,
    );
    for w in &a.warnings {
        let _ = writeln!(o, "{warn}⚠{warn:#} {}", crate::table::wrap(w.get(lang), 96, "  "));
    }

    // Availability.
    let _ = writeln!(o);
    let _ = writeln!(o, "{bold}{}{bold:#}", tr(lang, "Data availability (raw data)", "数据可得性（原始数据）"));
    let cells: usize = a.availability.units.iter().map(|u| u.total).sum();
    let present: usize = a.availability.units.iter().map(|u| u.available).sum();
    let complete = a.availability.units.iter().filter(|u| u.available == u.total).count();
    let share = if cells == 0 { f64::NAN } else { present as f64 / cells as f64 };
    let _ = writeln!(
        o,
        "  {} {} · {} {}/{}",
        pct(share),
        tr(lang, "of cells present", "的数据格有值"),
        tr(lang, "complete units", "数据完整的单元"),
        complete,
        a.availability.units.len()
    );
    let mut units: Vec<_> = a.availability.units.iter().filter(|u| u.available < u.total).collect();
    units.sort_by(|x, y| x.share.total_cmp(&y.share).then_with(|| x.unit.cmp(&y.unit)));
    if !units.is_empty() {
        let list: Vec<String> = units
            .iter()
            .take(5)
            .map(|u| format!("{} {} ({})", unit_name(&u.unit), pct(u.share), u.missing.join(", ")))
            .collect();
        let _ = writeln!(o, "  {}{}", tr(lang, "least complete units: ", "缺失最多的单元："), list.join("; "));
    }
    let mut inds: Vec<_> = a.availability.indicators.iter().filter(|i| i.available < i.total).collect();
    inds.sort_by(|x, y| x.share.total_cmp(&y.share).then_with(|| x.code.cmp(&y.code)));
    if !inds.is_empty() {
        let list: Vec<String> = inds.iter().take(5).map(|i| format!("{} {}", i.code, pct(i.share))).collect();
        let _ = writeln!(o, "  {}{}", tr(lang, "least complete indicators: ", "缺失最多的指标："), list.join("; "));
    }

    // Flagged correlations.
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{bold}{}{bold:#}",
        tr(
            lang,
            "Flagged correlations (Pearson r; Spearman ρ alongside)",
            "需关注的相关关系（Pearson r，附 Spearman ρ）"
        )
    );
    let flagged: Vec<&CorrelationPair> = a.flagged(Method::Pearson).collect();
    if flagged.is_empty() {
        let _ = writeln!(o, "  {}", tr(lang, "none", "无"));
    }
    let label = |c: &CorrelationPair| format!("{} ~ {}", c.var1, c.var2);
    let lw = flagged.iter().map(|c| width(&label(c))).max().unwrap_or(0);
    for f in Flag::ALL {
        let rows: Vec<&&CorrelationPair> = flagged.iter().filter(|c| c.flag == Some(f)).collect();
        if rows.is_empty() {
            continue;
        }
        let st = match f {
            Flag::Negative => Style::new().fg_color(Some(AnsiColor::Red.into())),
            Flag::Collinear => Style::new().fg_color(Some(AnsiColor::Magenta.into())),
            Flag::Weak => Style::new().effects(Effects::DIMMED),
        };
        let info = a.flags.iter().find(|i| i.flag == f).map(|i| i.meaning.get(lang).to_string()).unwrap_or_default();
        let _ = writeln!(o, "  {st}{}{st:#} ({}) — {info}", f.label().get(lang), rows.len());
        for c in rows {
            let rho = a.correlation(&c.var1, &c.var2, c.relation, Method::Spearman).map_or(f64::NAN, |s| s.r);
            let rel = match c.relation {
                Relation::Parent => tr(lang, "parent: ", "上级："),
                Relation::Family => tr(lang, "ancestor: ", "更高层级："),
                Relation::Within => tr(lang, "siblings: ", "同组："),
            };
            let _ = writeln!(
                o,
                "    {}  r = {:>5}  ρ = {:>5}  n = {:<3}  {rel}{} ~ {}",
                pad(&label(c), lw),
                num(c.r),
                num(rho),
                c.n,
                name(&c.var1),
                name(&c.var2)
            );
        }
    }
    let spearman_only = a
        .flagged(Method::Spearman)
        .filter(|s| a.correlation(&s.var1, &s.var2, s.relation, Method::Pearson).is_none_or(|c| c.flag != s.flag))
        .count();
    if spearman_only > 0 {
        let _ = writeln!(
            o,
            "  {}",
            match lang {
                Lang::En => format!("Spearman flags {spearman_only} other pair(s); see audit/correlations.csv"),
                Lang::Zh => format!("Spearman 另标记了 {spearman_only} 对；见 audit/correlations.csv"),
            }
        );
    }

    // Cronbach's alpha.
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{bold}{}{bold:#}",
        tr(
            lang,
            "Cronbach's alpha (≥ 0.7 is usually read as internally consistent)",
            "Cronbach's α（通常 ≥ 0.7 视为内部一致）"
        )
    );
    let gw = a.cronbach.iter().map(|c| width(&name(&c.group))).max().unwrap_or(0);
    let mut groups: Vec<&str> = a.cronbach.iter().map(|c| c.group.as_str()).collect();
    groups.dedup();
    for g in groups {
        let cells: Vec<String> = a
            .cronbach
            .iter()
            .filter(|c| c.group == g)
            .map(|c| {
                let over = if c.child_level == 1 {
                    tr(lang, "indicators", "指标").to_string()
                } else {
                    match lang {
                        Lang::En => format!("level {}", c.child_level),
                        Lang::Zh => format!("第 {} 层", c.child_level),
                    }
                };
                let al = num(c.alpha);
                let st = if c.alpha < 0.7 || c.alpha.is_nan() { warn } else { Style::new() };
                format!("{over} (k={}) {st}{al}{st:#}", c.k)
            })
            .collect();
        let _ = writeln!(o, "  {}  {}", pad(&name(g), gw), cells.join("   "));
    }

    // PCA.
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{bold}{}{bold:#}",
        tr(
            lang,
            "PCA of each group's children: variance explained by PC1",
            "各组下级节点的主成分分析：第一主成分解释的方差"
        )
    );
    let pw = a.pca.iter().map(|g| width(&name(&g.group))).max().unwrap_or(0);
    for g in &a.pca {
        match &g.note {
            Some(n) => {
                let _ = writeln!(o, "  {}  — {}", pad(&name(&g.group), pw), n.get(lang));
            }
            None => {
                let lead = g
                    .children
                    .iter()
                    .zip(&g.pc1_loadings)
                    .max_by(|x, y| x.1.abs().total_cmp(&y.1.abs()))
                    .map(|(c, l)| format!("{c} {l:+.2}"))
                    .unwrap_or_default();
                let neg = g.pc1_loadings.iter().filter(|l| **l < 0.0).count();
                let mixed = if neg > 0 {
                    match lang {
                        Lang::En => format!(" · {neg} negative loading(s)"),
                        Lang::Zh => format!(" · {neg} 个负载荷"),
                    }
                } else {
                    String::new()
                };
                let _ = writeln!(
                    o,
                    "  {}  {:>6}  n = {:<3}  {}{lead}{mixed}",
                    pad(&name(&g.group), pw),
                    pct(g.pc1_share()),
                    g.n_obs,
                    tr(lang, "largest loading: ", "最大载荷："),
                );
            }
        }
    }

    // Effective weights (range over indicators).
    let inds: Vec<_> = a.effective_weights.iter().filter(|w| w.level == 1).collect();
    let lo = inds.iter().min_by(|x, y| x.effective.total_cmp(&y.effective));
    let hi = inds.iter().max_by(|x, y| x.effective.total_cmp(&y.effective));
    if let (Some(lo), Some(hi)) = (lo, hi) {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{bold}{}{bold:#}{:.4} ({}) … {:.4} ({})",
            tr(lang, "Effective weights of indicators: ", "指标有效权重："),
            lo.effective,
            lo.code,
            hi.effective,
            hi.code
        );
    }
    let _ = writeln!(
        o,
        "{}",
        tr(
            lang,
            "Every table: `baydex run` writes audit/*.csv and the audit in results.json; formulas in docs/audit.md.",
            "完整表格：`baydex run` 输出 audit/*.csv 及 results.json 中的 audit；公式见 docs/audit.md。"
        )
    );
    o
}
