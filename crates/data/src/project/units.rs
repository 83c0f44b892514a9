//! `[units]`: the regions being scored, inline (`[[units.list]]`) or from a CSV / `.xlsx` file.

use std::collections::BTreeMap;

use baydex_core::{Text, Unit};
use toml::de::DeValue;

use super::Loader;
use super::doc::{STRING, Tbl, as_scalar_text};
use crate::diag::{Diagnostic, Location, closest_within, list, text};
use crate::table::{CellValue, Format, read_table};

/// A declared unit and where it was declared.
pub(crate) struct UnitDecl {
    pub unit: Unit,
    pub loc: Location,
}

/// Keys of an inline unit with a meaning; any other key is an attribute.
const UNIT_KEYS: &[&str] = &["code", "name", "lon", "lat", "groups"];
/// Attribute names that probably mean one of [`UNIT_KEYS`].
const LOOKALIKES: &[(&str, &str)] = &[
    ("lng", "lon"),
    ("long", "lon"),
    ("longitude", "lon"),
    ("x", "lon"),
    ("latitude", "lat"),
    ("y", "lat"),
    ("name_zh", "name"),
    ("name_en", "name"),
    ("group", "groups"),
];

pub(crate) fn parse_units(ld: &mut Loader<'_>, top: &Tbl<'_, '_>) -> Vec<UnitDecl> {
    let doc = &mut ld.doc;
    if top.get("units").is_none() {
        doc.file_error(
            text("the project has no [units] section", "项目文件缺少 [units] 节"),
            text(
                "declare the units inline with [[units.list]] or name a file: [units] file = \"units.csv\"",
                "请用 [[units.list]] 逐个声明评价单元，或指定文件：[units] file = \"units.csv\"",
            ),
        );
        return Vec::new();
    }
    let Some(t) = top.table(doc, "units") else { return Vec::new() };
    t.check_keys(doc, &["list", "file", "groups", "sheet"]);
    let has_list = t.get("list").is_some();
    let file = t.string(doc, "file", false);
    let mut units = match (has_list, file) {
        (true, Some(_)) => {
            doc.error(
                &t.span_of("file"),
                Some("units.file".into()),
                text(
                    "units are given both inline ([[units.list]]) and in a file",
                    "评价单元同时以 [[units.list]] 和文件给出",
                ),
                text("keep one of the two", "请只保留其中一种"),
            );
            return Vec::new();
        }
        (true, None) => {
            for k in ["groups", "sheet"] {
                if let Some(span) = t.key_span(k) {
                    doc.error(
                        &span,
                        Some(t.key(k)),
                        text(
                            format!("`units.{k}` applies only to a units file"),
                            format!("`units.{k}` 仅适用于单元文件"),
                        ),
                        text(
                            "give groups of inline units as groups = { … } in each [[units.list]]",
                            "内联单元的分组请在各 [[units.list]] 中写 groups = { … }",
                        ),
                    );
                }
            }
            inline_units(ld, &t)
        }
        (false, Some(f)) => file_units(ld, &t, &f),
        (false, None) => {
            doc.error(
                &t.span,
                Some("units".into()),
                text("[units] declares no units", "[units] 中没有声明评价单元"),
                text(
                    "add [[units.list]] entries or name a file: file = \"units.csv\"",
                    "请添加 [[units.list]] 条目，或指定文件：file = \"units.csv\"",
                ),
            );
            return Vec::new();
        }
    };
    check_units(&mut ld.doc.diags, &mut units);
    if units.is_empty() {
        ld.doc.error(
            &t.span,
            Some("units".into()),
            text("no units are declared", "没有声明任何评价单元"),
            text("an index needs at least one unit (city, region)", "指数至少需要一个评价单元（城市、地区）"),
        );
    }
    units
}

