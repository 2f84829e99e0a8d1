//! The policy documents as written in YAML (`apiVersion: release-policy/v1`):
//! `kind: Policy` (read by `check`: `gates` and `approvals` over release
//! facts) and `kind: RolloutPolicy` (read by `assess`: `triggers`,
//! `promotion`, `analysis`, `burnRate` and `qualityGates` over rollout facts) and
//! `kind: ReviewPolicy` (read by `review`: `criteria` and `instability` over
//! release records). All have
//! metadata, `appliesTo` and ordered `variables`. Unknown fields are errors.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Duration;
use crate::vocab::Effect;

pub use super::quality_gate_rule::{CriteriaSet, IncludeResults, Percent, QualityGate};
pub use super::review_rules::{Criterion, Instability};
pub use super::rollout_rules::{
    AnalysisRule, BurnRateRule, Compare, JudgedMetric, NoDataPolicy, Promotion, Threshold, Trigger,
};
pub use super::rules::Spec;

/// The only API version this engine reads.
pub const API_VERSION: &str = "release-policy/v1";

/// The kind of a release policy, read by `check`.
pub const KIND_POLICY: &str = "Policy";
/// The kind of a rollout policy, read by `assess`.
pub const KIND_ROLLOUT: &str = "RolloutPolicy";
/// The kind of a review policy, read by `review`.
pub const KIND_REVIEW: &str = "ReviewPolicy";

/// One YAML document: a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyDocument {
    /// Must be `release-policy/v1`.
    pub api_version: String,
    /// `Policy` (for `check`) or `RolloutPolicy` (for `assess`).
    pub kind: String,
    /// Name, version, description and owners.
    pub metadata: Metadata,
    /// The rules.
    pub spec: Spec,
}

/// Who and what a policy is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    /// Unique name in the bundle (a later layer with the same name amends it).
    pub name: String,
    /// Semantic version of the policy.
    #[serde(default = "default_version")]
    pub version: String,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The roles or teams that own it (product, security, operations …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    /// Free-form labels.
    #[serde(
        default,
        skip_serializing_if = "std::collections::BTreeMap::is_empty",
        deserialize_with = "crate::model::unique::map"
    )]
    pub labels: std::collections::BTreeMap<String, String>,
}

fn default_version() -> String {
    "0.0.0".into()
}

/// A named CEL value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Variable {
    /// Name, read as `variables.NAME`.
    pub name: String,
    /// CEL expression.
    pub expression: String,
    /// A list a later layer may extend: the later layer's variable of the
    /// same name adds its items (`base + extension`) instead of being
    /// refused. This is how a team adds environments or change kinds the
    /// pack's allow-lists do not know, without switching the gate off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub extensible: bool,
}

/// A condition for `check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Gate {
    /// Unique id in the bundle; waivers and tests name it.
    pub id: String,
    /// What the gate asks, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// CEL: whether the gate applies (default true); `skipped` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// CEL: must be true for the gate to pass.
    pub expression: String,
    /// What failing does (default `block`).
    #[serde(default = "default_effect")]
    pub effect: Effect,
    /// For `effect: approval`: roles whose approval lifts the gate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// Roles whose unexpired waiver lifts the gate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivable_by: Vec<String>,
    /// Message when the gate fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// CEL string built when the gate fails; wins over `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_expression: Option<String>,
    /// Compliance controls served (`SOC2:CC7.1`, `GDPR:Art.32`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
    /// Whether a later layer may loosen, replace or disable the gate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridable: bool,
}

fn default_effect() -> Effect {
    Effect::Block
}

/// How many of the listed roles must approve: `all`, `any` or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quorum {
    /// `all`: every role.
    All,
    /// `any`: one role.
    Any,
    /// A number of roles.
    Count(u32),
}

impl<'de> Deserialize<'de> for Quorum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Word(String),
            Count(u32),
        }
        match Raw::deserialize(d)? {
            Raw::Word(w) if w == "all" => Ok(Quorum::All),
            Raw::Word(w) if w == "any" => Ok(Quorum::Any),
            Raw::Word(w) => Err(serde::de::Error::custom(format!(
                "invalid quorum `{w}`: expected `all`, `any` or a number"
            ))),
            Raw::Count(0) => Err(serde::de::Error::custom("quorum must be at least 1")),
            Raw::Count(n) => Ok(Quorum::Count(n)),
        }
    }
}

