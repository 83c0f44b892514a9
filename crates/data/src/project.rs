//! Loading a project file (TOML) and the data it names into a [`Project`].
//!
//! The format is specified in `docs/project-file.md`. Loading collects every problem it can
//! find before giving up: TOML syntax, unknown keys, wrong types, missing keys, the framework
//! tree, units, data files, the pipeline and the tiers. Each problem is a [`Diagnostic`] naming
//! the file, line, column and key.

mod data;
pub(crate) mod doc;
mod flows;
mod framework;
mod pipeline;
mod sql;
pub(crate) mod translate;
mod units;

use std::ops::Range;
use std::path::Path;

use baydex_core::{Project, Text};
use toml::de::DeTable;

use crate::diag::{Diagnostic, Diagnostics, Location, text};
use crate::source::{DirSource, InputFile, Source, resolve};
use doc::{Doc, Tbl};
pub use flows::{FlowsFile, FlowsSpec, OD_CODE, OdRows, is_parquet_source, parquet_files};
#[cfg(feature = "catalog")]
pub use flows::{od_rows, read_parquet_od};
#[cfg(feature = "catalog")]
pub use sql::run::{CatalogOutcome, CatalogRun, PrincipalProblem, run_catalog_queries};
pub use sql::{SourceFingerprint, SqlSource, catalog_feature_hint, cluster_feature_hint};

/// A project loaded from its file, with the files read and the warnings found.
#[derive(Debug, Clone)]
pub struct LoadedProject {
    /// The project.
    pub project: Project,
    /// Every input file read (the project file, then the units file, then the data files),
    /// with its SHA-256, in read order.
    pub inputs: Vec<InputFile>,
    /// Problems that do not stop the project from being used.
    pub warnings: Vec<Diagnostic>,
    /// The project file, as displayed.
    pub file: String,
    /// The `[sensitivity]` table, if any (checked against the pipeline).
    pub sensitivity: Option<crate::sensitivity::SensitivitySpec>,
    /// The `[flows]` table, if any, with its files read (see `docs/flows.md`).
    pub flows: Option<FlowsSpec>,
    /// The SQL queries over the data catalog that gave data (`[[data]]` with `sql`), in file
    /// order, for the manifest.
    pub sql: Vec<SqlSource>,
}

/// The keys allowed at the top of a project file.
const TOP_KEYS: &[&str] =
    &["index", "units", "node", "indicator", "series", "data", "pipeline", "tiers", "sensitivity", "flows", "catalog"];

/// How a project is loaded (what the project file does not say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// Where the SQL queries of `[[data]]` and `[flows]` run: `local` (default) or
    /// `ballista://HOST:PORT` (an Apache Ballista cluster, feature `cluster`).
    pub engine: String,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { engine: "local".into() }
    }
}

/// Loads the project file `file` (a path relative to the source) and everything it names.
///
/// On failure, returns every error found (and the warnings), sorted by file and line.
pub fn load_project(src: &dyn Source, file: &str) -> Result<LoadedProject, Diagnostics> {
    load_project_with(src, file, &LoadOptions::default())
}

