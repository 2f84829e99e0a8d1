//! Can-i-deploy: may one version of one service go to one environment, by
//! the contracts of its consumers there, with its blast radius.

use std::collections::BTreeMap;

use super::{blast_radius, runs_in};
use crate::error::{CatalogError, Error, ErrorCode, SourceLocation};
use crate::expr::suggest::did_you_mean;
use crate::plan::catalog::{Catalog, ChangeKind, Release};
use crate::plan::contracts;
use crate::plan::graph::Walker;
use crate::plan::result::Deployability;

/// May `version` of `service` go to `environment`? The release provides
/// the API versions the catalog lists at exactly that version; a major
/// bump over what runs there counts as declared breaking (so only its
/// consumers' requirements and used operations decide).
pub(crate) fn can_i_deploy(
    catalog: &Catalog,
    service: &str,
    version: &str,
    environment: &str,
) -> Result<Deployability, Error> {
    can_i_deploy_reach(catalog, service, version, environment).map(|(answer, _, _)| answer)
}

/// [`can_i_deploy`], and the dependents its blast radius was counted
/// from (hard, then soft; indices), for `check`'s `graph` root: one walk
/// for both.
pub(crate) fn can_i_deploy_reach(
    catalog: &Catalog,
    service: &str,
    version: &str,
    environment: &str,
) -> Result<(Deployability, Vec<usize>, Vec<usize>), Error> {
    let data = &*catalog.inner;
    let at = SourceLocation::file("<arguments>");
    let names: Vec<&str> = data.by_name.keys().map(String::as_str).collect();
    let Some((index, s)) = data.service(service) else {
        let mut e = CatalogError::new(
            ErrorCode::UnknownReference,
            at,
            format!("service `{service}` is not in the catalog"),
        );
        e.hint = did_you_mean(service, &names);
        return Err(e.into());
    };
    if !s.runs_in(environment) {
        let envs: Vec<&str> = s.environments.iter().map(String::as_str).collect();
        return Err(CatalogError::new(
            ErrorCode::UnknownReference,
            at,
            format!(
                "service `{service}` does not run in `{environment}` (its environments: {})",
                envs.join(", ")
            ),
        )
        .into());
    }
    let v = semver::Version::parse(version.trim_start_matches('v')).map_err(|e| {
        CatalogError::new(
            ErrorCode::InvalidVersion,
            at.clone(),
            format!("invalid semantic version `{version}`: {e}"),
        )
    })?;
    let mut release = Release {
        service: service.to_string(),
        version: v.clone(),
        kind: "standard".to_string(),
        provides: BTreeMap::new(),
        change: None,
        environment: environment.to_string(),
        start: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
        duration: crate::model::Duration::from_millis(1),
        team: None,
        at: at.clone(),
        service_at: at.clone(),
        environment_at: at.clone(),
        provides_at: BTreeMap::new(),
    };
    let provides = contracts::provides_of(s, &release);
    let major = provides.iter().any(|(api, new)| {
        s.running_api(api, environment)
            .is_some_and(|o| contracts::major_bump(&o.version, new))
    }) || (provides.is_empty()
        && s.deployed
            .get(environment)
            .is_some_and(|o| contracts::major_bump(o, &v)));
    release.change = major.then_some(ChangeKind::Breaking);
    let id = format!("{service}@{environment}");
    let mut violations = contracts::violations(data, &release, index, s, &id);
    violations.sort();
    violations.dedup();
    let deployable = violations.is_empty();
    let reach =
        Walker::new(data.services.len()).dependents(data, index, &runs_in(data, environment));
    let (hard, soft) = (reach.hard.clone(), reach.soft.clone());
    let summary = if deployable {
        format!("yes: `{service}` {v} can go to `{environment}`; no consumer's contract breaks")
    } else {
        format!(
            "no: `{service}` {v} would break {} contract(s) in `{environment}`",
            violations.len()
        )
    };
    let answer = Deployability {
        deployable,
        service: service.to_string(),
        version: v.to_string(),
        environment: environment.to_string(),
        provides: provides
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect(),
        violations,
        blast_radius: blast_radius(data, reach),
        summary,
    };
    Ok((answer, hard, soft))
}
