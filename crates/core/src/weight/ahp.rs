//! `ahp`: weights from expert judgements by Saaty's Analytic Hierarchy Process — the principal
//! eigenvector of a pairwise comparison matrix, with its consistency ratio.
//!
//! For an aggregate with children `1 … n`, an expert states how many times child `i` matters more
//! than child `j` on Saaty's 1–9 scale (1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme;
//! 2, 4, 6, 8 in between; reciprocals for the other way round), so `A = (a_ij)` is positive and
//! reciprocal (`a_ji = 1/a_ij`, `a_ii = 1`). Then
//!
//! ```text
//!   A w = λmax w,  Σ wᵢ = 1          (Perron eigenvector: power iteration from wᵢ = 1/n until no
//!                                     component moves by more than 10⁻¹⁵)
//!   CI = (λmax − n) / (n − 1),   CR = CI / RI(n)      (CR = 0 for n ≤ 2: such matrices are consistent)
//! ```
//!
//! A consistent matrix (`a_ij a_jk = a_ik`) has `λmax = n`, so CI measures the departure from
//! consistency and CR compares it with the mean CI of random reciprocal matrices, `RI(n)`. Saaty's
//! rule: **CR ≥ 0.1 is an error** (the judgements should be revised), unless
//! `accept_inconsistent = true`. The error gives λmax, CI, RI, CR and the judgement furthest from
//! the weights (largest `|ln(a_ij w_j / w_i)|`), the first one to reconsider.
//!
//! Random indices `RI(n)` (`random_index`):
//!
//! | n | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 |
//! |---|---|---|---|---|---|---|---|---|---|---|---|---|---|
//! | `"saaty"` (default) | 0.52 | 0.89 | 1.11 | 1.25 | 1.35 | 1.40 | 1.45 | 1.49 | 1.52 | 1.54 | 1.56 | 1.58 | 1.59 |
//! | `"saaty1980"` | 0.58 | 0.90 | 1.12 | 1.24 | 1.32 | 1.41 | 1.45 | 1.49 | | | | | |
//!
//! `"saaty"`: Saaty, *Theory and Applications of the Analytic Network Process* (RWS Publications,
//! 2005), p. 31 — the table of Saaty's later work, also ahpy's `random_index = "saaty"`.
//! `"saaty1980"`: Saaty, *The Analytic Hierarchy Process* (McGraw-Hill, 1980), the table most
//! papers quote. `"dd"`: Donegan & Dodd, "A note on Saaty's random indexes", *Mathematical and
//! Computer Modelling* 15(10) (1991) 135–137, for n ≤ 100 (linear interpolation between the
//! tabulated orders, as ahpy's default). Larger matrices than a table covers are refused.
//!
//! Parameters: `matrices = { <AGGREGATE> = [[…], …] }`, one square matrix per aggregate whose
//! children are weighted, rows and columns in the framework's order of its children. TOML has no
//! fractions, so an entry is a number or a string such as `"1/3"`. Checked before anything runs:
//! square, positive, `a_ii = 1`, reciprocal within 10⁻⁹ (`a_ij · a_ji = 1`; write `"1/3"`, not
//! `0.33`), and on the 1–9 scale (`1/9 ≤ a_ij ≤ 9`; **values beyond it are errors**, since the
//! random indices were computed on that scale). Non-integer judgements inside the scale (e.g. the
//! geometric mean of several experts) are accepted. The number of rows is checked against the
//! children when the step runs.
//!
//! Worked example (Saaty 2008, "Decision making with the analytic hierarchy process", *Int. J.
//! Services Sciences* 1(1), 83–98: relative consumption of seven drinks in the USA): weights
//! 0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327 and CR 0.022, reproduced in the tests below.

use std::collections::BTreeMap;

use super::{WeightError, WeightInput, Weighter};
use crate::Text;
use crate::{ParamError, ParamInfo, ParamReader, Value};

