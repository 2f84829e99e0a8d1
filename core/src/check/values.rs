//! The values a finding shows: the fact paths its rule read and their
//! values, held as a short list sorted by path (a finding shows a handful;
//! a map per finding cost more to build and drop than the rest of it),
//! read and written as the JSON object it is. Each value is kept as the
//! JSON text written when the rule was evaluated ([`Shown`]) and read into
//! a `serde_json::Value` only when asked for.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a finding shows, as JSON and in its schema: an object of path to
/// value.
type AsMap = BTreeMap<Arc<str>, Arc<serde_json::Value>>;

/// The fact paths a rule read (`release.environment`,
/// `variables.blocking`) and their values as the finding shows them (a
/// value over [`Limits::max_echo_bytes`](crate::Limits) of JSON is
/// replaced by a short summary). Sorted by path.
///
/// The findings of one decision share the values they show: two rules
/// that read `migrations` hold the same value, not two copies of it.
#[derive(Clone, Default, PartialEq)]
pub struct Values(Vec<(Arc<str>, Arc<Shown>)>);

/// A value a finding shows: its JSON text (compact, object keys sorted, as
/// `serde_json` writes a `Value`), and that text read as a value the first
/// time it is asked for. Writing the text while the rule's values are at
/// hand costs one string; building the `Value` costs a few allocations an
/// entry, and most decisions are never looked at value by value.
pub(crate) struct Shown {
    text: Box<str>,
    value: OnceLock<serde_json::Value>,
}

impl Shown {
    /// The value whose JSON is `text`: text written by `serde_json` (see
    /// [`crate::expr::echo::echo_text`]), so it reads back.
    pub(crate) fn from_text(text: Box<str>) -> Self {
        Self {
            text,
            value: OnceLock::new(),
        }
    }

    fn from_value(value: serde_json::Value) -> Self {
        Self {
            text: value.to_string().into_boxed_str(),
            value: OnceLock::from(value),
        }
    }

    /// The value. The text is `serde_json`'s own and nests at most 64
    /// levels deep, within its parser's limit, so it reads back; were it
    /// not to, the value shown is `null`.
    fn value(&self) -> &serde_json::Value {
        self.value
            .get_or_init(|| serde_json::from_str(&self.text).unwrap_or(serde_json::Value::Null))
    }
}

impl PartialEq for Shown {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Values {
    fn find(&self, path: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| (**k).cmp(path))
    }

    /// The value shown for `path`, if the rule read it.
    pub fn get(&self, path: &str) -> Option<&serde_json::Value> {
        let i = self.find(path).ok()?;
        self.0.get(i).map(|(_, v)| v.value())
    }

    /// The paths and their values, sorted by path.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &serde_json::Value)> {
        self.0.iter().map(|(k, v)| (&**k, v.value()))
    }

    /// The paths, sorted.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }

    /// How many paths.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the rule showed no value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Room for `n` paths.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    /// Show `value` for `path` (shared, not copied); a path shown again
    /// takes the new value.
    pub(crate) fn insert(&mut self, path: Arc<str>, value: Arc<Shown>) {
        match self.find(&path) {
            Ok(i) => {
                if let Some(slot) = self.0.get_mut(i) {
                    slot.1 = value;
                }
            }
            Err(i) => self.0.insert(i, (path, value)),
        }
    }
}

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a Values {
    type Item = (&'a str, &'a serde_json::Value);
    type IntoIter = Box<dyn Iterator<Item = Self::Item> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl Serialize for Values {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(&**k, v.value())?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read as the map it is written as: sorted, each path once.
        Ok(Self(
            BTreeMap::<Arc<str>, serde_json::Value>::deserialize(d)?
                .into_iter()
                .map(|(k, v)| (k, Arc::new(Shown::from_value(v))))
                .collect(),
        ))
    }
}

impl JsonSchema for Values {
    fn inline_schema() -> bool {
        AsMap::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        AsMap::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        AsMap::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        AsMap::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(n: i64) -> Arc<Shown> {
        Arc::new(Shown::from_text(n.to_string().into()))
    }

    #[test]
    fn paths_are_kept_sorted_and_once_whatever_the_order_shown() {
        let mut values = Values::default();
        for (path, n) in [("ci.b", 1), ("ci.a", 2), ("release.id", 3), ("ci.b", 4)] {
            values.insert(Arc::from(path), v(n));
        }
        assert_eq!(
            values.keys().collect::<Vec<_>>(),
            ["ci.a", "ci.b", "release.id"]
        );
        assert_eq!(values.get("ci.b"), Some(&serde_json::Value::from(4)));
        assert_eq!(values.get("ci.c"), None);
        let json = serde_json::to_string(&values).unwrap_or_default();
        assert_eq!(json, r#"{"ci.a":2,"ci.b":4,"release.id":3}"#);
        let back: Result<Values, _> = serde_json::from_str(r#"{"release.id":3,"ci.b":4,"ci.a":2}"#);
        assert_eq!(back.ok(), Some(values));
    }
}
