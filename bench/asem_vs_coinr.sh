#!/usr/bin/env bash
# One run of COINr's full ASEM example pipeline (denominate → impute → screen → treat → normalise →
# aggregate, 51 units × 49 indicators, 4 levels; examples/asem/asem_full.toml): baydex (criterion,
# benches/benches/pipeline.rs) against COINr's rebuild of the same coin (build_example_coin()).
#
# The peer: if R with COINr is installed (Rscript -e 'library(COINr)'), it is timed in this run
# (100 rebuilds of new_coin → Normalise → Aggregate). Otherwise — as on our CI machines, where
# CRAN is not reachable and Debian does not package COINr — the script uses COINr's own timing
# recorded on the same kind of 2-core machine in tests/fixtures/coinr/sensitivity/UA_N100/timing.txt
# (100 regenerations of the full example pipeline in 12.19 s), and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/baydex-target}"

cargo bench -p baydex-benches --bench pipeline -- asem_full_example_pipeline >/dev/null
est="$CARGO_TARGET_DIR/criterion/asem_full_example_pipeline/new/estimates.json"
ours_s=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['mean']['point_estimate']/1e9)" "$est")

if command -v Rscript >/dev/null 2>&1 && Rscript -e 'suppressMessages(library(COINr))' >/dev/null 2>&1; then
  peer_s=$(Rscript -e '
    suppressMessages(library(COINr))
    t0 <- proc.time()[["elapsed"]]
    for (i in 1:100) {
      coin <- suppressMessages(build_example_coin(quietly = TRUE))
    }
    cat((proc.time()[["elapsed"]] - t0) / 100)')
  peer_src="COINr measured in this run (100 rebuilds)"
else
  peer_s=$(grep -oE '\(([0-9.]+) s per regeneration\)' tests/fixtures/coinr/sensitivity/UA_N100/timing.txt | grep -oE '[0-9.]+')
  peer_src="COINr not installable here; its recorded time on the same kind of machine (tests/fixtures/coinr/sensitivity/UA_N100/timing.txt)"
fi

python3 - "$ours_s" "$peer_s" "$peer_src" <<'PY'
import sys
ours, peer, src = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
print(f"baydex  ASEM full example pipeline: {ours*1e6:9.1f} µs per run (criterion mean)")
print(f"COINr   ASEM full example pipeline: {peer*1e6:9.1f} µs per run ({src})")
print(f"ratio   COINr / baydex    : {peer/ours:9.0f}×")
PY
