//! Tests of release calendars. Reference instants come from Python 3's
//! `zoneinfo` (the IANA database, independent of `chrono-tz`), each with the
//! one-liner that produced it; `z(tz, y, m, d, H, M)` stands for
//! `datetime(y, m, d, H, M, tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)`
//! (`fold=0`: the earlier instant of a repeated time, the pre-transition
//! offset in a gap), in
//! `python3 -c 'from zoneinfo import ZoneInfo; from datetime import datetime, timezone; print(datetime(2027, 3, 28, 2, 30, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(timezone.utc))'`.
//!
//! When this module was written, `resolve_local` was also compared once,
//! outside the test suite, with `zoneinfo` (`fold=0`) on 54,608 local times
//! (30,000 random ones in 20 zones, 1971-2037, and every quarter hour from
//! 90 minutes before to 150 minutes after each transition of those zones in
//! 1990-2037, Lord Howe, Chatham, Casablanca, Troll and Apia among them):
//! no difference.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::fit::ceil_minute;
use super::spec::SpecError;
use super::*;
use proptest::prelude::*;

/// An instant from RFC 3339 text.
fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&Utc)
}

/// An interval from two RFC 3339 texts.
fn iv(start: &str, end: &str) -> Interval {
    Interval::new(utc(start), utc(end)).unwrap()
}

/// A window: (name, days, from, to).
type W<'a> = (&'a str, &'a [&'a str], &'a str, &'a str);
/// A freeze: (name, from, to).
type F<'a> = (&'a str, &'a str, &'a str);

/// Build a calendar, or its error.
fn try_cal(tz: &str, windows: &[W<'_>], freezes: &[F<'_>]) -> Result<Calendar, SpecError> {
    let days: Vec<Vec<String>> = windows
        .iter()
        .map(|w| w.1.iter().map(|d| (*d).to_owned()).collect())
        .collect();
    let ws: Vec<WindowSpec<'_>> = windows
        .iter()
        .zip(&days)
        .map(|(w, days)| WindowSpec {
            name: w.0,
            days,
            from: w.2,
            to: w.3,
        })
        .collect();
    let fs: Vec<FreezeSpec<'_>> = freezes
        .iter()
        .map(|f| FreezeSpec {
            name: f.0,
            from: f.1,
            to: f.2,
        })
        .collect();
    Calendar::new("test", tz, &ws, &fs)
}

/// Build a calendar that must be valid.
fn cal(tz: &str, windows: &[W<'_>], freezes: &[F<'_>]) -> Calendar {
    try_cal(tz, windows, freezes).unwrap_or_else(|e| panic!("{e:?}"))
}

/// The occurrences of a calendar in a range, without window indices.
fn occ(c: &Calendar, start: &str, end: &str) -> Vec<Interval> {
    c.window_occurrences(iv(start, end))
        .into_iter()
        .map(|(_, o)| o)
        .collect()
}

const MON_THU: &[&str] = &["mon", "tue", "wed", "thu"];
const SUN: &[&str] = &["sun"];
const MON: &[&str] = &["mon"];
const ALL: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn berlin_business() -> Calendar {
    cal(
        "Europe/Berlin",
        &[("business-hours", MON_THU, "09:00", "16:00")],
        &[],
    )
}

#[test]
fn interval_basics() {
    let a = iv("2026-01-01T00:00:00Z", "2026-01-01T02:00:00Z");
    let b = iv("2026-01-01T02:00:00Z", "2026-01-01T03:00:00Z");
    let c = iv("2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z");
    assert!(Interval::new(a.end, a.start).is_none());
    assert!(Interval::new(a.start, a.start).is_none());
    assert!(!a.overlaps(&b), "half-open: touching is not overlapping");
    assert!(a.overlaps(&c) && c.overlaps(&a));
    assert!(a.contains(&c) && !c.contains(&a) && a.contains(&a));
    assert_eq!(a.duration(), Duration::hours(2));
}

#[test]
fn berlin_winter_and_summer() {
    let c = berlin_business();
    assert_eq!(c.name(), "test");
    assert_eq!(c.time_zone(), chrono_tz::Europe::Berlin);
    assert!(c.has_windows());
    // z("Europe/Berlin", 2026, 1, 12, 9, 0) = 2026-01-12T08:00Z, 16:00 -> 15:00Z (Monday)
    let winter = occ(&c, "2026-01-12T00:00:00Z", "2026-01-19T00:00:00Z");
    assert_eq!(winter.len(), 4);
    assert_eq!(
        winter[0],
        iv("2026-01-12T08:00:00Z", "2026-01-12T15:00:00Z")
    );
    assert_eq!(
        winter[3],
        iv("2026-01-15T08:00:00Z", "2026-01-15T15:00:00Z")
    );
    // z("Europe/Berlin", 2026, 7, 13, 9, 0) = 2026-07-13T07:00Z, 16:00 -> 14:00Z
    let summer = occ(&c, "2026-07-13T00:00:00Z", "2026-07-20T00:00:00Z");
    assert_eq!(summer.len(), 4);
    assert_eq!(
        summer[0],
        iv("2026-07-13T07:00:00Z", "2026-07-13T14:00:00Z")
    );
    // A range cutting an occurrence still reports it whole.
    let cut = occ(&c, "2026-07-13T13:59:00Z", "2026-07-13T13:59:01Z");
    assert_eq!(
        cut,
        vec![iv("2026-07-13T07:00:00Z", "2026-07-13T14:00:00Z")]
    );
}

