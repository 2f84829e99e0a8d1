//! The views of the facts against the facts' full JSON: every root reads
//! as the JSON view of the same facts reads, and every object of the
//! facts shape is a view with exactly the shape's fields.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::*;
use crate::expr::value::List;
use crate::expr::view::same;
use crate::model::test_facts::all_facts;

/// The roots of `facts` as the JSON view binds them: each root of the
/// facts' full JSON read through the facts shape.
fn through_json(json: &Json) -> Vec<Val<'_>> {
    crate::expr::bind::bind_checked(&FACTS, json)
}

fn service_of(facts: &Facts, derived_budget: Option<f64>) -> Option<ServiceView<'_>> {
    facts.service.as_ref().map(|service| ServiceView {
        service,
        derived_budget,
    })
}

/// Every root of the views and of the JSON are the same, slot by slot.
fn assert_roots_agree(facts: &Facts, json: &Json, derived_budget: Option<f64>) {
    let service = service_of(facts, derived_budget);
    let direct = bind(facts, service.as_ref(), None);
    let reference = through_json(json);
    let Shape::Object(fields) = &*FACTS else {
        panic!("the facts shape is an object");
    };
    assert_eq!(direct.len(), fields.len());
    for ((name, a), b) in fields.keys().zip(&reference).zip(&direct) {
        assert!(
            same(a, b),
            "root `{name}`: JSON view {} ({}), direct {} ({})",
            a.to_json(),
            a.type_name(),
            b.to_json(),
            b.type_name()
        );
    }
}

#[test]
fn every_root_reads_as_the_json_of_the_facts() {
    for f in all_facts() {
        assert_roots_agree(&f, &f.to_json_value(), None);
    }
}

#[test]
fn a_number_json_cannot_hold_reads_as_its_null() {
    let mut f = all_facts().pop().unwrap();
    let service = f.service.as_mut().unwrap();
    service.slos[0].objective = f64::NAN;
    service.error_budget_remaining = Some(f64::INFINITY);
    let rollout = f.rollout.as_mut().unwrap();
    rollout.weight = Some(f64::NEG_INFINITY);
    let json = f.to_json_value();
    assert_eq!(json["service"]["slos"][0]["objective"], Json::Null);
    assert_roots_agree(&f, &json, None);
}

#[test]
fn the_derived_error_budget_reads_as_the_figure_it_stands_for() {
    let mut f = all_facts().pop().unwrap();
    f.service.as_mut().unwrap().error_budget_remaining = None;
    let mut json = f.to_json_value();
    json["service"]["errorBudgetRemaining"] = Json::from(0.25);
    assert_roots_agree(&f, &json, Some(0.25));
    // Given by the facts, the figure wins over a derived one.
    f.service.as_mut().unwrap().error_budget_remaining = Some(0.5);
    let mut json = f.to_json_value();
    json["service"]["errorBudgetRemaining"] = Json::from(0.5);
    assert_roots_agree(&f, &json, Some(0.25));
}

#[test]
fn a_catalog_root_is_its_json_and_an_absent_section_is_null() {
    let f = &all_facts()[0];
    let catalog = serde_json::json!({"graph": {"service": "checkout"}});
    let roots = bind(f, None, Some(&catalog));
    let Shape::Object(fields) = &*FACTS else {
        panic!("the facts shape is an object");
    };
    let at = |name: &str| &roots[fields.keys().position(|k| k == name).unwrap()];
    assert_eq!(at("graph").to_json(), catalog["graph"]);
    assert!(matches!(at("calendar"), Val::Null));
    // Without the service view, `service` is absent to the policies.
    assert!(matches!(at("service"), Val::Null));
}

/// Every object of the facts shape reached through `v` (with shape
/// `shape` at `path`): a view whose keys are the shape's field names;
/// each path of an object is added to `seen`.
fn walk(v: &Val<'_>, shape: &Shape, path: &str, seen: &mut BTreeSet<String>) {
    match (v, shape) {
        (Val::Map(Map::View(view)), Shape::Object(fields)) => {
            let names: Vec<&str> = fields.keys().map(String::as_str).collect();
            assert_eq!(view.keys(), names.as_slice(), "the fields of `{path}`");
            seen.insert(path.to_string());
            for (name, field) in fields.iter() {
                if let Some(x) = view.field(name) {
                    walk(&x, field, &format!("{path}.{name}"), seen);
                }
            }
        }
        (Val::List(List::View(items)), Shape::List(element)) => {
            for i in 0..items.count() {
                walk(&items.item(i).unwrap(), element, &format!("{path}[]"), seen);
            }
        }
        (Val::Map(Map::View(_)), _) => panic!("`{path}` is a view but not an object"),
        _ => {}
    }
}

/// The paths of every object the facts shape holds (through lists), but
/// for those of free-form JSON and the catalog's roots.
fn objects(shape: &Shape, path: &str, out: &mut BTreeSet<String>) {
    match shape {
        Shape::Object(fields) => {
            if !path.is_empty() {
                out.insert(path.to_string());
            }
            for (name, field) in fields.iter() {
                let at = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                if !matches!(at.as_str(), "graph" | "calendar") {
                    objects(field, &at, out);
                }
            }
        }
        Shape::List(element) => objects(element, &format!("{path}[]"), out),
        _ => {}
    }
}

#[test]
fn every_object_of_the_facts_is_a_view_with_the_fields_of_its_shape() {
    let mut seen = BTreeSet::new();
    for f in all_facts() {
        let service = service_of(&f, None);
        let roots = bind(&f, service.as_ref(), None);
        let Shape::Object(fields) = &*FACTS else {
            panic!("the facts shape is an object");
        };
        for ((name, shape), v) in fields.iter().zip(&roots) {
            walk(v, shape, name, &mut seen);
        }
    }
    let mut all = BTreeSet::new();
    objects(&FACTS, "", &mut all);
    let missed: Vec<_> = all.difference(&seen).collect();
    assert!(
        missed.is_empty(),
        "the examples reach no view of {missed:?}: add one to `all_facts`"
    );
}
