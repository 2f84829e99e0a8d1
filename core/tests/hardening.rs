//! Regression tests for the attacks of the adversarial probe: each test is
//! named after the attack and asserts that it no longer gets a wrong `go`
//! (or a wrong `promote`) out of the engine. See `docs/security.md`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{base_json, check, policy};
use release_policy::{Bundle, Facts, Outcome, Verdict};
use serde_json::json;

/// A rule that needs one approval from `qa`, never by the author.
fn qa_signoff() -> Bundle {
    policy(
        "  approvals:\n    - id: qa-signoff\n      roles: [qa]\n      separationOfDuties: true\n",
    )
}

fn approved_by(by: &str) -> serde_json::Value {
    let mut j = base_json();
    j["release"]["author"] = json!("alice");
    j["approvals"] = json!([
        {"role": "qa", "by": by, "decision": "approve", "at": "2026-11-26T09:00:00Z"}
    ]);
    j
}

fn outcome(d: &release_policy::Decision, rule: &str) -> Outcome {
    d.findings()
        .iter()
        .find(|f| f.rule() == rule)
        .map(|f| f.outcome())
        .unwrap_or_else(|| panic!("no finding for {rule}"))
}

#[test]
fn look_alike_cyrillic_author_cannot_self_approve() {
    let d = check(&qa_signoff(), approved_by("\u{430}lice"));
    assert_eq!(outcome(&d, "qa-signoff"), Outcome::Fail);
    assert_eq!(d.verdict(), Verdict::Pending);
}

#[test]
fn look_alike_zero_width_space_author_cannot_self_approve() {
    let d = check(&qa_signoff(), approved_by("alice\u{200b}"));
    assert_eq!(d.verdict(), Verdict::Pending);
}

#[test]
fn look_alike_full_width_author_cannot_self_approve() {
    let d = check(&qa_signoff(), approved_by("ａｌｉｃｅ"));
    assert_eq!(d.verdict(), Verdict::Pending);
}

#[test]
fn a_different_person_still_approves() {
    let d = check(&qa_signoff(), approved_by("bob"));
    assert_eq!(outcome(&d, "qa-signoff"), Outcome::Pass);
    assert_eq!(d.verdict(), Verdict::Go);
}

fn facts_error(j: serde_json::Value) -> String {
    match Facts::from_json_value(j, &release_policy::Limits::default()) {
        Ok(_) => panic!("facts were accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn nul_in_an_identity_is_a_facts_error_with_the_path() {
    let e = facts_error(approved_by("al\0ice"));
    assert!(e.starts_with("$.approvals[0].by: "), "{e}");
    assert!(e.contains("U+0000"), "{e}");
}

#[test]
fn empty_approver_is_a_facts_error() {
    let e = facts_error(approved_by(""));
    assert!(e.starts_with("$.approvals[0].by: "), "{e}");
    assert!(e.contains("blank"), "{e}");
}

#[test]
fn blank_approver_is_a_facts_error() {
    let e = facts_error(approved_by("   "));
    assert!(e.contains("blank"), "{e}");
}

#[test]
fn empty_author_is_a_facts_error() {
    let mut j = base_json();
    j["release"]["author"] = json!("");
    let e = facts_error(j);
    assert!(e.starts_with("$.release.author: "), "{e}");
}

#[test]
fn invisible_waiver_signer_is_a_facts_error() {
    let mut j = base_json();
    j["waivers"] = json!([{
        "rule": "x", "by": "\u{200b}", "role": "security", "reason": "r",
        "expires": "2026-12-01T00:00:00Z"
    }]);
    let e = facts_error(j);
    assert!(e.starts_with("$.waivers[0].by: "), "{e}");
}

fn dev_and_qa(distinct: bool) -> Bundle {
    policy(&format!(
        "  approvals:\n    - id: review\n      roles: [development, qa]\n      distinctPeople: {distinct}\n"
    ))
}

fn approvals(list: serde_json::Value) -> serde_json::Value {
    let mut j = base_json();
    j["approvals"] = list;
    j
}

#[test]
fn one_person_every_role_is_one_approval_with_distinct_people() {
    let one = approvals(json!([
        {"role": "development", "by": "bob", "decision": "approve", "at": "2026-11-26T09:00:00Z"},
        {"role": "qa", "by": "bob", "decision": "approve", "at": "2026-11-26T09:00:00Z"}
    ]));
    assert_eq!(
        check(&dev_and_qa(true), one.clone()).verdict(),
        Verdict::Pending
    );
    // Without the option (the default), one person may hold both roles.
    assert_eq!(check(&dev_and_qa(false), one).verdict(), Verdict::Go);
}

#[test]
fn distinct_people_finds_an_assignment_when_there_is_one() {
    // bob could be development or qa; carol only qa: bob must count as
    // development (a greedy first pick of qa for bob would fail).
    let two = approvals(json!([
        {"role": "qa", "by": "bob", "decision": "approve", "at": "2026-11-26T09:00:00Z"},
        {"role": "development", "by": "bob", "decision": "approve", "at": "2026-11-26T09:00:00Z"},
        {"role": "qa", "by": "carol", "decision": "approve", "at": "2026-11-26T09:00:00Z"}
    ]));
    assert_eq!(check(&dev_and_qa(true), two).verdict(), Verdict::Go);
}

#[test]
fn a_layer_cannot_drop_distinct_people() {
    let org = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, version: 1.0.0}\nspec:\n  approvals:\n    - id: review\n      roles: [development, qa]\n      distinctPeople: true\n";
    let team = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, version: 1.0.0}\nspec:\n  approvals:\n    - id: review\n      roles: [development, qa]\n";
    let e = Bundle::builder()
        .yaml_layer("org.yaml", org)
        .yaml_layer("team.yaml", team)
        .build()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("layer loosens approval `review`"), "{e}");
}

