//! The optional `[flows]` table: where a project's cross-city flows come from and how the report
//! and the service analyse them (`docs/flows.md`, "In a project file"). The loader only checks the
//! keys and reads the files (recorded as inputs); parsing the OD records and computing the flows is
//! `baydex-flows`' business, called by the report.

use baydex_core::Text;

use super::Loader;
use super::doc::Tbl;
use crate::diag::text;

/// Keys of `[flows]`.
const KEYS: &[&str] = &[
    "od",
    "distances",
    "model",
    "decay",
    "top",
    "mass",
    "gdp",
    "exponent",
    "period",
    "mode",
    "group",
    "sum_duplicates",
    "zeros",
    "illustrative",
    "illustrative_note",
];

/// Gravity models a project may ask for (`none` = no fit).
const MODELS: &[&str] = &["production", "attraction", "doubly", "unconstrained", "none"];
/// Distance decay forms.
const DECAYS: &[&str] = &["power", "exponential"];

/// A file named by `[flows]`, read by the loader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowsFile {
    /// The path as displayed.
    pub path: String,
    /// SHA-256 of the contents, lowercase hex.
    pub sha256: String,
    /// The contents (UTF-8).
    pub text: String,
}

/// The `[flows]` table of a project, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowsSpec {
    /// Origin–destination records: `origin,destination,count[,period][,mode]`.
    pub od: FlowsFile,
    /// Optional distance or travel-time matrix `origin,destination,distance`; great-circle
    /// distances from the units' coordinates otherwise.
    pub distances: Option<FlowsFile>,
    /// Gravity model: `production`, `attraction`, `doubly`, `unconstrained` or `none` (default
    /// `production`, or `doubly` without `mass`).
    pub model: String,
    /// Distance decay: `power` or `exponential` (default `power`).
    pub decay: String,
    /// Number of top pairs shown (default 10).
    pub top: usize,
    /// Project column (series or indicator) used as the mass of gravity models and as the
    /// population of the modified gravity linkage.
    pub mass: Option<String>,
    /// Project column used as GDP of the modified gravity linkage.
    pub gdp: Option<String>,
    /// Distance decay exponent of the modified gravity linkage (default 2).
    pub exponent: f64,
    /// OD period analysed (default: the last of the OD file).
    pub period: Option<String>,
    /// Mode of transport analysed (default: all modes added).
    pub mode: Option<String>,
    /// Group variable of the units for within-group shares (default: the first one).
    pub group: Option<String>,
    /// Add up duplicate OD records instead of rejecting them.
    pub sum_duplicates: bool,
    /// Fit gravity models on every ordered pair, unlisted ones as zero flows.
    pub zeros: bool,
    /// True when the OD records are made up (labelled wherever they appear).
    pub illustrative: bool,
    /// What is illustrative.
    pub illustrative_note: Text,
}

fn choice(ld: &mut Loader<'_>, t: &Tbl<'_, '_>, k: &str, valid: &[&str], default: &str) -> String {
    let v = t.string(&mut ld.doc, k, false).unwrap_or_else(|| default.to_string());
    if !valid.contains(&v.as_str()) {
        let list = valid.join(", ");
        ld.doc.error(
            &t.span_of(k),
            Some(t.key(k)),
            text(format!("unknown {k} '{v}'"), format!("未知的 {k} '{v}'")),
            text(format!("valid values: {list}"), format!("可选值：{list}")),
        );
    }
    v
}

fn read_text(ld: &mut Loader<'_>, t: &Tbl<'_, '_>, k: &str, required: bool) -> Option<FlowsFile> {
    let rel = t.string(&mut ld.doc, k, required)?;
    let span = t.span_of(k);
    let (path, bytes) = ld.read(&rel, &span, t.key(k))?;
    let sha256 = ld.inputs.last().map(|i| i.sha256.clone()).unwrap_or_default();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    match String::from_utf8(bytes) {
        Ok(text) => Some(FlowsFile { path, sha256, text }),
        Err(_) => {
            ld.doc.error(
                &span,
                Some(t.key(k)),
                text(format!("'{path}' is not valid UTF-8 text"), format!("'{path}' 不是有效的 UTF-8 文本")),
                text("save it as UTF-8 CSV", "请以 UTF-8 编码保存为 CSV"),
            );
            None
        }
    }
}

