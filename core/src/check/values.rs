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
use smallvec::SmallVec;

use super::transcode::Transcode;

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
pub struct Values(SmallVec<[Arc<Shown>; 2]>);

/// A value a finding shows, with its path: its JSON text (compact, object
/// keys sorted, as `serde_json` writes a `Value`), and that text read as a
/// value the first time it is asked for. Writing the text while the rule's
/// values are at hand costs one string; building the `Value` costs a few
/// allocations an entry, and most decisions are never looked at value by
/// value. The path is held here, not beside it, so a finding that shows
/// the value counts one reference, not two.
pub(crate) struct Shown {
    path: Arc<str>,
    text: Box<str>,
    value: OnceLock<serde_json::Value>,
}

impl Shown {
    /// The value whose JSON is `text`: text written by `serde_json` (see
    /// [`crate::expr::echo::echo_text`]), so it reads back.
    pub(crate) fn from_text(path: Arc<str>, text: Box<str>) -> Self {
        Self {
            path,
            text,
            value: OnceLock::new(),
        }
    }

    fn from_value(path: Arc<str>, value: serde_json::Value) -> Self {
        Self {
            path,
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
        self.path == other.path && self.text == other.text
    }
}

impl Values {
    fn find(&self, path: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|v| (*v.path).cmp(path))
    }

    /// The value shown for `path`, if the rule read it.
    pub fn get(&self, path: &str) -> Option<&serde_json::Value> {
        let i = self.find(path).ok()?;
        self.0.get(i).map(|v| v.value())
    }

    /// The paths and their values, sorted by path.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &serde_json::Value)> {
        self.0.iter().map(|v| (&*v.path, v.value()))
    }

    /// The paths, sorted.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.iter().map(|v| &*v.path)
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
        Self(SmallVec::with_capacity(n))
    }

    /// Show `value` after the values already shown, whose paths all sort
    /// before its path (the paths of a rule, sorted at load).
    pub(crate) fn push_sorted(&mut self, value: Arc<Shown>) {
        debug_assert!(self.0.last().is_none_or(|v| v.path < value.path));
        self.0.push(value);
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
        // A value not read yet goes from its text straight to a
        // self-describing serialiser (JSON, YAML, Python objects), which
        // needs no lengths; a binary one gets the value read.
        let readable = s.is_human_readable();
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for v in &self.0 {
            match v.value.get() {
                Some(value) => map.serialize_entry(&*v.path, value)?,
                None if readable => map.serialize_entry(&*v.path, &Transcode(&v.text))?,
                None => map.serialize_entry(&*v.path, v.value())?,
            }
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
                .map(|(k, v)| Arc::new(Shown::from_value(k, v)))
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

    fn v(path: &str, n: i64) -> Arc<Shown> {
        Arc::new(Shown::from_text(Arc::from(path), n.to_string().into()))
    }

    #[test]
    fn values_read_and_write_as_the_object_they_are() {
        let mut values = Values::default();
        for (path, n) in [("ci.a", 2), ("ci.b", 4), ("release.id", 3)] {
            values.push_sorted(v(path, n));
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
