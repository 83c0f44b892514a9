//! Sample designs: a plain N × d sample for uncertainty analysis, and Saltelli's design
//! `[A; B; AB_1; …; AB_d]` (N(d + 2) rows) for Sobol indices, as COINr's `SA_sample` builds it:
//! `AB_i` is `A` with its column `i` taken from `B`.

use super::rng::{STREAM_DESIGN, uniform};
use super::sobol_seq::{MAX_DIMS, SobolSeq};

/// How the unit hypercube is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sampling {
    /// Independent uniforms, each a pure function of (seed, row, column).
    Mc,
    /// Sobol low-discrepancy points (unscrambled; the origin is skipped). The seed is not used.
    Sobol,
}

impl Sampling {
    /// `mc` or `sobol`.
    pub fn parse(s: &str) -> Option<Sampling> {
        match s {
            "mc" => Some(Sampling::Mc),
            "sobol" => Some(Sampling::Sobol),
            _ => None,
        }
    }
    /// The name.
    pub fn code(self) -> &'static str {
        match self {
            Sampling::Mc => "mc",
            Sampling::Sobol => "sobol",
        }
    }
}

/// Which block of a Saltelli design a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// An uncertainty-analysis row (no Saltelli structure).
    Ua,
    /// Matrix A.
    A,
    /// Matrix B.
    B,
    /// `AB_i` (input position).
    Ab(usize),
}

impl Block {
    /// `UA`, `A`, `B` or `AB_<name>` as COINr's run tables write it.
    pub fn label(self, names: &[String]) -> String {
        match self {
            Block::Ua => "UA".into(),
            Block::A => "A".into(),
            Block::B => "B".into(),
            Block::Ab(i) => format!("AB_{}", names.get(i).map_or("", String::as_str)),
        }
    }
}

/// A sample of the unit hypercube: `rows × d`, row-major, every value in [0, 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// N: rows of A (Saltelli) or all rows (uncertainty analysis).
    pub n: usize,
    /// Number of inputs.
    pub d: usize,
    /// True for a Saltelli design (N(d + 2) rows).
    pub saltelli: bool,
    /// The values, row-major.
    pub x: Vec<f64>,
}

/// Why a design cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DesignError {
    /// Too many dimensions for the Sobol table.
    #[error("Sobol sampling supports up to {MAX_DIMS} dimensions, {0} requested")]
    TooManyDims(usize),
    /// N must be at least 2 (3 for COINr).
    #[error("N must be at least 2, got {0}")]
    TooSmall(usize),
}

/// `n × dims` base points, row-major.
fn base(n: usize, dims: usize, sampling: Sampling, seed: u64) -> Result<Vec<f64>, DesignError> {
    let mut x = vec![0.0; n * dims];
    match sampling {
        Sampling::Mc => {
            for (r, row) in x.chunks_mut(dims).enumerate() {
                for (j, v) in row.iter_mut().enumerate() {
                    *v = uniform(seed, STREAM_DESIGN, r as u64, j as u64);
                }
            }
        }
        Sampling::Sobol => {
            let mut s = SobolSeq::new(dims).ok_or(DesignError::TooManyDims(dims))?;
            let mut skip = vec![0.0; dims];
            s.next_point(&mut skip);
            for row in x.chunks_mut(dims) {
                s.next_point(row);
            }
        }
    }
    Ok(x)
}

impl Design {
    /// An uncertainty-analysis sample: `n` rows of `d` uniforms.
    pub fn uncertainty(n: usize, d: usize, sampling: Sampling, seed: u64) -> Result<Design, DesignError> {
        if n < 2 {
            return Err(DesignError::TooSmall(n));
        }
        Ok(Design { n, d, saltelli: false, x: base(n, d, sampling, seed)? })
    }

    /// Saltelli's design from `n` points of a `2d`-dimensional sample (A = first d columns,
    /// B = last d), as COINr's `SA_sample`.
    pub fn saltelli(n: usize, d: usize, sampling: Sampling, seed: u64) -> Result<Design, DesignError> {
        if n < 2 {
            return Err(DesignError::TooSmall(n));
        }
        let ab = base(n, 2 * d, sampling, seed)?;
        let a: Vec<f64> = ab.chunks(2 * d).flat_map(|r| r[..d].to_vec()).collect();
        let b: Vec<f64> = ab.chunks(2 * d).flat_map(|r| r[d..].to_vec()).collect();
        Ok(Design::from_ab(&a, &b, n, d))
    }

