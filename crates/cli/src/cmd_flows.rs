//! `baydex flows [--od FILE | --od-sql QUERY [--catalog FILE] [--as PRINCIPAL]] [--units FILE
//! [--masses FILE] [--distances FILE]] [--model M] [--decay power|exponential] [--top N]
//! [--out DIR] [--lang zh|en] [--quiet]`: cross-city linkage — top pairs, city flows, a gravity
//! (or radiation / modified-gravity) model and the city network. Without files it runs the
//! embedded GBA default: real coordinates and 2023 population and GDP, and an ILLUSTRATIVE OD
//! table. OD records come from a CSV file, a Parquet file (or a Hive-partitioned directory) or an
//! SQL query over the data catalog (both need the `catalog` feature; the query runs under the
//! catalog's access policy and audit, as `[[data]] sql` does). The work happens in `baydex-flows`.

use std::fmt::Write as _;
use std::path::PathBuf;

use anstream::{eprintln, print};
use anstyle::{Effects, Style};
use baydex_core::{Lang, tr};
use baydex_data::output::{OutFile, commit, fmt_num};
use baydex_data::{InputFile, OdRows, SqlSource};
use baydex_flows::distance::great_circle_matrix;
use baydex_flows::gravity::{self, Constraint, Decay, GravityData, Pairs};
use baydex_flows::input::parse_distances;
use baydex_flows::linkage::{self, Linkage};
use baydex_flows::modified::modified_gravity;
use baydex_flows::radiation::radiation;
use baydex_flows::{Network, OdOptions, OdTable, Units};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value as Json, json};

use crate::Reported;
use crate::table::{pad_left, pad_right, width};

/// Model of `--model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Model {
    /// Poisson gravity model without fixed effects.
    Unconstrained,
    /// Origin fixed effects.
    Production,
    /// Destination fixed effects.
    Attraction,
    /// Origin and destination fixed effects (balancing factors).
    Doubly,
    /// Simini et al. (2012) radiation model.
    Radiation,
    /// Modified gravity linkage (masses and distance only).
    ModifiedGravity,
}

/// Decay of `--decay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DecayArg {
    /// d^γ.
    Power,
    /// exp(γ d).
    Exponential,
}

/// Arguments of `baydex flows`.
#[derive(Debug, clap::Args)]
pub struct FlowsArgs {
    /// OD records: origin,destination,count, optionally period and mode columns; a CSV file, a
    /// .parquet file or a Hive-partitioned directory of them (OD 流量记录：CSV、Parquet 文件或其分区目录).
    #[arg(long, requires = "units")]
    pub od: Option<PathBuf>,
    /// OD records from one SQL query over the data catalog, under its access policy (用数据目录上的 SQL 查询得到 OD 记录).
    #[arg(long, value_name = "QUERY", requires = "units", conflicts_with = "od")]
    pub od_sql: Option<String>,
    /// Catalog file of --od-sql; default: $BAYDEX_CATALOG, else catalog.toml (目录文件).
    #[arg(long, requires = "od_sql")]
    pub catalog: Option<PathBuf>,
    /// Run --od-sql as this principal of the access policy (以该主体身份查询).
    #[arg(long = "as", value_name = "PRINCIPAL", requires = "od_sql")]
    pub as_principal: Option<String>,
    /// Where --od-sql runs: local | ballista://HOST:PORT (a cluster, docs/cluster.md) (执行引擎).
    #[arg(long, default_value = "local", requires = "od_sql")]
    pub engine: String,
    /// Units: id,name_zh,name_en,lat,lon, optionally group and mass columns (单元文件).
    #[arg(long)]
    pub units: Option<PathBuf>,
    /// Extra mass columns keyed by unit: unit, optionally period, then POP,GDP,… (规模变量文件).
    #[arg(long, requires = "units")]
    pub masses: Option<PathBuf>,
    /// Distance or travel-time matrix: origin,destination,distance (距离矩阵；默认按坐标计算大圆距离).
    #[arg(long, requires = "units")]
    pub distances: Option<PathBuf>,
    /// Model of the flows (模型).
    #[arg(long, value_enum, default_value_t = Model::Production)]
    pub model: Model,
    /// Distance decay of gravity models (距离衰减形式).
    #[arg(long, value_enum, default_value_t = DecayArg::Power)]
    pub decay: DecayArg,
    /// Mass column (population) for gravity and radiation models (规模变量列，默认人口).
    #[arg(long)]
    pub mass: Option<String>,
    /// GDP column of the modified gravity linkage (修正引力模型的 GDP 列).
    #[arg(long)]
    pub gdp: Option<String>,
    /// Decay exponent b of the modified gravity linkage (修正引力模型距离衰减指数).
    #[arg(long, default_value_t = 2.0)]
    pub exponent: f64,
    /// Period of the OD table to analyse (default: the last one) (分析的时期).
    #[arg(long)]
    pub period: Option<String>,
    /// Mode of transport to analyse (default: all modes added) (交通方式).
    #[arg(long)]
    pub mode: Option<String>,
    /// Group column of the units file (default: group or region) (分组列).
    #[arg(long)]
    pub group: Option<String>,
    /// Add up duplicate OD records instead of rejecting them (重复记录相加).
    #[arg(long)]
    pub sum_duplicates: bool,
    /// Fit gravity models on every ordered pair, unlisted ones as zero flows (未列出的城市对计为零).
    #[arg(long)]
    pub zeros: bool,
    /// Number of top pairs shown (显示前 N 个城市对).
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Output directory (输出目录).
    #[arg(long, default_value = "out/flows")]
    pub out: PathBuf,
    /// Language of names and messages: zh | en (语言).
    #[arg(long, value_parser = crate::parse_lang)]
    pub lang: Option<Lang>,
    /// Print nothing but errors (安静模式).
    #[arg(long, short)]
    pub quiet: bool,
}

