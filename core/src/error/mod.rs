//! The error types.
//!
//! Every error carries a stable [`ErrorCode`] (`RP0102`, see
//! `docs/errors.md`). Every error that comes from outside input carries a
//! location: a `file:line:column` span for policies ([`SourceLocation`]) or
//! a JSON path (and the input's name and position, when known) for facts.
//! Messages are short, lowercase, and quote the offending input in
//! backticks; a hint, where one helps, is a separate accessor
//! ([`Error::hint`]), not part of `Display`.

mod catalog;
mod code;
mod facts;
mod location;
mod policy;
mod summary;

pub use catalog::CatalogError;
pub use code::ErrorCode;
pub use facts::FactsError;
pub use location::SourceLocation;
pub use policy::PolicyError;

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
        /// What kind of problem this is (`RP05xx`).
        code: ErrorCode,
        /// What went wrong.
        message: String,
    },
    /// A catalog, calendar or release plan is malformed or inconsistent
    /// (every problem found, at once).
    #[error("{}", join_errors(.0))]
    Catalog(Vec<CatalogError>),
    /// Reading a file or directory failed.
    #[error("{path}: {message}")]
    Io {
        /// What kind of problem this is (`RP06xx`).
        code: ErrorCode,
        /// The path that could not be read.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The audit archive or its chain (`RP10xx`): a broken chain, a bad
    /// checkpoint or key, a database that cannot be opened or written.
    #[error("{}{message}", .location.as_ref().map(|l| format!("{l}: ")).unwrap_or_default())]
    Audit {
        /// What kind of problem this is (`RP10xx`).
        code: ErrorCode,
        /// Where: the archive (a path or a URL without its password), a
        /// record (`record 17`) or a key file.
        location: Option<String>,
        /// What went wrong.
        message: String,
        /// How to fix it, when a hint helps.
        hint: Option<String>,
    },
}

fn join_errors<E: ToString>(errors: &[E]) -> String {
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

    /// The error's code; for several policy errors, the first's (an empty
    /// list, which the library never returns, gives `RP0103`).
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Policy(e) => e.code,
            Error::Policies(es) => es.first().map_or(ErrorCode::PolicyInvalidField, |e| e.code),
            Error::Facts(e) => e.code,
            Error::Catalog(es) => es
                .first()
                .map_or(ErrorCode::CatalogInvalidField, |e| e.code),
            Error::Evaluation { code, .. } | Error::Io { code, .. } | Error::Audit { code, .. } => {
                *code
            }
        }
    }

    /// How to fix it, when a hint helps; for several policy errors, the
    /// first's.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Policy(e) => e.hint(),
            Error::Policies(es) => es.first().and_then(PolicyError::hint),
            Error::Facts(e) => e.hint(),
            Error::Catalog(es) => es.first().and_then(CatalogError::hint),
            Error::Audit { hint, .. } => hint.as_deref(),
            Error::Evaluation { .. } | Error::Io { .. } => None,
        }
    }

    /// Where the problem is, as text: the policy location
    /// (`file:line:column`, the first's for several), the facts input,
    /// position and JSON path ([`FactsError::location`]), or the path that
    /// could not be read.
    pub fn location(&self) -> Option<String> {
        match self {
            Error::Policy(e) => Some(e.location.to_string()),
            Error::Policies(es) => es.first().map(|e| e.location.to_string()),
            Error::Facts(e) => e.location(),
            Error::Catalog(es) => es.first().map(|e| e.location.to_string()),
            Error::Io { path, .. } => Some(path.clone()),
            Error::Audit { location, .. } => location.clone(),
            Error::Evaluation { .. } => None,
        }
    }

    /// An evaluation error (`RP05xx`).
    pub fn evaluation(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::Evaluation {
            code,
            message: message.into(),
        }
    }

    /// An audit-archive error (`RP10xx`) at `location` (an archive, a
    /// record, a key file), without a hint.
    pub fn audit(code: ErrorCode, location: Option<String>, message: impl Into<String>) -> Self {
        Error::Audit {
            code,
            location,
            message: message.into(),
            hint: None,
        }
    }

    /// The same error with a hint (only [`Error::Audit`] carries one this
    /// way; other errors are returned unchanged).
    pub fn with_hint(self, text: impl Into<String>) -> Self {
        match self {
            Error::Audit {
                code,
                location,
                message,
                ..
            } => Error::Audit {
                code,
                location,
                message,
                hint: Some(text.into()),
            },
            other => other,
        }
    }

    /// An I/O error (`RP06xx`) about `path`.
    pub fn io(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Io {
            code,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl From<PolicyError> for Error {
    fn from(e: PolicyError) -> Self {
        Error::Policy(Box::new(e))
    }
}

impl From<CatalogError> for Error {
    fn from(e: CatalogError) -> Self {
        Error::Catalog(vec![e])
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_leaves_the_hint_out() {
        let e = PolicyError::new(
            ErrorCode::PolicyUnknownField,
            SourceLocation::new("p.yaml", 6, 26),
            "unknown field `enviroment`",
        )
        .with_hint("did you mean `environment`?");
        assert_eq!(e.to_string(), "p.yaml:6:26: unknown field `enviroment`");
        assert_eq!(e.hint(), Some("did you mean `environment`?"));
        let f = FactsError::new(ErrorCode::FactsWrongType, "invalid type")
            .at("$.release.version")
            .with_input("facts.yaml");
        assert_eq!(f.to_string(), "facts.yaml: $.release.version: invalid type");
    }
}
