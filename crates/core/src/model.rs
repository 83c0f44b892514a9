//! A project in memory: everything that determines an index's numbers.

use serde::Serialize;

use crate::{Framework, Matrix, StepSpec, Text, TierScheme, Unit};

/// Index metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexMeta {
    /// Display name of the index.
    pub name: Text,
    /// Free description.
    pub description: Text,
    /// True when (some of) the data are illustrative, not real; every output says so.
    pub illustrative: bool,
    /// Note shown next to the illustrative label (what is illustrative, what is real).
    pub illustrative_note: Text,
    /// Periods to compute, in order.
    pub periods: Vec<String>,
}

/// A series used by steps but not scored (e.g. population as a denominator).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesSpec {
    /// Code (a column in the data).
    pub code: String,
    /// Display name.
    pub name: Text,
    /// Unit of measure.
    pub unit: Text,
    /// Source.
    pub source: Text,
}

/// Indicator (and auxiliary series) data: one `units × columns` matrix per period.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Unit codes (rows), in the order of the project's units.
    pub units: Vec<String>,
    /// Column codes: indicators then auxiliary series.
    pub columns: Vec<String>,
    /// Periods, in order.
    pub periods: Vec<String>,
    /// One matrix per period, `units.len() × columns.len()`, NaN for missing.
    pub data: Vec<Matrix>,
    /// Flags attached to cells by the data (e.g. `r` = revised figure), kept as metadata.
    pub notes: Vec<CellNote>,
}

/// A flag attached to one data cell (e.g. `r` for a revised figure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellNote {
    /// Unit code.
    pub unit: String,
    /// Period.
    pub period: String,
    /// Indicator or series code.
    pub code: String,
    /// The flag as given.
    pub flag: String,
}

impl Panel {
    /// Position of a column.
    pub fn column(&self, code: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == code)
    }
    /// Position of a period.
    pub fn period(&self, p: &str) -> Option<usize> {
        self.periods.iter().position(|q| q == p)
    }
}

/// Everything that determines an index.
#[derive(Debug, Clone)]
pub struct Project {
    /// Index metadata.
    pub meta: IndexMeta,
    /// Units, in display order.
    pub units: Vec<Unit>,
    /// The framework tree.
    pub framework: Framework,
    /// Auxiliary series (denominators).
    pub series: Vec<SeriesSpec>,
    /// The data.
    pub data: Panel,
    /// The pipeline, in order.
    pub pipeline: Vec<StepSpec>,
    /// Tiers, if any.
    pub tiers: Option<TierScheme>,
}
