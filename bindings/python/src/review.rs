//! `review` as Python objects: the release records (loaded by the core
//! without the GIL), and the arguments of `Bundle.review`,
//! `Bundle.review_release` and `Bundle.history` (timestamps, the period).
//! The answers are plain data: `json.loads` of the core's own JSON.
//!
//! Records are read within the default limits, as the CLI reads them.

use std::path::PathBuf;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyType};
use release_policy::model::Timestamp;
use release_policy::review::Records as CoreRecords;
use release_policy::{Error, ErrorCode, Limits};
use serde_json::Value;

use crate::detached;

/// Release records: what happened to each release (deployment, outcome,
/// incidents, rollback, post-mortem, feedback), for `Bundle.review`,
/// `Bundle.review_release`, `Bundle.history` and `Bundle.check(...,
/// records=...)`. Immutable, thread-safe and cheap to share.
#[pyclass(frozen, module = "release_policy")]
pub struct Records {
    pub(crate) inner: CoreRecords,
}

#[pymethods]
impl Records {
    /// One record file, or every record file (`.yaml`, `.yml`, `.json`,
    /// `.jsonl`) below a directory. YAML holds one record a document, JSON
    /// one record or an array of them, JSON Lines one record a line.
    #[staticmethod]
    fn from_path(py: Python<'_>, path: PathBuf) -> PyResult<Records> {
        let inner = detached(py, || CoreRecords::from_path(&path, &Limits::default()))?;
        Ok(Records { inner })
    }

    /// Records from text; `name` stands for the file in error locations,
    /// and a name ending in `.jsonl` reads the text as JSON Lines (text
    /// starting with `{` or `[` is JSON, anything else YAML).
    #[staticmethod]
    #[pyo3(signature = (text, name = "records.yaml"))]
    fn from_str(py: Python<'_>, text: &str, name: &str) -> PyResult<Records> {
        let inner = detached(py, || {
            CoreRecords::from_sources(
                vec![(name.to_string(), text.to_string())],
                &Limits::default(),
            )
        })?;
        Ok(Records { inner })
    }

    /// How many records there are.
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!("<Records ({} records)>", self.inner.len())
    }
}

/// `datetime.datetime` and `datetime.timezone.utc`, imported once.
fn datetime_types(py: Python<'_>) -> PyResult<(&Bound<'_, PyType>, &Bound<'_, PyAny>)> {
    static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    static UTC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let datetime = DATETIME.import(py, "datetime", "datetime")?;
    let utc = UTC.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("datetime")?
                .getattr("timezone")?
                .getattr("utc")?
                .unbind(),
        )
    })?;
    Ok((datetime, utc.bind(py)))
}

/// RFC 3339 text as the core's `Timestamp`, read as the core reads the
/// timestamps of facts and records.
fn parse(name: &str, text: &str) -> PyResult<Timestamp> {
    serde_json::from_value(Value::String(text.to_string())).map_err(|e| {
        PyValueError::new_err(format!(
            "`{name}` is not an RFC 3339 timestamp (`{text}`): {e}"
        ))
    })
}

/// A timestamp argument: an aware `datetime` or an RFC 3339 `str`. A
/// naive `datetime` is refused (`ValueError`): its time zone would be a
/// guess.
pub(crate) fn timestamp(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Timestamp> {
    if let Ok(s) = obj.cast::<PyString>() {
        return parse(name, s.to_str()?);
    }
    let py = obj.py();
    let (datetime, utc) = datetime_types(py)?;
    if !obj.is_instance(datetime)? {
        let type_name = obj
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "object".into());
        return Err(PyTypeError::new_err(format!(
            "`{name}` must be a datetime or an RFC 3339 str, not `{type_name}`"
        )));
    }
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(format!(
            "`{name}` is a naive datetime: give it a time zone \
             (`tzinfo=datetime.timezone.utc`)"
        )));
    }
    // In UTC first: `isoformat` would write an offset with seconds, which
    // RFC 3339 does not have.
    let text: String = obj
        .call_method1("astimezone", (utc,))?
        .call_method0("isoformat")?
        .extract()?;
    parse(name, &text)
}

/// The period `[from_, to)`: both ends or neither (the core's default
/// period spans the records' deployments).
pub(crate) fn period(
    from: Option<&Bound<'_, PyAny>>,
    to: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<(Timestamp, Timestamp)>> {
    match (from, to) {
        (Some(f), Some(t)) => Ok(Some((timestamp("from_", f)?, timestamp("to", t)?))),
        (None, None) => Ok(None),
        _ => Err(PyValueError::new_err(
            "give both `from_` and `to`, or neither (the default period spans the \
             records' deployments)",
        )),
    }
}

/// JSON text as Python's own `json.loads` reads it: the core's JSON,
/// object keys in its field order, exactly what a caller parsing the CLI's
/// output gets.
pub(crate) fn loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    LOADS.import(py, "json", "loads")?.call1((text,))
}

/// A core value as JSON text, in its field order (for the `history`,
/// which has no `to_json` of its own).
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| {
        Error::evaluation(
            ErrorCode::EvaluationFailed,
            format!("the engine's value did not serialise: `{e}` (please report it)"),
        )
    })
}
