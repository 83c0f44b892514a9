//! `[[data]]`: reading indicator and series values from long or wide CSV / `.xlsx` / `.xls`
//! files and from yearbook-style sheets ([`yearbook`]), merging them, keeping the flags attached
//! to cells as [`CellNote`]s and checking everything against the declared units, codes and
//! periods.
//!
//! Flags. A long file may have a `flag` column; a yearbook sheet has flags stuck to numbers
//! (`28089.69r`) or in the cell beside a value. Every non-empty flag becomes a [`CellNote`] of the
//! panel. The flags baydex knows ([`KNOWN_FLAGS`]: `r` revised, `p` provisional, `e` estimated,
//! `b` break in series) and those a `[[data]]` entry declares (`flags = { x = "…" }`) are kept
//! silently. Any other flag — such as `stray_cell_204.0`, which says that something beside the
//! value needs checking — is reported as a warning naming the file and line: the value is used as
//! given (a flag never changes a number) and the flag is kept as a note, so that nobody relies on
//! such a cell without having looked at it.

mod sql;
mod yearbook;

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use baydex_core::{CellNote, Matrix, Panel, Text};

use super::Loader;
use super::doc::{Tbl, as_scalar_text};
use super::units::UnitDecl;
use crate::diag::{Diagnostic, Location, closest, list, text};
use crate::table::{CellPos, Format, Grid, Table, format_number, read_grid, read_table};

/// Cell-level errors (and, separately, warnings) reported per data file before the rest are only
/// counted.
const MAX_ERRORS_PER_FILE: usize = 50;

/// Flags known without being declared: (flag, meaning in English, meaning in Chinese). They are
/// the codes of the GBA statistical tables' legends (r 修订数字, p 临时数字) and of Eurostat's
/// flag list (e, b), which most statistical offices share.
pub(crate) const KNOWN_FLAGS: &[(&str, &str, &str)] = &[
    ("r", "revised figure", "修订数字"),
    ("p", "provisional figure", "临时数字"),
    ("e", "estimated value", "估计数"),
    ("b", "break in series", "统计口径变化"),
];

/// The flags one `[[data]]` entry accepts silently: [`KNOWN_FLAGS`] and its own `flags` table.
#[derive(Debug, Clone, Default)]
pub(crate) struct Flags {
    declared: Vec<String>,
}

impl Flags {
    fn knows(&self, flag: &str) -> bool {
        KNOWN_FLAGS.iter().any(|(f, _, _)| *f == flag) || self.declared.iter().any(|f| f == flag)
    }

    fn known_list(&self) -> (String, String) {
        let mut en: Vec<String> = KNOWN_FLAGS.iter().map(|(f, e, _)| format!("{f} ({e})")).collect();
        let mut zh: Vec<String> = KNOWN_FLAGS.iter().map(|(f, _, z)| format!("{f}（{z}）")).collect();
        for f in &self.declared {
            en.push(f.clone());
            zh.push(f.clone());
        }
        (en.join(", "), zh.join("、"))
    }
}

/// The columns the data may contain: indicators (in framework order), then series.
pub(crate) struct Columns {
    pub codes: Vec<String>,
    /// Where each code was declared.
    pub decl: Vec<Location>,
    pub n_indicators: usize,
    /// Whether a column must have data (indicators, and series used as denominators).
    pub needed: Vec<bool>,
}

/// (unit, period, column) positions: unit in the project order, period in order of first
/// appearance in the data, column in [`Columns`] order.
type Key = (usize, usize, usize);

/// Every value read, with the table and cell it came from.
type Values = HashMap<Key, (f64, usize, CellPos)>;

/// A code that is not declared, with its first occurrence and how often it appears.
struct Unknown {
    code: String,
    loc: Location,
    count: usize,
}

#[derive(Default)]
struct Unknowns {
    list: Vec<Unknown>,
    index: HashMap<String, usize>,
}

impl Unknowns {
    fn note(&mut self, code: &str, loc: impl FnOnce() -> Location) {
        match self.index.get(code) {
            Some(&i) => {
                if let Some(u) = self.list.get_mut(i) {
                    u.count += 1;
                }
            }
            None => {
                self.index.insert(code.to_string(), self.list.len());
                self.list.push(Unknown { code: code.to_string(), loc: loc(), count: 1 });
            }
        }
    }
}

/// Where the cells of one data file are: a table (long or wide) or a grid (yearbook sheet).
/// Kept without their rows once processed, to locate earlier cells in messages.
enum Origin {
    Table(Table),
    Grid(Grid),
    /// The result of an SQL query (`[[data]]` with `sql`).
    Sql(sql::SqlOrigin),
}

impl Origin {
    fn loc(&self, pos: CellPos) -> Location {
        match self {
            Origin::Table(t) => t.loc(pos),
            Origin::Grid(g) => g.loc(pos),
            Origin::Sql(q) => q.loc(pos),
        }
    }

    fn file(&self) -> &str {
        match self {
            Origin::Table(t) => &t.file,
            Origin::Grid(g) => &g.file,
            Origin::Sql(q) => &q.file,
        }
    }

    fn clear(&mut self) {
        match self {
            Origin::Table(t) => t.rows.clear(),
            Origin::Grid(g) => g.rows.clear(),
            Origin::Sql(_) => {}
        }
    }
}

