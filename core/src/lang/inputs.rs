//! Reading input documents other than policies — catalogs, calendars,
//! release plans, release records: YAML (several documents a file) with
//! every value located (`file:line:column` of each error), refused before
//! parsing when too deep, holding control characters or aliases; each
//! document's `apiVersion` checked and its `kind` read; typed by serde with
//! the path of the field at fault. Each input names its own error codes
//! ([`InputCodes`]). Also the files of an input directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::document::API_VERSION;
use super::locate::{DocLocations, SourceLocations};
use crate::error::{CatalogError, Error, ErrorCode, SourceLocation};
use crate::limits::Limits;

/// The error codes of one kind of input.
pub(crate) struct InputCodes {
    /// Not well-formed, too deep, an alias.
    pub(crate) syntax: ErrorCode,
    /// A field the schema does not know.
    pub(crate) unknown_field: ErrorCode,
    /// A wrong type or a missing field.
    pub(crate) invalid_field: ErrorCode,
    /// A key given twice.
    pub(crate) duplicate: ErrorCode,
    /// A version that is not a semantic version.
    pub(crate) invalid_version: ErrorCode,
    /// Where the kinds are described, for hints (`docs/plan.md`).
    pub(crate) docs: &'static str,
}

/// One document of a source, with its locations.
pub(crate) struct Doc {
    /// The document.
    pub(crate) value: yaml_serde::Value,
    /// Its `kind`.
    pub(crate) kind: String,
    /// Where each of its values is.
    pub(crate) locs: DocLocations,
    /// The source's name.
    pub(crate) file: String,
}

fn err(code: ErrorCode, at: SourceLocation, message: impl Into<String>) -> CatalogError {
    CatalogError::new(code, at, message)
}

/// Parse every document of a source; null documents are skipped.
pub(crate) fn documents(
    name: &str,
    text: &str,
    limits: &Limits,
    codes: &InputCodes,
    errors: &mut Vec<CatalogError>,
) -> Vec<Doc> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let syntax = |line, column, message: String| {
        err(
            codes.syntax,
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
                    codes.duplicate
                } else {
                    codes.syntax
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
pub(crate) fn typed<T: DeserializeOwned>(doc: &Doc, codes: &InputCodes) -> Result<T, CatalogError> {
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
            codes.unknown_field
        } else if msg.contains("semantic version") {
            codes.invalid_version
        } else if msg.contains("duplicate") {
            codes.duplicate
        } else {
            codes.invalid_field
        };
        let mut e = err(code, at, msg);
        if code == codes.unknown_field {
            e = e.with_hint(format!(
                "fields are camelCase; `kind: {}` is described in {}",
                doc.kind, codes.docs
            ));
        }
        e
    })
}

/// The `.yaml`, `.yml` and `.json` files under `dir`, sorted; hidden
/// directories are skipped, symlinked directories not followed, and a
/// FIFO or device refused.
pub(crate) fn input_files(dir: &Path, exts: &[&str]) -> Result<Vec<PathBuf>, Error> {
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
            if exts.contains(&ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The text of every file of `files`, each named by its path, as long as
/// all together stay within `max` bytes (`too_large` names the file that
/// goes over).
pub(crate) fn read_sources(
    files: Vec<PathBuf>,
    max: usize,
    too_large: &dyn Fn(&str) -> CatalogError,
) -> Result<Vec<(String, String)>, Error> {
    let mut sources = Vec::new();
    let mut total = 0usize;
    for f in files {
        let text = super::load::read_text(&f, max)?;
        total += text.len();
        if total > max {
            return Err(too_large(&f.display().to_string()).into());
        }
        sources.push((f.display().to_string(), text));
    }
    Ok(sources)
}
