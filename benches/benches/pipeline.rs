//! ASEM pipeline runs (51 units × 49 indicators, 4 levels): the default coin (min-max [0,100] →
//! arithmetic mean) and COINr's full example pipeline (denominate → impute → screen → treat →
//! normalise → aggregate), the same work as one COINr rebuild of its ASEM example coin; and the
//! GBA default.
//!
//! Peer figure: COINr 1.1.14 rebuilds its ASEM pipeline in about 0.12 s (100 rebuilds took
//! 12.2 s on the same kind of 2-core machine; `tests/fixtures/coinr/sensitivity/UA_N100/timing.txt`).
//! `bench/asem_vs_coinr.sh` prints the ratio.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

fn project(rel: &str) -> baydex_core::Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    baydex_data::load_project_path(&root.join(rel)).unwrap_or_else(|d| panic!("{d}")).project
}

fn bench(c: &mut Criterion) {
    let asem = project("examples/asem/asem.toml");
    c.bench_function("asem_full_pipeline", |b| b.iter(|| baydex_core::compute(std::hint::black_box(&asem)).unwrap()));
    // COINr's full example pipeline (build_example_coin): denominate → impute → screen → treat →
    // normalise → aggregate — the like-for-like peer of COINr's 0.12 s rebuild.
    let full = project("examples/asem/asem_full.toml");
    c.bench_function("asem_full_example_pipeline", |b| {
        b.iter(|| baydex_core::compute(std::hint::black_box(&full)).unwrap())
    });
    let gba = project("examples/gba/gba.toml");
    c.bench_function("gba_full_pipeline", |b| b.iter(|| baydex_core::compute(std::hint::black_box(&gba)).unwrap()));
    c.bench_function("asem_load_and_run", |b| {
        b.iter(|| {
            let p = project("examples/asem/asem.toml");
            baydex_core::compute(&p).unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
