//! Keptn parity of quality gates, end to end: the worked example decides
//! as documented, Keptn's scoring (weights, the half-score warning tier,
//! key SLIs, total score exactly at the pass score, informational
//! objectives, OR across criteria sets), relative criteria against
//! previous evaluations (only usable ones, aggregated by `avg` or Keptn's
//! percentile), the fail-closed cases Keptn passes silently, and the load
//! errors of each new field.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{assert_error, root};
use release_policy::{Action, Bundle, Error, Outcome, RolloutFacts, RolloutVerdict};
use serde_json::{Value, json};

const EXAMPLE: &str = "examples/rollouts/quality-gate";

fn example_policy() -> String {
    std::fs::read_to_string(root().join(EXAMPLE).join("policies/checkout-slo.yaml")).unwrap()
}

fn example_facts(name: &str) -> Value {
    let text = std::fs::read_to_string(root().join(EXAMPLE).join(name)).unwrap();
    yaml_serde::from_str(&text).unwrap()
}

fn bundle(policy: &str) -> Bundle {
    Bundle::from_yaml_str("p.yaml", policy).unwrap()
}

fn load_error(policy: &str) -> Error {
    Bundle::from_yaml_str("p.yaml", policy).unwrap_err()
}

fn assess(b: &Bundle, facts: Value) -> release_policy::Assessment {
    let f = RolloutFacts::from_json_value(facts, b.limits()).unwrap();
    b.assess(&f).unwrap()
}

fn gate(a: &release_policy::Assessment) -> Value {
    a.finding("checkout-slo").unwrap().quality_gate().unwrap()
}

/// The example's objective `sli`.
fn objective<'a>(g: &'a Value, sli: &str) -> &'a Value {
    g["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["sli"] == sli)
        .unwrap()
}

#[test]
fn the_example_decides_as_documented() {
    let b = bundle(&example_policy());
    for (file, verdict, result, score) in [
        (
            "checkout-gate-pass.yaml",
            RolloutVerdict::Promote,
            "pass",
            100.0,
        ),
        (
            "checkout-gate-warning.yaml",
            RolloutVerdict::Hold,
            "warning",
            87.5,
        ),
        (
            "checkout-gate-key-sli-fail.yaml",
            RolloutVerdict::Rollback,
            "fail",
            50.0,
        ),
    ] {
        let a = assess(&b, example_facts(file));
        assert_eq!(a.verdict(), verdict, "{file}");
        let g = gate(&a);
        assert_eq!(g["result"], result, "{file}");
        assert_eq!(g["score"], score, "{file}");
        assert_eq!(g["comparedEvaluations"], 3, "{file}");
    }
}

#[test]
fn every_target_is_reported_with_its_computed_threshold() {
    let a = assess(
        &bundle(&example_policy()),
        example_facts("checkout-gate-warning.yaml"),
    );
    let g = gate(&a);
    let rt = objective(&g, "response_time_p95");
    // The failed evaluation (950 ms) is no reference: (480 + 500 + 520) / 3.
    assert_eq!(rt["reference"], 500.0);
    assert_eq!(rt["status"], "warning");
    assert_eq!(rt["score"], 0.5);
    assert_eq!(
        rt["passTargets"],
        json!([
            {"criteria": "<=+10%", "targetValue": 550.0, "violated": true},
            {"criteria": "<600", "targetValue": 600.0, "violated": true},
        ])
    );
    assert_eq!(
        rt["warningTargets"],
        json!([{"criteria": "<=800", "targetValue": 800.0, "violated": false}])
    );
    let tp = objective(&g, "throughput");
    assert_eq!(
        tp["passTargets"],
        json!([{"criteria": ">=-5%", "targetValue": 969.0, "violated": false}])
    );
    let cpu = objective(&g, "cpu_usage");
    assert_eq!(
        (cpu["status"].as_str(), cpu["score"].as_f64()),
        (Some("info"), Some(0.0))
    );
    assert_eq!(cpu["value"], 61.0);
}

fn with_sli(name: &str, sli: &str, value: Value) -> Value {
    let mut f = example_facts(name);
    f["slis"][sli] = value;
    f
}

#[test]
fn exactly_at_a_relative_target_passes_and_one_above_does_not() {
    let b = bundle(&example_policy());
    let at = with_sli(
        "checkout-gate-pass.yaml",
        "response_time_p95",
        json!({"value": 550}),
    );
    assert_eq!(
        objective(&gate(&assess(&b, at)), "response_time_p95")["status"],
        "pass"
    );
    let above = with_sli(
        "checkout-gate-pass.yaml",
        "response_time_p95",
        json!({"value": 550.5}),
    );
    assert_eq!(
        objective(&gate(&assess(&b, above)), "response_time_p95")["status"],
        "warning"
    );
}

