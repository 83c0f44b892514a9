//! Access control by rewriting the DataFusion logical plan.
//!
//! The query is planned against *restricted* tables ([`Restricted`]): providers whose schema has
//! only the columns the principal may see and which cannot be scanned. After planning, every
//! `TableScan` of the plan — including those inside subqueries, CTEs, joins, unions and window
//! functions — is replaced by `Projection(masks) ← Filter(row filter) ← TableScan(real source)`.
//! Any other scan (a table function such as `generate_series`, a recursive CTE's work table, a
//! table from outside the catalog) and any plan node that is not a read (DDL, DML, `COPY`,
//! `EXPLAIN`, `SET`…) refuses the whole query. If a restricted table ever reached execution
//! unrewritten, its `scan` fails: the design fails closed.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::Session;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DataFusionError, ScalarValue, TableReference};
use datafusion::datasource::{TableProvider, provider_as_source, source_as_provider};
use datafusion::execution::SessionState;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, TableType, cast, lit};
use datafusion::physical_plan::ExecutionPlan;

use crate::access::{Mask, TableAccess};

/// A table as one principal sees it: planning only; rewritten before execution.
#[derive(Debug)]
pub(crate) struct Restricted {
    /// `domain.table`.
    pub name: String,
    /// The real source.
    pub real: Arc<dyn TableProvider>,
    /// What the principal may see.
    pub access: TableAccess,
    /// The visible schema (hashed columns are text).
    pub visible: SchemaRef,
}

impl Restricted {
    pub(crate) fn new(name: String, real: Arc<dyn TableProvider>, access: TableAccess) -> Self {
        let schema = real.schema();
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .filter(|f| access.column_visible(f.name()))
            .map(|f| match access.mask(f.name()) {
                Some(Mask::Hash) => Field::new(f.name(), DataType::Utf8, true),
                Some(_) => Field::new(f.name(), f.data_type().clone(), true),
                None => f.as_ref().clone(),
            })
            .collect();
        Restricted { name, real, access, visible: Arc::new(Schema::new(fields)) }
    }
}

#[async_trait]
impl TableProvider for Restricted {
    fn schema(&self) -> SchemaRef {
        self.visible.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        _projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        Err(DataFusionError::Plan(format!("access guard: {} was not rewritten; refusing to read it", self.name)))
    }
}

/// Why a plan was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A plan node that is not a read.
    NotARead(String),
    /// A scan of something that is not a granted catalog table.
    ForeignScan(String),
    /// The row filter or a mask of the policy could not be applied.
    Policy(String),
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// SQL of a masked column (over the real scan's schema).
fn mask_sql(mask: Mask, column: &str) -> Option<String> {
    let c = quote(column);
    Some(match mask {
        Mask::Null => return None,
        Mask::Hash => format!("encode(sha256(CAST({c} AS VARCHAR)), 'hex')"),
        Mask::Step(s) => format!("floor(CAST({c} AS DOUBLE) / {s:?}) * {s:?}"),
        Mask::Date(u) => format!("date_trunc('{}', {c})", u.as_str()),
        Mask::Prefix(n) => format!("left(CAST({c} AS VARCHAR), {n})"),
    })
}

fn has_subquery(e: &Expr) -> bool {
    e.exists(|x| Ok(matches!(x, Expr::ScalarSubquery(_) | Expr::InSubquery(_) | Expr::Exists(_)))).unwrap_or(true)
}

