#!/usr/bin/env python3
"""Oracle for baydex's objective weights: entropy, CRITIC and standard-deviation weights from
pymcdm 1.4.0 (PyPI; numpy 2.x), compared with baydex to 1e-9 by crates/data/tests/pymcdm_weights.rs.

Usage:
    python3 tests/oracles/pymcdm_weights.py [--shift S]... MATRIX.csv [MATRIX.csv ...]

Each MATRIX.csv has a header of column (criterion) codes, then one row per alternative (unit), all
numbers, no missing values (pymcdm needs a complete matrix; the Rust test drops incomplete rows
itself). Prints one JSON object on stdout:

    {"versions": {"pymcdm": "1.4.0", "numpy": "...", "python": "..."},
     "matrices": {"<path>": {"codes": [...], "rows": n,
                             "critic": [...], "std": [...],
                             "entropy": {"none": [...] | {"error": "..."}, "min": ..., "1": ...}}}}

The exact pymcdm calls (X = the matrix, rows = alternatives, columns = criteria):

    pymcdm.weights.critic_weights(X)
    pymcdm.weights.standard_deviation_weights(X)
    pymcdm.weights.entropy_weights(shifted(X, S))   for every --shift S (default: none)

where shifted() is baydex's `shift` parameter of the entropy method:

    none       X                                   (pymcdm raises ValueError if any value <= 0)
    min        X - min_col(X) + 0.01 * (max_col(X) - min_col(X))   (column by column)
    <number c> X + c

An entropy call that raises is reported as {"error": message}. Floats are written by json (repr:
they round-trip exactly); a non-finite weight is written as null.
"""

import argparse
import csv
import importlib.metadata
import json
import math
import sys

PYMCDM_VERSION = "1.4.0"

try:
    import numpy as np
    from pymcdm import weights as pw
except ImportError as e:  # the Rust test turns this into a failure, never a skip
    sys.exit(f"pymcdm_weights.py: {e}; install it with: pip install pymcdm=={PYMCDM_VERSION}")


def read_matrix(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    codes = rows[0]
    x = np.array([[float(v) for v in r] for r in rows[1:] if r], dtype=float)
    if x.ndim != 2 or x.shape[1] != len(codes):
        sys.exit(f"{path}: expected {len(codes)} columns")
    if not np.all(np.isfinite(x)):
        sys.exit(f"{path}: the matrix must be complete (no missing values)")
    return codes, x


def shifted(x, shift):
    if shift == "none":
        return x
    if shift == "min":
        lo, hi = x.min(axis=0), x.max(axis=0)
        return x - lo + 0.01 * (hi - lo)
    return x + float(shift)


def clean(w):
    return [float(v) if math.isfinite(v) else None for v in np.asarray(w, dtype=float)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shift", action="append", default=[], help="none | min | a number (repeatable)")
    ap.add_argument("matrices", nargs="+")
    args = ap.parse_args()
    version = importlib.metadata.version("pymcdm")
    if version != PYMCDM_VERSION:
        sys.exit(f"pymcdm_weights.py: pymcdm {version} found, the oracle is pymcdm {PYMCDM_VERSION}")
    shifts = args.shift or ["none"]
    out = {
        "versions": {"pymcdm": version, "numpy": np.__version__, "python": sys.version.split()[0]},
        "matrices": {},
    }
    for path in args.matrices:
        codes, x = read_matrix(path)
        entropy = {}
        for s in shifts:
            try:
                entropy[s] = clean(pw.entropy_weights(shifted(x, s)))
            except ValueError as e:
                entropy[s] = {"error": str(e)}
        out["matrices"][path] = {
            "codes": codes,
            "rows": int(x.shape[0]),
            "critic": clean(pw.critic_weights(x)),
            "std": clean(pw.standard_deviation_weights(x)),
            "entropy": entropy,
        }
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
