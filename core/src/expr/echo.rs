//! A value as a finding shows it, written straight to its JSON text: the
//! text `serde_json` writes for [`Val::to_json`], without building that
//! `serde_json::Value` first (a map of owned keys and strings, a few
//! allocations an entry), and stopping at the first byte past
//! [`Limits::max_echo_bytes`](crate::Limits) instead of measuring a value
//! after building it.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::bind::echo_owned;
use super::value::{Key, List, Map, Val};

/// How deep a shown value may nest: deeper, it is summarised. Far more than
/// facts may nest ([`Limits::max_nesting`](crate::Limits)); only variables
/// built of variables get there, and the text must stay readable by a JSON
/// parser's default depth limit (128 for `serde_json`, the whole decision
/// included).
const MAX_DEPTH: usize = 64;

/// The JSON text a finding shows for `value`: the value itself when its
/// JSON is at most `max` bytes, else a short summary (a JSON string). The
/// same text, byte for byte, as `serde_json` writes for
/// [`echo_owned`]`(value.to_json(), max)` — except that a value nested
/// more than [`MAX_DEPTH`] levels deep is summarised too. `scratch` is
/// where the text is written first (kept by the caller between values, so
/// a value costs one allocation, its own).
pub(crate) fn echo_text(value: &Val<'_>, max: usize, scratch: &mut Vec<u8>) -> Box<str> {
    scratch.clear();
    let mut over = false;
    let out = Capped {
        text: scratch,
        max,
        over: &mut over,
    };
    // The writer by value, not by reference, so its calls inline.
    let written = serde_json::to_writer(out, &Echo { value, depth: 0 });
    let summary = match written {
        // `serde_json` writes UTF-8; were it not, the value is summarised.
        Ok(()) => match std::str::from_utf8(scratch) {
            Ok(text) => return Box::from(text),
            Err(_) => serde_json::Value::String("<a value: not shown>".to_string()),
        },
        // Over `max`: the summary, worked out as before from the value as
        // JSON (rare, and bounded by the facts' limits).
        Err(_) if over => echo_owned(value.to_json(), max),
        Err(_) => serde_json::Value::String(format!(
            "<a value nested more than {MAX_DEPTH} levels deep: not shown>"
        )),
    };
    serde_json::to_string(&summary)
        .unwrap_or_else(|_| "null".to_string())
        .into_boxed_str()
}

/// A writer that keeps at most `max` bytes and fails on the first byte
/// past them.
struct Capped<'t> {
    text: &'t mut Vec<u8>,
    max: usize,
    /// Whether it failed for that.
    over: &'t mut bool,
}

impl std::io::Write for Capped<'_> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }

    // What `serde_json` calls, for every piece it writes: one check, one
    // copy, inlined.
    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.text.len().saturating_add(buf.len()) > self.max {
            *self.over = true;
            return Err(std::io::Error::other("over the echo limit"));
        }
        self.text.extend_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The error of a value nested more than [`MAX_DEPTH`] levels deep.
fn too_deep<E: serde::ser::Error>() -> E {
    E::custom("nested too deep to show")
}

/// JSON of the facts, serialised as itself, counting how deep it nests.
struct Json<'j> {
    json: &'j serde_json::Value,
    depth: usize,
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.json {
            serde_json::Value::Array(items) => items_of(items, self.depth, s),
            serde_json::Value::Object(fields) => fields_of(fields, self.depth, s),
            scalar => scalar.serialize(s),
        }
    }
}

/// A list of the facts at `depth`, as a JSON array.
fn items_of<S: Serializer>(
    items: &[serde_json::Value],
    depth: usize,
    s: S,
) -> Result<S::Ok, S::Error> {
    if depth > MAX_DEPTH {
        return Err(too_deep::<S::Error>());
    }
    let mut seq = s.serialize_seq(Some(items.len()))?;
    for json in items {
        seq.serialize_element(&Json {
            json,
            depth: depth + 1,
        })?;
    }
    seq.end()
}

