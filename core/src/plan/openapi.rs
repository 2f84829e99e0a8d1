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

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

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

/// One breaking change from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Change {
    /// What broke.
    pub(crate) kind: ChangeKind,
    /// The operation as written in the old document: `GET /payments/{id}`.
    pub(crate) operation: String,
    /// JSON pointer where the change shows: into the old document for a
    /// removal, into the new one otherwise.
    pub(crate) pointer: String,
    /// Lowercase, input in backticks: "response field `amount` of `200` was removed".
    pub(crate) message: String,
}

/// The kinds of breaking change; see the module documentation for what
/// each covers and its oasdiff equivalents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum ChangeKind {
    /// An operation the old document offers is gone.
    OperationRemoved,
    /// A parameter is new and required, or was optional and is required.
    ParameterNewlyRequired,
    /// A request body is new and required, or was optional and is required.
    RequestBodyNewlyRequired,
    /// A request field is new and required, or was optional and is required.
    RequestFieldNewlyRequired,
    /// A value of a request parameter's or field's enum is gone.
    EnumValueRemoved,
    /// A request or response media type is gone.
    MediaTypeRemoved,
    /// A success (2xx) response is gone.
    ResponseRemoved,
    /// A field of a success response is gone.
    ResponseFieldRemoved,
    /// A required field of a success response became optional.
    ResponseFieldNewlyOptional,
    /// A parameter's, request's or response's type changed incompatibly.
    TypeChanged,
    /// The comparison stopped at a bound (schemas nested deeper than 64,
    /// more than 200,000 schema pairs): what lies beyond was not compared,
    /// so the change is not known to be safe (fail closed).
    ComparisonIncomplete,
}

impl ChangeKind {
    /// The stable kebab-case id.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::OperationRemoved => "operation-removed",
            Self::ParameterNewlyRequired => "parameter-newly-required",
            Self::RequestBodyNewlyRequired => "request-body-newly-required",
            Self::RequestFieldNewlyRequired => "request-field-newly-required",
            Self::EnumValueRemoved => "enum-value-removed",
            Self::MediaTypeRemoved => "media-type-removed",
            Self::ResponseRemoved => "response-removed",
            Self::ResponseFieldRemoved => "response-field-removed",
            Self::ResponseFieldNewlyOptional => "response-field-newly-optional",
            Self::TypeChanged => "type-changed",
            Self::ComparisonIncomplete => "comparison-incomplete",
        }
    }
}

