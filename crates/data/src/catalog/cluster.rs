//! Cluster execution (feature `cluster`): the same SQL on an Apache Ballista cluster.
//!
//! ```text
//! baydex sql --engine ballista://HOST:PORT
//!   client (this process): parse ─► grants ─► plan against restricted tables ─► guard::rewrite
//!                          ─► the rewritten logical plan (plain CSV/JSON/Parquet scans, absolute
//!                             file URLs) is serialised (datafusion-proto) and sent to the scheduler
//!   scheduler:             logical plan ─► physical plan ─► stages ─► tasks pushed to executors
//!   executors:             read the files at the same absolute paths, shuffle, keep the results
//!   client:                fetches the result partitions from the executors (Arrow Flight)
//! ```
//!
//! The access policy is enforced before anything leaves the client: the scheduler only ever sees a
//! plan whose scans already carry the row filters and masks. What cannot be shipped runs only
//! locally: PostgreSQL sources (a custom provider) and the size-estimating file format wrapper of
//! `catalog::sized` (the cluster gets the plain formats instead).
//!
//! It also embeds the Ballista scheduler and executor (`baydex cluster scheduler|executor`), so a
//! cluster runs the very DataFusion build the client plans with. It does not print (the CLI does).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::JobId;
use ballista_core::config::TaskSchedulingPolicy;
use ballista_core::serde::scheduler::ExecutorData;
use ballista_core::utils::default_session_builder;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::{BallistaCluster, ClusterStateEvent, ClusterStateEventStream};
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use ballista_scheduler::scheduler_server::SchedulerServer;
use baydex_core::Text;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::cache::cache_manager::CacheManagerConfig;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};

use crate::diag::text;

/// The scheduler URL of `ballista://HOST:PORT`, as Ballista's client wants it (`df://HOST:PORT`
/// is accepted too).
pub fn scheduler_addr(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("ballista://").or_else(|| url.strip_prefix("df://"))?;
    let rest = rest.trim_end_matches('/');
    let (host, port) = rest.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    if host.is_empty() || host.contains('/') {
        return None;
    }
    Some((host.trim_start_matches('[').trim_end_matches(']').to_string(), port))
}

/// How to start a scheduler, in both languages (for the "unreachable" error).
fn start_hint(url: &str) -> Text {
    let port = scheduler_addr(url).map(|(_, p)| p).unwrap_or(50050);
    text(
        format!(
            "start one with `baydex cluster scheduler --bind 0.0.0.0:{port}` and at least one \
             `baydex cluster executor --scheduler HOST:{port}` (see docs/cluster.md)"
        ),
        format!(
            "请先用 `baydex cluster scheduler --bind 0.0.0.0:{port}` 启动调度器，并用 \
             `baydex cluster executor --scheduler 主机:{port}` 启动至少一个执行器（见 docs/cluster.md）"
        ),
    )
}

/// Checks that a scheduler listens at `url` (a TCP connection within 5 s), so that an unreachable
/// cluster is reported by name instead of as a transport error deep inside the query.
pub(crate) async fn probe(url: &str) -> Result<(), Text> {
    let Some((host, port)) = scheduler_addr(url) else {
        return Err(text(
            format!("`{url}` is not a scheduler address: write ballista://HOST:PORT"),
            format!("`{url}` 不是调度器地址：请写作 ballista://主机:端口"),
        ));
    };
    let connect = tokio::net::TcpStream::connect((host.as_str(), port));
    let why = match tokio::time::timeout(Duration::from_secs(5), connect).await {
        Ok(Ok(_)) => return Ok(()),
        Ok(Err(e)) => e.to_string(),
        Err(_) => "no answer within 5 s".to_string(),
    };
    let hint = start_hint(url);
    Err(text(
        format!("cannot reach the Ballista scheduler at {url} ({why}); {}", hint.en),
        format!("无法连接 Ballista 调度器 {url}（{why}）；{}", hint.zh),
    ))
}

