//! A release record bound as the roots of a review policy's expressions —
//! the only binding evaluation uses, for a period and for one release —
//! directly from the typed record: strings borrowed, timestamps and
//! durations as values, maps built sorted — no JSON written and parsed
//! back per record. It gives exactly the values the JSON view of
//! [`ReleaseRecord::roots_json`](crate::model::ReleaseRecord) gives
//! (absent optional fields absent, unsigned numbers as `int` where they
//! fit, durations to the millisecond); `agree` checks that, and the
//! tests run it over the hand-made history and generated records.

use std::rc::Rc;

use chrono::TimeDelta;

use crate::expr::Val;
use crate::expr::value::{Key, List, Map, Str};
use crate::model::shape::{RECORD, Shape};
use crate::model::{RecordIncident, ReleaseRecord, Span};

/// A map of string keys, given in sorted order (`agree` checks the order
/// against the JSON view's sorted maps).
fn map<'a>(entries: Vec<(&'static str, Val<'a>)>) -> Val<'a> {
    let entries: Vec<(Key<'a>, Val<'a>)> = entries
        .into_iter()
        .map(|(k, v)| (Key::Str(Str::B(k)), v))
        .collect();
    Val::Map(Map::Vals(Rc::from(entries)))
}

/// A map of a fixed set of string keys, given in sorted order: one
/// allocation.
fn fixed<'a, const N: usize>(entries: [(&'static str, Val<'a>); N]) -> Val<'a> {
    let entries: Rc<[(Key<'a>, Val<'a>)]> = Rc::new(entries.map(|(k, v)| (Key::Str(Str::B(k)), v)));
    Val::Map(Map::Vals(entries))
}

fn list<'a>(items: Vec<Val<'a>>) -> Val<'a> {
    Val::List(List::Vals(Rc::from(items)))
}

fn s(text: &str) -> Val<'_> {
    Val::Str(Str::B(text))
}

/// A duration as the JSON view reads it: whole milliseconds.
fn ms(d: TimeDelta) -> Val<'static> {
    Val::Duration(TimeDelta::milliseconds(d.num_milliseconds()))
}

/// An unsigned number as JSON holds it: `int` where it fits.
fn unsigned(u: u64) -> Val<'static> {
    i64::try_from(u).map_or(Val::Uint(u), Val::Int)
}

fn span(x: &Span) -> Val<'_> {
    fixed([
        ("duration", ms(x.finished_at - x.started_at)),
        ("finishedAt", Val::Timestamp(x.finished_at)),
        ("startedAt", Val::Timestamp(x.started_at)),
    ])
}

fn incident(i: &RecordIncident) -> Val<'_> {
    let mut e = Vec::with_capacity(7);
    if let Some(t) = i.detected_at {
        e.push(("detectedAt", Val::Timestamp(t)));
    }
    e.push(("id", s(&i.id)));
    if let Some(m) = i.impact_minutes {
        e.push(("impactMinutes", unsigned(m)));
    }
    if let Some(t) = i.restored_at {
        e.push(("restoredAt", Val::Timestamp(t)));
    }
    e.push(("severity", s(i.severity.as_str())));
    e.push(("startedAt", Val::Timestamp(i.started_at)));
    if let Some(u) = i.users_affected {
        e.push(("usersAffected", unsigned(u)));
    }
    map(e)
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

/// The decimal digits of `n` appended to `out`.
fn push_decimal(out: &mut String, n: u64) {
    let mut div = 1u64;
    while n / div >= 10 {
        div *= 10;
    }
    while div > 0 {
        let digit = u32::try_from((n / div) % 10).unwrap_or_default();
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
        div /= 10;
    }
}

/// A version written as semver writes it — `major.minor.patch`, then
/// `-pre` and `+build` when present — without the formatting machinery
/// (padding, width), which cost more than the rest of a record's roots.
fn version(v: &crate::model::Version) -> Val<'static> {
    let v = v.as_semver();
    let mut out = String::with_capacity(26 + v.pre.len() + v.build.len());
    push_decimal(&mut out, v.major);
    out.push('.');
    push_decimal(&mut out, v.minor);
    out.push('.');
    push_decimal(&mut out, v.patch);
    if !v.pre.is_empty() {
        out.push('-');
        out.push_str(v.pre.as_str());
    }
    if !v.build.is_empty() {
        out.push('+');
        out.push_str(v.build.as_str());
    }
    Val::string(out)
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
        Root::Release => fixed([
            ("environment", s(&r.release.environment)),
            ("id", s(&r.release.id)),
            ("kind", s(r.release.kind.as_str())),
            ("service", s(&r.release.service)),
            ("team", s(&r.release.team)),
            ("version", version(&r.release.version)),
        ]),
        Root::Commits => r.commits.as_ref().map_or(Val::Null, |c| {
            fixed([
                ("count", Val::Int(i64::from(c.count))),
                ("firstAt", Val::Timestamp(c.first_at)),
            ])
        }),
        Root::Deployment => fixed([
            ("duration", ms(r.deployment_duration())),
            ("finishedAt", Val::Timestamp(r.deployment.finished_at)),
            ("startedAt", Val::Timestamp(r.deployment.started_at)),
        ]),
        Root::Outcome => s(r.outcome.as_str()),
        Root::Rollback => r.rollback.as_ref().map_or(Val::Null, span),
        Root::Incidents => list(r.incidents.iter().map(incident).collect()),
        Root::Postmortem => r.postmortem.as_ref().map_or(Val::Null, |p| {
            let mut e = Vec::with_capacity(4);
            if let Some(t) = p.due {
                e.push(("due", Val::Timestamp(t)));
            }
            if let Some(l) = &p.link {
                e.push(("link", s(l)));
            }
            e.push(("required", Val::Bool(p.required)));
            if let Some(st) = p.status {
                e.push(("status", s(st.as_str())));
            }
            map(e)
        }),
        Root::Feedback => list(
            r.feedback
                .iter()
                .map(|f| {
                    fixed([
                        ("at", Val::Timestamp(f.at)),
                        ("missedByTesting", Val::Bool(f.missed_by_testing)),
                        ("severity", s(f.severity.as_str())),
                        ("source", s(f.source.as_str())),
                        ("ticket", s(&f.ticket)),
                    ])
                })
                .collect(),
        ),
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
    let Shape::Object(fields) = &*RECORD else {
        return Vec::new();
    };
    let mut roots = Vec::with_capacity(fields.len());
    roots.extend(
        wanted
            .iter()
            .take(fields.len())
            .map(|w| w.map_or(Val::Null, |which| root(r, which))),
    );
    roots.resize(fields.len(), Val::Null);
    roots
}

/// Whether two values are the same to an expression: the same CEL type,
/// all the way down, and the same JSON.
fn same(a: &Val<'_>, b: &Val<'_>) -> bool {
    if a.type_name() != b.type_name() || a.to_json() != b.to_json() {
        return false;
    }
    match (a, b) {
        (Val::List(x), Val::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(&p, &q))
        }
        (Val::Map(x), Val::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((kp, p), (kq, q))| kp == kq && same(&p, &q))
        }
        // JSON writes durations to the millisecond: compare the values.
        (Val::Duration(x), Val::Duration(y)) => x == y,
        (Val::Timestamp(x), Val::Timestamp(y)) => x == y,
        (Val::Double(x), Val::Double(y)) => x.to_bits() == y.to_bits(),
        _ => true,
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
