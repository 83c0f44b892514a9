//! Linkage measures from a flow matrix: directed and undirected pair strength and shares, each
//! city's in/out/net flows, intra-group shares and changes between two periods.
//!
//! Intra-unit flows (the diagonal) are left out of every measure.

use crate::input::FlowMatrix;

/// One undirected pair `{a, b}` (`a < b`).
#[derive(Debug, Clone, PartialEq)]
pub struct PairLink {
    /// First unit (lower index).
    pub a: usize,
    /// Second unit.
    pub b: usize,
    /// Flow `a → b`.
    pub ab: f64,
    /// Flow `b → a`.
    pub ba: f64,
    /// `ab + ba`.
    pub total: f64,
    /// `total / Σ all flows`.
    pub share: f64,
    /// `total` as a share of `a`'s own total (in + out).
    pub share_of_a: f64,
    /// `total` as a share of `b`'s own total.
    pub share_of_b: f64,
    /// Rank by `total` (1 = strongest; ties in unit order).
    pub rank: usize,
}

/// Flows of one city.
#[derive(Debug, Clone, PartialEq)]
pub struct CityFlows {
    /// Unit index.
    pub unit: usize,
    /// Outflow.
    pub out: f64,
    /// Inflow.
    pub inflow: f64,
    /// `in − out`.
    pub net: f64,
    /// `in + out`.
    pub total: f64,
    /// `total / (2 Σ all flows)` — the city's share of all flow ends.
    pub share: f64,
    /// Strongest partner (undirected), if any.
    pub top_partner: Option<usize>,
    /// That partner's share of the city's own total.
    pub top_partner_share: f64,
}

/// Share of flows within and between groups.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupShare {
    /// Origin group.
    pub from: String,
    /// Destination group.
    pub to: String,
    /// Flow.
    pub flow: f64,
    /// Share of all flows.
    pub share: f64,
}

/// All linkage measures of one flow matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Linkage {
    /// Σ of all off-diagonal flows.
    pub total: f64,
    /// Undirected pairs by rank.
    pub pairs: Vec<PairLink>,
    /// One row per city, in unit order.
    pub cities: Vec<CityFlows>,
    /// Group-to-group flows (empty without groups).
    pub groups: Vec<GroupShare>,
}

impl Linkage {
    /// Computes the measures; `groups` is the group of every unit (empty strings = no groups).
    pub fn new(m: &FlowMatrix, groups: &[String]) -> Linkage {
        let n = m.n;
        let mut total = 0.0;
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    total += m.get(i, j);
                }
            }
        }
        let out: Vec<f64> = (0..n).map(|i| (0..n).filter(|&j| j != i).map(|j| m.get(i, j)).sum()).collect();
        let inflow: Vec<f64> = (0..n).map(|j| (0..n).filter(|&i| i != j).map(|i| m.get(i, j)).sum()).collect();
        let own = |u: usize| out[u] + inflow[u];
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        let mut pairs = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                let (ab, ba) = (m.get(a, b), m.get(b, a));
                let t = ab + ba;
                if t > 0.0 || m.listed[a * n + b] || m.listed[b * n + a] {
                    pairs.push(PairLink {
                        a,
                        b,
                        ab,
                        ba,
                        total: t,
                        share: ratio(t, total),
                        share_of_a: ratio(t, own(a)),
                        share_of_b: ratio(t, own(b)),
                        rank: 0,
                    });
                }
            }
        }
        pairs.sort_by(|x, y| y.total.total_cmp(&x.total).then((x.a, x.b).cmp(&(y.a, y.b))));
        for (k, p) in pairs.iter_mut().enumerate() {
            p.rank = k + 1;
        }
        let cities = (0..n)
            .map(|u| {
                let best = pairs
                    .iter()
                    .filter(|p| (p.a == u || p.b == u) && p.total > 0.0)
                    .max_by(|x, y| x.total.total_cmp(&y.total).then((y.a, y.b).cmp(&(x.a, x.b))));
                CityFlows {
                    unit: u,
                    out: out[u],
                    inflow: inflow[u],
                    net: inflow[u] - out[u],
                    total: own(u),
                    share: ratio(own(u), 2.0 * total),
                    top_partner: best.map(|p| if p.a == u { p.b } else { p.a }),
                    top_partner_share: best.map_or(0.0, |p| ratio(p.total, own(u))),
                }
            })
            .collect();
        let mut names: Vec<String> = Vec::new();
        for g in groups {
            if !g.is_empty() && !names.contains(g) {
                names.push(g.clone());
            }
        }
        let mut gs = Vec::new();
        if !names.is_empty() {
            for f in &names {
                for t in &names {
                    let mut flow = 0.0;
                    for i in 0..n {
                        for j in 0..n {
                            if i != j && &groups[i] == f && &groups[j] == t {
                                flow += m.get(i, j);
                            }
                        }
                    }
                    gs.push(GroupShare { from: f.clone(), to: t.clone(), flow, share: ratio(flow, total) });
                }
            }
        }
        Linkage { total, pairs, cities, groups: gs }
    }

    /// Share of all flows that stay within `group`.
    pub fn intra_group_share(&self, group: &str) -> f64 {
        self.groups.iter().filter(|g| g.from == group && g.to == group).map(|g| g.share).sum()
    }
}

