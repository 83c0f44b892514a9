//! The `baydex` command: computes composite indices, ranks and tiers from a project file and
//! writes the results. Not a library; the work happens in `baydex-core` and `baydex-data`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd_audit;
mod cmd_catalog;
mod cmd_cluster;
mod cmd_demo_data;
mod cmd_flows;
mod cmd_init;
mod cmd_report;
mod cmd_run;
mod cmd_sensitivity;
mod cmd_serve;
mod cmd_sql;
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
  baydex sensitivity examples/asem/asem_sensitivity.toml
      uncertainty and sensitivity analysis (COINr's setup) / 不确定性与敏感性分析
  baydex report --lang zh --out out
      self-contained HTML report / 独立 HTML 报告
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
    /// Uncertainty and sensitivity analysis: rank intervals, Sobol indices, leave-one-out (不确定性与敏感性分析).
    Sensitivity(cmd_sensitivity::SensitivityArgs),
    /// Cross-city linkage: top pairs, gravity models, city network (城市间联系：城市对排名、引力模型、城市网络).
    Flows(cmd_flows::FlowsArgs),
    /// Write a self-contained HTML report: narrative, maps, charts, profiles (生成独立的 HTML 报告).
    Report(cmd_report::ReportArgs),
    /// Serve the JSON API and the web portal (提供 JSON 接口与门户网站).
    Serve(cmd_serve::ServeArgs),
    /// One read-only SQL query over the data catalog, under its access policy (在数据目录上执行只读 SQL 查询).
    Sql(cmd_sql::SqlArgs),
    /// The data catalog: list, describe, check its sources (数据目录：列出、描述、检查数据源).
    Catalog(cmd_catalog::CatalogArgs),
    /// Write a synthetic GBA data platform to try the catalog (生成合成的大湾区演示数据平台).
    DemoData(cmd_demo_data::DemoDataArgs),
    /// Run a scheduler or an executor of a Ballista cluster for `sql --engine` (运行 Ballista 集群的调度器或执行器).
    Cluster(cmd_cluster::ClusterArgs),
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
        Command::Sensitivity(a) => cmd_sensitivity::run(a),
        Command::Flows(a) => cmd_flows::run(a),
        Command::Report(a) => cmd_report::run(a),
        Command::Serve(a) => cmd_serve::run(a),
        Command::Sql(a) => cmd_sql::run(a),
        Command::Catalog(a) => cmd_catalog::run(a),
        Command::DemoData(a) => cmd_demo_data::run(a),
        Command::Cluster(a) => cmd_cluster::run(a),
    }
}

fn main() -> ExitCode {
    quiet_engine_panics();
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

/// A panic on the SQL engine's query threads (named `baydex-sql`, see `baydex_data::catalog`) is
/// caught by the catalog and reported as a failed query, in both languages; the default hook would
/// first print a Rust backtrace note for it. Panics anywhere else are printed as usual.
fn quiet_engine_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() != Some(baydex_data::QUERY_THREAD_NAME) {
            default(info);
        }
    }));
}

/// Resolves a project argument: `None` = the embedded GBA default.
pub fn project_arg(p: &Option<PathBuf>) -> Option<&PathBuf> {
    p.as_ref()
}
