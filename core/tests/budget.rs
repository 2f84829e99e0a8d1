//! The evaluation budget (`Limits::max_eval_cost`, `Limits::max_eval_bytes`)
//! against the policies issue 12's probe wrote within every other default
//! limit: each decision ends quickly, and the rules the budget stops are
//! errors (failing closed, never a pass) whose message names the limit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use release_policy::{Outcome, Verdict};
use serde_json::json;

/// Far above what a decision within the budget takes in a debug build;
/// the release figures are in docs/performance.md.
const QUICK: Duration = Duration::from_secs(5);

fn suites(n: usize) -> serde_json::Value {
    (0..n)
        .map(|i| json!({"name": format!("s{i}"), "required": false, "status": "passed"}))
        .collect()
}

fn decide(spec: &str, facts: serde_json::Value) -> release_policy::Decision {
    let b = policy(spec);
    let start = Instant::now();
    let d = check(&b, facts);
    eprintln!("decided in {:?}", start.elapsed());
    assert!(start.elapsed() < QUICK, "took {:?}", start.elapsed());
    d
}

fn over_budget(d: &release_policy::Decision, id: &str) {
    let f = d.finding(id).unwrap();
    assert_eq!(f.outcome(), Outcome::Error, "{id}: {}", f.message());
    assert!(
        f.message().contains("`Limits::max_eval_cost`")
            || f.message().contains("`Limits::max_eval_bytes`"),
        "{id}: {}",
        f.message()
    );
}

/// 100 gates, each nesting two comprehensions over 1,000 suites: 78 s
/// before the budget.
#[test]
fn a_hundred_nested_comprehensions_over_a_thousand_suites_stop_at_the_budget() {
    let gates: String = (0..100)
        .map(|i| format!("    - {{id: g{i}, expression: 'ci.suites.all(a, ci.suites.exists(b, b.name == a.name))'}}\n"))
        .collect();
    let mut j = base_json();
    j["ci"]["suites"] = suites(1000);
    let d = decide(&format!("  gates:\n{gates}"), j);
    over_budget(&d, "g0");
    over_budget(&d, "g99");
    assert_eq!(d.verdict(), Verdict::NoGo);
}

/// Comparing a deep value costs what it walks: 90,000 values compared a
/// million times would take minutes if equality cost one step.
#[test]
fn comparing_deep_values_is_charged_by_their_size() {
    let big: Vec<serde_json::Value> = (0..90)
        .map(|_| json!((0..1000).collect::<Vec<_>>()))
        .collect();
    let mut j = base_json();
    j["ci"]["suites"] = suites(1000);
    j["extensions"] = json!({"big": big});
    let d = decide(
        "  gates:\n    - {id: deep, expression: 'ci.suites.all(a, ci.suites.all(b, extensions.big == extensions.big))'}\n",
        j,
    );
    over_budget(&d, "deep");
}

/// `[1..9].map(i, l.map(x, s + x))` with a 64 KiB `s`: 1.7 GB before the
/// byte budget.
#[test]
fn building_gigabytes_of_strings_stops_at_the_byte_budget() {
    let l64 = "a".repeat(64);
    let spec = format!(
        "  variables:\n    - {{name: s, expression: \"'aaaaaaaa'.replace('a', '{l64}').replace('a', '{l64}')\"}}\n    - {{name: big, expression: '[1, 2, 3, 4, 5, 6, 7, 8, 9].map(i, ci.suites.map(x, variables.s + x.name))'}}\n  gates:\n    - {{id: uses, expression: 'size(variables.big) > 0'}}\n"
    );
    let mut j = base_json();
    j["ci"]["suites"] = suites(1000);
    let d = decide(&spec, j);
    let f = d.finding("uses").unwrap();
    assert_eq!(f.outcome(), Outcome::Error);
    assert!(
        f.message()
            .contains("variable `big` could not be evaluated"),
        "{}",
        f.message()
    );
    assert!(
        f.message().contains("`Limits::max_eval_bytes`")
            || f.message().contains("`Limits::max_eval_cost`"),
        "{}",
        f.message()
    );
}

/// A pattern read from the facts is compiled once per decision, not per
/// call (`\w{200}` took 44 ms each time; nested over 1,000 × 1,000 it ran
/// for hours), and a too-large one is an error.
#[test]
fn a_pattern_from_the_facts_is_compiled_once_and_bounded() {
    let mut j = base_json();
    j["ci"]["suites"] = suites(1000);
    j["labels"] = json!({"p": "^s[0-9]+$", "huge": "\\w{200}"});
    let d = decide(
        "  gates:\n    - {id: ok, expression: 'ci.suites.all(a, a.name.matches(labels.p))'}\n    - {id: huge, expression: 'ci.suites.all(a, a.name.matches(labels.huge))'}\n",
        j,
    );
    assert_eq!(d.finding("ok").unwrap().outcome(), Outcome::Pass);
    let huge = d.finding("huge").unwrap();
    assert_eq!(huge.outcome(), Outcome::Error);
    assert!(
        huge.message().contains("invalid regular expression"),
        "{}",
        huge.message()
    );
}

/// `verdict` evaluates what `check` evaluates, within the same budget: a
/// failed warning's `messageExpression` that spends the budget makes the
/// next gate an error for both, so the verdict alone is not `go` where the
/// decision is `no-go`.
#[test]
fn the_verdict_alone_spends_the_budget_as_the_decision_does() {
    let spec = "  gates:\n    - id: costly-warning\n      expression: 'false'\n      effect: warn\n      messageExpression: \"ci.suites.map(a, ci.suites.exists(b, b.name == a.name + 'x')).size() > 0 ? 'heavy' : 'light'\"\n    - {id: after, expression: 'true'}\n";
    let mut j = base_json();
    j["ci"]["suites"] = suites(1000);
    let d = decide(spec, j.clone());
    assert_eq!(
        d.finding("costly-warning").unwrap().outcome(),
        Outcome::Warn
    );
    over_budget(&d, "after");
    assert_eq!(d.verdict(), Verdict::NoGo);
    let b = policy(spec);
    let facts = release_policy::Facts::from_json_value(j, b.limits()).unwrap();
    assert_eq!(b.verdict(&facts).unwrap(), Verdict::NoGo);
}
