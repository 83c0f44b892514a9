//! Reading CSV and `.xlsx` tables into cells that remember where they came from.
//!
//! A [`Table`] is a header and rows of [`Cell`]s; every cell knows its line (or spreadsheet
//! row) and column so that any later check can point at it. CSV files are UTF-8 (a byte-order
//! mark is allowed), lines starting with `#` are comments and fields are trimmed. In a
//! spreadsheet the first row of the used range is the header. Blank rows are skipped, and so are
//! columns without a header name and without values (spreadsheets often carry such padding).

use std::io::Cursor;

use baydex_core::Text;
use calamine::{Data, Range, Reader, Sheets, Xls, Xlsx};

use crate::diag::{Diagnostic, Location, list, text};

/// The file formats a table can be read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Xlsx,
    /// Excel 97–2003 (`.xls`), as statistical offices still publish.
    Xls,
}

impl Format {
    /// The format of a file name, from its extension.
    pub(crate) fn of(file: &str) -> Option<Format> {
        let ext = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "xls" => Some(Format::Xls),
            _ => None,
        }
    }
}

/// Where a cell is: 1-based line and character column (CSV) or row and column number
/// (spreadsheet), and the position of its field in the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CellPos {
    pub line: usize,
    pub column: usize,
    pub field: usize,
}

/// The value of a cell as read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CellValue {
    /// Empty (or only whitespace).
    Empty,
    /// Text, trimmed.
    Text(String),
    /// A number stored as a number (spreadsheets only).
    Number(f64),
    /// Something else a spreadsheet can hold (a boolean, a date, an error such as `#DIV/0!`).
    Other { shown: String, what: Text },
}

impl CellValue {
    /// The cell as a code or period: text as is, a whole number without `.0`.
    pub(crate) fn code(&self) -> Option<String> {
        match self {
            CellValue::Empty => None,
            CellValue::Text(s) => Some(s.clone()),
            CellValue::Number(x) => Some(format_number(*x)),
            CellValue::Other { shown, .. } => Some(shown.clone()),
        }
    }

    /// The cell as a value: NaN when empty or a missing marker ([`MISSING_MARKERS`]); an error
    /// message (en/zh) and a help text when it is not a finite number.
    pub(crate) fn number(&self) -> Result<f64, (Text, Text)> {
        match self {
            CellValue::Empty => Ok(f64::NAN),
            CellValue::Text(s) if is_missing_marker(s) => Ok(f64::NAN),
            CellValue::Text(s) => parse_number(s),
            CellValue::Number(x) if x.is_finite() => Ok(*x),
            CellValue::Number(x) => Err(not_a_number(&x.to_string())),
            CellValue::Other { shown, what } => Err((
                text(
                    format!("the cell holds {} ({shown}), not a number", what.en),
                    format!("单元格内容为{}（{shown}），不是数字", what.zh),
                ),
                text(
                    "enter the value as a number, or leave the cell empty (or NA, ~) when missing",
                    "请填写数值；缺失时留空（或填 NA、~）",
                ),
            )),
        }
    }
}

/// A whole number without a fractional part (`2023`, not `2023.0`); other numbers as Rust
/// prints them (shortest round-trip form).
pub(crate) fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { x.to_string() }
}

/// Text that marks a missing value, like an empty cell: `NA`, `~` (yearbooks: 没有数字, "not
/// available"; also the full-width `～`) and `..` (OECD, World Bank, UN: "not available").
///
/// Not included, on purpose: `-` and `—` (Hong Kong's C&SD and many yearbooks use them for
/// "nil", i.e. zero, or "not applicable") and `…` (Chinese yearbooks: 数据不足本表最小单位数,
/// "too small to show", i.e. a positive value). Reading them as missing would silently change the
/// data; they stay errors whose help says so.
pub(crate) const MISSING_MARKERS: &[&str] = &["NA", "~", "～", ".."];

