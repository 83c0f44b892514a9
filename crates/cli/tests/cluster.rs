//! `baydex sql --engine ballista://…` end to end: a real Ballista cluster of `baydex cluster`
//! processes (one scheduler, two executors on free loopback ports) against the local engine. The
//! reference of every cluster answer is the same query on `--engine local` (whose correctness the
//! catalog tests establish): rows, refusals, errors and exit codes must be identical.
#![cfg(feature = "cluster")]

mod common;
use common::*;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_port(port: u16, what: &str, logs: &Path) {
    let t0 = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t0.elapsed() < Duration::from_secs(60), "{what} did not listen on {port}; logs in {}", logs.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A scheduler and two executors, killed on drop.
struct Cluster {
    url: String,
    scheduler: Child,
    executors: Vec<Child>,
    logs: tempfile::TempDir,
}

impl Cluster {
    fn start() -> Cluster {
        let logs = tempfile::tempdir().unwrap();
        let port = free_port();
        let logdir = logs.path().to_path_buf();
        let spawn = |args: &[String], log: &str| -> Child {
            let f = std::fs::File::create(logdir.join(log)).unwrap();
            Command::new(env!("CARGO_BIN_EXE_baydex"))
                .args(args)
                .env("LANG", "C")
                .env("BAYDEX_LOG", "info")
                .stdout(Stdio::null())
                .stderr(f)
                .spawn()
                .expect("start baydex cluster")
        };
        let scheduler = spawn(
            &[
                "cluster".into(),
                "scheduler".into(),
                "--bind".into(),
                format!("127.0.0.1:{port}"),
                "--executor-timeout-s".into(),
                "6".into(),
            ],
            "scheduler.log",
        );
        let mut c = Cluster { url: format!("ballista://127.0.0.1:{port}"), scheduler, executors: Vec::new(), logs };
        wait_port(port, "the scheduler", c.logs.path());
        for i in 0..2 {
            let (data, task) = (free_port(), free_port());
            let work = c.logs.path().join(format!("work{i}"));
            std::fs::create_dir_all(&work).unwrap();
            let args: Vec<String> = vec![
                "cluster".into(),
                "executor".into(),
                "--scheduler".into(),
                format!("127.0.0.1:{port}"),
                "--bind".into(),
                format!("127.0.0.1:{data}"),
                "--grpc-port".into(),
                task.to_string(),
                "--concurrent-tasks".into(),
                "2".into(),
                "--heartbeat-s".into(),
                "1".into(),
                "--work-dir".into(),
                work.display().to_string(),
            ];
            c.executors.push(spawn(&args, &format!("executor{i}.log")));
            wait_port(data, "an executor", c.logs.path());
            wait_port(task, "an executor", c.logs.path());
        }
        c
    }

    /// Waits until the cluster answers a query (the executors have registered).
    fn wait_ready(&self, catalog: &str, principal: &str) {
        let t0 = Instant::now();
        loop {
            let o = sql(catalog, principal, "SELECT count(*) AS n FROM reference.cities", &self.url);
            if o.status.success() {
                assert_eq!(stdout(&o).trim(), "n\n11");
                return;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(90),
                "the cluster never answered: {}\nlogs in {}",
                stderr(&o),
                self.logs.path().display()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in self.executors.iter_mut().chain(std::iter::once(&mut self.scheduler)) {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn sql(catalog: &str, principal: &str, query: &str, engine: &str) -> Output {
    let mut args = vec!["sql", "--catalog", catalog, "--format", "csv", "--quiet", "--engine", engine];
    if !principal.is_empty() {
        args.extend(["--as", principal]);
    }
    args.push(query);
    baydex(&args)
}

fn demo(dir: &Path) -> String {
    let o = baydex(&["demo-data", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join("catalog.toml").display().to_string()
}

/// Both engines give the same exit code, the same output and (for refusals and failures) the same
/// message. Returns the local output.
fn same_on_both(cat: &str, principal: &str, query: &str, url: &str) -> Output {
    let local = sql(cat, principal, query, "local");
    let remote = sql(cat, principal, query, url);
    let what = format!("{principal}: {query}\nlocal: {}\ncluster: {}", stderr(&local), stderr(&remote));
    assert_eq!(local.status.code(), remote.status.code(), "{what}");
    assert_eq!(stdout(&local), stdout(&remote), "{what}");
    if !local.status.success() {
        assert_eq!(stderr(&local), stderr(&remote), "{what}");
    }
    local
}

/// (a) The demo platform: aggregations, joins, windows and the SQL indicators of
/// examples/gba-platform/index.toml give identical results on both engines.
#[test]
fn demo_queries_match_the_local_engine() {
    let dir = tempfile::tempdir().unwrap();
    let cat = demo(dir.path());
    let cluster = Cluster::start();
    cluster.wait_ready(&cat, "admin");
    let mut queries: Vec<String> = [
        "SELECT city, channel, count(*) AS n, sum(amount) AS total FROM finance.payments GROUP BY city, channel ORDER BY city, channel",
        "SELECT origin, mode, sum(trips) AS trips FROM transport.trips WHERE month IN ('01', '07') GROUP BY origin, mode ORDER BY origin, mode",
        "SELECT c.name_en, round(avg(a.pm25), 6) AS pm25 FROM environment.air_quality a JOIN reference.cities c ON a.city = c.code GROUP BY c.name_en ORDER BY c.name_en",
        "SELECT t.origin, t.dest, sum(t.trips) AS trips, max(p.amount) AS top FROM transport.trips t JOIN finance.payments p ON p.city = t.origin AND p.month = '2024-' || t.month GROUP BY t.origin, t.dest ORDER BY trips DESC, t.origin, t.dest LIMIT 20",
        "SELECT station, month, rank() OVER (PARTITION BY city ORDER BY pm25 DESC, station, month) AS r FROM environment.air_quality ORDER BY station, month",
        "SELECT city FROM finance.payments UNION SELECT city FROM environment.air_quality ORDER BY city",
        "SELECT count(*) AS n FROM transport.trips WHERE origin IN (SELECT city FROM environment.air_quality WHERE pm25 > 30)",
        "SELECT year, month, count(*) AS n FROM transport.trips GROUP BY year, month ORDER BY year, month",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // The indicators' SQL, as written in the example project, in a fixed row order; values rounded
    // to 9 decimals (the two engines may add floating-point numbers in another order).
    let index = std::fs::read_to_string(repo().join("examples/gba-platform/index.toml")).unwrap();
    let mut n_indicators = 0;
    for part in index.split("sql = \"\"\"").skip(1) {
        let q = part.split("\"\"\"").next().unwrap().trim().to_string();
        queries.push(format!("SELECT unit, period, round(value, 9) AS value FROM ({q}) AS i ORDER BY unit, period"));
        n_indicators += 1;
    }
    assert!(n_indicators >= 3, "the SQL indicators of examples/gba-platform/index.toml were not found");
    for q in &queries {
        let o = same_on_both(&cat, "indicator_bot", q, &cluster.url);
        assert!(o.status.success(), "{q}: {}", stderr(&o));
        assert!(stdout(&o).lines().count() >= 2, "{q}: no rows");
    }
}

/// (b) The access matrix: for each principal, allowed and refused queries (row filters, masks,
/// ungranted columns and tables, subqueries, joins, foreign scans, writes) give the same rows or
/// the same refusal on both engines.
#[test]
fn the_access_matrix_is_the_same_on_the_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let cat = demo(dir.path());
    let cluster = Cluster::start();
    cluster.wait_ready(&cat, "admin");
    let queries = [
        "SELECT city, channel, amount FROM finance.payments ORDER BY month, city, channel, amount",
        "SELECT DISTINCT card_id FROM finance.payments ORDER BY card_id LIMIT 5",
        "SELECT holder_name FROM finance.payments ORDER BY holder_name LIMIT 3",
        "SELECT count(*) AS n FROM finance.payments WHERE city = 'HK' OR 1 = 1",
        "SELECT origin, dest, sum(trips) AS trips FROM transport.trips GROUP BY origin, dest ORDER BY origin, dest",
        "SELECT p.city, a.station, count(*) AS n FROM finance.payments p JOIN environment.air_quality a ON p.city = a.city AND p.month = a.month GROUP BY p.city, a.station ORDER BY p.city, a.station",
        "SELECT count(*) AS n FROM transport.trips t WHERE EXISTS (SELECT 1 FROM environment.air_quality a WHERE a.city = t.origin)",
        "SELECT (SELECT count(*) FROM finance.payments) AS n",
        "SELECT city, count(*) OVER () AS n FROM environment.air_quality ORDER BY station, month",
        "SELECT * FROM services.requests",
        "SELECT * FROM generate_series(1, 3)",
        "DROP TABLE finance.payments",
        "SELECT * FROM nowhere.table",
        "SELECT 1; SELECT 2",
    ];
    let mut outcomes = [0usize; 3];
    for principal in ["admin", "sz_office", "hk_office", "indicator_bot"] {
        for q in queries {
            let o = same_on_both(&cat, principal, q, &cluster.url);
            match o.status.code() {
                Some(0) => outcomes[0] += 1,
                Some(3) => outcomes[1] += 1,
                _ => outcomes[2] += 1,
            }
        }
    }
    // The matrix exercises all three outcomes (allowed, refused, failed).
    assert!(outcomes.iter().all(|&n| n > 0), "{outcomes:?}");
    // Row filters reach the cluster: sz_office sees only its own city.
    let o = sql(&cat, "sz_office", "SELECT DISTINCT city FROM finance.payments", &cluster.url);
    assert_eq!(stdout(&o), "city\nSZ\n", "{}", stderr(&o));
}

/// A PostgreSQL source cannot run on the cluster: a clear error naming the table, exit code 1;
/// locally the same query runs.
#[test]
fn a_postgres_source_runs_only_locally() {
    let _pg = std::env::var("BAYDEX_TEST_PG_URL")
        .expect("BAYDEX_TEST_PG_URL is not set: run `bash scripts/test.sh`, which starts a PostgreSQL for the tests");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.csv"), "x\n1\n").unwrap();
    std::fs::write(
        dir.path().join("catalog.toml"),
        "[catalog]\nname = { zh = \"测试\", en = \"test\" }\nillustrative = true\nroots = [\".\"]\naudit = \"audit.sqlite\"\n\n\
         [[domain]]\nname = \"d\"\ntitle = { zh = \"测试\", en = \"test\" }\n\n\
         [[source]]\ntable = \"d.a\"\nformat = \"csv\"\npath = \"a.csv\"\ndescription = { zh = \"测试\", en = \"test\" }\n\n\
         [[source]]\ntable = \"d.features\"\nformat = \"postgres\"\nurl_env = \"BAYDEX_TEST_PG_URL\"\n\
         relation = \"information_schema.sql_features\"\ndescription = { zh = \"测试\", en = \"test\" }\n",
    )
    .unwrap();
    let cat = dir.path().join("catalog.toml").display().to_string();
    let local = sql(&cat, "", "SELECT count(*) AS n FROM d.features", "local");
    assert!(local.status.success(), "{}", stderr(&local));
    // No cluster needed: the refusal comes before anything is sent.
    let port = free_port();
    for (lang, needle) in
        [("en", "PostgreSQL sources run only with --engine local"), ("zh", "只能以 --engine local 运行")]
    {
        let o = baydex(&[
            "sql",
            "--catalog",
            &cat,
            "--lang",
            lang,
            "--engine",
            &format!("ballista://127.0.0.1:{port}"),
            "SELECT count(*) FROM d.features JOIN d.a ON true",
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains(needle) && stderr(&o).contains("d.features"), "{}", stderr(&o));
    }
}

/// (d) No scheduler: a clear error naming the URL and how to start one, exit code 1, no output file.
#[test]
fn an_unreachable_scheduler_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cat = demo(dir.path());
    let out = dir.path().join("out.csv");
    let url = format!("ballista://127.0.0.1:{}", free_port());
    for (lang, needles) in [
        ("en", ["cannot reach the Ballista scheduler at", "baydex cluster scheduler"]),
        ("zh", ["无法连接 Ballista 调度器", "baydex cluster scheduler"]),
    ] {
        let o = baydex(&[
            "sql",
            "--catalog",
            &cat,
            "--as",
            "admin",
            "--lang",
            lang,
            "--engine",
            &url,
            "--output",
            out.to_str().unwrap(),
            "SELECT count(*) FROM reference.cities",
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        for n in needles {
            assert!(stderr(&o).contains(n) && stderr(&o).contains(&url), "{lang}: {}", stderr(&o));
        }
        assert!(!out.exists(), "an output file was written");
    }
    let o = baydex(&["sql", "--catalog", &cat, "--as", "admin", "--engine", "spark://x:1", "SELECT 1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("ballista://HOST:PORT"), "{}", stderr(&o));
}

/// A CSV of `rows` rows `k,v` (k = i mod `keys`), synthetic test data.
fn big_catalog(dir: &Path, rows: usize, keys: usize, timeout_s: u64) -> String {
    use std::io::Write as _;
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("big.csv")).unwrap());
    writeln!(f, "k,v").unwrap();
    for i in 0..rows {
        writeln!(f, "{},{}", i % keys, i).unwrap();
    }
    drop(f);
    std::fs::write(
        dir.join("catalog.toml"),
        "[catalog]\nname = { zh = \"集群测试（合成数据）\", en = \"cluster test (synthetic data)\" }\nillustrative = true\n\
         roots = [\".\"]\naudit = \"audit.sqlite\"\nquery_timeout_s = TIMEOUT\nmemory_limit_mb = 4096\n\n\
         [[domain]]\nname = \"t\"\ntitle = { zh = \"测试\", en = \"test\" }\n\n\
         [[domain]]\nname = \"reference\"\ntitle = { zh = \"测试\", en = \"test\" }\n\n\
         [[source]]\ntable = \"t.big\"\nformat = \"csv\"\npath = \"big.csv\"\ndescription = { zh = \"合成\", en = \"synthetic\" }\n\n\
         [[source]]\ntable = \"reference.cities\"\nformat = \"csv\"\npath = \"cities.csv\"\ndescription = { zh = \"合成\", en = \"synthetic\" }\n"
            .replace("TIMEOUT", &timeout_s.to_string()),
    )
    .unwrap();
    let mut cities = String::from("code\n");
    for i in 0..11 {
        cities.push_str(&format!("C{i}\n"));
    }
    std::fs::write(dir.join("cities.csv"), cities).unwrap();
    dir.join("catalog.toml").display().to_string()
}

/// (c) An executor killed during a long query: a clear error or the complete, correct answer
/// (the local engine's); never a wrong or partial answer, never a half-written file.
#[test]
fn an_executor_killed_mid_query_never_gives_a_wrong_answer() {
    let dir = tempfile::tempdir().unwrap();
    // 1e6 rows, 1000 keys: the self-join makes 1e9 rows (about 10 s here), so the kill at 3 s
    // lands while the query runs.
    // The catalog's timeout (120 s) bounds a job that Ballista does not recover.
    let cat = big_catalog(dir.path(), 1_000_000, 1_000, 120);
    let query =
        "SELECT a.k, count(*) AS n, sum(b.v) AS s FROM t.big a JOIN t.big b ON a.k = b.k GROUP BY a.k ORDER BY a.k";
    let local = sql(&cat, "", query, "local");
    assert!(local.status.success(), "{}", stderr(&local));
    assert_eq!(stdout(&local).lines().count(), 1_001);
    let local_file = dir.path().join("local.csv");
    let o = baydex(&["sql", "--catalog", &cat, "--quiet", "--output", local_file.to_str().unwrap(), query]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut cluster = Cluster::start();
    cluster.wait_ready(&cat, "");
    let out: PathBuf = dir.path().join("out.csv");
    let child = Command::new(env!("CARGO_BIN_EXE_baydex"))
        .args(["sql", "--catalog", &cat, "--quiet", "--engine", &cluster.url, "--output", out.to_str().unwrap(), query])
        .env("LANG", "C")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = child;
    eprintln!("cluster logs: {}", cluster.logs.path().display());
    std::thread::sleep(Duration::from_secs(3));
    let killed_while_running = matches!(child.try_wait(), Ok(None));
    let mut victim = cluster.executors.remove(0);
    let _ = victim.kill();
    let _ = victim.wait();
    let o = child.wait_with_output().unwrap();
    eprintln!(
        "executor killed while the query ran: {killed_while_running}; exit {:?}; {}",
        o.status.code(),
        stderr(&o)
    );
    if o.status.success() {
        let written = std::fs::read_to_string(&out).unwrap();
        let expected = std::fs::read_to_string(&local_file).unwrap();
        assert_eq!(written, expected, "the cluster's answer differs from the local engine's");
    } else {
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("failed") || stderr(&o).contains("stopped"), "{}", stderr(&o));
        assert!(!out.exists(), "a file was written by a failed query");
    }
    // The cluster still answers with the survivor.
    let again = sql(&cat, "", query, &cluster.url);
    if again.status.success() {
        assert_eq!(stdout(&again), stdout(&local));
    }
}

/// A scheduler without executors: the job waits in the scheduler's queue, so the query stops at
/// the catalog's timeout with a hint about executors (which also shows that `--engine` really
/// sends the query to the cluster), exit code 1.
#[test]
fn a_cluster_without_executors_stops_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let cat = big_catalog(dir.path(), 10, 2, 3);
    let port = free_port();
    let log = dir.path().join("scheduler.log");
    let scheduler = Command::new(env!("CARGO_BIN_EXE_baydex"))
        .args(["cluster", "scheduler", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _scheduler = Kill(scheduler);
    wait_port(port, "the scheduler", dir.path());
    let url = format!("ballista://127.0.0.1:{port}");
    let local = sql(&cat, "", "SELECT count(*) AS n FROM t.big", "local");
    assert_eq!(stdout(&local), "n\n10\n", "{}", stderr(&local));
    let t0 = Instant::now();
    let o = sql(&cat, "", "SELECT count(*) AS n FROM t.big", &url);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(t0.elapsed() >= Duration::from_secs(3), "{:?}", t0.elapsed());
    assert!(
        stderr(&o).contains("longer than 3 s") && stderr(&o).contains("is at least one executor running"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout(&o), "");
}
