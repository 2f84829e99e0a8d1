//! `assess` end to end: trigger semantics at the edges, bad input (facts
//! and policies), layering of rollout rules, and the fail-closed
//! properties (a breaching sample never turns rollback into promote; more
//! missing data never promotes).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::assert_error;
use proptest::prelude::*;
use release_policy::{Bundle, Error, Outcome, RolloutFacts, RolloutVerdict};
use serde_json::{Value, json};

const NOW: i64 = 1_795_000_000;

fn at(s: i64) -> String {
    chrono::DateTime::from_timestamp(NOW + s, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Samples `values[i]` at `now - (len - 1 - i) * step` seconds.
fn series(values: &[Option<f64>], step: i64) -> Value {
    let n = values.len() as i64;
    Value::Array(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| json!({"at": at((i as i64 - (n - 1)) * step), "value": v}))
            .collect(),
    )
}

fn facts(metrics: Value) -> Value {
    json!({
        "now": at(0),
        "rollout": {"id": "r", "service": "s", "steps": [{"setWeight": 10}, {"pause": "30m"}],
                    "currentStep": 1, "weight": 10, "stepStartedAt": at(-3600)},
        "metrics": metrics,
    })
}

fn policy(spec: &str) -> Bundle {
    Bundle::from_yaml_str(
        "p.yaml",
        &format!(
            "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {{name: p, version: 1.0.0}}\nspec:\n{spec}"
        ),
    )
    .unwrap()
}

fn assess(bundle: &Bundle, facts: Value) -> release_policy::Assessment {
    let f = RolloutFacts::from_json_value(facts, bundle.limits()).unwrap();
    bundle.assess(&f).unwrap()
}

const ERRORS_ABOVE_5_FOR_2M: &str =
    "  triggers:\n    - {id: t, metric: errors, above: 5, for: 2m, window: 5m, minSamples: 3}\n";

fn outcome(bundle: &Bundle, values: &[Option<f64>]) -> Outcome {
    let a = assess(
        bundle,
        facts(json!({"errors": {"canary": series(values, 60)}})),
    );
    a.finding("t").unwrap().outcome()
}

#[test]
fn exactly_at_the_threshold_does_not_breach() {
    let b = policy(ERRORS_ABOVE_5_FOR_2M);
    assert_eq!(outcome(&b, &[Some(5.0); 5]), Outcome::Pass);
    assert_eq!(outcome(&b, &[Some(5.01); 5]), Outcome::Fail);
}

#[test]
fn for_trips_exactly_at_its_duration_and_not_one_sample_short() {
    let b = policy(ERRORS_ABOVE_5_FOR_2M);
    // Breaching at -2m, -1m, 0: sustained exactly 2m.
    let a = assess(
        &b,
        facts(
            json!({"errors": {"canary": series(&[Some(1.0), Some(1.0), Some(9.0), Some(9.0), Some(9.0)], 60)}}),
        ),
    );
    let f = a.finding("t").unwrap();
    assert_eq!(f.outcome(), Outcome::Fail);
    assert_eq!(a.verdict(), RolloutVerdict::Rollback);
    assert_eq!(f.duration_ms(), Some(120_000));
    // One sample short: breaching for 1m only, reported with what flips it.
    let a = assess(
        &b,
        facts(
            json!({"errors": {"canary": series(&[Some(1.0), Some(1.0), Some(1.0), Some(9.0), Some(9.0)], 60)}}),
        ),
    );
    let f = a.finding("t").unwrap();
    assert_eq!(f.outcome(), Outcome::Warn);
    assert_eq!(f.flip(), Some("trips in 1m if `errors > 5` stays breached"));
    assert_ne!(a.verdict(), RolloutVerdict::Promote);
}

#[test]
fn min_samples_one_short_is_no_data_and_holds() {
    let b = policy(ERRORS_ABOVE_5_FOR_2M);
    let a = assess(
        &b,
        facts(json!({"errors": {"canary": series(&[Some(1.0), Some(1.0)], 60)}})),
    );
    let f = a.finding("t").unwrap();
    assert_eq!(f.outcome(), Outcome::NoData);
    assert!(
        f.message()
            .contains("2 samples of `errors` in the last 5m, 3 needed"),
        "{}",
        f.message()
    );
    assert_eq!(a.verdict(), RolloutVerdict::Hold);
}

#[test]
fn gaps_are_dropped_and_do_not_break_a_sustained_breach() {
    let b = policy(ERRORS_ABOVE_5_FOR_2M);
    assert_eq!(
        outcome(&b, &[Some(1.0), Some(9.0), None, Some(9.0), Some(9.0)]),
        Outcome::Fail
    );
    // Only gaps in the window: no data, never a pass.
    assert_eq!(
        outcome(&b, &[None, None, None, None, None]),
        Outcome::NoData
    );
}

#[test]
fn duplicate_timestamps_keep_the_later_sample() {
    let b = policy("  triggers:\n    - {id: t, metric: errors, above: 5, window: 5m}\n");
    let s = json!([{"at": at(-60), "value": 9.0}, {"at": at(-60), "value": 1.0}, {"at": at(0), "value": 1.0}]);
    let a = assess(&b, facts(json!({"errors": {"canary": s}})));
    assert_eq!(a.finding("t").unwrap().outcome(), Outcome::Pass);
    let s = json!([{"at": at(-60), "value": 1.0}, {"at": at(-60), "value": 9.0}, {"at": at(0), "value": 1.0}]);
    let a = assess(&b, facts(json!({"errors": {"canary": s}})));
    assert_eq!(a.finding("t").unwrap().outcome(), Outcome::Fail);
}

#[test]
fn failure_limit_trips_on_more_failures_than_tolerated() {
    let b = policy(
        "  triggers:\n    - {id: t, metric: errors, above: 5, failureLimit: 2, window: 10m}\n",
    );
    let two = [Some(9.0), Some(1.0), Some(9.0), Some(1.0)];
    let three = [Some(9.0), Some(9.0), Some(9.0), Some(1.0)];
    assert_eq!(outcome(&b, &two), Outcome::Warn);
    assert_eq!(outcome(&b, &three), Outcome::Fail);
}

#[test]
fn relative_thresholds_compare_with_the_baseline_mean() {
    let b = policy(
        "  triggers:\n    - {id: t, metric: latency, compare: baseline, above: 200, window: 5m}\n    - {id: k, metric: latency, compare: baseline, abovePercent: 10, window: 5m}\n",
    );
    let m = |canary: f64| json!({"latency": {"canary": series(&[Some(canary)], 60), "baseline": series(&[Some(100.0), Some(300.0)], 60)}});
    // Baseline mean 200: 400 is exactly +200 (no breach) and +100 %.
    let a = assess(&b, facts(m(400.0)));
    assert_eq!(a.finding("t").unwrap().outcome(), Outcome::Pass);
    assert_eq!(a.finding("k").unwrap().outcome(), Outcome::Fail);
    let a = assess(&b, facts(m(219.0)));
    assert_eq!(a.finding("k").unwrap().outcome(), Outcome::Pass);
    // A relative trigger without a baseline: no data, held.
    let a = assess(
        &b,
        facts(json!({"latency": {"canary": series(&[Some(500.0)], 60)}})),
    );
    assert_eq!(a.finding("t").unwrap().outcome(), Outcome::NoData);
    assert_eq!(a.verdict(), RolloutVerdict::Hold);
}

#[test]
fn a_metric_absent_from_the_facts_is_no_data_not_an_error() {
    let b = policy(ERRORS_ABOVE_5_FOR_2M);
    let a = assess(&b, facts(json!({})));
    let f = a.finding("t").unwrap();
    assert_eq!(f.outcome(), Outcome::NoData);
    assert!(f.message().contains("metric `errors` is not in the facts"));
    assert_eq!(a.verdict(), RolloutVerdict::Hold);
}

#[test]
fn an_expression_error_holds_visibly() {
    let b = policy(
        "  triggers:\n    - {id: t, metric: errors, expression: 'value / baseline > 2.0', window: 5m}\n",
    );
    // No baseline: `baseline` is null and the division fails.
    let a = assess(
        &b,
        facts(json!({"errors": {"canary": series(&[Some(1.0)], 60)}})),
    );
    let f = a.finding("t").unwrap();
    assert_eq!(f.outcome(), Outcome::Error);
    assert_eq!(a.verdict(), RolloutVerdict::Hold);
}

#[test]
fn nothing_promotes_without_evidence() {
    // Triggers alone, all clear: continue, never promote.
    let b = policy("  triggers:\n    - {id: t, metric: errors, above: 5, window: 5m}\n");
    let a = assess(
        &b,
        facts(json!({"errors": {"canary": series(&[Some(1.0)], 60)}})),
    );
    assert_eq!(a.verdict(), RolloutVerdict::Continue);
    assert!(
        a.reason().contains("nothing proves the canary healthy"),
        "{}",
        a.reason()
    );
}

#[test]
fn a_layer_may_tighten_a_trigger() {
    // Lower threshold, shorter `for`, stricter action: tighter.
    layered("{id: t, metric: errors, above: 3, for: 1m, window: 5m, action: rollback}").unwrap();
}

#[test]
fn a_layer_may_not_loosen_a_trigger_in_any_way() {
    for loose in [
        "{id: t, metric: errors, above: 8, for: 2m, window: 5m, action: hold}",
        "{id: t, metric: errors, above: 5, for: 3m, window: 5m, action: hold}",
        "{id: t, metric: errors, above: 5, for: 2m, window: 5m, action: alert}",
        "{id: t, metric: errors, above: 5, for: 2m, window: 5m, action: hold, noData: ignore}",
        "{id: t, metric: errors, below: 1, for: 2m, window: 5m, action: hold}",
    ] {
        let err = layered(loose).unwrap_err();
        assert_error(
            &err,
            "RP0111",
            "team.yaml:6:12",
            "layer loosens trigger `t`",
            Some(
                "the rule is defined at org.yaml:6:12 without `overridable: true`; a later layer may only add rules or tighten them",
            ),
        );
    }
}

#[test]
fn assessments_are_deterministic_and_carry_markers() {
    let b = Bundle::builtin();
    let text = std::fs::read_to_string(
        common::root().join("examples/rollouts/checkout-latency-regression.yaml"),
    )
    .unwrap();
    let one = b.assess_str(&text).unwrap();
    let two = b.assess_str(&text).unwrap();
    assert_eq!(one.to_json(), two.to_json());
    let kinds: Vec<&str> = one.markers().iter().map(|m| m.kind()).collect();
    assert_eq!(kinds, ["rollout-started", "step-started", "rolled-back"]);
    assert_eq!(one.markers()[2].rollout(), "checkout-2.4.0-canary");
}

/// The healthy example's error-rate samples, and a rollback-only policy.
fn healthy() -> (Bundle, Value) {
    let text = std::fs::read_to_string(
        common::root().join("examples/rollouts/checkout-canary-healthy.yaml"),
    )
    .unwrap();
    let v: Value = yaml_serde::from_str(&text).unwrap();
    (Bundle::builtin(), v)
}

fn verdict(b: &Bundle, v: &Value) -> RolloutVerdict {
    b.assess(&RolloutFacts::from_json_value(v.clone(), b.limits()).unwrap())
        .unwrap()
        .verdict()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// Making one more canary sample breach (error rate 9 %) never turns a
    /// rollback into a promote, or any verdict into a promote.
    #[test]
    fn a_breaching_sample_never_promotes(spikes in proptest::collection::vec(0usize..40, 0..6), extra in 0usize..40) {
        let (b, mut v) = healthy();
        let canary = v["metrics"]["error-rate"]["canary"].as_array_mut().unwrap();
        for i in &spikes {
            canary[*i]["value"] = json!(9.0);
        }
        let before = verdict(&b, &v);
        v["metrics"]["error-rate"]["canary"][extra]["value"] = json!(9.0);
        let after = verdict(&b, &v);
        if before == RolloutVerdict::Rollback {
            prop_assert_eq!(after, RolloutVerdict::Rollback);
        }
        if before != RolloutVerdict::Promote {
            prop_assert_ne!(after, RolloutVerdict::Promote);
        }
    }

    /// Turning more samples into gaps never promotes what did not promote,
    /// and never promotes once the last five minutes have no data.
    #[test]
    fn more_missing_data_never_promotes(gaps in proptest::collection::vec(0usize..40, 0..20), more in 0usize..40) {
        let (b, mut v) = healthy();
        for i in &gaps {
            v["metrics"]["error-rate"]["canary"][*i]["value"] = Value::Null;
        }
        let before = verdict(&b, &v);
        v["metrics"]["error-rate"]["canary"][more]["value"] = Value::Null;
        let after = verdict(&b, &v);
        if before != RolloutVerdict::Promote {
            prop_assert_ne!(after, RolloutVerdict::Promote);
        }
        for i in 35..40 {
            v["metrics"]["error-rate"]["canary"][i]["value"] = Value::Null;
        }
        prop_assert_ne!(verdict(&b, &v), RolloutVerdict::Promote);
    }
}

#[test]
fn acting_waiting_and_alerts_are_what_the_verdict_reads() {
    let b = policy(
        "  triggers:\n    - {id: held, metric: errors, above: 5, window: 5m, action: hold}\n    - {id: back, metric: errors, above: 5, window: 5m, action: rollback}\n    - {id: note, metric: errors, above: 5, window: 5m, action: alert}\n    - {id: slow, metric: errors, above: 5, for: 30m, window: 40m}\n    - {id: calm, metric: errors, above: 50, window: 5m}\n",
    );
    let s = series(&[Some(9.0), Some(9.0), Some(9.0)], 60);
    let a = assess(&b, facts(json!({"errors": {"canary": s}})));
    let ids = |v: Vec<&release_policy::AssessFinding>| {
        v.iter().map(|f| f.rule().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(a.verdict(), RolloutVerdict::Rollback);
    // Most severe first, whatever the policy order.
    assert_eq!(ids(a.acting()), ["back", "held"]);
    assert_eq!(ids(a.waiting()), ["slow"]);
    assert_eq!(ids(a.alerts()), ["note"]);
}

fn policy_error(spec: &str) -> Error {
    Bundle::from_yaml_str(
        "p.yaml",
        &format!(
            "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {{name: p, version: 1.0.0}}\nspec:\n{spec}"
        ),
    )
    .unwrap_err()
}

fn facts_error(f: Value) -> Error {
    Error::from(RolloutFacts::from_json_value(f, &release_policy::Limits::default()).unwrap_err())
}

const ORG: &str = "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {name: p, version: 1.0.0}\nspec:\n  triggers:\n    - {id: t, metric: errors, above: 5, for: 2m, window: 5m, action: hold}\n";

/// `ORG` amended by a layer `team.yaml` holding trigger `t`.
fn layered(t: &str) -> Result<Bundle, Error> {
    Bundle::builder()
        .yaml_layer("org.yaml", ORG)
        .yaml_layer(
            "team.yaml",
            format!(
                "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {{name: p}}\nspec:\n  triggers:\n    - {t}\n"
            ),
        )
        .build()
}

#[test]
fn a_zero_window_is_rp0302() {
    let err = policy_error("  triggers:\n    - {id: t, metric: m, above: 1, window: 0}\n");
    assert_error(
        &err,
        "RP0302",
        "p.yaml:6:44",
        "`window` must be longer than 0",
        None,
    );
}

#[test]
fn a_for_longer_than_the_window_is_rp0302() {
    let err =
        policy_error("  triggers:\n    - {id: t, metric: m, above: 1, window: 5m, for: 10m}\n");
    assert_error(
        &err,
        "RP0302",
        "p.yaml:6:53",
        "`for` (10m) is not shorter than `window` (5m)",
        Some(
            "a breach is measured between samples inside the window, so it can only last less than the window; make the window longer",
        ),
    );
}

/// Equal is refused too: a breach spans first to latest sample, all inside the window, so it could never last the whole window.
#[test]
fn a_for_as_long_as_the_window_is_rp0302() {
    let err =
        policy_error("  triggers:\n    - {id: t, metric: m, above: 1, window: 5m, for: 5m}\n");
    assert_error(
        &err,
        "RP0302",
        "p.yaml:6:53",
        "`for` (5m) is not shorter than `window` (5m)",
        Some(
            "a breach is measured between samples inside the window, so it can only last less than the window; make the window longer",
        ),
    );
}

#[test]
fn a_percentage_without_a_baseline_is_rp0301() {
    let err = policy_error("  triggers:\n    - {id: t, metric: m, abovePercent: 10}\n");
    assert_error(
        &err,
        "RP0301",
        "p.yaml:6:40",
        "`abovePercent` needs `compare: baseline`",
        Some("a percentage is a change relative to the baseline"),
    );
}

#[test]
fn limits_out_of_order_are_rp0301() {
    let err = policy_error("  triggers:\n    - {id: t, metric: m, above: 1, below: 2}\n");
    assert_error(
        &err,
        "RP0301",
        "p.yaml:6:43",
        "`below` (2) is not under `above` (1)",
        Some("the limits are the edges of the allowed band"),
    );
}

#[test]
fn a_trigger_without_a_threshold_is_rp0305() {
    let err = policy_error("  triggers:\n    - {id: t, metric: m}\n");
    assert_error(
        &err,
        "RP0305",
        "p.yaml:6:23",
        "trigger `t` has no threshold",
        Some("add `above`, `below`, `abovePercent`, `belowPercent` or an `expression`"),
    );
}

#[test]
fn a_trigger_with_two_sources_is_rp0305() {
    let err = policy_error("  triggers:\n    - {id: t, metric: m, synthetic: j, above: 1}\n");
    assert_error(
        &err,
        "RP0305",
        "p.yaml:6:12",
        "trigger `t` needs exactly one of `metric`, `synthetic` or `condition`",
        None,
    );
}

#[test]
fn an_unknown_rollout_field_in_a_condition_is_rp0203() {
    let err = policy_error("  triggers:\n    - {id: t, condition: 'rollout.wieght > 5.0'}\n");
    assert_error(
        &err,
        "RP0203",
        "p.yaml:6:34",
        "unknown field `wieght` in `rollout`",
        Some("did you mean `weight`?"),
    );
}

#[test]
fn an_unknown_name_in_a_sample_expression_is_rp0202() {
    let err =
        policy_error("  triggers:\n    - {id: t, metric: m, expression: 'value > basline'}\n");
    assert_error(
        &err,
        "RP0202",
        "p.yaml:6:47",
        "unknown name `basline`",
        Some("did you mean `baseline`?"),
    );
}

#[test]
fn analysis_thresholds_out_of_order_are_rp0301() {
    let err = policy_error(
        "  analysis:\n    - {id: a, thresholds: {pass: 75, marginal: 80}, metrics: [{metric: m}]}\n",
    );
    assert_error(
        &err,
        "RP0301",
        "p.yaml:6:27",
        "`thresholds.marginal` (80) is above `thresholds.pass` (75)",
        None,
    );
}

#[test]
fn an_unknown_direction_is_rp0103() {
    let err = policy_error(
        "  analysis:\n    - {id: a, thresholds: {pass: 95, marginal: 75}, metrics: [{metric: m, direction: sideways}]}\n",
    );
    assert_error(
        &err,
        "RP0103",
        "p.yaml:6:86",
        "spec.analysis[0].metrics[0].direction: unknown variant `sideways`, expected one of `increase`, `decrease`, `either`",
        None,
    );
}

#[test]
fn a_short_window_not_shorter_than_the_long_is_rp0302() {
    let err = policy_error(
        "  burnRate:\n    - {id: b, slo: s, alerts: [{long: 1h, short: 2h, factor: 14.4}]}\n",
    );
    assert_error(
        &err,
        "RP0302",
        "p.yaml:6:50",
        "short window `2h` is not shorter than `1h`",
        Some("the short window is usually 1/12 of the long one"),
    );
}

#[test]
fn a_non_positive_burn_factor_is_rp0306() {
    let err = policy_error(
        "  burnRate:\n    - {id: b, slo: s, alerts: [{long: 1h, short: 5m, factor: 0}]}\n",
    );
    assert_error(
        &err,
        "RP0306",
        "p.yaml:6:62",
        "burn-rate factor `0` is not a positive number",
        None,
    );
}

#[test]
fn a_metric_judged_twice_is_rp0304() {
    let err = policy_error(
        "  analysis:\n    - {id: a, thresholds: {pass: 95, marginal: 75}, metrics: [{metric: m}, {metric: m}]}\n",
    );
    assert_error(
        &err,
        "RP0304",
        "p.yaml:6:76",
        "metric `m` is judged twice",
        None,
    );
}

#[test]
fn gates_in_a_rollout_policy_are_rp0117() {
    let err = policy_error("  gates:\n    - {id: g, expression: 'true'}\n");
    assert_error(
        &err,
        "RP0117",
        "p.yaml:6:7",
        "a `RolloutPolicy` cannot hold `gates`",
        Some(
            "put `gates` in a `kind: Policy` document: `check` reads release policies, `assess` rollout policies, `review` review policies",
        ),
    );
}

#[test]
fn triggers_in_a_release_policy_are_rp0117() {
    let err = Bundle::from_yaml_str("q.yaml", "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: q}\nspec:\n  triggers:\n    - {id: t, metric: m, above: 1}\n").unwrap_err();
    assert_error(
        &err,
        "RP0117",
        "q.yaml:6:7",
        "a `Policy` cannot hold `triggers`",
        Some(
            "put `triggers` in a `kind: RolloutPolicy` document: `check` reads release policies, `assess` rollout policies, `review` review policies",
        ),
    );
}

#[test]
fn a_layer_loosening_a_trigger_is_rp0111() {
    let err = layered("{id: t, metric: errors, above: 8, for: 2m, window: 5m, action: hold}")
        .unwrap_err();
    assert_error(
        &err,
        "RP0111",
        "team.yaml:6:12",
        "layer loosens trigger `t`",
        Some(
            "the rule is defined at org.yaml:6:12 without `overridable: true`; a later layer may only add rules or tighten them",
        ),
    );
}

/// A rollout policy cannot be amended as a release policy.
#[test]
fn a_layer_changing_a_policy_kind_is_rp0112() {
    let err = Bundle::builder().yaml_layer("org.yaml", ORG).yaml_layer("team.yaml", "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  gates: [{id: g, expression: 'true'}]\n").build().unwrap_err();
    assert_error(
        &err,
        "RP0112",
        "team.yaml:2:7",
        "policy `p` is a `Policy` here but a `RolloutPolicy` in an earlier layer",
        Some("the earlier definition is at org.yaml:2:7"),
    );
}

#[test]
fn unsorted_samples_are_rp0404() {
    let unsorted = json!([{"at": at(0), "value": 1.0}, {"at": at(-60), "value": 1.0}]);
    let err = facts_error(facts(json!({"errors": {"canary": unsorted}})));
    assert_error(
        &err,
        "RP0404",
        "$.metrics.errors.canary[1].at",
        "sample at `2026-11-18T11:05:40Z` is earlier than the one before it",
        Some("send samples oldest first"),
    );
}

#[test]
fn a_sample_after_now_is_rp0404() {
    let future = json!([{"at": at(60), "value": 1.0}]);
    let err = facts_error(facts(json!({"errors": {"canary": future}})));
    assert_error(
        &err,
        "RP0404",
        "$.metrics.errors.canary[0].at",
        "sample at `2026-11-18T11:07:40Z` is after `now` (`2026-11-18T11:06:40Z`)",
        None,
    );
}

#[test]
fn a_weight_over_100_is_rp0404() {
    let mut f = facts(json!({}));
    f["rollout"]["weight"] = json!(140);
    let err = facts_error(f);
    assert_error(
        &err,
        "RP0404",
        "$.rollout.weight",
        "weight `140` is not a percentage between 0 and 100",
        None,
    );
}

#[test]
fn a_current_step_outside_the_plan_is_rp0404() {
    let mut f = facts(json!({}));
    f["rollout"]["currentStep"] = json!(5);
    let err = facts_error(f);
    assert_error(
        &err,
        "RP0404",
        "$.rollout.currentStep",
        "current step `5` is outside the plan of 2 steps",
        Some("steps are counted from 0"),
    );
}

#[test]
fn a_step_with_two_actions_is_rp0404() {
    let mut f = facts(json!({}));
    f["rollout"]["steps"] = json!([{"setWeight": 5, "pause": "1m"}]);
    f["rollout"]["currentStep"] = json!(0);
    let err = facts_error(f);
    assert_error(
        &err,
        "RP0404",
        "$.rollout.steps[0]",
        "a step is either `setWeight` or `pause`",
        None,
    );
}

#[test]
fn a_malformed_slo_window_is_rp0404() {
    let mut f = facts(json!({}));
    f["slos"] = json!({"availability": {"objective": 99.9, "errorRatio": {"5x": 0.1}}});
    let err = facts_error(f);
    assert_error(
        &err,
        "RP0404",
        "$.slos.availability.errorRatio.5x",
        "invalid duration `5x`: unknown unit `x`",
        None,
    );
}

/// JSON text must end where the document does.
#[test]
fn trailing_json_is_rp0401() {
    let mut json = facts(json!({})).to_string();
    json.push_str(" {}");
    let facts_err = RolloutFacts::parse(&json).unwrap_err();
    assert!(facts_err.position.is_some());
    let err = Error::from(facts_err);
    assert_error(&err, "RP0401", "", "trailing characters", None);
}

/// YAML can spell a non-finite number; JSON cannot.
#[test]
fn a_non_finite_sample_is_rp0404() {
    let yaml = format!(
        "now: {}\nrollout: {{id: r, service: s}}\nmetrics:\n  errors:\n    canary: [{{at: {}, value: .nan}}]\n",
        at(0),
        at(-60)
    );
    let err = Error::from(RolloutFacts::parse(&yaml).unwrap_err());
    assert_error(
        &err,
        "RP0404",
        "$.metrics.errors.canary[0].value",
        "`NaN` is not a finite number",
        Some("write `null` for a gap in the data"),
    );
}

#[test]
fn assessing_without_a_rollout_policy_is_rp0501() {
    let checks = Bundle::from_dir(common::root().join("policies/ci")).unwrap();
    let f = RolloutFacts::from_json_value(facts(json!({})), checks.limits()).unwrap();
    let err = checks.assess(&f).unwrap_err();
    assert_error(
        &err,
        "RP0501",
        "",
        "the bundle holds no `RolloutPolicy`, so it cannot assess a rollout",
        None,
    );
}
