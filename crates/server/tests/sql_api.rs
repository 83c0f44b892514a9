//! `POST /api/sql` end to end: a real server on loopback over the synthetic demo platform of
//! `baydex_data::catalog::demo` (CSV, Hive-partitioned Parquet, JSON and, in one test, a real
//! PostgreSQL from `BAYDEX_TEST_PG_URL`, which scripts/test.sh starts). Expected rows are computed
//! here from the demo's files (or by PostgreSQL itself), never copied from the server's answers;
//! the audit is read back from the SQLite file with a connection of its own.
#![cfg(feature = "catalog")]

#[path = "../../data/tests/catalog_common/mod.rs"]
mod catalog_common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use baydex_data::catalog::demo::{DEMO_TOKEN, write_demo};
use baydex_data::catalog::{AuditEntry, AuditLog, Catalog};
use baydex_server::auth::token_sha256;
use baydex_server::{AccessConfig, App, Limits, ServeConfig, ServedProject};
use serde_json::{Value as Json, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Token given to the demo's `sz_office` (a city office: row filter `city = 'SZ'`, masks).
const SZ_TOKEN: &str = "test-token-sz-office";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The demo platform in a temporary directory, with a token for `sz_office`, the PostgreSQL
/// source pointed at `pg` (or at a variable that is never set: the source is then broken), and
/// the catalog's per-query timeout set to `timeout_s`.
struct Platform {
    dir: tempfile::TempDir,
}

impl Platform {
    fn new(pg: Option<&str>, timeout_s: u64) -> Platform {
        let dir = tempfile::tempdir().unwrap();
        write_demo(dir.path(), 42).unwrap();
        let edit = |file: &str, from: &str, to: &str| {
            let p = dir.path().join(file);
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(text.contains(from), "{file} no longer contains {from:?}: update this test");
            std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
        };
        edit(
            "policy.toml",
            "name = \"sz_office\"\n",
            &format!("name = \"sz_office\"\ntoken_sha256 = \"{}\"\n", token_sha256(SZ_TOKEN)),
        );
        let url = match pg {
            Some(u) => format!("url = \"{u}\""),
            None => "url_env = \"BAYDEX_SQL_API_TEST_NEVER_SET\"".into(),
        };
        edit("catalog.toml", "url_env = \"BAYDEX_DEMO_PG_URL\"", &url);
        edit("catalog.toml", "query_timeout_s = 60", &format!("query_timeout_s = {timeout_s}"));
        // Project access through the catalog's policy: gba restricted to city offices, gba-panel public.
        std::fs::write(
            dir.path().join("auth.toml"),
            "policy = \"policy.toml\"\n[[project]]\nid = \"gba\"\nroles = [\"city_office\"]\n\
             [[project]]\nid = \"gba-panel\"\npublic = true\n",
        )
        .unwrap();
        Platform { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Every audit row, read through a connection of its own.
    fn audit(&self) -> Vec<AuditEntry> {
        AuditLog::open(&self.path("audit.sqlite")).unwrap().entries().unwrap()
    }

    /// The audit rows of one SQL text.
    fn audit_of(&self, sql: &str) -> Vec<AuditEntry> {
        self.audit().into_iter().filter(|e| e.sql == sql).collect()
    }
}

fn projects() -> Vec<ServedProject> {
    let load = |f: &str| baydex_data::load_project_path(&repo().join("examples/gba").join(f)).expect("example loads");
    vec![
        ServedProject { id: "gba".into(), loaded: load("gba.toml") },
        ServedProject { id: "gba-panel".into(), loaded: load("panel.toml") },
    ]
}

/// A server on a free loopback port, stopped when dropped.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

async fn serve(p: &Platform, limits: Limits) -> (Server, Arc<Catalog>) {
    let catalog = Arc::new(Catalog::open(&p.path("catalog.toml")).await.unwrap_or_else(|d| panic!("{d}")));
    let access = AccessConfig::load(&p.path("auth.toml"), &["gba".into(), "gba-panel".into()]).unwrap();
    let config =
        ServeConfig { access: Some(access), limits, ..ServeConfig::new(projects()) }.with_catalog(catalog.clone());
    let app = App::build(config).unwrap();
    (start(app).await, catalog)
}

async fn start(app: App) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.serve(listener, async move {
        let _ = rx.await;
    }));
    Server { addr, stop: Some(tx) }
}

struct Reply {
    status: u16,
    headers: String,
    body: Json,
}

/// One HTTP/1.1 request over a fresh connection (`Connection: close`), read to the end.
async fn http(addr: SocketAddr, method: &str, path: &str, token: Option<&str>, body: Option<&[u8]>) -> Reply {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", b.len()));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    if let Some(b) = body {
        // The server may answer (413) before reading all of it.
        let _ = s.write_all(b).await;
    }
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete HTTP response");
    let headers = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut body = raw[split + 4..].to_vec();
    if headers.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16).unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest = &rest[line_end + 2 + size + 2..];
        }
        body = out;
    }
    let status = headers.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap();
    let body = serde_json::from_slice(&body).unwrap_or(Json::Null);
    Reply { status, headers, body }
}

