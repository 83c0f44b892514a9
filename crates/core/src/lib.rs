//! This crate computes composite indices from a dense units × indicators [`Matrix`] through
//! pure steps (denominate → impute → screen → treat → normalise → aggregate), ranks and tiers the
//! results, and audits them. It does not read files, talk HTTP or know about SQL: `baydex-data`
//! turns project files into a [`Project`], and the `baydex` command prints and writes the
//! [`Results`].
//!
//! ```text
//!  Project ── Panel (one Matrix per period)
//!     │
//!     ▼  each step runs on every period before the next (steps can look across time)
//!  Raw ─denominate─► Denominated ─impute─► Imputed ─screen─► Screened ─treat─► Treated
//!      ─normalise─► Normalised ─aggregate─► Aggregated
//!                                              │
//!                 ranks (1 = best, ties = min), tiers, audit, change over time
//! ```
//!
//! ```
//! use baydex_core::{Framework, NodeSpec, StepSpec, Value, compute_matrix};
//! let fw = Framework::build(vec![
//!     NodeSpec::aggregate("Index", None),
//!     NodeSpec::indicator("a", "Index"),
//!     NodeSpec::indicator("b", "Index").with_direction(-1.0),
//! ]).unwrap();
//! let raw = baydex_core::Matrix::from_columns(3, &[vec![1., 2., 3.], vec![30., 20., 10.]])?;
//! let pipeline = [StepSpec::new("normalise"), StepSpec::new("aggregate")];
//! let out = compute_matrix(&fw, &["x", "y", "z"], &raw, &pipeline)?;
//! assert_eq!(out.scores(fw.root()), &[0.0, 50.0, 100.0]);
//! # Ok::<(), baydex_core::Error>(())
//! ```
#![deny(missing_docs)]

pub mod aggregate;
pub mod audit;
pub mod changes;
mod dataset;
mod error;
pub mod framework;
pub mod impute;
mod linalg;
mod matrix;
mod model;
pub mod normalise;
pub mod obstacle;
mod optim;
mod params;
mod pipeline;
pub mod rank;
mod results;
pub mod sensitivity;
mod stats;
pub mod step;
mod text;
pub mod tier;
pub mod treat;
mod unit;
mod value;
pub mod weight;

pub use dataset::Dataset;
pub use error::{Error, Result};
pub use framework::{Framework, Goalposts, Node, NodeKind, NodeSpec};
pub use matrix::Matrix;
pub use model::{CellNote, IndexMeta, Panel, Project, SeriesSpec};
pub use params::{ParamError, ParamInfo, ParamReader};
pub use pipeline::{PeriodInput, Pipeline, RunOutput, compute, compute_matrix, compute_with};
pub use results::{PeriodResult, Results, StepLog};
pub use text::{Lang, Text, tr};
pub use tier::{TierBand, TierMethod, TierScheme};
pub use unit::Unit;
pub use value::{Params, StepSpec, Value};
