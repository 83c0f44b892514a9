#!/usr/bin/env bash
# The SQL catalog at scale (issue 7): `baydex sql` (DataFusion, feature `catalog`) against DuckDB on
# the same Parquet files, both timed in this run, 2 threads each.
#
# Data: 50 million SYNTHETIC trip records (bench/catalog_trips_gen.py: seeded, generated with the
# pinned DuckDB's hash(); Hive-partitioned Parquet year=2024/month=MM, files named synthetic_trips_*,
# key-value metadata `baydex.synthetic`), the 11 GBA cities with their real 2023 population, and 3
# modes with illustrative CO2 factors. Cached under $CARGO_TARGET_DIR/bench-data/ (keyed by rows,
# seed and DuckDB version) and reused by later runs.
#
# Queries (the same SQL text for both engines):
#   Q1 city pair × month matrix: 50 M rows → 1,320 groups (count, passengers, distance, fare, …);
#   Q2 join-heavy indicators per city and month: trips ⋈ cities (origin) ⋈ cities (destination)
#      ⋈ modes, aggregated, then joined to an inflow aggregate (a second scan) and to cities again.
#
# baydex: the release binary, `baydex sql --catalog … --as bench --format parquet --output FILE -q`,
# timed as a whole process (start, open the catalog, policy check and plan rewrite, query, audit
# row, atomic Parquet write). DuckDB: in this Python process, a fresh in-memory connection with
# threads = 2, views over the same files, `COPY (query) TO FILE (FORMAT parquet)` — no process
# start, so the comparison leans towards DuckDB. One untimed run of each first (warms the page
# cache, and the two results are checked equal: same rows, same keys, integers equal, floats within
# a relative 1e-9); then RUNS timed runs of each, interleaved, and their medians.
#
# Environment: BAYDEX_BENCH_TRIPS (default 50000000), BAYDEX_BENCH_SEED (2024),
# BAYDEX_BENCH_RUNS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/baydex-target}"
cargo build --quiet --release -p baydex --features catalog
bin="$CARGO_TARGET_DIR/release/baydex"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/catalog_data.sh
source bench/catalog_data.sh

python3 - "$bin" "$data" "$work" "$runs" "$trips" "$(nproc)" <<'PY'
import math, os, statistics, subprocess, sys, time
import duckdb

bin_, data, work, runs, trips, cores = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
THREADS = 2

Q1 = open("bench/sql/catalog_q1.sql").read()

# Q2 is written the natural way: trips joined to cities (as origin), cities (as destination) and
# modes. CSV sources carry no statistics of their own; baydex estimates them (file size, rows from
# the first 64 KiB: crates/data/src/catalog/sized.rs), so DataFusion builds its hash tables from the
# small reference tables. Before those estimates DataFusion kept the written order and built them
# from the trips: 162 s at 2 M trips (DuckDB 0.3 s), out of the 4 GiB pool at 50 M.
Q2 = open("bench/sql/catalog_q2.sql").read()

def duck_connect():
    con = duckdb.connect()
    con.execute(f"SET threads = {THREADS}")
    con.execute("CREATE SCHEMA transport; CREATE SCHEMA reference")
    con.execute(f"""CREATE VIEW transport.trips AS SELECT * FROM read_parquet('{data}/transport/trips/*/*/*.parquet',
                    hive_partitioning = true, hive_types = {{'year': VARCHAR, 'month': VARCHAR}})""")
    con.execute(f"""CREATE VIEW reference.cities AS SELECT * FROM read_csv('{data}/reference/cities.csv', header = true,
                    columns = {{'code': 'VARCHAR', 'name_en': 'VARCHAR', 'region': 'VARCHAR', 'lon': 'DOUBLE',
                               'lat': 'DOUBLE', 'population': 'BIGINT'}})""")
    con.execute(f"""CREATE VIEW reference.modes AS SELECT * FROM read_csv('{data}/reference/modes.csv', header = true,
                    columns = {{'mode': 'VARCHAR', 'co2_g_per_pkm': 'DOUBLE', 'synthetic': 'BOOLEAN'}})""")
    return con

def run_baydex(sql, out):
    t = time.perf_counter()
    p = subprocess.run([bin_, "sql", "--catalog", f"{data}/catalog.toml", "--as", "bench", "--format", "parquet",
                    "--output", out, "-q", "--lang", "en", "--", sql], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"baydex sql failed (exit {p.returncode}): {p.stderr.strip()}")
    return took

def run_duckdb(sql, out):
    t = time.perf_counter()
    con = duck_connect()
    con.execute(f"COPY ({sql}) TO '{out}' (FORMAT parquet)")
    con.close()
    return time.perf_counter() - t

def rows_of(path):
    return duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").fetchall()

def same(a, b):
    """Same rows in the same order; text and integers equal, floats within a relative 1e-9."""
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

def checksum(rows):
    return sum(float(v) for r in rows for v in r if isinstance(v, (int, float)) and not isinstance(v, bool))

print(f"catalog vs DuckDB: {trips:,} synthetic trip records (Parquet, 12 monthly partitions), {THREADS} threads, "
      f"{cores} cores, load average {os.getloadavg()[0]:.1f}")
results = []
for name, sql in [("Q1 city pair x month matrix", Q1), ("Q2 join-heavy indicators per city and month", Q2)]:
    ob, od = f"{work}/baydex.parquet", f"{work}/duckdb.parquet"
    run_baydex(sql, ob)
    run_duckdb(sql, od)
    rb, rd = rows_of(ob), rows_of(od)
    diff = same(rb, rd)
    if diff:
        sys.exit(f"{name}: baydex and DuckDB disagree: {diff}")
    tbs, tds = [], []
    for _ in range(runs):  # interleaved, so both engines see the same background load
        tbs.append(run_baydex(sql, ob))
        tds.append(run_duckdb(sql, od))
    tb, td = statistics.median(tbs), statistics.median(tds)
    results.append((tb, td))
    print(f"{name}: {len(rb):,} rows, checksum {checksum(rb):.6e} (both engines)")
    print(f"  baydex sql (DataFusion), median of {runs}: {tb:8.3f} s")
    print(f"  DuckDB {duckdb.__version__}, median of {runs}:          {td:8.3f} s")
    print(f"  ratio baydex / DuckDB:                 {tb / td:8.2f}x")
print(f"load average after: {os.getloadavg()[0]:.1f}")
PY
