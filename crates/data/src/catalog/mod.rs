//! The SQL catalog (feature `catalog`): sources stay where they are and are queried as one
//! namespace `domain.table` on Apache DataFusion, under an access policy, with every query
//! audited.
//!
//! ```text
//! catalog.toml ──► CatalogConfig ──► Catalog::open: one TableProvider per source
//!                                    (CSV/Parquet/JSON/Hive via ListingTable, PostgreSQL via PgTable;
//!                                     a broken source is recorded by name, the others open)
//! SQL ──► parse (one read-only statement) ──► referenced tables granted? ──► plan against
//!         restricted tables ──► guard::rewrite (masks, row filters, refuse foreign scans)
//!         ──► execute (memory pool, timeout) ──► audit row (SQLite) ──► QueryOutput
//! ```
//!
//! It does not print (the CLI does) nor serve HTTP (the server does).

mod audit;
#[cfg(feature = "cluster")]
pub mod cluster;
mod config;
pub mod demo;
mod guard;
mod postgres;
mod sized;
mod write;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use baydex_core::Text;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::{MemorySchemaProvider, SchemaProvider};
use datafusion::common::TableReference;
use datafusion::datasource::TableProvider;
use datafusion::datasource::file_format::FileFormat as DfFileFormat;
use datafusion::datasource::file_format::csv::CsvFormat;
use datafusion::datasource::file_format::json::JsonFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion::sql::parser::{DFParser, Statement as DfStatement};
use datafusion::sql::sqlparser::ast::Statement as SqlStatement;
use futures::StreamExt;
use sha2::{Digest, Sha256};

pub use audit::{AuditEntry, AuditLog};
pub use config::{CatalogConfig, DomainSpec, FileFormat, Limits, SourceKind, SourceSpec};
pub use postgres::PgTable;
pub use write::{OutputFormat, SYNTHETIC_KEY, encode_output, write_output};

/// The DataFusion this catalog is built on (use its `arrow` re-exports for results).
pub use datafusion;

use crate::access::{AccessPolicy, Principal, TableAccess};
use crate::diag::{Diagnostics, Location, text};

/// A source that could not be opened.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokenSource {
    /// `domain.table`.
    pub table: String,
    /// Where it is declared.
    pub origin: String,
    /// What went wrong.
    pub error: Text,
}

/// An open table.
#[derive(Debug, Clone)]
pub struct TableInfo {
    /// The declaration.
    pub spec: SourceSpec,
    /// The schema (every column; the policy decides which a principal sees).
    pub schema: SchemaRef,
    provider: Arc<dyn TableProvider>,
    /// The same table for a cluster (plain file formats, which datafusion-proto can serialise);
    /// `None` for a source that runs only locally (PostgreSQL).
    shippable: Option<Arc<dyn TableProvider>>,
}

/// True for the failure of a cluster job that the scheduler cancelled because it stalled after
/// losing an executor: Ballista reports the cancellation as `Job … failed: Cancelled`, and baydex
/// clients never cancel jobs themselves.
pub(crate) fn is_stalled_job(message: &str) -> bool {
    message.contains("failed: Cancelled")
}

/// Where a query runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum QueryEngine {
    /// In this process (DataFusion).
    #[default]
    Local,
    /// On the Apache Ballista cluster of this scheduler URL (`ballista://HOST:PORT`); needs the
    /// `cluster` feature.
    Ballista(String),
}

impl QueryEngine {
    /// Parses `local` or `ballista://HOST:PORT`.
    pub fn parse(s: &str) -> Result<QueryEngine, Text> {
        if s == "local" {
            return Ok(QueryEngine::Local);
        }
        if s.starts_with("ballista://") {
            #[cfg(feature = "cluster")]
            {
                if cluster::scheduler_addr(s).is_some() {
                    return Ok(QueryEngine::Ballista(s.to_string()));
                }
            }
            #[cfg(not(feature = "cluster"))]
            {
                return Err(crate::cluster_feature_hint());
            }
        }
        Err(text(
            format!("unknown engine `{s}`: use local or ballista://HOST:PORT"),
            format!("未知的执行引擎 `{s}`：请用 local 或 ballista://主机:端口"),
        ))
    }
}

