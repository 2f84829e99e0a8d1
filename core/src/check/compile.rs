//! Compiling merged policies: every CEL expression compiled and checked once,
//! with errors located at `file:line:column` of the offending token. All
//! errors of a bundle are collected and reported together.

use std::sync::Arc;

use super::shown::{Paths, ShownPath};
use crate::error::{ErrorCode, PolicyError};
use crate::expr::{CompiledExpr, Want};
use crate::lang::compiler::{Compiler, duplicates, kind_fits, variables};
use crate::lang::document::{Gate, Metadata, Quorum};

/// The approval rule as written is its own compiled form: its roles,
/// quorum and rights are read as they are.
pub(crate) use crate::lang::document::ApprovalRule;
use crate::lang::layer::MergedPolicy;
use crate::limits::Limits;
use crate::model::shape::{FACTS, Shape};
use crate::vocab::Effect;

/// The text every finding of a rule repeats, made once at load and shared
/// by the findings (a count, not a copy, per decision).
#[derive(Debug)]
pub(crate) struct RuleText {
    /// The policy's name.
    pub policy: Arc<str>,
    /// The policy's version.
    pub version: Arc<str>,
    /// The rule's id.
    pub id: Arc<str>,
    /// The controls the rule serves.
    pub controls: Arc<[String]>,
    /// The roles whose waiver lifts a failure (gates).
    pub waivable_by: Arc<[String]>,
    /// The message of a pass: the description, or `passed` (gates).
    pub passed: Arc<str>,
    /// The message of a failure without `messageExpression`: the message,
    /// the description, or `gate ID failed` (gates).
    pub failed: Arc<str>,
    /// The message when `messageExpression` gives no string: the message or
    /// `gate ID failed` (gates).
    pub failed_plain: Arc<str>,
}

