//! Cascading failures: a metric trigger with `downstream: true` watches
//! that metric of every service downstream of the rollout's (its
//! transitive dependents in the catalog, in the rollout's environment).
//! Each downstream series is split at `rollout.stepStartedAt`: the samples
//! before are the service's own baseline, those since (inside the
//! trigger's window) are judged exactly as a canary metric is. The worst
//! service decides the finding, which names it and the path through the
//! graph, so a rollback is attributed to the release that caused it.
//!
//! Fail closed: without a catalog, or without `stepStartedAt`, the trigger
//! cannot be evaluated (an error, which holds); when no downstream service
//! sends the metric, that is no data (held by default).

use serde_json::json;

use super::assessment::AssessFinding;
use super::compile::CompiledTrigger;
use super::evaluate::Assess;
use super::metrics::{describe, error, no_data};
use crate::model::catalog_facts::Downstream;
use crate::model::{Sample, Timestamp};
use crate::vocab::{Action, Outcome};

/// How bad a downstream service's finding is, to pick the one that
/// decides: a rollback over a hold, a trip over an error, an error over
/// no data, no data over a breach not yet sustained, over a pass.
fn severity(f: &AssessFinding) -> u8 {
    match (f.outcome, f.action) {
        (Outcome::Fail, Some(Action::Rollback)) => 6,
        (Outcome::Fail, _) => 5,
        (Outcome::Error, _) => 4,
        (Outcome::NoData, Some(Action::Hold)) => 3,
        (Outcome::Warn, _) => 2,
        (Outcome::NoData, _) => 1,
        _ => 0,
    }
}

impl Assess<'_> {
    pub(super) fn downstream_trigger(
        &self,
        t: &CompiledTrigger,
        name: &str,
        from: Timestamp,
        f: &mut AssessFinding,
    ) {
        let rule = &t.rule;
        let service = &self.facts.rollout.service;
        f.subject = Some(name.to_string());
        let limit = describe(
            name,
            &rule.threshold(),
            None,
            rule.expression.as_deref(),
            true,
        );
        // The per-service judgement words the plain limit; the finding
        // says whose services it watched.
        f.threshold = Some(limit.clone());
        let Some(downstream) = self.downstream else {
            return error(
                f,
                format!(
                    "`{}` watches the services downstream of `{service}`, which needs a catalog (assess with one: `assess --catalog`)",
                    rule.id
                ),
            );
        };
        let Some(step) = self.facts.rollout.step_started_at else {
            return error(
                f,
                format!(
                    "`{}` judges downstream services against their samples from before the current step, which needs `rollout.stepStartedAt`",
                    rule.id
                ),
            );
        };
        // Samples from the step's start on are judged (`from` is exclusive).
        let from = from.max(
            step.checked_sub_signed(chrono::TimeDelta::milliseconds(1))
                .unwrap_or(step),
        );
        let mut worst: Option<(&Downstream, AssessFinding)> = None;
        let (mut watched, mut unwatched) = (Vec::new(), Vec::new());
        for d in downstream {
            let Some(series) = self
                .facts
                .downstream
                .get(&d.service)
                .and_then(|s| s.metrics.get(name))
            else {
                unwatched.push(d.service.as_str());
                continue;
            };
            watched.push(d.service.as_str());
            let (before, since): (Vec<Sample>, Vec<Sample>) =
                series.samples.iter().cloned().partition(|s| s.at < step);
            let mut g = f.clone();
            self.judge_series(t, name, &since, &before, from, &mut g);
            if worst
                .as_ref()
                .is_none_or(|(_, w)| severity(&g) > severity(w))
            {
                worst = Some((d, g));
            }
        }
        let known: std::collections::BTreeSet<&str> =
            downstream.iter().map(|d| d.service.as_str()).collect();
        let strays: Vec<&str> = self
            .facts
            .downstream
            .keys()
            .map(String::as_str)
            .filter(|k| !known.contains(k))
            .collect();
        let notes = notes(&unwatched, &strays, service);
        let Some((d, g)) = worst else {
            f.threshold = Some(format!("{limit} downstream of `{service}`"));
            return no_data(
                f,
                rule.no_data,
                rule.action,
                format!(
                    "no service downstream of `{service}` sends `{name}` ({} downstream{notes})",
                    downstream.len()
                ),
            );
        };
        *f = g;
        f.threshold = Some(format!("{limit} downstream of `{service}`"));
        f.observed.insert("watched".into(), json!(watched));
        if !unwatched.is_empty() {
            f.observed.insert("unwatched".into(), json!(unwatched));
        }
        if f.outcome == Outcome::Pass {
            f.message = format!(
                "`{name}` within limits in {} downstream service(s) of `{service}`{notes}",
                watched.len()
            );
            return;
        }
        f.observed.insert("downstream".into(), json!(d.service));
        f.observed.insert("path".into(), json!(d.path));
        f.message = format!(
            "`{}` (tier {}, downstream of `{service}` via {}): {}{notes}",
            d.service,
            d.tier,
            d.path.join(" → "),
            f.message
        );
    }
}

/// What the finding says of services not judged: downstream ones that
/// send no series, and series of services that are not downstream.
fn notes(unwatched: &[&str], strays: &[&str], service: &str) -> String {
    let mut out = String::new();
    if !unwatched.is_empty() {
        out.push_str(&format!("; not watched (no series): {}", first(unwatched)));
    }
    if !strays.is_empty() {
        out.push_str(&format!(
            "; ignored (not downstream of `{service}`): {}",
            first(strays)
        ));
    }
    out
}

/// At most ten names, then how many more.
fn first(names: &[&str]) -> String {
    let shown: Vec<&str> = names.iter().take(10).copied().collect();
    match names.len().saturating_sub(10) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}
