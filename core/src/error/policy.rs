//! [`PolicyError`]: an error in a policy, at a source location.

use super::{ErrorCode, SourceLocation};

/// An error in a policy: loading, parsing, static checks or layering.
/// `Display` is `location: message`; the hint is [`PolicyError::hint`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct PolicyError {
    /// What kind of problem this is.
    pub code: ErrorCode,
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
    /// A new policy error with `code` at `location`.
    pub fn new(code: ErrorCode, location: SourceLocation, message: impl Into<String>) -> Self {
        Self {
            code,
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

    /// The error's code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// How to fix it, when a hint helps.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}