/// A Ballista client context for one query: planning hands the whole (already rewritten) logical
/// plan to the scheduler at `url`.
pub(crate) async fn remote_context(url: &str) -> Result<SessionContext, Text> {
    let Some((host, port)) = scheduler_addr(url) else {
        return Err(text(
            format!("`{url}` is not a scheduler address: write ballista://HOST:PORT"),
            format!("`{url}` 不是调度器地址：请写作 ballista://主机:端口"),
        ));
    };
    // Ballista 55.0.0 does not recover from an executor lost mid-job with push scheduling: with
    // its adaptive planner the job waits forever after "Can't find active stage to update stage
    // outputs"; with the static planner the rolled-back stages are not run again, which the
    // embedded scheduler mends (`watch_lost_executors`) and the client retries. The static planner
    // is kept.
    let config =
        SessionConfig::new_with_ballista().with_information_schema(false).with_ballista_adaptive_query_planner(false);
    let state = SessionStateBuilder::new().with_default_features().with_config(config).build();
    SessionContext::remote_with_state(&format!("df://{host}:{port}"), state)
        .await
        .map_err(|e| text(format!("Ballista client: {e}"), format!("Ballista 客户端：{e}")))
}

/// A failed cluster query's message, with a hint for the failures the cluster adds: a source file
/// missing on the scheduler's or an executor's machine, an executor lost mid-query.
pub(crate) fn explain_failure(url: &str, e: &str) -> Text {
    let lower = e.to_lowercase();
    if lower.contains("no such file") || lower.contains("not found") || lower.contains("notfound") {
        // The object store names the file: `NotFound { path: "/d/a.csv", … }` or
        // `Object at location /d/a.csv not found`.
        let file = e.split_once("path: \"").and_then(|(_, r)| r.split_once('"')).map(|(p, _)| p).or_else(|| {
            e.split_once("Object at location ").and_then(|(_, r)| r.split_once(" not found")).map(|(p, _)| p)
        });
        let (which_en, which_zh) = match file {
            Some(f) => (format!("the source file {f} is"), format!("数据文件 {f}")),
            None => ("a source file is".to_string(), "某个数据文件".to_string()),
        };
        return text(
            format!(
                "query failed on the cluster {url}: {which_en} not visible there; every file of a catalog \
                 source must exist at the same absolute path on the scheduler's and on every executor's \
                 machine (a shared or replicated file system, see docs/cluster.md). Nothing was written. \
                 Cluster error: {e}"
            ),
            format!(
                "集群 {url} 上的查询失败：集群看不到{which_zh}；目录中每个文件数据源都必须以相同的绝对路径存在于\
                 调度器及每个执行器所在的机器上（共享或复制的文件系统，见 docs/cluster.md）。未写出任何结果。\
                 集群错误：{e}"
            ),
        );
    }
    if super::is_stalled_job(e) {
        return text(
            format!(
                "query failed on the cluster {url}: an executor was lost during the query and the job \
                 stalled, twice (Ballista does not finish such a job on the other executors; baydex \
                 cancels and runs it once more). Nothing was written. Check the executors and run the \
                 query again. Cluster error: {e}"
            ),
            format!(
                "集群 {url} 上的查询失败：查询期间丢失了执行器，作业两次停滞（Ballista 不会由其他执行器完成此类作业；\
                 baydex 会取消并重新执行一次）。未写出任何结果。请检查执行器后重新执行查询。集群错误：{e}"
            ),
        );
    }
    if lower.contains("transport error")
        || lower.contains("connection refused")
        || lower.contains("executor lost")
        || lower.contains("fetch")
    {
        return text(
            format!(
                "query failed on the cluster {url}: {e} — the scheduler or an executor stopped answering \
                 during the query; nothing was written. Check the cluster and run the query again"
            ),
            format!(
                "集群 {url} 上的查询失败：{e} —— 查询期间调度器或某个执行器失去响应；未写出任何结果。\
                 请检查集群后重新执行查询"
            ),
        );
    }
    text(format!("query failed on the cluster {url}: {e}"), format!("集群 {url} 上的查询失败：{e}"))
}

