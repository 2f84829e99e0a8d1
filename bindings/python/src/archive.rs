//! `release_policy.Archive`: the audit archive from Python. Opening,
//! recording, verifying, signing checkpoints, backtesting and the portfolio
//! report are the `release-policy-archive` and `release-policy-report`
//! crates' (the same functions the CLI calls); this module only converts
//! arguments and answers (records and reports as `json.loads` gives them).
//! The GIL is released while the archive works.

use std::sync::Mutex;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use release_policy::audit::{AuditRecord, Entry, EntryKind, PublicKey, SigningKey};
use release_policy::{Bundle as CoreBundle, Error, ErrorCode};
use release_policy_archive::{Archive as CoreArchive, Filter, VerifyOptions};
use serde_json::Value;

use crate::review::{Records, timestamp};
use crate::{Bundle, detached};

/// An audit archive: a tamper-evident hash chain of decisions,
/// assessments, plans, reviews and release records, in SQLite (a file
/// path, created if missing) or PostgreSQL (a `postgres://` URL). Pass it
/// as `archive=` to `Bundle.check` / `Bundle.assess` to record what they
/// decide. Thread-safe: calls on one archive take turns.
#[pyclass(frozen, module = "release_policy")]
pub struct Archive {
    inner: Mutex<Box<dyn CoreArchive>>,
    location: String,
}

fn poisoned() -> Error {
    Error::audit(
        ErrorCode::ArchiveUnavailable,
        None,
        "the archive's connection was lost in a panic; open it again",
    )
}

impl Archive {
    /// Run `f` on the archive, without the GIL.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut dyn CoreArchive) -> Result<T, Error> + Send,
    ) -> PyResult<T> {
        detached(py, || {
            let mut guard = self.inner.lock().map_err(|_| poisoned())?;
            f(guard.as_mut())
        })
    }

    /// Record `entry` decided by `bundle` (called by `Bundle.check` and
    /// `Bundle.assess` inside their own GIL-free section).
    pub(crate) fn record(&self, bundle: &CoreBundle, entry: Entry) -> Result<AuditRecord, Error> {
        let mut guard = self.inner.lock().map_err(|_| poisoned())?;
        release_policy_archive::record(guard.as_mut(), Some(bundle), entry)
    }
}

fn to_json(py: Python<'_>, value: &impl serde::Serialize) -> PyResult<Py<PyAny>> {
    let v: Value = serde_json::to_value(value).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(pythonize::pythonize(py, &v)?.unbind())
}

fn instant(value: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<String>> {
    value
        .map(|v| timestamp(name, v).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)))
        .transpose()
}

#[pymethods]
impl Archive {
    /// Open (creating and migrating as needed) the archive at `target`: a
    /// `postgres://` or `postgresql://` URL, else an SQLite file path.
    #[new]
    fn new(py: Python<'_>, target: &str) -> PyResult<Archive> {
        let inner = detached(py, || release_policy_archive::open(target))?;
        Ok(Archive {
            location: inner.location().to_string(),
            inner: Mutex::new(inner),
        })
    }

    /// Where the archive is (a URL without its password).
    #[getter]
    fn location(&self) -> &str {
        &self.location
    }

    /// `(count, head hash)` of the chain, or `None` when it is empty.
    fn head(&self, py: Python<'_>) -> PyResult<Option<(u64, String)>> {
        self.with(py, |a| a.head())
    }

    /// Archive every release record of `records`, in one transaction;
    /// returns how many were added.
    fn add_records(&self, py: Python<'_>, records: &Records) -> PyResult<usize> {
        let records = &records.inner;
        self.with(py, |a| {
            release_policy_archive::add_records(a, records).map(|r| r.len())
        })
    }

