//! Operational facts: readiness (rollback, communication, on-call), release
//! history and the service's own profile (tier, SLOs, budgets).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::types::{Duration, Timestamp, Version};

/// Operational readiness.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Readiness {
    /// The rollback procedure and its last test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<RollbackReadiness>,
    /// Communication plans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communication: Option<Communication>,
    /// Engineers on call during the release.
    #[serde(default)]
    pub on_call: Vec<String>,
}

/// The rollback procedure and its last test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct RollbackReadiness {
    /// Environment where the rollback was tested (`staging`).
    pub tested_in: String,
    /// When it was tested.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub tested_at: Timestamp,
    /// Who owns the rollback.
    pub owner: String,
    /// How long the tested rollback took.
    pub duration: Duration,
    /// Where the procedure is documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook: Option<String>,
}

/// State of a communication plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum CommunicationStatus {
    /// No plan.
    None,
    /// Being written.
    Draft,
    /// Final and scheduled.
    Scheduled,
    /// Already sent.
    Sent,
    /// Not needed for this release.
    NotNeeded,
}

impl CommunicationStatus {
    /// The name as written in facts and JSON: `none`, `draft`, `scheduled`, `sent`, `not-needed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CommunicationStatus::None => "none",
            CommunicationStatus::Draft => "draft",
            CommunicationStatus::Scheduled => "scheduled",
            CommunicationStatus::Sent => "sent",
            CommunicationStatus::NotNeeded => "not-needed",
        }
    }
}

/// Communication plans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Communication {
    /// Internal announcement.
    pub internal: CommunicationStatus,
    /// Customer-facing announcement.
    pub external: CommunicationStatus,
}

/// Earlier releases and incidents of the service.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct History {
    /// Incidents, most recent first or in any order.
    #[serde(default)]
    pub incidents: Vec<Incident>,
    /// Earlier releases and their outcome.
    #[serde(default)]
    pub releases: Vec<PastRelease>,
    /// Post-mortems not yet closed.
    #[serde(default)]
    pub open_postmortems: u32,
}

/// One incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Incident {
    /// Incident id.
    pub id: String,
    /// Severity, 1 (worst) to 5.
    pub severity: u8,
    /// When it started.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub at: Timestamp,
    /// When it was resolved.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::types::serialize_opt_timestamp",
        deserialize_with = "super::types::deserialize_opt_timestamp"
    )]
    pub resolved_at: Option<Timestamp>,
    /// The release that caused it, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caused_by: Option<String>,
}

/// Outcome of an earlier release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ReleaseOutcome {
    /// Went out and stayed.
    Succeeded,
    /// Rolled back.
    RolledBack,
    /// Needed a hotfix.
    Hotfixed,
    /// Failed to deploy.
    Failed,
    /// Stayed, but degraded the service (a release record's `degraded`).
    Degraded,
}

impl ReleaseOutcome {
    /// The name as written in facts and JSON: `succeeded`, `rolled-back`, `hotfixed`, `failed`, `degraded`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ReleaseOutcome::Succeeded => "succeeded",
            ReleaseOutcome::RolledBack => "rolled-back",
            ReleaseOutcome::Hotfixed => "hotfixed",
            ReleaseOutcome::Failed => "failed",
            ReleaseOutcome::Degraded => "degraded",
        }
    }
}

/// An earlier release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct PastRelease {
    /// Release id.
    pub id: String,
    /// Version released.
    pub version: Version,
    /// When it was deployed.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub at: Timestamp,
    /// What happened.
    pub outcome: ReleaseOutcome,
    /// Post-mortem status, when one was held: `open` or `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postmortem: Option<PostmortemStatus>,
}

/// State of a post-mortem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PostmortemStatus {
    /// Still open.
    Open,
    /// Closed, actions tracked.
    Closed,
}

impl PostmortemStatus {
    /// The name as written in facts and JSON: `open`, `closed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PostmortemStatus::Open => "open",
            PostmortemStatus::Closed => "closed",
        }
    }
}

/// The service being released.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Service {
    /// Criticality tier, 1 (most critical) to 4.
    pub tier: u8,
    /// Owning team.
    pub owner: String,
    /// How fast a rollback must complete for this service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_budget: Option<Duration>,
    /// Service-level objectives.
    #[serde(default)]
    pub slos: Vec<Slo>,
    /// Fraction of the error budget left in the SLO period (1.0 = all of
    /// it, 0 or less = exhausted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_budget_remaining: Option<f64>,
}

/// A service-level objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Slo {
    /// Name (`availability`, `latency-p99`).
    pub name: String,
    /// What is measured: `availability`, `latency`, `error-rate`, …
    pub indicator: String,
    /// Target, as a percentage for ratios (`99.9`) or in `unit`.
    pub objective: f64,
    /// Unit of the objective for non-ratio SLOs (`ms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The SLO period (`30d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Duration>,
    /// Observed error ratio (0–1) over the SLO period, for ratio SLOs. When
    /// the service does not give `errorBudgetRemaining`, it is derived from
    /// these: the least budget left of any SLO (`1 − ratio ÷ (1 − objective)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_ratio: Option<f64>,
}

impl Service {
    /// `errorBudgetRemaining` as given, or derived from the ratio SLOs'
    /// observed error ratios (the least budget left of any).
    pub fn budget_remaining(&self) -> Option<f64> {
        self.error_budget_remaining.or_else(|| {
            self.slos
                .iter()
                .filter(|s| s.unit.is_none())
                .filter_map(|s| crate::stats::slo::budget_remaining(s.error_ratio?, s.objective))
                .reduce(f64::min)
        })
    }
}