#[test]
fn a_total_score_exactly_at_the_pass_score_passes() {
    let b = bundle(&example_policy().replace("pass: \"90%\"", "pass: \"87.5%\""));
    let a = assess(&b, example_facts("checkout-gate-warning.yaml"));
    assert_eq!(gate(&a)["result"], "pass");
    assert_eq!(a.verdict(), RolloutVerdict::Promote);
    // Just under the warning score fails (no key SLI involved).
    let b = bundle(
        &example_policy()
            .replace("pass: \"90%\"", "pass: 95")
            .replace("warning: \"75%\"", "warning: 87.6"),
    );
    let a = assess(&b, example_facts("checkout-gate-warning.yaml"));
    assert_eq!(gate(&a)["result"], "fail");
    assert_eq!(a.verdict(), RolloutVerdict::Rollback);
}

#[test]
fn without_a_usable_previous_value_a_relative_criterion_holds_never_passes() {
    let b = bundle(&example_policy());
    // No previous evaluation at all (Keptn passes the criterion).
    let mut f = example_facts("checkout-gate-pass.yaml");
    f["previousEvaluations"] = json!([]);
    let a = assess(&b, f);
    let g = gate(&a);
    assert_eq!(g["result"], "no-data");
    assert_eq!(a.verdict(), RolloutVerdict::Hold);
    assert_eq!(
        a.finding("checkout-slo").unwrap().outcome(),
        Outcome::NoData
    );
    let rt = objective(&g, "response_time_p95");
    assert_eq!(rt["status"], "no-data");
    assert_eq!(
        rt["passTargets"][0],
        json!({"criteria": "<=+10%", "targetValue": null, "violated": null})
    );
    // Only failed evaluations: none is a reference.
    let mut f = example_facts("checkout-gate-pass.yaml");
    f["previousEvaluations"] = json!([{"at": "2026-11-25T09:00:00Z", "result": "fail",
        "slis": {"response_time_p95": {"value": 400}, "throughput": {"value": 900}}}]);
    assert_eq!(assess(&b, f).verdict(), RolloutVerdict::Hold);
    // Passing evaluations whose SLI errored: no value to compare with.
    let mut f = example_facts("checkout-gate-pass.yaml");
    f["previousEvaluations"] = json!([{"at": "2026-11-25T09:00:00Z", "result": "pass",
        "slis": {"response_time_p95": {"error": "timeout"}, "throughput": {"error": "timeout"}}}]);
    assert_eq!(assess(&b, f).verdict(), RolloutVerdict::Hold);
}

#[test]
fn an_undetermined_objective_does_not_save_a_gate_that_fails_anyway() {
    let b = bundle(&example_policy());
    let mut f = example_facts("checkout-gate-key-sli-fail.yaml");
    f["previousEvaluations"] = json!([]);
    let a = assess(&b, f);
    assert_eq!(gate(&a)["result"], "fail");
    assert_eq!(gate(&a)["keySliFailed"], true);
    assert_eq!(a.verdict(), RolloutVerdict::Rollback);
}

#[test]
fn a_missing_sli_holds_and_an_errored_one_fails_its_objective() {
    let b = bundle(&example_policy());
    let mut f = example_facts("checkout-gate-pass.yaml");
    f["slis"].as_object_mut().unwrap().remove("error_rate");
    assert_eq!(assess(&b, f).verdict(), RolloutVerdict::Hold);
    let f = with_sli(
        "checkout-gate-pass.yaml",
        "error_rate",
        json!({"error": "no data from provider"}),
    );
    let a = assess(&b, f);
    let g = gate(&a);
    let er = objective(&g, "error_rate");
    assert_eq!(er["status"], "fail");
    assert_eq!(er["error"], "no data from provider");
    assert_eq!(er["passTargets"][0]["violated"], true);
    assert_eq!(a.verdict(), RolloutVerdict::Rollback);
    // A missing informational SLI changes nothing.
    let mut f = example_facts("checkout-gate-pass.yaml");
    f["slis"].as_object_mut().unwrap().remove("cpu_usage");
    assert_eq!(assess(&b, f).verdict(), RolloutVerdict::Promote);
}

