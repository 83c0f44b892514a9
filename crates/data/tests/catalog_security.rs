//! The security matrix of the catalog: queries × principals, each with its expected rows or a
//! refusal, over real files and a real PostgreSQL (see `catalog_common`). The expected rows are
//! worked out by hand from the fixture rows in `catalog_common/mod.rs` and the policy there.
//! Besides each expectation, every allowed result is scanned for values the principal must never
//! see (holder names, raw card numbers, secret notes, other cities' rows).
#![cfg(feature = "catalog")]

mod catalog_common;
use catalog_common::*;

use baydex_data::access::hash_token;
use baydex_data::catalog::{QueryError, Who};

#[derive(Debug)]
enum Expect {
    /// Exactly these rows, in this order (queries have ORDER BY or one row).
    Rows(&'static [&'static str]),
    /// These rows in any order.
    Set(&'static [&'static str]),
    /// These column names.
    Header(&'static [&'static str]),
    /// Rows computed at run time (hashes).
    Dynamic(fn() -> Vec<String>),
    /// Refused by the access guard.
    Refused,
    /// Not returned: refused or failed (e.g. a column that does not exist for the principal).
    Error,
}
use Expect::*;

fn sz_cards() -> Vec<String> {
    let mut v = vec![hash_token("C1"), hash_token("C2")];
    v.sort();
    v
}

