//! Shared fixture of the catalog tests: a small platform on disk (CSV, Hive-partitioned Parquet,
//! JSON) and in a real PostgreSQL (a fresh database per test on the server of
//! `BAYDEX_TEST_PG_URL`, which scripts/test.sh starts), with hand-written rows so that every
//! expected answer can be checked by hand.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use baydex_data::catalog::datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
use baydex_data::catalog::datafusion::arrow::datatypes::{DataType, Field, Schema};
use baydex_data::catalog::datafusion::arrow::record_batch::RecordBatch;
use baydex_data::catalog::datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use baydex_data::catalog::datafusion::parquet::arrow::ArrowWriter;
use baydex_data::catalog::{Catalog, QueryOutput};

/// The PostgreSQL server of the tests. Fails (never skips) without it.
pub fn pg_url() -> String {
    std::env::var("BAYDEX_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "BAYDEX_TEST_PG_URL is not set: the catalog tests need a real PostgreSQL server. \
             Run `bash scripts/test.sh` (it installs PostgreSQL, starts a throwaway cluster and sets the URL)."
        )
    })
}

/// A URL for database `db` on the test server.
pub fn with_db(url: &str, db: &str) -> String {
    // postgresql://user@host:port/dbname?params
    let (base, query) = url.split_once('?').map_or((url, ""), |(b, q)| (b, q));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    if query.is_empty() { format!("{base}/{db}") } else { format!("{base}/{db}?{query}") }
}

/// Runs SQL statements on the test server (database `db`).
pub async fn pg_exec(url: &str, sql: &str) {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test PostgreSQL at {url}: {e}"));
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client.batch_execute(sql).await.unwrap_or_else(|e| match e.as_db_error() {
        Some(db) => panic!("{sql}: {}", db.message()),
        None => panic!("{sql}: {e}"),
    });
}

/// Creates a fresh database with the `requests` table and returns its URL.
pub async fn pg_fixture(name: &str) -> String {
    let url = pg_url();
    let db = format!("baydex_{name}_{}", std::process::id());
    // DROP/CREATE DATABASE cannot run inside the implicit transaction of a multi-statement batch.
    pg_exec(&url, &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).await;
    pg_exec(&url, &format!("CREATE DATABASE {db}")).await;
    let dburl = with_db(&url, &db);
    pg_exec(
        &dburl,
        "CREATE TABLE requests (id integer PRIMARY KEY, city text, category text, opened date);
         INSERT INTO requests VALUES (1, 'SZ', 'permit', DATE '2024-01-05'), (2, 'HK', 'tax', DATE '2024-01-09'),
                                     (3, 'SZ', 'tax', DATE '2024-02-11'), (4, 'GZ', 'permit', DATE '2024-02-20');",
    )
    .await;
    dburl
}

/// Drops a fixture database.
pub async fn pg_drop(dburl: &str) {
    let db = dburl.rsplit('/').next().unwrap_or("").split('?').next().unwrap_or("").to_string();
    pg_exec(&pg_url(), &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE);")).await;
}

pub const PAYMENTS: &str = "month,city,channel,card_id,holder,amount
2024-01,SZ,online,C1,Alice,120.5
2024-01,SZ,offline,C2,Bob,80
2024-02,SZ,online,C1,Alice,250
2024-01,HK,online,C3,Carol,300
2024-02,HK,offline,C4,Dan,75
2024-01,GZ,online,C5,Eve,199
";

