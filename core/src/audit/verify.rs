//! Verification of a chain, record by record as the archive streams them:
//! each record's contents must hash to its stored hash, its sequence
//! number must follow the one before, its `prev` must name the record
//! before, and — given checkpoints — the record at each checkpoint's count
//! must carry the checkpoint's head and the chain must reach it.

use serde::Serialize;

use super::checkpoint::Checkpoint;
use super::record::AuditRecord;
use crate::error::{Error, ErrorCode};

/// At most this many breaks are kept (the count of the rest is kept too).
const MAX_BREAKS: usize = 100;

/// What is wrong at a place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[non_exhaustive]
pub enum BreakKind {
    /// The record's contents do not hash to its stored hash: it was changed.
    Changed {
        /// The hash stored with the record.
        stored: String,
        /// The hash its contents give.
        computed: String,
    },
    /// Records `expected` to `seq - 1` are not there: removed.
    Missing {
        /// The sequence number that should have come.
        expected: u64,
    },
    /// The sequence number is lower than the one due: a record repeated,
    /// moved or swapped.
    OutOfOrder {
        /// The sequence number that should have come.
        expected: u64,
    },
    /// The record's `prev` is not the hash of the record before it: a
    /// record was inserted or removed and the numbers rewritten.
    Unlinked {
        /// The hash of the record before it.
        expected: String,
        /// What the record says.
        found: String,
    },
    /// The record at a checkpoint's count does not carry the checkpoint's
    /// head: history before the checkpoint was rewritten.
    Rewritten {
        /// The head the checkpoint signed.
        checkpoint: String,
        /// The hash found at that place.
        found: String,
    },
    /// The chain ends before a checkpoint's count: its tail was cut off.
    Truncated {
        /// How many records the checkpoint signed.
        checkpoint: u64,
        /// How many records there are.
        count: u64,
    },
}

/// One place where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    /// The sequence number of the record where it breaks (for a truncated
    /// chain, the first record missing).
    pub seq: u64,
    /// What is wrong there.
    #[serde(flatten)]
    pub kind: BreakKind,
}

impl Break {
    /// What is wrong, in one lowercase line.
    pub fn message(&self) -> String {
        let seq = self.seq;
        match &self.kind {
            BreakKind::Changed { stored, computed } => format!(
                "record {seq} was changed: its contents hash to `{}`, it says `{}`",
                short(computed),
                short(stored)
            ),
            BreakKind::Missing { expected } if *expected + 1 == seq => {
                format!("record {expected} is missing (the chain goes on at {seq})")
            }
            BreakKind::Missing { expected } => format!(
                "records {expected} to {} are missing (the chain goes on at {seq})",
                seq - 1
            ),
            BreakKind::OutOfOrder { expected } => {
                format!("record {seq} is out of order: record {expected} was due")
            }
            BreakKind::Unlinked { expected, found } => format!(
                "record {seq} does not follow the record before it: it names `{}`, the record before is `{}`",
                short(found),
                short(expected)
            ),
            BreakKind::Rewritten { checkpoint, found } => format!(
                "record {seq} is not the one the checkpoint signed: `{}`, the checkpoint says `{}`",
                short(found),
                short(checkpoint)
            ),
            BreakKind::Truncated { checkpoint, count } => format!(
                "the chain ends at record {count}, but a checkpoint signed {checkpoint} records"
            ),
        }
    }
}

fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}

/// The result of verifying a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// How many records were read.
    pub count: u64,
    /// The hash of the last record read (`None` for an empty chain).
    pub head: Option<String>,
    /// How many checkpoints the chain was held to.
    pub checkpoints: usize,
    /// The breaks, in chain order (at most 100; see `more`).
    pub breaks: Vec<Break>,
    /// How many breaks were found beyond those listed.
    pub more: u64,
}

impl Verification {
    /// Whether the chain is intact.
    pub fn is_intact(&self) -> bool {
        self.breaks.is_empty()
    }