/// True when `s` (trimmed) is a missing marker.
pub(crate) fn is_missing_marker(s: &str) -> bool {
    MISSING_MARKERS.contains(&s.trim())
}

/// Superscript characters that stand for a plain letter or digit in flags (`ʳ` → `r`, `¹` → `1`).
const SUPERSCRIPTS: &[(char, char)] = &[
    ('⁰', '0'),
    ('¹', '1'),
    ('²', '2'),
    ('³', '3'),
    ('⁴', '4'),
    ('⁵', '5'),
    ('⁶', '6'),
    ('⁷', '7'),
    ('⁸', '8'),
    ('⁹', '9'),
    ('ᵃ', 'a'),
    ('ᵇ', 'b'),
    ('ᶜ', 'c'),
    ('ᵈ', 'd'),
    ('ᵉ', 'e'),
    ('ᶠ', 'f'),
    ('ⁱ', 'i'),
    ('ⁿ', 'n'),
    ('ᵖ', 'p'),
    ('ʳ', 'r'),
    ('ˢ', 's'),
    ('ᵗ', 't'),
    ('ᵘ', 'u'),
    ('ˣ', 'x'),
];

/// Longest flag split off a number (`28089.69r`) or read from a cell of its own.
const MAX_FLAG_CHARS: usize = 3;

fn is_flag_char(c: char) -> bool {
    c.is_ascii_alphabetic() || "*†‡#§".contains(c) || SUPERSCRIPTS.iter().any(|(s, _)| *s == c)
}

/// `s` as a flag (a letter code such as `r`, `p`, `e`, a mark such as `*`, `†`, or a
/// superscript such as `¹`): 1 to 3 such characters, superscripts written as plain ones.
pub(crate) fn flag_token(s: &str) -> Option<String> {
    let s = s.trim();
    let n = s.chars().count();
    if n == 0 || n > MAX_FLAG_CHARS || !s.chars().all(is_flag_char) {
        return None;
    }
    Some(s.chars().map(|c| SUPERSCRIPTS.iter().find(|(sup, _)| *sup == c).map_or(c, |(_, p)| *p)).collect())
}

/// A number with a flag stuck to it — `28089.69r`, `123.4 p`, `5.2*`, `7¹` — as (value, flag).
/// `None` when `s` is not of that form (a plain number is not).
pub(crate) fn split_flag(s: &str) -> Option<(f64, String)> {
    let s = s.trim();
    for (i, _) in s.char_indices().rev() {
        let (num, flag) = s.split_at(i);
        let Some(flag) = flag_token(flag) else {
            if s.get(i..).is_some_and(|f| f.chars().count() > MAX_FLAG_CHARS) {
                break;
            }
            continue;
        };
        if let Ok(x) = num.trim().parse::<f64>()
            && x.is_finite()
        {
            return Some((x, flag));
        }
    }
    None
}

/// Parses a value written as text.
pub(crate) fn parse_number(s: &str) -> Result<f64, (Text, Text)> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(not_a_number(s)),
    }
}

