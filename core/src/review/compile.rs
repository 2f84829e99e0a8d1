//! Reading release records: a directory of files, one file or named
//! sources; YAML (one record a document, several documents a file), JSON
//! (one record, or an array of records) and JSON Lines (`.jsonl`, one
//! record a line). Every record is typed (unknown fields refused), its
//! fields checked against each other ([`ReleaseRecord::problems`]) and its
//! release id held unique; every problem is reported at once with its
//! `file:line:column`. The only module of the slice that reads documents.

use std::collections::BTreeMap;
use std::path::Path;

use super::bands::{Band, Bands};
use super::effectiveness::{Decisions, Past};
use super::records::Records;
use crate::error::{CatalogError, Error, ErrorCode, SourceLocation};
use crate::lang::document::API_VERSION;
use crate::lang::inputs::{InputCodes, documents, input_files, read_sources, typed};
use crate::limits::Limits;
use crate::model::ReleaseRecord;

/// The error codes of release records.
const CODES: InputCodes = InputCodes {
    syntax: ErrorCode::RecordsSyntax,
    unknown_field: ErrorCode::RecordsUnknownField,
    invalid_field: ErrorCode::RecordsInvalidField,
    duplicate: ErrorCode::RecordsInvalidField,
    invalid_version: ErrorCode::RecordsInvalidField,
    docs: "docs/review.md",
};

/// The kind of a release record.
const KIND: &str = "ReleaseRecord";

/// The file extensions read in a records directory.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json", "jsonl"];

fn err(code: ErrorCode, at: SourceLocation, message: impl Into<String>) -> CatalogError {
    CatalogError::new(code, at, message)
}

impl Records {
    /// Read every record file (`.yaml`, `.yml`, `.json`, `.jsonl`) under
    /// `dir`, within `limits`.
    pub fn from_dir(dir: impl AsRef<Path>, limits: &Limits) -> Result<Records, Error> {
        let dir = dir.as_ref();
        let files = input_files(dir, EXTENSIONS)?;
        if files.is_empty() {
            return Err(err(
                ErrorCode::NoRecordFiles,
                SourceLocation::file(dir.display().to_string()),
                "no record files (`.yaml`, `.yml`, `.json` or `.jsonl`) in this directory",
            )
            .into());
        }
        let sources = read_sources(files, limits.max_records_bytes, &|f| too_large(f, limits))?;
        Records::from_sources(sources, limits)
    }

    /// Read one record file, or every record file of a directory.
    pub fn from_path(path: impl AsRef<Path>, limits: &Limits) -> Result<Records, Error> {
        let path = path.as_ref();
        if path.is_dir() {
            return Records::from_dir(path, limits);
        }
        let text = crate::lang::load::read_text(path, limits.max_records_bytes)?;
        Records::from_sources(vec![(path.display().to_string(), text)], limits)
    }

    /// Read records from `(name, text)` sources. A name ending in `.jsonl`
    /// is JSON Lines; a text starting with `{` or `[` is JSON; anything
    /// else YAML.
    pub fn from_sources(sources: Vec<(String, String)>, limits: &Limits) -> Result<Records, Error> {
        let total: usize = sources.iter().map(|(_, t)| t.len()).sum();
        if total > limits.max_records_bytes {
            let name = sources
                .first()
                .map(|(n, _)| n.as_str())
                .unwrap_or("records");
            return Err(too_large(name, limits).into());
        }
        let mut errors = Vec::new();
        let mut records: Vec<(ReleaseRecord, SourceLocation)> = Vec::new();
        for (name, text) in &sources {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let trimmed = text.trim_start();
            if name.ends_with(".jsonl") {
                json_lines(name, text, &mut records, &mut errors);
            } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
                json(name, text, &mut records, &mut errors);
            } else {
                yaml(name, text, limits, &mut records, &mut errors);
            }
            if records.len() > limits.max_records {
                return Err(err(
                    ErrorCode::RecordsOverLimit,
                    SourceLocation::file(name.clone()),
                    format!(
                        "more than the limit of {} release records",
                        limits.max_records
                    ),
                )
                .with_hint("raise `Limits::max_records`")
                .into());
            }
        }
        let mut first: BTreeMap<&str, &SourceLocation> = BTreeMap::new();
        for (r, at) in &records {
            if let Some(before) = first.insert(r.release.id.as_str(), at) {
                errors.push(
                    err(
                        ErrorCode::DuplicateRecord,
                        at.clone(),
                        format!("release `{}` has a record already", r.release.id),
                    )
                    .with_hint(format!(
                        "the first is at {before}; a redeploy is a new record with an id of its own (`{}.2`)",
                        r.release.id
                    )),
                );
            }
        }
        if !errors.is_empty() {
            return Err(Error::Catalog(errors));
        }
        Ok(Records::new(records.into_iter().map(|(r, _)| r).collect()))
    }
}

