//! The shipped examples load without errors or warnings.

use std::path::Path;

use baydex_data::load_project_path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn gba_example_loads_cleanly() {
    let l = load_project_path(&root().join("examples/gba/gba.toml")).unwrap_or_else(|d| panic!("{d}"));
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    assert_eq!(l.project.units.len(), 11);
    assert_eq!(l.project.meta.periods, ["2023"]);
    // project file, units file, two data files
    assert_eq!(l.inputs.len(), 4, "{:?}", l.inputs);
    assert!(l.project.units.iter().all(|u| u.lon.is_some() && u.groups.contains_key("region")));
}

#[test]
fn asem_example_loads_cleanly() {
    let l = load_project_path(&root().join("examples/asem/asem.toml")).unwrap_or_else(|d| panic!("{d}"));
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    assert_eq!(l.project.units.len(), 51);
    assert_eq!(l.project.data.columns.len(), 49 + 4);
}
