//! A release plan checked on its own: durations, duplicates, lockstep
//! groups, `maxPerWave`, the horizon; every release with the locations its
//! errors against the catalog will name.

use std::collections::BTreeSet;

use super::{DEFAULT_HORIZON_MS, Doc, err};
use crate::error::{CatalogError, ErrorCode};
use crate::limits::Limits;
use crate::model::Duration;
use crate::plan::catalog::{ChangeKind, Lockstep, Release, ReleasePlan};
use crate::plan::documents::{ChangeDoc, ReleasePlanDoc};

/// The releases of a plan document, checked on their own (the catalog is
/// checked when planned).
pub(super) fn release_plan(
    p: ReleasePlanDoc,
    doc: &Doc,
    limits: &Limits,
    errors: &mut Vec<CatalogError>,
) -> ReleasePlan {
    let at = |path: &str| doc.locs.at(path);
    if p.releases.len() > limits.max_plan_releases {
        errors.push(
            err(
                ErrorCode::CatalogOverLimit,
                at("releases"),
                format!(
                    "plan has {} releases, more than the limit of {}",
                    p.releases.len(),
                    limits.max_plan_releases
                ),
            )
            .with_hint("raise `Limits::max_plan_releases`"),
        );
    }
    let mut releases = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, r) in p.releases.iter().enumerate() {
        let base = format!("releases[{i}]");
        if r.window.duration.as_millis() <= 0 {
            errors.push(err(
                ErrorCode::CatalogInvalidField,
                at(&format!("{base}.window.duration")),
                "a release window's duration must be more than 0",
            ));
        }
        if !seen.insert((r.service.clone(), r.environment.clone())) {
            errors.push(err(
                ErrorCode::DuplicateName,
                at(&base),
                format!(
                    "service `{}` is released to `{}` twice in one plan",
                    r.service, r.environment
                ),
            ));
        }
        if r.kind.trim().is_empty() {
            errors.push(err(
                ErrorCode::CatalogInvalidField,
                at(&format!("{base}.kind")),
                "a release's kind is blank",
            ));
        }
        releases.push(Release {
            service: r.service.clone(),
            version: r.version.as_semver().clone(),
            kind: r.kind.clone(),
            provides: r
                .provides
                .iter()
                .map(|(k, v)| (k.clone(), v.as_semver().clone()))
                .collect(),
            change: r.change.map(|c| match c {
                ChangeDoc::Patch => ChangeKind::Patch,
                ChangeDoc::Additive => ChangeKind::Additive,
                ChangeDoc::Breaking => ChangeKind::Breaking,
            }),
            environment: r.environment.clone(),
            start: r.window.start,
            duration: r.window.duration,
            team: r.team.clone(),
            at: at(&base),
            service_at: at(&format!("{base}.service")),
            environment_at: at(&format!("{base}.environment")),
            provides_at: r
                .provides
                .keys()
                .map(|k| (k.clone(), at(&format!("{base}.provides.{k}"))))
                .collect(),
        });
    }
    let mut lockstep = Vec::new();
    let mut grouped = BTreeSet::new();
    let mut names = BTreeSet::new();
    for (i, g) in p.lockstep.iter().enumerate() {
        if !names.insert(g.name.clone()) {
            errors.push(err(
                ErrorCode::DuplicateName,
                at(&format!("lockstep[{i}].name")),
                format!("lockstep group `{}` is defined twice", g.name),
            ));
        }
        if g.services.len() < 2 {
            errors.push(err(
                ErrorCode::CatalogInvalidField,
                at(&format!("lockstep[{i}].services")),
                format!("lockstep group `{}` names fewer than two services", g.name),
            ));
        }
        let mut services = Vec::new();
        for (j, s) in g.services.iter().enumerate() {
            let loc = at(&format!("lockstep[{i}].services[{j}]"));
            if !grouped.insert(s.clone()) {
                errors.push(err(
                    ErrorCode::DuplicateName,
                    loc.clone(),
                    format!("service `{s}` is in more than one lockstep group, or twice in one"),
                ));
            }
            services.push((s.clone(), loc));
        }
        lockstep.push(Lockstep {
            name: g.name.clone(),
            services,
        });
    }
    if p.max_per_wave == Some(0) {
        errors.push(err(
            ErrorCode::CatalogInvalidField,
            at("maxPerWave"),
            "`maxPerWave` is 0: no release could go",
        ));
    }
    let horizon = p
        .horizon
        .unwrap_or_else(|| Duration::from_millis(DEFAULT_HORIZON_MS));
    if horizon.as_millis() <= 0 || horizon.as_millis() > 366 * 24 * 3_600_000 {
        errors.push(err(
            ErrorCode::CatalogInvalidField,
            at("horizon"),
            "`horizon` must be more than 0 and at most 366 days",
        ));
    }
    ReleasePlan {
        name: p.metadata.map_or_else(String::new, |m| m.name),
        releases,
        lockstep,
        max_per_wave: p.max_per_wave,
        horizon,
    }
}
