//! 1-D k-means by Lloyd's algorithm: classes `C_1 < … < C_k` of the sorted scores, each score in
//! the class whose mean is nearest,
//!
//! ```text
//!   repeat:  μ_c = mean(C_c);   C_c = { x : (μ_{c−1} + μ_c)/2 ≤ x < (μ_c + μ_{c+1})/2 }
//! ```
//!
//! until the classes no longer change (at most [`MAX_ITER`] rounds). In one dimension the classes
//! are always intervals, so they are kept as the index of the first score of every class but the
//! first. A score exactly half-way between two means goes to the upper class.
//!
//! Start (deterministic): the equal-count classes, with the start of class `c` at the valid split
//! nearest to `⌊(c − 1)·n / k⌋` — a valid split never separates equal scores (ties go to the lower
//! split). If a round would leave a class empty, that class's mean moves to the score farthest
//! from its own class mean (the first such score on ties) and the scores are assigned again, so
//! every class keeps at least one score.
//!
//! Lloyd's algorithm reaches a local optimum of the within-class sum of squares; the global
//! optimum of the same criterion is Fisher's exact partition (`jenks`), which is therefore never
//! worse. Both are offered because "k-means" classes are what many mapping tools produce; on
//! well-separated scores the two agree.
//!
//! References: S. P. Lloyd (1982), "Least squares quantization in PCM", *IEEE Trans. Information
//! Theory* 28(2), 129–137; G. F. Jenks & F. C. Caspall (1971), "Error on choroplethic maps:
//! definition, measurement, reduction", *Annals of the AAG* 61(2), 217–244 (the same iteration
//! started from quantile classes).

/// Most rounds of Lloyd's iteration; in one dimension it converges in far fewer.
pub const MAX_ITER: usize = 100;

/// Index of the first score of every class but the first, ascending (`k − 1` indices), of `sorted`
/// (ascending, finite, with at least `k ≥ 1` distinct values).
pub fn class_starts(sorted: &[f64], k: usize) -> Vec<usize> {
    let n = sorted.len();
    // Valid splits: positions i with sorted[i − 1] < sorted[i].
    let valid: Vec<usize> = (1..n).filter(|&i| sorted[i - 1] < sorted[i]).collect();
    assert!(k >= 1 && valid.len() + 1 >= k, "kmeans: need at least k = {k} distinct values");
    let mut starts = Vec::with_capacity(k - 1);
    let mut next_free = 0; // first usable index into `valid`
    for c in 1..k {
        let target = c * n / k;
        // Leave room for the classes after this one.
        let last_usable = valid.len() - (k - 1 - c) - 1;
        let (mut best, mut dist) = (next_free, usize::MAX);
        for (vi, &v) in valid.iter().enumerate().take(last_usable + 1).skip(next_free) {
            let d = v.abs_diff(target);
            if d < dist {
                (best, dist) = (vi, d);
            }
        }
        starts.push(valid[best]);
        next_free = best + 1;
    }
    let mut means = class_means(sorted, &starts);
    let mut relocated = false;
    for _ in 0..MAX_ITER {
        // Each score to its nearest mean: the class boundaries are the midpoints.
        let next: Vec<usize> = means.windows(2).map(|m| sorted.partition_point(|&x| x < (m[0] + m[1]) / 2.0)).collect();
        let bounds: Vec<usize> = std::iter::once(0).chain(next.iter().copied()).chain([n]).collect();
        if let Some(empty) = bounds.windows(2).position(|w| w[0] == w[1]) {
            // Relocate the empty class's mean to the score farthest from its own class mean.
            let class_of = |i: usize| next.partition_point(|&s| s <= i);
            let far = (0..n)
                .max_by(|&a, &b| {
                    let (da, db) = ((sorted[a] - means[class_of(a)]).abs(), (sorted[b] - means[class_of(b)]).abs());
                    da.total_cmp(&db).then(b.cmp(&a))
                })
                .expect("at least one score");
            means[empty] = sorted[far];
            means.sort_by(f64::total_cmp);
            relocated = true;
            continue;
        }
        let converged = next == starts && !relocated;
        starts = next;
        means = class_means(sorted, &starts);
        relocated = false;
        if converged {
            break;
        }
    }
    starts
}

