//! Reading the inputs from CSV text: units (codes, bilingual names, coordinates, groups, masses),
//! origin–destination records and optional distance matrices. Every problem is reported with the
//! file, line and column. OD records may also come as typed rows (a Parquet file or an SQL result
//! read by the caller, [`OdTable::from_rows`]); they go through the same checks, located by row
//! and field. The caller reads the files; this module never touches the disk.

use std::borrow::Cow;
use std::collections::HashMap;

use baydex_core::{Text, Value};

use crate::error::{Error, Location, Problem, Result};

/// Accepted header names of the unit code column.
pub const ID_NAMES: &[&str] = &["id", "code", "unit", "tile_id"];
const LAT_NAMES: &[&str] = &["lat", "latitude", "centroid_lat"];
const LON_NAMES: &[&str] = &["lon", "lng", "longitude", "centroid_lng", "centroid_lon"];
const ORIGIN_NAMES: &[&str] = &["origin", "from", "o"];
const DEST_NAMES: &[&str] = &["destination", "to", "d", "dest"];
const COUNT_NAMES: &[&str] = &["count", "flow", "value", "trips"];
const DIST_NAMES: &[&str] = &["distance", "dist", "time", "travel_time", "value"];

/// One non-key column of the units file, kept as text with its line numbers so that a model that
/// uses it can report a bad cell where it sits.
#[derive(Debug, Clone)]
struct RawColumn {
    name: String,
    column: usize,
    cells: Vec<(String, usize)>,
}

/// The units of a flow analysis: codes, names, coordinates, optional group and mass columns.
#[derive(Debug, Clone)]
pub struct Units {
    file: String,
    /// Unit codes, in file order.
    pub codes: Vec<String>,
    /// Names in zh and en (the code when absent).
    pub names: Vec<Text>,
    /// Latitudes in decimal degrees (NaN when absent).
    pub lat: Vec<f64>,
    /// Longitudes in decimal degrees (NaN when absent).
    pub lon: Vec<f64>,
    /// Group of every unit (empty strings when the file has no group column).
    pub groups: Vec<String>,
    /// Name of the group column, if any.
    pub group_column: Option<String>,
    other: Vec<RawColumn>,
    /// `(first column index in other, file)` of columns added from mass files.
    mass_files: Vec<(usize, String)>,
    index: HashMap<String, usize>,
}

fn loc(file: &str, line: usize, column: usize, field: &str) -> Location {
    Location { file: file.to_string(), line, column: field_number(column), field: field.to_string(), row: false }
}

/// A 1-based field number as stored in a [`Location`].
fn field_number(column: usize) -> u32 {
    u32::try_from(column).unwrap_or(u32::MAX)
}

fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| headers.iter().position(|h| h.eq_ignore_ascii_case(n)))
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().comment(Some(b'#')).trim(csv::Trim::All).flexible(false).from_reader(text.as_bytes())
}

/// The 1-based line of the header: the first line that is neither empty nor a `#` comment.
fn header_line(text: &str) -> usize {
    text.lines().position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).map_or(1, |p| p + 1)
}

fn csv_error(file: &str, e: &csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line() as usize);
    Error::Input { at: loc(file, line, 0, ""), problem: Problem::Csv { message: e.to_string() } }
}

fn headers(file: &str, text: &str, rdr: &mut csv::Reader<&[u8]>) -> Result<Vec<String>> {
    let h = rdr.headers().map_err(|e| csv_error(file, &e))?;
    let _ = text;
    Ok(h.iter().map(|s| s.trim_start_matches('\u{feff}').to_string()).collect())
}

fn require(file: &str, text: &str, headers: &[String], names: &'static [&'static str]) -> Result<usize> {
    find(headers, names).ok_or_else(|| missing_column(loc(file, header_line(text), 0, ""), names))
}

fn number(file: &str, line: usize, column: usize, field: &str, s: &str) -> Result<f64> {
    number_at(loc(file, line, column + 1, field), s)
}

/// A number written as text (`_` digit separators allowed), finite.
fn number_at(at: Location, s: &str) -> Result<f64> {
    if s.is_empty() {
        return Err(Error::Input { at, problem: Problem::Empty });
    }
    match s.replace('_', "").parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(Error::Input { at, problem: Problem::NotANumber { text: s.to_string() } }),
    }
}

