//! A dataset stage: a units × columns matrix with its row and column codes.

use crate::{Error, Matrix, Result};

/// A dataset after some step (Raw, Denominated, Normalised, Aggregated).
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Unit codes (rows).
    pub units: Vec<String>,
    /// Column codes (indicators, then aggregates once aggregated).
    pub columns: Vec<String>,
    /// The values, `units.len() × columns.len()`.
    pub data: Matrix,
}

impl Dataset {
    /// Builds a dataset, checking the shape.
    pub fn new(units: Vec<String>, columns: Vec<String>, data: Matrix) -> Result<Self> {
        if data.nrows() != units.len() {
            return Err(Error::ShapeMismatch { what: "dataset rows", expected: units.len(), got: data.nrows() });
        }
        if data.ncols() != columns.len() {
            return Err(Error::ShapeMismatch { what: "dataset columns", expected: columns.len(), got: data.ncols() });
        }
        Ok(Dataset { units, columns, data })
    }

    /// Position of a column.
    pub fn column(&self, code: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == code)
    }

    /// A column's values by code.
    pub fn values(&self, code: &str) -> Option<&[f64]> {
        self.column(code).map(|j| self.data.col(j))
    }
}
