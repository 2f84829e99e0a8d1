//! What `check` returns: the verdict, every finding with its reason and the
//! values it read, the approvals still missing and who can give them, what
//! became of each waiver, and the digests that make a decision auditable.
//! It serialises to a versioned JSON schema (`release-policy/decision/v2`),
//! the same from every binding; the same bundle and facts always give
//! byte-identical JSON.
//!
//! Every type here keeps its fields private (`pub(crate)`, written by the
//! evaluator) behind accessors of the same names, so a field can be added
//! without breaking callers; the serde attributes fix the JSON.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Timestamp;
use crate::vocab::{BundleInfo, Effect, EngineInfo, Outcome, Verdict};

/// The schema identifier carried by every decision.
pub const DECISION_SCHEMA: &str = "release-policy/decision/v2";

/// Kind of rule. Exhaustive, as the enums of [`vocab`](crate::vocab): a
/// new kind would be a new decision schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    /// A gate.
    Gate,
    /// An approval rule.
    Approval,
}

impl RuleKind {
    /// `gate` or `approval`: the name as it appears in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            RuleKind::Gate => "gate",
            RuleKind::Approval => "approval",
        }
    }
}

/// Who lifted a failed rule, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Lifted {
    /// `waiver` or `approval`.
    pub(crate) via: String,
    /// Who.
    pub(crate) by: String,
    /// In which role.
    pub(crate) role: String,
    /// The waiver's reason, when a waiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    /// When the waiver expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expires: Option<Timestamp>,
}

impl Lifted {
    /// `waiver` or `approval`.
    pub fn via(&self) -> &str {
        &self.via
    }

    /// Who.
    pub fn by(&self) -> &str {
        &self.by
    }

    /// In which role.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// The waiver's reason, when a waiver.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// When the waiver expires.
    pub fn expires(&self) -> Option<Timestamp> {
        self.expires
    }
}

/// An approval given or not counted, as seen by one approval rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalNote {
    /// The role.
    pub(crate) role: String,
    /// Who.
    pub(crate) by: String,
    // The name itself, not a copy, in a note a decision makes.
    /// `approve`, `reject` or `abstain`.
    pub(crate) decision: Cow<'static, str>,
    /// Why it was not counted, when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ignored: Option<String>,
}

impl ApprovalNote {
    /// The role.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// Who.
    pub fn by(&self) -> &str {
        &self.by
    }

    /// `approve`, `reject` or `abstain`.
    pub fn decision(&self) -> &str {
        &self.decision
    }

    /// Why it was not counted, when it was not.
    pub fn ignored(&self) -> Option<&str> {
        self.ignored.as_deref()
    }
}

/// The state of an approval rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalState {
    // The rule's own list, shared, in a state a decision makes.
    /// Roles asked.
    pub(crate) roles: Arc<[String]>,
    /// The roles that need more than one person, and how many different
    /// people each needs (`{role: sre, count: 2}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) counts: BTreeMap<String, u32>,
    /// How many of them must approve.
    pub(crate) needed: usize,
    /// Roles that approved (counted).
    pub(crate) approved_roles: Vec<String>,
    /// Every relevant approval, counted or not.
    pub(crate) approvals: Vec<ApprovalNote>,
    /// The role the disagreement is escalated to, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) escalated_to: Option<String>,
}

impl ApprovalState {
    /// Roles asked.
    pub fn roles(&self) -> &[String] {
        &self.roles
    }

    /// How many different people each role needs, for roles that need more
    /// than one.
    pub fn counts(&self) -> &BTreeMap<String, u32> {
        &self.counts
    }

    /// How many of them must approve.
    pub fn needed(&self) -> usize {
        self.needed
    }

    /// Roles that approved (counted).
    pub fn approved_roles(&self) -> &[String] {
        &self.approved_roles
    }

    /// Every relevant approval, counted or not.
    pub fn approvals(&self) -> &[ApprovalNote] {
        &self.approvals
    }

