//! The canonical binary encoding of the typed facts, the input of the facts
//! digest (specified in `docs/digest.md`): a serde serialiser that writes a
//! tagged encoding (integers as LEB128 varints, strings length-prefixed,
//! lists and maps closed by an end tag) into a byte buffer, with map
//! entries and struct fields sorted by their encoded key and struct fields
//! that are `null`, `[]` or `{}` left out. It is not human-readable, so timestamps
//! and durations hand it their binary values (see `types.rs`) instead of
//! being formatted as text.

use std::fmt;

use serde::Serialize;
use serde::ser;

use crate::model::types::{DURATION_MARKER, SAMPLES_MARKER, TIMESTAMP_MARKER};

mod compound;
mod facts;
mod order;
pub(crate) mod samples;

use order::{entry_order, head};

/// `null` (also `()` and a unit struct).
const NULL: u8 = 0x00;
/// `false`.
const FALSE: u8 = 0x01;
/// `true`.
const TRUE: u8 = 0x02;
/// An integer in −2⁶³ … 2⁶³−1: zigzag, then LEB128.
const INT: u8 = 0x03;
/// An integer in 2⁶³ … 2⁶⁴−1: LEB128.
const UINT: u8 = 0x04;
/// A float: the eight bytes of its IEEE 754 binary64 value, big-endian;
/// every NaN as `0x7ff8000000000000`.
const FLOAT: u8 = 0x05;
/// A string: its length in bytes (LEB128), then its UTF-8.
const STRING: u8 = 0x06;
/// A list: its items in order, then [`END`].
const LIST: u8 = 0x07;
/// A map: key, value, key, value, … in the bytewise order of the encoded
/// keys, then [`END`].
const MAP: u8 = 0x08;
/// A timestamp: seconds since 1970-01-01T00:00:00Z (zigzag, LEB128), then
/// nanoseconds (LEB128).
const TIMESTAMP: u8 = 0x09;
/// A duration: whole milliseconds (zigzag, LEB128).
const DURATION: u8 = 0x0a;
/// The end of a list or a map.
const END: u8 = 0x0b;
/// A list of samples, packed (see `samples.rs`): the length of the
/// packed bytes (LEB128), then the bytes.
const SAMPLES: u8 = 0x0c;

/// The bits every NaN is written as (big-endian after [`FLOAT`]).
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
    /// The first eight bytes of the encoded key (see [`order::head`]).
    head: u64,
}

/// A run of the output, `start..end`.
type Piece = (usize, usize);

/// The largest map (in bytes) put in order by moving its entries; a
/// larger one is put in order in [`Encoder::pieces`] instead. The unit
/// tests use a bound of a few bytes, so that their maps take both ways.
const MOVE_AT_MOST: usize = if cfg!(test) { 24 } else { 8 * 1024 };

/// The encoder: the output, the entries of the maps still open (a stack
/// shared by all of them, so a struct costs no allocation) and the order
/// the output is read in.
///
/// A small map whose entries came unsorted is put in order by moving its
/// entries. A large one is not moved: its pieces are put in order in
/// [`Encoder::pieces`], the list of runs of the output that are read
/// first, in order, before the rest (`tail..`). Such a map costs a sort of
/// its entries, not a copy of everything inside it (a rollout's samples
/// sit inside three unsorted maps).
pub(crate) struct Encoder {
    out: Vec<u8>,
    entries: Vec<Entry>,
    /// The runs of the output read first, in order.
    pieces: Vec<Piece>,
    /// Where the output not yet in [`Encoder::pieces`] starts.
    tail: usize,
    /// Reused by [`Encoder::close_map`]: the bytes of a small map, and the
    /// runs of a large one with the entry each lies in.
    bytes: Vec<u8>,
    runs: Vec<(usize, Piece)>,
    /// Inside a marked timestamp or duration: integers are written
    /// without their tag (a timestamp's payload is one `u128`, see
    /// `types.rs`).
    raw: bool,
    /// What the facts written directly ([`encode_direct_into`]) hold, as
    /// their JSON would: values and the longest list.
    counts: FactCounts,
}

/// The values of facts as a walk of their full JSON counts them (every
/// scalar, list and map one; a field the JSON leaves out, none) and their
/// longest list: what [`Limits::max_fact_values`] and
/// [`Limits::max_list_items`] hold them to.
///
/// [`Limits::max_fact_values`]: crate::limits::Limits
/// [`Limits::max_list_items`]: crate::limits::Limits
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FactCounts {
    /// Every value.
    pub values: usize,
    /// The items of the longest list.
    pub longest_list: usize,
}

