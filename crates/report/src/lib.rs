//! This crate turns a computed index into what a reader sees: a [`ReportModel`] (units, periods,
//! the framework with weights, every node's scores, ranks and tiers, dimension leaders, the audit
//! summary, obstacle degrees, panel changes, provenance and a narrative generated from the numbers
//! in Chinese and English), and renders it as one self-contained HTML file ([`html::render`]).
//!
//! The model is the single source for every reader: its JSON is what the server's API returns and
//! what the portal's charts (`web/charts.js`) draw, and the HTML report inlines the same JSON and
//! the same chart functions. It does not compute the index (that is `baydex-core`), read project
//! files or write files (`baydex-data` and the `baydex` command do), or serve HTTP.
//!
//! ```text
//!  Project + Results + Provenance (the run's manifest.json)
//!        │
//!        ▼  ReportModel::build
//!  ReportModel ──serde──► JSON ──► web/charts.js ──► ECharts options (report and portal)
//!        │
//!        ├── narrative: sentences derived from the numbers, zh and en
//!        └── html::render(model, lang) ──► report.html (scripts, styles and maps inlined)
//! ```
//!
//! ```
//! use baydex_core::{Framework, IndexMeta, Matrix, NodeSpec, Panel, Project, StepSpec, Text, Unit};
//! use baydex_report::{Provenance, ReportModel};
//! let fw = Framework::build(vec![
//!     NodeSpec::aggregate("I", None),
//!     NodeSpec::indicator("a", "I"),
//!     NodeSpec::indicator("b", "I"),
//! ]).unwrap();
//! let units = ["x", "y", "z"];
//! let data = Matrix::from_columns(3, &[vec![1., 2., 3.], vec![3., 5., 6.]])?;
//! let project = Project {
//!     meta: IndexMeta { name: Text::new("Demo", "示例"), description: Text::default(), illustrative: false,
//!                       illustrative_note: Text::default(), periods: vec!["2024".into()] },
//!     units: units.iter().map(|u| Unit::new(u)).collect(),
//!     framework: fw,
//!     series: vec![],
//!     data: Panel { units: units.iter().map(|u| u.to_string()).collect(), columns: vec!["a".into(), "b".into()],
//!                   periods: vec!["2024".into()], data: vec![data], notes: vec![] },
//!     pipeline: vec![StepSpec::new("normalise"), StepSpec::new("aggregate")],
//!     tiers: None,
//! };
//! let results = baydex_core::compute(&project)?;
//! let model = ReportModel::build(&project, &results, &Provenance::default()).unwrap();
//! assert_eq!(model.results[0].ranking[0], "z"); // z is best on a and on b
//! assert!(model.results[0].narrative[0].text.en.starts_with("z ranks first"));
//! # Ok::<(), baydex_core::Error>(())
//! ```
#![deny(missing_docs)]

pub mod flows;
pub mod html;
mod model;
pub mod narrative;
pub mod sensitivity;

pub use model::{
    AuditSummary, DimensionGap, IndexInfo, InputHash, Leader, NodeInfo, NodeResult, NodeWeight, OPTIONAL_SECTIONS,
    Paragraph, PeriodModel, Provenance, ReportModel, SCHEMA_VERSION, SECTIONS, SqlProvenance, StepProvenance,
    TableFingerprint, TierGaps, TierGroup, TierInfo, UnitInfo, UnitProfile,
};

/// Errors of building a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The results hold no period.
    #[error("the results hold no period; nothing to report")]
    NoPeriods,
    /// The results do not match the project (a node or unit is missing).
    #[error("the results do not match the project: {what}")]
    Mismatch {
        /// What is missing.
        what: String,
    },
    /// The manifest could not be read as provenance.
    #[error("the run manifest cannot be read as provenance: {source}")]
    Manifest {
        /// The JSON error.
        #[from]
        source: serde_json::Error,
    },
    /// The audit could not be computed.
    #[error("the audit failed: {source}")]
    Audit {
        /// The core error.
        source: baydex_core::Error,
    },
    /// The flows of `[flows]` could not be read or computed.
    #[error("flows: {source}")]
    Flows {
        /// The flows error (located in its file).
        source: baydex_flows::Error,
    },
    /// A mass of `[flows]` is missing or not positive for a unit.
    #[error("flows: mass '{column}' of unit '{unit}' in period {period} is {value}; masses must be positive numbers")]
    FlowsMass {
        /// Unit code (empty when the column or period is absent).
        unit: String,
        /// Data column.
        column: String,
        /// Period.
        period: String,
        /// The value found.
        value: f64,
    },
    /// The period of `[flows]` is not in the OD records.
    #[error("flows: period '{period}' is not in the OD records (periods: {periods:?})")]
    FlowsPeriod {
        /// Period asked for.
        period: String,
        /// Periods of the OD records.
        periods: Vec<String>,
    },
    /// A gravity model is asked for but the units have no coordinates and no distances are given.
    #[error(
        "flows: the gravity model needs distances: give every unit lat/lon, or distances = \"file.csv\" in [flows], or model = \"none\""
    )]
    FlowsNoDistances,
}

impl Error {
    /// The message in both languages.
    pub fn message(&self) -> baydex_core::Text {
        use baydex_core::Text;
        match self {
            Error::NoPeriods => Text::new(self.to_string(), "结果中没有任何一期，无法生成报告"),
            Error::Mismatch { what } => Text::new(self.to_string(), format!("结果与项目不一致：{what}")),
            Error::Manifest { source } => {
                Text::new(self.to_string(), format!("无法从运行清单（manifest）读取来源信息：{source}"))
            }
            Error::Audit { source } => Text::new(self.to_string(), format!("统计审计失败：{source}")),
            Error::Flows { source } => Text::new(
                format!("flows: {}", source.message(baydex_core::Lang::En)),
                format!("流量分析：{}", source.message(baydex_core::Lang::Zh)),
            ),
            Error::FlowsMass { unit, column, period, value } => Text::new(
                self.to_string(),
                format!(
                    "流量分析：单元 '{unit}' 在 {period} 年的规模变量 '{column}' 为 {value}；规模变量必须为正数（请检查项目数据或 [flows] 中的 mass/gdp）"
                ),
            ),
            Error::FlowsPeriod { period, periods } => Text::new(
                self.to_string(),
                format!("流量分析：OD 记录中没有时期 '{period}'（现有时期：{}）", periods.join(", ")),
            ),
            Error::FlowsNoDistances => Text::new(
                self.to_string(),
                "流量分析：引力模型需要距离：请为每个单元提供经纬度，或在 [flows] 中设置 distances = \"file.csv\"，或设 model = \"none\"",
            ),
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