#[test]
fn criteria_sets_are_or_and_criteria_in_a_set_are_and() {
    let policy = example_policy().replace(
        "- criteria: [\"<=+10%\", \"<600\"]",
        "- criteria: [\"<=+10%\", \"<300\"]\n            - criteria: [\"<700\"]",
    );
    let b = bundle(&policy);
    let a = assess(&b, example_facts("checkout-gate-pass.yaml"));
    let rt = objective(&gate(&a), "response_time_p95").clone();
    assert_eq!(rt["status"], "pass");
    // Every target of every set is reported, the violated ones too.
    let violated: Vec<bool> = rt["passTargets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["violated"].as_bool().unwrap())
        .collect();
    assert_eq!(violated, [false, true, false]);
}

#[test]
fn percentile_references_match_numpy() {
    // Reference values from core/tests/data/keptn_percentile_reference.py
    // ("latencies": p90 = 432.15, p50 = 406.5).
    let latencies = [
        412.0, 398.5, 405.25, 420.0, 388.0, 401.0, 433.5, 399.0, 410.0, 407.75,
    ];
    let previous: Vec<Value> = latencies
        .iter()
        .enumerate()
        .map(|(i, v)| {
            json!({"at": format!("2026-11-25T{:02}:00:00Z", i), "result": "pass",
                   "slis": {"latency": {"value": v}}})
        })
        .collect();
    for (agg, reference) in [("p90", 432.15), ("p50", 406.5), ("avg", 407.5)] {
        let policy = format!(
            "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {{name: p, version: 1.0.0}}\nspec:\n  qualityGates:\n    - id: g\n      comparison: {{numberOfComparisonResults: 10, aggregateFunction: {agg}}}\n      objectives:\n        - sli: latency\n          pass: [{{criteria: [\"<=+0\"]}}]\n      totalScore: {{pass: 100}}\n"
        );
        let b = bundle(&policy);
        for (value, passes) in [(reference, true), (reference + 1e-6, false)] {
            let f = json!({"now": "2026-11-26T00:00:00Z", "rollout": {"id": "r", "service": "s"},
                           "slis": {"latency": {"value": value}}, "previousEvaluations": previous});
            let a = assess(&b, f);
            let g = a.finding("g").unwrap().quality_gate().unwrap();
            let r = g["objectives"][0]["reference"].as_f64().unwrap();
            assert!((r - reference).abs() <= 1e-9, "{agg}: {r}");
            assert_eq!(g["result"] == "pass", passes, "{agg} at {value}");
        }
    }
}

#[test]
fn pass_or_warn_takes_warning_evaluations_as_references() {
    let policy = example_policy().replace(
        "includeResultWithScore: pass",
        "includeResultWithScore: pass_or_warn",
    );
    let mut f = example_facts("checkout-gate-pass.yaml");
    f["previousEvaluations"][1]["result"] = json!("warning");
    let a = assess(&bundle(&policy), f);
    // The latest three usable: 950, 500, 520.
    let rt = objective(&gate(&a), "response_time_p95").clone();
    assert!((rt["reference"].as_f64().unwrap() - 1970.0 / 3.0).abs() < 1e-9);
}

#[test]
fn a_quality_gate_warning_holds_and_its_on_fail_can_hold_too() {
    let b = bundle(
        &example_policy().replace("      totalScore:", "      onFail: hold\n      totalScore:"),
    );
    let a = assess(&b, example_facts("checkout-gate-key-sli-fail.yaml"));
    let f = a.finding("checkout-slo").unwrap();
    assert_eq!(f.outcome(), Outcome::Fail);
    assert_eq!(f.action(), Some(Action::Hold));
}

fn gate_policy(body: &str) -> String {
    format!(
        "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {{name: p, version: 1.0.0}}\nspec:\n  qualityGates:\n    - id: g\n{body}"
    )
}

const OBJ: &str =
    "      objectives:\n        - sli: latency\n          pass: [{criteria: [\"<=800\"]}]\n";
const SCORE: &str = "      totalScore: {pass: 90, warning: 75}\n";

#[test]
fn a_malformed_criteria_string_is_rp0130() {
    let err = load_error(&gate_policy(&format!(
        "      objectives:\n        - sli: latency\n          pass: [{{criteria: [\"<=800\", \"=<5%\"]}}]\n{SCORE}"
    )));
    assert_error(
        &err,
        "RP0130",
        "p.yaml:9:39",
        "criteria `=<5%` is malformed: the operator is not followed by a number (`800`, `+10%`, `-5`)",
        Some("write it as Keptn does: `<=800`, `<+10%`, `>=-5%`, `<=+50`"),
    );
}

#[test]
fn a_percentile_out_of_range_is_rp0132() {
    let err = load_error(&gate_policy(&format!(
        "      comparison: {{aggregateFunction: p100}}\n{OBJ}{SCORE}"
    )));
    assert_error(
        &err,
        "RP0132",
        "p.yaml:7:39",
        "aggregate function `p100` is not `avg` or a percentile `pN` with 0 < N < 100",
        Some("write `avg`, `p50`, `p90` or `p95`"),
    );
}

#[test]
fn a_limit_of_0_is_rp0131() {
    let err = load_error(&gate_policy(&format!(
        "      comparison: {{numberOfComparisonResults: 0}}\n{OBJ}{SCORE}"
    )));
    assert_eq!(err.code().as_str(), "RP0131");
    let err = load_error(&gate_policy(&format!(
        "      objectives:\n        - sli: latency\n          weight: 0\n          pass: [{{criteria: [\"<=800\"]}}]\n{SCORE}"
    )));
    assert_error(
        &err,
        "RP0131",
        "p.yaml:9:19",
        "`weight` is `0`: the objective would count for nothing",
        Some("leave out `pass` to make it informational"),
    );
}

#[test]
fn scores_out_of_order_or_range_are_rp0301() {
    let err = load_error(&gate_policy(&format!(
        "{OBJ}      totalScore: {{pass: 70, warning: 75}}\n"
    )));
    assert_eq!(err.code().as_str(), "RP0301");
    let err = load_error(&gate_policy(&format!(
        "{OBJ}      totalScore: {{pass: \"ninety\"}}\n"
    )));
    assert_eq!(err.code().as_str(), "RP0301");
    let err = load_error(&gate_policy(&format!(
        "{OBJ}      totalScore: {{pass: 101}}\n"
    )));
    assert_eq!(err.code().as_str(), "RP0301");
}

#[test]
fn a_gate_that_would_pass_on_nothing_is_rp0305() {
    // An empty criteria set would be met by anything.
    let err = load_error(&gate_policy(&format!(
        "      objectives:\n        - sli: latency\n          pass: [{{criteria: []}}]\n{SCORE}"
    )));
    assert_eq!(err.code().as_str(), "RP0305");
    // Only informational objectives: Keptn passes with 100 %.
    let err = load_error(&gate_policy(&format!(
        "      objectives:\n        - sli: latency\n{SCORE}"
    )));
    assert_eq!(err.code().as_str(), "RP0305");
    // Warning criteria without pass criteria.
    let err = load_error(&gate_policy(&format!(
        "{OBJ}        - sli: cpu\n          warning: [{{criteria: [\"<=1\"]}}]\n{SCORE}"
    )));
    assert_eq!(err.code().as_str(), "RP0305");
}

#[test]
fn an_sli_with_neither_value_nor_error_is_rp0404() {
    let f = json!({"now": "2026-11-26T00:00:00Z", "rollout": {"id": "r", "service": "s"},
                   "slis": {"latency": {}}});
    let err = Error::from(
        RolloutFacts::from_json_value(f, &release_policy::Limits::default()).unwrap_err(),
    );
    assert_eq!(err.code().as_str(), "RP0404");
    let f = json!({"now": "2026-11-26T00:00:00Z", "rollout": {"id": "r", "service": "s"},
                   "previousEvaluations": [
                       {"at": "2026-11-25T02:00:00Z", "result": "pass"},
                       {"at": "2026-11-25T01:00:00Z", "result": "pass"}]});
    let err = Error::from(
        RolloutFacts::from_json_value(f, &release_policy::Limits::default()).unwrap_err(),
    );
    assert_error(
        &err,
        "RP0404",
        "$.previousEvaluations[1].at",
        "previous evaluations are not oldest first",
        None,
    );
}

#[test]
fn conditions_read_slis_and_previous_evaluations() {
    let policy = "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {name: p, version: 1.0.0}\nspec:\n  triggers:\n    - id: cpu-hot\n      condition: slis.cpu_usage.value > 60.0 && previousEvaluations.size() == 4 && previousEvaluations[1].result == 'fail'\n      action: hold\n";
    let a = assess(&bundle(policy), example_facts("checkout-gate-pass.yaml"));
    assert_eq!(a.finding("cpu-hot").unwrap().outcome(), Outcome::Fail);
}
