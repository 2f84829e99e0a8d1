//! Properties (proptest): adding a failing block gate never turns no-go
//! into go; a tightening layer never loosens a verdict; the verdict alone
//! is the decision's; decisions are deterministic; facts and decisions
//! round-trip through JSON.
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
    fn the_verdict_alone_is_the_decisions_verdict(j in facts_strategy()) {
        for b in [
            Bundle::builtin(),
            Bundle::builder().builtin_layer().yaml_layer("team.yaml", TEAM_TIGHTENS).build().unwrap(),
        ] {
            let facts = Facts::from_json_value(j.clone(), b.limits()).unwrap();
            prop_assert_eq!(b.verdict(&facts).unwrap(), b.check(&facts).unwrap().verdict());
        }
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

/// Free-form JSON for `extensions`: nested lists and maps of scalars.
fn free_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        (-5i64..5).prop_map(serde_json::Value::from),
        "[a-c]{0,3}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..7).prop_map(serde_json::Value::from),
            proptest::collection::btree_map("[a-d]{1,2}", inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every value of a JSON document (every scalar, list and map) and its
/// longest list: what `Limits::max_fact_values` and `max_list_items` bound.
fn values_and_longest(v: &serde_json::Value) -> (usize, usize) {
    match v {
        serde_json::Value::Array(items) => items
            .iter()
            .map(values_and_longest)
            .fold((1, items.len()), |(n, l), (m, k)| (n + m, l.max(k))),
        serde_json::Value::Object(map) => map
            .values()
            .map(values_and_longest)
            .fold((1, 0), |(n, l), (m, k)| (n + m, l.max(k))),
        _ => (1, 0),
    }
}

const READS_RELEASE_ONLY: &str = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: one, version: 1.0.0}\nspec:\n  gates:\n    - {id: named, expression: 'release.id != \"\"'}\n";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The facts are held to the value and list limits as a whole, whatever
    /// sections the bundle reads (only those are built for evaluation; the
    /// rest are counted): at, below and above each limit, `check` refuses
    /// exactly when the facts' JSON passes a limit.
    #[test]
    fn the_facts_limits_hold_whatever_the_bundle_reads(
        extensions in proptest::collection::btree_map("[a-c]{1,2}", free_json(), 0..4),
        approvals in 0usize..4,
    ) {
        let mut j = common::base_json();
        j["extensions"] = serde_json::to_value(&extensions).unwrap();
        if let Some(list) = j["approvals"].as_array_mut() {
            let keep = list.len().saturating_sub(approvals);
            list.truncate(keep);
        }
        let facts = Facts::from_json_value(j, &release_policy::Limits::default()).unwrap();
        let (n, longest) = values_and_longest(&facts.to_json_value());
        for max_values in [n - 1, n, n + 1] {
            for max_list in [longest.saturating_sub(1), longest, longest + 1] {
                let limits = release_policy::Limits {
                    max_fact_values: max_values,
                    max_list_items: max_list,
                    ..release_policy::Limits::default()
                };
                let within = max_values >= n && max_list >= longest;
                let narrow = Bundle::builder()
                    .limits(limits.clone())
                    .yaml_layer("one.yaml", READS_RELEASE_ONLY)
                    .build();
                // The pack (which reads every section) at the value limit
                // only: it loads in milliseconds, not microseconds. A pack
                // whose quorums need more approvals than the list limit
                // allows does not load: only the narrow bundle then.
                let pack = (max_list == longest && max_values <= n)
                    .then(|| Bundle::builder().limits(limits).builtin_layer().build());
                for bundle in [Some(narrow), pack].into_iter().flatten().flatten() {
                    let r = bundle.check(&facts);
                    prop_assert_eq!(r.is_ok(), within, "values {} of {}, list {} of {}: {:?}", max_values, n, max_list, longest, r.err().map(|e| e.to_string()));
                }
            }
        }
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
