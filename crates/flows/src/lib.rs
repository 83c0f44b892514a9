//! Cross-city linkage for city clusters: origin–destination (OD) flows, linkage rankings,
//! gravity models fitted as Poisson GLMs, the radiation model, the modified gravity linkage of
//! Chinese city-network studies, and centralities of the city network.
//!
//! It reads CSV *text*, or OD records as typed rows (`OdTable::from_rows`: a Parquet file or an
//! SQL result, read by the caller), checks them with located bilingual errors (line of a CSV file,
//! row of a result), and computes. It does not read files, write them, print tables or know about
//! projects, SQL or HTTP (the `baydex` command and `baydex-data` do that); it uses `baydex-core`
//! only for its bilingual text and value types.
//!
//! ```text
//! units.csv ─┐                      ┌─► linkage: pairs, shares, cities, groups, changes
//!            ├─► OdTable ─► FlowMatrix ─► network: strength, betweenness, closeness, PageRank, communities
//! od.csv ────┘      │                 └─► gravity (Poisson GLM: unconstrained / production /
//!                   │                      attraction / doubly), radiation
//! distances ────────┴─► modified gravity linkage (masses and distances only, no flows)
//! ```
//!
//! ```
//! use baydex_flows::{Units, OdTable, OdOptions, Linkage};
//! let units = Units::parse("id,name_en,lat,lon\nA,Alpha,22.5,114.0\nB,Beta,23.1,113.3\n", "units.csv", None)?;
//! let od = OdTable::parse("origin,destination,count\nA,B,10\nB,A,4\n", "od.csv", &units, OdOptions::default())?;
//! let link = Linkage::new(&od.matrix(units.len(), None, None), &units.groups);
//! assert_eq!(link.pairs[0].total, 14.0);
//! # Ok::<(), baydex_flows::Error>(())
//! ```
#![deny(missing_docs)]

pub mod distance;
pub mod error;
pub mod glm;
pub mod gravity;
pub mod input;
pub mod linkage;
pub mod modified;
pub mod network;
pub mod radiation;

pub use error::{Error, Location, Problem, Result};
pub use glm::Progress;
pub use gravity::{Coefficient, Constraint, Decay, GravityData, GravityFit, Pairs};
pub use input::{FlowMatrix, OdOptions, OdRecord, OdTable, Units};
pub use linkage::Linkage;
pub use network::Network;