    /// Saltelli's design `[A; B; AB_1; …; AB_d]` from given A and B (`n × d`, row-major).
    pub fn from_ab(a: &[f64], b: &[f64], n: usize, d: usize) -> Design {
        let mut x = Vec::with_capacity(n * d * (d + 2));
        x.extend_from_slice(&a[..n * d]);
        x.extend_from_slice(&b[..n * d]);
        for i in 0..d {
            for r in 0..n {
                let row = &a[r * d..(r + 1) * d];
                for (j, &v) in row.iter().enumerate() {
                    x.push(if j == i { b[r * d + j] } else { v });
                }
            }
        }
        Design { n, d, saltelli: true, x }
    }

    /// Number of rows (runs).
    pub fn rows(&self) -> usize {
        self.x.len().checked_div(self.d).unwrap_or(0)
    }

    /// One row.
    pub fn row(&self, r: usize) -> &[f64] {
        &self.x[r * self.d..(r + 1) * self.d]
    }

    /// Column `j`, copied out.
    pub fn column(&self, j: usize) -> Vec<f64> {
        (0..self.rows()).map(|r| self.x[r * self.d + j]).collect()
    }

    /// The block of row `r`.
    pub fn block(&self, r: usize) -> Block {
        block_of(self.saltelli, self.n, r)
    }
}

/// The block of run `r` of a design with `n` base rows.
pub fn block_of(saltelli: bool, n: usize, r: usize) -> Block {
    if !saltelli {
        Block::Ua
    } else if r < n {
        Block::A
    } else if r < 2 * n {
        Block::B
    } else {
        Block::Ab((r - 2 * n) / n)
    }
}

/// How a uniform number picks one of `k` discrete alternatives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Binning {
    /// `floor(u · k)`: equal bins over [0, 1).
    Uniform,
    /// COINr's `cut(u, k)`: equal-width bins over the sample column's own range, extended by
    /// 0.1% of the range at both ends, closed on the right.
    Coinr,
}

/// The alternative (0-based) picked by every value of a design column.
pub fn discrete(column: &[f64], k: usize, binning: Binning) -> Vec<usize> {
    if k == 0 {
        return vec![0; column.len()];
    }
    match binning {
        Binning::Uniform => column.iter().map(|&u| ((u * k as f64) as usize).min(k - 1)).collect(),
        Binning::Coinr => {
            let lo = column.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let dx = hi - lo;
            if dx.is_nan() || dx <= 0.0 {
                // R: a constant column gets breaks at ±0.1% of |x| (or ±0.001); one bin holds it.
                return vec![(k - 1) / 2; column.len()];
            }
            let by = dx / k as f64;
            let mut breaks: Vec<f64> = (0..=k).map(|i| lo + i as f64 * by).collect();
            breaks[0] = lo - dx / 1000.0;
            breaks[k] = hi + dx / 1000.0;
            column.iter().map(|&u| (1..=k).find(|&b| u <= breaks[b]).map_or(k - 1, |b| b - 1)).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saltelli_layout_is_coinrs() {
        let a = [0.1, 0.2, 0.3, 0.4];
        let b = [0.5, 0.6, 0.7, 0.8];
        let d = Design::from_ab(&a, &b, 2, 2);
        assert_eq!(d.rows(), 8);
        assert_eq!(d.row(0), &[0.1, 0.2]);
        assert_eq!(d.row(3), &[0.7, 0.8]);
        assert_eq!(d.row(4), &[0.5, 0.2], "AB_1 row 1: column 1 from B");
        assert_eq!(d.row(5), &[0.7, 0.4]);
        assert_eq!(d.row(6), &[0.1, 0.6], "AB_2 row 1: column 2 from B");
        assert_eq!(d.block(5), Block::Ab(0));
        assert_eq!(d.block(7), Block::Ab(1));
        assert_eq!(d.block(2), Block::B);
    }

    #[test]
    fn designs_are_reproducible() {
        let a = Design::saltelli(16, 3, Sampling::Mc, 5).unwrap();
        assert_eq!(a, Design::saltelli(16, 3, Sampling::Mc, 5).unwrap());
        assert_ne!(a, Design::saltelli(16, 3, Sampling::Mc, 6).unwrap());
        let s = Design::uncertainty(4, 2, Sampling::Sobol, 0).unwrap();
        assert_eq!(s.row(0), &[0.5, 0.5], "the origin is skipped");
        assert!(Design::saltelli(4, 40, Sampling::Sobol, 0).is_err());
    }

    #[test]
    fn binning() {
        assert_eq!(discrete(&[0.0, 0.49, 0.5, 0.999], 2, Binning::Uniform), vec![0, 0, 1, 1]);
        // Range [0.2, 0.8]: breaks 0.1994, 0.5, 0.8006; 0.5 falls in the first (right-closed).
        assert_eq!(discrete(&[0.2, 0.5, 0.50001, 0.8], 2, Binning::Coinr), vec![0, 0, 1, 1]);
    }
}
