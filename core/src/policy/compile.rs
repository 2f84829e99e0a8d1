//! Compiling merged policies: every CEL expression compiled and checked once,
//! with errors located at `file:line:column` of the offending token. All
//! errors of a bundle are collected and reported together.

use std::collections::BTreeMap;

pub(crate) use super::compile_rollout::{CompiledPromotion, CompiledTrigger};
use super::document::{AnalysisRule, ApprovalRule, BurnRateRule, Gate, Metadata};
use super::layer::{MergedPolicy, Origin};
use crate::error::PolicyError;
use crate::expr::{CompiledExpr, Want};
use crate::limits::Limits;
use crate::model::shape::Shape;

/// A gate ready to evaluate.
#[derive(Debug)]
pub(crate) struct CompiledGate {
    pub gate: Gate,
    pub when: Option<CompiledExpr>,
    pub expression: CompiledExpr,
    pub message_expression: Option<CompiledExpr>,
}

/// An approval rule ready to evaluate.
#[derive(Debug)]
pub(crate) struct CompiledApproval {
    pub rule: ApprovalRule,
    pub when: Option<CompiledExpr>,
    pub message_expression: Option<CompiledExpr>,
}

/// A policy ready to evaluate.
#[derive(Debug)]
pub(crate) struct CompiledPolicy {
    /// `kind: RolloutPolicy`: read by `assess`, over rollout facts.
    pub rollout: bool,
    pub metadata: Metadata,
    pub applies_to: Option<CompiledExpr>,
    pub variables: Vec<(String, CompiledExpr)>,
    pub gates: Vec<CompiledGate>,
    pub approvals: Vec<CompiledApproval>,
    pub triggers: Vec<CompiledTrigger>,
    pub promotion: Vec<CompiledPromotion>,
    pub analysis: Vec<AnalysisRule>,
    pub burn_rate: Vec<BurnRateRule>,
}

impl CompiledPolicy {
    /// How many rules the policy holds.
    pub(crate) fn rule_count(&self) -> usize {
        self.gates.len()
            + self.approvals.len()
            + self.triggers.len()
            + self.promotion.len()
            + self.analysis.len()
            + self.burn_rate.len()
    }

    /// Every rule, in evaluation order.
    pub(crate) fn definitions(&self) -> Vec<RuleRef<'_>> {
        let gates = self.gates.iter().map(|g| RuleRef::Gate(&g.gate));
        let approvals = self.approvals.iter().map(|a| RuleRef::Approval(&a.rule));
        let triggers = self.triggers.iter().map(|t| RuleRef::Trigger(&t.rule));
        let promotion = self.promotion.iter().map(|p| RuleRef::Promotion(&p.rule));
        let analysis = self.analysis.iter().map(RuleRef::Analysis);
        let burn = self.burn_rate.iter().map(RuleRef::BurnRate);
        gates
            .chain(approvals)
            .chain(triggers)
            .chain(promotion)
            .chain(analysis)
            .chain(burn)
            .collect()
    }
}

