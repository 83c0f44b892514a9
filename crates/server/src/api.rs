//! The router and its handlers: extract → look up (or compute) → encode.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Extension, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use baydex_core::{Error as CoreError, Lang};
use serde::Deserialize;
use serde_json::{Value as Json, json};

use crate::auth::{ADMIN_ROLE, AuditEvent, Principal};
use crate::error::ApiError;
use crate::state::{AppState, PeriodBodies, ProjectState};
use crate::{openapi, portal};

type Shared = Arc<AppState>;
type ApiResult = Result<Response, ApiError>;

/// The caller of a request, resolved from its bearer token by [`authenticate`].
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// Who the token belongs to for project reads (the access file's principals).
    pub principal: Option<Principal>,
    /// Who the token belongs to in the data catalog's access policy (for `POST /api/sql`).
    #[cfg(feature = "catalog")]
    pub catalog_principal: Option<baydex_data::access::Principal>,
    pub method: String,
    pub path: String,
}

/// A JSON body already serialised.
fn json_bytes(b: &Bytes) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], b.clone()).into_response()
}

pub(crate) fn json_value(v: &Json) -> Response {
    json_bytes(&Bytes::from(serde_json::to_vec(v).unwrap_or_default()))
}

/// Builds the router over the shared state.
pub(crate) fn router(state: Shared) -> Router {
    let mut api = Router::new()
        .route("/api/projects", get(projects))
        .route("/api/projects/{id}", get(project))
        .route("/api/projects/{id}/periods", get(periods))
        .route("/api/projects/{id}/units", get(units))
        .route("/api/projects/{id}/framework", get(framework))
        .route("/api/projects/{id}/report", get(report))
        .route("/api/projects/{id}/periods/{period}/results", get(results))
        .route("/api/projects/{id}/periods/{period}/scores", get(scores))
        .route("/api/projects/{id}/periods/{period}/ranks", get(ranks))
        .route("/api/projects/{id}/periods/{period}/tiers", get(tiers))
        .route("/api/projects/{id}/periods/{period}/audit", get(audit))
        .route("/api/projects/{id}/periods/{period}/nodes/{node}", get(node))
        .route("/api/projects/{id}/run", post(run));
    // SQL over the data catalog, authorised through the same `Caller` (its catalog principal);
    // present only when the server has a catalog.
    #[cfg(feature = "catalog")]
    if state.catalog.is_some() {
        api = api.route(crate::sql::PATH, post(crate::sql::sql));
    }
    // Extension point: results other crates compute per project (sensitivity, flows, …), one
    // route each, listed in the OpenAPI document.
    for name in &state.extension_names {
        let name: &'static str = name;
        api = api.route(
            &format!("/api/projects/{{id}}/{name}"),
            get(move |s: State<Shared>, c: Extension<Caller>, p: Path<String>| extension(s, c, p, name)),
        );
    }
    let api = api
        .layer(DefaultBodyLimit::max(state.limits.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/openapi.json", get(openapi_doc))
        .merge(portal::routes())
        .merge(api)
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(state.clone(), timeout))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// Resolves the bearer token (if any) into a [`Caller`]; a token that neither the access file nor
/// the data catalog's policy knows is a 401.
async fn authenticate(State(s): State<Shared>, mut req: Request, next: Next) -> Response {
    let sent = req.headers().get(header::AUTHORIZATION);
    let token = sent.map(|v| v.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim));
    let principal = token.flatten().and_then(|t| s.authenticator.authenticate(t));
    #[cfg(feature = "catalog")]
    let catalog_principal = token.flatten().and_then(|t| {
        s.catalog
            .as_ref()
            .and_then(|c| c.policy.as_ref())
            .and_then(|p| baydex_data::access::AccessPolicy::authenticate(p, t))
    });
    #[cfg(feature = "catalog")]
    let known = principal.is_some() || catalog_principal.is_some();
    #[cfg(not(feature = "catalog"))]
    let known = principal.is_some();
    if token.is_some() && !known {
        let e = ApiError::unauthorized(
            "the bearer token is not valid; send Authorization: Bearer TOKEN with a token from the access file",
            "令牌无效；请发送 Authorization: Bearer 令牌，令牌须在访问配置文件中登记",
        );
        #[cfg(feature = "catalog")]
        crate::sql::audit_invalid_token(&s, req.uri().path(), &e);
        return e.into_response();
    }
    let caller = Caller {
        principal,
        #[cfg(feature = "catalog")]
        catalog_principal,
        method: req.method().to_string(),
        path: req.uri().path().to_string(),
    };
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// Ends a request that takes longer than the configured timeout with a 503. A response that
/// became ready only after the limit (the runtime may wake late on a loaded machine, or the
/// handler finished its last synchronous part past the deadline) is refused the same way, so the
/// limit holds whatever the scheduling.
async fn timeout(State(s): State<Shared>, req: Request, next: Next) -> Response {
    #[cfg(feature = "catalog")]
    let limit = crate::sql::time_limit(&s, req.uri().path()).unwrap_or(s.limits.timeout);
    #[cfg(not(feature = "catalog"))]
    let limit = s.limits.timeout;
    let start = tokio::time::Instant::now();
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) if start.elapsed() <= limit => r,
        _ => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than {} s and was stopped; try again or with fewer changes",
                limit.as_secs_f64()
            ),
            format!("请求超过 {} 秒，已中止；请重试或减少改动", limit.as_secs_f64()),
        )
        .into_response(),
    }
}

