//! Uncertainty and sensitivity analysis against COINr 1.1.14's `get_sensitivity()`
//! (`tests/fixtures/coinr/sensitivity/`, script `SA.R`; README section "Sensitivity analysis").
//!
//! `examples/asem/asem_sensitivity.toml` declares COINr's four uncertain inputs (winmax, the
//! normalisation, 100 noisy weight sets — COINr's own, read from `noisy_weight_sets.csv` — and the
//! aggregation). Replaying COINr's `run_parameters.csv` through `baydex_data::sensitivity` and the
//! core engine must reproduce, for UA_N100 (100 runs) and SA_N100 (600 runs):
//!
//! * every run's Index score of every unit, to 1e-9 (`scores_all_runs.csv`);
//! * every run's rank, exactly (`ranks_all_runs.csv`; `rank(-x, ties = "min")`);
//! * the rank statistics (`rank_stats.csv`: mean, median, 5th/95th percentiles, R type 7) — exact
//!   up to floating-point rounding of the percentile interpolation (1e-12);
//! * SA only: each run's mean absolute rank shift (`run_parameters.csv`, `MeanAbsRankDiff`) and the
//!   Sobol indices Si and STi (`sensitivity_indices.csv`), to 1e-9.
//!
//! COINr's bootstrap intervals come from R's `sample()` and cannot be replayed without R's random
//! number stream; baydex's own seeded bootstrap is checked for bracketing instead.

use std::collections::HashMap;

use baydex_core::sensitivity::{Outcome, replay};
use baydex_data::sensitivity::{Overrides, read_replay, resolve};
use baydex_data::{LoadedProject, load_project_path};

mod coinr;
use coinr::*;

fn asem(file: &str) -> LoadedProject {
    load_project_path(&root().join("examples/asem").join(file)).unwrap_or_else(|d| panic!("{d}"))
}

/// A COINr wide table keyed by uCode: column name → values.
fn wide(rel: &str) -> (Vec<String>, HashMap<String, HashMap<String, f64>>) {
    let rows = read(rel);
    let mut cols: Vec<String> = rows[0].keys().cloned().collect();
    cols.sort();
    let mut by_unit = HashMap::new();
    for r in rows {
        let u = r["uCode"].clone();
        by_unit.insert(u, r.iter().filter(|(k, _)| *k != "uCode").map(|(k, v)| (k.clone(), parse(v))).collect());
    }
    (cols, by_unit)
}

fn run(folder: &str) -> (LoadedProject, Outcome) {
    let l = asem("asem_sensitivity.toml");
    let spec = l.sensitivity.clone().expect("asem_sensitivity.toml has a [sensitivity] table");
    let (inputs, mut settings) = resolve(&spec, &l.project, &Overrides::default()).unwrap();
    let path = root().join("tests/fixtures/coinr/sensitivity").join(folder).join("run_parameters.csv");
    let bytes = std::fs::read(&path).unwrap();
    let (choices, n) = read_replay(&path.display().to_string(), &bytes, &spec, &inputs, &l.project.framework)
        .unwrap_or_else(|d| panic!("{d}"));
    settings.sensitivity = n.is_some();
    settings.n = n.unwrap_or(choices.len() / inputs.len());
    settings.leave_one_out = false;
    let out = replay(&l.project, &inputs, &settings, choices, &|_| {}).unwrap_or_else(|e| panic!("{e}"));
    (l, out)
}

