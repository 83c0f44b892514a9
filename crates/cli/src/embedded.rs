//! The GBA default project, compiled into the binary (`examples/gba/`).

use baydex_data::EmbeddedSource;

/// The files of `examples/gba/`, by path relative to the project file.
pub static GBA_FILES: &[(&str, &[u8])] = &[
    ("gba.toml", include_bytes!("../../../examples/gba/gba.toml")),
    ("units.csv", include_bytes!("../../../examples/gba/units.csv")),
    ("context_2023.csv", include_bytes!("../../../examples/gba/context_2023.csv")),
    ("digital_2023.csv", include_bytes!("../../../examples/gba/digital_2023.csv")),
    ("README.md", include_bytes!("../../../examples/gba/README.md")),
    ("panel.toml", include_bytes!("../../../examples/gba/panel.toml")),
    ("context_panel.csv", include_bytes!("../../../examples/gba/context_panel.csv")),
];

/// The ILLUSTRATIVE GBA origin–destination table of `baydex flows` (made-up flows; see the file's
/// header and `examples/gba/flows_make_od_illustrative.py`).
pub const FLOWS_OD: &str = include_str!("../../../examples/gba/flows_od_illustrative.csv");

/// The `[flows]` inputs of the GBA default, for `baydex report` and `baydex serve`: the
/// ILLUSTRATIVE OD table above, masses POP and GDP (real 2023 statistics of the project's
/// `context_2023.csv`), great-circle distances, a production-constrained power-law gravity model.
/// Kept out of `gba.toml` because any byte added there changes the project hash that every
/// `baydex run` output records (see docs/flows.md).
pub fn gba_flows() -> baydex_data::FlowsSpec {
    let path = "<embedded>/gba/flows_od_illustrative.csv";
    baydex_data::FlowsSpec {
        od: baydex_data::FlowsFile {
            path: path.into(),
            sha256: baydex_data::InputFile::new(path, FLOWS_OD.as_bytes()).sha256,
            text: FLOWS_OD.into(),
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
        illustrative_note: baydex_core::Text::new(
            "the OD flows (examples/gba/flows_od_illustrative.csv) are made up for demonstration and must not be cited; coordinates, population and GDP (2023) are real.",
            "OD 流量（examples/gba/flows_od_illustrative.csv）为演示用虚构数据，不得引用；坐标、人口与 GDP（2023 年）为真实数据。",
        ),
    }
}

/// Gives the embedded GBA default (`gba`) its flows when the project has no `[flows]` table.
pub fn add_default_flows(arg: &crate::cmd_validate::ProjectArg, loaded: &mut baydex_data::LoadedProject) {
    let is_gba = arg.file.is_none() && arg.example.as_deref().is_none_or(|e| e == "gba");
    if is_gba && loaded.flows.is_none() {
        loaded.flows = Some(gba_flows());
    }
}

/// The embedded examples: name, project file, description.
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "gba",
        "gba.toml",
        "GBA digital economy index 2023 (default; digital indicators illustrative) / 大湾区数字经济指数（默认）",
    ),
    (
        "gba-panel",
        "panel.toml",
        "GBA economic context index 2000-2024, real official statistics, fixed goalposts / 大湾区经济基础指数（真实数据，面板）",
    ),
];

/// The project file of the GBA default.
pub const GBA_PROJECT: &str = "gba.toml";

/// The embedded GBA default as a project source.
pub fn gba() -> EmbeddedSource {
    EmbeddedSource { name: "gba", files: GBA_FILES }
}

/// The text of an embedded file.
pub fn text(name: &str) -> &'static str {
    GBA_FILES.iter().find(|(n, _)| *n == name).and_then(|(_, b)| std::str::from_utf8(b).ok()).unwrap_or("")
}