fn too_large(name: &str, limits: &Limits) -> CatalogError {
    err(
        ErrorCode::RecordsOverLimit,
        SourceLocation::file(name),
        format!(
            "release records are larger than the limit of {} bytes",
            limits.max_records_bytes
        ),
    )
    .with_hint("raise `Limits::max_records_bytes`, or review a shorter period")
}

/// The header checks and the checks between fields of one typed record,
/// each with the path of the field at fault.
fn check(record: &ReleaseRecord) -> Vec<(String, ErrorCode, String, Option<String>)> {
    let mut out = Vec::new();
    if record.api_version != API_VERSION {
        out.push((
            "apiVersion".to_string(),
            ErrorCode::UnsupportedApiVersion,
            format!("unsupported apiVersion `{}`", record.api_version),
            Some(format!("use `apiVersion: {API_VERSION}`")),
        ));
    }
    if record.kind != KIND {
        out.push((
            "kind".to_string(),
            ErrorCode::UnsupportedKind,
            format!("unsupported kind `{}` in release records", record.kind),
            Some(format!("use `kind: {KIND}`")),
        ));
    }
    for (path, message) in record.problems() {
        out.push((path, ErrorCode::InconsistentRecord, message, None));
    }
    out
}

/// Keep `record` when it has no problem; report them otherwise, located by
/// `at(path)`, with the path named in the message when `name_path` (JSON,
/// which keeps no positions once parsed).
fn keep(
    record: ReleaseRecord,
    at: &dyn Fn(&str) -> SourceLocation,
    name_path: bool,
    out: &mut Vec<(ReleaseRecord, SourceLocation)>,
    errors: &mut Vec<CatalogError>,
) {
    let problems = check(&record);
    if problems.is_empty() {
        out.push((record, at("")));
        return;
    }
    for (path, code, message, hint) in problems {
        let message = if name_path {
            format!("release `{}`: {message} (at `{path}`)", record.release.id)
        } else {
            message
        };
        let mut e = err(code, at(&path), message);
        if let Some(h) = hint {
            e = e.with_hint(h);
        }
        errors.push(e);
    }
}

fn yaml(
    name: &str,
    text: &str,
    limits: &Limits,
    out: &mut Vec<(ReleaseRecord, SourceLocation)>,
    errors: &mut Vec<CatalogError>,
) {
    for doc in documents(name, text, limits, &CODES, errors) {
        if doc.kind != KIND {
            errors.push(
                err(
                    ErrorCode::UnsupportedKind,
                    doc.locs.at("kind"),
                    format!("unsupported kind `{}` in release records", doc.kind),
                )
                .with_hint(format!("use `kind: {KIND}`")),
            );
            continue;
        }
        match typed::<ReleaseRecord>(&doc, &CODES) {
            Ok(r) => keep(r, &|p| doc.locs.at(p), false, out, errors),
            Err(e) => errors.push(e),
        }
    }
}

