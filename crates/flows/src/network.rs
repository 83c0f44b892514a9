//! The city network: a directed weighted graph whose edge `i → j` carries the flow `w_ij > 0`
//! (self-loops ignored).
//!
//! Conventions (the same as the networkx calls of `tests/oracles/networkx_centrality.py`):
//! - degree: number of distinct neighbours by in- and out-edges (`G.in_degree()`, `G.out_degree()`);
//!   strength: sum of edge weights (`G.in_degree(weight="weight")`, …; total = in + out).
//! - shortest-path measures use the *distance* `1 / w_ij` (a strong link is short):
//!   betweenness = `nx.betweenness_centrality(G, weight="distance", normalized=True)` (Brandes
//!   2001, directed normalisation `1/((n−1)(n−2))`); closeness =
//!   `nx.closeness_centrality(G, distance="distance")` (directed: distances *to* the node,
//!   Wasserman–Faust scaling for unreachable nodes).
//! - PageRank = `nx.pagerank(G, alpha=0.85, weight="weight")` (transition probabilities
//!   proportional to flow; dangling nodes jump uniformly).
//! - density = `nx.density(G)` = edges / (n(n−1)).
//! - communities: Louvain modularity maximisation (Blondel et al. 2008) on the undirected graph
//!   with weights `w_ij + w_ji`, visiting nodes in index order (deterministic), resolution 1.
//! - hubs: cities whose total strength is at least the mean plus one standard deviation
//!   (population s.d.) over all cities; if none qualifies, the single strongest city.

// Index loops over small dense matrices read closer to the formulas than iterator chains.
#![allow(clippy::needless_range_loop)]

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Centralities of every node.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// Number of nodes.
    pub n: usize,
    /// Out-degree (number of out-neighbours).
    pub out_degree: Vec<usize>,
    /// In-degree.
    pub in_degree: Vec<usize>,
    /// Out-strength (sum of outgoing weights).
    pub out_strength: Vec<f64>,
    /// In-strength.
    pub in_strength: Vec<f64>,
    /// Betweenness (normalised).
    pub betweenness: Vec<f64>,
    /// Closeness (incoming distances, Wasserman–Faust).
    pub closeness: Vec<f64>,
    /// PageRank (sums to 1).
    pub pagerank: Vec<f64>,
    /// Directed density.
    pub density: f64,
    /// Community label of every node (0-based, numbered by first member).
    pub community: Vec<usize>,
    /// Modularity of the communities (undirected weights `w_ij + w_ji`).
    pub modularity: f64,
    /// Hubs, strongest first.
    pub hubs: Vec<usize>,
}

#[derive(PartialEq)]
struct Item(f64, usize, usize, usize); // distance, counter, predecessor, node

impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    // Min-heap on (distance, counter), as Python's heapq on tuples.
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}

/// Dijkstra from `s` over adjacency lists `adj[v] = [(w, distance)]`, counting shortest paths
/// (networkx `_single_source_dijkstra_path_basic`). Returns visit order, predecessors, path
/// counts and distances (∞ when unreachable).
#[allow(clippy::type_complexity)]
fn dijkstra(adj: &[Vec<(usize, f64)>], s: usize) -> (Vec<usize>, Vec<Vec<usize>>, Vec<f64>, Vec<f64>) {
    let n = adj.len();
    let mut order = Vec::new();
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut sigma = vec![0.0; n];
    let mut dist = vec![f64::INFINITY; n];
    let mut done = vec![false; n];
    let mut seen = vec![f64::INFINITY; n];
    let mut counter = 0;
    let mut q = BinaryHeap::new();
    sigma[s] = 1.0;
    seen[s] = 0.0;
    q.push(Item(0.0, counter, s, s));
    while let Some(Item(d, _, p, v)) = q.pop() {
        if done[v] {
            continue;
        }
        sigma[v] += sigma[p];
        order.push(v);
        done[v] = true;
        dist[v] = d;
        for &(w, len) in &adj[v] {
            let vw = d + len;
            if !done[w] && vw < seen[w] {
                seen[w] = vw;
                counter += 1;
                q.push(Item(vw, counter, v, w));
                sigma[w] = 0.0;
                pred[w] = vec![v];
            } else if vw == seen[w] {
                sigma[w] += sigma[v];
                pred[w].push(v);
            }
        }
    }
    // As in networkx, the source adds its own count when popped (σ_s = 2): every count is
    // doubled, which leaves the ratios σ_v/σ_w of the accumulation unchanged.
    (order, pred, sigma, dist)
}

