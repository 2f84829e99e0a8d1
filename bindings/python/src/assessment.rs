//! The rollout assessment and its findings as Python objects.
//!
//! As for the decision ([`crate::decision`]): each class wraps the core
//! value and converts a field only when it is read; the verdict, outcomes,
//! actions and rule kinds are the `str`-valued enums of
//! `release_policy._types`; `to_dict()` / `to_json()` are the core's own
//! serialisation.

use std::sync::Arc;

use pyo3::prelude::*;
use release_policy::{AssessFinding as CoreFinding, Assessment as CoreAssessment};

use crate::decision::{EnumClass, member, plain, timestamp};

/// The result of `Bundle.assess`: what the rollout should do next, every
/// finding, the error budgets, the deployment markers and the digests.
#[pyclass(frozen, module = "release_policy")]
pub struct Assessment {
    inner: Arc<CoreAssessment>,
}

impl Assessment {
    pub(crate) fn new(inner: CoreAssessment) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }
}

#[pymethods]
impl Assessment {
    /// `RolloutVerdict.PROMOTE`, `CONTINUE`, `HOLD` or `ROLLBACK`.
    #[getter]
    fn verdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        member(py, EnumClass::RolloutVerdict, self.inner.verdict().as_str())
    }

    /// Why, in one line.
    #[getter]
    fn reason(&self) -> &str {
        self.inner.reason()
    }

    /// The rollout and where it stands (`id`, `service`, `version`, `step`,
    /// `weight`; the optional ones only when known).
    #[getter]
    fn rollout<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain(py, self.inner.rollout())
    }

    /// The evaluation time (`now` of the facts), RFC 3339.
    #[getter]
    fn now(&self) -> String {
        timestamp(&self.inner.now())
    }

    /// The assessment schema, `release-policy/assessment/v3`.
    #[getter]
    fn schema(&self) -> &str {
        self.inner.schema()
    }

    /// Counts of findings by outcome: `pass`, `fail`, `warn`, `noData`,
    /// `error`, `skipped`; and `dryRun` (a dict: the dry-run findings
    /// counted apart, with `wouldRollBack` and `wouldHold`) when any rule
    /// is a dry run.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain(py, self.inner.summary())
    }

    /// Every rule's finding, in policy order.
    #[getter]
    fn findings(&self) -> Vec<AssessFinding> {
        self.inner
            .findings()
            .iter()
            .map(|f| AssessFinding { inner: f.clone() })
            .collect()
    }

    /// The finding of `rule`, or `None`.
    fn finding(&self, rule: &str) -> Option<AssessFinding> {
        self.inner
            .finding(rule)
            .map(|f| AssessFinding { inner: f.clone() })
    }

    /// The findings that act on the rollout now (action `ROLLBACK` or
    /// `HOLD`), most severe first (`Assessment::acting` of the core).
    #[getter]
    fn acting(&self) -> Vec<AssessFinding> {
        findings(self.inner.acting())
    }

    /// The findings that keep the rollout from promoting without acting on
    /// it (`Assessment::waiting` of the core).
    #[getter]
    fn waiting(&self) -> Vec<AssessFinding> {
        findings(self.inner.waiting())
    }

    /// The dry-run findings, reported and never acting
    /// (`Assessment::dry_runs` of the core).
    #[getter]
    fn dry_runs(&self) -> Vec<AssessFinding> {
        findings(self.inner.dry_runs())
    }

    /// The findings that only alert (`Assessment::alerts` of the core).
    #[getter]
    fn alerts(&self) -> Vec<AssessFinding> {
        findings(self.inner.alerts())
    }

    /// The error budget of each SLO given, as plain data (`slo`,
    /// `objective`, `window`, `remaining`, `burnRates`).
    #[getter]
    fn budgets<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain(py, self.inner.budgets())
    }

    /// Deployment markers for monitoring charts, as plain data (`kind`,
    /// `at`, `rollout`, `service`, `version`, `step`, `text`).
    #[getter]
    fn markers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain(py, self.inner.markers())
    }

    /// `sha256:…` of the bundle that assessed.
    #[getter]
    fn digest(&self) -> &str {
        self.inner.bundle().digest()
    }

    /// `name@version` of every policy of the bundle that assessed.
    #[getter]
    fn policies(&self) -> Vec<String> {
        self.inner.bundle().policies().to_vec()
    }

    /// `sha256:…` of the canonical facts.
    #[getter]
    fn facts_digest(&self) -> &str {
        self.inner.facts_digest()
    }

    /// `sha256:…` of the downstream services a catalog gave, when the
    /// rollout was assessed with one; `None` otherwise.
    #[getter]
    fn catalog_digest(&self) -> Option<&str> {
        self.inner.catalog_digest()
    }

    /// The version of the engine that assessed.
    #[getter]
    fn engine_version(&self) -> &str {
        self.inner.engine().version()
    }

    /// The assessment as plain Python data: `json.loads(self.to_json())`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain(py, self.inner.as_ref())
    }

    /// The assessment as JSON, byte for byte what every binding gives:
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
            "<Assessment {} {} ({} findings)>",
            self.inner.verdict().as_str(),
            self.inner.rollout().id(),
            self.inner.findings().len()
        )
    }
}

