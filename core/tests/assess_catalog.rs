//! `assess` with a catalog: cascading-failure attribution. A trigger with
//! `downstream: true` watches a metric of every service downstream of the
//! rollout's (the example catalog: `checkout` and `invoicing` depend on
//! `payments`, `storefront`… on `checkout`), each against its own samples
//! from before the current step started; a trip names the service and the
//! path. Without a catalog, without `stepStartedAt` or without data it
//! holds (fail closed); a rollout the catalog cannot place is refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use release_policy::assessment::AssessFinding;
use release_policy::plan::Catalog;
use release_policy::{
    Action, Assessment, Bundle, Error, ErrorCode, Limits, Outcome, RolloutFacts, RolloutVerdict,
};

fn catalog() -> Catalog {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    Catalog::from_dir(root.join("examples/catalog"), &Limits::default()).unwrap()
}

const POLICY: &str = r#"
apiVersion: release-policy/v1
kind: RolloutPolicy
metadata: {name: cascade, version: 1.0.0}
spec:
  triggers:
    - id: downstream-errors
      metric: error-rate
      downstream: true
      compare: baseline
      above: 0.02
      window: 10m
      minSamples: 2
      action: rollback
      message: a downstream service's error rate rose after this step started
"#;

/// A payments rollout at step 1 since 10:20; `checkout`'s error rate is
/// `before` until 10:20 and `after` since; invoicing stays at 0.001.
fn facts(before: f64, after: f64) -> RolloutFacts {
    RolloutFacts::parse(&format!(
        r#"
now: 2026-11-26T10:30:00Z
rollout:
  id: payments-3.2.0
  service: payments
  version: "3.2.0"
  environment: production
  steps: [{{setWeight: 10}}, {{pause: 30m}}]
  currentStep: 1
  stepStartedAt: 2026-11-26T10:20:00Z
downstream:
  checkout:
    error-rate:
      samples:
        - {{at: 2026-11-26T10:10:00Z, value: {before}}}
        - {{at: 2026-11-26T10:15:00Z, value: {before}}}
        - {{at: 2026-11-26T10:22:00Z, value: {after}}}
        - {{at: 2026-11-26T10:26:00Z, value: {after}}}
  invoicing:
    error-rate:
      samples:
        - {{at: 2026-11-26T10:15:00Z, value: 0.001}}
        - {{at: 2026-11-26T10:22:00Z, value: 0.001}}
        - {{at: 2026-11-26T10:26:00Z, value: 0.001}}
"#
    ))
    .unwrap()
}

fn bundle() -> Bundle {
    Bundle::from_yaml_str("cascade.yaml", POLICY).unwrap()
}

fn finding(a: &Assessment) -> &AssessFinding {
    a.findings()
        .iter()
        .find(|f| f.rule() == "downstream-errors")
        .unwrap()
}

#[test]
fn a_downstream_error_rate_rising_after_the_step_rolls_back_with_the_path() {
    let a = bundle()
        .assess_with_catalog(&facts(0.001, 0.08), &catalog())
        .unwrap();
    let f = finding(&a);
    assert_eq!(f.outcome(), Outcome::Fail, "{}", f.message());
    assert_eq!(a.verdict(), RolloutVerdict::Rollback);
    assert!(
        f.message().contains("`checkout`") && f.message().contains("payments → checkout"),
        "{}",
        f.message()
    );
    let json: serde_json::Value = serde_json::from_str(&a.to_json_pretty()).unwrap();
    let found = &json["findings"][0];
    assert_eq!(
        found["observed"]["path"],
        serde_json::json!(["payments", "checkout"])
    );
    assert_eq!(found["observed"]["downstream"], "checkout");
    assert!(a.catalog_digest().unwrap().starts_with("sha256:"));
}

#[test]
fn a_downstream_series_within_its_own_baseline_passes() {
    // High before and after: the service's own level, not this rollout.
    let a = bundle()
        .assess_with_catalog(&facts(0.08, 0.085), &catalog())
        .unwrap();
    let f = finding(&a);
    assert_eq!(f.outcome(), Outcome::Pass, "{}", f.message());
    assert!(
        f.message().contains("2 downstream service(s)"),
        "{}",
        f.message()
    );
}

#[test]
fn without_a_catalog_a_downstream_trigger_holds() {
    let a = bundle().assess(&facts(0.001, 0.08)).unwrap();
    let f = finding(&a);
    assert_eq!(f.outcome(), Outcome::Error);
    assert_eq!(f.action(), Some(Action::Hold));
    assert!(f.message().contains("needs a catalog"), "{}", f.message());
    assert_eq!(a.verdict(), RolloutVerdict::Hold);
    assert!(a.catalog_digest().is_none());
}

