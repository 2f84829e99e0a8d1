//! The hand-written pack (`src/handwritten.rs`) and release-policy must
//! decide the same — verdict, and which rules deny, stay pending or warn —
//! on the examples and on every `check` case of the pack's policy tests,
//! or the benchmark compares two different things. The verdict alone
//! (`Bundle::verdict`) must be the decision's on each of them too.

use std::collections::BTreeMap;
use std::path::Path;

use release_policy::{Bundle, Facts};
use release_policy_benches::handwritten::{self, identity_key};
use release_policy_benches::{
    Outcomes, base_path, example_path, policy_test_cases, workspace_root,
};

fn facts(path: &Path) -> Facts {
    let text = std::fs::read_to_string(path).expect("read facts");
    Facts::parse(&text).expect("parse facts")
}

fn both(bundle: &Bundle, facts: &Facts) -> (Outcomes, Outcomes) {
    let decision = bundle.check(facts).expect("release-policy check");
    // The verdict alone (`release-policy/verdict` in the benchmark, the
    // like of the hand-written pack) is the decision's.
    assert_eq!(
        bundle.verdict(facts).expect("release-policy verdict"),
        decision.verdict()
    );
    (
        Outcomes::from_decision(&decision),
        handwritten::decide(facts).outcomes(),
    )
}

#[test]
fn example_no_go_agrees() {
    let bundle = Bundle::try_builtin().expect("builtin pack");
    let (rp, hand) = both(&bundle, &facts(&example_path()));
    assert_eq!(rp.verdict, "no-go");
    assert_eq!(
        hand.deny.iter().map(String::as_str).collect::<Vec<_>>(),
        [
            "ci-required-suites-passed",
            "rollback-within-budget",
            "sca-no-critical"
        ]
    );
    assert_eq!(rp, hand);
}

#[test]
fn base_go_agrees() {
    let bundle = Bundle::try_builtin().expect("builtin pack");
    let (rp, hand) = both(&bundle, &facts(&base_path()));
    let go = Outcomes {
        verdict: "go".into(),
        ..Default::default()
    };
    assert_eq!(rp, go);
    assert_eq!(hand, go);
}

/// Every release example of the repository.
#[test]
fn every_release_example_agrees() {
    let bundle = Bundle::try_builtin().expect("builtin pack");
    let dir = workspace_root().join("examples/releases");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("examples").flatten() {
        let path = entry.path();
        if !path.to_string_lossy().ends_with(".yaml") {
            continue;
        }
        let Ok(f) = Facts::parse(&std::fs::read_to_string(&path).expect("read")) else {
            continue;
        };
        let (rp, hand) = both(&bundle, &f);
        assert_eq!(rp, hand, "{}", path.display());
        n += 1;
    }
    assert!(n >= 2, "only {n} examples");
}

/// Every case of the pack's policy tests: missing sections (fail closed),
/// waivers, vetoes, escalations, look-alike names.
#[test]
fn every_policy_test_case_agrees() {
    let bundle = Bundle::try_builtin().expect("builtin pack");
    let cases = policy_test_cases(bundle.limits()).expect("policy tests");
    let mut disagreements = Vec::new();
    let mut verdicts = BTreeMap::<String, usize>::new();
    let mut failed_rules = std::collections::BTreeSet::new();
    for case in &cases {
        let (rp, hand) = both(&bundle, &case.facts);
        *verdicts.entry(rp.verdict.clone()).or_default() += 1;
        failed_rules.extend(rp.deny.iter().chain(&rp.pending).chain(&rp.warn).cloned());
        if rp != hand {
            disagreements.push(format!(
                "{}:\n  release-policy {rp:?}\n  hand-written   {hand:?}",
                case.name
            ));
        }
    }
    eprintln!(
        "{} cases, release-policy verdicts {verdicts:?}, {} rules seen failing",
        cases.len(),
        failed_rules.len()
    );
    assert!(cases.len() > 100, "only {} cases", cases.len());
    assert_eq!(
        verdicts.len(),
        3,
        "every verdict is exercised: {verdicts:?}"
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} cases disagree:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.join("\n")
    );
}

/// Every rule of the pack fails in some case, so every rule of the
/// hand-written pack is compared at least once failing (the catalog's
/// rules aside: without a catalog both skip them).
#[test]
fn every_rule_of_the_pack_is_seen_failing() {
    let bundle = Bundle::try_builtin().expect("builtin pack");
    let cases = policy_test_cases(bundle.limits()).expect("policy tests");
    let mut failing = std::collections::BTreeSet::new();
    for case in &cases {
        let hand = handwritten::decide(&case.facts).outcomes();
        failing.extend(hand.deny.into_iter().chain(hand.pending).chain(hand.warn));
    }
    // The hand-written pack models `check` without a catalog, where the
    // rules of `release-coordination` (which read `graph` and `calendar`)
    // are skipped by both; they are seen failing in their policy tests,
    // which run with a catalog.
    let rules: Vec<String> = bundle
        .rules()
        .into_iter()
        .filter(|r| matches!(r.kind(), "gate" | "approval"))
        .filter(|r| r.policy() != "release-coordination")
        .map(|r| r.id().to_string())
        .collect();
    assert!(rules.len() > 40, "only {} rules", rules.len());
    let never: Vec<&String> = rules.iter().filter(|r| !failing.contains(*r)).collect();
    assert!(never.is_empty(), "never seen failing: {never:?}");
}

