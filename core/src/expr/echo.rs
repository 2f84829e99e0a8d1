//! A value as a finding shows it, written straight to its JSON text: the
//! text `serde_json` writes for [`Val::to_json`], without building that
//! `serde_json::Value` first (a map of owned keys and strings, a few
//! allocations an entry), and stopping once past
//! [`Limits::max_echo_bytes`](crate::Limits) instead of measuring a value
//! after building it. The punctuation and plain strings are written here,
//! byte by byte as `serde_json` writes them; numbers and strings with a
//! character to escape are written by `serde_json` itself.

use std::io::Write as _;

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
    let written = Writer { out: scratch, max }.val(value, 0);
    let summary = match written {
        // Every piece written is UTF-8; were the whole not, the value is
        // summarised.
        Ok(()) => match std::str::from_utf8(scratch) {
            Ok(text) => return Box::from(text),
            Err(_) => serde_json::Value::String("<a value: not shown>".to_string()),
        },
        // Over `max`: the summary, worked out as before from the value as
        // JSON (rare, and bounded by the facts' limits).
        Err(Stop::Over) => echo_owned(value.to_json(), max),
        Err(Stop::Deep) => serde_json::Value::String(format!(
            "<a value nested more than {MAX_DEPTH} levels deep: not shown>"
        )),
    };
    serde_json::to_string(&summary)
        .unwrap_or_else(|_| "null".to_string())
        .into_boxed_str()
}

/// Why writing a value stopped before its end.
enum Stop {
    /// The text passed `max` bytes.
    Over,
    /// The value nests more than [`MAX_DEPTH`] lists or maps deep.
    Deep,
}

/// Writes a value's JSON text into `out`, and stops as soon as the text is
/// past `max` bytes (checked after every piece; a string is refused before
/// it is copied when it cannot fit).
struct Writer<'t> {
    out: &'t mut Vec<u8>,
    max: usize,
}

