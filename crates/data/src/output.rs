//! Writing a run's outputs: `scores.csv`, `stages/<Stage>.csv`, `audit/<table>.csv`,
//! `tiers.csv`, `obstacles.csv`, `results.json`, `manifest.json`.
//!
//! Everything is rendered in memory first; files are then written to temporary names in the
//! output directory and renamed into place only when every one of them was written, so a failed
//! run leaves an existing output directory as it was.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::LoadedProject;
use baydex_core::audit::Audit;
use baydex_core::{Dataset, Project, Results};
use serde_json::{Value as Json, json};

/// One output file: path relative to the output directory, and its bytes.
#[derive(Debug, Clone)]
pub struct OutFile {
    /// Path relative to the output directory.
    pub rel: PathBuf,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Formats a score: shortest representation that round-trips the f64, `NA` when missing.
pub fn fmt_num(x: f64) -> String {
    if x.is_nan() { "NA".to_string() } else { format!("{x}") }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// `scores.csv`: one row per period × node × unit.
pub fn scores_csv(project: &Project, results: &Results) -> String {
    let fw = &project.framework;
    let mut s = String::from("unit,period,node,level,score,rank,tier\n");
    for pr in &results.periods {
        for i in fw.output_order() {
            let node = fw.node(i);
            let (scores, ranks, tiers) = (pr.scores(i), pr.ranks(i), pr.tiers(i));
            for (u, unit) in pr.units().iter().enumerate() {
                let rank = ranks[u].map_or("NA".to_string(), |r| r.to_string());
                let tier = match (tiers[u], &project.tiers) {
                    (Some(t), Some(scheme)) => scheme.bands[t].code.clone(),
                    _ => String::new(),
                };
                let _ = writeln!(
                    s,
                    "{},{},{},{},{},{},{}",
                    csv_field(unit),
                    csv_field(&pr.period),
                    csv_field(node.code()),
                    node.level,
                    fmt_num(scores[u]),
                    rank,
                    csv_field(&tier)
                );
            }
        }
    }
    s
}

/// A stage as a wide CSV: `unit,period,<columns>`.
pub fn stage_csv(stage: &[(&str, &Dataset)]) -> String {
    let mut s = String::new();
    let columns = stage_columns(stage);
    s.push_str("unit,period");
    for c in &columns {
        s.push(',');
        s.push_str(&csv_field(c));
    }
    s.push('\n');
    for (period, d) in stage {
        let at: Vec<Option<usize>> = columns.iter().map(|c| d.column(c)).collect();
        for (i, u) in d.units.iter().enumerate() {
            s.push_str(&csv_field(u));
            s.push(',');
            s.push_str(&csv_field(period));
            for j in &at {
                s.push(',');
                s.push_str(&fmt_num(j.map_or(f64::NAN, |j| d.data.get(i, j))));
            }
            s.push('\n');
        }
    }
    s
}

/// The columns of a stage over all its periods, in order of first appearance (a step may drop an
/// indicator in one period and not in another; it is then missing where dropped).
pub fn stage_columns(stage: &[(&str, &Dataset)]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for (_, d) in stage {
        for c in &d.columns {
            if !cols.contains(c) {
                cols.push(c.clone());
            }
        }
    }
    cols
}

fn num(x: f64) -> Json {
    if x.is_finite() { json!(x) } else { Json::Null }
}

/// `results.json`: the framework, units, tiers, every node's scores, ranks and tiers, and the
/// audit of each period (key `audit`, `null` when no audit of that period is given).
pub fn results_json(project: &Project, results: &Results, audits: &[Audit]) -> Json {
    let fw = &project.framework;
    let nodes: Vec<Json> = fw
        .output_order()
        .into_iter()
        .map(|i| {
            let n = fw.node(i);
            let s = &n.spec;
            json!({
                "code": s.code, "name": s.name, "parent": s.parent, "level": n.level, "kind": s.kind,
                "weight": num(results.weights[i]), "effective_weight": num(results.effective_weights[i]),
                "direction": if n.is_indicator() { json!(s.direction) } else { Json::Null },
                "unit": s.unit, "definition": s.definition, "source": s.source,
                "denominator": s.denominator, "target": s.target.map(num),
                "goalposts": s.goalposts.map(|g| json!([num(g.lower), num(g.upper)])),
            })
        })
        .collect();
    let units: Vec<Json> = project
        .units
        .iter()
        .map(|u| {
            json!({"code": u.code, "name": u.name, "groups": u.groups, "lon": u.lon.map(num), "lat": u.lat.map(num),
                   "attributes": u.attributes})
        })
        .collect();
    let periods: Vec<Json> = results
        .periods
        .iter()
        .map(|pr| {
            let mut scores = serde_json::Map::new();
            for i in fw.output_order() {
                let tiers: Vec<Json> = pr
                    .tiers(i)
                    .iter()
                    .map(|t| match (t, &project.tiers) {
                        (Some(t), Some(s)) => json!(s.bands[*t].code),
                        _ => Json::Null,
                    })
                    .collect();
                scores.insert(
                    fw.node(i).code().to_string(),
                    json!({
                        "score": pr.scores(i).iter().map(|&x| num(x)).collect::<Vec<_>>(),
                        "rank": pr.ranks(i),
                        "tier": tiers,
                        // Lower break of every band, best first (null when not tiered; a fixed
                        // catch-all band's -inf is null).
                        "tier_breaks": pr.tier_breaks(i).map(|b| b.iter().map(|&x| num(x)).collect::<Vec<_>>()),
                    }),
                );
            }
            let audit = audits
                .iter()
                .find(|a| a.period == pr.period)
                .map_or(Json::Null, |a| serde_json::to_value(a).unwrap_or(Json::Null));
            // Weights actually used in this period (a `weight` step may compute them from its data).
            let weights: serde_json::Map<String, Json> = fw
                .output_order()
                .into_iter()
                .map(|i| {
                    let code = fw.node(i).code().to_string();
                    (code, json!({"weight": num(pr.weights[i]), "effective_weight": num(pr.effective_weights[i])}))
                })
                .collect();
            json!({"period": pr.period, "units": pr.units(), "nodes": scores, "weights": weights, "log": pr.log, "audit": audit})
        })
        .collect();
    json!({
        "index": {"code": fw.node(fw.root()).code(), "name": project.meta.name, "description": project.meta.description,
                  "illustrative": project.meta.illustrative, "illustrative_note": project.meta.illustrative_note},
        "periods": project.meta.periods,
        "units": units,
        "framework": nodes,
        "series": project.series,
        "tiers": project.tiers,
        "results": periods,
    })
}

/// `manifest.json`: tool version, every input file's hash, every resolved parameter.
pub fn manifest_json(loaded: &LoadedProject, results: &Results, sets: &[String]) -> Json {
    let inputs: Vec<Json> =
        loaded.inputs.iter().map(|f| json!({"path": f.path, "sha256": f.sha256, "bytes": f.bytes})).collect();
    let steps: Vec<Json> = results.steps.iter().map(|(name, params)| json!({"step": name, "params": params})).collect();
    let mut m = json!({
        "tool": "baydex",
        "version": env!("CARGO_PKG_VERSION"),
        "project": loaded.file,
        "illustrative": loaded.project.meta.illustrative,
        "periods": loaded.project.meta.periods,
        "inputs": inputs,
        "set": sets,
        "pipeline": steps,
        "tiers": loaded.project.tiers,
    });
    // Indicators computed by SQL over the data catalog: query text, principal, tables and the
    // sources' fingerprints, in every manifest (run, report, server).
    if !loaded.sql.is_empty()
        && let (Some(obj), Ok(sql)) = (m.as_object_mut(), serde_json::to_value(&loaded.sql))
    {
        obj.insert("sql".into(), sql);
    }
    m
}

/// A CSV table built row by row (fields escaped as needed).
struct Csv(String);

impl Csv {
    fn new(header: &str) -> Self {
        Csv(format!("{header}\n"))
    }
    fn row(&mut self, fields: &[&str]) {
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        self.0.push_str(&line.join(","));
        self.0.push('\n');
    }
}

/// The audit tables as CSV files (relative path, contents), every period stacked:
/// `availability_units.csv`, `availability_indicators.csv`, `correlations.csv` (long),
/// `cronbach.csv`, `pca_variance.csv`, `pca_loadings.csv` (PC1) and `effective_weights.csv`.
pub fn audit_csvs(audits: &[Audit]) -> Vec<(&'static str, String)> {
    let mut units = Csv::new("period,unit,available,total,share,missing");
    let mut inds = Csv::new("period,indicator,available,total,share");
    let mut corr = Csv::new("period,level,var1,var2,relation,method,r,n,flag");
    let mut cron = Csv::new("period,group,group_level,child_level,k,alpha");
    let mut pvar = Csv::new("period,group,pc,variance,prop_var,n_obs");
    let mut pload = Csv::new("period,group,code,pc1_loading");
    let mut eff = Csv::new("period,code,level,weight,effective_weight");
    for a in audits {
        let p = a.period.as_str();
        for u in &a.availability.units {
            let missing = u.missing.join(";");
            units.row(&[p, &u.unit, &u.available.to_string(), &u.total.to_string(), &fmt_num(u.share), &missing]);
        }
        for i in &a.availability.indicators {
            inds.row(&[p, &i.code, &i.available.to_string(), &i.total.to_string(), &fmt_num(i.share)]);
        }
        for c in &a.correlations {
            let flag = c.flag.map_or("", |f| f.code());
            corr.row(&[
                p,
                &c.level.to_string(),
                &c.var1,
                &c.var2,
                c.relation.code(),
                c.method.code(),
                &fmt_num(c.r),
                &c.n.to_string(),
                flag,
            ]);
        }
        for c in &a.cronbach {
            cron.row(&[
                p,
                &c.group,
                &c.group_level.to_string(),
                &c.child_level.to_string(),
                &c.k.to_string(),
                &fmt_num(c.alpha),
            ]);
        }
        for g in &a.pca {
            for (k, (v, s)) in g.variance.iter().zip(&g.prop_var).enumerate() {
                pvar.row(&[p, &g.group, &format!("PC{}", k + 1), &fmt_num(*v), &fmt_num(*s), &g.n_obs.to_string()]);
            }
            for (code, l) in g.children.iter().zip(&g.pc1_loadings) {
                pload.row(&[p, &g.group, code, &fmt_num(*l)]);
            }
        }
        for w in &a.effective_weights {
            eff.row(&[p, &w.code, &w.level.to_string(), &fmt_num(w.weight), &fmt_num(w.effective)]);
        }
    }
    vec![
        ("availability_units.csv", units.0),
        ("availability_indicators.csv", inds.0),
        ("correlations.csv", corr.0),
        ("cronbach.csv", cron.0),
        ("pca_variance.csv", pvar.0),
        ("pca_loadings.csv", pload.0),
        ("effective_weights.csv", eff.0),
    ]
}

/// Written next to the results when (some of) the data are illustrative; removed otherwise.
pub const ILLUSTRATIVE: &str = "ILLUSTRATIVE.txt";

/// Files a run writes only sometimes; a run that does not write one removes an earlier run's copy,
/// so an output directory never mixes runs.
pub const OPTIONAL: &[&str] = &[ILLUSTRATIVE, "changes.csv", "results.xlsx", "tiers.csv", "obstacles.csv"];

/// `tiers.csv`: one row per period × tiered node × band, with the method that made the bands,
/// the band's lower break (`score >= lower`), its upper limit (the next better band's lower
/// break, exclusive; `NA` for the best band) and how many units it holds. A fixed catch-all
/// band's lower break is `NA`. `None` when the project has no tiers.
pub fn tiers_csv(project: &Project, results: &Results) -> Option<String> {
    let scheme = project.tiers.as_ref()?;
    let fw = &project.framework;
    let mut out = Csv::new("period,node,method,band,name_en,name_zh,lower,upper,count");
    for pr in &results.periods {
        for i in fw.output_order() {
            let Some(breaks) = pr.tier_breaks(i) else { continue };
            let tiers = pr.tiers(i);
            for (b, band) in scheme.bands.iter().enumerate() {
                let count = tiers.iter().filter(|t| **t == Some(b)).count();
                let upper = if b == 0 { f64::NAN } else { breaks[b - 1] };
                out.row(&[
                    &pr.period,
                    fw.node(i).code(),
                    &scheme.method,
                    &band.code,
                    &band.name.en,
                    &band.name.zh,
                    &fmt_num_na(breaks[b]),
                    &fmt_num_na(upper),
                    &count.to_string(),
                ]);
            }
        }
    }
    Some(out.0)
}

/// [`fmt_num`], with `NA` for infinities too.
fn fmt_num_na(x: f64) -> String {
    if x.is_finite() { fmt_num(x) } else { "NA".to_string() }
}

/// `obstacles.csv`: obstacle degree (障碍度) of every indicator and every aggregate below the
/// index, for every period and unit, with its rank within the unit and level (1 = largest
/// obstacle); see [`baydex_core::obstacle`]. `None` when the normalisation has no bounded range
/// (z-scores, ranks), where obstacle degrees do not apply.
pub fn obstacles_csv(project: &Project, results: &Results) -> Option<String> {
    let tables = baydex_core::obstacle::obstacles_all(&project.framework, results)?;
    let mut out = Csv::new("period,unit,node,level,obstacle,rank");
    for t in &tables {
        for r in &t.rows {
            let rank = r.rank.map_or("NA".to_string(), |k| k.to_string());
            out.row(&[&t.period, &r.unit, &r.node, &r.level.to_string(), &fmt_num(r.obstacle), &rank]);
        }
    }
    Some(out.0)
}

/// `changes.csv` (panels): change of score and rank and CAGR per node and unit, first → last
/// period (`span = total`) and between consecutive periods (`span = step`).
pub fn changes_csv(project: &Project, results: &Results) -> Option<String> {
    let ch = baydex_core::changes::changes(&project.framework, results);
    if ch.is_empty() {
        return None;
    }
    let mut s = String::from("unit,node,span,from_period,to_period,from,to,change,from_rank,to_rank,cagr\n");
    let rank = |r: Option<u32>| r.map_or("NA".to_string(), |r| r.to_string());
    for c in ch {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&c.unit),
            csv_field(&c.node),
            c.span,
            csv_field(&c.from_period),
            csv_field(&c.to_period),
            fmt_num(c.from),
            fmt_num(c.to),
            fmt_num(c.change),
            rank(c.from_rank),
            rank(c.to_rank),
            c.cagr.map_or("NA".to_string(), fmt_num)
        );
    }
    Some(s)
}

