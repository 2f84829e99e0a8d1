//! Scoring one release record against the compiled review policies: the
//! record bound as the roots (with what the library measures from it),
//! each policy's `appliesTo` and variables, then every criterion — `pass`,
//! `fail`, `error` (fails closed: a criterion that cannot be evaluated
//! counts as not met) or `skipped` — with its message and, when asked, the
//! values it read. Each record gets its own evaluation budget.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as Json;

use super::compile::{CompiledCriterion, ReviewPolicy};
use super::roots::Root;
use crate::expr::bind::echo_owned;
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

/// Variables by name: the slot of each, or why it could not be computed.
type Variables = BTreeMap<String, Result<usize, String>>;

/// Evaluate `e`, refusing up front when it reads a variable that failed.
fn eval<'a>(
    e: &'a CompiledExpr,
    frame: &Frame<'a, '_>,
    vars: &Variables,
) -> Result<Val<'a>, String> {
    if vars.is_empty() {
        return e.eval(frame);
    }
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

/// The value at `path` below `v` (fields of maps only).
fn walk<'v>(v: Val<'v>, path: &[String]) -> Option<Val<'v>> {
    path.iter().try_fold(v, |v, name| match v {
        Val::Map(m) => m.field(name),
        _ => None,
    })
}

/// The values the expressions of `k` read, from the roots and the
/// variables the criterion was judged on.
fn values(
    k: &CompiledCriterion,
    scope: &Frame<'_, '_>,
    vars: &Variables,
    limits: &Limits,
) -> BTreeMap<String, Json> {
    let names: Vec<&String> = match &*RECORD {
        crate::model::shape::Shape::Object(fields) => fields.keys().collect(),
        _ => Vec::new(),
    };
    let mut out = BTreeMap::new();
    let exprs = std::iter::once(&k.expression).chain(k.when.as_ref());
    for path in exprs.flat_map(|e| e.reads.iter()) {
        let Some((first, rest)) = path.split_first() else {
            continue;
        };
        let start = if first == "variables" {
            let Some((name, rest)) = rest.split_first() else {
                continue;
            };
            match vars.get(name) {
                Some(Ok(slot)) => scope
                    .vars
                    .get(*slot)
                    .cloned()
                    .flatten()
                    .and_then(|v| walk(v, rest)),
                _ => None,
            }
        } else {
            names
                .iter()
                .position(|n| *n == first)
                .and_then(|i| scope.roots.get(i).cloned())
                .and_then(|v| walk(v, rest))
        };
        if let Some(v) = start {
            out.insert(
                path.join("."),
                echo_owned(v.to_json(), limits.max_echo_bytes),
            );
        }
    }
    out
}

/// One criterion judged on one record, as [`score_with`] hands it over:
/// the message borrowed where it is the policy's own text.
pub(crate) struct Judged<'p> {
    pub policy: &'p ReviewPolicy,
    pub criterion: &'p CompiledCriterion,
    pub outcome: Outcome,
    pub message: Cow<'p, str>,
    /// The values the criterion read (only when asked for: nothing to
    /// drop per criterion and record otherwise).
    pub values: Option<BTreeMap<String, Json>>,
}

/// The roots of a record `policies` read, in slot order: worked out once
/// for a review, not per record.
pub(crate) fn wanted(policies: &[&ReviewPolicy]) -> Vec<Option<Root>> {
    super::roots::slots(&|root| policies.iter().any(|p| p.roots.contains(root)))
}

/// Whether `policies` have criteria to judge.
pub(crate) fn any_criteria(policies: &[&ReviewPolicy]) -> bool {
    policies.iter().any(|p| !p.criteria.is_empty())
}

