//! The values of the compiled evaluator. Facts are not converted: a list or
//! map of the facts is a borrowed view of their JSON with its
//! [`Shape`](crate::model::shape::Shape), and a scalar read from it is typed
//! as it is read (a timestamp-shaped string becomes a timestamp, a number of
//! a `double` field a double). Values the expression builds are reference
//! counted, so copying one costs a counter, never a deep copy.
//!
//! Maps iterate in sorted key order, whatever they hold: booleans, then
//! integers, then unsigned integers, then strings (by their bytes). A
//! comprehension over a map is therefore deterministic.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value as Json;

use crate::model::shape::Shape;

/// A string: borrowed from the facts or the policy, or built.
#[derive(Clone)]
pub(crate) enum Str<'a> {
    /// Borrowed.
    B(&'a str),
    /// Built during evaluation.
    O(Rc<str>),
}

impl Str<'_> {
    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Str::B(s) => s,
            Str::O(s) => s,
        }
    }
}

impl PartialEq for Str<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for Str<'_> {}
impl PartialOrd for Str<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Str<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// A map key (CEL allows `bool`, `int`, `uint` and `string` keys).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key<'a> {
    /// A boolean key.
    Bool(bool),
    /// An integer key.
    Int(i64),
    /// An unsigned key.
    Uint(u64),
    /// A string key.
    Str(Str<'a>),
}

impl<'a> Key<'a> {
    /// The key as a value.
    pub(crate) fn to_val(&self) -> Val<'a> {
        match self {
            Key::Bool(b) => Val::Bool(*b),
            Key::Int(i) => Val::Int(*i),
            Key::Uint(u) => Val::Uint(*u),
            Key::Str(s) => Val::Str(s.clone()),
        }
    }

    /// The key a value is, if it can be one.
    pub(crate) fn of(v: &Val<'a>) -> Option<Key<'a>> {
        Some(match v {
            Val::Bool(b) => Key::Bool(*b),
            Val::Int(i) => Key::Int(*i),
            Val::Uint(u) => Key::Uint(*u),
            Val::Str(s) => Key::Str(s.clone()),
            _ => return None,
        })
    }
}

/// A typed value read as a map in place (a release record's parts): its
/// fields are worked out when read, so binding it builds nothing.
pub(crate) trait Fields {
    /// The keys such a value can have, in sorted order.
    fn keys(&self) -> &'static [&'static str];
    /// The value of field `name`; `None` when it is absent or not a key.
    fn field(&self, name: &str) -> Option<Val<'_>>;
    /// The value of the `i`th of [`Fields::keys`]: what [`Fields::field`]
    /// gives for it, found without comparing names (iterating a typed
    /// value, to show it or to range over it, reads every field).
    fn field_at(&self, i: usize) -> Option<Val<'_>> {
        self.field(self.keys().get(i)?)
    }
}

/// A typed sequence read as a list in place.
pub(crate) trait Items {
    /// The number of items.
    fn count(&self) -> usize;
    /// The item at `i`.
    fn item(&self, i: usize) -> Option<Val<'_>>;
}

