//! The framework tree: indicators, their aggregates and the index, with weights and directions.
//!
//! A [`Framework`] is built from a flat list of [`NodeSpec`]s (each naming its parent) and
//! validated as a whole: every problem is reported, not only the first, and each problem names
//! the position of the offending spec so that the caller can point at the file and line.

use std::collections::HashMap;

use serde::Serialize;

use crate::Text;

/// Whether a node is a measured indicator or an aggregate of other nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// A measured variable (a leaf of the tree).
    Indicator,
    /// A dimension, sub-index or the index: aggregates its children.
    Aggregate,
}

/// Goalposts of an indicator in natural units (`lower < upper` numerically), used by the
/// `goalposts` normaliser.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Goalposts {
    /// The numerically lower goalpost.
    pub lower: f64,
    /// The numerically upper goalpost.
    pub upper: f64,
}

/// One node as declared, before the tree is built.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeSpec {
    /// Unique code.
    pub code: String,
    /// Display name.
    pub name: Text,
    /// Code of the parent; `None` only for the root (the index).
    pub parent: Option<String>,
    /// Weight among its siblings (re-scaled within the group by the aggregators).
    pub weight: f64,
    /// Indicator or aggregate.
    pub kind: NodeKind,
    /// +1 when higher is better, −1 when lower is better (indicators only).
    pub direction: f64,
    /// Unit of measure.
    pub unit: Text,
    /// Definition of the indicator.
    pub definition: Text,
    /// Where the data come from.
    pub source: Text,
    /// Target value in natural units (for `dist2targ`).
    pub target: Option<f64>,
    /// Goalposts in natural units (for `goalposts`).
    pub goalposts: Option<Goalposts>,
    /// Code of a denominator series this indicator is divided by in the `denominate` step.
    pub denominator: Option<String>,
}

impl NodeSpec {
    /// An aggregate with weight 1.
    pub fn aggregate(code: &str, parent: Option<&str>) -> Self {
        NodeSpec {
            code: code.to_string(),
            name: Text::new(code, code),
            parent: parent.map(str::to_string),
            weight: 1.0,
            kind: NodeKind::Aggregate,
            direction: 1.0,
            unit: Text::default(),
            definition: Text::default(),
            source: Text::default(),
            target: None,
            goalposts: None,
            denominator: None,
        }
    }

    /// An indicator with weight 1 and direction +1.
    pub fn indicator(code: &str, parent: &str) -> Self {
        NodeSpec { kind: NodeKind::Indicator, ..NodeSpec::aggregate(code, Some(parent)) }
    }

    /// Sets the weight.
    pub fn with_weight(mut self, w: f64) -> Self {
        self.weight = w;
        self
    }

    /// Sets the direction.
    pub fn with_direction(mut self, d: f64) -> Self {
        self.direction = d;
        self
    }
}

/// A node of the built tree.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// The node as declared.
    #[serde(flatten)]
    pub spec: NodeSpec,
    /// Level: 1 for indicators, 1 + the highest child level for aggregates.
    pub level: u32,
    /// Position of the parent in [`Framework::nodes`].
    #[serde(skip)]
    pub parent_idx: Option<usize>,
    /// Positions of the children, in declaration order.
    #[serde(skip)]
    pub children: Vec<usize>,
}

impl Node {
    /// The node's code.
    pub fn code(&self) -> &str {
        &self.spec.code
    }
    /// True for indicators.
    pub fn is_indicator(&self) -> bool {
        self.spec.kind == NodeKind::Indicator
    }
}

/// A problem found while building a framework; `spec` is the position of the offending
/// [`NodeSpec`] in the input list (for the caller to map to a file location).
#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkIssue {
    /// Position of the spec the problem is about.
    pub spec: usize,
    /// What is wrong.
    pub kind: FrameworkIssueKind,
}

