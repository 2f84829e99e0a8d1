//! A count of the facts' values that builds nothing: `check` reads the
//! typed facts in place (`expr::view`), and [`within_counts`] holds them to
//! [`Limits::max_fact_values`] and [`Limits::max_list_items`] exactly as a
//! walk of their full JSON would, by serialising them into a counter
//! instead of into values.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Serializer};

use crate::limits::Limits;

/// Whether a walk of `value`'s full JSON would find at most
/// `limits.max_fact_values` values (every scalar, list and map counts one)
/// and no list of more than `limits.max_list_items` items. Builds nothing;
/// stops at the first excess.
pub(crate) fn within_counts<T: Serialize + ?Sized>(value: &T, limits: &Limits) -> bool {
    let mut count = Count {
        left: limits.max_fact_values,
        max_list: limits.max_list_items,
    };
    value.serialize(&mut count).is_ok()
}

/// A serialiser that counts what `serde_json::to_value` would build.
struct Count {
    left: usize,
    max_list: usize,
}

impl Count {
    /// One more value.
    fn one(&mut self) -> Result<(), Over> {
        self.left = self.left.checked_sub(1).ok_or(Over)?;
        Ok(())
    }
}

/// A limit was passed (or a value `serde_json` could not hold).
#[derive(Debug)]
struct Over;

impl fmt::Display for Over {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("over the limits")
    }
}

impl std::error::Error for Over {}

impl ser::Error for Over {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Over
    }
}

/// The items of a list (or the fields of a map) being counted.
struct Items<'c> {
    count: &'c mut Count,
    items: usize,
    /// Whether the items are those of a JSON list (held to `max_list`).
    list: bool,
}

impl Items<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Over> {
        self.items += 1;
        if self.list && self.items > self.count.max_list {
            return Err(Over);
        }
        value.serialize(&mut *self.count)
    }
}

impl<'c> Serializer for &'c mut Count {
    type Ok = ();
    type Error = Over;
    type SerializeSeq = Items<'c>;
    type SerializeTuple = Items<'c>;
    type SerializeTupleStruct = Items<'c>;
    type SerializeTupleVariant = Items<'c>;
    type SerializeMap = Items<'c>;
    type SerializeStruct = Items<'c>;
    type SerializeStructVariant = Items<'c>;

    fn serialize_bool(self, _: bool) -> Result<(), Over> {
        self.one()
    }
    fn serialize_i8(self, _: i8) -> Result<(), Over> {
        self.one()
    }
    fn serialize_i16(self, _: i16) -> Result<(), Over> {
        self.one()
    }
    fn serialize_i32(self, _: i32) -> Result<(), Over> {
        self.one()
    }
    fn serialize_i64(self, _: i64) -> Result<(), Over> {
        self.one()
    }
    fn serialize_i128(self, _: i128) -> Result<(), Over> {
        self.one()
    }
    fn serialize_u8(self, _: u8) -> Result<(), Over> {
        self.one()
    }
    fn serialize_u16(self, _: u16) -> Result<(), Over> {
        self.one()
    }
    fn serialize_u32(self, _: u32) -> Result<(), Over> {
        self.one()
    }
    fn serialize_u64(self, _: u64) -> Result<(), Over> {
        self.one()
    }
    fn serialize_u128(self, _: u128) -> Result<(), Over> {
        self.one()
    }
    fn serialize_f32(self, _: f32) -> Result<(), Over> {
        self.one()
    }
    fn serialize_f64(self, _: f64) -> Result<(), Over> {
        self.one()
    }
    fn serialize_char(self, _: char) -> Result<(), Over> {
        self.one()
    }
    /// A value written as text (a duration) is one string: counted
    /// without formatting it.
    fn collect_str<T: fmt::Display + ?Sized>(self, _: &T) -> Result<(), Over> {
        self.one()
    }
    fn serialize_str(self, _: &str) -> Result<(), Over> {
        self.one()
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Over> {
        // `serde_json` holds bytes as a list of numbers.
        if v.len() > self.max_list {
            return Err(Over);
        }
        self.one()?;
        self.left = self.left.checked_sub(v.len()).ok_or(Over)?;
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Over> {
        self.one()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Over> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Over> {
        self.one()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Over> {
        self.one()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Over> {
        self.one()
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Over> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), Over> {
        // `{"variant": value}`.
        self.one()?;
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items<'c>, Over> {
        self.one()?;
        Ok(Items {
            count: self,
            items: 0,
            list: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Items<'c>, Over> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Items<'c>, Over> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        len: usize,
    ) -> Result<Items<'c>, Over> {
        // `{"variant": [...]}`.
        self.one()?;
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Items<'c>, Over> {
        self.one()?;
        Ok(Items {
            count: self,
            items: 0,
            list: false,
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Items<'c>, Over> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        len: usize,
    ) -> Result<Items<'c>, Over> {
        // `{"variant": {...}}`.
        self.one()?;
        self.serialize_map(Some(len))
    }
}

/// The compound traits, each handing every item (or field value) to
/// [`Items::item`]; map keys are not values.
macro_rules! count_items {
    ($($trait:ident :: $method:ident ( $($key:ty)? );)*) => {$(
        impl ser::$trait for Items<'_> {
            type Ok = ();
            type Error = Over;
            fn $method<T: Serialize + ?Sized>(
                &mut self,
                $(_: $key,)?
                value: &T,
            ) -> Result<(), Over> {
                self.item(value)
            }
            fn end(self) -> Result<(), Over> {
                Ok(())
            }
        }
    )*};
}

count_items! {
    SerializeSeq::serialize_element();
    SerializeTuple::serialize_element();
    SerializeTupleStruct::serialize_field();
    SerializeTupleVariant::serialize_field();
    SerializeStruct::serialize_field(&'static str);
    SerializeStructVariant::serialize_field(&'static str);
}

impl ser::SerializeMap for Items<'_> {
    type Ok = ();
    type Error = Over;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), Over> {
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Over> {
        self.item(value)
    }
    fn end(self) -> Result<(), Over> {
        Ok(())
    }
}

#[cfg(test)]
#[path = "view_tests.rs"]
pub(crate) mod tests;
