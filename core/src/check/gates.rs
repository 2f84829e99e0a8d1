//! A gate judged within `check`: its `when` and condition evaluated, its
//! message worded, and what may lift a failure (an honoured waiver, or a
//! counted approval for `effect: approval`) recorded on the finding.

use std::sync::Arc;

use super::approvals;
use super::compile::CompiledGate;
use super::decision::*;
use super::evaluate::{GATE_SKIPPED, Run, Variables, as_bool};
use super::finding::Message;
use super::shown::Paths;
use crate::expr::{Frame, Val};
use crate::vocab::{Effect, Outcome};

impl Run<'_> {
    pub(super) fn gate<'a>(
        &mut self,
        g: &'a CompiledGate,
        paths: &Paths,
        scope: &Frame<'a, '_>,
        vars: &mut Variables<'_>,
        slots: &[Option<Val<'_>>],
        f: &mut Finding,
    ) {
        let gate = &g.gate;
        f.values = self.values(&g.shown, paths, scope.roots, vars, slots);
        if let Some(w) = &g.when {
            match as_bool(self.eval(w, scope, vars), "`when`") {
                Ok(false) => {
                    f.outcome = Outcome::Skipped;
                    f.message = GATE_SKIPPED;
                    return;
                }
                Err(e) => {
                    f.outcome = Outcome::Error;
                    f.message =
                        Message::Own(Arc::from(format!("`when` could not be evaluated: {e}")));
                    return;
                }
                Ok(true) => {}
            }
        }
        match as_bool(self.eval(&g.expression, scope, vars), "expression") {
            Ok(true) => {
                f.outcome = Outcome::Pass;
                f.message = Message::Passed;
                self.mark_waivers(&gate.id, "unused");
            }
            Ok(false) => {
                f.message = match &g.message_expression {
                    Some(m) => match self.eval(m, scope, vars) {
                        Ok(Val::Str(s)) => Message::Own(Arc::from(s.as_str())),
                        _ => Message::FailedPlain,
                    },
                    None => Message::Failed,
                };
                f.outcome = if gate.effect == Effect::Warn {
                    Outcome::Warn
                } else {
                    Outcome::Fail
                };
                if let Some(lifted) = self.waiver(g).or_else(|| self.gate_approval(g)) {
                    f.outcome = Outcome::Waived;
                    f.lifted = Some(Box::new(lifted));
                } else {
                    if f.outcome == Outcome::Fail {
                        f.waivable = true;
                    }
                    self.pending_if_approval(g, f);
                }
            }
            Err(e) => {
                // An approval cannot lift an error: none is listed as missing.
                f.outcome = Outcome::Error;
                f.message = Message::Own(Arc::from(format!("could not be evaluated: {e}")));
            }
        }
    }

    fn pending_if_approval(&mut self, g: &CompiledGate, f: &Finding) {
        if g.gate.effect == Effect::Approval {
            self.missing.push(MissingApproval {
                rule: g.gate.id.clone(),
                policy: f.policy().to_string(),
                roles: g.gate.approvers.clone(),
                needed: 1,
                evidence: Vec::new(),
                reason: f.message().to_string(),
            });
        }
    }

    fn mark_waivers(&mut self, rule: &str, status: &'static str) {
        for (w, s) in self.facts.waivers.iter().zip(self.waiver_status.iter_mut()) {
            if w.rule == rule && s.is_none() {
                *s = Some(status);
            }
        }
    }

    /// An honoured waiver for a failed gate: from an allowed role, not by
    /// the author, not expired. Every other waiver of the rule is marked
    /// with why it did not count.
    fn waiver(&mut self, g: &CompiledGate) -> Option<Lifted> {
        let mut lifted = None;
        for (w, s) in self.facts.waivers.iter().zip(self.waiver_status.iter_mut()) {
            if w.rule != g.gate.id {
                continue;
            }
            let status = if !g.gate.waivable_by.contains(&w.role) {
                "not-permitted"
            } else if approvals::same_person(&w.by, &self.facts.release.author) {
                "self-waiver"
            } else if w.expires <= self.now {
                "expired"
            } else if lifted.is_none() {
                lifted = Some(Lifted {
                    via: "waiver".into(),
                    by: w.by.clone(),
                    role: w.role.clone(),
                    reason: Some(w.reason.clone()),
                    expires: Some(w.expires),
                });
                "applied"
            } else {
                "unused"
            };
            *s = Some(status);
        }
        lifted
    }

    /// For `effect: approval` gates: a counted approval from an approver role.
    fn gate_approval(&self, g: &CompiledGate) -> Option<Lifted> {
        if g.gate.effect != Effect::Approval {
            return None;
        }
        // The latest word of each approver counts (a later reject withdraws);
        // the author's own word never does.
        let author = &self.facts.release.author;
        let latest = approvals::latest_words(&self.facts.approvals, self.now, |a| {
            g.gate.approvers.contains(&a.role) && !approvals::same_person(&a.by, author)
        });
        latest
            .into_values()
            .filter(|a| a.decision == crate::model::ApprovalDecision::Approve)
            .max_by_key(|a| a.at)
            .map(|a| Lifted {
                via: "approval".into(),
                by: a.by.clone(),
                role: a.role.clone(),
                reason: a.comment.clone(),
                expires: None,
            })
    }
}
