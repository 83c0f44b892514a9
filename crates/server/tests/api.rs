//! API tests: the router in-process (tower `oneshot`), every route, against the numbers of
//! `baydex_core::compute` on the same project files. Scores travel as JSON numbers printed with
//! the shortest round-trip representation (serde_json `float_roundtrip`), so they must come back
//! bit-identical: the comparisons below are exact on purpose.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use baydex_server::auth::token_sha256;
use baydex_server::openapi::ROUTES;
use baydex_server::{AccessConfig, App, Limits, MemoryAudit, ServeConfig, ServedProject};
use http_body_util::BodyExt;
use serde_json::{Value as Json, json};
use tower::ServiceExt;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load(file: &str) -> baydex_data::LoadedProject {
    baydex_data::load_project_path(&repo().join("examples/gba").join(file)).expect("example loads")
}

fn projects() -> Vec<ServedProject> {
    vec![
        ServedProject { id: "gba".into(), loaded: load("gba.toml") },
        ServedProject { id: "gba-panel".into(), loaded: load("panel.toml") },
    ]
}

fn open_app() -> Router {
    App::build(ServeConfig::new(projects())).expect("app builds").router()
}

const ACCESS: &str = r#"
[[principal]]
name = "ana"
token_sha256 = "HASH_ANALYST"
roles = ["analyst"]

[[principal]]
name = "vic"
token_sha256 = "HASH_VIEWER"
roles = ["viewer"]

[[principal]]
name = "root"
token_sha256 = "HASH_ADMIN"
roles = ["admin"]

[[project]]
id = "gba"
public = true

[[project]]
id = "gba-panel"
roles = ["analyst"]
"#;

fn secured_app(limits: Limits) -> (Router, Arc<MemoryAudit>) {
    let text = ACCESS
        .replace("HASH_ANALYST", &token_sha256("t-analyst"))
        .replace("HASH_VIEWER", &token_sha256("t-viewer"))
        .replace("HASH_ADMIN", &token_sha256("t-admin"));
    let access = AccessConfig::parse("auth.toml", &text, &["gba".into(), "gba-panel".into()]).expect("access file");
    let audit = Arc::new(MemoryAudit::default());
    let config = ServeConfig { access: Some(access), audit: audit.clone(), limits, ..ServeConfig::new(projects()) };
    (App::build(config).expect("app builds").router(), audit)
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Json {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    /// Asserts a JSON error with this status and code, with both languages.
    fn error(&self, status: StatusCode, code: &str) -> Json {
        assert_eq!(self.status, status, "{}", String::from_utf8_lossy(&self.body));
        assert_eq!(self.headers[header::CONTENT_TYPE], "application/json");
        let j = self.json();
        assert_eq!(j["code"], code, "{j}");
        assert!(!j["message"]["en"].as_str().unwrap_or_default().is_empty(), "{j}");
        assert!(!j["message"]["zh"].as_str().unwrap_or_default().is_empty(), "{j}");
        j
    }
}

async fn call(app: &Router, method: Method, uri: &str, token: Option<&str>, body: Option<Vec<u8>>) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let req = req.body(body.map_or_else(Body::empty, Body::from)).expect("request");
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.expect("body").to_bytes().to_vec();
    Reply { status, headers, body }
}

async fn get(app: &Router, uri: &str) -> Reply {
    call(app, Method::GET, uri, None, None).await
}

async fn get_ok(app: &Router, uri: &str) -> Json {
    let r = get(app, uri).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/json", "{uri}");
    r.json()
}

fn num(x: f64) -> Json {
    if x.is_finite() { json!(x) } else { Json::Null }
}

#[tokio::test]
async fn health_and_readiness() {
    let app = open_app();
    assert_eq!(get_ok(&app, "/healthz").await["status"], "ok");
    let r = get_ok(&app, "/readyz").await;
    assert_eq!(r["status"], "ready");
    assert_eq!(r["projects"], 2);
}

