# Shared by bench/catalog_vs_duckdb.sh and bench/cluster_executors.sh (sourced, with the working
# directory at the repository root and CARGO_TARGET_DIR set): the pinned DuckDB, the 50 M synthetic
# trips (generated once, cached under $CARGO_TARGET_DIR/bench-data/), and a catalog and policy over
# them whose audit database goes to the scratch directory $work. Sets trips, seed, runs,
# duckdb_version and data.

trips="${BAYDEX_BENCH_TRIPS:-50000000}"
seed="${BAYDEX_BENCH_SEED:-2024}"
runs="${BAYDEX_BENCH_RUNS:-3}"
duckdb_version=2.0.1

python3 -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$duckdb_version')" 2>/dev/null ||
  pip install --quiet "duckdb==$duckdb_version" ||
  pip install --quiet --break-system-packages "duckdb==$duckdb_version"

data="$CARGO_TARGET_DIR/bench-data/catalog-trips-n$trips-seed$seed-duckdb$duckdb_version"
if [ ! -f "$data/README.txt" ]; then
  mkdir -p "$(dirname "$data")"
  python3 bench/catalog_trips_gen.py "$data" "$trips" "$seed"
fi

# The catalog and policy live next to the data (paths are relative to the catalog file); the audit
# database goes to the scratch directory.
cat >"$data/catalog.toml" <<TOML
# SYNTHETIC benchmark catalog written by bench/catalog_data.sh / 合成基准测试目录
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