/// A flag attached to a cell.
struct Note {
    key: Key,
    flag: String,
}

/// Everything read from the data files so far.
struct Store<'a> {
    cols: &'a Columns,
    col_index: HashMap<&'a str, usize>,
    unit_index: HashMap<&'a str, usize>,
    /// Files already processed (kept without their rows, to locate earlier cells).
    done: Vec<Origin>,
    values: Values,
    /// Flags, in reading order, and the set of them (a flag repeated on a cell is kept once).
    notes: Vec<Note>,
    noted: HashSet<(Key, String)>,
    /// (unit, period, column) of cells that had an error: they count as given for the
    /// coverage checks, so that one bad cell is reported once.
    tried: HashSet<Key>,
    periods: Vec<String>,
    period_index: HashMap<String, usize>,
    unknown_units: Unknowns,
    unknown_codes: Unknowns,
    diags: Vec<Diagnostic>,
}

/// The file being processed, its error and warning budgets and the flags it accepts.
struct Current<'t> {
    idx: usize,
    origin: &'t Origin,
    errors: usize,
    warnings: usize,
    flags: &'t Flags,
    /// `codes = { PROJECT = "FILE" }`: file code → project columns; `None` reads every code as
    /// itself.
    codes: Option<&'t HashMap<String, Vec<usize>>>,
}

impl<'a> Store<'a> {
    fn loc(&self, cur: &Current<'_>, t: usize, pos: CellPos) -> Location {
        if t == cur.idx {
            cur.origin.loc(pos)
        } else {
            self.done.get(t).map_or_else(|| Location::file(cur.origin.file()), |o| o.loc(pos))
        }
    }

    fn cell_error(&mut self, cur: &mut Current<'_>, pos: CellPos, message: Text, help: Text) {
        cur.errors += 1;
        if cur.errors <= MAX_ERRORS_PER_FILE {
            self.diags.push(cur.origin.loc(pos).error(message, help));
        }
    }

    fn cell_warning(&mut self, cur: &mut Current<'_>, pos: CellPos, message: Text, help: Text) {
        cur.warnings += 1;
        if cur.warnings <= MAX_ERRORS_PER_FILE {
            self.diags.push(cur.origin.loc(pos).warning(message, help));
        }
    }

    fn unit_code(&self, u: usize) -> &'a str {
        self.unit_index.iter().find(|(_, i)| **i == u).map(|(k, _)| *k).unwrap_or("")
    }

    fn unit(&mut self, cur: &Current<'_>, code: &str, pos: CellPos) -> Option<usize> {
        match self.unit_index.get(code) {
            Some(&u) => Some(u),
            None => {
                self.unknown_units.note(code, || cur.origin.loc(pos));
                None
            }
        }
    }

    /// The columns a code of the file goes to: itself, or, when the entry maps codes
    /// (`codes = { … }`), the project codes mapped to it (none for a code not listed).
    fn codes(&mut self, cur: &Current<'_>, code: &str, pos: CellPos) -> Vec<usize> {
        if let Some(map) = cur.codes {
            return map.get(code).cloned().unwrap_or_default();
        }
        match self.col_index.get(code) {
            Some(&c) => vec![c],
            None => {
                self.unknown_codes.note(code, || cur.origin.loc(pos));
                Vec::new()
            }
        }
    }

    /// Keeps a flag of the cell (unit `u`, `period`, column `c`) whose value is `value` (NaN when
    /// missing); warns, at `pos`, about a flag that is not known (see the module header).
    fn flag(
        &mut self,
        cur: &mut Current<'_>,
        pos: CellPos,
        (u, period, c): (usize, &str, usize),
        flag: &str,
        value: f64,
    ) {
        let flag = flag.trim();
        if flag.is_empty() {
            return;
        }
        let p = self.period(period);
        let key = (u, p, c);
        if self.noted.insert((key, flag.to_string())) {
            self.notes.push(Note { key, flag: flag.to_string() });
        }
        if cur.flags.knows(flag) {
            return;
        }
        let unit = self.unit_code(u).to_string();
        let code = self.cols.codes.get(c).cloned().unwrap_or_default();
        let (used_en, used_zh) = if value.is_nan() {
            ("the cell is missing".to_string(), "该单元格缺失".to_string())
        } else {
            let v = format_number(value);
            (format!("the value {v} is used as given"), format!("数值 {v} 按原样使用"))
        };
        let (known_en, known_zh) = cur.flags.known_list();
        self.cell_warning(
            cur,
            pos,
            text(
                format!(
                    "unit '{unit}', period {period}, '{code}' carries the flag \"{flag}\", which baydex does not know: {used_en} and the flag is kept as a cell note, but nothing checked what it warns about"
                ),
                format!(
                    "单元 '{unit}'、期间 {period}、'{code}' 带有 baydex 不认识的标记 \"{flag}\"：{used_zh}，标记作为单元格注记保留，但其提示的问题未经核实"
                ),
            ),
            text(
                format!(
                    "check the value against the source; then correct it and remove the flag, or declare the flag in this [[data]] entry: flags = {{ \"{flag}\" = \"…\" }}; known flags: {known_en}"
                ),
                format!(
                    "请对照原始资料核实该数值；然后修正并删除标记，或在此 [[data]] 中声明该标记：flags = {{ \"{flag}\" = \"…\" }}；已知标记：{known_zh}"
                ),
            ),
        );
    }

    fn tried(&mut self, u: usize, period: &str, c: usize) {
        let p = self.period(period);
        self.tried.insert((u, p, c));
    }

    fn period(&mut self, p: &str) -> usize {
        if let Some(&i) = self.period_index.get(p) {
            return i;
        }
        self.period_index.insert(p.to_string(), self.periods.len());
        self.periods.push(p.to_string());
        self.periods.len() - 1
    }

    fn record(&mut self, cur: &mut Current<'_>, u: usize, period: &str, c: usize, value: f64, pos: CellPos) {
        let p = self.period(period);
        match self.values.entry((u, p, c)) {
            Entry::Vacant(e) => {
                e.insert((value, cur.idx, pos));
            }
            Entry::Occupied(e) => {
                let (_, t0, pos0) = *e.get();
                let first = self.loc(cur, t0, pos0).describe();
                let unit = self.unit_code(u);
                let code = self.cols.codes.get(c).map(String::as_str).unwrap_or("");
                self.cell_error(
                    cur,
                    pos,
                    text(
                        format!("unit '{unit}', period {period}, '{code}' is given twice (first at {first})"),
                        format!("单元 '{unit}'、期间 {period}、'{code}' 的数据出现两次（第一次在 {first}）"),
                    ),
                    text(
                        "keep one of the two values ([[data]] files are merged, so each value may appear once)",
                        "请只保留其中一个值（各 [[data]] 文件会合并，每个值只能出现一次）",
                    ),
                );
            }
        }
    }
}