impl Units {
    /// Parses a units file: a code column (`id`, `code`, `unit` or `tile_id`), optional `name_zh`,
    /// `name_en` (or `name`), `lat`/`lon` (also `latitude`, `centroid_lat`, `lng`, …), an optional
    /// group column (`group_column`, else `group` or `region` when present) and any other columns
    /// (masses such as population or GDP; read as numbers only when a model uses them).
    pub fn parse(text: &str, file: &str, group_column: Option<&str>) -> Result<Units> {
        let mut rdr = reader(text);
        let h = headers(file, text, &mut rdr)?;
        let id = require(file, text, &h, ID_NAMES)?;
        let zh = find(&h, &["name_zh", "zh"]);
        let en = find(&h, &["name_en", "en", "name"]);
        let lat = find(&h, LAT_NAMES);
        let lon = find(&h, LON_NAMES);
        let group = match group_column {
            Some(g) => Some(find(&h, &[g]).ok_or_else(|| Error::Input {
                at: loc(file, header_line(text), 0, ""),
                problem: Problem::MissingColumn { names: vec![g.to_string()] },
            })?),
            None => find(&h, &["group", "region"]),
        };
        let used: Vec<usize> = [Some(id), zh, en, lat, lon, group].into_iter().flatten().collect();
        let mut u = Units {
            file: file.to_string(),
            codes: Vec::new(),
            names: Vec::new(),
            lat: Vec::new(),
            lon: Vec::new(),
            groups: Vec::new(),
            group_column: group.map(|g| h[g].clone()),
            other: (0..h.len())
                .filter(|c| !used.contains(c))
                .map(|c| RawColumn { name: h[c].clone(), column: c + 1, cells: Vec::new() })
                .collect(),
            mass_files: Vec::new(),
            index: HashMap::new(),
        };
        let mut first_line: HashMap<String, usize> = HashMap::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_error(file, &e))?;
            let line = rec.position().map_or(0, |p| p.line() as usize);
            let code = rec.get(id).unwrap_or("").to_string();
            if code.is_empty() {
                return Err(Error::Input { at: loc(file, line, id + 1, &h[id]), problem: Problem::Empty });
            }
            if let Some(&first) = first_line.get(&code) {
                return Err(Error::Input {
                    at: loc(file, line, id + 1, &h[id]),
                    problem: Problem::DuplicateUnit { code, first_line: first },
                });
            }
            first_line.insert(code.clone(), line);
            let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").to_string();
            let (name_zh, name_en) = (get(zh), get(en));
            let name_en = if name_en.is_empty() { code.clone() } else { name_en };
            let name_zh = if name_zh.is_empty() { name_en.clone() } else { name_zh };
            let coord = |c: Option<usize>, bound: f64| -> Result<f64> {
                let Some(c) = c else { return Ok(f64::NAN) };
                let s = rec.get(c).unwrap_or("");
                if s.is_empty() {
                    return Ok(f64::NAN);
                }
                let x = number(file, line, c, &h[c], s)?;
                if x.abs() > bound {
                    return Err(Error::Input {
                        at: loc(file, line, c + 1, &h[c]),
                        problem: Problem::BadCoordinate { value: x, bound },
                    });
                }
                Ok(x)
            };
            u.lat.push(coord(lat, 90.0)?);
            u.lon.push(coord(lon, 180.0)?);
            u.groups.push(get(group));
            for col in &mut u.other {
                col.cells.push((rec.get(col.column - 1).unwrap_or("").to_string(), line));
            }
            u.index.insert(code.clone(), u.codes.len());
            u.codes.push(code);
            u.names.push(Text::new(name_en, name_zh));
        }
        if u.codes.is_empty() {
            return Err(Error::TooFew { what: "units", got: 0, need: 2 });
        }
        Ok(u)
    }

    /// Adds mass columns from a second file keyed by unit (`unit`/`code`/`id` column); with
    /// `period`, only the rows of that period (column `period` or `year`). Units absent from the
    /// file get empty cells; codes unknown to the units are errors.
    pub fn add_masses(&mut self, text: &str, file: &str, period: Option<&str>) -> Result<()> {
        let mut rdr = reader(text);
        let h = headers(file, text, &mut rdr)?;
        let id = require(file, text, &h, ID_NAMES)?;
        let per = find(&h, &["period", "year"]);
        let cols: Vec<usize> = (0..h.len()).filter(|&c| c != id && Some(c) != per).collect();
        let start = self.other.len();
        for &c in &cols {
            self.other.push(RawColumn {
                name: h[c].clone(),
                column: c + 1,
                cells: vec![(String::new(), 0); self.codes.len()],
            });
        }
        for rec in rdr.records() {
            let rec = rec.map_err(|e| csv_error(file, &e))?;
            let line = rec.position().map_or(0, |p| p.line() as usize);
            if let (Some(p), Some(want)) = (per, period)
                && rec.get(p).unwrap_or("") != want
            {
                continue;
            }
            let code = rec.get(id).unwrap_or("");
            let u = self.unit_at(code, loc(file, line, id + 1, &h[id]))?;
            for (k, &c) in cols.iter().enumerate() {
                self.other[start + k].cells[u] = (rec.get(c).unwrap_or("").to_string(), line);
            }
        }
        self.mass_files.push((start, file.to_string()));
        Ok(())
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether there are no units (never true for a parsed file).
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Index of a unit code.
    pub fn index_of(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    fn unit_at(&self, code: &str, at: Location) -> Result<usize> {
        if code.is_empty() {
            return Err(Error::Input { at, problem: Problem::Empty });
        }
        self.index_of(code).ok_or_else(|| Error::Input {
            at,
            problem: Problem::UnknownUnit {
                code: code.to_string(),
                known: self.codes.iter().take(6).cloned().collect(),
            },
        })
    }

    /// Names of the non-key columns (candidate masses).
    pub fn attribute_columns(&self) -> Vec<&str> {
        self.other.iter().map(|c| c.name.as_str()).collect()
    }

    /// Whether a mass column of this name exists (case-insensitive).
    pub fn has_column(&self, name: &str) -> bool {
        self.other.iter().any(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// A mass column as positive numbers; a missing, non-numeric or non-positive cell is an error
    /// located in the file that holds it.
    pub fn mass(&self, name: &str) -> Result<Vec<f64>> {
        let k = self.other.iter().rposition(|c| c.name.eq_ignore_ascii_case(name)).ok_or_else(|| {
            Error::UnknownMass { column: name.to_string(), available: self.attribute_columns().join(", ") }
        })?;
        let col = &self.other[k];
        let file = self.mass_files.iter().rev().find(|(s, _)| *s <= k).map_or(self.file.as_str(), |(_, f)| f.as_str());
        col.cells
            .iter()
            .map(|(s, line)| {
                let at = loc(file, *line, col.column, &col.name);
                if s.is_empty() {
                    return Err(Error::Input { at, problem: Problem::NonPositiveMass { value: f64::NAN } });
                }
                let x = number(file, *line, col.column - 1, &col.name, s)?;
                if x <= 0.0 {
                    return Err(Error::Input { at, problem: Problem::NonPositiveMass { value: x } });
                }
                Ok(x)
            })
            .collect()
    }

    /// Whether every unit has coordinates.
    pub fn has_coordinates(&self) -> bool {
        self.lat.iter().chain(&self.lon).all(|x| x.is_finite())
    }
}

/// One origin–destination record.
#[derive(Debug, Clone, PartialEq)]
pub struct OdRecord {
    /// Origin unit index.
    pub origin: usize,
    /// Destination unit index.
    pub destination: usize,
    /// Count (trips, commuters, …), ≥ 0.
    pub count: f64,
    /// Period, when the file has a `period` (or `year`) column.
    pub period: Option<String>,
    /// Mode, when the file has a `mode` column.
    pub mode: Option<String>,
    /// Line in the file, or 1-based row of the result for records read from rows.
    pub line: usize,
}

/// Options for reading OD records.
#[derive(Debug, Clone, Copy, Default)]
pub struct OdOptions {
    /// Add up records of the same origin, destination, period and mode instead of rejecting them.
    pub sum_duplicates: bool,
}

/// Origin–destination records, checked against the units.
#[derive(Debug, Clone)]
pub struct OdTable {
    /// The records (duplicates summed into the first when allowed).
    pub records: Vec<OdRecord>,
    /// Periods in order of first appearance (empty without a period column).
    pub periods: Vec<String>,
    /// Modes in order of first appearance (empty without a mode column).
    pub modes: Vec<String>,
}

/// One row of OD records read as rows ([`OdTable::from_rows`]): one cell per column, `None` for
/// NULL.
pub type OdRow = Vec<Option<Value>>;

/// One cell of an OD record while it is checked: CSV text, or a typed cell of a result.
enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    Float(f64),
    Null,
}

/// A source of OD records: CSV lines or the rows of a result, read one at a time so that the CSV
/// reader reuses its record (no allocation per cell).
trait Records {
    /// Advances to the next record; its 1-based line (CSV) or row (result).
    fn advance(&mut self) -> Option<Result<usize>>;
    /// A cell of the current record.
    fn cell(&self, column: usize) -> Cell<'_>;
}

struct CsvRecords<'t> {
    file: &'t str,
    rdr: csv::Reader<&'t [u8]>,
    rec: csv::StringRecord,
}

impl Records for CsvRecords<'_> {
    fn advance(&mut self) -> Option<Result<usize>> {
        match self.rdr.read_record(&mut self.rec) {
            Ok(true) => Some(Ok(self.rec.position().map_or(0, |p| p.line() as usize))),
            Ok(false) => None,
            Err(e) => Some(Err(csv_error(self.file, &e))),
        }
    }

    fn cell(&self, column: usize) -> Cell<'_> {
        Cell::Text(self.rec.get(column).unwrap_or(""))
    }
}

