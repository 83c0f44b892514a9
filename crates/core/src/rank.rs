//! Ranks: 1 = best, ties share the lowest rank, missing stays missing.
//!
//! Reference: COINr `get_results`, i.e. R `rank(-x, ties.method = "min", na.last = "keep")`.

/// Ranks of `x` in descending order (1 = highest value), ties = min, NaN → `None`.
pub fn rank_desc(x: &[f64]) -> Vec<Option<u32>> {
    // Sort (key, position) pairs; the key orders finite floats like the floats themselves
    // (integer comparisons are much cheaper than float comparisons through a closure).
    let mut keyed: Vec<(i64, u32)> = Vec::with_capacity(x.len());
    keyed.extend(x.iter().enumerate().filter(|(_, v)| !v.is_nan()).map(|(i, &v)| (order_key(v), i as u32)));
    keyed.sort_unstable_by_key(|k| std::cmp::Reverse(k.0));
    let mut out = vec![None; x.len()];
    let (mut rank, mut prev) = (0u32, f64::NAN);
    for (k, &(_, i)) in keyed.iter().enumerate() {
        let v = x[i as usize];
        // Equal values (including 0.0 and -0.0) share the rank of the first of them.
        if k == 0 || v != prev {
            rank = k as u32 + 1;
            prev = v;
        }
        out[i as usize] = Some(rank);
    }
    out
}

/// An integer key with the same order as the float (−0.0 and 0.0 map to the same key).
fn order_key(v: f64) -> i64 {
    let v = if v == 0.0 { 0.0 } else { v };
    let b = v.to_bits() as i64;
    b ^ (((b >> 63) as u64) >> 1) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_min_and_missing() {
        assert_eq!(rank_desc(&[10.0, 30.0, 10.0, f64::NAN, 20.0]), vec![Some(3), Some(1), Some(3), None, Some(2)]);
        assert_eq!(rank_desc(&[]), Vec::<Option<u32>>::new());
        assert_eq!(rank_desc(&[0.0, -0.0, 1.0]), vec![Some(2), Some(2), Some(1)]);
        assert_eq!(rank_desc(&[5.0, 5.0, 5.0]), vec![Some(1); 3]);
        assert_eq!(rank_desc(&[-1.0, -3.0, f64::INFINITY, -2.5]), vec![Some(2), Some(4), Some(1), Some(3)]);
    }

    #[test]
    fn order_key_is_monotone() {
        let v = [f64::NEG_INFINITY, -1e300, -2.0, -1e-300, 0.0, 1e-300, 3.0, 1e300, f64::INFINITY];
        for w in v.windows(2) {
            assert!(order_key(w[0]) < order_key(w[1]), "{w:?}");
        }
        assert_eq!(order_key(-0.0), order_key(0.0));
    }
}
