//! Benchmarks of baydex-flows: the production-constrained gravity fit on the NY county commuting
//! flows (examples/ny, 1,892 pairs; statsmodels peer in bench/flows_vs_statsmodels.sh) and
//! doubly-constrained fits on 1,000 × 1,000 and 3,000 × 3,000 synthetic zones (1 and 9 million
//! pairs).

use std::path::Path;

use baydex_flows::distance::great_circle_matrix;
use baydex_flows::gravity::{self, Constraint, Decay, GravityData, Pairs};
use baydex_flows::{OdOptions, OdTable, Units};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

fn ny() -> (Units, Pairs) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/ny");
    let attrs = std::fs::read_to_string(dir.join("NY_counties_2011_attributes.csv")).unwrap();
    let flows = std::fs::read_to_string(dir.join("NY_commuting_flows_2011.csv")).unwrap();
    let units = Units::parse(&attrs, "attrs", None).unwrap();
    let od = OdTable::parse(&flows, "flows", &units, OdOptions::default()).unwrap();
    let dist = great_circle_matrix(&units).unwrap();
    let pairs = Pairs::from_matrix(&od.matrix(units.len(), None, None), &dist, false);
    (units, pairs)
}

/// `n` zones on a 600 km square (deterministic LCG), flows = 1e6-scaled doubly-constrained
/// power-law pattern (γ = −1.5) with multiplicative ±30 % noise, rounded.
pub fn synthetic(n: usize) -> (Vec<String>, Pairs) {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let xy: Vec<(f64, f64)> = (0..n).map(|_| (600.0 * next(), 600.0 * next())).collect();
    let mass: Vec<f64> = (0..n).map(|_| 1.0 + 99.0 * next()).collect();
    let mut p = Pairs::default();
    p.origin.reserve(n * n);
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let d = ((xy[i].0 - xy[j].0).powi(2) + (xy[i].1 - xy[j].1).powi(2)).sqrt().max(1.0);
            let t = mass[i] * mass[j] * d.powf(-1.5) * (0.7 + 0.6 * next());
            p.origin.push(i);
            p.destination.push(j);
            p.flow.push(t.round());
            p.distance.push(d);
        }
    }
    ((0..n).map(|i| format!("Z{i}")).collect(), p)
}

fn bench(c: &mut Criterion) {
    let (units, pairs) = ny();
    let pop = units.mass("population").unwrap();
    let data = GravityData { codes: &units.codes, origin_mass: Some(&pop), dest_mass: Some(&pop) };
    c.bench_function("ny_production_constrained_fit", |b| {
        b.iter(|| gravity::fit(Constraint::Production, Decay::Power, &pairs, data).unwrap())
    });
    // Doubly-constrained fits on 1,000² and 3,000² zones (target: 3,000² in under 10 s);
    // BAYDEX_FLOWS_ZONES (comma-separated) overrides the sizes, for quick probes.
    let sizes: Vec<usize> = std::env::var("BAYDEX_FLOWS_ZONES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1000, 3000]);
    let mut g = c.benchmark_group("doubly");
    // Flat sampling: 10 samples of one fit each (linear sampling would run 55 fits of seconds).
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    for zones in sizes {
        let (codes, big) = synthetic(zones);
        g.measurement_time(std::time::Duration::from_secs(if zones >= 2000 { 60 } else { 10 }));
        g.bench_function(format!("doubly_constrained_fit_{zones}x{zones}"), |b| {
            b.iter(|| {
                gravity::fit(
                    Constraint::Doubly,
                    Decay::Power,
                    &big,
                    GravityData { codes: &codes, origin_mass: None, dest_mass: None },
                )
                .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