/// One structured log line per request (debug for successes, info for client errors, warn for
/// server errors).
async fn log_request(req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let t0 = Instant::now();
    let r = next.run(req).await;
    let status = r.status().as_u16();
    let micros = u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX);
    if status >= 500 {
        tracing::warn!(target: "baydex::http", %method, %path, status, micros, "request");
    } else if status >= 400 {
        tracing::info!(target: "baydex::http", %method, %path, status, micros, "request");
    } else {
        tracing::debug!(target: "baydex::http", %method, %path, status, micros, "request");
    }
    r
}

impl AppState {
    /// Whether `p` may read project `ps` (no audit).
    fn may_read(&self, p: Option<&Principal>, ps: &ProjectState) -> bool {
        ps.access.public || p.is_some_and(|p| p.has_role(ADMIN_ROLE) || ps.access.roles.iter().any(|r| p.has_role(r)))
    }

    /// The project `id` if the caller may read it; every access to a restricted project is audited.
    fn project(&self, c: &Caller, id: &str) -> Result<&Arc<ProjectState>, ApiError> {
        let Some(ps) = self.by_id.get(id) else {
            let visible: Vec<String> =
                self.projects.iter().filter(|p| self.may_read(c.principal.as_ref(), p)).map(|p| p.id.clone()).collect();
            return Err(ApiError::not_found("project", "项目", id, &visible));
        };
        if ps.access.public {
            return Ok(ps);
        }
        let granted = self.may_read(c.principal.as_ref(), ps);
        self.audit
            .record(&AuditEvent {
                principal: c.principal.as_ref().map_or_else(|| "anonymous".to_string(), |p| p.name.clone()),
                roles: c.principal.as_ref().map(|p| p.roles.clone()).unwrap_or_default(),
                project: id.to_string(),
                method: c.method.clone(),
                path: c.path.clone(),
                outcome: if granted { "granted" } else { "denied" },
            })
            .map_err(|e| audit_unavailable(&e))?;
        match (&c.principal, granted) {
            (_, true) => Ok(ps),
            (None, false) => Err(ApiError::unauthorized(
                &format!("project '{id}' is not public; send Authorization: Bearer TOKEN"),
                &format!("项目 '{id}' 不公开；请发送 Authorization: Bearer 令牌"),
            )),
            (Some(p), false) => Err(ApiError::forbidden(
                format!("principal '{}' may not read project '{id}'; ask for one of its roles", p.name),
                format!("主体 '{}' 无权读取项目 '{id}'；请申请该项目的角色", p.name),
            )),
        }
    }
}

fn period<'a>(ps: &'a ProjectState, period: &str) -> Result<&'a PeriodBodies, ApiError> {
    ps.by_period.get(period).ok_or_else(|| ApiError::not_found("period", "期", period, &ps.loaded.project.meta.periods))
}

async fn healthz() -> Response {
    json_value(&json!({"status": "ok"}))
}

async fn readyz(State(s): State<Shared>) -> Response {
    if s.ready.load(Ordering::Acquire) {
        json_value(&json!({"status": "ready", "projects": s.projects.len()}))
    } else {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", "the server is shutting down", "服务正在关闭")
            .into_response()
    }
}

async fn openapi_doc(State(s): State<Shared>) -> Response {
    json_value(&openapi::document(&s.extension_names, s.has_catalog()))
}

async fn no_route(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route {}; the routes are listed at /openapi.json", req.uri().path()),
        format!("没有路由 {}；全部路由见 /openapi.json", req.uri().path()),
    )
}