struct RowRecords<'r> {
    rows: &'r [OdRow],
    /// Rows consumed so far (the current row is `next - 1`).
    next: usize,
}

impl Records for RowRecords<'_> {
    fn advance(&mut self) -> Option<Result<usize>> {
        (self.next < self.rows.len()).then(|| {
            self.next += 1;
            Ok(self.next)
        })
    }

    fn cell(&self, column: usize) -> Cell<'_> {
        match self.rows.get(self.next.wrapping_sub(1)).and_then(|r| r.get(column)) {
            None | Some(None) => Cell::Null,
            Some(Some(Value::Str(s))) => Cell::Text(s.trim()),
            Some(Some(Value::Int(i))) => Cell::Int(*i),
            Some(Some(Value::Float(x))) => Cell::Float(*x),
            Some(Some(Value::Bool(b))) => Cell::Text(if *b { "true" } else { "false" }),
            Some(Some(Value::Array(_) | Value::Table(_))) => Cell::Text("[…]"),
        }
    }
}

/// The columns of an OD input, found by name in its header.
struct OdColumns {
    origin: usize,
    destination: usize,
    count: usize,
    period: Option<usize>,
    mode: Option<usize>,
}

impl OdColumns {
    /// The columns, or the accepted names of the first required column that is missing.
    fn find(h: &[String]) -> std::result::Result<OdColumns, &'static [&'static str]> {
        Ok(OdColumns {
            origin: find(h, ORIGIN_NAMES).ok_or(ORIGIN_NAMES)?,
            destination: find(h, DEST_NAMES).ok_or(DEST_NAMES)?,
            count: find(h, COUNT_NAMES).ok_or(COUNT_NAMES)?,
            period: find(h, &["period", "year"]),
            mode: find(h, &["mode"]),
        })
    }
}

