//! Uncertainty and sensitivity analysis (JRC/OECD Handbook step 7): how much a ranking moves
//! when defensible method choices change, and which choice moves it most.
//!
//! ```text
//!  inputs (step parameters, weight sets, leave-one-out) ── check_inputs (dry run)
//!     │
//!  Design: N × d uniforms (UA) or Saltelli [A; B; AB_1..AB_d] (SA); Monte Carlo or Sobol
//!     │  discrete → alternative, interval → number
//!  Engine: distinct prefixes once, the final aggregate per run (rayon, per-thread scratch)
//!     │
//!  scores → ranks → per-unit rank/score distribution, tier frequencies,
//!           mean |rank − nominal| per run → Sobol Si / STi with bootstrap intervals
//! ```
//!
//! Estimators and quirks follow COINr 1.1.14's `get_sensitivity` (see `docs/sensitivity.md`).
//! No I/O: `baydex-data` reads the `[sensitivity]` table and replay files.

mod analysis;
mod design;
mod eval;
mod indices;
mod inputs;
mod rng;
mod sobol_seq;
mod stats;

pub use analysis::{LeaveOneOut, Outcome, SensitivityError, Settings, TierFrequencies, analyse, choices_of, replay};
pub use design::{Binning, Block, Design, DesignError, Sampling, block_of, discrete};
pub use indices::{SobolIndex, SobolOptions, Variance, output_variance, sobol_indices};
pub use inputs::{Choice, Edit, Input, InputError, InputKind, NoiseScope, apply_edit, check_inputs, noisy_weights};
pub use rng::uniform;
pub use sobol_seq::{MAX_DIMS, SobolSeq};
pub use stats::{Summary, mean, median_sorted, quantile_sorted};

#[cfg(test)]
mod tests;
