//! The string extension (cel-go's `ext.Strings()`): `charAt`, `indexOf`,
//! `lastIndexOf`, `lowerAscii`, `upperAscii`, `trim`, `replace`, `split`,
//! `substring`, `join`, `format`, `reverse` and `strings.quote`. Indices
//! count code points. The size of every result is known, and checked,
//! before it is built: `replace` counts its matches first.

use super::budget::{Budget, ErrorClass, EvalError, R};
use super::functions::{Func, built};
use super::value::{Str, Val};

fn out_of_range(function: &str, idx: i64) -> EvalError {
    EvalError::new(
        ErrorClass::Index,
        format!("`{function}`: index out of range: {idx}"),
    )
}

fn chars_len(s: &str) -> i64 {
    i64::try_from(s.chars().count()).unwrap_or(i64::MAX)
}

/// The byte offset of code point `i` of `s` (`s.len()` at the end).
fn byte_at(s: &str, i: i64) -> Option<usize> {
    let i = usize::try_from(i).ok()?;
    s.char_indices().map(|(b, _)| b).chain([s.len()]).nth(i)
}

/// Call a function of the extension: `None` when there is no overload.
pub(crate) fn call<'a>(func: Func, args: &[Val<'a>], budget: &Budget) -> Option<R<'a>> {
    let Some(Val::Str(this)) = args.first() else {
        return match (func, args) {
            (Func::Join, [Val::List(l)]) => Some(join(l, "", budget)),
            (Func::Join, [Val::List(l), Val::Str(sep)]) => Some(join(l, sep.as_str(), budget)),
            (Func::Quote, _) => None,
            _ => None,
        };
    };
    let s = this.as_str();
    if let Err(e) = budget.step(1 + s.len() as u64 / 64) {
        return Some(Err(e));
    }
    Some(match (func, args.get(1..).unwrap_or(&[])) {
        (Func::CharAt, [Val::Int(i)]) => {
            if *i < 0 || *i > chars_len(s) {
                Err(out_of_range("charAt", *i))
            } else {
                let c = usize::try_from(*i).ok().and_then(|i| s.chars().nth(i));
                Ok(Val::string(c.map(String::from).unwrap_or_default()))
            }
        }
        (Func::IndexOf, [Val::Str(n)]) => Ok(Val::Int(index_of(s, n.as_str(), 0).unwrap_or(-1))),
        (Func::IndexOf, [Val::Str(n), Val::Int(off)]) => {
            let len = chars_len(s);
            if *off < 0 {
                Err(out_of_range("indexOf", *off))
            } else if n.as_str().is_empty() {
                Ok(Val::Int((*off).min(len)))
            } else if *off >= len {
                Err(out_of_range("indexOf", *off))
            } else {
                Ok(Val::Int(index_of(s, n.as_str(), *off).unwrap_or(-1)))
            }
        }
        (Func::LastIndexOf, [Val::Str(n)]) => Ok(Val::Int(
            last_index_of(s, n.as_str(), chars_len(s)).unwrap_or(-1),
        )),
        (Func::LastIndexOf, [Val::Str(n), Val::Int(off)]) => {
            let len = chars_len(s);
            if *off < 0 {
                Err(out_of_range("lastIndexOf", *off))
            } else if n.as_str().is_empty() {
                Ok(Val::Int((*off).min(len)))
            } else if *off >= len {
                Err(out_of_range("lastIndexOf", *off))
            } else {
                Ok(Val::Int(last_index_of(s, n.as_str(), *off).unwrap_or(-1)))
            }
        }
        // Each result's size is known before it is built: the same bytes
        // (ASCII case and the order of code points change no length), or
        // a quoted string's escapes counted first.
        (Func::LowerAscii, []) => sized(s.len(), || s.to_ascii_lowercase(), budget),
        (Func::UpperAscii, []) => sized(s.len(), || s.to_ascii_uppercase(), budget),
        (Func::Trim, []) => Ok(match this {
            Str::B(b) => Val::Str(Str::B(b.trim())),
            Str::O(_) => Val::string(s.trim()),
        }),
        (Func::Replace, [Val::Str(from), Val::Str(to)]) => {
            replace(s, from.as_str(), to.as_str(), usize::MAX, budget)
        }
        (Func::Replace, [Val::Str(from), Val::Str(to), Val::Int(n)]) => replace(
            s,
            from.as_str(),
            to.as_str(),
            usize::try_from(*n).unwrap_or(usize::MAX),
            budget,
        ),
        (Func::Split, [Val::Str(sep)]) => split(s, sep.as_str(), -1, budget),
        (Func::Split, [Val::Str(sep), Val::Int(n)]) => split(s, sep.as_str(), *n, budget),
        (Func::Substring, [Val::Int(start)]) => substring(s, *start, chars_len(s), budget),
        (Func::Substring, [Val::Int(start), Val::Int(end)]) => substring(s, *start, *end, budget),
        (Func::Reverse, []) => sized(s.len(), || s.chars().rev().collect(), budget),
        (Func::Quote, []) => sized(quoted_len(s), || quote(s), budget),
        (Func::Format, [Val::List(l)]) => super::format::format(s, l, budget),
        _ => return None,
    })
}

