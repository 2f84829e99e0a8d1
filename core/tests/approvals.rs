//! Approval rules that count people: N different people in one role
//! (`{role: sre, count: 2}`), with every other approval rule (author,
//! staleness, evidence, look-alike identities, `distinctPeople`) applying
//! to each, and `distinctAcrossRules`: one person counted by one rule of a
//! policy only; and gates whose effect says who may lift them (`pending`:
//! nobody, only the facts).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{assert_policy_error, base_json, check, policy};
use release_policy::{Bundle, Verdict};
use serde_json::{Value, json};

fn with_approvals(list: Value) -> Value {
    let mut j = base_json();
    j["approvals"] = list;
    j
}

fn approve(role: &str, by: &str) -> Value {
    json!({"role": role, "by": by, "decision": "approve", "at": "2026-11-26T09:00:00Z"})
}

fn two_sres() -> Bundle {
    policy(
        "  approvals:\n    - id: sre-review\n      roles: [{role: sre, count: 2}]\n      maxAge: 7d\n      evidence: [runbook]\n",
    )
}

fn with_runbook(mut a: Value) -> Value {
    a["evidence"] = json!(["runbook"]);
    a
}

/// The one finding of a one-rule bundle.
fn finding(bundle: &Bundle, facts: Value) -> (Verdict, String) {
    let d = check(bundle, facts);
    let f = d.findings().first().unwrap();
    (d.verdict(), f.message().to_string())
}

#[test]
fn two_sres_need_two_different_people() {
    let b = two_sres();
    let none = with_approvals(json!([]));
    assert_eq!(
        finding(&b, none),
        (
            Verdict::Pending,
            "needs 2 more approvals from sre".to_string()
        )
    );
    let one = with_approvals(json!([with_runbook(approve("sre", "pat"))]));
    assert_eq!(
        finding(&b, one),
        (
            Verdict::Pending,
            "needs 1 more approval from sre".to_string()
        )
    );
    let two = with_approvals(json!([
        with_runbook(approve("sre", "pat")),
        with_runbook(approve("sre", "bob"))
    ]));
    assert_eq!(
        finding(&b, two),
        (Verdict::Go, "approved by sre".to_string())
    );
}

#[test]
fn two_sres_one_person_twice_is_one() {
    // The same person under two spellings, and a look-alike: one person.
    let b = two_sres();
    for other in ["Pat ", "PAT", "\u{440}at", "ｐａｔ"] {
        let facts = with_approvals(json!([
            with_runbook(approve("sre", "pat")),
            with_runbook(approve("sre", other))
        ]));
        assert_eq!(check(&b, facts).verdict(), Verdict::Pending, "{other:?}");
    }
}

#[test]
fn two_sres_the_author_does_not_count() {
    let b = two_sres();
    let author = base_json()["release"]["author"]
        .as_str()
        .unwrap()
        .to_string();
    let facts = with_approvals(json!([
        with_runbook(approve("sre", &author)),
        with_runbook(approve("sre", "bob"))
    ]));
    assert_eq!(check(&b, facts).verdict(), Verdict::Pending);
}

#[test]
fn two_sres_stale_or_without_evidence_do_not_count() {
    let b = two_sres();
    let mut stale = with_runbook(approve("sre", "pat"));
    stale["at"] = json!("2026-10-01T09:00:00Z");
    let bare = approve("sre", "carol");
    let facts = with_approvals(json!([stale, bare, with_runbook(approve("sre", "bob"))]));
    let d = check(&b, facts);
    assert_eq!(d.verdict(), Verdict::Pending);
    let state = d.findings()[0].approval().unwrap();
    let ignored: Vec<(&str, Option<&str>)> = state
        .approvals()
        .iter()
        .map(|n| (n.by(), n.ignored()))
        .collect();
    assert!(
        ignored.contains(&("pat", Some("stale: older than `maxAge` of 7d"))),
        "{ignored:?}"
    );
    assert!(
        ignored.contains(&("carol", Some("carries no `runbook` evidence"))),
        "{ignored:?}"
    );
    assert_eq!(state.counts().get("sre"), Some(&2));
}

