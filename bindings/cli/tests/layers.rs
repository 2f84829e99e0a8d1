//! Layers from the command line: a team layer tested and linted on top of
//! the organisation's (`--policies`), the built-in pack as a layer
//! (`--builtin`), and `pack export` for users who fork the pack.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn cli() -> Command {
    let mut c = Command::cargo_bin("release-policy").unwrap();
    c.current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."));
    c
}

/// `(exit code, stdout, stderr)`.
fn run(c: &mut Command) -> (i32, String, String) {
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rp-layers-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).unwrap();
}

const ORG: &str = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: org, version: 1.0.0}\nspec:\n  gates:\n    - {id: tier-known, expression: 'service != null', message: the service is unknown}\n";

/// The team amends the organisation's policy (a rule of its own) and tests
/// both rules: it only loads on top of the organisation's layer.
const TEAM: &str = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: org, version: 1.0.0}\nspec:\n  gates:\n    - {id: payments-freeze, expression: 'release.service != \"payments\"', message: payments is frozen}\n";

const TEAM_TEST: &str = "apiVersion: release-policy/v1\nkind: PolicyTest\nmetadata: {name: team}\nspec:\n  cases:\n    - name: a known service that is not payments goes\n      facts:\n        now: 2026-11-26T10:00:00Z\n        release: {id: api-1, service: api, version: 1.0.0, environment: production, kind: standard, author: alice}\n        service: {tier: 2, owner: team-api}\n      expect: {verdict: go, rules: {tier-known: pass, payments-freeze: pass}}\n    - name: payments is frozen and an unknown service fails\n      facts:\n        now: 2026-11-26T10:00:00Z\n        release: {id: p-1, service: payments, version: 1.0.0, environment: production, kind: standard, author: alice}\n      expect: {verdict: no-go, rules: {tier-known: fail, payments-freeze: fail}}\n";

#[test]
fn a_team_layer_is_tested_and_linted_on_top_of_the_organisation() {
    let (org, team) = (temp("org"), temp("team"));
    write(&org, "org.yaml", ORG);
    write(&team, "team.yaml", TEAM);
    write(&team, "team.test.yaml", TEAM_TEST);
    let (code, out, err) = run(cli()
        .args(["test", "--require-coverage", "--policies"])
        .arg(&org)
        .arg(&team));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.ends_with("2 passed, 0 failed\n"), "{out}");
    // The team's tests ran against the organisation's rule too, and
    // covered both rules.
    assert!(!out.contains("GAP"), "{out}");
    let (code, out, _) = run(cli().args(["lint", "--policies"]).arg(&org).arg(&team));
    assert_eq!(code, 0);
    assert!(out.starts_with("ok: 1 policies, 2 rules"), "{out}");
    // Alone, the team's tests miss the organisation's rule.
    let (code, out, _) = run(cli().arg("test").arg(&team));
    assert_eq!(code, 1, "{out}");
    for d in [org, team] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn the_builtin_pack_is_a_layer_under_a_team_layer() {
    let team = temp("builtin");
    write(
        &team,
        "team.yaml",
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: team, version: 1.0.0}\nspec:\n  gates:\n    - {id: team-freeze, expression: 'release.service != \"payments\"', message: payments is frozen}\n",
    );
    // Without --builtin, only the team's rule decides.
    let (code, out, _) = run(cli()
        .args(["check", "--format", "json", "--policies"])
        .arg(&team)
        .arg("examples/releases/payments-1.8.0.yaml"));
    assert_eq!(code, 1);
    let alone: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(alone["findings"].as_array().unwrap().len(), 1);
    // With it, the pack's rules decide too, under the team's.
    let (code, out, _) = run(cli()
        .args(["check", "--builtin", "--format", "json", "--policies"])
        .arg(&team)
        .arg("examples/releases/payments-1.8.0.yaml"));
    assert_eq!(code, 1);
    let both: serde_json::Value = serde_json::from_str(&out).unwrap();
    let findings = both["findings"].as_array().unwrap();
    assert!(findings.len() > 40, "{}", findings.len());
    assert!(findings.iter().any(|f| f["rule"] == "team-freeze"));
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "ci-required-suites-passed")
    );
    let (code, out, _) = run(cli().args(["lint", "--builtin"]).arg(&team));
    assert_eq!(code, 0);
    assert!(out.contains("layer 1: builtin:"), "{out}");
    assert!(out.contains("layer 2: "), "{out}");
    std::fs::remove_dir_all(team).unwrap();
}

#[test]
fn pack_export_writes_the_builtin_pack_and_never_overwrites() {
    let dir = temp("export");
    let (code, out, _) = run(cli().args(["pack", "export"]).arg(&dir));
    assert_eq!(code, 0);
    assert!(out.contains("readiness-review.yaml"), "{out}");
    // The exported files are the built-in pack: the same bundle digest.
    let (_, builtin, _) = run(cli().args(["lint", "--builtin"]));
    let (code, exported, _) = run(cli().arg("lint").arg(&dir));
    assert_eq!(code, 0);
    let digest = |s: &str| {
        s.lines()
            .next()
            .unwrap()
            .rsplit(' ')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(digest(&exported), digest(&builtin));
    let (code, _, err) = run(cli().args(["pack", "export"]).arg(&dir));
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn test_and_lint_need_a_layer() {
    let (code, _, err) = run(cli().arg("lint"));
    assert_eq!(code, 2);
    assert!(err.contains("no policy directory given"), "{err}");
}

#[test]
fn the_payments_layer_cannot_remove_an_organisation_rule() {
    let team = temp("remove");
    for f in ["payments-pci.yaml", "payments-pci.test.yaml"] {
        let text = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/layers/payments")
                .join(f),
        )
        .unwrap();
        write(&team, f, &text);
    }
    write(
        &team,
        "relax.yaml",
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: org-production, version: 1.0.0}\nspec:\n  disable: [tier1-two-sres]\n",
    );
    let (code, _, err) = run(cli()
        .args([
            "check",
            "--builtin",
            "--policies",
            "examples/layers/org",
            "--policies",
        ])
        .arg(&team)
        .arg("examples/releases/payments-1.8.0.yaml"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("layer disables approval `tier1-two-sres`"),
        "{err}"
    );
    std::fs::remove_dir_all(team).unwrap();
}