fn not_a_number(s: &str) -> (Text, Text) {
    let message = text(
        format!("value \"{s}\" is not a number; use a dot for decimals and leave the cell empty (or NA) when missing"),
        format!("值 \"{s}\" 不是数字；小数点请用英文句点，缺失时留空（或填 NA）"),
    );
    let help = if s.contains(',') || s.contains('，') {
        text(
            "if the comma separates thousands, remove it (1,234 → 1234); if it is a decimal comma, write 12.3",
            "若逗号是千位分隔符，请删除（1,234 → 1234）；若是小数逗号，请写成 12.3",
        )
    } else if s.ends_with('%') {
        text("write percentages as plain numbers (12.5, not 12.5%)", "百分数请写成数值（12.5，而不是 12.5%）")
    } else if ["-", "—", "–", "——", "…", "……", "..."].contains(&s) {
        text(
            format!(
                "\"{s}\" is not read as missing because sources also use it for zero (nil) or for a value too small to show; if it marks a missing value here, leave the cell empty or write NA or ~"
            ),
            format!(
                "\"{s}\" 不按缺失处理，因为有的资料用它表示零（无）或“数据不足最小单位”；若此处表示缺失，请留空或填 NA、~"
            ),
        )
    } else if ["/", "x", "X", "N/A", "n/a", "na", "NaN", "nan"].contains(&s) {
        text(
            format!("if \"{s}\" marks a missing value, leave the cell empty or write NA or ~"),
            format!("若 \"{s}\" 表示缺失，请留空或填 NA、~"),
        )
    } else if s.to_ascii_lowercase().contains("inf") {
        text("values must be finite numbers", "数值必须是有限数")
    } else if let Some((x, flag)) = split_flag(s) {
        let x = format_number(x);
        text(
            format!(
                "\"{s}\" looks like the number {x} with the flag \"{flag}\": put flags in a `flag` column (long files), or read the sheet with format = \"yearbook\", which splits them off"
            ),
            format!(
                "\"{s}\" 像是数字 {x} 加标记 \"{flag}\"：长格式文件请把标记写在 `flag` 列；或以 format = \"yearbook\" 读取，标记会被自动分离"
            ),
        )
    } else {
        Text::default()
    };
    (message, help)
}

/// One cell with its position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell {
    pub value: CellValue,
    pub pos: CellPos,
}

/// A table read from a CSV file or a spreadsheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    /// The file as displayed.
    pub file: String,
    /// The format it was read from.
    pub format: Format,
    /// Header cells; names are trimmed text.
    pub header: Vec<Cell>,
    /// Data rows, each exactly as long as the header; blank rows are skipped.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The column names.
    pub(crate) fn names(&self) -> Vec<String> {
        self.header.iter().map(|c| c.value.code().unwrap_or_default()).collect()
    }

    /// Position of a column by name.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|c| c.value.code().as_deref() == Some(name))
    }

    /// Where a cell is: line and column, and as key the spreadsheet cell (`C7`) or the CSV
    /// column name.
    pub(crate) fn loc(&self, pos: CellPos) -> Location {
        let key = match self.format {
            Format::Xlsx | Format::Xls => Some(cell_name(pos.line, pos.column)),
            Format::Csv => self.header.get(pos.field).and_then(|h| h.value.code()).filter(|k| !k.is_empty()),
        };
        Location { file: self.file.clone(), line: Some(pos.line), column: Some(pos.column), key }
    }

    /// Where the header is.
    pub(crate) fn header_loc(&self) -> Location {
        match self.header.first() {
            Some(c) => Location { key: None, ..self.loc(c.pos) },
            None => Location::file(&self.file),
        }
    }
}

/// The spreadsheet name of a cell (`A1`) from its 1-based row and column.
pub(crate) fn cell_name(row: usize, col: usize) -> String {
    let mut letters = Vec::new();
    let mut c = col;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{row}", letters.into_iter().collect::<String>())
}

/// Reads a table. Returns the table (if the file could be read at all) and every problem found.
pub(crate) fn read_table(
    file: &str,
    bytes: &[u8],
    format: Format,
    sheet: Option<&str>,
) -> (Option<Table>, Vec<Diagnostic>) {
    let raw = match format {
        Format::Csv => read_csv(file, bytes),
        Format::Xlsx | Format::Xls => read_sheet(file, bytes, format, sheet),
    };
    match raw {
        Err(d) => (None, vec![*d]),
        Ok((header, rows, mut diags)) => {
            let table = finish(file, format, header, rows, &mut diags);
            (table, diags)
        }
    }
}

type Raw = (Vec<Cell>, Vec<Vec<Cell>>, Vec<Diagnostic>);