/// Python findings from core ones.
fn findings(list: Vec<&CoreFinding>) -> Vec<AssessFinding> {
    list.into_iter()
        .map(|f| AssessFinding { inner: f.clone() })
        .collect()
}

/// The result of one rollout rule: what it observed, the threshold, how
/// long the breach (or the criterion) has lasted, and what would flip it.
#[pyclass(frozen, module = "release_policy")]
pub struct AssessFinding {
    inner: CoreFinding,
}

#[pymethods]
impl AssessFinding {
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

    /// `AssessRuleKind.TRIGGER`, `PROMOTION`, `ANALYSIS`, `BURN_RATE` or
    /// `QUALITY_GATE`.
    #[getter]
    fn kind<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        member(py, EnumClass::AssessRuleKind, self.inner.kind().as_str())
    }

    /// What came out.
    #[getter]
    fn outcome<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        member(py, EnumClass::Outcome, self.inner.outcome().as_str())
    }

    /// What the rule does when it trips (`Action.ALERT`, `HOLD`,
    /// `ROLLBACK`), or `None` for a promotion criterion.
    #[getter]
    fn effect<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .effect()
            .map(|a| member(py, EnumClass::Action, a.as_str()))
            .transpose()
    }

    /// What the finding does to the rollout now (`Action.ALERT`, `HOLD`,
    /// `ROLLBACK`), or `None`.
    #[getter]
    fn action<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .action()
            .map(|a| member(py, EnumClass::Action, a.as_str()))
            .transpose()
    }

    /// Why, in words.
    #[getter]
    fn message(&self) -> &str {
        self.inner.message()
    }

    /// The metric, journey or SLO the rule read, when one.
    #[getter]
    fn subject(&self) -> Option<&str> {
        self.inner.subject()
    }

    /// The limit, in words (`error-rate > 0.05`), when one.
    #[getter]
    fn threshold(&self) -> Option<&str> {
        self.inner.threshold()
    }

    /// What was observed: latest value, baseline, sample counts, …
    #[getter]
    fn observed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain(py, self.inner.observed())
    }

    /// How long the breach has lasted (or the criterion has held), in
    /// milliseconds of the facts' clock, when known.
    #[getter]
    fn duration_ms(&self) -> Option<i64> {
        self.inner.duration_ms()
    }

    /// What would flip the result, when something would.
    #[getter]
    fn flip(&self) -> Option<&str> {
        self.inner.flip()
    }

    /// The canary judge's full result (its JSON shape), for analyses.
    #[getter]
    fn judge<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.judge().map(|j| plain(py, &j)).transpose()
    }

    /// A metric trigger's measurements and analysis phase (Argo Rollouts'
    /// semantics; its JSON shape), when it uses them.
    #[getter]
    fn measurements<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.measurements().map(|m| plain(py, &m)).transpose()
    }

    /// A quality gate's result (its JSON shape: `result`, `score`,
    /// `objectives` with their targets), for quality gates.
    #[getter]
    fn quality_gate<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.quality_gate().map(|q| plain(py, &q)).transpose()
    }

    /// Whether the rule is a dry run (reported, never acting).
    #[getter]
    fn dry_run(&self) -> bool {
        self.inner.dry_run()
    }

    /// Compliance controls the rule serves.
    #[getter]
    fn controls(&self) -> Vec<String> {
        self.inner.controls().to_vec()
    }

    /// The finding as plain Python data (its JSON shape).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        plain(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        let action = self
            .inner
            .action()
            .map(|a| format!(" [{}]", a.as_str()))
            .unwrap_or_default();
        format!(
            "<AssessFinding {} {}{}>",
            self.inner.rule(),
            self.inner.outcome().as_str(),
            action
        )
    }
}
