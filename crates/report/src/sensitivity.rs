//! The uncertainty and sensitivity section of the report: an analysis of `baydex_core::sensitivity`
//! (an [`Outcome`]) summarised for readers — each unit's median rank with its 5–95% interval, how
//! often it lands in each tier, the mean absolute rank shift from the nominal ranking, the Sobol
//! indices (Si, STi, bootstrap intervals) of every uncertain input of a Saltelli design, the rank
//! changes when each indicator is left out, and sentences in zh and en derived from those numbers
//! (which ranks are robust, whose rank is most uncertain, which input matters most).
//!
//! It does not choose or run the analysis: the caller resolves the project's `[sensitivity]` (or
//! the default analysis) with `baydex-data`, runs `baydex_core::sensitivity::analyse`, and passes
//! the outcome here; [`REPORT_N`] is the N the report and the portal use so that they stay fast.
//! Nothing here names a region: a sentence whose numbers do not exist (no tiers, no Saltelli
//! design, no leave-one-out) is left out.

use std::fmt::Write as _;

use baydex_core::sensitivity::{Input, Outcome, Settings};
use baydex_core::{Lang, Project, Results, Text};
use serde::Serialize;

use crate::html::esc;
use crate::model::{Paragraph, ReportModel, num};
use crate::narrative::{join, ordinal};

/// Largest N the report and the portal run (a declared N above it is lowered to it): with the
/// default analysis's three inputs, a Saltelli design of N = 1000 is 5,000 runs, a fraction of a
/// second on two cores.
pub const REPORT_N: usize = 1000;

/// A unit's tier is called stable when it stays in its nominal tier in at least this share of the
/// runs.
pub const STABLE_TIER: f64 = 0.95;

/// An input whose total-order index is below this hardly moves the ranking.
pub const NEGLIGIBLE_STI: f64 = 0.05;

/// How the analysis was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunInfo {
    /// True when the project declares `[sensitivity]`; false for the default analysis.
    pub declared: bool,
    /// The N the project (or the default analysis) asks for, before [`REPORT_N`] applies.
    pub requested_n: usize,
}

/// An uncertain input.
#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    /// Name (as declared; a column of `runs.csv`).
    pub name: String,
    /// Display name: the declared name in both languages, or a translation of the default
    /// analysis's names.
    pub label: Text,
    /// Number of alternatives of a discrete input (`None` for an interval).
    pub alternatives: Option<usize>,
}

/// A unit's rank and score over the runs.
#[derive(Debug, Clone, Serialize)]
pub struct UnitUncertainty {
    /// Unit code.
    pub unit: String,
    /// Nominal rank.
    pub nominal_rank: Option<u32>,
    /// Nominal score.
    pub nominal_score: Option<f64>,
    /// Nominal tier band code.
    pub nominal_tier: Option<String>,
    /// Median rank.
    pub rank_median: Option<f64>,
    /// Mean rank.
    pub rank_mean: Option<f64>,
    /// 5th percentile of the rank (R type 7).
    pub rank_q5: Option<f64>,
    /// 95th percentile of the rank.
    pub rank_q95: Option<f64>,
    /// Median score.
    pub score_median: Option<f64>,
    /// 5th percentile of the score.
    pub score_q5: Option<f64>,
    /// 95th percentile of the score.
    pub score_q95: Option<f64>,
    /// Share of the runs in each tier band ([`SensitivityModel::tier_bands`] order); empty without
    /// tiers.
    pub tiers: Vec<Option<f64>>,
}

/// Sobol indices of one input.
#[derive(Debug, Clone, Serialize)]
pub struct SobolRow {
    /// Input name.
    pub input: String,
    /// First order (Saltelli 2010, as COINr).
    pub si: Option<f64>,
    /// Bootstrap 5th percentile of `si`.
    pub si_q5: Option<f64>,
    /// Bootstrap 95th percentile of `si`.
    pub si_q95: Option<f64>,
    /// Total order (Jansen 1999, as COINr).
    pub sti: Option<f64>,
    /// Bootstrap 5th percentile of `sti`.
    pub sti_q5: Option<f64>,
    /// Bootstrap 95th percentile of `sti`.
    pub sti_q95: Option<f64>,
}

/// The ranks with one indicator left out.
#[derive(Debug, Clone, Serialize)]
pub struct LooRow {
    /// Indicator code.
    pub indicator: String,
    /// True when the run failed (e.g. the indicator is its parent's only child).
    pub failed: bool,
    /// Mean over the units of |rank − nominal rank|.
    pub mean_abs_change: Option<f64>,
    /// Largest |rank − nominal rank|.
    pub max_abs_change: Option<u32>,
    /// The unit that moves most (the first in nominal order on a tie).
    pub max_unit: Option<String>,
    /// Rank − nominal rank, aligned with [`SensitivityModel::units`] (negative = better).
    pub changes: Vec<Option<i64>>,
}

