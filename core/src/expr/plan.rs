//! Compiling a parsed, checked CEL expression into an evaluation plan, once
//! at load: names are resolved to slots (a root of the input, a policy
//! variable, a comprehension variable), the macros (`all`, `exists`,
//! `exists_one`, `map`, `filter` and the two-variable forms) become loops of
//! their own kind, functions are resolved by name, literal regular
//! expressions are compiled, and constant sub-expressions are folded.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use cel::common::ast::{CallExpr, ComprehensionExpr, EntryExpr, Expr, IdedExpr, LiteralValue};

use super::budget::Budget;
use super::eval::Frame;
use super::functions::Func;
use super::value::{Items, Str, Val};
use crate::model::shape::Shape;

/// A constant of the plan: the values a literal can be.
#[derive(Debug, Clone)]
pub(crate) enum Const {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Double(f64),
    Str(Arc<str>),
    Bytes(Arc<[u8]>),
    Type(&'static str),
    /// A folded `duration(…)` (and arithmetic of durations).
    Duration(chrono::TimeDelta),
    /// A folded `timestamp(…)`.
    Timestamp(chrono::DateTime<chrono::Utc>),
}

impl Const {
    pub(crate) fn to_val<'a>(&'a self) -> Val<'a> {
        match self {
            Const::Null => Val::Null,
            Const::Bool(b) => Val::Bool(*b),
            Const::Int(i) => Val::Int(*i),
            Const::Uint(u) => Val::Uint(*u),
            Const::Double(d) => Val::Double(*d),
            Const::Str(s) => Val::Str(Str::B(s)),
            Const::Bytes(b) => Val::Bytes(Rc::from(&b[..])),
            Const::Type(t) => Val::Type(t),
            Const::Duration(d) => Val::Duration(*d),
            Const::Timestamp(t) => Val::Timestamp(*t),
        }
    }
}

/// The items of a list literal of constants.
#[derive(Debug)]
pub(crate) struct ConstList(Vec<Const>);

impl Items for ConstList {
    fn count(&self) -> usize {
        self.0.len()
    }

    fn item(&self, i: usize) -> Option<Val<'_>> {
        self.0.get(i).map(Const::to_val)
    }
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
}

/// What a loop computes.
#[derive(Debug)]
pub(crate) enum Loop {
    /// `all(x, p)`.
    All(Node),
    /// `exists(x, p)`.
    Exists(Node),
    /// `exists_one(x, p)`.
    ExistsOne(Node),
    /// `map(x, f)` or `map(x, p, f)`; `transformList(i, v, [p,] f)`.
    Map(Option<Node>, Node),
    /// `filter(x, p)`.
    Filter(Node),
    /// `transformMap(k, v, [p,] f)`.
    MapValues(Option<Node>, Node),
}

/// A comprehension: the range, the slot of its first variable (the second,
/// if any, is the next slot), and what it computes.
#[derive(Debug)]
pub(crate) struct Comprehension {
    pub range: Node,
    pub slot: usize,
    pub two: bool,
    pub body: Loop,
}

/// A node of an evaluation plan.
#[derive(Debug)]
pub(crate) enum Node {
    Const(Const),
    /// A root of the input (`release`, `now`).
    Root(usize, Arc<str>),
    /// A policy variable.
    Var(usize, Arc<str>),
    /// A comprehension variable.
    Local(usize),
    /// `x.f`; the text of `x` for messages.
    Select(Box<Node>, Arc<str>, Arc<str>),
    /// `has(x.f)`.
    Has(Box<Node>, Arc<str>),
    /// `x.?f`.
    OptSelect(Box<Node>, Arc<str>),
    /// `x[i]`.
    Index(Box<Node>, Box<Node>),
    /// `x[?i]`.
    OptIndex(Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Neg(Box<Node>),
    Cond(Box<Node>, Box<Node>, Box<Node>),
    Binary(Op, Box<Node>, Box<Node>),
    /// A list literal; the indices of optional elements (`[?x]`).
    List(Vec<Node>, Vec<usize>),
    /// A list literal of constants only (`["schema", "data"]`), folded at
    /// load: read in place, so evaluating it builds nothing.
    ConstList(ConstList),
    /// A map literal: key, value, optional entry.
    Map(Vec<(Node, Node, bool)>),
    /// A function call: the receiver, if any, is the first argument.
    Call(Func, Vec<Node>),
    /// `s.matches(re)` with a literal pattern, compiled at load.
    Matches(Box<Node>, Arc<regex::Regex>),
    Loop(Box<Comprehension>),
}

/// What the plan compiler needs to resolve names.
pub(crate) struct Names<'a> {
    /// The roots of the input, in slot order.
    pub roots: &'a Shape,
    /// The policy's variables declared so far and their slots.
    pub variables: &'a BTreeMap<String, usize>,
    /// The regular-expression size limit.
    pub max_regex_bytes: usize,
}

