#!/usr/bin/env bash
# The production-constrained power-law gravity model on the NY county commuting flows
# (examples/ny, 1,892 inter-county pairs, 62 origin fixed effects): baydex (criterion,
# benches/benches/flows.rs, `ny_production_constrained_fit`) against statsmodels' Poisson GLM
# (IRLS, default tolerance) on the same design, both timed in this run. The statsmodels timing
# covers the fit only (design built once beforehand), best of 5 means of 10 fits.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/baydex-target}"

cargo bench -p baydex-benches --bench flows -- ny_production_constrained_fit >/dev/null
est="$CARGO_TARGET_DIR/criterion/ny_production_constrained_fit/new/estimates.json"
ours_s=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['mean']['point_estimate']/1e9)" "$est")

peer_s=$(python3 - <<'PY'
import csv, time
import numpy as np
import statsmodels.api as sm
R = 6371.0
units = {r["tile_id"]: (float(r["population"]), float(r["centroid_lat"]), float(r["centroid_lng"]))
         for r in csv.DictReader(open("examples/ny/NY_counties_2011_attributes.csv"))}
o, d, y = [], [], []
for r in csv.DictReader(open("examples/ny/NY_commuting_flows_2011.csv")):
    if r["origin"] != r["destination"]:
        o.append(r["origin"]); d.append(r["destination"]); y.append(float(r["flow"]))
y = np.array(y)
la1, lo1 = np.radians([units[c][1] for c in o]), np.radians([units[c][2] for c in o])
la2, lo2 = np.radians([units[c][1] for c in d]), np.radians([units[c][2] for c in d])
a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
dist = 2 * R * np.arcsin(np.sqrt(a))
levels = sorted(set(o))
X = np.column_stack([np.array([c == lv for c in o], float) for lv in levels]
                    + [np.log([units[c][0] for c in d]), np.log(dist)])
best = float("inf")
for _ in range(5):
    t0 = time.perf_counter()
    for _ in range(10):
        sm.GLM(y, X, family=sm.families.Poisson()).fit()
    best = min(best, (time.perf_counter() - t0) / 10)
print(best)
PY
)
python3 - "$ours_s" "$peer_s" <<'PY'
import sys
ours, peer = float(sys.argv[1]), float(sys.argv[2])
print(f"NY production-constrained gravity fit (1,892 pairs, 64 parameters)")
print(f"  baydex-flows (criterion mean): {ours * 1e3:.3f} ms")
print(f"  statsmodels 0.15 GLM Poisson (best of 5 x 10 fits): {peer * 1e3:.3f} ms")
print(f"  ratio statsmodels / baydex: {peer / ours:.1f}x")
PY
