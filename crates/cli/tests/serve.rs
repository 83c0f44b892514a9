//! The real `baydex serve` on a free loopback port: HTTP over TCP, the access file, the audit log
//! line, and a graceful exit on SIGTERM.

mod common;
use common::{http, start_serve};

use std::io::Read;
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

#[test]
fn serve_answers_http_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    // The access file holds the token's SHA-256 as coreutils' sha256sum prints it.
    let out = Command::new("sh").args(["-c", "printf %s t0ken | sha256sum"]).output().expect("sha256sum");
    let hash = String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or_default().to_string();
    assert_eq!(hash.len(), 64);
    let auth = dir.path().join("auth.toml");
    std::fs::write(
        &auth,
        format!(
            "[[principal]]\nname = \"ana\"\ntoken_sha256 = \"{hash}\"\nroles = [\"analyst\"]\n\
             [[project]]\nid = \"gba\"\npublic = true\n[[project]]\nid = \"gba-panel\"\nroles = [\"analyst\"]\n"
        ),
    )
    .unwrap();

    let (mut child, addr) = start_serve(&["--auth", auth.to_str().unwrap()]);
    let (status, body) = http(&addr, "GET", "/healthz", None, "");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    assert_eq!(http(&addr, "GET", "/readyz", None, "").0, 200);

    // The results endpoint carries the numbers of baydex_core::compute on the same files
    // (examples/gba is what the binary embeds), bit for bit (shortest round-trip floats).
    let (status, body) = http(&addr, "GET", "/api/projects/gba/periods/2023/results", None, "");
    assert_eq!(status, 200, "{body}");
    let j: Json = serde_json::from_str(&body).unwrap();
    let l = baydex_data::load_project_path(&common::repo().join("examples/gba/gba.toml")).unwrap();
    let r = baydex_core::compute(&l.project).unwrap();
    let root = l.project.framework.root();
    let want: Vec<f64> = r.periods[0].scores(root).to_vec();
    let got: Vec<f64> = j["nodes"]["DEI"]["score"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert_eq!(got, want);

    // Restricted project: 401 without a token, 200 with one; the read is audited in the log.
    let (status, body) = http(&addr, "GET", "/api/projects/gba-panel/periods", None, "");
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("\"code\":\"unauthorized\""), "{body}");
    assert_eq!(http(&addr, "GET", "/api/projects/gba-panel/periods", Some("t0ken"), "").0, 200);
    assert_eq!(http(&addr, "GET", "/", None, "").0, 200);

    // SIGTERM: the server stops accepting, finishes, and exits 0.
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(t0.elapsed() < Duration::from_secs(15), "baydex serve did not stop within 15 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(status.success(), "exit {status:?}\n{log}");
    assert!(log.contains("SIGTERM received") && log.contains("stopped"), "{log}");
    assert!(log.contains("restricted data access") && log.contains("principal=ana"), "{log}");
    assert!(log.contains("outcome=\"denied\"") || log.contains("outcome=denied"), "{log}");
    assert!(TcpStream::connect(&addr).is_err(), "still accepting connections after exit");
}

