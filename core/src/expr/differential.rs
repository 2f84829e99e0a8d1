//! The differential check of the compiled evaluator against the reference
//! interpreter (the `cel` crate's): one expression, after the variables it
//! may read, over one set of facts, evaluated by both. They agree when they
//! give the same value, or both an error of the same class. Used by the
//! differential tests (every expression of the pack, the examples, the
//! docs and generated ones) and by the `cel_differential` fuzz target.
//!
//! Where the reference departs from the CEL specification, the
//! specification wins; [`known_departure`] names each such case, with the
//! reason, and the comparison skips it.

use cel::ExecutionError;
use serde_json::Value as Json;

use super::eval::ErrorClass;
use super::{Budget, CompiledExpr, Frame, Val, Variables, Want};
use crate::limits::Limits;
use crate::model::shape::Shape;

/// The result of one comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Agreement {
    /// Both evaluators gave this value (as JSON), or both an error of the
    /// named class.
    Same(String),
    /// Not compared: the expression does not compile, or it is a known
    /// departure of the reference from the specification (the reason).
    Skipped(String),
}

/// Which input an expression reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// The release facts (`check`).
    Release,
    /// The rollout facts (`assess`).
    Rollout,
}

/// Evaluate `source` (after `variables`, in order) over `roots` (the JSON
/// form of the facts: `Facts::to_json_value`) with both evaluators. `Err`
/// describes a disagreement.
pub fn compare(
    variables: &[(String, String)],
    source: &str,
    input: Input,
    roots: &Json,
) -> Result<Agreement, String> {
    let shape: &Shape = match input {
        Input::Release => &crate::model::shape::FACTS,
        Input::Rollout => &crate::model::shape::ROLLOUT,
    };
    let limits = Limits::default();
    let mut declared = Variables::default();
    let mut compiled = Vec::new();
    for (name, src) in variables {
        let Ok(e) = CompiledExpr::compile(src, Want::Any, shape, &declared, &limits) else {
            return Ok(Agreement::Skipped(format!(
                "variable `{name}` does not compile"
            )));
        };
        declared.insert(name.clone(), e.shape.clone());
        compiled.push((name.clone(), e));
    }
    let Ok(expr) = CompiledExpr::compile(source, Want::Any, shape, &declared, &limits) else {
        return Ok(Agreement::Skipped("does not compile".into()));
    };
    for e in compiled.iter().map(|(_, e)| e).chain([&expr]) {
        if let Some(reason) = known_departure(e) {
            return Ok(Agreement::Skipped(reason.into()));
        }
    }
    let Ok(mine) = super::bind::bind_roots(shape, roots, &limits) else {
        return Ok(Agreement::Skipped("facts over the limits".into()));
    };
    let budget = Budget::new(&limits);
    let mut slots: Vec<Option<Val<'_>>> = Vec::new();
    let mut reference_vars: Vec<(String, cel::Value)> = Vec::new();
    for (name, e) in &compiled {
        let frame = Frame {
            roots: &mine,
            vars: &slots,
            budget: &budget,
        };
        let a = e.eval_full(&frame);
        let b = super::reference::evaluate(e.parsed(), shape, roots, &reference_vars);
        agree(&a, &b).map_err(|d| format!("variable `{name}`: {d}"))?;
        match (a, b) {
            (Ok(a), Ok(b)) => {
                slots.push(Some(a));
                reference_vars.push((name.clone(), b));
            }
            _ => return Ok(Agreement::Same("a variable's error".into())),
        }
    }
    let frame = Frame {
        roots: &mine,
        vars: &slots,
        budget: &budget,
    };
    let a = expr.eval_full(&frame);
    let b = super::reference::evaluate(expr.parsed(), shape, roots, &reference_vars);
    match agree(&a, &b) {
        Err(_) if comprehends(expr.parsed()) && same_but_order(&a, &b) => Ok(Agreement::Skipped(
            "map iteration order: the reference's is unordered, ours sorted".into(),
        )),
        other => other,
    }
}

/// Whether both results are lists holding the same elements, in another
/// order (the reference iterates a map in hash order).
fn same_but_order(
    mine: &Result<Val<'_>, super::EvalError>,
    reference: &Result<cel::Value, ExecutionError>,
) -> bool {
    let (Ok(a), Ok(b)) = (mine, reference) else {
        return false;
    };
    let (Json::Array(mut x), Json::Array(mut y)) = (a.to_json(), super::convert::to_json(b)) else {
        return false;
    };
    let key = |v: &Json| v.to_string();
    x.sort_by_key(key);
    y.sort_by_key(key);
    x.len() == y.len() && x.iter().zip(&y).all(|(p, q)| same_json(p, q))
}

/// Whether `e` holds a comprehension whose range is not a list literal.
fn comprehends(e: &cel::common::ast::IdedExpr) -> bool {
    use cel::common::ast::Expr;
    match &e.expr {
        Expr::Comprehension(c) => {
            !matches!(c.iter_range.expr, Expr::List(_))
                || [&c.iter_range, &c.accu_init, &c.loop_step, &c.result]
                    .into_iter()
                    .any(comprehends)
        }
        Expr::Call(c) => {
            c.target.as_deref().is_some_and(comprehends) || c.args.iter().any(comprehends)
        }
        Expr::Select(s) => comprehends(&s.operand),
        Expr::List(l) => l.elements.iter().any(comprehends),
        _ => false,
    }
}

