//! Errors of the flows crate: located input errors (file, line and column of a CSV file, or row
//! and field of a query result or Parquet file) and model errors, each with a bilingual message
//! that says how to fix it.

use baydex_core::Lang;

/// Result with the flows [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where in an input a problem sits: 1-based line and CSV column (field number) of a CSV file, or
/// 1-based row of a query result or Parquet file (`row`), and the column's header name when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File name as the user gave it, or the source of the rows (`flows.sql`, `--od-sql`).
    pub file: String,
    /// 1-based line number in the file, or row of the result when `row`; 0 when the problem
    /// concerns the whole input (its columns).
    pub line: usize,
    /// 1-based CSV column (field) number; 0 when the problem concerns the whole line. (`u32`
    /// keeps [`Error`] small.)
    pub column: u32,
    /// Header name of the column (empty when unknown).
    pub field: String,
    /// True when `line` is a row of a result (query, Parquet), not a line of a text file.
    pub row: bool,
}

impl Location {
    /// The location in `lang`: `od.csv:3:2 (destination)` for a CSV file (both languages),
    /// `trips.parquet, row 3 (destination)` / `trips.parquet 第 3 行（destination）` for rows.
    pub fn render(&self, lang: Lang) -> String {
        let mut s = self.file.clone();
        match (self.row, lang) {
            (true, _) if self.line == 0 => {}
            (true, Lang::En) => s.push_str(&format!(", row {}", self.line)),
            (true, Lang::Zh) => s.push_str(&format!(" 第 {} 行", self.line)),
            (false, _) if self.column > 0 => s.push_str(&format!(":{}:{}", self.line, self.column)),
            (false, _) => s.push_str(&format!(":{}", self.line)),
        }
        if !self.field.is_empty() {
            match (self.row, lang) {
                (true, Lang::Zh) => s.push_str(&format!("（{}）", self.field)),
                _ => s.push_str(&format!(" ({})", self.field)),
            }
        }
        s
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// What is wrong with an input cell, line or header.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Problem {
    /// The CSV could not be read (quoting, encoding, ragged line).
    Csv {
        /// The reader's message.
        message: String,
    },
    /// A required column is absent from the header.
    MissingColumn {
        /// Accepted names of the column.
        names: Vec<String>,
    },
    /// A unit code that is not in the units file.
    UnknownUnit {
        /// The code.
        code: String,
        /// A few known codes, as a hint.
        known: Vec<String>,
    },
    /// A unit code listed twice in the units file.
    DuplicateUnit {
        /// The code.
        code: String,
        /// Line of the first occurrence.
        first_line: usize,
    },
    /// A cell that must be a number is not one.
    NotANumber {
        /// The cell text.
        text: String,
    },
    /// A count or distance below zero.
    Negative {
        /// The value.
        value: f64,
    },
    /// A mass that must be positive (it is logged or square-rooted) is zero or missing.
    NonPositiveMass {
        /// The value (NaN when the cell is empty).
        value: f64,
    },
    /// A coordinate outside its range.
    BadCoordinate {
        /// The value.
        value: f64,
        /// The allowed bound (90 for latitude, 180 for longitude).
        bound: f64,
    },
    /// The same origin, destination (and period, mode) appears twice.
    DuplicatePair {
        /// Origin code.
        origin: String,
        /// Destination code.
        destination: String,
        /// Line (or row of a result) of the first occurrence.
        first_line: usize,
    },
    /// An empty required cell.
    Empty,
    /// A NULL cell of a query result or Parquet file where a value is required.
    Null,
}

impl Problem {
    /// The message in `lang`; `rows` says that line numbers in it are rows of a result.
    fn message(&self, lang: Lang, rows: bool) -> String {
        match (self, lang) {
            (Problem::Csv { message }, Lang::En) => format!(
                "cannot read the CSV: {message}; check quoting and that every line has the same number of fields"
            ),
            (Problem::Csv { message }, Lang::Zh) => {
                format!("无法读取 CSV：{message}；请检查引号，并确认每行字段数相同")
            }
            (Problem::MissingColumn { names }, Lang::En) => {
                format!("the header has no column {}; add one (accepted names: {})", names[0], names.join(", "))
            }
            (Problem::MissingColumn { names }, Lang::Zh) => {
                format!("表头缺少列 {}；请添加（可用列名：{}）", names[0], names.join("、"))
            }
            (Problem::UnknownUnit { code, known }, Lang::En) => format!(
                "unknown unit '{code}': it is not in the units file; fix the code or add the unit (known: {}…)",
                known.join(", ")
            ),
            (Problem::UnknownUnit { code, known }, Lang::Zh) => format!(
                "未知单元 '{code}'：单元文件中没有它；请更正代码或在单元文件中添加（已有：{}…）",
                known.join("、")
            ),
            (Problem::DuplicateUnit { code, first_line }, Lang::En) => {
                format!("unit '{code}' is listed twice (first on line {first_line}); keep one row per unit")
            }
            (Problem::DuplicateUnit { code, first_line }, Lang::Zh) => {
                format!("单元 '{code}' 重复出现（首次在第 {first_line} 行）；每个单元只保留一行")
            }
            (Problem::NotANumber { text }, Lang::En) => {
                format!("'{text}' is not a number; write a plain number such as 1234 or 12.5")
            }
            (Problem::NotANumber { text }, Lang::Zh) => format!("'{text}' 不是数字；请填写 1234 或 12.5 这样的数字"),
            (Problem::Negative { value }, Lang::En) => format!("{value} is negative; counts and distances must be ≥ 0"),
            (Problem::Negative { value }, Lang::Zh) => format!("{value} 为负数；流量和距离必须 ≥ 0"),
            (Problem::NonPositiveMass { value }, Lang::En) => {
                format!(
                    "mass {value} must be positive (it is logged or square-rooted); fill in the value or drop the unit"
                )
            }
            (Problem::NonPositiveMass { value }, Lang::Zh) => {
                format!("规模变量 {value} 必须为正（需取对数或开方）；请补充数值或删除该单元")
            }
            (Problem::BadCoordinate { value, bound }, Lang::En) => {
                format!("coordinate {value} is outside ±{bound}; use decimal degrees (WGS 84)")
            }
            (Problem::BadCoordinate { value, bound }, Lang::Zh) => {
                format!("坐标 {value} 超出 ±{bound}；请使用十进制度（WGS 84）")
            }
            (Problem::DuplicatePair { origin, destination, first_line }, Lang::En) => format!(
                "pair {origin} → {destination} appears twice (first {} {first_line}); remove one, or pass --sum-duplicates to add them up",
                if rows { "in row" } else { "on line" }
            ),
            (Problem::DuplicatePair { origin, destination, first_line }, Lang::Zh) => format!(
                "城市对 {origin} → {destination} 重复出现（首次在第 {first_line} 行）；请删除其一，或使用 --sum-duplicates 将其相加"
            ),
            (Problem::Empty, Lang::En) => "the cell is empty; fill it in".to_string(),
            (Problem::Empty, Lang::Zh) => "该单元格为空；请填写".to_string(),
            (Problem::Null, Lang::En) => {
                "the value is NULL; filter such rows out (WHERE … IS NOT NULL) or give every row a value".to_string()
            }
            (Problem::Null, Lang::Zh) => {
                "该值为空（NULL）；请过滤掉这些行（WHERE … IS NOT NULL），或为每一行提供数值".to_string()
            }
        }
    }
}

/// An error of the flows crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A problem in an input file, at a location.
    #[error("{at}: {}", problem.message(Lang::En, at.row))]
    Input {
        /// Where.
        at: Location,
        /// What.
        problem: Problem,
    },
    /// A model needs a distance that is zero or missing for a pair.
    #[error(
        "distance from '{origin}' to '{destination}' is {value}; the {model} model needs a positive distance for every pair (give coordinates or a distance for it)"
    )]
    BadDistance {
        /// Origin code.
        origin: String,
        /// Destination code.
        destination: String,
        /// The distance (NaN when missing).
        value: f64,
        /// The model that needs it.
        model: &'static str,
    },
    /// A unit has no coordinates and no distance file was given.
    #[error("unit '{unit}' has no coordinates (lat, lon); add them to the units file or pass a distance file")]
    NoCoordinates {
        /// Unit code.
        unit: String,
    },
    /// A mass column that a model needs does not exist.
    #[error("the units file has no mass column '{column}' (columns: {available}); choose one with --mass")]
    UnknownMass {
        /// Requested column.
        column: String,
        /// Available numeric columns.
        available: String,
    },
    /// Too few pairs or units for the analysis.
    #[error("{what}: {got} found, at least {need} needed")]
    TooFew {
        /// What is counted.
        what: &'static str,
        /// How many there are.
        got: usize,
        /// How many are needed.
        need: usize,
    },
    /// A unit whose fixed effect a one-way constrained model needs has no flow at all: an origin
    /// with zero outflow (production-constrained) or a destination with zero inflow
    /// (attraction-constrained). Its fixed effect would be −∞.
    #[error(
        "{} '{unit}' has a total {} of 0 in the pairs, so the {model} model cannot estimate its fixed effect (it would be −∞); remove that unit's pairs from the OD data, or choose another model",
        if *.origin { "origin" } else { "destination" },
        if *.origin { "outflow" } else { "inflow" }
    )]
    ZeroTotal {
        /// Unit code.
        unit: String,
        /// Whether the unit is an origin (else a destination).
        origin: bool,
        /// Model name.
        model: &'static str,
    },
    /// The fit did not converge.
    #[error(
        "the {model} model did not converge in {iterations} iterations (last change {change:e}); the data may be separated (a unit with all-zero flows) or the design collinear"
    )]
    NoConvergence {
        /// Model name.
        model: &'static str,
        /// Iterations run.
        iterations: usize,
        /// Last relative change.
        change: f64,
    },
    /// The information matrix is singular (collinear covariates).
    #[error(
        "the {model} model's information matrix is singular: covariates are collinear (e.g. a constant mass); drop one"
    )]
    Singular {
        /// Model name.
        model: &'static str,
    },
}

