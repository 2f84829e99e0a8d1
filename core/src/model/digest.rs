//! The facts digest: `sha256:` over the canonical binary encoding of the
//! typed facts (`canonical/`, specified in `docs/digest.md`): written
//! straight from the typed values, timestamps and durations as integers
//! and floats as their bits, so no value is formatted as text.

use serde::Serialize;
use sha2::{Digest, Sha256};

pub(crate) use super::canonical::FactCounts;

/// `sha256:…` of the canonical encoding of `facts`.
pub(crate) fn facts_digest<T: Serialize + ?Sized>(facts: &T) -> String {
    // Encoding the typed facts cannot fail (no integer is wider than 64
    // bits, no custom serialiser fails); were it to, the digest would
    // still be that of the bytes written so far, never a panic.
    sha256(|sink| super::canonical::encode_into(facts, sink)).0
}

/// [`facts_digest`] of release facts, encoded directly (the same digest),
/// with what they hold counted as their JSON would be on the way (what the
/// limits of a decision hold them to).
pub(crate) fn release_facts_digest(facts: &super::Facts) -> (String, FactCounts) {
    sha256(|sink| super::canonical::encode_direct_into(facts, sink))
}

/// What [`release_facts_digest`] counts, without the digest: the facts
/// encoded the same way, the bytes dropped instead of hashed.
pub(crate) fn release_fact_counts(facts: &super::Facts) -> FactCounts {
    super::canonical::encode_direct_into(facts, |_| {})
}

/// `sha256:…` of the bytes `encode` hands its sink, and what it returned.
fn sha256<R>(encode: impl FnOnce(&mut dyn FnMut(&[u8])) -> R) -> (String, R) {
    let mut hasher = Sha256::new();
    let r = encode(&mut |bytes| hasher.update(bytes));
    (sha256_text(&hasher.finalize()), r)
}

/// `sha256:` and the lowercase hex of a SHA-256 `hash`: the form of every
/// digest a result carries.
pub(crate) fn sha256_text(hash: &[u8]) -> String {
    let mut text = String::with_capacity("sha256:".len() + 2 * hash.len());
    text.push_str("sha256:");
    push_hex(&mut text, hash);
    text
}

/// `bytes` as lowercase hex, two digits a byte, appended to `out` (what
/// `{:02x}` writes, without the formatting machinery: a digest is written
/// on every decision).
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
}

#[cfg(test)]
#[path = "digest_tests.rs"]
mod tests;
