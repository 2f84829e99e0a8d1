//! What the portfolio report holds, read out of the audit records: the
//! latest decision and assessment of every service and environment, the
//! waivers they used, per-control compliance tallies, the review of the
//! release records (DORA's keys, rollback frequency, chronic instability)
//! and one row per audit record. Built by
//! [`Portfolio::from_records`](crate::Portfolio::from_records); rendered by
//! [`Portfolio::to_html`](crate::Portfolio::to_html) and
//! [`Portfolio::to_markdown`](crate::Portfolio::to_markdown).

use release_policy::audit::EntryKind;
use release_policy::model::Timestamp;
use release_policy::review::Review;
use release_policy::{RolloutVerdict, Verdict};

/// How many days ahead a waiver's expiry counts as "expiring soon".
pub const EXPIRY_WINDOW_DAYS: i64 = 14;

/// The portfolio: everything the report shows, in the order it shows it.
/// Every list is sorted, so the same records always give the same report.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Portfolio {
    /// The moment the report is "as of": the `now` given, or else the
    /// latest `now` of a decision or assessment, or last event of a release
    /// record (`None` without any). Waiver expiry is measured from it.
    pub as_of: Option<Timestamp>,
    /// The latest `check` decision of each service and environment, by
    /// service then environment.
    pub statuses: Vec<ServiceStatus>,
    /// The latest `assess` assessment of each service and environment, by
    /// service then environment.
    pub rollouts: Vec<RolloutStatus>,
    /// The waivers the latest decisions used, by expiry, then service.
    pub waivers: Vec<WaiverRow>,
    /// Compliance per framework (`SOC2`, `GDPR`, `HIPAA`, …), by id.
    pub compliance: Vec<Framework>,
    /// The review of the archived release records (`Bundle::review` with
    /// the default options: `production`, the period of the records);
    /// `None` when the archive holds no release record of a production
    /// deployment.
    pub review: Option<Review>,
    /// One row per audit record, by sequence number.
    pub records: Vec<RecordRow>,
}

/// Why a decision or assessment holds a release: one finding (or missing
/// approval), as the result's JSON gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reason {
    /// The rule id.
    pub rule: String,
    /// The policy.
    pub policy: String,
    /// The finding's message (for a missing approval, its reason and the
    /// roles that can give it).
    pub message: String,
    /// The compliance controls the rule serves.
    pub controls: Vec<String>,
}

/// The latest `check` decision of one service in one environment.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServiceStatus {
    /// The service.
    pub service: String,
    /// The environment.
    pub environment: String,
    /// The release decided on.
    pub release: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The decision's `now`.
    pub now: Timestamp,
    /// The audit record holding the decision.
    pub seq: u64,
    /// How many `check` decisions the records hold for this service and
    /// environment.
    pub decisions: usize,
    /// The findings that hold the release (`Decision::blocking`).
    pub blocking: Vec<Reason>,
    /// What it waits for: failed `pending` gates (`Decision::waiting`)
    /// and approvals still missing (`Decision::missing_approvals`).
    pub waiting: Vec<Reason>,
}

/// The latest `assess` assessment of one service in one environment.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RolloutStatus {
    /// The service.
    pub service: String,
    /// The environment (empty when the rollout names none).
    pub environment: String,
    /// The rollout's id.
    pub rollout: String,
    /// The release it rolls out (the rollout's id when it names none).
    pub release: String,
    /// The verdict.
    pub verdict: RolloutVerdict,
    /// Why, in one line (the assessment's `reason`).
    pub summary: String,
    /// The assessment's `now`.
    pub now: Timestamp,
    /// The audit record holding the assessment.
    pub seq: u64,
    /// The findings that act (`Assessment::acting`): hold or roll back.
    pub acting: Vec<Reason>,
}

/// A waiver one of the latest decisions used.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WaiverRow {
    /// The service.
    pub service: String,
    /// The environment.
    pub environment: String,
    /// The release.
    pub release: String,
    /// The audit record of the decision.
    pub seq: u64,
    /// The rule waived.
    pub rule: String,
    /// Who granted it.
    pub by: String,
    /// In which role.
    pub role: String,
    /// What became of it (`applied`, `unused`, `expired`, …).
    pub status: String,
    /// When it expires.
    pub expires: Timestamp,
    /// Whole days from the report's `as_of` to the expiry (negative once
    /// expired); `None` without an `as_of`.
    pub days_left: Option<i64>,
}

impl WaiverRow {
    /// Whether it expires within [`EXPIRY_WINDOW_DAYS`] of the report's
    /// `as_of`, or has expired.
    pub fn expiring_soon(&self) -> bool {
        self.days_left.is_some_and(|d| d < EXPIRY_WINDOW_DAYS)
    }
}

/// The controls of one compliance framework.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Framework {
    /// The prefix of its controls (`SOC2` in `SOC2:CC8.1`; `other` for a
    /// control without one).
    pub id: String,
    /// Its usual name (`SOC 2`).
    pub name: String,
    /// Its controls, by id.
    pub controls: Vec<ControlTally>,
}

/// How the decisions and assessments went for one control. Each result
/// counts once per control, by its worst finding serving the control:
/// failed (a finding failed, erred or had no data), else waived, else
/// warned, else passed; a result whose findings for the control were all
/// skipped does not count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ControlTally {
    /// The control as the policies write it (`SOC2:CC8.1`).
    pub control: String,
    /// Results where every finding serving it passed.
    pub passed: usize,
    /// Results where one failed, erred or had no data.
    pub failed: usize,
    /// Results where one failed but was waived (and none failed).
    pub waived: usize,
    /// Results where one warned (and none failed or was waived).
    pub warned: usize,
    /// The audit records of the failed results, by sequence number.
    pub failed_in: Vec<u64>,
}

impl ControlTally {
    /// Results counted.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.waived + self.warned
    }
}

/// One audit record, as the table of records shows it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordRow {
    /// The sequence number (the anchor is `record-<seq>`).
    pub seq: u64,
    /// The stored hash.
    pub hash: String,
    /// Whether the record's contents still hash to it.
    pub hash_ok: bool,
    /// What it holds.
    pub kind: EntryKind,
    /// The release (empty for a plan or a review).
    pub release: String,
    /// The service.
    pub service: String,
    /// The environment.
    pub environment: String,
    /// Its `now`, as stored.
    pub now: String,
    /// Its verdict, as stored.
    pub verdict: String,
}