async fn wrong_method(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} is not allowed on {}; see /openapi.json", req.method(), req.uri().path()),
        format!("{} 不能用于 {}；参见 /openapi.json", req.method(), req.uri().path()),
    )
}

async fn projects(State(s): State<Shared>, Extension(c): Extension<Caller>) -> ApiResult {
    let visible: Vec<&Arc<ProjectState>> = s.projects.iter().filter(|p| s.may_read(c.principal.as_ref(), p)).collect();
    // Listing a restricted project reads its metadata: audited like any other read of it.
    for p in visible.iter().filter(|p| !p.access.public) {
        s.audit
            .record(&AuditEvent {
                principal: c.principal.as_ref().map_or_else(|| "anonymous".to_string(), |p| p.name.clone()),
                roles: c.principal.as_ref().map(|p| p.roles.clone()).unwrap_or_default(),
                project: p.id.clone(),
                method: c.method.clone(),
                path: c.path.clone(),
                outcome: "granted",
            })
            .map_err(|e| audit_unavailable(&e))?;
    }
    let list: Vec<&Json> = visible.iter().map(|p| &p.summary).collect();
    Ok(json_value(&json!({"projects": list})))
}

/// A restricted read whose audit event could not be stored is refused (fail closed).
fn audit_unavailable(why: &str) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "audit_unavailable",
        format!("the audit log cannot record this read of restricted data ({why}); nothing is served until it can"),
        format!("审计日志无法记录此次受限数据读取（{why}）；在恢复之前不提供数据"),
    )
}

async fn project(State(s): State<Shared>, Extension(c): Extension<Caller>, Path(id): Path<String>) -> ApiResult {
    Ok(json_bytes(&s.project(&c, &id)?.detail))
}

async fn periods(State(s): State<Shared>, Extension(c): Extension<Caller>, Path(id): Path<String>) -> ApiResult {
    Ok(json_bytes(&s.project(&c, &id)?.periods))
}

async fn units(State(s): State<Shared>, Extension(c): Extension<Caller>, Path(id): Path<String>) -> ApiResult {
    Ok(json_bytes(&s.project(&c, &id)?.units))
}

async fn framework(State(s): State<Shared>, Extension(c): Extension<Caller>, Path(id): Path<String>) -> ApiResult {
    Ok(json_bytes(&s.project(&c, &id)?.framework))
}

async fn report(State(s): State<Shared>, Extension(c): Extension<Caller>, Path(id): Path<String>) -> ApiResult {
    s.project(&c, &id)?.report.as_ref().map(json_bytes).map_err(Clone::clone)
}

type PeriodPath = Path<(String, String)>;

async fn results(State(s): State<Shared>, Extension(c): Extension<Caller>, Path((id, p)): PeriodPath) -> ApiResult {
    Ok(json_bytes(&period(s.project(&c, &id)?, &p)?.results))
}

async fn scores(State(s): State<Shared>, Extension(c): Extension<Caller>, Path((id, p)): PeriodPath) -> ApiResult {
    Ok(json_bytes(&period(s.project(&c, &id)?, &p)?.scores))
}

async fn ranks(State(s): State<Shared>, Extension(c): Extension<Caller>, Path((id, p)): PeriodPath) -> ApiResult {
    Ok(json_bytes(&period(s.project(&c, &id)?, &p)?.ranks))
}

async fn tiers(State(s): State<Shared>, Extension(c): Extension<Caller>, Path((id, p)): PeriodPath) -> ApiResult {
    Ok(json_bytes(&period(s.project(&c, &id)?, &p)?.tiers))
}

async fn audit(State(s): State<Shared>, Extension(c): Extension<Caller>, Path((id, p)): PeriodPath) -> ApiResult {
    Ok(json_bytes(&period(s.project(&c, &id)?, &p)?.audit))
}

