//! Size estimates for CSV and JSON sources, so DataFusion can choose the build side of a join.
//!
//! Parquet files carry row counts and sizes in their footers; CSV and newline-delimited JSON files
//! carry nothing, and DataFusion 55 reports their statistics as unknown. Its `JoinSelection` rule
//! then keeps the join sides as written: `trips JOIN cities` builds the hash table from fifty
//! million trips instead of eleven cities (161 s instead of 0.3 s at 2 million trips, and out of
//! memory at 50 million; see BENCHMARKS.md). [`Sized`] wraps the file format and answers
//! `infer_stats` with inexact estimates: the file's size in bytes, and its row count extrapolated
//! from the lines of its first 64 KiB. Everything else is the wrapped format's.
//!
//! The estimates only steer the planner (join sides, hash-join build side); they never decide a
//! result. They are inexact, so no rule may answer a query from them (e.g. `count(*)`).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::common::Statistics;
use datafusion::common::stats::Precision;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::file_format::file_compression_type::FileCompressionType;
use datafusion::datasource::physical_plan::{FileScanConfig, FileSource};
use datafusion::datasource::table_schema::TableSchema;
use datafusion::error::Result;
use datafusion::object_store::{ObjectMeta, ObjectStore, ObjectStoreExt};
use datafusion::physical_plan::ExecutionPlan;

/// Bytes read from the start of a file to estimate its bytes per row.
const SAMPLE: u64 = 64 * 1024;

/// A line-oriented file format (CSV with a header, or newline-delimited JSON) that reports
/// estimated statistics.
#[derive(Debug)]
pub(crate) struct Sized {
    inner: Arc<dyn FileFormat>,
    /// Lines before the first record (1 for a CSV header).
    header_lines: u64,
}

impl Sized {
    pub(crate) fn new(inner: Arc<dyn FileFormat>, header_lines: u64) -> Sized {
        Sized { inner, header_lines }
    }
}

/// Estimated records of a file of `size` bytes whose first `sample.len()` bytes are `sample`.
pub(crate) fn estimate_rows(size: u64, sample: &[u8], header_lines: u64) -> u64 {
    let lines = sample.iter().filter(|&&b| b == b'\n').count() as u64;
    let whole = sample.len() as u64 >= size;
    if whole {
        // The whole file: count its lines (a last line without a newline counts too).
        let last = u64::from(sample.last().is_some_and(|&b| b != b'\n'));
        return (lines + last).saturating_sub(header_lines);
    }
    if lines == 0 {
        // Longer lines than the sample: at least one record.
        return 1;
    }
    let per_line = sample.len() as f64 / lines as f64;
    ((size as f64 / per_line).round() as u64).saturating_sub(header_lines).max(1)
}

#[async_trait]
impl FileFormat for Sized {
    fn get_ext(&self) -> String {
        self.inner.get_ext()
    }

    fn get_ext_with_compression(&self, c: &FileCompressionType) -> Result<String> {
        self.inner.get_ext_with_compression(c)
    }

    fn compression_type(&self) -> Option<FileCompressionType> {
        self.inner.compression_type()
    }

    async fn infer_schema(
        &self,
        state: &dyn Session,
        store: &Arc<dyn ObjectStore>,
        objects: &[ObjectMeta],
    ) -> Result<SchemaRef> {
        self.inner.infer_schema(state, store, objects).await
    }

    async fn infer_stats(
        &self,
        _state: &dyn Session,
        store: &Arc<dyn ObjectStore>,
        table_schema: SchemaRef,
        object: &ObjectMeta,
    ) -> Result<Statistics> {
        let size = object.size;
        let sample = store.get_range(&object.location, 0..size.min(SAMPLE)).await?;
        let rows = estimate_rows(size, &sample, self.header_lines);
        Ok(Statistics::new_unknown(&table_schema)
            .with_num_rows(Precision::Inexact(usize::try_from(rows).unwrap_or(usize::MAX)))
            .with_total_byte_size(Precision::Inexact(usize::try_from(size).unwrap_or(usize::MAX))))
    }

    async fn create_physical_plan(&self, state: &dyn Session, conf: FileScanConfig) -> Result<Arc<dyn ExecutionPlan>> {
        self.inner.create_physical_plan(state, conf).await
    }

    fn file_source(&self, table_schema: TableSchema) -> Arc<dyn FileSource> {
        self.inner.file_source(table_schema)
    }
}

