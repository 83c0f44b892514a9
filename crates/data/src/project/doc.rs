//! Typed, located access to the parsed TOML document: every getter reports a wrong type or a
//! missing key as a diagnostic at the right line and keeps going.

use std::ops::Range;

use baydex_core::Text;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use crate::diag::{Diagnostic, LineIndex, Location, closest, text};

/// The project file being read and the diagnostics found so far.
pub(crate) struct Doc<'s> {
    pub file: String,
    pub lines: LineIndex<'s>,
    pub diags: Vec<Diagnostic>,
}

impl<'s> Doc<'s> {
    pub(crate) fn new(file: &str, src: &'s str) -> Self {
        Doc { file: file.to_string(), lines: LineIndex::new(src), diags: Vec::new() }
    }

    /// The location of a span, with a key.
    pub(crate) fn loc(&self, span: &Range<usize>, key: Option<String>) -> Location {
        let (line, column) = self.lines.locate(span.start);
        Location { file: self.file.clone(), line: Some(line), column: Some(column), key }
    }

    pub(crate) fn error(&mut self, span: &Range<usize>, key: Option<String>, message: Text, help: Text) {
        let d = self.loc(span, key).error(message, help);
        self.diags.push(d);
    }

    pub(crate) fn warning(&mut self, span: &Range<usize>, key: Option<String>, message: Text, help: Text) {
        let d = self.loc(span, key).warning(message, help);
        self.diags.push(d);
    }

    /// An error about the whole file (no line).
    pub(crate) fn file_error(&mut self, message: Text, help: Text) {
        let d = Location::file(&self.file).error(message, help);
        self.diags.push(d);
    }

    /// The source text of a value, shortened for messages.
    pub(crate) fn shown(&self, span: &Range<usize>) -> String {
        let s = self.lines.slice(span.clone());
        let first = s.lines().next().unwrap_or("");
        if first.chars().count() > 40 || s.contains('\n') {
            format!("{}…", first.chars().take(40).collect::<String>())
        } else {
            first.to_string()
        }
    }

    /// Reports a value of the wrong type.
    pub(crate) fn wrong_type(&mut self, v: &Spanned<DeValue<'_>>, key: &str, expected: Expected) {
        let shown = self.shown(&v.span());
        let got = type_of(v.get_ref());
        let name = key.rsplit('.').next().unwrap_or(key);
        self.error(
            &v.span(),
            Some(key.to_string()),
            text(
                format!("`{name}` must be {}, got {} {shown}", expected.en, got.0),
                format!("`{name}` 应为{}，实际为{} {shown}", expected.zh, got.1),
            ),
            text(expected.example_en, expected.example_zh),
        );
    }
}

/// What type a key should have, for messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expected {
    pub en: &'static str,
    pub zh: &'static str,
    pub example_en: &'static str,
    pub example_zh: &'static str,
}

pub(crate) const STRING: Expected =
    Expected {
        en: "a string", zh: "字符串", example_en: "write it in quotes: \"…\"", example_zh: "请加引号：\"…\""
    };
pub(crate) const NUMBER: Expected = Expected {
    en: "a number",
    zh: "数字",
    example_en: "write a number without quotes, e.g. 1.5",
    example_zh: "请填写不带引号的数字，如 1.5",
};
pub(crate) const BOOL: Expected = Expected {
    en: "true or false",
    zh: "true 或 false",
    example_en: "write true or false without quotes",
    example_zh: "请填写不带引号的 true 或 false",
};
pub(crate) const TEXT: Expected = Expected {
    en: "a text",
    zh: "文本",
    example_en: "write \"…\" (both languages) or { zh = \"…\", en = \"…\" }",
    example_zh: "请写成 \"…\"（两种语言共用）或 { zh = \"…\", en = \"…\" }",
};
pub(crate) const TABLE: Expected = Expected {
    en: "a table",
    zh: "表",
    example_en: "write [section] or { key = … }",
    example_zh: "请写成 [节] 或 { 键 = … }",
};
pub(crate) const ARRAY: Expected =
    Expected { en: "an array", zh: "数组", example_en: "write [ …, … ]", example_zh: "请写成 [ …, … ]" };
