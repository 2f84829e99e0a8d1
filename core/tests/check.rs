//! `check` end to end: the built-in pack on the examples, fail-closed
//! behaviour, waivers, approvals, determinism and the bad inputs of the
//! foundation issue.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use release_policy::Verdict;
use release_policy::{Bundle, Error, Facts, Limits, Outcome};
use serde_json::json;

#[test]
fn builtin_pack_loads() {
    let b = Bundle::try_builtin().unwrap_or_else(|e| panic!("{e}"));
    assert!(b.rules().len() >= 30, "{} rules", b.rules().len());
    assert!(b.digest().starts_with("sha256:"));
}

#[test]
fn examples_give_their_verdicts() {
    let b = Bundle::builtin();
    let cases = [
        ("examples/releases/checkout-2.4.0.yaml", Verdict::NoGo),
        ("examples/releases/payments-1.8.0.yaml", Verdict::Go),
        ("examples/releases/search-3.0.0.yaml", Verdict::Pending),
        ("policies/testdata/base.yaml", Verdict::Go),
    ];
    for (file, want) in cases {
        let d = b.check(&facts(file)).unwrap();
        assert_eq!(d.verdict(), want, "{file}: {}", d.to_json_pretty());
    }
    let nogo = b
        .check(&facts("examples/releases/checkout-2.4.0.yaml"))
        .unwrap();
    assert_eq!(
        nogo.finding("ci-required-suites-passed")
            .map(|f| f.outcome()),
        Some(Outcome::Fail)
    );
    assert_eq!(
        nogo.finding("sca-no-critical").map(|f| f.outcome()),
        Some(Outcome::Fail)
    );
    let pending = b
        .check(&facts("examples/releases/search-3.0.0.yaml"))
        .unwrap();
    assert!(!pending.missing_approvals().is_empty());
}

#[test]
fn decisions_are_byte_identical() {
    let b = Bundle::builtin();
    let f = facts("examples/releases/checkout-2.4.0.yaml");
    let a = b.check(&f).unwrap().to_json();
    let again = Bundle::builtin().check(&f).unwrap().to_json();
    assert_eq!(a, again);
    let d: release_policy::Decision = serde_json::from_str(&a).unwrap();
    assert_eq!(d.to_json(), a, "decision JSON round-trips");
}

#[test]
fn a_missing_section_fails_closed() {
    let mut j = base_json();
    j.as_object_mut().unwrap().remove("ci");
    let d = check(&Bundle::builtin(), j);
    let f = d.finding("ci-required-suites-passed").unwrap();
    assert_eq!(f.outcome(), Outcome::Error, "{}", f.message());
    assert!(f.message().contains("`ci`"), "{}", f.message());
    assert_eq!(d.verdict(), Verdict::NoGo);
}

const GATE: &str = r#"  gates:
    - id: no-critical
      expression: security.scans.all(s, s.findings.critical == 0)
      waivableBy: [security]
      message: critical findings
"#;

fn with_scan_and_waiver(waiver: serde_json::Value) -> serde_json::Value {
    let mut j = base_json();
    j["security"]["scans"] = json!([{"kind": "sca", "tool": "osv", "completedAt": "2026-11-25T10:00:00Z", "findings": {"critical": 1}}]);
    j["waivers"] = json!([waiver]);
    j
}

#[test]
fn waivers_count_only_from_allowed_roles_until_they_expire() {
    let b = policy(GATE);
    let ok = json!({"rule": "no-critical", "by": "carol", "role": "security", "reason": "not reachable", "expires": "2026-12-01T00:00:00Z"});
    let d = check(&b, with_scan_and_waiver(ok));
    assert_eq!(d.finding("no-critical").unwrap().outcome(), Outcome::Waived);
    assert_eq!(d.verdict(), Verdict::Go);
    assert_eq!(d.waivers()[0].status(), "applied");

    let expired = json!({"rule": "no-critical", "by": "carol", "role": "security", "reason": "x", "expires": "2026-11-01T00:00:00Z"});
    let d = check(&b, with_scan_and_waiver(expired));
    assert_eq!(d.finding("no-critical").unwrap().outcome(), Outcome::Fail);
    assert_eq!(d.waivers()[0].status(), "expired");

    let wrong_role = json!({"rule": "no-critical", "by": "dave", "role": "development", "reason": "x", "expires": "2026-12-01T00:00:00Z"});
    let d = check(&b, with_scan_and_waiver(wrong_role));
    assert_eq!(d.verdict(), Verdict::NoGo);
    assert_eq!(d.waivers()[0].status(), "not-permitted");
}

const REVIEW: &str = r#"  approvals:
    - id: review
      roles: [qa, security]
      veto: [security]
      decider: release-manager
      escalation: [director]
      maxAge: 7d
      evidence: [pentest]
"#;

fn approvals(list: serde_json::Value) -> serde_json::Value {
    let mut j = base_json();
    j["approvals"] = list;
    j["release"]["author"] = json!("alice");
    j
}

fn a(role: &str, by: &str, decision: &str, at: &str) -> serde_json::Value {
    json!({"role": role, "by": by, "decision": decision, "at": at, "evidence": ["pentest"]})
}

#[test]
fn approvals_quorum_staleness_authorship_and_evidence() {
    let b = policy(REVIEW);
    let fresh = "2026-11-25T10:00:00Z";
    let d = check(
        &b,
        approvals(json!([
            a("qa", "q", "approve", fresh),
            a("security", "s", "approve", fresh)
        ])),
    );
    assert_eq!(d.verdict(), Verdict::Go, "{}", d.to_json_pretty());

    let d = check(
        &b,
        approvals(json!([
            a("qa", "q", "approve", fresh),
            a("security", "s", "approve", "2026-10-01T00:00:00Z")
        ])),
    );
    assert_eq!(d.verdict(), Verdict::Pending);
    assert_eq!(
        d.missing_approvals()[0].roles(),
        vec!["security".to_string()]
    );

    let d = check(
        &b,
        approvals(json!([
            a("qa", "alice", "approve", fresh),
            a("security", "s", "approve", fresh)
        ])),
    );
    assert_eq!(
        d.verdict(),
        Verdict::Pending,
        "the author's own approval does not count"
    );

    let mut no_evidence = a("qa", "q", "approve", fresh);
    no_evidence["evidence"] = json!([]);
    let d = check(
        &b,
        approvals(json!([no_evidence, a("security", "s", "approve", fresh)])),
    );
    assert_eq!(d.verdict(), Verdict::Pending);
}

