//! Natural breaks (Fisher–Jenks): the partition of the sorted scores `x_1 ≤ … ≤ x_n` into `k`
//! contiguous classes `C_1, …, C_k` that minimises the within-class sum of squared deviations
//!
//! ```text
//!   SDCM = Σ_c Σ_{i ∈ C_c} (x_i − x̄_c)²,    with  Σ_{i ∈ C} (x_i − x̄)² = Σ x_i² − (Σ x_i)² / |C|.
//! ```
//!
//! Fisher's exact dynamic programme: `V(l, j)`, the least SDCM of the first `l` values in `j`
//! classes, is `V(l, 1) = SS(1..l)` and `V(l, j) = min_{j ≤ s ≤ l} SS(s..l) + V(s − 1, j − 1)`,
//! where `s` is the first value of the last class; `SS(s..l)` is accumulated as `s` runs down from
//! `l`, so the whole table costs `O(k·n²)` time and `O(k·n)` memory. The classes are read back from
//! the stored argmins, from the last class down.
//!
//! References: W. D. Fisher (1958), "On grouping for maximum homogeneity", *JASA* 53(284),
//! 789–798; G. F. Jenks (1967), "The data model concept in statistical mapping", *International
//! Yearbook of Cartography* 7, 186–190.
//!
//! Agreement with `jenkspy` 0.4.1 (the reference of `crates/data/tests/jenks_reference.rs`): the
//! table is filled in the same order with the same floating-point operations, and a candidate
//! replaces the current best when its cost is `≤` the best so far (`s` runs from `l` down to 2),
//! so among partitions of equal cost the last class takes as many values as possible (then the
//! one before it, …): `[1, 2, 3]` in 2 classes is `{1} {2, 3}`. [`jenks_breaks`] returns
//! jenkspy's convention, `k + 1` values `[min, b_1, …, b_{k−1}, max]` where `b_c` is the largest
//! value of class `c`, and a value `x` belongs to class `c` when `b_{c−1} < x ≤ b_c`. The tier
//! lower break of class `c > 1` is the smallest score above `b_{c−1}` (a score), so `score ≥
//! lower` gives the same classes.

/// Index of the first value of every class but the first, ascending (`k − 1` indices), of the
/// optimal partition of `sorted` (ascending, finite, `1 ≤ k ≤ sorted.len()`).
pub fn class_starts(sorted: &[f64], k: usize) -> Vec<usize> {
    let n = sorted.len();
    assert!(k >= 1 && k <= n, "jenks: need 1 ≤ k ≤ n, got k = {k}, n = {n}");
    // Row l (0-based last value), column j (j + 1 classes). `first[l][j]` is the 1-based index of
    // the first value of the last class, as in Fisher's FORTRAN and jenkspy.
    let mut first = vec![1usize; n * k];
    let mut cost = vec![f64::MAX; n * k];
    for l in 0..n {
        let (mut sum, mut sum_sq, mut w, mut ss) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
        for s in (0..=l).rev() {
            let v = sorted[s];
            w += 1.0;
            sum += v;
            sum_sq += v * v;
            ss = sum_sq - (sum * sum) / w;
            if s >= 1 {
                let prev = s - 1;
                for j in 1..k {
                    let candidate = ss + cost[prev * k + j - 1];
                    if cost[l * k + j] >= candidate {
                        first[l * k + j] = s + 1;
                        cost[l * k + j] = candidate;
                    }
                }
            }
        }
        first[l * k] = 1;
        cost[l * k] = ss;
    }
    let mut starts = vec![0; k - 1];
    let mut m = n;
    for j in (1..k).rev() {
        let s = first[(m - 1) * k + j];
        debug_assert!(s >= 2, "every class is non-empty when k ≤ n");
        starts[j - 1] = s - 1;
        m = s - 1;
    }
    starts
}

/// jenkspy's breaks: `[min, b_1, …, b_{k−1}, max]`, `b_c` the largest value of class `c`.
pub fn jenks_breaks(sorted: &[f64], k: usize) -> Vec<f64> {
    let starts = class_starts(sorted, k);
    let mut b = Vec::with_capacity(k + 1);
    b.push(sorted[0]);
    b.extend(starts.iter().map(|&s| sorted[s - 1]));
    b.push(sorted[sorted.len() - 1]);
    b
}