/// Every output file of a run, with the audit of each period (`audit/*.csv` and the `audit` key
/// of `results.json`; no audit files when `audits` is empty).
pub fn render(loaded: &LoadedProject, results: &Results, audits: &[Audit], sets: &[String]) -> Vec<OutFile> {
    let project = &loaded.project;
    let mut files = vec![OutFile { rel: "scores.csv".into(), bytes: scores_csv(project, results).into_bytes() }];
    // Stages: every stage name in pipeline order, all periods stacked.
    if let Some(first) = results.periods.first() {
        for (name, _) in &first.stages {
            let parts: Vec<(&str, &Dataset)> =
                results.periods.iter().filter_map(|p| p.stage(name).map(|d| (p.period.as_str(), d))).collect();
            files.push(OutFile {
                rel: Path::new("stages").join(format!("{name}.csv")),
                bytes: stage_csv(&parts).into_bytes(),
            });
        }
    }
    if !audits.is_empty() {
        for (name, text) in audit_csvs(audits) {
            files.push(OutFile { rel: Path::new("audit").join(name), bytes: text.into_bytes() });
        }
    }
    if let Some(c) = obstacles_csv(project, results) {
        files.push(OutFile { rel: "obstacles.csv".into(), bytes: c.into_bytes() });
    }
    if let Some(c) = changes_csv(project, results) {
        files.push(OutFile { rel: "changes.csv".into(), bytes: c.into_bytes() });
    }
    if let Some(t) = tiers_csv(project, results) {
        files.push(OutFile { rel: "tiers.csv".into(), bytes: t.into_bytes() });
    }
    let pretty = |v: &Json| {
        let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
        b.push(b'\n');
        b
    };
    files.push(OutFile { rel: "results.json".into(), bytes: pretty(&results_json(project, results, audits)) });
    if project.meta.illustrative {
        let note = format!(
            "ILLUSTRATIVE DATA / 示意数据\n\n{}\n\n{}\n\nmanifest.json and results.json carry \"illustrative\": true.\n",
            project.meta.illustrative_note.en, project.meta.illustrative_note.zh
        );
        files.push(OutFile { rel: ILLUSTRATIVE.into(), bytes: note.into_bytes() });
    }
    files.push(OutFile { rel: "manifest.json".into(), bytes: pretty(&manifest_json(loaded, results, sets)) });
    files
}

