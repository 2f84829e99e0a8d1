//! The canonical binary encoding of the typed facts, the input of the facts
//! digest (specified in `docs/digest.md`): a serde serialiser that writes a
//! tagged, length-prefixed encoding into a byte buffer, with map entries
//! and struct fields sorted by their encoded key and struct fields that are
//! `null`, `[]` or `{}` left out. It is not human-readable, so timestamps
//! and durations hand it their binary values (see `types.rs`) instead of
//! being formatted as text.

use std::fmt;

use serde::Serialize;
use serde::ser;

use super::types::{DURATION_MARKER, TIMESTAMP_MARKER};

/// `null` (also `()` and a unit struct).
const NULL: u8 = 0x00;
/// `false`.
const FALSE: u8 = 0x01;
/// `true`.
const TRUE: u8 = 0x02;
/// An integer in −2⁶³ … 2⁶³−1: eight bytes, big-endian two's complement.
const INT: u8 = 0x03;
/// An integer in 2⁶³ … 2⁶⁴−1: eight bytes, big-endian.
const UINT: u8 = 0x04;
/// A float: the eight bytes of its IEEE 754 binary64 value, big-endian;
/// every NaN as `0x7ff8000000000000`.
const FLOAT: u8 = 0x05;
/// A string: its length in bytes (u64, big-endian), then its UTF-8.
const STRING: u8 = 0x06;
/// A list: its count (u64, big-endian), then its items in order.
const LIST: u8 = 0x07;
/// A map: its count (u64, big-endian), then key, value, key, value, … in
/// the bytewise order of the encoded keys.
const MAP: u8 = 0x08;
/// A timestamp: seconds since 1970-01-01T00:00:00Z (i64, big-endian), then
/// nanoseconds (u32, big-endian).
const TIMESTAMP: u8 = 0x09;
/// A duration: whole milliseconds (i64, big-endian).
const DURATION: u8 = 0x0a;

/// The bits every NaN is written as.
const CANONICAL_NAN: u64 = 0x7ff8_0000_0000_0000;

/// Why a value could not be encoded (an integer wider than 64 bits, or a
/// custom serialiser's own error). The typed facts never produce one.
#[derive(Debug)]
pub(crate) struct EncodeError(String);

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EncodeError {}

impl ser::Error for EncodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

/// One entry of a map being written: where its key starts and ends and
/// where its value ends, in the output.
#[derive(Clone, Copy)]
struct Entry {
    key: usize,
    key_end: usize,
    end: usize,
}

/// The encoder: the output, the entries of the maps still open (a stack
/// shared by all of them, so a struct costs no allocation) and a scratch
/// buffer for reordering a map whose entries came unsorted.
pub(crate) struct Encoder {
    out: Vec<u8>,
    entries: Vec<Entry>,
    scratch: Vec<u8>,
    /// Inside a marked timestamp or duration: integers are written as
    /// bare big-endian bytes, a tuple as nothing but its items.
    raw: bool,
}

/// The canonical encoding of `value`. Should the value fail to serialise
/// (the typed facts never do), the bytes written up to the failure.
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut e = Encoder {
        out: Vec::with_capacity(16 * 1024),
        entries: Vec::new(),
        scratch: Vec::new(),
        raw: false,
    };
    let _ = value.serialize(&mut e);
    e.out
}

impl Encoder {
    fn tag_u64(&mut self, tag: u8, v: u64) {
        self.out.push(tag);
        self.out.extend_from_slice(&v.to_be_bytes());
    }

    fn int(&mut self, v: i64) {
        if self.raw {
            self.out.extend_from_slice(&v.to_be_bytes());
        } else {
            self.out.push(INT);
            self.out.extend_from_slice(&v.to_be_bytes());
        }
    }

    fn uint(&mut self, v: u64) {
        match i64::try_from(v) {
            Ok(v) => self.int(v),
            Err(_) => self.tag_u64(UINT, v),
        }
    }

