//! `baydex sensitivity [FILE] [--n N] [--seed S] [--sampling mc|sobol] [--replay RUNS.csv]
//! [--out DIR] [--xlsx] [--threads T]`: uncertainty and sensitivity analysis (see
//! `docs/sensitivity.md`).

use std::path::PathBuf;
use std::time::Instant;

use anstream::{eprintln, println};
use anstyle::{AnsiColor, Effects, Style};
use baydex_core::sensitivity::{self, Outcome, Sampling, SensitivityError};
use baydex_core::{Lang, tr};
use baydex_data::output;
use baydex_data::sensitivity::{Overrides, default_spec, read_replay, render, resolve};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::table::{pad_left, pad_right, width};
use crate::{Reported, cmd_validate};

/// Arguments of `baydex sensitivity`.
#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    pub project: cmd_validate::ProjectArg,
    /// Output directory (输出目录).
    #[arg(long, default_value = "out/sensitivity")]
    pub out: PathBuf,
    /// Language of names and messages: zh | en (语言).
    #[arg(long, value_parser = crate::parse_lang)]
    pub lang: Option<Lang>,
    /// N: runs of an uncertainty analysis, rows of A and B of a sensitivity analysis (样本量 N).
    #[arg(long)]
    pub n: Option<usize>,
    /// Seed of the Monte Carlo sample, the noisy weights and the bootstrap (随机种子).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Sampling: mc (Monte Carlo) | sobol (low-discrepancy) (抽样方法).
    #[arg(long, value_parser = sampling)]
    pub sampling: Option<Sampling>,
    /// Replay the runs of a CSV table instead of sampling, e.g. COINr's run_parameters.csv (重放给定的运行参数表).
    #[arg(long, value_name = "RUNS.csv")]
    pub replay: Option<PathBuf>,
    #[arg(
        long = "set",
        value_name = "STEP.PARAM=VALUE",
        help = "Replace a step parameter of the nominal pipeline (临时替换基准流程的步骤参数)"
    )]
    pub set: Vec<String>,
    /// Worker threads; default: every core (线程数，默认使用全部核心).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Do not print the tables or the progress bar (不打印结果表与进度条).
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write results.xlsx with the nominal results and the sensitivity sheets (同时写出 Excel 工作簿).
    #[arg(long)]
    pub xlsx: bool,
}

fn sampling(s: &str) -> Result<Sampling, String> {
    Sampling::parse(s).ok_or_else(|| format!("unknown sampling '{s}'; use mc or sobol (抽样方法只能是 mc 或 sobol)"))
}

fn fail(lang: Lang, file: &str, en: &str, zh: &str) -> anyhow::Error {
    let msg = if lang == Lang::Zh { zh } else { en };
    eprintln!("{}{file}: {msg}", tr(lang, "error: ", "错误："));
    eprintln!("{}", tr(lang, "Nothing was written.", "未写入任何文件。"));
    Reported(1).into()
}

