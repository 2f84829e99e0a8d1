//! The release facts bound as the roots of a release policy's expressions,
//! read in place: every section of [`Facts`] is a map or list of the typed
//! facts (see the [module above](super)), and the roots a catalog adds
//! (`graph`, `calendar`) are views of their JSON. The tests hold every
//! root against the facts' full JSON.

use serde_json::Value as Json;

use super::{double, items, s, unsigned, version, view, view_opt};
use crate::expr::value::{Fields, Map, Val};
use crate::model::shape::{FACTS, Shape};
use crate::model::{
    Approval, Capacity, Certificate, Change, ChangeRequest, Ci, Communication, DataCheck, Facts,
    Findings, Flag, History, Incident, Migration, MigrationChecks, PastRelease, Readiness, Release,
    Replicas, RollbackReadiness, Rollout, Scan, Secret, Security, Service, Slo, Step, Suite,
    Waiver,
};

/// A duration of the facts.
fn duration(d: &crate::model::Duration) -> Val<'static> {
    Val::Duration(d.as_chrono())
}

/// Expands to the field reads of a view: each arm a name (in the sorted
/// order `keys` gives) and the value it reads, `None` when absent.
macro_rules! fields {
    ($ty:ty, |$x:ident| { $($name:literal => $value:expr,)* }) => {
        impl Fields for $ty {
            fn keys(&self) -> &'static [&'static str] {
                &[$($name),*]
            }
            fn field(&self, name: &str) -> Option<Val<'_>> {
                let $x = self;
                match name {
                    $($name => $value,)*
                    _ => None,
                }
            }
            fn field_at(&self, i: usize) -> Option<Val<'_>> {
                // The same reads as `field`, in the order of `keys`.
                const READS: &[for<'r> fn(&'r $ty) -> Option<Val<'r>>] =
                    &[$(|$x| $value),*];
                READS.get(i)?(self)
            }
        }
    };
}

fields!(Release, |r| {
    "author" => Some(s(&r.author)),
    "changes" => Some(items(&r.changes)),
    "environment" => Some(s(&r.environment)),
    "id" => Some(s(&r.id)),
    "kind" => Some(s(r.kind.as_str())),
    "labels" => Some(Val::Map(Map::Strings(&r.labels))),
    "previousVersion" => r.previous_version.as_ref().map(version),
    "service" => Some(s(&r.service)),
    "version" => Some(version(&r.version)),
});

fields!(Change, |c| {
    "description" => c.description.as_deref().map(s),
    "external" => c.external.map(Val::Bool),
    "fields" => Some(items(&c.fields)),
    "id" => c.id.as_deref().map(s),
    "kind" => Some(s(&c.kind)),
    "path" => c.path.as_deref().map(s),
});

fields!(ChangeRequest, |c| {
    "approvedAt" => c.approved_at.map(Val::Timestamp),
    "approvedBy" => c.approved_by.as_deref().map(s),
    "id" => Some(s(&c.id)),
    "status" => Some(s(c.status.as_str())),
    "url" => c.url.as_deref().map(s),
});

fields!(Ci, |c| {
    "commit" => c.commit.as_deref().map(s),
    "suites" => Some(items(&c.suites)),
    "url" => c.url.as_deref().map(s),
});

fields!(Suite, |x| {
    "completedAt" => x.completed_at.map(Val::Timestamp),
    "failed" => Some(unsigned(x.failed)),
    "name" => Some(s(&x.name)),
    "passed" => Some(unsigned(x.passed)),
    "required" => Some(Val::Bool(x.required)),
    "skipped" => Some(unsigned(x.skipped)),
    "status" => Some(s(x.status.as_str())),
});

fields!(Security, |x| {
    "certificates" => Some(items(&x.certificates)),
    "scans" => Some(items(&x.scans)),
    "secrets" => Some(items(&x.secrets)),
});

fields!(Scan, |x| {
    "completedAt" => Some(Val::Timestamp(x.completed_at)),
    "findings" => Some(view(&x.findings)),
    "kind" => Some(s(&x.kind)),
    "tool" => Some(s(&x.tool)),
});