impl RuleText {
    fn new(
        metadata: &Metadata,
        id: &str,
        controls: &[String],
        waivable_by: &[String],
        gate: Option<&Gate>,
    ) -> Self {
        let default_failed = format!("gate `{id}` failed");
        let (passed, failed, failed_plain) = match gate {
            Some(g) => (
                g.description.clone().unwrap_or_else(|| "passed".into()),
                g.message
                    .clone()
                    .or_else(|| g.description.clone())
                    .unwrap_or_else(|| default_failed.clone()),
                g.message.clone().unwrap_or(default_failed),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        Self {
            policy: Arc::from(metadata.name.as_str()),
            version: Arc::from(metadata.version.as_str()),
            id: Arc::from(id),
            controls: Arc::from(controls),
            waivable_by: Arc::from(waivable_by),
            passed: Arc::from(passed),
            failed: Arc::from(failed),
            failed_plain: Arc::from(failed_plain),
        }
    }
}

/// A gate ready to evaluate.
#[derive(Debug)]
pub(crate) struct CompiledGate {
    pub gate: Gate,
    pub text: Arc<RuleText>,
    pub when: Option<CompiledExpr>,
    pub expression: CompiledExpr,
    pub message_expression: Option<CompiledExpr>,
    /// The paths its expression and `when` read, as its finding shows them.
    pub shown: Box<[ShownPath]>,
}

/// An approval rule ready to evaluate.
#[derive(Debug)]
pub(crate) struct CompiledApproval {
    pub rule: ApprovalRule,
    pub text: Arc<RuleText>,
    pub when: Option<CompiledExpr>,
    pub message_expression: Option<CompiledExpr>,
    /// The paths its `when` reads, as its finding shows them.
    pub shown: Box<[ShownPath]>,
    /// The names of its roles, shared by the state of every finding.
    pub roles: Arc<[String]>,
}

/// A release `Policy`, compiled: what `check` evaluates.
#[derive(Debug)]
pub(crate) struct ReleasePolicy {
    pub metadata: Metadata,
    pub applies_to: Option<CompiledExpr>,
    pub variables: Vec<(String, CompiledExpr)>,
    pub gates: Vec<CompiledGate>,
    pub approvals: Vec<CompiledApproval>,
    /// The paths its rules read, numbered: where a decision keeps the
    /// values its findings show.
    pub paths: Paths,
}

impl ReleasePolicy {
    /// How many rules the policy holds.
    pub(crate) fn rule_count(&self) -> usize {
        self.gates.len() + self.approvals.len()
    }
}

/// Compile one merged release `Policy`; errors go to `errors`.
pub(crate) fn compile(
    mut p: MergedPolicy,
    limits: &Limits,
    errors: &mut Vec<PolicyError>,
) -> ReleasePolicy {
    let mut c = Compiler::new(limits, &FACTS);
    let applies_to = p
        .applies_to
        .as_ref()
        .and_then(|(src, o)| c.expr(src, Want::Bool, o, "", None));
    let variables = variables(&mut c, &p, &|c, v, o| {
        if p.extensions_of(&v.name).next().is_some() {
            extended(c, &p, v, o)
        } else {
            c.expr(&v.expression, Want::Any, o, "expression", None)
        }
    });
    kind_fits(&mut c, &p);
    let mut paths = Paths::default();
    let mut gates = Vec::new();
    for (g, o) in p.take::<Gate>() {
        let id = Some(g.id.as_str());
        let when = g
            .when
            .as_ref()
            .map(|w| c.expr(w, Want::Bool, &o, "when", id));
        let expression = c.expr(&g.expression, Want::Bool, &o, "expression", id);
        let message_expression = g
            .message_expression
            .as_ref()
            .map(|m| c.expr(m, Want::String, &o, "messageExpression", id));
        duplicates(&mut c.errors, &o, &g.id, "approvers", &g.approvers);
        duplicates(&mut c.errors, &o, &g.id, "waivableBy", &g.waivable_by);
        if g.effect != Effect::Approval && !g.approvers.is_empty() {
            c.errors.push(
                PolicyError::new(
                    ErrorCode::IncompleteRule,
                    o.at("approvers"),
                    format!(
                        "gate `{}` has `approvers` but `effect: {}`: only an `approval` gate is lifted by approvals",
                        g.id,
                        g.effect.as_str()
                    ),
                )
                .with_rule(&g.id)
                .with_hint("use `effect: approval` for a gate one approval lifts, `effect: pending` for one only the facts lift, or an approval rule for N people"),
            );
        }
        if g.effect == Effect::Approval && g.approvers.is_empty() {
            c.errors.push(
                PolicyError::new(
                    ErrorCode::IncompleteRule,
                    o.at("effect"),
                    format!("gate `{}` has `effect: approval` but no `approvers`", g.id),
                )
                .with_rule(&g.id)
                .with_hint("name the roles whose approval lifts the gate: `approvers: [sre-lead]`"),
            );
        }
        if let (Some(expression), Some(when), Some(message_expression)) = (
            expression,
            when.map_or(Some(None), |w| w.map(Some)),
            message_expression.map_or(Some(None), |m| m.map(Some)),
        ) {
            gates.push(CompiledGate {
                text: Arc::new(RuleText::new(
                    &p.metadata,
                    &g.id,
                    &g.controls,
                    &g.waivable_by,
                    Some(&g),
                )),
                gate: g,
                shown: paths.resolve(std::iter::once(&expression).chain(&when), &variables),
                when,
                expression,
                message_expression,
            });
        }
    }
    let mut approvals = Vec::new();
    for (a, o) in p.take::<ApprovalRule>() {
        let role_names: Vec<String> = a.roles.iter().map(|r| r.role.clone()).collect();
        for (field, list) in [
            ("roles", &role_names),
            ("veto", &a.veto),
            ("escalation", &a.escalation),
            ("evidence", &a.evidence),
        ] {
            duplicates(&mut c.errors, &o, &a.id, field, list);
        }
        let most = c.limits.max_list_items;
        for (i, r) in a.roles.iter().enumerate() {
            if r.count as usize > most {
                c.errors.push(
                    PolicyError::new(
                        ErrorCode::InvalidQuorum,
                        o.at(&format!("roles[{i}]")),
                        format!(
                            "`count` {} of role `{}` is more than the {most} approvals facts may hold: the rule could never pass",
                            r.count, r.role
                        ),
                    )
                    .with_rule(&a.id),
                );
            }
        }
        if a.roles.is_empty() {
            c.errors.push(
                PolicyError::new(
                    ErrorCode::InvalidQuorum,
                    o.at("roles"),
                    format!("approval `{}` names no `roles`", a.id),
                )
                .with_rule(&a.id),
            );
        }
        if let Quorum::Count(n) = a.quorum {
            if n as usize > a.roles.len() {
                c.errors.push(
                    PolicyError::new(
                        ErrorCode::InvalidQuorum,
                        o.at("quorum"),
                        format!(
                            "quorum `{n}` is more than the {} roles of approval `{}`",
                            a.roles.len(),
                            a.id
                        ),
                    )
                    .with_rule(&a.id),
                );
            }
        }
        let when = match &a.when {
            Some(w) => match c.expr(w, Want::Bool, &o, "when", Some(&a.id)) {
                Some(e) => Some(e),
                None => continue,
            },
            None => None,
        };
        let message_expression = match &a.message_expression {
            Some(m) => match c.expr(m, Want::String, &o, "messageExpression", Some(&a.id)) {
                Some(e) => Some(e),
                None => continue,
            },
            None => None,
        };
        approvals.push(CompiledApproval {
            text: Arc::new(RuleText::new(&p.metadata, &a.id, &a.controls, &[], None)),
            rule: a,
            shown: paths.resolve(&when, &variables),
            roles: role_names.into(),
            when,
            message_expression,
        });
    }
    c.finish(errors);
    ReleasePolicy {
        metadata: p.metadata,
        applies_to,
        variables,
        gates,
        approvals,
        paths,
    }
}

/// An `extensible` variable with later layers' additions: each part is
/// compiled where it was written (so an error points into its own file) and
/// must be a list; then the whole, `(base) + (extension) …`, is compiled.
fn extended(
    c: &mut Compiler<'_>,
    p: &MergedPolicy,
    v: &crate::lang::document::Variable,
    o: &crate::lang::layer::Origin,
) -> Option<CompiledExpr> {
    let parts = std::iter::once((v, o)).chain(p.extensions_of(&v.name).map(|(e, eo)| (e, eo)));
    let mut ok = true;
    // The names seen so far, folded (lower case, trimmed), with the name.
    let mut seen: Vec<(String, String)> = Vec::new();
    for (part, origin) in parts {
        match c.expr(&part.expression, Want::Any, origin, "expression", None) {
            Some(e) if matches!(e.shape, Shape::List(_) | Shape::Any) => {
                if let Some(clash) = near_miss(&e, &mut seen) {
                    ok = false;
                    c.errors.push(
                        PolicyError::new(
                            ErrorCode::LayerLoosens,
                            origin.at("expression"),
                            format!(
                                "`{}` in extensible variable `{}` is a near-miss of `{}`",
                                clash.0, v.name, clash.1
                            ),
                        )
                        .with_hint("names that differ only in case or surrounding spaces would let a misspelling pass an allow-list; add new names only"),
                    );
                }
            }
            Some(e) => {
                ok = false;
                c.errors.push(
                    PolicyError::new(
                        ErrorCode::TypeMismatch,
                        origin.at("expression"),
                        format!(
                            "variable `{}` is extensible, so each part must be a list, not {}",
                            v.name,
                            e.shape.type_name()
                        ),
                    )
                    .with_hint("write the items to add as a list: `[\"canary\"]`"),
                );
            }
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    c.expr(&p.variable_source(v), Want::Any, o, "expression", None)
}

/// For a part of an extensible variable that reads no facts (a literal
/// list, the usual case): its first string that differs from a name seen
/// before only in case or surrounding white space, with that name. Checked
/// once, at load, so an extension can add names to an allow-list but not a
/// near-miss (`Production` beside `production`) that would let a misspelt
/// fact pass it.
fn near_miss(part: &CompiledExpr, seen: &mut Vec<(String, String)>) -> Option<(String, String)> {
    if !part.reads.is_empty() {
        return None;
    }
    let budget = crate::expr::Budget::unlimited();
    let frame = crate::expr::Frame::constant(&budget);
    let Ok(crate::expr::Val::List(items)) = part.eval(&frame) else {
        return None;
    };
    for item in items.iter() {
        let crate::expr::Val::Str(name) = item else {
            continue;
        };
        let name = name.as_str();
        let folded = name.trim().to_ascii_lowercase();
        if let Some((_, other)) = seen
            .iter()
            .find(|(f, n)| *f == folded && n.as_str() != name)
        {
            return Some((name.to_string(), other.clone()));
        }
        seen.push((folded, name.to_string()));
    }
    None
}
