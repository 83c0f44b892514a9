//! `baydex cluster scheduler|executor`: an Apache Ballista cluster for `baydex sql --engine
//! ballista://HOST:PORT`, embedded so that it runs the same DataFusion as the client. Needs the
//! `cluster` feature. The work happens in `baydex_data::catalog::cluster`.

use std::net::SocketAddr;

use baydex_core::Lang;

/// Arguments of `baydex cluster`.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    #[command(subcommand)]
    pub command: ClusterCommand,
    /// Language of messages: zh | en (提示语言).
    #[arg(long, global = true, value_parser = crate::parse_lang)]
    pub lang: Option<Lang>,
}

/// The processes of a cluster.
#[derive(Debug, clap::Subcommand)]
pub enum ClusterCommand {
    /// Run a scheduler: plans queries into stages and hands tasks to executors (运行调度器).
    Scheduler(SchedulerArgs),
    /// Run an executor: reads the source files and computes tasks (运行执行器).
    Executor(ExecutorArgs),
}

/// Arguments of `baydex cluster scheduler`.
#[derive(Debug, clap::Args)]
pub struct SchedulerArgs {
    /// Address to listen on; 0.0.0.0:50050 to accept other machines (监听地址).
    #[arg(long, default_value = "127.0.0.1:50050")]
    pub bind: SocketAddr,
    /// Seconds without a heartbeat before an executor counts as lost (执行器失联判定秒数).
    #[arg(long, default_value_t = 30)]
    pub executor_timeout_s: u64,
}

/// Arguments of `baydex cluster executor`.
#[derive(Debug, clap::Args)]
pub struct ExecutorArgs {
    /// The scheduler, HOST:PORT (调度器地址).
    #[arg(long)]
    pub scheduler: String,
    /// Address of the executor's data service (results, intermediate data) (数据服务地址).
    #[arg(long, default_value = "127.0.0.1:50051")]
    pub bind: SocketAddr,
    /// Port of the task service on the same address; default: the data port + 1 (任务服务端口).
    #[arg(long)]
    pub grpc_port: Option<u16>,
    /// Host name under which the scheduler and clients reach this machine (对外主机名).
    #[arg(long)]
    pub external_host: Option<String>,
    /// Tasks run at once; 0 = one per core (并发任务数).
    #[arg(long, default_value_t = 0)]
    pub concurrent_tasks: usize,
    /// Seconds between heartbeats to the scheduler (心跳间隔秒数).
    #[arg(long, default_value_t = 5)]
    pub heartbeat_s: u64,
    /// Directory for intermediate (shuffle) files; default: a temporary directory (中间文件目录).
    #[arg(long)]
    pub work_dir: Option<String>,
}

#[cfg(not(feature = "cluster"))]
pub fn run(a: ClusterArgs) -> anyhow::Result<()> {
    let lang = a.lang.unwrap_or_else(crate::env_lang);
    anstream::eprintln!("{}", baydex_data::cluster_feature_hint().get(lang));
    Err(crate::Reported(2).into())
}

#[cfg(feature = "cluster")]
pub fn run(a: ClusterArgs) -> anyhow::Result<()> {
    use anstream::eprintln;
    use baydex_data::catalog::cluster::{
        ExecutorOptions, SchedulerOptions, run_executor, run_scheduler, scheduler_addr,
    };

    let lang = a.lang.unwrap_or_else(crate::env_lang);
    // Ballista's own log records (jobs, stages, lost executors) on stderr; BAYDEX_LOG=info shows them.
    let filter = tracing_subscriber::EnvFilter::try_from_env("BAYDEX_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).init();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let result = match a.command {
        ClusterCommand::Scheduler(s) => {
            let opts = SchedulerOptions { bind: s.bind, executor_timeout_s: s.executor_timeout_s.max(2) };
            rt.block_on(run_scheduler(
                opts,
                |addr| {
                    eprintln!(
                        "{}",
                        if lang == Lang::Zh {
                            format!("Ballista 调度器正在监听 {addr}（Ctrl-C 停止）")
                        } else {
                            format!("Ballista scheduler listening on {addr} (Ctrl-C stops it)")
                        }
                    );
                },
                baydex_server::shutdown_signal(),
            ))
        }
        ClusterCommand::Executor(e) => {
            // The same HOST:PORT rules as the clients' ballista://HOST:PORT.
            let Some((host, port)) = scheduler_addr(&format!("ballista://{}", e.scheduler)) else {
                eprintln!(
                    "{}",
                    if lang == Lang::Zh {
                        format!("错误：--scheduler `{}` 应写作 主机:端口，例如 10.0.0.5:50050", e.scheduler)
                    } else {
                        format!("error: --scheduler `{}` must be HOST:PORT, e.g. 10.0.0.5:50050", e.scheduler)
                    }
                );
                return Err(crate::Reported(2).into());
            };
            let Some(grpc_port) = e.grpc_port.or_else(|| e.bind.port().checked_add(1).filter(|_| e.bind.port() != 0))
            else {
                eprintln!(
                    "{}",
                    baydex_core::tr(
                        lang,
                        "error: give --grpc-port when --bind has port 0 or 65535",
                        "错误：--bind 端口为 0 或 65535 时请指定 --grpc-port"
                    )
                );
                return Err(crate::Reported(2).into());
            };
            let opts = ExecutorOptions {
                scheduler_host: host,
                scheduler_port: port,
                bind: e.bind,
                grpc_port,
                external_host: e.external_host,
                concurrent_tasks: e.concurrent_tasks,
                heartbeat_s: e.heartbeat_s,
                work_dir: e.work_dir,
            };
            let bind = e.bind;
            rt.block_on(run_executor(opts, || {
                eprintln!(
                    "{}",
                    if lang == Lang::Zh {
                        format!(
                            "Ballista 执行器：数据服务 {bind}，任务端口 {grpc_port}，调度器 {}（Ctrl-C 停止）",
                            e.scheduler
                        )
                    } else {
                        format!(
                            "Ballista executor: data service {bind}, task port {grpc_port}, scheduler {} (Ctrl-C stops it)",
                            e.scheduler
                        )
                    }
                );
            }))
        }
    };
    // Ballista's own threads (heartbeats, gRPC) are not waited for on the way out.
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => Ok(()),
        Err(t) => {
            eprintln!("{}{}", baydex_core::tr(lang, "error: ", "错误："), t.get(lang));
            Err(crate::Reported(1).into())
        }
    }
}
