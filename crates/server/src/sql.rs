//! `POST /api/sql` (feature `catalog`): one read-only query over the data catalog, run as the
//! caller's catalog principal, answered as typed JSON; and [`CatalogAudit`], the audit sink that
//! writes reads of restricted projects into the catalog's audit store.
//!
//! Every SQL request is audited exactly once in the catalog's SQLite store: requests that reach
//! [`Catalog::query`] are audited there (allowed, refused or failed); requests refused before it
//! (no or invalid token, a token that is no catalog principal, a malformed body) are audited here.
//! The query runs in a task of its own, so a client that disconnects or a request that times out
//! cannot cancel it between execution and its audit row; the catalog executes it on threads of
//! its own (one runtime per query), so a DataFusion operator that computes for a long time between
//! two yields does not stall the HTTP server, and the catalog's timeout fires on time. Should the
//! catalog not have answered [`GRACE`] after its timeout, the client gets its 504 anyway.
//!
//! It does not decide who may read what (the catalog's access policy does) nor parse SQL beyond
//! telling a syntax error or a statement that is not a query from a refusal, for the status code.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::Response;
use baydex_data::catalog::datafusion::arrow::array::{Array, AsArray};
use baydex_data::catalog::datafusion::arrow::datatypes::{
    DataType, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use baydex_data::catalog::datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use baydex_data::catalog::datafusion::common::TableReference;
use baydex_data::catalog::datafusion::prelude::SessionContext;
use baydex_data::catalog::datafusion::sql::parser::{DFParser, Statement as DfStatement};
use baydex_data::catalog::datafusion::sql::sqlparser::ast::Statement as SqlStatement;
use baydex_data::catalog::{AuditEntry, Catalog, QueryError, QueryOutput, Who};
use serde::Deserialize;
use serde_json::{Value as Json, json};

use crate::api::{Caller, json_value};
use crate::auth::{AuditEvent, AuditSink, LogAudit};
use crate::error::ApiError;
use crate::state::AppState;

/// The route.
pub(crate) const PATH: &str = "/api/sql";

/// Time a SQL request waits beyond the catalog's own per-query timeout before answering 504
/// itself; the HTTP layer's limit for the route is twice that beyond, so the 504 comes first.
const GRACE: Duration = Duration::from_secs(2);

/// Body of `POST /api/sql`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SqlRequest {
    /// One read-only query over `domain.table` names.
    sql: String,
    /// Rows to return at most; the catalog's `row_limit` when absent, never more than it.
    #[serde(default)]
    limit: Option<usize>,
}

/// The longest a request to `path` may take: SQL requests get the catalog's per-query timeout
/// plus twice [`GRACE`] when that is longer than the server's limit.
pub(crate) fn time_limit(s: &AppState, path: &str) -> Option<Duration> {
    let cat = s.catalog.as_ref()?;
    (path == PATH).then(|| s.limits.timeout.max(Duration::from_secs(cat.config.limits.timeout_s) + 2 * GRACE))
}

/// Records a request refused before it reached the catalog (the catalog audits the others).
fn audit_refusal(cat: &Catalog, principal: &str, sql: &str, e: &ApiError) {
    let entry = AuditEntry::now(principal, sql, Vec::new(), 0, "refused", e.message.en.clone());
    if let Err(err) = cat.audit_log().record(&entry) {
        tracing::error!(target: "baydex::audit", path = %cat.audit_log().path().display(), error = %err,
                        "cannot write the audit log");
    }
    tracing::info!(target: "baydex::audit", principal, outcome = "refused", code = e.code, "sql request");
}

/// Records a request to `/api/sql` whose bearer token is not valid (the authentication layer
/// refuses it before the body is read).
pub(crate) fn audit_invalid_token(s: &AppState, path: &str, e: &ApiError) {
    if let Some(cat) = s.catalog.as_ref().filter(|_| path == PATH) {
        audit_refusal(cat, "(invalid token)", "", e);
    }
}

/// Where a query's text stands before it runs, to pick the status of a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Not parseable SQL.
    Syntax,
    /// Several statements, or one that is not a query (DDL, DML, EXPLAIN, SET, …).
    NotAQuery,
    /// One query.
    Query,
}

fn shape(sql: &str) -> Shape {
    match DFParser::parse_sql(sql) {
        Err(_) => Shape::Syntax,
        Ok(stmts) if stmts.len() != 1 => Shape::NotAQuery,
        Ok(stmts) => match stmts.front() {
            Some(DfStatement::Statement(s)) if matches!(s.as_ref(), SqlStatement::Query(_)) => Shape::Query,
            _ => Shape::NotAQuery,
        },
    }
}

