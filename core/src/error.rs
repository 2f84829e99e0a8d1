//! The error types.
//!
//! Every error that comes from outside input carries a location: a
//! `file:line:column` for policies ([`SourceLocation`]) or a JSON path for
//! facts. Messages are short, lowercase, and quote the offending input in
//! backticks; a hint follows where one helps.

use std::fmt;

/// A place in a policy source: file (or the name given to a string), line and
/// column, both 1-based. Line 0 means "the whole file".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct SourceLocation {
    /// The file path, or the name a string source was given.
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
}

impl SourceLocation {
    /// A location naming only a file.
    pub fn file(file: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: 0,
            column: 0,
        }
    }

    /// A location with line and column.
    pub fn new(file: impl Into<String>, line: usize, column: usize) -> Self {
        Self {
            file: file.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}", self.file),
            (l, 0) => write!(f, "{}:{l}", self.file),
            (l, c) => write!(f, "{}:{l}:{c}", self.file),
        }
    }
}

/// An error in a policy: loading, parsing, static checks or layering.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}{}", hint_suffix(.hint))]
pub struct PolicyError {
    /// Where the problem is.
    pub location: SourceLocation,
    /// The rule the problem is in, when there is one.
    pub rule: Option<String>,
    /// What is wrong, lowercase, offending input in backticks.
    pub message: String,
    /// How to fix it, when a hint helps.
    pub hint: Option<String>,
}

impl PolicyError {
    /// A new policy error at `location`.
    pub fn new(location: SourceLocation, message: impl Into<String>) -> Self {
        Self {
            location,
            rule: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Attach the rule id.
    pub fn with_rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    /// Attach a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// An error in facts: malformed input, unknown fields, wrong types, limits.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}{}", path_prefix(.path), hint_suffix(.hint))]
pub struct FactsError {
    /// JSON path of the offending value (`$.release.version`), when known.
    pub path: Option<String>,
    /// Line and column in the input text, when known (1-based).
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when a hint helps.
    pub hint: Option<String>,
}

impl FactsError {
    /// A new facts error.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            path: None,
            position: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Attach the JSON path.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Attach a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

fn path_prefix(path: &Option<String>) -> String {
    match path {
        Some(p) => format!("{p}: "),
        None => String::new(),
    }
}

fn hint_suffix(hint: &Option<String>) -> String {
    match hint {
        Some(h) => format!("\n  hint: {h}"),
        None => String::new(),
    }
}

/// Any error the library returns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A policy could not be loaded, checked or layered.
    #[error(transparent)]
    Policy(Box<PolicyError>),
    /// Several policy errors found in one load (all are reported at once).
    #[error("{}", join_errors(.0))]
    Policies(Vec<PolicyError>),
    /// The facts are malformed or do not match the facts schema.
    #[error(transparent)]
    Facts(Box<FactsError>),
    /// The bundle could not evaluate the input at all (for instance the
    /// built-in pack failed to compile, or a value could not be serialised).
    /// Problems inside one rule are findings, never this error.
    #[error("evaluation failed: {message}")]
    Evaluation {
        /// What went wrong.
        message: String,
    },
    /// Reading a file or directory failed.
    #[error("{path}: {message}")]
    Io {
        /// The path that could not be read.
        path: String,
        /// What went wrong.
        message: String,
    },
}

fn join_errors(errors: &[PolicyError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// The policy errors in this error, if it is a policy error.
    pub fn policy_errors(&self) -> Vec<&PolicyError> {
        match self {
            Error::Policy(e) => vec![e.as_ref()],
            Error::Policies(es) => es.iter().collect(),
            _ => Vec::new(),
        }
    }
}

impl From<PolicyError> for Error {
    fn from(e: PolicyError) -> Self {
        Error::Policy(Box::new(e))
    }
}

impl From<FactsError> for Error {
    fn from(e: FactsError) -> Self {
        Error::Facts(Box::new(e))
    }
}

impl From<Vec<PolicyError>> for Error {
    fn from(mut es: Vec<PolicyError>) -> Self {
        if es.len() == 1 {
            if let Some(e) = es.pop() {
                return Error::Policy(Box::new(e));
            }
        }
        Error::Policies(es)
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