impl Error {
    /// The message in `lang` (the English form is also the `Display`).
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            Error::Input { at, problem } => format!("{}：{}", at.render(Lang::Zh), problem.message(Lang::Zh, at.row)),
            Error::BadDistance { origin, destination, value, model } => format!(
                "'{origin}' 到 '{destination}' 的距离为 {value}；{model} 模型要求每个城市对的距离为正（请提供坐标或该对的距离）"
            ),
            Error::NoCoordinates { unit } => {
                format!("单元 '{unit}' 没有坐标（lat、lon）；请在单元文件中补充，或提供距离文件")
            }
            Error::UnknownMass { column, available } => {
                format!("单元文件中没有规模变量列 '{column}'（可用列：{available}）；请用 --mass 选择")
            }
            Error::ZeroTotal { unit, origin, model } => {
                let (side, total) = if *origin { ("起点", "总流出量") } else { ("终点", "总流入量") };
                format!(
                    "{side} '{unit}' 的{total}为 0，{model} 模型无法估计其固定效应（将为 −∞）；请从 OD 数据中删除该单元的城市对，或选择其他模型"
                )
            }
            Error::TooFew { what, got, need } => format!("{what}：只有 {got} 个，至少需要 {need} 个"),
            Error::NoConvergence { model, iterations, change } => format!(
                "{model} 模型在 {iterations} 次迭代后仍未收敛（最后变化 {change:e}）；数据可能完全分离（某单元流量全为零）或设计矩阵共线"
            ),
            Error::Singular { model } => {
                format!("{model} 模型的信息矩阵奇异：协变量共线（如规模变量为常数）；请删除其一")
            }
        }
    }
}
