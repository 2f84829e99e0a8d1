//! Bearer tokens: read from a file, compared in constant time.
//!
//! The file holds one token per line; blank lines and lines starting with
//! `#` are skipped. A token must be at least 16 characters of printable
//! ASCII (no spaces): a short token is refused at start, not accepted and
//! guessed. Every presented token is hashed (SHA-256) and compared against
//! every configured token's hash with [`subtle`], so neither the position of
//! the first differing byte nor which token matched shows in the time taken.

use std::path::Path;

use release_policy::{Error, ErrorCode};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The shortest token accepted.
pub const MIN_TOKEN_LEN: usize = 16;

/// The configured tokens, as SHA-256 hashes.
#[derive(Clone)]
pub struct Tokens {
    hashes: Vec<[u8; 32]>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} configured)", self.hashes.len())
    }
}

fn hash(token: &[u8]) -> [u8; 32] {
    Sha256::digest(token).into()
}

impl Tokens {
    /// Read the tokens in `path` (at most 64 KiB). Errors (`RP0601`) when
    /// the file cannot be read, holds no token, or a token is shorter than
    /// [`MIN_TOKEN_LEN`] or has a character outside printable ASCII.
    pub fn from_file(path: &Path) -> Result<Tokens, Error> {
        let name = path.display().to_string();
        let bad = |message: String| Error::io(ErrorCode::ReadFailed, name.clone(), message);
        let meta = std::fs::metadata(path).map_err(|e| bad(e.to_string().to_lowercase()))?;
        if meta.len() > 64 * 1024 {
            return Err(bad(format!(
                "a token file of {} bytes: at most 64 KiB",
                meta.len()
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string().to_lowercase()))?;
        Tokens::parse(&text).map_err(bad)
    }

    /// Tokens from the text of a token file.
    pub fn parse(text: &str) -> Result<Tokens, String> {
        let mut hashes = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let token = line.trim();
            if token.is_empty() || token.starts_with('#') {
                continue;
            }
            if token.len() < MIN_TOKEN_LEN {
                return Err(format!(
                    "line {}: a token of {} characters: at least {MIN_TOKEN_LEN}",
                    i + 1,
                    token.len()
                ));
            }
            if !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(format!(
                    "line {}: a token with a character outside printable ASCII",
                    i + 1
                ));
            }
            hashes.push(hash(token.as_bytes()));
        }
        if hashes.is_empty() {
            return Err("no token in the file: every request would be refused".into());
        }
        Ok(Tokens { hashes })
    }

    /// Whether an `Authorization` header value carries a configured token
    /// (`Bearer TOKEN`, the scheme in any case).
    pub fn allows(&self, authorization: Option<&[u8]>) -> bool {
        let Some(value) = authorization else {
            return false;
        };
        let Some((scheme, token)) = split_scheme(value) else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case(b"bearer") || token.is_empty() {
            return false;
        }
        let presented = hash(token);
        let mut found = subtle::Choice::from(0u8);
        for h in &self.hashes {
            found |= h.ct_eq(&presented);
        }
        found.into()
    }
}

/// `Bearer abc` → (`Bearer`, `abc`), spaces around the token trimmed.
fn split_scheme(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let space = value.iter().position(|b| *b == b' ')?;
    let scheme = value.get(..space)?;
    let rest = value.get(space..)?;
    let start = rest.iter().position(|b| *b != b' ').unwrap_or(rest.len());
    let end = rest
        .iter()
        .rposition(|b| *b != b' ')
        .map_or(start, |e| e + 1);
    Some((scheme, rest.get(start..end)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "0123456789abcdef-team-a";

    #[test]
    fn accepts_only_configured_bearer_tokens() {
        let t = Tokens::parse(&format!("# ci\n\n{GOOD}\nsecond-token-xxxxxxxx\n")).unwrap();
        assert!(t.allows(Some(format!("Bearer {GOOD}").as_bytes())));
        assert!(t.allows(Some(format!("bearer  {GOOD} ").as_bytes())));
        assert!(t.allows(Some(b"Bearer second-token-xxxxxxxx")));
        assert!(!t.allows(None));
        assert!(!t.allows(Some(b"Bearer ")));
        assert!(!t.allows(Some(GOOD.as_bytes())));
        assert!(!t.allows(Some(format!("Basic {GOOD}").as_bytes())));
        // A prefix, a longer token and a near miss are all refused.
        assert!(!t.allows(Some(b"Bearer 0123456789abcdef")));
        assert!(!t.allows(Some(format!("Bearer {GOOD}x").as_bytes())));
        assert!(!t.allows(Some(b"Bearer 0123456789abcdef-team-b")));
    }

    #[test]
    fn refuses_weak_or_empty_token_files() {
        assert!(
            Tokens::parse("# nothing\n\n")
                .unwrap_err()
                .contains("no token")
        );
        assert!(
            Tokens::parse("short\n")
                .unwrap_err()
                .contains("at least 16")
        );
        assert!(
            Tokens::parse("0123456789abcdef\u{e9}\n")
                .unwrap_err()
                .contains("printable ASCII")
        );
    }
}