fn missing_column(at: Location, names: &[&str]) -> Error {
    Error::Input { at, problem: Problem::MissingColumn { names: names.iter().map(|n| n.to_string()).collect() } }
}

impl OdTable {
    /// Parses `origin,destination,count[,period][,mode]` (also `flow,origin,destination`, …).
    pub fn parse(text: &str, file: &str, units: &Units, opts: OdOptions) -> Result<OdTable> {
        let mut rdr = reader(text);
        let h = headers(file, text, &mut rdr)?;
        let cols = OdColumns::find(&h).map_err(|names| missing_column(loc(file, header_line(text), 0, ""), names))?;
        let mut recs = CsvRecords { file, rdr, rec: csv::StringRecord::new() };
        check_od(file, false, &h, &cols, &mut recs, units, opts)
    }

    /// OD records from typed rows (a Parquet file or an SQL result read by the caller): `header`
    /// names the columns (the same names as [`OdTable::parse`] accepts), each row has one cell per
    /// column, `None` for NULL. Unit codes, periods and modes may be text or whole numbers; counts
    /// numbers or numeric text. The checks are those of a CSV file; errors name `source` (the file,
    /// or the query's key such as `flows.sql`), the 1-based row and the field.
    pub fn from_rows(
        header: &[String],
        rows: &[OdRow],
        source: &str,
        units: &Units,
        opts: OdOptions,
    ) -> Result<OdTable> {
        let at = Location { file: source.to_string(), line: 0, column: 0, field: String::new(), row: true };
        let cols = OdColumns::find(header).map_err(|names| missing_column(at, names))?;
        check_od(source, true, header, &cols, &mut RowRecords { rows, next: 0 }, units, opts)
    }

