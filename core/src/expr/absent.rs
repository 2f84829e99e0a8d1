//! The lint for errors that `||` and `&&` absorb. CEL's logical operators
//! are commutative on errors: `service.tier <= 2 || release.kind == "hotfix"`
//! is `true` for a hotfix even when `service` is absent and reading its
//! tier errs. That is the specification, but it turns a missing fact into a
//! pass without a word. This walk finds the operands of `||` and `&&` that
//! read a fact path which may be absent in a valid input (an optional
//! section or field, a key of a free-form map) without a guard for it
//! anywhere in the expression (`has(p)`, `p != null`, `p == null`), so
//! `lint` can say so. It only warns: the expression is valid CEL.

use std::collections::BTreeSet;

use cel::common::ast::{Expr, IdedExpr, LiteralValue};

use crate::model::shape::{OptionalPaths, Shape};

/// An operand read that `||` or `&&` may absorb the error of.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Absorbed {
    /// The path read, dotted (`service.tier`).
    pub path: String,
    /// The operator (`||` or `&&`).
    pub operator: &'static str,
    /// The node of the read's first name, for its offset.
    pub id: u64,
}

/// The guards of `expr`: the paths it tests with `has(p)`, `p == null` or
/// `p != null`. A rule's `when` and a policy's `appliesTo` guard its other
/// expressions.
pub(crate) fn guards(expr: &IdedExpr, roots: &Shape) -> BTreeSet<Vec<String>> {
    let empty = BTreeSet::new();
    let mut w = Walk {
        roots,
        optional: &empty,
        locals: Vec::new(),
        guards: BTreeSet::new(),
        found: Vec::new(),
    };
    w.collect_guards(expr);
    w.guards
}

/// The unguarded reads of possibly-absent facts under `||` or `&&` in
/// `expr` whose error the other operand can absorb (it does not read the
/// same absent part, so it may decide without erring), each path once, in
/// the order found. `guarded` adds the guards of enclosing conditions.
pub(crate) fn absorbed(
    expr: &IdedExpr,
    roots: &Shape,
    optional: &OptionalPaths,
    guarded: &BTreeSet<Vec<String>>,
) -> Vec<Absorbed> {
    if optional.is_empty() {
        return Vec::new();
    }
    let mut w = Walk {
        roots,
        optional,
        locals: Vec::new(),
        guards: guarded.clone(),
        found: Vec::new(),
    };
    w.collect_guards(expr);
    w.logical(expr);
    let mut seen = BTreeSet::new();
    w.found
        .into_iter()
        .filter(|a| seen.insert(a.path.clone()))
        .collect()
}

/// A read of a possibly-absent path: the path, the part of it that may be
/// absent, and its node.
struct Read {
    path: Vec<String>,
    absent: Vec<String>,
    id: u64,
}

struct Walk<'a> {
    roots: &'a Shape,
    optional: &'a OptionalPaths,
    locals: Vec<String>,
    guards: BTreeSet<Vec<String>>,
    found: Vec<Absorbed>,
}

/// The node of the name a path starts with: where the read is reported.
fn root_id(e: &IdedExpr) -> u64 {
    match &e.expr {
        Expr::Select(s) => root_id(&s.operand),
        _ => e.id,
    }
}

fn is_null(e: &IdedExpr) -> bool {
    matches!(e.expr, Expr::Literal(LiteralValue::Null))
}