#[test]
fn serve_refuses_a_bad_access_file() {
    let dir = tempfile::tempdir().unwrap();
    let auth = dir.path().join("auth.toml");
    std::fs::write(&auth, "[[principal]]\nname = \"ana\"\ntoken = \"secret\"\n").unwrap();
    let out = common::baydex(&["serve", "--auth", auth.to_str().unwrap(), "--bind", "127.0.0.1:0", "--lang", "zh"]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(err.contains("principal[1].token") && err.contains("明文"), "{err}");
}

/// The ILLUSTRATIVE GBA flows through the `flows` extension: `GET /api/projects/gba/flows` carries
/// the numbers of `baydex_flows` computed here on the same files (examples/gba/units.csv,
/// context_2023.csv and flows_od_illustrative.csv — what the binary embeds), compared exactly
/// (serde_json writes shortest round-trip floats); the project list says which projects have
/// flows, a project without them answers 404 `not_available`, and OpenAPI lists the route.
#[test]
fn flows_extension_serves_the_numbers_of_baydex_flows() {
    use baydex_flows::gravity::{self, Constraint, Decay, GravityData, Pairs};
    use baydex_flows::{Linkage, Network, OdOptions, OdTable, Units};
    let (mut child, addr) = start_serve(&[]);
    let (status, body) = http(&addr, "GET", "/api/projects/gba/flows", None, "");
    assert_eq!(status, 200, "{body}");
    let j: Json = serde_json::from_str(&body).unwrap();

    let read = |f: &str| std::fs::read_to_string(common::repo().join("examples/gba").join(f)).unwrap();
    let mut units = Units::parse(&read("units.csv"), "units.csv", None).unwrap();
    units.add_masses(&read("context_2023.csv"), "context_2023.csv", Some("2023")).unwrap();
    let od = OdTable::parse(&read("flows_od_illustrative.csv"), "od.csv", &units, OdOptions::default()).unwrap();
    let n = units.len();
    let m = od.matrix(n, od.periods.last().map(String::as_str), None);
    let link = Linkage::new(&m, &units.groups);
    let net = Network::new(&m.flow, n);

    assert_eq!(j["illustrative"], true);
    assert_eq!(j["total"].as_f64().unwrap(), link.total);
    let pairs = j["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), link.pairs.len().min(60));
    for (got, want) in pairs.iter().zip(&link.pairs) {
        assert_eq!(got["a"], units.codes[want.a].as_str());
        assert_eq!(got["b"], units.codes[want.b].as_str());
        assert_eq!(got["total"].as_f64().unwrap(), want.total);
        assert_eq!(got["share"].as_f64().unwrap(), want.share);
    }
    let nodes = j["network"]["nodes"].as_array().unwrap();
    for (u, node) in nodes.iter().enumerate() {
        assert_eq!(node["unit"], units.codes[u].as_str());
        assert_eq!(node["pagerank"].as_f64().unwrap(), net.pagerank[u]);
        assert_eq!(node["betweenness"].as_f64().unwrap(), net.betweenness[u]);
        assert_eq!(node["strength"].as_f64().unwrap(), net.in_strength[u] + net.out_strength[u]);
    }
    let hubs: Vec<&str> = net.hubs.iter().map(|&u| units.codes[u].as_str()).collect();
    assert_eq!(j["network"]["hubs"], serde_json::json!(hubs));
    // The production-constrained power-law fit with population as mass.
    let dist = baydex_flows::distance::great_circle_matrix(&units).unwrap();
    let pop = units.mass("POP").unwrap();
    let fit = gravity::fit(
        Constraint::Production,
        Decay::Power,
        &Pairs::from_matrix(&m, &dist, false),
        GravityData { codes: &units.codes, origin_mass: Some(&pop), dest_mass: Some(&pop) },
    )
    .unwrap();
    let g = &j["gravity"];
    assert_eq!(g["model"], "production");
    let gamma = g["coefficients"].as_array().unwrap().iter().find(|c| c["name"] == "log_distance").unwrap();
    assert_eq!(gamma["estimate"].as_f64().unwrap(), fit.coefficient("log_distance").unwrap().estimate);
    assert_eq!(g["pseudo_r2"].as_f64().unwrap(), fit.fit.mcfadden);

    let (_, list) = http(&addr, "GET", "/api/projects", None, "");
    let list: Json = serde_json::from_str(&list).unwrap();
    let ext =
        |id: &str| list["projects"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap()["extensions"].clone();
    let has_flows = |id: &str| ext(id).as_array().unwrap().iter().any(|e| e == "flows");
    assert!(has_flows("gba"), "{list}");
    assert!(!has_flows("gba-panel"), "{list}");
    let (status, body) = http(&addr, "GET", "/api/projects/gba-panel/flows", None, "");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("not_available"), "{body}");
    let (_, doc) = http(&addr, "GET", "/openapi.json", None, "");
    assert!(doc.contains("/api/projects/{id}/flows"), "{doc}");
    let _ = child.kill();
    let _ = child.wait();
}
