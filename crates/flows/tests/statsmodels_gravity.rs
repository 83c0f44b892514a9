//! Acceptance: the gravity models on the US Census 2011 New York State county commuting flows
//! (examples/ny, public domain, via scikit-mobility) agree with statsmodels' Poisson GLM on the
//! same design (tests/oracles/statsmodels_gravity.py; statsmodels 0.15.0 pinned in scripts/test.sh).
//!
//! Design: listed pairs only, intra-county flows excluded, masses = county population,
//! great-circle distance (haversine, R = 6371 km), power-law decay (log distance).

use std::path::{Path, PathBuf};
use std::process::Command;

use baydex_flows::distance::great_circle_matrix;
use baydex_flows::gravity::{self, Constraint, Decay, GravityData, Pairs};
use baydex_flows::{OdOptions, OdTable, Units};
use serde_json::Value;

/// Coefficients and standard errors: the acceptance criterion of issue 6 (1e-8 absolute).
const TOL_COEF: f64 = 1e-8;
/// Deviance and log-likelihoods are sums over ~1,900 pairs of magnitude up to 1e6: compared
/// relatively.
const TOL_REL: f64 = 1e-10;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn oracle(flows: &Path, attrs: &Path) -> Value {
    let script = repo().join("tests/oracles/statsmodels_gravity.py");
    let out = Command::new("python3").arg(&script).arg(flows).arg(attrs).output().unwrap_or_else(|e| {
        panic!("cannot run python3 ({e}); scripts/test.sh installs python3 and statsmodels 0.15.0")
    });
    assert!(
        out.status.success(),
        "the statsmodels oracle failed — is statsmodels installed? scripts/test.sh installs statsmodels==0.15.0\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("oracle JSON")
}

fn ny() -> (Units, Pairs) {
    let dir = repo().join("examples/ny");
    let attrs = std::fs::read_to_string(dir.join("NY_counties_2011_attributes.csv")).unwrap();
    let flows = std::fs::read_to_string(dir.join("NY_commuting_flows_2011.csv")).unwrap();
    let units = Units::parse(&attrs, "NY_counties_2011_attributes.csv", None).unwrap();
    let od = OdTable::parse(&flows, "NY_commuting_flows_2011.csv", &units, OdOptions::default()).unwrap();
    let m = od.matrix(units.len(), None, None);
    let dist = great_circle_matrix(&units).unwrap();
    (units.clone(), Pairs::from_matrix(&m, &dist, false))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn ny_gravity_models_match_statsmodels() {
    let dir = repo().join("examples/ny");
    let want = oracle(&dir.join("NY_commuting_flows_2011.csv"), &dir.join("NY_counties_2011_attributes.csv"));
    let (units, pairs) = ny();
    assert_eq!(pairs.len() as u64, want["n_pairs"].as_u64().unwrap(), "same design: 1,954 − 62 intra-county pairs");
    let pop = units.mass("population").unwrap();
    let data = GravityData { codes: &units.codes, origin_mass: Some(&pop), dest_mass: Some(&pop) };
    let mut report = Vec::new();
    for (name, c) in [
        ("production", Constraint::Production),
        ("attraction", Constraint::Attraction),
        ("unconstrained", Constraint::Unconstrained),
        ("doubly", Constraint::Doubly),
    ] {
        let fit = gravity::fit(c, Decay::Power, &pairs, data).unwrap();
        let w = &want[name];
        let params = w["params"].as_object().unwrap();
        assert!(!params.is_empty());
        for (coef, value) in params {
            let got = fit.coefficient(coef).unwrap_or_else(|| panic!("{name}: no coefficient {coef}"));
            let (p, se) = (value.as_f64().unwrap(), w["bse"][coef].as_f64().unwrap());
            if !close(got.estimate, p, TOL_COEF) || !close(got.se, se, TOL_COEF) {
                report.push(format!("{name} {coef}: {} ± {} vs statsmodels {p} ± {se}", got.estimate, got.se));
            }
        }
        // Every coefficient of the one-way models is compared (fixed effects included).
        if c != Constraint::Doubly {
            assert_eq!(params.len(), fit.coefficients.len(), "{name}: same number of coefficients");
        }
        for (key, got) in [
            ("deviance", fit.fit.deviance),
            ("null_deviance", fit.fit.null_deviance),
            ("llf", fit.fit.loglik),
            ("llnull", fit.fit.null_loglik),
            ("mcfadden", fit.fit.mcfadden),
        ] {
            let want = w[key].as_f64().unwrap();
            if (got - want).abs() > TOL_REL * want.abs().max(1.0) {
                report.push(format!("{name} {key}: {got} vs statsmodels {want}"));
            }
        }
    }
    assert!(report.is_empty(), "differences from statsmodels:\n{}", report.join("\n"));
}

/// Acceptance: the doubly-constrained fit reproduces every observed row and column total to 1e-6
/// (relative to the total) on the NY data.
#[test]
fn ny_doubly_constrained_margins() {
    let (units, pairs) = ny();
    let fit = gravity::fit(
        Constraint::Doubly,
        Decay::Power,
        &pairs,
        GravityData { codes: &units.codes, origin_mass: None, dest_mass: None },
    )
    .unwrap();
    let n = units.len();
    let (mut oo, mut op, mut io, mut ip) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for r in 0..pairs.len() {
        oo[pairs.origin[r]] += pairs.flow[r];
        op[pairs.origin[r]] += fit.predicted[r];
        io[pairs.destination[r]] += pairs.flow[r];
        ip[pairs.destination[r]] += fit.predicted[r];
    }
    for u in 0..n {
        assert!((oo[u] - op[u]).abs() <= 1e-6 * oo[u].max(1.0), "row {}: {} vs {}", units.codes[u], oo[u], op[u]);
        assert!((io[u] - ip[u]).abs() <= 1e-6 * io[u].max(1.0), "column {}: {} vs {}", units.codes[u], io[u], ip[u]);
    }
}