/// Reads every `[[data]]` file and builds the panel; reports problems into the loader.
/// Returns `None` when no panel can be built at all.
pub(crate) fn load_data(
    ld: &mut Loader<'_>,
    top: &Tbl<'_, '_>,
    units: &[UnitDecl],
    cols: &Columns,
    requested: Option<&[(String, Range<usize>)]>,
) -> Option<Panel> {
    if top.get("data").is_none() {
        ld.doc.file_error(
            text("the project has no [[data]] files", "项目文件没有 [[data]] 数据文件"),
            text("add [[data]] with file = \"data.csv\"", "请添加 [[data]]，并写明 file = \"data.csv\""),
        );
        return None;
    }
    let mut store = Store {
        cols,
        col_index: cols.codes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect(),
        unit_index: units.iter().enumerate().map(|(i, u)| (u.unit.code.as_str(), i)).collect(),
        done: Vec::new(),
        values: HashMap::new(),
        notes: Vec::new(),
        noted: HashSet::new(),
        tried: HashSet::new(),
        periods: Vec::new(),
        period_index: HashMap::new(),
        unknown_units: Unknowns::default(),
        unknown_codes: Unknowns::default(),
        diags: Vec::new(),
    };
    let mut complete = true;
    let entries = top.tables(&mut ld.doc, "data");
    if entries.is_empty() {
        complete = false;
    }
    for e in &entries {
        if !read_entry(ld, e, &mut store, units) {
            complete = false;
        }
    }
    let Store { values, tried, periods: seen, unknown_units, unknown_codes, diags, notes, .. } = store;
    ld.doc.diags.extend(diags);
    report_unknown_units(ld, unknown_units, units);
    report_unknown_codes(ld, unknown_codes, cols);

    // The periods to compute.
    let periods: Vec<String> = match requested {
        Some(req) => {
            for (p, span) in req {
                if complete && !seen.contains(p) {
                    ld.doc.error(
                        span,
                        Some("index.periods".into()),
                        text(
                            format!("period \"{p}\" is listed in index.periods but has no data"),
                            format!("期间 \"{p}\" 列在 index.periods 中，但没有数据"),
                        ),
                        text(
                            format!("add data for {p} or remove it; periods in the data: {}", list(&seen, 20)),
                            format!("请补充 {p} 的数据或将其删除；数据中的期间：{}", list(&seen, 20)),
                        ),
                    );
                }
            }
            for p in &seen {
                if !req.iter().any(|(q, _)| q == p) {
                    let span = req.first().map_or(top.span.clone(), |(_, s)| s.clone());
                    ld.doc.warning(
                        &span,
                        Some("index.periods".into()),
                        text(
                            format!("the data have period \"{p}\", which is not in index.periods; it is not computed"),
                            format!("数据中有期间 \"{p}\"，但不在 index.periods 中，不会计算"),
                        ),
                        text("add it to index.periods to compute it", "如需计算，请将其加入 index.periods"),
                    );
                }
            }
            req.iter().map(|(p, _)| p.clone()).filter(|p| seen.contains(p)).collect()
        }
        None => sorted_periods(&seen),
    };

    let nu = units.len();
    let nc = cols.codes.len();
    let mut data = Vec::with_capacity(periods.len());
    for p in &periods {
        let mut m = Matrix::missing(nu, nc);
        if let Some(pi) = seen.iter().position(|q| q == p) {
            for (&(u, pp, c), &(v, _, _)) in &values {
                if pp == pi && u < nu && c < nc {
                    m.set(u, c, v);
                }
            }
        }
        data.push(m);
    }
    if complete {
        check_coverage(ld, units, cols, (&periods, &seen), &data, (&values, &tried));
    }
    if periods.is_empty() {
        if complete {
            ld.doc.file_error(
                text("the data files contain no values", "数据文件中没有任何数据"),
                text("check the [[data]] files", "请检查 [[data]] 数据文件"),
            );
        }
        return None;
    }
    let notes = cell_notes(notes, units, cols, &periods, &seen);
    Some(Panel {
        units: units.iter().map(|u| u.unit.code.clone()).collect(),
        columns: cols.codes.clone(),
        periods,
        data,
        notes,
    })
}