/// The uncertainty and sensitivity section.
#[derive(Debug, Clone, Serialize)]
pub struct SensitivityModel {
    /// Node analysed.
    pub target: String,
    /// Period analysed.
    pub period: String,
    /// `sa` (Saltelli design, Sobol indices) or `ua` (uncertainty only).
    pub analysis: &'static str,
    /// N of this analysis.
    pub n: usize,
    /// N the project asks for (see [`REPORT_N`]).
    pub requested_n: usize,
    /// Runs.
    pub runs: usize,
    /// Failed runs.
    pub failed_runs: usize,
    /// Runs the rank statistics are taken over (SA: the A and B runs, as COINr; UA: all).
    pub stat_runs: usize,
    /// Seed.
    pub seed: u64,
    /// `mc` or `sobol`.
    pub sampling: &'static str,
    /// Bootstrap resamples of the Sobol indices.
    pub bootstrap: usize,
    /// True when the project declares `[sensitivity]`; false for the default analysis.
    pub declared: bool,
    /// The uncertain inputs.
    pub inputs: Vec<InputInfo>,
    /// Tier bands (code, name), best first; empty when the tiers do not apply to the target.
    pub tier_bands: Vec<(String, Text)>,
    /// Every unit, by nominal rank.
    pub units: Vec<UnitUncertainty>,
    /// Mean over the statistics runs of the mean absolute rank shift from the nominal ranking.
    pub mean_shift: Option<f64>,
    /// Sobol indices of every input (Saltelli design), in input order.
    pub sobol: Option<Vec<SobolRow>>,
    /// Leave-one-indicator-out, the indicators that move the ranking most first.
    pub loo: Option<Vec<LooRow>>,
    /// Sentences derived from the numbers.
    pub narrative: Vec<Paragraph>,
}

/// zh names of the default analysis's inputs (`baydex_data::sensitivity::default_spec`).
fn default_label(name: &str) -> Text {
    match name {
        "Normalisation" => Text::new("Normalisation method", "标准化方法"),
        "Aggregation" => Text::new("Aggregation method", "合成方法"),
        "Weights" => Text::new("Weights (±25% noise)", "权重（±25% 扰动）"),
        _ => Text::new(name, name),
    }
}

impl SensitivityModel {
    /// Summarises an analysis of `project` (its nominal `results` give the nominal tiers).
    pub fn build(
        project: &Project,
        results: &Results,
        inputs: &[Input],
        settings: &Settings,
        out: &Outcome,
        info: RunInfo,
    ) -> SensitivityModel {
        let fw = &project.framework;
        let nu = out.units.len();
        let runs = out.runs();
        let stat_runs = if out.saltelli { (2 * out.n).min(runs) } else { runs };
        let node = fw.node(settings.target);
        let tiered = project.tiers.as_ref().filter(|s| s.applies_to(node.code(), node.is_indicator()));
        let tier_bands: Vec<(String, Text)> =
            tiered.map_or_else(Vec::new, |s| s.bands.iter().map(|b| (b.code.clone(), b.name.clone())).collect());
        let nominal_tier = |u: usize| -> Option<String> {
            let s = tiered?;
            let pr = results.periods.get(settings.period)?;
            let k = pr.units().iter().position(|c| *c == out.units[u])?;
            let t = (*pr.tiers(settings.target).get(k)?)?;
            s.bands.get(t).map(|b| b.code.clone())
        };
        let mut order: Vec<usize> = (0..nu).collect();
        order.sort_by_key(|&u| (out.nominal_ranks[u].unwrap_or(u32::MAX), u));
        let units: Vec<UnitUncertainty> = order
            .iter()
            .map(|&u| {
                let (r, s) = (&out.rank_stats[u], &out.score_stats[u]);
                UnitUncertainty {
                    unit: out.units[u].clone(),
                    nominal_rank: out.nominal_ranks[u],
                    nominal_score: num(out.nominal_scores[u]),
                    nominal_tier: nominal_tier(u),
                    rank_median: num(r.median),
                    rank_mean: num(r.mean),
                    rank_q5: num(r.q5),
                    rank_q95: num(r.q95),
                    score_median: num(s.median),
                    score_q5: num(s.q5),
                    score_q95: num(s.q95),
                    tiers: match (&out.tiers, tier_bands.is_empty()) {
                        (Some(t), false) => t.share[u].iter().map(|&x| num(x)).collect(),
                        _ => Vec::new(),
                    },
                }
            })
            .collect();
        let shifts: Vec<f64> =
            out.shift[..stat_runs.min(out.shift.len())].iter().copied().filter(|x| x.is_finite()).collect();
        let mean_shift = (!shifts.is_empty()).then(|| shifts.iter().sum::<f64>() / shifts.len() as f64);
        let sobol = out.sobol.as_ref().map(|s| {
            out.names
                .iter()
                .zip(s)
                .map(|(name, x)| SobolRow {
                    input: name.clone(),
                    si: num(x.si),
                    si_q5: num(x.si_q5),
                    si_q95: num(x.si_q95),
                    sti: num(x.sti),
                    sti_q5: num(x.sti_q5),
                    sti_q95: num(x.sti_q95),
                })
                .collect()
        });
        let loo = out.loo.as_ref().map(|l| {
            let mut rows: Vec<LooRow> = l
                .indicators
                .iter()
                .enumerate()
                .map(|(k, &ind)| {
                    let changes: Vec<Option<i64>> = order
                        .iter()
                        .map(|&u| match (l.ranks[k * nu + u], out.nominal_ranks[u]) {
                            (Some(a), Some(b)) if !l.failed[k] => Some(i64::from(a) - i64::from(b)),
                            _ => None,
                        })
                        .collect();
                    let abs: Vec<(usize, u32)> = changes
                        .iter()
                        .enumerate()
                        .filter_map(|(i, c)| c.map(|c| (i, c.unsigned_abs() as u32)))
                        .collect();
                    let max = abs.iter().map(|x| x.1).max();
                    LooRow {
                        indicator: fw.node(ind).code().to_string(),
                        failed: l.failed[k],
                        mean_abs_change: (!abs.is_empty())
                            .then(|| abs.iter().map(|x| f64::from(x.1)).sum::<f64>() / abs.len() as f64),
                        max_abs_change: max,
                        max_unit: max
                            .filter(|&m| m > 0)
                            .and_then(|m| abs.iter().find(|x| x.1 == m))
                            .map(|x| units[x.0].unit.clone()),
                        changes,
                    }
                })
                .collect();
            rows.sort_by(|a, b| b.mean_abs_change.unwrap_or(-1.0).total_cmp(&a.mean_abs_change.unwrap_or(-1.0)));
            rows
        });
        let mut m = SensitivityModel {
            target: node.code().to_string(),
            period: project.meta.periods.get(settings.period).cloned().unwrap_or_default(),
            analysis: if out.saltelli { "sa" } else { "ua" },
            n: out.n,
            requested_n: info.requested_n,
            runs,
            failed_runs: out.failed.iter().filter(|f| **f).count(),
            stat_runs,
            seed: settings.seed,
            sampling: settings.sampling.code(),
            bootstrap: settings.bootstrap,
            declared: info.declared,
            inputs: out
                .names
                .iter()
                .enumerate()
                .map(|(j, name)| InputInfo {
                    name: name.clone(),
                    label: if info.declared { Text::new(name.clone(), name.clone()) } else { default_label(name) },
                    alternatives: inputs.get(j).and_then(Input::alternatives),
                })
                .collect(),
            tier_bands,
            units,
            mean_shift,
            sobol,
            loo,
            narrative: Vec::new(),
        };
        m.narrative = narrative(&m, project);
        m
    }

