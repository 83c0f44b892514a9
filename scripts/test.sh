#!/usr/bin/env bash
# Runs every test of baydex. On a fresh Debian machine with the Rust toolchain this script does
# all the set-up the tests need. Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# A persistent target directory outside the checkout keeps CI within its time budget.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/baydex-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Incremental caches only pay off while editing; in a whole-suite run they cost gigabytes.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
mkdir -p "$CARGO_TARGET_DIR"
# A persistent target directory only grows (cargo never drops stale artifacts). Start it afresh when
# it is large or the disk is nearly full, rather than failing halfway with "No space left on device".
target_gib=$(( $(du -sk "$CARGO_TARGET_DIR" 2>/dev/null | cut -f1) / 1048576 ))
free_gib=$(( $(df -Pk "$CARGO_TARGET_DIR" | awk 'NR==2 {print $4}') / 1048576 ))
if [ "$target_gib" -gt 40 ] || [ "$free_gib" -lt 25 ]; then
  echo "target directory $CARGO_TARGET_DIR holds ${target_gib} GiB, ${free_gib} GiB free on its disk: cleaning it"
  rm -rf "${CARGO_TARGET_DIR:?}/debug" "${CARGO_TARGET_DIR:?}/release" "${CARGO_TARGET_DIR:?}/doc"
  free_gib=$(( $(df -Pk "$CARGO_TARGET_DIR" | awk 'NR==2 {print $4}') / 1048576 ))
  if [ "$free_gib" -lt 15 ]; then
    echo "error: only ${free_gib} GiB free on the disk of $CARGO_TARGET_DIR; the tests need about 15 GiB." >&2
    echo "Free some space or point CARGO_TARGET_DIR at a larger disk." >&2
    exit 1
  fi
fi

step() { printf '\n==> %s\n' "$*"; }

step "toolchain"
cargo --version
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add rustfmt clippy
fi

step "test tools"
# python3 runs the independent re-implementation of the GBA scores (examples/gba/check_scores.py).
if ! command -v python3 >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3
fi
python3 --version
# pymcdm 1.4.0 (with numpy) is the oracle of the objective weights
# (tests/oracles/pymcdm_weights.py, crates/data/tests/pymcdm_weights.rs); skipped when present.
if ! python3 -c "import importlib.metadata as m, sys; sys.exit(m.version('pymcdm') != '1.4.0')" >/dev/null 2>&1; then
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq python3-pip
  fi
  # Debian's system Python refuses pip installs unless told (PEP 668).
  python3 -m pip install --quiet pymcdm==1.4.0 numpy \
    || python3 -m pip install --quiet --break-system-packages pymcdm==1.4.0 numpy
fi
python3 -c "import importlib.metadata as m; print('pymcdm', m.version('pymcdm'), 'numpy', m.version('numpy'))"
# jenkspy 0.4.1 is the oracle of the natural-breaks tiers (tests/oracles/jenks_oracle.py,
# crates/data/tests/jenks_reference.rs); skipped when present.
if ! python3 -c "import jenkspy, importlib.metadata as m, sys; sys.exit(m.version('jenkspy') != '0.4.1')" >/dev/null 2>&1; then
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq python3-pip
  fi
  python3 -m pip install --quiet jenkspy==0.4.1 \
    || python3 -m pip install --quiet --break-system-packages jenkspy==0.4.1
fi
python3 -c "import importlib.metadata as m; print('jenkspy', m.version('jenkspy'))"
# SALib 1.5.1 (with numpy and scipy) is the oracle of the Sobol sensitivity indices and of the Sobol
# sequence (tests/oracles/salib_sobol.py, crates/data/tests/salib_sobol.rs); skipped when present.
if ! python3 -c "import importlib.metadata as m, sys; sys.exit(m.version('SALib') != '1.5.1')" >/dev/null 2>&1; then
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq python3-pip
  fi
  python3 -m pip install --quiet SALib==1.5.1 \
    || python3 -m pip install --quiet --break-system-packages SALib==1.5.1
fi
python3 -c "import importlib.metadata as m; print('SALib', m.version('SALib'), 'scipy', m.version('scipy'))"
# statsmodels 0.15.0 and networkx 3.6.1 are the oracles of the gravity models and the network
# centralities (tests/oracles/statsmodels_gravity.py, tests/oracles/networkx_centrality.py,
# crates/flows/tests/); skipped when present.
if ! python3 -c "import importlib.metadata as m, sys; sys.exit(m.version('statsmodels') != '0.15.0' or m.version('networkx') != '3.6.1')" >/dev/null 2>&1; then
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq python3-pip
  fi
  python3 -m pip install --quiet statsmodels==0.15.0 networkx==3.6.1 \
    || python3 -m pip install --quiet --break-system-packages statsmodels==0.15.0 networkx==3.6.1
