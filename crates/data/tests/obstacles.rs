//! `obstacles.csv` on the real GBA context panel (`examples/gba/panel.toml`, goalposts on 0–100):
//! one row per period × unit × node below the index, each unit's indicator obstacles sum to 1,
//! ranks are within the unit and level; and no file when the normalisation has no bounded range.

use std::collections::BTreeMap;
use std::path::Path;

use baydex_core::{StepSpec, Value, compute, compute_with};
use baydex_data::load_project_path;
use baydex_data::output::{obstacles_csv, render};

/// Sums of shares computed in floating point.
const TOL: f64 = 1e-12;

#[test]
fn gba_panel_obstacles() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/gba/panel.toml");
    let loaded = load_project_path(&path).unwrap_or_else(|d| panic!("{d}"));
    let p = &loaded.project;
    let r = compute(p).unwrap();
    let files = render(&loaded, &r, &[], &[]);
    let f = files.iter().find(|f| f.rel == Path::new("obstacles.csv")).expect("obstacles.csv is written");
    let text = String::from_utf8(f.bytes.clone()).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("period,unit,node,level,obstacle,rank"));
    // 4 indicators + 2 dimensions per unit, 11 units, every period.
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), r.periods.len() * 11 * 6);
    let mut sums: BTreeMap<(&str, &str, &str), f64> = BTreeMap::new();
    for row in &rows {
        if row[4] != "NA" {
            *sums.entry((row[0], row[1], row[3])).or_default() += row[4].parse::<f64>().unwrap();
        }
    }
    for (k, s) in &sums {
        assert!((s - 1.0).abs() < TOL, "{k:?}: {s}");
    }
    // Shenzhen 2023: the two dimensions are ranked 1 and 2.
    let sz: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "2023" && r[1] == "SZ" && r[3] == "2").collect();
    let mut ranks: Vec<&str> = sz.iter().map(|r| r[5]).collect();
    ranks.sort();
    assert_eq!(ranks, ["1", "2"]);
}

#[test]
fn no_obstacles_for_z_scores() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/asem/asem.toml");
    let p = load_project_path(&path).unwrap_or_else(|d| panic!("{d}")).project;
    let pipeline = [StepSpec::new("normalise").with("method", Value::Str("zscore".into())), StepSpec::new("aggregate")];
    let r = compute_with(&p, &pipeline).unwrap();
    assert!(obstacles_csv(&p, &r).is_none());
    assert!(obstacles_csv(&p, &compute(&p).unwrap()).is_some());
}
