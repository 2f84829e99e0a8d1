//! The reference interpreter: the `cel` crate's own evaluator with our
//! [function library](super::library) registered as `cel` overloads. It
//! decides nothing; the differential tests and the fuzz target check that
//! the compiled evaluator gives the same value, or the same class of error,
//! for every expression they try (see `docs/cel-functions.md`, "How CEL is
//! evaluated", for the recorded departures). The parser also uses this
//! environment, for its macros.

use std::cmp::Ordering;

use cel::common::types::{
    CelBool, CelDouble, CelDuration, CelInt, CelList, CelString, LIST_TYPE, STRING_TYPE,
};
use cel::common::value::{CowVal, Val};
use cel::{DeclarationError, Env, ExecutionError};

/// The environment: the standard library, the string extension, our
/// library as `cel` overloads and our macros. Parsing uses its macros; its
/// functions serve only the reference interpreter.
pub(crate) fn env() -> Env {
    let mut env = Env::stdlib();
    // Registration can only fail on a duplicate name, which the test
    // `environment_builds` rules out.
    let _ = env.add_extension(cel::extensions::strings);
    let _ = register(&mut env);
    let _ = super::macros::register(&mut env);
    env
}

/// Evaluate `expr` with the reference interpreter over `roots` (a JSON
/// object of the input's roots, typed by `shape`): the `cel` crate's own
/// evaluation, for the differential tests.
pub(crate) fn evaluate(
    expr: &cel::common::ast::IdedExpr,
    shape: &crate::model::shape::Shape,
    roots: &serde_json::Value,
    variables: &[(String, cel::Value)],
) -> Result<cel::Value, cel::ExecutionError> {
    let mut ctx = cel::Context::with_env(std::sync::Arc::clone(&super::ENV));
    for root in shape.field_names() {
        ctx.add_variable_from_value(root, cel::Value::Null);
    }
    if let serde_json::Value::Object(fields) = roots {
        for (name, value) in fields {
            let field = shape
                .field(name)
                .unwrap_or(&crate::model::shape::Shape::Any);
            let mut path = format!("$.{name}");
            if let Ok(v) = super::convert::to_val(value, field, &mut path) {
                if let Ok(v) = cel::Value::try_from(v.as_ref()) {
                    ctx.add_variable_from_value(name.as_str(), v);
                }
            }
        }
    }
    for (name, v) in variables {
        ctx.add_variable_from_value(format!("variables.{name}"), v.clone());
    }
    cel::Value::resolve(expr, &ctx)
}

/// Register the library on `env`.
pub(crate) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_overload(
        "latestBy",
        "latestBy_list_string_string",
        vec![LIST_TYPE, STRING_TYPE, STRING_TYPE],
        latest_by,
    )?;
    env.add_overload("increasing", "increasing_list", vec![LIST_TYPE], increasing)?;
    cel::add_overload!(env, fn days: (CelInt) -> Result<CelDuration>)?;
    cel::add_overload!(env, fn format_duration: (CelDuration) -> CelString, name = "formatDuration")?;
    cel::add_overload!(env, fn hours: (CelInt) -> Result<CelDuration>)?;
    cel::add_overload!(env, fn minutes: (CelInt) -> Result<CelDuration>)?;
    cel::add_overload!(env, fn semver_compare: (CelString, CelString) -> Result<CelInt>,
        name = "semver.compare")?;
    cel::add_overload!(env, fn semver_valid: (CelString) -> CelBool, name = "semver.valid")?;
    cel::add_overload!(env, fn satisfies: (CelString, CelString) -> Result<CelBool>)?;
    cel::add_overload!(env, fn major: (CelString) -> Result<CelInt>)?;
    cel::add_overload!(env, fn minor: (CelString) -> Result<CelInt>)?;
    cel::add_overload!(env, fn patch: (CelString) -> Result<CelInt>)?;
    cel::add_overload!(env, fn ratio: (CelDouble, CelDouble) -> Result<CelDouble>)?;
    cel::add_overload!(env, fn ratio_int: (CelInt, CelInt) -> Result<CelDouble>, name = "ratio")?;
    cel::add_overload!(env, fn percent: (CelDouble, CelDouble) -> Result<CelDouble>)?;
    cel::add_overload!(env, fn percent_int: (CelInt, CelInt) -> Result<CelDouble>, name = "percent")?;
    Ok(())
}

fn span(function: &str, n: i64, unit_ms: i64) -> Result<CelDuration, ExecutionError> {
    n.checked_mul(unit_ms)
        .filter(|ms| ms.abs() <= 100 * 365 * 86_400_000)
        .map(|ms| CelDuration::from(chrono::Duration::milliseconds(ms)))
        .ok_or_else(|| ExecutionError::function_error(function, format!("`{n}` is out of range")))
}