fields!(Findings, |x| {
    "critical" => Some(unsigned(x.critical)),
    "high" => Some(unsigned(x.high)),
    "low" => Some(unsigned(x.low)),
    "medium" => Some(unsigned(x.medium)),
});

fields!(Certificate, |x| {
    "name" => Some(s(&x.name)),
    "notAfter" => Some(Val::Timestamp(x.not_after)),
});

fields!(Secret, |x| {
    "maxAge" => Some(duration(&x.max_age)),
    "name" => Some(s(&x.name)),
    "rotatedAt" => Some(Val::Timestamp(x.rotated_at)),
});

fields!(Approval, |x| {
    "at" => Some(Val::Timestamp(x.at)),
    "by" => Some(s(&x.by)),
    "comment" => x.comment.as_deref().map(s),
    "decision" => Some(s(x.decision.as_str())),
    "evidence" => Some(items(&x.evidence)),
    "role" => Some(s(&x.role)),
});

fields!(Waiver, |x| {
    "by" => Some(s(&x.by)),
    "expires" => Some(Val::Timestamp(x.expires)),
    "reason" => Some(s(&x.reason)),
    "role" => Some(s(&x.role)),
    "rule" => Some(s(&x.rule)),
});

fields!(Migration, |x| {
    "checks" => Some(view(&x.checks)),
    "downTestedAt" => x.down_tested_at.map(Val::Timestamp),
    "downTestedIn" => x.down_tested_in.as_deref().map(s),
    "id" => Some(s(&x.id)),
    "reversible" => Some(Val::Bool(x.reversible)),
});

fields!(MigrationChecks, |x| {
    "post" => Some(items(&x.post)),
    "pre" => Some(items(&x.pre)),
});

fields!(DataCheck, |x| {
    "name" => Some(s(&x.name)),
    "status" => Some(s(x.status.as_str())),
});

fields!(Readiness, |x| {
    "communication" => view_opt(x.communication.as_ref()),
    "onCall" => Some(items(&x.on_call)),
    "rollback" => view_opt(x.rollback.as_ref()),
});

fields!(RollbackReadiness, |x| {
    "duration" => Some(duration(&x.duration)),
    "owner" => Some(s(&x.owner)),
    "runbook" => x.runbook.as_deref().map(s),
    "testedAt" => Some(Val::Timestamp(x.tested_at)),
    "testedIn" => Some(s(&x.tested_in)),
});

fields!(Communication, |x| {
    "external" => Some(s(x.external.as_str())),
    "internal" => Some(s(x.internal.as_str())),
});

fields!(History, |x| {
    "incidents" => Some(items(&x.incidents)),
    "openPostmortems" => Some(Val::Int(i64::from(x.open_postmortems))),
    "releases" => Some(items(&x.releases)),
});

fields!(Incident, |x| {
    "at" => Some(Val::Timestamp(x.at)),
    "causedBy" => x.caused_by.as_deref().map(s),
    "id" => Some(s(&x.id)),
    "resolvedAt" => x.resolved_at.map(Val::Timestamp),
    "severity" => Some(Val::Int(i64::from(x.severity))),
});

fields!(PastRelease, |x| {
    "at" => Some(Val::Timestamp(x.at)),
    "id" => Some(s(&x.id)),
    "outcome" => Some(s(x.outcome.as_str())),
    "postmortem" => x.postmortem.map(|p| s(p.as_str())),
    "version" => Some(version(&x.version)),
});

/// The service section as a release policy reads it: with the error
/// budget derived from the SLOs' error ratios as `errorBudgetRemaining`
/// when the facts give the ratios instead of the figure.
pub(crate) struct ServiceView<'a> {
    /// The section.
    pub(crate) service: &'a Service,
    /// The derived budget, when the facts do not give one.
    pub(crate) derived_budget: Option<f64>,
}

fields!(ServiceView<'_>, |x| {
    "errorBudgetRemaining" => x.service.error_budget_remaining.or(x.derived_budget).map(double),
    "owner" => Some(s(&x.service.owner)),
    "rollbackBudget" => x.service.rollback_budget.as_ref().map(duration),
    "slos" => Some(items(&x.service.slos)),
    "tier" => Some(Val::Int(i64::from(x.service.tier))),
});