fn read_csv(file: &str, bytes: &[u8]) -> Result<Raw, Box<Diagnostic>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text_ =
        match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = bytes.get(..e.valid_up_to()).unwrap_or(&[]);
                let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
                let col =
                    valid.rsplit(|b| *b == b'\n').next().map_or(0, |l| String::from_utf8_lossy(l).chars().count()) + 1;
                return Err(Location { file: file.to_string(), line: Some(line), column: Some(col), key: None }.error(
                text(
                    "the file is not valid UTF-8 text (it may be saved as GBK/GB2312)",
                    "文件不是有效的 UTF-8 文本（可能以 GBK/GB2312 编码保存）",
                ),
                text(
                    "save it as \"CSV UTF-8\" (Excel: Save As → CSV UTF-8), or convert it: iconv -f GBK -t UTF-8",
                    "请另存为“CSV UTF-8”（Excel：另存为 → CSV UTF-8），或用 iconv -f GBK -t UTF-8 转换",
                ),
            ).into());
            }
        };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text_.as_bytes());
    let mut header: Option<Vec<Cell>> = None;
    let mut rows = Vec::new();
    let diags = Vec::new();
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let mut loc = Location::file(file);
                if let Some(p) = e.position() {
                    loc.line = Some(p.line() as usize);
                }
                return Err(loc
                    .error(
                        text(format!("cannot read the CSV file: {e}"), format!("无法读取 CSV 文件：{e}")),
                        text(
                            "check that quotes are balanced and the file is comma-separated",
                            "请检查引号是否成对、文件是否以逗号分隔",
                        ),
                    )
                    .into());
            }
        };
        let (line, start) = rec.position().map_or((1, 0), |p| (p.line() as usize, p.byte() as usize));
        let positions = field_positions(text_, start, line, rec.len());
        let cells: Vec<Cell> = rec
            .iter()
            .enumerate()
            .map(|(field, s)| {
                let (line, column) = positions.get(field).copied().unwrap_or((line, 1));
                let value = if s.is_empty() { CellValue::Empty } else { CellValue::Text(s.to_string()) };
                Cell { value, pos: CellPos { line, column, field } }
            })
            .collect();
        if header.is_none() {
            header = Some(cells);
        } else {
            rows.push(cells);
        }
    }
    match header {
        Some(h) => Ok((h, rows, diags)),
        None => Err(Location::file(file)
            .error(
                text("the file is empty (no header line)", "文件为空（没有表头行）"),
                text("the first line must name the columns", "第一行应为列名"),
            )
            .into()),
    }
}

/// 1-based (line, character column) of the first non-blank character of each field of the CSV
/// record starting at byte `start` on line `line`.
fn field_positions(text_: &str, start: usize, line: usize, n: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(n);
    let Some(rest) = text_.get(start..) else { return out };
    let (mut line, mut col) = (line, 1usize);
    let mut in_quotes = false;
    let mut pending = true;
    for c in rest.chars() {
        if pending && c != ' ' && c != '\t' {
            out.push((line, col));
            pending = false;
        }
        if in_quotes {
            if c == '"' {
                in_quotes = false;
            } else if c == '\n' {
                line += 1;
                col = 0;
            }
        } else if c == '"' {
            in_quotes = true;
        } else if c == ',' {
            pending = true;
        } else if c == '\n' {
            break;
        }
        col += 1;
        if out.len() >= n && !pending {
            break;
        }
    }
    out
}