#[test]
fn two_sres_and_security_with_distinct_people_need_three_people() {
    let b = policy(
        "  approvals:\n    - id: review\n      roles: [{role: sre, count: 2}, security]\n      distinctPeople: true\n",
    );
    let two_people = with_approvals(json!([
        approve("sre", "pat"),
        approve("security", "pat"),
        approve("sre", "bob")
    ]));
    assert_eq!(
        finding(&b, two_people.clone()),
        (
            Verdict::Pending,
            "needs 1 more approval from security".to_string()
        )
    );
    let mut three = two_people;
    three["approvals"]
        .as_array_mut()
        .unwrap()
        .push(approve("sre", "carol"));
    // pat moves to security, bob and carol are the two SREs.
    assert_eq!(check(&b, three).verdict(), Verdict::Go);
}

#[test]
fn counts_with_a_quorum_ask_for_the_smallest_gap() {
    let b = policy(
        "  approvals:\n    - id: review\n      roles: [{role: sre, count: 3}, dba]\n      quorum: 1\n",
    );
    assert_eq!(
        finding(&b, with_approvals(json!([approve("sre", "pat")]))),
        (
            Verdict::Pending,
            "needs 1 more approval from sre, dba".to_string()
        )
    );
    assert_eq!(
        check(&b, with_approvals(json!([approve("dba", "dora")]))).verdict(),
        Verdict::Go
    );
}

#[test]
fn a_count_of_zero_or_an_unknown_field_is_a_load_error() {
    for (role, message) in [
        (
            "{role: sre, count: 0}",
            "`count` of role `sre` must be at least 1",
        ),
        (
            "{role: sre, count: 2, people: 3}",
            "a role is a name (`sre`) or `{role: sre, count: 2}` (only the fields `role` and `count`)",
        ),
    ] {
        let text = format!(
            "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {{name: t, version: 1.0.0}}\nspec:\n  approvals:\n    - id: review\n      roles: [{role}]\n"
        );
        let e = Bundle::from_yaml_str("t.yaml", &text).err().unwrap();
        let p = e.policy_errors();
        assert_eq!(p.len(), 1, "{e}");
        assert_policy_error(
            p[0],
            "RP0103",
            "t.yaml:7:14",
            &format!("spec.approvals[0].roles: {message}"),
            None,
        );
    }
}

fn layered(org: &str, team: &str) -> Result<Bundle, String> {
    let doc = |body: &str| {
        format!(
            "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {{name: t, version: 1.0.0}}\nspec:\n  approvals:\n    - id: review\n{body}"
        )
    };
    Bundle::builder()
        .yaml_layer("org.yaml", doc(org))
        .yaml_layer("team.yaml", doc(team))
        .build()
        .map_err(|e| e.to_string())
}

#[test]
fn a_layer_may_raise_a_count_but_not_lower_it() {
    let org = "      roles: [{role: sre, count: 2}]\n";
    assert!(layered(org, "      roles: [{role: sre, count: 3}]\n").is_ok());
    let e = layered(org, "      roles: [sre]\n").err().unwrap();
    assert!(e.contains("layer loosens approval `review`"), "{e}");
}

#[test]
fn a_layer_cannot_drop_distinct_across_rules() {
    let org = "      roles: [sre]\n      distinctAcrossRules: true\n";
    let e = layered(org, "      roles: [sre]\n").err().unwrap();
    assert!(e.contains("layer loosens approval `review`"), "{e}");
}

fn sre_and_ops(across: bool) -> Bundle {
    policy(&format!(
        "  approvals:\n    - id: sre-review\n      roles: [sre]\n      distinctAcrossRules: {across}\n    - id: ops-review\n      roles: [operations]\n      distinctAcrossRules: {across}\n"
    ))
}

#[test]
fn one_person_two_rules_counts_once_across_rules() {
    let pat_everywhere =
        with_approvals(json!([approve("sre", "pat"), approve("operations", "Pat")]));
    let d = check(&sre_and_ops(true), pat_everywhere.clone());
    assert_eq!(d.verdict(), Verdict::Pending);
    let ops = d
        .findings()
        .iter()
        .find(|f| f.rule() == "ops-review")
        .unwrap();
    let note = &ops.approval().unwrap().approvals()[0];
    assert_eq!(
        note.ignored(),
        Some("already counted for `sre-review` (distinctAcrossRules)")
    );
    // Without the option (the default) one person may serve both rules.
    assert_eq!(
        check(&sre_and_ops(false), pat_everywhere).verdict(),
        Verdict::Go
    );
    let two_people = with_approvals(json!([approve("sre", "pat"), approve("operations", "bob")]));
    assert_eq!(check(&sre_and_ops(true), two_people).verdict(), Verdict::Go);
}