#[test]
fn without_step_start_or_without_data_it_holds() {
    let mut no_step = facts(0.001, 0.08);
    no_step.rollout.step_started_at = None;
    let a = bundle().assess_with_catalog(&no_step, &catalog()).unwrap();
    assert_eq!(finding(&a).outcome(), Outcome::Error);
    assert_eq!(a.verdict(), RolloutVerdict::Hold);

    let mut none = facts(0.001, 0.08);
    none.downstream.clear();
    let a = bundle().assess_with_catalog(&none, &catalog()).unwrap();
    let f = finding(&a);
    assert_eq!(f.outcome(), Outcome::NoData, "{}", f.message());
    assert_eq!(a.verdict(), RolloutVerdict::Hold);

    // Samples only from before the step: no data since, so no pass.
    let mut stale = facts(0.001, 0.08);
    for s in stale.downstream.values_mut() {
        for m in s.metrics.values_mut() {
            m.samples
                .retain(|x| x.at < no_step.now - chrono::TimeDelta::minutes(10));
        }
    }
    let a = bundle().assess_with_catalog(&stale, &catalog()).unwrap();
    assert_eq!(finding(&a).outcome(), Outcome::NoData);
    assert_eq!(a.verdict(), RolloutVerdict::Hold);
}

#[test]
fn series_of_services_not_downstream_are_ignored_and_named() {
    // `search` does not depend on payments: its error spike is not this
    // rollout's, however bad.
    let mut json = serde_json::to_value(facts(0.001, 0.001)).unwrap();
    let search: serde_json::Value = serde_json::from_str(
        r#"{"error-rate": {"samples": [
            {"at": "2026-11-26T10:15:00Z", "value": 0.001},
            {"at": "2026-11-26T10:22:00Z", "value": 0.9},
            {"at": "2026-11-26T10:26:00Z", "value": 0.9}]}}"#,
    )
    .unwrap();
    json["downstream"]["search"] = search;
    let f = RolloutFacts::from_json_value(json, &Limits::default()).unwrap();
    let a = bundle().assess_with_catalog(&f, &catalog()).unwrap();
    let found = finding(&a);
    assert_eq!(found.outcome(), Outcome::Pass, "{}", found.message());
    assert!(
        found
            .message()
            .contains("not downstream of `payments`): search"),
        "{}",
        found.message()
    );
}

#[test]
fn a_rollout_the_catalog_cannot_place_is_refused() {
    let mut f = facts(0.001, 0.08);
    f.rollout.service = "paymnts".into();
    let e = bundle().assess_with_catalog(&f, &catalog()).unwrap_err();
    let Error::Facts(fe) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(fe.code(), ErrorCode::UnknownReference);
    assert!(e.to_string().contains("$.rollout.service"), "{e}");
    let mut f = facts(0.001, 0.08);
    f.rollout.environment = None;
    let e = bundle().assess_with_catalog(&f, &catalog()).unwrap_err();
    assert!(e.to_string().contains("$.rollout.environment"), "{e}");
}

#[test]
fn downstream_applies_to_metric_triggers_only() {
    let e = Bundle::from_yaml_str(
        "bad.yaml",
        r#"
apiVersion: release-policy/v1
kind: RolloutPolicy
metadata: {name: bad, version: 1.0.0}
spec:
  triggers:
    - {id: t, synthetic: "*", downstream: true}
"#,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("`downstream` applies to `metric` triggers"),
        "{e}"
    );
}

#[test]
fn downstream_series_are_held_to_the_series_rules() {
    // A sample after `now` is refused, with the path of the series.
    let text = "now: 2026-11-26T10:30:00Z\nrollout: {id: r, service: payments, environment: production}\ndownstream:\n  checkout:\n    error-rate:\n      samples: [{at: 2026-11-26T10:31:00Z, value: 0.1}]\n";
    let e = RolloutFacts::parse(text).unwrap_err();
    assert!(
        e.to_string()
            .contains("$.downstream.checkout.error-rate.samples"),
        "{e}"
    );
    // A service or metric given twice is refused, not silently replaced.
    let twice = "now: 2026-11-26T10:30:00Z\nrollout: {id: r, service: payments}\ndownstream:\n  checkout: {error-rate: {samples: []}}\n  checkout: {error-rate: {samples: []}}\n";
    assert!(RolloutFacts::parse(twice).is_err());
    let metric_twice = "now: 2026-11-26T10:30:00Z\nrollout: {id: r, service: payments}\ndownstream:\n  checkout:\n    error-rate: {samples: []}\n    error-rate: {samples: []}\n";
    assert!(RolloutFacts::parse(metric_twice).is_err());
}

#[test]
fn policy_tests_of_a_downstream_trigger_run_with_their_catalog() {
    let dir = std::env::temp_dir().join(format!("rp-cascade-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cascade.yaml"), POLICY).unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let rollout = serde_json::to_string(&facts(0.001, 0.08)).unwrap();
    let test = format!(
        "apiVersion: release-policy/v1\nkind: PolicyTest\nmetadata: {{name: cascade}}\nspec:\n  command: assess\n  catalog: {}\n  cases:\n    - name: a rise downstream rolls back\n      facts: {rollout}\n      expect: {{verdict: rollback, rules: {{downstream-errors: fail}}}}\n",
        root.join("examples/catalog").display()
    );
    std::fs::write(dir.join("cascade.test.yaml"), test).unwrap();
    let report = release_policy::testing::run_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(report.failed(), 0, "{:?}", report.cases);
    assert_eq!(report.passed(), 1);
}
