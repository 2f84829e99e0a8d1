//! The one place a core [`Error`] becomes a Python exception.
//!
//! The exception classes are plain Python classes in
//! `release_policy/_types.py` (they need multiple inheritance:
//! `FactsError` is also a `ValueError`, `PolicyIOError` an `OSError`);
//! they are looked up once and instantiated here with their attributes.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};
use release_policy::{CatalogError, Error, FactsError, PolicyError, SourceLocation};

/// Which Python exception class an error becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `PolicyError` (one or several policy errors).
    Policy,
    /// `FactsError`.
    Facts,
    /// `EvaluationError`.
    Evaluation,
    /// `PolicyIOError`.
    Io,
    /// `CatalogError` (one or several errors of a catalog, a calendar or
    /// a release plan).
    Catalog,
    /// `ReleasePolicyError`: a variant added to the core after this binding.
    Other,
}

impl Kind {
    /// The class name in `release_policy`.
    pub(crate) fn class_name(self) -> &'static str {
        match self {
            Kind::Policy => "PolicyError",
            Kind::Facts => "FactsError",
            Kind::Evaluation => "EvaluationError",
            Kind::Io => "PolicyIOError",
            Kind::Catalog => "CatalogError",
            Kind::Other => "ReleasePolicyError",
        }
    }
}

/// The class an error maps to: every variant of [`Error`] is named here.
pub(crate) fn kind(err: &Error) -> Kind {
    match err {
        Error::Policy(_) | Error::Policies(_) => Kind::Policy,
        Error::Facts(_) => Kind::Facts,
        Error::Evaluation { .. } => Kind::Evaluation,
        Error::Io { .. } => Kind::Io,
        Error::Catalog(_) => Kind::Catalog,
        // `Error` is `#[non_exhaustive]`: a new variant is still a
        // `ReleasePolicyError`, with its message.
        _ => Kind::Other,
    }
}

/// A `release_policy` exception class, imported once.
fn class<'py>(py: Python<'py>, kind: Kind) -> PyResult<&'py Bound<'py, PyType>> {
    static CLASSES: [PyOnceLock<Py<PyType>>; 6] = [
        PyOnceLock::new(),
        PyOnceLock::new(),
        PyOnceLock::new(),
        PyOnceLock::new(),
        PyOnceLock::new(),
        PyOnceLock::new(),
    ];
    let cell = match kind {
        Kind::Policy => &CLASSES[0],
        Kind::Facts => &CLASSES[1],
        Kind::Evaluation => &CLASSES[2],
        Kind::Io => &CLASSES[3],
        Kind::Other => &CLASSES[4],
        Kind::Catalog => &CLASSES[5],
    };
    cell.import(py, "release_policy._types", kind.class_name())
}

/// `0` (unknown) becomes `None`.
fn known(n: usize) -> Option<usize> {
    (n > 0).then_some(n)
}

fn policy_error<'py>(
    py: Python<'py>,
    e: &PolicyError,
    errors: Option<Bound<'py, PyList>>,
) -> PyResult<Bound<'py, PyAny>> {
    let kw = PyDict::new(py);
    kw.set_item("message", &e.message)?;
    kw.set_item("file", &e.location.file)?;
    kw.set_item("line", known(e.location.line))?;
    kw.set_item("column", known(e.location.column))?;
    kw.set_item("rule", &e.rule)?;
    kw.set_item("hint", &e.hint)?;
    kw.set_item("code", e.code().as_str())?;
    kw.set_item("location", e.location.to_string())?;
    if let Some(errors) = errors {
        kw.set_item("errors", errors)?;
    }
    class(py, Kind::Policy)?.call((e.to_string(),), Some(&kw))
}

/// `file`, `line` and `column` of a location (`None` when unknown), and
/// the location as text.
fn set_location(kw: &Bound<'_, PyDict>, at: &SourceLocation) -> PyResult<()> {
    kw.set_item("file", &at.file)?;
    kw.set_item("line", known(at.line))?;
    kw.set_item("column", known(at.column))?;
    kw.set_item("location", at.to_string())
}

fn catalog_error<'py>(
    py: Python<'py>,
    e: &CatalogError,
    errors: Option<Bound<'py, PyList>>,
) -> PyResult<Bound<'py, PyAny>> {
    let kw = PyDict::new(py);
    kw.set_item("message", &e.message)?;
    set_location(&kw, &e.location)?;
    kw.set_item("hint", &e.hint)?;
    kw.set_item("code", e.code().as_str())?;
    if let Some(errors) = errors {
        kw.set_item("errors", errors)?;
    }
    class(py, Kind::Catalog)?.call((e.to_string(),), Some(&kw))
}

fn facts_error<'py>(py: Python<'py>, e: &FactsError) -> PyResult<Bound<'py, PyAny>> {
    let kw = PyDict::new(py);
    kw.set_item("message", &e.message)?;
    kw.set_item("path", &e.path)?;
    kw.set_item("line", e.position.map(|p| p.0))?;
    kw.set_item("column", e.position.map(|p| p.1))?;
    kw.set_item("hint", &e.hint)?;
    kw.set_item("code", e.code().as_str())?;
    kw.set_item("location", e.location())?;
    class(py, Kind::Facts)?.call((e.to_string(),), Some(&kw))
}