#[test]
fn identity_keys_match_the_engines_rule() {
    for (a, b) in [
        ("alice", "Alice "),
        ("alice", "\u{430}lice"),
        ("bob", "b0b"),
    ] {
        assert_eq!(identity_key(a), identity_key(b), "{a:?} / {b:?}");
    }
    assert_ne!(identity_key("alice"), identity_key("alicia"));
}

/// Corners the pack's policy tests do not reach, where a plausible
/// hand-written shortcut would decide differently: each is a merge patch
/// of the policy tests' base facts, with the rule it is about and whether
/// release-policy should count that rule as failed.
#[test]
fn corners_agree() {
    let cases: &[(&str, &str, &str, bool)] = &[
        (
            "a waiver does not lift a gate that could not be evaluated",
            "sca-no-critical",
            "security: null\nwaivers: [{rule: sca-no-critical, by: ivan, role: security, reason: r, expires: 2026-12-01T00:00:00Z}]",
            true,
        ),
        (
            "a waiver lifts a failed gate",
            "sca-no-critical",
            "security: {scans: [{kind: sast, tool: semgrep, completedAt: 2026-11-25T15:40:00Z}, {kind: sca, tool: osv, completedAt: 2026-11-25T15:45:00Z, findings: {critical: 1}}]}\nwaivers: [{rule: sca-no-critical, by: ivan, role: security, reason: r, expires: 2026-12-01T00:00:00Z}]",
            false,
        ),
        (
            "the author cannot waive under a look-alike name (Cyrillic А)",
            "sca-no-critical",
            "security: {scans: [{kind: sast, tool: semgrep, completedAt: 2026-11-25T15:40:00Z}, {kind: sca, tool: osv, completedAt: 2026-11-25T15:45:00Z, findings: {critical: 1}}]}\nwaivers: [{rule: sca-no-critical, by: \"\u{410}lice\", role: security, reason: r, expires: 2026-12-01T00:00:00Z}]",
            true,
        ),
        (
            "of equally late scans of a tool, the first counts",
            "sca-no-critical",
            "security: {scans: [{kind: sast, tool: semgrep, completedAt: 2026-11-25T15:40:00Z}, {kind: sca, tool: osv, completedAt: 2026-11-25T15:45:00Z}, {kind: sca, tool: osv, completedAt: 2026-11-25T15:45:00Z, findings: {critical: 1}}]}",
            false,
        ),
        (
            "the author's full-width name does not count as an approval",
            "readiness-review",
            "approvals: [{role: development, by: \"\u{ff41}\u{ff4c}\u{ff49}\u{ff43}\u{ff45}\", decision: approve, at: 2026-11-24T14:00:00Z}, {role: qa, by: heidi, decision: approve, at: 2026-11-25T17:10:00Z}, {role: security, by: ivan, decision: approve, at: 2026-11-25T18:00:00Z, evidence: [pentest]}, {role: operations, by: judy, decision: approve, at: 2026-11-25T18:30:00Z}, {role: compliance, by: karl, decision: approve, at: 2026-11-25T19:00:00Z}, {role: privacy, by: nina, decision: approve, at: 2026-11-23T11:00:00Z}, {role: legal, by: oscar, decision: approve, at: 2026-11-23T15:00:00Z}]",
            true,
        ),
        (
            "the director's approval lifts the incident gate, not the author's",
            "recent-severe-incidents",
            "history: {incidents: [{id: I1, severity: 1, at: 2026-11-20T00:00:00Z}, {id: I2, severity: 2, at: 2026-11-21T00:00:00Z}]}\nrelease: {author: \" ALICE \"}\napprovals: [{role: engineering-director, by: alice, decision: approve, at: 2026-11-25T00:00:00Z}]",
            true,
        ),
        (
            "the budget derived from the SLOs' error ratios freezes",
            "error-budget-freeze",
            "service: {errorBudgetRemaining: null, slos: [{name: a, indicator: availability, objective: 99.9, errorRatio: 0.002}]}",
            true,
        ),
        (
            "a stale rejection still counts",
            "readiness-review",
            "approvals: [{role: qa, by: heidi, decision: reject, at: 2026-10-01T00:00:00Z}]",
            true,
        ),
    ];
    let bundle = Bundle::try_builtin().expect("builtin pack");
    let base: serde_json::Value =
        yaml_serde::from_str(&std::fs::read_to_string(base_path()).expect("base")).expect("yaml");
    for (name, rule, patch, failed) in cases {
        let mut json = base.clone();
        let patch: serde_json::Value = yaml_serde::from_str(patch).expect("patch");
        release_policy::unstable::merge_patch(&mut json, &patch);
        let f = Facts::from_json_value(json, bundle.limits()).expect(name);
        let (rp, hand) = both(&bundle, &f);
        let fails = |o: &Outcomes| {
            o.deny.contains(*rule) || o.pending.contains(*rule) || o.warn.contains(*rule)
        };
        assert_eq!(fails(&rp), *failed, "{name}: release-policy {rp:?}");
        assert_eq!(rp, hand, "{name}");
    }
}
