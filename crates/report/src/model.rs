//! The report model: everything a reader sees, computed once from a project and its results.
//!
//! Numbers are kept at full precision (rounding is the renderer's business); a missing value is
//! `None` (JSON `null`). Vectors of scores, ranks and tiers of a period are aligned with that
//! period's `units` (a screening step may drop units in one period and not in another).
//!
//! Optional sections: a capability that produces results of its own (sensitivity, flows…) adds an
//! `Option<…>` field here, filled only when the results exist, and its name to
//! [`ReportModel::sections`]; the HTML report and the portal draw a section only when it is listed.

use std::collections::BTreeMap;

use baydex_core::audit::{self, AuditParams, CorrelationMatrix, CorrelationPair, CronbachRow, Method};
use baydex_core::changes::Change;
use baydex_core::obstacle::Obstacle;
use baydex_core::{Framework, Project, Results, Text};
use serde::{Deserialize, Serialize};

use crate::flows::FlowsModel;
use crate::sensitivity::SensitivityModel;
use crate::{Error, Result, narrative};

/// Version of the model's JSON layout; bumped when a field changes meaning or is removed.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything a reader of the results sees: see the module documentation.
#[derive(Debug, Clone, Serialize)]
pub struct ReportModel {
    /// [`SCHEMA_VERSION`].
    pub schema: u32,
    /// The index: names, description, the illustrative flag and note.
    pub index: IndexInfo,
    /// Every unit of the project, in display order.
    pub units: Vec<UnitInfo>,
    /// Computed periods, in order.
    pub periods: Vec<String>,
    /// Every node of the framework in tree order (the index first, then depth-first).
    pub framework: Vec<NodeInfo>,
    /// Code of the index (the root).
    pub root: String,
    /// The first-level dimensions (children of the index), in declaration order.
    pub dimensions: Vec<String>,
    /// Nodes a unit's profile and radar chart are drawn across: the first-level dimensions, or,
    /// when there are fewer than three, the aggregates below them, else every node below them.
    pub profile_nodes: Vec<String>,
    /// Tier scheme, when the project has one.
    pub tiers: Option<TierInfo>,
    /// One entry per period, in order.
    pub results: Vec<PeriodModel>,
    /// Panels: change of the index and dimensions from the first to the last period, per unit.
    pub changes: Vec<Change>,
    /// Panels: a paragraph on the change over time (empty otherwise).
    pub change_narrative: Vec<Paragraph>,
    /// Where the numbers come from.
    pub provenance: Provenance,
    /// Cross-city flows, when the project has a `[flows]` table ([`ReportModel::with_flows`]).
    pub flows: Option<FlowsModel>,
    /// Uncertainty and sensitivity of the ranking ([`ReportModel::with_sensitivity`]).
    pub sensitivity: Option<SensitivityModel>,
    /// The sections that have content, in reading order (`summary`, `ranking`, `map`, `tiers`,
    /// `leaders`, `profiles`, `audit`, `weights`, `obstacles`, `sensitivity`, `changes`, `flows`, `provenance`).
    pub sections: Vec<&'static str>,
}

/// The index.
#[derive(Debug, Clone, Serialize)]
pub struct IndexInfo {
    /// Code of the root node.
    pub code: String,
    /// Display name.
    pub name: Text,
    /// Description.
    pub description: Text,
    /// True when (some of) the data are illustrative.
    pub illustrative: bool,
    /// What is illustrative and what is real.
    pub illustrative_note: Text,
}

/// A unit.
#[derive(Debug, Clone, Serialize)]
pub struct UnitInfo {
    /// Code.
    pub code: String,
    /// Names.
    pub name: Text,
    /// Longitude (WGS 84).
    pub lon: Option<f64>,
    /// Latitude (WGS 84).
    pub lat: Option<f64>,
    /// Group memberships.
    pub groups: BTreeMap<String, String>,
}

