//! Reading policy sources: files, directories, strings and the built-in
//! pack embedded in the binary. Each source is parsed into its documents,
//! each with the positions of its values.

use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::document::{API_VERSION, PolicyDocument};
use super::locate::{DocLocations, SourceLocations};
use crate::error::{Error, ErrorCode, PolicyError, SourceLocation};
use crate::limits::Limits;

/// One parsed policy document with where it came from.
#[derive(Debug, Clone)]
pub(crate) struct SourceDoc {
    pub doc: PolicyDocument,
    pub locs: DocLocations,
}

/// A policy source: a name (file path) and its text.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub name: String,
    pub text: String,
    /// For a file of the built-in pack: its documents as a JSON array,
    /// converted from `text` when the library was built (`build.rs`), which
    /// [`parse`] reads instead of the YAML.
    pub parsed: Option<&'static str>,
}

impl Source {
    /// A source read from its text alone.
    pub(crate) fn new(name: String, text: String) -> Self {
        Self {
            name,
            text,
            parsed: None,
        }
    }
}

/// The built-in pack: `(path, text)` of every policy file under `policies/`.
mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_pack.rs"));
}

/// `(path, text)` of every policy file of the built-in pack.
pub(crate) fn builtin_files() -> &'static [(&'static str, &'static str)] {
    builtin::FILES
}

/// The sources of the built-in pack.
pub(crate) fn builtin_sources() -> Vec<Source> {
    builtin::FILES
        .iter()
        .enumerate()
        .map(|(i, (name, text))| Source {
            name: format!("builtin:{name}"),
            text: (*text).to_string(),
            parsed: builtin::PARSED.get(i).copied().flatten(),
        })
        .collect()
}

/// The name of the file that lists, one per line, the files of a policy
/// directory that are neither policies nor tests and are to be left alone
/// (a path relative to the directory, or `*.ext` for every file with that
/// extension; `#` starts a comment).
pub const IGNORE_FILE: &str = ".release-policy-ignore";

/// What a file under a policy directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// A policy: `.yaml`, `.yml` or `.json`, in any case.
    Policy,
    /// A policy test: `*.test.yaml`, `*.test.yml` or `*.test.json`.
    Test,
    /// Anything else (refused unless listed in [`IGNORE_FILE`]).
    Other,
}

/// Classify a file by its name (any case).
pub(crate) fn file_kind(relative: &Path) -> FileKind {
    let name = relative
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let ext = [".yaml", ".yml", ".json"]
        .iter()
        .find(|e| name.ends_with(*e));
    match ext {
        Some(e) if name.trim_end_matches(e).ends_with(".test") => FileKind::Test,
        Some(_) if !name.starts_with('.') => FileKind::Policy,
        _ => FileKind::Other,
    }
}

/// Whether a file under a policy directory holds policies.
pub(crate) fn is_policy_file(relative: &Path) -> bool {
    file_kind(relative) == FileKind::Policy
}

