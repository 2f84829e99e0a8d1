//! What a release policy reads of the catalog for one release (`graph`,
//! `calendar`): its service's providers and dependents in the release's
//! environment, its blast radius, whether it keeps its consumers'
//! contracts (the `can-i-deploy` answer), and the governing calendars at
//! the facts' `now` — windows open, freezes in force and whether an
//! exemption lifts them. `check` binds the result as two roots. And what
//! `assess` with a catalog reads: the services downstream of a rollout,
//! each with its path.

use std::collections::BTreeMap;

use super::catalog::{Catalog, CatalogData, Edge, Release};
use super::evaluate::can_i_deploy_reach;
use super::schedule::calendar_view;
use crate::error::{Error, ErrorCode, FactsError, SourceLocation};
use crate::expr::suggest::did_you_mean;
use crate::limits::Limits;
use crate::model::catalog_facts::{
    BlastRadiusFacts, CalendarFacts, CatalogFacts, ContractFacts, ContractViolation,
    DependentFacts, Downstream, FreezeFacts, GraphFacts, ProviderFacts,
};
use crate::model::{Duration, Facts};

/// The catalog's facts for the release of `facts`. Errors (a facts error
/// at `$.release.service` or `$.release.environment`) when the catalog
/// does not know the release's service or the service does not run in the
/// release's environment: a release the catalog cannot place is refused,
/// never checked without its graph gates.
pub(crate) fn catalog_facts(
    catalog: &Catalog,
    facts: &Facts,
    limits: &Limits,
) -> Result<CatalogFacts, Error> {
    let r = &facts.release;
    let data = &*catalog.inner;
    let env = r.environment.as_str();
    let (index, service) = place(
        data,
        &r.service,
        env,
        ("$.release.service", "$.release.environment"),
    )?;
    let (answer, hard, soft) =
        can_i_deploy_reach(catalog, &r.service, &r.version.to_string(), env)?;
    let providers = data
        .providers(index)
        .map(|e| provider(data, e, env))
        .collect();
    let mut dependents: Vec<DependentFacts> = hard
        .iter()
        .map(|i| (i, "hard"))
        .chain(soft.iter().map(|i| (i, "soft")))
        .filter_map(|(i, kind)| {
            data.services.get(*i).map(|s| DependentFacts {
                service: s.name.clone(),
                tier: i64::from(s.tier),
                kind: kind.to_string(),
            })
        })
        .collect();
    dependents.sort_by(|a, b| a.service.cmp(&b.service));
    let tier1 = dependents.iter().filter(|d| d.tier == 1).count();
    let blast = &answer.blast_radius;
    let graph = GraphFacts {
        service: service.name.clone(),
        tier: i64::from(service.tier),
        owner: service.owner.clone(),
        providers,
        dependents,
        blast_radius: BlastRadiusFacts {
            hard: count(blast.hard.count),
            soft: count(blast.soft.count),
            tier1: count(tier1),
            weight: blast.weight,
            worst_path: blast.worst_path.clone(),
        },
        contract: ContractFacts {
            ok: answer.deployable,
            provides: answer.provides.clone(),
            violations: answer
                .violations
                .iter()
                .map(|v| ContractViolation {
                    kind: v.kind.as_str().to_string(),
                    consumer: v.consumer.clone(),
                    api: v.api.clone(),
                    message: v.message.clone(),
                })
                .collect(),
        },
    };
    Ok(CatalogFacts {
        graph,
        calendar: calendar(data, facts, limits),
    })
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// One dependency of the release's service, as policies read it.
fn provider(data: &CatalogData, e: &Edge, env: &str) -> ProviderFacts {
    let p = data.services.get(e.provider);
    let satisfied = match (&e.requires, p) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some((_, req)), Some(p)) => match &e.api {
            Some(api) => p
                .running_api(api, env)
                .is_some_and(|running| req.matches(&running.version)),
            None => p.deployed.get(env).is_some_and(|v| req.matches(v)),
        },
    };
    ProviderFacts {
        service: data.name_of(e.provider).to_string(),
        api: e.api.clone(),
        requires: e.requires.as_ref().map(|(text, _)| text.clone()),
        kind: if e.hard { "hard" } else { "soft" }.to_string(),
        deployed: p.and_then(|p| p.deployed.get(env)).map(ToString::to_string),
        satisfied,
    }
}

/// The governing calendars at `facts.now`: which windows are open, which
/// freezes are in force, and whether an exemption lifts each for this
/// release (evaluated as `plan` does, over `release`; an exemption that
/// cannot be evaluated does not lift its freeze).
fn calendar(data: &CatalogData, facts: &Facts, limits: &Limits) -> CalendarFacts {
    let r = &facts.release;
    let now = facts.now;
    let at = SourceLocation::file("<facts>");
    let release = Release {
        service: r.service.clone(),
        version: r.version.as_semver().clone(),
        kind: r.kind.as_str().to_string(),
        provides: BTreeMap::new(),
        change: None,
        environment: r.environment.clone(),
        start: now,
        duration: Duration::from_millis(1),
        team: None,
        at: at.clone(),
        service_at: at.clone(),
        environment_at: at,
        provides_at: BTreeMap::new(),
    };
    let view = calendar_view(data, &release, &super::compile::release_shape(), limits);
    let governing: Vec<_> = view
        .calendars
        .iter()
        .filter_map(|i| data.calendars.get(*i))
        .collect();
    let mut windows: BTreeMap<String, bool> = BTreeMap::new();
    for c in &governing {
        for w in &c.calendar.windows {
            let open = c.calendar.in_window(Some(&w.name), now);
            let entry = windows.entry(w.name.clone()).or_insert(true);
            *entry = *entry && open;
        }
    }
    let in_window = governing
        .iter()
        .filter(|c| c.calendar.has_windows())
        .all(|c| c.calendar.in_window(None, now));
    let mut freezes = Vec::new();
    for c in &governing {
        for (_, name, interval) in c.calendar.freezes() {
            if !(interval.start <= now && now < interval.end) {
                continue;
            }
            let label = format!("{}/{name}", c.calendar.name());
            freezes.push(FreezeFacts {
                exempt: view.exempted.contains(&label),
                error: view.exemption_failures.get(&label).cloned(),
                name: label,
                until: interval.end,
            });
        }
    }
    CalendarFacts {
        calendars: governing
            .iter()
            .map(|c| c.calendar.name().to_string())
            .collect(),
        windows,
        in_window,
        frozen: freezes.iter().any(|f| !f.exempt),
        freezes,
    }
}