/// Who runs a query.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    /// The catalog's owner: allowed only when the catalog has no access policy.
    Owner,
    /// A principal of the policy.
    Principal(&'a Principal),
}

/// A query's result.
#[derive(Debug, Clone)]
pub struct QueryOutput {
    /// Result schema.
    pub schema: SchemaRef,
    /// Result rows (up to the row limit asked for).
    pub batches: Vec<RecordBatch>,
    /// Rows in `batches`.
    pub rows: usize,
    /// True when more rows existed than the row limit.
    pub truncated: bool,
    /// `domain.table` names read.
    pub tables: Vec<String>,
}

/// Why a query did not return rows.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryError {
    /// The query is not allowed (policy, statement kind, ungranted table).
    Refused(Text),
    /// The query was allowed but failed (syntax, a broken source, timeout, memory).
    Failed(Text),
}

impl QueryError {
    /// The message.
    pub fn text(&self) -> &Text {
        match self {
            QueryError::Refused(t) | QueryError::Failed(t) => t,
        }
    }
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text().en)
    }
}

impl std::error::Error for QueryError {}

/// An open catalog.
#[derive(Debug)]
pub struct Catalog {
    /// The configuration.
    pub config: CatalogConfig,
    /// The access policy, if the catalog names one.
    pub policy: Option<AccessPolicy>,
    /// Open tables by `domain.table`.
    pub tables: BTreeMap<String, TableInfo>,
    /// Sources that could not be opened.
    pub broken: Vec<BrokenSource>,
    runtime: Arc<RuntimeEnv>,
    audit: AuditLog,
    engine: QueryEngine,
}

/// The threads that execute one query: a Tokio runtime of its own. The caller's runtime then stays
/// free to notice the query's deadline while an operator computes without yielding (on a shared
/// runtime the timer is driven by the very threads the query keeps busy, so it never fired). A
/// query stopped at its deadline may still occupy these threads until its operator next yields
/// (DataFusion cannot be interrupted in between): they are let go, not waited for, and the next
/// query gets threads of its own.
#[derive(Debug)]
struct Engine(Option<tokio::runtime::Runtime>);

