//! DORA's four keys over a set of deployments, exactly as
//! `docs/review.md` defines them: deployment frequency (deployments per
//! day of the period), lead time for changes (first commit → deployment
//! finished; median and 90th percentile), change failure rate (deployments
//! that needed remediation over deployments) and failed-deployment
//! recovery time (earliest incident start → latest restore; median), with
//! the incidents still open at the period's end listed and left out. The
//! quantiles are Python's `statistics.median` and
//! `statistics.quantiles(method="inclusive")` (R's type 7), computed in the
//! same order of operations so an independent script agrees to the bit.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::Serialize;

use super::bands::Bands;
use crate::model::{ReleaseRecord, Timestamp};

/// A half-open period `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Period {
    /// First instant in the period.
    #[serde(serialize_with = "crate::model::serialize_timestamp")]
    pub from: Timestamp,
    /// First instant after it.
    #[serde(serialize_with = "crate::model::serialize_timestamp")]
    pub to: Timestamp,
}

impl Period {
    /// The period `[from, to)`; an error when it does not end after it
    /// starts.
    pub fn new(from: Timestamp, to: Timestamp) -> Result<Period, crate::error::Error> {
        if to <= from {
            return Err(crate::error::Error::Catalog(vec![
                crate::error::CatalogError::new(
                    crate::error::ErrorCode::InvalidPeriod,
                    crate::error::SourceLocation::file("period"),
                    format!(
                        "the period ends (`{}`) before it starts (`{}`)",
                        crate::model::rfc3339(to),
                        crate::model::rfc3339(from)
                    ),
                )
                .with_hint("periods are half-open, `[from, to)`: `--to` is the first day after it"),
            ]));
        }
        Ok(Period { from, to })
    }

    /// Whether `t` is in the period.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.from <= t && t < self.to
    }

    /// The length in days (fractional).
    pub fn days(&self) -> f64 {
        seconds(self.to - self.from) / 86_400.0
    }

    /// The weeks of the period from its start; the last ends at the
    /// period's end.
    pub(crate) fn weeks(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut from = self.from;
        while from < self.to {
            let to = from
                .checked_add_signed(chrono::Duration::days(7))
                .map_or(self.to, |t| t.min(self.to));
            out.push(Period { from, to });
            from = to;
        }
        out
    }
}

/// A span in seconds, as Python's `timedelta.total_seconds()`.
pub(crate) fn seconds(d: chrono::Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

/// Median and 90th percentile of durations, in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Spread {
    /// How many values.
    pub count: usize,
    /// The median, in seconds.
    pub median_seconds: f64,
    /// The 90th percentile, in seconds (type 7).
    pub p90_seconds: f64,
    /// The median, written as a duration (`41m`).
    pub median: String,
    /// The 90th percentile, written as a duration.
    pub p90: String,
}

/// DORA's four keys for one set of deployments.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Keys {
    /// Deployments in the period.
    pub deployments: usize,
    /// Deployments per day of the period.
    pub per_day: f64,
    /// Deployments per week of the period.
    pub per_week: f64,
    /// Lead time for changes over the deployments that name their first
    /// commit; `None` when none do.
    pub lead_time: Option<Spread>,
    /// Deployments that needed remediation.
    pub failed: usize,
    /// `failed / deployments`; `None` without deployments.
    pub change_failure_rate: Option<f64>,
    /// Failed deployments with incidents, all restored within the period.
    pub recovered: usize,
    /// Median failed-deployment recovery time, in seconds.
    pub recovery_median_seconds: Option<f64>,
    /// The same, written as a duration.
    pub recovery_median: Option<String>,
    /// Incidents of failed deployments still open at the period's end
    /// (their deployments are left out of the median).
    pub open_incidents: Vec<String>,
    /// The performance band of each key, by the bands in use.
    pub bands: KeyBands,
}

