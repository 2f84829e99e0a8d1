//! Timestamps and durations: parsing (`duration("1h30m")`,
//! `timestamp("2026-11-26T10:00:00Z")`), their text (`string(d)` is
//! seconds, `"5400s"`), and the accessors (`getHours()`, `getMonth("Europe/Berlin")`).
//!
//! The accessors follow the CEL specification. For a timestamp they read
//! the calendar in UTC, or in the time zone given (an IANA name from the
//! `chrono-tz` database, or a fixed offset `"+05:30"`); `getMonth`,
//! `getDayOfYear` and `getDayOfMonth` count from 0, `getDate` from 1,
//! `getDayOfWeek` from Sunday = 0. For a duration, `getHours`,
//! `getMinutes` and `getSeconds` are the whole duration in that unit, and
//! `getMilliseconds` is the millisecond part of the seconds
//! (`duration("123.321456789s").getMilliseconds()` is 321).

use chrono::{DateTime, Datelike, FixedOffset, TimeDelta, TimeZone, Timelike, Utc};

use super::budget::{ErrorClass, EvalError, R, excerpt};
use super::ops::{duration_in_range, timestamp_in_range};
use super::value::Val;

/// An accessor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    FullYear,
    Month,
    DayOfYear,
    DayOfMonth,
    Date,
    DayOfWeek,
    Hours,
    Minutes,
    Seconds,
    Milliseconds,
}

impl Part {
    /// The accessor called `name`.
    pub(crate) fn of(name: &str) -> Option<Part> {
        Some(match name {
            "getFullYear" => Part::FullYear,
            "getMonth" => Part::Month,
            "getDayOfYear" => Part::DayOfYear,
            "getDayOfMonth" => Part::DayOfMonth,
            "getDate" => Part::Date,
            "getDayOfWeek" => Part::DayOfWeek,
            "getHours" => Part::Hours,
            "getMinutes" => Part::Minutes,
            "getSeconds" => Part::Seconds,
            "getMilliseconds" => Part::Milliseconds,
            _ => return None,
        })
    }

    /// Its name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Part::FullYear => "getFullYear",
            Part::Month => "getMonth",
            Part::DayOfYear => "getDayOfYear",
            Part::DayOfMonth => "getDayOfMonth",
            Part::Date => "getDate",
            Part::DayOfWeek => "getDayOfWeek",
            Part::Hours => "getHours",
            Part::Minutes => "getMinutes",
            Part::Seconds => "getSeconds",
            Part::Milliseconds => "getMilliseconds",
        }
    }
}