#[test]
fn vetoes_disagreements_and_escalation() {
    let b = policy(REVIEW);
    let t = "2026-11-25T10:00:00Z";
    let d = check(
        &b,
        approvals(json!([
            a("qa", "q", "approve", t),
            a("security", "s", "reject", t)
        ])),
    );
    assert_eq!(d.verdict(), Verdict::NoGo, "security vetoes");

    let d = check(
        &b,
        approvals(json!([
            a("qa", "q", "reject", t),
            a("security", "s", "approve", t)
        ])),
    );
    assert_eq!(d.verdict(), Verdict::Pending);
    assert_eq!(
        d.missing_approvals()[0].roles(),
        vec!["release-manager".to_string()]
    );

    let d = check(
        &b,
        approvals(json!([
            a("qa", "q", "reject", t),
            a("security", "s", "approve", t),
            a("release-manager", "r", "abstain", t)
        ])),
    );
    assert_eq!(
        d.missing_approvals()[0].roles(),
        vec!["director".to_string()],
        "abstaining passes it up the chain"
    );

    let d = check(
        &b,
        approvals(json!([
            a("qa", "q", "reject", t),
            a("security", "s", "approve", t),
            a("release-manager", "r", "approve", t)
        ])),
    );
    assert_eq!(d.verdict(), Verdict::Go);

    let d = check(
        &b,
        approvals(json!([
            a("qa", "q", "reject", t),
            a("security", "s", "approve", t),
            a("director", "d", "reject", t)
        ])),
    );
    assert_eq!(d.verdict(), Verdict::NoGo);
}

#[test]
fn warn_never_changes_the_verdict_and_approval_gates_pend() {
    let b = policy(
        "  gates:\n    - {id: w, expression: 'false', effect: warn}\n    - {id: p, expression: 'false', effect: approval, approvers: [sre-lead]}\n",
    );
    let d = check(&b, base_json());
    assert_eq!(d.finding("w").unwrap().outcome(), Outcome::Warn);
    assert_eq!(d.verdict(), Verdict::Pending);
    let mut j = base_json();
    j["approvals"] = json!([{"role": "sre-lead", "by": "sam", "decision": "approve", "at": "2026-11-26T09:00:00Z"}]);
    let d = check(&b, j);
    assert_eq!(d.finding("p").unwrap().outcome(), Outcome::Waived);
    assert_eq!(d.verdict(), Verdict::Go);
}

#[test]
fn runtime_errors_are_error_findings() {
    let b = policy(
        "  gates:\n    - {id: e, expression: 'ratio(1, 0) > 0.5'}\n    - {id: v, expression: 'major(release.id) > 1'}\n",
    );
    let d = check(&b, base_json());
    assert_eq!(d.finding("e").unwrap().outcome(), Outcome::Error);
    assert_eq!(d.finding("v").unwrap().outcome(), Outcome::Error);
    assert!(
        d.finding("v")
            .unwrap()
            .message()
            .contains("invalid semantic version")
    );
    assert_eq!(d.verdict(), Verdict::NoGo);
}

fn load_err(yaml: &str) -> String {
    match Bundle::from_yaml_str("p.yaml", yaml) {
        Ok(_) => panic!("expected an error for\n{yaml}"),
        Err(e) => e.to_string(),
    }
}

const HEAD: &str =
    "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, version: 1.0.0}\nspec:\n";

#[test]
fn a_later_reject_withdraws_an_approval_gate_approval() {
    let b = policy(
        "  gates:\n    - {id: p, expression: 'false', effect: approval, approvers: [sre-lead]}\n",
    );
    let mut j = base_json();
    j["approvals"] = json!([
        {"role": "sre-lead", "by": "sam", "decision": "approve", "at": "2026-11-26T08:00:00Z"},
        {"role": "sre-lead", "by": "sam", "decision": "reject", "at": "2026-11-26T09:00:00Z"}
    ]);
    let d = check(&b, j);
    assert_eq!(d.finding("p").unwrap().outcome(), Outcome::Fail);
    assert_eq!(d.verdict(), Verdict::Pending);
}

#[test]
fn quorum_words_survive_serialisation_and_change_the_digest() {
    let all = policy("  approvals:\n    - {id: r, roles: [qa, dev], quorum: all}\n");
    let any = policy("  approvals:\n    - {id: r, roles: [qa, dev], quorum: any}\n");
    assert_ne!(all.digest(), any.digest());
    assert_eq!(any.explain("r").unwrap().definition()["quorum"], "any");
}

#[test]
fn an_amending_layer_without_a_version_keeps_the_version() {
    let org = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: p, version: 1.2.0}\nspec:\n  gates:\n    - {id: a, expression: 'true'}\n";
    let team = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  gates:\n    - {id: b, expression: 'true'}\n";
    let b = Bundle::builder()
        .yaml_layer("org.yaml", org)
        .yaml_layer("team.yaml", team)
        .build()
        .unwrap();
    assert_eq!(b.policies(), vec!["p@1.2.0".to_string()]);
}

