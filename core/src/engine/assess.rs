//! `assess`: evaluate the rollout policies of a bundle against rollout
//! facts — triggers, promotion criteria, canary analyses, burn-rate alerts
//! — and fold the findings into `promote`, `continue`, `hold` or
//! `rollback`. Missing data holds; an error holds; nothing promotes without
//! evidence. The rules themselves are evaluated in `assess_metrics`
//! (triggers, promotion criteria) and `assess_slo` (the judge, burn rates);
//! `assess_report` words the explanation.

use std::collections::BTreeMap;

use cel::common::types::CelNull;
use serde_json::Value as Json;

use super::assessment::{
    ASSESSMENT_SCHEMA, AssessFinding, AssessRuleKind, AssessSummary, Assessment, RolloutRef, fold,
};
use super::decision::{BundleInfo, EngineInfo, Outcome};
use crate::analysis::judge::JudgeConfig;
use crate::error::Error;
use crate::expr::{self, convert};
use crate::model::shape::ROLLOUT;
use crate::model::{RolloutFacts, Timestamp};
use crate::policy::document::{Action, AnalysisRule};
use crate::policy::{Bundle, CompiledPolicy};

impl Bundle {
    /// Assess a rollout in progress: should it promote, continue, hold or
    /// roll back? Errors only when the bundle holds no rollout policy or
    /// the facts cannot be turned into CEL values; everything that goes
    /// wrong inside a rule is a finding (and holds).
    pub fn assess(&self, facts: &RolloutFacts) -> Result<Assessment, Error> {
        if let Some(why) = &self.inner.broken {
            return Err(Error::Evaluation {
                message: format!("the built-in policy pack did not compile: {why}"),
            });
        }
        if !self.inner.policies.iter().any(|p| p.rollout) {
            return Err(Error::Evaluation {
                message: "the bundle holds no `RolloutPolicy`, so it cannot assess a rollout"
                    .into(),
            });
        }
        facts.validate(&self.inner.limits)?;
        let facts_digest = super::digest::facts_digest(facts);
        // Only the roots a condition or `appliesTo` reads are converted to
        // JSON and CEL values: metric series are read by the structured
        // rules directly, from the typed facts.
        let read = self.rollout_roots();
        let mut json = serde_json::Map::new();
        for root in &read {
            if let Some(v) = root_json(facts, root) {
                json.insert((*root).to_string(), v);
            }
        }
        let json = Json::Object(json);
        let mut ctx = expr::root_context();
        for root in ROLLOUT.field_names() {
            ctx.add_variable_as_val(root, Box::new(CelNull));
        }
        if let Json::Object(roots) = &json {
            for (name, value) in roots {
                let shape = ROLLOUT
                    .field(name)
                    .unwrap_or(&crate::model::shape::Shape::Any);
                let mut path = format!("$.{name}");
                let v = convert::to_val(value, shape, &mut path, &self.inner.limits)
                    .map_err(Error::from)?;
                ctx.add_variable_as_val(name.as_str(), v);
            }
        }
        let mut run = Assess {
            facts,
            now: facts.now,
            json: &json,
            findings: Vec::new(),
        };
        for policy in self.inner.policies.iter().filter(|p| p.rollout) {
            run.policy(policy, &ctx);
        }
        let verdict = fold(&run.findings);
        let mut summary = AssessSummary::default();
        for f in &run.findings {
            match f.outcome {
                Outcome::Pass => summary.pass += 1,
                Outcome::Fail => summary.fail += 1,
                Outcome::Warn => summary.warn += 1,
                Outcome::NoData => summary.no_data += 1,
                Outcome::Error => summary.error += 1,
                Outcome::Skipped | Outcome::Waived => summary.skipped += 1,
            }
        }
        let r = &facts.rollout;
        Ok(Assessment {
            schema: ASSESSMENT_SCHEMA.into(),
            verdict,
            reason: super::assess_report::reason(verdict, &run.findings),
            rollout: RolloutRef {
                id: r.id.clone(),
                service: r.service.clone(),
                version: r.version.as_ref().map(ToString::to_string),
                step: r.current_step,
                weight: r.weight,
            },
            now: facts.now,
            summary,
            budgets: super::assess_slo::budgets(facts),
            markers: super::assess_report::markers(facts, verdict),
            findings: run.findings,
            bundle: BundleInfo {
                digest: self.digest().to_string(),
                policies: self.policies(),
            },
            facts_digest,
            engine: EngineInfo {
                name: "release-policy".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
        })
    }

    /// Parse rollout facts from YAML or JSON text and assess.
    pub fn assess_str(&self, facts: &str) -> Result<Assessment, Error> {
        let facts = RolloutFacts::from_str_with_limits(facts, &self.inner.limits)?;
        self.assess(&facts)
    }

    /// The fact roots that `appliesTo` and trigger conditions read.
    fn rollout_roots(&self) -> std::collections::BTreeSet<&str> {
        let mut roots = std::collections::BTreeSet::new();
        for p in self.inner.policies.iter().filter(|p| p.rollout) {
            let exprs = p
                .applies_to
                .iter()
                .chain(p.triggers.iter().filter_map(|t| t.condition.as_ref()));
            for e in exprs {
                roots.extend(
                    e.reads
                        .iter()
                        .filter_map(|path| path.first().map(String::as_str)),
                );
            }
        }
        roots
    }
}

/// One root of the rollout facts as JSON (absent optional roots are not
/// bound, so a policy reading them sees `null`).
fn root_json(facts: &RolloutFacts, root: &str) -> Option<Json> {
    let v = match root {
        "now" => serde_json::to_value(facts.now),
        "rollout" => serde_json::to_value(&facts.rollout),
        "metrics" => serde_json::to_value(&facts.metrics),
        "synthetics" => serde_json::to_value(&facts.synthetics),
        "slos" => serde_json::to_value(&facts.slos),
        "labels" => serde_json::to_value(&facts.labels),
        "extensions" => serde_json::to_value(&facts.extensions),
        _ => return None,
    };
    v.ok()
}

/// The judge's configuration from an analysis rule.
pub(crate) fn judge_config(a: &AnalysisRule) -> JudgeConfig {
    JudgeConfig {
        confidence: a.confidence,
        pass_score: a.thresholds.pass,
        marginal_score: a.thresholds.marginal,
        group_weights: a.groups.clone(),
    }
}

/// One assessment in progress.
pub(super) struct Assess<'f> {
    pub(super) facts: &'f RolloutFacts,
    pub(super) now: Timestamp,
    pub(super) json: &'f Json,
    pub(super) findings: Vec<AssessFinding>,
}

