//! The `plan` conformance corpus (`tests/corpus/plan/`): each case names a
//! catalog and a release plan of the repository; its plan JSON must be
//! byte for byte the recorded `NAME.plan.json`, which every binding (CLI,
//! Python, C) prints too. `UPDATE_CORPUS=1` rewrites the recordings
//! (review the diff).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use release_policy::plan::{Catalog, ReleasePlan};
use release_policy::{Bundle, Limits};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    name: String,
    catalog: String,
    plan: String,
    expect: Expect,
}

#[derive(Deserialize)]
struct Expect {
    verdict: String,
}

#[test]
fn plan_corpus_cases_plan_as_recorded() {
    let root = common::root();
    let dir = root.join("tests/corpus/plan");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    for f in files {
        let case: Case = yaml_serde::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let limits = Limits::default();
        let catalog = Catalog::from_dir(root.join(&case.catalog), &limits).unwrap();
        let intended = ReleasePlan::from_file(root.join(&case.plan), &limits).unwrap();
        let plan = Bundle::builtin().plan(&catalog, &intended).unwrap();
        assert_eq!(plan.verdict.as_str(), case.expect.verdict, "{}", case.name);
        let json = plan.to_json() + "\n";
        let recorded = dir.join(format!("{}.plan.json", case.name));
        if std::env::var_os("UPDATE_CORPUS").is_some() {
            std::fs::write(&recorded, &json).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&recorded).unwrap_or_default(),
            json,
            "{}: the plan differs from {}",
            case.name,
            recorded.display()
        );
    }
}
