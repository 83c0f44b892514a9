#!/usr/bin/env python3
"""Oracle for baydex's Sobol sensitivity indices and Sobol sequence: SALib 1.5.1 (PyPI; numpy,
scipy), used by crates/data/tests/salib_sobol.rs.

Usage:
    python3 tests/oracles/salib_sobol.py DESIGN.csv

DESIGN.csv is baydex's Saltelli design on the unit cube, written by the Rust test: a header
`block,row,x1,...,xd`, then the N rows of A (block A), the N rows of B (block B). The script maps
every coordinate to [-pi, pi], evaluates SALib's own Ishigami function
(SALib.test_functions.Ishigami.evaluate, a = 7, b = 0.1) on A, B and AB_i (A with column i from B,
built here), and applies SALib's estimators to those outputs:

    SALib.analyze.sobol.first_order(yA, yAB_i, yB)   mean(yB (yAB_i - yA)) / var(yA u yB)
    SALib.analyze.sobol.total_order(yA, yAB_i, yB)   mean((yA - yAB_i)^2) / 2 / var(yA u yB)

(numpy's var: denominator 2N). It also prints scipy's unscrambled Sobol points (scipy.stats.qmc.Sobol,
scramble=False, the Joe-Kuo direction numbers) in 2d dimensions, 64 points, to check baydex's
generator. Output: one JSON object on stdout:

    {"versions": {...}, "S1": [...], "ST": [...], "y": {"A": [...], "B": [...], "AB": [[...], ...]},
     "sobol_points": [[...], ...]}
"""
import csv
import importlib.metadata as md
import json
import platform
import sys

import numpy as np
from scipy.stats import qmc
from SALib.analyze.sobol import first_order, total_order
from SALib.test_functions import Ishigami


def main(path):
    a, b = [], []
    with open(path, newline="") as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            (a if row[0] == "A" else b).append([float(x) for x in row[2:]])
    A = np.array(a)
    B = np.array(b)
    d = A.shape[1]
    to_x = lambda U: -np.pi + 2.0 * np.pi * U
    yA = Ishigami.evaluate(to_x(A))
    yB = Ishigami.evaluate(to_x(B))
    yAB = []
    for i in range(d):
        ABi = A.copy()
        ABi[:, i] = B[:, i]
        yAB.append(Ishigami.evaluate(to_x(ABi)))
    S1 = [float(first_order(yA, yAB[i], yB)) for i in range(d)]
    ST = [float(total_order(yA, yAB[i], yB)) for i in range(d)]
    pts = qmc.Sobol(d=2 * d, scramble=False).random(64)
    print(json.dumps({
        "versions": {"SALib": md.version("SALib"), "numpy": md.version("numpy"), "scipy": md.version("scipy"),
                     "python": platform.python_version()},
        "S1": S1, "ST": ST,
        "y": {"A": yA.tolist(), "B": yB.tolist(), "AB": [v.tolist() for v in yAB]},
        "sobol_points": pts.tolist(),
    }))


if __name__ == "__main__":
    main(sys.argv[1])
