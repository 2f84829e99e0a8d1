//! Planning: the releases checked against the catalog, then contracts,
//! cycles and waves per environment, blast radius, the schedule and its
//! proposal, and the verdict (blocked outranks needs a decision).

use std::collections::{BTreeMap, BTreeSet};

use super::catalog::{Catalog, CatalogData, ReleasePlan};
use super::contracts;
use super::graph::{Bits, Dependents, EnvGraph, Walker};
use super::result::{BlastRadius, Cycle, Plan, PlanVerdict, PlannedRelease, Reach, Wave};
use super::schedule::{self, Slot};
use crate::error::{CatalogError, Error, ErrorCode};
use crate::expr::suggest::did_you_mean;
use crate::limits::Limits;

mod deploy;
mod order;

pub(crate) use deploy::{can_i_deploy, can_i_deploy_reach};
use order::{cap_waves, depends_on, waits_for};

/// Most dependents a [`Reach`] names.
const MAX_NAMED: usize = 50;

/// Plan `intended` against `catalog`.
pub(crate) fn plan(
    catalog: &Catalog,
    intended: &ReleasePlan,
    limits: &Limits,
) -> Result<Plan, Error> {
    let data = &*catalog.inner;
    let indices = resolve(data, intended)?;
    let released_ids: Vec<String> = intended
        .releases
        .iter()
        .map(|r| format!("{}@{}", r.service, r.environment))
        .collect();
    // Lockstep groups as service indices.
    let groups: Vec<Vec<usize>> = intended
        .lockstep
        .iter()
        .map(|g| {
            g.services
                .iter()
                .filter_map(|(s, _)| data.by_name.get(s).copied())
                .collect()
        })
        .collect();
    let group_of: BTreeMap<usize, usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, members)| members.iter().map(move |s| (*s, g)))
        .collect();
    // Cycles and waves, per environment.
    let mut wave_of: Vec<usize> = vec![0; intended.releases.len()];
    let n = intended.releases.len();
    let mut below: Vec<Bits> = vec![Bits::new(n); n];
    let mut cycles = Vec::new();
    let envs: BTreeSet<&str> = intended
        .releases
        .iter()
        .map(|r| r.environment.as_str())
        .collect();
    for env in envs {
        let released: BTreeSet<usize> = intended
            .releases
            .iter()
            .zip(&indices)
            .filter(|(r, _)| r.environment == env)
            .map(|(_, i)| *i)
            .collect();
        let graph = EnvGraph::new(data, env, &groups);
        for (members, path) in graph.cycles(&released) {
            let one_group = {
                let gs: BTreeSet<Option<&usize>> =
                    members.iter().map(|s| group_of.get(s)).collect();
                gs.len() == 1 && gs.iter().all(Option::is_some)
            };
            if one_group {
                continue;
            }
            let names: Vec<String> = path.iter().map(|s| data.name_of(*s).to_string()).collect();
            let released_names: Vec<String> = members
                .iter()
                .map(|s| data.name_of(*s).to_string())
                .collect();
            cycles.push(Cycle {
                environment: env.to_string(),
                message: format!(
                    "hard dependencies form a cycle in `{env}`: {}; declare the services a lockstep group to release them together",
                    names.join(" → ")
                ),
                path: names,
                released: released_names,
            });
        }
        let slot_of: BTreeMap<usize, usize> = intended
            .releases
            .iter()
            .zip(&indices)
            .enumerate()
            .filter(|(_, (r, _))| r.environment == env)
            .map(|(slot, (_, i))| (*i, slot))
            .collect();
        let mut layers = graph.layers(&slot_of, n);
        for (((r, i), w), b) in intended
            .releases
            .iter()
            .zip(&indices)
            .zip(wave_of.iter_mut())
            .zip(below.iter_mut())
        {
            if r.environment == env {
                if let Some((level, set)) = layers.remove(i) {
                    *w = level;
                    *b = set;
                }
            }
        }
    }
    let wave_of = cap_waves(
        &wave_of,
        &released_ids,
        intended.max_per_wave,
        &indices,
        &group_of,
    );
    // Contracts.
    let mut violations = Vec::new();
    for ((r, i), id) in intended.releases.iter().zip(&indices).zip(&released_ids) {
        if let Some(s) = data.services.get(*i) {
            violations.extend(contracts::violations(data, r, *i, s, id));
        }
    }
    violations.sort();
    violations.dedup();
    // The schedule.
    let shape = super::compile::release_shape();
    let mut slots = Vec::new();
    let mut views = Vec::new();
    for (((r, i), id), w) in intended
        .releases
        .iter()
        .zip(&indices)
        .zip(&released_ids)
        .zip(&wave_of)
    {
        let Some(requested) = schedule::requested(r) else {
            return Err(Error::Catalog(vec![CatalogError::new(
                ErrorCode::CatalogInvalidField,
                r.at.clone(),
                "a release window must not be empty",
            )]));
        };
        slots.push(Slot {
            id: id.clone(),
            release: r,
            service: *i,
            wave: *w,
            requested,
            waits_for: Vec::new(),
            neighbours: Bits::new(0),
        });
        views.push(schedule::calendar_view(data, r, &shape, limits));
    }
    let slot_of: BTreeMap<(usize, &str), usize> = slots
        .iter()
        .enumerate()
        .map(|(i, s)| ((s.service, s.release.environment.as_str()), i))
        .collect();
    let waits: Vec<Vec<(usize, bool)>> = slots
        .iter()
        .enumerate()
        .map(|(i, s)| waits_for(data, i, s, &slots, &slot_of, &below))
        .collect();
    let mut neighbours = vec![Bits::new(n); n];
    for (i, s) in slots.iter().enumerate() {
        let env = s.release.environment.as_str();
        for e in data.providers(s.service) {
            if let Some(&j) = slot_of.get(&(e.provider, env)) {
                if let Some(x) = neighbours.get_mut(i) {
                    x.set(j);
                }
                if let Some(x) = neighbours.get_mut(j) {
                    x.set(i);
                }
            }
        }
    }
    for ((s, w), nb) in slots.iter_mut().zip(waits).zip(neighbours) {
        s.waits_for = w;
        s.neighbours = nb;
    }
    let conflicts = schedule::conflicts(data, &slots, &views);
    let proposals = schedule::propose(data, &slots, &views, intended.horizon.as_chrono());
    let mut conflicts = conflicts;
    let mut releases = Vec::new();
    let mut walker = Walker::new(data.services.len());
    let mut runs: BTreeMap<&str, Vec<bool>> = BTreeMap::new();
    for ((s, view), (proposed, mut reasons)) in slots.iter().zip(&views).zip(proposals) {
        let r = s.release;
        reasons.extend(view.exemption_errors.iter().cloned());
        if proposed.is_none() {
            conflicts.push(super::result::Conflict {
                kind: super::result::ConflictKind::NoSlot,
                releases: vec![s.id.clone()],
                blocking: true,
                message: format!(
                    "`{}` finds no conflict-free window within the horizon",
                    s.id
                ),
            });
        }
        releases.push(PlannedRelease {
            id: s.id.clone(),
            service: r.service.clone(),
            version: r.version.to_string(),
            kind: r.kind.clone(),
            change: r.change,
            environment: r.environment.clone(),
            tier: data.services.get(s.service).map_or(0, |x| x.tier),
            owner: data
                .services
                .get(s.service)
                .map_or_else(String::new, |x| x.owner.clone()),
            wave: s.wave + 1,
            requested: schedule::window(s.requested),
            proposed: proposed.map(schedule::window),
            moved: proposed != Some(s.requested),
            reasons,
            calendars: view
                .calendars
                .iter()
                .filter_map(|c| data.calendars.get(*c))
                .map(|c| c.calendar.name().to_string())
                .collect(),
            exempted: view.exempted.clone(),
            blast_radius: blast_radius(
                data,
                walker.dependents(
                    data,
                    s.service,
                    runs.entry(r.environment.as_str())
                        .or_insert_with(|| runs_in(data, &r.environment)),
                ),
            ),
            depends_on: depends_on(data, s, &slots),
        });
    }
    conflicts.sort();
    conflicts.dedup();
    let mut waves: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for r in &releases {
        waves.entry(r.wave).or_default().push(r.id.clone());
    }
    let waves = waves
        .into_iter()
        .map(|(number, mut releases)| {
            releases.sort();
            Wave { number, releases }
        })
        .collect();
    let blocked =
        !violations.is_empty() || !cycles.is_empty() || conflicts.iter().any(|c| c.blocking);
    let verdict = if blocked {
        PlanVerdict::Blocked
    } else if !conflicts.is_empty() {
        PlanVerdict::NeedsDecision
    } else {
        PlanVerdict::Ok
    };
    let summary = summary(verdict, &releases, &violations, &cycles, &conflicts);
    Ok(Plan {
        verdict,
        summary,
        name: intended.name.clone(),
        releases,
        waves,
        violations,
        cycles,
        conflicts,
    })
}