    /// The flow matrix of `n` units for one period (all periods added when `None`) and one mode
    /// (all modes added when `None`).
    pub fn matrix(&self, n: usize, period: Option<&str>, mode: Option<&str>) -> FlowMatrix {
        let mut f = FlowMatrix { n, flow: vec![0.0; n * n], listed: vec![false; n * n] };
        for r in &self.records {
            if period.is_some_and(|p| r.period.as_deref() != Some(p))
                || mode.is_some_and(|m| r.mode.as_deref() != Some(m))
            {
                continue;
            }
            let k = r.origin * n + r.destination;
            f.flow[k] += r.count;
            f.listed[k] = true;
        }
        f
    }
}

/// A code, period or mode: text, or a number written as text (`2024`); `None` for NULL.
fn cell_text(cell: Cell<'_>) -> Option<Cow<'_, str>> {
    match cell {
        Cell::Text(s) => Some(Cow::Borrowed(s)),
        Cell::Int(i) => Some(Cow::Owned(i.to_string())),
        Cell::Float(x) => Some(Cow::Owned(x.to_string())),
        Cell::Null => None,
    }
}

/// The checks of every OD record, from CSV lines or result rows (`rows`): known units, counts
/// that are numbers ≥ 0, no repeated origin–destination(–period–mode) unless summed.
fn check_od(
    file: &str,
    rows: bool,
    h: &[String],
    cols: &OdColumns,
    recs: &mut impl Records,
    units: &Units,
    opts: OdOptions,
) -> Result<OdTable> {
    let at = |line: usize, c: usize| Location {
        file: file.to_string(),
        line,
        column: field_number(c + 1),
        field: h.get(c).cloned().unwrap_or_default(),
        row: rows,
    };
    let null = |line: usize, c: usize| Error::Input { at: at(line, c), problem: Problem::Null };
    let text =
        |cell: Cell<'_>, line: usize, c: usize| cell_text(cell).ok_or_else(|| null(line, c)).map(Cow::into_owned);
    let mut t = OdTable { records: Vec::new(), periods: Vec::new(), modes: Vec::new() };
    let mut seen: HashMap<(usize, usize, Option<String>, Option<String>), usize> = HashMap::new();
    while let Some(line) = recs.advance() {
        let line = line?;
        let (o, d, c) = (cols.origin, cols.destination, cols.count);
        let code = |c: usize| cell_text(recs.cell(c)).ok_or_else(|| null(line, c));
        let origin = units.unit_at(&code(o)?, at(line, o))?;
        let destination = units.unit_at(&code(d)?, at(line, d))?;
        let count = match recs.cell(c) {
            Cell::Text(s) => number_at(at(line, c), s)?,
            Cell::Int(i) => i as f64,
            Cell::Float(x) if x.is_finite() => x,
            Cell::Float(x) => {
                return Err(Error::Input { at: at(line, c), problem: Problem::NotANumber { text: x.to_string() } });
            }
            Cell::Null => return Err(null(line, c)),
        };
        if count < 0.0 {
            return Err(Error::Input { at: at(line, c), problem: Problem::Negative { value: count } });
        }
        let period = cols.period.map(|p| text(recs.cell(p), line, p)).transpose()?;
        let mode = cols.mode.map(|m| text(recs.cell(m), line, m)).transpose()?;
        if let Some(p) = &period
            && !t.periods.contains(p)
        {
            t.periods.push(p.clone());
        }
        if let Some(m) = &mode
            && !t.modes.contains(m)
        {
            t.modes.push(m.clone());
        }
        let key = (origin, destination, period.clone(), mode.clone());
        if let Some(&k) = seen.get(&key) {
            if opts.sum_duplicates {
                t.records[k].count += count;
                continue;
            }
            return Err(Error::Input {
                at: Location { column: 0, field: String::new(), ..at(line, 0) },
                problem: Problem::DuplicatePair {
                    origin: units.codes[origin].clone(),
                    destination: units.codes[destination].clone(),
                    first_line: t.records[k].line,
                },
            });
        }
        seen.insert(key, t.records.len());
        t.records.push(OdRecord { origin, destination, count, period, mode, line });
    }
    if t.records.is_empty() {
        return Err(Error::TooFew { what: "OD records", got: 0, need: 1 });
    }
    Ok(t)
}

/// A dense `n × n` flow matrix (row = origin), with which pairs were listed in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowMatrix {
    /// Number of units.
    pub n: usize,
    /// Flows, row-major (`flow[i * n + j]` from `i` to `j`).
    pub flow: Vec<f64>,
    /// Whether a record listed the pair.
    pub listed: Vec<bool>,
}

