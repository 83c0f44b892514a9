//! `baydex validate [FILE]`.

use std::path::PathBuf;

use anstream::{eprint, println};
use baydex_core::{Lang, tr};

use crate::{Reported, embedded};

/// Arguments of `baydex validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Project file (TOML); default: the embedded GBA project (项目文件；默认内置大湾区项目).
    pub file: Option<PathBuf>,
    /// Language of messages: zh | en (提示语言).
    #[arg(long, value_parser = crate::parse_lang)]
    pub lang: Option<Lang>,
}

/// Loads a project (a file or the embedded default), printing diagnostics on failure.
pub fn load(file: &Option<PathBuf>, lang: Lang) -> anyhow::Result<baydex_data::LoadedProject> {
    let loaded = match file {
        Some(p) => baydex_data::load_project_path(p),
        None => baydex_data::load_project(&embedded::gba(), embedded::GBA_PROJECT),
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
    let l = load(&args.file, lang)?;
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