/// A node of the framework.
#[derive(Debug, Clone, Serialize)]
pub struct NodeInfo {
    /// Code.
    pub code: String,
    /// Names.
    pub name: Text,
    /// Parent code (`None` for the index).
    pub parent: Option<String>,
    /// Level (1 = indicators).
    pub level: u32,
    /// Depth below the index (0 = the index).
    pub depth: u32,
    /// `indicator` or `aggregate`.
    pub kind: &'static str,
    /// Children codes, in declaration order.
    pub children: Vec<String>,
    /// Weight among its siblings, as used in the first period.
    pub weight: Option<f64>,
    /// Effective weight in the index, first period.
    pub effective_weight: Option<f64>,
    /// Direction (+1 / −1) of an indicator.
    pub direction: Option<f64>,
    /// Unit of measure of an indicator.
    pub unit: Text,
    /// Definition.
    pub definition: Text,
    /// Source.
    pub source: Text,
}

/// The tier scheme.
#[derive(Debug, Clone, Serialize)]
pub struct TierInfo {
    /// Method code (`fixed`, `jenks`, `kmeans`, `quantile`).
    pub method: String,
    /// Method display name.
    pub method_label: Text,
    /// True when the breaks are computed from the scores.
    pub data_driven: bool,
    /// Bands, best first: code and name.
    pub bands: Vec<(String, Text)>,
    /// Node codes the scheme applies to; `None` = every aggregate.
    pub nodes: Option<Vec<String>>,
}

/// Scores, ranks and tiers of one node in one period, aligned with [`PeriodModel::units`].
#[derive(Debug, Clone, Serialize)]
pub struct NodeResult {
    /// Scores.
    pub score: Vec<Option<f64>>,
    /// Ranks (1 = best, ties share the lowest).
    pub rank: Vec<Option<u32>>,
    /// Tier band codes (`None` when untiered or missing).
    pub tier: Vec<Option<String>>,
    /// Lower break of every band, best first (`None` for an open catch-all band); `None` when
    /// the node is not tiered.
    pub tier_breaks: Option<Vec<Option<f64>>>,
}

/// Weight and effective weight of one node in one period.
#[derive(Debug, Clone, Serialize)]
pub struct NodeWeight {
    /// Node code.
    pub node: String,
    /// Weight among its siblings.
    pub weight: Option<f64>,
    /// Effective weight in the index.
    pub effective_weight: Option<f64>,
}

/// One band of the index in one period and the units in it.
#[derive(Debug, Clone, Serialize)]
pub struct TierGroup {
    /// Band code.
    pub band: String,
    /// Band name.
    pub name: Text,
    /// Lower break (`score >= lower`); `None` for an open band.
    pub lower: Option<f64>,
    /// Upper limit (the next better band's lower break, exclusive); `None` for the best band.
    pub upper: Option<f64>,
    /// Members, best first.
    pub members: Vec<String>,
    /// Lowest member score.
    pub min: Option<f64>,
    /// Highest member score.
    pub max: Option<f64>,
    /// Mean member score.
    pub mean: Option<f64>,
}

/// The leader of a node in one period.
#[derive(Debug, Clone, Serialize)]
pub struct Leader {
    /// Node code.
    pub node: String,
    /// Leading units (more than one when tied).
    pub units: Vec<String>,
    /// The leading score (`None` when nobody has one).
    pub score: Option<f64>,
    /// The best unit behind the leaders.
    pub runner_up: Option<String>,
    /// Runner-up score minus the leading score (≤ 0).
    pub runner_up_gap: Option<f64>,
    /// Median score.
    pub median: Option<f64>,
}

/// The gap between the mean scores of two adjacent tiers on one dimension.
#[derive(Debug, Clone, Serialize)]
pub struct DimensionGap {
    /// Dimension code.
    pub node: String,
    /// Mean of the upper tier minus mean of the lower tier.
    pub gap: f64,
}

/// How far the second tier trails the first, on the index and on every dimension.
#[derive(Debug, Clone, Serialize)]
pub struct TierGaps {
    /// The upper band code.
    pub upper: String,
    /// The lower band code.
    pub lower: String,
    /// Gap on the index (mean of the upper minus mean of the lower tier).
    pub index_gap: f64,
    /// Gap on every dimension where both tiers have a score, smallest first.
    pub dimensions: Vec<DimensionGap>,
}

