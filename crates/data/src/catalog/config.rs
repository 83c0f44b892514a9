//! The catalog file (TOML): domains, sources, roots, limits; parsed with located errors.

use std::path::{Component, Path, PathBuf};

use baydex_core::Text;
use datafusion::arrow::datatypes::DataType;
use toml::de::DeTable;

use crate::diag::{Diagnostic, Diagnostics, LineIndex, Location, closest, text};
use crate::project::doc::{Doc, Tbl};

/// File formats a source may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma-separated values with a header line.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Newline-delimited JSON (one object per line).
    Json,
}

impl FileFormat {
    /// `csv`, `parquet` or `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Parquet => "parquet",
            FileFormat::Json => "json",
        }
    }
}

/// Where a source's rows come from.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceKind {
    /// A file, or a directory of files (Hive-partitioned when `partitions` is not empty).
    File {
        /// The format.
        format: FileFormat,
        /// The resolved path (inside a root).
        path: PathBuf,
        /// Hive partition columns (`year=2024/month=03/…`), read as text.
        partitions: Vec<String>,
        /// Declared columns (CSV and JSON only); `None`: inferred.
        columns: Option<Vec<(String, DataType)>>,
    },
    /// A PostgreSQL table or view.
    Postgres {
        /// The connection string (from `url`, or from the environment variable `url_env`).
        url: Option<String>,
        /// The environment variable holding the connection string.
        url_env: Option<String>,
        /// `schema.table` or `table`.
        relation: String,
    },
}

/// One declared source: `domain.table`.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    /// Domain name.
    pub domain: String,
    /// Table name within the domain.
    pub table: String,
    /// What to read.
    pub kind: SourceKind,
    /// What the table holds (zh/en).
    pub description: Text,
    /// `catalog.toml:12 [source[3]]`.
    pub origin: String,
}

impl SourceSpec {
    /// `domain.table`.
    pub fn name(&self) -> String {
        format!("{}.{}", self.domain, self.table)
    }
}

/// A domain: a department's area of data.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainSpec {
    /// SQL name (schema).
    pub name: String,
    /// Display name (zh/en).
    pub title: Text,
}

/// Resource limits of queries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Memory pool of the query engine, MiB (sorts and joins spill to disk beyond it).
    pub memory_mb: usize,
    /// Per-query timeout, seconds.
    pub timeout_s: u64,
    /// Rows shown by interactive output (files get every row).
    pub row_limit: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { memory_mb: 1024, timeout_s: 60, row_limit: 1000 }
    }
}

/// A parsed catalog file.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogConfig {
    /// The file, as displayed.
    pub file: String,
    /// Directory of the catalog file (relative paths start here).
    pub dir: PathBuf,
    /// The catalog's name (zh/en).
    pub name: Text,
    /// True when the data are synthetic or illustrative (shown with every result).
    pub illustrative: bool,
    /// Canonical directories that sources must stay inside.
    pub roots: Vec<PathBuf>,
    /// The access-policy file, if any.
    pub policy: Option<PathBuf>,
    /// The audit database (SQLite).
    pub audit: PathBuf,
    /// Limits.
    pub limits: Limits,
    /// Domains in file order.
    pub domains: Vec<DomainSpec>,
    /// Sources in file order.
    pub sources: Vec<SourceSpec>,
}

const TOP: &[&str] = &["catalog", "domain", "source"];
const CATALOG: &[&str] =
    &["name", "illustrative", "roots", "policy", "audit", "memory_limit_mb", "query_timeout_s", "row_limit"];
const DOMAIN: &[&str] = &["name", "title"];
const SOURCE: &[&str] =
    &["table", "format", "path", "partitions", "columns", "url", "url_env", "relation", "description"];
const TYPES: &[&str] = &["utf8", "int64", "float64", "boolean", "date"];

fn data_type(s: &str) -> Option<DataType> {
    Some(match s {
        "utf8" => DataType::Utf8,
        "int64" => DataType::Int64,
        "float64" => DataType::Float64,
        "boolean" => DataType::Boolean,
        "date" => DataType::Date32,
        _ => return None,
    })
}

fn ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|x| x.is_ascii_lowercase() || x == '_')
        && c.all(|x| x.is_ascii_lowercase() || x.is_ascii_digit() || x == '_')
}

