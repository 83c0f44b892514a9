//! `[[data]]` entries with `sql`: the rows an SQL query over the data catalog returned (run by
//! `project/sql.rs` before the data are read) merged like the rows of a long data file. Units
//! not in `[units]` are errors naming them; units and periods the query does not return are
//! missing values (the pipeline's `impute` step may fill them); a NULL value is missing.

use std::collections::HashSet;

use baydex_core::Text;

use super::{Current, Flags, MAX_ERRORS_PER_FILE, Origin, Store, unknown_code_help};
use crate::diag::{Location, list, text};
use crate::project::Loader;
use crate::project::doc::{STRING, Tbl};
use crate::table::{CellPos, format_number};

/// The keys of a `[[data]]` entry with `sql`.
const SQL_KEYS: &[&str] = &["sql", "indicator"];

/// Where the rows of a query are: the `sql` key of the project file; `CellPos::line` is the
/// 1-based row of the result.
pub(super) struct SqlOrigin {
    pub file: String,
    line: usize,
    column: usize,
    /// `data[N].sql`.
    key: String,
}

impl SqlOrigin {
    /// The `sql` key, with the row of the result: `data[2].sql#5`.
    pub(super) fn loc(&self, pos: CellPos) -> Location {
        Location {
            file: self.file.clone(),
            line: Some(self.line),
            column: Some(self.column),
            key: Some(format!("{}#{}", self.key, pos.line)),
        }
    }
}

