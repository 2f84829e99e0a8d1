//! Reading a catalog and a release plan: files and directories, each
//! document located (`file:line:column` of every error), checked against
//! the others (unknown services, duplicates, versions and requirements,
//! OpenAPI documents, calendars and their exemptions), all problems
//! reported at once. The only module of the slice that reads documents.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::calendar::{Calendar, FreezeSpec, WindowSpec};
use super::catalog::{
    Catalog, CatalogData, ChangeKind, Edge, Lockstep, Provide, Release, ReleasePlan,
    ScopedCalendar, Service,
};
use super::documents::{
    API_VERSION, CATALOG_KINDS, CalendarDoc, ChangeDoc, DependencyKind, EnvironmentDoc,
    ReleasePlanDoc, ServiceDoc,
};
use super::openapi::{OpenApi, operation_key};
use crate::error::{CatalogError, Error, ErrorCode, SourceLocation};
use crate::expr::suggest::did_you_mean;
use crate::expr::{CompiledExpr, Variables, Want};
use crate::lang::locate::{DocLocations, SourceLocations};
use crate::limits::Limits;
use crate::model::Duration;
use crate::model::shape::Shape;

/// A source: its name (a path) and text.
type Source = (String, String);

/// One document of a source, with its locations.
struct Doc {
    value: yaml_serde::Value,
    kind: String,
    locs: DocLocations,
    file: String,
}

/// How far a release may be moved by default: 30 days.
const DEFAULT_HORIZON_MS: i64 = 30 * 24 * 3_600_000;

/// Names of services, APIs, environments, calendars: lowercase ASCII
/// letters, digits, `-`, `.` and `_`, starting with a letter or digit (as
/// Kubernetes names), so that a look-alike (`paymеnts` with a Cyrillic
/// `е`) or a blank name is refused instead of naming another thing.
pub(crate) fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._".contains(c))
        && name.len() <= 253
}

fn err(code: ErrorCode, at: SourceLocation, message: impl Into<String>) -> CatalogError {
    CatalogError::new(code, at, message)
}

impl Catalog {
    /// Load every catalog file (`.yaml`, `.yml`, `.json`) under `dir`,
    /// within `limits`. Files named by a service's `openapi` are read as
    /// OpenAPI documents, not as catalog files.
    pub fn from_dir(dir: impl AsRef<Path>, limits: &Limits) -> Result<Catalog, Error> {
        let dir = dir.as_ref();
        let files = catalog_files(dir)?;
        if files.is_empty() {
            return Err(err(
                ErrorCode::NoCatalogFiles,
                SourceLocation::file(dir.display().to_string()),
                "no catalog files (`.yaml`, `.yml` or `.json`) in this directory",
            )
            .into());
        }
        let mut sources = Vec::new();
        let mut total = 0usize;
        for f in files {
            let text = crate::lang::load::read_text(&f, limits.max_catalog_bytes)?;
            total += text.len();
            if total > limits.max_catalog_bytes {
                return Err(too_large(&f.display().to_string(), limits).into());
            }
            sources.push((f.display().to_string(), text));
        }
        load_catalog(sources, limits, &|p: &Path| {
            crate::lang::load::read_text(p, limits.max_openapi_bytes)
        })
    }

    /// Load one catalog file.
    pub fn from_file(path: impl AsRef<Path>, limits: &Limits) -> Result<Catalog, Error> {
        let path = path.as_ref();
        let text = crate::lang::load::read_text(path, limits.max_catalog_bytes)?;
        load_catalog(
            vec![(path.display().to_string(), text)],
            limits,
            &|p: &Path| crate::lang::load::read_text(p, limits.max_openapi_bytes),
        )
    }

    /// Load a catalog from `(name, text)` sources. An `openapi` reference
    /// is resolved against the naming source's directory and must be
    /// one of the sources; nothing is read from disk.
    pub fn from_sources(sources: Vec<(String, String)>, limits: &Limits) -> Result<Catalog, Error> {
        let all: BTreeMap<PathBuf, String> = sources
            .iter()
            .map(|(n, t)| (normalise(Path::new(n)), t.clone()))
            .collect();
        load_catalog(sources, limits, &|p: &Path| {
            all.get(&normalise(p)).cloned().ok_or_else(|| {
                Error::io(
                    ErrorCode::ReadFailed,
                    p.display().to_string(),
                    "no such source",
                )
            })
        })
    }
}

fn too_large(name: &str, limits: &Limits) -> CatalogError {
    err(
        ErrorCode::CatalogOverLimit,
        SourceLocation::file(name),
        format!(
            "catalog is larger than the limit of {} bytes",
            limits.max_catalog_bytes
        ),
    )
    .with_hint("raise `Limits::max_catalog_bytes`")
}

