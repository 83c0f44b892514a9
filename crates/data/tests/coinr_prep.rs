//! Reference tests of the data-preparation steps (`impute`, `screen`, `treat`, with `denominate`)
//! against the COINr oracle in `tests/fixtures/coinr/` (COINr 1.1.14 on R 4.2.2; formulas in its
//! README, sections V5, V6 and V11).
//!
//! * V5 (`Impute` → min-max [0,100] → `a_amean`): `i_mean`, `i_mean_grp` by `GDP_group`,
//!   `i_median` — the imputed data, the list of imputed cells, normalised data, aggregates, ranks.
//! * V6 (`Treat` → min-max → `a_amean`), defaults and `winmax = 1`: the treated data, every treated
//!   point (`treated_points.csv` flags against the step's cell changes), COINr's treatment table
//!   (skewness / kurtosis before and after, points winsorised), normalised data, aggregates, ranks.
//! * V11 (`build_example_coin()`, run from `examples/asem/asem_full.toml`): every intermediate
//!   stage, and `Screen` on the raw data at 0.9 and 0.95.
//!
//! COINr sorts units by `uCode`; baydex keeps the project's order, so everything is compared by unit
//! code and column name. Run with `--nocapture` to see the largest difference per variant.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use baydex_core::treat::{self, Rule};
use baydex_core::{Results, StepSpec, Value, compute};
use baydex_data::{LoadedProject, load_project_path};

mod coinr;
use coinr::*;

/// A COINr CSV: header, then rows keyed by the first column (`uCode` or `iCode`).
struct Table {
    cols: Vec<String>,
    rows: HashMap<String, Vec<String>>,
}

impl Table {
    fn col(&self, name: &str) -> usize {
        self.cols.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"))
    }
}

fn read_table(rel: &str) -> Table {
    let path = root().join("tests/fixtures/coinr").join(rel);
    let mut r = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cols: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let mut rows = HashMap::new();
    for rec in r.records() {
        let v: Vec<String> = rec.unwrap().iter().map(str::to_string).collect();
        rows.insert(v[0].clone(), v);
    }
    Table { cols, rows }
}

fn asem(file: &str) -> LoadedProject {
    load_project_path(&root().join("examples/asem").join(file)).unwrap_or_else(|d| panic!("{d}"))
}

fn run(steps: Vec<StepSpec>) -> (LoadedProject, Results) {
    let mut l = asem("asem.toml");
    l.project.pipeline = steps;
    let res = compute(&l.project).unwrap_or_else(|e| panic!("{e}"));
    (l, res)
}

fn s(v: &str) -> Value {
    Value::Str(v.into())
}

/// min-max [0, 100] → arithmetic mean, as in every V5 / V6 variant.
fn normalise_aggregate() -> [StepSpec; 2] {
    [StepSpec::new("normalise").with("method", s("minmax")), StepSpec::new("aggregate").with("method", s("amean"))]
}

/// Compares a stage (or, with `None`, the node scores) with a COINr CSV, by unit and column.
fn compare(l: &LoadedProject, res: &Results, rel: &str, stage: Option<&str>, diff: &mut Diff) -> usize {
    let t = read_table(rel);
    let pr = &res.periods[0];
    let before = diff.n;
    for (c, code) in t.cols.iter().enumerate() {
        if code == "uCode" || code == "uName" {
            continue;
        }
        let (units, values): (&[String], &[f64]) = match stage {
            Some(s) => {
                let d = pr.stage(s).unwrap_or_else(|| panic!("no stage {s}"));
                (&d.units, d.values(code).unwrap_or_else(|| panic!("{s} has no column {code}")))
            }
            None => (pr.units(), pr.scores(l.project.framework.find(code).unwrap_or_else(|| panic!("no node {code}")))),
        };
        assert_eq!(units.len(), t.rows.len(), "{rel}: unit count");
        for (u, unit) in units.iter().enumerate() {
            let row = t.rows.get(unit).unwrap_or_else(|| panic!("{rel}: no row {unit}"));
            diff.check(&format!("{rel} {unit}/{code}"), values[u], parse(&row[c]));
        }
    }
    diff.n - before
}