/// `text` as JSON of type `T`, or the error at its line and column (of
/// `text`; `line` is added to place a line of JSON Lines) with the path of
/// the field at fault. Duplicate keys are refused (serde refuses a field
/// given twice).
fn parse_json<T: serde::de::DeserializeOwned>(
    name: &str,
    text: &str,
    line: usize,
) -> Result<T, CatalogError> {
    let mut de = serde_json::Deserializer::from_str(text);
    if let Ok(v) = T::deserialize(&mut de).and_then(|v| de.end().map(|()| v)) {
        return Ok(v);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let e = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => match de.end() {
            Ok(()) => {
                return Err(err(
                    ErrorCode::RecordsSyntax,
                    SourceLocation::file(name),
                    "invalid JSON",
                ));
            }
            Err(e) => {
                return Err(err(
                    ErrorCode::RecordsSyntax,
                    SourceLocation::new(name, line + e.line().saturating_sub(1), e.column()),
                    strip_position(&e.to_string()),
                ));
            }
        },
        Err(e) => e,
    };
    let inner = e.inner();
    let at = SourceLocation::new(name, line + inner.line().saturating_sub(1), inner.column());
    let msg = strip_position(&inner.to_string());
    let path = e.path().to_string();
    let code = if inner.is_syntax() || inner.is_eof() {
        ErrorCode::RecordsSyntax
    } else if msg.starts_with("unknown field") {
        ErrorCode::RecordsUnknownField
    } else {
        ErrorCode::RecordsInvalidField
    };
    let msg = if path == "." || path.is_empty() || code == ErrorCode::RecordsSyntax {
        msg
    } else {
        format!("{msg} (at `{path}`)")
    };
    let mut e = err(code, at, msg);
    if code == ErrorCode::RecordsUnknownField {
        e = e.with_hint(
            "fields are camelCase; `kind: ReleaseRecord` is described in docs/review.md",
        );
    }
    Err(e)
}

/// serde_json's message without its ` at line L column C` suffix.
fn strip_position(msg: &str) -> String {
    msg.split(" at line ").next().unwrap_or(msg).to_string()
}

/// A JSON text: one record, or an array of records.
fn json(
    name: &str,
    text: &str,
    out: &mut Vec<(ReleaseRecord, SourceLocation)>,
    errors: &mut Vec<CatalogError>,
) {
    let at = |_: &str| SourceLocation::new(name, 1, 1);
    if text.trim_start().starts_with('[') {
        match parse_json::<Vec<ReleaseRecord>>(name, text, 1) {
            Ok(rs) => rs.into_iter().for_each(|r| keep(r, &at, true, out, errors)),
            Err(e) => errors.push(e),
        }
    } else {
        match parse_json::<ReleaseRecord>(name, text, 1) {
            Ok(r) => keep(r, &at, true, out, errors),
            Err(e) => errors.push(e),
        }
    }
}

/// JSON Lines: one record a line; blank lines are skipped.
fn json_lines(
    name: &str,
    text: &str,
    out: &mut Vec<(ReleaseRecord, SourceLocation)>,
    errors: &mut Vec<CatalogError>,
) {
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_json::<ReleaseRecord>(name, line, i + 1) {
            Ok(r) => keep(
                r,
                &|_| SourceLocation::new(name, i + 1, 1),
                true,
                out,
                errors,
            ),
            Err(e) => errors.push(e),
        }
    }
}

/// The bound a band of a key is read by, as a number.
type BoundOf = fn(&Band) -> Option<f64>;

