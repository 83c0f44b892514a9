//! Dense column-major `f64` matrix with NaN for missing values.

use crate::{Error, Result};

/// A dense `nrows × ncols` matrix stored column by column; NaN marks a missing value.
///
/// Rows are units, columns are indicators or nodes. Column-major storage makes a column a
/// contiguous slice, which is what every normaliser and aggregator works on.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    nrows: usize,
    ncols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// A matrix of the given shape filled with NaN (all missing).
    pub fn missing(nrows: usize, ncols: usize) -> Self {
        Matrix { nrows, ncols, data: vec![f64::NAN; nrows * ncols] }
    }

    /// Builds a matrix from column-major data; the length must be `nrows * ncols`.
    pub fn from_col_major(nrows: usize, ncols: usize, data: Vec<f64>) -> Result<Self> {
        if data.len() != nrows * ncols {
            return Err(Error::ShapeMismatch { what: "matrix data", expected: nrows * ncols, got: data.len() });
        }
        Ok(Matrix { nrows, ncols, data })
    }

    /// Builds a matrix from columns of equal length.
    pub fn from_columns(nrows: usize, cols: &[Vec<f64>]) -> Result<Self> {
        let mut data = Vec::with_capacity(nrows * cols.len());
        for c in cols {
            if c.len() != nrows {
                return Err(Error::ShapeMismatch { what: "column", expected: nrows, got: c.len() });
            }
            data.extend_from_slice(c);
        }
        Ok(Matrix { nrows, ncols: cols.len(), data })
    }

    /// Number of rows (units).
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// Column `j` as a contiguous slice.
    pub fn col(&self, j: usize) -> &[f64] {
        &self.data[j * self.nrows..(j + 1) * self.nrows]
    }

    /// Column `j` as a mutable slice.
    pub fn col_mut(&mut self, j: usize) -> &mut [f64] {
        &mut self.data[j * self.nrows..(j + 1) * self.nrows]
    }

    /// Value at row `i`, column `j`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[j * self.nrows + i]
    }

    /// Sets the value at row `i`, column `j`.
    pub fn set(&mut self, i: usize, j: usize, v: f64) {
        self.data[j * self.nrows + i] = v;
    }

    /// Appends a column; its length must equal `nrows`.
    pub fn push_col(&mut self, col: &[f64]) -> Result<()> {
        if col.len() != self.nrows {
            return Err(Error::ShapeMismatch { what: "column", expected: self.nrows, got: col.len() });
        }
        self.data.extend_from_slice(col);
        self.ncols += 1;
        Ok(())
    }

    /// Row `i` copied out (a row is strided in column-major storage).
    pub fn row(&self, i: usize) -> Vec<f64> {
        (0..self.ncols).map(|j| self.get(i, j)).collect()
    }

    /// Number of missing (NaN) cells.
    pub fn count_missing(&self) -> usize {
        self.data.iter().filter(|v| v.is_nan()).count()
    }

    /// The raw column-major buffer.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_contiguous() {
        let m = Matrix::from_columns(2, &[vec![1., 2.], vec![3., 4.]]).unwrap();
        assert_eq!(m.col(1), &[3., 4.]);
        assert_eq!(m.get(1, 0), 2.);
        assert_eq!(m.row(0), vec![1., 3.]);
    }

    #[test]
    fn shape_mismatch_is_an_error() {
        assert!(matches!(
            Matrix::from_col_major(2, 2, vec![1.0]),
            Err(Error::ShapeMismatch { expected: 4, got: 1, .. })
        ));
        let mut m = Matrix::missing(2, 0);
        assert!(m.push_col(&[1.0]).is_err());
        assert_eq!(m.count_missing(), 0);
    }
}
