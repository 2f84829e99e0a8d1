//! Load-time checks a policy author expects: a comparison of two fact types
//! that can never be equal, and a misspelt field of the policy's own map
//! literal, are refused when the policy loads, with the place and a hint.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use release_policy::Bundle;

/// The first policy error of a one-gate policy with `expression`, as
/// `(code, message, hint)`; `None` when it loads.
fn load_error(variables: &str, expression: &str) -> Option<(String, String, Option<String>)> {
    let text = format!(
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {{name: t, version: 1.0.0}}\nspec:\n{variables}  gates:\n    - id: g\n      expression: '{expression}'\n"
    );
    let e = Bundle::from_yaml_str("t.yaml", &text).err()?;
    let p = e.policy_errors().first().cloned()?;
    Some((
        p.code().as_str().to_string(),
        p.message.clone(),
        p.hint().map(str::to_string),
    ))
}

#[test]
fn an_int_field_compared_with_a_string_is_refused() {
    let (code, message, hint) = load_error("", "service.tier == \"1\"").unwrap();
    assert_eq!(code, "RP0206");
    assert_eq!(
        message,
        "`service.tier` is an int and `\"1\"` is a string: the comparison is never true"
    );
    assert!(hint.unwrap().starts_with("compare values of one type"));
}

#[test]
fn a_timestamp_compared_with_a_string_is_refused() {
    let (code, message, _) = load_error("", "now > \"2026-01-01T00:00:00Z\"").unwrap();
    assert_eq!(code, "RP0206");
    assert!(message.starts_with("`now` is a timestamp and"), "{message}");
}

#[test]
fn comparisons_of_one_type_family_load() {
    for ok in [
        "service.tier == 1",
        "service.tier <= 2.5",
        "now > timestamp(\"2026-01-01T00:00:00Z\")",
        "release.version != \"1.0.0\"",
        "release.labels.team == \"payments\"",
        "extensions.anything == 3",
    ] {
        assert_eq!(load_error("", ok), None, "{ok}");
    }
}

#[test]
fn a_misspelt_field_of_a_map_literal_names_the_variable() {
    let vars =
        "  variables:\n    - name: budget\n      expression: '{\"tier1\": 5, \"tier2\": 10}'\n";
    let (code, message, hint) = load_error(vars, "variables.budget.tier3 > 1").unwrap();
    assert_eq!(code, "RP0203");
    assert_eq!(message, "unknown field `tier3` in `variables.budget`");
    assert_eq!(hint.as_deref(), Some("did you mean `tier1`?"));
    assert_eq!(load_error(vars, "variables.budget.tier2 > 1"), None);
}
