//! Indicators defined as SQL over the data catalog: the `[catalog]` table of a project file and
//! the `[[data]]` entries with `sql = "…"` (specified in `docs/project-file.md`); also the OD
//! records of `[flows]` with `sql = "…"` (`docs/flows.md`), run the same way.
//!
//! ```text
//! [catalog] file, principal ──► Catalog::open (feature `catalog`) ──► principal of its policy
//! [[data]] indicator, sql   ──► Catalog::query (access policy, audit) ──► unit, period, value rows
//!                                                 └──► tables read ──► Catalog::fingerprints
//! ```
//!
//! Every query of a project runs before the data are merged, on a thread of its own with its own
//! Tokio runtime, so the loader stays synchronous and may be called from inside another runtime
//! (the server). The rows are then checked and merged like the rows of a long data file (see
//! `data/sql.rs`). What ran is kept as [`SqlSource`]s for the manifest of every output.
//!
//! It does not know the SQL engine without the feature: a project using SQL then fails to load
//! with an error saying how to install baydex with it ([`catalog_feature_hint`]).

use std::collections::HashMap;
use std::ops::Range;

use baydex_core::Text;
use serde::Serialize;
use toml::de::DeValue;

use super::Loader;
use super::doc::Tbl;
use crate::diag::text;

/// The keys of the `[catalog]` table of a project file.
const CATALOG_KEYS: &[&str] = &["file", "principal"];

/// How to get cluster execution (Ballista, feature `cluster`): `--engine ballista://…` and
/// `baydex cluster` in builds without it.
pub fn cluster_feature_hint() -> Text {
    text(
        "this baydex was built without cluster support: cargo install --path crates/cli --features cluster",
        "此 baydex 未包含集群支持：请用 cargo install --path crates/cli --features cluster 安装",
    )
}

/// How to get the SQL engine (the wording `baydex sql` uses without it).
pub fn catalog_feature_hint() -> Text {
    text(
        "this baydex was built without the SQL catalog (DataFusion, feature `catalog`).\n\
         install it with:   cargo install --path crates/cli --features catalog\n\
         or run it with:    cargo run --release --features catalog -- sql …",
        "此 baydex 构建时未包含 SQL 目录功能（DataFusion，特性 `catalog`）。\n\
         安装方法：         cargo install --path crates/cli --features catalog\n\
         或直接运行：       cargo run --release --features catalog -- sql …",
    )
}

/// One SQL query that fed the data of a project: what ran, as whom, over which sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SqlSource {
    /// The indicator or series code the query gives values of.
    pub code: String,
    /// Where the query is in the project file (`data[2].sql`).
    pub key: String,
    /// The query text, as written.
    pub sql: String,
    /// The catalog file, as displayed.
    pub catalog: String,
    /// The principal the query ran as; `None`: the catalog's owner (a catalog without policy).
    pub principal: Option<String>,
    /// The `domain.table` names the query read, sorted.
    pub tables: Vec<String>,
    /// SHA-256 of each table's contents (see `Catalog::fingerprints`), in `tables` order.
    pub fingerprints: Vec<SourceFingerprint>,
    /// Rows the query returned.
    pub rows: usize,
    /// True when the catalog says its data are synthetic or illustrative.
    pub illustrative: bool,
    /// Where it ran: `local`, or the `ballista://HOST:PORT` of a cluster.
    pub engine: String,
}

/// The fingerprint of one catalog table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceFingerprint {
    /// `domain.table`.
    pub table: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
}

/// One result row: `unit` and `period` as text, `value` as a number (`None`: NULL).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "catalog"), allow(dead_code))]
pub(crate) struct SqlRow {
    pub unit: Option<String>,
    pub period: Option<String>,
    pub value: Option<f64>,
}

/// A `[[data]]` entry with `sql`, as written.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "catalog"), allow(dead_code))]
pub(crate) struct SqlEntry {
    /// Start of the entry's table in the project file: identifies it.
    pub id: usize,
    /// `data[N]`.
    pub path: String,
    /// The code of `indicator`, when it is a string (`flows.od` for the OD query of `[flows]`).
    pub code: Option<String>,
    pub sql: String,
    /// Span of the `sql` value.
    pub span: Range<usize>,
    /// True for the OD query of `[flows]` (`path` is `flows`).
    pub od: bool,
}