/// Reads one `[[data]]` entry with `sql`; returns false when its rows could not be used at all.
pub(super) fn read(ld: &mut Loader<'_>, e: &Tbl<'_, '_>, store: &mut Store<'_>) -> bool {
    let doc = &mut ld.doc;
    let mut usable = true;
    for (k, _) in e.t.iter() {
        let name = k.get_ref().as_ref();
        if SQL_KEYS.contains(&name) {
            continue;
        }
        doc.error(
            &k.span(),
            Some(e.key(name)),
            text(
                format!("`{name}` does not apply to a [[data]] entry with `sql`"),
                format!("`{name}` 不适用于含 `sql` 的 [[data]]"),
            ),
            text(
                "an entry reads either a file (file = …) or an SQL query (sql = …, indicator = …); split it into two [[data]] entries, or remove this key",
                "一个 [[data]] 要么读取文件（file = …），要么执行 SQL 查询（sql = …、indicator = …）；请拆成两个 [[data]]，或删除此键",
            ),
        );
        usable = false;
    }
    let sql_value = e.get("sql");
    if let Some(v) = sql_value
        && !matches!(v.get_ref(), toml::de::DeValue::String(_))
    {
        doc.wrong_type(v, &e.key("sql"), STRING);
        usable = false;
    }
    let code = e.string(doc, "indicator", true);
    let col = match &code {
        None => None,
        Some(c) => match store.col_index.get(c.as_str()) {
            Some(&j) => Some(j),
            None => {
                doc.error(
                    &e.span_of("indicator"),
                    Some(e.key("indicator")),
                    text(
                        format!("'{c}' is neither an indicator nor a [[series]]"),
                        format!("'{c}' 既不是指标也不是 [[series]] 辅助序列"),
                    ),
                    unknown_code_help(c, store.cols),
                );
                None
            }
        },
    };
    // The query ran (or failed, reported) before the data were read.
    let rows = ld.sql.rows.remove(&e.span.start);
    let (Some(col), Some(rows), true) = (col, rows, usable) else { return false };
    let code = code.unwrap_or_default();
    let span = e.span_of("sql");
    let (line, column) = ld.doc.lines.locate(span.start);
    let key = e.key("sql");
    let origin = Origin::Sql(SqlOrigin { file: ld.doc.file.clone(), line, column, key: key.clone() });
    let flags = Flags::default();
    let mut cur =
        Current { idx: store.done.len(), origin: &origin, errors: 0, warnings: 0, flags: &flags, codes: None };
    if rows.is_empty() {
        ld.doc.warning(
            &span,
            Some(key.clone()),
            text(format!("the SQL query of '{code}' returned no rows"), format!("'{code}' 的 SQL 查询没有返回任何行")),
            text(
                "check its WHERE clause and that the principal may see the rows (row filters of the access policy)",
                "请检查其 WHERE 条件，以及该主体能否看到这些行（访问策略的行过滤）",
            ),
        );
    }
    // Units with a value, per period the query returned (in order of first appearance).
    let mut valued: Vec<(String, HashSet<usize>)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let pos = |field: usize| CellPos { line: i + 1, column: 0, field };
        let row_no = i + 1;
        let fix = |what_en: &str, what_zh: &str| -> (Text, Text) {
            (
                text(
                    format!("row {row_no} of the SQL query of '{code}' has no {what_en} (NULL)"),
                    format!("'{code}' 的 SQL 查询第 {row_no} 行没有{what_zh}（NULL）"),
                ),
                text(
                    format!("filter such rows out (WHERE … IS NOT NULL) or give every row a {what_en}"),
                    format!("请过滤掉这些行（WHERE … IS NOT NULL），或为每一行提供{what_zh}"),
                ),
            )
        };
        let (Some(unit), Some(period)) = (&row.unit, &row.period) else {
            let (m, h) = if row.unit.is_none() { fix("unit", "单元") } else { fix("period", "期间") };
            store.cell_error(&mut cur, pos(0), m, h);
            continue;
        };
        if unit.is_empty() || period.is_empty() {
            let (m, h) = if unit.is_empty() { fix("unit", "单元") } else { fix("period", "期间") };
            store.cell_error(&mut cur, pos(0), m, h);
            continue;
        }
        let Some(u) = store.unit(&cur, unit, pos(0)) else { continue };
        // NULL is a missing value; NaN or an infinity (0.0 / 0.0, x / 0.0) is an error.
        let value = row.value.unwrap_or(f64::NAN);
        if row.value.is_some_and(|x| !x.is_finite()) {
            store.tried(u, period, col);
            store.cell_error(
                &mut cur,
                pos(2),
                text(
                    format!(
                        "unit '{unit}', period {period}: the SQL query of '{code}' returned {}",
                        format_number(value)
                    ),
                    format!("单元 '{unit}'、期间 {period}：'{code}' 的 SQL 查询返回了 {}", format_number(value)),
                ),
                text(
                    "values must be finite numbers; guard divisions (NULLIF(denominator, 0)) so that a missing value is NULL",
                    "数值必须是有限数；请保护除法（NULLIF(分母, 0)），使缺失值为 NULL",
                ),
            );
            continue;
        }
        store.record(&mut cur, u, period, col, value, pos(2));
        let at = match valued.iter().position(|(p, _)| p == period) {
            Some(k) => k,
            None => {
                valued.push((period.clone(), HashSet::new()));
                valued.len() - 1
            }
        };
        if !value.is_nan()
            && let Some((_, set)) = valued.get_mut(at)
        {
            set.insert(u);
        }
    }
    // Units the query gave no value: missing values, which the pipeline may impute. Say so, since
    // a row filter of the access policy or a WHERE clause may hide them without any error.
    let mut codes: Vec<(usize, &str)> = store.unit_index.iter().map(|(c, i)| (*i, *c)).collect();
    codes.sort();
    for (period, set) in &valued {
        let missing: Vec<&str> = codes.iter().filter(|(i, _)| !set.contains(i)).map(|(_, c)| *c).collect();
        if missing.is_empty() {
            continue;
        }
        let shown = list(&missing, 20);
        ld.doc.warning(
            &span,
            Some(key.clone()),
            text(
                format!("the SQL query of '{code}' gives no value for {} unit(s) in period {period}: {shown}", missing.len()),
                format!("'{code}' 的 SQL 查询在期间 {period} 中有 {} 个单元没有数值：{shown}", missing.len()),
            ),
            text(
                "they are missing values (an `impute` step may fill them); if they should have data, check the query's WHERE clause and the principal's row filters",
                "这些为缺失值（`impute` 步骤可填补）；如应有数据，请检查查询的 WHERE 条件及该主体的行过滤",
            ),
        );
    }
    let errors = cur.errors;
    if errors > MAX_ERRORS_PER_FILE {
        let more = errors - MAX_ERRORS_PER_FILE;
        let loc = Location { file: ld.doc.file.clone(), line: Some(line), column: Some(column), key: Some(key) };
        store.diags.push(loc.error(
            text(
                format!("{more} more errors in this query's result are not shown"),
                format!("此查询结果中另有 {more} 个错误未显示"),
            ),
            text(
                "fix the errors above (they are often all of the same kind) and load again",
                "请先修正上面的错误（通常属于同一类），再重新加载",
            ),
        ));
    }
    store.done.push(origin);
    true
}
