//! CEL: parsing with our [parser](parse) (the same tree as the `cel`
//! crate's parser, which parses what ours leaves to it and reports every
//! syntax error; the standard macros and our [two-variable
//! macros](macros)), static checks and limits at load
//! ([`typecheck`]), and the compiled evaluator: each expression becomes a
//! [plan](plan) once, when its bundle loads, evaluated over the facts as
//! they are held ([`value`], [`view`]: the typed facts read in place, or
//! borrowed JSON typed by the facts shape),
//! with native [functions] and our [function library](library), within a
//! per-decision [`Budget`](budget::Budget) of steps and bytes. The `cel`
//! crate's interpreter is kept as the [reference](reference) the
//! differential tests compare against.

pub(crate) mod absent;
mod arguments;
pub(crate) mod bind;
pub(crate) mod budget;
mod compare;
pub(crate) mod convert;
pub mod differential;
pub(crate) mod echo;
pub(crate) mod eval;
mod format;
pub(crate) mod functions;
#[cfg(test)]
pub(crate) mod json_strategy;
pub(crate) mod library;
mod literals;
mod macros;
mod ops;
mod parse;
pub(crate) mod plan;
pub(crate) mod reference;
mod strings;
pub(crate) mod suggest;
mod time;
mod typecheck;
pub(crate) mod value;
pub(crate) mod view;

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use cel::Env;
use cel::common::ast::{IdedExpr, SourceInfo};

use crate::error::ErrorCode;
use crate::limits::Limits;
use crate::model::shape::Shape;
pub(crate) use budget::{Budget, EvalError};
pub(crate) use eval::Frame;
pub(crate) use typecheck::CheckError;
pub(crate) use value::Val;

/// The parsing environment: the standard macros and ours. (Its functions
/// are the reference interpreter's; see [`reference`].)
pub(crate) static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| Arc::new(reference::env()));

/// The variables of a policy declared so far: their inferred shapes (for
/// the static checks) and their slots (declaration order, for evaluation).
#[derive(Debug, Default, Clone)]
pub(crate) struct Variables {
    shapes: BTreeMap<String, Shape>,
    slots: BTreeMap<String, usize>,
}

impl Variables {
    /// Whether `name` is declared.
    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.shapes.contains_key(name)
    }

    /// Declare `name`, with the next slot.
    pub(crate) fn insert(&mut self, name: String, shape: Shape) {
        let slot = self.slots.len();
        self.slots.entry(name.clone()).or_insert(slot);
        self.shapes.insert(name, shape);
    }
}

/// What an expression must produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// A boolean (conditions).
    Bool,
    /// A string (messages).
    String,
    /// Anything (variables).
    Any,
}

/// A compiled, checked expression.
#[derive(Debug)]
pub(crate) struct CompiledExpr {
    /// The parsed expression (for the load-time lints and the reference
    /// interpreter).
    parsed: IdedExpr,
    /// Where each node of it was written.
    info: SourceInfo,
    /// The evaluation plan.
    plan: plan::Node,
    /// Fact paths the expression reads.
    pub reads: Vec<Vec<String>>,
    /// The same paths, joined with `.` (`release.environment`): how a
    /// finding names them, made once here rather than on every decision.
    pub read_keys: Vec<std::sync::Arc<str>>,
    /// The inferred result type.
    pub shape: Shape,
}

