//! The panel acceptance test: the real GBA context data over 2000–2024 (`examples/gba/panel.toml`,
//! fixed goalposts, carry imputation of a city's own gaps) — a unit's score changes only when its
//! own data change.

use std::path::Path;

use baydex_core::{Project, compute};
use baydex_data::load_project_path;

fn project() -> Project {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/gba/panel.toml");
    load_project_path(&p).unwrap_or_else(|d| panic!("{d}")).project
}

/// Every node's scores: [period][node][unit].
fn all_scores(p: &Project) -> Vec<Vec<Vec<f64>>> {
    let r = compute(p).unwrap();
    r.periods.iter().map(|pr| (0..p.framework.nodes().len()).map(|n| pr.scores(n).to_vec()).collect()).collect()
}

#[test]
fn panel_covers_2000_to_2024_with_real_data() {
    let p = project();
    assert_eq!(p.meta.periods.first().map(String::as_str), Some("2000"));
    assert_eq!(p.meta.periods.last().map(String::as_str), Some("2024"));
    assert!(!p.meta.illustrative);
    let r = compute(&p).unwrap();
    let root = p.framework.root();
    for pr in &r.periods {
        assert!(pr.scores(root).iter().all(|s| s.is_finite()), "period {} has a missing index", pr.period);
    }
}

#[test]
fn a_units_score_changes_only_when_its_own_data_change() {
    let base = project();
    let before = all_scores(&base);
    let (k_period, unit) = (10, "SZ"); // 2010
    let mut changed = project();
    let u = changed.data.units.iter().position(|c| c == unit).unwrap();
    let k = changed.data.period(&changed.meta.periods[k_period]).unwrap();
    // Raise Shenzhen's 2010 GDP and GDP per capita by 10 %.
    for code in ["GDP", "GDPPC"] {
        if let Some(j) = changed.data.column(code) {
            let v = changed.data.data[k].get(u, j);
            changed.data.data[k].set(u, j, v * 1.1);
        }
    }
    let after = all_scores(&changed);
    let root = base.framework.root();
    let mut checked = 0;
    for (pk, (b, a)) in before.iter().zip(&after).enumerate() {
        for node in 0..b.len() {
            for (ui, (x, y)) in b[node].iter().zip(&a[node]).enumerate() {
                let own_later = ui == u && pk >= k_period;
                if !own_later {
                    assert_eq!(x.to_bits(), y.to_bits(), "period {pk}, node {node}, unit {ui} changed");
                    checked += 1;
                }
            }
        }
    }
    // 25 periods × 7 nodes × 11 units, less Shenzhen's own 2010–2024 scores.
    assert_eq!(checked, 25 * 7 * 11 - 15 * 7);
    assert_ne!(before[k_period][root][u], after[k_period][root][u], "Shenzhen 2010 must change");
    // Later years change only where carry imputation filled a gap from 2010 (none here).
    for pk in k_period + 1..before.len() {
        assert_eq!(before[pk][root][u], after[pk][root][u], "period {pk}");
    }
}

#[test]
fn panel_outputs_changes_with_cagr() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/gba/panel.toml");
    let loaded = load_project_path(&p).unwrap();
    let results = compute(&loaded.project).unwrap();
    let csv = baydex_data::output::changes_csv(&loaded.project, &results).unwrap();
    let root = loaded.project.framework.node(loaded.project.framework.root()).code().to_string();
    let row = csv.lines().find(|l| l.starts_with("SZ,") && l.contains(&format!(",{root},total,2000,2024,"))).unwrap();
    let f: Vec<&str> = row.split(',').collect();
    let (from, to, cagr): (f64, f64, f64) = (f[5].parse().unwrap(), f[6].parse().unwrap(), f[10].parse().unwrap());
    assert!(((to / from).powf(1.0 / 24.0) - 1.0 - cagr).abs() < 1e-12);
}
