//! `[[pipeline]]` (the steps, checked against the core's step registry) and `[tiers]`.

use std::collections::BTreeMap;

use baydex_core::{Framework, Params, StepSpec, Text, TierBand, TierScheme, Value, step};

use super::Loader;
use super::doc::{Doc, Tbl};
use super::translate;
use crate::diag::{Diagnostic, Location, closest, list, text};
use crate::set::convert;

pub(crate) fn parse_pipeline(ld: &mut Loader<'_>, top: &Tbl<'_, '_>, framework: Option<&Framework>) -> Vec<StepSpec> {
    if top.get("pipeline").is_none() {
        ld.doc.file_error(
            text("the project has no [[pipeline]] steps", "项目文件没有 [[pipeline]] 计算步骤"),
            text(
                "add the steps in order, e.g. [[pipeline]] step = \"normalise\" and [[pipeline]] step = \"aggregate\"",
                "请按顺序添加步骤，如 [[pipeline]] step = \"normalise\" 与 [[pipeline]] step = \"aggregate\"",
            ),
        );
        return Vec::new();
    }
    let registered: Vec<&str> = step::registry().iter().map(|s| s.name).collect();
    let entries = top.tables(&mut ld.doc, "pipeline");
    let mut out = Vec::new();
    for t in &entries {
        let Some(name) = t.string(&mut ld.doc, "step", true) else { continue };
        let mut params = Params::new();
        let mut ok = true;
        for (k, v) in t.t.iter() {
            let key = k.get_ref().as_ref();
            if key == "step" {
                continue;
            }
            match convert(v.get_ref()) {
                Ok(x) => {
                    params.insert(key.to_string(), x);
                }
                Err(m) => {
                    ok = false;
                    ld.doc.error(&v.span(), Some(t.key(key)), m, Text::default());
                }
            }
        }
        // `weight` with `values_file = "weights.csv"`: expert weights from a file, read here (the
        // core reads no files) into the step's `values` table.
        if name == "weight"
            && let Some(Value::Str(rel)) = params.remove("values_file")
        {
            let read = ld.read(&rel, &t.span_of("values_file"), t.key("values_file"));
            match read.map(|(display, bytes)| weights_csv(&display, &bytes)) {
                Some(Ok(values)) => {
                    params.insert("values".into(), Value::Table(values));
                }
                Some(Err(d)) => {
                    ld.doc.diags.extend(d);
                    ok = false;
                }
                None => ok = false,
            }
        }
        let spec = StepSpec { step: name.clone(), params };
        let Some(info) = step::find(&name) else {
            let all = registered.join(", ");
            let help = match closest(&name, registered.iter().copied()) {
                Some(c) => {
                    text(format!("did you mean \"{c}\"? steps: {all}"), format!("是否应为 \"{c}\"？可用步骤：{all}"))
                }
                None => text(format!("steps: {all}"), format!("可用步骤：{all}")),
            };
            ld.doc.error(
                &t.span_of("step"),
                Some(t.key("step")),
                text(format!("unknown step \"{name}\""), format!("未知的步骤 \"{name}\"")),
                help,
            );
            out.push(spec);
            continue;
        };
        if let (Some(fw), true) = (framework, ok)
            && let Err(e) = (info.build)(&spec, fw)
        {
            let (message, help) = translate::param_error(&name, &e);
            let (span, key) = match translate::param_name(&e).filter(|p| t.get(p).is_some()) {
                Some(p) => {
                    let span = match e {
                        baydex_core::ParamError::Unknown { .. } => t.key_span(p).unwrap_or_else(|| t.span_of(p)),
                        _ => t.span_of(p),
                    };
                    (span, t.key(p))
                }
                None => (t.span.clone(), t.path.clone()),
            };
            ld.doc.error(&span, Some(key), message, help);
        }
        out.push(spec);
    }
    let all_known = out.iter().all(|s| step::find(&s.step).is_some());
    if !entries.is_empty() && all_known && !out.iter().any(|s| s.step == "aggregate") {
        let span = entries.last().map_or(top.span.clone(), |t| t.span.clone());
        ld.doc.error(
            &span,
            Some("pipeline".into()),
            text(
                "the pipeline has no `aggregate` step, so no index can be computed",
                "计算流程没有 `aggregate` 步骤，无法计算指数",
            ),
            text("add [[pipeline]] step = \"aggregate\" at the end", "请在末尾添加 [[pipeline]] step = \"aggregate\""),
        );
    }
    out
}