fn with_team_layer(team: &str) -> Result<Bundle, String> {
    Bundle::builder()
        .builtin_layer()
        .yaml_layer("team.yaml", team)
        .build()
        .map_err(|e| e.to_string())
}

#[test]
fn a_team_layer_cannot_disable_environment_known() {
    let team = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: release-basics}\nspec:\n  disable: [environment-known]\n";
    let e = with_team_layer(team).err().unwrap_or_default();
    assert!(e.contains("layer disables gate `environment-known`"), "{e}");
}

#[test]
fn a_team_layer_cannot_turn_change_kinds_known_into_a_warning() {
    let team = r#"apiVersion: release-policy/v1
kind: Policy
metadata: {name: release-basics}
spec:
  gates:
    - id: change-kinds-known
      expression: release.changes.all(c, c.kind in variables.changeKinds)
      effect: warn
"#;
    let e = with_team_layer(team).err().unwrap_or_default();
    assert!(e.contains("layer loosens gate `change-kinds-known`"), "{e}");
}

#[test]
fn a_team_layer_extends_the_known_environments() {
    let team = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: release-basics}\nspec:\n  variables:\n    - {name: environments, expression: '[\"canary-eu\"]'}\n";
    let bundle = with_team_layer(team).unwrap_or_else(|e| panic!("{e}"));
    let mut j = base_json();
    j["release"]["environment"] = json!("canary-eu");
    assert_eq!(
        outcome(&check(&bundle, j.clone()), "environment-known"),
        Outcome::Pass
    );
    // … and `Production` is still unknown: the gate is still there.
    j["release"]["environment"] = json!("Production");
    let d = check(&bundle, j);
    assert_eq!(outcome(&d, "environment-known"), Outcome::Fail);
    assert_eq!(d.verdict(), Verdict::NoGo);
}

#[test]
fn an_extension_that_is_not_a_list_is_refused_where_it_is_written() {
    let team = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: release-basics}\nspec:\n  variables:\n    - {name: environments, expression: '\"canary-eu\"'}\n";
    let e = with_team_layer(team).err().unwrap_or_default();
    assert!(e.starts_with("team.yaml:"), "{e}");
    assert!(e.contains("must be a list"), "{e}");
}

#[test]
fn near_miss_change_kinds_block_the_builtin_pack() {
    for kind in ["auth-change ", "Auth-Change", "User-Data"] {
        let mut j = base_json();
        j["release"]["changes"] = json!([{"kind": kind}]);
        let d = check(&Bundle::builtin(), j);
        assert_eq!(outcome(&d, "change-kinds-known"), Outcome::Fail, "{kind:?}");
        assert_eq!(d.verdict(), Verdict::NoGo, "{kind:?}");
    }
}

