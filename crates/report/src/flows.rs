//! The flows section of the report: cross-city linkage computed with `baydex-flows` from a
//! project's `[flows]` inputs (OD records, optional distances, masses from the project's data) —
//! top pairs, each city's in/out/net flows, the city network (strength, betweenness, PageRank,
//! communities, hubs), a gravity model fit, the modified gravity linkage from the masses, and
//! sentences in zh and en derived from those numbers.
//!
//! The units are the project's (codes, names, coordinates, groups); masses are columns of the
//! project's data (a series or an indicator) in the OD period when the project has it, else in
//! its last period. Distances are great-circle from the coordinates (R = 6371 km) unless a matrix
//! is given. Nothing here is specific to a region: a sentence whose numbers do not exist (no
//! groups, no model, no masses) is left out.

use std::fmt::Write as _;

use baydex_core::{Lang, Project, Text};
use baydex_flows::distance::great_circle_matrix;
use baydex_flows::gravity::{self, Constraint, Decay, GravityData, Pairs};
use baydex_flows::input::parse_distances;
use baydex_flows::modified::modified_gravity;
use baydex_flows::{Linkage, Network, OdOptions, OdTable, Units};
use serde::Serialize;

use crate::model::Paragraph;
use crate::narrative::join;
use crate::{Error, Result};

/// Most pairs kept for the flow map (the strongest); the top-pairs table shows [`FlowsModel::top`].
pub const MAP_PAIRS: usize = 60;

/// What the flows section is computed from (the `[flows]` table of a project, files read).
#[derive(Debug, Clone, Copy)]
pub struct FlowsInput<'a> {
    /// OD file as displayed.
    pub od_file: &'a str,
    /// Its SHA-256.
    pub od_sha256: &'a str,
    /// Its text: `origin,destination,count[,period][,mode]`.
    pub od_text: &'a str,
    /// The OD records as typed rows `(header, rows)` instead of `od_text` (Parquet, or an SQL
    /// query of `[flows]`): checked by `OdTable::from_rows`, errors naming `od_file` and the row.
    pub od_rows: Option<(&'a [String], &'a [baydex_flows::input::OdRow])>,
    /// Distance matrix `(file, text)`; great-circle distances otherwise.
    pub distances: Option<(&'a str, &'a str)>,
    /// `production`, `attraction`, `doubly`, `unconstrained` or `none`.
    pub model: &'a str,
    /// `power` or `exponential`.
    pub decay: &'a str,
    /// Number of top pairs shown.
    pub top: usize,
    /// Project column used as mass (and population of the modified gravity linkage).
    pub mass: Option<&'a str>,
    /// Project column used as GDP of the modified gravity linkage.
    pub gdp: Option<&'a str>,
    /// Decay exponent of the modified gravity linkage.
    pub exponent: f64,
    /// OD period (default: the last).
    pub period: Option<&'a str>,
    /// Mode (default: all modes added).
    pub mode: Option<&'a str>,
    /// Group variable of the units (default: the first one).
    pub group: Option<&'a str>,
    /// Add up duplicate OD records.
    pub sum_duplicates: bool,
    /// Fit on every ordered pair, unlisted ones as zeros.
    pub zeros: bool,
    /// The OD records are made up.
    pub illustrative: bool,
    /// What is illustrative.
    pub illustrative_note: &'a Text,
}

/// An undirected pair of cities.
#[derive(Debug, Clone, Serialize)]
pub struct FlowPair {
    /// Rank by total flow (1 = strongest).
    pub rank: usize,
    /// First unit code.
    pub a: String,
    /// Second unit code.
    pub b: String,
    /// Flow a → b.
    pub ab: f64,
    /// Flow b → a.
    pub ba: f64,
    /// ab + ba.
    pub total: f64,
    /// Share of all flows.
    pub share: f64,
}

/// A city's flows.
#[derive(Debug, Clone, Serialize)]
pub struct FlowCity {
    /// Unit code.
    pub unit: String,
    /// Outflow.
    pub out: f64,
    /// Inflow.
    pub inflow: f64,
    /// Inflow − outflow.
    pub net: f64,
    /// Share of all flow ends (in + out over twice the total).
    pub share: f64,
    /// Strongest partner.
    pub top_partner: Option<String>,
    /// That pair's share of the city's own flows.
    pub top_partner_share: f64,
}

/// A node of the city network.
#[derive(Debug, Clone, Serialize)]
pub struct FlowNode {
    /// Unit code.
    pub unit: String,
    /// In- plus out-strength.
    pub strength: f64,
    /// Weighted in-degree.
    pub in_strength: f64,
    /// Weighted out-degree.
    pub out_strength: f64,
    /// Betweenness (distance 1/w, normalised).
    pub betweenness: f64,
    /// Closeness (distance 1/w).
    pub closeness: f64,
    /// PageRank (α = 0.85).
    pub pagerank: f64,
    /// Louvain community (0-based).
    pub community: usize,
    /// Strength ≥ mean + 1 s.d.
    pub hub: bool,
}

