//! Python bindings of release-policy: the native module
//! `release_policy._release_policy`, wrapped by the `release_policy` package
//! (`python/release_policy/`), which adds the `str`-valued enums and the
//! exception classes and re-exports everything.
//!
//! A thin layer: every decision is the core's. The binding converts facts
//! (a `dict` becomes JSON with the GIL held; a `str` or `bytes` is parsed
//! by the core), releases the GIL for loading, checking and assessing, and
//! maps the core's errors to Python exceptions in one place
//! ([`errors::to_py_err`]).
//! A panic in the core (none is expected) becomes `EvaluationError`, never
//! a `PanicException`.

/// mimalloc for what the module allocates in Rust (Python's objects keep
/// Python's allocator; no memory crosses between the two): a decision
/// allocates and frees many small values, where glibc's allocator spent
/// about a quarter of the time (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod archive;
mod assessment;
mod builder;
mod de;
mod decision;
mod errors;
mod facts;
mod plan;
mod review;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use release_policy::review::{Bands, Decisions, Period, ReviewOptions, Thresholds};
use release_policy::{Bundle as CoreBundle, Error, ErrorCode, Limits};

use crate::archive::Archive;
use crate::assessment::{AssessFinding, Assessment};
use crate::builder::BundleBuilder;
use crate::decision::{
    ApprovalNote, ApprovalState, Decision, Finding, Lifted, MissingApproval, WaiverUse,
};
use crate::errors::{facts_to_py_err, to_py_err};
use crate::facts::Input;
use crate::plan::{Catalog, Deployability, Plan, ReleasePlan};
use crate::review::Records;

/// Run core code, turning a panic into [`Error::Evaluation`].
fn guarded<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error::evaluation(
            ErrorCode::EvaluationFailed,
            format!("internal error in the engine: `{what}` (please report it)"),
        ))
    })
}

/// Core work without the GIL that Ctrl-C can stop: `f` is given a check
/// the core asks between rules. Once the work has run for 50 ms, the check
/// takes the GIL for a moment to run Python's signal handlers; when one
/// raises (`KeyboardInterrupt`), the core stops and that exception is
/// raised instead of a result. Decisions that finish sooner never take the
/// GIL back, so threads deciding in parallel do not contend for it.
fn interruptible<T: Send>(
    py: Python<'_>,
    f: impl FnOnce(&(dyn Fn() -> bool + Sync)) -> Result<T, Error> + Send,
) -> PyResult<T> {
    let raised: std::sync::Mutex<Option<PyErr>> = std::sync::Mutex::new(None);
    let start = std::time::Instant::now();
    let stop = || {
        if start.elapsed() < std::time::Duration::from_millis(50) {
            return false;
        }
        Python::attach(|py| match py.check_signals() {
            Ok(()) => false,
            Err(e) => {
                if let Ok(mut slot) = raised.lock() {
                    *slot = Some(e);
                }
                true
            }
        })
    };
    let result = py.detach(|| guarded(|| f(&stop)));
    if let Some(e) = raised.into_inner().ok().flatten() {
        return Err(e);
    }
    result.map_err(|e| to_py_err(py, &e))
}

/// Core work without the GIL, errors as Python exceptions.
fn detached<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, Error> + Send) -> PyResult<T> {
    py.detach(|| guarded(f)).map_err(|e| to_py_err(py, &e))
}

/// A compiled, immutable set of policies; thread-safe, cheap to share.
#[pyclass(frozen, module = "release_policy")]
pub struct Bundle {
    pub(crate) inner: CoreBundle,
}

impl Bundle {
    /// The release facts `check` and `verdict` take, read (not yet parsed)
    /// within the bundle's limits, once `catalog` and `records` are known
    /// not to be both given.
    fn release_input(
        &self,
        py: Python<'_>,
        facts: &Bound<'_, PyAny>,
        catalog: Option<&Catalog>,
        records: Option<&Records>,
    ) -> PyResult<Input> {
        if catalog.is_some() && records.is_some() {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "give `catalog` or `records`, not both: there is no check with both",
            ));
        }
        Input::from_py_release(facts, self.inner.limits().max_yaml_nesting)?
            .map_err(|e| facts_to_py_err(py, e))
    }
}