/// A list: a view of a list of the facts, or built.
#[derive(Clone)]
pub(crate) enum List<'a> {
    /// Items of the facts and the shape of each.
    Facts(&'a [Json], &'a Shape),
    /// Built during evaluation.
    Vals(Rc<[Val<'a>]>),
    /// A typed sequence, read in place.
    View(&'a dyn Items),
}

/// A map: a view of an object of the facts, or built.
#[derive(Clone)]
pub(crate) enum Map<'a> {
    /// Fields of the facts and the shape of the object.
    Facts(&'a serde_json::Map<String, Json>, &'a Shape),
    /// Built during evaluation: entries sorted by key, keys unique.
    Vals(Rc<[(Key<'a>, Val<'a>)]>),
    /// A typed value, read in place (string keys only).
    View(&'a dyn Fields),
    /// A map of strings of the facts (`labels`), read in place.
    Strings(&'a BTreeMap<String, String>),
    /// A map of free-form JSON of the facts (`extensions`), read in place.
    Json(&'a BTreeMap<String, Json>),
}

/// A CEL value.
#[derive(Clone)]
pub(crate) enum Val<'a> {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    Uint(u64),
    /// A double.
    Double(f64),
    /// A string.
    Str(Str<'a>),
    /// Bytes.
    Bytes(Rc<[u8]>),
    /// A duration.
    Duration(TimeDelta),
    /// A timestamp.
    Timestamp(DateTime<Utc>),
    /// A list.
    List(List<'a>),
    /// A map.
    Map(Map<'a>),
    /// A type (`type(x)`, `int`).
    Type(&'static str),
    /// An optional value (`optional.of(x)`, `m.?f`).
    Optional(Option<Rc<Val<'a>>>),
}

impl fmt::Debug for Val<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

/// The shape of anything.
pub(crate) static ANY: Shape = Shape::Any;

impl<'a> Val<'a> {
    /// A string value that owns its text.
    pub(crate) fn string(s: impl Into<Rc<str>>) -> Self {
        Val::Str(Str::O(s.into()))
    }

    /// The value of `json` read from the facts where the shape is `shape`.
    /// A timestamp- or duration-shaped string that does not parse (the
    /// typed facts never hold one) reads as the string.
    pub(crate) fn fact(json: &'a Json, shape: &'a Shape) -> Self {
        match json {
            Json::Null => Val::Null,
            Json::Bool(b) => Val::Bool(*b),
            Json::Number(n) => match shape {
                Shape::Double => Val::Double(n.as_f64().unwrap_or(f64::NAN)),
                _ => match (n.as_i64(), n.as_u64()) {
                    (Some(i), _) => Val::Int(i),
                    (None, Some(u)) => Val::Uint(u),
                    _ => Val::Double(n.as_f64().unwrap_or(f64::NAN)),
                },
            },
            Json::String(s) => match shape {
                Shape::Timestamp => DateTime::parse_from_rfc3339(s).map_or_else(
                    |_| Val::Str(Str::B(s)),
                    |t| Val::Timestamp(t.with_timezone(&Utc)),
                ),
                Shape::Duration => crate::model::Duration::parse(s)
                    .map_or_else(|_| Val::Str(Str::B(s)), |d| Val::Duration(d.as_chrono())),
                _ => Val::Str(Str::B(s)),
            },
            Json::Array(items) => Val::List(List::Facts(items, element_of(shape))),
            Json::Object(fields) => Val::Map(Map::Facts(fields, shape)),
        }
    }

    /// The CEL type name.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null_type",
            Val::Bool(_) => "bool",
            Val::Int(_) => "int",
            Val::Uint(_) => "uint",
            Val::Double(_) => "double",
            Val::Str(_) => "string",
            Val::Bytes(_) => "bytes",
            Val::Duration(_) => "google.protobuf.Duration",
            Val::Timestamp(_) => "google.protobuf.Timestamp",
            Val::List(_) => "list",
            Val::Map(_) => "map",
            Val::Type(_) => "type",
            Val::Optional(_) => "optional_type",
        }
    }

    /// The value as JSON, for findings: timestamps and durations as in
    /// the facts, map keys sorted.
    pub(crate) fn to_json(&self) -> Json {
        match self {
            Val::Null => Json::Null,
            Val::Bool(b) => Json::Bool(*b),
            Val::Int(i) => Json::from(*i),
            Val::Uint(u) => Json::from(*u),
            Val::Double(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Val::Str(s) => Json::String(s.as_str().to_string()),
            Val::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
            // A list or map of the facts is already the JSON it shows
            // (the facts' timestamps, durations and numbers in their
            // canonical text): copied, not read and written again.
            Val::List(List::Facts(items, _)) => Json::Array(items.to_vec()),
            Val::Map(Map::Facts(fields, _)) => Json::Object((*fields).clone()),
            Val::List(l) => {
                let mut items = Vec::with_capacity(l.len());
                items.extend(l.iter().map(|v| v.to_json()));
                Json::Array(items)
            }
            // Entries come in sorted order: inserted one by one, not
            // collected (which sorts them again).
            Val::Map(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in m.iter() {
                    out.insert(key_text(&k), v.to_json());
                }
                Json::Object(out)
            }
            Val::Timestamp(t) => Json::String(crate::model::rfc3339(*t)),
            Val::Duration(d) => {
                Json::String(crate::model::Duration::from_millis(d.num_milliseconds()).to_string())
            }
            Val::Type(t) => Json::String((*t).to_string()),
            Val::Optional(o) => o.as_ref().map_or(Json::Null, |v| v.to_json()),
        }
    }
}

/// A key as JSON object key text.
fn key_text(k: &Key<'_>) -> String {
    match k {
        Key::Str(s) => s.as_str().to_string(),
        Key::Int(i) => i.to_string(),
        Key::Uint(u) => u.to_string(),
        Key::Bool(b) => b.to_string(),
    }
}

/// The element shape of a list shape, borrowed.
pub(crate) fn element_of(shape: &Shape) -> &Shape {
    match shape {
        Shape::List(e) => e,
        _ => &ANY,
    }
}

impl<'a> List<'a> {
    /// The number of items.
    pub(crate) fn len(&self) -> usize {
        match self {
            List::Facts(items, _) => items.len(),
            List::Vals(items) => items.len(),
            List::View(v) => v.count(),
        }
    }

    /// The item at `i`.
    pub(crate) fn get(&self, i: usize) -> Option<Val<'a>> {
        match self {
            List::Facts(items, shape) => items.get(i).map(|j| Val::fact(j, shape)),
            List::Vals(items) => items.get(i).cloned(),
            List::View(v) => v.item(i),
        }
    }

    /// The items, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Val<'a>> + '_ {
        (0..self.len()).filter_map(move |i| self.get(i))
    }
}

impl<'a> Map<'a> {
    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        match self {
            Map::Facts(fields, _) => fields.len(),
            Map::Vals(m) => m.len(),
            // By position: the same reads as by name, without comparing names.
            Map::View(v) => (0..v.keys().len())
                .filter(|&i| v.field_at(i).is_some())
                .count(),
            Map::Strings(m) => m.len(),
            Map::Json(m) => m.len(),
        }
    }

    /// The value at `key`. A numeric key finds an entry whose key is the
    /// same number of the other integer type (CEL's heterogeneous lookup).
    pub(crate) fn get(&self, key: &Val<'_>) -> Option<Val<'a>> {
        match self {
            Map::Facts(fields, shape) => match key {
                Val::Str(s) => self.field_of(fields, shape, s.as_str()),
                _ => None,
            },
            Map::View(_) | Map::Strings(_) | Map::Json(_) => match key {
                Val::Str(s) => self.field(s.as_str()),
                _ => None,
            },
            Map::Vals(m) => {
                let found = |probe: &Val<'_>| {
                    m.binary_search_by(|(k, _)| key_cmp(k, probe))
                        .ok()
                        .and_then(|i| m.get(i))
                        .map(|(_, v)| v.clone())
                };
                match key {
                    Val::Int(i) => found(key)
                        .or_else(|| u64::try_from(*i).ok().and_then(|u| found(&Val::Uint(u)))),
                    Val::Uint(u) => found(key)
                        .or_else(|| i64::try_from(*u).ok().and_then(|i| found(&Val::Int(i)))),
                    Val::Double(d) => {
                        if d.fract() != 0.0 || !d.is_finite() || d.abs() >= 9.2e18 {
                            return None;
                        }
                        #[allow(clippy::cast_possible_truncation)]
                        let i = *d as i64;
                        found(&Val::Int(i))
                            .or_else(|| u64::try_from(i).ok().and_then(|u| found(&Val::Uint(u))))
                    }
                    Val::Bool(_) | Val::Str(_) => found(key),
                    _ => None,
                }
            }
        }
    }

    /// The field `name` (string keys only).
    pub(crate) fn field(&self, name: &str) -> Option<Val<'a>> {
        match self {
            Map::Facts(fields, shape) => self.field_of(fields, shape, name),
            Map::View(v) => v.field(name),
            Map::Strings(m) => m.get(name).map(|v| Val::Str(Str::B(v))),
            Map::Json(m) => m.get(name).map(|v| Val::fact(v, &ANY)),
            // String keys sort after every other kind: the search
            // compares the text alone (what `get` finds, without building
            // a probe value per comparison).
            Map::Vals(m) => m
                .binary_search_by(|(k, _)| match k {
                    Key::Str(s) => s.as_str().cmp(name),
                    _ => Ordering::Less,
                })
                .ok()
                .and_then(|i| m.get(i))
                .map(|(_, v)| v.clone()),
        }
    }

    fn field_of(
        &self,
        fields: &'a serde_json::Map<String, Json>,
        shape: &'a Shape,
        name: &str,
    ) -> Option<Val<'a>> {
        let (_, json) = fields.get_key_value(name)?;
        Some(Val::fact(json, shape.field(name).unwrap_or(&ANY)))
    }

    /// The entries, in sorted key order.
    pub(crate) fn iter(&self) -> MapIter<'_, 'a> {
        match self {
            Map::Facts(fields, shape) => MapIter::Facts(fields.iter(), shape),
            Map::Vals(m) => MapIter::Vals(m.iter()),
            Map::View(v) => MapIter::View(*v, v.keys().iter().enumerate()),
            Map::Strings(m) => MapIter::Strings(m.iter()),
            Map::Json(m) => MapIter::Json(m.iter()),
        }
    }
}

/// The entries of a [`Map`], in its order (an iterator of each kind, not
/// a boxed one: a map is iterated often, and a box is an allocation).
pub(crate) enum MapIter<'m, 'a> {
    /// Fields of the facts.
    Facts(serde_json::map::Iter<'a>, &'a Shape),
    /// A built map's entries.
    Vals(std::slice::Iter<'m, (Key<'a>, Val<'a>)>),
    /// A typed value's keys, with their positions.
    View(
        &'a dyn Fields,
        std::iter::Enumerate<std::slice::Iter<'static, &'static str>>,
    ),
    /// A map of strings.
    Strings(std::collections::btree_map::Iter<'a, String, String>),
    /// A map of free-form JSON.
    Json(std::collections::btree_map::Iter<'a, String, Json>),
}

impl<'a> Iterator for MapIter<'_, 'a> {
    type Item = (Key<'a>, Val<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            MapIter::Facts(fields, shape) => fields.next().map(|(k, v)| {
                (
                    Key::Str(Str::B(k.as_str())),
                    Val::fact(v, shape.field(k).unwrap_or(&ANY)),
                )
            }),
            MapIter::Vals(m) => m.next().map(|(k, v)| (k.clone(), v.clone())),
            MapIter::View(v, keys) => {
                let v: &'a dyn Fields = *v;
                keys.find_map(|(i, k)| v.field_at(i).map(|x| (Key::Str(Str::B(k)), x)))
            }
            MapIter::Strings(m) => m
                .next()
                .map(|(k, v)| (Key::Str(Str::B(k)), Val::Str(Str::B(v)))),
            MapIter::Json(m) => m
                .next()
                .map(|(k, v)| (Key::Str(Str::B(k)), Val::fact(v, &ANY))),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            MapIter::Facts(fields, _) => fields.size_hint(),
            MapIter::Vals(m) => m.size_hint(),
            MapIter::View(_, keys) => (0, keys.size_hint().1),
            MapIter::Strings(m) => m.size_hint(),
            MapIter::Json(m) => m.size_hint(),
        }
    }
}

/// The order of a map key against a value looked up (of a key type).
fn key_cmp(k: &Key<'_>, probe: &Val<'_>) -> Ordering {
    let rank = |v: &Val<'_>| match v {
        Val::Bool(_) => 0,
        Val::Int(_) => 1,
        Val::Uint(_) => 2,
        _ => 3,
    };
    match (k, probe) {
        (Key::Bool(a), Val::Bool(b)) => a.cmp(b),
        (Key::Int(a), Val::Int(b)) => a.cmp(b),
        (Key::Uint(a), Val::Uint(b)) => a.cmp(b),
        (Key::Str(a), Val::Str(b)) => a.as_str().cmp(b.as_str()),
        _ => rank(&k.to_val()).cmp(&rank(probe)),
    }
}

