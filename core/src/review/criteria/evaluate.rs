//! Scoring one release record against the compiled review policies: the
//! record bound as the roots (with what the library measures from it),
//! each policy's `appliesTo` and variables, then every criterion — `pass`,
//! `fail`, `error` (fails closed: a criterion that cannot be evaluated
//! counts as not met) or `skipped` — with its message and, when asked, the
//! values it read. Each record gets its own evaluation budget.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as Json;

use super::compile::{CompiledCriterion, ReviewPolicy};
use crate::expr::bind::{bind_checked, echo, lookup};
use crate::expr::{Budget, CompiledExpr, Frame, Val};
use crate::limits::Limits;
use crate::model::ReleaseRecord;
use crate::model::shape::RECORD;
use crate::vocab::Outcome;

/// One criterion judged on one release.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CriterionResult {
    /// The review policy.
    pub policy: String,
    /// The criterion's id.
    pub criterion: String,
    /// `pass`, `fail`, `error` or `skipped`.
    pub outcome: Outcome,
    /// Whether a release that does not meet it fails the review.
    pub required: bool,
    /// Why.
    pub message: String,
    /// The values the criterion read, by path (when asked for).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, Json>,
}

fn as_bool(v: Result<Val<'_>, String>, what: &str) -> Result<bool, String> {
    match v? {
        Val::Bool(b) => Ok(b),
        other => Err(format!("{what} gave `{}`, not a bool", other.to_json())),
    }
}

/// Variables by name: their JSON, or why they could not be computed.
type Variables = BTreeMap<String, Result<Json, String>>;

/// Evaluate `e`, refusing up front when it reads a variable that failed.
fn eval<'a>(
    e: &'a CompiledExpr,
    frame: &Frame<'a, '_>,
    vars: &Variables,
) -> Result<Val<'a>, String> {
    for path in &e.reads {
        if let [root, name, ..] = path.as_slice() {
            if root == "variables" {
                if let Some(Err(err)) = vars.get(name) {
                    return Err(format!("variable `{name}` could not be evaluated: {err}"));
                }
            }
        }
    }
    e.eval(frame)
}

/// The values the expressions of `k` read.
fn values(
    k: &CompiledCriterion,
    json: &Json,
    vars: &Variables,
    limits: &Limits,
) -> BTreeMap<String, Json> {
    let mut out = BTreeMap::new();
    let exprs = std::iter::once(&k.expression).chain(k.when.as_ref());
    for path in exprs.flat_map(|e| e.reads.iter()) {
        let value = match path.split_first() {
            Some((root, rest)) if root == "variables" => match rest.split_first() {
                Some((name, rest)) => match vars.get(name) {
                    Some(Ok(v)) => lookup(v, rest),
                    _ => None,
                },
                None => None,
            },
            _ => lookup(json, path),
        };
        if let Some(v) = value {
            out.insert(path.join("."), echo(v, limits.max_echo_bytes));
        }
    }
    out
}

/// Score `record` against `policies`; with `with_values`, each result
/// carries the values its criterion read.
pub(crate) fn score(
    policies: &[&ReviewPolicy],
    record: &ReleaseRecord,
    limits: &Limits,
    with_values: bool,
) -> Vec<CriterionResult> {
    let mut out = Vec::new();
    if policies.iter().all(|p| p.criteria.is_empty()) {
        return out;
    }
    let json = record.roots_json(&|root| policies.iter().any(|p| p.roots.contains(root)));
    let roots = bind_checked(&RECORD, &json);
    for policy in policies.iter().filter(|p| !p.criteria.is_empty()) {
        let budget = Budget::new(limits);
        let root = Frame {
            roots: &roots,
            vars: &[],
            budget: &budget,
        };
        let applies = policy
            .applies_to
            .as_ref()
            .map(|a| as_bool(a.eval(&root), "`appliesTo`"));
        let result = |k: &CompiledCriterion, outcome, message: String| CriterionResult {
            policy: policy.metadata.name.clone(),
            criterion: k.criterion.id.clone(),
            outcome,
            required: k.criterion.required,
            message,
            values: BTreeMap::new(),
        };
        match applies {
            Some(Ok(false)) => {
                out.extend(policy.criteria.iter().map(|k| {
                    result(
                        k,
                        Outcome::Skipped,
                        "policy does not apply (`appliesTo` is false)".into(),
                    )
                }));
                continue;
            }
            Some(Err(e)) => {
                out.extend(policy.criteria.iter().map(|k| {
                    result(
                        k,
                        Outcome::Error,
                        format!("`appliesTo` could not be evaluated: {e}"),
                    )
                }));
                continue;
            }
            _ => {}
        }
        let mut vars: Variables = BTreeMap::new();
        let mut slots: Vec<Option<Val<'_>>> = Vec::with_capacity(policy.variables.len());
        for (name, e) in &policy.variables {
            let frame = Frame {
                roots: &roots,
                vars: &slots,
                budget: &budget,
            };
            match eval(e, &frame, &vars) {
                Ok(v) => {
                    vars.insert(name.clone(), Ok(v.to_json()));
                    slots.push(Some(v));
                }
                Err(err) => {
                    vars.insert(name.clone(), Err(err));
                    slots.push(None);
                }
            }
        }
        let scope = Frame {
            roots: &roots,
            vars: &slots,
            budget: &budget,
        };
        for k in &policy.criteria {
            let mut r = judge(k, &scope, &vars, &result);
            if with_values {
                r.values = values(k, &json, &vars, limits);
            }
            out.push(r);
        }
    }
    out
}

fn judge<'a>(
    k: &'a CompiledCriterion,
    scope: &Frame<'a, '_>,
    vars: &Variables,
    result: &dyn Fn(&CompiledCriterion, Outcome, String) -> CriterionResult,
) -> CriterionResult {
    if let Some(w) = &k.when {
        match as_bool(eval(w, scope, vars), "`when`") {
            Ok(false) => {
                return result(
                    k,
                    Outcome::Skipped,
                    "does not apply (`when` is false)".into(),
                );
            }
            Err(e) => {
                return result(
                    k,
                    Outcome::Error,
                    format!("`when` could not be evaluated: {e}"),
                );
            }
            Ok(true) => {}
        }
    }
    match as_bool(eval(&k.expression, scope, vars), "expression") {
        Ok(true) => result(
            k,
            Outcome::Pass,
            k.criterion
                .description
                .clone()
                .unwrap_or_else(|| "met".into()),
        ),
        Ok(false) => {
            let message = match &k.message_expression {
                Some(m) => match eval(m, scope, vars) {
                    Ok(Val::Str(s)) => s.as_str().to_string(),
                    Ok(other) => {
                        format!("messageExpression gave `{}`, not a string", other.to_json())
                    }
                    Err(e) => format!("not met (messageExpression could not be evaluated: {e})"),
                },
                None => k
                    .criterion
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("criterion `{}` not met", k.criterion.id)),
            };
            result(k, Outcome::Fail, message)
        }
        Err(e) => result(k, Outcome::Error, format!("could not be evaluated: {e}")),
    }
}
