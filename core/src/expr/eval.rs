//! Evaluating a plan: over the input's roots, the policy's variables and a
//! stack of comprehension variables, within a per-decision [`Budget`] of
//! steps and bytes. Every node costs a step; work proportional to a size
//! (copying a string, building a list, comparing lists) costs in proportion;
//! a value's size is checked against the limits *before* it is built.
//! Errors follow the CEL specification: `&&` and `||` absorb an error on one
//! side when the other decides the result, everything else propagates —
//! except a limit's error (the budget, a size limit), which nothing absorbs.

use std::rc::Rc;

use smallvec::SmallVec;

use super::budget::{Budget, ErrorClass, EvalError, R, excerpt};
use super::functions::{self, Func};
use super::plan::{Comprehension, Loop, Node, Op};
use super::value::{Key, List, Map, Val, equal_cost, order, order_work};

/// What an expression evaluates against.
pub(crate) struct Frame<'a, 'f> {
    /// The roots of the input, in the slot order of the plan.
    pub roots: &'f [Val<'a>],
    /// The policy's variables by slot: `None` for one not (yet) evaluated.
    pub vars: &'f [Option<Val<'a>>],
    pub budget: &'f Budget,
}

impl<'f> Frame<'static, 'f> {
    /// A frame with no input (constant folding).
    pub(crate) fn constant(budget: &'f Budget) -> Self {
        Frame {
            roots: &[],
            vars: &[],
            budget,
        }
    }
}

/// Evaluate `node` in `frame`.
pub(crate) fn eval<'a>(node: &'a Node, frame: &Frame<'a, '_>) -> R<'a> {
    let mut ev = Ev {
        frame,
        locals: SmallVec::new(),
    };
    ev.eval(node)
}

struct Ev<'a, 'x, 'f> {
    frame: &'x Frame<'a, 'f>,
    /// The comprehension variables in scope, by slot: inline up to two
    /// nested comprehensions of two variables, the common case, so an
    /// expression with a comprehension allocates nothing for them.
    locals: SmallVec<[Val<'a>; 4]>,
}

