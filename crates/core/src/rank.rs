//! Ranks: 1 = best, ties share the lowest rank, missing stays missing.
//!
//! Reference: COINr `get_results`, i.e. R `rank(-x, ties.method = "min", na.last = "keep")`.

/// Ranks of `x` in descending order (1 = highest value), ties = min, NaN → `None`.
pub fn rank_desc(x: &[f64]) -> Vec<Option<u32>> {
    let mut sorted: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    x.iter().map(|&v| if v.is_nan() { None } else { Some(1 + sorted.partition_point(|&s| s > v) as u32) }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_min_and_missing() {
        assert_eq!(rank_desc(&[10.0, 30.0, 10.0, f64::NAN, 20.0]), vec![Some(3), Some(1), Some(3), None, Some(2)]);
        assert_eq!(rank_desc(&[]), Vec::<Option<u32>>::new());
    }
}