/// What is wrong with a framework.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameworkIssueKind {
    /// A node has an empty code.
    #[error("a node has an empty code; give every node a unique, non-empty `code`")]
    EmptyCode,
    /// Two nodes share a code.
    #[error("duplicate code '{code}' (first declared as node #{first}); rename one of them")]
    DuplicateCode {
        /// The code.
        code: String,
        /// 1-based position of the first declaration.
        first: usize,
    },
    /// A parent code is not declared.
    #[error("node '{code}' names parent '{parent}', which is not declared; declare it or fix the `parent` key")]
    UnknownParent {
        /// The child.
        code: String,
        /// The missing parent.
        parent: String,
    },
    /// A node declared as an indicator has children.
    #[error("indicator '{code}' is the parent of '{child}'; only aggregates can have children")]
    IndicatorHasChildren {
        /// The indicator.
        code: String,
        /// One of its children.
        child: String,
    },
    /// An aggregate has no children.
    #[error("aggregate '{code}' has no children; give it indicators or sub-dimensions, or remove it")]
    AggregateWithoutChildren {
        /// The aggregate.
        code: String,
    },
    /// Parent links form a cycle.
    #[error("parent links form a cycle: {}; every chain of parents must end at the index", cycle.join(" → "))]
    Cycle {
        /// The codes on the cycle, starting and ending with the same code.
        cycle: Vec<String>,
    },
    /// No node is without a parent.
    #[error("no root: every node has a parent; the index must be the one node without `parent`")]
    NoRoot,
    /// A node other than the root has no parent.
    #[error("node '{code}' has no parent but '{root}' is already the index; set `parent` to attach it to the tree")]
    Orphan {
        /// The orphan.
        code: String,
        /// The root.
        root: String,
    },
    /// A weight is negative, NaN or infinite.
    #[error("node '{code}' has weight {weight}; weights must be finite and ≥ 0")]
    BadWeight {
        /// The node.
        code: String,
        /// The weight.
        weight: f64,
    },
    /// All children of an aggregate have weight 0.
    #[error("all children of '{code}' have weight 0; give at least one a positive weight")]
    ZeroWeights {
        /// The aggregate.
        code: String,
    },
    /// Direction is not +1 or −1.
    #[error("indicator '{code}' has direction {direction}; use 1 (higher is better) or -1 (lower is better)")]
    BadDirection {
        /// The indicator.
        code: String,
        /// The direction.
        direction: f64,
    },
    /// The root is an indicator.
    #[error("the root '{code}' is an indicator; the root must be the index (an aggregate)")]
    RootIsIndicator {
        /// The root.
        code: String,
    },
    /// Goalposts are not strictly increasing.
    #[error("indicator '{code}' has goalposts [{lower}, {upper}]; give them as [lower, upper] with lower < upper")]
    BadGoalposts {
        /// The indicator.
        code: String,
        /// Lower goalpost.
        lower: f64,
        /// Upper goalpost.
        upper: f64,
    },
}

/// A validated framework tree.
#[derive(Debug, Clone, Serialize)]
pub struct Framework {
    nodes: Vec<Node>,
    #[serde(skip)]
    by_code: HashMap<String, usize>,
    root: usize,
    #[serde(skip)]
    indicators: Vec<usize>,
    #[serde(skip)]
    aggregates_by_level: Vec<usize>,
}