/// Whether the two results agree.
fn agree(
    mine: &Result<Val<'_>, super::EvalError>,
    reference: &Result<cel::Value, ExecutionError>,
) -> Result<Agreement, String> {
    match (mine, reference) {
        (Ok(Val::Optional(_)), Ok(_)) => Ok(Agreement::Skipped(
            "an optional result: the reference's is opaque".into(),
        )),
        (Ok(a), Ok(b)) => {
            let (ja, jb) = (a.to_json(), super::convert::to_json(b));
            if same_json(&ja, &jb) && same_type(a, b) {
                Ok(Agreement::Same(ja.to_string()))
            } else {
                Err(format!(
                    "value `{ja}` ({}), reference `{jb}` ({b:?})",
                    a.type_name()
                ))
            }
        }
        (Err(e), Err(r)) => {
            let rc = class_of(r);
            if e.class == ErrorClass::Limit || rc.contains(&e.class) {
                Ok(Agreement::Same(format!("{:?}", e.class)))
            } else {
                Err(format!(
                    "error `{}` ({:?}), reference error `{r}` ({rc:?})",
                    e.message, e.class
                ))
            }
        }
        (Err(e), Ok(b)) if e.class == ErrorClass::Limit => {
            // The reference has no budget: a limit is ours alone.
            let _ = b;
            Ok(Agreement::Skipped("over a limit".into()))
        }
        (Err(e), Ok(b)) => Err(format!(
            "error `{}`, reference value `{}`",
            e.message,
            super::convert::to_json(b)
        )),
        (Ok(a), Err(r)) => Err(format!("value `{}`, reference error `{r}`", a.to_json())),
    }
}

/// JSON equality with numbers compared by value (`1` and `1.0`).
fn same_json(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Whether a scalar result has the same CEL type in both.
fn same_type(a: &Val<'_>, b: &cel::Value) -> bool {
    use cel::Value as V;
    matches!(
        (a, b),
        (Val::Int(_), V::Int(_))
            | (Val::Uint(_), V::UInt(_))
            | (Val::Double(_), V::Float(_))
            | (Val::Bool(_), V::Bool(_))
            | (Val::Str(_), V::String(_))
            | (Val::Null, V::Null)
            | (Val::Bytes(_), V::Bytes(_))
            | (Val::Duration(_), V::Duration(_))
            | (Val::Timestamp(_), V::Timestamp(_))
            | (Val::List(_), V::List(_))
            | (Val::Map(_), V::Map(_))
    ) || !matches!(
        a,
        Val::Int(_) | Val::Uint(_) | Val::Double(_) | Val::Bool(_) | Val::Str(_) | Val::Null
    )
}

/// The classes of our errors a reference error may correspond to.
fn class_of(e: &ExecutionError) -> Vec<ErrorClass> {
    use ErrorClass as C;
    use ExecutionError as E;
    match e {
        E::NoSuchKey(_) | E::UndeclaredReference(_) => vec![C::Missing, C::Overload],
        E::Overflow(..) | E::DivisionByZero(_) | E::RemainderByZero(_) => vec![C::Arithmetic],
        E::IndexOutOfBounds(_) => vec![C::Index],
        E::FunctionError { .. } => vec![C::Argument, C::Index, C::Arithmetic, C::Missing],
        _ => vec![C::Overload, C::Missing, C::Argument, C::Arithmetic],
    }
}

/// The departures of the reference from the CEL specification that the
/// comparison skips, by what the expression calls.
pub(crate) fn known_departure(e: &CompiledExpr) -> Option<&'static str> {
    let text = e.source();
    let has = |needle: &str| text.contains(needle);
    if two_variables(e.parsed()) {
        return Some("two-variable comprehensions: the reference has none");
    }
    if names_a_type(e.parsed()) {
        return Some(
            "`timestamp`, `duration` and `dyn` as type names: the reference has no such identifiers",
        );
    }
    if has("getMilliseconds") {
        return Some(
            "`getMilliseconds()` of a duration: the reference gives all of it in milliseconds, the specification the millisecond part",
        );
    }
    None
}

/// Whether `e` names the type `timestamp`, `duration` or `dyn` (not as a
/// call).
fn names_a_type(e: &cel::common::ast::IdedExpr) -> bool {
    use cel::common::ast::Expr;
    match &e.expr {
        Expr::Ident(n) => matches!(n.as_str(), "timestamp" | "duration" | "dyn"),
        Expr::Call(c) => {
            c.target.as_deref().is_some_and(names_a_type) || c.args.iter().any(names_a_type)
        }
        Expr::Select(s) => names_a_type(&s.operand),
        Expr::List(l) => l.elements.iter().any(names_a_type),
        Expr::Comprehension(c) => names_a_type(&c.iter_range) || names_a_type(&c.loop_step),
        _ => false,
    }
}

/// Whether `e` holds a two-variable comprehension.
fn two_variables(e: &cel::common::ast::IdedExpr) -> bool {
    use cel::common::ast::{EntryExpr, Expr};
    match &e.expr {
        Expr::Comprehension(c) => {
            c.iter_var2.is_some()
                || [&c.iter_range, &c.accu_init, &c.loop_step, &c.result]
                    .into_iter()
                    .any(two_variables)
        }
        Expr::Call(c) => {
            c.target.as_deref().is_some_and(two_variables) || c.args.iter().any(two_variables)
        }
        Expr::Select(s) => two_variables(&s.operand),
        Expr::List(l) => l.elements.iter().any(two_variables),
        Expr::Map(m) => m.entries.iter().any(|en| match &en.expr {
            EntryExpr::MapEntry(me) => two_variables(&me.key) || two_variables(&me.value),
            EntryExpr::StructField(f) => two_variables(&f.value),
        }),
        _ => false,
    }
}
