//! Sandbox bounds, in the manner of rhai's `Limits` and Kubernetes' CEL
//! cost limits: every input that could make evaluation slow or deep is
//! bounded, and hitting a bound is a clear error, never a hang or a crash.

use serde::Serialize;

/// Bounds on policies, expressions and facts.
///
/// The defaults are generous for real release data and policies, and small
/// enough that the worst case evaluates in well under a second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Longest CEL expression, in bytes.
    pub max_expression_len: usize,
    /// Deepest bracket / unary-operator nesting, checked before parsing so a
    /// pathological expression cannot exhaust the parser's stack.
    pub max_nesting: usize,
    /// Most AST nodes in one expression.
    pub max_ast_nodes: usize,
    /// Deepest AST.
    pub max_ast_depth: usize,
    /// Most comprehensions (`all`, `exists`, `map`, `filter`) nested inside
    /// each other. With `max_list_items` this bounds the work of one rule.
    pub max_comprehension_nesting: usize,
    /// Largest facts document, in bytes.
    pub max_facts_bytes: usize,
    /// Longest list anywhere in the facts.
    pub max_list_items: usize,
    /// Largest policy file, in bytes.
    pub max_policy_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_expression_len: 4096,
            max_nesting: 32,
            max_ast_nodes: 1000,
            max_ast_depth: 64,
            max_comprehension_nesting: 2,
            max_facts_bytes: 8 * 1024 * 1024,
            max_list_items: 1000,
            max_policy_bytes: 1024 * 1024,
        }
    }
}
