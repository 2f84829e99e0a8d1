//! String and bytes literals: where one ends, as the `cel` lexer's
//! `STRING` and `BYTES` rules scan it (escapes of the allowed forms only,
//! no line break in a single-quoted one), and its value, decoded as the
//! `cel` crate's `parse_string` / `parse_bytes` decode it (line breaks
//! normalised, quotes peeled, escapes interpreted unless raw).

/// Whether `bytes[i..]` starts with an escape sequence the lexer accepts
/// (after its backslash at `i`); its length, backslash included.
fn escape_len(bytes: &[u8], i: usize) -> Option<usize> {
    let hex = |from: usize, n: usize| {
        (from..from + n).all(|j| bytes.get(j).is_some_and(u8::is_ascii_hexdigit))
    };
    let oct = |j: usize| bytes.get(j).is_some_and(|c| (b'0'..=b'7').contains(c));
    match bytes.get(i + 1)? {
        b'a' | b'b' | b'f' | b'n' | b'r' | b't' | b'v' | b'"' | b'\'' | b'\\' | b'?' | b'`' => {
            Some(2)
        }
        b'0'..=b'3' if oct(i + 2) && oct(i + 3) => Some(4),
        b'x' | b'X' if hex(i + 2, 2) => Some(4),
        b'u' if hex(i + 2, 4) => Some(6),
        b'U' if hex(i + 2, 8) => Some(10),
        _ => None,
    }
}

/// The length of the UTF-8 character starting with `b`.
fn char_len(b: u8) -> usize {
    match b {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

/// The literal at `i` (after a bytes literal's `b`; with its optional `r`
/// and its quotes), decoded; `i` moves past it. `None` when the lexer
/// would refuse it, or might cut it elsewhere.
pub(super) fn string(source: &str, i: &mut usize, is_bytes: bool) -> Option<Vec<u8>> {
    let bytes = source.as_bytes();
    // Where the literal starts, its `b` included: what `cel` decodes.
    let start = if is_bytes { i.checked_sub(1)? } else { *i };
    let mut j = *i;
    let raw = matches!(bytes.get(j), Some(b'r' | b'R'));
    if raw {
        j += 1;
    }
    let q = *bytes.get(j)?;
    if q != b'"' && q != b'\'' {
        return None;
    }
    let triple = bytes.get(j + 1) == Some(&q) && bytes.get(j + 2) == Some(&q);
    j += if triple { 3 } else { 1 };
    loop {
        let c = *bytes.get(j)?;
        if triple {
            if c == q && bytes.get(j + 1) == Some(&q) && bytes.get(j + 2) == Some(&q) {
                j += 3;
                break;
            }
        } else if c == q {
            j += 1;
            break;
        } else if c == b'\n' || c == b'\r' {
            return None;
        }
        if c == b'\\' && !raw {
            j += escape_len(bytes, j)?;
        } else {
            j += char_len(c);
        }
    }
    // A quote right after: the lexer's longest match might differ.
    if bytes.get(j) == Some(&q) {
        return None;
    }
    *i = j;
    let text = source.get(start..j)?;
    let text = if is_bytes { text.get(1..)? } else { text };
    unescape(text, is_bytes)
}

/// `cel`'s `unescape`: the value of the literal `value` (its `b` peeled).
fn unescape(value: &str, is_bytes: bool) -> Option<Vec<u8>> {
    let normalized = value.replace("\r\n", "\n").replace('\r', "\n");
    let mut val = normalized.as_str();
    let is_raw = val.starts_with('r') || val.starts_with('R');
    if is_raw {
        val = val.get(1..)?;
    }
    let first = val.chars().next()?;
    if val.len() < 2 || (first != '"' && first != '\'') || !val.ends_with(first) {
        return None;
    }
    let triple = if first == '\'' { "'''" } else { "\"\"\"" };
    val = if val.len() >= 6 && val.starts_with(triple) {
        if !val.ends_with(triple) {
            return None;
        }
        val.get(3..val.len() - 3)?
    } else {
        val.get(1..val.len() - 1)?
    };
    if is_raw || !val.contains('\\') {
        return Some(val.as_bytes().to_vec());
    }
    let mut out = Vec::with_capacity(val.len());
    let mut chars = val.chars();
    let push_char = |out: &mut Vec<u8>, ch: char| {
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            push_char(&mut out, c);
            continue;
        }
        let esc = chars.next()?;
        match esc {
            'a' => out.push(0x07),
            'b' => out.push(0x08),
            'f' => out.push(0x0C),
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            'v' => out.push(0x0B),
            '\\' => out.push(b'\\'),
            '\'' => out.push(b'\''),
            '"' => out.push(b'"'),
            '`' => out.push(b'`'),
            '?' => out.push(b'?'),
            'x' | 'X' | 'u' | 'U' => {
                let width = match esc {
                    'x' | 'X' => 2,
                    _ if is_bytes => return None,
                    'u' => 4,
                    _ => 8,
                };
                let mut v: u32 = 0;
                for _ in 0..width {
                    v = v
                        .checked_mul(16)?
                        .checked_add(chars.next()?.to_digit(16)?)?;
                }
                if is_bytes {
                    out.push(u8::try_from(v).ok()?);
                } else {
                    push_char(&mut out, char::from_u32(v)?);
                }
            }
            '0'..='3' => {
                let mut v = esc.to_digit(8)?;
                for _ in 0..2 {
                    v = v * 8 + chars.next()?.to_digit(8)?;
                }
                if is_bytes {
                    out.push(u8::try_from(v).ok()?);
                } else {
                    push_char(&mut out, char::from_u32(v)?);
                }
            }
            _ => return None,
        }
    }
    Some(out)
}