fn check(folder: &str, runs: usize) -> Outcome {
    let (_, out) = run(folder);
    assert_eq!(out.runs(), runs);
    assert!(out.failed.iter().all(|f| !f), "COINr had no failed run; first: {:?}", out.first_error);
    let nu = out.units.len();
    assert_eq!(nu, 51);
    // Nominal scores and ranks (COINr: nominal.csv).
    let mut d = Diff::default();
    for r in read(&format!("sensitivity/{folder}/nominal.csv")) {
        let u = out.units.iter().position(|c| *c == r["uCode"]).unwrap();
        d.check(&format!("nominal {}", r["uCode"]), out.nominal_scores[u], parse(&r["Score"]));
        assert_eq!(out.nominal_ranks[u], Some(parse(&r["Rank"]) as u32), "nominal rank {}", r["uCode"]);
    }
    d.report(&format!("{folder} nominal scores"), nu);
    // Every run's score and rank.
    let (_, scores) = wide(&format!("sensitivity/{folder}/scores_all_runs.csv"));
    let (_, ranks) = wide(&format!("sensitivity/{folder}/ranks_all_runs.csv"));
    let mut d = Diff::default();
    for (u, code) in out.units.iter().enumerate() {
        for r in 0..runs {
            let col = format!("r_{}", r + 1);
            d.check(&format!("{folder} {code} run {}", r + 1), out.scores[r * nu + u], scores[code][&col]);
            assert_eq!(
                out.ranks[r * nu + u].map(f64::from),
                Some(ranks[code][&col]),
                "{folder} rank of {code} in run {}",
                r + 1
            );
        }
    }
    d.report(&format!("{folder} scores of every run"), nu * runs);
    // Rank statistics.
    for r in read(&format!("sensitivity/{folder}/rank_stats.csv")) {
        let u = out.units.iter().position(|c| *c == r["uCode"]).unwrap();
        let s = &out.rank_stats[u];
        for (what, got, col) in
            [("mean", s.mean, "Mean"), ("median", s.median, "Median"), ("q5", s.q5, "Q5"), ("q95", s.q95, "Q95")]
        {
            let want = parse(&r[col]);
            assert!((got - want).abs() <= 1e-12, "{folder} {} rank {what}: got {got}, COINr {want}", r["uCode"]);
        }
    }
    out
}

#[test]
fn asem_sensitivity_project_is_asem_full() {
    let a = asem("asem_full.toml");
    let b = asem("asem_sensitivity.toml");
    assert_eq!(a.project.pipeline, b.project.pipeline);
    // NaN-aware: the debug text of both panels.
    assert!(format!("{:?}", a.project.data) == format!("{:?}", b.project.data), "the data differ");
    assert_eq!(a.project.units, b.project.units);
    assert_eq!(a.project.framework.nodes().len(), b.project.framework.nodes().len());
    for (x, y) in a.project.framework.nodes().iter().zip(b.project.framework.nodes()) {
        assert_eq!(x.spec, y.spec);
    }
    assert!(a.sensitivity.is_none());
    assert_eq!(b.sensitivity.as_ref().map(|s| s.inputs.len()), Some(4));
}

#[test]
fn replays_coinr_uncertainty_analysis_n100() {
    let out = check("UA_N100", 100);
    assert!(out.sobol.is_none());
}

#[test]
fn replays_coinr_sensitivity_analysis_n100() {
    let out = check("SA_N100", 600);
    // The SA output variable of every run: COINr's mean absolute rank change vs nominal.
    let runs = read("sensitivity/SA_N100/run_parameters.csv");
    let mut d = Diff::default();
    for (r, row) in runs.iter().enumerate() {
        d.check(&format!("run {} y", r + 1), out.shift[r], parse(&row["MeanAbsRankDiff"]));
        let block = out.block(r).label(&out.names);
        assert_eq!(block, row["Block"], "block of run {}", r + 1);
    }
    d.report("SA_N100 mean |rank shift| per run", 600);
    // Sobol indices.
    let sobol = out.sobol.as_ref().unwrap();
    let mut d = Diff::default();
    for row in read("sensitivity/SA_N100/sensitivity_indices.csv") {
        let k = out.names.iter().position(|n| *n == row["Variable"]).unwrap();
        d.check(&format!("Si {}", row["Variable"]), sobol[k].si, parse(&row["Si"]));
        d.check(&format!("STi {}", row["Variable"]), sobol[k].sti, parse(&row["STi"]));
        // baydex's own seeded bootstrap (COINr's resamples come from R's RNG): the interval
        // brackets the estimate of the total-order index.
        assert!(sobol[k].sti_q5 <= sobol[k].sti && sobol[k].sti <= sobol[k].sti_q95, "{:?}", sobol[k]);
    }
    d.report("SA_N100 Sobol indices", 8);
}