/// Runs `baydex sensitivity`.
pub fn run(args: SensitivityArgs) -> anyhow::Result<()> {
    let lang = args.lang.unwrap_or_else(crate::env_lang);
    let mut loaded = cmd_validate::load(&args.project, lang)?;
    for s in &args.set {
        if let Err(d) = baydex_data::apply_set(&mut loaded.project.pipeline, s) {
            anstream::eprint!("{}", baydex_data::Diagnostics(vec![d]).render(lang));
            return Err(Reported(2).into());
        }
    }
    let (spec, declared) = match &loaded.sensitivity {
        Some(s) => (s.clone(), true),
        None => match default_spec(&loaded.project) {
            Some(s) => (s, false),
            None => {
                return Err(fail(
                    lang,
                    &loaded.file,
                    "the pipeline has no aggregate step to analyse",
                    "计算流程没有可供分析的 aggregate 步骤",
                ));
            }
        },
    };
    let o = Overrides { n: args.n, seed: args.seed, sampling: args.sampling };
    let (inputs, mut settings) = match resolve(&spec, &loaded.project, &o) {
        Ok(x) => x,
        Err(t) => return Err(fail(lang, &loaded.file, &t.en, &t.zh)),
    };
    let replay = match &args.replay {
        None => None,
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|e| {
                fail(
                    lang,
                    &p.display().to_string(),
                    &format!("cannot read the replay table: {e}"),
                    &format!("无法读取重放表：{e}"),
                )
            })?;
            match read_replay(&p.display().to_string(), &bytes, &spec, &inputs, &loaded.project.framework) {
                Ok((choices, n)) => {
                    settings.sensitivity = n.is_some();
                    settings.n = n.unwrap_or(choices.len() / inputs.len().max(1));
                    Some(choices)
                }
                Err(d) => {
                    anstream::eprint!("{}", baydex_data::Diagnostics(vec![d]).render(lang));
                    return Err(Reported(2).into());
                }
            }
        }
    };
    let d = inputs.len();
    let total = match &replay {
        Some(c) => c.len() / d.max(1),
        None if settings.sensitivity => settings.n * (d + 2),
        None => settings.n,
    };
    if !args.quiet {
        if !declared {
            println!(
                "{}",
                tr(
                    lang,
                    "No [sensitivity] table in the project: using the default analysis (normalisation, aggregation, weights ±25%; see docs/sensitivity.md).",
                    "项目未声明 [sensitivity]：使用默认分析（标准化方法、合成方法、权重 ±25% 扰动；参见 docs/sensitivity.md）。"
                )
            );
        }
        println!(
            "{} {} · {} {} · {} {total} · {} {}",
            tr(lang, "analysis", "分析"),
            if settings.sensitivity {
                tr(lang, "sensitivity (Saltelli design)", "敏感性（Saltelli 设计）")
            } else {
                tr(lang, "uncertainty", "不确定性")
            },
            "N =",
            settings.n,
            tr(lang, "runs", "运行次数"),
            tr(lang, "sampling", "抽样"),
            if replay.is_some() { tr(lang, "replayed table", "重放参数表") } else { settings.sampling.code() },
        );
    }
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr())
    };
    bar.set_style(
        ProgressStyle::with_template(if lang == Lang::Zh {
            "{bar:40} {pos}/{len} 次运行 · 每秒 {per_sec} · 剩余 {eta}"
        } else {
            "{bar:40} {pos}/{len} runs · {per_sec} · ETA {eta}"
        })
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |k: usize| {
        if k.is_multiple_of(64) || k == total {
            bar.set_position(k as u64);
        }
    };
    let start = Instant::now();
    let work = || match replay {
        Some(c) => sensitivity::replay(&loaded.project, &inputs, &settings, c, &progress),
        None => sensitivity::analyse(&loaded.project, &inputs, &settings, &progress),
    };
    let result: Result<Outcome, SensitivityError> = match args.threads {
        Some(t) => match rayon::ThreadPoolBuilder::new().num_threads(t.max(1)).build() {
            Ok(pool) => pool.install(work),
            Err(e) => {
                return Err(fail(
                    lang,
                    &loaded.file,
                    &format!("cannot start {t} threads: {e}"),
                    &format!("无法启动 {t} 个线程：{e}"),
                ));
            }
        },
        None => work(),
    };
    bar.finish_and_clear();
    let elapsed = start.elapsed().as_secs_f64();
    let out = match result {
        Ok(o) => o,
        Err(e) => {
            let (en, zh) = (e.to_string(), crate::messages::sensitivity_error(&e, Lang::Zh));
            return Err(fail(lang, &loaded.file, &en, &format!("敏感性分析无法进行：{zh}")));
        }
    };
    // No timing in the files: two runs of the same command write byte-identical outputs.
    let extra = serde_json::json!({ "replay": args.replay.as_ref().map(|p| p.display().to_string()), "set": args.set, "default_inputs": !declared });
    let mut files = render(&loaded, &inputs, &settings, &out, extra);
    if args.xlsx {
        let results = baydex_core::compute(&loaded.project).map_err(|e| anyhow::anyhow!("{e}"))?;
        let sheets: Vec<baydex_data::workbook::SheetTable> = ["uncertainty.csv", "sobol.csv", "loo.csv"]
            .iter()
            .filter_map(|name| {
                let f = files.iter().find(|f| f.rel == std::path::Path::new(name))?;
                baydex_data::workbook::SheetTable::from_csv(
                    &format!("sa_{}", name.trim_end_matches(".csv")),
                    &String::from_utf8_lossy(&f.bytes),
                )
            })
            .collect();
        let bytes = baydex_data::workbook::results_workbook_with(&loaded, &results, lang, &sheets)
            .map_err(|e| anyhow::anyhow!("{}", e.message().get(lang)))?;
        files.push(output::OutFile { rel: "results.xlsx".into(), bytes });
    }
    if !args.quiet {
        print_report(&loaded, &out, &settings, elapsed, lang);
    }
    output::commit_set(&args.out, &files, baydex_data::sensitivity::OPTIONAL_FILES).map_err(|e| {
        anyhow::anyhow!("{} {}: {e}", tr(lang, "cannot write the results to", "无法写入结果到"), args.out.display())
    })?;
    let names: Vec<String> = files.iter().map(|f| f.rel.display().to_string()).collect();
    println!("{} {}: {}", tr(lang, "Wrote", "已写入"), args.out.display(), names.join(", "));
    Ok(())
}