/// Parses `[flows]`; `None` when absent or invalid (the errors are in the loader's list).
/// `columns` are the project's data columns (indicators and series) a mass may name; `groups` the
/// group variables of its units.
pub(crate) fn parse(
    ld: &mut Loader<'_>,
    top: &Tbl<'_, '_>,
    columns: &[String],
    groups: &[String],
) -> Option<FlowsSpec> {
    let t = top.table(&mut ld.doc, "flows")?;
    t.check_keys(&mut ld.doc, KEYS);
    let errors_before = ld.doc.diags.iter().filter(|d| d.is_error()).count();
    let od = read_text(ld, &t, "od", true);
    let distances = read_text(ld, &t, "distances", false);
    let column = |ld: &mut Loader<'_>, k: &str| -> Option<String> {
        let c = t.string(&mut ld.doc, k, false)?;
        if !columns.contains(&c) {
            let list = columns.join(", ");
            ld.doc.error(
                &t.span_of(k),
                Some(t.key(k)),
                text(format!("'{c}' is not a data column of the project"), format!("'{c}' 不是项目中的数据列")),
                text(
                    format!("name a series or an indicator of the project: {list}"),
                    format!("请填写项目中的辅助序列或指标代码：{list}"),
                ),
            );
        }
        Some(c)
    };
    let mass = column(ld, "mass");
    let gdp = column(ld, "gdp");
    let model = choice(ld, &t, "model", MODELS, if mass.is_some() { "production" } else { "doubly" });
    if mass.is_none() && matches!(model.as_str(), "production" | "attraction" | "unconstrained") {
        ld.doc.error(
            &t.span_of("model"),
            Some(t.key("model")),
            text(format!("the {model} gravity model needs a mass"), format!("{model} 引力模型需要规模变量")),
            text(
                "add mass = \"POP\" (a series or indicator of the project), or model = \"doubly\"",
                "请添加 mass = \"POP\"（项目中的辅助序列或指标），或改用 model = \"doubly\"",
            ),
        );
    }
    let decay = choice(ld, &t, "decay", DECAYS, "power");
    let top_n = match t.number(&mut ld.doc, "top") {
        None => 10,
        Some(x) if x.fract() == 0.0 && (1.0..=1000.0).contains(&x) => x as usize,
        Some(x) => {
            ld.doc.error(
                &t.span_of("top"),
                Some(t.key("top")),
                text(
                    format!("`top` must be an integer from 1 to 1000, got {x}"),
                    format!("`top` 应为 1–1000 的整数，实际为 {x}"),
                ),
                text("e.g. top = 10", "例如 top = 10"),
            );
            10
        }
    };
    let exponent = match t.number(&mut ld.doc, "exponent") {
        None => 2.0,
        Some(x) if x.is_finite() && x > 0.0 => x,
        Some(x) => {
            ld.doc.error(
                &t.span_of("exponent"),
                Some(t.key("exponent")),
                text(
                    format!("`exponent` must be a positive number, got {x}"),
                    format!("`exponent` 应为正数，实际为 {x}"),
                ),
                text("the distance decay exponent b, e.g. exponent = 2", "距离衰减指数 b，例如 exponent = 2"),
            );
            2.0
        }
    };
    let group = t.string(&mut ld.doc, "group", false);
    if let Some(g) = &group
        && !groups.contains(g)
    {
        ld.doc.error(
            &t.span_of("group"),
            Some(t.key("group")),
            text(format!("'{g}' is not a group of the units"), format!("'{g}' 不是单元的分组")),
            text(
                format!("groups of [units]: {}", groups.join(", ")),
                format!("[units] 中的分组：{}", groups.join(", ")),
            ),
        );
    }
    let spec = FlowsSpec {
        od: od?,
        distances,
        model,
        decay,
        top: top_n,
        mass,
        gdp,
        exponent,
        period: t.string(&mut ld.doc, "period", false),
        mode: t.string(&mut ld.doc, "mode", false),
        group,
        sum_duplicates: t.boolean(&mut ld.doc, "sum_duplicates").unwrap_or(false),
        zeros: t.boolean(&mut ld.doc, "zeros").unwrap_or(false),
        illustrative: t.boolean(&mut ld.doc, "illustrative").unwrap_or(false),
        illustrative_note: t.text(&mut ld.doc, "illustrative_note", false).unwrap_or_default(),
    };
    let errors_after = ld.doc.diags.iter().filter(|d| d.is_error()).count();
    (errors_after == errors_before).then_some(spec)
}
