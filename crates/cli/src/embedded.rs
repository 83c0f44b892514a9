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