/// The flags of the cells in the periods computed, ordered by period, unit and column (then in
/// reading order).
fn cell_notes(
    notes: Vec<Note>,
    units: &[UnitDecl],
    cols: &Columns,
    periods: &[String],
    seen: &[String],
) -> Vec<CellNote> {
    let mut out: Vec<((usize, usize, usize), CellNote)> = notes
        .into_iter()
        .filter_map(|n| {
            let (u, p, c) = n.key;
            let period = seen.get(p)?;
            let pi = periods.iter().position(|q| q == period)?;
            let note = CellNote {
                unit: units.get(u)?.unit.code.clone(),
                period: period.clone(),
                code: cols.codes.get(c)?.clone(),
                flag: n.flag,
            };
            Some(((pi, u, c), note))
        })
        .collect();
    out.sort_by_key(|(k, _)| *k);
    out.into_iter().map(|(_, n)| n).collect()
}

/// Every period in the data, sorted numerically when all are numbers, otherwise as text.
fn sorted_periods(seen: &[String]) -> Vec<String> {
    let mut out = seen.to_vec();
    let nums: Option<Vec<f64>> = out.iter().map(|p| p.parse::<f64>().ok().filter(|x| x.is_finite())).collect();
    if nums.is_some() {
        out.sort_by(|a, b| {
            let (x, y) = (a.parse::<f64>().unwrap_or(0.0), b.parse::<f64>().unwrap_or(0.0));
            x.total_cmp(&y).then_with(|| a.cmp(b))
        });
    } else {
        out.sort();
    }
    out
}

/// The keys of a `[[data]]` entry.
const DATA_KEYS: &[&str] = &[
    "file",
    "format",
    "sheet",
    "period",
    "flags",
    "codes",
    "indicator",
    "header_row",
    "orientation",
    "unit_names",
    "skip",
    "sql",
];

/// The keys that apply to yearbook sheets only.
const YEARBOOK_KEYS: &[&str] = &["indicator", "header_row", "orientation", "unit_names", "skip"];

/// The shape of a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Long,
    Wide,
    Yearbook,
}

/// Reads `flags = { x = "meaning", … }`: the flags this entry declares (meanings are for
/// readers of the project file; each is a text).
fn parse_flags(doc: &mut super::doc::Doc<'_>, e: &Tbl<'_, '_>) -> Flags {
    let Some(t) = e.table(doc, "flags") else { return Flags::default() };
    let mut declared = Vec::new();
    for (k, _) in t.t.iter() {
        let name = k.get_ref().to_string();
        let _ = t.text(doc, &name, false);
        let trimmed = name.trim();
        if trimmed.is_empty() {
            doc.error(
                &k.span(),
                Some(t.key(&name)),
                text("a declared flag is empty", "声明的标记为空"),
                text(
                    "write the flag as it appears in the data, e.g. flags = { x = \"…\" }",
                    "请按数据中的写法填写标记，如 flags = { x = \"…\" }",
                ),
            );
            continue;
        }
        declared.push(trimmed.to_string());
    }
    Flags { declared }
}

/// Reads `codes = { PROJECT = "FILE", … }`: which codes of the file to read, and under which
/// project codes (a file code may feed several project codes). `None` when absent or wrong (each
/// problem is reported).
fn parse_codes(
    doc: &mut super::doc::Doc<'_>,
    e: &Tbl<'_, '_>,
    store: &Store<'_>,
) -> Option<HashMap<String, Vec<usize>>> {
    let t = e.table(doc, "codes")?;
    let mut map: HashMap<String, Vec<usize>> = HashMap::new();
    let mut ok = true;
    for (k, v) in t.t.iter() {
        let project = k.get_ref().to_string();
        let key = t.key(&project);
        let toml::de::DeValue::String(file_code) = v.get_ref() else {
            doc.wrong_type(v, &key, super::doc::STRING);
            ok = false;
            continue;
        };
        match store.col_index.get(project.as_str()) {
            Some(&c) => map.entry(file_code.to_string()).or_default().push(c),
            None => {
                doc.error(
                    &k.span(),
                    Some(key),
                    text(
                        format!("'{project}' is neither an indicator nor a [[series]]"),
                        format!("'{project}' 既不是指标也不是 [[series]] 辅助序列"),
                    ),
                    unknown_code_help(&project, store.cols),
                );
                ok = false;
            }
        }
    }
    ok.then_some(map)
}