#[test]
fn absent_sections_are_null_and_can_be_tested() {
    let b = policy(
        "  gates:\n    - {id: ci-given, expression: 'ci != null'}\n    - {id: svc-tier, when: 'service != null', expression: 'service.tier <= 2'}\n",
    );
    let mut j = base_json();
    j.as_object_mut().unwrap().remove("ci");
    j.as_object_mut().unwrap().remove("service");
    let d = check(&b, j);
    assert_eq!(d.finding("ci-given").unwrap().outcome(), Outcome::Fail);
    assert_eq!(d.finding("svc-tier").unwrap().outcome(), Outcome::Skipped);
    let b = policy("  gates:\n    - {id: team, expression: '\"team\" in labels'}\n");
    assert_eq!(
        check(&b, base_json()).finding("team").unwrap().outcome(),
        Outcome::Fail
    );
}

#[test]
fn a_stale_abstention_does_not_pass_the_decision_up() {
    let b = policy(REVIEW);
    let t = "2026-11-25T10:00:00Z";
    let d = check(
        &b,
        approvals(json!([
            a("qa", "q", "reject", t),
            a("security", "s", "approve", t),
            a("release-manager", "r", "abstain", "2026-10-01T00:00:00Z")
        ])),
    );
    assert_eq!(
        d.missing_approvals()[0].roles(),
        vec!["release-manager".to_string()]
    );
}

#[test]
fn approval_message_expressions_name_what_triggered_them() {
    let b = policy(
        "  approvals:\n    - id: pentest\n      when: release.changes.exists(c, c.kind == 'new-endpoint')\n      roles: [security]\n      messageExpression: '\"pentest needed for \" + release.changes.filter(c, c.kind == \"new-endpoint\").map(c, c.path).join(\", \")'\n",
    );
    let mut j = base_json();
    j["release"]["changes"] = json!([{"kind": "new-endpoint", "path": "/v2/refunds"}]);
    j["approvals"] = json!([]);
    let d = check(&b, j);
    assert_eq!(
        d.finding("pentest").unwrap().message(),
        "pentest needed for /v2/refunds"
    );
    assert_eq!(
        d.missing_approvals()[0].reason(),
        "pentest needed for /v2/refunds"
    );
}

#[test]
fn has_on_an_absent_section_names_the_section() {
    let b =
        policy("  gates:\n    - {id: budget, expression: 'has(service.errorBudgetRemaining)'}\n");
    let mut j = base_json();
    j.as_object_mut().unwrap().remove("service");
    let d = check(&b, j);
    assert_eq!(
        d.finding("budget").unwrap().message(),
        "could not be evaluated: `service` is not in the facts"
    );
}

#[test]
fn a_future_dated_statement_does_not_hide_a_valid_approval() {
    let b = policy(REVIEW);
    let t = "2026-11-25T10:00:00Z";
    let d = check(
        &b,
        approvals(json!([
            a("qa", "q", "approve", t),
            a("security", "s", "approve", t),
            a("security", "s", "reject", "2026-12-01T00:00:00Z")
        ])),
    );
    assert_eq!(d.verdict(), Verdict::Go, "{}", d.to_json_pretty());
    let state = d.finding("review").unwrap().approval().unwrap();
    assert!(state.approvals().iter().any(|n| {
        n.ignored()
            .is_some_and(|i| i.contains("after the evaluation time"))
    }));
}

#[test]
fn empty_documents_are_skipped() {
    let two = format!(
        "---\n{HEAD}  gates:\n    - {{id: a, expression: 'true'}}\n---\n---\n{}",
        HEAD.replace("name: t", "name: u")
    );
    let b = Bundle::from_yaml_str("p.yaml", &two).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.policies().len(), 2);
}

#[test]
fn bundles_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Bundle>();
    let b = Bundle::builtin();
    let f = facts("examples/releases/checkout-2.4.0.yaml");
    let want = b.check(&f).unwrap().to_json();
    let got: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| s.spawn(|| b.check(&f).unwrap().to_json()))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(got.iter().all(|g| *g == want));
}

#[test]
fn errors_are_reported_in_source_order_across_policies() {
    let mut text = String::new();
    for i in 0..6 {
        text.push_str(&format!("---\napiVersion: release-policy/v1\nkind: Policy\nmetadata: {{name: p{i}, version: 1.0.0}}\nspec:\n  gates:\n    - {{id: g{i}, expression: 'relase.id == \"x\"'}}\n"));
    }
    let e = load_err(&text);
    let rules: Vec<&str> = e.lines().filter(|l| l.contains("unknown name")).collect();
    assert_eq!(rules.len(), 6, "{e}");
    let lines: Vec<usize> = rules
        .iter()
        .filter_map(|l| l.split(':').nth(1)?.parse().ok())
        .collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
}

#[test]
fn deciding_go_overrules_a_rejection_but_does_not_replace_missing_approvals() {
    let b = policy("  approvals:\n    - {id: r, roles: [dev, qa, sec], decider: rm}\n");
    let mut j = base_json();
    j["release"]["author"] = json!("alice");
    // qa rejects; the release manager decides go, but dev and sec never approved.
    j["approvals"] = json!([
        a("qa", "q", "reject", "2026-11-25T10:00:00Z"),
        a("rm", "r", "approve", "2026-11-25T11:00:00Z")
    ]);
    let d = check(&b, j.clone());
    assert_eq!(d.verdict(), Verdict::Pending, "{}", d.to_json_pretty());
    assert_eq!(
        d.missing_approvals()[0].roles(),
        vec!["dev".to_string(), "sec".to_string()]
    );
    // A decision given before the rejection does not settle it.
    j["approvals"] = json!([
        a("dev", "d", "approve", "2026-11-25T09:00:00Z"),
        a("sec", "s", "approve", "2026-11-25T09:00:00Z"),
        a("rm", "r", "approve", "2026-11-20T11:00:00Z"),
        a("qa", "q", "reject", "2026-11-25T10:00:00Z")
    ]);
    let d = check(&b, j.clone());
    assert_eq!(
        d.missing_approvals()[0].roles(),
        vec!["rm".to_string()],
        "{}",
        d.to_json_pretty()
    );
    // Decided after the rejection, with the other approvals in: go.
    j["approvals"][2]["at"] = json!("2026-11-25T12:00:00Z");
    assert_eq!(check(&b, j).verdict(), Verdict::Go);
}

