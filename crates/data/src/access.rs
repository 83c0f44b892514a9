//! Access policies of the SQL catalog: who may read which rows and columns.
//!
//! A policy is a reviewable TOML file (format in `docs/catalog.md`) with three sections:
//! `[[principal]]` (users and service tokens, their roles and attributes such as
//! `city = "SZ"`), `[[role]]` and `[[grant]]` (a role may read a domain, or one table, perhaps
//! only some columns, only the rows matching a SQL predicate, with some columns masked).
//! Everything not granted is denied. Bearer tokens are never stored: the file holds their
//! SHA-256 ([`hash_token`]) and [`AccessPolicy::authenticate`] compares hashes.
//!
//! This module only decides *what* a principal may see ([`AccessPolicy::access`]); it does not
//! run queries. The catalog (feature `catalog`) enforces the decision by rewriting the
//! DataFusion logical plan, and the server uses [`AccessPolicy::authenticate`] for its tokens.
//!
//! ```
//! let policy = baydex_data::access::AccessPolicy::parse(
//!     "policy.toml",
//!     r#"
//! [[principal]]
//! name = "sz_office"
//! roles = ["district"]
//! attributes = { city = "SZ" }
//!
//! [[role]]
//! name = "district"
//!
//! [[grant]]
//! role = "district"
//! table = "transport.trips"
//! columns = ["origin", "dest", "trips"]
//! row_filter = "origin = ${city}"
//! "#,
//! )
//! .unwrap();
//! let p = policy.principal("sz_office").unwrap();
//! let a = policy.access(p, "transport", "trips").unwrap();
//! assert_eq!(a.row_filter.as_deref(), Some("(origin = 'SZ')"));
//! assert!(policy.access(p, "finance", "payments").is_none()); // deny by default
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use baydex_core::Text;
use sha2::{Digest, Sha256};
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Diagnostics, LineIndex, Location, closest, text};
use crate::project::doc::{Doc, STRING, Tbl, as_scalar_text};

/// Whether a principal is a person or a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// A person (`kind = "user"`, the default).
    User,
    /// A program holding a service token (`kind = "service"`; a token hash is required).
    Service,
}

impl PrincipalKind {
    /// `user` or `service`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Service => "service",
        }
    }
}

/// Someone (or something) that runs queries.
#[derive(Clone, PartialEq, Eq)]
pub struct Principal {
    /// Unique name, used by `baydex sql --as NAME` and recorded in the audit log.
    pub name: String,
    /// User or service.
    pub kind: PrincipalKind,
    /// Names of the roles held.
    pub roles: Vec<String>,
    /// Attributes that row filters may use as `${name}` (e.g. `city = "SZ"`).
    pub attributes: BTreeMap<String, String>,
    /// SHA-256 (lowercase hex) of the bearer token, if the principal has one.
    token_sha256: Option<String>,
}

impl Principal {
    /// SHA-256 (lowercase hex) of this principal's bearer token, if it has one.
    pub fn token_sha256(&self) -> Option<&str> {
        self.token_sha256.as_deref()
    }
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token hash is not secret, but there is no reason to spread it through logs.
        f.debug_struct("Principal")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("roles", &self.roles)
            .field("attributes", &self.attributes)
            .field("has_token", &self.token_sha256.is_some())
            .finish()
    }
}

/// A named set of grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Unique name.
    pub name: String,
    /// What the role is for (zh/en).
    pub description: Text,
}

/// What a grant covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GrantTarget {
    /// Every table of every domain (`domain = "*"`).
    AllDomains,
    /// Every table of one domain (`domain = "transport"`).
    Domain(String),
    /// One table (`table = "transport.trips"`).
    Table {
        /// The domain.
        domain: String,
        /// The table within the domain.
        table: String,
    },
}

impl GrantTarget {
    /// 0 for all domains, 1 for a domain, 2 for a table: the most specific grant wins.
    fn level(&self) -> u8 {
        match self {
            GrantTarget::AllDomains => 0,
            GrantTarget::Domain(_) => 1,
            GrantTarget::Table { .. } => 2,
        }
    }

    fn covers(&self, domain: &str, table: &str) -> bool {
        match self {
            GrantTarget::AllDomains => true,
            GrantTarget::Domain(d) => d == domain,
            GrantTarget::Table { domain: d, table: t } => d == domain && t == table,
        }
    }
}

