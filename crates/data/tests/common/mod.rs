//! Helpers shared by the loader tests: small projects written to a temporary folder.

#![allow(dead_code)]

use std::path::Path;

use baydex_data::{Diagnostic, Diagnostics, LoadedProject, Severity, load_project_path};
use tempfile::TempDir;

/// A valid project: two units, one dimension, two indicators, one series, long CSV data for
/// 2022 and 2023, a pipeline and tiers. Line numbers matter to the tests; edit with care.
pub const PROJECT: &str = r#"[index]
code = "DEI"
name = { zh = "数字经济指数", en = "Digital Economy Index" }

[[units.list]]
code = "SZ"
name = { zh = "深圳", en = "Shenzhen" }
lon = 114.06
lat = 22.54
adcode = 440300

[[indicator]]
code = "ECOM"
name = { zh = "网上零售额", en = "Online retail sales" }
parent = "COM"
weight = 2
denominator = "POP"

[[units.list]]
code = "GZ"
name = { zh = "广州", en = "Guangzhou" }
groups = { region = "PRD9" }

[[node]]
code = "COM"
name = { zh = "数字商业", en = "Digital commerce" }
parent = "DEI"

[[indicator]]
code = "PAY"
name = "Mobile payment"
parent = "COM"
direction = -1
goalposts = [0, 100]

[[series]]
code = "POP"
name = { zh = "常住人口", en = "Population" }

[[data]]
file = "data.csv"

[[pipeline]]
step = "normalise"
method = "minmax"

[[pipeline]]
step = "aggregate"

[tiers]
nodes = ["DEI"]

[[tiers.band]]
code = "T1"
name = { zh = "第一梯队", en = "First tier" }
min = 50

[[tiers.band]]
code = "T2"
name = { zh = "第二梯队", en = "Second tier" }
"#;

/// Long data for [`PROJECT`]: GZ has no PAY in 2023 (NA); GZ has no value at all in 2022.
pub const DATA: &str = "# comment line\n\
unit,period,indicator,value\n\
SZ,2023,ECOM,10.5\n\
SZ,2023,PAY,5\n\
SZ,2023,POP,1766\n\
GZ,2023,ECOM,8\n\
GZ,2023,PAY,NA\n\
GZ,2023,POP,1882\n\
SZ,2022,ECOM,9\n\
GZ,2022,PAY,4\n\
SZ,2022,POP,1760\n";

/// Writes the files into a new temporary folder.
pub fn write(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, contents).unwrap();
    }
    dir
}

/// Loads `p.toml` from the folder.
pub fn load(dir: &TempDir) -> Result<LoadedProject, Diagnostics> {
    load_project_path(&dir.path().join("p.toml"))
}

/// Loads a project made of `p.toml` and `data.csv`; expects success.
pub fn ok(project: &str, data: &str) -> LoadedProject {
    let dir = write(&[("p.toml", project.as_bytes()), ("data.csv", data.as_bytes())]);
    load(&dir).unwrap_or_else(|d| panic!("expected success, got:\n{d}"))
}

/// Loads a project made of `p.toml` and `data.csv`; expects failure and returns the errors.
pub fn errors(project: &str, data: &str) -> Vec<Diagnostic> {
    let dir = write(&[("p.toml", project.as_bytes()), ("data.csv", data.as_bytes())]);
    errors_in(&dir)
}

/// Loads `p.toml` from the folder; expects failure and returns the errors.
pub fn errors_in(dir: &TempDir) -> Vec<Diagnostic> {
    match load(dir) {
        Ok(_) => panic!("expected errors, the project loaded"),
        Err(d) => {
            check_bilingual(&d.0);
            d.0.into_iter().filter(|d| d.severity == Severity::Error).collect()
        }
    }
}

/// Every diagnostic has a message in both languages, and a help in both or neither.
pub fn check_bilingual(ds: &[Diagnostic]) {
    for d in ds {
        assert!(!d.message.en.is_empty() && !d.message.zh.is_empty(), "not bilingual: {d:?}");
        assert_eq!(d.help.en.is_empty(), d.help.zh.is_empty(), "help not bilingual: {d:?}");
    }
}

/// The one diagnostic whose English message contains `needle`.
pub fn find<'a>(ds: &'a [Diagnostic], needle: &str) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = ds.iter().filter(|d| d.message.en.contains(needle)).collect();
    match found.as_slice() {
        [d] => d,
        _ => panic!("expected one diagnostic containing {needle:?}, found {}:\n{}", found.len(), render(ds)),
    }
}

/// All diagnostics, rendered in English.
pub fn render(ds: &[Diagnostic]) -> String {
    ds.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n")
}

/// 1-based line of the first occurrence of `needle` in `text`.
pub fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in the text"));
    text[..at].matches('\n').count() + 1
}

/// True if the diagnostic is about the file named `name` (the displayed path ends with it).
pub fn in_file(d: &Diagnostic, name: &str) -> bool {
    Path::new(&d.file).file_name().is_some_and(|f| f == name)
}