/// An object of the facts at `depth`, as a JSON object.
fn fields_of<S: Serializer>(
    fields: &serde_json::Map<String, serde_json::Value>,
    depth: usize,
    s: S,
) -> Result<S::Ok, S::Error> {
    if depth > MAX_DEPTH {
        return Err(too_deep::<S::Error>());
    }
    let mut map = s.serialize_map(Some(fields.len()))?;
    for (k, json) in fields {
        map.serialize_entry(
            k,
            &Json {
                json,
                depth: depth + 1,
            },
        )?;
    }
    map.end()
}

/// A value serialised as its [`Val::to_json`]: timestamps and durations
/// as in the facts, map keys as text in sorted order.
struct Echo<'v, 'a> {
    value: &'v Val<'a>,
    /// How many lists and maps hold it.
    depth: usize,
}

impl Serialize for Echo<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.depth > MAX_DEPTH && matches!(self.value, Val::List(_) | Val::Map(_)) {
            return Err(too_deep::<S::Error>());
        }
        match self.value {
            Val::Null | Val::Optional(None) => s.serialize_unit(),
            Val::Bool(b) => s.serialize_bool(*b),
            Val::Int(i) => s.serialize_i64(*i),
            Val::Uint(u) => s.serialize_u64(*u),
            // A double JSON cannot hold is `null`, as in `to_json`.
            Val::Double(f) if f.is_finite() => s.serialize_f64(*f),
            Val::Double(_) => s.serialize_unit(),
            Val::Str(t) => s.serialize_str(t.as_str()),
            Val::Bytes(b) => s.serialize_str(&String::from_utf8_lossy(b)),
            Val::Timestamp(t) => s.serialize_str(&crate::model::rfc3339(*t)),
            Val::Duration(d) => {
                s.collect_str(&crate::model::Duration::from_millis(d.num_milliseconds()))
            }
            Val::Type(t) => s.serialize_str(t),
            Val::Optional(Some(v)) => Echo {
                value: v,
                depth: self.depth,
            }
            .serialize(s),
            // The facts' own JSON, as `to_json` copies it.
            Val::List(List::Facts(items, _)) => items_of(items, self.depth, s),
            Val::Map(Map::Facts(fields, _)) => fields_of(fields, self.depth, s),
            Val::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for v in l.iter() {
                    seq.serialize_element(&Echo {
                        value: &v,
                        depth: self.depth + 1,
                    })?;
                }
                seq.end()
            }
            // A map with a key that is not a string: its keys as text are
            // not in the order it iterates (`10` before `9`) and may
            // coincide (`1` and `1u`); written from `to_json`, which sorts
            // and merges them.
            Val::Map(Map::Vals(entries))
                if entries.iter().any(|(k, _)| !matches!(k, Key::Str(_))) =>
            {
                Json {
                    json: &self.value.to_json(),
                    depth: self.depth,
                }
                .serialize(s)
            }
            // Every other map iterates its string keys in byte order, the
            // order of a JSON object's keys in `serde_json`.
            Val::Map(m) => {
                let mut map = s.serialize_map(None)?;
                for (k, v) in m.iter() {
                    if let Key::Str(k) = &k {
                        map.serialize_entry(
                            k.as_str(),
                            &Echo {
                                value: &v,
                                depth: self.depth + 1,
                            },
                        )?;
                    }
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use chrono::{DateTime, TimeDelta};
    use proptest::prelude::*;

    use super::*;
    use crate::expr::json_strategy::{json, text};
    use crate::expr::value::{ANY, Str};

    /// An owned value to build a [`Val`] of (which borrows).
    #[derive(Debug, Clone)]
    enum Gen {
        Null,
        Bool(bool),
        Int(i64),
        Uint(u64),
        Double(f64),
        Str(String),
        Bytes(Vec<u8>),
        Timestamp(i64, u32),
        Duration(i64),
        Optional(Option<Box<Gen>>),
        List(Vec<Gen>),
        Map(Vec<(Gen, Gen)>),
        Json(serde_json::Value),
    }

    fn val(g: &Gen) -> Val<'_> {
        match g {
            Gen::Null => Val::Null,
            Gen::Bool(b) => Val::Bool(*b),
            Gen::Int(i) => Val::Int(*i),
            Gen::Uint(u) => Val::Uint(*u),
            Gen::Double(f) => Val::Double(*f),
            Gen::Str(s) => Val::Str(Str::B(s)),
            Gen::Bytes(b) => Val::Bytes(Rc::from(b.as_slice())),
            Gen::Timestamp(s, n) => {
                DateTime::from_timestamp(*s, *n).map_or(Val::Null, Val::Timestamp)
            }
            Gen::Duration(ms) => Val::Duration(TimeDelta::milliseconds(*ms)),
            Gen::Optional(o) => Val::Optional(o.as_ref().map(|g| Rc::new(val(g)))),
            Gen::List(items) => Val::List(List::Vals(items.iter().map(val).collect())),
            Gen::Map(entries) => {
                // Sorted by key, each key once: what a built map holds.
                let mut m: Vec<(Key<'_>, Val<'_>)> = entries
                    .iter()
                    .filter_map(|(k, v)| Some((Key::of(&val(k))?, val(v))))
                    .collect();
                m.sort_by(|a, b| a.0.cmp(&b.0));
                m.dedup_by(|a, b| a.0 == b.0);
                Val::Map(Map::Vals(m.into()))
            }
            Gen::Json(j) => Val::fact(j, &ANY),
        }
    }

    fn any_value() -> impl Strategy<Value = Gen> {
        let leaf = prop_oneof![
            Just(Gen::Null),
            any::<bool>().prop_map(Gen::Bool),
            any::<i64>().prop_map(Gen::Int),
            any::<u64>().prop_map(Gen::Uint),
            any::<f64>().prop_map(Gen::Double),
            prop_oneof![Just(0.0), Just(-0.0), Just(1.0), Just(1e21), Just(f64::NAN)]
                .prop_map(Gen::Double),
            text().prop_map(Gen::Str),
            prop::collection::vec(any::<u8>(), 0..6).prop_map(Gen::Bytes),
            (-62_000_000_000i64..250_000_000_000, 0u32..1_000_000_000)
                .prop_map(|(s, n)| Gen::Timestamp(s, n)),
            (-10_000_000_000i64..10_000_000_000).prop_map(Gen::Duration),
            json().prop_map(Gen::Json),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Gen::List),
                prop::collection::vec((inner.clone(), inner.clone()), 0..5).prop_map(Gen::Map),
                prop::option::of(inner).prop_map(|o| Gen::Optional(o.map(Box::new))),
            ]
        })
    }

    /// What a finding showed before this module: the value built as
    /// JSON, summarised when over `max`, then written.
    fn built(v: &Val<'_>, max: usize) -> String {
        serde_json::to_string(&echo_owned(v.to_json(), max)).unwrap_or_default()
    }

    proptest! {
        #[test]
        fn the_text_is_what_the_built_value_writes(g in any_value(), near in -3i64..3, tiny in 0usize..8) {
            let v = val(&g);
            let full = serde_json::to_string(&v.to_json()).unwrap_or_default().len();
            for max in [full.saturating_add_signed(near as isize), tiny, 4096] {
                prop_assert_eq!(&*echo_text(&v, max, &mut Vec::new()), built(&v, max), "max {}", max);
            }
        }
    }

    #[test]
    fn a_value_nested_past_the_depth_is_summarised() {
        fn nested(levels: usize) -> Val<'static> {
            (0..levels).fold(Val::Int(1), |v, _| Val::List(List::Vals(Rc::from([v]))))
        }
        let shown = echo_text(&nested(MAX_DEPTH + 1), 4096, &mut Vec::new());
        assert!(shown.starts_with("[[") && shown.contains("1"), "{shown}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&shown).ok(),
            Some(nested(MAX_DEPTH + 1).to_json())
        );
        let deep = echo_text(&nested(MAX_DEPTH + 2), 4096, &mut Vec::new());
        assert_eq!(
            &*deep,
            format!("\"<a value nested more than {MAX_DEPTH} levels deep: not shown>\"")
        );
        // The facts' own JSON counts the same.
        let json = (0..MAX_DEPTH + 2).fold(serde_json::json!(1), |j, _| serde_json::json!([j]));
        assert_eq!(
            echo_text(&Val::fact(&json, &ANY), 4096, &mut Vec::new()),
            deep
        );
    }
}