fn regression_rollout() -> String {
    std::fs::read_to_string(
        common::root().join("examples/rollouts/checkout-latency-regression.yaml"),
    )
    .unwrap()
}

#[test]
fn duplicate_metric_keys_cannot_hide_a_breach() {
    // The breaching series given first, a healthy copy under the same key
    // after it: the last would win in a plain map, and the rollout promote.
    let text = regression_rollout();
    let healthy = "  latency-p99:\n    source: server\n    canary: [{at: 2026-11-26T10:59:00Z, value: 1}]\n    baseline: [{at: 2026-11-26T10:59:00Z, value: 1}]\n";
    let text = text.replace("synthetics:\n", &format!("{healthy}synthetics:\n"));
    let e = Bundle::builtin()
        .assess_str(&text)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.contains("duplicate entry with key \"latency-p99\""),
        "{e}"
    );
    assert!(e.contains("metrics"), "{e}");
}

#[test]
fn duplicate_keys_in_json_facts_are_refused() {
    let text = r#"{"now": "2026-11-26T10:00:00Z",
        "release": {"id": "a", "service": "a", "version": "1.0.0", "environment": "production",
                    "kind": "standard", "author": "alice",
                    "labels": {"risk": "high", "risk": "low"}}}"#;
    let e = Facts::parse(text)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("duplicate key `risk`"), "{e}");
    assert!(e.contains("$.release.labels"), "{e}");
    let code = Facts::parse(text).err().map(|e| e.code().as_str());
    assert_eq!(code, Some("RP0409"));
}

#[test]
fn duplicate_keys_deep_in_extensions_are_refused() {
    let text = "now: 2026-11-26T10:00:00Z\nrelease: {id: a, service: a, version: \"1.0.0\", environment: production, kind: standard, author: alice}\nextensions:\n  x: {a: 1, a: 2}\n";
    let err = Facts::parse(text).expect_err("refused");
    assert_eq!(err.code().as_str(), "RP0409");
    let e = err.to_string();
    assert!(e.contains("duplicate entry with key \"a\""), "{e}");
}

#[test]
fn duplicate_keys_in_policy_maps_are_refused() {
    let text = "apiVersion: release-policy/v1\nkind: Policy\nmetadata:\n  name: t\n  labels: {tier: a, tier: b}\nspec:\n  gates:\n    - {id: g, expression: 'true'}\n";
    let e = Bundle::from_yaml_str("t.yaml", text)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("duplicate entry with key \"tier\""), "{e}");
}

#[test]
fn equivalent_slo_windows_are_refused() {
    let text = regression_rollout().replace("{5m: 0.0004,", "{5m: 0.0004, 300s: 0.5,");
    let e = Bundle::builtin()
        .assess_str(&text)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("is the same as"), "{e}");
    assert!(e.contains("$.slos.availability.errorRatio"), "{e}");
}

fn with_service(patch: serde_json::Value) -> serde_json::Value {
    let mut j = base_json();
    for (k, v) in patch.as_object().unwrap() {
        j["service"][k] = v.clone();
    }
    j
}

#[test]
fn tier_out_of_range_is_a_facts_error() {
    for tier in [0, 5, 99] {
        let e = facts_error(with_service(json!({"tier": tier})));
        assert!(e.starts_with("$.service.tier: "), "{e}");
    }
}

#[test]
fn error_budget_as_a_percentage_is_a_facts_error() {
    let e = facts_error(with_service(json!({"errorBudgetRemaining": 6})));
    assert!(e.starts_with("$.service.errorBudgetRemaining: "), "{e}");
}

#[test]
fn infinite_or_nan_error_budget_in_yaml_is_a_facts_error() {
    for v in [".nan", ".inf", "-.inf"] {
        let text = format!(
            "now: 2026-11-26T10:00:00Z\nrelease: {{id: a, service: a, version: \"1.0.0\", environment: production, kind: standard, author: alice}}\nservice: {{owner: a, tier: 1, errorBudgetRemaining: {v}}}\n"
        );
        let e = Facts::parse(&text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("$.service.errorBudgetRemaining"), "{v}: {e}");
    }
}

