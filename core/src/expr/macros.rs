//! The two-variable comprehensions of the current CEL specification, as
//! parser macros: `all(i, v, p)`, `exists(i, v, p)`, `existsOne(x, p)` and
//! `existsOne(i, v, p)`, `transformList(i, v, [p,] f)` and
//! `transformMap(k, v, [p,] f)`. Over a list, `i` is the index and `v` the
//! element; over a map, the key and the value (in sorted key order). Each
//! expands into a comprehension the [plan](super::plan) compiler
//! recognises, like the standard macros. Also the calendar functions:
//! `inWindow(name)` is `calendar.windows[name]` and `frozen()` is
//! `calendar.frozen`, over the root a catalog provides (`null` without
//! one, so both fail closed).

use cel::Env;
use cel::common::ast::{
    CallExpr, ComprehensionExpr, Expr, IdedExpr, ListExpr, LiteralValue, MapExpr, SelectExpr,
};
use cel::parser::{Macro, MacroExprHelper, ParseError};

const ACCU: &str = "@result";

/// What a macro builds.
#[derive(Clone, Copy)]
enum Kind {
    All,
    Exists,
    ExistsOne,
    TransformList,
    TransformMap,
}

/// Register the macros on `env`.
pub(crate) fn register(env: &mut Env) -> Result<(), cel::DeclarationError> {
    // `existsOne(x, p)` is a standard macro already.
    let forms: [(&str, usize, Kind); 8] = [
        ("all", 3, Kind::All),
        ("exists", 3, Kind::Exists),
        ("existsOne", 3, Kind::ExistsOne),
        ("exists_one", 3, Kind::ExistsOne),
        ("transformList", 3, Kind::TransformList),
        ("transformList", 4, Kind::TransformList),
        ("transformMap", 3, Kind::TransformMap),
        ("transformMap", 4, Kind::TransformMap),
    ];
    for (name, args, kind) in forms {
        env.add_macro(Macro::receiver(name, args, move |h, target, args| {
            expand(kind, h, target, args).map(Some)
        }))?;
    }
    // The calendar functions read the `calendar` root a catalog provides.
    env.add_macro(Macro::global("inWindow", 1, |h, _, args| {
        let name = args
            .pop()
            .ok_or_else(|| h.new_error(0, "inWindow needs a window name"))?;
        let windows = calendar_field(h, "windows");
        Ok(Some(call(h, "_[_]", vec![windows, name])))
    }))?;
    env.add_macro(Macro::global("frozen", 0, |h, _, _| {
        Ok(Some(calendar_field(h, "frozen")))
    }))?;
    Ok(())
}

/// `calendar.FIELD`: what `inWindow(name)` (`calendar.windows[name]`) and
/// `frozen()` (`calendar.frozen`) expand to.
fn calendar_field(h: &mut MacroExprHelper<'_>, field: &str) -> IdedExpr {
    let root = h.next_expr(Expr::Ident("calendar".to_string()));
    h.next_expr(Expr::Select(SelectExpr {
        operand: Box::new(root),
        field: field.to_string(),
        test: false,
    }))
}

fn ident(h: &mut MacroExprHelper<'_>, e: IdedExpr) -> Result<String, ParseError> {
    match e.expr {
        Expr::Ident(name) => Ok(name),
        _ => Err(h.new_error(e.id, "argument must be a simple name")),
    }
}

fn call(h: &mut MacroExprHelper<'_>, name: &str, args: Vec<IdedExpr>) -> IdedExpr {
    h.next_expr(Expr::Call(CallExpr {
        func_name: name.to_string(),
        target: None,
        args,
    }))
}

fn accu(h: &mut MacroExprHelper<'_>) -> IdedExpr {
    h.next_expr(Expr::Ident(ACCU.to_string()))
}

fn expand(
    kind: Kind,
    h: &mut MacroExprHelper<'_>,
    target: &mut Option<IdedExpr>,
    args: &mut Vec<IdedExpr>,
) -> Result<IdedExpr, ParseError> {
    let Some(range) = target.take() else {
        return Err(h.new_error(0, "a comprehension needs a list or map to iterate"));
    };
    let mut args: Vec<IdedExpr> = std::mem::take(args);
    let two_vars = !(matches!(kind, Kind::ExistsOne) && args.len() == 2);
    // The last argument is the body; before it, an optional filter.
    let body = args
        .pop()
        .ok_or_else(|| h.new_error(range.id, "missing body"))?;
    let filter = if args.len() == 3 { args.pop() } else { None };
    let second = if two_vars { args.pop() } else { None };
    let first = args
        .pop()
        .ok_or_else(|| h.new_error(range.id, "missing variable"))?;
    let iter_var = ident(h, first)?;
    let iter_var2 = second.map(|s| ident(h, s)).transpose()?;
    let (init, step, result) = match kind {
        Kind::All | Kind::Exists => {
            let all = matches!(kind, Kind::All);
            let init = h.next_expr(Expr::Literal(LiteralValue::Boolean(all.into())));
            let a = accu(h);
            let step = call(h, if all { "_&&_" } else { "_||_" }, vec![a, body]);
            (init, step, accu(h))
        }
        Kind::ExistsOne => {
            let init = h.next_expr(Expr::Literal(LiteralValue::Int(0.into())));
            let a = accu(h);
            let one = h.next_expr(Expr::Literal(LiteralValue::Int(1.into())));
            let plus = call(h, "_+_", vec![a, one]);
            let a = accu(h);
            let step = call(h, "_?_:_", vec![body, plus, a]);
            let a = accu(h);
            let one = h.next_expr(Expr::Literal(LiteralValue::Int(1.into())));
            (init, step, call(h, "_==_", vec![a, one]))
        }
        Kind::TransformList | Kind::TransformMap => {
            let to_map = matches!(kind, Kind::TransformMap);
            let init = if to_map {
                h.next_expr(Expr::Map(MapExpr::default()))
            } else {
                h.next_expr(Expr::List(ListExpr::new(Vec::new())))
            };
            let a = accu(h);
            let add = if to_map {
                let key = h.next_expr(Expr::Ident(iter_var.clone()));
                call(h, "@insert", vec![a, key, body])
            } else {
                let one = h.next_expr(Expr::List(ListExpr::new(vec![body])));
                call(h, "_+_", vec![a, one])
            };
            let step = match filter {
                Some(p) => {
                    let a = accu(h);
                    call(h, "_?_:_", vec![p, add, a])
                }
                None => add,
            };
            (init, step, accu(h))
        }
    };
    let cond = h.next_expr(Expr::Literal(LiteralValue::Boolean(true.into())));
    Ok(h.next_expr(Expr::Comprehension(Box::new(ComprehensionExpr {
        iter_range: range,
        iter_var,
        iter_var2,
        accu_var: ACCU.to_string(),
        accu_init: init,
        loop_cond: cond,
        loop_step: step,
        result,
    }))))
}
