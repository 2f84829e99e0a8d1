//! The tokens of a CEL expression, as the `cel` crate's ANTLR lexer (its
//! grammar `CEL.g4`) cuts them: the longest token at each place, spaces
//! and `//` comments skipped, each token with its byte range. Anything the
//! lexer would refuse, or where its choice is not certain, is `None`.

use super::literals;

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    /// An operator or punctuation, as written (`==`, `(`, `.`, …).
    Punct(&'static str),
    /// `in`.
    In,
    /// `true`.
    True,
    /// `false`.
    False,
    /// `null`.
    Null,
    /// An identifier.
    Ident(String),
    /// A backtick-quoted name, without its backticks.
    EscIdent(String),
    /// An int literal's digits: decimal, or hexadecimal after `0x`.
    Int(String),
    /// A uint literal's value.
    Uint(u64),
    /// A double literal as written.
    Float(String),
    /// A string literal's value.
    Str(String),
    /// A bytes literal's value.
    Bytes(Vec<u8>),
}

/// A token and the byte offsets of its first and last byte (the `cel`
/// crate's `start` and `stop`).
#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) start: u32,
    pub(super) stop: u32,
}

/// The punctuation, longest first where one is a prefix of another.
const PUNCT: [&str; 24] = [
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "[", "]", "{", "}", "(", ")", ".", ",", "-", "!",
    "?", ":", "+", "*", "/", "%",
];

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The tokens of `source`, or `None` where the `cel` lexer would fail or
/// might cut differently.
pub(super) fn tokens(source: &str) -> Option<Vec<Token>> {
    let bytes = source.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 3 + 1);
    let mut i = 0usize;
    // Offsets are u32 in the source info.
    if u32::try_from(bytes.len()).is_err() {
        return None;
    }
    while let Some(&b) = bytes.get(i) {
        let start = i;
        let tok = match b {
            b' ' | b'\t' | b'\r' | b'\n' | 0x0c => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'0'..=b'9' => number(bytes, &mut i)?,
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => number(bytes, &mut i)?,
            b'"' | b'\'' => {
                Tok::Str(String::from_utf8(literals::string(source, &mut i, false)?).ok()?)
            }
            b'`' => {
                i += 1;
                let name_start = i;
                while bytes
                    .get(i)
                    .is_some_and(|&c| is_ident_char(c) || matches!(c, b'.' | b'-' | b'/' | b' '))
                {
                    i += 1;
                }
                if i == name_start || bytes.get(i) != Some(&b'`') {
                    return None;
                }
                let name = source.get(name_start..i)?.to_string();
                i += 1;
                Tok::EscIdent(name)
            }
            c if is_ident_start(c) => {
                let next = bytes.get(i + 1).copied();
                let after = bytes.get(i + 2).copied();
                let quote = |c: Option<u8>| matches!(c, Some(b'"' | b'\''));
                let raw = |c: Option<u8>| matches!(c, Some(b'r' | b'R'));
                if matches!(c, b'b' | b'B') && (quote(next) || (raw(next) && quote(after))) {
                    i += 1;
                    Tok::Bytes(literals::string(source, &mut i, true)?)
                } else if matches!(c, b'r' | b'R') && quote(next) {
                    Tok::Str(String::from_utf8(literals::string(source, &mut i, false)?).ok()?)
                } else {
                    while bytes.get(i).is_some_and(|&c| is_ident_char(c)) {
                        i += 1;
                    }
                    match source.get(start..i)? {
                        "in" => Tok::In,
                        "true" => Tok::True,
                        "false" => Tok::False,
                        "null" => Tok::Null,
                        name => Tok::Ident(name.to_string()),
                    }
                }
            }
            _ => {
                let rest = source.get(i..)?;
                let p = PUNCT.iter().find(|p| rest.starts_with(**p))?;
                i += p.len();
                Tok::Punct(p)
            }
        };
        out.push(Token {
            tok,
            start: u32::try_from(start).ok()?,
            stop: u32::try_from(i.checked_sub(1)?).ok()?,
        });
    }
    Some(out)
}

fn digits(bytes: &[u8], i: &mut usize, hex: bool) -> usize {
    let from = *i;
    while bytes.get(*i).is_some_and(|c| {
        if hex {
            c.is_ascii_hexdigit()
        } else {
            c.is_ascii_digit()
        }
    }) {
        *i += 1;
    }
    *i - from
}

/// An exponent (`e`, an optional sign, digits) at `i`, if complete.
fn exponent(bytes: &[u8], i: &mut usize) -> bool {
    if !matches!(bytes.get(*i), Some(b'e' | b'E')) {
        return false;
    }
    let mut j = *i + 1;
    if matches!(bytes.get(j), Some(b'+' | b'-')) {
        j += 1;
    }
    if digits(bytes, &mut j, false) == 0 {
        return false;
    }
    *i = j;
    true
}

fn number(bytes: &[u8], i: &mut usize) -> Option<Tok> {
    let start = *i;
    let text = |i: usize| std::str::from_utf8(bytes.get(start..i)?).ok();
    if bytes.get(start) == Some(&b'0') && bytes.get(start + 1) == Some(&b'x') {
        let mut j = start + 2;
        if digits(bytes, &mut j, true) > 0 {
            *i = j;
            let hex = text(j)?.get(2..)?.to_string();
            if matches!(bytes.get(j), Some(b'u' | b'U')) {
                *i = j + 1;
                return u64::from_str_radix(&hex, 16).ok().map(Tok::Uint);
            }
            return Some(Tok::Int(format!("0x{hex}")));
        }
    }
    if bytes.get(start) == Some(&b'.') {
        *i += 1;
        digits(bytes, i, false);
        exponent(bytes, i);
        return Some(Tok::Float(text(*i)?.to_string()));
    }
    digits(bytes, i, false);
    let int_end = *i;
    if bytes.get(*i) == Some(&b'.') {
        let mut j = *i + 1;
        if digits(bytes, &mut j, false) > 0 {
            *i = j;
            exponent(bytes, i);
            return Some(Tok::Float(text(*i)?.to_string()));
        }
    }
    if exponent(bytes, i) {
        return Some(Tok::Float(text(*i)?.to_string()));
    }
    if matches!(bytes.get(*i), Some(b'u' | b'U')) {
        *i += 1;
        return text(int_end)?.parse::<u64>().ok().map(Tok::Uint);
    }
    Some(Tok::Int(text(int_end)?.to_string()))
}