fi
python3 -c "import importlib.metadata as m; print('statsmodels', m.version('statsmodels'), 'networkx', m.version('networkx'))"
# ahpy 2.1 is the oracle of the AHP weights (tests/oracles/ahp_oracle.py,
# crates/data/tests/ahp_ahpy.rs); skipped when present.
if ! python3 -c "import ahpy, importlib.metadata as m, sys; sys.exit(m.version('ahpy') != '2.1')" >/dev/null 2>&1; then
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq python3-pip
  fi
  python3 -m pip install --quiet ahpy==2.1 \
    || python3 -m pip install --quiet --break-system-packages ahpy==2.1
fi
python3 -c "import importlib.metadata as m; print('ahpy', m.version('ahpy'))"
# openapi-spec-validator 0.7.2 validates the server's OpenAPI document
# (crates/server/tests/api.rs, openapi_document_is_valid); skipped when present.
if ! python3 -c "import importlib.metadata as m, sys; sys.exit(m.version('openapi-spec-validator') != '0.7.2')" >/dev/null 2>&1; then
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq python3-pip
  fi
  python3 -m pip install --quiet openapi-spec-validator==0.7.2 \
    || python3 -m pip install --quiet --break-system-packages openapi-spec-validator==0.7.2
fi
python3 -c "import importlib.metadata as m; print('openapi-spec-validator', m.version('openapi-spec-validator'))"
# Debian's chromium driven by npm's playwright-core (pinned in tests/browser/package-lock.json; never a
# browser download) runs the report and portal tests (tests/browser/*.mjs).
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq chromium
fi
# A CJK font, so that the zh screenshots kept as test artifacts are readable.
if ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then
  apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei
fi
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi
node tests/browser/smoke.mjs
# PostgreSQL for the catalog tests (crates/data/tests/catalog_*.rs, crates/cli/tests/catalog.rs): a
# throwaway cluster on a free port under a temporary directory, run by a non-root user, stopped and
# removed on exit. The tests read its URL from BAYDEX_TEST_PG_URL and fail without it.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq postgresql
fi
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
PG_DIR="$(mktemp -d /tmp/baydex-pg.XXXXXX)"
PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$PG_DIR"; runuser -u postgres -- "$@"; else "$@"; fi; }
pg_cleanup() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; }
trap pg_cleanup EXIT
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U baydex --auth=trust -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null
export BAYDEX_TEST_PG_URL="postgresql://baydex@127.0.0.1:$PG_PORT/postgres"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $BAYDEX_TEST_PG_URL"

step "format"
cargo fmt --all --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --document-private-items --locked --quiet

step "tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
  # nextest does not run doctests
  cargo test --workspace --doc --locked
else
  cargo test --workspace --locked --no-fail-fast
fi

step "catalog (feature catalog: DataFusion, PostgreSQL)"
# One package set and one feature set for every catalog command, so DataFusion is built once.
CATALOG=(-p baydex-data -p baydex-server -p baydex --features baydex/catalog --locked)
cargo clippy "${CATALOG[@]}" --lib --bins --tests -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc "${CATALOG[@]}" --no-deps --document-private-items --quiet
# Name the test targets: with the feature every test binary links DataFusion.
CATALOG_TESTS=(--lib --test catalog_security --test catalog_faults --test access_docs --test catalog --test sql_api --test catalog_run --test flows_sql)
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run "${CATALOG[@]}" "${CATALOG_TESTS[@]}" --no-fail-fast
else
  cargo test "${CATALOG[@]}" "${CATALOG_TESTS[@]}" --no-fail-fast
fi

step "cluster (feature cluster: a Ballista scheduler and two executors as child processes)"
# Ballista turns on DataFusion's default features: this is a second DataFusion build (about 5 GiB
# more in the target directory), so one package and feature set for every cluster command, and
# the debug artifacts of the steps above go first if the disk is getting full.
free_gib=$(( $(df -Pk "$CARGO_TARGET_DIR" | awk 'NR==2 {print $4}') / 1048576 ))
if [ "$free_gib" -lt 12 ]; then
  echo "only ${free_gib} GiB free on the disk of $CARGO_TARGET_DIR: removing its debug artifacts"
  rm -rf "${CARGO_TARGET_DIR:?}/debug"
fi
# One test hides the data from an executor in a mount namespace of its own (util-linux).
if ! command -v unshare >/dev/null || ! command -v mount >/dev/null; then
  apt-get update -qq && apt-get install -y -qq util-linux mount
fi
CLUSTER=(-p baydex-data -p baydex-server -p baydex --features baydex/cluster --locked)
cargo clippy "${CLUSTER[@]}" --lib --bins --tests -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc "${CLUSTER[@]}" --no-deps --document-private-items --quiet
CLUSTER_TESTS=(--lib --test cluster)
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run "${CLUSTER[@]}" "${CLUSTER_TESTS[@]}" --no-fail-fast
else
  cargo test "${CLUSTER[@]}" "${CLUSTER_TESTS[@]}" --no-fail-fast
fi

step "main job (release build of the README's first command)"
cargo build --release --locked -p baydex
"$CARGO_TARGET_DIR/release/baydex" run --out "$(mktemp -d)" --lang en --quiet
