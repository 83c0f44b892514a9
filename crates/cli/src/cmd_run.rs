//! `baydex run [FILE] [--out DIR] [--lang zh|en] [--set STEP.PARAM=VALUE ...] [--xlsx]`.

use std::path::PathBuf;

use anstream::{print, println};
use anstyle::{AnsiColor, Effects, Style};
use baydex_core::{Lang, tr};

use baydex_data::output;

use crate::{Reported, cmd_validate, messages, table};

/// Arguments of `baydex run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Project file (TOML); default: the embedded GBA digital economy index (项目文件；默认内置大湾区数字经济指数).

    #[command(flatten)]
    pub project: cmd_validate::ProjectArg,
    /// Output directory (输出目录).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Language of names and messages: zh | en (语言).
    #[arg(long, value_parser = crate::parse_lang)]
    pub lang: Option<Lang>,
    #[arg(
        long = "set",
        value_name = "STEP.PARAM=VALUE",
        help = "Replace a step parameter for this run, VALUE in TOML syntax (临时替换步骤参数), \
                e.g. --set normalise.method=rank --set normalise.range=[1,100]"
    )]
    pub set: Vec<String>,
    /// Do not print the table (不打印结果表).
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write results.xlsx: scores, stages, framework and tiers in one workbook (同时写出 Excel 结果工作簿).
    #[arg(long)]
    pub xlsx: bool,
    /// Period whose table is printed; default: the last (打印哪一期的结果表；默认最后一期).
    #[arg(long)]
    pub period: Option<String>,
}

/// Runs `baydex run`.
pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let lang = args.lang.unwrap_or_else(crate::env_lang);
    let loaded = load_with_sets(&args.project, &args.set, lang)?;
    let results = match baydex_core::compute(&loaded.project) {
        Ok(r) => r,
        Err(e) => {
            anstream::eprintln!("{}{}: {}", tr(lang, "error: ", "错误："), loaded.file, messages::core_error(&e, lang));
            anstream::eprintln!("{}", tr(lang, "Nothing was written.", "未写入任何文件。"));
            return Err(Reported(1).into());
        }
    };
    let audits = match baydex_core::audit::audit_results(&loaded.project, &results, &Default::default()) {
        Ok(a) => a,
        Err(e) => {
            anstream::eprintln!("{}{}: {}", tr(lang, "error: ", "错误："), loaded.file, messages::core_error(&e, lang));
            anstream::eprintln!("{}", tr(lang, "Nothing was written.", "未写入任何文件。"));
            return Err(Reported(1).into());
        }
    };
    let mut files = output::render(&loaded, &results, &audits, &args.set);
    if args.xlsx {
        // Every table written as CSV beside the workbook also gets a sheet: the audit, the tier
        // breaks of each node and period, changes over time and obstacle degrees.
        let bytes = baydex_data::workbook::run_workbook(&loaded, &results, &audits, lang, &[])
            .map_err(|e| anyhow::anyhow!("{}", e.message().get(lang)))?;
        files.push(output::OutFile { rel: "results.xlsx".into(), bytes });
    }
    if !args.quiet {
        if let Some(p) = &args.period
            && !results.periods.iter().any(|r| &r.period == p)
        {
            anstream::eprintln!(
                "{}--period {p}: {} {}",
                tr(lang, "error: ", "错误："),
                tr(lang, "not a computed period; computed:", "不是已计算的期；已计算："),
                loaded.project.meta.periods.join(", ")
            );
            return Err(Reported(2).into());
        }
        print_report(&loaded, &results, args.period.as_deref(), lang);
        print_sql_sources(&loaded.sql, lang);
    }
    output::commit(&args.out, &files).map_err(|e| {
        anyhow::anyhow!("{} {}: {e}", tr(lang, "cannot write the results to", "无法写入结果到"), args.out.display())
    })?;
    let names: Vec<String> = files.iter().map(|f| f.rel.display().to_string()).collect();
    println!("{} {}: {}", tr(lang, "Wrote", "已写入"), args.out.display(), names.join(", "));
    Ok(())
}

