//! The JSON Schemas the crate publishes (`release_policy::schema`, printed
//! by `release-policy schema KIND`) are what is recorded in
//! `tests/schemas/`: a change to one — a field, a type, a description
//! taken from a doc comment — shows up here, to be made on purpose
//! (`UPDATE_SCHEMAS=1 cargo test -p release-policy --test schemas`) and
//! reviewed with the change that made it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use release_policy::schema;

#[test]
fn published_schemas_are_as_recorded() {
    let dir = common::root().join("tests/schemas");
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    let schemas = [
        ("facts", schema::facts()),
        ("policy", schema::policy()),
        ("decision", schema::decision()),
        ("rollout-facts", schema::rollout_facts()),
        ("assessment", schema::assessment()),
        ("review", schema::review()),
        ("record", schema::record()),
    ];
    let mut changed = Vec::new();
    for (name, value) in schemas {
        assert!(value.is_object(), "schema `{name}` is not an object");
        let text = format!("{}\n", serde_json::to_string_pretty(&value).unwrap());
        let path = dir.join(format!("{name}.schema.json"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            changed.push(name);
        }
    }
    assert!(
        changed.is_empty(),
        "the schemas {changed:?} differ from tests/schemas/ (if on purpose: \
         UPDATE_SCHEMAS=1 cargo test -p release-policy --test schemas)"
    );
}
