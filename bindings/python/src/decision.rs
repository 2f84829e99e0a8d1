//! The decision and its parts as Python objects.
//!
//! Each class wraps the core value and converts a field only when it is
//! read, so `check` returns as soon as the core has decided. Verdicts,
//! outcomes, effects and rule kinds are the `str`-valued enums of
//! `release_policy._types`; timestamps are the RFC 3339 strings of the JSON
//! form; `to_dict()` / `to_json()` are the core's own serialisation.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use release_policy::decision::{
    ApprovalNote as CoreNote, ApprovalState as CoreApprovalState, Lifted as CoreLifted,
    WaiverUse as CoreWaiverUse,
};
use release_policy::model::Timestamp;
use release_policy::{
    Decision as CoreDecision, Finding as CoreFinding, MissingApproval as CoreMissing,
};
use serde::Serialize;

/// The `str`-valued enums of `release_policy._types`.
#[derive(Clone, Copy)]
pub(crate) enum EnumClass {
    Verdict,
    Outcome,
    Effect,
    RuleKind,
    RolloutVerdict,
    Action,
    AssessRuleKind,
    PlanVerdict,
}

/// The member of a `release_policy` enum whose value is `value`.
pub(crate) fn member<'py>(
    py: Python<'py>,
    class: EnumClass,
    value: &str,
) -> PyResult<Bound<'py, PyAny>> {
    static VERDICT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static OUTCOME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static EFFECT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static RULE_KIND: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static ROLLOUT_VERDICT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static ACTION: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static ASSESS_RULE_KIND: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static PLAN_VERDICT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    let (cell, name) = match class {
        EnumClass::Verdict => (&VERDICT, "Verdict"),
        EnumClass::Outcome => (&OUTCOME, "Outcome"),
        EnumClass::Effect => (&EFFECT, "Effect"),
        EnumClass::RuleKind => (&RULE_KIND, "RuleKind"),
        EnumClass::RolloutVerdict => (&ROLLOUT_VERDICT, "RolloutVerdict"),
        EnumClass::Action => (&ACTION, "Action"),
        EnumClass::AssessRuleKind => (&ASSESS_RULE_KIND, "AssessRuleKind"),
        EnumClass::PlanVerdict => (&PLAN_VERDICT, "PlanVerdict"),
    };
    cell.import(py, "release_policy._types", name)?
        .call1((value,))
}

/// A timestamp as written in the decision JSON (`2026-11-26T10:00:00Z`).
pub(crate) fn timestamp(t: &Timestamp) -> String {
    match serde_json::to_value(t) {
        Ok(serde_json::Value::String(s)) => s,
        _ => t.to_rfc3339(),
    }
}

/// Any serialisable part of a decision as plain Python data (the shape of
/// its JSON: camelCase keys).
pub(crate) fn plain<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(pythonize::pythonize(py, value)?)
}

/// The result of `Bundle.check`: the verdict, every finding, the approvals
/// still missing, what became of each waiver, and the digests.
#[pyclass(frozen, module = "release_policy")]
pub struct Decision {
    inner: Arc<CoreDecision>,
}

impl Decision {
    pub(crate) fn new(inner: CoreDecision) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }
}

