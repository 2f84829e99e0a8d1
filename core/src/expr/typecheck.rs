//! Static checks of a compiled CEL expression, run once at load: every name
//! and field resolves against the facts schema (with a did-you-mean when it
//! does not), every function exists, the tree stays within the [`Limits`],
//! and the result has the type the rule needs. The walk also records the
//! fact paths the expression reads, so a finding can show them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use cel::common::ast::{Expr, IdedExpr, LiteralValue};

use super::library;
use super::suggest::did_you_mean;
use crate::error::ErrorCode;
use crate::limits::Limits;
use crate::model::shape::Shape;

/// Type identifiers usable in expressions (`type(x) == int`).
const TYPE_NAMES: &[&str] = &[
    "int",
    "uint",
    "double",
    "bool",
    "string",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
    "timestamp",
    "duration",
    "dyn",
];

/// Namespaces whose members are functions (`semver.compare`).
const NAMESPACES: &[&str] = &["semver", "optional", "strings"];

/// Standard CEL functions and the string extension (non-operator names).
const STANDARD_FUNCTIONS: &[&str] = &[
    "size",
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "bool",
    "dyn",
    "type",
    "duration",
    "timestamp",
    "matches",
    "contains",
    "startsWith",
    "endsWith",
    "getDate",
    "getDayOfMonth",
    "getDayOfWeek",
    "getDayOfYear",
    "getFullYear",
    "getHours",
    "getMilliseconds",
    "getMinutes",
    "getMonth",
    "getSeconds",
    "charAt",
    "indexOf",
    "lastIndexOf",
    "lowerAscii",
    "upperAscii",
    "trim",
    "replace",
    "split",
    "substring",
    "join",
    "format",
    "reverse",
    "strings.quote",
    "optional.of",
    "optional.none",
    "optional.ofNonZeroValue",
    "hasValue",
    "value",
    "orValue",
    "or",
];

/// A problem found by the static checks, at a character offset of the
/// expression when known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CheckError {
    pub code: ErrorCode,
    pub message: String,
    pub hint: Option<String>,
    pub offset: Option<usize>,
}

impl CheckError {
    fn new(code: ErrorCode, message: impl Into<String>, offset: Option<usize>) -> Self {
        Self {
            code,
            message: message.into(),
            hint: None,
            offset,
        }
    }

    fn hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }
}

/// What the checks learned about an expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Inferred {
    /// The fact paths read (`["ci", "suites"]`, `["variables", "sca"]`),
    /// without paths that are a prefix of another.
    pub reads: Vec<Vec<String>>,
    /// The inferred type of the result (`Any` when unknown).
    pub result: Shape,
}

/// Reject expressions nested too deep before the parser sees them: counts
/// brackets and runs of unary operators outside string literals.
pub(crate) fn precheck(source: &str, limits: &Limits) -> Result<(), CheckError> {
    if source.len() > limits.max_expression_len {
        return Err(CheckError::new(
            ErrorCode::ExpressionTooLong,
            format!(
                "expression is {} bytes, more than the limit of {}",
                source.len(),
                limits.max_expression_len
            ),
            None,
        ));
    }
    let (mut depth, mut unary, mut quote): (usize, usize, Option<char>) = (0, 0, None);
    let mut escaped = false;
    for (i, c) in source.chars().enumerate() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '!' | '-' => unary += 1,
            c if c.is_whitespace() => {}
            _ => unary = 0,
        }
        if depth + unary > limits.max_nesting {
            return Err(CheckError::new(
                ErrorCode::ExpressionTooDeep,
                format!(
                    "expression nests deeper than the limit of {}",
                    limits.max_nesting
                ),
                Some(i),
            )
            .hint(Some("split it into `variables`".into())));
        }
    }
    Ok(())
}

struct Walker<'a> {
    roots: &'a Shape,
    variables: &'a BTreeMap<String, Shape>,
    locals: Vec<(String, Shape)>,
    reads: BTreeSet<Vec<String>>,
    nodes: usize,
    comprehensions: usize,
    limits: &'a Limits,
    offsets: &'a dyn Fn(u64) -> Option<usize>,
}

