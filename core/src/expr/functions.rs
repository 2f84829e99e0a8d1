//! The functions of the compiled evaluator: the CEL standard functions, the
//! string extension, optionals and our [library](super::library), resolved
//! by name once at load ([`Func::resolve`]) and called with evaluated
//! arguments (the receiver first). Every string or list a function builds
//! is size-checked before it is built.

use std::rc::Rc;

use super::budget::{Budget, ErrorClass, EvalError, R, excerpt};
use super::value::{List, Str, Val};
use super::{library, strings, time};

/// A function of the evaluator.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    Size,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Bool,
    Dyn,
    Type,
    Duration,
    Timestamp,
    Matches,
    Contains,
    StartsWith,
    EndsWith,
    /// A timestamp or duration accessor.
    Get(time::Part),
    CharAt,
    IndexOf,
    LastIndexOf,
    LowerAscii,
    UpperAscii,
    Trim,
    Replace,
    Split,
    Substring,
    Join,
    Format,
    Reverse,
    Quote,
    OptOf,
    OptNone,
    OptOfNonZero,
    HasValue,
    Value,
    OrValue,
    Or,
    /// A function of our library.
    Lib(library::Lib),
}

impl Func {
    /// The function called `name`, as a method (`receiver`) or not, with
    /// `args` arguments besides the receiver.
    pub(crate) fn resolve(name: &str, receiver: bool, args: usize) -> Option<Func> {
        let total = args + usize::from(receiver);
        let f = match name {
            "size" => Func::Size,
            "int" if !receiver => Func::Int,
            "uint" if !receiver => Func::Uint,
            "double" if !receiver => Func::Double,
            "string" if !receiver => Func::String,
            "bytes" if !receiver => Func::Bytes,
            "bool" if !receiver => Func::Bool,
            "dyn" if !receiver => Func::Dyn,
            "type" if !receiver => Func::Type,
            "duration" if !receiver => Func::Duration,
            "timestamp" if !receiver => Func::Timestamp,
            "matches" => Func::Matches,
            "contains" if receiver => Func::Contains,
            "startsWith" if receiver => Func::StartsWith,
            "endsWith" if receiver => Func::EndsWith,
            "charAt" if receiver => Func::CharAt,
            "indexOf" if receiver => Func::IndexOf,
            "lastIndexOf" if receiver => Func::LastIndexOf,
            "lowerAscii" if receiver => Func::LowerAscii,
            "upperAscii" if receiver => Func::UpperAscii,
            "trim" if receiver => Func::Trim,
            "replace" if receiver => Func::Replace,
            "split" if receiver => Func::Split,
            "substring" if receiver => Func::Substring,
            "join" if receiver => Func::Join,
            "format" if receiver => Func::Format,
            "reverse" if receiver => Func::Reverse,
            "strings.quote" => Func::Quote,
            "optional.of" => Func::OptOf,
            "optional.none" => Func::OptNone,
            "optional.ofNonZeroValue" => Func::OptOfNonZero,
            "hasValue" if receiver => Func::HasValue,
            "value" if receiver => Func::Value,
            "orValue" if receiver => Func::OrValue,
            "or" if receiver => Func::Or,
            other => match time::Part::of(other) {
                Some(p) if receiver => Func::Get(p),
                _ => Func::Lib(library::Lib::of(other)?),
            },
        };
        (total <= 3).then_some(f)
    }