impl CatalogConfig {
    /// Reads and checks a catalog file. Paths are checked against the roots here (no `..`, no
    /// symlink leading outside); a missing source file is not an error here (it is reported by
    /// name when the catalog opens, and the other sources still work).
    pub fn load(path: &Path) -> Result<CatalogConfig, Diagnostics> {
        let display = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|e| {
            Diagnostics::from(Location::file(&display).error(
                text(format!("cannot read the catalog file: {e}"), format!("无法读取目录文件：{e}")),
                text(
                    "check the path given with --catalog (or BAYDEX_CATALOG); `baydex demo-data DIR` writes an example",
                    "请检查 --catalog（或 BAYDEX_CATALOG）给出的路径；`baydex demo-data DIR` 可生成示例",
                ),
            ))
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
        CatalogConfig::parse(&display, &src, &dir)
    }

    /// Parses a catalog from its text; `dir` is where relative paths start.
    pub fn parse(file: &str, src: &str, dir: &Path) -> Result<CatalogConfig, Diagnostics> {
        let root = DeTable::parse(src).map_err(|e| {
            let mut loc = Location::file(file);
            if let Some(span) = e.span() {
                let (l, c) = LineIndex::new(src).locate(span.start);
                loc.line = Some(l);
                loc.column = Some(c);
            }
            let msg = e.message().trim().to_string();
            Diagnostics::from(loc.error(
                text(format!("invalid TOML: {msg}"), format!("TOML 语法错误：{msg}")),
                text(
                    "fix the TOML syntax here; the format is in docs/catalog.md",
                    "请修正此处的 TOML 语法；格式见 docs/catalog.md",
                ),
            ))
        })?;
        let mut doc = Doc::new(file, src);
        let top = Tbl::new(root.get_ref(), root.span(), "");
        top.check_keys(&mut doc, TOP);
        let cdir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());

        let mut cfg = CatalogConfig {
            file: file.to_string(),
            dir: cdir.clone(),
            name: Text::default(),
            illustrative: false,
            roots: Vec::new(),
            policy: None,
            audit: cdir.join("audit.sqlite"),
            limits: Limits::default(),
            domains: Vec::new(),
            sources: Vec::new(),
        };
        if let Some(c) = top.table(&mut doc, "catalog") {
            c.check_keys(&mut doc, CATALOG);
            cfg.name = c.text(&mut doc, "name", false).unwrap_or_default();
            cfg.illustrative = c.boolean(&mut doc, "illustrative").unwrap_or(false);
            if let Some(a) = c.array(&mut doc, "roots") {
                for v in a.iter() {
                    let Some(s) = v.get_ref().as_str() else { continue };
                    match cdir.join(s).canonicalize() {
                        Ok(p) if p.is_dir() => cfg.roots.push(p),
                        _ => doc.error(
                            &v.span(),
                            Some(c.key("roots")),
                            text(
                                format!("root `{s}` is not an existing directory"),
                                format!("根目录 `{s}` 不存在或不是目录"),
                            ),
                            text("roots are directories relative to the catalog file", "根目录是相对于目录文件的目录"),
                        ),
                    }
                }
            }
            cfg.policy = c.string(&mut doc, "policy", false).map(|p| cdir.join(p));
            if let Some(a) = c.string(&mut doc, "audit", false) {
                cfg.audit = cdir.join(a);
            }
            let pos = |doc: &mut Doc<'_>, k: &str| -> Option<f64> {
                let x = c.number(doc, k)?;
                if x >= 1.0 && x.fract() == 0.0 {
                    Some(x)
                } else {
                    doc.error(
                        &c.span_of(k),
                        Some(c.key(k)),
                        text(format!("`{k}` must be a positive whole number"), format!("`{k}` 应为正整数")),
                        text("e.g. 1024", "例如 1024"),
                    );
                    None
                }
            };
            if let Some(x) = pos(&mut doc, "memory_limit_mb") {
                cfg.limits.memory_mb = x as usize;
            }
            if let Some(x) = pos(&mut doc, "query_timeout_s") {
                cfg.limits.timeout_s = x as u64;
            }
            if let Some(x) = pos(&mut doc, "row_limit") {
                cfg.limits.row_limit = x as usize;
            }
        }
        if cfg.roots.is_empty() {
            cfg.roots.push(cdir.clone());
        }