/// Every breaking change from `old` to `new`, sorted (deterministic, no HashMap iteration order leaking: use BTreeMap), de-duplicated.
pub(crate) fn breaking_changes(old: &OpenApi, new: &OpenApi) -> Vec<Change> {
    let mut out = Vec::new();
    let mut memo = Memo {
        done: BTreeMap::new(),
        active: BTreeSet::new(),
        budget: MAX_SCHEMA_STEPS,
        incomplete: false,
    };
    for (key, o) in &old.ops {
        let op_ptr = format!("{}/{}", o.item, o.method);
        let Some(n) = new.ops.get(key) else {
            let message = format!("operation `{}` was removed", o.written);
            out.push(change(ChangeKind::OperationRemoved, o, op_ptr, message));
            continue;
        };
        let mut cmp = Compare {
            old,
            new,
            op: o,
            out: &mut out,
            memo: &mut memo,
        };
        cmp.parameters(o, n);
        let n_ptr = format!("{}/{}", n.item, n.method);
        let (oo, no) = (old.root.pointer(&op_ptr), new.root.pointer(&n_ptr));
        if let (Some(oo), Some(no)) = (oo, no) {
            cmp.request_body(oo, &op_ptr, no, &n_ptr);
            cmp.responses(oo, &op_ptr, no, &n_ptr);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn change(kind: ChangeKind, op: &Op, pointer: String, message: String) -> Change {
    Change {
        kind,
        operation: op.written.clone(),
        pointer,
        message,
    }
}

/// The comparison of one operation present in both documents.
struct Compare<'a> {
    old: &'a OpenApi,
    new: &'a OpenApi,
    op: &'a Op,
    out: &'a mut Vec<Change>,
    memo: &'a mut Memo,
}

/// What a schema being compared belongs to, for messages and direction.
#[derive(Clone, Copy)]
enum Role<'a> {
    /// A parameter: its label, "`query` parameter `limit`".
    Param(&'a str),
    /// The request body.
    Request,
    /// A response, by status.
    Response(&'a str),
}

impl Role<'_> {
    fn request(self) -> bool {
        !matches!(self, Role::Response(_))
    }

    fn label(self, path: &str) -> String {
        match (self, path) {
            (Role::Param(p), "") => p.to_string(),
            (Role::Param(p), f) => format!("field `{f}` of {p}"),
            (Role::Request, "") => "the request body".into(),
            (Role::Request, f) => format!("request field `{f}`"),
            (Role::Response(s), "") => format!("the `{s}` response body"),
            (Role::Response(s), f) => format!("response field `{f}` of `{s}`"),
        }
    }
}

/// A parameter: where it is, whether it is required, its schema.
struct Param<'a> {
    label: String,
    ptr: String,
    required: bool,
    schema: Option<&'a Json>,
}

impl<'a> Compare<'a> {
    fn push(&mut self, kind: ChangeKind, pointer: String, message: String) {
        self.out.push(change(kind, self.op, pointer, message));
    }

    fn parameters(&mut self, o: &Op, n: &Op) {
        let (op, np) = (params(self.old, o), params(self.new, n));
        for (key, p) in &np {
            let before = op.get(key);
            if p.required && !before.is_some_and(|b| b.required) {
                let message = match before {
                    Some(_) => format!("{} became required", p.label),
                    None => format!("new required {}", p.label),
                };
                self.push(ChangeKind::ParameterNewlyRequired, p.ptr.clone(), message);
            }
            if let (Some(b), Some(os), Some(ns)) = (before, before.and_then(|b| b.schema), p.schema)
            {
                let (optr, nptr) = (format!("{}/schema", b.ptr), format!("{}/schema", p.ptr));
                self.schema(Role::Param(&p.label), (os, optr), (ns, nptr));
            }
        }
    }

    fn request_body(&mut self, oo: &Json, optr: &str, no: &Json, nptr: &str) {
        let ob = oo
            .get("requestBody")
            .and_then(|b| deref(&self.old.root, b, format!("{optr}/requestBody")));
        let Some((nb, nb_ptr)) = no
            .get("requestBody")
            .and_then(|b| deref(&self.new.root, b, format!("{nptr}/requestBody")))
        else {
            return;
        };
        let required = |b: &Json| b.get("required") == Some(&Json::Bool(true));
        if required(nb) && !ob.as_ref().is_some_and(|(b, _)| required(b)) {
            let message = match &ob {
                Some(_) => "the request body became required".to_string(),
                None => "new required request body".to_string(),
            };
            self.push(
                ChangeKind::RequestBodyNewlyRequired,
                nb_ptr.clone(),
                message,
            );
        }
        if let Some((ob, ob_ptr)) = ob {
            self.content(Role::Request, (ob, &ob_ptr), (nb, &nb_ptr));
        }
    }

    fn responses(&mut self, oo: &Json, optr: &str, no: &Json, nptr: &str) {
        let Some(Json::Object(ors)) = oo.get("responses") else {
            return;
        };
        let nrs = no.get("responses").and_then(Json::as_object);
        for (status, or) in ors {
            // `200`, `201`, ... and the range `2XX`.
            if !(status.len() == 3 && status.starts_with('2')) {
                continue;
            }
            let or_ptr = format!("{optr}/responses/{}", escape(status));
            // The same code, else a range that covers it, else (for a
            // range) a code in it.
            let range = status.eq_ignore_ascii_case("2xx");
            let found = nrs.and_then(|m| {
                m.get(status).map(|r| (r, status.clone())).or_else(|| {
                    m.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("2xx"))
                        .or_else(|| m.iter().find(|(k, _)| range && k.starts_with('2')))
                        .map(|(k, r)| (r, k.clone()))
                })
            });
            let Some((nr, nstatus)) = found else {
                let message = format!("success response `{status}` was removed");
                self.push(ChangeKind::ResponseRemoved, or_ptr, message);
                continue;
            };
            let nr_ptr = format!("{nptr}/responses/{}", escape(&nstatus));
            let o = deref(&self.old.root, or, or_ptr);
            let n = deref(&self.new.root, nr, nr_ptr);
            if let (Some((or, or_ptr)), Some((nr, nr_ptr))) = (o, n) {
                self.content(Role::Response(status), (or, &or_ptr), (nr, &nr_ptr));
            }
        }
    }

    /// Compares the `content` of two request bodies or responses.
    fn content(&mut self, role: Role<'_>, (o, optr): (&Json, &str), (n, nptr): (&Json, &str)) {
        let Some(Json::Object(oc)) = o.get("content") else {
            return;
        };
        let nc = n.get("content").and_then(Json::as_object);
        for (media, om) in oc {
            let om_ptr = format!("{optr}/content/{}", escape(media));
            let Some(nm) = nc.and_then(|c| c.get(media)) else {
                let message = match role {
                    Role::Response(s) => {
                        format!("media type `{media}` of response `{s}` was removed")
                    }
                    _ => format!("request media type `{media}` was removed"),
                };
                self.push(ChangeKind::MediaTypeRemoved, om_ptr, message);
                continue;
            };
            let nm_ptr = format!("{nptr}/content/{}", escape(media));
            if let (true, Some(os), Some(ns)) = (is_json(media), om.get("schema"), nm.get("schema"))
            {
                let o = (os, format!("{om_ptr}/schema"));
                let n = (ns, format!("{nm_ptr}/schema"));
                self.schema(role, o, n);
            }
        }
    }

    /// Compares two schemas of `role` and reports what broke.
    fn schema(&mut self, role: Role<'_>, o: (&Json, String), n: (&Json, String)) {
        for rel in self.schema_changes(role.request(), o, n, 0) {
            let message = rel.note.render(role.label(&rel.path));
            self.push(rel.kind, rel.pointer, message);
        }
    }

    /// What broke between two schemas, with field paths relative to them.
    /// Each pair of schemas (by pointer and direction) is compared once
    /// for the whole of [`breaking_changes`]; a pair met again inside
    /// itself (a recursive schema) adds nothing.
    fn schema_changes(
        &mut self,
        request: bool,
        (o, optr): (&Json, String),
        (n, nptr): (&Json, String),
        depth: usize,
    ) -> Vec<Rel> {
        let (fo, fnew) = (
            Flat::of(&self.old.root, o, optr),
            Flat::of(&self.new.root, n, nptr),
        );
        let key = (request, fo.ptr.clone(), fnew.ptr.clone());
        if let Some(done) = self.memo.done.get(&key) {
            return done.clone();
        }
        if depth > MAX_SCHEMA_DEPTH || self.memo.budget == 0 {
            // Past a bound nothing more is compared, and that is said:
            // an unchecked rest is never taken for an unchanged one.
            if !self.memo.incomplete {
                self.memo.incomplete = true;
                let why = if depth > MAX_SCHEMA_DEPTH {
                    format!("schemas nest deeper than {MAX_SCHEMA_DEPTH} levels")
                } else {
                    format!("more than {MAX_SCHEMA_STEPS} pairs of schemas")
                };
                let message = format!(
                    "the comparison stopped at `{}`: {why}, so what lies beyond was not checked",
                    fnew.ptr
                );
                self.out.push(change(
                    ChangeKind::ComparisonIncomplete,
                    self.op,
                    fnew.ptr.clone(),
                    message,
                ));
            }
            return Vec::new();
        }
        if !self.memo.active.insert(key.clone()) {
            return Vec::new();
        }
        self.memo.budget -= 1;
        let mut out = Rels::default();
        self.compare_flat(request, &fo, &fnew, depth, &mut out);
        self.memo.active.remove(&key);
        self.memo.done.insert(key, out.list.clone());
        out.list
    }

    fn compare_flat(
        &mut self,
        request: bool,
        fo: &Flat<'_>,
        fnew: &Flat<'_>,
        depth: usize,
        out: &mut Rels,
    ) {
        let here = |kind, pointer: &String, note| Rel {
            kind,
            pointer: pointer.clone(),
            path: String::new(),
            note,
        };
        if let (Some(ot), Some(nt)) = (&fo.types, &fnew.types) {
            if !(if request {
                accepts(nt, ot)
            } else {
                accepts(ot, nt)
            }) {
                let note = Note::Type(show(ot), show(nt));
                out.push(here(ChangeKind::TypeChanged, &fnew.ptr, note));
                return;
            }
        }
        if let (true, Some(oe), Some(ne)) = (request, &fo.enums, &fnew.enums) {
            for v in oe.iter().filter(|v| !ne.contains(v)) {
                let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                out.push(here(ChangeKind::EnumValueRemoved, &fnew.ptr, Note::Enum(v)));
            }
        }
        if request {
            for name in fnew.required.difference(&fo.required) {
                let prop = fnew.props.get(name);
                if prop.is_some_and(|(_, s)| flagged(&self.new.root, s, "readOnly")) {
                    continue;
                }
                let ptr = prop.map_or_else(|| format!("{}/required", fnew.ptr), |(p, _)| p.clone());
                let note = Note::Required(fo.props.contains_key(name));
                out.push(Rel {
                    path: name.clone(),
                    ..here(ChangeKind::RequestFieldNewlyRequired, &ptr, note)
                });
            }
        }
        for (name, (op, os)) in &fo.props {
            match fnew.props.get(name) {
                None if !request && !fnew.union && !flagged(&self.old.root, os, "writeOnly") => {
                    let rel = here(ChangeKind::ResponseFieldRemoved, op, Note::Removed);
                    out.push(Rel {
                        path: name.clone(),
                        ..rel
                    });
                }
                None => {}
                Some((np, ns)) => {
                    if !request && fo.required.contains(name) && !fnew.required.contains(name) {
                        let rel = here(ChangeKind::ResponseFieldNewlyOptional, np, Note::Optional);
                        out.push(Rel {
                            path: name.clone(),
                            ..rel
                        });
                    }
                    let inner =
                        self.schema_changes(request, (os, op.clone()), (ns, np.clone()), depth + 1);
                    out.extend(name, inner);
                }
            }
        }
        if let (Some((op, os)), Some((np, ns))) = (&fo.items, &fnew.items) {
            let inner = self.schema_changes(request, (os, op.clone()), (ns, np.clone()), depth + 1);
            out.extend("[]", inner);
        }
    }
}