#[test]
fn occurrences_sorted_by_start_then_window() {
    let c = cal(
        "UTC",
        &[
            ("late", MON, "10:00", "12:00"),
            ("b", MON, "09:00", "10:00"),
            ("a", MON, "09:00", "11:00"),
        ],
        &[],
    );
    let got = c.window_occurrences(iv("2026-01-12T00:00:00Z", "2026-01-13T00:00:00Z"));
    let idx: Vec<usize> = got.iter().map(|(i, _)| *i).collect();
    assert_eq!(idx, vec![1, 2, 0]);
}

#[test]
fn berlin_spring_forward_2027() {
    // z("Europe/Berlin", 2027, 3, 28, 2, 0) = 01:00Z (gap: 02:00 -> 03:00 CEST)
    // z("Europe/Berlin", 2027, 3, 28, 2, 30) = 01:30Z
    // z("Europe/Berlin", 2027, 3, 28, 3, 0) = 01:00Z
    // z("Europe/Berlin", 2027, 3, 28, 4, 0) = 02:00Z
    let c = cal(
        "Europe/Berlin",
        &[
            ("two-to-four", SUN, "02:00", "04:00"),
            ("half-two", SUN, "02:30", "04:00"),
            ("in-gap", SUN, "02:00", "03:00"),
            ("also-in-gap", SUN, "02:15", "02:45"),
        ],
        &[],
    );
    let got = c.window_occurrences(iv("2027-03-28T00:00:00Z", "2027-03-29T00:00:00Z"));
    assert_eq!(
        got,
        vec![
            (0, iv("2027-03-28T01:00:00Z", "2027-03-28T02:00:00Z")),
            // 02:15 and 02:45 both move an hour later:
            // z("Europe/Berlin", 2027, 3, 28, 2, 15) = 01:15Z, (…, 2, 45) = 01:45Z
            (3, iv("2027-03-28T01:15:00Z", "2027-03-28T01:45:00Z")),
            (1, iv("2027-03-28T01:30:00Z", "2027-03-28T02:00:00Z")),
        ],
        "a window that the gap makes empty is dropped that day"
    );
    // The Sunday before (CET) and after (CEST) are ordinary.
    let before = c.window_occurrences(iv("2027-03-21T00:00:00Z", "2027-03-22T00:00:00Z"));
    assert_eq!(before.len(), 4);
    assert_eq!(
        before[0].1,
        iv("2027-03-21T01:00:00Z", "2027-03-21T03:00:00Z")
    );
    let after = c.window_occurrences(iv("2027-04-04T00:00:00Z", "2027-04-05T00:00:00Z"));
    assert_eq!(
        after[0].1,
        iv("2027-04-04T00:00:00Z", "2027-04-04T02:00:00Z")
    );
    // Freeze bounds follow the same rule: 02:30 is 01:30Z, and so is
    // z("Europe/Berlin", 2027, 3, 28, 3, 30) = 01:30Z, so this freeze is empty.
    let e = try_cal(
        "Europe/Berlin",
        &[],
        &[("gap", "2027-03-28T02:30", "2027-03-28T03:30")],
    )
    .unwrap_err();
    assert_eq!(e.path, "freezes[0].to");
    let f = cal(
        "Europe/Berlin",
        &[],
        &[("gap", "2027-03-28T02:30", "2027-03-28T04:00")],
    );
    let (_, _, frozen) = f.freezes().next().unwrap();
    assert_eq!(frozen, iv("2027-03-28T01:30:00Z", "2027-03-28T02:00:00Z"));
}

#[test]
fn berlin_fall_back_2026() {
    // z("Europe/Berlin", 2026, 10, 25, 2, 30) = 00:30Z (fold=0: 02:30 CEST, the earlier)
    // z("Europe/Berlin", 2026, 10, 25, 4, 0) = 03:00Z
    let c = cal(
        "Europe/Berlin",
        &[("half-two", SUN, "02:30", "04:00")],
        &[("night", "2026-10-25T02:30", "2026-10-25T02:30:30")],
    );
    let got = occ(&c, "2026-10-25T00:00:00Z", "2026-10-26T00:00:00Z");
    assert_eq!(
        got,
        vec![iv("2026-10-25T00:30:00Z", "2026-10-25T03:00:00Z")]
    );
    assert_eq!(got[0].duration(), Duration::minutes(150));
    let (_, name, frozen) = c.freezes().next().unwrap();
    assert_eq!(name, "night");
    assert_eq!(frozen, iv("2026-10-25T00:30:00Z", "2026-10-25T00:30:30Z"));
}