/// Compile `e` into a plan; an expression outside what the static checks
/// admit is an error message (the static checks run first, so this is for
/// forms they let through unchanged, such as a raw comprehension).
pub(crate) fn compile(e: &IdedExpr, names: &Names<'_>) -> Result<Node, String> {
    let mut c = Compiler {
        names,
        locals: Vec::new(),
    };
    let node = c.node(e)?;
    Ok(fold(node))
}

struct Compiler<'a, 'n> {
    names: &'a Names<'n>,
    locals: Vec<String>,
}

fn b(n: Node) -> Box<Node> {
    Box::new(n)
}

impl Compiler<'_, '_> {
    fn local(&self, name: &str) -> Option<usize> {
        self.locals.iter().rposition(|n| n == name)
    }

    fn root(&self, name: &str) -> Option<usize> {
        match self.names.roots {
            Shape::Object(fields) => fields.keys().position(|k| k == name),
            _ => None,
        }
    }

    fn node(&mut self, e: &IdedExpr) -> Result<Node, String> {
        Ok(match &e.expr {
            Expr::Literal(l) => Node::Const(match l {
                LiteralValue::Boolean(b) => Const::Bool(**b),
                LiteralValue::Int(i) => Const::Int(**i),
                LiteralValue::UInt(u) => Const::Uint(**u),
                LiteralValue::Double(d) => Const::Double(**d),
                LiteralValue::String(s) => Const::Str(Arc::from(s.as_ref())),
                LiteralValue::Bytes(bs) => Const::Bytes(Arc::from(bs.as_ref())),
                LiteralValue::Null => Const::Null,
            }),
            Expr::Ident(name) => self.ident(name)?,
            Expr::Select(sel) => {
                if !sel.test {
                    if let Expr::Ident(n) = &sel.operand.expr {
                        if n == "variables" && self.local(n).is_none() {
                            let slot = self
                                .names
                                .variables
                                .get(&sel.field)
                                .ok_or_else(|| format!("unknown variable `{}`", sel.field))?;
                            return Ok(Node::Var(*slot, Arc::from(sel.field.as_str())));
                        }
                    }
                }
                let operand = self.node(&sel.operand)?;
                let field: Arc<str> = Arc::from(sel.field.as_str());
                if sel.test {
                    Node::Has(b(operand), field)
                } else {
                    Node::Select(b(operand), field, Arc::from(describe(&sel.operand)))
                }
            }
            Expr::List(list) => {
                let items = list
                    .elements
                    .iter()
                    .map(|el| self.node(el))
                    .collect::<Result<_, _>>()?;
                Node::List(items, list.optional_indices.clone())
            }
            Expr::Map(map) => {
                let mut entries = Vec::with_capacity(map.entries.len());
                for entry in &map.entries {
                    let EntryExpr::MapEntry(m) = &entry.expr else {
                        return Err("message literals are not supported".into());
                    };
                    entries.push((self.node(&m.key)?, self.node(&m.value)?, m.optional));
                }
                Node::Map(entries)
            }
            Expr::Struct(_) => return Err("message literals are not supported".into()),
            Expr::Unspecified => return Err("an unspecified expression".into()),
            Expr::Call(call) => self.call(call)?,
            Expr::Comprehension(c) => self.comprehension(c)?,
        })
    }

    fn ident(&mut self, name: &str) -> Result<Node, String> {
        if let Some(slot) = self.local(name) {
            return Ok(Node::Local(slot));
        }
        if let Some(slot) = self.root(name) {
            return Ok(Node::Root(slot, Arc::from(name)));
        }
        let ty = match name {
            "int" => "int",
            "uint" => "uint",
            "double" => "double",
            "bool" => "bool",
            "string" => "string",
            "bytes" => "bytes",
            "list" => "list",
            "map" => "map",
            "null_type" => "null_type",
            "type" => "type",
            "timestamp" => "google.protobuf.Timestamp",
            "duration" => "google.protobuf.Duration",
            "google.protobuf.Timestamp" => "google.protobuf.Timestamp",
            "google.protobuf.Duration" => "google.protobuf.Duration",
            "dyn" => "dyn",
            _ => return Err(format!("`{name}` is not in the facts")),
        };
        Ok(Node::Const(Const::Type(ty)))
    }