/// Breaking changes found in a schema, relative to it.
#[derive(Default)]
struct Rels {
    list: Vec<Rel>,
    seen: BTreeSet<(ChangeKind, String, Note)>,
}

impl Rels {
    /// Adds a change unless one of its kind, place and detail is in (a
    /// schema reached through two fields is reported at the first).
    fn push(&mut self, rel: Rel) {
        if self
            .seen
            .insert((rel.kind, rel.pointer.clone(), rel.note.clone()))
        {
            self.list.push(rel);
        }
    }

    /// Adds the changes of a field `name` (or `[]`, the items).
    fn extend(&mut self, name: &str, inner: Vec<Rel>) {
        for mut rel in inner {
            rel.path = match rel.path.starts_with('[') || rel.path.is_empty() {
                true => format!("{name}{}", rel.path),
                false => format!("{name}.{}", rel.path),
            };
            self.push(rel);
        }
    }
}

/// A breaking change inside a schema, at field `path` relative to it.
#[derive(Debug, Clone)]
struct Rel {
    kind: ChangeKind,
    pointer: String,
    path: String,
    note: Note,
}

/// What a [`Rel`] says, to be said of a field or body.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Note {
    /// The type changed from the first to the second.
    Type(String, String),
    /// The value left the enum.
    Enum(String),
    /// Became required; whether the field existed before.
    Required(bool),
    Removed,
    Optional,
}