/// The encoder for one value.
fn encoder() -> Encoder {
    Encoder {
        out: Vec::with_capacity(16 * 1024),
        entries: Vec::new(),
        pieces: Vec::new(),
        tail: 0,
        bytes: Vec::new(),
        runs: Vec::new(),
        raw: false,
        counts: FactCounts::default(),
    }
}

/// Hand the canonical encoding of `value`, in order, to `sink`, piece by
/// piece. Should the value fail to serialise (the typed facts never do),
/// the bytes written up to the failure.
pub(crate) fn encode_into<T: Serialize + ?Sized>(value: &T, sink: impl FnMut(&[u8])) {
    with_encoder(
        |e| {
            let _ = value.serialize(e);
        },
        sink,
    );
}

/// [`encode_into`] for a value that writes itself (the release facts):
/// the same bytes, without serde's struct machinery; with what the value
/// holds, counted as its JSON would be on the way.
pub(crate) fn encode_direct_into<T: facts::Canon + ?Sized>(
    value: &T,
    sink: impl FnMut(&[u8]),
) -> FactCounts {
    with_encoder(|e| value.canon(e), sink)
}

/// An empty encoder — the one the last encoding on this thread left, when
/// its buffer is not over [`KEEP_AT_MOST`] — handed to `write`, then its
/// output to `sink`; what the encoder counted.
fn with_encoder(write: impl FnOnce(&mut Encoder), sink: impl FnMut(&[u8])) -> FactCounts {
    // `try_with`: a thread being torn down encodes with a new buffer.
    let mut e = SPARE
        .try_with(|spare| spare.borrow_mut().take())
        .ok()
        .flatten()
        .unwrap_or_else(encoder);
    write(&mut e);
    e.chunks(sink);
    let counts = e.counts;
    if e.out.capacity() <= KEEP_AT_MOST {
        e.clear();
        let _ = SPARE.try_with(|spare| *spare.borrow_mut() = Some(e));
    }
    counts
}

/// The largest output buffer (in bytes) kept for the next encoding on the
/// same thread.
const KEEP_AT_MOST: usize = 64 * 1024;

thread_local! {
    /// An encoder left by the last encoding on this thread, emptied: the
    /// next one allocates no buffer (a fresh 16 KiB buffer per decision
    /// made the allocator gather its free lists).
    static SPARE: std::cell::RefCell<Option<Encoder>> = const { std::cell::RefCell::new(None) };
}

/// The canonical encoding of `value`, as one buffer.
#[cfg(test)]
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut all = Vec::new();
    encode_into(value, |b| all.extend_from_slice(b));
    all
}