    fn call(&mut self, call: &CallExpr) -> Result<Node, String> {
        let name = call.func_name.as_str();
        let args = |c: &mut Self| -> Result<Vec<Node>, String> {
            call.args.iter().map(|a| c.node(a)).collect()
        };
        // `semver.compare(a, b)`, `optional.of(x)`: a namespaced function.
        if let Some(IdedExpr {
            expr: Expr::Ident(ns),
            ..
        }) = call.target.as_deref()
        {
            if matches!(ns.as_str(), "semver" | "optional" | "strings") && self.local(ns).is_none()
            {
                let full = format!("{ns}.{name}");
                let func = Func::resolve(&full, false, call.args.len())
                    .ok_or_else(|| format!("unknown function `{full}`"))?;
                return Ok(Node::Call(func, args(self)?));
            }
        }
        let two = |c: &mut Self| -> Result<(Box<Node>, Box<Node>), String> {
            match call.args.as_slice() {
                [x, y] => Ok((b(c.node(x)?), b(c.node(y)?))),
                _ => Err(format!("`{name}` takes two operands")),
            }
        };
        let op = |o: Op, c: &mut Self| two(c).map(|(x, y)| Node::Binary(o, x, y));
        match (name, call.target.is_some()) {
            ("_&&_", false) => return two(self).map(|(x, y)| Node::And(x, y)),
            ("_||_", false) => return two(self).map(|(x, y)| Node::Or(x, y)),
            ("_+_", false) => return op(Op::Add, self),
            ("_-_", false) => return op(Op::Sub, self),
            ("_*_", false) => return op(Op::Mul, self),
            ("_/_", false) => return op(Op::Div, self),
            ("_%_", false) => return op(Op::Rem, self),
            ("_==_", false) => return op(Op::Eq, self),
            ("_!=_", false) => return op(Op::Ne, self),
            ("_<_", false) => return op(Op::Lt, self),
            ("_<=_", false) => return op(Op::Le, self),
            ("_>_", false) => return op(Op::Gt, self),
            ("_>=_", false) => return op(Op::Ge, self),
            ("@in", false) => return op(Op::In, self),
            ("_[_]", false) => return two(self).map(|(x, y)| Node::Index(x, y)),
            ("_[?_]", false) => return two(self).map(|(x, y)| Node::OptIndex(x, y)),
            ("_?._", false) => {
                return match call.args.as_slice() {
                    [
                        x,
                        IdedExpr {
                            expr: Expr::Literal(LiteralValue::String(f)),
                            ..
                        },
                    ] => Ok(Node::OptSelect(b(self.node(x)?), Arc::from(f.as_ref()))),
                    _ => Err("`?.` takes a field name".into()),
                };
            }
            ("!_", false) | ("-_", false) => {
                let [x] = call.args.as_slice() else {
                    return Err(format!("`{name}` takes one operand"));
                };
                let x = b(self.node(x)?);
                return Ok(if name == "!_" {
                    Node::Not(x)
                } else {
                    Node::Neg(x)
                });
            }
            ("_?_:_", false) => {
                let [c, t, f] = call.args.as_slice() else {
                    return Err("`?:` takes three operands".into());
                };
                return Ok(Node::Cond(
                    b(self.node(c)?),
                    b(self.node(t)?),
                    b(self.node(f)?),
                ));
            }
            _ => {}
        }
        let receiver = call.target.is_some();
        let func = Func::resolve(name, receiver, call.args.len())
            .ok_or_else(|| format!("unknown function `{name}`"))?;
        let mut all = Vec::with_capacity(call.args.len() + 1);
        if let Some(t) = &call.target {
            all.push(self.node(t)?);
        }
        for a in &call.args {
            all.push(self.node(a)?);
        }
        // A literal pattern is compiled once, here.
        if func == Func::Matches {
            if let [_, Node::Const(Const::Str(p))] = all.as_slice() {
                let re = regex::RegexBuilder::new(p)
                    .size_limit(self.names.max_regex_bytes)
                    .build()
                    .map_err(|e| format!("invalid regular expression `{p}`: {e}"))?;
                let subject = all.swap_remove(0);
                return Ok(Node::Matches(b(subject), Arc::new(re)));
            }
        }
        Ok(Node::Call(func, all))
    }