/// Reads one `[[data]]` entry; returns false when the file could not be used at all.
fn read_entry(ld: &mut Loader<'_>, e: &Tbl<'_, '_>, store: &mut Store<'_>, units: &[UnitDecl]) -> bool {
    if e.get("sql").is_some() {
        return sql::read(ld, e, store);
    }
    let doc = &mut ld.doc;
    e.check_keys(doc, DATA_KEYS);
    let file = e.string(doc, "file", true);
    let shape = e.string(doc, "format", false);
    let sheet = e.string(doc, "sheet", false);
    let period = match e.get("period") {
        None => None,
        Some(v) => match as_scalar_text(doc, v) {
            Some(p) => Some(p),
            None => {
                doc.wrong_type(v, &e.key("period"), super::doc::STRING);
                return false;
            }
        },
    };
    let shape = match shape.as_deref() {
        None => None,
        Some("long") => Some(Shape::Long),
        Some("wide") => Some(Shape::Wide),
        Some("yearbook") => Some(Shape::Yearbook),
        Some(other) => {
            doc.error(
                &e.span_of("format"),
                Some(e.key("format")),
                text(format!("unknown data format \"{other}\""), format!("未知的数据格式 \"{other}\"")),
                text(
                    "use \"long\" (unit, period, indicator, value), \"wide\" (one column per code) or \"yearbook\" (a statistical table of one indicator, cities × years)",
                    "请用 \"long\"（unit、period、indicator、value 四列）、\"wide\"（每个代码一列）或 \"yearbook\"（统计年鉴式表格：一个指标，城市 × 年份）",
                ),
            );
            return false;
        }
    };
    let flags = parse_flags(doc, e);
    let codes = parse_codes(doc, e, store);
    let mut usable = codes.is_some() || e.get("codes").is_none();
    if shape == Some(Shape::Yearbook)
        && let Some(span) = e.key_span("codes")
    {
        doc.error(
            &span,
            Some(e.key("codes")),
            text("`codes` does not apply to yearbook sheets", "`codes` 不适用于年鉴式表格"),
            text(
                "a yearbook sheet holds one code, named with indicator = \"CODE\"; remove `codes`",
                "年鉴式表格只含一个代码，由 indicator = \"代码\" 指定；请删除 `codes`",
            ),
        );
        usable = false;
    }
    if shape != Some(Shape::Yearbook) {
        for k in YEARBOOK_KEYS {
            if let Some(span) = e.key_span(k) {
                doc.error(
                    &span,
                    Some(e.key(k)),
                    text(format!("`{k}` applies to yearbook sheets only"), format!("`{k}` 仅适用于年鉴式表格")),
                    text(
                        "add format = \"yearbook\" to read the file as a statistical table, or remove this key",
                        "如需按统计年鉴式表格读取，请添加 format = \"yearbook\"；否则请删除此键",
                    ),
                );
                usable = false;
            }
        }
    }
    let spec = if shape == Some(Shape::Yearbook) { yearbook::parse_spec(doc, e, store, units) } else { None };
    let Some(file) = file else { return false };
    if let Some(s @ (Shape::Long | Shape::Yearbook)) = shape
        && period.is_some()
    {
        let (en, zh) = if s == Shape::Long {
            (
                "long files give the period in their `period` column; remove this key",
                "长格式文件在 `period` 列中给出期间；请删除此键",
            )
        } else {
            (
                "yearbook sheets give the periods in their header row or first column; remove this key",
                "年鉴式表格在表头行或第一列中给出期间；请删除此键",
            )
        };
        doc.error(
            &e.span_of("period"),
            Some(e.key("period")),
            text("`period` applies to wide files only", "`period` 仅适用于宽格式文件"),
            text(en, zh),
        );
        return false;
    }
    let Some(format) = Format::of(&file) else {
        doc.error(
            &e.span_of("file"),
            Some(e.key("file")),
            text(
                format!("'{file}' is neither a .csv, an .xlsx nor an .xls file"),
                format!("'{file}' 不是 .csv、.xlsx 或 .xls 文件"),
            ),
            text("save the data as CSV (UTF-8) or .xlsx", "请将数据另存为 CSV（UTF-8）或 .xlsx"),
        );
        return false;
    };
    if format == Format::Csv
        && let Some(span) = e.key_span("sheet")
    {
        doc.warning(
            &span,
            Some(e.key("sheet")),
            text("`sheet` is ignored for CSV files", "CSV 文件会忽略 `sheet`"),
            Text::default(),
        );
    }
    if !usable || (shape == Some(Shape::Yearbook) && spec.is_none()) {
        return false;
    }
    let Some((display, bytes)) = ld.read(&file, &e.span_of("file"), e.key("file")) else { return false };
    let mut origin = if spec.is_some() {
        match read_grid(&display, &bytes, format, sheet.as_deref()) {
            Ok(g) => Origin::Grid(g),
            Err(d) => {
                ld.doc.diags.push(*d);
                return false;
            }
        }
    } else {
        let (table, diags) = read_table(&display, &bytes, format, sheet.as_deref());
        ld.doc.diags.extend(diags);
        let Some(table) = table else { return false };
        Origin::Table(table)
    };
    let mut cur = Current {
        idx: store.done.len(),
        origin: &origin,
        errors: 0,
        warnings: 0,
        flags: &flags,
        codes: codes.as_ref(),
    };
    let ok = match (&origin, &spec) {
        (Origin::Grid(g), Some(spec)) => yearbook::read(store, &mut cur, g, spec, units),
        (Origin::Table(t), _) => {
            let names = t.names();
            // Long when the header is exactly the long columns; a header with `indicator` and
            // `value` columns was meant to be long too (the long reader then says what is wrong).
            let is_long = match shape {
                Some(s) => s == Shape::Long,
                None => {
                    let mut sorted = names.clone();
                    sorted.retain(|n| n != "flag");
                    sorted.sort();
                    sorted == ["indicator", "period", "unit", "value"]
                        || (names.iter().any(|n| n == "indicator") && names.iter().any(|n| n == "value"))
                }
            };
            if is_long {
                read_long(ld, store, &mut cur, t)
            } else {
                read_wide(ld, e, store, &mut cur, t, period.as_deref())
            }
        }
        (Origin::Grid(_), None) | (Origin::Sql(_), _) => false,
    };
    let (errors, warnings) = (cur.errors, cur.warnings);
    if errors > MAX_ERRORS_PER_FILE {
        let more = errors - MAX_ERRORS_PER_FILE;
        store.diags.push(Location::file(&display).error(
            text(format!("{more} more errors in this file are not shown"), format!("此文件中另有 {more} 个错误未显示")),
            text(
                "fix the errors above (they are often all of the same kind) and load again",
                "请先修正上面的错误（通常属于同一类），再重新加载",
            ),
        ));
    }
    if warnings > MAX_ERRORS_PER_FILE {
        let more = warnings - MAX_ERRORS_PER_FILE;
        store.diags.push(Location::file(&display).warning(
            text(
                format!("{more} more warnings in this file are not shown"),
                format!("此文件中另有 {more} 个警告未显示"),
            ),
            Text::default(),
        ));
    }
    origin.clear();
    store.done.push(origin);
    ok
}

