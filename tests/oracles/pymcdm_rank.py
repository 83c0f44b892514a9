#!/usr/bin/env python3
"""Oracle for baydex's TOPSIS and VIKOR aggregators: pymcdm 1.4.0 (PyPI).

Reads JSON from stdin:
    {"problems": [{"id": "...", "matrix": [[x_11, ..., x_1k], ...], "weights": [w_1, ..., w_k]}, ...]}
(units in rows, criteria in columns, every criterion a benefit criterion, weights summing to 1)
and writes JSON to stdout:
    {"pymcdm": "1.4.0", "results": {"<id>": {"topsis": [...], "topsis_vector": [...],
                                              "vikor": [...], "vikor_v03": [...]}}}
with
    topsis        = pymcdm.methods.TOPSIS()(matrix, weights, types)            (closeness C)
    topsis_vector = TOPSIS(normalizations.vector_normalization)(...)           (closeness C)
    vikor         = pymcdm.methods.VIKOR()(matrix, weights, types)             (Q, v = 0.5)
    vikor_v03     = VIKOR(v=0.3)(matrix, weights, types)                       (Q, v = 0.3)
and types = [1, ..., 1]. Floats are written with repr(), so they round-trip exactly.

Used by crates/data/tests/pymcdm_rank.rs. Requires `pip install pymcdm==1.4.0`; exits with
status 2 and a message when pymcdm is missing or another version is installed, so that the
Rust test fails instead of comparing against something else.
Generated results: pymcdm 1.4.0 / Python 3.11 / numpy 2.x.
"""

import json
import sys
import warnings

REQUIRED = "1.4.0"


def main() -> int:
    try:
        from importlib.metadata import PackageNotFoundError, version as dist_version

        import numpy as np
        from pymcdm import normalizations
        from pymcdm.methods import TOPSIS, VIKOR
    except ImportError as e:  # pragma: no cover - environment problem
        print(f"pymcdm_rank.py: cannot import pymcdm ({e}); run `pip install pymcdm=={REQUIRED}`", file=sys.stderr)
        return 2
    try:
        version = dist_version("pymcdm")  # pymcdm has no __version__
    except PackageNotFoundError:
        version = "unknown"
    if version != REQUIRED:
        print(f"pymcdm_rank.py: pymcdm {version} is installed, the oracle needs {REQUIRED}", file=sys.stderr)
        return 2

    request = json.load(sys.stdin)
    methods = {
        "topsis": TOPSIS(),
        "topsis_vector": TOPSIS(normalizations.vector_normalization),
        "vikor": VIKOR(),
        "vikor_v03": VIKOR(v=0.3),
    }
    results = {}
    # pymcdm warns about dominant/dominated alternatives and weight sums; the values are unaffected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p in request["problems"]:
            matrix = np.asarray(p["matrix"], dtype=float)
            weights = np.asarray(p["weights"], dtype=float)
            types = np.ones(matrix.shape[1], dtype=int)
            results[p["id"]] = {
                name: [float(x) for x in method(matrix, weights, types)] for name, method in methods.items()
            }
    json.dump({"pymcdm": version, "results": results}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
