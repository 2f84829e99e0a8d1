//! [`rp_error`]: the owned error a failed call hands out, and the one
//! mapping from the engine's `Error` to a status and its details
//! ([`rp_error::from_engine`]).
//!
//! An error has a status, the full text (`rp_error_display`: every problem
//! with its location, and its hint on the next line), and one or more
//! details (several when a policy or catalog load finds several problems
//! at once), each with its stable code (`RP0102`, `rp_error_code`). The
//! scalar accessors describe the first detail; `rp_error_to_json` gives
//! them all.

use std::ffi::c_char;

use serde_json::{Map, Value, json};

use crate::buf::{NulString, rp_buf, rp_str};
use crate::status::*;

/// One problem: a message, its code and, where known, where it is.
#[derive(Debug, Clone, PartialEq)]
struct Detail {
    /// The engine's error code (`RP0102`); absent for errors of the C
    /// boundary itself (a NULL or non-UTF-8 argument).
    code: Option<NulString>,
    message: NulString,
    /// The policy file (or the name a string source was given), or the
    /// path an I/O error is about.
    file: Option<NulString>,
    /// 1-based line (in the policy file, or in the facts text); 0 unknown.
    line: usize,
    /// 1-based column; 0 unknown.
    column: usize,
    /// JSON path of the offending facts value (`$.release.version`).
    json_path: Option<NulString>,
    /// The rule the problem is in.
    rule: Option<NulString>,
    /// How to fix it.
    hint: Option<NulString>,
}

impl Detail {
    fn message(message: impl Into<String>) -> Self {
        Detail {
            code: None,
            message: NulString::new(message),
            file: None,
            line: 0,
            column: 0,
            json_path: None,
            rule: None,
            hint: None,
        }
    }

    fn policy(e: &release_policy_core::PolicyError) -> Self {
        Detail {
            code: Some(code(e.code())),
            file: Some(NulString::new(e.location.file.as_str())),
            line: e.location.line,
            column: e.location.column,
            rule: e.rule.as_deref().map(NulString::new),
            hint: e.hint.as_deref().map(NulString::new),
            ..Detail::message(e.message.as_str())
        }
    }

    fn catalog(e: &release_policy_core::CatalogError) -> Self {
        Detail {
            code: Some(code(e.code())),
            file: Some(NulString::new(e.location.file.as_str())),
            line: e.location.line,
            column: e.location.column,
            hint: e.hint().map(NulString::new),
            ..Detail::message(e.message.as_str())
        }
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("message".into(), self.message.as_str().into());
        if let Some(c) = &self.code {
            m.insert("code".into(), c.as_str().into());
        }
        let mut put = |key: &str, v: &Option<NulString>| {
            if let Some(v) = v {
                m.insert(key.into(), v.as_str().into());
            }
        };
        put("file", &self.file);
        put("path", &self.json_path);
        put("rule", &self.rule);
        put("hint", &self.hint);
        if self.line > 0 {
            m.insert("line".into(), self.line.into());
        }
        if self.column > 0 {
            m.insert("column".into(), self.column.into());
        }
        Value::Object(m)
    }
}

/// An error from a failed call: its status, its text, and where the problem
/// is. Owned by the caller; free it with `rp_error_free`. Immutable: the
/// accessors may be called from any thread.
#[derive(Debug, Clone, PartialEq)]
pub struct rp_error {
    status: rp_status,
    display: NulString,
    /// Never empty.
    details: Vec<Detail>,
}

impl rp_error {
    fn new(status: rp_status, display: String, details: Vec<Detail>) -> Self {
        let details = if details.is_empty() {
            vec![Detail::message(display.as_str())]
        } else {
            details
        };
        rp_error {
            status,
            display: NulString::new(display),
            details,
        }
    }

    fn simple(status: rp_status, message: String) -> Self {
        rp_error::new(status, message, Vec::new())
    }

