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
        Cluster::start_with(2, None)
    }

    /// A scheduler and `executors` executors; with `hide`, each executor runs in a mount namespace
    /// of its own where an empty file system covers that directory (`unshare`, util-linux): the
    /// executor's machine cannot see the files there, as on a machine without the shared mount.
    fn start_with(executors: usize, hide: Option<&Path>) -> Cluster {
        let logs = tempfile::tempdir().unwrap();
        let port = free_port();
        let logdir = logs.path().to_path_buf();
        let spawn = |args: &[String], log: &str| -> Child {
            let f = std::fs::File::create(logdir.join(log)).unwrap();
            let mut cmd = match (hide, args[1].as_str()) {
                (Some(dir), "executor") => {
                    let mut c = Command::new("unshare");
                    // Root may make a mount namespace; anyone else first needs a user namespace.
                    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
                    if !root {
                        c.arg("--map-root-user");
                    }
                    c.args([
                        "--mount",
                        "--propagation",
                        "private",
                        "sh",
                        "-c",
                        "mount -t tmpfs tmpfs \"$0\" && exec \"$@\"",
                    ])
                    .arg(dir)
                    .arg(env!("CARGO_BIN_EXE_baydex"));
                    c
                }
                _ => Command::new(env!("CARGO_BIN_EXE_baydex")),
            };
            cmd.args(args)
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
        for i in 0..executors {
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
        self.wait_answer(catalog, principal, "SELECT count(*) AS n FROM reference.cities", "n\n11");
    }

    /// Waits until the cluster answers `query` with `expected` (trimmed CSV).
    fn wait_answer(&self, catalog: &str, principal: &str, query: &str, expected: &str) {
        let t0 = Instant::now();
        loop {
            let o = sql(catalog, principal, query, &self.url);
            if o.status.success() {
                assert_eq!(stdout(&o).trim(), expected);
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

/// (c) An executor killed during a long query: the scheduler notices the loss (`--executor-timeout-s
/// 6`), baydex's watchdog in the scheduler frees the survivor and cancels the stalled job, and the
/// client runs the query once more on the executor that remains: the complete answer, equal to the
/// local engine's, in the output file. Never a wrong or partial answer. The cluster then keeps
/// answering with one executor.
#[test]
fn an_executor_killed_mid_query_gives_a_completed_retry() {
    let dir = tempfile::tempdir().unwrap();
    // 1e6 rows, 1000 keys: the self-join makes 1e9 rows (≥ 10 s here on the cluster), so the kill
    // at 3 s lands while the query runs. The catalog's timeout (300 s) leaves room for the retry
    // on a loaded machine.
    let cat = big_catalog(dir.path(), 1_000_000, 1_000, 300);
    let query =
        "SELECT a.k, count(*) AS n, sum(b.v) AS s FROM t.big a JOIN t.big b ON a.k = b.k GROUP BY a.k ORDER BY a.k";
    let local_file = dir.path().join("local.csv");
    let o = baydex(&["sql", "--catalog", &cat, "--quiet", "--output", local_file.to_str().unwrap(), query]);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = std::fs::read_to_string(&local_file).unwrap();
    // The header and 1000 groups (besides the synthetic-data marker lines, `# …`).
    assert_eq!(expected.lines().filter(|l| !l.starts_with('#')).count(), 1_001, "{expected}");
    let mut cluster = Cluster::start();
    cluster.wait_ready(&cat, "");
    let out: PathBuf = dir.path().join("out.csv");
    let mut child = Command::new(env!("CARGO_BIN_EXE_baydex"))
        .args(["sql", "--catalog", &cat, "--quiet", "--engine", &cluster.url, "--output", out.to_str().unwrap(), query])
        .env("LANG", "C")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    assert!(matches!(child.try_wait(), Ok(None)), "the query ended before the executor was killed");
    let mut victim = cluster.executors.remove(0);
    let _ = victim.kill();
    let _ = victim.wait();
    let o = child.wait_with_output().unwrap();
    let logs = std::fs::read_to_string(cluster.logs.path().join("scheduler.log")).unwrap_or_default();
    let watchdog: Vec<&str> = logs.lines().filter(|l| l.contains("baydex::cluster")).collect();
    eprintln!(
        "exit {:?}; {}
scheduler: {}",
        o.status.code(),
        stderr(&o),
        watchdog.join("\n")
    );
    assert!(o.status.success(), "{}\nlogs in {}", stderr(&o), cluster.logs.path().display());
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        expected,
        "the cluster's answer differs from the local engine's"
    );
    // The survivor keeps answering.
    let again = sql(&cat, "", "SELECT count(*) AS n FROM t.big WHERE k < 10", &cluster.url);
    assert_eq!(stdout(&again), "n\n10000\n", "{}", stderr(&again));
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

/// (e) A source the executors cannot see (the executor's machine lacks the shared mount; here an
/// executor in a mount namespace of its own, with an empty file system over the data directory):
/// the query fails with an error saying that a source file is not visible on the cluster, in both
/// languages, exit code 1, and no output file. The same query runs locally.
#[test]
fn a_source_an_executor_cannot_see_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let cat = big_catalog(&data, 1_000, 10, 60);
    let query = "SELECT k, count(*) AS n FROM t.big GROUP BY k ORDER BY k";
    let local = sql(&cat, "", query, "local");
    assert!(local.status.success(), "{}", stderr(&local));
    let cluster = Cluster::start_with(1, Some(&data));
    // Ready once the executor has registered: a query that reads no file.
    cluster.wait_answer(&cat, "", "SELECT 1 AS n", "n\n1");
    let out = dir.path().join("out.csv");
    for (lang, needles) in [
        ("en", ["query failed on the cluster", "/data/big.csv is not visible there", "same absolute path"]),
        ("zh", ["上的查询失败", "/data/big.csv", "绝对路径"]),
    ] {
        let o = baydex(&[
            "sql",
            "--catalog",
            &cat,
            "--quiet",
            "--lang",
            lang,
            "--engine",
            &cluster.url,
            "--output",
            out.to_str().unwrap(),
            query,
        ]);
        assert_eq!(o.status.code(), Some(1), "{}\nlogs in {}", stderr(&o), cluster.logs.path().display());
        for n in needles {
            assert!(stderr(&o).contains(n), "{lang}: {n}: {}", stderr(&o));
        }
        assert!(stderr(&o).contains("big.csv"), "the error does not name the file: {}", stderr(&o));
        assert!(!out.exists(), "a failed query wrote a file");
    }
}

/// Every CSV file under `a` equals the one under `b` (the same files, the same cells; numbers within
/// a relative 1e-9: the cluster may add partial sums in another order).
fn same_csv_files(a: &Path, b: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![a.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "csv") {
                continue;
            }
            let rel = p.strip_prefix(a).unwrap();
            let (x, y) = (std::fs::read_to_string(&p).unwrap(), std::fs::read_to_string(b.join(rel)).unwrap());
            let (xl, yl): (Vec<&str>, Vec<&str>) = (x.lines().collect(), y.lines().collect());
            assert_eq!(xl.len(), yl.len(), "{}", rel.display());
            for (lx, ly) in xl.iter().zip(&yl) {
                for (cx, cy) in lx.split(',').zip(ly.split(',')) {
                    match (cx.parse::<f64>(), cy.parse::<f64>()) {
                        (Ok(u), Ok(v)) => {
                            assert!((u - v).abs() <= 1e-9 * v.abs().max(1.0), "{}: {lx} vs {ly}", rel.display())
                        }
                        _ => assert_eq!(cx, cy, "{}: {lx} vs {ly}", rel.display()),
                    }
                }
            }
            n += 1;
        }
    }
    n
}

/// JSON values equal, numbers within a relative 1e-9.
fn same_json(a: &serde_json::Value, b: &serde_json::Value, at: &str) {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            let (u, v) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((u - v).abs() <= 1e-9 * v.abs().max(1.0), "{at}: {u} vs {v}");
        }
        (J::Array(x), J::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                same_json(u, v, &format!("{at}[{i}]"));
            }
        }
        (J::Object(x), J::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "{at}");
            for (k, u) in x {
                same_json(u, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

/// `baydex serve … --bind 127.0.0.1:0`, killed on drop, and its `host:port`.
struct Served(Child, String);

impl Served {
    fn start(args: &[&str]) -> Served {
        let (child, addr) = start_serve(args);
        Served(child, addr)
    }

    /// One request; the status and the body as JSON.
    fn call(&self, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, serde_json::Value) {
        let (status, body) = http(&self.1, method, path, token, body);
        (status, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// (f) `baydex run` and `baydex serve` with `--engine`: the SQL indicators of
/// examples/gba-platform computed on the cluster give the same outputs as locally (every CSV of
/// `baydex run`, the served results and `POST /api/sql` rows), the manifest says where they ran,
/// and with the scheduler stopped the same commands fail naming the scheduler (so the queries did
/// go to the cluster).
#[test]
fn run_and_serve_use_the_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let platform = dir.path().join("platform");
    let cat = demo(&platform);
    let src = std::fs::read_to_string(repo().join("examples/gba-platform/index.toml")).unwrap();
    let units = repo().join("examples/gba/units.csv").canonicalize().unwrap();
    let project = dir.path().join("index.toml");
    std::fs::write(&project, src.replace("\"../gba/units.csv\"", &format!("{:?}", units.display().to_string())))
        .unwrap();
    let project = project.display().to_string();
    let mut cluster = Cluster::start();
    cluster.wait_ready(&cat, "admin");

    // baydex run
    let (a, b) = (dir.path().join("local"), dir.path().join("cluster"));
    for (out, engine) in [(&a, "local"), (&b, cluster.url.as_str())] {
        let o = baydex(&["run", &project, "--out", out.to_str().unwrap(), "--lang", "en", "--engine", engine]);
        assert!(o.status.success(), "{engine}: {}", stderr(&o));
        // The terminal says where each SQL indicator ran.
        assert_eq!(stdout(&o).contains(&format!("on the cluster {engine}")), engine != "local", "{}", stdout(&o));
    }
    assert!(same_csv_files(&a, &b) >= 5, "too few CSV outputs compared");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.join("manifest.json")).unwrap()).unwrap();
    let sql = manifest["sql"].as_array().expect("the manifest lists the SQL indicators");
    assert!(sql.len() >= 3);
    assert!(sql.iter().all(|s| s["engine"] == cluster.url.as_str()), "{sql:?}");
    // The report's provenance table says where the SQL ran.
    let r = dir.path().join("report");
    let o = baydex(&["report", &project, "--out", r.to_str().unwrap(), "--lang", "en", "--engine", &cluster.url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(r.join("report.html")).unwrap();
    assert!(
        html.contains(&format!("on the cluster <code>{}</code>", cluster.url)),
        "the report does not say where the SQL ran"
    );

    // baydex serve: the project's SQL indicators and POST /api/sql
    let token = baydex_data::catalog::demo::DEMO_TOKEN;
    let local = Served::start(&[&project, "--catalog", &cat]);
    let remote = Served::start(&[&project, "--catalog", &cat, "--engine", &cluster.url]);
    let results = "/api/projects/index/periods/2024/results";
    let (s1, r1) = local.call("GET", results, None, "");
    let (s2, r2) = remote.call("GET", results, None, "");
    assert_eq!((s1, s2), (200, 200), "{r1} {r2}");
    same_json(&r1, &r2, "results");
    let q = serde_json::json!({"sql": "SELECT city, month, sum(amount) AS total, count(*) AS n FROM finance.payments GROUP BY city, month ORDER BY city, month"}).to_string();
    let (s1, r1) = local.call("POST", "/api/sql", Some(token), &q);
    let (s2, r2) = remote.call("POST", "/api/sql", Some(token), &q);
    assert_eq!((s1, s2), (200, 200), "{r1} {r2}");
    assert!(r1["row_count"].as_u64().unwrap_or(0) > 10, "{r1}");
    same_json(&r1, &r2, "/api/sql");
    drop(remote);

    // Without the scheduler, the same commands fail and name it.
    let _ = cluster.scheduler.kill();
    let _ = cluster.scheduler.wait();
    let o = baydex(&["run", &project, "--out", dir.path().join("none").to_str().unwrap(), "--engine", &cluster.url]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot reach the Ballista scheduler at") && stderr(&o).contains(&cluster.url),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("none").exists(), "a failed run wrote outputs");
}
