//! The release facts written straight into the canonical encoding: each
//! struct's fields in the order of their encoded keys (listed here in that
//! order), so nothing is sorted or moved, and no value passes through
//! serde but the free-form maps (`labels`, `extensions`) and versions. The
//! bytes are exactly those the serde encoder writes for the same facts
//! (`encode`, the reference): fields that are `null`, `[]` or `{}` left
//! out, timestamps and durations binary. The tests hold the two side by
//! side over facts that fill every field of the facts shape.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value as Json;

use super::{
    DURATION, END, Encoder, FALSE, FLOAT, FactCounts, LIST, NULL, TIMESTAMP, TRUE, float_bytes,
};
use super::{is_empty_value, leb128, zigzag};
use crate::model::{
    Approval, ApprovalDecision, Capacity, Certificate, Change, ChangeRequest, ChangeRequestStatus,
    Ci, Communication, CommunicationStatus, DataCheck, Duration, Facts, Findings, Flag, History,
    Incident, Migration, MigrationChecks, PastRelease, PostmortemStatus, Readiness, Release,
    ReleaseKind, ReleaseOutcome, Replicas, RollbackReadiness, Rollout, Scan, Secret, Security,
    Service, Slo, Status, Step, Suite, Timestamp, Version, Waiver,
};

/// A value written in the canonical encoding directly.
pub(crate) trait Canon {
    /// Write the value.
    fn canon(&self, e: &mut Encoder);
}

/// The encoding of a field's name (shorter than 128 bytes): the string
/// tag, its length, its bytes — worked out at compile time (the only
/// place it is called is a `const`, so an index out of range fails the
/// build, never a decision).
#[allow(clippy::indexing_slicing)]
const fn key<const N: usize>(name: &str) -> [u8; N] {
    let bytes = name.as_bytes();
    // Evaluated at compile time: a longer name fails the build.
    assert!(bytes.len() < 0x80 && N == bytes.len() + 2);
    let mut out = [0u8; N];
    out[0] = super::STRING;
    out[1] = bytes.len() as u8;
    let mut i = 0;
    while i < bytes.len() {
        out[i + 2] = bytes[i];
        i += 1;
    }
    out
}

impl Encoder {
    /// One more value, as the JSON of the facts counts them.
    fn one(&mut self) {
        self.counts.values += 1;
    }

    /// A list of `len` items (itself one value).
    fn list_of(&mut self, len: usize) {
        self.counts.values += 1;
        self.counts.longest_list = self.counts.longest_list.max(len);
    }

    /// A struct field: its encoded key, then its value; left out when the
    /// value is `null`, `[]` or `{}`.
    fn field<T: Canon + ?Sized>(&mut self, encoded_key: &[u8], value: &T) {
        let key = self.out.len();
        self.out.extend_from_slice(encoded_key);
        let at = self.out.len();
        value.canon(self);
        if is_empty_value(self.out.get(at..).unwrap_or_default()) {
            self.out.truncate(key);
        }
    }
}

/// A struct's fields, in the order of their encoded keys (the key's
/// length, then its bytes): each name and the value it writes.
macro_rules! fields {
    ($ty:ty, |$x:ident| { $($name:literal => $value:expr,)* }) => {
        impl Canon for $ty {
            fn canon(&self, e: &mut Encoder) {
                let $x = self;
                e.one();
                e.out.push(super::MAP);
                $({
                    const KEY: [u8; $name.len() + 2] = key($name);
                    e.field(&KEY, $value);
                })*
                e.out.push(END);
            }
        }
    };
}

/// Enums written as their names.
macro_rules! names {
    ($($ty:ty),*) => {
        $(impl Canon for $ty {
            fn canon(&self, e: &mut Encoder) {
                e.one();
                e.string(self.as_str());
            }
        })*
    };
}

names!(
    ReleaseKind,
    ChangeRequestStatus,
    Status,
    ApprovalDecision,
    CommunicationStatus,
    ReleaseOutcome,
    PostmortemStatus
);

impl Canon for String {
    fn canon(&self, e: &mut Encoder) {
        e.one();
        e.string(self);
    }
}

impl Canon for bool {
    fn canon(&self, e: &mut Encoder) {
        e.one();
        e.out.push(if *self { TRUE } else { FALSE });
    }
}

impl Canon for u8 {
    fn canon(&self, e: &mut Encoder) {
        e.one();
        e.int(i64::from(*self));
    }
}

