//! OpenAPI 3 documents: the operations they offer and the breaking changes between two versions.
//!
//! [`OpenApi::parse`] reads a YAML or JSON document within a size and a
//! nesting limit, refusing YAML aliases, Swagger 2.0, keys of a path item
//! that are neither an HTTP method nor one of the known fields, and any
//! `$ref` that is not local (`#/...`) or does not resolve. References are
//! followed when the documents are compared, never expanded: a schema that
//! refers to itself costs nothing more than one that does not.
//!
//! Operations are named as consumers write them, `GET /payments/{id}`, and
//! compared by their canonical key ([`operation_key`]): the method in upper
//! case and every path parameter written `{}`, so `/payments/{id}` and
//! `/payments/{paymentId}` are one path (OpenAPI forbids a document to hold
//! both). [`OpenApi::operations`] lists the canonical keys.
//!
//! [`breaking_changes`] reports what would break a client written against
//! the old document. The kinds and their nearest oasdiff check ids:
//!
//! | kind (`as_str`) | oasdiff |
//! |---|---|
//! | `operation-removed` | `api-removed-without-deprecation`, `api-path-removed-without-deprecation` |
//! | `parameter-newly-required` | `new-required-request-parameter`, `request-parameter-became-required` |
//! | `request-body-newly-required` | `added-required-request-body`, `request-body-became-required` |
//! | `request-field-newly-required` | `new-required-request-property`, `request-property-became-required` |
//! | `enum-value-removed` | `request-parameter-enum-value-removed`, `request-property-enum-value-removed` |
//! | `media-type-removed` | `request-body-media-type-removed`, `response-media-type-removed` |
//! | `response-removed` | `response-success-status-removed` |
//! | `response-field-removed` | `response-property-removed`, `response-required-property-removed` |
//! | `response-field-newly-optional` | `response-property-became-optional` |
//! | `type-changed` | `request-parameter-type-changed`, `request-property-type-changed`, `request-body-type-changed`, `response-property-type-changed`, `response-body-type-changed` |
//! | `comparison-incomplete` | — (ours: a bound stopped the comparison; fail closed) |
//!
//! Decisions, where oasdiff is finer or differs:
//! - Deprecation is not read: removing a deprecated operation is reported.
//! - Removing a parameter or a request field is not breaking (the server
//!   ignores what a client still sends); removing any response field is,
//!   optional or not (a client may read it).
//! - Types are compared as sets (`type: [string, "null"]` in 3.1,
//!   `nullable: true` in 3.0 adds `null`), and only when both sides state
//!   one. A request may widen (`integer` to `number`, a type added); a
//!   response may narrow (`number` to `integer`, a type dropped). After a
//!   type change the schema's fields are not compared further.
//! - Enums: a value removed from a request parameter or field breaks; a
//!   value removed from a response does not, and one added to a response
//!   is not reported either.
//! - Schemas: `$ref`, `allOf` (properties, `required`, `type` merged),
//!   `properties`, `required`, `items` (named `data[]`), `enum`, `type`.
//!   Schemas under `oneOf`/`anyOf` are not compared, and when the new
//!   schema has `oneOf`/`anyOf` no response field is reported removed from
//!   it (a branch may hold it). A change inside a schema reached through
//!   several fields of one body (two fields of one component type) is
//!   reported once, at the first field path in sorted order. `readOnly`
//!   request fields are never required of a client; `writeOnly` fields are
//!   never in a response.
//! - Parameters match by `in` and name (header names in any case), path
//!   parameters by position; a parameter's `content` is not read.
//! - Each pair of schemas is compared once per [`breaking_changes`] call,
//!   whatever the number of operations using it, and a recursive schema
//!   (`Node.next: Node`) stops where it comes back to itself. Past the
//!   bounds (field paths or `allOf` deeper than 64, `$ref` chains longer
//!   than 32, 200,000 schema pairs in one call) nothing more is compared;
//!   a comparison cut short by depth or pairs is itself reported
//!   (`comparison-incomplete`, fail closed), never taken for "no change".
//! - Only JSON bodies (`application/json`, `*/*+json`, any `.../...json`)
//!   are compared field by field; other media types only for removal.
//! - Success responses are `2xx` codes and `2XX`; a `200` replaced by a
//!   `2XX` range is not a removal.
//! - Parsing: a key written twice in one mapping is refused (the later
//!   would silently win); OpenAPI 3.2's `query` method and
//!   `additionalOperations` are not read (refused as unknown keys).

use std::collections::BTreeMap;

use serde_json::Value as Json;

mod compare;
mod refs;
mod schema;
mod text;

pub(crate) use compare::breaking_changes;
use refs::{check_refs, deref, pointer};
use text::{locate, read, too_deep};

