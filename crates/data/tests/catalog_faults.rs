//! Faults of the catalog: a source deleted or corrupted mid-session, PostgreSQL unreachable
//! mid-session, broken sources at open time, paths escaping the roots. Each fault gives a clear
//! error naming the source or file, and the other sources keep working.
#![cfg(feature = "catalog")]

mod catalog_common;
use catalog_common::*;

use baydex_data::catalog::{Catalog, CatalogConfig, QueryError, Who};

async fn count(cat: &Catalog, who: &str, table: &str) -> Result<String, QueryError> {
    let pol = cat.policy.clone().unwrap();
    let p = pol.principal(who).unwrap();
    cat.query(Who::Principal(p), &format!("SELECT count(*) FROM {table}"), None).await.map(|o| rows(&o).join(","))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_deleted_or_corrupted_mid_session() {
    let dir = tempfile::tempdir().unwrap();
    let pg = pg_fixture("files").await;
    let cat = open(&write_fixture(dir.path(), &pg)).await;
    assert_eq!(count(&cat, "admin", "finance.payments").await.unwrap(), "6");
    // Deleted.
    std::fs::remove_file(dir.path().join("data/pay.csv")).unwrap();
    let e = count(&cat, "admin", "finance.payments").await.unwrap_err();
    assert!(matches!(e, QueryError::Failed(_)), "{e}");
    assert!(e.text().en.contains("pay.csv"), "{}", e.text().en);
    assert!(e.text().zh.contains("不可用") && e.text().zh.contains("pay.csv"), "{}", e.text().zh);
    // Corrupted Parquet (one partition overwritten with garbage).
    std::fs::write(dir.path().join("data/trips/year=2024/month=02/part.parquet"), b"not a parquet file").unwrap();
    let e = count(&cat, "admin", "transport.trips").await.unwrap_err();
    assert!(matches!(e, QueryError::Failed(_)), "{e}");
    // The others still answer.
    assert_eq!(count(&cat, "admin", "environment.air_quality").await.unwrap(), "3");
    assert_eq!(count(&cat, "admin", "security.cases").await.unwrap(), "2");
    assert_eq!(count(&cat, "admin", "services.requests").await.unwrap(), "4");
    // Failures are audited as failed.
    let log = cat.audit_log().entries().unwrap();
    assert_eq!(log.iter().filter(|e| e.outcome == "failed").count(), 2);
    pg_drop(&pg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_unreachable_mid_session() {
    let dir = tempfile::tempdir().unwrap();
    let pg = pg_fixture("down").await;
    let cat = open(&write_fixture(dir.path(), &pg)).await;
    assert_eq!(count(&cat, "admin", "services.requests").await.unwrap(), "4");
    // Make the database refuse connections, and end the open ones: from the catalog's side this
    // is a server that went away (the shared test server itself keeps running for other tests).
    let db = pg.rsplit('/').next().unwrap().split('?').next().unwrap().to_string();
    pg_exec(&pg_url(), &format!("ALTER DATABASE {db} ALLOW_CONNECTIONS false")).await;
    pg_exec(&pg_url(), &format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'")).await;
    let e = count(&cat, "admin", "services.requests").await.unwrap_err();
    assert!(matches!(e, QueryError::Failed(_)), "{e}");
    assert!(e.text().en.contains("PostgreSQL public.requests"), "{}", e.text().en);
    assert_eq!(count(&cat, "admin", "finance.payments").await.unwrap(), "6");
    // A catalog opened now reports the source by name and opens the others.
    let cat2 = Catalog::open(&dir.path().join("catalog.toml")).await.unwrap();
    assert_eq!(cat2.broken.len(), 1);
    assert_eq!(cat2.broken[0].table, "services.requests");
    assert!(cat2.broken[0].origin.contains("catalog.toml:"), "{}", cat2.broken[0].origin);
    assert!(cat2.tables.contains_key("transport.trips"));
    // Querying the broken source says which one and why.
    let e = count(&cat2, "admin", "services.requests").await.unwrap_err();
    assert!(e.text().en.contains("services.requests") && e.text().en.contains("unavailable"), "{}", e.text().en);
    pg_exec(&pg_url(), &format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true;")).await;
    pg_drop(&pg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_stay_inside_the_roots() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("platform");
    std::fs::create_dir_all(root.join("data")).unwrap();
    std::fs::write(dir.path().join("outside.csv"), "a\n1\n").unwrap();
    let head = "[catalog]\nroots = [\"data\"]\n[[domain]]\nname = \"x\"\n";
    // `..` is refused, located.
    let src = format!("{head}[[source]]\ntable = \"x.t\"\nformat = \"csv\"\npath = \"data/../../outside.csv\"\n");
    let e = CatalogConfig::parse("c.toml", &src, &root).unwrap_err().render(baydex_core::Lang::En);
    assert!(e.contains("c.toml:8:") && e.contains("may not contain `..`"), "{e}");
    // An absolute path outside the roots is refused.
    let src = format!(
        "{head}[[source]]\ntable = \"x.t\"\nformat = \"csv\"\npath = \"{}\"\n",
        dir.path().join("outside.csv").display()
    );
    let e = CatalogConfig::parse("c.toml", &src, &root).unwrap_err().render(baydex_core::Lang::Zh);
    assert!(e.contains("指向根目录之外"), "{e}");
    // A symlink inside the root leading outside: refused (as a file, and inside a directory).
    std::os::unix::fs::symlink(dir.path().join("outside.csv"), root.join("data/link.csv")).unwrap();
    let src = format!("{head}[[source]]\ntable = \"x.t\"\nformat = \"csv\"\npath = \"data/link.csv\"\n");
    let e = CatalogConfig::parse("c.toml", &src, &root).unwrap_err().render(baydex_core::Lang::En);
    assert!(e.contains("outside the catalog's roots"), "{e}");
    std::fs::remove_file(root.join("data/link.csv")).unwrap();
    std::fs::create_dir_all(root.join("data/dir")).unwrap();
    std::fs::write(root.join("data/dir/ok.csv"), "a\n2\n").unwrap();
    std::os::unix::fs::symlink(dir.path().join("outside.csv"), root.join("data/dir/link.csv")).unwrap();
    let src = format!(
        "{head}[[source]]\ntable = \"x.t\"\nformat = \"csv\"\npath = \"data/dir\"\n\
         [[source]]\ntable = \"x.u\"\nformat = \"csv\"\npath = \"data/dir/ok.csv\"\n"
    );
    std::fs::write(root.join("catalog.toml"), src).unwrap();
    let cat = Catalog::open(&root.join("catalog.toml")).await.unwrap();
    assert_eq!(cat.broken.len(), 1, "{:?}", cat.broken);
    assert!(cat.broken[0].error.en.contains("link leading outside"), "{:?}", cat.broken[0]);
    let o = cat.query(Who::Owner, "SELECT a FROM x.u", None).await.unwrap();
    assert_eq!(rows(&o), ["2"]);
    let e = cat.query(Who::Owner, "SELECT a FROM x.t", None).await.unwrap_err();
    assert!(e.text().en.contains("x.t") && e.text().en.contains("unavailable"), "{e}");
}

#[test]
fn catalog_file_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let src = "[catalog]\nrow_limit = 0\n[[domain]]\nname = \"Finance\"\n[[source]]\ntable = \"fin.pay\"\nformat = \"xlsx\"\npath = \"p\"\n";
    let e = CatalogConfig::parse("c.toml", src, dir.path()).unwrap_err();
    let en = e.render(baydex_core::Lang::En);
    assert!(en.contains("c.toml:2:") && en.contains("positive whole number"), "{en}");
    assert!(en.contains("c.toml:4:") && en.contains("cannot be a domain name"), "{en}");
    assert!(en.contains("c.toml:6:") && en.contains("unknown domain `fin`"), "{en}");
    assert!(en.contains("c.toml:7:") && en.contains("unknown source format `xlsx`"), "{en}");
    let zh = e.render(baydex_core::Lang::Zh);
    assert!(zh.contains("未知的数据源格式"), "{zh}");
}

/// A query that computes between two yields for far longer than its timeout (a three-way cross
/// join of 20,000 rows) is stopped at the deadline, on a caller runtime of the server's shape; and
/// the catalog answers the next query at once (the engine's threads are not left blocked).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_is_stopped_at_its_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = String::from("x,y\n");
    for i in 0..20_000 {
        t.push_str(&format!("{i},{}\n", (i * 7919) % 10_007));
    }
    std::fs::write(dir.path().join("t.csv"), t).unwrap();
    std::fs::write(
        dir.path().join("catalog.toml"),
        "[catalog]\nroots = [\".\"]\nquery_timeout_s = 1\n[[domain]]\nname = \"d\"\n\
         [[source]]\ntable = \"d.t\"\nformat = \"csv\"\npath = \"t.csv\"\n",
    )
    .unwrap();
    let cat = Catalog::open(&dir.path().join("catalog.toml")).await.unwrap();
    let started = std::time::Instant::now();
    let sql = "SELECT max(a.x + b.y) FROM d.t a, d.t b, d.t c WHERE a.x + b.y + c.x = 5";
    let e = tokio::time::timeout(std::time::Duration::from_secs(60), cat.query(Who::Owner, sql, None))
        .await
        .expect("Catalog::query still running after 60 s with query_timeout_s = 1")
        .unwrap_err();
    assert!(e.text().en.contains("longer than 1 s"), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    let o = cat.query(Who::Owner, "SELECT count(*) FROM d.t", None).await.unwrap();
    assert_eq!(rows(&o), ["20000"]);
}
