//! JSON text handed to any serde serialiser as the value it holds, token by
//! token: what a decision's shown values (kept as text, see
//! [`super::values`]) are written through, so that writing a decision does
//! not first build each value as a `serde_json::Value` and drop it again.
//!
//! The serialiser gets exactly the calls it would get for the
//! `serde_json::Value` the text reads as: `null` → unit, a non-negative
//! integer → `u64`, a negative one → `i64`, any other number → `f64`, a
//! string → `str`, an array → a sequence, an object → a map with string
//! keys in the text's order. The lengths of sequences and maps are not
//! known in advance (`None`), which a self-describing format does not need;
//! a caller whose serialiser needs them (a binary one) is not given this
//! path (see [`super::values`]).

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};

/// JSON text, serialised as the value it holds. Text that is not JSON
/// fails the serialisation with the parser's message.
pub(crate) struct Transcode<'t>(pub &'t str);

impl Serialize for Transcode<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut de = serde_json::Deserializer::from_str(self.0);
        let out = de.deserialize_any(Forward(s)).map_err(S::Error::custom)??;
        de.end().map_err(S::Error::custom)?;
        Ok(out)
    }
}

/// A value still in the deserialiser, serialised when asked for (an item
/// of a list or the value of an entry).
struct Pending<D>(RefCell<Option<D>>);

impl<'de, D: Deserializer<'de>> Serialize for Pending<D> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let de = self
            .0
            .borrow_mut()
            .take()
            .ok_or_else(|| S::Error::custom("a JSON value read twice"))?;
        de.deserialize_any(Forward(s)).map_err(S::Error::custom)?
    }
}

/// What reads one value and writes it to the serialiser. Its result is the
/// serialiser's own, inside the parser's (the parser's error is the outer
/// one).
struct Forward<S>(S);

impl<'de, S: Serializer> Visitor<'de> for Forward<S> {
    type Value = Result<S::Ok, S::Error>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(self.0.serialize_unit())
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(self.0.serialize_bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.0.serialize_i64(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.0.serialize_u64(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self.0.serialize_f64(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.serialize_str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
        let mut out = match self.0.serialize_seq(items.size_hint()) {
            Ok(out) => out,
            Err(e) => return Ok(Err(e)),
        };
        while let Some(written) = items.next_element_seed(Item(&mut out))? {
            if let Err(e) = written {
                return Ok(Err(e));
            }
        }
        Ok(out.end())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
        let mut out = match self.0.serialize_map(entries.size_hint()) {
            Ok(out) => out,
            Err(e) => return Ok(Err(e)),
        };
        while let Some(written) = entries.next_key_seed(Key(&mut out))? {
            if let Err(e) = written {
                return Ok(Err(e));
            }
            if let Err(e) = entries.next_value_seed(Value(&mut out))? {
                return Ok(Err(e));
            }
        }
        Ok(out.end())
    }
}

/// An item of a list, written to the sequence being serialised.
struct Item<'o, Q>(&'o mut Q);

impl<'de, Q: SerializeSeq> DeserializeSeed<'de> for Item<'_, Q> {
    type Value = Result<(), Q::Error>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Ok(self.0.serialize_element(&Pending(RefCell::new(Some(d)))))
    }
}

/// The key of an entry, written to the map being serialised.
struct Key<'o, M>(&'o mut M);

impl<'de, M: SerializeMap> DeserializeSeed<'de> for Key<'_, M> {
    type Value = Result<(), M::Error>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(KeyText(self.0))
    }
}

/// Reads a key's text (borrowed from the JSON when it has no escapes).
struct KeyText<'o, M>(&'o mut M);

impl<'de, M: SerializeMap> Visitor<'de> for KeyText<'_, M> {
    type Value = Result<(), M::Error>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.serialize_key(v))
    }
}

/// The value of an entry, written to the map being serialised.
struct Value<'o, M>(&'o mut M);

impl<'de, M: SerializeMap> DeserializeSeed<'de> for Value<'_, M> {
    type Value = Result<(), M::Error>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Ok(self.0.serialize_value(&Pending(RefCell::new(Some(d)))))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::expr::json_strategy::json;

    proptest! {
        #[test]
        fn the_text_serialises_as_its_value(v in json()) {
            let text = v.to_string();
            let through = |pretty: bool| {
                if pretty {
                    serde_json::to_string_pretty(&Transcode(&text))
                } else {
                    serde_json::to_string(&Transcode(&text))
                }
                .map_err(|e| e.to_string())
            };
            prop_assert_eq!(through(false), Ok(text.clone()));
            prop_assert_eq!(
                through(true),
                serde_json::to_string_pretty(&v).map_err(|e| e.to_string())
            );
            // Another serialiser gets the same calls: a Value built by
            // serde_json's own value serialiser.
            prop_assert_eq!(serde_json::to_value(Transcode(&text)).ok(), Some(v));
        }
    }

    #[test]
    fn text_that_is_not_json_fails() {
        for bad in ["", "[1,", "{\"a\":}", "1 2", "nul"] {
            assert!(serde_json::to_string(&Transcode(bad)).is_err(), "{bad:?}");
        }
    }
}