/// The HTTP methods an OpenAPI 3 path item may hold, lowercase.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Keys of a path item other than its operations.
const PATH_ITEM_FIELDS: [&str; 5] = ["parameters", "summary", "description", "servers", "$ref"];
/// Most `$ref`s followed in a row (a chain longer than this is a cycle).
const MAX_REF_HOPS: usize = 32;
/// Deepest field path compared inside one schema, and deepest `allOf`.
const MAX_SCHEMA_DEPTH: usize = 64;
/// Most pairs of schemas compared by one [`breaking_changes`]: bounds the
/// time of a comparison whatever the documents (a 1 MiB document has far
/// fewer schemas than this).
const MAX_SCHEMA_STEPS: usize = 200_000;

/// A parsed OpenAPI 3.x document: its operations, parameters, request bodies and responses, with `$ref`s to `#/components/...` resolved lazily.
#[derive(Debug, Clone)]
pub(crate) struct OpenApi {
    /// The whole document; every `$ref` in it is known to resolve.
    root: Json,
    /// The operations by canonical key (`GET /payments/{}`).
    ops: BTreeMap<String, Op>,
}

/// One operation of a document.
#[derive(Debug, Clone)]
struct Op {
    /// As written: `GET /payments/{id}`.
    written: String,
    /// The path template as written.
    path: String,
    /// Lowercase.
    method: &'static str,
    /// JSON pointer of the path item, after its `$ref` if it has one.
    item: String,
}

/// A problem reading a document: 1-based line/column when known, lowercase message quoting input in backticks, optional hint.
///
/// `line` and `column` are 0 when the position is not known (a document
/// over the size limit).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OpenApiError {
    /// 1-based line, 0 when unknown.
    pub(crate) line: usize,
    /// 1-based column, 0 when unknown.
    pub(crate) column: usize,
    /// JSON pointer of the offending value, like `/paths/~1payments/get`.
    pub(crate) pointer: Option<String>,
    /// What is wrong, lowercase, input quoted in backticks.
    pub(crate) message: String,
    /// How to fix it, when there is more to say.
    pub(crate) hint: Option<String>,
}

impl OpenApiError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            line: 0,
            column: 0,
            pointer: None,
            message: message.into(),
            hint: None,
        }
    }

    fn at(mut self, (line, column): (usize, usize)) -> Self {
        (self.line, self.column) = (line, column);
        self
    }

    fn hint(mut self, hint: &str) -> Self {
        self.hint = Some(hint.to_string());
        self
    }

    /// Points the error at `tokens` (unescaped pointer tokens) of `text`.
    fn located(mut self, text: &str, tokens: &[String]) -> Self {
        self.pointer = Some(pointer(tokens));
        if let Some(pos) = locate(text, tokens) {
            self = self.at(pos);
        }
        self
    }
}

