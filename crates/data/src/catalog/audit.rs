//! The audit log of queries: an embedded SQLite database, one row per query (allowed, refused
//! or failed). Tokens are never written: only the principal's name.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};

/// One audited query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Who: a principal's name, or `owner` when the catalog has no policy.
    pub principal: String,
    /// The SQL text as submitted.
    pub sql: String,
    /// `domain.table` names read (empty when refused before planning).
    pub tables: Vec<String>,
    /// Rows returned.
    pub rows: u64,
    /// `allowed`, `refused` or `failed`.
    pub outcome: String,
    /// Why it was refused or failed (empty when allowed).
    pub reason: String,
}

impl AuditEntry {
    /// An entry stamped with the current time (UTC), for callers that decide about a query before
    /// it reaches [`super::Catalog::query`] (the server refusing an anonymous caller, say) or that
    /// audit other reads of restricted data into the same store. `outcome` is `allowed`,
    /// `refused` or `failed`.
    pub fn now(
        principal: impl Into<String>,
        sql: impl Into<String>,
        tables: Vec<String>,
        rows: u64,
        outcome: &str,
        reason: impl Into<String>,
    ) -> AuditEntry {
        AuditEntry {
            at: now_utc(),
            principal: principal.into(),
            sql: sql.into(),
            tables,
            rows,
            outcome: outcome.to_string(),
            reason: reason.into(),
        }
    }
}

/// The audit database.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl AuditLog {
    /// Opens (creating if needed) the audit database at `path`.
    pub fn open(path: &Path) -> rusqlite::Result<AuditLog> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS query_log (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 at TEXT NOT NULL,
                 principal TEXT NOT NULL,
                 sql TEXT NOT NULL,
                 tables TEXT NOT NULL,
                 rows INTEGER NOT NULL,
                 outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused', 'failed')),
                 reason TEXT NOT NULL
             );",
        )?;
        Ok(AuditLog { path: path.to_path_buf(), conn: Mutex::new(conn) })
    }

    /// Where the database is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry.
    pub fn record(&self, e: &AuditEntry) -> rusqlite::Result<()> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute(
            "INSERT INTO query_log (at, principal, sql, tables, rows, outcome, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![e.at, e.principal, e.sql, e.tables.join(","), e.rows as i64, e.outcome, e.reason],
        )?;
        Ok(())
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> rusqlite::Result<Vec<AuditEntry>> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let mut st =
            conn.prepare("SELECT at, principal, sql, tables, rows, outcome, reason FROM query_log ORDER BY id")?;
        let rows = st.query_map([], |r| {
            let tables: String = r.get(3)?;
            Ok(AuditEntry {
                at: r.get(0)?,
                principal: r.get(1)?,
                sql: r.get(2)?,
                tables: tables.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                rows: r.get::<_, i64>(4)? as u64,
                outcome: r.get(5)?,
                reason: r.get(6)?,
            })
        })?;
        rows.collect()
    }
}

/// The current time, UTC, RFC 3339 with seconds (`2026-11-26T13:31:00Z`).
pub(crate) fn now_utc() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible low-level date algorithms").
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}