const MATRIX: &[(&str, &str, Expect)] = &[
    // --- sz: own city's rows, masked card and amount, no holder ---
    (
        "sz",
        "SELECT city, channel, amount FROM finance.payments ORDER BY month, channel, amount",
        Rows(&["SZ|offline|0.0", "SZ|online|100.0", "SZ|online|200.0"]),
    ),
    ("sz", "SELECT count(*) FROM finance.payments", Rows(&["3"])),
    ("sz", "SELECT * FROM finance.payments LIMIT 1", Header(&["month", "city", "channel", "card_id", "amount"])),
    ("sz", "SELECT holder FROM finance.payments", Error),
    ("sz", "SELECT count(*) FROM finance.payments WHERE card_id = 'C1'", Rows(&["0"])),
    ("sz", "SELECT DISTINCT card_id FROM finance.payments ORDER BY card_id", Dynamic(sz_cards)),
    ("sz", "SELECT sum(amount) FROM finance.payments", Rows(&["300.0"])),
    ("sz", "SELECT city FROM finance.payments WHERE city = 'HK'", Rows(&[])),
    ("sz", "SELECT count(*) FROM finance.payments WHERE city = 'HK' OR 1 = 1", Rows(&["3"])),
    (
        "sz",
        "SELECT origin, dest, trips FROM transport.trips ORDER BY trips",
        Rows(&["HK|SZ|7", "SZ|HK|9", "SZ|GZ|10", "GZ|SZ|12"]),
    ),
    ("sz", "WITH t AS (SELECT * FROM transport.trips) SELECT count(*) FROM t", Rows(&["4"])),
    (
        "sz",
        "SELECT count(*) FROM environment.air_quality WHERE city IN (SELECT origin FROM transport.trips)",
        Rows(&["1"]),
    ),
    ("sz", "SELECT (SELECT count(*) FROM finance.payments) AS n", Rows(&["3"])),
    ("sz", "SELECT city FROM finance.payments UNION SELECT city FROM environment.air_quality", Set(&["SZ"])),
    (
        "sz",
        "SELECT p.city, a.pm25 FROM finance.payments p JOIN environment.air_quality a ON p.city = a.city",
        Set(&["SZ|20", "SZ|20", "SZ|20"]),
    ),
    ("sz", "SELECT city, count(*) OVER () FROM finance.payments", Set(&["SZ|3", "SZ|3", "SZ|3"])),
    (
        "sz",
        "SELECT count(*) FROM transport.trips t WHERE EXISTS (SELECT 1 FROM environment.air_quality a WHERE a.city = t.origin)",
        Rows(&["2"]),
    ),
    ("sz", "SELECT count(*) FROM transport.trips a CROSS JOIN transport.trips b", Rows(&["16"])),
    ("sz", "SELECT DISTINCT month FROM transport.trips ORDER BY month", Rows(&["01", "02"])),
    ("sz", "SELECT id, category FROM services.requests ORDER BY id", Rows(&["1|permit", "3|tax"])),
    ("sz", "SELECT id FROM services.requests WHERE city = 'HK'", Rows(&[])),
    ("sz", "SELECT id FROM services.requests WHERE id = 2", Rows(&[])),
    ("sz", "SELECT * FROM (SELECT * FROM (SELECT city FROM finance.payments) x) y", Set(&["SZ", "SZ", "SZ"])),
    ("sz", "SELECT max(pm25) FROM environment.air_quality", Rows(&["20"])),
    // --- sz: escape attempts ---
    ("sz", "SELECT * FROM security.cases", Refused),
    ("sz", "SELECT count(*) FROM finance.payments p JOIN security.cases c ON p.city = c.city", Refused),
    ("sz", "SELECT * FROM finance.payments WHERE city IN (SELECT city FROM security.cases)", Refused),
    ("sz", "WITH x AS (SELECT * FROM security.cases) SELECT 1", Refused),
    ("sz", "SELECT city FROM finance.payments UNION ALL SELECT city FROM security.cases", Refused),
    ("sz", "SELECT (SELECT max(note) FROM security.cases)", Refused),
    ("sz", "SELECT row_number() OVER (PARTITION BY c.city) FROM security.cases c", Refused),
    ("sz", "SELECT * FROM information_schema.tables", Refused),
    ("sz", "SELECT * FROM information_schema.columns", Refused),
    ("sz", "EXPLAIN SELECT * FROM finance.payments", Refused),
    ("sz", "EXPLAIN ANALYZE SELECT * FROM security.cases", Refused),
    ("sz", "CREATE EXTERNAL TABLE x STORED AS CSV LOCATION '/etc/passwd'", Refused),
    ("sz", "COPY finance.payments TO '/tmp/baydex-escape.csv'", Refused),
    ("sz", "COPY (SELECT * FROM security.cases) TO '/tmp/baydex-escape.csv'", Refused),
    ("sz", "SET datafusion.execution.batch_size = 1", Refused),
    ("sz", "RESET datafusion.execution.batch_size", Refused),
    ("sz", "DROP TABLE finance.payments", Refused),
    ("sz", "INSERT INTO finance.payments VALUES ('2024-03', 'SZ', 'online', 'C9', 1)", Refused),
    ("sz", "DELETE FROM finance.payments", Refused),
    ("sz", "CREATE TABLE t AS SELECT * FROM finance.payments", Refused),
    ("sz", "CREATE VIEW v AS SELECT * FROM security.cases", Refused),
    ("sz", "DESCRIBE security.cases", Refused),
    ("sz", "SHOW TABLES", Refused),
    ("sz", "SELECT * FROM generate_series(1, 3)", Refused),
    ("sz", "SELECT * FROM range(3)", Refused),
    ("sz", "SELECT * FROM 'data/cases.csv'", Error),
    ("sz", "SELECT * FROM cases", Refused),
    ("sz", "SELECT * FROM datafusion.security.cases", Refused),
    ("sz", "SELECT * FROM finance.loans", Refused),
    ("sz", "SELECT 1; SELECT * FROM security.cases", Refused),
    ("sz", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r", Error),
    ("sz", "SELECT * FROM parquet_metadata('data/trips/year=2024/month=01/part.parquet')", Error),
    // --- hk: the same role, another city ---
    (
        "hk",
        "SELECT city, channel, amount FROM finance.payments ORDER BY month",
        Rows(&["HK|online|300.0", "HK|offline|0.0"]),
    ),
    ("hk", "SELECT id FROM services.requests", Rows(&["2"])),
    ("hk", "SELECT origin, dest FROM transport.trips ORDER BY trips", Rows(&["HK|SZ", "SZ|HK"])),
    ("hk", "SELECT * FROM security.cases", Refused),
    // --- analyst: every city, no card, no holder, no transport ---
    (
        "analyst",
        "SELECT city, sum(amount) FROM finance.payments GROUP BY city ORDER BY city",
        Rows(&["GZ|199.0", "HK|375.0", "SZ|450.5"]),
    ),
    ("analyst", "SELECT card_id FROM finance.payments", Error),
    ("analyst", "SELECT * FROM finance.payments LIMIT 1", Header(&["month", "city", "channel", "amount"])),
    ("analyst", "SELECT count(*) FROM transport.trips", Refused),
    ("analyst", "SELECT count(*) FROM services.requests", Refused),
    ("analyst", "SELECT count(*) FROM environment.air_quality", Rows(&["3"])),
    // --- nobody: deny by default ---
    ("nobody", "SELECT count(*) FROM finance.payments", Refused),
    ("nobody", "SELECT count(*) FROM environment.air_quality", Refused),
    ("nobody", "SELECT 1 AS one", Rows(&["1"])),
    // --- admin: everything ---
    ("admin", "SELECT count(*) FROM security.cases", Rows(&["2"])),
    ("admin", "SELECT holder FROM finance.payments WHERE card_id = 'C1' ORDER BY amount", Rows(&["Alice", "Alice"])),
    ("admin", "SELECT count(*) FROM services.requests", Rows(&["4"])),
    ("admin", "SELECT count(*) FROM transport.trips", Rows(&["6"])),
    ("admin", "COPY finance.payments TO '/tmp/baydex-escape.csv'", Refused),
];

/// Strings a principal must never see in any cell.
fn forbidden(principal: &str) -> &'static [&'static str] {
    match principal {
        "sz" => &[
            "Alice",
            "Bob",
            "Carol",
            "Dan",
            "Eve",
            "C1",
            "C2",
            "C3",
            "C4",
            "C5",
            "secret-note",
            "120.5",
            "250",
            "FS|GZ",
        ],
        "hk" => &["Alice", "Bob", "Carol", "Dan", "Eve", "C3", "C4", "secret-note", "GZ"],
        "analyst" => &["Alice", "Bob", "Carol", "Dan", "Eve", "C1", "C2", "C3", "C4", "C5", "secret-note"],
        "nobody" => &["SZ", "HK", "GZ"],
        _ => &[],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_matrix() {
    assert!(MATRIX.len() >= 40, "the matrix has {} queries", MATRIX.len());
    let dir = tempfile::tempdir().unwrap();
    let pg = pg_fixture("security").await;
    let cat = open(&write_fixture(dir.path(), &pg)).await;
    assert!(cat.broken.is_empty(), "{:?}", cat.broken);
    let policy = cat.policy.clone().unwrap();
    let mut failures = Vec::new();
    for (who, sql, expect) in MATRIX {
        let p = policy.principal(who).unwrap();
        let r = cat.query(Who::Principal(p), sql, None).await;
        let ok = match (&r, expect) {
            (Ok(o), Rows(want)) => rows(o) == want.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            (Ok(o), Set(want)) => {
                let mut got = rows(o);
                got.sort();
                let mut w: Vec<String> = want.iter().map(|s| s.to_string()).collect();
                w.sort();
                got == w
            }
            (Ok(o), Header(want)) => header(o) == want.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            (Ok(o), Dynamic(f)) => rows(o) == f(),
            (Err(QueryError::Refused(_)), Refused) => true,
            (Err(_), Error) => true,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{who}: {sql}\n   expected {expect:?}\n   got {:?}",
                r.as_ref().map(rows).map_err(|e| e.to_string())
            ));
        }
        if let Ok(o) = &r {
            for row in rows(o) {
                for bad in forbidden(who) {
                    if row.contains(bad) {
                        failures.push(format!("{who}: {sql}\n   LEAK: row {row:?} contains {bad:?}"));
                    }
                }
            }
        }
    }
    // Nothing was written by COPY.
    assert!(!std::path::Path::new("/tmp/baydex-escape.csv").exists());
    pg_drop(&pg).await;
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), MATRIX.len(), failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_owner_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let pg = pg_fixture("audit").await;
    let cat = open(&write_fixture(dir.path(), &pg)).await;
    let policy = cat.policy.clone().unwrap();
    // The service token authenticates `bot` (analysis role).
    let bot = policy.authenticate(BOT_TOKEN).expect("the bot's token");
    assert_eq!(bot.name, "bot");
    let o = cat.query(Who::Principal(&bot), "SELECT count(*) FROM finance.payments", None).await.unwrap();
    assert_eq!(rows(&o), ["6"]);
    assert!(policy.authenticate("wrong-token").is_none());
    // Without a principal, a catalog with a policy refuses.
    assert!(matches!(cat.query(Who::Owner, "SELECT 1", None).await, Err(QueryError::Refused(_))));
    // Row limit: interactive output is cut and says so.
    let sz = policy.principal("sz").unwrap();
    let o = cat.query(Who::Principal(sz), "SELECT * FROM transport.trips", Some(2)).await.unwrap();
    assert_eq!((o.rows, o.truncated), (2, true));
    let refused = cat.query(Who::Principal(sz), "SELECT * FROM security.cases", None).await;
    assert!(matches!(refused, Err(QueryError::Refused(_))));

    let log = cat.audit_log().entries().unwrap();
    assert_eq!(log.len(), 4);
    assert_eq!((log[0].principal.as_str(), log[0].outcome.as_str(), log[0].rows), ("bot", "allowed", 1));
    assert_eq!(log[0].tables, ["finance.payments"]);
    assert_eq!((log[1].principal.as_str(), log[1].outcome.as_str()), ("owner", "refused"));
    assert_eq!((log[2].rows, log[2].tables.clone()), (2, vec!["transport.trips".to_string()]));
    assert_eq!(log[3].outcome, "refused");
    assert!(log[3].reason.contains("security.cases"), "{}", log[3].reason);
    assert!(log[3].at.ends_with('Z') && log[3].at.len() == 20, "{}", log[3].at);
    // The audit database never holds a token, in clear or hashed.
    let mut bytes = std::fs::read(dir.path().join("audit.sqlite")).unwrap();
    bytes.extend(std::fs::read(dir.path().join("audit.sqlite-wal")).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("SELECT count(*) FROM finance.payments"), "the audit holds the SQL text");
    assert!(!text.contains(BOT_TOKEN) && !text.contains(&hash_token(BOT_TOKEN)));
    pg_drop(&pg).await;
}