impl Note {
    fn render(&self, label: String) -> String {
        match self {
            Note::Type(from, to) => format!("type of {label} changed from `{from}` to `{to}`"),
            Note::Enum(v) => format!("value `{v}` was removed from the enum of {label}"),
            Note::Required(true) => format!("{label} became required"),
            Note::Required(false) => format!("new required {label}"),
            Note::Removed => format!("{label} was removed"),
            Note::Optional => format!("{label} became optional"),
        }
    }
}

/// Schema comparisons shared by all the operations of one
/// [`breaking_changes`]: those done, those under way, how many may still be
/// done.
struct Memo {
    done: BTreeMap<(bool, String, String), Vec<Rel>>,
    active: BTreeSet<(bool, String, String)>,
    budget: usize,
    /// Whether a bound stopped the comparison (reported once).
    incomplete: bool,
}

/// The parameters of an operation (path item's, overridden by the
/// operation's), keyed by location and name; path parameters by position.
fn params<'a>(doc: &'a OpenApi, op: &Op) -> BTreeMap<(String, String), Param<'a>> {
    let names: Vec<&str> = op
        .path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(n, _)| n))
        .collect();
    let mut out = BTreeMap::new();
    for at in [op.item.clone(), format!("{}/{}", op.item, op.method)] {
        let Some(Json::Array(list)) = doc.root.pointer(&format!("{at}/parameters")) else {
            continue;
        };
        for (i, p) in list.iter().enumerate() {
            let Some((p, ptr)) = deref(&doc.root, p, format!("{at}/parameters/{i}")) else {
                continue;
            };
            let (Some(name), Some(place)) = (
                p.get("name").and_then(Json::as_str),
                p.get("in").and_then(Json::as_str),
            ) else {
                continue;
            };
            let key = match place {
                "path" => names
                    .iter()
                    .position(|n| *n == name)
                    .map_or_else(|| name.to_string(), |i| format!("#{i}")),
                "header" => name.to_ascii_lowercase(),
                _ => name.to_string(),
            };
            let required = place == "path" || p.get("required") == Some(&Json::Bool(true));
            let label = format!("`{place}` parameter `{name}`");
            out.insert(
                (place.to_string(), key),
                Param {
                    label,
                    ptr,
                    required,
                    schema: p.get("schema"),
                },
            );
        }
    }
    out
}

