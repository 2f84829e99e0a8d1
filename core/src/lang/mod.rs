//! The policy language, knowing no question: the documents (serde types of
//! `Policy` and `RolloutPolicy`, with their JSON Schema), reading sources
//! (files, directories, strings, the built-in pack), positions of every
//! value for `file:line:column` errors, layering (what a later layer may
//! add or tighten), the shared compile context (CEL at a policy location),
//! the bundle digest, and reading the other input documents (catalogs,
//! release plans, release records) with the same positions.
//!
//! `lang` imports no slice: the slices (`check`, `assess`) compile the rule
//! kinds they evaluate from the merged documents this module gives them.

pub(crate) mod compiler;
pub(crate) mod document;
pub(crate) mod inputs;
pub(crate) mod layer;
pub(crate) mod load;
pub(crate) mod locate;
mod quality_gate_rule;
mod review_rules;
mod rollout_rules;
pub(crate) mod rules;

use sha2::{Digest, Sha256};

use document::{PolicyDocument, Spec, Variable};

/// `sha256:…` over the canonical JSON of the effective (merged) policies.
pub(crate) fn digest(policies: &[layer::MergedPolicy]) -> String {
    let docs: Vec<PolicyDocument> = policies
        .iter()
        .map(|p| PolicyDocument {
            api_version: document::API_VERSION.into(),
            kind: p.kind.clone(),
            metadata: p.metadata.clone(),
            spec: {
                let mut spec = Spec {
                    applies_to: p.applies_to.as_ref().map(|(a, _)| a.clone()),
                    variables: p
                        .variables
                        .iter()
                        .map(|(v, _)| Variable {
                            expression: p.variable_source(v),
                            ..v.clone()
                        })
                        .collect(),
                    ..Spec::default()
                };
                spec.put_rules(p.rules.iter().map(|(r, _)| r));
                spec
            },
        })
        .collect();
    let canonical = serde_json::to_vec(&docs).unwrap_or_default();
    crate::model::digest::sha256_text(&Sha256::digest(&canonical))
}
