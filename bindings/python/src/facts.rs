//! Facts from Python: a `dict` (as `json.loads` gives) becomes a
//! `serde_json::Value` with the GIL held, strictly — every value must be one
//! JSON can hold, and a value that cannot is a [`FactsError`] naming its JSON
//! path, never a silent change (pythonize would turn `nan` into `null` and a
//! `set` into a list, and names no path). `str` and `bytes` are YAML or JSON
//! text, parsed by the core like the CLI does.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use release_policy::{Bundle, ErrorCode, Facts, FactsError, RolloutFacts};
use serde_json::{Map, Number, Value};

use crate::de::PyDe;

/// Facts as received from Python, ready to be decided without the GIL.
pub(crate) enum Input {
    /// A `dict`, already converted to JSON.
    Value(Value),
    /// YAML or JSON text.
    Text(String),
    /// YAML or JSON bytes (must be UTF-8).
    Bytes(Vec<u8>),
    /// Release facts read in place from a `dict` (`from_py_release`).
    Facts(Box<Facts>),
}

impl Input {
    /// Read the facts argument of `check` or `assess`: a `dict`, a `str`
    /// or `bytes`.
    /// `Ok(Err(_))` is bad facts; `Err(_)` is a wrong argument type.
    pub(crate) fn from_py(
        obj: &Bound<'_, PyAny>,
        max_depth: usize,
    ) -> PyResult<Result<Input, FactsError>> {
        if obj.is_instance_of::<PyDict>() {
            let nesting = Nesting {
                left: max_depth,
                max: max_depth,
            };
            Ok(to_json(obj, nesting)
                .map(Input::Value)
                .map_err(|bad| bad.into_error()))
        } else if let Ok(s) = obj.cast::<PyString>() {
            Ok(match s.to_str() {
                Ok(text) => Ok(Input::Text(text.to_owned())),
                Err(_) => Err(FactsError::new(
                    ErrorCode::FactsNotUtf8,
                    "facts text is not valid unicode (a lone surrogate)",
                )),
            })
        } else if let Ok(b) = obj.cast::<PyBytes>() {
            Ok(Ok(Input::Bytes(b.as_bytes().to_vec())))
        } else {
            Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "facts must be a dict, str or bytes, not `{}`",
                type_name(obj)
            )))
        }
    }

    /// As [`Input::from_py`], for release facts: a `dict` is read in place
    /// into the facts, with no JSON value between. Only a `dict` that is
    /// refused (a value JSON cannot hold, a wrong type, a failed check)
    /// goes through the JSON conversion, which names what is wrong and
    /// where, exactly as before.
    pub(crate) fn from_py_release(
        obj: &Bound<'_, PyAny>,
        max_depth: usize,
    ) -> PyResult<Result<Input, FactsError>> {
        if obj.is_instance_of::<PyDict>()
            && let Ok(facts) = Facts::from_deserializer(PyDe::new(obj, max_depth))
        {
            return Ok(Ok(Input::Facts(Box::new(facts))));
        }
        Self::from_py(obj, max_depth)
    }

    /// Parse into [`Facts`] within the bundle's limits (no GIL needed).
    pub(crate) fn into_facts(self, bundle: &Bundle) -> Result<Facts, FactsError> {
        match self {
            // The core parses without path bookkeeping and validates; the
            // path is worked out only for an error.
            Input::Value(v) => Facts::from_json_value(v, bundle.limits()),
            Input::Text(t) => Facts::from_str_with_limits(&t, bundle.limits()),
            Input::Bytes(b) => Facts::from_slice(&b, bundle.limits()),
            Input::Facts(f) => Ok(*f),
        }
    }

    /// Parse into [`RolloutFacts`] within the bundle's limits (no GIL
    /// needed), for `assess`. Text and bytes are parsed and validated by
    /// the core's own functions, as `Bundle::assess_str` does.
    pub(crate) fn into_rollout_facts(self, bundle: &Bundle) -> Result<RolloutFacts, FactsError> {
        match self {
            Input::Value(v) => RolloutFacts::from_json_value(v, bundle.limits()),
            Input::Text(t) => RolloutFacts::from_str_with_limits(&t, bundle.limits()),
            Input::Bytes(b) => RolloutFacts::from_slice(&b, bundle.limits()),
            // Only `from_py_release` reads release facts in place.
            Input::Facts(_) => Err(FactsError::new(
                ErrorCode::FactsWrongType,
                "release facts were given where rollout facts are needed",
            )),
        }
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// A value that JSON cannot hold, and where: the path is collected on the
/// way out, so the common case builds no path at all.
pub(crate) struct Bad {
    /// Path steps, innermost first.
    steps: Vec<Step>,
    /// What is wrong (message and hint; the path is added at the top).
    error: FactsError,
}

enum Step {
    Key(String),
    Index(usize),
}

impl Bad {
    fn new(error: FactsError) -> Box<Bad> {
        Box::new(Bad {
            steps: Vec::new(),
            error,
        })
    }

    fn within(mut self: Box<Bad>, step: Step) -> Box<Bad> {
        self.steps.push(step);
        self
    }

    /// The error with its JSON path (`$.ci.suites[0].name`), written as
    /// the core writes paths.
    pub(crate) fn into_error(self) -> FactsError {
        let mut path = String::from("$");
        for step in self.steps.iter().rev() {
            match step {
                Step::Key(k) => {
                    path.push('.');
                    path.push_str(k);
                }
                Step::Index(i) => path.push_str(&format!("[{i}]")),
            }
        }
        self.error.at(path)
    }
}

/// How many more `dict`/`list` levels may open: the core's YAML nesting
/// limit, which also stops a `dict` that contains itself.
#[derive(Clone, Copy)]
pub(crate) struct Nesting {
    /// Levels left.
    pub left: usize,
    /// The limit, for the message.
    pub max: usize,
}

impl Nesting {
    fn deeper(self) -> Result<Nesting, Box<Bad>> {
        match self.left.checked_sub(1) {
            Some(left) => Ok(Nesting { left, ..self }),
            None => Err(Bad::new(
                FactsError::new(
                    ErrorCode::FactsOverLimit,
                    format!(
                        "`dict`/`list` nesting deeper than the limit of {}",
                        self.max
                    ),
                )
                .with_hint("the limit is `Limits::max_yaml_nesting`, as for YAML and JSON text"),
            )),
        }
    }
}

fn utf8<'a>(s: &'a Bound<'_, PyString>, what: &str) -> Result<&'a str, Box<Bad>> {
    s.to_str().map_err(|_| {
        Bad::new(FactsError::new(
            ErrorCode::FactsNotUtf8,
            format!("{what} is not valid unicode (a lone surrogate)"),
        ))
    })
}

/// Python → JSON, strictly: `dict` (string keys), `list`/`tuple`, `str`,
/// `int` (64 bits), finite `float`, `bool` and `None`; anything else is an
/// error naming the value's type.
pub(crate) fn to_json(obj: &Bound<'_, PyAny>, depth: Nesting) -> Result<Value, Box<Bad>> {
    // Most frequent types first; each test is a type-flag check.
    if let Ok(s) = obj.cast::<PyString>() {
        Ok(Value::String(utf8(s, "string")?.to_owned()))
    } else if let Ok(d) = obj.cast::<PyDict>() {
        let depth = depth.deeper()?;
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                let shown = k.repr().map(|r| r.to_string()).unwrap_or_default();
                return Err(Bad::new(
                    FactsError::new(
                        ErrorCode::FactsWrongType,
                        format!("key `{shown}` (a `{}`) is not a string", type_name(&k)),
                    )
                    .with_hint("JSON object keys are strings"),
                ));
            };
            let key = utf8(key, "key")?;
            match to_json(&v, depth) {
                Ok(value) => map.insert(key.to_owned(), value),
                Err(bad) => return Err(bad.within(Step::Key(key.to_owned()))),
            };
        }
        Ok(Value::Object(map))
    } else if let Ok(l) = obj.cast::<PyList>() {
        let depth = depth.deeper()?;
        let mut items = Vec::with_capacity(l.len());
        for (i, item) in l.iter().enumerate() {
            items.push(to_json(&item, depth).map_err(|bad| bad.within(Step::Index(i)))?);
        }
        Ok(Value::Array(items))
    } else if let Ok(b) = obj.cast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            Ok(Value::from(i))
        } else if let Ok(u) = obj.extract::<u64>() {
            Ok(Value::from(u))
        } else {
            let shown = obj.str().map(|s| s.to_string()).unwrap_or_default();
            Err(Bad::new(FactsError::new(
                ErrorCode::FactsInvalidValue,
                format!("integer `{shown}` does not fit in 64 bits"),
            )))
        }
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        Number::from_f64(v).map(Value::Number).ok_or_else(|| {
            Bad::new(
                FactsError::new(
                    ErrorCode::FactsInvalidValue,
                    format!("`{v}` is not a JSON number"),
                )
                .with_hint("JSON has no NaN or infinity; leave the field out or use None"),
            )
        })
    } else if obj.is_none() {
        Ok(Value::Null)
    } else if let Ok(t) = obj.cast::<PyTuple>() {
        let depth = depth.deeper()?;
        let mut items = Vec::with_capacity(t.len());
        for (i, item) in t.iter().enumerate() {
            items.push(to_json(&item, depth).map_err(|bad| bad.within(Step::Index(i)))?);
        }
        Ok(Value::Array(items))
    } else {
        Err(Bad::new(
            FactsError::new(
                ErrorCode::FactsWrongType,
                format!("a `{}` is not a JSON value", type_name(obj)),
            )
            .with_hint(
                "facts hold only dict, list, str, int, float, bool and None \
                 (timestamps as RFC 3339 strings)",
            ),
        ))
    }
}
