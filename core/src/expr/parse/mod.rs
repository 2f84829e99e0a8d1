//! A hand-written parser for CEL, for speed at load: the `cel` crate's
//! ANTLR parser costs some 300 000 instructions per expression. It builds
//! exactly the tree the `cel` parser builds (with
//! `enable_ident_escape_syntax` and the optional syntax (`a.?f`, `a[?i]`,
//! `[?x]`, `{?k: v}`, on in the `cel` environment by default), with the
//! standard macros and [ours](super::macros)): the same nodes, each at
//! the same source offsets; only the ids may differ. It accepts nothing
//! the `cel` parser refuses; on anything it does not accept, or is unsure
//! of, it gives up (`None`) and the caller parses with the `cel` parser,
//! whose errors are the ones reported.
//!
//! [`agree`] compares the two parsers on one source. [`lexer`] cuts the tokens ([`literals`]: string and bytes literals),
//! [`parser`] builds the tree, [`macros`] expands the standard macros.
//! The differential tests (`tests.rs`), a proptest and the `cel_parse`
//! fuzz target check it against the `cel` parser.

pub(crate) mod agree;
#[cfg(test)]
mod cases;
mod lexer;
mod literals;
mod macros;
mod parser;
#[cfg(test)]
mod tests;

use cel::common::ast::{IdedExpr, SourceInfo};

/// The longest source parsed here; longer ones go to the `cel` parser.
const MAX_SOURCE: usize = 100_000;

/// The tree and the source offsets of `source`, as the `cel` parser would
/// give them, or `None` when this parser does not accept it (the `cel`
/// parser then reports the error, or parses what this one leaves to it).
pub(crate) fn parse(source: &str) -> Option<(IdedExpr, SourceInfo)> {
    // A NUL byte: the `cel` lexer refuses it in a raw triple-quoted string
    // (`r'''\0'''`) and takes it elsewhere; no policy needs one, so such a
    // source is left to the `cel` parser whole (found by the fuzzer).
    if source.len() > MAX_SOURCE || source.contains('\0') {
        return None;
    }
    let toks = lexer::tokens(source)?;
    let mut p = parser::Parser::new(toks, source);
    let e = p.start()?;
    Some((e, p.info))
}
