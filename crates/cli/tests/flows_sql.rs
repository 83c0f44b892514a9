//! `baydex flows` with OD records from Parquet and from an SQL query over the data catalog (the
//! real binary, the synthetic platform of `baydex demo-data`, its access policy and audit log), and
//! a project whose `[flows]` table has `sql`. Built with the `catalog` feature only (scripts/test.sh
//! runs it in its catalog step).
#![cfg(feature = "catalog")]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use baydex_data::catalog::datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
use baydex_data::catalog::datafusion::arrow::datatypes::{DataType, Field, Schema};
use baydex_data::catalog::datafusion::arrow::record_batch::RecordBatch;
use baydex_data::catalog::{AuditLog, OutputFormat, write_output};
use common::{baydex, repo, stderr, stdout};

/// The OD aggregation of the demo trips the tests run through `--od-sql`.
const OD_SQL: &str = "SELECT origin, dest AS destination, sum(trips) AS count, year AS period \
                      FROM transport.trips GROUP BY origin, dest, year";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn units() -> String {
    repo().join("examples/gba/units.csv").display().to_string()
}

/// `pairs.csv` as (a, b) → (a_to_b, b_to_a, total).
fn pairs(dir: &Path) -> BTreeMap<(String, String), (f64, f64, f64)> {
    let mut r = csv::Reader::from_path(dir.join("pairs.csv")).unwrap();
    let mut out = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let n = |i: usize| rec[i].parse::<f64>().unwrap();
        out.insert((rec[1].to_string(), rec[2].to_string()), (n(7), n(8), n(9)));
    }
    out
}

/// The GBA OD table written as Parquet (count and period as 64-bit integers) gives byte-identical
/// outputs to the CSV file it was made from: pairs, cities, network, gravity coefficients,
/// predictions and changes.
#[test]
fn parquet_od_gives_the_same_outputs_as_csv() {
    let d = tempfile::tempdir().unwrap();
    let csv_path = repo().join("examples/gba/flows_od_illustrative.csv");
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut r = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ["origin", "destination", "count", "period"], "the example's columns changed");
    let (mut o, mut de, mut c, mut p) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for rec in r.records() {
        let rec = rec.unwrap();
        o.push(rec[0].to_string());
        de.push(rec[1].to_string());
        c.push(rec[2].parse::<i64>().unwrap());
        p.push(rec[3].parse::<i64>().unwrap());
    }
    let n = o.len();
    assert!(n > 200, "{n} records");
    let schema = Arc::new(Schema::new(vec![
        Field::new("origin", DataType::Utf8, false),
        Field::new("destination", DataType::Utf8, false),
        Field::new("count", DataType::Int64, false),
        Field::new("period", DataType::Int64, false),
    ]));
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(o)),
        Arc::new(StringArray::from(de)),
        Arc::new(Int64Array::from(c)),
        Arc::new(Int64Array::from(p)),
    ];
    let batch = RecordBatch::try_new(schema.clone(), cols).unwrap();
    let parquet = d.path().join("od.parquet");
    write_output(&parquet, OutputFormat::Parquet, &schema, &[batch], None).unwrap();

    let masses = repo().join("examples/gba/context_2023.csv");
    let run = |od: &Path, out: &Path| {
        let o = baydex(&[
            "flows",
            "--od",
            s(od),
            "--units",
            &units(),
            "--masses",
            s(&masses),
            "--period",
            "2023",
            "--out",
            s(out),
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    };
    let (a, b) = (d.path().join("csv"), d.path().join("parquet"));
    run(&csv_path, &a);
    run(&parquet, &b);
    for f in ["pairs.csv", "cities.csv", "network.csv", "gravity.csv", "predictions.csv", "changes.csv"] {
        let (x, y) = (std::fs::read_to_string(a.join(f)).unwrap(), std::fs::read_to_string(b.join(f)).unwrap());
        assert!(x.lines().count() > 2, "{f}: {x}");
        assert_eq!(x, y, "{f} differs between CSV and Parquet");
    }
    // The Parquet file is the recorded input.
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(b.join("manifest.json")).unwrap()).unwrap();
    assert!(m["inputs"].as_array().unwrap().iter().any(|i| i["path"] == s(&parquet)), "{m}");
}