#[pymethods]
impl Decision {
    /// `Verdict.GO`, `Verdict.NO_GO` or `Verdict.PENDING`.
    #[getter]
    fn verdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        member(py, EnumClass::Verdict, self.inner.verdict().as_str())
    }

    /// The release id (`release.id` of the facts).
    #[getter]
    fn release(&self) -> &str {
        self.inner.release()
    }

    /// The evaluation time (`now` of the facts), RFC 3339.
    #[getter]
    fn now(&self) -> String {
        timestamp(&self.inner.now())
    }

    /// The decision schema, `release-policy/decision/v2`.
    #[getter]
    fn schema(&self) -> &str {
        self.inner.schema()
    }

    /// Counts of findings by outcome: `pass`, `fail`, `warn`, `error`,
    /// `skipped`, `waived`.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain(py, self.inner.summary())
    }

    /// Every rule's finding, in bundle order.
    #[getter]
    fn findings(&self) -> Vec<Finding> {
        self.inner
            .findings()
            .iter()
            .map(|f| Finding { inner: f.clone() })
            .collect()
    }

    /// The finding of `rule`, or `None`.
    fn finding(&self, rule: &str) -> Option<Finding> {
        self.inner
            .finding(rule)
            .map(|f| Finding { inner: f.clone() })
    }

    /// Approvals still needed for `go`.
    #[getter]
    fn missing_approvals(&self) -> Vec<MissingApproval> {
        self.inner
            .missing_approvals()
            .iter()
            .map(|m| MissingApproval { inner: m.clone() })
            .collect()
    }

    /// The findings that hold the release (`Decision::blocking` of the
    /// core): failed or erring `block` rules, and erring rules of any
    /// effect but `warn`. The verdict is `no-go` exactly when one of them
    /// has effect `block`.
    #[getter]
    fn blocking(&self) -> Vec<Finding> {
        findings(self.inner.blocking())
    }

    /// The findings that warn (`Decision::warnings` of the core): outcome
    /// `warn`, and `warn` rules that erred.
    #[getter]
    fn warnings(&self) -> Vec<Finding> {
        findings(self.inner.warnings())
    }

    /// The findings that failed and were lifted by a waiver or an approval
    /// (`Decision::waived` of the core).
    #[getter]
    fn waived(&self) -> Vec<Finding> {
        findings(self.inner.waived())
    }

    /// What became of each waiver in the facts.
    #[getter]
    fn waivers(&self) -> Vec<WaiverUse> {
        self.inner
            .waivers()
            .iter()
            .map(|w| WaiverUse { inner: w.clone() })
            .collect()
    }

    /// `sha256:…` of the bundle that decided.
    #[getter]
    fn digest(&self) -> &str {
        self.inner.bundle().digest()
    }

    /// `name@version` of every policy of the bundle that decided.
    #[getter]
    fn policies(&self) -> Vec<String> {
        self.inner.bundle().policies().to_vec()
    }

    /// `sha256:…` of the canonical facts.
    #[getter]
    fn facts_digest(&self) -> &str {
        self.inner.facts_digest()
    }

    /// `sha256:…` of what the catalog said of the release, when it was
    /// checked with one; `None` otherwise.
    #[getter]
    fn catalog_digest(&self) -> Option<&str> {
        self.inner.catalog_digest()
    }

    /// The version of the engine that decided.
    #[getter]
    fn engine_version(&self) -> &str {
        self.inner.engine().version()
    }

    /// The decision as plain Python data: `json.loads(self.to_json())`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain(py, self.inner.as_ref())
    }

    /// The decision as JSON, byte for byte what every binding gives:
    /// compact, or indented with `pretty=True`.
    #[pyo3(signature = (*, pretty = false))]
    fn to_json(&self, pretty: bool) -> String {
        if pretty {
            self.inner.to_json_pretty()
        } else {
            self.inner.to_json()
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "<Decision {} {} ({} findings, {} missing approvals)>",
            self.inner.verdict().as_str(),
            self.inner.release(),
            self.inner.findings().len(),
            self.inner.missing_approvals().len()
        )
    }
}

/// Python findings from core ones.
fn findings(list: Vec<&CoreFinding>) -> Vec<Finding> {
    list.into_iter()
        .map(|f| Finding { inner: f.clone() })
        .collect()
}

/// The result of one rule, with everything needed to see why.
#[pyclass(frozen, module = "release_policy")]
pub struct Finding {
    inner: CoreFinding,
}

#[pymethods]
impl Finding {
    /// The roles whose waiver would lift the failure (a failed gate with
    /// `waivableBy`; empty otherwise).
    #[getter]
    fn waivable_by(&self) -> Vec<String> {
        self.inner.waivable_by().to_vec()
    }