struct Inputs {
    units: Units,
    od: Option<OdTable>,
    dist: Vec<f64>,
    files: Vec<InputFile>,
    illustrative: bool,
}

/// OD records read as rows (a Parquet file, an SQL result) before the units.
struct OdIn {
    /// Where they come from, as errors name it: the file, or `--od-sql`.
    source: String,
    rows: OdRows,
    /// The files read (Parquet files; the catalog and its policy), for the manifest.
    files: Vec<InputFile>,
    /// The query that ran, for the manifest.
    sql: Option<SqlSource>,
    /// The catalog says its data are synthetic or illustrative.
    synthetic: bool,
}

/// Prints a bilingual error with its fix and returns the exit code 2.
fn fail_with(lang: Lang, file: &str, message: baydex_core::Text, help: baydex_core::Text) -> anyhow::Error {
    eprintln!("{}", baydex_data::Diagnostic::error(file, message, help).render(lang));
    Reported(2).into()
}

/// The OD records of a Parquet file or directory.
#[cfg(feature = "catalog")]
fn parquet_od(path: &std::path::Path, lang: Lang) -> anyhow::Result<OdIn> {
    let name = path.display().to_string();
    let rows = baydex_data::read_parquet_od(path).map_err(|why| {
        fail_with(
            lang,
            &name,
            baydex_core::Text::new(format!("cannot read the Parquet data: {}", why.en), format!("无法读取 Parquet 数据：{}", why.zh)),
            baydex_core::Text::new(
                "give a Parquet file (or a directory of them, Hive-partitioned: year=2024/…) with columns origin, destination, count",
                "请提供含 origin、destination、count 列的 Parquet 文件（或其目录，Hive 分区：year=2024/…）",
            ),
        )
    })?;
    let mut files = Vec::new();
    for p in baydex_data::parquet_files(path) {
        let bytes = std::fs::read(&p).map_err(|e| {
            let t = baydex_core::Text::new(format!("cannot read the file: {e}"), format!("无法读取文件：{e}"));
            fail_with(lang, &p.display().to_string(), t, baydex_core::Text::default())
        })?;
        files.push(InputFile::new(p.display().to_string(), &bytes));
    }
    let synthetic = rows.synthetic.is_some();
    Ok(OdIn { source: name, rows, files, sql: None, synthetic })
}

/// The OD records of `--od-sql`: one query over the catalog as `--as`, under its access policy
/// and audited, run by the function that runs a project's `[[data]] sql` queries.
#[cfg(feature = "catalog")]
fn sql_od(args: &FlowsArgs, sql: &str, lang: Lang) -> anyhow::Result<OdIn> {
    use baydex_core::Text;
    use baydex_data::CatalogOutcome;
    let catalog = crate::cmd_catalog::catalog_path(args.catalog.as_ref());
    let shown = catalog.display().to_string();
    let principal = args.as_principal.as_deref();
    match baydex_data::run_catalog_queries(&catalog, principal, &[sql.to_string()], &args.engine) {
        CatalogOutcome::Open(d) => {
            eprintln!("{}", d.render(lang).trim_end());
            Err(Reported(2).into())
        }
        CatalogOutcome::Principal(p) => {
            let (message, help) = p.message(true);
            Err(fail_with(lang, &shown, message, help))
        }
        CatalogOutcome::Ran { illustrative, policy, mut results } => {
            let ran = match results.pop() {
                Some(Ok(ran)) => ran,
                Some(Err(why)) => {
                    let as_p = principal.map(|p| format!(" --as {p}")).unwrap_or_default();
                    return Err(fail_with(
                        lang,
                        "--od-sql",
                        Text::new(format!("the OD query failed: {}", why.en), format!("OD 查询失败：{}", why.zh)),
                        Text::new(
                            format!("fix the query; try it with: baydex sql --catalog {shown}{as_p} \"…\""),
                            format!("请修正查询；可先用以下命令试运行：baydex sql --catalog {shown}{as_p} \"…\""),
                        ),
                    ));
                }
                None => return Err(Reported(2).into()),
            };
            let rows = baydex_data::od_rows(&ran.output).map_err(|why| {
                fail_with(
                    lang,
                    "--od-sql",
                    why,
                    Text::new("return origin, destination and count columns", "请返回 origin、destination、count 列"),
                )
            })?;
            let mut files = Vec::new();
            for p in std::iter::once(catalog.clone()).chain(policy) {
                if let Ok(bytes) = std::fs::read(&p) {
                    files.push(InputFile::new(p.display().to_string(), &bytes));
                }
            }
            let source = SqlSource {
                code: baydex_data::OD_CODE.into(),
                key: "--od-sql".into(),
                sql: sql.to_string(),
                catalog: shown,
                principal: principal.map(str::to_string),
                tables: ran.output.tables,
                fingerprints: ran.fingerprints,
                rows: ran.output.rows,
                illustrative,
                engine: args.engine.clone(),
            };
            Ok(OdIn { source: "--od-sql".into(), rows, files, sql: Some(source), synthetic: illustrative })
        }
    }
}