/// A Hive-partitioned directory of Parquet files (the demo's transport/trips, year=2024/month=MM):
/// partition columns are read from the paths, so the monthly rows of a pair are duplicates unless
/// added up; added up, each pair's total is the sum of its rows computed here from `baydex sql`.
#[test]
fn a_hive_partitioned_parquet_directory() {
    let d = tempfile::tempdir().unwrap();
    let o = baydex(&["demo-data", s(&d.path().join("p"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    let trips = d.path().join("p/transport/trips");
    let out = d.path().join("out");
    let units = units();
    let call = |extra: &[&str]| {
        let mut a = vec!["flows", "--od", s(&trips), "--units", &units, "--model", "doubly", "--out", s(&out)];
        a.extend_from_slice(extra);
        baydex(&a)
    };
    let o = call(&["--lang", "en"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains(&format!("{}, row ", trips.display())) && e.contains("appears twice (first in row"), "{e}");
    assert!(!out.exists(), "nothing may be written on error");

    let o = call(&["--sum-duplicates", "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The demo's Parquet files carry the `baydex.synthetic` marker: labelled illustrative.
    assert!(stdout(&o).contains("ILLUSTRATIVE DATA") && stdout(&o).contains("baydex.synthetic"), "{}", stdout(&o));
    assert!(out.join("ILLUSTRATIVE.txt").exists());
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["illustrative"], true);
    let want = admin_pair_totals(&d.path().join("p/catalog.toml"));
    let got = pairs(&out);
    assert_eq!(got.len(), 55);
    for ((a, b), (ab, ba, _)) in &got {
        assert_eq!(*ab, want[&(a.clone(), b.clone())], "{a}→{b}");
        assert_eq!(*ba, want[&(b.clone(), a.clone())], "{b}→{a}");
    }
}

/// Trips per ordered pair, summed here from every row of transport.trips as `baydex sql` (as admin)
/// returns them. The trips are integers, so the sums are exact in f64.
fn admin_pair_totals(catalog: &Path) -> BTreeMap<(String, String), f64> {
    let o = baydex(&[
        "sql",
        "--catalog",
        s(catalog),
        "--as",
        "admin",
        "--format",
        "csv",
        "SELECT origin, dest, trips FROM transport.trips",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut out: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        *out.entry((rec[0].to_string(), rec[1].to_string())).or_default() += rec[2].parse::<f64>().unwrap();
        n += 1;
    }
    // 110 ordered city pairs × 2 modes × 12 months (the demo generator).
    assert_eq!(n, 2640);
    out
}

/// The demo platform in a temporary directory.
fn platform() -> (tempfile::TempDir, String) {
    let d = tempfile::tempdir().unwrap();
    let o = baydex(&["demo-data", s(&d.path().join("p"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cat = d.path().join("p/catalog.toml").display().to_string();
    (d, cat)
}

fn od_sql(cat: &str, principal: &str, sql: &str, out: &Path, lang: &str) -> std::process::Output {
    baydex(&[
        "flows",
        "--catalog",
        cat,
        "--as",
        principal,
        "--od-sql",
        sql,
        "--units",
        &units(),
        "--model",
        "doubly",
        "--out",
        s(out),
        "--lang",
        lang,
    ])
}

#[test]
fn od_sql_matches_an_independent_sum_and_is_recorded() {
    let (d, cat) = platform();
    let out = d.path().join("out");
    let o = od_sql(&cat, "indicator_bot", OD_SQL, &out, "en");
    assert!(o.status.success(), "{}", stderr(&o));
    // The catalog's data are synthetic: labelled in the terminal and the outputs.
    assert!(stdout(&o).contains("ILLUSTRATIVE DATA"), "{}", stdout(&o));
    let notice = std::fs::read_to_string(out.join("ILLUSTRATIVE.txt")).unwrap();
    assert!(notice.contains("synthetic") && notice.contains("示意数据"), "{notice}");

    let want = admin_pair_totals(Path::new(&cat));
    let got = pairs(&out);
    assert_eq!(got.len(), 55);
    for ((a, b), (ab, ba, total)) in &got {
        let (x, y) = (want[&(a.clone(), b.clone())], want[&(b.clone(), a.clone())]);
        assert_eq!((*ab, *ba, *total), (x, y, x + y), "{a}–{b}");
    }

    // The manifest records the query as a project's manifest records its SQL indicators.
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["illustrative"], true);
    let q = &m["sql"][0];
    assert_eq!((q["code"].as_str(), q["key"].as_str()), (Some("flows.od"), Some("--od-sql")), "{q}");
    assert_eq!(q["sql"], OD_SQL);
    assert_eq!(q["principal"], "indicator_bot");
    assert_eq!(q["catalog"], cat.as_str());
    assert_eq!(q["tables"], serde_json::json!(["transport.trips"]));
    assert_eq!(q["rows"], 110);
    assert_eq!(q["fingerprints"][0]["table"], "transport.trips");
    let sha = q["fingerprints"][0]["sha256"].as_str().unwrap().to_string();
    assert!(sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()), "{sha}");
    let inputs: Vec<&str> = m["inputs"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert!(inputs.contains(&cat.as_str()), "{inputs:?}");
    assert!(inputs.iter().any(|p| p.ends_with("policy.toml")), "{inputs:?}");

    // Audited as the principal.
    let log = AuditLog::open(&d.path().join("p/audit.sqlite")).unwrap();
    assert!(
        log.entries()
            .unwrap()
            .iter()
            .any(|e| e.sql == OD_SQL && e.principal == "indicator_bot" && e.outcome == "allowed"),
        "the query is audited"
    );

    // A changed trip file changes the fingerprint.
    let part = d.path().join("p/transport/trips/year=2024/month=01/part-0.parquet");
    let feb = d.path().join("p/transport/trips/year=2024/month=02/part-0.parquet");
    std::fs::copy(&feb, &part).unwrap();
    let out2 = d.path().join("out2");
    let o = od_sql(&cat, "indicator_bot", OD_SQL, &out2, "en");
    assert!(o.status.success(), "{}", stderr(&o));
    let m2: serde_json::Value = serde_json::from_slice(&std::fs::read(out2.join("manifest.json")).unwrap()).unwrap();
    assert_ne!(m2["sql"][0]["fingerprints"][0]["sha256"].as_str().unwrap(), sha);
}

/// sz_office's row filter (`origin = ${city} OR dest = ${city}`, examples/platform/policy.toml)
/// leaves it the trips from or to Shenzhen only: those pairs keep the totals the admin sees, every
/// other pair has none.
#[test]
fn a_restricted_principal_only_gets_its_rows() {
    let (d, cat) = platform();
    let out = d.path().join("out");
    let o = od_sql(&cat, "sz_office", OD_SQL, &out, "en");
    assert!(o.status.success(), "{}", stderr(&o));
    let want = admin_pair_totals(Path::new(&cat));
    let got = pairs(&out);
    let mut sz = 0;
    for ((a, b), (ab, ba, total)) in &got {
        if a == "SZ" || b == "SZ" {
            assert_eq!((*ab, *ba), (want[&(a.clone(), b.clone())], want[&(b.clone(), a.clone())]), "{a}–{b}");
            sz += 1;
        } else {
            assert_eq!(*total, 0.0, "{a}–{b} is not visible to sz_office");
        }
    }
    assert_eq!(sz, 10);
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["sql"][0]["principal"], "sz_office");
    assert_eq!(m["sql"][0]["rows"], 20);
}

#[test]
fn a_refused_or_bad_query_is_a_clean_error_and_writes_nothing() {
    let (d, cat) = platform();
    let out = d.path().join("out");
    // indicator_bot has no grant on the services domain.
    let refused = "SELECT city AS origin, city AS destination, count(*) AS count FROM services.requests GROUP BY city";
    for (lang, needle) in [
        ("en", "error: --od-sql: the OD query failed: refused: no access to `services.requests`"),
        ("zh", "错误：--od-sql：OD 查询失败：已拒绝"),
    ] {
        let o = od_sql(&cat, "indicator_bot", refused, &out, lang);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(needle) && e.contains("--as indicator_bot"), "{e}");
        assert!(!out.exists(), "nothing may be written on error");
    }
    let log = AuditLog::open(&d.path().join("p/audit.sqlite")).unwrap();
    assert!(
        log.entries()
            .unwrap()
            .iter()
            .any(|e| e.principal == "indicator_bot" && e.outcome == "refused" && e.sql == refused),
        "the refusal is audited"
    );

    // An unknown principal names the known ones.
    let o = od_sql(&cat, "nobody", OD_SQL, &out, "en");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no principal `nobody`") && stderr(&o).contains("indicator_bot"), "{}", stderr(&o));

    // Bad rows name the query and the row, in both languages: a NULL count, an unknown unit.
    let null = "SELECT origin, dest AS destination, CASE WHEN origin = 'HK' AND dest = 'MO' THEN NULL ELSE trips END AS count, month, mode \
                FROM transport.trips WHERE month = '03' ORDER BY origin, dest, mode";
    let o = od_sql(&cat, "indicator_bot", null, &out, "en");
    assert_eq!(o.status.code(), Some(2));
    // Rows sorted by origin, destination, mode: DG, FS, GZ come before HK (3 × 10 × 2 rows), and
    // HK→MO is HK's 6th destination after DG, FS, GZ, HZ, JM (5 × 2 rows): the rail row is row 71.
    assert!(stderr(&o).contains("--od-sql, row 71 (count): the value is NULL"), "{}", stderr(&o));
    let o = od_sql(&cat, "indicator_bot", null, &out, "zh");
    assert!(stderr(&o).contains("--od-sql 第 71 行（count）：该值为空（NULL）"), "{}", stderr(&o));
    let unknown = "SELECT CASE WHEN origin = 'MO' THEN 'MACAU' ELSE origin END AS origin, dest, sum(trips) AS trips \
                   FROM transport.trips GROUP BY 1, 2 ORDER BY 1, 2";
    let o = od_sql(&cat, "indicator_bot", unknown, &out, "en");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("(origin): unknown unit 'MACAU'") && stderr(&o).contains("--od-sql, row "),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists(), "nothing may be written on error");
}

/// A project whose `[flows]` table takes its OD records from `sql` over its `[catalog]`: the query
/// runs with the indicator queries (same principal, policy and audit), the manifest of `baydex run`
/// records it, and `baydex report` draws the flows from it.
#[test]
fn project_flows_from_sql() {
    let (d, _) = platform();
    let src = std::fs::read_to_string(repo().join("examples/gba-platform/index.toml")).unwrap();
    let units = repo().join("examples/gba/units.csv").canonicalize().unwrap();
    let src = src
        .replace("\"../gba/units.csv\"", &format!("{:?}", units.display().to_string()))
        .replace("\"platform/catalog.toml\"", "\"p/catalog.toml\"");
    let write = |flows: &str| std::fs::write(d.path().join("index.toml"), format!("{src}\n[flows]\n{flows}")).unwrap();
    let project = d.path().join("index.toml").display().to_string();
    let flows = format!("sql = \"{OD_SQL}\"\nmodel = \"doubly\"\nillustrative = true\n");
    write(&flows);

    let out = d.path().join("run");
    let o = baydex(&["run", &project, "--out", s(&out), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let q = m["sql"].as_array().unwrap().iter().find(|q| q["code"] == "flows.od").cloned().unwrap();
    assert_eq!((q["key"].as_str(), q["sql"].as_str()), (Some("flows.sql"), Some(OD_SQL)));
    assert_eq!(q["principal"], "indicator_bot");
    assert_eq!(q["tables"], serde_json::json!(["transport.trips"]));
    assert_eq!(q["fingerprints"][0]["sha256"].as_str().unwrap().len(), 64);

    let report = d.path().join("report");
    let o = baydex(&["report", &project, "--out", s(&report), "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(report.join("report.html")).unwrap();
    assert!(html.contains("Cross-city flows") && html.contains("<code>flows.sql</code>"), "no flows section");
    assert!(html.contains(q["fingerprints"][0]["sha256"].as_str().unwrap()));

    // Bad rows are located at the query's row.
    write(&format!(
        "sql = \"{}\"\nmodel = \"doubly\"\n",
        OD_SQL.replace("sum(trips)", "CASE WHEN origin = 'GZ' THEN -1 ELSE sum(trips) END")
    ));
    let o = baydex(&["report", &project, "--out", s(&d.path().join("bad")), "--lang", "en"]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("flows.sql, row ") && stderr(&o).contains("(count): -1 is negative"), "{}", stderr(&o));
    assert!(!d.path().join("bad").exists());

    // Exactly one of `od` and `sql`.
    write(&format!("od = \"od.csv\"\n{flows}"));
    let o = baydex(&["run", &project, "--out", s(&d.path().join("both")), "--lang", "en"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("[flows] has both `od` and `sql`") && stderr(&o).contains("[flows.sql]"),
        "{}",
        stderr(&o)
    );
    write("model = \"doubly\"\n");
    let o = baydex(&["run", &project, "--out", s(&d.path().join("none")), "--lang", "zh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("[flows] 未指定 OD 记录"), "{}", stderr(&o));
}

/// A project's `[flows] od` may be a Parquet file: the same flows as the CSV it was written from
/// (here by `baydex sql --format parquet`).
#[test]
fn project_flows_from_a_parquet_file() {
    let (d, cat) = platform();
    let parquet = d.path().join("od.parquet");
    let o = baydex(&["sql", "--catalog", &cat, "--as", "admin", "--output", s(&parquet), OD_SQL]);
    assert!(o.status.success(), "{}", stderr(&o));
    let src = std::fs::read_to_string(repo().join("examples/gba-platform/index.toml")).unwrap();
    let units = repo().join("examples/gba/units.csv").canonicalize().unwrap();
    let src = src
        .replace("\"../gba/units.csv\"", &format!("{:?}", units.display().to_string()))
        .replace("\"platform/catalog.toml\"", "\"p/catalog.toml\"");
    std::fs::write(d.path().join("index.toml"), format!("{src}\n[flows]\nod = \"od.parquet\"\nmodel = \"doubly\"\n"))
        .unwrap();
    let report = d.path().join("report");
    let o = baydex(&["report", s(&d.path().join("index.toml")), "--out", s(&report), "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(report.join("report.html")).unwrap();
    assert!(html.contains("Cross-city flows") && html.contains("od.parquet"), "no flows section");
    // A missing Parquet file is located at the key.
    std::fs::remove_file(&parquet).unwrap();
    let o = baydex(&["report", s(&d.path().join("index.toml")), "--out", s(&d.path().join("r2")), "--lang", "en"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("[flows.od]") && stderr(&o).contains("od.parquet"), "{}", stderr(&o));
}