impl Walk<'_> {
    /// `a.b.c` rooted at a fact root (not a comprehension variable).
    fn path(&self, e: &IdedExpr) -> Option<Vec<String>> {
        match &e.expr {
            Expr::Ident(n)
                if !self.locals.contains(n)
                    && self.roots.field(n).is_some()
                    && n != "variables" =>
            {
                Some(vec![n.clone()])
            }
            Expr::Select(s) if !s.test => {
                let mut p = self.path(&s.operand)?;
                p.push(s.field.clone());
                Some(p)
            }
            _ => None,
        }
    }

    /// Every `has(p)` and `p == null` / `p != null` of the expression.
    fn collect_guards(&mut self, e: &IdedExpr) {
        match &e.expr {
            Expr::Select(s) if s.test => {
                if let Some(mut p) = self.path(&s.operand) {
                    p.push(s.field.clone());
                    self.guards.insert(p);
                }
                self.collect_guards(&s.operand);
            }
            Expr::Select(s) => self.collect_guards(&s.operand),
            Expr::Call(c) => {
                if matches!(c.func_name.as_str(), "_==_" | "_!=_") {
                    if let [a, b] = c.args.as_slice() {
                        let other = if is_null(a) {
                            Some(b)
                        } else {
                            is_null(b).then_some(a)
                        };
                        if let Some(p) = other.and_then(|o| self.path(o)) {
                            self.guards.insert(p);
                        }
                    }
                }
                c.target.iter().for_each(|t| self.collect_guards(t));
                c.args.iter().for_each(|a| self.collect_guards(a));
            }
            Expr::List(l) => l.elements.iter().for_each(|x| self.collect_guards(x)),
            Expr::Comprehension(c) => {
                self.collect_guards(&c.iter_range);
                let base = self.enter(c);
                for part in [&c.accu_init, &c.loop_cond, &c.loop_step, &c.result] {
                    self.collect_guards(part);
                }
                self.locals.truncate(base);
            }
            _ => {}
        }
    }

    /// The shortest part of `p` that may be absent with nothing in the
    /// expression testing for it, if any: reading `p` may then err.
    fn absent_part(&self, p: &[String]) -> Option<Vec<String>> {
        (1..=p.len()).find_map(|n| {
            let prefix = p.get(..n)?;
            // A root alone is bound to `null` when absent: reading it does
            // not err.
            if n == 1 && n == p.len() {
                return None;
            }
            let listed = self.optional.contains(prefix)
                || (n >= 2 && {
                    let mut map_key = p.get(..n - 1).unwrap_or_default().to_vec();
                    map_key.push("*".into());
                    self.optional.contains(&map_key)
                });
            (listed && !self.guards.iter().any(|g| g.starts_with(prefix))).then(|| prefix.to_vec())
        })
    }

    fn enter(&mut self, c: &cel::common::ast::ComprehensionExpr) -> usize {
        let base = self.locals.len();
        self.locals.push(c.iter_var.clone());
        if let Some(v2) = &c.iter_var2 {
            self.locals.push(v2.clone());
        }
        self.locals.push(c.accu_var.clone());
        base
    }

    /// Every read of a possibly-absent path in `e`.
    fn reads(&mut self, e: &IdedExpr, out: &mut Vec<Read>) {
        match &e.expr {
            Expr::Select(s) if !s.test => {
                if let Some(path) = self.path(e) {
                    if let Some(absent) = self.absent_part(&path) {
                        out.push(Read {
                            path,
                            absent,
                            id: root_id(e),
                        });
                        return;
                    }
                }
                self.reads(&s.operand, out);
            }
            Expr::Call(c) => {
                c.target.iter().for_each(|t| self.reads(t, out));
                c.args.iter().for_each(|a| self.reads(a, out));
            }
            Expr::List(l) => l.elements.iter().for_each(|x| self.reads(x, out)),
            Expr::Comprehension(c) => {
                self.reads(&c.iter_range, out);
                let base = self.enter(c);
                for part in [&c.loop_cond, &c.loop_step, &c.result] {
                    self.reads(part, out);
                }
                self.locals.truncate(base);
            }
            _ => {}
        }
    }

    /// Find, at each `||` / `&&`, the reads of one operand whose absent
    /// part the other operand does not read.
    fn logical(&mut self, e: &IdedExpr) {
        match &e.expr {
            Expr::Select(s) => self.logical(&s.operand),
            Expr::Call(c) => {
                let op = match c.func_name.as_str() {
                    "_||_" => Some("||"),
                    "_&&_" => Some("&&"),
                    _ => None,
                };
                if let (Some(op), [a, b]) = (op, c.args.as_slice()) {
                    let (mut ra, mut rb) = (Vec::new(), Vec::new());
                    self.reads(a, &mut ra);
                    self.reads(b, &mut rb);
                    for (mine, other) in [(&ra, &rb), (&rb, &ra)] {
                        for r in mine {
                            if !other.iter().any(|o| o.absent == r.absent) {
                                self.found.push(Absorbed {
                                    path: r.path.join("."),
                                    operator: op,
                                    id: r.id,
                                });
                            }
                        }
                    }
                }
                c.target.iter().for_each(|t| self.logical(t));
                c.args.iter().for_each(|a| self.logical(a));
            }
            Expr::List(l) => l.elements.iter().for_each(|x| self.logical(x)),
            Expr::Comprehension(c) => {
                self.logical(&c.iter_range);
                let base = self.enter(c);
                for part in [&c.loop_cond, &c.loop_step, &c.result] {
                    self.logical(part);
                }
                self.locals.truncate(base);
            }
            _ => {}
        }
    }
}
