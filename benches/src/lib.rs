//! Benchmarks of baydex (see `benches/`); this library is empty.