impl Bands {
    /// Bands from YAML or JSON text, checked: every band but the last of a
    /// key has the bound its key reads, the bounds strictly ordered.
    pub fn from_yaml_str(name: &str, text: &str) -> Result<Bands, Error> {
        let bad = |msg: String| {
            Error::Catalog(vec![
                CatalogError::new(
                    ErrorCode::RecordsInvalidField,
                    SourceLocation::file(name),
                    msg,
                )
                .with_hint("see \"Performance bands\" in docs/review.md"),
            ])
        };
        if let Some((l, c)) = crate::limits::yaml_alias(text) {
            return Err(bad(format!(
                "YAML alias at {l}:{c}: aliases are not allowed"
            )));
        }
        let bands: Bands = yaml_serde::from_str(text).map_err(|e| bad(e.to_string()))?;
        if bands.api_version != API_VERSION || bands.kind != "PerformanceBands" {
            return Err(bad(format!(
                "expected `apiVersion: release-policy/v1` and `kind: PerformanceBands`, found `{}` `{}`",
                bands.api_version, bands.kind
            )));
        }
        let s = &bands.spec;
        let keys: [(&str, &Vec<Band>, BoundOf, bool); 4] = [
            (
                "deploymentFrequency",
                &s.deployment_frequency,
                |b| {
                    b.deployments
                        .zip(b.per)
                        .map(|(n, p)| n / (p.as_millis() as f64 / 86_400_000.0))
                },
                false,
            ),
            (
                "leadTime",
                &s.lead_time,
                |b| b.under.map(|u| u.as_millis() as f64),
                true,
            ),
            (
                "changeFailureRate",
                &s.change_failure_rate,
                |b| b.at_most,
                true,
            ),
            (
                "recovery",
                &s.recovery,
                |b| b.under.map(|u| u.as_millis() as f64),
                true,
            ),
        ];
        for (key, list, bound, rising) in keys {
            if list.is_empty() {
                return Err(bad(format!("`spec.{key}` has no bands")));
            }
            let mut last: Option<f64> = None;
            for (i, b) in list.iter().enumerate().take(list.len() - 1) {
                let Some(v) = bound(b).filter(|v| v.is_finite() && *v > 0.0) else {
                    return Err(bad(format!(
                        "band `{}` of `spec.{key}[{i}]` has no positive bound",
                        b.band
                    )));
                };
                if let Some(l) = last {
                    if (rising && v <= l) || (!rising && v >= l) {
                        return Err(bad(format!(
                            "the bounds of `spec.{key}` are not in order at band `{}`",
                            b.band
                        )));
                    }
                }
                last = Some(v);
            }
        }
        Ok(bands)
    }
}

impl Decisions {
    /// Read past decisions and assessments: every `.json` file under a
    /// directory (or one file), each a decision (`release-policy check
    /// --format json`) or an assessment (`assess --format json`), or a
    /// `.jsonl` file of them, one a line. They are found by their
    /// `factsDigest`, which release records name in `decisions`.
    pub fn from_path(path: impl AsRef<Path>, limits: &Limits) -> Result<Decisions, Error> {
        let path = path.as_ref();
        let files = if path.is_dir() {
            input_files(path, &["json", "jsonl"])?
        } else {
            vec![path.to_path_buf()]
        };
        let sources = read_sources(files, limits.max_records_bytes, &|f| too_large(f, limits))?;
        Decisions::from_sources(sources, limits)
    }

    /// Decisions and assessments from `(name, text)` sources: JSON, or
    /// JSON Lines when the name ends in `.jsonl`.
    pub fn from_sources(
        sources: Vec<(String, String)>,
        limits: &Limits,
    ) -> Result<Decisions, Error> {
        let total: usize = sources.iter().map(|(_, t)| t.len()).sum();
        if total > limits.max_records_bytes {
            let name = sources
                .first()
                .map(|(n, _)| n.as_str())
                .unwrap_or("decisions");
            return Err(too_large(name, limits).into());
        }
        let mut out = Decisions::default();
        let mut errors = Vec::new();
        for (name, text) in &sources {
            let lines: Vec<(usize, &str)> = if name.ends_with(".jsonl") {
                text.lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                    .map(|(i, l)| (i + 1, l))
                    .collect()
            } else {
                vec![(1, text.as_str())]
            };
            for (line, text) in lines {
                match serde_json::from_str::<Past>(text) {
                    Ok(p) if p.is_decision() || p.is_assessment() => {
                        out.by_digest.insert(p.facts_digest.clone(), p);
                    }
                    Ok(p) => errors.push(err(
                        ErrorCode::RecordsInvalidField,
                        SourceLocation::new(name, line, 1),
                        format!(
                            "schema `{}` is neither a decision nor an assessment",
                            p.schema
                        ),
                    )),
                    Err(e) => errors.push(
                        err(
                            ErrorCode::RecordsSyntax,
                            SourceLocation::new(
                                name,
                                line + e.line().saturating_sub(1),
                                e.column(),
                            ),
                            format!(
                                "not a decision or an assessment: {}",
                                strip_position(&e.to_string())
                            ),
                        )
                        .with_hint(
                            "give the JSON `check --format json` and `assess --format json` print",
                        ),
                    ),
                }
            }
        }
        if !errors.is_empty() {
            return Err(Error::Catalog(errors));
        }
        Ok(out)
    }
}
