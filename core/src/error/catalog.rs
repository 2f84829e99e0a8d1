//! [`CatalogError`]: an error in a catalog, a calendar or a release plan,
//! at a source location.

use super::{ErrorCode, SourceLocation};

/// An error in a catalog, a calendar or a release plan (`RP08xx`, and
/// the CEL codes for a freeze exemption): where it is (`file:line:column`),
/// what is wrong, and a hint where one helps. `Display` is `location:
/// message`; the hint is [`CatalogError::hint`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct CatalogError {
    /// What kind of problem this is.
    pub code: ErrorCode,
    /// Where the problem is.
    pub location: SourceLocation,
    /// What is wrong, lowercase, offending input in backticks.
    pub message: String,
    /// How to fix it, when a hint helps.
    pub hint: Option<String>,
}

impl CatalogError {
    /// A new catalog error with `code` at `location`.
    pub fn new(code: ErrorCode, location: SourceLocation, message: impl Into<String>) -> Self {
        Self {
            code,
            location,
            message: message.into(),
            hint: None,
        }
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