/// A schema with its `$ref` followed and its `allOf` merged.
#[derive(Default)]
struct Flat<'a> {
    /// Where the schema is, after its `$ref`.
    ptr: String,
    types: Option<BTreeSet<String>>,
    props: BTreeMap<String, (String, &'a Json)>,
    required: BTreeSet<String>,
    items: Option<(String, &'a Json)>,
    enums: Option<Vec<&'a Json>>,
    /// Whether it has `oneOf` or `anyOf`.
    union: bool,
}

impl<'a> Flat<'a> {
    fn of(root: &'a Json, schema: &'a Json, ptr: String) -> Self {
        let mut flat = Flat::default();
        let ptr = deref(root, schema, ptr.clone()).map_or(ptr, |(_, p)| p);
        flat.ptr = ptr.clone();
        flat.merge(root, schema, ptr, &mut BTreeSet::new(), 0);
        flat
    }

    fn merge(
        &mut self,
        root: &'a Json,
        schema: &'a Json,
        ptr: String,
        seen: &mut BTreeSet<String>,
        depth: usize,
    ) {
        let Some((Json::Object(s), ptr)) = deref(root, schema, ptr) else {
            return;
        };
        if depth > MAX_SCHEMA_DEPTH || !seen.insert(ptr.clone()) {
            return;
        }
        let mut types: Option<BTreeSet<String>> = match s.get("type") {
            Some(Json::String(t)) => Some([t.clone()].into()),
            Some(Json::Array(ts)) => Some(
                ts.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect(),
            ),
            _ => None,
        };
        if let (Some(t), Some(Json::Bool(true))) = (&mut types, s.get("nullable")) {
            t.insert("null".into());
        }
        self.types = match (self.types.take(), types) {
            (Some(a), Some(b)) => Some(a.intersection(&b).cloned().collect()),
            (a, b) => a.or(b),
        };
        if let Some(Json::Object(props)) = s.get("properties") {
            for (name, p) in props {
                let at = format!("{ptr}/properties/{}", escape(name));
                self.props.entry(name.clone()).or_insert((at, p));
            }
        }
        if let Some(Json::Array(req)) = s.get("required") {
            self.required
                .extend(req.iter().filter_map(Json::as_str).map(str::to_string));
        }
        if let (None, Some(items)) = (&self.items, s.get("items")) {
            self.items = Some((format!("{ptr}/items"), items));
        }
        if let (None, Some(Json::Array(values))) = (&self.enums, s.get("enum")) {
            self.enums = Some(values.iter().collect());
        }
        self.union |= s.contains_key("oneOf") || s.contains_key("anyOf");
        if let Some(Json::Array(all)) = s.get("allOf") {
            for (i, sub) in all.iter().enumerate() {
                self.merge(root, sub, format!("{ptr}/allOf/{i}"), seen, depth + 1);
            }
        }
    }
}

/// Whether a field's schema says `flag: true` (`readOnly`, `writeOnly`).
fn flagged(root: &Json, schema: &Json, flag: &str) -> bool {
    deref(root, schema, String::new()).is_some_and(|(s, _)| s.get(flag) == Some(&Json::Bool(true)))
}

/// Whether values of the types `from` are all values of the types `to`.
fn accepts(to: &BTreeSet<String>, from: &BTreeSet<String>) -> bool {
    from.iter()
        .all(|t| to.contains(t) || (t == "integer" && to.contains("number")))
}

fn show(types: &BTreeSet<String>) -> String {
    types
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("|")
}

/// Whether a media type carries JSON: `application/json`, `application/problem+json`, ...
fn is_json(media: &str) -> bool {
    let essence = media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.contains('/') && essence.ends_with("json")
}

/// Follows `$ref`s from `value` (at `ptr`) to a value that is not one.
/// None for a chain of references that comes back on itself.
fn deref<'a>(root: &'a Json, mut value: &'a Json, mut ptr: String) -> Option<(&'a Json, String)> {
    for _ in 0..MAX_REF_HOPS {
        let Some(Json::String(r)) = value.get("$ref") else {
            return Some((value, ptr));
        };
        ptr = ref_pointer(r)?;
        value = root.pointer(&ptr)?;
    }
    None
}