/// Parameters of `ahp`.
pub(super) const PARAMS: &[ParamInfo] = &[
    ParamInfo {
        name: "matrices",
        default: "{}",
        doc_en: "ahp: pairwise comparison matrix per aggregate, children in framework order, e.g. { Index = [[1, 3], [\"1/3\", 1]] }",
        doc_zh: "ahp：各合成节点的两两比较判断矩阵，下级按指标体系顺序，例如 { Index = [[1, 3], [\"1/3\", 1]] }",
    },
    ParamInfo {
        name: "accept_inconsistent",
        default: "false",
        doc_en: "ahp: accept matrices with consistency ratio CR ≥ 0.1",
        doc_zh: "ahp：接受一致性比率 CR ≥ 0.1 的判断矩阵",
    },
    ParamInfo {
        name: "random_index",
        default: "\"saaty\"",
        doc_en: "ahp: random index table: saaty (Saaty 2005) | saaty1980 | dd (Donegan & Dodd 1991)",
        doc_zh: "ahp：随机一致性指标表：saaty（Saaty 2005）| saaty1980 | dd（Donegan & Dodd 1991）",
    },
];

/// Saaty's threshold: a consistency ratio at or above this is an error.
pub const MAX_CR: f64 = 0.1;
/// Tolerance of the reciprocity, diagonal and scale checks (relative).
const ENTRY_TOL: f64 = 1e-9;
/// Power iteration stops when no weight moves by more than this.
const POWER_TOL: f64 = 1e-15;
/// Most power iterations (positive matrices converge geometrically; a few dozen suffice).
const POWER_MAX_ITER: usize = 100_000;

/// A table of random indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RandomIndex {
    /// Saaty (2005), p. 31; n ≤ 15.
    Saaty,
    /// Saaty (1980); n ≤ 10.
    Saaty1980,
    /// Donegan & Dodd (1991); n ≤ 100.
    DoneganDodd,
}

const SAATY: [f64; 16] = [0.0, 0.0, 0.0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59];
const SAATY_1980: [f64; 11] = [0.0, 0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49];
#[rustfmt::skip]
const DONEGAN_DODD: [(usize, f64); 27] = [
    (3, 0.4914), (4, 0.8286), (5, 1.0591), (6, 1.1797), (7, 1.2519), (8, 1.3171), (9, 1.3733), (10, 1.4055),
    (11, 1.4213), (12, 1.4497), (13, 1.4643), (14, 1.4822), (15, 1.4969), (16, 1.5078), (17, 1.5153),
    (18, 1.5262), (19, 1.5313), (20, 1.5371), (25, 1.5619), (30, 1.5772), (40, 1.5976), (50, 1.6102),
    (60, 1.6178), (70, 1.6237), (80, 1.6277), (90, 1.6213), (100, 1.6339),
];

impl RandomIndex {
    /// Name used in `random_index = "…"`.
    pub fn name(self) -> &'static str {
        match self {
            RandomIndex::Saaty => "saaty",
            RandomIndex::Saaty1980 => "saaty1980",
            RandomIndex::DoneganDodd => "dd",
        }
    }

    /// `RI(n)`, or `None` when the table does not reach order `n`. Orders 1 and 2 give 0.
    pub fn value(self, n: usize) -> Option<f64> {
        if n <= 2 {
            return Some(0.0);
        }
        match self {
            RandomIndex::Saaty => SAATY.get(n).copied(),
            RandomIndex::Saaty1980 => SAATY_1980.get(n).copied(),
            RandomIndex::DoneganDodd => {
                let hi = DONEGAN_DODD.iter().position(|&(k, _)| k >= n)?;
                let (k1, r1) = DONEGAN_DODD[hi];
                if k1 == n {
                    return Some(r1);
                }
                let (k0, r0) = DONEGAN_DODD[hi - 1];
                Some(r0 + (r1 - r0) / (k1 - k0) as f64 * (n - k0) as f64)
            }
        }
    }

    /// Largest order the table covers.
    pub fn max_order(self) -> usize {
        match self {
            RandomIndex::Saaty => SAATY.len() - 1,
            RandomIndex::Saaty1980 => SAATY_1980.len() - 1,
            RandomIndex::DoneganDodd => 100,
        }
    }
}

