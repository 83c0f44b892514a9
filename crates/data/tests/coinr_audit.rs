//! Reference tests of the audit: `examples/asem/asem.toml` (oracle V1: min-max [0,100] →
//! arithmetic mean) against COINr 1.1.14 on R 4.2.2 (`tests/fixtures/coinr/`, see its README):
//!
//! * every file of `V1_default/correlations/` (`get_corr`, Pearson, pairwise complete; with
//!   `pval = 0` and, for indicator vs pillar, COINr's default `pval = 0.05`);
//! * `V1_default/cronbach_alpha.csv` (`get_cronbach` of every group × lower level);
//! * the PCA of `V8_pca_weights/V8a_pca_level2` (pillars within sub-indices) and `V8b_pca_level1`
//!   (indicators within pillars) (`get_PCA` → `prcomp`), up to the sign of each component.

use baydex_core::audit::{self, Audit, AuditParams, Method, Relation};
use baydex_core::{Project, Results, compute};
use baydex_data::load_project_path;

mod coinr;
use coinr::*;

fn asem() -> (Project, Results) {
    let l = load_project_path(&root().join("examples/asem/asem.toml")).unwrap_or_else(|d| panic!("{d}"));
    let res = compute(&l.project).unwrap();
    (l.project, res)
}

fn run_audit(params: &AuditParams) -> Audit {
    let (project, res) = asem();
    let a = audit::audit(&project, &res.periods[0], params).unwrap();
    // `audit` (weights from the project's pipeline) and `audit_results` (from Results) agree.
    // (Compared through Debug, where NaN equals NaN.)
    let b = audit::audit_results(&project, &res, params).unwrap().remove(0);
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    a
}

/// A `withparent = TRUE` file: `Var1` is the parent, `Var2` the child.
fn check_parent_file(a: &Audit, file: &str, expected: usize) {
    let mut d = Diff::default();
    for row in read(&format!("V1_default/correlations/{file}")) {
        let (parent, child) = (&row["Var1"], &row["Var2"]);
        let c = a
            .correlation(child, parent, Relation::Parent, Method::Pearson)
            .unwrap_or_else(|| panic!("{file}: no parent correlation {child} ~ {parent}"));
        d.check(&format!("{file} {child} ~ {parent}"), c.r, parse(&row["Correlation"]));
    }
    d.report(file, expected);
}

/// A `withparent = "family"` file: `ParentCode` is the ancestor, `Var2` the node.
fn check_family_file(a: &Audit, file: &str, expected: usize) {
    let mut d = Diff::default();
    for row in read(&format!("V1_default/correlations/{file}")) {
        let (anc, node) = (&row["ParentCode"], &row["Var2"]);
        let c = a
            .correlation(node, anc, Relation::Parent, Method::Pearson)
            .or_else(|| a.correlation(node, anc, Relation::Family, Method::Pearson))
            .unwrap_or_else(|| panic!("{file}: no family correlation {node} ~ {anc}"));
        d.check(&format!("{file} {node} ~ {anc}"), c.r, parse(&row["Correlation"]));
    }
    d.report(file, expected);
}

/// A wide matrix file: first column `Var` holds the row codes.
fn check_matrix_file(a: &Audit, file: &str, levels: (u32, u32), expected: usize) {
    let m = a.matrix(Method::Pearson, levels.0, levels.1).unwrap();
    let get = |x: &str, y: &str| -> f64 {
        let (i, j) = match (m.rows.iter().position(|r| r == x), m.cols.iter().position(|c| c == y)) {
            (Some(i), Some(j)) => (i, j),
            _ => (m.rows.iter().position(|r| r == y).unwrap(), m.cols.iter().position(|c| c == x).unwrap()),
        };
        m.r[i][j]
    };
    let mut d = Diff::default();
    for row in read(&format!("V1_default/correlations/{file}")) {
        let var = &row["Var"];
        for (col, v) in &row {
            if col != "Var" {
                d.check(&format!("{file} {var} ~ {col}"), get(var, col), parse(v));
            }
        }
    }
    d.report(file, expected);
}

#[test]
fn coinr_v1_correlations_with_parents_and_family() {
    let a = run_audit(&AuditParams::default());
    check_parent_file(&a, "corr_indicator_vs_parent_pillar.csv", 49);
    check_parent_file(&a, "corr_pillar_vs_parent_subindex.csv", 8);
    check_parent_file(&a, "corr_subindex_vs_index.csv", 2);
    check_family_file(&a, "corr_indicator_family.csv", 49 * 3);
    check_family_file(&a, "corr_pillar_family.csv", 8 * 2);
}

/// COINr's default `pval = 0.05` masks Forest, NEET and RDExp (p > 0.05) in the indicator vs
/// pillar table (`corr_indicator_vs_parent_pillar_pval005.csv`).
#[test]
fn coinr_v1_correlations_pval_005() {
    let a = run_audit(&AuditParams::default().with_pval(0.05));
    check_parent_file(&a, "corr_indicator_vs_parent_pillar_pval005.csv", 49);
    let mut masked: Vec<&str> = a
        .correlations
        .iter()
        .filter(|c| c.level == 1 && c.relation == Relation::Parent && c.method == Method::Pearson && c.r.is_nan())
        .map(|c| c.var1.as_str())
        .collect();
    masked.sort_unstable();
    assert_eq!(masked, ["Forest", "NEET", "RDExp"]);
}