impl<'a> Ev<'a, '_, '_> {
    fn eval(&mut self, node: &'a Node) -> R<'a> {
        self.frame.budget.step(1)?;
        match node {
            Node::Const(c) => Ok(c.to_val()),
            Node::Root(slot, name) => self.frame.roots.get(*slot).cloned().ok_or_else(|| {
                EvalError::new(ErrorClass::Missing, format!("`{name}` is not in the facts"))
            }),
            Node::Var(slot, name) => match self.frame.vars.get(*slot) {
                Some(Some(v)) => Ok(v.clone()),
                _ => Err(EvalError::new(
                    ErrorClass::Missing,
                    format!("variable `{name}` could not be evaluated"),
                )),
            },
            Node::Local(slot) => self.locals.get(*slot).cloned().ok_or_else(|| {
                EvalError::new(ErrorClass::Missing, "a comprehension variable out of scope")
            }),
            Node::Select(x, field, what) => match self.held(x)? {
                Some(v) => select(v, field, what),
                None => select(&self.eval(x)?, field, what),
            },
            Node::Has(x, field) => {
                let has = |v: &Val<'a>| match v {
                    Val::Map(m) => Ok(Val::Bool(m.field(field).is_some())),
                    _ => Err(EvalError::overload("has", &[v])),
                };
                match self.held(x)? {
                    Some(v) => has(v),
                    None => has(&self.eval(x)?),
                }
            }
            Node::OptSelect(x, field) => Ok(match optional(self.eval(x)?) {
                (Some(Val::Map(m)), _) => Val::Optional(m.field(field).map(Rc::new)),
                _ => Val::Optional(None),
            }),
            // `x[i]` of an optional `x` is optional, like `x[?i]`.
            Node::Index(x, i) | Node::OptIndex(x, i) => {
                let (v, was_optional) = optional(self.eval(x)?);
                let i = self.eval(i)?;
                match v {
                    Some(v) if !was_optional && matches!(node, Node::Index(..)) => index(&v, &i),
                    Some(v) => Ok(Val::Optional(index(&v, &i).ok().map(Rc::new))),
                    None => Ok(Val::Optional(None)),
                }
            }
            Node::And(x, y) => {
                let l = limit_first(self.eval(x))?;
                if let Ok(Val::Bool(false)) = l {
                    return Ok(Val::Bool(false));
                }
                let r = self.eval(y)?;
                match (l, r) {
                    (Ok(Val::Bool(true)), Val::Bool(r)) => Ok(Val::Bool(r)),
                    (Err(_), Val::Bool(false)) => Ok(Val::Bool(false)),
                    (Err(e), _) => Err(e),
                    (Ok(l), r) => Err(EvalError::overload("_&&_", &[&l, &r])),
                }
            }
            Node::Or(x, y) => {
                let l = limit_first(self.eval(x))?;
                if let Ok(Val::Bool(true)) = l {
                    return Ok(Val::Bool(true));
                }
                let r = self.eval(y)?;
                match (l, r) {
                    (Ok(Val::Bool(false)), Val::Bool(r)) => Ok(Val::Bool(r)),
                    (Err(_), Val::Bool(true)) => Ok(Val::Bool(true)),
                    (Err(e), _) => Err(e),
                    (Ok(l), r) => Err(EvalError::overload("_||_", &[&l, &r])),
                }
            }
            Node::Not(x) => match self.eval(x)? {
                Val::Bool(b) => Ok(Val::Bool(!b)),
                v => Err(EvalError::overload("!_", &[&v])),
            },
            Node::Neg(x) => super::ops::negate(self.eval(x)?),
            Node::Cond(c, t, f) => match self.eval(c)? {
                Val::Bool(true) => self.eval(t),
                Val::Bool(false) => self.eval(f),
                v => Err(EvalError::overload("_?_:_", &[&v])),
            },
            Node::Binary(op, x, y) => {
                let l = self.eval(x)?;
                let r = self.eval(y)?;
                binary(*op, l, r, self.frame.budget)
            }
            Node::List(items, optional) => {
                self.frame.budget.list(items.len())?;
                let mut out = Built::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let v = self.eval(item)?;
                    if optional.contains(&i) {
                        match v {
                            Val::Optional(Some(v)) => out.push((*v).clone()),
                            Val::Optional(None) => {}
                            other => out.push(other),
                        }
                    } else {
                        out.push(v);
                    }
                }
                Ok(Val::List(List::Vals(shared(out))))
            }
            Node::ConstList(items) => {
                // Charged as a list literal is, though nothing is built.
                self.frame.budget.list(super::value::Items::count(items))?;
                Ok(Val::List(List::View(items)))
            }
            Node::Map(entries) => {
                self.frame.budget.list(entries.len())?;
                let mut out: Vec<(Key<'a>, Val<'a>)> = Vec::with_capacity(entries.len());
                for (k, v, optional) in entries {
                    let key = self.eval(k)?;
                    let key = Key::of(&key).ok_or_else(|| {
                        EvalError::new(
                            ErrorClass::Overload,
                            format!("a map key cannot be a {}", key.type_name()),
                        )
                    })?;
                    let value = match (self.eval(v)?, optional) {
                        (Val::Optional(None), true) => continue,
                        (Val::Optional(Some(v)), true) => (*v).clone(),
                        (v, _) => v,
                    };
                    out.push((key, value));
                }
                map_of(out)
            }
            Node::Call(func, args) => self.call(*func, args),
            Node::Matches(x, re) => match self.eval(x)? {
                Val::Str(s) => {
                    self.frame.budget.step(1 + s.as_str().len() as u64 / 16)?;
                    Ok(Val::Bool(re.is_match(s.as_str())))
                }
                v => Err(EvalError::overload("matches", &[&v])),
            },
            Node::Loop(c) => self.comprehension(c),
        }
    }

    /// The value `node` reads when it is a comprehension variable, a
    /// policy variable or a root that is there: borrowed where it is held
    /// (its step charged as [`Ev::eval`] charges it), so reading a field of
    /// it copies nothing. `None` for any other node, for [`Ev::eval`].
    fn held(&self, node: &Node) -> Result<Option<&Val<'a>>, EvalError> {
        let held = match node {
            Node::Local(slot) => self.locals.get(*slot),
            Node::Var(slot, _) => self.frame.vars.get(*slot).and_then(Option::as_ref),
            Node::Root(slot, _) => self.frame.roots.get(*slot),
            _ => None,
        };
        if held.is_some() {
            self.frame.budget.step(1)?;
        }
        Ok(held)
    }

    fn call(&mut self, func: Func, args: &'a [Node]) -> R<'a> {
        let mut vals: [Val<'a>; 3] = [Val::Null, Val::Null, Val::Null];
        if args.len() > vals.len() {
            return Err(EvalError::new(
                ErrorClass::Overload,
                format!("`{}` takes at most three arguments", func.name()),
            ));
        }
        for (slot, a) in vals.iter_mut().zip(args) {
            *slot = self.eval(a)?;
        }
        let n = args.len();
        functions::call(func, vals.get(..n).unwrap_or(&[]), self.frame.budget)
    }

    fn comprehension(&mut self, c: &'a Comprehension) -> R<'a> {
        let range = self.eval(&c.range)?;
        let items = match range {
            Val::List(l) => Items::List(l),
            // A map's entries in sorted key order.
            Val::Map(m) => Items::Entries(m.iter().collect()),
            v => return Err(EvalError::overload("comprehension", &[&v])),
        };
        let saved = self.locals.len();
        // Over nothing, no variable is ever bound: no slots to make.
        if items.len() > 0 && self.locals.len() < c.slot + 2 {
            self.locals.resize(c.slot + 2, Val::Null);
        }
        let result = self.run(c, &items, self.frame.budget);
        self.locals.truncate(saved);
        result
    }

    /// Bind item `i` of `items` to the comprehension's variables: the
    /// element (or key) alone, or the index (or key) and the element (or
    /// value). Returns the first variable's value.
    fn bind(&mut self, c: &Comprehension, items: &Items<'a>, i: usize) -> Option<Val<'a>> {
        let (first, second) = match items {
            Items::List(l) => {
                let v = l.get(i)?;
                if c.two {
                    (Val::Int(i64::try_from(i).unwrap_or(i64::MAX)), v)
                } else {
                    (v, Val::Null)
                }
            }
            Items::Entries(e) => {
                let (k, v) = e.get(i)?;
                (k.to_val(), if c.two { v.clone() } else { Val::Null })
            }
        };
        if let Some(s) = self.locals.get_mut(c.slot + 1) {
            *s = second;
        }
        if let Some(s) = self.locals.get_mut(c.slot) {
            *s = first.clone();
        }
        Some(first)
    }

    fn test(&mut self, p: &'a Node, what: &str) -> Result<bool, EvalError> {
        match self.eval(p)? {
            Val::Bool(b) => Ok(b),
            v => Err(EvalError::overload(what, &[&v])),
        }
    }

    fn run(&mut self, c: &'a Comprehension, items: &Items<'a>, budget: &Budget) -> R<'a> {
        let n = items.len();
        match &c.body {
            Loop::All(p) | Loop::Exists(p) => {
                let want = matches!(c.body, Loop::Exists(_));
                // An error is kept until the end: a decisive element later
                // in the list wins over it (CEL's commutative `&&`/`||`).
                let mut error = None;
                for i in 0..n {
                    self.bind(c, items, i);
                    match self.eval(p) {
                        Ok(Val::Bool(v)) if v == want => return Ok(Val::Bool(want)),
                        Ok(Val::Bool(_)) => {}
                        Ok(v) => {
                            error.get_or_insert(EvalError::overload(
                                if want { "_||_" } else { "_&&_" },
                                &[&Val::Bool(!want), &v],
                            ));
                        }
                        Err(e) if e.class == ErrorClass::Limit => return Err(e),
                        Err(e) => {
                            error.get_or_insert(e);
                        }
                    }
                }
                error.map_or(Ok(Val::Bool(!want)), Err)
            }
            Loop::ExistsOne(p) => {
                let mut found = 0usize;
                for i in 0..n {
                    self.bind(c, items, i);
                    if self.test(p, "exists_one")? {
                        found += 1;
                    }
                }
                Ok(Val::Bool(found == 1))
            }
            Loop::Filter(p) => {
                let mut out = Built::new();
                for i in 0..n {
                    let Some(a) = self.bind(c, items, i) else {
                        continue;
                    };
                    if self.test(p, "filter")? {
                        budget.list(out.len() + 1)?;
                        out.push(a);
                    }
                }
                Ok(Val::List(List::Vals(shared(out))))
            }
            Loop::Map(p, f) => {
                let mut out = Built::new();
                for i in 0..n {
                    self.bind(c, items, i);
                    if let Some(p) = p {
                        if !self.test(p, "map")? {
                            continue;
                        }
                    }
                    let v = self.eval(f)?;
                    budget.list(out.len() + 1)?;
                    out.push(v);
                }
                Ok(Val::List(List::Vals(shared(out))))
            }
            Loop::MapValues(p, f) => {
                let mut out: Vec<(Key<'a>, Val<'a>)> = Vec::new();
                for i in 0..n {
                    let Some(a) = self.bind(c, items, i) else {
                        continue;
                    };
                    if let Some(p) = p {
                        if !self.test(p, "transformMap")? {
                            continue;
                        }
                    }
                    let v = self.eval(f)?;
                    budget.list(out.len() + 1)?;
                    let key = Key::of(&a).ok_or_else(|| {
                        EvalError::new(ErrorClass::Overload, "a map key cannot be this type")
                    })?;
                    out.push((key, v));
                }
                map_of(out)
            }
        }
    }
}

/// The items a `filter` or `map` builds: inline while they are few (most
/// lists of the facts are short), so the list costs one allocation.
type Built<'a> = SmallVec<[Val<'a>; 8]>;

/// The built items as a shared list: copied (a counter each) into the one
/// allocation of the list while inline, moved when they spilled.
fn shared(out: Built<'_>) -> Rc<[Val<'_>]> {
    if out.spilled() {
        out.into_vec().into()
    } else {
        Rc::from(out.as_slice())
    }
}

/// The left operand of `&&` or `||`, with a limit's error (the budget, a
/// size limit) taken out to propagate at once: the other side may absorb
/// any other error, as the CEL specification says, but not one of these.
/// Absorbed, a size limit hit after the work that built the value (a
/// 7 MiB string of the facts formatted) could be hit again on every item
/// of a comprehension for minutes, each time within the budget.
fn limit_first(l: R<'_>) -> Result<R<'_>, EvalError> {
    match l {
        Err(e) if e.class == ErrorClass::Limit => Err(e),
        l => Ok(l),
    }
}

/// The value an operand holds, if any, and whether it was an optional.
fn optional(v: Val<'_>) -> (Option<Val<'_>>, bool) {
    match v {
        Val::Optional(inner) => (inner.map(|v| (*v).clone()), true),
        v => (Some(v), false),
    }
}

/// What a comprehension iterates.
enum Items<'a> {
    List(List<'a>),
    Entries(Vec<(Key<'a>, Val<'a>)>),
}

impl Items<'_> {
    fn len(&self) -> usize {
        match self {
            Items::List(l) => l.len(),
            Items::Entries(e) => e.len(),
        }
    }
}

/// A map from entries: sorted by key; a key given twice is an error.
fn map_of<'a>(mut entries: Vec<(Key<'a>, Val<'a>)>) -> R<'a> {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let twice = entries.windows(2).find_map(|w| match w {
        [a, b] if a.0 == b.0 => Some(a.0.to_val().to_json()),
        _ => None,
    });
    if let Some(k) = twice {
        return Err(EvalError::new(
            ErrorClass::Argument,
            format!("duplicate map key `{}`", excerpt(&k.to_string())),
        ));
    }
    Ok(Val::Map(Map::Vals(entries.into())))
}

/// `v.field`.
fn select<'a>(v: &Val<'a>, field: &str, what: &str) -> R<'a> {
    match v {
        Val::Map(m) => m.field(field).ok_or_else(|| {
            EvalError::new(
                ErrorClass::Missing,
                format!("no such field `{field}` in the facts"),
            )
        }),
        Val::Null => Err(EvalError::new(
            ErrorClass::Missing,
            format!("`{what}` is not in the facts"),
        )),
        _ => Err(EvalError::new(
            ErrorClass::Overload,
            format!("`{what}` is a {} and has no field `{field}`", v.type_name()),
        )),
    }
}