/// The eigenvector weights of one comparison matrix and their consistency.
#[derive(Debug, Clone, PartialEq)]
pub struct AhpFit {
    /// Priority vector (principal eigenvector, summing to 1).
    pub weights: Vec<f64>,
    /// Principal eigenvalue.
    pub lambda_max: f64,
    /// Consistency index `(λmax − n)/(n − 1)` (0 for n ≤ 2).
    pub ci: f64,
    /// Random index of the order.
    pub ri: f64,
    /// Consistency ratio `CI/RI` (0 for n ≤ 2).
    pub cr: f64,
    /// The judgement furthest from the weights: `(i, j, a_ij, wᵢ/w_j)` (0-based; `None` for n ≤ 2).
    pub worst: Option<(usize, usize, f64, f64)>,
}

impl AhpFit {
    /// `λmax = …, CI = …, RI = …, CR = …`.
    pub fn summary(&self) -> String {
        format!("λmax = {:.4}, CI = {:.4}, RI = {:.2}, CR = {:.4}", self.lambda_max, self.ci, self.ri, self.cr)
    }
}

/// The principal eigenvector and consistency of a positive reciprocal matrix (rows of equal
/// length `n`, already checked). `None` if the power iteration does not converge (it always
/// does for a positive matrix; the bound only guards against non-finite input).
pub fn fit(a: &[Vec<f64>], ri: f64) -> Option<AhpFit> {
    let n = a.len();
    let mut w = vec![1.0 / n as f64; n];
    let mut lambda = f64::NAN;
    let mut converged = false;
    for _ in 0..POWER_MAX_ITER {
        let y: Vec<f64> = a.iter().map(|row| row.iter().zip(&w).map(|(x, v)| x * v).sum()).collect();
        let s: f64 = y.iter().sum();
        lambda = s / w.iter().sum::<f64>();
        let next: Vec<f64> = y.iter().map(|v| v / s).collect();
        let moved = next.iter().zip(&w).fold(0.0_f64, |m, (p, q)| m.max((p - q).abs()));
        w = next;
        if !moved.is_finite() {
            return None;
        }
        if moved <= POWER_TOL {
            converged = true;
            break;
        }
    }
    if !converged {
        return None;
    }
    let (ci, cr) = if n <= 2 {
        (0.0, 0.0)
    } else {
        let ci = (lambda - n as f64) / (n as f64 - 1.0);
        (ci, if ri > 0.0 { ci / ri } else { 0.0 })
    };
    let mut worst: Option<(usize, usize, f64, f64)> = None;
    if n > 2 {
        let mut far = -1.0;
        for i in 0..n {
            for j in i + 1..n {
                let d = (a[i][j] * w[j] / w[i]).ln().abs();
                if d > far {
                    far = d;
                    worst = Some((i, j, a[i][j], w[i] / w[j]));
                }
            }
        }
    }
    Some(AhpFit { weights: w, lambda_max: lambda, ci, ri, cr, worst })
}

/// A judgement of a matrix as written, for messages: `3`, `1/3`, or the decimal.
fn judgement(x: f64) -> String {
    let r = 1.0 / x;
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round())
    } else if (r - r.round()).abs() < 1e-9 {
        format!("1/{}", r.round())
    } else {
        format!("{x:.3}")
    }
}

/// One entry: a number or a fraction string.
fn entry(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Str(s) => {
            let s = s.trim();
            match s.split_once('/') {
                Some((a, b)) => {
                    let (a, b): (f64, f64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                    Some(a / b)
                }
                None => s.parse().ok(),
            }
        }
        _ => None,
    }
}

