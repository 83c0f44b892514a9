//! Small dense linear algebra the core needs and nothing more: the eigen-decomposition of a real
//! symmetric matrix by the cyclic Jacobi method.
//!
//! Method (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.5.2 "The classical Jacobi
//! algorithm" and §8.5.3 "The cyclic Jacobi algorithm"): sweep over every off-diagonal pair
//! `(p, q)`, and zero `a_pq` with the plane rotation `J(p, q, θ)` whose tangent is
//!
//! ```text
//!   τ = (a_qq − a_pp) / (2 a_pq),   t = sign(τ) / (|τ| + √(1 + τ²)),   c = 1/√(1 + t²),   s = t·c
//!   A ← Jᵀ A J,   V ← V J
//! ```
//!
//! (the smaller of the two roots of `t² + 2τt − 1 = 0`, which keeps the rotation angle ≤ π/4 and
//! the method stable). Sweeps repeat until the off-diagonal mass is negligible; convergence is
//! quadratic, so a handful of sweeps suffice for the matrices of an index (≤ a few dozen columns).
//! Jacobi is slower than QR for large matrices but is short, obviously correct and computes small
//! eigenvalues to high relative accuracy; the audit's correlation matrices are small.
//!
//! Not a general linear-algebra library: no LU, no SVD, no sparse storage.

/// Eigenvalues and eigenvectors of a symmetric matrix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SymmetricEigen {
    /// Order of the matrix.
    pub n: usize,
    /// Eigenvalues in decreasing order.
    pub values: Vec<f64>,
    /// Eigenvectors, column-major `n × n`: column `k` (`vectors[k*n..(k+1)*n]`) is the unit
    /// eigenvector of `values[k]`. Their signs are arbitrary.
    pub vectors: Vec<f64>,
}

impl SymmetricEigen {
    /// The unit eigenvector of the `k`-th largest eigenvalue.
    pub fn vector(&self, k: usize) -> &[f64] {
        &self.vectors[k * self.n..(k + 1) * self.n]
    }
}

/// Most sweeps the solver runs; quadratic convergence needs far fewer (about 6–10 at n = 50).
const MAX_SWEEPS: usize = 100;

/// An off-diagonal entry this small relative to the diagonal (or to the whole matrix) is zero:
/// a hundredth of the unit roundoff.
const NEGLIGIBLE: f64 = f64::EPSILON * 1e-2;

