//! The TOML of the evaluation-method pages of `docs/methods/` works: every `[[pipeline]]` snippet loads and runs in a small
//! project whose framework has the nodes the snippet names, and the `[tiers]` of `coupling.md`
//! is exactly `coordination_classes()`.

use std::path::{Path, PathBuf};

use baydex_core::aggregate::coordination_classes;
use baydex_core::compute;
use baydex_data::load_project_path;

mod markdown;
use markdown::toml_blocks;

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/methods")
}

/// A project around a snippet: the index (named after the node the snippet's `nodes` names, or
/// `IDX`) over two dimensions `ECO` and `ENV` of two indicators each, five units, one period.
fn project(snippet: &str) -> String {
    let index = snippet
        .split("nodes = { ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .filter(|c| !c.starts_with('"') && !c.ends_with(','))
        .unwrap_or("IDX");
    let mut p = format!("[index]\ncode = \"{index}\"\nname = \"Index\"\n\n");
    for u in ["U1", "U2", "U3", "U4", "U5"] {
        p.push_str(&format!("[[units.list]]\ncode = \"{u}\"\nname = \"{u}\"\n\n"));
    }
    for d in ["ECO", "ENV"] {
        p.push_str(&format!("[[node]]\ncode = \"{d}\"\nname = \"{d}\"\nparent = \"{index}\"\n\n"));
        for k in 1..=2 {
            p.push_str(&format!("[[indicator]]\ncode = \"{d}{k}\"\nname = \"{d}{k}\"\nparent = \"{d}\"\n\n"));
        }
    }
    p.push_str("[[data]]\nfile = \"data.csv\"\nperiod = \"2023\"\n\n[[pipeline]]\nstep = \"normalise\"\n\n");
    p.push_str(snippet);
    p
}

const DATA: &str = "unit,ECO1,ECO2,ENV1,ENV2\nU1,1,5,3,9\nU2,2,4,8,1\nU3,3,3,2,2\nU4,4,2,7,5\nU5,5,1,4,6\n";

#[test]
fn pipeline_snippets_run() {
    let mut ran = 0;
    // The pages of the evaluation methods (other pages of docs/methods have their own tests).
    for page in ["topsis.md", "vikor.md", "gra.md", "coupling.md", "obstacle.md"] {
        let path = docs().join(page);
        let md = std::fs::read_to_string(&path).unwrap();
        for block in toml_blocks(&md).into_iter().filter(|b| b.contains("[[pipeline]]")) {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("p.toml"), project(&block)).unwrap();
            std::fs::write(dir.path().join("data.csv"), DATA).unwrap();
            let loaded = load_project_path(&dir.path().join("p.toml"))
                .unwrap_or_else(|d| panic!("{}: snippet does not load:\n{block}\n{d}", path.display()));
            let r = compute(&loaded.project).unwrap_or_else(|e| panic!("{}: {e}\n{block}", path.display()));
            let root = loaded.project.framework.root();
            assert!(r.periods[0].scores(root).iter().all(|x| x.is_finite()), "{}", path.display());
            ran += 1;
        }
    }
    assert!(ran >= 4, "pipeline snippets found: {ran}");
}

#[test]
fn coupling_tiers_are_the_coordination_classes() {
    let md = std::fs::read_to_string(docs().join("coupling.md")).unwrap();
    let tiers = toml_blocks(&md).into_iter().find(|b| b.contains("[tiers]")).expect("a [tiers] block");
    let pipeline = toml_blocks(&md).into_iter().find(|b| b.contains("[[pipeline]]")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.toml"), format!("{}\n{tiers}", project(&pipeline))).unwrap();
    std::fs::write(dir.path().join("data.csv"), DATA).unwrap();
    let loaded = load_project_path(&dir.path().join("p.toml")).unwrap_or_else(|d| panic!("{d}"));
    let got = loaded.project.tiers.clone().expect("tiers");
    let want = coordination_classes();
    assert_eq!(got.bands, want.bands);
    assert_eq!(got.nodes, Some(vec!["CCD".to_string()]));
    // And the classes tier the coupling node's D.
    let r = compute(&loaded.project).unwrap();
    let ccd = loaded.project.framework.root();
    assert!(r.periods[0].tiers(ccd).iter().all(Option::is_some));
}
