//! The services of a catalog checked against each other: names, tiers,
//! environments, API versions with their OpenAPI documents, dependencies
//! (unknown services, requirements, operations used), the limits; the
//! graph's edges built.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use super::calendars::calendars;
use super::{Doc, err, relative_to, valid_name};
use crate::error::{CatalogError, Error, ErrorCode, SourceLocation};
use crate::expr::suggest::did_you_mean;
use crate::limits::Limits;
use crate::plan::catalog::{Catalog, CatalogData, Edge, Provide, Service};
use crate::plan::documents::{CalendarDoc, DependencyKind, EnvironmentDoc, ServiceDoc};
use crate::plan::openapi::{OpenApi, operation_key};

/// The catalog from its typed documents.
pub(super) fn build(
    service_docs: Vec<(ServiceDoc, &Doc)>,
    calendar_docs: Vec<(CalendarDoc, &Doc)>,
    environment_docs: Vec<(EnvironmentDoc, &Doc)>,
    limits: &Limits,
    read: &dyn Fn(&Path) -> Result<String, Error>,
) -> Result<Catalog, Error> {
    let mut errors = Vec::new();
    if service_docs.len() > limits.max_catalog_services {
        return Err(err(
            ErrorCode::CatalogOverLimit,
            service_docs
                .first()
                .map_or_else(|| SourceLocation::file(""), |(_, d)| d.locs.at("")),
            format!(
                "catalog has {} services, more than the limit of {}",
                service_docs.len(),
                limits.max_catalog_services
            ),
        )
        .with_hint("raise `Limits::max_catalog_services`")
        .into());
    }
    // Names: valid, once each.
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    let mut sorted: Vec<&(ServiceDoc, &Doc)> = service_docs.iter().collect();
    sorted.sort_by(|a, b| a.0.metadata.name.cmp(&b.0.metadata.name));
    let mut kept: Vec<&(ServiceDoc, &Doc)> = Vec::new();
    for entry in sorted {
        let (s, doc) = entry;
        let name = &s.metadata.name;
        if !valid_name(name) {
            errors.push(bad_name("service", name, doc.locs.at("metadata.name")));
            continue;
        }
        if by_name.contains_key(name) {
            errors.push(err(
                ErrorCode::DuplicateName,
                doc.locs.at("metadata.name"),
                format!("service `{name}` is defined twice"),
            ));
            continue;
        }
        by_name.insert(name.clone(), kept.len());
        kept.push(entry);
    }
    let mut env_names: BTreeSet<String> = BTreeSet::new();
    let mut exclusive = BTreeSet::new();
    let mut seen_env = BTreeSet::new();
    for (e, doc) in &environment_docs {
        let name = &e.metadata.name;
        if !valid_name(name) {
            errors.push(bad_name("environment", name, doc.locs.at("metadata.name")));
        } else if !seen_env.insert(name.clone()) {
            errors.push(err(
                ErrorCode::DuplicateName,
                doc.locs.at("metadata.name"),
                format!("environment `{name}` is defined twice"),
            ));
        } else if e.spec.exclusive {
            exclusive.insert(name.clone());
        }
        env_names.insert(name.clone());
    }
    let names: Vec<&str> = by_name.keys().map(String::as_str).collect();
    let mut services = Vec::with_capacity(kept.len());
    let mut edges = Vec::new();
    for (index, (s, doc)) in kept.iter().enumerate() {
        services.push(service(s, doc, limits, read, &mut errors));
        env_names.extend(s.spec.environments.iter().cloned());
        let mut seen = BTreeSet::new();
        for (i, d) in s.spec.depends_on.iter().enumerate() {
            let at = |f: &str| doc.locs.at(&format!("spec.dependsOn[{i}]{f}"));
            let Some(&provider) = by_name.get(&d.service) else {
                let mut e = err(
                    ErrorCode::UnknownReference,
                    at(".service"),
                    format!("unknown service `{}`", d.service),
                );
                e.hint = did_you_mean(&d.service, &names);
                errors.push(e);
                continue;
            };
            if provider == index {
                errors.push(err(
                    ErrorCode::UnknownReference,
                    at(".service"),
                    format!("service `{}` depends on itself", d.service),
                ));
                continue;
            }
            if !seen.insert((d.service.clone(), d.api.clone())) {
                errors.push(err(
                    ErrorCode::DuplicateName,
                    at(""),
                    format!(
                        "dependency on `{}`{} is given twice",
                        d.service,
                        d.api
                            .as_ref()
                            .map(|a| format!(" (`{a}`)"))
                            .unwrap_or_default()
                    ),
                ));
                continue;
            }
            if let Some(api) = &d.api {
                let provides = kept
                    .get(provider)
                    .is_some_and(|(p, _)| p.spec.provides.iter().any(|x| &x.api == api));
                if !provides {
                    errors.push(err(
                        ErrorCode::UnknownReference,
                        at(".api"),
                        format!("service `{}` provides no API `{api}`", d.service),
                    ));
                }
            }
            let requires = match (&d.requires, &d.api) {
                (Some(r), Some(_)) => match semver::VersionReq::parse(r) {
                    Ok(req) => Some((r.clone(), req)),
                    Err(e) => {
                        errors.push(
                            err(
                                ErrorCode::InvalidVersion,
                                at(".requires"),
                                format!("invalid semver requirement `{r}`: {e}"),
                            )
                            .with_hint("write a requirement such as `^2.3`, `>=2.3, <4` or `~1.4`"),
                        );
                        None
                    }
                },
                (Some(_), None) => {
                    errors.push(
                        err(
                            ErrorCode::CatalogInvalidField,
                            at(".requires"),
                            "`requires` without `api`: which API's version does it bound?",
                        )
                        .with_hint("name the provider's API with `api:`"),
                    );
                    None
                }
                _ => None,
            };
            for (j, op) in d.uses.iter().enumerate() {
                if operation_key(op).is_none() {
                    errors.push(
                        err(
                            ErrorCode::InvalidOperation,
                            at(&format!(".uses[{j}]")),
                            format!("operation `{op}` is not `METHOD /path`"),
                        )
                        .with_hint("write it as OpenAPI names it: `GET /payments/{id}`"),
                    );
                }
            }
            edges.push(Edge {
                consumer: index,
                provider,
                api: d.api.clone(),
                requires,
                uses: d.uses.clone(),
                hard: d.kind == DependencyKind::Hard,
            });
        }
    }
    if edges.len() > limits.max_catalog_edges {
        errors.push(
            err(
                ErrorCode::CatalogOverLimit,
                SourceLocation::file(kept.first().map_or("", |(_, d)| d.file.as_str())),
                format!(
                    "catalog has {} dependencies, more than the limit of {}",
                    edges.len(),
                    limits.max_catalog_edges
                ),
            )
            .with_hint("raise `Limits::max_catalog_edges`"),
        );
    }
    let calendars = calendars(calendar_docs, &by_name, &env_names, limits, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Catalog(errors));
    }
    let mut consumers_of = vec![Vec::new(); services.len()];
    let mut providers_of = vec![Vec::new(); services.len()];
    let mut dependents = vec![Vec::new(); services.len()];
    for (i, e) in edges.iter().enumerate() {
        if let Some(v) = consumers_of.get_mut(e.provider) {
            v.push(i);
        }
        if let (Some(v), Ok(c)) = (dependents.get_mut(e.provider), u32::try_from(e.consumer)) {
            v.push((c, e.hard));
        }
        if let Some(v) = providers_of.get_mut(e.consumer) {
            v.push(i);
        }
    }
    Ok(Catalog {
        inner: Arc::new(CatalogData {
            services,
            by_name,
            edges,
            consumers_of,
            dependents,
            providers_of,
            calendars,
            exclusive,
        }),
    })
}