/// The JSON pointer of a local `$ref` (`#/components/schemas/A%20B`).
fn ref_pointer(r: &str) -> Option<String> {
    let fragment = r.strip_prefix('#')?;
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b, hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
        .ok()
        .filter(|p| p.is_empty() || p.starts_with('/'))
}

/// Refuses a `$ref` that is not local or does not resolve. Values that are
/// data, not schema (`example`, `examples`, `default`, `enum`, `const`,
/// `x-*`), are not looked into.
fn check_refs(value: &Json, path: &mut Vec<String>, text: &str) -> Result<(), OpenApiError> {
    let root_ok = |r: &str, root: &Json| ref_pointer(r).and_then(|p| root.pointer(&p).map(|_| ()));
    fn walk(
        value: &Json,
        root: &Json,
        path: &mut Vec<String>,
        check: &dyn Fn(&str, &Json) -> Option<()>,
    ) -> Result<(), (Vec<String>, String, bool)> {
        match value {
            Json::Object(map) => {
                for (k, v) in map {
                    path.push(k.clone());
                    if let (true, Json::String(r)) = (k == "$ref", v) {
                        if check(r, root).is_none() {
                            return Err((path.clone(), r.clone(), r.starts_with('#')));
                        }
                    } else if !matches!(
                        k.as_str(),
                        "example" | "examples" | "default" | "enum" | "const"
                    ) && !k.starts_with("x-")
                    {
                        walk(v, root, path, check)?;
                    }
                    path.pop();
                }
            }
            Json::Array(list) => {
                for (i, v) in list.iter().enumerate() {
                    path.push(i.to_string());
                    walk(v, root, path, check)?;
                    path.pop();
                }
            }
            _ => {}
        }
        Ok(())
    }
    walk(value, value, path, &root_ok).map_err(|(at, r, local)| {
        let e = if local {
            OpenApiError::new(format!("`$ref` `{r}` does not resolve"))
        } else {
            OpenApiError::new(format!("`$ref` `{r}` is not local")).hint(
                "only references inside the document (`#/...`) are followed: bundle the document first",
            )
        };
        e.located(text, &at)
    })
}

