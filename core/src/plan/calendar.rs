//! Release calendars: windows and freezes in local time (IANA time zones), resolved to UTC.
//!
//! A calendar (`kind: Calendar`) names a time zone, release *windows* (weekly
//! local hours) and *freezes* (local date-time ranges). The spec arrives here
//! as text ([`WindowSpec`], [`FreezeSpec`]); [`Calendar::new`] checks it and
//! every question afterwards is answered in UTC ([`Interval`]).
//!
//! # Spec
//!
//! - `timeZone`: an IANA name as known to `chrono-tz` (`Europe/Berlin`,
//!   `UTC`); anything else is an error at `timeZone` that suggests the
//!   closest-spelled names.
//! - A window: a non-empty name unique in the calendar; `days`, a non-empty
//!   list of distinct `mon tue wed thu fri sat sun`; `from` and `to`, local
//!   times `HH:MM` (24-hour, two digits each), `to` may be `24:00` (the end of
//!   the day) and must be after `from`: a window does not run past midnight
//!   (an overnight window is two windows).
//! - A freeze: a non-empty name unique in the calendar; `from` and `to`,
//!   local date-times in the calendar's zone, `YYYY-MM-DDTHH:MM` (optionally
//!   `:SS`) or a date `YYYY-MM-DD` (00:00 of that day), or an RFC 3339
//!   timestamp with an offset (`2026-12-19T00:00:00Z`), which is an absolute
//!   instant; `to` must be after `from`.
//!
//! # Meaning
//!
//! - A window is the half-open local interval `[from, to)` on every listed
//!   weekday (the weekday of the local date), resolved to UTC date by date,
//!   so it follows daylight saving time: `09:00`–`16:00` in `Europe/Berlin`
//!   is 08:00–15:00 UTC in winter and 07:00–14:00 UTC in summer.
//! - A freeze is the half-open interval `[from, to)`.
//! - A local time that does not exist (the spring-forward gap, `02:30` on
//!   2027-03-28 in `Europe/Berlin`) is moved later by the length of the gap
//!   (`03:30` CEST, 01:30 UTC): the offset in force before the transition is
//!   applied to it. A local time that occurs twice (fall-back, `02:30` on
//!   2026-10-25 in `Europe/Berlin`) is the earlier of the two instants
//!   (00:30 UTC). This is the rule of RFC 5545 §3.3.5 and `java.time`, and
//!   what Python's `zoneinfo` gives with `fold=0`. It applies to window and
//!   freeze bounds alike. A window occurrence made empty by it (a window that
//!   lies inside a gap, `02:00`–`03:00` on the spring-forward day) is
//!   dropped.
//! - A span is *in a window* when one occurrence of one window contains it
//!   whole; two windows that touch or overlap are not joined.
//!
//! [`earliest_fit`] finds the earliest start, on a whole UTC minute, of a
//! span that is in a window of every calendar given (those without windows do
//! not restrict) and overlaps no blocked interval. Nothing here reads the
//! clock: time is always an input.

use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

/// A half-open interval `[start, end)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Interval {
    /// The first instant inside.
    pub(crate) start: DateTime<Utc>,
    /// The first instant after.
    pub(crate) end: DateTime<Utc>,
}

impl Interval {
    /// The interval `[start, end)`, or `None` when it would be empty (`end <= start`).
    pub(crate) fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Interval> {
        (start < end).then_some(Interval { start, end })
    }

    /// Whether the two intervals share an instant.
    pub(crate) fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether `other` lies inside this interval whole.
    pub(crate) fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    #[cfg_attr(not(test), allow(dead_code))] // kept for the tests and `check`'s calendar functions
    /// The length of the interval.
    pub(crate) fn duration(&self) -> Duration {
        self.end.signed_duration_since(self.start)
    }
}

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

/// A checked window: weekly local hours `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Window {
    /// The window's name, unique in its calendar.
    pub(crate) name: String,
    /// The weekdays it is open on, indexed from Monday (`num_days_from_monday`).
    pub(crate) days: [bool; 7],
    /// Local start, in minutes after midnight (`0..1440`).
    pub(crate) from_minute: u32,
    /// Local end, in minutes after midnight (`1..=1440`, `1440` is `24:00`), after `from_minute`.
    pub(crate) to_minute: u32,
}

impl Window {
    /// Whether the window is open on the local date's weekday.
    fn on(&self, day: Weekday) -> bool {
        self.days
            .get(day.num_days_from_monday() as usize)
            .copied()
            .unwrap_or(false)
    }

