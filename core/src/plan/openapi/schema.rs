//! A schema flattened for comparison (`$ref` followed, `allOf` merged) and
//! the checks on fields, types and media types the comparison uses.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::MAX_SCHEMA_DEPTH;
use super::refs::{deref, escape};

/// A schema with its `$ref` followed and its `allOf` merged.
#[derive(Default)]
pub(super) struct Flat<'a> {
    /// Where the schema is, after its `$ref`.
    pub(super) ptr: String,
    pub(super) types: Option<BTreeSet<String>>,
    pub(super) props: BTreeMap<String, (String, &'a Json)>,
    pub(super) required: BTreeSet<String>,
    pub(super) items: Option<(String, &'a Json)>,
    pub(super) enums: Option<Vec<&'a Json>>,
    /// Whether it has `oneOf` or `anyOf`.
    pub(super) union: bool,
}

impl<'a> Flat<'a> {
    pub(super) fn of(root: &'a Json, schema: &'a Json, ptr: String) -> Self {
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
pub(super) fn flagged(root: &Json, schema: &Json, flag: &str) -> bool {
    deref(root, schema, String::new()).is_some_and(|(s, _)| s.get(flag) == Some(&Json::Bool(true)))
}

/// Whether values of the types `from` are all values of the types `to`.
pub(super) fn accepts(to: &BTreeSet<String>, from: &BTreeSet<String>) -> bool {
    from.iter()
        .all(|t| to.contains(t) || (t == "integer" && to.contains("number")))
}

pub(super) fn show(types: &BTreeSet<String>) -> String {
    types
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("|")
}

/// Whether a media type carries JSON: `application/json`, `application/problem+json`, ...
pub(super) fn is_json(media: &str) -> bool {
    let essence = media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.contains('/') && essence.ends_with("json")
}
