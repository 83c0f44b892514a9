//! The results workbook (`results.xlsx`, written by `baydex run --xlsx`): every number of a run in
//! one Excel file, for readers who work in a spreadsheet.
//!
//! | sheet | contents |
//! |---|---|
//! | `about` | tool and version, project file, index, periods, whether the data are illustrative (and the note) |
//! | `scores` | one row per period × node × unit: `unit, name, period, node, level, score, rank, tier` |
//! | one per stage (`Raw`, `Denominated`, …, `Aggregated`) | the stage, wide: `unit, name, period` and one column per code |
//! | `framework` | every node, in tree order: code, names, parent, level, weight, effective weight, direction, unit, definition, source |
//! | `tiers` | the bands and how many units of the index fall in each, per period |
//! | extra tables | any [`SheetTable`] passed to [`results_workbook_with`] (audit tables, …) |
//!
//! Every sheet has a bold, frozen header row and columns sized to their contents; scores use the
//! number format `0.00`, ranks and levels `0` (the cells hold the full-precision values). Missing
//! values are empty cells. The column headers are the same in both languages (as in
//! `scores.csv`); names, texts and the `about` sheet follow `lang`. The workbook's creation date
//! is fixed, so the same run gives the same bytes.

use baydex_core::{Dataset, Lang, Project, Results, Text};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::LoadedProject;

/// A value of a [`SheetTable`] cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing (a missing value).
    Empty,
    /// Text.
    Text(String),
    /// A number, shown with up to 4 decimals (the cell keeps the full value).
    Number(f64),
    /// A whole number (counts, ranks, levels).
    Integer(i64),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<f64> for Cell {
    fn from(x: f64) -> Self {
        if x.is_nan() { Cell::Empty } else { Cell::Number(x) }
    }
}

impl From<i64> for Cell {
    fn from(x: i64) -> Self {
        Cell::Integer(x)
    }
}

/// A table written to a sheet of its own: the hook for tables other than the results (audit
/// tables, sensitivity summaries…).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetTable {
    /// Sheet name (made valid for Excel: at most 31 characters, without `[]:*?/\`, unique).
    pub name: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows (as long as the header, or shorter).
    pub rows: Vec<Vec<Cell>>,
}

impl SheetTable {
    /// A table from CSV text with a header line (as `output` renders its tables): fields that
    /// parse as numbers become numbers (whole numbers without a decimal point become integers),
    /// `NA` and empty fields become empty cells. `None` when the text has no header.
    pub fn from_csv(name: &str, csv_text: &str) -> Option<SheetTable> {
        let mut rd = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(csv_text.as_bytes());
        let header: Vec<String> = rd.headers().ok()?.iter().map(str::to_string).collect();
        if header.is_empty() {
            return None;
        }
        let rows = rd
            .records()
            .filter_map(Result::ok)
            .map(|r| {
                r.iter()
                    .map(|f| {
                        if f.is_empty() || f == "NA" {
                            Cell::Empty
                        } else if let Ok(i) = f.parse::<i64>() {
                            Cell::Integer(i)
                        } else if let Some(x) = f.parse::<f64>().ok().filter(|x| x.is_finite()) {
                            Cell::Number(x)
                        } else {
                            Cell::Text(f.to_string())
                        }
                    })
                    .collect()
            })
            .collect();
        Some(SheetTable { name: name.to_string(), header, rows })
    }
}

/// Why the workbook could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkbookError {
    /// The Excel writer failed.
    #[error("cannot write the results workbook (sheet \"{sheet}\"): {source}")]
    Xlsx {
        /// The sheet being written.
        sheet: String,
        /// The writer's error.
        #[source]
        source: XlsxError,
    },
}

impl WorkbookError {
    /// The message in both languages.
    pub fn message(&self) -> Text {
        match self {
            WorkbookError::Xlsx { sheet, source } => {
                Text::new(self.to_string(), format!("无法写入结果工作簿（工作表 \"{sheet}\"）：{source}"))
            }
        }
    }
}

