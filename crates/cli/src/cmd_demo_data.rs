//! `baydex demo-data DIR`: writes a seeded, synthetic GBA data platform (files, a PostgreSQL
//! load script, a catalog and an access policy). Needs the `catalog` feature (Parquet writer).

use std::path::PathBuf;

use baydex_core::Lang;

/// Arguments of `baydex demo-data`.
#[derive(Debug, clap::Args)]
pub struct DemoDataArgs {
    /// Directory to write into (created if missing) (输出目录).
    pub dir: PathBuf,
    /// Random seed (随机种子).
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// Language of messages: zh | en (提示语言).
    #[arg(long, value_parser = crate::parse_lang)]
    pub lang: Option<Lang>,
}

#[cfg(not(feature = "catalog"))]
pub fn run(a: DemoDataArgs) -> anyhow::Result<()> {
    let lang = a.lang.unwrap_or_else(crate::env_lang);
    anstream::eprintln!("{}", crate::cmd_sql::feature_hint(lang));
    Err(crate::Reported(2).into())
}

#[cfg(feature = "catalog")]
pub fn run(a: DemoDataArgs) -> anyhow::Result<()> {
    let lang = a.lang.unwrap_or_else(crate::env_lang);
    std::fs::create_dir_all(&a.dir)?;
    let files = baydex_data::catalog::demo::write_demo(&a.dir, a.seed).map_err(|e| anyhow::anyhow!(e))?;
    let msg = match lang {
        Lang::Zh => format!(
            "已在 {} 写入 {} 个文件（合成演示数据）。\n试用：baydex catalog list --catalog {}/catalog.toml",
            a.dir.display(),
            files.len(),
            a.dir.display()
        ),
        Lang::En => format!(
            "wrote {} files of SYNTHETIC demonstration data to {}\ntry: baydex catalog list --catalog {}/catalog.toml",
            files.len(),
            a.dir.display(),
            a.dir.display()
        ),
    };
    anstream::println!("{msg}");
    Ok(())
}