/// Ranks of every node (`ranks_all.csv`) and the index ranking (`index_ranks.csv`).
fn compare_ranks(l: &LoadedProject, res: &Results, dir: &str, diff: &mut Diff) {
    let t = read_table(&format!("{dir}/ranks_all.csv"));
    let pr = &res.periods[0];
    let fw = &l.project.framework;
    for (c, code) in t.cols.iter().enumerate().skip(1) {
        let ranks = pr.ranks(fw.find(code).unwrap());
        for (u, unit) in pr.units().iter().enumerate() {
            let got = ranks[u].map_or("NA".to_string(), |r| r.to_string());
            assert_eq!(got, t.rows[unit][c], "{dir} rank of {unit} on {code}");
        }
    }
    let t = read_table(&format!("{dir}/index_ranks.csv"));
    let root = fw.root();
    for (u, unit) in pr.units().iter().enumerate() {
        let row = &t.rows[unit];
        diff.check(&format!("{dir} index of {unit}"), pr.scores(root)[u], parse(&row[2]));
        assert_eq!(pr.ranks(root)[u].unwrap().to_string(), row[3], "{dir} index rank of {unit}");
    }
}

/// Normalised data, aggregates, COINr's full Aggregated set and every rank.
fn compare_scores(l: &LoadedProject, res: &Results, dir: &str, diff: &mut Diff) {
    assert_eq!(compare(l, res, &format!("{dir}/normalised.csv"), Some("Normalised"), diff), 51 * 49);
    assert_eq!(compare(l, res, &format!("{dir}/aggregates.csv"), None, diff), 51 * 11);
    assert_eq!(compare(l, res, &format!("{dir}/aggregated_full.csv"), Some("Aggregated"), diff), 51 * 60);
    compare_ranks(l, res, dir, diff);
}

/// The cell changes a step logged in the (single) period.
fn changes<'a>(res: &'a Results, step: &str) -> &'a [baydex_core::step::CellChange] {
    &res.periods[0].log.iter().find(|s| s.step == step).unwrap_or_else(|| panic!("no {step} log")).changes
}

// ------------------------------------------------------------------------------------------------
// V5: imputation

fn check_v5(dir: &str, method: &str, group: Option<&str>) {
    let mut imp = StepSpec::new("impute").with("method", s(method));
    if let Some(g) = group {
        imp = imp.with("group", s(g));
    }
    let [n, a] = normalise_aggregate();
    let (l, res) = run(vec![imp, n, a]);
    let dir = format!("V5_impute/{dir}");
    let mut diff = Diff::default();
    assert_eq!(compare(&l, &res, &format!("{dir}/imputed.csv"), Some("Imputed"), &mut diff), 51 * 49);
    // Every imputed cell, with its value and method; nothing else.
    let t = read_table(&format!("{dir}/imputed_cells.csv"));
    let path = root().join("tests/fixtures/coinr").join(&dir).join("imputed_cells.csv");
    let mut want = BTreeMap::new();
    for rec in csv::Reader::from_path(path).unwrap().records() {
        let rec = rec.unwrap();
        want.insert((rec[0].to_string(), rec[1].to_string()), parse(&rec[t.col("ImputedValue")]));
    }
    assert_eq!(want.len(), 63);
    let got = changes(&res, "impute");
    assert_eq!(got.len(), want.len(), "{dir}: number of imputed cells");
    for c in got {
        assert_eq!(c.what, method);
        assert!(c.before.is_nan());
        let w =
            want.get(&(c.unit.clone(), c.code.clone())).unwrap_or_else(|| panic!("{dir}: {c:?} not imputed by COINr"));
        diff.check(&format!("{dir} imputed cell {}/{}", c.unit, c.code), c.after, *w);
    }
    compare_scores(&l, &res, &dir, &mut diff);
    eprintln!("{dir}: {} values, max abs difference {:e}", diff.n, diff.max);
}

