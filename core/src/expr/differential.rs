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

use std::collections::BTreeMap;

use cel::ExecutionError;
use cel::common::ast::{EntryExpr, Expr, IdedEntryExpr, IdedExpr};
use serde_json::Value as Json;

use super::budget::ErrorClass;
use super::{Budget, CompiledExpr, Frame, Val, Variables, Want};
use crate::limits::Limits;
use crate::model::shape::Shape;

/// Whether our CEL parser (the one used at load) agrees with the `cel`
/// crate's on `source`: when the `cel` parser accepts it, ours gives the
/// same tree at the same source offsets, or leaves it to the `cel` parser
/// (`Ok(false)`); when the `cel` parser refuses it, ours refuses it too.
/// `Ok(true)` when both parsed it. `Err` describes a disagreement. For the
/// `cel_parse` fuzz target and the tests.
pub fn parsers_agree(source: &str) -> Result<bool, String> {
    super::parse::agree::agree(source).map(|o| o == super::parse::agree::Outcome::BothParsed)
}

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
    if input == Input::Release {
        views_agree(&compiled, &expr, roots, &mine, &limits)?;
    }
    let budget = Budget::new(&limits);
    let mut slots: Vec<Option<Val<'_>>> = Vec::new();
    let mut reference_vars: Vec<(String, cel::Value)> = Vec::new();
    let mut variable_shapes: BTreeMap<String, Shape> = BTreeMap::new();
    for (name, e) in &compiled {
        let frame = Frame {
            roots: &mine,
            vars: &slots,
            budget: &budget,
        };
        let a = e.eval_full(&frame);
        let b = super::reference::evaluate(e.parsed(), shape, roots, &reference_vars);
        match judge(e, &a, &b, shape, &variable_shapes) {
            Ok(Agreement::Skipped(why)) => return Ok(Agreement::Skipped(why)),
            Ok(Agreement::Same(_)) => {}
            Err(d) => return Err(format!("variable `{name}`: {d}")),
        }
        variable_shapes.insert(name.clone(), e.shape.clone());
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
    judge(&expr, &a, &b, shape, &variable_shapes)
}

