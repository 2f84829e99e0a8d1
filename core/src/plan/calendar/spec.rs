//! A calendar's spec as written (time zone, windows, freezes) and its check:
//! [`Calendar::new`], the located [`SpecError`]s, the parsers of times and dates.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

use super::{Calendar, Freeze, Interval, Window, resolve_local};

/// A window as the calendar's spec gives it, as text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WindowSpec<'a> {
    /// The window's name.
    pub(crate) name: &'a str,
    /// The weekdays, `mon` … `sun`.
    pub(crate) days: &'a [String],
    /// Local start time, `HH:MM`.
    pub(crate) from: &'a str,
    /// Local end time, `HH:MM` or `24:00`.
    pub(crate) to: &'a str,
}

/// A freeze as the calendar's spec gives it, as text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FreezeSpec<'a> {
    /// The freeze's name.
    pub(crate) name: &'a str,
    /// Start: a local date-time, a local date or an RFC 3339 timestamp.
    pub(crate) from: &'a str,
    /// End (excluded), in the same forms as `from`.
    pub(crate) to: &'a str,
}

/// A problem in a calendar's spec.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SpecError {
    /// Where, relative to `spec`: `timeZone`, `windows[0].to`, `freezes[1].from`.
    pub(crate) path: String,
    /// What is wrong: short, lowercase, quoting the input in backticks.
    pub(crate) message: String,
    /// How to fix it, when there is something to say.
    pub(crate) hint: Option<String>,
}

impl SpecError {
    /// An error at `path`, without a hint.
    fn at(path: String, message: String) -> SpecError {
        SpecError {
            path,
            message,
            hint: None,
        }
    }

    /// The same error with a hint.
    fn hint(self, hint: impl Into<String>) -> SpecError {
        SpecError {
            hint: Some(hint.into()),
            ..self
        }
    }
}

/// The valid day names, in order from Monday.
const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// Minutes in a day: a window's `to` of `24:00`.
const DAY_MINUTES: u32 = 24 * 60;

