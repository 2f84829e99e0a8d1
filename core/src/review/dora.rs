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

/// The four keys over `deployments` (already those of the period and the
/// environment), `period` giving the days and the end for open incidents.
pub(crate) fn keys(deployments: &[&ReleaseRecord], period: &Period, bands: &Bands) -> Keys {
    let n = deployments.len();
    let per_day = n as f64 / period.days();
    let mut lead: Vec<f64> = deployments
        .iter()
        .filter_map(|r| r.lead_time().map(seconds))
        .collect();
    lead.sort_by(f64::total_cmp);
    let lead_time = median(&lead).zip(p90(&lead)).map(|(m, p)| Spread {
        count: lead.len(),
        median_seconds: m,
        p90_seconds: p,
        median: written(m),
        p90: written(p),
    });
    let failed: Vec<&&ReleaseRecord> = deployments.iter().filter(|r| r.failed()).collect();
    let mut recoveries = Vec::new();
    let mut open = BTreeSet::new();
    for r in &failed {
        let (Some(first), Some(_)) = (
            r.incidents.iter().map(|i| i.started_at).min(),
            r.incidents.first(),
        ) else {
            continue;
        };
        let still_open: Vec<&str> = r
            .incidents
            .iter()
            .filter(|i| i.restored_at.is_none_or(|t| t >= period.to))
            .map(|i| i.id.as_str())
            .collect();
        if still_open.is_empty() {
            let last = r.incidents.iter().filter_map(|i| i.restored_at).max();
            if let Some(last) = last {
                recoveries.push(seconds(last - first));
            }
        } else {
            open.extend(still_open.into_iter().map(str::to_string));
        }
    }
    recoveries.sort_by(f64::total_cmp);
    let recovery = median(&recoveries);
    let cfr = (n > 0).then(|| failed.len() as f64 / n as f64);
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
        failed: failed.len(),
        change_failure_rate: cfr,
        recovered: recoveries.len(),
        recovery_median_seconds: recovery,
        recovery_median: recovery.map(written),
        open_incidents: open.into_iter().collect(),
        bands,
    }
}
