//! The shape of the facts, derived once from their JSON Schema: which fields
//! exist, and which strings are timestamps or durations. The static checks
//! resolve policy field references against it, and the conversion of facts
//! into CEL values uses it to type timestamps and durations. Deriving it from
//! the schema keeps one source of truth: the Rust types.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, LazyLock};

use serde_json::Value as Json;

/// The type of a value at some path of the facts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// A record with known fields. Shapes are shared (`Arc`), so the type
    /// checker copies a root's shape by a count, not a deep copy.
    Object(Arc<BTreeMap<String, Shape>>),
    /// A map with free-form keys (`labels`, `extensions`).
    Map(Arc<Shape>),
    /// A list.
    List(Arc<Shape>),
    /// An RFC 3339 timestamp (a CEL `timestamp`).
    Timestamp,
    /// A duration (a CEL `duration`).
    Duration,
    /// A semantic version (a CEL `string`; compare with `semver.compare`).
    Version,
    /// A string.
    String,
    /// An integer.
    Int,
    /// A floating-point number.
    Double,
    /// A boolean.
    Bool,
    /// Anything (free-form JSON).
    Any,
}

impl Shape {
    /// The field `name` of an object shape.
    pub(crate) fn field(&self, name: &str) -> Option<&Shape> {
        match self {
            Shape::Object(fields) => fields.get(name),
            Shape::Map(v) => Some(v),
            Shape::Any => Some(&Shape::Any),
            _ => None,
        }
    }

    /// The element shape of a list (or the key shape of a map, which CEL
    /// comprehensions iterate).
    pub(crate) fn element(&self) -> Shape {
        match self {
            Shape::List(e) => (**e).clone(),
            Shape::Map(_) => Shape::String,
            _ => Shape::Any,
        }
    }

