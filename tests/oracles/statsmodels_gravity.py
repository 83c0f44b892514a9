#!/usr/bin/env python3
"""Oracle for baydex-flows' gravity models: statsmodels' Poisson GLM on the same design.

Usage: statsmodels_gravity.py FLOWS.csv ATTRIBUTES.csv
  FLOWS.csv:      flow,origin,destination  (scikit-mobility's NY commuting example)
  ATTRIBUTES.csv: tile_id,population,centroid_lat,centroid_lng

Design (the acceptance test of issue 6): the listed pairs only, intra-unit flows excluded;
great-circle distance by the haversine formula on a sphere of radius 6371 km; dummies built
explicitly with numpy (no formula layer), named as baydex names them:
  production   origin[CODE] for every origin (no intercept), log_dest_mass, log_distance
  attraction   destination[CODE] for every destination, log_origin_mass, log_distance
  unconstrained const, log_origin_mass, log_dest_mass, log_distance
  doubly       origin[CODE] for every origin, destination[CODE] for every destination but the
               first, log_distance (only log_distance is compared: baydex profiles the effects out)
Prints one JSON object: {model: {"params", "bse", "deviance", "null_deviance", "llf", "llnull",
"mcfadden"}} and the versions used. Fitted with IRLS at a tight tolerance so that the reference
is converged well below the test tolerance.
"""
import csv
import json
import sys

import numpy as np
import statsmodels
import statsmodels.api as sm

R = 6371.0


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = np.radians(lat2 - lat1)
    dl = np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * R * np.arcsin(np.minimum(np.sqrt(a), 1.0))


def main():
    flows_path, attrs_path = sys.argv[1], sys.argv[2]
    units = {}
    order = []
    with open(attrs_path, newline="") as f:
        for r in csv.DictReader(f):
            units[r["tile_id"]] = (float(r["population"]), float(r["centroid_lat"]), float(r["centroid_lng"]))
            order.append(r["tile_id"])
    o, d, y = [], [], []
    with open(flows_path, newline="") as f:
        for r in csv.DictReader(f):
            if r["origin"] == r["destination"]:
                continue
            o.append(r["origin"])
            d.append(r["destination"])
            y.append(float(r["flow"]))
    y = np.array(y)
    lat_o = np.array([units[c][1] for c in o])
    lon_o = np.array([units[c][2] for c in o])
    lat_d = np.array([units[c][1] for c in d])
    lon_d = np.array([units[c][2] for c in d])
    log_dist = np.log(haversine(lat_o, lon_o, lat_d, lon_d))
    log_mo = np.log(np.array([units[c][0] for c in o]))
    log_md = np.log(np.array([units[c][0] for c in d]))

    def dummies(codes, prefix, drop_first=False):
        levels = [c for c in order if c in set(codes)]
        if drop_first:
            levels = levels[1:]
        cols = [np.array([1.0 if c == lv else 0.0 for c in codes]) for lv in levels]
        return cols, [f"{prefix}[{lv}]" for lv in levels]

    designs = {}
    oc, on = dummies(o, "origin")
    dc, dn = dummies(d, "destination")
    designs["production"] = (oc + [log_md, log_dist], on + ["log_dest_mass", "log_distance"])
    designs["attraction"] = (dc + [log_mo, log_dist], dn + ["log_origin_mass", "log_distance"])
    designs["unconstrained"] = (
        [np.ones_like(y), log_mo, log_md, log_dist],
        ["const", "log_origin_mass", "log_dest_mass", "log_distance"],
    )
    dc1, dn1 = dummies(d, "destination", drop_first=True)
    designs["doubly"] = (oc + dc1 + [log_dist], on + dn1 + ["log_distance"])

    out = {"versions": {"statsmodels": statsmodels.__version__, "numpy": np.__version__}, "n_pairs": int(len(y))}
    for name, (cols, names) in designs.items():
        X = np.column_stack(cols)
        res = sm.GLM(y, X, family=sm.families.Poisson()).fit(method="IRLS", tol=1e-12, maxiter=200)
        keep = names if name != "doubly" else ["log_distance"]
        idx = [names.index(k) for k in keep]
        out[name] = {
            "params": {names[i]: float(res.params[i]) for i in idx},
            "bse": {names[i]: float(res.bse[i]) for i in idx},
            "deviance": float(res.deviance),
            "null_deviance": float(res.null_deviance),
            "llf": float(res.llf),
            "llnull": float(res.llnull),
            "mcfadden": float(res.pseudo_rsquared(kind="mcf")),
            "fitted_sum": float(res.fittedvalues.sum()),
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
