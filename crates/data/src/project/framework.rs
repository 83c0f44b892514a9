//! `[index]`, `[[node]]`, `[[indicator]]` and `[[series]]`: the framework tree and the
//! auxiliary series.

use std::collections::HashMap;
use std::ops::Range;

use baydex_core::framework::FrameworkIssueKind;
use baydex_core::{Framework, Goalposts, IndexMeta, NodeKind, NodeSpec, SeriesSpec, Text};
use toml::de::DeValue;

use super::doc::{Doc, PAIR, Tbl, as_number};
use super::translate;
use crate::diag::{closest, list, text};

/// Codes that would be confused with the columns of a data file.
const RESERVED: &[&str] = &["unit", "period"];

/// Where a framework spec was declared, to locate its problems.
pub(crate) struct SpecInfo {
    pub header: Range<usize>,
    pub path: String,
    spans: Vec<(&'static str, Range<usize>)>,
    code_missing: bool,
}

impl SpecInfo {
    /// The span of a key's value, or the header when the key is absent.
    pub(crate) fn span(&self, k: &str) -> Range<usize> {
        self.spans.iter().find(|(n, _)| *n == k).map_or(self.header.clone(), |(_, s)| s.clone())
    }

    fn key(&self, k: &str) -> Option<String> {
        Some(format!("{}.{k}", self.path))
    }