#[test]
fn other_zones() {
    let day = |tz: &str| cal(tz, &[("day", ALL, "09:00", "16:00")], &[]);
    let first = |c: &Calendar, from: &str| {
        c.window_occurrences(iv(from, "2100-01-01T00:00:00Z"))
            .first()
            .map(|o| o.1)
    };
    let check = |c: &Calendar, from: &str, start: &str, end: &str| {
        assert_eq!(first(c, from), Some(iv(start, end)), "{} from {from}", c.tz);
    };
    // z("America/New_York", 2026, 1, 12, 9, 0) = 14:00Z; (2026, 7, 13, 9, 0) = 13:00Z
    let ny = day("America/New_York");
    check(
        &ny,
        "2026-01-12T12:00:00Z",
        "2026-01-12T14:00:00Z",
        "2026-01-12T21:00:00Z",
    );
    check(
        &ny,
        "2026-07-13T12:00:00Z",
        "2026-07-13T13:00:00Z",
        "2026-07-13T20:00:00Z",
    );
    // Southern hemisphere: summer in January.
    // z("Australia/Sydney", 2026, 1, 12, 9, 0) = 2026-01-11T22:00Z; (2026, 7, 13, 9, 0) = 2026-07-12T23:00Z
    let syd = day("Australia/Sydney");
    check(
        &syd,
        "2026-01-11T12:00:00Z",
        "2026-01-11T22:00:00Z",
        "2026-01-12T05:00:00Z",
    );
    check(
        &syd,
        "2026-07-12T12:00:00Z",
        "2026-07-12T23:00:00Z",
        "2026-07-13T06:00:00Z",
    );
    // Half-hour offset. z("Asia/Kolkata", 2026, 1, 12, 9, 0) = 03:30Z; 16:00 -> 10:30Z
    let kol = day("Asia/Kolkata");
    check(
        &kol,
        "2026-01-12T00:00:00Z",
        "2026-01-12T03:30:00Z",
        "2026-01-12T10:30:00Z",
    );
    // z("Pacific/Auckland", 2026, 1, 12, 9, 0) = 2026-01-11T20:00Z; (2026, 7, 13, 9, 0) = 2026-07-12T21:00Z
    let akl = day("Pacific/Auckland");
    check(
        &akl,
        "2026-01-11T12:00:00Z",
        "2026-01-11T20:00:00Z",
        "2026-01-12T03:00:00Z",
    );
    check(
        &akl,
        "2026-07-12T12:00:00Z",
        "2026-07-12T21:00:00Z",
        "2026-07-13T04:00:00Z",
    );
    // A Monday window in Sydney opens on Sunday in UTC.
    let syd_mon = cal("Australia/Sydney", &[("mon", MON, "09:00", "16:00")], &[]);
    assert!(syd_mon.in_window(None, utc("2026-01-11T22:00:00Z")));
    assert!(!syd_mon.in_window(None, utc("2026-01-12T05:00:00Z")));
    assert!(!syd_mon.in_window(None, utc("2026-01-12T21:59:59Z")));
}

#[test]
fn gaps_and_repeats_in_other_zones() {
    // (zone, local, expected UTC) for the freeze start `local`.
    let cases = [
        // z("America/New_York", 2027, 3, 14, 2, 30) = 07:30Z (gap)
        (
            "America/New_York",
            "2027-03-14T02:30",
            "2027-03-14T07:30:00Z",
        ),
        // z("America/New_York", 2026, 11, 1, 1, 30) = 05:30Z (repeated: EDT)
        (
            "America/New_York",
            "2026-11-01T01:30",
            "2026-11-01T05:30:00Z",
        ),
        // z("Australia/Sydney", 2026, 10, 4, 2, 30) = 2026-10-03T16:30Z (gap)
        (
            "Australia/Sydney",
            "2026-10-04T02:30",
            "2026-10-03T16:30:00Z",
        ),
        // z("Australia/Sydney", 2027, 4, 4, 2, 30) = 2027-04-03T15:30Z (repeated: AEDT)
        (
            "Australia/Sydney",
            "2027-04-04T02:30",
            "2027-04-03T15:30:00Z",
        ),
        // z("Pacific/Auckland", 2026, 9, 27, 2, 30) = 2026-09-26T14:30Z (gap)
        (
            "Pacific/Auckland",
            "2026-09-27T02:30",
            "2026-09-26T14:30:00Z",
        ),
        // z("Pacific/Auckland", 2027, 4, 4, 2, 30) = 2027-04-03T13:30Z (repeated: NZDT)
        (
            "Pacific/Auckland",
            "2027-04-04T02:30",
            "2027-04-03T13:30:00Z",
        ),
        // Half-hour DST. z("Australia/Lord_Howe", 2026, 10, 4, 2, 15) = 2026-10-03T15:45Z (gap)
        (
            "Australia/Lord_Howe",
            "2026-10-04T02:15",
            "2026-10-03T15:45:00Z",
        ),
        // z("Australia/Lord_Howe", 2027, 4, 4, 1, 45) = 2027-04-03T14:45Z (repeated)
        (
            "Australia/Lord_Howe",
            "2027-04-04T01:45",
            "2027-04-03T14:45:00Z",
        ),
        // Negative DST in the database. z("Europe/Dublin", 2026, 10, 25, 1, 30) = 00:30Z
        ("Europe/Dublin", "2026-10-25T01:30", "2026-10-25T00:30:00Z"),
        // z("America/St_Johns", 2026, 11, 1, 1, 30) = 04:00Z (repeated, -02:30)
        (
            "America/St_Johns",
            "2026-11-01T01:30",
            "2026-11-01T04:00:00Z",
        ),
        // Gap at midnight. z("America/Santiago", 2026, 9, 6, 0, 30) = 04:30Z
        (
            "America/Santiago",
            "2026-09-06T00:30",
            "2026-09-06T04:30:00Z",
        ),
        ("America/Santiago", "2026-09-06", "2026-09-06T04:00:00Z"),
        // A whole day skipped. z("Pacific/Apia", 2011, 12, 30, 9, 0) = 2011-12-30T19:00Z
        ("Pacific/Apia", "2011-12-30T09:00", "2011-12-30T19:00:00Z"),
        // z("Asia/Kathmandu", 2026, 6, 1, 9, 0) = 03:15Z
        ("Asia/Kathmandu", "2026-06-01T09:00", "2026-06-01T03:15:00Z"),
        ("UTC", "2026-06-01T09:00", "2026-06-01T09:00:00Z"),
    ];
    for (tz, local, want) in cases {
        let c = cal(tz, &[], &[("f", local, "2100-01-01")]);
        let (_, _, got) = c.freezes().next().unwrap();
        assert_eq!(got.start, utc(want), "{tz} {local}");
    }
}