    /// The function's name, for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Func::Size => "size",
            Func::Int => "int",
            Func::Uint => "uint",
            Func::Double => "double",
            Func::String => "string",
            Func::Bytes => "bytes",
            Func::Bool => "bool",
            Func::Dyn => "dyn",
            Func::Type => "type",
            Func::Duration => "duration",
            Func::Timestamp => "timestamp",
            Func::Matches => "matches",
            Func::Contains => "contains",
            Func::StartsWith => "startsWith",
            Func::EndsWith => "endsWith",
            Func::Get(p) => p.name(),
            Func::CharAt => "charAt",
            Func::IndexOf => "indexOf",
            Func::LastIndexOf => "lastIndexOf",
            Func::LowerAscii => "lowerAscii",
            Func::UpperAscii => "upperAscii",
            Func::Trim => "trim",
            Func::Replace => "replace",
            Func::Split => "split",
            Func::Substring => "substring",
            Func::Join => "join",
            Func::Format => "format",
            Func::Reverse => "reverse",
            Func::Quote => "strings.quote",
            Func::OptOf => "optional.of",
            Func::OptNone => "optional.none",
            Func::OptOfNonZero => "optional.ofNonZeroValue",
            Func::HasValue => "hasValue",
            Func::Value => "value",
            Func::OrValue => "orValue",
            Func::Or => "or",
            Func::Lib(l) => l.name(),
        }
    }

    /// Whether a call with constant arguments may be folded at load (a
    /// scalar function of its arguments alone).
    pub(crate) fn is_pure_scalar(self) -> bool {
        !matches!(
            self,
            Func::OptOf
                | Func::OptNone
                | Func::OptOfNonZero
                | Func::Split
                | Func::Lib(library::Lib::LatestBy)
        )
    }
}

/// Call `func` with `args` (the receiver first).
pub(crate) fn call<'a>(func: Func, args: &[Val<'a>], budget: &Budget) -> R<'a> {
    let wrong = || {
        let refs: Vec<&Val<'_>> = args.iter().collect();
        EvalError::overload(func.name(), &refs)
    };
    budget.step(text_cost(func, args))?;
    match (func, args) {
        (Func::Size, [v]) => match v {
            Val::Str(s) => Ok(Val::Int(count(
                s.as_str().chars().count(),
                budget,
                s.as_str(),
            )?)),
            Val::Bytes(b) => Ok(Val::Int(len_i64(b.len()))),
            Val::List(l) => Ok(Val::Int(len_i64(l.len()))),
            Val::Map(m) => Ok(Val::Int(len_i64(m.len()))),
            _ => Err(wrong()),
        },
        (Func::Int | Func::Uint | Func::Double | Func::String | Func::Bytes | Func::Bool, [v]) => {
            convert(func, v, budget).ok_or_else(wrong)?
        }
        (Func::Dyn, [v]) => Ok(v.clone()),
        (Func::Type, [v]) => Ok(Val::Type(v.type_name())),
        (Func::Duration, [v]) => match v {
            Val::Str(s) => time::parse_duration(s.as_str()).map(Val::Duration),
            Val::Duration(_) => Ok(v.clone()),
            _ => Err(wrong()),
        },
        (Func::Timestamp, [v]) => match v {
            Val::Str(s) => time::parse_timestamp(s.as_str()).map(Val::Timestamp),
            Val::Int(secs) => time::from_unix(*secs).map(Val::Timestamp),
            Val::Timestamp(_) => Ok(v.clone()),
            _ => Err(wrong()),
        },
        (Func::Matches, [Val::Str(s), Val::Str(p)]) => {
            let re = budget.regex(p.as_str())?;
            budget.step(1 + s.as_str().len() as u64 / 16)?;
            Ok(Val::Bool(re.is_match(s.as_str())))
        }
        (Func::Contains | Func::StartsWith | Func::EndsWith, [Val::Str(s), Val::Str(t)]) => {
            let (s, t) = (s.as_str(), t.as_str());
            budget.step(1 + s.len() as u64 / 64)?;
            Ok(Val::Bool(match func {
                Func::Contains => s.contains(t),
                Func::StartsWith => s.starts_with(t),
                _ => s.ends_with(t),
            }))
        }
        (Func::Get(part), [v, rest @ ..]) => time::get(part, v, rest).ok_or_else(wrong)?,
        (
            Func::CharAt
            | Func::IndexOf
            | Func::LastIndexOf
            | Func::LowerAscii
            | Func::UpperAscii
            | Func::Trim
            | Func::Replace
            | Func::Split
            | Func::Substring
            | Func::Join
            | Func::Format
            | Func::Reverse
            | Func::Quote,
            _,
        ) => strings::call(func, args, budget).ok_or_else(wrong)?,
        (Func::OptOf, [v]) => Ok(Val::Optional(Some(Rc::new(v.clone())))),
        (Func::OptNone, []) => Ok(Val::Optional(None)),
        (Func::OptOfNonZero, [v]) => Ok(Val::Optional((!is_zero(v)).then(|| Rc::new(v.clone())))),
        (Func::HasValue, [Val::Optional(o)]) => Ok(Val::Bool(o.is_some())),
        (Func::Value, [Val::Optional(o)]) => o.as_ref().map(|v| (**v).clone()).ok_or_else(|| {
            EvalError::new(
                ErrorClass::Missing,
                "optional value is empty: `value()` of none",
            )
        }),
        (Func::OrValue, [Val::Optional(o), d]) => {
            Ok(o.as_ref().map_or_else(|| d.clone(), |v| (**v).clone()))
        }
        (Func::Or, [Val::Optional(o), other @ Val::Optional(_)]) => Ok(if o.is_some() {
            args.first().cloned().unwrap_or(Val::Null)
        } else {
            other.clone()
        }),
        (Func::Lib(lib), _) => library::call(lib, args, budget).ok_or_else(wrong)?,
        _ => Err(wrong()),
    }
}

