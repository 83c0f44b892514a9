//! Sobol sensitivity indices and the Sobol sequence against SALib 1.5.1 and scipy
//! (`tests/oracles/salib_sobol.py`), on the SAME sample matrices: baydex makes the Saltelli
//! design (A, B; Monte Carlo and Sobol), the oracle evaluates SALib's Ishigami function on A, B
//! and AB_i and applies SALib's `first_order` / `total_order`; baydex's estimators with numpy's
//! variance convention (denominator 2N, [`Variance::Population`]) must agree to 1e-12 (relative to
//! the index; both sides do the same arithmetic in a different order). baydex's unscrambled Sobol
//! points must equal scipy's `qmc.Sobol(scramble=False)` exactly (both are dyadic rationals).
//!
//! The test fails, never skips, when python3 or SALib 1.5.1 is missing: `scripts/test.sh` installs
//! them.

use std::f64::consts::PI;
use std::process::Command;

use baydex_core::sensitivity::{Design, Sampling, SobolOptions, SobolSeq, Variance, sobol_indices};
use serde_json::Value as Json;

mod coinr;
use coinr::root;

fn ishigami(u: &[f64]) -> f64 {
    let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

fn oracle(design: &Design) -> Json {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("design.csv");
    let mut s = String::from("block,row");
    for j in 0..design.d {
        s.push_str(&format!(",x{}", j + 1));
    }
    s.push('\n');
    for r in 0..2 * design.n {
        s.push_str(if r < design.n { "A" } else { "B" });
        s.push_str(&format!(",{}", r % design.n));
        for v in design.row(r) {
            // `{:?}` prints the shortest text that parses back to the same double.
            s.push_str(&format!(",{v:?}"));
        }
        s.push('\n');
    }
    std::fs::write(&path, s).unwrap();
    let out = Command::new("python3")
        .arg(root().join("tests/oracles/salib_sobol.py"))
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}): this test needs python3 with SALib 1.5.1 (bash scripts/test.sh installs them)"));
    assert!(
        out.status.success(),
        "the SALib oracle failed ({}): {}\n(install it with: pip install SALib==1.5.1, or run bash scripts/test.sh)",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the oracle prints JSON")
}

fn floats(v: &Json) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn compare(sampling: Sampling) {
    let (n, d) = (1024, 3);
    let design = Design::saltelli(n, d, sampling, 7).unwrap();
    let y: Vec<f64> = (0..design.rows()).map(|r| ishigami(design.row(r))).collect();
    let o = oracle(&design);
    eprintln!("oracle versions: {}", o["versions"]);
    // The model outputs: same function on the same matrices.
    let mut want = floats(&o["y"]["A"]);
    want.extend(floats(&o["y"]["B"]));
    for ab in o["y"]["AB"].as_array().unwrap() {
        want.extend(floats(ab));
    }
    assert_eq!(want.len(), y.len());
    let dy = y.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(dy < 1e-12, "{sampling:?}: Ishigami outputs differ by {dy:e}");
    let s = sobol_indices(&y, n, d, &SobolOptions { variance: Variance::Population, ..Default::default() });
    let (s1, st) = (floats(&o["S1"]), floats(&o["ST"]));
    for i in 0..d {
        let (e1, et) = ((s[i].si - s1[i]).abs(), (s[i].sti - st[i]).abs());
        eprintln!(
            "{sampling:?} x{}: S1 baydex {} SALib {} (diff {e1:e}); ST baydex {} SALib {} (diff {et:e})",
            i + 1,
            s[i].si,
            s1[i],
            s[i].sti,
            st[i]
        );
        assert!(e1 <= 1e-12 * s1[i].abs().max(1.0), "S1 of x{}", i + 1);
        assert!(et <= 1e-12 * st[i].abs().max(1.0), "ST of x{}", i + 1);
    }
    // scipy's unscrambled Sobol points (the first is the origin).
    let pts = o["sobol_points"].as_array().unwrap();
    let mut seq = SobolSeq::new(2 * d).unwrap();
    let mut p = vec![0.0; 2 * d];
    for (k, want) in pts.iter().enumerate() {
        seq.next_point(&mut p);
        assert_eq!(p, floats(want), "Sobol point {k}");
    }
}

#[test]
fn sobol_indices_match_salib_on_monte_carlo_matrices() {
    compare(Sampling::Mc);
}

#[test]
fn sobol_indices_match_salib_on_sobol_matrices() {
    compare(Sampling::Sobol);
}