        for d in top.tables(&mut doc, "domain") {
            d.check_keys(&mut doc, DOMAIN);
            let Some(name) = d.string(&mut doc, "name", true) else { continue };
            if !ident(&name) || name == "information_schema" || name == "public" {
                doc.error(
                    &d.span_of("name"),
                    Some(d.key("name")),
                    text(format!("`{name}` cannot be a domain name"), format!("`{name}` 不能作为域名称")),
                    text(
                        "use lowercase letters, digits and _ (not information_schema or public)",
                        "请使用小写字母、数字和下划线（不能是 information_schema 或 public）",
                    ),
                );
            } else if cfg.domains.iter().any(|x| x.name == name) {
                doc.error(
                    &d.span_of("name"),
                    Some(d.key("name")),
                    text(format!("domain `{name}` is declared twice"), format!("域 `{name}` 重复声明")),
                    text("remove one", "请删除其中一个"),
                );
            }
            let title = d.text(&mut doc, "title", false).unwrap_or_else(|| Text::new(name.clone(), name.clone()));
            cfg.domains.push(DomainSpec { name, title });
        }

        for s in top.tables(&mut doc, "source") {
            s.check_keys(&mut doc, SOURCE);
            let (line, _) = doc.lines.locate(s.span.start);
            let origin = format!("{file}:{line} [{}]", s.path);
            let Some(table) = s.string(&mut doc, "table", true) else { continue };
            let Some((domain, tname)) = table.split_once('.').filter(|(d, t)| ident(d) && ident(t)) else {
                doc.error(
                    &s.span_of("table"),
                    Some(s.key("table")),
                    text(format!("`{table}` is not a domain.table name"), format!("`{table}` 不是 域.表 形式的名称")),
                    text(
                        "write table = \"transport.trips\" (lowercase, digits, _)",
                        "请写 table = \"transport.trips\"（小写字母、数字、下划线）",
                    ),
                );
                continue;
            };
            if !cfg.domains.iter().any(|d| d.name == domain) {
                let help = match closest(domain, cfg.domains.iter().map(|d| d.name.as_str())) {
                    Some(c) => text(format!("did you mean `{c}`?"), format!("是否应为 `{c}`？")),
                    None => text("declare it in a [[domain]] section", "请在 [[domain]] 节中声明该域"),
                };
                doc.error(
                    &s.span_of("table"),
                    Some(s.key("table")),
                    text(format!("unknown domain `{domain}`"), format!("未知的域 `{domain}`")),
                    help,
                );
            }
            if cfg.sources.iter().any(|x| x.name() == table) {
                doc.error(
                    &s.span_of("table"),
                    Some(s.key("table")),
                    text(format!("table `{table}` is declared twice"), format!("表 `{table}` 重复声明")),
                    text("rename or remove one", "请改名或删除其中一个"),
                );
            }
            let description = s.text(&mut doc, "description", false).unwrap_or_default();
            let format = s.string(&mut doc, "format", true);
            let kind = match format.as_deref() {
                Some("postgres") => {
                    let url = s.string(&mut doc, "url", false);
                    let url_env = s.string(&mut doc, "url_env", false);
                    let relation = s.string(&mut doc, "relation", true);
                    if url.is_none() && url_env.is_none() {
                        doc.error(
                            &s.span,
                            Some(s.key("url_env")),
                            text("a postgres source needs url or url_env", "postgres 数据源需要 url 或 url_env"),
                            text(
                                "write url_env = \"CITY_PG_URL\" (keeps passwords out of the file) or url = \"postgresql://…\"",
                                "请写 url_env = \"CITY_PG_URL\"（密码不写入文件）或 url = \"postgresql://…\"",
                            ),
                        );
                    }
                    let Some(relation) = relation else { continue };
                    let ok = relation.split('.').count() <= 2
                        && relation
                            .split('.')
                            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
                    if !ok {
                        doc.error(
                            &s.span_of("relation"),
                            Some(s.key("relation")),
                            text(format!("`{relation}` is not a table name"), format!("`{relation}` 不是表名")),
                            text(
                                "write relation = \"schema.table\" or \"table\"",
                                "请写 relation = \"schema.table\" 或 \"table\"",
                            ),
                        );
                    }
                    SourceKind::Postgres { url, url_env, relation }
                }
                Some(f @ ("csv" | "parquet" | "json")) => {
                    let format = match f {
                        "csv" => FileFormat::Csv,
                        "parquet" => FileFormat::Parquet,
                        _ => FileFormat::Json,
                    };
                    let Some(p) = s.string(&mut doc, "path", true) else { continue };
                    let path = match confine(&cdir, &cfg.roots, &p) {
                        Ok(path) => path,
                        Err(msg) => {
                            doc.error(&s.span_of("path"), Some(s.key("path")), msg, root_help(&cfg.roots));
                            continue;
                        }
                    };
                    let partitions: Vec<String> = s
                        .array(&mut doc, "partitions")
                        .map(|a| a.iter().filter_map(|v| v.get_ref().as_str().map(str::to_string)).collect())
                        .unwrap_or_default();
                    let mut columns = None;
                    if let Some(c) = s.table(&mut doc, "columns") {
                        if format == FileFormat::Parquet {
                            doc.error(
                                &s.span_of("columns"),
                                Some(s.key("columns")),
                                text(
                                    "Parquet files carry their schema: columns is not used",
                                    "Parquet 文件自带结构：不使用 columns",
                                ),
                                text("remove columns", "请删除 columns"),
                            );
                        }
                        let mut cols = Vec::new();
                        for (k, _) in c.t.iter() {
                            let name = k.get_ref().to_string();
                            let Some(t) = c.string(&mut doc, &name, true) else { continue };
                            match data_type(&t) {
                                Some(dt) => cols.push((name, dt)),
                                None => doc.error(
                                    &c.span_of(&name),
                                    Some(c.key(&name)),
                                    text(format!("unknown column type `{t}`"), format!("未知的列类型 `{t}`")),
                                    text(
                                        format!("use one of {}", TYPES.join(", ")),
                                        format!("可选：{}", TYPES.join("、")),
                                    ),
                                ),
                            }
                        }
                        columns = Some(cols);
                    }
                    SourceKind::File { format, path, partitions, columns }
                }
                Some(other) => {
                    doc.error(
                        &s.span_of("format"),
                        Some(s.key("format")),
                        text(format!("unknown source format `{other}`"), format!("未知的数据源格式 `{other}`")),
                        text("use csv, parquet, json or postgres", "可选：csv、parquet、json、postgres"),
                    );
                    continue;
                }
                None => continue,
            };
            cfg.sources.push(SourceSpec {
                domain: domain.to_string(),
                table: tname.to_string(),
                kind,
                description,
                origin,
            });
        }
        if doc.diags.iter().any(Diagnostic::is_error) {
            let mut d = Diagnostics(doc.diags);
            d.sort(&[file.to_string()]);
            return Err(d);
        }
        Ok(cfg)
    }
}