/// The audit of one period, summarised for readers.
#[derive(Debug, Clone, Serialize)]
pub struct AuditSummary {
    /// Units scored.
    pub n_units: usize,
    /// Warnings (few units, PCA not computed…).
    pub warnings: Vec<Text>,
    /// Cronbach's alpha of every group and lower level.
    pub cronbach: Vec<CronbachRow>,
    /// Pearson correlation matrices (level × level and level × level above).
    pub matrices: Vec<CorrelationMatrix>,
    /// Flagged structural correlations (Pearson).
    pub flagged: Vec<CorrelationPair>,
    /// The level whose matrix a reader sees first (that of `profile_nodes`).
    pub default_level: u32,
}

/// A unit's profile in one period.
#[derive(Debug, Clone, Serialize)]
pub struct UnitProfile {
    /// Unit code.
    pub unit: String,
    /// Index score.
    pub score: Option<f64>,
    /// Index rank.
    pub rank: Option<u32>,
    /// Index tier band code.
    pub tier: Option<String>,
    /// Dimensions (`profile_nodes`) where the unit ranks best, when that is better than its worst.
    pub strengths: Vec<String>,
    /// Dimensions where it ranks worst, when that is below its overall rank.
    pub weaknesses: Vec<String>,
    /// The aggregate below the index with the largest obstacle degree, and its degree.
    pub top_obstacle: Option<(String, f64)>,
    /// The indicator with the largest obstacle degree, and its degree.
    pub top_indicator_obstacle: Option<(String, f64)>,
    /// The profile in prose.
    pub text: Text,
}

/// A paragraph of generated prose and what it is about.
#[derive(Debug, Clone, Serialize)]
pub struct Paragraph {
    /// `lead`, `tiers`, `tier_gaps`, `spread`, `leaders`, `closest`, `missing`, `change`.
    pub topic: &'static str,
    /// The text in both languages.
    pub text: Text,
}

/// Everything of one period.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodModel {
    /// The period.
    pub period: String,
    /// Units scored in this period (rows of every vector below).
    pub units: Vec<String>,
    /// Unit codes by index rank (best first; missing scores last).
    pub ranking: Vec<String>,
    /// Every node's results, by node code.
    pub nodes: BTreeMap<String, NodeResult>,
    /// Weights used in this period, in tree order.
    pub weights: Vec<NodeWeight>,
    /// Bands of the index and their members (empty when the index is not tiered).
    pub tier_groups: Vec<TierGroup>,
    /// Gaps between the first two non-empty tiers.
    pub tier_gaps: Option<TierGaps>,
    /// Leader of every first-level dimension.
    pub leaders: Vec<Leader>,
    /// The audit summary (`None` when it could not be computed, e.g. a single unit).
    pub audit: Option<AuditSummary>,
    /// Obstacle degrees of every unit (`None` when the normalisation has no bounded range).
    pub obstacles: Option<Vec<Obstacle>>,
    /// Profile of every unit, in ranking order.
    pub profiles: Vec<UnitProfile>,
    /// The summary in prose.
    pub narrative: Vec<Paragraph>,
}

/// Where the numbers come from: the run's `manifest.json` (`baydex_data::output::manifest_json`),
/// read with [`Provenance::from_manifest`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Provenance {
    /// Tool name.
    #[serde(default)]
    pub tool: String,
    /// Tool version.
    #[serde(default)]
    pub version: String,
    /// Project file.
    #[serde(default)]
    pub project: String,
    /// Every input file with its hash.
    #[serde(default)]
    pub inputs: Vec<InputHash>,
    /// `--set` overrides of the run.
    #[serde(default)]
    pub set: Vec<String>,
    /// Every step with its resolved parameters, in order.
    #[serde(default)]
    pub pipeline: Vec<StepProvenance>,
    /// Indicators computed by SQL over the data catalog (the manifest's `sql`), in file order.
    #[serde(default)]
    pub sql: Vec<SqlProvenance>,
}

/// An indicator computed by SQL over the data catalog: the query as run, as whom, and the
/// fingerprints of the tables it read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SqlProvenance {
    /// Indicator (or series) code.
    #[serde(default)]
    pub code: String,
    /// The query text.
    #[serde(default)]
    pub sql: String,
    /// The catalog principal it ran as (`None`: the catalog has no policy).
    #[serde(default)]
    pub principal: Option<String>,
    /// Each table read with its fingerprint.
    #[serde(default)]
    pub fingerprints: Vec<TableFingerprint>,
    /// Whether the catalog's data are synthetic.
    #[serde(default)]
    pub illustrative: bool,
    /// Where it ran: `local`, or a cluster's `ballista://HOST:PORT` (empty in older manifests).
    #[serde(default)]
    pub engine: String,
}