#[test]
fn freeze_at_local_midnight_depends_on_zone() {
    // z("Europe/Berlin", 2026, 12, 19, 0, 0) = 2026-12-18T23:00Z; (2027, 1, 5, 0, 0) = 2027-01-04T23:00Z
    // z("Pacific/Auckland", 2026, 12, 19, 0, 0) = 2026-12-18T11:00Z; (2027, 1, 5, 0, 0) = 2027-01-04T11:00Z
    let freezes = [("year-end", "2026-12-19T00:00", "2027-01-05T00:00")];
    let berlin = cal("Europe/Berlin", &[], &freezes);
    let auckland = cal("Pacific/Auckland", &[], &freezes);
    let b = berlin.freezes().next().unwrap().2;
    let a = auckland.freezes().next().unwrap().2;
    assert_eq!(b, iv("2026-12-18T23:00:00Z", "2027-01-04T23:00:00Z"));
    assert_eq!(a, iv("2026-12-18T11:00:00Z", "2027-01-04T11:00:00Z"));
    // A date alone is its midnight; seconds are accepted; an RFC 3339
    // timestamp is absolute, the same in every zone.
    let forms = [
        ("date", "2026-12-19", "2027-01-05"),
        ("seconds", "2026-12-19T00:00:00", "2027-01-05T00:00:00"),
        (
            "absolute",
            "2026-12-18T23:00:00Z",
            "2027-01-05T00:00:00+01:00",
        ),
    ];
    let berlin = cal("Europe/Berlin", &[], &forms);
    let auckland = cal("Pacific/Auckland", &[], &forms);
    for (_, name, got) in berlin.freezes() {
        assert_eq!(got, b, "{name}");
    }
    let absolute = auckland.freezes().nth(2).unwrap().2;
    assert_eq!(absolute, b);
    assert_eq!(auckland.freezes().next().unwrap().2, a);
    // Which freezes overlap a span, in spec order.
    let span = iv("2026-12-18T12:00:00Z", "2026-12-18T12:30:00Z");
    assert_eq!(auckland.freezes_overlapping(span), vec![0, 1]);
    assert_eq!(berlin.freezes_overlapping(span), Vec::<usize>::new());
}

#[test]
fn windows_contain_and_in_window() {
    let c = cal(
        "Europe/Berlin",
        &[
            ("morning", MON_THU, "09:00", "12:00"),
            ("day", MON_THU, "09:00", "16:00"),
            ("evening", MON_THU, "16:00", "24:00"),
        ],
        &[],
    );
    // Monday 2026-01-12: morning 08-11Z, day 08-15Z, evening 15-23Z.
    let span = |a: &str, b: &str| iv(a, b);
    assert_eq!(
        c.window_containing(span("2026-01-12T08:00:00Z", "2026-01-12T10:00:00Z")),
        Some("morning")
    );
    assert_eq!(
        c.window_containing(span("2026-01-12T10:00:00Z", "2026-01-12T15:00:00Z")),
        Some("day")
    );
    // Touching windows are not joined.
    assert_eq!(
        c.window_containing(span("2026-01-12T14:00:00Z", "2026-01-12T16:00:00Z")),
        None
    );
    assert_eq!(
        c.window_containing(span("2026-01-12T22:00:00Z", "2026-01-12T23:00:00Z")),
        Some("evening")
    );
    assert!(c.in_window(Some("evening"), utc("2026-01-12T22:59:59Z")));
    assert!(!c.in_window(Some("evening"), utc("2026-01-12T23:00:00Z")));
    assert!(c.in_window(None, utc("2026-01-12T08:00:00Z")));
    assert!(!c.in_window(None, utc("2026-01-12T07:59:59Z")));
    assert!(!c.in_window(Some("morning"), utc("2026-01-12T11:00:00Z")));
    assert!(!c.in_window(Some("nope"), utc("2026-01-12T09:00:00Z")));
    // Friday: closed.
    assert!(!c.in_window(None, utc("2026-01-16T09:00:00Z")));
    let none = cal("UTC", &[], &[]);
    assert!(!none.has_windows());
    assert!(!none.in_window(None, utc("2026-01-12T09:00:00Z")));
}

/// `n` days.
fn days(n: i64) -> Duration {
    Duration::days(n)
}