/// True when the query names a source that could not be opened.
fn names_a_broken_source(cat: &Catalog, sql: &str) -> bool {
    if cat.broken.is_empty() {
        return false;
    }
    let Ok(mut stmts) = DFParser::parse_sql(sql) else { return false };
    let Some(stmt) = stmts.pop_front() else { return false };
    let Ok(refs) = SessionContext::new().state().resolve_table_references(&stmt) else { return false };
    refs.iter().any(|r| {
        let name = match r {
            TableReference::Partial { schema, table } | TableReference::Full { schema, table, .. } => {
                format!("{schema}.{table}")
            }
            TableReference::Bare { table } => table.to_string(),
        };
        cat.broken.iter().any(|b| b.table == name)
    })
}

/// The HTTP error of a query the catalog did not run.
fn query_error(cat: &Catalog, sql: &str, shape: Shape, e: QueryError, elapsed: Duration) -> ApiError {
    let t = e.text().clone();
    let (status, code) = match (&e, shape) {
        (QueryError::Failed(_), Shape::Syntax) => (StatusCode::BAD_REQUEST, "sql_syntax"),
        (QueryError::Refused(_), Shape::NotAQuery) => (StatusCode::BAD_REQUEST, "read_only"),
        (QueryError::Refused(_), _) => (StatusCode::FORBIDDEN, "forbidden"),
        (QueryError::Failed(_), _) if elapsed >= Duration::from_secs(cat.config.limits.timeout_s) => {
            (StatusCode::GATEWAY_TIMEOUT, "query_timeout")
        }
        (QueryError::Failed(_), _) if names_a_broken_source(cat, sql) => {
            (StatusCode::SERVICE_UNAVAILABLE, "source_unavailable")
        }
        (QueryError::Failed(_), _) => (StatusCode::UNPROCESSABLE_ENTITY, "query_failed"),
    };
    ApiError { status, code, message: t, field: Some("sql".into()) }
}

fn body_error(s: &AppState, r: BytesRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is larger than {} bytes", s.limits.max_body_bytes),
            format!("请求体超过 {} 字节", s.limits.max_body_bytes),
        )
    } else {
        ApiError::new(r.status(), "bad_body", r.body_text(), "无法读取请求体")
    }
}

