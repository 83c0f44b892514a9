#!/usr/bin/env python3
"""Independent cross-check of the GBA example: recompute every score from gba.toml and its data.

    python3 examples/gba/check_scores.py            # prints dimension scores, index, rank, tier
    python3 examples/gba/check_scores.py --csv      # the same as CSV (unit,node,score), full precision

This handles only what gba.toml uses (denominate with per-indicator scale, min-max, weighted
arithmetic mean, fixed tiers), in plain Python, as a reference for the Rust engine's results.
Needs Python 3.11+ (tomllib); no third-party packages.
"""
import csv
import os
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))


def read_csv(name):
    with open(os.path.join(HERE, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def main():
    with open(os.path.join(HERE, "gba.toml"), "rb") as f:
        p = tomllib.load(f)
    units = [r["code"] for r in read_csv(p["units"]["file"])]
    period = p["index"]["periods"][0]

    values = {}  # (unit, code) -> float
    for d in p["data"]:
        rows = read_csv(d["file"])
        if d["format"] == "long":
            for r in rows:
                if r["period"] == period:
                    key = (r["unit"], r["indicator"])
                    assert key not in values, key
                    values[key] = float(r["value"])
        else:
            for r in rows:
                if r.get("period", period) != period:
                    continue
                for k, v in r.items():
                    if k not in ("unit", "period"):
                        assert (r["unit"], k) not in values
                        values[(r["unit"], k)] = float(v)

    steps = {s["step"]: s for s in p["pipeline"]}
    den = steps["denominate"]
    norm = steps["normalise"]
    assert norm["method"] == "minmax" and steps["aggregate"]["method"] == "amean"
    lo_t, hi_t = norm["range"]

    scores = {}  # node code -> list over units
    for ind in p["indicator"]:
        code = ind["code"]
        x = [values[(u, code)] for u in units]
        if "denominator" in ind:
            scale = den.get("overrides", {}).get(code, {}).get("scale", den.get("scale", 1))
            x = [v / values[(u, ind["denominator"])] * scale for v, u in zip(x, units)]
        x = [v * ind.get("direction", 1) for v in x]
        lo, hi = min(x), max(x)
        assert hi > lo, f"constant indicator {code}"
        scores[code] = [(v - lo) / (hi - lo) * (hi_t - lo_t) + lo_t for v in x]

    children = {}
    for n in p["indicator"] + p["node"]:
        children.setdefault(n["parent"], []).append(n)
    # aggregate bottom-up: dimensions (parents of indicators), then the index
    root = p["index"]["code"]
    for agg in [n["code"] for n in p["node"]] + [root]:
        kids = children[agg]
        w = [k.get("weight", 1) for k in kids]
        scores[agg] = [sum(wi * scores[k["code"]][i] for wi, k in zip(w, kids)) / sum(w) for i in range(len(units))]

    bands = p["tiers"]["band"]

    def tier(s):
        for b in bands:
            if "min" not in b or s >= b["min"]:
                return b["code"]

    idx = scores[root]
    order = sorted(range(len(units)), key=lambda i: -idx[i])
    rank = {i: 1 + sum(idx[j] > idx[i] for j in range(len(units))) for i in range(len(units))}
    dims = [n["code"] for n in p["node"]]
    if "--csv" in sys.argv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["unit", "node", "score"])
        for i, u in enumerate(units):
            for code in [ind["code"] for ind in p["indicator"]] + dims + [root]:
                w.writerow([u, code, repr(scores[code][i])])
        return
    print("unit " + " ".join(f"{d:>6}" for d in dims) + f" {root:>9}  rank tier")
    for i in order:
        print(f"{units[i]:<4} " + " ".join(f"{scores[d][i]:6.2f}" for d in dims)
              + f" {idx[i]:9.4f}  {rank[i]:>4} {tier(idx[i])}")


if __name__ == "__main__":
    main()
