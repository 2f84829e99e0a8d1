//! The schedule: each requested window checked against the calendars that
//! govern the release (inside a release window, outside any freeze its
//! exemption does not lift) and against the other releases (one at a time
//! in an exclusive environment, interdependent services apart, consumers
//! after their providers, waves in order); then a proposed conflict-free
//! schedule: the earliest slot of each release, in wave order, inside its
//! windows, outside freezes and busy slots. Deterministic: releases are
//! placed in the order (wave, requested start, id).

use std::collections::BTreeMap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::NodeFiltered;
use serde_json::json;

use super::calendar::{Interval, earliest_fit};
use super::catalog::{CatalogData, Release, ScopedCalendar};
use super::graph::Bits;
use super::result::{Conflict, ConflictKind, Window};
use crate::expr::bind::bind_roots;
use crate::expr::{Budget, Frame, Val};
use crate::limits::Limits;
use crate::model::rfc3339;
use crate::model::shape::Shape;

/// One release as the schedule sees it.
pub(crate) struct Slot<'a> {
    pub id: String,
    pub release: &'a Release,
    pub service: usize,
    pub wave: usize,
    pub requested: Interval,
    /// The slots this one must follow: its released providers in its
    /// environment, direct (hard or soft, not in a later wave) with
    /// `true`, or reached over hard dependencies with `false`; never one
    /// of its own cycle or lockstep group.
    pub waits_for: Vec<(usize, bool)>,
    /// The slots of services it depends on or that depend on it, directly,
    /// in its environment.
    pub neighbours: Bits,
}

/// What the calendars say of one release.
#[derive(Default)]
pub(crate) struct CalendarView {
    /// The governing calendars (indices into the catalog's).
    pub calendars: Vec<usize>,
    /// Freezes the release's exemption lifts, as `calendar/freeze`.
    pub exempted: Vec<String>,
    /// Freezes it cannot enter, as UTC intervals with their names.
    pub frozen: Vec<(String, Interval)>,
    /// Why an exemption could not be evaluated, if one could not.
    pub exemption_errors: Vec<String>,
    /// The same, per freeze (`calendar/freeze` → the error).
    pub exemption_failures: BTreeMap<String, String>,
}

/// The release's facts as calendar exemptions read them: `release`.
fn release_json(r: &Release) -> serde_json::Value {
    json!({ "release": {
        "service": r.service,
        "version": r.version.to_string(),
        "kind": r.kind,
        "change": r.change.map_or("", |c| c.as_str()),
        "environment": r.environment,
        "team": r.team.clone().unwrap_or_default(),
        "start": rfc3339(r.start),
        "duration": format!("{}ms", r.duration.as_millis()),
        "provides": r.provides.iter().map(|(k, v)| (k.clone(), json!(v.to_string()))).collect::<serde_json::Map<_, _>>(),
    }})
}

/// Whether `calendar`'s freeze `index` lets `release` through. An
/// exemption that cannot be evaluated does not (fail closed): its error
/// is returned.
fn exempt(
    calendar: &ScopedCalendar,
    index: usize,
    facts: &serde_json::Value,
    shape: &Shape,
    limits: &Limits,
) -> Result<bool, String> {
    let Some(Some(expr)) = calendar.exemptions.get(index) else {
        return Ok(false);
    };
    let roots = bind_roots(shape, facts, limits).map_err(|e| e.to_string())?;
    let budget = Budget::new(limits);
    let frame = Frame {
        roots: &roots,
        vars: &[],
        budget: &budget,
    };
    match expr.eval(&frame)? {
        Val::Bool(b) => Ok(b),
        other => Err(format!("gives {}, not a bool", other.type_name())),
    }
}

