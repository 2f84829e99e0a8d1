//! The shape of the facts, derived once from their JSON Schema: which fields
//! exist, and which strings are timestamps or durations. The static checks
//! resolve policy field references against it, and the conversion of facts
//! into CEL values uses it to type timestamps and durations. Deriving it from
//! the schema keeps one source of truth: the Rust types.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::Value as Json;

/// The type of a value at some path of the facts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// A record with known fields.
    Object(BTreeMap<String, Shape>),
    /// A map with free-form keys (`labels`, `extensions`).
    Map(Box<Shape>),
    /// A list.
    List(Box<Shape>),
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

/// The JSON Schema of the facts.
pub(crate) fn facts_schema() -> Json {
    serde_json::to_value(schemars::schema_for!(super::Facts)).unwrap_or(Json::Null)
}

/// The shape of the facts root.
pub(crate) static FACTS: LazyLock<Shape> = LazyLock::new(|| {
    let schema = facts_schema();
    from_schema(&schema, &schema, 0)
});

/// The shape of the rollout facts root (what rollout policies read).
pub(crate) static ROLLOUT: LazyLock<Shape> = LazyLock::new(|| {
    let schema =
        serde_json::to_value(schemars::schema_for!(super::RolloutFacts)).unwrap_or(Json::Null);
    from_schema(&schema, &schema, 0)
});

/// What a trigger's or criterion's per-sample `expression` reads: the
/// sample's `value` and the `baseline` mean (`null` without a baseline).
pub(crate) static SAMPLE: LazyLock<Shape> = LazyLock::new(|| {
    Shape::Object(BTreeMap::from([
        ("value".to_string(), Shape::Double),
        ("baseline".to_string(), Shape::Double),
    ]))
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
                Shape::Object(
                    props
                        .iter()
                        .map(|(k, v)| (k.clone(), from_schema(v, root, depth + 1)))
                        .collect(),
                )
            } else {
                let values = obj
                    .get("additionalProperties")
                    .map_or(Shape::Any, |v| from_schema(v, root, depth + 1));
                Shape::Map(Box::new(values))
            }
        }
        "array" => Shape::List(Box::new(
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
