//! `plan` and `can-i-deploy` as Python objects: the catalog and the
//! release plan (loaded by the core without the GIL), and the two answers.
//!
//! As for the decision ([`crate::decision`]): each result class wraps the
//! core value and converts a field only when it is read; the verdict is the
//! `str`-valued enum `PlanVerdict` of `release_policy._types`; the parts of
//! a plan are plain data in the shape of its JSON (camelCase keys, lists
//! where the JSON has arrays: [`json`]); `to_dict()` is
//! `json.loads(to_json())` and `to_json()` the core's own serialisation.
//!
//! Catalogs and release plans are read within the default limits, as the
//! CLI reads them.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use release_policy::Limits;
use release_policy::plan::{
    Catalog as CoreCatalog, Deployability as CoreDeployability, Plan as CorePlan,
    ReleasePlan as CoreReleasePlan,
};

use crate::decision::{EnumClass, member, plain};
use crate::detached;

/// A part of a plan as plain Python data, exactly as `json.loads` reads
/// its JSON: through `serde_json::Value`, so that a fixed-size array (a
/// blast radius's `byTier`) is a `list`, as in the JSON, not a `tuple`.
fn json<'py, T: serde::Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(value).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    plain(py, &value)
}

/// A catalog of services, calendars and environments: who depends on whom,
/// under which API contracts, and when releases may happen. Immutable,
/// thread-safe and cheap to share.
#[pyclass(frozen, module = "release_policy")]
pub struct Catalog {
    pub(crate) inner: CoreCatalog,
}

#[pymethods]
impl Catalog {
    /// Every catalog file (`.yaml`, `.yml`, `.json`) under the directory
    /// `path`; files a service names as its `openapi` are read as OpenAPI
    /// documents.
    #[staticmethod]
    fn from_dir(py: Python<'_>, path: PathBuf) -> PyResult<Catalog> {
        let inner = detached(py, || CoreCatalog::from_dir(&path, &Limits::default()))?;
        Ok(Catalog { inner })
    }

    /// One catalog file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Catalog> {
        let inner = detached(py, || CoreCatalog::from_file(&path, &Limits::default()))?;
        Ok(Catalog { inner })
    }

    /// A catalog from texts: a `dict` of name → text (in its order), or
    /// `(name, text)` pairs. The names stand for files in error locations;
    /// an `openapi` reference is resolved against the naming source's
    /// directory and must be one of the sources (nothing is read from
    /// disk).
    #[staticmethod]
    fn from_sources(py: Python<'_>, sources: &Bound<'_, PyAny>) -> PyResult<Catalog> {
        let sources: Vec<(String, String)> = match sources.cast::<PyDict>() {
            Ok(d) => d
                .iter()
                .map(|(k, v)| Ok((k.extract::<String>()?, v.extract::<String>()?)))
                .collect::<PyResult<_>>()?,
            Err(_) => sources.extract()?,
        };
        let inner = detached(py, move || {
            CoreCatalog::from_sources(sources, &Limits::default())
        })?;
        Ok(Catalog { inner })
    }

    /// How many services the catalog holds.
    #[getter]
    fn service_count(&self) -> usize {
        self.inner.service_count()
    }

    /// How many dependencies the catalog holds.
    #[getter]
    fn dependency_count(&self) -> usize {
        self.inner.dependency_count()
    }

    /// The services' names, sorted.
    #[getter]
    fn service_names(&self) -> Vec<String> {
        self.inner.service_names().map(str::to_string).collect()
    }

    /// The calendars' names, sorted.
    #[getter]
    fn calendar_names(&self) -> Vec<String> {
        self.inner.calendar_names().map(str::to_string).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Catalog ({} services, {} dependencies, {} calendars)>",
            self.inner.service_count(),
            self.inner.dependency_count(),
            self.inner.calendar_names().count()
        )
    }
}

/// The releases intended together (a `kind: ReleasePlan` document),
/// checked against a catalog when planned. Immutable, thread-safe.
#[pyclass(frozen, module = "release_policy")]
pub struct ReleasePlan {
    pub(crate) inner: CoreReleasePlan,
}

#[pymethods]
impl ReleasePlan {
    /// Read a release plan file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<ReleasePlan> {
        let inner = detached(py, || CoreReleasePlan::from_file(&path, &Limits::default()))?;
        Ok(ReleasePlan { inner })
    }

    /// A release plan from YAML or JSON text; `name` stands for the file
    /// in error locations.
    #[staticmethod]
    #[pyo3(signature = (text, name = "<string>"))]
    fn from_str(py: Python<'_>, text: &str, name: &str) -> PyResult<ReleasePlan> {
        let inner = detached(py, || {
            CoreReleasePlan::from_yaml_str(name, text, &Limits::default())
        })?;
        Ok(ReleasePlan { inner })
    }

    /// How many releases the plan holds.
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!("<ReleasePlan ({} releases)>", self.inner.len())
    }
}