fn index_of(s: &str, needle: &str, from: i64) -> Option<i64> {
    let start = byte_at(s, from)?;
    let found = s.get(start..)?.find(needle)? + start;
    Some(chars_len(s.get(..found)?))
}

/// The last occurrence of `needle` starting at or before code point `at`.
fn last_index_of(s: &str, needle: &str, at: i64) -> Option<i64> {
    let n = chars_len(needle);
    let len = chars_len(s);
    if n > len {
        return None;
    }
    let last = at.min(len - n);
    let end = byte_at(s, last)? + needle.len();
    let found = s.get(..end.min(s.len()))?.rfind(needle)?;
    Some(chars_len(s.get(..found)?))
}

fn replace<'a>(s: &str, from: &str, to: &str, n: usize, budget: &Budget) -> R<'a> {
    let matches = if from.is_empty() {
        (s.chars().count() + 1).min(n)
    } else {
        count_matches(s, from).min(n)
    };
    let len = s.len() - matches.min(s.len()) * from.len() + matches.saturating_mul(to.len());
    // Checked and accounted for before the string is built.
    budget.string(len)?;
    Ok(Val::string(s.replacen(from, to, n)))
}

/// How many times `pat` (not empty) occurs in `s`, without overlapping:
/// a one-byte pattern counted byte by byte (vectorised: a 7 MiB string
/// with 3.7 million matches took 50 ms through the match iterator).
fn count_matches(s: &str, pat: &str) -> usize {
    match pat.as_bytes() {
        [b] => s.bytes().filter(|x| x == b).count(),
        _ => s.matches(pat).count(),
    }
}

/// How many parts `split` gives, counted without building them (a 7 MiB
/// string of the facts split on every character would otherwise build
/// millions of parts before the list limit refused them).
fn split_count(s: &str, sep: &str, n: i64) -> usize {
    let parts = if sep.is_empty() {
        s.chars().count()
    } else {
        count_matches(s, sep).saturating_add(1)
    };
    match usize::try_from(n) {
        Ok(n) => parts.min(n),
        Err(_) => parts,
    }
}

fn split<'a>(s: &str, sep: &str, n: i64, budget: &Budget) -> R<'a> {
    // Checked and accounted for before the parts are built.
    budget.list(split_count(s, sep, n))?;
    budget.alloc(s.len())?;
    let parts: Vec<&str> = match (usize::try_from(n), sep.is_empty()) {
        (Ok(0), _) => Vec::new(),
        (Ok(n), true) => {
            let mut parts: Vec<&str> = Vec::new();
            let mut rest = s;
            while let Some(c) = rest.chars().next() {
                if parts.len() + 1 == n {
                    break;
                }
                let (head, tail) = rest.split_at(c.len_utf8());
                parts.push(head);
                rest = tail;
            }
            if !rest.is_empty() {
                parts.push(rest);
            }
            parts
        }
        (Ok(n), false) => s.splitn(n, sep).collect(),
        (Err(_), true) => s
            .char_indices()
            .map(|(i, c)| s.get(i..i + c.len_utf8()).unwrap_or(""))
            .collect(),
        (Err(_), false) => s.split(sep).collect(),
    };
    Ok(Val::List(super::value::List::Vals(
        parts
            .into_iter()
            .map(Val::string)
            .collect::<Vec<_>>()
            .into(),
    )))
}