#[test]
fn variables_are_size_checked_so_rules_cannot_run_away() {
    let b = policy(
        "  variables:\n    - {name: chars, expression: 'release.changes.map(c, \"xxxxxxxxxx\").join(\"\").split(\"\")'}\n  gates:\n    - {id: g, expression: 'variables.chars.all(a, variables.chars.all(b, a == b))'}\n",
    );
    let mut j = base_json();
    j["release"]["changes"] = json!(
        (0..200)
            .map(|i| json!({"kind": "feature", "id": format!("c{i}")}))
            .collect::<Vec<_>>()
    );
    let d = check(&b, j);
    let f = d.finding("g").unwrap();
    assert_eq!(f.outcome(), Outcome::Error);
    assert!(
        f.message()
            .contains("variable `chars` could not be evaluated")
            && f.message().contains("limit"),
        "{}",
        f.message()
    );
    assert_eq!(d.verdict(), Verdict::NoGo);
}

#[test]
fn a_failed_variable_fails_only_the_rules_that_read_it() {
    // The second and fourth variables fail; the first and third are fine.
    // Each gate reads one variable: only the gates of a failed one error,
    // each naming its own variable.
    let b = policy(
        "  variables:\n    - {name: ok1, expression: 'size(release.changes)'}\n    - {name: bad1, expression: 'release.changes[99].id'}\n    - {name: ok2, expression: 'release.service'}\n    - {name: bad2, expression: 'int(release.service)'}\n  gates:\n    - {id: g-ok1, expression: 'variables.ok1 >= 0'}\n    - {id: g-bad1, expression: 'variables.bad1 == \"x\"'}\n    - {id: g-ok2, expression: 'variables.ok2 != \"\"'}\n    - {id: g-bad2, expression: 'variables.bad2 == 1'}\n",
    );
    let d = check(&b, base_json());
    for id in ["g-ok1", "g-ok2"] {
        let f = d.finding(id).unwrap();
        assert_eq!(f.outcome(), Outcome::Pass, "{id}: {}", f.message());
    }
    for (id, name) in [("g-bad1", "bad1"), ("g-bad2", "bad2")] {
        let f = d.finding(id).unwrap();
        assert_eq!(f.outcome(), Outcome::Error, "{id}: {}", f.message());
        assert!(
            f.message()
                .contains(&format!("variable `{name}` could not be evaluated")),
            "{id}: {}",
            f.message()
        );
    }
    assert_eq!(d.verdict(), Verdict::NoGo);
}

#[test]
fn identities_compare_trimmed_and_case_blind_and_stale_rejections_still_count() {
    let b = policy(REVIEW);
    let t = "2026-11-25T10:00:00Z";
    let d = check(
        &b,
        approvals(json!([
            a("qa", "Alice ", "approve", t),
            a("security", "s", "approve", t)
        ])),
    );
    assert_eq!(
        d.verdict(),
        Verdict::Pending,
        "`Alice ` is the author `alice`"
    );
    let d = check(
        &b,
        approvals(json!([
            a("qa", "q", "approve", t),
            a("security", "s", "reject", "2026-10-01T00:00:00Z")
        ])),
    );
    assert_eq!(d.verdict(), Verdict::NoGo, "a stale veto still vetoes");
}

#[test]
fn waivers_of_approval_rules_are_reported_as_not_waivable() {
    let b = policy(REVIEW);
    let mut j = approvals(json!([]));
    j["waivers"] = json!([{"rule": "review", "by": "carol", "role": "security", "reason": "r", "expires": "2026-12-01T00:00:00Z"}]);
    let d = check(&b, j);
    assert_eq!(d.waivers()[0].status(), "not-waivable");
    assert_eq!(d.verdict(), Verdict::Pending);
}

#[test]
fn an_approval_message_expression_does_not_hide_a_disagreement() {
    let b = policy(
        "  approvals:\n    - id: r\n      roles: [qa, sec]\n      decider: rm\n      messageExpression: '\"custom\"'\n",
    );
    let mut j = approvals(json!([]));
    let d = check(&b, j.clone());
    assert_eq!(d.finding("r").unwrap().message(), "custom");
    j["approvals"] = json!([a("qa", "q", "reject", "2026-11-25T10:00:00Z")]);
    let d = check(&b, j);
    assert!(
        d.finding("r")
            .unwrap()
            .message()
            .starts_with("approvers disagree (rejected by q (qa))"),
        "{}",
        d.finding("r").unwrap().message()
    );
}

#[test]
fn facts_from_any_deserializer_are_the_facts_of_the_json_value() {
    let j = base_json();
    let direct = Facts::from_deserializer(&j).unwrap();
    assert_eq!(
        direct,
        Facts::from_json_value(j.clone(), &Limits::default()).unwrap()
    );
    // A wrong type is named by its JSON path, as for a JSON value.
    let mut bad = j.clone();
    bad["release"]["version"] = json!(["1.0.0"]);
    let e = Facts::from_deserializer(&bad).unwrap_err();
    let want = Facts::from_json_value(bad, &Limits::default()).unwrap_err();
    assert_eq!(
        (e.path.as_deref(), &e.message),
        (want.path.as_deref(), &want.message)
    );
    assert_eq!(e.path.as_deref(), Some("$.release.version"));
    // And the facts are validated (a blank author).
    let mut blank = j;
    blank["release"]["author"] = json!("  ");
    let e = Facts::from_deserializer(&blank).unwrap_err();
    assert_eq!(e.path.as_deref(), Some("$.release.author"));
}

