//! `assess`: evaluate the rollout policies of a bundle against rollout
//! facts — triggers, promotion criteria, canary analyses, burn-rate alerts
//! — and fold the findings into `promote`, `continue`, `hold` or
//! `rollback`. Missing data holds; an error holds; nothing promotes without
//! evidence. The rules themselves are evaluated in `assess_metrics`
//! (triggers, promotion criteria) and `assess_slo` (the judge, burn rates);
//! `assess_report` words the explanation.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::assessment::{ASSESSMENT_SCHEMA, AssessFinding, AssessRuleKind, Assessment, RolloutRef};
use super::compile::RolloutPolicy;
use super::verdict::{DryRunSummary, fold};
use crate::error::{Error, ErrorCode};
use crate::expr::bind::bind_roots;
use crate::expr::{Budget, Frame, Val};
use crate::limits::Limits;
use crate::model::catalog_facts::Downstream;
use crate::model::shape::ROLLOUT;
use crate::model::{RolloutFacts, Timestamp};
use crate::vocab::{Action, BundleInfo, EngineInfo, Outcome};

/// Assess a rollout in progress by the rollout `policies` of the bundle
/// described by `bundle`: should it promote, continue, hold or roll back?
/// Errors only when there is no policy or the facts are invalid or cannot
/// be turned into CEL values; everything that goes wrong inside a rule is a
/// finding (and holds).
pub(crate) fn assess(
    policies: &[&RolloutPolicy],
    bundle: BundleInfo,
    limits: &Limits,
    facts: &RolloutFacts,
    downstream: Option<&[Downstream]>,
    interrupted: &dyn Fn() -> bool,
) -> Result<Assessment, Error> {
    if policies.is_empty() {
        return Err(Error::evaluation(
            ErrorCode::NoPolicyOfKind,
            "the bundle holds no `RolloutPolicy`, so it cannot assess a rollout",
        ));
    }
    facts.validate(limits)?;
    let facts_digest = crate::model::digest::facts_digest(facts);
    // Only the roots a condition or `appliesTo` reads are converted to
    // JSON and CEL values: metric series are read by the structured
    // rules directly, from the typed facts.
    let read = rollout_roots(policies);
    let mut json = serde_json::Map::new();
    for root in &read {
        if let Some(v) = root_json(facts, root) {
            json.insert((*root).to_string(), v);
        }
    }
    let json = Json::Object(json);
    let roots = bind_roots(&ROLLOUT, &json, limits).map_err(Error::from)?;
    let mut run = Assess {
        facts,
        limits,
        budget: Budget::new(limits),
        now: facts.now,
        json: &json,
        downstream,
        findings: Vec::new(),
        dry_run: DryRunSummary::default(),
    };
    for policy in policies {
        if interrupted() {
            return Err(Error::evaluation(
                ErrorCode::Interrupted,
                "the assessment was interrupted before it decided",
            ));
        }
        run.policy(policy, &roots);
    }
    let verdict = fold(&run.findings);
    let summary = super::verdict::summary(&run.findings, run.dry_run);
    let r = &facts.rollout;
    Ok(Assessment {
        schema: ASSESSMENT_SCHEMA.into(),
        verdict,
        reason: super::report::reason(verdict, &run.findings),
        rollout: RolloutRef {
            id: r.id.clone(),
            service: r.service.clone(),
            version: r.version.as_ref().map(ToString::to_string),
            step: r.current_step,
            weight: r.weight,
        },
        now: facts.now,
        summary,
        budgets: super::slo::budgets(facts),
        markers: super::report::markers(facts, verdict),
        findings: run.findings,
        bundle,
        facts_digest,
        catalog_digest: downstream.map(crate::model::digest::facts_digest),
        engine: EngineInfo {
            name: "release-policy".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
    })
}

/// The fact roots that `appliesTo` and trigger conditions read.
fn rollout_roots<'p>(policies: &[&'p RolloutPolicy]) -> std::collections::BTreeSet<&'p str> {
    let mut roots = std::collections::BTreeSet::new();
    for p in policies {
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

/// One root of the rollout facts as JSON (absent optional roots are not
/// bound, so a policy reading them sees `null`).
fn root_json(facts: &RolloutFacts, root: &str) -> Option<Json> {
    let v = match root {
        "now" => serde_json::to_value(facts.now),
        "rollout" => serde_json::to_value(&facts.rollout),
        "metrics" => serde_json::to_value(&facts.metrics),
        "synthetics" => serde_json::to_value(&facts.synthetics),
        "downstream" => serde_json::to_value(&facts.downstream),
        "slos" => serde_json::to_value(&facts.slos),
        "slis" => serde_json::to_value(&facts.slis),
        "previousEvaluations" => serde_json::to_value(&facts.previous_evaluations),
        "labels" => serde_json::to_value(&facts.labels),
        "extensions" => serde_json::to_value(&facts.extensions),
        _ => return None,
    };
    v.ok()
}

/// One assessment in progress.
pub(super) struct Assess<'f> {
    pub(super) facts: &'f RolloutFacts,
    pub(super) limits: &'f Limits,
    /// The evaluation budget of the assessment.
    pub(super) budget: Budget,
    pub(super) now: Timestamp,
    pub(super) json: &'f Json,
    /// The services downstream of the rollout's, when assessed with a
    /// catalog (for `downstream` triggers).
    pub(super) downstream: Option<&'f [Downstream]>,
    pub(super) findings: Vec<AssessFinding>,
    /// What the dry-run rules would have done.
    pub(super) dry_run: DryRunSummary,
}

/// A finding in the making.
fn finding(
    policy: &RolloutPolicy,
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
        measurements: None,
        quality_gate: None,
        dry_run: false,
        controls: controls.to_vec(),
    }
}

impl Assess<'_> {
    fn policy(&mut self, policy: &RolloutPolicy, roots: &[Val<'_>]) {
        let frame = Frame {
            roots,
            vars: &[],
            budget: &self.budget,
        };
        let applies = policy.applies_to.as_ref().map(|a| match a.eval(&frame) {
            Ok(Val::Bool(b)) => Ok(b),
            Ok(other) => Err(format!(
                "`appliesTo` gave `{}`, not a bool",
                other.to_json()
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
                &a.rule.id,
                AssessRuleKind::Analysis,
                Some(a.rule.on_fail),
                &a.rule.controls,
            ));
        }
        for b in &policy.burn_rate {
            out.push(finding(
                policy,
                &b.rule.id,
                AssessRuleKind::BurnRate,
                b.rule.alerts.iter().map(|a| a.action).max(),
                &b.rule.controls,
            ));
        }
        for q in &policy.quality_gates {
            out.push(finding(
                policy,
                &q.rule.id,
                AssessRuleKind::QualityGate,
                Some(q.rule.on_fail),
                &q.rule.controls,
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
                self.trigger(t, roots, &mut f);
                if t.rule.dry_run {
                    super::verdict::dry_run(&mut f, &mut self.dry_run);
                }
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
        for q in &policy.quality_gates {
            if let Some(mut f) = slots.next() {
                super::quality_gate::evaluate(q, self.facts, &mut f);
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
