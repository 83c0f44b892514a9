#!/usr/bin/env bash
# The catalog's 50-million-trip aggregation (Q1 of bench/catalog_vs_duckdb.sh) on a Ballista
# cluster of 1 and 2 executors on this machine (issue 9), against the local engine in the same run.
#
# Data: the same SYNTHETIC trips and catalog as bench/catalog_vs_duckdb.sh (bench/catalog_data.sh).
# Engines (`baydex sql --engine …`, the release binary built with the `cluster` feature, timed as
# whole processes with the Parquet output written):
#   local           DataFusion in the baydex process (2 threads, as every catalog query);
#   1 executor × 1  one `baydex cluster executor --concurrent-tasks 1`;
#   1 executor × 2  one executor, 2 tasks at once (this machine's cores);
#   2 executors × 1 two executors, 1 task each (the same 2 cores, now split over two processes that
#                   exchange shuffle data over loopback Arrow Flight).
# Each cluster is started fresh (scheduler and executors on loopback), given one untimed run that
# warms it and whose result must equal the local engine's (same rows, floats within a relative
# 1e-9), then RUNS timed runs; medians are printed. For the scaling model the script also measures
# the fixed cost of a cluster query (a one-row query), the intermediate (shuffle) files of one query
# (the peak size of the executors' work directories while it runs) and the tasks each executor ran.
#
# Environment: BAYDEX_BENCH_TRIPS (default 50000000), BAYDEX_BENCH_SEED (2024), BAYDEX_BENCH_RUNS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/baydex-target}"
cargo build --quiet --release -p baydex --features cluster
bin="$CARGO_TARGET_DIR/release/baydex"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/catalog_data.sh
source bench/catalog_data.sh

python3 - "$bin" "$data" "$work" "$runs" "$trips" "$(nproc)" <<'PY'
import math, os, signal, socket, statistics, subprocess, sys, threading, time
import duckdb

bin_, data, work, runs, trips, cores = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
Q1 = open("bench/sql/catalog_q1.sql").read()
TINY = "SELECT count(*) AS n FROM reference.cities"

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

def wait_port(port):
    t0 = time.time()
    while time.time() - t0 < 60:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"nothing listens on {port}")

class Cluster:
    def __init__(self, executors, tasks):
        self.procs, self.work_dirs, self.logs = [], [], []
        port = free_port()
        self.url = f"ballista://127.0.0.1:{port}"
        self.spawn(["cluster", "scheduler", "--bind", f"127.0.0.1:{port}"], "scheduler")
        wait_port(port)
        for i in range(executors):
            d, t = free_port(), free_port()
            wd = f"{work}/exec-{port}-{i}"
            os.makedirs(wd)
            self.work_dirs.append(wd)
            self.spawn(["cluster", "executor", "--scheduler", f"127.0.0.1:{port}", "--bind", f"127.0.0.1:{d}",
                        "--grpc-port", str(t), "--concurrent-tasks", str(tasks), "--heartbeat-s", "1",
                        "--work-dir", wd], f"executor{i}")
            wait_port(d)
        t0 = time.time()
        while run(TINY, f"{work}/ready.parquet", self.url, check=False) is None:
            if time.time() - t0 > 60:
                sys.exit(f"the cluster never answered; logs in {work}")
            time.sleep(0.5)

    def spawn(self, args, name):
        log = open(f"{work}/{name}-{len(self.procs)}.log", "w")
        self.logs.append(log.name)
        env = dict(os.environ, BAYDEX_LOG="info")
        self.procs.append(subprocess.Popen([bin_] + args, stdout=subprocess.DEVNULL, stderr=log, env=env))

    def shuffle_bytes(self):
        total = 0
        for wd in self.work_dirs:
            for root, _, files in os.walk(wd):
                total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
        return total

    def tasks_per_executor(self):
        # Each executor logs every task it ran: "Finished task : [TID job/stage.attempt/partition]".
        out = []
        for log in self.logs[1:]:
            with open(log) as f:
                out.append(sum(1 for line in f if "Finished task" in line))
        return out

    def peak_shuffle_bytes(self, sql, out):
        # Executors delete a job's intermediate files when it ends: sample their work directories
        # every 20 ms while the query runs and keep the largest total (a lower bound, near exact
        # here since every stage's output stays until the job ends).
        peak, done = [0], threading.Event()
        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], self.shuffle_bytes())
                time.sleep(0.02)
        t = threading.Thread(target=sample)
        t.start()
        try:
            run(sql, out, self.url)
        finally:
            done.set()
            t.join()
        return peak[0]

    def stop(self):
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()