/// The city network.
#[derive(Debug, Clone, Serialize)]
pub struct FlowNetwork {
    /// Edges / (n(n−1)).
    pub density: f64,
    /// Modularity of the communities.
    pub modularity: f64,
    /// Hub unit codes.
    pub hubs: Vec<String>,
    /// Every unit, in project order.
    pub nodes: Vec<FlowNode>,
    /// Members of every community, in unit order.
    pub communities: Vec<Vec<String>>,
}

/// Flows within one group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupFlow {
    /// Group value.
    pub group: String,
    /// Share of all flows that start and end in the group.
    pub share: f64,
}

/// A coefficient of the gravity model.
#[derive(Debug, Clone, Serialize)]
pub struct FlowCoefficient {
    /// Name (`const`, `log_origin_mass`, `log_dest_mass`, `log_distance` / `distance`).
    pub name: String,
    /// Estimate.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
}

/// The gravity model fit, summarised (fixed effects counted, not listed).
#[derive(Debug, Clone, Serialize)]
pub struct GravitySummary {
    /// `production`, `attraction`, `doubly`, `unconstrained`.
    pub model: String,
    /// `power` or `exponential`.
    pub decay: String,
    /// Pairs fitted.
    pub pairs: usize,
    /// Iterations.
    pub iterations: usize,
    /// Covariate coefficients.
    pub coefficients: Vec<FlowCoefficient>,
    /// Number of fixed effects estimated.
    pub fixed_effects: usize,
    /// McFadden pseudo-R².
    pub pseudo_r2: f64,
    /// 1 − deviance / null deviance.
    pub deviance_explained: f64,
    /// Standardised root mean square error.
    pub srmse: f64,
    /// Common part of commuters.
    pub cpc: f64,
}

/// A pair of the modified gravity linkage.
#[derive(Debug, Clone, Serialize)]
pub struct LinkagePair {
    /// First unit code.
    pub a: String,
    /// Second unit code.
    pub b: String,
    /// Undirected linkage strength.
    pub value: f64,
}

/// The modified gravity linkage `R_ij = √(P_i G_i) √(P_j G_j) / d_ij^b` from the masses.
#[derive(Debug, Clone, Serialize)]
pub struct ModifiedSummary {
    /// Population column.
    pub mass: String,
    /// GDP column.
    pub gdp: String,
    /// Period of the masses.
    pub period: String,
    /// Decay exponent b.
    pub exponent: f64,
    /// The strongest pairs, strongest first (`top` of them).
    pub pairs: Vec<LinkagePair>,
}

/// The flows section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct FlowsModel {
    /// The OD records are made up.
    pub illustrative: bool,
    /// What is illustrative.
    pub illustrative_note: Text,
    /// OD file as displayed.
    pub od_file: String,
    /// Its SHA-256.
    pub od_sha256: String,
    /// Its size in bytes.
    pub od_bytes: u64,
    /// `great-circle` or the distance file.
    pub distances: String,
    /// Periods of the OD file.
    pub periods: Vec<String>,
    /// Period analysed.
    pub period: Option<String>,
    /// Mode analysed (`None` = all modes).
    pub mode: Option<String>,
    /// Sum of all flows between different units.
    pub total: f64,
    /// Number of top pairs shown.
    pub top: usize,
    /// The strongest pairs with a flow, by rank (at most max(`top`, [`MAP_PAIRS`])).
    pub pairs: Vec<FlowPair>,
    /// Every unit's flows, in project order.
    pub cities: Vec<FlowCity>,
    /// The city network.
    pub network: FlowNetwork,
    /// Within-group shares (empty without groups).
    pub groups: Vec<GroupFlow>,
    /// The gravity model (`None` with `model = "none"`).
    pub gravity: Option<GravitySummary>,
    /// The modified gravity linkage (`None` without both masses).
    pub modified: Option<ModifiedSummary>,
    /// Sentences in zh and en.
    pub narrative: Vec<Paragraph>,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

fn fl(e: baydex_flows::Error) -> Error {
    Error::Flows { source: e }
}