/// Reads and checks one comparison matrix (`name` = `matrices.<CODE>` for errors).
fn read_matrix(name: &str, v: &Value) -> Result<Vec<Vec<f64>>, ParamError> {
    let shape = || ParamError::WrongType {
        name: name.to_string(),
        expected: "a square array of rows, e.g. [[1, 3], [\"1/3\", 1]]",
        got: v.to_string(),
    };
    let Value::Array(rows) = v else { return Err(shape()) };
    let n = rows.len();
    if n == 0 {
        return Err(shape());
    }
    let mut a = Vec::with_capacity(n);
    for (i, row) in rows.iter().enumerate() {
        let Value::Array(cells) = row else { return Err(shape()) };
        if cells.len() != n {
            return Err(ParamError::OutOfDomain {
                name: format!("{name} row {}", i + 1),
                got: format!("{} entries in a matrix of {n} rows", cells.len()),
                expected: "a square matrix: as many entries in each row as there are rows",
            });
        }
        let mut r = Vec::with_capacity(n);
        for (j, c) in cells.iter().enumerate() {
            let x = entry(c).filter(|x| x.is_finite() && *x > 0.0).ok_or_else(|| ParamError::WrongType {
                name: format!("{name}[{}][{}]", i + 1, j + 1),
                expected: "a positive number or a fraction such as \"1/3\"",
                got: c.to_string(),
            })?;
            r.push(x);
        }
        a.push(r);
    }
    let scale = (1.0 - ENTRY_TOL) / 9.0..=9.0 * (1.0 + ENTRY_TOL);
    for (i, row) in a.iter().enumerate() {
        if (row[i] - 1.0).abs() > ENTRY_TOL {
            return Err(ParamError::OutOfDomain {
                name: format!("{name}[{}][{}]", i + 1, i + 1),
                got: row[i].to_string(),
                expected: "1 on the diagonal (a child compared with itself)",
            });
        }
        for (j, &x) in row.iter().enumerate() {
            if !scale.contains(&x) {
                return Err(ParamError::OutOfDomain {
                    name: format!("{name}[{}][{}]", i + 1, j + 1),
                    got: judgement(x),
                    expected: "a judgement on Saaty's scale, 1/9 to 9",
                });
            }
            if j > i && (x * a[j][i] - 1.0).abs() > ENTRY_TOL {
                return Err(ParamError::OutOfDomain {
                    name: format!("{name}[{}][{}] and [{}][{}]", i + 1, j + 1, j + 1, i + 1),
                    got: format!("{x} and {} (product {})", a[j][i], x * a[j][i]),
                    expected: "reciprocal judgements, a_ji = 1/a_ij (write \"1/3\", not 0.33)",
                });
            }
        }
    }
    Ok(a)
}

/// AHP weights from the project's comparison matrices.
#[derive(Debug, Clone, PartialEq)]
pub struct Ahp {
    /// Matrix and fit per aggregate code.
    fits: BTreeMap<String, (Vec<Vec<f64>>, AhpFit)>,
    accept_inconsistent: bool,
    random_index: RandomIndex,
}

pub(super) fn build(r: &ParamReader<'_>) -> Result<Box<dyn Weighter>, ParamError> {
    Ok(Box::new(Ahp::from_params(r)?))
}

