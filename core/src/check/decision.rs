//! What `check` returns: the verdict, every finding with its reason and the
//! values it read, the approvals still missing and who can give them, what
//! became of each waiver, and the digests that make a decision auditable.
//! It serialises to a versioned JSON schema (`release-policy/decision/v1`),
//! the same from every binding; the same bundle and facts always give
//! byte-identical JSON.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Timestamp;
use crate::vocab::{BundleInfo, Effect, EngineInfo, Outcome, Verdict};

/// The schema identifier carried by every decision.
pub const DECISION_SCHEMA: &str = "release-policy/decision/v1";

/// Kind of rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    /// A gate.
    Gate,
    /// An approval rule.
    Approval,
}

/// Who lifted a failed rule, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Lifted {
    /// `waiver` or `approval`.
    pub via: String,
    /// Who.
    pub by: String,
    /// In which role.
    pub role: String,
    /// The waiver's reason, when a waiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the waiver expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Timestamp>,
}

/// An approval given or not counted, as seen by one approval rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalNote {
    /// The role.
    pub role: String,
    /// Who.
    pub by: String,
    /// `approve`, `reject` or `abstain`.
    pub decision: String,
    /// Why it was not counted, when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
}

/// The state of an approval rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalState {
    /// Roles asked.
    pub roles: Vec<String>,
    /// How many of them must approve.
    pub needed: usize,
    /// Roles that approved (counted).
    pub approved_roles: Vec<String>,
    /// Every relevant approval, counted or not.
    pub approvals: Vec<ApprovalNote>,
    /// The role the disagreement is escalated to, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_to: Option<String>,
}

/// The result of one rule, with everything needed to see why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The policy's name.
    pub policy: String,
    /// The policy's version.
    pub policy_version: String,
    /// The rule id.
    pub rule: String,
    /// Gate or approval.
    pub kind: RuleKind,
    /// What came out.
    pub outcome: Outcome,
    /// What a failure does.
    pub effect: Effect,
    /// Why, in words.
    pub message: String,
    /// The fact paths the rule read and their values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, serde_json::Value>,
    /// Compliance controls served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
    /// Who lifted the failure, when `waived`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifted: Option<Lifted>,
    /// The approval rule's state, for approvals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<ApprovalState>,
}

impl Finding {
    /// The rule id.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// The outcome.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the finding holds the release back (counts in the fold).
    pub fn blocks(&self) -> bool {
        matches!(self.outcome, Outcome::Fail | Outcome::Error) && self.effect != Effect::Warn
    }
}

/// An approval still needed for `go`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MissingApproval {
    /// The rule id (an approval rule, or a gate with `effect: approval`).
    pub rule: String,
    /// The policy.
    pub policy: String,
    /// Roles that can still give it.
    pub roles: Vec<String>,
    /// How many more approvals are needed.
    pub needed: usize,
    /// Evidence the approval must carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Why it is needed.
    pub reason: String,
}

/// What became of a waiver in the facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaiverUse {
    /// The rule waived.
    pub rule: String,
    /// Who granted it.
    pub by: String,
    /// In which role.
    pub role: String,
    /// `applied`, `unused` (the rule needed no waiver: it passed, was
    /// skipped, or erred — errors are never waivable), `not-waivable` (an
    /// approval rule: only approvals satisfy it), `expired`, `not-permitted`
    /// (role not in the rule's `waivableBy`), `self-waiver`, or
    /// `unknown-rule`.
    pub status: String,
    /// When it expires.
    pub expires: Timestamp,
}

/// Counts of findings by outcome.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Warned.
    pub warn: usize,
    /// Could not be evaluated.
    pub error: usize,
    /// Did not apply.
    pub skipped: usize,
    /// Failed but lifted.
    pub waived: usize,
}

/// The decision of `check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Always [`DECISION_SCHEMA`].
    pub schema: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The release id.
    pub release: String,
    /// The evaluation time (from the facts).
    pub now: Timestamp,
    /// Counts by outcome.
    pub summary: Summary,
    /// Every rule's result, in bundle order.
    pub findings: Vec<Finding>,
    /// Approvals still needed.
    pub missing_approvals: Vec<MissingApproval>,
    /// What became of each waiver.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverUse>,
    /// The bundle.
    pub bundle: BundleInfo,
    /// `sha256:…` of the canonical facts.
    pub facts_digest: String,
    /// The engine.
    pub engine: EngineInfo,
}

impl Decision {
    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Every finding.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The finding of a rule.
    pub fn finding(&self, rule: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.rule == rule)
    }

    /// Approvals still needed.
    pub fn missing_approvals(&self) -> &[MissingApproval] {
        &self.missing_approvals
    }

    /// The decision as canonical JSON (compact).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The decision as indented JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The fold: any blocking failure (a failed or erring `block` gate, a veto,
/// a decider's rejection) ⇒ `no-go`; else anything pending (a missing
/// approval, an unresolved disagreement, a failed `approval` gate) ⇒
/// `pending`; else `go`. A `warn` never changes the verdict.
pub(crate) fn fold(findings: &[Finding]) -> Verdict {
    let blocking = findings.iter().filter(|f| f.blocks());
    let mut verdict = Verdict::Go;
    for f in blocking {
        match f.effect {
            Effect::Block => return Verdict::NoGo,
            Effect::Approval => verdict = Verdict::Pending,
            Effect::Warn => {}
        }
    }
    verdict
}