    /// An input's display name.
    pub fn input_label(&self, name: &str, lang: Lang) -> String {
        self.inputs.iter().find(|i| i.name == name).map_or(name.to_string(), |i| i.label.get(lang).to_string())
    }
}

/// A rank statistic: `3` or `3.5`.
pub fn fmt_rank(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 { format!("{r:.0}") } else { format!("{r:.1}") }
}

fn para(topic: &'static str, en: String, zh: String) -> Paragraph {
    Paragraph { topic, text: Text::new(en, zh) }
}

fn width(u: &UnitUncertainty) -> Option<f64> {
    Some(u.rank_q95? - u.rank_q5?)
}

/// The sentences of the section, in both languages.
pub fn narrative(m: &SensitivityModel, project: &Project) -> Vec<Paragraph> {
    let name = |code: &str, lang: Lang| {
        project.units.iter().find(|u| u.code == code).map_or(code.to_string(), |u| u.name.get(lang).to_string())
    };
    let node_name = |code: &str, lang: Lang| {
        project
            .framework
            .find(code)
            .map_or(code.to_string(), |i| project.framework.node(i).spec.name.get(lang).to_string())
    };
    let band_name = |code: &str, lang: Lang| {
        m.tier_bands.iter().find(|b| b.0 == code).map_or(code.to_string(), |b| b.1.get(lang).to_string())
    };
    let inputs = |lang: Lang| m.inputs.iter().map(|i| i.label.get(lang).to_string()).collect::<Vec<_>>();
    let mut out = Vec::new();
    // Overview: the runs and the mean absolute rank shift.
    if let Some(shift) = m.mean_shift {
        let design_en = if m.analysis == "sa" { "Saltelli design" } else { "uncertainty analysis" };
        let design_zh = if m.analysis == "sa" { "Saltelli 设计" } else { "不确定性分析" };
        let mut en = format!(
            "Re-computing the index {} times ({design_en}, N = {}) with {} varied, a unit's rank differs from its nominal rank by {shift:.2} places on average (mean absolute rank shift).",
            m.runs,
            m.n,
            join(&inputs(Lang::En), Lang::En).to_lowercase(),
        );
        let mut zh = format!(
            "在{}次重算中（{design_zh}，N = {}；变动{}），各单元排名与基准排名平均相差{shift:.2}位（平均绝对排名变动）。",
            m.runs,
            m.n,
            join(&inputs(Lang::Zh), Lang::Zh),
        );
        if m.failed_runs > 0 {
            let _ = write!(en, " {} runs failed and are left out.", m.failed_runs);
            let _ = write!(zh, "其中{}次运行失败，未计入。", m.failed_runs);
        }
        out.push(para("sa_overview", en, zh));
    }
    // Robust ranks: a 5–95% interval of a single place.
    let robust: Vec<&UnitUncertainty> = m.units.iter().filter(|u| width(u) == Some(0.0)).collect();
    let with_interval = m.units.iter().filter(|u| width(u).is_some()).count();
    if with_interval > 0 {
        let list = |lang: Lang| -> Vec<String> {
            robust
                .iter()
                .map(|u| {
                    let r = u.rank_q5.map_or(0, |x| x as u32);
                    match lang {
                        Lang::En => format!("{} ({})", name(&u.unit, lang), ordinal(r, lang)),
                        Lang::Zh => format!("{}（{}位）", name(&u.unit, lang), ordinal(r, lang)),
                    }
                })
                .collect()
        };
        let (en, zh) = if robust.is_empty() {
            (
                "No rank is certain: every unit's 5–95% rank interval spans at least two places.".to_string(),
                "没有哪个单元的排名是确定的：每个单元排名的5%–95%区间都至少跨越两个名次。".to_string(),
            )
        } else if robust.len() == with_interval {
            (
                "Every rank is robust: each unit keeps its place in the central 90% of the runs (5th–95th percentile)."
                    .to_string(),
                "全部单元的排名均稳健：在中间90%的运行中（第5至第95百分位）名次不变。".to_string(),
            )
        } else {
            (
                format!(
                    "The {} of {} {} robust: {} in the central 90% of the runs (5th–95th percentile).",
                    if robust.len() == 1 { "rank" } else { "ranks" },
                    join(&list(Lang::En), Lang::En),
                    if robust.len() == 1 { "is" } else { "are" },
                    if robust.len() == 1 { "it does not move" } else { "they do not move" },
                ),
                format!(
                    "{}的排名稳健：在中间90%的运行中（第5至第95百分位）名次不变。",
                    join(&list(Lang::Zh), Lang::Zh)
                ),
            )
        };
        out.push(para("sa_robust", en, zh));
    }
    // The most uncertain rank: the widest 5–95% interval.
    let widest = m.units.iter().filter_map(width).fold(0.0_f64, f64::max);
    if widest > 0.0 {
        let who: Vec<&UnitUncertainty> = m.units.iter().filter(|u| width(u) == Some(widest)).collect();
        let detail = |u: &UnitUncertainty, lang: Lang| -> String {
            let (a, b) = (u.rank_q5.map_or("—".into(), fmt_rank), u.rank_q95.map_or("—".into(), fmt_rank));
            let med = u.rank_median.map_or("—".into(), fmt_rank);
            let nom = u.nominal_rank.map_or("—".into(), |r| r.to_string());
            match lang {
                Lang::En => format!("{} (places {a}–{b}, median {med}, nominal {nom})", name(&u.unit, lang)),
                Lang::Zh => format!("{}（第{a}至第{b}位，中位数第{med}位，基准第{nom}位）", name(&u.unit, lang)),
            }
        };
        let en_list: Vec<String> = who.iter().map(|u| detail(u, Lang::En)).collect();
        let zh_list: Vec<String> = who.iter().map(|u| detail(u, Lang::Zh)).collect();
        out.push(para(
            "sa_uncertain",
            format!(
                "The most uncertain {} that of {}: a 5–95% interval {} places wide.",
                if who.len() == 1 { "rank is" } else { "ranks are" },
                join(&en_list, Lang::En),
                fmt_rank(widest)
            ),
            format!("排名最不确定的是{}：5%–95%区间跨度为{}个名次。", join(&zh_list, Lang::Zh), fmt_rank(widest)),
        ));
    }
    // Tiers: how often each unit stays in its nominal tier.
    if !m.tier_bands.is_empty() {
        let stay: Vec<(&UnitUncertainty, f64)> = m
            .units
            .iter()
            .filter_map(|u| {
                let t = m.tier_bands.iter().position(|b| Some(&b.0) == u.nominal_tier.as_ref())?;
                Some((u, (*u.tiers.get(t)?)?))
            })
            .collect();
        if !stay.is_empty() {
            let stable = stay.iter().filter(|x| x.1 >= STABLE_TIER).count();
            let pct = (STABLE_TIER * 100.0).round();
            let (en, zh) = if stable == stay.len() {
                (
                    format!("Every unit stays in its nominal tier in at least {pct:.0}% of the runs."),
                    format!("每个单元都在至少{pct:.0}%的运行中保持在基准梯队。"),
                )
            } else {
                let (u, p) = stay.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap_or(stay[0]);
                let nominal = u.nominal_tier.clone().unwrap_or_default();
                // The band it lands in most often other than its nominal one.
                let other = m
                    .tier_bands
                    .iter()
                    .zip(&u.tiers)
                    .filter(|(b, _)| b.0 != nominal)
                    .filter_map(|(b, x)| x.map(|x| (b.0.clone(), x)))
                    .max_by(|a, b| a.1.total_cmp(&b.1));
                let mut en = format!(
                    "{stable} of {} units stay in their nominal tier in at least {pct:.0}% of the runs; {} is the least settled: in {} in {:.0}% of the runs",
                    stay.len(),
                    name(&u.unit, Lang::En),
                    band_name(&nominal, Lang::En),
                    p * 100.0
                );
                let mut zh = format!(
                    "{}个单元中有{stable}个在至少{pct:.0}%的运行中保持在基准梯队；{}最不稳定：仅在{:.0}%的运行中位于{}",
                    stay.len(),
                    name(&u.unit, Lang::Zh),
                    p * 100.0,
                    band_name(&nominal, Lang::Zh)
                );
                if let Some((b, x)) = other.filter(|o| o.1 > 0.0) {
                    let _ = write!(en, ", in {} in {:.0}%.", band_name(&b, Lang::En), x * 100.0);
                    let _ = write!(zh, "，{:.0}%的运行中位于{}。", x * 100.0, band_name(&b, Lang::Zh));
                } else {
                    en.push('.');
                    zh.push('。');
                }
                (en, zh)
            };
            out.push(para("sa_tiers", en, zh));
        }
    }
    // Sobol indices: which input matters most.
    if let Some(sobol) = &m.sobol {
        let mut rows: Vec<&SobolRow> = sobol.iter().filter(|r| r.sti.is_some()).collect();
        rows.sort_by(|a, b| b.sti.unwrap_or(0.0).total_cmp(&a.sti.unwrap_or(0.0)));
        if let Some(top) = rows.first() {
            let (sti, si) = (top.sti.unwrap_or(0.0), top.si.unwrap_or(f64::NAN));
            let ci = match (top.sti_q5, top.sti_q95) {
                (Some(a), Some(b)) => {
                    (format!(", 5–95% bootstrap {a:.2}–{b:.2}"), format!("，自助法5%–95%区间{a:.2}–{b:.2}"))
                }
                _ => (String::new(), String::new()),
            };
            let label = |l: Lang| m.input_label(&top.input, l);
            let mut en = format!(
                "Of the {} uncertain inputs, {} moves the ranking most: total-order index STi = {sti:.2}{}, first-order Si = {si:.2}.",
                rows.len(),
                label(Lang::En).to_lowercase(),
                ci.0
            );
            let mut zh = format!(
                "在{}个不确定输入中，{}对排名影响最大：总效应指数 STi = {sti:.2}{}，一阶指数 Si = {si:.2}。",
                rows.len(),
                label(Lang::Zh),
                ci.1
            );
            if si.is_finite() && sti - si > 0.1 {
                let _ = write!(
                    en,
                    " Much of its effect comes through interactions with the other inputs (STi − Si = {:.2}).",
                    sti - si
                );
                let _ = write!(zh, "其影响有相当部分来自与其他输入的交互作用（STi − Si = {:.2}）。", sti - si);
            }
            if let Some(second) = rows.get(1) {
                let s2 = second.sti.unwrap_or(0.0);
                let _ = write!(en, " {} follows (STi = {s2:.2})", capital(&m.input_label(&second.input, Lang::En)));
                let _ = write!(zh, "其次是{}（STi = {s2:.2}）", m.input_label(&second.input, Lang::Zh));
                // Overlapping bootstrap intervals: the order of the two is not established.
                if let (Some(lo), Some(hi)) = (top.sti_q5, second.sti_q95)
                    && hi >= lo
                {
                    en.push_str("; their bootstrap intervals overlap, so the two cannot be told apart.");
                    zh.push_str("，两者的自助区间重叠，难以区分孰轻孰重。");
                } else {
                    en.push('.');
                    zh.push('。');
                }
            }
            let small: Vec<&&SobolRow> =
                rows.iter().skip(1).filter(|r| r.sti.unwrap_or(0.0) < NEGLIGIBLE_STI).collect();
            if !small.is_empty() {
                let names_en: Vec<String> =
                    small.iter().map(|r| m.input_label(&r.input, Lang::En).to_lowercase()).collect();
                let names_zh: Vec<String> = small.iter().map(|r| m.input_label(&r.input, Lang::Zh)).collect();
                let _ =
                    write!(en, " The choice of {} hardly matters (STi < {NEGLIGIBLE_STI}).", join(&names_en, Lang::En));
                let _ = write!(zh, "{}的选择几乎不影响排名（STi < {NEGLIGIBLE_STI}）。", join(&names_zh, Lang::Zh));
            }
            out.push(para("sa_inputs", en, zh));
        }
    }
    // Leave one indicator out.
    if let Some(loo) = &m.loo {
        let ok: Vec<&LooRow> = loo.iter().filter(|r| !r.failed && r.mean_abs_change.is_some()).collect();
        let still = ok.iter().filter(|r| r.max_abs_change == Some(0)).count();
        match ok.first() {
            Some(top) if top.max_abs_change.unwrap_or(0) > 0 => {
                let mean = top.mean_abs_change.unwrap_or(0.0);
                let max = top.max_abs_change.unwrap_or(0);
                let who = top.max_unit.clone().unwrap_or_default();
                let tied = ok.iter().filter(|r| (r.mean_abs_change.unwrap_or(0.0) - mean).abs() < 1e-12).count();
                let (what_en, what_zh) = if tied > 1 {
                    (
                        format!("any one of {tied} indicators (such as {})", node_name(&top.indicator, Lang::En)),
                        format!("{tied}个指标中的任一个（如“{}”）", node_name(&top.indicator, Lang::Zh)),
                    )
                } else {
                    (node_name(&top.indicator, Lang::En), format!("“{}”", node_name(&top.indicator, Lang::Zh)))
                };
                let mut en = format!(
                    "Leaving out {what_en} moves the ranking most: {mean:.2} places per unit on average, {} by {max} {}.",
                    name(&who, Lang::En),
                    if max == 1 { "place" } else { "places" }
                );
                let mut zh = format!(
                    "剔除{what_zh}对排名影响最大：各单元平均变动{mean:.2}位，其中{}变动{max}位。",
                    name(&who, Lang::Zh)
                );
                if still > 0 {
                    let _ =
                        write!(en, " {still} of {} indicators can be left out without changing any rank.", ok.len());
                    let _ = write!(zh, "{}个指标中有{still}个剔除后不改变任何排名。", ok.len());
                }
                out.push(para("sa_loo", en, zh));
            }
            Some(_) => out.push(para(
                "sa_loo",
                "Leaving out any single indicator changes no unit's rank.".into(),
                "逐一剔除任何一个指标都不会改变任何单元的排名。".into(),
            )),
            None => {}
        }
    }
    out
}

