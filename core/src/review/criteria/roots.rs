//! A release record bound as the roots of a review policy's expressions —
//! the only binding evaluation uses, for a period and for one release —
//! directly from the typed record: its parts are maps and lists read in
//! place (`Fields`, `Items`: a field is worked out when an expression reads
//! it, strings borrowed, timestamps and durations as values, keys in sorted
//! order), so binding a record builds nothing — no JSON written and parsed
//! back, no map allocated and freed per record. It gives exactly the values the JSON view of
//! [`ReleaseRecord::roots_json`](crate::model::ReleaseRecord) gives
//! (absent optional fields absent, unsigned numbers as `int` where they
//! fit, durations to the millisecond); `agree` checks that, and the
//! tests run it over the hand-made history and generated records.

use std::rc::Rc;

use crate::expr::Val;
use crate::expr::value::{Fields, Key, List, Map, Str};
use crate::expr::view::{ms, s, same, unsigned, version};
use crate::model::shape::{RECORD, Shape};
use crate::model::{
    Commits, Deployment, Feedback, Postmortem, RecordIncident, RecordRelease, ReleaseRecord, Span,
    Timestamp,
};

/// A map of string keys, given in sorted order (`agree` checks the order
/// against the JSON view's sorted maps).
fn map<'a>(entries: Vec<(&'static str, Val<'a>)>) -> Val<'a> {
    let entries: Vec<(Key<'a>, Val<'a>)> = entries
        .into_iter()
        .map(|(k, v)| (Key::Str(Str::B(k)), v))
        .collect();
    Val::Map(Map::Vals(Rc::from(entries)))
}

fn list<'a>(items: Vec<Val<'a>>) -> Val<'a> {
    Val::List(List::Vals(Rc::from(items)))
}

impl Fields for RecordRelease {
    fn keys(&self) -> &'static [&'static str] {
        &["environment", "id", "kind", "service", "team", "version"]
    }
    fn field(&self, name: &str) -> Option<Val<'_>> {
        Some(match name {
            "environment" => s(&self.environment),
            "id" => s(&self.id),
            "kind" => s(self.kind.as_str()),
            "service" => s(&self.service),
            "team" => s(&self.team),
            "version" => version(&self.version),
            _ => return None,
        })
    }
}

impl Fields for Commits {
    fn keys(&self) -> &'static [&'static str] {
        &["count", "firstAt"]
    }
    fn field(&self, name: &str) -> Option<Val<'_>> {
        Some(match name {
            "count" => Val::Int(i64::from(self.count)),
            "firstAt" => Val::Timestamp(self.first_at),
            _ => return None,
        })
    }
}

/// The fields of a span of time (a deployment, a rollback).
fn span_field(name: &str, started_at: Timestamp, finished_at: Timestamp) -> Option<Val<'static>> {
    Some(match name {
        "duration" => ms(finished_at - started_at),
        "finishedAt" => Val::Timestamp(finished_at),
        "startedAt" => Val::Timestamp(started_at),
        _ => return None,
    })
}

const SPAN: &[&str] = &["duration", "finishedAt", "startedAt"];

impl Fields for Deployment {
    fn keys(&self) -> &'static [&'static str] {
        SPAN
    }
    fn field(&self, name: &str) -> Option<Val<'_>> {
        span_field(name, self.started_at, self.finished_at)
    }
}

impl Fields for Span {
    fn keys(&self) -> &'static [&'static str] {
        SPAN
    }
    fn field(&self, name: &str) -> Option<Val<'_>> {
        span_field(name, self.started_at, self.finished_at)
    }
}

impl Fields for RecordIncident {
    fn keys(&self) -> &'static [&'static str] {
        &[
            "detectedAt",
            "id",
            "impactMinutes",
            "restoredAt",
            "severity",
            "startedAt",
            "usersAffected",
        ]
    }
    fn field(&self, name: &str) -> Option<Val<'_>> {
        match name {
            "detectedAt" => self.detected_at.map(Val::Timestamp),
            "id" => Some(s(&self.id)),
            "impactMinutes" => self.impact_minutes.map(unsigned),
            "restoredAt" => self.restored_at.map(Val::Timestamp),
            "severity" => Some(s(self.severity.as_str())),
            "startedAt" => Some(Val::Timestamp(self.started_at)),
            "usersAffected" => self.users_affected.map(unsigned),
            _ => None,
        }
    }
}

impl Fields for Postmortem {
    fn keys(&self) -> &'static [&'static str] {
        &["due", "link", "required", "status"]
    }
    fn field(&self, name: &str) -> Option<Val<'_>> {
        match name {
            "due" => self.due.map(Val::Timestamp),
            "link" => self.link.as_deref().map(s),
            "required" => Some(Val::Bool(self.required)),
            "status" => self.status.map(|st| s(st.as_str())),
            _ => None,
        }
    }
}

impl Fields for Feedback {
    fn keys(&self) -> &'static [&'static str] {
        &["at", "missedByTesting", "severity", "source", "ticket"]
    }
    fn field(&self, name: &str) -> Option<Val<'_>> {
        Some(match name {
            "at" => Val::Timestamp(self.at),
            "missedByTesting" => Val::Bool(self.missed_by_testing),
            "severity" => s(self.severity.as_str()),
            "source" => s(self.source.as_str()),
            "ticket" => s(&self.ticket),
            _ => return None,
        })
    }
}

/// A root of the record, by name: matched once for a review, not per
/// record and slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root {
    ApiVersion,
    Kind,
    Release,
    Commits,
    Deployment,
    Outcome,
    Rollback,
    Incidents,
    Postmortem,
    Feedback,
    Decisions,
    LeadTime,
    Failed,
    Recovery,
    UsersAffected,
    ImpactMinutes,
    /// A root of the shape the record has no value for (`null`).
    Other,
}