#[test]
fn json_value_facts_are_held_to_the_nesting_limit_as_text_is() {
    let limits = Limits {
        max_yaml_nesting: 8,
        ..Limits::default()
    };
    let mut deep = json!(1);
    for _ in 0..8 {
        deep = json!([deep]);
    }
    let mut j = base_json();
    j["extensions"] = json!({ "x": deep });
    let e = Facts::from_json_value(j.clone(), &limits).unwrap_err();
    assert!(
        e.message.contains("nesting deeper than the limit of 8"),
        "{e:?}"
    );
    assert_eq!(e.path.as_deref(), Some("$.extensions.x[0][0][0][0][0][0]"));
    // Within the limit (as the default is), the same facts parse.
    Facts::from_json_value(j, &Limits::default()).unwrap();
}

fn load_error(yaml: &str) -> Error {
    match Bundle::from_yaml_str("p.yaml", yaml) {
        Ok(_) => panic!("expected an error for\n{yaml}"),
        Err(e) => e,
    }
}

/// The error of a two-layer bundle: `org.yaml` then `team.yaml`, each one
/// policy `t` with the given spec body.
fn layered(org: &str, team: &str) -> Error {
    let amend = HEAD.replace(", version: 1.0.0", "");
    match Bundle::builder()
        .yaml_layer("org.yaml", format!("{HEAD}{org}"))
        .yaml_layer("team.yaml", format!("{amend}{team}"))
        .build()
    {
        Ok(_) => panic!("expected an error for\n{org}\n{team}"),
        Err(e) => e,
    }
}

/// A YAML syntax error.
#[test]
fn malformed_yaml_is_rp0101() {
    let err = load_error("apiVersion: [1,\n");
    assert_error(
        &err,
        "RP0101",
        "p.yaml:2:1",
        "did not find expected node content",
        None,
    );
}

/// A misspelt field of a gate.
#[test]
fn an_unknown_policy_field_is_rp0102() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expresion: 'true'}}\n"
    ));
    assert_error(
        &err,
        "RP0102",
        "p.yaml:6:15",
        "spec.gates[0]: unknown field `expresion`, expected one of `id`, `description`, `when`, `expression`, `effect`, `approvers`, `waivableBy`, `message`, `messageExpression`, `controls`, `overridable`",
        Some("see `release-policy schema policy` for the fields a policy may have"),
    );
}

/// A section that is not a list.
#[test]
fn a_field_of_the_wrong_type_is_rp0103() {
    let err = load_error(&format!("{HEAD}  gates: 5\n"));
    assert_error(
        &err,
        "RP0103",
        "p.yaml:5:10",
        "spec.gates: invalid type: integer `5`, expected a sequence",
        None,
    );
}

#[test]
fn an_unsupported_api_version_is_rp0104() {
    let err =
        load_error("apiVersion: v2\nkind: Policy\nmetadata: {name: t, version: 1.0.0}\nspec: {}\n");
    assert_error(
        &err,
        "RP0104",
        "p.yaml:1:13",
        "unsupported apiVersion `v2`",
        Some("use `apiVersion: release-policy/v1`"),
    );
}

/// A policy test in a policy file.
#[test]
fn an_unsupported_kind_is_rp0105() {
    let err = load_error(
        "apiVersion: release-policy/v1\nkind: PolicyTest\nmetadata: {name: t}\nspec: {cases: []}\n",
    );
    assert_error(
        &err,
        "RP0105",
        "p.yaml:2:7",
        "unsupported kind `PolicyTest`",
        Some(
            "policy files hold `kind: Policy`, `kind: RolloutPolicy` or `kind: ReviewPolicy`; policy tests go in files named `*.test.yaml`",
        ),
    );
}

#[test]
fn a_policy_named_twice_in_a_layer_is_rp0106() {
    let err = load_error(&format!(
        "---\n{HEAD}  gates:\n    - {{id: a, expression: 'true'}}\n---\n{HEAD}  gates:\n    - {{id: b, expression: 'true'}}\n"
    ));
    assert_error(
        &err,
        "RP0106",
        "p.yaml:11:18",
        "duplicate policy name `t`",
        Some("first defined at p.yaml:4:18; a layer holds each policy once"),
    );
}

#[test]
fn duplicate_rule_ids_are_rp0107() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'true'}}\n    - {{id: a, expression: 'true'}}\n"
    ));
    assert_error(
        &err,
        "RP0107",
        "p.yaml:7:12",
        "duplicate rule id `a`",
        Some(
            "also defined at p.yaml:6:12; to tighten a rule of an earlier layer, amend it in a policy of the same name",
        ),
    );
}

#[test]
fn a_version_that_is_not_semver_is_rp0108() {
    let err = load_error(
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, version: 1.2}\nspec: {}\n",
    );
    assert_error(
        &err,
        "RP0108",
        "p.yaml:3:30",
        "invalid semantic version `1.2`: unexpected end of input while parsing minor version number",
        Some("write a full version such as `1.2.0`, quoted"),
    );
}

#[test]
fn a_builder_without_layers_is_rp0110() {
    let err = Bundle::builder().build().unwrap_err();
    assert_error(
        &err,
        "RP0110",
        "bundle",
        "no policy layers given",
        Some("add a layer: `dir_layer`, `yaml_layer` or `builtin_layer`"),
    );
}

#[test]
fn a_layer_disabling_an_unknown_rule_is_rp0113() {
    let err = layered(
        "  gates:\n    - {id: a, expression: 'true'}\n",
        "  disable: [b]\n",
    );
    assert_error(
        &err,
        "RP0113",
        "team.yaml:5:13",
        "cannot disable `b`: policy `t` has no such rule",
        None,
    );
}

