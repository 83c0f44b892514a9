//! The optional `[flows]` table: where a project's cross-city flows come from and how the report
//! and the service analyse them (`docs/flows.md`, "In a project file"). The loader only checks the
//! keys and reads the inputs (recorded as inputs): an OD CSV file as text; a Parquet file (or a
//! Hive-partitioned directory of them) or the result of `sql = "…"` over the project's `[catalog]`
//! as typed rows ([`OdRows`], feature `catalog`). Checking the OD records and computing the flows
//! is `baydex-flows`' business, called by the report.

use std::path::{Path, PathBuf};

use baydex_core::{Text, Value};

use super::Loader;
use super::doc::Tbl;
use crate::diag::text;
use crate::source::{InputFile, resolve};

/// The code of the OD query of `[flows]` in the manifest's `sql` list (its key is `flows.sql`).
pub const OD_CODE: &str = "flows.od";

/// Keys of `[flows]`.
const KEYS: &[&str] = &[
    "od",
    "sql",
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

/// OD records as typed rows (a Parquet file, an SQL result): the column names and one cell per
/// column, `None` for NULL; text as [`Value::Str`], integers as [`Value::Int`], other numbers as
/// [`Value::Float`]. `baydex_flows::OdTable::from_rows` checks them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OdRows {
    /// Column names, in result order.
    pub header: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Option<Value>>>,
    /// The note of a Parquet file marked synthetic (key-value metadata `baydex.synthetic`, as
    /// `baydex sql` and `baydex demo-data` write it): its data are illustrative.
    pub synthetic: Option<String>,
}

/// Whether an OD source names Parquet data: a `.parquet` file or a directory (Hive-partitioned
/// Parquet files).
pub fn is_parquet_source(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")) || path.is_dir()
}

/// The `[flows]` table of a project, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowsSpec {
    /// Origin–destination records: `origin,destination,count[,period][,mode]`. For OD records
    /// read as rows (`od_rows`), `text` is empty and `path` names the source (the Parquet file, or
    /// `flows.sql`); `sha256` is the file's (of a directory: of its files' hashes), or the query
    /// text's.
    pub od: FlowsFile,
    /// The OD records as rows, when they come from Parquet or from `sql` (the query is then in
    /// [`crate::LoadedProject::sql`] with code `flows.od`).
    pub od_rows: Option<OdRows>,
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

/// The OD records: exactly one of `od` (a CSV file; a Parquet file or directory) and `sql` (a
/// query over `[catalog]`, run with the project's other queries).
fn read_od(ld: &mut Loader<'_>, t: &Tbl<'_, '_>) -> Option<(FlowsFile, Option<OdRows>)> {
    match (t.get("od").is_some(), t.get("sql").is_some()) {
        (true, true) => {
            ld.doc.error(
                &t.span_of("sql"),
                Some(t.key("sql")),
                text(
                    "[flows] has both `od` and `sql`: the OD records come from one source",
                    "[flows] 同时给出了 `od` 与 `sql`：OD 记录只能有一个来源",
                ),
                text(
                    "keep od = \"FILE\" (CSV or Parquet) or sql = \"SELECT origin, destination, count … FROM domain.table …\", not both",
                    "请只保留 od = \"文件\"（CSV 或 Parquet）或 sql = \"SELECT origin, destination, count … FROM 域.表 …\" 之一",
                ),
            );
            None
        }
        (false, false) => {
            ld.doc.error(
                &t.span,
                Some(t.key("od")),
                text("[flows] names no OD records", "[flows] 未指定 OD 记录"),
                text(
                    "add od = \"od.csv\" (CSV or Parquet: origin, destination, count[, period][, mode]), or sql = \"SELECT … FROM domain.table …\" over [catalog]",
                    "请添加 od = \"od.csv\"（CSV 或 Parquet：origin、destination、count[、period][、mode]），或基于 [catalog] 的 sql = \"SELECT … FROM 域.表 …\"",
                ),
            );
            None
        }
        (false, true) => {
            let sql = t.string(&mut ld.doc, "sql", true)?;
            // The query ran with the project's other queries (or failed, reported).
            let rows = ld.sql.flows_od.take()?;
            let sha256 = InputFile::new("flows.sql", sql.as_bytes()).sha256;
            Some((FlowsFile { path: t.key("sql"), sha256, text: String::new() }, Some(rows)))
        }
        (true, false) => {
            let rel = t.string(&mut ld.doc, "od", true)?;
            let path = PathBuf::from(ld.src.display(&resolve(&ld.base, &rel)));
            if is_parquet_source(&path) {
                read_parquet(ld, t, &rel, &path)
            } else {
                read_text(ld, t, "od", true).map(|f| (f, None))
            }
        }
    }
}