    fn comprehension(&mut self, c: &ComprehensionExpr) -> Result<Node, String> {
        let range = self.node(&c.iter_range)?;
        let slot = self.locals.len();
        self.locals.push(c.iter_var.clone());
        if let Some(v2) = &c.iter_var2 {
            self.locals.push(v2.clone());
        }
        let body = self.body(c);
        self.locals.truncate(slot);
        Ok(Node::Loop(Box::new(Comprehension {
            range,
            slot,
            two: c.iter_var2.is_some(),
            body: body?,
        })))
    }

    /// Recognise the macro a comprehension was expanded from.
    fn body(&mut self, c: &ComprehensionExpr) -> Result<Loop, String> {
        let accu = c.accu_var.as_str();
        let is_accu = |e: &IdedExpr| matches!(&e.expr, Expr::Ident(n) if n == accu);
        let call_of = |e: &IdedExpr, f: &str| match &e.expr {
            Expr::Call(call) if call.func_name == f && call.target.is_none() => {
                Some(call.args.clone())
            }
            _ => None,
        };
        let unsupported = || "this comprehension is not one of the CEL macros".to_string();
        match &c.accu_init.expr {
            Expr::Literal(LiteralValue::Boolean(init)) => {
                let op = if **init { "_&&_" } else { "_||_" };
                let args = call_of(&c.loop_step, op).ok_or_else(unsupported)?;
                match args.as_slice() {
                    [a, p] if is_accu(a) => {
                        let p = self.node(p)?;
                        Ok(if **init {
                            Loop::All(p)
                        } else {
                            Loop::Exists(p)
                        })
                    }
                    _ => Err(unsupported()),
                }
            }
            Expr::Literal(LiteralValue::Int(_)) => {
                let args = call_of(&c.loop_step, "_?_:_").ok_or_else(unsupported)?;
                match args.as_slice() {
                    [p, _, a] if is_accu(a) => Ok(Loop::ExistsOne(self.node(p)?)),
                    _ => Err(unsupported()),
                }
            }
            Expr::List(_) | Expr::Map(_) => {
                let to_map = matches!(c.accu_init.expr, Expr::Map(_));
                // The step is `@result + [f]` (or an insertion for
                // `transformMap`), possibly under `p ? … : @result`.
                let (filter, step) = match call_of(&c.loop_step, "_?_:_") {
                    Some(args) => match args.as_slice() {
                        [p, s, a] if is_accu(a) => (Some(p.clone()), s.clone()),
                        _ => return Err(unsupported()),
                    },
                    None => (None, c.loop_step.clone()),
                };
                let f = if to_map {
                    match call_of(&step, "@insert") {
                        Some(args) => match args.as_slice() {
                            [a, _, f] if is_accu(a) => f.clone(),
                            _ => return Err(unsupported()),
                        },
                        None => return Err(unsupported()),
                    }
                } else {
                    match call_of(&step, "_+_") {
                        Some(args) => match args.as_slice() {
                            [
                                a,
                                IdedExpr {
                                    expr: Expr::List(l),
                                    ..
                                },
                            ] if is_accu(a) && l.elements.len() == 1 => {
                                l.elements.first().cloned().ok_or_else(unsupported)?
                            }
                            _ => return Err(unsupported()),
                        },
                        None => return Err(unsupported()),
                    }
                };
                let filter = filter.map(|p| self.node(&p)).transpose()?;
                // `filter(x, p)` appends `x` itself.
                let appends_var = matches!(&f.expr, Expr::Ident(n) if *n == c.iter_var);
                let filter = match filter {
                    Some(p) if appends_var && !to_map && c.iter_var2.is_none() => {
                        return Ok(Loop::Filter(p));
                    }
                    other => other,
                };
                let f = self.node(&f)?;
                Ok(if to_map {
                    Loop::MapValues(filter, f)
                } else {
                    Loop::Map(filter, f)
                })
            }
            _ => Err(unsupported()),
        }
    }
}

/// `a.b.c` as text, for messages.
fn describe(e: &IdedExpr) -> String {
    super::typecheck::describe(e)
}

