//! Sobol low-discrepancy sequences (Sobol 1967) with Joe and Kuo's direction numbers
//! (`new-joe-kuo-6.21201`, S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
//! two-dimensional projections", SIAM J. Sci. Comput. 30, 2008), generated in Gray-code order
//! (Antonov and Saleev 1979), unscrambled. The first point is the origin, as in scipy's
//! `qmc.Sobol(scramble=False)`; `tests/oracles/salib_sobol.py` checks the points against scipy.

/// Number of dimensions this table supports.
pub const MAX_DIMS: usize = 64;

const BITS: usize = 32;

/// A Sobol sequence generator.
#[derive(Debug, Clone)]
pub struct SobolSeq {
    v: Vec<[u32; BITS]>,
    x: Vec<u32>,
    index: u64,
}

impl SobolSeq {
    /// A generator of `dims` dimensions (1..=[`MAX_DIMS`]); `None` when out of range.
    pub fn new(dims: usize) -> Option<Self> {
        if dims == 0 || dims > MAX_DIMS {
            return None;
        }
        let mut v = vec![[0u32; BITS]; dims];
        for (k, vk) in v[0].iter_mut().enumerate() {
            *vk = 1u32 << (BITS - 1 - k);
        }
        for (j, vj) in v.iter_mut().enumerate().skip(1) {
            let (s, a, m) = JOE_KUO[j - 1];
            let s = s as usize;
            for k in 0..BITS {
                vj[k] = if k < s {
                    m[k] << (BITS - 1 - k)
                } else {
                    let mut x = vj[k - s] ^ (vj[k - s] >> s);
                    for l in 1..s {
                        if (a >> (s - 1 - l)) & 1 == 1 {
                            x ^= vj[k - l];
                        }
                    }
                    x
                };
            }
        }
        Some(SobolSeq { v, x: vec![0; dims], index: 0 })
    }

    /// Writes the next point into `out` (length = dims), each coordinate in [0, 1).
    pub fn next_point(&mut self, out: &mut [f64]) {
        for (o, &x) in out.iter_mut().zip(&self.x) {
            *o = x as f64 / (1u64 << BITS) as f64;
        }
        // Gray code: the next point flips direction number c, c = the lowest zero bit of index.
        let c = (!self.index).trailing_zeros() as usize;
        if c < BITS {
            for (x, v) in self.x.iter_mut().zip(&self.v) {
                *x ^= v[c];
            }
        }
        self.index += 1;
    }
}

/// Joe–Kuo direction numbers, dimensions 2..=64: (degree s, coefficients a, initial m_1..m_s).
const JOE_KUO: &[(u32, u32, &[u32])] = &[
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
    (7, 50, &[1, 3, 1, 3, 5, 53, 69]),
    (7, 55, &[1, 1, 5, 5, 23, 33, 13]),
    (7, 56, &[1, 1, 7, 7, 1, 61, 123]),
    (7, 59, &[1, 1, 7, 9, 13, 61, 49]),
    (7, 62, &[1, 3, 3, 5, 3, 55, 33]),
    (8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]),
    (8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]),
    (8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]),
    (8, 38, &[1, 3, 1, 11, 27, 43, 71, 9]),
    (8, 47, &[1, 1, 7, 15, 21, 11, 81, 45]),
    (8, 49, &[1, 3, 7, 3, 25, 31, 65, 79]),
    (8, 50, &[1, 3, 1, 1, 19, 11, 3, 205]),
    (8, 52, &[1, 1, 5, 9, 19, 21, 29, 157]),
    (8, 56, &[1, 3, 7, 11, 1, 33, 89, 185]),
    (8, 67, &[1, 3, 3, 3, 15, 9, 79, 71]),
    (8, 70, &[1, 3, 7, 11, 15, 39, 119, 27]),
    (8, 84, &[1, 1, 3, 1, 11, 31, 97, 225]),
    (8, 97, &[1, 1, 1, 3, 23, 43, 57, 177]),
    (8, 103, &[1, 3, 7, 7, 17, 17, 37, 71]),
    (8, 115, &[1, 3, 1, 5, 27, 63, 123, 213]),
    (8, 122, &[1, 1, 3, 5, 11, 43, 53, 133]),
    (9, 8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]),
    (9, 13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]),
    (9, 16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]),
    (9, 22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]),
    (9, 25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]),
    (9, 44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]),
    (9, 47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]),
    (9, 52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]),
    (9, 55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]),
    (9, 59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]),
    (9, 62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_points_are_the_classic_ones() {
        let mut s = SobolSeq::new(3).unwrap();
        let mut p = [0.0; 3];
        let mut pts = Vec::new();
        for _ in 0..5 {
            s.next_point(&mut p);
            pts.push(p);
        }
        assert_eq!(pts[0], [0.0, 0.0, 0.0]);
        assert_eq!(pts[1], [0.5, 0.5, 0.5]);
        assert_eq!(pts[2], [0.75, 0.25, 0.25]);
        assert_eq!(pts[3], [0.25, 0.75, 0.75]);
        assert_eq!(pts[4], [0.375, 0.375, 0.625]);
        assert!(SobolSeq::new(0).is_none() && SobolSeq::new(MAX_DIMS + 1).is_none());
        assert_eq!(JOE_KUO.len(), MAX_DIMS - 1);
    }

    #[test]
    fn every_dimension_is_balanced() {
        // The first 2^k points of every dimension are a permutation of the 2^k grid points.
        let mut s = SobolSeq::new(MAX_DIMS).unwrap();
        let mut p = vec![0.0; MAX_DIMS];
        let mut seen = vec![vec![false; 256]; MAX_DIMS];
        for _ in 0..256 {
            s.next_point(&mut p);
            for (j, &x) in p.iter().enumerate() {
                seen[j][(x * 256.0) as usize] = true;
            }
        }
        assert!(seen.iter().all(|d| d.iter().all(|&b| b)));
    }
}
