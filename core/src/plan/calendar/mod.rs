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

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

mod fit;
mod spec;

pub(crate) use fit::earliest_fit;
pub(crate) use spec::{FreezeSpec, WindowSpec};

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

#[cfg(test)]
mod tests;
