//! JSON Schemas of the facts (release and rollout), the policy documents,
//! the decision and the assessment,
//! generated from the Rust types (for editors and for static checks).

/// The JSON Schema of the facts (`check`'s input).
pub fn facts() -> serde_json::Value {
    crate::model::shape::facts_schema()
}

/// The JSON Schema of a policy document.
pub fn policy() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(crate::lang::document::PolicyDocument))
        .unwrap_or_default()
}

/// The JSON Schema of a decision.
pub fn decision() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(crate::check::decision::Decision))
        .unwrap_or_default()
}

/// The JSON Schema of rollout facts (`assess`'s input).
pub fn rollout_facts() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(crate::model::RolloutFacts)).unwrap_or_default()
}

/// The JSON Schema of an assessment.
pub fn assessment() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(crate::assess::assessment::Assessment))
        .unwrap_or_default()
}

/// The JSON Schema of a review (`review`'s report of a period).
pub fn review() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(crate::review::Review)).unwrap_or_default()
}

/// The JSON Schema of a release record (`review`'s input).
pub fn record() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(crate::model::ReleaseRecord)).unwrap_or_default()
}
