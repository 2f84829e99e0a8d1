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
    assert_eq!(v["schema"], "release-policy/decision/v1");
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
    assert_eq!(v["schema"], "release-policy/assessment/v1");
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