impl fmt::Display for GrantTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrantTarget::AllDomains => f.write_str("domain *"),
            GrantTarget::Domain(d) => write!(f, "domain {d}"),
            GrantTarget::Table { domain, table } => write!(f, "table {domain}.{table}"),
        }
    }
}

/// Unit to which a date or timestamp is coarsened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUnit {
    /// Keep the day.
    Day,
    /// First day of the month.
    Month,
    /// First day of the year.
    Year,
}

impl DateUnit {
    /// `day`, `month` or `year` (the argument of SQL `date_trunc`).
    pub fn as_str(self) -> &'static str {
        match self {
            DateUnit::Day => "day",
            DateUnit::Month => "month",
            DateUnit::Year => "year",
        }
    }
}

/// How a visible column is disguised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mask {
    /// Always NULL (`"null"`).
    Null,
    /// SHA-256 of the value as text, lowercase hex (`"hash"`): equal values stay equal, so
    /// counting distinct holders and joining on the hash still work.
    Hash,
    /// A number rounded down to a multiple of the step (`"coarsen:100"`).
    Step(f64),
    /// A date or timestamp truncated (`"coarsen:month"`).
    Date(DateUnit),
    /// The first characters of a text (`"coarsen:prefix:3"`).
    Prefix(usize),
}

impl Mask {
    /// Parses `null`, `hash`, `coarsen:STEP`, `coarsen:day|month|year` or `coarsen:prefix:N`.
    pub fn parse(s: &str) -> Option<Mask> {
        match s.trim() {
            "null" => return Some(Mask::Null),
            "hash" => return Some(Mask::Hash),
            _ => {}
        }
        let rest = s.trim().strip_prefix("coarsen:")?;
        match rest {
            "day" => Some(Mask::Date(DateUnit::Day)),
            "month" => Some(Mask::Date(DateUnit::Month)),
            "year" => Some(Mask::Date(DateUnit::Year)),
            _ => {
                if let Some(n) = rest.strip_prefix("prefix:") {
                    return n.parse::<usize>().ok().filter(|n| *n > 0).map(Mask::Prefix);
                }
                rest.parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0).map(Mask::Step)
            }
        }
    }
}

impl fmt::Display for Mask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mask::Null => f.write_str("null"),
            Mask::Hash => f.write_str("hash"),
            Mask::Step(x) => write!(f, "coarsen:{x}"),
            Mask::Date(u) => write!(f, "coarsen:{}", u.as_str()),
            Mask::Prefix(n) => write!(f, "coarsen:prefix:{n}"),
        }
    }
}

/// A permission given to a role.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// The role that holds it.
    pub role: String,
    /// What it covers.
    pub target: GrantTarget,
    /// The visible columns (`None`: all columns).
    pub columns: Option<Vec<String>>,
    /// SQL predicate selecting the visible rows; `${attr}` stands for the principal's attribute.
    pub row_filter: Option<String>,
    /// Masked columns, in file order.
    pub masks: Vec<(String, Mask)>,
    /// Where the grant is declared (`policy.toml:12 [grant[3]]`), for refusals and the audit log.
    pub origin: String,
}

/// What one principal may see of one table: the resolved grant.
#[derive(Debug, Clone, PartialEq)]
pub struct TableAccess {
    /// The visible columns (`None`: all columns).
    pub columns: Option<Vec<String>>,
    /// SQL predicate selecting the visible rows, with the principal's attributes substituted as
    /// SQL string literals and wrapped in parentheses.
    pub row_filter: Option<String>,
    /// Masked columns.
    pub masks: Vec<(String, Mask)>,
    /// Where the grant is declared.
    pub origin: String,
}

impl TableAccess {
    /// True when `column` may be read (masked or not).
    pub fn column_visible(&self, column: &str) -> bool {
        self.columns.as_ref().is_none_or(|c| c.iter().any(|x| x == column))
    }

    /// The mask of `column`, if any.
    pub fn mask(&self, column: &str) -> Option<Mask> {
        self.masks.iter().find(|(c, _)| c == column).map(|(_, m)| *m)
    }
}

/// A parsed and checked access policy.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessPolicy {
    /// The file, as displayed.
    pub file: String,
    /// Principals, in file order.
    pub principals: Vec<Principal>,
    /// Roles, in file order.
    pub roles: Vec<Role>,
    /// Grants, in file order.
    pub grants: Vec<Grant>,
}

