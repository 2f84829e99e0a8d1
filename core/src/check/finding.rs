//! One finding of a decision: the result of one rule, with everything
//! needed to see why.
//!
//! A finding shares its rule's text (policy, version, id, controls,
//! `waivableBy`, the messages of a pass and a failure), made once at load,
//! through one reference count, and names which of the rule's messages it
//! shows rather than holding a copy: a decision of fifty findings counts
//! fifty references, not three hundred. The JSON is the same as a plain
//! struct of those fields would give (`FindingRecord`, which is also what a
//! finding is read back from, and its schema).

use std::fmt;
use std::sync::Arc;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::compile::RuleText;
use super::decision::{ApprovalState, Lifted, RuleKind};
use super::values::Values;
use crate::vocab::{Effect, Outcome};

/// Which message a finding shows.
#[derive(Clone)]
pub(crate) enum Message {
    /// The rule's message of a pass ([`RuleText::passed`]).
    Passed,
    /// The rule's message of a failure ([`RuleText::failed`]).
    Failed,
    /// The rule's message when its `messageExpression` gives no string
    /// ([`RuleText::failed_plain`]).
    FailedPlain,
    /// A message that is the same for every decision.
    Fixed(&'static str),
    /// A message of this decision (an error, an approval's state, a
    /// `messageExpression`'s text).
    Own(Arc<str>),
}

/// The result of one rule, with everything needed to see why.
#[derive(Clone)]
pub struct Finding {
    /// The rule's text, shared with every finding of the rule.
    pub(crate) text: Arc<RuleText>,
    /// Gate or approval.
    pub(crate) kind: RuleKind,
    /// What came out.
    pub(crate) outcome: Outcome,
    /// What a failure does.
    pub(crate) effect: Effect,
    /// Why, in words.
    pub(crate) message: Message,
    /// The fact paths the rule read and their values.
    pub(crate) values: Values,
    /// Who lifted the failure, when `waived` (boxed, as the approval state:
    /// few findings have one, and a smaller finding is cheaper to build
    /// and move).
    pub(crate) lifted: Option<Box<Lifted>>,
    /// Whether the finding shows the rule's `waivableBy` (a failed gate
    /// that has it).
    pub(crate) waivable: bool,
    /// The approval rule's state, for approvals.
    pub(crate) approval: Option<Box<ApprovalState>>,
}

impl Finding {
    /// A finding of the rule of `text` that passed, with no message yet.
    pub(crate) fn new(text: &Arc<RuleText>, kind: RuleKind, effect: Effect) -> Self {
        Finding {
            text: Arc::clone(text),
            kind,
            outcome: Outcome::Pass,
            effect,
            message: Message::Fixed(""),
            values: Values::default(),
            lifted: None,
            waivable: false,
            approval: None,
        }
    }

    /// The policy's name.
    pub fn policy(&self) -> &str {
        &self.text.policy
    }

    /// The policy's version.
    pub fn policy_version(&self) -> &str {
        &self.text.version
    }

    /// Gate or approval.
    pub fn kind(&self) -> RuleKind {
        self.kind
    }

    /// What a failure does.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The fact paths the rule read and their values.
    pub fn values(&self) -> &Values {
        &self.values
    }

    /// Compliance controls served.
    pub fn controls(&self) -> &[String] {
        &self.text.controls
    }

    /// Who lifted the failure, when `waived`.
    pub fn lifted(&self) -> Option<&Lifted> {
        self.lifted.as_deref()
    }

    /// The roles whose waiver would lift the failure (a failed gate with
    /// `waivableBy`; empty otherwise).
    pub fn waivable_by(&self) -> &[String] {
        if self.waivable {
            &self.text.waivable_by
        } else {
            &[]
        }
    }

    /// The approval rule's state, for approvals.
    pub fn approval(&self) -> Option<&ApprovalState> {
        self.approval.as_deref()
    }

    /// The rule id.
    pub fn rule(&self) -> &str {
        &self.text.id
    }

    /// The outcome.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// The message.
    pub fn message(&self) -> &str {
        match &self.message {
            Message::Passed => &self.text.passed,
            Message::Failed => &self.text.failed,
            Message::FailedPlain => &self.text.failed_plain,
            Message::Fixed(m) => m,
            Message::Own(m) => m,
        }
    }

