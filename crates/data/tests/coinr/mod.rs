//! Helpers shared by the tests against the COINr oracle (`tests/fixtures/coinr/`, COINr 1.1.14).
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Absolute tolerance on values compared with COINr. COINr's CSVs carry the exact doubles; the
/// differences come only from summation order and solvers' rounding (~1e-13 at most).
pub const TOL: f64 = 1e-9;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Rows of a COINr CSV (path relative to `tests/fixtures/coinr`) as maps column → text.
pub fn read(rel: &str) -> Vec<HashMap<String, String>> {
    let path = root().join("tests/fixtures/coinr").join(rel);
    let mut r = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records().map(|rec| h.iter().cloned().zip(rec.unwrap().iter().map(str::to_string)).collect()).collect()
}

/// A COINr number (`NA` / `NaN` → NaN).
pub fn parse(s: &str) -> f64 {
    if s == "NA" || s == "NaN" { f64::NAN } else { s.parse().unwrap_or_else(|_| panic!("not a number: {s}")) }
}

/// Largest absolute difference seen in one comparison, for the report a test prints.
#[derive(Default)]
pub struct Diff {
    /// Largest |got − want|.
    pub max: f64,
    /// Values compared.
    pub n: usize,
}

impl Diff {
    /// Compares one value with COINr's (NA must stay NA), within [`TOL`].
    pub fn check(&mut self, what: &str, got: f64, want: f64) {
        self.n += 1;
        if want.is_nan() {
            assert!(got.is_nan(), "{what}: COINr NA, got {got}");
            return;
        }
        let d = (got - want).abs();
        assert!(d <= TOL, "{what}: got {got}, COINr {want}, diff {d:e}");
        self.max = self.max.max(d);
    }

    /// Checks the count and prints the largest difference.
    pub fn report(&self, what: &str, expected: usize) {
        assert_eq!(self.n, expected, "{what}: values compared");
        eprintln!("{what}: {} values, max |diff| = {:e}", self.n, self.max);
    }
}
