//! Binding facts to the evaluator, the one way every question does it: each
//! root of the input is a borrowed view of its JSON, typed by the facts
//! shape as it is read (no conversion, no copy); roots the input lacks are
//! `null`, so a policy can test for an absent section (`service != null`)
//! while reading a field of one is an error. The facts are held to
//! [`Limits::max_fact_values`] and [`Limits::max_list_items`] by a walk
//! that allocates nothing. Also the path lookup that findings use to echo
//! the values a rule read.

use serde_json::Value as Json;

use super::value::Val;
use crate::error::{ErrorCode, FactsError};
use crate::limits::Limits;
use crate::model::shape::Shape;

/// The roots of `shape` in slot order (the plan's): each from `roots` (a
/// JSON object of the input's roots) where present, `null` otherwise.
pub(crate) fn bind_roots<'a>(
    shape: &'a Shape,
    roots: &'a Json,
    limits: &Limits,
) -> Result<Vec<Val<'a>>, FactsError> {
    within_limits(roots, limits)?;
    Ok(bind_checked(shape, roots))
}

/// [`bind_roots`] for roots already held to the limits by
/// [`within_limits`], with roots the library computed added since (the
/// `graph` and `calendar` of a catalog: bounded by the catalog's own
/// limits, not by the facts').
pub(crate) fn bind_checked<'a>(shape: &'a Shape, roots: &'a Json) -> Vec<Val<'a>> {
    let Shape::Object(fields) = shape else {
        return Vec::new();
    };
    fields
        .iter()
        .map(|(name, field)| roots.get(name).map_or(Val::Null, |j| Val::fact(j, field)))
        .collect()
}