/// Writes the files into `dir` all-or-nothing: every file goes to a temporary name first and is
/// renamed into place only when all were written. Stale `stages/*.csv` and `audit/*.csv` of
/// earlier runs are removed.
pub fn commit(dir: &Path, files: &[OutFile]) -> std::io::Result<()> {
    let temps = write_atomic(dir, files)?;
    // Remove files of earlier runs that this run did not produce: optional files (the
    // illustrative notice, changes, the workbook), stage and audit files.
    for name in OPTIONAL {
        let p = dir.join(name);
        if !temps.contains(&p) && p.is_file() {
            std::fs::remove_file(&p)?;
        }
    }
    for sub in ["stages", "audit"] {
        if let Ok(rd) = std::fs::read_dir(dir.join(sub)) {
            for e in rd.flatten() {
                let p = e.path();
                let produced = temps.contains(&p);
                if !produced && p.extension().is_some_and(|x| x == "csv") {
                    let _ = std::fs::remove_file(p);
                }
            }
        }
    }
    Ok(())
}

/// Writes the files of one command's output set into `dir` all-or-nothing ([`write_atomic`]), then
/// removes those of `optional` that this run did not produce, so that a reused output directory
/// never mixes files of two runs. Nothing else in `dir` is touched.
pub fn commit_set(dir: &Path, files: &[OutFile], optional: &[&str]) -> std::io::Result<()> {
    let temps = write_atomic(dir, files)?;
    for name in optional {
        let p = dir.join(name);
        if !temps.contains(&p) && p.is_file() {
            std::fs::remove_file(&p)?;
        }
    }
    Ok(())
}