/// Check `expr` against the facts shape and the policy's `variables`
/// declared so far.
pub(crate) fn infer(
    expr: &IdedExpr,
    offsets: &dyn Fn(u64) -> Option<usize>,
    roots: &Shape,
    variables: &BTreeMap<String, Shape>,
    limits: &Limits,
) -> Result<Inferred, CheckError> {
    let mut w = Walker {
        roots,
        variables,
        locals: Vec::new(),
        reads: BTreeSet::new(),
        nodes: 0,
        comprehensions: 0,
        limits,
        offsets,
    };
    let result = w.walk(expr, 0)?;
    let all: Vec<Vec<String>> = w.reads.into_iter().collect();
    let reads = all
        .iter()
        .filter(|p| !all.iter().any(|q| q.len() > p.len() && q.starts_with(p)))
        .cloned()
        .collect();
    Ok(Inferred { reads, result })
}

impl Walker<'_> {
    fn err(&self, code: ErrorCode, e: &IdedExpr, message: impl Into<String>) -> CheckError {
        CheckError::new(code, message, (self.offsets)(e.id))
    }

    /// The shape of a root name (`release`, `now`) of the input.
    fn root(&self, name: &str) -> Option<&Shape> {
        match self.roots {
            Shape::Object(fields) => fields.get(name),
            _ => None,
        }
    }

    fn local(&self, name: &str) -> Option<&Shape> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
    }

    fn walk(&mut self, e: &IdedExpr, depth: usize) -> Result<Shape, CheckError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_ast_nodes {
            return Err(self.err(
                ErrorCode::ExpressionTooLong,
                e,
                format!(
                    "expression has more than {} nodes, the limit",
                    self.limits.max_ast_nodes
                ),
            ));
        }
        if depth > self.limits.max_ast_depth {
            return Err(self.err(
                ErrorCode::ExpressionTooDeep,
                e,
                format!(
                    "expression is deeper than the limit of {}",
                    self.limits.max_ast_depth
                ),
            ));
        }
        match &e.expr {
            Expr::Unspecified => Ok(Shape::Any),
            Expr::Literal(l) => Ok(match l {
                LiteralValue::Boolean(_) => Shape::Bool,
                LiteralValue::Double(_) => Shape::Double,
                LiteralValue::Int(_) | LiteralValue::UInt(_) => Shape::Int,
                LiteralValue::String(_) => Shape::String,
                LiteralValue::Bytes(_) | LiteralValue::Null => Shape::Any,
            }),
            Expr::Ident(name) => self.ident(e, name),
            Expr::Select(sel) => {
                if sel.test
                    && matches!(&sel.operand.expr, Expr::Ident(n) if n == "variables" && self.local(n).is_none())
                {
                    return Err(self
                        .err(
                            ErrorCode::UnsupportedExpression,
                            e,
                            format!("`has(variables.{})` cannot test a variable", sel.field),
                        )
                        .hint(Some(
                            "every declared variable exists; test its value instead".into(),
                        )));
                }
                let operand = self.walk(&sel.operand, depth + 1)?;
                let shape = self.field(e, &sel.operand, &operand, &sel.field)?;
                if let Some(path) = self.path_of(e) {
                    self.reads.insert(path);
                }
                Ok(if sel.test { Shape::Bool } else { shape })
            }
            Expr::List(list) => {
                let mut first = None;
                for el in &list.elements {
                    let s = self.walk(el, depth + 1)?;
                    first.get_or_insert(s);
                }
                Ok(Shape::List(Arc::new(first.unwrap_or(Shape::Any))))
            }
            Expr::Map(map) => {
                // With string-literal keys only, the literal is a record:
                // a misspelt field of it is found at load.
                let mut fields = Some(BTreeMap::new());
                for entry in &map.entries {
                    if let cel::common::ast::EntryExpr::MapEntry(m) = &entry.expr {
                        self.walk(&m.key, depth + 1)?;
                        let value = self.walk(&m.value, depth + 1)?;
                        match (&m.key.expr, fields.as_mut()) {
                            (Expr::Literal(LiteralValue::String(k)), Some(f)) => {
                                f.insert(k.to_string(), value);
                            }
                            _ => fields = None,
                        }
                    } else {
                        fields = None;
                    }
                }
                Ok(fields.map_or(Shape::Map(Arc::new(Shape::Any)), |f| {
                    Shape::Object(Arc::new(f))
                }))
            }
            Expr::Struct(_) => Err(self.err(
                ErrorCode::UnsupportedExpression,
                e,
                "message literals are not supported",
            )),
            Expr::Call(call) => self.call(e, call, depth),
            Expr::Comprehension(c) => {
                if !self.bounded(&c.iter_range) {
                    return Err(self
                        .err(ErrorCode::UnsupportedExpression, &c.iter_range, "comprehensions iterate facts, variables or list literals")
                        .hint(Some(
                            "compute this list in a `variables` entry first: variables are size-checked".into(),
                        )));
                }
                // The range is evaluated outside the loop: a chain such as
                // `l.filter(..).map(..)` is not nesting.
                let range = self.walk(&c.iter_range, depth + 1)?;
                self.comprehensions += 1;
                if self.comprehensions > self.limits.max_comprehension_nesting {
                    return Err(self
                        .err(
                            ErrorCode::ExpressionTooDeep,
                            e,
                            format!(
                                "comprehensions (`all`, `exists`, `map`, `filter`) nest deeper than the limit of {}",
                                self.limits.max_comprehension_nesting
                            ),
                        )
                        .hint(Some("compute the inner list in a variable".into())));
                }
                let base = self.locals.len();
                match &c.iter_var2 {
                    Some(v2) => {
                        let key = if matches!(range, Shape::List(_)) {
                            Shape::Int
                        } else {
                            Shape::String
                        };
                        let value = match &range {
                            Shape::List(el) => (**el).clone(),
                            Shape::Map(v) => (**v).clone(),
                            _ => Shape::Any,
                        };
                        self.locals.push((c.iter_var.clone(), key));
                        self.locals.push((v2.clone(), value));
                    }
                    None => self.locals.push((c.iter_var.clone(), range.element())),
                }
                let accu = self.walk(&c.accu_init, depth + 1)?;
                self.locals.push((c.accu_var.clone(), accu.clone()));
                self.walk(&c.loop_cond, depth + 1)?;
                self.walk(&c.loop_step, depth + 1)?;
                let mut result = self.walk(&c.result, depth + 1)?;
                if matches!(c.accu_init.expr, Expr::Map(_)) {
                    // `transformMap`: a map of the range's keys.
                    result = Shape::Map(Arc::new(Shape::Any));
                } else if matches!(accu, Shape::List(_)) {
                    result = if c.iter_var2.is_none() && appends_iter_var(&c.loop_step, &c.iter_var)
                    {
                        Shape::List(Arc::new(range.element()))
                    } else {
                        Shape::List(Arc::new(Shape::Any))
                    };
                }
                self.locals.truncate(base);
                self.comprehensions -= 1;
                Ok(result)
            }
        }
    }

    fn ident(&mut self, e: &IdedExpr, name: &str) -> Result<Shape, CheckError> {
        if let Some(s) = self.local(name) {
            return Ok(s.clone());
        }
        if name == "variables" {
            return Ok(Shape::Object(Arc::new(self.variables.clone())));
        }
        if let Some(shape) = self.root(name).cloned() {
            self.reads.insert(vec![name.to_string()]);
            return Ok(shape);
        }
        if TYPE_NAMES.contains(&name) {
            return Ok(Shape::Any);
        }
        let roots = self.roots.field_names();
        let mut candidates = roots.clone();
        candidates.push("variables");
        candidates.extend(self.locals.iter().map(|(n, _)| n.as_str()));
        Err(self
            .err(ErrorCode::UnknownName, e, format!("unknown name `{name}`"))
            .hint(
                did_you_mean(name, &candidates)
                    .or_else(|| Some(format!("the facts roots are {}", roots.join(", ")))),
            ))
    }

    fn field(
        &self,
        e: &IdedExpr,
        operand: &IdedExpr,
        shape: &Shape,
        field: &str,
    ) -> Result<Shape, CheckError> {
        let what = describe(operand);
        match shape {
            Shape::Object(fields) => match fields.get(field) {
                Some(s) => Ok(s.clone()),
                None => {
                    let names = shape.field_names();
                    let (code, message) = if what == "variables" {
                        (
                            ErrorCode::UnknownVariable,
                            format!("unknown variable `{field}`"),
                        )
                    } else {
                        (
                            ErrorCode::UnknownFactField,
                            format!("unknown field `{field}` in `{what}`"),
                        )
                    };
                    let hint = did_you_mean(field, &names).or_else(|| {
                        if what == "variables" {
                            Some("a variable must be declared before the rules and variables that use it".into())
                        } else {
                            Some(format!("`{what}` has: {}", names.join(", ")))
                        }
                    });
                    Err(self.err(code, e, message).hint(hint))
                }
            },
            Shape::Map(v) => Ok((**v).clone()),
            Shape::Any => Ok(Shape::Any),
            other => {
                let hint = (matches!(other, Shape::Version)
                    && ["major", "minor", "patch"].contains(&field))
                .then(|| format!("use `{field}({what})`"));
                Err(self
                    .err(
                        ErrorCode::UnknownFactField,
                        e,
                        format!(
                            "`{what}` is a {} and has no field `{field}`",
                            other.type_name()
                        ),
                    )
                    .hint(hint))
            }
        }
    }

    /// Whether a comprehension range has a bounded size: a path into the
    /// facts or a variable (both size-checked), a comprehension variable or
    /// a path from one, a list or map literal, the result of another comprehension
    /// or of `latestBy` (no larger than their input), or an element.
    fn bounded(&self, e: &IdedExpr) -> bool {
        match &e.expr {
            Expr::Ident(_) | Expr::List(_) | Expr::Map(_) | Expr::Comprehension(_) => true,
            Expr::Select(s) => self.bounded(&s.operand),
            Expr::Call(c) => matches!(c.func_name.as_str(), "latestBy" | "_[_]"),
            _ => false,
        }
    }

    /// `a.b.c` as a path, when rooted at a fact root or `variables`.
    fn path_of(&self, e: &IdedExpr) -> Option<Vec<String>> {
        match &e.expr {
            Expr::Ident(n)
                if self.local(n).is_none() && (self.root(n).is_some() || n == "variables") =>
            {
                Some(vec![n.clone()])
            }
            Expr::Select(s) if !s.test => {
                let mut p = self.path_of(&s.operand)?;
                p.push(s.field.clone());
                Some(p)
            }
            Expr::Select(s) => self.path_of(&s.operand),
            _ => None,
        }
    }

    fn call(
        &mut self,
        e: &IdedExpr,
        call: &cel::common::ast::CallExpr,
        depth: usize,
    ) -> Result<Shape, CheckError> {
        let name = call.func_name.as_str();
        let namespaced = match call.target.as_deref() {
            Some(IdedExpr {
                expr: Expr::Ident(ns),
                ..
            }) if NAMESPACES.contains(&ns.as_str()) && self.local(ns).is_none() => {
                Some(format!("{ns}.{name}"))
            }
            _ => None,
        };
        let mut target = None;
        if namespaced.is_none() {
            if let Some(t) = &call.target {
                target = Some(self.walk(t, depth + 1)?);
            }
        }
        let mut args = Vec::with_capacity(call.args.len());
        for a in &call.args {
            args.push(self.walk(a, depth + 1)?);
        }
        let full = namespaced.unwrap_or_else(|| name.to_string());
        let operator =
            full.starts_with('_') || full.starts_with('@') || full == "!_" || full == "-_";
        if !operator
            && !STANDARD_FUNCTIONS.contains(&full.as_str())
            && !library::FUNCTIONS.contains(&full.as_str())
        {
            let mut known: Vec<&str> = STANDARD_FUNCTIONS.to_vec();
            known.extend(library::FUNCTIONS);
            return Err(self
                .err(
                    ErrorCode::UnknownFunction,
                    e,
                    format!("unknown function `{full}`"),
                )
                .hint(
                    did_you_mean(&full, &known)
                        .or_else(|| Some("see docs/cel-functions.md".into())),
                ));
        }
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Shape::Any);
        let first = target.clone().unwrap_or_else(|| arg(0));
        if let Some((code, message, hint)) =
            super::arguments::check(&full, call, &first, &args, self.limits)
        {
            return Err(self.err(code, e, message).hint(Some(hint)));
        }
        Ok(match full.as_str() {
            "_==_"
            | "_!=_"
            | "_<_"
            | "_<=_"
            | "_>_"
            | "_>=_"
            | "_&&_"
            | "_||_"
            | "!_"
            | "@in"
            | "@not_strictly_false"
            | "contains"
            | "startsWith"
            | "endsWith"
            | "matches"
            | "semver.valid"
            | "satisfies"
            | "increasing"
            | "hasValue" => Shape::Bool,
            "size" | "int" | "major" | "minor" | "patch" | "semver.compare" | "indexOf"
            | "lastIndexOf" => Shape::Int,
            "double" | "ratio" | "percent" => Shape::Double,
            "string" | "lowerAscii" | "upperAscii" | "trim" | "replace" | "substring" | "join"
            | "charAt" | "format" | "strings.quote" | "reverse" | "formatDuration" => Shape::String,
            "duration" | "days" | "hours" | "minutes" => Shape::Duration,
            "timestamp" => Shape::Timestamp,
            "split" => Shape::List(Arc::new(Shape::String)),
            "latestBy" => first,
            n if n.starts_with("get") => Shape::Int,
            "_+_" => match (&first, &arg(1)) {
                (Shape::Timestamp, _) | (_, Shape::Timestamp) => Shape::Timestamp,
                (Shape::Any, other) => other.clone(),
                (s, _) => s.clone(),
            },
            "_-_" => match (&first, &arg(1)) {
                (Shape::Timestamp, Shape::Timestamp) => Shape::Duration,
                (s, _) => s.clone(),
            },
            "_*_" | "_/_" | "_%_" | "-_" => first,
            "_?_:_" if arg(1) == arg(2) => arg(1),
            "_[_]" => match first {
                Shape::List(el) => (*el).clone(),
                Shape::Map(v) => (*v).clone(),
                _ => Shape::Any,
            },
            _ => Shape::Any,
        })
    }
}

/// Whether a comprehension's step appends the iteration variable itself
/// (a `filter`), so the result is a list of the range's elements.
fn appends_iter_var(step: &IdedExpr, var: &str) -> bool {
    match &step.expr {
        Expr::List(l) => {
            matches!(l.elements.as_slice(), [IdedExpr { expr: Expr::Ident(n), .. }] if n == var)
        }
        Expr::Call(c) => c.args.iter().any(|a| appends_iter_var(a, var)),
        _ => false,
    }
}

/// `a.b.c` as text, for messages.
pub(super) fn describe(e: &IdedExpr) -> String {
    match &e.expr {
        Expr::Ident(n) => n.clone(),
        Expr::Literal(LiteralValue::String(s)) => format!("{:?}", s.to_string()),
        Expr::Literal(LiteralValue::Int(i)) => i.to_string(),
        Expr::Literal(LiteralValue::Double(d)) => d.to_string(),
        Expr::Literal(LiteralValue::Boolean(b)) => b.to_string(),
        Expr::Select(s) => format!("{}.{}", describe(&s.operand), s.field),
        Expr::Call(c) if c.func_name == "_[_]" => {
            format!("{}[…]", c.args.first().map(describe).unwrap_or_default())
        }
        _ => "expression".into(),
    }
}