impl Calendar {
    /// Check a calendar's spec and resolve its freezes to UTC. Errors come in
    /// spec order: the time zone, then windows, then freezes.
    pub(crate) fn new(
        name: &str,
        time_zone: &str,
        windows: &[WindowSpec<'_>],
        freezes: &[FreezeSpec<'_>],
    ) -> Result<Calendar, SpecError> {
        let tz = parse_time_zone(time_zone)?;
        let mut checked_windows = Vec::with_capacity(windows.len());
        for (i, spec) in windows.iter().enumerate() {
            let earlier = windows.iter().take(i).map(|w| w.name);
            unique("windows", "window", i, spec.name, earlier)?;
            checked_windows.push(parse_window(i, spec)?);
        }
        let mut checked_freezes = Vec::with_capacity(freezes.len());
        for (i, spec) in freezes.iter().enumerate() {
            let earlier = freezes.iter().take(i).map(|f| f.name);
            unique("freezes", "freeze", i, spec.name, earlier)?;
            checked_freezes.push(parse_freeze(tz, i, spec)?);
        }
        Ok(Calendar {
            name: name.to_owned(),
            tz,
            windows: checked_windows,
            freezes: checked_freezes,
        })
    }
}

/// Hint for an unknown time zone with no close name.
const ZONE_HINT: &str = "use an IANA name such as `Europe/Berlin` or `UTC`";

/// Parse `timeZone`, suggesting close names when it is unknown.
fn parse_time_zone(text: &str) -> Result<Tz, SpecError> {
    if let Ok(tz) = Tz::from_str(text) {
        return Ok(tz);
    }
    let path = "timeZone".to_owned();
    if text.trim().is_empty() {
        return Err(SpecError::at(path, "time zone is empty".to_owned()).hint(ZONE_HINT));
    }
    let close: Vec<String> = closest_zones(text)
        .iter()
        .map(|n| format!("`{n}`"))
        .collect();
    let hint = if close.is_empty() {
        ZONE_HINT.to_owned()
    } else {
        format!("did you mean {}?", close.join(" or "))
    };
    Err(SpecError::at(path, format!("unknown time zone `{text}`")).hint(hint))
}

/// An error at `{list}[{i}].name` when `name` is one of the `earlier` names.
fn unique<'n>(
    list: &str,
    kind: &str,
    i: usize,
    name: &str,
    mut earlier: impl Iterator<Item = &'n str>,
) -> Result<(), SpecError> {
    // An empty name is reported as such, by the item's own check.
    match earlier.position(|n| n == name && !name.is_empty()) {
        None => Ok(()),
        Some(j) => Err(SpecError::at(
            format!("{list}[{i}].name"),
            format!("{kind} name `{name}` is used twice"),
        )
        .hint(format!(
            "`{list}[{j}]` has it already; names must be unique"
        ))),
    }
}

/// Up to three zone names closest in spelling to `text` (case-insensitive
/// edit distance), when close enough to be a likely typo.
fn closest_zones(text: &str) -> Vec<&'static str> {
    let wanted: Vec<char> = text.trim().to_lowercase().chars().collect();
    if wanted.len() > 64 {
        return Vec::new();
    }
    let limit = (wanted.len() / 4).max(2);
    let mut scored: Vec<(usize, &'static str)> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| {
            let name = tz.name();
            let candidate: Vec<char> = name.to_lowercase().chars().collect();
            (edit_distance(&wanted, &candidate), name)
        })
        .filter(|&(d, _)| d <= limit)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Levenshtein distance.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = i;
        let mut left = i + 1;
        let mut next = Vec::with_capacity(row.len());
        next.push(left);
        for (j, cb) in b.iter().enumerate() {
            let up = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let cost = diagonal + usize::from(ca != cb);
            left = cost.min(up.saturating_add(1)).min(left + 1);
            next.push(left);
            diagonal = up;
        }
        row = next;
    }
    row.last().copied().unwrap_or(0)
}

/// Parse and check window `i`.
fn parse_window(i: usize, spec: &WindowSpec<'_>) -> Result<Window, SpecError> {
    let (name, from, to) = (spec.name, spec.from, spec.to);
    let at = |field: &str, message: String| SpecError::at(format!("windows[{i}].{field}"), message);
    if name.is_empty() {
        return Err(at("name", "window name is empty".to_owned()));
    }
    let days_hint = || {
        let quoted: Vec<String> = DAY_NAMES.iter().map(|d| format!("`{d}`")).collect();
        format!("days are {}", quoted.join(" "))
    };
    if spec.days.is_empty() {
        return Err(at("days", format!("window `{name}` has no days")).hint(days_hint()));
    }
    let mut days = [false; 7];
    for (k, day) in spec.days.iter().enumerate() {
        let field = format!("days[{k}]");
        let Some(seen) = DAY_NAMES
            .iter()
            .position(|d| d == day)
            .and_then(|index| days.get_mut(index))
        else {
            return Err(at(&field, format!("unknown day `{day}`")).hint(days_hint()));
        };
        if *seen {
            let message = format!("day `{day}` is listed twice in window `{name}`");
            return Err(at(&field, message));
        }
        *seen = true;
    }
    let not_time = |field: &str, verb: &str, text: &str| {
        at(
            field,
            format!("window `{name}` {verb} at `{text}`, which is not a time of day"),
        )
        .hint("use `HH:MM`, 24-hour with two digits each, e.g. `09:00`; `to` may be `24:00`")
    };
    let from_minute = parse_hh_mm(from).ok_or_else(|| not_time("from", "starts", from))?;
    if from_minute >= DAY_MINUTES {
        return Err(at(
            "from",
            format!("window `{name}` starts at `{from}`, the end of the day"),
        )
        .hint("a window starts at `23:59` at the latest; `24:00` can only end one"));
    }
    let to_minute = parse_hh_mm(to).ok_or_else(|| not_time("to", "ends", to))?;
    if to_minute <= from_minute {
        let message = if to_minute == from_minute {
            format!("window `{name}` ends at `{to}`, when it starts")
        } else {
            format!("window `{name}` ends at `{to}`, before it starts at `{from}`")
        };
        return Err(at("to", message).hint("a window ends on the day it starts: split an overnight window in two (until `24:00`, and from `00:00` on the next days)"));
    }
    Ok(Window {
        name: name.to_owned(),
        days,
        from_minute,
        to_minute,
    })
}