/// `v` as LEB128: seven bits a byte, least significant first, the high
/// bit set on every byte but the last.
fn leb128(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The eight bytes of a float: its IEEE 754 binary64 bits, big-endian,
/// every NaN as [`CANONICAL_NAN`].
fn float_bytes(v: f64) -> [u8; 8] {
    let bits = if v.is_nan() {
        CANONICAL_NAN
    } else {
        v.to_bits()
    };
    bits.to_be_bytes()
}

/// `v` zigzag-mapped (0, −1, 1, −2, … to 0, 1, 2, 3, …), then LEB128.
fn zigzag(out: &mut Vec<u8>, v: i64) {
    leb128(out, ((v << 1) ^ (v >> 63)) as u64);
}

impl Encoder {
    /// Empty, for the next value; the buffers keep their capacity.
    fn clear(&mut self) {
        self.out.clear();
        self.entries.clear();
        self.pieces.clear();
        self.tail = 0;
        self.bytes.clear();
        self.runs.clear();
        self.raw = false;
        self.counts = FactCounts::default();
    }

    /// The encoding, in order: the pieces put in order, then the rest.
    fn chunks(&self, mut sink: impl FnMut(&[u8])) {
        for &(start, end) in &self.pieces {
            sink(self.out.get(start..end).unwrap_or_default());
        }
        sink(self.out.get(self.tail..).unwrap_or_default());
    }

    fn int(&mut self, v: i64) {
        if !self.raw {
            self.out.push(INT);
        }
        zigzag(&mut self.out, v);
    }

    fn uint(&mut self, v: u64) {
        match i64::try_from(v) {
            Ok(v) => self.int(v),
            Err(_) => {
                self.out.push(UINT);
                leb128(&mut self.out, v);
            }
        }
    }

    fn string(&mut self, s: &str) {
        let bytes = s.as_bytes();
        if let Ok(len @ 0..0x80) = u8::try_from(bytes.len()) {
            // The common case: a one-byte length, tag and length in one go.
            self.out.reserve(bytes.len() + 2);
            self.out.extend_from_slice(&[STRING, len]);
        } else {
            self.out.reserve(bytes.len() + 11);
            self.out.push(STRING);
            leb128(&mut self.out, bytes.len() as u64);
        }
        self.out.extend_from_slice(bytes);
    }

    /// A map (or struct) with one entry `name: …`, for enum variants that
    /// carry data (`{"variant": value}`, as in JSON); the caller closes it
    /// with [`END`] after the value.
    fn variant_key(&mut self, variant: &str) {
        self.out.push(MAP);
        self.string(variant);
    }

    fn map(&mut self, is_struct: bool, variant: bool) -> MapEncoder<'_> {
        self.out.push(MAP);
        let start = self.out.len();
        let base = self.entries.len();
        let first_piece = self.pieces.len();
        MapEncoder {
            enc: self,
            start,
            base,
            first_piece,
            key: 0,
            key_end: 0,
            sorted: true,
            is_struct,
            variant,
        }
    }
}

/// Whether `value` (the encoding of a struct field's value) is `null`, an
/// empty list or an empty map: such a field is left out.
fn is_empty_value(value: &[u8]) -> bool {
    matches!(value, [NULL] | [LIST | MAP, END])
}

/// A list being written.
pub(crate) struct SeqEncoder<'a> {
    enc: &'a mut Encoder,
    /// A tuple variant: the end of the one-entry map too.
    variant: bool,
}

/// A map or struct being written.
pub(crate) struct MapEncoder<'a> {
    enc: &'a mut Encoder,
    start: usize,
    base: usize,
    key: usize,
    key_end: usize,
    is_struct: bool,
    /// The first piece made inside this map (see [`Encoder::close_map`]).
    first_piece: usize,
    /// Whether every entry so far came after the one before it.
    sorted: bool,
    /// A struct variant: the end of the one-entry map around it too.
    variant: bool,
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
        self.int(v.into());
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<(), EncodeError> {
        self.uint(v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), EncodeError> {
        if self.raw {
            // The payload of a marked timestamp: the zigzagged seconds in
            // the high 64 bits, the nanoseconds in the low 32.
            leb128(&mut self.out, (v >> 32) as u64);
            leb128(&mut self.out, u64::from(v as u32));
            return Ok(());
        }
        let v =
            u64::try_from(v).map_err(|_| ser::Error::custom("an integer wider than 64 bits"))?;
        self.uint(v);
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), EncodeError> {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<(), EncodeError> {
        self.out.push(FLOAT);
        self.out.extend_from_slice(&float_bytes(v));
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
        if self.raw {
            // The payload of packed samples.
            leb128(&mut self.out, v.len() as u64);
            self.out.extend_from_slice(v);
            return Ok(());
        }
        // As JSON writes them: a list of numbers.
        self.out.push(LIST);
        for b in v {
            self.int((*b).into());
        }
        self.out.push(END);
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
            SAMPLES_MARKER => SAMPLES,
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
        value.serialize(&mut *self)?;
        self.out.push(END);
        Ok(())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<SeqEncoder<'a>, EncodeError> {
        self.out.push(LIST);
        Ok(SeqEncoder {
            enc: self,
            variant: false,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqEncoder<'a>, EncodeError> {
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
        let mut seq = self.serialize_seq(Some(len))?;
        seq.variant = true;
        Ok(seq)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<MapEncoder<'a>, EncodeError> {
        Ok(self.map(false, false))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<MapEncoder<'a>, EncodeError> {
        Ok(self.map(true, false))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<MapEncoder<'a>, EncodeError> {
        self.variant_key(variant);
        Ok(self.map(true, true))
    }
}

/// [`leb128`], for the tests.
#[cfg(test)]
pub(crate) fn tests_leb128(out: &mut Vec<u8>, v: u64) {
    leb128(out, v);
}