    /// Whether the finding holds the release back (counts in the fold).
    pub fn blocks(&self) -> bool {
        matches!(self.outcome, Outcome::Fail | Outcome::Error) && self.effect != Effect::Warn
    }
}

impl PartialEq for Finding {
    /// Equal when everything a reader sees is equal (a finding read back
    /// from JSON holds its messages as text, not as the rule's).
    fn eq(&self, other: &Self) -> bool {
        self.policy() == other.policy()
            && self.policy_version() == other.policy_version()
            && self.rule() == other.rule()
            && self.kind == other.kind
            && self.outcome == other.outcome
            && self.effect == other.effect
            && self.message() == other.message()
            && self.values == other.values
            && self.controls() == other.controls()
            && self.lifted == other.lifted
            && self.waivable_by() == other.waivable_by()
            && self.approval == other.approval
    }
}

impl fmt::Debug for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Finding")
            .field("policy", &self.policy())
            .field("policy_version", &self.policy_version())
            .field("rule", &self.rule())
            .field("kind", &self.kind)
            .field("outcome", &self.outcome)
            .field("effect", &self.effect)
            .field("message", &self.message())
            .field("values", &self.values)
            .field("controls", &self.controls())
            .field("lifted", &self.lifted)
            .field("waivable_by", &self.waivable_by())
            .field("approval", &self.approval)
            .finish()
    }
}

impl Serialize for Finding {
    /// The fields of [`FindingRecord`], in its order, with its rules for
    /// leaving a field out.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let values = !self.values.is_empty();
        let controls = !self.controls().is_empty();
        let waivable = !self.waivable_by().is_empty();
        let len = 7
            + usize::from(values)
            + usize::from(controls)
            + usize::from(self.lifted.is_some())
            + usize::from(waivable)
            + usize::from(self.approval.is_some());
        let mut f = s.serialize_struct("Finding", len)?;
        f.serialize_field("policy", self.policy())?;
        f.serialize_field("policyVersion", self.policy_version())?;
        f.serialize_field("rule", self.rule())?;
        f.serialize_field("kind", &self.kind)?;
        f.serialize_field("outcome", &self.outcome)?;
        f.serialize_field("effect", &self.effect)?;
        f.serialize_field("message", self.message())?;
        field_if(&mut f, "values", values.then_some(&self.values))?;
        field_if(&mut f, "controls", controls.then_some(self.controls()))?;
        field_if(&mut f, "lifted", self.lifted.as_deref())?;
        field_if(&mut f, "waivableBy", waivable.then_some(self.waivable_by()))?;
        field_if(&mut f, "approval", self.approval.as_deref())?;
        f.end()
    }
}

/// Write `value` as the field `name`, or leave the field out.
fn field_if<F: SerializeStruct, T: Serialize + ?Sized>(
    f: &mut F,
    name: &'static str,
    value: Option<&T>,
) -> Result<(), F::Error> {
    match value {
        Some(value) => f.serialize_field(name, value),
        None => f.skip_field(name),
    }
}

impl<'de> Deserialize<'de> for Finding {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = FindingRecord::deserialize(d)?;
        let waivable = !r.waivable_by.is_empty();
        Ok(Finding {
            text: Arc::new(RuleText {
                policy: r.policy.into(),
                version: r.policy_version.into(),
                id: r.rule.into(),
                controls: r.controls.into(),
                waivable_by: r.waivable_by.into(),
                passed: Arc::from(""),
                failed: Arc::from(""),
                failed_plain: Arc::from(""),
            }),
            kind: r.kind,
            outcome: r.outcome,
            effect: r.effect,
            message: Message::Own(r.message.into()),
            values: r.values,
            lifted: r.lifted,
            waivable,
            approval: r.approval,
        })
    }
}

impl JsonSchema for Finding {
    fn inline_schema() -> bool {
        FindingRecord::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        FindingRecord::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        FindingRecord::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        FindingRecord::json_schema(generator)
    }
}

// A finding as JSON holds it: what a finding is read back from, and the
// schema of what it is written as (its doc comments are the schema's
// descriptions; `skip_serializing_if` says, as `Finding`'s `Serialize`
// does, which fields are left out, which the schema shows).
/// The result of one rule, with everything needed to see why.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(rename = "Finding")]
struct FindingRecord {
    /// The policy's name.
    policy: String,
    /// The policy's version.
    policy_version: String,
    /// The rule id.
    rule: String,
    /// Gate or approval.
    kind: RuleKind,
    /// What came out.
    outcome: Outcome,
    /// What a failure does.
    effect: Effect,
    /// Why, in words.
    message: String,
    /// The fact paths the rule read and their values.
    #[serde(default, skip_serializing_if = "Values::is_empty")]
    values: Values,
    /// Compliance controls served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    controls: Vec<String>,
    /// Who lifted the failure, when `waived`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lifted: Option<Box<Lifted>>,
    /// The roles whose waiver would lift the failure, when the rule failed
    /// and has `waivableBy` (what a reader can do about it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    waivable_by: Vec<String>,
    /// The approval rule's state, for approvals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approval: Option<Box<ApprovalState>>,
}