    /// The policy's name.
    #[getter]
    fn policy(&self) -> &str {
        self.inner.policy()
    }

    /// The policy's version.
    #[getter]
    fn policy_version(&self) -> &str {
        self.inner.policy_version()
    }

    /// The rule id.
    #[getter]
    fn rule(&self) -> &str {
        self.inner.rule()
    }

    /// `RuleKind.GATE` or `RuleKind.APPROVAL`.
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        member(py, EnumClass::RuleKind, self.inner.kind().as_str())
    }

    /// What came out.
    #[getter]
    fn outcome<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        member(py, EnumClass::Outcome, self.inner.outcome().as_str())
    }

    /// What a failure does.
    #[getter]
    fn effect<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        member(py, EnumClass::Effect, self.inner.effect().as_str())
    }

    /// Why, in words.
    #[getter]
    fn message(&self) -> &str {
        self.inner.message()
    }

    /// The fact paths the rule read, and their values.
    #[getter]
    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain(py, self.inner.values())
    }

    /// Compliance controls the rule serves.
    #[getter]
    fn controls(&self) -> Vec<String> {
        self.inner.controls().to_vec()
    }

    /// Who lifted the failure, when the outcome is `waived`.
    #[getter]
    fn lifted(&self) -> Option<Lifted> {
        self.inner.lifted().cloned().map(|inner| Lifted { inner })
    }

    /// The approval rule's state, for approvals.
    #[getter]
    fn approval(&self) -> Option<ApprovalState> {
        self.inner
            .approval()
            .cloned()
            .map(|inner| ApprovalState { inner })
    }

    /// Whether the finding holds the release back.
    #[getter]
    fn blocks(&self) -> bool {
        self.inner.blocks()
    }

    /// The finding as plain Python data (its JSON shape).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "<Finding {} {} [{}]>",
            self.inner.rule(),
            self.inner.outcome().as_str(),
            self.inner.effect().as_str()
        )
    }
}

/// Who lifted a failed rule, and how.
#[pyclass(frozen, module = "release_policy")]
pub struct Lifted {
    inner: CoreLifted,
}

#[pymethods]
impl Lifted {
    /// `waiver` or `approval`.
    #[getter]
    fn via(&self) -> &str {
        self.inner.via()
    }

    /// Who.
    #[getter]
    fn by(&self) -> &str {
        self.inner.by()
    }

    /// In which role.
    #[getter]
    fn role(&self) -> &str {
        self.inner.role()
    }

    /// The waiver's reason, when a waiver.
    #[getter]
    fn reason(&self) -> Option<&str> {
        self.inner.reason()
    }

    /// When the waiver expires (RFC 3339), when a waiver.
    #[getter]
    fn expires(&self) -> Option<String> {
        self.inner.expires().as_ref().map(timestamp)
    }

    fn __repr__(&self) -> String {
        format!(
            "<Lifted via {} by {} ({})>",
            self.inner.via(),
            self.inner.by(),
            self.inner.role()
        )
    }
}

/// The state of an approval rule.
#[pyclass(frozen, module = "release_policy")]
pub struct ApprovalState {
    inner: CoreApprovalState,
}

#[pymethods]
impl ApprovalState {
    /// Roles asked.
    #[getter]
    fn roles(&self) -> Vec<String> {
        self.inner.roles().to_vec()
    }

    /// How many of them must approve.
    #[getter]
    fn needed(&self) -> usize {
        self.inner.needed()
    }

    /// How many different people each role needs, for roles that need
    /// more than one (`{role: sre, count: 2}`).
    #[getter]
    fn counts(&self) -> std::collections::BTreeMap<String, u32> {
        self.inner.counts().clone()
    }

    /// Roles that approved (counted).
    #[getter]
    fn approved_roles(&self) -> Vec<String> {
        self.inner.approved_roles().to_vec()
    }