/// Whether `a` equals `b` by CEL's rules (numbers compare by value across
/// `int`, `uint` and `double`; lists and maps element by element; values of
/// different types are not equal), with the work it took: one per value
/// visited, and one per 64 bytes of a string compared, so that comparing
/// deep values costs the budget what it costs the machine.
pub(crate) fn equal_cost(a: &Val<'_>, b: &Val<'_>) -> (bool, u64) {
    let mut work = 0u64;
    let eq = equal_in(a, b, &mut work);
    (eq, work)
}

fn equal_in(a: &Val<'_>, b: &Val<'_>, work: &mut u64) -> bool {
    *work += 1;
    match (a, b) {
        (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Str(x), Val::Str(y)) => {
            *work += x.as_str().len().min(y.as_str().len()) as u64 / 64;
            x.as_str() == y.as_str()
        }
        (Val::Bytes(x), Val::Bytes(y)) => {
            *work += x.len().min(y.len()) as u64 / 64;
            x == y
        }
        (Val::Duration(x), Val::Duration(y)) => x == y,
        (Val::Timestamp(x), Val::Timestamp(y)) => x == y,
        (Val::Type(x), Val::Type(y)) => x == y,
        (Val::List(x), Val::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal_in(&p, &q, work))
        }
        (Val::Map(x), Val::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(&k.to_val()).is_some_and(|w| equal_in(&v, &w, work)))
        }
        (Val::Optional(x), Val::Optional(y)) => match (x, y) {
            (None, None) => true,
            (Some(p), Some(q)) => equal_in(p, q, work),
            _ => false,
        },
        _ => numeric_order(a, b) == Some(Ordering::Equal),
    }
}