/// `POST /api/sql`.
pub(crate) async fn sql(
    State(s): State<Arc<AppState>>,
    Extension(c): Extension<Caller>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let Some(cat) = s.catalog.clone() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_available",
            "this server has no data catalog; start it with baydex serve --catalog CATALOG.toml",
            "此服务未配置数据目录；请以 baydex serve --catalog 目录文件 启动",
        ));
    };
    // The request, or why it is not one (with what was sent, for the audit).
    let parsed: Result<SqlRequest, (ApiError, String)> = match body {
        Err(r) => Err((body_error(&s, r), String::new())),
        Ok(b) => serde_json::from_slice::<SqlRequest>(&b).map_err(|e| {
            let err = ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                format!("the body is not a valid SQL request ({e}); send {{\"sql\": \"SELECT …\", \"limit\": 100}}"),
                format!("请求体不是有效的 SQL 请求（{e}）；请发送 {{\"sql\": \"SELECT …\", \"limit\": 100}}"),
            );
            (err, String::from_utf8_lossy(&b).into_owned())
        }),
    };
    let sql_text = match &parsed {
        Ok(r) => r.sql.clone(),
        Err((_, raw)) => raw.clone(),
    };
    let principal = match (&c.catalog_principal, &c.principal) {
        (Some(p), _) => p.clone(),
        (None, None) => {
            let e = ApiError::unauthorized(
                "SQL over the data catalog is never public; send Authorization: Bearer TOKEN with the token of a \
                 principal of the catalog's access policy",
                "数据目录的 SQL 查询从不公开；请发送 Authorization: Bearer 令牌（目录访问策略中主体的令牌）",
            );
            audit_refusal(&cat, "anonymous", &sql_text, &e);
            return Err(e);
        }
        (None, Some(p)) => {
            let e = ApiError::forbidden(
                format!(
                    "principal '{}' is not a principal of the catalog's access policy; SQL needs the token of one \
                     (docs/catalog.md)",
                    p.name
                ),
                format!("主体 '{}' 不在数据目录的访问策略中；SQL 查询需要策略中主体的令牌（docs/catalog.md）", p.name),
            );
            audit_refusal(&cat, &p.name, &sql_text, &e);
            return Err(e);
        }
    };
    let req = match parsed {
        Ok(r) => r,
        Err((e, _)) => {
            audit_refusal(&cat, &principal.name, &sql_text, &e);
            return Err(e);
        }
    };
    let default_limit = cat.config.limits.row_limit;
    let limit = req.limit.map_or(default_limit, |l| l.min(default_limit));
    let shape = shape(&req.sql);
    let Ok(permit) = s.sql_slots.clone().try_acquire_owned() else {
        let e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "busy",
            format!(
                "{} SQL queries are already running, the most this server runs at once; try again shortly",
                s.limits.max_concurrent_queries.max(1)
            ),
            format!(
                "已有 {} 个 SQL 查询在运行（本服务同时运行的上限）；请稍后重试",
                s.limits.max_concurrent_queries.max(1)
            ),
        );
        audit_refusal(&cat, &principal.name, &req.sql, &e);
        return Err(e);
    };
    let t0 = Instant::now();
    let task = {
        let (cat, sql) = (cat.clone(), req.sql.clone());
        tokio::spawn(async move {
            let out = cat.query(Who::Principal(&principal), &sql, Some(limit)).await;
            drop(permit);
            out
        })
    };
    let timeout = Duration::from_secs(cat.config.limits.timeout_s);
    let result = match tokio::time::timeout(timeout + GRACE, task).await {
        Ok(r) => {
            r.map_err(|e| ApiError::internal(format!("the query task failed: {e}"), format!("查询任务失败：{e}")))?
        }
        Err(_) => {
            return Err(ApiError {
                status: StatusCode::GATEWAY_TIMEOUT,
                code: "query_timeout",
                message: baydex_core::Text::new(
                    format!(
                        "the query took longer than {} s (the catalog's query_timeout_s); its result is discarded",
                        timeout.as_secs()
                    ),
                    format!("查询超过 {} 秒（目录的 query_timeout_s），结果已放弃", timeout.as_secs()),
                ),
                field: Some("sql".into()),
            });
        }
    };
    match result {
        Ok(out) => Ok(json_value(&output_json(&out, cat.config.illustrative)?)),
        Err(e) => Err(query_error(&cat, &req.sql, shape, e, t0.elapsed())),
    }
}

/// A finite float as a JSON number; NaN and infinities as null.
fn float(x: f64) -> Json {
    serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
}

/// The values of one column, typed: integers and floats as numbers, booleans, text as strings,
/// NULL as null; other types (dates, timestamps, decimals, …) as their text, decimals and 32-bit
/// floats as numbers parsed from their shortest text.
fn column_json(a: &dyn Array) -> Result<Vec<Json>, ApiError> {
    let opts = FormatOptions::default();
    let fmt = ArrayFormatter::try_new(a, &opts).map_err(|e| {
        ApiError::internal(format!("cannot encode a result column: {e}"), format!("无法编码结果列：{e}"))
    })?;
    let nulls = a.logical_nulls();
    let text = |i: usize| fmt.value(i).to_string();
    let mut out = Vec::with_capacity(a.len());
    for i in 0..a.len() {
        if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
            out.push(Json::Null);
            continue;
        }
        out.push(match a.data_type() {
            DataType::Null => Json::Null,
            DataType::Boolean => json!(a.as_boolean().value(i)),
            DataType::Int8 => json!(a.as_primitive::<Int8Type>().value(i)),
            DataType::Int16 => json!(a.as_primitive::<Int16Type>().value(i)),
            DataType::Int32 => json!(a.as_primitive::<Int32Type>().value(i)),
            DataType::Int64 => json!(a.as_primitive::<Int64Type>().value(i)),
            DataType::UInt8 => json!(a.as_primitive::<UInt8Type>().value(i)),
            DataType::UInt16 => json!(a.as_primitive::<UInt16Type>().value(i)),
            DataType::UInt32 => json!(a.as_primitive::<UInt32Type>().value(i)),
            DataType::UInt64 => json!(a.as_primitive::<UInt64Type>().value(i)),
            DataType::Float64 => float(a.as_primitive::<Float64Type>().value(i)),
            DataType::Float16
            | DataType::Float32
            | DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..) => text(i).parse::<f64>().map_or(Json::Null, float),
            DataType::Utf8 => json!(a.as_string::<i32>().value(i)),
            DataType::LargeUtf8 => json!(a.as_string::<i64>().value(i)),
            DataType::Utf8View => json!(a.as_string_view().value(i)),
            _ => json!(text(i)),
        });
    }
    Ok(out)
}