/// Whether the expressions give the same over the typed release facts read
/// in place (what `check` binds, `view::facts`) as over their JSON
/// (`json`, bound as `over_json`): the same values, all the way down, or
/// errors of the same class and message. Checked when `roots` is the
/// canonical JSON of release facts (otherwise the two bindings may
/// rightly differ: a section the JSON leaves out that the typed facts
/// default). `Err` describes a difference.
fn views_agree(
    compiled: &[(String, CompiledExpr)],
    expr: &CompiledExpr,
    roots: &Json,
    over_json: &[Val<'_>],
    limits: &Limits,
) -> Result<(), String> {
    let Ok(facts) = crate::model::Facts::from_json_value(roots.clone(), limits) else {
        return Ok(());
    };
    if facts.to_json_value() != *roots {
        return Ok(());
    }
    let service = facts
        .service
        .as_ref()
        .map(|service| super::view::facts::ServiceView {
            service,
            derived_budget: None,
        });
    let viewed = super::view::facts::bind(&facts, service.as_ref(), None);
    let (json_budget, view_budget) = (Budget::new(limits), Budget::new(limits));
    let (mut json_slots, mut view_slots): (Vec<Option<Val<'_>>>, Vec<Option<Val<'_>>>) =
        (Vec::new(), Vec::new());
    let exprs = compiled
        .iter()
        .map(|(name, e)| (name.as_str(), e))
        .chain([("the expression", expr)]);
    for (name, e) in exprs {
        let a = e.eval_full(&Frame {
            roots: over_json,
            vars: &json_slots,
            budget: &json_budget,
        });
        let b = e.eval_full(&Frame {
            roots: &viewed,
            vars: &view_slots,
            budget: &view_budget,
        });
        match (&a, &b) {
            (Ok(x), Ok(y)) if super::view::same(x, y) => {}
            (Err(x), Err(y)) if x.class == y.class && x.message == y.message => {}
            _ => {
                return Err(format!(
                    "`{name}` over the facts' JSON gave {:?}, over the typed facts {:?}",
                    a.map(|v| v.to_json())
                        .map_err(super::EvalError::into_message),
                    b.map(|v| v.to_json())
                        .map_err(super::EvalError::into_message),
                ));
            }
        }
        json_slots.push(a.ok());
        view_slots.push(b.ok());
    }
    Ok(())
}

/// [`agree`], except that a list that differs from the reference's only in
/// its order, made by a comprehension over a map, is skipped: the
/// reference iterates a map in hash order (different from run to run), we
/// in sorted key order.
fn judge(
    e: &CompiledExpr,
    mine: &Result<Val<'_>, super::EvalError>,
    reference: &Result<cel::Value, ExecutionError>,
    roots: &Shape,
    variables: &BTreeMap<String, Shape>,
) -> Result<Agreement, String> {
    match agree(mine, reference) {
        Err(_)
            if same_but_order(mine, reference)
                && any_node(e.parsed(), &mut |n| iterates_a_map(n, roots, variables)) =>
        {
            Ok(Agreement::Skipped(
                "map iteration order: the reference's is unordered, ours sorted".into(),
            ))
        }
        other => other,
    }
}

/// Whether both results are lists holding the same elements, in another
/// order.
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

/// Whether `n` is a comprehension whose range may be a map: a map
/// literal, a path of the input or a variable whose shape is a record, a
/// map or free-form, or anything whose shape is not known here (a loop
/// variable, a function's result). A list literal, a list-shaped path and
/// another comprehension's result (a list; its own range is looked at on
/// its own) are not.
fn iterates_a_map(n: &IdedExpr, roots: &Shape, variables: &BTreeMap<String, Shape>) -> bool {
    let Expr::Comprehension(c) = &n.expr else {
        return false;
    };
    match &c.iter_range.expr {
        Expr::List(_) | Expr::Comprehension(_) => false,
        Expr::Map(_) => true,
        _ => !matches!(
            path_shape(&c.iter_range, roots, variables),
            Some(Shape::List(_))
        ),
    }
}

/// The shape of a path (`ci.suites`, `variables.required`), if `e` is one
/// this input or its variables declare.
fn path_shape<'s>(
    e: &IdedExpr,
    roots: &'s Shape,
    variables: &'s BTreeMap<String, Shape>,
) -> Option<&'s Shape> {
    let mut fields = Vec::new();
    let mut cur = e;
    let root = loop {
        match &cur.expr {
            Expr::Select(sel) if !sel.test => {
                fields.push(sel.field.as_str());
                cur = &sel.operand;
            }
            Expr::Ident(name) => break name.as_str(),
            _ => return None,
        }
    };
    let mut shape = if root == "variables" {
        variables.get(fields.pop()?)?
    } else {
        match roots {
            Shape::Object(f) => f.get(root)?,
            _ => return None,
        }
    };
    while let Some(field) = fields.pop() {
        shape = match shape {
            Shape::Object(f) => f.get(field)?,
            Shape::Map(inner) => inner,
            _ => return None,
        };
    }
    Some(shape)
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
fn names_a_type(e: &IdedExpr) -> bool {
    any_node(
        e,
        &mut |n| matches!(&n.expr, Expr::Ident(name) if matches!(name.as_str(), "timestamp" | "duration" | "dyn")),
    )
}

/// Whether `e` holds a two-variable comprehension.
fn two_variables(e: &IdedExpr) -> bool {
    any_node(
        e,
        &mut |n| matches!(&n.expr, Expr::Comprehension(c) if c.iter_var2.is_some()),
    )
}

