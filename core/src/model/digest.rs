//! The facts digest: `sha256:` over the canonical JSON of the typed facts
//! (fields in declaration order, defaults filled in, maps sorted by key),
//! streamed into the hash without building the text.

use serde::Serialize;
use sha2::{Digest, Sha256};

struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `sha256:…` of the canonical JSON of `facts`.
pub(crate) fn facts_digest<T: Serialize>(facts: &T) -> String {
    // Buffered: the serialiser writes many small pieces; the hash is
    // fastest on whole blocks.
    let mut w = std::io::BufWriter::with_capacity(16 * 1024, HashWriter(Sha256::new()));
    // Serialising the typed facts cannot fail (no non-string map keys, no
    // failing custom serialisers); were it to, the digest would still be
    // that of the bytes written so far, never a panic.
    let _ = serde_json::to_writer(&mut w, facts);
    // Whatever is still buffered is hashed too (the hash writer never
    // fails, so nothing is left behind).
    let (HashWriter(mut hasher), rest) = w.into_parts();
    if let Ok(rest) = rest {
        hasher.update(rest);
    }
    format!("sha256:{:x}", hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_of_the_canonical_json_text() {
        let v = serde_json::json!({"b": 1, "a": [true, null]});
        let text = serde_json::to_vec(&v).unwrap_or_default();
        assert_eq!(
            facts_digest(&v),
            format!("sha256:{:x}", Sha256::digest(&text))
        );
        assert_ne!(facts_digest(&v), facts_digest(&serde_json::json!({"b": 2})));
    }
}
