//! This crate turns a project on disk into a [`baydex_core::Project`]: it parses the project
//! file (TOML, specified in `docs/project-file.md`), reads the units and the indicator data it
//! names (CSV and `.xlsx`, long or wide), checks them against each other, and reports every
//! problem at once as [`Diagnostics`] naming file, line, column and key in Chinese and English.
//! It also applies `--set STEP.PARAM=VALUE` overrides ([`apply_set`]) and hosts the output
//! writers.
//!
//! It does not compute anything (that is `baydex-core`), render reports, serve HTTP or print to
//! the terminal: callers decide how to show [`Diagnostics`] (see [`Diagnostics::render`]).
//!
//! ```no_run
//! use baydex_core::Lang;
//! let loaded = match baydex_data::load_project_path(std::path::Path::new("project.toml")) {
//!     Ok(p) => p,
//!     Err(diags) => {
//!         eprintln!("{}", diags.render(Lang::Zh));
//!         return;
//!     }
//! };
//! for w in &loaded.warnings {
//!     eprintln!("{w}");
//! }
//! println!("{} units, periods {:?}", loaded.project.units.len(), loaded.project.meta.periods);
//! ```
//!
//! ```text
//!  project.toml ──► [index] [units] [[node]] [[indicator]] [[series]] [[data]] [[pipeline]] [tiers]
//!                      │        │         Framework::build       │          step registry
//!                      ▼        ▼                                ▼
//!                 IndexMeta   Unit ──────────── Panel (one Matrix per period) ──► Project
//! ```
#![deny(missing_docs)]

pub mod access;
#[cfg(feature = "catalog")]
pub mod catalog;
mod diag;
pub mod output;
mod project;
pub mod sensitivity;
mod set;
mod source;
mod table;
pub mod workbook;

pub use diag::{Diagnostic, Diagnostics, Severity};

/// The name of the threads the SQL catalog executes queries on (feature `catalog`): a panic there
/// is caught and reported as a failed query, so the CLI's panic hook stays quiet for them.
pub const QUERY_THREAD_NAME: &str = "baydex-sql";

#[cfg(feature = "catalog")]
pub use project::{CatalogOutcome, CatalogRun, PrincipalProblem, od_rows, read_parquet_od, run_catalog_queries};
pub use project::{
    FlowsFile, FlowsSpec, LoadOptions, LoadedProject, OD_CODE, OdRows, SourceFingerprint, SqlSource,
    catalog_feature_hint, cluster_feature_hint, is_parquet_source, load_project, load_project_path,
    load_project_path_with, load_project_with, parquet_files,
};
pub use set::apply_set;
pub use source::{DirSource, EmbeddedSource, InputFile, Source};