/// The calendars of one release, its freezes and exemptions.
pub(crate) fn calendar_view(
    catalog: &CatalogData,
    release: &Release,
    shape: &Shape,
    limits: &Limits,
) -> CalendarView {
    let mut view = CalendarView::default();
    let facts = release_json(release);
    for (ci, c) in catalog.calendars.iter().enumerate() {
        if !c.governs(&release.service, &release.environment) {
            continue;
        }
        view.calendars.push(ci);
        for (fi, name, interval) in c.calendar.freezes() {
            let label = format!("{}/{name}", c.calendar.name());
            match exempt(c, fi, &facts, shape, limits) {
                Ok(true) => view.exempted.push(label),
                Ok(false) => view.frozen.push((label, interval)),
                Err(e) => {
                    view.exemption_failures.insert(label.clone(), e.clone());
                    view.exemption_errors.push(format!(
                        "the exemption of `{label}` could not be evaluated ({e}): the freeze holds"
                    ));
                    view.frozen.push((label, interval));
                }
            }
        }
    }
    view
}

/// `[start, start + duration)` of a release.
pub(crate) fn requested(r: &Release) -> Option<Interval> {
    Interval::new(r.start, r.start + r.duration.as_chrono())
}

/// The window of an interval, for the result.
pub(crate) fn window(i: Interval) -> Window {
    Window {
        start: i.start,
        end: i.end,
    }
}

fn conflict(kind: ConflictKind, releases: Vec<String>, message: String) -> Conflict {
    Conflict {
        kind,
        releases,
        blocking: kind.is_blocking(),
        message,
    }
}

