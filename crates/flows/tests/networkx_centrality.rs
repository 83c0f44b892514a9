//! Acceptance: centralities of the city network agree with networkx (3.6.1, pinned in
//! scripts/test.sh) on the same weighted directed graph (tests/oracles/networkx_centrality.py):
//! the NY county commuting network (examples/ny; 62 nodes, 1,892 weighted edges) and the
//! illustrative GBA OD table (examples/gba/flows_od_illustrative.csv).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use baydex_flows::{Network, OdOptions, OdTable, Units};
use serde_json::{Value, json};

/// Shortest-path sums and power iteration in a different order of floating-point operations:
/// agreement to 1e-12 (PageRank to 1e-12 after both iterate to an L1 change below n·1e-15).
const TOL: f64 = 1e-12;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn oracle(edges: &Path, communities: &Value) -> Value {
    let mut child = Command::new("python3")
        .arg(repo().join("tests/oracles/networkx_centrality.py"))
        .arg(edges)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}); scripts/test.sh installs python3 and networkx 3.6.1"));
    child.stdin.take().unwrap().write_all(communities.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the networkx oracle failed — is networkx installed? scripts/test.sh installs networkx==3.6.1\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn check(units_file: &str, units_text: &str, od_file: &Path) {
    let units = Units::parse(units_text, units_file, None).unwrap();
    let od = OdTable::parse(&std::fs::read_to_string(od_file).unwrap(), "od", &units, OdOptions::default()).unwrap();
    let m = od.matrix(units.len(), None, None);
    let net = Network::new(&m.flow, units.len());
    let ncomm = net.community.iter().max().map_or(0, |c| c + 1);
    let communities: Vec<Vec<&str>> = (0..ncomm)
        .map(|c| (0..units.len()).filter(|&u| net.community[u] == c).map(|u| units.codes[u].as_str()).collect())
        .collect();
    let want = oracle(od_file, &json!({ "communities": communities }));
    let mut bad = Vec::new();
    for (u, code) in units.codes.iter().enumerate() {
        if want["betweenness"].get(code).is_none() {
            continue; // a unit without any flow is not in the oracle's graph
        }
        for (key, got) in [
            ("betweenness", net.betweenness[u]),
            ("closeness", net.closeness[u]),
            ("pagerank", net.pagerank[u]),
            ("in_strength", net.in_strength[u]),
            ("out_strength", net.out_strength[u]),
            ("in_degree", net.in_degree[u] as f64),
            ("out_degree", net.out_degree[u] as f64),
        ] {
            let w = want[key][code].as_f64().unwrap();
            if (got - w).abs() > TOL * w.abs().max(1.0) {
                bad.push(format!("{key}[{code}]: {got} vs networkx {w}"));
            }
        }
    }
    assert!((net.density - want["density"].as_f64().unwrap()).abs() < TOL);
    assert!((net.modularity - want["modularity"].as_f64().unwrap()).abs() < TOL, "modularity");
    assert!(ncomm >= 2, "the network has community structure");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn ny_network_matches_networkx() {
    let dir = repo().join("examples/ny");
    let attrs = std::fs::read_to_string(dir.join("NY_counties_2011_attributes.csv")).unwrap();
    check("NY_counties_2011_attributes.csv", &attrs, &dir.join("NY_commuting_flows_2011.csv"));
}

#[test]
fn gba_network_matches_networkx() {
    let dir = repo().join("examples/gba");
    let units = std::fs::read_to_string(dir.join("units.csv")).unwrap();
    check("units.csv", &units, &dir.join("flows_od_illustrative.csv"));
}
