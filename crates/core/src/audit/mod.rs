//! The statistical audit of a computed index: is the framework coherent with the data?
//!
//! For one period of [`Results`], [`audit`] computes, on the `Aggregated` stage (normalised
//! indicators and every aggregate, the data set COINr's audit functions use):
//!
//! ```text
//!  Raw stage ──────────► availability: per unit, per indicator                  (availability.rs)
//!  Aggregated stage ───► correlations, Pearson + Spearman, pairwise complete:   (correlation.rs)
//!                          node ~ parent, node ~ higher ancestors, siblings
//!                          + level × level and level × level-above matrices
//!                        flags: negative, weak, collinear                        (flags.rs)
//!                        Cronbach's alpha: every group × every lower level       (cronbach.rs)
//!                        PCA of every aggregate's children: variance, PC1        (pca.rs)
//!  Results weights ────► effective weight of every node in the index
//!  few units ──────────► a warning: data-driven statistics on few units are fragile
//! ```
//!
//! Each method file starts with its formula and reference; `docs/audit.md` collects them. The
//! p-values of the correlations (for the optional `pval` mask) are in [`pvalue`].
//!
//! The audit only describes: it never changes scores or weights. It does no I/O; `baydex-data`
//! writes it (`results.json`, `audit/*.csv`) and the `baydex audit` command prints it.
//!
//! ```
//! use baydex_core::{Framework, NodeSpec, StepSpec, audit::{AuditParams, audit_period}};
//! let fw = Framework::build(vec![
//!     NodeSpec::aggregate("Index", None),
//!     NodeSpec::indicator("a", "Index"),
//!     NodeSpec::indicator("b", "Index"),
//! ]).unwrap();
//! let raw = baydex_core::Matrix::from_columns(4, &[vec![1., 2., 3., 4.], vec![1., 3., 2., 4.]])?;
//! let pr = baydex_core::compute_matrix(&fw, &["w", "x", "y", "z"], &raw,
//!                                      &[StepSpec::new("normalise"), StepSpec::new("aggregate")])?;
//! let weights = vec![1.0; 3];
//! let a = audit_period(&fw, &pr, &AuditParams::default(), &weights, &fw.effective_weights(&weights))?;
//! let within = a.correlations.iter().find(|c| c.var1 == "a" && c.var2 == "b").unwrap();
//! assert!((within.r - 0.8).abs() < 1e-12);
//! assert_eq!(a.warnings.len(), 1); // 4 units < few_units = 30
//! # Ok::<(), baydex_core::Error>(())
//! ```

mod availability;
pub mod correlation;
pub mod cronbach;
mod flags;
pub mod pca;
pub mod pvalue;

use serde::{Serialize, Serializer};

pub use availability::{IndicatorAvailability, UnitAvailability};
pub use correlation::{CorrelationMatrix, CorrelationPair, Method, Relation};
pub use cronbach::CronbachRow;
pub use flags::{Flag, FlagInfo};
pub use pca::{PcaFit, PcaGroup, PcaIssue};

use crate::{Error, Framework, ParamError, PeriodResult, Pipeline, Project, Result, Results, Text};

/// Parameters of the audit. Check them with [`AuditParams::validate`]; [`audit`] does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AuditParams {
    /// Node vs parent or ancestor: a correlation below this (and at least `negative`) is weak.
    pub weak: f64,
    /// Siblings: a correlation above this is collinear.
    pub collinear: f64,
    /// A correlation below this is negative.
    pub negative: f64,
    /// Significance level: correlations whose t-test p-value exceeds it are masked (NaN); 0 = no
    /// masking. COINr's `get_corr` default is 0.05.
    pub pval: f64,
    /// Fewer units than this raise the few-units warning (0 = never).
    pub few_units: usize,
}

impl Default for AuditParams {
    fn default() -> Self {
        AuditParams { weak: 0.3, collinear: 0.9, negative: 0.0, pval: 0.0, few_units: 30 }
    }
}

/// Audit parameters that passed [`AuditParams::validate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidAuditParams(AuditParams);

impl ValidAuditParams {
    /// The parameters.
    pub fn get(&self) -> &AuditParams {
        &self.0
    }
}