    /// The CEL type name of this shape, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Shape::Object(_) | Shape::Map(_) => "map",
            Shape::List(_) => "list",
            Shape::Timestamp => "timestamp",
            Shape::Duration => "duration",
            Shape::String | Shape::Version => "string",
            Shape::Int => "int",
            Shape::Double => "double",
            Shape::Bool => "bool",
            Shape::Any => "dyn",
        }
    }

    /// The field names of an object shape.
    pub(crate) fn field_names(&self) -> Vec<&str> {
        match self {
            Shape::Object(fields) => fields.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

/// The JSON Schema of the facts. (`to_value` hands over the schema's JSON
/// as it is; serialising it would only reorder keywords, at a cost.)
pub(crate) fn facts_schema() -> Json {
    schemars::schema_for!(super::Facts).to_value()
}

/// What release policies read: the facts, and the roots computed from a
/// catalog (`graph`, `calendar`; `null` without one).
#[derive(schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // only its schema is used
struct PolicyRoots {
    #[serde(flatten)]
    facts: super::Facts,
    graph: Option<super::catalog_facts::GraphFacts>,
    calendar: Option<super::catalog_facts::CalendarFacts>,
}

/// The JSON Schema of what release policies read, made once per process
/// for both [`FACTS`] and [`FACTS_OPTIONAL`].
static ROOTS_SCHEMA: LazyLock<Json> =
    LazyLock::new(|| schemars::schema_for!(PolicyRoots).to_value());

/// The JSON Schema of the rollout facts, made once per process for both
/// [`ROLLOUT`] and [`ROLLOUT_OPTIONAL`].
static ROLLOUT_SCHEMA: LazyLock<Json> =
    LazyLock::new(|| schemars::schema_for!(super::RolloutFacts).to_value());

/// The shape of the facts root (with `graph` and `calendar`).
pub(crate) static FACTS: LazyLock<Shape> =
    LazyLock::new(|| from_schema(&ROOTS_SCHEMA, &ROOTS_SCHEMA, 0));

/// The shape of the rollout facts root (what rollout policies read).
pub(crate) static ROLLOUT: LazyLock<Shape> =
    LazyLock::new(|| from_schema(&ROLLOUT_SCHEMA, &ROLLOUT_SCHEMA, 0));

/// What review policies read about one release: the record's fields, and
/// what the library measures from them (`leadTime`, `failed`, `recovery`,
/// `usersAffected`, `impactMinutes`; `deployment.duration` and
/// `rollback.duration` are added to their objects).
#[derive(schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // only its schema is used
struct RecordRoots {
    #[serde(flatten)]
    record: super::ReleaseRecord,
    lead_time: Option<super::Duration>,
    failed: bool,
    recovery: Option<super::Duration>,
    users_affected: u64,
    impact_minutes: u64,
}

/// The shape of a release record as review policies read it.
pub(crate) static RECORD: LazyLock<Shape> = LazyLock::new(|| {
    let schema = schemars::schema_for!(RecordRoots).to_value();
    let mut shape = from_schema(&schema, &schema, 0);
    if let Shape::Object(roots) = &mut shape {
        for part in ["deployment", "rollback"] {
            if let Some(Shape::Object(fields)) = Arc::make_mut(roots).get_mut(part) {
                Arc::make_mut(fields).insert("duration".to_string(), Shape::Duration);
            }
        }
    }
    shape
});

/// Fact paths that may be absent (or `null`) in a valid input: optional
/// sections and fields (`service`, `service.errorBudgetRemaining`), and the
/// values of free-form maps (`release.labels.*`). Paths through lists are
/// not listed (comprehension variables are not tracked). Read by the lint
/// that warns when `||` or `&&` may absorb the error of reading one.
pub(crate) type OptionalPaths = BTreeSet<Vec<String>>;

/// The optional paths of the release facts.
pub(crate) static FACTS_OPTIONAL: LazyLock<OptionalPaths> = LazyLock::new(|| {
    let mut out = BTreeSet::new();
    optional_paths(&ROOTS_SCHEMA, &ROOTS_SCHEMA, &mut Vec::new(), &mut out);
    out
});

/// The optional paths of the rollout facts.
pub(crate) static ROLLOUT_OPTIONAL: LazyLock<OptionalPaths> = LazyLock::new(|| {
    let mut out = BTreeSet::new();
    optional_paths(&ROLLOUT_SCHEMA, &ROLLOUT_SCHEMA, &mut Vec::new(), &mut out);
    out
});

/// The optional paths of the facts of shape `roots`: those of the release
/// or rollout facts, none for another shape.
pub(crate) fn optional_of(roots: &Shape) -> &'static OptionalPaths {
    static NONE: LazyLock<OptionalPaths> = LazyLock::new(BTreeSet::new);
    if std::ptr::eq(roots, &*FACTS) {
        &FACTS_OPTIONAL
    } else if std::ptr::eq(roots, &*ROLLOUT) {
        &ROLLOUT_OPTIONAL
    } else {
        &NONE
    }
}

/// Whether a schema node admits `null` (an `Option` field).
fn nullable(node: &Json) -> bool {
    let null = |t: &Json| t.as_str() == Some("null");
    match node.get("type") {
        Some(Json::Array(ts)) if ts.iter().any(null) => return true,
        _ => {}
    }
    ["anyOf", "oneOf"].iter().any(|k| {
        node.get(*k)
            .and_then(Json::as_array)
            .is_some_and(|alts| alts.iter().any(|a| a.get("type").is_some_and(null)))
    })
}

fn optional_paths(node: &Json, root: &Json, path: &mut Vec<String>, out: &mut OptionalPaths) {
    if path.len() > 8 {
        return;
    }
    let mut node = node;
    // Follow a `$ref`, directly or as the one non-null alternative.
    for _ in 0..4 {
        let alt = ["anyOf", "oneOf"].iter().find_map(|k| {
            let alts = node.get(*k)?.as_array()?;
            let mut rest = alts
                .iter()
                .filter(|a| a.get("type").and_then(Json::as_str) != Some("null"));
            match (rest.next(), rest.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            }
        });
        let next = alt.unwrap_or(node);
        match next.get("$ref").and_then(Json::as_str) {
            Some(r) => match r
                .strip_prefix("#/$defs/")
                .and_then(|name| root.get("$defs").and_then(|d| d.get(name)))
            {
                Some(target) => node = target,
                None => return,
            },
            None => {
                node = next;
                break;
            }
        }
    }
    if let Some(props) = node.get("properties").and_then(Json::as_object) {
        for (name, prop) in props {
            path.push(name.clone());
            if nullable(prop) {
                out.insert(path.clone());
            }
            optional_paths(prop, root, path, out);
            path.pop();
        }
    } else if node.get("type").and_then(Json::as_str) == Some("object") {
        path.push("*".into());
        out.insert(path.clone());
        path.pop();
    }
}

/// What a trigger's or criterion's per-sample `expression` reads: the
/// sample's `value` and the `baseline` mean (`null` without a baseline).
pub(crate) static SAMPLE: LazyLock<Shape> = LazyLock::new(|| {
    Shape::Object(Arc::new(BTreeMap::from([
        ("value".to_string(), Shape::Double),
        ("baseline".to_string(), Shape::Double),
    ])))
});

fn from_schema(node: &Json, root: &Json, depth: usize) -> Shape {
    if depth > 32 {
        return Shape::Any;
    }
    let Some(obj) = node.as_object() else {
        return Shape::Any;
    };
    if let Some(r) = obj.get("$ref").and_then(Json::as_str) {
        let target = r
            .strip_prefix("#/$defs/")
            .and_then(|name| root.get("$defs").and_then(|d| d.get(name)));
        return target.map_or(Shape::Any, |t| from_schema(t, root, depth + 1));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = obj.get(key).and_then(Json::as_array) {
            let shapes: Vec<Shape> = alts
                .iter()
                .filter(|a| a.get("type").and_then(Json::as_str) != Some("null"))
                .map(|a| from_schema(a, root, depth + 1))
                .collect();
            return match shapes.split_first() {
                Some((first, rest)) if rest.iter().all(|s| s == first) => first.clone(),
                _ => Shape::Any,
            };
        }
    }
    if obj.get("format").and_then(Json::as_str) == Some("date-time") {
        return Shape::Timestamp;
    }
    if obj.get("format").and_then(Json::as_str) == Some("duration") {
        return Shape::Duration;
    }
    if obj.get("format").and_then(Json::as_str) == Some("semver") {
        return Shape::Version;
    }
    let ty = match obj.get("type") {
        Some(Json::String(t)) => t.as_str(),
        Some(Json::Array(ts)) => ts
            .iter()
            .filter_map(Json::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ => "",
    };
    match ty {
        "object" => {
            if let Some(props) = obj.get("properties").and_then(Json::as_object) {
                Shape::Object(Arc::new(
                    props
                        .iter()
                        .map(|(k, v)| (k.clone(), from_schema(v, root, depth + 1)))
                        .collect(),
                ))
            } else {
                let values = obj
                    .get("additionalProperties")
                    .map_or(Shape::Any, |v| from_schema(v, root, depth + 1));
                Shape::Map(Arc::new(values))
            }
        }
        "array" => Shape::List(Arc::new(
            obj.get("items")
                .map_or(Shape::Any, |v| from_schema(v, root, depth + 1)),
        )),
        "string" => Shape::String,
        "integer" => Shape::Int,
        "number" => Shape::Double,
        "boolean" => Shape::Bool,
        _ => Shape::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_paths_are_the_option_fields_and_free_form_maps() {
        let has = |p: &[&str]| {
            FACTS_OPTIONAL.contains(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert!(has(&["service"]));
        assert!(has(&["service", "errorBudgetRemaining"]));
        assert!(has(&["release", "labels", "*"]));
        assert!(!has(&["release"]));
        assert!(!has(&["release", "author"]));
        assert!(!has(&["now"]));
    }

    #[test]
    fn facts_shape_knows_fields_and_time_types() {
        let release = FACTS.field("release");
        assert!(matches!(release, Some(Shape::Object(_))));
        assert_eq!(FACTS.field("now"), Some(&Shape::Timestamp));
        let secrets = FACTS.field("security").and_then(|s| s.field("secrets"));
        let secret = secrets.map(Shape::element);
        assert_eq!(
            secret.as_ref().and_then(|s| s.field("maxAge")),
            Some(&Shape::Duration)
        );
        assert_eq!(release.and_then(|r| r.field("kind")), Some(&Shape::String));
        assert_eq!(release.and_then(|r| r.field("enviroment")), None);
        let tier = FACTS.field("service").and_then(|s| s.field("tier"));
        assert_eq!(tier, Some(&Shape::Int));
        let labels = release
            .and_then(|r| r.field("labels"))
            .and_then(|l| l.field("anything"));
        assert_eq!(labels, Some(&Shape::String));
    }
}
