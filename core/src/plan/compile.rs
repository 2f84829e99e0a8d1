//! Reading a catalog and a release plan: files and directories, each
//! document located (`file:line:column` of every error), checked against
//! the others (unknown services, duplicates, versions and requirements,
//! OpenAPI documents, calendars and their exemptions), all problems
//! reported at once. The only module of the slice that reads documents.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::catalog::{Catalog, ReleasePlan};
use super::documents::{CATALOG_KINDS, CalendarDoc, EnvironmentDoc, ReleasePlanDoc, ServiceDoc};
use crate::error::{CatalogError, Error, ErrorCode, SourceLocation};
use crate::lang::inputs::{Doc, InputCodes, documents, input_files, read_sources, typed};
use crate::limits::Limits;

mod calendars;
mod release_plan;
mod services;

pub(crate) use calendars::release_shape;

/// A source: its name (a path) and text.
type Source = (String, String);

/// The error codes of catalogs and release plans.
const CODES: InputCodes = InputCodes {
    syntax: ErrorCode::CatalogSyntax,
    unknown_field: ErrorCode::CatalogUnknownField,
    invalid_field: ErrorCode::CatalogInvalidField,
    duplicate: ErrorCode::DuplicateName,
    invalid_version: ErrorCode::InvalidVersion,
    docs: "docs/plan.md",
};

/// How far a release may be moved by default: 30 days.
const DEFAULT_HORIZON_MS: i64 = 30 * 24 * 3_600_000;

pub(crate) use crate::model::identity::valid_name;

fn err(code: ErrorCode, at: SourceLocation, message: impl Into<String>) -> CatalogError {
    CatalogError::new(code, at, message)
}

impl Catalog {
    /// Load every catalog file (`.yaml`, `.yml`, `.json`) under `dir`,
    /// within `limits`. Files named by a service's `openapi` are read as
    /// OpenAPI documents, not as catalog files.
    pub fn from_dir(dir: impl AsRef<Path>, limits: &Limits) -> Result<Catalog, Error> {
        let dir = dir.as_ref();
        let files = input_files(dir, &["yaml", "yml", "json"])?;
        if files.is_empty() {
            return Err(err(
                ErrorCode::NoCatalogFiles,
                SourceLocation::file(dir.display().to_string()),
                "no catalog files (`.yaml`, `.yml` or `.json`) in this directory",
            )
            .into());
        }
        let sources = read_sources(files, limits.max_catalog_bytes, &|f| too_large(f, limits))?;
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
        let docs = documents(name, text, limits, &CODES, &mut errors);
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
                "Service" => match typed::<ServiceDoc>(doc, &CODES) {
                    Ok(s) => services.push((s, doc)),
                    Err(e) => errors.push(e),
                },
                "Calendar" => match typed::<CalendarDoc>(doc, &CODES) {
                    Ok(c) => calendars.push((c, doc)),
                    Err(e) => errors.push(e),
                },
                "Environment" => match typed::<EnvironmentDoc>(doc, &CODES) {
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
    services::build(services, calendars, environments, limits, read)
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
        let docs = documents(name, text, limits, &CODES, &mut errors);
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
            match typed::<ReleasePlanDoc>(doc, &CODES) {
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
        let plan = release_plan::release_plan(p, doc, limits, &mut errors);
        if errors.is_empty() {
            Ok(plan)
        } else {
            Err(Error::Catalog(errors))
        }
    }
}
