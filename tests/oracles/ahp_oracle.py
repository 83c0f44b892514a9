#!/usr/bin/env python3
"""AHP oracle: priority vectors and consistency ratios of pairwise comparison matrices by ahpy.

Usage:
    python3 tests/oracles/ahp_oracle.py            # print the JSON to stdout
    python3 tests/oracles/ahp_oracle.py --write    # also write tests/fixtures/ahp/ahpy_2.1.json

Needs ahpy 2.1 (`pip install ahpy==2.1`, done by the "test tools" section of scripts/test.sh).
Read by crates/data/tests/ahp_ahpy.rs, which computes the same matrices with baydex's `ahp`.

Precision. ahpy derives the priority vector by repeated squaring of the matrix (A, A^2, A^4, ...),
normalising row sums, and stops when two successive vectors agree after rounding to `precision`
decimals; it then rounds the vector, and the consistency ratio, to `precision` decimals. Its
default precision is 4 (1e-4), far too coarse for a 1e-9 comparison, so every call here sets
precision=12: the oracle's values are then the principal eigenvector and CR rounded to 12 decimals
(rounding error <= 5e-13). lambda_max is not reported by ahpy; it is taken from numpy's
`linalg.eigvals` (LAPACK), as ahpy itself does to compute CR.
"""
import json
import pathlib
import sys
from fractions import Fraction

import ahpy
import numpy as np

PRECISION = 12

# name, source, elements, upper-triangle judgements {(i, j): a_ij} (strings are exact fractions)
CASES = [
    (
        "saaty2008_drinks",
        "Saaty (2008), Int. J. Services Sciences 1(1) 83-98: relative consumption of drinks in the USA",
        ["coffee", "wine", "tea", "beer", "soda", "milk", "water"],
        {("coffee", "wine"): "9", ("coffee", "tea"): "5", ("coffee", "beer"): "2", ("coffee", "soda"): "1",
         ("coffee", "milk"): "1", ("coffee", "water"): "1/2",
         ("wine", "tea"): "1/3", ("wine", "beer"): "1/9", ("wine", "soda"): "1/9", ("wine", "milk"): "1/9",
         ("wine", "water"): "1/9",
         ("tea", "beer"): "1/3", ("tea", "soda"): "1/4", ("tea", "milk"): "1/3", ("tea", "water"): "1/9",
         ("beer", "soda"): "1/2", ("beer", "milk"): "1", ("beer", "water"): "1/3",
         ("soda", "milk"): "2", ("soda", "water"): "1/2",
         ("milk", "water"): "1/3"},
    ),
    (
        "saaty1977_chairs",
        "Saaty (1977), J. Math. Psychology 15: relative brightness of four chairs (lambda_max 4.39, inconsistent)",
        ["c1", "c2", "c3", "c4"],
        {("c1", "c2"): "5", ("c1", "c3"): "6", ("c1", "c4"): "7", ("c2", "c3"): "4", ("c2", "c4"): "6",
         ("c3", "c4"): "4"},
    ),
    (
        "leader_criteria",
        "AHP leader example (ahpy README; former Wikipedia appendix): criteria",
        ["Experience", "Education", "Charisma", "Age"],
        {("Experience", "Education"): "4", ("Experience", "Charisma"): "3", ("Experience", "Age"): "7",
         ("Education", "Charisma"): "1/3", ("Education", "Age"): "3", ("Charisma", "Age"): "5"},
    ),
    (
        "leader_experience",
        "AHP leader example (ahpy README): candidates by experience",
        ["Moll", "Nell", "Sue"],
        {("Moll", "Nell"): "1/4", ("Moll", "Sue"): "4", ("Nell", "Sue"): "9"},
    ),
    (
        "oecd_tai",
        "OECD/JRC Handbook on Constructing Composite Indicators (2008), Table 20: eight TAI indicators",
        ["Patents", "Royalties", "Internet", "Exports", "Telephones", "Electricity", "Schooling", "University"],
        {("Patents", "Royalties"): "2", ("Patents", "Internet"): "3", ("Patents", "Exports"): "2",
         ("Patents", "Telephones"): "5", ("Patents", "Electricity"): "5", ("Patents", "Schooling"): "1",
         ("Patents", "University"): "3",
         ("Royalties", "Internet"): "2", ("Royalties", "Exports"): "1/2", ("Royalties", "Telephones"): "4",
         ("Royalties", "Electricity"): "4", ("Royalties", "Schooling"): "1/2", ("Royalties", "University"): "3",
         ("Internet", "Exports"): "1/4", ("Internet", "Telephones"): "2", ("Internet", "Electricity"): "2",
         ("Internet", "Schooling"): "1/5", ("Internet", "University"): "1/2",
         ("Exports", "Telephones"): "4", ("Exports", "Electricity"): "4", ("Exports", "Schooling"): "1/2",
         ("Exports", "University"): "3",
         ("Telephones", "Electricity"): "1", ("Telephones", "Schooling"): "1/5",
         ("Telephones", "University"): "1/2",
         ("Electricity", "Schooling"): "1/5", ("Electricity", "University"): "1/2",
         ("Schooling", "University"): "4"},
    ),
    (
        "consistent_4_2_1",
        "A consistent matrix (weights 4:2:1), lambda_max = n",
        ["a", "b", "c"],
        {("a", "b"): "2", ("a", "c"): "4", ("b", "c"): "2"},
    ),
]


def fraction_text(f):
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def run():
    out = {
        "generator": "tests/oracles/ahp_oracle.py",
        "ahpy": ahpy.__version__ if hasattr(ahpy, "__version__") else "2.1",
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "precision": PRECISION,
        "cases": [],
    }
    for name, source, elements, upper in CASES:
        n = len(elements)
        exact = [[Fraction(1)] * n for _ in range(n)]
        for (a, b), v in upper.items():
            i, j = elements.index(a), elements.index(b)
            exact[i][j] = Fraction(v)
            exact[j][i] = 1 / Fraction(v)
        comparisons = {(a, b): float(Fraction(v)) for (a, b), v in upper.items()}
        case = {"name": name, "source": source, "elements": elements,
                "matrix": [[fraction_text(x) for x in row] for row in exact]}
        for ri in ("saaty", "dd"):
            c = ahpy.Compare(name, comparisons, precision=PRECISION, random_index=ri)
            case["weights"] = [float(c.local_weights[e]) for e in elements]
            case[f"cr_{ri}"] = float(c.consistency_ratio)
        a = np.array([[float(x) for x in row] for row in exact])
        case["lambda_max_numpy"] = float(np.max(np.real(np.linalg.eigvals(a))))
        out["cases"].append(case)
    return out


if __name__ == "__main__":
    result = json.dumps(run(), indent=1)
    print(result)
    if "--write" in sys.argv[1:]:
        path = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "ahp" / "ahpy_2.1.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result + "\n")