#[test]
fn a_layer_disabling_a_fixed_rule_is_rp0111() {
    let err = layered(
        "  gates:\n    - {id: a, expression: 'true'}\n",
        "  disable: [a]\n",
    );
    assert_error(
        &err,
        "RP0111",
        "team.yaml:5:13",
        "layer disables gate `a`",
        Some(
            "the rule is defined at org.yaml:6:12 without `overridable: true`; a later layer may only add rules or tighten them",
        ),
    );
}

/// Refused before parsing.
#[test]
fn deep_yaml_in_a_policy_is_rp0114() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'true', controls: {}{}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    ));
    assert_error(
        &err,
        "RP0114",
        "p.yaml:6:108",
        "`[`/`{` nesting deeper than the limit of 64",
        None,
    );
}

#[test]
fn a_policy_over_the_size_limit_is_rp0116() {
    let err = Bundle::builder()
        .limits(Limits {
            max_policy_bytes: 10,
            ..Limits::default()
        })
        .yaml_layer("p.yaml", HEAD)
        .build()
        .unwrap_err();
    assert_error(
        &err,
        "RP0116",
        "p.yaml",
        "policy is 85 bytes, more than the limit of 10",
        None,
    );
}

#[test]
fn rollout_rules_in_a_release_policy_are_rp0117() {
    let err = load_error(&format!(
        "{HEAD}  triggers:\n    - {{id: t, metric: m, above: 1}}\n"
    ));
    assert_error(
        &err,
        "RP0117",
        "p.yaml:6:7",
        "a `Policy` cannot hold `triggers`",
        Some(
            "put `triggers` in a `kind: RolloutPolicy` document: `check` reads release policies, `assess` rollout policies, `review` review policies",
        ),
    );
}

#[test]
fn a_variable_declared_twice_is_rp0118() {
    let err = load_error(&format!(
        "{HEAD}  variables:\n    - {{name: a, expression: '1'}}\n    - {{name: a, expression: '2'}}\n"
    ));
    assert_error(
        &err,
        "RP0118",
        "p.yaml:7:14",
        "duplicate variable `a` in policy `t`",
        Some("each variable is declared once; rename one of them"),
    );
}

#[test]
fn a_file_of_empty_documents_is_rp0119() {
    let err = load_error("# nothing here\n---\n");
    assert_error(
        &err,
        "RP0119",
        "p.yaml",
        "the policies hold no rules (`gates`, `approvals`, `triggers`, `promotion`, `analysis`, `burnRate`, `qualityGates`, `criteria` or `instability`)",
        Some("an empty bundle would let every release go"),
    );
}

#[test]
fn a_policy_without_rules_is_rp0119() {
    let err = load_error(
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, version: 1.0.0}\nspec: {}\n",
    );
    assert_error(
        &err,
        "RP0119",
        "p.yaml",
        "the policies hold no rules (`gates`, `approvals`, `triggers`, `promotion`, `analysis`, `burnRate`, `qualityGates`, `criteria` or `instability`)",
        Some("an empty bundle would let every release go"),
    );
}

#[test]
fn a_cel_syntax_error_is_rp0201() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'release.id =='}}\n"
    ));
    assert_error(
        &err,
        "RP0201",
        "p.yaml:6:41",
        "syntax error: mismatched input '<eof>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', num_float, num_int, num_uint, string, bytes, identifier}",
        None,
    );
}

#[test]
fn an_unknown_name_is_rp0202() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'relase.id == \"x\"'}}\n"
    ));
    assert_error(
        &err,
        "RP0202",
        "p.yaml:6:28",
        "unknown name `relase`",
        Some("did you mean `release`?"),
    );
}

#[test]
fn an_unknown_fact_field_is_rp0203() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'release.enviroment == \"x\"'}}\n"
    ));
    assert_error(
        &err,
        "RP0203",
        "p.yaml:6:35",
        "unknown field `enviroment` in `release`",
        Some("did you mean `environment`?"),
    );
}

#[test]
fn an_unknown_variable_is_rp0204() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'variables.nope'}}\n"
    ));
    assert_error(
        &err,
        "RP0204",
        "p.yaml:6:37",
        "unknown variable `nope`",
        Some("a variable must be declared before the rules and variables that use it"),
    );
}

#[test]
fn a_condition_that_is_not_a_bool_is_rp0205() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'release.id'}}\n"
    ));
    assert_error(
        &err,
        "RP0205",
        "p.yaml:6:28",
        "expression gives a string, not a bool",
        Some("compare it, e.g. `x == \"value\"` or `size(x) > 0`"),
    );
}

#[test]
fn versions_compared_as_strings_are_rp0206() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'release.version > \"10.0.0\"'}}\n"
    ));
    assert_error(
        &err,
        "RP0206",
        "p.yaml:6:44",
        "versions compared as strings: `\"10.0.0\" < \"9.0.0\"` is true",
        Some("compare versions with `semver.compare(a, b) < 0`"),
    );
}

#[test]
fn an_expression_over_the_length_limit_is_rp0207() {
    let err = Bundle::builder()
        .limits(Limits {
            max_expression_len: 8,
            ..Limits::default()
        })
        .yaml_layer(
            "p.yaml",
            format!("{HEAD}  gates:\n    - {{id: a, expression: 'release.id == \"x\"'}}\n"),
        )
        .build()
        .unwrap_err();
    assert_error(
        &err,
        "RP0207",
        "p.yaml:6:27",
        "expression is 17 bytes, more than the limit of 8",
        None,
    );
}

#[test]
fn an_expression_nested_too_deep_is_rp0208() {
    let deep = format!("{}true{}", "(".repeat(40), ")".repeat(40));
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - id: a\n      expression: '{deep}'\n"
    ));
    assert_error(
        &err,
        "RP0208",
        "p.yaml:7:52",
        "expression nests deeper than the limit of 32",
        Some("split it into `variables`"),
    );
}

