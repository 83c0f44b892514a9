//! `format = "yearbook"`: one indicator laid out as a statistical yearbook prints it — title
//! rows, a header row of cities (or years), one row per year (or city), flags beside or stuck
//! to the numbers, `~` for "not available", and footnotes below.
//!
//! ```text
//!  A          B        C   D        E   …            row
//!  粤港澳大湾区城市本地生产总值                         2   title: ignored (above the header)
//!                                        亿元人民币    3   unit line: ignored
//!  年         广州         深圳      …  香港特区       4   header row: units (or periods)
//!  1999       2056.74      1436.03   …  12859.46       5   data rows: the key column holds
//!  2022       28833.06     32480.71  …  28089.69  r    28   the period (or the unit)
//!  2024       31032.5      ~         …                 30   `~` = missing
//!  r   修订数字                                         33   footnotes: key is not a period
//! ```
//!
//! The rules, in order:
//! 1. The header row is `header_row`, or the first row naming at least two units
//!    (`years_in_rows`) or two periods (`years_in_columns`); `orientation` is given or follows
//!    from which of the two the header names.
//! 2. The key column is the leftmost column with a cell in or below the header row.
//! 3. Each labelled header cell right of it is a value column. A unit label matches a unit
//!    through `unit_names`, then by code or by its Chinese or English name, then when exactly one
//!    unit name begins the label (`香港特区` → 香港). Only the label's first line counts, without a
//!    trailing parenthesis (`香港特区\n(亿港元)`, `澳门（澳门元）`); spaces are ignored (`广　州`). A
//!    period label is a year (`2023`, `2023年`), possibly with a sub-period (`2023Q1`, `2023H2`,
//!    `2023-24`). Labels listed in `skip` are ignored with their column. Any other label is an
//!    error.
//! 4. A column without a header label belongs to the value column on its left: a flag there
//!    (`r`, `p`, `*`, `¹`) is a note on that value; any other content is a stray cell: a warning,
//!    and it is not used.
//! 5. Rows below the header whose key cell is a period (or unit) are data. A row whose key cell is
//!    something else is a footnote and is ignored — unless it holds numbers in the value columns,
//!    which is an error (an unrecognised year or city would otherwise be lost silently). A row
//!    without a key holding anything is reported as stray.
//! 6. A value cell is a number, empty or a missing marker (`~`, `NA`, `..`), or a number with a
//!    flag stuck to it (`28089.69r`, `123.4 p`, `7¹`). Anything else is an error naming the
//!    sheet and cell.

use baydex_core::Text;
use toml::de::DeValue;

use super::super::doc::{Doc, STRING, Tbl, as_number};
use super::{Current, Store, UnitDecl, unknown_code_help};
use crate::diag::{Location, closest, list, text};
use crate::table::{Cell, CellPos, CellValue, Grid, cell_name, flag_token, format_number, split_flag};

/// Which way the years run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Orientation {
    /// One row per year, one column per unit (the GBA tables).
    YearsInRows,
    /// One row per unit, one column per year.
    YearsInColumns,
}

/// The parameters of one `format = "yearbook"` entry, checked.
pub(super) struct Spec {
    /// The column (indicator or series) the whole sheet holds.
    code: usize,
    /// 1-based row of the header, when given.
    header_row: Option<usize>,
    orientation: Option<Orientation>,
    /// Header or row labels mapped to units (by position in the project).
    unit_names: Vec<(String, usize)>,
    /// Labels of columns and rows to ignore.
    skip: Vec<String>,
}

