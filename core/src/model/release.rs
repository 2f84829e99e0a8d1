//! The root of the facts (`Facts`) and the release being decided on.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::evidence::{Approval, Ci, Migration, Security, Waiver};
use super::operations::{History, Readiness, Service};
use super::types::{Timestamp, Version};

/// Everything known about one release at the moment of the decision: the
/// input of `check`.
///
/// Sections that are absent are absent to policies too: a rule that reads
/// them fails closed (an `error` finding), it never passes by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Facts {
    /// The evaluation time. Evaluation never reads the clock.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub now: Timestamp,
    /// The release under review.
    pub release: Release,
    /// Continuous-integration results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci: Option<Ci>,
    /// Security scans, certificates and secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<Security>,
    /// Approvals (and rejections) given so far.
    #[serde(default)]
    pub approvals: Vec<Approval>,
    /// Waivers of individual rules.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
    /// Database migrations shipped with the release.
    #[serde(default)]
    pub migrations: Vec<Migration>,
    /// Operational readiness: rollback, communication, on-call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Readiness>,
    /// What happened with earlier releases of the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
    /// The service being released: tier, owner, SLOs, budgets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    /// The rollout plan, capacity and flags, for readiness gates (the same
    /// shape as in rollout facts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<super::rollout::Rollout>,
    /// The change request (RFC) this release belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_request: Option<ChangeRequest>,
    /// Free-form string labels for an embedder's own policies.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub labels: BTreeMap<String, String>,
    /// Free-form structured data for an embedder's own policies.
    #[serde(default, deserialize_with = "super::unique::values")]
    pub extensions: BTreeMap<String, serde_json::Value>,
}

/// Kind of release, which decides which gates apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ReleaseKind {
    /// A planned release.
    Standard,
    /// A fix for a production defect.
    Hotfix,
    /// A security fix.
    Security,
    /// An emergency change under incident.
    Emergency,
}

impl ReleaseKind {
    /// The name as written in facts and JSON: `standard`, `hotfix`, `security`, `emergency`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ReleaseKind::Standard => "standard",
            ReleaseKind::Hotfix => "hotfix",
            ReleaseKind::Security => "security",
            ReleaseKind::Emergency => "emergency",
        }
    }
}

/// The release under review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Release {
    /// Unique id of the release, e.g. `checkout-2.4.0`.
    pub id: String,
    /// The service released.
    pub service: String,
    /// The version released (semantic version, as a string).
    pub version: Version,
    /// The version in production before this release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_version: Option<Version>,
    /// Target environment, e.g. `production`, `staging`.
    pub environment: String,
    /// Kind of release.
    pub kind: ReleaseKind,
    /// Who authored the change (separation of duties compares against it).
    pub author: String,
    /// What the release changes.
    #[serde(default)]
    pub changes: Vec<Change>,
    /// Free-form labels.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub labels: BTreeMap<String, String>,
}

/// One change in a release. `kind` is open (`db-migration`, `new-endpoint`,
/// `auth-change`, `user-data`, `config`, `dependency`, …); the standard pack
/// reacts to the kinds its policies name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Change {
    /// Kind of change.
    pub kind: String,
    /// Identifier (a migration id, a ticket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// An API path, for endpoint changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Whether the change is reachable from outside the organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<bool>,
    /// Data fields touched, for user-data changes.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Human description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Status of a change request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ChangeRequestStatus {
    /// Not yet submitted.
    Draft,
    /// Awaiting the change board.
    Submitted,
    /// Approved.
    Approved,
    /// Rejected.
    Rejected,
}

impl ChangeRequestStatus {
    /// The name as written in facts and JSON: `draft`, `submitted`, `approved`, `rejected`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeRequestStatus::Draft => "draft",
            ChangeRequestStatus::Submitted => "submitted",
            ChangeRequestStatus::Approved => "approved",
            ChangeRequestStatus::Rejected => "rejected",
        }
    }
}

/// The change request (RFC) a release belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ChangeRequest {
    /// Id in the change-management system.
    pub id: String,
    /// Its status.
    pub status: ChangeRequestStatus,
    /// Who approved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// When it was approved.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::types::serialize_opt_timestamp",
        deserialize_with = "super::types::deserialize_opt_timestamp"
    )]
    pub approved_at: Option<Timestamp>,
    /// Link to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}
