//! Conversions between facts (JSON) and the values of the reference
//! interpreter (the `cel` crate's), for the differential tests: the facts
//! shape types timestamps and durations and makes every number of a
//! `double` field a CEL double, as the compiled evaluator reads them.

use std::collections::HashMap;

use cel::Value;
use cel::common::types::{
    CelBool, CelDouble, CelDuration, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString,
    CelTimestamp, CelUInt,
};
use cel::common::value::Val;
use cel::objects::Key;
use serde_json::Value as Json;

use crate::error::{ErrorCode, FactsError};
use crate::model::shape::Shape;

/// Convert `json` of shape `shape` (found at `path`) to an interpreter value
/// that borrows the JSON's strings. The facts are held to the limits by
/// [`bind_roots`](super::bind::bind_roots) before either evaluator sees
/// them; only a timestamp or duration that does not parse is an error.
pub(crate) fn to_val<'v>(
    json: &'v Json,
    shape: &Shape,
    path: &mut String,
) -> Result<Box<dyn Val + 'v>, FactsError> {
    Ok(match json {
        Json::Null => Box::new(CelNull),
        Json::Bool(b) => Box::new(CelBool::from(*b)),
        Json::Number(n) => match shape {
            Shape::Double => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
            _ => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Box::new(CelInt::from(i)),
                (None, Some(u)) => Box::new(CelUInt::from(u)),
                _ => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
            },
        },
        Json::String(s) => match shape {
            Shape::Timestamp => Box::new(CelTimestamp::from(
                chrono::DateTime::parse_from_rfc3339(s).map_err(|e| {
                    FactsError::new(
                        ErrorCode::FactsInvalidValue,
                        format!("invalid timestamp `{s}`: {e}"),
                    )
                    .at(path.clone())
                })?,
            )),
            Shape::Duration => Box::new(CelDuration::from(
                crate::model::Duration::parse(s)
                    .map_err(|e| FactsError::new(ErrorCode::FactsInvalidValue, e).at(path.clone()))?
                    .as_chrono(),
            )),
            _ => Box::new(CelString::from(s.as_str())),
        },
        Json::Array(items) => {
            let element = shape.element();
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                out.push(to_val(item, &element, path)?);
                path.truncate(len);
            }
            Box::new(CelList::from(out))
        }
        Json::Object(fields) => {
            let mut out = HashMap::with_capacity(fields.len());
            for (k, v) in fields {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                let s = shape.field(k).unwrap_or(&Shape::Any);
                out.insert(CelMapKey::from(k.as_str()), to_val(v, s, path)?);
                path.truncate(len);
            }
            Box::new(CelMap::from(out))
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
        Value::Timestamp(t) => Json::String(crate::model::rfc3339(t.with_timezone(&chrono::Utc))),
        Value::Duration(d) => {
            Json::String(crate::model::Duration::from_millis(d.num_milliseconds()).to_string())
        }
        other => Json::String(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::shape::FACTS;

    fn to_cel(json: &Json, shape: &Shape, path: &mut String) -> Result<Value, FactsError> {
        let v = to_val(json, shape, path)?;
        Ok(Value::try_from(v.as_ref()).unwrap_or(Value::Null))
    }

    #[test]
    fn timestamps_and_durations_are_typed() {
        let json = serde_json::json!({"now": "2026-11-26T10:00:00Z", "service": {"tier": 1, "owner": "x", "rollbackBudget": "5m", "errorBudgetRemaining": 1}});
        let v = to_cel(&json, &FACTS, &mut "$".into());
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
}