/// The results of every SQL entry of a project.
#[derive(Debug, Default)]
pub(crate) struct SqlData {
    /// Rows of each entry whose query ran, by [`SqlEntry::id`]. An entry without rows here
    /// failed (and its errors are reported).
    pub rows: HashMap<usize, Vec<SqlRow>>,
    /// The rows of the OD query of `[flows]`, when it ran.
    #[cfg_attr(not(feature = "catalog"), allow(dead_code))]
    pub flows_od: Option<super::flows::OdRows>,
    /// What ran, in file order.
    pub sources: Vec<SqlSource>,
    /// True when the catalog says its data are synthetic or illustrative.
    pub illustrative: bool,
    /// Span of the `[catalog]` table, when there is one.
    pub catalog_span: Option<Range<usize>>,
}

/// The `[[data]]` entries with an `sql` key that is a string (wrong types are reported when the
/// entry is read).
pub(crate) fn sql_entries(top: &Tbl<'_, '_>) -> Vec<SqlEntry> {
    let Some(DeValue::Array(a)) = top.get("data").map(|v| v.get_ref()) else { return Vec::new() };
    let mut out = Vec::new();
    for (n, item) in a.iter().enumerate() {
        let DeValue::Table(t) = item.get_ref() else { continue };
        let Some(v) = t.get("sql") else { continue };
        let DeValue::String(s) = v.get_ref() else { continue };
        let code = match t.get("indicator").map(|c| c.get_ref()) {
            Some(DeValue::String(c)) => Some(c.to_string()),
            _ => None,
        };
        out.push(SqlEntry {
            id: item.span().start,
            path: format!("data[{}]", n + 1),
            code,
            sql: s.to_string(),
            span: v.span(),
            od: false,
        });
    }
    // The OD records of `[flows]` (exactly one of `od` and `sql` is checked with `[flows]`).
    if let Some(DeValue::Table(t)) = top.get("flows").map(|v| v.get_ref())
        && let Some(v) = t.get("sql")
        && let DeValue::String(s) = v.get_ref()
    {
        out.push(SqlEntry {
            id: v.span().start,
            path: "flows".into(),
            code: Some(super::flows::OD_CODE.into()),
            sql: s.to_string(),
            span: v.span(),
            od: true,
        });
    }
    out
}

/// The `[catalog]` table, as written.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(not(feature = "catalog"), allow(dead_code))]
pub(crate) struct CatalogRef {
    /// The catalog file, relative to the project file.
    pub file: String,
    pub file_span: Range<usize>,
    pub principal: Option<String>,
    pub principal_span: Range<usize>,
    pub span: Range<usize>,
}

/// Reads the `[catalog]` table; `None` when absent or unusable (problems are reported).
pub(crate) fn parse_catalog(ld: &mut Loader<'_>, top: &Tbl<'_, '_>) -> Option<CatalogRef> {
    let t = top.table(&mut ld.doc, "catalog")?;
    t.check_keys(&mut ld.doc, CATALOG_KEYS);
    let file = t.string(&mut ld.doc, "file", true);
    let principal = t.string(&mut ld.doc, "principal", false);
    if let Some(p) = &principal
        && p.trim().is_empty()
    {
        ld.doc.error(
            &t.span_of("principal"),
            Some(t.key("principal")),
            text("`principal` is empty", "`principal` 为空"),
            text(
                "name a principal of the catalog's access policy, e.g. principal = \"indicator_bot\"",
                "请填写目录访问策略中的主体名称，如 principal = \"indicator_bot\"",
            ),
        );
        return None;
    }
    Some(CatalogRef {
        file: file?,
        file_span: t.span_of("file"),
        principal,
        principal_span: t.span_of("principal"),
        span: t.span.clone(),
    })
}

