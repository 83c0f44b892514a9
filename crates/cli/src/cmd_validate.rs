//! `baydex validate [FILE]`.

use std::path::PathBuf;

use anstream::{eprint, println};
use baydex_core::{Lang, tr};

use crate::{Reported, embedded};

/// Which project: a file, or one of the embedded examples (default: the GBA index).
#[derive(Debug, Clone, clap::Args)]
pub struct ProjectArg {
    /// Project file (TOML); default: the embedded GBA digital economy index (项目文件；默认内置大湾区数字经济指数).
    pub file: Option<PathBuf>,
    /// An embedded example instead of a file: gba (default) | gba-panel (内置示例).
    #[arg(long, conflicts_with = "file", value_parser = example_name)]
    pub example: Option<String>,
    /// Where the project's SQL queries run: local | ballista://HOST:PORT (a cluster, docs/cluster.md)
    /// (SQL 指标的执行引擎：本机或 Ballista 集群).
    #[arg(long, default_value = "local")]
    pub engine: String,
}

fn example_name(s: &str) -> Result<String, String> {
    if embedded::EXAMPLES.iter().any(|(n, _, _)| *n == s) {
        Ok(s.to_string())
    } else {
        let list: Vec<String> = embedded::EXAMPLES.iter().map(|(n, _, d)| format!("{n} — {d}")).collect();
        Err(format!("unknown example '{s}'; the embedded examples (内置示例) are:\n  {}", list.join("\n  ")))
    }
}

/// Arguments of `baydex validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub project: ProjectArg,
    /// Language of messages: zh | en (提示语言).
    #[arg(long, value_parser = crate::parse_lang)]
    pub lang: Option<Lang>,
}

/// Checks an `--engine` value before anything runs: `local`, or (in builds with the `catalog`
/// feature) a cluster address; a wrong value is an argument error (exit code 2).
pub fn check_engine(engine: &str, lang: Lang) -> anyhow::Result<()> {
    if engine == "local" {
        return Ok(());
    }
    #[cfg(feature = "catalog")]
    let why = match baydex_data::catalog::QueryEngine::parse(engine) {
        Ok(_) => return Ok(()),
        Err(t) => t.get(lang).to_string(),
    };
    #[cfg(not(feature = "catalog"))]
    let why = crate::cmd_sql::feature_hint(lang);
    anstream::eprintln!("{}{why}", baydex_core::tr(lang, "error: --engine: ", "错误：--engine："));
    Err(Reported(2).into())
}

/// Loads a project (a file or the embedded default), printing diagnostics on failure.
pub fn load(project: &ProjectArg, lang: Lang) -> anyhow::Result<baydex_data::LoadedProject> {
    check_engine(&project.engine, lang)?;
    let options = baydex_data::LoadOptions { engine: project.engine.clone() };
    let loaded = match (&project.file, &project.example) {
        (Some(p), _) => baydex_data::load_project_path_with(p, &options),
        (None, Some(name)) => {
            let file = embedded::EXAMPLES.iter().find(|(n, _, _)| n == name).map_or(embedded::GBA_PROJECT, |e| e.1);
            baydex_data::load_project_with(&embedded::gba(), file, &options)
        }
        (None, None) => baydex_data::load_project_with(&embedded::gba(), embedded::GBA_PROJECT, &options),
    };
    match loaded {
        Ok(l) => {
            for w in &l.warnings {
                eprint!("{}", baydex_data::Diagnostics(vec![w.clone()]).render(lang));
            }
            Ok(l)
        }
        Err(d) => {
            eprint!("{}", d.render(lang));
            let n = d.0.len();
            anstream::eprintln!(
                "{}",
                match lang {
                    Lang::En => format!("{n} problem(s) found; nothing was computed."),
                    Lang::Zh => format!("发现 {n} 个问题，未进行计算。"),
                }
            );
            Err(Reported(2).into())
        }
    }
}

/// Runs `baydex validate`.
pub fn run(args: ValidateArgs) -> anyhow::Result<()> {
    let lang = args.lang.unwrap_or_else(crate::env_lang);
    let l = load(&args.project, lang)?;
    // Steps are built (parameters checked) by the loader; build the pipeline as a whole too.
    if let Err(e) = baydex_core::Pipeline::build(&l.project.pipeline, &l.project.framework) {
        anstream::eprintln!("{}{}: {}", tr(lang, "error: ", "错误："), l.file, crate::messages::core_error(&e, lang));
        return Err(Reported(2).into());
    }
    let p = &l.project;
    let fw = &p.framework;
    println!(
        "{} {}: {} {}, {} {}, {} {}, {} {} ({})",
        tr(lang, "OK", "通过"),
        l.file,
        p.units.len(),
        tr(lang, "units", "个单元"),
        fw.indicators().len(),
        tr(lang, "indicators", "个指标"),
        fw.aggregates().len(),
        tr(lang, "aggregates", "个合成节点"),
        p.meta.periods.len(),
        tr(lang, "period(s)", "期"),
        p.meta.periods.join(", ")
    );
    Ok(())
}