/// Parses the text as JSON or YAML, refusing aliases, deep flow nesting
/// before parsing, and keys given twice.
fn read(text: &str, max_depth: usize) -> Result<Json, OpenApiError> {
    #[derive(serde::Deserialize)]
    struct Root(#[serde(deserialize_with = "crate::model::unique::values")] BTreeMap<String, Json>);
    let not_mapping = |m: &str| m.starts_with("invalid type");
    let strip = |m: String| match m.find(" at line ") {
        Some(i) => m.get(..i).unwrap_or_default().to_string(),
        None => m,
    };
    let root = if text.trim_start().starts_with('{') {
        serde_json::from_str::<Root>(text).map_err(|e| {
            let m = strip(e.to_string());
            OpenApiError::new(format!("invalid JSON: {m}")).at((e.line(), e.column()))
        })?
    } else {
        if let Some(pos) = crate::limits::yaml_alias(text) {
            return Err(OpenApiError::new("aliases (`*name`) are not allowed in an OpenAPI document")
                .at(pos)
                .hint("write the value out: an alias can multiply the size of a document past every limit"));
        }
        if let Some(pos) = crate::limits::yaml_too_deep(text, max_depth) {
            return Err(OpenApiError::new(format!(
                "the document nests deeper than {max_depth} levels"
            ))
            .at(pos));
        }
        match yaml_serde::from_str::<Root>(text) {
            Ok(root) => root,
            Err(e) if not_mapping(&e.to_string()) => {
                return Ok(Json::Null);
            }
            Err(e) => {
                let message = e.to_string();
                let pos = match message.contains("duplicate key") {
                    true => duplicate_key(text),
                    false => None,
                };
                let pos = pos.or_else(|| e.location().map(|l| (l.line(), l.column())));
                let pos = pos.unwrap_or((0, 0));
                return Err(
                    OpenApiError::new(format!("invalid YAML: {}", strip(e.to_string()))).at(pos),
                );
            }
        }
    };
    Ok(Json::Object(root.0.into_iter().collect()))
}

/// The path to the first value nested deeper than `max` mappings and
/// sequences.
fn too_deep(value: &Json, max: usize) -> Option<Vec<String>> {
    let children: Box<dyn Iterator<Item = (String, &Json)>> = match value {
        Json::Object(m) => Box::new(m.iter().map(|(k, v)| (k.clone(), v))),
        Json::Array(l) => Box::new(l.iter().enumerate().map(|(i, v)| (i.to_string(), v))),
        _ => return None,
    };
    if max == 0 {
        return Some(Vec::new());
    }
    for (k, v) in children {
        if let Some(mut path) = too_deep(v, max - 1) {
            path.insert(0, k);
            return Some(path);
        }
    }
    None
}

/// Escapes one JSON pointer token.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointer of unescaped tokens.
fn pointer(tokens: &[String]) -> String {
    tokens.iter().map(|t| format!("/{}", escape(t))).collect()
}

/// Where a mapping first repeats a key: 1-based line and column.
fn duplicate_key(text: &str) -> Option<(usize, usize)> {
    use saphyr_parser::{Event, Parser};
    // A mapping's keys so far and whether a key comes next; None for a sequence.
    let mut stack: Vec<Option<(BTreeSet<String>, bool)>> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(Ok((event, span))) = parser.next_event() {
        let opens = match &event {
            Event::MappingStart(..) => Some(Some((BTreeSet::new(), true))),
            Event::SequenceStart(..) => Some(None),
            Event::Scalar(..) | Event::Alias(_) => None,
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                continue;
            }
            _ => continue,
        };
        if let Some(Some((keys, awaiting))) = stack.last_mut() {
            if let (true, Event::Scalar(key, ..)) = (*awaiting, &event) {
                if !keys.insert(key.to_string()) {
                    return Some((span.start.line(), span.start.col() + 1));
                }
            }
            *awaiting = !*awaiting;
        }
        stack.extend(opens);
    }
    None
}

