//! Properties (proptest): adding a failing block gate never turns no-go
//! into go; a tightening layer never loosens a verdict; decisions are
//! deterministic; facts and decisions round-trip through JSON.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use proptest::prelude::*;
use release_policy::{Bundle, Decision, Facts, Verdict};
use serde_json::json;

/// Facts built from a few independent knobs.
fn facts_strategy() -> impl Strategy<Value = serde_json::Value> {
    (any::<bool>(), 0u64..3, 0u64..3, prop::sample::select(vec!["standard", "hotfix", "security"]), any::<bool>(), 0usize..3)
        .prop_map(|(e2e_ok, critical, high, kind, waiver, approvals)| {
            let mut j = common::base_json();
            j["release"]["kind"] = json!(kind);
            j["ci"]["suites"][0]["status"] = json!(if e2e_ok { "passed" } else { "failed" });
            j["ci"]["suites"][0]["failed"] = json!(if e2e_ok { 0 } else { 2 });
            if let Some(scans) = j["security"]["scans"].as_array_mut() {
                for s in scans {
                    s["findings"]["critical"] = json!(critical);
                    s["findings"]["high"] = json!(high);
                }
            }
            if waiver {
                j["waivers"] = json!([{"rule": "sca-no-critical", "by": "carol", "role": "security", "reason": "r", "expires": "2026-12-01T00:00:00Z"}]);
            }
            if let Some(list) = j["approvals"].as_array_mut() {
                let keep = list.len().saturating_sub(approvals);
                list.truncate(keep);
            }
            j
        })
}

fn decide(bundle: &Bundle, j: &serde_json::Value) -> Decision {
    bundle
        .check(&Facts::from_json_value(j.clone(), bundle.limits()).unwrap())
        .unwrap()
}

const EXTRA_FAILING: &str = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: extra, version: 1.0.0}\nspec:\n  gates:\n    - {id: extra-fail, expression: 'release.id == \"never\"'}\n";

const TEAM_TIGHTENS: &str = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: security-scans, version: 1.1.0}\nspec:\n  gates:\n    - {id: team-no-high, expression: 'security.scans.all(s, s.findings.high == 0)'}\n";

fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Go => 0,
        Verdict::Pending => 1,
        Verdict::NoGo => 2,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_failing_block_gate_never_gives_go(j in facts_strategy()) {
        let base = Bundle::builtin();
        let stricter = Bundle::builder().builtin_layer().yaml_layer("extra.yaml", EXTRA_FAILING).build().unwrap();
        let before = decide(&base, &j).verdict();
        let after = decide(&stricter, &j).verdict();
        prop_assert_eq!(after, Verdict::NoGo);
        prop_assert!(rank(after) >= rank(before));
    }

    #[test]
    fn a_tightening_layer_never_loosens(j in facts_strategy()) {
        let org = Bundle::builtin();
        let team = Bundle::builder().builtin_layer().yaml_layer("team.yaml", TEAM_TIGHTENS).build().unwrap();
        prop_assert!(rank(decide(&team, &j).verdict()) >= rank(decide(&org, &j).verdict()));
    }

    #[test]
    fn decisions_are_deterministic_and_round_trip(j in facts_strategy()) {
        let b = Bundle::builtin();
        let facts = Facts::from_json_value(j.clone(), b.limits()).unwrap();
        let facts_again: Facts = serde_json::from_str(&serde_json::to_string(&facts).unwrap()).unwrap();
        prop_assert_eq!(&facts, &facts_again);
        let d1 = b.check(&facts).unwrap();
        let d2 = b.check(&facts_again).unwrap();
        prop_assert_eq!(d1.to_json(), d2.to_json());
        let parsed: Decision = serde_json::from_str(&d1.to_json()).unwrap();
        prop_assert_eq!(parsed, d1);
    }
}

#[test]
fn loosening_a_rule_is_an_error_naming_both_files() {
    let loosen = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: security-scans, version: 1.1.0}\nspec:\n  gates:\n    - {id: sca-no-critical, expression: 'true', effect: warn}\n";
    let err = Bundle::builder()
        .builtin_layer()
        .yaml_layer("team.yaml", loosen)
        .build()
        .unwrap_err();
    assert_eq!(err.code().as_str(), "RP0111");
    let (err, hint) = (err.to_string(), err.hint().unwrap_or_default().to_string());
    assert!(err.starts_with("team.yaml:6:"), "{err}");
    assert!(err.contains("loosens gate `sca-no-critical`"), "{err}");
    assert!(
        hint.contains("builtin:security/security-scans.yaml:"),
        "{hint}"
    );
    let disable = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: security-scans, version: 1.1.0}\nspec:\n  disable: [sca-no-critical]\n";
    let err = Bundle::builder()
        .builtin_layer()
        .yaml_layer("team.yaml", disable)
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("disables gate `sca-no-critical`"), "{err}");
}

#[test]
fn tightening_and_overridable_rules() {
    let org = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: p, version: 1.0.0}\nspec:\n  gates:\n    - {id: a, expression: 'release.kind == \"standard\"', effect: warn}\n    - {id: b, expression: 'false', overridable: true}\n";
    let team = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: p, version: 1.1.0}\nspec:\n  gates:\n    - {id: a, expression: 'release.kind == \"standard\"', effect: block}\n  disable: [b]\n";
    let b = Bundle::builder()
        .yaml_layer("org.yaml", org)
        .yaml_layer("team.yaml", team)
        .build()
        .unwrap();
    let mut j = common::base_json();
    j["release"]["kind"] = json!("hotfix");
    let d = decide(&b, &j);
    assert_eq!(d.verdict(), Verdict::NoGo, "warn tightened to block");
    assert!(d.finding("b").is_none(), "overridable rule disabled");
    assert_eq!(b.policies(), vec!["p@1.1.0".to_string()]);
}

#[test]
fn approval_rules_tighten_but_never_loosen() {
    let org = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: p, version: 1.0.0}\nspec:\n  approvals:\n    - {id: r, roles: [qa], maxAge: 7d}\n";
    let layer = |team: &str| {
        let text = format!(
            "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {{name: p, version: 1.1.0}}\nspec:\n  approvals:\n    - {team}\n"
        );
        Bundle::builder()
            .yaml_layer("org.yaml", org)
            .yaml_layer("team.yaml", text)
            .build()
    };
    assert!(
        layer("{id: r, roles: [qa, security], maxAge: 3d}").is_ok(),
        "more roles with quorum all, shorter maxAge"
    );
    let err = layer("{id: r, roles: [qa], maxAge: 30d}").unwrap_err();
    assert_eq!(err.code().as_str(), "RP0111");
    assert!(err.to_string().contains("loosens approval `r`"), "{err}");
    assert!(
        err.hint().is_some_and(|h| h.contains("org.yaml:6:")),
        "{:?}",
        err.hint()
    );
    assert!(
        layer("{id: r, roles: [qa, security], quorum: any}").is_err(),
        "any over more roles is looser"
    );
    let disable = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  disable: [r, nope]\n";
    let err = Bundle::builder()
        .yaml_layer("org.yaml", org)
        .yaml_layer("team.yaml", disable)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("disables approval `r`") && err.contains("cannot disable `nope`"),
        "{err}"
    );
}
