//! `baydex report [FILE] [--lang zh|en] [--out DIR] [--set STEP.PARAM=VALUE ...] [--xlsx]`: computes
//! the index and writes one self-contained HTML report (`report.html`: narrative, ranking, maps,
//! charts, profiles, audit, weights, provenance), and with `--xlsx` a workbook of the same tables
//! (`report.xlsx`; with `--sensitivity` also the uncertainty and sensitivity sheets `sa_*`). The model and the rendering live in `baydex-report`.

use std::path::PathBuf;

use anstream::println;
use baydex_core::{Lang, tr};
use baydex_data::output::{self, OutFile};
use baydex_data::workbook::{Cell, SheetTable};
use baydex_report::{Provenance, ReportModel};

use crate::{Reported, cmd_run, cmd_validate, messages};

/// Arguments of `baydex report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub project: cmd_validate::ProjectArg,
    /// Output directory; report.html (and report.xlsx) are written there (输出目录).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Language of the report: zh | en (报告语言).
    #[arg(long, value_parser = crate::parse_lang)]
    pub lang: Option<Lang>,
    #[arg(
        long = "set",
        value_name = "STEP.PARAM=VALUE",
        help = "Replace a step parameter for this report, VALUE in TOML syntax (临时替换步骤参数), e.g. --set normalise.method=rank"
    )]
    pub set: Vec<String>,
    /// Also write report.xlsx with the same tables (同时写出 Excel 工作簿).
    #[arg(long)]
    pub xlsx: bool,
    /// Add the uncertainty and sensitivity section: the project's `[sensitivity]` table (or the default
    /// analysis) with N at most 1000 (加入不确定性与敏感性分析章节).
    #[arg(long)]
    pub sensitivity: bool,
}

/// Runs `baydex report`.
pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let lang = args.lang.unwrap_or_else(crate::env_lang);
    let mut loaded = cmd_run::load_with_sets(&args.project, &args.set, lang)?;
    crate::embedded::add_default_flows(&args.project, &mut loaded);
    let fail = |e: &baydex_core::Error| -> anyhow::Error {
        anstream::eprintln!("{}{}: {}", tr(lang, "error: ", "错误："), loaded.file, messages::core_error(e, lang));
        anstream::eprintln!("{}", tr(lang, "Nothing was written.", "未写入任何文件。"));
        Reported(1).into()
    };
    let results = baydex_core::compute(&loaded.project).map_err(|e| fail(&e))?;
    let audits =
        baydex_core::audit::audit_results(&loaded.project, &results, &Default::default()).map_err(|e| fail(&e))?;
    let report_err = |e: baydex_report::Error| anyhow::anyhow!("{}: {}", loaded.file, e.message().get(lang));
    let provenance =
        Provenance::from_manifest(&output::manifest_json(&loaded, &results, &args.set)).map_err(report_err)?;
    let mut model = ReportModel::build(&loaded.project, &results, &provenance).map_err(report_err)?;
    if let Some(f) = baydex_server::flows::flows_model(&loaded).map_err(report_err)? {
        model = model.with_flows(f);
    }
    if args.sensitivity {
        let section = baydex_server::sensitivity::report_section(&loaded, &results)
            .map_err(|t| anyhow::anyhow!("{}: {}", loaded.file, t.get(lang)))?;
        if let Some(s) = section {
            model = model.with_sensitivity(s);
        }
    }
    let mut files =
        vec![OutFile { rel: "report.html".into(), bytes: baydex_report::html::render(&model, lang).into_bytes() }];
    if args.xlsx {
        let bytes = baydex_data::workbook::run_workbook(&loaded, &results, &audits, lang, &report_sheets(&model, lang))
            .map_err(|e| anyhow::anyhow!("{}", e.message().get(lang)))?;
        files.push(OutFile { rel: "report.xlsx".into(), bytes });
    }
    output::write_atomic(&args.out, &files).map_err(|e| {
        anyhow::anyhow!("{} {}: {e}", tr(lang, "cannot write the report to", "无法写入报告到"), args.out.display())
    })?;
    if model.index.illustrative {
        anstream::eprintln!(
            "⚠ {} {}",
            tr(lang, "ILLUSTRATIVE DATA —", "示意数据 ——"),
            tr(lang, "the report carries the illustrative-data banner.", "报告已标注示意数据横幅。")
        );
    }
    if model.flows.as_ref().is_some_and(|f| f.illustrative) {
        anstream::eprintln!(
            "⚠ {} {}",
            tr(lang, "ILLUSTRATIVE OD DATA —", "示意 OD 数据 ——"),
            tr(
                lang,
                "the flows section is computed from made-up flows and labelled as such.",
                "流量章节由虚构的 OD 数据计算，已作标注。"
            )
        );
    }
    let names: Vec<String> = files.iter().map(|f| args.out.join(&f.rel).display().to_string()).collect();
    println!("{} {}", tr(lang, "Wrote", "已写入"), names.join(", "));
    Ok(())
}

