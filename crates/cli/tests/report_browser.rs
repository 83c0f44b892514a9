//! The HTML report in a real browser: `baydex report` writes report.html into a temporary
//! directory, and `tests/browser/report.mjs` (playwright-core driving Debian's headless chromium)
//! opens it through file:// and checks that it makes no network request at all, logs no console
//! error, and renders the map and every chart; the illustrative banner must be there for the GBA
//! default and absent for real data. Screenshots (desktop, phone, print) and the printed PDF are
//! kept in `$CARGO_TARGET_DIR/baydex-artifacts/report/`.
//!
//! Never skipped: without node, chromium or playwright-core the test fails and says that
//! `bash scripts/test.sh` installs them.

mod common;
use common::*;

use std::process::Command;

/// Writes the report of `args` into `dir/<name>/report.html` and checks it in chromium.
fn check(name: &str, args: &[&str], flags: &[&str]) {
    require_browser_tools("the report browser test");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join(name);
    let mut a = vec!["report"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let o = baydex(&a);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = out.join("report.html");
    let shots = artifacts("report");
    let o = Command::new("node")
        .arg(repo().join("tests/browser/report.mjs"))
        .arg(&html)
        .arg(&shots)
        .args(flags)
        .output()
        .expect("run node");
    assert!(
        o.status.success(),
        "report.mjs failed for {name}:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(shots.join(format!("{name}-report-desktop.png")).is_file());
    assert!(shots.join(format!("{name}-report-print.png")).is_file());
}

#[test]
fn gba_report_zh_in_chromium() {
    check(
        "gba-zh",
        &["--lang", "zh", "--sensitivity"],
        &["--expect-banner", "--expect-map", "--expect-flows", "--expect-sensitivity"],
    );
}

#[test]
fn gba_report_en_in_chromium() {
    check(
        "gba-en",
        &["--lang", "en", "--sensitivity"],
        &["--expect-banner", "--expect-map", "--expect-flows", "--expect-sensitivity"],
    );
}

#[test]
fn asem_report_in_chromium() {
    let asem = repo().join("examples/asem/asem.toml").display().to_string();
    check("asem-en", &[&asem, "--lang", "en"], &["--expect-no-banner", "--expect-no-flows", "--expect-no-sensitivity"]);
}

#[test]
fn panel_report_in_chromium() {
    check("panel-zh", &["--example", "gba-panel", "--lang", "zh"], &["--expect-no-banner", "--expect-map"]);
}