    fn string(&mut self, s: &str) {
        self.tag_u64(STRING, s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }

    /// A tag and a count to be filled in when the container ends; returns
    /// where the count goes.
    fn open(&mut self, tag: u8) -> usize {
        self.out.push(tag);
        let at = self.out.len();
        self.out.extend_from_slice(&[0; 8]);
        at
    }

    fn patch_count(&mut self, at: usize, n: usize) {
        if let Some(slot) = self.out.get_mut(at..at + 8) {
            slot.copy_from_slice(&(n as u64).to_be_bytes());
        }
    }

    /// A map (or struct) with one entry `name: …`, for enum variants that
    /// carry data (`{"variant": value}`, as in JSON).
    fn variant_key(&mut self, variant: &str) {
        self.tag_u64(MAP, 1);
        self.string(variant);
    }

    fn map(&mut self, is_struct: bool) -> MapEncoder<'_> {
        let count_at = self.open(MAP);
        let base = self.entries.len();
        MapEncoder {
            enc: self,
            count_at,
            base,
            key: 0,
            key_end: 0,
            is_struct,
        }
    }

    /// Close the map whose count is at `count_at` and whose entries are
    /// `entries[base..]`: sort the entries by their encoded keys when they
    /// did not come sorted, and write the count.
    fn close_map(&mut self, count_at: usize, base: usize) {
        let Self {
            out,
            entries,
            scratch,
            ..
        } = self;
        let open = entries.get_mut(base..).unwrap_or_default();
        let key = |e: &Entry| out.get(e.key..e.key_end).unwrap_or_default();
        let sorted = open.windows(2).all(|w| match w {
            [a, b] => key(a) <= key(b),
            _ => true,
        });
        if !sorted {
            open.sort_by(|a, b| key(a).cmp(key(b)));
            scratch.clear();
            for e in open.iter() {
                scratch.extend_from_slice(out.get(e.key..e.end).unwrap_or_default());
            }
            let start = count_at + 8;
            if let Some(region) = out.get_mut(start..start + scratch.len()) {
                region.copy_from_slice(scratch);
            }
        }
        let n = open.len();
        entries.truncate(base);
        self.patch_count(count_at, n);
    }
}

/// Whether `value` (the encoding of a struct field's value) is `null`, an
/// empty list or an empty map: such a field is left out.
fn is_empty_value(value: &[u8]) -> bool {
    matches!(value, [NULL] | [LIST | MAP, 0, 0, 0, 0, 0, 0, 0, 0])
}

/// A list being written.
pub(crate) struct SeqEncoder<'a> {
    enc: &'a mut Encoder,
    count_at: usize,
    n: usize,
}

/// A map or struct being written.
pub(crate) struct MapEncoder<'a> {
    enc: &'a mut Encoder,
    count_at: usize,
    base: usize,
    key: usize,
    key_end: usize,
    is_struct: bool,
}