    /// The archived records (dicts with the fields `audit export` writes),
    /// in chain order, narrowed by release, service, kind (`check`,
    /// `assess`, `plan`, `review`, `record`) and a period of their `now`
    /// (`since` inclusive, `until` exclusive; `datetime` or RFC 3339 text).
    #[pyo3(signature = (*, release = None, service = None, kind = None, since = None, until = None))]
    fn records(
        &self,
        py: Python<'_>,
        release: Option<String>,
        service: Option<String>,
        kind: Option<&str>,
        since: Option<&Bound<'_, PyAny>>,
        until: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let kinds = match kind {
            None => Vec::new(),
            Some(k) => vec![EntryKind::parse(k).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "`{k}` is not a kind: check, assess, plan, review or record"
                ))
            })?],
        };
        let filter = Filter {
            kinds,
            release,
            service,
            since: instant(since, "since")?,
            until: instant(until, "until")?,
        };
        let records = self.with(py, |a| {
            let mut out = Vec::new();
            a.scan(&filter, &mut |r| {
                out.push(r);
                true
            })?;
            Ok(out)
        })?;
        to_json(py, &records)
    }

    /// Verify the chain: a dict with `verification` (`count`, `head`,
    /// `breaks`, …) and, with `replay=True`, how many decisions replayed to
    /// the same bytes. With `public_key` (SPKI PEM text), every stored
    /// checkpoint must verify with it (else `ReleasePolicyError` RP1002)
    /// and the chain is held to each. `intact` says whether it verified.
    #[pyo3(signature = (*, public_key = None, replay = false))]
    fn verify(
        &self,
        py: Python<'_>,
        public_key: Option<&str>,
        replay: bool,
    ) -> PyResult<Py<PyAny>> {
        let key = public_key
            .map(|k| PublicKey::from_pem("public_key", k))
            .transpose()
            .map_err(|e| crate::errors::to_py_err(py, &e))?;
        let options = VerifyOptions {
            replay,
            key,
            checkpoints: Vec::new(),
        };
        let report = self.with(py, |a| release_policy_archive::verify(a, &options))?;
        let intact = report.verification.is_intact();
        let mut v = serde_json::to_value(&report).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("intact".into(), Value::Bool(intact));
        }
        Ok(pythonize::pythonize(py, &v)?.unbind())
    }

    /// Verify the chain, sign its head with `private_key` (PKCS#8 PEM text
    /// of an Ed25519 key) and store the checkpoint; returns it as a dict.
    fn checkpoint(&self, py: Python<'_>, private_key: &str) -> PyResult<Py<PyAny>> {
        let key = SigningKey::from_pem("private_key", private_key)
            .map_err(|e| crate::errors::to_py_err(py, &e))?;
        let c = self.with(py, |a| release_policy_archive::checkpoint(a, &key))?;
        to_json(py, &c)
    }

    /// Replay the archived checks and assessments of a period through
    /// `bundle`: which verdicts and rules would change (a dict, as
    /// `release-policy backtest --format json` prints). Runs on every core.
    #[pyo3(signature = (bundle, *, since = None, until = None))]
    fn backtest(
        &self,
        py: Python<'_>,
        bundle: &Bundle,
        since: Option<&Bound<'_, PyAny>>,
        until: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let filter = Filter {
            since: instant(since, "since")?,
            until: instant(until, "until")?,
            ..Filter::default()
        };
        let bundle = &bundle.inner;
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let result = self.with(py, |a| {
            release_policy_archive::backtest(a, bundle, &filter, threads, &|_| {})
        })?;
        to_json(py, &result)
    }

    /// The portfolio report of every archived record: one self-contained
    /// HTML page (`format="html"`) or Markdown; `bundle` (default: the
    /// built-in pack) reviews the release records.
    #[pyo3(signature = (*, bundle = None, format = "html"))]
    fn report(&self, py: Python<'_>, bundle: Option<&Bundle>, format: &str) -> PyResult<String> {
        if !matches!(format, "html" | "markdown") {
            return Err(PyValueError::new_err(format!(
                "`{format}` is not a report format: html or markdown"
            )));
        }
        let builtin;
        let bundle = match bundle {
            Some(b) => &b.inner,
            None => {
                builtin = CoreBundle::builtin();
                &builtin
            }
        };
        let markdown = format == "markdown";
        self.with(py, |a| {
            let mut records = Vec::new();
            a.scan(&Filter::default(), &mut |r| {
                records.push(r);
                true
            })?;
            let p = release_policy_report::Portfolio::from_records(records, bundle, None)?;
            Ok(if markdown {
                p.to_markdown()
            } else {
                p.to_html()
            })
        })
    }

    fn __repr__(&self) -> String {
        format!("<Archive {}>", self.location)
    }
}
