//! Where things are in a YAML source. The serde types carry no positions,
//! so the source is read a second time as YAML events (saphyr-parser) to
//! map each value's path (`spec.gates[2].expression`) to its line, column
//! and scalar style. Errors in expressions are then reported at the exact
//! `file:line:column` of the offending token, with the span of the value or
//! token where it is known. Only errors need positions,
//! so a source is read for them the first time one is asked for.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::error::SourceLocation;

/// Position of a value: 1-based line, 0-based column, the 1-based
/// inclusive end (0 when unknown), and for scalars the style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: usize,
    pub col: usize,
    pub end_line: usize,
    pub end_col: usize,
    pub block: bool,
    pub quoted: bool,
}

/// The positions of every value of one YAML document.
#[derive(Debug, Default, Clone)]
pub(crate) struct Locations {
    file: String,
    map: HashMap<String, Pos>,
}

/// A policy source whose positions are computed on first use.
#[derive(Debug)]
pub(crate) struct SourceLocations {
    file: String,
    text: Arc<str>,
    docs: OnceLock<Vec<Locations>>,
}

impl SourceLocations {
    /// A source named `file` with `text`.
    pub(crate) fn new(file: &str, text: Arc<str>) -> Arc<Self> {
        Arc::new(Self {
            file: file.to_string(),
            text,
            docs: OnceLock::new(),
        })
    }

    /// The positions of document `index` of this source.
    pub(crate) fn doc(self: &Arc<Self>, index: usize) -> DocLocations {
        DocLocations {
            source: Arc::clone(self),
            index,
        }
    }
}

/// The positions of one document of a [`SourceLocations`].
#[derive(Debug, Clone)]
pub(crate) struct DocLocations {
    source: Arc<SourceLocations>,
    index: usize,
}

impl DocLocations {
    fn get(&self) -> Option<&Locations> {
        let s = &self.source;
        s.docs
            .get_or_init(|| Locations::of_documents(&s.file, &s.text))
            .get(self.index)
    }

    /// See [`Locations::at`].
    pub(crate) fn at(&self, path: &str) -> SourceLocation {
        self.get()
            .map_or_else(|| SourceLocation::file(&self.source.file), |l| l.at(path))
    }

    /// See [`Locations::in_scalar`].
    pub(crate) fn in_scalar(
        &self,
        path: &str,
        offset: Option<usize>,
        expr: &str,
    ) -> SourceLocation {
        self.get().map_or_else(
            || SourceLocation::file(&self.source.file),
            |l| l.in_scalar(path, offset, expr, &self.source.text),
        )
    }
}

enum Frame {
    Map { prefix: String, key: Option<String> },
    Seq { prefix: String, index: usize },
}

impl Locations {
    /// The positions of each document of `text`; empty on YAML errors (the
    /// serde pass reports those with a location of its own).
    pub(crate) fn of_documents(file: &str, text: &str) -> Vec<Locations> {
        let mut docs = Vec::new();
        let mut current: Option<Locations> = None;
        let mut stack: Vec<Frame> = Vec::new();
        let mut parser = Parser::new_from_str(text);
        while let Some(Ok((event, span))) = parser.next_event() {
            // The parser's end is exclusive and 0-based: as a 1-based
            // column it is the last character's. An end at the start of a
            // line (after a block scalar) ends the line before, column
            // unknown.
            let (end_line, end_col) = match (span.end.line(), span.end.col()) {
                (l, 0) => (l.saturating_sub(1).max(span.start.line()), 0),
                (l, c) => (l, c),
            };
            let pos = |block: bool, quoted: bool, scalar: bool| Pos {
                line: span.start.line(),
                col: span.start.col(),
                end_line: if scalar { end_line } else { span.start.line() },
                end_col: if scalar {
                    end_col
                } else {
                    span.start.col() + 1
                },
                block,
                quoted,
            };
            match event {
                Event::DocumentStart(_) => {
                    current = Some(Locations {
                        file: file.to_string(),
                        map: HashMap::new(),
                    });
                    stack.clear();
                }
                Event::DocumentEnd => docs.extend(current.take()),
                Event::Scalar(value, style, ..) => {
                    let is_key = matches!(stack.last(), Some(Frame::Map { key: None, .. }));
                    if is_key {
                        if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                            *key = Some(value.to_string());
                        }
                    } else {
                        let path = value_path(&stack);
                        let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
                        let quoted =
                            matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted);
                        if let Some(c) = current.as_mut() {
                            c.map.insert(path, pos(block, quoted, true));
                        }
                        advance(&mut stack);
                    }
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let path = value_path(&stack);
                    if let Some(c) = current.as_mut() {
                        c.map.insert(path.clone(), pos(false, false, false));
                    }
                    stack.push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Map {
                            prefix: path,
                            key: None,
                        }
                    } else {
                        Frame::Seq {
                            prefix: path,
                            index: 0,
                        }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                    advance(&mut stack);
                }
                Event::Alias(_) => advance(&mut stack),
                _ => {}
            }
        }
        docs.extend(current.take());
        docs
    }

    /// The location of the value at `path`, or of the nearest enclosing one.
    pub(crate) fn at(&self, path: &str) -> SourceLocation {
        let mut p = path;
        loop {
            if let Some(pos) = self.map.get(p) {
                return SourceLocation::new(&self.file, pos.line, pos.col + 1)
                    .to(pos.end_line, pos.end_col);
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return SourceLocation::file(&self.file),
            }
        }
    }

    /// The location of character `offset` inside the string scalar at `path`.
    /// `expr` is the scalar's value and `text` the whole source. The span
    /// covers the token at `offset` (a name, or one character); without an
    /// offset, the whole scalar.
    pub(crate) fn in_scalar(
        &self,
        path: &str,
        offset: Option<usize>,
        expr: &str,
        text: &str,
    ) -> SourceLocation {
        let (Some(pos), Some(offset)) = (self.map.get(path), offset) else {
            return self.at(path);
        };
        let last = offset + token_len(expr, offset).saturating_sub(1);
        match (
            self.source_pos(pos, expr, offset, text),
            self.source_pos(pos, expr, last, text),
        ) {
            (Some((l, c)), Some((el, ec))) => SourceLocation::new(&self.file, l, c).to(el, ec),
            // A token on a later line of a multi-line plain or quoted
            // scalar: the scalar, whose lines are folded.
            _ => self.at(path),
        }
    }

    /// The 1-based line and column in the source of character `offset` of
    /// the scalar `expr` at `pos`, when the scalar's layout tells.
    fn source_pos(
        &self,
        pos: &Pos,
        expr: &str,
        offset: usize,
        text: &str,
    ) -> Option<(usize, usize)> {
        let (l, c) = line_col(expr, offset);
        if pos.block {
            // The scanner places a block scalar at its first content line.
            let first = text.lines().nth(pos.line.saturating_sub(1)).unwrap_or("");
            let indent = first.len() - first.trim_start().len();
            let last = expr.lines().count().saturating_sub(1);
            return Some((pos.line + l.min(last), indent + c + 1));
        }
        if l > 0 {
            return None;
        }
        let shift = usize::from(pos.quoted);
        Some((pos.line, pos.col + shift + c + 1))
    }
}