/// `latestBy(items, "tool", "completedAt")`: of the maps in `items`, for
/// each distinct value of the `key` field, the one whose `at` field is the
/// greatest (the first of equals), in their original order. The usual
/// "latest scan per tool" / "latest run per suite" question, in one pass.
fn latest_by<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let fail = |m: String| ExecutionError::function_error("latestBy", m);
    let [list, key, at] = args.as_slice() else {
        return Err(ExecutionError::invalid_argument_count(3, args.len()));
    };
    let iterable = list
        .as_iterable()
        .ok_or_else(|| fail("expects a list".into()))?;
    let mut items = iterable.iter();
    // (key, at, index) of the winner of each key.
    let mut winners: Vec<(CowVal<'_, 'v>, CowVal<'_, 'v>, usize)> = Vec::new();
    let mut all: Vec<&dyn Val> = Vec::new();
    while let Some(item) = items.next() {
        let index = all.len();
        all.push(item);
        let fields = item
            .as_indexer()
            .ok_or_else(|| fail("expects a list of maps".into()))?;
        let k = fields.get(key.as_ref())?;
        let t = fields.get(at.as_ref())?;
        match winners.iter_mut().find(|(wk, _, _)| wk.equals(k.as_ref())) {
            None => winners.push((k, t, index)),
            Some(w) => {
                let later = t
                    .as_comparer()
                    .ok_or_else(|| fail("the `at` field cannot be ordered".into()))?
                    .compare(w.1.as_ref())?;
                if later == Ordering::Greater {
                    w.1 = t;
                    w.2 = index;
                }
            }
        }
    }
    let mut keep: Vec<usize> = winners.iter().map(|w| w.2).collect();
    keep.sort_unstable();
    let out: Vec<Box<dyn Val + 'v>> = keep
        .into_iter()
        .filter_map(|i| all.get(i).map(|v| v.clone_as_boxed()))
        .collect();
    Ok(CowVal::owned(CelList::from(out)))
}

/// `increasing([5, 25, 50])`: whether every element is greater than the one
/// before it (numbers, strings, durations, timestamps; an empty or
/// one-element list is increasing). Elements that cannot be ordered, or
/// ordered against each other, are an error.
fn increasing<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let fail = |m: &str| ExecutionError::function_error("increasing", m.to_string());
    let [list] = args.as_slice() else {
        return Err(ExecutionError::invalid_argument_count(1, args.len()));
    };
    let iterable = list.as_iterable().ok_or_else(|| fail("expects a list"))?;
    let mut items = iterable.iter();
    let mut prev: Option<&dyn Val> = None;
    while let Some(item) = items.next() {
        if let Some(p) = prev {
            let order = p
                .as_comparer()
                .ok_or_else(|| fail("the elements cannot be ordered"))?
                .compare(item)?;
            if order != Ordering::Less {
                return Ok(CowVal::owned(CelBool::from(false)));
            }
        }
        prev = Some(item);
    }
    Ok(CowVal::owned(CelBool::from(true)))
}

/// `7m`, `1h30m`, `14d`: the way durations are written in facts.
fn format_duration(d: &CelDuration) -> CelString<'static> {
    CelString::from(crate::model::Duration::from_millis(d.num_milliseconds()).to_string())
}

fn days(n: &CelInt) -> Result<CelDuration, ExecutionError> {
    span("days", **n, 86_400_000)
}

fn hours(n: &CelInt) -> Result<CelDuration, ExecutionError> {
    span("hours", **n, 3_600_000)
}

fn minutes(n: &CelInt) -> Result<CelDuration, ExecutionError> {
    span("minutes", **n, 60_000)
}

fn version(function: &str, s: &str) -> Result<semver::Version, ExecutionError> {
    semver::Version::parse(s.trim_start_matches('v')).map_err(|e| {
        ExecutionError::function_error(function, format!("invalid semantic version `{s}`: {e}"))
    })
}

fn semver_compare(a: &CelString<'_>, b: &CelString<'_>) -> Result<CelInt, ExecutionError> {
    let (a, b) = (version("semver.compare", a)?, version("semver.compare", b)?);
    // SemVer precedence: build metadata does not order versions.
    Ok(CelInt::from(a.cmp_precedence(&b) as i64))
}

fn semver_valid(s: &CelString<'_>) -> CelBool {
    CelBool::from(semver::Version::parse(s.trim_start_matches('v')).is_ok())
}

fn satisfies(v: &CelString<'_>, req: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    let v = version("satisfies", v)?;
    let r = semver::VersionReq::parse(req).map_err(|e| {
        ExecutionError::function_error(
            "satisfies",
            format!("invalid version requirement `{}`: {e}", &**req),
        )
    })?;
    Ok(CelBool::from(r.matches(&v)))
}

fn part(
    function: &str,
    s: &str,
    pick: fn(&semver::Version) -> u64,
) -> Result<CelInt, ExecutionError> {
    let v = version(function, s)?;
    i64::try_from(pick(&v))
        .map(CelInt::from)
        .map_err(|_| ExecutionError::function_error(function, "version component too large"))
}

fn major(s: &CelString<'_>) -> Result<CelInt, ExecutionError> {
    part("major", s, |v| v.major)
}

fn minor(s: &CelString<'_>) -> Result<CelInt, ExecutionError> {
    part("minor", s, |v| v.minor)
}

fn patch(s: &CelString<'_>) -> Result<CelInt, ExecutionError> {
    part("patch", s, |v| v.patch)
}

fn divide(function: &str, a: f64, b: f64, scale: f64) -> Result<CelDouble, ExecutionError> {
    if b == 0.0 || !a.is_finite() || !b.is_finite() {
        return Err(ExecutionError::function_error(
            function,
            format!("cannot divide `{a}` by `{b}`"),
        ));
    }
    Ok(CelDouble::from(a / b * scale))
}

fn ratio(a: &CelDouble, b: &CelDouble) -> Result<CelDouble, ExecutionError> {
    divide("ratio", **a, **b, 1.0)
}

fn ratio_int(a: &CelInt, b: &CelInt) -> Result<CelDouble, ExecutionError> {
    divide("ratio", **a as f64, **b as f64, 1.0)
}

fn percent(a: &CelDouble, b: &CelDouble) -> Result<CelDouble, ExecutionError> {
    divide("percent", **a, **b, 100.0)
}

fn percent_int(a: &CelInt, b: &CelInt) -> Result<CelDouble, ExecutionError> {
    divide("percent", **a as f64, **b as f64, 100.0)
}