/// The conflicts of the requested windows.
pub(crate) fn conflicts(
    catalog: &CatalogData,
    slots: &[Slot<'_>],
    views: &[CalendarView],
) -> Vec<Conflict> {
    let mut out = Vec::new();
    for (s, view) in slots.iter().zip(views) {
        for ci in &view.calendars {
            let Some(c) = catalog.calendars.get(*ci) else {
                continue;
            };
            if c.calendar.has_windows() && c.calendar.window_containing(s.requested).is_none() {
                out.push(conflict(
                    ConflictKind::OutsideWindow,
                    vec![s.id.clone()],
                    format!(
                        "`{}` asks for {} – {}, outside every release window of calendar `{}`",
                        s.id,
                        rfc3339(s.requested.start),
                        rfc3339(s.requested.end),
                        c.calendar.name()
                    ),
                ));
            }
        }
        for (name, interval) in &view.frozen {
            if interval.overlaps(&s.requested) {
                out.push(conflict(
                    ConflictKind::Freeze,
                    vec![s.id.clone()],
                    format!(
                        "`{}` asks for {}, inside freeze `{name}` ({} – {}), and no exemption lifts it",
                        s.id,
                        rfc3339(s.requested.start),
                        rfc3339(interval.start),
                        rfc3339(interval.end)
                    ),
                ));
            }
        }
    }
    for (i, a) in slots.iter().enumerate() {
        for (j, b) in slots.iter().enumerate().skip(i + 1) {
            let (ra, rb) = (a.release, b.release);
            if ra.environment != rb.environment || !a.requested.overlaps(&b.requested) {
                continue;
            }
            let pair = || vec![a.id.clone(), b.id.clone()];
            if catalog.exclusive.contains(&ra.environment) {
                out.push(conflict(
                    ConflictKind::ExclusiveEnvironment,
                    pair(),
                    format!(
                        "`{}` and `{}` overlap in `{}`, which holds one release at a time",
                        a.id, b.id, ra.environment
                    ),
                ));
            }
            if a.neighbours.has(j) {
                out.push(conflict(
                    ConflictKind::InterdependentOverlap,
                    pair(),
                    format!(
                        "`{}` and `{}` overlap in `{}`, and one depends on the other",
                        a.id, b.id, ra.environment
                    ),
                ));
            }
        }
    }
    for c in slots {
        for &(p, direct) in &c.waits_for {
            let Some(p) = slots.get(p) else { continue };
            if c.requested.start >= p.requested.end {
                continue;
            }
            let (kind, message) = if direct {
                (
                    ConflictKind::ConsumerBeforeProvider,
                    format!(
                        "`{}` starts at {}, before `{}` it depends on ends at {}",
                        c.id,
                        rfc3339(c.requested.start),
                        p.id,
                        rfc3339(p.requested.end)
                    ),
                )
            } else {
                (
                    ConflictKind::WaveOrder,
                    format!(
                        "`{}` (wave {}) starts at {}, before `{}` (wave {}) below it ends at {}",
                        c.id,
                        c.wave + 1,
                        rfc3339(c.requested.start),
                        p.id,
                        p.wave + 1,
                        rfc3339(p.requested.end)
                    ),
                )
            };
            out.push(conflict(kind, vec![c.id.clone(), p.id.clone()], message));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The proposed schedule: for each slot (same order), the earliest
/// conflict-free window within the horizon and why it moved.
pub(crate) fn propose(
    catalog: &CatalogData,
    slots: &[Slot<'_>],
    views: &[CalendarView],
    horizon: chrono::Duration,
) -> Vec<(Option<Interval>, Vec<String>)> {
    let order = placement_order(slots);
    let mut placed: Vec<Option<Interval>> = vec![None; slots.len()];
    let mut reasons: Vec<Vec<String>> = vec![Vec::new(); slots.len()];
    for &i in &order {
        let (Some(s), Some(view)) = (slots.get(i), views.get(i)) else {
            continue;
        };
        let env = &s.release.environment;
        let mut earliest = s.requested.start;
        let mut why = Vec::new();
        // After every release it depends on that is placed already.
        let waited = s
            .waits_for
            .iter()
            .filter_map(|(o, _)| Some((slots.get(*o)?, (*placed.get(*o)?)?)))
            .max_by_key(|(o, p)| (p.end, o.id.clone()));
        if let Some((o, p)) = waited {
            if p.end > earliest {
                earliest = p.end;
                why.push(format!(
                    "waits for `{}` (wave {}), which it depends on, to end at {}",
                    o.id,
                    o.wave + 1,
                    rfc3339(p.end)
                ));
            }
        }
        let mut blocked: Vec<Interval> = view.frozen.iter().map(|(_, f)| *f).collect();
        let exclusive = catalog.exclusive.contains(env);
        for (j, (o, p)) in slots.iter().zip(&placed).enumerate() {
            let Some(p) = p else { continue };
            if &o.release.environment == env && (exclusive || s.neighbours.has(j)) {
                blocked.push(*p);
            }
        }
        let calendars: Vec<&super::calendar::Calendar> = view
            .calendars
            .iter()
            .filter_map(|c| catalog.calendars.get(*c))
            .map(|c| &c.calendar)
            .collect();
        let found = earliest_fit(
            &calendars,
            &blocked,
            earliest,
            s.release.duration.as_chrono(),
            horizon,
        );
        let slot =
            found.and_then(|start| Interval::new(start, start + s.release.duration.as_chrono()));
        match slot {
            Some(p) if p != s.requested => {
                why.extend(moved_because(s, view, &calendars, &blocked));
            }
            Some(_) => {}
            None => why.push(format!(
                "no conflict-free window within {} of {}",
                human(horizon),
                rfc3339(earliest)
            )),
        }
        if let Some(p) = placed.get_mut(i) {
            *p = slot;
        }
        if let Some(r) = reasons.get_mut(i) {
            *r = why;
        }
    }
    placed.into_iter().zip(reasons).collect()
}

/// The order releases are placed in: by wave, and within a wave every
/// release after those it waits for (a soft dependency inside a wave),
/// else by requested start and id. Waits that form a loop are broken at
/// the earliest release.
fn placement_order(slots: &[Slot<'_>]) -> Vec<usize> {
    let key = |i: usize| {
        slots
            .get(i)
            .map(|s| (s.wave, s.requested.start, s.id.clone()))
    };
    let mut left: Vec<usize> = (0..slots.len()).collect();
    left.sort_by_key(|&i| key(i));
    let mut done = vec![false; slots.len()];
    let mut order = Vec::with_capacity(slots.len());
    // The waits as a graph (node `i` is slot `i`), built once: loops are
    // found in it, among the releases not yet placed.
    let mut waits: DiGraph<(), ()> = DiGraph::with_capacity(slots.len(), 0);
    for _ in slots {
        waits.add_node(());
    }
    for (i, s) in slots.iter().enumerate() {
        for (o, _) in &s.waits_for {
            if *o < slots.len() {
                waits.add_edge(NodeIndex::new(i), NodeIndex::new(*o), ());
            }
        }
    }
    let mut loops = Loops::default();
    while !left.is_empty() {
        let ready = left.iter().position(|&i| {
            slots.get(i).is_some_and(|s| {
                s.waits_for
                    .iter()
                    .all(|(o, _)| done.get(*o).copied().unwrap_or(true))
            })
        });
        // Nothing ready: a loop of waits. Take the first release (by wave,
        // start, id) whose unmet waits all lead back to it: one of the
        // loop, never one that merely waits for the loop.
        let at = ready
            .or_else(|| loops.in_own_loop(&waits, &done, &left))
            .unwrap_or(0);
        let i = left.remove(at);
        if let Some(d) = done.get_mut(i) {
            *d = true;
        }
        loops.placed(i);
        order.push(i);
    }
    order
}

/// The strongly connected components of the waits among the releases
/// not yet placed, kept across the loops broken: placing a release can
/// only split its own component, so only the components that lost a
/// release since are computed again (one Tarjan pass over them).
#[derive(Default)]
struct Loops {
    /// Per slot, its component, once computed.
    component: Vec<usize>,
    /// Per component, whether it lost a release since it was computed.
    stale: Vec<bool>,
}

impl Loops {
    /// Slot `i` was placed: its component is no longer known.
    fn placed(&mut self, i: usize) {
        if let Some(c) = self.component.get(i) {
            if let Some(s) = self.stale.get_mut(*c) {
                *s = true;
            }
        }
    }

    /// The position in `left` of the first release every unmet wait of
    /// which leads back to it: whose unmet waits all lie in its own
    /// component (it reaches each directly, so each reaching it back is
    /// the same as sharing its component).
    fn in_own_loop(
        &mut self,
        waits: &DiGraph<(), ()>,
        done: &[bool],
        left: &[usize],
    ) -> Option<usize> {
        let open = |n: NodeIndex| !done.get(n.index()).copied().unwrap_or(true);
        let first = self.component.is_empty();
        if first {
            self.component = vec![usize::MAX; done.len()];
        }
        let (component, stale) = (&self.component, &self.stale);
        let redo = |n: NodeIndex| {
            open(n)
                && (first
                    || component
                        .get(n.index())
                        .and_then(|c| stale.get(*c))
                        .copied()
                        .unwrap_or(true))
        };
        let view = NodeFiltered::from_fn(waits, redo);
        let found = tarjan_scc(&view);
        for members in found {
            let c = self.stale.len();
            self.stale.push(false);
            for n in members {
                if let Some(x) = self.component.get_mut(n.index()) {
                    *x = c;
                }
            }
        }
        let comp = |k: usize| self.component.get(k).copied().unwrap_or(usize::MAX);
        left.iter().position(|&i| {
            waits
                .neighbors(NodeIndex::new(i))
                .filter(|o| open(*o))
                .all(|o| comp(o.index()) == comp(i))
        })
    }
}

/// Why the requested window could not be kept.
fn moved_because(
    s: &Slot<'_>,
    view: &CalendarView,
    calendars: &[&super::calendar::Calendar],
    blocked: &[Interval],
) -> Vec<String> {
    let mut why = Vec::new();
    for c in calendars {
        if c.has_windows() && c.window_containing(s.requested).is_none() {
            why.push(format!(
                "the request is outside the release windows of `{}`",
                c.name()
            ));
        }
    }
    for (name, f) in &view.frozen {
        if f.overlaps(&s.requested) {
            why.push(format!("the request is inside freeze `{name}`"));
        }
    }
    if blocked
        .iter()
        .skip(view.frozen.len())
        .any(|b| b.overlaps(&s.requested))
    {
        why.push("the request overlaps a release placed before it".to_string());
    }

    why
}

/// A duration as days or hours, for messages.
fn human(d: chrono::Duration) -> String {
    let h = d.num_hours();
    if h % 24 == 0 {
        format!("{} days", h / 24)
    } else {
        format!("{h} hours")
    }
}
