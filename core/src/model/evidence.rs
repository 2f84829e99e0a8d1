//! Evidence gathered before a release: CI, security scans, certificates,
//! secrets, approvals, waivers and migrations.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::types::{Duration, Timestamp};

/// Continuous-integration results.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Ci {
    /// The test suites that ran for this release's commit.
    #[serde(default)]
    pub suites: Vec<Suite>,
    /// The commit the results are for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Link to the pipeline run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Outcome of a test suite or a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Status {
    /// Ran and succeeded.
    Passed,
    /// Ran and failed.
    Failed,
    /// Did not run.
    Skipped,
    /// Still running or not started.
    Pending,
    /// Could not run to completion.
    Error,
}

impl Status {
    /// The name as written in facts and JSON: `passed`, `failed`, `skipped`, `pending`, `error`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Pending => "pending",
            Status::Error => "error",
        }
    }
}

/// One CI test suite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Suite {
    /// Suite name (`unit`, `e2e`, …).
    pub name: String,
    /// Whether the suite is a mandatory gate.
    #[serde(default)]
    pub required: bool,
    /// Outcome.
    pub status: Status,
    /// Tests passed.
    #[serde(default)]
    pub passed: u64,
    /// Tests failed.
    #[serde(default)]
    pub failed: u64,
    /// Tests skipped.
    #[serde(default)]
    pub skipped: u64,
    /// When the suite finished.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::types::serialize_opt_timestamp",
        deserialize_with = "super::types::deserialize_opt_timestamp"
    )]
    pub completed_at: Option<Timestamp>,
}

/// Security evidence.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Security {
    /// Scan results (SAST, SCA, DAST, container, secrets).
    #[serde(default)]
    pub scans: Vec<Scan>,
    /// TLS certificates the service serves or uses.
    #[serde(default)]
    pub certificates: Vec<Certificate>,
    /// Secrets the service uses, with their rotation.
    #[serde(default)]
    pub secrets: Vec<Secret>,
}

/// One scan result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Scan {
    /// Kind of scan: `sast`, `sca`, `dast`, `container`, `secrets`.
    pub kind: String,
    /// The scanner (`semgrep`, `osv`, …).
    pub tool: String,
    /// When the scan completed.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub completed_at: Timestamp,
    /// Findings by severity.
    #[serde(default)]
    pub findings: Findings,
}

/// Finding counts by severity.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Findings {
    /// Critical findings.
    #[serde(default)]
    pub critical: u64,
    /// High findings.
    #[serde(default)]
    pub high: u64,
    /// Medium findings.
    #[serde(default)]
    pub medium: u64,
    /// Low findings.
    #[serde(default)]
    pub low: u64,
}

/// A certificate and its expiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Certificate {
    /// Certificate name.
    pub name: String,
    /// Expiry.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub not_after: Timestamp,
}

/// A secret and its rotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Secret {
    /// Secret name.
    pub name: String,
    /// When it was last rotated.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub rotated_at: Timestamp,
    /// Maximum age before it must be rotated.
    pub max_age: Duration,
}

/// What an approver said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ApprovalDecision {
    /// Yes.
    Approve,
    /// No.
    Reject,
    /// Neither (recorded, not counted).
    Abstain,
}

impl ApprovalDecision {
    /// The name as written in facts and JSON: `approve`, `reject`, `abstain`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ApprovalDecision::Approve => "approve",
            ApprovalDecision::Reject => "reject",
            ApprovalDecision::Abstain => "abstain",
        }
    }
}

/// One approval (or rejection) by a person acting in a role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Approval {
    /// The role the person acts in (`security`, `qa`, …).
    pub role: String,
    /// Who.
    pub by: String,
    /// What they said.
    pub decision: ApprovalDecision,
    /// When.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub at: Timestamp,
    /// Evidence attached (`pentest`, `load-test`, …).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Their comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A waiver: a person in a role accepts that a rule fails, until it expires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Waiver {
    /// The rule id waived.
    pub rule: String,
    /// Who granted it.
    pub by: String,
    /// The role they grant it in (must be in the rule's `waivableBy`).
    pub role: String,
    /// Why.
    pub reason: String,
    /// When it stops counting.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub expires: Timestamp,
}

/// A database migration shipped with the release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Migration {
    /// Migration id.
    pub id: String,
    /// Whether a down migration exists.
    pub reversible: bool,
    /// Environment where the down migration was tested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down_tested_in: Option<String>,
    /// When the down migration was tested.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::types::serialize_opt_timestamp",
        deserialize_with = "super::types::deserialize_opt_timestamp"
    )]
    pub down_tested_at: Option<Timestamp>,
    /// Data-integrity checks before and after.
    #[serde(default)]
    pub checks: MigrationChecks,
}

/// Data-integrity checks of a migration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct MigrationChecks {
    /// Checks run before the migration.
    #[serde(default)]
    pub pre: Vec<DataCheck>,
    /// Checks run after the migration.
    #[serde(default)]
    pub post: Vec<DataCheck>,
}

/// One data-integrity check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct DataCheck {
    /// Check name (`row-count`, `fk-integrity`, …).
    pub name: String,
    /// Outcome so far (`pending` for a post check not yet run).
    #[serde(default = "pending")]
    pub status: Status,
}

fn pending() -> Status {
    Status::Pending
}
