//! The earliest fitting start: [`earliest_fit`], a span in a window of every
//! calendar given and clear of the blocked intervals.

use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::{Calendar, Interval, shift};

impl Calendar {
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

/// `t` rounded up to a whole UTC minute.
pub(super) fn ceil_minute(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
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