/// Parse and check freeze `i`, resolving its bounds in `tz`.
fn parse_freeze(tz: Tz, i: usize, spec: &FreezeSpec<'_>) -> Result<Freeze, SpecError> {
    let (name, from, to) = (spec.name, spec.from, spec.to);
    let at = |field: &str, message: String| SpecError::at(format!("freezes[{i}].{field}"), message);
    if name.is_empty() {
        return Err(at("name", "freeze name is empty".to_owned()));
    }
    let bound = |field: &str, text: &str| {
        parse_instant(tz, text).ok_or_else(|| {
            at(field, format!("freeze `{name}`: `{text}` is not a date-time")).hint(
                "use a local date-time `YYYY-MM-DDTHH:MM` (optionally `:SS`), a date `YYYY-MM-DD`, or an RFC 3339 timestamp with an offset such as `2026-12-19T00:00:00Z`",
            )
        })
    };
    let (start, end) = (bound("from", from)?, bound("to", to)?);
    let Some(interval) = Interval::new(start, end) else {
        let when = if start == end { "when" } else { "before" };
        let message = format!("freeze `{name}` ends at `{to}`, {when} it starts at `{from}`");
        return Err(at("to", message)
            .hint("`to` is the first instant after the freeze and must be after `from`"));
    };
    Ok(Freeze {
        name: name.to_owned(),
        interval,
    })
}

/// `HH:MM` (two digits each) as minutes after midnight; `24:00` is 1440.
fn parse_hh_mm(text: &str) -> Option<u32> {
    let b = text.as_bytes();
    if b.len() != 5 || b.get(2) != Some(&b':') {
        return None;
    }
    let hours = digits(b, 0, 2)?;
    let minutes = digits(b, 3, 2)?;
    if (hours < 24 && minutes < 60) || (hours == 24 && minutes == 0) {
        Some(hours * 60 + minutes)
    } else {
        None
    }
}

/// The `n` ASCII digits at `at` as a number.
fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let slice = b.get(at..at.checked_add(n)?)?;
    slice.iter().try_fold(0_u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// A freeze bound: a local `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` or
/// `YYYY-MM-DDTHH:MM:SS` resolved in `tz`, or an RFC 3339 timestamp.
fn parse_instant(tz: Tz, text: &str) -> Option<DateTime<Utc>> {
    if let Some(local) = parse_local(text) {
        return resolve_local(tz, local);
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A local date or date-time in one of the strict forms, or `None`.
fn parse_local(text: &str) -> Option<NaiveDateTime> {
    let b = text.as_bytes();
    if !matches!(b.len(), 10 | 16 | 19) || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(b, 0, 4)?).ok()?,
        digits(b, 5, 2)?,
        digits(b, 8, 2)?,
    )?;
    if b.len() == 10 {
        return Some(date.and_time(NaiveTime::MIN));
    }
    if b.get(10) != Some(&b'T') || b.get(13) != Some(&b':') {
        return None;
    }
    let seconds = if b.len() == 19 {
        if b.get(16) != Some(&b':') {
            return None;
        }
        digits(b, 17, 2)?
    } else {
        0
    };
    let time = NaiveTime::from_hms_opt(digits(b, 11, 2)?, digits(b, 14, 2)?, seconds)?;
    Some(date.and_time(time))
}