/// The results workbook of a run: see the module documentation.
pub fn results_workbook(loaded: &LoadedProject, results: &Results, lang: Lang) -> Result<Vec<u8>, WorkbookError> {
    results_workbook_with(loaded, results, lang, &[])
}

/// The workbook of a run (`baydex run --xlsx`, `baydex report --xlsx`): the standard sheets, then
/// every table a run also writes as CSV (the audit tables, `tier_breaks`, `changes`,
/// `obstacles`), then `extra`.
pub fn run_workbook(
    loaded: &LoadedProject,
    results: &Results,
    audits: &[baydex_core::audit::Audit],
    lang: Lang,
    extra: &[SheetTable],
) -> Result<Vec<u8>, WorkbookError> {
    use crate::output;
    let project = &loaded.project;
    let mut sheets: Vec<SheetTable> = output::audit_csvs(audits)
        .iter()
        .filter_map(|(n, t)| SheetTable::from_csv(n.trim_end_matches(".csv"), t))
        .collect();
    let tables = [
        ("tier_breaks", output::tiers_csv(project, results)),
        ("changes", output::changes_csv(project, results)),
        ("obstacles", output::obstacles_csv(project, results)),
    ];
    sheets.extend(tables.iter().filter_map(|(n, t)| t.as_deref().and_then(|t| SheetTable::from_csv(n, t))));
    sheets.extend(extra.iter().cloned());
    results_workbook_with(loaded, results, lang, &sheets)
}

/// The results workbook with extra tables, each on a sheet of its own after the standard sheets
/// (e.g. the audit tables: `SheetTable::from_csv` of each `audit/*.csv`).
pub fn results_workbook_with(
    loaded: &LoadedProject,
    results: &Results,
    lang: Lang,
    extra: &[SheetTable],
) -> Result<Vec<u8>, WorkbookError> {
    let mut w = Writer::new();
    w.about(loaded, results, lang)?;
    w.scores(&loaded.project, results, lang)?;
    w.stages(&loaded.project, results, lang)?;
    w.framework(&loaded.project, results, lang)?;
    w.tiers(&loaded.project, results, lang)?;
    for t in extra {
        w.table(t)?;
    }
    let date = ExcelDateTime::from_ymd(2000, 1, 1).map_err(|e| err("about", e))?;
    w.wb.set_properties(
        &DocProperties::new()
            .set_title(loaded.project.meta.name.get(lang))
            .set_comment(format!("baydex {} — {}", env!("CARGO_PKG_VERSION"), loaded.file))
            .set_creation_datetime(&date),
    );
    w.wb.save_to_buffer().map_err(|e| err("", e))
}

fn err(sheet: &str, source: XlsxError) -> WorkbookError {
    WorkbookError::Xlsx { sheet: sheet.to_string(), source }
}

/// How a number is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumFmt {
    /// Scores: `0.00`.
    Score,
    /// Ranks, levels, counts: `0`.
    Int,
    /// Data in natural units, weights: up to 4 decimals.
    General,
}

/// Widest column, in character widths.
const MAX_WIDTH: usize = 60;

/// One sheet being written, with the widths of its columns so far.
struct Sheet<'w> {
    ws: &'w mut Worksheet,
    name: String,
    widths: Vec<usize>,
    fmt: &'w Formats,
}

struct Formats {
    header: Format,
    score: Format,
    int: Format,
    general: Format,
    text: Format,
    warn: Format,
}

/// Display width: CJK and other wide characters count 2.
fn width(s: &str) -> usize {
    s.lines()
        .map(|l| {
            l.chars().map(|c| if c >= '\u{1100}' && !('\u{2000}'..='\u{206F}').contains(&c) { 2 } else { 1 }).sum()
        })
        .max()
        .unwrap_or(0)
}

