//! The release facts written directly against the serde encoder, over
//! facts that fill every field of the facts shape.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

use super::super::FactCounts;
use super::super::{encode, encode_direct_into};
use crate::limits::Limits;
use crate::model::Facts;
use crate::model::shape::{FACTS, Shape};
use crate::model::test_facts::all_facts;

fn direct(f: &Facts) -> Vec<u8> {
    let mut all = Vec::new();
    encode_direct_into(f, |b| all.extend_from_slice(b));
    all
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
fn the_counts_are_those_of_a_walk_of_the_json() {
    let mut facts = all_facts();
    facts.push(every_field());
    let mut empty = every_field();
    empty.approvals.clear();
    empty.ci = None;
    empty.labels.clear();
    facts.push(empty);
    for (i, f) in facts.iter().enumerate() {
        let json = f.to_json_value();
        let counts = encode_direct_into(f, |_| {});
        assert_eq!(
            counts,
            FactCounts {
                values: values(&json),
                longest_list: longest_list(&json),
            },
            "facts {i}"
        );
        assert!(
            counts.values > 50 && counts.longest_list > 1,
            "facts worth counting"
        );
    }
}

/// The paths of the fields of `shape` (through lists, as `path[]`), but
/// for free-form JSON and a catalog's roots: every one when `json` is
/// `None`, else those `json` holds somewhere (in any item of a list).
fn paths(json: Option<&Json>, shape: &Shape, path: &str, out: &mut BTreeSet<String>) {
    match shape {
        Shape::Object(fields) => {
            for (name, field) in fields.iter() {
                if path.is_empty() && matches!(name.as_str(), "graph" | "calendar") {
                    continue;
                }
                // Every field of the shape, or those the JSON holds.
                let child = match json {
                    None => Some(None),
                    Some(j) => j.get(name).map(Some),
                };
                if let Some(child) = child {
                    let at = format!("{path}.{name}");
                    out.insert(at.clone());
                    paths(child, field, &at, out);
                }
            }
        }
        Shape::List(element) => {
            // The element's shape once, or every item the JSON holds.
            let items: Vec<Option<&Json>> = match json {
                None => vec![None],
                Some(j) => j.as_array().into_iter().flatten().map(Some).collect(),
            };
            let at = format!("{path}[]");
            for item in items {
                out.insert(at.clone());
                paths(item, element, &at, out);
            }
        }
        _ => {}
    }
}

/// The fullest example with every field the facts shape has filled in.
fn every_field() -> Facts {
    let full = all_facts().pop().unwrap();
    let mut j = full.to_json_value();
    j["release"]["previousVersion"] = json!("2.3.9-rc.1+b7");
    j["release"]["labels"] = json!({"tier": "gold", "a": "b"});
    j["changeRequest"] = json!({
        "id": "CR-1", "status": "approved", "approvedBy": "cab",
        "approvedAt": "2026-11-20T10:00:00.25Z", "url": "https://cr/1"
    });
    j["history"]["incidents"][0]["resolvedAt"] = json!("2026-11-01T00:00:00Z");
    j["history"]["incidents"][0]["causedBy"] = json!("checkout-2.3.0");
    j["history"]["releases"][0]["postmortem"] = json!("open");
    j["service"]["rollbackBudget"] = json!("15m");
    j["service"]["errorBudgetRemaining"] = json!(0.4);
    j["service"]["slos"][0]["unit"] = json!("ms");
    j["service"]["slos"][0]["window"] = json!("30d");
    j["service"]["slos"][0]["errorRatio"] = json!(0.001);
    j["approvals"][0]["comment"] = json!("ok");
    j["approvals"][0]["evidence"] = json!(["https://e/1"]);
    j["migrations"][0]["downTestedIn"] = json!("staging");
    j["migrations"][0]["downTestedAt"] = json!("2026-11-19T00:00:00Z");
    j["migrations"][0]["checks"] = json!({
        "pre": [{"name": "rows", "status": "passed"}], "post": [{"name": "sum"}]
    });
    j["readiness"]["rollback"]["runbook"] = json!("https://rb");
    j["rollout"]["version"] = json!("2.4.0");
    j["rollout"]["environment"] = json!("production");
    j["rollout"]["release"] = json!("checkout-2.4.0");
    j["rollout"]["currentStep"] = json!(1);
    j["rollout"]["weight"] = json!(12.5);
    j["rollout"]["startedAt"] = json!("2026-11-26T09:00:00Z");
    j["rollout"]["stepStartedAt"] = json!("2026-11-26T09:30:00.125Z");
    j["rollout"]["steps"] = json!([{"setWeight": 10}, {"pause": "10m"}]);
    j["rollout"]["flags"] =
        json!([{"name": "f", "new": true, "releaseGated": true, "exposure": 0.5}]);
    j["ci"]["suites"][0]["completedAt"] = json!("2026-11-26T08:00:00Z");
    Facts::from_json_value(j, &Limits::default()).unwrap()
}

#[test]
fn the_example_fills_every_field_of_the_facts_shape() {
    let (mut all, mut held) = (BTreeSet::new(), BTreeSet::new());
    paths(None, &FACTS, "", &mut all);
    paths(Some(&every_field().to_json_value()), &FACTS, "", &mut held);
    let missing: Vec<_> = all.difference(&held).collect();
    assert!(missing.is_empty(), "fill in {missing:?}");
    assert!(all.len() > 100, "the shape's fields: {}", all.len());
}

#[test]
fn the_facts_written_directly_are_the_bytes_serde_writes() {
    let mut facts = all_facts();
    facts.push(every_field());
    // Empty sections and fields are left out alike; a number JSON cannot
    // hold is encoded alike.
    let mut bare = every_field();
    bare.ci.as_mut().unwrap().suites.clear();
    bare.ci.as_mut().unwrap().commit = None;
    bare.ci.as_mut().unwrap().url = None;
    bare.migrations[0].checks.pre.clear();
    bare.migrations[0].checks.post.clear();
    bare.service.as_mut().unwrap().slos[0].objective = f64::NAN;
    bare.security.as_mut().unwrap().scans.clear();
    bare.security.as_mut().unwrap().certificates.clear();
    bare.security.as_mut().unwrap().secrets.clear();
    bare.labels.clear();
    bare.extensions.clear();
    facts.push(bare);
    for (i, f) in facts.iter().enumerate() {
        assert_eq!(direct(f), encode(f), "facts {i}");
    }
}

#[test]
fn a_large_free_form_map_inside_is_put_in_order_alike() {
    // Extensions over the size moved in place are put in order by pieces
    // inside the facts written directly.
    let mut f = every_field();
    for i in 0..40 {
        f.extensions.insert(
            format!("k{}", 1000 - i * 7),
            json!({"v": "x".repeat(i * 3), "n": i}),
        );
    }
    assert_eq!(direct(&f), encode(&f));
    assert_eq!(
        crate::model::digest::release_facts_digest(&f).0,
        crate::model::digest::facts_digest(&f)
    );
}
