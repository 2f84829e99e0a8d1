//! The registry of rule kinds: one line per kind names its document type,
//! its section in `spec`, the kind of policy that holds it and the words for
//! it. From that line come the `spec` field (with its JSON Schema), the
//! [`RuleDoc`] variant, and so everything layering, the bundle digest, rule
//! listing and `explain` do with rules — none of them lists the kinds by
//! hand. A new kind is its document type, its compile and evaluate code in
//! its slice, and one line here.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::document::{
    AnalysisRule, ApprovalRule, BurnRateRule, Criterion, Gate, Instability, KIND_POLICY,
    KIND_REVIEW, KIND_ROLLOUT, Promotion, QualityGate, Trigger, Variable,
};
use super::layer::Origin;

/// What layering needs to know of a rule kind beyond its registry line.
pub(crate) trait LayeredRule: Clone {
    /// Whether `new` is provably at least as strict as `old`.
    fn tightens(old: &Self, new: &Self) -> bool;
}

/// Take the rules of one kind out of a list of rules of any kind.
pub(crate) trait RuleKind: Sized {
    /// The rule, if `doc` is of this kind; `doc` back otherwise.
    // The `Err` is the rule handed back, not an error: it moves once per
    // rule at load, so boxing it would buy nothing.
    #[allow(clippy::result_large_err)]
    fn from_doc(doc: RuleDoc) -> Result<Self, RuleDoc>;
}

macro_rules! rule_kinds {
    ($(
        $(#[doc = $doc:literal])*
        $field:ident: $ty:ident => $variant:ident {
            section: $section:literal, policy: $policy:expr, kind: $kind:literal, noun: $noun:literal
        }
    )*) => {
        /// The rules of a policy.
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct Spec {
            /// CEL: whether the policy applies to these facts (default true).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub applies_to: Option<String>,
            /// Named CEL values, evaluated lazily in order, readable as
            /// `variables.NAME` by later variables and by rules.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub variables: Vec<Variable>,
            $(
                $(#[doc = $doc])*
                #[serde(default, skip_serializing_if = "Vec::is_empty")]
                pub $field: Vec<$ty>,
            )*
            /// Rule ids of an earlier layer's policy of the same name to switch off
            /// (allowed only for rules marked `overridable: true`).
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub disable: Vec<String>,
        }

        /// A rule of any kind, as written (after layering).
        #[derive(Debug, Clone, PartialEq)]
        pub(crate) enum RuleDoc {
            $($variant($ty),)*
        }

        impl RuleDoc {
            /// The rule id.
            pub(crate) fn id(&self) -> &str {
                match self { $(RuleDoc::$variant(r) => &r.id,)* }
            }

            /// The kind's name in listings: `gate`, `approval`, `trigger` …
            pub(crate) fn kind(&self) -> &'static str {
                match self { $(RuleDoc::$variant(_) => $kind,)* }
            }

            /// The kind in messages: `gate`, `promotion criterion` …
            pub(crate) fn noun(&self) -> &'static str {
                match self { $(RuleDoc::$variant(_) => $noun,)* }
            }

            /// The `spec` section that holds the kind (`gates`, `burnRate` …).
            pub(crate) fn section(&self) -> &'static str {
                match self { $(RuleDoc::$variant(_) => $section,)* }
            }

            /// The kind of policy (`Policy`, `RolloutPolicy`) that holds it.
            pub(crate) fn policy_kind(&self) -> &'static str {
                match self { $(RuleDoc::$variant(_) => $policy,)* }
            }

            /// Whether a later layer may replace or disable it at will.
            pub(crate) fn overridable(&self) -> bool {
                match self { $(RuleDoc::$variant(r) => r.overridable,)* }
            }

            /// Whether `new` is the same kind of rule and provably at least
            /// as strict as `old`.
            pub(crate) fn tightens(old: &Self, new: &Self) -> bool {
                match (old, new) {
                    $((RuleDoc::$variant(o), RuleDoc::$variant(n)) => LayeredRule::tightens(o, n),)*
                    #[allow(unreachable_patterns)]
                    _ => false,
                }
            }

            /// The definition as JSON (for `explain`).
            pub(crate) fn to_json(&self) -> serde_json::Value {
                let v = match self { $(RuleDoc::$variant(r) => serde_json::to_value(r),)* };
                v.unwrap_or_default()
            }
        }

        $(
            impl RuleKind for $ty {
                fn from_doc(doc: RuleDoc) -> Result<Self, RuleDoc> {
                    match doc {
                        RuleDoc::$variant(r) => Ok(r),
                        #[allow(unreachable_patterns)]
                        other => Err(other),
                    }
                }
            }
        )*

        impl Spec {
            /// Take every rule out of the spec, section by section in the
            /// registry's order, each with its path (`spec.gates[2]`).
            pub(crate) fn take_rules(&mut self) -> Vec<(RuleDoc, String)> {
                let mut out = Vec::new();
                $(
                    for (i, r) in std::mem::take(&mut self.$field).into_iter().enumerate() {
                        out.push((RuleDoc::$variant(r), format!("spec.{}[{i}]", $section)));
                    }
                )*
                out
            }

            /// Put rules back into their sections, keeping their order.
            pub(crate) fn put_rules<'a>(&mut self, rules: impl IntoIterator<Item = &'a RuleDoc>) {
                for r in rules {
                    match r { $(RuleDoc::$variant(r) => self.$field.push(r.clone()),)* }
                }
            }
        }

        /// Every section name, in the registry's order.
        pub(crate) const SECTIONS: &[&str] = &[$($section),*];
    };
}