/// The band of each key (`elite`, `high` …); `None` where the key has no
/// value.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyBands {
    /// Of deployment frequency.
    pub deployment_frequency: Option<String>,
    /// Of the median lead time.
    pub lead_time: Option<String>,
    /// Of the change failure rate.
    pub change_failure_rate: Option<String>,
    /// Of the median recovery time.
    pub recovery: Option<String>,
}

/// `statistics.median` of sorted values.
pub(crate) fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        return sorted.get(n / 2).copied();
    }
    let i = n / 2;
    Some((sorted.get(i - 1)? + sorted.get(i)?) / 2.0)
}

/// `statistics.quantiles(sorted, n=10, method="inclusive")[8]`; the value
/// itself for one value.
pub(crate) fn p90(sorted: &[f64]) -> Option<f64> {
    let len = sorted.len();
    match len {
        0 => None,
        1 => sorted.first().copied(),
        _ => {
            let (n, i, m) = (10usize, 9usize, len - 1);
            let j = i * m / n;
            let delta = i * m - j * n;
            let (a, b) = (*sorted.get(j)?, *sorted.get(j + 1)?);
            Some((a * (n - delta) as f64 + b * delta as f64) / n as f64)
        }
    }
}

/// A duration in seconds written as the policies write one (`1h5m`).
pub(crate) fn written(secs: f64) -> String {
    crate::model::Duration::from_millis((secs * 1000.0).round() as i64).to_string()
}

/// What the keys of a deployment need whatever group it is counted in,
/// worked out once for a review: the lead times and the recovery times in
/// ascending order, so that each group's come out sorted by a pass over
/// them instead of a sort per group.
pub(crate) struct Prepared {
    /// `(lead time in ms, deployment)`, ascending.
    lead: Vec<(i64, usize)>,
    /// `(recovery time, latest restore, deployment)` of the failed
    /// deployments whose incidents all have a restore, ascending.
    recovered: Vec<(i64, Timestamp, usize)>,
    /// Whether each deployment failed.
    failed: Vec<bool>,
    /// Whether each deployment was rolled back.
    pub rolled_back: Vec<bool>,
}

impl Prepared {
    /// Lead and recovery times of `deployments`, sorted, and which failed
    /// and which were rolled back: one pass over the records (each pass
    /// over them costs more in memory traffic than in instructions).
    pub(crate) fn new(deployments: &[&ReleaseRecord]) -> Prepared {
        let n = deployments.len();
        let mut p = Prepared {
            lead: Vec::with_capacity(n),
            recovered: Vec::new(),
            failed: Vec::with_capacity(n),
            rolled_back: Vec::with_capacity(n),
        };
        for (i, r) in deployments.iter().enumerate() {
            if let Some(l) = r.lead_time() {
                p.lead.push((l.num_milliseconds(), i));
            }
            let failed = r.failed();
            p.failed.push(failed);
            p.rolled_back
                .push(r.outcome == crate::model::RecordOutcome::RolledBack);
            if failed {
                p.recovered
                    .extend(recovery(r).map(|(ms, last)| (ms, last, i)));
            }
        }
        // Milliseconds ascending are seconds ascending (`seconds` is
        // monotonic): equal keys give equal values, so the order of ties
        // cannot show.
        p.lead.sort_unstable_by_key(|&(ms, _)| ms);
        p.recovered.sort_unstable_by_key(|&(ms, _, _)| ms);
        p
    }
}

/// The recovery time of `r` in ms (earliest incident start to latest
/// restore) and its latest restore, when it has incidents and all have a
/// restore.
fn recovery(r: &ReleaseRecord) -> Option<(i64, Timestamp)> {
    let first = r.incidents.iter().map(|inc| inc.started_at).min()?;
    let mut last: Option<Timestamp> = None;
    for inc in &r.incidents {
        let t = inc.restored_at?;
        last = Some(last.map_or(t, |l| l.max(t)));
    }
    let last = last?;
    Some(((last - first).num_milliseconds(), last))
}

