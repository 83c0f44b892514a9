//! Bilingual messages for the core's validation errors. The English comes from the core's
//! `Display` (split at its first `"; "` into message and help); the Chinese is written here.

use baydex_core::framework::FrameworkIssueKind;
use baydex_core::tier::TierError;
use baydex_core::{ParamError, Text};

use crate::diag::{split_help, text};

/// English (message, help) from a core error's `Display`.
fn english(e: &impl std::fmt::Display) -> (String, String) {
    split_help(&e.to_string())
}

/// Both languages from the English (split) and Chinese (message, help).
fn both(en: (String, String), zh: (String, String)) -> (Text, Text) {
    (text(en.0, zh.0), text(en.1, zh.1))
}

/// (message, help) of a framework issue. `DuplicateCode` is handled by the caller, which
/// knows where the first declaration is.
pub(crate) fn framework_issue(k: &FrameworkIssueKind) -> (Text, Text) {
    use FrameworkIssueKind as K;
    let en = english(k);
    let zh = match k {
        K::EmptyCode => ("节点代码为空".to_string(), "请为每个节点设置唯一且非空的 `code`".to_string()),
        K::DuplicateCode { code, first } => {
            (format!("代码 '{code}' 重复（首次声明为第 {first} 个节点）"), "请重命名其中一个".to_string())
        }
        K::UnknownParent { code, parent } => {
            (format!("节点 '{code}' 的上级 '{parent}' 未声明"), "请声明该上级节点，或修改 `parent` 键".to_string())
        }
        K::IndicatorHasChildren { code, child } => {
            (format!("指标 '{code}' 是 '{child}' 的上级"), "只有汇总节点（[[node]] 或 [index]）可以有下级".to_string())
        }
        K::AggregateWithoutChildren { code } => {
            (format!("汇总节点 '{code}' 没有下级"), "请为其添加指标或子维度，或删除它".to_string())
        }
        K::Cycle { cycle } => {
            (format!("上级关系形成循环：{}", cycle.join(" → ")), "每条上级链都必须止于指数".to_string())
        }
        K::NoRoot => ("没有根节点：每个节点都有上级".to_string(), "指数必须是唯一没有 `parent` 的节点".to_string()),
        K::Orphan { code, root } => {
            (format!("节点 '{code}' 没有上级，而 '{root}' 已是指数"), "请设置 `parent`，将其挂到指标体系中".to_string())
        }
        K::BadWeight { code, weight } => {
            (format!("节点 '{code}' 的权重为 {weight}"), "权重必须是有限数且 ≥ 0".to_string())
        }
        K::ZeroWeights { code } => (format!("'{code}' 的所有下级权重均为 0"), "请至少给一个下级正的权重".to_string()),
        K::BadDirection { code, direction } => {
            (format!("指标 '{code}' 的方向为 {direction}"), "请用 1（越大越好）或 -1（越小越好）".to_string())
        }
        K::RootIsIndicator { code } => (format!("根节点 '{code}' 是指标"), "根节点必须是指数（汇总节点）".to_string()),
        K::BadGoalposts { code, lower, upper } => {
            (format!("指标 '{code}' 的目标区间为 [{lower}, {upper}]"), "请写成 [下限, 上限]，且下限 < 上限".to_string())
        }
        _ => en.clone(),
    };
    both(en, zh)
}

/// (message, help) of a tier problem.
pub(crate) fn tier_error(e: &TierError) -> (Text, Text) {
    let en = english(e);
    let zh = match e {
        TierError::NoBands => ("梯队方案至少需要一档".to_string(), "请添加 [[tiers.band]]".to_string()),
        TierError::NotDecreasing { code, min, previous } => (
            format!("梯队 '{code}' 的下限 {min} 不低于上一档的下限 {previous}"),
            "请按从高到低的顺序列出各档，`min` 依次递减".to_string(),
        ),
        TierError::CatchAllNotLast { code } => {
            (format!("梯队 '{code}' 没有 `min`，但不是最后一档"), "只有最后一档可以省略 `min`".to_string())
        }
        TierError::BadMin { code, min } => (format!("梯队 '{code}' 的下限为 {min}"), "下限必须是有限数".to_string()),
        TierError::DuplicateCode { code } => {
            (format!("两个梯队使用了相同的代码 '{code}'"), "请为每一档设置不同的代码".to_string())
        }
        TierError::UnknownMethod { method } => (
            format!("未知的梯队划分方法 \"{method}\""),
            "可用方法：fixed（固定阈值）、jenks（自然断点）、kmeans（k 均值）、quantile（分位数）".to_string(),
        ),
        TierError::MinWithDataDriven { code, method } => (
            format!("梯队 '{code}' 设置了 `min`，但方法 \"{method}\" 根据得分计算断点"),
            "请删除各档的 `min`（或改用 method = \"fixed\"）".to_string(),
        ),
        TierError::TooFewBands { method, bands } => (
            format!("方法 \"{method}\" 至少需要 2 档，实际为 {bands} 档"),
            "请为每一类添加一个 [[tiers.band]]".to_string(),
        ),
        TierError::TooFewDistinct { method, distinct, bands } => (
            format!("只有 {distinct} 个不同的得分，无法用 \"{method}\" 分为 {bands} 档"),
            "请减少档数、用 `nodes` 指定要划分梯队的节点，或改用 method = \"fixed\"".to_string(),
        ),
        _ => en.clone(),
    };
    both(en, zh)
}

