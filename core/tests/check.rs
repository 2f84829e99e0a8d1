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
fn bad_policies_are_located_errors() {
    let e = load_err(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'release.enviroment == \"x\"'}}\n"
    ));
    assert!(
        e.starts_with("p.yaml:6:") && e.contains("did you mean `environment`?"),
        "{e}"
    );
    let e = load_err(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'release.id'}}\n"
    ));
    assert!(e.contains("not a bool"), "{e}");
    let e = load_err(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'true'}}\n    - {{id: a, expression: 'true'}}\n"
    ));
    assert!(e.contains("duplicate rule id `a`"), "{e}");
    let e = load_err(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'release.id =='}}\n"
    ));
    assert!(
        e.starts_with("p.yaml:6:") && e.contains("syntax error"),
        "{e}"
    );
    let e = load_err(
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, version: 1.2}\nspec: {}\n",
    );
    assert!(e.contains("invalid semantic version"), "{e}");
    let e = load_err(&format!(
        "{HEAD}  gates:\n    - {{id: a, expresion: 'true'}}\n"
    ));
    assert!(e.contains("unknown field `expresion`"), "{e}");
    let e = load_err("a: [1,\n");
    assert!(e.starts_with("p.yaml:"), "{e}");
    let deep = format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000));
    let e = load_err(&format!(
        "{HEAD}  gates:\n    - id: a\n      expression: '{deep}'\n"
    ));
    assert!(e.contains("limit"), "{e}");
}

#[test]
fn bad_directories_and_files() {
    let dir = std::env::temp_dir().join(format!("rp-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let e = Bundle::from_dir(&dir)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("no policy files"), "{e}");
    std::fs::write(dir.join("bad.yaml"), [0xff, 0xfe, 0x00]).unwrap();
    let e = Bundle::from_dir(&dir)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("not valid UTF-8"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_facts_are_errors_with_a_json_path() {
    let e = Facts::parse("now: 2026-11-26T10:00:00Z\nrelease: {id: x, service: s, version: '1.0.0', enviroment: p, kind: standard, author: a}\n").unwrap_err();
    assert_eq!(e.path.as_deref(), Some("$.release.enviroment"));
    assert!(e.message.contains("unknown field `enviroment`"));
    let e = Facts::parse("now: 2026-11-26T10:00:00Z\nrelease: {id: x, service: s, version: 2.10, environment: p, kind: standard, author: a}\n").unwrap_err();
    assert_eq!(e.path.as_deref(), Some("$.release.version"));
    let big = " ".repeat(50 * 1024 * 1024);
    assert!(Facts::parse(&big).unwrap_err().message.contains("limit"));
    assert!(
        Facts::from_slice(&[0xff, 0xfe], &Limits::default())
            .unwrap_err()
            .message
            .contains("UTF-8")
    );
    let e = Facts::parse("{\"now\": 1").unwrap_err();
    assert!(e.position.is_some(), "{e:?}");
    let mut j = base_json();
    j["approvals"] = json!((0..2000).map(|i| json!({"role": "qa", "by": format!("p{i}"), "decision": "approve", "at": "2026-11-25T10:00:00Z"})).collect::<Vec<_>>());
    let err = Bundle::builtin()
        .check(&Facts::from_json_value(j, &Limits::default()).unwrap())
        .unwrap_err();
    assert!(
        matches!(err, Error::Facts(ref f) if f.path.as_deref() == Some("$.approvals")),
        "{err}"
    );
}

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
fn duplicate_variables_are_rejected() {
    let e = load_err(&format!(
        "{HEAD}  variables:\n    - {{name: a, expression: '1'}}\n    - {{name: a, expression: '2'}}\n"
    ));
    assert!(
        e.starts_with("p.yaml:7:") && e.contains("duplicate variable `a`"),
        "{e}"
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
fn nested_yaml_facts_errors_say_the_path_once() {
    let e = Facts::parse("now: 2026-11-26T10:00:00Z\nrelease: {id: x, service: s, version: '1.0.0', enviroment: p, kind: standard, author: a}\n").unwrap_err();
    assert!(
        e.message.starts_with("unknown field `enviroment`"),
        "{}",
        e.message
    );
    assert!(e.hint.is_some());
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
fn other_kinds_versions_and_empty_documents() {
    let e = load_err(
        "apiVersion: release-policy/v1\nkind: PolicyTest\nmetadata: {name: t}\nspec: {cases: []}\n",
    );
    assert!(
        e.starts_with("p.yaml:2:") && e.contains("unsupported kind `PolicyTest`"),
        "{e}"
    );
    let e =
        load_err("apiVersion: v2\nkind: Policy\nmetadata: {name: t, version: 1.0.0}\nspec: {}\n");
    assert!(
        e.starts_with("p.yaml:1:") && e.contains("unsupported apiVersion `v2`"),
        "{e}"
    );
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
fn roles_listed_twice_and_empty_bundles_are_refused() {
    let e = load_err(&format!(
        "{HEAD}  approvals:\n    - {{id: r, roles: [dev, dev, sec], quorum: 2}}\n"
    ));
    assert!(e.contains("`dev` is listed twice in `roles` of `r`"), "{e}");
    let e = load_err(&format!(
        "{HEAD}  gates:\n    - {{id: g, expression: 'true', waivableBy: [sec, sec]}}\n"
    ));
    assert!(e.contains("listed twice in `waivableBy`"), "{e}");
    let e = load_err("# nothing here\n---\n");
    assert!(e.contains("hold no rules"), "{e}");
    let e = load_err(
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, version: 1.0.0}\nspec: {}\n",
    );
    assert!(e.contains("hold no rules"), "{e}");
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
fn deep_yaml_is_refused_before_parsing() {
    let deep = format!(
        "now: 2026-11-26T10:00:00Z\nextensions: {{x: {}{}}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let e = Facts::parse(&deep).unwrap_err();
    assert!(
        e.message.contains("nesting deeper than the limit"),
        "{}",
        e.message
    );
    assert_eq!(e.position, Some((2, 80)));
    let e = load_err(&format!(
        "{HEAD}  gates:\n    - {{id: a, expression: 'true', controls: {}{}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    ));
    assert!(
        e.starts_with("p.yaml:6:") && e.contains("nesting deeper"),
        "{e}"
    );
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
