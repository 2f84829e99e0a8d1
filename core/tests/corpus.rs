//! The conformance corpus (`tests/corpus/`): every case's verdict and rule
//! outcomes, and its full decision JSON byte for byte. The same files drive
//! the CLI tests, and are meant to drive every binding.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;

use release_policy::plan::Catalog;
use release_policy::{Bundle, Facts, Outcome, RolloutFacts};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    name: String,
    /// `check` (default) or `assess`.
    #[serde(default)]
    command: Option<String>,
    policies: String,
    /// A catalog directory (relative to the repository root) to check or
    /// assess with, as `--catalog` does.
    #[serde(default)]
    catalog: Option<String>,
    facts: serde_json::Value,
    expect: Expect,
}

#[derive(Deserialize)]
struct Expect {
    verdict: String,
    rules: BTreeMap<String, Outcome>,
}

#[test]
fn corpus_cases_decide_as_recorded() {
    let dir = common::root().join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 6, "corpus has {} cases", files.len());
    let update = std::env::var_os("UPDATE_CORPUS").is_some();
    for file in files {
        let case: Case = yaml_serde::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let bundle = if case.policies == "builtin" {
            Bundle::builtin()
        } else {
            Bundle::from_yaml_str(&case.name, &case.policies).unwrap()
        };
        // The verdict, each expected rule's outcome, and the JSON.
        let (verdict, outcomes, json) = match case.command.as_deref().unwrap_or("check") {
            "check" => {
                let facts = Facts::from_json_value(case.facts, bundle.limits()).unwrap();
                let (d, alone) = match &case.catalog {
                    Some(c) => {
                        let catalog =
                            Catalog::from_dir(common::root().join(c), bundle.limits()).unwrap();
                        (
                            bundle.check_with_catalog(&facts, &catalog).unwrap(),
                            bundle.verdict_with_catalog(&facts, &catalog).unwrap(),
                        )
                    }
                    None => (
                        bundle.check(&facts).unwrap(),
                        bundle.verdict(&facts).unwrap(),
                    ),
                };
                // The verdict alone is the decision's verdict.
                assert_eq!(
                    alone,
                    d.verdict(),
                    "{}: `verdict` is not `check`'s",
                    case.name
                );
                let outcomes: Vec<Option<Outcome>> = case
                    .expect
                    .rules
                    .keys()
                    .map(|r| d.finding(r).map(|f| f.outcome()))
                    .collect();
                (d.verdict().as_str(), outcomes, d.to_json_pretty())
            }
            "assess" => {
                let facts = RolloutFacts::from_json_value(case.facts, bundle.limits()).unwrap();
                let a = match &case.catalog {
                    Some(c) => {
                        let catalog =
                            Catalog::from_dir(common::root().join(c), bundle.limits()).unwrap();
                        bundle.assess_with_catalog(&facts, &catalog).unwrap()
                    }
                    None => bundle.assess(&facts).unwrap(),
                };
                let outcomes: Vec<Option<Outcome>> = case
                    .expect
                    .rules
                    .keys()
                    .map(|r| a.finding(r).map(|f| f.outcome()))
                    .collect();
                (a.verdict().as_str(), outcomes, a.to_json_pretty())
            }
            other => panic!("{}: unknown command `{other}`", case.name),
        };
        assert_eq!(verdict, case.expect.verdict, "{}", case.name);
        for ((rule, want), got) in case.expect.rules.iter().zip(outcomes) {
            assert_eq!(got, Some(*want), "{}: {rule}", case.name);
        }
        let golden = file.with_extension("decision.json");
        let json = json + "\n";
        common::golden(&case.name, "decision", &golden, &json, update);
    }
}