/// Opens a workbook (`.xlsx` or `.xls`; the content decides when the extension is wrong) and
/// reads one sheet: `sheet`, or the first. Returns the sheet's name and its used range.
pub(crate) fn open_sheet(
    file: &str,
    bytes: &[u8],
    format: Format,
    sheet: Option<&str>,
) -> Result<(String, Range<Data>), Box<Diagnostic>> {
    let loc = Location::file(file);
    let opened: Result<Sheets<_>, String> = match format {
        Format::Xls => {
            calamine::open_workbook_from_rs::<Xls<_>, _>(Cursor::new(bytes)).map(Sheets::Xls).map_err(|e| e.to_string())
        }
        _ => calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes))
            .map(Sheets::Xlsx)
            .map_err(|e| e.to_string()),
    };
    // A workbook saved with the wrong extension is still read.
    let mut wb =
        opened.or_else(|e| calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| e)).map_err(|e| {
            let (en, zh) = if format == Format::Xls {
                ("an .xls workbook (Excel 97–2003)", ".xls 工作簿（Excel 97–2003）")
            } else {
                ("an .xlsx workbook", ".xlsx 工作簿")
            };
            loc.error(
                text(format!("cannot open the file as {en}: {e}"), format!("无法以{zh}打开该文件：{e}")),
                text(
                    "save it from Excel or WPS as .xlsx (Excel Workbook), or as CSV UTF-8",
                    "请在 Excel 或 WPS 中另存为 .xlsx（Excel 工作簿）或 CSV UTF-8",
                ),
            )
        })?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_string(),
        Some(s) => {
            return Err(loc
                .error(
                    text(format!("the workbook has no sheet \"{s}\""), format!("工作簿中没有名为 \"{s}\" 的工作表")),
                    text(
                        format!("sheets in the workbook: {}", list(&names, 20)),
                        format!("工作簿中的工作表：{}", list(&names, 20)),
                    ),
                )
                .into());
        }
        None => match names.first() {
            Some(n) => n.clone(),
            None => {
                return Err(loc
                    .error(text("the workbook has no sheets", "工作簿中没有工作表"), Text::default())
                    .into());
            }
        },
    };
    let range = wb.worksheet_range(&name).map_err(|e| {
        loc.error(
            text(format!("cannot read sheet \"{name}\": {e}"), format!("无法读取工作表 \"{name}\"：{e}")),
            Text::default(),
        )
    })?;
    Ok((name, range))
}

/// The cells of a used range, row by row, with their 1-based spreadsheet positions.
fn range_rows(range: &Range<Data>) -> Vec<Vec<Cell>> {
    let Some((r0, c0)) = range.start() else { return Vec::new() };
    range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, d)| Cell {
                    value: from_data(d),
                    pos: CellPos { line: r0 as usize + i + 1, column: c0 as usize + j + 1, field: j },
                })
                .collect()
        })
        .collect()
}

fn read_sheet(file: &str, bytes: &[u8], format: Format, sheet: Option<&str>) -> Result<Raw, Box<Diagnostic>> {
    let (name, range) = open_sheet(file, bytes, format, sheet)?;
    let mut rows = range_rows(&range).into_iter();
    let Some(header) = rows.next() else {
        return Err(Location::file(file)
            .error(
                text(format!("sheet \"{name}\" is empty"), format!("工作表 \"{name}\" 为空")),
                text("the first row must name the columns", "第一行应为列名"),
            )
            .into());
    };
    Ok((header, rows.collect(), Vec::new()))
}

/// A sheet (or CSV file) read as a plain grid of cells, for layouts that are not one header row
/// followed by records (yearbook-style sheets). Rows keep their positions; blank rows are kept.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    /// The file as displayed.
    pub file: String,
    /// The sheet read (empty for CSV files).
    pub sheet: String,
    /// The format it was read from.
    pub format: Format,
    /// The rows of the used range (CSV: every line that is not a comment).
    pub rows: Vec<Vec<Cell>>,
}

impl Grid {
    /// Where a cell is: row and column, and as key the cell (`人口!C7`) or, for CSV files,
    /// `line:column`.
    pub(crate) fn loc(&self, pos: CellPos) -> Location {
        let key = match self.format {
            Format::Csv => None,
            Format::Xlsx | Format::Xls => Some(sheet_cell(&self.sheet, pos.line, pos.column)),
        };
        Location { file: self.file.clone(), line: Some(pos.line), column: Some(pos.column), key }
    }
}

