//! Grey relational analysis (`method = "gra"`) end to end — direction, min-max normalisation,
//! then GRA — checked against two **independent implementations** on textbook data.
//!
//! These are cross-checks, not a match with a published table: a worked example whose printed
//! input data *and* printed grades could both be read could not be retrieved (Kuo, Yang & Huang
//! 2008, Computers & Industrial Engineering 55:80–93; the GRA examples of 司守奎《数学建模算法与应用》;
//! Deng 1989; several open-access papers — only their first pages or their abstracts were
//! readable). So the expected numbers below are other programs' outputs, each named with where
//! it was read, and the source of the data is named separately. Both programs use the same
//! convention as baydex: min-max normalisation (cost criteria as `(max − x)/(max − min)`),
//! reference = best normalised value of each criterion, `Δmin`/`Δmax` over the whole matrix,
//! `ρ = 0.5`, grade = weighted sum of the coefficients with weights summing to 1. After min-max
//! normalisation every criterion's `Δ` spans exactly `[0, 1]`, so these examples do not tell a
//! global `Δmin`/`Δmax` from a per-criterion one; they do check the reference sequence, the
//! coefficients, the weighting and the cost (direction −1) indicators.
//!
//! 1. **JMcDM** (Julia package, repository `jbytecode/JMcDM`, `src/grey.jl`, docstring example of
//!    `grey`, read at commit 012b573e): 5 alternatives × 6 criteria, weights
//!    (0.05, 0.20, 0.10, 0.15, 0.10, 0.40), directions (min, max, min, max, max, min). JMcDM
//!    cites the example to Yıldırım & Önder (eds., 2015), *Çok Kriterli Karar Verme Yöntemleri*,
//!    Dora, 2nd ed.; that book's printed values could not be checked here. JMcDM prints the
//!    scores to full double precision; tolerance 1e-12 (rounding only).
//! 2. **司守奎, 孙兆亮《数学建模算法与应用》(第 2 版), 第 14 章 supplier-selection example** (6
//!    candidate suppliers, 9 indicators; 产品价格、地理位置、售后服务 are cost indicators, equal
//!    weights). Data as in the book's companion program `ex14_5.m` (repository
//!    `personqianduixue/Math_Model`, path `4书籍/数学建模算法与应用/程序及数据/14第14章/ex14_5.m`; the
//!    book itself could not be read; edition and chapter follow that folder and a blog copy of
//!    the example, iodraw.com/blog/221045875, that names the 2nd edition).
//!    Expected coefficients and grades: the output of an independent Python (NumPy) reproduction,
//!    repository `xyfJASON/mathematical-modeling-python`, file `Comprehensive Evaluation &
//!    Decision-making Methods/Grey Relational Analysis/Grey_Relational _Analysis.md` (commit
//!    6375587b): coefficients printed to 8 decimals (tolerance 5e-9), grades to 6 decimals
//!    (tolerance 5e-7). The book's own printed result table could not be read.

use std::collections::BTreeMap;

use baydex_core::aggregate::{AggInput, GreyRelational};
use baydex_core::normalise::{IndicatorInfo, MinMax, Normaliser};
use baydex_core::{Framework, Matrix, NodeSpec, StepSpec, Value, compute_matrix};

/// Runs `normalise` (min-max, the default) then `aggregate` with GRA on 0–1 scores; returns the
/// index's scores and ranks (1 = best). `rows[i][j]` = unit `i`, criterion `j`; `dir[j]` = +1
/// benefit, −1 cost.
fn pipeline_grades(rows: &[&[f64]], weights: &[f64], dir: &[f64]) -> (Vec<f64>, Vec<u32>) {
    let k = weights.len();
    let mut specs = vec![NodeSpec::aggregate("I", None)];
    for j in 0..k {
        specs.push(NodeSpec::indicator(&format!("c{j}"), "I").with_weight(weights[j]).with_direction(dir[j]));
    }
    let fw = Framework::build(specs).unwrap();
    let cols: Vec<Vec<f64>> = (0..k).map(|j| rows.iter().map(|r| r[j]).collect()).collect();
    let raw = Matrix::from_columns(rows.len(), &cols).unwrap();
    let units: Vec<String> = (1..=rows.len()).map(|i| format!("u{i}")).collect();
    let unit_refs: Vec<&str> = units.iter().map(String::as_str).collect();
    let options = Value::Table(BTreeMap::from([("scale".to_string(), Value::Int(1))]));
    let pipeline = [
        StepSpec::new("normalise"),
        StepSpec::new("aggregate").with("method", Value::Str("gra".into())).with("options", options),
    ];
    let r = compute_matrix(&fw, &unit_refs, &raw, &pipeline).unwrap();
    let root = fw.root();
    (r.scores(root).to_vec(), r.ranks(root).iter().map(|x| x.unwrap()).collect())
}