impl Sheet<'_> {
    fn grow(&mut self, col: u16, w: usize) {
        let c = usize::from(col);
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        if let Some(x) = self.widths.get_mut(c) {
            *x = (*x).max(w);
        }
    }

    fn header(&mut self, names: &[&str]) -> Result<(), WorkbookError> {
        for (j, n) in names.iter().enumerate() {
            let col = col16(j);
            self.ws.write_string_with_format(0, col, *n, &self.fmt.header).map_err(|e| err(&self.name, e))?;
            self.grow(col, width(n) + 2);
        }
        Ok(())
    }

    fn text(&mut self, row: u32, col: u16, s: &str) -> Result<(), WorkbookError> {
        if s.is_empty() {
            return Ok(());
        }
        self.ws.write_string_with_format(row, col, s, &self.fmt.text).map_err(|e| err(&self.name, e))?;
        self.grow(col, width(s));
        Ok(())
    }

    fn num(&mut self, row: u32, col: u16, x: f64, f: NumFmt) -> Result<(), WorkbookError> {
        if !x.is_finite() {
            return Ok(());
        }
        let format = match f {
            NumFmt::Score => &self.fmt.score,
            NumFmt::Int => &self.fmt.int,
            NumFmt::General => &self.fmt.general,
        };
        self.ws.write_number_with_format(row, col, x, format).map_err(|e| err(&self.name, e))?;
        let shown = match f {
            NumFmt::Score => format!("{x:.2}"),
            NumFmt::Int => format!("{x:.0}"),
            NumFmt::General => format!("{x:.4}").trim_end_matches('0').trim_end_matches('.').to_string(),
        };
        self.grow(col, shown.len() + 1);
        Ok(())
    }

    fn cell(&mut self, row: u32, col: u16, c: &Cell) -> Result<(), WorkbookError> {
        match c {
            Cell::Empty => Ok(()),
            Cell::Text(s) => self.text(row, col, s),
            Cell::Number(x) => self.num(row, col, *x, NumFmt::General),
            Cell::Integer(i) => self.num(row, col, *i as f64, NumFmt::Int),
        }
    }

    /// Frozen header (and `cols` frozen columns), autofilter over `rows` data rows, widths.
    fn finish(self, cols: u16, rows: u32) -> Result<(), WorkbookError> {
        let name = self.name.clone();
        self.ws.set_freeze_panes(1, cols).map_err(|e| err(&name, e))?;
        let last_col = self.widths.len().saturating_sub(1);
        if rows > 0 && !self.widths.is_empty() {
            self.ws.autofilter(0, 0, rows, col16(last_col)).map_err(|e| err(&name, e))?;
        }
        for (j, w) in self.widths.iter().enumerate() {
            let w = (*w).clamp(6, MAX_WIDTH) as f64 + 1.0;
            self.ws.set_column_width(col16(j), w).map_err(|e| err(&name, e))?;
        }
        Ok(())
    }
}

fn col16(j: usize) -> u16 {
    u16::try_from(j).unwrap_or(u16::MAX)
}

fn row32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// A valid, unique Excel sheet name.
fn sheet_name(wanted: &str, taken: &[String]) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect::<String>()
        .trim_matches('\'')
        .to_string();
    let base: String = if clean.trim().is_empty() { "sheet".to_string() } else { clean.chars().take(31).collect() };
    let lower = |s: &str| s.to_lowercase();
    if !taken.iter().any(|t| lower(t) == lower(&base)) {
        return base;
    }
    (2..)
        .map(|k| {
            let suffix = format!("~{k}");
            let keep = 31 - suffix.chars().count();
            format!("{}{suffix}", base.chars().take(keep).collect::<String>())
        })
        .find(|n| !taken.iter().any(|t| lower(t) == lower(n)))
        .unwrap_or(base)
}

struct Writer {
    wb: Workbook,
    names: Vec<String>,
    fmt: Formats,
}

