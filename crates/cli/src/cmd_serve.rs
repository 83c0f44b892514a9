//! `baydex serve [FILE…] [--bind ADDR] [--auth FILE] [--catalog FILE]`: the JSON API, the portal
//! and, in builds with the `catalog` feature, SQL over the data catalog (`POST /api/sql`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use baydex_core::{Lang, tr};
use baydex_server::{AccessConfig, App, Limits, LogAudit, ProjectExtension, ServeConfig, ServedProject};

use crate::{Reported, cmd_validate, embedded};

/// Arguments of `baydex serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Project files (TOML); default: the embedded GBA examples gba and gba-panel (项目文件；默认内置大湾区示例).
    pub files: Vec<PathBuf>,
    /// Address to listen on; port 0 picks a free port (监听地址).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Access file: principals (SHA-256 of their tokens) or the catalog's access policy, roles,
    /// public projects; see docs/server.md (访问配置文件). Without it every project is public.
    #[arg(long, value_name = "FILE")]
    pub auth: Option<PathBuf>,
    /// Data catalog served at POST /api/sql (needs the `catalog` feature); its principals'
    /// tokens work there; see docs/server.md (数据目录：提供 SQL 查询接口).
    #[arg(long, value_name = "CATALOG.toml")]
    pub catalog: Option<PathBuf>,
    /// Where SQL runs (POST /api/sql and the projects' SQL indicators): local |
    /// ballista://HOST:PORT, a cluster, see docs/cluster.md (SQL 执行引擎：本机或 Ballista 集群).
    #[arg(long, default_value = "local")]
    pub engine: String,
    /// Largest request body in bytes (请求体上限，字节).
    #[arg(long, default_value_t = 64 * 1024)]
    pub max_body: usize,
    /// Longest a request may take, in seconds (单个请求时限，秒).
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Log format on stderr: text | json; level from BAYDEX_LOG (default info) (日志格式).
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
    /// Language of messages: zh | en (提示语言).
    #[arg(long, value_parser = crate::parse_lang)]
    pub lang: Option<Lang>,
}

/// `GET /api/projects/{id}/flows`: the flows section of the report model
/// (`baydex_report::flows::FlowsModel`) of a project with a `[flows]` table.
#[derive(Debug)]
struct FlowsExtension;

impl ProjectExtension for FlowsExtension {
    fn name(&self) -> &'static str {
        "flows"
    }

    fn compute(
        &self,
        loaded: &baydex_data::LoadedProject,
        _: &baydex_core::Results,
    ) -> Result<Option<serde_json::Value>, baydex_core::Text> {
        let model = baydex_server::flows::flows_model(loaded).map_err(|e| e.message())?;
        Ok(model.map(|m| serde_json::to_value(m).unwrap_or(serde_json::Value::Null)))
    }
}

/// URL ids of the files: the file stem, made unique with `-2`, `-3`, ….
fn ids(files: &[PathBuf]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in files {
        let stem = f.file_stem().map_or_else(|| "project".into(), |s| s.to_string_lossy().into_owned());
        let base: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
        let mut id = base.clone();
        let mut k = 2;
        while out.contains(&id) {
            id = format!("{base}-{k}");
            k += 1;
        }
        out.push(id);
    }
    out
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BAYDEX_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if format == "json" {
        b.json().init();
    } else {
        b.init();
    }
}

