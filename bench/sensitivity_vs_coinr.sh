#!/usr/bin/env bash
# COINr's sensitivity analysis of its ASEM example (4 uncertain inputs — winmax, normalisation,
# 100 noisy weight sets, aggregation — Saltelli design with N = 1000: 6,000 pipeline runs, then
# ranks, rank statistics and Sobol indices with 100 bootstrap resamples): baydex against COINr.
#
# baydex: criterion (benches/benches/sensitivity.rs, `sa_asem_coinr_n1000`, the library call), and
# the whole command `baydex sensitivity examples/asem/asem_sensitivity.toml --n 1000` timed
# end to end (load, analysis with leave-one-out, every output file), best of 3.
#
# The peer: if R with COINr is installed (Rscript -e 'library(COINr)'), it is timed in this run
# with tests/fixtures/coinr/sensitivity/SA.R (SA, N = 1000, Nboot = 100; about 17 minutes).
# Otherwise — as on our CI machines, where CRAN is not reachable and Debian does not package
# COINr — the script uses COINr's timing recorded on the same kind of 2-core machine in
# tests/fixtures/coinr/sensitivity/SA_N100/timing.txt (0.1235 s per regeneration, × 6,000 runs =
# 741 s; the oracle README records 1,038.7 s for the real N = 1000 run, because get_sensitivity's
# cost grows quadratically with the number of runs), and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/baydex-target}"

cargo bench -p baydex-benches --bench sensitivity -- sa_asem_coinr_n1000 >/dev/null
est="$CARGO_TARGET_DIR/criterion/sensitivity/sa_asem_coinr_n1000/new/estimates.json"
ours_s=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['mean']['point_estimate']/1e9)" "$est")

cargo build --release -p baydex >/dev/null 2>&1
bin="$CARGO_TARGET_DIR/release/baydex"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cli_s=$(python3 - "$bin" "$out" <<'PY'
import subprocess, sys, time
best = 1e9
for _ in range(3):
    t = time.perf_counter()
    subprocess.run([sys.argv[1], "sensitivity", "examples/asem/asem_sensitivity.toml", "--n", "1000", "-q",
                    "--out", sys.argv[2]], check=True, stdout=subprocess.DEVNULL)
    best = min(best, time.perf_counter() - t)
print(best)
PY
)

if command -v Rscript >/dev/null 2>&1 && Rscript -e 'suppressMessages(library(COINr))' >/dev/null 2>&1; then
  t0=$(date +%s.%N)
  # SA.R reads $ORACLE_ROOT/common/common.R and writes $ORACLE_ROOT/sensitivity/SA_N1000/.
  mkdir -p "$out/oracle/sensitivity" && cp -r tests/fixtures/coinr/common "$out/oracle/"
  ORACLE_ROOT="$out/oracle" Rscript tests/fixtures/coinr/sensitivity/SA.R SA 1000 100 >/dev/null
  peer_s=$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$(date +%s.%N)")
  peer_src="COINr measured in this run (SA.R SA 1000 100)"
else
  per=$(grep -oE '\(([0-9.]+) s per regeneration\)' tests/fixtures/coinr/sensitivity/SA_N100/timing.txt | grep -oE '[0-9.]+')
  peer_s=$(python3 -c "import sys; print(float(sys.argv[1]) * 6000)" "$per")
  peer_src="COINr not installable here: its recorded $per s per run × 6,000 runs (tests/fixtures/coinr/sensitivity/SA_N100/timing.txt, same kind of 2-core machine)"
fi

python3 - "$ours_s" "$cli_s" "$peer_s" "$peer_src" "$(nproc)" <<'PY'
import sys
ours, cli, peer, src, cores = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
print(f"ASEM, COINr's 4 uncertain inputs, Saltelli N = 1000 (6,000 runs), {cores} cores")
print(f"baydex  library (criterion mean)         : {ours:10.3f} s")
print(f"baydex  command, end to end (best of 3)  : {cli:10.3f} s")
print(f"COINr   get_sensitivity                  : {peer:10.1f} s  ({src})")
print(f"ratio   COINr / baydex library           : {peer/ours:10.0f}×")
print(f"ratio   COINr / baydex command           : {peer/cli:10.0f}×")
PY