fn read_long(ld: &mut Loader<'_>, store: &mut Store<'_>, cur: &mut Current<'_>, t: &Table) -> bool {
    let names = t.names();
    let need = ["unit", "period", "indicator", "value"];
    let missing: Vec<&str> = need.iter().copied().filter(|n| t.column(n).is_none()).collect();
    let extra: Vec<&String> = names.iter().filter(|n| !need.contains(&n.as_str()) && n.as_str() != "flag").collect();
    if !missing.is_empty() || !extra.is_empty() {
        ld.doc.diags.push(t.header_loc().error(
            text(
                format!(
                    "a long data file needs exactly the columns unit, period, indicator, value (and optionally flag); the header is: {}",
                    list(&names, 20)
                ),
                format!(
                    "长格式数据文件应恰好包含 unit、period、indicator、value 四列（可另加 flag 列）；当前表头为：{}",
                    list(&names, 20)
                ),
            ),
            text(
                "rename the columns, or use format = \"wide\" for one column per indicator",
                "请修改列名；若每个指标占一列，请使用 format = \"wide\"",
            ),
        ));
        return false;
    }
    let col = |n: &str| t.column(n).unwrap_or(0);
    let (cu, cp, ci, cv) = (col("unit"), col("period"), col("indicator"), col("value"));
    let cf = t.column("flag");
    for row in &t.rows {
        let (Some(u), Some(p), Some(i), Some(v)) = (row.get(cu), row.get(cp), row.get(ci), row.get(cv)) else {
            continue;
        };
        let mut fields = Vec::with_capacity(3);
        for (c, what) in [(u, ("unit", "单元")), (p, ("period", "期间")), (i, ("indicator", "指标"))] {
            match c.value.code() {
                Some(s) => fields.push(s),
                None => store.cell_error(
                    cur,
                    c.pos,
                    text(format!("empty {}", what.0), format!("{}为空", what.1)),
                    text(format!("fill in the {} code", what.0), format!("请填写{}代码", what.1)),
                ),
            }
        }
        let value = match v.value.number() {
            Ok(x) => Some(x),
            Err((m, h)) => {
                store.cell_error(cur, v.pos, m, h);
                None
            }
        };
        let [unit, period, code] = fields.as_slice() else { continue };
        let code_idxs = store.codes(cur, code, i.pos);
        if code_idxs.is_empty() && cur.codes.is_some() {
            // A code that `codes` does not list: the row is not read.
            continue;
        }
        let Some(ui) = store.unit(cur, unit, u.pos) else { continue };
        for ci in code_idxs {
            match value {
                Some(x) => store.record(cur, ui, period, ci, x, v.pos),
                None => store.tried(ui, period, ci),
            }
            if let Some(f) = cf.and_then(|j| row.get(j))
                && let Some(flag) = f.value.code()
            {
                store.flag(cur, f.pos, (ui, period, ci), &flag, value.unwrap_or(f64::NAN));
            }
        }
    }
    true
}