#[test]
fn earliest_fit_next_monday_after_thursday_close() {
    let c = berlin_business();
    // Thursday 2026-01-15 16:00 Berlin = 15:00Z.
    let got = earliest_fit(
        &[&c],
        &[],
        utc("2026-01-15T15:00:00Z"),
        Duration::hours(1),
        days(30),
    );
    assert_eq!(got, Some(utc("2026-01-19T08:00:00Z")));
    // 14:30Z: one hour would end after 15:00Z.
    let got = earliest_fit(
        &[&c],
        &[],
        utc("2026-01-15T14:30:00Z"),
        Duration::hours(1),
        days(30),
    );
    assert_eq!(got, Some(utc("2026-01-19T08:00:00Z")));
    // Inside a window, the answer is `earliest` itself, rounded up to a minute.
    let got = earliest_fit(
        &[&c],
        &[],
        utc("2026-01-15T13:59:00.5Z"),
        Duration::hours(1),
        days(30),
    );
    assert_eq!(got, Some(utc("2026-01-15T14:00:00Z")));
    let got = earliest_fit(
        &[&c],
        &[],
        utc("2026-01-15T14:00:01Z"),
        Duration::hours(1),
        days(30),
    );
    assert_eq!(got, Some(utc("2026-01-19T08:00:00Z")));
    // Exactly the window's length fits; a minute more never does.
    let at = utc("2026-01-15T15:00:00Z");
    assert_eq!(
        earliest_fit(&[&c], &[], at, Duration::hours(7), days(30)),
        Some(utc("2026-01-19T08:00:00Z"))
    );
    assert_eq!(
        earliest_fit(&[&c], &[], at, Duration::minutes(421), days(366)),
        None
    );
    // A zero duration is the instant.
    assert_eq!(
        earliest_fit(
            &[&c],
            &[],
            utc("2026-01-15T14:59:00Z"),
            Duration::zero(),
            days(1)
        ),
        Some(utc("2026-01-15T14:59:00Z"))
    );
    // Over the summer-time change: Monday 2026-03-30 is CEST.
    assert_eq!(
        earliest_fit(
            &[&c],
            &[],
            utc("2026-03-26T15:00:00Z"),
            Duration::hours(1),
            days(30)
        ),
        Some(utc("2026-03-30T07:00:00Z"))
    );
}

#[test]
fn earliest_fit_skips_freezes_and_blocked() {
    let c = cal(
        "Europe/Berlin",
        &[("business-hours", MON_THU, "09:00", "16:00")],
        &[("monday-off", "2026-01-19", "2026-01-20")],
    );
    let freezes: Vec<Interval> = c.freezes().map(|f| f.2).collect();
    let at = utc("2026-01-15T15:00:00Z");
    let hour = Duration::hours(1);
    assert_eq!(
        earliest_fit(&[&c], &freezes, at, hour, days(30)),
        Some(utc("2026-01-20T08:00:00Z"))
    );
    // Busy slots: Monday 08:00-09:00Z and 09:00-10:30Z (touching), and one
    // that leaves only 50 minutes free.
    let busy = [
        iv("2026-01-19T09:00:00Z", "2026-01-19T10:30:00Z"),
        iv("2026-01-19T08:00:00Z", "2026-01-19T09:00:00Z"),
        iv("2026-01-19T11:20:00Z", "2026-01-19T12:00:00Z"),
    ];
    assert_eq!(
        earliest_fit(&[&c], &busy, at, hour, days(30)),
        Some(utc("2026-01-19T12:00:00Z"))
    );
    // A blocked interval ending off the minute: rounded up.
    let odd = [iv("2026-01-19T08:00:00Z", "2026-01-19T08:10:30Z")];
    assert_eq!(
        earliest_fit(&[&c], &odd, at, hour, days(30)),
        Some(utc("2026-01-19T08:11:00Z"))
    );
    // Nothing within the horizon: Friday to Sunday are closed.
    assert_eq!(earliest_fit(&[&c], &[], at, hour, days(3)), None);
    assert_eq!(earliest_fit(&[&c], &[], at, hour, Duration::zero()), None);
    assert_eq!(earliest_fit(&[&c], &[], at, hour, -days(3)), None);
    // The start must be before the horizon's end; the span may run past it.
    let monday = utc("2026-01-19T08:00:00Z");
    let to_monday = monday.signed_duration_since(at);
    assert_eq!(earliest_fit(&[&c], &[], at, hour, to_monday), None);
    assert_eq!(
        earliest_fit(&[&c], &[], at, hour, to_monday + Duration::minutes(1)),
        Some(monday)
    );
    // No calendar with windows: only the blocked intervals count.
    let open = cal("UTC", &[], &[]);
    assert_eq!(
        earliest_fit(&[], &busy, monday, hour, days(1)),
        Some(utc("2026-01-19T12:00:00Z"))
    );
    assert_eq!(earliest_fit(&[&open], &[], at, hour, days(1)), Some(at));
}

#[test]
fn earliest_fit_intersects_calendars() {
    let berlin = berlin_business();
    let ny = cal(
        "America/New_York",
        &[(
            "business-hours",
            &["mon", "tue", "wed", "thu", "fri"],
            "09:00",
            "17:00",
        )],
        &[],
    );
    // Winter: Berlin 08-15Z, New York 14-22Z: one hour in common.
    // z("America/New_York", 2026, 3, 9, 9, 0) = 13:00Z (EDT from 2026-03-08);
    // z("Europe/Berlin", 2026, 3, 9, 16, 0) = 15:00Z (CET until 2026-03-29).
    let at = utc("2026-03-01T00:00:00Z");
    assert_eq!(
        earliest_fit(&[&berlin, &ny], &[], at, Duration::hours(1), days(30)),
        Some(utc("2026-03-02T14:00:00Z"))
    );
    // Two hours fit only in the weeks when New York has changed and Berlin not.
    assert_eq!(
        earliest_fit(&[&berlin, &ny], &[], at, Duration::hours(2), days(30)),
        Some(utc("2026-03-09T13:00:00Z"))
    );
    assert_eq!(
        earliest_fit(
            &[&berlin, &ny],
            &[],
            utc("2026-03-27T00:00:00Z"),
            Duration::hours(2),
            days(200)
        ),
        None
    );
    // The order of the calendars does not matter.
    assert_eq!(
        earliest_fit(&[&ny, &berlin], &[], at, Duration::hours(2), days(30)),
        Some(utc("2026-03-09T13:00:00Z"))
    );
}