/// The services downstream of the rollout's service in its environment (its transitive
/// dependents that run there), each with the shortest path to it (fewest
/// hops; among those, the first by name at each hop) and whether that
/// path is all hard dependencies. Errors as [`catalog_facts`] does when
/// the catalog does not know the rollout's service, the rollout names no
/// environment, or the service does not run there.
pub(crate) fn downstream(
    catalog: &Catalog,
    rollout: &crate::model::Rollout,
) -> Result<Vec<Downstream>, Error> {
    let service = rollout.service.as_str();
    let Some(environment) = rollout.environment.as_deref() else {
        return Err(FactsError::new(
            ErrorCode::UnknownReference,
            "the rollout names no environment, so the catalog cannot place it",
        )
        .at("$.rollout.environment")
        .with_hint("give `rollout.environment` (the catalog's environment name)")
        .into());
    };
    let at = ("$.rollout.service", "$.rollout.environment");
    let data = &*catalog.inner;
    let (index, _) = place(data, service, environment, at)?;
    // Breadth-first from the service over "is depended on by" edges, in
    // name order (indices are in name order), among services running there.
    let n = data.services.len();
    let mut parent: Vec<Option<(usize, bool)>> = vec![None; n];
    let mut seen = vec![false; n];
    if let Some(x) = seen.get_mut(index) {
        *x = true;
    }
    let mut queue = std::collections::VecDeque::from([index]);
    let mut order = Vec::new();
    while let Some(u) = queue.pop_front() {
        let mut next: Vec<(usize, bool)> = data
            .dependents
            .get(u)
            .into_iter()
            .flatten()
            .map(|&(c, hard)| (c as usize, hard))
            .collect();
        next.sort_unstable();
        for (c, hard) in next {
            let runs = data.services.get(c).is_some_and(|x| x.runs_in(environment));
            match seen.get_mut(c) {
                Some(x) if !*x && runs => *x = true,
                _ => continue,
            }
            if let Some(p) = parent.get_mut(c) {
                *p = Some((u, hard));
            }
            order.push(c);
            queue.push_back(c);
        }
    }
    let mut out: Vec<Downstream> = order
        .into_iter()
        .filter_map(|c| {
            let d = data.services.get(c)?;
            let mut path = vec![d.name.clone()];
            let mut hard = true;
            let mut at = c;
            while let Some(Some((p, h))) = parent.get(at) {
                hard &= *h;
                path.push(data.name_of(*p).to_string());
                at = *p;
            }
            path.reverse();
            Some(Downstream {
                service: d.name.clone(),
                tier: d.tier,
                path,
                hard,
            })
        })
        .collect();
    out.sort_by(|a, b| a.service.cmp(&b.service));
    Ok(out)
}

/// The service called `service`, which must run in `environment`: a
/// facts error at the JSON path `at.0` (the service) or `at.1` (the
/// environment) otherwise, so a release the catalog cannot place is
/// refused rather than judged without its graph.
fn place<'d>(
    data: &'d CatalogData,
    service: &str,
    environment: &str,
    at: (&str, &str),
) -> Result<(usize, &'d super::catalog::Service), Error> {
    let Some((index, s)) = data.service(service) else {
        let names: Vec<&str> = data.by_name.keys().map(String::as_str).collect();
        let mut e = FactsError::new(
            ErrorCode::UnknownReference,
            format!("service `{service}` is not in the catalog"),
        )
        .at(at.0);
        e.hint = did_you_mean(service, &names);
        return Err(e.into());
    };
    if !s.runs_in(environment) {
        let envs: Vec<&str> = s.environments.iter().map(String::as_str).collect();
        return Err(FactsError::new(
            ErrorCode::UnknownReference,
            format!(
                "service `{service}` does not run in `{environment}` by the catalog (its environments: {})",
                envs.join(", ")
            ),
        )
        .at(at.1)
        .into());
    }
    Ok((index, s))
}

/// What `review` needs of a catalog: each service's rollback budget (those
/// that give one), and whether a service is in the catalog.
pub(crate) fn rollback_budgets(
    catalog: &Catalog,
) -> std::collections::BTreeMap<String, crate::model::Duration> {
    catalog
        .inner
        .services
        .iter()
        .filter_map(|s| s.rollback_budget.map(|b| (s.name.clone(), b)))
        .collect()
}

/// Whether the catalog has a service of that name.
pub(crate) fn has_service(catalog: &Catalog, name: &str) -> bool {
    catalog.inner.by_name.contains_key(name)
}