/// The replacement of one restricted scan.
fn replacement(state: &SessionState, name: &TableReference, r: &Restricted) -> Result<LogicalPlan, Refusal> {
    let pe = |e: DataFusionError| Refusal::Policy(format!("{}: {e}", r.access.origin));
    let scan = LogicalPlanBuilder::scan(name.clone(), provider_as_source(r.real.clone()), None).map_err(pe)?;
    let scan = scan.build().map_err(pe)?;
    let schema = scan.schema().clone();
    let mut b = LogicalPlanBuilder::from(scan);
    if let Some(f) = &r.access.row_filter {
        let e = state.create_logical_expr(f, &schema).map_err(pe)?;
        if has_subquery(&e) {
            return Err(Refusal::Policy(format!("{}: row filters may not contain subqueries", r.access.origin)));
        }
        b = b.filter(e).map_err(pe)?;
    }
    let mut exprs = Vec::new();
    for f in r.visible.fields() {
        let base = Expr::Column(Column::new(Some(name.clone()), f.name()));
        let e = match r.access.mask(f.name()) {
            None => base,
            Some(Mask::Null) => lit(ScalarValue::try_from(f.data_type()).map_err(pe)?),
            Some(m) => {
                let sql = mask_sql(m, f.name()).unwrap_or_default();
                cast(state.create_logical_expr(&sql, &schema).map_err(pe)?, f.data_type().clone())
            }
        };
        exprs.push(e.alias_qualified(Some(name.clone()), f.name()));
    }
    b.project(exprs).map_err(pe)?.build().map_err(pe)
}

fn node_kind(plan: &LogicalPlan) -> Option<&'static str> {
    Some(match plan {
        LogicalPlan::Dml(_) => "INSERT/UPDATE/DELETE",
        LogicalPlan::Ddl(_) => "DDL (CREATE/DROP)",
        LogicalPlan::Copy(_) => "COPY",
        LogicalPlan::Statement(_) => "SET/transaction statement",
        LogicalPlan::Explain(_) | LogicalPlan::Analyze(_) => "EXPLAIN",
        LogicalPlan::DescribeTable(_) => "DESCRIBE",
        LogicalPlan::Extension(_) => "extension node",
        LogicalPlan::RecursiveQuery(_) => "recursive CTE",
        _ => return None,
    })
}

/// Rewrites every scan of a read-only plan; returns the plan and the tables it reads.
pub(crate) fn rewrite(state: &SessionState, plan: LogicalPlan) -> Result<(LogicalPlan, Vec<String>), Refusal> {
    // 1. Only reads, anywhere in the plan (subqueries included).
    let mut bad: Option<Refusal> = None;
    let _ = plan.apply_with_subqueries(|n| {
        if let Some(k) = node_kind(n) {
            bad = Some(Refusal::NotARead(k.to_string()));
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    });
    if let Some(b) = bad {
        return Err(b);
    }
    // 2. Replace each scan; refuse any scan that is not a restricted catalog table.
    let mut tables: Vec<String> = Vec::new();
    let mut refusal: Option<Refusal> = None;
    let rewritten = plan
        .transform_up_with_subqueries(|node| {
            if let LogicalPlan::TableScan(scan) = &node {
                let provider = source_as_provider(&scan.source)?;
                let Some(r) = provider.downcast_ref::<Restricted>() else {
                    refusal = Some(Refusal::ForeignScan(scan.table_name.to_string()));
                    return Err(DataFusionError::Plan("refused".into()));
                };
                if !tables.contains(&r.name) {
                    tables.push(r.name.clone());
                }
                return match replacement(state, &scan.table_name, r) {
                    Ok(p) => Ok(Transformed::yes(p)),
                    Err(e) => {
                        refusal = Some(e);
                        Err(DataFusionError::Plan("refused".into()))
                    }
                };
            }
            Ok(Transformed::yes(node.recompute_schema()?))
        })
        .map_err(|e| refusal.clone().unwrap_or_else(|| Refusal::Policy(e.to_string())))?
        .data;
    // 3. Check: nothing restricted or foreign is left.
    let mut leftover: Option<String> = None;
    let _ = rewritten.apply_with_subqueries(|n| {
        if let LogicalPlan::TableScan(scan) = n {
            let ok = source_as_provider(&scan.source).is_ok_and(|p| !p.is::<Restricted>());
            if !ok {
                leftover = Some(scan.table_name.to_string());
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    if let Some(t) = leftover {
        return Err(Refusal::ForeignScan(t));
    }
    tables.sort();
    Ok((rewritten, tables))
}
