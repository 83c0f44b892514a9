//! Flags raised by correlations: negative, weak and collinear pairs.
//!
//! With thresholds `negative ≤ weak` and `collinear` (defaults 0, 0.3 and 0.9):
//!
//! ```text
//!   node vs parent or ancestor (parent, family):   r < negative → negative;   negative ≤ r < weak → weak
//!   two siblings (within):                          r < negative → negative;   r > collinear → collinear
//! ```
//!
//! A node should move with the aggregate it feeds: a negative correlation means it pulls against
//! its dimension, a weak one that it barely shapes it (OECD/JRC *Handbook on Constructing Composite
//! Indicators*, 2008, step 4 "multivariate analysis"). Siblings may legitimately be weakly related,
//! but a negative pair signals a trade-off inside the group, and a pair above `collinear` may count
//! the same thing twice (COINr `get_corr_flags`, which flags `r > cor_thresh`, default 0.9). The
//! thresholds are those of COINr's `plot_corr(flagcolours = TRUE)` (`flagthresh = c(-0.4, 0.3,
//! 0.9)`) except `negative`, which is 0 here: any negative pair is reported, however small. A
//! correlation that is undefined or masked by `pval` raises no flag.

use serde::Serialize;

use super::ValidAuditParams;
use super::correlation::Relation;
use crate::Text;

/// A flag raised by a correlation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    /// Below the `negative` threshold.
    Negative,
    /// Node vs parent or ancestor: at least `negative` but below `weak`.
    Weak,
    /// Two siblings above `collinear`.
    Collinear,
}

impl Flag {
    /// Every flag, in severity order.
    pub const ALL: [Flag; 3] = [Flag::Negative, Flag::Collinear, Flag::Weak];

    /// `negative`, `weak` or `collinear`.
    pub fn code(self) -> &'static str {
        match self {
            Flag::Negative => "negative",
            Flag::Weak => "weak",
            Flag::Collinear => "collinear",
        }
    }

    /// A short bilingual label.
    pub fn label(self) -> Text {
        match self {
            Flag::Negative => Text::new("negative", "负相关"),
            Flag::Weak => Text::new("weak", "弱相关"),
            Flag::Collinear => Text::new("collinear", "共线"),
        }
    }

    /// What the flag means, with its threshold.
    pub fn meaning(self, params: &ValidAuditParams) -> Text {
        let p = params.get();
        match self {
            Flag::Negative => Text::new(
                format!("r < {}: the pair moves in opposite directions", p.negative),
                format!("r < {}：两者变化方向相反", p.negative),
            ),
            Flag::Weak => Text::new(
                format!("{} ≤ r < {} with its parent or ancestor: the node barely shapes it", p.negative, p.weak),
                format!("与上级（或更高层级）{} ≤ r < {}：该节点对其影响很小", p.negative, p.weak),
            ),
            Flag::Collinear => Text::new(
                format!("r > {} between siblings: they may measure the same thing twice", p.collinear),
                format!("同组节点间 r > {}：可能重复度量同一事物", p.collinear),
            ),
        }
    }
}

/// One flag with its label and meaning (the legend of the audit).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagInfo {
    /// The flag.
    pub flag: Flag,
    /// Short label.
    pub label: Text,
    /// What it means, with the threshold used.
    pub meaning: Text,
}

/// The legend of every flag under these parameters.
pub(crate) fn legend(params: &ValidAuditParams) -> Vec<FlagInfo> {
    Flag::ALL.iter().map(|&flag| FlagInfo { flag, label: flag.label(), meaning: flag.meaning(params) }).collect()
}

/// The flag a coefficient raises in a relation, if any.
pub(crate) fn flag(relation: Relation, r: f64, params: &ValidAuditParams) -> Option<Flag> {
    let p = params.get();
    if r.is_nan() {
        return None;
    }
    if r < p.negative {
        return Some(Flag::Negative);
    }
    match relation {
        Relation::Parent | Relation::Family if r < p.weak => Some(Flag::Weak),
        Relation::Within if r > p.collinear => Some(Flag::Collinear),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditParams;

    #[test]
    fn thresholds_by_relation() {
        let p = AuditParams::default().validate().unwrap();
        assert_eq!(flag(Relation::Parent, -0.1, &p), Some(Flag::Negative));
        assert_eq!(flag(Relation::Parent, 0.0, &p), Some(Flag::Weak));
        assert_eq!(flag(Relation::Family, 0.29, &p), Some(Flag::Weak));
        assert_eq!(flag(Relation::Parent, 0.3, &p), None);
        assert_eq!(flag(Relation::Parent, 0.99, &p), None);
        assert_eq!(flag(Relation::Within, 0.1, &p), None);
        assert_eq!(flag(Relation::Within, -0.5, &p), Some(Flag::Negative));
        assert_eq!(flag(Relation::Within, 0.9, &p), None);
        assert_eq!(flag(Relation::Within, 0.95, &p), Some(Flag::Collinear));
        assert_eq!(flag(Relation::Within, f64::NAN, &p), None);
    }

    #[test]
    fn thresholds_are_settable() {
        let p = AuditParams { weak: 0.5, collinear: 0.8, negative: -0.2, ..Default::default() }.validate().unwrap();
        assert_eq!(flag(Relation::Parent, -0.1, &p), Some(Flag::Weak));
        assert_eq!(flag(Relation::Parent, 0.45, &p), Some(Flag::Weak));
        assert_eq!(flag(Relation::Within, 0.85, &p), Some(Flag::Collinear));
        assert_eq!(flag(Relation::Within, -0.1, &p), None);
    }

    #[test]
    fn labels_are_bilingual() {
        let p = AuditParams::default().validate().unwrap();
        for f in Flag::ALL {
            assert!(!f.label().en.is_empty() && !f.label().zh.is_empty());
            assert_ne!(f.label().en, f.label().zh);
        }
        assert_eq!(legend(&p).len(), 3);
        assert!(Flag::Collinear.meaning(&p).en.contains("0.9"));
    }
}
