//! Compiling a merged `ReviewPolicy`: `appliesTo`, the variables and every
//! criterion's CEL checked against the shape of a release record; the
//! instability thresholds checked (at least one bound; a count of at least
//! one; a rate in (0, 1]; a positive window). Errors are located at
//! `file:line:column` and collected with the bundle's others.

use crate::error::{ErrorCode, PolicyError};
use crate::expr::{CompiledExpr, Want};
use crate::lang::compiler::{Compiler, kind_fits, variables};
use crate::lang::document::{Criterion, Metadata};
use crate::lang::layer::MergedPolicy;
use crate::limits::Limits;
use crate::model::shape::RECORD;

/// The thresholds as written are their own compiled form.
pub(crate) use crate::lang::document::Instability;

/// A criterion ready to evaluate.
#[derive(Debug)]
pub(crate) struct CompiledCriterion {
    pub criterion: Criterion,
    pub when: Option<CompiledExpr>,
    pub expression: CompiledExpr,
    pub message_expression: Option<CompiledExpr>,
}

/// A `ReviewPolicy`, compiled: what `review` evaluates.
#[derive(Debug)]
pub(crate) struct ReviewPolicy {
    pub metadata: Metadata,
    pub applies_to: Option<CompiledExpr>,
    pub variables: Vec<(String, CompiledExpr)>,
    pub criteria: Vec<CompiledCriterion>,
    pub instability: Vec<Instability>,
    /// The roots of a record its expressions read (`deployment`,
    /// `recovery` …): only these are bound.
    pub roots: std::collections::BTreeSet<String>,
}

impl ReviewPolicy {
    /// How many rules the policy holds.
    pub(crate) fn rule_count(&self) -> usize {
        self.criteria.len() + self.instability.len()
    }
}

/// Compile one merged `ReviewPolicy`; errors go to `errors`.
pub(crate) fn compile(
    mut p: MergedPolicy,
    limits: &Limits,
    errors: &mut Vec<PolicyError>,
) -> ReviewPolicy {
    let mut c = Compiler::new(limits, &RECORD);
    let applies_to = p
        .applies_to
        .as_ref()
        .and_then(|(src, o)| c.expr(src, Want::Bool, o, "", None));
    let variables = variables(&mut c, &p, &|c, v, o| {
        c.expr(&v.expression, Want::Any, o, "expression", None)
    });
    kind_fits(&mut c, &p);
    let mut criteria = Vec::new();
    for (k, o) in p.take::<Criterion>() {
        let id = Some(k.id.as_str());
        let when = k
            .when
            .as_ref()
            .map(|w| c.expr(w, Want::Bool, &o, "when", id));
        let expression = c.expr(&k.expression, Want::Bool, &o, "expression", id);
        let message_expression = k
            .message_expression
            .as_ref()
            .map(|m| c.expr(m, Want::String, &o, "messageExpression", id));
        if let (Some(expression), Some(when), Some(message_expression)) = (
            expression,
            when.map_or(Some(None), |w| w.map(Some)),
            message_expression.map_or(Some(None), |m| m.map(Some)),
        ) {
            criteria.push(CompiledCriterion {
                criterion: k,
                when,
                expression,
                message_expression,
            });
        }
    }
    let mut instability = Vec::new();
    for (i, o) in p.take::<Instability>() {
        let bad = |field: &str, code: ErrorCode, msg: String| {
            PolicyError::new(code, o.at(field), msg).with_rule(&i.id)
        };
        if i.rollbacks.is_none() && i.rollback_rate.is_none() {
            c.errors.push(
                bad(
                    "",
                    ErrorCode::IncompleteRule,
                    format!("instability rule `{}` sets neither `rollbacks` nor `rollbackRate`", i.id),
                )
                .with_hint("say when a service is chronically unstable: `rollbacks: 3` (within `30d`), `rollbackRate: 0.2`, or both"),
            );
            continue;
        }
        if i.rollbacks == Some(0) {
            c.errors.push(bad(
                "rollbacks",
                ErrorCode::InvalidLimit,
                format!("`rollbacks: 0` of `{}` would flag every service", i.id),
            ));
            continue;
        }
        if let Some(r) = i.rollback_rate {
            if !(r.is_finite() && r > 0.0 && r <= 1.0) {
                c.errors.push(bad(
                    "rollbackRate",
                    ErrorCode::InvalidRatio,
                    format!("`rollbackRate: {r}` of `{}` is not in (0, 1]", i.id),
                ));
                continue;
            }
        }
        if i.within.is_some_and(|w| w.as_millis() <= 0) {
            c.errors.push(bad(
                "within",
                ErrorCode::InvalidWindow,
                format!("the window of `{}` is not positive", i.id),
            ));
            continue;
        }
        instability.push(i);
    }
    c.finish(errors);
    let exprs = applies_to
        .iter()
        .chain(variables.iter().map(|(_, e)| e))
        .chain(criteria.iter().flat_map(|k| {
            std::iter::once(&k.expression)
                .chain(k.when.as_ref())
                .chain(k.message_expression.as_ref())
        }));
    let roots = exprs
        .flat_map(|e| e.reads.iter())
        .filter_map(|path| path.first())
        .filter(|root| *root != "variables")
        .cloned()
        .collect();
    ReviewPolicy {
        roots,
        metadata: p.metadata,
        applies_to,
        variables,
        criteria,
        instability,
    }
}
