//! Counter-based random numbers: every draw is a pure function of (seed, stream, indices), so a
//! run's randomness does not depend on which thread computes it or in what order.
//!
//! The mixing function is SplitMix64's finaliser (Steele, Lea and Flood 2014), a bijection of
//! `u64` with good avalanche; chained over the key it gives independent-looking uniforms.

/// Stream of the sample design (A and B columns).
pub(crate) const STREAM_DESIGN: u64 = 1;
/// Stream of the noisy weight sets.
pub(crate) const STREAM_NOISE: u64 = 2;
/// Stream of the bootstrap resamples.
pub(crate) const STREAM_BOOT: u64 = 3;

/// SplitMix64's output function.
pub(crate) fn mix(z: u64) -> u64 {
    let mut z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A key made of a seed, a stream and two indices, hashed to 64 bits.
pub(crate) fn key(seed: u64, stream: u64, i: u64, j: u64) -> u64 {
    mix(mix(mix(mix(seed) ^ stream) ^ i) ^ j)
}

/// A uniform number in [0, 1) with 53 random bits.
pub(crate) fn to_unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The uniform number of (seed, stream, i, j).
pub fn uniform(seed: u64, stream: u64, i: u64, j: u64) -> f64 {
    to_unit(key(seed, stream, i, j))
}

/// A sequential SplitMix64 generator, for the bootstrap (each resample has its own key).
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(state: u64) -> Self {
        SplitMix64(state)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0.wrapping_sub(0x9E37_79B9_7F4A_7C15))
    }

    /// A uniform integer in `0..n` (n > 0), by Lemire's multiply-and-reject (no modulo bias).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = (self.next_u64() as u128) * (n as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniforms_are_in_range_and_look_uniform() {
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|i| uniform(7, STREAM_DESIGN, i, 3)).collect();
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
        let mean = xs.iter().sum::<f64>() / n as f64;
        // Standard error of the mean of U(0,1) is sqrt(1/12/n) ≈ 0.0009; allow 5 of them.
        assert!((mean - 0.5).abs() < 0.0046, "{mean}");
        let mut bins = [0usize; 10];
        for &x in &xs {
            bins[(x * 10.0) as usize] += 1;
        }
        // Each bin expects 10,000 with sd ≈ 95; 500 is > 5 sd.
        assert!(bins.iter().all(|&b| b.abs_diff(10_000) < 500), "{bins:?}");
        assert_ne!(uniform(7, 1, 0, 0), uniform(8, 1, 0, 0));
    }

    #[test]
    fn below_is_in_range_and_unbiased() {
        let mut r = SplitMix64::new(42);
        let mut counts = [0usize; 3];
        for _ in 0..30_000 {
            counts[r.below(3) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c.abs_diff(10_000) < 400), "{counts:?}");
    }
}