/// Values of a data column of the project for `period` (or its last period), by unit.
fn column(project: &Project, code: &str, period: Option<&str>) -> Result<(Vec<f64>, String)> {
    let d = &project.data;
    let k = period.and_then(|p| d.periods.iter().position(|x| x == p)).or(d.periods.len().checked_sub(1));
    let c = d.columns.iter().position(|x| x == code);
    let (Some(k), Some(c)) = (k, c) else {
        return Err(Error::FlowsMass {
            unit: String::new(),
            column: code.to_string(),
            period: period.unwrap_or("").to_string(),
            value: f64::NAN,
        });
    };
    let mut out = Vec::with_capacity(project.units.len());
    for u in &project.units {
        let v = d.units.iter().position(|x| x == &u.code).map_or(f64::NAN, |r| d.data[k].get(r, c));
        if !(v.is_finite() && v > 0.0) {
            return Err(Error::FlowsMass {
                unit: u.code.clone(),
                column: code.to_string(),
                period: d.periods[k].clone(),
                value: v,
            });
        }
        out.push(v);
    }
    Ok((out, d.periods[k].clone()))
}

/// The project's units as a `baydex-flows` units table.
fn units_of(project: &Project, group: Option<&str>) -> Result<Units> {
    let group =
        group.map(str::to_string).or_else(|| project.units.iter().find_map(|u| u.groups.keys().next().cloned()));
    let mut s = String::from("code,name_zh,name_en,lat,lon");
    if group.is_some() {
        s.push_str(",group");
    }
    s.push('\n');
    let c = |x: Option<f64>| x.filter(|v| v.is_finite()).map_or(String::new(), |v| v.to_string());
    for u in &project.units {
        let _ = write!(
            s,
            "{},{},{},{},{}",
            csv_field(&u.code),
            csv_field(&u.name.zh),
            csv_field(&u.name.en),
            c(u.lat),
            c(u.lon)
        );
        if let Some(g) = &group {
            let _ = write!(s, ",{}", csv_field(u.groups.get(g).map_or("", String::as_str)));
        }
        s.push('\n');
    }
    Units::parse(&s, "[units]", group.as_ref().map(|_| "group")).map_err(fl)
}

fn constraint(name: &str) -> Option<Constraint> {
    match name {
        "production" => Some(Constraint::Production),
        "attraction" => Some(Constraint::Attraction),
        "doubly" => Some(Constraint::Doubly),
        "unconstrained" => Some(Constraint::Unconstrained),
        _ => None,
    }
}

