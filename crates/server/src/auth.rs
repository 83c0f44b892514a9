//! Who is calling and what they may read: bearer tokens → principals with roles, which projects
//! are public, and the audit of every read of restricted data.
//!
//! The access file (`baydex serve --auth FILE`, TOML, documented in `docs/server.md`):
//!
//! ```toml
//! [[principal]]
//! name = "analyst"
//! token_sha256 = "…64 hex digits: printf %s TOKEN | sha256sum…"
//! roles = ["analyst"]
//!
//! [[project]]
//! id = "gba"
//! public = true            # anyone may read it, without a token
//!
//! [[project]]
//! id = "asem"
//! roles = ["analyst"]      # who may read it (role "admin" reads every project)
//! ```
//!
//! Tokens are never stored in clear: only their SHA-256. Without an access file every served
//! project is public and running is open (a local, single-user server). With one, a project not
//! listed (or listed without `public = true`) is restricted.
//!
//! [`Authenticator`] is the seam for other principal stores (the data catalog's access policy
//! plugs in here); [`AuditSink`] is the seam for other audit stores (`CatalogAudit`, feature
//! `catalog`, writes into the catalog's audit database).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::path::Path;
use std::sync::{Arc, Mutex};

use baydex_core::Text;
use serde::{Deserialize, Serialize};

/// The role that may read every project.
pub const ADMIN_ROLE: &str = "admin";

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// Name (for logs and the audit).
    pub name: String,
    /// Roles.
    pub roles: Vec<String>,
}

impl Principal {
    /// True when the principal has `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// Maps a bearer token to a principal. `None` = the token is not valid.
pub trait Authenticator: Debug + Send + Sync {
    /// The principal of `token`, if the token is valid.
    fn authenticate(&self, token: &str) -> Option<Principal>;
}

/// SHA-256 of a token, lowercase hex (`printf %s TOKEN | sha256sum`), as the catalog's access
/// policies store it.
pub use baydex_data::access::hash_token as token_sha256;

/// Principals of an access file, looked up by the SHA-256 of the presented token.
#[derive(Debug, Clone, Default)]
pub struct TokenTable {
    by_hash: HashMap<String, Principal>,
}

impl TokenTable {
    /// A table from `(sha256 hex, principal)` pairs.
    pub fn new(entries: impl IntoIterator<Item = (String, Principal)>) -> Self {
        TokenTable { by_hash: entries.into_iter().map(|(h, p)| (h.to_ascii_lowercase(), p)).collect() }
    }
}

impl Authenticator for TokenTable {
    fn authenticate(&self, token: &str) -> Option<Principal> {
        // The token itself is never compared: its hash is a lookup key, so the time taken does
        // not reveal how much of a guessed token was right.
        self.by_hash.get(&token_sha256(token)).cloned()
    }
}

/// The data catalog's access policy (`baydex_data::access`, `docs/catalog.md`) as the source of
/// principals: the same tokens and roles work for SQL and for this API.
impl Authenticator for baydex_data::access::AccessPolicy {
    fn authenticate(&self, token: &str) -> Option<Principal> {
        baydex_data::access::AccessPolicy::authenticate(self, token).map(|p| Principal { name: p.name, roles: p.roles })
    }
}

/// Who may read one project.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProjectAccess {
    /// Anyone may read it, without a token.
    pub public: bool,
    /// Roles that may read it when it is not public (role `admin` always may).
    pub roles: Vec<String>,
}