impl AuditParams {
    /// Sets `weak`.
    pub fn with_weak(mut self, x: f64) -> Self {
        self.weak = x;
        self
    }
    /// Sets `collinear`.
    pub fn with_collinear(mut self, x: f64) -> Self {
        self.collinear = x;
        self
    }
    /// Sets `negative`.
    pub fn with_negative(mut self, x: f64) -> Self {
        self.negative = x;
        self
    }
    /// Sets `pval`.
    pub fn with_pval(mut self, x: f64) -> Self {
        self.pval = x;
        self
    }
    /// Sets `few_units`.
    pub fn with_few_units(mut self, n: usize) -> Self {
        self.few_units = n;
        self
    }

    /// Checks the parameters: thresholds are correlations in [−1, 1], `negative ≤ weak`, and
    /// `pval` is in [0, 1].
    pub fn validate(self) -> Result<ValidAuditParams, ParamError> {
        for (name, x) in [("weak", self.weak), ("collinear", self.collinear), ("negative", self.negative)] {
            if !(-1.0..=1.0).contains(&x) {
                return Err(ParamError::OutOfDomain {
                    name: name.into(),
                    got: x.to_string(),
                    expected: "a correlation threshold must be between -1 and 1",
                });
            }
        }
        if !(0.0..=1.0).contains(&self.pval) {
            return Err(ParamError::OutOfDomain {
                name: "pval".into(),
                got: self.pval.to_string(),
                expected: "a significance level must be between 0 (no masking) and 1",
            });
        }
        if self.negative > self.weak {
            return Err(ParamError::FlippedRange {
                name: "negative, weak".into(),
                lower: self.negative,
                upper: self.weak,
            });
        }
        Ok(ValidAuditParams(self))
    }
}

/// Data availability tables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Availability {
    /// One row per unit.
    pub units: Vec<UnitAvailability>,
    /// One row per indicator.
    pub indicators: Vec<IndicatorAvailability>,
}

/// The weight and effective weight of one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectiveWeight {
    /// Node code.
    pub code: String,
    /// Level.
    pub level: u32,
    /// Weight among its siblings as used by the aggregation.
    #[serde(serialize_with = "nan_as_null")]
    pub weight: f64,
    /// Effective weight in the index: weights normalised within each group and multiplied down
    /// the tree (COINr `get_eff_weights`). Nominal: with missing data the arithmetic mean
    /// re-scales weights unit by unit.
    #[serde(serialize_with = "nan_as_null")]
    pub effective: f64,
}

/// The audit of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    /// The period.
    pub period: String,
    /// Units scored in this period.
    pub n_units: usize,
    /// The parameters used.
    pub params: AuditParams,
    /// Warnings (few units, PCA on dropped rows or not computable).
    pub warnings: Vec<Text>,
    /// What each flag means under these parameters.
    pub flags: Vec<FlagInfo>,
    /// Data availability of the raw data.
    pub availability: Availability,
    /// Structural correlations: parent, family, within; Pearson then Spearman.
    pub correlations: Vec<CorrelationPair>,
    /// Level × level and level × level-above matrices, Pearson then Spearman.
    pub matrices: Vec<CorrelationMatrix>,
    /// Cronbach's alpha of every group × lower level.
    pub cronbach: Vec<CronbachRow>,
    /// PCA of every aggregate with at least two children.
    pub pca: Vec<PcaGroup>,
    /// Weight and effective weight of every node, in output order.
    pub effective_weights: Vec<EffectiveWeight>,
}

impl Audit {
    /// The flagged correlations of one method.
    pub fn flagged(&self, method: Method) -> impl Iterator<Item = &CorrelationPair> {
        self.correlations.iter().filter(move |c| c.method == method && c.flag.is_some())
    }

    /// A structural correlation by codes, relation and method.
    pub fn correlation(&self, var1: &str, var2: &str, relation: Relation, method: Method) -> Option<&CorrelationPair> {
        self.correlations
            .iter()
            .find(|c| c.var1 == var1 && c.var2 == var2 && c.relation == relation && c.method == method)
    }

    /// A matrix by method and levels.
    pub fn matrix(&self, method: Method, row_level: u32, col_level: u32) -> Option<&CorrelationMatrix> {
        self.matrices.iter().find(|m| m.method == method && m.row_level == row_level && m.col_level == col_level)
    }
}