/// What reading `args`' strings costs `func`, when it does not charge it
/// itself: a step per 64 bytes of text that is parsed (a number, a
/// timestamp, a version, a time zone) or looked up (a pattern from the
/// facts; the string it is matched against is charged by `matches`), and a
/// step per 2 bytes of a duration, whose many units (`1s1s…`) are slow to
/// read (7 MiB of them took 70 ms). A string of the facts is up to
/// megabytes long, and a comprehension reads it once an item.
fn text_cost(func: Func, args: &[Val<'_>]) -> u64 {
    let len = |v: &Val<'_>| match v {
        Val::Str(s) => s.as_str().len() as u64 / 64,
        _ => 0,
    };
    match func {
        Func::Matches => args.get(1).map_or(0, len),
        Func::Duration => match args.first() {
            Some(Val::Str(s)) => s.as_str().len() as u64 / 2,
            _ => 0,
        },
        Func::Int
        | Func::Uint
        | Func::Double
        | Func::Bool
        | Func::Bytes
        | Func::String
        | Func::Timestamp
        | Func::Get(_)
        | Func::Lib(_) => args.iter().map(len).sum(),
        _ => 0,
    }
}

fn len_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A count over a string, charged by its length.
fn count(n: usize, budget: &Budget, s: &str) -> Result<i64, EvalError> {
    budget.step(s.len() as u64 / 64)?;
    Ok(len_i64(n))
}

/// The zero value of its type (`ofNonZeroValue`).
fn is_zero(v: &Val<'_>) -> bool {
    match v {
        Val::Null => true,
        Val::Bool(b) => !b,
        Val::Int(i) => *i == 0,
        Val::Uint(u) => *u == 0,
        Val::Double(d) => *d == 0.0,
        Val::Str(s) => s.as_str().is_empty(),
        Val::Bytes(b) => b.is_empty(),
        Val::List(l) => l.len() == 0,
        Val::Map(m) => m.len() == 0,
        Val::Duration(d) => d.is_zero(),
        Val::Timestamp(t) => t.timestamp() == 0 && t.timestamp_subsec_nanos() == 0,
        Val::Optional(o) => o.is_none(),
        Val::Type(_) => false,
    }
}

fn range_error(what: &str) -> EvalError {
    EvalError::new(ErrorClass::Arithmetic, format!("{what} out of range"))
}

