//! Typed values read in place as CEL maps and lists: the sections of the
//! release facts ([`facts`]) and the parts of a release record (in
//! `review`) implement [`Fields`](super::value::Fields) and
//! [`Items`](super::value::Items), so binding them builds nothing — no JSON
//! written, no map allocated and freed per decision. A field is worked out
//! when an expression reads it: strings borrowed, timestamps and durations
//! as values, numbers typed as the facts shape types them.
//!
//! Each view gives exactly the values the JSON view of the same input
//! gives (absent optional fields absent, unsigned numbers as `int` where
//! they fit, a number that is not finite as `null`, durations to the
//! millisecond); [`same`] is how the tests hold the two side by side.

pub(crate) mod facts;

use chrono::TimeDelta;

use super::value::{Fields, Items, List, Map, Str, Val};

/// A borrowed string.
pub(crate) fn s(text: &str) -> Val<'_> {
    Val::Str(Str::B(text))
}

/// A duration as the JSON view reads it: whole milliseconds.
pub(crate) fn ms(d: TimeDelta) -> Val<'static> {
    Val::Duration(TimeDelta::milliseconds(d.num_milliseconds()))
}

/// An unsigned number as JSON holds it: `int` where it fits.
pub(crate) fn unsigned(u: u64) -> Val<'static> {
    i64::try_from(u).map_or(Val::Uint(u), Val::Int)
}

/// A double as JSON holds it: `null` when it is not finite (JSON cannot
/// hold one).
pub(crate) fn double(f: f64) -> Val<'static> {
    if f.is_finite() {
        Val::Double(f)
    } else {
        Val::Null
    }
}

/// The decimal digits of `n` appended to `out`.
fn push_decimal(out: &mut String, n: u64) {
    let mut div = 1u64;
    while n / div >= 10 {
        div *= 10;
    }
    while div > 0 {
        let digit = u32::try_from((n / div) % 10).unwrap_or_default();
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
        div /= 10;
    }
}

/// A version written as semver writes it — `major.minor.patch`, then
/// `-pre` and `+build` when present — without the formatting machinery
/// (padding, width), which cost more than the rest of a record's roots.
pub(crate) fn version(v: &crate::model::Version) -> Val<'static> {
    let v = v.as_semver();
    let mut out = String::with_capacity(26 + v.pre.len() + v.build.len());
    push_decimal(&mut out, v.major);
    out.push('.');
    push_decimal(&mut out, v.minor);
    out.push('.');
    push_decimal(&mut out, v.patch);
    if !v.pre.is_empty() {
        out.push('-');
        out.push_str(v.pre.as_str());
    }
    if !v.build.is_empty() {
        out.push('+');
        out.push_str(v.build.as_str());
    }
    Val::string(out)
}

/// A typed value as a map read in place.
pub(crate) fn view<T: Fields>(x: &T) -> Val<'_> {
    Val::Map(Map::View(x))
}

/// An optional typed value: absent when it is.
pub(crate) fn view_opt<T: Fields>(x: Option<&T>) -> Option<Val<'_>> {
    x.map(view)
}

/// A sequence as a list read in place.
pub(crate) fn items<T: Items>(x: &T) -> Val<'_> {
    Val::List(List::View(x))
}

impl<T: Fields> Items for Vec<T> {
    fn count(&self) -> usize {
        self.len()
    }
    fn item(&self, i: usize) -> Option<Val<'_>> {
        self.get(i).map(view)
    }
}

impl Items for Vec<String> {
    fn count(&self) -> usize {
        self.len()
    }
    fn item(&self, i: usize) -> Option<Val<'_>> {
        self.get(i).map(|x| s(x))
    }
}

/// Whether two values are the same to an expression: the same CEL type,
/// all the way down, and the same JSON.
pub(crate) fn same(a: &Val<'_>, b: &Val<'_>) -> bool {
    if a.type_name() != b.type_name() || a.to_json() != b.to_json() {
        return false;
    }
    match (a, b) {
        (Val::List(x), Val::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(&p, &q))
        }
        (Val::Map(x), Val::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((kp, p), (kq, q))| kp == kq && same(&p, &q))
        }
        // JSON writes durations to the millisecond: compare the values.
        (Val::Duration(x), Val::Duration(y)) => x == y,
        (Val::Timestamp(x), Val::Timestamp(y)) => x == y,
        (Val::Double(x), Val::Double(y)) => x.to_bits() == y.to_bits(),
        _ => true,
    }
}