pub(super) fn bad_name(what: &str, name: &str, at: SourceLocation) -> CatalogError {
    err(
        ErrorCode::CatalogInvalidField,
        at,
        format!("{what} name `{}` is not a valid name", name.escape_debug()),
    )
    .with_hint("names are lowercase ASCII letters, digits, `-`, `.` and `_`, starting with a letter or digit")
}

/// One service: tier, environments, API versions with their documents.
fn service(
    s: &ServiceDoc,
    doc: &Doc,
    limits: &Limits,
    read: &dyn Fn(&Path) -> Result<String, Error>,
    errors: &mut Vec<CatalogError>,
) -> Service {
    let spec = &s.spec;
    if !(1..=4).contains(&spec.tier) {
        errors.push(err(
            ErrorCode::CatalogInvalidField,
            doc.locs.at("spec.tier"),
            format!(
                "tier `{}` is not between 1 (most critical) and 4",
                spec.tier
            ),
        ));
    }
    let mut environments = BTreeSet::new();
    for (i, e) in spec.environments.iter().enumerate() {
        if !valid_name(e) {
            errors.push(bad_name(
                "environment",
                e,
                doc.locs.at(&format!("spec.environments[{i}]")),
            ));
        } else if !environments.insert(e.clone()) {
            errors.push(err(
                ErrorCode::DuplicateName,
                doc.locs.at(&format!("spec.environments[{i}]")),
                format!("environment `{e}` is listed twice"),
            ));
        }
    }
    for env in spec.deployed.keys() {
        if !environments.contains(env) {
            errors.push(
                err(
                    ErrorCode::UnknownReference,
                    doc.locs.at(&format!("spec.deployed.{env}")),
                    format!("`{env}` is not one of the service's environments"),
                )
                .with_hint("list it under `spec.environments`"),
            );
        }
    }
    let mut provides = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, p) in spec.provides.iter().enumerate() {
        let at = |f: &str| doc.locs.at(&format!("spec.provides[{i}]{f}"));
        if !valid_name(&p.api) {
            errors.push(bad_name("API", &p.api, at(".api")));
        }
        if !seen.insert((p.api.clone(), p.version.as_semver().clone())) {
            errors.push(err(
                ErrorCode::DuplicateName,
                at(".version"),
                format!("`{}` version `{}` is listed twice", p.api, p.version),
            ));
        }
        let openapi = p.openapi.as_ref().and_then(|file| {
            let path = relative_to(&doc.file, file);
            let text = match read(&path) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(err(
                        ErrorCode::InvalidOpenApi,
                        at(".openapi"),
                        format!("cannot read OpenAPI document `{file}`: {e}"),
                    ));
                    return None;
                }
            };
            match OpenApi::parse(&text, limits.max_openapi_bytes, limits.max_yaml_nesting) {
                Ok(o) => Some(Arc::new(o)),
                Err(e) => {
                    let mut ce = err(
                        ErrorCode::InvalidOpenApi,
                        SourceLocation::new(path.display().to_string(), e.line, e.column),
                        e.message,
                    );
                    ce.hint = e.hint;
                    errors.push(ce);
                    None
                }
            }
        });
        provides.push(Provide {
            api: p.api.clone(),
            version: p.version.as_semver().clone(),
            openapi,
        });
    }
    Service {
        name: s.metadata.name.clone(),
        tier: spec.tier,
        owner: spec.owner.clone(),
        rollback_budget: spec.rollback_budget,
        environments,
        provides,
        deployed: spec
            .deployed
            .iter()
            .map(|(k, v)| (k.clone(), v.as_semver().clone()))
            .collect(),
    }
}
