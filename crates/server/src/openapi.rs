//! The OpenAPI 3.1 document of the API, written from one table of routes ([`ROUTES`]) so that the
//! document and the router are checked against each other in a test.

use serde_json::{Map, Value as Json, json};

/// One documented route.
#[derive(Debug, Clone, Copy)]
pub struct RouteDoc {
    /// `get` or `post`.
    pub method: &'static str,
    /// Path template (`{id}` marks a parameter).
    pub path: &'static str,
    /// Summary (en).
    pub summary: &'static str,
    /// Summary (zh).
    pub summary_zh: &'static str,
    /// Whether the route reads project data (authorisation and 401/403 apply).
    pub project: bool,
}

const fn r(method: &'static str, path: &'static str, summary: &'static str, summary_zh: &'static str) -> RouteDoc {
    RouteDoc { method, path, summary, summary_zh, project: true }
}

const fn open(path: &'static str, summary: &'static str, summary_zh: &'static str) -> RouteDoc {
    RouteDoc { method: "get", path, summary, summary_zh, project: false }
}

/// Every route the server serves (the portal's static files excepted: see [`crate::portal`]).
pub const ROUTES: &[RouteDoc] = &[
    open("/healthz", "Liveness: the process answers", "存活检查"),
    open("/readyz", "Readiness: every project computed, not shutting down", "就绪检查"),
    open("/openapi.json", "This document", "本文档"),
    RouteDoc {
        method: "get",
        path: "/api/projects",
        summary: "Projects the caller may read",
        summary_zh: "调用者可读的项目",
        project: false,
    },
    r("get", "/api/projects/{id}", "A project: index, periods, units, framework, tiers, manifest", "项目详情"),
    r("get", "/api/projects/{id}/periods", "Periods", "各期"),
    r("get", "/api/projects/{id}/units", "Units with names, groups and coordinates", "评价单元"),
    r("get", "/api/projects/{id}/framework", "The framework tree with weights", "指标体系"),
    r(
        "get",
        "/api/projects/{id}/report",
        "The report model: scores, ranks, tiers, narrative, audit, weights, provenance; flows and sensitivity when the project has them",
        "报告模型",
    ),
    r(
        "get",
        "/api/projects/{id}/periods/{period}/results",
        "Every node's scores, ranks, tiers, weights, log and audit",
        "一期的全部结果",
    ),
    r("get", "/api/projects/{id}/periods/{period}/scores", "Scores of every node", "各节点得分"),
    r("get", "/api/projects/{id}/periods/{period}/ranks", "Ranks of every node (1 = best)", "各节点排名"),
    r("get", "/api/projects/{id}/periods/{period}/tiers", "Tiers and tier breaks of every tiered node", "梯队"),
    r("get", "/api/projects/{id}/periods/{period}/audit", "Statistical audit of the period", "统计审计"),
    r(
        "get",
        "/api/projects/{id}/periods/{period}/nodes/{node}",
        "One node: every unit's score, rank and tier",
        "单个节点的结果",
    ),
    r(
        "post",
        "/api/projects/{id}/run",
        "Re-run the project with --set overrides; returns its results and report model (with the flows section, without sensitivity)",
        "以参数覆盖重新计算",
    ),
];

/// The documented routes, including one per registered extension.
pub fn routes(extensions: &[&'static str]) -> Vec<(String, RouteDoc)> {
    let mut v: Vec<(String, RouteDoc)> = ROUTES.iter().map(|r| (r.path.to_string(), *r)).collect();
    for name in extensions {
        v.push((
            format!("/api/projects/{{id}}/{name}"),
            RouteDoc {
                method: "get",
                path: "",
                summary: "Results of a registered extension",
                summary_zh: "扩展结果",
                project: true,
            },
        ));
    }
    v
}

fn params(path: &str) -> Vec<Json> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            let description = match name {
                "id" => "Project id (see /api/projects)",
                "period" => "Period, e.g. 2023",
                "node" => "Node code (indicator, dimension or index)",
                _ => "",
            };
            json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
        })
        .collect()
}

