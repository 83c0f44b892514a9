//! The flows section of a project's report, built from its `[flows]` table: one function shared by
//! `baydex report`, the `flows` extension of `baydex serve` and the tests, so the map, the top pairs
//! and the hubs are computed the same way wherever they are shown.

use baydex_report::flows::{FlowsInput, FlowsModel};

/// The flows section of a project with a `[flows]` table (`None` without one).
pub fn flows_model(loaded: &baydex_data::LoadedProject) -> Result<Option<FlowsModel>, baydex_report::Error> {
    let Some(f) = &loaded.flows else { return Ok(None) };
    let input = FlowsInput {
        od_file: &f.od.path,
        od_sha256: &f.od.sha256,
        od_text: &f.od.text,
        od_rows: f.od_rows.as_ref().map(|r| (r.header.as_slice(), r.rows.as_slice())),
        distances: f.distances.as_ref().map(|d| (d.path.as_str(), d.text.as_str())),
        model: &f.model,
        decay: &f.decay,
        top: f.top,
        mass: f.mass.as_deref(),
        gdp: f.gdp.as_deref(),
        exponent: f.exponent,
        period: f.period.as_deref(),
        mode: f.mode.as_deref(),
        group: f.group.as_deref(),
        sum_duplicates: f.sum_duplicates,
        zeros: f.zeros,
        illustrative: f.illustrative,
        illustrative_note: &f.illustrative_note,
    };
    FlowsModel::build(&loaded.project, &input).map(Some)
}
