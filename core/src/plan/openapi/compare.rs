//! The breaking changes from one document to the next: operations,
//! parameters, request bodies and responses compared, and the schema
//! comparison with its memo and bounds.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::refs::{deref, escape};
use super::schema::{Flat, accepts, flagged, is_json, show};
use super::{MAX_SCHEMA_DEPTH, MAX_SCHEMA_STEPS, Op, OpenApi};

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

/// The kinds of breaking change; see the [`openapi`](super) module
/// documentation for what each covers and its oasdiff equivalents.
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
