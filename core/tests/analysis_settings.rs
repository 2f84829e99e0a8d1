//! The Kayenta settings of the `analysis` rule at load: each meaningless
//! value is a typed error with its code and `file:line:column` (the value's
//! position), and the valid ones load.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::assert_error;
use release_policy::{Bundle, Error};

const HEAD: &str = "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {name: p, version: 1.0.0}\nspec:\n  analysis:\n";

/// An analysis whose one metric is `{metric: m, <metric>}`, with `<rule>`
/// added to the rule.
fn analysis(rule: &str, metric: &str) -> String {
    format!(
        "{HEAD}    - {{id: a, thresholds: {{pass: 95, marginal: 75}}{rule}, metrics: [{{metric: m{metric}}}]}}\n"
    )
}

fn load(rule: &str, metric: &str) -> Result<Bundle, Error> {
    Bundle::from_yaml_str("p.yaml", &analysis(rule, metric))
}

/// The error, and the column of `needle` on line 6 (1-based).
fn error_at(rule: &str, metric: &str, needle: &str) -> (Error, String) {
    let text = analysis(rule, metric);
    let line = text.lines().nth(5).unwrap();
    let column = line.find(needle).unwrap() + 1;
    (
        load(rule, metric).unwrap_err(),
        format!("p.yaml:6:{column}"),
    )
}

#[test]
fn a_negative_tolerance_is_rp0306() {
    let (err, at) = error_at("", ", tolerance: -0.1", "-0.1");
    assert_error(
        &err,
        "RP0306",
        &at,
        "`tolerance` is `-0.1`, not a factor of at least 0",
        Some("the interval must clear tolerance × |estimate|; Kayenta's is 0.25"),
    );
    // 0 is meaningful: the interval must only exclude 0.
    load("", ", tolerance: 0").unwrap();
    load("", ", tolerance: 0.25").unwrap();
}

#[test]
fn max_no_data_percent_of_0_or_above_100_is_rp0301() {
    for v in ["0", "100.5", "-5"] {
        let (err, at) = error_at(&format!(", maxNoDataPercent: {v}"), "", &format!(" {v}"));
        let column: usize = at.rsplit(':').next().unwrap().parse().unwrap();
        // The key's value, one past the space.
        let at = format!("p.yaml:6:{}", column + 1);
        assert_error(
            &err,
            "RP0301",
            &at,
            &format!("`maxNoDataPercent` ({v}) must be above 0 and at most 100"),
            Some("the share of metrics without data that holds the analysis; Kayenta's is 50"),
        );
    }
    load(", maxNoDataPercent: 100", "").unwrap();
    load(", maxNoDataPercent: 25", "").unwrap();
}

#[test]
fn cles_allowances_out_of_range_are_rp0306() {
    let (err, at) = error_at("", ", effectSize: cles, allowedIncrease: 1.1", "1.1");
    assert_error(
        &err,
        "RP0306",
        &at,
        "`allowedIncrease` is `1.1`, not a CLES from 0.5 up to 1 (1 excluded)",
        Some("a CLES is a probability: 0.5 is no change, 0.6 a 60 % chance of higher"),
    );
    let (err, at) = error_at("", ", effectSize: cles, allowedDecrease: 0.7", "0.7");
    assert_error(
        &err,
        "RP0306",
        &at,
        "`allowedDecrease` is `0.7`, not a CLES above 0 up to 0.5",
        Some("a CLES is a probability: 0.5 is no change, 0.6 a 60 % chance of higher"),
    );
    // Exactly at the edges.
    load(
        "",
        ", effectSize: cles, allowedIncrease: 0.5, allowedDecrease: 0.5",
    )
    .unwrap();
    load("", ", effectSize: cles").unwrap();
}