async fn sql(addr: SocketAddr, token: Option<&str>, body: &Json) -> Reply {
    http(addr, "POST", "/api/sql", token, Some(body.to_string().as_bytes())).await
}

/// The answer must be an error with this status and code and a message in both languages.
fn assert_error(r: &Reply, status: u16, code: &str) {
    assert_eq!((r.status, r.body["code"].as_str()), (status, Some(code)), "{}", r.body);
    for lang in ["en", "zh"] {
        assert!(r.body["message"][lang].as_str().is_some_and(|m| !m.is_empty()), "{}", r.body);
    }
}

/// Rows of `finance/payments.csv`: (city, card_id, amount).
fn payments(p: &Platform) -> Vec<(String, String, f64)> {
    let text = std::fs::read_to_string(p.path("finance/payments.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("month,city,channel,card_id,holder_name,amount,synthetic"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].to_string(), f[3].to_string(), f[5].parse().unwrap())
        })
        .collect()
}

fn no_limits() -> Limits {
    Limits::default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_query_returns_the_rows_of_the_files() {
    let p = Platform::new(None, 60);
    let (srv, _cat) = serve(&p, no_limits()).await;
    let q = "SELECT city, count(*) AS n, sum(amount) AS total FROM finance.payments GROUP BY city ORDER BY city";
    let r = sql(srv.addr, Some(DEMO_TOKEN), &json!({"sql": q})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.headers.contains("content-type: application/json"));
    // Expected: grouped by hand from the CSV file (amounts are whole numbers, so the f64 sums
    // are exact whatever the order of addition).
    let mut expected: BTreeMap<String, (i64, f64)> = BTreeMap::new();
    for (city, _, amount) in payments(&p) {
        let e = expected.entry(city).or_default();
        e.0 += 1;
        e.1 += amount;
    }
    assert_eq!(expected.len(), 11);
    let want: Vec<Json> = expected.iter().map(|(c, (n, t))| json!([c, n, t])).collect();
    assert_eq!(r.body["rows"], json!(want));
    assert_eq!(
        r.body["columns"],
        json!([{"name": "city", "type": "Utf8"}, {"name": "n", "type": "Int64"}, {"name": "total", "type": "Float64"}])
    );
    assert_eq!(r.body["row_count"], 11);
    assert_eq!(r.body["truncated"], false);
    assert_eq!(r.body["tables"], json!(["finance.payments"]));
    assert_eq!(r.body["illustrative"], true, "the demo catalog is synthetic and must say so");
    // Audited exactly once, with who, what, which tables and how many rows.
    let a = p.audit_of(q);
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(
        (a[0].principal.as_str(), a[0].outcome.as_str(), a[0].rows, a[0].tables.clone()),
        ("indicator_bot", "allowed", 11, vec!["finance.payments".to_string()])
    );
    assert!(a[0].at.ends_with('Z') && a[0].at.len() == 20, "{}", a[0].at);

    // NULL is null, booleans are booleans, dates are text.
    let r = sql(
        srv.addr,
        Some(DEMO_TOKEN),
        &json!({"sql": "SELECT NULL AS nothing, synthetic, DATE '2024-02-29' AS d FROM reference.cities WHERE code = 'MO'"}),
    )
    .await;
    assert_eq!(r.body["rows"], json!([[null, true, "2024-02-29"]]), "{}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_office_sees_its_own_rows_masked() {
    let p = Platform::new(None, 60);
    let (srv, _cat) = serve(&p, no_limits()).await;
    let q = "SELECT city, count(*) AS n, sum(amount) AS total FROM finance.payments GROUP BY city";
    let r = sql(srv.addr, Some(SZ_TOKEN), &json!({"sql": q})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Row filter city = 'SZ'; amount masked coarsen:100 (rounded down to a multiple of 100).
    let sz: Vec<_> = payments(&p).into_iter().filter(|(c, _, _)| c == "SZ").collect();
    let coarse: f64 = sz.iter().map(|(_, _, a)| (a / 100.0).floor() * 100.0).sum();
    assert_eq!(r.body["rows"], json!([["SZ", sz.len(), coarse]]));
    assert_eq!(sz.len(), 12 * 12, "12 months × 12 payments per city in the demo generator");
    // card_id masked "hash": the hex SHA-256 of the card number as text.
    let r = sql(srv.addr, Some(SZ_TOKEN), &json!({"sql": "SELECT DISTINCT card_id FROM finance.payments"})).await;
    let mut got: Vec<String> =
        r.body["rows"].as_array().unwrap().iter().map(|row| row[0].as_str().unwrap().to_string()).collect();
    let mut want: Vec<String> = sz.iter().map(|(_, card, _)| token_sha256(card)).collect();
    got.sort();
    want.sort();
    want.dedup();
    assert_eq!(got, want);
    // Trips: origin = SZ or dest = SZ — 10 partners each way × 2 modes × 12 months (the demo has
    // one row per ordered pair of distinct cities, mode and month).
    let r = sql(srv.addr, Some(SZ_TOKEN), &json!({"sql": "SELECT count(*) AS n FROM transport.trips"})).await;
    assert_eq!(r.body["rows"], json!([[12 * 2 * (10 + 10)]]), "{}", r.body);
    let a = p.audit_of("SELECT count(*) AS n FROM transport.trips");
    assert_eq!((a.len(), a[0].principal.as_str(), a[0].rows), (1, "sz_office", 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_json_errors_and_audited() {
    let p = Platform::new(None, 60);
    let (srv, cat) = serve(&p, Limits { max_body_bytes: 4096, ..no_limits() }).await;
    assert_eq!(cat.broken.iter().map(|b| b.table.as_str()).collect::<Vec<_>>(), ["services.requests"]);
    let a = srv.addr;

    // A table not granted: 403, and the refusal does not say whether it exists.
    let q1 = "SELECT * FROM services.requests";
    let r = sql(a, Some(DEMO_TOKEN), &json!({"sql": q1})).await;
    assert_error(&r, 403, "forbidden");
    assert_eq!(r.body["field"], "sql");
    // Anonymous: SQL is never public.
    let q2 = "SELECT code FROM reference.cities";
    let r = sql(a, None, &json!({"sql": q2})).await;
    assert_error(&r, 401, "unauthorized");
    assert!(r.headers.contains("www-authenticate: bearer"));
    // DDL and DML: 400 read_only.
    let q3 = "DROP TABLE finance.payments";
    assert_error(&sql(a, Some(DEMO_TOKEN), &json!({"sql": q3})).await, 400, "read_only");
    let q4 = "CREATE TABLE reference.x AS SELECT 1";
    assert_error(&sql(a, Some(SZ_TOKEN), &json!({"sql": q4})).await, 400, "read_only");
    let q5 = "SELECT 1; SELECT 2";
    assert_error(&sql(a, Some(SZ_TOKEN), &json!({"sql": q5})).await, 400, "read_only");
    // Syntax error: 400 sql_syntax.
    let q6 = "SELEC code FROM reference.cities";
    assert_error(&sql(a, Some(SZ_TOKEN), &json!({"sql": q6})).await, 400, "sql_syntax");
    // A column the grant hides does not exist for the principal: 422 query_failed.
    let q7 = "SELECT holder_name FROM finance.payments";
    assert_error(&sql(a, Some(SZ_TOKEN), &json!({"sql": q7})).await, 422, "query_failed");
    // A granted source that is down: 503 naming it.
    let q8 = "SELECT count(*) FROM services.requests";
    let r = sql(a, Some(SZ_TOKEN), &json!({"sql": q8})).await;
    assert_error(&r, 503, "source_unavailable");
    assert!(r.body["message"]["en"].as_str().unwrap().contains("services.requests"), "{}", r.body);
    // Malformed JSON, unknown keys, a body over the limit: 400 / 400 / 413.
    let r = http(a, "POST", "/api/sql", Some(SZ_TOKEN), Some(b"{\"sql\": \"SELECT 1\"")).await;
    assert_error(&r, 400, "invalid_body");
    let r = sql(a, Some(SZ_TOKEN), &json!({"sql": "SELECT 1", "rows": 3})).await;
    assert_error(&r, 400, "invalid_body");
    let big = format!("{{\"sql\": \"SELECT '{}'\"}}", "x".repeat(5000));
    let r = http(a, "POST", "/api/sql", Some(SZ_TOKEN), Some(big.as_bytes())).await;
    assert_error(&r, 413, "payload_too_large");
    // A token nobody holds: 401 before anything runs.
    let r = sql(a, Some("not-a-token"), &json!({"sql": q2})).await;
    assert_error(&r, 401, "unauthorized");
    // The limit: the client may lower the catalog's row_limit (200 in the demo), never raise it.
    let all = "SELECT origin, dest FROM transport.trips";
    let r = sql(a, Some(DEMO_TOKEN), &json!({"sql": all, "limit": 3})).await;
    assert_eq!((r.body["row_count"].as_u64(), r.body["truncated"].as_bool()), (Some(3), Some(true)));
    let r = sql(a, Some(DEMO_TOKEN), &json!({"sql": format!("{all} -- big"), "limit": 100_000})).await;
    assert_eq!((r.body["rows"].as_array().map(Vec::len), r.body["truncated"].as_bool()), (Some(200), Some(true)));

    // Every request has exactly one audit row, with the outcome and the reason.
    let one = |sql: &str, principal: &str, outcome: &str| {
        let rows = p.audit_of(sql);
        assert_eq!(rows.len(), 1, "{sql}: {rows:?}");
        assert_eq!((rows[0].principal.as_str(), rows[0].outcome.as_str()), (principal, outcome), "{sql}");
        if outcome != "allowed" {
            assert!(!rows[0].reason.is_empty(), "{sql}: a refusal says why");
        }
        rows[0].clone()
    };
    one(q1, "indicator_bot", "refused");
    one(q2, "anonymous", "refused");
    one(q3, "indicator_bot", "refused");
    one(q4, "sz_office", "refused");
    one(q5, "sz_office", "refused");
    one(q6, "sz_office", "failed");
    one(q7, "sz_office", "failed");
    assert_eq!(one(q8, "sz_office", "failed").tables, ["services.requests"]);
    one("{\"sql\": \"SELECT 1\"", "sz_office", "refused");
    one(&json!({"sql": "SELECT 1", "rows": 3}).to_string(), "sz_office", "refused");
    assert_eq!(one(all, "indicator_bot", "allowed").rows, 3);
    assert_eq!(one(&format!("{all} -- big"), "indicator_bot", "allowed").rows, 200);
    let audit = p.audit();
    assert!(audit.iter().any(|e| e.principal == "(invalid token)" && e.outcome == "refused"), "{audit:?}");
    assert!(audit.iter().any(|e| e.principal == "sz_office" && e.reason.contains("4096")), "the 413 is audited");

    // Tokens are never stored in clear: not in the database, not in its write-ahead log.
    for f in ["audit.sqlite", "audit.sqlite-wal"] {
        let bytes = std::fs::read(p.path(f)).unwrap_or_default();
        for t in [DEMO_TOKEN, SZ_TOKEN, "not-a-token"] {
            assert!(!bytes.windows(t.len()).any(|w| w == t.as_bytes()), "{f} contains the token {t}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restricted_project_reads_are_audited_in_the_catalog_store() {
    let p = Platform::new(None, 60);
    let (srv, _cat) = serve(&p, no_limits()).await;
    // The catalog's tokens authenticate project reads too (access file `policy = "policy.toml"`).
    assert_eq!(http(srv.addr, "GET", "/api/projects/gba/periods", Some(SZ_TOKEN), None).await.status, 200);
    assert_eq!(http(srv.addr, "GET", "/api/projects/gba/periods", None, None).await.status, 401);
    assert_eq!(http(srv.addr, "GET", "/api/projects/gba/periods", Some(DEMO_TOKEN), None).await.status, 403);
    assert_eq!(http(srv.addr, "GET", "/api/projects/gba-panel/periods", None, None).await.status, 200);
    let rows: Vec<(String, String)> = p
        .audit()
        .into_iter()
        .filter(|e| e.sql == "GET /api/projects/gba/periods")
        .map(|e| {
            assert_eq!(e.tables, ["project:gba"]);
            (e.principal, e.outcome)
        })
        .collect();
    let want = [("sz_office", "allowed"), ("anonymous", "refused"), ("indicator_bot", "refused")];
    assert_eq!(rows, want.map(|(a, b)| (a.to_string(), b.to_string())));
    // Reads of a public project are not audited.
    assert!(p.audit().iter().all(|e| !e.sql.contains("gba-panel")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_lists_sql_only_with_a_catalog() {
    let p = Platform::new(None, 60);
    let (srv, _cat) = serve(&p, no_limits()).await;
    let doc = http(srv.addr, "GET", "/openapi.json", None, None).await.body;
    let op = &doc["paths"]["/api/sql"]["post"];
    assert_eq!(op["requestBody"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/SqlRequest");
    for code in ["200", "400", "401", "403", "413", "422", "503", "504"] {
        assert!(op["responses"].get(code).is_some(), "missing {code}");
    }
    // Valid OpenAPI 3.1 per openapi-spec-validator 0.7.2 (installed by scripts/test.sh).
    let file = p.path("openapi.json");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys, json; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')"])
        .arg(&file)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "openapi-spec-validator rejected the document or is missing (bash scripts/test.sh installs \
         openapi-spec-validator==0.7.2):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without a catalog the route does not exist and is not documented.
    let plain = start(App::build(ServeConfig::new(projects())).unwrap()).await;
    let doc = http(plain.addr, "GET", "/openapi.json", None, None).await.body;
    assert!(doc["paths"].get("/api/sql").is_none());
    assert_error(&sql(plain.addr, Some(DEMO_TOKEN), &json!({"sql": "SELECT 1"})).await, 404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalog_without_policy_is_not_served() {
    let p = Platform::new(None, 60);
    let cat = p.path("catalog.toml");
    let text = std::fs::read_to_string(&cat).unwrap().replace("policy = \"policy.toml\"\n", "");
    std::fs::write(&cat, text).unwrap();
    let catalog = Arc::new(Catalog::open(&cat).await.unwrap_or_else(|d| panic!("{d}")));
    let e = App::build(ServeConfig::new(projects()).with_catalog(catalog)).unwrap_err();
    let baydex_server::BuildError::Catalog { message } = e else { panic!("{e}") };
    assert!(message.en.contains("no access policy") && message.zh.contains("访问策略"), "{message:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_queries_stop_at_the_catalog_timeout() {
    let p = Platform::new(None, 1);
    // The HTTP limit is shorter than the catalog's: the SQL route still gets the catalog's.
    let (srv, _cat) = serve(&p, Limits { timeout: Duration::from_millis(500), ..no_limits() }).await;
    // 2640² × 220 ≈ 1.5·10⁹ joined rows: several seconds' work, well over the 1 s allowed. (The
    // engine does not always yield inside a join; the catalog's timeout acts at the deadline
    // anyway, as each query runs on threads of its own.)
    let q = "SELECT sum(a.trips * b.trips - c.trips) FROM transport.trips a, transport.trips b, transport.trips c \
             WHERE c.month = '01'";
    let t0 = Instant::now();
    let addr = srv.addr;
    let slow = tokio::spawn(async move { sql(addr, Some(DEMO_TOKEN), &json!({"sql": q})).await });
    // Meanwhile the server answers other requests (queries run on a runtime of their own).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t1 = Instant::now();
    assert_eq!(http(addr, "GET", "/healthz", None, None).await.status, 200);
    assert!(t1.elapsed() < Duration::from_secs(1), "/healthz took {:?} during a query", t1.elapsed());
    let r = slow.await.unwrap();
    assert_error(&r, 504, "query_timeout");
    // query_timeout_s = 1, plus at most the 2 s the server waits for the engine to stop.
    assert!(t0.elapsed() < Duration::from_secs(4), "took {:?}", t0.elapsed());
    // The audit row is written when the catalog stops the query, at its deadline.
    let deadline = Instant::now() + Duration::from_secs(3);
    let a = loop {
        let a = p.audit_of(q);
        if !a.is_empty() || Instant::now() > deadline {
            break a;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!((a.len(), a[0].outcome.as_str()), (1, "failed"), "{a:?}");
    assert!(a[0].reason.contains("longer than 1 s"), "{}", a[0].reason);
}

/// Beyond `max_concurrent_queries` running queries, a request is refused with 429 `busy` (and
/// audited); the slot is free again once the catalog is done with the query.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_beyond_the_concurrency_limit_are_busy() {
    let p = Platform::new(None, 1);
    let (srv, _cat) = serve(&p, Limits { max_concurrent_queries: 1, ..no_limits() }).await;
    let slow_q = "SELECT sum(a.trips * b.trips - c.trips) FROM transport.trips a, transport.trips b, transport.trips c";
    let addr = srv.addr;
    let slow = tokio::spawn(async move { sql(addr, Some(DEMO_TOKEN), &json!({"sql": slow_q})).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let quick = "SELECT count(*) AS n FROM reference.cities";
    let r = sql(addr, Some(DEMO_TOKEN), &json!({"sql": quick})).await;
    assert_error(&r, 429, "busy");
    let a = p.audit_of(quick);
    assert_eq!((a.len(), a[0].outcome.as_str()), (1, "refused"), "{a:?}");
    assert!(a[0].reason.contains("already running"), "{}", a[0].reason);
    assert_error(&slow.await.unwrap(), 504, "query_timeout");
    let r = sql(addr, Some(DEMO_TOKEN), &json!({"sql": quick})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_rows_under_the_row_filter() {
    // The demo's PostgreSQL load script in a fresh database; PostgreSQL itself is the oracle.
    let url = catalog_common::pg_url();
    let db = format!("baydex_sql_api_{}", std::process::id());
    catalog_common::pg_exec(&url, &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).await;
    catalog_common::pg_exec(&url, &format!("CREATE DATABASE {db}")).await;
    let dburl = catalog_common::with_db(&url, &db);
    let p = Platform::new(Some(&dburl), 60);
    catalog_common::pg_exec(&dburl, &std::fs::read_to_string(p.path("services_requests.sql")).unwrap()).await;
    let (srv, cat) = serve(&p, no_limits()).await;
    assert!(cat.broken.is_empty(), "{:?}", cat.broken);
    let q = "SELECT category, count(*) AS n, sum(days_to_close) AS days FROM services.requests GROUP BY category \
             ORDER BY category";
    let r = sql(srv.addr, Some(SZ_TOKEN), &json!({"sql": q})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (client, conn) = tokio_postgres::connect(&dburl, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    let want: Vec<Json> = client
        .query(
            "SELECT category, count(*), sum(days_to_close)::bigint FROM service_requests WHERE city = 'SZ' \
             GROUP BY category ORDER BY category",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| json!([row.get::<_, String>(0), row.get::<_, i64>(1), row.get::<_, i64>(2)]))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(r.body["rows"], json!(want));
    assert_eq!(r.body["tables"], json!(["services.requests"]));
    drop(client);
    drop(srv);
    catalog_common::pg_drop(&dburl).await;
}
