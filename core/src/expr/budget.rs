//! What an evaluation may cost and how it fails: the per-decision
//! [`Budget`] of steps and bytes (and the patterns it compiled), and the
//! error of an evaluation with its class.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use super::value::Val;
use crate::limits::Limits;

/// What went wrong, for tests that compare classes of error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorClass {
    /// A field, key or name that is not there.
    Missing,
    /// An operator or function applied to values of the wrong types.
    Overload,
    /// Integer overflow, division by zero, a value out of range.
    Arithmetic,
    /// A function's argument it cannot use (an invalid version, pattern…).
    Argument,
    /// An index out of bounds.
    Index,
    /// The decision's budget, or a size limit.
    Limit,
}

/// An evaluation error: a lowercase message with the offending input in
/// backticks. Boxed: every step of an evaluation returns a [`R`], and a
/// result the size of a value is cheaper to pass back than one the size of
/// an error.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EvalError(Box<Failure>);

/// What an [`EvalError`] holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub class: ErrorClass,
    pub message: String,
}

impl std::ops::Deref for EvalError {
    type Target = Failure;
    fn deref(&self) -> &Failure {
        &self.0
    }
}

impl std::ops::DerefMut for EvalError {
    fn deref_mut(&mut self) -> &mut Failure {
        &mut self.0
    }
}

impl EvalError {
    pub(crate) fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Self(Box::new(Failure {
            class,
            message: message.into(),
        }))
    }

    /// The message, moved out.
    pub(crate) fn into_message(self) -> String {
        self.0.message
    }

    /// No overload of `op` for these operands.
    pub(crate) fn overload(op: &str, args: &[&Val<'_>]) -> Self {
        let types: Vec<&str> = args.iter().map(|a| a.type_name()).collect();
        Self::new(
            ErrorClass::Overload,
            format!("no such overload: `{op}` of ({})", types.join(", ")),
        )
    }
}

/// Result of an evaluation step.
pub(crate) type R<'a> = Result<Val<'a>, EvalError>;

/// How many characters of an input an error message quotes.
const EXCERPT_CHARS: usize = 64;

/// `text` as an error message quotes it: whole when it is short, else its
/// first 64 characters and `…`. The input comes from the facts, up to
/// megabytes of it: quoted whole, one message of a comprehension's item
/// copied megabytes a time, and a decision carried it.
pub(crate) fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => std::borrow::Cow::Borrowed(text),
        Some((cut, _)) => std::borrow::Cow::Owned(format!("{}…", text.get(..cut).unwrap_or(""))),
    }
}

/// The evaluation budget of one decision: steps and bytes, shared by all
/// its expressions.
#[derive(Debug)]
pub(crate) struct Budget {
    steps: Cell<u64>,
    bytes: Cell<u64>,
    max_steps: u64,
    max_bytes: u64,
    /// The list and string size limits of one value.
    pub(crate) max_items: usize,
    pub(crate) max_string: usize,
    pub(crate) max_regex_bytes: usize,
    /// Patterns compiled during this decision (not literals: those are
    /// compiled at load), or why they did not compile.
    regexes: RefCell<HashMap<String, Result<Rc<regex::Regex>, String>>>,
}

impl Budget {
    /// The budget of one decision under `limits`.
    pub(crate) fn new(limits: &Limits) -> Self {
        Self {
            steps: Cell::new(0),
            bytes: Cell::new(0),
            max_steps: limits.max_eval_cost,
            max_bytes: limits.max_eval_bytes,
            max_items: limits.max_variable_items,
            max_string: limits.max_variable_string_bytes,
            max_regex_bytes: limits.max_regex_bytes,
            regexes: RefCell::new(HashMap::new()),
        }
    }

    /// No bound (constant folding at load).
    pub(crate) fn unlimited() -> Self {
        let limits = Limits {
            max_eval_cost: u64::MAX,
            max_eval_bytes: u64::MAX,
            ..Limits::default()
        };
        Self::new(&limits)
    }

    /// The steps spent so far.
    #[cfg(test)]
    pub(crate) fn used(&self) -> u64 {
        self.steps.get()
    }

    /// Spend `n` steps.
    #[inline]
    pub(crate) fn step(&self, n: u64) -> Result<(), EvalError> {
        let used = self.steps.get().saturating_add(n);
        self.steps.set(used);
        if used > self.max_steps {
            return Err(EvalError::new(
                ErrorClass::Limit,
                format!(
                    "evaluation cost over the budget of {} steps (`Limits::max_eval_cost`)",
                    self.max_steps
                ),
            ));
        }
        Ok(())
    }

    /// Account for building a value of `bytes` bytes: a step per 64 bytes
    /// and the decision's memory budget.
    pub(crate) fn alloc(&self, bytes: usize) -> Result<(), EvalError> {
        let bytes = bytes as u64;
        self.step(bytes / 64)?;
        let used = self.bytes.get().saturating_add(bytes);
        self.bytes.set(used);
        if used > self.max_bytes {
            return Err(EvalError::new(
                ErrorClass::Limit,
                format!(
                    "evaluation built more than the budget of {} bytes (`Limits::max_eval_bytes`)",
                    self.max_bytes
                ),
            ));
        }
        Ok(())
    }

    /// Check a string of `len` bytes may be built, and account for it.
    pub(crate) fn string(&self, len: usize) -> Result<(), EvalError> {
        if len > self.max_string {
            return Err(EvalError::new(
                ErrorClass::Limit,
                format!(
                    "string of {len} bytes, more than the limit of {}",
                    self.max_string
                ),
            ));
        }
        self.alloc(len)
    }

    /// Check a list of `len` items may be built, and account for it.
    pub(crate) fn list(&self, len: usize) -> Result<(), EvalError> {
        if len > self.max_items {
            return Err(EvalError::new(
                ErrorClass::Limit,
                format!(
                    "list of {len} items, more than the limit of {}",
                    self.max_items
                ),
            ));
        }
        self.alloc(len.saturating_mul(std::mem::size_of::<Val<'_>>()))
    }

    /// A regular expression compiled from `pattern`, once per decision:
    /// a pattern read from the facts (literal ones are compiled at load).
    /// Compiling can take tens of milliseconds whatever the size limit
    /// (`\w{200}` took 44 ms), so such a pattern is held to an eighth of
    /// [`Limits::max_regex_bytes`], each distinct one costs a fifth of the
    /// default budget, and a failure is remembered like a success.
    pub(crate) fn regex(&self, pattern: &str) -> Result<Rc<regex::Regex>, EvalError> {
        let cached = self.regexes.borrow().get(pattern).cloned();
        let compiled = match cached {
            // Reading the pattern is charged by the caller (`matches`).
            Some(c) => {
                self.step(1)?;
                c
            }
            None => {
                self.step(REGEX_COST)?;
                let c = regex::RegexBuilder::new(pattern)
                    .size_limit(self.max_regex_bytes / 8)
                    .build()
                    .map(Rc::new)
                    .map_err(|e| {
                        let why = e.to_string();
                        why.lines().last().unwrap_or("").trim().to_string()
                    });
                self.regexes
                    .borrow_mut()
                    .insert(pattern.to_string(), c.clone());
                c
            }
        };
        compiled.map_err(|why| {
            EvalError::new(
                ErrorClass::Argument,
                format!("invalid regular expression `{}`: {why}", excerpt(pattern)),
            )
        })
    }
}

/// The steps a pattern compiled during evaluation costs.
const REGEX_COST: u64 = 200_000;