/// A Parquet OD source: the file (or every `.parquet` file under the directory) recorded as
/// inputs, the rows read through DataFusion (feature `catalog`).
fn read_parquet(ld: &mut Loader<'_>, t: &Tbl<'_, '_>, rel: &str, path: &Path) -> Option<(FlowsFile, Option<OdRows>)> {
    let display = path.display().to_string();
    let (span, key) = (t.span_of("od"), t.key("od"));
    if !cfg!(feature = "catalog") {
        ld.doc.error(
            &span,
            Some(key),
            text(
                format!("'{display}' is Parquet data, which this baydex cannot read"),
                format!("'{display}' 为 Parquet 数据，此 baydex 无法读取"),
            ),
            super::sql::catalog_feature_hint(),
        );
        return None;
    }
    let sha256 = if path.is_dir() {
        let files = parquet_files(path);
        let mut hashes = String::new();
        for f in &files {
            match std::fs::read(f) {
                Ok(bytes) => {
                    let input = InputFile::new(f.display().to_string(), &bytes);
                    hashes.push_str(&format!("{}  {}\n", input.sha256, f.strip_prefix(path).unwrap_or(f).display()));
                    ld.inputs.push(input);
                }
                Err(e) => {
                    ld.doc.error(
                        &span,
                        Some(key),
                        text(format!("cannot read '{}': {e}", f.display()), format!("无法读取 '{}'：{e}", f.display())),
                        text("check the file's permissions", "请检查文件权限"),
                    );
                    return None;
                }
            }
        }
        InputFile::new(&display, hashes.as_bytes()).sha256
    } else {
        ld.read(rel, &span, key.clone())?;
        ld.inputs.last().map(|i| i.sha256.clone()).unwrap_or_default()
    };
    match read_parquet_od(path) {
        Ok(rows) => Some((FlowsFile { path: display, sha256, text: String::new() }, Some(rows))),
        Err(why) => {
            ld.doc.error(
                &span,
                Some(key),
                text(format!("cannot read '{display}': {}", why.en), format!("无法读取 '{display}'：{}", why.zh)),
                text(
                    "give a Parquet file (or a directory of them, Hive-partitioned: year=2024/…) with columns origin, destination, count",
                    "请提供含 origin、destination、count 列的 Parquet 文件（或其目录，Hive 分区：year=2024/…）",
                ),
            );
            None
        }
    }
}

/// The Parquet files of an OD source, sorted: `path` itself, or every `.parquet` file under the
/// directory `path`.
pub fn parquet_files(path: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")) {
                out.push(p);
            }
        }
    }
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    walk(path, &mut out);
    out.sort();
    out
}

#[cfg(not(feature = "catalog"))]
fn read_parquet_od(_: &Path) -> Result<OdRows, Text> {
    Err(super::sql::catalog_feature_hint())
}

#[cfg(feature = "catalog")]
pub use arrow::{od_rows, read_parquet_od};

#[cfg(feature = "catalog")]
mod arrow {
    //! Arrow results as [`OdRows`] (feature `catalog`).

    use std::path::Path;
    use std::sync::Arc;