/// A catalog table and the SHA-256 fingerprint of its data when the query ran.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TableFingerprint {
    /// `domain.table`.
    #[serde(default)]
    pub table: String,
    /// Fingerprint (empty when the source could not be fingerprinted).
    #[serde(default)]
    pub sha256: String,
}

/// An input file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InputHash {
    /// Path as named by the project.
    pub path: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// Size in bytes.
    #[serde(default)]
    pub bytes: u64,
}

/// A step and its resolved parameters.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StepProvenance {
    /// Step name.
    pub step: String,
    /// Resolved parameters.
    #[serde(default)]
    pub params: serde_json::Value,
}

impl Provenance {
    /// Reads the provenance from a run manifest (the JSON of `manifest.json`).
    pub fn from_manifest(manifest: &serde_json::Value) -> Result<Provenance> {
        Ok(Provenance::deserialize(manifest)?)
    }
}

pub(crate) fn num(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Nodes in tree order: the root, then depth-first in declaration order, with depth.
fn tree_order(fw: &Framework) -> Vec<(usize, u32)> {
    let mut out = Vec::with_capacity(fw.nodes().len());
    let mut stack = vec![(fw.root(), 0u32)];
    while let Some((i, d)) = stack.pop() {
        out.push((i, d));
        for &c in fw.node(i).children.iter().rev() {
            stack.push((c, d + 1));
        }
    }
    out
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 })
}