rule_kinds! {
    /// Conditions a release must meet.
    gates: Gate => Gate { section: "gates", policy: KIND_POLICY, kind: "gate", noun: "gate" }
    /// Who must approve.
    approvals: ApprovalRule => Approval { section: "approvals", policy: KIND_POLICY, kind: "approval", noun: "approval" }
    /// Rollback triggers (rollout policies).
    triggers: Trigger => Trigger { section: "triggers", policy: KIND_ROLLOUT, kind: "trigger", noun: "trigger" }
    /// Promotion criteria (rollout policies).
    promotion: Promotion => Promotion { section: "promotion", policy: KIND_ROLLOUT, kind: "promotion", noun: "promotion criterion" }
    /// Canary analyses (rollout policies).
    analysis: AnalysisRule => Analysis { section: "analysis", policy: KIND_ROLLOUT, kind: "analysis", noun: "analysis" }
    /// SLO burn-rate alerts (rollout policies).
    burn_rate: BurnRateRule => BurnRate { section: "burnRate", policy: KIND_ROLLOUT, kind: "burn-rate", noun: "burn-rate rule" }
    /// SLO quality gates, Keptn style (rollout policies).
    quality_gates: QualityGate => QualityGate { section: "qualityGates", policy: KIND_ROLLOUT, kind: "quality-gate", noun: "quality gate" }
    /// Success criteria over a release record (review policies).
    criteria: Criterion => Criterion { section: "criteria", policy: KIND_REVIEW, kind: "criterion", noun: "success criterion" }
    /// When a service is chronically unstable (review policies).
    instability: Instability => Instability { section: "instability", policy: KIND_REVIEW, kind: "instability", noun: "instability rule" }
}

/// Rules of one kind out of `rules` (the others stay), in order.
pub(crate) fn take<R: RuleKind>(rules: &mut Vec<(RuleDoc, Origin)>) -> Vec<(R, Origin)> {
    let mut out = Vec::new();
    let mut rest = Vec::with_capacity(rules.len());
    for (doc, origin) in std::mem::take(rules) {
        match R::from_doc(doc) {
            Ok(r) => out.push((r, origin)),
            Err(doc) => rest.push((doc, origin)),
        }
    }
    *rules = rest;
    out
}
