//! `baydex catalog list|describe|check`: what the catalog holds and whether its sources open.
//! Needs the `catalog` feature.

use std::path::PathBuf;

use baydex_core::Lang;

/// Arguments of `baydex catalog`.
#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    /// list | describe TABLE | check (列出 | 描述 表 | 检查).
    #[command(subcommand)]
    pub action: CatalogAction,
    /// Catalog file; default: $BAYDEX_CATALOG, else catalog.toml (目录文件).
    #[arg(long, global = true)]
    pub catalog: Option<PathBuf>,
    /// Language of messages: zh | en (提示语言).
    #[arg(long, global = true, value_parser = crate::parse_lang)]
    pub lang: Option<Lang>,
}

/// What to do with the catalog.
#[derive(Debug, clap::Subcommand)]
pub enum CatalogAction {
    /// Domains and tables, and the sources that could not be opened (域与表，以及无法打开的数据源).
    List,
    /// Columns and source of one table (一张表的列与来源).
    Describe {
        /// domain.table
        table: String,
    },
    /// Open and read every source; exit 1 if any is broken (逐个检查数据源).
    Check,
}

#[cfg(not(feature = "catalog"))]
pub fn run(a: CatalogArgs) -> anyhow::Result<()> {
    let lang = a.lang.unwrap_or_else(crate::env_lang);
    anstream::eprintln!("{}", crate::cmd_sql::feature_hint(lang));
    Err(crate::Reported(2).into())
}

/// The catalog file named, or $BAYDEX_CATALOG, or catalog.toml.
#[cfg(feature = "catalog")]
pub fn catalog_path(p: Option<&PathBuf>) -> PathBuf {
    p.cloned()
        .or_else(|| std::env::var_os("BAYDEX_CATALOG").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("catalog.toml"))
}

/// Opens the catalog, printing its diagnostics (and its broken sources) on stderr.
#[cfg(feature = "catalog")]
pub fn open(
    rt: &tokio::runtime::Runtime,
    p: Option<&PathBuf>,
    lang: Lang,
) -> anyhow::Result<baydex_data::catalog::Catalog> {
    let path = catalog_path(p);
    match rt.block_on(baydex_data::catalog::Catalog::open(&path)) {
        Ok(c) => {
            for b in &c.broken {
                let msg = match lang {
                    Lang::Zh => format!("警告：数据源 {}（{}）不可用：{}", b.table, b.origin, b.error.zh),
                    Lang::En => format!("warning: source {} ({}) is unavailable: {}", b.table, b.origin, b.error.en),
                };
                anstream::eprintln!("{msg}");
            }
            Ok(c)
        }
        Err(d) => {
            anstream::eprint!("{}", d.render(lang));
            Err(crate::Reported(2).into())
        }
    }
}

/// A spinner on stderr for long work (hidden with --quiet or when stderr is not a terminal).
#[cfg(feature = "catalog")]
pub fn spinner(quiet: bool, msg: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal as _;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new_spinner();
    pb.set_message(format!("{msg} "));
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg}{elapsed}") {
        pb.set_style(style);
    }
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

#[cfg(feature = "catalog")]
pub fn run(a: CatalogArgs) -> anyhow::Result<()> {
    use anstream::println;
    use baydex_core::tr;

    let lang = a.lang.unwrap_or_else(crate::env_lang);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let cat = open(&rt, a.catalog.as_ref(), lang)?;
    match a.action {
        CatalogAction::List => {
            let name = cat.config.name.get(lang);
            if !name.is_empty() {
                println!("{name}");
            }
            if cat.config.illustrative {
                println!("{}", tr(lang, "(synthetic demonstration data)", "（合成演示数据）"));
            }
            for d in &cat.config.domains {
                println!("{} — {}", d.name, d.title.get(lang));
                for s in cat.config.sources.iter().filter(|s| s.domain == d.name) {
                    let state = if cat.tables.contains_key(&s.name()) {
                        String::new()
                    } else {
                        tr(lang, "  [unavailable]", "  [不可用]").to_string()
                    };
                    let desc = s.description.get(lang);
                    println!("  {}{state}{}{desc}", s.name(), if desc.is_empty() { "" } else { "  " });
                }
            }
            Ok(())
        }
        CatalogAction::Describe { table } => {
            let Some(info) = cat.tables.get(&table) else {
                let msg = match lang {
                    Lang::Zh => format!("错误：目录中没有可用的表 `{table}`（见 baydex catalog list）"),
                    Lang::En => format!("error: no available table `{table}` in the catalog (see baydex catalog list)"),
                };
                anstream::eprintln!("{msg}");
                return Err(crate::Reported(2).into());
            };
            println!("{}  {}", table, info.spec.description.get(lang));
            let src = match &info.spec.kind {
                baydex_data::catalog::SourceKind::File { format, path, partitions, .. } => {
                    let parts = if partitions.is_empty() {
                        String::new()
                    } else {
                        format!(" (hive: {})", partitions.join(", "))
                    };
                    format!("{} {}{parts}", format.as_str(), path.display())
                }
                baydex_data::catalog::SourceKind::Postgres { relation, .. } => format!("postgres {relation}"),
            };
            println!("{}{src}", tr(lang, "source: ", "来源："));
            for f in info.schema.fields() {
                println!("  {:<24} {}", f.name(), f.data_type());
            }
            Ok(())
        }
        CatalogAction::Check => {
            let results = rt.block_on(cat.check());
            let mut bad = 0;
            for (t, r) in &results {
                match r {
                    Ok(_) => println!("ok      {t}"),
                    Err(e) => {
                        bad += 1;
                        println!("{}{t}: {}", tr(lang, "BROKEN  ", "不可用  "), e.get(lang));
                    }
                }
            }
            if bad > 0 { Err(crate::Reported(1).into()) } else { Ok(()) }
        }
    }
}