/// `v.getX(rest…)`: `None` when there is no such overload.
pub(crate) fn get<'a>(part: Part, v: &Val<'a>, rest: &[Val<'a>]) -> Option<R<'a>> {
    match (v, rest) {
        (Val::Timestamp(t), []) => Some(Ok(Val::Int(calendar(part, &t.with_timezone(&Utc))))),
        (Val::Timestamp(t), [Val::Str(tz)]) => Some(in_zone(part, *t, tz.as_str())),
        (Val::Duration(d), []) => Some(Ok(Val::Int(match part {
            Part::Hours => d.num_hours(),
            Part::Minutes => d.num_minutes(),
            Part::Seconds => d.num_seconds(),
            Part::Milliseconds => i64::from(d.subsec_nanos() / 1_000_000),
            _ => return None,
        }))),
        _ => None,
    }
}

fn in_zone<'a>(part: Part, t: DateTime<Utc>, tz: &str) -> R<'a> {
    if let Some(offset) = fixed_offset(tz) {
        return Ok(Val::Int(calendar(part, &t.with_timezone(&offset))));
    }
    let zone: chrono_tz::Tz = tz.parse().map_err(|_| {
        EvalError::new(
            ErrorClass::Argument,
            format!("unknown time zone `{}`", excerpt(tz)),
        )
    })?;
    Ok(Val::Int(calendar(part, &t.with_timezone(&zone))))
}

/// `+05:30`, `-08:00`, `05:30` as an offset.
fn fixed_offset(tz: &str) -> Option<FixedOffset> {
    let (sign, rest) = match tz.as_bytes().first()? {
        b'+' => (1, tz.get(1..)?),
        b'-' => (-1, tz.get(1..)?),
        b'0'..=b'9' => (1, tz),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

fn calendar<Tz: TimeZone>(part: Part, t: &DateTime<Tz>) -> i64 {
    i64::from(match part {
        Part::FullYear => t.year(),
        Part::Month => t.month0() as i32,
        Part::DayOfYear => t.ordinal0() as i32,
        Part::DayOfMonth => t.day0() as i32,
        Part::Date => t.day() as i32,
        Part::DayOfWeek => t.weekday().num_days_from_sunday() as i32,
        Part::Hours => t.hour() as i32,
        Part::Minutes => t.minute() as i32,
        Part::Seconds => t.second() as i32,
        Part::Milliseconds => (t.nanosecond() % 1_000_000_000 / 1_000_000) as i32,
    })
}

/// A CEL duration: decimal numbers with units `h`, `m`, `s`, `ms`, `us`
/// (or `µs`), `ns`, optionally signed (`"1h30m"`, `"-1.5s"`).
pub(crate) fn parse_duration(text: &str) -> Result<TimeDelta, EvalError> {
    let bad = || {
        EvalError::new(
            ErrorClass::Argument,
            format!("invalid duration `{}`", excerpt(text)),
        )
    };
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if body == "0" {
        return Ok(TimeDelta::zero());
    }
    if body.is_empty() {
        return Err(bad());
    }
    let mut rest = body;
    let mut nanos: i128 = 0;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let (number, tail) = rest.split_at(end);
        if number.is_empty() || number == "." {
            return Err(bad());
        }
        let (unit, scale): (&str, i128) = [
            ("ns", 1),
            ("us", 1_000),
            ("µs", 1_000),
            ("ms", 1_000_000),
            ("h", 3_600_000_000_000),
            ("m", 60_000_000_000),
            ("s", 1_000_000_000),
        ]
        .into_iter()
        .find(|(u, _)| tail.starts_with(u))
        .ok_or_else(bad)?;
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        if frac.contains('.') {
            return Err(bad());
        }
        let whole: i128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let mut part = whole.checked_mul(scale).ok_or_else(bad)?;
        // The fraction, to the nanosecond.
        let mut unit_frac = scale;
        for digit in frac.bytes().take(18) {
            unit_frac /= 10;
            part += i128::from(digit - b'0') * unit_frac;
        }
        nanos = nanos.checked_add(part).ok_or_else(bad)?;
        if nanos > 315_576_000_000 * 1_000_000_000 {
            return Err(EvalError::new(
                ErrorClass::Arithmetic,
                "duration out of range",
            ));
        }
        rest = tail.get(unit.len()..).ok_or_else(bad)?;
    }
    let nanos = if negative { -nanos } else { nanos };
    let secs = i64::try_from(nanos.div_euclid(1_000_000_000)).map_err(|_| bad())?;
    let sub = u32::try_from(nanos.rem_euclid(1_000_000_000)).map_err(|_| bad())?;
    TimeDelta::new(secs, sub)
        .ok_or_else(bad)
        .and_then(duration_in_range)
}

/// An RFC 3339 timestamp.
pub(crate) fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, EvalError> {
    DateTime::parse_from_rfc3339(text)
        .map_err(|e| {
            EvalError::new(
                ErrorClass::Argument,
                format!("invalid timestamp `{}`: {e}", excerpt(text)),
            )
        })
        .map(|t| t.with_timezone(&Utc))
        .and_then(timestamp_in_range)
}

/// The timestamp `secs` seconds after the Unix epoch.
pub(crate) fn from_unix(secs: i64) -> Result<DateTime<Utc>, EvalError> {
    DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| EvalError::new(ErrorClass::Arithmetic, "timestamp out of range"))
        .and_then(timestamp_in_range)
}

/// A duration as CEL writes it: seconds, with the fraction when there is
/// one (`"5400s"`, `"1.5s"`).
pub(crate) fn duration_text(d: TimeDelta) -> String {
    let negative = d < TimeDelta::zero();
    let d = d.abs();
    let (secs, nanos) = (d.num_seconds(), d.subsec_nanos());
    let sign = if negative { "-" } else { "" };
    if nanos == 0 {
        format!("{sign}{secs}s")
    } else {
        let frac = format!("{nanos:09}");
        format!("{sign}{secs}.{}s", frac.trim_end_matches('0'))
    }
}