/// `a/./b/../c` → `a/c`, without touching the disk.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The `.yaml`, `.yml` and `.json` files under `dir`, sorted; hidden
/// directories are skipped, symlinked directories not followed, and a
/// FIFO or device refused.
fn catalog_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    if !dir.is_dir() {
        return Err(Error::io(
            ErrorCode::NotADirectory,
            dir.display().to_string(),
            "not a directory",
        ));
    }
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| {
            Error::io(
                ErrorCode::ReadFailed,
                d.display().to_string(),
                e.to_string().to_lowercase(),
            )
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(ext, "yaml" | "yml" | "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Parse every document of a source; null documents are skipped.
fn documents(name: &str, text: &str, limits: &Limits, errors: &mut Vec<CatalogError>) -> Vec<Doc> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let syntax = |line, column, message: String| {
        err(
            ErrorCode::CatalogSyntax,
            SourceLocation::new(name, line, column),
            message,
        )
    };
    if let Some((l, c)) = crate::limits::yaml_too_deep(text, limits.max_yaml_nesting) {
        errors.push(syntax(
            l,
            c,
            format!(
                "`[`/`{{` nesting deeper than the limit of {}",
                limits.max_yaml_nesting
            ),
        ));
        return Vec::new();
    }
    if let Some((l, c, ch)) = crate::limits::yaml_control_char(text) {
        errors.push(syntax(
            l,
            c,
            format!(
                "control character U+{:04X} is not allowed in YAML",
                u32::from(ch)
            ),
        ));
        return Vec::new();
    }
    if let Some((l, c)) = crate::limits::yaml_alias(text) {
        errors.push(
            syntax(l, c, "YAML aliases (`*name`) are not allowed".to_string()).with_hint(
                "write the value out: an alias can multiply a document past every limit",
            ),
        );
        return Vec::new();
    }
    let sources = SourceLocations::new(name, Arc::from(text));
    let mut docs = Vec::new();
    for (i, de) in yaml_serde::Deserializer::from_str(text).enumerate() {
        let value = match <yaml_serde::Value as serde::Deserialize>::deserialize(de) {
            Ok(yaml_serde::Value::Null) => continue,
            Ok(v) => v,
            Err(e) => {
                let (l, c) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                let code = if msg.contains("duplicate") {
                    ErrorCode::DuplicateName
                } else {
                    ErrorCode::CatalogSyntax
                };
                errors.push(err(code, SourceLocation::new(name, l, c), msg));
                break;
            }
        };
        let locs = sources.doc(i);
        let field = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let api = field("apiVersion");
        if api.as_deref() != Some(API_VERSION) {
            errors.push(
                err(
                    ErrorCode::UnsupportedApiVersion,
                    locs.at("apiVersion"),
                    format!("unsupported apiVersion `{}`", api.unwrap_or_default()),
                )
                .with_hint(format!("use `apiVersion: {API_VERSION}`")),
            );
            continue;
        }
        let kind = field("kind").unwrap_or_default();
        docs.push(Doc {
            value,
            kind,
            locs,
            file: name.to_string(),
        });
    }
    docs
}

/// Deserialise a document into its type, with the error located.
fn typed<T: DeserializeOwned>(doc: &Doc) -> Result<T, CatalogError> {
    serde_path_to_error::deserialize(doc.value.clone()).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let msg = e.inner().to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        // A missing field is reported at the mapping that lacks it.
        let at = doc.locs.at(&path);
        let code = if msg.starts_with("unknown field") {
            ErrorCode::CatalogUnknownField
        } else if msg.contains("semantic version") {
            ErrorCode::InvalidVersion
        } else if msg.contains("duplicate") {
            ErrorCode::DuplicateName
        } else {
            ErrorCode::CatalogInvalidField
        };
        let mut e = err(code, at, msg);
        if code == ErrorCode::CatalogUnknownField {
            e = e.with_hint(format!(
                "fields are camelCase; `kind: {}` is described in docs/plan.md",
                doc.kind
            ));
        }
        e
    })
}