#[test]
fn coinr_v1_correlation_matrices() {
    let a = run_audit(&AuditParams::default());
    check_matrix_file(&a, "corrmatrix_indicators_x_indicators.csv", (1, 1), 49 * 49);
    check_matrix_file(&a, "corrmatrix_indicators_x_pillars.csv", (1, 2), 49 * 8);
    check_matrix_file(&a, "corrmatrix_pillars_x_pillars.csv", (2, 2), 8 * 8);
}

#[test]
fn coinr_v1_cronbach_alpha() {
    let a = run_audit(&AuditParams::default());
    let rows = read("V1_default/cronbach_alpha.csv");
    let mut d = Diff::default();
    for row in &rows {
        let (g, lev): (&str, u32) = (&row["Group"], row["ChildLevel"].parse().unwrap());
        let c = a
            .cronbach
            .iter()
            .find(|c| c.group == g && c.child_level == lev)
            .unwrap_or_else(|| panic!("no Cronbach row {g} / level {lev}"));
        assert_eq!(c.k.to_string(), row["k"], "{g} / {lev}: k");
        assert_eq!(c.group_level.to_string(), row["GroupLevel"], "{g}: level");
        d.check(&format!("alpha {g} / {lev}"), c.alpha, parse(&row["CronbachAlpha"]));
    }
    assert_eq!(a.cronbach.len(), rows.len(), "every group × child level, no more");
    d.report("cronbach_alpha.csv", 15);
}

/// Compares COINr's PCA of `groups` with the audit (variance and PC1, whose sign is fixed per
/// group) and with `audit::pca::fit` (every component, each up to sign).
fn check_pca(dir: &str, groups: &[&str], expected_loadings: usize) {
    let a = run_audit(&AuditParams::default());
    let (project, res) = asem();
    let fw = &project.framework;
    let pr = &res.periods[0];
    let variance = read(&format!("V8_pca_weights/{dir}/pca_variance.csv"));
    let loadings = read(&format!("V8_pca_weights/{dir}/pca_loadings_long.csv"));
    let (mut dv, mut dl) = (Diff::default(), Diff::default());
    for &g in groups {
        let pg = a.pca.iter().find(|p| p.group == g).unwrap_or_else(|| panic!("no PCA of {g}"));
        let node = fw.node(fw.find(g).unwrap());
        let cols: Vec<&[f64]> = node.children.iter().map(|&c| pr.scores(c)).collect();
        let fit = audit::pca::fit(&cols).unwrap();
        for row in variance.iter().filter(|r| r["Group"] == g) {
            let k: usize = row["PC"].trim_start_matches("PC").parse::<usize>().unwrap() - 1;
            assert_eq!(pg.n_obs.to_string(), row["nobs"], "{dir} {g}: nobs");
            dv.check(&format!("{dir} {g} PC{} variance", k + 1), pg.variance[k], parse(&row["Variance"]));
            dv.check(&format!("{dir} {g} PC{} share", k + 1), pg.prop_var[k], parse(&row["PropVar"]));
        }
        // COINr's sign is arbitrary: align each component by its largest COINr loading.
        let of = |pc: &str| -> Vec<(usize, f64)> {
            loadings
                .iter()
                .filter(|r| r["Group"] == g && r["PC"] == pc)
                .map(|r| (pg.children.iter().position(|c| *c == r["iCode"]).unwrap(), parse(&r["Loading"])))
                .collect()
        };
        for k in 0..fit.loadings.len() {
            let want = of(&format!("PC{}", k + 1));
            assert_eq!(want.len(), pg.children.len(), "{dir} {g} PC{}", k + 1);
            let &(lead, lv) = want.iter().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).unwrap();
            let got = if k == 0 { &pg.pc1_loadings } else { &fit.loadings[k] };
            let sign = if (got[lead] > 0.0) == (lv > 0.0) { 1.0 } else { -1.0 };
            for (j, w) in want {
                dl.check(&format!("{dir} {g} PC{} {}", k + 1, pg.children[j]), sign * got[j], w);
            }
        }
        assert_eq!(pg.pc1_loadings, fit.loadings[0]);
    }
    dv.report(&format!("{dir}/pca_variance.csv (variance and share)"), 2 * variance.len());
    dl.report(&format!("{dir}/pca_loadings_long.csv"), expected_loadings);
    assert_eq!(loadings.len(), expected_loadings);
}

#[test]
fn coinr_v8a_pca_of_pillars_in_subindices() {
    check_pca("V8a_pca_level2", &["Conn", "Sust"], 5 * 5 + 3 * 3);
}

#[test]
fn coinr_v8b_pca_of_indicators_in_pillars() {
    let pillars = ["ConEcFin", "Instit", "P2P", "Physical", "Political", "Environ", "Social", "SusEcFin"];
    check_pca("V8b_pca_level1", &pillars, 5 * 5 + 6 * 6 + 8 * 8 + 8 * 8 + 3 * 3 + 5 * 5 + 9 * 9 + 5 * 5);
}

/// The audit's effective weights are `Results::effective_weights` (COINr `get_eff_weights`).
#[test]
fn coinr_v1_effective_weights_in_the_audit() {
    let a = run_audit(&AuditParams::default());
    let mut d = Diff::default();
    for row in read("V1_default/effective_weights.csv") {
        let e = a.effective_weights.iter().find(|w| w.code == row["iCode"]).unwrap();
        d.check(&format!("effective weight {}", e.code), e.effective, parse(&row["EffWeight"]));
    }
    d.report("effective_weights.csv", 60);
    // 51 units: no few-units warning.
    assert!(!a.warnings.iter().any(|w| w.en.contains("fragile")), "{:?}", a.warnings);
}
