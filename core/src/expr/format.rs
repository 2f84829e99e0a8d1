//! `"…".format([args])` of the string extension (cel-go's clauses `%s`,
//! `%d`, `%f`, `%e` with an optional precision, `%b`, `%x`, `%X`, `%o`,
//! `%%`). The text built is size-checked as it grows.

use super::budget::{Budget, ErrorClass, EvalError, R};
use super::functions::built;
use super::value::{List, Val};

const DEFAULT_PRECISION: usize = 6;
const MAX_PRECISION: usize = 100;

fn fail(message: impl Into<String>) -> EvalError {
    EvalError::new(
        ErrorClass::Argument,
        format!("`format`: {}", message.into()),
    )
}

/// `fmt` with each clause replaced by its argument, in order.
pub(crate) fn format<'a>(fmt: &str, args: &List<'a>, budget: &Budget) -> R<'a> {
    let mut out = String::with_capacity(fmt.len());
    let mut rest = fmt;
    let mut next = 0usize;
    while let Some(at) = rest.find('%') {
        out.push_str(rest.get(..at).unwrap_or(""));
        rest = rest.get(at + 1..).unwrap_or("");
        if let Some(after) = rest.strip_prefix('%') {
            out.push('%');
            rest = after;
            continue;
        }
        let arg = args
            .get(next)
            .ok_or_else(|| fail(format!("index {next} out of range")))?;
        if rest.is_empty() {
            return Err(fail("unexpected end of string"));
        }
        let (precision, after) = precision(rest)?;
        let mut chars = after.chars();
        let clause = chars
            .next()
            .ok_or_else(|| fail("unexpected end of string"))?;
        rest = chars.as_str();
        let text = clause_text(clause, precision, &arg, budget)?;
        budget.string(out.len() + text.len())?;
        out.push_str(&text);
        next += 1;
    }
    out.push_str(rest);
    built(out, budget)
}

fn precision(clause: &str) -> Result<(usize, &str), EvalError> {
    let Some(rest) = clause.strip_prefix('.') else {
        return Ok((DEFAULT_PRECISION, clause));
    };
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| fail("could not find end of precision specifier"))?;
    let p: usize = rest
        .get(..end)
        .unwrap_or("")
        .parse()
        .map_err(|_| fail("invalid precision"))?;
    if p > MAX_PRECISION {
        return Err(fail(format!(
            "precision {p} exceeds maximum allowed precision {MAX_PRECISION}"
        )));
    }
    Ok((p, rest.get(end..).unwrap_or("")))
}

#[allow(clippy::cast_precision_loss)]
fn as_double(v: &Val<'_>) -> Option<f64> {
    match v {
        Val::Int(i) => Some(*i as f64),
        Val::Uint(u) => Some(*u as f64),
        Val::Double(d) => Some(*d),
        _ => None,
    }
}

fn non_finite(d: f64) -> Option<&'static str> {
    if d.is_nan() {
        Some("NaN")
    } else if d.is_infinite() {
        Some(if d > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        None
    }
}

fn double(d: f64) -> String {
    non_finite(d).map_or_else(|| d.to_string(), str::to_owned)
}

fn sign(i: i64) -> &'static str {
    if i < 0 { "-" } else { "" }
}

fn hex(bytes: &[u8], upper: bool) -> String {
    let mut s = String::with_capacity(2 * bytes.len());
    crate::model::digest::push_hex(&mut s, bytes);
    if upper {
        s.make_ascii_uppercase();
    }
    s
}

fn clause_text(
    c: char,
    precision: usize,
    v: &Val<'_>,
    budget: &Budget,
) -> Result<String, EvalError> {
    let text = match c {
        's' => return string(v, budget),
        'd' => match v {
            Val::Int(i) => Some(i.to_string()),
            Val::Uint(u) => Some(u.to_string()),
            Val::Double(d) => Some(double(*d)),
            _ => None,
        },
        'f' => as_double(v)
            .map(|d| non_finite(d).map_or_else(|| format!("{d:.precision$}"), str::to_owned)),
        'e' => as_double(v).map(|d| {
            non_finite(d).map_or_else(
                || {
                    let f = format!("{d:.precision$e}");
                    let (m, e) = f.split_once('e').unwrap_or((&f, "0"));
                    let e: i32 = e.parse().unwrap_or(0);
                    let s = if e < 0 { '-' } else { '+' };
                    format!("{m}e{s}{:02}", e.unsigned_abs())
                },
                str::to_owned,
            )
        }),
        'b' => match v {
            Val::Bool(b) => Some(u8::from(*b).to_string()),
            Val::Int(i) => Some(format!("{}{:b}", sign(*i), i.unsigned_abs())),
            Val::Uint(u) => Some(format!("{u:b}")),
            _ => None,
        },
        'x' | 'X' => {
            let upper = c == 'X';
            match v {
                Val::Int(i) if upper => Some(format!("{}{:X}", sign(*i), i.unsigned_abs())),
                Val::Int(i) => Some(format!("{}{:x}", sign(*i), i.unsigned_abs())),
                Val::Uint(u) if upper => Some(format!("{u:X}")),
                Val::Uint(u) => Some(format!("{u:x}")),
                Val::Str(s) => Some(hex(s.as_str().as_bytes(), upper)),
                Val::Bytes(b) => Some(hex(b, upper)),
                _ => None,
            }
        }
        'o' => match v {
            Val::Int(i) => Some(format!("{}{:o}", sign(*i), i.unsigned_abs())),
            Val::Uint(u) => Some(format!("{u:o}")),
            _ => None,
        },
        other => {
            return Err(fail(format!(
                "could not parse formatting clause: unrecognized formatting clause \"{other}\""
            )));
        }
    };
    text.ok_or_else(|| fail(format!("clause `%{c}` cannot format a {}", v.type_name())))
}

/// `%s` of any value; lists and maps as `[a, b]` and `{k: v}` (entries
/// sorted by their text).
fn string(v: &Val<'_>, budget: &Budget) -> Result<String, EvalError> {
    budget.step(1)?;
    Ok(match v {
        Val::Bool(b) => b.to_string(),
        Val::Int(i) => i.to_string(),
        Val::Uint(u) => u.to_string(),
        Val::Double(d) => double(*d),
        Val::Str(s) => s.as_str().to_string(),
        Val::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        #[allow(clippy::cast_precision_loss)]
        Val::Duration(d) => format!(
            "{}s",
            double(d.num_seconds() as f64 + f64::from(d.subsec_nanos()) / 1e9)
        ),
        Val::Timestamp(t) => t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        Val::Null => "null".to_string(),
        Val::Type(t) => (*t).to_string(),
        Val::List(l) => {
            let mut parts = Vec::with_capacity(l.len());
            let mut len = 0usize;
            for item in l.iter() {
                let s = string(&item, budget)?;
                len += s.len() + 2;
                budget.string(len)?;
                parts.push(s);
            }
            format!("[{}]", parts.join(", "))
        }
        Val::Map(m) => {
            let mut entries = Vec::with_capacity(m.len());
            let mut len = 0usize;
            for (k, val) in m.iter() {
                let (k, val) = (string(&k.to_val(), budget)?, string(&val, budget)?);
                len += k.len() + val.len() + 4;
                budget.string(len)?;
                entries.push((k, val));
            }
            entries.sort();
            let entries: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Val::Optional(_) => {
            return Err(fail("clause `%s` cannot format an optional_type"));
        }
    })
}