/// The patterns of a directory's [`IGNORE_FILE`], if it has one.
fn ignore_patterns(dir: &Path) -> Result<Vec<String>, Error> {
    let path = dir.join(IGNORE_FILE);
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let text = read_text(&path, 64 * 1024)?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

fn ignored(relative: &Path, patterns: &[String]) -> bool {
    let rel = relative.to_string_lossy().replace('\\', "/");
    let name = relative
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    rel == IGNORE_FILE
        || patterns.iter().any(|p| match p.strip_prefix('*') {
            Some(suffix) => name.ends_with(suffix),
            None => *p == rel,
        })
}

/// Every file below `dir` (sorted, so loading is deterministic) for which
/// `keep` holds on the path relative to `dir`. Directories whose name
/// starts with `.` and `testdata/` directories are not descended into;
/// symbolic links to directories are not followed.
///
/// Every other entry must be a regular file (a FIFO, a socket or a device
/// is refused and never opened) and be a policy, a policy test, or listed in
/// the directory's [`IGNORE_FILE`]: a file that is none of them is an
/// error, so that `block.txt` or `.block.yaml` is never skipped without a
/// word.
pub(crate) fn files_under(
    dir: &Path,
    keep: fn(&Path) -> bool,
) -> Result<Vec<std::path::PathBuf>, Error> {
    fn walk(
        base: &Path,
        dir: &Path,
        keep: fn(&Path) -> bool,
        patterns: &[String],
        out: &mut Vec<std::path::PathBuf>,
        refused: &mut Vec<PolicyError>,
    ) -> Result<(), Error> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Error::io(
                ErrorCode::ReadFailed,
                dir.display().to_string(),
                e.to_string().to_lowercase(),
            )
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(base).unwrap_or(&path).to_path_buf();
            // `file_type` does not follow symlinks: a symlinked directory
            // (possibly a loop) is not descended into.
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                let name = entry.file_name().to_string_lossy().to_string();
                if !name.starts_with('.') && name != "testdata" {
                    walk(base, &path, keep, patterns, out, refused)?;
                }
                continue;
            }
            if ignored(&rel, patterns) {
                continue;
            }
            // Follows a symlink to a file: what would be read.
            let regular = std::fs::metadata(&path).is_ok_and(|m| m.is_file());
            let kind = file_kind(&rel);
            if !regular && !std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
                refused.push(
                    PolicyError::new(
                        ErrorCode::NotAPolicyFile,
                        SourceLocation::file(path.display().to_string()),
                        "not a regular file (a FIFO, socket, device or broken link)",
                    )
                    .with_hint(format!(
                        "policy directories hold files only; list it in `{IGNORE_FILE}` to leave it alone"
                    )),
                );
            } else if regular && kind == FileKind::Other {
                refused.push(
                    PolicyError::new(
                        ErrorCode::NotAPolicyFile,
                        SourceLocation::file(path.display().to_string()),
                        "not a policy file (`.yaml`, `.yml` or `.json`) nor a policy test",
                    )
                    .with_hint(format!(
                        "rename it, or list it in `{IGNORE_FILE}` in the policy directory to leave it alone"
                    )),
                );
            } else if regular && keep(&rel) {
                out.push(path);
            }
        }
        Ok(())
    }
    if !dir.is_dir() {
        return Err(Error::io(
            ErrorCode::NotADirectory,
            dir.display().to_string(),
            "not a directory",
        ));
    }
    let patterns = ignore_patterns(dir)?;
    let mut out = Vec::new();
    let mut refused = Vec::new();
    walk(dir, dir, keep, &patterns, &mut out, &mut refused)?;
    if !refused.is_empty() {
        refused.sort_by(|a, b| a.location.cmp(&b.location));
        return Err(refused.into());
    }
    out.sort();
    Ok(out)
}