const GATE: &str = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: NAME}\nspec:\n  gates:\n    - {id: ID, expression: 'false'}\n";

fn policy_dir(files: &[(&str, String)]) -> tempdir::Dir {
    let dir = tempdir::Dir::new();
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn gate(name: &str) -> String {
    GATE.replace("NAME", name)
        .replace("ID", &format!("{name}-gate"))
}

mod tempdir {
    /// A directory under the target dir, removed on drop.
    pub struct Dir(std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let p = std::env::temp_dir().join(format!(
                "rp-hardening-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn policy_files_in_any_case_and_json_are_loaded_not_skipped() {
    let json = r#"{"apiVersion": "release-policy/v1", "kind": "Policy", "metadata": {"name": "e"}, "spec": {"gates": [{"id": "e-gate", "expression": "false"}]}}"#;
    let dir = policy_dir(&[
        ("a.yaml", gate("a")),
        ("b.YAML", gate("b")),
        ("c.Yaml", gate("c")),
        ("d.yml", gate("d")),
        ("e.json", json.to_string()),
    ]);
    let bundle = Bundle::from_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bundle.policies().len(), 5, "{:?}", bundle.policies());
    assert_eq!(bundle.sources().len(), 5);
}

#[test]
fn a_file_that_is_not_a_policy_is_refused_not_skipped() {
    for stray in ["block", "block.txt", ".block.yaml"] {
        let dir = policy_dir(&[("a.yaml", gate("a")), (stray, gate("x"))]);
        let e = Bundle::from_dir(dir.path())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("not a policy file"), "{stray}: {e}");
        assert!(e.contains(stray), "{stray}: {e}");
    }
}

#[test]
fn an_ignore_file_leaves_listed_files_alone() {
    let dir = policy_dir(&[
        ("a.yaml", gate("a")),
        ("README.md", "# policies".into()),
        ("notes/plan.txt", "x".into()),
        (
            ".release-policy-ignore",
            "*.md  # docs\nnotes/plan.txt\n".into(),
        ),
    ]);
    let bundle = Bundle::from_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bundle.policies().len(), 1);
}

#[test]
fn policy_tests_beside_policies_are_not_refused() {
    let dir = policy_dir(&[("a.yaml", gate("a")), ("a.test.YAML", "x".into())]);
    assert!(Bundle::from_dir(dir.path()).is_ok());
}

#[cfg(unix)]
#[test]
fn a_fifo_in_a_policy_directory_is_refused_without_opening_it() {
    let dir = policy_dir(&[("a.yaml", gate("a"))]);
    let fifo = dir.path().join("pipe.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo not available; skipped");
        return;
    }
    // Opening a FIFO for reading would block this test forever.
    let e = Bundle::from_dir(dir.path())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("not a regular file"), "{e}");
}

#[test]
fn yaml_alias_bomb_in_facts_is_refused_before_expansion() {
    let mut text = String::from(
        "now: 2026-11-26T10:00:00Z\nrelease: {id: a, service: a, version: \"1.0.0\", environment: production, kind: standard, author: alice}\n",
    );
    text.push_str("labels: &l0 {a: b}\nextensions:\n");
    for i in 1..30 {
        text.push_str(&format!(
            "  l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}]\n",
            p = i - 1
        ));
    }
    let start = std::time::Instant::now();
    let err = Facts::parse(&text).expect_err("refused");
    assert!(err.to_string().contains("YAML aliases"), "{err}");
    assert_eq!(
        err.position,
        Some((5, 12)),
        "the position of the first alias"
    );
    // No expansion happened: 4^29 copies would never finish.
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn yaml_aliases_in_policies_are_refused_with_a_location() {
    let text = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, owners: &o [a]}\nspec:\n  gates:\n    - {id: g, expression: 'true', controls: *o}\n";
    let e = Bundle::from_yaml_str("t.yaml", text)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.starts_with("t.yaml:6:"), "{e}");
    assert!(e.contains("YAML aliases"), "{e}");
}

