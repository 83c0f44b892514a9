//! Indicators defined as SQL over the data catalog feed `baydex run` end to end (the real binary,
//! the synthetic platform of `baydex demo-data`, the example project `examples/gba-platform/`).
//! Built with the `catalog` feature only (scripts/test.sh runs it in its catalog step).
#![cfg(feature = "catalog")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{baydex, repo, stderr, stdout};

/// Values computed two ways (our pipeline's raw stage vs. a sum in this test) agree to this
/// relative tolerance: both are sums of a few thousand decimal numbers in f64.
const TOL: f64 = 1e-9;

/// A temporary directory with the demo platform in `platform/` and the example project (its
/// units file path made absolute) as `index.toml`.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let o = baydex(&["demo-data", dir.path().join("platform").to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let s = Setup { dir };
        s.write_project(|p| p);
        s
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn project(&self) -> String {
        self.path("index.toml").display().to_string()
    }

    /// The example project, changed by `edit`.
    fn write_project(&self, edit: impl FnOnce(String) -> String) {
        let src = std::fs::read_to_string(repo().join("examples/gba-platform/index.toml")).unwrap();
        let units = repo().join("examples/gba/units.csv").canonicalize().unwrap();
        let src = src.replace("\"../gba/units.csv\"", &format!("{:?}", units.display().to_string()));
        std::fs::write(self.path("index.toml"), edit(src)).unwrap();
    }

    fn run(&self, out: &str, extra: &[&str]) -> std::process::Output {
        let project = self.project();
        let out = self.path(out).display().to_string();
        let mut args = vec!["run", project.as_str(), "--out", out.as_str()];
        args.extend_from_slice(extra);
        baydex(&args)
    }
}

/// `stages/<name>.csv` as unit → column → value (NaN for NA), for period 2024.
fn stage(dir: &Path, name: &str) -> BTreeMap<String, BTreeMap<String, f64>> {
    let mut r = csv::Reader::from_path(dir.join("stages").join(format!("{name}.csv"))).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut out = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        assert_eq!(&rec[1], "2024");
        let mut row = BTreeMap::new();
        for (h, v) in header.iter().zip(rec.iter()).skip(2) {
            row.insert(h.clone(), if v == "NA" { f64::NAN } else { v.parse().unwrap() });
        }
        out.insert(rec[0].to_string(), row);
    }
    out
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL * b.abs().max(1.0)
}

/// The indicators recomputed from the demo platform without our SQL: payments and air quality
/// from the CSV and JSON files, trips from a differently written `baydex sql` query (as admin)
/// summed here. unit → indicator → value.
fn expected(s: &Setup) -> BTreeMap<String, BTreeMap<&'static str, f64>> {
    let mut out: BTreeMap<String, BTreeMap<&'static str, f64>> = BTreeMap::new();
    // finance.payments: month,city,channel,card_id,holder_name,amount,synthetic
    let mut counts: BTreeMap<String, (f64, f64, f64, f64)> = BTreeMap::new();
    let mut r = csv::Reader::from_path(s.path("platform/finance/payments.csv")).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        assert!(rec[0].starts_with("2024-"));
        let amount: f64 = rec[5].parse().unwrap();
        let online = &rec[2] == "online";
        let e = counts.entry(rec[1].to_string()).or_default();
        e.0 += 1.0;
        e.1 += if online { 1.0 } else { 0.0 };
        e.2 += amount;
        e.3 += if online { amount } else { 0.0 };
    }
    for (city, (n, n_online, total, online)) in counts {
        let m = out.entry(city).or_default();
        m.insert("ONLINE_SHARE", 100.0 * n_online / n);
        m.insert("ONLINE_VALUE", 100.0 * online / total);
    }
    // environment.air_quality: one JSON object per line.
    let mut pm: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for line in std::fs::read_to_string(s.path("platform/environment/air_quality.json")).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let e = pm.entry(v["city"].as_str().unwrap().to_string()).or_default();
        e.0 += v["pm25"].as_f64().unwrap();
        e.1 += 1.0;
    }
    for (city, (sum, n)) in pm {
        out.entry(city).or_default().insert("PM25", sum / n);
    }
    // transport.trips (Parquet): per origin, month and mode, summed here.
    let cat = s.path("platform/catalog.toml").display().to_string();
    let o = baydex(&[
        "sql",
        "--catalog",
        &cat,
        "--as",
        "admin",
        "--format",
        "csv",
        "SELECT origin, month, mode, trips FROM transport.trips WHERE year = '2024'",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut trips: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let text = stdout(&o);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let t: f64 = rec[3].parse().unwrap();
        let e = trips.entry(rec[0].to_string()).or_default();
        e.0 += t;
        e.1 += if &rec[2] == "rail" { t } else { 0.0 };
        n += 1;
    }
    // 110 ordered city pairs × 2 modes × 12 months (the demo generator).
    assert_eq!(n, 2640);
    for (city, (total, rail)) in trips {
        let m = out.entry(city).or_default();
        m.insert("TRIPS_OUT", total / 1e6);
        m.insert("RAIL_SHARE", 100.0 * rail / total);
    }
    out
}