#[test]
fn an_unknown_function_is_rp0209() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'release.id.startWith(\"x\")'}}\n"
    ));
    assert_error(
        &err,
        "RP0209",
        "p.yaml:6:48",
        "unknown function `startWith`",
        Some("did you mean `startsWith`?"),
    );
}

/// Issue 9, item 9: `extensions.x.map(k, k) == ["a", "b"]` gave go,
/// no-go, go over three runs (the interpreter's maps had no order). Maps
/// now iterate in sorted key order everywhere: the same verdict every time,
/// whatever order the keys came in.
#[test]
fn map_iteration_order_cannot_change_a_verdict() {
    let b = policy(concat!(
        "  gates:\n",
        "    - {id: keys, expression: 'extensions.x.map(k, k) == [\"a\", \"b\", \"c\"]'}\n",
        "    - {id: values, expression: 'extensions.x.transformList(k, v, v) == [1, 2, 3]'}\n",
        "    - {id: picked, expression: 'extensions.x.filter(k, extensions.x[k] > 1) == [\"b\", \"c\"]'}\n",
    ));
    let mut first = None;
    for order in [
        r#"{"c": 3, "a": 1, "b": 2}"#,
        r#"{"b": 2, "c": 3, "a": 1}"#,
        r#"{"a": 1, "b": 2, "c": 3}"#,
    ] {
        for _ in 0..3 {
            let mut j = base_json();
            j["extensions"] =
                json!({ "x": serde_json::from_str::<serde_json::Value>(order).unwrap() });
            let d = check(&b, j);
            for id in ["keys", "values", "picked"] {
                assert_eq!(
                    d.finding(id).unwrap().outcome(),
                    Outcome::Pass,
                    "{id} with {order}"
                );
            }
            let json = d.to_json();
            assert_eq!(first.get_or_insert_with(|| json.clone()), &json);
        }
    }
}

#[test]
fn a_malformed_duration_literal_is_rp0211() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'duration(\"14x\") > duration(\"1d\")'}}\n"
    ));
    assert_error(
        &err,
        "RP0211",
        "p.yaml:6:36",
        "invalid duration `14x`",
        Some("CEL durations use `h`, `m`, `s`, `ms`: write `duration(\"336h\")` or `days(14)`"),
    );
}

#[test]
fn an_approval_gate_without_approvers_is_rp0305() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'true', effect: approval}}\n"
    ));
    assert_error(
        &err,
        "RP0305",
        "p.yaml:6:43",
        "gate `a` has `effect: approval` but no `approvers`",
        Some("name the roles whose approval lifts the gate: `approvers: [sre-lead]`"),
    );
}

#[test]
fn a_quorum_over_the_roles_is_rp0303() {
    let err = load_error(&format!(
        "{HEAD}  approvals:\n    - {{id: r, roles: [dev], quorum: 2}}\n"
    ));
    assert_error(
        &err,
        "RP0303",
        "p.yaml:6:37",
        "quorum `2` is more than the 1 roles of approval `r`",
        None,
    );
}

#[test]
fn an_approval_without_roles_is_rp0303() {
    let err = load_error(&format!("{HEAD}  approvals:\n    - {{id: r, roles: []}}\n"));
    assert_error(
        &err,
        "RP0303",
        "p.yaml:6:22",
        "approval `r` names no `roles`",
        None,
    );
}

/// A role named twice would count twice towards a quorum.
#[test]
fn a_role_listed_twice_is_rp0304() {
    let err = load_error(&format!(
        "{HEAD}  approvals:\n    - {{id: r, roles: [dev, dev, sec], quorum: 2}}\n"
    ));
    assert_error(
        &err,
        "RP0304",
        "p.yaml:6:28",
        "`dev` is listed twice in `roles` of `r`",
        None,
    );
}

#[test]
fn a_waiver_role_listed_twice_is_rp0304() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: g, expression: 'true', waivableBy: [sec, sec]}}\n"
    ));
    assert_error(
        &err,
        "RP0304",
        "p.yaml:6:53",
        "`sec` is listed twice in `waivableBy` of `g`",
        None,
    );
}

#[test]
fn an_unknown_facts_field_is_rp0402() {
    let err = Error::from(Facts::parse("now: 2026-11-26T10:00:00Z\nrelease: {id: x, service: s, version: '1.0.0', enviroment: p, kind: standard, author: a}\n").unwrap_err());
    assert_error(
        &err,
        "RP0402",
        "$.release.enviroment",
        "unknown field `enviroment`, expected one of `id`, `service`, `version`, `previousVersion`, `environment`, `kind`, `author`, `changes`, `labels`",
        Some(
            "facts fields are camelCase; check the spelling against `release-policy schema facts`",
        ),
    );
}

#[test]
fn a_facts_value_of_the_wrong_type_is_rp0403() {
    let err = Error::from(Facts::parse("now: 2026-11-26T10:00:00Z\nrelease: {id: x, service: s, version: [2], environment: p, kind: standard, author: a}\n").unwrap_err());
    assert_error(
        &err,
        "RP0403",
        "$.release.version",
        "invalid type: sequence, expected a semantic version string such as \"2.4.0\"",
        None,
    );
}

#[test]
fn malformed_facts_json_is_rp0401() {
    let err = Error::from(Facts::parse("{\"now\": \"2026-11-26T10:00:00Z\",").unwrap_err());
    assert_error(&err, "RP0401", "", "EOF while parsing a value", None);
}

#[test]
fn malformed_facts_yaml_is_rp0401() {
    let err = Error::from(Facts::parse("now: [1,\n").unwrap_err());
    assert_error(
        &err,
        "RP0401",
        "",
        "did not find expected node content",
        None,
    );
}