    /// The one mapping from an engine error to a status and details.
    pub(crate) fn from_engine(e: &release_policy_core::Error) -> Self {
        use release_policy_core::Error;
        let display = display(e);
        match e {
            Error::Policy(p) => {
                rp_error::new(RP_STATUS_POLICY_ERROR, display, vec![Detail::policy(p)])
            }
            Error::Policies(ps) => rp_error::new(
                RP_STATUS_POLICY_ERROR,
                display,
                ps.iter().map(Detail::policy).collect(),
            ),
            Error::Facts(f) => {
                let (line, column) = f.position.unwrap_or((0, 0));
                let detail = Detail {
                    code: Some(code(f.code())),
                    file: f.input.as_deref().map(NulString::new),
                    json_path: f.path.as_deref().map(NulString::new),
                    hint: f.hint.as_deref().map(NulString::new),
                    line,
                    column,
                    ..Detail::message(f.message.as_str())
                };
                rp_error::new(RP_STATUS_FACTS_ERROR, display, vec![detail])
            }
            Error::Catalog(cs) => rp_error::new(
                RP_STATUS_CATALOG_ERROR,
                display,
                cs.iter().map(Detail::catalog).collect(),
            ),
            Error::Evaluation { code: c, message } => rp_error::new(
                RP_STATUS_EVALUATION_ERROR,
                display,
                vec![Detail {
                    code: Some(code(*c)),
                    ..Detail::message(message.as_str())
                }],
            ),
            Error::Io {
                code: c,
                path,
                message,
            } => rp_error::new(
                RP_STATUS_IO_ERROR,
                display,
                vec![Detail {
                    code: Some(code(*c)),
                    file: Some(NulString::new(path.as_str())),
                    ..Detail::message(message.as_str())
                }],
            ),
            // `Error` is `#[non_exhaustive]`: a variant added to the engine
            // after this binding still reaches C, with its text and code.
            _ => {
                let mut other = rp_error::simple(RP_STATUS_OTHER_ERROR, display);
                if let Some(d) = other.details.first_mut() {
                    d.code = Some(code(e.code()));
                }
                other
            }
        }
    }

    pub(crate) fn null_argument(name: &str) -> Self {
        rp_error::simple(
            RP_STATUS_NULL_ARGUMENT,
            format!("argument `{name}` is NULL"),
        )
    }

    pub(crate) fn invalid_utf8(name: &str, valid_up_to: usize) -> Self {
        rp_error::simple(
            RP_STATUS_INVALID_UTF8,
            format!("argument `{name}` is not valid UTF-8 (invalid byte at offset {valid_up_to})"),
        )
    }

    pub(crate) fn invalid_argument(message: String) -> Self {
        rp_error::simple(RP_STATUS_INVALID_ARGUMENT, message)
    }

    pub(crate) fn panic(message: &str) -> Self {
        let hint = "this is a bug in release-policy; please report it with this message";
        let mut e = rp_error::simple(
            RP_STATUS_PANIC,
            format!("release-policy panicked: {message}\n  hint: {hint}"),
        );
        if let Some(d) = e.details.first_mut() {
            d.message = NulString::new(format!("release-policy panicked: {message}"));
            d.hint = Some(NulString::new(hint));
        }
        e
    }

    /// The status.
    pub fn status(&self) -> rp_status {
        self.status
    }

    /// The full text.
    pub fn display(&self) -> &str {
        self.display.as_str()
    }

    fn first(&self) -> Option<&Detail> {
        self.details.first()
    }

    fn to_json(&self) -> String {
        let kind = crate::status::name(self.status)
            .to_str()
            .unwrap_or("unknown");
        json!({
            "status": self.status,
            "kind": kind,
            "message": self.display(),
            "errors": self.details.iter().map(Detail::to_json).collect::<Vec<_>>(),
        })
        .to_string()
    }
}

fn code(c: release_policy_core::ErrorCode) -> NulString {
    NulString::new(c.as_str())
}