    fn record(tbl: &Tbl<'_, '_>, keys: &[&'static str]) -> Self {
        let spans = keys.iter().filter_map(|k| tbl.get(k).map(|v| (*k, v.span()))).collect();
        SpecInfo { header: tbl.span.clone(), path: tbl.path.clone(), spans, code_missing: false }
    }
}

/// `[index]`: the root spec, the metadata and the requested periods.
pub(crate) struct IndexOut {
    pub meta: IndexMeta,
    /// `index.periods` with the span of each entry, if given.
    pub periods: Option<Vec<(String, Range<usize>)>>,
    /// The root spec, if `[index]` has a code.
    pub root: Option<(NodeSpec, SpecInfo)>,
}

pub(crate) fn parse_index(doc: &mut Doc<'_>, top: &Tbl<'_, '_>) -> IndexOut {
    let mut out = IndexOut {
        meta: IndexMeta {
            name: Text::default(),
            description: Text::default(),
            illustrative: false,
            illustrative_note: Text::default(),
            periods: Vec::new(),
        },
        periods: None,
        root: None,
    };
    if top.get("index").is_none() {
        doc.file_error(
            text("the project has no [index] section", "项目文件缺少 [index] 节"),
            text(
                "add [index] with code = \"…\" and name = { zh = \"…\", en = \"…\" }",
                "请添加 [index]，并写明 code = \"…\" 与 name = { zh = \"…\", en = \"…\" }",
            ),
        );
        return out;
    }
    let Some(t) = top.table(doc, "index") else { return out };
    t.check_keys(doc, &["code", "name", "description", "periods", "illustrative", "illustrative_note"]);
    let code = t.string(doc, "code", true);
    let name = t.text(doc, "name", true);
    out.meta.description = t.text(doc, "description", false).unwrap_or_default();
    out.meta.illustrative = t.boolean(doc, "illustrative").unwrap_or(false);
    out.meta.illustrative_note = t.text(doc, "illustrative_note", false).unwrap_or_default();
    if let Some(a) = t.array(doc, "periods") {
        let mut periods: Vec<(String, Range<usize>)> = Vec::new();
        for (n, v) in a.iter().enumerate() {
            let key = format!("index.periods[{}]", n + 1);
            let p = match v.get_ref() {
                DeValue::String(s) => s.trim().to_string(),
                DeValue::Integer(_) => doc.lines.slice(v.span()).replace('_', ""),
                _ => {
                    doc.wrong_type(v, &key, super::doc::STRING);
                    continue;
                }
            };
            if p.is_empty() {
                doc.error(
                    &v.span(),
                    Some(key),
                    text("empty period", "期间为空"),
                    text("write a period such as \"2023\"", "请填写期间，如 \"2023\""),
                );
            } else if let Some((_, first)) = periods.iter().find(|(q, _)| *q == p) {
                let at = doc.loc(first, None).describe();
                doc.error(
                    &v.span(),
                    Some(key),
                    text(
                        format!("period \"{p}\" is listed twice (first at {at})"),
                        format!("期间 \"{p}\" 列出了两次（第一次在 {at}）"),
                    ),
                    text("remove one of them", "请删除其中一个"),
                );
            } else {
                periods.push((p, v.span()));
            }
        }
        if a.is_empty() {
            doc.error(
                &t.span_of("periods"),
                Some("index.periods".into()),
                text("`periods` is empty", "`periods` 为空"),
                text(
                    "list the periods to compute, or omit `periods` to use every period in the data",
                    "请列出要计算的期间，或省略 `periods` 以使用数据中的全部期间",
                ),
            );
        }
        out.periods = Some(periods);
    }
    let name = name.unwrap_or_else(|| Text::new(code.clone().unwrap_or_default(), code.clone().unwrap_or_default()));
    out.meta.name = name.clone();
    if let Some(code) = code {
        let mut spec = NodeSpec::aggregate(&code, None);
        spec.name = name;
        spec.definition = out.meta.description.clone();
        out.root = Some((spec, SpecInfo::record(&t, &["code"])));
    }
    out
}

/// A `[[series]]` entry.
pub(crate) struct SeriesOut {
    pub spec: SeriesSpec,
    pub code_span: Range<usize>,
}

pub(crate) fn parse_series(doc: &mut Doc<'_>, top: &Tbl<'_, '_>) -> Vec<SeriesOut> {
    let mut out: Vec<SeriesOut> = Vec::new();
    for t in top.tables(doc, "series") {
        t.check_keys(doc, &["code", "name", "unit", "source"]);
        let code = t.string(doc, "code", true);
        let name = t.text(doc, "name", false);
        let unit = t.text(doc, "unit", false).unwrap_or_default();
        let source = t.text(doc, "source", false).unwrap_or_default();
        let Some(code) = code else { continue };
        let span = t.span_of("code");
        if !check_code(doc, &code, &span, &t.key("code")) {
            continue;
        }
        if let Some(first) = out.iter().find(|s| s.spec.code == code) {
            let at = doc.loc(&first.code_span, None).describe();
            doc.error(
                &span,
                Some(t.key("code")),
                text(
                    format!("duplicate series code '{code}' (first declared at {at})"),
                    format!("辅助序列代码 '{code}' 重复（首次声明于 {at}）"),
                ),
                text("rename or remove one of them", "请重命名或删除其中一个"),
            );
            continue;
        }
        let name = name.unwrap_or_else(|| Text::new(code.clone(), code.clone()));
        out.push(SeriesOut { spec: SeriesSpec { code, name, unit, source }, code_span: span });
    }
    out
}

/// Checks that a code is non-empty and not reserved; reports and returns false otherwise.
fn check_code(doc: &mut Doc<'_>, code: &str, span: &Range<usize>, key: &str) -> bool {
    if code.trim().is_empty() {
        doc.error(
            span,
            Some(key.to_string()),
            text("empty code", "代码为空"),
            text("give a unique, non-empty code", "请填写唯一且非空的代码"),
        );
        return false;
    }
    if RESERVED.contains(&code) {
        doc.error(
            span,
            Some(key.to_string()),
            text(format!("'{code}' cannot be used as a code"), format!("'{code}' 不能用作代码")),
            text(
                "`unit` and `period` name the columns of data files; choose another code",
                "`unit` 与 `period` 是数据文件的列名，请换一个代码",
            ),
        );
        return false;
    }
    if code != code.trim() {
        doc.error(
            span,
            Some(key.to_string()),
            text(format!("code \"{code}\" has leading or trailing spaces"), format!("代码 \"{code}\" 首尾有空格")),
            text("remove the spaces", "请删除空格"),
        );
        return false;
    }
    true
}

/// The parsed framework: specs in the order given to [`Framework::build`] and where each was
/// declared; the framework itself when it is valid.
pub(crate) struct FrameworkOut {
    pub specs: Vec<NodeSpec>,
    pub infos: Vec<SpecInfo>,
    pub framework: Option<Framework>,
}

impl FrameworkOut {
    /// Indicator codes in declaration order, with the span of each code.
    pub(crate) fn indicator_codes(&self) -> Vec<(String, Range<usize>)> {
        self.specs
            .iter()
            .zip(&self.infos)
            .filter(|(s, i)| s.kind == NodeKind::Indicator && !i.code_missing)
            .map(|(s, i)| (s.code.clone(), i.span("code")))
            .collect()
    }
}

const NODE_KEYS: &[&str] = &["code", "name", "parent", "weight"];
const INDICATOR_KEYS: &[&str] = &[
    "code",
    "name",
    "parent",
    "weight",
    "direction",
    "unit",
    "definition",
    "source",
    "denominator",
    "target",
    "goalposts",
];
const LOCATED: &[&str] = &["code", "parent", "weight", "direction", "goalposts", "denominator"];

pub(crate) fn parse_framework(
    doc: &mut Doc<'_>,
    top: &Tbl<'_, '_>,
    index: &IndexOut,
    series: &[SeriesOut],
) -> FrameworkOut {
    let mut specs = Vec::new();
    let mut infos = Vec::new();
    let root_code = index.root.as_ref().map(|(s, _)| s.code.clone()).unwrap_or_default();
    if let Some((spec, info)) = &index.root {
        specs.push(spec.clone());
        infos.push(SpecInfo {
            header: info.header.clone(),
            path: "index".into(),
            spans: info.spans.clone(),
            code_missing: false,
        });
    }
    let mut entries: Vec<(NodeKind, Tbl<'_, '_>)> = top
        .tables(doc, "node")
        .into_iter()
        .map(|t| (NodeKind::Aggregate, t))
        .chain(top.tables(doc, "indicator").into_iter().map(|t| (NodeKind::Indicator, t)))
        .collect();
    entries.sort_by_key(|(_, t)| t.span.start);

    for (kind, t) in &entries {
        let indicator = *kind == NodeKind::Indicator;
        t.check_keys(doc, if indicator { INDICATOR_KEYS } else { NODE_KEYS });
        let mut info = SpecInfo::record(t, LOCATED);
        let code = t.string(doc, "code", true);
        let name = t.text(doc, "name", true);
        let parent = t.string(doc, "parent", true);
        let code = match code {
            Some(c) if check_code(doc, &c, &t.span_of("code"), &t.key("code")) => c,
            _ => {
                info.code_missing = true;
                String::new()
            }
        };
        let mut spec = if indicator {
            NodeSpec::indicator(&code, parent.as_deref().unwrap_or(&root_code))
        } else {
            NodeSpec::aggregate(&code, Some(parent.as_deref().unwrap_or(&root_code)))
        };
        if let Some(n) = name {
            spec.name = n;
        }
        if let Some(w) = t.number(doc, "weight") {
            spec.weight = w;
        }
        if indicator {
            if let Some(d) = t.number(doc, "direction") {
                spec.direction = d;
            }
            spec.unit = t.text(doc, "unit", false).unwrap_or_default();
            spec.definition = t.text(doc, "definition", false).unwrap_or_default();
            spec.source = t.text(doc, "source", false).unwrap_or_default();
            spec.target = t.number(doc, "target");
            spec.goalposts = goalposts(doc, t);
            if let Some(d) = t.string(doc, "denominator", false) {
                if series.iter().any(|s| s.spec.code == d) {
                    spec.denominator = Some(d);
                } else {
                    let codes: Vec<&str> = series.iter().map(|s| s.spec.code.as_str()).collect();
                    let help = match closest(&d, codes.iter().copied()) {
                        Some(c) => text(format!("did you mean '{c}'?"), format!("是否应为 '{c}'？")),
                        None if codes.is_empty() => text(
                            format!(
                                "declare it: [[series]] code = \"{d}\" (and give its data), or remove `denominator`"
                            ),
                            format!("请声明：[[series]] code = \"{d}\"（并提供其数据），或删除 `denominator`"),
                        ),
                        None => text(
                            format!("declared series: {}", list(&codes, 20)),
                            format!("已声明的辅助序列：{}", list(&codes, 20)),
                        ),
                    };
                    doc.error(
                        &t.span_of("denominator"),
                        Some(t.key("denominator")),
                        text(
                            format!("denominator '{d}' is not a declared [[series]]"),
                            format!("分母 '{d}' 不是已声明的 [[series]]"),
                        ),
                        help,
                    );
                }
            }
        }
        specs.push(spec);
        infos.push(info);
    }

    // Series must not share codes with nodes.
    for s in series {
        if let Some(i) = specs.iter().position(|n| n.code == s.spec.code) {
            let at = infos.get(i).map(|inf| doc.loc(&inf.span("code"), None).describe()).unwrap_or_default();
            doc.error(
                &s.code_span,
                None,
                text(
                    format!("series '{}' has the same code as a node of the framework ({at})", s.spec.code),
                    format!("辅助序列 '{}' 与指标体系中的节点代码相同（{at}）", s.spec.code),
                ),
                text("codes of nodes, indicators and series must all differ", "节点、指标与辅助序列的代码必须互不相同"),
            );
        }
    }

    let framework = if index.root.is_some() { build(doc, &specs, &infos) } else { None };
    FrameworkOut { specs, infos, framework }
}

fn goalposts(doc: &mut Doc<'_>, t: &Tbl<'_, '_>) -> Option<Goalposts> {
    let v = t.get("goalposts")?;
    let pair = match v.get_ref() {
        DeValue::Array(a) if a.len() == 2 => {
            a.first().and_then(|x| as_number(x.get_ref())).zip(a.get(1).and_then(|x| as_number(x.get_ref())))
        }
        _ => None,
    };
    match pair {
        Some((lower, upper)) => Some(Goalposts { lower, upper }),
        None => {
            doc.wrong_type(v, &t.key("goalposts"), PAIR);
            None
        }
    }
}

/// Builds the framework and reports its issues at the offending keys.
fn build(doc: &mut Doc<'_>, specs: &[NodeSpec], infos: &[SpecInfo]) -> Option<Framework> {
    let issues = match Framework::build(specs.to_vec()) {
        Ok(f) => return Some(f),
        Err(issues) => issues,
    };
    let codes: Vec<&str> = specs.iter().map(|s| s.code.as_str()).filter(|c| !c.is_empty()).collect();
    let mut seen: HashMap<String, ()> = HashMap::new();
    for issue in issues {
        let Some(info) = infos.get(issue.spec) else { continue };
        use FrameworkIssueKind as K;
        let field = match &issue.kind {
            K::EmptyCode if info.code_missing => continue,
            K::EmptyCode | K::DuplicateCode { .. } => Some("code"),
            K::UnknownParent { .. } | K::IndicatorHasChildren { .. } | K::Cycle { .. } => Some("parent"),
            K::BadWeight { .. } => Some("weight"),
            K::BadDirection { .. } => Some("direction"),
            K::BadGoalposts { .. } => Some("goalposts"),
            _ => None,
        };
        let (mut message, mut help) = translate::framework_issue(&issue.kind);
        match &issue.kind {
            K::DuplicateCode { code, first } => {
                let at = first
                    .checked_sub(1)
                    .and_then(|i| infos.get(i))
                    .map(|f| doc.loc(&f.span("code"), None).describe())
                    .unwrap_or_default();
                message = text(
                    format!("duplicate code '{code}' (first declared at {at})"),
                    format!("代码 '{code}' 重复（首次声明于 {at}）"),
                );
                help = text("rename one of them", "请重命名其中一个");
            }
            K::UnknownParent { parent, .. } => {
                if let Some(c) = closest(parent, codes.iter().copied()) {
                    help.en.push_str(&format!(" (did you mean '{c}'?)"));
                    help.zh.push_str(&format!("（是否应为 '{c}'？）"));
                }
            }
            _ => {}
        }
        // One report per problem and place (a cycle is reported once by the core anyway).
        let dedup = format!("{}|{}|{}", issue.spec, field.unwrap_or(""), message.en);
        if seen.insert(dedup, ()).is_some() {
            continue;
        }
        let span = field.map_or(info.header.clone(), |f| info.span(f));
        let key = field.and_then(|f| info.key(f)).or_else(|| Some(info.path.clone()));
        doc.error(&span, key, message, help);
    }
    None
}