/// The report's own tables for the workbook: the narrative, dimension leaders and unit profiles
/// of every period.
fn report_sheets(m: &ReportModel, lang: Lang) -> Vec<SheetTable> {
    let header = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let num = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Number);
    let mut summary = SheetTable { name: "summary".into(), header: header(&["period", "topic", "text"]), rows: vec![] };
    let mut leaders = SheetTable {
        name: "leaders".into(),
        header: header(&["period", "node", "name", "leader", "score", "runner_up", "gap", "median"]),
        rows: vec![],
    };
    let mut profiles = SheetTable {
        name: "profiles".into(),
        header: header(&["period", "unit", "name", "rank", "score", "tier", "strengths", "weaknesses", "text"]),
        rows: vec![],
    };
    let names = |codes: &[String]| codes.join(";");
    for p in &m.results {
        for para in &p.narrative {
            summary.rows.push(vec![p.period.clone().into(), para.topic.into(), para.text.get(lang).into()]);
        }
        for l in &p.leaders {
            leaders.rows.push(vec![
                p.period.clone().into(),
                l.node.clone().into(),
                m.node_name(&l.node, lang).into(),
                names(&l.units).into(),
                num(l.score),
                l.runner_up.clone().map_or(Cell::Empty, Cell::Text),
                num(l.runner_up_gap),
                num(l.median),
            ]);
        }
        for pr in &p.profiles {
            profiles.rows.push(vec![
                p.period.clone().into(),
                pr.unit.clone().into(),
                m.unit_name(&pr.unit, lang).into(),
                pr.rank.map_or(Cell::Empty, |r| Cell::Integer(r.into())),
                num(pr.score),
                pr.tier.clone().map_or(Cell::Empty, Cell::Text),
                names(&pr.strengths).into(),
                names(&pr.weaknesses).into(),
                pr.text.get(lang).into(),
            ]);
        }
    }
    for para in &m.change_narrative {
        summary.rows.push(vec![Cell::Empty, para.topic.into(), para.text.get(lang).into()]);
    }
    let mut sheets = vec![summary, leaders, profiles];
    if let Some(f) = &m.flows {
        let tag = if f.illustrative { "ILLUSTRATIVE" } else { "" };
        let mut pairs = SheetTable {
            name: "flow_pairs".into(),
            header: header(&["rank", "a", "b", "name_a", "name_b", "a_to_b", "b_to_a", "total", "share", "data"]),
            rows: vec![],
        };
        for p in &f.pairs {
            pairs.rows.push(vec![
                Cell::Integer(p.rank as i64),
                p.a.clone().into(),
                p.b.clone().into(),
                m.unit_name(&p.a, lang).into(),
                m.unit_name(&p.b, lang).into(),
                Cell::Number(p.ab),
                Cell::Number(p.ba),
                Cell::Number(p.total),
                Cell::Number(p.share),
                tag.into(),
            ]);
        }
        let mut cities = SheetTable {
            name: "flow_cities".into(),
            header: header(&[
                "unit",
                "name",
                "out",
                "in",
                "net",
                "share",
                "strength",
                "betweenness",
                "closeness",
                "pagerank",
                "community",
                "hub",
                "data",
            ]),
            rows: vec![],
        };
        for (c, n) in f.cities.iter().zip(&f.network.nodes) {
            cities.rows.push(vec![
                c.unit.clone().into(),
                m.unit_name(&c.unit, lang).into(),
                Cell::Number(c.out),
                Cell::Number(c.inflow),
                Cell::Number(c.net),
                Cell::Number(c.share),
                Cell::Number(n.strength),
                Cell::Number(n.betweenness),
                Cell::Number(n.closeness),
                Cell::Number(n.pagerank),
                Cell::Integer(n.community as i64 + 1),
                (if n.hub { "hub" } else { "" }).into(),
                tag.into(),
            ]);
        }
        sheets.push(pairs);
        sheets.push(cities);
    }
    if let Some(s) = &m.sensitivity {
        sheets.extend(sensitivity_sheets(m, s, lang));
    }
    sheets
}