/// `weights` → `Weights`.
fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// The section of the HTML report.
pub(crate) fn html(h: &mut String, m: &ReportModel, lang: Lang) {
    let Some(s) = &m.sensitivity else { return };
    let t = |en: &'static str, zh: &'static str| baydex_core::tr(lang, en, zh);
    let inputs: Vec<String> = s.inputs.iter().map(|i| esc(i.label.get(lang))).collect();
    let capped = if s.requested_n > s.n {
        match lang {
            Lang::En => format!(
                " (the project asks for N = {}; the report uses at most {REPORT_N} to stay fast — run <code>baydex sensitivity</code> for the full analysis)",
                s.requested_n
            ),
            Lang::Zh => format!(
                "（项目设定 N = {}；报告为保证速度最多使用 {REPORT_N}，完整分析请运行 <code>baydex sensitivity</code>）",
                s.requested_n
            ),
        }
    } else {
        String::new()
    };
    let intro = match lang {
        Lang::En => format!(
            "How far the ranking of {} ({}) moves when defensible method choices change: the index re-computed {} times, {} with N = {}{capped}, seed {}, {} sampling. Uncertain inputs: {}{}. Rank statistics over {} runs{}.",
            esc(&m.node_name(&s.target, lang)),
            esc(&s.period),
            s.runs,
            if s.analysis == "sa" { "Saltelli design" } else { "uncertainty analysis" },
            s.n,
            s.seed,
            if s.sampling == "sobol" { "Sobol low-discrepancy" } else { "Monte Carlo" },
            inputs.join("; "),
            if s.declared { " (the project's [sensitivity])" } else { " (the default analysis, docs/sensitivity.md)" },
            s.stat_runs,
            if s.analysis == "sa" { " (the A and B blocks, as COINr)" } else { "" },
        ),
        Lang::Zh => format!(
            "当方法选择在合理范围内变动时，{}（{}）的排名会变动多少：指数重算{}次，{}，N = {}{capped}，随机种子 {}，{}抽样。不确定输入：{}{}。排名统计量基于{}次运行{}。",
            esc(&m.node_name(&s.target, lang)),
            esc(&s.period),
            s.runs,
            if s.analysis == "sa" { "Saltelli 设计" } else { "不确定性分析" },
            s.n,
            s.seed,
            if s.sampling == "sobol" { "Sobol 低差异序列" } else { "蒙特卡罗" },
            inputs.join("；"),
            if s.declared { "（项目的 [sensitivity]）" } else { "（默认分析，见 docs/sensitivity.md）" },
            s.stat_runs,
            if s.analysis == "sa" { "（A、B 两块，同 COINr）" } else { "" },
        ),
    };
    crate::html::open(h, m, "sensitivity", lang, &intro);
    h.push_str("<div class=\"narrative\">\n");
    for p in &s.narrative {
        let _ = writeln!(h, "<p data-topic=\"{}\">{}</p>", p.topic, esc(p.text.get(lang)));
    }
    h.push_str("</div>\n<div class=\"cols2 sensitivity-charts\">\n");
    h.push_str("<div class=\"chart bars\" data-chart=\"rankinterval\"></div>\n");
    if s.sobol.is_some() {
        h.push_str("<div class=\"chart bars-short\" data-chart=\"sobol\"></div>\n");
    }
    h.push_str("</div>\n");
    // Per unit.
    let _ = write!(
        h,
        "<h3>{}</h3><div class=\"table-wrap\"><table class=\"compact\" id=\"sensitivity-units\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>",
        t("Rank of each unit over the runs", "各单元在全部运行中的排名"),
        t("Unit", "单元"),
        t("Nominal", "基准"),
        t("Median", "中位数"),
        t("5–95%", "5%–95%"),
    );
    for (_, name) in &s.tier_bands {
        let _ = write!(h, "<th class=\"num\">{}</th>", esc(name.get(lang)));
    }
    h.push_str("</tr></thead><tbody>\n");
    let rank = |x: Option<f64>| x.map_or("—".into(), fmt_rank);
    for u in &s.units {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}–{}</td>",
            esc(&m.unit_name(&u.unit, lang)),
            u.nominal_rank.map_or("—".into(), |r| r.to_string()),
            rank(u.rank_median),
            rank(u.rank_q5),
            rank(u.rank_q95),
        );
        for x in &u.tiers {
            let _ = write!(h, "<td class=\"num\">{}</td>", x.map_or("—".into(), |x| format!("{:.0}%", x * 100.0)));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");
    if let Some(sobol) = &s.sobol {
        let _ = writeln!(
            h,
            "<h3>{}</h3><table class=\"compact\" id=\"sensitivity-sobol\"><thead><tr><th>{}</th><th class=\"num\">Si</th><th class=\"num\">5–95%</th><th class=\"num\">STi</th><th class=\"num\">5–95%</th></tr></thead><tbody>",
            t(
                "Sobol indices of the mean absolute rank shift (bootstrap 5–95% intervals)",
                "平均绝对排名变动的 Sobol 指数（自助法 5%–95% 区间）"
            ),
            t("Input", "输入"),
        );
        let f = |x: Option<f64>| x.map_or("—".into(), |x| format!("{x:.3}"));
        for r in sobol {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}–{}</td><td class=\"num\">{}</td><td class=\"num\">{}–{}</td></tr>",
                esc(&s.input_label(&r.input, lang)),
                f(r.si),
                f(r.si_q5),
                f(r.si_q95),
                f(r.sti),
                f(r.sti_q5),
                f(r.sti_q95),
            );
        }
        h.push_str("</tbody></table>\n");
    }
    if let Some(loo) = &s.loo {
        let _ = writeln!(
            h,
            "<h3>{}</h3><table class=\"compact\" id=\"sensitivity-loo\"><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>",
            t("Leaving one indicator out: the ten that move the ranking most", "逐一剔除指标：对排名影响最大的十个"),
            t("Indicator left out", "剔除的指标"),
            t("Mean |Δrank|", "平均 |排名变化|"),
            t("Largest", "最大"),
            t("Unit that moves most", "变动最大的单元"),
        );
        for r in loo.iter().take(10) {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(&m.node_name(&r.indicator, lang)),
                if r.failed {
                    t("failed", "失败").to_string()
                } else {
                    r.mean_abs_change.map_or("—".into(), |x| format!("{x:.2}"))
                },
                r.max_abs_change.map_or("—".into(), |x| x.to_string()),
                r.max_unit.as_deref().map_or("—".into(), |u| esc(&m.unit_name(u, lang))),
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use baydex_core::sensitivity::{Summary, TierFrequencies};
    use baydex_core::{Framework, IndexMeta, Matrix, NodeSpec, Panel, StepSpec, TierBand, TierScheme, Unit};

    fn project() -> Project {
        let fw = Framework::build(vec![
            NodeSpec::aggregate("I", None),
            NodeSpec::indicator("a", "I"),
            NodeSpec::indicator("b", "I"),
        ])
        .unwrap();
        let units = ["x", "y", "z"];
        Project {
            meta: IndexMeta {
                name: Text::new("Demo", "示例"),
                description: Text::default(),
                illustrative: false,
                illustrative_note: Text::default(),
                periods: vec!["2024".into()],
            },
            units: vec![
                Unit { name: Text::new("Xville", "甲城"), ..Unit::new("x") },
                Unit { name: Text::new("Yton", "乙城"), ..Unit::new("y") },
                Unit { name: Text::new("Zburg", "丙城"), ..Unit::new("z") },
            ],
            framework: fw,
            series: vec![],
            data: Panel {
                units: units.iter().map(|u| u.to_string()).collect(),
                columns: vec!["a".into(), "b".into()],
                periods: vec!["2024".into()],
                data: vec![Matrix::from_columns(3, &[vec![1., 2., 3.], vec![3., 5., 6.]]).unwrap()],
                notes: vec![],
            },
            pipeline: vec![StepSpec::new("normalise"), StepSpec::new("aggregate")],
            tiers: Some(TierScheme {
                method: "fixed".into(),
                bands: vec![
                    TierBand { code: "T1".into(), name: Text::new("First tier", "第一梯队"), min: Some(50.0) },
                    TierBand { code: "T2".into(), name: Text::new("Second tier", "第二梯队"), min: None },
                ],
                nodes: None,
            }),
        }
    }

    fn s(median: f64, q5: f64, q95: f64) -> Summary {
        Summary { mean: median, median, q5, q95 }
    }

    /// A synthetic outcome of 4 runs of a Saltelli design with N = 1 and 2 inputs: z is always
    /// first; x and y swap places 2 and 3 (x's 5–95% interval is 2–3); every run shifts by 2/3
    /// or 0; the weights input has STi 0.8, the aggregation 0.01.
    fn outcome(p: &Project) -> Outcome {
        let idx = |c: &str| p.framework.find(c).unwrap();
        Outcome {
            names: vec!["Weights".into(), "Aggregation".into()],
            units: vec!["x".into(), "y".into(), "z".into()],
            nominal_scores: vec![40.0, 60.0, 90.0],
            nominal_ranks: vec![Some(3), Some(2), Some(1)],
            n: 1,
            saltelli: true,
            choices: vec![],
            scores: vec![f64::NAN; 12],
            ranks: vec![None; 12],
            failed: vec![false; 4],
            first_error: None,
            shift: vec![2.0 / 3.0, 0.0, 2.0 / 3.0, 0.0],
            rank_stats: vec![s(2.5, 2.1, 2.9), s(2.5, 2.1, 2.9), s(1.0, 1.0, 1.0)],
            score_stats: vec![s(50.0, 40.0, 60.0), s(50.0, 40.0, 60.0), s(90.0, 90.0, 90.0)],
            tiers: Some(TierFrequencies {
                bands: vec!["T1".into(), "T2".into()],
                share: vec![vec![0.5, 0.5], vec![0.6, 0.4], vec![1.0, 0.0]],
                runs: 2,
            }),
            sobol: Some(vec![
                baydex_core::sensitivity::SobolIndex {
                    si: 0.5,
                    sti: 0.8,
                    si_jansen: 0.5,
                    si_q5: 0.4,
                    si_q95: 0.6,
                    sti_q5: 0.7,
                    sti_q95: 0.9,
                    si_jansen_q5: 0.4,
                    si_jansen_q95: 0.6,
                },
                baydex_core::sensitivity::SobolIndex {
                    si: 0.0,
                    sti: 0.01,
                    si_jansen: 0.0,
                    si_q5: 0.0,
                    si_q95: 0.0,
                    sti_q5: 0.0,
                    sti_q95: 0.02,
                    si_jansen_q5: 0.0,
                    si_jansen_q95: 0.0,
                },
            ]),
            loo: Some(baydex_core::sensitivity::LeaveOneOut {
                indicators: vec![idx("a"), idx("b")],
                // Leaving a out: x and y swap; leaving b out: nothing moves.
                ranks: vec![Some(2), Some(3), Some(1), Some(3), Some(2), Some(1)],
                scores: vec![0.0; 6],
                failed: vec![false, false],
            }),
        }
    }

    fn model() -> SensitivityModel {
        let p = project();
        let results = baydex_core::compute(&p).unwrap();
        let settings = Settings {
            n: 1,
            seed: 7,
            sampling: baydex_core::sensitivity::Sampling::Mc,
            sensitivity: true,
            binning: baydex_core::sensitivity::Binning::Uniform,
            bootstrap: 10,
            target: p.framework.root(),
            period: 0,
            leave_one_out: true,
        };
        SensitivityModel::build(&p, &results, &[], &settings, &outcome(&p), RunInfo { declared: false, requested_n: 1 })
    }

    fn topic<'a>(m: &'a SensitivityModel, t: &str) -> &'a Text {
        &m.narrative.iter().find(|p| p.topic == t).unwrap_or_else(|| panic!("no {t} paragraph")).text
    }

    #[test]
    fn units_are_in_nominal_order_with_their_tiers() {
        let m = model();
        let order: Vec<&str> = m.units.iter().map(|u| u.unit.as_str()).collect();
        assert_eq!(order, ["z", "y", "x"]);
        assert_eq!(m.units[0].tiers, [Some(1.0), Some(0.0)]);
        // Mean shift over the A and B runs only (2N = 2): (2/3 + 0) / 2.
        assert!((m.mean_shift.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(m.stat_runs, 2);
    }

    #[test]
    fn leave_one_out_rows_sorted_by_mean_change() {
        let m = model();
        let loo = m.loo.as_ref().unwrap();
        assert_eq!(loo[0].indicator, "a");
        // Units in nominal order z, y, x: z stays, y 2→3, x 3→2.
        assert_eq!(loo[0].changes, [Some(0), Some(1), Some(-1)]);
        assert!((loo[0].mean_abs_change.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(loo[0].max_unit.as_deref(), Some("y"));
        assert_eq!(loo[1].max_abs_change, Some(0));
    }

    #[test]
    fn narrative_names_robust_uncertain_and_the_main_input() {
        let m = model();
        let robust = topic(&m, "sa_robust");
        assert_eq!(
            robust.en,
            "The rank of Zburg (1st) is robust: it does not move in the central 90% of the runs (5th–95th percentile)."
        );
        assert!(robust.zh.starts_with("丙城（第1位）的排名稳健"), "{}", robust.zh);
        let unc = topic(&m, "sa_uncertain");
        assert!(unc.en.contains("Yton (places 2.1–2.9, median 2.5, nominal 2)"), "{}", unc.en);
        assert!(unc.en.contains("Xville"), "both tied units are named: {}", unc.en);
        assert!(unc.zh.contains("乙城") && unc.zh.contains("甲城"), "{}", unc.zh);
        let inp = topic(&m, "sa_inputs");
        assert!(inp.en.contains("weights (±25% noise) moves the ranking most: total-order index STi = 0.80, 5–95% bootstrap 0.70–0.90, first-order Si = 0.50"), "{}", inp.en);
        assert!(inp.en.contains("The choice of aggregation method hardly matters"), "{}", inp.en);
        assert!(inp.en.contains("interactions"), "STi − Si = 0.3 > 0.1: {}", inp.en);
        assert!(inp.zh.contains("权重（±25% 扰动）对排名影响最大"), "{}", inp.zh);
        let tiers = topic(&m, "sa_tiers");
        // x is in the second tier nominally (40 < 50) and there in 50% of the runs.
        assert!(tiers.en.starts_with("1 of 3 units stay in their nominal tier in at least 95% of the runs; Xville is the least settled: in Second tier in 50%"), "{}", tiers.en);
        let loo = topic(&m, "sa_loo");
        assert!(loo.en.starts_with("Leaving out a moves the ranking most"), "{}", loo.en);
        assert!(
            loo.en.contains("0.67 places per unit on average") && loo.en.contains("1 of 2 indicators"),
            "{}",
            loo.en
        );
        let over = topic(&m, "sa_overview");
        assert!(over.en.contains("by 0.33 places on average"), "{}", over.en);
        assert!(over.zh.contains("平均相差0.33位"), "{}", over.zh);
    }

    #[test]
    fn narrative_without_movement() {
        let p = project();
        let mut o = outcome(&p);
        o.rank_stats = vec![s(3.0, 3.0, 3.0), s(2.0, 2.0, 2.0), s(1.0, 1.0, 1.0)];
        o.tiers = None;
        o.sobol = None;
        o.loo.as_mut().unwrap().ranks = vec![Some(3), Some(2), Some(1), Some(3), Some(2), Some(1)];
        let results = baydex_core::compute(&p).unwrap();
        let settings = Settings {
            n: 1,
            seed: 7,
            sampling: baydex_core::sensitivity::Sampling::Mc,
            sensitivity: true,
            binning: baydex_core::sensitivity::Binning::Uniform,
            bootstrap: 0,
            target: p.framework.root(),
            period: 0,
            leave_one_out: true,
        };
        let m = SensitivityModel::build(&p, &results, &[], &settings, &o, RunInfo { declared: true, requested_n: 1 });
        assert!(topic(&m, "sa_robust").en.starts_with("Every rank is robust"));
        assert!(m.narrative.iter().all(|x| x.topic != "sa_uncertain" && x.topic != "sa_inputs"));
        assert_eq!(topic(&m, "sa_loo").en, "Leaving out any single indicator changes no unit's rank.");
    }
}
