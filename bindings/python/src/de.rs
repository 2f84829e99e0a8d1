//! Facts read straight from Python objects: a serde `Deserializer` over a
//! `dict`, so `check(dict)` builds no JSON value between the `dict` and
//! the facts.
//!
//! It is at least as strict as the conversion to JSON (`facts::to_json`):
//! it takes `dict` (string keys), `list`/`tuple`, `str`, `int` (64 bits),
//! finite `float`, `bool` and `None`, within the same nesting limit, and
//! gives serde the same calls a JSON value of the same data would (a
//! non-negative `int` as `u64`, a negative one as `i64`). Anything else is
//! an error without a path: the caller then converts to JSON, which gives
//! the error its message and path, so an error reads exactly as before.

use std::fmt;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;

/// Why a value was not read; the caller converts to JSON for the real
/// error, so this is never shown to a user.
#[derive(Debug)]
pub(crate) struct NotRead(String);

impl fmt::Display for NotRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotRead {}

impl de::Error for NotRead {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        NotRead(msg.to_string())
    }
}

/// A Python value to deserialize, with the `dict`/`list` levels it may
/// still open.
#[derive(Clone)]
pub(crate) struct PyDe<'py> {
    obj: Bound<'py, PyAny>,
    left: usize,
}

impl<'py> PyDe<'py> {
    /// `obj`, which may open `max_depth` levels of `dict`/`list`.
    pub(crate) fn new(obj: &Bound<'py, PyAny>, max_depth: usize) -> Self {
        PyDe {
            obj: obj.clone(),
            left: max_depth,
        }
    }

    fn deeper(&self) -> Result<usize, NotRead> {
        self.left
            .checked_sub(1)
            .ok_or_else(|| NotRead("nested too deep".into()))
    }

    fn text(&self) -> Result<Option<&str>, NotRead> {
        match self.obj.cast::<PyString>() {
            Ok(s) => s
                .to_str()
                .map(Some)
                .map_err(|_| NotRead("not valid unicode".into())),
            Err(_) => Ok(None),
        }
    }
}

impl<'de, 'py> de::Deserializer<'de> for PyDe<'py> {
    type Error = NotRead;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, NotRead> {
        // Most frequent types first, in the order of the JSON conversion
        // (a `bool` is an `int` to Python: it is tested first).
        if let Some(s) = self.text()? {
            return v.visit_str(s);
        }
        let o = &self.obj;
        if let Ok(d) = o.cast::<PyDict>() {
            let left = self.deeper()?;
            return v.visit_map(Dict {
                items: d.iter(),
                value: None,
                left,
                len: d.len(),
            });
        }
        if let Ok(l) = o.cast::<PyList>() {
            let left = self.deeper()?;
            return v.visit_seq(Items {
                items: l.iter(),
                left,
            });
        }
        if let Ok(b) = o.cast::<PyBool>() {
            return v.visit_bool(b.is_true());
        }
        if o.is_instance_of::<PyInt>() {
            return match o.extract::<i64>() {
                Ok(i) => match u64::try_from(i) {
                    Ok(u) => v.visit_u64(u),
                    Err(_) => v.visit_i64(i),
                },
                Err(_) => match o.extract::<u64>() {
                    Ok(u) => v.visit_u64(u),
                    Err(_) => Err(NotRead("an integer over 64 bits".into())),
                },
            };
        }
        if let Ok(f) = o.cast::<PyFloat>() {
            let x = f.value();
            return if x.is_finite() {
                v.visit_f64(x)
            } else {
                Err(NotRead("not a JSON number".into()))
            };
        }
        if o.is_none() {
            return v.visit_unit();
        }
        if let Ok(t) = o.cast::<PyTuple>() {
            let left = self.deeper()?;
            return v.visit_seq(Items {
                items: t.iter(),
                left,
            });
        }
        Err(NotRead("not a JSON value".into()))
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, NotRead> {
        if self.obj.is_none() {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, NotRead> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, NotRead> {
        // A variant without data, by name; any other form is left to the
        // JSON conversion.
        match self.text()? {
            Some(s) => v.visit_enum(IntoDeserializer::<NotRead>::into_deserializer(s)),
            None => Err(NotRead("not a variant name".into())),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// The entries of a `dict`.
struct Dict<'py> {
    items: pyo3::types::iter::BoundDictIterator<'py>,
    value: Option<Bound<'py, PyAny>>,
    left: usize,
    len: usize,
}

impl<'de, 'py> MapAccess<'de> for Dict<'py> {
    type Error = NotRead;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, NotRead> {
        let Some((k, value)) = self.items.next() else {
            return Ok(None);
        };
        let key = k
            .cast::<PyString>()
            .map_err(|_| NotRead("a key that is not a string".into()))?
            .to_str()
            .map_err(|_| NotRead("a key that is not valid unicode".into()))?;
        self.value = Some(value);
        seed.deserialize(StrDeserializer::<NotRead>::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, NotRead> {
        let value = self
            .value
            .take()
            .ok_or_else(|| NotRead("a value without its key".into()))?;
        seed.deserialize(PyDe {
            obj: value,
            left: self.left,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.len)
    }
}

/// The items of a `list` or `tuple`.
struct Items<I> {
    items: I,
    left: usize,
}

impl<'de, 'py, I> SeqAccess<'de> for Items<I>
where
    I: ExactSizeIterator<Item = Bound<'py, PyAny>>,
{
    type Error = NotRead;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, NotRead> {
        match self.items.next() {
            Some(obj) => seed
                .deserialize(PyDe {
                    obj,
                    left: self.left,
                })
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}
