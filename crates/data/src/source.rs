//! Where project files come from: a directory on disk or files embedded in the binary.

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Where project files come from: a directory or files embedded in the binary.
///
/// Paths given to a source are relative and use `/` as separator (as written in project
/// files); the project loader resolves data paths against the project file's folder first.
pub trait Source {
    /// Reads a file.
    fn read(&self, rel: &str) -> io::Result<Vec<u8>>;
    /// The path shown to users for `rel`.
    fn display(&self, rel: &str) -> String;
}

/// Files under a directory: `rel` is read from `root.join(rel)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirSource {
    /// The directory paths are relative to.
    pub root: PathBuf,
}

impl DirSource {
    /// A source reading under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DirSource { root: root.into() }
    }
}

impl Source for DirSource {
    fn read(&self, rel: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.root.join(rel))
    }

    fn display(&self, rel: &str) -> String {
        self.root.join(rel).display().to_string()
    }
}

/// Files embedded in the binary (e.g. the default Greater Bay Area project), as
/// `(relative path, contents)` pairs.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedSource {
    /// Name shown in paths: `<embedded>/{name}/{rel}`.
    pub name: &'static str,
    /// The files.
    pub files: &'static [(&'static str, &'static [u8])],
}

impl Source for EmbeddedSource {
    fn read(&self, rel: &str) -> io::Result<Vec<u8>> {
        let want = normalise(rel);
        self.files
            .iter()
            .find(|(p, _)| normalise(p) == want)
            .map(|(_, b)| b.to_vec())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no embedded file '{want}'")))
    }

    fn display(&self, rel: &str) -> String {
        format!("<embedded>/{}/{}", self.name, normalise(rel))
    }
}

/// An input file that was read, with its hash, for the manifest of every output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The path as displayed.
    pub path: String,
    /// SHA-256 of the contents, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

impl InputFile {
    /// Hashes `contents` read from `path`.
    pub fn new(path: impl Into<String>, contents: &[u8]) -> Self {
        let digest = Sha256::digest(contents);
        let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
        InputFile { path: path.into(), sha256, bytes: contents.len() as u64 }
    }
}

/// Resolves `rel` (as written in the project file `base`) against the folder of `base`.
/// Absolute paths are kept as they are.
pub(crate) fn resolve(base: &str, rel: &str) -> String {
    let rel = rel.replace('\\', "/");
    if rel.starts_with('/') || Path::new(&rel).is_absolute() {
        return rel;
    }
    let dir = match base.rfind('/') {
        Some(i) => base.get(..=i).unwrap_or(""),
        None => "",
    };
    normalise(&format!("{dir}{rel}"))
}

/// Removes `.` segments and resolves `..` segments where possible.
fn normalise(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." if out.last().is_some_and(|s| *s != "..") => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if p.starts_with('/') { format!("/{joined}") } else { joined }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_against_the_project_folder() {
        assert_eq!(resolve("project.toml", "data.csv"), "data.csv");
        assert_eq!(resolve("gba/project.toml", "./data/d.csv"), "gba/data/d.csv");
        assert_eq!(resolve("gba/project.toml", "../x.csv"), "x.csv");
        assert_eq!(resolve("p.toml", "../x.csv"), "../x.csv");
        assert_eq!(resolve("/srv/p.toml", "x.csv"), "/srv/x.csv");
    }

    #[test]
    fn embedded_files() {
        static FILES: &[(&str, &[u8])] = &[("p.toml", b"x"), ("d/data.csv", b"y")];
        let s = EmbeddedSource { name: "gba", files: FILES };
        assert_eq!(s.read("./d/data.csv").unwrap(), b"y");
        assert!(s.read("nope").is_err());
        assert_eq!(s.display("d/data.csv"), "<embedded>/gba/d/data.csv");
    }

    #[test]
    fn sha256_of_abc() {
        // FIPS 180-2, appendix B.1.
        let f = InputFile::new("x", b"abc");
        assert_eq!(f.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(f.bytes, 3);
    }
}