fn root_help(roots: &[PathBuf]) -> Text {
    let list = roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>().join(", ");
    text(
        format!("sources must stay inside the declared roots ({list}); add a root in [catalog] roots"),
        format!("数据源必须位于声明的根目录之内（{list}）；可在 [catalog] roots 中增加根目录"),
    )
}

/// Resolves `p` (relative to `dir`) and checks it stays inside a root: no `..` component, no
/// glob, and, once symlinks are resolved, still inside (a missing path is checked lexically).
pub(crate) fn confine(dir: &Path, roots: &[PathBuf], p: &str) -> Result<PathBuf, Text> {
    let rel = Path::new(p);
    if rel.components().any(|c| matches!(c, Component::ParentDir)) || p.contains(['*', '?', '[']) {
        return Err(text(
            format!("path `{p}` may not contain `..` or wildcards"),
            format!("路径 `{p}` 不能包含 `..` 或通配符"),
        ));
    }
    let joined = dir.join(rel);
    let resolved = match joined.canonicalize() {
        Ok(c) => c,
        Err(_) => joined.clone(),
    };
    if !roots.iter().any(|r| resolved.starts_with(r)) {
        return Err(text(
            format!("path `{p}` leads outside the catalog's roots (to {})", resolved.display()),
            format!("路径 `{p}` 指向根目录之外（{}）", resolved.display()),
        ));
    }
    Ok(resolved)
}

/// Every regular file under `path` (itself if a file), each checked to resolve inside a root.
pub(crate) fn files_under(path: &Path, roots: &[PathBuf]) -> Result<Vec<PathBuf>, Text> {
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        let real = p
            .canonicalize()
            .map_err(|e| text(format!("cannot open {}: {e}", p.display()), format!("无法打开 {}：{e}", p.display())))?;
        if !roots.iter().any(|r| real.starts_with(r)) {
            return Err(text(
                format!("{} is a link leading outside the catalog's roots (to {})", p.display(), real.display()),
                format!("{} 是指向根目录之外的链接（{}）", p.display(), real.display()),
            ));
        }
        if real.is_dir() {
            let rd = std::fs::read_dir(&p).map_err(|e| {
                text(format!("cannot list {}: {e}", p.display()), format!("无法列出 {}：{e}", p.display()))
            })?;
            for e in rd.flatten() {
                stack.push(e.path());
            }
        } else {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}