/// The sessions the embedded scheduler plans with: Ballista's defaults, without DataFusion's
/// listing cache (its entries never expire; a file replaced mid-session would be read with its
/// old size, as in [`super::Catalog::open`]).
fn scheduler_session(config: SessionConfig) -> datafusion::error::Result<datafusion::execution::SessionState> {
    let caches = CacheManagerConfig::default().with_list_files_cache_limit(0);
    let runtime = RuntimeEnvBuilder::new().with_cache_manager(caches).build_arc()?;
    let state = default_session_builder(config)?;
    // `new_from_existing` would otherwise give the session a new id.
    let id = state.session_id().to_string();
    Ok(SessionStateBuilder::new_from_existing(state).with_session_id(id).with_runtime_env(runtime).build())
}

/// Seconds a job that was running when an executor was lost may go without any task on a live
/// executor, the whole cluster idle, before the scheduler cancels it.
const STALL_S: u64 = 3;

/// Mends what Ballista 55 leaves behind when it loses an executor.
///
/// With push scheduling, the stages of a running job that had tasks or shuffle output on the lost
/// executor are rolled back, but the vcores their tasks held on the *other* executors are never
/// given back (the task statuses no longer match a task of the graph), so the job, and every later
/// one, waits for ever (measured in `crates/cli/tests/cluster.rs`). This task watches the executors
/// that leave the cluster. Once the whole cluster has been idle (no task of any job on a live
/// executor) for `stall` while a job that was running at the loss still runs, it registers each
/// live executor afresh with all its vcores free, and cancels those jobs. The client sees `Job …
/// failed: Cancelled` and runs the query once more on the executors that remain
/// (`Catalog::query`). A job whose tasks still run is never touched.
async fn watch_lost_executors(
    scheduler: SchedulerServer<LogicalPlanNode, PhysicalPlanNode>,
    mut events: ClusterStateEventStream,
    stall: Duration,
) {
    use futures::StreamExt as _;
    let mut lost: HashSet<String> = HashSet::new();
    // Jobs running when an executor was lost.
    let mut watched: HashSet<JobId> = HashSet::new();
    let mut idle_since: Option<Instant> = None;
    // Executors this task removed and registered again.
    let mut refreshed: HashSet<String> = HashSet::new();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            event = events.next() => match event {
                // Our own removal before registering an executor afresh (below).
                Some(ClusterStateEvent::RemovedExecutor { executor_id }) if refreshed.remove(&executor_id) => {}
                Some(ClusterStateEvent::RemovedExecutor { executor_id }) => {
                    tracing::warn!(target: "baydex::cluster", executor = %executor_id, "executor lost");
                    lost.insert(executor_id);
                    watched.extend(scheduler.state.task_manager.get_running_job_cache().keys().cloned());
                }
                Some(ClusterStateEvent::RegisteredExecutor { executor_id }) => {
                    lost.remove(&executor_id);
                }
                None => return,
            },
            _ = tick.tick() => {
                if watched.is_empty() {
                    continue;
                }
                let running = scheduler.state.task_manager.get_running_job_cache();
                watched.retain(|job| running.contains_key(job));
                let mut busy = false;
                for info in running.values() {
                    let graph = info.execution_graph.read().await;
                    if graph.running_tasks().iter().any(|t| !lost.contains(&t.executor_id)) {
                        busy = true;
                        break;
                    }
                }
                if busy || watched.is_empty() {
                    idle_since = None;
                    continue;
                }
                if idle_since.get_or_insert_with(Instant::now).elapsed() < stall {
                    continue;
                }
                // Ballista 55 does not give back the vcores of tasks whose stage it rolled back
                // (`sum_vcores_for_statuses` finds no such task any more), so the executors that
                // remain would look busy for ever and run nothing again. While no task runs, each
                // live executor is registered afresh with all its vcores free.
                let executors = &scheduler.state.executor_manager;
                match executors.get_executors_state().await {
                    Ok(list) => {
                        for (meta, _, _) in list {
                            if lost.contains(&meta.id) {
                                continue;
                            }
                            let vcores = meta.specification.vcores;
                            let data = ExecutorData { executor_id: meta.id.clone(), total_vcores: vcores, available_vcores: vcores };
                            refreshed.insert(meta.id.clone());
                            let id = meta.id.clone();
                            let _ = executors.remove_executor(&id, Some("baydex: vcores refreshed after an executor was lost".into())).await;
                            if let Err(e) = executors.register_executor(meta, data).await {
                                tracing::warn!(target: "baydex::cluster", executor = %id, error = %e, "cannot register the executor afresh");
                            }
                        }
                    }
                    Err(e) => tracing::warn!(target: "baydex::cluster", error = %e, "cannot list the executors"),
                }
                for job in watched.drain() {
                    tracing::warn!(target: "baydex::cluster", job = %job,
                        "job stalled after an executor was lost; cancelled so that the client runs it again");
                    if let Err(e) = scheduler.cancel_job(job.clone()).await {
                        tracing::warn!(target: "baydex::cluster", job = %job, error = %e, "cannot cancel the job");
                    }
                }
                idle_since = None;
            }
        }
    }
}