impl fmt::Display for Sized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} (estimated statistics)", self.inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::physical_plan::joins::HashJoinExec;
    use datafusion::physical_plan::{ExecutionPlan, displayable};

    use super::estimate_rows;
    use crate::catalog::Catalog;

    /// The build (left) side of the first hash join of `sql`, as plan text.
    fn build_side(cat: &Catalog, sql: &str) -> String {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let ctx = cat.context();
            for (name, info) in &cat.tables {
                ctx.register_table(name.replace('.', "_"), info.provider.clone()).unwrap();
            }
            let plan = ctx.sql(sql).await.unwrap().create_physical_plan().await.unwrap();
            fn find(p: &Arc<dyn ExecutionPlan>) -> Option<String> {
                if let Some(j) = p.downcast_ref::<HashJoinExec>() {
                    return Some(displayable(j.left().as_ref()).indent(true).to_string());
                }
                p.children().into_iter().find_map(find)
            }
            find(&plan).unwrap_or_else(|| panic!("no hash join in\n{}", displayable(plan.as_ref()).indent(true)))
        })
    }

    /// Whichever side is written first, the hash table is built from the small table, for CSV
    /// and JSON sources alike (without estimates DataFusion kept the written order).
    #[test]
    fn the_small_side_of_a_join_is_the_build_side() {
        let dir = tempfile::tempdir().unwrap();
        let mut big_csv = String::from("k,v\n");
        let mut big_json = String::new();
        for i in 0..20_000 {
            big_csv.push_str(&format!("{},{i}\n", i % 3));
            big_json.push_str(&format!("{{\"k\":{},\"v\":{i}}}\n", i % 3));
        }
        std::fs::write(dir.path().join("big.csv"), big_csv).unwrap();
        std::fs::write(dir.path().join("big.json"), big_json).unwrap();
        std::fs::write(dir.path().join("small.csv"), "k,name\n0,a\n1,b\n2,c\n").unwrap();
        std::fs::write(dir.path().join("small.json"), "{\"k\":0,\"name\":\"a\"}\n{\"k\":1,\"name\":\"b\"}\n").unwrap();
        let mut toml = String::from("[catalog]\nroots = [\".\"]\n[[domain]]\nname = \"d\"\n");
        for (t, f) in [("big", "csv"), ("small", "csv"), ("bigj", "json"), ("smallj", "json")] {
            let file = format!("{}.{f}", t.trim_end_matches('j'));
            toml.push_str(&format!("[[source]]\ntable = \"d.{t}\"\nformat = \"{f}\"\npath = \"{file}\"\n"));
        }
        std::fs::write(dir.path().join("catalog.toml"), toml).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let cat = rt.block_on(Catalog::open(&dir.path().join("catalog.toml"))).unwrap();
        assert!(cat.broken.is_empty(), "{:?}", cat.broken);
        for (big, small, file) in [("d_big", "d_small", "small.csv"), ("d_bigj", "d_smallj", "small.json")] {
            for sql in [
                format!("SELECT b.v, s.name FROM {big} b JOIN {small} s ON b.k = s.k"),
                format!("SELECT b.v, s.name FROM {small} s JOIN {big} b ON b.k = s.k"),
            ] {
                let left = build_side(&cat, &sql);
                assert!(left.contains(file) && !left.contains("big."), "{sql}: build side\n{left}");
            }
        }
    }

    #[test]
    fn a_whole_file_is_counted() {
        assert_eq!(estimate_rows(12, b"a,b\n1,2\n3,4\n", 1), 2);
        // No newline after the last record.
        assert_eq!(estimate_rows(11, b"a,b\n1,2\n3,4", 1), 2);
        assert_eq!(estimate_rows(4, b"a,b\n", 1), 0);
        assert_eq!(estimate_rows(0, b"", 1), 0);
        // JSON lines: no header.
        assert_eq!(estimate_rows(16, b"{\"a\":1}\n{\"a\":2}\n", 0), 2);
    }

    #[test]
    fn a_large_file_is_extrapolated_from_its_sample() {
        // 10-byte lines: a 1,000,000-byte file has about 100,000 of them, one a header.
        let sample = b"abcdefghi\n".repeat(100);
        assert_eq!(estimate_rows(1_000_000, &sample, 1), 99_999);
        // A sample without a line end.
        assert_eq!(estimate_rows(1_000_000, b"abcdefghij", 1), 1);
    }
}