#[test]
fn coinr_v5a_impute_mean() {
    check_v5("V5a_i_mean", "mean", None);
}

#[test]
fn coinr_v5b_impute_group_mean_gdp_group() {
    check_v5("V5b_i_mean_grp_GDP_group", "group_mean", Some("GDP_group"));
}

#[test]
fn coinr_v5c_impute_median() {
    check_v5("V5c_i_median", "median", None);
}

// ------------------------------------------------------------------------------------------------
// V6 / V11: outlier treatment

/// `treated_points.csv` against the treat step's changes: "winhi" / "winlo" points are the capped
/// cells (value before = input, after = treated); columns flagged "log_CT" (COINr writes "+log_CT",
/// or "winhi+log_CT" for a discarded winsorised point) are the indicators listed as `log_ct`.
fn compare_points(res: &Results, dir: &str, input_stage: &str, diff: &mut Diff) -> (usize, BTreeSet<String>) {
    let t = read_table(&format!("{dir}/treated_points.csv"));
    let mut win = BTreeMap::new();
    let mut logged = BTreeSet::new();
    for (unit, row) in &t.rows {
        for (c, code) in t.cols.iter().enumerate().skip(1) {
            let flag = row[c].as_str();
            match flag {
                "" => {}
                "winhi" | "winlo" => {
                    win.insert((unit.clone(), code.clone()), flag.to_string());
                }
                f if f.ends_with("log_CT") => {
                    logged.insert(code.clone());
                }
                f => panic!("{dir}: unexpected flag {f}"),
            }
        }
    }
    let pr = &res.periods[0];
    let (input, treated) = (pr.stage(input_stage).unwrap(), pr.stage("Treated").unwrap());
    let at = |d: &baydex_core::Dataset, u: &str, c: &str| {
        d.data.get(d.units.iter().position(|x| x == u).unwrap(), d.column(c).unwrap())
    };
    let got = changes(res, "treat");
    let got_log: BTreeSet<String> = got.iter().filter(|c| c.what == "log_ct").map(|c| c.code.clone()).collect();
    assert_eq!(got_log, logged, "{dir}: log-transformed indicators");
    assert!(got.iter().filter(|c| c.what == "log_ct").all(|c| c.unit.is_empty()));
    let got_win: BTreeMap<(String, String), String> = got
        .iter()
        .filter(|c| c.what.starts_with("win"))
        .map(|c| ((c.unit.clone(), c.code.clone()), c.what.clone()))
        .collect();
    assert_eq!(got_win, win, "{dir}: winsorised points");
    for c in got.iter().filter(|c| c.what.starts_with("win")) {
        diff.check(&format!("{dir} {}/{} before", c.unit, c.code), c.before, at(input, &c.unit, &c.code));
        diff.check(&format!("{dir} {}/{} after", c.unit, c.code), c.after, at(treated, &c.unit, &c.code));
    }
    (win.len(), logged)
}