/// Options of `baydex cluster scheduler`.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Seconds without a heartbeat after which an executor is considered lost and its tasks are
    /// run elsewhere.
    pub executor_timeout_s: u64,
}

/// Runs a Ballista scheduler until `shutdown` completes. `ready` is called with the bound
/// address once it accepts connections.
pub async fn run_scheduler(
    opts: SchedulerOptions,
    ready: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), Text> {
    let fail = |what: &str, zh: &str, e: String| text(format!("{what}: {e}"), format!("{zh}：{e}"));
    let expire = (opts.executor_timeout_s / 3).clamp(1, 15);
    let mut config = SchedulerConfig {
        bind_host: opts.bind.ip().to_string(),
        bind_port: opts.bind.port(),
        executor_timeout_seconds: opts.executor_timeout_s.max(expire + 1),
        expire_dead_executor_interval_seconds: expire,
        no_executors_grace_period_seconds: opts.executor_timeout_s.max(expire + 1),
        // Push scheduling (Ballista's default). Pull scheduling recovers from a lost executor
        // but then returned duplicated rows (1124 groups instead of 1000 in
        // crates/cli/tests/cluster.rs, Ballista 55.0.0): a wrong answer, so not used. With push
        // scheduling the job stalls after an executor is lost; `watch_lost_executors` mends it.
        scheduling_policy: TaskSchedulingPolicy::PushStaged,
        ..SchedulerConfig::default()
    };
    config.override_session_builder = Some(Arc::new(scheduler_session));
    let listener = tokio::net::TcpListener::bind(opts.bind).await.map_err(|e| {
        fail(&format!("cannot listen on {}", opts.bind), &format!("无法监听 {}", opts.bind), e.to_string())
    })?;
    let addr = listener.local_addr().map_err(|e| fail("listener", "监听", e.to_string()))?;
    config.bind_port = addr.port();
    let config = Arc::new(config);
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| fail("Ballista scheduler", "Ballista 调度器", e.to_string()))?;
    let scheduler = create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(cluster, config)
        .await
        .map_err(|e| fail("Ballista scheduler", "Ballista 调度器", e.to_string()))?;
    let events = scheduler
        .state
        .executor_manager
        .cluster_state_events()
        .await
        .map_err(|e| fail("Ballista scheduler", "Ballista 调度器", e.to_string()))?;
    tokio::spawn(watch_lost_executors(scheduler.clone(), events, Duration::from_secs(STALL_S)));
    ready(addr);
    tokio::select! {
        r = start_grpc_service_with_listener(listener, scheduler) => {
            r.map_err(|e| fail("Ballista scheduler", "Ballista 调度器", e.to_string()))
        }
        _ = shutdown => Ok(()),
    }
}

