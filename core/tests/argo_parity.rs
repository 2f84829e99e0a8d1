//! Argo Rollouts parity of metric triggers, end to end: measurement errors
//! (`consecutiveErrorLimit`) one below, at and above the limit, the
//! inconclusive band and `inconclusiveLimit`, `count` and
//! `consecutiveSuccessLimit` as promotion evidence, `dryRun`, and the load
//! errors of each new field.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::assert_error;
use release_policy::{Action, Bundle, Error, Outcome, RolloutFacts, RolloutVerdict};
use serde_json::{Value, json};

const NOW: i64 = 1_795_000_000;

fn at(s: i64) -> String {
    chrono::DateTime::from_timestamp(NOW + s, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// One measurement: a value, or `E` for an error.
#[derive(Clone, Copy)]
enum M {
    V(f64),
    E,
}
use M::{E, V};

/// Measurements one minute apart, the latest at `now`.
fn series(ms: &[M]) -> Value {
    let n = ms.len() as i64;
    Value::Array(
        ms.iter()
            .enumerate()
            .map(|(i, m)| {
                let t = at((i as i64 - (n - 1)) * 60);
                match m {
                    V(v) => json!({"at": t, "value": v}),
                    E => json!({"at": t, "error": "query timed out"}),
                }
            })
            .collect(),
    )
}

fn facts(ms: &[M]) -> Value {
    json!({
        "now": at(0),
        "rollout": {"id": "r", "service": "s", "stepStartedAt": at(-3600)},
        "metrics": {"errors": {"canary": series(ms)}},
    })
}

fn policy(trigger: &str) -> Bundle {
    Bundle::from_yaml_str(
        "p.yaml",
        &format!(
            "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {{name: p, version: 1.0.0}}\nspec:\n  triggers:\n    - {trigger}\n"
        ),
    )
    .unwrap()
}

fn policy_error(trigger: &str) -> Error {
    Bundle::from_yaml_str(
        "p.yaml",
        &format!(
            "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {{name: p, version: 1.0.0}}\nspec:\n  triggers:\n    - {trigger}\n"
        ),
    )
    .unwrap_err()
}

fn assess(bundle: &Bundle, ms: &[M]) -> release_policy::Assessment {
    let f = RolloutFacts::from_json_value(facts(ms), bundle.limits()).unwrap();
    bundle.assess(&f).unwrap()
}

fn phase(a: &release_policy::Assessment) -> String {
    a.finding("t").unwrap().measurements().unwrap()["phase"]
        .as_str()
        .unwrap()
        .to_string()
}

const T: &str = "{id: t, metric: errors, above: 0.05, window: 30m";

#[test]
fn error_streak_one_below_at_and_above_the_default_limit_of_4() {
    let b = policy(&format!("{T}}}"));
    // 3 and 4 errors in a row: tolerated; the values seen are clear.
    for n in [3, 4] {
        let mut ms = vec![V(0.01), V(0.01)];
        ms.extend(std::iter::repeat_n(E, n));
        let a = assess(&b, &ms);
        let f = a.finding("t").unwrap();
        assert_eq!(f.outcome(), Outcome::Pass, "{n} errors");
        assert_eq!(f.measurements().unwrap()["consecutiveErrors"], n);
    }
    // 5 in a row: more than the limit, the trigger rolls back.
    let mut ms = vec![V(0.01)];
    ms.extend(std::iter::repeat_n(E, 5));
    let a = assess(&b, &ms);
    let f = a.finding("t").unwrap();
    assert_eq!(f.outcome(), Outcome::Fail);
    assert_eq!(f.action(), Some(Action::Rollback));
    assert_eq!(a.verdict(), RolloutVerdict::Rollback);
    assert_eq!(phase(&a), "error");
    assert_eq!(
        f.message(),
        "5 measurement errors in a row, more than the 4 tolerated (`consecutiveErrorLimit`); latest: query timed out"
    );
}

#[test]
fn only_errors_in_a_row_count_and_a_success_resets_the_streak() {
    let b = policy(&format!("{T}, consecutiveErrorLimit: 2}}"));
    let a = assess(&b, &[E, E, V(0.0), E, E]);
    assert_eq!(a.finding("t").unwrap().outcome(), Outcome::Pass);
    assert_eq!(a.finding("t").unwrap().measurements().unwrap()["error"], 4);
    let a = assess(&b, &[V(0.0), E, E, E]);
    assert_eq!(a.verdict(), RolloutVerdict::Rollback);
    // A limit of 0 trips on the first error, and errors alone are not
    // "no data" once the limit is passed.
    let b = policy(&format!("{T}, consecutiveErrorLimit: 0}}"));
    assert_eq!(assess(&b, &[E]).verdict(), RolloutVerdict::Rollback);
}

#[test]
fn errors_within_the_limit_without_values_hold_as_no_data() {
    let b = policy(&format!("{T}}}"));
    let a = assess(&b, &[E, E]);
    let f = a.finding("t").unwrap();
    assert_eq!(f.outcome(), Outcome::NoData);
    assert_eq!(a.verdict(), RolloutVerdict::Hold);
}

const BAND: &str = "{id: t, metric: errors, above: 0.05, inconclusive: {above: 0.01}, window: 30m";

#[test]
fn inconclusive_exactly_at_the_band_edge_is_successful() {
    let b = policy(&format!("{BAND}}}"));
    let a = assess(&b, &[V(0.01), V(0.01)]);
    assert_eq!(a.finding("t").unwrap().outcome(), Outcome::Pass);
    assert_eq!(phase(&a), "running");
    // Exactly at the failure limit is not failed, but inconclusive.
    let a = assess(&b, &[V(0.05)]);
    assert_eq!(a.finding("t").unwrap().outcome(), Outcome::Warn);
    assert_eq!(phase(&a), "inconclusive");
}

#[test]
fn inconclusive_over_the_limit_holds_for_a_human_and_is_not_no_data() {
    let b = policy(&format!("{BAND}, inconclusiveLimit: 1}}"));
    // One inconclusive: tolerated.
    let a = assess(&b, &[V(0.0), V(0.02), V(0.0)]);
    assert_eq!(a.finding("t").unwrap().outcome(), Outcome::Pass);
    // Two: over the limit.
    let a = assess(&b, &[V(0.02), V(0.0), V(0.03)]);
    let f = a.finding("t").unwrap();
    assert_eq!(f.outcome(), Outcome::Warn);
    assert_eq!(f.action(), Some(Action::Hold));
    assert_eq!(a.verdict(), RolloutVerdict::Hold);
    assert_eq!(phase(&a), "inconclusive");
    assert_eq!(
        f.message(),
        "2 of 3 measurements inconclusive (`errors > 0.01`), 1 tolerated: holding for a human to decide"
    );
    // A failed measurement still rolls back, whatever the inconclusive ones.
    let a = assess(&b, &[V(0.02), V(0.03), V(0.09)]);
    assert_eq!(a.verdict(), RolloutVerdict::Rollback);
    assert_eq!(phase(&a), "failed");
}

#[test]
fn count_completes_after_n_measurements_and_then_is_promotion_evidence() {
    let b = policy(&format!("{T}, count: 3}}"));
    // One short: running, the rollout continues.
    let a = assess(&b, &[V(0.0), V(0.0)]);
    assert_eq!(phase(&a), "running");
    assert_eq!(a.verdict(), RolloutVerdict::Continue);
    assert_eq!(
        a.finding("t").unwrap().flip(),
        Some("completes after 1 more measurement")
    );
    // Running, it keeps the rollout from promoting without acting.
    assert_eq!(a.waiting().len(), 1);
    // Exactly N: successful, and the only evidence needed.
    let a = assess(&b, &[V(0.0), V(0.0), V(0.0)]);
    assert_eq!(phase(&a), "successful");
    assert_eq!(a.verdict(), RolloutVerdict::Promote);
    // An error is a measurement too.
    let a = assess(&b, &[V(0.0), E, V(0.0)]);
    assert_eq!(a.verdict(), RolloutVerdict::Promote);
    // An empty window: no data holds.
    let a = assess(&b, &[]);
    assert_eq!(a.verdict(), RolloutVerdict::Hold);
    // A failed measurement: rolls back.
    let a = assess(&b, &[V(0.0), V(0.5), V(0.0)]);
    assert_eq!(a.verdict(), RolloutVerdict::Rollback);
}

#[test]
fn an_all_constant_series_at_the_limit_completes() {
    let b = policy(&format!("{T}, count: 5}}"));
    let a = assess(&b, &[V(0.05); 5]);
    assert_eq!(a.verdict(), RolloutVerdict::Promote);
}

#[test]
fn one_consecutive_success_is_writable() {
    let b = policy(&format!(
        "{T}, failureLimit: 1, consecutiveSuccessLimit: 1}}"
    ));
    let a = assess(&b, &[V(0.9), V(0.0)]);
    assert_eq!(phase(&a), "successful");
    assert_eq!(a.verdict(), RolloutVerdict::Promote);
    // The latest measurement failed (tolerated by `failureLimit`): not yet.
    let a = assess(&b, &[V(0.0), V(0.9)]);
    assert_eq!(phase(&a), "running");
    assert_ne!(a.verdict(), RolloutVerdict::Promote);
}

#[test]
fn consecutive_successes_one_short_and_count_reached_without_them() {
    let b = policy(&format!(
        "{T}, failureLimit: 3, consecutiveSuccessLimit: 3, count: 5}}"
    ));
    let a = assess(&b, &[V(0.0), V(0.9), V(0.0), V(0.0)]);
    assert_eq!(phase(&a), "running");
    assert_eq!(
        a.finding("t").unwrap().flip(),
        Some(
            "trips after 3 more breaching samples; succeeds after 1 more successful measurement in a row; completes after 1 more measurement"
        )
    );
    let a = assess(&b, &[V(0.9), V(0.0), V(0.0), V(0.0)]);
    assert_eq!(a.verdict(), RolloutVerdict::Promote);
    // Five measurements, never three successful in a row: inconclusive.
    let a = assess(&b, &[V(0.0), V(0.0), V(0.9), V(0.0), V(0.9)]);
    assert_eq!(phase(&a), "inconclusive");
    assert_eq!(a.verdict(), RolloutVerdict::Hold);
}

#[test]
fn a_dry_run_trigger_is_reported_and_never_acts() {
    let b = policy(&format!("{T}, dryRun: true}}"));
    let a = assess(&b, &[V(0.9)]);
    let f = a.finding("t").unwrap();
    assert_eq!(f.outcome(), Outcome::Fail);
    assert!(f.dry_run());
    assert_eq!(f.action(), None);
    assert_ne!(a.verdict(), RolloutVerdict::Rollback);
    let dry = a.summary().dry_run().unwrap();
    assert_eq!((dry.count(), dry.fail()), (1, 1));
    assert_eq!(dry.would_roll_back(), ["t"]);
    assert_eq!(a.summary().fail(), 0);
    assert_eq!(a.dry_runs().len(), 1);
    assert!(a.waiting().is_empty());
    // A dry-run completing trigger is no promotion evidence either.
    let b = policy(&format!("{T}, count: 1, dryRun: true}}"));
    assert_eq!(assess(&b, &[V(0.0)]).verdict(), RolloutVerdict::Continue);
}

#[test]
fn a_trigger_without_the_new_fields_reports_no_measurements() {
    let b = policy(&format!("{T}}}"));
    let a = assess(&b, &[V(0.0)]);
    assert!(a.finding("t").unwrap().measurements().is_none());
    assert!(!a.to_json().contains("measurements"));
}

#[test]
fn a_count_of_0_is_rp0131() {
    let err = policy_error(&format!("{T}, count: 0}}"));
    assert_error(
        &err,
        "RP0131",
        "p.yaml:6:64",
        "`count` is `0`: the analysis would complete with no measurement",
        Some("leave it out for a trigger that never completes"),
    );
    let err = policy_error(&format!("{T}, consecutiveSuccessLimit: 0}}"));
    assert_eq!(err.code().as_str(), "RP0131");
}

#[test]
fn an_inconclusive_band_outside_the_failure_limit_is_rp0301() {
    let err = policy_error(
        "{id: t, metric: errors, above: 0.05, inconclusive: {above: 0.05}, window: 30m}",
    );
    assert_error(
        &err,
        "RP0301",
        "p.yaml:6:66",
        "`inconclusive.above` (0.05) is not inside the trigger's `above` (0.05)",
        Some(
            "the inconclusive band lies between success and failure: e.g. `above: 0.05` with `inconclusive: {above: 0.01}`",
        ),
    );
    let err = policy_error("{id: t, metric: errors, above: 0.05, inconclusive: {below: 0.01}}");
    assert_eq!(err.code().as_str(), "RP0301");
}

#[test]
fn measurement_fields_on_a_synthetic_trigger_are_rp0305() {
    let err = policy_error("{id: t, synthetic: '*', count: 3}");
    assert_error(
        &err,
        "RP0305",
        "p.yaml:6:38",
        "`count` applies to `metric` triggers",
        Some("measurements are the samples of a metric"),
    );
    let err = policy_error(&format!("{T}, inconclusiveLimit: 2}}"));
    assert_eq!(err.code().as_str(), "RP0305");
    let err = policy_error(&format!("{T}, inconclusive: {{}}}}"));
    assert_eq!(err.code().as_str(), "RP0305");
}

#[test]
fn a_sample_with_a_value_and_an_error_is_rp0404() {
    let f = json!({
        "now": at(0),
        "rollout": {"id": "r", "service": "s"},
        "metrics": {"errors": {"canary": [{"at": at(0), "value": 1.0, "error": "x"}]}},
    });
    let err = Error::from(
        RolloutFacts::from_json_value(f, &release_policy::Limits::default()).unwrap_err(),
    );
    assert_error(
        &err,
        "RP0404",
        "$.metrics.errors.canary[0]",
        "a sample has either a `value` or an `error`, not both",
        Some("a failed measurement has no value: drop `value`"),
    );
    let f = json!({
        "now": at(0),
        "rollout": {"id": "r", "service": "s"},
        "metrics": {"errors": {"canary": [{"at": at(0), "error": " "}]}},
    });
    let err = RolloutFacts::from_json_value(f, &release_policy::Limits::default()).unwrap_err();
    assert_eq!(err.code().as_str(), "RP0404");
}