fn mean(v: &[f64]) -> Option<f64> {
    let v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

impl ReportModel {
    /// Builds the model of a project's results. The audit is computed with default parameters;
    /// obstacle degrees where the normalisation has a bounded range; changes for panels.
    pub fn build(project: &Project, results: &Results, provenance: &Provenance) -> Result<ReportModel> {
        if results.periods.is_empty() {
            return Err(Error::NoPeriods);
        }
        let fw = &project.framework;
        let root = fw.root();
        let code = |i: usize| fw.node(i).code().to_string();
        let tree = tree_order(fw);
        let first = &results.periods[0];
        let framework: Vec<NodeInfo> = tree
            .iter()
            .map(|&(i, depth)| {
                let n = fw.node(i);
                let s = &n.spec;
                NodeInfo {
                    code: code(i),
                    name: s.name.clone(),
                    parent: s.parent.clone(),
                    level: n.level,
                    depth,
                    kind: if n.is_indicator() { "indicator" } else { "aggregate" },
                    children: n.children.iter().map(|&c| code(c)).collect(),
                    weight: first.weights.get(i).copied().and_then(num),
                    effective_weight: first.effective_weights.get(i).copied().and_then(num),
                    direction: n.is_indicator().then_some(s.direction),
                    unit: s.unit.clone(),
                    definition: s.definition.clone(),
                    source: s.source.clone(),
                }
            })
            .collect();
        let dims: Vec<usize> = fw.node(root).children.clone();
        // Profiles need at least three axes: the dimensions, else the aggregates below them, else
        // everything below them (indicators included).
        let below: Vec<usize> = dims.iter().flat_map(|&d| fw.node(d).children.iter().copied()).collect();
        let below_aggregates: Vec<usize> = below.iter().copied().filter(|&c| !fw.node(c).is_indicator()).collect();
        let profile: Vec<usize> = if dims.len() >= 3 {
            dims.clone()
        } else if below_aggregates.len() >= 3 {
            below_aggregates
        } else if below.len() >= 3 {
            below
        } else {
            dims.clone()
        };
        let tiers = project.tiers.as_ref().map(|s| {
            let kind = s.method_kind();
            TierInfo {
                method: s.method.clone(),
                method_label: kind.map_or_else(|| Text::new(s.method.clone(), s.method.clone()), |m| m.label()),
                data_driven: kind.is_some_and(|m| m.is_data_driven()),
                bands: s.bands.iter().map(|b| (b.code.clone(), b.name.clone())).collect(),
                nodes: s.nodes.clone(),
            }
        });
        let audits = audit::audit_results(project, results, &AuditParams::default()).ok();
        let obstacles = baydex_core::obstacle::obstacles_all(fw, results);
        let mut periods = Vec::with_capacity(results.periods.len());
        for (k, pr) in results.periods.iter().enumerate() {
            let units: Vec<String> = pr.units().to_vec();
            let mut nodes = BTreeMap::new();
            for &(i, _) in &tree {
                let tier = pr
                    .tiers(i)
                    .iter()
                    .map(|t| match (t, &project.tiers) {
                        (Some(t), Some(s)) => s.bands.get(*t).map(|b| b.code.clone()),
                        _ => None,
                    })
                    .collect();
                nodes.insert(
                    code(i),
                    NodeResult {
                        score: pr.scores(i).iter().map(|&x| num(x)).collect(),
                        rank: pr.ranks(i).to_vec(),
                        tier,
                        tier_breaks: pr.tier_breaks(i).map(|b| b.iter().map(|&x| num(x)).collect()),
                    },
                );
            }
            let mut ranking: Vec<usize> = (0..units.len()).collect();
            ranking.sort_by(|&a, &b| {
                let (ra, rb) = (pr.ranks(root)[a].unwrap_or(u32::MAX), pr.ranks(root)[b].unwrap_or(u32::MAX));
                ra.cmp(&rb).then(a.cmp(&b))
            });
            let weights = tree
                .iter()
                .map(|&(i, _)| NodeWeight {
                    node: code(i),
                    weight: pr.weights.get(i).copied().and_then(num),
                    effective_weight: pr.effective_weights.get(i).copied().and_then(num),
                })
                .collect();
            let tier_groups = tier_groups(project, pr, &ranking);
            let tier_gaps = tier_gaps(project, pr, &tier_groups, &dims);
            let leaders = dims.iter().map(|&d| leader(fw, pr, d)).collect();
            let audit = audits.as_ref().and_then(|a| a.get(k)).map(|a| {
                let level = profile.first().map_or(1, |&p| fw.node(p).level);
                AuditSummary {
                    n_units: a.n_units,
                    warnings: a.warnings.clone(),
                    cronbach: a.cronbach.clone(),
                    matrices: a.matrices.iter().filter(|m| m.method == Method::Pearson).cloned().collect(),
                    flagged: a.flagged(Method::Pearson).cloned().collect(),
                    default_level: level,
                }
            });
            let obst = obstacles.as_ref().and_then(|t| t.get(k)).map(|t| t.rows.clone());
            periods.push(PeriodModel {
                period: pr.period.clone(),
                ranking: ranking.iter().map(|&u| units[u].clone()).collect(),
                units,
                nodes,
                weights,
                tier_groups,
                tier_gaps,
                leaders,
                audit,
                obstacles: obst,
                profiles: Vec::new(),
                narrative: Vec::new(),
            });
        }
        let changes: Vec<Change> = baydex_core::changes::changes(fw, results)
            .into_iter()
            .filter(|c| {
                c.span == "total" && (c.node == code(root) || dims.iter().any(|&d| fw.node(d).code() == c.node))
            })
            .collect();
        let mut model = ReportModel {
            schema: SCHEMA_VERSION,
            index: IndexInfo {
                code: code(root),
                name: project.meta.name.clone(),
                description: project.meta.description.clone(),
                illustrative: project.meta.illustrative,
                illustrative_note: project.meta.illustrative_note.clone(),
            },
            units: project
                .units
                .iter()
                .map(|u| UnitInfo {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    lon: u.lon.and_then(num),
                    lat: u.lat.and_then(num),
                    groups: u.groups.clone(),
                })
                .collect(),
            periods: results.periods.iter().map(|p| p.period.clone()).collect(),
            framework,
            root: code(root),
            dimensions: dims.iter().map(|&d| code(d)).collect(),
            profile_nodes: profile.iter().map(|&d| code(d)).collect(),
            tiers,
            results: periods,
            changes,
            change_narrative: Vec::new(),
            provenance: provenance.clone(),
            flows: None,
            sensitivity: None,
            sections: Vec::new(),
        };
        for k in 0..model.results.len() {
            let profiles = narrative::profiles(&model, k);
            model.results[k].profiles = profiles;
            let text = narrative::summary(&model, k);
            model.results[k].narrative = text;
        }
        model.change_narrative = narrative::change(&model);
        model.sections = sections(&model);
        Ok(model)
    }

    /// Adds the flows section (computed by [`FlowsModel::build`]) and lists it in the sections.
    pub fn with_flows(mut self, flows: FlowsModel) -> ReportModel {
        self.flows = Some(flows);
        self.sections = sections(&self);
        self
    }

    /// Adds the uncertainty and sensitivity section ([`SensitivityModel::build`]) and lists it.
    pub fn with_sensitivity(mut self, sensitivity: SensitivityModel) -> ReportModel {
        self.sensitivity = Some(sensitivity);
        self.sections = sections(&self);
        self
    }

    /// The model as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Adds an optional section held as JSON (`flows`, `sensitivity`: the serialised
    /// [`FlowsModel`] or [`SensitivityModel`]) to a model's JSON ([`ReportModel::to_json`]) and lists
    /// it in `sections` in reading order — what [`ReportModel::with_flows`] and
    /// [`ReportModel::with_sensitivity`] do on the model, for a caller that holds those results
    /// only as JSON (the server's per-project extensions). Returns false, changing nothing, when
    /// `name` is not an optional section or `report` is not a model's JSON object.
    pub fn add_section_json(report: &mut serde_json::Value, name: &str, section: serde_json::Value) -> bool {
        let Some(&name) = OPTIONAL_SECTIONS.iter().find(|s| **s == name) else { return false };
        let Some(obj) = report.as_object_mut() else { return false };
        let listed: Vec<String> = obj
            .get("sections")
            .and_then(serde_json::Value::as_array)
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let sections: Vec<&str> =
            SECTIONS.iter().copied().filter(|s| *s == name || listed.iter().any(|l| l == s)).collect();
        obj.insert(name.to_string(), section);
        obj.insert("sections".to_string(), serde_json::json!(sections));
        true
    }

    /// A unit's display name (its code when unknown).
    pub fn unit_name(&self, code: &str, lang: baydex_core::Lang) -> String {
        self.units.iter().find(|u| u.code == code).map_or(code.to_string(), |u| u.name.get(lang).to_string())
    }

    /// A node by code.
    pub fn node(&self, code: &str) -> Option<&NodeInfo> {
        self.framework.iter().find(|n| n.code == code)
    }

    /// A node's display name (its code when unknown).
    pub fn node_name(&self, code: &str, lang: baydex_core::Lang) -> String {
        self.node(code).map_or(code.to_string(), |n| n.name.get(lang).to_string())
    }

    /// A tier band's display name.
    pub fn band_name(&self, code: &str, lang: baydex_core::Lang) -> String {
        self.tiers
            .as_ref()
            .and_then(|t| t.bands.iter().find(|(c, _)| c == code))
            .map_or(code.to_string(), |(_, n)| n.get(lang).to_string())
    }
}

/// Every section a report can have, in reading order ([`ReportModel::sections`] lists those with
/// content, in this order).
pub const SECTIONS: [&str; 13] = [
    "summary",
    "ranking",
    "map",
    "tiers",
    "leaders",
    "profiles",
    "audit",
    "weights",
    "obstacles",
    "sensitivity",
    "changes",
    "flows",
    "provenance",
];

/// The sections computed outside [`ReportModel::build`] and added to the model afterwards.
pub const OPTIONAL_SECTIONS: [&str; 2] = ["sensitivity", "flows"];

fn sections(m: &ReportModel) -> Vec<&'static str> {
    let mut s = vec!["summary", "ranking"];
    let has_coords = m.units.iter().any(|u| u.lon.is_some() && u.lat.is_some());
    if has_coords {
        s.push("map");
    }
    if m.results.iter().any(|p| !p.tier_groups.is_empty()) {
        s.push("tiers");
    }
    if !m.dimensions.is_empty() {
        s.push("leaders");
    }
    s.push("profiles");
    if m.results.iter().any(|p| p.audit.is_some()) {
        s.push("audit");
    }
    s.push("weights");
    if m.results.iter().any(|p| p.obstacles.is_some()) {
        s.push("obstacles");
    }
    if m.sensitivity.is_some() {
        s.push("sensitivity");
    }
    if m.results.len() > 1 {
        s.push("changes");
    }
    if m.flows.is_some() {
        s.push("flows");
    }
    s.push("provenance");
    s
}