fn expected_zh(s: &str) -> String {
    match s {
        "a finite number" => "有限数".into(),
        "a non-negative integer" => "非负整数".into(),
        "true or false" => "true 或 false".into(),
        "a string" => "字符串".into(),
        "an array of two numbers, e.g. [0, 100]" => "两个数字组成的数组，如 [0, 100]".into(),
        "a table, e.g. { CODE = ... }" => "表，如 { 代码 = ... }".into(),
        "a node" => "节点".into(),
        "an indicator" => "指标".into(),
        "a level" => "层级".into(),
        "an aggregate" => "汇总节点".into(),
        other => other.to_string(),
    }
}

/// (message, help) of an invalid step parameter, prefixed with the step name.
pub(crate) fn param_error(step: &str, e: &ParamError) -> (Text, Text) {
    let (m, h) = english(e);
    let en = (format!("step '{step}': {m}"), h);
    let zh = match e {
        ParamError::Unknown { name, valid } => {
            (format!("步骤 '{step}'：未知参数 '{name}'"), format!("有效参数：{}", valid.join(", ")))
        }
        ParamError::WrongType { name, expected, got } => {
            (format!("步骤 '{step}'：参数 '{name}' 应为{}，实际为 {got}", expected_zh(expected)), String::new())
        }
        ParamError::UnknownMethod { name, got, valid } => {
            (format!("步骤 '{step}'：参数 '{name}' = \"{got}\" 不是已知的方法"), format!("可选：{}", valid.join(", ")))
        }
        ParamError::FlippedRange { name, lower, upper } => {
            (format!("步骤 '{step}'：参数 '{name}' = [{lower}, {upper}] 须满足下限 < 上限"), String::new())
        }
        ParamError::OutOfDomain { name, got, expected } => {
            (format!("步骤 '{step}'：参数 '{name}' = {got}：{}", expected_zh(expected)), String::new())
        }
        ParamError::UnknownTarget { name, code, expected } => (
            format!("步骤 '{step}'：参数 '{name}' 中的 '{code}' 不是指标体系中的{}", expected_zh(expected)),
            "请检查代码的拼写".to_string(),
        ),
        _ => (format!("步骤 '{step}'：{m}", m = en.0), en.1.clone()),
    };
    both(en, zh)
}

/// The parameter a `ParamError` is about (its first path segment), to locate it.
pub(crate) fn param_name(e: &ParamError) -> Option<&str> {
    let name = match e {
        ParamError::Unknown { name, .. }
        | ParamError::WrongType { name, .. }
        | ParamError::UnknownMethod { name, .. }
        | ParamError::FlippedRange { name, .. }
        | ParamError::OutOfDomain { name, .. }
        | ParamError::UnknownTarget { name, .. } => name.as_str(),
        _ => return None,
    };
    name.split(['.', '[']).next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages() {
        let issues = [
            FrameworkIssueKind::EmptyCode,
            FrameworkIssueKind::UnknownParent { code: "a".into(), parent: "b".into() },
            FrameworkIssueKind::Cycle { cycle: vec!["a".into(), "b".into(), "a".into()] },
            FrameworkIssueKind::BadWeight { code: "a".into(), weight: -1.0 },
        ];
        for k in &issues {
            let (m, h) = framework_issue(k);
            assert!(!m.en.is_empty() && !m.zh.is_empty() && !h.en.is_empty() && !h.zh.is_empty(), "{m:?} {h:?}");
            assert_ne!(m.en, m.zh);
        }
        let (m, h) = tier_error(&TierError::CatchAllNotLast { code: "T1".into() });
        assert!(m.zh.contains("T1") && h.en.contains("last band"));
        let (m, h) = param_error("normalise", &ParamError::Unknown { name: "rnage".into(), valid: vec!["range"] });
        assert_eq!(m.en, "step 'normalise': unknown parameter 'rnage'");
        assert_eq!(h.en, "valid parameters: range");
        assert!(m.zh.contains("未知参数"));
    }
}