#[test]
fn an_impossible_facts_value_is_rp0404() {
    let mut j = base_json();
    j["service"]["slos"] =
        json!([{"name": "a", "indicator": "i", "objective": 99.9, "errorRatio": 2.0}]);
    let err = Error::from(Facts::from_json_value(j, &Limits::default()).unwrap_err());
    assert_error(
        &err,
        "RP0404",
        "$.service.slos[0].errorRatio",
        "error ratio `2` is not between 0 and 1",
        None,
    );
}

#[test]
fn facts_over_the_size_limit_are_rp0405() {
    let big = " ".repeat(50 * 1024 * 1024);
    let err = Error::from(Facts::parse(&big).unwrap_err());
    assert_error(
        &err,
        "RP0405",
        "",
        "facts are larger than the limit of 8388608 bytes",
        Some("send only the facts the policies read, or raise `Limits::max_facts_bytes`"),
    );
}

/// Found while the facts are bound for evaluation.
#[test]
fn a_facts_list_over_the_limit_is_rp0406() {
    let mut j = base_json();
    j["approvals"] = json!((0..2000).map(|i| json!({"role": "qa", "by": format!("p{i}"), "decision": "approve", "at": "2026-11-25T10:00:00Z"})).collect::<Vec<_>>());
    let err = Bundle::builtin()
        .check(&Facts::from_json_value(j, &Limits::default()).unwrap())
        .unwrap_err();
    assert_error(
        &err,
        "RP0406",
        "$.approvals",
        "list has 2000 items, more than the limit of 1000",
        None,
    );
}

/// Refused before parsing.
#[test]
fn deep_yaml_facts_are_rp0406() {
    let deep = format!(
        "now: 2026-11-26T10:00:00Z\nextensions: {{x: {}{}}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let facts_err = Facts::parse(&deep).unwrap_err();
    assert_eq!(facts_err.position, Some((2, 80)));
    let err = Error::from(facts_err);
    assert_error(
        &err,
        "RP0406",
        "",
        "`[`/`{` nesting deeper than the limit of 64",
        None,
    );
}

#[test]
fn facts_that_are_not_utf8_are_rp0407() {
    let err = Error::from(Facts::from_slice(&[0xff, 0xfe], &Limits::default()).unwrap_err());
    assert_error(
        &err,
        "RP0407",
        "",
        "facts are not valid UTF-8 (invalid byte at offset 0)",
        None,
    );
}

#[test]
fn a_facts_error_names_its_input() {
    let err = Error::from(Facts::parse("now: 2026-11-26T10:00:00Z\nrelease: {id: x, service: s, version: [2], environment: p, kind: standard, author: a}\n").unwrap_err().with_input("facts.yaml"));
    assert_error(
        &err,
        "RP0403",
        "facts.yaml:2:39: $.release.version",
        "invalid type: sequence, expected a semantic version string such as \"2.4.0\"",
        None,
    );
}

#[test]
fn checking_without_a_release_policy_is_rp0501() {
    let b = Bundle::from_yaml_str("r.yaml", "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {name: r, version: 1.0.0}\nspec:\n  triggers:\n    - {id: t, metric: m, above: 1}\n").unwrap();
    let err = b
        .check(&facts("examples/releases/payments-1.8.0.yaml"))
        .unwrap_err();
    assert_error(
        &err,
        "RP0501",
        "",
        "the bundle holds no release `Policy`, so it cannot check a release",
        None,
    );
}

#[test]
fn a_missing_policy_directory_is_rp0602() {
    let err = Bundle::from_dir("/no/such/dir").unwrap_err();
    assert_error(&err, "RP0602", "/no/such/dir", "not a directory", None);
}

/// A fresh, empty temporary directory for one test.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_directory_without_policy_files_is_rp0109() {
    let dir = temp_dir("empty");
    std::fs::write(dir.join("x.test.yaml"), "").unwrap();
    let err = Bundle::from_dir(&dir).unwrap_err();
    assert_error(
        &err,
        "RP0109",
        &dir.display().to_string(),
        "no policy files (`.yaml`, `.yml` or `.json`) in this directory",
        Some("policy tests (`*.test.yaml`) and `testdata/` are not policies"),
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_policy_file_that_is_not_utf8_is_rp0115() {
    let dir = temp_dir("utf8");
    let file = dir.join("bad.yaml");
    std::fs::write(&file, [b'a', 0xff, 0xfe, 0x00]).unwrap();
    let err = Bundle::from_dir(&dir).unwrap_err();
    assert_error(
        &err,
        "RP0115",
        &file.display().to_string(),
        "file is not valid UTF-8 (invalid byte at offset 1)",
        None,
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_dangling_link_in_a_policy_directory_is_rp0123() {
    let dir = temp_dir("unreadable");
    let file = dir.join("p.yaml");
    // A dangling symlink is listed but is no regular file: refused, not read.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("nowhere"), &file).unwrap();
        let err = Bundle::from_dir(&dir).unwrap_err();
        assert_error(
            &err,
            "RP0123",
            &file.display().to_string(),
            "not a regular file (a FIFO, socket, device or broken link)",
            Some(
                "policy directories hold files only; list it in `.release-policy-ignore` to leave it alone",
            ),
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_error_of_a_load_is_reported_with_its_own_code() {
    let err = load_error(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'relase.id == \"x\"'}}\n    - {{id: b, expression: 'release.id'}}\n"
    ));
    let all = err.policy_errors();
    assert_eq!(all.len(), 2, "{err}");
    assert_eq!(err.code().as_str(), "RP0202");
    assert_policy_error(
        all[0],
        "RP0202",
        "p.yaml:6:28",
        "unknown name `relase`",
        Some("did you mean `release`?"),
    );
    assert_policy_error(
        all[1],
        "RP0205",
        "p.yaml:7:28",
        "expression gives a string, not a bool",
        Some("compare it, e.g. `x == \"value\"` or `size(x) > 0`"),
    );
    assert_eq!(err.hint(), Some("did you mean `release`?"));
}
