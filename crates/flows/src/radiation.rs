//! The radiation model (Simini, González, Maritan & Barabási 2012, *Nature* 484:96–100).
//!
//! ```text
//! T_ij = T_i · m_i n_j / ((m_i + s_ij)(m_i + n_j + s_ij))
//! ```
//!
//! `T_i` is the total outflow of origin `i` (here the observed one), `m_i` and `n_j` the
//! populations of origin and destination, and `s_ij` the total population of the units other than
//! `i` and `j` whose distance from `i` is strictly less than `d_ij` (units at exactly `d_ij` are
//! not counted). This is the formula of the paper without the finite-size normalisation
//! `1/(1 − m_i/M)` of its supplementary note, so predicted outflows sum to slightly less than
//! `T_i`. The model has no parameter to fit.

/// Radiation-model flows (`n × n`, row-major, zero diagonal) for outflows `out`, populations `pop`
/// and distances `dist` (row-major).
pub fn radiation(out: &[f64], pop: &[f64], dist: &[f64]) -> Vec<f64> {
    let n = pop.len();
    let mut t = vec![0.0; n * n];
    for i in 0..n {
        let mut others: Vec<usize> = (0..n).filter(|&j| j != i).collect();
        others.sort_by(|&a, &b| dist[i * n + a].total_cmp(&dist[i * n + b]));
        let mut closer = 0.0; // population strictly closer than the current tie group
        let mut k = 0;
        while k < others.len() {
            let dk = dist[i * n + others[k]];
            let mut e = k;
            while e < others.len() && dist[i * n + others[e]] == dk {
                e += 1;
            }
            for &j in &others[k..e] {
                let (m, nj, s) = (pop[i], pop[j], closer);
                t[i * n + j] = out[i] * m * nj / ((m + s) * (m + nj + s));
            }
            closer += others[k..e].iter().map(|&j| pop[j]).sum::<f64>();
            k = e;
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: three units on a line at 0, 1, 3 with populations 10, 20, 30 and outflow
    /// 100 from unit 0. To 1: s = 0, T = 100·10·20/(10·30) = 66.67; to 2: s = 20 (unit 1 is
    /// closer), T = 100·10·30/(30·60) = 16.67.
    #[test]
    fn three_units_hand_computed() {
        let pos = [0.0f64, 1.0, 3.0];
        let d: Vec<f64> = (0..9).map(|k| (pos[k / 3] - pos[k % 3]).abs()).collect();
        let t = radiation(&[100.0, 0.0, 0.0], &[10.0, 20.0, 30.0], &d);
        assert!((t[1] - 200.0 / 3.0).abs() < 1e-12);
        assert!((t[2] - 50.0 / 3.0).abs() < 1e-12);
        assert_eq!(t[3], 0.0);
    }

    /// Ties: two destinations at the same distance do not count each other in s.
    #[test]
    fn ties_are_not_intervening() {
        let d = [0.0, 1.0, 1.0, 1.0, 0.0, 2.0, 1.0, 2.0, 0.0];
        let t = radiation(&[60.0, 0.0, 0.0], &[10.0, 20.0, 20.0], &d);
        // s = 0 for both: 60·10·20/(10·30) = 40.
        assert!((t[1] - 40.0).abs() < 1e-12 && (t[2] - 40.0).abs() < 1e-12);
    }
}
