//! Uncertainty and sensitivity of a served project: the `sensitivity` [`ProjectExtension`]
//! (`GET /api/projects/{id}/sensitivity`, the `baydex_report::sensitivity::SensitivityModel` as
//! JSON, computed once at startup), and [`report_section`], the analysis the report and the portal
//! draw, shared with `baydex report --sensitivity`.
//!
//! The analysis is the project's `[sensitivity]`, or the default analysis
//! (`baydex_data::sensitivity::default_spec`, as `baydex sensitivity` runs it) when the project
//! declares none, with N lowered to [`REPORT_N`] so that startup and the report stay fast.

use baydex_core::sensitivity::analyse;
use baydex_core::{Results, Text};
use baydex_data::LoadedProject;
use baydex_data::sensitivity::{Overrides, default_spec, resolve};
use baydex_report::sensitivity::{REPORT_N, RunInfo, SensitivityModel};

use crate::ProjectExtension;

/// The section of a project: `None` when the pipeline has no `aggregate` step to analyse.
pub fn report_section(loaded: &LoadedProject, results: &Results) -> Result<Option<SensitivityModel>, Text> {
    let project = &loaded.project;
    let (spec, declared) = match &loaded.sensitivity {
        Some(s) => (s.clone(), true),
        None => match default_spec(project) {
            Some(s) => (s, false),
            None => return Ok(None),
        },
    };
    let n = spec.n.min(REPORT_N);
    let (inputs, settings) = resolve(&spec, project, &Overrides { n: Some(n), ..Overrides::default() })?;
    let out = analyse(project, &inputs, &settings, &|_| {})
        .map_err(|e| Text::new(format!("sensitivity analysis: {e}"), format!("敏感性分析无法进行：{e}")))?;
    let info = RunInfo { declared, requested_n: spec.n };
    Ok(Some(SensitivityModel::build(project, results, &inputs, &settings, &out, info)))
}

/// `GET /api/projects/{id}/sensitivity`: [`report_section`] as JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct SensitivityExtension;

impl ProjectExtension for SensitivityExtension {
    fn name(&self) -> &'static str {
        "sensitivity"
    }

    fn compute(&self, loaded: &LoadedProject, results: &Results) -> Result<Option<serde_json::Value>, Text> {
        Ok(report_section(loaded, results)?.map(|m| serde_json::to_value(m).unwrap_or(serde_json::Value::Null)))
    }
}