/// Reads and checks the yearbook keys of a `[[data]]` entry. `None` when one is wrong (each
/// problem is reported).
pub(super) fn parse_spec(doc: &mut Doc<'_>, e: &Tbl<'_, '_>, store: &Store<'_>, units: &[UnitDecl]) -> Option<Spec> {
    let mut ok = true;
    let code = match e.string(doc, "indicator", false) {
        None => {
            if e.get("indicator").is_none() {
                doc.error(
                    &e.span,
                    Some(e.key("indicator")),
                    text(
                        "a yearbook sheet holds one indicator, and `indicator` does not say which",
                        "年鉴式表格只含一个指标，但未用 `indicator` 指明是哪一个",
                    ),
                    text(
                        format!(
                            "add indicator = \"CODE\" (an [[indicator]] or [[series]] code); codes: {}",
                            list(&store.cols.codes, 20)
                        ),
                        format!(
                            "请添加 indicator = \"代码\"（[[indicator]] 或 [[series]] 的代码）；现有代码：{}",
                            list(&store.cols.codes, 20)
                        ),
                    ),
                );
            }
            ok = false;
            0
        }
        Some(c) => match store.col_index.get(c.as_str()) {
            Some(&i) => i,
            None => {
                doc.error(
                    &e.span_of("indicator"),
                    Some(e.key("indicator")),
                    text(
                        format!("'{c}' is neither an indicator nor a [[series]]"),
                        format!("'{c}' 既不是指标也不是 [[series]] 辅助序列"),
                    ),
                    unknown_code_help(&c, store.cols),
                );
                ok = false;
                0
            }
        },
    };
    let header_row = match e.number(doc, "header_row") {
        None => {
            ok &= e.get("header_row").is_none();
            None
        }
        Some(x) if x >= 1.0 && x.fract() == 0.0 && x <= 1_048_576.0 => Some(x as usize),
        Some(x) => {
            doc.error(
                &e.span_of("header_row"),
                Some(e.key("header_row")),
                text(
                    format!("`header_row` must be a row number (1, 2, …), got {x}"),
                    format!("`header_row` 应为行号（1、2、…），实际为 {x}"),
                ),
                text(
                    "give the spreadsheet row of the city (or year) names, as Excel numbers it",
                    "请填写城市名（或年份）所在的行号（按 Excel 的行号）",
                ),
            );
            ok = false;
            None
        }
    };
    let orientation = match e.string(doc, "orientation", false).as_deref() {
        None => {
            ok &= e.get("orientation").is_none();
            None
        }
        Some("years_in_rows") => Some(Orientation::YearsInRows),
        Some("years_in_columns") => Some(Orientation::YearsInColumns),
        Some(other) => {
            doc.error(
                &e.span_of("orientation"),
                Some(e.key("orientation")),
                text(format!("unknown orientation \"{other}\""), format!("未知的方向 \"{other}\"")),
                text(
                    "use \"years_in_rows\" (one row per year, one column per unit) or \"years_in_columns\" (one row per unit, one column per year)",
                    "请用 \"years_in_rows\"（每年一行、每个单元一列）或 \"years_in_columns\"（每个单元一行、每年一列）",
                ),
            );
            ok = false;
            None
        }
    };
    let mut unit_names = Vec::new();
    if let Some(t) = e.table(doc, "unit_names") {
        let codes: Vec<&str> = units.iter().map(|u| u.unit.code.as_str()).collect();
        for (k, v) in t.t.iter() {
            let label = k.get_ref().to_string();
            let key = t.key(&label);
            let DeValue::String(code) = v.get_ref() else {
                doc.wrong_type(v, &key, STRING);
                ok = false;
                continue;
            };
            match units.iter().position(|u| u.unit.code == code.as_ref()) {
                Some(u) => unit_names.push((label, u)),
                None => {
                    let help = match closest(code, codes.iter().copied()) {
                        Some(c) => text(format!("did you mean '{c}'?"), format!("是否应为 '{c}'？")),
                        None => text(
                            format!("map each label to a unit code declared in [units]: {}", list(&codes, 20)),
                            format!("请把每个标签对应到 [units] 中声明的单元代码：{}", list(&codes, 20)),
                        ),
                    };
                    doc.error(
                        &v.span(),
                        Some(key),
                        text(
                            format!("unit '{code}' is not declared in [units]"),
                            format!("单元 '{code}' 未在 [units] 中声明"),
                        ),
                        help,
                    );
                    ok = false;
                }
            }
        }
    } else {
        ok &= e.get("unit_names").is_none();
    }
    let mut skip = Vec::new();
    if let Some(a) = e.array(doc, "skip") {
        for (n, item) in a.iter().enumerate() {
            match item.get_ref() {
                DeValue::String(s) => skip.push(s.to_string()),
                _ => match as_number(item.get_ref()) {
                    // A year written without quotes.
                    Some(x) => skip.push(format_number(x)),
                    None => {
                        doc.wrong_type(item, &format!("{}[{}]", e.key("skip"), n + 1), STRING);
                        ok = false;
                    }
                },
            }
        }
    } else {
        ok &= e.get("skip").is_none();
    }
    ok.then_some(Spec { code, header_row, orientation, unit_names, skip })
}