fn inline_units(ld: &mut Loader<'_>, t: &Tbl<'_, '_>) -> Vec<UnitDecl> {
    let doc = &mut ld.doc;
    let mut out = Vec::new();
    for u in t.tables(doc, "list") {
        let code = u.string(doc, "code", true);
        let name = u.text(doc, "name", true);
        let lon = u.number(doc, "lon");
        let lat = u.number(doc, "lat");
        let mut groups = BTreeMap::new();
        if let Some(g) = u.table(doc, "groups") {
            for (k, v) in g.t.iter() {
                match as_scalar_text(doc, v) {
                    Some(s) => {
                        groups.insert(k.get_ref().to_string(), s);
                    }
                    None => doc.wrong_type(v, &g.key(k.get_ref()), STRING),
                }
            }
        }
        let mut attributes = BTreeMap::new();
        for (k, v) in u.t.iter() {
            let name = k.get_ref().as_ref();
            if UNIT_KEYS.contains(&name) {
                continue;
            }
            match as_scalar_text(doc, v) {
                Some(s) => {
                    attributes.insert(name.to_string(), s);
                }
                None => doc.wrong_type(v, &u.key(name), STRING),
            }
            let like = LOOKALIKES
                .iter()
                .find(|(a, _)| a.eq_ignore_ascii_case(name))
                .map(|(_, b)| *b)
                .or_else(|| closest_within(name, UNIT_KEYS.iter().copied(), 1));
            if let Some(meant) = like {
                doc.warning(
                    &k.span(),
                    Some(u.key(name)),
                    text(
                        format!("`{name}` is kept as a text attribute; did you mean `{meant}`?"),
                        format!("`{name}` 将作为文本属性保存；是否应为 `{meant}`？"),
                    ),
                    text(
                        "inline units take code, name = { zh = …, en = … }, lon, lat and groups = { … }; other keys are attributes",
                        "内联单元的键为 code、name = { zh = …, en = … }、lon、lat 与 groups = { … }；其他键作为属性",
                    ),
                );
            }
        }
        let Some(code) = code else { continue };
        let name = name.unwrap_or_else(|| Text::new(code.clone(), code.clone()));
        let loc = doc.loc(&u.span_of("code"), Some(u.key("code")));
        let coords = Coords {
            lon: lon.map(|x| (x, doc.loc(&u.span_of("lon"), Some(u.key("lon"))))),
            lat: lat.map(|x| (x, doc.loc(&u.span_of("lat"), Some(u.key("lat"))))),
            given: (u.get("lon").is_some(), u.get("lat").is_some()),
        };
        coords.check(&mut doc.diags, &loc, &code);
        out.push(UnitDecl { unit: Unit { code, name, groups, lon, lat, attributes }, loc });
    }
    out
}

/// Coordinates with where they were given, for checking.
struct Coords {
    lon: Option<(f64, Location)>,
    lat: Option<(f64, Location)>,
    /// Whether lon and lat were given at all (valid or not).
    given: (bool, bool),
}

impl Coords {
    fn check(&self, diags: &mut Vec<Diagnostic>, unit: &Location, code: &str) {
        if let Some((x, loc)) = &self.lon
            && !(-180.0..=180.0).contains(x)
        {
            diags.push(loc.error(
                text(
                    format!("longitude {x} of unit '{code}' is outside −180…180"),
                    format!("单元 '{code}' 的经度 {x} 超出 −180…180"),
                ),
                text(
                    "give WGS 84 degrees; check that lon and lat are not swapped",
                    "请使用 WGS 84 经纬度（度）；检查经度和纬度是否填反",
                ),
            ));
        }
        if let Some((y, loc)) = &self.lat
            && !(-90.0..=90.0).contains(y)
        {
            diags.push(loc.error(
                text(
                    format!("latitude {y} of unit '{code}' is outside −90…90"),
                    format!("单元 '{code}' 的纬度 {y} 超出 −90…90"),
                ),
                text(
                    "give WGS 84 degrees; check that lon and lat are not swapped",
                    "请使用 WGS 84 经纬度（度）；检查经度和纬度是否填反",
                ),
            ));
        }
        if self.given.0 == self.lon.is_some() && self.given.1 == self.lat.is_some() && self.given.0 != self.given.1 {
            diags.push(unit.error(
                text(
                    format!("unit '{code}' has only one of lon and lat"),
                    format!("单元 '{code}' 只给出了经度或纬度之一"),
                ),
                text("give both coordinates or neither", "请同时给出经度和纬度，或都不给"),
            ));
        }
    }
}

