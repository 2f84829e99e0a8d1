//! The compound parts of the canonical encoder: lists (and tuples) and
//! maps (and structs) being written, and serde's traits for them.

use serde::Serialize;
use serde::ser;

use std::cmp::Ordering;

use super::{END, EncodeError, Entry, entry_order, head, is_empty_value};
use super::{MapEncoder, SeqEncoder};

impl SeqEncoder<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), EncodeError> {
        value.serialize(&mut *self.enc)
    }

    fn finish(self) -> Result<(), EncodeError> {
        self.enc.out.push(END);
        if self.variant {
            self.enc.out.push(END);
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
        // An empty value never puts a map in order, so nothing of it is in
        // the pieces yet and it can be cut off.
        if self.is_struct
            && self.enc.tail <= self.key
            && is_empty_value(self.enc.out.get(value_at..).unwrap_or_default())
        {
            self.enc.out.truncate(self.key);
        } else {
            let out = &self.enc.out;
            let entry = Entry {
                key: self.key,
                key_end: self.key_end,
                end,
                head: head(out.get(self.key..self.key_end).unwrap_or_default()),
            };
            if self.sorted {
                if let Some(before) = self.enc.entries.last() {
                    if self.enc.entries.len() > self.base {
                        self.sorted = entry_order(out, before, &entry) != Ordering::Greater;
                    }
                }
            }
            self.enc.entries.push(entry);
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
        self.enc
            .close_map(self.start, self.base, self.first_piece, self.sorted);
        if self.variant {
            self.enc.out.push(END);
        }
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
