//! Helpers shared by the integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use release_policy::{Bundle, Decision, Facts};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Facts from a file under the repository root.
pub fn facts(rel: &str) -> Facts {
    let text = std::fs::read_to_string(root().join(rel)).expect("facts file");
    Facts::parse(&text).expect("valid facts")
}

/// The base facts of the standard pack's tests (verdict go) as JSON, to patch.
pub fn base_json() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("policies/testdata/base.yaml")).unwrap();
    yaml_serde::from_str(&text).unwrap()
}

/// Check JSON facts against a bundle.
pub fn check(bundle: &Bundle, json: serde_json::Value) -> Decision {
    bundle
        .check(&Facts::from_json_value(json, bundle.limits()).unwrap())
        .unwrap()
}

/// A one-policy bundle from gate/approval YAML (the `spec` body).
pub fn policy(spec: &str) -> Bundle {
    let text = format!(
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {{name: t, version: 1.0.0}}\nspec:\n{spec}"
    );
    Bundle::from_yaml_str("t.yaml", &text).unwrap_or_else(|e| panic!("{e}"))
}