impl Writer {
    fn new() -> Self {
        let header = Format::new().set_bold().set_border_bottom(FormatBorder::Thin).set_background_color(0xDDEBF7);
        let fmt = Formats {
            header,
            score: Format::new().set_num_format("0.00"),
            int: Format::new().set_num_format("0"),
            general: Format::new().set_num_format("0.####"),
            text: Format::new(),
            warn: Format::new().set_bold().set_font_color(0xC00000).set_text_wrap(),
        };
        Writer { wb: Workbook::new(), names: Vec::new(), fmt }
    }

    /// Adds a sheet and runs `f` on it.
    fn sheet(
        &mut self,
        wanted: &str,
        f: impl FnOnce(&mut Sheet<'_>) -> Result<(u16, u32), WorkbookError>,
    ) -> Result<(), WorkbookError> {
        let name = sheet_name(wanted, &self.names);
        self.names.push(name.clone());
        let ws = self.wb.add_worksheet();
        ws.set_name(&name).map_err(|e| err(&name, e))?;
        let mut s = Sheet { ws, name, widths: Vec::new(), fmt: &self.fmt };
        let (frozen_cols, rows) = f(&mut s)?;
        s.finish(frozen_cols, rows)
    }

    fn about(&mut self, loaded: &LoadedProject, results: &Results, lang: Lang) -> Result<(), WorkbookError> {
        let p = &loaded.project;
        let fw = &p.framework;
        let t = |en: &str, zh: &str| if lang == Lang::Zh { zh.to_string() } else { en.to_string() };
        let periods = p.meta.periods.join(", ");
        let mut rows: Vec<(String, String)> = Vec::new();
        if p.meta.illustrative {
            rows.push((
                t("ILLUSTRATIVE DATA", "示意数据"),
                format!(
                    "{} {}",
                    t(
                        "(some of) the data are illustrative, not official statistics:",
                        "（部分）数据为示意数据，非官方统计："
                    ),
                    p.meta.illustrative_note.get(lang)
                ),
            ));
        }
        rows.extend([
            (t("index", "指数"), format!("{} ({})", p.meta.name.get(lang), fw.node(fw.root()).code())),
            (t("description", "说明"), p.meta.description.get(lang).to_string()),
            (t("project file", "项目文件"), loaded.file.clone()),
            (t("tool", "工具"), format!("baydex {}", env!("CARGO_PKG_VERSION"))),
            (t("periods", "期间"), periods),
            (t("units", "评价单元"), p.units.len().to_string()),
            (t("indicators", "指标"), fw.indicators().len().to_string()),
            (t("illustrative", "示意数据"), if p.meta.illustrative { t("yes", "是") } else { t("no", "否") }),
            (
                t("pipeline", "计算流程"),
                results.steps.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(" → "),
            ),
            (
                t("sheets", "工作表"),
                t(
                    "scores: every node's score, rank and tier; one sheet per stage of the pipeline (wide); framework: the indicators and aggregates with their weights; tiers: the bands and their counts",
                    "scores：各节点的得分、排名和梯队；每个计算阶段一张宽表；framework：指标体系及权重；tiers：梯队划分及各梯队城市数",
                ),
            ),
            (
                t("inputs", "输入文件"),
                loaded.inputs.iter().map(|f| format!("{} (sha256 {})", f.path, f.sha256)).collect::<Vec<_>>().join("\n"),
            ),
        ]);
        let illustrative = p.meta.illustrative;
        self.sheet("about", |s| {
            s.header(&[&t("item", "项目"), &t("value", "内容")])?;
            for (i, (k, v)) in rows.iter().enumerate() {
                let r = row32(i + 1);
                if illustrative && i == 0 {
                    let warn = s.fmt.warn.clone();
                    s.ws.write_string_with_format(r, 0, k, &warn).map_err(|e| err("about", e))?;
                    s.ws.write_string_with_format(r, 1, v, &warn).map_err(|e| err("about", e))?;
                    s.grow(0, width(k));
                    s.grow(1, width(v));
                } else {
                    s.text(r, 0, k)?;
                    s.text(r, 1, v)?;
                }
            }
            Ok((0, 0))
        })
    }

    fn scores(&mut self, p: &Project, results: &Results, lang: Lang) -> Result<(), WorkbookError> {
        let fw = &p.framework;
        self.sheet("scores", |s| {
            s.header(&["unit", "name", "period", "node", "level", "score", "rank", "tier"])?;
            let mut r = 0u32;
            for pr in &results.periods {
                for i in fw.output_order() {
                    let node = fw.node(i);
                    let (scores, ranks, tiers) = (pr.scores(i), pr.ranks(i), pr.tiers(i));
                    for (u, unit) in pr.units().iter().enumerate() {
                        r += 1;
                        s.text(r, 0, unit)?;
                        s.text(r, 1, &unit_name(p, unit, lang))?;
                        s.text(r, 2, &pr.period)?;
                        s.text(r, 3, node.code())?;
                        s.num(r, 4, f64::from(node.level), NumFmt::Int)?;
                        s.num(r, 5, scores.get(u).copied().unwrap_or(f64::NAN), NumFmt::Score)?;
                        if let Some(Some(k)) = ranks.get(u) {
                            s.num(r, 6, f64::from(*k), NumFmt::Int)?;
                        }
                        if let (Some(Some(t)), Some(scheme)) = (tiers.get(u), &p.tiers)
                            && let Some(band) = scheme.bands.get(*t)
                        {
                            s.text(r, 7, &band.code)?;
                        }
                    }
                }
            }
            Ok((0, r))
        })
    }

    fn stages(&mut self, p: &Project, results: &Results, lang: Lang) -> Result<(), WorkbookError> {
        let Some(first) = results.periods.first() else { return Ok(()) };
        // Stage k (k ≥ 1) is produced by step k − 1; stages from the first `normalise` on hold
        // scores.
        let normalised_from = results.steps.iter().position(|(n, _)| n == "normalise").map_or(usize::MAX, |i| i + 1);
        for (k, (name, _)) in first.stages.iter().enumerate() {
            let parts: Vec<(&str, &Dataset)> =
                results.periods.iter().filter_map(|pr| pr.stage(name).map(|d| (pr.period.as_str(), d))).collect();
            if parts.is_empty() {
                continue;
            }
            let f = if k >= normalised_from { NumFmt::Score } else { NumFmt::General };
            let columns = crate::output::stage_columns(&parts);
            self.sheet(name, |s| {
                let mut head = vec!["unit", "name", "period"];
                head.extend(columns.iter().map(String::as_str));
                s.header(&head)?;
                let mut r = 0u32;
                for (period, d) in &parts {
                    for (i, u) in d.units.iter().enumerate() {
                        r += 1;
                        s.text(r, 0, u)?;
                        s.text(r, 1, &unit_name(p, u, lang))?;
                        s.text(r, 2, period)?;
                        for (j, c) in columns.iter().enumerate() {
                            // Columns by name: a period may lack a column another period has.
                            let x = d.column(c).map_or(f64::NAN, |jj| d.data.get(i, jj));
                            s.num(r, col16(j + 3), x, f)?;
                        }
                    }
                }
                Ok((3, r))
            })?;
        }
        Ok(())
    }

    fn framework(&mut self, p: &Project, results: &Results, lang: Lang) -> Result<(), WorkbookError> {
        let fw = &p.framework;
        self.sheet("framework", |s| {
            s.header(&[
                "code",
                "name_zh",
                "name_en",
                "parent",
                "level",
                "weight",
                "effective_weight",
                "direction",
                "unit",
                "definition",
                "source",
            ])?;
            // Tree order: the index, then each dimension followed by its children.
            let mut order = Vec::with_capacity(fw.nodes().len());
            let mut stack = vec![fw.root()];
            while let Some(i) = stack.pop() {
                order.push(i);
                stack.extend(fw.node(i).children.iter().rev().copied());
            }
            let mut r = 0u32;
            for i in order {
                let n = fw.node(i);
                let spec = &n.spec;
                r += 1;
                s.text(r, 0, &spec.code)?;
                s.text(r, 1, &spec.name.zh)?;
                s.text(r, 2, &spec.name.en)?;
                s.text(r, 3, spec.parent.as_deref().unwrap_or(""))?;
                s.num(r, 4, f64::from(n.level), NumFmt::Int)?;
                s.num(r, 5, results.weights.get(i).copied().unwrap_or(f64::NAN), NumFmt::General)?;
                s.num(r, 6, results.effective_weights.get(i).copied().unwrap_or(f64::NAN), NumFmt::General)?;
                if n.is_indicator() {
                    s.num(r, 7, spec.direction, NumFmt::Int)?;
                }
                s.text(r, 8, spec.unit.get(lang))?;
                s.text(r, 9, spec.definition.get(lang))?;
                s.text(r, 10, spec.source.get(lang))?;
            }
            Ok((1, r))
        })
    }

    fn tiers(&mut self, p: &Project, results: &Results, lang: Lang) -> Result<(), WorkbookError> {
        let fw = &p.framework;
        let root = fw.root();
        self.sheet("tiers", |s| {
            let mut head = vec!["code".to_string(), "name".to_string(), "min".to_string()];
            head.extend(results.periods.iter().map(|pr| format!("{} {}", fw.node(root).code(), pr.period)));
            s.header(&head.iter().map(String::as_str).collect::<Vec<_>>())?;
            let Some(scheme) = &p.tiers else {
                s.text(1, 0, if lang == Lang::Zh { "（未设置梯队）" } else { "(no tiers defined)" })?;
                return Ok((0, 0));
            };
            for (b, band) in scheme.bands.iter().enumerate() {
                let r = row32(b + 1);
                s.text(r, 0, &band.code)?;
                s.text(r, 1, band.name.get(lang))?;
                if let Some(m) = band.min {
                    s.num(r, 2, m, NumFmt::General)?;
                }
                for (k, pr) in results.periods.iter().enumerate() {
                    let n = pr.tiers(root).iter().filter(|t| **t == Some(b)).count();
                    s.num(r, col16(k + 3), n as f64, NumFmt::Int)?;
                }
            }
            Ok((1, row32(scheme.bands.len())))
        })
    }

    fn table(&mut self, t: &SheetTable) -> Result<(), WorkbookError> {
        self.sheet(&t.name, |s| {
            s.header(&t.header.iter().map(String::as_str).collect::<Vec<_>>())?;
            for (i, row) in t.rows.iter().enumerate() {
                for (j, c) in row.iter().enumerate() {
                    s.cell(row32(i + 1), col16(j), c)?;
                }
            }
            Ok((0, row32(t.rows.len())))
        })
    }
}

/// A unit's name in `lang` (its code when unknown).
fn unit_name(p: &Project, code: &str, lang: Lang) -> String {
    p.units.iter().find(|u| u.code == code).map_or_else(|| code.to_string(), |u| u.name.get(lang).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let taken = vec!["scores".to_string()];
        assert_eq!(sheet_name("Scores", &taken), "Scores~2");
        assert_eq!(sheet_name("a/b:c", &taken), "a_b_c");
        assert_eq!(sheet_name(&"x".repeat(40), &taken).chars().count(), 31);
        assert_eq!(sheet_name("", &taken), "sheet");
    }

    #[test]
    fn csv_tables_type_their_cells() {
        let t = SheetTable::from_csv("t", "a,b,c\nx,1,2.5\ny,NA,\n").unwrap();
        assert_eq!(t.header, ["a", "b", "c"]);
        assert_eq!(t.rows[0], [Cell::Text("x".into()), Cell::Integer(1), Cell::Number(2.5)]);
        assert_eq!(t.rows[1], [Cell::Text("y".into()), Cell::Empty, Cell::Empty]);
    }

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(width("深圳"), 4);
        assert_eq!(width("SZ"), 2);
        assert_eq!(width("a\nlonger"), 6);
    }
}