impl FlowsModel {
    /// Computes the flows section of `project` from `input`.
    pub fn build(project: &Project, input: &FlowsInput<'_>) -> Result<FlowsModel> {
        let units = units_of(project, input.group)?;
        let n = units.len();
        let opts = OdOptions { sum_duplicates: input.sum_duplicates };
        let od = match input.od_rows {
            Some((header, rows)) => OdTable::from_rows(header, rows, input.od_file, &units, opts),
            None => OdTable::parse(input.od_text, input.od_file, &units, opts),
        }
        .map_err(fl)?;
        let period = input.period.map(str::to_string).or_else(|| od.periods.last().cloned());
        if let Some(p) = &period
            && !od.periods.is_empty()
            && !od.periods.contains(p)
        {
            return Err(Error::FlowsPeriod { period: p.clone(), periods: od.periods.clone() });
        }
        let m = od.matrix(n, period.as_deref(), input.mode);
        let link = Linkage::new(&m, &units.groups);
        let net = Network::new(&m.flow, n);
        let code = |u: usize| units.codes[u].clone();
        let dist = match input.distances {
            Some((file, text)) => Some(parse_distances(text, file, &units).map_err(fl)?),
            None if units.has_coordinates() => Some(great_circle_matrix(&units).map_err(fl)?),
            None => None,
        };
        let masses = |col: Option<&str>| -> Result<Option<(Vec<f64>, String)>> {
            col.map(|c| column(project, c, period.as_deref())).transpose()
        };
        let pop = masses(input.mass)?;
        let gdp = masses(input.gdp)?;
        let gravity = match (constraint(input.model), &dist) {
            (None, _) => None,
            (Some(_), None) => return Err(Error::FlowsNoDistances),
            (Some(c), Some(d)) => {
                let pairs = Pairs::from_matrix(&m, d, input.zeros);
                let decay = if input.decay == "exponential" { Decay::Exponential } else { Decay::Power };
                let mass = if c == Constraint::Doubly { None } else { pop.as_ref().map(|p| p.0.as_slice()) };
                let fit = gravity::fit(
                    c,
                    decay,
                    &pairs,
                    GravityData { codes: &units.codes, origin_mass: mass, dest_mass: mass },
                )
                .map_err(fl)?;
                let fe = |name: &str| name.starts_with("origin[") || name.starts_with("destination[");
                Some(GravitySummary {
                    model: c.name().to_string(),
                    decay: decay.name().to_string(),
                    pairs: fit.fit.n,
                    iterations: fit.iterations,
                    coefficients: fit
                        .coefficients
                        .iter()
                        .filter(|co| !fe(&co.name))
                        .map(|co| FlowCoefficient { name: co.name.clone(), estimate: co.estimate, se: co.se })
                        .collect(),
                    fixed_effects: fit.coefficients.iter().filter(|co| fe(&co.name)).count(),
                    pseudo_r2: fit.fit.mcfadden,
                    deviance_explained: fit.fit.deviance_explained,
                    srmse: fit.fit.srmse,
                    cpc: fit.fit.cpc,
                })
            }
        };
        let modified = match (&pop, &gdp, &dist) {
            (Some((p, per)), Some((g, _)), Some(d)) => {
                let r = modified_gravity(p, g, d, input.exponent, false);
                let mut pairs: Vec<(usize, usize)> = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).collect();
                pairs.sort_by(|x, y| r[y.0 * n + y.1].total_cmp(&r[x.0 * n + x.1]).then(x.cmp(y)));
                Some(ModifiedSummary {
                    mass: input.mass.unwrap_or_default().to_string(),
                    gdp: input.gdp.unwrap_or_default().to_string(),
                    period: per.clone(),
                    exponent: input.exponent,
                    pairs: pairs
                        .iter()
                        .take(input.top)
                        .map(|&(i, j)| LinkagePair { a: code(i), b: code(j), value: r[i * n + j] })
                        .collect(),
                })
            }
            _ => None,
        };
        let ncomm = net.community.iter().max().map_or(0, |c| c + 1);
        let mut groups: Vec<GroupFlow> = link
            .groups
            .iter()
            .filter(|g| g.from == g.to)
            .map(|g| GroupFlow { group: g.from.clone(), share: g.share })
            .collect();
        if groups.len() < 2 && groups.iter().all(|g| g.share >= 1.0 - 1e-12) {
            groups.clear(); // one group holding everything says nothing
        }
        let mut model = FlowsModel {
            illustrative: input.illustrative,
            illustrative_note: input.illustrative_note.clone(),
            od_file: input.od_file.to_string(),
            od_sha256: input.od_sha256.to_string(),
            od_bytes: input.od_text.len() as u64,
            distances: input.distances.map_or("great-circle".to_string(), |(f, _)| f.to_string()),
            periods: od.periods.clone(),
            period,
            mode: input.mode.map(str::to_string),
            total: link.total,
            top: input.top,
            pairs: link
                .pairs
                .iter()
                .filter(|p| p.total > 0.0)
                .take(input.top.max(MAP_PAIRS))
                .map(|p| FlowPair {
                    rank: p.rank,
                    a: code(p.a),
                    b: code(p.b),
                    ab: p.ab,
                    ba: p.ba,
                    total: p.total,
                    share: p.share,
                })
                .collect(),
            cities: link
                .cities
                .iter()
                .map(|c| FlowCity {
                    unit: code(c.unit),
                    out: c.out,
                    inflow: c.inflow,
                    net: c.net,
                    share: c.share,
                    top_partner: c.top_partner.map(code),
                    top_partner_share: c.top_partner_share,
                })
                .collect(),
            network: FlowNetwork {
                density: net.density,
                modularity: net.modularity,
                hubs: net.hubs.iter().map(|&u| code(u)).collect(),
                nodes: (0..n)
                    .map(|u| FlowNode {
                        unit: code(u),
                        strength: net.in_strength[u] + net.out_strength[u],
                        in_strength: net.in_strength[u],
                        out_strength: net.out_strength[u],
                        betweenness: net.betweenness[u],
                        closeness: net.closeness[u],
                        pagerank: net.pagerank[u],
                        community: net.community[u],
                        hub: net.hubs.contains(&u),
                    })
                    .collect(),
                communities: (0..ncomm)
                    .map(|c| (0..n).filter(|&u| net.community[u] == c).map(code).collect())
                    .collect(),
            },
            groups,
            gravity,
            modified,
            narrative: Vec::new(),
        };
        model.narrative = narrative(&model, project);
        Ok(model)
    }
}

fn name(project: &Project, code: &str, lang: Lang) -> String {
    project.units.iter().find(|u| u.code == code).map_or(code.to_string(), |u| u.name.get(lang).to_string())
}

fn column_name(project: &Project, code: &str, lang: Lang) -> String {
    if let Some(s) = project.series.iter().find(|s| s.code == code) {
        return s.name.get(lang).to_string();
    }
    project.framework.find(code).map_or(code.to_string(), |i| project.framework.node(i).spec.name.get(lang).to_string())
}