#[tokio::test]
async fn projects_periods_units_framework() {
    let app = open_app();
    let gba = load("gba.toml");
    let list = get_ok(&app, "/api/projects").await;
    let ids: Vec<&str> = list["projects"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["gba", "gba-panel"]);
    assert_eq!(list["projects"][0]["illustrative"], true);
    assert_eq!(list["projects"][1]["illustrative"], false);
    assert_eq!(list["projects"][0]["units"], 11);
    assert_eq!(list["projects"][0]["public"], true);

    let p = get_ok(&app, "/api/projects/gba").await;
    assert_eq!(p["index"]["code"], "DEI");
    assert_eq!(p["index"]["name"]["zh"], gba.project.meta.name.zh);
    assert_eq!(p["manifest"]["illustrative"], true);
    assert_eq!(p["manifest"]["inputs"].as_array().unwrap().len(), gba.inputs.len());

    let periods = get_ok(&app, "/api/projects/gba-panel/periods").await;
    let panel = load("panel.toml");
    assert_eq!(periods["periods"], json!(panel.project.meta.periods));

    let units = get_ok(&app, "/api/projects/gba/units").await;
    let units = units["units"].as_array().unwrap();
    assert_eq!(units.len(), gba.project.units.len());
    for (j, u) in units.iter().zip(&gba.project.units) {
        assert_eq!(j["code"], u.code);
        assert_eq!(j["name"]["en"], u.name.en);
        assert_eq!(j["lon"], json!(u.lon));
    }

    let fw = get_ok(&app, "/api/projects/gba/framework").await;
    assert_eq!(fw["root"], "DEI");
    let nodes = fw["framework"].as_array().unwrap();
    assert_eq!(nodes.len(), gba.project.framework.nodes().len());
    let dims = nodes.iter().filter(|n| n["parent"] == "DEI").count();
    assert_eq!(dims, 6, "the GBA framework has six dimensions");
}

/// Scores, ranks, tiers and node results of every period of both projects against
/// `baydex_core::compute` on the same files.
#[tokio::test]
async fn period_results_match_compute() {
    let app = open_app();
    for (id, file) in [("gba", "gba.toml"), ("gba-panel", "panel.toml")] {
        let l = load(file);
        let p = &l.project;
        let fw = &p.framework;
        let results = baydex_core::compute(p).expect("computes");
        for pr in &results.periods {
            let base = format!("/api/projects/{id}/periods/{}", pr.period);
            let scores = get_ok(&app, &format!("{base}/scores")).await;
            let ranks = get_ok(&app, &format!("{base}/ranks")).await;
            let tiers = get_ok(&app, &format!("{base}/tiers")).await;
            let all = get_ok(&app, &format!("{base}/results")).await;
            assert_eq!(scores["units"], json!(pr.units()));
            for i in fw.output_order() {
                let code = fw.node(i).code();
                let want: Vec<Json> = pr.scores(i).iter().map(|&x| num(x)).collect();
                assert_eq!(scores["scores"][code], json!(want), "{id} {} {code} scores", pr.period);
                assert_eq!(all["nodes"][code]["score"], json!(want), "{id} {} {code} results", pr.period);
                assert_eq!(ranks["ranks"][code], json!(pr.ranks(i)), "{id} {} {code} ranks", pr.period);
                match (pr.tier_breaks(i), &p.tiers) {
                    (Some(_), Some(s)) => {
                        let want: Vec<Json> =
                            pr.tiers(i).iter().map(|t| t.map_or(Json::Null, |t| json!(s.bands[t].code))).collect();
                        assert_eq!(tiers["tiers"][code]["tier"], json!(want), "{id} {code} tiers");
                    }
                    _ => assert!(tiers["tiers"].get(code).is_none(), "{code} is not tiered"),
                }
            }
            // One node in full: the index.
            let root = fw.root();
            let node = get_ok(&app, &format!("{base}/nodes/{}", fw.node(root).code())).await;
            assert_eq!(node["node"]["code"], fw.node(root).code());
            let rows = node["units"].as_array().unwrap();
            assert_eq!(rows.len(), pr.units().len());
            for (u, row) in rows.iter().enumerate() {
                assert_eq!(row["unit"], pr.units()[u]);
                assert_eq!(row["score"], num(pr.scores(root)[u]));
                assert_eq!(row["rank"], json!(pr.ranks(root)[u]));
            }
        }
    }
}