fn substring<'a>(s: &str, start: i64, end: i64, budget: &Budget) -> R<'a> {
    let len = chars_len(s);
    if start > end {
        return Err(EvalError::new(
            ErrorClass::Index,
            format!("`substring`: invalid substring range. start: {start}, end: {end}"),
        ));
    }
    if start < 0 || start > len {
        return Err(out_of_range("substring", start));
    }
    if end > len {
        return Err(out_of_range("substring", end));
    }
    let (a, b) = (
        byte_at(s, start).unwrap_or(0),
        byte_at(s, end).unwrap_or(s.len()),
    );
    let part = s.get(a..b).unwrap_or("");
    sized(part.len(), || part.to_string(), budget)
}

fn join<'a>(list: &super::value::List<'a>, sep: &str, budget: &Budget) -> R<'a> {
    let mut out = String::new();
    for (i, item) in list.iter().enumerate() {
        let Val::Str(s) = &item else {
            return Err(EvalError::overload("join", &[&item]));
        };
        let add = s.as_str().len() + if i > 0 { sep.len() } else { 0 };
        budget.string(out.len() + add)?;
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(s.as_str());
    }
    built(out, budget)
}

/// A string of `len` bytes, checked against the limits and accounted for
/// before `build` makes it.
fn sized<'a>(len: usize, build: impl FnOnce() -> String, budget: &Budget) -> R<'a> {
    budget.string(len)?;
    Ok(Val::string(build()))
}

/// The length of [`quote`]`(s)`, counted without building it.
fn quoted_len(s: &str) -> usize {
    s.chars()
        .map(|c| match c {
            '\x07' | '\x08' | '\x0c' | '\n' | '\r' | '\t' | '\x0b' | '\\' | '"' => 2,
            c => c.len_utf8(),
        })
        .sum::<usize>()
        + 2
}

/// `s` as a double-quoted CEL string literal.
fn quote(s: &str) -> String {
    let mut quoted = String::with_capacity(s.len() + 2);
    quoted.push('"');
    for c in s.chars() {
        match c {
            '\x07' => quoted.push_str("\\a"),
            '\x08' => quoted.push_str("\\b"),
            '\x0c' => quoted.push_str("\\f"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            '\x0b' => quoted.push_str("\\v"),
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;
    use crate::expr::value::List;
    use crate::limits::Limits;

    proptest! {
        /// `split` refuses or builds by the count of its parts worked out
        /// before they are built: that count is exactly what it builds.
        #[test]
        fn the_parts_split_counts_are_the_parts_it_builds(
            s in "[ab,é]{0,12}",
            sep in prop::sample::select(vec!["", ",", "a", "ab", "é", "é,", "x"]),
            n in -2i64..8,
        ) {
            let budget = Budget::new(&Limits::default());
            let built = match split(&s, sep, n, &budget).unwrap() {
                Val::List(List::Vals(parts)) => parts.len(),
                _ => usize::MAX,
            };
            prop_assert_eq!(split_count(&s, sep, n), built);
        }

        /// `quote`'s length is counted exactly before it is built.
        #[test]
        fn a_quoted_length_is_counted_exactly(s in "[a\"\\\\\n\t\r\u{7}\u{8}\u{b}\u{c}é\u{0}]{0,16}") {
            prop_assert_eq!(quoted_len(&s), quote(&s).len());
        }
    }

    #[test]
    fn splitting_millions_of_parts_is_refused_before_they_are_built() {
        let big = "ab".repeat(1 << 20);
        let budget = Budget::new(&Limits::default());
        let e = split(&big, "a", -1, &budget).unwrap_err();
        assert!(
            e.message
                .contains("list of 1048577 items, more than the limit of"),
            "{}",
            e.message
        );
    }
}