/// Score a record, bound as `roots` (those of [`wanted`]), against
/// `policies`: every criterion of every policy, in order, handed to
/// `visit`; with `with_values`, with the values it read.
pub(crate) fn score_with<'p>(
    policies: &[&'p ReviewPolicy],
    roots: &[Val<'_>],
    limits: &Limits,
    with_values: bool,
    visit: &mut dyn FnMut(Judged<'p>),
) {
    for &policy in policies.iter().filter(|p| !p.criteria.is_empty()) {
        let budget = Budget::new(limits);
        let root = Frame {
            roots,
            vars: &[],
            budget: &budget,
        };
        let applies = policy
            .applies_to
            .as_ref()
            .map(|a| as_bool(a.eval(&root), "`appliesTo`"));
        let whole = |outcome, message: Cow<'p, str>, visit: &mut dyn FnMut(Judged<'p>)| {
            for k in &policy.criteria {
                visit(Judged {
                    policy,
                    criterion: k,
                    outcome,
                    message: message.clone(),
                    values: None,
                });
            }
        };
        match applies {
            Some(Ok(false)) => {
                whole(
                    Outcome::Skipped,
                    Cow::Borrowed("policy does not apply (`appliesTo` is false)"),
                    visit,
                );
                continue;
            }
            Some(Err(e)) => {
                whole(
                    Outcome::Error,
                    Cow::Owned(format!("`appliesTo` could not be evaluated: {e}")),
                    visit,
                );
                continue;
            }
            _ => {}
        }
        let mut vars: Variables = BTreeMap::new();
        let mut slots: Vec<Option<Val<'_>>> = Vec::with_capacity(policy.variables.len());
        for (name, e) in &policy.variables {
            let frame = Frame {
                roots,
                vars: &slots,
                budget: &budget,
            };
            match eval(e, &frame, &vars) {
                Ok(v) => {
                    vars.insert(name.clone(), Ok(slots.len()));
                    slots.push(Some(v));
                }
                Err(err) => {
                    vars.insert(name.clone(), Err(err));
                    slots.push(None);
                }
            }
        }
        let scope = Frame {
            roots,
            vars: &slots,
            budget: &budget,
        };
        for k in &policy.criteria {
            let (outcome, message) = judge(k, &scope, &vars);
            let message = match message {
                Msg::Static(m) => Cow::Borrowed(m),
                Msg::Description => k
                    .criterion
                    .description
                    .as_deref()
                    .map_or(Cow::Borrowed("met"), Cow::Borrowed),
                Msg::Message => k
                    .criterion
                    .message
                    .as_deref()
                    .map_or(Cow::Borrowed("not met"), Cow::Borrowed),
                Msg::Owned(m) => Cow::Owned(m),
            };
            let values = with_values.then(|| values(k, &scope, &vars, limits));
            visit(Judged {
                policy,
                criterion: k,
                outcome,
                message,
                values,
            });
        }
    }
}

/// Score `record` against `policies`, every criterion with its message and
/// the values it read: one release's outcome.
pub(crate) fn score(
    policies: &[&ReviewPolicy],
    record: &ReleaseRecord,
    limits: &Limits,
) -> Vec<CriterionResult> {
    let mut out = Vec::new();
    if !any_criteria(policies) {
        return out;
    }
    let roots = super::roots::bind(record, &wanted(policies));
    score_with(policies, &roots, limits, true, &mut |j| {
        out.push(CriterionResult {
            policy: j.policy.metadata.name.clone(),
            criterion: j.criterion.criterion.id.clone(),
            outcome: j.outcome,
            required: j.criterion.criterion.required,
            message: j.message.into_owned(),
            values: j.values.unwrap_or_default(),
        });
    });
    out
}

/// Why a criterion came out as it did, without copying the policy's own
/// text: it is borrowed from the criterion by the caller.
enum Msg {
    Static(&'static str),
    /// The criterion's description (or `met`).
    Description,
    /// The criterion's `message` (it has one).
    Message,
    Owned(String),
}

/// The outcome of `k` and why; a message is built only when the criterion
/// is not met and says more than the policy's own text.
fn judge<'a>(k: &'a CompiledCriterion, scope: &Frame<'a, '_>, vars: &Variables) -> (Outcome, Msg) {
    if let Some(w) = &k.when {
        match as_bool(eval(w, scope, vars), "`when`") {
            Ok(false) => {
                return (
                    Outcome::Skipped,
                    Msg::Static("does not apply (`when` is false)"),
                );
            }
            Err(e) => {
                return (
                    Outcome::Error,
                    Msg::Owned(format!("`when` could not be evaluated: {e}")),
                );
            }
            Ok(true) => {}
        }
    }
    match as_bool(eval(&k.expression, scope, vars), "expression") {
        Ok(true) => (Outcome::Pass, Msg::Description),
        Ok(false) => {
            let message = match &k.message_expression {
                Some(m) => Msg::Owned(match eval(m, scope, vars) {
                    Ok(Val::Str(s)) => s.as_str().to_string(),
                    Ok(other) => {
                        format!("messageExpression gave `{}`, not a string", other.to_json())
                    }
                    Err(e) => format!("not met (messageExpression could not be evaluated: {e})"),
                }),
                None if k.criterion.message.is_some() => Msg::Message,
                None => Msg::Owned(format!("criterion `{}` not met", k.criterion.id)),
            };
            (Outcome::Fail, message)
        }
        Err(e) => (
            Outcome::Error,
            Msg::Owned(format!("could not be evaluated: {e}")),
        ),
    }
}