    use baydex_core::{Text, Value};
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::compute::cast;
    use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type, Schema};
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::datasource::file_format::parquet::ParquetFormat;
    use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
    use datafusion::prelude::SessionContext;

    use super::OdRows;
    use crate::catalog::QueryOutput;
    use crate::diag::text;

    /// The rows of a query's result (every column; `baydex_flows` picks the OD columns by name).
    pub fn od_rows(out: &QueryOutput) -> Result<OdRows, Text> {
        arrow_rows(&out.schema, &out.batches)
    }

    /// How a column's cells become values.
    enum Kind {
        Int,
        Float,
        Str,
        Null,
        /// Not usable as a code, a count or a period: its cells read `<type>`.
        Other(String),
    }

    fn kind(t: &DataType) -> Kind {
        match t {
            DataType::Null => Kind::Null,
            // UInt64 may exceed i64: as a float.
            DataType::UInt64 => Kind::Float,
            t if t.is_integer() => Kind::Int,
            t if t.is_floating() => Kind::Float,
            DataType::Decimal32(..) | DataType::Decimal64(..) | DataType::Decimal128(..) | DataType::Decimal256(..) => {
                Kind::Float
            }
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Boolean => Kind::Str,
            DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) => Kind::Str,
            DataType::Dictionary(_, v) => match kind(v) {
                Kind::Other(s) => Kind::Other(s),
                _ => Kind::Str,
            },
            t => Kind::Other(format!("<{t}>")),
        }
    }

    /// Arrow record batches as rows of values.
    pub(super) fn arrow_rows(schema: &Schema, batches: &[RecordBatch]) -> Result<OdRows, Text> {
        let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let kinds: Vec<Kind> = schema.fields().iter().map(|f| kind(f.data_type())).collect();
        let cast_err = |e: datafusion::arrow::error::ArrowError| {
            text(format!("cannot convert the result: {e}"), format!("无法转换结果：{e}"))
        };
        let mut rows: Vec<Vec<Option<Value>>> = Vec::new();
        for b in batches {
            let start = rows.len();
            rows.extend((0..b.num_rows()).map(|_| Vec::with_capacity(header.len())));
            for (c, k) in kinds.iter().enumerate() {
                let col = b.column(c);
                let out = &mut rows[start..];
                match k {
                    Kind::Int => {
                        let a = cast(col, &DataType::Int64).map_err(cast_err)?;
                        let a = a.as_primitive::<Int64Type>();
                        for (r, row) in out.iter_mut().enumerate() {
                            row.push(a.is_valid(r).then(|| Value::Int(a.value(r))));
                        }
                    }
                    Kind::Float => {
                        let a = cast(col, &DataType::Float64).map_err(cast_err)?;
                        let a = a.as_primitive::<Float64Type>();
                        for (r, row) in out.iter_mut().enumerate() {
                            row.push(a.is_valid(r).then(|| Value::Float(a.value(r))));
                        }
                    }
                    Kind::Str => {
                        let a = cast(col, &DataType::Utf8).map_err(cast_err)?;
                        let a = a.as_string::<i32>();
                        for (r, row) in out.iter_mut().enumerate() {
                            row.push(a.is_valid(r).then(|| Value::Str(a.value(r).to_string())));
                        }
                    }
                    Kind::Null => out.iter_mut().for_each(|row| row.push(None)),
                    Kind::Other(s) => {
                        for (r, row) in out.iter_mut().enumerate() {
                            row.push(col.is_valid(r).then(|| Value::Str(s.clone())));
                        }
                    }
                }
            }
        }
        Ok(OdRows { header, rows, synthetic: None })
    }

    /// Reads a Parquet file, or every `.parquet` file under a directory with Hive partition
    /// columns (`year=2024/month=01/…`, as text) inferred from the paths, as [`OdRows`].
    pub fn read_parquet_od(path: &Path) -> Result<OdRows, Text> {
        crate::project::sql::run::block_on_own_thread(|| read(path))?
    }

    async fn read(path: &Path) -> Result<OdRows, Text> {
        let shown = path.display().to_string();
        let fail = |e: &dyn std::fmt::Display| text(e.to_string(), e.to_string());
        let full = std::fs::canonicalize(path).map_err(|e| text(format!("{shown}: {e}"), format!("{shown}：{e}")))?;
        let mut url = full.display().to_string();
        if full.is_dir() && !url.ends_with('/') {
            url.push('/');
        }
        let url = ListingTableUrl::parse(&url).map_err(|e| fail(&e))?;
        let ctx = SessionContext::new();
        let state = ctx.state();
        let opts = ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
        let parts = opts.infer_partitions(&state, &url).await.map_err(|e| fail(&e))?;
        let opts = opts.with_table_partition_cols(parts.into_iter().map(|p| (p, DataType::Utf8)).collect());
        let schema = opts.infer_schema(&state, &url).await.map_err(|e| fail(&e))?;
        let config = ListingTableConfig::new(url).with_listing_options(opts).with_schema(schema);
        let table = ListingTable::try_new(config).map_err(|e| fail(&e))?;
        let df = ctx.read_table(Arc::new(table)).map_err(|e| fail(&e))?;
        let schema = Arc::new(df.schema().as_arrow().clone());
        let batches = df.collect().await.map_err(|e| fail(&e))?;
        let mut rows = arrow_rows(&schema, &batches)?;
        rows.synthetic = synthetic_note(&full);
        Ok(rows)
    }

    /// The `baydex.synthetic` note of the first Parquet file at `path` (a file, or the files under
    /// a directory) that carries one.
    fn synthetic_note(path: &Path) -> Option<String> {
        use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
        super::parquet_files(path).iter().find_map(|f| {
            let reader = SerializedFileReader::new(std::fs::File::open(f).ok()?).ok()?;
            let kv = reader.metadata().file_metadata().key_value_metadata()?.clone();
            kv.into_iter().find(|k| k.key == crate::catalog::SYNTHETIC_KEY).map(|k| k.value.unwrap_or_default())
        })
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
    let od = read_od(ld, &t);
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
    let (od, od_rows) = od?;
    // OD records from a Parquet file marked synthetic are illustrative, whatever the table says.
    let mut illustrative = t.boolean(&mut ld.doc, "illustrative").unwrap_or(false);
    let mut illustrative_note = t.text(&mut ld.doc, "illustrative_note", false).unwrap_or_default();
    if let Some(note) = od_rows.as_ref().and_then(|r| r.synthetic.as_ref()) {
        illustrative = true;
        if illustrative_note.en.is_empty() && illustrative_note.zh.is_empty() {
            illustrative_note = text(
                format!("The OD records ({}) are marked synthetic: {note}", od.path),
                format!("OD 记录（{}）标注为合成数据：{note}", od.path),
            );
        }
    }
    let spec = FlowsSpec {
        od,
        od_rows,
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
        illustrative,
        illustrative_note,
    };
    let errors_after = ld.doc.diags.iter().filter(|d| d.is_error()).count();
    (errors_after == errors_before).then_some(spec)
}
