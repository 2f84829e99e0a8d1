//! API contracts: whether a provider's release keeps its consumers'
//! requirements (semver), declares a breaking change with a major bump,
//! and — with OpenAPI documents for the running and the new version —
//! whether the documents themselves show a breaking change, or remove an
//! operation a consumer uses. Contract checks apply to hard and soft
//! dependencies alike, in the release's environment.

use std::collections::BTreeMap;

use super::catalog::{CatalogData, ChangeKind, Release, Service};
use super::openapi::breaking_changes;
use super::result::{Violation, ViolationKind};

/// Whether `new` is a major bump over `old`: the major version grows, or
/// for `0.x` the minor (as a caret requirement reads them).
pub(crate) fn major_bump(old: &semver::Version, new: &semver::Version) -> bool {
    if old.major == 0 && new.major == 0 {
        new.minor > old.minor
    } else {
        new.major > old.major
    }
}

/// The API versions a release provides: those it names, or, when it names
/// none, the catalog's entries at exactly its version (so that leaving
/// `provides` out cannot skip the consumers' contracts).
pub(crate) fn provides_of(
    provider: &Service,
    release: &Release,
) -> BTreeMap<String, semver::Version> {
    if !release.provides.is_empty() {
        return release.provides.clone();
    }
    provider
        .provides
        .iter()
        .filter(|p| p.version == release.version)
        .map(|p| (p.api.clone(), p.version.clone()))
        .collect()
}

/// The APIs `provider` lists that a release naming no `provides` has no
/// catalog entry for at its version, where that version is a major bump
/// over the service version running in its environment (or nothing runs
/// there). A minor or patch release (or a rollback) without an entry is
/// taken to keep the API version running; a major one cannot be.
fn unknown_apis<'p>(provider: &'p Service, release: &Release) -> Vec<&'p str> {
    let running = provider.deployed.get(&release.environment);
    if running.is_some_and(|old| !major_bump(old, &release.version)) {
        return Vec::new();
    }
    let mut apis: Vec<&str> = provider
        .provides
        .iter()
        .map(|p| p.api.as_str())
        .filter(|api| {
            !provider
                .provides
                .iter()
                .any(|p| p.api == *api && p.version == release.version)
        })
        .collect();
    apis.sort_unstable();
    apis.dedup();
    apis
}

/// The violations of one release (`id` is `service@environment`).
pub(crate) fn violations(
    catalog: &CatalogData,
    release: &Release,
    provider_index: usize,
    provider: &Service,
    id: &str,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let env = release.environment.as_str();
    let violation = |kind, consumer: Option<&str>, api: Option<&str>, message: String| Violation {
        kind,
        release: id.to_string(),
        provider: provider.name.clone(),
        consumer: consumer.map(str::to_string),
        api: api.map(str::to_string),
        change: None,
        message,
    };
    let declared_breaking = release.change == Some(ChangeKind::Breaking);
    if release.provides.is_empty() {
        for api in unknown_apis(provider, release) {
            out.push(violation(
                ViolationKind::UnknownApiVersion,
                None,
                Some(api),
                format!(
                    "the catalog lists no `{api}` version for `{}` {}, a major bump over what runs in `{env}`: what it provides cannot be checked against its consumers",
                    provider.name, release.version
                ),
            ));
        }
    }
    // Without API versions, the service version is the contract.
    let provides = provides_of(provider, release);
    if provides.is_empty() {
        if let Some(old) = provider.deployed.get(env) {
            if declared_breaking && !major_bump(old, &release.version) {
                out.push(violation(
                    ViolationKind::BreakingWithoutMajor,
                    None,
                    None,
                    format!(
                        "`{}` {} declares a breaking change but is not a major bump over {old} running in `{env}`",
                        provider.name, release.version
                    ),
                ));
            }
        }
    }
    for (api, new) in &provides {
        let old = provider.running_api(api, env);
        let major = old.is_some_and(|o| major_bump(&o.version, new));
        if let Some(o) = old {
            if declared_breaking && !major {
                out.push(violation(
                    ViolationKind::BreakingWithoutMajor,
                    None,
                    Some(api),
                    format!(
                        "`{api}` {new} declares a breaking change but is not a major bump over {} running in `{env}`",
                        o.version
                    ),
                ));
            }
        }
        let new_doc = provider
            .provide(api, new)
            .and_then(|p| p.openapi.as_deref());
        let old_doc = old.and_then(|o| o.openapi.as_deref());
        // Dropping the document must not drop the check (fail closed).
        if let (Some(_), None, Some(o)) = (old_doc, new_doc, old) {
            if o.version != *new {
                out.push(violation(
                    ViolationKind::MissingOpenApi,
                    None,
                    Some(api),
                    format!(
                        "`{api}` {} running in `{env}` has an OpenAPI document and {new} has none in the catalog: the change cannot be checked",
                        o.version
                    ),
                ));
            }
        }
        if let (Some(o), Some(n), Some(old)) = (old_doc, new_doc, old) {
            if !(declared_breaking && major) {
                for c in breaking_changes(o, n) {
                    let operation = if c.message.contains(&c.operation) {
                        String::new()
                    } else {
                        format!(" in `{}`", c.operation)
                    };
                    let declared = match release.change {
                        Some(k) => format!("declared {}", k.as_str()),
                        None => "declares no change".to_string(),
                    };
                    let mut v = violation(
                        ViolationKind::UndeclaredBreakingChange,
                        None,
                        Some(api),
                        format!(
                            "`{api}` {} → {new}: {}{operation}, yet the release {declared} and is no major bump",
                            old.version, c.message,
                        ),
                    );
                    v.change = Some(c.kind.as_str().to_string());
                    out.push(v);
                }
            }
        }
        for e in catalog
            .consumers(provider_index)
            .filter(|e| e.api.as_deref() == Some(api.as_str()))
        {
            let Some(consumer) = catalog.services.get(e.consumer) else {
                continue;
            };
            if !consumer.runs_in(env) {
                continue;
            }
            if let Some((text, req)) = &e.requires {
                if !req.matches(new) {
                    out.push(violation(
                        ViolationKind::RequirementNotMet,
                        Some(&consumer.name),
                        Some(api),
                        format!(
                            "`{}` requires `{api}` `{text}` in `{env}`; {new} does not satisfy it",
                            consumer.name
                        ),
                    ));
                }
            }
            if let Some(n) = new_doc {
                for op in e.uses.iter().filter(|op| !n.has_operation(op)) {
                    out.push(violation(
                        ViolationKind::UsedOperationRemoved,
                        Some(&consumer.name),
                        Some(api),
                        format!(
                            "`{}` uses `{op}`, which `{api}` {new} does not offer",
                            consumer.name
                        ),
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> semver::Version {
        semver::Version::parse(s).unwrap_or_else(|_| semver::Version::new(0, 0, 0))
    }

    #[test]
    fn a_major_bump_is_the_major_or_below_1_the_minor() {
        assert!(major_bump(&v("3.1.0"), &v("4.0.0")));
        assert!(!major_bump(&v("3.1.0"), &v("3.2.0")));
        assert!(!major_bump(&v("4.0.0"), &v("4.0.0")));
        assert!(major_bump(&v("0.3.1"), &v("0.4.0")));
        assert!(!major_bump(&v("0.3.1"), &v("0.3.2")));
        assert!(major_bump(&v("0.3.1"), &v("1.0.0")));
    }
}
