//! `baydex sql [--as PRINCIPAL | --token T] "SELECT …"`: one read-only query over the catalog,
//! printed as a table or written to CSV/JSON/Parquet. Needs the `catalog` feature.

use std::path::PathBuf;

use baydex_core::Lang;

/// Arguments of `baydex sql`.
#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// The query: one SELECT over domain.table names (查询语句：一条 SELECT，表名为 域.表).
    pub query: String,
    /// Catalog file; default: $BAYDEX_CATALOG, else catalog.toml (目录文件).
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Run as this principal of the access policy (以该主体身份查询).
    #[arg(long = "as", value_name = "PRINCIPAL", conflicts_with = "token")]
    pub as_principal: Option<String>,
    /// Bearer token of a principal; default: $BAYDEX_TOKEN (主体的访问令牌).
    #[arg(long)]
    pub token: Option<String>,
    /// Output format: table | csv | json | parquet (输出格式).
    #[arg(long, default_value = "table", value_parser = ["table", "csv", "json", "parquet"])]
    pub format: String,
    /// Write the result to this file (all rows, written atomically) (写入文件).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Rows shown in the terminal; default: the catalog's row_limit (终端显示的行数).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Where the query runs: local | ballista://HOST:PORT (a cluster, see docs/cluster.md) (执行引擎).
    #[arg(long, default_value = "local")]
    pub engine: String,
    /// No progress indicator (不显示进度).
    #[arg(long, short)]
    pub quiet: bool,
    /// Language of messages: zh | en (提示语言).
    #[arg(long, value_parser = crate::parse_lang)]
    pub lang: Option<Lang>,
}

/// How to get the SQL engine (the same words as a project with SQL indicators loaded without it).
#[cfg(not(feature = "catalog"))]
pub fn feature_hint(lang: Lang) -> String {
    baydex_data::catalog_feature_hint().get(lang).to_string()
}

#[cfg(not(feature = "catalog"))]
pub fn run(a: SqlArgs) -> anyhow::Result<()> {
    let lang = a.lang.unwrap_or_else(crate::env_lang);
    anstream::eprintln!("{}", feature_hint(lang));
    Err(crate::Reported(2).into())
}