#[test]
fn critical_thresholds_are_checked() {
    let (err, at) = error_at("", ", criticalIncrease: 1.5", "1.5");
    assert_error(
        &err,
        "RP0305",
        &at,
        "`criticalIncrease` is set but metric `m` is not `critical`",
        Some("it says which failures of a critical metric zero the score"),
    );
    let (err, at) = error_at(
        "",
        ", critical: true, allowedIncrease: 1.2, criticalIncrease: 1.1",
        "1.1",
    );
    assert_error(
        &err,
        "RP0301",
        &at,
        "`criticalIncrease` (`1.1`) is below `allowedIncrease` (`1.2`)",
        Some("a critical failure is a failure first: it lies beyond the allowance"),
    );
    let (err, at) = error_at(
        "",
        ", critical: true, direction: increase, criticalDecrease: 0.5",
        "0.5",
    );
    assert_error(
        &err,
        "RP0305",
        &at,
        "`criticalDecrease` is set but metric `m` has `direction: increase`",
        None,
    );
    let (err, at) = error_at("", ", critical: true, criticalDecrease: 0", ": 0}");
    let column: usize = at.rsplit(':').next().unwrap().parse().unwrap();
    assert_error(
        &err,
        "RP0306",
        &format!("p.yaml:6:{}", column + 2),
        "`criticalDecrease` is `0`, not a positive effect size",
        None,
    );
    // Exactly at the allowance is accepted (a failure beyond it is critical).
    load(
        "",
        ", critical: true, allowedIncrease: 1.2, criticalIncrease: 1.2",
    )
    .unwrap();
}

#[test]
fn outlier_settings_are_checked() {
    let (err, at) = error_at("", ", outlierFactor: 2", "2}");
    assert_error(
        &err,
        "RP0305",
        &at,
        "`outlierFactor` is set but metric `m` does not `removeOutliers`",
        Some("add `removeOutliers: true`"),
    );
    let (err, at) = error_at("", ", removeOutliers: true, outlierFactor: 0", "0}");
    assert_error(
        &err,
        "RP0306",
        &at,
        "`outlierFactor` is `0`, not a positive factor",
        Some("Kayenta's is 3.0: fences three interquartile ranges out"),
    );
    load("", ", removeOutliers: true").unwrap();
    load("", ", removeOutliers: true, outlierFactor: 1.5").unwrap();
}

#[test]
fn a_group_named_twice_is_rp0304() {
    let (err, at) = error_at("", ", group: g, groups: [h, g]", "g]");
    assert_error(
        &err,
        "RP0304",
        &at,
        "metric `m` is in group `g` twice",
        None,
    );
    load("", ", group: g, groups: [h, i]").unwrap();
}

#[test]
fn an_unknown_effect_size_is_rp0103() {
    let err = load("", ", effectSize: cohen").unwrap_err();
    assert_eq!(err.code().as_str(), "RP0103", "{err}");
    assert!(err.to_string().contains("unknown variant `cohen`"), "{err}");
}

/// Defect (issue 10), end to end: the rollout's critical metric has no
/// samples and the others pass; the verdict was `promote`, it holds.
#[test]
fn a_critical_metric_without_data_holds_the_rollout() {
    use release_policy::{Outcome, RolloutFacts, RolloutVerdict};
    use serde_json::json;
    let bundle = Bundle::from_yaml_str(
        "p.yaml",
        &format!(
            "{HEAD}    - {{id: a, thresholds: {{pass: 95, marginal: 75}}, metrics: [{{metric: ok}}, {{metric: ok2}}, {{metric: errors, critical: true}}]}}\n"
        ),
    )
    .unwrap();
    let now = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap();
    let at = |s: i64| {
        (now + chrono::Duration::seconds(s)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let series: Vec<_> = (0..20)
        .map(|i| json!({"at": at(60 * (i - 19)), "value": 10 + i % 3}))
        .collect();
    let facts = |errors: serde_json::Value| {
        json!({
            "now": at(0),
            "rollout": {"id": "r", "service": "s", "steps": [{"setWeight": 10}, {"pause": "30m"}],
                        "currentStep": 1, "weight": 10, "stepStartedAt": at(-3600)},
            "metrics": {
                "ok": {"canary": series, "baseline": series},
                "ok2": {"canary": series, "baseline": series},
                "errors": errors,
            },
        })
    };
    let run = |errors| {
        let f = RolloutFacts::from_json_value(facts(errors), bundle.limits()).unwrap();
        bundle.assess(&f).unwrap()
    };
    let a = run(json!({"baseline": series}));
    assert_eq!(a.verdict(), RolloutVerdict::Hold);
    assert_eq!(a.finding("a").unwrap().outcome(), Outcome::NoData);
    // With its data it passes, and the rollout promotes.
    let a = run(json!({"canary": series, "baseline": series}));
    assert_eq!(a.verdict(), RolloutVerdict::Promote);
}