impl<'a> ser::Serializer for &'a mut Encoder {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = SeqEncoder<'a>;
    type SerializeTuple = SeqEncoder<'a>;
    type SerializeTupleStruct = SeqEncoder<'a>;
    type SerializeTupleVariant = SeqEncoder<'a>;
    type SerializeMap = MapEncoder<'a>;
    type SerializeStruct = MapEncoder<'a>;
    type SerializeStructVariant = MapEncoder<'a>;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Result<(), EncodeError> {
        self.out.push(if v { TRUE } else { FALSE });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Result<(), EncodeError> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_i16(self, v: i16) -> Result<(), EncodeError> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_i32(self, v: i32) -> Result<(), EncodeError> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_i64(self, v: i64) -> Result<(), EncodeError> {
        self.int(v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), EncodeError> {
        if let Ok(v) = i64::try_from(v) {
            self.int(v);
        } else if let Ok(v) = u64::try_from(v) {
            self.uint(v);
        } else {
            return Err(ser::Error::custom("an integer wider than 64 bits"));
        }
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Result<(), EncodeError> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_u16(self, v: u16) -> Result<(), EncodeError> {
        self.int(v.into());
        Ok(())
    }

    fn serialize_u32(self, v: u32) -> Result<(), EncodeError> {
        if self.raw {
            // The nanoseconds of a timestamp.
            self.out.extend_from_slice(&v.to_be_bytes());
        } else {
            self.int(v.into());
        }
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<(), EncodeError> {
        self.uint(v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), EncodeError> {
        let v = u64::try_from(v).map_err(|_| ser::Error::custom("an integer wider than 64 bits"))?;
        self.uint(v);
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), EncodeError> {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<(), EncodeError> {
        let bits = if v.is_nan() { CANONICAL_NAN } else { v.to_bits() };
        self.tag_u64(FLOAT, bits);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), EncodeError> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), EncodeError> {
        self.string(v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), EncodeError> {
        // As JSON writes them: a list of numbers.
        self.tag_u64(LIST, v.len() as u64);
        for b in v {
            self.int((*b).into());
        }
        Ok(())
    }

    fn serialize_none(self) -> Result<(), EncodeError> {
        self.out.push(NULL);
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), EncodeError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), EncodeError> {
        self.out.push(NULL);
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), EncodeError> {
        self.out.push(NULL);
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), EncodeError> {
        self.string(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        let tag = match name {
            TIMESTAMP_MARKER => TIMESTAMP,
            DURATION_MARKER => DURATION,
            _ => return value.serialize(self),
        };
        self.out.push(tag);
        let was = std::mem::replace(&mut self.raw, true);
        let r = value.serialize(&mut *self);
        self.raw = was;
        r
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        self.variant_key(variant);
        value.serialize(self)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<SeqEncoder<'a>, EncodeError> {
        let count_at = self.open(LIST);
        Ok(SeqEncoder {
            enc: self,
            count_at,
            n: 0,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqEncoder<'a>, EncodeError> {
        if self.raw {
            // The payload of a marked timestamp: its items, bare.
            return Ok(SeqEncoder {
                enc: self,
                count_at: usize::MAX,
                n: 0,
            });
        }
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<SeqEncoder<'a>, EncodeError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqEncoder<'a>, EncodeError> {
        self.variant_key(variant);
        self.serialize_seq(Some(len))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<MapEncoder<'a>, EncodeError> {
        Ok(self.map(false))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<MapEncoder<'a>, EncodeError> {
        Ok(self.map(true))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<MapEncoder<'a>, EncodeError> {
        self.variant_key(variant);
        Ok(self.map(true))
    }
}

impl SeqEncoder<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.n += 1;
        value.serialize(&mut *self.enc)
    }

    fn finish(self) -> Result<(), EncodeError> {
        if self.count_at != usize::MAX {
            self.enc.patch_count(self.count_at, self.n);
        }
        Ok(())
    }
}

impl ser::SerializeSeq for SeqEncoder<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.item(value)
    }

    fn end(self) -> Result<(), EncodeError> {
        self.finish()
    }
}

impl ser::SerializeTuple for SeqEncoder<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.item(value)
    }

    fn end(self) -> Result<(), EncodeError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for SeqEncoder<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.item(value)
    }

    fn end(self) -> Result<(), EncodeError> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for SeqEncoder<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.item(value)
    }

    fn end(self) -> Result<(), EncodeError> {
        self.finish()
    }
}

impl MapEncoder<'_> {
    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        let value_at = self.enc.out.len();
        value.serialize(&mut *self.enc)?;
        let end = self.enc.out.len();
        if self.is_struct && is_empty_value(self.enc.out.get(value_at..).unwrap_or_default()) {
            self.enc.out.truncate(self.key);
        } else {
            self.enc.entries.push(Entry {
                key: self.key,
                key_end: self.key_end,
                end,
            });
        }
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        self.key = self.enc.out.len();
        self.enc.string(name);
        self.key_end = self.enc.out.len();
        self.value(value)
    }

    fn finish(self) -> Result<(), EncodeError> {
        self.enc.close_map(self.count_at, self.base);
        Ok(())
    }
}

impl ser::SerializeMap for MapEncoder<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), EncodeError> {
        self.key = self.enc.out.len();
        key.serialize(&mut *self.enc)?;
        self.key_end = self.enc.out.len();
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.value(value)
    }

    fn end(self) -> Result<(), EncodeError> {
        self.finish()
    }
}

impl ser::SerializeStruct for MapEncoder<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        self.field(name, value)
    }

    fn end(self) -> Result<(), EncodeError> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for MapEncoder<'_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        self.field(name, value)
    }

    fn end(self) -> Result<(), EncodeError> {
        self.finish()
    }
}