/// Lower break of every band, best first: the smallest score of each class (classes by
/// jenkspy's rule `b_{c−1} < x ≤ b_c`, so equal scores always share a class).
pub(super) fn lower_breaks(sorted: &[f64], k: usize) -> Vec<f64> {
    let b = jenks_breaks(sorted, k);
    let mut lower: Vec<f64> = std::iter::once(sorted[0])
        .chain(b[1..k].iter().map(|&bc| {
            let i = sorted.partition_point(|&x| x <= bc);
            // Unreachable with at least k distinct scores (an optimal partition never splits
            // equal values); kept total.
            sorted.get(i).copied().unwrap_or(bc)
        }))
        .collect();
    lower.reverse();
    lower
}

/// Within-class sum of squared deviations of a partition given by its class starts.
pub fn sdcm(sorted: &[f64], starts: &[usize]) -> f64 {
    let mut bounds = vec![0];
    bounds.extend_from_slice(starts);
    bounds.push(sorted.len());
    bounds
        .windows(2)
        .map(|w| {
            let c = &sorted[w[0]..w[1]];
            let mean = c.iter().sum::<f64>() / c.len() as f64;
            c.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(v: &[f64]) -> Vec<f64> {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    }

    /// jenkspy's docstring example: `jenks_breaks([...], n_classes=3) == [1.2, 2.3, 5.0, 7.8]`.
    #[test]
    fn jenkspy_docstring_example() {
        let x = sorted(&crate::tier::tests::DOC_EXAMPLE);
        assert_eq!(jenks_breaks(&x, 3), [1.2, 2.3, 5.0, 7.8]);
        assert_eq!(lower_breaks(&x, 3), [7.1, 3.9, 1.2]);
        // SDCM = 0.74 + 0.688 + 0.2675 (docs/methods/tiers.md).
        assert!((sdcm(&x, &class_starts(&x, 3)) - 1.6955).abs() < 1e-12);
    }

    /// Partitions of equal cost resolve as jenkspy 0.4.1 does (values printed by
    /// `jenkspy.jenks_breaks`, Python 3.11): the last class takes as many values as it can.
    #[test]
    fn equal_cost_partitions_follow_jenkspy() {
        let cases: [(&[f64], usize, &[f64]); 7] = [
            (&[1., 2., 3.], 2, &[1., 1., 3.]),
            (&[1., 2., 3., 4., 5.], 2, &[1., 2., 5.]),
            (&[1., 2., 3., 4., 5.], 3, &[1., 1., 3., 5.]),
            (&[10., 20., 30., 40.], 3, &[10., 10., 20., 40.]),
            (&[0., 0., 1., 1., 2., 2.], 3, &[0., 0., 1., 2.]),
            (&[1., 1., 1., 2., 3.], 2, &[1., 1., 3.]),
            (&[5., 5., 7., 7., 9., 9., 9.], 2, &[5., 7., 9.]),
        ];
        for (x, k, want) in cases {
            assert_eq!(jenks_breaks(x, k), want, "{x:?} in {k} classes");
        }
    }

    #[test]
    fn one_class_per_value() {
        let x = [1.0, 2.0, 4.0];
        assert_eq!(jenks_breaks(&x, 3), [1.0, 1.0, 2.0, 4.0]);
        assert_eq!(lower_breaks(&x, 3), [4.0, 2.0, 1.0]);
        assert_eq!(class_starts(&x, 1), Vec::<usize>::new());
    }

    /// The dynamic programme finds the least SDCM of every contiguous partition (brute force).
    #[test]
    fn optimal_against_brute_force() {
        // A small deterministic pseudo-random generator (LCG) for repeatable data.
        let mut state = 12345u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) % 1000) as f64 / 10.0
        };
        for n in 3..=11 {
            let x = sorted(&(0..n).map(|_| next()).collect::<Vec<_>>());
            for k in 2..=4.min(n) {
                let got = sdcm(&x, &class_starts(&x, k));
                let best = partitions(n, k).iter().map(|s| sdcm(&x, s)).fold(f64::INFINITY, f64::min);
                assert!((got - best).abs() <= 1e-9 * (1.0 + best), "n {n} k {k}: {got} vs {best}");
            }
        }
    }

    /// Every choice of k − 1 ascending class starts in 1..n.
    fn partitions(n: usize, k: usize) -> Vec<Vec<usize>> {
        if k == 1 {
            return vec![vec![]];
        }
        let mut out = Vec::new();
        for p in partitions(n, k - 1) {
            let from = p.last().map_or(1, |&s| s + 1);
            for s in from..n {
                let mut q = p.clone();
                q.push(s);
                out.push(q);
            }
        }
        out
    }
}