/// `v[i]`.
pub(crate) fn index<'a>(v: &Val<'a>, i: &Val<'_>) -> R<'a> {
    match v {
        Val::List(l) => {
            let at = match i {
                Val::Int(n) => *n,
                Val::Uint(u) => i64::try_from(*u).unwrap_or(i64::MAX),
                Val::Double(d) if d.fract() == 0.0 && d.is_finite() => {
                    #[allow(clippy::cast_possible_truncation)]
                    let n = *d as i64;
                    n
                }
                _ => return Err(EvalError::overload("_[_]", &[v, i])),
            };
            usize::try_from(at)
                .ok()
                .and_then(|n| l.get(n))
                .ok_or_else(|| {
                    EvalError::new(ErrorClass::Index, format!("index `{at}` is out of bounds"))
                })
        }
        Val::Map(m) => {
            if Key::of(i).is_none() && !matches!(i, Val::Double(_)) {
                return Err(EvalError::overload("_[_]", &[v, i]));
            }
            m.get(i).ok_or_else(|| {
                let k = match i {
                    Val::Str(s) => excerpt(s.as_str()).into_owned(),
                    other => other.to_json().to_string(),
                };
                EvalError::new(
                    ErrorClass::Missing,
                    format!("no such field `{k}` in the facts"),
                )
            })
        }
        _ => Err(EvalError::overload("_[_]", &[v, i])),
    }
}