/// Parses `[catalog]`, runs every SQL entry's query (with the feature) and returns the rows and
/// what ran. Every problem is reported into the loader, located at the project file's key.
pub(crate) fn evaluate(ld: &mut Loader<'_>, top: &Tbl<'_, '_>) -> SqlData {
    let entries = sql_entries(top);
    let catalog = parse_catalog(ld, top);
    #[cfg_attr(not(feature = "catalog"), allow(unused_mut))]
    let mut data = SqlData { catalog_span: catalog.as_ref().map(|c| c.span.clone()), ..SqlData::default() };
    if entries.is_empty() {
        if let Some(c) = &catalog {
            ld.doc.warning(
                &c.span,
                Some("catalog".into()),
                text(
                    "[catalog] is given but neither a [[data]] entry nor [flows] has `sql`, so the catalog is not used",
                    "给出了 [catalog]，但没有任何 [[data]] 或 [flows] 使用 `sql`，目录未被使用",
                ),
                text(
                    "add [[data]] entries with indicator = \"CODE\" and sql = \"SELECT … AS unit, … AS period, … AS value FROM domain.table …\", or remove [catalog]",
                    "请添加含 indicator = \"代码\" 与 sql = \"SELECT … AS unit, … AS period, … AS value FROM 域.表 …\" 的 [[data]]，或删除 [catalog]",
                ),
            );
        }
        return data;
    }
    if !cfg!(feature = "catalog") {
        let hint = catalog_feature_hint();
        for e in &entries {
            let code = e.code.as_deref().unwrap_or("?");
            let message = if e.od {
                text(
                    "the OD records of [flows] come from an SQL query over the data catalog, which this baydex cannot run",
                    "[flows] 的 OD 记录来自数据目录上的 SQL 查询，而此 baydex 无法执行 SQL",
                )
            } else {
                text(
                    format!(
                        "indicator '{code}' is defined by an SQL query over the data catalog, which this baydex cannot run"
                    ),
                    format!("指标 '{code}' 由数据目录上的 SQL 查询定义，而此 baydex 无法执行 SQL"),
                )
            };
            ld.doc.error(&e.span, Some(format!("{}.sql", e.path)), message, hint.clone());
        }
        return data;
    }
    let Some(catalog) = catalog else {
        if top.get("catalog").is_none() {
            let first = &entries[0];
            ld.doc.error(
                &first.span,
                Some(format!("{}.sql", first.path)),
                if first.od {
                    text(
                        "[flows] with `sql` needs a [catalog] table naming the catalog file",
                        "含 `sql` 的 [flows] 需要 [catalog] 表指明目录文件",
                    )
                } else {
                    text(
                        "[[data]] entries with `sql` need a [catalog] table naming the catalog file",
                        "含 `sql` 的 [[data]] 需要 [catalog] 表指明目录文件",
                    )
                },
                text(
                    "add [catalog] with file = \"catalog.toml\" (relative to the project file) and principal = \"NAME\" (a principal of its access policy)",
                    "请添加 [catalog]，写明 file = \"catalog.toml\"（相对于项目文件）与 principal = \"名称\"（其访问策略中的主体）",
                ),
            );
        }
        return data;
    };
    #[cfg(feature = "catalog")]
    run::run_all(ld, &catalog, &entries, &mut data);
    #[cfg(not(feature = "catalog"))]
    let _ = catalog;
    data
}

#[cfg(feature = "catalog")]
pub(crate) mod run {
    //! Opening the catalog and running the queries (feature `catalog`). [`run_catalog_queries`] is
    //! the one way queries over a catalog run outside `baydex sql`: the `[[data]]` and `[flows]`
    //! queries of a project, and `baydex flows --od-sql`.

    use std::path::{Path, PathBuf};

    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::{DataType, Float64Type};

    use super::{CatalogRef, SourceFingerprint, SqlData, SqlEntry, SqlRow, SqlSource};
    use crate::catalog::{Catalog, QueryEngine, QueryError, QueryOutput, Who};
    use crate::diag::{Diagnostics, list, text};
    use crate::project::Loader;
    use crate::source::{InputFile, resolve};
    use baydex_core::Text;

    /// One query that ran: its result and the fingerprints of the tables it read.
    #[derive(Debug)]
    pub struct CatalogRun {
        /// The result (every row).
        pub output: QueryOutput,
        /// SHA-256 of each table read, in `output.tables` order.
        pub fingerprints: Vec<SourceFingerprint>,
    }

    /// Why the principal asked for cannot run queries on a catalog.
    #[derive(Debug, Clone, PartialEq)]
    pub enum PrincipalProblem {
        /// The catalog has a policy and no principal is named; the policy's principals.
        Missing(Vec<String>),
        /// The catalog has no policy and a principal is named.
        NoPolicy,
        /// No such principal in the policy; the policy's principals.
        Unknown(String, Vec<String>),
    }

