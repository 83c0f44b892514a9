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