/// Where the value (or, in a mapping, the key) at `tokens` starts in
/// `text`: 1-based line and column, read from the YAML events (JSON is
/// read the same way).
fn locate(text: &str, tokens: &[String]) -> Option<(usize, usize)> {
    use saphyr_parser::{Event, Parser};
    /// A mapping (awaiting a key when None), a sequence (the next index),
    /// or a container inside a complex mapping key (nothing to find there).
    enum Frame {
        Map(Option<String>),
        Seq(usize),
        Key,
    }
    let path_is = |frames: &[Frame], last: Option<&str>| {
        let mut path = Vec::with_capacity(frames.len() + 1);
        for f in frames {
            match f {
                Frame::Map(Some(k)) => path.push(k.as_str().to_string()),
                Frame::Seq(i) => path.push(i.to_string()),
                _ => return false,
            }
        }
        path.extend(last.map(str::to_string));
        path == tokens
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(Ok((event, span))) = parser.next_event() {
        let pos = (span.start.line(), span.start.col() + 1);
        let (scalar, opens) = match &event {
            Event::Scalar(s, ..) => (Some(s.to_string()), None),
            Event::Alias(_) => (Some(String::new()), None),
            Event::MappingStart(..) => (None, Some(Frame::Map(None))),
            Event::SequenceStart(..) => (None, Some(Frame::Seq(0))),
            Event::MappingEnd | Event::SequenceEnd => {
                let ended = stack.pop();
                match (ended, stack.last_mut()) {
                    (_, Some(Frame::Key)) | (_, None) => {}
                    (Some(Frame::Key), Some(Frame::Map(key))) => *key = Some(String::new()),
                    (_, Some(Frame::Map(key))) => *key = None,
                    (_, Some(Frame::Seq(i))) => *i += 1,
                }
                continue;
            }
            _ => continue,
        };
        if stack.iter().any(|f| matches!(f, Frame::Key)) {
            if opens.is_some() {
                stack.push(Frame::Key);
            }
            continue;
        }
        let (parents, top) = match stack.split_last_mut() {
            Some((top, parents)) => (&*parents, Some(top)),
            None => (&[][..], None),
        };
        if let Some(Frame::Map(key @ None)) = top {
            // A mapping key: the target when it names the last token.
            match scalar {
                Some(s) if path_is(parents, Some(&s)) => return Some(pos),
                Some(s) => *key = Some(s),
                None => stack.push(Frame::Key),
            }
            continue;
        }
        if path_is(&stack, None) {
            return Some(pos);
        }
        match (opens, stack.last_mut()) {
            (Some(frame), _) => stack.push(frame),
            (None, Some(Frame::Map(key))) => *key = None,
            (None, Some(Frame::Seq(i))) => *i += 1,
            (None, _) => {}
        }
    }
    None
}

#[cfg(test)]
#[path = "openapi_tests.rs"]
mod tests;