impl FlowMatrix {
    /// The flow from `i` to `j`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.flow[i * self.n + j]
    }

    /// A matrix from dense row-major flows (every pair counted as listed).
    pub fn from_dense(n: usize, flow: Vec<f64>) -> FlowMatrix {
        FlowMatrix { n, listed: vec![true; flow.len()], flow }
    }
}

/// Reads a distance (or travel-time) matrix in long form `origin,destination,distance`; a pair
/// given in one direction only is used for both. Pairs not given are NaN.
pub fn parse_distances(text: &str, file: &str, units: &Units) -> Result<Vec<f64>> {
    let n = units.len();
    let mut rdr = reader(text);
    let h = headers(file, text, &mut rdr)?;
    let o = require(file, text, &h, ORIGIN_NAMES)?;
    let d = require(file, text, &h, DEST_NAMES)?;
    let c = require(file, text, &h, DIST_NAMES)?;
    let mut dist = vec![f64::NAN; n * n];
    let mut given = vec![false; n * n];
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(file, &e))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let i = units.unit_at(rec.get(o).unwrap_or(""), loc(file, line, o + 1, &h[o]))?;
        let j = units.unit_at(rec.get(d).unwrap_or(""), loc(file, line, d + 1, &h[d]))?;
        let x = number(file, line, c, &h[c], rec.get(c).unwrap_or(""))?;
        if x < 0.0 {
            return Err(Error::Input { at: loc(file, line, c + 1, &h[c]), problem: Problem::Negative { value: x } });
        }
        dist[i * n + j] = x;
        given[i * n + j] = true;
        if !given[j * n + i] {
            dist[j * n + i] = x;
        }
    }
    Ok(dist)
}

#[cfg(test)]
mod tests {
    use super::*;
    use baydex_core::Lang;

    const UNITS: &str = "id,name_en\nA,Alpha\nB,Beta\nC,Gamma\n";

    fn units() -> Units {
        Units::parse(UNITS, "units.csv", None).unwrap()
    }