/// A label without spaces, lower-cased, for matching.
fn norm(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// The first line of a label, without a trailing parenthesis: `香港特区\n(亿港元)` → `香港特区`.
fn clean(s: &str) -> &str {
    let first = s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    match first.find(['(', '（']) {
        Some(i) if i > 0 => first.get(..i).unwrap_or(first).trim(),
        _ => first,
    }
}

/// A period label: a year — a whole number from 1000 to 9999, or text such as `2023` or
/// `2023年` — or a year followed by a sub-period: `Q`, `H`, `M`, `-`, `/` or `.` and one to four
/// digits (`2023Q1`, `2023H2`, `2023-24`). Anything else (`2024p`, `2017年起…`) is not a period.
fn period_of(v: &CellValue) -> Option<String> {
    match v {
        CellValue::Number(x) if x.fract() == 0.0 && (1000.0..=9999.0).contains(x) => Some(format_number(*x)),
        CellValue::Text(s) => {
            let t = s.trim();
            let t = t.strip_suffix('年').unwrap_or(t).trim();
            let (year, rest) = (t.get(..4)?, t.get(4..)?);
            if !year.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let mut rest_chars = rest.chars();
            let ok = match rest_chars.next() {
                None => true,
                Some(c) if "QHM-/.".contains(c) => {
                    let digits = rest_chars.as_str();
                    (1..=4).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
                }
                Some(_) => false,
            };
            ok.then(|| t.to_string())
        }
        _ => None,
    }
}

/// Matches labels against the units and the `skip` list.
struct Labels<'a> {
    units: &'a [UnitDecl],
    spec: &'a Spec,
}

impl Labels<'_> {
    fn text(v: &CellValue) -> Option<String> {
        match v {
            CellValue::Empty => None,
            _ => v.code(),
        }
    }

    fn skipped(&self, v: &CellValue) -> bool {
        let Some(s) = Self::text(v) else { return false };
        let (full, short) = (norm(&s), norm(clean(&s)));
        self.spec.skip.iter().any(|k| {
            let k = norm(k);
            k == full || k == short
        })
    }

    fn unit(&self, v: &CellValue) -> Option<usize> {
        let s = Self::text(v)?;
        let (full, short) = (norm(&s), norm(clean(&s)));
        if short.is_empty() {
            return None;
        }
        if let Some((_, u)) = self.spec.unit_names.iter().find(|(l, _)| {
            let l = norm(l);
            l == full || l == short
        }) {
            return Some(*u);
        }
        let names = |u: &UnitDecl| {
            [norm(&u.unit.code), norm(&u.unit.name.zh), norm(&u.unit.name.en)].into_iter().filter(|n| !n.is_empty())
        };
        if let Some(u) = self.units.iter().position(|u| names(u).any(|n| n == short)) {
            return Some(u);
        }
        let prefixed: Vec<usize> = self
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| names(u).skip(1).any(|n| n.chars().count() >= 2 && short.starts_with(&n)))
            .map(|(i, _)| i)
            .collect();
        match prefixed.as_slice() {
            [u] => Some(*u),
            _ => None,
        }
    }

    /// `GZ (广州, Guangzhou), …` for help texts.
    fn unit_list(&self) -> String {
        let all: Vec<String> = self
            .units
            .iter()
            .map(|u| {
                let mut names = vec![u.unit.name.zh.clone(), u.unit.name.en.clone()];
                names.retain(|n| !n.is_empty() && *n != u.unit.code);
                names.dedup();
                if names.is_empty() { u.unit.code.clone() } else { format!("{} ({})", u.unit.code, names.join(", ")) }
            })
            .collect();
        list(&all, 20)
    }
}

/// What a column of the table is.
#[derive(Debug, Clone, PartialEq)]
enum Col {
    /// Left of the key column (nothing is there), or the key column itself.
    Key,
    /// A value column: its unit (years in rows) or its period (years in columns).
    Unit(usize),
    Period(String),
    /// A column listed in `skip`, or whose label is wrong (reported once), with the unlabelled
    /// columns on its right.
    Ignored,
    /// A column without a label right of a value column: flags of that value column.
    Side,
    /// A column without a label and without a value column on its left: stray.
    Stray,
}