fn exception<'py>(py: Python<'py>, err: &Error) -> PyResult<Bound<'py, PyAny>> {
    let text = err.to_string();
    match err {
        Error::Policy(e) => policy_error(py, e, None),
        Error::Policies(es) => {
            let all = es
                .iter()
                .map(|e| policy_error(py, e, None))
                .collect::<PyResult<Vec<_>>>()?;
            let list = PyList::new(py, all)?;
            // The first error's place and rule, every error in `errors`,
            // and all of them in the message.
            let Some(first) = es.first() else {
                return class(py, Kind::Policy)?.call1((text,));
            };
            let exc = policy_error(py, first, Some(list))?;
            exc.setattr("args", (text,))?;
            Ok(exc)
        }
        Error::Catalog(es) if es.len() == 1 => match es.first() {
            Some(e) => catalog_error(py, e, None),
            None => class(py, Kind::Catalog)?.call1((text,)),
        },
        Error::Catalog(es) => {
            let all = es
                .iter()
                .map(|e| catalog_error(py, e, None))
                .collect::<PyResult<Vec<_>>>()?;
            let list = PyList::new(py, all)?;
            // As for several policy errors: the first error's place, code
            // and hint, every error in `errors`, all of them in the message.
            let Some(first) = es.first() else {
                return class(py, Kind::Catalog)?.call1((text,));
            };
            let exc = catalog_error(py, first, Some(list))?;
            exc.setattr("args", (text,))?;
            Ok(exc)
        }
        Error::Facts(e) => facts_error(py, e),
        Error::Evaluation { code, message } => {
            let kw = PyDict::new(py);
            kw.set_item("message", message)?;
            kw.set_item("code", code.as_str())?;
            class(py, kind(err))?.call((text,), Some(&kw))
        }
        Error::Io {
            code,
            path,
            message,
        } => {
            let kw = PyDict::new(py);
            kw.set_item("message", message)?;
            kw.set_item("path", path)?;
            kw.set_item("code", code.as_str())?;
            class(py, kind(err))?.call((text,), Some(&kw))
        }
        _ => {
            let kw = PyDict::new(py);
            kw.set_item("code", err.code().as_str())?;
            kw.set_item("hint", err.hint())?;
            kw.set_item("location", err.location())?;
            class(py, kind(err))?.call((text,), Some(&kw))
        }
    }
}

/// A core error as the matching `release_policy` exception.
pub(crate) fn to_py_err(py: Python<'_>, err: &Error) -> PyErr {
    match exception(py, err) {
        Ok(exc) => PyErr::from_value(exc),
        // Only if the Python package itself is broken (classes missing).
        Err(import_failed) => {
            let e = PyRuntimeError::new_err(err.to_string());
            e.set_cause(py, Some(import_failed));
            e
        }
    }
}

/// A facts error (from converting a `dict`) as `FactsError`.
pub(crate) fn facts_to_py_err(py: Python<'_>, err: FactsError) -> PyErr {
    to_py_err(py, &Error::Facts(Box::new(err)))
}

/// One sample of every [`Error`] variant, for the tests of this mapping
/// (Python cannot reach `Evaluation` honestly: the built-in pack compiles).
pub(crate) fn samples() -> Vec<(&'static str, Error)> {
    use release_policy::ErrorCode;
    let located = PolicyError::new(
        ErrorCode::UnknownFactField,
        SourceLocation::new("p.yaml", 3, 7),
        "unknown field `gatez`",
    )
    .with_rule("r1")
    .with_hint("did you mean `gates`?");
    let whole_file = PolicyError::new(
        ErrorCode::NoRules,
        SourceLocation::file("q.yaml"),
        "no rules",
    );
    vec![
        ("Policy", Error::Policy(Box::new(located.clone()))),
        ("Policies", Error::Policies(vec![located, whole_file])),
        (
            "Facts",
            Error::Facts(Box::new(
                FactsError {
                    position: Some((2, 5)),
                    ..FactsError::new(
                        ErrorCode::FactsWrongType,
                        "invalid type: integer `2`, expected a string",
                    )
                }
                .at("$.release.version")
                .with_input("facts.yaml")
                .with_hint("quote it"),
            )),
        ),
        (
            "Evaluation",
            Error::evaluation(
                ErrorCode::BuiltinPackBroken,
                "the built-in policy pack did not compile: `x`",
            ),
        ),
        (
            "Io",
            Error::io(
                ErrorCode::NotADirectory,
                "/no/such/dir",
                "no such file or directory",
            ),
        ),
        (
            "Catalog",
            Error::Catalog(vec![
                CatalogError::new(
                    ErrorCode::UnknownReference,
                    SourceLocation::new("plan.yaml", 4, 15),
                    "unknown service `paymants`",
                )
                .with_hint("did you mean `payments`?"),
                CatalogError::new(
                    ErrorCode::NoCatalogFiles,
                    SourceLocation::file("catalog"),
                    "no catalog files (`.yaml`, `.yml` or `.json`) in this directory",
                ),
            ]),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_its_own_class() {
        let kinds: Vec<(&str, Kind)> = samples().iter().map(|(n, e)| (*n, kind(e))).collect();
        assert_eq!(
            kinds,
            vec![
                ("Policy", Kind::Policy),
                ("Policies", Kind::Policy),
                ("Facts", Kind::Facts),
                ("Evaluation", Kind::Evaluation),
                ("Io", Kind::Io),
                ("Catalog", Kind::Catalog),
            ]
        );
    }

    #[test]
    fn class_names_are_the_python_ones() {
        let names: Vec<_> = [
            Kind::Policy,
            Kind::Facts,
            Kind::Evaluation,
            Kind::Io,
            Kind::Catalog,
            Kind::Other,
        ]
        .iter()
        .map(|k| k.class_name())
        .collect();
        assert_eq!(
            names,
            [
                "PolicyError",
                "FactsError",
                "EvaluationError",
                "PolicyIOError",
                "CatalogError",
                "ReleasePolicyError"
            ]
        );
    }
}