/// Without the SQL engine, Parquet and SQL OD sources say how to get it.
#[cfg(not(feature = "catalog"))]
fn parquet_od(path: &std::path::Path, lang: Lang) -> anyhow::Result<OdIn> {
    let name = path.display().to_string();
    let t = baydex_core::Text::new(
        format!("{name} is Parquet data, which this baydex cannot read"),
        format!("{name} 为 Parquet 数据，此 baydex 无法读取"),
    );
    Err(fail_with(lang, &name, t, baydex_data::catalog_feature_hint()))
}

#[cfg(not(feature = "catalog"))]
fn sql_od(_: &FlowsArgs, _: &str, lang: Lang) -> anyhow::Result<OdIn> {
    let t = baydex_core::Text::new(
        "--od-sql runs an SQL query over the data catalog, which this baydex cannot run",
        "--od-sql 需在数据目录上执行 SQL 查询，而此 baydex 无法执行 SQL",
    );
    Err(fail_with(lang, "--od-sql", t, baydex_data::catalog_feature_hint()))
}

fn read(path: &PathBuf, lang: Lang) -> anyhow::Result<(String, String)> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(t) => Ok((name, t)),
        Err(e) => {
            eprintln!(
                "{}{name}: {} ({e})",
                tr(lang, "error: ", "错误："),
                tr(lang, "cannot read the file", "无法读取文件")
            );
            Err(Reported(2).into())
        }
    }
}

fn load(args: &FlowsArgs, od_in: Option<&OdIn>) -> Result<Inputs, baydex_flows::Error> {
    let opts = OdOptions { sum_duplicates: args.sum_duplicates };
    let mut files = Vec::new();
    let Some(units_path) = &args.units else {
        let (u, c, o) =
            (crate::embedded::text("units.csv"), crate::embedded::text("context_2023.csv"), crate::embedded::FLOWS_OD);
        let mut units = Units::parse(u, "examples/gba/units.csv", args.group.as_deref())?;
        units.add_masses(c, "examples/gba/context_2023.csv", Some("2023"))?;
        let od = OdTable::parse(o, "examples/gba/flows_od_illustrative.csv", &units, opts)?;
        for (p, t) in [
            ("examples/gba/units.csv", u),
            ("examples/gba/context_2023.csv", c),
            ("examples/gba/flows_od_illustrative.csv", o),
        ] {
            files.push(InputFile::new(p, t.as_bytes()));
        }
        let dist = great_circle_matrix(&units)?;
        return Ok(Inputs { units, od: Some(od), dist, files, illustrative: true });
    };
    let text = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_default();
    let (un, ut) = (units_path.display().to_string(), text(units_path));
    files.push(InputFile::new(&un, ut.as_bytes()));
    let mut units = Units::parse(&ut, &un, args.group.as_deref())?;
    if let Some(m) = &args.masses {
        let (n, t) = (m.display().to_string(), text(m));
        files.push(InputFile::new(&n, t.as_bytes()));
        units.add_masses(&t, &n, args.period.as_deref())?;
    }
    let od = match (&args.od, od_in) {
        (_, Some(r)) => {
            files.extend(r.files.iter().cloned());
            Some(OdTable::from_rows(&r.rows.header, &r.rows.rows, &r.source, &units, opts)?)
        }
        (Some(p), None) => {
            let (n, t) = (p.display().to_string(), text(p));
            files.push(InputFile::new(&n, t.as_bytes()));
            Some(OdTable::parse(&t, &n, &units, opts)?)
        }
        (None, None) => None,
    };
    let dist = match &args.distances {
        Some(p) => {
            let (n, t) = (p.display().to_string(), text(p));
            files.push(InputFile::new(&n, t.as_bytes()));
            parse_distances(&t, &n, &units)?
        }
        None => great_circle_matrix(&units)?,
    };
    Ok(Inputs { units, od, dist, files, illustrative: false })
}

