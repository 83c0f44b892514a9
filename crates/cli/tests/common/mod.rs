//! Shared helpers of the end-to-end tests: run the real `baydex` binary and read its output.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `baydex` with `args`, in a neutral language environment.
pub fn baydex(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baydex"))
        .args(args)
        .env_remove("BAYDEX_LANG")
        .env("LANG", "C")
        .output()
        .expect("run baydex")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Where test artifacts (screenshots…) go: `$CARGO_TARGET_DIR/baydex-artifacts/<sub>`, else the
/// target directory the test binary runs from.
pub fn artifacts(sub: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| {
        // target/<profile>/deps/<test binary>
        let exe = std::env::current_exe().expect("test binary path");
        exe.ancestors().nth(3).map(PathBuf::from).unwrap_or_else(std::env::temp_dir)
    });
    target.join("baydex-artifacts").join(sub)
}

/// Fails (never skips) when node, Debian's chromium or playwright-core is missing, saying that
/// `bash scripts/test.sh` installs them.
pub fn require_browser_tools(what: &str) {
    let chromium = std::env::var("BAYDEX_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let missing: Vec<&str> = [
        (!node).then_some("node (Debian package nodejs)"),
        (!Path::new(&chromium).exists()).then_some("chromium (Debian package chromium)"),
        (!repo().join("tests/browser/node_modules/playwright-core").exists())
            .then_some("playwright-core (npm ci in tests/browser)"),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(missing.is_empty(), "{what} needs {}; run `bash scripts/test.sh`, which installs them", missing.join(", "));
}