#[test]
fn a_quote_cannot_smuggle_deep_nesting_past_the_precheck() {
    let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    let text = format!(
        "now: 2026-11-26T10:00:00Z\nrelease: {{id: a, service: a, version: \"1.0.0\", environment: production, kind: standard, author: alice}}\nlabels: {{x: [a'b, {deep}]}}\n"
    );
    let start = std::time::Instant::now();
    let e = Facts::parse(&text)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("nesting deeper than the limit"), "{e}");
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn facts_over_the_total_value_limit_are_refused() {
    let limits = release_policy::Limits {
        max_fact_values: 200,
        ..release_policy::Limits::default()
    };
    let bundle = Bundle::builder()
        .limits(limits)
        .builtin_layer()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut j = base_json();
    j["extensions"] = json!({"many": (0..300).collect::<Vec<_>>()});
    let facts = Facts::from_json_value(j, &release_policy::Limits::default()).unwrap();
    let e = bundle
        .check(&facts)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("more than the limit of 200"), "{e}");
}

/// A bundle builds the JSON of the sections its rules read only; the
/// sections it does not read are still held to the limits, and the error
/// still names where.
#[test]
fn facts_over_a_limit_in_a_section_no_rule_reads_are_refused() {
    let bundle = policy("  gates:\n    - {id: named, expression: 'release.id != \"\"'}\n");
    let mut j = base_json();
    j["extensions"] = json!({"many": (0..2000).collect::<Vec<_>>()});
    let facts = Facts::from_json_value(j.clone(), &release_policy::Limits::default()).unwrap();
    let e = bundle
        .check(&facts)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.contains("list has 2000 items, more than the limit of 1000"),
        "{e}"
    );
    assert!(e.contains("$.extensions.many"), "{e}");
    // Within the limits, the same bundle decides.
    j["extensions"] = json!({"many": (0..10).collect::<Vec<_>>()});
    let facts = Facts::from_json_value(j, &release_policy::Limits::default()).unwrap();
    assert!(bundle.check(&facts).is_ok());
}

#[test]
fn a_finding_echoes_a_huge_value_as_a_summary() {
    let bundle = policy("  gates:\n    - {id: big, expression: 'size(extensions.big) == 0'}\n");
    let mut j = base_json();
    j["extensions"] = json!({"big": (0..1000).map(|i| format!("item-{i:04}")).collect::<Vec<_>>()});
    let d = check(&bundle, j);
    let json = serde_json::to_string(&d).unwrap();
    assert!(json.len() < 20_000, "decision is {} bytes", json.len());
    assert!(json.contains("a list of 1000 items"), "{json}");
}

fn load_error(spec: &str) -> String {
    let text = format!(
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {{name: t}}\nspec:\n{spec}"
    );
    Bundle::from_yaml_str("t.yaml", &text)
        .err()
        .map(|e| format!("{}: {}", e.code().as_str(), e))
        .unwrap_or_default()
}

#[test]
fn a_constant_invalid_regex_is_a_load_error() {
    let e = load_error("  gates:\n    - {id: g, expression: 'release.id.matches(\"[a-\")'}\n");
    assert!(e.starts_with("RP0211: t.yaml:6:"), "{e}");
    assert!(e.contains("invalid regular expression `[a-`"), "{e}");
}

#[test]
fn a_huge_regex_literal_is_refused_at_load() {
    let e =
        load_error("  gates:\n    - {id: g, expression: 'release.id.matches(\"\\\\w{200}\")'}\n");
    assert!(e.starts_with("RP0211: "), "{e}");
    assert!(e.contains("too large to compile"), "{e}");
}

#[test]
fn an_ordinary_regex_literal_loads() {
    let bundle =
        policy("  gates:\n    - {id: g, expression: 'release.id.matches(\"^[a-z]+-[0-9.]+$\")'}\n");
    assert_eq!(outcome(&check(&bundle, base_json()), "g"), Outcome::Pass);
}

#[test]
fn a_policy_with_a_byte_order_mark_loads_like_facts_do() {
    let text = "\u{feff}apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t}\nspec:\n  gates:\n    - {id: g, expression: 'true'}\n";
    assert!(Bundle::from_yaml_str("t.yaml", text).is_ok());
}