    fn s(x: &str) -> Option<Value> {
        Some(Value::Str(x.to_string()))
    }

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    /// Rows and the same records as CSV give the same table (counts as integers, floats or text;
    /// integer periods as text).
    #[test]
    fn rows_and_csv_agree() {
        let u = units();
        let csv = "origin,destination,count,year\nA,B,5,2023\nB,A,2.5,2023\nA,C,7,2024\n";
        let from_csv = OdTable::parse(csv, "od.csv", &u, OdOptions::default()).unwrap();
        let rows = vec![
            vec![s("A"), s("B"), Some(Value::Int(5)), Some(Value::Int(2023))],
            vec![s("B"), s(" A "), Some(Value::Float(2.5)), Some(Value::Int(2023))],
            vec![s("A"), s("C"), s("7"), s("2024")],
        ];
        let h = header(&["from", "dest", "trips", "year"]);
        let from_rows = OdTable::from_rows(&h, &rows, "q", &u, OdOptions::default()).unwrap();
        assert_eq!(from_rows.periods, ["2023", "2024"]);
        assert_eq!(from_rows.periods, from_csv.periods);
        let key = |t: &OdTable| -> Vec<(usize, usize, f64, Option<String>)> {
            t.records.iter().map(|r| (r.origin, r.destination, r.count, r.period.clone())).collect()
        };
        assert_eq!(key(&from_rows), key(&from_csv));
        // Records keep their 1-based row.
        assert_eq!(from_rows.records.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 2, 3]);
    }

    fn row_error(h: &[&str], rows: Vec<Vec<Option<Value>>>, opts: OdOptions) -> Error {
        OdTable::from_rows(&header(h), &rows, "flows.sql", &units(), opts).unwrap_err()
    }

    #[test]
    fn row_errors_name_the_source_row_and_field_in_both_languages() {
        let h = ["origin", "destination", "count"];
        let e = row_error(
            &h,
            vec![vec![s("A"), s("B"), Some(Value::Int(1))], vec![s("A"), s("X"), Some(Value::Int(1))]],
            OdOptions::default(),
        );
        assert_eq!(
            e.to_string(),
            "flows.sql, row 2 (destination): unknown unit 'X': it is not in the units file; fix the code or add the unit (known: A, B, C…)"
        );
        assert!(
            e.message(Lang::Zh).starts_with("flows.sql 第 2 行（destination）：未知单元 'X'"),
            "{}",
            e.message(Lang::Zh)
        );

        let e = row_error(&h, vec![vec![s("A"), s("B"), Some(Value::Int(-3))]], OdOptions::default());
        assert!(e.to_string().starts_with("flows.sql, row 1 (count): -3 is negative"), "{e}");
        let e = row_error(&h, vec![vec![s("A"), s("B"), s("many")]], OdOptions::default());
        assert!(e.to_string().starts_with("flows.sql, row 1 (count): 'many' is not a number"), "{e}");
        let e = row_error(&h, vec![vec![s("A"), s("B"), Some(Value::Float(f64::NAN))]], OdOptions::default());
        assert!(e.to_string().contains("row 1 (count): 'NaN' is not a number"), "{e}");

        // NULL count and NULL unit name the row.
        let e = row_error(
            &h,
            vec![vec![s("A"), s("B"), Some(Value::Int(1))], vec![s("B"), s("C"), None]],
            OdOptions::default(),
        );
        assert!(e.to_string().starts_with("flows.sql, row 2 (count): the value is NULL"), "{e}");
        assert!(e.message(Lang::Zh).contains("第 2 行（count）：该值为空（NULL）"), "{}", e.message(Lang::Zh));
        let e = row_error(&h, vec![vec![None, s("B"), Some(Value::Int(1))]], OdOptions::default());
        assert!(e.to_string().starts_with("flows.sql, row 1 (origin): the value is NULL"), "{e}");

        // A missing column names the source, without a row.
        let e = row_error(&["origin", "destination", "n"], vec![], OdOptions::default());
        assert!(e.to_string().starts_with("flows.sql: the header has no column count"), "{e}");
        // No rows at all.
        let e = row_error(&h, vec![], OdOptions::default());
        assert!(matches!(e, Error::TooFew { got: 0, .. }), "{e}");
    }

    #[test]
    fn duplicate_rows_are_refused_or_summed() {
        let h = ["origin", "destination", "count", "period", "mode"];
        let r = |o: &str, d: &str, c: i64, p: i64, m: &str| {
            vec![s(o), s(d), Some(Value::Int(c)), Some(Value::Int(p)), s(m)]
        };
        let rows = vec![
            r("A", "B", 5, 2024, "rail"),
            r("A", "B", 4, 2024, "road"),
            r("B", "A", 1, 2024, "rail"),
            r("A", "B", 2, 2024, "rail"),
        ];
        let e = OdTable::from_rows(&header(&h), &rows, "--od-sql", &units(), OdOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--od-sql, row 4: pair A → B appears twice (first in row 1); remove one, or pass --sum-duplicates to add them up"
        );
        assert!(
            e.message(Lang::Zh).starts_with("--od-sql 第 4 行：城市对 A → B 重复出现（首次在第 1 行）"),
            "{}",
            e.message(Lang::Zh)
        );
        let t =
            OdTable::from_rows(&header(&h), &rows, "--od-sql", &units(), OdOptions { sum_duplicates: true }).unwrap();
        assert_eq!(t.records.len(), 3);
        assert_eq!(t.modes, ["rail", "road"]);
        // 5 + 2 (rail) and 4 (road): per mode, and added over modes.
        let m = t.matrix(3, None, Some("rail"));
        assert_eq!(m.get(0, 1), 7.0);
        assert_eq!(t.matrix(3, Some("2024"), None).get(0, 1), 11.0);
    }

    /// CSV locations are unchanged: file:line:column (field).
    #[test]
    fn csv_errors_keep_lines() {
        let e = OdTable::parse("origin,destination,count\nA,B,1\nA,B,2\n", "od.csv", &units(), OdOptions::default())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "od.csv:3: pair A → B appears twice (first on line 2); remove one, or pass --sum-duplicates to add them up"
        );
        let e =
            OdTable::parse("origin,destination,count\nA,B,\n", "od.csv", &units(), OdOptions::default()).unwrap_err();
        assert_eq!(e.message(Lang::Zh), "od.csv:2:3 (count)：该单元格为空；请填写");
    }
}