/// A cell reference with its sheet, as Excel writes it: `人口!C7`, `'Sheet 1'!C7`.
pub(crate) fn sheet_cell(sheet: &str, row: usize, col: usize) -> String {
    let cell = cell_name(row, col);
    if sheet.is_empty() {
        cell
    } else if sheet.chars().any(|c| c.is_whitespace() || "!'-+(),;".contains(c)) {
        format!("'{}'!{cell}", sheet.replace('\'', "''"))
    } else {
        format!("{sheet}!{cell}")
    }
}

/// Reads a file as a [`Grid`].
pub(crate) fn read_grid(
    file: &str,
    bytes: &[u8],
    format: Format,
    sheet: Option<&str>,
) -> Result<Grid, Box<Diagnostic>> {
    match format {
        Format::Csv => {
            let (header, mut rows, _) = read_csv(file, bytes)?;
            rows.insert(0, header);
            Ok(Grid { file: file.to_string(), sheet: String::new(), format, rows })
        }
        Format::Xlsx | Format::Xls => {
            let (name, range) = open_sheet(file, bytes, format, sheet)?;
            Ok(Grid { file: file.to_string(), sheet: name, format, rows: range_rows(&range) })
        }
    }
}

fn from_data(d: &Data) -> CellValue {
    match d {
        Data::Empty => CellValue::Empty,
        Data::Int(i) => CellValue::Number(*i as f64),
        Data::Float(x) => CellValue::Number(*x),
        Data::String(s) => {
            let s = s.trim();
            if s.is_empty() { CellValue::Empty } else { CellValue::Text(s.to_string()) }
        }
        Data::Bool(b) => CellValue::Other {
            shown: if *b { "TRUE".into() } else { "FALSE".into() },
            what: text("a boolean", "布尔值"),
        },
        Data::DateTime(x) => CellValue::Other { shown: x.to_string(), what: text("a date/time", "日期/时间") },
        Data::DateTimeIso(s) | Data::DurationIso(s) => {
            CellValue::Other { shown: s.clone(), what: text("a date/time", "日期/时间") }
        }
        Data::Error(e) => CellValue::Other { shown: e.to_string(), what: text("an Excel error", "Excel 错误值") },
    }
}