    impl PrincipalProblem {
        /// The message and the fix, for a project's `[catalog]` table or (`cli`) for `--as`.
        pub fn message(&self, cli: bool) -> (Text, Text) {
            match self {
                PrincipalProblem::Missing(names) => (
                    text(
                        "the catalog has an access policy: say which principal runs the queries",
                        "该目录设有访问策略：请指明以哪个主体执行查询",
                    ),
                    if cli {
                        text(
                            format!("add --as NAME; principals: {}", list(names, 20)),
                            format!("请添加 --as 名称；主体：{}", list(names, 20)),
                        )
                    } else {
                        text(
                            format!("add principal = \"NAME\" to [catalog]; principals: {}", list(names, 20)),
                            format!("请在 [catalog] 中添加 principal = \"名称\"；主体：{}", list(names, 20)),
                        )
                    },
                ),
                PrincipalProblem::NoPolicy => (
                    text(
                        "the catalog has no access policy, so it has no principals",
                        "该目录没有访问策略，因此没有主体",
                    ),
                    if cli {
                        text(
                            "run without --as (the query then runs as the catalog's owner)",
                            "请去掉 --as（查询将以目录所有者身份执行）",
                        )
                    } else {
                        text(
                            "remove `principal` (the queries then run as the catalog's owner)",
                            "请删除 `principal`（查询将以目录所有者身份执行）",
                        )
                    },
                ),
                PrincipalProblem::Unknown(name, names) => (
                    text(
                        format!("no principal `{name}` in the catalog's access policy"),
                        format!("目录的访问策略中没有主体 `{name}`"),
                    ),
                    text(format!("principals: {}", list(names, 20)), format!("主体：{}", list(names, 20))),
                ),
            }
        }
    }

    /// The outcome of opening a catalog and running queries on it.
    #[derive(Debug)]
    pub enum CatalogOutcome {
        /// The catalog (or its policy) could not be opened, or the engine could not start.
        Open(Diagnostics),
        /// The principal cannot be used.
        Principal(PrincipalProblem),
        /// The catalog opened; one result per query, in order (an error is the reason, with
        /// `refused: ` before a refusal of the access policy).
        Ran {
            /// True when the catalog says its data are synthetic or illustrative.
            illustrative: bool,
            /// The policy file, beside the catalog file as the caller named it.
            policy: Option<PathBuf>,
            /// Each query's result.
            results: Vec<Result<CatalogRun, Text>>,
        },
    }

    /// Opens the catalog at `path` and runs `queries` as `principal` (the owner when `None`) on
    /// `engine` (`local` or `ballista://HOST:PORT`), under the catalog's access policy, each one
    /// audited, and fingerprints the tables each read. It runs on a thread of its own with its own
    /// Tokio runtime, so the caller stays synchronous and may itself run inside a runtime (the
    /// server).
    pub fn run_catalog_queries(
        path: &Path,
        principal: Option<&str>,
        queries: &[String],
        engine: &str,
    ) -> CatalogOutcome {
        let display = path.display().to_string();
        block_on_own_thread(|| run_queries(path, principal, queries, engine)).unwrap_or_else(|e| {
            CatalogOutcome::Open(Diagnostics::from(crate::diag::Location::file(&display).error(
                e,
                text("run the query with `baydex sql` to see what fails", "请用 `baydex sql` 单独执行该查询以查看原因"),
            )))
        })
    }