fn pick(units: &Units, want: &Option<String>, candidates: &[&str]) -> Option<String> {
    match want {
        Some(w) => Some(w.clone()),
        None => candidates.iter().find(|c| units.has_column(c)).map(|c| c.to_string()),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Runs `baydex flows`.
pub fn run(args: FlowsArgs) -> anyhow::Result<()> {
    let lang = args.lang.unwrap_or_else(crate::env_lang);
    let parquet = args.od.as_ref().filter(|p| baydex_data::is_parquet_source(p));
    let text_od = args.od.as_ref().filter(|_| parquet.is_none());
    for p in [&args.units, &text_od.cloned(), &args.masses, &args.distances].into_iter().flatten() {
        read(p, lang)?;
    }
    let od_in = match (parquet, &args.od_sql) {
        (Some(p), _) => Some(parquet_od(p, lang)?),
        (None, Some(q)) => Some(sql_od(&args, q, lang)?),
        (None, None) => None,
    };
    let fail = |e: baydex_flows::Error| -> anyhow::Error {
        eprintln!("{}{}", tr(lang, "error: ", "错误："), e.message(lang));
        Reported(2).into()
    };
    let mut inp = load(&args, od_in.as_ref()).map_err(fail)?;
    // OD records from a catalog whose data are synthetic are illustrative too.
    let synthetic = od_in.as_ref().is_some_and(|r| r.synthetic);
    inp.illustrative |= synthetic;
    let units = &inp.units;
    let n = units.len();
    let name = |u: usize| units.names[u].get(lang).to_string();
    let bold = Style::new().effects(Effects::BOLD);
    let mut out = String::new();
    let mut files: Vec<OutFile> = Vec::new();
    let mut summary = serde_json::Map::new();

    if synthetic {
        let _ = writeln!(
            out,
            "{bold}{}{bold:#}",
            tr(
                lang,
                "ILLUSTRATIVE DATA: the OD records are marked synthetic or illustrative (a catalog with illustrative = true, or Parquet metadata baydex.synthetic); they are not real figures.",
                "示意数据：OD 记录标注为合成或示意数据（目录 illustrative = true，或 Parquet 元数据 baydex.synthetic），并非真实数据。"
            )
        );
    } else if inp.illustrative {
        let _ = writeln!(
            out,
            "{bold}{}{bold:#}",
            tr(
                lang,
                "ILLUSTRATIVE OD DATA: the GBA flows below are made up for demonstration (examples/gba/flows_od_illustrative.csv); coordinates, population and GDP (2023) are real.",
                "示意 OD 数据：以下大湾区流量为演示用的虚构数据（examples/gba/flows_od_illustrative.csv）；坐标、人口与 GDP（2023 年）为真实数据。"
            )
        );
    }

    // Masses.
    let pop_col = pick(units, &args.mass, &["population", "POP", "pop"]);
    let gdp_col = pick(units, &args.gdp, &["GDP", "gdp"]);
    let pop = pop_col.as_deref().map(|c| units.mass(c)).transpose().map_err(fail)?;

    // Modified gravity linkage whenever population and GDP exist (or it is the chosen model).
    let gdp = if args.model == Model::ModifiedGravity || gdp_col.as_deref().is_some_and(|c| units.has_column(c)) {
        gdp_col.as_deref().map(|c| units.mass(c)).transpose().map_err(fail)?
    } else {
        None
    };
    if let (Some(p), Some(g)) = (&pop, &gdp) {
        check_all_distances(&inp.dist, units, "modified-gravity").map_err(fail)?;
        let rd = modified_gravity(p, g, &inp.dist, args.exponent, true);
        let ru = modified_gravity(p, g, &inp.dist, args.exponent, false);
        let mut s = String::from("origin,destination,distance,linkage_directed,linkage_undirected,membership\n");
        for i in 0..n {
            let ri: f64 = (0..n).map(|j| rd[i * n + j]).sum();
            for j in 0..n {
                if i != j {
                    let _ = writeln!(
                        s,
                        "{},{},{},{},{},{}",
                        csv_field(&units.codes[i]),
                        csv_field(&units.codes[j]),
                        fmt_num(inp.dist[i * n + j]),
                        fmt_num(rd[i * n + j]),
                        fmt_num(ru[i * n + j]),
                        fmt_num(rd[i * n + j] / ri)
                    );
                }
            }
        }
        files.push(OutFile { rel: "modified_gravity.csv".into(), bytes: s.into_bytes() });
        let mut pairs: Vec<(usize, usize)> = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).collect();
        pairs.sort_by(|a, b| ru[b.0 * n + b.1].total_cmp(&ru[a.0 * n + a.1]));
        let _ = writeln!(
            out,
            "\n{bold}{}{bold:#}",
            match lang {
                Lang::En => format!(
                    "Modified gravity linkage (real masses {} × {}, distance^{}), top {}:",
                    pop_col.as_deref().unwrap_or(""),
                    gdp_col.as_deref().unwrap_or(""),
                    args.exponent,
                    args.top.min(pairs.len())
                ),
                Lang::Zh => format!(
                    "修正引力模型经济联系强度（真实规模变量 {} × {}，距离^{}），前 {} 位：",
                    pop_col.as_deref().unwrap_or(""),
                    gdp_col.as_deref().unwrap_or(""),
                    args.exponent,
                    args.top.min(pairs.len())
                ),
            }
        );
        let nw = (0..n).map(|u| width(&name(u))).max().unwrap_or(4);
        for (k, &(i, j)) in pairs.iter().take(args.top).enumerate() {
            let _ = writeln!(
                out,
                "{}  {} – {}  {}",
                pad_left(&(k + 1).to_string(), 4),
                pad_right(&name(i), nw),
                pad_right(&name(j), nw),
                pad_left(&format!("{:.1}", ru[i * n + j]), 12)
            );
        }
        summary.insert("modified_gravity".into(), json!({"pop": pop_col, "gdp": gdp_col, "b": args.exponent,
            "formula": "R_ij = k_ij sqrt(P_i G_i) sqrt(P_j G_j) / d_ij^b, k_ij = G_i/(G_i+G_j) (directed), k_ij = 1 (undirected)"}));
    }

    if let Some(od) = &inp.od {
        let period = args.period.clone().or_else(|| od.periods.last().cloned());
        let m = od.matrix(n, period.as_deref(), args.mode.as_deref());
        let link = Linkage::new(&m, &units.groups);
        let net = Network::new(&m.flow, n);
        out.push_str(&pairs_table(&link, units, lang, args.top, period.as_deref(), inp.illustrative));
        out.push_str(&network_summary(&net, &link, units, lang));
        files.push(OutFile { rel: "pairs.csv".into(), bytes: pairs_csv(&link, units).into_bytes() });
        files.push(OutFile { rel: "cities.csv".into(), bytes: cities_csv(&link, units).into_bytes() });
        files.push(OutFile { rel: "network.csv".into(), bytes: network_csv(&net, units).into_bytes() });
        if !link.groups.is_empty() {
            let mut s = String::from("from,to,flow,share\n");
            for g in &link.groups {
                let _ =
                    writeln!(s, "{},{},{},{}", csv_field(&g.from), csv_field(&g.to), fmt_num(g.flow), fmt_num(g.share));
            }
            files.push(OutFile { rel: "groups.csv".into(), bytes: s.into_bytes() });
        }
        if od.periods.len() >= 2 {
            let (p0, p1) = (&od.periods[0], &od.periods[od.periods.len() - 1]);
            let l0 = Linkage::new(&od.matrix(n, Some(p0), args.mode.as_deref()), &units.groups);
            let l1 = Linkage::new(&od.matrix(n, Some(p1), args.mode.as_deref()), &units.groups);
            let mut s = format!("a,b,total_{p0},total_{p1},relative_change,rank_{p0},rank_{p1}\n");
            for c in linkage::changes(&l0, &l1) {
                let r = |x: Option<usize>| x.map_or("NA".to_string(), |x| x.to_string());
                let _ = writeln!(
                    s,
                    "{},{},{},{},{},{},{}",
                    csv_field(&units.codes[c.a]),
                    csv_field(&units.codes[c.b]),
                    fmt_num(c.from),
                    fmt_num(c.to),
                    fmt_num(c.relative),
                    r(c.rank_from),
                    r(c.rank_to)
                );
            }
            files.push(OutFile { rel: "changes.csv".into(), bytes: s.into_bytes() });
        }
        // The model.
        let pairs = Pairs::from_matrix(&m, &inp.dist, args.zeros);
        let (pred, model_json, coef_csv) =
            fit_model(&args, units, &pairs, pop.as_deref(), &m, &inp.dist).map_err(fail)?;
        let _ = writeln!(out, "\n{}", model_line(&model_json, lang));
        let mut s = String::from("origin,destination,distance,observed,predicted,residual,pearson_residual\n");
        for (r, &mu) in pred.iter().enumerate() {
            let y = pairs.flow[r];
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{}",
                csv_field(&units.codes[pairs.origin[r]]),
                csv_field(&units.codes[pairs.destination[r]]),
                fmt_num(pairs.distance[r]),
                fmt_num(y),
                fmt_num(mu),
                fmt_num(y - mu),
                fmt_num(if mu > 0.0 { (y - mu) / mu.sqrt() } else { f64::NAN })
            );
        }
        files.push(OutFile { rel: "predictions.csv".into(), bytes: s.into_bytes() });
        files.push(OutFile { rel: "gravity.csv".into(), bytes: coef_csv.into_bytes() });
        files.push(OutFile { rel: "gravity.json".into(), bytes: pretty(&model_json) });
        summary.insert("period".into(), json!(period));
        summary.insert("model".into(), model_json);
        summary.insert(
            "intra_group_share".into(),
            json!(
                link.groups
                    .iter()
                    .filter(|g| g.from == g.to)
                    .map(|g| json!({"group": g.from, "share": g.share}))
                    .collect::<Vec<_>>()
            ),
        );
    } else if gdp.is_none() {
        eprintln!(
            "{}{}",
            tr(lang, "error: ", "错误："),
            tr(
                lang,
                "nothing to compute: give --od FILE for flows, or population and GDP columns (--mass, --gdp) for the modified gravity linkage",
                "没有可计算的内容：请用 --od 提供流量，或在单元文件中提供人口与 GDP 列（--mass、--gdp）以计算修正引力模型"
            )
        );
        return Err(Reported(2).into());
    }

    if synthetic {
        files.push(OutFile {
            rel: "ILLUSTRATIVE.txt".into(),
            bytes: "ILLUSTRATIVE DATA / 示意数据\n\nThe OD records are marked synthetic or illustrative (a data catalog with \
                    illustrative = true, see manifest.json, \"sql\"; or Parquet key-value metadata baydex.synthetic); every output \
                    derived from them is illustrative, not real figures.\n\
                    OD 记录标注为合成或示意数据（数据目录 illustrative = true，见 manifest.json 的 \"sql\"；或 Parquet 元数据 \
                    baydex.synthetic），由其导出的所有结果均为示意数据，并非真实数据。\n"
                .as_bytes()
                .to_vec(),
        });
    } else if inp.illustrative {
        files.push(OutFile {
            rel: "ILLUSTRATIVE.txt".into(),
            bytes: "ILLUSTRATIVE DATA / 示意数据\n\nThe OD flows (examples/gba/flows_od_illustrative.csv) are made up for demonstration; \
                    pairs.csv, cities.csv, network.csv, changes.csv, gravity.* and predictions.csv derive from them. Coordinates, \
                    population and GDP (2023, official statistics) and modified_gravity.csv are real.\n\
                    OD 流量为演示用虚构数据，pairs.csv、cities.csv、network.csv、changes.csv、gravity.* 与 predictions.csv 均由其导出；\
                    坐标、人口与 GDP（2023 年官方统计）及 modified_gravity.csv 为真实数据。\n"
                .as_bytes()
                .to_vec(),
        });
    }
    let mut manifest = json!({
        "tool": "baydex flows",
        "version": env!("CARGO_PKG_VERSION"),
        "illustrative": inp.illustrative,
        "inputs": inp.files.iter().map(|f| json!({"path": f.path, "sha256": f.sha256, "bytes": f.bytes})).collect::<Vec<_>>(),
        "parameters": {
            "model": format!("{:?}", args.model).to_lowercase(), "decay": format!("{:?}", args.decay).to_lowercase(),
            "mass": pop_col, "gdp": gdp_col, "exponent": args.exponent, "mode": args.mode, "zeros": args.zeros,
            "sum_duplicates": args.sum_duplicates, "distances": if args.distances.is_some() { "file" } else { "great-circle (haversine, R = 6371 km)" },
        },
        "summary": summary,
    });
    // The OD query, as the manifest of a project records its SQL (principal, tables, fingerprints).
    if let Some(q) = od_in.as_ref().and_then(|r| r.sql.as_ref())
        && let (Some(obj), Ok(sql)) = (manifest.as_object_mut(), serde_json::to_value([q]))
    {
        obj.insert("sql".into(), sql);
    }
    files.push(OutFile { rel: "manifest.json".into(), bytes: pretty(&manifest) });
    commit(&args.out, &files).map_err(|e| {
        eprintln!("{}{}: {e}", tr(lang, "error: cannot write ", "错误：无法写入 "), args.out.display());
        anyhow::Error::from(Reported(1))
    })?;
    if !args.quiet {
        print!("{out}");
        println!("\n{}{}", tr(lang, "Outputs written to ", "结果已写入 "), args.out.display());
    }
    Ok(())
}