/// The four keys over `deployments` (already those of the period and the
/// environment), `period` giving the days and the end for open incidents.
pub(crate) fn keys(deployments: &[&ReleaseRecord], period: &Period, bands: &Bands) -> Keys {
    let prepared = Prepared::new(deployments);
    grouped(
        deployments,
        &prepared,
        &vec![0; deployments.len()],
        &[*period],
        bands,
    )
    .pop()
    .unwrap_or_else(|| tally(Tally::default(), period, bands))
}

/// What one group's keys are made of.
#[derive(Default)]
struct Tally {
    deployments: usize,
    failed: usize,
    /// Lead times in seconds, ascending.
    lead: Vec<f64>,
    /// Recovery times in seconds, ascending.
    recoveries: Vec<f64>,
    open: BTreeSet<String>,
}

/// The keys of groups of `deployments` (with their times `prepared`):
/// deployment `i` is counted in group `group[i]`, and group `g` is over
/// `periods[g]` — one `Keys` per period, in order.
pub(crate) fn grouped(
    deployments: &[&ReleaseRecord],
    prepared: &Prepared,
    group: &[usize],
    periods: &[Period],
    bands: &Bands,
) -> Vec<Keys> {
    let mut tallies: Vec<Tally> = periods.iter().map(|_| Tally::default()).collect();
    for ((r, &g), &failed) in deployments.iter().zip(group).zip(&prepared.failed) {
        let (Some(t), Some(p)) = (tallies.get_mut(g), periods.get(g)) else {
            continue;
        };
        t.deployments += 1;
        // Only a failed deployment's record is read again.
        if failed {
            t.failed += 1;
            t.open.extend(
                r.incidents
                    .iter()
                    .filter(|i| i.restored_at.is_none_or(|at| at >= p.to))
                    .map(|i| i.id.clone()),
            );
        }
    }
    for t in &mut tallies {
        t.lead.reserve_exact(t.deployments);
    }
    for &(ms, i) in &prepared.lead {
        if let Some(t) = group.get(i).and_then(|&g| tallies.get_mut(g)) {
            t.lead.push(ms as f64 / 1000.0);
        }
    }
    for &(ms, last, i) in &prepared.recovered {
        let Some(&g) = group.get(i) else { continue };
        if let (Some(t), Some(p)) = (tallies.get_mut(g), periods.get(g)) {
            if last < p.to {
                t.recoveries.push(ms as f64 / 1000.0);
            }
        }
    }
    tallies
        .into_iter()
        .zip(periods)
        .map(|(t, p)| tally(t, p, bands))
        .collect()
}

/// The keys of one group's tally over `period`.
fn tally(t: Tally, period: &Period, bands: &Bands) -> Keys {
    let n = t.deployments;
    let per_day = n as f64 / period.days();
    let lead = t.lead;
    let lead_time = median(&lead).zip(p90(&lead)).map(|(m, p)| Spread {
        count: lead.len(),
        median_seconds: m,
        p90_seconds: p,
        median: written(m),
        p90: written(p),
    });
    let recoveries = t.recoveries;
    let recovery = median(&recoveries);
    let cfr = (n > 0).then(|| t.failed as f64 / n as f64);
    let bands = KeyBands {
        deployment_frequency: (n > 0).then(|| bands.frequency(per_day)).flatten(),
        lead_time: lead_time
            .as_ref()
            .and_then(|l| bands.lead_time(l.median_seconds)),
        change_failure_rate: cfr.and_then(|c| bands.change_failure_rate(c)),
        recovery: recovery.and_then(|r| bands.recovery(r)),
    };
    Keys {
        deployments: n,
        per_day,
        per_week: per_day * 7.0,
        lead_time,
        failed: t.failed,
        change_failure_rate: cfr,
        recovered: recoveries.len(),
        recovery_median_seconds: recovery,
        recovery_median: recovery.map(written),
        open_incidents: t.open.into_iter().collect(),
        bands,
    }
}