/// The facts held to the value count and list length limits.
pub(crate) fn within_limits(json: &Json, limits: &Limits) -> Result<(), FactsError> {
    let mut budget = limits.max_fact_values;
    let mut stack = vec![json];
    while let Some(v) = stack.pop() {
        budget = budget.checked_sub(1).ok_or_else(|| {
            FactsError::new(
                ErrorCode::FactsOverLimit,
                format!(
                    "facts hold more than the limit of {} values",
                    limits.max_fact_values
                ),
            )
            .at("$")
            .with_hint("send only the facts the policies read, or raise `Limits::max_fact_values`")
        })?;
        match v {
            Json::Array(items) => {
                if items.len() > limits.max_list_items {
                    return Err(FactsError::new(
                        ErrorCode::FactsOverLimit,
                        format!(
                            "list has {} items, more than the limit of {}",
                            items.len(),
                            limits.max_list_items
                        ),
                    )
                    .at(path_to(json, v)));
                }
                stack.extend(items);
            }
            Json::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    Ok(())
}

/// The JSON path of `target` (found by identity) inside `root`.
fn path_to(root: &Json, target: &Json) -> String {
    fn walk(v: &Json, target: &Json, path: &mut String) -> bool {
        if std::ptr::eq(v, target) {
            return true;
        }
        match v {
            Json::Array(items) => items.iter().enumerate().any(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(item, target, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            Json::Object(map) => map.iter().any(|(k, item)| {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                let found = walk(item, target, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = "$".to_string();
    walk(root, target, &mut path);
    path
}

/// The value at `path` (field names from the root) in `json`, if any.
pub(crate) fn lookup<'j>(json: &'j Json, path: &[String]) -> Option<&'j Json> {
    let mut cur = json;
    for seg in path {
        cur = cur.get(seg)?;
    }
    Some(cur)
}

/// A JSON number, or `null` for a value JSON cannot hold (not finite).
pub(crate) fn json_number(v: f64) -> Json {
    serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number)
}

/// A value as a finding shows it: itself, or — when its JSON is longer
/// than `max` bytes — a short summary, so a decision's output stays small.
/// The size is bounded by a walk that stops as soon as it passes `max`, so
/// the common small value costs no serialisation.
pub(crate) fn echo(value: &Json, max: usize) -> Json {
    match summary_if_over(value, max) {
        Some(summary) => summary,
        None => value.clone(),
    }
}

/// [`echo`] of a value built for the purpose: kept, not copied, when it
/// fits.
pub(crate) fn echo_owned(value: Json, max: usize) -> Json {
    summary_if_over(&value, max).unwrap_or(value)
}

/// The summary [`echo`] shows instead of a value whose JSON is longer than
/// `max` bytes; `None` when it fits.
fn summary_if_over(value: &Json, max: usize) -> Option<Json> {
    if json_len_upto(value, max) <= max {
        return None;
    }
    // The bound was passed: count exactly, without building the text, and
    // stop counting at the first byte past `max`.
    let mut counter = Counter { len: 0, max };
    if serde_json::to_writer(&mut counter, value).is_ok() {
        return None;
    }
    let what = match value {
        Json::Array(items) => format!("a list of {} items", items.len()),
        Json::Object(map) => format!("a map of {} entries", map.len()),
        Json::String(s) => format!("a string of {} bytes", s.len()),
        _ => "a value".to_string(),
    };
    Some(Json::String(format!(
        "<{what}, more than {max} bytes of JSON: not shown>"
    )))
}

/// A writer that only counts, and fails once more than `max` bytes came.
struct Counter {
    len: usize,
    max: usize,
}

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.len = self.len.saturating_add(buf.len());
        if self.len > self.max {
            return Err(std::io::Error::other("over the echo limit"));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An upper bound of the length of `value`'s JSON, exact enough to compare
/// with `max`: the walk stops once the running total passes `max`.
fn json_len_upto(value: &Json, max: usize) -> usize {
    // First with every byte of every string counted as escaped (`\u00XX`),
    // which needs no look at the bytes; only a value that may not fit is
    // measured byte by byte.
    let quick = json_len_upto_by(value, max, |s| 6 * s.len());
    if quick <= max {
        return quick;
    }
    json_len_upto_by(value, max, escaped_len)
}

/// [`json_len_upto`] with `text` the length of a string's body.
fn json_len_upto_by(value: &Json, max: usize, text: impl Fn(&str) -> usize) -> usize {
    // A scalar needs no walk (and no stack).
    if let Some(len) = scalar_len(value, &text) {
        return len;
    }
    // Nor does a list or a map of scalars, the common value shown.
    if let Some(len) = flat_len(value, &text) {
        return len;
    }
    let mut total = 0usize;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        total += match v {
            Json::Null | Json::Bool(_) | Json::Number(_) | Json::String(_) => {
                scalar_len(v, &text).unwrap_or_default()
            }
            Json::Array(items) => {
                stack.extend(items);
                2 + items.len()
            }
            Json::Object(map) => {
                for (k, v) in map {
                    total += 3 + text(k);
                    stack.push(v);
                }
                2 + map.len()
            }
        };
        if total > max {
            return total;
        }
    }
    total
}

/// The bound [`json_len_upto_by`] takes for a list or a map of scalars,
/// counted as its walk counts them (`None` for anything else).
fn flat_len(value: &Json, text: &impl Fn(&str) -> usize) -> Option<usize> {
    match value {
        Json::Array(items) => items
            .iter()
            .try_fold(2 + items.len(), |t, v| Some(t + scalar_len(v, text)?)),
        Json::Object(map) => map.iter().try_fold(2 + map.len(), |t, (k, v)| {
            Some(t + 3 + text(k) + scalar_len(v, text)?)
        }),
        _ => None,
    }
}

/// The bound [`json_len_upto_by`] takes for a scalar (`None` for a list
/// or a map): `null`, `false` 5 bytes, a number 24, a string its body and
/// quotes.
fn scalar_len(value: &Json, text: &impl Fn(&str) -> usize) -> Option<usize> {
    match value {
        Json::Null | Json::Bool(_) => Some(5),
        Json::Number(_) => Some(24),
        Json::String(s) => Some(2 + text(s)),
        Json::Array(_) | Json::Object(_) => None,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shape::FACTS;

    #[test]
    fn echo_counts_exactly_near_the_limit() {
        // 100 small numbers: the quick bound (24 bytes a number) passes 300
        // bytes, the exact JSON (`[0,1,…,99]`, 291 bytes) does not.
        let list = Json::Array((0..100).map(Json::from).collect());
        assert_eq!(
            serde_json::to_string(&list).map(|s| s.len()).ok(),
            Some(291)
        );
        assert_eq!(echo(&list, 300), list);
        assert_eq!(
            echo(&list, 290),
            Json::String("<a list of 100 items, more than 290 bytes of JSON: not shown>".into())
        );
    }

    #[test]
    fn long_lists_are_refused_with_their_path() {
        let json = serde_json::json!({"approvals": [1, 2, 3]});
        let limits = Limits {
            max_list_items: 2,
            ..Limits::default()
        };
        let err = bind_roots(&FACTS, &json, &limits).err();
        assert_eq!(err.and_then(|e| e.path), Some("$.approvals".into()));
    }

    #[test]
    fn the_values_of_the_facts_are_counted() {
        let json = serde_json::json!({"labels": {"a": "1", "b": "2"}});
        let limits = Limits {
            max_fact_values: 2,
            ..Limits::default()
        };
        let err = bind_roots(&FACTS, &json, &limits).err();
        assert!(err.is_some_and(|e| e.message.contains("more than the limit of 2 values")));
    }

    fn json() -> impl proptest::strategy::Strategy<Value = Json> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::from),
            any::<i64>().prop_map(Json::from),
            any::<f64>().prop_map(Json::from),
            "[a-z\"\\\u{1}é]{0,12}".prop_map(Json::from),
        ];
        leaf.prop_recursive(3, 40, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Json::Array),
                prop::collection::btree_map("[a-z\"\u{2}]{0,6}", inner, 0..8)
                    .prop_map(|m| Json::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// A value is shown exactly when its JSON fits: the bounds (the
        /// flat list or map, the walk) never decide otherwise than the
        /// JSON's length.
        #[test]
        fn a_value_is_shown_exactly_when_its_json_fits(v in json(), near in -4i64..4) {
            let len = serde_json::to_string(&v).map(|s| s.len()).unwrap_or(usize::MAX);
            // A limit at or just around the JSON's length, where a bound
            // that counts a byte too few would show a value that does
            // not fit.
            let max = usize::try_from(i64::try_from(len).unwrap_or(0) + near).unwrap_or(0);
            proptest::prop_assert_eq!(summary_if_over(&v, max).is_none(), len <= max);
        }
    }
}
