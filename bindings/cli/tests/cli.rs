//! The CLI end to end: exit codes, JSON and Markdown output, errors, and
//! the corpus decisions byte for byte.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run, assert the exit code, and return stdout or stderr as text.
trait Run {
    fn out(&mut self, code: i32) -> String;
    fn err(&mut self, code: i32) -> String;
}

impl Run for Command {
    fn out(&mut self, code: i32) -> String {
        String::from_utf8(self.assert().code(code).get_output().stdout.clone()).unwrap()
    }

    fn err(&mut self, code: i32) -> String {
        String::from_utf8(self.assert().code(code).get_output().stderr.clone()).unwrap()
    }
}

fn cli() -> Command {
    let mut c = Command::cargo_bin("release-policy").unwrap();
    c.current_dir(root());
    c
}

#[test]
fn check_exit_codes_follow_the_verdict() {
    let out = cli()
        .args(["check", "examples/releases/checkout-2.4.0.yaml"])
        .out(1);
    let text = out;
    assert!(text.starts_with("NO-GO checkout-2.4.0"), "{text}");
    assert!(
        text.contains("sca-no-critical") && !text.contains("\x1b["),
        "no colour off a terminal:\n{text}"
    );
    cli()
        .args(["check", "examples/releases/payments-1.8.0.yaml"])
        .assert()
        .code(0);
    let out = cli()
        .args(["check", "examples/releases/search-3.0.0.yaml"])
        .out(3);
    assert!(out.contains("Missing approvals:"));
}

#[test]
fn json_and_markdown_formats() {
    let out = cli()
        .args([
            "check",
            "--format",
            "json",
            "examples/releases/checkout-2.4.0.yaml",
        ])
        .out(1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "release-policy/decision/v2");
    assert_eq!(v["verdict"], "no-go");
    let out = cli()
        .args([
            "check",
            "--format",
            "markdown",
            "examples/releases/checkout-2.4.0.yaml",
        ])
        .out(1);
    let md = out;
    assert!(
        md.starts_with("## ⛔ NO-GO") && md.contains("| `sca-no-critical` |"),
        "{md}"
    );
}

#[test]
fn facts_from_stdin_and_json() {
    let yaml =
        std::fs::read_to_string(root().join("examples/releases/payments-1.8.0.yaml")).unwrap();
    cli()
        .args(["check", "-"])
        .write_stdin(yaml.clone())
        .assert()
        .code(0);
    let v: serde_json::Value = yaml_serde::from_str(&yaml).unwrap();
    cli()
        .arg("check")
        .write_stdin(serde_json::to_string(&v).unwrap())
        .assert()
        .code(0);
}