impl Engine {
    fn new(threads: usize) -> std::io::Result<Engine> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name(crate::QUERY_THREAD_NAME)
            .enable_all()
            .build()?;
        Ok(Engine(Some(rt)))
    }

    fn spawn<F>(&self, f: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match &self.0 {
            Some(rt) => rt.spawn(f),
            // Only `drop` empties it.
            None => tokio::spawn(f),
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// Threads (and DataFusion partitions) of one query.
const QUERY_THREADS: usize = 2;

/// `what: error` in both languages (the engine's own message stays in English).
fn df_text(what: &str, e: impl std::fmt::Display) -> Text {
    let zh = match what {
        "query engine" => "查询引擎",
        "read" => "读取失败",
        "SQL syntax error" => "SQL 语法错误",
        "SQL" => "SQL 错误",
        "query failed" => "查询失败",
        "fingerprint" => "无法计算指纹",
        "path" => "路径错误",
        "source" => "数据源错误",
        _ => "错误",
    };
    text(format!("{what}: {e}"), format!("{zh}：{e}"))
}

impl Catalog {
    /// Opens every source of a catalog file. Errors of the catalog or policy file are returned;
    /// a source that cannot be opened is recorded in [`Catalog::broken`] and the others open.
    pub async fn open(path: &std::path::Path) -> Result<Catalog, Diagnostics> {
        let config = CatalogConfig::load(path)?;
        let policy = match &config.policy {
            Some(p) => Some(AccessPolicy::load(p)?),
            None => None,
        };
        let audit = AuditLog::open(&config.audit).map_err(|e| {
            Diagnostics::from(Location::file(&config.audit.display().to_string()).error(
                text(format!("cannot open the audit database: {e}"), format!("无法打开审计数据库：{e}")),
                text(
                    "check that the directory is writable, or set [catalog] audit",
                    "请检查目录是否可写，或设置 [catalog] audit",
                ),
            ))
        })?;
        // No listing cache: its entries never expire, so a file replaced or deleted mid-session
        // would still be read with its old size (wrong rows instead of an error).
        let caches =
            datafusion::execution::cache::cache_manager::CacheManagerConfig::default().with_list_files_cache_limit(0);
        let runtime = RuntimeEnvBuilder::new()
            .with_cache_manager(caches)
            .with_memory_limit(config.limits.memory_mb * 1024 * 1024, 1.0)
            .build_arc()
            .map_err(|e| {
                Diagnostics::from(Location::file(&config.file).error(df_text("query engine", e), Text::default()))
            })?;
        let mut cat = Catalog {
            config,
            policy,
            tables: BTreeMap::new(),
            broken: Vec::new(),
            runtime,
            audit,
            engine: QueryEngine::Local,
        };
        let ctx = cat.context();
        for spec in cat.config.sources.clone() {
            match open_source(&ctx, &cat.config, &spec).await {
                Ok((provider, shippable)) => {
                    let schema = provider.schema();
                    cat.tables.insert(spec.name(), TableInfo { spec, schema, provider, shippable });
                }
                Err(error) => cat.broken.push(BrokenSource { table: spec.name(), origin: spec.origin.clone(), error }),
            }
        }
        Ok(cat)
    }

    /// The audit log.
    pub fn audit_log(&self) -> &AuditLog {
        &self.audit
    }

    fn context(&self) -> SessionContext {
        // No hash repartitioning for joins: without statistics (CSV and JSON sources have none)
        // DataFusion would hash-split both inputs, the large probe side included; collecting the
        // build side once is 20–25 % faster on bench/catalog_vs_duckdb.sh's join query.
        let config = SessionConfig::new()
            .with_information_schema(false)
            .with_target_partitions(QUERY_THREADS)
            .with_repartition_joins(false);
        SessionContext::new_with_config_rt(config, self.runtime.clone())
    }

    /// What `who` may see of `table` (`None`: nothing).
    pub fn access(&self, who: Who<'_>, table: &TableInfo) -> Option<TableAccess> {
        match (who, &self.policy) {
            (Who::Owner, None) => {
                Some(TableAccess { columns: None, row_filter: None, masks: Vec::new(), origin: "owner".into() })
            }
            (Who::Owner, Some(_)) => None,
            (Who::Principal(p), Some(pol)) => pol.access(p, &table.spec.domain, &table.spec.table),
            (Who::Principal(_), None) => None,
        }
    }

    /// Re-checks every source (`baydex catalog check`): the tables that open and read a first
    /// row, and the errors of the others, by name.
    pub async fn check(&self) -> Vec<(String, Result<usize, Text>)> {
        let mut out = Vec::new();
        let ctx = self.context();
        for spec in &self.config.sources {
            let r = match open_source(&ctx, &self.config, spec).await {
                Err(e) => Err(e),
                Ok((p, _)) => {
                    let ctx = self.context();
                    let read = async {
                        let df = ctx.read_table(p)?.limit(0, Some(1))?;
                        df.collect().await
                    };
                    match read.await {
                        Ok(b) => Ok(b.iter().map(|x| x.num_rows()).sum()),
                        Err(e) => Err(df_text("read", strip(&e.to_string()))),
                    }
                }
            };
            out.push((spec.name(), r));
        }
        out
    }

    /// Where [`Catalog::query`] runs from now on (default [`QueryEngine::Local`]).
    pub fn set_engine(&mut self, engine: QueryEngine) {
        self.engine = engine;
    }

    /// Where [`Catalog::query`] runs.
    pub fn engine(&self) -> &QueryEngine {
        &self.engine
    }

    /// Runs one read-only SQL query as `who`, keeping at most `row_limit` rows (`None`: all), and
    /// audits it. Refusals and failures are audited too. It runs on the catalog's engine
    /// ([`Catalog::set_engine`]; default: in this process): the query is checked, planned and
    /// rewritten here in any case; only the rewritten plan's execution moves to a cluster.
    pub async fn query(&self, who: Who<'_>, sql: &str, row_limit: Option<usize>) -> Result<QueryOutput, QueryError> {
        let name = match who {
            Who::Owner => "owner".to_string(),
            Who::Principal(p) => p.name.clone(),
        };
        let result = self.query_inner(who, sql, row_limit).await;
        let entry = match &result {
            Ok(o) => AuditEntry {
                at: audit::now_utc(),
                principal: name,
                sql: sql.to_string(),
                tables: o.tables.clone(),
                rows: o.rows as u64,
                outcome: "allowed".into(),
                reason: String::new(),
            },
            Err((e, tables)) => AuditEntry {
                at: audit::now_utc(),
                principal: name,
                sql: sql.to_string(),
                tables: tables.clone(),
                rows: 0,
                outcome: if matches!(e, QueryError::Refused(_)) { "refused" } else { "failed" }.into(),
                reason: e.text().en.clone(),
            },
        };
        if let Err(e) = self.audit.record(&entry) {
            // Fail closed: an unaudited query returns nothing.
            return Err(QueryError::Failed(text(
                format!("cannot write the audit log {}: {e}", self.audit.path().display()),
                format!("无法写入审计日志 {}：{e}", self.audit.path().display()),
            )));
        }
        result.map_err(|(e, _)| e)
    }

    async fn query_inner(
        &self,
        who: Who<'_>,
        sql: &str,
        row_limit: Option<usize>,
    ) -> Result<QueryOutput, (QueryError, Vec<String>)> {
        let engine = &self.engine;
        let refuse = |en: String, zh: String| (QueryError::Refused(text(en, zh)), Vec::new());
        if matches!(who, Who::Owner) && self.policy.is_some() {
            return Err(refuse(
                "this catalog has an access policy: say who you are with --as NAME or --token TOKEN".into(),
                "该目录设有访问策略：请用 --as 名称 或 --token 令牌 表明身份".into(),
            ));
        }
        // 1. Exactly one statement, and a plain query.
        let mut stmts =
            DFParser::parse_sql(sql).map_err(|e| (QueryError::Failed(df_text("SQL syntax error", e)), Vec::new()))?;
        if stmts.len() != 1 {
            return Err(refuse(
                format!("one statement per query ({} given)", stmts.len()),
                format!("每次只能执行一条语句（给出了 {} 条）", stmts.len()),
            ));
        }
        let stmt = stmts.pop_front().ok_or_else(|| refuse("empty query".into(), "查询为空".into()))?;
        let kind = match &stmt {
            DfStatement::Statement(s) => match s.as_ref() {
                SqlStatement::Query(_) => None,
                other => Some(other.to_string().split_whitespace().take(2).collect::<Vec<_>>().join(" ")),
            },
            DfStatement::CreateExternalTable(_) => Some("CREATE EXTERNAL TABLE".into()),
            DfStatement::CopyTo(_) => Some("COPY".into()),
            DfStatement::Explain(_) => Some("EXPLAIN".into()),
            DfStatement::Reset(_) => Some("RESET".into()),
        };
        if let Some(k) = kind {
            return Err(refuse(
                format!("only read queries (SELECT …) are allowed, not `{k}`"),
                format!("只允许只读查询（SELECT …），不允许 `{k}`"),
            ));
        }
        // 2. Every referenced table is a granted catalog table.
        let ctx = self.context();
        let state = ctx.state();
        let refs =
            state.resolve_table_references(&stmt).map_err(|e| (QueryError::Failed(df_text("SQL", e)), Vec::new()))?;
        let mut granted: BTreeMap<String, (&TableInfo, TableAccess)> = BTreeMap::new();
        for r in &refs {
            let (schema, table) = match r {
                TableReference::Partial { schema, table } => (schema.to_string(), table.to_string()),
                TableReference::Full { catalog, schema, table } if catalog.as_ref() == "datafusion" => {
                    (schema.to_string(), table.to_string())
                }
                _ => {
                    return Err(refuse(
                        format!("`{r}`: name tables as domain.table (see baydex catalog list)"),
                        format!("`{r}`：请以 域.表 的形式引用表（见 baydex catalog list）"),
                    ));
                }
            };
            let full = format!("{schema}.{table}");
            let denied = || {
                refuse(
                    format!("no access to `{full}`: it does not exist or is not granted to you"),
                    format!("无权访问 `{full}`：该表不存在或未授权给您"),
                )
            };
            if let Some(b) = self.broken.iter().find(|b| b.table == full)
                && self.would_grant(who, &b.table)
            {
                return Err((
                    QueryError::Failed(text(
                        format!("source `{full}` is unavailable ({}): {}", b.origin, b.error.en),
                        format!("数据源 `{full}` 不可用（{}）：{}", b.origin, b.error.zh),
                    )),
                    vec![full],
                ));
            }
            let info = self.tables.get(&full).ok_or_else(denied)?;
            let access = self.access(who, info).ok_or_else(denied)?;
            granted.insert(full, (info, access));
        }
        // 3. Plan against the restricted tables only.
        for (full, (info, access)) in &granted {
            let schema_provider = match ctx.catalog("datafusion").and_then(|c| c.schema(&info.spec.domain)) {
                Some(s) => s,
                None => {
                    let s: Arc<dyn SchemaProvider> = Arc::new(MemorySchemaProvider::new());
                    if let Some(c) = ctx.catalog("datafusion") {
                        let _ = c.register_schema(&info.spec.domain, s.clone());
                    }
                    s
                }
            };
            let real = match (engine, &info.shippable) {
                (QueryEngine::Local, _) => info.provider.clone(),
                (QueryEngine::Ballista(_), Some(p)) => p.clone(),
                (QueryEngine::Ballista(_), None) => {
                    return Err((
                        QueryError::Failed(text(
                            format!("`{full}` is a PostgreSQL source: PostgreSQL sources run only with --engine local"),
                            format!("`{full}` 是 PostgreSQL 数据源：PostgreSQL 数据源只能以 --engine local 运行"),
                        )),
                        vec![full.clone()],
                    ));
                }
            };
            let restricted = guard::Restricted::new(full.clone(), real, access.clone());
            let _ = schema_provider.register_table(info.spec.table.clone(), Arc::new(restricted));
        }
        let touched: Vec<String> = granted.keys().cloned().collect();
        let plan = state
            .statement_to_plan(stmt)
            .await
            .map_err(|e| (QueryError::Failed(df_text("SQL", strip(&e.to_string()))), touched.clone()))?;
        // 4. Rewrite: masks, row filters; refuse anything else.
        let (plan, tables) = guard::rewrite(&state, plan).map_err(|r| {
            let t = match r {
                guard::Refusal::NotARead(k) => {
                    text(format!("only read queries are allowed, not {k}"), format!("只允许只读查询，不允许 {k}"))
                }
                guard::Refusal::ForeignScan(t) => text(
                    format!("`{t}` is not a catalog table (table functions and other sources are not allowed)"),
                    format!("`{t}` 不是目录中的表（不允许表函数及其他数据来源）"),
                ),
                guard::Refusal::Policy(m) => {
                    text(format!("the access policy cannot be applied: {m}"), format!("无法应用访问策略：{m}"))
                }
            };
            (QueryError::Refused(t), touched.clone())
        })?;
        // 5. File sources are still there and still inside the roots (a deleted file would
        //    otherwise read as an empty table; a link swapped in since opening could escape).
        for t in &tables {
            if let Some(TableInfo { spec: SourceSpec { kind: SourceKind::File { path, .. }, .. }, .. }) =
                self.tables.get(t)
            {
                let files = config::files_under(path, &self.config.roots);
                let e = match files {
                    Ok(f) if !f.is_empty() => continue,
                    Ok(_) => {
                        text(format!("{} holds no files", path.display()), format!("{} 中没有文件", path.display()))
                    }
                    Err(e) => e,
                };
                return Err((
                    QueryError::Failed(text(
                        format!("source `{t}` is unavailable: {}", e.en),
                        format!("数据源 `{t}` 不可用：{}", e.zh),
                    )),
                    tables.clone(),
                ));
            }
        }
        // 6. Execute on the engine's threads under the timeout: at the deadline the task is aborted
        //    (its operators and their spawned tasks stop at their next yield instead of computing
        //    on for nobody), and a panic inside DataFusion becomes an error instead of ending the
        //    process.
        let limit = row_limit.unwrap_or(usize::MAX);
        let timeout = Duration::from_secs(self.config.limits.timeout_s);
        let ctx = match engine {
            QueryEngine::Local => ctx,
            #[cfg(feature = "cluster")]
            QueryEngine::Ballista(url) => {
                let remote = async {
                    cluster::probe(url).await?;
                    cluster::remote_context(url).await
                };
                match remote.await {
                    Ok(c) => c,
                    Err(t) => return Err((QueryError::Failed(t), tables)),
                }
            }
            #[cfg(not(feature = "cluster"))]
            QueryEngine::Ballista(_) => return Err((QueryError::Failed(crate::cluster_feature_hint()), tables)),
        };
        // On a cluster, a job the scheduler cancelled because it stalled after losing an executor
        // (see `cluster::watch_lost_executors`) is run once more, from the start, on the executors
        // that remain; rows of the failed attempt are dropped. All within the one timeout.
        let attempts = if matches!(engine, QueryEngine::Local) { 1 } else { 2 };
        let run = async move {
            let mut attempt = 1;
            loop {
                let collected = async {
                    let df = ctx.execute_logical_plan(plan.clone()).await?;
                    let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
                    let mut stream = df.execute_stream().await?;
                    let mut batches = Vec::new();
                    let mut rows = 0usize;
                    let mut truncated = false;
                    while let Some(b) = stream.next().await {
                        let b = b?;
                        if rows + b.num_rows() > limit {
                            let keep = limit - rows;
                            if keep > 0 {
                                batches.push(b.slice(0, keep));
                            }
                            rows = limit;
                            truncated = true;
                            break;
                        }
                        rows += b.num_rows();
                        batches.push(b);
                    }
                    Ok::<_, datafusion::error::DataFusionError>((schema, batches, rows, truncated))
                }
                .await;
                match collected {
                    Err(e) if attempt < attempts && is_stalled_job(&e.to_string()) => attempt += 1,
                    other => return other,
                }
            }
        };
        let threads = match Engine::new(QUERY_THREADS) {
            Ok(e) => e,
            Err(e) => {
                return Err((
                    QueryError::Failed(text(
                        format!("cannot start the query engine's threads: {e}"),
                        format!("无法启动查询引擎线程：{e}"),
                    )),
                    tables,
                ));
            }
        };
        let mut task = threads.spawn(run);
        let (schema, batches, rows, truncated) = match tokio::time::timeout(timeout, &mut task).await {
            Err(_) => {
                task.abort();
                let mut t = text(
                    format!("the query took longer than {} s and was stopped", timeout.as_secs()),
                    format!("查询超过 {} 秒，已终止", timeout.as_secs()),
                );
                if let QueryEngine::Ballista(url) = engine {
                    // A job waits in the scheduler's queue while no executor is registered, and
                    // Ballista 55 does not finish a job that lost an executor (docs/cluster.md).
                    t.en.push_str(&format!(
                        " (on the cluster {url}: is at least one executor running? A job that lost an executor \
                         is not finished by the others: check the executors and run the query again); nothing was written"
                    ));
                    t.zh.push_str(&format!(
                        "（集群 {url}：是否至少有一个执行器在运行？丢失执行器的作业不会由其他执行器完成：\
                         请检查执行器后重新执行查询）；未写出任何结果"
                    ));
                }
                return Err((QueryError::Failed(t), tables));
            }
            Ok(Err(joined)) => return Err((QueryError::Failed(engine_failure(joined)), tables)),
            Ok(Ok(Err(e))) => {
                let t = match engine {
                    QueryEngine::Local => df_text("query failed", strip(&e.to_string())),
                    #[cfg(feature = "cluster")]
                    QueryEngine::Ballista(url) => cluster::explain_failure(url, &strip(&e.to_string())),
                    #[cfg(not(feature = "cluster"))]
                    QueryEngine::Ballista(_) => df_text("query failed", strip(&e.to_string())),
                };
                return Err((QueryError::Failed(t), tables));
            }
            Ok(Ok(Ok(x))) => x,
        };
        Ok(QueryOutput { schema, batches, rows, truncated, tables })
    }

    fn would_grant(&self, who: Who<'_>, table: &str) -> bool {
        let Some((d, t)) = table.split_once('.') else { return false };
        match (who, &self.policy) {
            (Who::Owner, None) => true,
            (Who::Principal(p), Some(pol)) => pol.access(p, d, t).is_some(),
            _ => false,
        }
    }

    /// SHA-256 fingerprint of each source named, for manifests: file sources hash their files'
    /// contents (paths relative to the catalog), PostgreSQL sources their rows in text form.
    pub async fn fingerprints(&self, tables: &[String]) -> Vec<(String, Result<String, Text>)> {
        let mut out = Vec::new();
        for t in tables {
            let Some(info) = self.tables.get(t) else {
                out.push((t.clone(), Err(text(format!("no table {t}"), format!("没有表 {t}")))));
                continue;
            };
            let r = match &info.spec.kind {
                SourceKind::File { path, .. } => config::files_under(path, &self.config.roots).and_then(|files| {
                    let mut h = Sha256::new();
                    for f in files {
                        let bytes = std::fs::read(&f).map_err(|e| {
                            text(format!("cannot read {}: {e}", f.display()), format!("无法读取 {}：{e}", f.display()))
                        })?;
                        let rel = f.strip_prefix(&self.config.dir).unwrap_or(&f).display().to_string();
                        h.update(rel.as_bytes());
                        h.update([0]);
                        h.update(Sha256::digest(&bytes));
                    }
                    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
                }),
                SourceKind::Postgres { .. } => {
                    let ctx = self.context();
                    match ctx.read_table(info.provider.clone()) {
                        Err(e) => Err(df_text("fingerprint", e)),
                        Ok(df) => match df.collect().await {
                            Err(e) => Err(df_text("fingerprint", e)),
                            Ok(batches) => {
                                let mut h = Sha256::new();
                                let mut lines = Vec::new();
                                let fopts = datafusion::arrow::util::display::FormatOptions::default();
                                for b in &batches {
                                    let cols: Vec<_> = (0..b.num_columns())
                                        .map(|i| {
                                            datafusion::arrow::util::display::ArrayFormatter::try_new(
                                                b.column(i).as_ref(),
                                                &fopts,
                                            )
                                        })
                                        .collect::<Result<_, _>>()
                                        .unwrap_or_default();
                                    for r in 0..b.num_rows() {
                                        lines.push(
                                            cols.iter().map(|c| c.value(r).to_string()).collect::<Vec<_>>().join("\t"),
                                        );
                                    }
                                }
                                lines.sort();
                                for l in lines {
                                    h.update(l.as_bytes());
                                    h.update(b"\n");
                                }
                                Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
                            }
                        },
                    }
                }
            };
            out.push((t.clone(), r));
        }
        out
    }
}

/// The error of a query whose task panicked (a bug of the engine, e.g. DataFusion 55's
/// "partition not used yet" on some cross joins) or was cancelled.
fn engine_failure(joined: tokio::task::JoinError) -> Text {
    let why = match joined.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "internal error".into()),
        Err(e) => e.to_string(),
    };
    text(
        format!(
            "the query engine (DataFusion) failed on this query ({why}); rewrite the query, \
             e.g. replace a cross join by a join with ON conditions"
        ),
        format!("查询引擎（DataFusion）执行此查询时出错（{why}）；请改写查询，例如以带 ON 条件的连接代替交叉连接"),
    )
}