impl CompiledExpr {
    /// Compile and check `source`; `roots` is the shape of the input the
    /// expression reads (the release facts, the rollout facts, a trigger's
    /// `value`/`baseline`), `variables` the names declared so far in the
    /// policy with their inferred shapes.
    pub(crate) fn compile(
        source: &str,
        want: Want,
        roots: &Shape,
        variables: &Variables,
        limits: &Limits,
    ) -> Result<Self, CheckError> {
        typecheck::precheck(source, limits)?;
        // Backticks quote a field name that is not an identifier
        // (`` m.`content-type` ``), as the CEL specification allows.
        // Our parser first (the same tree, much faster); the `cel` parser
        // for what it leaves, and for the errors.
        let parsed = match parse::parse(source) {
            Some(parsed) => Ok(parsed),
            None => ENV
                .parser()
                .enable_ident_escape_syntax(true)
                .parse_with_source_info(source),
        };
        let (parsed, info) = parsed.map_err(|errs| {
            let first = errs.errors.first();
            let offset = first.and_then(|e| offset_of(source, e.pos.0, e.pos.1));
            let msg = first.map_or_else(|| "syntax error".to_string(), |e| e.msg.clone());
            let msg = msg.to_lowercase();
            let msg = msg.strip_prefix("syntax error: ").unwrap_or(&msg);
            CheckError {
                code: ErrorCode::CelSyntax,
                message: format!("syntax error: {msg}"),
                hint: None,
                offset,
            }
        })?;
        let offsets = |id: u64| info.offset_for(id).map(|(start, _)| start as usize);
        let inferred = typecheck::infer(&parsed, &offsets, roots, &variables.shapes, limits)?;
        let ok = match want {
            Want::Bool => matches!(inferred.result, Shape::Bool | Shape::Any),
            Want::String => matches!(inferred.result, Shape::String | Shape::Any),
            Want::Any => true,
        };
        if !ok {
            let wanted = if want == Want::Bool { "bool" } else { "string" };
            return Err(CheckError {
                code: ErrorCode::WrongResultType,
                message: format!(
                    "expression gives {}, not a {wanted}",
                    article(inferred.result.type_name())
                ),
                hint: (want == Want::Bool)
                    .then(|| "compare it, e.g. `x == \"value\"` or `size(x) > 0`".to_string()),
                offset: Some(0),
            });
        }
        let names = plan::Names {
            roots,
            variables: &variables.slots,
            max_regex_bytes: limits.max_regex_bytes,
        };
        let plan = plan::compile(&parsed, &names).map_err(|message| CheckError {
            code: ErrorCode::UnsupportedExpression,
            message,
            hint: None,
            offset: Some(0),
        })?;
        Ok(Self {
            parsed,
            info,
            plan,
            read_keys: inferred
                .reads
                .iter()
                .map(|p| std::sync::Arc::from(p.join(".")))
                .collect(),
            reads: inferred.reads,
            shape: inferred.result,
        })
    }

    /// The reads of possibly-absent facts whose error `||` or `&&` may
    /// absorb (see [`absent`]), with their character offsets.
    pub(crate) fn absorbed(
        &self,
        roots: &Shape,
        optional: &crate::model::shape::OptionalPaths,
        guarded: &std::collections::BTreeSet<Vec<String>>,
    ) -> Vec<(absent::Absorbed, Option<usize>)> {
        let info = &self.info;
        absent::absorbed(&self.parsed, roots, optional, guarded)
            .into_iter()
            .map(|a| {
                let offset = info.offset_for(a.id).map(|(start, _)| start as usize);
                (a, offset)
            })
            .collect()
    }

    /// The paths the expression tests for (`has(p)`, `p != null`).
    pub(crate) fn guards(&self, roots: &Shape) -> std::collections::BTreeSet<Vec<String>> {
        absent::guards(&self.parsed, roots)
    }

    /// Evaluate in `frame`; an error is its message.
    pub(crate) fn eval<'a>(&'a self, frame: &Frame<'a, '_>) -> Result<Val<'a>, String> {
        eval::eval(&self.plan, frame).map_err(EvalError::into_message)
    }

    /// Evaluate in `frame`, keeping the error's class.
    pub(crate) fn eval_full<'a>(&'a self, frame: &Frame<'a, '_>) -> Result<Val<'a>, EvalError> {
        eval::eval(&self.plan, frame)
    }

    /// The parsed expression, for the reference interpreter.
    pub(crate) fn parsed(&self) -> &IdedExpr {
        &self.parsed
    }

    /// Its source text.
    pub(crate) fn source(&self) -> &str {
        &self.info.source
    }
}

fn article(type_name: &str) -> String {
    if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {type_name}")
    } else {
        format!("a {type_name}")
    }
}

/// Character offset of a 1-based (line, column) position in `source`.
fn offset_of(source: &str, line: isize, column: isize) -> Option<usize> {
    let line = usize::try_from(line).ok()?.max(1);
    let column = usize::try_from(column).ok()?;
    let before: usize = source
        .split('\n')
        .take(line - 1)
        .map(|l| l.chars().count() + 1)
        .sum();
    Some(before + column.saturating_sub(1))
}

#[cfg(test)]
mod tests;
