//! `assess`: evaluate the rollout policies of a bundle against rollout
//! facts — triggers, promotion criteria, canary analyses, burn-rate alerts
//! — and fold the findings into `promote`, `continue`, `hold` or
//! `rollback`. Missing data holds; an error holds; nothing promotes without
//! evidence.

use std::collections::BTreeMap;

use cel::common::types::{CelDouble, CelNull};
use serde_json::{Value as Json, json};

use super::assessment::{
    ASSESSMENT_SCHEMA, AssessFinding, AssessRuleKind, AssessSummary, Assessment, Budget, Marker,
    RolloutRef, RolloutVerdict, fold,
};
use super::decision::{BundleInfo, EngineInfo, Outcome};
use super::series::{self, CriterionState, Point, TriggerState};
use crate::analysis::judge::{
    self, Classification, JudgeConfig, JudgeOutcome, MetricConfig, MetricInput,
};
use crate::analysis::{slo, stats};
use crate::error::Error;
use crate::expr::{self, CompiledExpr, convert};
use crate::model::shape::ROLLOUT;
use crate::model::{Duration, RolloutFacts, Timestamp};
use crate::policy::document::{
    Action, AnalysisRule, BurnRateRule, Compare, NoDataPolicy, Threshold,
};
use crate::policy::{Bundle, CompiledPolicy, CompiledPromotion, CompiledTrigger};

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
            reason: reason(verdict, &run.findings),
            rollout: RolloutRef {
                id: r.id.clone(),
                service: r.service.clone(),
                version: r.version.as_ref().map(ToString::to_string),
                step: r.current_step,
                weight: r.weight,
            },
            now: facts.now,
            summary,
            budgets: budgets(facts),
            markers: markers(facts, verdict),
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