/// Eigen-decomposition of the symmetric `n × n` matrix `a` (row- or column-major: it is
/// symmetric, so both read the same). Only the upper triangle's values matter if `a` is not
/// exactly symmetric; the lower triangle is mirrored from it. Non-finite entries give NaN
/// eigenvalues.
pub(crate) fn symmetric_eigen(a: &[f64], n: usize) -> SymmetricEigen {
    assert_eq!(a.len(), n * n, "symmetric_eigen: a must be n × n");
    if a.iter().any(|x| !x.is_finite()) {
        return SymmetricEigen { n, values: vec![f64::NAN; n], vectors: vec![f64::NAN; n * n] };
    }
    // Work on a row-major copy, symmetrised from the upper triangle.
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        for j in i..n {
            m[i * n + j] = a[i * n + j];
            m[j * n + i] = a[i * n + j];
        }
    }
    // V starts as the identity; stored row-major here (v[k*n + j] = V_kj), so columns are
    // eigenvectors at the end.
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let frob2: f64 = m.iter().map(|x| x * x).sum();
    for _ in 0..MAX_SWEEPS {
        let mut off2 = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                off2 += 2.0 * m[i * n + j] * m[i * n + j];
            }
        }
        // Stop when the off-diagonal part is far below the rounding of the whole matrix.
        if off2 == 0.0 || off2 <= NEGLIGIBLE * NEGLIGIBLE * frob2 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                let (app, aqq) = (m[p * n + p], m[q * n + q]);
                // An entry below the rounding of both diagonal entries is zero for all purposes;
                // dropping it guarantees termination.
                if apq.abs() <= NEGLIGIBLE * (app.abs() + aqq.abs()) {
                    m[p * n + q] = 0.0;
                    m[q * n + p] = 0.0;
                    continue;
                }
                let tau = (aqq - app) / (2.0 * apq);
                // For huge |τ|, τ² overflows; then t ≈ 1/(2τ).
                let t =
                    if tau.abs() > 1e150 { 0.5 / tau } else { tau.signum() / (tau.abs() + (1.0 + tau * tau).sqrt()) };
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = t * c;
                // A ← A J (columns p and q).
                for k in 0..n {
                    let (akp, akq) = (m[k * n + p], m[k * n + q]);
                    m[k * n + p] = c * akp - s * akq;
                    m[k * n + q] = s * akp + c * akq;
                }
                // A ← Jᵀ A (rows p and q).
                for k in 0..n {
                    let (apk, aqk) = (m[p * n + k], m[q * n + k]);
                    m[p * n + k] = c * apk - s * aqk;
                    m[q * n + k] = s * apk + c * aqk;
                }
                m[p * n + q] = 0.0;
                m[q * n + p] = 0.0;
                // V ← V J (columns p and q of V).
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[j * n + j].total_cmp(&m[i * n + i]));
    let values = order.iter().map(|&i| m[i * n + i]).collect();
    let mut vectors = Vec::with_capacity(n * n);
    for &i in &order {
        vectors.extend((0..n).map(|k| v[k * n + i]));
    }
    SymmetricEigen { n, values, vectors }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Eigenvalues differ from exact values by a few ulps of the matrix norm.
    const TOL: f64 = 1e-13;

    fn check_decomposition(a: &[f64], n: usize, e: &SymmetricEigen) {
        // A v = λ v and VᵀV = I.
        for k in 0..n {
            let v = e.vector(k);
            for i in 0..n {
                let av: f64 = (0..n).map(|j| a[i * n + j] * v[j]).sum();
                assert!((av - e.values[k] * v[i]).abs() < 1e-12, "A v ≠ λ v at k={k}, i={i}");
            }
            for l in 0..n {
                let d: f64 = v.iter().zip(e.vector(l)).map(|(x, y)| x * y).sum();
                let want = if k == l { 1.0 } else { 0.0 };
                assert!((d - want).abs() < 1e-13, "vectors {k}, {l} not orthonormal: {d}");
            }
        }
        for w in e.values.windows(2) {
            assert!(w[0] >= w[1], "not sorted: {:?}", e.values);
        }
    }

    #[test]
    fn diagonal_matrix() {
        let a = [1.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 2.0];
        let e = symmetric_eigen(&a, 3);
        assert_eq!(e.values, vec![3.0, 2.0, 1.0]);
        assert_eq!(e.vector(0).iter().map(|x| x.abs()).collect::<Vec<_>>(), vec![0.0, 1.0, 0.0]);
    }

    #[test]
    fn two_by_two_correlation() {
        // [[1, r], [r, 1]] has eigenvalues 1 ± r with eigenvectors (1, ±1)/√2.
        let r = 0.6;
        let e = symmetric_eigen(&[1.0, r, r, 1.0], 2);
        assert!((e.values[0] - 1.6).abs() < TOL && (e.values[1] - 0.4).abs() < TOL, "{:?}", e.values);
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!((e.vector(0)[0].abs() - h).abs() < TOL && (e.vector(0)[1].abs() - h).abs() < TOL);
        assert!(e.vector(0)[0] * e.vector(0)[1] > 0.0);
    }

    #[test]
    fn second_difference_matrix() {
        // tridiag(-1, 2, -1) of order 3: eigenvalues 2 − √2, 2, 2 + √2.
        let a = [2.0, -1.0, 0.0, -1.0, 2.0, -1.0, 0.0, -1.0, 2.0];
        let e = symmetric_eigen(&a, 3);
        let s = std::f64::consts::SQRT_2;
        for (got, want) in e.values.iter().zip([2.0 + s, 2.0, 2.0 - s]) {
            assert!((got - want).abs() < TOL, "{got} vs {want}");
        }
        check_decomposition(&a, 3, &e);
        // Order n: eigenvalues 2 − 2 cos(kπ/(n+1)).
        let n = 12;
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            a[i * n + i] = 2.0;
            if i + 1 < n {
                a[i * n + i + 1] = -1.0;
                a[(i + 1) * n + i] = -1.0;
            }
        }
        let e = symmetric_eigen(&a, n);
        for (k, got) in e.values.iter().enumerate() {
            let want = 2.0 - 2.0 * ((n - k) as f64 * std::f64::consts::PI / (n + 1) as f64).cos();
            assert!((got - want).abs() < TOL, "k={k}: {got} vs {want}");
        }
        check_decomposition(&a, n, &e);
    }

    #[test]
    fn dense_pseudo_random_matrix() {
        // A deterministic dense symmetric matrix (no RNG needed): a_ij = sin(i + 2j) + sin(j + 2i).
        let n = 9;
        let a: Vec<f64> = (0..n * n)
            .map(|k| {
                let (i, j) = ((k / n) as f64, (k % n) as f64);
                (i + 2.0 * j).sin() + (j + 2.0 * i).sin()
            })
            .collect();
        let e = symmetric_eigen(&a, n);
        check_decomposition(&a, n, &e);
        // The trace is the sum of the eigenvalues.
        let trace: f64 = (0..n).map(|i| a[i * n + i]).sum();
        assert!((e.values.iter().sum::<f64>() - trace).abs() < 1e-12);
    }

    #[test]
    fn repeated_eigenvalues_and_trivial_orders() {
        let e = symmetric_eigen(&[5.0], 1);
        assert_eq!((e.values.clone(), e.vectors.clone()), (vec![5.0], vec![1.0]));
        let e = symmetric_eigen(&[], 0);
        assert!(e.values.is_empty());
        // All-ones 3×3: eigenvalues 3, 0, 0.
        let a = [1.0; 9];
        let e = symmetric_eigen(&a, 3);
        assert!((e.values[0] - 3.0).abs() < TOL && e.values[1].abs() < TOL && e.values[2].abs() < TOL);
        check_decomposition(&a, 3, &e);
    }

    #[test]
    fn non_finite_input_gives_nan() {
        let e = symmetric_eigen(&[1.0, f64::NAN, f64::NAN, 1.0], 2);
        assert!(e.values.iter().all(|v| v.is_nan()));
    }
}