impl Writer<'_> {
    /// Whether the text is still within `max`.
    #[inline]
    fn fits(&self) -> Result<(), Stop> {
        if self.out.len() > self.max {
            Err(Stop::Over)
        } else {
            Ok(())
        }
    }

    /// `bytes`, as they are (punctuation, `null`, `true`).
    #[inline]
    fn raw(&mut self, bytes: &[u8]) -> Result<(), Stop> {
        self.out.extend_from_slice(bytes);
        self.fits()
    }

    /// A number (or anything else) as `serde_json` writes it.
    fn serde<T: serde::Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
        // Writing into a `Vec` does not fail; a number always serialises.
        let _ = serde_json::to_writer(&mut *self.out, v);
        self.fits()
    }

    /// A string, quoted and escaped as `serde_json` escapes it.
    fn str(&mut self, s: &str) -> Result<(), Stop> {
        // The text of a string is at least its bytes and two quotes.
        if self.out.len().saturating_add(s.len()).saturating_add(2) > self.max {
            return Err(Stop::Over);
        }
        // `serde_json` escapes `"`, `\` and the control characters only
        // (every byte looked at, without a branch a byte, so the loop is
        // vectorised).
        let plain = s
            .bytes()
            .fold(true, |ok, b| ok & (b >= 0x20) & (b != b'"') & (b != b'\\'));
        if !plain {
            return self.serde(s);
        }
        self.out.push(b'"');
        self.out.extend_from_slice(s.as_bytes());
        self.out.push(b'"');
        self.fits()
    }

    /// A value at `depth` (how many lists and maps hold it), as its
    /// [`Val::to_json`]: timestamps and durations as in the facts, map
    /// keys as text in sorted order.
    fn val(&mut self, value: &Val<'_>, depth: usize) -> Result<(), Stop> {
        if depth > MAX_DEPTH && matches!(value, Val::List(_) | Val::Map(_)) {
            return Err(Stop::Deep);
        }
        match value {
            Val::Null | Val::Optional(None) => self.raw(b"null"),
            Val::Bool(true) => self.raw(b"true"),
            Val::Bool(false) => self.raw(b"false"),
            Val::Int(i) => self.serde(i),
            Val::Uint(u) => self.serde(u),
            // A double JSON cannot hold is `null`, as in `to_json`.
            Val::Double(f) if f.is_finite() => self.serde(f),
            Val::Double(_) => self.raw(b"null"),
            Val::Str(t) => self.str(t.as_str()),
            Val::Bytes(b) => self.str(&String::from_utf8_lossy(b)),
            // Their text needs no escape: written in place, quoted.
            Val::Timestamp(t) => {
                self.out.push(b'"');
                crate::model::push_rfc3339(*t, self.out);
                self.raw(b"\"")
            }
            Val::Duration(d) => {
                let d = crate::model::Duration::from_millis(d.num_milliseconds());
                // Writing into a `Vec` does not fail.
                let _ = write!(self.out, "\"{d}\"");
                self.fits()
            }
            Val::Type(t) => self.str(t),
            Val::Optional(Some(v)) => self.val(v, depth),
            // The facts' own JSON, as `to_json` copies it.
            Val::List(List::Facts(items, _)) => self.items(items, depth),
            Val::Map(Map::Facts(fields, _)) => self.fields(fields, depth),
            Val::List(l) => {
                self.raw(b"[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        self.raw(b",")?;
                    }
                    self.val(&v, depth + 1)?;
                }
                self.raw(b"]")
            }
            // A map with a key that is not a string: its keys as text are
            // not in the order it iterates (`10` before `9`) and may
            // coincide (`1` and `1u`); written from `to_json`, which sorts
            // and merges them.
            Val::Map(Map::Vals(entries))
                if entries.iter().any(|(k, _)| !matches!(k, Key::Str(_))) =>
            {
                self.json(&value.to_json(), depth)
            }
            // Every other map iterates its string keys in byte order, the
            // order of a JSON object's keys in `serde_json`.
            Val::Map(m) => {
                self.raw(b"{")?;
                let mut first = true;
                for (k, v) in m.iter() {
                    if let Key::Str(k) = &k {
                        if !first {
                            self.raw(b",")?;
                        }
                        first = false;
                        self.str(k.as_str())?;
                        self.raw(b":")?;
                        self.val(&v, depth + 1)?;
                    }
                }
                self.raw(b"}")
            }
        }
    }

    /// JSON of the facts at `depth`, written as itself.
    fn json(&mut self, json: &serde_json::Value, depth: usize) -> Result<(), Stop> {
        match json {
            serde_json::Value::Array(items) => self.items(items, depth),
            serde_json::Value::Object(fields) => self.fields(fields, depth),
            serde_json::Value::String(s) => self.str(s),
            serde_json::Value::Null => self.raw(b"null"),
            serde_json::Value::Bool(true) => self.raw(b"true"),
            serde_json::Value::Bool(false) => self.raw(b"false"),
            serde_json::Value::Number(n) => self.serde(n),
        }
    }

    /// A list of the facts at `depth`, as a JSON array.
    fn items(&mut self, items: &[serde_json::Value], depth: usize) -> Result<(), Stop> {
        if depth > MAX_DEPTH {
            return Err(Stop::Deep);
        }
        self.raw(b"[")?;
        for (i, json) in items.iter().enumerate() {
            if i > 0 {
                self.raw(b",")?;
            }
            self.json(json, depth + 1)?;
        }
        self.raw(b"]")
    }

    /// An object of the facts at `depth`, as a JSON object.
    fn fields(
        &mut self,
        fields: &serde_json::Map<String, serde_json::Value>,
        depth: usize,
    ) -> Result<(), Stop> {
        if depth > MAX_DEPTH {
            return Err(Stop::Deep);
        }
        self.raw(b"{")?;
        for (i, (k, json)) in fields.iter().enumerate() {
            if i > 0 {
                self.raw(b",")?;
            }
            self.str(k)?;
            self.raw(b":")?;
            self.json(json, depth + 1)?;
        }
        self.raw(b"}")
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
    fn a_string_is_shown_exactly_when_its_text_fits() {
        for s in ["abc", "a\"c", ""] {
            let text = serde_json::to_string(s).unwrap_or_default();
            let v = Val::Str(Str::B(s));
            // Alone, and as the last item of a list (one byte after it).
            assert_eq!(&*echo_text(&v, text.len(), &mut Vec::new()), text);
            assert_ne!(&*echo_text(&v, text.len() - 1, &mut Vec::new()), text);
            let list = Val::List(List::Vals(Rc::from([Val::Int(1), v.clone()])));
            let whole = format!("[1,{text}]");
            assert_eq!(&*echo_text(&list, whole.len(), &mut Vec::new()), whole);
            assert_ne!(&*echo_text(&list, whole.len() - 1, &mut Vec::new()), whole);
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
