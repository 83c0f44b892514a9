#!/usr/bin/env python3
"""Oracle for baydex's natural-breaks tiers: Fisher-Jenks breaks and classes from jenkspy 0.4.1
(PyPI; numpy 2.x), compared with baydex by crates/data/tests/jenks_reference.rs.

Usage:
    python3 tests/oracles/jenks_oracle.py < cases.json

Reads one JSON object on stdin:

    {"cases": [{"name": "...", "values": [x, ...], "k": [3, 4, 5]}, ...]}

(values finite; the Rust test writes them with serde_json, whose shortest representation parses
back to the same doubles). Prints one JSON object on stdout:

    {"versions": {"jenkspy": "0.4.1", "numpy": "...", "python": "..."},
     "cases": {"<name>": {"<k>": {"breaks": [...], "labels": [...]}}}}

The exact jenkspy calls, for every case and every k:

    breaks = jenkspy.jenks_breaks(values, n_classes=k)    # k + 1 values: [min, b_1, ..., max]
    jnb = jenkspy.JenksNaturalBreaks(n_classes=k); jnb.fit(values)
    labels = jnb.labels_                                    # class of every value, 0 = lowest

A value x is in class c when b_c < x <= b_{c+1} (class 0 takes x <= b_1). Floats are written by
json (repr: they round-trip exactly). Exits with status 2 when jenkspy is missing or is not 0.4.1.
"""

import importlib.metadata
import json
import platform
import sys

JENKSPY_VERSION = "0.4.1"


def main():
    try:
        version = importlib.metadata.version("jenkspy")
    except importlib.metadata.PackageNotFoundError:
        sys.exit(f"jenkspy is not installed: pip install jenkspy=={JENKSPY_VERSION} (scripts/test.sh does)")
    if version != JENKSPY_VERSION:
        print(f"jenkspy {version} found, {JENKSPY_VERSION} expected", file=sys.stderr)
        sys.exit(2)
    import jenkspy
    import numpy

    request = json.load(sys.stdin)
    out = {}
    for case in request["cases"]:
        values = [float(v) for v in case["values"]]
        per_k = {}
        for k in case["k"]:
            breaks = jenkspy.jenks_breaks(values, n_classes=k)
            jnb = jenkspy.JenksNaturalBreaks(n_classes=k)
            jnb.fit(values)
            per_k[str(k)] = {
                "breaks": [float(b) for b in breaks],
                "labels": [int(c) for c in jnb.labels_],
            }
        out[case["name"]] = per_k
    versions = {"jenkspy": version, "numpy": numpy.__version__, "python": platform.python_version()}
    json.dump({"versions": versions, "cases": out}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