/// The access file: principals and the access of each project.
#[derive(Debug, Clone)]
pub struct AccessConfig {
    /// Who the bearer tokens belong to: the access file's `[[principal]]` entries, or the
    /// catalog policy named by its `policy` key.
    pub authenticator: Arc<dyn Authenticator>,
    /// Access of each listed project, by id.
    pub projects: BTreeMap<String, ProjectAccess>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    policy: Option<String>,
    #[serde(default)]
    principal: Vec<FilePrincipal>,
    #[serde(default)]
    project: Vec<FileProject>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePrincipal {
    name: String,
    #[serde(default)]
    token_sha256: Option<String>,
    #[serde(default)]
    token: Option<toml::Value>,
    #[serde(default)]
    roles: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileProject {
    id: String,
    #[serde(default)]
    public: bool,
    #[serde(default)]
    roles: Vec<String>,
}

/// A problem in the access file: the file, the key, what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {}", message.en)]
pub struct AccessFileError {
    /// The file.
    pub file: String,
    /// What is wrong, with the key and the fix, in both languages.
    pub message: Text,
}

impl AccessConfig {
    /// Reads an access file; a `policy` key names a catalog access policy (relative to the
    /// access file) whose principals and tokens are then used.
    pub fn load(path: &Path, served: &[String]) -> Result<AccessConfig, AccessFileError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| AccessFileError {
            file: file.clone(),
            message: Text::new(format!("cannot read the access file: {e}"), format!("无法读取访问配置文件：{e}")),
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        Self::parse_with(&file, &text, served, &|rel: &str| {
            let p = base.join(rel);
            baydex_data::access::AccessPolicy::load(&p).map_err(|d| {
                Text::new(d.render(baydex_core::Lang::En).trim_end(), d.render(baydex_core::Lang::Zh).trim_end())
            })
        })
    }

    /// Parses an access file's text; `file` names it in errors; `served` are the ids of the
    /// projects being served (a listed id that is not served is an error: probably a typo).
    /// A `policy` key is refused here (it needs a file to be relative to: use [`Self::load`]).
    pub fn parse(file: &str, text: &str, served: &[String]) -> Result<AccessConfig, AccessFileError> {
        Self::parse_with(file, text, served, &|_: &str| {
            Err(Text::new("`policy` needs AccessConfig::load", "`policy` 需通过文件加载"))
        })
    }

    fn parse_with(
        file: &str,
        text: &str,
        served: &[String],
        load_policy: &dyn Fn(&str) -> Result<baydex_data::access::AccessPolicy, Text>,
    ) -> Result<AccessConfig, AccessFileError> {
        let err = |en: String, zh: String| AccessFileError { file: file.to_string(), message: Text::new(en, zh) };
        let doc: FileDoc = toml::from_str(text).map_err(|e| {
            let m = e.to_string();
            err(
                format!("invalid access file: {m}; see docs/server.md"),
                format!("访问配置文件无效：{m}；参见 docs/server.md"),
            )
        })?;
        let mut tokens = Vec::new();
        for (i, p) in doc.principal.iter().enumerate() {
            let key = format!("principal[{}]", i + 1);
            if p.token.is_some() {
                return Err(err(
                    format!(
                        "{key}.token: tokens are never stored in clear; write token_sha256 = the SHA-256 of the token \
                         (printf %s TOKEN | sha256sum)"
                    ),
                    format!(
                        "{key}.token：令牌不得明文保存；请改写 token_sha256 = 令牌的 SHA-256（printf %s 令牌 | sha256sum）"
                    ),
                ));
            }
            let Some(h) = &p.token_sha256 else {
                return Err(err(
                    format!("{key} ('{}'): missing token_sha256 (printf %s TOKEN | sha256sum)", p.name),
                    format!("{key}（'{}'）：缺少 token_sha256（printf %s 令牌 | sha256sum）", p.name),
                ));
            };
            if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(err(
                    format!("{key}.token_sha256 is not 64 hexadecimal digits (printf %s TOKEN | sha256sum)"),
                    format!("{key}.token_sha256 不是 64 位十六进制数（printf %s 令牌 | sha256sum）"),
                ));
            }
            if tokens.iter().any(|(t, _): &(String, Principal)| t.eq_ignore_ascii_case(h)) {
                return Err(err(
                    format!("{key}.token_sha256: the same token is given to two principals"),
                    format!("{key}.token_sha256：同一令牌分配给了两个主体"),
                ));
            }
            tokens.push((h.clone(), Principal { name: p.name.clone(), roles: p.roles.clone() }));
        }
        let mut projects = BTreeMap::new();
        for (i, p) in doc.project.iter().enumerate() {
            let key = format!("project[{}].id", i + 1);
            if !served.contains(&p.id) {
                return Err(err(
                    format!("{key}: '{}' is not a served project; served: {}", p.id, served.join(", ")),
                    format!("{key}：'{}' 不是所服务的项目；所服务的项目：{}", p.id, served.join(", ")),
                ));
            }
            if projects.insert(p.id.clone(), ProjectAccess { public: p.public, roles: p.roles.clone() }).is_some() {
                return Err(err(
                    format!("{key}: project '{}' is listed twice", p.id),
                    format!("{key}：项目 '{}' 重复列出", p.id),
                ));
            }
        }
        let authenticator: Arc<dyn Authenticator> = match &doc.policy {
            None => Arc::new(TokenTable::new(tokens)),
            Some(_) if !doc.principal.is_empty() => {
                return Err(err(
                    "policy: give principals either in this file ([[principal]]) or in the catalog policy, not both"
                        .into(),
                    "policy：主体要么写在本文件（[[principal]]），要么来自目录访问策略，不能两者都有".into(),
                ));
            }
            Some(rel) => {
                let policy = load_policy(rel).map_err(|m| {
                    err(format!("policy = \"{rel}\": {}", m.en), format!("policy = \"{rel}\"：{}", m.zh))
                })?;
                Arc::new(policy)
            }
        };
        Ok(AccessConfig { authenticator, projects })
    }
}

/// One audited access to restricted data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// Principal name (`anonymous` when no token was given).
    pub principal: String,
    /// The principal's roles.
    pub roles: Vec<String>,
    /// Project id.
    pub project: String,
    /// HTTP method.
    pub method: String,
    /// Request path.
    pub path: String,
    /// `granted` or `denied`.
    pub outcome: &'static str,
}

