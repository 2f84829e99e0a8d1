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
//!
//! This file holds the error itself; the mapping from the engine's errors
//! is in `engine.rs`, the C accessors (`rp_error_*`) in `accessors.rs`.

use serde_json::{Map, Value, json};

use crate::buf::NulString;
use crate::status::*;

mod accessors;
mod engine;
#[cfg(test)]
mod tests;

pub use accessors::{
    rp_error_code, rp_error_column, rp_error_count, rp_error_display, rp_error_file, rp_error_free,
    rp_error_hint, rp_error_json_path, rp_error_line, rp_error_message, rp_error_rule,
    rp_error_status, rp_error_to_json,
};

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