#[test]
fn earliest_fit_is_fast_with_many_blocked_intervals() {
    let berlin = berlin_business();
    let ny = cal(
        "America/New_York",
        &[(
            "business-hours",
            &["mon", "tue", "wed", "thu", "fri"],
            "09:00",
            "17:00",
        )],
        &[],
    );
    let start = utc("2026-01-05T00:00:00Z");
    // 3,000 busy slots, 50 minutes of every hour, given in reverse order.
    let blocked: Vec<Interval> = (0..3000_i64)
        .rev()
        .map(|k| {
            let s = start + Duration::hours(k);
            Interval::new(s, s + Duration::minutes(50)).unwrap()
        })
        .collect();
    let clock = std::time::Instant::now();
    // Free from 2026-05-09T23:50Z; Monday 2026-05-11 both are on summer time:
    // Berlin 07-14Z, New York 13-21Z.
    let got = earliest_fit(
        &[&berlin, &ny],
        &blocked,
        start,
        Duration::hours(1),
        days(366),
    );
    assert_eq!(got, Some(utc("2026-05-11T13:00:00Z")));
    // More than an hour fits only when one zone is on summer time and the
    // other not: blocked in March, so the next is Monday 2026-10-26
    // (z("Europe/Berlin", 2026, 10, 26, 16, 0) = 15:00Z, New York on EDT until 2026-11-01).
    let got = earliest_fit(
        &[&berlin, &ny],
        &blocked,
        start,
        Duration::minutes(61),
        days(366),
    );
    assert_eq!(got, Some(utc("2026-10-26T13:00:00Z")));
    let got = earliest_fit(
        &[&berlin, &ny],
        &blocked,
        start,
        Duration::minutes(61),
        days(200),
    );
    assert_eq!(got, None);
    let got = earliest_fit(&[&berlin], &blocked, start, Duration::hours(8), days(366));
    assert_eq!(got, None);
    let elapsed = clock.elapsed();
    assert!(elapsed < std::time::Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn earliest_fit_at_the_ends_of_time() {
    let c = berlin_business();
    let max = DateTime::<Utc>::MAX_UTC;
    let min = DateTime::<Utc>::MIN_UTC;
    assert_eq!(
        earliest_fit(&[&c], &[], max, Duration::hours(1), days(366)),
        None
    );
    assert_eq!(
        earliest_fit(&[], &[], max, Duration::hours(1), days(366)),
        None
    );
    let _ = earliest_fit(&[&c], &[], min, Duration::hours(1), days(20));
    let _ = earliest_fit(&[&c], &[], max - days(3), Duration::MAX, Duration::MAX);
    let _ = earliest_fit(&[&c], &[], min, Duration::MIN, Duration::MIN);
    let near_min = Interval::new(min, min + days(20)).unwrap();
    let near_max = Interval::new(max - days(20), max).unwrap();
    for range in [near_min, near_max] {
        for (_, o) in c.window_occurrences(range) {
            assert!(o.overlaps(&range) && o.duration() == Duration::hours(7));
        }
        assert_eq!(c.window_containing(range), None);
    }
    assert!(!c.window_occurrences(near_max).is_empty());
    assert!(!c.in_window(None, max));
    assert!(!c.in_window(None, min));
}

#[test]
fn spec_errors() {
    let mon = &["mon"][..];
    let cases: Vec<(Result<Calendar, SpecError>, &str, &str)> = vec![
        (
            try_cal("Europe/Berln", &[], &[]),
            "timeZone",
            "unknown time zone `Europe/Berln`",
        ),
        (try_cal("", &[], &[]), "timeZone", "time zone is empty"),
        (
            try_cal("CEST", &[], &[]),
            "timeZone",
            "unknown time zone `CEST`",
        ),
        (
            try_cal("UTC", &[("", mon, "09:00", "10:00")], &[]),
            "windows[0].name",
            "window name is empty",
        ),
        (
            try_cal(
                "UTC",
                &[("a", mon, "09:00", "10:00"), ("a", mon, "11:00", "12:00")],
                &[],
            ),
            "windows[1].name",
            "window name `a` is used twice",
        ),
        (
            try_cal("UTC", &[("a", &[], "09:00", "10:00")], &[]),
            "windows[0].days",
            "window `a` has no days",
        ),
        (
            try_cal("UTC", &[("a", &["mon", "Tue"], "09:00", "10:00")], &[]),
            "windows[0].days[1]",
            "unknown day `Tue`",
        ),
        (
            try_cal("UTC", &[("a", &["monday"], "09:00", "10:00")], &[]),
            "windows[0].days[0]",
            "unknown day `monday`",
        ),
        (
            try_cal(
                "UTC",
                &[("a", &["mon", "tue", "mon"], "09:00", "10:00")],
                &[],
            ),
            "windows[0].days[2]",
            "day `mon` is listed twice in window `a`",
        ),
        (
            try_cal("UTC", &[("a", mon, "9:00", "10:00")], &[]),
            "windows[0].from",
            "window `a` starts at `9:00`, which is not a time of day",
        ),
        (
            try_cal("UTC", &[("a", mon, "24:00", "24:00")], &[]),
            "windows[0].from",
            "window `a` starts at `24:00`, the end of the day",
        ),
        (
            try_cal("UTC", &[("a", mon, "09:00", "24:01")], &[]),
            "windows[0].to",
            "window `a` ends at `24:01`, which is not a time of day",
        ),
        (
            try_cal("UTC", &[("a", mon, "09:00", "10:60")], &[]),
            "windows[0].to",
            "window `a` ends at `10:60`, which is not a time of day",
        ),
        (
            try_cal("UTC", &[("x", mon, "09:00", "08:00")], &[]),
            "windows[0].to",
            "window `x` ends at `08:00`, before it starts at `09:00`",
        ),
        (
            try_cal("UTC", &[("x", mon, "09:00", "09:00")], &[]),
            "windows[0].to",
            "window `x` ends at `09:00`, when it starts",
        ),
        (
            try_cal("UTC", &[], &[("", "2026-01-01", "2026-01-02")]),
            "freezes[0].name",
            "freeze name is empty",
        ),
        (
            try_cal(
                "UTC",
                &[],
                &[
                    ("f", "2026-01-01", "2026-01-02"),
                    ("f", "2026-02-01", "2026-02-02"),
                ],
            ),
            "freezes[1].name",
            "freeze name `f` is used twice",
        ),
        (
            try_cal("UTC", &[], &[("f", "2026-02-30", "2026-03-02")]),
            "freezes[0].from",
            "freeze `f`: `2026-02-30` is not a date-time",
        ),
        (
            try_cal("UTC", &[], &[("f", "2026-01-01", "2026-01-02 10:00")]),
            "freezes[0].to",
            "freeze `f`: `2026-01-02 10:00` is not a date-time",
        ),
        (
            try_cal("UTC", &[], &[("f", "2026-01-01T24:00", "2026-01-03")]),
            "freezes[0].from",
            "freeze `f`: `2026-01-01T24:00` is not a date-time",
        ),
        (
            try_cal("UTC", &[], &[("f", "2026-01-01T10:00:60", "2026-01-03")]),
            "freezes[0].from",
            "freeze `f`: `2026-01-01T10:00:60` is not a date-time",
        ),
        (
            try_cal("UTC", &[], &[("f", "2026-1-01", "2026-01-03")]),
            "freezes[0].from",
            "freeze `f`: `2026-1-01` is not a date-time",
        ),
        (
            try_cal("UTC", &[], &[("f", "2026-01-05", "2026-01-04")]),
            "freezes[0].to",
            "freeze `f` ends at `2026-01-04`, before it starts at `2026-01-05`",
        ),
        (
            try_cal(
                "Europe/Berlin",
                &[],
                &[("f", "2026-01-05T01:00", "2026-01-05T00:00:00Z")],
            ),
            "freezes[0].to",
            "freeze `f` ends at `2026-01-05T00:00:00Z`, when it starts at `2026-01-05T01:00`",
        ),
    ];
    for (i, (got, path, message)) in cases.into_iter().enumerate() {
        let e = got.expect_err(&format!("case {i}: {path}"));
        assert_eq!(
            (e.path.as_str(), e.message.as_str()),
            (path, message),
            "case {i}"
        );
    }
    // Hints.
    let hint = |r: Result<Calendar, SpecError>| r.unwrap_err().hint.unwrap_or_default();
    assert!(hint(try_cal("Europe/Berln", &[], &[])).contains("`Europe/Berlin`"));
    assert!(hint(try_cal("europe/berlin", &[], &[])).contains("`Europe/Berlin`"));
    assert!(hint(try_cal("Nowhere/Special", &[], &[])).contains("IANA"));
    assert!(
        hint(try_cal("UTC", &[("a", &["Mon"], "09:00", "10:00")], &[]))
            .contains("`mon` `tue` `wed` `thu` `fri` `sat` `sun`")
    );
    assert!(hint(try_cal("UTC", &[("a", mon, "22:00", "02:00")], &[])).contains("overnight"));
    assert!(hint(try_cal("UTC", &[], &[("f", "soon", "later")])).contains("YYYY-MM-DD"));
    // The first problem in spec order wins; a name before the rest of its item.
    let twice = [("a", mon, "09:00", "10:00"), ("a", &["x"][..], "x", "y")];
    assert_eq!(
        try_cal("UTC", &twice, &[]).unwrap_err().path,
        "windows[1].name"
    );
    let empty = [("", mon, "09:00", "10:00"), ("", mon, "09:00", "10:00")];
    let e = try_cal("UTC", &empty, &[]).unwrap_err();
    assert_eq!(
        (e.path.as_str(), e.message.as_str()),
        ("windows[0].name", "window name is empty")
    );
    let bad_to = [("f", "2026-01-01", "x"), ("f", "2026-01-01", "2026-01-02")];
    assert_eq!(
        try_cal("UTC", &[], &bad_to).unwrap_err().path,
        "freezes[0].to"
    );
    let e = try_cal("Mars/Olympus", &[("", &[], "x", "y")], &[("", "", "")]).unwrap_err();
    assert_eq!(e.path, "timeZone");
    // Valid edge forms.
    let ok = cal(
        "UTC",
        &[
            ("all-day", ALL, "00:00", "24:00"),
            ("last-minute", SUN, "23:59", "24:00"),
        ],
        &[(
            "f",
            "2026-01-01T00:00:00+14:00",
            "2026-01-01T00:00:00.5-12:00",
        )],
    );
    assert_eq!(ok.windows[0].to_minute, 1440);
    assert_eq!(ok.freezes[0].interval.start, utc("2025-12-31T10:00:00Z"));
}

/// Quarter-hour steps: every window bound, offset and blocked bound used
/// below is on one, so the earliest fit is too.
fn quarter(n: i64) -> Duration {
    Duration::minutes(15 * n)
}

/// Whether `[s, s + d)` fits, by the definition.
fn fits(cals: &[&Calendar], blocked: &[Interval], s: DateTime<Utc>, d: Duration) -> bool {
    let span = Interval::new(s, s + d).unwrap();
    cals.iter()
        .all(|c| !c.has_windows() || c.window_containing(span).is_some())
        && blocked.iter().all(|b| !b.overlaps(&span))
}

/// A random window: days as a bit set (non-empty), from and to in quarters.
fn window_strategy() -> impl Strategy<Value = (u8, u32, u32)> {
    (1_u8..128, 0_u32..95).prop_flat_map(|(days, from)| (Just(days), Just(from), (from + 1)..=96))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn earliest_fit_is_the_earliest(
        zones in prop::collection::vec(0_usize..6, 1..3),
        windows in prop::collection::vec(prop::collection::vec(window_strategy(), 0..3), 2),
        base in 0_usize..3,
        start in 0_i64..(4 * 24 * 2),
        blocked in prop::collection::vec((0_i64..(4 * 24 * 6), 1_i64..(4 * 10)), 0..8),
        duration in 1_i64..12,
    ) {
        const ZONES: [&str; 6] = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland"];
        // Around the March and October changes, and an ordinary week.
        const BASES: [&str; 3] = ["2027-03-26T00:00:00Z", "2026-10-22T00:00:00Z", "2026-01-05T00:00:00Z"];
        let base = utc(BASES[base]);
        let mut cals = Vec::new();
        for (k, zone) in zones.iter().enumerate() {
            let mut c = Calendar::new("c", ZONES[*zone], &[], &[]).unwrap();
            for (j, &(days, from, to)) in windows[k].iter().enumerate() {
                let mut set = [false; 7];
                for (bit, slot) in set.iter_mut().enumerate() {
                    *slot = days & (1 << bit) != 0;
                }
                c.windows.push(Window { name: format!("w{j}"), days: set, from_minute: from * 15, to_minute: to * 15 });
            }
            cals.push(c);
        }
        let refs: Vec<&Calendar> = cals.iter().collect();
        let blocked: Vec<Interval> = blocked
            .iter()
            .map(|&(s, len)| Interval::new(base + quarter(s), base + quarter(s + len)).unwrap())
            .collect();
        let earliest = base + quarter(start);
        let d = quarter(duration);
        let horizon = days(4);
        let got = earliest_fit(&refs, &blocked, earliest, d, horizon);
        let end = got.unwrap_or(earliest + horizon);
        if let Some(s) = got {
            prop_assert!(s >= earliest && s < earliest + horizon);
            prop_assert_eq!(s, ceil_minute(s).unwrap());
            prop_assert!(fits(&refs, &blocked, s, d), "answer {} does not fit", s);
            // Every minute of the last hour before the answer.
            let mut t = (s - Duration::hours(1)).max(earliest);
            while t < s {
                prop_assert!(!fits(&refs, &blocked, t, d), "{} fits, before {}", t, s);
                t += Duration::minutes(1);
            }
        }
        let mut t = earliest;
        while t < end {
            prop_assert!(!fits(&refs, &blocked, t, d), "{} fits, answer {:?}", t, got);
            t += quarter(1);
        }
    }

    #[test]
    fn occurrences_agree_with_in_window_and_containing(
        zone in 0_usize..6,
        windows in prop::collection::vec(window_strategy(), 1..4),
        minute in 0_i64..(60 * 24 * 400),
        len in 0_i64..(60 * 30),
    ) {
        const ZONES: [&str; 6] = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland"];
        let mut c = Calendar::new("c", ZONES[zone], &[], &[]).unwrap();
        for (j, &(days, from, to)) in windows.iter().enumerate() {
            let mut set = [false; 7];
            for (bit, slot) in set.iter_mut().enumerate() {
                *slot = days & (1 << bit) != 0;
            }
            c.windows.push(Window { name: format!("w{j}"), days: set, from_minute: from * 15, to_minute: to * 15 });
        }
        let t = utc("2026-06-01T00:00:00Z") + Duration::minutes(minute);
        let around = Interval::new(t - days(3), t + days(3)).unwrap();
        let occs = c.window_occurrences(around);
        prop_assert!(occs.windows(2).all(|p| (p[0].1.start, p[0].0) <= (p[1].1.start, p[1].0)));
        prop_assert!(occs.iter().all(|(_, o)| o.overlaps(&around)));
        let inside = occs.iter().any(|(_, o)| o.start <= t && t < o.end);
        prop_assert_eq!(c.in_window(None, t), inside);
        for (j, w) in c.windows.iter().enumerate() {
            let inside = occs.iter().any(|&(i, o)| i == j && o.start <= t && t < o.end);
            prop_assert_eq!(c.in_window(Some(&w.name), t), inside);
        }
        let span = Interval::new(t, t + Duration::minutes(len + 1)).unwrap();
        let first = occs.iter().filter(|(_, o)| o.contains(&span)).map(|&(i, _)| i).min();
        prop_assert_eq!(c.window_containing(span), first.map(|i| c.windows[i].name.as_str()));
    }

    #[test]
    fn parsing_never_panics(tz in ".{0,20}", from in ".{0,25}", to in ".{0,25}", day in ".{0,5}") {
        let days = vec![day];
        let w = [WindowSpec { name: "w", days: &days, from: &from, to: &to }];
        let f = [FreezeSpec { name: "f", from: &from, to: &to }];
        let _ = Calendar::new("c", &tz, &w, &f);
        let _ = Calendar::new("c", "Europe/Berlin", &w, &f);
        let _ = Calendar::new("c", "UTC", &[], &f);
    }
}