    /// The role the disagreement is escalated to, when one is.
    pub fn escalated_to(&self) -> Option<&str> {
        self.escalated_to.as_deref()
    }
}

pub use super::values::Values;

pub use super::finding::Finding;

/// An approval still needed for `go`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MissingApproval {
    /// The rule id (an approval rule, or a gate with `effect: approval`).
    pub(crate) rule: String,
    /// The policy.
    pub(crate) policy: String,
    /// Roles that can still give it.
    pub(crate) roles: Vec<String>,
    /// How many more approvals are needed.
    pub(crate) needed: usize,
    /// Evidence the approval must carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) evidence: Vec<String>,
    /// Why it is needed.
    pub(crate) reason: String,
}

impl MissingApproval {
    /// The rule id (an approval rule, or a gate with `effect: approval`).
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// The policy.
    pub fn policy(&self) -> &str {
        &self.policy
    }

    /// Roles that can still give it.
    pub fn roles(&self) -> &[String] {
        &self.roles
    }

    /// How many more approvals are needed.
    pub fn needed(&self) -> usize {
        self.needed
    }

    /// Evidence the approval must carry.
    pub fn evidence(&self) -> &[String] {
        &self.evidence
    }

    /// Why it is needed.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// What became of a waiver in the facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaiverUse {
    /// The rule waived.
    pub(crate) rule: String,
    /// Who granted it.
    pub(crate) by: String,
    /// In which role.
    pub(crate) role: String,
    /// `applied`, `unused` (the rule needed no waiver: it passed, was
    /// skipped, or erred — errors are never waivable), `not-waivable` (an
    /// approval rule: only approvals satisfy it), `expired`, `not-permitted`
    /// (role not in the rule's `waivableBy`), `self-waiver`, or
    /// `unknown-rule`.
    pub(crate) status: String,
    /// When it expires.
    pub(crate) expires: Timestamp,
}

impl WaiverUse {
    /// The rule waived.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// Who granted it.
    pub fn by(&self) -> &str {
        &self.by
    }

    /// In which role.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// `applied`, `unused` (the rule needed no waiver: it passed, was
    /// skipped, or erred — errors are never waivable), `not-waivable` (an
    /// approval rule: only approvals satisfy it), `expired`, `not-permitted`
    /// (role not in the rule's `waivableBy`), `self-waiver`, or
    /// `unknown-rule`.
    pub fn status(&self) -> &str {
        &self.status
    }

    /// When it expires.
    pub fn expires(&self) -> Timestamp {
        self.expires
    }
}

/// Counts of findings by outcome.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Passed.
    pub(crate) pass: usize,
    /// Failed.
    pub(crate) fail: usize,
    /// Warned.
    pub(crate) warn: usize,
    /// Could not be evaluated.
    pub(crate) error: usize,
    /// Did not apply.
    pub(crate) skipped: usize,
    /// Failed but lifted.
    pub(crate) waived: usize,
}

impl Summary {
    /// Passed.
    pub fn pass(&self) -> usize {
        self.pass
    }

    /// Failed.
    pub fn fail(&self) -> usize {
        self.fail
    }

    /// Warned.
    pub fn warn(&self) -> usize {
        self.warn
    }

    /// Could not be evaluated.
    pub fn error(&self) -> usize {
        self.error
    }

    /// Did not apply.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Failed but lifted.
    pub fn waived(&self) -> usize {
        self.waived
    }
}