def run(sql, out, engine, check=True):
    t = time.perf_counter()
    p = subprocess.run([bin_, "sql", "--catalog", f"{data}/catalog.toml", "--as", "bench", "--format", "parquet",
                        "--output", out, "-q", "--lang", "en", "--engine", engine, "--", sql],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - t
    if p.returncode != 0:
        if check:
            sys.exit(f"baydex sql --engine {engine} failed (exit {p.returncode}): {p.stderr.strip()}")
        return None
    return took

def rows_of(path):
    return duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").fetchall()

def same(a, b):
    if len(a) != len(b):
        return f"{len(a)} rows against {len(b)}"
    for k, (ra, rb) in enumerate(zip(a, b)):
        for x, y in zip(ra, rb):
            if isinstance(x, float) or isinstance(y, float):
                if not math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-12):
                    return f"row {k}: {ra} against {rb}"
            elif x != y:
                return f"row {k}: {ra} against {rb}"
    return None

parquet = 0
for root, _, files in os.walk(f"{data}/transport/trips"):
    parquet += sum(os.path.getsize(os.path.join(root, f)) for f in files if f.endswith(".parquet"))
nfiles = sum(len([f for f in fs if f.endswith(".parquet")]) for _, _, fs in os.walk(f"{data}/transport/trips"))
print(f"Ballista cluster vs local engine: Q1 on {trips:,} synthetic trips ({nfiles} Parquet files, "
      f"{parquet / 2**20:,.0f} MiB), {cores} cores, load average {os.getloadavg()[0]:.1f}")

ref_out = f"{work}/local.parquet"
run(Q1, ref_out, "local")
reference = rows_of(ref_out)
rows = []
tl = statistics.median([run(Q1, ref_out, "local") for _ in range(runs)])
tiny_l = statistics.median([run(TINY, f"{work}/tiny.parquet", "local") for _ in range(runs)])
rows.append(("local (2 threads)", tl, tiny_l, None, None))
for executors, tasks in [(1, 1), (1, 2), (2, 1)]:
    c = Cluster(executors, tasks)
    try:
        out = f"{work}/cluster.parquet"
        shuffle = c.peak_shuffle_bytes(Q1, out)
        ran = c.tasks_per_executor()
        diff = same(rows_of(out), reference)
        if diff:
            sys.exit(f"{executors} executor(s) x {tasks}: the cluster and the local engine disagree: {diff}")
        times = [run(Q1, out, c.url) for _ in range(runs)]
        tiny = statistics.median([run(TINY, f"{work}/tiny.parquet", c.url) for _ in range(runs)])
        rows.append((f"{executors} executor{'s' if executors > 1 else ''} x {tasks} task{'s' if tasks > 1 else ''}",
                     statistics.median(times), tiny, shuffle, ran))
    finally:
        c.stop()

print(f"Q1: {len(reference):,} rows, the same on every engine (floats within a relative 1e-9)")
print(f"{'engine':<24}{'Q1 median s':>12}{'vs local':>10}{'1-row query s':>15}{'shuffle peak':>14}  tasks per executor (first run, with the readiness query)")
for name, t, tiny, shuffle, ran in rows:
    sh = "" if shuffle is None else f"{shuffle / 2**10:,.0f} KiB"
    print(f"{name:<24}{t:>12.3f}{t / tl:>9.2f}x{tiny:>15.3f}{sh:>14}  {'' if ran is None else ran}")
print(f"scan rate (1 executor x 1 task): {trips / rows[1][1] / 1e6:.1f} M rows/s per task; "
      f"local: {trips / tl / 1e6:.1f} M rows/s on 2 threads")
print(f"load average after: {os.getloadavg()[0]:.1f}")
PY