/// The text of an engine error: each problem (`place: message`) with its
/// hint, if any, on the next line (`  hint: …`).
fn display(e: &release_policy_core::Error) -> String {
    let with_hint = |text: String, hint: Option<&str>| match hint {
        Some(h) => format!("{text}\n  hint: {h}"),
        None => text,
    };
    let problems: Vec<String> = match e {
        release_policy_core::Error::Catalog(cs) => cs
            .iter()
            .map(|c| with_hint(c.to_string(), c.hint()))
            .collect(),
        _ => e
            .policy_errors()
            .iter()
            .map(|p| with_hint(p.to_string(), p.hint()))
            .collect(),
    };
    if problems.is_empty() {
        return with_hint(e.to_string(), e.hint());
    }
    problems.join("\n")
}

/// Run `f` on the error, or return `default` for NULL (and on a panic).
fn with_error<R>(
    err: *const rp_error,
    default: impl Fn() -> R,
    f: impl FnOnce(&rp_error) -> R,
) -> R {
    crate::boundary::catch(
        |_| default(),
        || {
            if err.is_null() {
                return default();
            }
            // SAFETY: not NULL, and (caller's contract) a live `rp_error`
            // made by the library.
            f(unsafe { &*err })
        },
    )
}

fn opt_str(s: Option<&NulString>) -> rp_str {
    s.map_or(rp_str::ABSENT, NulString::as_rp_str)
}

/// The status of the call that made this error; `RP_STATUS_NULL_ARGUMENT`
/// for NULL.
///
/// # Safety
/// `err` is NULL or a live `rp_error` (not yet freed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_status(err: *const rp_error) -> rp_status {
    with_error(err, || RP_STATUS_NULL_ARGUMENT, |e| e.status)
}

/// The whole error as text for people, as the command line prints it:
/// every problem with its `file:line:column` (or JSON path) and hint, one
/// per line. Borrowed from `err`; absent for NULL.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_display(err: *const rp_error) -> rp_str {
    with_error(err, || rp_str::ABSENT, |e| e.display.as_rp_str())
}

/// How many problems the error holds (1, or more when a policy or catalog
/// load found several); 0 for NULL. The accessors below describe the first one;
/// `rp_error_to_json` lists them all.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_count(err: *const rp_error) -> usize {
    with_error(err, || 0, |e| e.details.len())
}

/// What is wrong, without location or hint (lowercase, the offending input
/// in backticks). Borrowed from `err`; absent for NULL.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_message(err: *const rp_error) -> rp_str {
    with_error(
        err,
        || rp_str::ABSENT,
        |e| opt_str(e.first().map(|d| &d.message)),
    )
}

/// The file the problem is in: the policy file (or the name given to a
/// YAML string), the catalog or release-plan file (`<release-plan>` for a
/// plan given as text, `<arguments>` for an argument of
/// `rp_bundle_can_i_deploy`), the facts input when it was named, or the
/// path an I/O error is about. Borrowed; absent when there is none.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_file(err: *const rp_error) -> rp_str {
    with_error(
        err,
        || rp_str::ABSENT,
        |e| opt_str(e.first().and_then(|d| d.file.as_ref())),
    )
}

/// The 1-based line of the problem: in the policy file for a policy error,
/// in the catalog or release-plan file for a catalog error, in the facts
/// text for a facts syntax error; 0 when unknown.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_line(err: *const rp_error) -> usize {
    with_error(err, || 0, |e| e.first().map_or(0, |d| d.line))
}

/// The 1-based column that goes with `rp_error_line`; 0 when unknown.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_column(err: *const rp_error) -> usize {
    with_error(err, || 0, |e| e.first().map_or(0, |d| d.column))
}

/// The stable code of the problem (`"RP0102"`; the first one's when there
/// are several), as a NUL-terminated string owned by `err` (valid until it
/// is freed; never free it). NULL for NULL, and for errors of the C
/// boundary itself that the engine never saw (`RP_STATUS_NULL_ARGUMENT`,
/// `RP_STATUS_INVALID_UTF8`, `RP_STATUS_INVALID_ARGUMENT`,
/// `RP_STATUS_PANIC`). Every code is explained in `docs/errors.md`.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_code(err: *const rp_error) -> *const c_char {
    with_error(err, std::ptr::null, |e| {
        e.first()
            .and_then(|d| d.code.as_ref())
            .map_or(std::ptr::null(), |c| c.as_rp_str().data)
    })
}