/// A finding in the making.
fn finding(
    policy: &CompiledPolicy,
    rule: &str,
    kind: AssessRuleKind,
    effect: Option<Action>,
    controls: &[String],
) -> AssessFinding {
    AssessFinding {
        policy: policy.metadata.name.clone(),
        policy_version: policy.metadata.version.clone(),
        rule: rule.to_string(),
        kind,
        outcome: Outcome::Pass,
        effect,
        action: None,
        message: String::new(),
        subject: None,
        threshold: None,
        observed: BTreeMap::new(),
        duration_ms: None,
        flip: None,
        judge: None,
        controls: controls.to_vec(),
    }
}

impl Assess<'_> {
    fn policy(&mut self, policy: &CompiledPolicy, ctx: &cel::Context<'_, '_>) {
        let applies = policy.applies_to.as_ref().map(|a| match a.eval(ctx) {
            Ok(cel::Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!(
                "`appliesTo` gave `{}`, not a bool",
                convert::to_json(&other)
            )),
            Err(e) => Err(format!("`appliesTo` could not be evaluated: {e}")),
        });
        let mut out = Vec::new();
        for t in &policy.triggers {
            out.push(finding(
                policy,
                &t.rule.id,
                AssessRuleKind::Trigger,
                Some(t.rule.action),
                &t.rule.controls,
            ));
        }
        for p in &policy.promotion {
            out.push(finding(
                policy,
                &p.rule.id,
                AssessRuleKind::Promotion,
                None,
                &p.rule.controls,
            ));
        }
        for a in &policy.analysis {
            out.push(finding(
                policy,
                &a.id,
                AssessRuleKind::Analysis,
                Some(a.on_fail),
                &a.controls,
            ));
        }
        for b in &policy.burn_rate {
            out.push(finding(
                policy,
                &b.id,
                AssessRuleKind::BurnRate,
                b.alerts.iter().map(|a| a.action).max(),
                &b.controls,
            ));
        }
        match applies {
            Some(Ok(false)) => {
                for f in &mut out {
                    f.outcome = Outcome::Skipped;
                    f.message = "policy does not apply (`appliesTo` is false)".into();
                }
                self.findings.extend(out);
                return;
            }
            Some(Err(e)) => {
                for f in &mut out {
                    f.outcome = Outcome::Error;
                    f.action = Some(Action::Hold);
                    f.message = e.clone();
                }
                self.findings.extend(out);
                return;
            }
            _ => {}
        }
        let mut slots = out.into_iter();
        for t in &policy.triggers {
            if let Some(mut f) = slots.next() {
                self.trigger(t, ctx, &mut f);
                self.findings.push(f);
            }
        }
        for p in &policy.promotion {
            if let Some(mut f) = slots.next() {
                self.promotion(p, &mut f);
                if let (Some(m), Outcome::Fail | Outcome::NoData) = (&p.rule.message, f.outcome) {
                    f.message = format!("{m}: {}", f.message);
                }
                self.findings.push(f);
            }
        }
        for a in &policy.analysis {
            if let Some(mut f) = slots.next() {
                self.analysis(a, &mut f);
                self.findings.push(f);
            }
        }
        for b in &policy.burn_rate {
            if let Some(mut f) = slots.next() {
                self.burn_rate(b, &mut f);
                self.findings.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rollout_root_can_be_bound() {
        let facts =
            RolloutFacts::parse("now: 2026-11-26T10:00:00Z\nrollout: {id: r, service: s}\n")
                .unwrap_or_else(|e| panic!("{e}"));
        for root in ROLLOUT.field_names() {
            assert!(
                root_json(&facts, root).is_some(),
                "root `{root}` is not bound"
            );
        }
    }
}
