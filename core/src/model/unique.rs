//! Maps whose keys are unique. YAML and JSON both allow a key to be written
//! twice in one mapping, and a plain map keeps the last: `metrics:
//! {error-rate: <breaching>, error-rate: <healthy>}` would read as healthy.
//! Every map of the facts and of the policy documents is read through
//! [`map`] (and free-form JSON through [`value`]), which refuse a key given
//! twice with the key and, through the deserializer, the path and position
//! of the second.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;

fn duplicate<E: de::Error>(key: &dyn fmt::Display) -> E {
    E::custom(format_args!(
        "duplicate key `{key}`: a key may appear once in a mapping (the later would silently win)"
    ))
}

/// A map that refuses a key given twice.
pub(crate) fn map<'de, D, K, V>(d: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Ord + fmt::Display,
    V: Deserialize<'de>,
{
    struct MapVisitor<K, V>(PhantomData<(K, V)>);
    impl<'de, K, V> Visitor<'de> for MapVisitor<K, V>
    where
        K: Deserialize<'de> + Ord + fmt::Display,
        V: Deserialize<'de>,
    {
        type Value = BTreeMap<K, V>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = access.next_key::<K>()? {
                if out.contains_key(&key) {
                    return Err(duplicate(&key));
                }
                let value = access.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(MapVisitor(PhantomData))
}

/// Free-form JSON values by key (`extensions`), refusing a key given twice
/// at any depth.
pub(crate) fn values<'de, D>(d: D) -> Result<BTreeMap<String, Json>, D::Error>
where
    D: Deserializer<'de>,
{
    let m: BTreeMap<String, UniqueJson> = map(d)?;
    Ok(m.into_iter().map(|(k, v)| (k, v.0)).collect())
}

/// A JSON value read with unique keys in every object.
struct UniqueJson(Json);

impl<'de> Deserialize<'de> for UniqueJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor).map(UniqueJson)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom(format_args!("`{v}` is not a finite number")))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut out = Vec::new();
        while let Some(UniqueJson(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Json::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Json, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(duplicate(&key));
            }
            let UniqueJson(v) = access.next_value()?;
            out.insert(key, v);
        }
        Ok(Json::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Doc {
        #[serde(deserialize_with = "map")]
        m: BTreeMap<String, i64>,
        #[serde(default, deserialize_with = "values")]
        x: BTreeMap<String, Json>,
    }

    #[test]
    fn a_key_twice_is_refused_in_yaml_and_json() {
        let yaml = yaml_serde::from_str::<Doc>("m: {a: 1, a: 2}\n");
        let e = yaml.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("duplicate key `a`"), "{e}");
        let json = serde_json::from_str::<Doc>(r#"{"m": {"a": 1, "a": 2}}"#);
        let e = json.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("duplicate key `a`"), "{e}");
    }

    #[test]
    fn a_key_twice_deep_in_free_form_json_is_refused() {
        let r = serde_json::from_str::<Doc>(r#"{"m": {}, "x": {"k": [{"a": 1, "a": 2}]}}"#);
        let e = r.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("duplicate key `a`"), "{e}");
    }

    #[test]
    fn distinct_keys_read_as_before() {
        let d: Doc =
            serde_json::from_str(r#"{"m": {"a": 1, "b": 2}, "x": {"k": {"z": [1.5, null]}}}"#)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.m.len(), 2);
        assert_eq!(d.x["k"]["z"][0], 1.5);
    }
}
