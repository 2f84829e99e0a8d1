//! Regression tests for the attacks of the adversarial probe: each test is
//! named after the attack and asserts that it no longer gets a wrong `go`
//! (or a wrong `promote`) out of the engine. See `docs/security.md`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

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
    match Facts::from_json_value(j) {
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