/// The report model (baydex_report::ReportModel) as served: ranking and index scores against
/// `baydex_core::compute`, the illustrative flag, and the narrative in both languages.
#[tokio::test]
async fn report_model_matches_compute() {
    let app = open_app();
    let l = load("gba.toml");
    let results = baydex_core::compute(&l.project).unwrap();
    let pr = &results.periods[0];
    let root = l.project.framework.root();
    let m = get_ok(&app, "/api/projects/gba/report").await;
    assert_eq!(m["index"]["illustrative"], true);
    assert_eq!(m["root"], "DEI");
    let mut by_rank: Vec<(u32, &String)> =
        pr.units().iter().enumerate().map(|(u, c)| (pr.ranks(root)[u].unwrap(), c)).collect();
    by_rank.sort();
    let want: Vec<&String> = by_rank.iter().map(|(_, c)| *c).collect();
    assert_eq!(m["results"][0]["ranking"], json!(want));
    let narrative = &m["results"][0]["narrative"][0]["text"];
    assert!(!narrative["zh"].as_str().unwrap().is_empty() && !narrative["en"].as_str().unwrap().is_empty());
    let panel = get_ok(&app, "/api/projects/gba-panel/report").await;
    assert_eq!(panel["periods"].as_array().unwrap().len(), load("panel.toml").project.meta.periods.len());
    // A re-run returns the report model of its own results.
    let body = br#"{"set": ["normalise.method=rank"]}"#.to_vec();
    let r = call(&app, Method::POST, "/api/projects/gba/run", None, Some(body)).await.json();
    assert_eq!(r["report"]["provenance"]["set"], json!(["normalise.method=rank"]));
}