fields!(Slo, |x| {
    "errorRatio" => x.error_ratio.map(double),
    "indicator" => Some(s(&x.indicator)),
    "name" => Some(s(&x.name)),
    "objective" => Some(double(x.objective)),
    "unit" => x.unit.as_deref().map(s),
    "window" => x.window.as_ref().map(duration),
});

fields!(Rollout, |x| {
    "capacity" => view_opt(x.capacity.as_ref()),
    "currentStep" => x.current_step.map(|n| Val::Int(i64::from(n))),
    "environment" => x.environment.as_deref().map(s),
    "flags" => Some(items(&x.flags)),
    "id" => Some(s(&x.id)),
    "release" => x.release.as_deref().map(s),
    "service" => Some(s(&x.service)),
    "startedAt" => x.started_at.map(Val::Timestamp),
    "stepStartedAt" => x.step_started_at.map(Val::Timestamp),
    "steps" => Some(items(&x.steps)),
    "version" => x.version.as_ref().map(version),
    "weight" => x.weight.map(double),
});

fields!(Step, |x| {
    "pause" => x.pause.as_ref().map(duration),
    "setWeight" => x.set_weight.map(double),
});

fields!(Capacity, |x| {
    "allocatable" => Some(double(x.allocatable)),
    "perReplica" => Some(double(x.per_replica)),
    "replicas" => Some(view(&x.replicas)),
    "reserved" => Some(double(x.reserved)),
});

fields!(Replicas, |x| {
    "canary" => Some(Val::Int(i64::from(x.canary))),
    "stable" => Some(Val::Int(i64::from(x.stable))),
});

fields!(Flag, |x| {
    "exposure" => Some(double(x.exposure)),
    "name" => Some(s(&x.name)),
    "new" => Some(Val::Bool(x.new)),
    "releaseGated" => Some(Val::Bool(x.release_gated)),
});

/// The root `name` of the facts; `null` for a section the facts leave out
/// or a root they do not have (a catalog's, bound by [`bind`]).
fn root<'a>(facts: &'a Facts, service: Option<&'a ServiceView<'a>>, name: &str) -> Val<'a> {
    let opt = |v: Option<Val<'a>>| v.unwrap_or(Val::Null);
    match name {
        "now" => Val::Timestamp(facts.now),
        "release" => view(&facts.release),
        "ci" => opt(view_opt(facts.ci.as_ref())),
        "security" => opt(view_opt(facts.security.as_ref())),
        "approvals" => items(&facts.approvals),
        "waivers" => items(&facts.waivers),
        "migrations" => items(&facts.migrations),
        "readiness" => opt(view_opt(facts.readiness.as_ref())),
        "history" => opt(view_opt(facts.history.as_ref())),
        "service" => opt(service.map(|x| Val::Map(Map::View(x)))),
        "rollout" => opt(view_opt(facts.rollout.as_ref())),
        "changeRequest" => opt(view_opt(facts.change_request.as_ref())),
        "labels" => Val::Map(Map::Strings(&facts.labels)),
        "extensions" => Val::Map(Map::Json(&facts.extensions)),
        _ => Val::Null,
    }
}

/// The roots of the facts shape in slot order: the sections of `facts`
/// (with `service` read through `service`, which must be a view of
/// `facts.service`), and the roots of `catalog` (a JSON object of a
/// catalog's `graph` and `calendar`) when there is one.
pub(crate) fn bind<'a>(
    facts: &'a Facts,
    service: Option<&'a ServiceView<'a>>,
    catalog: Option<&'a Json>,
) -> Vec<Val<'a>> {
    let Shape::Object(fields) = &*FACTS else {
        return Vec::new();
    };
    fields
        .iter()
        .map(|(name, shape)| match catalog.and_then(|c| c.get(name)) {
            Some(j) => Val::fact(j, shape),
            None => root(facts, service, name),
        })
        .collect()
}

#[cfg(test)]
#[path = "facts_tests.rs"]
mod tests;
