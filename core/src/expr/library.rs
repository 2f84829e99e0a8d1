//! The function library added to standard CEL: durations (`days`, `hours`,
//! `minutes`, `formatDuration`), semantic versions (`semver.compare`,
//! `semver.valid`, `satisfies`, `major`, `minor`, `patch`), ratios (`ratio`,
//! `percent`) and lists (`latestBy`, `increasing`). Every function is pure;
//! a bad argument is an evaluation error (and so a failed rule), never a
//! panic.

use std::cmp::Ordering;

use chrono::TimeDelta;

use super::budget::{Budget, ErrorClass, EvalError, R, excerpt};
use super::functions::built_list;
use super::value::{Val, equal_cost, order, order_work};

/// The names this library adds, for the static checks.
pub(crate) const FUNCTIONS: &[&str] = &[
    "days",
    "hours",
    "minutes",
    "semver.compare",
    "semver.valid",
    "satisfies",
    "major",
    "minor",
    "patch",
    "ratio",
    "percent",
    "formatDuration",
    "latestBy",
    "increasing",
];

/// A function of the library.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lib {
    Days,
    Hours,
    Minutes,
    SemverCompare,
    SemverValid,
    Satisfies,
    Major,
    Minor,
    Patch,
    Ratio,
    Percent,
    FormatDuration,
    LatestBy,
    Increasing,
}

impl Lib {
    /// The function called `name`.
    pub(crate) fn of(name: &str) -> Option<Lib> {
        Some(match name {
            "days" => Lib::Days,
            "hours" => Lib::Hours,
            "minutes" => Lib::Minutes,
            "semver.compare" => Lib::SemverCompare,
            "semver.valid" => Lib::SemverValid,
            "satisfies" => Lib::Satisfies,
            "major" => Lib::Major,
            "minor" => Lib::Minor,
            "patch" => Lib::Patch,
            "ratio" => Lib::Ratio,
            "percent" => Lib::Percent,
            "formatDuration" => Lib::FormatDuration,
            "latestBy" => Lib::LatestBy,
            "increasing" => Lib::Increasing,
            _ => return None,
        })
    }

    /// Its name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Lib::Days => "days",
            Lib::Hours => "hours",
            Lib::Minutes => "minutes",
            Lib::SemverCompare => "semver.compare",
            Lib::SemverValid => "semver.valid",
            Lib::Satisfies => "satisfies",
            Lib::Major => "major",
            Lib::Minor => "minor",
            Lib::Patch => "patch",
            Lib::Ratio => "ratio",
            Lib::Percent => "percent",
            Lib::FormatDuration => "formatDuration",
            Lib::LatestBy => "latestBy",
            Lib::Increasing => "increasing",
        }
    }
}

fn fail(lib: Lib, message: impl Into<String>) -> EvalError {
    EvalError::new(
        ErrorClass::Argument,
        format!("`{}`: {}", lib.name(), message.into()),
    )
}

/// Call `lib`: `None` when there is no overload for the arguments.
pub(crate) fn call<'a>(lib: Lib, args: &[Val<'a>], budget: &Budget) -> Option<R<'a>> {
    Some(match (lib, args) {
        (Lib::Days, [Val::Int(n)]) => span(lib, *n, 86_400_000),
        (Lib::Hours, [Val::Int(n)]) => span(lib, *n, 3_600_000),
        (Lib::Minutes, [Val::Int(n)]) => span(lib, *n, 60_000),
        (Lib::FormatDuration, [Val::Duration(d)]) => Ok(Val::string(
            crate::model::Duration::from_millis(d.num_milliseconds()).to_string(),
        )),
        (Lib::SemverCompare, [Val::Str(a), Val::Str(b)]) => {
            version(lib, a.as_str()).and_then(|a| {
                let b = version(lib, b.as_str())?;
                // SemVer precedence: build metadata does not order versions.
                Ok(Val::Int(a.cmp_precedence(&b) as i64))
            })
        }
        (Lib::SemverValid, [Val::Str(s)]) => Ok(Val::Bool(
            semver::Version::parse(s.as_str().trim_start_matches('v')).is_ok(),
        )),
        (Lib::Satisfies, [Val::Str(v), Val::Str(req)]) => version(lib, v.as_str()).and_then(|v| {
            let r = semver::VersionReq::parse(req.as_str()).map_err(|e| {
                fail(
                    lib,
                    format!(
                        "invalid version requirement `{}`: {e}",
                        excerpt(req.as_str())
                    ),
                )
            })?;
            Ok(Val::Bool(r.matches(&v)))
        }),
        (Lib::Major | Lib::Minor | Lib::Patch, [Val::Str(s)]) => {
            version(lib, s.as_str()).and_then(|v| {
                let part = match lib {
                    Lib::Major => v.major,
                    Lib::Minor => v.minor,
                    _ => v.patch,
                };
                i64::try_from(part)
                    .map(Val::Int)
                    .map_err(|_| fail(lib, "version component too large"))
            })
        }
        (Lib::Ratio | Lib::Percent, [a, b]) => {
            let scale = if lib == Lib::Ratio { 1.0 } else { 100.0 };
            #[allow(clippy::cast_precision_loss)]
            let (a, b) = match (a, b) {
                (Val::Double(a), Val::Double(b)) => (*a, *b),
                (Val::Int(a), Val::Int(b)) => (*a as f64, *b as f64),
                _ => return None,
            };
            if b == 0.0 || !a.is_finite() || !b.is_finite() {
                Err(fail(lib, format!("cannot divide `{a}` by `{b}`")))
            } else {
                Ok(Val::Double(a / b * scale))
            }
        }
        (Lib::LatestBy, [Val::List(list), Val::Str(key), Val::Str(at)]) => {
            latest_by(list, key.as_str(), at.as_str(), budget)
        }
        (Lib::Increasing, [Val::List(list)]) => increasing(list, budget),
        _ => return None,
    })
}