/// `input` parsed into facts, with `history` derived from `records` when
/// given (no GIL needed).
fn release_facts(
    input: Input,
    bundle: &CoreBundle,
    records: Option<&release_policy::review::Records>,
) -> Result<release_policy::Facts, Error> {
    let facts = input.into_facts(bundle)?;
    match records {
        Some(r) => facts.with_history(bundle, r),
        None => Ok(facts),
    }
}

#[pymethods]
impl Bundle {
    /// The standard pack embedded in the library. Never raises: should the
    /// pack ever fail to compile, every `check` raises `EvaluationError`.
    #[staticmethod]
    fn builtin(py: Python<'_>) -> Bundle {
        Bundle {
            inner: py.detach(CoreBundle::builtin),
        }
    }

    /// Every policy file below the directory `path`.
    #[staticmethod]
    fn from_dir(py: Python<'_>, path: PathBuf) -> PyResult<Bundle> {
        let inner = detached(py, || CoreBundle::from_dir(&path))?;
        Ok(Bundle { inner })
    }

    /// Policies from YAML text (one or more documents); `name` stands for
    /// the file in error locations.
    #[staticmethod]
    fn from_yaml(py: Python<'_>, name: &str, text: &str) -> PyResult<Bundle> {
        let inner = detached(py, || CoreBundle::from_yaml_str(name, text))?;
        Ok(Bundle { inner })
    }

    /// A builder for a bundle of layers (organisation first, team last)
    /// and limits.
    #[staticmethod]
    fn builder() -> BundleBuilder {
        BundleBuilder::empty()
    }

    /// `sha256:…` over the canonical JSON of the effective policies.
    #[getter]
    fn digest(&self) -> &str {
        self.inner.digest()
    }

    /// `name@version` of every policy, in evaluation order.
    #[getter]
    fn policies(&self) -> Vec<String> {
        self.inner.policies()
    }

    /// `(policy, rule, kind)` of every rule, in evaluation order; `kind` is
    /// `"gate"`, `"approval"`, `"trigger"`, `"promotion"`, `"analysis"` or
    /// `"burn-rate"`.
    #[getter]
    fn rules(&self) -> Vec<(String, String, &'static str)> {
        self.inner
            .rules()
            .into_iter()
            .map(|r| (r.policy().to_string(), r.id().to_string(), r.kind()))
            .collect()
    }

