//! The Rego translation (`rego/release.rego`) and release-policy must decide
//! the same — verdict, and which rules deny, stay pending or warn — or the
//! benchmark compares two different things.

use std::path::Path;

use release_policy::{Bundle, Facts};
use release_policy_benches::{
    Outcomes, base_path, example_path, policy_test_cases, rego_engine, rego_eval,
};

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
    let cases = policy_test_cases(bundle.limits()).expect("policy tests");
    let mut disagreements = Vec::new();
    let mut verdicts = std::collections::BTreeMap::<String, usize>::new();
    for case in &cases {
        let (rp, rego) = both(&bundle, &mut engine, &case.facts);
        *verdicts.entry(rp.verdict.clone()).or_default() += 1;
        if rp != rego {
            disagreements.push(format!(
                "{}:\n  release-policy {rp:?}\n  rego           {rego:?}",
                case.name
            ));
        }
    }
    eprintln!(
        "{} cases, release-policy verdicts {verdicts:?}",
        cases.len()
    );
    assert!(cases.len() > 100, "only {} cases", cases.len());
    assert!(
        verdicts.len() == 3,
        "every verdict is exercised: {verdicts:?}"
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} cases disagree:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.join("\n")
    );
}