/// Where audit events go.
pub trait AuditSink: Debug + Send + Sync {
    /// Records one event. An error (why the event could not be stored) makes the server refuse
    /// the read it describes: a restricted project is never served unaudited.
    fn record(&self, event: &AuditEvent) -> Result<(), String>;
}

/// Audit events as structured log lines (`target = "baydex::audit"`).
#[derive(Debug, Clone, Copy, Default)]
pub struct LogAudit;

impl AuditSink for LogAudit {
    fn record(&self, e: &AuditEvent) -> Result<(), String> {
        tracing::info!(
            target: "baydex::audit",
            principal = %e.principal,
            roles = %e.roles.join(","),
            project = %e.project,
            method = %e.method,
            path = %e.path,
            outcome = e.outcome,
            "restricted data access"
        );
        Ok(())
    }
}

/// Audit events kept in memory (tests, and as a model for other stores); also logged.
#[derive(Debug, Default)]
pub struct MemoryAudit {
    events: Mutex<Vec<AuditEvent>>,
}

impl MemoryAudit {
    /// Every event recorded so far.
    pub fn events(&self) -> Vec<AuditEvent> {
        self.events.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl AuditSink for MemoryAudit {
    fn record(&self, e: &AuditEvent) -> Result<(), String> {
        LogAudit.record(e)?;
        let mut v = self.events.lock().map_err(|_| "the in-memory audit log is poisoned".to_string())?;
        v.push(e.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // SHA-256("secret") from FIPS 180-4 tooling (`printf %s secret | sha256sum`).
    const SECRET_SHA256: &str = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

    #[test]
    fn hashes_tokens_as_sha256sum_does() {
        assert_eq!(token_sha256("secret"), SECRET_SHA256);
    }

    #[test]
    fn parses_principals_and_projects() {
        let text = format!(
            "[[principal]]\nname = \"a\"\ntoken_sha256 = \"{}\"\nroles = [\"analyst\"]\n\
             [[project]]\nid = \"gba\"\npublic = true\n",
            SECRET_SHA256.to_uppercase()
        );
        let c = AccessConfig::parse("auth.toml", &text, &["gba".into()]).unwrap();
        assert_eq!(c.authenticator.authenticate("secret").map(|p| p.name), Some("a".into()));
        assert_eq!(c.authenticator.authenticate("Secret"), None);
        assert!(c.projects["gba"].public);
    }

    #[test]
    fn principals_can_come_from_the_catalog_policy() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("policy.toml"),
            format!(
                "[[principal]]\nname = \"sz_office\"\nkind = \"service\"\ntoken_sha256 = \"{SECRET_SHA256}\"\n\
                 roles = [\"district\"]\n[[role]]\nname = \"district\"\n"
            ),
        )
        .unwrap();
        let auth = dir.path().join("auth.toml");
        std::fs::write(&auth, "policy = \"policy.toml\"\n[[project]]\nid = \"gba\"\nroles = [\"district\"]\n").unwrap();
        let c = AccessConfig::load(&auth, &["gba".into()]).unwrap();
        let p = c.authenticator.authenticate("secret").unwrap();
        assert_eq!((p.name.as_str(), p.roles.as_slice()), ("sz_office", &["district".to_string()][..]));
        assert!(c.authenticator.authenticate("other").is_none());
        // Both sources at once is an error; so is a policy that cannot be read.
        std::fs::write(
            &auth,
            format!("policy = \"policy.toml\"\n[[principal]]\nname = \"a\"\ntoken_sha256 = \"{SECRET_SHA256}\"\n"),
        )
        .unwrap();
        assert!(AccessConfig::load(&auth, &[]).unwrap_err().message.en.contains("not both"));
        std::fs::write(&auth, "policy = \"missing.toml\"\n").unwrap();
        assert!(AccessConfig::load(&auth, &[]).unwrap_err().message.en.contains("missing.toml"));
    }

    #[test]
    fn clear_tokens_are_refused() {
        let e = AccessConfig::parse("auth.toml", "[[principal]]\nname = \"a\"\ntoken = \"x\"\n", &[]).unwrap_err();
        assert!(e.message.en.contains("principal[1].token"), "{}", e.message.en);
        assert!(e.message.zh.contains("明文"));
    }

    #[test]
    fn bad_hash_and_unknown_project_are_named() {
        let e =
            AccessConfig::parse("auth.toml", "[[principal]]\nname = \"a\"\ntoken_sha256 = \"abc\"\n", &[]).unwrap_err();
        assert!(e.message.en.contains("principal[1].token_sha256"));
        let e = AccessConfig::parse("auth.toml", "[[project]]\nid = \"gab\"\n", &["gba".into()]).unwrap_err();
        assert!(e.message.en.contains("'gab' is not a served project; served: gba"), "{}", e.message.en);
        let e = AccessConfig::parse("auth.toml", "[[projet]]\nid = \"gba\"\n", &["gba".into()]).unwrap_err();
        assert!(e.message.en.contains("projet"), "{}", e.message.en);
    }
}