/// A rule of any kind, as written (after layering).
#[derive(Debug, Clone, Copy)]
pub(crate) enum RuleRef<'a> {
    Gate(&'a Gate),
    Approval(&'a ApprovalRule),
    Trigger(&'a super::document::Trigger),
    Promotion(&'a super::document::Promotion),
    Analysis(&'a AnalysisRule),
    BurnRate(&'a BurnRateRule),
}

impl<'a> RuleRef<'a> {
    /// The rule id.
    pub(crate) fn id(self) -> &'a str {
        match self {
            RuleRef::Gate(r) => &r.id,
            RuleRef::Approval(r) => &r.id,
            RuleRef::Trigger(r) => &r.id,
            RuleRef::Promotion(r) => &r.id,
            RuleRef::Analysis(r) => &r.id,
            RuleRef::BurnRate(r) => &r.id,
        }
    }

    /// `gate`, `approval`, `trigger`, `promotion`, `analysis` or `burn-rate`.
    pub(crate) fn kind(self) -> &'static str {
        match self {
            RuleRef::Gate(_) => "gate",
            RuleRef::Approval(_) => "approval",
            RuleRef::Trigger(_) => "trigger",
            RuleRef::Promotion(_) => "promotion",
            RuleRef::Analysis(_) => "analysis",
            RuleRef::BurnRate(_) => "burn-rate",
        }
    }

    /// The definition as JSON (for `explain`).
    pub(crate) fn to_json(self) -> serde_json::Value {
        let v = match self {
            RuleRef::Gate(r) => serde_json::to_value(r),
            RuleRef::Approval(r) => serde_json::to_value(r),
            RuleRef::Trigger(r) => serde_json::to_value(r),
            RuleRef::Promotion(r) => serde_json::to_value(r),
            RuleRef::Analysis(r) => serde_json::to_value(r),
            RuleRef::BurnRate(r) => serde_json::to_value(r),
        };
        v.unwrap_or_default()
    }
}

pub(super) struct Compiler<'a> {
    limits: &'a Limits,
    pub(super) roots: &'a Shape,
    variables: BTreeMap<String, Shape>,
    pub(super) errors: Vec<PolicyError>,
}

impl Compiler<'_> {
    pub(super) fn expr(
        &mut self,
        source: &str,
        want: Want,
        origin: &Origin,
        field: &str,
        rule: Option<&str>,
    ) -> Option<CompiledExpr> {
        match CompiledExpr::compile(source, want, self.roots, &self.variables, self.limits) {
            Ok(e) => Some(e),
            Err(e) => {
                let path = if field.is_empty() {
                    origin.path.clone()
                } else {
                    format!("{}.{field}", origin.path)
                };
                let loc = origin.locs.in_scalar(&path, e.offset, source);
                let mut err = PolicyError::new(loc, e.message);
                err.hint = e.hint;
                if let Some(r) = rule {
                    err = err.with_rule(r);
                }
                self.errors.push(err);
                None
            }
        }
    }
}

/// A role named twice would count twice towards a quorum: refused.
fn duplicates(errors: &mut Vec<PolicyError>, o: &Origin, rule: &str, field: &str, list: &[String]) {
    for (i, item) in list.iter().enumerate() {
        if list.iter().take(i).any(|x| x == item) {
            errors.push(
                PolicyError::new(
                    o.at(&format!("{field}[{i}]")),
                    format!("`{item}` is listed twice in `{field}` of `{rule}`"),
                )
                .with_rule(rule),
            );
        }
    }
}

/// Compile merged policies.
pub(crate) fn compile(
    merged: Vec<MergedPolicy>,
    limits: &Limits,
) -> Result<Vec<CompiledPolicy>, Vec<PolicyError>> {
    let mut all_errors = Vec::new();
    let mut out = Vec::new();
    for p in merged {
        let rollout = p.kind == super::document::KIND_ROLLOUT;
        let mut c = Compiler {
            limits,
            roots: if rollout {
                &crate::model::shape::ROLLOUT
            } else {
                &crate::model::shape::FACTS
            },
            variables: BTreeMap::new(),
            errors: Vec::new(),
        };
        let applies_to = p
            .applies_to
            .as_ref()
            .and_then(|(src, o)| c.expr(src, Want::Bool, o, "", None));
        let mut variables = Vec::new();
        for (v, o) in &p.variables {
            if c.variables.contains_key(&v.name) {
                c.errors.push(
                    PolicyError::new(
                        o.at("name"),
                        format!(
                            "duplicate variable `{}` in policy `{}`",
                            v.name, p.metadata.name
                        ),
                    )
                    .with_hint("each variable is declared once; rename one of them"),
                );
                continue;
            }
            if let Some(e) = c.expr(&v.expression, Want::Any, o, "expression", None) {
                c.variables.insert(v.name.clone(), e.shape.clone());
                variables.push((v.name.clone(), e));
            } else {
                // Declared but broken: later uses are not reported twice.
                c.variables.insert(v.name.clone(), Shape::Any);
            }
        }
        super::compile_rollout::kind_fits(&mut c, &p);
        let mut gates = Vec::new();
        for (g, o) in p.gates {
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
            if g.effect == super::document::Effect::Approval && g.approvers.is_empty() {
                c.errors.push(
                    PolicyError::new(
                        o.at("effect"),
                        format!("gate `{}` has `effect: approval` but no `approvers`", g.id),
                    )
                    .with_rule(&g.id)
                    .with_hint(
                        "name the roles whose approval lifts the gate: `approvers: [sre-lead]`",
                    ),
                );
            }
            if let (Some(expression), Some(when), Some(message_expression)) = (
                expression,
                when.map_or(Some(None), |w| w.map(Some)),
                message_expression.map_or(Some(None), |m| m.map(Some)),
            ) {
                gates.push(CompiledGate {
                    gate: g,
                    when,
                    expression,
                    message_expression,
                });
            }
        }
        let mut approvals = Vec::new();
        for (a, o) in p.approvals {
            for (field, list) in [
                ("roles", &a.roles),
                ("veto", &a.veto),
                ("escalation", &a.escalation),
                ("evidence", &a.evidence),
            ] {
                duplicates(&mut c.errors, &o, &a.id, field, list);
            }
            if a.roles.is_empty() {
                c.errors.push(
                    PolicyError::new(
                        o.at("roles"),
                        format!("approval `{}` names no `roles`", a.id),
                    )
                    .with_rule(&a.id),
                );
            }
            if let super::document::Quorum::Count(n) = a.quorum {
                if n as usize > a.roles.len() {
                    c.errors.push(
                        PolicyError::new(
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
                rule: a,
                when,
                message_expression,
            });
        }
        let triggers = super::compile_rollout::triggers(&mut c, p.triggers);
        let promotion = super::compile_rollout::promotion(&mut c, p.promotion);
        let analysis = super::compile_rollout::analysis(&mut c, p.analysis);
        let burn_rate = super::compile_rollout::burn_rate(&mut c, p.burn_rate);
        all_errors.extend(c.errors);
        out.push(CompiledPolicy {
            rollout,
            metadata: p.metadata,
            applies_to,
            variables,
            gates,
            approvals,
            triggers,
            promotion,
            analysis,
            burn_rate,
        });
    }
    if all_errors.is_empty() {
        Ok(out)
    } else {
        Err(all_errors)
    }
}
