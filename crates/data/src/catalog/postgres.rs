//! A PostgreSQL table as a DataFusion `TableProvider` (tokio-postgres).
//!
//! The schema is read from `information_schema.columns` when the catalog opens. A scan opens a
//! connection, starts a READ ONLY transaction and selects only the projected columns; simple
//! filters (`column <op> literal`, `IS [NOT] NULL`) and the limit are pushed down to the server
//! as parameters (never spliced into the SQL text). Pushed filters are marked inexact, so
//! DataFusion applies them again: pushdown saves transfer, it never decides correctness.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::Session;
use datafusion::common::{DataFusionError, ScalarValue};
use datafusion::datasource::TableProvider;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::ExecutionPlan;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls};

/// A PostgreSQL relation.
#[derive(Debug)]
pub struct PgTable {
    url: String,
    relation: String,
    schema: SchemaRef,
}

fn qi(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn qrel(rel: &str) -> String {
    rel.split('.').map(qi).collect::<Vec<_>>().join(".")
}

async fn connect(url: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, conn) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

fn arrow_type(pg: &str) -> DataType {
    match pg {
        "smallint" | "integer" | "bigint" => DataType::Int64,
        "real" | "double precision" | "numeric" => DataType::Float64,
        "boolean" => DataType::Boolean,
        "date" => DataType::Date32,
        "timestamp without time zone" | "timestamp with time zone" => DataType::Timestamp(TimeUnit::Microsecond, None),
        _ => DataType::Utf8,
    }
}

/// The select-list expression that yields the Arrow type directly.
fn select_expr(f: &Field) -> String {
    let c = qi(f.name());
    match f.data_type() {
        DataType::Int64 => format!("{c}::int8"),
        DataType::Float64 => format!("{c}::float8"),
        DataType::Boolean => c,
        DataType::Date32 => format!("({c} - DATE '1970-01-01')::int4"),
        DataType::Timestamp(..) => format!("(EXTRACT(EPOCH FROM {c}::timestamp) * 1000000)::int8"),
        _ => format!("{c}::text"),
    }
}

impl PgTable {
    /// Connects and reads the relation's columns. The error names the relation.
    pub async fn open(url: &str, relation: &str) -> Result<PgTable, String> {
        let client = connect(url).await.map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
        let (schema_name, table) = match relation.split_once('.') {
            Some((s, t)) => (s.to_string(), t.to_string()),
            None => ("public".to_string(), relation.to_string()),
        };
        let rows = client
            .query(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                &[&schema_name, &table],
            )
            .await
            .map_err(|e| format!("cannot read the columns of {relation}: {e}"))?;
        if rows.is_empty() {
            return Err(format!("PostgreSQL has no table {schema_name}.{table} (or it has no columns)"));
        }
        let fields: Vec<Field> = rows
            .iter()
            .map(|r| {
                let name: String = r.get(0);
                let ty: String = r.get(1);
                Field::new(name, arrow_type(&ty), true)
            })
            .collect();
        Ok(PgTable {
            url: url.to_string(),
            relation: format!("{schema_name}.{table}"),
            schema: Arc::new(Schema::new(fields)),
        })
    }

    /// A filter that can be sent to the server: `(sql, params)`.
    fn pushable(&self, e: &Expr, params: &mut Vec<Box<dyn ToSql + Sync + Send>>) -> Option<String> {
        match e {
            Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
                let opstr = match op {
                    Operator::Eq => "=",
                    Operator::NotEq => "<>",
                    Operator::Lt => "<",
                    Operator::LtEq => "<=",
                    Operator::Gt => ">",
                    Operator::GtEq => ">=",
                    Operator::And => {
                        let l = self.pushable(left, params)?;
                        let r = self.pushable(right, params)?;
                        return Some(format!("({l} AND {r})"));
                    }
                    _ => return None,
                };
                let (Expr::Column(c), Expr::Literal(v, _)) = (left.as_ref(), right.as_ref()) else { return None };
                let field = self.schema.field_with_name(&c.name).ok()?;
                let col = select_expr(field);
                let p: Box<dyn ToSql + Sync + Send> = match (field.data_type(), v) {
                    (DataType::Int64, ScalarValue::Int64(Some(x))) => Box::new(*x),
                    (DataType::Int64, ScalarValue::Int32(Some(x))) => Box::new(i64::from(*x)),
                    (DataType::Float64, ScalarValue::Float64(Some(x))) => Box::new(*x),
                    (DataType::Utf8, ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s))) => {
                        Box::new(s.clone())
                    }
                    (DataType::Boolean, ScalarValue::Boolean(Some(b))) => Box::new(*b),
                    _ => return None,
                };
                params.push(p);
                Some(format!("{col} {opstr} ${}", params.len()))
            }
            Expr::IsNull(inner) | Expr::IsNotNull(inner) => {
                let Expr::Column(c) = inner.as_ref() else { return None };
                self.schema.field_with_name(&c.name).ok()?;
                let not = if matches!(e, Expr::IsNotNull(_)) { " NOT" } else { "" };
                Some(format!("{} IS{not} NULL", qi(&c.name)))
            }
            _ => None,
        }
    }

    async fn fetch(
        &self,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<RecordBatch, String> {
        let idx: Vec<usize> = projection.cloned().unwrap_or_else(|| (0..self.schema.fields().len()).collect());
        let fields: Vec<Field> = idx.iter().map(|&i| self.schema.field(i).clone()).collect();
        let out_schema = Arc::new(Schema::new(fields.clone()));
        let select = if fields.is_empty() {
            "1".to_string()
        } else {
            fields.iter().map(select_expr).collect::<Vec<_>>().join(", ")
        };
        let mut params: Vec<Box<dyn ToSql + Sync + Send>> = Vec::new();
        let wheres: Vec<String> = filters.iter().filter_map(|f| self.pushable(f, &mut params)).collect();
        let mut sql = format!("SELECT {select} FROM {}", qrel(&self.relation));
        if !wheres.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&wheres.join(" AND "));
        }
        if let Some(n) = limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let mut client = connect(&self.url).await.map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
        let tx = client
            .build_transaction()
            .read_only(true)
            .start()
            .await
            .map_err(|e| format!("cannot start a read-only transaction: {e}"))?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect();
        let rows = tx.query(sql.as_str(), &refs).await.map_err(|e| format!("query failed: {e}"))?;
        let _ = tx.commit().await;
        let mut cols: Vec<ArrayRef> = Vec::new();
        for (j, f) in fields.iter().enumerate() {
            let a: ArrayRef = match f.data_type() {
                DataType::Int64 => {
                    let mut b = Int64Builder::new();
                    rows.iter().for_each(|r| b.append_option(r.get::<_, Option<i64>>(j)));
                    Arc::new(b.finish())
                }
                DataType::Float64 => {
                    let mut b = Float64Builder::new();
                    rows.iter().for_each(|r| b.append_option(r.get::<_, Option<f64>>(j)));
                    Arc::new(b.finish())
                }
                DataType::Boolean => {
                    let mut b = BooleanBuilder::new();
                    rows.iter().for_each(|r| b.append_option(r.get::<_, Option<bool>>(j)));
                    Arc::new(b.finish())
                }
                DataType::Date32 => {
                    let mut b = Date32Builder::new();
                    rows.iter().for_each(|r| b.append_option(r.get::<_, Option<i32>>(j)));
                    Arc::new(b.finish())
                }
                DataType::Timestamp(..) => {
                    let mut b = TimestampMicrosecondBuilder::new();
                    rows.iter().for_each(|r| b.append_option(r.get::<_, Option<i64>>(j)));
                    Arc::new(b.finish())
                }
                _ => {
                    let mut b = StringBuilder::new();
                    rows.iter().for_each(|r| b.append_option(r.get::<_, Option<String>>(j)));
                    Arc::new(b.finish())
                }
            };
            cols.push(a);
        }
        let opts = datafusion::arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(rows.len()));
        RecordBatch::try_new_with_options(out_schema, cols, &opts).map_err(|e| e.to_string())
    }
}

#[async_trait]
impl TableProvider for PgTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> datafusion::error::Result<Vec<TableProviderFilterPushDown>> {
        Ok(filters
            .iter()
            .map(|f| {
                let mut p = Vec::new();
                if self.pushable(f, &mut p).is_some() {
                    TableProviderFilterPushDown::Inexact
                } else {
                    TableProviderFilterPushDown::Unsupported
                }
            })
            .collect())
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        let batch = self
            .fetch(projection, filters, limit)
            .await
            .map_err(|e| DataFusionError::External(format!("PostgreSQL {}: {e}", self.relation).into()))?;
        let schema = batch.schema();
        Ok(MemorySourceConfig::try_new_exec(&[vec![batch]], schema, None)?)
    }
}