pub const AIR: &str = "{\"city\":\"SZ\",\"pm25\":20}
{\"city\":\"HK\",\"pm25\":18}
{\"city\":\"GZ\",\"pm25\":30}
";

pub const CASES: &str = "case_id,city,note
K1,SZ,secret-note-1
K2,HK,secret-note-2
";

/// The bearer token of the service principal `bot` (SHA-256 in the policy).
pub const BOT_TOKEN: &str = "bot-token-for-tests";

pub fn policy() -> String {
    format!(
        r#"
[[principal]]
name = "admin"
roles = ["all"]

[[principal]]
name = "sz"
roles = ["office"]
attributes = {{ city = "SZ" }}

[[principal]]
name = "hk"
roles = ["office"]
attributes = {{ city = "HK" }}

[[principal]]
name = "analyst"
roles = ["analysis"]

[[principal]]
name = "bot"
kind = "service"
roles = ["analysis"]
token_sha256 = "{}"

[[principal]]
name = "nobody"

[[role]]
name = "all"
[[role]]
name = "office"
[[role]]
name = "analysis"

[[grant]]
role = "all"
domain = "*"

[[grant]]
role = "office"
table = "finance.payments"
columns = ["month", "city", "channel", "card_id", "amount"]
row_filter = "city = ${{city}}"
mask = {{ card_id = "hash", amount = "coarsen:100" }}

[[grant]]
role = "office"
domain = "transport"
row_filter = "origin = ${{city}} OR dest = ${{city}}"

[[grant]]
role = "office"
domain = "environment"
row_filter = "city = ${{city}}"

[[grant]]
role = "office"
domain = "services"
row_filter = "city = ${{city}}"

[[grant]]
role = "analysis"
table = "finance.payments"
columns = ["month", "city", "channel", "amount"]

[[grant]]
role = "analysis"
domain = "environment"
"#,
        baydex_data::access::hash_token(BOT_TOKEN)
    )
}

pub fn catalog_toml(pg_url: &str) -> String {
    format!(
        r#"
[catalog]
name = "test platform"
roots = ["data"]
policy = "policy.toml"
audit = "audit.sqlite"
query_timeout_s = 30

[[domain]]
name = "finance"
[[domain]]
name = "transport"
[[domain]]
name = "environment"
[[domain]]
name = "services"
[[domain]]
name = "security"

[[source]]
table = "finance.payments"
format = "csv"
path = "data/pay.csv"

[[source]]
table = "transport.trips"
format = "parquet"
path = "data/trips"
partitions = ["year", "month"]

[[source]]
table = "environment.air_quality"
format = "json"
path = "data/air.json"

[[source]]
table = "security.cases"
format = "csv"
path = "data/cases.csv"

[[source]]
table = "services.requests"
format = "postgres"
url = "{pg_url}"
relation = "public.requests"
"#
    )
}

fn trips_parquet(rows: &[(&str, &str, i64)]) -> Vec<u8> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("origin", DataType::Utf8, false),
        Field::new("dest", DataType::Utf8, false),
        Field::new("trips", DataType::Int64, false),
    ]));
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(rows.iter().map(|r| r.0).collect::<Vec<_>>())),
        Arc::new(StringArray::from(rows.iter().map(|r| r.1).collect::<Vec<_>>())),
        Arc::new(Int64Array::from(rows.iter().map(|r| r.2).collect::<Vec<_>>())),
    ];
    let batch = RecordBatch::try_new(schema.clone(), cols).unwrap();
    let mut buf = Vec::new();
    let mut w = ArrowWriter::try_new(&mut buf, schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    buf
}

/// Writes the fixture into `dir` and returns the catalog path.
pub fn write_fixture(dir: &Path, pg_url: &str) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(data.join("trips/year=2024/month=01")).unwrap();
    std::fs::create_dir_all(data.join("trips/year=2024/month=02")).unwrap();
    std::fs::write(data.join("pay.csv"), PAYMENTS).unwrap();
    std::fs::write(data.join("air.json"), AIR).unwrap();
    std::fs::write(data.join("cases.csv"), CASES).unwrap();
    std::fs::write(
        data.join("trips/year=2024/month=01/part.parquet"),
        trips_parquet(&[("SZ", "GZ", 10), ("GZ", "SZ", 12), ("HK", "SZ", 7), ("GZ", "FS", 5)]),
    )
    .unwrap();
    std::fs::write(
        data.join("trips/year=2024/month=02/part.parquet"),
        trips_parquet(&[("SZ", "HK", 9), ("FS", "GZ", 4)]),
    )
    .unwrap();
    std::fs::write(dir.join("policy.toml"), policy()).unwrap();
    let cat = dir.join("catalog.toml");
    std::fs::write(&cat, catalog_toml(pg_url)).unwrap();
    cat
}

/// Opens a catalog, panicking with its diagnostics.
pub async fn open(path: &Path) -> Catalog {
    Catalog::open(path).await.unwrap_or_else(|d| panic!("{d}"))
}

/// The header of a result.
pub fn header(o: &QueryOutput) -> Vec<String> {
    o.schema.fields().iter().map(|f| f.name().clone()).collect()
}

/// Every row of a result as `a|b|c`, in result order.
pub fn rows(o: &QueryOutput) -> Vec<String> {
    let opts = FormatOptions::default().with_null("NULL");
    let mut out = Vec::new();
    for b in &o.batches {
        let f: Vec<ArrayFormatter<'_>> =
            (0..b.num_columns()).map(|i| ArrayFormatter::try_new(b.column(i).as_ref(), &opts).unwrap()).collect();
        for r in 0..b.num_rows() {
            out.push(f.iter().map(|c| c.value(r).to_string()).collect::<Vec<_>>().join("|"));
        }
    }
    out
}