    /// Every relevant approval, counted or not.
    #[getter]
    fn approvals(&self) -> Vec<ApprovalNote> {
        self.inner
            .approvals()
            .iter()
            .map(|a| ApprovalNote { inner: a.clone() })
            .collect()
    }

    /// The role the disagreement is escalated to, when one is.
    #[getter]
    fn escalated_to(&self) -> Option<&str> {
        self.inner.escalated_to()
    }

    fn __repr__(&self) -> String {
        format!(
            "<ApprovalState {}/{} of {:?}>",
            self.inner.approved_roles().len(),
            self.inner.needed(),
            self.inner.roles()
        )
    }
}

/// An approval given or not counted, as seen by one approval rule.
#[pyclass(frozen, module = "release_policy")]
pub struct ApprovalNote {
    inner: CoreNote,
}

#[pymethods]
impl ApprovalNote {
    /// The role.
    #[getter]
    fn role(&self) -> &str {
        self.inner.role()
    }

    /// Who.
    #[getter]
    fn by(&self) -> &str {
        self.inner.by()
    }

    /// `approve`, `reject` or `abstain`.
    #[getter]
    fn decision(&self) -> &str {
        self.inner.decision()
    }

    /// Why it was not counted, when it was not.
    #[getter]
    fn ignored(&self) -> Option<&str> {
        self.inner.ignored()
    }

    fn __repr__(&self) -> String {
        format!(
            "<ApprovalNote {} {} ({})>",
            self.inner.by(),
            self.inner.decision(),
            self.inner.role()
        )
    }
}

/// An approval still needed for `go`.
#[pyclass(frozen, module = "release_policy")]
pub struct MissingApproval {
    inner: CoreMissing,
}

#[pymethods]
impl MissingApproval {
    /// The rule id (an approval rule, or a gate with `effect: approval`).
    #[getter]
    fn rule(&self) -> &str {
        self.inner.rule()
    }

    /// The policy.
    #[getter]
    fn policy(&self) -> &str {
        self.inner.policy()
    }

    /// Roles that can still give it.
    #[getter]
    fn roles(&self) -> Vec<String> {
        self.inner.roles().to_vec()
    }

    /// How many more approvals are needed.
    #[getter]
    fn needed(&self) -> usize {
        self.inner.needed()
    }

    /// Evidence the approval must carry.
    #[getter]
    fn evidence(&self) -> Vec<String> {
        self.inner.evidence().to_vec()
    }

    /// Why it is needed.
    #[getter]
    fn reason(&self) -> &str {
        self.inner.reason()
    }

    /// The missing approval as plain Python data (its JSON shape).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "<MissingApproval {} needs {} of {:?}>",
            self.inner.rule(),
            self.inner.needed(),
            self.inner.roles()
        )
    }
}

/// What became of a waiver in the facts.
#[pyclass(frozen, module = "release_policy")]
pub struct WaiverUse {
    inner: CoreWaiverUse,
}

#[pymethods]
impl WaiverUse {
    /// The rule waived.
    #[getter]
    fn rule(&self) -> &str {
        self.inner.rule()
    }

    /// Who granted it.
    #[getter]
    fn by(&self) -> &str {
        self.inner.by()
    }

    /// In which role.
    #[getter]
    fn role(&self) -> &str {
        self.inner.role()
    }

    /// `applied`, `unused`, `not-waivable`, `expired`, `not-permitted`,
    /// `self-waiver` or `unknown-rule`.
    #[getter]
    fn status(&self) -> &str {
        self.inner.status()
    }

    /// When it expires (RFC 3339).
    #[getter]
    fn expires(&self) -> String {
        timestamp(&self.inner.expires())
    }

    fn __repr__(&self) -> String {
        format!(
            "<WaiverUse {} by {}: {}>",
            self.inner.rule(),
            self.inner.by(),
            self.inner.status()
        )
    }
}