/// Whether `found` holds for `e` or any expression inside it.
fn any_node(e: &IdedExpr, found: &mut dyn FnMut(&IdedExpr) -> bool) -> bool {
    if found(e) {
        return true;
    }
    let children: Vec<&IdedExpr> = match &e.expr {
        Expr::Map(m) => entries(&m.entries),
        Expr::Struct(st) => entries(&st.entries),
        Expr::Call(c) => c.target.as_deref().into_iter().chain(&c.args).collect(),
        Expr::Comprehension(c) => vec![
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ],
        Expr::Select(sel) => vec![&sel.operand],
        Expr::List(l) => l.elements.iter().collect(),
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => Vec::new(),
    };
    children.into_iter().any(|c| any_node(c, found))
}

/// The keys and values of a map or struct literal.
fn entries(entries: &[IdedEntryExpr]) -> Vec<&IdedExpr> {
    let mut out = Vec::with_capacity(entries.len() * 2);
    for en in entries {
        match &en.expr {
            EntryExpr::MapEntry(me) => out.extend([&me.key, &me.value]),
            EntryExpr::StructField(f) => out.push(&f.value),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `source`, compiled over the release facts (after `vars`),
    /// has a comprehension over something that may be a map.
    fn over_a_map(vars: &[(&str, &str)], source: &str) -> bool {
        let limits = Limits::default();
        let roots = &crate::model::shape::FACTS;
        let mut declared = Variables::default();
        let mut shapes = BTreeMap::new();
        for (name, src) in vars {
            let e = CompiledExpr::compile(src, Want::Any, roots, &declared, &limits);
            let shape = e.map(|e| e.shape).unwrap_or(Shape::Any);
            declared.insert((*name).to_string(), shape.clone());
            shapes.insert((*name).to_string(), shape);
        }
        let e = CompiledExpr::compile(source, Want::Any, roots, &declared, &limits);
        e.is_ok_and(|e| any_node(e.parsed(), &mut |n| iterates_a_map(n, roots, &shapes)))
    }

    #[test]
    fn only_comprehensions_over_maps_may_differ_in_order() {
        assert!(over_a_map(&[], r#"{"c": 3, "a": 1}.map(k, k)"#));
        assert!(over_a_map(&[], "labels.map(k, k)"));
        assert!(over_a_map(&[], "release.map(k, k)"));
        assert!(over_a_map(&[("m", r#"{"b": 1}"#)], "variables.m.map(k, k)"));
        assert!(over_a_map(&[], r#"[1].map(x, {"b": x}.map(k, k))"#));
        // Lists keep their order in both evaluators: a difference there is
        // a disagreement, never skipped.
        assert!(!over_a_map(&[], "[3, 1, 2].map(x, x)"));
        assert!(!over_a_map(&[], "approvals.map(a, a.by)"));
        assert!(!over_a_map(
            &[],
            "ci.suites.filter(s, s.passed).map(s, s.name)"
        ));
        assert!(!over_a_map(&[("l", "[2, 1]")], "variables.l.map(x, x)"));
    }

    /// `{"c": 3, "a": 1}.map(k, k)`: the reference's order changes from
    /// run to run (hash order), ours is sorted; as an expression and as a
    /// variable, the comparison never reports it as a disagreement.
    #[test]
    fn map_iteration_order_is_never_a_disagreement() {
        let facts = serde_json::json!({});
        let keys = r#"{"c": 3, "a": 1, "b": 2, "d": 4}.map(k, k)"#;
        for _ in 0..20 {
            let direct = compare(&[], keys, Input::Release, &facts);
            assert!(direct.is_ok(), "{direct:?}");
            let vars = [("ks".to_string(), keys.to_string())];
            let via = compare(&vars, "variables.ks.size()", Input::Release, &facts);
            assert!(via.is_ok(), "{via:?}");
        }
    }

    #[test]
    fn the_walker_looks_inside_map_literals() {
        let limits = Limits::default();
        let e = CompiledExpr::compile(
            r#"{"k": type(now) == timestamp}"#,
            Want::Any,
            &crate::model::shape::FACTS,
            &Variables::default(),
            &limits,
        );
        assert!(e.is_ok_and(|e| names_a_type(e.parsed())));
    }
}