impl std::fmt::Display for OpenApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl OpenApi {
    /// Parse YAML or JSON text (JSON when it starts with `{`), refusing a
    /// document over `max_bytes` or nesting deeper than `max_depth`
    /// mappings and sequences, YAML aliases, a key written twice in one
    /// mapping, anything that is not OpenAPI 3, a path item key that is
    /// not an HTTP method, `parameters`, `summary`, `description`,
    /// `servers`, `$ref` or `x-*`, two paths that differ only in the names
    /// of their parameters, and a `$ref` that is not local or does not
    /// resolve.
    pub(crate) fn parse(
        text: &str,
        max_bytes: usize,
        max_depth: usize,
    ) -> Result<OpenApi, OpenApiError> {
        if text.len() > max_bytes {
            return Err(OpenApiError::new(format!(
                "the document is {} bytes, over the limit of {max_bytes} bytes",
                text.len()
            )));
        }
        let root = read(text, max_depth)?;
        if let Some(path) = too_deep(&root, max_depth) {
            return Err(OpenApiError::new(format!(
                "the document nests deeper than {max_depth} levels"
            ))
            .located(text, &path));
        }
        let Json::Object(top) = &root else {
            return Err(OpenApiError::new("the document is not a mapping").at((1, 1)));
        };
        let here = |msg: String, tokens: &[&str]| {
            let tokens: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
            OpenApiError::new(msg).located(text, &tokens)
        };
        match top.get("openapi") {
            Some(Json::String(v)) if v.starts_with("3.") => {}
            Some(Json::String(v)) => {
                return Err(here(
                    format!("`openapi: {v}` is not version 3"),
                    &["openapi"],
                ));
            }
            Some(v) => {
                return Err(
                    here(format!("`openapi: {v}` is not a string"), &["openapi"])
                        .hint("quote the version: `openapi: \"3.1.0\"`"),
                );
            }
            None if top.contains_key("swagger") => {
                return Err(
                    here("swagger 2.0 documents are not read".into(), &["swagger"])
                        .hint("convert it to OpenAPI 3 first (e.g. with `swagger2openapi`)"),
                );
            }
            None => {
                return Err(OpenApiError::new("the document has no `openapi` field")
                    .at((1, 1))
                    .hint("an OpenAPI 3 document starts with `openapi: 3.1.0` (or 3.0.x)"));
            }
        }
        check_refs(&root, &mut Vec::new(), text)?;
        let mut doc = OpenApi {
            root: Json::Null,
            ops: BTreeMap::new(),
        };
        let paths = match top.get("paths") {
            None => return Ok(OpenApi { root, ..doc }),
            Some(Json::Object(paths)) => paths,
            Some(_) => return Err(here("`paths` is not a mapping".into(), &["paths"])),
        };
        for (path, item) in paths {
            if !path.starts_with('/') {
                return Err(here(
                    format!("path `{path}` does not start with `/`"),
                    &["paths", path],
                ));
            }
            let ptr = pointer(&["paths".to_string(), path.clone()]);
            let Some((item, item_ptr)) = deref(&root, item, ptr) else {
                return Err(here(
                    format!("path `{path}` refers to itself"),
                    &["paths", path],
                ));
            };
            let Json::Object(item) = item else {
                return Err(here(
                    format!("path `{path}` is not a mapping"),
                    &["paths", path],
                ));
            };
            for (key, op) in item {
                let Some(method) = METHODS.iter().find(|m| **m == key) else {
                    if PATH_ITEM_FIELDS.contains(&key.as_str()) || key.starts_with("x-") {
                        continue;
                    }
                    return Err(here(format!("unknown key `{key}` in path `{path}`"), &["paths", path, key])
                        .hint("a path item holds get, put, post, delete, options, head, patch, trace, parameters, summary, description, servers, `$ref` and `x-` extensions"));
                };
                if !op.is_object() {
                    return Err(here(
                        format!("operation `{} {path}` is not a mapping", key.to_uppercase()),
                        &["paths", path, key],
                    ));
                }
                let written = format!("{} {path}", key.to_uppercase());
                let Some(canonical) = operation_key(&written) else {
                    return Err(here(
                        format!("path `{path}` is not a valid path template"),
                        &["paths", path],
                    ));
                };
                if let Some(other) = doc.ops.get(&canonical) {
                    return Err(here(
                        format!(
                            "paths `{}` and `{path}` differ only in the names of their parameters",
                            other.path
                        ),
                        &["paths", path],
                    )
                    .hint("OpenAPI forbids two such paths: a client cannot tell them apart"));
                }
                doc.ops.insert(
                    canonical,
                    Op {
                        written,
                        path: path.clone(),
                        method,
                        item: item_ptr.clone(),
                    },
                );
            }
        }
        Ok(OpenApi { root, ..doc })
    }

    /// Whether the document offers an operation, given as the consumer writes it: `"GET /payments/{id}"` (method any case; path parameters match by position, not name: `/payments/{id}` is `/payments/{paymentId}`; a trailing slash is significant as in OpenAPI).
    pub(crate) fn has_operation(&self, operation: &str) -> bool {
        operation_key(operation).is_some_and(|k| self.ops.contains_key(&k))
    }

    #[cfg_attr(not(test), allow(dead_code))] // used by the tests
    /// The operations as canonical keys (`GET /payments/{}`, see
    /// [`operation_key`]), sorted.
    pub(crate) fn operations(&self) -> Vec<String> {
        self.ops.keys().cloned().collect()
    }

    #[cfg_attr(not(test), allow(dead_code))] // used by the tests
    /// The operation as written in this document (`GET /payments/{id}`),
    /// given in any form [`operation_key`] accepts.
    pub(crate) fn written(&self, operation: &str) -> Option<&str> {
        let op = self.ops.get(&operation_key(operation)?)?;
        Some(&op.written)
    }
}

/// Normalise an operation as consumers write it: `Some("GET /payments/{}")` or None when it is not `METHOD /path` with a known HTTP method (get put post delete options head patch trace). The other engineer uses this to validate `uses:` entries.
///
/// The path must start with `/` and hold no whitespace, `?` or `#`, and its
/// braces must pair up without nesting; every `{name}` becomes `{}`.
pub(crate) fn operation_key(operation: &str) -> Option<String> {
    let mut parts = operation.split_whitespace();
    let (method, path) = (parts.next()?, parts.next()?);
    if parts.next().is_some() || !path.starts_with('/') || path.contains(['?', '#']) {
        return None;
    }
    let method = METHODS.iter().find(|m| m.eq_ignore_ascii_case(method))?;
    let mut key = format!("{} ", method.to_uppercase());
    let mut in_param = false;
    for c in path.chars() {
        match (c, in_param) {
            ('{', false) => {
                in_param = true;
                key.push_str("{}");
            }
            ('}', true) => in_param = false,
            ('{' | '}', _) => return None,
            (_, true) => {}
            (c, false) => key.push(c),
        }
    }
    (!in_param).then_some(key)
}

#[cfg(test)]
mod tests;