#[test]
fn a_rule_without_the_option_does_not_reserve_people() {
    // Only rules with the option take part: pat counted by a rule
    // without it stays available to one with it.
    let b = policy(
        "  approvals:\n    - id: sre-review\n      roles: [sre]\n    - id: ops-review\n      roles: [operations]\n      distinctAcrossRules: true\n",
    );
    let facts = with_approvals(json!([approve("sre", "pat"), approve("operations", "pat")]));
    assert_eq!(check(&b, facts).verdict(), Verdict::Go);
}

fn window_gate(extra: &str) -> String {
    format!(
        "  gates:\n    - id: maintenance-window\n      expression: release.labels.window == \"open\"\n      effect: pending\n      message: waiting for the maintenance window\n{extra}"
    )
}

#[test]
fn a_pending_gate_holds_until_the_facts_change_and_no_approval_lifts_it() {
    let b = policy(&window_gate(""));
    let mut closed = with_approvals(json!([approve("release-manager", "rita")]));
    closed["release"]["labels"] = json!({"window": "closed"});
    let d = check(&b, closed.clone());
    assert_eq!(d.verdict(), Verdict::Pending);
    let f = d.findings().first().unwrap();
    assert_eq!(f.effect().as_str(), "pending");
    assert!(d.missing_approvals().is_empty());
    assert_eq!(d.waiting().len(), 1);
    assert!(d.blocking().is_empty());
    let mut open = closed;
    open["release"]["labels"] = json!({"window": "open"});
    assert_eq!(check(&b, open).verdict(), Verdict::Go);
}

#[test]
fn approvers_on_a_gate_that_is_not_an_approval_gate_are_a_load_error() {
    for effect in ["pending", "block", "warn"] {
        let text = format!(
            "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {{name: t, version: 1.0.0}}\nspec:\n  gates:\n    - id: g\n      expression: 'true'\n      effect: {effect}\n      approvers: [sre]\n"
        );
        let e = Bundle::from_yaml_str("t.yaml", &text).err().unwrap();
        let p = e.policy_errors();
        assert_policy_error(
            p[0],
            "RP0305",
            "t.yaml:9:18",
            &format!(
                "gate `g` has `approvers` but `effect: {effect}`: only an `approval` gate is lifted by approvals"
            ),
            Some(
                "use `effect: approval` for a gate one approval lifts, `effect: pending` for one only the facts lift, or an approval rule for N people",
            ),
        );
    }
}

#[test]
fn a_layer_may_make_an_approval_gate_pending_but_not_a_pending_gate_an_approval_gate() {
    let doc = |effect: &str| {
        format!(
            "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {{name: t, version: 1.0.0}}\nspec:\n  gates:\n    - id: g\n      expression: release.kind == \"standard\"\n      effect: {effect}\n"
        )
    };
    let approval = doc("approval") + "      approvers: [sre]\n";
    let layered = |a: &str, b: &str| {
        Bundle::builder()
            .yaml_layer("org.yaml", a.to_string())
            .yaml_layer("team.yaml", b.to_string())
            .build()
            .map_err(|e| e.to_string())
    };
    assert!(layered(&approval, &doc("pending")).is_ok());
    assert!(layered(&doc("pending"), &doc("block")).is_ok());
    let e = layered(&doc("pending"), &approval).err().unwrap();
    assert!(e.contains("layer loosens gate `g`"), "{e}");
}

#[test]
fn a_count_no_facts_can_meet_is_a_load_error_and_a_large_one_stays_cheap() {
    // More people than the facts may list approvals: refused at load.
    let text = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, version: 1.0.0}\nspec:\n  approvals:\n    - id: review\n      roles: [{role: sre, count: 50000000}]\n      distinctPeople: true\n";
    let e = Bundle::from_yaml_str("t.yaml", text).err().unwrap();
    assert_eq!(e.policy_errors()[0].code().as_str(), "RP0303");
    assert!(
        e.policy_errors()[0]
            .message
            .starts_with("`count` 50000000 of role `sre` is more than the 1000 approvals")
    );
    // At the limit, one approval: the matching makes one place, not 1000.
    let b = policy(
        "  approvals:\n    - id: review\n      roles: [{role: sre, count: 1000}, dba]\n      distinctPeople: true\n",
    );
    let start = std::time::Instant::now();
    let d = check(&b, with_approvals(json!([approve("sre", "sam")])));
    assert_eq!(d.verdict(), Verdict::Pending);
    assert_eq!(d.missing_approvals()[0].needed(), 1000);
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}