/// Audits one period of a project's results.
///
/// The weights are those of the project's own pipeline (its `aggregate` step, else the
/// framework's), i.e. `Results::weights` of [`crate::compute`]`(project)`. After
/// [`crate::compute_with`] a replacement pipeline, use [`audit_results`] or [`audit_period`].
pub fn audit(project: &Project, period: &PeriodResult, params: &AuditParams) -> Result<Audit> {
    let fw = &project.framework;
    let weights = Pipeline::build(&project.pipeline, fw)?.weights(fw);
    let effective = fw.effective_weights(&weights);
    audit_period(fw, period, params, &weights, &effective)
}

/// Audits every period of `results` with its weights and effective weights.
pub fn audit_results(project: &Project, results: &Results, params: &AuditParams) -> Result<Vec<Audit>> {
    results
        .periods
        .iter()
        .map(|pr| {
            audit_period(&project.framework, pr, params, &results.weights, &results.effective_weights)
                .map_err(|e| if pr.period.is_empty() { e } else { e.context(format!("period {}", pr.period)) })
        })
        .collect()
}

/// Audits one period given the weights (by framework position) used to aggregate it and the
/// effective weights.
pub fn audit_period(
    fw: &Framework,
    period: &PeriodResult,
    params: &AuditParams,
    weights: &[f64],
    effective: &[f64],
) -> Result<Audit> {
    let params = params.validate().map_err(|source| Error::Param { step: "audit".into(), source })?;
    let nn = fw.nodes().len();
    for (what, v) in [("audit weights", weights), ("audit effective weights", effective)] {
        if v.len() != nn {
            return Err(Error::ShapeMismatch { what, expected: nn, got: v.len() });
        }
    }
    let cols = correlation::Columns::new((0..nn).map(|i| period.scores(i)).collect());
    let n_units = period.units().len();
    let raw = period.stage("Raw").unwrap_or_else(|| &period.stages[0].1);
    let (units, indicators) = availability::availability(raw);

    let pca = pca_groups(fw, &cols, n_units);
    let mut warnings = Vec::new();
    if n_units < params.get().few_units {
        warnings.push(few_units_warning(n_units));
    }
    for g in &pca {
        match &g.note {
            Some(note) => warnings.push(Text::new(
                format!("PCA of '{}' not computed: {}", g.group, note.en),
                format!("'{}' 的 PCA 未计算：{}", g.group, note.zh),
            )),
            None if g.n_dropped > 0 => warnings.push(Text::new(
                format!(
                    "PCA of '{}' used {} of {} units: {} unit(s) with a missing child were dropped",
                    g.group, g.n_obs, n_units, g.n_dropped
                ),
                format!(
                    "'{}' 的 PCA 仅用了 {} 个单元中的 {} 个：剔除了 {} 个下级有缺失的单元",
                    g.group, n_units, g.n_obs, g.n_dropped
                ),
            )),
            None => {}
        }
    }
    let effective_weights = fw
        .output_order()
        .into_iter()
        .map(|i| EffectiveWeight {
            code: fw.node(i).code().to_string(),
            level: fw.node(i).level,
            weight: weights[i],
            effective: effective[i],
        })
        .collect();
    Ok(Audit {
        period: period.period.clone(),
        n_units,
        params: *params.get(),
        warnings,
        flags: flags::legend(&params),
        availability: Availability { units, indicators },
        correlations: correlation::structural(fw, &cols, &params),
        matrices: correlation::matrices(fw, &cols, &params),
        cronbach: cronbach::rows(fw, &cols),
        pca,
        effective_weights,
    })
}

/// The few-units warning.
fn few_units_warning(n: usize) -> Text {
    Text::new(
        format!(
            "PCA and correlations on {n} units are fragile: one unit can swing a correlation, p-values have \
             little power and PC1 loadings can change with a small data revision. Read them as a description \
             of these {n} units, not as evidence about the framework."
        ),
        format!(
            "仅有 {n} 个单元，PCA 与相关分析结果很不稳定：单个单元即可显著改变相关系数，p 值检验力很弱，\
             数据的小幅修订也可能改变第一主成分载荷。请仅将其视为对这 {n} 个单元的描述，而非指标体系合理性的证据。"
        ),
    )
}

