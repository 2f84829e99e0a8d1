//! [`FactsError`]: an error in facts, located by input name, position and
//! JSON path.

use super::ErrorCode;

/// An error in facts: malformed input, unknown fields, wrong types, limits.
/// `Display` is `input:line:column: path: message`, each part only when
/// known (the position only with the input's name); the hint is
/// [`FactsError::hint`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{}{message}", input_prefix(.input, .position), path_prefix(.path))]
pub struct FactsError {
    /// What kind of problem this is.
    pub code: ErrorCode,
    /// The name of the input (a file name, `<stdin>`), when known.
    pub input: Option<String>,
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
    /// A new facts error with `code`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            input: None,
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

    /// Name the input the facts came from (a file name, `<stdin>`).
    pub fn with_input(mut self, input: impl Into<String>) -> Self {
        self.input = Some(input.into());
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

    /// Where, as `Display` prints it before the message:
    /// `input:line:column: path` (each part when known, the position only
    /// with the input's name), or `None` when none is known.
    pub fn location(&self) -> Option<String> {
        let s = input_prefix(&self.input, &self.position) + &path_prefix(&self.path);
        s.strip_suffix(": ").map(str::to_string)
    }
}

/// `input:line:column: `, or `input: `, or nothing without an input.
fn input_prefix(input: &Option<String>, position: &Option<(usize, usize)>) -> String {
    match (input, position) {
        (Some(i), Some((l, c))) => format!("{i}:{l}:{c}: "),
        (Some(i), None) => format!("{i}: "),
        (None, _) => String::new(),
    }
}

fn path_prefix(path: &Option<String>) -> String {
    match path {
        Some(p) => format!("{p}: "),
        None => String::new(),
    }
}