/// The order of two numbers of any numeric types, if both are numbers
/// (and neither is NaN).
pub(crate) fn numeric_order(a: &Val<'_>, b: &Val<'_>) -> Option<Ordering> {
    match (a, b) {
        (Val::Int(x), Val::Int(y)) => Some(x.cmp(y)),
        (Val::Uint(x), Val::Uint(y)) => Some(x.cmp(y)),
        (Val::Double(x), Val::Double(y)) => x.partial_cmp(y),
        (Val::Int(x), Val::Uint(y)) => Some(i128::from(*x).cmp(&i128::from(*y))),
        (Val::Uint(x), Val::Int(y)) => Some(i128::from(*x).cmp(&i128::from(*y))),
        (Val::Int(x), Val::Double(y)) => int_double(i128::from(*x), *y),
        (Val::Uint(x), Val::Double(y)) => int_double(i128::from(*x), *y),
        (Val::Double(x), Val::Int(y)) => int_double(i128::from(*y), *x).map(Ordering::reverse),
        (Val::Double(x), Val::Uint(y)) => int_double(i128::from(*y), *x).map(Ordering::reverse),
        _ => None,
    }
}

/// Compare an integer with a double exactly.
fn int_double(i: i128, d: f64) -> Option<Ordering> {
    if d.is_nan() {
        return None;
    }
    if d >= 1.8e19 {
        return Some(Ordering::Less);
    }
    if d <= -1.8e19 {
        return Some(Ordering::Greater);
    }
    #[allow(clippy::cast_possible_truncation)]
    let whole = d.trunc() as i128;
    Some(match i.cmp(&whole) {
        Ordering::Equal => {
            if d.fract() > 0.0 {
                Ordering::Less
            } else if d.fract() < 0.0 {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        o => o,
    })
}

/// The order of two values, when CEL orders them (numbers, strings, bytes,
/// booleans, durations, timestamps).
/// What ordering `a` and `b` costs beyond its step: a step per 64 bytes
/// of the shorter of two strings or byte strings (comparing two 7 MiB
/// strings of the facts took half a millisecond, a step's worth of budget
/// a million times over), nothing for other values. Charged before they
/// are compared.
pub(crate) fn order_work(a: &Val<'_>, b: &Val<'_>) -> u64 {
    match (a, b) {
        (Val::Str(x), Val::Str(y)) => x.as_str().len().min(y.as_str().len()) as u64 / 64,
        (Val::Bytes(x), Val::Bytes(y)) => x.len().min(y.len()) as u64 / 64,
        _ => 0,
    }
}

pub(crate) fn order(a: &Val<'_>, b: &Val<'_>) -> Option<Ordering> {
    match (a, b) {
        (Val::Str(x), Val::Str(y)) => Some(x.as_str().cmp(y.as_str())),
        (Val::Bytes(x), Val::Bytes(y)) => Some(x.cmp(y)),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Duration(x), Val::Duration(y)) => Some(x.cmp(y)),
        (Val::Timestamp(x), Val::Timestamp(y)) => Some(x.cmp(y)),
        _ => numeric_order(a, b),
    }
}