fn span<'a>(lib: Lib, n: i64, unit_ms: i64) -> R<'a> {
    n.checked_mul(unit_ms)
        .filter(|ms| ms.abs() <= 100 * 365 * 86_400_000)
        .map(|ms| Val::Duration(TimeDelta::milliseconds(ms)))
        .ok_or_else(|| fail(lib, format!("`{n}` is out of range")))
}

fn version(lib: Lib, s: &str) -> Result<semver::Version, EvalError> {
    semver::Version::parse(s.trim_start_matches('v')).map_err(|e| {
        fail(
            lib,
            format!("invalid semantic version `{}`: {e}", excerpt(s)),
        )
    })
}

/// `latestBy(items, "tool", "completedAt")`: of the maps in `items`, for
/// each distinct value of the `key` field, the one whose `at` field is the
/// greatest (the first of equals), in their original order.
fn latest_by<'a>(list: &super::value::List<'a>, key: &str, at: &str, budget: &Budget) -> R<'a> {
    let lib = Lib::LatestBy;
    budget.step(list.len() as u64)?;
    // (key, at, index) of the winner of each key.
    let mut winners: Vec<(Val<'a>, Val<'a>, usize)> = Vec::new();
    let mut all = Vec::with_capacity(list.len());
    for (index, item) in list.iter().enumerate() {
        let Val::Map(m) = &item else {
            return Err(fail(lib, "expects a list of maps"));
        };
        let missing = |f: &str| {
            EvalError::new(
                ErrorClass::Missing,
                format!("no such field `{f}` in the facts"),
            )
        };
        let k = m.field(key).ok_or_else(|| missing(key))?;
        let t = m.field(at).ok_or_else(|| missing(at))?;
        let mut work = 0;
        let found = winners.iter_mut().find(|(wk, _, _)| {
            let (eq, w) = equal_cost(wk, &k);
            work += w;
            eq
        });
        budget.step(work)?;
        match found {
            None => winners.push((k, t, index)),
            Some(w) => {
                budget.step(order_work(&t, &w.1))?;
                let later =
                    order(&t, &w.1).ok_or_else(|| fail(lib, "the `at` field cannot be ordered"))?;
                if later == Ordering::Greater {
                    w.1 = t;
                    w.2 = index;
                }
            }
        }
        all.push(item);
    }
    let mut keep: Vec<usize> = winners.iter().map(|w| w.2).collect();
    keep.sort_unstable();
    let out: Vec<Val<'a>> = keep
        .into_iter()
        .filter_map(|i| all.get(i).cloned())
        .collect();
    built_list(out, budget)
}

/// `increasing([5, 25, 50])`: whether every element is greater than the
/// one before it.
fn increasing<'a>(list: &super::value::List<'a>, budget: &Budget) -> R<'a> {
    budget.step(list.len() as u64)?;
    let mut prev: Option<Val<'a>> = None;
    for item in list.iter() {
        if let Some(p) = &prev {
            budget.step(order_work(p, &item))?;
            let o = order(p, &item)
                .ok_or_else(|| fail(Lib::Increasing, "the elements cannot be ordered"))?;
            if o != Ordering::Less {
                return Ok(Val::Bool(false));
            }
        }
        prev = Some(item);
    }
    Ok(Val::Bool(true))
}
