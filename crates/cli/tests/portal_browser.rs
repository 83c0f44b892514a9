//! The portal in a real browser: starts `baydex serve` on a free loopback port and runs
//! `tests/browser/portal.mjs` (playwright-core driving Debian's headless chromium) against it, and
//! `tests/browser/portal_auth.mjs` against a server with an access file (the portal's token field).
//! Screenshots are kept in `$CARGO_TARGET_DIR/baydex-artifacts/portal/` (and `portal-auth/`).
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

/// Starts `baydex serve ARGS` on a free loopback port; returns it and its base URL.
fn serve(args: &[&str]) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baydex"))
        .args(["serve", "--bind", "127.0.0.1:0", "--lang", "en"])
        .args(args)
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
    (server, url)
}

#[test]
fn portal_works_in_headless_chromium() {
    let browser_dir = common::repo().join("tests/browser");
    require_tools(&browser_dir);
    let (server, url) = serve(&[]);
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

/// The token field: with an access file that makes `gba` public and `gba-panel` readable by
/// analysts only, the restricted project is invisible and refused (401) without a token, refused
/// (403) with a viewer's token, visible and drawn with an analyst's; an invalid token is reported;
/// the token stays in the tab's sessionStorage and "clear" forgets it (`portal_auth.mjs`).
#[test]
fn portal_token_opens_restricted_projects_in_headless_chromium() {
    let browser_dir = common::repo().join("tests/browser");
    require_tools(&browser_dir);
    let (analyst, viewer) = ("analyst-portal-token-1", "viewer-portal-token-2");
    let tmp = tempfile::tempdir().unwrap();
    let auth = tmp.path().join("auth.toml");
    std::fs::write(
        &auth,
        format!(
            "[[principal]]\nname = \"ana\"\ntoken_sha256 = \"{}\"\nroles = [\"analyst\"]\n\n\
             [[principal]]\nname = \"vic\"\ntoken_sha256 = \"{}\"\nroles = [\"viewer\"]\n\n\
             [[project]]\nid = \"gba\"\npublic = true\n\n[[project]]\nid = \"gba-panel\"\nroles = [\"analyst\"]\n",
            baydex_server::auth::token_sha256(analyst),
            baydex_server::auth::token_sha256(viewer)
        ),
    )
    .unwrap();
    let (server, url) = serve(&["--auth", auth.to_str().unwrap()]);
    let dir = common::artifacts("portal-auth");
    let out = Command::new("node")
        .arg(browser_dir.join("portal_auth.mjs"))
        .args([url.as_str(), dir.to_str().unwrap(), analyst, viewer])
        .current_dir(&browser_dir)
        .output()
        .expect("run node");
    drop(server);
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "portal token checks failed (screenshots in {}):\n{log}", dir.display());
    for name in ["auth-401-en", "auth-invalid-zh", "auth-403-zh", "auth-analyst-zh"] {
        assert!(dir.join(format!("{name}.png")).exists(), "missing screenshot {name}.png");
    }
}