/// A type conversion: `None` when there is no overload for the argument.
fn convert<'a>(func: Func, v: &Val<'a>, budget: &Budget) -> Option<R<'a>> {
    Some(match (func, v) {
        (Func::Int, Val::Int(_)) => Ok(v.clone()),
        (Func::Int, Val::Uint(u)) => i64::try_from(*u)
            .map(Val::Int)
            .map_err(|_| range_error("int")),
        (Func::Int, Val::Double(d)) => {
            if d.is_finite() && *d > -9.223_372_036_854_776e18 && *d < 9.223_372_036_854_776e18 {
                #[allow(clippy::cast_possible_truncation)]
                let i = d.trunc() as i64;
                Ok(Val::Int(i))
            } else {
                Err(range_error("int"))
            }
        }
        (Func::Int, Val::Str(s)) => s.as_str().parse::<i64>().map(Val::Int).map_err(|_| {
            EvalError::new(
                ErrorClass::Argument,
                format!("cannot convert `{}` to an int", excerpt(s.as_str())),
            )
        }),
        (Func::Int, Val::Timestamp(t)) => Ok(Val::Int(t.timestamp())),
        (Func::Uint, Val::Uint(_)) => Ok(v.clone()),
        (Func::Uint, Val::Int(i)) => u64::try_from(*i)
            .map(Val::Uint)
            .map_err(|_| range_error("uint")),
        (Func::Uint, Val::Double(d)) => {
            if d.is_finite() && *d > -1.0 && *d < 1.844_674_407_370_955_2e19 {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let u = d.trunc() as u64;
                Ok(Val::Uint(u))
            } else {
                Err(range_error("uint"))
            }
        }
        (Func::Uint, Val::Str(s)) => s.as_str().parse::<u64>().map(Val::Uint).map_err(|_| {
            EvalError::new(
                ErrorClass::Argument,
                format!("cannot convert `{}` to a uint", excerpt(s.as_str())),
            )
        }),
        (Func::Double, Val::Double(_)) => Ok(v.clone()),
        #[allow(clippy::cast_precision_loss)]
        (Func::Double, Val::Int(i)) => Ok(Val::Double(*i as f64)),
        #[allow(clippy::cast_precision_loss)]
        (Func::Double, Val::Uint(u)) => Ok(Val::Double(*u as f64)),
        (Func::Double, Val::Str(s)) => s.as_str().parse::<f64>().map(Val::Double).map_err(|_| {
            EvalError::new(
                ErrorClass::Argument,
                format!("cannot convert `{}` to a double", excerpt(s.as_str())),
            )
        }),
        (Func::String, Val::Str(_)) => Ok(v.clone()),
        (Func::String, Val::Int(i)) => Ok(Val::string(i.to_string())),
        (Func::String, Val::Uint(u)) => Ok(Val::string(u.to_string())),
        (Func::String, Val::Double(d)) => Ok(Val::string(d.to_string())),
        (Func::String, Val::Bool(b)) => Ok(Val::string(b.to_string())),
        (Func::String, Val::Bytes(b)) => match std::str::from_utf8(b) {
            Ok(s) => budget.string(s.len()).map(|()| Val::string(s)),
            Err(_) => Err(EvalError::new(
                ErrorClass::Argument,
                "bytes are not valid UTF-8",
            )),
        },
        (Func::String, Val::Timestamp(t)) => Ok(Val::string(crate::model::rfc3339(*t))),
        (Func::String, Val::Duration(d)) => Ok(Val::string(time::duration_text(*d))),
        (Func::Bytes, Val::Bytes(_)) => Ok(v.clone()),
        (Func::Bytes, Val::Str(s)) => budget
            .string(s.as_str().len())
            .map(|()| Val::Bytes(Rc::from(s.as_str().as_bytes()))),
        (Func::Bool, Val::Bool(_)) => Ok(v.clone()),
        (Func::Bool, Val::Str(s)) => match s.as_str() {
            "1" | "t" | "true" | "TRUE" | "True" => Ok(Val::Bool(true)),
            "0" | "f" | "false" | "FALSE" | "False" => Ok(Val::Bool(false)),
            other => Err(EvalError::new(
                ErrorClass::Argument,
                format!("cannot convert `{}` to a bool", excerpt(other)),
            )),
        },
        _ => return None,
    })
}

/// A built string, size-checked and accounted for.
pub(crate) fn built(s: String, budget: &Budget) -> R<'static> {
    budget.string(s.len())?;
    Ok(Val::Str(Str::O(Rc::from(s))))
}

/// A built list, size-checked and accounted for.
pub(crate) fn built_list<'a>(items: Vec<Val<'a>>, budget: &Budget) -> R<'a> {
    budget.list(items.len())?;
    Ok(Val::List(List::Vals(items.into())))
}