/// Read the catalog documents, then check them against each other.
fn load_catalog(
    sources: Vec<Source>,
    limits: &Limits,
    read: &dyn Fn(&Path) -> Result<String, Error>,
) -> Result<Catalog, Error> {
    // Parse every source, keeping each file's problems apart: a file that
    // turns out to be an OpenAPI document named by a service is not a
    // catalog file.
    let mut per_file: Vec<(String, Vec<Doc>)> = Vec::new();
    let mut file_errors: Vec<(String, Vec<CatalogError>)> = Vec::new();
    for (name, text) in &sources {
        let mut errors = Vec::new();
        let docs = documents(name, text, limits, &mut errors);
        per_file.push((name.clone(), docs));
        file_errors.push((name.clone(), errors));
    }
    let mut services = Vec::new();
    let mut calendars = Vec::new();
    let mut environments = Vec::new();
    let mut errors = Vec::new();
    let mut kind_errors = Vec::new();
    for (_, docs) in &per_file {
        for doc in docs {
            match doc.kind.as_str() {
                "Service" => match typed::<ServiceDoc>(doc) {
                    Ok(s) => services.push((s, doc)),
                    Err(e) => errors.push(e),
                },
                "Calendar" => match typed::<CalendarDoc>(doc) {
                    Ok(c) => calendars.push((c, doc)),
                    Err(e) => errors.push(e),
                },
                "Environment" => match typed::<EnvironmentDoc>(doc) {
                    Ok(e) => environments.push((e, doc)),
                    Err(e) => errors.push(e),
                },
                other => kind_errors.push((
                    doc.file.clone(),
                    err(
                        ErrorCode::UnsupportedKind,
                        doc.locs.at("kind"),
                        format!("unsupported kind `{other}` in a catalog"),
                    )
                    .with_hint(format!(
                        "a catalog holds `{}`; a `ReleasePlan` is given on its own",
                        CATALOG_KINDS.join("`, `")
                    )),
                )),
            }
        }
    }
    // OpenAPI documents named by the services.
    let mut openapi_files = BTreeSet::new();
    for (s, doc) in &services {
        for p in s.spec.provides.iter().filter_map(|p| p.openapi.as_ref()) {
            openapi_files.insert(normalise(&relative_to(&doc.file, p)));
        }
    }
    let is_openapi = |file: &str| openapi_files.contains(&normalise(Path::new(file)));
    for (file, mut es) in file_errors {
        if !is_openapi(&file) {
            errors.append(&mut es);
        }
    }
    errors.extend(
        kind_errors
            .into_iter()
            .filter(|(f, _)| !is_openapi(f))
            .map(|(_, e)| e),
    );
    if !errors.is_empty() {
        return Err(Error::Catalog(errors));
    }
    build(services, calendars, environments, limits, read)
}

/// The path `reference` names, relative to the file `from`.
fn relative_to(from: &str, reference: &str) -> PathBuf {
    let r = Path::new(reference);
    if r.is_absolute() {
        return r.to_path_buf();
    }
    Path::new(from)
        .parent()
        .map_or_else(|| r.to_path_buf(), |d| d.join(r))
}

/// The catalog from its typed documents.
fn build(
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
    for (i, e) in edges.iter().enumerate() {
        if let Some(v) = consumers_of.get_mut(e.provider) {
            v.push(i);
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
            providers_of,
            calendars,
            exclusive,
        }),
    })
}

fn bad_name(what: &str, name: &str, at: SourceLocation) -> CatalogError {
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
        environments,
        provides,
        deployed: spec
            .deployed
            .iter()
            .map(|(k, v)| (k.clone(), v.as_semver().clone()))
            .collect(),
    }
}

/// The shape exemptions read: `release`.
pub(crate) fn release_shape() -> Shape {
    let s = |pairs: &[(&str, Shape)]| {
        Shape::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    };
    s(&[(
        "release",
        s(&[
            ("service", Shape::String),
            ("version", Shape::Version),
            ("kind", Shape::String),
            ("change", Shape::String),
            ("environment", Shape::String),
            ("team", Shape::String),
            ("start", Shape::Timestamp),
            ("duration", Shape::Duration),
            ("provides", Shape::Map(Box::new(Shape::Version))),
        ]),
    )])
}