async fn node(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Path((id, p, code)): Path<(String, String, String)>,
) -> ApiResult {
    let ps = s.project(&c, &id)?;
    period(ps, &p)?;
    let project = &ps.loaded.project;
    let fw = &project.framework;
    let i = fw.find(&code).ok_or_else(|| {
        let codes: Vec<String> = fw.output_order().into_iter().map(|i| fw.node(i).code().to_string()).collect();
        ApiError::not_found("node", "节点", &code, &codes)
    })?;
    let pr = ps
        .results
        .periods
        .iter()
        .find(|r| r.period == p)
        .ok_or_else(|| ApiError::internal("period without results", "该期没有结果"))?;
    let n = fw.node(i);
    let rows: Vec<Json> = pr
        .units()
        .iter()
        .enumerate()
        .map(|(u, code)| {
            let unit = project.units.iter().find(|x| &x.code == code);
            let tier = match (pr.tiers(i)[u], &project.tiers) {
                (Some(t), Some(s)) => json!(s.bands[t].code),
                _ => Json::Null,
            };
            let score = pr.scores(i)[u];
            json!({"unit": code, "name": unit.map(|x| &x.name), "score": if score.is_finite() { json!(score) } else { Json::Null },
                   "rank": pr.ranks(i)[u], "tier": tier})
        })
        .collect();
    let children: Vec<&str> = n.children.iter().map(|&c| fw.node(c).code()).collect();
    Ok(json_value(&json!({
        "period": p,
        "node": {"code": n.code(), "name": n.spec.name, "level": n.level, "kind": n.spec.kind,
                 "parent": n.spec.parent, "children": children,
                 "weight": pr.weights[i], "effective_weight": pr.effective_weights[i]},
        "tier_breaks": pr.tier_breaks(i),
        "units": rows,
    })))
}

async fn extension(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    name: &'static str,
) -> ApiResult {
    let ps = s.project(&c, &id)?;
    ps.extensions.get(name).map(json_bytes).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_available",
            format!("project '{id}' has no {name} results"),
            format!("项目 '{id}' 没有 {name} 结果"),
        )
    })
}

/// Body of `POST /api/projects/{id}/run`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    /// `STEP.PARAM=VALUE` overrides, as `baydex run --set`.
    #[serde(default)]
    set: Vec<String>,
}

async fn run(
    State(s): State<Shared>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let ps = s.project(&c, &id)?.clone();
    if s.access_configured && c.principal.is_none() {
        return Err(ApiError::unauthorized(
            "running a project needs a principal; send Authorization: Bearer TOKEN",
            "运行项目需要身份认证；请发送 Authorization: Bearer 令牌",
        ));
    }
    let body = body.map_err(|r| {
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
    })?;
    let req: RunRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RunRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                format!("the body is not a valid run request ({e}); send {{\"set\": [\"normalise.method=rank\"]}}"),
                format!("请求体不是有效的运行请求（{e}）；请发送 {{\"set\": [\"normalise.method=rank\"]}}"),
            )
        })?
    };
    let mut project = ps.loaded.project.clone();
    for (k, a) in req.set.iter().enumerate() {
        baydex_data::apply_set(&mut project.pipeline, a).map_err(|d| ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_set",
            message: baydex_core::Text::new(
                format!("set[{k}] '{a}': {} ({})", d.message.en, d.help.en),
                format!("set[{k}] '{a}'：{}（{}）", d.message.get(Lang::Zh), d.help.get(Lang::Zh)),
            ),
            field: Some(format!("set[{k}]")),
        })?;
    }
    let Ok(_permit) = s.run_slots.try_acquire() else {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "busy",
            "every run slot is busy; try again shortly",
            "运行名额已满；请稍后重试",
        ));
    };
    let computed = tokio::task::spawn_blocking(move || baydex_core::compute(&project).map(|r| (project, r)))
        .await
        .map_err(|e| ApiError::internal(format!("the run failed: {e}"), format!("运行失败：{e}")))?;
    let msg = s.core_message;
    let (project, results) = computed.map_err(|e| {
        let param = matches!(e, CoreError::Param { .. });
        let err = ApiError::new(
            if param { StatusCode::BAD_REQUEST } else { StatusCode::UNPROCESSABLE_ENTITY },
            if param { "invalid_parameter" } else { "compute_failed" },
            msg(&e, Lang::En),
            msg(&e, Lang::Zh),
        );
        if param { err.with_field("set") } else { err }
    })?;
    let out = baydex_data::output::results_json(&project, &results, &[]);
    let manifest = baydex_data::output::manifest_json(&ps.loaded, &results, &req.set);
    let mut report = crate::state::report_model(&project, &results, &manifest).unwrap_or(Json::Null);
    // The flows section does not depend on the pipeline, so `--set` cannot change it; the
    // sensitivity section would have to be recomputed for the changed pipeline and is left out.
    if let Some(flows) = ps.extensions.get("flows").and_then(|b| serde_json::from_slice::<Json>(b).ok()) {
        baydex_report::ReportModel::add_section_json(&mut report, "flows", flows);
    }
    Ok(json_value(&json!({"project": id, "set": req.set, "results": out, "report": report})))
}