/// For a facts error, the JSON path of the offending value
/// (`$.release.version`). Borrowed; absent when there is none.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_json_path(err: *const rp_error) -> rp_str {
    with_error(
        err,
        || rp_str::ABSENT,
        |e| opt_str(e.first().and_then(|d| d.json_path.as_ref())),
    )
}

/// For a policy error, the id of the rule the problem is in. Borrowed;
/// absent when there is none.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_rule(err: *const rp_error) -> rp_str {
    with_error(
        err,
        || rp_str::ABSENT,
        |e| opt_str(e.first().and_then(|d| d.rule.as_ref())),
    )
}

/// How to fix the problem, when a hint helps. Borrowed; absent otherwise.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_hint(err: *const rp_error) -> rp_str {
    with_error(
        err,
        || rp_str::ABSENT,
        |e| opt_str(e.first().and_then(|d| d.hint.as_ref())),
    )
}

/// The whole error as compact JSON, into `*json_out` (free it with
/// `rp_buf_free`):
/// `{"status":3,"kind":"policy","message":"<rp_error_display>","errors":[{"code":"RP0203","message":…,"file":…,"line":…,"column":…,"path":…,"rule":…,"hint":…}]}`
/// (absent fields and zero lines/columns are left out).
///
/// # Safety
/// `err` is NULL or a live `rp_error`; `json_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_to_json(
    err: *const rp_error,
    json_out: *mut rp_buf,
) -> rp_status {
    crate::boundary::call(std::ptr::null_mut(), || {
        crate::boundary::required("err", err)?;
        crate::boundary::required("json_out", json_out)?;
        // SAFETY: `err` is not NULL and (contract) a live `rp_error`.
        let json = unsafe { &*err }.to_json();
        // SAFETY: `json_out` is not NULL and (contract) writable.
        unsafe { crate::boundary::write(json_out, rp_buf::from_string(json)) };
        Ok(())
    })
}