/// PCA of every aggregate with at least two children, in computation order.
fn pca_groups(fw: &Framework, cols: &correlation::Columns, n_units: usize) -> Vec<PcaGroup> {
    fw.aggregates()
        .iter()
        .filter(|&&g| fw.node(g).children.len() >= 2)
        .map(|&g| {
            let node = fw.node(g);
            let children: Vec<String> = node.children.iter().map(|&c| fw.node(c).code().to_string()).collect();
            let data: Vec<&[f64]> = node.children.iter().map(|&c| cols.col(c)).collect();
            let complete = (0..n_units).filter(|&u| data.iter().all(|c| !c[u].is_nan())).count();
            let base = PcaGroup {
                group: node.code().to_string(),
                level: node.level,
                children,
                n_obs: complete,
                n_dropped: n_units - complete,
                variance: Vec::new(),
                prop_var: Vec::new(),
                pc1_loadings: Vec::new(),
                note: None,
            };
            match pca::fit(&data) {
                Ok(f) => PcaGroup {
                    n_obs: f.n_obs,
                    pc1_loadings: f.loadings.first().cloned().unwrap_or_default(),
                    variance: f.variance,
                    prop_var: f.prop_var,
                    ..base
                },
                Err(issue) => {
                    let note = Some(pca::issue_text(&issue, &base.children));
                    PcaGroup { note, ..base }
                }
            }
        })
        .collect()
}

/// Serialises NaN (and ±∞) as `null`.
pub(crate) fn nan_as_null<S: Serializer>(x: &f64, s: S) -> std::result::Result<S::Ok, S::Error> {
    if x.is_finite() { s.serialize_f64(*x) } else { s.serialize_none() }
}

/// A vector with NaN as `null`.
pub(crate) fn nan_as_null_vec<S: Serializer>(v: &[f64], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|x| x.is_finite().then_some(*x)))
}