impl Serialize for Quorum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Quorum::All => s.serialize_str("all"),
            Quorum::Any => s.serialize_str("any"),
            Quorum::Count(n) => s.serialize_u32(*n),
        }
    }
}

impl JsonSchema for Quorum {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quorum".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "`all`, `any`, or how many roles must approve",
            "oneOf": [{"type": "string", "enum": ["all", "any"]}, {"type": "integer", "minimum": 1}]
        })
    }
}

impl Quorum {
    /// How many approving roles out of `roles` are needed.
    pub fn needed(&self, roles: usize) -> usize {
        match self {
            Quorum::All => roles,
            Quorum::Any => roles.min(1),
            Quorum::Count(n) => (*n as usize).min(roles),
        }
    }
}

/// One role of an approval rule and how many different people in it must
/// approve: written `sre` (one) or `{role: sre, count: 2}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRequirement {
    /// The role.
    pub role: String,
    /// How many different people in the role must approve (at least 1).
    pub count: u32,
}

impl<'de> Deserialize<'de> for RoleRequirement {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Counted {
            role: String,
            count: u32,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Name(String),
            Counted(Counted),
        }
        match Raw::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "a role is a name (`sre`) or `{role: sre, count: 2}` (only the fields `role` and `count`)",
            )
        })? {
            Raw::Name(role) => Ok(RoleRequirement { role, count: 1 }),
            Raw::Counted(Counted { count: 0, role }) => Err(serde::de::Error::custom(format!(
                "`count` of role `{role}` must be at least 1"
            ))),
            Raw::Counted(Counted { role, count }) => Ok(RoleRequirement { role, count }),
        }
    }
}

impl Serialize for RoleRequirement {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if self.count == 1 {
            return s.serialize_str(&self.role);
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("role", &self.role)?;
        m.serialize_entry("count", &self.count)?;
        m.end()
    }
}

impl JsonSchema for RoleRequirement {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RoleRequirement".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "a role (one approver), or `{role, count}`: that many different people in the role",
            "oneOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {
                        "role": {"type": "string"},
                        "count": {"type": "integer", "minimum": 1}
                    },
                    "required": ["role", "count"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

fn default_quorum() -> Quorum {
    Quorum::All
}

fn default_true() -> bool {
    true
}

/// Who must say yes, with decision rights and escalation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApprovalRule {
    /// Unique id in the bundle.
    pub id: String,
    /// What the approval is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// CEL: whether the approval is required (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Roles asked to approve: a role name (one person), or
    /// `{role: sre, count: 2}` for that many different people in the role.
    pub roles: Vec<RoleRequirement>,
    /// How many of `roles` must approve (default `all`); a role with a
    /// `count` approves when that many different people in it did.
    #[serde(default = "default_quorum")]
    pub quorum: Quorum,
    /// Roles whose rejection is final: `no-go`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub veto: Vec<String>,
    /// The role that decides go/no-go when approvers disagree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decider: Option<String>,
    /// Roles asked next, in order, when approvers disagree and the decider
    /// has not decided.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalation: Vec<String>,
    /// Each role must be approved by a different person: one identity
    /// holding several roles counts for one of them only (default false;
    /// the standard pack's readiness reviews turn it on).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub distinct_people: bool,
    /// The people counted for this rule are not counted again by another
    /// rule of the same policy with this option: rules are judged in their
    /// order, and a person counted by an earlier one that passed is not
    /// available to a later one (default false).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub distinct_across_rules: bool,
    /// The release's author may not approve it (default true).
    #[serde(default = "default_true")]
    pub separation_of_duties: bool,
    /// Approvals older than this do not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<Duration>,
    /// Evidence every counted approval must carry (`pentest`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Message when the approval is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// CEL string built when the approval is missing; wins over `message`
    /// (not used when approvers disagree: that message names who rejected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_expression: Option<String>,
    /// Compliance controls served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
    /// Whether a later layer may loosen, replace or disable it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridable: bool,
}