#[test]
fn sql_indicators_feed_run_end_to_end() {
    let s = Setup::new();
    let o = s.run("out", &["--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let out = stdout(&o);
    // Synthetic data are labelled in the terminal and the outputs.
    assert!(out.contains("ILLUSTRATIVE DATA") && out.contains("SYNTHETIC"), "{out}");
    assert!(out.contains("SQL: 'ONLINE_SHARE' from finance.payments as indicator_bot (11 rows)"), "{out}");
    let dir = s.path("out");
    let notice = std::fs::read_to_string(dir.join(baydex_data::output::ILLUSTRATIVE)).unwrap();
    assert!(notice.contains("SYNTHETIC") && notice.contains("合成演示数据"), "{notice}");

    // Every raw value is the independently computed one.
    let raw = stage(&dir, "Raw");
    let want = expected(&s);
    assert_eq!(raw.len(), 11);
    assert_eq!(want.len(), 11);
    for (city, inds) in &want {
        for (code, v) in inds {
            let got = raw[city][*code];
            assert!(close(got, *v), "{city} {code}: run {got}, expected {v}");
        }
    }

    // The manifest holds each query, its principal, the tables read and their fingerprints.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["illustrative"], true);
    let sql = manifest["sql"].as_array().unwrap();
    let project = std::fs::read_to_string(s.path("index.toml")).unwrap();
    let codes: Vec<&str> = sql.iter().map(|q| q["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["ONLINE_SHARE", "ONLINE_VALUE", "TRIPS_OUT", "RAIL_SHARE", "PM25"]);
    let mut prints = BTreeMap::new();
    for q in sql {
        let text = q["sql"].as_str().unwrap();
        assert!(text.contains("SELECT") && project.contains(text), "{text}");
        assert_eq!(q["principal"], "indicator_bot");
        assert_eq!(q["illustrative"], true);
        let tables: Vec<&str> = q["tables"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert_eq!(tables.len(), 1);
        assert!(text.contains(&format!("FROM {}", tables[0])), "{text}");
        let f = &q["fingerprints"][0];
        assert_eq!(f["table"], tables[0]);
        let sha = f["sha256"].as_str().unwrap();
        assert!(sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()), "{sha}");
        prints.insert(tables[0].to_string(), sha.to_string());
    }
    assert_eq!(prints.len(), 3);
    // The catalog and its policy are inputs too.
    let inputs: Vec<&str> =
        manifest["inputs"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap()).collect();
    let platform = s.path("platform").display().to_string();
    assert!(inputs.contains(&format!("{platform}/catalog.toml").as_str()), "{inputs:?}");
    assert!(inputs.contains(&format!("{platform}/policy.toml").as_str()), "{inputs:?}");

    // Every query was audited as the principal.
    let log = baydex_data::catalog::AuditLog::open(&s.path("platform/audit.sqlite")).unwrap();
    let entries = log.entries().unwrap();
    for q in sql {
        assert!(
            entries.iter().any(|e| e.sql == q["sql"].as_str().unwrap()
                && e.principal == "indicator_bot"
                && e.outcome == "allowed"),
            "{entries:?}"
        );
    }

    // A changed source changes its fingerprint (and only its own).
    let pay = s.path("platform/finance/payments.csv");
    let mut text = std::fs::read_to_string(&pay).unwrap();
    text.push_str("2024-12,SZ,online,622201000000,Synthetic Person 1-99,10.00,true\n");
    std::fs::write(&pay, text).unwrap();
    let o = s.run("out2", &["--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m2: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("out2/manifest.json")).unwrap()).unwrap();
    let print = |m: &serde_json::Value, t: &str| {
        m["sql"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["tables"][0] == t)
            .map(|q| q["fingerprints"][0]["sha256"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_ne!(print(&m2, "finance.payments"), prints["finance.payments"]);
    assert_eq!(print(&m2, "transport.trips"), prints["transport.trips"]);
    assert_eq!(print(&m2, "environment.air_quality"), prints["environment.air_quality"]);
}

#[test]
fn the_report_shows_each_query_its_principal_and_fingerprints() {
    let s = Setup::new();
    let out = s.path("report").display().to_string();
    let o = baydex(&["report", &s.project(), "--out", &out, "--lang", "zh"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(s.path("report").join("report.html")).unwrap();
    assert!(html.contains("由数据目录 SQL 计算的指标"), "the provenance has the SQL table");
    // The manifest of the same project is the reference: every query, principal and fingerprint
    // it records is in the report's provenance (query text HTML-escaped).
    let o = s.run("run", &["--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.path("run").join("manifest.json")).unwrap()).unwrap();
    let sql = manifest["sql"].as_array().unwrap();
    assert_eq!(sql.len(), 5);
    for q in sql {
        let text = q["sql"].as_str().unwrap().trim().replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let text = text.replace('\'', "&#39;").replace('"', "&quot;");
        assert!(html.contains(&text), "query of {} not in the report: {text}", q["code"]);
        assert!(html.contains(&format!("<code>{}</code>（合成数据）", q["code"].as_str().unwrap())));
        for f in q["fingerprints"].as_array().unwrap() {
            assert!(html.contains(f["sha256"].as_str().unwrap()), "fingerprint of {}", f["table"]);
        }
    }
    assert!(html.contains("indicator_bot"));
}

#[test]
fn a_city_the_query_does_not_return_is_missing_and_imputed() {
    let s = Setup::new();
    s.write_project(|p| {
        p.replace("FROM environment.air_quality\n", "FROM environment.air_quality\nWHERE city <> 'MO'\n")
    });
    let o = s.run("out", &["--quiet", "--lang", "en"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A unit without a value is said, at the query (a row filter could hide it silently).
    let e = stderr(&o);
    assert!(e.contains("warning:") && e.contains("[data[5].sql]"), "{e}");
    assert!(e.contains("the SQL query of 'PM25' gives no value for 1 unit(s) in period 2024: MO"), "{e}");
    let raw = stage(&s.path("out"), "Raw");
    assert!(raw["MO"]["PM25"].is_nan());
    // impute: mean of the 10 other cities (docs/project-file.md, `impute`, method = "mean").
    let others: Vec<f64> = raw.iter().filter(|(c, _)| *c != "MO").map(|(_, r)| r["PM25"]).collect();
    let mean = others.iter().sum::<f64>() / others.len() as f64;
    let imputed = stage(&s.path("out"), "Imputed");
    assert!(close(imputed["MO"]["PM25"], mean), "{} vs {mean}", imputed["MO"]["PM25"]);
}

/// Runs a project that must fail to load: exit 2, nothing written into an existing output
/// directory (a sentinel stays alone). Returns stderr.
fn fails_to_load(s: &Setup, lang: &str) -> String {
    let out = s.path("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("sentinel.txt"), "keep").unwrap();
    let o = s.run("out", &["--lang", lang]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let names: Vec<String> =
        std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["sentinel.txt"]);
    stderr(&o)
}

/// The 1-based line of the first occurrence of `needle` in the project file.
fn line_of(s: &Setup, needle: &str) -> usize {
    let text = std::fs::read_to_string(s.path("index.toml")).unwrap();
    let at = text.find(needle).unwrap();
    text[..at].matches('\n').count() + 1
}

#[test]
fn a_bad_sql_indicator_is_located_and_writes_nothing() {
    let s = Setup::new();
    s.write_project(|p| p.replacen("WHEN channel = 'online' THEN 1.0", "WHEN chanel = 'online' THEN 1.0", 1));
    let e = fails_to_load(&s, "en");
    // data[1] is ONLINE_SHARE; the error points at its `sql = """` line and names the fix.
    let line = line_of(&s, "sql = \"\"\"");
    assert!(e.contains(&format!("index.toml:{line}:")) && e.contains("[data[1].sql]"), "{e}");
    assert!(e.contains("the SQL query of indicator 'ONLINE_SHARE' failed") && e.contains("chanel"), "{e}");
    assert!(e.contains("help: fix the query in data[1].sql") && e.contains("--as indicator_bot"), "{e}");
    let e = fails_to_load(&s, "zh");
    assert!(e.contains("指标 'ONLINE_SHARE' 的 SQL 查询失败") && e.contains("提示："), "{e}");

    // Wrong columns: the fix is to name them.
    s.write_project(|p| p.replacen("SELECT city AS unit,", "SELECT city,", 1));
    let e = fails_to_load(&s, "en");
    assert!(e.contains("must return exactly unit, period, value") && e.contains("city, period, value"), "{e}");

    // A unit not in [units] is named.
    s.write_project(|p| {
        p.replacen("SELECT city AS unit,", "SELECT CASE WHEN city = 'MO' THEN 'MACAU' ELSE city END AS unit,", 1)
    });
    let e = fails_to_load(&s, "en");
    assert!(e.contains("unit 'MACAU' is not declared in [units]") && e.contains("data[1].sql#"), "{e}");

    // Infinite values are refused, NULL is missing.
    s.write_project(|p| p.replacen("AS value\nFROM finance.payments", "/ 0.0 AS value\nFROM finance.payments", 1));
    let e = fails_to_load(&s, "en");
    assert!(e.contains("values must be finite numbers"), "{e}");
}

#[test]
fn a_principal_without_a_grant_is_refused() {
    let s = Setup::new();
    // indicator_bot has no grant on the services domain (examples/platform/policy.toml).
    s.write_project(|p| {
        p.replace(
            "SELECT city AS unit, substr(month, 1, 4) AS period, avg(pm25) AS value\nFROM environment.air_quality",
            "SELECT city AS unit, '2024' AS period, avg(days_to_close) AS value\nFROM services.requests",
        )
    });
    let e = fails_to_load(&s, "en");
    assert!(e.contains("[data[5].sql]") && e.contains("refused: no access to `services.requests`"), "{e}");
    let log = baydex_data::catalog::AuditLog::open(&s.path("platform/audit.sqlite")).unwrap();
    assert!(
        log.entries()
            .unwrap()
            .iter()
            .any(|x| x.principal == "indicator_bot" && x.outcome == "refused" && x.sql.contains("services.requests")),
        "the refusal is audited"
    );

    // A principal the policy does not know, or none at all, is an error at [catalog].
    s.write_project(|p| p.replace("principal = \"indicator_bot\"", "principal = \"nobody\""));
    let e = fails_to_load(&s, "en");
    assert!(
        e.contains("no principal `nobody`") && e.contains("indicator_bot") && e.contains("[catalog.principal]"),
        "{e}"
    );
    s.write_project(|p| p.replace("principal = \"indicator_bot\"\n", ""));
    let e = fails_to_load(&s, "en");
    assert!(e.contains("say which principal runs the queries"), "{e}");
}

/// The demo's PostgreSQL source (services.requests) on the real server of scripts/test.sh:
/// an indicator from it runs as admin, and its fingerprint covers the table's rows.
#[test]
fn an_indicator_from_postgresql() {
    let url = std::env::var("BAYDEX_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "BAYDEX_TEST_PG_URL is not set: this test needs a real PostgreSQL server. Run `bash scripts/test.sh` \
             (it installs PostgreSQL, starts a throwaway cluster and sets the URL)."
        )
    });
    let s = Setup::new();
    let db = format!("baydex_catalog_run_{}", std::process::id());
    let psql = |url: &str, args: &[&str]| {
        let o = Command::new("psql").arg(url).args(["-v", "ON_ERROR_STOP=1", "-q"]).args(args).output().unwrap();
        assert!(o.status.success(), "psql {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    };
    psql(&url, &["-c", &format!("DROP DATABASE IF EXISTS {db}")]);
    psql(&url, &["-c", &format!("CREATE DATABASE {db}")]);
    let (base, query) = url.split_once('?').map_or((url.as_str(), ""), |(b, q)| (b, q));
    let scheme = base.find("://").map_or(0, |i| i + 3);
    let server = base[scheme..].find('/').map_or(base, |i| &base[..scheme + i]);
    let dburl = if query.is_empty() { format!("{server}/{db}") } else { format!("{server}/{db}?{query}") };
    psql(&dburl, &["-f", s.path("platform/services_requests.sql").to_str().unwrap()]);

    s.write_project(|p| {
        p.replace("principal = \"indicator_bot\"", "principal = \"admin\"").replace(
            "SELECT city AS unit, substr(month, 1, 4) AS period, avg(pm25) AS value\nFROM environment.air_quality\nGROUP BY city, substr(month, 1, 4)",
            "SELECT city AS unit, CAST(extract(year FROM opened) AS BIGINT) AS period, avg(days_to_close) AS value\nFROM services.requests\nGROUP BY 1, 2",
        )
    });
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_baydex"))
            .args(["run", &s.project(), "--out", s.path("out").to_str().unwrap(), "--quiet"])
            .env("BAYDEX_DEMO_PG_URL", &dburl)
            .env("LANG", "C")
            .output()
            .unwrap()
    };
    let o = run();
    let result = std::panic::catch_unwind(|| {
        assert!(o.status.success(), "{}", stderr(&o));
        // Independently: the mean days to close per city, by PostgreSQL itself.
        let q = Command::new("psql")
            .args([
                &dburl,
                "-At",
                "-F",
                ",",
                "-c",
                "SELECT city, avg(days_to_close)::float8 FROM service_requests GROUP BY city",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&q.stdout).to_string();
        let raw = stage(&s.path("out"), "Raw");
        let mut n = 0;
        for line in text.lines() {
            let (city, v) = line.split_once(',').unwrap();
            let v: f64 = v.parse().unwrap();
            assert!(close(raw[city]["PM25"], v), "{city}: {} vs {v}", raw[city]["PM25"]);
            n += 1;
        }
        assert_eq!(n, 11);
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(s.path("out/manifest.json")).unwrap()).unwrap();
        let q = m["sql"].as_array().unwrap().iter().find(|q| q["tables"][0] == "services.requests").cloned().unwrap();
        assert_eq!(q["principal"], "admin");
        let before = q["fingerprints"][0]["sha256"].as_str().unwrap().to_string();
        // A changed row changes the fingerprint.
        psql(&dburl, &["-c", "UPDATE service_requests SET days_to_close = days_to_close + 1 WHERE id = 1"]);
        let o = run();
        assert!(o.status.success(), "{}", stderr(&o));
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(s.path("out/manifest.json")).unwrap()).unwrap();
        let q = m["sql"].as_array().unwrap().iter().find(|q| q["tables"][0] == "services.requests").cloned().unwrap();
        assert_ne!(q["fingerprints"][0]["sha256"].as_str().unwrap(), before);
    });
    psql(&url, &["-c", &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")]);
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
