//! [`SourceLocation`]: a `file:line:column` span in a policy source.

use std::fmt;

/// A place in a policy source: file (or the name given to a string), and a
/// span from `line:column` to `end_line:end_column`, all 1-based. Line 0
/// means "the whole file"; an end of 0 means the end is not known. The end
/// is inclusive: the span of `abc` at column 5 ends at column 7.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct SourceLocation {
    /// The file path, or the name a string source was given.
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
    /// 1-based last line of the span; 0 when unknown.
    pub end_line: usize,
    /// 1-based last column of the span; 0 when unknown.
    pub end_column: usize,
}

impl SourceLocation {
    /// A location naming only a file.
    pub fn file(file: impl Into<String>) -> Self {
        Self::new(file, 0, 0)
    }

    /// A location with line and column; the span ends where it starts.
    pub fn new(file: impl Into<String>, line: usize, column: usize) -> Self {
        Self {
            file: file.into(),
            line,
            column,
            end_line: line,
            end_column: column,
        }
    }

    /// The same start with the span ending at `end_line:end_column`.
    pub fn to(mut self, end_line: usize, end_column: usize) -> Self {
        self.end_line = end_line;
        self.end_column = end_column;
        self
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