/// [`load_project`] with options.
pub fn load_project_with(src: &dyn Source, file: &str, options: &LoadOptions) -> Result<LoadedProject, Diagnostics> {
    let display = src.display(file);
    let bytes = src.read(file).map_err(|e| {
        Diagnostics::from(Location::file(&display).error(
            text(format!("cannot read the project file: {e}"), format!("无法读取项目文件：{e}")),
            text("check the path", "请检查路径"),
        ))
    })?;
    let inputs = vec![InputFile::new(&display, &bytes)];
    let source_text = decode(&display, &bytes)?;
    let root = DeTable::parse(source_text).map_err(|e| Diagnostics::from(syntax_error(&display, source_text, &e)))?;
    let mut ld = Loader {
        src,
        base: file.to_string(),
        doc: Doc::new(&display, source_text),
        inputs,
        sql: Default::default(),
        options: options.clone(),
    };
    let top = Tbl::new(root.get_ref(), root.span(), "");
    top.check_keys(&mut ld.doc, TOP_KEYS);

    let index = framework::parse_index(&mut ld.doc, &top);
    let series = framework::parse_series(&mut ld.doc, &top);
    let fw = framework::parse_framework(&mut ld.doc, &top, &index, &series);
    let units = units::parse_units(&mut ld, &top);

    let indicator_codes = fw.indicator_codes();
    let mut columns =
        data::Columns { codes: Vec::new(), decl: Vec::new(), n_indicators: indicator_codes.len(), needed: Vec::new() };
    for (code, span) in &indicator_codes {
        columns.codes.push(code.clone());
        columns.decl.push(ld.doc.loc(span, None));
        columns.needed.push(true);
    }
    for s in &series {
        columns.codes.push(s.spec.code.clone());
        columns.decl.push(ld.doc.loc(&s.code_span, None));
        columns.needed.push(fw.specs.iter().any(|n| n.denominator.as_deref() == Some(s.spec.code.as_str())));
    }
    ld.sql = sql::evaluate(&mut ld, &top);
    let panel = data::load_data(&mut ld, &top, &units, &columns, index.periods.as_deref());

    let pipeline = pipeline::parse_pipeline(&mut ld, &top, fw.framework.as_ref());
    let node_codes: Vec<String> = fw.specs.iter().map(|s| s.code.clone()).collect();
    let tiers = pipeline::parse_tiers(&mut ld.doc, &top, &node_codes);
    let periods = panel.as_ref().map(|p| p.periods.clone()).unwrap_or_default();
    let sensitivity = crate::sensitivity::parse(&mut ld, &top, &pipeline, fw.framework.as_ref(), &periods);
    let mut group_vars: Vec<String> = units.iter().flat_map(|u| u.unit.groups.keys().cloned()).collect();
    group_vars.sort();
    group_vars.dedup();
    let flows = flows::parse(&mut ld, &top, &columns.codes, &group_vars);

    let Loader { mut doc, inputs, sql, .. } = ld;
    let mut meta = index.meta;
    if sql.illustrative && !meta.illustrative {
        // Data from a synthetic catalog make the index illustrative, whatever the project says.
        meta.illustrative = true;
        if meta.illustrative_note.en.is_empty() && meta.illustrative_note.zh.is_empty() {
            meta.illustrative_note = text(
                "Indicators computed by SQL from a catalog whose data are synthetic or illustrative.",
                "部分指标由 SQL 从合成或示意数据目录中计算得出。",
            );
        }
        let span = sql.catalog_span.clone().unwrap_or(top.span.clone());
        doc.warning(
            &span,
            Some("catalog".into()),
            text(
                "the catalog's data are synthetic or illustrative, so this index is marked illustrative",
                "该目录的数据为合成或示意数据，因此本指数被标注为示意数据",
            ),
            text(
                "say so in the project: illustrative = true and illustrative_note = { zh = \"…\", en = \"…\" } in [index]",
                "请在项目中注明：在 [index] 中写 illustrative = true 与 illustrative_note = { zh = \"…\", en = \"…\" }",
            ),
        );
    }
    let mut all = Diagnostics(doc.diags);
    let order: Vec<String> = inputs.iter().map(|i| i.path.clone()).collect();
    all.sort(&order);
    let (Some(framework), Some(panel), false) = (fw.framework, panel, all.0.iter().any(Diagnostic::is_error)) else {
        if all.error_count() == 0 {
            // Every path that fails to build the project reports why; this is a safety net.
            all.0.push(
                Location::file(&display)
                    .error(text("the project could not be loaded", "无法加载项目"), Text::default()),
            );
        }
        return Err(all);
    };
    meta.periods = panel.periods.clone();
    let project = Project {
        meta,
        units: units.into_iter().map(|u| u.unit).collect(),
        framework,
        series: series.into_iter().map(|s| s.spec).collect(),
        data: panel,
        pipeline,
        tiers,
    };
    Ok(LoadedProject { project, inputs, warnings: all.0, file: display, sensitivity, flows, sql: sql.sources })
}