/// How many characters the token at character `offset` of `s` spans: a run
/// of name characters, or one character.
fn token_len(s: &str, offset: usize) -> usize {
    let name = |c: &char| c.is_alphanumeric() || *c == '_';
    let mut chars = s.chars().skip(offset).peekable();
    match chars.peek() {
        Some(c) if name(c) => chars.take_while(name).count(),
        _ => 1,
    }
}

/// Line (0-based) and column (0-based) of a character offset.
fn line_col(s: &str, offset: usize) -> (usize, usize) {
    let mut line = 0;
    let mut col = 0;
    for (i, c) in s.chars().enumerate() {
        if i == offset {
            break;
        }
        if c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += 1;
        }
    }
    (line, col)
}

fn value_path(stack: &[Frame]) -> String {
    match stack.last() {
        None => String::new(),
        Some(Frame::Map { prefix, key }) => {
            let k = key.as_deref().unwrap_or("");
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        }
        Some(Frame::Seq { prefix, index }) => format!("{prefix}[{index}]"),
    }
}

fn advance(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Map { key, .. }) => *key = None,
        Some(Frame::Seq { index, .. }) => *index += 1,
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_positions() {
        let text = "a: 1\nspec:\n  gates:\n    - id: x\n      expression: release.id == 'x'\n---\nb: [1, 2]\n";
        let docs = Locations::of_documents("f.yaml", text);
        assert_eq!(docs.len(), 2);
        let first = docs.first().cloned().unwrap_or_default();
        assert_eq!(
            first.at("spec.gates[0].expression").to_string(),
            "f.yaml:5:19"
        );
        assert_eq!(first.at("spec.gates[0].id").to_string(), "f.yaml:4:11");
        assert_eq!(
            first
                .in_scalar(
                    "spec.gates[0].expression",
                    Some(8),
                    "release.id == 'x'",
                    text
                )
                .to_string(),
            "f.yaml:5:27"
        );
        assert_eq!(
            docs.get(1).map(|d| d.at("b[1]").to_string()),
            Some("f.yaml:7:8".into())
        );
    }

    #[test]
    fn locations_are_spans() {
        let text = "spec:\n  id: abc\n  q: 'x y'\n  expression: release.enviroment == 'x'\n  block: |\n    a &&\n    release.foo\n";
        let docs = Locations::of_documents("f.yaml", text);
        let doc = docs.first().cloned().unwrap_or_default();
        let span = |l: SourceLocation| (l.line, l.column, l.end_line, l.end_column);
        // A plain scalar: from its first to its last character.
        assert_eq!(span(doc.at("spec.id")), (2, 7, 2, 9));
        // A quoted scalar, quotes included.
        assert_eq!(span(doc.at("spec.q")), (3, 6, 3, 10));
        // A name inside an expression: the name.
        let expr = "release.enviroment == 'x'";
        let at = doc.in_scalar("spec.expression", Some(8), expr, text);
        assert_eq!(at.to_string(), "f.yaml:4:23");
        assert_eq!(span(at), (4, 23, 4, 32));
        // A name on the second line of a block scalar.
        let at = doc.in_scalar("spec.block", Some(5), "a &&\nrelease.foo\n", text);
        assert_eq!(span(at), (7, 5, 7, 11));
    }
}