impl Root {
    fn of(name: &str) -> Root {
        match name {
            "apiVersion" => Root::ApiVersion,
            "kind" => Root::Kind,
            "release" => Root::Release,
            "commits" => Root::Commits,
            "deployment" => Root::Deployment,
            "outcome" => Root::Outcome,
            "rollback" => Root::Rollback,
            "incidents" => Root::Incidents,
            "postmortem" => Root::Postmortem,
            "feedback" => Root::Feedback,
            "decisions" => Root::Decisions,
            "leadTime" => Root::LeadTime,
            "failed" => Root::Failed,
            "recovery" => Root::Recovery,
            "usersAffected" => Root::UsersAffected,
            "impactMinutes" => Root::ImpactMinutes,
            _ => Root::Other,
        }
    }
}

/// The root `which` of `r`.
fn root(r: &ReleaseRecord, which: Root) -> Val<'_> {
    let sum = |f: fn(&RecordIncident) -> Option<u64>| {
        r.incidents
            .iter()
            .filter_map(f)
            .fold(0u64, u64::saturating_add)
    };
    match which {
        Root::ApiVersion => s(&r.api_version),
        Root::Kind => s(&r.kind),
        Root::Release => Val::Map(Map::View(&r.release)),
        Root::Commits => r
            .commits
            .as_ref()
            .map_or(Val::Null, |c| Val::Map(Map::View(c))),
        Root::Deployment => Val::Map(Map::View(&r.deployment)),
        Root::Outcome => s(r.outcome.as_str()),
        Root::Rollback => r
            .rollback
            .as_ref()
            .map_or(Val::Null, |x| Val::Map(Map::View(x))),
        Root::Incidents => Val::List(List::View(&r.incidents)),
        Root::Postmortem => r
            .postmortem
            .as_ref()
            .map_or(Val::Null, |p| Val::Map(Map::View(p))),
        Root::Feedback => Val::List(List::View(&r.feedback)),
        Root::Decisions => r.decisions.as_ref().map_or(Val::Null, |d| {
            let mut e = vec![("assess", list(d.assess.iter().map(|a| s(a)).collect()))];
            if let Some(c) = &d.check {
                e.push(("check", s(c)));
            }
            map(e)
        }),
        Root::LeadTime => r.lead_time().map_or(Val::Null, ms),
        Root::Failed => Val::Bool(r.failed()),
        Root::Recovery => r.recovery().map_or(Val::Null, ms),
        Root::UsersAffected => unsigned(sum(|i| i.users_affected)),
        Root::ImpactMinutes => unsigned(sum(|i| i.impact_minutes)),
        Root::Other => Val::Null,
    }
}

/// The roots in the slot order of the record's shape: those `wanted`
/// names, and `None` for the others.
pub(crate) fn slots(wanted: &dyn Fn(&str) -> bool) -> Vec<Option<Root>> {
    match &*RECORD {
        Shape::Object(fields) => fields
            .keys()
            .map(|name| wanted(name).then(|| Root::of(name)))
            .collect(),
        _ => Vec::new(),
    }
}

/// The roots of `r` in the slot order of the record's shape; those not
/// in `wanted` (from [`slots`]) are `null` (no expression reads them).
pub(crate) fn bind<'a>(r: &'a ReleaseRecord, wanted: &[Option<Root>]) -> Vec<Val<'a>> {
    let mut roots = Binder::new(wanted.to_vec());
    roots.bind(r);
    roots.roots
}

/// Records bound one after the other into the same slots: those no
/// expression reads stay `null`, the others are overwritten — no roots
/// allocated and freed per record.
pub(crate) struct Binder<'a> {
    roots: Vec<Val<'a>>,
    /// The slots read, with their roots.
    wanted: Vec<(usize, Root)>,
}

impl<'a> Binder<'a> {
    /// Slots for the roots `wanted` names (from [`slots`]), all `null`.
    pub(crate) fn new(wanted: Vec<Option<Root>>) -> Binder<'a> {
        let n = match &*RECORD {
            Shape::Object(fields) => fields.len(),
            _ => 0,
        };
        Binder {
            roots: vec![Val::Null; n],
            wanted: wanted
                .into_iter()
                .take(n)
                .enumerate()
                .filter_map(|(slot, which)| Some((slot, which?)))
                .collect(),
        }
    }

    /// The roots of `r`.
    pub(crate) fn bind(&mut self, r: &'a ReleaseRecord) -> &[Val<'a>] {
        for &(slot, which) in &self.wanted {
            if let Some(v) = self.roots.get_mut(slot) {
                *v = root(r, which);
            }
        }
        &self.roots
    }
}

/// Whether the roots built here and those of the JSON view agree for `r`:
/// `Err` names the first root that does not.
pub(crate) fn agree(r: &ReleaseRecord) -> Result<(), String> {
    let json = r.roots_json(&|_| true);
    let through_json = crate::expr::bind::bind_checked(&RECORD, &json);
    let direct = bind(r, &slots(&|_| true));
    let Shape::Object(fields) = &*RECORD else {
        return Err("the record's shape is not an object".into());
    };
    for ((name, a), b) in fields.keys().zip(&through_json).zip(&direct) {
        if !same(a, b) {
            return Err(format!(
                "root `{name}`: JSON view {} ({}), direct {} ({})",
                a.to_json(),
                a.type_name(),
                b.to_json(),
                b.type_name()
            ));
        }
    }
    Ok(())
}