/// SHA-256 of a bearer token, lowercase hex: what a policy file stores instead of the token.
pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Quotes a value as a SQL string literal (`O'Brien` → `'O''Brien'`).
pub fn sql_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The `${name}` references of a row filter, in order, with their byte ranges; `Err` names an
/// unterminated or empty reference.
fn attribute_refs(filter: &str) -> Result<Vec<(String, Range<usize>)>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = filter[i..].find("${") {
        let start = i + off;
        let Some(len) = filter[start + 2..].find('}') else {
            return Err(filter[start..].to_string());
        };
        let name = &filter[start + 2..start + 2 + len];
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(filter[start..start + 3 + len].to_string());
        }
        out.push((name.to_string(), start..start + 3 + len));
        i = start + 3 + len;
    }
    Ok(out)
}

/// Substitutes `${name}` by the attribute as a SQL literal; `None` if an attribute is missing.
fn substitute(filter: &str, attributes: &BTreeMap<String, String>) -> Option<String> {
    let refs = attribute_refs(filter).ok()?;
    let mut s = String::new();
    let mut last = 0;
    for (name, r) in refs {
        s.push_str(&filter[last..r.start]);
        s.push_str(&sql_literal(attributes.get(&name)?));
        last = r.end;
    }
    s.push_str(&filter[last..]);
    Some(format!("({s})"))
}

fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' || c == '@')
}

fn valid_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

const TOP_KEYS: &[&str] = &["principal", "role", "grant"];
const PRINCIPAL_KEYS: &[&str] = &["name", "kind", "roles", "attributes", "token_sha256", "description"];
const ROLE_KEYS: &[&str] = &["name", "description"];
const GRANT_KEYS: &[&str] = &["role", "domain", "table", "columns", "row_filter", "mask"];
const MASK_HELP_EN: &str =
    "write \"null\", \"hash\", \"coarsen:STEP\" (e.g. coarsen:100), \"coarsen:day|month|year\" or \"coarsen:prefix:N\"";
const MASK_HELP_ZH: &str =
    "请写 \"null\"、\"hash\"、\"coarsen:步长\"（如 coarsen:100）、\"coarsen:day|month|year\" 或 \"coarsen:prefix:N\"";