/// A cell's content for messages: a number as written, text in quotes (shortened).
fn shown(v: &CellValue) -> String {
    match v {
        CellValue::Number(x) => format_number(*x),
        _ => {
            let s = v.code().unwrap_or_default();
            let short: String = s.chars().take(24).collect();
            if short.len() < s.len() { format!("\"{short}…\"") } else { format!("\"{s}\"") }
        }
    }
}

/// Reads a yearbook sheet into the store. Returns false when its layout cannot be made out.
pub(super) fn read(store: &mut Store<'_>, cur: &mut Current<'_>, g: &Grid, spec: &Spec, units: &[UnitDecl]) -> bool {
    let labels = Labels { units, spec };
    let sheet_loc = || Location { key: (!g.sheet.is_empty()).then(|| g.sheet.clone()), ..Location::file(&g.file) };
    let count = |row: &[Cell], o: Orientation| {
        row.iter()
            .filter(|c| match o {
                Orientation::YearsInRows => labels.unit(&c.value).is_some(),
                Orientation::YearsInColumns => period_of(&c.value).is_some(),
            })
            .count()
    };
    // 1. The header row and the orientation.
    let found = match spec.header_row {
        Some(h) => match g.rows.iter().position(|r| r.first().is_some_and(|c| c.pos.line == h)) {
            Some(i) => Some(i),
            None => {
                let (first, last) = (
                    g.rows.first().and_then(|r| r.first()).map_or(0, |c| c.pos.line),
                    g.rows.last().and_then(|r| r.first()).map_or(0, |c| c.pos.line),
                );
                store.diags.push(sheet_loc().error(
                    text(
                        format!("header_row = {h}, but the sheet's cells are in rows {first}–{last}"),
                        format!("header_row = {h}，但工作表的内容位于第 {first}–{last} 行"),
                    ),
                    text(
                        "give the row of the city (or year) names, as Excel numbers it",
                        "请填写城市名（或年份）所在的行号（按 Excel 的行号）",
                    ),
                ));
                return false;
            }
        },
        None => g.rows.iter().position(|r| {
            let o = spec.orientation;
            (o != Some(Orientation::YearsInColumns) && count(r, Orientation::YearsInRows) >= 2)
                || (o != Some(Orientation::YearsInRows) && count(r, Orientation::YearsInColumns) >= 2)
        }),
    };
    let Some(hi) = found else {
        store.diags.push(sheet_loc().error(
            text(
                "cannot find the header row: no row names two or more declared units (years in rows) or two or more years (years in columns)",
                "找不到表头行：没有一行列出两个以上已声明的单元（每年一行）或两个以上年份（每个单元一行）",
            ),
            text(
                format!(
                    "set header_row = N (the row with the city names or the years); check that the headers match the units' names in [units] or map them with unit_names = {{ \"香港特区\" = \"HK\" }}; units: {}",
                    labels.unit_list()
                ),
                format!(
                    "请设置 header_row = N（城市名或年份所在的行）；并检查表头是否与 [units] 中的单元名称一致，或用 unit_names = {{ \"香港特区\" = \"HK\" }} 对应；单元：{}",
                    labels.unit_list()
                ),
            ),
        ));
        return false;
    };
    let header = &g.rows[hi];
    let orientation = spec.orientation.unwrap_or_else(|| {
        if count(header, Orientation::YearsInRows) >= count(header, Orientation::YearsInColumns) {
            Orientation::YearsInRows
        } else {
            Orientation::YearsInColumns
        }
    });
    // 2. The key column: the leftmost column with content in or below the header.
    let Some(kf) = g.rows[hi..].iter().filter_map(|r| r.iter().position(|c| c.value != CellValue::Empty)).min() else {
        return false;
    };
    // 3.–4. What each column is.
    let mut cols = vec![Col::Key; header.len()];
    let mut side = Col::Stray;
    let mut seen: Vec<(Col, CellPos)> = Vec::new();
    let mut ok = true;
    for (j, h) in header.iter().enumerate().skip(kf + 1) {
        if h.value == CellValue::Empty {
            cols[j] = side.clone();
            continue;
        }
        let label = Labels::text(&h.value).unwrap_or_default();
        let col = if labels.skipped(&h.value) {
            Col::Ignored
        } else {
            let matched = match orientation {
                Orientation::YearsInRows => labels.unit(&h.value).map(Col::Unit),
                Orientation::YearsInColumns => period_of(&h.value).map(Col::Period),
            };
            match matched {
                Some(c) => c,
                None => {
                    ok = false;
                    let (en, zh, help) = match orientation {
                        Orientation::YearsInRows => (
                            "is not a declared unit",
                            "不是已声明的单元",
                            text(
                                format!(
                                    "map it to a unit: unit_names = {{ \"{0}\" = \"CODE\" }}, or ignore the column: skip = [\"{0}\"]; units: {1}",
                                    clean(&label),
                                    labels.unit_list()
                                ),
                                format!(
                                    "请对应到单元：unit_names = {{ \"{0}\" = \"代码\" }}，或忽略此列：skip = [\"{0}\"]；单元：{1}",
                                    clean(&label),
                                    labels.unit_list()
                                ),
                            ),
                        ),
                        Orientation::YearsInColumns => (
                            "is not a period (a year such as 2023 or 2023年)",
                            "不是期间（如 2023 或 2023年）",
                            text(
                                format!("ignore the column with skip = [\"{}\"], or correct the year", clean(&label)),
                                format!("可用 skip = [\"{}\"] 忽略此列，或更正年份", clean(&label)),
                            ),
                        ),
                    };
                    store.cell_error(
                        cur,
                        h.pos,
                        text(
                            format!("the column header \"{}\" {en}", label.replace('\n', " ")),
                            format!("列标题 \"{}\" {zh}", label.replace('\n', " ")),
                        ),
                        help,
                    );
                    Col::Ignored
                }
            }
        };
        let col = match seen.iter().find(|(c, _)| *c == col && col != Col::Ignored) {
            Some((_, first)) => {
                ok = false;
                let first = g.loc(*first).describe();
                store.cell_error(
                    cur,
                    h.pos,
                    text(
                        format!(
                            "the column header \"{}\" names the same unit or period as {first}",
                            label.replace('\n', " ")
                        ),
                        format!("列标题 \"{}\" 与 {first} 指向同一单元或期间", label.replace('\n', " ")),
                    ),
                    text(
                        "each unit (or period) may have one column; remove one or list it in skip",
                        "每个单元（或期间）只能有一列；请删除其一，或将其列入 skip",
                    ),
                );
                Col::Ignored
            }
            None => col,
        };
        if matches!(col, Col::Unit(_) | Col::Period(_)) {
            seen.push((col.clone(), h.pos));
            side = Col::Side;
        } else {
            side = Col::Ignored;
        }
        cols[j] = col;
    }
    // 5.–6. The rows below the header.
    for row in g.rows.iter().skip(hi + 1) {
        let Some(key) = row.get(kf) else { continue };
        let has_numbers = || {
            row.iter().zip(&cols).any(|(c, k)| {
                matches!(k, Col::Unit(_) | Col::Period(_))
                    && match &c.value {
                        CellValue::Number(_) => true,
                        CellValue::Text(s) => s.parse::<f64>().is_ok() || split_flag(s).is_some(),
                        _ => false,
                    }
            })
        };
        if key.value == CellValue::Empty {
            for c in row.iter().filter(|c| c.value != CellValue::Empty) {
                let what = shown(&c.value);
                store.cell_warning(
                    cur,
                    c.pos,
                    text(
                        format!("the cell holds {what} in a row without a {}; it is not used", key_word(orientation).0),
                        format!("该单元格的内容 {what} 所在行没有{}；未使用", key_word(orientation).1),
                    ),
                    stray_help(),
                );
            }
            continue;
        }
        if labels.skipped(&key.value) {
            continue;
        }
        let (row_unit, row_period) = match orientation {
            Orientation::YearsInRows => (None, period_of(&key.value)),
            Orientation::YearsInColumns => (labels.unit(&key.value), None),
        };
        if row_unit.is_none() && row_period.is_none() {
            if has_numbers() {
                ok = false;
                let label = Labels::text(&key.value).unwrap_or_default();
                let help = match orientation {
                    Orientation::YearsInRows => text(
                        format!(
                            "write the period as a year (2023 or 2023年); if the row is not data, ignore it with skip = [\"{label}\"]"
                        ),
                        format!("请把期间写成年份（2023 或 2023年）；若该行不是数据，可用 skip = [\"{label}\"] 忽略"),
                    ),
                    Orientation::YearsInColumns => text(
                        format!(
                            "map it to a unit: unit_names = {{ \"{label}\" = \"CODE\" }}, or ignore the row: skip = [\"{label}\"]; units: {}",
                            labels.unit_list()
                        ),
                        format!(
                            "请对应到单元：unit_names = {{ \"{label}\" = \"代码\" }}，或忽略此行：skip = [\"{label}\"]；单元：{}",
                            labels.unit_list()
                        ),
                    ),
                };
                let (en, zh) = key_word(orientation);
                store.cell_error(
                    cur,
                    key.pos,
                    text(
                        format!("row {} holds numbers, but its first cell \"{label}\" is not a {en}", key.pos.line),
                        format!("第 {} 行有数值，但其首个单元格 \"{label}\" 不是{zh}", key.pos.line),
                    ),
                    help,
                );
            }
            // Otherwise a footnote.
            continue;
        }
        let code = spec.code;
        // The value cell on the left of the current one: (unit, period, value, where), or None
        // when it could not be read (its error is reported; flags beside it are then ignored).
        let mut last: Option<(usize, String, f64, CellPos)> = None;
        let mut last_failed = false;
        for (j, c) in row.iter().enumerate() {
            let Some(kind) = cols.get(j) else { continue };
            let (u, period) = match (kind, row_unit, &row_period) {
                (Col::Unit(u), _, Some(p)) => (*u, p.clone()),
                (Col::Period(p), Some(u), _) => (u, p.clone()),
                (Col::Side, _, _) if !last_failed => {
                    side_cell(store, cur, c, code, last.as_ref());
                    continue;
                }
                (Col::Stray, _, _) => {
                    side_cell(store, cur, c, code, None);
                    continue;
                }
                _ => continue,
            };
            let value = match c.value.number() {
                Ok(x) => Some((x, None)),
                Err((m, h)) => match &c.value {
                    CellValue::Text(s) => match split_flag(s) {
                        Some((x, f)) => Some((x, Some(f))),
                        None => {
                            store.cell_error(cur, c.pos, m, h);
                            None
                        }
                    },
                    _ => {
                        store.cell_error(cur, c.pos, m, h);
                        None
                    }
                },
            };
            match value {
                Some((x, flag)) => {
                    store.record(cur, u, &period, code, x, c.pos);
                    if let Some(f) = flag {
                        store.flag(cur, c.pos, (u, &period, code), &f, x);
                    }
                    last = Some((u, period, x, c.pos));
                    last_failed = false;
                }
                None => {
                    store.tried(u, &period, code);
                    last = None;
                    last_failed = true;
                }
            }
        }
    }
    ok
}