impl Ahp {
    /// Reads and checks the parameters, and computes every matrix's weights.
    pub fn from_params(r: &ParamReader<'_>) -> Result<Self, ParamError> {
        let accept_inconsistent = r.bool("accept_inconsistent", false)?;
        let random_index = match r.choice("random_index", "saaty", &["saaty", "saaty1980", "dd"])? {
            "saaty1980" => RandomIndex::Saaty1980,
            "dd" => RandomIndex::DoneganDodd,
            _ => RandomIndex::Saaty,
        };
        let mut fits = BTreeMap::new();
        for (code, v) in r.table("matrices")? {
            let name = format!("matrices.{code}");
            let a = read_matrix(&name, v)?;
            let ri = random_index.value(a.len()).ok_or_else(|| ParamError::OutOfDomain {
                name: name.clone(),
                got: format!("a {0} × {0} matrix", a.len()),
                expected: "an order the random-index table covers (saaty ≤ 15, saaty1980 ≤ 10, dd ≤ 100)",
            })?;
            let f = fit(&a, ri).ok_or_else(|| ParamError::OutOfDomain {
                name: name.clone(),
                got: v.to_string(),
                expected: "a matrix whose principal eigenvector can be computed",
            })?;
            fits.insert(code.to_string(), (a, f));
        }
        Ok(Ahp { fits, accept_inconsistent, random_index })
    }

    /// The fit of an aggregate's matrix, if the parameters give one.
    pub fn fit_of(&self, node: &str) -> Option<&AhpFit> {
        self.fits.get(node).map(|(_, f)| f)
    }
}