    /// What `release-policy lint` warns about (codes `RP07xx`): one
    /// `dict` per warning with `code`, `location` (`file:line:column`),
    /// `message` and `hint` (or `None`). Warnings never stop a load.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner
            .warnings()
            .iter()
            .map(|w| {
                let d = PyDict::new(py);
                d.set_item("code", w.code().as_str())?;
                d.set_item("location", w.location.to_string())?;
                d.set_item("message", &w.message)?;
                d.set_item("hint", w.hint())?;
                Ok(d)
            })
            .collect()
    }

    /// The definition of `rule` as written (after layering), with its
    /// policy; `None` for an unknown rule.
    fn explain<'py>(&self, py: Python<'py>, rule: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .explain(rule)
            .map(|v| pythonize::pythonize(py, &v).map_err(PyErr::from))
            .transpose()
    }

    /// Decide whether the release described by `facts` may go. `facts` is
    /// a `dict` (as `json.loads` gives) or YAML / JSON text (`str` or
    /// `bytes`). With `catalog`, the policies read what it says of the
    /// release (`graph`, `calendar`, `inWindow(name)`, `frozen()`); a
    /// release it does not know raises `FactsError` (`RP0805`). With
    /// `records`, the facts' `history` is derived from the release records
    /// (facts with a `history` of their own raise `FactsError`); `catalog`
    /// and `records` together raise `ValueError`. The GIL is released while
    /// the core decides; Ctrl-C stops a long decision between rules
    /// (`KeyboardInterrupt`), except with `records`.
    #[pyo3(signature = (facts, *, catalog = None, records = None, archive = None))]
    fn check(
        &self,
        py: Python<'_>,
        facts: &Bound<'_, PyAny>,
        catalog: Option<&Catalog>,
        records: Option<&Records>,
        archive: Option<&Archive>,
    ) -> PyResult<Decision> {
        let input = self.release_input(py, facts, catalog, records)?;
        let bundle = &self.inner;
        let catalog = catalog.map(|c| &c.inner);
        let records = records.map(|r| &r.inner);
        let decision = interruptible(py, move |stop| {
            let facts = release_facts(input, bundle, records)?;
            let decision = match catalog {
                Some(c) => bundle.check_with_catalog_interruptible(&facts, c, stop),
                None => bundle.check_interruptible(&facts, stop),
            }?;
            if let Some(a) = archive {
                a.record(bundle, decision.audit_entry(&facts))?;
            }
            Ok(decision)
        })?;
        Ok(Decision::new(decision))
    }

    /// The verdict `check` gives — `Verdict.GO`, `NO_GO` or `PENDING` —
    /// and nothing else: every rule is evaluated as `check` evaluates it,
    /// within the same budget, but no finding's message or values are kept
    /// and no digest of the facts is made. For a caller that acts on the
    /// verdict alone, on every request; `check` says why. `facts`,
    /// `catalog` and `records` as for `check`, with the same errors.
    #[pyo3(signature = (facts, *, catalog = None, records = None))]
    fn verdict<'py>(
        &self,
        py: Python<'py>,
        facts: &Bound<'py, PyAny>,
        catalog: Option<&Catalog>,
        records: Option<&Records>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = self.release_input(py, facts, catalog, records)?;
        let bundle = &self.inner;
        let catalog = catalog.map(|c| &c.inner);
        let records = records.map(|r| &r.inner);
        let verdict = interruptible(py, move |stop| {
            let facts = release_facts(input, bundle, records)?;
            match catalog {
                Some(c) => bundle.verdict_with_catalog_interruptible(&facts, c, stop),
                None => bundle.verdict_interruptible(&facts, stop),
            }
        })?;
        decision::member(py, decision::EnumClass::Verdict, verdict.as_str())
    }

    /// Assess a rollout in progress: promote, continue, hold or roll back?
    /// `facts` are rollout facts, a `dict` (as `json.loads` gives) or YAML /
    /// JSON text (`str` or `bytes`). With `catalog`, triggers with
    /// `downstream: true` watch the services downstream of the rollout's
    /// (cascading-failure attribution); a rollout the catalog cannot place
    /// raises `FactsError` (`RP0805`). The GIL is released while the core
    /// assesses. A bundle without a `RolloutPolicy` raises
    /// `EvaluationError`.
    #[pyo3(signature = (facts, *, catalog = None, archive = None))]
    fn assess(
        &self,
        py: Python<'_>,
        facts: &Bound<'_, PyAny>,
        catalog: Option<&Catalog>,
        archive: Option<&Archive>,
    ) -> PyResult<Assessment> {
        let input = Input::from_py(facts, self.inner.limits().max_yaml_nesting)?
            .map_err(|e| facts_to_py_err(py, e))?;
        let bundle = &self.inner;
        let catalog = catalog.map(|c| &c.inner);
        let assessment = interruptible(py, move |stop| {
            let facts = input.into_rollout_facts(bundle)?;
            let assessment = match catalog {
                Some(c) => bundle.assess_with_catalog_interruptible(&facts, c, stop),
                None => bundle.assess_interruptible(&facts, stop),
            }?;
            if let Some(a) = archive {
                a.record(bundle, assessment.audit_entry(&facts))?;
            }
            Ok(assessment)
        })?;
        Ok(Assessment::new(assessment))
    }

    /// Can the releases of `release_plan` go, in what order and when, over
    /// `catalog`? Contracts, cycles, waves, blast radius, calendars and a
    /// proposed schedule; the bundle's limits bound the freeze exemptions.
    /// The GIL is released while the core plans.
    fn plan(
        &self,
        py: Python<'_>,
        catalog: &Catalog,
        release_plan: &ReleasePlan,
    ) -> PyResult<Plan> {
        let (bundle, catalog, intended) = (&self.inner, &catalog.inner, &release_plan.inner);
        let plan = detached(py, move || bundle.plan(catalog, intended))?;
        Ok(Plan::new(plan))
    }

    /// May `version` of `service` go to `environment`, as far as the API
    /// contracts of `catalog` tell (`release-policy can-i-deploy`)? An
    /// unknown service or environment raises `CatalogError` (`RP0805`).
    /// The GIL is released while the core answers.
    fn can_i_deploy(
        &self,
        py: Python<'_>,
        catalog: &Catalog,
        service: &str,
        version: &str,
        environment: &str,
    ) -> PyResult<Deployability> {
        let (bundle, catalog) = (&self.inner, &catalog.inner);
        let answer = detached(py, move || {
            bundle.can_i_deploy(catalog, service, version, environment)
        })?;
        Ok(Deployability::new(answer))
    }

    /// Review release records: DORA's four keys overall, per service, per
    /// team and per week, rollback frequency and chronic instability,
    /// rollbacks over budget, post-mortems missing or overdue, feedback
    /// testing missed, and a verdict (`pass`, `fail`, `no-deployments`).
    /// `from_` and `to` (aware `datetime`s or RFC 3339 `str`s; both or
    /// neither) bound the half-open period `[from_, to)`, by default the
    /// UTC days from the first deployment to the last; `service` or `team`
    /// limit it; `environment` is the one whose deployments count; `bands`
    /// is the YAML or JSON text of a `kind: PerformanceBands` document
    /// (DORA 2023's by default); `decisions` is a path (a file, or a
    /// directory of `.json` / `.jsonl` files) of past decisions and
    /// assessments (`check` / `assess --format json`), read within the
    /// default limits, whose join with the records is the report's policy
    /// `effectiveness` (the CLI's `--decisions`). Returns `json.loads` of
    /// the core's `Review::to_json()`. A reversed period, or a service or
    /// team no record names, raises `CatalogError` (`RP0909`); malformed
    /// decisions raise `CatalogError`, a missing path `PolicyIOError`.
    /// The GIL is released while the core reads the decisions and
    /// reviews.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (
        records,
        *,
        from_ = None,
        to = None,
        service = None,
        team = None,
        environment = "production",
        bands = None,
        decisions = None,
    ))]
    fn review<'py>(
        &self,
        py: Python<'py>,
        records: &Records,
        from_: Option<&Bound<'py, PyAny>>,
        to: Option<&Bound<'py, PyAny>>,
        service: Option<String>,
        team: Option<String>,
        environment: &str,
        bands: Option<String>,
        decisions: Option<PathBuf>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let period = review::period(from_, to)?;
        let (bundle, records) = (&self.inner, &records.inner);
        let json = detached(py, move || {
            let mut options = ReviewOptions::default().environment(environment);
            if let Some((from, to)) = period {
                options = options.period(Period::new(from, to)?);
            }
            if let Some(s) = service {
                options = options.service(s);
            }
            if let Some(t) = team {
                options = options.team(t);
            }
            if let Some(text) = bands {
                options = options.bands(Bands::from_yaml_str("<bands>", &text)?);
            }
            if let Some(path) = decisions {
                options = options.decisions(Decisions::from_path(&path, &Limits::default())?);
            }
            Ok(bundle.review(records, &options)?.to_json())
        })?;
        review::loads(py, &json)
    }

    /// One release's outcome from `records`, with post-mortems judged as
    /// of `now` (an aware `datetime` or an RFC 3339 `str`): durations
    /// against the default budgets, recovery, impact, post-mortem, feedback
    /// testing missed and a timeline. Returns `json.loads` of the core's
    /// `ReleaseOutcome::to_json()`. A release no record has raises
    /// `CatalogError` (`RP0909`). The GIL is released while the core works.
    #[pyo3(signature = (records, release, *, now))]
    fn review_release<'py>(
        &self,
        py: Python<'py>,
        records: &Records,
        release: &str,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = review::timestamp("now", now)?;
        let (bundle, records) = (&self.inner, &records.inner);
        let json = detached(py, move || {
            let outcome = bundle.review_release(records, release, now, &Thresholds::default())?;
            Ok(outcome.to_json())
        })?;
        review::loads(py, &json)
    }

    /// The `history` section of `check`'s facts for `service` in
    /// `environment` as of `now` (an aware `datetime` or an RFC 3339
    /// `str`), derived from `records`: `incidents`, `releases` and
    /// `openPostmortems`, as plain data in the facts' JSON shape. A service
    /// no record names has an empty history. The GIL is released while the
    /// core works.
    #[pyo3(signature = (records, service, *, now, environment = "production"))]
    fn history<'py>(
        &self,
        py: Python<'py>,
        records: &Records,
        service: &str,
        now: &Bound<'py, PyAny>,
        environment: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = review::timestamp("now", now)?;
        let (bundle, records) = (&self.inner, &records.inner);
        let json = detached(py, move || {
            review::to_json(&bundle.history(records, service, environment, now))
        })?;
        review::loads(py, &json)
    }

    fn __repr__(&self) -> String {
        format!(
            "<Bundle {} ({} policies)>",
            self.inner.digest(),
            self.inner.policies().len()
        )
    }
}

