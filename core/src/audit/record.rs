//! One archived fact of the trail: an [`Entry`] as a writer hands it over
//! (a decision, an assessment, a plan, a review or a release record) and
//! the [`AuditRecord`] it becomes once the archive gives it a sequence
//! number and links it to the record before it.

use serde::{Deserialize, Serialize};

use super::chain;

/// What an archived entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A `check` decision (go / no-go / pending).
    Check,
    /// An `assess` assessment (promote / continue / hold / rollback).
    Assess,
    /// A `plan` over many services.
    Plan,
    /// A `review` report.
    Review,
    /// A release record (`kind: ReleaseRecord`): what happened after.
    Record,
}

impl EntryKind {
    /// Every kind, in the order of [`EntryKind::as_str`]'s documentation.
    pub const ALL: [EntryKind; 5] = [
        EntryKind::Check,
        EntryKind::Assess,
        EntryKind::Plan,
        EntryKind::Review,
        EntryKind::Record,
    ];

    /// `check`, `assess`, `plan`, `review` or `record`: the text that is
    /// stored and hashed.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Check => "check",
            EntryKind::Assess => "assess",
            EntryKind::Plan => "plan",
            EntryKind::Review => "review",
            EntryKind::Record => "record",
        }
    }

    /// The kind named by `text` (exactly as [`EntryKind::as_str`] writes it).
    pub fn parse(text: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl std::fmt::Display for EntryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a writer archives: everything of a record but its place in the
/// chain. Build it from a result with `Decision::audit_entry`,
/// `Assessment::audit_entry`, `Plan::audit_entry`, `Review::audit_entry`
/// or `ReleaseRecord::audit_entry`; an archive seals it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// What it is.
    pub kind: EntryKind,
    /// The release it is about (`checkout-2.4.0`); empty for a plan or a
    /// review, which cover many.
    pub release: String,
    /// The service (`checkout`); empty when not one.
    pub service: String,
    /// The environment (`production`); empty when not one.
    pub environment: String,
    /// The `now` of the decision (RFC 3339, UTC), or the record's last event.
    pub now: String,
    /// The engine that decided: `release-policy 0.1.0`.
    pub engine: String,
    /// `sha256:…` of the bundle that decided; empty for a release record.
    pub bundle: String,
    /// `sha256:…` of the facts (the result's `factsDigest`; for a release
    /// record, of the record's JSON).
    pub facts_digest: String,
    /// `sha256:…` of [`Entry::decision`]'s bytes.
    pub decision_digest: String,
    /// The verdict (`go`, `no-go`, `pending`, `promote`, `ok`, `pass`,
    /// `fail`, …; for a release record, its outcome).
    pub verdict: String,
    /// The full result as JSON, exactly as the CLI prints it with
    /// `--format json` (for a release record, the record).
    pub decision: String,
    /// The input as given, as JSON, so that the decision can be replayed
    /// (for a plan or a review, the inputs' digests and names).
    pub facts: String,
}

impl Entry {
    /// `sha256:` and the hex SHA-256 of `bytes`: the digest form every
    /// field of an entry uses.
    pub fn digest_of(bytes: &[u8]) -> String {
        crate::model::digest::sha256_text(&chain::sha256(bytes))
    }

    /// The entry at place `seq` after the record whose hash is `prev`
    /// ([`chain::GENESIS`] for the first).
    pub fn seal(self, seq: u64, prev: &str) -> AuditRecord {
        let hash = chain::record_hash(seq, prev, &self);
        AuditRecord {
            seq,
            prev: prev.to_string(),
            hash,
            entry: self,
        }
    }
}

/// An entry sealed into the chain: its sequence number (1 for the first),
/// the hash of the record before it and its own hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// The place in the chain: 1, 2, 3, … without gaps.
    pub seq: u64,
    /// The hash of record `seq - 1` (64 hex digits; [`chain::GENESIS`] for
    /// the first record).
    pub prev: String,
    /// This record's hash (64 hex digits): SHA-256 over its canonical
    /// encoding (`docs/audit.md`).
    pub hash: String,
    /// What was archived.
    #[serde(flatten)]
    pub entry: Entry,
}

impl AuditRecord {
    /// The hash this record's contents give (equal to [`AuditRecord::hash`]
    /// unless the record was changed).
    pub fn computed_hash(&self) -> String {
        chain::record_hash(self.seq, &self.prev, &self.entry)
    }

    /// One line of JSON: the form `audit export` writes and another tool
    /// reads to verify the chain.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