#[test]
fn a_waiver_without_a_time_zone_says_so() {
    let mut j = base_json();
    j["waivers"] = json!([{"rule": "x", "by": "bob", "role": "security", "reason": "r", "expires": "2026-11-26T10:30:00"}]);
    let e = facts_error(j);
    assert!(
        e.contains("not an RFC 3339 timestamp with a time zone"),
        "{e}"
    );
}

#[test]
fn a_nul_in_a_policy_is_reported_at_its_line_and_column() {
    let text = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t}\nspec:\n  gates:\n    - {id: g, expression: \"tr\0ue\"}\n";
    let e = Bundle::from_yaml_str("t.yaml", text)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.starts_with("t.yaml:6:30: control character U+0000"),
        "{e}"
    );
}

#[test]
fn an_extension_cannot_make_a_near_miss_environment_known() {
    // A layer adding `Production` would make a release to `Production` pass
    // environment-known and skip every `production` policy: refused at load.
    for name in ["Production", "production "] {
        let team = format!(
            "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {{name: release-basics}}\nspec:\n  variables:\n    - {{name: environments, expression: '[\"canary-eu\", \"{name}\"]'}}\n"
        );
        let e = with_team_layer(&team).err().unwrap_or_default();
        assert!(e.starts_with("team.yaml:6:"), "{name:?}: {e}");
        assert!(
            e.contains(&format!(
                "`{name}` in extensible variable `environments` is a near-miss of `production`"
            )),
            "{name:?}: {e}"
        );
    }
}

#[test]
fn an_extension_cannot_make_a_near_miss_change_kind_known() {
    let team = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: release-basics}\nspec:\n  variables:\n    - {name: changeKinds, expression: '[\"experiment\", \"User-Data\"]'}\n";
    let e = with_team_layer(team).err().unwrap_or_default();
    assert!(
        e.contains(
            "`User-Data` in extensible variable `changeKinds` is a near-miss of `user-data`"
        ),
        "{e}"
    );
    // A genuinely new kind the layer adds is known.
    let team = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: release-basics}\nspec:\n  variables:\n    - {name: changeKinds, expression: '[\"experiment\"]'}\n";
    let bundle = with_team_layer(team).unwrap_or_else(|e| panic!("{e}"));
    let mut j = base_json();
    j["release"]["changes"] = json!([{"kind": "experiment"}]);
    assert_eq!(
        outcome(&check(&bundle, j), "change-kinds-known"),
        Outcome::Pass
    );
}

/// The warnings (code, message) of a one-gate bundle.
fn warnings_of(spec: &str) -> Vec<(String, String)> {
    policy(spec)
        .warnings()
        .iter()
        .map(|w| (w.code().as_str().to_string(), w.message.clone()))
        .collect()
}

#[test]
fn errors_absorbed_by_or_are_warned_at_load() {
    let w = warnings_of(
        "  gates:\n    - id: a\n      expression: service.tier <= 2 || release.kind == \"hotfix\"\n",
    );
    assert_eq!(
        w,
        vec![(
            "RP0701".to_string(),
            "`service.tier` may be absent, and `||` absorbs the error of reading it when its other side is true".to_string()
        )]
    );
    // A map key under `&&`.
    let w = warnings_of(
        "  gates:\n    - id: a\n      expression: release.labels.team == \"x\" && release.kind == \"standard\"\n",
    );
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].1
            .starts_with("`release.labels.team` may be absent, and `&&`")
    );
}

#[test]
fn guarded_or_same_fact_operands_are_not_warned() {
    for expression in [
        // guarded in the expression
        "service != null && service.tier <= 2",
        "has(service.errorBudgetRemaining) && service.errorBudgetRemaining > 0.0",
        // both sides read the same absent part: the error stays an error
        "service.tier >= 1 && service.tier <= 2",
        // no logical operator: the error fails the rule
        "service.tier <= 2",
    ] {
        let spec = format!("  gates:\n    - id: a\n      expression: '{expression}'\n");
        assert_eq!(warnings_of(&spec), vec![], "{expression}");
    }
    // Guarded by the rule's `when`.
    let spec = "  gates:\n    - id: a\n      when: has(service.errorBudgetRemaining)\n      expression: service.errorBudgetRemaining > 0.0 || release.kind == \"hotfix\"\n";
    assert_eq!(warnings_of(spec), vec![]);
    // Guarded by the policy's `appliesTo`.
    let spec = "  appliesTo: service != null\n  gates:\n    - id: a\n      expression: service.tier <= 2 || release.kind == \"hotfix\"\n";
    assert_eq!(warnings_of(spec), vec![]);
}