fn pretty(v: &Json) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
    b.push(b'\n');
    b
}

fn check_all_distances(d: &[f64], units: &Units, model: &'static str) -> Result<(), baydex_flows::Error> {
    let n = units.len();
    for i in 0..n {
        for j in 0..n {
            let v = d[i * n + j];
            if i != j && !(v > 0.0 && v.is_finite()) {
                return Err(baydex_flows::Error::BadDistance {
                    origin: units.codes[i].clone(),
                    destination: units.codes[j].clone(),
                    value: v,
                    model,
                });
            }
        }
    }
    Ok(())
}

type ModelOut = (Vec<f64>, Json, String);

fn fit_model(
    args: &FlowsArgs,
    units: &Units,
    pairs: &Pairs,
    pop: Option<&[f64]>,
    m: &baydex_flows::FlowMatrix,
    dist: &[f64],
) -> Result<ModelOut, baydex_flows::Error> {
    let n = units.len();
    let decay = match args.decay {
        DecayArg::Power => Decay::Power,
        DecayArg::Exponential => Decay::Exponential,
    };
    let need_pop = || {
        pop.ok_or_else(|| baydex_flows::Error::UnknownMass {
            column: args.mass.clone().unwrap_or_else(|| "population".into()),
            available: units.attribute_columns().join(", "),
        })
    };
    let constraint = match args.model {
        Model::Unconstrained => Some(Constraint::Unconstrained),
        Model::Production => Some(Constraint::Production),
        Model::Attraction => Some(Constraint::Attraction),
        Model::Doubly => Some(Constraint::Doubly),
        _ => None,
    };
    if let Some(c) = constraint {
        let lang = args.lang.unwrap_or_else(crate::env_lang);
        let mass = if c == Constraint::Doubly { None } else { Some(need_pop()?) };
        let bar = fit_bar(args.quiet, lang, c);
        let fit = gravity::fit_with_progress(
            c,
            decay,
            pairs,
            GravityData { codes: &units.codes, origin_mass: mass, dest_mass: mass },
            &mut |p| show_progress(&bar, lang, p),
        );
        bar.finish_and_clear();
        let fit = fit?;
        let mut s = String::from("model,decay,coefficient,estimate,std_error\n");
        for co in &fit.coefficients {
            let _ = writeln!(
                s,
                "{},{},{},{},{}",
                c.name(),
                decay.name(),
                csv_field(&co.name),
                fmt_num(co.estimate),
                fmt_num(co.se)
            );
        }
        let f = &fit.fit;
        let j = json!({
            "model": c.name(), "decay": decay.name(), "pairs": f.n, "iterations": fit.iterations,
            "coefficients": fit.coefficients.iter().map(|co| json!({"name": co.name, "estimate": co.estimate, "std_error": co.se})).collect::<Vec<_>>(),
            "deviance": f.deviance, "null_deviance": f.null_deviance, "loglik": f.loglik, "null_loglik": f.null_loglik,
            "pseudo_r2_mcfadden": f.mcfadden, "deviance_explained": f.deviance_explained, "srmse": f.srmse, "cpc": f.cpc,
            "std_errors": "inverse Fisher information (scale 1), as statsmodels GLM Poisson",
        });
        return Ok((fit.predicted, j, s));
    }
    let full = match args.model {
        Model::Radiation => {
            let p = need_pop()?;
            let out: Vec<f64> = (0..n).map(|i| (0..n).filter(|&j| j != i).map(|j| m.get(i, j)).sum()).collect();
            radiation(&out, p, dist)
        }
        _ => {
            let p = need_pop()?;
            let g = units.mass(args.gdp.as_deref().unwrap_or("GDP"))?;
            modified_gravity(p, &g, dist, args.exponent, true)
        }
    };
    let pred: Vec<f64> = (0..pairs.len()).map(|r| full[pairs.origin[r] * n + pairs.destination[r]]).collect();
    let f = baydex_flows::glm::Fit::new(&pairs.flow, &pred);
    let name = if args.model == Model::Radiation { "radiation" } else { "modified-gravity" };
    let j = json!({"model": name, "pairs": f.n, "coefficients": [], "srmse": f.srmse, "cpc": f.cpc,
        "note": if name == "radiation" { "no fitted parameter; T_i = observed outflow" } else { "linkage index, not a flow prediction: only its ranking is comparable with flows" }});
    Ok((pred, j, "model,decay,coefficient,estimate,std_error\n".into()))
}

