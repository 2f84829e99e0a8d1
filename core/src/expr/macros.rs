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
//!
//! Each expansion is written once, against [`Builder`]: the `cel` crate's
//! [`MacroExprHelper`] (for the environment of the reference interpreter
//! and of the `cel` parser) and our own [parser](super::parse) implement it.

use cel::Env;
use cel::common::ast::{
    CallExpr, ComprehensionExpr, Expr, IdedExpr, ListExpr, LiteralValue, MapExpr, SelectExpr,
};
use cel::parser::{Macro, MacroExprHelper, ParseError};

/// The accumulator every comprehension macro expands with (the `cel`
/// crate's name for it).
pub(crate) const ACCU: &str = "@result";

/// What a macro expansion builds its nodes with: a parser's helper for the
/// call being expanded.
pub(crate) trait Builder {
    /// Why an expansion failed.
    type Error;
    /// A node for `expr`, with an id of its own, placed in the source where
    /// the expanded call is.
    fn next_expr(&mut self, expr: Expr) -> IdedExpr;
    /// An error for the expression `expr_id`.
    fn error(&self, expr_id: u64, msg: &str) -> Self::Error;
}

impl Builder for MacroExprHelper<'_> {
    type Error = ParseError;
    fn next_expr(&mut self, expr: Expr) -> IdedExpr {
        MacroExprHelper::next_expr(self, expr)
    }
    fn error(&self, expr_id: u64, msg: &str) -> ParseError {
        self.new_error(expr_id, msg)
    }
}

/// Which of our macros a call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    All,
    Exists,
    ExistsOne,
    TransformList,
    TransformMap,
    InWindow,
    Frozen,
}

/// Our macros: the function, whether it is called on a target, its
/// argument count (the target not counted) and what it builds.
const FORMS: [(&str, bool, usize, Kind); 10] = [
    // `existsOne(x, p)` is a standard macro already.
    ("all", true, 3, Kind::All),
    ("exists", true, 3, Kind::Exists),
    ("existsOne", true, 3, Kind::ExistsOne),
    ("exists_one", true, 3, Kind::ExistsOne),
    ("transformList", true, 3, Kind::TransformList),
    ("transformList", true, 4, Kind::TransformList),
    ("transformMap", true, 3, Kind::TransformMap),
    ("transformMap", true, 4, Kind::TransformMap),
    // The calendar functions read the `calendar` root a catalog provides.
    ("inWindow", false, 1, Kind::InWindow),
    ("frozen", false, 0, Kind::Frozen),
];

/// Our macro for the call `name(..)` with `args` arguments (on a target
/// when `receiver`), if any.
pub(crate) fn find(name: &str, receiver: bool, args: usize) -> Option<Kind> {
    FORMS
        .iter()
        .find(|(n, r, a, _)| *n == name && *r == receiver && *a == args)
        .map(|(_, _, _, kind)| *kind)
}

/// Register the macros on `env`.
pub(crate) fn register(env: &mut Env) -> Result<(), cel::DeclarationError> {
    for (name, receiver, args, kind) in FORMS {
        let expander =
            move |h: &mut MacroExprHelper<'_>,
                  target: &mut Option<IdedExpr>,
                  args: &mut Vec<IdedExpr>| { expand(kind, h, target, args).map(Some) };
        env.add_macro(if receiver {
            Macro::receiver(name, args, expander)
        } else {
            Macro::global(name, args, expander)
        })?;
    }
    Ok(())
}

/// `calendar.FIELD`: what `inWindow(name)` (`calendar.windows[name]`) and
/// `frozen()` (`calendar.frozen`) expand to.
fn calendar_field<B: Builder + ?Sized>(h: &mut B, field: &str) -> IdedExpr {
    let root = h.next_expr(Expr::Ident("calendar".to_string()));
    h.next_expr(Expr::Select(SelectExpr {
        operand: Box::new(root),
        field: field.to_string(),
        test: false,
    }))
}

/// The name of a macro's variable argument, which must be a plain name.
pub(crate) fn ident<B: Builder + ?Sized>(h: &mut B, e: IdedExpr) -> Result<String, B::Error> {
    match e.expr {
        Expr::Ident(name) => Ok(name),
        _ => Err(h.error(e.id, "argument must be a simple name")),
    }
}

/// A node calling the global function `name`.
pub(crate) fn call<B: Builder + ?Sized>(h: &mut B, name: &str, args: Vec<IdedExpr>) -> IdedExpr {
    h.next_expr(Expr::Call(CallExpr {
        func_name: name.to_string(),
        target: None,
        args,
    }))
}

/// A node reading the accumulator.
pub(crate) fn accu<B: Builder + ?Sized>(h: &mut B) -> IdedExpr {
    h.next_expr(Expr::Ident(ACCU.to_string()))
}

/// The accumulator's start, step and result of `existsOne`: count the
/// items for which `body` holds, then compare the count with 1.
pub(crate) fn exactly_one<B: Builder + ?Sized>(
    h: &mut B,
    body: IdedExpr,
) -> (IdedExpr, IdedExpr, IdedExpr) {
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

/// The expansion of our macro `kind` for the call on `target` (none for a
/// global call) with `args`, which it takes what it uses from.
pub(crate) fn expand<B: Builder + ?Sized>(
    kind: Kind,
    h: &mut B,
    target: &mut Option<IdedExpr>,
    args: &mut Vec<IdedExpr>,
) -> Result<IdedExpr, B::Error> {
    match kind {
        Kind::InWindow => {
            let name = args
                .pop()
                .ok_or_else(|| h.error(0, "inWindow needs a window name"))?;
            let windows = calendar_field(h, "windows");
            return Ok(call(h, "_[_]", vec![windows, name]));
        }
        Kind::Frozen => return Ok(calendar_field(h, "frozen")),
        _ => {}
    }
    let Some(range) = target.take() else {
        return Err(h.error(0, "a comprehension needs a list or map to iterate"));
    };
    let mut args: Vec<IdedExpr> = std::mem::take(args);
    let two_vars = !(matches!(kind, Kind::ExistsOne) && args.len() == 2);
    // The last argument is the body; before it, an optional filter.
    let body = args
        .pop()
        .ok_or_else(|| h.error(range.id, "missing body"))?;
    let filter = if args.len() == 3 { args.pop() } else { None };
    let second = if two_vars { args.pop() } else { None };
    let first = args
        .pop()
        .ok_or_else(|| h.error(range.id, "missing variable"))?;
    let iter_var = ident(h, first)?;
    let iter_var2 = second.map(|s| ident(h, s)).transpose()?;
    let (init, step, result) = match kind {
        Kind::All | Kind::Exists | Kind::InWindow | Kind::Frozen => {
            let all = matches!(kind, Kind::All);
            let init = h.next_expr(Expr::Literal(LiteralValue::Boolean(all.into())));
            let a = accu(h);
            let step = call(h, if all { "_&&_" } else { "_||_" }, vec![a, body]);
            (init, step, accu(h))
        }
        Kind::ExistsOne => exactly_one(h, body),
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
