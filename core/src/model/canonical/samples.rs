//! The packed form of a list of samples in the canonical encoding (tag
//! `0x0c`, specified in `docs/digest.md`): an hour of 10-second samples is
//! the bulk of a rollout's facts, so each sample is a few bytes written in
//! one pass — the seconds as the difference from the sample before, the
//! value as its eight bytes — instead of a map of two or three fields
//! with its keys.

use chrono::Timelike;
use serde::{Serialize, Serializer};

use crate::model::rollout::Sample;
use crate::model::types::SAMPLES_MARKER;

use super::{float_bytes, leb128, zigzag};

/// The sample has a value.
const HAS_VALUE: u8 = 0b01;
/// The sample has an error.
const HAS_ERROR: u8 = 0b10;

/// The packed bytes of `samples`, in order: for each, the difference of
/// its seconds since the epoch from those of the sample before (from 0
/// for the first; zigzag, LEB128), its nanoseconds (LEB128), a flags byte
/// (bit 0: a value follows, bit 1: an error follows), the value's eight
/// IEEE 754 bytes big-endian (every NaN as `7ff8000000000000`) and the
/// error as a length-prefixed UTF-8 string.
pub(crate) fn pack(samples: &[Sample]) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() * 12);
    let mut before = 0i64;
    // The day and the second of the day of the sample before: a sample on
    // the same day gets its seconds from the second of the day, without
    // working out the date's days since the epoch again.
    let mut day = None;
    let mut second = 0i64;
    for s in samples {
        let utc = s.at.naive_utc();
        let (d, t) = (utc.date(), utc.time());
        let of_day = i64::from(t.num_seconds_from_midnight());
        let secs = if day == Some(d) {
            before.wrapping_add(of_day.wrapping_sub(second))
        } else {
            utc.and_utc().timestamp()
        };
        (day, second) = (Some(d), of_day);
        let delta = secs.wrapping_sub(before);
        before = secs;
        let nanos = t.nanosecond();
        match (s.value, &s.error) {
            // The common sample, a value less than a minute after the one
            // before on a whole second, in one write.
            (Some(v), None) if (0..64).contains(&delta) && nanos == 0 => {
                let [a, b, c, d, e, f, g, h] = float_bytes(v);
                out.extend_from_slice(&[(delta as u8) << 1, 0, HAS_VALUE, a, b, c, d, e, f, g, h]);
            }
            (value, error) => {
                zigzag(&mut out, delta);
                leb128(&mut out, u64::from(nanos));
                let flags = if value.is_some() { HAS_VALUE } else { 0 }
                    | if error.is_some() { HAS_ERROR } else { 0 };
                out.push(flags);
                if let Some(v) = value {
                    out.extend_from_slice(&float_bytes(v));
                }
                if let Some(e) = error {
                    leb128(&mut out, e.len() as u64);
                    out.extend_from_slice(e.as_bytes());
                }
            }
        }
    }
    out
}

/// Serialise a list of samples (the `serialize_with` of every sample list
/// of the facts): as a list, except for the facts digest (a serialiser
/// that is not human-readable), which gets a non-empty list packed as
/// bytes under [`SAMPLES_MARKER`]. An empty list stays an empty list, so a
/// field holding one is left out of the digest as before.
pub(crate) fn serialize<S: Serializer>(samples: &[Sample], s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() || samples.is_empty() {
        return samples.serialize(s);
    }
    s.serialize_newtype_struct(SAMPLES_MARKER, &Packed(samples))
}

/// Samples as their packed bytes.
struct Packed<'a>(&'a [Sample]);