/// The word for a row's key in messages.
fn key_word(o: Orientation) -> (&'static str, &'static str) {
    match o {
        Orientation::YearsInRows => ("period", "期间"),
        Orientation::YearsInColumns => ("declared unit", "已声明的单元"),
    }
}

fn stray_help() -> Text {
    text(
        "if it is a leftover, delete it; if it is a value, move it into its row and column",
        "若为残留内容，请删除；若是数值，请移到对应的行和列",
    )
}

/// A cell in a column without a header label: a flag of the value cell on its left (`owner`:
/// unit, period, value, position), or a stray cell.
fn side_cell(
    store: &mut Store<'_>,
    cur: &mut Current<'_>,
    c: &Cell,
    code: usize,
    owner: Option<&(usize, String, f64, CellPos)>,
) {
    if c.value == CellValue::Empty {
        return;
    }
    if let (Some((u, period, x, _)), CellValue::Text(s)) = (owner, &c.value)
        && let Some(flag) = flag_token(s)
    {
        store.flag(cur, c.pos, (*u, period, code), &flag, *x);
        return;
    }
    let what = shown(&c.value);
    let (en, zh) = match owner {
        Some((u, period, _, pos)) => {
            let beside = cell_name(pos.line, pos.column);
            let unit = store.unit_code(*u);
            (
                format!(
                    "the cell holds {what}, outside the table's value columns (beside {beside}: unit '{unit}', period {period}); it is not used"
                ),
                format!(
                    "该单元格的内容 {what} 位于表格的数值列之外（在 {beside} 旁：单元 '{unit}'、期间 {period}）；未使用"
                ),
            )
        }
        None => (
            format!("the cell holds {what}, outside the table's value columns; it is not used"),
            format!("该单元格的内容 {what} 位于表格的数值列之外；未使用"),
        ),
    };
    store.cell_warning(cur, c.pos, text(en, zh), stray_help());
}
