//! Arithmetic: `+ - * / %` and negation over integers (checked: overflow
//! is an error), unsigned integers, doubles (IEEE 754), strings, bytes and
//! lists (concatenation, size-checked before it is built), durations and
//! timestamps (kept within the ranges of the CEL specification: years 1 to
//! 9999, durations up to ±10,000 years).

use std::rc::Rc;

use chrono::{DateTime, TimeDelta, Utc};

use super::budget::{Budget, ErrorClass, EvalError, R};
use super::value::{List, Str, Val};

fn overflow(op: &str) -> EvalError {
    EvalError::new(
        ErrorClass::Arithmetic,
        format!("integer overflow in `{op}`"),
    )
}

/// The largest duration of the CEL specification (about 10,000 years).
const MAX_DURATION_SECS: i64 = 315_576_000_000;

/// A duration within the CEL range.
pub(crate) fn duration_in_range(d: TimeDelta) -> Result<TimeDelta, EvalError> {
    if d.num_seconds().abs() > MAX_DURATION_SECS {
        return Err(EvalError::new(
            ErrorClass::Arithmetic,
            "duration out of range",
        ));
    }
    Ok(d)
}

/// A timestamp within the CEL range (0001-01-01 to 9999-12-31).
pub(crate) fn timestamp_in_range(t: DateTime<Utc>) -> Result<DateTime<Utc>, EvalError> {
    use chrono::Datelike;
    if !(1..=9999).contains(&t.year()) {
        return Err(EvalError::new(
            ErrorClass::Arithmetic,
            "timestamp out of range",
        ));
    }
    Ok(t)
}

/// `l + r`.
pub(crate) fn add<'a>(l: Val<'a>, r: Val<'a>, budget: &Budget) -> R<'a> {
    match (&l, &r) {
        (Val::Int(a), Val::Int(b)) => a
            .checked_add(*b)
            .map(Val::Int)
            .ok_or_else(|| overflow("add")),
        (Val::Uint(a), Val::Uint(b)) => a
            .checked_add(*b)
            .map(Val::Uint)
            .ok_or_else(|| overflow("add")),
        (Val::Double(a), Val::Double(b)) => Ok(Val::Double(a + b)),
        (Val::Str(a), Val::Str(b)) => {
            let (a, b) = (a.as_str(), b.as_str());
            if b.is_empty() {
                return Ok(l);
            }
            budget.string(a.len() + b.len())?;
            let mut s = String::with_capacity(a.len() + b.len());
            s.push_str(a);
            s.push_str(b);
            Ok(Val::Str(Str::O(Rc::from(s))))
        }
        (Val::Bytes(a), Val::Bytes(b)) => {
            budget.string(a.len() + b.len())?;
            let mut v = Vec::with_capacity(a.len() + b.len());
            v.extend_from_slice(a);
            v.extend_from_slice(b);
            Ok(Val::Bytes(v.into()))
        }
        (Val::List(a), Val::List(b)) => {
            if b.len() == 0 {
                return Ok(l);
            }
            if a.len() == 0 {
                return Ok(r);
            }
            budget.list(a.len() + b.len())?;
            let items: Vec<Val<'a>> = a.iter().chain(b.iter()).collect();
            Ok(Val::List(List::Vals(items.into())))
        }
        (Val::Duration(a), Val::Duration(b)) => a
            .checked_add(b)
            .ok_or_else(|| overflow("add"))
            .and_then(duration_in_range)
            .map(Val::Duration),
        (Val::Timestamp(t), Val::Duration(d)) | (Val::Duration(d), Val::Timestamp(t)) => t
            .checked_add_signed(*d)
            .ok_or_else(|| overflow("add"))
            .and_then(timestamp_in_range)
            .map(Val::Timestamp),
        _ => Err(EvalError::overload("_+_", &[&l, &r])),
    }
}

/// `l - r`.
pub(crate) fn sub<'a>(l: Val<'a>, r: Val<'a>) -> R<'a> {
    match (&l, &r) {
        (Val::Int(a), Val::Int(b)) => a
            .checked_sub(*b)
            .map(Val::Int)
            .ok_or_else(|| overflow("sub")),
        (Val::Uint(a), Val::Uint(b)) => a
            .checked_sub(*b)
            .map(Val::Uint)
            .ok_or_else(|| overflow("sub")),
        (Val::Double(a), Val::Double(b)) => Ok(Val::Double(a - b)),
        (Val::Duration(a), Val::Duration(b)) => a
            .checked_sub(b)
            .ok_or_else(|| overflow("sub"))
            .and_then(duration_in_range)
            .map(Val::Duration),
        (Val::Timestamp(a), Val::Timestamp(b)) => {
            duration_in_range(a.signed_duration_since(*b)).map(Val::Duration)
        }
        (Val::Timestamp(t), Val::Duration(d)) => t
            .checked_sub_signed(*d)
            .ok_or_else(|| overflow("sub"))
            .and_then(timestamp_in_range)
            .map(Val::Timestamp),
        _ => Err(EvalError::overload("_-_", &[&l, &r])),
    }
}

/// `l * r`.
pub(crate) fn mul<'a>(l: Val<'a>, r: Val<'a>) -> R<'a> {
    match (&l, &r) {
        (Val::Int(a), Val::Int(b)) => a
            .checked_mul(*b)
            .map(Val::Int)
            .ok_or_else(|| overflow("mul")),
        (Val::Uint(a), Val::Uint(b)) => a
            .checked_mul(*b)
            .map(Val::Uint)
            .ok_or_else(|| overflow("mul")),
        (Val::Double(a), Val::Double(b)) => Ok(Val::Double(a * b)),
        _ => Err(EvalError::overload("_*_", &[&l, &r])),
    }
}

fn by_zero() -> EvalError {
    EvalError::new(ErrorClass::Arithmetic, "division by zero")
}

/// `l / r`.
pub(crate) fn div<'a>(l: Val<'a>, r: Val<'a>) -> R<'a> {
    match (&l, &r) {
        (Val::Int(_), Val::Int(0)) | (Val::Uint(_), Val::Uint(0)) => Err(by_zero()),
        (Val::Int(a), Val::Int(b)) => a
            .checked_div(*b)
            .map(Val::Int)
            .ok_or_else(|| overflow("div")),
        (Val::Uint(a), Val::Uint(b)) => Ok(Val::Uint(a / b)),
        (Val::Double(a), Val::Double(b)) => Ok(Val::Double(a / b)),
        _ => Err(EvalError::overload("_/_", &[&l, &r])),
    }
}

/// `l % r`.
pub(crate) fn rem<'a>(l: Val<'a>, r: Val<'a>) -> R<'a> {
    match (&l, &r) {
        (Val::Int(_), Val::Int(0)) | (Val::Uint(_), Val::Uint(0)) => {
            Err(EvalError::new(ErrorClass::Arithmetic, "remainder by zero"))
        }
        (Val::Int(a), Val::Int(b)) => a
            .checked_rem(*b)
            .map(Val::Int)
            .ok_or_else(|| overflow("rem")),
        (Val::Uint(a), Val::Uint(b)) => Ok(Val::Uint(a % b)),
        _ => Err(EvalError::overload("_%_", &[&l, &r])),
    }
}

/// `-v`.
pub(crate) fn negate(v: Val<'_>) -> R<'_> {
    match v {
        Val::Int(i) => i.checked_neg().map(Val::Int).ok_or_else(|| overflow("neg")),
        Val::Double(d) => Ok(Val::Double(-d)),
        Val::Duration(d) => Ok(Val::Duration(-d)),
        other => Err(EvalError::overload("-_", &[&other])),
    }
}