#[test]
fn layers_and_own_policies() {
    cli()
        .args([
            "check",
            "--policies",
            "policies",
            "examples/releases/payments-1.8.0.yaml",
        ])
        .assert()
        .code(0);
    let dir = std::env::temp_dir().join(format!("rp-cli-team-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("team.yaml"), "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: team, version: 1.0.0}\nspec:\n  gates:\n    - {id: team-freeze, expression: 'release.service != \"payments\"', message: payments is frozen}\n").unwrap();
    let out = cli()
        .args(["check", "--policies", "policies", "--policies"])
        .arg(&dir)
        .arg("examples/releases/payments-1.8.0.yaml")
        .out(1);
    assert!(out.contains("payments is frozen"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_exits_2_with_a_location() {
    let dir = std::env::temp_dir().join(format!("rp-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("p.yaml"), "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: x, version: 1.0.0}\nspec:\n  gates:\n    - {id: a, expression: 'release.enviroment == \"p\"'}\n").unwrap();
    let out = cli().arg("lint").arg(&dir).err(2);
    let err = out;
    assert!(
        err.contains("p.yaml:6:") && err.contains("did you mean `environment`?"),
        "{err}"
    );
    std::fs::write(dir.join("f.yaml"), "now: 2026-11-26T10:00:00Z\nrelease: {id: x, service: s, version: 2.10, environment: p, kind: standard, author: a}\n").unwrap();
    let out = cli().arg("check").arg(dir.join("f.yaml")).err(2);
    let err = out;
    assert!(
        err.contains("f.yaml:2:") && err.contains("$.release.version"),
        "{err}"
    );
    cli().args(["check", "--format", "yaml"]).assert().code(2);
    cli().args(["check", "no-such-file.yaml"]).assert().code(2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn lint_schema_explain_and_test() {
    cli().args(["lint", "policies"]).assert().code(0);
    let out = cli().args(["schema", "facts"]).out(0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["properties"]["release"].is_object());
    let out = cli().args(["schema", "policy"]).out(0);
    assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok());
    let out = cli().args(["explain", "sca-no-critical"]).out(0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["policy"], "security-scans");
    cli().args(["explain", "no-such-rule"]).assert().code(2);
    let out = cli()
        .args(["test", "--require-coverage", "policies"])
        .out(0);
    assert!(out.contains(" passed, 0 failed"));
}

#[test]
fn corpus_decisions_match_byte_for_byte() {
    let dir = root().join("tests/corpus");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let case: serde_json::Value =
            yaml_serde::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let tmp = std::env::temp_dir().join(format!("rp-corpus-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&tmp).unwrap();
        let mut cmd = cli();
        // `check` or `assess`: the CLI command of the same name.
        let command = case["command"].as_str().unwrap_or("check");
        assert!(["check", "assess"].contains(&command), "{command}");
        cmd.args([command, "--format", "json"]);
        if let Some(c) = case["catalog"].as_str() {
            cmd.arg("--catalog").arg(root().join(c));
        }
        if case["policies"] != "builtin" {
            std::fs::write(
                tmp.join("policies.yaml"),
                case["policies"].as_str().unwrap(),
            )
            .unwrap();
            cmd.arg("--policies").arg(&tmp);
        }
        let out = cmd
            .write_stdin(serde_json::to_string(&case["facts"]).unwrap())
            .output()
            .unwrap();
        let want = std::fs::read_to_string(path.with_extension("decision.json")).unwrap();
        let mut got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let want_v: serde_json::Value = serde_json::from_str(&want).unwrap();
        if case["policies"] != "builtin" {
            // Inline policies are loaded from a temporary file here, so only
            // the digest-independent parts are compared for them.
            got["bundle"] = want_v["bundle"].clone();
            assert_eq!(got, want_v, "{}", path.display());
        } else {
            assert_eq!(
                String::from_utf8(out.stdout).unwrap(),
                want,
                "{}",
                path.display()
            );
        }
        std::fs::remove_dir_all(&tmp).unwrap();
        n += 1;
    }
    assert!(n >= 6);
}

#[test]
fn text_from_facts_cannot_fake_output() {
    let yaml =
        std::fs::read_to_string(root().join("examples/releases/checkout-2.4.0.yaml")).unwrap();
    let mut v: serde_json::Value = yaml_serde::from_str(&yaml).unwrap();
    v["release"]["id"] = serde_json::json!("x\u{1b}[32m\nGO fake|<b>");
    let facts = serde_json::to_string(&v).unwrap();
    let out = cli()
        .arg("check")
        .write_stdin(facts.clone())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains("\nGO fake"),
        "{text}"
    );
    let out = cli()
        .args(["check", "--format", "markdown"])
        .write_stdin(facts)
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.lines()
            .next()
            .is_some_and(|l| l.contains("fake&#124;&lt;b&gt;")),
        "{md}"
    );
}

#[test]
fn the_quality_gate_example_exits_as_its_comments_say() {
    let policies = "examples/rollouts/quality-gate/policies";
    for (facts, code, head) in [
        ("checkout-gate-pass.yaml", 0, "PROMOTE"),
        ("checkout-gate-warning.yaml", 3, "HOLD"),
        ("checkout-gate-key-sli-fail.yaml", 1, "ROLLBACK"),
    ] {
        let path = format!("examples/rollouts/quality-gate/{facts}");
        let out = cli()
            .args(["assess", "--policies", policies, path.as_str()])
            .out(code);
        assert!(out.starts_with(head), "{facts}: {out}");
    }
}

#[test]
fn assess_examples_exit_with_their_verdicts() {
    let out = cli()
        .args(["assess", "examples/rollouts/checkout-canary-healthy.yaml"])
        .out(0);
    assert!(out.starts_with("PROMOTE checkout-2.4.0-canary"), "{out}");
    let out = cli()
        .args([
            "assess",
            "examples/rollouts/checkout-latency-regression.yaml",
        ])
        .out(1);
    assert!(
        out.starts_with("ROLLBACK") && out.contains("p99-latency-regression [rollback]"),
        "{out}"
    );
    let out = cli()
        .args(["assess", "examples/rollouts/checkout-no-data.yaml"])
        .out(3);
    assert!(
        out.starts_with("HOLD") && out.contains("samples of `error-rate`"),
        "{out}"
    );
    let out = cli()
        .args([
            "assess",
            "--format",
            "json",
            "examples/rollouts/checkout-latency-regression.yaml",
        ])
        .out(1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "release-policy/assessment/v3");
    assert_eq!(v["verdict"], "rollback");
    assert_eq!(
        v["markers"].as_array().unwrap().last().unwrap()["kind"],
        "rolled-back"
    );
    let out = cli()
        .args([
            "assess",
            "--format",
            "markdown",
            "examples/rollouts/checkout-no-data.yaml",
        ])
        .out(3);
    assert!(out.starts_with("## ⏸️ HOLD"), "{out}");
}

#[test]
fn assess_bad_input_exits_2_with_a_path() {
    let yaml =
        std::fs::read_to_string(root().join("examples/rollouts/checkout-canary-healthy.yaml"))
            .unwrap();
    // A sample dated after `now`.
    let future = yaml.replacen("{at: 2026-11-26T10:21:00Z", "{at: 2026-11-27T10:21:00Z", 1);
    let err = cli().arg("assess").write_stdin(future).output().unwrap();
    assert_eq!(err.status.code(), Some(2));
    let msg = String::from_utf8(err.stderr).unwrap();
    assert!(
        msg.contains("$.metrics.error-rate.canary[0].at") && msg.contains("is after `now`"),
        "{msg}"
    );
    // Release facts are not rollout facts: a clear error, not a verdict.
    let err = cli()
        .args(["assess", "examples/releases/payments-1.8.0.yaml"])
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(2));
    assert!(
        String::from_utf8(err.stderr)
            .unwrap()
            .contains("unknown field")
    );
    // A bundle without rollout policies cannot assess.
    let err = cli()
        .args([
            "assess",
            "--policies",
            "policies/ci",
            "examples/rollouts/checkout-canary-healthy.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(2));
    assert!(
        String::from_utf8(err.stderr)
            .unwrap()
            .contains("no `RolloutPolicy`")
    );
}

/// A fresh directory under the temp dir for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rp-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const HEAD: &str =
    "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: x, version: 1.0.0}\nspec:\n";

/// `lint` a directory holding `p.yaml` with `text`: exit 2, and stderr with
/// the directory replaced by `policies`.
fn lint_error(name: &str, text: &[u8]) -> String {
    let dir = temp_dir(name);
    std::fs::write(dir.join("p.yaml"), text).unwrap();
    let err = cli().arg("lint").arg(&dir).err(2);
    std::fs::remove_dir_all(&dir).unwrap();
    err.replace(&dir.display().to_string(), "policies")
}

/// `check` facts `text` from stdin with the built-in pack: exit 2, stderr.
fn facts_error(text: impl Into<Vec<u8>>) -> String {
    cli().arg("check").write_stdin(text.into()).err(2)
}

/// The first line of an error report.
fn first_line(err: &str) -> &str {
    err.lines().next().unwrap_or_default()
}

#[test]
fn malformed_policy_yaml_prints_rp0101() {
    let err = lint_error("yaml", b"apiVersion: [1,\n");
    assert_eq!(
        first_line(&err),
        "error[RP0101]: policies/p.yaml:2:1: did not find expected node content"
    );
}

#[test]
fn an_unknown_policy_field_prints_rp0102_and_its_hint() {
    let err = lint_error(
        "field",
        format!("{HEAD}  gates:\n    - {{id: a, expresion: 'true'}}\n").as_bytes(),
    );
    assert!(
        first_line(&err).starts_with(
            "error[RP0102]: policies/p.yaml:6:15: spec.gates[0]: unknown field `expresion`"
        ),
        "{err}"
    );
    assert_eq!(
        err.lines().nth(1),
        Some("  hint: see `release-policy schema policy` for the fields a policy may have")
    );
}

#[test]
fn a_cel_syntax_error_prints_rp0201() {
    let err = lint_error(
        "syntax",
        format!("{HEAD}  gates:\n    - {{id: a, expression: 'release.id =='}}\n").as_bytes(),
    );
    assert!(
        first_line(&err).starts_with("error[RP0201]: policies/p.yaml:6:41: syntax error:"),
        "{err}"
    );
}

#[test]
fn an_unknown_fact_field_prints_rp0203_and_the_hint_on_its_own_line() {
    let err = lint_error(
        "fact",
        format!("{HEAD}  gates:\n    - {{id: a, expression: 'release.enviroment == \"p\"'}}\n")
            .as_bytes(),
    );
    assert_eq!(
        err,
        "error[RP0203]: policies/p.yaml:6:35: unknown field `enviroment` in `release`\n  hint: did you mean `environment`?\n"
    );
}

#[test]
fn a_non_boolean_condition_prints_rp0205() {
    let err = lint_error(
        "bool",
        format!("{HEAD}  gates:\n    - {{id: a, expression: 'release.id'}}\n").as_bytes(),
    );
    assert_eq!(
        first_line(&err),
        "error[RP0205]: policies/p.yaml:6:28: expression gives a string, not a bool"
    );
}

#[test]
fn duplicate_rule_ids_print_rp0107() {
    let err = lint_error(
        "dup",
        format!("{HEAD}  gates:\n    - {{id: a, expression: 'true'}}\n    - {{id: a, expression: 'true'}}\n").as_bytes(),
    );
    assert_eq!(
        first_line(&err),
        "error[RP0107]: policies/p.yaml:7:12: duplicate rule id `a`"
    );
}

#[test]
fn a_bad_semver_prints_rp0108() {
    let err = lint_error(
        "semver",
        b"apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: t, version: 1.2}\nspec: {}\n",
    );
    assert!(
        first_line(&err)
            .starts_with("error[RP0108]: policies/p.yaml:3:30: invalid semantic version `1.2`"),
        "{err}"
    );
}

#[test]
fn an_empty_directory_prints_rp0109() {
    let dir = temp_dir("empty");
    let err = cli().arg("lint").arg(&dir).err(2);
    assert_eq!(
        first_line(&err),
        format!(
            "error[RP0109]: {}: no policy files (`.yaml`, `.yml` or `.json`) in this directory",
            dir.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_too_deep_expression_prints_rp0208() {
    let deep = format!("{}true{}", "(".repeat(40), ")".repeat(40));
    let err = lint_error(
        "deep",
        format!("{HEAD}  gates:\n    - id: a\n      expression: '{deep}'\n").as_bytes(),
    );
    assert_eq!(
        err,
        "error[RP0208]: policies/p.yaml:7:52: expression nests deeper than the limit of 32\n  hint: split it into `variables`\n"
    );
}

#[test]
fn a_policy_file_that_is_not_utf8_prints_rp0115() {
    let err = lint_error("utf8", &[b'a', 0xff, 0xfe]);
    assert_eq!(
        first_line(&err),
        "error[RP0115]: policies/p.yaml: file is not valid UTF-8 (invalid byte at offset 1)"
    );
}

#[test]
fn several_policy_errors_print_one_coded_line_each() {
    let err = lint_error(
        "several",
        format!(
            "{HEAD}  gates:\n    - {{id: a, expression: 'relase.id == \"x\"'}}\n    - {{id: b, expression: 'release.id'}}\n"
        )
        .as_bytes(),
    );
    assert_eq!(
        err,
        "error[RP0202]: policies/p.yaml:6:28: unknown name `relase`\n  hint: did you mean `release`?\nerror[RP0205]: policies/p.yaml:7:28: expression gives a string, not a bool\n  hint: compare it, e.g. `x == \"value\"` or `size(x) > 0`\n"
    );
}

#[test]
fn unknown_facts_fields_print_rp0402_with_the_input_name() {
    let err = facts_error(
        "now: 2026-11-26T10:00:00Z\nrelease: {id: x, service: s, version: '1.0.0', enviroment: p, kind: standard, author: a}\n",
    );
    assert!(
        first_line(&err).starts_with(
            "error[RP0402]: <stdin>:2:48: $.release.enviroment: unknown field `enviroment`"
        ),
        "{err}"
    );
    assert_eq!(
        err.lines().nth(1),
        Some(
            "  hint: facts fields are camelCase; check the spelling against `release-policy schema facts`"
        )
    );
}

#[test]
fn a_facts_value_of_the_wrong_type_prints_rp0403_with_the_file_name() {
    let dir = temp_dir("facts-type");
    std::fs::write(dir.join("facts.yaml"), "now: 2026-11-26T10:00:00Z\nrelease: {id: x, service: s, version: 2.10, environment: p, kind: standard, author: a}\n").unwrap();
    let err = cli()
        .arg("check")
        .arg("facts.yaml")
        .current_dir(&dir)
        .err(2);
    assert!(
        first_line(&err).starts_with(
            "error[RP0403]: facts.yaml:2:39: $.release.version: version `2.1` is a number"
        ),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_facts_print_rp0401() {
    let err = facts_error("{\"now\": \"2026-11-26T10:00:00Z\",");
    assert_eq!(
        first_line(&err),
        "error[RP0401]: <stdin>:1:31: EOF while parsing a value"
    );
}

#[test]
fn too_large_facts_print_rp0405() {
    let err = facts_error(" ".repeat(8 * 1024 * 1024 + 10));
    assert_eq!(
        first_line(&err),
        "error[RP0405]: <stdin>: facts are larger than the limit of 8388608 bytes"
    );
}

#[test]
fn facts_that_are_not_utf8_print_rp0407() {
    let err = facts_error(vec![0xff, 0xfe]);
    assert_eq!(
        err,
        "error[RP0407]: <stdin>: facts are not valid UTF-8 (invalid byte at offset 0)\n"
    );
}

#[test]
fn a_facts_list_over_the_limit_prints_rp0406_with_the_input_name() {
    let base = std::fs::read_to_string(root().join("policies/testdata/base.yaml")).unwrap();
    let mut j: serde_json::Value = yaml_serde::from_str(&base).unwrap();
    j["approvals"] = serde_json::json!((0..1001).map(|i| serde_json::json!({"role": "qa", "by": format!("p{i}"), "decision": "approve", "at": "2026-11-25T10:00:00Z"})).collect::<Vec<_>>());
    let err = facts_error(j.to_string());
    assert_eq!(
        err,
        "error[RP0406]: <stdin>: $.approvals: list has 1001 items, more than the limit of 1000\n"
    );
}

#[test]
fn an_unreadable_facts_file_prints_rp0601() {
    let err = cli().args(["check", "no-such-file.yaml"]).err(2);
    assert_eq!(
        err,
        "error[RP0601]: no-such-file.yaml: no such file or directory (os error 2)\n"
    );
}

#[test]
fn assessing_without_rollout_policies_prints_rp0501() {
    let err = cli()
        .args([
            "assess",
            "--policies",
            "policies/ci",
            "examples/rollouts/checkout-canary-healthy.yaml",
        ])
        .err(2);
    assert_eq!(
        err,
        "error[RP0501]: evaluation failed: the bundle holds no `RolloutPolicy`, so it cannot assess a rollout\n"
    );
}

#[test]
fn explaining_an_unknown_rule_prints_rp0120() {
    let err = cli().args(["explain", "no-such-rule"]).err(2);
    assert_eq!(
        first_line(&err),
        "error[RP0120]: no rule `no-such-rule` in the bundle"
    );
    assert!(
        err.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("  hint: ")),
        "{err}"
    );
}

#[test]
fn lint_warns_about_an_absorbed_error_and_deny_warnings_exits_1() {
    let dir = temp_dir("absorbed");
    std::fs::write(
        dir.join("p.yaml"),
        format!(
            "{HEAD}  gates:\n    - {{id: a, expression: 'service.tier <= 2 || release.kind == \"hotfix\"'}}\n"
        ),
    )
    .unwrap();
    let out = cli().arg("lint").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr)
        .unwrap()
        .replace(&dir.display().to_string(), "policies");
    assert_eq!(
        first_line(&err),
        "warning[RP0701]: policies/p.yaml:6:28: `service.tier` may be absent, and `||` absorbs the error of reading it when its other side is true"
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("1 warning(s)")
    );
    let denied = cli()
        .arg("lint")
        .arg("--deny-warnings")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(denied.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plan_corpus_and_exit_codes() {
    // Each plan corpus case: the JSON byte for byte, the exit code by the
    // verdict (ok 0, blocked 1, needs a decision 3).
    for (name, code) in [("blocked", 1), ("needs-decision", 3), ("ok", 0)] {
        let out = cli()
            .args(["plan", "--catalog", "examples/catalog", "--format", "json"])
            .arg(format!("examples/plans/{name}.yaml"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{name}");
        let recorded = std::fs::read_to_string(
            root().join(format!("tests/corpus/plan/plan-{name}.plan.json")),
        )
        .unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), recorded, "{name}");
    }
    for format in ["markdown", "dot", "mermaid", "text"] {
        cli()
            .args(["plan", "--catalog", "examples/catalog", "--format", format])
            .arg("examples/plans/needs-decision.yaml")
            .assert()
            .code(3);
    }
    // can-i-deploy: no (1), yes (0), an unknown service (2, with a hint).
    cli()
        .args([
            "can-i-deploy",
            "payments",
            "4.0.0",
            "--to",
            "production",
            "--catalog",
            "examples/catalog",
        ])
        .assert()
        .code(1);
    cli()
        .args([
            "can-i-deploy",
            "payments",
            "3.1.0",
            "--to",
            "production",
            "--catalog",
            "examples/catalog",
        ])
        .assert()
        .code(0);
    let out = cli()
        .args([
            "can-i-deploy",
            "paymnts",
            "3.1.0",
            "--to",
            "production",
            "--catalog",
            "examples/catalog",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error[RP0805]: <arguments>: service `paymnts` is not in the catalog"),
        "{err}"
    );
    assert!(err.contains("hint: did you mean `payments`?"), "{err}");
}

#[test]
fn review_corpus_matches_byte_for_byte() {
    // Each case of tests/corpus/review/ as `review --format json`: its
    // keys are the flags of the same name (`now` of a `release` case is
    // `--to`, the instant the CLI judges a release's outcome at). The
    // golden file is the JSON the CLI prints, its newline included; the
    // exit code follows the verdict (fail 1, otherwise 0).
    const KEYS: [&str; 10] = [
        "records",
        "from",
        "to",
        "service",
        "team",
        "environment",
        "decisions",
        "release",
        "now",
        "expect",
    ];
    let dir = root().join("tests/corpus/review");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for path in files {
        let case: serde_json::Value =
            yaml_serde::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = case["name"].as_str().unwrap();
        for key in case.as_object().unwrap().keys() {
            assert!(
                key == "name" || KEYS.contains(&key.as_str()),
                "{name}: the CLI runner does not know the key `{key}`"
            );
        }
        let text = |key: &str| case[key].as_str();
        let mut cmd = cli();
        cmd.args(["review", "--format", "json", "--records"])
            .arg(root().join(text("records").unwrap()));
        let code = if let Some(release) = text("release") {
            cmd.args(["--release", release, "--to", text("now").unwrap()]);
            0
        } else {
            for flag in ["from", "to", "service", "team", "environment"] {
                if let Some(v) = text(flag) {
                    cmd.arg(format!("--{flag}")).arg(v);
                }
            }
            if let Some(d) = text("decisions") {
                cmd.arg("--decisions").arg(root().join(d));
            }
            i32::from(case["expect"]["verdict"] == "fail")
        };
        let out = cmd.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let want = std::fs::read_to_string(dir.join(format!("{name}.review.json"))).unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), want, "{name}");
    }
}

#[test]
fn review_history_and_check_with_records() {
    // The November review fails: an overdue post-mortem.
    let out = cli()
        .args([
            "review",
            "--records",
            "examples/records",
            "--from",
            "2026-11-01",
            "--to",
            "2026-12-01",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let review: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(review["verdict"], "fail");
    assert_eq!(review["schema"], "release-policy/review/v1");
    assert!(review["dora"]["deployments"].as_u64().unwrap() > 0);
    // A month without deployments says so, exit 0.
    let out = cli()
        .args([
            "review",
            "--records",
            "examples/records",
            "--from",
            "2027-01-01",
            "--to",
            "2027-02-01",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("NO-DEPLOYMENTS"));
    // One release.
    let out = cli()
        .args([
            "review",
            "--records",
            "examples/records",
            "--release",
            "checkout-2.4.0",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let outcome: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome["outcome"], "rolled-back");
    assert_eq!(outcome["failed"], true);
    // Bad arguments and records exit 2 with their code.
    let out = cli()
        .args([
            "review",
            "--records",
            "examples/records",
            "--from",
            "2026-12-01",
            "--to",
            "2026-11-01",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error[RP0909]"));
    let out = cli()
        .args([
            "review",
            "--records",
            "examples/records",
            "--release",
            "checkout-2.4.9",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean"));
    // With the decisions: checkout-2.4.0 went out against a no-go.
    let out = cli()
        .args([
            "review",
            "--records",
            "examples/records",
            "--decisions",
            "examples/decisions",
            "--service",
            "checkout",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let review: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        review["effectiveness"]["againstTheDecision"][0]["release"],
        "checkout-2.4.0"
    );
    // history is the facts section.
    let out = cli()
        .args([
            "history",
            "--records",
            "examples/records",
            "--service",
            "checkout",
            "--now",
            "2026-11-26T10:00:00Z",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h["history"]["openPostmortems"], 1);
    // check --records: the open post-mortem of the rolled-back release blocks.
    let out = cli()
        .args([
            "check",
            "--records",
            "examples/records",
            "--format",
            "json",
            "examples/releases/checkout-2.4.0.yaml",
        ])
        .output()
        .unwrap();
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let blocked_by_history = d["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .any(|f| f["rule"] == "no-open-postmortems" && f["outcome"] == "fail")
        })
        .unwrap_or(false);
    assert!(
        out.status.code() == Some(2) || blocked_by_history,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
