//! Time-series semantics of triggers and promotion criteria, as pure
//! functions over samples already judged breaching (or meeting) one by one.
//!
//! - Gaps (`null` samples) are dropped; of samples with the same timestamp
//!   the last one written wins (a re-scrape replaces the earlier value).
//! - A trigger looks at the samples of its window, `(now - window, now]`.
//!   Fewer than `minSamples` there is no data. Without `for`, it trips when
//!   more than `failureLimit` of them breach. With `for`, it trips when the
//!   latest run of breaching samples spans at least `for` (first to last
//!   sample of the run; exactly `for` trips).
//! - A promotion criterion holds when the latest run of meeting samples
//!   within the current step has lasted `window`, measured from its first
//!   to its latest sample (time without samples — before the first, after
//!   the latest — never counts as time held), with at least `minSamples`
//!   samples in the window.

use crate::model::{Sample, Timestamp};

/// A sample with a value, after cleaning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub at: Timestamp,
    pub value: f64,
}

/// The samples, oldest first, with the last one written kept of equal
/// timestamps (a re-scrape replaces a value; a gap written last removes it):
/// a sample is kept unless the next one has the same timestamp. Read in
/// place, without a list of its own.
fn latest_per_time(samples: &[Sample]) -> impl Iterator<Item = &Sample> + Clone {
    let next = samples.iter().skip(1).map(Some).chain([None]);
    samples
        .iter()
        .zip(next)
        .filter(|(s, n)| n.is_none_or(|n| n.at != s.at))
        .map(|(s, _)| s)
}

/// The samples after `from`: the tail of the series, found by binary
/// search (the facts hold every series oldest first; validation refuses
/// one that goes back in time). Samples of one timestamp stay together, so
/// [`latest_per_time`] reads the tail as it reads the whole series.
pub(crate) fn since(samples: &[Sample], from: Timestamp) -> &[Sample] {
    let start = samples.partition_point(|s| s.at <= from);
    samples.get(start..).unwrap_or_default()
}

/// The points with a value: gaps dropped, the last sample of a timestamp
/// kept.
pub(crate) fn clean(samples: &[Sample]) -> impl Iterator<Item = Point> + '_ {
    latest_per_time(samples).filter_map(|s| s.value.map(|value| Point { at: s.at, value }))
}

/// Values of samples after `from` (all without it), gaps kept as `None`
/// for the judge's `nanStrategy`; of equal timestamps the last wins.
pub(crate) fn values_since(samples: &[Sample], from: Option<Timestamp>) -> Vec<Option<f64>> {
    let samples = from.map_or(samples, |from| since(samples, from));
    latest_per_time(samples).map(|s| s.value).collect()
}

/// The mean of a series' values (a relative threshold's baseline).
pub(crate) fn mean(samples: &[Sample]) -> Option<f64> {
    crate::stats::rank::mean_of(latest_per_time(samples).filter_map(|s| s.value))
}

/// What a trigger's window shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TriggerState {
    /// Fewer samples than required.
    NoData { samples: usize },
    /// No sample breaches.
    Clear { samples: usize },
    /// Some samples breach, not enough (or not long enough) to trip.
    Breaching(Breach),
    /// Tripped.
    Tripped(Breach),
}

/// The breaching part of a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Breach {
    /// Samples in the window.
    pub samples: usize,
    /// Breaching samples in the window.
    pub breaches: usize,
    /// Whether the latest sample breaches.
    pub latest: bool,
    /// The latest run of breaching samples: its start and its span in ms
    /// (0 when the latest sample does not breach).
    pub since: Option<Timestamp>,
    /// Span of the latest run, in milliseconds.
    pub sustained_ms: i64,
}

/// Judge a trigger's window: `points` are the window's samples, oldest
/// first, each with whether it breaches.
pub(crate) fn trigger_state(
    points: &[(Timestamp, bool)],
    for_ms: Option<i64>,
    min_samples: u32,
    failure_limit: u32,
) -> TriggerState {
    let samples = points.len();
    if samples < min_samples.max(1) as usize {
        return TriggerState::NoData { samples };
    }
    let breaches = points.iter().filter(|(_, b)| *b).count();
    if breaches == 0 {
        return TriggerState::Clear { samples };
    }
    let run: Vec<&(Timestamp, bool)> = points.iter().rev().take_while(|(_, b)| *b).collect();
    let (since, sustained_ms) = match (run.last(), run.first()) {
        (Some((first, _)), Some((last, _))) => (Some(*first), (*last - *first).num_milliseconds()),
        _ => (None, 0),
    };
    let breach = Breach {
        samples,
        breaches,
        latest: !run.is_empty(),
        since,
        sustained_ms,
    };
    let tripped = match for_ms {
        Some(f) => breach.latest && sustained_ms >= f,
        None => breaches > failure_limit as usize,
    };
    if tripped {
        TriggerState::Tripped(breach)
    } else {
        TriggerState::Breaching(breach)
    }
}

/// What a promotion criterion's samples show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CriterionState {
    /// No sample in the current step.
    NoData,
    /// The latest sample does not meet the criterion.
    Violated { at: Timestamp },
    /// Met since `held_ms` ago, not yet for the whole window (or with too
    /// few samples).
    Holding { held_ms: i64, in_window: usize },
    /// Met for the whole window with enough samples.
    Met { held_ms: i64, in_window: usize },
}