/// `{columns: [{name, type}], rows: [[…]], row_count, truncated, tables, illustrative}`.
fn output_json(out: &QueryOutput, illustrative: bool) -> Result<Json, ApiError> {
    let columns: Vec<Json> =
        out.schema.fields().iter().map(|f| json!({"name": f.name(), "type": f.data_type().to_string()})).collect();
    let mut rows: Vec<Vec<Json>> = Vec::with_capacity(out.rows);
    for b in &out.batches {
        let cols = b.columns().iter().map(|c| column_json(c.as_ref())).collect::<Result<Vec<_>, _>>()?;
        for r in 0..b.num_rows() {
            rows.push(cols.iter().map(|c| c[r].clone()).collect());
        }
    }
    Ok(json!({
        "columns": columns,
        "rows": rows,
        "row_count": out.rows,
        "truncated": out.truncated,
        "tables": out.tables,
        "illustrative": illustrative,
    }))
}

/// Audit events of restricted project reads, written into the data catalog's audit store (table
/// `query_log`, next to the SQL queries) and logged like [`LogAudit`]. A row reads: principal,
/// `sql` = `METHOD /path`, `tables` = `project:ID`, outcome `allowed` or `refused`.
#[derive(Debug)]
pub struct CatalogAudit {
    catalog: Arc<Catalog>,
}

impl CatalogAudit {
    /// A sink writing into `catalog`'s audit store.
    pub fn new(catalog: Arc<Catalog>) -> Self {
        CatalogAudit { catalog }
    }
}

impl AuditSink for CatalogAudit {
    fn record(&self, e: &AuditEvent) -> Result<(), String> {
        LogAudit.record(e)?;
        let granted = e.outcome == "granted";
        let reason = if granted {
            String::new()
        } else {
            format!("no role that may read project '{}' (roles: {})", e.project, e.roles.join(","))
        };
        let entry = AuditEntry::now(
            e.principal.clone(),
            format!("{} {}", e.method, e.path),
            vec![format!("project:{}", e.project)],
            0,
            if granted { "allowed" } else { "refused" },
            reason,
        );
        self.catalog.audit_log().record(&entry).map_err(|err| {
            tracing::error!(target: "baydex::audit", path = %self.catalog.audit_log().path().display(),
                            error = %err, "cannot write the audit log");
            format!("cannot write the audit log {}: {err}", self.catalog.audit_log().path().display())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baydex_data::catalog::datafusion::arrow::array::{ArrayRef, Date32Array, Float32Array, Float64Array};
    use baydex_data::catalog::datafusion::arrow::array::{Int64Array, StringArray};

    #[test]
    fn shapes() {
        assert_eq!(shape("SELECT 1"), Shape::Query);
        assert_eq!(shape("SELEC 1"), Shape::Syntax);
        assert_eq!(shape("DROP TABLE finance.payments"), Shape::NotAQuery);
        assert_eq!(shape("SELECT 1; SELECT 2"), Shape::NotAQuery);
        assert_eq!(shape(""), Shape::NotAQuery);
    }

    #[test]
    fn columns_keep_their_types() {
        let ints: ArrayRef = Arc::new(Int64Array::from(vec![Some(3), None]));
        assert_eq!(column_json(ints.as_ref()).unwrap(), vec![json!(3), Json::Null]);
        let floats: ArrayRef = Arc::new(Float64Array::from(vec![0.1, f64::NAN]));
        assert_eq!(column_json(floats.as_ref()).unwrap(), vec![json!(0.1), Json::Null]);
        // 0.1f32 is 0.100000001490116…; its shortest text is 0.1.
        let f32s: ArrayRef = Arc::new(Float32Array::from(vec![0.1f32]));
        assert_eq!(column_json(f32s.as_ref()).unwrap(), vec![json!(0.1)]);
        let text: ArrayRef = Arc::new(StringArray::from(vec![Some("SZ"), None]));
        assert_eq!(column_json(text.as_ref()).unwrap(), vec![json!("SZ"), Json::Null]);
        // 1970-01-01 + 19723 days is 2024-01-01 (54 years, 13 of them leap), so 19727 is 2024-01-05.
        let dates: ArrayRef = Arc::new(Date32Array::from(vec![19_727]));
        assert_eq!(column_json(dates.as_ref()).unwrap(), vec![json!("2024-01-05")]);
    }
}
