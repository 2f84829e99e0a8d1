//! The standard CEL macros, as the `cel` crate expands them (its
//! `parser/macros.rs`, which is private to it): `has(a.f)`,
//! `r.all(x, p)`, `r.exists(x, p)`, `r.exists_one(x, p)` (and
//! `existsOne`), `r.map(x, f)`, `r.map(x, p, f)` and `r.filter(x, p)`.
//! Same accumulator, same nodes in the same order; written against the
//! [`Builder`] our own macros are written against.

use cel::common::ast::{ComprehensionExpr, Expr, IdedExpr, ListExpr, LiteralValue};

use crate::expr::macros::{ACCU, Builder, accu, call, exactly_one, ident};

/// Which standard macro a call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Has,
    All,
    Exists,
    ExistsOne,
    Map,
    Filter,
}

/// The standard macro for the call `name(..)` with `args` arguments (on a
/// target when `receiver`), if any.
pub(super) fn find(name: &str, receiver: bool, args: usize) -> Option<Kind> {
    match (name, receiver, args) {
        ("has", false, 1) => Some(Kind::Has),
        ("all", true, 2) => Some(Kind::All),
        ("exists", true, 2) => Some(Kind::Exists),
        ("exists_one" | "existsOne", true, 2) => Some(Kind::ExistsOne),
        ("map", true, 2 | 3) => Some(Kind::Map),
        ("filter", true, 2) => Some(Kind::Filter),
        _ => None,
    }
}

/// The expansion of the standard macro `kind` for the call on `target`
/// (none for `has`) with `args`.
pub(super) fn expand<B: Builder + ?Sized>(
    kind: Kind,
    h: &mut B,
    target: &mut Option<IdedExpr>,
    args: &mut Vec<IdedExpr>,
) -> Result<IdedExpr, B::Error> {
    if kind == Kind::Has {
        let arg = args
            .pop()
            .ok_or_else(|| h.error(0, "has() needs an argument"))?;
        return match arg.expr {
            Expr::Select(mut select) => {
                select.test = true;
                Ok(h.next_expr(Expr::Select(select)))
            }
            _ => Err(h.error(arg.id, "invalid argument to has() macro")),
        };
    }
    let range = target
        .take()
        .ok_or_else(|| h.error(0, "a comprehension needs a target"))?;
    let mut args = std::mem::take(args);
    let body = args
        .pop()
        .ok_or_else(|| h.error(range.id, "missing body"))?;
    // `map(x, p, f)`: the filter before the body.
    let filter = if args.len() == 2 { args.pop() } else { None };
    let var = args
        .pop()
        .ok_or_else(|| h.error(range.id, "missing variable"))?;
    let var_copy = (kind == Kind::Filter).then(|| var.clone());
    let iter_var = ident(h, var)?;
    let (init, cond, step, result) = match kind {
        Kind::Exists | Kind::All => {
            let all = kind == Kind::All;
            let init = h.next_expr(Expr::Literal(LiteralValue::Boolean(all.into())));
            let a = accu(h);
            let cond = if all {
                call(h, "@not_strictly_false", vec![a])
            } else {
                let not = call(h, "!_", vec![a]);
                call(h, "@not_strictly_false", vec![not])
            };
            let a = accu(h);
            let step = call(h, if all { "_&&_" } else { "_||_" }, vec![a, body]);
            (init, cond, step, accu(h))
        }
        Kind::ExistsOne => {
            let (init, step, result) = exactly_one(h, body);
            let cond = h.next_expr(Expr::Literal(LiteralValue::Boolean(true.into())));
            (init, cond, step, result)
        }
        Kind::Map | Kind::Filter | Kind::Has => {
            let init = h.next_expr(Expr::List(ListExpr::new(Vec::new())));
            let cond = h.next_expr(Expr::Literal(LiteralValue::Boolean(true.into())));
            // `filter(x, p)` appends `x` when `p`; `map` appends its body.
            let (filter, element) = match var_copy {
                Some(var) => (Some(body), var),
                None => (filter, body),
            };
            let a = accu(h);
            let element = h.next_expr(Expr::List(ListExpr::new(vec![element])));
            let add = call(h, "_+_", vec![a, element]);
            let step = match filter {
                Some(p) => {
                    let a = accu(h);
                    call(h, "_?_:_", vec![p, add, a])
                }
                None => add,
            };
            (init, cond, step, accu(h))
        }
    };
    Ok(h.next_expr(Expr::Comprehension(Box::new(ComprehensionExpr {
        iter_range: range,
        iter_var,
        iter_var2: None,
        accu_var: ACCU.to_string(),
        accu_init: init,
        loop_cond: cond,
        loop_step: step,
        result,
    }))))
}