/// Writes the files into `dir` all-or-nothing (temporary names first, renamed into place only
/// when all were written), touching nothing else in `dir`; returns the paths written. Used by
/// [`commit`] and by writers of other outputs (the report).
pub fn write_atomic(dir: &Path, files: &[OutFile]) -> std::io::Result<Vec<PathBuf>> {
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        for f in files {
            let target = dir.join(&f.rel);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let name = target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let tmp = target.with_file_name(format!(".{name}.baydex-tmp"));
            temps.push((tmp.clone(), target));
            std::fs::write(&tmp, &f.bytes)?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        for (tmp, _) in &temps {
            let _ = std::fs::remove_file(tmp);
        }
        return Err(e);
    }
    for (tmp, target) in &temps {
        std::fs::rename(tmp, target)?;
    }
    Ok(temps.into_iter().map(|(_, t)| t).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        let x = 0.1 + 0.2;
        assert_eq!(fmt_num(x).parse::<f64>().unwrap(), x);
        assert_eq!(fmt_num(f64::NAN), "NA");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }

    #[test]
    fn commit_is_all_or_nothing() {
        let d = tempfile::tempdir().unwrap();
        let files = vec![OutFile { rel: "a.csv".into(), bytes: b"new".to_vec() }];
        std::fs::write(d.path().join("a.csv"), b"old").unwrap();
        // A file whose parent is a regular file cannot be written: nothing may change.
        std::fs::write(d.path().join("blocker"), b"x").unwrap();
        let bad = vec![
            OutFile { rel: "a.csv".into(), bytes: b"new".to_vec() },
            OutFile { rel: "blocker/b.csv".into(), bytes: b"new".to_vec() },
        ];
        assert!(commit(d.path(), &bad).is_err());
        assert_eq!(std::fs::read(d.path().join("a.csv")).unwrap(), b"old");
        assert!(!d.path().join(".a.csv.baydex-tmp").exists());
        commit(d.path(), &files).unwrap();
        assert_eq!(std::fs::read(d.path().join("a.csv")).unwrap(), b"new");
    }

    #[test]
    fn commit_removes_stale_stage_and_audit_files() {
        let d = tempfile::tempdir().unwrap();
        for f in ["stages/Old.csv", "audit/old_table.csv", "audit/cronbach.csv"] {
            std::fs::create_dir_all(d.path().join(f).parent().unwrap()).unwrap();
            std::fs::write(d.path().join(f), b"old").unwrap();
        }
        std::fs::write(d.path().join("audit/notes.txt"), b"mine").unwrap();
        let files = vec![OutFile { rel: "audit/cronbach.csv".into(), bytes: b"new".to_vec() }];
        commit(d.path(), &files).unwrap();
        assert!(!d.path().join("stages/Old.csv").exists());
        assert!(!d.path().join("audit/old_table.csv").exists());
        assert_eq!(std::fs::read(d.path().join("audit/cronbach.csv")).unwrap(), b"new");
        assert!(d.path().join("audit/notes.txt").exists(), "only CSV files are cleaned up");
    }

    #[test]
    fn commit_set_removes_only_its_own_stale_files() {
        let d = tempfile::tempdir().unwrap();
        for f in ["sobol.csv", "loo.csv", "scores.csv", "stages/Raw.csv"] {
            std::fs::create_dir_all(d.path().join(f).parent().unwrap()).unwrap();
            std::fs::write(d.path().join(f), b"old").unwrap();
        }
        let files = vec![OutFile { rel: "loo.csv".into(), bytes: b"new".to_vec() }];
        commit_set(d.path(), &files, &["sobol.csv", "loo.csv"]).unwrap();
        assert!(!d.path().join("sobol.csv").exists(), "stale optional file of an earlier run");
        assert_eq!(std::fs::read(d.path().join("loo.csv")).unwrap(), b"new");
        // Files of other commands in the same directory are left alone.
        assert!(d.path().join("scores.csv").exists());
        assert!(d.path().join("stages/Raw.csv").exists());
    }

    #[test]
    fn audit_tables() {
        use baydex_core::audit::{AuditParams, audit_period};
        use baydex_core::{Framework, Matrix, NodeSpec, StepSpec, compute_matrix};
        let fw = Framework::build(vec![
            NodeSpec::aggregate("I", None),
            NodeSpec::indicator("a", "I"),
            NodeSpec::indicator("b", "I"),
        ])
        .unwrap();
        let raw = Matrix::from_columns(4, &[vec![1., 2., 3., 4.], vec![1., 3., 2., f64::NAN]]).unwrap();
        let pipeline = [StepSpec::new("normalise"), StepSpec::new("aggregate")];
        let pr = compute_matrix(&fw, &["w", "x", "y", "z"], &raw, &pipeline).unwrap();
        let w = vec![1.0; 3];
        let a = audit_period(&fw, &pr, &AuditParams::default(), &w, &fw.effective_weights(&w)).unwrap();
        let t: std::collections::HashMap<&str, String> = audit_csvs(&[a]).into_iter().collect();
        assert_eq!(t.len(), 7);
        let corr = &t["correlations.csv"];
        assert!(corr.starts_with("period,level,var1,var2,relation,method,r,n,flag\n"), "{corr}");
        // a ~ I, b ~ I (parent), a ~ b (within), for both methods.
        assert_eq!(corr.lines().count(), 1 + 6);
        assert!(corr.contains(",1,a,b,within,pearson,"), "{corr}");
        assert!(t["availability_units.csv"].contains(",z,1,2,0.5,b\n"), "{}", t["availability_units.csv"]);
        assert!(t["pca_variance.csv"].contains(",I,PC1,"));
        assert_eq!(t["pca_loadings.csv"].lines().count(), 3);
        assert!(t["effective_weights.csv"].contains(",a,1,1,0.5\n"), "{}", t["effective_weights.csv"]);
        assert_eq!(t["cronbach.csv"].lines().count(), 2);
    }
}
