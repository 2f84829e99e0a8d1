//! Performance bands for DORA's four keys, as data a user can replace
//! (`kind: PerformanceBands`): for each key, bands in order from best to
//! worst, each with the bound a value must meet to be in it; the last band
//! takes every value the others do not. The defaults are the software
//! delivery performance clusters of DORA's *Accelerate State of DevOps
//! Report 2023*.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Duration;

/// The built-in bands (DORA 2023).
pub(crate) const DEFAULT_BANDS: &str = include_str!("dora-2023.yaml");

/// Performance bands, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Bands {
    /// Must be `release-policy/v1`.
    pub api_version: String,
    /// Must be `PerformanceBands`.
    pub kind: String,
    /// Name and source.
    pub metadata: BandsMetadata,
    /// The bands of each key.
    pub spec: BandsSpec,
}

/// Where bands come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct BandsMetadata {
    /// Name (`dora-2023`).
    pub name: String,
    /// The source and year the bounds come from.
    pub source: String,
}

/// The bands of each key, best first; the last band has no bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct BandsSpec {
    /// At least `deployments` per `per`.
    pub deployment_frequency: Vec<Band>,
    /// Median lead time under `under`.
    pub lead_time: Vec<Band>,
    /// Change failure rate at most `atMost`.
    pub change_failure_rate: Vec<Band>,
    /// Median recovery time under `under`.
    pub recovery: Vec<Band>,
}

/// One band and its bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Band {
    /// The band's name (`elite`, `high`, `medium`, `low`).
    pub band: String,
    /// Deployment frequency: at least this many deployments …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployments: Option<f64>,
    /// … per this span.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<Duration>,
    /// Lead time and recovery: a median under this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under: Option<Duration>,
    /// Change failure rate: at most this (0–1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
}

impl Bands {
    /// The built-in bands (DORA 2023).
    pub fn dora_2023() -> Bands {
        // The built-in text is checked by a test; an error here is a
        // build defect, answered with bands that classify nothing.
        Bands::from_yaml_str("dora-2023.yaml", DEFAULT_BANDS).unwrap_or_else(|_| Bands {
            api_version: String::new(),
            kind: String::new(),
            metadata: BandsMetadata {
                name: "none".into(),
                source: "none".into(),
            },
            spec: BandsSpec {
                deployment_frequency: Vec::new(),
                lead_time: Vec::new(),
                change_failure_rate: Vec::new(),
                recovery: Vec::new(),
            },
        })
    }

    /// The band of `per_day` deployments a day.
    pub(crate) fn frequency(&self, per_day: f64) -> Option<String> {
        pick(&self.spec.deployment_frequency, |b| {
            b.deployments
                .zip(b.per)
                .map(|(n, p)| per_day >= n / (p.as_millis() as f64 / 86_400_000.0))
        })
    }

    /// The band of a median lead time in seconds.
    pub(crate) fn lead_time(&self, secs: f64) -> Option<String> {
        pick(&self.spec.lead_time, |b| {
            b.under.map(|u| secs * 1000.0 < u.as_millis() as f64)
        })
    }

    /// The band of a change failure rate.
    pub(crate) fn change_failure_rate(&self, rate: f64) -> Option<String> {
        pick(&self.spec.change_failure_rate, |b| {
            b.at_most.map(|m| rate <= m)
        })
    }

    /// The band of a median recovery time in seconds.
    pub(crate) fn recovery(&self, secs: f64) -> Option<String> {
        pick(&self.spec.recovery, |b| {
            b.under.map(|u| secs * 1000.0 < u.as_millis() as f64)
        })
    }
}

/// The first band whose bound `fits`; the last band otherwise.
fn pick(bands: &[Band], fits: impl Fn(&Band) -> Option<bool>) -> Option<String> {
    bands
        .iter()
        .find(|b| fits(b) == Some(true))
        .or(bands.last())
        .map(|b| b.band.clone())
}
