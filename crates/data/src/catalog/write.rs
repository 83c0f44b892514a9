//! Writing a query result to CSV, JSON (newline-delimited) or Parquet, all-or-nothing.

use std::path::{Path, PathBuf};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;

use crate::output::{OutFile, write_atomic};

/// File formats of `baydex sql --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// CSV with a header line.
    Csv,
    /// One JSON object per line.
    Json,
    /// Apache Parquet.
    Parquet,
}

/// Encodes a result in memory.
pub fn encode_output(format: OutputFormat, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    match format {
        OutputFormat::Csv => {
            let mut w = datafusion::arrow::csv::WriterBuilder::new().with_header(true).build(&mut buf);
            for b in batches {
                w.write(b).map_err(|e| e.to_string())?;
            }
        }
        OutputFormat::Json => {
            let mut w = datafusion::arrow::json::LineDelimitedWriter::new(&mut buf);
            for b in batches {
                w.write(b).map_err(|e| e.to_string())?;
            }
            w.finish().map_err(|e| e.to_string())?;
        }
        OutputFormat::Parquet => {
            let mut w = ArrowWriter::try_new(&mut buf, schema.clone(), None).map_err(|e| e.to_string())?;
            for b in batches {
                w.write(b).map_err(|e| e.to_string())?;
            }
            w.close().map_err(|e| e.to_string())?;
        }
    }
    Ok(buf)
}

/// Encodes the result in memory, then writes `path` through a temporary file and a rename: an
/// error leaves no partial file.
pub fn write_output(
    path: &Path,
    format: OutputFormat,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<PathBuf, String> {
    let bytes = encode_output(format, schema, batches)?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| format!("{} is not a file path", path.display()))?;
    write_atomic(dir, &[OutFile { rel: PathBuf::from(name), bytes }]).map_err(|e| e.to_string())?;
    Ok(path.to_path_buf())
}