fn err(description: &str) -> Json {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// `POST /api/sql`, listed only when the server has a data catalog (`baydex serve --catalog`).
fn sql_operation() -> Json {
    json!({
        "summary": "One read-only SQL query over the data catalog, as the caller's catalog principal \
                    (its grants, column lists, row filters and masks apply); every request is audited",
        "description": "以调用者在数据目录中的主体身份执行一条只读 SQL 查询；每个请求均记入审计库",
        "operationId": "post_api_sql",
        "security": [{"bearer": []}],
        "requestBody": {
            "required": true,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SqlRequest"}}}
        },
        "responses": {
            "200": {"description": "The result",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SqlResult"}}}},
            "400": err("Malformed body (invalid_body), SQL syntax error (sql_syntax), or not one read-only query \
                        (read_only: DDL, DML, EXPLAIN, SET, several statements)"),
            "401": err("No bearer token (SQL is never public) or a token that is not valid"),
            "403": err("The access policy refuses the query (a table not granted, a table function or other \
                        source), or the token's principal is not in the catalog's policy"),
            "413": err("Body larger than the limit"),
            "422": err("Valid SQL that could not be planned or run (an unknown column, also one the grant hides; a \
                        type error; the memory limit)"),
            "503": err("A source the query names is unavailable (source_unavailable); shutting down"),
            "504": err("The query exceeded the catalog's query_timeout_s (query_timeout)")
        }
    })
}

/// The OpenAPI document; `sql`: the server has a data catalog (`POST /api/sql` is served).
pub fn document(extensions: &[&'static str], sql: bool) -> Json {
    let mut paths = Map::new();
    if sql {
        paths.insert("/api/sql".into(), json!({"post": sql_operation()}));
    }
    for (path, doc) in routes(extensions) {
        let mut responses = Map::new();
        responses.insert(
            "200".into(),
            json!({"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}),
        );
        if doc.project {
            responses.insert("401".into(), err("No or invalid bearer token for a project that is not public"));
            responses.insert("403".into(), err("The principal has no role that may read the project"));
            responses.insert("404".into(), err("Unknown project, period or node"));
        }
        if doc.method == "post" {
            responses.insert("400".into(), err("Malformed body or --set override (the field is named)"));
            responses.insert("413".into(), err("Body larger than the limit"));
            responses.insert("422".into(), err("The project could not be computed with these overrides"));
            responses.insert("429".into(), err("Every run slot is busy"));
        }
        responses.insert("503".into(), err("Timed out or shutting down"));
        let mut op = json!({
            "summary": doc.summary,
            "description": doc.summary_zh,
            "operationId": operation_id(doc.method, &path),
            "parameters": params(&path),
            "responses": responses,
        });
        if doc.method == "post" {
            op["requestBody"] = json!({
                "required": false,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RunRequest"}}}
            });
        }
        if doc.project {
            op["security"] = json!([{}, {"bearer": []}]);
        }
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        entry[doc.method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "baydex API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Composite indices, ranks and tiers of city clusters. 城市群综合指数、排名与梯队。\
                            Errors are {code, message: {en, zh}, field?}. See docs/server.md.",
            "license": {"name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0"}
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "object", "required": ["en", "zh"],
                                    "properties": {"en": {"type": "string"}, "zh": {"type": "string"}}},
                        "field": {"type": "string"}
                    }
                },
                "SqlRequest": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["sql"],
                    "properties": {
                        "sql": {"type": "string", "description": "One SELECT over domain.table names",
                                "examples": ["SELECT city, count(*) AS n FROM finance.payments GROUP BY city"]},
                        "limit": {"type": "integer", "minimum": 0,
                                  "description": "Rows to return at most; default and maximum: the catalog's row_limit"}
                    }
                },
                "SqlResult": {
                    "type": "object",
                    "required": ["columns", "rows", "row_count", "truncated", "tables", "illustrative"],
                    "properties": {
                        "columns": {"type": "array", "items": {"type": "object", "required": ["name", "type"],
                                    "properties": {"name": {"type": "string"},
                                                   "type": {"type": "string", "description": "Arrow type, e.g. Int64, Utf8, Date32"}}}},
                        "rows": {"type": "array", "items": {"type": "array"},
                                 "description": "One array per row, in column order; numbers are numbers, NULL is null, dates and timestamps are text"},
                        "row_count": {"type": "integer"},
                        "truncated": {"type": "boolean", "description": "More rows existed than the limit"},
                        "tables": {"type": "array", "items": {"type": "string"}, "description": "domain.table names read"},
                        "illustrative": {"type": "boolean", "description": "The catalog holds synthetic or illustrative data"}
                    }
                },
                "RunRequest": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {"set": {"type": "array", "items": {"type": "string"},
                                           "description": "STEP.PARAM=VALUE overrides, as baydex run --set",
                                           "examples": [["normalise.method=rank"]]}}
                }
            }
        }
    })
}

fn operation_id(method: &str, path: &str) -> String {
    let mut s = method.to_string();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        let seg = seg.trim_start_matches('{').trim_end_matches('}');
        s.push('_');
        s.extend(seg.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }));
    }
    s
}