/// Read a file as UTF-8 text within the size limit.
pub(crate) fn read_text(path: &Path, max: usize) -> Result<String, Error> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| {
        Error::io(
            ErrorCode::ReadFailed,
            name.clone(),
            e.to_string().to_lowercase(),
        )
    };
    // A FIFO, a device or `/dev/stdin` would block or never end: only
    // regular files are read (a test's `base` names any path).
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(Error::io(
            ErrorCode::ReadFailed,
            name,
            "not a regular file: only regular files are read",
        ));
    }
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).map_err(io)?;
    std::io::Read::read_to_end(&mut std::io::Read::take(file, max as u64 + 1), &mut bytes)
        .map_err(io)?;
    if bytes.len() > max {
        return Err(PolicyError::new(
            ErrorCode::PolicyTooLarge,
            SourceLocation::file(&name),
            // Only `max + 1` bytes were read: the exact size is not known.
            format!("file is larger than the limit of {max} bytes"),
        )
        .into());
    }
    String::from_utf8(bytes).map_err(|e| {
        PolicyError::new(
            ErrorCode::PolicyNotUtf8,
            SourceLocation::file(&name),
            format!(
                "file is not valid UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
        .into()
    })
}

/// The policy sources of a directory.
pub(crate) fn dir_sources(dir: &Path, limits: &Limits) -> Result<Vec<Source>, Error> {
    let files = files_under(dir, is_policy_file)?;
    if files.is_empty() {
        return Err(PolicyError::new(
            ErrorCode::NoPolicyFiles,
            SourceLocation::file(dir.display().to_string()),
            "no policy files (`.yaml`, `.yml` or `.json`) in this directory",
        )
        .with_hint("policy tests (`*.test.yaml`) and `testdata/` are not policies")
        .into());
    }
    files
        .iter()
        .map(|f| {
            Ok(Source::new(
                f.display().to_string(),
                read_text(f, limits.max_policy_bytes)?,
            ))
        })
        .collect()
}

/// YAML nested deeper than the limit, refused before parsing (the scanner
/// takes quadratic time on deep flow nesting).
pub(crate) fn refuse_deep_yaml(name: &str, text: &str, limits: &Limits) -> Result<(), PolicyError> {
    match crate::limits::yaml_too_deep(text, limits.max_yaml_nesting) {
        Some((line, column)) => Err(PolicyError::new(
            ErrorCode::PolicyTooDeep,
            SourceLocation::new(name, line, column),
            format!(
                "`[`/`{{` nesting deeper than the limit of {}",
                limits.max_yaml_nesting
            ),
        )),
        None => Ok(()),
    }
}

/// Parse every document of a source.
pub(crate) fn parse(source: &Source, limits: &Limits) -> Result<Vec<SourceDoc>, Vec<PolicyError>> {
    let name = source.name.as_str();
    // A UTF-8 byte-order mark is not content (facts accept it too); every
    // source — file, string, built-in — comes through here.
    let text = source.text.strip_prefix('\u{feff}').unwrap_or(&source.text);
    if text.len() > limits.max_policy_bytes {
        return Err(vec![PolicyError::new(
            ErrorCode::PolicyTooLarge,
            SourceLocation::file(name),
            format!(
                "policy is {} bytes, more than the limit of {}",
                text.len(),
                limits.max_policy_bytes
            ),
        )]);
    }
    refuse_deep_yaml(name, text, limits).map_err(|e| vec![e])?;
    if let Some((line, column, c)) = crate::limits::yaml_control_char(text) {
        return Err(vec![PolicyError::new(
            ErrorCode::PolicyYamlSyntax,
            SourceLocation::new(name, line, column),
            format!("control character U+{:04X} is not allowed in YAML", u32::from(c)),
        )
        .with_hint("remove it; write it as an escape (`\\u0000`) inside a double-quoted string if it is meant")]);
    }
    if let Some((line, column)) = crate::limits::yaml_alias(text) {
        return Err(vec![
            PolicyError::new(
                ErrorCode::PolicyYamlAlias,
                SourceLocation::new(name, line, column),
                "YAML aliases (`*name`) are not allowed in policies",
            )
            .with_hint("write the value out: an alias can multiply a document past every limit"),
        ]);
    }
    let sources = SourceLocations::new(name, Arc::from(text));
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    // The built-in pack's documents, converted to JSON when the library was
    // built: the same documents, read several times faster. Should they not
    // read (they always do; a test compares them with the YAML's), the YAML
    // is read instead and says what is wrong, and where.
    let prebuilt = source
        .parsed
        .and_then(|json| serde_json::from_str::<Vec<Option<PolicyDocument>>>(json).ok());
    if let Some(prebuilt) = prebuilt {
        for (i, doc) in prebuilt.into_iter().enumerate() {
            if let Some(doc) = doc {
                admit(doc, sources.doc(i), &mut docs, &mut errors);
            }
        }
    } else {
        for (i, de) in yaml_serde::Deserializer::from_str(text).enumerate() {
            let locs = sources.doc(i);
            let doc = match PolicyDocument::deserialize(de) {
                Ok(doc) => doc,
                Err(e) => {
                    // Read the document untyped to tell an empty document, a
                    // syntax error, or another kind or version apart from a
                    // malformed policy.
                    match yaml_serde::Deserializer::from_str(text)
                        .nth(i)
                        .map(yaml_serde::Value::deserialize)
                    {
                        Some(Ok(yaml_serde::Value::Null)) => continue,
                        Some(Ok(value)) => {
                            let field =
                                |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::to_string);
                            let header = header_error(&locs, field("apiVersion"), field("kind"));
                            let invalid = || yaml_error(name, &e, ErrorCode::PolicyInvalidField);
                            errors.push(header.unwrap_or_else(invalid));
                            continue;
                        }
                        // The YAML itself is malformed: its error says where.
                        Some(Err(syntax)) => {
                            errors.push(yaml_error(name, &syntax, ErrorCode::PolicyYamlSyntax));
                            break;
                        }
                        None => {
                            errors.push(yaml_error(name, &e, ErrorCode::PolicyYamlSyntax));
                            break;
                        }
                    }
                }
            };
            admit(doc, locs, &mut docs, &mut errors);
        }
    }
    if errors.is_empty() {
        Ok(docs)
    } else {
        Err(errors)
    }
}

