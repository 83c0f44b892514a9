//! Writing a query result to CSV, JSON (newline-delimited) or Parquet, all-or-nothing.
//!
//! A file written from a catalog whose data are synthetic or illustrative carries a note saying
//! so, in the form each format allows: CSV comment lines (`# …`, which baydex's own CSV reader
//! skips), a `_synthetic: true` field in every JSON line (newline-delimited JSON has no comments;
//! the demo tables label their rows the same way), and the Parquet key-value metadata
//! `baydex.synthetic` (as the demo's own Parquet files do).

use std::path::{Path, PathBuf};

use baydex_core::Text;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::file::metadata::KeyValue;
use datafusion::parquet::file::properties::WriterProperties;

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
    encode(format, schema, batches, None)
}

/// The key of the Parquet metadata (and the JSON field, with a leading `_`) marking synthetic data.
pub const SYNTHETIC_KEY: &str = "baydex.synthetic";

/// Encodes a result in memory; `synthetic`, when given, is the note marking the data synthetic.
fn encode(
    format: OutputFormat,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    synthetic: Option<&Text>,
) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    match format {
        OutputFormat::Csv => {
            if let Some(note) = synthetic {
                for line in [&note.en, &note.zh] {
                    buf.extend_from_slice(format!("# {}\n", line.replace(['\n', '\r'], " ")).as_bytes());
                }
            }
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
            if synthetic.is_some() && schema.column_with_name("_synthetic").is_none() {
                buf = mark_json_lines(&buf);
            }
        }
        OutputFormat::Parquet => {
            let props = synthetic.map(|note| {
                WriterProperties::builder()
                    .set_key_value_metadata(Some(vec![KeyValue::new(
                        SYNTHETIC_KEY.into(),
                        format!("{} / {}", note.en, note.zh),
                    )]))
                    .build()
            });
            let mut w = ArrowWriter::try_new(&mut buf, schema.clone(), props).map_err(|e| e.to_string())?;
            for b in batches {
                w.write(b).map_err(|e| e.to_string())?;
            }
            w.close().map_err(|e| e.to_string())?;
        }
    }
    Ok(buf)
}

/// Adds `"_synthetic":true` to every object of newline-delimited JSON.
fn mark_json_lines(buf: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(buf.len() + buf.len() / 8);
    for line in buf.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        match line.strip_suffix(b"}") {
            Some(head) if head == b"{" => out.extend_from_slice(b"{\"_synthetic\":true}"),
            Some(head) => {
                out.extend_from_slice(head);
                out.extend_from_slice(b",\"_synthetic\":true}");
            }
            None => out.extend_from_slice(line),
        }
        out.push(b'\n');
    }
    out
}

/// Encodes the result in memory, then writes `path` through a temporary file and a rename: an
/// error leaves no partial file. `synthetic`, when given, marks the file as holding synthetic or
/// illustrative data (see the module header).
pub fn write_output(
    path: &Path,
    format: OutputFormat,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    synthetic: Option<&Text>,
) -> Result<PathBuf, String> {
    let bytes = encode(format, schema, batches, synthetic)?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| format!("{} is not a file path", path.display()))?;
    write_atomic(dir, &[OutFile { rel: PathBuf::from(name), bytes }]).map_err(|e| e.to_string())?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};

    use super::*;

    fn result() -> (SchemaRef, Vec<RecordBatch>) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("city", DataType::Utf8, false),
            Field::new("n", DataType::Int64, false),
        ]));
        let cols: Vec<ArrayRef> =
            vec![Arc::new(StringArray::from(vec!["SZ", "HK"])), Arc::new(Int64Array::from(vec![3, 4]))];
        let b = RecordBatch::try_new(schema.clone(), cols).unwrap();
        (schema, vec![b])
    }

    #[test]
    fn synthetic_results_are_marked_in_every_format() {
        let (schema, batches) = result();
        let note = Text::new("SYNTHETIC demo data", "合成演示数据");
        let csv = String::from_utf8(encode(OutputFormat::Csv, &schema, &batches, Some(&note)).unwrap()).unwrap();
        assert_eq!(csv, "# SYNTHETIC demo data\n# 合成演示数据\ncity,n\nSZ,3\nHK,4\n");
        let json = String::from_utf8(encode(OutputFormat::Json, &schema, &batches, Some(&note)).unwrap()).unwrap();
        assert_eq!(
            json,
            "{\"city\":\"SZ\",\"n\":3,\"_synthetic\":true}\n{\"city\":\"HK\",\"n\":4,\"_synthetic\":true}\n"
        );
        for line in json.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["_synthetic"], serde_json::Value::Bool(true));
        }
        let pq = encode(OutputFormat::Parquet, &schema, &batches, Some(&note)).unwrap();
        let mut f = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut f, &pq).unwrap();
        let reader = SerializedFileReader::new(f).unwrap();
        let kv = reader.metadata().file_metadata().key_value_metadata().cloned().unwrap_or_default();
        let mark = kv.iter().find(|k| k.key == SYNTHETIC_KEY).and_then(|k| k.value.clone()).unwrap_or_default();
        assert!(mark.contains("SYNTHETIC demo data") && mark.contains("合成演示数据"), "{kv:?}");

        // Without a note, the data alone.
        let csv = String::from_utf8(encode_output(OutputFormat::Csv, &schema, &batches).unwrap()).unwrap();
        assert_eq!(csv, "city,n\nSZ,3\nHK,4\n");
        let json = String::from_utf8(encode_output(OutputFormat::Json, &schema, &batches).unwrap()).unwrap();
        assert!(!json.contains("_synthetic"));
    }
}