/// Positions of the fit bar: the bar fills as the log of the step falls from 1 to the target.
const BAR_LEN: u64 = 100;

/// A progress bar on stderr for a model fit (hidden with --quiet or when stderr is not a
/// terminal). Fits of large OD tables take seconds; the number of iterations is not known in
/// advance, so the bar shows how far the step size is from convergence.
fn fit_bar(quiet: bool, lang: Lang, c: Constraint) -> ProgressBar {
    use std::io::IsTerminal as _;
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(BAR_LEN), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {prefix} {msg} · {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_prefix(match lang {
        Lang::Zh => format!("拟合 {} 模型", c.name()),
        Lang::En => format!("fitting the {} model", c.name()),
    });
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

fn show_progress(bar: &ProgressBar, lang: Lang, p: baydex_flows::Progress) {
    let done = if p.change > 0.0 && p.change.is_finite() {
        (p.change.log10().min(0.0) / p.target.log10()).clamp(0.0, 1.0)
    } else if p.change == 0.0 {
        1.0
    } else {
        0.0
    };
    bar.set_position((done * BAR_LEN as f64) as u64);
    bar.set_message(match lang {
        Lang::Zh => format!("第 {} 次迭代，步长 {:.0e}（低于 {:.0e} 即收敛）", p.iteration, p.change, p.target),
        Lang::En => format!("iteration {}, step {:.0e} (converged below {:.0e})", p.iteration, p.change, p.target),
    });
}

fn model_line(j: &Json, lang: Lang) -> String {
    let model = j["model"].as_str().unwrap_or("");
    let decay = j["coefficients"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "log_distance" || c["name"] == "distance"))
        .map(|c| {
            // Large fits have standard errors far below 0.001: show them in scientific notation.
            let se = c["std_error"].as_f64().unwrap_or(f64::NAN);
            let se = if se.abs() < 1e-3 { format!("{se:.1e}") } else { format!("{se:.3}") };
            format!("γ = {:.3} ± {se}", c["estimate"].as_f64().unwrap_or(f64::NAN))
        });
    let num = |k: &str| j[k].as_f64().map_or("—".to_string(), |x| format!("{x:.3}"));
    let head = tr(lang, "Model: ", "模型：");
    let mut s = format!("{head}{model}");
    if let Some(d) = decay {
        s.push_str(&format!(" · {} {d}", tr(lang, "distance decay", "距离衰减")));
    }
    if j.get("pseudo_r2_mcfadden").is_some() {
        s.push_str(&format!(" · {} {}", tr(lang, "McFadden pseudo-R²", "McFadden 伪 R²"), num("pseudo_r2_mcfadden")));
    }
    s.push_str(&format!(" · SRMSE {} · CPC {}", num("srmse"), num("cpc")));
    s
}

fn pairs_table(
    link: &Linkage,
    units: &Units,
    lang: Lang,
    top: usize,
    period: Option<&str>,
    illustrative: bool,
) -> String {
    let name = |u: usize| units.names[u].get(lang).to_string();
    let bold = Style::new().effects(Effects::BOLD);
    let mut o = String::new();
    let title = match (lang, period) {
        (Lang::En, Some(p)) => format!("Top {} linked pairs, {p}", top.min(link.pairs.len())),
        (Lang::En, None) => format!("Top {} linked pairs", top.min(link.pairs.len())),
        (Lang::Zh, Some(p)) => format!("联系最强的前 {} 个城市对（{p}）", top.min(link.pairs.len())),
        (Lang::Zh, None) => format!("联系最强的前 {} 个城市对", top.min(link.pairs.len())),
    };
    let tag = if illustrative { tr(lang, " [ILLUSTRATIVE]", "【示意数据】") } else { "" };
    let _ = writeln!(o, "\n{bold}{title}{tag}{bold:#}");
    let pw =
        link.pairs.iter().take(top).map(|p| width(&format!("{} – {}", name(p.a), name(p.b)))).max().unwrap_or(8).max(8);
    let heads = [
        tr(lang, "Rank", "排名"),
        tr(lang, "Pair", "城市对"),
        tr(lang, "Total", "合计"),
        tr(lang, "Share", "占比"),
        "A→B",
        "B→A",
    ];
    let line = format!(
        "{}  {}  {}  {}  {}  {}",
        pad_left(heads[0], 4),
        pad_right(heads[1], pw),
        pad_left(heads[2], 10),
        pad_left(heads[3], 7),
        pad_left(heads[4], 10),
        pad_left(heads[5], 10)
    );
    let _ = writeln!(o, "{bold}{line}{bold:#}");
    let _ = writeln!(o, "{}", "─".repeat(width(&line)));
    for p in link.pairs.iter().take(top) {
        let _ = writeln!(
            o,
            "{}  {}  {}  {}  {}  {}",
            pad_left(&p.rank.to_string(), 4),
            pad_right(&format!("{} – {}", name(p.a), name(p.b)), pw),
            pad_left(&format!("{:.0}", p.total), 10),
            pad_left(&format!("{:.1}%", 100.0 * p.share), 7),
            pad_left(&format!("{:.0}", p.ab), 10),
            pad_left(&format!("{:.0}", p.ba), 10)
        );
    }
    let _ = writeln!(o, "{}", "─".repeat(width(&line)));
    let groups: Vec<String> =
        link.groups.iter().filter(|g| g.from == g.to).map(|g| format!("{} {:.1}%", g.from, 100.0 * g.share)).collect();
    if !groups.is_empty() {
        let _ = writeln!(
            o,
            "{}{}",
            tr(lang, "Within-group share of all flows: ", "组内流量占全部流量："),
            groups.join(" · ")
        );
    }
    o
}

fn network_summary(net: &Network, link: &Linkage, units: &Units, lang: Lang) -> String {
    let name = |u: usize| units.names[u].get(lang).to_string();
    let bold = Style::new().effects(Effects::BOLD);
    let mut o = String::new();
    let _ = writeln!(o, "\n{bold}{}{bold:#}", tr(lang, "City network", "城市网络"));
    let sep = tr(lang, ", ", "、");
    let hubs: Vec<String> =
        net.hubs.iter().map(|&u| format!("{} ({:.1}%)", name(u), 100.0 * link.cities[u].share)).collect();
    let _ = writeln!(
        o,
        "  {}{}",
        tr(
            lang,
            "Hubs (strength ≥ mean + 1 s.d.; share of flow ends): ",
            "枢纽城市（强度 ≥ 均值 + 1 个标准差；占全部流量端点）："
        ),
        hubs.join(sep)
    );
    let top = |v: &[f64]| (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b]).then(b.cmp(&a)));
    if let Some(u) = top(&net.betweenness) {
        let _ = writeln!(
            o,
            "  {}{} ({:.3})",
            tr(lang, "Highest betweenness: ", "中介中心度最高："),
            name(u),
            net.betweenness[u]
        );
    }
    if let Some(u) = top(&net.pagerank) {
        let _ =
            writeln!(o, "  {}{} ({:.3})", tr(lang, "Highest PageRank: ", "PageRank 最高："), name(u), net.pagerank[u]);
    }
    let ncomm = net.community.iter().max().map_or(0, |c| c + 1);
    let comms: Vec<String> = (0..ncomm)
        .map(|c| {
            let m: Vec<String> = (0..net.n).filter(|&u| net.community[u] == c).map(name).collect();
            format!("{{{}}}", m.join(sep))
        })
        .collect();
    let _ = writeln!(
        o,
        "  {}{:.3} · {}{:.3}",
        tr(lang, "Density: ", "网络密度："),
        net.density,
        tr(lang, "modularity: ", "模块度："),
        net.modularity
    );
    let _ = writeln!(o, "  {}{}", tr(lang, "Communities (Louvain): ", "社区（Louvain）："), comms.join(" "));
    o
}