/// The uncertainty and sensitivity section as sheets: `sa_summary` (the analysis's settings and
/// sentences), `sa_uncertainty` (per unit: nominal rank and score, the rank's mean, median and
/// 5–95% interval, the score's, and the share of the runs in each tier, `tier_<band>`),
/// `sa_sobol` (Si, STi and their bootstrap intervals; Saltelli designs only) and
/// `sa_leave_one_out`. Column names are those of `baydex sensitivity`'s `uncertainty.csv` and
/// `sobol.csv`, whose numbers these are for the same N.
fn sensitivity_sheets(
    m: &ReportModel,
    s: &baydex_report::sensitivity::SensitivityModel,
    lang: Lang,
) -> Vec<SheetTable> {
    let header = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let num = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Number);
    let int = |x: Option<u32>| x.map_or(Cell::Empty, |r| Cell::Integer(r.into()));
    let count = |x: usize| Cell::Integer(i64::try_from(x).unwrap_or(i64::MAX));
    let mut summary = SheetTable { name: "sa_summary".into(), header: header(&["key", "value"]), rows: vec![] };
    let settings: [(&str, Cell); 12] = [
        ("target", s.target.clone().into()),
        ("target_name", m.node_name(&s.target, lang).into()),
        ("period", s.period.clone().into()),
        ("analysis", s.analysis.into()),
        ("n", count(s.n)),
        ("requested_n", count(s.requested_n)),
        ("runs", count(s.runs)),
        ("failed_runs", count(s.failed_runs)),
        ("seed", i64::try_from(s.seed).map_or_else(|_| Cell::Text(s.seed.to_string()), Cell::Integer)),
        ("sampling", s.sampling.into()),
        ("bootstrap", count(s.bootstrap)),
        ("mean_abs_rank_shift", num(s.mean_shift)),
    ];
    for (k, v) in settings {
        summary.rows.push(vec![k.into(), v]);
    }
    summary
        .rows
        .push(vec!["inputs".into(), s.inputs.iter().map(|i| i.label.get(lang)).collect::<Vec<_>>().join("; ").into()]);
    summary.rows.push(vec![
        "declared".into(),
        tr(
            lang,
            if s.declared { "project [sensitivity]" } else { "default analysis" },
            if s.declared { "项目 [sensitivity] 表" } else { "默认分析" },
        )
        .into(),
    ]);
    for p in &s.narrative {
        summary.rows.push(vec![format!("text_{}", p.topic).into(), p.text.get(lang).into()]);
    }
    let mut h = vec![
        "unit",
        "name",
        "nominal_score",
        "nominal_rank",
        "nominal_tier",
        "rank_mean",
        "rank_median",
        "rank_q5",
        "rank_q95",
        "score_median",
        "score_q5",
        "score_q95",
    ]
    .into_iter()
    .map(str::to_string)
    .collect::<Vec<_>>();
    h.extend(s.tier_bands.iter().map(|(code, _)| format!("tier_{code}")));
    let mut units = SheetTable { name: "sa_uncertainty".into(), header: h, rows: vec![] };
    for u in &s.units {
        let mut row = vec![
            u.unit.clone().into(),
            m.unit_name(&u.unit, lang).into(),
            num(u.nominal_score),
            int(u.nominal_rank),
            u.nominal_tier.clone().map_or(Cell::Empty, Cell::Text),
            num(u.rank_mean),
            num(u.rank_median),
            num(u.rank_q5),
            num(u.rank_q95),
            num(u.score_median),
            num(u.score_q5),
            num(u.score_q95),
        ];
        row.extend(u.tiers.iter().map(|x| num(*x)));
        units.rows.push(row);
    }
    let mut sheets = vec![summary, units];
    if let Some(sobol) = &s.sobol {
        let label = |name: &str| {
            s.inputs.iter().find(|i| i.name == name).map_or_else(|| name.to_string(), |i| i.label.get(lang).to_string())
        };
        let mut t = SheetTable {
            name: "sa_sobol".into(),
            header: header(&["input", "label", "Si", "STi", "Si_q5", "Si_q95", "STi_q5", "STi_q95"]),
            rows: vec![],
        };
        for r in sobol {
            t.rows.push(vec![
                r.input.clone().into(),
                label(&r.input).into(),
                num(r.si),
                num(r.sti),
                num(r.si_q5),
                num(r.si_q95),
                num(r.sti_q5),
                num(r.sti_q95),
            ]);
        }
        sheets.push(t);
    }
    if let Some(loo) = &s.loo {
        let mut t = SheetTable {
            name: "sa_leave_one_out".into(),
            header: header(&["indicator", "name", "failed", "mean_abs_rank_change", "max_abs_rank_change", "max_unit"]),
            rows: vec![],
        };
        for r in loo {
            t.rows.push(vec![
                r.indicator.clone().into(),
                m.node_name(&r.indicator, lang).into(),
                (if r.failed { "failed" } else { "" }).into(),
                num(r.mean_abs_change),
                int(r.max_abs_change),
                r.max_unit.clone().map_or(Cell::Empty, Cell::Text),
            ]);
        }
        sheets.push(t);
    }
    sheets
}
