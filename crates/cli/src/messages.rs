//! User-facing messages of core errors in both languages.

use baydex_core::sensitivity::{DesignError, InputError, SensitivityError};
use baydex_core::tier::TierError;
use baydex_core::{Error, Lang, ParamError};

fn param_zh(e: &ParamError) -> String {
    match e {
        ParamError::Unknown { name, valid } => format!("未知参数 '{name}'；有效参数：{}", valid.join("、")),
        ParamError::WrongType { name, expected, got } => format!("参数 '{name}' 应为 {expected}，实际为 {got}"),
        ParamError::UnknownMethod { name, got, valid } => {
            format!("参数 '{name}' = \"{got}\" 不是已知方法；可选：{}", valid.join("、"))
        }
        ParamError::FlippedRange { name, lower, upper } => {
            format!("参数 '{name}' = [{lower}, {upper}] 须满足下限 < 上限")
        }
        ParamError::OutOfDomain { name, got, expected } => format!("参数 '{name}' = {got}：{expected}"),
        ParamError::UnknownTarget { name, code, expected } => {
            format!("参数 '{name}' 引用了 '{code}'，但它不是指标体系中的{expected}")
        }
        other => other.to_string(),
    }
}

/// The message of a core error in `lang`.
pub fn core_error(e: &Error, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        Error::Param { step, source } => format!("步骤 '{step}'：{}", param_zh(source)),
        Error::ConstantIndicator { indicator, method, value, period } => format!(
            "指标 '{indicator}' 在 {period} 期所有单元取值相同（{value}），'{method}' 无法标准化；\
             请检查数据或删除该指标，或在 normalise 步骤设置 constant = \"midpoint\"（或 \"missing\"）"
        ),
        Error::EmptyIndicator { indicator, period } => {
            format!("指标 '{indicator}' 在 {period} 期没有任何数据；请补充数据或从指标体系中删除")
        }
        Error::DegenerateTarget { indicator, target, period } => format!(
            "指标 '{indicator}'：目标值 {target} 等于 {period} 期的最差观测值，距目标距离无定义；请选择优于所有单元的目标值"
        ),
        Error::MissingIndicatorParam { indicator, field, method } => {
            format!("指标 '{indicator}' 未设置 `{field}`，而方法 '{method}' 需要它；请在该指标下添加 `{field}`")
        }
        Error::NonPositive { method, node, unit, child, value } => format!(
            "{method} 无法合成 '{node}'：单元 '{unit}' 的 {child} = {value}；该方法要求正值——\
             请标准化到 [1, 100] 等区间（如 --set normalise.range=[1,100]），或改用 amean"
        ),
        Error::MissingDenominator { indicator, denominator } => format!(
            "指标 '{indicator}' 需要除以 '{denominator}'，但数据中没有该序列；请添加 '{denominator}' 列或删除 `denominator`"
        ),
        Error::ZeroDenominator { indicator, denominator, unit, period } => {
            format!("指标 '{indicator}'：单元 '{unit}' 在 {period} 期的分母 '{denominator}' 为 0；请更正分母数据")
        }
        Error::UnknownPeriod { period } => format!("期 '{period}' 没有数据"),
        Error::Tiers { node, period, source } => {
            let why = match source {
                TierError::TooFewDistinct { method, distinct, bands } => format!(
                    "只有 {distinct} 个不同的得分，无法用 \"{method}\" 分为 {bands} 档；\
                     请减少档数、用 [tiers] 的 `nodes` 指定要划分梯队的节点，或改用 method = \"fixed\""
                ),
                other => other.to_string(),
            };
            format!("'{node}' 在 {period} 期的梯队：{why}")
        }
        Error::Weighting { method, node, reason } => {
            format!("{method} 无法为 '{node}' 的下级赋权：{}", reason.get(lang))
        }
        Error::NoAggregate => {
            "流程中没有 `aggregate` 步骤，无法计算指数；请添加 [[pipeline]] step = \"aggregate\"".into()
        }
        Error::Context { context, source } => {
            let c = context.strip_prefix("period ").map_or(context.clone(), |p| format!("{p} 期"));
            format!("{c}：{}", core_error(source, lang))
        }
        other => other.to_string(),
    }
}

/// The message of a sensitivity-analysis error in `lang`.
pub fn sensitivity_error(e: &SensitivityError, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        SensitivityError::Input(InputError::NoStep { input, step, steps }) => {
            format!("输入 '{input}'：流程中没有第 {step} 步；现有步骤：{}", steps.join("、"))
        }
        SensitivityError::Input(InputError::NotAggregate { input, step, got }) => {
            format!("输入 '{input}'：权重与逐一剔除只能作用于 aggregate 步骤，第 {step} 步是 '{got}'")
        }
        SensitivityError::Input(InputError::Invalid { input, alternative, source }) => {
            format!("输入 '{input}' 的备选 {alternative}：{}", core_error(source, lang))
        }
        SensitivityError::Design(DesignError::TooManyDims(d)) => {
            format!("Sobol 抽样最多支持 {} 个维度，请求了 {d} 个", baydex_core::sensitivity::MAX_DIMS)
        }
        SensitivityError::Design(DesignError::TooSmall(n)) => format!("N 至少为 2，实际为 {n}"),
        SensitivityError::Nominal(e) => format!("基准指数：{}", core_error(e, lang)),
        SensitivityError::NoInputs => "没有声明任何不确定输入".into(),
        SensitivityError::Replay(t) => format!("重放：{}", t.zh),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baydex_core::Text;

    #[test]
    fn weighting_reasons_are_bilingual() {
        let e = Error::Weighting {
            method: "ahp",
            node: "D1".into(),
            reason: Text::new("the judgements are inconsistent", "判断矩阵不一致"),
        };
        assert_eq!(core_error(&e, Lang::Zh), "ahp 无法为 'D1' 的下级赋权：判断矩阵不一致");
        assert!(core_error(&e, Lang::En).ends_with("the judgements are inconsistent"));
    }

    #[test]
    fn sensitivity_errors_are_bilingual() {
        let e = SensitivityError::Replay(Text::new(
            "run 3: input 'w' has no such value",
            "第 3 次运行：输入 'w' 没有这个取值",
        ));
        assert_eq!(sensitivity_error(&e, Lang::Zh), "重放：第 3 次运行：输入 'w' 没有这个取值");
        assert_eq!(sensitivity_error(&e, Lang::En), "replay: run 3: input 'w' has no such value");
        let e = SensitivityError::Design(DesignError::TooSmall(1));
        assert!(!sensitivity_error(&e, Lang::Zh).is_ascii());
    }
}
