//! `baydex sql`, `baydex catalog` and `baydex demo-data` end to end (the real binary). Built
//! without the `catalog` feature, the commands must say how to get it; built with it (as
//! scripts/test.sh does), they run over the synthetic demo platform.

mod common;
use common::{baydex, stderr};

#[cfg(not(feature = "catalog"))]
#[test]
fn without_the_feature_sql_says_how_to_get_it() {
    for args in [&["sql", "SELECT 1"][..], &["catalog", "list"][..], &["demo-data", "/tmp/x"][..]] {
        let o = baydex(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = stderr(&o);
        assert!(e.contains("cargo install --path crates/cli --features catalog"), "{e}");
        assert!(e.contains("cargo run --release --features catalog -- sql"), "{e}");
    }
    let o = baydex(&["sql", "SELECT 1", "--lang", "zh"]);
    assert!(stderr(&o).contains("安装方法") && stderr(&o).contains("--features catalog"), "{}", stderr(&o));
}

/// `--engine` other than `local` needs the SQL catalog: an argument error with the install
/// command, before anything is loaded or written; `baydex cluster` needs the `cluster` feature.
#[cfg(not(feature = "catalog"))]
#[test]
fn without_the_feature_engine_and_cluster_say_how_to_get_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = baydex(&["run", "--engine", "ballista://127.0.0.1:1", "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--engine") && stderr(&o).contains("--features catalog"), "{}", stderr(&o));
    assert!(!out.exists(), "outputs were written");
    let o = baydex(&["run", "--engine", "local", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for args in [&["cluster", "scheduler"][..], &["cluster", "executor", "--scheduler", "h:1"][..]] {
        let o = baydex(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("--features cluster"), "{}", stderr(&o));
    }
}

#[cfg(feature = "catalog")]
mod with_catalog {
    use super::*;
    use crate::common::stdout;
    use std::path::Path;

    fn demo(dir: &Path) -> String {
        let o = baydex(&["demo-data", dir.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("SYNTHETIC"), "{}", stdout(&o));
        dir.join("catalog.toml").display().to_string()
    }

    /// A build with the catalog but without the `cluster` feature refuses `--engine ballista://…`
    /// with the install command (exit code 2), and a malformed engine in any build.
    #[test]
    fn engines_this_build_cannot_use_are_argument_errors() {
        let dir = tempfile::tempdir().unwrap();
        let cat = demo(dir.path());
        let cases: &[(&str, &str)] = &[
            ("spark://h:1", "use local or ballista://HOST:PORT"),
            #[cfg(not(feature = "cluster"))]
            ("ballista://127.0.0.1:1", "--features cluster"),
        ];
        for (engine, needle) in cases {
            let o = baydex(&["sql", "--catalog", &cat, "--as", "admin", "--engine", engine, "SELECT 1"]);
            assert_eq!(o.status.code(), Some(2), "{engine}: {}", stderr(&o));
            assert!(stderr(&o).contains(needle), "{engine}: {}", stderr(&o));
            let o = baydex(&["run", "--engine", engine, "--out", dir.path().join("o").to_str().unwrap()]);
            assert_eq!(o.status.code(), Some(2), "{engine}: {}", stderr(&o));
            assert!(stderr(&o).contains(needle), "{engine}: {}", stderr(&o));
            assert!(!dir.path().join("o").exists());
        }
    }

    #[test]
    fn demo_platform_list_describe_and_query() {
        let dir = tempfile::tempdir().unwrap();
        let cat = demo(dir.path());
        // Every data file says it is synthetic.
        let pay = std::fs::read_to_string(dir.path().join("finance/payments.csv")).unwrap();
        assert!(pay.lines().next().unwrap().ends_with(",synthetic") && pay.lines().nth(1).unwrap().ends_with(",true"));
        let sql = std::fs::read_to_string(dir.path().join("services_requests.sql")).unwrap();
        assert!(sql.starts_with("-- SYNTHETIC"));

        let o = baydex(&["catalog", "list", "--catalog", &cat]);
        let out = stdout(&o);
        assert!(
            out.contains("transport.trips") && out.contains("finance.payments") && out.contains("synthetic"),
            "{out}"
        );

        let o = baydex(&["catalog", "describe", "transport.trips", "--catalog", &cat]);
        let out = stdout(&o);
        assert!(out.contains("origin") && out.contains("month") && out.contains("hive"), "{out}");

        // sz_office sees only Shenzhen's payments; the terminal table says how many rows.
        let o = baydex(&["sql", "--catalog", &cat, "--as", "sz_office", "SELECT DISTINCT city FROM finance.payments"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains("SZ") && !out.contains("GZ") && !out.contains("HK"), "{out}");
        assert!(stderr(&o).contains("synthetic"), "{}", stderr(&o));

        // The service token works through BAYDEX_TOKEN-less --token.
        let o = baydex(&[
            "sql",
            "--catalog",
            &cat,
            "--token",
            baydex_data_demo_token(),
            "SELECT count(*) AS n FROM finance.payments",
            "--format",
            "csv",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        // 11 cities × 12 months × 12 payments (demo generator).
        assert_eq!(stdout(&o), "n\n1584\n");

        // Refused: exit code 3, the reason in both languages.
        let o = baydex(&["sql", "--catalog", &cat, "--as", "sz_office", "SELECT * FROM information_schema.tables"]);
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        assert!(stderr(&o).contains("refused"), "{}", stderr(&o));
        let o = baydex(&["sql", "--catalog", &cat, "--as", "sz_office", "--lang", "zh", "DROP TABLE finance.payments"]);
        assert!(stderr(&o).contains("已拒绝"), "{}", stderr(&o));
    }

    fn baydex_data_demo_token() -> &'static str {
        "demo-synthetic-token-indicator-bot"
    }

    #[test]
    fn outputs_are_whole_or_absent() {
        let dir = tempfile::tempdir().unwrap();
        let cat = demo(dir.path());
        let out = dir.path().join("out.parquet");
        let o = baydex(&[
            "sql",
            "--catalog",
            &cat,
            "--as",
            "admin",
            "SELECT origin, dest, month, sum(trips) AS trips FROM transport.trips GROUP BY 1, 2, 3",
            "--output",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        // 110 ordered city pairs × 12 months.
        assert!(stderr(&o).contains("wrote 1320 rows"), "{}", stderr(&o));
        assert!(std::fs::read(&out).unwrap().starts_with(b"PAR1"));

        // A source deleted: the query fails, names the file, and writes nothing.
        std::fs::remove_file(dir.path().join("finance/payments.csv")).unwrap();
        let csv = dir.path().join("pay.csv");
        let o = baydex(&[
            "sql",
            "--catalog",
            &cat,
            "--as",
            "admin",
            "SELECT * FROM finance.payments",
            "--output",
            csv.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("finance.payments"), "{}", stderr(&o));
        assert!(!csv.exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("baydex-tmp"))
            .collect();
        assert!(leftovers.is_empty());
        // The other sources still answer.
        let o = baydex(&[
            "sql",
            "--catalog",
            &cat,
            "--as",
            "admin",
            "SELECT count(*) AS n FROM reference.cities",
            "--format",
            "json",
        ]);
        assert_eq!(stdout(&o).trim(), "{\"n\":11}");
    }

    /// A query that computes for minutes between two yields (a three-way cross join) is stopped
    /// at the catalog's timeout: the command exits soon after with the reason, writes nothing, and
    /// does not wait for the engine's busy threads. (Before, the timer shared the engine's threads
    /// and never fired: the command ran on until killed.)
    #[test]
    fn a_query_is_stopped_at_its_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = String::from("x,y\n");
        for i in 0..30_000 {
            t.push_str(&format!("{i},{}\n", (i * 7919) % 10_007));
        }
        std::fs::write(dir.path().join("t.csv"), t).unwrap();
        std::fs::write(
            dir.path().join("catalog.toml"),
            "[catalog]\nroots = [\".\"]\nquery_timeout_s = 1\n[[domain]]\nname = \"d\"\n\
             [[source]]\ntable = \"d.t\"\nformat = \"csv\"\npath = \"t.csv\"\n",
        )
        .unwrap();
        let cat = dir.path().join("catalog.toml");
        let out = dir.path().join("out.csv");
        let started = std::time::Instant::now();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_baydex"))
            .args(["sql", "--catalog", cat.to_str().unwrap(), "--output", out.to_str().unwrap()])
            .arg("SELECT max(a.x + b.y) AS m FROM d.t a, d.t b, d.t c WHERE a.x + b.y + c.x = 5")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // 30,000³ combinations: hours of work; the command must give up after about 1 s.
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if started.elapsed() > std::time::Duration::from_secs(60) {
                child.kill().unwrap();
                panic!("baydex sql still running after 60 s with query_timeout_s = 1");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let o = child.wait_with_output().unwrap();
        assert_eq!(status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("longer than 1 s"), "{}", stderr(&o));
        assert!(!out.exists());
    }
}
