//! The numbers behind the DORA and rollback charts, read from the review
//! (`Bundle::review`'s weeks and stability) — nothing recomputed: the HTML
//! draws them, the Markdown lists them.

use release_policy::review::{Keys, Review};

use crate::svg::{Bar, Chart};
use crate::text::{number, percent, short_day};

/// One chart's title, as shown in both forms of the report.
pub(crate) const DEPLOYMENTS: &str = "Deployment frequency (deployments per week)";
/// The lead-time chart's title.
pub(crate) const LEAD_TIME: &str = "Lead time for changes (median, hours)";
/// The change-failure-rate chart's title.
pub(crate) const FAILURE_RATE: &str = "Change failure rate (% of deployments)";
/// The time-to-restore chart's title.
pub(crate) const RESTORE: &str = "Time to restore service (median, minutes)";
/// The rollback chart's title.
pub(crate) const ROLLBACKS: &str = "Rollback frequency per service";

/// The four keys of one set of deployments, in the charts' units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyValues {
    pub(crate) deployments: f64,
    pub(crate) lead_hours: Option<f64>,
    pub(crate) failure_percent: Option<f64>,
    pub(crate) restore_minutes: Option<f64>,
}

pub(crate) fn values(k: &Keys) -> KeyValues {
    KeyValues {
        deployments: k.deployments as f64,
        lead_hours: k.lead_time.as_ref().map(|s| s.median_seconds / 3_600.0),
        failure_percent: k.change_failure_rate.map(|r| r * 100.0),
        restore_minutes: k.recovery_median_seconds.map(|s| s / 60.0),
    }
}

/// One week: its label (the day it starts) and its keys.
pub(crate) fn weeks(review: &Review) -> Vec<(String, KeyValues)> {
    review
        .weeks
        .iter()
        .map(|w| (short_day(w.period.from), values(&w.keys)))
        .collect()
}

/// The four weekly charts: (id, chart, drawn as bars).
pub(crate) fn charts(review: &Review) -> Vec<(Chart<'static>, bool)> {
    let weeks = weeks(review);
    let labels: Vec<String> = weeks.iter().map(|(l, _)| l.clone()).collect();
    let series = |f: fn(&KeyValues) -> Option<f64>| -> Vec<Option<f64>> {
        weeks.iter().map(|(_, v)| f(v)).collect()
    };
    let chart = |id, title, unit, value: fn(&KeyValues) -> Option<f64>, format, colour| Chart {
        id,
        title,
        unit,
        labels: labels.clone(),
        values: series(value),
        format,
        colour,
    };
    vec![
        (
            chart(
                "chart-deployments",
                DEPLOYMENTS,
                "deployments",
                |v| Some(v.deployments),
                |v| number(v, 0),
                "#4a6fa5",
            ),
            true,
        ),
        (
            chart(
                "chart-lead-time",
                LEAD_TIME,
                "hours",
                |v| v.lead_hours,
                |v| format!("{}h", number(v, 1)),
                "#2e7d6b",
            ),
            false,
        ),
        (
            chart(
                "chart-failure-rate",
                FAILURE_RATE,
                "%",
                |v| v.failure_percent,
                |v| format!("{}%", number(v, 1)),
                "#c0392b",
            ),
            true,
        ),
        (
            chart(
                "chart-restore",
                RESTORE,
                "minutes",
                |v| v.restore_minutes,
                |v| format!("{}m", number(v, 1)),
                "#8e5ba8",
            ),
            false,
        ),
    ]
}

/// Rollback frequency per service, chronic services highlighted.
pub(crate) fn rollback_bars(review: &Review) -> Vec<Bar> {
    review
        .stability
        .iter()
        .map(|s| Bar {
            label: s.service.clone(),
            rate: s.rollback_rate,
            note: format!(
                "{} of {} rolled back ({}){}",
                s.rollbacks,
                s.deployments,
                percent(s.rollback_rate),
                if s.chronic { " — chronic" } else { "" }
            ),
            highlight: s.chronic,
        })
        .collect()
}