/// DataFusion errors repeat their context ("Error during planning: …"); keep them short.
fn strip(s: &str) -> String {
    s.lines().next().unwrap_or(s).trim().to_string()
}

async fn open_source(
    ctx: &SessionContext,
    cfg: &CatalogConfig,
    spec: &SourceSpec,
) -> Result<(Arc<dyn TableProvider>, Option<Arc<dyn TableProvider>>), Text> {
    match &spec.kind {
        SourceKind::Postgres { url, url_env, relation } => {
            let url = match (url, url_env) {
                (_, Some(var)) => std::env::var(var).map_err(|_| {
                    text(
                        format!("environment variable {var} (the PostgreSQL connection string) is not set"),
                        format!("未设置环境变量 {var}（PostgreSQL 连接串）"),
                    )
                })?,
                (Some(u), None) => u.clone(),
                (None, None) => return Err(text("no connection string", "缺少连接串")),
            };
            let t = PgTable::open(&url, relation).await.map_err(|e| text(e.clone(), format!("PostgreSQL：{e}")))?;
            Ok((Arc::new(t), None))
        }
        SourceKind::File { format, path, partitions, columns } => {
            if !path.exists() {
                return Err(text(format!("{} does not exist", path.display()), format!("{} 不存在", path.display())));
            }
            let files = config::files_under(path, &cfg.roots)?;
            if files.is_empty() {
                return Err(text(
                    format!("{} holds no files", path.display()),
                    format!("{} 中没有文件", path.display()),
                ));
            }
            // The plain format is what a cluster gets (datafusion-proto serialises only DataFusion's
            // own formats); locally CSV and JSON get size estimates (see `sized`), Parquet footers
            // carry statistics.
            let (plain, ext): (Arc<dyn DfFileFormat>, &str) = match format {
                FileFormat::Csv => (Arc::new(CsvFormat::default().with_has_header(true)), ".csv"),
                FileFormat::Parquet => (Arc::new(ParquetFormat::default()), ".parquet"),
                FileFormat::Json => (Arc::new(JsonFormat::default()), ".json"),
            };
            let fmt: Arc<dyn DfFileFormat> = match format {
                FileFormat::Csv => Arc::new(sized::Sized::new(plain.clone(), 1)),
                FileFormat::Parquet => plain.clone(),
                FileFormat::Json => Arc::new(sized::Sized::new(plain.clone(), 0)),
            };
            let mut url_text = path.display().to_string();
            if path.is_dir() && !url_text.ends_with('/') {
                url_text.push('/');
            }
            let url = ListingTableUrl::parse(&url_text).map_err(|e| df_text("path", e))?;
            let partition_cols: Vec<(String, DataType)> =
                partitions.iter().map(|p| (p.clone(), DataType::Utf8)).collect();
            let opts =
                ListingOptions::new(fmt).with_file_extension(ext).with_table_partition_cols(partition_cols.clone());
            let state = ctx.state();
            let schema = match columns {
                Some(cols) => {
                    Arc::new(Schema::new(cols.iter().map(|(n, t)| Field::new(n, t.clone(), true)).collect::<Vec<_>>()))
                }
                None => opts.infer_schema(&state, &url).await.map_err(|e| {
                    let e = strip(&e.to_string());
                    text(format!("cannot read {}: {e}", path.display()), format!("无法读取 {}：{e}", path.display()))
                })?,
            };
            let plain_opts =
                ListingOptions::new(plain).with_file_extension(ext).with_table_partition_cols(partition_cols);
            let shippable =
                ListingTableConfig::new(url.clone()).with_listing_options(plain_opts).with_schema(schema.clone());
            let shippable = ListingTable::try_new(shippable).map_err(|e| df_text("source", e))?;
            let config = ListingTableConfig::new(url).with_listing_options(opts).with_schema(schema);
            let t = ListingTable::try_new(config).map_err(|e| df_text("source", e))?;
            Ok((Arc::new(t), Some(Arc::new(shippable))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::engine_failure;

    /// A panic on the engine's threads becomes a bilingual error that quotes it.
    #[test]
    fn an_engine_panic_is_an_error() {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
        let joined = rt.block_on(rt.spawn(async { panic!("partition not used yet") })).unwrap_err();
        let t = engine_failure(joined);
        assert!(t.en.contains("(partition not used yet)") && t.en.contains("rewrite the query"), "{}", t.en);
        assert!(t.zh.contains("查询引擎") && t.zh.contains("partition not used yet"), "{}", t.zh);
        let formatted = rt.block_on(rt.spawn(async { panic!("row {} of {}", 3, 4) })).unwrap_err();
        assert!(engine_failure(formatted).en.contains("(row 3 of 4)"));
    }
}