fn tier_groups(project: &Project, pr: &baydex_core::PeriodResult, ranking: &[usize]) -> Vec<TierGroup> {
    let fw = &project.framework;
    let root = fw.root();
    let (Some(scheme), Some(breaks)) = (&project.tiers, pr.tier_breaks(root)) else { return Vec::new() };
    let data_driven = scheme.method_kind().is_some_and(|m| m.is_data_driven());
    let (scores, tiers) = (pr.scores(root), pr.tiers(root));
    scheme
        .bands
        .iter()
        .enumerate()
        .map(|(t, band)| {
            let members: Vec<usize> = ranking.iter().copied().filter(|&u| tiers[u] == Some(t)).collect();
            let vals: Vec<f64> = members.iter().map(|&u| scores[u]).filter(|x| x.is_finite()).collect();
            // A data-driven last band starts at the lowest score: open below.
            let open = data_driven && t + 1 == scheme.bands.len();
            TierGroup {
                band: band.code.clone(),
                name: band.name.clone(),
                lower: if open { None } else { breaks.get(t).copied().and_then(num) },
                upper: if t == 0 { None } else { breaks.get(t - 1).copied().and_then(num) },
                members: members.iter().map(|&u| pr.units()[u].clone()).collect(),
                min: vals.iter().copied().reduce(f64::min),
                max: vals.iter().copied().reduce(f64::max),
                mean: mean(&vals),
            }
        })
        .collect()
}