impl Network {
    /// Computes every measure of the directed graph with weights `w` (`n × n`, row-major).
    pub fn new(w: &[f64], n: usize) -> Network {
        let edge = |i: usize, j: usize| i != j && w[i * n + j] > 0.0;
        let mut out_adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        let mut in_adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for i in 0..n {
            for j in 0..n {
                if edge(i, j) {
                    out_adj[i].push((j, 1.0 / w[i * n + j]));
                    in_adj[j].push((i, 1.0 / w[i * n + j]));
                }
            }
        }
        let out_degree: Vec<usize> = out_adj.iter().map(Vec::len).collect();
        let in_degree: Vec<usize> = in_adj.iter().map(Vec::len).collect();
        let out_strength: Vec<f64> =
            (0..n).map(|i| (0..n).filter(|&j| edge(i, j)).map(|j| w[i * n + j]).sum()).collect();
        let in_strength: Vec<f64> =
            (0..n).map(|j| (0..n).filter(|&i| edge(i, j)).map(|i| w[i * n + j]).sum()).collect();
        let m: usize = out_degree.iter().sum();
        let density = if n > 1 { m as f64 / (n * (n - 1)) as f64 } else { 0.0 };

        // Betweenness (Brandes).
        let mut betweenness = vec![0.0; n];
        for s in 0..n {
            let (mut order, pred, sigma, _) = dijkstra(&out_adj, s);
            let mut delta = vec![0.0; n];
            while let Some(x) = order.pop() {
                let coeff = (1.0 + delta[x]) / sigma[x];
                for &v in &pred[x] {
                    delta[v] += sigma[v] * coeff;
                }
                if x != s {
                    betweenness[x] += delta[x];
                }
            }
        }
        if n > 2 {
            let scale = 1.0 / ((n - 1) * (n - 2)) as f64;
            for b in &mut betweenness {
                *b *= scale;
            }
        }

        // Closeness on incoming distances.
        let closeness: Vec<f64> = (0..n)
            .map(|u| {
                let (_, _, _, d) = dijkstra(&in_adj, u);
                let reach: Vec<f64> = d.iter().copied().filter(|x| x.is_finite()).collect();
                let tot: f64 = reach.iter().sum();
                if tot > 0.0 && n > 1 {
                    let r = reach.len() as f64 - 1.0;
                    (r / tot) * (r / (n as f64 - 1.0))
                } else {
                    0.0
                }
            })
            .collect();

        let pagerank = pagerank(w, n, &out_strength, 0.85);
        let (community, modularity) = louvain(w, n);
        let total: Vec<f64> = (0..n).map(|i| out_strength[i] + in_strength[i]).collect();
        let mean = total.iter().sum::<f64>() / n.max(1) as f64;
        let sd = (total.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / n.max(1) as f64).sqrt();
        let mut hubs: Vec<usize> = (0..n).filter(|&i| total[i] >= mean + sd && total[i] > 0.0).collect();
        hubs.sort_by(|&a, &b| total[b].total_cmp(&total[a]).then(a.cmp(&b)));
        if hubs.is_empty()
            && let Some(top) = (0..n).max_by(|&a, &b| total[a].total_cmp(&total[b]).then(b.cmp(&a)))
        {
            hubs.push(top);
        }
        Network {
            n,
            out_degree,
            in_degree,
            out_strength,
            in_strength,
            betweenness,
            closeness,
            pagerank,
            density,
            community,
            modularity,
            hubs,
        }
    }
}

/// PageRank by power iteration (networkx semantics), to an L1 change below `n · 1e-15`.
fn pagerank(w: &[f64], n: usize, out_strength: &[f64], alpha: f64) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    let nf = n as f64;
    let mut x = vec![1.0 / nf; n];
    for _ in 0..100_000 {
        let dangle: f64 = alpha * (0..n).filter(|&i| out_strength[i] <= 0.0).map(|i| x[i]).sum::<f64>();
        let mut next = vec![0.0; n];
        for i in 0..n {
            if out_strength[i] > 0.0 {
                for j in 0..n {
                    if i != j && w[i * n + j] > 0.0 {
                        next[j] += alpha * x[i] * w[i * n + j] / out_strength[i];
                    }
                }
            }
        }
        for v in &mut next {
            *v += dangle / nf + (1.0 - alpha) / nf;
        }
        let err: f64 = next.iter().zip(&x).map(|(a, b)| (a - b).abs()).sum();
        x = next;
        if err < nf * 1e-15 {
            break;
        }
    }
    x
}

