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

fn policy_err(spec: &str) -> String {
    Bundle::from_yaml_str(
        "p.yaml",
        &format!(
            "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {{name: p, version: 1.0.0}}\nspec:\n{spec}"
        ),
    )
    .unwrap_err()
    .to_string()
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
fn bad_facts_are_errors_with_a_json_path() {
    let b = policy(ERRORS_ABOVE_5_FOR_2M);
    let err = |f: Value| match RolloutFacts::from_json_value(f, b.limits()) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("accepted"),
    };
    let unsorted = json!([{"at": at(0), "value": 1.0}, {"at": at(-60), "value": 1.0}]);
    assert!(
        err(facts(json!({"errors": {"canary": unsorted}})))
            .contains("$.metrics.errors.canary[1].at: sample at")
    );
    let future = json!([{"at": at(60), "value": 1.0}]);
    assert!(err(facts(json!({"errors": {"canary": future}}))).contains("is after `now`"));
    let mut f = facts(json!({}));
    f["rollout"]["weight"] = json!(140);
    assert!(err(f).contains("$.rollout.weight: weight `140` is not a percentage"));
    let mut f = facts(json!({}));
    f["rollout"]["currentStep"] = json!(5);
    assert!(err(f).contains("outside the plan of 2 steps"));
    let mut f = facts(json!({}));
    f["rollout"]["steps"] = json!([{"setWeight": 5, "pause": "1m"}]);
    f["rollout"]["currentStep"] = json!(0);
    assert!(err(f).contains("either `setWeight` or `pause`"));
    let mut f = facts(json!({}));
    f["slos"] = json!({"availability": {"objective": 99.9, "errorRatio": {"5x": 0.1}}});
    assert!(err(f).contains("$.slos.availability.errorRatio.5x"));
    // JSON text must end where the document does.
    let mut json = facts(json!({})).to_string();
    json.push_str(" {}");
    let e = RolloutFacts::parse(&json).unwrap_err();
    assert!(e.to_string().contains("trailing characters"), "{e}");
    assert!(e.position.is_some());
    // YAML can spell a non-finite number; JSON cannot.
    let yaml = format!(
        "now: {}\nrollout: {{id: r, service: s}}\nmetrics:\n  errors:\n    canary: [{{at: {}, value: .nan}}]\n",
        at(0),
        at(-60)
    );
    let e = RolloutFacts::parse(&yaml).unwrap_err().to_string();
    assert!(
        e.contains("$.metrics.errors.canary[0].value: `NaN` is not a finite number"),
        "{e}"
    );
    assert!(e.contains("hint: write `null` for a gap"), "{e}");
}