impl Weighter for Ahp {
    fn name(&self) -> &'static str {
        "ahp"
    }

    fn notes(&self, input: &WeightInput<'_>) -> Vec<crate::Text> {
        self.fit_of(input.node)
            .map(|f| {
                let s = f.summary();
                vec![crate::Text::new(format!("AHP {}: {s}", input.node), format!("层次分析法 {}：{s}", input.node))]
            })
            .unwrap_or_default()
    }

    fn weights(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        let err = |reason: Text| WeightError::Data { method: "ahp", node: input.node.to_string(), reason };
        let k = input.child_codes.len();
        let order = input.child_codes.join(", ");
        let Some((_, f)) = self.fits.get(input.node) else {
            return Err(err(Text::new(
                format!(
                    "no pairwise comparison matrix for it; add matrices.{} = [[…], …] with {k} rows and columns in the order {order}",
                    input.node
                ),
                format!(
                    "没有它的两两比较矩阵；请添加 matrices.{} = [[…], …]，{k} 行 {k} 列，顺序为 {order}",
                    input.node
                ),
            )));
        };
        if f.weights.len() != k {
            return Err(err(Text::new(
                format!(
                    "matrices.{node} is {n} × {n} but '{node}' has {k} children ({order}); give one row and column per child, in this order",
                    node = input.node,
                    n = f.weights.len()
                ),
                format!(
                    "matrices.{node} 为 {n} × {n}，但 '{node}' 有 {k} 个下级（{order}）；请按此顺序为每个下级给出一行一列",
                    node = input.node,
                    n = f.weights.len()
                ),
            )));
        }
        if f.cr >= MAX_CR && !self.accept_inconsistent {
            let hint = f.worst.map_or(Text::default(), |(i, j, a, implied)| {
                let (ci, cj) = (input.child_codes[i], input.child_codes[j]);
                Text::new(
                    format!(
                        "; the judgement furthest from the weights is {ci} vs {cj} = {} while the weights imply {implied:.2}",
                        judgement(a)
                    ),
                    format!("；与权重偏离最大的判断是 {ci} 对 {cj} = {}，而权重意味着 {implied:.2}", judgement(a)),
                )
            });
            return Err(err(Text::new(
                format!(
                    "the judgements are inconsistent: {} (random index '{}'), and Saaty's rule needs CR < {MAX_CR}{}; \
                     revise the judgements in matrices.{} or set accept_inconsistent = true",
                    f.summary(),
                    self.random_index.name(),
                    hint.en,
                    input.node
                ),
                format!(
                    "判断矩阵不一致：{}（随机一致性指标 '{}'），Saaty 准则要求 CR < {MAX_CR}{}；\
                     请修改 matrices.{} 中的判断，或设置 accept_inconsistent = true",
                    f.summary(),
                    self.random_index.name(),
                    hint.zh,
                    input.node
                ),
            )));
        }
        Ok(f.weights.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;

    /// Power iteration to 10⁻¹⁵: weights and λmax agree with exact values to a few ulps.
    const TOL: f64 = 1e-12;
    /// Saaty prints weights and CR to 3 decimals.
    const PRINTED: f64 = 5e-4;

    fn m(rows: &[&[f64]]) -> Vec<Vec<f64>> {
        rows.iter().map(|r| r.to_vec()).collect()
    }

    fn value_matrix(rows: &[&[&str]]) -> Value {
        Value::Array(rows.iter().map(|r| Value::Array(r.iter().map(|s| Value::Str(s.to_string())).collect())).collect())
    }

    fn ahp_with(matrices: Vec<(&str, Value)>, extra: Vec<(&str, Value)>) -> Result<Ahp, ParamError> {
        let mut p = Params::new();
        p.insert("matrices".into(), Value::Table(matrices.into_iter().map(|(k, v)| (k.to_string(), v)).collect()));
        for (k, v) in extra {
            p.insert(k.into(), v);
        }
        let r = ParamReader::new(&p, PARAMS)?;
        Ahp::from_params(&r)
    }

    #[test]
    fn consistent_matrix_has_lambda_n_and_exact_weights() {
        // Weights 4:2:1 → a_ij = wᵢ/w_j.
        let a = m(&[&[1.0, 2.0, 4.0], &[0.5, 1.0, 2.0], &[0.25, 0.5, 1.0]]);
        let f = fit(&a, 0.52).unwrap();
        for (got, want) in f.weights.iter().zip([4.0 / 7.0, 2.0 / 7.0, 1.0 / 7.0]) {
            assert!((got - want).abs() < TOL, "{:?}", f.weights);
        }
        assert!((f.lambda_max - 3.0).abs() < TOL && f.ci.abs() < TOL && f.cr.abs() < TOL);
    }

    /// Saaty (2008), *Int. J. Services Sciences* 1(1), 83–98, Table "Which drink is consumed more
    /// in the U.S.?": derived scale coffee .177, wine .019, tea .042, beer .116, sodas .190,
    /// milk .129, water .327, consistency ratio .022.
    #[test]
    fn saaty_2008_drinks() {
        let a = m(&[
            &[1.0, 9.0, 5.0, 2.0, 1.0, 1.0, 0.5],
            &[1.0 / 9.0, 1.0, 1.0 / 3.0, 1.0 / 9.0, 1.0 / 9.0, 1.0 / 9.0, 1.0 / 9.0],
            &[0.2, 3.0, 1.0, 1.0 / 3.0, 0.25, 1.0 / 3.0, 1.0 / 9.0],
            &[0.5, 9.0, 3.0, 1.0, 0.5, 1.0, 1.0 / 3.0],
            &[1.0, 9.0, 4.0, 2.0, 1.0, 2.0, 0.5],
            &[1.0, 9.0, 3.0, 1.0, 0.5, 1.0, 1.0 / 3.0],
            &[2.0, 9.0, 9.0, 3.0, 2.0, 3.0, 1.0],
        ]);
        let f = fit(&a, RandomIndex::Saaty.value(7).unwrap()).unwrap();
        for (got, want) in f.weights.iter().zip([0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]) {
            assert!((got - want).abs() < PRINTED, "{:?}", f.weights);
        }
        assert!((f.cr - 0.022).abs() < PRINTED, "{}", f.summary());
        // The 1980 table gives the same printed CR.
        assert!((f.ci / RandomIndex::Saaty1980.value(7).unwrap() - 0.022).abs() < PRINTED);
    }

    /// Saaty's chair-brightness judgements (Saaty 1977, *J. Math. Psychology* 15, 234–281; also
    /// *The Analytic Hierarchy Process*, 1980): λmax = 4.39 as published, so CR ≈ 0.15 — too
    /// inconsistent under the 0.1 rule.
    #[test]
    fn inconsistent_matrix_is_an_error_unless_accepted() {
        let chairs = value_matrix(&[
            &["1", "5", "6", "7"],
            &["1/5", "1", "4", "6"],
            &["1/6", "1/4", "1", "4"],
            &["1/7", "1/6", "1/4", "1"],
        ]);
        let ahp = ahp_with(vec![("G", chairs.clone())], vec![]).unwrap();
        let f = ahp.fit_of("G").unwrap();
        assert!((f.lambda_max - 4.39).abs() < 0.005, "{}", f.summary());
        assert!(f.cr > MAX_CR);
        let kids: [&[f64]; 4] = [&[0.0]; 4];
        let i =
            WeightInput { node: "G", child_codes: &["c1", "c2", "c3", "c4"], children: &kids, panel: &[], prior: &[] };
        let e = ahp.weights(&i).unwrap_err().to_string();
        assert!(e.contains("CR = 0.14") && e.contains("accept_inconsistent") && e.contains("λmax = 4.39"), "{e}");
        assert!(e.contains("furthest from the weights is c1 vs c4 = 7"), "{e}");
        let ok = ahp_with(vec![("G", chairs)], vec![("accept_inconsistent", Value::Bool(true))]).unwrap();
        let w = ok.weights(&i).unwrap();
        assert!((w.iter().sum::<f64>() - 1.0).abs() < TOL && w[0] > w[1] && w[1] > w[2] && w[2] > w[3]);
    }

    #[test]
    fn fractions_floats_and_integers_are_read() {
        let mut rows = vec![
            Value::Array(vec![Value::Int(1), Value::Float(3.0), Value::Str("5".into())]),
            Value::Array(vec![Value::Str("1/3".into()), Value::Int(1), Value::Str(" 3 / 2 ".into())]),
            Value::Array(vec![Value::Float(0.2), Value::Str("2/3".into()), Value::Int(1)]),
        ];
        let ahp = ahp_with(vec![("G", Value::Array(rows.clone()))], vec![]).unwrap();
        let f = ahp.fit_of("G").unwrap();
        assert!(f.weights[0] > f.weights[1] && f.weights[1] > f.weights[2]);
        // 3/2 vs 1/3·5 = 5/3: nearly consistent.
        assert!(f.cr < 0.01, "{}", f.summary());
        rows[1] = Value::Array(vec![Value::Str("one third".into()), Value::Int(1), Value::Int(1)]);
        let e = ahp_with(vec![("G", Value::Array(rows))], vec![]).unwrap_err();
        assert!(matches!(&e, ParamError::WrongType { name, .. } if name == "matrices.G[2][1]"), "{e}");
    }

    #[test]
    fn checks_before_anything_runs() {
        // Not reciprocal (0.33 is not 1/3).
        let e = ahp_with(vec![("G", value_matrix(&[&["1", "3"], &["0.33", "1"]]))], vec![]).unwrap_err();
        assert!(matches!(&e, ParamError::OutOfDomain { expected, .. } if expected.contains("reciprocal")), "{e}");
        // Beyond the 1–9 scale.
        let e = ahp_with(vec![("G", value_matrix(&[&["1", "12"], &["1/12", "1"]]))], vec![]).unwrap_err();
        assert!(matches!(&e, ParamError::OutOfDomain { expected, .. } if expected.contains("1/9 to 9")), "{e}");
        // Diagonal.
        let e = ahp_with(vec![("G", value_matrix(&[&["2", "3"], &["1/3", "1"]]))], vec![]).unwrap_err();
        assert!(matches!(&e, ParamError::OutOfDomain { expected, .. } if expected.contains("diagonal")), "{e}");
        // Not square.
        let e = ahp_with(vec![("G", value_matrix(&[&["1", "3", "1"], &["1/3", "1"]]))], vec![]).unwrap_err();
        assert!(matches!(&e, ParamError::OutOfDomain { expected, .. } if expected.contains("square")), "{e}");
        // Non-positive.
        let e = ahp_with(vec![("G", value_matrix(&[&["1", "0"], &["0", "1"]]))], vec![]).unwrap_err();
        assert!(matches!(e, ParamError::WrongType { .. }), "{e}");
        // Not an array.
        let e = ahp_with(vec![("G", Value::Int(3))], vec![]).unwrap_err();
        assert!(matches!(e, ParamError::WrongType { .. }), "{e}");
        // Order beyond the table.
        let big: Vec<Vec<&str>> = vec![vec!["1"; 11]; 11];
        let rows: Vec<&[&str]> = big.iter().map(Vec::as_slice).collect();
        let e = ahp_with(vec![("G", value_matrix(&rows))], vec![("random_index", Value::Str("saaty1980".into()))])
            .unwrap_err();
        assert!(matches!(&e, ParamError::OutOfDomain { expected, .. } if expected.contains("random-index")), "{e}");
        // Unknown table.
        let e = ahp_with(vec![], vec![("random_index", Value::Str("x".into()))]).unwrap_err();
        assert!(matches!(e, ParamError::UnknownMethod { .. }));
        // The default spec (no matrices) builds; a group then asks for its matrix when weighted.
        let empty = Params::new();
        let r = ParamReader::new(&empty, PARAMS).unwrap();
        assert_eq!(build(&r).unwrap().name(), "ahp");
    }

    #[test]
    fn missing_or_misfitting_matrix_is_a_data_error() {
        let ahp = ahp_with(vec![("G", value_matrix(&[&["1", "3"], &["1/3", "1"]]))], vec![]).unwrap();
        let kids: [&[f64]; 3] = [&[0.0]; 3];
        let i = WeightInput { node: "G", child_codes: &["a", "b", "c"], children: &kids, panel: &[], prior: &[] };
        let e = ahp.weights(&i).unwrap_err().to_string();
        assert!(e.contains("2 × 2") && e.contains("a, b, c"), "{e}");
        let i = WeightInput { node: "H", ..i };
        let e = ahp.weights(&i).unwrap_err().to_string();
        assert!(e.contains("matrices.H"), "{e}");
        // A 2 × 2 matrix is always consistent: weights 3/4, 1/4.
        let kids: [&[f64]; 2] = [&[0.0]; 2];
        let i = WeightInput { node: "G", child_codes: &["a", "b"], children: &kids, panel: &[], prior: &[] };
        let w = ahp.weights(&i).unwrap();
        assert!((w[0] - 0.75).abs() < TOL && (w[1] - 0.25).abs() < TOL);
        assert_eq!(ahp.fit_of("G").unwrap().cr, 0.0);
    }

    #[test]
    fn random_index_tables() {
        assert_eq!(RandomIndex::Saaty.value(3), Some(0.52));
        assert_eq!(RandomIndex::Saaty1980.value(3), Some(0.58));
        assert_eq!(RandomIndex::Saaty.value(16), None);
        assert_eq!(RandomIndex::Saaty1980.value(11), None);
        assert_eq!(RandomIndex::DoneganDodd.value(20), Some(1.5371));
        // Interpolated between 20 and 25.
        assert!((RandomIndex::DoneganDodd.value(21).unwrap() - (1.5371 + (1.5619 - 1.5371) / 5.0)).abs() < 1e-15);
        assert_eq!(RandomIndex::DoneganDodd.value(101), None);
        assert_eq!(RandomIndex::Saaty.value(2), Some(0.0));
        for t in [RandomIndex::Saaty, RandomIndex::Saaty1980, RandomIndex::DoneganDodd] {
            assert!(t.value(t.max_order()).is_some() && t.value(t.max_order() + 1).is_none(), "{}", t.name());
        }
    }

    #[test]
    fn judgements_are_printed_as_written() {
        assert_eq!(judgement(3.0), "3");
        assert_eq!(judgement(1.0 / 7.0), "1/7");
        assert_eq!(judgement(2.5), "2.500");
    }
}
