//! What `review` returns: the period's report ([`Review`]) — DORA's keys
//! overall, per service, per team and per week; rollback frequency and
//! chronic instability per service; rollbacks over their time budget;
//! post-mortems missing or overdue; support feedback that testing missed —
//! and one release's outcome ([`ReleaseOutcome`]). Serialised to JSON in
//! field order (`release-policy schema review`).

use schemars::JsonSchema;
use serde::Serialize;

use super::dora::{Keys, Period};

/// The JSON schema id of a review.
pub const REVIEW_SCHEMA: &str = "release-policy/review/v1";

/// Whether the period passed its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ReviewVerdict {
    /// Nothing needs attention.
    Pass,
    /// A service is chronically unstable, a post-mortem is missing or
    /// overdue, or a release did not meet a required criterion.
    Fail,
    /// No deployment in the period: nothing to measure (not "elite").
    NoDeployments,
}

impl ReviewVerdict {
    /// `pass`, `fail`, `no-deployments`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewVerdict::Pass => "pass",
            ReviewVerdict::Fail => "fail",
            ReviewVerdict::NoDeployments => "no-deployments",
        }
    }
}

/// The period's report.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Review {
    /// [`REVIEW_SCHEMA`].
    pub schema: &'static str,
    /// The period, `[from, to)`.
    pub period: Period,
    /// The environment DORA's keys count (`production`).
    pub environment: String,
    /// The service the review is limited to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The team the review is limited to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The verdict.
    pub verdict: ReviewVerdict,
    /// Why, one line per reason.
    pub reasons: Vec<String>,
    /// Where the bands come from.
    pub bands: String,
    /// DORA's keys over every deployment reviewed.
    pub dora: Keys,
    /// Per service, by name.
    pub services: Vec<Named>,
    /// Per team, by name.
    pub teams: Vec<Named>,
    /// Per week of the period.
    pub weeks: Vec<Week>,
    /// Rollback frequency and chronic instability, per service.
    pub stability: Vec<Stability>,
    /// Rollbacks that took longer than their budget.
    pub rollbacks_over_budget: Vec<SlowRollback>,
    /// Post-mortems required but missing, or open past their due date.
    pub postmortems: Vec<PostmortemGap>,
    /// Feedback tickets testing should have caught.
    pub missed_by_testing: Vec<Missed>,
    /// Each success criterion of the review policies, over the period's
    /// deployments.
    pub criteria: Vec<CriterionSummary>,
    /// Every release that did not meet a criterion (or could not be
    /// judged on one).
    pub unmet: Vec<Unmet>,
    /// What the decisions and assessments before the releases got right
    /// and wrong (when they were given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effectiveness: Option<super::effectiveness::Effectiveness>,
}

/// A success criterion over the period.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CriterionSummary {
    /// The review policy.
    pub policy: String,
    /// The criterion's id.
    pub criterion: String,
    /// What it asks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether a release not meeting it fails the review.
    pub required: bool,
    /// Releases that met it.
    pub passed: usize,
    /// Releases that did not.
    pub failed: usize,
    /// Releases it could not be judged on (counted as not met).
    pub errors: usize,
    /// Releases it does not apply to.
    pub skipped: usize,
}

/// A release that did not meet a criterion.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Unmet {
    /// The release.
    pub release: String,
    /// Its service.
    pub service: String,
    /// The review policy.
    pub policy: String,
    /// The criterion.
    pub criterion: String,
    /// `fail` or `error`.
    pub outcome: crate::vocab::Outcome,
    /// Whether it fails the review.
    pub required: bool,
    /// Why.
    pub message: String,
}

/// Keys of one service or team.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Named {
    /// The service or team.
    pub name: String,
    /// Its keys.
    #[serde(flatten)]
    pub keys: Keys,
}

/// Keys of one week.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Week {
    /// The week, `[from, to)` (the last may be shorter).
    pub period: Period,
    /// Its keys.
    #[serde(flatten)]
    pub keys: Keys,
}

/// Rollback frequency of one service.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Stability {
    /// The service.
    pub service: String,
    /// Deployments in the period.
    pub deployments: usize,
    /// Of them rolled back.
    pub rollbacks: usize,
    /// `rollbacks / deployments`.
    pub rollback_rate: f64,
    /// Rollbacks in the instability window ending at the period's end.
    pub rollbacks_in_window: usize,
    /// Whether the service is chronically unstable.
    pub chronic: bool,
    /// The instability rules that flag it (`default`: the thresholds').
    pub rules: Vec<String>,
    /// Why, when it is.
    pub reasons: Vec<String>,
}

/// A rollback over its time budget.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SlowRollback {
    /// The release.
    pub release: String,
    /// Its service.
    pub service: String,
    /// How long the rollback took.
    pub took: String,
    /// The budget.
    pub budget: String,
}

/// A post-mortem required but missing, or open past its due date.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PostmortemGap {
    /// The release.
    pub release: String,
    /// Its service.
    pub service: String,
    /// `missing` or `overdue`.
    pub problem: &'static str,
    /// The due date, when one is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// Why one is required.
    pub why: String,
}

/// Feedback testing should have caught.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Missed {
    /// The release.
    pub release: String,
    /// Its service.
    pub service: String,
    /// The ticket.
    pub ticket: String,
    /// `support` or `customer-success`.
    pub source: &'static str,
    /// `low` … `critical`.
    pub severity: &'static str,
    /// When it was raised.
    pub at: String,
}

/// One release's outcome (`review --release ID`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReleaseOutcome {
    /// [`REVIEW_SCHEMA`].
    pub schema: &'static str,
    /// The release id.
    pub release: String,
    /// Its service.
    pub service: String,
    /// Its version.
    pub version: String,
    /// Its environment.
    pub environment: String,
    /// Its team.
    pub team: String,
    /// `success`, `rolled-back`, `hotfixed`, `degraded`.
    pub outcome: &'static str,
    /// Whether it counts as a failed deployment.
    pub failed: bool,
    /// How long the deployment took.
    pub deployment_duration: String,
    /// First commit → deployed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_time: Option<String>,
    /// How long the rollback took, and whether it was within budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback: Option<RollbackTime>,
    /// Earliest incident start → latest restore; absent while one is open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery: Option<String>,
    /// Incidents still open.
    pub open_incidents: Vec<String>,
    /// Users affected, over every incident.
    pub users_affected: u64,
    /// Minutes of impact, over every incident.
    pub impact_minutes: u64,
    /// The post-mortem's problem, if any (`missing`, `overdue`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postmortem: Option<PostmortemGap>,
    /// Feedback testing should have caught.
    pub missed_by_testing: Vec<Missed>,
    /// Every event in time order, for the retrospective.
    pub timeline: Vec<Event>,
    /// The digests of what the policies said (`check`, then `assess`).
    pub decisions: Vec<String>,
    /// Every success criterion of the review policies, with the values it
    /// read.
    pub criteria: Vec<super::criteria::evaluate::CriterionResult>,
}

/// A rollback's time against its budget.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RollbackTime {
    /// How long it took.
    pub took: String,
    /// The budget.
    pub budget: String,
    /// Whether it was within.
    pub within_budget: bool,
}

/// One moment of a release's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Event {
    /// When.
    pub at: String,
    /// What.
    pub what: String,
}

impl Review {
    /// The report as pretty JSON (the same bytes from every binding).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl ReleaseOutcome {
    /// The outcome as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