pub(crate) const TABLES: Expected = Expected {
    en: "an array of tables",
    zh: "表数组",
    example_en: "write each entry under its own [[…]] header (double brackets)",
    example_zh: "每一项请写在各自的 [[…]] 标题下（双方括号）",
};
pub(crate) const PAIR: Expected = Expected {
    en: "an array of two numbers",
    zh: "两个数字组成的数组",
    example_en: "write [lower, upper], e.g. [5000, 40000]",
    example_zh: "请写成 [下限, 上限]，如 [5000, 40000]",
};

/// (en, zh) name of a TOML value's type.
pub(crate) fn type_of(v: &DeValue<'_>) -> (&'static str, &'static str) {
    match v {
        DeValue::String(_) => ("string", "字符串"),
        DeValue::Integer(_) => ("integer", "整数"),
        DeValue::Float(_) => ("float", "浮点数"),
        DeValue::Boolean(_) => ("boolean", "布尔值"),
        DeValue::Datetime(_) => ("date-time", "日期时间"),
        DeValue::Array(_) => ("array", "数组"),
        DeValue::Table(_) => ("table", "表"),
    }
}

/// A number from a TOML integer or float.
pub(crate) fn as_number(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok().map(|n| n as f64),
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        _ => None,
    }
}

/// A scalar written as text: strings as they are, numbers and booleans as written.
pub(crate) fn as_scalar_text(doc: &Doc<'_>, v: &Spanned<DeValue<'_>>) -> Option<String> {
    match v.get_ref() {
        DeValue::String(s) => Some(s.to_string()),
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) | DeValue::Datetime(_) => {
            Some(doc.lines.slice(v.span()).trim().to_string())
        }
        _ => None,
    }
}

/// A TOML table of the project file with its span and key path (`indicator[3]`).
#[derive(Clone)]
pub(crate) struct Tbl<'a, 'i> {
    pub t: &'a DeTable<'i>,
    pub span: Range<usize>,
    pub path: String,
}

impl<'a, 'i> Tbl<'a, 'i> {
    pub(crate) fn new(t: &'a DeTable<'i>, span: Range<usize>, path: impl Into<String>) -> Self {
        Tbl { t, span, path: path.into() }
    }

    /// The key path of one of this table's keys.
    pub(crate) fn key(&self, k: &str) -> String {
        if self.path.is_empty() { k.to_string() } else { format!("{}.{k}", self.path) }
    }

    pub(crate) fn get(&self, k: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.t.get(k)
    }

    /// The span of a key's value, or of the table when the key is absent.
    pub(crate) fn span_of(&self, k: &str) -> Range<usize> {
        self.get(k).map_or(self.span.clone(), |v| v.span())
    }

    /// The span of a key itself.
    pub(crate) fn key_span(&self, k: &str) -> Option<Range<usize>> {
        self.t.iter().find(|(key, _)| key.get_ref() == k).map(|(key, _)| key.span())
    }

    /// Reports every key not in `valid`, suggesting the closest valid one.
    pub(crate) fn check_keys(&self, doc: &mut Doc<'_>, valid: &[&str]) {
        for (k, _) in self.t.iter() {
            let name = k.get_ref().as_ref();
            if valid.contains(&name) {
                continue;
            }
            let list = valid.join(", ");
            let help = match closest(name, valid.iter().copied()) {
                Some(c) => {
                    text(format!("did you mean `{c}`? valid keys: {list}"), format!("是否应为 `{c}`？有效的键：{list}"))
                }
                None => text(format!("valid keys: {list}"), format!("有效的键：{list}")),
            };
            doc.error(
                &k.span(),
                Some(self.key(name)),
                text(format!("unknown key `{name}`"), format!("未知的键 `{name}`")),
                help,
            );
        }
    }

    /// Reports a missing required key at the table's header.
    pub(crate) fn missing(&self, doc: &mut Doc<'_>, k: &str, example: &str) {
        let section = section_name(&self.path);
        doc.error(
            &self.span,
            Some(self.key(k)),
            text(format!("missing required key `{k}`"), format!("缺少必填的键 `{k}`")),
            text(format!("add {k} = {example} to {section}"), format!("请在 {section} 中添加 {k} = {example}")),
        );
    }

