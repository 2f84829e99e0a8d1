//! Conversions between facts (JSON) and CEL values. Facts are converted once
//! per decision; the facts shape types timestamps and durations and makes
//! every number of a `double` field a CEL double. Lists longer than
//! [`Limits::max_list_items`] are refused here, with their JSON path.

use std::collections::HashMap;
use std::sync::Arc;

use cel::Value;
use cel::objects::{Key, Map};
use serde_json::Value as Json;

use crate::error::FactsError;
use crate::limits::Limits;
use crate::model::shape::Shape;

/// Convert `json` of shape `shape` (found at `path`) to a CEL value.
pub(crate) fn to_cel(
    json: &Json,
    shape: &Shape,
    path: &mut String,
    limits: &Limits,
) -> Result<Value, FactsError> {
    Ok(match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match shape {
            Shape::Double => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            _ => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => match n.as_u64() {
                    Some(u) => Value::UInt(u),
                    None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
            },
        },
        Json::String(s) => match shape {
            Shape::Timestamp => chrono::DateTime::parse_from_rfc3339(s)
                .map(Value::Timestamp)
                .map_err(|e| {
                    FactsError::new(format!("invalid timestamp `{s}`: {e}")).at(path.clone())
                })?,
            Shape::Duration => crate::model::Duration::parse(s)
                .map(|d| Value::Duration(d.as_chrono()))
                .map_err(|e| FactsError::new(e).at(path.clone()))?,
            _ => Value::String(Arc::new(s.clone())),
        },
        Json::Array(items) => {
            if items.len() > limits.max_list_items {
                return Err(FactsError::new(format!(
                    "list has {} items, more than the limit of {}",
                    items.len(),
                    limits.max_list_items
                ))
                .at(path.clone()));
            }
            let element = shape.element();
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                out.push(to_cel(item, &element, path, limits)?);
                path.truncate(len);
            }
            Value::List(Arc::new(out))
        }
        Json::Object(fields) => {
            let mut out = HashMap::with_capacity(fields.len());
            for (k, v) in fields {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                let s = shape.field(k).unwrap_or(&Shape::Any);
                out.insert(
                    Key::String(Arc::new(k.clone())),
                    to_cel(v, s, path, limits)?,
                );
                path.truncate(len);
            }
            Value::Map(Map { map: Arc::new(out) })
        }
    })
}

/// A CEL value as JSON, for the values shown in findings. Timestamps and
/// durations print as in the facts; map keys are sorted (deterministic).
pub(crate) fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::UInt(u) => Json::from(*u),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(m) => {
            let mut entries: Vec<(String, Json)> = m
                .map
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        Key::String(s) => s.to_string(),
                        Key::Int(i) => i.to_string(),
                        Key::Uint(u) => u.to_string(),
                        Key::Bool(b) => b.to_string(),
                    };
                    (key, to_json(v))
                })
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(entries.into_iter().collect())
        }
        Value::Timestamp(t) => Json::String(
            t.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        ),
        Value::Duration(d) => {
            Json::String(crate::model::Duration::from_millis(d.num_milliseconds()).to_string())
        }
        other => Json::String(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shape::FACTS;

    #[test]
    fn timestamps_and_durations_are_typed() {
        let json = serde_json::json!({"now": "2026-11-26T10:00:00Z", "service": {"tier": 1, "owner": "x", "rollbackBudget": "5m", "errorBudgetRemaining": 1}});
        let v = to_cel(&json, &FACTS, &mut "$".into(), &Limits::default());
        let Ok(Value::Map(m)) = v else {
            panic!("not a map: {v:?}")
        };
        assert!(matches!(
            m.get(&Key::String(Arc::new("now".into()))),
            Some(Value::Timestamp(_))
        ));
        let Some(Value::Map(svc)) = m.get(&Key::String(Arc::new("service".into()))) else {
            panic!()
        };
        assert!(matches!(
            svc.get(&Key::String(Arc::new("rollbackBudget".into()))),
            Some(Value::Duration(_))
        ));
        assert!(matches!(
            svc.get(&Key::String(Arc::new("errorBudgetRemaining".into()))),
            Some(Value::Float(_))
        ));
        assert!(matches!(
            svc.get(&Key::String(Arc::new("tier".into()))),
            Some(Value::Int(1))
        ));
    }

    #[test]
    fn long_lists_are_refused_with_their_path() {
        let json = serde_json::json!({"approvals": [1, 2, 3]});
        let limits = Limits {
            max_list_items: 2,
            ..Limits::default()
        };
        let err = to_cel(&json, &FACTS, &mut "$".into(), &limits).err();
        assert_eq!(err.and_then(|e| e.path), Some("$.approvals".into()));
    }
}