fn file_units(ld: &mut Loader<'_>, t: &Tbl<'_, '_>, file: &str) -> Vec<UnitDecl> {
    let groups_wanted: Vec<(String, std::ops::Range<usize>)> = match t.array(&mut ld.doc, "groups") {
        None => Vec::new(),
        Some(a) => a
            .iter()
            .enumerate()
            .filter_map(|(n, v)| match v.get_ref() {
                DeValue::String(s) => Some((s.to_string(), v.span())),
                _ => {
                    ld.doc.wrong_type(v, &format!("units.groups[{}]", n + 1), STRING);
                    None
                }
            })
            .collect(),
    };
    let sheet = t.string(&mut ld.doc, "sheet", false);
    let file_span = t.span_of("file");
    let Some(format) = Format::of(file) else {
        ld.doc.error(
            &file_span,
            Some("units.file".into()),
            text(
                format!("'{file}' is neither a .csv nor an .xlsx file"),
                format!("'{file}' 既不是 .csv 也不是 .xlsx 文件"),
            ),
            text("save the units as CSV (UTF-8) or .xlsx", "请将单元表另存为 CSV（UTF-8）或 .xlsx"),
        );
        return Vec::new();
    };
    if format == Format::Csv
        && let Some(span) = t.key_span("sheet")
    {
        ld.doc.warning(
            &span,
            Some("units.sheet".into()),
            text("`sheet` is ignored for CSV files", "CSV 文件会忽略 `sheet`"),
            Text::default(),
        );
    }
    let Some((display, bytes)) = ld.read(file, &file_span, "units.file".into()) else { return Vec::new() };
    let (table, diags) = read_table(&display, &bytes, format, sheet.as_deref());
    ld.doc.diags.extend(diags);
    let Some(table) = table else { return Vec::new() };
    let names = table.names();
    let header = table.header_loc();
    let Some(code_col) = table.column("code") else {
        ld.doc.diags.push(header.error(
            text(format!("{display} has no `code` column"), format!("{display} 没有 `code` 列")),
            text(
                format!(
                    "the columns are code, name_zh, name_en, lon, lat, then any others; the header is: {}",
                    list(&names, 30)
                ),
                format!("列应为 code、name_zh、name_en、lon、lat，其后可有其他列；当前表头为：{}", list(&names, 30)),
            ),
        ));
        return Vec::new();
    };
    let (zh_col, en_col) = (table.column("name_zh"), table.column("name_en"));
    if zh_col.is_none() && en_col.is_none() {
        ld.doc.diags.push(header.error(
            text(
                format!("{display} has neither a `name_zh` nor a `name_en` column"),
                format!("{display} 既没有 `name_zh` 列也没有 `name_en` 列"),
            ),
            text(
                "add the unit names in a name_zh and/or name_en column",
                "请在 name_zh 和/或 name_en 列中填写单元名称",
            ),
        ));
    }
    let mut group_cols = Vec::new();
    for (g, span) in &groups_wanted {
        match table.column(g) {
            Some(j) => group_cols.push((g.clone(), j)),
            None => ld.doc.error(
                span,
                Some("units.groups".into()),
                text(format!("group column '{g}' is not in {display}"), format!("分组列 '{g}' 不在 {display} 中")),
                text(format!("columns: {}", list(&names, 30)), format!("现有列：{}", list(&names, 30))),
            ),
        }
    }
    let (lon_col, lat_col) = (table.column("lon"), table.column("lat"));
    let known: Vec<Option<usize>> = vec![Some(code_col), zh_col, en_col, lon_col, lat_col];
    let mut out = Vec::new();
    for row in &table.rows {
        let cell = |j: Option<usize>| j.and_then(|j| row.get(j));
        let Some(code_cell) = cell(Some(code_col)) else { continue };
        let Some(code) = code_cell.value.code() else {
            ld.doc.diags.push(table.loc(code_cell.pos).error(
                text("empty unit code", "单元代码为空"),
                text("give every unit a unique code", "请为每个单元填写唯一的代码"),
            ));
            continue;
        };
        let loc = table.loc(code_cell.pos);
        let name_of = |j: Option<usize>| cell(j).and_then(|c| c.value.code()).unwrap_or_default();
        let name = Text::new(name_of(en_col), name_of(zh_col));
        if name.is_empty() && (zh_col.is_some() || en_col.is_some()) {
            ld.doc.diags.push(loc.error(
                text(format!("unit '{code}' has no name"), format!("单元 '{code}' 没有名称")),
                text("fill in name_zh and/or name_en", "请填写 name_zh 和/或 name_en"),
            ));
        }
        let mut coord = |j: Option<usize>| -> Option<(f64, Location)> {
            let c = cell(j)?;
            match c.value.number() {
                Ok(x) if x.is_nan() => None,
                Ok(x) => Some((x, table.loc(c.pos))),
                Err((m, h)) => {
                    ld.doc.diags.push(table.loc(c.pos).error(m, h));
                    None
                }
            }
        };
        let given = |j: Option<usize>| cell(j).is_some_and(|c| c.value.number().map_or(true, |x| !x.is_nan()));
        let coords = Coords { lon: coord(lon_col), lat: coord(lat_col), given: (given(lon_col), given(lat_col)) };
        coords.check(&mut ld.doc.diags, &loc, &code);
        let mut groups = BTreeMap::new();
        for (g, j) in &group_cols {
            if let Some(v) = cell(Some(*j)).and_then(|c| c.value.code()) {
                groups.insert(g.clone(), v);
            }
        }
        let mut attributes = BTreeMap::new();
        for (j, n) in names.iter().enumerate() {
            if known.contains(&Some(j)) || group_cols.iter().any(|(_, k)| *k == j) {
                continue;
            }
            if let Some(c) = row.get(j)
                && c.value != CellValue::Empty
                && let Some(v) = c.value.code()
            {
                attributes.insert(n.clone(), v);
            }
        }
        let unit = Unit {
            code,
            name: if name.is_empty() { Text::default() } else { name },
            groups,
            lon: coords.lon.map(|(x, _)| x),
            lat: coords.lat.map(|(y, _)| y),
            attributes,
        };
        out.push(UnitDecl { unit, loc });
    }
    out
}

