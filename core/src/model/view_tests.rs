//! Tests of the per-root JSON view and of the count of the facts' values:
//! both against the full JSON of the facts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Value as Json, json};

use super::*;
use crate::model::shape::{FACTS, Shape};

/// The example releases, and one with every section the facts can hold
/// (the rollout of a rollout example, labels, nested extensions).
fn all_facts() -> Vec<Facts> {
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
    full["labels"] = json!({"team": "payments", "cost-center": "42"});
    full["extensions"] = json!({"x": [1, {"y": null, "z": [true, 2.5, "s"]}], "w": {}});
    out.push(Facts::from_json_value(full, &Limits::default()).unwrap());
    out
}

/// The roots of the facts shape that come from the facts (not a catalog).
fn fact_roots() -> Vec<String> {
    let Shape::Object(fields) = &*FACTS else {
        panic!("the facts shape is an object");
    };
    fields
        .keys()
        .filter(|k| *k != "graph" && *k != "calendar")
        .cloned()
        .collect()
}

#[test]
fn every_root_of_the_facts_is_known_and_matches_the_full_json() {
    let facts = all_facts();
    let full_example = facts.last().unwrap().to_json_value();
    for name in fact_roots() {
        // Every root the facts schema has is one `root_json` knows (a new
        // section of the facts must be added there, or its rules would
        // read `null`), and the section is present in the full example.
        assert!(
            full_example.get(&name).is_some(),
            "the full example lacks `{name}`"
        );
        for f in &facts {
            let whole = f.to_json_value();
            assert_eq!(
                f.root_json(&name),
                Some(whole.get(&name).cloned()),
                "root `{name}`"
            );
        }
    }
    assert_eq!(facts[0].root_json("graph"), None);
    assert_eq!(facts[0].root_json("nope"), None);
}

#[test]
fn the_roots_together_are_the_whole_json() {
    for f in all_facts() {
        let mut rebuilt = serde_json::Map::new();
        for name in fact_roots() {
            if let Some(Some(v)) = f.root_json(&name) {
                rebuilt.insert(name, v);
            }
        }
        assert_eq!(Json::Object(rebuilt), f.to_json_value());
    }
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