/// Each release's service index; every release checked against the
/// catalog first (all problems at once).
fn resolve(data: &CatalogData, intended: &ReleasePlan) -> Result<Vec<usize>, Error> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let names: Vec<&str> = data.by_name.keys().map(String::as_str).collect();
    for r in &intended.releases {
        let Some((i, s)) = data.service(&r.service) else {
            let mut e = CatalogError::new(
                ErrorCode::UnknownReference,
                r.service_at.clone(),
                format!("service `{}` is not in the catalog", r.service),
            );
            e.hint = did_you_mean(&r.service, &names);
            errors.push(e);
            continue;
        };
        if !s.runs_in(&r.environment) {
            let envs: Vec<&str> = s.environments.iter().map(String::as_str).collect();
            let mut e = CatalogError::new(
                ErrorCode::UnknownReference,
                r.environment_at.clone(),
                format!(
                    "service `{}` does not run in `{}` (its environments: {})",
                    r.service,
                    r.environment,
                    envs.join(", ")
                ),
            );
            e.hint = did_you_mean(&r.environment, &envs);
            errors.push(e);
        }
        for api in r.provides.keys() {
            if !s.provides.iter().any(|p| &p.api == api) {
                errors.push(
                    CatalogError::new(
                        ErrorCode::UnknownReference,
                        r.provides_at
                            .get(api)
                            .cloned()
                            .unwrap_or_else(|| r.at.clone()),
                        format!("service `{}` provides no API `{api}`", r.service),
                    )
                    .with_hint("list the API under the service's `spec.provides` in the catalog"),
                );
            }
        }
        out.push(i);
    }
    for g in &intended.lockstep {
        for (s, at) in &g.services {
            if !intended.releases.iter().any(|r| &r.service == s) {
                errors.push(CatalogError::new(
                    ErrorCode::UnknownReference,
                    at.clone(),
                    format!(
                        "lockstep group `{}` names `{s}`, which the plan does not release",
                        g.name
                    ),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::Catalog(errors))
    }
}

/// Tier weights: each tier counts twice the next.
fn tier_weight(tier: u8) -> f64 {
    match tier {
        1 => 8.0,
        2 => 4.0,
        3 => 2.0,
        _ => 1.0,
    }
}

/// Per service, whether it runs in `env`.
fn runs_in(data: &CatalogData, env: &str) -> Vec<bool> {
    data.services.iter().map(|s| s.runs_in(env)).collect()
}

fn blast_radius(data: &CatalogData, d: Dependents) -> BlastRadius {
    // Counts by tier, and the first names: the smallest indices, since
    // indices are in name order (selected in place, not sorted whole).
    let summarise = |mut m: Vec<usize>| {
        let mut by_tier = [0usize; 4];
        for s in &m {
            if let Some(x) = data.services.get(*s) {
                if let Some(t) = by_tier.get_mut(usize::from(x.tier.clamp(1, 4)) - 1) {
                    *t += 1;
                }
            }
        }
        let count = m.len();
        if m.len() > MAX_NAMED {
            m.select_nth_unstable(MAX_NAMED);
            m.truncate(MAX_NAMED);
        }
        m.sort_unstable();
        Reach {
            count,
            by_tier,
            services: m.iter().map(|s| data.name_of(*s).to_string()).collect(),
        }
    };
    // The weight from the counts: 8, 4, 2, 1 per dependent of tier 1–4.
    let weight_of = |r: &Reach| -> f64 {
        r.by_tier
            .iter()
            .zip(1u8..)
            .fold(0.0, |w, (n, t)| w + *n as f64 * tier_weight(t))
    };
    let worst_path = d
        .worst_path
        .iter()
        .map(|i| data.name_of(*i).to_string())
        .collect();
    let hard = summarise(d.hard);
    let soft = summarise(d.soft);
    BlastRadius {
        weight: weight_of(&hard) + weight_of(&soft) / 2.0,
        hard,
        soft,
        worst_path,
    }
}

fn summary(
    verdict: PlanVerdict,
    releases: &[PlannedRelease],
    violations: &[super::result::Violation],
    cycles: &[Cycle],
    conflicts: &[super::result::Conflict],
) -> String {
    let waves = releases.iter().map(|r| r.wave).max().unwrap_or(0);
    let moved = releases.iter().filter(|r| r.moved).count();
    let base = format!(
        "{} release{} in {waves} wave{}",
        releases.len(),
        if releases.len() == 1 { "" } else { "s" },
        if waves == 1 { "" } else { "s" }
    );
    match verdict {
        PlanVerdict::Ok => format!("ok: {base}, as requested"),
        PlanVerdict::Blocked => format!(
            "blocked: {base}; {} contract violation(s), {} cycle(s), {} blocking conflict(s)",
            violations.len(),
            cycles.len(),
            conflicts.iter().filter(|c| c.blocking).count()
        ),
        PlanVerdict::NeedsDecision => format!(
            "needs a decision: {base}; {} conflict(s), {moved} release(s) moved in the proposed schedule",
            conflicts.len()
        ),
    }
}