    /// A string; `required` reports its absence.
    pub(crate) fn string(&self, doc: &mut Doc<'_>, k: &str, required: bool) -> Option<String> {
        match self.get(k) {
            None => {
                if required {
                    self.missing(doc, k, "\"…\"");
                }
                None
            }
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Some(s.to_string()),
                _ => {
                    doc.wrong_type(v, &self.key(k), STRING);
                    None
                }
            },
        }
    }

    /// A number (integer or float).
    pub(crate) fn number(&self, doc: &mut Doc<'_>, k: &str) -> Option<f64> {
        let v = self.get(k)?;
        match as_number(v.get_ref()) {
            Some(x) => Some(x),
            None => {
                doc.wrong_type(v, &self.key(k), NUMBER);
                None
            }
        }
    }

    /// A boolean.
    pub(crate) fn boolean(&self, doc: &mut Doc<'_>, k: &str) -> Option<bool> {
        let v = self.get(k)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                doc.wrong_type(v, &self.key(k), BOOL);
                None
            }
        }
    }

    /// A bilingual text: a string (both languages) or `{ zh = "…", en = "…" }`.
    pub(crate) fn text(&self, doc: &mut Doc<'_>, k: &str, required: bool) -> Option<Text> {
        let Some(v) = self.get(k) else {
            if required {
                self.missing(doc, k, "{ zh = \"…\", en = \"…\" }");
            }
            return None;
        };
        match v.get_ref() {
            DeValue::String(s) => Some(Text::new(s.to_string(), s.to_string())),
            DeValue::Table(t) => {
                let sub = Tbl::new(t, v.span(), self.key(k));
                sub.check_keys(doc, &["zh", "en"]);
                let zh = sub.string(doc, "zh", false).unwrap_or_default();
                let en = sub.string(doc, "en", false).unwrap_or_default();
                if zh.is_empty() && en.is_empty() && required {
                    doc.error(
                        &v.span(),
                        Some(self.key(k)),
                        text(format!("`{k}` is empty"), format!("`{k}` 为空")),
                        text(
                            "give zh, en or both: { zh = \"…\", en = \"…\" }",
                            "请填写 zh、en 或两者：{ zh = \"…\", en = \"…\" }",
                        ),
                    );
                }
                Some(Text::new(en, zh))
            }
            _ => {
                doc.wrong_type(v, &self.key(k), TEXT);
                None
            }
        }
    }

    /// A sub-table.
    pub(crate) fn table(&self, doc: &mut Doc<'_>, k: &str) -> Option<Tbl<'a, 'i>> {
        let v = self.get(k)?;
        match v.get_ref() {
            DeValue::Table(t) => Some(Tbl::new(t, v.span(), self.key(k))),
            _ => {
                doc.wrong_type(v, &self.key(k), TABLE);
                None
            }
        }
    }

    /// An array.
    pub(crate) fn array(&self, doc: &mut Doc<'_>, k: &str) -> Option<&'a DeArray<'i>> {
        let v = self.get(k)?;
        match v.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                doc.wrong_type(v, &self.key(k), ARRAY);
                None
            }
        }
    }

    /// An array of tables (`[[k]]`), each with its path `k[n]` (numbered from 1).
    pub(crate) fn tables(&self, doc: &mut Doc<'_>, k: &str) -> Vec<Tbl<'a, 'i>> {
        let Some(v) = self.get(k) else { return Vec::new() };
        let DeValue::Array(a) = v.get_ref() else {
            doc.wrong_type(v, &self.key(k), TABLES);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (n, item) in a.iter().enumerate() {
            let path = format!("{}[{}]", self.key(k), n + 1);
            match item.get_ref() {
                DeValue::Table(t) => out.push(Tbl::new(t, item.span(), path)),
                _ => doc.wrong_type(item, &path, TABLE),
            }
        }
        out
    }
}

/// `[[indicator]]` for `indicator[3]`, `[index]` for `index`: how a user sees a section.
pub(crate) fn section_name(path: &str) -> String {
    match path.rsplit_once('[') {
        Some((base, _)) => format!("[[{base}]]"),
        None if path.is_empty() => "the file".to_string(),
        None => format!("[{path}]"),
    }
}