/// Loads a project file from disk; paths in it are relative to its folder.
pub fn load_project_path(path: &Path) -> Result<LoadedProject, Diagnostics> {
    load_project_path_with(path, &LoadOptions::default())
}

/// [`load_project_path`] with options.
pub fn load_project_path_with(path: &Path, options: &LoadOptions) -> Result<LoadedProject, Diagnostics> {
    let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    load_project_with(&DirSource { root: parent }, &name, options)
}

/// What the loader carries between sections.
pub(crate) struct Loader<'s> {
    pub src: &'s dyn Source,
    /// The project file, relative to the source.
    pub base: String,
    pub doc: Doc<'s>,
    pub inputs: Vec<InputFile>,
    /// The results of the SQL entries of `[[data]]` (run before the data are read).
    pub sql: sql::SqlData,
    /// Read only by the SQL queries (feature `catalog`).
    #[cfg_attr(not(feature = "catalog"), allow(dead_code))]
    pub options: LoadOptions,
}

impl Loader<'_> {
    /// Reads a file named in the project file at `span` (key `key`); records it as an input.
    /// Returns its displayed path and contents, or reports why it cannot be read.
    pub(crate) fn read(&mut self, rel: &str, span: &Range<usize>, key: String) -> Option<(String, Vec<u8>)> {
        let path = resolve(&self.base, rel);
        let display = self.src.display(&path);
        match self.src.read(&path) {
            Ok(bytes) => {
                self.inputs.push(InputFile::new(&display, &bytes));
                Some((display, bytes))
            }
            Err(e) => {
                self.doc.error(
                    span,
                    Some(key),
                    text(format!("cannot read '{display}': {e}"), format!("无法读取 '{display}'：{e}")),
                    text("paths are relative to the folder of the project file", "路径相对于项目文件所在的文件夹"),
                );
                None
            }
        }
    }
}

/// The project file as UTF-8 text (a byte-order mark is skipped).
fn decode<'b>(file: &str, bytes: &'b [u8]) -> Result<&'b str, Diagnostics> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = bytes.get(..e.valid_up_to()).unwrap_or(&[]);
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        Diagnostics::from(Location { file: file.to_string(), line: Some(line), column: None, key: None }.error(
            text("the project file is not valid UTF-8 text", "项目文件不是有效的 UTF-8 文本"),
            text("save it as UTF-8 (without GBK/GB2312 encoding)", "请以 UTF-8 编码保存（不要用 GBK/GB2312）"),
        ))
    })
}

/// A TOML syntax error, located.
fn syntax_error(file: &str, src: &str, e: &toml::de::Error) -> Diagnostic {
    let lines = crate::diag::LineIndex::new(src);
    let mut loc = Location::file(file);
    if let Some(span) = e.span() {
        let (l, c) = lines.locate(span.start);
        loc.line = Some(l);
        loc.column = Some(c);
    }
    let msg = e.message().trim().to_string();
    let help = if msg.contains("duplicate key") {
        text(
            "a key may appear once per table; for several entries of a section use [[…]] (double brackets)",
            "同一个表中每个键只能出现一次；一个节有多项时请用 [[…]]（双方括号）",
        )
    } else {
        text(
            "fix the TOML syntax here (strings in quotes, one key = value per line); see docs/project-file.md",
            "请修正此处的 TOML 语法（字符串加引号，每行一个 键 = 值）；参见 docs/project-file.md",
        )
    };
    loc.error(text(format!("invalid TOML: {msg}"), format!("TOML 语法错误：{msg}")), help)
}
