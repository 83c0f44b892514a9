#!/usr/bin/env bash
# Runs every test of baydex. On a fresh Debian machine with the Rust toolchain this script does
# all the set-up the tests need. Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# A persistent target directory outside the checkout keeps CI within its time budget.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/baydex-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
mkdir -p "$CARGO_TARGET_DIR"

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
# Debian's chromium driven by npm's playwright-core (pinned in tests/browser/package-lock.json; never a
# browser download) runs the report and portal tests (tests/browser/*.mjs).
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq chromium
fi
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi
node tests/browser/smoke.mjs

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

step "main job (release build of the README's first command)"
cargo build --release --locked -p baydex
"$CARGO_TARGET_DIR/release/baydex" run --out "$(mktemp -d)" --lang en --quiet