/// Every core error variant mapped to its exception, as `(variant,
/// exception)` pairs: what the tests check the one mapping function with.
#[pyfunction]
fn _error_samples(py: Python<'_>) -> Vec<(&'static str, PyErr)> {
    errors::samples()
        .into_iter()
        .map(|(name, e)| (name, to_py_err(py, &e)))
        .collect()
}

/// Run the policy tests (`*.test.yaml`) of policy directories layered in
/// order (after the built-in pack with `builtin=True`): each directory's
/// tests run against the whole stack. Returns the report as plain data
/// (`cases`, `gaps`), the JSON `release-policy test --format json` prints.
#[pyfunction]
#[pyo3(signature = (*dirs, builtin = false))]
fn run_tests<'py>(
    py: Python<'py>,
    dirs: Vec<std::path::PathBuf>,
    builtin: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let report = detached(py, || release_policy::testing::run_layers(&dirs, builtin))?;
    decision::plain(py, &report)
}

/// The native module; use it through the `release_policy` package.
#[pymodule]
fn _release_policy(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Bundle>()?;
    m.add_class::<BundleBuilder>()?;
    m.add_class::<Decision>()?;
    m.add_class::<Finding>()?;
    m.add_class::<Lifted>()?;
    m.add_class::<ApprovalState>()?;
    m.add_class::<ApprovalNote>()?;
    m.add_class::<MissingApproval>()?;
    m.add_class::<WaiverUse>()?;
    m.add_class::<Assessment>()?;
    m.add_class::<AssessFinding>()?;
    m.add_class::<Catalog>()?;
    m.add_class::<ReleasePlan>()?;
    m.add_class::<Plan>()?;
    m.add_class::<Deployability>()?;
    m.add_class::<Records>()?;
    m.add_class::<Archive>()?;
    m.add_function(wrap_pyfunction!(_error_samples, m)?)?;
    m.add_function(wrap_pyfunction!(run_tests, m)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_evaluation_error() {
        let r: Result<(), Error> = guarded(|| panic!("boom"));
        assert!(
            matches!(&r, Err(Error::Evaluation { message, code: ErrorCode::EvaluationFailed }) if message.contains("`boom`")),
            "{r:?}"
        );
    }

    #[test]
    fn errors_pass_through() {
        let r: Result<(), Error> = guarded(|| Err(Error::io(ErrorCode::ReadFailed, "p", "m")));
        assert!(matches!(r, Err(Error::Io { .. })));
    }
}
