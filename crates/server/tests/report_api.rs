//! `GET /api/projects/{id}/report` carries the report's optional sections — cross-city flows and
//! uncertainty and sensitivity — when the project has them, exactly as `baydex report` builds its
//! model: the reference is `ReportModel::build(…).with_flows(…).with_sensitivity(…)` computed here
//! on the same project, and the comparison is exact (numbers travel as shortest round-trip JSON).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use baydex_report::flows::FlowsModel;
use baydex_report::{Provenance, ReportModel};
use baydex_server::sensitivity::{SensitivityExtension, report_section};
use baydex_server::{App, ProjectExtension, ServeConfig, ServedProject};
use http_body_util::BodyExt;
use serde_json::Value as Json;
use tower::ServiceExt;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A GBA example project; `gba` gets the ILLUSTRATIVE OD table of `examples/gba` as its `[flows]`
/// (the inputs `baydex serve` gives the embedded default, crates/cli/src/embedded.rs).
fn load(file: &str, flows: bool) -> baydex_data::LoadedProject {
    let mut l = baydex_data::load_project_path(&repo().join("examples/gba").join(file)).expect("example loads");
    if flows {
        let path = repo().join("examples/gba/flows_od_illustrative.csv");
        let text = std::fs::read_to_string(&path).expect("the illustrative OD table");
        l.flows = Some(baydex_data::FlowsSpec {
            od: baydex_data::FlowsFile {
                path: "flows_od_illustrative.csv".into(),
                sha256: baydex_data::InputFile::new("flows_od_illustrative.csv", text.as_bytes()).sha256,
                text,
            },
            od_rows: None,
            distances: None,
            model: "production".into(),
            decay: "power".into(),
            top: 10,
            mass: Some("POP".into()),
            gdp: Some("GDP".into()),
            exponent: 2.0,
            period: None,
            mode: None,
            group: None,
            sum_duplicates: false,
            zeros: false,
            illustrative: true,
            illustrative_note: baydex_core::Text::new("made-up OD flows", "虚构的 OD 流量"),
        });
    }
    l
}

/// The flows section of a project's `[flows]` (as `baydex report` and `baydex serve` build it).
fn flows_model(l: &baydex_data::LoadedProject) -> Option<FlowsModel> {
    baydex_server::flows::flows_model(l).expect("flows compute")
}

/// The `flows` extension of `baydex serve`.
#[derive(Debug)]
struct Flows;

impl ProjectExtension for Flows {
    fn name(&self) -> &'static str {
        "flows"
    }
    fn compute(
        &self,
        l: &baydex_data::LoadedProject,
        _: &baydex_core::Results,
    ) -> Result<Option<Json>, baydex_core::Text> {
        Ok(flows_model(l).map(|m| serde_json::to_value(m).unwrap()))
    }
}

/// An extension that is not a report section: served on its own route, never in the report.
#[derive(Debug)]
struct Other;

impl ProjectExtension for Other {
    fn name(&self) -> &'static str {
        "other"
    }
    fn compute(
        &self,
        _: &baydex_data::LoadedProject,
        _: &baydex_core::Results,
    ) -> Result<Option<Json>, baydex_core::Text> {
        Ok(Some(serde_json::json!({"other": true})))
    }
}

fn app(extensions: Vec<Arc<dyn ProjectExtension>>) -> Router {
    let projects = vec![
        ServedProject { id: "gba".into(), loaded: load("gba.toml", true) },
        ServedProject { id: "gba-panel".into(), loaded: load("panel.toml", false) },
    ];
    App::build(ServeConfig { extensions, ..ServeConfig::new(projects) }).expect("app builds").router()
}

async fn get(app: &Router, path: &str) -> Json {
    let r = app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    serde_json::from_slice(&r.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

/// What `baydex report --sensitivity` builds for the project (no `--set`).
fn reference(l: &baydex_data::LoadedProject) -> Json {
    let results = baydex_core::compute(&l.project).unwrap();
    let provenance =
        Provenance::from_manifest(&baydex_data::output::manifest_json(l, &results, &[])).expect("provenance");
    let mut m = ReportModel::build(&l.project, &results, &provenance).unwrap();
    if let Some(f) = flows_model(l) {
        m = m.with_flows(f);
    }
    if let Some(s) = report_section(l, &results).unwrap() {
        m = m.with_sensitivity(s);
    }
    m.to_json()
}

fn sections(m: &Json) -> Vec<&str> {
    m["sections"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect()
}

#[tokio::test]
async fn report_route_includes_flows_and_sensitivity_as_baydex_report_does() {
    let app = app(vec![Arc::new(SensitivityExtension), Arc::new(Flows), Arc::new(Other)]);
    let gba = get(&app, "/api/projects/gba/report").await;
    assert!(gba["flows"].is_object(), "the report model served has the flows section");
    assert!(gba["sensitivity"].is_object(), "the report model served has the sensitivity section");
    assert_eq!(gba["flows"], get(&app, "/api/projects/gba/flows").await);
    assert_eq!(gba["sensitivity"], get(&app, "/api/projects/gba/sensitivity").await);
    assert!(gba.get("other").is_none(), "an extension that is not a report section stays out of the report");
    let s = sections(&gba);
    let at = |name: &str| s.iter().position(|x| *x == name).unwrap_or_else(|| panic!("{name} not in {s:?}"));
    assert!(at("obstacles") < at("sensitivity") && at("sensitivity") < at("flows") && at("flows") < at("provenance"));
    // The whole model equals the one `baydex report --sensitivity` draws, field for field.
    assert_eq!(gba, reference(&load("gba.toml", true)));

    // The panel has no flows: the section stays null and unlisted; its sensitivity is there.
    let panel = get(&app, "/api/projects/gba-panel/report").await;
    assert!(panel["flows"].is_null());
    assert!(!sections(&panel).contains(&"flows"));
    assert!(panel["sensitivity"].is_object());
    assert_eq!(panel, reference(&load("panel.toml", false)));
}

#[tokio::test]
async fn without_the_extensions_the_report_has_no_optional_sections() {
    let app = app(vec![]);
    let gba = get(&app, "/api/projects/gba/report").await;
    assert!(gba["flows"].is_null() && gba["sensitivity"].is_null());
    assert!(!sections(&gba).iter().any(|s| *s == "flows" || *s == "sensitivity"));
}

#[tokio::test]
async fn a_run_with_changed_parameters_keeps_the_flows_section_and_drops_sensitivity() {
    let app = app(vec![Arc::new(SensitivityExtension), Arc::new(Flows)]);
    let body = serde_json::json!({"set": ["normalise.method=rank"]}).to_string();
    let req = Request::post("/api/projects/gba/run").header("content-type", "application/json").body(Body::from(body));
    let r = app.clone().oneshot(req.unwrap()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let run: Json = serde_json::from_slice(&r.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let report = &run["report"];
    // Flows do not depend on the pipeline: the same section as the project's own report.
    assert_eq!(report["flows"], get(&app, "/api/projects/gba/flows").await);
    assert!(sections(report).contains(&"flows"));
    // Sensitivity belongs to the unchanged pipeline: not carried into a changed run.
    assert!(report["sensitivity"].is_null() && !sections(report).contains(&"sensitivity"));
    // The run really changed the scores (rank normalisation instead of the project's).
    let before = get(&app, "/api/projects/gba/report").await;
    assert_ne!(report["results"], before["results"]);
    assert_eq!(report["provenance"]["set"], serde_json::json!(["normalise.method=rank"]));
}