/// Drops padding columns (no name, no values) and blank rows, checks the header and the row
/// lengths.
fn finish(
    file: &str,
    format: Format,
    header: Vec<Cell>,
    rows: Vec<Vec<Cell>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Table> {
    let mut table = Table { file: file.to_string(), format, header, rows: Vec::new() };
    let width = table.header.len();
    let mut ok_rows = Vec::with_capacity(rows.len());
    for row in rows {
        if row.iter().all(|c| c.value == CellValue::Empty) {
            continue;
        }
        // Missing trailing cells are fine under unnamed (padding) columns.
        let named = table.header.iter().rposition(|h| h.value != CellValue::Empty).map_or(0, |j| j + 1);
        if row.len() < named {
            let line = row.first().map_or(0, |c| c.pos.line);
            diags.push(Location { file: file.to_string(), line: Some(line), column: None, key: None }.error(
                text(
                    format!("line {line} has {} values but the header has {named} columns", row.len()),
                    format!("第 {line} 行有 {} 个值，但表头有 {named} 列", row.len()),
                ),
                text(
                    "add the missing commas so that every line has one value per column (empty for missing)",
                    "请补齐逗号，使每行的值与列一一对应（缺失留空）",
                ),
            ));
            continue;
        }
        if let Some(extra) = row.iter().skip(width).find(|c| c.value != CellValue::Empty) {
            diags.push(table.loc(extra.pos).error(
                text(
                    format!("line {} has more values than the header has columns ({width})", extra.pos.line),
                    format!("第 {} 行的值多于表头的列数（{width}）", extra.pos.line),
                ),
                text(
                    "quote values that contain commas, or add a name for the extra column to the header",
                    "含逗号的值请加引号，或在表头中为多出的列命名",
                ),
            ));
            continue;
        }
        let mut row = row;
        row.truncate(width);
        while row.len() < width {
            let last = row.last().map_or(CellPos { line: 0, column: 1, field: 0 }, |c| c.pos);
            let field = row.len();
            row.push(Cell {
                value: CellValue::Empty,
                pos: CellPos { line: last.line, column: last.column + 1, field },
            });
        }
        ok_rows.push(row);
    }
    // Columns without a name: padding if empty, an error otherwise.
    let mut keep = vec![true; width];
    let mut ok = true;
    for (j, h) in table.header.iter().enumerate() {
        if h.value != CellValue::Empty {
            continue;
        }
        match ok_rows.iter().filter_map(|r| r.get(j)).find(|c| c.value != CellValue::Empty) {
            None => keep[j] = false,
            Some(c) => {
                ok = false;
                diags.push(table.loc(h.pos).error(
                    text(
                        format!("column {} has no name in the header but has values (e.g. line {})", j + 1, c.pos.line),
                        format!("第 {} 列在表头中没有列名，但有数值（如第 {} 行）", j + 1, c.pos.line),
                    ),
                    text("name the column in the header, or delete it", "请在表头中为该列命名，或删除该列"),
                ));
            }
        }
    }
    // Duplicate names.
    let names = table.names();
    for (j, n) in names.iter().enumerate() {
        if n.is_empty() {
            continue;
        }
        if let Some(first) = names.get(..j).and_then(|s| s.iter().position(|m| m == n)) {
            ok = false;
            let first_loc = table.header.get(first).map(|c| table.loc(c.pos).describe()).unwrap_or_default();
            if let Some(h) = table.header.get(j) {
                diags.push(table.loc(h.pos).error(
                    text(
                        format!("column \"{n}\" appears twice in the header (first at {first_loc})"),
                        format!("列名 \"{n}\" 在表头中出现两次（第一次在 {first_loc}）"),
                    ),
                    text("rename or delete one of the two columns", "请重命名或删除其中一列"),
                ));
            }
        }
    }
    if !ok {
        return None;
    }
    fn kept(cells: Vec<Cell>, keep: &[bool]) -> Vec<Cell> {
        cells.into_iter().enumerate().filter(|(j, _)| keep.get(*j).copied().unwrap_or(false)).map(|(_, c)| c).collect()
    }
    table.header = kept(std::mem::take(&mut table.header), &keep);
    table.rows = ok_rows.into_iter().map(|r| kept(r, &keep)).collect();
    Some(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(7, 3), "C7");
        assert_eq!(cell_name(1, 26), "Z1");
        assert_eq!(cell_name(2, 27), "AA2");
        assert_eq!(cell_name(2, 703), "AAA2");
    }

    #[test]
    fn whole_numbers_have_no_fraction() {
        assert_eq!(format_number(2023.0), "2023");
        assert_eq!(format_number(-4.0), "-4");
        assert_eq!(format_number(2.5), "2.5");
    }

    #[test]
    fn numbers_missing_and_errors() {
        assert!(CellValue::Empty.number().unwrap().is_nan());
        assert!(CellValue::Text("NA".into()).number().unwrap().is_nan());
        assert_eq!(CellValue::Text("1e3".into()).number().unwrap(), 1000.0);
        let (m, h) = CellValue::Text("12,3".into()).number().unwrap_err();
        assert!(m.en.contains("\"12,3\" is not a number; use a dot for decimals"), "{}", m.en);
        assert!(h.en.contains("thousands"));
        assert!(CellValue::Text("inf".into()).number().is_err());
        assert!(CellValue::Text("NaN".into()).number().is_err());
    }

    #[test]
    fn missing_markers() {
        for m in ["NA", "~", "～", ".."] {
            assert!(CellValue::Text(m.into()).number().unwrap().is_nan(), "{m}");
        }
        // `-`, `—` and `…` may mean zero or "too small to show": errors, with a help saying so.
        for m in ["-", "—", "…"] {
            let (_, h) = CellValue::Text(m.into()).number().unwrap_err();
            assert!(h.en.contains("zero (nil)") && h.zh.contains("零"), "{m}: {}", h.en);
        }
    }

    #[test]
    fn flags_split_off_numbers() {
        assert_eq!(split_flag("28089.69r"), Some((28089.69, "r".into())));
        assert_eq!(split_flag("123.4 p"), Some((123.4, "p".into())));
        assert_eq!(split_flag("5.2*"), Some((5.2, "*".into())));
        assert_eq!(split_flag("7¹"), Some((7.0, "1".into())));
        assert_eq!(split_flag("752.79ᵖ"), Some((752.79, "p".into())));
        assert_eq!(split_flag("12.5E"), Some((12.5, "E".into())));
        assert_eq!(split_flag("-3ab"), Some((-3.0, "ab".into())));
        assert_eq!(split_flag("12abcd"), None);
        assert_eq!(split_flag("12"), None);
        assert_eq!(split_flag("r"), None);
        assert_eq!(split_flag("NaNr"), None);
        assert_eq!(split_flag("12,3r"), None);
        assert_eq!(flag_token(" r "), Some("r".into()));
        assert_eq!(flag_token("ʳ"), Some("r".into()));
        assert_eq!(flag_token("12"), None);
        assert_eq!(flag_token("~"), None);
        assert_eq!(flag_token("stray"), None);
        // In a long file, such a value is an error whose help points to the `flag` column.
        let (_, h) = CellValue::Text("28089.69r".into()).number().unwrap_err();
        assert!(h.en.contains("`flag` column"), "{}", h.en);
    }

    #[test]
    fn sheet_cell_names() {
        assert_eq!(sheet_cell("人口", 7, 3), "人口!C7");
        assert_eq!(sheet_cell("Sheet 1", 1, 1), "'Sheet 1'!A1");
        assert_eq!(sheet_cell("", 2, 2), "B2");
    }

    #[test]
    fn csv_positions_comments_quotes_and_padding() {
        let src = "# a comment\nunit , period,value,\nSZ, 2023 ,\"1,5\",\n\n,,,\nGZ,2023,  7,\n";
        let (t, d) = read_table("d.csv", src.as_bytes(), Format::Csv, None);
        assert!(d.is_empty(), "{d:?}");
        let t = t.unwrap();
        assert_eq!(t.names(), ["unit", "period", "value"]);
        assert_eq!(t.rows.len(), 2);
        let c = &t.rows[0][2];
        assert_eq!(c.value, CellValue::Text("1,5".into()));
        assert_eq!((c.pos.line, c.pos.column), (3, 11));
        assert_eq!(t.rows[0][1].pos.column, 5);
        let c = &t.rows[1][2];
        assert_eq!((c.pos.line, c.pos.column), (6, 11));
        assert_eq!(t.loc(c.pos).key.as_deref(), Some("value"));
    }

    #[test]
    fn csv_ragged_rows_and_bad_header() {
        let (t, d) = read_table("d.csv", b"a,b\n1\n1,2,3\n", Format::Csv, None);
        assert_eq!(t.unwrap().rows.len(), 0);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].line, Some(2));
        assert_eq!((d[1].line, d[1].column), (Some(3), Some(5)));
        let (t, d) = read_table("d.csv", b"a,a,\n1,2,3\n", Format::Csv, None);
        assert!(t.is_none());
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn csv_not_utf8() {
        let (t, d) = read_table("d.csv", b"unit\n\xc9\xee\xdb\xda\n", Format::Csv, None);
        assert!(t.is_none());
        assert_eq!(d[0].line, Some(2));
        assert!(d[0].message.en.contains("GBK"));
    }
}