/// Keep a document read as a policy when its header is `release-policy/v1`
/// with a known kind and its version is a semantic version; otherwise say
/// why not.
fn admit(
    doc: PolicyDocument,
    locs: DocLocations,
    docs: &mut Vec<SourceDoc>,
    errors: &mut Vec<PolicyError>,
) {
    if let Some(err) = header_error(&locs, Some(doc.api_version.clone()), Some(doc.kind.clone())) {
        errors.push(err);
        return;
    }
    if let Err(e) = semver::Version::parse(&doc.metadata.version) {
        errors.push(
            PolicyError::new(
                ErrorCode::InvalidPolicyVersion,
                locs.at("metadata.version"),
                format!("invalid semantic version `{}`: {e}", doc.metadata.version),
            )
            .with_hint("write a full version such as `1.2.0`, quoted"),
        );
    }
    docs.push(SourceDoc { doc, locs });
}

/// An error for a document that is not a `release-policy/v1` policy.
fn header_error(
    locs: &DocLocations,
    api: Option<String>,
    kind: Option<String>,
) -> Option<PolicyError> {
    if api.as_deref() != Some(API_VERSION) {
        return Some(
            PolicyError::new(
                ErrorCode::UnsupportedApiVersion,
                locs.at("apiVersion"),
                format!("unsupported apiVersion `{}`", api.unwrap_or_default()),
            )
            .with_hint(format!("use `apiVersion: {API_VERSION}`")),
        );
    }
    if !matches!(
        kind.as_deref(),
        Some(
            super::document::KIND_POLICY
                | super::document::KIND_ROLLOUT
                | super::document::KIND_REVIEW
        )
    ) {
        return Some(
            PolicyError::new(
                ErrorCode::UnsupportedKind,
                locs.at("kind"),
                format!("unsupported kind `{}`", kind.unwrap_or_default()),
            )
            .with_hint(
                "policy files hold `kind: Policy`, `kind: RolloutPolicy` or `kind: ReviewPolicy`; policy tests go in files named `*.test.yaml`",
            ),
        );
    }
    None
}

/// A YAML or schema error of a policy source: `code` when the message does
/// not tell an unknown field.
pub(crate) fn yaml_error(file: &str, e: &yaml_serde::Error, code: ErrorCode) -> PolicyError {
    let loc = e.location().map_or_else(
        || SourceLocation::file(file),
        |l| SourceLocation::new(file, l.line(), l.column()),
    );
    let msg = e.to_string();
    let msg = match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    let unknown = msg.contains("unknown field");
    let code = if unknown {
        ErrorCode::PolicyUnknownField
    } else if msg.contains("duplicate key") || msg.contains("duplicate entry with key") {
        ErrorCode::PolicyDuplicateKey
    } else {
        code
    };
    let mut err = PolicyError::new(code, loc, msg);
    if unknown {
        err.hint =
            Some("see `release-policy schema policy` for the fields a policy may have".into());
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of the built-in pack has its JSON, and reading it gives
    /// the very documents reading its YAML gives.
    #[test]
    fn the_prebuilt_pack_reads_as_its_yaml() {
        let limits = Limits::default();
        let sources = builtin_sources();
        assert!(!sources.is_empty());
        for source in sources {
            assert!(source.parsed.is_some(), "{} has no JSON", source.name);
            let fast = parse(&source, &limits);
            let slow = parse(
                &Source::new(source.name.clone(), source.text.clone()),
                &limits,
            );
            let show = |r: &Result<Vec<SourceDoc>, Vec<PolicyError>>| match r {
                Ok(docs) => docs
                    .iter()
                    .map(|d| format!("{:?}", d.doc))
                    .collect::<Vec<_>>(),
                Err(e) => vec![format!("{e:?}")],
            };
            assert!(fast.is_ok(), "{}", source.name);
            assert_eq!(show(&fast), show(&slow), "{}", source.name);
        }
    }

    /// JSON that does not read as policies is left for the YAML, whose
    /// errors say where.
    #[test]
    fn unreadable_prebuilt_json_falls_back_to_the_yaml() {
        let text = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: p, version: 1.0.0}\n\
                    spec:\n  gates:\n    - {id: g, expression: 'true', bogus: 1}\n";
        let source = Source {
            name: "p.yaml".into(),
            text: text.into(),
            parsed: Some("[{\"not\": \"a policy\"}]"),
        };
        let errors = parse(&source, &Limits::default()).err().unwrap_or_default();
        let first = errors.first().map(ToString::to_string).unwrap_or_default();
        assert!(first.contains("p.yaml:6:"), "{first}");
        assert!(first.contains("bogus"), "{first}");
    }
}