fn tier_gaps(
    project: &Project,
    pr: &baydex_core::PeriodResult,
    groups: &[TierGroup],
    dims: &[usize],
) -> Option<TierGaps> {
    let mut nonempty = groups.iter().filter(|g| !g.members.is_empty());
    let (a, b) = (nonempty.next()?, nonempty.next()?);
    let fw = &project.framework;
    let idx = |g: &TierGroup| -> Vec<usize> {
        g.members.iter().filter_map(|m| pr.units().iter().position(|u| u == m)).collect()
    };
    let (ia, ib) = (idx(a), idx(b));
    let gap = |node: usize| -> Option<f64> {
        let s = pr.scores(node);
        let ma = mean(&ia.iter().map(|&u| s[u]).collect::<Vec<_>>())?;
        let mb = mean(&ib.iter().map(|&u| s[u]).collect::<Vec<_>>())?;
        Some(ma - mb)
    };
    let index_gap = gap(fw.root())?;
    let mut dimensions: Vec<DimensionGap> = dims
        .iter()
        .filter_map(|&d| gap(d).map(|g| DimensionGap { node: fw.node(d).code().to_string(), gap: g }))
        .collect();
    dimensions.sort_by(|x, y| x.gap.total_cmp(&y.gap));
    Some(TierGaps { upper: a.band.clone(), lower: b.band.clone(), index_gap, dimensions })
}

fn leader(fw: &Framework, pr: &baydex_core::PeriodResult, d: usize) -> Leader {
    let s = pr.scores(d);
    let r = pr.ranks(d);
    let mut idx: Vec<usize> = (0..s.len()).filter(|&u| s[u].is_finite()).collect();
    idx.sort_by(|&a, &b| s[b].total_cmp(&s[a]).then(a.cmp(&b)));
    let units: Vec<String> = idx.iter().filter(|&&u| r[u] == Some(1)).map(|&u| pr.units()[u].clone()).collect();
    let best = idx.first().map(|&u| s[u]);
    let runner = idx.iter().find(|&&u| r[u] != Some(1)).copied();
    Leader {
        node: fw.node(d).code().to_string(),
        units,
        score: best,
        runner_up: runner.map(|u| pr.units()[u].clone()),
        runner_up_gap: runner.zip(best).map(|(u, b)| s[u] - b),
        median: median(s.to_vec()),
    }
}
