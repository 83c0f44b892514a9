#!/usr/bin/env python3
"""Oracle for baydex-flows' network measures: networkx on the same weighted directed graph.

Usage: networkx_centrality.py EDGES.csv < partition.json
  EDGES.csv: origin,destination,count (or scikit-mobility's NY layout `flow,origin,destination`);
             `#` lines are comments; self-loops (intra-unit flows) and zero flows are dropped;
             records of the same pair (several periods or modes) are summed.
  stdin:     {"communities": [[node, ...], ...]} — baydex's partition, whose modularity networkx
             computes on the undirected graph with weights w_ij + w_ji.

Graph convention (as documented in crates/flows/src/network.rs): nx.DiGraph, edge attribute
"weight" = flow and "distance" = 1/flow. Calls:
  nx.betweenness_centrality(G, weight="distance", normalized=True)
  nx.closeness_centrality(G, distance="distance")
  nx.pagerank(G, alpha=0.85, weight="weight", tol=1e-15, max_iter=100000)
  G.in_degree / out_degree (with and without weight), nx.density(G)
  nx.community.modularity(U, communities, weight="weight")
"""
import csv
import json
import sys

import networkx as nx


def main():
    G = nx.DiGraph()
    nodes = []
    with open(sys.argv[1], newline="") as f:
        for r in csv.DictReader(line for line in f if not line.startswith("#")):
            o, d = r["origin"], r["destination"]
            for x in (o, d):
                if x not in G:
                    G.add_node(x)
                    nodes.append(x)
            w = float(r.get("flow") or r.get("count"))
            if o == d or w <= 0:
                continue
            if G.has_edge(o, d):  # several periods or modes: their sum
                w += G[o][d]["weight"]
            G.add_edge(o, d, weight=w, distance=1.0 / w)
    part = json.load(sys.stdin)
    U = nx.Graph()
    U.add_nodes_from(G.nodes)
    for u, v, data in G.edges(data=True):
        w = U[u][v]["weight"] if U.has_edge(u, v) else 0.0
        U.add_edge(u, v, weight=w + data["weight"])
    out = {
        "networkx": nx.__version__,
        "nodes": nodes,
        "betweenness": nx.betweenness_centrality(G, weight="distance", normalized=True),
        "closeness": nx.closeness_centrality(G, distance="distance"),
        "pagerank": nx.pagerank(G, alpha=0.85, weight="weight", tol=1e-15, max_iter=100000),
        "in_strength": dict(G.in_degree(weight="weight")),
        "out_strength": dict(G.out_degree(weight="weight")),
        "in_degree": dict(G.in_degree()),
        "out_degree": dict(G.out_degree()),
        "density": nx.density(G),
        "modularity": nx.community.modularity(U, [set(c) for c in part["communities"]], weight="weight"),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
