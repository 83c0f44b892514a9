//! Winsorisation loop: while the column fails the check and fewer than `winmax` points are
//! capped, take the side given by the sign of the current skewness (≥ 0: high) and set **all**
//! points equal to the current extreme to the most extreme of the remaining values.
//!
//! Reference: COINr `winsorise` (`treat.R`). Its bookkeeping is mirrored exactly: `imax` / `imin`
//! hold the positions of the latest high / low step only, and `nwin = |imax| + |imin|`. Because
//! capped points tie with the new extreme, `imax` grows by itself and holds every point capped at
//! the high end so far; ties are capped together, so `nwin` can exceed `winmax`.

use super::{Rule, check};

/// The winsorised column and the points capped.
#[derive(Debug, Clone, PartialEq)]
pub struct Winsorised {
    /// The column after capping.
    pub x: Vec<f64>,
    /// Rows of COINr's `imax` (capped at the high end).
    pub high: Vec<usize>,
    /// Rows of COINr's `imin` (capped at the low end).
    pub low: Vec<usize>,
    /// `high.len() + low.len()`.
    pub nwin: usize,
}

/// Winsorises `x` under `rule`. `None` when the check cannot be computed or decided on the way
/// (COINr stops with an error there): the caller leaves the column as it is.
pub fn winsorise(x: &[f64], rule: &Rule) -> Option<Winsorised> {
    let mut x = x.to_vec();
    let mut c = check(&x, rule)?;
    let mut passing = c.pass?;
    let (mut high, mut low): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    let mut nwin = 0;
    while !passing && nwin < rule.winmax {
        let skew = c.skew;
        if skew.is_nan() {
            return None;
        }
        let hi_side = skew >= 0.0;
        let present = x.iter().copied().filter(|v| !v.is_nan());
        let extreme = if hi_side { present.fold(f64::MIN, f64::max) } else { present.fold(f64::MAX, f64::min) };
        let at: Vec<usize> = (0..x.len()).filter(|&i| x[i] == extreme).collect();
        let rest = x.iter().copied().filter(|&v| !v.is_nan() && v != extreme);
        let next = if hi_side { rest.reduce(f64::max) } else { rest.reduce(f64::min) }?;
        for &i in &at {
            x[i] = next;
        }
        if hi_side {
            high = at;
        } else {
            low = at;
        }
        nwin = high.len() + low.len();
        c = check(&x, rule)?;
        passing = c.pass?;
    }
    Some(Winsorised { x, high, low, nwin })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NA: f64 = f64::NAN;

    #[test]
    fn caps_the_high_end_and_counts_ties() {
        // 1..30, 100, 100, 300: 300 → 100 (1 point, still failing), then the three 100s → 30
        // together, so nwin = 3 > winmax = 2 (ties are capped together, as in COINr).
        let x: Vec<f64> = (1..=30).map(f64::from).chain([100.0, 100.0, 300.0]).collect();
        let w = winsorise(&x, &Rule { winmax: 2, ..Rule::default() }).unwrap();
        assert_eq!(w.high, vec![30, 31, 32]);
        assert!(w.low.is_empty());
        assert_eq!(w.nwin, 3);
        assert_eq!(&w.x[29..], &[30.0, 30.0, 30.0, 30.0]);
    }

    #[test]
    fn stops_at_winmax_and_skips_missing() {
        let x: Vec<f64> = (1..=20).map(f64::from).chain([NA, 100.0, 150.0, 200.0]).collect();
        let w = winsorise(&x, &Rule { winmax: 1, ..Rule::default() }).unwrap();
        assert_eq!(w.high, vec![23]);
        assert_eq!(w.x[23], 150.0);
        assert!(w.x[20].is_nan());
    }

    #[test]
    fn negative_skew_caps_the_low_end() {
        let x: Vec<f64> = (1..=20).map(|v| -f64::from(v)).chain([-100.0, -150.0, -200.0]).collect();
        let w = winsorise(&x, &Rule::default()).unwrap();
        assert_eq!(w.low, vec![21, 22]);
        assert!(w.high.is_empty());
        assert_eq!(w.x[22], -100.0);
    }

    #[test]
    fn passing_column_is_returned_as_is() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let w = winsorise(&x, &Rule::default()).unwrap();
        assert_eq!((w.x.as_slice(), w.nwin), (&x[..], 0));
    }
}