impl Canon for u32 {
    fn canon(&self, e: &mut Encoder) {
        e.one();
        e.int(i64::from(*self));
    }
}

impl Canon for u64 {
    fn canon(&self, e: &mut Encoder) {
        e.one();
        e.uint(*self);
    }
}

impl Canon for f64 {
    fn canon(&self, e: &mut Encoder) {
        e.one();
        e.out.push(FLOAT);
        e.out.extend_from_slice(&float_bytes(*self));
    }
}

impl Canon for Timestamp {
    /// As `serialize_timestamp` hands it over: the zigzagged seconds, then
    /// the nanoseconds.
    fn canon(&self, e: &mut Encoder) {
        let secs = self.timestamp();
        e.one();
        e.out.push(TIMESTAMP);
        zigzag(&mut e.out, secs);
        leb128(&mut e.out, u64::from(self.timestamp_subsec_nanos()));
    }
}

impl Canon for Duration {
    fn canon(&self, e: &mut Encoder) {
        e.one();
        e.out.push(DURATION);
        zigzag(&mut e.out, self.as_millis());
    }
}

/// Written by serde: a version's text, a free-form map's entries in the
/// order of their encoded keys.
fn by_serde<T: Serialize + ?Sized>(value: &T, e: &mut Encoder) {
    // These plain types cannot fail to encode.
    let _ = value.serialize(&mut *e);
}

impl Canon for Version {
    fn canon(&self, e: &mut Encoder) {
        e.one();
        by_serde(self, e);
    }
}

impl Canon for BTreeMap<String, String> {
    fn canon(&self, e: &mut Encoder) {
        e.counts.values += 1 + self.len();
        by_serde(self, e);
    }
}

impl Canon for BTreeMap<String, Json> {
    fn canon(&self, e: &mut Encoder) {
        e.one();
        for v in self.values() {
            let c = json_counts(v);
            e.counts.values += c.values;
            e.counts.longest_list = e.counts.longest_list.max(c.longest_list);
        }
        by_serde(self, e);
    }
}

