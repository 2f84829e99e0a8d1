//! Reading a catalog and a release plan: files and directories, each
//! document located (`file:line:column` of every error), checked against
//! the others (unknown services, duplicates, versions and requirements,
//! OpenAPI documents, calendars and their exemptions), all problems
//! reported at once. The only module of the slice that reads documents.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::catalog::{Catalog, ReleasePlan};
use super::documents::{
    API_VERSION, CATALOG_KINDS, CalendarDoc, EnvironmentDoc, ReleasePlanDoc, ServiceDoc,
};
use crate::error::{CatalogError, Error, ErrorCode, SourceLocation};
use crate::lang::locate::{DocLocations, SourceLocations};
use crate::limits::Limits;

mod calendars;
mod release_plan;
mod services;

pub(crate) use calendars::release_shape;

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
    // The common, valid case costs no path tracking; only a failure is
    // read again to name the path.
    if let Ok(v) = T::deserialize(&doc.value) {
        return Ok(v);
    }
    serde_path_to_error::deserialize(&doc.value).map_err(|e| {
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
        let plan = release_plan::release_plan(p, doc, limits, &mut errors);
        if errors.is_empty() {
            Ok(plan)
        } else {
            Err(Error::Catalog(errors))
        }
    }
}
