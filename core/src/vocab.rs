//! The shared words of every question: what a rule does when it fails
//! ([`Effect`] for release rules, [`Action`] for rollout rules), what became
//! of a rule ([`Outcome`]), the verdicts ([`Verdict`], [`RolloutVerdict`]),
//! and what every result says about the bundle and engine that decided
//! ([`BundleInfo`], [`EngineInfo`]). Every enum has `as_str()`, the name it
//! has in policies and JSON, so bindings never spell them again.
//!
//! The enums here are deliberately **exhaustive** (no `#[non_exhaustive]`):
//! they are the vocabulary of the versioned decision and assessment
//! schemas, bindings match them exhaustively, and from 1.0 on a new variant
//! is a new schema version. Before 1.0 the `v1` schemas still grow (0.1
//! added the effect `pending`); see docs/rust.md, Stability.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a failing gate does to the verdict.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// Reported only; never changes the verdict.
    Warn,
    /// The verdict is `pending` until one of the gate's `approvers` approves.
    Approval,
    /// The verdict is `pending` until the condition holds: no approval lifts
    /// it, only other facts (or a waiver from `waivableBy`).
    Pending,
    /// The release is `no-go`.
    Block,
}

impl Effect {
    /// The name as written in policies.
    pub fn as_str(&self) -> &'static str {
        match self {
            Effect::Warn => "warn",
            Effect::Approval => "approval",
            Effect::Pending => "pending",
            Effect::Block => "block",
        }
    }
}

/// What a tripped rule does to the rollout. Ordered by severity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Reported only; never changes the verdict.
    Alert,
    /// Stop advancing: the verdict is at least `hold`.
    Hold,
    /// Roll back.
    Rollback,
}

impl Action {
    /// The name as written in policies.
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Alert => "alert",
            Action::Hold => "hold",
            Action::Rollback => "rollback",
        }
    }
}

/// May this release go?
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every blocking gate passes and every approval is in.
    Go,
    /// Waiting for approvals (or an escalation).
    Pending,
    /// A blocking gate failed, erred, or a veto was cast.
    NoGo,
}

impl Verdict {
    /// `go`, `no-go` or `pending`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Go => "go",
            Verdict::NoGo => "no-go",
            Verdict::Pending => "pending",
        }
    }
}

/// The result of one rule.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The condition holds (or the approval is in).
    Pass,
    /// A `warn` gate's condition does not hold.
    Warn,
    /// The condition does not hold (or the approval is missing or refused).
    Fail,
    /// The rule could not be evaluated; counts as its effect failing.
    Error,
    /// A metric had no data (rollout assessment).
    NoData,
    /// The rule or its policy does not apply to these facts.
    Skipped,
    /// The rule failed, and a waiver or an approval from an allowed role lifts it.
    Waived,
}

impl Outcome {
    /// The name as it appears in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Warn => "warn",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
            Outcome::NoData => "no-data",
            Outcome::Skipped => "skipped",
            Outcome::Waived => "waived",
        }
    }
}

/// What the rollout should do next.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum RolloutVerdict {
    /// Every promotion criterion held for its window and the analysis
    /// passed: go to the next step.
    Promote,
    /// Healthy so far, not yet proven: stay on this step and assess again.
    Continue,
    /// Stop advancing: a `hold` trigger, missing data, an error, or a
    /// marginal analysis.
    Hold,
    /// A `rollback` trigger tripped or the analysis failed.
    Rollback,
}

impl RolloutVerdict {
    /// `promote`, `continue`, `hold` or `rollback`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RolloutVerdict::Promote => "promote",
            RolloutVerdict::Continue => "continue",
            RolloutVerdict::Hold => "hold",
            RolloutVerdict::Rollback => "rollback",
        }
    }
}

/// The bundle that decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BundleInfo {
    /// `sha256:…` of the canonical policies.
    pub(crate) digest: Arc<str>,
    /// `name@version` of each policy.
    pub(crate) policies: Arc<[String]>,
}

impl BundleInfo {
    /// `sha256:…` of the canonical policies.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// `name@version` of each policy.
    pub fn policies(&self) -> &[String] {
        &self.policies
    }
}

/// The engine that decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EngineInfo {
    /// `release-policy`.
    pub(crate) name: String,
    /// The crate version.
    pub(crate) version: String,
}

impl EngineInfo {
    /// `release-policy`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The crate version.
    pub fn version(&self) -> &str {
        &self.version
    }
}