struct Assess<'f> {
    facts: &'f RolloutFacts,
    now: Timestamp,
    json: &'f Json,
    findings: Vec<AssessFinding>,
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

    fn trigger(&self, t: &CompiledTrigger, ctx: &cel::Context<'_, '_>, f: &mut AssessFinding) {
        let rule = &t.rule;
        if let Some(cond) = &t.condition {
            for path in &cond.reads {
                if let Some(v) = lookup(self.json, path) {
                    f.observed.insert(path.join("."), v);
                }
            }
            f.threshold = rule.condition.clone();
            match cond.eval(ctx) {
                Ok(cel::Value::Bool(true)) => {
                    f.outcome = Outcome::Fail;
                    f.action = Some(rule.action);
                    f.message = rule
                        .message
                        .clone()
                        .unwrap_or_else(|| format!("condition of `{}` is true", rule.id));
                    f.flip = Some("passes when the condition is false".into());
                }
                Ok(cel::Value::Bool(false)) => {
                    f.message = "condition is false".into();
                }
                Ok(other) => error(
                    f,
                    format!("condition gave `{}`, not a bool", convert::to_json(&other)),
                ),
                Err(e) => error(f, format!("condition could not be evaluated: {e}")),
            }
            return;
        }
        let window = crate::policy::trigger_window(rule);
        let from = self.now - window.as_chrono();
        let for_ms = rule.for_.map(|d| d.as_millis());
        if let Some(journey) = &rule.synthetic {
            self.synthetic_trigger(t, journey, from, window, for_ms, f);
            return;
        }
        let Some(name) = &rule.metric else {
            return;
        };
        f.subject = Some(name.clone());
        let th = rule.threshold();
        let unit = self.facts.metric(name).and_then(|m| m.unit.clone());
        f.threshold = Some(describe(
            name,
            &th,
            unit.as_deref(),
            rule.expression.as_deref(),
            true,
        ));
        let Some(metric) = self.facts.metric(name) else {
            return no_data(
                f,
                rule.no_data,
                rule.action,
                format!("metric `{name}` is not in the facts"),
            );
        };
        let baseline = stats::mean(
            &series::clean(&metric.baseline)
                .iter()
                .map(|p| p.value)
                .collect::<Vec<_>>(),
        );
        if th.compare == Some(Compare::Baseline) && baseline.is_none() {
            return no_data(
                f,
                rule.no_data,
                rule.action,
                format!(
                    "no baseline samples for `{name}`, which `{}` compares against",
                    rule.id
                ),
            );
        }
        let points: Vec<Point> = series::clean(&metric.canary)
            .into_iter()
            .filter(|p| p.at > from)
            .collect();
        let judged = match judge_points(&points, &th, t.expression.as_ref(), baseline, true) {
            Ok(j) => j,
            Err(e) => return error(f, e),
        };
        if let Some(b) = baseline {
            f.observed.insert("baseline".into(), num(b));
        }
        if let Some(p) = points.last() {
            f.observed.insert("latest".into(), num(p.value));
        }
        f.observed.insert("samples".into(), json!(points.len()));
        f.observed
            .insert("window".into(), json!(window.to_string()));
        let limit = f.threshold.clone().unwrap_or_default();
        match series::trigger_state(&judged, for_ms, rule.min_samples, rule.failure_limit) {
            TriggerState::NoData { samples } => no_data(
                f,
                rule.no_data,
                rule.action,
                format!(
                    "{samples} samples of `{name}` in the last {window}, {} needed",
                    rule.min_samples.max(1)
                ),
            ),
            TriggerState::Clear { samples } => {
                f.message =
                    format!("`{name}` within limits ({samples} samples in the last {window})");
                f.flip = Some(trip_condition(&limit, rule.for_, rule.failure_limit));
            }
            TriggerState::Breaching(b) => {
                f.outcome = Outcome::Warn;
                f.observed.insert("breaching".into(), json!(b.breaches));
                f.duration_ms = b.latest.then_some(b.sustained_ms);
                match rule.for_ {
                    Some(d) => {
                        let left = Duration::from_millis(d.as_millis() - b.sustained_ms);
                        f.message = format!(
                            "breaching `{limit}` for {} of {d}",
                            Duration::from_millis(b.sustained_ms)
                        );
                        f.flip = Some(format!("trips in {left} if `{limit}` stays breached"));
                        if !b.latest {
                            f.message = format!(
                                "{} of {} samples breached `{limit}`; the latest does not",
                                b.breaches, b.samples
                            );
                            f.flip = Some(trip_condition(&limit, rule.for_, rule.failure_limit));
                        }
                    }
                    None => {
                        f.message = format!(
                            "{} of {} samples breached `{limit}` ({} tolerated)",
                            b.breaches, b.samples, rule.failure_limit
                        );
                        let more = (rule.failure_limit as usize + 1).saturating_sub(b.breaches);
                        f.flip = Some(format!(
                            "trips after {more} more breaching sample{}",
                            if more == 1 { "" } else { "s" }
                        ));
                    }
                }
            }
            TriggerState::Tripped(b) => {
                f.outcome = Outcome::Fail;
                f.action = Some(rule.action);
                f.observed.insert("breaching".into(), json!(b.breaches));
                f.duration_ms = b.latest.then_some(b.sustained_ms);
                let latest = points.last().map_or(String::new(), |p| fmt_num(p.value));
                let how = match rule.for_ {
                    Some(_) => format!("for {}", Duration::from_millis(b.sustained_ms)),
                    None => format!("in {} of {} samples", b.breaches, b.samples),
                };
                let what = format!("`{limit}` breached {how} (latest {latest})");
                f.message = match &rule.message {
                    Some(m) => format!("{m}: {what}"),
                    None => what,
                };
                f.flip = Some(format!("clears when `{name}` stays within the limit"));
            }
        }
    }

    fn synthetic_trigger(
        &self,
        t: &CompiledTrigger,
        journey: &str,
        from: Timestamp,
        window: Duration,
        for_ms: Option<i64>,
        f: &mut AssessFinding,
    ) {
        let rule = &t.rule;
        f.subject = Some(journey.to_string());
        f.threshold = Some(format!(
            "failed runs of {} > {}",
            if journey == "*" {
                "any journey".to_string()
            } else {
                format!("`{journey}`")
            },
            rule.failure_limit
        ));
        let journeys: Vec<_> = self
            .facts
            .synthetics
            .iter()
            .filter(|(n, s)| (journey == "*" || *n == journey) && (!rule.critical || s.critical))
            .collect();
        if journeys.is_empty() {
            let which = if rule.critical {
                "critical synthetic"
            } else {
                "synthetic"
            };
            return no_data(
                f,
                rule.no_data,
                rule.action,
                format!("no {which} journey `{journey}` in the facts"),
            );
        }
        let mut worst: Option<(u8, String, TriggerState)> = None;
        for (journey_name, s) in journeys {
            let points: Vec<(Timestamp, bool)> = s
                .runs
                .iter()
                .filter(|r| r.at > from)
                .map(|r| (r.at, !r.passed))
                .collect();
            let state =
                series::trigger_state(&points, for_ms, rule.min_samples, rule.failure_limit);
            let rank = match state {
                TriggerState::Clear { .. } => 0,
                TriggerState::Breaching(_) => 1,
                TriggerState::NoData { .. } => 2,
                TriggerState::Tripped(_) => 3,
            };
            if worst.as_ref().is_none_or(|(r, _, _)| rank > *r) {
                worst = Some((rank, journey_name.clone(), state));
            }
        }
        let Some((_, name, state)) = worst else {
            return;
        };
        f.subject = Some(name.clone());
        match state {
            TriggerState::NoData { samples } => no_data(
                f,
                rule.no_data,
                rule.action,
                format!(
                    "{samples} runs of journey `{name}` in the last {window}, {} needed",
                    rule.min_samples.max(1)
                ),
            ),
            TriggerState::Clear { samples } => {
                f.message =
                    format!("journeys passing ({samples} runs of `{name}` in the last {window})");
            }
            TriggerState::Breaching(b) => {
                f.outcome = Outcome::Warn;
                f.message = format!(
                    "journey `{name}` failed {} of {} runs ({} tolerated)",
                    b.breaches, b.samples, rule.failure_limit
                );
            }
            TriggerState::Tripped(b) => {
                f.outcome = Outcome::Fail;
                f.action = Some(rule.action);
                let what = format!(
                    "journey `{name}` failed {} of {} runs in the last {window}",
                    b.breaches, b.samples
                );
                f.message = match &rule.message {
                    Some(m) => format!("{m}: {what}"),
                    None => what,
                };
                f.flip = Some(format!("clears when `{name}` passes again"));
            }
        }
    }

    fn promotion(&self, p: &CompiledPromotion, f: &mut AssessFinding) {
        let rule = &p.rule;
        let name = &rule.metric;
        f.subject = Some(name.clone());
        let th = rule.threshold();
        let unit = self.facts.metric(name).and_then(|m| m.unit.clone());
        let limit = describe(
            name,
            &th,
            unit.as_deref(),
            rule.expression.as_deref(),
            false,
        );
        f.threshold = Some(limit.clone());
        let hold_no_data = |f: &mut AssessFinding, why: String| {
            f.outcome = Outcome::NoData;
            f.action = Some(Action::Hold);
            f.message = why;
        };
        let Some(metric) = self.facts.metric(name) else {
            return hold_no_data(f, format!("metric `{name}` is not in the facts"));
        };
        let baseline = stats::mean(
            &series::clean(&metric.baseline)
                .iter()
                .map(|p| p.value)
                .collect::<Vec<_>>(),
        );
        if th.compare == Some(Compare::Baseline) && baseline.is_none() {
            return hold_no_data(f, format!("no baseline samples for `{name}`"));
        }
        let step_start = self.facts.rollout.step_started_at;
        let points: Vec<Point> = series::clean(&metric.canary)
            .into_iter()
            .filter(|pt| step_start.is_none_or(|s| pt.at >= s))
            .collect();
        let judged = match judge_points(&points, &th, p.expression.as_ref(), baseline, false) {
            Ok(j) => j,
            Err(e) => return error(f, e),
        };
        if let Some(last) = points.last() {
            f.observed.insert("latest".into(), num(last.value));
        }
        if let Some(b) = baseline {
            f.observed.insert("baseline".into(), num(b));
        }
        let window = rule.window;
        match series::criterion_state(&judged, self.now, window.as_millis(), rule.min_samples) {
            CriterionState::NoData => {
                hold_no_data(f, format!("no samples of `{name}` in this step"))
            }
            CriterionState::Violated { at } => {
                f.outcome = Outcome::Fail;
                f.message = format!("`{limit}` not met at {}", rfc3339(at));
                f.flip = Some(format!("promotes once `{limit}` has held for {window}"));
            }
            CriterionState::Holding { held_ms, in_window } => {
                f.outcome = Outcome::Fail;
                f.duration_ms = Some(held_ms);
                f.observed.insert("samples".into(), json!(in_window));
                let held = Duration::from_millis(held_ms);
                if held_ms >= window.as_millis() {
                    f.message = format!(
                        "`{limit}` held for {held} but with {in_window} samples, {} needed",
                        rule.min_samples
                    );
                    f.flip = Some(format!(
                        "promotes with {} more samples within `{limit}`",
                        rule.min_samples as usize - in_window.min(rule.min_samples as usize)
                    ));
                } else {
                    let left = Duration::from_millis(window.as_millis() - held_ms);
                    f.message = format!("`{limit}` held for {held} of {window}");
                    f.flip = Some(format!("promotes in {left} if `{limit}` holds"));
                }
            }
            CriterionState::Met { held_ms, in_window } => {
                f.duration_ms = Some(held_ms);
                f.observed.insert("samples".into(), json!(in_window));
                f.message = format!(
                    "`{limit}` held for {} ({in_window} samples)",
                    Duration::from_millis(held_ms)
                );
                f.flip = Some(format!("stops promoting if `{limit}` is breached"));
            }
        }
    }

    fn analysis(&self, a: &AnalysisRule, f: &mut AssessFinding) {
        let from = a.window.map(|w| self.now - w.as_chrono());
        let configs: Vec<MetricConfig> = a
            .metrics
            .iter()
            .map(|m| {
                let mut c = MetricConfig::new(m.metric.clone());
                c.group = m.group.clone();
                c.direction = m.direction;
                c.allowed_increase = m.allowed_increase.unwrap_or(1.0);
                c.allowed_decrease = m.allowed_decrease.unwrap_or(1.0);
                c.critical = m.critical;
                c.must_have_data = m.must_have_data;
                c.nan_strategy = m.nan_strategy;
                c
            })
            .collect();
        type Pair = (Vec<Option<f64>>, Vec<Option<f64>>);
        let series: Vec<Pair> = a
            .metrics
            .iter()
            .map(|m| match self.facts.metric(&m.metric) {
                Some(metric) => (
                    series::values_since(&metric.canary, from),
                    series::values_since(&metric.baseline, from),
                ),
                None => (Vec::new(), Vec::new()),
            })
            .collect();
        let inputs: Vec<MetricInput<'_>> = configs
            .iter()
            .zip(&series)
            .map(|(config, (canary, baseline))| MetricInput {
                config,
                canary,
                baseline,
            })
            .collect();
        let result = judge::judge(&judge_config(a), &inputs);
        f.subject = Some(
            a.metrics
                .iter()
                .map(|m| m.metric.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
        f.threshold = Some(format!(
            "score ≥ {} passes, ≥ {} is marginal",
            fmt_num(a.thresholds.pass),
            fmt_num(a.thresholds.marginal)
        ));
        f.observed.insert("score".into(), num(result.score));
        let score = fmt_num(result.score);
        match result.outcome {
            JudgeOutcome::Pass => {
                f.message = format!("canary judged healthy: score {score}");
            }
            JudgeOutcome::Marginal => {
                f.outcome = Outcome::Warn;
                f.action = Some(Action::Hold);
                f.message = format!("marginal canary score {score}: {}", result.reason);
                f.flip = Some(format!(
                    "passes at a score of {}",
                    fmt_num(a.thresholds.pass)
                ));
            }
            // Kayenta fails a must-have metric without data; a rollout is
            // never rolled back for missing data alone: that holds.
            JudgeOutcome::Fail
                if !result.metrics.iter().any(|m| {
                    matches!(m.classification, Classification::High | Classification::Low)
                }) =>
            {
                f.outcome = Outcome::NoData;
                f.action = Some(Action::Hold);
                f.message = format!(
                    "no data for a metric the canary judge must have: {}",
                    result.reason
                );
            }
            JudgeOutcome::Fail => {
                f.outcome = Outcome::Fail;
                f.action = Some(a.on_fail);
                f.message = format!("canary judged unhealthy: score {score}: {}", result.reason);
                f.flip = Some(format!(
                    "passes at a score of {}",
                    fmt_num(a.thresholds.pass)
                ));
            }
            JudgeOutcome::NoData => {
                f.outcome = Outcome::NoData;
                f.action = Some(Action::Hold);
                f.message = format!("no data to judge the canary: {}", result.reason);
            }
        }
        f.judge = Some(result);
    }

    fn burn_rate(&self, b: &BurnRateRule, f: &mut AssessFinding) {
        f.subject = Some(b.slo.clone());
        let Some(s) = self.facts.slos.get(&b.slo) else {
            f.outcome = Outcome::NoData;
            f.action = Some(Action::Hold);
            f.message = format!("SLO `{}` is not in the facts", b.slo);
            return;
        };
        let ratios = slo_ratios(s);
        let ratio = |d: Duration| ratios.iter().find(|(w, _)| *w == d).map(|(_, r)| *r);
        let rate = |d: Duration| ratio(d).and_then(|r| slo::burn_rate(r, s.objective));
        let mut fired: Vec<(Action, String)> = Vec::new();
        // Windows without an error ratio, with the action of the alert
        // that needed them.
        let mut missing: Vec<(String, Action)> = Vec::new();
        let mut lines: Vec<String> = Vec::new();
        for a in &b.alerts {
            let (long, short) = (a.long, a.short_window());
            for (w, r) in [(long, rate(long)), (short, rate(short))] {
                match r {
                    Some(r) => {
                        f.observed.insert(format!("burnRate.{w}"), num(r));
                    }
                    None => missing.push((w.to_string(), a.action)),
                }
            }
            if let (Some(l), Some(sh)) = (rate(long), rate(short)) {
                let text = format!(
                    "{}× over {long} and {}× over {short} ({} at {}×)",
                    fmt_num(l),
                    fmt_num(sh),
                    a.severity,
                    fmt_num(a.factor)
                );
                if l >= a.factor && sh >= a.factor {
                    fired.push((a.action, text));
                } else {
                    lines.push(text);
                }
            }
        }
        missing.sort();
        missing.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        // Missing data holds, unless the alerts that needed it only alert.
        let hold_missing = missing.iter().any(|(_, a)| *a >= Action::Hold);
        let mut missing: Vec<String> = missing.into_iter().map(|(w, _)| w).collect();
        missing.dedup();
        f.threshold = Some(
            b.alerts
                .iter()
                .map(|a| {
                    format!(
                        "{}× over {} and {}",
                        fmt_num(a.factor),
                        a.long,
                        a.short_window()
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        );
        if let Some(action) = fired.iter().map(|(a, _)| *a).max() {
            f.outcome = Outcome::Fail;
            f.action = Some(action);
            let texts: Vec<&str> = fired.iter().map(|(_, t)| t.as_str()).collect();
            f.message = format!(
                "SLO `{}` burning its error budget: {}",
                b.slo,
                texts.join("; ")
            );
            f.flip =
                Some("clears when the burn rate of either window drops under the factor".into());
        } else if !missing.is_empty() {
            f.outcome = Outcome::NoData;
            f.action = hold_missing.then_some(Action::Hold);
            f.message = format!(
                "no error ratio of SLO `{}` over {}",
                b.slo,
                missing.join(", ")
            );
        } else {
            f.message = format!(
                "SLO `{}` burn rates under every alert: {}",
                b.slo,
                lines.join("; ")
            );
        }
    }
}

/// Judge each point: does it breach (triggers) or meet (criteria)?
fn judge_points(
    points: &[Point],
    th: &Threshold,
    expression: Option<&CompiledExpr>,
    baseline: Option<f64>,
    trigger: bool,
) -> Result<Vec<(Timestamp, bool)>, String> {
    let mut ctx = expr::root_context();
    let mut out = Vec::with_capacity(points.len());
    for p in points {
        let crossed = crosses(th, p.value, baseline);
        let by_expr = match expression {
            Some(e) => {
                ctx.add_variable_as_val("value", Box::new(CelDouble::from(p.value)));
                match baseline {
                    Some(b) => ctx.add_variable_as_val("baseline", Box::new(CelDouble::from(b))),
                    None => ctx.add_variable_as_val("baseline", Box::new(CelNull)),
                }
                match e.eval(&ctx) {
                    Ok(cel::Value::Bool(b)) => Some(b),
                    Ok(other) => {
                        return Err(format!(
                            "`expression` gave `{}`, not a bool",
                            convert::to_json(&other)
                        ));
                    }
                    Err(err) => {
                        return Err(format!(
                            "`expression` could not be evaluated at {}: {err}",
                            p.at
                        ));
                    }
                }
            }
            None => None,
        };
        let flag = if trigger {
            // A trigger breaches when a limit is crossed or the expression
            // says so.
            crossed || by_expr == Some(true)
        } else {
            // A criterion is met when no limit is crossed and the
            // expression (if any) holds.
            !crossed && by_expr != Some(false)
        };
        out.push((p.at, flag));
    }
    Ok(out)
}

/// Whether `value` crosses a limit of `th` (exactly at a limit does not).
pub(crate) fn crosses(th: &Threshold, value: f64, baseline: Option<f64>) -> bool {
    let relative = th.compare == Some(Compare::Baseline);
    let (d, base) = match (relative, baseline) {
        (true, Some(b)) => (value - b, b),
        (true, None) => return false,
        (false, _) => (value, 0.0),
    };
    let pct = |delta: f64| {
        if base != 0.0 {
            delta / base.abs() * 100.0
        } else if delta == 0.0 {
            0.0
        } else {
            delta.signum() * f64::INFINITY
        }
    };
    th.above.is_some_and(|a| d > a)
        || th.below.is_some_and(|b| d < b)
        || (relative && th.above_percent.is_some_and(|a| pct(d) > a))
        || (relative && th.below_percent.is_some_and(|b| pct(-d) > b))
}

/// The limit in words: breaching form for triggers (`error-rate > 0.05`),
/// meeting form for criteria (`error-rate ≤ 0.05`).
fn describe(
    name: &str,
    th: &Threshold,
    unit: Option<&str>,
    expression: Option<&str>,
    trigger: bool,
) -> String {
    let u = unit.map(|u| format!(" {u}")).unwrap_or_default();
    let rel = th.compare == Some(Compare::Baseline);
    let (gt, lt) = if trigger { (">", "<") } else { ("≤", "≥") };
    let mut parts = Vec::new();
    if let Some(a) = th.above {
        parts.push(if rel {
            format!("{name} {gt} baseline + {}{u}", fmt_num(a))
        } else {
            format!("{name} {gt} {}{u}", fmt_num(a))
        });
    }
    if let Some(b) = th.below {
        parts.push(if rel {
            format!(
                "{name} {lt} baseline {} {}{u}",
                if b < 0.0 { "-" } else { "+" },
                fmt_num(b.abs())
            )
        } else {
            format!("{name} {lt} {}{u}", fmt_num(b))
        });
    }
    if let Some(a) = th.above_percent {
        parts.push(format!("{name} {gt} baseline + {}%", fmt_num(a)));
    }
    if let Some(b) = th.below_percent {
        parts.push(format!("{name} {lt} baseline - {}%", fmt_num(b)));
    }
    if let Some(e) = expression {
        parts.push(e.to_string());
    }
    parts.join(if trigger { " or " } else { " and " })
}

fn trip_condition(limit: &str, for_: Option<Duration>, failure_limit: u32) -> String {
    match for_ {
        Some(d) => format!("trips if `{limit}` holds for {d}"),
        None if failure_limit == 0 => format!("trips on one sample with `{limit}`"),
        None => format!("trips on {} samples with `{limit}`", failure_limit + 1),
    }
}

fn no_data(f: &mut AssessFinding, policy: NoDataPolicy, action: Action, why: String) {
    f.outcome = Outcome::NoData;
    match policy {
        NoDataPolicy::Ignore => {
            f.message = format!("{why} (ignored: `noData: ignore`)");
        }
        NoDataPolicy::Hold => {
            f.action = Some(Action::Hold);
            f.message = format!("{why}: holding (missing data is never a pass)");
        }
        NoDataPolicy::Fail => {
            f.outcome = Outcome::Fail;
            f.action = Some(action);
            f.message = format!("{why}: counted as breached (`noData: fail`)");
        }
    }
}

/// A rule that could not be evaluated holds: never a promote, never an
/// unexplained rollback.
fn error(f: &mut AssessFinding, message: String) {
    f.outcome = Outcome::Error;
    f.action = Some(Action::Hold);
    f.message = message;
}

fn rfc3339(t: Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn lookup(json: &Json, path: &[String]) -> Option<Json> {
    let mut cur = json;
    for seg in path {
        cur = cur.get(seg)?;
    }
    Some(cur.clone())
}

fn num(v: f64) -> Json {
    serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number)
}

/// A number for messages: at most 4 significant decimals, no trailing zeros.
pub(crate) fn fmt_num(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "∞".into() } else { "-∞".into() };
    }
    let s = if v.abs() >= 100.0 || v == v.trunc() {
        format!("{:.2}", v)
    } else {
        format!("{:.4}", v)
    };
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

fn slo_ratios(s: &crate::model::SloStatus) -> Vec<(Duration, f64)> {
    s.error_ratio
        .iter()
        .filter_map(|(w, r)| Duration::parse(w).ok().map(|d| (d, *r)))
        .collect()
}

fn budgets(facts: &RolloutFacts) -> Vec<Budget> {
    facts
        .slos
        .iter()
        .map(|(name, s)| {
            let ratios = slo_ratios(s);
            let window = s.window.unwrap_or(Duration::from_millis(30 * 86_400_000));
            Budget {
                slo: name.clone(),
                objective: s.objective,
                window: window.to_string(),
                remaining: ratios
                    .iter()
                    .find(|(w, _)| *w == window)
                    .and_then(|(_, r)| slo::budget_remaining(*r, s.objective)),
                burn_rates: ratios
                    .iter()
                    .filter_map(|(w, r)| {
                        slo::burn_rate(*r, s.objective).map(|b| (w.to_string(), b))
                    })
                    .collect(),
            }
        })
        .collect()
}

fn markers(facts: &RolloutFacts, verdict: RolloutVerdict) -> Vec<Marker> {
    let r = &facts.rollout;
    let marker = |kind: &str, at: Timestamp, step: Option<u32>, text: String| Marker {
        kind: kind.into(),
        at,
        rollout: r.id.clone(),
        service: r.service.clone(),
        version: r.version.as_ref().map(ToString::to_string),
        step,
        text,
    };
    let version = r
        .version
        .as_ref()
        .map_or(String::new(), |v| format!(" {v}"));
    let mut out = Vec::new();
    if let Some(at) = r.started_at {
        out.push(marker(
            "rollout-started",
            at,
            None,
            format!("{}{version} rollout started", r.service),
        ));
    }
    if let Some(at) = r.step_started_at {
        let weight = r
            .weight
            .map_or(String::new(), |w| format!(" at {}%", fmt_num(w)));
        let step = r.current_step.map_or(String::new(), |s| format!(" {s}"));
        out.push(marker(
            "step-started",
            at,
            r.current_step,
            format!("{}{version} step{step} started{weight}", r.service),
        ));
    }
    let end = match verdict {
        RolloutVerdict::Promote => Some(("promoted", "promoted")),
        RolloutVerdict::Hold => Some(("held", "held")),
        RolloutVerdict::Rollback => Some(("rolled-back", "rolled back")),
        RolloutVerdict::Continue => None,
    };
    if let Some((kind, words)) = end {
        out.push(marker(
            kind,
            facts.now,
            r.current_step,
            format!("{}{version} {words}", r.service),
        ));
    }
    out
}

/// One line saying why.
fn reason(verdict: RolloutVerdict, findings: &[AssessFinding]) -> String {
    let first = |pred: &dyn Fn(&AssessFinding) -> bool| findings.iter().find(|f| pred(f));
    match verdict {
        RolloutVerdict::Rollback => first(&|f| f.action == Some(Action::Rollback))
            .map_or_else(String::new, |f| format!("`{}`: {}", f.rule, f.message)),
        RolloutVerdict::Hold => first(&|f| f.action == Some(Action::Hold))
            .map_or_else(String::new, |f| format!("`{}`: {}", f.rule, f.message)),
        RolloutVerdict::Promote => {
            let met = |k: AssessRuleKind| {
                findings
                    .iter()
                    .filter(|f| f.kind == k && f.outcome == Outcome::Pass)
                    .count()
            };
            match (
                met(AssessRuleKind::Promotion),
                met(AssessRuleKind::Analysis),
            ) {
                (0, a) => format!("{a} canary analyses passed"),
                (p, 0) => format!("all {p} promotion criteria held for their windows"),
                (p, a) => format!(
                    "all {p} promotion criteria held for their windows and {a} canary {} passed",
                    if a == 1 { "analysis" } else { "analyses" }
                ),
            }
        }
        RolloutVerdict::Continue => first(&|f| {
            f.outcome == Outcome::Warn
                || (matches!(f.kind, AssessRuleKind::Promotion | AssessRuleKind::Analysis)
                    && f.outcome != Outcome::Pass
                    && f.outcome != Outcome::Skipped)
        })
        .map_or_else(
            || {
                "no promotion criterion or analysis applies, so nothing proves the canary healthy"
                    .into()
            },
            |f| {
                format!(
                    "`{}`: {}",
                    f.rule,
                    f.flip.clone().unwrap_or_else(|| f.message.clone())
                )
            },
        ),
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
