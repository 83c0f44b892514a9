//! What the server holds: every project computed once at startup, its JSON bodies serialised
//! once, and who may read it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use axum::body::Bytes;
use baydex_core::{Lang, Results};
use baydex_data::LoadedProject;
use baydex_data::output;
use serde_json::{Value as Json, json};

use crate::auth::{AuditSink, Authenticator, ProjectAccess};
use crate::{CoreMessage, Limits, ProjectExtension};

/// The JSON bodies of one period, serialised at startup.
#[derive(Debug)]
pub(crate) struct PeriodBodies {
    pub results: Bytes,
    pub scores: Bytes,
    pub ranks: Bytes,
    pub tiers: Bytes,
    pub audit: Bytes,
}

/// One served project.
#[derive(Debug)]
pub(crate) struct ProjectState {
    pub id: String,
    pub loaded: LoadedProject,
    pub results: Results,
    pub access: ProjectAccess,
    /// Entry of the project list.
    pub summary: Json,
    /// `GET /api/projects/{id}`.
    pub detail: Bytes,
    pub periods: Bytes,
    pub units: Bytes,
    pub framework: Bytes,
    /// `GET /api/projects/{id}/report`: the report model, or why it could not be built.
    pub report: Result<Bytes, crate::ApiError>,
    pub by_period: HashMap<String, PeriodBodies>,
    /// The bodies of each extension (sensitivity, flows…) that has something for this project.
    pub extensions: HashMap<&'static str, Bytes>,
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct AppState {
    pub projects: Vec<Arc<ProjectState>>,
    pub by_id: HashMap<String, Arc<ProjectState>>,
    pub ids: Vec<String>,
    pub authenticator: Arc<dyn Authenticator>,
    pub audit: Arc<dyn AuditSink>,
    /// True when an access file is in force (running a project then needs a principal).
    pub access_configured: bool,
    pub limits: Limits,
    pub core_message: CoreMessage,
    pub run_slots: tokio::sync::Semaphore,
    pub ready: Arc<AtomicBool>,
    pub extension_names: Vec<&'static str>,
    /// The data catalog behind `POST /api/sql`.
    #[cfg(feature = "catalog")]
    pub catalog: Option<Arc<baydex_data::catalog::Catalog>>,
    /// One permit per SQL query running; held until the catalog is done with the query.
    #[cfg(feature = "catalog")]
    pub sql_slots: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// True when `POST /api/sql` is served.
    #[cfg(feature = "catalog")]
    pub fn has_catalog(&self) -> bool {
        self.catalog.is_some()
    }

    /// True when `POST /api/sql` is served (never without the `catalog` feature).
    #[cfg(not(feature = "catalog"))]
    pub fn has_catalog(&self) -> bool {
        false
    }
}

fn num(x: f64) -> Json {
    if x.is_finite() { json!(x) } else { Json::Null }
}

fn bytes(v: &Json) -> Bytes {
    Bytes::from(serde_json::to_vec(v).unwrap_or_default())
}

/// The period bodies and the rest of a project's JSON, from its results.
pub(crate) fn build_project(
    id: String,
    loaded: LoadedProject,
    access: ProjectAccess,
    core_message: CoreMessage,
    extensions: &[Arc<dyn ProjectExtension>],
) -> Result<ProjectState, String> {
    let project = &loaded.project;
    let results = baydex_core::compute(project)
        .map_err(|e| format!("{}: {} / {}", loaded.file, core_message(&e, Lang::En), core_message(&e, Lang::Zh)))?;
    let audits = baydex_core::audit::audit_results(project, &results, &Default::default())
        .map_err(|e| format!("{}: audit: {}", loaded.file, core_message(&e, Lang::En)))?;
    let full = output::results_json(project, &results, &audits);
    let manifest = output::manifest_json(&loaded, &results, &[]);
    let fw = &project.framework;
    let index = full.get("index").cloned().unwrap_or(Json::Null);
    let summary = json!({
        "id": id,
        "name": project.meta.name,
        "description": project.meta.description,
        "illustrative": project.meta.illustrative,
        "illustrative_note": project.meta.illustrative_note,
        "periods": project.meta.periods,
        "units": project.units.len(),
        "indicators": fw.indicators().len(),
        "root": fw.node(fw.root()).code(),
        "dimensions": fw.node(fw.root()).children.iter().map(|&c| fw.node(c).code()).collect::<Vec<_>>(),
        "public": access.public,
    });
    let detail = json!({
        "id": id,
        "index": index,
        "public": access.public,
        "periods": full["periods"],
        "units": full["units"],
        "framework": full["framework"],
        "series": full["series"],
        "tiers": full["tiers"],
        "manifest": manifest,
    });
    let mut by_period = HashMap::new();
    let per = full.get("results").and_then(Json::as_array).cloned().unwrap_or_default();
    for (pr, body) in results.periods.iter().zip(per) {
        let mut scores = serde_json::Map::new();
        let mut ranks = serde_json::Map::new();
        let mut tiers = serde_json::Map::new();
        for i in fw.output_order() {
            let code = fw.node(i).code().to_string();
            scores.insert(code.clone(), json!(pr.scores(i).iter().map(|&x| num(x)).collect::<Vec<_>>()));
            ranks.insert(code.clone(), json!(pr.ranks(i)));
            if let (Some(b), Some(scheme)) = (pr.tier_breaks(i), &project.tiers) {
                let t: Vec<Json> =
                    pr.tiers(i).iter().map(|t| t.map_or(Json::Null, |t| json!(scheme.bands[t].code))).collect();
                tiers.insert(code, json!({"tier": t, "breaks": b.iter().map(|&x| num(x)).collect::<Vec<_>>()}));
            }
        }
        let units = pr.units();
        by_period.insert(
            pr.period.clone(),
            PeriodBodies {
                scores: bytes(&json!({"period": pr.period, "units": units, "scores": scores})),
                ranks: bytes(&json!({"period": pr.period, "units": units, "ranks": ranks})),
                tiers: bytes(&json!({"period": pr.period, "units": units, "scheme": project.tiers, "tiers": tiers})),
                audit: bytes(&body.get("audit").cloned().unwrap_or(Json::Null)),
                results: bytes(&body),
            },
        );
    }
    let mut report = report_model(&loaded.project, &results, &manifest).map_err(|e| {
        tracing::warn!(target: "baydex::server", project = %id, error = %e.en, "report model not available");
        crate::ApiError::internal(e.en, e.zh)
    });
    let mut ext = HashMap::new();
    for e in extensions {
        if let Some(v) = e.compute(&loaded, &results).map_err(|m| format!("{}: {}: {}", loaded.file, e.name(), m.en))? {
            ext.insert(e.name(), bytes(&v));
            // An extension that is a section of the report (flows, sensitivity) is in the report
            // model too, as `baydex report` has it; others are only served on their own route.
            if let Ok(r) = report.as_mut() {
                baydex_report::ReportModel::add_section_json(r, e.name(), v);
            }
        }
    }
    let report = report.map(|m| bytes(&m));
    // Which extensions have something for this project (listed as `extensions` by `/api/projects`).
    let mut summary = summary;
    summary["extensions"] =
        json!(extensions.iter().map(|e| e.name()).filter(|n| ext.contains_key(n)).collect::<Vec<_>>());
    Ok(ProjectState {
        summary,
        detail: bytes(&detail),
        periods: bytes(&json!({"periods": project.meta.periods})),
        units: bytes(&json!({"units": full["units"]})),
        framework: bytes(&json!({"root": fw.node(fw.root()).code(), "framework": full["framework"]})),
        report,
        by_period,
        extensions: ext,
        id,
        loaded,
        results,
        access,
    })
}

/// The report model of a project's results (`baydex_report::ReportModel`), as JSON.
pub(crate) fn report_model(
    project: &baydex_core::Project,
    results: &Results,
    manifest: &Json,
) -> Result<Json, baydex_core::Text> {
    let provenance = baydex_report::Provenance::from_manifest(manifest).map_err(|e| e.message())?;
    let model = baydex_report::ReportModel::build(project, results, &provenance).map_err(|e| e.message())?;
    Ok(model.to_json())
}