/// The mean of every class.
pub fn class_means(sorted: &[f64], starts: &[usize]) -> Vec<f64> {
    let bounds: Vec<usize> = std::iter::once(0).chain(starts.iter().copied()).chain([sorted.len()]).collect();
    bounds
        .windows(2)
        .map(|w| {
            let c = &sorted[w[0]..w[1]];
            c.iter().sum::<f64>() / c.len() as f64
        })
        .collect()
}

/// Lower break of every band, best first: the smallest score of each class.
pub(super) fn lower_breaks(sorted: &[f64], k: usize) -> Vec<f64> {
    super::lower_breaks_from_starts(sorted, &class_starts(sorted, k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tier::jenks;

    fn sorted(v: &[f64]) -> Vec<f64> {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn doc_example_converges_in_one_round() {
        // Start {1.2 1.3 2.3 3.9} {4.1 4.3 4.3 5.0} {7.1 7.3 7.3 7.8}: means 2.175, 4.425, 7.375;
        // 3.9 ≥ (2.175 + 4.425)/2 = 3.3 moves up, then nothing moves.
        let x = sorted(&crate::tier::tests::DOC_EXAMPLE);
        assert_eq!(class_starts(&x, 3), [3, 8]);
        assert_eq!(lower_breaks(&x, 3), [7.1, 3.9, 1.2]);
        for (m, want) in class_means(&x, &[3, 8]).iter().zip([1.6, 4.32, 7.375]) {
            assert!((m - want).abs() < 1e-12);
        }
    }

    #[test]
    fn start_never_splits_equal_scores() {
        // The target split 2 falls inside the run of 3s; the valid splits 1 and 3 are equally
        // near, and the lower one is taken: {1} {3 3 4}, which Lloyd's rounds keep.
        let x = [1.0, 3.0, 3.0, 4.0];
        assert_eq!(class_starts(&x, 2), [1]);
        let x = [1.0, 1.0, 1.0, 1.0, 2.0, 3.0];
        assert_eq!(lower_breaks(&x, 3), [3.0, 2.0, 1.0]);
    }

    /// Lloyd's algorithm ends at a fixed point (every score nearest to its own class mean) whose
    /// within-class sum of squares is never below Fisher's optimum.
    #[test]
    fn local_optimum_never_beats_the_exact_one() {
        let mut state = 987654321u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) % 500) as f64 / 5.0
        };
        let mut differ = 0;
        for n in 4..40 {
            let x = sorted(&(0..n).map(|_| next()).collect::<Vec<_>>());
            for k in 2..=5.min(n - 1) {
                let s = class_starts(&x, k);
                let m = class_means(&x, &s);
                let (lloyd, exact) = (jenks::sdcm(&x, &s), jenks::sdcm(&x, &jenks::class_starts(&x, k)));
                assert!(lloyd >= exact - 1e-9 * (1.0 + exact), "n {n} k {k}");
                if lloyd > exact + 1e-9 * (1.0 + exact) {
                    differ += 1;
                }
                let bounds: Vec<usize> = std::iter::once(0).chain(s.iter().copied()).chain([n]).collect();
                for (c, w) in bounds.windows(2).enumerate() {
                    assert!(w[0] < w[1], "empty class");
                    for &v in &x[w[0]..w[1]] {
                        let d = (v - m[c]).abs();
                        assert!(m.iter().all(|&o| (v - o).abs() >= d - 1e-12), "n {n} k {k}: {v} not nearest");
                    }
                }
            }
        }
        // The local optimum is sometimes worse: the methods differ.
        assert!(differ > 0);
    }
}