/// Modularity of a partition of the undirected graph with weights `a` (symmetric, `n × n`).
fn modularity_of(a: &[f64], n: usize, label: &[usize]) -> f64 {
    let k: Vec<f64> = (0..n).map(|i| (0..n).map(|j| a[i * n + j]).sum()).collect();
    let two_m: f64 = k.iter().sum();
    if two_m <= 0.0 {
        return 0.0;
    }
    let mut q = 0.0;
    for i in 0..n {
        for j in 0..n {
            if label[i] == label[j] {
                q += a[i * n + j] - k[i] * k[j] / two_m;
            }
        }
    }
    q / two_m
}

/// Louvain on the undirected graph `w_ij + w_ji` (self-loops dropped). Deterministic: nodes are
/// visited in index order and a node moves only for a strictly positive gain.
fn louvain(w: &[f64], n: usize) -> (Vec<usize>, f64) {
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            if i != j {
                a[i * n + j] = w[i * n + j].max(0.0) + w[j * n + i].max(0.0);
            }
        }
    }
    let mut label: Vec<usize> = (0..n).collect(); // community of every original node
    let mut g = a.clone(); // current (aggregated) graph, with self-loops after aggregation
    let mut gn = n;
    loop {
        let k: Vec<f64> = (0..gn).map(|i| (0..gn).map(|j| g[i * gn + j]).sum()).collect();
        let two_m: f64 = k.iter().sum();
        if two_m <= 0.0 {
            break;
        }
        let mut comm: Vec<usize> = (0..gn).collect();
        let mut tot: Vec<f64> = k.clone();
        let mut improved = false;
        loop {
            let mut moved = false;
            for i in 0..gn {
                let ci = comm[i];
                // Weights from i to every community (excluding i's self-loop).
                let mut to = vec![0.0; gn];
                for j in 0..gn {
                    if j != i {
                        to[comm[j]] += g[i * gn + j];
                    }
                }
                tot[ci] -= k[i];
                let gain = |c: usize| to[c] - tot[c] * k[i] / two_m;
                let mut best = ci;
                let mut best_gain = gain(ci);
                for c in 0..gn {
                    if c != ci && (to[c] > 0.0) && gain(c) > best_gain + 1e-12 {
                        best = c;
                        best_gain = gain(c);
                    }
                }
                tot[best] += k[i];
                if best != ci {
                    comm[i] = best;
                    moved = true;
                    improved = true;
                }
            }
            if !moved {
                break;
            }
        }
        if !improved {
            break;
        }
        // Renumber and aggregate.
        let mut id = vec![usize::MAX; gn];
        let mut next = 0;
        for c in comm.iter_mut() {
            if id[*c] == usize::MAX {
                id[*c] = next;
                next += 1;
            }
            *c = id[*c];
        }
        let mut h = vec![0.0; next * next];
        for i in 0..gn {
            for j in 0..gn {
                h[comm[i] * next + comm[j]] += g[i * gn + j];
            }
        }
        for l in label.iter_mut() {
            *l = comm[*l];
        }
        g = h;
        gn = next;
    }
    // Number communities by their first member.
    let mut id = vec![usize::MAX; n];
    let mut next = 0;
    let label: Vec<usize> = label
        .iter()
        .map(|&c| {
            if id[c] == usize::MAX {
                id[c] = next;
                next += 1;
            }
            id[c]
        })
        .collect();
    let q = modularity_of(&a, n, &label);
    (label, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directed path a → b → c with weights 1: b lies on the only a→c path; betweenness of b
    /// = 1/((3−1)(3−2)) = 0.5. Two triangles joined by one weak edge form two communities.
    #[test]
    fn path_and_two_triangles() {
        let w = [0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
        let net = Network::new(&w, 3);
        assert_eq!(net.betweenness, vec![0.0, 0.5, 0.0]);
        assert!((net.density - 2.0 / 6.0).abs() < 1e-15);
        assert!((net.pagerank.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let mut w6 = vec![0.0; 36];
        for (i, j) in [(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3)] {
            w6[i * 6 + j] = 10.0;
            w6[j * 6 + i] = 10.0;
        }
        w6[2 * 6 + 3] = 1.0;
        let net = Network::new(&w6, 6);
        assert_eq!(net.community, vec![0, 0, 0, 1, 1, 1]);
        assert!(net.modularity > 0.4);
    }
}