/// Fold constant sub-expressions: a node whose operands are all constants
/// is evaluated once, here, when it evaluates without error (an error is
/// left to happen at evaluation, where the rule reports it).
fn fold(node: Node) -> Node {
    match node {
        Node::Binary(op, x, y) => {
            let (x, y) = (fold(*x), fold(*y));
            let n = Node::Binary(op, b(x), b(y));
            constant(n)
        }
        Node::Not(x) => constant(Node::Not(b(fold(*x)))),
        Node::Neg(x) => constant(Node::Neg(b(fold(*x)))),
        Node::And(x, y) => {
            let (x, y) = (fold(*x), fold(*y));
            // An error on one side is absorbed by `false` on the other.
            match (&x, &y) {
                (Node::Const(Const::Bool(false)), _) | (_, Node::Const(Const::Bool(false))) => {
                    Node::Const(Const::Bool(false))
                }
                _ => constant(Node::And(b(x), b(y))),
            }
        }
        Node::Or(x, y) => {
            let (x, y) = (fold(*x), fold(*y));
            match (&x, &y) {
                (Node::Const(Const::Bool(true)), _) | (_, Node::Const(Const::Bool(true))) => {
                    Node::Const(Const::Bool(true))
                }
                _ => constant(Node::Or(b(x), b(y))),
            }
        }
        Node::Cond(c, t, f) => {
            let (c, t, f) = (fold(*c), fold(*t), fold(*f));
            match c {
                Node::Const(Const::Bool(true)) => t,
                Node::Const(Const::Bool(false)) => f,
                c => Node::Cond(b(c), b(t), b(f)),
            }
        }
        Node::Call(func, args) => {
            let args: Vec<Node> = args.into_iter().map(fold).collect();
            if func.is_pure_scalar() {
                constant(Node::Call(func, args))
            } else {
                Node::Call(func, args)
            }
        }
        Node::Select(x, f, d) => Node::Select(b(fold(*x)), f, d),
        Node::Has(x, f) => Node::Has(b(fold(*x)), f),
        Node::Index(x, i) => Node::Index(b(fold(*x)), b(fold(*i))),
        Node::List(items, opt) => {
            let items: Vec<Node> = items.into_iter().map(fold).collect();
            if opt.is_empty() && items.iter().all(is_const) {
                let consts = items.into_iter().filter_map(|n| match n {
                    Node::Const(c) => Some(c),
                    _ => None,
                });
                Node::ConstList(ConstList(consts.collect()))
            } else {
                Node::List(items, opt)
            }
        }
        Node::Map(entries) => Node::Map(
            entries
                .into_iter()
                .map(|(k, v, o)| (fold(k), fold(v), o))
                .collect(),
        ),
        Node::Matches(x, re) => Node::Matches(b(fold(*x)), re),
        Node::Loop(mut c) => {
            c.range = fold(std::mem::replace(&mut c.range, Node::Const(Const::Null)));
            c.body = match c.body {
                Loop::All(p) => Loop::All(fold(p)),
                Loop::Exists(p) => Loop::Exists(fold(p)),
                Loop::ExistsOne(p) => Loop::ExistsOne(fold(p)),
                Loop::Map(p, f) => Loop::Map(p.map(fold), fold(f)),
                Loop::Filter(p) => Loop::Filter(fold(p)),
                Loop::MapValues(p, f) => Loop::MapValues(p.map(fold), fold(f)),
            };
            Node::Loop(c)
        }
        other => other,
    }
}

/// The node itself, or its value when all its operands are scalar
/// constants and it evaluates to a scalar without error.
fn constant(node: Node) -> Node {
    let operands_constant = match &node {
        Node::Binary(_, x, y) | Node::And(x, y) | Node::Or(x, y) => is_const(x) && is_const(y),
        Node::Not(x) | Node::Neg(x) => is_const(x),
        Node::Call(_, args) => args.iter().all(is_const),
        _ => false,
    };
    if !operands_constant {
        return node;
    }
    let budget = Budget::unlimited();
    let frame = Frame::constant(&budget);
    let value = super::eval::eval(&node, &frame).ok().and_then(|v| match v {
        Val::Null => Some(Const::Null),
        Val::Bool(x) => Some(Const::Bool(x)),
        Val::Int(x) => Some(Const::Int(x)),
        Val::Uint(x) => Some(Const::Uint(x)),
        Val::Double(x) => Some(Const::Double(x)),
        Val::Str(s) => Some(Const::Str(Arc::from(s.as_str()))),
        Val::Duration(d) => Some(Const::Duration(d)),
        Val::Timestamp(t) => Some(Const::Timestamp(t)),
        _ => None,
    });
    value.map_or(node, Node::Const)
}

fn is_const(n: &Node) -> bool {
    matches!(n, Node::Const(_))
}