/// Free an error. NULL is a no-op.
///
/// # Safety
/// `err` is NULL or an `rp_error` the library handed out and that has not
/// been freed; no borrowed `rp_str` from it may be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_free(err: *mut rp_error) {
    crate::boundary::catch(
        |_| (),
        || {
            if !err.is_null() {
                // SAFETY: made by `Box::into_raw` in `boundary::call`, not
                // freed since (contract).
                drop(unsafe { Box::from_raw(err) });
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use release_policy_core::{
        CatalogError, Error, ErrorCode, FactsError, PolicyError, SourceLocation,
    };

    fn code_of(e: &rp_error) -> Option<String> {
        // SAFETY: `e` is a live error.
        let p = unsafe { rp_error_code(e) };
        if p.is_null() {
            return None;
        }
        // SAFETY: a non-NULL code is a NUL-terminated string owned by `e`.
        let s = unsafe { std::ffi::CStr::from_ptr(p) };
        Some(s.to_string_lossy().into_owned())
    }

    fn text(s: rp_str) -> Option<String> {
        if s.data.is_null() {
            return None;
        }
        // SAFETY: a non-NULL `rp_str` points to `len + 1` bytes, the last NUL.
        let bytes = unsafe { std::slice::from_raw_parts(s.data.cast::<u8>(), s.len + 1) };
        assert_eq!(bytes.last(), Some(&0), "rp_str not NUL-terminated");
        Some(String::from_utf8_lossy(bytes.split_last().map_or(&[][..], |(_, b)| b)).into_owned())
    }

    fn policy_error(line: usize, rule: &str) -> PolicyError {
        PolicyError::new(
            ErrorCode::UnknownFunction,
            SourceLocation::new("p.yaml", line, 7),
            "unknown function `fo`",
        )
        .with_rule(rule)
        .with_hint("did you mean `foo`?")
    }

    /// Every variant of the engine's error, with the status it must map to.
    fn every_variant() -> Vec<(Error, rp_status)> {
        let mut facts = FactsError::new(
            ErrorCode::FactsWrongType,
            "invalid type: integer `5`, expected a string",
        )
        .at("$.release.id");
        facts.position = Some((3, 9));
        vec![
            (
                Error::Policy(Box::new(policy_error(4, "g"))),
                RP_STATUS_POLICY_ERROR,
            ),
            (
                Error::Policies(vec![policy_error(4, "g1"), policy_error(9, "g2")]),
                RP_STATUS_POLICY_ERROR,
            ),
            (Error::Facts(Box::new(facts)), RP_STATUS_FACTS_ERROR),
            (
                Error::evaluation(ErrorCode::BuiltinPackBroken, "pack broken"),
                RP_STATUS_EVALUATION_ERROR,
            ),
            (
                Error::io(ErrorCode::NotADirectory, "nowhere/", "no such directory"),
                RP_STATUS_IO_ERROR,
            ),
            (
                Error::Catalog(vec![catalog_error(8, "paymnts"), catalog_error(12, "x")]),
                RP_STATUS_CATALOG_ERROR,
            ),
        ]
    }

    #[test]
    fn every_engine_error_variant_maps_to_its_status_and_keeps_its_text() {
        for (engine_error, status) in every_variant() {
            // Fails to compile when a variant is renamed or reshaped; a new
            // variant must be added to `every_variant` (and to the mapping).
            match &engine_error {
                Error::Policy(_)
                | Error::Policies(_)
                | Error::Facts(_)
                | Error::Evaluation { .. }
                | Error::Catalog(_)
                | Error::Io { .. } => {}
                _ => unreachable!(),
            }
            let e = rp_error::from_engine(&engine_error);
            assert_eq!(e.status, status, "{engine_error:?}");
            // The engine's text, each problem followed by its hint.
            let first = engine_error.to_string();
            let first = first.lines().next().unwrap_or_default();
            assert!(e.display().starts_with(first), "{}", e.display());
            assert_eq!(
                code_of(&e).as_deref(),
                Some(engine_error.code().as_str()),
                "{engine_error:?}"
            );
            assert!(!e.details.is_empty());
            assert_ne!(status, RP_STATUS_OTHER_ERROR);
        }
    }

    #[test]
    fn policy_errors_keep_location_rule_and_hint() {
        let e = rp_error::from_engine(&Error::Policies(vec![
            policy_error(4, "g1"),
            policy_error(9, "g2"),
        ]));
        let p: *const rp_error = &e;
        // SAFETY: `p` points to a live error.
        unsafe {
            assert_eq!(rp_error_count(p), 2);
            assert_eq!(text(rp_error_file(p)).as_deref(), Some("p.yaml"));
            assert_eq!((rp_error_line(p), rp_error_column(p)), (4, 7));
            assert_eq!(text(rp_error_rule(p)).as_deref(), Some("g1"));
            assert_eq!(
                text(rp_error_message(p)).as_deref(),
                Some("unknown function `fo`")
            );
            assert_eq!(
                text(rp_error_hint(p)).as_deref(),
                Some("did you mean `foo`?")
            );
            assert_eq!(text(rp_error_json_path(p)), None);
            let d = text(rp_error_display(p)).unwrap_or_default();
            assert_eq!(
                d,
                "p.yaml:4:7: unknown function `fo`\n  hint: did you mean `foo`?\np.yaml:9:7: unknown function `fo`\n  hint: did you mean `foo`?"
            );
        }
        assert_eq!(code_of(&e).as_deref(), Some("RP0209"));
        let j: Value = serde_json::from_str(&e.to_json()).unwrap_or_default();
        assert_eq!(j["status"], 3);
        assert_eq!(j["kind"], "policy");
        assert_eq!(j["errors"][1]["rule"], "g2");
        assert_eq!(j["errors"][1]["line"], 9);
        assert_eq!(j["errors"][0]["hint"], "did you mean `foo`?");
        assert_eq!(j["errors"][1]["code"], "RP0209");
    }

    fn catalog_error(line: usize, service: &str) -> CatalogError {
        CatalogError::new(
            ErrorCode::UnknownReference,
            SourceLocation::new("services.yaml", line, 17),
            format!("service `{service}` is not in the catalog"),
        )
        .with_hint("did you mean `payments`?")
    }

    #[test]
    fn catalog_errors_keep_every_location_and_hint() {
        let (err, _) = every_variant().swap_remove(5);
        let e = rp_error::from_engine(&err);
        let p: *const rp_error = &e;
        // SAFETY: `p` points to a live error.
        unsafe {
            assert_eq!(rp_error_status(p), RP_STATUS_CATALOG_ERROR);
            assert_eq!(rp_error_count(p), 2);
            assert_eq!(text(rp_error_file(p)).as_deref(), Some("services.yaml"));
            assert_eq!((rp_error_line(p), rp_error_column(p)), (8, 17));
            assert_eq!(
                text(rp_error_message(p)).as_deref(),
                Some("service `paymnts` is not in the catalog")
            );
            assert_eq!(
                text(rp_error_hint(p)).as_deref(),
                Some("did you mean `payments`?")
            );
            assert_eq!(text(rp_error_rule(p)), None);
            assert_eq!(
                text(rp_error_display(p)).as_deref(),
                Some(
                    "services.yaml:8:17: service `paymnts` is not in the catalog\n  hint: did you mean `payments`?\nservices.yaml:12:17: service `x` is not in the catalog\n  hint: did you mean `payments`?"
                )
            );
        }
        assert_eq!(code_of(&e).as_deref(), Some("RP0805"));
        let j: Value = serde_json::from_str(&e.to_json()).unwrap_or_default();
        assert_eq!(j["kind"], "catalog");
        assert_eq!(j["status"], 10);
        assert_eq!(j["errors"][1]["line"], 12);
        assert_eq!(j["errors"][1]["file"], "services.yaml");
        assert_eq!(j["errors"][0]["code"], "RP0805");
    }

    #[test]
    fn facts_errors_keep_path_and_position() {
        let (err, _) = every_variant().swap_remove(2);
        let e = rp_error::from_engine(&err);
        let p: *const rp_error = &e;
        // SAFETY: `p` points to a live error.
        unsafe {
            assert_eq!(text(rp_error_json_path(p)).as_deref(), Some("$.release.id"));
            assert_eq!((rp_error_line(p), rp_error_column(p)), (3, 9));
            assert_eq!(text(rp_error_file(p)), None);
        }
        assert_eq!(code_of(&e).as_deref(), Some("RP0403"));
        let j: Value = serde_json::from_str(&e.to_json()).unwrap_or_default();
        assert_eq!(j["errors"][0]["path"], "$.release.id");
        assert_eq!(j["errors"][0]["code"], "RP0403");
        assert_eq!(j["kind"], "facts");
    }

    #[test]
    fn io_errors_name_the_path() {
        let e = rp_error::from_engine(&Error::io(ErrorCode::ReadFailed, "d/", "gone"));
        let p: *const rp_error = &e;
        // SAFETY: `p` points to a live error.
        unsafe {
            assert_eq!(text(rp_error_file(p)).as_deref(), Some("d/"));
            assert_eq!(text(rp_error_message(p)).as_deref(), Some("gone"));
        }
        assert_eq!(code_of(&e).as_deref(), Some("RP0601"));
    }

    #[test]
    fn accessors_on_null_are_absent_not_a_crash() {
        let p: *const rp_error = std::ptr::null();
        // SAFETY: NULL is allowed.
        unsafe {
            assert_eq!(rp_error_status(p), RP_STATUS_NULL_ARGUMENT);
            assert_eq!(text(rp_error_message(p)), None);
            assert_eq!(text(rp_error_display(p)), None);
            assert_eq!(rp_error_count(p), 0);
            assert_eq!(rp_error_line(p), 0);
            assert!(rp_error_code(p).is_null());
            let mut buf = rp_buf {
                data: std::ptr::null_mut(),
                len: 0,
            };
            assert_eq!(rp_error_to_json(p, &mut buf), RP_STATUS_NULL_ARGUMENT);
            assert!(buf.data.is_null(), "out-parameter written on failure");
            rp_error_free(std::ptr::null_mut());
        }
    }
}
