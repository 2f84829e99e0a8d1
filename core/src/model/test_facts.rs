//! Facts the tests of the model and of the evaluator's views run over:
//! the example releases, and one with every section the facts can hold.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Value as Json, json};

use crate::limits::Limits;
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