/// COINr's own treatment table (`treatment_details.csv`): skewness and kurtosis before, after
/// winsorising and after the log transform, the pass flags and `nwin`, recomputed with
/// [`baydex_core::treat::treat`] on the input column.
fn compare_details(res: &Results, dir: &str, input_stage: &str, rule: &Rule, diff: &mut Diff) {
    let t = read_table(&format!("{dir}/treatment_details.csv"));
    let input = res.periods[0].stage(input_stage).unwrap();
    let flag = |s: &str| match s {
        "TRUE" => Some(true),
        "FALSE" => Some(false),
        _ => None,
    };
    let opt = |row: &Vec<String>, name: &str| t.cols.iter().position(|c| c == name).map(|i| row[i].clone());
    for (code, row) in &t.rows {
        let tr = treat::treat(input.values(code).unwrap(), rule);
        let stages = [
            ("check_SkewKurt0", tr.before),
            ("check_SkewKurt1", tr.after_winsorising),
            ("check_SkewKurt2", tr.after_transform),
        ];
        for (name, got) in stages {
            let pass = opt(row, &format!("{name}.Pass")).and_then(|s| flag(&s));
            match (pass, got) {
                (None, None) => {}
                (Some(p), Some(c)) => {
                    assert_eq!(c.pass, Some(p), "{dir} {code} {name}.Pass");
                    diff.check(
                        &format!("{dir} {code} {name}.Skew"),
                        c.skew,
                        parse(&row[t.col(&format!("{name}.Skew"))]),
                    );
                    diff.check(
                        &format!("{dir} {code} {name}.Kurt"),
                        c.kurt,
                        parse(&row[t.col(&format!("{name}.Kurt"))]),
                    );
                }
                (p, g) => panic!("{dir} {code} {name}: COINr {p:?}, baydex {g:?}"),
            }
        }
        let nwin = parse(&row[t.col("winsorise.nwin")]);
        if nwin.is_nan() {
            assert!(tr.after_winsorising.is_none(), "{dir} {code}: not winsorised by COINr");
        } else {
            assert_eq!(tr.nwin as f64, nwin, "{dir} {code}: nwin");
        }
    }
}

fn check_v6(dir: &str, winmax: Option<i64>, winsorised_points: usize, logged: &[&str]) {
    let mut tr = StepSpec::new("treat");
    let mut rule = Rule::default();
    if let Some(w) = winmax {
        tr = tr.with("winmax", Value::Int(w));
        rule.winmax = w as usize;
    }
    let [n, a] = normalise_aggregate();
    let (l, res) = run(vec![tr, n, a]);
    let dir = format!("V6_treat/{dir}");
    let mut diff = Diff::default();
    assert_eq!(compare(&l, &res, &format!("{dir}/treated.csv"), Some("Treated"), &mut diff), 51 * 49);
    let (points, log) = compare_points(&res, &dir, "Raw", &mut diff);
    assert_eq!(points, winsorised_points, "{dir}: capped points");
    assert_eq!(log.iter().map(String::as_str).collect::<Vec<_>>(), logged, "{dir}: log_ct");
    compare_details(&res, &dir, "Raw", &rule, &mut diff);
    // Our summary: which indicators were winsorised or transformed (treatment_summary.csv).
    let t = read_table(&format!("{dir}/treatment_summary.csv"));
    let got = changes(&res, "treat");
    for (code, row) in &t.rows {
        let kind = row[t.col("Treatment")].as_str();
        let capped = got.iter().filter(|c| &c.code == code && c.what.starts_with("win")).count();
        let logged = got.iter().any(|c| &c.code == code && c.what == "log_ct");
        match kind {
            "none" => assert!(capped == 0 && !logged, "{dir} {code}"),
            "winsorised" => {
                assert!(!logged, "{dir} {code}");
                assert_eq!(capped as f64, parse(&row[t.col("nwin")]), "{dir} {code}: nwin");
            }
            _ => assert!(logged && capped == 0, "{dir} {code}: {kind}"),
        }
    }
    compare_scores(&l, &res, &dir, &mut diff);
    eprintln!("{dir}: {} values, max abs difference {:e}", diff.n, diff.max);
}

/// V6a: 18 indicators winsorised, none log-transformed (README: Goods capped CHN and DEU, …).
#[test]
fn coinr_v6a_treat_defaults() {
    check_v6("V6a_default", None, 30, &[]);
}

/// V6b: `winmax = 1` exercises the log branch.
#[test]
fn coinr_v6b_treat_winmax_1() {
    let logged = ["CultServ", "Forest", "Goods", "NGOs", "Poverty", "Research", "StMob", "Tariff", "Tourist"];
    check_v6("V6b_winmax1", Some(1), 9, &logged);
}

