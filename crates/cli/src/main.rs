//! The `baydex` command: computes composite indices, ranks and tiers from a project file and
//! writes the results. Not a library; the work happens in `baydex-core` and `baydex-data`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd_audit;
mod cmd_init;
mod cmd_run;
mod cmd_validate;
mod embedded;
mod messages;
mod table;

const EXAMPLES: &str = "\
Examples / 示例:
  baydex run
      the embedded GBA digital economy index / 内置大湾区数字经济指数
  baydex run --lang zh
      the same in Chinese / 中文输出
  baydex run --example gba-panel --xlsx
      GBA 2000-2024, real data, with an Excel workbook / 大湾区面板示例（真实数据）
  baydex run examples/asem/asem.toml --set normalise.method=zscore
      COINr's ASEM example with z-scores / COINr 的 ASEM 示例，Z 分数标准化
  baydex run FILE --set normalise.range=[1,100] --set aggregate.method=gmean
      replace step parameters for one run / 临时替换步骤参数
  baydex validate FILE
      check a project without computing / 只检查不计算
  baydex audit FILE --pval 0.05
      statistical audit / 统计审计
  baydex init my-index
      a new project from the GBA framework / 依据大湾区指标体系生成新项目

Project file / 项目文件: docs/project-file.md · Methods / 方法: docs/methods/README.md";

/// baydex — composite indices, rankings and tiers for city clusters.
/// 城市群综合指数、排名与梯队。
#[derive(Debug, Parser)]
#[command(
    name = "baydex",
    version,
    about = "baydex — composite indices, rankings and tiers for city clusters / 城市群综合指数、排名与梯队",
    long_about = None,
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compute an index and write its results (计算指数并输出结果).
    Run(cmd_run::RunArgs),
    /// Check a project file without computing (检查项目文件，不计算).
    Validate(cmd_validate::ValidateArgs),
    /// Scaffold a new project from the GBA framework, with data-entry templates (生成新项目模板).
    Init(cmd_init::InitArgs),
    /// Audit an index: availability, correlations, Cronbach's alpha, PCA (统计审计：可得性、相关、信度、主成分).
    Audit(cmd_audit::AuditArgs),
}

/// `--lang`: zh or en; default from BAYDEX_LANG, then LANG/LC_ALL (zh* → zh), else en.
pub fn parse_lang(s: &str) -> Result<baydex_core::Lang, String> {
    baydex_core::Lang::parse(s).ok_or_else(|| format!("unknown language '{s}'; use zh or en (语言只能是 zh 或 en)"))
}

/// The language from the environment.
pub fn env_lang() -> baydex_core::Lang {
    for var in ["BAYDEX_LANG", "LC_ALL", "LANG"] {
        if let Ok(v) = std::env::var(var)
            && let Some(l) = baydex_core::Lang::parse(&v)
        {
            return l;
        }
    }
    baydex_core::Lang::En
}

/// A failure already explained to the user (printed), mapped to an exit code.
#[derive(Debug)]
pub struct Reported(pub u8);

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "failed")
    }
}
impl std::error::Error for Reported {}

fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(a) => cmd_run::run(a),
        Command::Validate(a) => cmd_validate::run(a),
        Command::Init(a) => cmd_init::run(a),
        Command::Audit(a) => cmd_audit::run(a),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(r) = e.downcast_ref::<Reported>() {
                return ExitCode::from(r.0);
            }
            anstream::eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Resolves a project argument: `None` = the embedded GBA default.
pub fn project_arg(p: &Option<PathBuf>) -> Option<&PathBuf> {
    p.as_ref()
}
