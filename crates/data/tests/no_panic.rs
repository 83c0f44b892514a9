//! Whatever the user writes, loading reports errors and never panics.

mod common;

use baydex_core::StepSpec;
use baydex_data::{EmbeddedSource, apply_set, load_project};
use common::{DATA, PROJECT};
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "[[",
    "]]",
    "[",
    "]",
    "=",
    "\"",
    "\n",
    ",",
    "{",
    "}",
    "#",
    "名",
    "\u{feff}",
    "NA",
    "-1",
    "1e400",
    "nan",
    "weight = -1\n",
    "[tiers]\n",
    "[[tiers.band]]\n",
    "parent = \"DEI\"\n",
    "code = \"\"\n",
    "[[node]]\ncode = \"COM\"\n",
    "periods = []\n",
    "goalposts = [1]\n",
    "step = \"x\"\n",
    "lon = 999\n",
    "SZ,2023,PAY,5\n",
    "XX,,,\n",
    "\"a\"\"b\"",
    "unit,period\n",
    "\r\n",
];

/// Loads a project from memory (leaked to satisfy the embedded source's `'static` files).
fn load(project: Vec<u8>, data: Vec<u8>) {
    let files: &'static [(&'static str, &'static [u8])] = Box::leak(
        vec![("p.toml", &*Box::leak(project.into_boxed_slice())), ("data.csv", &*Box::leak(data.into_boxed_slice()))]
            .into_boxed_slice(),
    );
    let src = EmbeddedSource { name: "fuzz", files };
    match load_project(&src, "p.toml") {
        Ok(l) => {
            let p = &l.project;
            assert_eq!(p.data.data.len(), p.data.periods.len());
            for m in &p.data.data {
                assert_eq!((m.nrows(), m.ncols()), (p.data.units.len(), p.data.columns.len()));
            }
        }
        Err(d) => {
            assert!(d.error_count() > 0);
            let _ = d.render(baydex_core::Lang::Zh);
        }
    }
}

/// Applies edits (position as a fraction of the length, characters to delete, token to insert).
fn mutate(base: &str, edits: &[(f64, usize, usize)]) -> Vec<u8> {
    let mut s: Vec<char> = base.chars().collect();
    for &(at, del, tok) in edits {
        let i = ((s.len() as f64) * at) as usize;
        let i = i.min(s.len());
        let end = (i + del).min(s.len());
        s.drain(i..end);
        let t: Vec<char> = TOKENS[tok % TOKENS.len()].chars().collect();
        s.splice(i..i, t);
    }
    s.into_iter().collect::<String>().into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn mutated_projects_never_panic(edits in prop::collection::vec((0.0..1.0f64, 0usize..20, 0usize..100), 0..6)) {
        load(mutate(PROJECT, &edits), DATA.as_bytes().to_vec());
    }

    #[test]
    fn mutated_data_never_panics(edits in prop::collection::vec((0.0..1.0f64, 0usize..10, 0usize..100), 0..8)) {
        load(PROJECT.as_bytes().to_vec(), mutate(DATA, &edits));
    }

    #[test]
    fn arbitrary_bytes_never_panic(project in prop::collection::vec(any::<u8>(), 0..200), data in prop::collection::vec(any::<u8>(), 0..200)) {
        load(project, data);
    }

    #[test]
    fn any_set_assignment_never_panics(s in "[a-z#0-9.=\\[\\], \"{}]{0,30}") {
        let mut p = vec![StepSpec::new("normalise"), StepSpec::new("aggregate"), StepSpec::new("normalise")];
        let _ = apply_set(&mut p, &s);
    }
}