/// A flow: whole numbers from 100 up, else one decimal (two below 1).
pub fn fmt_flow(x: f64) -> String {
    if x == 0.0 {
        "0".to_string()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The sentences of the flows section, from its numbers.
pub fn narrative(m: &FlowsModel, project: &Project) -> Vec<Paragraph> {
    let mut out = Vec::new();
    let both = |f: &dyn Fn(Lang) -> String| Text::new(f(Lang::En), f(Lang::Zh));
    let nm = |c: &str, lang: Lang| name(project, c, lang);
    let pair = |p: &FlowPair, lang: Lang| match lang {
        Lang::En => format!("{}–{}", nm(&p.a, lang), nm(&p.b, lang)),
        Lang::Zh => format!("{}—{}", nm(&p.a, lang), nm(&p.b, lang)),
    };
    let tag = |lang: Lang| match (m.illustrative, lang) {
        (false, _) => String::new(),
        (true, Lang::En) => "On the illustrative OD data, ".to_string(),
        (true, Lang::Zh) => "（示意 OD 数据）".to_string(),
    };
    if let Some(p) = m.pairs.first() {
        let k = m.top.min(m.pairs.len());
        let top_share: f64 = m.pairs.iter().take(k).map(|p| p.share).sum();
        let second = m.pairs.get(1);
        out.push(Paragraph {
            topic: "flows_lead",
            text: both(&|lang| {
                let t = tag(lang);
                match lang {
                    Lang::En => {
                        let lead = if t.is_empty() { String::new() } else { t.clone() };
                        let mut s = format!(
                            "{lead}{} is the most linked pair: {} in both directions, {} of all flows",
                            pair(p, lang),
                            fmt_flow(p.total),
                            pct(p.share)
                        );
                        if let Some(q) = second {
                            let _ = write!(s, ", ahead of {} ({})", pair(q, lang), pct(q.share));
                        }
                        if k > 1 {
                            let _ = write!(s, ". The top {k} pairs carry {} of the total.", pct(top_share));
                        } else {
                            s.push('.');
                        }
                        s
                    }
                    Lang::Zh => {
                        let mut s = format!(
                            "{t}{}联系最为紧密，双向流量{}，占全部流量的{}",
                            pair(p, lang),
                            fmt_flow(p.total),
                            pct(p.share)
                        );
                        if let Some(q) = second {
                            let _ = write!(s, "；其次为{}（{}）", pair(q, lang), pct(q.share));
                        }
                        if k > 1 {
                            let _ = write!(s, "。前{k}个城市对合计占{}。", pct(top_share));
                        } else {
                            s.push('。');
                        }
                        s
                    }
                }
            }),
        });
    }
    let nodes = &m.network.nodes;
    let argmax = |f: &dyn Fn(&FlowNode) -> f64| {
        nodes.iter().max_by(|a, b| f(a).total_cmp(&f(b)).then(b.unit.cmp(&a.unit))).map(|n| n.unit.clone())
    };
    if m.total > 0.0 && !m.network.hubs.is_empty() {
        let share = |c: &str| m.cities.iter().find(|x| x.unit == c).map_or(0.0, |x| x.share);
        let pr = argmax(&|n| n.pagerank);
        let bt = argmax(&|n| n.betweenness).filter(|_| nodes.iter().any(|n| n.betweenness > 0.0));
        out.push(Paragraph {
            topic: "flows_hubs",
            text: both(&|lang| {
                let hubs: Vec<String> =
                    m.network.hubs.iter().map(|h| format!("{} ({})", nm(h, lang), pct(share(h)))).collect();
                let hubs_zh: Vec<String> =
                    m.network.hubs.iter().map(|h| format!("{}（{}）", nm(h, lang), pct(share(h)))).collect();
                match lang {
                    Lang::En => {
                        let mut s = format!(
                            "{} {} the network's {} (share of all flow ends)",
                            join(&hubs, lang),
                            if hubs.len() > 1 { "are" } else { "is" },
                            if hubs.len() > 1 { "hubs" } else { "hub" }
                        );
                        match (&pr, &bt) {
                            (Some(p), Some(b)) if p == b => {
                                let _ = write!(
                                    s,
                                    "; {} has both the highest PageRank and the highest betweenness",
                                    nm(p, lang)
                                );
                            }
                            (Some(p), Some(b)) => {
                                let _ = write!(
                                    s,
                                    "; {} has the highest PageRank and {} the highest betweenness",
                                    nm(p, lang),
                                    nm(b, lang)
                                );
                            }
                            (Some(p), None) => {
                                let _ = write!(s, "; {} has the highest PageRank", nm(p, lang));
                            }
                            _ => {}
                        }
                        s.push('.');
                        s
                    }
                    Lang::Zh => {
                        let mut s = format!("网络枢纽城市为{}（占全部流量端点）", join(&hubs_zh, lang));
                        match (&pr, &bt) {
                            (Some(p), Some(b)) if p == b => {
                                let _ = write!(s, "；{}的 PageRank 与中介中心度均为最高", nm(p, lang));
                            }
                            (Some(p), Some(b)) => {
                                let _ =
                                    write!(s, "；PageRank 最高的是{}，中介中心度最高的是{}", nm(p, lang), nm(b, lang));
                            }
                            (Some(p), None) => {
                                let _ = write!(s, "；PageRank 最高的是{}", nm(p, lang));
                            }
                            _ => {}
                        }
                        s.push('。');
                        s
                    }
                }
            }),
        });
    }
    let inflow = m.cities.iter().filter(|c| c.net > 0.0).max_by(|a, b| a.net.total_cmp(&b.net));
    let outflow = m.cities.iter().filter(|c| c.net < 0.0).min_by(|a, b| a.net.total_cmp(&b.net));
    if let (Some(i), Some(o)) = (inflow, outflow) {
        out.push(Paragraph {
            topic: "flows_net",
            text: both(&|lang| match lang {
                Lang::En => format!(
                    "The largest net inflow is to {} ({}), the largest net outflow from {} ({}).",
                    nm(&i.unit, lang),
                    format_args!("+{}", fmt_flow(i.net)),
                    nm(&o.unit, lang),
                    fmt_flow(o.net)
                ),
                Lang::Zh => format!(
                    "净流入最多的是{}（+{}），净流出最多的是{}（{}）。",
                    nm(&i.unit, lang),
                    fmt_flow(i.net),
                    nm(&o.unit, lang),
                    fmt_flow(o.net)
                ),
            }),
        });
    }
    if let Some(g) = m.groups.iter().max_by(|a, b| a.share.total_cmp(&b.share)).filter(|g| g.share > 0.0) {
        out.push(Paragraph {
            topic: "flows_groups",
            text: both(&|lang| match lang {
                Lang::En => format!("Flows within {} make up {} of the total.", g.group, pct(g.share)),
                Lang::Zh => format!("{}内部流量占全部流量的{}。", g.group, pct(g.share)),
            }),
        });
    }
    let comms = &m.network.communities;
    if comms.len() > 1 && m.total > 0.0 {
        out.push(Paragraph {
            topic: "flows_communities",
            text: both(&|lang| {
                let list: Vec<String> = comms
                    .iter()
                    .map(|c| {
                        let names: Vec<String> = c.iter().map(|u| nm(u, lang)).collect();
                        match lang {
                            Lang::En => format!("{{{}}}", names.join(", ")),
                            Lang::Zh => format!("{{{}}}", names.join("、")),
                        }
                    })
                    .collect();
                match lang {
                    Lang::En => format!(
                        "Community detection (Louvain) splits the network into {} groups (modularity {:.2}): {}.",
                        comms.len(),
                        m.network.modularity,
                        list.join(" ")
                    ),
                    Lang::Zh => format!(
                        "社区划分（Louvain）将网络分为{}个组团（模块度 {:.2}）：{}。",
                        comms.len(),
                        m.network.modularity,
                        list.join(" ")
                    ),
                }
            }),
        });
    }
    if let Some(g) = &m.gravity
        && let Some(d) = g.coefficients.iter().find(|c| c.name == "log_distance" || c.name == "distance")
    {
        out.push(Paragraph {
            topic: "flows_gravity",
            text: both(&|lang| {
                let model = match (g.model.as_str(), lang) {
                    ("production", Lang::En) => "production-constrained",
                    ("attraction", Lang::En) => "attraction-constrained",
                    ("doubly", Lang::En) => "doubly-constrained",
                    (_, Lang::En) => "unconstrained",
                    ("production", Lang::Zh) => "出行端约束",
                    ("attraction", Lang::Zh) => "吸引端约束",
                    ("doubly", Lang::Zh) => "双约束",
                    (_, Lang::Zh) => "无约束",
                };
                let decay = match (g.decay.as_str(), lang) {
                    ("exponential", Lang::En) => "exponential",
                    (_, Lang::En) => "power-law",
                    ("exponential", Lang::Zh) => "指数",
                    (_, Lang::Zh) => "幂函数",
                };
                match lang {
                    Lang::En => format!(
                        "A {model} gravity model with {decay} distance decay, fitted on {} pairs, gives a distance coefficient of {:.3} (s.e. {:.3}); McFadden pseudo-R² {:.3}, SRMSE {:.3}.",
                        g.pairs, d.estimate, d.se, g.pseudo_r2, g.srmse
                    ),
                    Lang::Zh => format!(
                        "{model}引力模型（{decay}距离衰减，{}个城市对）估计的距离系数为 {:.3}（标准误 {:.3}），McFadden 伪 R² 为 {:.3}，SRMSE 为 {:.3}。",
                        g.pairs, d.estimate, d.se, g.pseudo_r2, g.srmse
                    ),
                }
            }),
        });
    }
    if let Some(md) = &m.modified
        && let Some(top) = md.pairs.first()
    {
        let same = m.pairs.first().is_some_and(|p| (p.a == top.a && p.b == top.b) || (p.a == top.b && p.b == top.a));
        let observed = m.pairs.first();
        out.push(Paragraph {
            topic: "flows_modified",
            text: both(&|lang| {
                let (mass, gdp) = (column_name(project, &md.mass, lang), column_name(project, &md.gdp, lang));
                let lp = match lang {
                    Lang::En => format!("{}–{}", nm(&top.a, lang), nm(&top.b, lang)),
                    Lang::Zh => format!("{}—{}", nm(&top.a, lang), nm(&top.b, lang)),
                };
                match lang {
                    Lang::En => {
                        let mut s = format!(
                            "From the masses ({mass} × {gdp}, {}) with a distance decay exponent of {}, the modified gravity linkage is strongest for {lp}",
                            md.period, md.exponent
                        );
                        match observed {
                            Some(_) if same => s.push_str(", the same pair as the OD flows."),
                            Some(p) => {
                                let _ = write!(s, ", whereas the OD flows put {} first.", pair(p, lang));
                            }
                            None => s.push('.'),
                        }
                        s
                    }
                    Lang::Zh => {
                        let mut s = format!(
                            "按规模变量（{mass} × {gdp}，{}年）与距离衰减指数{}计算的修正引力模型中，联系强度最高的是{lp}",
                            md.period, md.exponent
                        );
                        match observed {
                            Some(_) if same => s.push_str("，与 OD 流量的最强城市对一致。"),
                            Some(p) => {
                                let _ = write!(s, "，而 OD 流量最强的是{}。", pair(p, lang));
                            }
                            None => s.push('。'),
                        }
                        s
                    }
                }
            }),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use baydex_core::{Framework, IndexMeta, Matrix, NodeSpec, Panel, StepSpec, Unit};

    /// Four units on a line one degree of longitude apart; masses POP and GDP.
    fn project() -> Project {
        let fw = Framework::build(vec![NodeSpec::aggregate("I", None), NodeSpec::indicator("POP", "I")]).unwrap();
        let codes = ["A", "B", "C", "D"];
        let units: Vec<Unit> = codes
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let mut u = Unit::new(c);
                u.name = Text::new(format!("City {c}"), format!("{c}市"));
                u.lat = Some(10.0);
                u.lon = Some(100.0 + k as f64);
                u.groups.insert("side".into(), if k < 2 { "west".into() } else { "east".into() });
                u
            })
            .collect();
        let data = Matrix::from_columns(4, &[vec![4.0, 3.0, 2.0, 1.0], vec![40.0, 10.0, 20.0, 5.0]]).unwrap();
        Project {
            meta: IndexMeta {
                name: Text::new("T", "T"),
                description: Text::default(),
                illustrative: false,
                illustrative_note: Text::default(),
                periods: vec!["2024".into()],
            },
            units,
            framework: fw,
            series: vec![],
            data: Panel {
                units: codes.iter().map(|c| c.to_string()).collect(),
                columns: vec!["POP".into(), "GDP".into()],
                periods: vec!["2024".into()],
                data: vec![data],
                notes: vec![],
            },
            pipeline: vec![StepSpec::new("normalise"), StepSpec::new("aggregate")],
            tiers: None,
        }
    }

    // Hand-made flows: C–D is strongest (60 + 40 = 100 of 200 = 50%), then A–B (30 + 20 = 50,
    // 25%), A–C 20 (10%), B–D 20 (10%), A–D 10 (5%).
    const OD: &str = "origin,destination,count\nC,D,60\nD,C,40\nA,B,30\nB,A,20\nA,C,20\nB,D,20\nA,D,10\n";

    fn input<'a>(note: &'a Text, illustrative: bool, model: &'a str) -> FlowsInput<'a> {
        FlowsInput {
            od_file: "od.csv",
            od_sha256: "",
            od_text: OD,
            od_rows: None,
            distances: None,
            model,
            decay: "power",
            top: 3,
            mass: Some("POP"),
            gdp: Some("GDP"),
            exponent: 2.0,
            period: None,
            mode: None,
            group: None,
            sum_duplicates: false,
            zeros: false,
            illustrative,
            illustrative_note: note,
        }
    }

    #[test]
    fn lead_sentence_names_the_strongest_pair_and_its_share() {
        let note = Text::default();
        let m = FlowsModel::build(&project(), &input(&note, false, "none")).unwrap();
        assert_eq!(m.total, 200.0);
        assert_eq!((m.pairs[0].a.as_str(), m.pairs[0].b.as_str(), m.pairs[0].total), ("C", "D", 100.0));
        let lead = &m.narrative.iter().find(|p| p.topic == "flows_lead").unwrap().text;
        assert_eq!(
            lead.en,
            "City C–City D is the most linked pair: 100 in both directions, 50.0% of all flows, ahead of City A–City B (25.0%). The top 3 pairs carry 85.0% of the total."
        );
        assert_eq!(
            lead.zh,
            "C市—D市联系最为紧密，双向流量100，占全部流量的50.0%；其次为A市—B市（25.0%）。前3个城市对合计占85.0%。"
        );
        assert!(m.gravity.is_none());
        assert!(!m.narrative.iter().any(|p| p.topic == "flows_gravity"));
    }

    #[test]
    fn illustrative_data_are_labelled_in_both_languages() {
        let note = Text::new("made up", "虚构");
        let m = FlowsModel::build(&project(), &input(&note, true, "none")).unwrap();
        assert!(m.illustrative);
        let lead = &m.narrative[0].text;
        assert!(lead.en.starts_with("On the illustrative OD data, "), "{}", lead.en);
        assert!(lead.zh.starts_with("（示意 OD 数据）"), "{}", lead.zh);
    }

    #[test]
    fn net_flows_and_groups_sentences_follow_the_numbers() {
        let note = Text::default();
        let m = FlowsModel::build(&project(), &input(&note, false, "none")).unwrap();
        // Inflow − outflow: A 20 − 60 = −40, B 30 − 40 = −10, C (40 + 20) − 60 = 0,
        // D (60 + 20 + 10) − 40 = +50.
        let net: Vec<f64> = m.cities.iter().map(|c| c.net).collect();
        assert_eq!(net, [-40.0, -10.0, 0.0, 50.0]);
        let s = &m.narrative.iter().find(|p| p.topic == "flows_net").unwrap().text;
        assert_eq!(s.en, "The largest net inflow is to City D (+50.0), the largest net outflow from City A (-40.0).");
        // Within east (C, D): 100 of 200; within west (A, B): 50 of 200.
        let g = &m.narrative.iter().find(|p| p.topic == "flows_groups").unwrap().text;
        assert_eq!(g.en, "Flows within east make up 50.0% of the total.");
        assert_eq!(g.zh, "east内部流量占全部流量的50.0%。");
    }

    #[test]
    fn hub_sentence_names_the_strongest_city() {
        let note = Text::default();
        let m = FlowsModel::build(&project(), &input(&note, false, "none")).unwrap();
        // Strengths (in + out): A 80, B 70, C 120, D 130: mean 100, s.d. √650 ≈ 25.5 → only D ≥ 125.5.
        assert_eq!(m.network.hubs, ["D"]);
        let s = &m.narrative.iter().find(|p| p.topic == "flows_hubs").unwrap().text;
        // D's share of flow ends: 130 / 400.
        assert!(s.en.starts_with("City D (32.5%) is the network's hub"), "{}", s.en);
        assert!(s.zh.starts_with("网络枢纽城市为D市（32.5%）"), "{}", s.zh);
    }

    #[test]
    fn gravity_and_modified_gravity_sentences_when_asked() {
        let note = Text::default();
        let m = FlowsModel::build(&project(), &input(&note, false, "production")).unwrap();
        let g = m.gravity.as_ref().unwrap();
        assert_eq!((g.model.as_str(), g.pairs, g.fixed_effects), ("production", 7, 4));
        let d = g.coefficients.iter().find(|c| c.name == "log_distance").unwrap();
        let s = &m.narrative.iter().find(|p| p.topic == "flows_gravity").unwrap().text;
        assert!(s.en.contains(&format!("distance coefficient of {:.3}", d.estimate)), "{}", s.en);
        // Modified gravity √(P G): A √160, B √30, C √40, D √5; one degree apart → A–B strongest:
        // √160·√30 / d² vs C–D √40·√5 / d²; A–B wins.
        let md = m.modified.as_ref().unwrap();
        assert_eq!((md.pairs[0].a.as_str(), md.pairs[0].b.as_str()), ("A", "B"));
        let s = &m.narrative.iter().find(|p| p.topic == "flows_modified").unwrap().text;
        assert!(s.en.ends_with("whereas the OD flows put City C–City D first."), "{}", s.en);
    }

    #[test]
    fn a_missing_mass_is_an_error_naming_the_unit_and_column() {
        let mut p = project();
        p.data.data[0] = Matrix::from_columns(4, &[vec![4.0, f64::NAN, 2.0, 1.0], vec![1.0; 4]]).unwrap();
        let note = Text::default();
        let e = FlowsModel::build(&p, &input(&note, false, "production")).unwrap_err();
        assert!(matches!(&e, Error::FlowsMass { unit, column, .. } if unit == "B" && column == "POP"), "{e}");
        assert!(e.message().zh.contains("B"));
    }

    #[test]
    fn an_unknown_od_unit_is_a_located_error() {
        let note = Text::default();
        let mut i = input(&note, false, "none");
        i.od_text = "origin,destination,count\nA,Z,3\n";
        let e = FlowsModel::build(&project(), &i).unwrap_err();
        let msg = e.message();
        assert!(msg.en.contains("od.csv") && msg.en.contains("Z"), "{}", msg.en);
    }
}
