//! The Rego translation (`rego/release.rego`) and release-policy must decide
//! the same — verdict, and which rules deny, stay pending or warn — or the
//! benchmark compares two different things.

use std::path::Path;

use release_policy::testing::{Command, PolicyTest};
use release_policy::{Bundle, Facts};
use release_policy_benches::{Outcomes, base_path, example_path, rego_engine, rego_eval};
use serde_json::Value as Json;

fn both(bundle: &Bundle, engine: &mut regorus::Engine, facts: &Facts) -> (Outcomes, Outcomes) {
    let decision = bundle.check(facts).expect("release-policy check");
    let input = regorus::Value::from(facts.to_json_value());
    let value = rego_eval(engine, input).expect("regorus eval");
    (
        Outcomes::from_decision(&decision),
        Outcomes::from_rego(&value).expect("result shape"),
    )
}

fn facts(path: &Path) -> Facts {
    let text = std::fs::read_to_string(path).expect("read facts");
    Facts::parse(&text).expect("parse facts")
}

#[test]
fn example_no_go_agrees() {
    let bundle = Bundle::try_builtin().expect("builtin pack");
    let mut engine = rego_engine().expect("rego loads");
    let (rp, rego) = both(&bundle, &mut engine, &facts(&example_path()));
    assert_eq!(rp.verdict, "no-go");
    assert_eq!(
        rp.deny.iter().map(String::as_str).collect::<Vec<_>>(),
        [
            "ci-required-suites-passed",
            "rollback-within-budget",
            "sca-no-critical"
        ]
    );
    assert_eq!(
        rp.warn.iter().map(String::as_str).collect::<Vec<_>>(),
        ["sast-no-high"]
    );
    assert_eq!(rp, rego);
}

#[test]
fn base_go_agrees() {
    let bundle = Bundle::try_builtin().expect("builtin pack");
    let mut engine = rego_engine().expect("rego loads");
    let (rp, rego) = both(&bundle, &mut engine, &facts(&base_path()));
    assert_eq!(rp.verdict, "go");
    assert_eq!(
        rp,
        Outcomes {
            verdict: "go".into(),
            ..Default::default()
        }
    );
    assert_eq!(rp, rego);
}

/// Every case of the pack's policy tests (base + patch, or complete facts):
/// a much wider net than the two files above, including missing sections
/// (fail closed), waivers, vetoes and escalations.
#[test]
fn every_policy_test_case_agrees() {
    let bundle = Bundle::try_builtin().expect("builtin pack");
    let mut engine = rego_engine().expect("rego loads");
    let mut files: Vec<_> = Vec::new();
    let mut stack = vec![release_policy_benches::workspace_root().join("policies")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read policies").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".test.yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty());
    let (mut cases, mut disagreements) = (0, Vec::new());
    let mut verdicts = std::collections::BTreeMap::<String, usize>::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read test");
        let test: PolicyTest = yaml_serde::from_str(&text).expect("parse test");
        // Rollout assessment has no Rego translation here; its own bench
        // (`rollout_agreement.rs`) compares triggers.
        if test.spec.command == Command::Assess {
            continue;
        }
        let base: Option<Json> = test.spec.base.as_ref().map(|b| {
            let base = file.parent().expect("dir").join(b);
            yaml_serde::from_str(&std::fs::read_to_string(base).expect("read base"))
                .expect("parse base")
        });
        for case in &test.spec.cases {
            let json = match (&case.facts, &base) {
                (Some(f), _) => f.clone(),
                (None, Some(b)) => {
                    let mut j = b.clone();
                    if let Some(p) = &case.patch {
                        release_policy::unstable::merge_patch(&mut j, p);
                    }
                    j
                }
                (None, None) => continue,
            };
            // Cases about malformed facts never reach a decision.
            let Ok(facts) = Facts::from_json_value(json, bundle.limits()) else {
                continue;
            };
            cases += 1;
            let (rp, rego) = both(&bundle, &mut engine, &facts);
            *verdicts.entry(rp.verdict.clone()).or_default() += 1;
            if rp != rego {
                disagreements.push(format!(
                    "{} / {}:\n  release-policy {rp:?}\n  rego           {rego:?}",
                    file.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default(),
                    case.name
                ));
            }
        }
    }
    eprintln!(
        "{cases} cases from {} files, release-policy verdicts {verdicts:?}",
        files.len()
    );
    assert!(cases > 100, "only {cases} cases");
    assert!(
        verdicts.len() == 3,
        "every verdict is exercised: {verdicts:?}"
    );
    assert!(
        disagreements.is_empty(),
        "{} of {cases} cases disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