#[test]
fn the_builtin_pack_has_no_lint_warnings() {
    let b = Bundle::try_builtin().unwrap();
    let w: Vec<String> = b.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(w, Vec::<String>::new());
}

#[test]
fn a_layer_changing_applies_to_gets_a_hint_about_applies_to() {
    let org = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, version: 1.0.0}\nspec:\n  appliesTo: release.environment == \"production\"\n  gates:\n    - {id: g, expression: 'true'}\n";
    let team = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, version: 1.0.0}\nspec:\n  appliesTo: 'false'\n";
    let e = Bundle::builder()
        .yaml_layer("org.yaml", org)
        .yaml_layer("team.yaml", team)
        .build()
        .err()
        .unwrap();
    let p = &e.policy_errors()[0];
    assert_eq!(p.message, "layer changes `appliesTo` of policy `t`");
    let hint = p.hint().unwrap();
    assert!(
        hint.starts_with(
            "`appliesTo` is fixed by the first layer that defines the policy (at org.yaml:5:14)"
        ),
        "{hint}"
    );
    assert!(!hint.contains("overridable"), "{hint}");
}

#[test]
fn an_interrupted_check_stops_with_rp0504_and_no_decision() {
    let bundle = release_policy::Bundle::builtin();
    let facts = common::facts("examples/releases/checkout-2.4.0.yaml");
    let asked = std::cell::Cell::new(0);
    let stop_at_third = || {
        asked.set(asked.get() + 1);
        asked.get() >= 3
    };
    let e = bundle
        .check_interruptible(&facts, &stop_at_third)
        .unwrap_err();
    assert_eq!(e.code(), release_policy::ErrorCode::Interrupted);
    assert_eq!(asked.get(), 3);
    // Never interrupted: the same decision as `check`.
    let d = bundle.check_interruptible(&facts, &|| false).unwrap();
    assert_eq!(d.to_json(), bundle.check(&facts).unwrap().to_json());
}

#[test]
fn replace_with_a_fact_as_replacement_is_refused_at_load() {
    // `s.replace("a", s)` over a 64 KiB string builds gigabytes in one call.
    let text = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, version: 1.0.0}\nspec:\n  gates:\n    - id: g\n      expression: 'size(release.id.replace(\"a\", release.id)) > 0'\n";
    let e = Bundle::from_yaml_str("t.yaml", text).err().unwrap();
    let p = &e.policy_errors()[0];
    assert_eq!(p.code().as_str(), "RP0210");
    assert_eq!(
        p.message,
        "the replacement of `replace` must be a string literal of at most 64 bytes"
    );
    // A short literal replacement loads.
    let ok = text.replace("release.id))", "\"b\"))");
    assert!(Bundle::from_yaml_str("t.yaml", &ok).is_ok());
}

#[test]
fn a_test_base_that_is_a_device_or_fifo_is_refused_not_read() {
    // `base: /dev/stdin` (or a FIFO) would block the test run forever;
    // `/dev/zero` would never end. Only regular files are read.
    let dir = std::env::temp_dir().join(format!("rp-base-dev-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("t.test.yaml");
    std::fs::write(
        &file,
        "apiVersion: release-policy/v1\nkind: PolicyTest\nmetadata: {name: t}\nspec:\n  base: /dev/zero\n  cases:\n    - {name: c, patch: {}, expect: {verdict: go}}\n",
    )
    .unwrap();
    let e = release_policy::testing::run_files(&Bundle::builtin(), &[file])
        .err()
        .unwrap();
    assert_eq!(e.code().as_str(), "RP0601");
    assert!(e.to_string().contains("not a regular file"), "{e}");
    std::fs::remove_dir_all(dir).unwrap();
}
