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
trips="${BAYDEX_BENCH_TRIPS:-50000000}"
seed="${BAYDEX_BENCH_SEED:-2024}"
runs="${BAYDEX_BENCH_RUNS:-3}"
duckdb_version=2.0.1

python3 -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$duckdb_version')" 2>/dev/null ||
  pip install --quiet "duckdb==$duckdb_version" ||
  pip install --quiet --break-system-packages "duckdb==$duckdb_version"

cargo build --quiet --release -p baydex --features catalog
bin="$CARGO_TARGET_DIR/release/baydex"

data="$CARGO_TARGET_DIR/bench-data/catalog-trips-n$trips-seed$seed-duckdb$duckdb_version"
if [ ! -f "$data/README.txt" ]; then
  mkdir -p "$(dirname "$data")"
  python3 bench/catalog_trips_gen.py "$data" "$trips" "$seed"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The catalog and policy live next to the data (paths are relative to the catalog file); the audit
# database goes to the scratch directory.
cat >"$data/catalog.toml" <<TOML
# SYNTHETIC benchmark catalog written by bench/catalog_vs_duckdb.sh / 合成基准测试目录
[catalog]
name = { zh = "目录性能基准（合成数据）", en = "Catalog benchmark (synthetic data)" }
illustrative = true
roots = ["."]
policy = "policy.toml"
audit = "$work/audit.sqlite"
memory_limit_mb = 4096
query_timeout_s = 3600
row_limit = 50

[[domain]]
name = "transport"
title = { zh = "交通", en = "Transport" }

[[domain]]
name = "reference"
title = { zh = "基础信息", en = "Reference" }

[[source]]
table = "transport.trips"
format = "parquet"
path = "transport/trips"
partitions = ["year", "month"]
description = { zh = "城市间出行记录（合成）", en = "Trip records between cities (synthetic)" }

[[source]]
table = "reference.cities"
format = "csv"
path = "reference/cities.csv"
columns = { code = "utf8", name_en = "utf8", region = "utf8", lon = "float64", lat = "float64", population = "int64" }
description = { zh = "11 个城市及 2023 年末人口", en = "The 11 cities and their 2023 year-end population" }

[[source]]
table = "reference.modes"
format = "csv"
path = "reference/modes.csv"
columns = { mode = "utf8", co2_g_per_pkm = "float64", synthetic = "boolean" }
description = { zh = "出行方式（示意排放系数）", en = "Modes (illustrative CO2 factors)" }
TOML
cat >"$data/policy.toml" <<'TOML'
# Benchmark access policy: one principal granted everything / 基准测试访问策略：一个主体，全部授权
[[principal]]
name = "bench"
roles = ["everything"]

[[role]]
name = "everything"

[[grant]]
role = "everything"
domain = "*"
TOML

python3 - "$bin" "$data" "$work" "$runs" "$trips" "$(nproc)" <<'PY'
import math, os, statistics, subprocess, sys, time
import duckdb

bin_, data, work, runs, trips, cores = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
THREADS = 2

Q1 = """
SELECT origin, dest, month,
       count(*) AS trips,
       sum(passengers) AS passengers,
       sum(CASE WHEN mode = 'rail' THEN passengers ELSE 0 END) AS rail_passengers,
       sum(distance_km) AS distance_km,
       sum(fare) AS fare,
       avg(fare / distance_km) AS mean_fare_per_km,
       max(distance_km) AS max_distance_km
FROM transport.trips
GROUP BY origin, dest, month
ORDER BY origin, dest, month
"""

# Q2 is written the natural way: trips joined to cities (as origin), cities (as destination) and
# modes. CSV sources carry no statistics of their own; baydex estimates them (file size, rows from
# the first 64 KiB: crates/data/src/catalog/sized.rs), so DataFusion builds its hash tables from the
# small reference tables. Before those estimates DataFusion kept the written order and built them
# from the trips: 162 s at 2 M trips (DuckDB 0.3 s), out of the 4 GiB pool at 50 M.
Q2 = """
WITH outflow AS (
  SELECT t.origin AS city, t.month,
         sum(t.passengers) AS out_pax,
         sum(CAST(t.passengers AS DOUBLE) * t.distance_km * m.co2_g_per_pkm) AS co2_g,
         sum(CASE WHEN o.region <> d.region THEN t.passengers ELSE 0 END) AS cross_pax,
         sum(CAST(t.passengers AS DOUBLE) * d.population) AS pax_x_dest_pop,
         sum(t.fare) AS fare
  FROM transport.trips t
  JOIN reference.cities o ON o.code = t.origin
  JOIN reference.cities d ON d.code = t.dest
  JOIN reference.modes m ON m.mode = t.mode
  GROUP BY t.origin, t.month
), inflow AS (
  SELECT dest AS city, month, sum(passengers) AS in_pax
  FROM transport.trips
  GROUP BY dest, month
)
SELECT c.code AS city, c.name_en, o.month,
       CAST(o.out_pax AS DOUBLE) * 1000 / c.population AS out_per_1k,
       CAST(i.in_pax AS DOUBLE) * 1000 / c.population AS in_per_1k,
       CAST(i.in_pax - o.out_pax AS DOUBLE) * 1000 / c.population AS net_in_per_1k,
       o.co2_g / 1000 / c.population AS co2_kg_per_capita,
       CAST(o.cross_pax AS DOUBLE) / o.out_pax AS cross_boundary_share,
       o.pax_x_dest_pop / o.out_pax AS mean_dest_population,
       o.fare / c.population AS fare_per_capita
FROM outflow o
JOIN inflow i ON i.city = o.city AND i.month = o.month
JOIN reference.cities c ON c.code = o.city
ORDER BY 1, 3
"""

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
                    "--output", out, "-q", "--lang", "en", sql], stdout=subprocess.DEVNULL,
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