    /// The verification, or the first break as an error (`RP1001`) located
    /// at its record, with how many there are in the hint.
    pub fn into_result(self) -> Result<Verification, Error> {
        let Some(first) = self.breaks.first() else {
            return Ok(self);
        };
        let total = self.breaks.len() as u64 + self.more;
        let hint = if total > 1 {
            format!("{total} breaks in all; `audit verify --format json` lists them")
        } else {
            "restore the archive from a backup, or ask who had write access to it".to_string()
        };
        Err(Error::audit(
            ErrorCode::ChainBroken,
            Some(format!("record {}", first.seq)),
            first.message(),
        )
        .with_hint(hint))
    }
}

/// Checks records as they stream in, in the archive's order.
#[derive(Debug, Clone)]
pub struct Verifier {
    expected: u64,
    prev: String,
    count: u64,
    last_seq: u64,
    checkpoints: Vec<Checkpoint>,
    breaks: Vec<Break>,
    more: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier::new()
    }
}

impl Verifier {
    /// A verifier for a chain from its first record.
    pub fn new() -> Verifier {
        Verifier {
            expected: 1,
            prev: super::chain::GENESIS.to_string(),
            count: 0,
            last_seq: 0,
            checkpoints: Vec::new(),
            breaks: Vec::new(),
            more: 0,
        }
    }

    /// Also hold the chain to `checkpoint` (whose signature the caller has
    /// checked with [`Checkpoint::verify`]).
    pub fn checkpoint(mut self, checkpoint: Checkpoint) -> Verifier {
        self.checkpoints.push(checkpoint);
        self
    }

    fn broken(&mut self, seq: u64, kind: BreakKind) {
        if self.breaks.len() < MAX_BREAKS {
            self.breaks.push(Break { seq, kind });
        } else {
            self.more += 1;
        }
    }

    /// Check the next record.
    pub fn push(&mut self, record: &AuditRecord) {
        let seq = record.seq;
        let computed = record.computed_hash();
        if computed != record.hash {
            self.broken(
                seq,
                BreakKind::Changed {
                    stored: record.hash.clone(),
                    computed,
                },
            );
        }
        if seq > self.expected {
            self.broken(
                seq,
                BreakKind::Missing {
                    expected: self.expected,
                },
            );
        } else if seq < self.expected {
            self.broken(
                seq,
                BreakKind::OutOfOrder {
                    expected: self.expected,
                },
            );
        } else if record.prev != self.prev {
            self.broken(
                seq,
                BreakKind::Unlinked {
                    expected: self.prev.clone(),
                    found: record.prev.clone(),
                },
            );
        }
        let rewritten: Vec<String> = self
            .checkpoints
            .iter()
            .filter(|c| c.count == seq && c.head != record.hash)
            .map(|c| c.head.clone())
            .collect();
        for checkpoint in rewritten {
            self.broken(
                seq,
                BreakKind::Rewritten {
                    checkpoint,
                    found: record.hash.clone(),
                },
            );
        }
        self.prev.clone_from(&record.hash);
        self.expected = self.expected.max(seq.saturating_add(1));
        self.last_seq = self.last_seq.max(seq);
        self.count += 1;
    }

    /// The verification of everything pushed.
    pub fn finish(mut self) -> Verification {
        let reached = self.last_seq;
        let short: Vec<u64> = self
            .checkpoints
            .iter()
            .map(|c| c.count)
            .filter(|&c| c > reached)
            .collect();
        if let Some(&checkpoint) = short.iter().max() {
            self.broken(
                reached + 1,
                BreakKind::Truncated {
                    checkpoint,
                    count: self.count,
                },
            );
        }
        Verification {
            count: self.count,
            head: (self.count > 0).then_some(self.prev),
            checkpoints: self.checkpoints.len(),
            breaks: self.breaks,
            more: self.more,
        }
    }
}