/// Options of `baydex cluster executor`.
#[derive(Debug, Clone)]
pub struct ExecutorOptions {
    /// The scheduler's host.
    pub scheduler_host: String,
    /// The scheduler's port.
    pub scheduler_port: u16,
    /// Address of the executor's Arrow Flight service (results and shuffle data).
    pub bind: SocketAddr,
    /// Port of the executor's task service (tasks pushed by the scheduler), on the same address.
    pub grpc_port: u16,
    /// Host name or address under which the scheduler and clients reach this executor.
    pub external_host: Option<String>,
    /// Tasks run at once (0: one per core).
    pub concurrent_tasks: usize,
    /// Seconds between heartbeats to the scheduler.
    pub heartbeat_s: u64,
    /// Directory for shuffle files (default: a temporary directory).
    pub work_dir: Option<String>,
}

/// Runs a Ballista executor until Ctrl-C or SIGTERM (Ballista's own handlers: running tasks are
/// drained, the scheduler is told). `ready` is called once it is configured.
pub async fn run_executor(opts: ExecutorOptions, ready: impl FnOnce()) -> Result<(), Text> {
    let config = ExecutorProcessConfig {
        bind_host: opts.bind.ip().to_string(),
        port: opts.bind.port(),
        grpc_port: opts.grpc_port,
        external_host: opts.external_host,
        scheduler_host: opts.scheduler_host.clone(),
        scheduler_port: opts.scheduler_port,
        scheduler_connect_timeout_seconds: 30,
        vcores: opts.concurrent_tasks,
        task_scheduling_policy: TaskSchedulingPolicy::PushStaged,
        executor_heartbeat_interval_seconds: opts.heartbeat_s.max(1),
        work_dir: opts.work_dir,
        print_thread_info: false,
        ..ExecutorProcessConfig::default()
    };
    ready();
    start_executor_process(Arc::new(config)).await.map_err(|e| {
        text(
            format!("Ballista executor (scheduler {}:{}): {e}", opts.scheduler_host, opts.scheduler_port),
            format!("Ballista 执行器（调度器 {}:{}）：{e}", opts.scheduler_host, opts.scheduler_port),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheduler_addresses() {
        assert_eq!(scheduler_addr("ballista://10.0.0.5:50050"), Some(("10.0.0.5".into(), 50050)));
        assert_eq!(scheduler_addr("ballista://sched.local:1/"), Some(("sched.local".into(), 1)));
        assert_eq!(scheduler_addr("ballista://[::1]:50050"), Some(("::1".into(), 50050)));
        assert_eq!(scheduler_addr("ballista://host"), None);
        assert_eq!(scheduler_addr("http://host:50050"), None);
        assert_eq!(scheduler_addr("ballista://:50050"), None);
    }

    #[test]
    fn failures_get_hints() {
        let t = explain_failure("ballista://h:1", "Job x failed: Object at location /d/a.csv not found");
        assert!(t.en.contains("same absolute path") && t.zh.contains("绝对路径"), "{}", t.en);
        assert!(t.en.contains("the source file /d/a.csv is not visible") && t.zh.contains("看不到数据文件 /d/a.csv"));
        let t = explain_failure(
            "ballista://h:1",
            "Job x failed: ObjectStore(NotFound { path: \"/d/b.csv\", source: Os { code: 2 } })",
        );
        assert!(t.en.contains("the source file /d/b.csv is not visible"), "{}", t.en);
        let t = explain_failure("ballista://h:1", "Job x failed: transport error");
        assert!(t.en.contains("nothing was written") && t.zh.contains("未写出"), "{}", t.en);
    }
}
