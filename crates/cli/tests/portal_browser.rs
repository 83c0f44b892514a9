//! The portal in a real browser: starts `baydex serve` on a free loopback port and runs
//! `tests/browser/portal.mjs` (playwright-core driving Debian's headless chromium) against it.
//! Screenshots are kept in `$CARGO_TARGET_DIR/baydex-artifacts/portal/`.
//!
//! Never skipped: without node, chromium or playwright-core the test fails and says that
//! `bash scripts/test.sh` installs them.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// Stops the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

/// Where test artifacts go: `$CARGO_TARGET_DIR`, else the target directory this test runs from.
fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| {
        // target/<profile>/deps/<test binary>
        let exe = std::env::current_exe().expect("test binary path");
        exe.ancestors().nth(3).map(PathBuf::from).unwrap_or_else(std::env::temp_dir)
    });
    target.join("baydex-artifacts").join("portal")
}

fn require_tools(browser_dir: &std::path::Path) {
    let chromium = std::env::var("BAYDEX_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let missing: Vec<&str> = [
        (!node).then_some("node (Debian package nodejs)"),
        (!std::path::Path::new(&chromium).exists()).then_some("chromium (Debian package chromium)"),
        (!browser_dir.join("node_modules/playwright-core").exists())
            .then_some("playwright-core (npm ci in tests/browser)"),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(
        missing.is_empty(),
        "the portal browser test needs {}; run `bash scripts/test.sh`, which installs them",
        missing.join(", ")
    );
}

#[test]
fn portal_works_in_headless_chromium() {
    let browser_dir = common::repo().join("tests/browser");
    require_tools(&browser_dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_baydex"))
        .args(["serve", "--bind", "127.0.0.1:0", "--lang", "en"])
        .env("BAYDEX_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start baydex serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
    let server = Server(child);
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .map(|w| w.trim_end_matches('/').to_string())
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    let dir = artifacts();
    let out = Command::new("node")
        .arg(browser_dir.join("portal.mjs"))
        .arg(&url)
        .arg(&dir)
        .current_dir(&browser_dir)
        .output()
        .expect("run node");
    drop(server);
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "portal checks failed (screenshots in {}):\n{log}", dir.display());
    for name in ["desktop-zh", "desktop-en", "phone-zh", "phone-en"] {
        assert!(dir.join(format!("{name}.png")).exists(), "missing screenshot {name}.png");
    }
}
