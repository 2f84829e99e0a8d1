//! Tests of the count of the facts' values against the full JSON of the
//! facts, and the facts they (and the views' tests) run over.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Value as Json, json};

use super::*;
use crate::model::Facts;

/// The example releases, and one with every section the facts can hold
/// (the rollout of a rollout example, labels, nested extensions).
pub(crate) fn all_facts() -> Vec<Facts> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");
    let mut out = Vec::new();
    for name in ["checkout-2.4.0", "payments-1.8.0", "search-3.0.0"] {
        let text = std::fs::read_to_string(format!("{dir}/releases/{name}.yaml")).unwrap();
        out.push(Facts::parse(&text).unwrap());
    }
    let text = std::fs::read_to_string(format!("{dir}/releases/checkout-2.4.0.yaml")).unwrap();
    let mut full: Json = yaml_serde::from_str(&text).unwrap();
    let rollout_text =
        std::fs::read_to_string(format!("{dir}/rollouts/checkout-canary-healthy.yaml")).unwrap();
    let rollout: Json = yaml_serde::from_str(&rollout_text).unwrap();
    full["rollout"] = rollout["rollout"].clone();
    full["rollout"]["capacity"] = json!({
        "allocatable": 64.0, "reserved": 40.5, "perReplica": 2.0,
        "replicas": {"stable": 10, "canary": 1}
    });
    full["waivers"] = json!([{
        "rule": "ci-green", "by": "dana", "role": "release-manager",
        "reason": "flaky suite", "expires": "2026-12-01T00:00:00.5Z"
    }]);
    full["release"]["changes"] = json!([{
        "kind": "new-endpoint", "id": "T-1", "path": "/refunds", "external": true,
        "fields": ["email", "iban"], "description": "refunds API"
    }]);
    full["labels"] = json!({"team": "payments", "cost-center": "42"});
    full["extensions"] = json!({"x": [1, {"y": null, "z": [true, 2.5, "s"]}], "w": {}});
    out.push(Facts::from_json_value(full, &Limits::default()).unwrap());
    out
}

/// Every value of `v`'s JSON (every scalar, list and map), as the walk of
/// the facts' JSON in `expr::bind` counts them.
fn values(v: &Json) -> usize {
    1 + match v {
        Json::Array(items) => items.iter().map(values).sum(),
        Json::Object(map) => map.values().map(values).sum(),
        _ => 0,
    }
}

fn longest_list(v: &Json) -> usize {
    match v {
        Json::Array(items) => items
            .iter()
            .map(longest_list)
            .max()
            .unwrap_or(0)
            .max(items.len()),
        Json::Object(map) => map.values().map(longest_list).max().unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn the_count_agrees_with_the_walk_of_the_json_at_each_limit() {
    for f in all_facts() {
        let json = f.to_json_value();
        let n = values(&json);
        let longest = longest_list(&json);
        assert!(n > 50 && longest > 1, "an example worth counting");
        for max_values in [n - 1, n, n + 1] {
            for max_list in [longest - 1, longest, longest + 1] {
                let limits = Limits {
                    max_fact_values: max_values,
                    max_list_items: max_list,
                    ..Limits::default()
                };
                assert_eq!(
                    within_counts(&f, &limits),
                    max_values >= n && max_list >= longest,
                    "values {max_values} of {n}, list {max_list} of {longest}"
                );
            }
        }
    }
}