/// Rows of a matrix with NaN as `null`.
pub(crate) fn nan_as_null_nested<S: Serializer>(v: &[Vec<f64>], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|row| row.iter().map(|x| x.is_finite().then_some(*x)).collect::<Vec<_>>()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Matrix, NodeSpec, StepSpec, compute_matrix};

    #[test]
    fn default_params_are_valid() {
        let p = AuditParams::default().validate().unwrap();
        assert_eq!(p.get().few_units, 30);
        assert!(AuditParams::default().with_pval(0.05).with_weak(0.0).validate().is_ok());
    }

    #[test]
    fn out_of_domain_thresholds() {
        for p in [
            AuditParams::default().with_weak(1.5),
            AuditParams::default().with_collinear(f64::NAN),
            AuditParams::default().with_negative(-2.0),
            AuditParams::default().with_pval(-0.1),
            AuditParams::default().with_pval(1.01),
        ] {
            assert!(matches!(p.validate(), Err(ParamError::OutOfDomain { .. })), "{p:?}");
        }
        let e = AuditParams::default().with_pval(2.0).validate().unwrap_err();
        assert!(e.to_string().contains("pval"), "{e}");
    }

    #[test]
    fn negative_above_weak_is_flipped() {
        let p = AuditParams::default().with_negative(0.5).with_weak(0.3);
        assert!(matches!(p.validate(), Err(ParamError::FlippedRange { lower: 0.5, upper: 0.3, .. })));
    }

    fn small() -> (Framework, PeriodResult) {
        let fw = Framework::build(vec![
            NodeSpec::aggregate("I", None),
            NodeSpec::aggregate("A", Some("I")),
            NodeSpec::aggregate("B", Some("I")),
            NodeSpec::indicator("a1", "A"),
            NodeSpec::indicator("a2", "A").with_direction(-1.0),
            NodeSpec::indicator("b1", "B"),
            NodeSpec::indicator("b2", "B"),
        ])
        .unwrap();
        let nan = f64::NAN;
        let raw = Matrix::from_columns(
            6,
            &[
                vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                vec![6.0, 5.0, 4.0, 3.0, 1.0, 2.0],
                vec![2.0, nan, 1.0, 5.0, 4.0, 6.0],
                vec![1.0, 1.5, 1.2, 0.3, 2.0, 1.0],
            ],
        )
        .unwrap();
        let pipeline = [StepSpec::new("normalise"), StepSpec::new("aggregate")];
        let pr = compute_matrix(&fw, &["u1", "u2", "u3", "u4", "u5", "u6"], &raw, &pipeline).unwrap();
        (fw, pr)
    }

    fn run(params: &AuditParams) -> Audit {
        let (fw, pr) = small();
        let w: Vec<f64> = fw.nodes().iter().map(|n| n.spec.weight).collect();
        audit_period(&fw, &pr, params, &w, &fw.effective_weights(&w)).unwrap()
    }

    #[test]
    fn tables_cover_the_framework() {
        let a = run(&AuditParams::default());
        // Parent rows: 6 non-root nodes; family: 4 indicators × 1 grandparent; within: 1 + 1 + 1.
        for m in Method::ALL {
            let count = |r: Relation| a.correlations.iter().filter(|c| c.method == m && c.relation == r).count();
            assert_eq!((count(Relation::Parent), count(Relation::Family), count(Relation::Within)), (6, 4, 3));
        }
        // a1 and reversed a2 are almost perfectly aligned after normalisation.
        let c = a.correlation("a1", "a2", Relation::Within, Method::Spearman).unwrap();
        assert!(c.r > 0.9 && c.flag == Some(Flag::Collinear), "{c:?}");
        // b1 has a missing value: 5 pairwise-complete observations.
        assert_eq!(a.correlation("b1", "B", Relation::Parent, Method::Pearson).unwrap().n, 5);
        // Availability on Raw: u2 misses b1.
        assert_eq!(a.availability.units[1].missing, ["b1"]);
        assert_eq!(a.availability.indicators[2].available, 5);
        // Cronbach: A, B over indicators; I over indicators and over A, B.
        assert_eq!(a.cronbach.len(), 4);
        // PCA: A, B, I; B dropped u2.
        assert_eq!(a.pca.len(), 3);
        assert_eq!((a.pca[1].group.as_str(), a.pca[1].n_obs, a.pca[1].n_dropped), ("B", 5, 1));
        assert!(a.warnings.iter().any(|w| w.en.contains("PCA of 'B' used 5 of 6")));
        // Effective weights: each indicator 1/4.
        let e: Vec<f64> = a.effective_weights.iter().take(4).map(|w| w.effective).collect();
        assert_eq!(e, [0.25; 4]);
        // Matrices: (1,1), (1,2), (2,2), (2,3), (3,3) for both methods.
        assert_eq!(a.matrices.len(), 10);
        let m = a.matrix(Method::Pearson, 1, 2).unwrap();
        assert_eq!((m.rows.len(), m.cols.len()), (4, 2));
        let direct = a.correlation("a1", "A", Relation::Parent, Method::Pearson).unwrap().r;
        assert_eq!(m.r[0][0], direct);
        let mm = a.matrix(Method::Spearman, 1, 1).unwrap();
        assert!((0..4).all(|i| (mm.r[i][i] - 1.0).abs() < 1e-15 && (0..4).all(|j| mm.r[i][j] == mm.r[j][i])));
    }

    #[test]
    fn few_units_warning_in_both_languages() {
        let a = run(&AuditParams::default());
        let w = &a.warnings[0];
        assert!(w.en.contains("on 6 units are fragile") && w.zh.contains("仅有 6 个单元"), "{w:?}");
        let a = run(&AuditParams::default().with_few_units(6));
        assert!(!a.warnings.iter().any(|w| w.en.contains("fragile")));
    }

    #[test]
    fn pval_masks_insignificant_correlations() {
        let plain = run(&AuditParams::default());
        let masked = run(&AuditParams::default().with_pval(0.05));
        for (p, m) in plain.correlations.iter().zip(&masked.correlations) {
            assert_eq!(p.p.to_bits(), m.p.to_bits());
            if p.p > 0.05 || p.p.is_nan() {
                assert!(m.r.is_nan() && m.flag.is_none());
            } else {
                assert_eq!(p.r, m.r);
            }
        }
        assert!(masked.correlations.iter().any(|c| c.r.is_nan()));
    }

    #[test]
    fn invalid_params_and_weights_are_errors() {
        let (fw, pr) = small();
        let w = vec![1.0; fw.nodes().len()];
        let e = audit_period(&fw, &pr, &AuditParams::default().with_weak(3.0), &w, &w).unwrap_err();
        assert!(matches!(e, Error::Param { .. }), "{e}");
        let e = audit_period(&fw, &pr, &AuditParams::default(), &w[1..], &w).unwrap_err();
        assert!(matches!(e, Error::ShapeMismatch { .. }));
    }
}