#[tokio::test]
async fn gba_tiers_and_audit() {
    let app = open_app();
    let tiers = get_ok(&app, "/api/projects/gba/periods/2023/tiers").await;
    // The GBA default's fixed thresholds (examples/gba/gba.toml): 80, 50, catch-all (null = -inf).
    assert_eq!(tiers["tiers"]["DEI"]["breaks"], json!([80.0, 50.0, null]));
    assert_eq!(tiers["scheme"]["method"], "fixed");
    let audit = get_ok(&app, "/api/projects/gba/periods/2023/audit").await;
    let want = baydex_core::audit::audit_results(
        &load("gba.toml").project,
        &baydex_core::compute(&load("gba.toml").project).unwrap(),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(audit["period"], "2023");
    assert_eq!(audit["n_units"], want[0].n_units);
    assert_eq!(audit["cronbach"].as_array().unwrap().len(), want[0].cronbach.len());
    let alpha0 = audit["cronbach"][0]["alpha"].as_f64().unwrap();
    assert_eq!(alpha0, want[0].cronbach[0].alpha);
}

#[tokio::test]
async fn unknown_things_are_404_json() {
    let app = open_app();
    let j = get(&app, "/api/projects/gab").await.error(StatusCode::NOT_FOUND, "not_found");
    assert!(j["message"]["en"].as_str().unwrap().contains("known: gba, gba-panel"), "{j}");
    let j = get(&app, "/api/projects/gba/periods/1999/scores").await.error(StatusCode::NOT_FOUND, "not_found");
    assert!(j["message"]["en"].as_str().unwrap().contains("'1999'; known: 2023"), "{j}");
    get(&app, "/api/projects/gba/periods/1999/results").await.error(StatusCode::NOT_FOUND, "not_found");
    let j = get(&app, "/api/projects/gba/periods/2023/nodes/NOPE").await.error(StatusCode::NOT_FOUND, "not_found");
    assert!(j["message"]["zh"].as_str().unwrap().contains("没有节点 'NOPE'"), "{j}");
    get(&app, "/api/nothing").await.error(StatusCode::NOT_FOUND, "not_found");
    call(&app, Method::DELETE, "/api/projects/gba", None, None)
        .await
        .error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    call(&app, Method::GET, "/api/projects/gba/run", None, None)
        .await
        .error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn run_with_overrides_matches_compute() {
    let app = open_app();
    let body = br#"{"set": ["normalise.method=rank", "aggregate.method=gmean"]}"#.to_vec();
    let r = call(&app, Method::POST, "/api/projects/gba/run", None, Some(body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let j = r.json();
    assert_eq!(j["set"], json!(["normalise.method=rank", "aggregate.method=gmean"]));
    let mut l = load("gba.toml");
    baydex_data::apply_set(&mut l.project.pipeline, "normalise.method=rank").unwrap();
    baydex_data::apply_set(&mut l.project.pipeline, "aggregate.method=gmean").unwrap();
    let want = baydex_core::compute(&l.project).unwrap();
    let fw = &l.project.framework;
    let pr = &want.periods[0];
    for i in fw.output_order() {
        let s: Vec<Json> = pr.scores(i).iter().map(|&x| num(x)).collect();
        assert_eq!(j["results"]["results"][0]["nodes"][fw.node(i).code()]["score"], json!(s));
    }
    // The overridden run differs from the default (otherwise this test would prove nothing).
    let default = get_ok(&app, "/api/projects/gba/periods/2023/scores").await;
    assert_ne!(default["scores"]["DEI"], j["results"]["results"][0]["nodes"]["DEI"]["score"]);
    // An empty body re-runs as is.
    let r = call(&app, Method::POST, "/api/projects/gba/run", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["results"]["results"][0]["nodes"]["DEI"]["score"], default["scores"]["DEI"]);
}

#[tokio::test]
async fn run_bad_input_names_the_field() {
    let app = open_app();
    let post = |b: &[u8]| call(&app, Method::POST, "/api/projects/gba/run", None, Some(b.to_vec()));
    let j = post(br#"{"set": ["normalise.method=rank", "normalise.method"]}"#)
        .await
        .error(StatusCode::BAD_REQUEST, "invalid_set");
    assert_eq!(j["field"], "set[1]");
    assert!(j["message"]["en"].as_str().unwrap().contains("missing '='"), "{j}");
    let j = post(br#"{"set": ["normalize.method=rank"]}"#).await.error(StatusCode::BAD_REQUEST, "invalid_set");
    assert_eq!(j["field"], "set[0]");
    assert!(j["message"]["en"].as_str().unwrap().contains("no step 'normalize'"), "{j}");
    let j = post(br#"{"set": ["normalise.methd=rank"]}"#).await.error(StatusCode::BAD_REQUEST, "invalid_parameter");
    assert_eq!(j["field"], "set");
    assert!(j["message"]["en"].as_str().unwrap().contains("methd"), "{j}");
    let j = post(br#"{"sets": []}"#).await.error(StatusCode::BAD_REQUEST, "invalid_body");
    assert!(j["message"]["en"].as_str().unwrap().contains("sets"), "{j}");
    post(b"{not json").await.error(StatusCode::BAD_REQUEST, "invalid_body");
    call(&app, Method::POST, "/api/projects/nope/run", None, Some(b"{}".to_vec()))
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn oversized_body_is_413() {
    let (app, _) = secured_app(Limits { max_body_bytes: 1024, ..Limits::default() });
    let big = format!("{{\"set\": [\"{}\"]}}", "x".repeat(4096)).into_bytes();
    call(&app, Method::POST, "/api/projects/gba/run", Some("t-analyst"), Some(big))
        .await
        .error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn slow_requests_time_out() {
    // A zero limit: the run (on a blocking thread) cannot be ready at the first poll, and the
    // deadline has already passed then, so the answer is a 503 whatever the machine's load. (A
    // 1 ms limit was flaky on a loaded machine: a late wake-up found the run already finished.)
    let (app, _) = secured_app(Limits { timeout: Duration::ZERO, ..Limits::default() });
    call(&app, Method::POST, "/api/projects/gba-panel/run", Some("t-analyst"), Some(b"{}".to_vec()))
        .await
        .error(StatusCode::SERVICE_UNAVAILABLE, "timeout");
}

#[tokio::test]
async fn authorisation() {
    let (app, audit) = secured_app(Limits::default());
    // Anonymous: only the public project is listed and readable; reads of it are not audited.
    let list = get_ok(&app, "/api/projects").await;
    assert_eq!(list["projects"].as_array().unwrap().len(), 1);
    assert_eq!(list["projects"][0]["id"], "gba");
    get_ok(&app, "/api/projects/gba/periods/2023/results").await;
    assert!(audit.events().is_empty());
    let r = get(&app, "/api/projects/gba-panel/periods").await;
    r.error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(r.headers[header::WWW_AUTHENTICATE].to_str().unwrap().starts_with("Bearer"));
    // A restricted project is not named to someone who may not read it.
    let j = get(&app, "/api/projects/nope").await.error(StatusCode::NOT_FOUND, "not_found");
    assert!(!j["message"]["en"].as_str().unwrap().contains("gba-panel"), "{j}");
    // An invalid token is refused even for a public project.
    call(&app, Method::GET, "/api/projects/gba", Some("wrong"), None)
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
    let req =
        Request::builder().uri("/api/projects/gba").header(header::AUTHORIZATION, "Basic abc").body(Body::empty());
    let resp = app.clone().oneshot(req.unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // A principal without the role: 403.
    let j = call(&app, Method::GET, "/api/projects/gba-panel/periods", Some("t-viewer"), None)
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    assert!(j["message"]["en"].as_str().unwrap().contains("'vic'"), "{j}");
    // With the role, and as admin: 200; the viewer's list does not show the restricted project.
    let r = call(&app, Method::GET, "/api/projects/gba-panel/periods/2010/results", Some("t-analyst"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = call(&app, Method::GET, "/api/projects/gba-panel", Some("t-admin"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = call(&app, Method::GET, "/api/projects", Some("t-analyst"), None).await;
    assert_eq!(r.json()["projects"].as_array().unwrap().len(), 2);
    let r = call(&app, Method::GET, "/api/projects", Some("t-viewer"), None).await;
    assert_eq!(r.json()["projects"].as_array().unwrap().len(), 1);
    // Every access to restricted data was audited, granted or denied; nothing else was.
    let ev: Vec<(String, String, &str)> =
        audit.events().into_iter().map(|e| (e.principal, e.path, e.outcome)).collect();
    assert_eq!(
        ev,
        [
            ("anonymous".to_string(), "/api/projects/gba-panel/periods".to_string(), "denied"),
            ("vic".into(), "/api/projects/gba-panel/periods".into(), "denied"),
            ("ana".into(), "/api/projects/gba-panel/periods/2010/results".into(), "granted"),
            ("root".into(), "/api/projects/gba-panel".into(), "granted"),
            // The analyst's list names the restricted project; the viewer's does not.
            ("ana".into(), "/api/projects".into(), "granted"),
        ]
    );
    // Running needs a principal once an access file is in force, even on a public project.
    call(&app, Method::POST, "/api/projects/gba/run", None, Some(b"{}".to_vec()))
        .await
        .error(StatusCode::UNAUTHORIZED, "unauthorized");
    let r = call(&app, Method::POST, "/api/projects/gba/run", Some("t-viewer"), Some(b"{}".to_vec())).await;
    assert_eq!(r.status, StatusCode::OK);
}

/// An audit store that cannot write (a full disk, a lost database).
#[derive(Debug)]
struct BrokenAudit;

impl baydex_server::auth::AuditSink for BrokenAudit {
    fn record(&self, _: &baydex_server::auth::AuditEvent) -> Result<(), String> {
        Err("disk full".into())
    }
}

/// When the audit store cannot record a read of restricted data, the read is refused (503
/// `audit_unavailable`, both languages): nothing restricted is served unaudited. Public data,
/// which is not audited, is still served.
#[tokio::test]
async fn restricted_reads_fail_closed_when_the_audit_store_fails() {
    let text = ACCESS
        .replace("HASH_ANALYST", &token_sha256("t-analyst"))
        .replace("HASH_VIEWER", &token_sha256("t-viewer"))
        .replace("HASH_ADMIN", &token_sha256("t-admin"));
    let access = AccessConfig::parse("auth.toml", &text, &["gba".into(), "gba-panel".into()]).expect("access file");
    let config = ServeConfig { access: Some(access), audit: Arc::new(BrokenAudit), ..ServeConfig::new(projects()) };
    let app = App::build(config).expect("app builds").router();
    let j = call(&app, Method::GET, "/api/projects/gba-panel/periods", Some("t-analyst"), None)
        .await
        .error(StatusCode::SERVICE_UNAVAILABLE, "audit_unavailable");
    assert!(j["message"]["en"].as_str().unwrap().contains("disk full"), "{j}");
    assert!(j["message"]["zh"].as_str().unwrap().contains("审计日志"), "{j}");
    // The list names a restricted project to the analyst: refused too.
    call(&app, Method::GET, "/api/projects", Some("t-analyst"), None)
        .await
        .error(StatusCode::SERVICE_UNAVAILABLE, "audit_unavailable");
    // Public data is not audited and still served; so is the viewer's list (public projects only).
    assert_eq!(call(&app, Method::GET, "/api/projects/gba/periods", None, None).await.status, StatusCode::OK);
    let r = call(&app, Method::GET, "/api/projects", Some("t-viewer"), None).await;
    assert_eq!(r.json()["projects"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn portal_assets_have_content_types() {
    let app = open_app();
    for (path, ctype) in [
        ("/", "text/html; charset=utf-8"),
        ("/portal.js", "text/javascript; charset=utf-8"),
        ("/portal.css", "text/css; charset=utf-8"),
        ("/charts.js", "text/javascript; charset=utf-8"),
        ("/vendor/echarts/echarts.min.js", "text/javascript; charset=utf-8"),
        ("/vendor/gba-boundaries/gba-11-cities.geojson", "application/geo+json"),
    ] {
        let r = get(&app, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.headers[header::CONTENT_TYPE], ctype, "{path}");
        assert!(r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("default-src 'self'"));
        let on_disk =
            std::fs::read(repo().join("web").join(if path == "/" { "index.html" } else { &path[1..] })).unwrap();
        assert!(
            r.body == on_disk,
            "{path} is not served as it is in web/ ({} bytes served, {} on disk)",
            r.body.len(),
            on_disk.len()
        );
    }
    let geo: Json =
        serde_json::from_slice(&get(&app, "/vendor/gba-boundaries/gba-11-cities.geojson").await.body).unwrap();
    assert_eq!(geo["features"].as_array().unwrap().len(), 11);
}

/// Every route the router serves, written out by hand: the OpenAPI document must list exactly
/// these, and each must be served (filled with real ids it answers neither "no route" nor 405).
const EXPECTED_ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/openapi.json"),
    ("get", "/api/projects"),
    ("get", "/api/projects/{id}"),
    ("get", "/api/projects/{id}/periods"),
    ("get", "/api/projects/{id}/units"),
    ("get", "/api/projects/{id}/framework"),
    ("get", "/api/projects/{id}/report"),
    ("get", "/api/projects/{id}/periods/{period}/results"),
    ("get", "/api/projects/{id}/periods/{period}/scores"),
    ("get", "/api/projects/{id}/periods/{period}/ranks"),
    ("get", "/api/projects/{id}/periods/{period}/tiers"),
    ("get", "/api/projects/{id}/periods/{period}/audit"),
    ("get", "/api/projects/{id}/periods/{period}/nodes/{node}"),
    ("post", "/api/projects/{id}/run"),
];

#[tokio::test]
async fn openapi_lists_every_route() {
    let app = open_app();
    let doc = get_ok(&app, "/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    let mut listed: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            listed.push((method.clone(), path.clone()));
            // Every path parameter is declared.
            let declared: Vec<&str> =
                op["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
            let in_path: Vec<&str> = path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
            assert_eq!(declared, in_path, "{path}");
        }
    }
    listed.sort();
    let mut expected: Vec<(String, String)> =
        EXPECTED_ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(ROUTES.len(), EXPECTED_ROUTES.len());
    for (method, path) in EXPECTED_ROUTES {
        let uri = path.replace("{id}", "gba").replace("{period}", "2023").replace("{node}", "DEI");
        let m = if *method == "post" { Method::POST } else { Method::GET };
        let r = call(&app, m, &uri, None, (*method == "post").then(|| b"{}".to_vec())).await;
        assert_eq!(r.status, StatusCode::OK, "{method} {uri}: {}", String::from_utf8_lossy(&r.body));
    }
}

/// The document is valid OpenAPI 3.1 according to openapi-spec-validator 0.7.2 (installed by
/// scripts/test.sh; the test fails, never skips, without it).
#[tokio::test]
async fn openapi_document_is_valid() {
    let app = open_app();
    let r = get(&app, "/openapi.json").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, &r.body).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys, json; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')"])
        .arg(&file)
        .output()
        .expect("python3 runs (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "openapi-spec-validator rejected the document or is missing (bash scripts/test.sh installs \
         openapi-spec-validator==0.7.2):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A registered extension gets a read-only route per project, authorised like the rest, and is
/// listed in the OpenAPI document (the seam for sensitivity and flows results).
#[derive(Debug)]
struct UnitCount;

impl baydex_server::ProjectExtension for UnitCount {
    fn name(&self) -> &'static str {
        "unit-count"
    }
    fn compute(
        &self,
        loaded: &baydex_data::LoadedProject,
        _: &baydex_core::Results,
    ) -> Result<Option<Json>, baydex_core::Text> {
        // Something for the illustrative project only, nothing for the panel.
        Ok(loaded.project.meta.illustrative.then(|| json!({"units": loaded.project.units.len()})))
    }
}

#[tokio::test]
async fn extensions_get_a_documented_route() {
    let config = ServeConfig { extensions: vec![Arc::new(UnitCount)], ..ServeConfig::new(projects()) };
    let app = App::build(config).unwrap().router();
    assert_eq!(get_ok(&app, "/api/projects/gba/unit-count").await, json!({"units": 11}));
    get(&app, "/api/projects/gba-panel/unit-count").await.error(StatusCode::NOT_FOUND, "not_available");
    get(&app, "/api/projects/nope/unit-count").await.error(StatusCode::NOT_FOUND, "not_found");
    let doc = get_ok(&app, "/openapi.json").await;
    assert!(doc["paths"]["/api/projects/{id}/unit-count"]["get"].is_object());
    // Static routes still win over the extension's pattern.
    assert_eq!(get_ok(&app, "/api/projects/gba/periods").await["periods"], json!(["2023"]));
}

/// `GET /api/projects/{id}/sensitivity` (the `sensitivity` extension): the default analysis of the
/// GBA example at the report's N, equal to `baydex_core::sensitivity::analyse` run here on the same
/// spec, seed and N — exactly, since numbers travel as shortest round-trip JSON. Listed in the
/// project summary's `extensions` and in the OpenAPI document.
#[tokio::test]
async fn sensitivity_extension_matches_the_core_analysis() {
    use baydex_data::sensitivity::{Overrides, default_spec, resolve};
    use baydex_report::sensitivity::REPORT_N;
    let config = ServeConfig {
        extensions: vec![Arc::new(baydex_server::sensitivity::SensitivityExtension)],
        ..ServeConfig::new(projects())
    };
    let app = App::build(config).unwrap().router();
    let body = get_ok(&app, "/api/projects/gba/sensitivity").await;

    let loaded = load("gba.toml");
    let spec = default_spec(&loaded.project).expect("the GBA pipeline aggregates");
    let (inputs, settings) =
        resolve(&spec, &loaded.project, &Overrides { n: Some(REPORT_N), ..Default::default() }).unwrap();
    assert_eq!(settings.seed, 1);
    let out = baydex_core::sensitivity::analyse(&loaded.project, &inputs, &settings, &|_| {}).unwrap();

    assert_eq!(body["n"], json!(REPORT_N));
    assert_eq!(body["runs"], json!(REPORT_N * (inputs.len() + 2)));
    assert_eq!(body["seed"], json!(1));
    let units = body["units"].as_array().unwrap();
    assert_eq!(units.len(), out.units.len());
    for (u, code) in out.units.iter().enumerate() {
        let row = units.iter().find(|r| r["unit"] == json!(code)).expect("every unit");
        let r = &out.rank_stats[u];
        assert_eq!(row["rank_median"], json!(r.median), "{code}");
        assert_eq!(row["rank_q5"], json!(r.q5), "{code}");
        assert_eq!(row["rank_q95"], json!(r.q95), "{code}");
        assert_eq!(row["nominal_rank"], json!(out.nominal_ranks[u]), "{code}");
        let t = out.tiers.as_ref().expect("the GBA tiers apply to the index");
        assert_eq!(row["tiers"], json!(t.share[u]), "{code}");
    }
    let sobol = body["sobol"].as_array().unwrap();
    for (name, x) in out.names.iter().zip(out.sobol.as_ref().unwrap()) {
        let row = sobol.iter().find(|r| r["input"] == json!(name)).expect("every input");
        assert_eq!(row["si"], json!(x.si), "{name}");
        assert_eq!(row["sti"], json!(x.sti), "{name}");
        assert_eq!(row["sti_q5"], json!(x.sti_q5), "{name}");
        assert_eq!(row["sti_q95"], json!(x.sti_q95), "{name}");
    }
    let stat = 2 * REPORT_N;
    let mean = out.shift[..stat].iter().sum::<f64>() / stat as f64;
    assert!((body["mean_shift"].as_f64().unwrap() - mean).abs() < 1e-12);
    assert!(body["loo"].as_array().unwrap().len() == loaded.project.framework.indicators().len());
    assert!(!body["narrative"].as_array().unwrap().is_empty());

    let list = get_ok(&app, "/api/projects").await;
    let gba = list["projects"].as_array().unwrap().iter().find(|p| p["id"] == "gba").unwrap().clone();
    assert_eq!(gba["extensions"], json!(["sensitivity"]));
    let doc = get_ok(&app, "/openapi.json").await;
    assert!(doc["paths"]["/api/projects/{id}/sensitivity"]["get"].is_object());
}