#[test]
fn matches_jmcdm_grey_example() {
    let rows: [&[f64]; 5] = [
        &[105000.0, 105.0, 10.0, 4.0, 300.0, 10.0],
        &[120000.0, 110.0, 15.0, 4.0, 500.0, 8.0],
        &[150000.0, 120.0, 12.0, 3.0, 550.0, 12.0],
        &[115000.0, 105.0, 20.0, 4.0, 600.0, 9.0],
        &[135000.0, 115.0, 15.0, 5.0, 400.0, 9.0],
    ];
    let w = [0.05, 0.20, 0.10, 0.15, 0.10, 0.40];
    let dir = [-1.0, 1.0, -1.0, 1.0, 1.0, -1.0];
    // JMcDM `grey(...).scores` (src/grey.jl docstring).
    let want = [0.525, 0.7007142857142857, 0.5464285714285715, 0.5762820512820512, 0.650952380952381];
    let (got, ranks) = pipeline_grades(&rows, &w, &dir);
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-12, "{got:?} vs {want:?}");
    }
    // JMcDM: bestIndex = 2; full order by the scores 2 > 5 > 4 > 3 > 1.
    assert_eq!(ranks, [5, 1, 4, 3, 2]);
}

/// 司守奎 & 孙兆亮 supplier data, one row per supplier (columns: 产品质量, 产品价格, 地理位置,
/// 售后服务, 技术水平, 经济效益, 供应能力, 市场影响度, 交货情况).
const SUPPLIERS: [[f64; 9]; 6] = [
    [0.83, 326.0, 21.0, 3.2, 0.20, 0.15, 250.0, 0.23, 0.87],
    [0.90, 295.0, 38.0, 2.4, 0.25, 0.20, 180.0, 0.15, 0.95],
    [0.99, 340.0, 25.0, 2.2, 0.12, 0.14, 300.0, 0.27, 0.99],
    [0.92, 287.0, 19.0, 2.0, 0.33, 0.09, 200.0, 0.30, 0.89],
    [0.87, 310.0, 27.0, 0.9, 0.20, 0.15, 150.0, 0.18, 0.82],
    [0.95, 303.0, 10.0, 1.7, 0.09, 0.17, 175.0, 0.26, 0.94],
];
const SUPPLIER_DIR: [f64; 9] = [1.0, -1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0];

#[test]
fn supplier_grades_match_independent_reproduction() {
    let rows: Vec<&[f64]> = SUPPLIERS.iter().map(|r| r.as_slice()).collect();
    let (got, ranks) = pipeline_grades(&rows, &[1.0; 9], &SUPPLIER_DIR);
    let want = [0.462992, 0.555994, 0.649074, 0.652723, 0.493562, 0.613015];
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 5e-7, "{got:?} vs {want:?}");
    }
    // Order 4 > 3 > 6 > 2 > 5 > 1.
    assert_eq!(ranks, [6, 4, 2, 1, 5, 3]);
}

#[test]
fn supplier_coefficients_match_independent_reproduction() {
    // Children as the pipeline makes them: direction-adjusted, then min-max (to 0–1 here).
    let children: Vec<Vec<f64>> = (0..9)
        .map(|j| {
            let x: Vec<f64> = SUPPLIERS.iter().map(|r| SUPPLIER_DIR[j] * r[j]).collect();
            let info = IndicatorInfo { code: "c", direction: SUPPLIER_DIR[j], target: None, goalposts: None };
            let mut out = vec![0.0; x.len()];
            MinMax { lower: 0.0, upper: 1.0 }.fit(&x, &info).unwrap().apply(&x, &mut out);
            out
        })
        .collect();
    let slices: Vec<&[f64]> = children.iter().map(Vec::as_slice).collect();
    let units: Vec<String> = (1..=6).map(|i| format!("s{i}")).collect();
    let codes: Vec<String> = (1..=9).map(|j| format!("c{j}")).collect();
    let code_refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let input = AggInput { children: &slices, weights: &[1.0; 9], units: &units, child_codes: &code_refs, node: "I" };
    let xi = GreyRelational { rho: 0.5, scale: 1.0 }.coefficients(&input);
    // `xi[indicator][supplier]`, as printed by the reproduction (NumPy, 8 decimals).
    let want: [[f64; 6]; 9] = [
        [0.33333333, 0.47058824, 1.0, 0.53333333, 0.4, 0.66666667],
        [0.40458015, 0.76811594, 0.33333333, 1.0, 0.53535354, 0.62352941],
        [0.56, 0.33333333, 0.48275862, 0.60869565, 0.4516129, 1.0],
        [0.33333333, 0.43396226, 0.46938776, 0.51111111, 1.0, 0.58974359],
        [0.48, 0.6, 0.36363636, 1.0, 0.48, 0.33333333],
        [0.52380952, 1.0, 0.47826087, 0.33333333, 0.52380952, 0.64705882],
        [0.6, 0.38461538, 1.0, 0.42857143, 0.33333333, 0.375],
        [0.51724138, 0.33333333, 0.71428571, 1.0, 0.38461538, 0.65217391],
        [0.41463415, 0.68, 1.0, 0.45945946, 0.33333333, 0.62962963],
    ];
    for (j, row) in want.iter().enumerate() {
        for (i, &w) in row.iter().enumerate() {
            assert!((xi[j][i] - w).abs() < 5e-9, "ξ[{j}][{i}] = {} vs {w}", xi[j][i]);
        }
    }
}