/// Judge a criterion: `points` are the step's samples, oldest first, each
/// with whether it meets the criterion.
pub(crate) fn criterion_state(
    points: &[(Timestamp, bool)],
    now: Timestamp,
    window_ms: i64,
    min_samples: u32,
) -> CriterionState {
    let Some((latest_at, latest_ok)) = points.last() else {
        return CriterionState::NoData;
    };
    if !latest_ok {
        return CriterionState::Violated { at: *latest_at };
    }
    let run: Vec<&(Timestamp, bool)> = points.iter().rev().take_while(|(_, ok)| *ok).collect();
    let start = run.last().map_or(*latest_at, |(at, _)| *at);
    let held_ms = (*latest_at - start).num_milliseconds().max(0);
    let from = now - chrono::Duration::milliseconds(window_ms);
    let in_window = run.iter().filter(|(at, _)| *at > from).count();
    if held_ms >= window_ms && in_window >= min_samples.max(1) as usize {
        CriterionState::Met { held_ms, in_window }
    } else {
        CriterionState::Holding { held_ms, in_window }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap_or_default()
    }

    fn pts(spec: &[(i64, bool)]) -> Vec<(Timestamp, bool)> {
        spec.iter().map(|(s, b)| (t(*s), *b)).collect()
    }

    proptest::proptest! {
        /// The window read from the tail `since` finds is the window read
        /// by filtering the whole series: over series oldest first with
        /// repeated timestamps and gaps, and a `from` on, between, before
        /// and after the samples.
        #[test]
        fn the_tail_since_is_the_filtered_series(
            steps in proptest::collection::vec((0i64..3, proptest::option::of(0u8..5)), 0..40),
            from in -2i64..90,
        ) {
            let mut at = 0;
            let samples: Vec<Sample> = steps
                .iter()
                .map(|(step, v)| {
                    at += step;
                    Sample { at: t(at), value: v.map(f64::from), error: None }
                })
                .collect();
            let from = t(from);
            let tail: Vec<Point> = clean(since(&samples, from)).collect();
            let filtered: Vec<Point> = clean(&samples).filter(|p| p.at > from).collect();
            proptest::prop_assert_eq!(tail, filtered);
            let values = values_since(&samples, Some(from));
            let all: Vec<Option<f64>> = latest_per_time(&samples)
                .filter(|s| s.at > from)
                .map(|s| s.value)
                .collect();
            proptest::prop_assert_eq!(values, all);
        }
    }

    #[test]
    fn duplicates_keep_the_last_sample_and_gaps_drop() {
        let s = |at: i64, v: Option<f64>| Sample {
            at: t(at),
            value: v,
            error: None,
        };
        let c: Vec<Point> = clean(&[
            s(0, Some(1.0)),
            s(10, Some(2.0)),
            s(10, Some(3.0)),
            s(20, None),
        ])
        .collect();
        assert_eq!(
            c.iter().map(|p| p.value).collect::<Vec<_>>(),
            vec![1.0, 3.0]
        );
        // A gap written last at a timestamp removes the value.
        assert_eq!(clean(&[s(0, Some(1.0)), s(0, None)]).count(), 0);
    }

    #[test]
    fn failure_limit_trips_on_more_breaches_than_tolerated() {
        let p = pts(&[(0, true), (10, false), (20, true)]);
        assert!(matches!(
            trigger_state(&p, None, 1, 2),
            TriggerState::Breaching(_)
        ));
        assert!(matches!(
            trigger_state(&p, None, 1, 1),
            TriggerState::Tripped(_)
        ));
        assert!(matches!(
            trigger_state(&p, None, 4, 0),
            TriggerState::NoData { samples: 3 }
        ));
        assert!(matches!(
            trigger_state(&p, None, 3, 0),
            TriggerState::Tripped(_)
        ));
    }

    #[test]
    fn for_trips_exactly_at_the_duration_and_not_a_sample_earlier() {
        let p = pts(&[(0, false), (10, true), (20, true), (30, true)]);
        assert!(matches!(
            trigger_state(&p, Some(20_000), 1, 0),
            TriggerState::Tripped(_)
        ));
        match trigger_state(&p, Some(21_000), 1, 0) {
            TriggerState::Breaching(b) => {
                assert_eq!(b.sustained_ms, 20_000);
                assert_eq!(b.since, Some(t(10)));
            }
            other => panic!("{other:?}"),
        }
        // A recovered latest sample resets the run.
        let p = pts(&[(0, true), (10, true), (20, true), (30, false)]);
        assert!(matches!(
            trigger_state(&p, Some(10_000), 1, 0),
            TriggerState::Breaching(_)
        ));
    }

    #[test]
    fn criterion_counts_from_the_first_sample_of_its_run() {
        let now = t(100);
        let p = pts(&[(10, false), (40, true), (70, true), (100, true)]);
        assert_eq!(
            criterion_state(&p, now, 60_000, 1),
            CriterionState::Met {
                held_ms: 60_000,
                in_window: 2
            }
        );
        assert_eq!(
            criterion_state(&p, now, 60_000, 3),
            CriterionState::Holding {
                held_ms: 60_000,
                in_window: 2
            }
        );
        // Silence before the first sample is not time held.
        let p = pts(&[(50, true), (100, true)]);
        assert_eq!(
            criterion_state(&p, now, 100_000, 1),
            CriterionState::Holding {
                held_ms: 50_000,
                in_window: 2
            }
        );
        let p = pts(&[(50, true), (100, false)]);
        assert!(matches!(
            criterion_state(&p, now, 1, 1),
            CriterionState::Violated { .. }
        ));
        assert_eq!(criterion_state(&[], now, 1, 1), CriterionState::NoData);
    }
}
