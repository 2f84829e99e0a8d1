//! Load-time validation of constant arguments: `duration("14d")` and
//! `timestamp("yesterday")` are errors when the policy loads, not at 2 a.m.

use cel::common::ast::{Expr, IdedExpr, LiteralValue};

/// The string literal `e` is, if it is one.
pub(crate) fn string_literal(e: Option<&IdedExpr>) -> Option<&str> {
    match e.map(|e| &e.expr) {
        Some(Expr::Literal(LiteralValue::String(s))) => Some(s),
        _ => None,
    }
}

/// A CEL duration literal: a sequence of decimal numbers with a unit
/// (`h`, `m`, `s`, `ms`, `us`, `ns`), optionally signed.
pub(crate) fn check_duration(s: &str) -> Option<(String, String)> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let mut rest = body;
    let mut ok = !rest.is_empty();
    while ok && !rest.is_empty() {
        let num = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (n, tail) = rest.split_at(num);
        let unit = ["ns", "us", "µs", "ms", "h", "m", "s"]
            .iter()
            .find(|u| tail.starts_with(*u));
        match unit.and_then(|u| tail.strip_prefix(*u)) {
            Some(t) if !n.is_empty() => rest = t,
            _ => ok = false,
        }
    }
    (!ok).then(|| {
        (
            format!("invalid duration `{s}`"),
            "CEL durations use `h`, `m`, `s`, `ms`: write `duration(\"336h\")` or `days(14)`"
                .to_string(),
        )
    })
}

pub(crate) fn check_timestamp(s: &str) -> Option<(String, String)> {
    chrono::DateTime::parse_from_rfc3339(s).err().map(|e| {
        (
            format!("invalid timestamp `{s}`: {e}"),
            "write RFC 3339, e.g. `timestamp(\"2026-11-26T10:00:00Z\")`".to_string(),
        )
    })
}