    /// The window's occurrence on local date `date`, in UTC, if it is open that
    /// day and the occurrence is not empty after resolving the bounds.
    fn occurrence(&self, tz: Tz, date: NaiveDate) -> Option<Interval> {
        if !self.on(date.weekday()) {
            return None;
        }
        let midnight = date.and_time(NaiveTime::MIN);
        let start = midnight.checked_add_signed(Duration::minutes(i64::from(self.from_minute)))?;
        let end = midnight.checked_add_signed(Duration::minutes(i64::from(self.to_minute)))?;
        Interval::new(resolve_local(tz, start)?, resolve_local(tz, end)?)
    }
}

/// A checked freeze.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Freeze {
    /// The freeze's name, unique in its calendar.
    pub(crate) name: String,
    /// When, in UTC.
    pub(crate) interval: Interval,
}

/// A checked calendar: a time zone, windows and freezes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Calendar {
    /// The calendar's name (as the catalog names it).
    pub(crate) name: String,
    /// The time zone its local times are in.
    pub(crate) tz: Tz,
    /// Windows, in spec order.
    pub(crate) windows: Vec<Window>,
    /// Freezes, in spec order.
    pub(crate) freezes: Vec<Freeze>,
}

/// The instant of local date-time `local` in `tz`: the earlier instant when it
/// occurs twice, moved later by the gap when it does not occur (the offset in
/// force before the transition applied to it). `None` only at the ends of the
/// representable range.
pub(crate) fn resolve_local(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
        LocalResult::None => {
            // A gap. Offsets lie within ±16 h, so a day before the local time
            // read as UTC is before the transition and has the offset before it.
            let probe = local.checked_sub_signed(Duration::days(1))?;
            let before = tz.offset_from_utc_datetime(&probe).fix();
            let utc =
                local.checked_sub_signed(Duration::seconds(i64::from(before.local_minus_utc())))?;
            Some(utc.and_utc())
        }
    }
}

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

    /// The calendar's name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    #[cfg_attr(not(test), allow(dead_code))] // kept for the tests and `check`'s calendar functions
    /// The calendar's time zone.
    pub(crate) fn time_zone(&self) -> Tz {
        self.tz
    }

    /// Whether the calendar has windows (one without does not restrict when).
    pub(crate) fn has_windows(&self) -> bool {
        !self.windows.is_empty()
    }

    #[cfg_attr(not(test), allow(dead_code))] // kept for the tests and `check`'s calendar functions
    /// Every occurrence of every window that overlaps `range`, in UTC, sorted
    /// by start, then window index: (window index, occurrence). The window's
    /// name is `self.windows[index].name`. The work grows with the range's
    /// length in days.
    pub(crate) fn window_occurrences(&self, range: Interval) -> Vec<(usize, Interval)> {
        let mut out = Vec::new();
        // An occurrence of local date D lies within D ± 2 days in UTC terms.
        let last = shift(range.end.date_naive(), 1);
        let mut date = Some(shift(range.start.date_naive(), -2));
        while let Some(day) = date.filter(|&d| d <= last) {
            for (i, window) in self.windows.iter().enumerate() {
                if let Some(occ) = window.occurrence(self.tz, day) {
                    if occ.overlaps(&range) {
                        out.push((i, occ));
                    }
                }
            }
            date = day.succ_opt();
        }
        out.sort_by_key(|&(i, occ)| (occ.start, i, occ.end));
        out
    }

    /// The occurrences of window `window` that can contain instant `t`.
    fn occurrences_near<'s>(
        &'s self,
        window: &'s Window,
        t: DateTime<Utc>,
    ) -> impl Iterator<Item = Interval> + 's {
        let first = shift(t.date_naive(), -2);
        first
            .iter_days()
            .take(5)
            .filter_map(move |date| window.occurrence(self.tz, date))
    }

    /// The name of the first window (in spec order) one of whose occurrences
    /// contains `span` whole, if any.
    pub(crate) fn window_containing(&self, span: Interval) -> Option<&str> {
        self.windows
            .iter()
            .find(|w| {
                self.occurrences_near(w, span.start)
                    .any(|occ| occ.contains(&span))
            })
            .map(|w| w.name.as_str())
    }

    #[cfg_attr(not(test), allow(dead_code))] // kept for the tests and `check`'s calendar functions
    /// Whether instant `t` is inside an occurrence of the window named `name`
    /// (of any window when `None`; of none when no window has that name).
    pub(crate) fn in_window(&self, name: Option<&str>, t: DateTime<Utc>) -> bool {
        self.windows
            .iter()
            .filter(|w| name.is_none_or(|n| n == w.name))
            .any(|w| {
                self.occurrences_near(w, t)
                    .any(|occ| occ.start <= t && t < occ.end)
            })
    }

    /// The freezes as UTC intervals, in spec order: (freeze index, name, interval).
    pub(crate) fn freezes(&self) -> impl Iterator<Item = (usize, &str, Interval)> {
        self.freezes
            .iter()
            .enumerate()
            .map(|(i, f)| (i, f.name.as_str(), f.interval))
    }

    #[cfg_attr(not(test), allow(dead_code))] // kept for the tests and `check`'s calendar functions
    /// Indices of the freezes that overlap `span`, in spec order.
    pub(crate) fn freezes_overlapping(&self, span: Interval) -> Vec<usize> {
        self.freezes()
            .filter(|(_, _, iv)| iv.overlaps(&span))
            .map(|(i, _, _)| i)
            .collect()
    }

    /// The earliest `t >= s`, `t < limit`, such that `[t, t + d)` lies inside
    /// one occurrence of one window; `d` is positive.
    fn next_fit(
        &self,
        s: DateTime<Utc>,
        d: Duration,
        limit: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        // An occurrence's length differs from its window's local length by
        // the offset changes inside it, far less than two days.
        let longest = self
            .windows
            .iter()
            .map(|w| w.to_minute.saturating_sub(w.from_minute))
            .max()?;
        if d > Duration::minutes(i64::from(longest)) + Duration::days(2) {
            return None;
        }
        let mut best: Option<DateTime<Utc>> = None;
        // Occurrences of local dates before this one end before `s`.
        let mut date = Some(shift(s.date_naive(), -2));
        while let Some(day) = date {
            // Occurrences of `day` and later start after this.
            let lower = shift(day, -1).and_time(NaiveTime::MIN).and_utc();
            if lower >= limit || best.is_some_and(|b| lower > b) {
                break;
            }
            for window in &self.windows {
                let Some(occ) = window.occurrence(self.tz, day) else {
                    continue;
                };
                let t = occ.start.max(s);
                let fits = t.checked_add_signed(d).is_some_and(|e| e <= occ.end);
                if fits && t < limit && best.is_none_or(|b| t < b) {
                    best = Some(t);
                }
            }
            date = day.succ_opt();
        }
        best
    }
}