/// Expert weights from a CSV file with columns `code,weight` (one row per node; `#` comments).
fn weights_csv(display: &str, bytes: &[u8]) -> Result<BTreeMap<String, Value>, Vec<Diagnostic>> {
    let text_in = String::from_utf8_lossy(bytes);
    let mut out = BTreeMap::new();
    let mut errs = Vec::new();
    let mut header_seen = false;
    for (i, raw) in text_in.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = Location { file: display.to_string(), line: Some(i + 1), column: None, key: None };
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        if !header_seen {
            header_seen = true;
            if f != ["code", "weight"] {
                errs.push(at.error(
                    text(
                        format!("the header is \"{line}\", expected \"code,weight\""),
                        format!("表头为 \"{line}\"，应为 \"code,weight\""),
                    ),
                    text(
                        "put `code,weight` on the first line, then one node per line",
                        "第一行写 `code,weight`，之后每行一个节点",
                    ),
                ));
                return Err(errs);
            }
            continue;
        }
        match (f.first(), f.get(1).map(|w| w.parse::<f64>()), f.len()) {
            (Some(code), Some(Ok(w)), 2) if !code.is_empty() && w.is_finite() && w >= 0.0 => {
                if out.insert(code.to_string(), Value::Float(w)).is_some() {
                    errs.push(at.error(
                        text(format!("node '{code}' is listed twice"), format!("节点 '{code}' 重复出现")),
                        text("keep one line per node", "每个节点只保留一行"),
                    ));
                }
            }
            _ => errs.push(at.error(
                text(format!("cannot read \"{line}\" as code,weight"), format!("无法将 \"{line}\" 读作 code,weight")),
                text(
                    "write a node code and a weight ≥ 0, e.g. COM,0.25",
                    "请写节点代码和不小于 0 的权重，例如 COM,0.25",
                ),
            )),
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

pub(crate) fn parse_tiers(doc: &mut Doc<'_>, top: &Tbl<'_, '_>, node_codes: &[String]) -> Option<TierScheme> {
    let t = top.table(doc, "tiers")?;
    t.check_keys(doc, &["method", "nodes", "band"]);
    // `fixed` (thresholds in `min`) or a data-driven method (`jenks`, `kmeans`, `quantile`: bands
    // without `min`); checked by `TierScheme::validate` below.
    let method = t.string(doc, "method", false).unwrap_or_else(|| "fixed".into());
    let nodes = match t.array(doc, "nodes") {
        None => None,
        Some(a) => {
            let mut v = Vec::new();
            for (n, x) in a.iter().enumerate() {
                let key = format!("tiers.nodes[{}]", n + 1);
                let Some(code) = x.get_ref().as_str() else {
                    doc.wrong_type(x, &key, super::doc::STRING);
                    continue;
                };
                if !node_codes.iter().any(|c| c == code) {
                    let known: Vec<&str> = node_codes.iter().map(String::as_str).collect();
                    let help = match closest(code, known.iter().copied()) {
                        Some(c) => text(format!("did you mean '{c}'?"), format!("是否应为 '{c}'？")),
                        None => text(format!("nodes: {}", list(&known, 20)), format!("现有节点：{}", list(&known, 20))),
                    };
                    doc.error(
                        &x.span(),
                        Some(key),
                        text(
                            format!("'{code}' is not a node of the framework"),
                            format!("'{code}' 不是指标体系中的节点"),
                        ),
                        help,
                    );
                }
                v.push(code.to_string());
            }
            Some(v)
        }
    };
    let band_tables = t.tables(doc, "band");
    let mut bands = Vec::new();
    for b in &band_tables {
        b.check_keys(doc, &["code", "name", "min"]);
        let code = b.string(doc, "code", true).unwrap_or_default();
        let name = b.text(doc, "name", true).unwrap_or_else(|| Text::new(code.clone(), code.clone()));
        let min = b.number(doc, "min");
        bands.push(TierBand { code, name, min });
    }
    let scheme = TierScheme { method, bands, nodes };
    if let Err(errors) = scheme.validate() {
        for e in errors {
            use baydex_core::tier::TierError as E;
            let (message, help) = translate::tier_error(&e);
            let find = |code: &str, nth: usize| {
                band_tables.iter().zip(&scheme.bands).filter(|(_, b)| b.code == code).nth(nth).map(|(t, _)| t)
            };
            let (span, key) = match &e {
                E::UnknownMethod { .. } => (t.span_of("method"), "tiers.method".into()),
                E::NotDecreasing { code, .. } | E::BadMin { code, .. } | E::MinWithDataDriven { code, .. } => {
                    match find(code, 0) {
                        Some(b) => (b.span_of("min"), b.key("min")),
                        None => (t.span.clone(), "tiers".into()),
                    }
                }
                E::CatchAllNotLast { code } => match find(code, 0) {
                    Some(b) => (b.span.clone(), b.path.clone()),
                    None => (t.span.clone(), "tiers".into()),
                },
                E::DuplicateCode { code } => match find(code, 1) {
                    Some(b) => (b.span_of("code"), b.key("code")),
                    None => (t.span.clone(), "tiers".into()),
                },
                _ => (t.span.clone(), "tiers".into()),
            };
            doc.error(&span, Some(key), message, help);
        }
    }
    Some(scheme)
}
