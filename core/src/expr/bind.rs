//! Binding facts to CEL, the one way every question does it: each root of
//! the input is converted from its JSON form to interpreter values once per
//! decision and bound by name in a root context; roots the input lacks are
//! bound as `null`, so a policy can test for an absent section
//! (`service != null`) while reading a field of one is an error. Also the
//! path lookup that findings use to echo the values a rule read.

use cel::Context;
use cel::common::types::CelNull;
use serde_json::Value as Json;

use super::{convert, root_context};
use crate::error::FactsError;
use crate::limits::Limits;
use crate::model::shape::Shape;

/// A root context with every root of `shape` bound: from `roots` (a JSON
/// object of the input's roots) where present, `null` otherwise.
pub(crate) fn bind_roots<'v>(
    shape: &Shape,
    roots: &'v Json,
    limits: &Limits,
) -> Result<Context<'v, 'v>, FactsError> {
    let mut budget = limits.max_fact_values;
    let mut ctx = root_context();
    for root in shape.field_names() {
        ctx.add_variable_as_val(root, Box::new(CelNull));
    }
    if let Json::Object(roots) = roots {
        for (name, value) in roots {
            let field = shape.field(name).unwrap_or(&Shape::Any);
            let mut path = format!("$.{name}");
            let v = convert::to_val(value, field, &mut path, limits, &mut budget)?;
            ctx.add_variable_as_val(name.as_str(), v);
        }
    }
    Ok(ctx)
}

/// The value at `path` (field names from the root) in `json`, if any.
pub(crate) fn lookup(json: &Json, path: &[String]) -> Option<Json> {
    let mut cur = json;
    for seg in path {
        cur = cur.get(seg)?;
    }
    Some(cur.clone())
}

/// A JSON number, or `null` for a value JSON cannot hold (not finite).
pub(crate) fn json_number(v: f64) -> Json {
    serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number)
}

/// A value as a finding shows it: itself, or — when its JSON is longer
/// than `max` bytes — a short summary, so a decision's output stays small.
/// The size is bounded by a walk that stops as soon as it passes `max`, so
/// the common small value costs no serialisation.
pub(crate) fn echo(value: Json, max: usize) -> Json {
    if json_len_upto(&value, max) <= max {
        return value;
    }
    let len = serde_json::to_string(&value).map_or(0, |s| s.len());
    if len <= max {
        return value;
    }
    let what = match &value {
        Json::Array(items) => format!("a list of {} items", items.len()),
        Json::Object(map) => format!("a map of {} entries", map.len()),
        Json::String(s) => format!("a string of {} bytes", s.len()),
        _ => "a value".to_string(),
    };
    Json::String(format!("<{what}, {len} bytes of JSON: not shown>"))
}

/// An upper bound of the length of `value`'s JSON, exact enough to compare
/// with `max`: the walk stops once the running total passes `max`.
fn json_len_upto(value: &Json, max: usize) -> usize {
    let mut total = 0usize;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        total += match v {
            Json::Null | Json::Bool(_) => 5,
            Json::Number(_) => 24,
            Json::String(s) => 2 + escaped_len(s),
            Json::Array(items) => {
                stack.extend(items);
                2 + items.len()
            }
            Json::Object(map) => {
                for (k, v) in map {
                    total += 3 + escaped_len(k);
                    stack.push(v);
                }
                2
            }
        };
        if total > max {
            return total;
        }
    }
    total
}

/// The length of `s` as a JSON string body: control characters take six
/// bytes (`\u00XX`), `"` and `\\` two.
fn escaped_len(s: &str) -> usize {
    s.bytes()
        .map(|b| match b {
            b'"' | b'\\' => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum()
}
