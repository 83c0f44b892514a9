//! The access-policy example of `docs/catalog.md` parses and means what the page says.

use baydex_data::access::{AccessPolicy, Mask, hash_token};

mod markdown;
use markdown::toml_blocks;

fn policy() -> AccessPolicy {
    let md = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/catalog.md")).unwrap();
    let block = toml_blocks(&md).into_iter().find(|b| b.contains("[[principal]]")).expect("a policy example");
    AccessPolicy::parse("docs/catalog.md", &block).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn documented_policy_example() {
    let p = policy();
    let sz = p.principal("sz_office").unwrap();
    // Domain grant with the attribute substituted as a literal.
    let trips = p.access(sz, "transport", "trips").unwrap();
    assert_eq!(trips.row_filter.as_deref(), Some("(origin = 'SZ' OR dest = 'SZ')"));
    assert!(trips.columns.is_none());
    // The table grant beats nothing else here, and carries columns and masks.
    let pay = p.access(sz, "finance", "payments").unwrap();
    assert!(pay.column_visible("amount") && !pay.column_visible("holder_name"));
    assert_eq!(pay.mask("card_id"), Some(Mask::Hash));
    assert_eq!(pay.mask("amount"), Some(Mask::Step(100.0)));
    // Deny by default.
    assert!(p.access(sz, "finance", "loans").is_none());
    assert!(p.access(sz, "environment", "air_quality").is_none());
    // The service token: SHA-256("test") is the documented hash (sha256sum of the 4 bytes "test").
    assert_eq!(hash_token("test"), "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    let bot = p.authenticate("test").unwrap();
    assert_eq!(bot.name, "indicator_bot");
    assert_eq!(p.access(&bot, "environment", "air_quality").unwrap().mask("card_id"), Some(Mask::Null));
    assert!(p.authenticate("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08").is_none());
}

#[test]
fn unreadable_policy_names_the_file() {
    let e = AccessPolicy::load(std::path::Path::new("/nonexistent/policy.toml")).unwrap_err();
    let en = e.render(baydex_core::Lang::En);
    let zh = e.render(baydex_core::Lang::Zh);
    assert!(en.contains("/nonexistent/policy.toml") && en.contains("cannot read the access policy"), "{en}");
    assert!(zh.contains("无法读取访问策略文件"), "{zh}");
}

#[test]
fn example_platform_policy() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/platform/policy.toml");
    let p = AccessPolicy::load(&path).unwrap_or_else(|d| panic!("{d}"));
    // The synthetic demo token of examples/platform/README.md authenticates the service.
    assert_eq!(p.authenticate("demo-synthetic-token-indicator-bot").map(|x| x.name), Some("indicator_bot".into()));
    let sz = p.principal("sz_office").unwrap();
    let pay = p.access(sz, "finance", "payments").unwrap();
    assert_eq!(pay.row_filter.as_deref(), Some("(city = 'SZ')"));
    assert!(!pay.column_visible("holder_name"));
    let bot = p.authenticate("demo-synthetic-token-indicator-bot").unwrap();
    assert!(p.access(&bot, "services", "requests").is_none());
}