#[test]
fn bad_rollout_policies_are_load_errors_with_a_location() {
    let e = policy_err("  triggers:\n    - {id: t, metric: m, above: 1, window: 0}\n");
    assert!(
        e.contains("p.yaml:6:44: `window` must be longer than 0"),
        "{e}"
    );
    let e = policy_err("  triggers:\n    - {id: t, metric: m, above: 1, window: 5m, for: 10m}\n");
    assert!(
        e.contains("`for` (10m) is not shorter than `window` (5m)"),
        "{e}"
    );
    // Equal is refused too: a breach spans first to latest sample, all
    // inside the window, so it could never last the whole window.
    let e = policy_err("  triggers:\n    - {id: t, metric: m, above: 1, window: 5m, for: 5m}\n");
    assert!(e.contains("`for` (5m) is not shorter"), "{e}");
    let e = policy_err("  triggers:\n    - {id: t, metric: m, abovePercent: 10}\n");
    assert!(
        e.contains("`abovePercent` needs `compare: baseline`"),
        "{e}"
    );
    let e = policy_err("  triggers:\n    - {id: t, metric: m, above: 1, below: 2}\n");
    assert!(e.contains("`below` (2) is not under `above` (1)"), "{e}");
    let e = policy_err("  triggers:\n    - {id: t, metric: m}\n");
    assert!(e.contains("trigger `t` has no threshold"), "{e}");
    let e = policy_err("  triggers:\n    - {id: t, metric: m, synthetic: j, above: 1}\n");
    assert!(
        e.contains("exactly one of `metric`, `synthetic` or `condition`"),
        "{e}"
    );
    let e = policy_err("  triggers:\n    - {id: t, condition: 'rollout.wieght > 5.0'}\n");
    assert!(
        e.contains("unknown field `wieght`") && e.contains("did you mean `weight`"),
        "{e}"
    );
    let e = policy_err("  triggers:\n    - {id: t, metric: m, expression: 'value > basline'}\n");
    assert!(e.contains("unknown name `basline`"), "{e}");
    let e = policy_err(
        "  analysis:\n    - {id: a, thresholds: {pass: 75, marginal: 80}, metrics: [{metric: m}]}\n",
    );
    assert!(
        e.contains("`thresholds.marginal` (80) is above `thresholds.pass` (75)"),
        "{e}"
    );
    let e = policy_err(
        "  analysis:\n    - {id: a, thresholds: {pass: 95, marginal: 75}, metrics: [{metric: m, direction: sideways}]}\n",
    );
    assert!(e.contains("unknown variant `sideways`"), "{e}");
    let e = policy_err(
        "  burnRate:\n    - {id: b, slo: s, alerts: [{long: 1h, short: 2h, factor: 14.4}]}\n",
    );
    assert!(
        e.contains("short window `2h` is not shorter than `1h`"),
        "{e}"
    );
    let e = policy_err("  gates:\n    - {id: g, expression: 'true'}\n");
    assert!(e.contains("a `RolloutPolicy` cannot hold `gates`"), "{e}");
    let e = Bundle::from_yaml_str(
        "q.yaml",
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: q}\nspec:\n  triggers:\n    - {id: t, metric: m, above: 1}\n",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("a `Policy` cannot hold `triggers`"), "{e}");
}

#[test]
fn a_layer_may_tighten_a_trigger_but_not_loosen_it() {
    let org = "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {name: p, version: 1.0.0}\nspec:\n  triggers:\n    - {id: t, metric: errors, above: 5, for: 2m, window: 5m, action: hold}\n";
    let team = |t: &str| {
        format!(
            "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {{name: p}}\nspec:\n  triggers:\n    - {t}\n"
        )
    };
    let build = |t: &str| {
        Bundle::builder()
            .yaml_layer("org.yaml", org)
            .yaml_layer("team.yaml", team(t))
            .build()
    };
    // Lower threshold, shorter `for`, stricter action: tighter.
    build("{id: t, metric: errors, above: 3, for: 1m, window: 5m, action: rollback}").unwrap();
    for loose in [
        "{id: t, metric: errors, above: 8, for: 2m, window: 5m, action: hold}",
        "{id: t, metric: errors, above: 5, for: 3m, window: 5m, action: hold}",
        "{id: t, metric: errors, above: 5, for: 2m, window: 5m, action: alert}",
        "{id: t, metric: errors, above: 5, for: 2m, window: 5m, action: hold, noData: ignore}",
        "{id: t, metric: errors, below: 1, for: 2m, window: 5m, action: hold}",
    ] {
        let e = build(loose).unwrap_err().to_string();
        assert!(
            e.contains("layer loosens trigger `t`") && e.contains("org.yaml"),
            "{loose}: {e}"
        );
    }
    // A rollout policy cannot be amended as a release policy.
    let e = Bundle::builder()
        .yaml_layer("org.yaml", org)
        .yaml_layer("team.yaml", "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  gates: [{id: g, expression: 'true'}]\n")
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("is a `Policy` here but a `RolloutPolicy`"),
        "{e}"
    );
}

#[test]
fn check_and_assess_each_need_their_policies() {
    let b = policy(ERRORS_ABOVE_5_FOR_2M);
    let release = common::facts("examples/releases/payments-1.8.0.yaml");
    assert!(matches!(b.check(&release), Err(Error::Evaluation { .. })));
    let checks = Bundle::from_dir(common::root().join("policies/ci")).unwrap();
    let f = RolloutFacts::from_json_value(facts(json!({})), checks.limits()).unwrap();
    assert!(matches!(checks.assess(&f), Err(Error::Evaluation { .. })));
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
