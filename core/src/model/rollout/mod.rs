//! Rollout facts: the input of `assess` (a canary or phased rollout in
//! progress: its plan and position, metric series for canary and baseline,
//! synthetic checks, SLO error ratios, feature flags and capacity). The
//! plan, capacity and flags ([`Rollout`]) may also ride along with release
//! facts, so readiness gates can check the plan before it starts.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::quality::{PreviousEvaluation, SliValue};
use super::types::{Duration, Timestamp, Version};
use crate::error::{ErrorCode, FactsError};
use crate::limits::Limits;

/// Everything known about a rollout at the moment of the assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct RolloutFacts {
    /// The evaluation time. Assessment never reads the clock.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub now: Timestamp,
    /// The rollout: identity, plan, position, capacity and flags.
    pub rollout: Rollout,
    /// Metric series seen so far, for canary and baseline, by metric name
    /// (`error-rate`, `latency-p99`).
    #[serde(default, deserialize_with = "super::unique::map")]
    pub metrics: BTreeMap<String, Metric>,
    /// Synthetic-check (probe) results, by journey name.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub synthetics: BTreeMap<String, Synthetic>,
    /// Series of other services, by service name then metric name, for
    /// triggers that watch the services downstream of this one
    /// (`downstream: true`, with a catalog): each judged against its own
    /// samples from before the current step started.
    #[serde(
        default,
        deserialize_with = "super::unique::map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub downstream: BTreeMap<String, DownstreamService>,
    /// SLOs with their observed error ratios, by SLO name, for burn-rate
    /// rules.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub slos: BTreeMap<String, SloStatus>,
    /// SLI values at the time of the assessment, by SLI name, for quality
    /// gates.
    #[serde(
        default,
        deserialize_with = "super::unique::map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub slis: BTreeMap<String, SliValue>,
    /// Earlier quality-gate evaluations of the same service, oldest first,
    /// for relative criteria.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_evaluations: Vec<PreviousEvaluation>,
    /// Free-form string labels for an embedder's own policies.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub labels: BTreeMap<String, String>,
    /// Free-form structured data for an embedder's own policies.
    #[serde(default, deserialize_with = "super::unique::values")]
    pub extensions: BTreeMap<String, serde_json::Value>,
}

/// A rollout: who it is, its plan, where it stands.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Rollout {
    /// Identity of the rollout (`checkout-2.4.0-canary`), for markers.
    #[serde(default)]
    pub id: String,
    /// The service being rolled out.
    #[serde(default)]
    pub service: String,
    /// The version being rolled out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Version>,
    /// Target environment (`production`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The release id this rollout ships.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// The plan, Argo Rollouts style: `setWeight` and `pause` steps.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Index of the current step in `steps` (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step: Option<u32>,
    /// Traffic routed to the canary now, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// When the rollout started.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::types::serialize_opt_timestamp",
        deserialize_with = "super::types::deserialize_opt_timestamp"
    )]
    pub started_at: Option<Timestamp>,
    /// When the current step started.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::types::serialize_opt_timestamp",
        deserialize_with = "super::types::deserialize_opt_timestamp"
    )]
    pub step_started_at: Option<Timestamp>,
    /// Cluster capacity during the overlap of both versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Capacity>,
    /// Feature flags shipped with or gating the release.
    #[serde(default)]
    pub flags: Vec<Flag>,
}

/// One step of the plan: exactly one of `setWeight` or `pause`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Step {
    /// Route this percentage of traffic to the canary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_weight: Option<f64>,
    /// Wait this long (analysis runs meanwhile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause: Option<Duration>,
}

/// Capacity of the cluster while both versions run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Capacity {
    /// Allocatable capacity of the cluster (CPU cores, or any one unit).
    pub allocatable: f64,
    /// Capacity used by everything except this service.
    pub reserved: f64,
    /// Demand of one replica, in the same unit.
    pub per_replica: f64,
    /// Replicas of both versions at the peak of the overlap.
    pub replicas: Replicas,
}

/// Replica counts of both versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Replicas {
    /// Replicas of the running (stable) version.
    pub stable: u32,
    /// Replicas of the new (canary) version.
    pub canary: u32,
}

/// A feature flag and how far it is exposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Flag {
    /// Flag key.
    pub name: String,
    /// Whether the flag is introduced by this release.
    #[serde(default)]
    pub new: bool,
    /// Whether the flag's exposure must follow the rollout's weight.
    #[serde(default)]
    pub release_gated: bool,
    /// Share of users exposed, in percent.
    pub exposure: f64,
}

/// A metric series for canary and baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Metric {
    /// Where it comes from: `server`, `rum` (real-user monitoring),
    /// `business`, … (free-form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Unit, for messages (`ms`, `ratio`, `%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Samples of the new version (for a business metric: after the deploy).
    #[serde(default, serialize_with = "super::canonical::samples::serialize")]
    pub canary: Vec<Sample>,
    /// Samples of the running version (for a business metric: the
    /// pre-deploy level).
    #[serde(default, serialize_with = "super::canonical::samples::serialize")]
    pub baseline: Vec<Sample>,
}

/// The series of one service downstream of the rollout, by metric name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct DownstreamService {
    /// Metric name → its series.
    #[serde(deserialize_with = "super::unique::map")]
    pub metrics: BTreeMap<String, DownstreamSeries>,
}

/// One metric of a downstream service: its samples before and since the
/// rollout's current step started, in one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct DownstreamSeries {
    /// Unit, for messages (`ms`, `ratio`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The samples, in any order.
    #[serde(default, serialize_with = "super::canonical::samples::serialize")]
    pub samples: Vec<Sample>,
}

/// One timestamped sample (one measurement). A `null` value is a gap (no
/// data at that time); an `error` instead of a value is a measurement that
/// failed (the query timed out, the provider answered an error), which a
/// trigger counts towards its `consecutiveErrorLimit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Sample {
    /// When it was taken.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub at: Timestamp,
    /// The value, or `null` for a gap (and with an `error`).
    #[serde(default)]
    pub value: Option<f64>,
    /// Why the measurement failed, instead of a value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A synthetic check (a scripted user journey) and its runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Synthetic {
    /// A failing critical journey rolls back under the standard pack.
    #[serde(default)]
    pub critical: bool,
    /// Rollout phase the runs belong to (`canary`, `step-2`), free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Runs, oldest first.
    #[serde(default)]
    pub runs: Vec<SyntheticRun>,
}

/// One run of a synthetic check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct SyntheticRun {
    /// When it ran.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub at: Timestamp,
    /// Whether the journey succeeded.
    pub passed: bool,
}

/// An SLO with its observed error ratios per window, as a monitoring
/// system's recording rules compute them (`slo:sli_error:ratio_rate5m`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct SloStatus {
    /// Target as a percentage (`99.9`).
    pub objective: f64,
    /// The SLO period the error budget spans (default `30d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Duration>,
    /// Observed error ratio (0–1) per window: `{5m: 0.002, 1h: 0.001}`.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub error_ratio: BTreeMap<String, f64>,
}

mod validate;

pub(super) use validate::{bad, check_finite};