/// The decision of `check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Always [`DECISION_SCHEMA`].
    pub(crate) schema: String,
    /// The verdict.
    pub(crate) verdict: Verdict,
    /// The release id.
    pub(crate) release: String,
    /// The evaluation time (from the facts).
    pub(crate) now: Timestamp,
    /// Counts by outcome.
    pub(crate) summary: Summary,
    /// Every rule's result, in bundle order.
    pub(crate) findings: Vec<Finding>,
    /// Approvals still needed.
    pub(crate) missing_approvals: Vec<MissingApproval>,
    /// What became of each waiver.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) waivers: Vec<WaiverUse>,
    /// The bundle.
    pub(crate) bundle: BundleInfo,
    /// `sha256:…` of the canonical facts.
    pub(crate) facts_digest: String,
    /// `sha256:…` of what the catalog said of the release (the `graph`
    /// and `calendar` roots, as JSON), when it was checked with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) catalog_digest: Option<String>,
    /// The engine.
    pub(crate) engine: EngineInfo,
}

impl Decision {
    /// Always [`DECISION_SCHEMA`].
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The release id.
    pub fn release(&self) -> &str {
        &self.release
    }

    /// The evaluation time (from the facts).
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Counts by outcome.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// What became of each waiver.
    pub fn waivers(&self) -> &[WaiverUse] {
        &self.waivers
    }

    /// The bundle.
    pub fn bundle(&self) -> &BundleInfo {
        &self.bundle
    }

    /// `sha256:…` of the canonical facts.
    pub fn facts_digest(&self) -> &str {
        &self.facts_digest
    }

    /// `sha256:…` of what the catalog said of the release (the `graph` and
    /// `calendar` roots), when it was checked with a catalog.
    pub fn catalog_digest(&self) -> Option<&str> {
        self.catalog_digest.as_deref()
    }

    /// The engine.
    pub fn engine(&self) -> &EngineInfo {
        &self.engine
    }

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
        self.findings.iter().find(|f| f.rule() == rule)
    }

    /// Approvals still needed.
    pub fn missing_approvals(&self) -> &[MissingApproval] {
        &self.missing_approvals
    }

    /// The findings that hold the release, in bundle order: failed or
    /// erring rules whose effect is `block` (a failed gate, a veto, a
    /// decider's rejection), and erring rules of any effect that holds
    /// (`approval` included: an approval cannot lift an error, so such a
    /// rule is not among [`missing_approvals`](Self::missing_approvals)).
    /// A failed `approval` rule that only waits for approvals is not here
    /// but among the missing approvals; `warn` rules never are.
    ///
    /// This is what the CLI lists under "Blocking"; the verdict is `no-go`
    /// exactly when one of these has effect `block`.
    pub fn blocking(&self) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.blocks() && (f.effect == Effect::Block || f.outcome == Outcome::Error))
            .collect()
    }

    /// The failed `pending` gates, in bundle order: they hold the release
    /// `pending` until the facts change (no approval lifts them). The CLI
    /// lists them under "Waiting for".
    pub fn waiting(&self) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.effect == Effect::Pending && f.outcome == Outcome::Fail)
            .collect()
    }

    /// The findings that warn, in bundle order: outcome `warn` (a failed
    /// `warn` rule), and `warn` rules that erred. They never change the
    /// verdict.
    pub fn warnings(&self) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| {
                f.outcome == Outcome::Warn
                    || (f.effect == Effect::Warn && f.outcome == Outcome::Error)
            })
            .collect()
    }

    /// The findings that failed and were lifted (outcome `waived`, by a
    /// waiver or an approval from an allowed role; see
    /// [`Finding::lifted`]), in bundle order.
    pub fn waived(&self) -> Vec<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.outcome == Outcome::Waived)
            .collect()
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
/// approval, an unresolved disagreement, a failed `approval` or `pending`
/// gate) ⇒
/// `pending`; else `go`. A `warn` never changes the verdict.
pub(crate) fn fold(findings: &[Finding]) -> Verdict {
    let blocking = findings.iter().filter(|f| f.blocks());
    let mut verdict = Verdict::Go;
    for f in blocking {
        match f.effect {
            Effect::Block => return Verdict::NoGo,
            Effect::Approval | Effect::Pending => verdict = Verdict::Pending,
            Effect::Warn => {}
        }
    }
    verdict
}
