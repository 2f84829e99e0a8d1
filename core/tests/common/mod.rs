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

/// Assert everything an error says: its code, where (the policy location,
/// the facts input, position and JSON path, or the path that could not be
/// read; empty for an evaluation error), its message and its hint. An
/// error holding several policy errors must be asserted one by one with
/// [`assert_policy_error`].
#[track_caller]
pub fn assert_error(
    err: &release_policy::Error,
    code: &str,
    location: &str,
    message: &str,
    hint: Option<&str>,
) {
    use release_policy::Error;
    assert_eq!(err.code().as_str(), code, "code of {err}");
    assert_eq!(err.hint(), hint, "hint of {err}");
    match err {
        Error::Policy(e) => assert_policy_error(e, code, location, message, hint),
        Error::Policies(es) => panic!("{} errors, not one: {err}", es.len()),
        Error::Facts(e) => assert_facts_error(e, code, location, message, hint),
        Error::Io {
            path, message: m, ..
        } => {
            assert_eq!((path.as_str(), m.as_str()), (location, message), "{err}");
        }
        Error::Evaluation { message: m, .. } => {
            assert_eq!(("", m.as_str()), (location, message), "{err}");
        }
        other => panic!("unexpected error {other}"),
    }
}

/// [`assert_error`] for one policy error.
#[track_caller]
pub fn assert_policy_error(
    e: &release_policy::PolicyError,
    code: &str,
    location: &str,
    message: &str,
    hint: Option<&str>,
) {
    let got = (
        e.code().as_str(),
        e.location.to_string(),
        e.message.as_str(),
        e.hint(),
    );
    assert_eq!(got, (code, location.to_string(), message, hint));
    assert_eq!(e.to_string(), format!("{location}: {message}"));
}

/// [`assert_error`] for one facts error; `location` is everything `Display`
/// prints before the message (`facts.yaml:2:39: $.release.version`,
/// `$.approvals`, or empty).
#[track_caller]
pub fn assert_facts_error(
    e: &release_policy::FactsError,
    code: &str,
    location: &str,
    message: &str,
    hint: Option<&str>,
) {
    let got = (e.code().as_str(), e.message.as_str(), e.hint());
    assert_eq!(got, (code, message, hint), "{e}");
    let want = if location.is_empty() {
        message.to_string()
    } else {
        format!("{location}: {message}")
    };
    assert_eq!(e.to_string(), want);
}

/// Compare `got` with the golden file `golden` (written first when
/// `update`, as `UPDATE_CORPUS=1` asks); on a difference, panic naming
/// `case`, what (`the decision`, `the review`) and the first line that
/// differs.
pub fn golden(case: &str, what: &str, golden: &std::path::Path, got: &str, update: bool) {
    if update {
        std::fs::write(golden, got).unwrap();
    }
    let want = std::fs::read_to_string(golden)
        .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_CORPUS=1", golden.display()));
    if got != want {
        let line = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{case}: {what} differs from {} at line {}: got `{}`, want `{}` (UPDATE_CORPUS=1 regenerates)",
            golden.display(),
            line + 1,
            got.lines().nth(line).unwrap_or(""),
            want.lines().nth(line).unwrap_or("")
        );
    }
}