// ------------------------------------------------------------------------------------------------
// V11: COINr's full example, from examples/asem/asem_full.toml

#[test]
fn coinr_v11_full_example() {
    let l = asem("asem_full.toml");
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    let steps: Vec<&str> = l.project.pipeline.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps, ["denominate", "impute", "screen", "treat", "normalise", "aggregate"]);
    let res = compute(&l.project).unwrap_or_else(|e| panic!("{e}"));
    let dir = "V11_full_example";
    let mut diff = Diff::default();
    for (file, stage) in
        [("denominated", "Denominated"), ("imputed", "Imputed"), ("screened", "Screened"), ("treated", "Treated")]
    {
        assert_eq!(compare(&l, &res, &format!("{dir}/{file}.csv"), Some(stage), &mut diff), 51 * 49, "{file}");
    }
    // Screening removed nothing after imputation (screening_removed_units.txt: "(none)").
    assert!(changes(&res, "screen").is_empty());
    let removed =
        std::fs::read_to_string(root().join("tests/fixtures/coinr").join(dir).join("screening_removed_units.txt"))
            .unwrap();
    assert!(removed.contains("(none)"));
    // Imputation: every cell missing after denominating, and only those.
    let den = res.periods[0].stage("Denominated").unwrap();
    assert_eq!(changes(&res, "impute").len(), den.data.count_missing());
    assert!(changes(&res, "impute").iter().all(|c| c.what == "group_mean"));
    let (points, logged) = compare_points(&res, dir, "Screened", &mut diff);
    assert!(logged.is_empty(), "V11 transforms nothing");
    assert!(points > 0);
    compare_details(&res, dir, "Screened", &Rule::default(), &mut diff);
    compare_scores(&l, &res, dir, &mut diff);
    eprintln!("{dir}: {} values, max abs difference {:e}", diff.n, diff.max);
}

/// `Screen(dset = "Raw", dat_thresh, unit_screen = "byNA")` on the raw data: 5 units removed at
/// 0.9 and 8 at 0.95 (`screen_raw_thresh_*`), with their data availability.
#[test]
fn coinr_v11_screen_raw_data() {
    for th in ["0.9", "0.95"] {
        let scr = StepSpec::new("screen").with("unit_screen", s("byNA")).with("dat_thresh", Value::Float(parse(th)));
        let [n, a] = normalise_aggregate();
        let (_, res) = run(vec![scr, n, a]);
        let dir = "V11_full_example";
        let text = std::fs::read_to_string(
            root().join("tests/fixtures/coinr").join(dir).join(format!("screen_raw_thresh_{th}_removed.txt")),
        )
        .unwrap();
        let want: BTreeSet<&str> = text.lines().skip(1).map(str::trim).filter(|l| !l.is_empty()).collect();
        let got = changes(&res, "screen");
        let got_units: BTreeSet<&str> = got.iter().map(|c| c.unit.as_str()).collect();
        assert_eq!(got_units, want, "removed at {th}");
        assert!(got.iter().all(|c| c.what == "dropped" && c.code.is_empty()));
        let t = read_table(&format!("{dir}/screen_raw_thresh_{th}_summary.csv"));
        let mut diff = Diff::default();
        for c in got {
            diff.check(&format!("Dat_Avail of {}", c.unit), c.before, parse(&t.rows[&c.unit][t.col("Dat_Avail")]));
            assert_eq!(t.rows[&c.unit][t.col("Included")], "FALSE");
        }
        let screened = res.periods[0].stage("Screened").unwrap();
        assert_eq!(screened.units.len(), 51 - want.len());
        assert!(screened.units.iter().all(|u| !want.contains(u.as_str())));
        assert_eq!(res.periods[0].units().len(), 51 - want.len(), "later stages keep the screened units");
        eprintln!("screen raw at {th}: removed {:?}, max abs difference {:e}", want, diff.max);
    }
}