/// The result of `Bundle.plan`: can these releases go, in what order and
/// when? The verdict, every release as planned, the waves, contract
/// violations, cycles and schedule conflicts.
#[pyclass(frozen, module = "release_policy")]
pub struct Plan {
    inner: Arc<CorePlan>,
}

impl Plan {
    pub(crate) fn new(inner: CorePlan) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }
}

#[pymethods]
impl Plan {
    /// `PlanVerdict.OK`, `BLOCKED` or `NEEDS_DECISION`.
    #[getter]
    fn verdict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        member(py, EnumClass::PlanVerdict, self.inner.verdict.as_str())
    }

    /// The CLI's exit code for the verdict: 0 (ok), 1 (blocked), 3 (needs
    /// a decision).
    #[getter]
    fn exit_code(&self) -> i32 {
        self.inner.verdict.exit_code()
    }

    /// One line for people.
    #[getter]
    fn summary(&self) -> &str {
        &self.inner.summary
    }

    /// The release plan's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }

    /// Every release as planned, in the order of the release plan (the
    /// JSON's `releases`: `id`, `service`, `version`, `wave`, `requested`,
    /// `proposed`, `blastRadius`, …).
    #[getter]
    fn releases<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.releases)
    }

    /// The waves, providers before consumers (`number`, `releases`).
    #[getter]
    fn waves<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.waves)
    }

    /// API contracts a release would break (`release`, `kind`, `provider`,
    /// `consumer`, `api`, `change`, `message`).
    #[getter]
    fn violations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.violations)
    }

    /// Hard-dependency cycles among the released services (`environment`,
    /// `path`, `released`, `message`).
    #[getter]
    fn cycles<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.cycles)
    }

    /// Schedule conflicts of the requested windows (`kind`, `releases`,
    /// `blocking`, `message`).
    #[getter]
    fn conflicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.conflicts)
    }

    /// The release with id `id` (`service@environment`) as plain data, or
    /// `None`.
    fn release<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.release(id).map(|r| json(py, r)).transpose()
    }

    /// The plan as plain Python data: `json.loads(self.to_json())`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, self.inner.as_ref())
    }

    /// The plan as JSON, byte for byte the core's `Plan::to_json()` (what
    /// `release-policy plan --format json` prints, without the final
    /// newline).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The plan as plain text (`release-policy plan`).
    fn to_text(&self) -> String {
        self.inner.to_text()
    }

    /// The plan as Markdown with a Mermaid diagram (`--format markdown`).
    fn to_markdown(&self) -> String {
        self.inner.to_markdown()
    }

    /// The plan as Graphviz DOT (`--format dot`).
    fn to_dot(&self) -> String {
        self.inner.to_dot()
    }

    /// The plan as a Mermaid flowchart (`--format mermaid`).
    fn to_mermaid(&self) -> String {
        self.inner.to_mermaid()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Plan {} {} ({} releases, {} waves)>",
            self.inner.verdict.as_str(),
            self.inner.name,
            self.inner.releases.len(),
            self.inner.waves.len()
        )
    }
}

/// The result of `Bundle.can_i_deploy`: may this version of a service go
/// to an environment, as far as the API contracts of the catalog tell?
#[pyclass(frozen, module = "release_policy")]
pub struct Deployability {
    inner: Arc<CoreDeployability>,
}

impl Deployability {
    pub(crate) fn new(inner: CoreDeployability) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }
}

#[pymethods]
impl Deployability {
    /// Whether no contract breaks.
    #[getter]
    fn deployable(&self) -> bool {
        self.inner.deployable
    }

    /// One line for people.
    #[getter]
    fn summary(&self) -> &str {
        &self.inner.summary
    }

    /// The service.
    #[getter]
    fn service(&self) -> &str {
        &self.inner.service
    }

    /// The version asked about.
    #[getter]
    fn version(&self) -> &str {
        &self.inner.version
    }

    /// The environment.
    #[getter]
    fn environment(&self) -> &str {
        &self.inner.environment
    }

    /// The API versions that version provides, by the catalog (api →
    /// version).
    #[getter]
    fn provides<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.provides)
    }

    /// The contracts it would break, as plain data (as `Plan.violations`).
    #[getter]
    fn violations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.violations)
    }

    /// Who depends on it there (`hard`, `soft`, `weight`, `worstPath`).
    #[getter]
    fn blast_radius<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.blast_radius)
    }

    /// The answer as plain Python data: `json.loads(self.to_json())`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, self.inner.as_ref())
    }

    /// The answer as JSON, byte for byte the core's
    /// `Deployability::to_json()` (`release-policy can-i-deploy --format
    /// json`, without the final newline).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Deployability {} {}@{} to {} ({} violations)>",
            if self.inner.deployable { "yes" } else { "no" },
            self.inner.service,
            self.inner.version,
            self.inner.environment,
            self.inner.violations.len()
        )
    }
}