/// A binary operator.
fn binary<'a>(op: Op, l: Val<'a>, r: Val<'a>, budget: &Budget) -> R<'a> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let ordered = |want: &[std::cmp::Ordering], name: &str| -> R<'a> {
        budget.step(order_work(&l, &r))?;
        match order(&l, &r) {
            Some(o) => Ok(Val::Bool(want.contains(&o))),
            None if both_numbers(&l, &r) => Ok(Val::Bool(false)),
            None => Err(EvalError::overload(name, &[&l, &r])),
        }
    };
    match op {
        Op::Eq | Op::Ne => {
            let (eq, work) = equal_cost(&l, &r);
            budget.step(work)?;
            Ok(Val::Bool(eq == (op == Op::Eq)))
        }
        Op::Lt => ordered(&[Less], "_<_"),
        Op::Le => ordered(&[Less, Equal], "_<=_"),
        Op::Gt => ordered(&[Greater], "_>_"),
        Op::Ge => ordered(&[Greater, Equal], "_>=_"),
        Op::In => match &r {
            Val::List(list) => {
                for x in list.iter() {
                    let (eq, work) = equal_cost(&l, &x);
                    budget.step(work)?;
                    if eq {
                        return Ok(Val::Bool(true));
                    }
                }
                Ok(Val::Bool(false))
            }
            Val::Map(m) => {
                if Key::of(&l).is_none() && !matches!(l, Val::Double(_)) {
                    return Err(EvalError::overload("@in", &[&l, &r]));
                }
                Ok(Val::Bool(m.get(&l).is_some()))
            }
            _ => Err(EvalError::overload("@in", &[&l, &r])),
        },
        Op::Add => super::ops::add(l, r, budget),
        Op::Sub => super::ops::sub(l, r),
        Op::Mul => super::ops::mul(l, r),
        Op::Div => super::ops::div(l, r),
        Op::Rem => super::ops::rem(l, r),
    }
}

fn both_numbers(l: &Val<'_>, r: &Val<'_>) -> bool {
    let num = |v: &Val<'_>| matches!(v, Val::Int(_) | Val::Uint(_) | Val::Double(_));
    num(l) && num(r)
}
