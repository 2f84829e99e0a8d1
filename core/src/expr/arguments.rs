//! Load-time checks of a call's arguments, once the static checks know the
//! types: versions ordered as strings, comparisons that are never true,
//! literal durations, timestamps and regular expressions that would only
//! fail at evaluation, and a `replace` that could multiply a string's size.
//! Each finding is `(code, message, hint)`.

use cel::common::ast::CallExpr;

use super::compare::comparable;
use super::literals::{check_duration, check_timestamp, string_literal};
use super::typecheck::describe;
use crate::error::ErrorCode;
use crate::limits::Limits;
use crate::model::shape::Shape;

/// The first problem with the arguments of the call of `full` (`first` is
/// the receiver or first argument, `args` the argument shapes), if any.
pub(super) fn check(
    full: &str,
    call: &CallExpr,
    first: &Shape,
    args: &[Shape],
    limits: &Limits,
) -> Option<(ErrorCode, String, String)> {
    let second = args.get(1).cloned().unwrap_or(Shape::Any);
    let ordering = matches!(full, "_<_" | "_<=_" | "_>_" | "_>=_");
    if ordering && args.iter().any(|a| matches!(a, Shape::Version)) {
        return Some((
            ErrorCode::TypeMismatch,
            "versions compared as strings: `\"10.0.0\" < \"9.0.0\"` is true".into(),
            "compare versions with `semver.compare(a, b) < 0`".into(),
        ));
    }
    if (ordering || matches!(full, "_==_" | "_!=_")) && !comparable(first, &second) {
        let side = |i: usize| call.args.get(i).map(describe).unwrap_or_default();
        return Some((
            ErrorCode::TypeMismatch,
            format!(
                "`{}` is {} and `{}` is {}: the comparison is never true",
                side(0),
                super::article(first.type_name()),
                side(1),
                super::article(second.type_name())
            ),
            "compare values of one type: `service.tier == 1`, not `== \"1\"`; `timestamp(\"…\")` and `duration(\"…\")` make literals of those types".into(),
        ));
    }
    if let (Some(lit), "duration" | "timestamp") = (string_literal(call.args.first()), full) {
        let problem = if full == "duration" {
            check_duration(lit)
        } else {
            check_timestamp(lit)
        };
        if let Some((message, hint)) = problem {
            return Some((ErrorCode::InvalidLiteral, message, hint));
        }
    }
    // `s.replace(a, b)` grows `s` by `len(b)` per match: with `b` a fact or
    // `s` itself, one call can build gigabytes before any size check sees
    // the result. The replacement must be a short literal.
    if full == "replace" && string_literal(call.args.get(1)).is_none_or(|r| r.len() > 64) {
        return Some((
            ErrorCode::UnsupportedExpression,
            "the replacement of `replace` must be a string literal of at most 64 bytes".into(),
            "a replacement read from the facts can multiply a string's size at every match; replace with a literal".into(),
        ));
    }
    if full == "matches" {
        let pattern = string_literal(call.args.last())?;
        let built = regex::RegexBuilder::new(pattern)
            .size_limit(limits.max_regex_bytes)
            .build();
        return match built {
            Ok(_) => None,
            Err(regex::Error::CompiledTooBig(limit)) => Some((
                ErrorCode::InvalidLiteral,
                format!("regular expression `{pattern}` is too large to compile (over {limit} bytes)"),
                "match less at once, or use ASCII classes (`[a-z0-9_]` instead of `\\w`), or raise `Limits::max_regex_bytes`".into(),
            )),
            Err(other) => Some((
                ErrorCode::InvalidLiteral,
                format!("invalid regular expression `{pattern}`"),
                other
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
                    .to_string(),
            )),
        };
    }
    None
}