/// Change of an undirected pair between two periods.
#[derive(Debug, Clone, PartialEq)]
pub struct PairChange {
    /// First unit.
    pub a: usize,
    /// Second unit.
    pub b: usize,
    /// Total flow in the first period.
    pub from: f64,
    /// Total flow in the second period.
    pub to: f64,
    /// Relative change `to/from − 1` (NaN when `from = 0`).
    pub relative: f64,
    /// Rank in the first period (None when absent).
    pub rank_from: Option<usize>,
    /// Rank in the second period.
    pub rank_to: Option<usize>,
}

/// Pair changes from `first` to `second`, ordered by the second period's rank.
pub fn changes(first: &Linkage, second: &Linkage) -> Vec<PairChange> {
    fn find(l: &Linkage, a: usize, b: usize) -> Option<&PairLink> {
        l.pairs.iter().find(|p| p.a == a && p.b == b)
    }
    let mut keys: Vec<(usize, usize)> = second.pairs.iter().map(|p| (p.a, p.b)).collect();
    for p in &first.pairs {
        if !keys.contains(&(p.a, p.b)) {
            keys.push((p.a, p.b));
        }
    }
    keys.into_iter()
        .map(|(a, b)| {
            let (f, t) = (find(first, a, b), find(second, a, b));
            let from = f.map_or(0.0, |p| p.total);
            let to = t.map_or(0.0, |p| p.total);
            PairChange {
                a,
                b,
                from,
                to,
                relative: if from > 0.0 { to / from - 1.0 } else { f64::NAN },
                rank_from: f.map(|p| p.rank),
                rank_to: t.map(|p| p.rank),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: 3 units, flows 0→1 = 6, 1→0 = 2, 1→2 = 2; total 10.
    #[test]
    fn three_units_hand_computed() {
        let m = FlowMatrix::from_dense(3, vec![100.0, 6.0, 0.0, 2.0, 0.0, 2.0, 0.0, 0.0, 0.0]);
        let l = Linkage::new(&m, &["X".into(), "X".into(), "Y".into()]);
        assert_eq!(l.total, 10.0);
        assert_eq!((l.pairs[0].a, l.pairs[0].b, l.pairs[0].total, l.pairs[0].share), (0, 1, 8.0, 0.8));
        // Unit 1: out 4, in 6, total 10; its link with 0 is 8/10 of it.
        assert_eq!((l.cities[1].out, l.cities[1].inflow, l.cities[1].net), (4.0, 6.0, 2.0));
        assert_eq!(l.pairs[0].share_of_b, 0.8);
        assert_eq!(l.intra_group_share("X"), 0.8);
        assert_eq!(l.groups.iter().find(|g| g.from == "X" && g.to == "Y").map(|g| g.share), Some(0.2));
        let later = Linkage::new(&FlowMatrix::from_dense(3, vec![0.0, 9.0, 0.0, 3.0, 0.0, 2.0, 0.0, 0.0, 0.0]), &[]);
        let c = changes(&l, &later);
        assert_eq!((c[0].from, c[0].to, c[0].relative), (8.0, 12.0, 0.5));
    }
}