/// `date` moved by `days` days, saturating at the ends of the calendar.
fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(Duration::days(days))
        .unwrap_or(if days < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
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

/// `t` rounded up to a whole UTC minute.
fn ceil_minute(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let seconds = t.timestamp();
    let floor = seconds.checked_sub(seconds.rem_euclid(60))?;
    if floor == seconds && t.timestamp_subsec_nanos() == 0 {
        return Some(t);
    }
    DateTime::from_timestamp(floor.checked_add(60)?, 0)
}

/// The earliest start `s >= earliest`, on a whole UTC minute (`earliest` is
/// rounded up to one), with `s < earliest + horizon`, such that
/// `[s, s + duration)` lies inside one occurrence of a window of every
/// calendar in `windows_of` that has windows (calendars without windows do not
/// restrict) and overlaps none of `blocked`; `None` when there is none.
///
/// A `duration` of zero or less is taken as the single instant `s` (inside
/// a window, outside every blocked interval). Deterministic; it jumps from
/// candidate to candidate (the next fitting start of a window, the end of a
/// blocking interval), so its cost follows the number of window occurrences
/// and blocked intervals passed, not the number of minutes; when nothing fits
/// it walks the whole horizon day by day. `blocked` may be in any order and
/// overlap itself.
pub(crate) fn earliest_fit(
    windows_of: &[&Calendar],
    blocked: &[Interval],
    earliest: DateTime<Utc>,
    duration: Duration,
    horizon: Duration,
) -> Option<DateTime<Utc>> {
    let d = duration.max(Duration::nanoseconds(1));
    let limit = earliest
        .checked_add_signed(horizon)
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let calendars: Vec<&Calendar> = windows_of
        .iter()
        .copied()
        .filter(|c| c.has_windows())
        .collect();
    let blocked = merge(blocked);
    let mut s = ceil_minute(earliest)?;
    'candidates: loop {
        if s >= limit {
            return None;
        }
        for calendar in &calendars {
            let t = calendar.next_fit(s, d, limit)?;
            if t > s {
                s = ceil_minute(t)?;
                continue 'candidates;
            }
        }
        let end = s.checked_add_signed(d)?;
        let first = blocked.partition_point(|b| b.end <= s);
        if let Some(b) = blocked.get(first) {
            if b.start < end {
                s = ceil_minute(b.end)?;
                continue 'candidates;
            }
        }
        return Some(s);
    }
}

/// The union of `intervals` as sorted, disjoint, non-touching intervals
/// (empty ones dropped).
fn merge(intervals: &[Interval]) -> Vec<Interval> {
    let mut sorted: Vec<Interval> = intervals
        .iter()
        .copied()
        .filter(|iv| iv.start < iv.end)
        .collect();
    sorted.sort();
    let mut out: Vec<Interval> = Vec::with_capacity(sorted.len());
    for iv in sorted {
        match out.last_mut() {
            Some(last) if iv.start <= last.end => last.end = last.end.max(iv.end),
            _ => out.push(iv),
        }
    }
    out
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