impl Serialize for Packed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&pack(self.0))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use chrono::DateTime;
    use proptest::prelude::*;

    use super::*;
    use crate::model::Timestamp;

    fn sample(secs: i64, nanos: u32, value: Option<f64>, error: Option<&str>) -> Sample {
        Sample {
            at: DateTime::from_timestamp(secs, nanos).unwrap(),
            value,
            error: error.map(String::from),
        }
    }

    /// A sample read back: seconds, nanoseconds, value bits, error.
    type Unpacked = (i64, u32, Option<u64>, Option<String>);

    /// Reads packed bytes back, as a reader of `docs/digest.md` would;
    /// `None` for bytes that are not exactly a list of samples.
    fn unpack(mut b: &[u8]) -> Option<Vec<Unpacked>> {
        fn varint(b: &mut &[u8]) -> Option<u64> {
            let mut v = 0u64;
            for shift in (0..64).step_by(7) {
                let (&x, rest) = b.split_first()?;
                *b = rest;
                v |= u64::from(x & 0x7f) << shift;
                if x < 0x80 {
                    return Some(v);
                }
            }
            None
        }
        let mut out = Vec::new();
        let mut before = 0i64;
        while !b.is_empty() {
            let z = varint(&mut b)?;
            let delta = ((z >> 1) as i64) ^ -((z & 1) as i64);
            before = before.wrapping_add(delta);
            let nanos = u32::try_from(varint(&mut b)?).ok()?;
            let (&flags, rest) = b.split_first()?;
            b = rest;
            if flags > 3 {
                return None;
            }
            let value = if flags & 1 != 0 {
                let (v, rest) = b.split_at_checked(8)?;
                b = rest;
                Some(u64::from_be_bytes(v.try_into().ok()?))
            } else {
                None
            };
            let error = if flags & 2 != 0 {
                let n = usize::try_from(varint(&mut b)?).ok()?;
                let (e, rest) = b.split_at_checked(n)?;
                b = rest;
                Some(String::from_utf8(e.to_vec()).ok()?)
            } else {
                None
            };
            out.push((before, nanos, value, error));
        }
        Some(out)
    }

    #[test]
    fn a_sample_ten_seconds_on_takes_eleven_bytes_as_documented() {
        let t = 1_795_000_000;
        let one = pack(&[sample(t, 0, Some(0.0125), None)]);
        let two = pack(&[
            sample(t, 0, Some(0.0125), None),
            sample(t + 10, 0, Some(0.0125), None),
        ]);
        assert_eq!(
            two.get(one.len()..),
            Some(
                &[
                    0x14, 0x00, 0x01, 0x3f, 0x89, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a
                ][..]
            )
        );
        // A gap, an error and a time before the epoch.
        assert_eq!(
            pack(&[sample(-1, 250_000_000, None, Some("ab"))]),
            [0x01, 0x80, 0xe5, 0x9a, 0x77, 0x02, 0x02, b'a', b'b']
        );
        // Every NaN is one value.
        assert_eq!(
            pack(&[sample(0, 0, Some(f64::NAN), None)]),
            pack(&[sample(0, 0, Some(-f64::NAN), None)])
        );
    }

    proptest! {
        /// The packed bytes read back to exactly the samples: two lists
        /// that differ never pack the same.
        #[test]
        fn packed_samples_read_back(
            items in prop::collection::vec(
                (
                    -100_000_000_000i64..100_000_000_000,
                    0u32..1_000_000_000,
                    prop::option::of(any::<f64>().prop_filter("not NaN", |v| !v.is_nan())),
                    prop::option::of(".{0,3}"),
                ),
                0..20,
            )
        ) {
            let samples: Vec<Sample> = items
                .iter()
                .map(|(s, n, v, e)| sample(*s, *n, *v, e.as_deref()))
                .collect();
            let want: Vec<_> = samples
                .iter()
                .map(|s| {
                    let at: Timestamp = s.at;
                    (at.timestamp(), at.timestamp_subsec_nanos(), s.value.map(f64::to_bits), s.error.clone())
                })
                .collect();
            prop_assert_eq!(unpack(&pack(&samples)), Some(want));
        }

        /// The same for samples seconds apart, as a rollout sends them
        /// (the fast paths: the same day, a small step, whole seconds),
        /// across midnight, backwards and on a leap second.
        #[test]
        fn nearby_samples_read_back(
            start in -3_000_000_000i64..3_000_000_000,
            steps in prop::collection::vec(
                (
                    prop_oneof![4 => 0i64..70, 1 => -200i64..200, 1 => 80_000i64..200_000],
                    prop_oneof![4 => Just(0u32), 1 => 0u32..1_000_000_000],
                    prop::option::of(-1e6f64..1e6),
                    prop_oneof![4 => Just(None), 1 => Just(Some("x"))],
                ),
                0..40,
            ),
            leap in any::<bool>(),
        ) {
            let mut at = start;
            let mut samples: Vec<Sample> = steps
                .iter()
                .map(|(d, n, v, e)| {
                    at += d;
                    sample(at, *n, *v, *e)
                })
                .collect();
            if leap {
                // 23:59:59.5 + the leap second, then the next day.
                let day = at.div_euclid(86_400) * 86_400 + 86_399;
                samples.push(Sample {
                    at: chrono::NaiveDate::from_num_days_from_ce_opt(719_163 + (day / 86_400) as i32)
                        .unwrap()
                        .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
                        .unwrap()
                        .and_utc(),
                    value: Some(1.0),
                    error: None,
                });
                samples.push(sample(day + 1, 0, Some(2.0), None));
            }
            let want: Vec<_> = samples
                .iter()
                .map(|s| (s.at.timestamp(), s.at.timestamp_subsec_nanos(), s.value.map(f64::to_bits), s.error.clone()))
                .collect();
            prop_assert_eq!(unpack(&pack(&samples)), Some(want));
        }
    }
}