/// The calendars, sorted by name, with their scopes and exemptions.
fn calendars(
    docs: Vec<(CalendarDoc, &Doc)>,
    services: &BTreeMap<String, usize>,
    environments: &BTreeSet<String>,
    limits: &Limits,
    errors: &mut Vec<CatalogError>,
) -> Vec<ScopedCalendar> {
    let roots = release_shape();
    let mut out: Vec<ScopedCalendar> = Vec::new();
    let mut seen = BTreeSet::new();
    for (c, doc) in docs {
        let name = &c.metadata.name;
        if !valid_name(name) {
            errors.push(bad_name("calendar", name, doc.locs.at("metadata.name")));
            continue;
        }
        if !seen.insert(name.clone()) {
            errors.push(err(
                ErrorCode::DuplicateName,
                doc.locs.at("metadata.name"),
                format!("calendar `{name}` is defined twice"),
            ));
            continue;
        }
        let windows: Vec<WindowSpec<'_>> = c
            .spec
            .windows
            .iter()
            .map(|w| WindowSpec {
                name: &w.name,
                days: &w.days,
                from: &w.from,
                to: &w.to,
            })
            .collect();
        let freezes: Vec<FreezeSpec<'_>> = c
            .spec
            .freezes
            .iter()
            .map(|f| FreezeSpec {
                name: &f.name,
                from: &f.from,
                to: &f.to,
            })
            .collect();
        let calendar = match Calendar::new(name, &c.spec.time_zone, &windows, &freezes) {
            Ok(cal) => cal,
            Err(e) => {
                let mut ce = err(
                    ErrorCode::InvalidCalendar,
                    doc.locs.at(&format!("spec.{}", e.path)),
                    e.message,
                );
                ce.hint = e.hint;
                errors.push(ce);
                continue;
            }
        };
        let scope = &c.spec.applies_to;
        for (i, s) in scope.services.iter().enumerate() {
            if !services.contains_key(s) {
                errors.push(err(
                    ErrorCode::UnknownReference,
                    doc.locs.at(&format!("spec.appliesTo.services[{i}]")),
                    format!("unknown service `{s}`"),
                ));
            }
        }
        let env_list: Vec<&str> = environments.iter().map(String::as_str).collect();
        for (i, e) in scope.environments.iter().enumerate() {
            if !environments.contains(e) {
                let mut ce = err(
                    ErrorCode::UnknownReference,
                    doc.locs.at(&format!("spec.appliesTo.environments[{i}]")),
                    format!("unknown environment `{e}`: no service runs in it"),
                );
                ce.hint = did_you_mean(e, &env_list);
                errors.push(ce);
            }
        }
        let mut exemptions = Vec::new();
        for (i, f) in c.spec.freezes.iter().enumerate() {
            let compiled = f.exempt.as_ref().and_then(|src| {
                match CompiledExpr::compile(src, Want::Bool, &roots, &Variables::default(), limits)
                {
                    Ok(e) => Some(e),
                    Err(e) => {
                        let at =
                            doc.locs
                                .in_scalar(&format!("spec.freezes[{i}].exempt"), e.offset, src);
                        let mut ce = err(e.code, at, e.message);
                        ce.hint = e.hint;
                        errors.push(ce);
                        None
                    }
                }
            });
            exemptions.push(compiled);
        }
        out.push(ScopedCalendar {
            calendar,
            environments: scope.environments.iter().cloned().collect(),
            services: scope.services.iter().cloned().collect(),
            exemptions,
        });
    }
    out.sort_by(|a, b| a.calendar.name().cmp(b.calendar.name()));
    out
}

impl ReleasePlan {
    /// Read a release plan file.
    pub fn from_file(path: impl AsRef<Path>, limits: &Limits) -> Result<ReleasePlan, Error> {
        let path = path.as_ref();
        let text = crate::lang::load::read_text(path, limits.max_catalog_bytes)?;
        Self::from_yaml_str(&path.display().to_string(), &text, limits)
    }

    /// Read a release plan from text (YAML or JSON) named `name`: one
    /// `kind: ReleasePlan` document.
    pub fn from_yaml_str(name: &str, text: &str, limits: &Limits) -> Result<ReleasePlan, Error> {
        let mut errors = Vec::new();
        if text.len() > limits.max_catalog_bytes {
            return Err(too_large(name, limits).into());
        }
        let docs = documents(name, text, limits, &mut errors);
        if !errors.is_empty() {
            return Err(Error::Catalog(errors));
        }
        let mut plans = Vec::new();
        for doc in &docs {
            if doc.kind != "ReleasePlan" {
                errors.push(
                    err(
                        ErrorCode::UnsupportedKind,
                        doc.locs.at("kind"),
                        format!("unsupported kind `{}` in a release plan", doc.kind),
                    )
                    .with_hint("a release plan file holds one `kind: ReleasePlan` document"),
                );
                continue;
            }
            match typed::<ReleasePlanDoc>(doc) {
                Ok(p) => plans.push((p, doc)),
                Err(e) => errors.push(e),
            }
        }
        if plans.len() > 1 {
            if let Some((_, d)) = plans.get(1) {
                errors.push(err(
                    ErrorCode::DuplicateName,
                    d.locs.at(""),
                    "a release plan file holds one `ReleasePlan` document; this is a second",
                ));
            }
        }
        let Some((p, doc)) = plans.into_iter().next() else {
            if errors.is_empty() {
                errors.push(err(
                    ErrorCode::CatalogInvalidField,
                    SourceLocation::file(name),
                    "no `kind: ReleasePlan` document",
                ));
            }
            return Err(Error::Catalog(errors));
        };
        let plan = release_plan(p, doc, limits, &mut errors);
        if errors.is_empty() {
            Ok(plan)
        } else {
            Err(Error::Catalog(errors))
        }
    }
}

/// The releases of a plan document, checked on their own (the catalog is
/// checked when planned).
fn release_plan(
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