/// Runs `baydex serve`.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let lang = args.lang.unwrap_or_else(crate::env_lang);
    #[cfg(not(feature = "catalog"))]
    if args.catalog.is_some() {
        anstream::eprintln!("{}", crate::cmd_sql::feature_hint(lang));
        return Err(Reported(2).into());
    }
    cmd_validate::check_engine(&args.engine, lang)?;
    init_logs(&args.log_format);
    let mut projects = Vec::new();
    if args.files.is_empty() {
        for (name, _, _) in embedded::EXAMPLES {
            let arg = cmd_validate::ProjectArg {
                file: None,
                example: Some((*name).to_string()),
                engine: args.engine.clone(),
            };
            let mut loaded = cmd_validate::load(&arg, lang)?;
            embedded::add_default_flows(&arg, &mut loaded);
            projects.push(ServedProject { id: (*name).to_string(), loaded });
        }
    } else {
        for (f, id) in args.files.iter().zip(ids(&args.files)) {
            let arg = cmd_validate::ProjectArg { file: Some(f.clone()), example: None, engine: args.engine.clone() };
            projects.push(ServedProject { id, loaded: cmd_validate::load(&arg, lang)? });
        }
    }
    let served: Vec<String> = projects.iter().map(|p| p.id.clone()).collect();
    let access = match &args.auth {
        None => None,
        Some(path) => match AccessConfig::load(path, &served) {
            Ok(a) => Some(a),
            Err(e) => {
                anstream::eprintln!("{}{}: {}", tr(lang, "error: ", "错误："), e.file, e.message.get(lang));
                return Err(Reported(2).into());
            }
        },
    };
    let open = access.is_none();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let config = ServeConfig {
        access,
        audit: Arc::new(LogAudit),
        limits: Limits {
            max_body_bytes: args.max_body,
            timeout: Duration::from_secs(args.timeout.max(1)),
            ..Limits::default()
        },
        core_message: crate::messages::core_error,
        extensions: vec![Arc::new(FlowsExtension), Arc::new(baydex_server::sensitivity::SensitivityExtension)],
        ..ServeConfig::new(projects)
    };
    #[cfg(feature = "catalog")]
    let config = match &args.catalog {
        Some(path) => {
            let mut catalog = open_catalog(&rt, path, lang)?;
            // `check_engine` above has refused a value that does not parse.
            if let Ok(engine) = baydex_data::catalog::QueryEngine::parse(&args.engine) {
                catalog.set_engine(engine);
            }
            config.with_catalog(Arc::new(catalog))
        }
        None => config,
    };
    let sql = args.catalog.is_some();
    let app = match App::build(config) {
        Ok(app) => app,
        Err(baydex_server::BuildError::Catalog { message }) => {
            anstream::eprintln!("{}{}", tr(lang, "error: ", "错误："), message.get(lang));
            return Err(Reported(2).into());
        }
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    };
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .map_err(|e| anyhow::anyhow!("{} {}: {e}", tr(lang, "cannot listen on", "无法监听"), args.bind))?;
        let addr = listener.local_addr()?;
        if open {
            tracing::warn!(target: "baydex::server", "no --auth file: every project is public and running is open");
        }
        tracing::info!(target: "baydex::server", %addr, projects = %served.join(","), engine = %args.engine, "listening");
        println!(
            "{}",
            match lang {
                Lang::En => format!(
                    "Serving {} projects ({}) at http://{addr}/ — portal at /, API at /api/projects{}, OpenAPI at \
                     /openapi.json; Ctrl-C to stop",
                    served.len(),
                    served.join(", "),
                    if sql { ", SQL at POST /api/sql" } else { "" }
                ),
                Lang::Zh => format!(
                    "正在服务 {} 个项目（{}）：http://{addr}/ —— 门户 /，接口 /api/projects{}，OpenAPI /openapi.json；\
                     按 Ctrl-C 停止",
                    served.len(),
                    served.join("、"),
                    if sql { "，SQL 查询 POST /api/sql" } else { "" }
                ),
            }
        );
        app.serve(listener, baydex_server::shutdown_signal()).await?;
        tracing::info!(target: "baydex::server", "stopped");
        anyhow::Ok(())
    })
}

/// Opens the catalog of `--catalog`: errors of the catalog or policy file stop the server; a
/// source that cannot be opened is logged by name and the others are served.
#[cfg(feature = "catalog")]
fn open_catalog(
    rt: &tokio::runtime::Runtime,
    path: &std::path::Path,
    lang: Lang,
) -> anyhow::Result<baydex_data::catalog::Catalog> {
    match rt.block_on(baydex_data::catalog::Catalog::open(path)) {
        Ok(c) => {
            for b in &c.broken {
                tracing::warn!(target: "baydex::server", table = %b.table, origin = %b.origin,
                               error = %b.error.get(lang), "catalog source unavailable");
            }
            tracing::info!(target: "baydex::server", catalog = %path.display(), tables = c.tables.len(),
                           unavailable = c.broken.len(), audit = %c.audit_log().path().display(), "catalog open");
            Ok(c)
        }
        Err(d) => {
            anstream::eprint!("{}", d.render(lang));
            Err(Reported(2).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_file_stems_made_unique() {
        let files: Vec<PathBuf> = ["a/gba.toml", "b/gba.toml", "asem full.toml"].iter().map(PathBuf::from).collect();
        assert_eq!(ids(&files), ["gba", "gba-2", "asem-full"]);
    }
}