#[cfg(feature = "catalog")]
pub fn run(a: SqlArgs) -> anyhow::Result<()> {
    use anstream::{eprintln, println};
    use baydex_core::tr;
    use baydex_data::catalog::{OutputFormat, QueryEngine, QueryError, Who, write_output};

    let lang = a.lang.unwrap_or_else(crate::env_lang);
    let engine = match QueryEngine::parse(&a.engine) {
        Ok(e) => e,
        Err(t) => {
            eprintln!("{}{}", tr(lang, "error: --engine: ", "错误：--engine："), t.get(lang));
            return Err(crate::Reported(2).into());
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut catalog = crate::cmd_catalog::open(&rt, a.catalog.as_ref(), lang)?;
    catalog.set_engine(engine);
    let token = a.token.clone().or_else(|| std::env::var("BAYDEX_TOKEN").ok());
    let principal = match (&a.as_principal, &token, &catalog.policy) {
        (Some(name), _, Some(pol)) => match pol.principal(name) {
            Some(p) => Some(p.clone()),
            None => {
                eprintln!(
                    "{}",
                    if lang == Lang::Zh {
                        format!("错误：访问策略 {} 中没有主体 `{name}`", pol.file)
                    } else {
                        format!("error: no principal `{name}` in the access policy {}", pol.file)
                    }
                );
                return Err(crate::Reported(2).into());
            }
        },
        (None, Some(t), Some(pol)) => match pol.authenticate(t) {
            Some(p) => Some(p),
            None => {
                eprintln!("{}", tr(lang, "error: the token matches no principal", "错误：令牌与任何主体都不匹配"));
                return Err(crate::Reported(2).into());
            }
        },
        (Some(_), _, None) | (None, Some(_), None) => {
            eprintln!(
                "{}",
                tr(
                    lang,
                    "error: this catalog has no access policy; run without --as/--token",
                    "错误：该目录没有访问策略；请去掉 --as/--token"
                )
            );
            return Err(crate::Reported(2).into());
        }
        (None, None, _) => None,
    };
    let who = principal.as_ref().map_or(Who::Owner, Who::Principal);
    let file_format = match (a.format.as_str(), &a.output) {
        ("csv", _) => Some(OutputFormat::Csv),
        ("json", _) => Some(OutputFormat::Json),
        ("parquet", _) => Some(OutputFormat::Parquet),
        (_, Some(p)) => match p.extension().and_then(|e| e.to_str()) {
            Some("csv") => Some(OutputFormat::Csv),
            Some("json") | Some("ndjson") => Some(OutputFormat::Json),
            Some("parquet") => Some(OutputFormat::Parquet),
            _ => {
                eprintln!(
                    "{}",
                    tr(
                        lang,
                        "error: say --format csv|json|parquet for --output (or use a .csv/.json/.parquet name)",
                        "错误：使用 --output 时请指定 --format csv|json|parquet（或使用 .csv/.json/.parquet 扩展名）"
                    )
                );
                return Err(crate::Reported(2).into());
            }
        },
        _ => None,
    };
    let row_limit = match (&a.output, file_format) {
        (Some(_), _) => None,
        (None, Some(_)) => None,
        (None, None) => Some(a.limit.unwrap_or(catalog.config.limits.row_limit)),
    };
    let spinner = crate::cmd_catalog::spinner(a.quiet, tr(lang, "running the query…", "正在查询…"));
    let result = rt.block_on(catalog.query(who, &a.query, row_limit));
    spinner.finish_and_clear();
    let out = match result {
        Ok(o) => o,
        Err(e) => {
            let label = match (&e, lang) {
                (QueryError::Refused(_), Lang::En) => "refused: ",
                (QueryError::Refused(_), Lang::Zh) => "已拒绝：",
                (QueryError::Failed(_), Lang::En) => "error: ",
                (QueryError::Failed(_), Lang::Zh) => "错误：",
            };
            eprintln!("{label}{}", e.text().get(lang));
            return Err(crate::Reported(if matches!(e, QueryError::Refused(_)) { 3 } else { 1 }).into());
        }
    };
    if catalog.config.illustrative {
        eprintln!("{}", tr(lang, "note: synthetic demonstration data", "注意：合成演示数据"));
    }
    if let QueryEngine::Ballista(url) = catalog.engine() {
        eprintln!(
            "{}",
            if lang == Lang::Zh {
                format!("已在集群 {url} 上执行")
            } else {
                format!("ran on the cluster {url}")
            }
        );
    }
    // A file outlives the terminal's note: it says itself that its data are synthetic.
    let synthetic = catalog.config.illustrative.then(|| {
        baydex_core::Text::new(
            format!(
                "SYNTHETIC or illustrative data from the catalog \"{}\" (illustrative = true); not real figures",
                catalog.config.name.en
            ),
            format!("来自目录“{}”的合成或示意数据（illustrative = true），并非真实数据", catalog.config.name.zh),
        )
    });
    match (file_format, &a.output) {
        (Some(f), Some(path)) => {
            write_output(path, f, &out.schema, &out.batches, synthetic.as_ref())
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            eprintln!(
                "{}",
                if lang == Lang::Zh {
                    format!("已写入 {} 行到 {}", out.rows, path.display())
                } else {
                    format!("wrote {} rows to {}", out.rows, path.display())
                }
            );
        }
        (Some(f), None) => {
            let bytes =
                baydex_data::catalog::encode_output(f, &out.schema, &out.batches).map_err(|e| anyhow::anyhow!(e))?;
            use std::io::Write as _;
            std::io::stdout().write_all(&bytes)?;
        }
        (None, _) => {
            let table = baydex_data::catalog::datafusion::arrow::util::pretty::pretty_format_batches(&out.batches)?;
            println!("{table}");
            if out.truncated {
                eprintln!(
                    "{}",
                    if lang == Lang::Zh {
                        format!("仅显示前 {} 行；用 --output FILE 获取全部行，或 --limit N", out.rows)
                    } else {
                        format!("showing the first {} rows; use --output FILE for all rows, or --limit N", out.rows)
                    }
                );
            } else {
                eprintln!(
                    "{}",
                    if lang == Lang::Zh { format!("{} 行", out.rows) } else { format!("{} rows", out.rows) }
                );
            }
        }
    }
    Ok(())
}