impl AccessPolicy {
    /// Reads and checks a policy file.
    pub fn load(path: &Path) -> Result<AccessPolicy, Diagnostics> {
        let display = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| {
            Diagnostics::from(Location::file(&display).error(
                text(format!("cannot read the access policy: {e}"), format!("无法读取访问策略文件：{e}")),
                text("check the `policy` path in the catalog file", "请检查目录文件中的 `policy` 路径"),
            ))
        })?;
        let src = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes)).map_err(|_| {
            Diagnostics::from(Location::file(&display).error(
                text("the access policy is not valid UTF-8 text", "访问策略文件不是有效的 UTF-8 文本"),
                text("save it as UTF-8", "请以 UTF-8 编码保存"),
            ))
        })?;
        AccessPolicy::parse(&display, src)
    }

    /// Parses and checks a policy from its text; `file` is how the file is shown in errors.
    /// Every problem found is reported, each with its line and key.
    pub fn parse(file: &str, src: &str) -> Result<AccessPolicy, Diagnostics> {
        let root = DeTable::parse(src).map_err(|e| Diagnostics::from(syntax_error(file, src, &e)))?;
        let mut doc = Doc::new(file, src);
        let top = Tbl::new(root.get_ref(), root.span(), "");
        top.check_keys(&mut doc, TOP_KEYS);

        let mut roles: Vec<(Role, Range<usize>)> = Vec::new();
        for t in top.tables(&mut doc, "role") {
            t.check_keys(&mut doc, ROLE_KEYS);
            let Some(name) = t.string(&mut doc, "name", true) else { continue };
            let span = t.span_of("name");
            if !valid_name(&name) {
                doc.error(&span, Some(t.key("name")), bad_name(&name), name_help());
            } else if roles.iter().any(|(r, _)| r.name == name) {
                doc.error(&span, Some(t.key("name")), duplicate("role", &name), rename_help());
            }
            let description = t.text(&mut doc, "description", false).unwrap_or_default();
            roles.push((Role { name, description }, span));
        }
        let role_names: Vec<&str> = roles.iter().map(|(r, _)| r.name.as_str()).collect();

        let mut principals: Vec<(Principal, Tbl<'_, '_>)> = Vec::new();
        for t in top.tables(&mut doc, "principal") {
            t.check_keys(&mut doc, PRINCIPAL_KEYS);
            let name = t.string(&mut doc, "name", true);
            if let Some(n) = &name {
                if !valid_name(n) {
                    doc.error(&t.span_of("name"), Some(t.key("name")), bad_name(n), name_help());
                } else if principals.iter().any(|(p, _)| &p.name == n) {
                    doc.error(&t.span_of("name"), Some(t.key("name")), duplicate("principal", n), rename_help());
                }
            }
            let _ = t.text(&mut doc, "description", false);
            let kind = match t.string(&mut doc, "kind", false).as_deref() {
                None | Some("user") => PrincipalKind::User,
                Some("service") => PrincipalKind::Service,
                Some(other) => {
                    doc.error(
                        &t.span_of("kind"),
                        Some(t.key("kind")),
                        text(format!("unknown principal kind `{other}`"), format!("未知的主体类型 `{other}`")),
                        text(
                            "write kind = \"user\" or kind = \"service\"",
                            "请写 kind = \"user\" 或 kind = \"service\"",
                        ),
                    );
                    PrincipalKind::User
                }
            };
            let roles_held = string_list(&mut doc, &t, "roles");
            for (r, span) in &roles_held {
                if !role_names.contains(&r.as_str()) {
                    let help = match closest(r, role_names.iter().copied()) {
                        Some(c) => text(format!("did you mean `{c}`?"), format!("是否应为 `{c}`？")),
                        None => text("declare it in a [[role]] section", "请在 [[role]] 节中声明该角色"),
                    };
                    doc.error(span, Some(t.key("roles")), unknown("role", r), help);
                }
            }
            let mut attributes = BTreeMap::new();
            if let Some(a) = t.table(&mut doc, "attributes") {
                for (k, v) in a.t.iter() {
                    let key = k.get_ref().to_string();
                    if !valid_ident(&key) {
                        doc.error(
                            &k.span(),
                            Some(a.key(&key)),
                            text(
                                format!("attribute name `{key}` is not an identifier"),
                                format!("属性名 `{key}` 不是标识符"),
                            ),
                            text("use letters, digits and _ only", "只能使用字母、数字和下划线"),
                        );
                    }
                    match as_scalar_text(&doc, v) {
                        Some(s) => {
                            attributes.insert(key, s);
                        }
                        None => doc.wrong_type(v, &a.key(&key), STRING),
                    }
                }
            }
            let token = t.string(&mut doc, "token_sha256", false).map(|s| s.to_ascii_lowercase());
            if let Some(h) = &token
                && (h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()))
            {
                doc.error(
                    &t.span_of("token_sha256"),
                    Some(t.key("token_sha256")),
                    text(
                        "token_sha256 must be 64 hexadecimal digits (the SHA-256 of the token, never the token itself)",
                        "token_sha256 应为 64 位十六进制数字（令牌的 SHA-256，切勿填写令牌本身）",
                    ),
                    text(
                        "compute it with: printf %s 'TOKEN' | sha256sum",
                        "可用以下命令计算：printf %s 'TOKEN' | sha256sum",
                    ),
                );
            } else if let Some(h) = &token
                && principals.iter().any(|(p, _)| p.token_sha256.as_ref() == Some(h))
            {
                doc.error(
                    &t.span_of("token_sha256"),
                    Some(t.key("token_sha256")),
                    text("two principals share this token hash", "两个主体使用了相同的令牌哈希"),
                    text("give every principal its own token", "请为每个主体分配各自的令牌"),
                );
            }
            if kind == PrincipalKind::Service && token.is_none() {
                doc.error(
                    &t.span,
                    Some(t.key("token_sha256")),
                    text("a service principal needs token_sha256", "服务主体必须有 token_sha256"),
                    text(
                        "add token_sha256 = \"…\" (printf %s 'TOKEN' | sha256sum)",
                        "请添加 token_sha256 = \"…\"（printf %s 'TOKEN' | sha256sum）",
                    ),
                );
            }
            let Some(name) = name else { continue };
            let p = Principal {
                name,
                kind,
                roles: roles_held.into_iter().map(|(r, _)| r).collect(),
                attributes,
                token_sha256: token,
            };
            principals.push((p, t));
        }

        let mut grants: Vec<(Grant, Range<usize>)> = Vec::new();
        for t in top.tables(&mut doc, "grant") {
            t.check_keys(&mut doc, GRANT_KEYS);
            let (line, _) = doc.lines.locate(t.span.start);
            let origin = format!("{file}:{line} [{}]", t.path);
            let role = t.string(&mut doc, "role", true);
            if let Some(r) = &role
                && !role_names.contains(&r.as_str())
            {
                let help = match closest(r, role_names.iter().copied()) {
                    Some(c) => text(format!("did you mean `{c}`?"), format!("是否应为 `{c}`？")),
                    None => text("declare it in a [[role]] section", "请在 [[role]] 节中声明该角色"),
                };
                doc.error(&t.span_of("role"), Some(t.key("role")), unknown("role", r), help);
            }
            let target = grant_target(&mut doc, &t);
            let columns = if t.get("columns").is_some() {
                let cols = string_list(&mut doc, &t, "columns");
                if cols.is_empty() {
                    doc.error(
                        &t.span_of("columns"),
                        Some(t.key("columns")),
                        text("columns is empty: the grant would show nothing", "columns 为空：该授权不显示任何列"),
                        text("list the visible columns, or remove the grant", "请列出可见的列，或删除该授权"),
                    );
                }
                Some(cols.into_iter().map(|(c, _)| c).collect::<Vec<_>>())
            } else {
                None
            };
            let row_filter = t.string(&mut doc, "row_filter", false);
            if let Some(f) = &row_filter {
                check_filter(&mut doc, &t, f);
            }
            let mut masks = Vec::new();
            if let Some(m) = t.table(&mut doc, "mask") {
                for (k, v) in m.t.iter() {
                    let col = k.get_ref().to_string();
                    let Some(spec) = m.string(&mut doc, &col, false) else { continue };
                    match Mask::parse(&spec) {
                        Some(mask) => masks.push((col.clone(), mask)),
                        None => doc.error(
                            &v.span(),
                            Some(m.key(&col)),
                            text(format!("unknown mask `{spec}`"), format!("未知的脱敏方式 `{spec}`")),
                            text(MASK_HELP_EN, MASK_HELP_ZH),
                        ),
                    }
                    if let Some(cols) = &columns
                        && !cols.contains(&col)
                    {
                        doc.error(
                            &k.span(),
                            Some(m.key(&col)),
                            text(
                                format!("masked column `{col}` is not among the granted columns"),
                                format!("脱敏列 `{col}` 不在授权的列中"),
                            ),
                            text("add it to columns, or remove the mask", "请把它加入 columns，或删除该脱敏设置"),
                        );
                    }
                }
            }
            let (Some(role), Some(target)) = (role, target) else { continue };
            grants.push((Grant { role, target, columns, row_filter, masks, origin }, t.span.clone()));
        }

        // Every principal that can reach a grant has the attributes its filter uses, and no
        // principal reaches two grants on the same target (which would be ambiguous).
        for (p, t) in &principals {
            let mut seen: BTreeMap<&GrantTarget, &Grant> = BTreeMap::new();
            for (g, gspan) in grants.iter().filter(|(g, _)| p.roles.contains(&g.role)) {
                if let Some(prev) = seen.insert(&g.target, g) {
                    doc.error(
                        gspan,
                        None,
                        text(
                            format!(
                                "principal `{}` gets two grants on {} (roles `{}` and `{}`); which one applies would be ambiguous",
                                p.name, g.target, prev.role, g.role
                            ),
                            format!(
                                "主体 `{}` 在 {} 上有两条授权（角色 `{}` 和 `{}`），无法确定适用哪一条",
                                p.name, g.target, prev.role, g.role
                            ),
                        ),
                        text(
                            format!("merge them into one grant, or grant {} to one role only (other: {})", g.target, prev.origin),
                            format!("请合并为一条授权，或只授予一个角色（另一条：{}）", prev.origin),
                        ),
                    );
                }
                if let Some(f) = &g.row_filter
                    && let Ok(refs) = attribute_refs(f)
                {
                    for (a, _) in refs {
                        if !p.attributes.contains_key(&a) {
                            doc.error(
                                &t.span,
                                Some(t.key("attributes")),
                                text(
                                    format!(
                                        "principal `{}` has no attribute `{a}`, which the row filter of {} uses",
                                        p.name, g.origin
                                    ),
                                    format!("主体 `{}` 缺少属性 `{a}`，而 {} 的行过滤条件用到了它", p.name, g.origin),
                                ),
                                text(
                                    format!("add attributes = {{ {a} = \"…\" }} to this principal"),
                                    format!("请为该主体添加 attributes = {{ {a} = \"…\" }}"),
                                ),
                            );
                        }
                    }
                }
            }
        }

        if doc.diags.iter().any(Diagnostic::is_error) {
            let mut d = Diagnostics(doc.diags);
            d.sort(&[file.to_string()]);
            return Err(d);
        }
        Ok(AccessPolicy {
            file: file.to_string(),
            principals: principals.into_iter().map(|(p, _)| p).collect(),
            roles: roles.into_iter().map(|(r, _)| r).collect(),
            grants: grants.into_iter().map(|(g, _)| g).collect(),
        })
    }

    /// The principal holding `bearer_token`, comparing SHA-256 hashes (never the token itself).
    pub fn authenticate(&self, bearer_token: &str) -> Option<Principal> {
        let h = hash_token(bearer_token.trim());
        self.principals.iter().find(|p| p.token_sha256.as_deref().is_some_and(|t| constant_time_eq(t, &h))).cloned()
    }

    /// The principal called `name`.
    pub fn principal(&self, name: &str) -> Option<&Principal> {
        self.principals.iter().find(|p| p.name == name)
    }

    /// What `principal` may see of `domain.table`; `None` when nothing is granted (deny by
    /// default). The most specific grant wins: table over domain over `domain = "*"`.
    pub fn access(&self, principal: &Principal, domain: &str, table: &str) -> Option<TableAccess> {
        let g = self
            .grants
            .iter()
            .filter(|g| principal.roles.contains(&g.role) && g.target.covers(domain, table))
            .max_by_key(|g| g.target.level())?;
        let row_filter = match &g.row_filter {
            // A filter whose attribute is missing cannot be evaluated: deny (the loader already
            // refuses such policies, so this only guards hand-built values).
            Some(f) => Some(substitute(f, &principal.attributes)?),
            None => None,
        };
        Some(TableAccess { columns: g.columns.clone(), row_filter, masks: g.masks.clone(), origin: g.origin.clone() })
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn grant_target(doc: &mut Doc<'_>, t: &Tbl<'_, '_>) -> Option<GrantTarget> {
    let domain = t.string(doc, "domain", false);
    let table = t.string(doc, "table", false);
    match (domain, table) {
        (Some(_), Some(_)) | (None, None) => {
            doc.error(
                &t.span,
                Some(t.path.clone()),
                text("a grant names either a domain or a table", "一条授权须指定 domain 或 table（二选一）"),
                text(
                    "write domain = \"transport\" (the whole domain), domain = \"*\" (everything) or table = \"transport.trips\"",
                    "请写 domain = \"transport\"（整个域）、domain = \"*\"（全部）或 table = \"transport.trips\"",
                ),
            );
            None
        }
        (Some(d), None) if d == "*" => Some(GrantTarget::AllDomains),
        (Some(d), None) if valid_ident(&d) => Some(GrantTarget::Domain(d)),
        (Some(d), None) => {
            doc.error(
                &t.span_of("domain"),
                Some(t.key("domain")),
                text(format!("`{d}` is not a domain name"), format!("`{d}` 不是合法的域名称")),
                text("domain names use letters, digits and _", "域名称只能使用字母、数字和下划线"),
            );
            None
        }
        (None, Some(tb)) => match tb.split_once('.') {
            Some((d, x)) if valid_ident(d) && valid_ident(x) => {
                Some(GrantTarget::Table { domain: d.to_string(), table: x.to_string() })
            }
            _ => {
                doc.error(
                    &t.span_of("table"),
                    Some(t.key("table")),
                    text(format!("`{tb}` is not a domain.table name"), format!("`{tb}` 不是 域.表 形式的名称")),
                    text(
                        "write table = \"domain.table\", e.g. \"transport.trips\"",
                        "请写 table = \"域.表\"，如 \"transport.trips\"",
                    ),
                );
                None
            }
        },
    }
}

fn check_filter(doc: &mut Doc<'_>, t: &Tbl<'_, '_>, f: &str) {
    let span = t.span_of("row_filter");
    let key = Some(t.key("row_filter"));
    if f.trim().is_empty() || f.contains(';') || f.contains("--") || f.contains("/*") {
        doc.error(
            &span,
            key.clone(),
            text(
                "row_filter must be one SQL predicate, without `;` or comments",
                "row_filter 应为单个 SQL 条件，不能包含 `;` 或注释",
            ),
            text("e.g. row_filter = \"city = ${city}\"", "例如 row_filter = \"city = ${city}\""),
        );
    }
    if let Err(bad) = attribute_refs(f) {
        doc.error(
            &span,
            key,
            text(format!("malformed attribute reference `{bad}`"), format!("属性引用 `{bad}` 格式错误")),
            text(
                "write ${name} (letters, digits, _), without quotes: it becomes a SQL string",
                "请写 ${name}（字母、数字、下划线），不要加引号：它会替换为 SQL 字符串",
            ),
        );
    }
}

/// An array of strings with the span of each; wrong types are reported.
fn string_list(doc: &mut Doc<'_>, t: &Tbl<'_, '_>, k: &str) -> Vec<(String, Range<usize>)> {
    let Some(a) = t.array(doc, k) else { return Vec::new() };
    let mut out = Vec::new();
    for (i, v) in a.iter().enumerate() {
        match v.get_ref() {
            DeValue::String(s) => out.push((s.to_string(), v.span())),
            _ => doc.wrong_type(v, &format!("{}[{}]", t.key(k), i + 1), STRING),
        }
    }
    out
}

fn bad_name(n: &str) -> Text {
    text(format!("`{n}` is not a valid name"), format!("`{n}` 不是合法的名称"))
}

fn name_help() -> Text {
    text("use letters, digits, _, -, . or @ only", "只能使用字母、数字及 _ - . @")
}

fn duplicate(what: &str, n: &str) -> Text {
    let zh = if what == "role" { "角色" } else { "主体" };
    text(format!("{what} `{n}` is declared twice"), format!("{zh} `{n}` 重复声明"))
}

fn rename_help() -> Text {
    text("names must be unique: rename or remove one", "名称必须唯一：请改名或删除其中一个")
}

fn unknown(what: &str, n: &str) -> Text {
    let zh = if what == "role" { "角色" } else { "主体" };
    text(format!("unknown {what} `{n}`"), format!("未知的{zh} `{n}`"))
}

fn syntax_error(file: &str, src: &str, e: &toml::de::Error) -> Diagnostic {
    let mut loc = Location::file(file);
    if let Some(span) = e.span() {
        let (l, c) = LineIndex::new(src).locate(span.start);
        loc.line = Some(l);
        loc.column = Some(c);
    }
    let msg = e.message().trim().to_string();
    loc.error(
        text(format!("invalid TOML: {msg}"), format!("TOML 语法错误：{msg}")),
        text(
            "fix the TOML syntax here; the policy format is in docs/catalog.md",
            "请修正此处的 TOML 语法；策略格式见 docs/catalog.md",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"
[[principal]]
name = "sz_office"
roles = ["district"]
attributes = { city = "SZ" }

[[principal]]
name = "etl"
kind = "service"
roles = ["analyst"]
token_sha256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"

[[role]]
name = "district"

[[role]]
name = "analyst"
description = { zh = "分析员", en = "Analyst" }

[[grant]]
role = "district"
domain = "transport"
row_filter = "origin = ${city} OR dest = ${city}"

[[grant]]
role = "district"
table = "transport.trips"
columns = ["origin", "dest", "trips", "card"]
row_filter = "origin = ${city}"
mask = { card = "hash" }

[[grant]]
role = "analyst"
domain = "*"
mask = { amount = "coarsen:100" }
"#;

    #[test]
    fn most_specific_grant_wins_and_attributes_are_quoted() {
        let p = AccessPolicy::parse("p.toml", POLICY).unwrap();
        let sz = p.principal("sz_office").unwrap();
        let a = p.access(sz, "transport", "trips").unwrap();
        assert_eq!(a.row_filter.as_deref(), Some("(origin = 'SZ')"));
        assert_eq!(a.mask("card"), Some(Mask::Hash));
        assert!(a.column_visible("dest") && !a.column_visible("fare"));
        let b = p.access(sz, "transport", "stations").unwrap();
        assert_eq!(b.row_filter.as_deref(), Some("(origin = 'SZ' OR dest = 'SZ')"));
        assert!(b.columns.is_none());
        assert!(p.access(sz, "finance", "payments").is_none());
        let etl = p.principal("etl").unwrap();
        assert_eq!(p.access(etl, "finance", "payments").unwrap().mask("amount"), Some(Mask::Step(100.0)));
    }

    #[test]
    fn tokens_are_compared_by_hash() {
        let p = AccessPolicy::parse("p.toml", POLICY).unwrap();
        // SHA-256("test") (FIPS 180-2 test vectors style; computed by sha256sum).
        assert_eq!(hash_token("test"), "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        assert_eq!(p.authenticate("test").map(|x| x.name), Some("etl".to_string()));
        assert!(p.authenticate("Test").is_none());
        assert!(p.authenticate("").is_none());
        assert!(!format!("{:?}", p.principal("etl").unwrap()).contains("9f86"));
    }

    #[test]
    fn quotes_in_attributes_cannot_break_out() {
        let mut a = BTreeMap::new();
        a.insert("city".to_string(), "x' OR '1'='1".to_string());
        assert_eq!(substitute("city = ${city}", &a).unwrap(), "(city = 'x'' OR ''1''=''1')");
    }

    #[test]
    fn masks_parse() {
        assert_eq!(Mask::parse("null"), Some(Mask::Null));
        assert_eq!(Mask::parse("coarsen:month"), Some(Mask::Date(DateUnit::Month)));
        assert_eq!(Mask::parse("coarsen:prefix:3"), Some(Mask::Prefix(3)));
        assert_eq!(Mask::parse("coarsen:0"), None);
        assert_eq!(Mask::parse("blur"), None);
    }

    fn errors(src: &str) -> String {
        AccessPolicy::parse("p.toml", src).unwrap_err().render(baydex_core::Lang::En)
    }

    #[test]
    fn located_errors() {
        let e = errors("[[principal]]\nname = \"a\"\nroles = [\"anlyst\"]\n[[role]]\nname = \"analyst\"\n");
        assert!(e.contains("p.toml:3:") && e.contains("unknown role `anlyst`") && e.contains("`analyst`"), "{e}");
        let e = errors("[[role]]\nname = \"r\"\n[[grant]]\nrole = \"r\"\ntable = \"trips\"\n");
        assert!(e.contains("p.toml:5:") && e.contains("not a domain.table"), "{e}");
        let e = errors("[[principal]]\nname = \"s\"\nkind = \"service\"\ntoken_sha256 = \"secret\"\n");
        assert!(e.contains("64 hexadecimal"), "{e}");
        let e = errors("[[role]]\nname = \"r\"\n[[grant]]\nrole = \"r\"\ndomain = \"x\"\nmask = { c = \"blur\" }\n");
        assert!(e.contains("p.toml:6:") && e.contains("unknown mask `blur`"), "{e}");
        let e = errors(
            "[[principal]]\nname = \"a\"\nroles = [\"r\"]\n[[role]]\nname = \"r\"\n[[grant]]\nrole = \"r\"\ndomain = \"x\"\nrow_filter = \"c = ${city}\"\n",
        );
        assert!(e.contains("no attribute `city`"), "{e}");
        let e = errors(
            "[[role]]\nname = \"r\"\n[[grant]]\nrole = \"r\"\ndomain = \"x\"\nrow_filter = \"1=1; DROP TABLE x\"\n",
        );
        assert!(e.contains("one SQL predicate"), "{e}");
        let e = errors("[[grnat]]\n");
        assert!(e.contains("did you mean `grant`"), "{e}");
        let e = errors(
            "[[principal]]\nname = \"a\"\nroles = [\"r\", \"s\"]\n[[role]]\nname = \"r\"\n[[role]]\nname = \"s\"\n\
             [[grant]]\nrole = \"r\"\ndomain = \"x\"\n[[grant]]\nrole = \"s\"\ndomain = \"x\"\n",
        );
        assert!(e.contains("two grants on domain x"), "{e}");
        let zh = AccessPolicy::parse("p.toml", "[[grant]]\nrole = 1\n").unwrap_err().render(baydex_core::Lang::Zh);
        assert!(zh.contains("错误") && zh.contains("一条授权须指定"), "{zh}");
    }
}