/// Unit codes must be non-empty and unique.
fn check_units(diags: &mut Vec<Diagnostic>, units: &mut Vec<UnitDecl>) {
    let mut keep: Vec<UnitDecl> = Vec::with_capacity(units.len());
    for u in units.drain(..) {
        let code = &u.unit.code;
        if code.trim().is_empty() {
            diags.push(u.loc.error(
                text("empty unit code", "单元代码为空"),
                text("give every unit a unique code", "请为每个单元填写唯一的代码"),
            ));
            continue;
        }
        if code != code.trim() {
            diags.push(u.loc.error(
                text(
                    format!("unit code \"{code}\" has leading or trailing spaces"),
                    format!("单元代码 \"{code}\" 首尾有空格"),
                ),
                text("remove the spaces", "请删除空格"),
            ));
            continue;
        }
        if let Some(first) = keep.iter().find(|k| k.unit.code == *code) {
            let at = first.loc.describe();
            diags.push(u.loc.error(
                text(
                    format!("duplicate unit code '{code}' (first declared at {at})"),
                    format!("单元代码 '{code}' 重复（首次声明于 {at}）"),
                ),
                text("give every unit its own code", "请为每个单元设置不同的代码"),
            ));
            continue;
        }
        keep.push(u);
    }
    *units = keep;
}