fn read_wide(
    ld: &mut Loader<'_>,
    e: &Tbl<'_, '_>,
    store: &mut Store<'_>,
    cur: &mut Current<'_>,
    t: &Table,
    period: Option<&str>,
) -> bool {
    let names = t.names();
    let Some(cu) = t.column("unit") else {
        ld.doc.diags.push(t.header_loc().error(
            text(format!("the data file has no `unit` column; the header is: {}", list(&names, 20)), format!("数据文件没有 `unit` 列；当前表头为：{}", list(&names, 20))),
            text(
                "wide files have a `unit` column, an optional `period` column and one column per code; long files have exactly unit, period, indicator, value",
                "宽格式文件包含 `unit` 列、可选的 `period` 列以及每个代码一列；长格式文件恰好包含 unit、period、indicator、value 四列",
            ),
        ));
        return false;
    };
    let cp = t.column("period");
    match (cp, period) {
        (Some(_), Some(_)) => {
            ld.doc.error(
                &e.span_of("period"),
                Some(e.key("period")),
                text(
                    "the file has a `period` column and [[data]] also sets `period`",
                    "文件已有 `period` 列，而 [[data]] 又设置了 `period`",
                ),
                text("remove one of the two", "请删除其中之一"),
            );
            return false;
        }
        (None, None) => {
            ld.doc.error(
                &e.span,
                Some(e.key("period")),
                text(
                    "the wide data file has no `period` column and [[data]] sets no `period`",
                    "宽格式数据文件没有 `period` 列，[[data]] 也未设置 `period`",
                ),
                text(
                    "add period = \"2023\" to this [[data]] entry, or a `period` column to the file",
                    "请在此 [[data]] 中添加 period = \"2023\"，或在文件中添加 `period` 列",
                ),
            );
            return false;
        }
        _ => {}
    }
    // The code columns.
    let mut code_cols = Vec::new();
    let long_names = ["indicator", "value"];
    for (j, h) in t.header.iter().enumerate() {
        if j == cu || Some(j) == cp {
            continue;
        }
        let name = names.get(j).cloned().unwrap_or_default();
        if let Some(map) = cur.codes {
            // Only the codes listed in `codes` are read.
            for &c in map.get(name.as_str()).map_or(&[][..], Vec::as_slice) {
                code_cols.push((j, c));
            }
            continue;
        }
        match store.col_index.get(name.as_str()) {
            Some(&c) => code_cols.push((j, c)),
            None => {
                let help = if long_names.contains(&name.as_str()) {
                    text(
                        "a long file has exactly the columns unit, period, indicator, value; remove the other columns",
                        "长格式文件恰好包含 unit、period、indicator、value 四列；请删除其他列",
                    )
                } else {
                    unknown_code_help(&name, store.cols)
                };
                store.cell_error(
                    cur,
                    h.pos,
                    text(
                        format!("column '{name}' is neither an indicator nor a [[series]]"),
                        format!("列 '{name}' 既不是指标也不是 [[series]] 辅助序列"),
                    ),
                    help,
                );
            }
        }
    }
    for row in &t.rows {
        let Some(u) = row.get(cu) else { continue };
        let Some(unit) = u.value.code() else {
            store.cell_error(
                cur,
                u.pos,
                text("empty unit", "单元为空"),
                text("fill in the unit code", "请填写单元代码"),
            );
            continue;
        };
        let p = match (cp, period) {
            (Some(j), _) => match row.get(j).and_then(|c| c.value.code()) {
                Some(p) => p,
                None => {
                    let pos = row.get(j).map_or(u.pos, |c| c.pos);
                    store.cell_error(
                        cur,
                        pos,
                        text("empty period", "期间为空"),
                        text("fill in the period", "请填写期间"),
                    );
                    continue;
                }
            },
            (None, Some(p)) => p.to_string(),
            (None, None) => continue,
        };
        let ui = store.unit(cur, &unit, u.pos);
        for &(j, c) in &code_cols {
            let Some(cell) = row.get(j) else { continue };
            match cell.value.number() {
                Ok(x) => {
                    if let Some(ui) = ui {
                        store.record(cur, ui, &p, c, x, cell.pos);
                    }
                }
                Err((m, h)) => {
                    store.cell_error(cur, cell.pos, m, h);
                    if let Some(ui) = ui {
                        store.tried(ui, &p, c);
                    }
                }
            }
        }
    }
    true
}

fn unknown_code_help(code: &str, cols: &Columns) -> Text {
    if let Some(c) = closest(code, cols.codes.iter().map(String::as_str)) {
        return text(format!("did you mean '{c}'?"), format!("是否应为 '{c}'？"));
    }
    let (ind, ser) = cols.codes.split_at(cols.n_indicators.min(cols.codes.len()));
    let mut en = format!("declare it as an [[indicator]] or a [[series]]; indicators: {}", list(ind, 20));
    let mut zh = format!("请将其声明为 [[indicator]] 或 [[series]]；现有指标：{}", list(ind, 20));
    if !ser.is_empty() {
        en.push_str(&format!("; series: {}", list(ser, 20)));
        zh.push_str(&format!("；辅助序列：{}", list(ser, 20)));
    }
    text(en, zh)
}

fn rows(count: usize) -> (String, String) {
    if count == 1 { ("1 row".into(), "1 行".into()) } else { (format!("{count} rows"), format!("{count} 行")) }
}

fn report_unknown_units(ld: &mut Loader<'_>, unknown: Unknowns, units: &[UnitDecl]) {
    let codes: Vec<&str> = units.iter().map(|u| u.unit.code.as_str()).collect();
    for u in unknown.list {
        let (en_rows, zh_rows) = rows(u.count);
        let help = match closest(&u.code, codes.iter().copied()) {
            Some(c) => text(
                format!("did you mean '{c}'? otherwise declare it in [units]"),
                format!("是否应为 '{c}'？否则请在 [units] 中声明"),
            ),
            None => text(
                format!("declare it in [units] or remove its rows; declared units: {}", list(&codes, 20)),
                format!("请在 [units] 中声明，或删除相应的行；已声明的单元：{}", list(&codes, 20)),
            ),
        };
        ld.doc.diags.push(u.loc.error(
            text(
                format!("unit '{}' is not declared in [units] (it appears in {en_rows})", u.code),
                format!("单元 '{}' 未在 [units] 中声明（出现在 {zh_rows}）", u.code),
            ),
            help,
        ));
    }
}

