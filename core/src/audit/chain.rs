//! The hash chain: the canonical encoding of a record and its hash.
//!
//! The encoding is a sequence of fields, each written as its length in
//! bytes (eight bytes, big-endian) followed by its UTF-8 bytes, in this
//! order: the tag `release-policy/audit/v1`, the sequence number in
//! decimal, the previous hash, kind, release, service, environment, now,
//! engine, bundle, facts digest, decision digest, verdict, decision, facts.
//! A record's hash is the lowercase hex SHA-256 of that encoding. Lengths
//! make the encoding unambiguous (no field can run into the next); the
//! previous hash makes each record commit to every record before it.
//! `docs/audit.md` gives the same, with a verifier in a few lines of Python.

use sha2::{Digest, Sha256};

use super::record::Entry;

/// The `prev` of the first record: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The tag that opens every encoding (the version of the encoding).
pub const TAG: &str = "release-policy/audit/v1";

/// The fields of the encoding, in order.
fn fields<'a>(seq: &'a str, prev: &'a str, entry: &'a Entry) -> [&'a str; 15] {
    [
        TAG,
        seq,
        prev,
        entry.kind.as_str(),
        &entry.release,
        &entry.service,
        &entry.environment,
        &entry.now,
        &entry.engine,
        &entry.bundle,
        &entry.facts_digest,
        &entry.decision_digest,
        &entry.verdict,
        &entry.decision,
        &entry.facts,
    ]
}

/// The canonical encoding of the record `entry` would be at `seq` after
/// `prev`.
pub fn encode(seq: u64, prev: &str, entry: &Entry) -> Vec<u8> {
    let seq = seq.to_string();
    let fields = fields(&seq, prev, entry);
    let mut out = Vec::with_capacity(fields.iter().map(|f| 8 + f.len()).sum());
    for f in fields {
        out.extend_from_slice(&(f.len() as u64).to_be_bytes());
        out.extend_from_slice(f.as_bytes());
    }
    out
}

/// The hash of the record `entry` would be at `seq` after `prev`: lowercase
/// hex SHA-256 of [`encode`], computed without building the encoding.
pub fn record_hash(seq: u64, prev: &str, entry: &Entry) -> String {
    let seq = seq.to_string();
    let mut h = Sha256::new();
    for f in fields(&seq, prev, entry) {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex(&h.finalize())
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    crate::model::digest::push_hex(&mut s, bytes);
    s
}

/// Whether `text` is a hash as the chain writes them: 64 lowercase hex digits.
pub fn is_hash(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::EntryKind;

    fn entry() -> Entry {
        Entry {
            kind: EntryKind::Check,
            release: "checkout-2.4.0".into(),
            service: "checkout".into(),
            environment: "production".into(),
            now: "2026-11-24T09:00:00Z".into(),
            engine: "release-policy 0.1.0".into(),
            bundle: "sha256:b".into(),
            facts_digest: "sha256:f".into(),
            decision_digest: "sha256:d".into(),
            verdict: "go".into(),
            decision: "{}".into(),
            facts: "{}".into(),
        }
    }

    #[test]
    fn the_streamed_hash_is_the_hash_of_the_encoding() {
        let e = entry();
        assert_eq!(
            record_hash(7, GENESIS, &e),
            hex(&sha256(&encode(7, GENESIS, &e)))
        );
    }

    #[test]
    fn moving_bytes_between_fields_changes_the_hash() {
        let a = entry();
        let mut b = entry();
        b.release = "checkout-2.4.".into();
        b.service = "0checkout".into();
        assert_ne!(record_hash(1, GENESIS, &a), record_hash(1, GENESIS, &b));
    }

    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert!(is_hash(GENESIS));
        assert!(!is_hash(&GENESIS.to_uppercase().replace('0', "A")));
    }
}