fn pairs_csv(link: &Linkage, units: &Units) -> String {
    let mut s = String::from(
        "rank,a,b,name_zh_a,name_zh_b,name_en_a,name_en_b,a_to_b,b_to_a,total,share,share_of_a,share_of_b\n",
    );
    for p in &link.pairs {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            p.rank,
            csv_field(&units.codes[p.a]),
            csv_field(&units.codes[p.b]),
            csv_field(&units.names[p.a].zh),
            csv_field(&units.names[p.b].zh),
            csv_field(&units.names[p.a].en),
            csv_field(&units.names[p.b].en),
            fmt_num(p.ab),
            fmt_num(p.ba),
            fmt_num(p.total),
            fmt_num(p.share),
            fmt_num(p.share_of_a),
            fmt_num(p.share_of_b)
        );
    }
    s
}

fn cities_csv(link: &Linkage, units: &Units) -> String {
    let mut s = String::from("unit,name_zh,name_en,group,out,in,net,total,share,top_partner,top_partner_share\n");
    for c in &link.cities {
        let u = c.unit;
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&units.codes[u]),
            csv_field(&units.names[u].zh),
            csv_field(&units.names[u].en),
            csv_field(&units.groups[u]),
            fmt_num(c.out),
            fmt_num(c.inflow),
            fmt_num(c.net),
            fmt_num(c.total),
            fmt_num(c.share),
            c.top_partner.map_or(String::new(), |p| csv_field(&units.codes[p])),
            fmt_num(c.top_partner_share)
        );
    }
    s
}

fn network_csv(net: &Network, units: &Units) -> String {
    let mut s = String::from(
        "unit,in_degree,out_degree,in_strength,out_strength,strength,betweenness,closeness,pagerank,community,hub\n",
    );
    for u in 0..net.n {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&units.codes[u]),
            net.in_degree[u],
            net.out_degree[u],
            fmt_num(net.in_strength[u]),
            fmt_num(net.out_strength[u]),
            fmt_num(net.in_strength[u] + net.out_strength[u]),
            fmt_num(net.betweenness[u]),
            fmt_num(net.closeness[u]),
            fmt_num(net.pagerank[u]),
            net.community[u],
            net.hubs.contains(&u)
        );
    }
    s
}