fn report_unknown_codes(ld: &mut Loader<'_>, unknown: Unknowns, cols: &Columns) {
    for u in unknown.list {
        let (en_rows, zh_rows) = rows(u.count);
        ld.doc.diags.push(u.loc.error(
            text(
                format!("'{}' is neither an indicator nor a [[series]] (it appears in {en_rows})", u.code),
                format!("'{}' 既不是指标也不是 [[series]] 辅助序列（出现在 {zh_rows}）", u.code),
            ),
            unknown_code_help(&u.code, cols),
        ));
    }
}

/// Every declared unit and indicator must have data in the periods computed; series without
/// data are only warned about (whether they are needed depends on the pipeline, and the core
/// reports a missing denominator when it divides).
fn check_coverage(
    ld: &mut Loader<'_>,
    units: &[UnitDecl],
    cols: &Columns,
    (periods, seen): (&[String], &[String]),
    data: &[Matrix],
    (values, tried): (&Values, &HashSet<Key>),
) {
    let shown = list(periods, 10);
    let computed: Vec<usize> = periods.iter().filter_map(|p| seen.iter().position(|q| q == p)).collect();
    let tried_in =
        |pred: &dyn Fn(usize, usize) -> bool| tried.iter().any(|&(u, p, c)| computed.contains(&p) && pred(u, c));
    for (i, u) in units.iter().enumerate() {
        let has = data.iter().any(|m| (0..m.ncols()).any(|j| !m.get(i, j).is_nan()));
        if !has && !tried_in(&|uu, _| uu == i) {
            let code = &u.unit.code;
            ld.doc.diags.push(u.loc.error(
                text(
                    format!("unit '{code}' has no data (periods: {shown})"),
                    format!("单元 '{code}' 没有数据（期间：{shown}）"),
                ),
                text(
                    "add its rows to a [[data]] file, or remove the unit from [units]",
                    "请在 [[data]] 数据文件中补充其数据，或从 [units] 中删除该单元",
                ),
            ));
        }
    }
    for (j, code) in cols.codes.iter().enumerate() {
        let empty: Vec<&String> = periods
            .iter()
            .zip(data)
            .filter(|(p, m)| {
                let pi = seen.iter().position(|q| q == *p);
                (j >= m.ncols() || m.col(j).iter().all(|x| x.is_nan()))
                    && !tried.iter().any(|&(_, pp, c)| c == j && Some(pp) == pi)
            })
            .map(|(p, _)| p)
            .collect();
        if empty.is_empty() {
            continue;
        }
        let anywhere = values.iter().any(|(&(_, _, c), &(v, _, _))| c == j && !v.is_nan());
        let is_indicator = j < cols.n_indicators;
        let (what_en, what_zh) = if is_indicator { ("indicator", "指标") } else { ("series", "辅助序列") };
        let (en, zh) = if anywhere {
            let ps = list(&empty, 10);
            (
                format!("{what_en} '{code}' has no data in period {ps}"),
                format!("{what_zh} '{code}' 在期间 {ps} 没有数据"),
            )
        } else {
            (format!("{what_en} '{code}' has no data"), format!("{what_zh} '{code}' 没有数据"))
        };
        let Some(loc) = cols.decl.get(j) else { continue };
        let d = if is_indicator && anywhere {
            // A gap of whole periods: the pipeline may fill it (impute carry / interpolate) or not
            // need it (fixed goalposts); otherwise the run stops naming the indicator and period.
            loc.warning(
                text(en, zh),
                text(
                    "fill the gap with an `impute` step (method = \"carry\" or \"interpolate\"), or use fixed goalposts; otherwise normalisation stops in that period",
                    "请用 `impute` 步骤（method = \"carry\" 或 \"interpolate\"）填补，或使用固定目标值（goalposts）；否则标准化将在该期停止",
                ),
            )
        } else if is_indicator {
            loc.error(
                text(en, zh),
                text(
                    "add its values to a [[data]] file (a column in a wide file, or rows in a long file), or remove the indicator",
                    "请在 [[data]] 数据文件中补充其数值（宽格式为一列，长格式为若干行），或删除该指标",
                ),
            )
        } else if cols.needed.get(j).copied().unwrap_or(false) {
            loc.warning(
                text(en, zh),
                text(
                    "an indicator names it as its denominator, so a `denominate` step will fail there; add its values to a [[data]] file",
                    "有指标以其作分母，`denominate` 步骤将在这些期间失败；请在 [[data]] 数据文件中补充其数值",
                ),
            )
        } else {
            loc.warning(text(en, zh), text("add its values, or remove the series", "请补充其数值，或删除该辅助序列"))
        };
        ld.doc.diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_sort_numerically_when_all_are_numbers() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(sorted_periods(&s(&["2023", "999", "2022"])), s(&["999", "2022", "2023"]));
        assert_eq!(sorted_periods(&s(&["2023Q2", "2023Q1", "2022Q4"])), s(&["2022Q4", "2023Q1", "2023Q2"]));
    }
}