/// The values of a piece of JSON and its longest list (see
/// [`FactCounts`]).
pub(crate) fn json_counts(v: &Json) -> FactCounts {
    let mut counts = FactCounts::default();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        counts.values += 1;
        match v {
            Json::Array(items) => {
                counts.longest_list = counts.longest_list.max(items.len());
                stack.extend(items);
            }
            Json::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    counts
}

/// `None` is a field the JSON leaves out: counted as nothing.
impl<T: Canon> Canon for Option<T> {
    fn canon(&self, e: &mut Encoder) {
        match self {
            Some(v) => v.canon(e),
            None => e.out.push(NULL),
        }
    }
}

impl<T: Canon> Canon for Vec<T> {
    fn canon(&self, e: &mut Encoder) {
        e.list_of(self.len());
        e.out.push(LIST);
        for item in self {
            item.canon(e);
        }
        e.out.push(END);
    }
}

fields!(Facts, |x| {
    "ci" => &x.ci,
    "now" => &x.now,
    "labels" => &x.labels,
    "history" => &x.history,
    "release" => &x.release,
    "rollout" => &x.rollout,
    "service" => &x.service,
    "waivers" => &x.waivers,
    "security" => &x.security,
    "approvals" => &x.approvals,
    "readiness" => &x.readiness,
    "extensions" => &x.extensions,
    "migrations" => &x.migrations,
    "changeRequest" => &x.change_request,
});

fields!(Release, |x| {
    "id" => &x.id,
    "kind" => &x.kind,
    "author" => &x.author,
    "labels" => &x.labels,
    "changes" => &x.changes,
    "service" => &x.service,
    "version" => &x.version,
    "environment" => &x.environment,
    "previousVersion" => &x.previous_version,
});

fields!(Change, |x| {
    "id" => &x.id,
    "kind" => &x.kind,
    "path" => &x.path,
    "fields" => &x.fields,
    "external" => &x.external,
    "description" => &x.description,
});

fields!(ChangeRequest, |x| {
    "id" => &x.id,
    "url" => &x.url,
    "status" => &x.status,
    "approvedAt" => &x.approved_at,
    "approvedBy" => &x.approved_by,
});

fields!(Ci, |x| {
    "url" => &x.url,
    "commit" => &x.commit,
    "suites" => &x.suites,
});

fields!(Suite, |x| {
    "name" => &x.name,
    "failed" => &x.failed,
    "passed" => &x.passed,
    "status" => &x.status,
    "skipped" => &x.skipped,
    "required" => &x.required,
    "completedAt" => &x.completed_at,
});

fields!(Security, |x| {
    "scans" => &x.scans,
    "secrets" => &x.secrets,
    "certificates" => &x.certificates,
});

fields!(Scan, |x| {
    "kind" => &x.kind,
    "tool" => &x.tool,
    "findings" => &x.findings,
    "completedAt" => &x.completed_at,
});

fields!(Findings, |x| {
    "low" => &x.low,
    "high" => &x.high,
    "medium" => &x.medium,
    "critical" => &x.critical,
});

fields!(Certificate, |x| {
    "name" => &x.name,
    "notAfter" => &x.not_after,
});

fields!(Secret, |x| {
    "name" => &x.name,
    "maxAge" => &x.max_age,
    "rotatedAt" => &x.rotated_at,
});

fields!(Approval, |x| {
    "at" => &x.at,
    "by" => &x.by,
    "role" => &x.role,
    "comment" => &x.comment,
    "decision" => &x.decision,
    "evidence" => &x.evidence,
});

fields!(Waiver, |x| {
    "by" => &x.by,
    "role" => &x.role,
    "rule" => &x.rule,
    "reason" => &x.reason,
    "expires" => &x.expires,
});

fields!(Migration, |x| {
    "id" => &x.id,
    "checks" => &x.checks,
    "reversible" => &x.reversible,
    "downTestedAt" => &x.down_tested_at,
    "downTestedIn" => &x.down_tested_in,
});

fields!(MigrationChecks, |x| {
    "pre" => &x.pre,
    "post" => &x.post,
});

fields!(DataCheck, |x| {
    "name" => &x.name,
    "status" => &x.status,
});

fields!(Readiness, |x| {
    "onCall" => &x.on_call,
    "rollback" => &x.rollback,
    "communication" => &x.communication,
});

fields!(RollbackReadiness, |x| {
    "owner" => &x.owner,
    "runbook" => &x.runbook,
    "duration" => &x.duration,
    "testedAt" => &x.tested_at,
    "testedIn" => &x.tested_in,
});

fields!(Communication, |x| {
    "external" => &x.external,
    "internal" => &x.internal,
});

fields!(History, |x| {
    "releases" => &x.releases,
    "incidents" => &x.incidents,
    "openPostmortems" => &x.open_postmortems,
});

fields!(Incident, |x| {
    "at" => &x.at,
    "id" => &x.id,
    "causedBy" => &x.caused_by,
    "severity" => &x.severity,
    "resolvedAt" => &x.resolved_at,
});

fields!(PastRelease, |x| {
    "at" => &x.at,
    "id" => &x.id,
    "outcome" => &x.outcome,
    "version" => &x.version,
    "postmortem" => &x.postmortem,
});

fields!(Service, |x| {
    "slos" => &x.slos,
    "tier" => &x.tier,
    "owner" => &x.owner,
    "rollbackBudget" => &x.rollback_budget,
    "errorBudgetRemaining" => &x.error_budget_remaining,
});

fields!(Slo, |x| {
    "name" => &x.name,
    "unit" => &x.unit,
    "window" => &x.window,
    "indicator" => &x.indicator,
    "objective" => &x.objective,
    "errorRatio" => &x.error_ratio,
});

fields!(Rollout, |x| {
    "id" => &x.id,
    "flags" => &x.flags,
    "steps" => &x.steps,
    "weight" => &x.weight,
    "release" => &x.release,
    "service" => &x.service,
    "version" => &x.version,
    "capacity" => &x.capacity,
    "startedAt" => &x.started_at,
    "currentStep" => &x.current_step,
    "environment" => &x.environment,
    "stepStartedAt" => &x.step_started_at,
});

fields!(Step, |x| {
    "pause" => &x.pause,
    "setWeight" => &x.set_weight,
});

fields!(Capacity, |x| {
    "replicas" => &x.replicas,
    "reserved" => &x.reserved,
    "perReplica" => &x.per_replica,
    "allocatable" => &x.allocatable,
});

fields!(Replicas, |x| {
    "canary" => &x.canary,
    "stable" => &x.stable,
});

fields!(Flag, |x| {
    "new" => &x.new,
    "name" => &x.name,
    "exposure" => &x.exposure,
    "releaseGated" => &x.release_gated,
});

#[cfg(test)]
#[path = "facts_tests.rs"]
mod tests;