fn fmt_rank(x: f64) -> String {
    if x.is_nan() {
        "—".into()
    } else if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn fmt_idx(x: f64) -> String {
    if x.is_nan() { "—".into() } else { format!("{x:.3}") }
}

fn print_report(
    loaded: &baydex_data::LoadedProject,
    out: &Outcome,
    s: &sensitivity::Settings,
    elapsed: f64,
    lang: Lang,
) {
    let p = &loaded.project;
    let fw = &p.framework;
    let bold = Style::new().effects(Effects::BOLD);
    let warn = Style::new().fg_color(Some(AnsiColor::Yellow.into())).effects(Effects::BOLD);
    println!();
    println!(
        "{bold}{} · {} · {}{bold:#}",
        p.meta.name.get(lang),
        p.meta.periods.get(s.period).map_or("", String::as_str),
        fw.node(s.target).spec.name.get(lang)
    );
    if p.meta.illustrative {
        println!(
            "{warn}⚠ {}{warn:#} {}",
            tr(lang, "ILLUSTRATIVE DATA —", "示意数据 ——"),
            crate::table::wrap(p.meta.illustrative_note.get(lang), 96, "  ")
        );
    }
    let failed = out.failed.iter().filter(|f| **f).count();
    println!(
        "{} {} · {} {failed} · {:.2} s",
        out.runs(),
        tr(lang, "runs", "次运行"),
        tr(lang, "failed", "失败"),
        elapsed
    );
    if let Some((r, e)) = &out.first_error {
        println!(
            "{warn}{}{warn:#} {} {}: {}",
            tr(lang, "note:", "注意："),
            tr(lang, "first failed run", "首个失败的运行"),
            r + 1,
            crate::messages::core_error(e, lang)
        );
    }
    // Per unit, by nominal rank.
    let mut order: Vec<usize> = (0..out.units.len()).collect();
    order.sort_by_key(|&u| out.nominal_ranks[u].unwrap_or(u32::MAX));
    let names: Vec<String> = p.units.iter().map(|u| u.name.get(lang).to_string()).collect();
    let wn = names.iter().map(|n| width(n)).max().unwrap_or(4).max(width(tr(lang, "unit", "单元")));
    println!();
    let mut head = format!(
        "{}  {}  {}  {}  {}",
        pad_left(tr(lang, "nominal", "基准"), 7),
        pad_right(tr(lang, "unit", "单元"), wn),
        pad_left(tr(lang, "median", "中位"), 6),
        pad_left(tr(lang, "5–95%", "5–95% 区间"), 10),
        pad_left(tr(lang, "mean", "均值"), 6)
    );
    if let Some(t) = &out.tiers {
        for b in &t.bands {
            head.push_str(&format!("  {}", pad_left(b, 5)));
        }
    }
    println!("{bold}{}{bold:#}", tr(lang, "Rank of each unit over the runs:", "各单元在全部运行中的排名："));
    println!("{head}");
    for &u in &order {
        let r = &out.rank_stats[u];
        let mut line = format!(
            "{}  {}  {}  {}  {}",
            pad_left(&out.nominal_ranks[u].map_or("—".into(), |x| x.to_string()), 7),
            pad_right(&names[u], wn),
            pad_left(&fmt_rank(r.median), 6),
            pad_left(&format!("{}–{}", fmt_rank(r.q5), fmt_rank(r.q95)), 10),
            pad_left(&format!("{:.1}", r.mean), 6)
        );
        if let Some(t) = &out.tiers {
            for x in &t.share[u] {
                line.push_str(&format!(
                    "  {}",
                    pad_left(&if x.is_nan() { "—".into() } else { format!("{:.0}%", x * 100.0) }, 5)
                ));
            }
        }
        println!("{line}");
    }
    if let Some(sobol) = &out.sobol {
        println!();
        println!(
            "{bold}{}{bold:#}",
            tr(
                lang,
                "Sobol indices of the mean absolute rank shift (Si first order, STi total; 5–95% bootstrap):",
                "平均绝对排名变动的 Sobol 指数（Si 一阶，STi 总效应；5–95% 自助区间）："
            )
        );
        let wi = out.names.iter().map(|n| width(n)).max().unwrap_or(5).max(5);
        println!(
            "{}  {}  {}  {}  {}",
            pad_right(tr(lang, "input", "输入"), wi),
            pad_left("Si", 7),
            pad_left("5–95%", 15),
            pad_left("STi", 7),
            pad_left("5–95%", 15)
        );
        for (n, x) in out.names.iter().zip(sobol) {
            println!(
                "{}  {}  {}  {}  {}",
                pad_right(n, wi),
                pad_left(&fmt_idx(x.si), 7),
                pad_left(&format!("{} – {}", fmt_idx(x.si_q5), fmt_idx(x.si_q95)), 15),
                pad_left(&fmt_idx(x.sti), 7),
                pad_left(&format!("{} – {}", fmt_idx(x.sti_q5), fmt_idx(x.sti_q95)), 15)
            );
        }
    }
    if let Some(loo) = &out.loo {
        let nu = out.units.len();
        let mut moves: Vec<(f64, u32, usize)> = loo
            .indicators
            .iter()
            .enumerate()
            .map(|(k, &ind)| {
                let (sum, max, cnt) = (0..nu).fold((0.0, 0u32, 0usize), |(s, m, c), u| {
                    match (loo.ranks[k * nu + u], out.nominal_ranks[u]) {
                        (Some(a), Some(b)) => (s + f64::from(a.abs_diff(b)), m.max(a.abs_diff(b)), c + 1),
                        _ => (s, m, c),
                    }
                });
                (if cnt == 0 { f64::NAN } else { sum / cnt as f64 }, max, ind)
            })
            .collect();
        moves.sort_by(|a, b| b.0.total_cmp(&a.0));
        println!();
        println!(
            "{bold}{}{bold:#}",
            tr(
                lang,
                "Leaving one indicator out — the five that move the ranking most:",
                "逐一剔除指标——对排名影响最大的五个："
            )
        );
        for (mean, max, ind) in moves.iter().take(5) {
            println!(
                "  {}  {} {:.2}  {} {}",
                pad_right(fw.node(*ind).spec.name.get(lang), 36),
                tr(lang, "mean |Δrank|", "平均 |排名变化|"),
                mean,
                tr(lang, "max", "最大"),
                max
            );
        }
    }
    println!();
}
