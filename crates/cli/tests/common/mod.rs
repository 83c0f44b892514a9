//! Shared helpers of the end-to-end tests: run the real `baydex` binary and read its output.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

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

/// Starts `baydex serve ARGS --bind 127.0.0.1:0 --lang en` (logs at info on its piped stderr) and
/// returns it with its `host:port`, read from the first line it prints.
pub fn start_serve(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_baydex"))
        .arg("serve")
        .args(args)
        .args(["--bind", "127.0.0.1:0", "--lang", "en"])
        .env("BAYDEX_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start baydex serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, addr)
}

/// One HTTP/1.1 request with a JSON `body` (empty: none); returns the status and the body.
pub fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("response");
    let status = raw.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}