/// Says which indicators came from SQL over the catalog, as whom, and whether the catalog's data
/// are synthetic.
fn print_sql_sources(sql: &[baydex_data::SqlSource], lang: Lang) {
    for s in sql {
        let tables = s.tables.join(", ");
        let who = s.principal.clone().unwrap_or_else(|| tr(lang, "the owner", "所有者").to_string());
        let synthetic = if s.illustrative { tr(lang, " — SYNTHETIC data", " —— 合成数据") } else { "" };
        let cluster = s.engine != "local";
        println!(
            "{}",
            match lang {
                Lang::En if cluster => format!(
                    "SQL: '{}' from {tables} as {who} ({} rows, on the cluster {}){synthetic}",
                    s.code, s.rows, s.engine
                ),
                Lang::En => format!("SQL: '{}' from {tables} as {who} ({} rows){synthetic}", s.code, s.rows),
                Lang::Zh if cluster => {
                    format!(
                        "SQL：'{}' 来自 {tables}，主体 {who}（{} 行，在集群 {} 上执行）{synthetic}",
                        s.code, s.rows, s.engine
                    )
                }
                Lang::Zh => format!("SQL：'{}' 来自 {tables}，主体 {who}（{} 行）{synthetic}", s.code, s.rows),
            }
        );
    }
    if !sql.is_empty() {
        println!(
            "{}",
            tr(
                lang,
                "manifest.json records each query, its principal and the fingerprints of the tables read.",
                "manifest.json 记录了每条查询、执行主体及所读表的指纹。"
            )
        );
        println!();
    }
}

/// Loads a project (see [`cmd_validate::load`]) and applies `--set STEP.PARAM=VALUE` overrides,
/// printing a located diagnostic for a bad one.
pub fn load_with_sets(
    project: &cmd_validate::ProjectArg,
    sets: &[String],
    lang: Lang,
) -> anyhow::Result<baydex_data::LoadedProject> {
    let mut loaded = cmd_validate::load(project, lang)?;
    for s in sets {
        if let Err(d) = baydex_data::apply_set(&mut loaded.project.pipeline, s) {
            anstream::eprint!("{}", baydex_data::Diagnostics(vec![d]).render(lang));
            return Err(Reported(2).into());
        }
    }
    Ok(loaded)
}

fn print_report(loaded: &baydex_data::LoadedProject, results: &baydex_core::Results, period: Option<&str>, lang: Lang) {
    let p = &loaded.project;
    let fw = &p.framework;
    let bold = Style::new().effects(Effects::BOLD);
    let warn = Style::new().fg_color(Some(AnsiColor::Yellow.into())).effects(Effects::BOLD);
    let steps: Vec<String> = results
        .steps
        .iter()
        .map(|(name, params)| match params.get("method") {
            Some(m) => format!("{name}({})", m.as_str().unwrap_or_default()),
            None => name.clone(),
        })
        .collect();
    // One table: the chosen period, by default the last.
    let shown = results.periods.iter().rfind(|r| period.is_none_or(|p| p == r.period));
    if let Some(pr) = shown {
        println!();
        println!("{bold}{} · {}{bold:#}", p.meta.name.get(lang), pr.period);
        if p.meta.illustrative {
            let label = tr(lang, "ILLUSTRATIVE DATA —", "示意数据 ——");
            let note = table::wrap(&format!("{label} {}", p.meta.illustrative_note.get(lang)), 96, "  ");
            let note = note.replacen(label, &format!("{warn}{label}{warn:#}"), 1);
            println!("{warn}⚠{warn:#} {note}");
        }
        println!(
            "{} {} · {} {} · {} {} · {}{}",
            p.units.len(),
            tr(lang, "units", "个单元"),
            fw.node(fw.root()).children.len(),
            tr(lang, "dimensions", "个一级维度"),
            fw.indicators().len(),
            tr(lang, "indicators", "个指标"),
            tr(lang, "pipeline: ", "流程："),
            steps.join(" → ")
        );
        if results.periods.len() > 1 {
            println!(
                "{}",
                match lang {
                    Lang::En => format!(
                        "{} periods ({} – {}); the table shows {} (choose with --period); every period is in the outputs",
                        results.periods.len(),
                        results.periods[0].period,
                        results.periods[results.periods.len() - 1].period,
                        pr.period
                    ),
                    Lang::Zh => format!(
                        "共 {} 期（{}–{}）；下表为 {} 年（可用 --period 选择）；各期结果均已写入输出文件",
                        results.periods.len(),
                        results.periods[0].period,
                        results.periods[results.periods.len() - 1].period,
                        pr.period
                    ),
                }
            );
        }
        println!();
        print!("{}", table::render(p, pr, lang));
        let tiers = table::tier_summary(p, pr, lang);
        if !tiers.is_empty() {
            println!("{}", tr(lang, "Tiers:", "梯队："));
            print!("{tiers}");
        }
        print!("{}", table::leaders(p, pr, lang));
    }
    let panel = table::panel_summary(p, results, lang);
    if !panel.is_empty() {
        println!();
        print!("{panel}");
    }
    println!();
}