    /// Runs the future `f` makes on a new thread with its own Tokio runtime (two workers).
    pub(crate) fn block_on_own_thread<T, F, Fut>(f: F) -> Result<T, Text>
    where
        F: FnOnce() -> Fut + Send,
        Fut: std::future::Future<Output = T>,
        T: Send,
    {
        let joined = std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(
                    |e| text(format!("cannot start the query engine: {e}"), format!("无法启动查询引擎：{e}")),
                )?;
                Ok(rt.block_on(f()))
            })
            .join()
        });
        joined.unwrap_or_else(|_| Err(text("the query engine stopped unexpectedly", "查询引擎意外终止")))
    }

    pub(super) fn run_all(ld: &mut Loader<'_>, catalog: &CatalogRef, entries: &[SqlEntry], data: &mut SqlData) {
        let rel = resolve(&ld.base, &catalog.file);
        // Read through the loader: a missing file is reported at `catalog.file`, and the catalog
        // file is an input of the manifest.
        if ld.read(&catalog.file, &catalog.file_span, "catalog.file".into()).is_none() {
            return;
        }
        let display = ld.src.display(&rel);
        let path = PathBuf::from(&display);
        let queries: Vec<String> = entries.iter().map(|e| e.sql.clone()).collect();
        let engine = ld.options.engine.clone();
        match run_catalog_queries(&path, catalog.principal.as_deref(), &queries, &engine) {
            CatalogOutcome::Open(d) => {
                ld.doc.diags.extend(d.0);
                ld.doc.error(
                    &catalog.file_span,
                    Some("catalog.file".into()),
                    text(
                        format!("the catalog {display} could not be opened (see above)"),
                        format!("无法打开目录 {display}（见上文）"),
                    ),
                    text(
                        "fix the catalog or policy file, or point catalog.file at another catalog",
                        "请修正目录或策略文件，或让 catalog.file 指向其他目录",
                    ),
                );
            }
            CatalogOutcome::Principal(p) => principal_error(ld, catalog, p),
            CatalogOutcome::Ran { illustrative, policy, results } => {
                data.illustrative = illustrative;
                if let Some(p) = policy
                    && let Ok(bytes) = std::fs::read(&p)
                {
                    ld.inputs.push(InputFile::new(p.display().to_string(), &bytes));
                }
                for (e, r) in entries.iter().zip(results) {
                    let code = e.code.clone().unwrap_or_default();
                    // The result as the entry needs it: unit, period, value rows or OD rows.
                    let converted = r.and_then(|ran| {
                        if e.od {
                            let od = crate::project::flows::od_rows(&ran.output)?;
                            data.flows_od = Some(od);
                        } else {
                            data.rows.insert(e.id, rows_of(&ran.output)?);
                        }
                        Ok(ran)
                    });
                    match converted {
                        Ok(ran) => data.sources.push(SqlSource {
                            code: code.clone(),
                            key: format!("{}.sql", e.path),
                            sql: e.sql.clone(),
                            catalog: display.clone(),
                            principal: catalog.principal.clone(),
                            tables: ran.output.tables,
                            fingerprints: ran.fingerprints,
                            rows: ran.output.rows,
                            illustrative,
                            engine: engine.clone(),
                        }),
                        Err(why) => {
                            let shown = if code.is_empty() { "?" } else { code.as_str() };
                            let what = if e.od {
                                text(
                                    format!("the SQL query of the OD records of [flows] failed: {}", why.en),
                                    format!("[flows] 的 OD 记录 SQL 查询失败：{}", why.zh),
                                )
                            } else {
                                text(
                                    format!("the SQL query of indicator '{shown}' failed: {}", why.en),
                                    format!("指标 '{shown}' 的 SQL 查询失败：{}", why.zh),
                                )
                            };
                            ld.doc.error(
                                &e.span,
                                Some(format!("{}.sql", e.path)),
                                what,
                                text(
                                    format!(
                                        "fix the query in {}.sql; try it with: baydex sql --catalog {display}{} \"…\"",
                                        e.path,
                                        catalog.principal.as_ref().map(|p| format!(" --as {p}")).unwrap_or_default()
                                    ),
                                    format!(
                                        "请修正 {}.sql 中的查询；可先用以下命令试运行：baydex sql --catalog {display}{} \"…\"",
                                        e.path,
                                        catalog.principal.as_ref().map(|p| format!(" --as {p}")).unwrap_or_default()
                                    ),
                                ),
                            );
                        }
                    }
                }
            }
        }
    }

    fn principal_error(ld: &mut Loader<'_>, catalog: &CatalogRef, p: PrincipalProblem) {
        let (message, help) = p.message(false);
        let span = match p {
            PrincipalProblem::Missing(_) => &catalog.span,
            _ => &catalog.principal_span,
        };
        ld.doc.error(span, Some("catalog.principal".into()), message, help);
    }

    async fn run_queries(path: &Path, principal: Option<&str>, queries: &[String], engine: &str) -> CatalogOutcome {
        let engine = match QueryEngine::parse(engine) {
            Ok(e) => e,
            Err(why) => {
                return CatalogOutcome::Open(Diagnostics::from(crate::diag::Location::file("--engine").error(
                    why,
                    text(
                        "use --engine local or --engine ballista://HOST:PORT",
                        "请使用 --engine local 或 --engine ballista://主机:端口",
                    ),
                )));
            }
        };
        let mut cat = match Catalog::open(path).await {
            Ok(c) => c,
            Err(d) => return CatalogOutcome::Open(d),
        };
        cat.set_engine(engine);
        let found = match (&cat.policy, principal) {
            (Some(pol), Some(name)) => match pol.principal(name) {
                Some(p) => Some(p.clone()),
                None => {
                    let names = pol.principals.iter().map(|p| p.name.clone()).collect();
                    return CatalogOutcome::Principal(PrincipalProblem::Unknown(name.to_string(), names));
                }
            },
            (Some(pol), None) => {
                let names = pol.principals.iter().map(|p| p.name.clone()).collect();
                return CatalogOutcome::Principal(PrincipalProblem::Missing(names));
            }
            (None, Some(_)) => return CatalogOutcome::Principal(PrincipalProblem::NoPolicy),
            (None, None) => None,
        };
        let who = found.as_ref().map_or(Who::Owner, Who::Principal);
        let mut results = Vec::new();
        for q in queries {
            let r = match cat.query(who, q, None).await {
                Err(QueryError::Refused(t)) => Err(text(format!("refused: {}", t.en), format!("已拒绝：{}", t.zh))),
                Err(QueryError::Failed(t)) => Err(t),
                Ok(output) => {
                    let mut fingerprints = Vec::new();
                    let mut failed = None;
                    for (table, f) in cat.fingerprints(&output.tables).await {
                        match f {
                            Ok(sha256) => fingerprints.push(SourceFingerprint { table, sha256 }),
                            Err(e) => {
                                failed = Some(text(
                                    format!("cannot fingerprint `{table}` for the manifest: {}", e.en),
                                    format!("无法为清单计算 `{table}` 的指纹：{}", e.zh),
                                ));
                                break;
                            }
                        }
                    }
                    match failed {
                        Some(t) => Err(t),
                        None => Ok(CatalogRun { output, fingerprints }),
                    }
                }
            };
            results.push(r);
        }
        // The policy as displayed: beside the catalog file as the user named it (the configuration
        // holds canonical paths).
        let policy = cat.config.policy.as_ref().map(|p| {
            let rel = p.strip_prefix(&cat.config.dir).unwrap_or(p);
            path.parent().map_or_else(|| rel.to_path_buf(), |d| d.join(rel))
        });
        CatalogOutcome::Ran { illustrative: cat.config.illustrative, policy, results }
    }

    /// The rows of a result that has exactly the columns `unit`, `period` and `value`.
    pub(super) fn rows_of(out: &QueryOutput) -> Result<Vec<SqlRow>, Text> {
        let names: Vec<String> = out.schema.fields().iter().map(|f| f.name().clone()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        if sorted != ["period", "unit", "value"] {
            return Err(text(
                format!(
                    "it returns the columns {}; it must return exactly unit, period, value (name them with AS: SELECT city AS unit, … AS period, … AS value)",
                    list(&names, 20)
                ),
                format!(
                    "查询返回的列为 {}；应恰好返回 unit、period、value 三列（用 AS 命名：SELECT city AS unit, … AS period, … AS value）",
                    list(&names, 20)
                ),
            ));
        }
        let idx = |n: &str| names.iter().position(|x| x == n).unwrap_or(0);
        let (iu, ip, iv) = (idx("unit"), idx("period"), idx("value"));
        let ty = |i: usize| out.schema.field(i).data_type().clone();
        fn is_text(t: &DataType) -> bool {
            match t {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => true,
                DataType::Dictionary(_, v) => is_text(v),
                t => t.is_integer(),
            }
        }
        for (i, name) in [(iu, "unit"), (ip, "period")] {
            let t = ty(i);
            if !is_text(&t) {
                return Err(text(
                    format!("its column `{name}` has type {t}; it must be text (or a whole number)"),
                    format!("其 `{name}` 列的类型为 {t}；应为文本（或整数）"),
                ));
            }
        }
        let tv = ty(iv);
        if !(tv.is_numeric() || tv == DataType::Null) {
            return Err(text(
                format!("its column `value` has type {tv}; it must be a number (NULL for a missing value)"),
                format!("其 `value` 列的类型为 {tv}；应为数值（缺失时为 NULL）"),
            ));
        }
        let cast_err = |e: datafusion::arrow::error::ArrowError| {
            text(format!("cannot convert the result: {e}"), format!("无法转换查询结果：{e}"))
        };
        let mut rows = Vec::with_capacity(out.rows);
        for b in &out.batches {
            let u = cast(b.column(iu), &DataType::Utf8).map_err(cast_err)?;
            let p = cast(b.column(ip), &DataType::Utf8).map_err(cast_err)?;
            let v = cast(b.column(iv), &DataType::Float64).map_err(cast_err)?;
            let (u, p, v) = (u.as_string::<i32>(), p.as_string::<i32>(), v.as_primitive::<Float64Type>());
            for r in 0..b.num_rows() {
                rows.push(SqlRow {
                    unit: u.is_valid(r).then(|| u.value(r).trim().to_string()),
                    period: p.is_valid(r).then(|| p.value(r).trim().to_string()),
                    value: v.is_valid(r).then(|| v.value(r)),
                });
            }
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;
    use crate::project::doc::Doc;
    use crate::source::EmbeddedSource;

    fn with_loader<T>(src: &str, f: impl FnOnce(&mut Loader<'_>, &Tbl<'_, '_>) -> T) -> (T, Vec<crate::Diagnostic>) {
        let files: &'static [(&'static str, &'static [u8])] = &[];
        let source = EmbeddedSource { name: "t", files };
        let root = toml::de::DeTable::parse(src).expect("valid TOML");
        let top = Tbl::new(root.get_ref(), root.span(), "");
        let mut ld = Loader {
            src: &source,
            base: "p.toml".into(),
            doc: Doc::new("p.toml", src),
            inputs: Vec::new(),
            sql: SqlData::default(),
            options: Default::default(),
        };
        let out = f(&mut ld, &top);
        (out, ld.doc.diags)
    }

    #[test]
    fn sql_entries_are_found_with_their_code_and_location() {
        let src = "[[data]]\nfile = \"d.csv\"\n\n[[data]]\nindicator = \"PAY\"\nsql = \"SELECT 1\"\n";
        let (entries, diags) = with_loader(src, |_, top| sql_entries(top));
        assert!(diags.is_empty());
        assert_eq!(entries.len(), 1);
        let e = &entries[0];
        assert_eq!((e.path.as_str(), e.code.as_deref(), e.sql.as_str()), ("data[2]", Some("PAY"), "SELECT 1"));
        assert_eq!(&src[e.span.clone()], "\"SELECT 1\"");
    }

    #[test]
    fn catalog_table_is_parsed_and_checked() {
        let (c, diags) = with_loader("[catalog]\nfile = \"cat.toml\"\nprincipal = \"bot\"\n", parse_catalog);
        assert!(diags.is_empty(), "{diags:?}");
        let c = c.expect("parsed");
        assert_eq!((c.file.as_str(), c.principal.as_deref()), ("cat.toml", Some("bot")));

        // A typo names the key; a missing file is reported at [catalog].
        let (c, diags) = with_loader("[catalog]\nfiel = \"cat.toml\"\n", parse_catalog);
        assert!(c.is_none());
        let keys: Vec<_> = diags.iter().map(|d| d.key.clone().unwrap_or_default()).collect();
        assert!(keys.contains(&"catalog.fiel".to_string()) && keys.contains(&"catalog.file".to_string()), "{keys:?}");
        assert!(diags.iter().any(|d| d.help.en.contains("did you mean `file`")), "{diags:?}");

        let (c, diags) = with_loader("[catalog]\nfile = \"c.toml\"\nprincipal = \" \"\n", parse_catalog);
        assert!(c.is_none());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, Some(3));
        assert!(!diags[0].message.zh.is_empty() && !diags[0].help.en.is_empty());
    }

    #[test]
    fn sql_without_catalog_table_is_located_at_the_query() {
        let src = "[[data]]\nindicator = \"PAY\"\nsql = \"SELECT 1\"\n";
        let (_, diags) = with_loader(src, evaluate);
        assert_eq!(diags.len(), 1, "{diags:?}");
        let d = &diags[0];
        assert_eq!((d.severity, d.line, d.key.as_deref()), (Severity::Error, Some(3), Some("data[1].sql")));
        if cfg!(feature = "catalog") {
            assert!(d.help.en.contains("add [catalog]") && d.help.zh.contains("[catalog]"), "{d:?}");
        } else {
            // Without the engine, the error says how to get it, in both languages.
            assert!(d.message.en.contains("'PAY'") && d.help.en.contains("--features catalog"), "{d:?}");
            assert!(d.help.zh.contains("安装方法"), "{d:?}");
        }
    }

    #[test]
    fn unused_catalog_is_a_warning() {
        let (data, diags) = with_loader("[catalog]\nfile = \"c.toml\"\n", evaluate);
        assert!(data.sources.is_empty());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].severity, Severity::Warning);
    }

    #[cfg(feature = "catalog")]
    #[test]
    fn a_missing_catalog_file_is_reported_at_its_key() {
        let src = "[catalog]\nfile = \"nowhere.toml\"\n\n[[data]]\nindicator = \"PAY\"\nsql = \"SELECT 1\"\n";
        let (data, diags) = with_loader(src, evaluate);
        assert!(data.rows.is_empty());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!((diags[0].line, diags[0].key.as_deref()), (Some(2), Some("catalog.file")));
    }

    #[cfg(feature = "catalog")]
    mod results {
        use std::sync::Arc;

        use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array, StringArray};
        use datafusion::arrow::datatypes::{Field, Schema};
        use datafusion::arrow::record_batch::RecordBatch;

        use super::super::run::rows_of;
        use crate::catalog::QueryOutput;

        fn output(cols: Vec<(&str, ArrayRef)>) -> QueryOutput {
            let schema = Arc::new(Schema::new(
                cols.iter().map(|(n, a)| Field::new(*n, a.data_type().clone(), true)).collect::<Vec<_>>(),
            ));
            let n = cols.first().map_or(0, |(_, a)| a.len());
            let batch = RecordBatch::try_new(schema.clone(), cols.into_iter().map(|(_, a)| a).collect()).unwrap();
            QueryOutput { schema, batches: vec![batch], rows: n, truncated: false, tables: Vec::new() }
        }

        #[test]
        fn rows_accept_text_or_whole_periods_and_null_values() {
            let out = output(vec![
                ("value", Arc::new(Float64Array::from(vec![Some(0.5), None]))),
                ("unit", Arc::new(StringArray::from(vec![Some("SZ"), Some("HK")]))),
                ("period", Arc::new(Int64Array::from(vec![2024, 2024]))),
            ]);
            let rows = rows_of(&out).unwrap();
            assert_eq!(rows.len(), 2);
            assert_eq!(
                (rows[0].unit.as_deref(), rows[0].period.as_deref(), rows[0].value),
                (Some("SZ"), Some("2024"), Some(0.5))
            );
            assert_eq!(rows[1].value, None);
        }

        #[test]
        fn wrong_columns_and_types_are_refused_with_the_fix() {
            let out = output(vec![
                ("city", Arc::new(StringArray::from(vec!["SZ"]))),
                ("period", Arc::new(StringArray::from(vec!["2024"]))),
                ("value", Arc::new(Float64Array::from(vec![1.0]))),
            ]);
            let e = rows_of(&out).unwrap_err();
            assert!(e.en.contains("city, period, value") && e.en.contains("AS unit"), "{e:?}");
            assert!(e.zh.contains("unit、period、value"), "{e:?}");

            let out = output(vec![
                ("unit", Arc::new(StringArray::from(vec!["SZ"]))),
                ("period", Arc::new(StringArray::from(vec!["2024"]))),
                ("value", Arc::new(StringArray::from(vec!["high"]))),
            ]);
            let e = rows_of(&out).unwrap_err();
            assert!(e.en.contains("`value` has type Utf8"), "{e:?}");

            let out = output(vec![
                ("unit", Arc::new(Float64Array::from(vec![1.5]))),
                ("period", Arc::new(StringArray::from(vec!["2024"]))),
                ("value", Arc::new(Float64Array::from(vec![1.0]))),
            ]);
            let e = rows_of(&out).unwrap_err();
            assert!(e.en.contains("`unit` has type Float64"), "{e:?}");
        }
    }
}