impl Framework {
    /// Builds and validates the tree. Returns every problem found, in spec order.
    pub fn build(specs: Vec<NodeSpec>) -> Result<Framework, Vec<FrameworkIssue>> {
        let mut issues = Vec::new();
        let mut by_code: HashMap<String, usize> = HashMap::new();
        for (i, s) in specs.iter().enumerate() {
            if s.code.trim().is_empty() {
                issues.push(FrameworkIssue { spec: i, kind: FrameworkIssueKind::EmptyCode });
                continue;
            }
            if let Some(&first) = by_code.get(&s.code) {
                issues.push(FrameworkIssue {
                    spec: i,
                    kind: FrameworkIssueKind::DuplicateCode { code: s.code.clone(), first: first + 1 },
                });
            } else {
                by_code.insert(s.code.clone(), i);
            }
            if !s.weight.is_finite() || s.weight < 0.0 {
                issues.push(FrameworkIssue {
                    spec: i,
                    kind: FrameworkIssueKind::BadWeight { code: s.code.clone(), weight: s.weight },
                });
            }
            if s.kind == NodeKind::Indicator && s.direction != 1.0 && s.direction != -1.0 {
                issues.push(FrameworkIssue {
                    spec: i,
                    kind: FrameworkIssueKind::BadDirection { code: s.code.clone(), direction: s.direction },
                });
            }
            if let Some(g) = s.goalposts
                && !(g.lower < g.upper && g.lower.is_finite() && g.upper.is_finite())
            {
                issues.push(FrameworkIssue {
                    spec: i,
                    kind: FrameworkIssueKind::BadGoalposts { code: s.code.clone(), lower: g.lower, upper: g.upper },
                });
            }
        }

        // Parent links.
        let mut parent_idx: Vec<Option<usize>> = vec![None; specs.len()];
        let mut roots = Vec::new();
        for (i, s) in specs.iter().enumerate() {
            match &s.parent {
                None => roots.push(i),
                Some(p) => match by_code.get(p) {
                    Some(&pi) => parent_idx[i] = Some(pi),
                    None => issues.push(FrameworkIssue {
                        spec: i,
                        kind: FrameworkIssueKind::UnknownParent { code: s.code.clone(), parent: p.clone() },
                    }),
                },
            }
        }
        let root = match roots.first() {
            None => {
                issues.push(FrameworkIssue { spec: 0, kind: FrameworkIssueKind::NoRoot });
                None
            }
            Some(&r) => {
                for &o in &roots[1..] {
                    issues.push(FrameworkIssue {
                        spec: o,
                        kind: FrameworkIssueKind::Orphan { code: specs[o].code.clone(), root: specs[r].code.clone() },
                    });
                }
                if specs[r].kind == NodeKind::Indicator {
                    issues.push(FrameworkIssue {
                        spec: r,
                        kind: FrameworkIssueKind::RootIsIndicator { code: specs[r].code.clone() },
                    });
                }
                Some(r)
            }
        };

        // Cycles: walk up from every node; report each cycle once (at its first member in spec order).
        let mut state = vec![0u8; specs.len()]; // 0 = unvisited, 1 = on current path, 2 = done
        for start in 0..specs.len() {
            let mut path = Vec::new();
            let mut cur = Some(start);
            while let Some(c) = cur {
                if state[c] == 2 {
                    break;
                }
                if state[c] == 1 {
                    let pos = path.iter().position(|&p| p == c).unwrap_or(0);
                    let mut cyc: Vec<usize> = path[pos..].to_vec();
                    let min_pos = cyc.iter().enumerate().min_by_key(|(_, v)| **v).map(|(k, _)| k).unwrap_or(0);
                    cyc.rotate_left(min_pos);
                    let mut codes: Vec<String> = cyc.iter().map(|&k| specs[k].code.clone()).collect();
                    codes.push(specs[cyc[0]].code.clone());
                    issues.push(FrameworkIssue { spec: cyc[0], kind: FrameworkIssueKind::Cycle { cycle: codes } });
                    break;
                }
                state[c] = 1;
                path.push(c);
                cur = parent_idx[c];
            }
            for p in path {
                state[p] = 2;
            }
        }

        // Children and their checks.
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); specs.len()];
        for (i, p) in parent_idx.iter().enumerate() {
            if let Some(p) = *p {
                children[p].push(i);
            }
        }
        for (i, s) in specs.iter().enumerate() {
            match s.kind {
                NodeKind::Indicator => {
                    if let Some(&c) = children[i].first() {
                        issues.push(FrameworkIssue {
                            spec: c,
                            kind: FrameworkIssueKind::IndicatorHasChildren {
                                code: s.code.clone(),
                                child: specs[c].code.clone(),
                            },
                        });
                    }
                }
                NodeKind::Aggregate => {
                    if children[i].is_empty() {
                        issues.push(FrameworkIssue {
                            spec: i,
                            kind: FrameworkIssueKind::AggregateWithoutChildren { code: s.code.clone() },
                        });
                    } else if children[i].iter().all(|&c| specs[c].weight == 0.0) {
                        issues.push(FrameworkIssue {
                            spec: i,
                            kind: FrameworkIssueKind::ZeroWeights { code: s.code.clone() },
                        });
                    }
                }
            }
        }

        let Some(root) = root else {
            return Err(issues);
        };
        if !issues.is_empty() {
            issues.sort_by_key(|i| i.spec);
            return Err(issues);
        }

        // Levels, computed bottom-up (the tree is acyclic here).
        let mut level = vec![0u32; specs.len()];
        fn level_of(i: usize, specs: &[NodeSpec], children: &[Vec<usize>], level: &mut [u32]) -> u32 {
            if level[i] > 0 {
                return level[i];
            }
            let l = if specs[i].kind == NodeKind::Indicator {
                1
            } else {
                1 + children[i].iter().map(|&c| level_of(c, specs, children, level)).max().unwrap_or(0)
            };
            level[i] = l;
            l
        }
        for i in 0..specs.len() {
            level_of(i, &specs, &children, &mut level);
        }

        let nodes: Vec<Node> = specs
            .into_iter()
            .enumerate()
            .map(|(i, spec)| Node { spec, level: level[i], parent_idx: parent_idx[i], children: children[i].clone() })
            .collect();
        let indicators = (0..nodes.len()).filter(|&i| nodes[i].is_indicator()).collect();
        let mut aggregates_by_level: Vec<usize> = (0..nodes.len()).filter(|&i| !nodes[i].is_indicator()).collect();
        aggregates_by_level.sort_by_key(|&i| nodes[i].level); // stable: declaration order within a level
        Ok(Framework { nodes, by_code, root, indicators, aggregates_by_level })
    }

    /// All nodes in declaration order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The node at position `i`.
    pub fn node(&self, i: usize) -> &Node {
        &self.nodes[i]
    }

    /// Position of the node with this code.
    pub fn find(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// Position of the root (the index).
    pub fn root(&self) -> usize {
        self.root
    }

    /// Positions of the indicators, in declaration order.
    pub fn indicators(&self) -> &[usize] {
        &self.indicators
    }

    /// Positions of the aggregates, by level then declaration order (the order they are computed in).
    pub fn aggregates(&self) -> &[usize] {
        &self.aggregates_by_level
    }

    /// The highest level (the root's).
    pub fn max_level(&self) -> u32 {
        self.nodes[self.root].level
    }

    /// All nodes in output order: indicators first, then aggregates by level.
    pub fn output_order(&self) -> Vec<usize> {
        self.indicators.iter().chain(self.aggregates_by_level.iter()).copied().collect()
    }

    /// Effective weight of every node in the index: weights normalised within each group
    /// and multiplied down the tree (COINr `get_eff_weights`). Uses the given weights
    /// (one per node, by position).
    pub fn effective_weights(&self, weights: &[f64]) -> Vec<f64> {
        let mut eff = vec![0.0; self.nodes.len()];
        eff[self.root] = 1.0;
        for &a in self.aggregates_by_level.iter().rev() {
            let kids = &self.nodes[a].children;
            let total: f64 = kids.iter().map(|&c| weights[c]).sum();
            for &c in kids {
                eff[c] = if total > 0.0 { eff[a] * weights[c] / total } else { 0.0 };
            }
        }
        eff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Vec<NodeSpec> {
        vec![
            NodeSpec::aggregate("Index", None),
            NodeSpec::aggregate("A", Some("Index")),
            NodeSpec::indicator("a1", "A"),
            NodeSpec::indicator("a2", "A").with_direction(-1.0),
            NodeSpec::indicator("b1", "Index"),
        ]
    }

    #[test]
    fn levels_and_order() {
        let f = Framework::build(tiny()).unwrap();
        assert_eq!(f.node(f.root()).level, 3);
        assert_eq!(f.node(f.find("A").unwrap()).level, 2);
        let order: Vec<&str> = f.output_order().iter().map(|&i| f.node(i).code()).collect();
        assert_eq!(order, ["a1", "a2", "b1", "A", "Index"]);
    }

    #[test]
    fn effective_weights_multiply_down() {
        let f = Framework::build(tiny()).unwrap();
        let w: Vec<f64> = f.nodes().iter().map(|n| n.spec.weight).collect();
        let e = f.effective_weights(&w);
        assert!((e[f.find("a1").unwrap()] - 0.25).abs() < 1e-15);
        assert!((e[f.find("b1").unwrap()] - 0.5).abs() < 1e-15);
    }

    fn kinds(specs: Vec<NodeSpec>) -> Vec<FrameworkIssueKind> {
        Framework::build(specs).unwrap_err().into_iter().map(|i| i.kind).collect()
    }

    #[test]
    fn duplicate_code() {
        let mut s = tiny();
        s.push(NodeSpec::indicator("a1", "A"));
        assert!(matches!(kinds(s)[0], FrameworkIssueKind::DuplicateCode { first: 3, .. }));
    }

    #[test]
    fn unknown_parent_and_orphan_reported_together() {
        let mut s = tiny();
        s.push(NodeSpec::indicator("x", "Nope"));
        s.push(NodeSpec::aggregate("Loose", None));
        s.push(NodeSpec::indicator("y", "Loose"));
        let k = kinds(s);
        assert!(k.iter().any(|k| matches!(k, FrameworkIssueKind::UnknownParent { .. })));
        assert!(k.iter().any(|k| matches!(k, FrameworkIssueKind::Orphan { .. })));
    }

    #[test]
    fn cycle() {
        let mut s = tiny();
        s.push(NodeSpec::aggregate("C1", Some("C2")));
        s.push(NodeSpec::aggregate("C2", Some("C1")));
        let k = kinds(s);
        assert!(k.iter().any(|k| matches!(k, FrameworkIssueKind::Cycle { cycle } if cycle.len() == 3)), "{k:?}");
    }

    #[test]
    fn childless_aggregate_and_indicator_parent() {
        let mut s = tiny();
        s.push(NodeSpec::aggregate("Empty", Some("Index")));
        s.push(NodeSpec::indicator("z", "a1"));
        let k = kinds(s);
        assert!(k.iter().any(|k| matches!(k, FrameworkIssueKind::AggregateWithoutChildren { .. })));
        assert!(k.iter().any(|k| matches!(k, FrameworkIssueKind::IndicatorHasChildren { .. })));
    }

    #[test]
    fn bad_weight_direction_goalposts() {
        let mut s = tiny();
        s[2].weight = -1.0;
        s[3].direction = 0.0;
        s[4].goalposts = Some(Goalposts { lower: 2.0, upper: 1.0 });
        let k = kinds(s);
        assert!(matches!(k[0], FrameworkIssueKind::BadWeight { .. }));
        assert!(matches!(k[1], FrameworkIssueKind::BadDirection { .. }));
        assert!(matches!(k[2], FrameworkIssueKind::BadGoalposts { .. }));
    }

    #[test]
    fn zero_weights_and_no_root() {
        let mut s = tiny();
        s[2].weight = 0.0;
        s[3].weight = 0.0;
        assert!(matches!(kinds(s)[0], FrameworkIssueKind::ZeroWeights { .. }));
        let s = vec![NodeSpec::aggregate("A", Some("B")), NodeSpec::aggregate("B", Some("A"))];
        assert!(kinds(s).contains(&FrameworkIssueKind::NoRoot));
    }
}
